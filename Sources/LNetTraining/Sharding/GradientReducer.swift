/// How the processes (ranks) of a data-parallel run combine their work: LNetTraining's one view of
/// distribution, so that the math knows no MPI. ``LocalGradientReducer`` is the single process;
/// `LNetMPI` (built with `swift build --traits MPI`) implements it over Open MPI.
///
/// Every rank must make the same calls in the same order: each is a collective operation.
public protocol GradientReducer: AnyObject {
    /// This process's rank, `0 ..< rankCount`; rank 0 prints and saves.
    var rank: Int { get }
    /// The number of ranks in the run.
    var rankCount: Int { get }
    /// Replaces `values` on every rank by their sum over all ranks, added in ``RecursiveDoubling``'s
    /// fixed order (so every rank, and every run, gets the same bits).
    func sumAcrossRanks(_ values: UnsafeMutablePointer<Double>, count: Int) throws
    /// Replaces `values` on every rank by rank 0's.
    func broadcastFromRoot(_ values: UnsafeMutablePointer<Double>, count: Int) throws
    /// Whether any rank says true: every rank gets the same answer (how ranks agree to stop at one step).
    func anyRank(_ flag: Bool) throws -> Bool
}

/// The single process: nothing to exchange.
public final class LocalGradientReducer: GradientReducer {
    /// Makes the one-rank reducer.
    public init() {}
    public var rank: Int { 0 }
    public var rankCount: Int { 1 }
    public func sumAcrossRanks(_ values: UnsafeMutablePointer<Double>, count: Int) throws {}
    public func broadcastFromRoot(_ values: UnsafeMutablePointer<Double>, count: Int) throws {}
    public func anyRank(_ flag: Bool) throws -> Bool { flag }
}

/// How a ``TrainingSession`` cuts each mini-batch's gradient into shards and who computes them.
///
/// With `shardCount` K > 1 every mini-batch is cut into K contiguous shards (``ShardTree``) whose
/// partial gradients are added along a fixed tree. A single process (a ``LocalGradientReducer``)
/// computes all K; with K ranks each computes its own and `reducer` adds them. Both give the same
/// bits. K = 1 is the plain, unsharded computation.
public struct GradientSharding {
    /// K: shards per mini-batch.
    public let shardCount: Int
    /// Who adds the shards' partial gradients across processes.
    public let reducer: any GradientReducer

    /// K shards computed by one process.
    public init(shardCount: Int) {
        self.shardCount = shardCount
        reducer = LocalGradientReducer()
    }

    /// One shard per rank of `reducer`.
    public init(reducer: any GradientReducer) {
        shardCount = reducer.rankCount
        self.reducer = reducer
    }

    /// K shards over `reducer`'s ranks (which must be 1 or K: ``TrainingSession`` checks).
    init(shardCount: Int, reducer: any GradientReducer) {
        self.shardCount = shardCount
        self.reducer = reducer
    }

    /// The most shards a run may cut a mini-batch into: one process holds a partial gradient per shard.
    public static let maximumShards = 1024

    /// The plain single-process computation.
    public static var none: GradientSharding { GradientSharding(shardCount: 1) }

    /// Whether this process is the one that prints and saves.
    public var isRoot: Bool { reducer.rank == 0 }

    /// How many shards this process computes (K alone, 1 as one of K ranks).
    public var localShardCount: Int { localShards.count }

    /// The shards this process computes.
    var localShards: Range<Int> {
        reducer.rankCount == 1 ? 0..<shardCount : reducer.rank..<(reducer.rank + 1)
    }
}

/// A failure of the communication between ranks (an MPI error, a rank that died).
public struct DistributionError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
    /// Makes the error.
    public init(_ description: String) { self.description = description }
}
