import Foundation
import LNetStorage
import LNetTraining

/// What `lnet import` needs beyond the file's own reader: a checkpoint's `/optimizer` comes with a `/training`
/// (formats/checkpoint.md), so optimizer state from a framework, which has no such record, gets a fresh one made
/// from the training data: epoch 0, the data's path, names and fingerprint, the course's seeds, and the given batch
/// size. `lnet resume C.h5 --epochs N` then continues with the imported v, s and t.
public enum ModelImport {
    /// The settings of a fresh training record.
    public struct TrainingSettings: Sendable, Equatable {
        /// The training dataset (formats/dataset.md).
        public var dataPath: String
        /// Its features' and labels' dataset names, when not chosen by the naming rule.
        public var xName: String?
        public var yName: String?
        /// Examples per mini-batch (m or more: full batch, no shuffling).
        public var batchSize: Int

        /// Settings for the data at `dataPath`.
        public init(dataPath: String, xName: String? = nil, yName: String? = nil, batchSize: Int = CourseDefaults.batchSize) {
            self.dataPath = dataPath
            self.xName = xName
            self.yName = yName
            self.batchSize = batchSize
        }
    }

    /// The checkpoint of `model`. When it carries optimizer state without LNet's training record, `training` is
    /// required and makes one; without it, the import is refused in words that say so.
    public static func checkpoint(of model: InterchangeModel, path: String, training settings: TrainingSettings?) throws -> Checkpoint {
        var model = model
        if model.optimizer != nil, model.training == nil {
            guard let settings else {
                throw ModelImportError(path: path, problem: .optimizerStateNeedsData)
            }
            model.training = try trainingRecord(for: model, settings: settings)
            if model.dataSHA256 == nil { model.dataSHA256 = model.training?.dataSHA256 }
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try model.checkpoint()
        } catch let problem as InterchangeProblem {
            throw RunError(path: path, problem.description)
        }
        try check(checkpoint, path: path)
        return checkpoint
    }

    /// The rules a checkpoint reader applies that a foreign file can break, checked before anything is written:
    /// known activations (sigmoid or softmax last, with 1 or 2+ units), the loss of that output, finite values.
    static func check(_ checkpoint: Checkpoint, path: String) throws {
        let model = checkpoint.model
        for (index, name) in model.activations.dropLast().enumerated() where Activation(formatName: name) == nil {
            throw RunError(path: path, "layer \(index + 1)'s activation \"\(name)\" is not one LNet has (relu, leaky_relu, tanh, sigmoid, linear)")
        }
        let output = model.activations.last ?? ""
        guard let layer = OutputLayer(rawValue: output) else {
            throw RunError(path: path, "the output activation \"\(output)\" must be sigmoid or softmax")
        }
        let units = model.layerDims.last ?? 0
        if layer == .sigmoid, units != 1 { throw RunError(path: path, "a sigmoid output has 1 unit, this one has \(units)") }
        if layer == .softmax, units < 2 { throw RunError(path: path, "a softmax output has 2 units or more, this one has \(units)") }
        guard model.loss == layer.lossName else {
            throw RunError(path: path, "the loss \(model.loss) does not go with a \(output) output (\(layer.lossName))")
        }
        let tensors = checkpoint.parameters.merging(checkpoint.optimizer?.v ?? [:]) { a, _ in a }.merging(checkpoint.optimizer?.s ?? [:]) { a, _ in a }
        for name in tensors.keys.sorted() where !(tensors[name]?.values.allSatisfy(\.isFinite) ?? true) {
            throw RunError(path: path, "\(name) holds NaN or infinite values")
        }
        _ = try TrainingCheckpoint.network(from: checkpoint, path: path)
    }

    /// A record at epoch 0 on `settings`' data: its fingerprint, the course's seeds, the generator seeded as training
    /// would seed it, no L2, no dropout, no epochs asked for yet (resume with `--epochs N`).
    static func trainingRecord(for model: InterchangeModel, settings: TrainingSettings) throws -> Checkpoint.Training {
        let data = try DatasetFile(path: settings.dataPath, x: settings.xName, y: settings.yName)
        defer { try? data.close() }
        guard data.featureCount == model.layerSizes.first else {
            throw RunError(path: settings.dataPath, "its examples have \(data.featureCount) features, the model takes \(model.layerSizes.first ?? 0)")
        }
        let fingerprint = try data.fingerprint()
        let seed = CourseDefaults.seed
        let generator = NumpyRandom(seed: UInt32(seed)).state
        return Checkpoint.Training(
            epoch: 0, epochsTarget: 0, seed: Int64(seed), shuffleSeed: Int64(CourseDefaults.shuffleSeed),
            batchSize: settings.batchSize, l2: 0, keepProb: 1,
            data: URL(fileURLWithPath: settings.dataPath).standardizedFileURL.path, xName: data.xName, yName: data.yName ?? "y",
            dataSHA256: fingerprint,
            generator: Checkpoint.GeneratorState(key: generator.key, position: generator.position, hasGauss: generator.hasGauss, gauss: generator.gauss),
            costs: [])
    }
}

/// Why `lnet import` cannot make the checkpoint asked for; the CLI words it with its option names.
public struct ModelImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The refusals.
    public enum Problem: Sendable, Equatable {
        /// Optimizer state without LNet's training record, and no training data named to make one.
        case optimizerStateNeedsData
    }

    /// The file imported.
    public let path: String
    /// What is missing.
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .optimizerStateNeedsData: "\(path): the file holds optimizer state but no LNet training record: name the training data to keep it, or import the parameters only"
        }
    }
}
