import LNetRuns
import LNetStorage
import LNetTraining

/// The CLI's words for what the libraries report as data: the libraries name
/// no option or command, so every flag in a message is chosen here.
enum Phrasing {
    /// The one line an error prints after `error: `, with lnet's option names.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as RunError:
            guard let reason = error.reason else { return error.description }
            let problem = reason.describe(naming: flag, command: { "lnet " + $0.describe(naming: flag) })
            return error.path.map { "\($0): \(problem)" } ?? problem
        case let error as DatasetError:
            guard let naming = error.naming else { return error.description }
            return "\(error.path): \(naming.describe { flag(naming.selection, $0) })"
        case let error as ImportError:
            guard let naming = error.naming else { return error.description }
            var located = error
            located.problem = naming.describe { flag(naming.selection, $0) }
            return located.description
        case let error as ConversionError:
            return message(for: error)
        case let error as ConfigurationError:
            // A setting's other problems reach here only from a file (a checkpoint's settings): the library's words fit.
            if let problem = error.problem, case .activationCount = problem { return usage(problem) }
            return error.description
        case let error as OutputIsInputError:
            return "\(error.output): \(error.problem); an output never replaces an input, even with --force: choose another name"
        case let error as SafetensorsError:
            if case .activationsUnknown(let layers, let example) = error.problem {
                return "\(error.path): the file does not say its activations: pass --activations with one per layer (\(layers)), e.g. --activations \(example)"
            }
            return error.description
        case let error as KerasError:
            if let unknown = error.activationsUnknown {
                return "\(error.path): the file does not say its activations: pass --activations with one per layer (\(unknown.layers)), e.g. --activations \(unknown.example)"
            }
            return error.description
        case let error as ModelImportError:
            switch error.problem {
            case .optimizerStateNeedsData:
                return "\(error.path): the file holds optimizer state but no LNet training record: name the training data with --data to keep it, or pass --no-optimizer for the parameters only"
            }
        case let error as OutputExistsError:
            return "\(error.path): the file exists: pass --force to overwrite it"
        default:
            return String(describing: error)
        }
    }

    /// A configuration problem as `lnet train`'s usage error, naming the option that sets it:
    /// `--learning-rate must be a positive number, got -0.1`.
    static func usage(_ problem: ConfigurationProblem) -> String {
        switch problem {
        case .activationCount(let names, let layers): "--activations names \(names) activations for \(layers) layers"
        case .learningRate(let rate): "--learning-rate must be a positive number, got \(rate)"
        case .batchSize(let size): "--batch-size must be 1 or more, got \(size)"
        case .epochs(let epochs): "--epochs must be 1 or more, got \(epochs)"
        case .epochsPastLastShuffleSeed: "--epochs plus --shuffle-seed must stay below 2^32 (numpy's largest seed)"
        case .l2(let strength): "--l2 must be 0 or more, got \(strength)"
        case .keepProbability(let probability): "--keep-prob must be in (0, 1], got \(probability)"
        case .momentumBeta(let beta): "--beta must lie in [0, 1), got \(beta)"
        case .adamBeta1(let beta1): "--beta1 must lie in [0, 1), got \(beta1)"
        case .adamBeta2(let beta2): "--beta2 must lie in [0, 1), got \(beta2)"
        case .adamEpsilon(let epsilon): "--epsilon must be a positive number, got \(epsilon)"
        case .decayRate(let rate): "--decay-rate must be 0 or more, got \(rate)"
        case .decayInterval(let interval): "--decay-interval must be 1 or more, got \(interval)"
        }
    }

    /// A conversion error with `lnet convert`'s option names.
    static func message(for error: ConversionError) -> String {
        switch error.refusal {
        case nil:
            return error.description
        case .outputExists:
            return "\(error.file) exists: pass --force to overwrite"
        case .inputFormatUnknown:
            return "\(error.file): cannot tell the format from the name: use .csv, .tsv, .npy, .npz, -ubyte[.gz], .h5, a folder of images, or pass --from "
                + InputFormat.allCases.map(\.rawValue).joined(separator: "|")
        case .setting(let setting, let rule):
            let hint = setting == .labelColumn && rule == .textInputOnly ? " (for IDX and .npy use --labels)" : ""
            return "\(error.file): \(flag(setting)) \(rule.words)\(hint)"
        }
    }

    /// The command line that continues an interrupted run, quoted for a POSIX shell.
    static func commandLine(_ command: ResumeCommand) -> String {
        var quoted = command
        quoted.checkpoint = shellQuoted(command.checkpoint)
        quoted.dataPath = command.dataPath.map(shellQuoted)
        let launcher = command.ranks > 1 ? "mpirun -np \(command.ranks) " : ""
        return launcher + "lnet " + quoted.describe(naming: flag)
    }

    /// The option that sets `setting`.
    static func flag(_ setting: RunSetting) -> String {
        switch setting {
        case .data: "--data"
        case .epochs: "--epochs"
        case .force: "--force"
        case .allowDataChange: "--allow-data-change"
        case .distributed: "--distributed"
        case .batchSize: "--batch-size"
        case .memoryBudget: "--memory-budget"
        case .layers: "--layers"
        case .examples: "--examples"
        case .l2: "--l2"
        case .seed: "--seed"
        case .activations: "--activations"
        }
    }

    /// The option that names the features or labels of the data chosen by `selection`
    /// (the checkpoint's attribute for the test data it recorded).
    static func flag(_ selection: DatasetSelection, _ role: DatasetRole) -> String {
        switch (selection, role) {
        case (.data, .features), (.featuresOnly, .features): "--x"
        case (.data, .labels), (.featuresOnly, .labels): "--y"
        case (.test, .features): "--test-x"
        case (.test, .labels): "--test-y"
        case (.recordedTest, .features): "test_x_name"
        case (.recordedTest, .labels): "test_y_name"
        }
    }

    /// The `lnet convert` option that sets `setting`.
    static func flag(_ setting: ConversionSetting) -> String {
        switch setting {
        case .labelColumn: "--label"
        case .delimiter: "--delimiter"
        case .noHeader: "--no-header"
        case .classNames: "--classes"
        case .storedFeatureType: "--x-type"
        case .labels: "--labels"
        case .x: "--x"
        case .y: "--y"
        case .split: "--split"
        case .compressionLevel: "--compression"
        case .chunkRows: "--chunk-rows"
        case .imageSize: "--size"
        case .exifTranspose: "--exif-transpose"
        case .skipBadImages: "--skip-bad"
        }
    }

    private static func shellQuoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,".contains($0) }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
