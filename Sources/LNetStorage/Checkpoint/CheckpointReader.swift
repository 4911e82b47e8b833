import Foundation

/// Reads a checkpoint while checking it against formats/checkpoint.md,
/// collecting every problem instead of stopping at the first, so that one
/// pass serves both `CheckpointFile.read` (which throws the first) and
/// `lnet verify` (which reports them all).
struct CheckpointReader {
    private var report = CheckpointReport()
    private var tensorsWithoutChecksum: [String] = []
    private let file: HDF5File

    static let hiddenActivations: Set<String> = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
    static let lossOfOutput = ["sigmoid": "binary_cross_entropy", "softmax": "categorical_cross_entropy"]

    static func read(path: String) -> CheckpointReport {
        let file: HDF5File
        do {
            file = try HDF5File.open(at: path)
        } catch {
            var report = CheckpointReport()
            report.problems.append(describe(error))
            return report
        }
        defer { try? file.close() }
        var reader = CheckpointReader(file: file)
        reader.readAll()
        return reader.report
    }

    private init(file: HDF5File) {
        self.file = file
    }

    private mutating func problem(_ text: String) {
        report.problems.append(text)
    }

    private mutating func readAll() {
        guard checkFormat() else { return }
        // Before the sections, so that a changed setting is reported as what it is (the first
        // problem, the one `read` throws) rather than as whatever the changed value happens to break.
        checkSettingsChecksum()
        guard let model = readModel() else { return }
        let shapes = Checkpoint.expectedShapes(layerDims: model.layerDims)
        let parameters = readTensors(group: "/parameters", names: Checkpoint.parameterNames(layerCount: model.layerCount),
                                     shapes: shapes)
        let hasOptimizer = exists("/optimizer")
        let hasTraining = exists("/training")
        var optimizer: Checkpoint.Optimizer?
        var training: Checkpoint.Training?
        if hasOptimizer != hasTraining {
            problem(hasOptimizer ? "/optimizer is present but /training is missing" : "/training is present but /optimizer is missing")
        } else if hasOptimizer {
            optimizer = readOptimizer(layerCount: model.layerCount, shapes: shapes)
            training = readTraining()
        }
        if !tensorsWithoutChecksum.isEmpty {
            report.warnings.append(
                "\(tensorsWithoutChecksum.count) tensor(s) have no fletcher32 checksum (\(tensorsWithoutChecksum.prefix(3).joined(separator: ", "))\(tensorsWithoutChecksum.count > 3 ? ", …" : "")): corruption would go unnoticed")
        }
        if let parameters {
            report.checkpoint = Checkpoint(
                createdBy: (try? file.attributes.read("created_by"))?.stringValue ?? "unknown",
                model: model, parameters: parameters, optimizer: optimizer, training: training)
        }
    }

    // MARK: Sections

    private mutating func checkFormat() -> Bool {
        let format = attribute("/", "format")
        let version = attribute("/", "format_version")
        if format == nil, version == nil {
            if exists("/model"), exists("/parameters") {
                report.warnings.append("no format attributes: read as a parameters-only checkpoint of format version 1")
                return true
            }
            problem("not an LNet checkpoint: no format attribute and no /model and /parameters")
            return false
        }
        if format?.stringValue != Checkpoint.formatName {
            problem("attribute format of / is \(format.map { "\($0)" } ?? "missing"), expected \"\(Checkpoint.formatName)\"")
            return false
        }
        guard let number = version?.int64Value else {
            problem("attribute format_version of / is \(version.map { "\($0)" } ?? "missing"), expected the integer 1")
            return false
        }
        guard number == Checkpoint.formatVersion else {
            problem("format_version \(number) is not supported: this lnet reads format version \(Checkpoint.formatVersion)")
            return false
        }
        return true
    }

    /// Compares `settings_sha256` with the digest of what the file holds. Its absence is a
    /// warning (h5py writes none unless asked); an unreadable or malformed one is a problem, so
    /// that a corrupted checksum never passes for a missing one.
    private mutating func checkSettingsChecksum() {
        let name = SettingsChecksum.attributeName
        let stored: AttributeValue
        do {
            let root = try file.attributes
            guard try root.contains(name) else {
                report.warnings.append(
                    "no settings checksum (\(name)): a changed setting (a learning rate, a beta, a string) would go unnoticed")
                return
            }
            stored = try root.read(name)
        } catch {
            problem("the settings checksum cannot be read: \(Self.describe(error))")
            return
        }
        report.hasSettingsChecksum = true
        guard stored.isScalar, let expected = stored.stringValue, SettingsChecksum.isWellFormed(expected) else {
            problem("attribute \(name) of / is \(stored): expected 64 lowercase hexadecimal digits")
            return
        }
        let actual: String
        do {
            actual = try SettingsChecksum.digest(of: file)
        } catch {
            problem("the settings checksum cannot be computed: \(Self.describe(error))")
            return
        }
        if actual != expected {
            problem(
                "the settings checksum does not match: an attribute, /training/costs or /training/rng_key changed after the file was written (\(name) is \(expected.prefix(12))…, the file now hashes to \(actual.prefix(12))…)")
        }
    }

    private mutating func readModel() -> Checkpoint.Model? {
        guard exists("/model") else {
            problem("/model is missing")
            return nil
        }
        guard let dims = integers("/model", "layer_dims") else { return nil }
        guard dims.count >= 2, dims.allSatisfy({ $0 > 0 && $0 < 1 << 31 }) else {
            problem("attribute layer_dims of /model is \(dims): expected at least two positive sizes, input size first")
            return nil
        }
        let layerCount = dims.count - 1
        guard let activations = strings("/model", "activations") else { return nil }
        guard activations.count == layerCount else {
            problem("attribute activations of /model has \(activations.count) entries for \(layerCount) layers")
            return nil
        }
        var valid = true
        for (index, name) in activations.dropLast().enumerated() where !Self.hiddenActivations.contains(name) {
            problem("activation \(index + 1) of /model is \"\(name)\": hidden layers use \(Self.hiddenActivations.sorted().joined(separator: ", "))")
            valid = false
        }
        let output = activations[layerCount - 1]
        let loss = string("/model", "loss")
        if let expectedLoss = Self.lossOfOutput[output] {
            if let loss, loss != expectedLoss {
                problem("attribute loss of /model is \"\(loss)\", but a \(output) output layer needs \"\(expectedLoss)\"")
                valid = false
            }
            if output == "sigmoid", dims[layerCount] != 1 {
                problem("a sigmoid output layer has 1 unit, but layer_dims gives it \(dims[layerCount])")
                valid = false
            }
            if output == "softmax", dims[layerCount] < 2 {
                problem("a softmax output layer needs at least 2 units, but layer_dims gives it \(dims[layerCount])")
                valid = false
            }
        } else {
            problem("the output activation of /model is \"\(output)\": expected sigmoid or softmax")
            valid = false
        }
        guard valid, let loss else { return nil }
        let initialization = attribute("/model", "init")?.stringValue ?? "unknown"
        let classes: [String]? = attribute("/model", "classes") == nil ? nil : strings("/model", "classes")
        if let classes, output == "softmax", classes.count != dims[layerCount] {
            problem("/model names \(classes.count) classes but the softmax layer has \(dims[layerCount]) units")
        }
        var divisor = 1.0
        if let value = attribute("/model", "input_divisor") {
            if let number = value.doubleValue ?? value.int64Value.map(Double.init), number.isFinite, number > 0 {
                divisor = number
            } else {
                problem("attribute input_divisor of /model is \(value): expected a positive number")
            }
        }
        var mean: [Double]?
        var std: [Double]?
        let hasMean = exists("/model/input_mean")
        let hasStd = exists("/model/input_std")
        if hasMean != hasStd {
            problem("/model has \(hasMean ? "input_mean" : "input_std") without \(hasMean ? "input_std" : "input_mean")")
        } else if hasMean {
            mean = tensor("/model/input_mean", shape: [dims[0]])?.values
            std = tensor("/model/input_std", shape: [dims[0]])?.values
            if let std, std.contains(where: { $0 <= 0 }) {
                problem("/model/input_std has values that are not positive")
            }
        }
        return Checkpoint.Model(
            layerDims: dims, activations: activations, loss: loss, initialization: initialization, classes: classes,
            inputDivisor: divisor, inputMean: mean, inputStd: std)
    }

    private mutating func readOptimizer(layerCount: Int, shapes: [String: [Int]]) -> Checkpoint.Optimizer? {
        let group = "/optimizer"
        guard let name = string(group, "name") else { return nil }
        guard ["gd", "momentum", "adam"].contains(name) else {
            problem("attribute name of /optimizer is \"\(name)\": expected gd, momentum or adam")
            return nil
        }
        let learningRate = positive(group, "learning_rate")
        let learningRate0 = positive(group, "learning_rate0")
        var beta: Double?
        var beta1: Double?
        var beta2: Double?
        var epsilon: Double?
        if name == "momentum" { beta = fraction(group, "beta") }
        if name == "adam" {
            beta1 = fraction(group, "beta1")
            beta2 = fraction(group, "beta2")
            epsilon = positive(group, "epsilon")
        }
        let t = integer(group, "t")
        if let t, t < 0 { problem("attribute t of /optimizer is \(t): the number of Adam updates cannot be negative") }
        let decay = attribute(group, "decay") == nil ? "none" : (string(group, "decay") ?? "none")
        if !["none", "inverse", "scheduled"].contains(decay) {
            problem("attribute decay of /optimizer is \"\(decay)\": expected none, inverse or scheduled")
        }
        let decayRate = attribute(group, "decay_rate") == nil ? 0 : (real(group, "decay_rate") ?? 0)
        if decayRate < 0 || !decayRate.isFinite { problem("attribute decay_rate of /optimizer is \(decayRate): expected 0 or more") }
        let interval = attribute(group, "decay_interval") == nil ? 1000 : (integer(group, "decay_interval") ?? 1000)
        if interval < 1 { problem("attribute decay_interval of /optimizer is \(interval): expected 1 or more") }

        let gradientNames = Checkpoint.parameterNames(layerCount: layerCount).map { "d" + $0 }
        let gradientShapes = Dictionary(uniqueKeysWithValues: shapes.map { ("d" + $0.key, $0.value) })
        var v: [String: Tensor] = [:]
        var s: [String: Tensor] = [:]
        if name != "gd" {
            v = readTensors(group: "/optimizer/v", names: gradientNames, shapes: gradientShapes) ?? [:]
        }
        if name == "adam" {
            s = readTensors(group: "/optimizer/s", names: gradientNames, shapes: gradientShapes) ?? [:]
        }
        guard let learningRate, let learningRate0, let t else { return nil }
        return Checkpoint.Optimizer(
            name: name, learningRate: learningRate, learningRate0: learningRate0, beta: beta, beta1: beta1, beta2: beta2,
            epsilon: epsilon, t: t, decay: decay, decayRate: decayRate, decayInterval: interval, v: v, s: s)
    }

    private mutating func readTraining() -> Checkpoint.Training? {
        let group = "/training"
        let epoch = nonNegative(group, "epoch")
        let target = nonNegative(group, "epochs_target")
        let batchInEpoch = nonNegative(group, "batch_in_epoch")
        let costSum = real(group, "epoch_cost_sum")
        let seed = integer(group, "seed")
        let shuffleSeed = integer(group, "shuffle_seed")
        let batchSize = integer(group, "batch_size")
        if let batchSize, batchSize < 1 { problem("attribute batch_size of /training is \(batchSize): expected 1 or more") }
        let l2 = real(group, "l2")
        if let l2, l2 < 0 || !l2.isFinite { problem("attribute l2 of /training is \(l2): expected 0 or more") }
        let keepProb = real(group, "keep_prob")
        if let keepProb, !(keepProb > 0 && keepProb <= 1) {
            problem("attribute keep_prob of /training is \(keepProb): expected a probability in (0, 1]")
        }
        let data = string(group, "data")
        let xName = string(group, "x_name")
        let yName = string(group, "y_name")
        let sha = string(group, "data_sha256")
        if let sha, sha.count != 64 || !sha.allSatisfy(\.isHexDigit) {
            problem("attribute data_sha256 of /training is not 64 hexadecimal digits")
        }
        let testData = attribute(group, "test_data") == nil ? "" : (string(group, "test_data") ?? "")
        let testXName = attribute(group, "test_x_name") == nil ? "" : (string(group, "test_x_name") ?? "")
        let testYName = attribute(group, "test_y_name") == nil ? "" : (string(group, "test_y_name") ?? "")
        let position = integer(group, "rng_pos")
        if let position, !(0...624).contains(position) {
            problem("attribute rng_pos of /training is \(position): expected 0 … 624")
        }
        let hasGauss = integer(group, "rng_has_gauss")
        let gauss = real(group, "rng_gauss")
        var key: [UInt32]?
        do {
            let dataset = try file.dataset(at: "/training/rng_key")
            if try dataset.shape != [624] {
                problem("/training/rng_key has shape \(DatasetFile.format(try dataset.shape)), expected (624,)")
            } else {
                key = try dataset.read(as: UInt32.self)
                noteChecksum(dataset, "/training/rng_key")
            }
        } catch {
            problem(Self.describe(error))
        }
        var costs: [Double]?
        do {
            let dataset = try file.dataset(at: "/training/costs")
            let values = try dataset.read(as: Double.self)
            if let epoch, values.count != epoch {
                problem("/training/costs holds \(values.count) costs but epoch is \(epoch)")
            }
            if !values.allSatisfy(\.isFinite) { problem("/training/costs holds NaN or infinite values") }
            costs = values
        } catch {
            problem(Self.describe(error))
        }
        guard let epoch, let target, let batchInEpoch, let costSum, let seed, let shuffleSeed, let batchSize,
              let l2, let keepProb, let data, let xName, let yName, let sha, let position, let hasGauss, let gauss,
              let key, let costs
        else { return nil }
        return Checkpoint.Training(
            epoch: Int(epoch), epochsTarget: Int(target), batchInEpoch: Int(batchInEpoch), epochCostSum: costSum,
            seed: seed, shuffleSeed: shuffleSeed, batchSize: Int(clamping: batchSize), l2: l2, keepProb: keepProb,
            data: data, xName: xName, yName: yName, dataSHA256: sha, testData: testData,
            testXName: testXName, testYName: testYName,
            generator: Checkpoint.GeneratorState(key: key, position: Int(position), hasGauss: hasGauss != 0, gauss: gauss),
            costs: costs)
    }

    // MARK: Tensors

    private mutating func readTensors(group: String, names: [String], shapes: [String: [Int]]) -> [String: Tensor]? {
        guard exists(group) else {
            problem("\(group) is missing")
            return nil
        }
        var tensors: [String: Tensor] = [:]
        var complete = true
        for name in names {
            guard let shape = shapes[name] else { continue }
            if let tensor = tensor("\(group)/\(name)", shape: shape) {
                tensors[name] = tensor
            } else {
                complete = false
            }
        }
        if let members = try? file.group(at: group).members() {
            let expected = Set(names)
            for extra in members.map(\.name) where !expected.contains(extra) {
                report.warnings.append("\(group)/\(extra) is not part of the format and is ignored")
            }
        }
        return complete ? tensors : nil
    }

    private mutating func tensor(_ path: String, shape: [Int]) -> Tensor? {
        do {
            guard try file.exists(path) else {
                problem("\(path) is missing")
                return nil
            }
            let dataset = try file.dataset(at: path)
            let stored = try dataset.shape
            guard stored == shape else {
                problem("\(path) has shape \(DatasetFile.format(stored)), expected \(DatasetFile.format(shape))")
                return nil
            }
            let type = try dataset.elementType
            guard type.isFloatingPoint else {
                problem("\(path) holds \(type.numpyName) values, expected float64")
                return nil
            }
            let values = try dataset.read(as: Double.self)
            noteChecksum(dataset, path)
            guard values.allSatisfy(\.isFinite) else {
                problem("\(path) holds NaN or infinite values")
                return nil
            }
            return Tensor(shape: shape, values: values)
        } catch {
            problem(Self.describe(error))
            return nil
        }
    }

    private mutating func noteChecksum(_ dataset: HDF5Dataset, _ path: String) {
        let filters = (try? dataset.filters) ?? []
        if !filters.contains(where: { $0.name == "fletcher32" }) {
            tensorsWithoutChecksum.append(path)
        }
    }

    // MARK: Attributes

    private func exists(_ path: String) -> Bool {
        (try? file.exists(path)) ?? false
    }

    private func attribute(_ group: String, _ name: String) -> AttributeValue? {
        guard let object = try? file.group(at: group), (try? object.attributes.contains(name)) == true else { return nil }
        return try? object.attributes.read(name)
    }

    private mutating func required(_ group: String, _ name: String) -> AttributeValue? {
        guard let value = attribute(group, name) else {
            problem("attribute \(name) of \(group) is missing")
            return nil
        }
        return value
    }

    private mutating func string(_ group: String, _ name: String) -> String? {
        guard let value = required(group, name) else { return nil }
        guard let text = value.stringValue, value.isScalar else {
            problem("attribute \(name) of \(group) is \(value): expected a string")
            return nil
        }
        return text
    }

    private mutating func strings(_ group: String, _ name: String) -> [String]? {
        guard let value = required(group, name) else { return nil }
        guard let texts = value.stringArrayValue else {
            problem("attribute \(name) of \(group) is \(value): expected an array of strings")
            return nil
        }
        return texts
    }

    private mutating func integer(_ group: String, _ name: String) -> Int64? {
        guard let value = required(group, name) else { return nil }
        guard value.isScalar, let number = value.int64Value else {
            problem("attribute \(name) of \(group) is \(value): expected an integer")
            return nil
        }
        return number
    }

    private mutating func integers(_ group: String, _ name: String) -> [Int]? {
        guard let value = required(group, name) else { return nil }
        guard !value.isScalar, let numbers = value.int64ArrayValue else {
            problem("attribute \(name) of \(group) is \(value): expected an array of integers")
            return nil
        }
        return numbers.map { Int(clamping: $0) }
    }

    private mutating func nonNegative(_ group: String, _ name: String) -> Int64? {
        guard let number = integer(group, name) else { return nil }
        guard number >= 0, number < 1 << 40 else {
            problem("attribute \(name) of \(group) is \(number): expected a count, 0 or more")
            return nil
        }
        return number
    }

    private mutating func real(_ group: String, _ name: String) -> Double? {
        guard let value = required(group, name) else { return nil }
        guard value.isScalar, let number = value.doubleValue ?? value.int64Value.map(Double.init) else {
            problem("attribute \(name) of \(group) is \(value): expected a number")
            return nil
        }
        return number
    }

    private mutating func positive(_ group: String, _ name: String) -> Double? {
        guard let number = real(group, name) else { return nil }
        guard number.isFinite, number > 0 else {
            problem("attribute \(name) of \(group) is \(number): expected a positive number")
            return nil
        }
        return number
    }

    private mutating func fraction(_ group: String, _ name: String) -> Double? {
        guard let number = real(group, name) else { return nil }
        guard number >= 0, number < 1 else {
            problem("attribute \(name) of \(group) is \(number): expected a number in [0, 1)")
            return nil
        }
        return number
    }

    /// HDF5 errors without the file name, which the caller prefixes once.
    static func describe(_ error: Error) -> String {
        if let error = error as? HDF5Error {
            var text = "cannot \(error.operation)"
            if let path = error.objectPath { text += " \(path)" }
            return text + ": " + error.reason
        }
        return "\(error)"
    }
}
