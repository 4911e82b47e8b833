import LNetStorage
import LNetTraining

/// What is done to the features before the network sees them: the division of
/// `uint8` data by 255, then optionally `--standardize`'s per-feature mean and
/// standard deviation from the training data. Stored in checkpoints so that
/// evaluate and predict apply exactly what training applied.
public struct InputPreprocessing: Sendable, Equatable {
    /// Every feature is divided by this first (255 for `uint8` data).
    public var divisor: Double
    /// Per-feature mean and standard deviation, when standardising.
    public var mean: [Double]?
    /// The per-feature standard deviations the centred features are divided by (1 for a constant feature); nil when
    /// not standardising, like `mean`.
    public var standardDeviation: [Double]?

    /// Makes the preprocessing; give `mean` and `standardDeviation` together, each with one value per feature
    /// (`n_x`), or neither.
    public init(divisor: Double, mean: [Double]? = nil, standardDeviation: [Double]? = nil) {
        self.divisor = divisor
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Computes the means and standard deviations of `examplesInRows`
    /// (`m × n_x`, already divided), so that training standardises with them.
    /// A constant feature gets a standard deviation of 1, so it maps to 0.
    ///
    /// It is ``StandardizationMoments`` fed one block, so a streamed pass that
    /// feeds the same examples block by block gets the same bits.
    public static func standardizing(
        divisor: Double, examplesInRows x: [Double], exampleCount m: Int, featureCount n: Int
    ) -> InputPreprocessing {
        var moments = StandardizationMoments(featureCount: n)
        x.withUnsafeBufferPointer { moments.addToMeans(examplesInRows: $0, exampleCount: m) }
        moments.finishMeans()
        x.withUnsafeBufferPointer { moments.addToVariances(examplesInRows: $0, exampleCount: m) }
        return moments.preprocessing(divisor: divisor)
    }

    /// Standardises `examplesInRows` (`m × n_x`, already divided by the
    /// divisor, as `DatasetFile.readFeatures` returns them) in place.
    public func standardize(examplesInRows x: inout [Double], featureCount n: Int) {
        x.withUnsafeMutableBufferPointer { standardize(examplesInRows: $0, featureCount: n) }
    }

    /// Standardises whole examples of `x` (row-major `examples × n`) in place:
    /// the one formula both the in-memory and the streamed paths use.
    public func standardize(examplesInRows x: UnsafeMutableBufferPointer<Double>, featureCount n: Int) {
        guard let mean, let standardDeviation, n > 0, mean.count == n, standardDeviation.count == n else { return }
        mean.withUnsafeBufferPointer { mean in
            standardDeviation.withUnsafeBufferPointer { std in
                for start in stride(from: 0, to: x.count - n + 1, by: n) {
                    for feature in 0..<n {
                        x[start + feature] = (x[start + feature] - mean[feature]) / std[feature]
                    }
                }
            }
        }
    }
}

/// The running sums behind `--standardize`: the per-feature mean, then the
/// per-feature variance, accumulated over blocks of examples.
///
/// Every sum adds the examples in ascending order, one feature at a time, so
/// feeding the examples in one block or in many consecutive blocks (a
/// streamed pass over a file) gives the same bits.
public struct StandardizationMoments: Sendable {
    /// n_x.
    public let featureCount: Int
    private var sums: [Double]
    private var squaredDeviations: [Double]
    private var mean: [Double]?
    /// Examples added to the means so far.
    public private(set) var meanExamples = 0
    /// Examples added to the variances so far.
    public private(set) var varianceExamples = 0

    /// Empty sums for `featureCount` features.
    public init(featureCount: Int) {
        self.featureCount = featureCount
        sums = [Double](repeating: 0, count: featureCount)
        squaredDeviations = [Double](repeating: 0, count: featureCount)
    }

    /// First pass: adds `exampleCount` examples (row-major, already divided) to the sums.
    public mutating func addToMeans(examplesInRows x: UnsafeBufferPointer<Double>, exampleCount m: Int) {
        let n = featureCount
        guard n > 0, m > 0, x.count >= m * n else { return }
        sums.withUnsafeMutableBufferPointer { sums in
            for example in 0..<m {
                for feature in 0..<n { sums[feature] += x[example * n + feature] }
            }
        }
        meanExamples += m
    }

    /// Ends the first pass: the sums become means.
    public mutating func finishMeans() {
        let count = Double(meanExamples)
        mean = sums.map { $0 / count }
    }

    /// Second pass (after ``finishMeans()``): adds the squared deviations of
    /// `exampleCount` examples, in the order the first pass saw them.
    public mutating func addToVariances(examplesInRows x: UnsafeBufferPointer<Double>, exampleCount m: Int) {
        let n = featureCount
        guard let mean, n > 0, m > 0, x.count >= m * n else { return }
        mean.withUnsafeBufferPointer { mean in
            squaredDeviations.withUnsafeMutableBufferPointer { variance in
                for example in 0..<m {
                    for feature in 0..<n {
                        let deviation = x[example * n + feature] - mean[feature]
                        variance[feature] += deviation * deviation
                    }
                }
            }
        }
        varianceExamples += m
    }

    /// The preprocessing the two passes define; a feature whose standard
    /// deviation is 0 (or not finite) gets 1, so it maps to 0.
    public func preprocessing(divisor: Double) -> InputPreprocessing {
        let m = Double(varianceExamples)
        let deviation = squaredDeviations.map { total -> Double in
            let std = (total / m).squareRoot()
            return std > 0 && std.isFinite ? std : 1
        }
        return InputPreprocessing(divisor: divisor, mean: mean ?? sums, standardDeviation: deviation)
    }
}
