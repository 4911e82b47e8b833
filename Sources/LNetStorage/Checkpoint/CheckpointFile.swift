import Foundation

/// Reads and writes checkpoint files as formats/checkpoint.md specifies them.
public enum CheckpointFile {
    /// Writes `checkpoint` to `path` atomically and durably: a crash at any
    /// moment leaves either the previous file or the new one, whole. Every
    /// tensor carries a fletcher32 checksum, and the root attribute
    /// `settings_sha256` covers every setting (``SettingsChecksum``).
    public static func write(_ checkpoint: Checkpoint, to path: String) throws {
        try AtomicFile.replace(path) { temporary in
            let file = try HDF5File.create(at: temporary, mode: .truncate)
            do {
                try write(checkpoint, into: file)
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
        }
    }

    /// Reads and checks the checkpoint at `path`. The first problem found is
    /// thrown as a `CheckpointError` naming the file and the object; a settings
    /// checksum that does not match is such a problem, and the first reported.
    /// A file without a settings checksum (h5py's, or an older LNet's) is read,
    /// and `notes` is told that its settings are unchecked.
    public static func read(from path: String, notes: (String) -> Void = { _ in }) throws -> Checkpoint {
        let report = CheckpointReader.read(path: path)
        if let problem = report.findings.first {
            throw CheckpointError(path: path, problem: problem)
        }
        guard let checkpoint = report.checkpoint else {
            throw CheckpointError(path: path, problem: CheckpointProblem.notACheckpoint)
        }
        if !report.hasSettingsChecksum {
            notes("\(path) has no settings checksum (\(SettingsChecksum.attributeName)): its settings are unchecked")
        }
        return checkpoint
    }

    /// Checks the file at `path` against the specification and reports every
    /// problem and warning found, for `lnet verify`.
    public static func verify(path: String) -> CheckpointReport {
        CheckpointReader.read(path: path)
    }

    // MARK: Writing

    /// One chunk per tensor, so that the fletcher32 filter (which needs a
    /// chunked layout) covers it whole.
    private static func tensorOptions(_ shape: [Int]) -> DatasetOptions {
        DatasetOptions(chunkShape: shape, fletcher32: true)
    }

    private static func write(_ checkpoint: Checkpoint, into file: HDF5File) throws {
        typealias Schema = CheckpointSchema
        let root = try file.root
        try root.attributes.write(Schema.format, Checkpoint.formatName)
        try root.attributes.write(Schema.formatVersion, Checkpoint.formatVersion)
        try root.attributes.write(Schema.createdBy, checkpoint.createdBy)

        let model = try root.createGroup(groupName(Schema.Model.group))
        let spec = checkpoint.model
        try model.attributes.write(Schema.Model.layerDims, spec.layerDims.map(Int64.init))
        try model.attributes.write(Schema.Model.activations, spec.activations)
        try model.attributes.write(Schema.Model.loss, spec.loss)
        try model.attributes.write(Schema.Model.initialization, spec.initialization)
        try model.attributes.write(Schema.Model.classes, spec.classes)
        try model.attributes.write(Schema.Model.inputDivisor, spec.inputDivisor)
        if let image = spec.inputImage {
            try model.attributes.write(Schema.Model.inputImageShape, image.shape.map(Int64.init))
            try model.attributes.write(Schema.Model.inputImageResize, image.resize)
            try model.attributes.write(Schema.Model.inputImageEXIFTranspose, image.exifTranspose ? 1 : 0)
        }
        if let mean = spec.inputMean, let std = spec.inputStd {
            for (dataset, values) in [(Schema.Model.inputMean, mean), (Schema.Model.inputStd, std)] {
                try model.createDataset(
                    groupName(dataset.path), shape: [values.count], data: values, options: tensorOptions([values.count]))
            }
        }

        let parameters = try root.createGroup(groupName(Schema.parameters.path))
        try writeTensors(checkpoint.parameters, into: parameters)

        if let optimizer = checkpoint.optimizer {
            typealias Names = Schema.Optimizer
            let group = try root.createGroup(groupName(Names.group))
            let attributes = group.attributes
            try attributes.write(Names.name, optimizer.name)
            try attributes.write(Names.learningRate, optimizer.learningRate)
            try attributes.write(Names.learningRate0, optimizer.learningRate0)
            try attributes.write(Names.beta, optimizer.beta)
            try attributes.write(Names.beta1, optimizer.beta1)
            try attributes.write(Names.beta2, optimizer.beta2)
            try attributes.write(Names.epsilon, optimizer.epsilon)
            try attributes.write(Names.t, optimizer.t)
            try attributes.write(Names.decay, optimizer.decay)
            try attributes.write(Names.decayRate, optimizer.decayRate)
            try attributes.write(Names.decayInterval, optimizer.decayInterval)
            for (moments, tensors) in [(Names.v, optimizer.v), (Names.s, optimizer.s)] where !tensors.isEmpty {
                try writeTensors(tensors, into: try group.createGroup(groupName(moments.path)))
            }
        }

        if let training = checkpoint.training {
            typealias Names = Schema.Training
            let group = try root.createGroup(groupName(Names.group))
            let attributes = group.attributes
            let generator = training.generator
            // The order of writing is the order of the file's attribute table; h5py and the
            // settings checksum do not depend on it, but keeping it keeps the files byte-stable.
            try attributes.write(Names.epoch, Int64(training.epoch))
            try attributes.write(Names.epochsTarget, Int64(training.epochsTarget))
            try attributes.write(Names.batchInEpoch, Int64(training.batchInEpoch))
            try attributes.write(Names.seed, training.seed)
            try attributes.write(Names.shuffleSeed, training.shuffleSeed)
            try attributes.write(Names.batchSize, Int64(training.batchSize))
            try attributes.write(Names.rngPosition, Int64(generator.position))
            try attributes.write(Names.rngHasGauss, generator.hasGauss ? 1 : 0)
            try attributes.write(Names.epochCostSum, training.epochCostSum)
            try attributes.write(Names.l2, training.l2)
            try attributes.write(Names.keepProb, training.keepProb)
            try attributes.write(Names.rngGauss, generator.gauss)
            try attributes.write(Names.data, training.data)
            try attributes.write(Names.xName, training.xName)
            try attributes.write(Names.yName, training.yName)
            try attributes.write(Names.dataSHA256, training.dataSHA256)
            try attributes.write(Names.testData, training.testData)
            try attributes.write(Names.testXName, training.testXName)
            try attributes.write(Names.testYName, training.testYName)
            // Written only for float32, so that a float64 checkpoint is the same file as before `dtype` existed.
            if training.dtype != .float64 { try attributes.write(Names.dtype, training.dtype.rawValue) }
            // Only a sharded or distributed run writes these, so that a plain run's file stays as it was.
            if training.gradientShards > 1 || training.ranks > 1 {
                try attributes.write(Names.gradientShards, Int64(training.gradientShards))
                try attributes.write(Names.ranks, Int64(training.ranks))
            }
            let costShape = [training.costs.count]
            try group.createDataset(
                groupName(Names.costs.path), shape: costShape, data: training.costs,
                options: training.costs.isEmpty ? .default : tensorOptions(costShape))
            let key = generator.key
            try group.createDataset(
                groupName(Names.rngKey.path), shape: [key.count], data: key, options: tensorOptions([key.count]))
            if let best = training.best {
                try attributes.write(Names.bestCost, best.cost)
                try attributes.write(Names.bestEpoch, Int64(best.epoch))
                try attributes.write(Names.bestJudgedOn, best.measure.rawValue)
            }
            let history = training.testHistory
            if !history.isEmpty {
                let shape = [history.count]
                try group.createDataset(
                    groupName(Names.testEpochs.path), shape: shape, data: history.epochs.map(Int64.init),
                    options: tensorOptions(shape))
                for (dataset, values) in [(Names.testCosts, history.costs), (Names.testAccuracy, history.accuracies)] {
                    try group.createDataset(groupName(dataset.path), shape: shape, data: values, options: tensorOptions(shape))
                }
            }
        }

        // Last, over what the file now holds: the readers hash the same walk.
        try root.attributes.write(SettingsChecksum.attributeName, .string(try SettingsChecksum.digest(of: file)))
    }

    /// The last component of a schema path, the name its parent group knows it by.
    private static func groupName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    private static func writeTensors(_ tensors: [String: Tensor], into group: HDF5Group) throws {
        for name in tensors.keys.sorted() {
            guard let tensor = tensors[name] else { continue }
            switch tensor.elementType {
            case .float64:
                try group.createDataset(name, shape: tensor.shape, data: tensor.values, options: tensorOptions(tensor.shape))
            case .float32:
                try group.createDataset(
                    name, shape: tensor.shape, data: tensor.values.map { Float($0) }, options: tensorOptions(tensor.shape))
            }
        }
    }
}

extension HDF5Attributes {
    /// Writes `value` as the attribute `declaration` names, in its declared type.
    func write<Value>(_ declaration: CheckpointSchema.Attribute<Value>, _ value: Value) throws {
        try write(declaration.name, value.checkpointAttribute)
    }

    /// Writes `value` unless it is nil: an optional attribute (`classes`) or one that belongs to
    /// other optimizers (`beta`) is then left out.
    func write<Value>(_ declaration: CheckpointSchema.Attribute<Value>, _ value: Value?) throws {
        if let value { try write(declaration, value) }
    }
}

/// What reading a checkpoint found: its content when it could be read, every
/// problem that makes it invalid, and warnings that do not.
public struct CheckpointReport: Sendable {
    /// The content, when the file could be read at all.
    public var checkpoint: Checkpoint?
    /// Departures from formats/checkpoint.md, each naming the object concerned, in the order found.
    public var findings: [CheckpointProblem] = []
    /// The findings as the CLI prints them.
    public var problems: [String] { findings.map(\.description) }
    /// Things worth knowing that do not make the file invalid.
    public var warnings: [String] = []
    /// Whether the file holds a settings checksum (`settings_sha256`); whether
    /// it matches is in `problems`.
    public var hasSettingsChecksum = false
    /// Whether the file is a checkpoint with parameters only (no optimizer or
    /// training state).
    public var isParametersOnly: Bool { checkpoint.map { $0.optimizer == nil || $0.training == nil } ?? false }
}
