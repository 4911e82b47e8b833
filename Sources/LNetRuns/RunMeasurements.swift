import Foundation
import LNetStorage
import LNetTraining

/// A network measured on labelled examples: the cross-entropy (Σloss / m,
/// without the L2 term) and the accuracy, from one forward pass without dropout.
public struct Measurement: Sendable, Equatable {
    /// Σloss / m.
    public var cost: Double
    /// The fraction (0…1) of examples classified correctly.
    public var accuracy: Double
}

extension RunExamples {
    /// `network`'s cost and accuracy on these examples; streamed ones are
    /// predicted in blocks of about 8 MiB of features, so memory stays bounded.
    /// Reads no generator: measuring leaves a run's state, and so its bitwise
    /// resume, untouched.
    func measure(_ network: Network) throws -> Measurement {
        switch self {
        case .memory(let data):
            let outputs = try network.blockOutputs(data.features, labels: data.labels.map { Int($0) })
            let correct = zip(outputs.predicted, data.labels).reduce(0) { $0 + (Int64($1.0) == $1.1 ? 1 : 0) }
            let m = Double(max(data.exampleCount, 1))
            return Measurement(cost: outputs.lossSum / m, accuracy: Double(correct) / m)
        case .perBatch(let source):
            let m = source.exampleCount
            let n = source.featureCount
            let labels = source.labels
            guard m > 0, labels.count == m else { throw ConfigurationError("the data set has no examples to measure") }
            let width = max(1, min(m, (8 << 20) / max(8 * n, 1)))
            var indices = [Int](repeating: 0, count: width)
            var (lossSum, correct, start) = (0.0, 0, 0)
            while start < m {
                let end = min(m, start + width)
                let columns = end - start
                for j in 0..<columns { indices[j] = start + j }
                var block = [Double](repeating: 0, count: n * columns)
                try indices.withUnsafeBufferPointer { indices in
                    try block.withUnsafeMutableBufferPointer { block in
                        guard let base = block.baseAddress else { return }
                        try source.gatherColumns(UnsafeBufferPointer(rebasing: indices[0..<columns]), into: base)
                    }
                }
                let blockLabels = labels[start..<end].map { Int($0) }
                let outputs = try network.blockOutputs(try Matrix(rows: n, columns: columns, elements: block), labels: blockLabels)
                lossSum += outputs.lossSum
                for j in 0..<columns where outputs.predicted[j] == blockLabels[j] { correct += 1 }
                start = end
            }
            return Measurement(cost: lossSum / Double(m), accuracy: Double(correct) / Double(m))
        }
    }
}

extension CheckpointSettings {
    /// Where `--keep-best` keeps the best model beside the checkpoint at `checkpointPath`: `<stem>-best<.ext>`.
    public static func bestModelPath(besideCheckpoint checkpointPath: String) -> String {
        BestModelKeeper.path(besideCheckpoint: checkpointPath)
    }
}

/// Keeps `<stem>-best<.ext>` beside a run's checkpoint (`--keep-best`): the
/// checkpoint of the epoch with the lowest cost judged so far, on the test
/// data when the run has some, else on the training cost. The best so far is
/// recorded in every checkpoint (`best_cost`, `best_epoch`), so that a resumed
/// run never replaces the kept model with a worse one.
final class BestModelKeeper {
    /// Where the best model is kept.
    let path: String
    /// What it is judged on.
    let measure: BestRecord.Measure
    /// The best so far, or nil before the first judgement.
    private(set) var best: BestRecord?
    /// False when the run cannot judge on `measure` (resumed without its test data): the record is carried, the
    /// file left alone.
    let isJudging: Bool

    init(path: String, measure: BestRecord.Measure, best: BestRecord?, isJudging: Bool = true) {
        self.path = path
        self.measure = measure
        self.best = best
        self.isJudging = isJudging
    }

    /// `<folder>/<stem>-best<.ext>` for a checkpoint at `checkpointPath` (`.h5` when it has no extension).
    /// The folder is kept as given, so a relative checkpoint path gives a relative best path.
    static func path(besideCheckpoint checkpointPath: String) -> String {
        let path = checkpointPath as NSString
        let name = path.lastPathComponent as NSString
        let ext = name.pathExtension
        let stem = ext.isEmpty ? name as String : name.deletingPathExtension
        let folder = path.deletingLastPathComponent
        let file = stem + "-best" + (ext.isEmpty ? ".h5" : "." + ext)
        return folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file)
    }

    /// Refuses, before training, a best-model path that is one of the run's inputs (the checkpoint
    /// itself included), a file there that is not an LNet checkpoint, or (for a new run without `force`)
    /// an existing one.
    static func checkTarget(_ path: String, inputs: InputFiles, isNewRun: Bool, force: Bool) throws {
        try AtomicFile.checkWritable(path)
        try inputs.refuse(output: path)
        switch try CheckpointTarget.examine(path) {
        case .absent:
            break
        case .checkpoint:
            if isNewRun, !force { throw RunError(path: path, .checkpointExists(path)) }
        case .other(let description):
            throw RunError(path: path, .notACheckpoint(description))
        }
    }

    /// The record a best-model file holds, when it is a readable checkpoint that has one; nil otherwise.
    static func record(inFile path: String) -> BestRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return (try? CheckpointFile.read(from: path))?.training?.best
    }

    /// Whether `cost` at `epoch` beats the best so far (strictly: a tie keeps the earlier model). When it does,
    /// `write` is called with the new record and must save the model atomically; the record is taken only once
    /// the write has succeeded.
    @discardableResult
    func consider(cost: Double, epoch: Int, write: (BestRecord) throws -> Void) throws -> Bool {
        guard isJudging, cost.isFinite, cost < (best?.cost ?? .infinity) else { return false }
        let record = BestRecord(cost: cost, epoch: epoch, measure: measure)
        try write(record)
        best = record
        return true
    }
}
