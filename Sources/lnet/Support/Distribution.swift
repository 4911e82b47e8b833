import ArgumentParser
import LNetRuns
import LNetTraining
#if MPI
import LNetMPI
#endif

/// `--grad-shards K` and `--distributed`: how a run cuts each mini-batch's gradient, and whether it is one
/// of the ranks `mpirun` starts.
struct DistributionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Sum each mini-batch's gradient over K shards, in the fixed order K MPI ranks use.",
        discussion: "One process then gives the same bits as `mpirun -np K lnet … --distributed`."))
    var gradShards: Int?

    @Flag(help: "Train as one of the ranks mpirun starts (MPI build only: swift build --traits MPI).")
    var distributed = false

    func validate() throws {
        if let gradShards {
            try require((1...GradientSharding.maximumShards).contains(gradShards), "--grad-shards",
                        "1 … \(GradientSharding.maximumShards)", got: gradShards)
            if distributed {
                throw ValidationError("--distributed sums one gradient shard per rank: leave out --grad-shards")
            }
        }
        #if !MPI
        if distributed {
            throw ValidationError("this lnet was built without MPI: build it with `swift build --traits MPI` to train with --distributed")
        }
        #endif
    }

    /// Joins the MPI job when distributed (`MPI_Init`, which only these runs pay for).
    func begin() throws -> Distribution {
        #if MPI
        if distributed {
            let reducer = try MPIGradientReducer()
            return Distribution(sharding: GradientSharding(reducer: reducer), finish: { try reducer.finalize() })
        }
        #endif
        return Distribution(sharding: gradShards.map { GradientSharding(shardCount: $0) }, finish: {})
    }
}

/// The sharding a run uses, and what ends it.
struct Distribution {
    /// Nil: the default (for `resume`, the checkpoint's own shards).
    let sharding: GradientSharding?
    /// Leaves the MPI job after the last collective call (nothing for a single process).
    let finish: () throws -> Void

    /// Whether this process prints and saves: the single process, or rank 0.
    var isRoot: Bool { sharding?.isRoot ?? true }
    /// Whether this process is one of several MPI ranks.
    var isDistributed: Bool { (sharding?.reducer.rankCount ?? 1) > 1 }
}

/// Runs `run` to its end: rank 0 (or the single process) prints as it goes, other ranks silently.
func drive(_ run: TrainingRun, _ output: TrainingOutput, _ joined: Distribution, ifStoppedBeforeStart remark: String)
    throws -> Int32?
{
    guard joined.isRoot else { return try output.driveSilently(run) }
    // A stop before the first update would leave the other ranks waiting in theirs: ranks agree at the first step.
    if joined.isDistributed { return try output.driveWithoutEarlyStop(run) }
    return try output.drive(run, ifStoppedBeforeStart: remark)
}
