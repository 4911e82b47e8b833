import ArgumentParser
import LNetRuns
import LNetTraining

/// `--stream` and `--memory-budget`, for the commands that train.
struct StreamingOptions: ParsableArguments {
    @Flag(help: "Read mini-batches from the dataset file instead of loading x whole (bit for bit the same results).")
    var stream = false

    @Option(help: ArgumentHelp(
        "Stream x automatically when it needs more memory than this (as float64, n_x·m·8 bytes), and refuse a run whose estimated peak exceeds it: bytes, or 512M, 4G… (default: stream above half the physical memory, refuse above all of it).",
        valueName: "size"))
    var memoryBudget: String?

    func validate() throws {
        if let memoryBudget, MemoryPolicy.parse(memoryBudget) == nil {
            throw ValidationError("--memory-budget takes a positive size such as 268435456, 512M or 4G, not \"\(memoryBudget)\"")
        }
    }

    /// The policy the options describe.
    var policy: MemoryPolicy {
        let budget = memoryBudget.flatMap(MemoryPolicy.parse)
        return MemoryPolicy(alwaysStream: stream, budget: budget, peakLimit: budget)
    }
}
