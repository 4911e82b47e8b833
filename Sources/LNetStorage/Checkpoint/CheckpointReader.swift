import Foundation

/// Reads a checkpoint while checking it against formats/checkpoint.md,
/// collecting every problem instead of stopping at the first, so that one
/// pass serves both `CheckpointFile.read` (which throws the first) and
/// `lnet verify` (which reports them all).
struct CheckpointReader {
    private var report = CheckpointReport()
    private var tensorsWithoutChecksum: [String] = []
    private let file: HDF5File

    static func read(path: String) -> CheckpointReport {
        let file: HDF5File
        do {
            file = try HDF5File.open(at: path)
        } catch {
            var report = CheckpointReport()
            report.findings.append(.unreadable(describe(error)))
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

    private mutating func problem(_ problem: CheckpointProblem) {
        report.findings.append(problem)
    }

    private mutating func readAll() {
        guard checkFormat() else { return }
        // Before the sections, so that a changed setting is reported as what it is (the first
        // problem, the one `read` throws) rather than as whatever the changed value happens to break.
        checkSettingsChecksum()
        guard let model = readModel() else { return }
        let parameters = readTensors(CheckpointSchema.parameters, layerDims: model.layerDims)
        let hasOptimizer = exists(CheckpointSchema.Optimizer.group)
        let hasTraining = exists(CheckpointSchema.Training.group)
        var optimizer: Checkpoint.Optimizer?
        var training: Checkpoint.Training?
        if hasOptimizer != hasTraining {
            problem(hasOptimizer ? .sectionWithoutPartner(present: "/optimizer", missing: "/training")
                : .sectionWithoutPartner(present: "/training", missing: "/optimizer"))
        } else if hasOptimizer {
            optimizer = readOptimizer(layerDims: model.layerDims)
            training = readTraining()
        }
        if !tensorsWithoutChecksum.isEmpty {
            report.warnings.append(
                "\(tensorsWithoutChecksum.count) tensor(s) have no fletcher32 checksum (\(tensorsWithoutChecksum.prefix(3).joined(separator: ", "))\(tensorsWithoutChecksum.count > 3 ? ", …" : "")): corruption would go unnoticed")
        }
        if let parameters {
            report.checkpoint = Checkpoint(
                createdBy: lenient(CheckpointSchema.createdBy) ?? "unknown",
                model: model, parameters: parameters, optimizer: optimizer, training: training)
        }
    }

    // MARK: Sections

    private mutating func checkFormat() -> Bool {
        let format = attribute(CheckpointSchema.format)
        let version = attribute(CheckpointSchema.formatVersion)
        if format == nil, version == nil {
            if exists(CheckpointSchema.Model.group), exists(CheckpointSchema.parameters.path) {
                report.warnings.append("no format attributes: read as a parameters-only checkpoint of format version 1")
                return true
            }
            problem(.notALNetCheckpoint)
            return false
        }
        if format?.stringValue != Checkpoint.formatName {
            problem(.wrongFormat(found: format.map { "\($0)" }))
            return false
        }
        guard let number = version?.int64Value else {
            problem(.formatVersionNotAnInteger(found: version.map { "\($0)" }))
            return false
        }
        guard number == Checkpoint.formatVersion else {
            problem(.unsupportedFormatVersion(number))
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
            problem(.settingsChecksumUnreadable(Self.describe(error)))
            return
        }
        report.hasSettingsChecksum = true
        guard stored.isScalar, let expected = stored.stringValue, SettingsChecksum.isWellFormed(expected) else {
            problem(.settingsChecksumMalformed(found: "\(stored)"))
            return
        }
        let actual: String
        do {
            actual = try SettingsChecksum.digest(of: file)
        } catch {
            problem(.settingsChecksumNotComputable(Self.describe(error)))
            return
        }
        if actual != expected {
            problem(.settingsChecksumMismatch(stored: expected, actual: actual))
        }
    }

    private mutating func readModel() -> Checkpoint.Model? {
        typealias Schema = CheckpointSchema.Model
        guard exists(Schema.group) else {
            problem(.missing(path: Schema.group))
            return nil
        }
        guard let dims = read(Schema.layerDims)?.map({ Int($0) }) else { return nil }
        let layerCount = dims.count - 1
        guard checkBounds(layerDims: dims) else { return nil }
        guard let activations = read(Schema.activations) else { return nil }
        guard activations.count == layerCount else {
            problem(.activationCount(found: activations.count, layers: layerCount))
            return nil
        }
        var valid = true
        for (index, name) in activations.dropLast().enumerated() where !Schema.hiddenActivations.contains(name) {
            problem(.hiddenActivation(layer: index + 1, name: name))
            valid = false
        }
        let output = activations[layerCount - 1]
        let loss = read(Schema.loss)
        if let expectedLoss = Schema.lossOfOutput[output] {
            if let loss, loss != expectedLoss {
                problem(.lossMismatch(loss: loss, output: output, expected: expectedLoss))
                valid = false
            }
            if output == "sigmoid", dims[layerCount] != 1 {
                problem(.sigmoidUnits(dims[layerCount]))
                valid = false
            }
            if output == "softmax", dims[layerCount] < 2 {
                problem(.softmaxUnits(dims[layerCount]))
                valid = false
            }
        } else {
            problem(.outputActivation(output))
            valid = false
        }
        guard valid, let loss else { return nil }
        // Read as before the schema: an init of another type is taken as absent.
        let initialization = lenient(Schema.initialization) ?? "unknown"
        let classes = read(Schema.classes)
        if let classes, output == "softmax", classes.count != dims[layerCount] {
            problem(.classCount(classes: classes.count, units: dims[layerCount]))
        }
        var divisor = 1.0
        if let value = attribute(Schema.inputDivisor) {
            // A divisor of another type is phrased as one that is not positive, as it always was.
            switch Schema.inputDivisor.check(value) {
            case .success(let number): divisor = number
            case .failure:
                problem(.attributeValue(group: Schema.group, name: Schema.inputDivisor.name, found: "\(value)", rule: .positive))
            }
        }
        var mean: [Double]?
        var std: [Double]?
        let hasMean = exists(Schema.inputMean.path)
        let hasStd = exists(Schema.inputStd.path)
        if hasMean != hasStd {
            problem(hasMean ? .standardizationUnpaired(present: "input_mean", missing: "input_std")
                : .standardizationUnpaired(present: "input_std", missing: "input_mean"))
        } else if hasMean {
            mean = tensor(Schema.inputMean.path, shape: [dims[0]])?.values
            std = tensor(Schema.inputStd.path, shape: [dims[0]])?.values
            if let std, std.contains(where: { $0 <= 0 }) {
                problem(.notPositive(path: Schema.inputStd.path))
            }
        }
        return Checkpoint.Model(
            layerDims: dims, activations: activations, loss: loss, initialization: initialization, classes: classes,
            inputDivisor: divisor, inputMean: mean, inputStd: std, inputImage: readInputImage(inputs: dims[0]))
    }

    /// `input_image_shape` and `input_image_resize` (present together or not at all) and
    /// `input_image_exif_transpose`; the shape must multiply out to the input layer.
    private mutating func readInputImage(inputs: Int) -> InputImage? {
        typealias Schema = CheckpointSchema.Model
        let hasShape = attribute(Schema.inputImageShape) != nil
        let hasResize = attribute(Schema.inputImageResize) != nil
        guard hasShape || hasResize else { return nil }
        guard hasShape == hasResize else {
            problem(hasShape ? .imageAttributesUnpaired(present: Schema.inputImageShape.name, missing: Schema.inputImageResize.name)
                : .imageAttributesUnpaired(present: Schema.inputImageResize.name, missing: Schema.inputImageShape.name))
            return nil
        }
        let shape = read(Schema.inputImageShape)?.map { Int($0) }
        let resize = read(Schema.inputImageResize)
        let transpose = read(Schema.inputImageEXIFTranspose)
        guard let shape, let resize, let transpose else { return nil }
        guard shape.reduce(1, *) == inputs else {
            problem(.imageShapeSize(shape: shape, inputs: inputs))
            return nil
        }
        return InputImage(height: shape[0], width: shape[1], channels: shape[2], resize: resize, exifTranspose: transpose == 1)
    }

    /// Refuses a `layer_dims` whose layers or tensors exceed ``CheckpointSchema/Limits``,
    /// before any tensor of those sizes is read.
    private mutating func checkBounds(layerDims dims: [Int]) -> Bool {
        let limits = CheckpointSchema.Limits.self
        guard dims.count - 1 <= limits.maximumLayerCount else {
            problem(.exceedsLimit(what: "the number of layers in layer_dims of /model", declared: dims.count - 1,
                                  limit: limits.maximumLayerCount))
            return false
        }
        for layer in dims.indices.dropFirst() {
            let (count, overflow) = dims[layer].multipliedReportingOverflow(by: dims[layer - 1])
            if overflow || count > limits.maximumTensorCount {
                problem(.exceedsLimit(what: "the size of W\(layer) in layer_dims of /model",
                                      declared: overflow ? Int.max : count, limit: limits.maximumTensorCount))
                return false
            }
        }
        return true
    }

    private mutating func readOptimizer(layerDims: [Int]) -> Checkpoint.Optimizer? {
        typealias Schema = CheckpointSchema.Optimizer
        guard let name = read(Schema.name) else { return nil }
        let learningRate = read(Schema.learningRate)
        let learningRate0 = read(Schema.learningRate0)
        let beta = read(Schema.beta, optimizer: name)
        let beta1 = read(Schema.beta1, optimizer: name)
        let beta2 = read(Schema.beta2, optimizer: name)
        let epsilon = read(Schema.epsilon, optimizer: name)
        let t = read(Schema.t)
        let decay = read(Schema.decay) ?? "none"
        let decayRate = read(Schema.decayRate) ?? 0
        let interval = read(Schema.decayInterval) ?? 1000
        var v: [String: Tensor] = [:]
        var s: [String: Tensor] = [:]
        if Schema.v.onlyFor.contains(name) {
            v = readTensors(Schema.v, layerDims: layerDims) ?? [:]
        }
        if Schema.s.onlyFor.contains(name) {
            s = readTensors(Schema.s, layerDims: layerDims) ?? [:]
        }
        guard let learningRate, let learningRate0, let t else { return nil }
        return Checkpoint.Optimizer(
            name: name, learningRate: learningRate, learningRate0: learningRate0, beta: beta, beta1: beta1, beta2: beta2,
            epsilon: epsilon, t: t, decay: decay, decayRate: decayRate, decayInterval: interval, v: v, s: s)
    }

    private mutating func readTraining() -> Checkpoint.Training? {
        typealias Schema = CheckpointSchema.Training
        let epoch = read(Schema.epoch)
        let target = read(Schema.epochsTarget)
        let batchInEpoch = read(Schema.batchInEpoch)
        let costSum = read(Schema.epochCostSum)
        let seed = read(Schema.seed)
        let shuffleSeed = read(Schema.shuffleSeed)
        let batchSize = read(Schema.batchSize)
        let l2 = read(Schema.l2)
        let keepProb = read(Schema.keepProb)
        let data = read(Schema.data)
        let xName = read(Schema.xName)
        let yName = read(Schema.yName)
        let sha = read(Schema.dataSHA256)
        let testData = read(Schema.testData) ?? ""
        let testXName = read(Schema.testXName) ?? ""
        let testYName = read(Schema.testYName) ?? ""
        let dtype = read(Schema.dtype).flatMap(Tensor.ElementType.init(rawValue:)) ?? .float64
        let gradientShards = read(Schema.gradientShards) ?? 1
        let ranks = read(Schema.ranks) ?? 1
        let position = read(Schema.rngPosition)
        let hasGauss = read(Schema.rngHasGauss)
        let gauss = read(Schema.rngGauss)
        var key: [UInt32]?
        do {
            let dataset = try file.dataset(at: Schema.rngKey.path)
            let stored = try dataset.shape
            if case .fixed(let shape) = Schema.rngKey.shape, stored != shape {
                problem(.shape(path: Schema.rngKey.path, found: stored, expected: shape))
            } else {
                key = try dataset.read(as: UInt32.self)
                noteChecksum(dataset, Schema.rngKey.path)
            }
        } catch {
            problem(.unreadable(Self.describe(error)))
        }
        var costs: [Double]?
        do {
            let dataset = try file.dataset(at: Schema.costs.path)
            // The length is bounded before the values are read, so that a hostile length is
            // refused before anything of its size exists.
            let count = try dataset.count
            let limit = CheckpointSchema.Limits.maximumEpochs
            if count > limit {
                problem(.exceedsLimit(what: "the length of \(Schema.costs.path)", declared: count, limit: limit))
            } else {
                let values = try dataset.read(as: Double.self)
                if let epoch, values.count != epoch {
                    problem(.costCount(found: values.count, epoch: epoch))
                }
                if !values.allSatisfy(\.isFinite) { problem(.nonFinite(path: Schema.costs.path)) }
                costs = values
            }
        } catch {
            problem(.unreadable(Self.describe(error)))
        }
        let history = readTestHistory(epoch: epoch)
        let best = readBest(epoch: epoch)
        guard let epoch, let target, let batchInEpoch, let costSum, let seed, let shuffleSeed, let batchSize,
              let l2, let keepProb, let data, let xName, let yName, let sha, let position, let hasGauss, let gauss,
              let key, let costs, let history
        else { return nil }
        var training = Checkpoint.Training(
            epoch: Int(epoch), epochsTarget: Int(target), batchInEpoch: Int(batchInEpoch), epochCostSum: costSum,
            seed: seed, shuffleSeed: shuffleSeed, batchSize: Int(clamping: batchSize), l2: l2, keepProb: keepProb,
            data: data, xName: xName, yName: yName, dataSHA256: sha, testData: testData,
            testXName: testXName, testYName: testYName,
            generator: Checkpoint.GeneratorState(key: key, position: Int(position), hasGauss: hasGauss != 0, gauss: gauss),
            costs: costs, dtype: dtype)
        training.testHistory = history
        training.best = best
        training.gradientShards = Int(clamping: gradientShards)
        training.ranks = Int(clamping: ranks)
        return training
    }

    /// The test history: the three datasets together or none, of one length
    /// (bounded before anything is read), epochs strictly increasing and below
    /// `epoch`, accuracies in [0, 1]. Nil after noting a problem.
    private mutating func readTestHistory(epoch: Int64?) -> TestHistory? {
        let declared = CheckpointSchema.Training.testHistory
        let present = declared.filter { exists($0.path) }
        if present.isEmpty { return TestHistory() }
        guard present.count == declared.count else {
            let missing = declared.first { !exists($0.path) }?.path ?? ""
            problem(.inconsistentRecord(path: present[0].path, reason: "is present but \(missing) is missing"))
            return nil
        }
        do {
            var lengths: [Int] = []
            for dataset in declared {
                let stored = try file.dataset(at: dataset.path)
                let shape = try stored.shape
                guard shape.count == 1 else {
                    problem(.inconsistentRecord(path: dataset.path, reason: "has shape \(DatasetFile.format(shape)), expected one dimension"))
                    return nil
                }
                lengths.append(shape[0])
            }
            let count = lengths[0]
            guard lengths.allSatisfy({ $0 == count }) else {
                problem(.inconsistentRecord(path: declared[0].path, reason: "and its companions have different lengths \(lengths)"))
                return nil
            }
            if count > CheckpointSchema.Limits.maximumEpochs || count > Int(epoch ?? Int64(Int.max)) {
                problem(.inconsistentRecord(path: declared[0].path, reason: "holds \(count) records, more than the \(epoch.map(String.init) ?? "?") epochs completed"))
                return nil
            }
            let epochs = try file.dataset(at: declared[0].path).read(as: Int64.self)
            let costs = try file.dataset(at: declared[1].path).read(as: Double.self)
            let accuracies = try file.dataset(at: declared[2].path).read(as: Double.self)
            for dataset in declared { noteChecksum(try file.dataset(at: dataset.path), dataset.path) }
            let limit = epoch ?? Int64.max
            guard zip(epochs, epochs.dropFirst()).allSatisfy({ $0 < $1 }), epochs.allSatisfy({ $0 >= 0 && $0 < limit }) else {
                problem(.inconsistentRecord(path: declared[0].path, reason: "must be strictly increasing epochs, each 0 or more and below epoch"))
                return nil
            }
            guard accuracies.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                problem(.inconsistentRecord(path: declared[2].path, reason: "holds values outside [0, 1]"))
                return nil
            }
            return TestHistory(epochs: epochs.map { Int($0) }, costs: costs, accuracies: accuracies)
        } catch {
            problem(.unreadable(Self.describe(error)))
            return nil
        }
    }

    /// `best_cost`, `best_epoch` and `best_judged_on`: all three or none.
    private mutating func readBest(epoch: Int64?) -> BestRecord? {
        typealias Schema = CheckpointSchema.Training
        let cost = read(Schema.bestCost)
        let bestEpoch = read(Schema.bestEpoch)
        let measure = read(Schema.bestJudgedOn)
        if cost == nil, bestEpoch == nil, measure == nil { return nil }
        guard let cost, let bestEpoch, let measure, let judged = BestRecord.Measure(rawValue: measure) else {
            problem(.inconsistentRecord(
                path: Schema.group, reason: "must hold best_cost, best_epoch and best_judged_on together, or none of them"))
            return nil
        }
        if let epoch, bestEpoch >= epoch {
            problem(.inconsistentRecord(path: Schema.group, reason: "has best_epoch \(bestEpoch), not below epoch \(epoch)"))
            return nil
        }
        return BestRecord(cost: cost, epoch: Int(bestEpoch), measure: judged)
    }

    // MARK: Tensors

    private mutating func readTensors(_ group: CheckpointSchema.TensorGroup, layerDims: [Int]) -> [String: Tensor]? {
        guard exists(group.path) else {
            problem(.missing(path: group.path))
            return nil
        }
        let names = group.names(layerCount: layerDims.count - 1)
        let shapes = group.shapes(layerDims: layerDims)
        var tensors: [String: Tensor] = [:]
        var complete = true
        for name in names {
            guard let shape = shapes[name] else { continue }
            if let tensor = tensor("\(group.path)/\(name)", shape: shape) {
                tensors[name] = tensor
            } else {
                complete = false
            }
        }
        if let members = try? file.group(at: group.path).members() {
            let expected = Set(names)
            for extra in members.map(\.name) where !expected.contains(extra) {
                report.warnings.append("\(group.path)/\(extra) is not part of the format and is ignored")
            }
        }
        return complete ? tensors : nil
    }

    private mutating func tensor(_ path: String, shape: [Int]) -> Tensor? {
        do {
            guard try file.exists(path) else {
                problem(.missing(path: path))
                return nil
            }
            let dataset = try file.dataset(at: path)
            let stored = try dataset.shape
            guard stored == shape else {
                problem(.shape(path: path, found: stored, expected: shape))
                return nil
            }
            let type = try dataset.elementType
            guard type.isFloatingPoint else {
                problem(.elementType(path: path, found: type.numpyName))
                return nil
            }
            let values = try dataset.read(as: Double.self)
            noteChecksum(dataset, path)
            guard values.allSatisfy(\.isFinite) else {
                problem(.nonFinite(path: path))
                return nil
            }
            return Tensor(shape: shape, values: values, elementType: type == .float32 ? .float32 : .float64)
        } catch {
            problem(.unreadable(Self.describe(error)))
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

    /// The stored attribute, whatever its type; nil when absent or unreadable.
    private func attribute<Value>(_ declaration: CheckpointSchema.Attribute<Value>) -> AttributeValue? {
        CheckpointSchema.stored(declaration, in: file)
    }

    /// The attribute's value when present and of its declared type, else nil, without a problem.
    private func lenient<Value>(_ declaration: CheckpointSchema.Attribute<Value>) -> Value? {
        attribute(declaration).flatMap { Value(checkpointAttribute: $0) }
    }

    /// The attribute checked against its declaration: its value, its default when it is absent
    /// and optional, or nil after noting the problem (a missing required one, a wrong type, a
    /// broken rule). An optional one of the wrong type is noted and read as its default.
    private mutating func read<Value>(_ declaration: CheckpointSchema.Attribute<Value>) -> Value? {
        guard let stored = attribute(declaration) else {
            if !declaration.isOptional {
                problem(.attributeMissing(group: declaration.group, name: declaration.name))
            }
            return declaration.defaultValue
        }
        switch declaration.check(stored) {
        case .success(let value): return value
        case .failure(let failure):
            problem(failure)
            if case .attributeType = failure { return declaration.defaultValue }
            return nil
        }
    }

    /// An attribute that belongs to some optimizers only: nil, without a problem, for the others.
    private mutating func read<Value>(_ declaration: CheckpointSchema.Attribute<Value>, optimizer: String) -> Value? {
        declaration.onlyFor.contains(optimizer) ? read(declaration) : nil
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

extension CheckpointSchema {
    /// The attribute `declaration` names, as stored, whatever its type; nil when it is absent or
    /// cannot be read (an odd type). The one place the readers look attributes up.
    static func stored<Value>(_ declaration: Attribute<Value>, in file: HDF5File) -> AttributeValue? {
        guard let object = try? file.group(at: declaration.group),
              (try? object.attributes.contains(declaration.name)) == true
        else { return nil }
        return try? object.attributes.read(declaration.name)
    }
}
