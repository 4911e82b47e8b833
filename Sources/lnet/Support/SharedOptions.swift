import ArgumentParser
import LNetTraining

/// `--threads`, for every command whose work runs in parallel.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }

    /// Applies the setting before any work starts.
    func apply() {
        if let threads { BLAS.setThreads(threads) }
    }
}

/// How much a long-running command prints about its progress.
struct ProgressOptions: ParsableArguments {
    @Option(help: "Print the cost every N epochs, and after the last.")
    var printEvery: Int = 1000

    @Flag(help: "Print no progress and no costs, only the final results.")
    var quiet = false

    func validate() throws {
        if printEvery < 1 { throw ValidationError("--print-every must be 1 or more") }
    }
}

/// Where a run saves its checkpoints.
struct CheckpointCadenceOptions: ParsableArguments {
    @Option(help: "Save the checkpoint every N epochs (it is also saved at the end and on Ctrl-C).")
    var checkpointEvery: Int = 100

    @Option(help: "Also keep the last K checkpoints as <name>-epoch<N>.h5 beside it.")
    var keep: Int = 0

    func validate() throws {
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be 1 or more") }
        if keep < 0 { throw ValidationError("--keep must be 0 or more") }
    }
}

/// Parses a comma-separated list of positive integers (`--layers 20,7,5,1`);
/// nil when any entry is not one, so that a typo is an error, never dropped.
func positiveIntegers(_ text: String) -> [Int]? {
    let parts = commaSeparated(text)
    let numbers = parts.compactMap(Int.init)
    return !parts.isEmpty && numbers.count == parts.count && numbers.allSatisfy({ $0 > 0 }) ? numbers : nil
}

/// Splits a comma-separated option value.
func commaSeparated(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Checks an `--activations` list in `validate()`, so a wrong name is a usage error
/// found before any data is read.
func validateActivations(_ names: [String], outputUnits: Int, layerCount: Int) throws {
    do {
        _ = try ActivationNames.parse(names, layerCount: layerCount, outputUnits: outputUnits)
    } catch let error as ConfigurationError {
        throw ValidationError(error.description)
    }
}
