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
        if let problem = report.problems.first {
            throw CheckpointError(path: path, problem: problem)
        }
        guard let checkpoint = report.checkpoint else {
            throw CheckpointError(path: path, problem: "not a checkpoint")
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
        let root = try file.root
        try root.attributes.write("format", .string(Checkpoint.formatName))
        try root.attributes.write("format_version", .int64(Checkpoint.formatVersion))
        try root.attributes.write("created_by", .string(checkpoint.createdBy))

        let model = try root.createGroup("model")
        let spec = checkpoint.model
        try model.attributes.write("layer_dims", .int64Array(spec.layerDims.map(Int64.init)))
        try model.attributes.write("activations", .stringArray(spec.activations))
        try model.attributes.write("loss", .string(spec.loss))
        try model.attributes.write("init", .string(spec.initialization))
        if let classes = spec.classes {
            try model.attributes.write("classes", .stringArray(classes))
        }
        try model.attributes.write("input_divisor", .float64(spec.inputDivisor))
        if let mean = spec.inputMean, let std = spec.inputStd {
            try model.createDataset("input_mean", shape: [mean.count], data: mean, options: tensorOptions([mean.count]))
            try model.createDataset("input_std", shape: [std.count], data: std, options: tensorOptions([std.count]))
        }

        let parameters = try root.createGroup("parameters")
        try writeTensors(checkpoint.parameters, prefix: "", into: parameters)

        if let optimizer = checkpoint.optimizer {
            let group = try root.createGroup("optimizer")
            let attributes = group.attributes
            try attributes.write("name", .string(optimizer.name))
            try attributes.write("learning_rate", .float64(optimizer.learningRate))
            try attributes.write("learning_rate0", .float64(optimizer.learningRate0))
            if let beta = optimizer.beta { try attributes.write("beta", .float64(beta)) }
            if let beta1 = optimizer.beta1 { try attributes.write("beta1", .float64(beta1)) }
            if let beta2 = optimizer.beta2 { try attributes.write("beta2", .float64(beta2)) }
            if let epsilon = optimizer.epsilon { try attributes.write("epsilon", .float64(epsilon)) }
            try attributes.write("t", .int64(optimizer.t))
            try attributes.write("decay", .string(optimizer.decay))
            try attributes.write("decay_rate", .float64(optimizer.decayRate))
            try attributes.write("decay_interval", .int64(optimizer.decayInterval))
            if !optimizer.v.isEmpty {
                try writeTensors(optimizer.v, prefix: "", into: try group.createGroup("v"))
            }
            if !optimizer.s.isEmpty {
                try writeTensors(optimizer.s, prefix: "", into: try group.createGroup("s"))
            }
        }

        if let training = checkpoint.training {
            let group = try root.createGroup("training")
            let attributes = group.attributes
            let integers: [(String, Int64)] = [
                ("epoch", Int64(training.epoch)), ("epochs_target", Int64(training.epochsTarget)),
                ("batch_in_epoch", Int64(training.batchInEpoch)), ("seed", training.seed),
                ("shuffle_seed", training.shuffleSeed), ("batch_size", Int64(training.batchSize)),
                ("rng_pos", Int64(training.generator.position)),
                ("rng_has_gauss", training.generator.hasGauss ? 1 : 0),
            ]
            for (name, value) in integers { try attributes.write(name, .int64(value)) }
            let reals: [(String, Double)] = [
                ("epoch_cost_sum", training.epochCostSum), ("l2", training.l2), ("keep_prob", training.keepProb),
                ("rng_gauss", training.generator.gauss),
            ]
            for (name, value) in reals { try attributes.write(name, .float64(value)) }
            let texts: [(String, String)] = [
                ("data", training.data), ("x_name", training.xName), ("y_name", training.yName),
                ("data_sha256", training.dataSHA256), ("test_data", training.testData),
                ("test_x_name", training.testXName), ("test_y_name", training.testYName),
            ]
            for (name, value) in texts { try attributes.write(name, .string(value)) }
            let costShape = [training.costs.count]
            try group.createDataset(
                "costs", shape: costShape, data: training.costs,
                options: training.costs.isEmpty ? .default : tensorOptions(costShape))
            let key = training.generator.key
            try group.createDataset("rng_key", shape: [key.count], data: key, options: tensorOptions([key.count]))
        }

        // Last, over what the file now holds: the readers hash the same walk.
        try root.attributes.write(SettingsChecksum.attributeName, .string(try SettingsChecksum.digest(of: file)))
    }

    private static func writeTensors(_ tensors: [String: Tensor], prefix: String, into group: HDF5Group) throws {
        for name in tensors.keys.sorted() {
            guard let tensor = tensors[name] else { continue }
            try group.createDataset(prefix + name, shape: tensor.shape, data: tensor.values, options: tensorOptions(tensor.shape))
        }
    }
}

/// A checkpoint that cannot be used, and why.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public let path: String
    /// What is wrong, naming the object concerned.
    public let problem: String

    /// Makes an error for the checkpoint at `path`; `problem` is a sentence fragment, printed after the path.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`, the one line the CLI prints.
    public var description: String { "\(path): \(problem)" }
}

/// What reading a checkpoint found: its content when it could be read, every
/// problem that makes it invalid, and warnings that do not.
public struct CheckpointReport: Sendable {
    /// The content, when the file could be read at all.
    public var checkpoint: Checkpoint?
    /// Departures from formats/checkpoint.md, each naming the object concerned.
    public var problems: [String] = []
    /// Things worth knowing that do not make the file invalid.
    public var warnings: [String] = []
    /// Whether the file holds a settings checksum (`settings_sha256`); whether
    /// it matches is in `problems`.
    public var hasSettingsChecksum = false
    /// Whether the file is a checkpoint with parameters only (no optimizer or
    /// training state).
    public var isParametersOnly: Bool { checkpoint.map { $0.optimizer == nil || $0.training == nil } ?? false }
}
