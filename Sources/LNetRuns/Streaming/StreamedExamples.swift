import LNetStorage
import LNetTraining

/// A dataset file's examples read a mini-batch at a time, never whole: the
/// `ExampleSource` behind `lnet train --stream`.
///
/// In memory it keeps the labels (8 bytes per example) and one batch's rows;
/// x stays in the file. A batch's shuffled indices are sorted, cut into runs
/// of consecutive examples and read (`HDF5Dataset.readRows(runs:into:)`); each
/// row is then divided, standardised and placed in its column, in the batch's
/// (permutation) order. The arithmetic is the in-memory path's, element for
/// element, so a streamed run equals an in-memory one bit for bit.
public final class StreamedExamples: ExampleSource {
    /// The open file (kept open for the run).
    public let file: DatasetFile
    /// n_x, the features per example: the product of x's shape after its first axis.
    public let featureCount: Int
    /// m, the number of examples: the length of x's first axis.
    public let exampleCount: Int
    /// Every example's class id, all held in memory (8 bytes per example).
    public let labels: [Int64]
    /// What is applied to every row read: division, then standardisation.
    public let preprocessing: InputPreprocessing

    /// The batch's (example index, column) pairs, sorted by index.
    private var sorted: [(index: Int, column: Int)] = []
    private var runs: [Range<Int>] = []
    /// One batch's rows as read (examples × features), grown on demand.
    private var rows: [Double] = []

    /// Wraps an open file whose labels and preprocessing are known (see
    /// ``StreamedExamples/open(path:x:y:preprocessing:standardize:blockBytes:selection:)``).
    public init(file: DatasetFile, labels: [Int64], preprocessing: InputPreprocessing) {
        self.file = file
        featureCount = file.featureCount
        exampleCount = file.exampleCount
        self.labels = labels
        self.preprocessing = preprocessing
    }

    /// Reads the examples `indices` (each in `0..<exampleCount`, no repeats) from the file in as few runs as they
    /// allow, prepares them, and writes example `indices[j]` as column `j` of the row-major
    /// `featureCount × indices.count` matrix at `destination`. Throws `ConfigurationError` for an index out of
    /// range or repeated.
    public func gatherColumns(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Double>) throws {
        let b = indices.count
        let n = featureCount
        guard b > 0 else { return }
        sorted.removeAll(keepingCapacity: true)
        for (column, index) in indices.enumerated() {
            guard index >= 0, index < exampleCount else {
                throw ConfigurationError("example \(index) does not exist: the data set has \(exampleCount)")
            }
            sorted.append((index, column))
        }
        sorted.sort { $0.index < $1.index }
        runs.removeAll(keepingCapacity: true)
        var runStart = sorted[0].index
        var runEnd = runStart + 1
        for pair in sorted.dropFirst() {
            guard pair.index >= runEnd else {
                throw ConfigurationError("example \(pair.index) appears twice in one batch")
            }
            if pair.index == runEnd {
                runEnd += 1
            } else {
                runs.append(runStart..<runEnd)
                runStart = pair.index
                runEnd = runStart + 1
            }
        }
        runs.append(runStart..<runEnd)
        if rows.count < b * n { rows = [Double](repeating: 0, count: b * n) }
        try rows.withUnsafeMutableBufferPointer { rows in
            let batch = UnsafeMutableBufferPointer(rebasing: rows[0..<(b * n)])
            try file.readFeatures(runs: runs, into: batch, divisor: preprocessing.divisor)
            preprocessing.standardize(examplesInRows: batch, featureCount: n)
            guard let source = UnsafePointer(batch.baseAddress) else { return }
            for (k, pair) in sorted.enumerated() {
                let row = source + k * n
                let column = destination + pair.column
                for feature in 0..<n { column[feature * b] = row[feature] }
            }
        }
    }

    /// Opens the dataset at `path` for streaming and makes the passes the
    /// in-memory path makes over x, a block of examples at a time: the check
    /// that every feature is finite and, with `standardize` (and no
    /// `preprocessing` given), the means, then the deviations, summed in the
    /// same order as `InputPreprocessing.standardizing`. Memory: one block
    /// of about `blockBytes` bytes.
    public static func open(
        path: String, x: String?, y: String?, preprocessing given: InputPreprocessing?, standardize: Bool,
        blockBytes: Int = 8 << 20, selection: DatasetSelection = .data
    ) throws -> StreamedExamples {
        let file = try DatasetFile(path: path, x: x, y: y, requireLabels: true, selection: selection)
        let m = file.exampleCount
        let n = file.featureCount
        let divisor = given?.divisor ?? file.inputDivisor
        if let mean = given?.mean, mean.count != n {
            throw RunError(path: path, "x has \(n) features but the model standardises \(mean.count)")
        }
        let fitting = given == nil && standardize
        var moments = StandardizationMoments(featureCount: n)
        let blockRows = max(1, min(m, blockBytes / max(8 * n, 1)))
        var block = [Double](repeating: 0, count: blockRows * n)
        func eachBlock(_ body: (UnsafeBufferPointer<Double>, Int, Int) throws -> Void) throws {
            var start = 0
            while start < m {
                let end = min(m, start + blockRows)
                try block.withUnsafeMutableBufferPointer { buffer in
                    let part = UnsafeMutableBufferPointer(rebasing: buffer[0..<((end - start) * n)])
                    try file.readFeatures(runs: [start..<end], into: part, divisor: divisor)
                    try body(UnsafeBufferPointer(part), start, end - start)
                }
                start = end
            }
        }
        try eachBlock { values, first, count in
            if let offset = values.firstIndex(where: { !$0.isFinite }) {
                let (example, feature) = offset.quotientAndRemainder(dividingBy: n)
                throw RunError(
                    path: path,
                    "x (\(file.xName)) holds \(values[offset]) at example \(first + example), feature \(feature): features must be finite numbers")
            }
            if fitting { moments.addToMeans(examplesInRows: values, exampleCount: count) }
        }
        var prepared = given ?? InputPreprocessing(divisor: divisor)
        if fitting {
            moments.finishMeans()
            try eachBlock { values, _, count in moments.addToVariances(examplesInRows: values, exampleCount: count) }
            prepared = moments.preprocessing(divisor: divisor)
        }
        let labels = try file.readLabels().map(Int64.init)
        return StreamedExamples(file: file, labels: labels, preprocessing: prepared)
    }
}

extension Network {
    /// The fraction of `source`'s examples whose predicted class equals the
    /// label, predicted `blockColumns` examples at a time so that memory
    /// stays bounded by a block.
    public func accuracy(on source: any ExampleSource, blockColumns: Int) throws -> Double {
        let m = source.exampleCount
        let n = source.featureCount
        let labels = source.labels
        guard m > 0, labels.count == m else { throw ConfigurationError("the data set has no examples to predict") }
        let width = max(1, min(m, blockColumns))
        var indices = [Int](repeating: 0, count: width)
        var correct = 0
        var start = 0
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
            let predicted = try predict(try Matrix(rows: n, columns: columns, elements: block))
            for j in 0..<columns where predicted[j] == labels[start + j] { correct += 1 }
            start = end
        }
        return Double(correct) / Double(m)
    }
}
