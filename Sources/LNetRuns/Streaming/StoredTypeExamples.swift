import LNetStorage
import LNetTraining

/// A dataset's `uint8` x kept in memory as stored — 1 byte a value, against 8 as doubles — and prepared a
/// mini-batch at a time: the `ExampleSource` of a mini-batch run on image data (issue 14: "x stays in its
/// stored type, scaled per batch").
///
/// Each gathered value is `Double(byte) / divisor`, then standardised, with the very operations the in-memory
/// path applies to the whole of x when it loads it (`DatasetFile.readFeatures`, `InputPreprocessing.standardize`),
/// so a run gets the same bits either way. Full-batch training needs all of X prepared at once and does not use it.
public final class StoredTypeExamples: Float32ExampleSource {
    /// n_x.
    public let featureCount: Int
    /// m.
    public let exampleCount: Int
    /// Every example's class id.
    public let labels: [Int64]
    /// What each gathered value goes through: division, then standardisation.
    public let preprocessing: InputPreprocessing
    /// x as stored: `exampleCount × featureCount` bytes, one example per row.
    private let stored: [UInt8]
    /// `Double(byte) / divisor` for each of the 256 bytes.
    private let quotients: [Double]

    /// The bytes a run holds for x kept this way: one per value.
    public static func bytes(of file: DatasetFile) -> Int {
        let (bytes, overflow) = file.exampleCount.multipliedReportingOverflow(by: file.featureCount)
        return overflow ? Int.max : bytes
    }

    /// Whether a run keeps `file`'s x in its stored type: x is `uint8` and the run trains in mini-batches
    /// (`batchSize` below m; nil for data that is only predicted).
    public static func applies(to file: DatasetFile, batchSize: Int?) -> Bool {
        guard file.featureType == .uint8, let batchSize else { return false }
        return batchSize < file.exampleCount
    }

    /// Reads `file`'s x as stored and its labels. With `preprocessing` (a checkpoint's), applies it; otherwise
    /// divides by the file's divisor and, with `standardize`, fits the means and deviations to the data in
    /// blocks of about `blockBytes`, in the order `InputPreprocessing.standardizing` sums them.
    public init(file: DatasetFile, preprocessing given: InputPreprocessing?, standardize: Bool,
                blockBytes: Int = 8 << 20) throws {
        let m = file.exampleCount
        let n = file.featureCount
        if let mean = given?.mean, mean.count != n {
            throw RunError(path: file.path, "x has \(n) features but the model standardises \(mean.count)")
        }
        let bytes = try file.readStoredBytes()
        let divisor = given?.divisor ?? file.inputDivisor
        let prepared: InputPreprocessing
        if let given {
            prepared = given
        } else if standardize {
            prepared = Self.fitStandardization(bytes, exampleCount: m, featureCount: n, divisor: divisor, blockBytes: blockBytes)
        } else {
            prepared = InputPreprocessing(divisor: divisor)
        }
        preprocessing = prepared
        stored = bytes
        labels = try file.readLabels().map(Int64.init)
        featureCount = n
        exampleCount = m
        quotients = (0...255).map { Double($0) / prepared.divisor }
    }

    /// `--standardize`'s means and deviations of the divided values, fed to ``StandardizationMoments`` a block of
    /// about `blockBytes` at a time: the bits `InputPreprocessing.standardizing` gets from all of x at once.
    static func fitStandardization(_ bytes: [UInt8], exampleCount m: Int, featureCount n: Int, divisor: Double,
                                   blockBytes: Int) -> InputPreprocessing {
        var moments = StandardizationMoments(featureCount: n)
        let blockRows = max(1, min(m, blockBytes / max(8 * n, 1)))
        var block = [Double](repeating: 0, count: blockRows * n)
        func eachBlock(_ body: (UnsafeBufferPointer<Double>, Int) -> Void) {
            var start = 0
            while start < m {
                let count = min(m, start + blockRows) - start
                bytes.withUnsafeBufferPointer { bytes in
                    block.withUnsafeMutableBufferPointer { block in
                        for index in 0..<(count * n) { block[index] = Double(bytes[start * n + index]) / divisor }
                        body(UnsafeBufferPointer(rebasing: block[0..<(count * n)]), count)
                    }
                }
                start += count
            }
        }
        eachBlock { values, count in moments.addToMeans(examplesInRows: values, exampleCount: count) }
        moments.finishMeans()
        eachBlock { values, count in moments.addToVariances(examplesInRows: values, exampleCount: count) }
        return moments.preprocessing(divisor: divisor)
    }

    /// Writes the prepared features of the examples `indices` as the columns of the row-major
    /// `featureCount × indices.count` matrix at `destination`. Throws `ConfigurationError` for an index out of range.
    ///
    /// A byte's divided value comes from a table of the 256 quotients (the same divisions, made once), then
    /// `(value − mean) / std` as `InputPreprocessing.standardize` computes it. The copy runs in tiles of
    /// `tileFeatures` features, so the rows it writes stay in cache while every example of the batch is placed.
    public func gatherColumns(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Double>) throws {
        try gather(indices, into: destination) { $0 }
    }

    /// The same values rounded to float32, for a float32 run (no batch of doubles in between).
    public func gatherColumns(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        try gather(indices, into: destination) { Float($0) }
    }

    @inline(__always)
    private func gather<Element>(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Element>,
                                 converting convert: (Double) -> Element) throws {
        for index in indices where index < 0 || index >= exampleCount {
            throw ConfigurationError("example \(index) does not exist: the data set has \(exampleCount)")
        }
        let b = indices.count
        let n = featureCount
        let tileFeatures = 64
        let mean = preprocessing.mean ?? [], deviation = preprocessing.standardDeviation ?? []
        let standardizes = mean.count == n && deviation.count == n
        stored.withUnsafeBufferPointer { bytes in
            quotients.withUnsafeBufferPointer { quotients in
                mean.withUnsafeBufferPointer { mean in
                    deviation.withUnsafeBufferPointer { deviation in
                        var first = 0
                        while first < n {
                            let last = min(n, first + tileFeatures)
                            for (column, index) in indices.enumerated() {
                                let row = index &* n
                                if standardizes {
                                    for feature in first..<last {
                                        let value = quotients[Int(bytes[row &+ feature])]
                                        destination[feature &* b &+ column] = convert((value - mean[feature]) / deviation[feature])
                                    }
                                } else {
                                    for feature in first..<last {
                                        destination[feature &* b &+ column] = convert(quotients[Int(bytes[row &+ feature])])
                                    }
                                }
                            }
                            first = last
                        }
                    }
                }
            }
        }
    }
}
