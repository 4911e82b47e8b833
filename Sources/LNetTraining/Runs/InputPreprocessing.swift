import LNetStorage

/// What is done to the features before the network sees them: the division of
/// `uint8` data by 255, then optionally `--standardize`'s per-feature mean and
/// standard deviation from the training data. Stored in checkpoints so that
/// evaluate and predict apply exactly what training applied.
public struct InputPreprocessing: Sendable, Equatable {
    /// Every feature is divided by this first (255 for `uint8` data).
    public var divisor: Double
    /// Per-feature mean and standard deviation, when standardising.
    public var mean: [Double]?
    public var standardDeviation: [Double]?

    public init(divisor: Double, mean: [Double]? = nil, standardDeviation: [Double]? = nil) {
        self.divisor = divisor
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Computes the means and standard deviations of `examplesInRows`
    /// (`m × n_x`, already divided), so that training standardises with them.
    /// A constant feature gets a standard deviation of 1, so it maps to 0.
    public static func standardizing(
        divisor: Double, examplesInRows x: [Double], exampleCount m: Int, featureCount n: Int
    ) -> InputPreprocessing {
        var mean = [Double](repeating: 0, count: n)
        var variance = [Double](repeating: 0, count: n)
        for example in 0..<m {
            for feature in 0..<n { mean[feature] += x[example * n + feature] }
        }
        for feature in 0..<n { mean[feature] /= Double(m) }
        for example in 0..<m {
            for feature in 0..<n {
                let deviation = x[example * n + feature] - mean[feature]
                variance[feature] += deviation * deviation
            }
        }
        let deviation = variance.map { total -> Double in
            let std = (total / Double(m)).squareRoot()
            return std > 0 && std.isFinite ? std : 1
        }
        return InputPreprocessing(divisor: divisor, mean: mean, standardDeviation: deviation)
    }

    /// Standardises `examplesInRows` (`m × n_x`, already divided by the
    /// divisor, as `DatasetFile.readFeatures` returns them) in place.
    public func standardize(examplesInRows x: inout [Double], featureCount n: Int) {
        guard let mean, let standardDeviation, n > 0 else { return }
        for start in stride(from: 0, to: x.count, by: n) {
            for feature in 0..<n {
                x[start + feature] = (x[start + feature] - mean[feature]) / standardDeviation[feature]
            }
        }
    }
}
