/// The fixed order in which a data-parallel run adds the gradients of a
/// mini-batch's shards, so that the sum has the same bits however many
/// processes compute it.
///
/// A mini-batch of `B` columns is cut into `K` contiguous shards, shard `k`
/// covering columns `⌊k·B/K⌋ ..< ⌊(k+1)·B/K⌋`. Each shard's partial gradient is
/// summed over its own columns; the `K` partials are then added along the tree
/// that recursive doubling over `K` ranks follows (``RecursiveDoubling``): the
/// first `2·(K − p)` partials in pairs (`p` the largest power of two ≤ `K`),
/// then the `p` results as a balanced binary tree. One process with
/// `--grad-shards K` (``sum(_:stride:count:shards:into:)``) and `K` ranks
/// exchanging partials over MPI therefore produce the same bits.
public enum ShardTree {
    /// The columns of a `batchColumns`-column mini-batch that shard `shard` of `shards` covers (may be empty
    /// when the batch has fewer columns than shards).
    public static func columns(ofShard shard: Int, of shards: Int, batchColumns: Int) -> Range<Int> {
        (shard * batchColumns / shards)..<((shard + 1) * batchColumns / shards)
    }

    /// The most columns any shard of a `batchColumns`-column batch gets.
    public static func largestShard(of shards: Int, batchColumns: Int) -> Int {
        (batchColumns + shards - 1) / shards
    }

    /// Adds `shards` vectors of `count` doubles, vector `k` at `vectors + k·stride`, in the order
    /// ``RecursiveDoubling`` adds them across `shards` ranks, and writes the sum to `result`.
    /// Overwrites some of the vectors along the way.
    public static func sum(_ vectors: UnsafeMutablePointer<Double>, stride: Int, count: Int, shards: Int,
                           into result: UnsafeMutablePointer<Double>) {
        let plan = RecursiveDoubling(rankCount: shards)
        // Ranks 2j and 2j+1 (j < extra) fold into one: rank 2j+1 then holds the pair's sum.
        for j in 0..<plan.extra {
            RecursiveDoubling.add(lower: vectors + (2 * j) * stride, upper: vectors + (2 * j + 1) * stride,
                                  into: vectors + (2 * j + 1) * stride, count: count)
        }
        // Then the p remaining ranks, as a balanced tree: at each distance the lower of the two holds the sum
        // (over MPI both partners compute it; addition is commutative, so they hold the same bits).
        var distance = 1
        while distance < plan.powerOfTwo {
            for virtual in Swift.stride(from: 0, to: plan.powerOfTwo, by: 2 * distance) {
                let lower = vectors + plan.rank(ofVirtual: virtual) * stride
                let upper = vectors + plan.rank(ofVirtual: virtual + distance) * stride
                RecursiveDoubling.add(lower: lower, upper: upper, into: lower, count: count)
            }
            distance *= 2
        }
        result.update(from: vectors + plan.rank(ofVirtual: 0) * stride, count: count)
    }
}

/// Recursive doubling over `rankCount` ranks, the allreduce ``ShardTree`` mirrors: the schedule both
/// the serial sum and the MPI implementation follow, so that they add the same numbers in the same order.
///
/// With `p` the largest power of two ≤ `rankCount` and `extra = rankCount − p`: rank `2j` (`j < extra`)
/// sends its vector to rank `2j + 1`, which adds them and stands in for both as virtual rank `j`; the other
/// ranks `r ≥ 2·extra` are virtual rank `r − extra`. The `p` virtual ranks then exchange with the
/// virtual rank `v XOR d` for `d = 1, 2, 4, …` and add (the lower rank's values first); finally each
/// rank `2j + 1` sends the result back to rank `2j`.
public struct RecursiveDoubling: Sendable, Equatable {
    /// The number of ranks.
    public let rankCount: Int
    /// The largest power of two not above ``rankCount``.
    public let powerOfTwo: Int
    /// `rankCount − powerOfTwo`: the pairs folded before the exchanges.
    public var extra: Int { rankCount - powerOfTwo }

    /// The schedule for `rankCount` (≥ 1) ranks.
    public init(rankCount: Int) {
        self.rankCount = max(rankCount, 1)
        var power = 1
        while power * 2 <= self.rankCount { power *= 2 }
        powerOfTwo = power
    }

    /// The real rank that plays virtual rank `virtual` in the exchanges.
    public func rank(ofVirtual virtual: Int) -> Int {
        virtual < extra ? 2 * virtual + 1 : virtual + extra
    }

    /// The virtual rank of `rank`, or nil for a rank that hands its vector to `rank + 1` and waits for the result.
    public func virtualRank(of rank: Int) -> Int? {
        if rank < 2 * extra { return rank % 2 == 1 ? rank / 2 : nil }
        return rank - extra
    }

    /// `into[i] = lower[i] + upper[i]`: the one addition of the tree (`into` may be either operand).
    @inline(__always)
    public static func add(lower: UnsafePointer<Double>, upper: UnsafePointer<Double>,
                           into: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { into[i] = lower[i] + upper[i] }
    }

    /// `add` with mutable operands (Swift does not convert them implicitly through an `inout`-free call).
    @inline(__always)
    public static func add(lower: UnsafeMutablePointer<Double>, upper: UnsafeMutablePointer<Double>,
                           into: UnsafeMutablePointer<Double>, count: Int) {
        add(lower: UnsafePointer(lower), upper: UnsafePointer(upper), into: into, count: count)
    }
}
