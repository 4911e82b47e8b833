import Foundation
import LNetStorage
import LNetTraining

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
///
/// The data is read, prepared and passed forward a block of examples at a time
/// (about ``defaultBlockBytes`` of features and activations), so a dataset larger
/// than memory can be evaluated; only the per-example results are kept whole.
public struct SavedModel {
    /// The checkpoint file, as the caller named it.
    public let path: String
    /// The checkpoint's content, whose `/model` gives the preprocessing applied to every dataset.
    public let checkpoint: Checkpoint
    /// The network rebuilt from the checkpoint's `/model` and `/parameters`.
    public let network: Network
    /// About how many bytes one block of examples takes while it is evaluated.
    public let blockBytes: Int

    /// The default for ``blockBytes``: large enough that a block's work dwarfs its
    /// read and set-up, small beside any machine's memory.
    public static let defaultBlockBytes = 64 << 20

    /// Reads the checkpoint at `path` (a full or a parameters-only one); `notes` hears
    /// what is worth knowing but does not stop it (a file whose settings are unchecked).
    public init(path: String, blockBytes: Int = SavedModel.defaultBlockBytes, notes: (String) -> Void = { _ in }) throws {
        self.path = path
        self.blockBytes = blockBytes
        checkpoint = try CheckpointFile.read(from: path, notes: notes)
        // The tensors are read (the file holds them); the copies and a block's forward pass are not made yet.
        let sizes = checkpoint.model.layerDims
        // The largest block any data file can make (a smaller file makes a smaller one).
        try MemoryPolicy.inMemory.admit(
            MemoryEstimate.inference(layerSizes: sizes, blockColumns: Self.examplesPerBlock(layerSizes: sizes, blockBytes: blockBytes)),
            path: path, what: "predicting with layers \(sizes.map(String.init).joined(separator: ","))",
            advice: .moreMemory)
        network = try TrainingCheckpoint.network(from: checkpoint, path: path)
    }

    /// The number of classes the output layer predicts.
    public var classCount: Int { network.output.classCount(units: network.layerSizes.last ?? 1) }

    /// Accuracy, cost and per-class counts on the labelled data at `dataPath`.
    public func evaluate(dataPath: String, x: String? = nil, y: String? = nil) throws -> EvaluationReport {
        let file = try DatasetFile(path: dataPath, x: x, y: y, requireLabels: true)
        defer { try? file.close() }
        let labels = try file.readLabels()
        if let index = labels.firstIndex(where: { $0 >= classCount }) {
            throw RunError(path: dataPath, "label \(labels[index]) of example \(index) is beyond the \(classCount) classes the network predicts")
        }
        var examples = [Int](repeating: 0, count: classCount)
        var correct = [Int](repeating: 0, count: classCount)
        var predictedCounts = [Int](repeating: 0, count: classCount)
        var lossSum = 0.0
        try forEachBlock(of: file, labels: labels) { range, outputs in
            lossSum += outputs.lossSum
            for (label, guess) in zip(labels[range], outputs.predicted) {
                examples[label] += 1
                if guess < classCount { predictedCounts[guess] += 1 }
                if label == guess { correct[label] += 1 }
            }
        }
        let names = checkpoint.model.classes
        let total = correct.reduce(0, +)
        return EvaluationReport(
            checkpointPath: path, dataPath: dataPath, examples: labels.count, correct: total,
            accuracy: Double(total) / Double(labels.count), cost: lossSum / Double(labels.count),
            classes: (0..<classCount).map { id in
                .init(id: id, name: names.flatMap { id < $0.count ? $0[id] : nil },
                      examples: examples[id], correct: correct[id], predicted: predictedCounts[id])
            })
    }

    /// Predictions for every example at `dataPath`; labels are not needed.
    public func predict(dataPath: String, x: String? = nil) throws -> PredictionTable {
        let file = try DatasetFile(path: dataPath, x: x, y: nil, requireLabels: false, selection: .featuresOnly)
        defer { try? file.close() }
        let units = network.layerSizes.last ?? 1
        let classColumns = network.output == .sigmoid ? 2 : units
        var probabilities = [Double]()
        var predicted = [Int]()
        probabilities.reserveCapacity(file.exampleCount * classColumns)
        predicted.reserveCapacity(file.exampleCount)
        try forEachBlock(of: file, labels: nil) { _, outputs in
            let a = outputs.probabilities
            for j in 0..<a.columns {
                if network.output == .sigmoid {
                    probabilities.append(1 - a[0, j])
                    probabilities.append(a[0, j])
                } else {
                    for c in 0..<units { probabilities.append(a[c, j]) }
                }
            }
            predicted += outputs.predicted
        }
        return PredictionTable(predicted: predicted, probabilities: probabilities, classCount: classColumns,
                               classNames: checkpoint.model.classes)
    }

    /// Examples per block: ``blockBytes`` over what one example needs while its block
    /// is evaluated (its row as read, its column, and four values per unit of every
    /// layer in the forward pass's workspace).
    func examplesPerBlock(exampleCount: Int) -> Int {
        min(max(exampleCount, 1), Self.examplesPerBlock(layerSizes: network.layerSizes, blockBytes: blockBytes))
    }

    /// The examples of one block: about `blockBytes` of features read and prepared (two copies of
    /// each example's inputs) and of activations (four values per unit), at least one.
    static func examplesPerBlock(layerSizes: [Int], blockBytes: Int) -> Int {
        let inputs = layerSizes.first ?? 0
        var units = 0
        for size in layerSizes.dropFirst() {
            let (sum, overflow) = units.addingReportingOverflow(size)
            if overflow { return 1 }
            units = sum
        }
        let (doubled, overflowA) = inputs.multipliedReportingOverflow(by: 2)
        let (quadrupled, overflowB) = units.multipliedReportingOverflow(by: 4)
        let (values, overflowC) = doubled.addingReportingOverflow(quadrupled)
        let (perExample, overflowD) = values.multipliedReportingOverflow(by: 8)
        if overflowA || overflowB || overflowC || overflowD { return 1 }
        return max(1, blockBytes / max(perExample, 1))
    }

    /// Reads, prepares and passes forward the examples of `file` a block at a time,
    /// in order; `body` gets each block's range and its outputs (the loss sum only
    /// when `labels` are given).
    private func forEachBlock(of file: DatasetFile, labels: [Int]?,
                              _ body: (Range<Int>, Network.BlockOutputs) throws -> Void) throws {
        let inputs = network.layerSizes.first ?? 0
        guard file.featureCount == inputs else {
            throw RunError(path: file.path, "x has \(file.featureCount) features per example but the network takes \(inputs)")
        }
        let preprocessing = TrainingCheckpoint.preprocessing(from: checkpoint)
        let m = file.exampleCount
        let block = examplesPerBlock(exampleCount: m)
        for start in stride(from: 0, to: m, by: block) {
            let range = start..<min(start + block, m)
            var values = try file.readFeatures(examples: range, divisor: preprocessing.divisor)
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                let (example, feature) = index.quotientAndRemainder(dividingBy: inputs)
                throw RunError(path: file.path, "x holds \(values[index]) at example \(start + example), feature \(feature): features must be finite numbers")
            }
            preprocessing.standardize(examplesInRows: &values, featureCount: inputs)
            let features = try Matrix(rows: range.count, columns: inputs, elements: values).transposed
            values = []
            try body(range, try network.blockOutputs(features, labels: labels.map { Array($0[range]) }))
        }
    }
}
