import Foundation

/// What `lnet inspect` says about an LNet checkpoint before its tensors: the
/// architecture, the parameter count, the optimizer and its state, where
/// training stands and which data it used (formats/checkpoint.md).
///
/// It reads leniently: every field the file lacks or holds with another type
/// is `nil`, because inspect is what one runs on a file that `lnet verify`
/// refuses, to see what is wrong with it.
///
/// ```swift
/// let file = try HDF5File.open(at: "cat.h5")
/// if try CheckpointSummary.isCheckpoint(file) {
///     print(try CheckpointSummary(reading: file, statistics: true).renderText())
/// }
/// ```
public struct CheckpointSummary: Hashable, Sendable {
    /// `format_version` (nil in a parameters-only checkpoint).
    public var formatVersion: Int64?
    /// `created_by`.
    public var createdBy: String?
    /// `/model` `layer_dims`: `[n0, n1, …, nL]`.
    public var layerDims: [Int]
    /// `/model` `activations`, one per layer.
    public var activations: [String]
    /// `/model` `loss`.
    public var loss: String?
    /// `/model` `init`.
    public var initialization: String?
    /// `/model` `classes`.
    public var classes: [String]?
    /// `/model` `input_divisor`.
    public var inputDivisor: Double?
    /// Whether `/model/input_mean` is present (`--standardize`).
    public var standardized: Bool
    /// The number of values in `/parameters`.
    public var parameterCount: Int
    /// `/optimizer`, when present.
    public var optimizer: Optimizer?
    /// `/training`, when present.
    public var training: Training?
    /// The parameters, then the optimizer's moments, W before b, by layer.
    public var tensors: [TensorEntry]
    /// What is wrong with the attributes it has, each checked against its declaration in
    /// ``CheckpointSchema`` (a missing required one, another type, a value that breaks its rule);
    /// empty for a valid file. Inspect reports rather than refuses: `lnet verify` checks the rest.
    public var problems: [CheckpointProblem]
    /// How `settings_sha256` compares with what the file holds (formats/checkpoint.md, "Integrity").
    public var settingsChecksum: SettingsChecksumState

    /// What the settings checksum of the file says.
    public enum SettingsChecksumState: String, Hashable, Sendable {
        /// `settings_sha256` is the digest of what the file holds.
        case matches
        /// There is none (h5py's files, LNet's before it had one): the settings are unchecked.
        case absent
        /// It differs from the digest, or is malformed: a setting changed after the file was written.
        case mismatch
        /// Something it covers cannot be read, so it cannot be checked.
        case unreadable
    }

    /// `/optimizer`'s attributes.
    public struct Optimizer: Hashable, Sendable {
        /// `name`: the update rule, `gd`, `momentum` or `adam`.
        public var name: String?
        /// `t`: the number of Adam updates so far (0 for gd and momentum).
        public var t: Int64?
        /// `learning_rate`: the rate the next update uses, after decay.
        public var learningRate: Double?
        /// `learning_rate0`: the initial rate.
        public var learningRate0: Double?
        /// `beta`: momentum's averaging coefficient (momentum only).
        public var beta: Double?
        /// `beta1`: Adam's decay rate for the first moment (adam only).
        public var beta1: Double?
        /// `beta2`: Adam's decay rate for the second moment (adam only).
        public var beta2: Double?
        /// `epsilon`: the term Adam adds to √s in its denominator (adam only).
        public var epsilon: Double?
        /// `decay`: the learning-rate schedule, `none`, `inverse` or `scheduled`.
        public var decay: String?
        /// `decay_rate`: the rate in the decay formula.
        public var decayRate: Double?
        /// `decay_interval`: the number of epochs between steps of `scheduled` decay.
        public var decayInterval: Int64?
    }

    /// `/training`'s attributes and the last of its costs.
    public struct Training: Hashable, Sendable {
        /// `epoch`: the number of epochs completed.
        public var epoch: Int64?
        /// `epochs_target`: the total number of epochs asked for.
        public var epochsTarget: Int64?
        /// `batch_in_epoch`: mini-batch updates already applied in the unfinished epoch; 0 at an epoch boundary.
        public var batchInEpoch: Int64?
        /// `batch_size`: examples per mini-batch.
        public var batchSize: Int64?
        /// `costs[-1]`.
        public var lastCost: Double?
        /// The length of `costs`.
        public var costCount: Int?
        /// `data`: the training dataset's path.
        public var data: String?
        /// `x_name`: the features dataset inside `data`.
        public var xName: String?
        /// `y_name`: the labels dataset inside `data`.
        public var yName: String?
        /// The full 64-digit fingerprint.
        public var dataSHA256: String?
        /// `test_data`: the `--test` dataset's path, empty when training had none.
        public var testData: String?
        /// `seed`: the seed the parameters were initialised with.
        public var seed: Int64?
        /// `l2`: the L2 regularisation strength λ (0 for none).
        public var l2: Double?
        /// `keep_prob`: the dropout keep probability on hidden layers (1 for none).
        public var keepProb: Double?
        /// The last record of the test history (`test_epochs[-1]`, `test_costs[-1]`, `test_accuracy[-1]`), and how
        /// many records there are; nil without one.
        public var lastTest: LastTest? = nil
        /// `best_cost`, `best_epoch`, `best_judged_on`, when a `--keep-best` run recorded them.
        public var bestCost: Double? = nil
        /// `best_epoch`.
        public var bestEpoch: Int64? = nil
        /// `best_judged_on`.
        public var bestJudgedOn: String? = nil
    }

    /// The last test measurement a checkpoint records.
    public struct LastTest: Hashable, Sendable {
        /// The 0-based epoch it was measured after.
        public var epoch: Int64
        /// The test cost.
        public var cost: Double
        /// The test accuracy.
        public var accuracy: Double
        /// The number of records.
        public var count: Int
    }

    /// One tensor of the checkpoint.
    public struct TensorEntry: Hashable, Sendable {
        /// The dataset's absolute path.
        public var path: String
        /// The dataset's shape as stored, outermost dimension first (a W is `[n_l, n_{l-1}]`).
        public var shape: [Int]
        /// numpy dtype name.
        public var dtype: String
        /// With `--stats`.
        public var statistics: TensorStatistics?
    }

    /// Whether the file is an LNet checkpoint: the root attribute `format` is
    /// `lnet-checkpoint`, or it has `/model` and `/parameters` (a
    /// parameters-only checkpoint).
    public static func isCheckpoint(_ file: HDF5File) throws -> Bool {
        let attributes = try file.attributes
        if try attributes.contains("format"), (try? attributes.read("format"))?.stringValue == Checkpoint.formatName {
            return true
        }
        guard try file.exists("/model"), try file.exists("/parameters") else { return false }
        let root = try file.root
        let kinds = Dictionary(try root.members().map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        return kinds["model"] == .group && kinds["parameters"] == .group
    }

    /// Reads the summary; with `statistics`, every tensor is also read (in
    /// blocks) for its min, max, mean, std, norm and NaN/Inf counts.
    public init(reading file: HDF5File, statistics: Bool) throws {
        // Every field through its declaration in CheckpointSchema, leniently: absent, unreadable
        // or of another type reads as nil.
        typealias Schema = CheckpointSchema
        func value<Value>(_ declaration: Schema.Attribute<Value>) -> Value? {
            Schema.stored(declaration, in: file).flatMap { Value(checkpointAttribute: $0) }
        }
        formatVersion = value(Schema.formatVersion)
        createdBy = value(Schema.createdBy)

        layerDims = value(Schema.Model.layerDims)?.compactMap { Int(exactly: $0) } ?? []
        activations = value(Schema.Model.activations) ?? []
        loss = value(Schema.Model.loss)
        initialization = value(Schema.Model.initialization)
        classes = value(Schema.Model.classes)
        inputDivisor = value(Schema.Model.inputDivisor)
        standardized = try file.exists(Schema.Model.inputMean.path)

        if try file.exists(Schema.Optimizer.group) {
            typealias Names = Schema.Optimizer
            optimizer = Optimizer(
                name: value(Names.name), t: value(Names.t), learningRate: value(Names.learningRate),
                learningRate0: value(Names.learningRate0), beta: value(Names.beta), beta1: value(Names.beta1),
                beta2: value(Names.beta2), epsilon: value(Names.epsilon), decay: value(Names.decay),
                decayRate: value(Names.decayRate), decayInterval: value(Names.decayInterval))
        }

        if try file.exists(Schema.Training.group) {
            typealias Names = Schema.Training
            var lastCost: Double?
            var costCount: Int?
            if try file.exists(Names.costs.path), let costs = try? file.dataset(at: Names.costs.path),
               let shape = try? costs.shape, shape.count == 1 {
                costCount = shape[0]
                // Only the last row: costs may be long after many epochs.
                if shape[0] > 0 { lastCost = try? costs.readRows(shape[0] - 1..<shape[0], as: Double.self).first }
            }
            training = Training(
                epoch: value(Names.epoch), epochsTarget: value(Names.epochsTarget), batchInEpoch: value(Names.batchInEpoch),
                batchSize: value(Names.batchSize), lastCost: lastCost, costCount: costCount, data: value(Names.data),
                xName: value(Names.xName), yName: value(Names.yName), dataSHA256: value(Names.dataSHA256),
                testData: value(Names.testData), seed: value(Names.seed), l2: value(Names.l2),
                keepProb: value(Names.keepProb))
            training?.lastTest = Self.lastTest(in: file)
            training?.bestCost = value(Names.bestCost)
            training?.bestEpoch = value(Names.bestEpoch)
            training?.bestJudgedOn = value(Names.bestJudgedOn)
        }
        problems = Self.attributeProblems(in: file, optimizerName: optimizer?.name)

        var tensors: [TensorEntry] = []
        var parameterCount = 0
        for groupPath in ["/parameters", "/optimizer/v", "/optimizer/s"] where try file.exists(groupPath) {
            let group = try file.group(at: groupPath)
            let names = try group.members().filter { $0.kind == .dataset }.map(\.name).sorted(by: Self.tensorOrder)
            for name in names {
                let dataset = try group.openDataset(name)
                let shape = try dataset.shape
                let type = try dataset.elementType
                if groupPath == "/parameters" { parameterCount += (try? dataset.count) ?? 0 }
                tensors.append(TensorEntry(
                    path: groupPath + "/" + name, shape: shape, dtype: type.numpyName,
                    statistics: statistics && type.isNumeric ? try TensorStatistics(of: dataset) : nil))
            }
        }
        self.tensors = tensors
        self.parameterCount = parameterCount
        settingsChecksum = Self.settingsChecksumState(of: file)
    }

    private static func settingsChecksumState(of file: HDF5File) -> SettingsChecksumState {
        guard let root = try? file.attributes, let present = try? root.contains(SettingsChecksum.attributeName) else {
            return .unreadable
        }
        guard present else { return .absent }
        guard let stored = try? root.read(SettingsChecksum.attributeName) else { return .unreadable }
        guard let digest = try? SettingsChecksum.digest(of: file) else { return .unreadable }
        return stored.isScalar && stored.stringValue == digest ? .matches : .mismatch
    }

    /// Every declared attribute of the groups present checked against its declaration
    /// (CheckpointSchema): what a strict reader would refuse, without reading any tensor.
    static func attributeProblems(in file: HDF5File, optimizerName: String?) -> [CheckpointProblem] {
        var problems: [CheckpointProblem] = []
        for declaration in CheckpointSchema.attributes {
            // A parameters-only checkpoint has no format attributes; a group that is absent is
            // shown as absent, not as each of its attributes missing.
            if declaration.group == "/" {
                if CheckpointSchema.stored(CheckpointSchema.format, in: file) == nil { continue }
            } else if (try? file.exists(declaration.group)) != true {
                continue
            }
            if !declaration.onlyFor.isEmpty, !declaration.onlyFor.contains(optimizerName ?? "") { continue }
            if let problem = declaration.problem(in: file) { problems.append(problem) }
        }
        return problems
    }

    /// W1, b1, W2, b2, … (and dW1, db1, …), then anything else by name.
    static func tensorOrder(_ a: String, _ b: String) -> Bool {
        func key(_ name: String) -> (Int, Int, String) {
            let bare = name.hasPrefix("d") ? String(name.dropFirst()) : name
            if let kind = bare.first, kind == "W" || kind == "b", let layer = Int(bare.dropFirst()) {
                return (layer, kind == "W" ? 0 : 1, name)
            }
            return (Int.max, 0, name)
        }
        return key(a) < key(b)
    }

    // MARK: Text

    /// The summary and the table of tensors, as `lnet inspect` prints them.
    public func renderText(file: String) -> String {
        var lines: [String] = []
        var header = "LNet checkpoint \(file)"
        var about: [String] = []
        if let formatVersion { about.append("format \(formatVersion)") } else { about.append("parameters only") }
        if let createdBy { about.append("written by \(createdBy)") }
        header += " (" + about.joined(separator: ", ") + ")"
        lines.append(header)
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value)
        }
        var architecture = layerDims.map(String.init).joined(separator: " → ")
        if !activations.isEmpty { architecture += " (" + activations.joined(separator: ", ") + ")" }
        row("architecture", architecture.isEmpty ? "unknown (no /model layer_dims)" : architecture)
        var model: [String] = []
        if let loss { model.append(loss) }
        if let initialization { model.append("init \(initialization)") }
        if let inputDivisor, inputDivisor != 1 { model.append("inputs ÷ \(Self.number(inputDivisor))") }
        if standardized { model.append("standardized") }
        if let classes { model.append("classes " + classes.joined(separator: ", ")) }
        if !model.isEmpty { row("model", model.joined(separator: "; ")) }
        row("parameters", Self.grouped(parameterCount))
        switch settingsChecksum {
        case .matches: row("settings", "checksum matches (settings_sha256)")
        case .absent: row("settings", "unchecked: no settings_sha256")
        case .mismatch: row("settings", "CHECKSUM DOES NOT MATCH: a setting changed after the file was written")
        case .unreadable: row("settings", "the checksum cannot be checked: an attribute cannot be read")
        }
        if let optimizer {
            var text = optimizer.name ?? "unknown"
            if let t = optimizer.t { text += ", t = \(t)" }
            switch optimizer.name {
            case "adam":
                text += ", beta1 \(Self.number(optimizer.beta1)), beta2 \(Self.number(optimizer.beta2)), epsilon \(Self.number(optimizer.epsilon))"
            case "momentum":
                text += ", beta \(Self.number(optimizer.beta))"
            default: break
            }
            row("optimizer", text)
            var rate = Self.number(optimizer.learningRate) + " (initial \(Self.number(optimizer.learningRate0)))"
            switch optimizer.decay {
            case "inverse"?: rate += ", decay inverse, rate \(Self.number(optimizer.decayRate))"
            case "scheduled"?:
                rate += ", decay scheduled, rate \(Self.number(optimizer.decayRate)) every \(optimizer.decayInterval.map(String.init) ?? "?") epochs"
            case let decay?: rate += ", decay \(decay)"
            case nil: break
            }
            row("learning rate", rate)
        } else {
            row("optimizer", "none saved (parameters only)")
        }
        if let training {
            var epoch = "\(training.epoch.map(String.init) ?? "?") completed of \(training.epochsTarget.map(String.init) ?? "?")"
            if let batch = training.batchInEpoch, batch > 0 {
                epoch += ", stopped after \(batch) mini-batch\(batch == 1 ? "" : "es") of the next"
            } else {
                epoch += ", at an epoch boundary"
            }
            if let batchSize = training.batchSize { epoch += "; batch size \(batchSize)" }
            row("epochs", epoch)
            if let cost = training.lastCost {
                row("last cost", Self.number(cost) + " (epoch \((training.costCount ?? 1) - 1))")
            } else {
                row("last cost", "none recorded")
            }
            var data = training.data ?? "?"
            let names = [training.xName, training.yName].compactMap { $0 }
            if !names.isEmpty { data += " (" + names.joined(separator: ", ") + ")" }
            if let sha = training.dataSHA256 { data += ", sha256 " + Self.shortFingerprint(sha) }
            row("data", data)
            if let test = training.testData, !test.isEmpty { row("test data", test) }
            if let last = training.lastTest {
                row("last test", "cost \(Self.number(last.cost)), accuracy \(Self.number(last.accuracy)) (epoch \(last.epoch); \(last.count) record\(last.count == 1 ? "" : "s") in /training/test_costs)")
            }
            if let cost = training.bestCost {
                row("best", "\(training.bestJudgedOn ?? "cost") \(Self.number(cost)) after epoch \(training.bestEpoch.map(String.init) ?? "?") (kept by --keep-best)")
            }
        }
        lines.append("")
        lines += tensorTable()
        return lines.joined(separator: "\n") + "\n"
    }

    /// The last record of the test history, read leniently (only the last row of each dataset); nil when the
    /// three datasets are not all there, 1-D and of one non-zero length.
    static func lastTest(in file: HDF5File) -> LastTest? {
        let paths = CheckpointSchema.Training.testHistory.map(\.path)
        guard paths.allSatisfy({ (try? file.exists($0)) == true }),
              let datasets = try? paths.map({ try file.dataset(at: $0) }),
              let shapes = try? datasets.map({ try $0.shape }),
              shapes.allSatisfy({ $0.count == 1 && $0 == shapes[0] }), let count = shapes.first?.first, count > 0,
              let epoch = try? datasets[0].readRows(count - 1..<count, as: Int64.self).first,
              let cost = try? datasets[1].readRows(count - 1..<count, as: Double.self).first,
              let accuracy = try? datasets[2].readRows(count - 1..<count, as: Double.self).first
        else { return nil }
        return LastTest(epoch: epoch, cost: cost, accuracy: accuracy, count: count)
    }

    /// The tensors as aligned columns; with statistics, one column each.
    func tensorTable() -> [String] {
        let withStatistics = tensors.contains { $0.statistics != nil }
        var header = ["tensor", "shape", "dtype"]
        if withStatistics { header += ["min", "max", "mean", "std", "L2 norm", "NaN", "Inf"] }
        var rows = [header]
        for tensor in tensors {
            var row = [tensor.path, Self.shapeText(tensor.shape), tensor.dtype]
            if withStatistics {
                let s = tensor.statistics
                row += [s?.min, s?.max, s?.mean, s?.std, s?.l2Norm].map { value in value.map(Self.short) ?? "-" }
                row += [s.map { String($0.nanCount) } ?? "-", s.map { String($0.infinityCount) } ?? "-"]
            }
            rows.append(row)
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                // Numbers right-aligned, names left-aligned.
                column < 3 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    /// "1a2b3c4d5e6f…": enough digits to tell files apart at a glance.
    static func shortFingerprint(_ sha: String) -> String {
        sha.count > 12 ? String(sha.prefix(12)) + "…" : sha
    }

    static func number(_ value: Double?) -> String {
        value.map { "\($0)" } ?? "?"
    }

    /// Six significant digits, as a table wants.
    static func short(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return result
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    // MARK: JSON

    /// The `"checkpoint"` value of `lnet inspect --json`.
    var json: JSON {
        func optional<T>(_ value: T?, _ make: (T) -> JSON) -> JSON { value.map(make) ?? .null }
        let int64: (Int64) -> JSON = { .int(Int($0)) }
        var fields: [(String, JSON)] = [
            ("format_version", optional(formatVersion, int64)),
            ("created_by", optional(createdBy, JSON.string)),
            ("layer_dims", .array(layerDims.map(JSON.int))),
            ("activations", .array(activations.map(JSON.string))),
            ("loss", optional(loss, JSON.string)),
            ("init", optional(initialization, JSON.string)),
            ("classes", optional(classes) { .array($0.map(JSON.string)) }),
            ("input_divisor", optional(inputDivisor, JSON.double)),
            ("standardized", .bool(standardized)),
            ("parameter_count", .int(parameterCount)),
            ("settings_checksum", .string(settingsChecksum.rawValue)),
        ]
        fields.append(("optimizer", optional(optimizer) { o in
            .object([
                ("name", optional(o.name, JSON.string)), ("t", optional(o.t, int64)),
                ("learning_rate", optional(o.learningRate, JSON.double)),
                ("learning_rate0", optional(o.learningRate0, JSON.double)),
                ("beta", optional(o.beta, JSON.double)), ("beta1", optional(o.beta1, JSON.double)),
                ("beta2", optional(o.beta2, JSON.double)), ("epsilon", optional(o.epsilon, JSON.double)),
                ("decay", optional(o.decay, JSON.string)), ("decay_rate", optional(o.decayRate, JSON.double)),
                ("decay_interval", optional(o.decayInterval, int64)),
            ])
        }))
        fields.append(("training", optional(training) { t in
            .object([
                ("epoch", optional(t.epoch, int64)), ("epochs_target", optional(t.epochsTarget, int64)),
                ("batch_in_epoch", optional(t.batchInEpoch, int64)), ("batch_size", optional(t.batchSize, int64)),
                ("last_cost", optional(t.lastCost, JSON.double)), ("cost_count", optional(t.costCount, JSON.int)),
                ("data", optional(t.data, JSON.string)), ("x_name", optional(t.xName, JSON.string)),
                ("y_name", optional(t.yName, JSON.string)), ("data_sha256", optional(t.dataSHA256, JSON.string)),
                ("test_data", optional(t.testData, JSON.string)), ("seed", optional(t.seed, int64)),
                ("l2", optional(t.l2, JSON.double)), ("keep_prob", optional(t.keepProb, JSON.double)),
                ("last_test", optional(t.lastTest) { last in
                    .object([("epoch", .int(Int(last.epoch))), ("cost", JSON.double(last.cost)),
                             ("accuracy", JSON.double(last.accuracy)), ("count", .int(last.count))])
                }),
                ("best_cost", optional(t.bestCost, JSON.double)), ("best_epoch", optional(t.bestEpoch, int64)),
                ("best_judged_on", optional(t.bestJudgedOn, JSON.string)),
            ])
        }))
        fields.append(("tensors", .array(tensors.map { tensor in
            var entry: [(String, JSON)] = [
                ("path", .string(tensor.path)), ("shape", .array(tensor.shape.map(JSON.int))), ("dtype", .string(tensor.dtype)),
            ]
            if let statistics = tensor.statistics { entry.append(("stats", statistics.json)) }
            return .object(entry)
        })))
        return .object(fields)
    }
}

extension TensorStatistics {
    /// `{"count", "min", "max", "mean", "std", "l2_norm", "nan_count", "inf_count"}`;
    /// the statistics of no finite values are `null`.
    var json: JSON {
        .object([
            ("count", .int(count)),
            ("min", min.map(JSON.double) ?? .null), ("max", max.map(JSON.double) ?? .null),
            ("mean", mean.map(JSON.double) ?? .null), ("std", std.map(JSON.double) ?? .null),
            ("l2_norm", l2Norm.map(JSON.double) ?? .null),
            ("nan_count", .int(nanCount)), ("inf_count", .int(infinityCount)),
        ])
    }

    /// One line: `min … max … mean … std … L2 … NaN n Inf n`.
    public var summaryText: String {
        func text(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "-" }
        return "min \(text(min)), max \(text(max)), mean \(text(mean)), std \(text(std)), L2 norm \(text(l2Norm)), NaN \(nanCount), Inf \(infinityCount)"
    }
}
