import Foundation
import LNetStorage

/// How a checkpoint's network does on a labelled dataset (`lnet evaluate`).
public struct EvaluationReport: Sendable, Equatable {
    /// One class's share of the examples and of the correct predictions.
    public struct ClassCounts: Sendable, Equatable {
        /// The class id, 0 ..< the number of classes the network predicts.
        public let id: Int
        /// Its name from the checkpoint's `classes`; nil when the checkpoint names no classes or too few.
        public let name: String?
        /// Examples whose label is this class.
        public let examples: Int
        /// Of those, the ones predicted correctly.
        public let correct: Int
        /// Examples predicted as this class.
        public let predicted: Int
    }

    /// The evaluated checkpoint, as the caller named it.
    public let checkpointPath: String
    /// The labelled dataset it was evaluated on, as the caller named it.
    public let dataPath: String
    /// The number of examples, m.
    public let examples: Int
    /// The examples whose predicted class equals their label.
    public let correct: Int
    /// `correct / examples`, a fraction in 0...1.
    public let accuracy: Double
    /// The cross-entropy cost on the data, without regularisation.
    public let cost: Double
    /// One entry per class the network predicts, by id.
    public let classes: [ClassCounts]
}

/// The network's outputs for every example of a dataset (`lnet predict`).
public struct PredictionTable: Sendable, Equatable {
    /// The predicted class id of each example.
    public let predicted: [Int]
    /// Each example's probability of each class, row-major (examples × classes).
    /// A sigmoid output gives two columns, P(0) = 1 − p and P(1) = p.
    public let probabilities: [Double]
    /// The number of probability columns per example: 2 for a sigmoid output, C for softmax.
    public let classCount: Int
    /// Class names from the checkpoint, when it has them.
    public let classNames: [String]?
}

/// Applies a saved network to dataset files with the preprocessing the
/// checkpoint records.
public struct SavedModel {
    /// The checkpoint file, as the caller named it.
    public let path: String
    /// The checkpoint's content, whose `/model` gives the preprocessing applied to every dataset.
    public let checkpoint: Checkpoint
    /// The network rebuilt from the checkpoint's `/model` and `/parameters`.
    public let network: Network

    /// Reads the checkpoint at `path` (a full or a parameters-only one).
    public init(path: String) throws {
        self.path = path
        checkpoint = try CheckpointFile.read(from: path)
        network = try TrainingCheckpoint.network(from: checkpoint, path: path)
    }

    /// The number of classes the output layer predicts.
    public var classCount: Int { network.output.classCount(units: network.layerSizes.last ?? 1) }

    /// Accuracy, cost and per-class counts on the labelled data at `dataPath`.
    public func evaluate(dataPath: String, x: String? = nil, y: String? = nil) throws -> EvaluationReport {
        let file = try DatasetFile(path: dataPath, x: x, y: y, requireLabels: true)
        defer { try? file.close() }
        let features = try preparedFeatures(file)
        let labels = try file.readLabels()
        if let index = labels.firstIndex(where: { $0 >= classCount }) {
            throw RunError(path: dataPath, "label \(labels[index]) of example \(index) is beyond the \(classCount) classes the network predicts")
        }
        let data = try LabeledData(features: features, labels: labels.map(Int64.init))
        let (cost, predictions) = try network.costAndPredictions(on: data)
        let predicted = predictions.map(Int.init)
        var examples = [Int](repeating: 0, count: classCount)
        var correct = [Int](repeating: 0, count: classCount)
        var predictedCounts = [Int](repeating: 0, count: classCount)
        for (label, guess) in zip(labels, predicted) {
            examples[label] += 1
            if guess < classCount { predictedCounts[guess] += 1 }
            if label == guess { correct[label] += 1 }
        }
        let names = checkpoint.model.classes
        let total = correct.reduce(0, +)
        return EvaluationReport(
            checkpointPath: path, dataPath: dataPath, examples: labels.count, correct: total,
            accuracy: Double(total) / Double(labels.count), cost: cost,
            classes: (0..<classCount).map { id in
                .init(id: id, name: names.flatMap { id < $0.count ? $0[id] : nil },
                      examples: examples[id], correct: correct[id], predicted: predictedCounts[id])
            })
    }

    /// Predictions for every example at `dataPath`; labels are not needed.
    public func predict(dataPath: String, x: String? = nil) throws -> PredictionTable {
        let file = try DatasetFile(path: dataPath, x: x, y: nil, requireLabels: false)
        defer { try? file.close() }
        let features = try preparedFeatures(file)
        let output = try network.probabilities(features)
        let m = features.columns
        var probabilities = [Double]()
        var predicted = [Int]()
        probabilities.reserveCapacity(m * max(classCount, 2))
        for j in 0..<m {
            if network.output == .sigmoid {
                let p = output[0, j]
                probabilities.append(1 - p)
                probabilities.append(p)
                predicted.append(p > 0.5 ? 1 : 0)
            } else {
                var best = 0
                for c in 0..<output.rows {
                    probabilities.append(output[c, j])
                    if output[c, j] > output[best, j] { best = c }
                }
                predicted.append(best)
            }
        }
        return PredictionTable(
            predicted: predicted, probabilities: probabilities, classCount: network.output == .sigmoid ? 2 : output.rows,
            classNames: checkpoint.model.classes)
    }

    /// The features as the network expects them: `(n_x, m)`, divided and
    /// standardised as in training.
    private func preparedFeatures(_ file: DatasetFile) throws -> Matrix {
        let inputs = network.layerSizes.first ?? 0
        guard file.featureCount == inputs else {
            throw RunError(path: file.path, "x has \(file.featureCount) features per example but the network takes \(inputs)")
        }
        let preprocessing = TrainingCheckpoint.preprocessing(from: checkpoint)
        var values = try file.readFeatures(divisor: preprocessing.divisor)
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            let (example, feature) = index.quotientAndRemainder(dividingBy: file.featureCount)
            throw RunError(path: file.path, "x holds \(values[index]) at example \(example), feature \(feature): features must be finite numbers")
        }
        preprocessing.standardize(examplesInRows: &values, featureCount: file.featureCount)
        return try Matrix(rows: file.exampleCount, columns: file.featureCount, elements: values).transposed
    }
}
