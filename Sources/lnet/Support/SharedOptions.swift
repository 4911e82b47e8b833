import ArgumentParser
import LNetRuns
import LNetTraining

/// `--x`: the dataset of a data file that holds the features (formats/dataset.md's
/// naming rule when absent). Alone in `predict`, whose data needs no labels.
struct FeaturesNameOption: ParsableArguments {
    @Option(help: "The features' dataset name in --data (default: x, or the one *_x, such as train_set_x or test_set_x).")
    var x: String?
}

/// `--x` and `--y`: the datasets of `--data` that hold the features and the labels,
/// in every command that reads labelled data (train, evaluate, plot). `--data` itself
/// stays with each command: what it must hold, and whether it is required, differ.
struct DatasetNameOptions: ParsableArguments {
    @OptionGroup var features: FeaturesNameOption

    @Option(help: "The labels' dataset name in --data (default: y, or the *_y beside *_x).")
    var y: String?

    /// The features' dataset name, if given.
    var x: String? { features.x }
}

/// `--threads`, for every command whose work runs in parallel.
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads { try require(threads >= 1, "--threads", "1 or more", got: threads) }
    }

    /// Applies the setting before any work starts.
    func apply() {
        if let threads { BLAS.setThreads(threads) }
    }
}

/// How much a long-running command prints about its progress.
struct ProgressOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Print the cost every N epochs, and after the last.")
    var printEvery: Int = 1000

    @Flag(help: "Print no progress and no costs, only the final results.")
    var quiet = false

    func validate() throws {
        try require(printEvery >= 1, "--print-every", "1 or more", got: printEvery)
    }
}

/// How often a run saves its checkpoint. With neither option, every
/// `CheckpointSettings.defaultInterval` seconds (30 s); `--checkpoint-every`
/// alone saves by epochs only, as before; both: whichever comes first.
struct CheckpointCadenceOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Save the checkpoint every N epochs (it is also saved at the end and on Ctrl-C).")
    var checkpointEvery: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Save the checkpoint when this much time has passed since the last save: 30s, 5m, 1h (default: 30s unless --checkpoint-every is given).",
            valueName: "duration"))
    var checkpointInterval: String?

    @Option(parsing: .unconditional, help: "Also keep the last K checkpoints as <name>-epoch<N>.h5 beside it.")
    var keep: Int = 0

    @Flag(help: "Also keep the best model so far as <name>-best.h5 beside it, judged where the test history is measured (every --checkpoint-every epochs, else at each printed epoch, and at the end) on the --test cost (the training cost without --test).")
    var keepBest = false

    func validate() throws {
        if let checkpointEvery { try require(checkpointEvery >= 1, "--checkpoint-every", "1 or more", got: checkpointEvery) }
        if let checkpointInterval, Self.seconds(checkpointInterval) == nil {
            throw ValidationError(
                "--checkpoint-interval takes a positive duration with its unit, such as 30s, 5m or 1h, got '\(checkpointInterval)'")
        }
        try require(keep >= 0, "--keep", "0 or more", got: keep)
    }

    /// Saves every this many epochs; 0: not by epochs.
    var everyEpochs: Int { checkpointEvery ?? 0 }

    /// Saves every this many seconds; 0: not by time.
    var interval: Double {
        if let checkpointInterval { return Self.seconds(checkpointInterval) ?? 0 }
        return checkpointEvery == nil ? CheckpointSettings.defaultInterval : 0
    }

    /// `30s`, `1.5m`, `2h` in seconds; nil unless a positive, finite number with one of those units.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        guard let unit = text.last.flatMap({ units[$0] }), let number = Double(text.dropLast()),
              number.isFinite, number > 0, (number * unit).isFinite
        else { return nil }
        return number * unit
    }
}

/// Parses a comma-separated list of positive integers (`--layers 20,7,5,1`);
/// nil when any entry is not one (an empty one included: `32,,10`, `32,10,`),
/// so that a typo is an error, never dropped.
func positiveIntegers(_ text: String) -> [Int]? {
    let parts = commaSeparated(text)
    let numbers = parts.compactMap(Int.init)
    return !parts.isEmpty && numbers.count == parts.count && numbers.allSatisfy({ $0 > 0 }) ? numbers : nil
}

/// Splits a comma-separated option value, keeping empty entries (so that
/// `requireNoEmptyEntries` and the parsers can refuse them).
func commaSeparated(_ text: String) -> [String] {
    text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
}

/// Refuses a comma-separated value with an empty entry (`32,,10`, a trailing
/// comma): it would otherwise quietly mean something shorter than was typed.
func requireNoEmptyEntries(_ text: String, option: String) throws {
    if commaSeparated(text).contains(where: \.isEmpty) {
        throw ValidationError("\(option) has an empty entry in '\(text)': separate the entries with single commas")
    }
}

/// Refuses a number outside what an option takes, saying what it got:
/// `--learning-rate must be a positive number, got -0.1`. (The numeric options
/// are parsed `.unconditional`, so that `-0.1` reaches `validate()` as a value
/// rather than being taken for a flag.)
func require(_ accepted: Bool, _ option: String, _ rule: String, got value: some CustomStringConvertible) throws {
    if !accepted { throw ValidationError("\(option) must be \(rule), got \(value)") }
}

/// Checks an `--activations` list in `validate()`, so a wrong name is a usage error
/// found before any data is read.
func validateActivations(_ names: [String], outputUnits: Int, layerCount: Int) throws {
    do {
        _ = try ActivationNames.parse(names, layerCount: layerCount, outputUnits: outputUnits)
    } catch let error as ConfigurationError {
        throw ValidationError(Phrasing.message(for: error))
    }
}
