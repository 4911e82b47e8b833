import LNetTraining
/// A training, resume, evaluation or prediction run that cannot go on, with
/// the file concerned and the reason, ready to print as one line.
public struct RunError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file concerned (a dataset or a checkpoint), when there is one.
    public let path: String?
    /// What is wrong, in the library's words (no option names).
    public let problem: String
    /// What is wrong as data, when the CLI words it with its options; nil when `problem` says it all.
    public let reason: RunRefusal?

    /// Makes an error about `path` (nil when no file is concerned); `problem` is a sentence fragment.
    public init(path: String?, _ problem: String) {
        self.path = path
        self.problem = problem
        reason = nil
    }

    /// Makes the error for `reason` about `path`.
    public init(path: String?, _ reason: RunRefusal) {
        self.path = path
        self.problem = reason.describe(naming: \.words)
        self.reason = reason
    }

    /// Makes the error for a configuration problem, keeping its data when it has some.
    public init(path: String?, _ error: ConfigurationError) {
        switch error.problem {
        case .activationCount(let names, let layers): self.init(path: path, .activationCount(names: names, layers: layers))
        // A setting's problem found here came from a file (a checkpoint), not from an option: the library's words fit.
        default: self.init(path: path, error.description)
        }
    }

    /// `path: problem`, or `problem` alone without a path: the one line the CLI prints.
    public var description: String { path.map { "\($0): \(problem)" } ?? problem }
}

/// A setting a run's refusal advises changing, named here without the CLI's words
/// (the CLI maps each to its option).
public enum RunSetting: Sendable, Equatable {
    case data, epochs, force, allowDataChange, batchSize, memoryBudget, layers, examples, l2, seed, activations
    /// Training as one of several MPI ranks.
    case distributed

    /// The setting in the library's words.
    public var words: String {
        switch self {
        case .data: "the training data"
        case .epochs: "the number of epochs"
        case .force: "overwriting"
        case .allowDataChange: "allowing a data change"
        case .batchSize: "the mini-batch size"
        case .memoryBudget: "the memory budget"
        case .layers: "the layer sizes"
        case .examples: "the number of examples"
        case .l2: "the L2 strength"
        case .seed: "the seed"
        case .activations: "the activations"
        case .distributed: "training across MPI ranks"
        }
    }
}

/// What a memory refusal advises.
public enum MemoryAdvice: Sendable, Equatable {
    /// Fewer units or a smaller mini-batch.
    case fewerUnitsOrSmallerBatch
    /// Fewer examples (of a gradient check) or units.
    case fewerExamplesOrUnits
    /// A smaller network (to plot).
    case smallerNetwork
    /// A machine with more memory.
    case moreMemory
}

/// Why a run is refused, when the reason advises a setting: as data, for the CLI to word.
public enum RunRefusal: Sendable, Equatable {
    /// A parameters-only checkpoint names no training data and none was given.
    case parametersOnlyNeedData
    /// A parameters-only checkpoint records no number of epochs and none was given.
    case parametersOnlyNeedEpochs
    /// So many more epochs that the total overflows.
    case epochsTooLarge(Int)
    /// The data's fingerprint differs from the one the checkpoint recorded.
    case dataChanged(checkpoint: String, recorded: String, now: String)
    /// A checkpoint exists at the path and overwriting it was not asked for.
    case checkpointExists(String)
    /// The checkpoint path holds something else, never replaced.
    case notACheckpoint(String)
    /// Full-batch training whose x exceeds the memory budget.
    case fullBatchOverBudget(size: String, budget: String, exampleCount: Int)
    /// A run whose estimated peak exceeds the memory limit; `limit` is the budget's size when the
    /// budget set it, nil when the machine's memory (`machine`) did.
    case overMemory(what: String, estimate: String, largestPart: String, budget: String?, machine: String, advice: MemoryAdvice)
    /// A gradient check's layer sizes are fewer than two or not positive.
    case gradientCheckLayers
    /// A gradient check's example count outside 1…100000.
    case gradientCheckExamples
    /// A gradient check's L2 strength below 0 or not finite.
    case gradientCheckL2
    /// A gradient check of a network with more than `maximum` parameters.
    case gradientCheckTooLarge(layers: [Int], maximum: Int)
    /// No drawn point was clear of every relu kink.
    case gradientCheckKinks(draws: Int, margin: Double)
    /// The activations list names `names` activations for `layers` layers.
    case activationCount(names: Int, layers: Int)

    /// The refusal in words; `name` words a setting (an option for the CLI), `command` a
    /// command that continues a run.
    public func describe(
        naming name: (RunSetting) -> String,
        command: (ResumeCommand) -> String = { $0.describe(naming: \.words) }
    ) -> String {
        switch self {
        case .parametersOnlyNeedData:
            return "the checkpoint holds parameters only: name the training data with \(name(.data))"
        case .parametersOnlyNeedEpochs:
            return "the checkpoint holds parameters only: say how many epochs to train with \(name(.epochs))"
        case .epochsTooLarge(let more):
            return "\(name(.epochs)) \(more) is too large"
        case .dataChanged(let checkpoint, let recorded, let now):
            return "the data differs from the data the checkpoint \(checkpoint) was trained on (data_sha256 \(recorded.prefix(12))…, now \(now.prefix(12))…); pass \(name(.allowDataChange)) to continue on it anyway"
        case .checkpointExists(let path):
            return "a checkpoint exists already: continue it with `\(command(ResumeCommand(checkpoint: path)))`, or pass \(name(.force)) to overwrite it"
        case .notACheckpoint(let description):
            return "is \(description), not an LNet checkpoint: training never replaces it, even with \(name(.force)); choose another checkpoint name"
        case .fullBatchOverBudget(let size, let budget, let exampleCount):
            return "x needs \(size) in memory, over the memory budget of \(budget), and full-batch training (batch size ≥ m = \(exampleCount)) cannot be streamed bit for bit: train with mini-batches (\(name(.batchSize))) or raise \(name(.memoryBudget))"
        case .overMemory(let what, let estimate, let largestPart, let budget, let machine, let advice):
            let limitName = budget.map { "the memory budget of \($0) (\(name(.memoryBudget)))" } ?? "this machine's memory (\(machine))"
            let words = switch advice {
            case .fewerUnitsOrSmallerBatch: "use fewer units or a smaller \(name(.batchSize))"
            case .fewerExamplesOrUnits: "use fewer \(name(.examples)) or units"
            case .smallerNetwork: "plot a smaller network"
            case .moreMemory: "use a machine with more memory"
            }
            return "\(what) needs an estimated \(estimate) at its peak, mostly \(largestPart): more than \(limitName); \(words)"
        case .gradientCheckLayers:
            return "\(name(.layers)) needs at least two positive sizes, input first"
        case .gradientCheckExamples:
            return "\(name(.examples)) must lie in 1 … 100000"
        case .gradientCheckL2:
            return "\(name(.l2)) must be 0 or more"
        case .gradientCheckTooLarge(let layers, let maximum):
            return "\(name(.layers)) \(layers.map(String.init).joined(separator: ",")) has more than \(maximum) parameters: a gradient check is for small networks"
        case .gradientCheckKinks(let draws, let margin):
            return "no point among \(draws) draws kept every relu pre-activation \(margin) away from its kink: use fewer \(name(.examples)) or units, or another \(name(.seed))"
        case .activationCount(let names, let layers):
            return "\(name(.activations)) names \(names) activations for \(layers) layers"
        }
    }
}

/// What continues an interrupted run: the checkpoint, and the data and permission it
/// was resumed with, for the CLI to write as a command line.
public struct ResumeCommand: Sendable, Equatable {
    /// The checkpoint, as the user named it.
    public var checkpoint: String
    /// The data, as an absolute path, when it must be named (it is not the checkpoint's own).
    public var dataPath: String?
    /// Whether a change of the data was allowed, and must be again.
    public var allowsDataChange: Bool
    /// The MPI ranks the run used: more than 1 resumes under `mpirun -np ranks`, distributed.
    public var ranks: Int = 1

    /// Makes the parts of a resume command.
    public init(checkpoint: String, dataPath: String? = nil, allowsDataChange: Bool = false) {
        self.checkpoint = checkpoint
        self.dataPath = dataPath
        self.allowsDataChange = allowsDataChange
    }

    /// The command in words; `name` words a setting (an option for the CLI).
    public func describe(naming name: (RunSetting) -> String) -> String {
        var parts = ["resume", checkpoint]
        if let dataPath { parts += [name(.data), dataPath] }
        if allowsDataChange { parts.append(name(.allowDataChange)) }
        if ranks > 1 { parts.append(name(.distributed)) }
        return parts.joined(separator: " ")
    }
}
