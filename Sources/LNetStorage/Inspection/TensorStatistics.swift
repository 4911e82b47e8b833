/// Summary statistics of a numeric dataset, computed in one streaming pass
/// over blocks of rows so that a dataset larger than memory can be described.
///
/// `min`, `max`, `mean`, `std` and `l2Norm` are over the finite values only;
/// NaN and ±infinity are counted instead of poisoning every other number, so a
/// diverged tensor still shows where its finite part lies.
///
/// ```swift
/// let stats = try TensorStatistics(of: file.dataset(at: "/parameters/W1"))
/// print(stats.mean, stats.nanCount)
/// ```
public struct TensorStatistics: Hashable, Sendable {
    /// Every element, finite or not.
    public var count: Int = 0
    /// Elements that are NaN.
    public var nanCount: Int = 0
    /// Elements that are +infinity or -infinity.
    public var infinityCount: Int = 0
    /// The smallest finite value (`nil` when there is none).
    public var min: Double?
    /// The largest finite value.
    public var max: Double?
    /// The mean of the finite values.
    public var mean: Double?
    /// Their population standard deviation (numpy's `std`, ddof 0).
    public var std: Double?
    /// The Euclidean norm of the finite values, √Σx².
    public var l2Norm: Double?

    /// Running state: Welford's mean and sum of squared deviations, which stay
    /// accurate where Σx² − (Σx)²/n cancels catastrophically.
    private var finiteCount = 0
    private var runningMean = 0.0
    private var squaredDeviations = 0.0
    /// Σx² as scale²·sum, LAPACK's dnrm2 way, so the norm of huge values does
    /// not overflow.
    private var normScale = 0.0
    private var normSum = 1.0

    /// Empty statistics, to be fed with `add(_:)`.
    public init() {}

    /// Statistics of `values`.
    public init<S: Sequence>(values: S) where S.Element == Double {
        add(values)
    }

    /// Reads `dataset` in blocks of rows (any numeric type, converted to
    /// `Double` by HDF5) and describes it.
    public init(of dataset: HDF5Dataset) throws {
        try DatasetBlocks.forEach(dataset) { block in add(block) }
    }

    /// Adds values to the statistics.
    public mutating func add<S: Sequence>(_ values: S) where S.Element == Double {
        for value in values {
            count += 1
            guard value.isFinite else {
                if value.isNaN { nanCount += 1 } else { infinityCount += 1 }
                continue
            }
            finiteCount += 1
            min = Swift.min(min ?? value, value)
            max = Swift.max(max ?? value, value)
            let delta = value - runningMean
            runningMean += delta / Double(finiteCount)
            squaredDeviations += delta * (value - runningMean)
            let magnitude = value.magnitude
            if magnitude > 0 {
                if normScale < magnitude {
                    let ratio = normScale / magnitude
                    normSum = 1 + normSum * ratio * ratio
                    normScale = magnitude
                } else {
                    let ratio = magnitude / normScale
                    normSum += ratio * ratio
                }
            }
        }
        if finiteCount > 0 {
            mean = runningMean
            std = (Swift.max(squaredDeviations, 0) / Double(finiteCount)).squareRoot()
            l2Norm = normScale == 0 ? 0 : normScale * normSum.squareRoot()
        }
    }
}

/// Reads a dataset in blocks of whole rows (along its first axis), so memory
/// stays bounded by the block size however large the dataset is.
enum DatasetBlocks {
    /// About 1 Mi values (8 MiB as `Double`) per block.
    static let targetValues = 1 << 20

    /// The number of rows per block for a dataset of `shape`: at least one
    /// row, so a single huge row is still read (whole).
    static func rowsPerBlock(_ shape: [Int], targetValues: Int = targetValues) -> Int {
        let rowValues = shape.dropFirst().reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard rowValues > 0 else { return Swift.max(shape.first ?? 1, 1) }
        return Swift.max(1, targetValues / rowValues)
    }

    /// Calls `body` with consecutive blocks of values in row-major order.
    static func forEach(_ dataset: HDF5Dataset, targetValues: Int = targetValues, _ body: ([Double]) throws -> Void) throws {
        let shape = try dataset.shape
        guard let rows = shape.first else {
            try body(try dataset.read(as: Double.self))
            return
        }
        let step = rowsPerBlock(shape, targetValues: targetValues)
        var start = 0
        while start < rows {
            let end = start + Swift.min(step, rows - start)
            try body(try dataset.readRows(start..<end, as: Double.self))
            start = end
        }
    }
}
