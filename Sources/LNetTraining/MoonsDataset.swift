import Foundation

/// scikit-learn's `make_moons`, reproduced bit for bit for the global numpy generator.
///
/// The course builds its moons set with `np.random.seed(3)` then
/// `sklearn.datasets.make_moons(n_samples=300, noise=.2)`. With no `random_state`,
/// sklearn uses numpy's global generator, which it draws from twice: once to shuffle
/// (`sklearn.utils.shuffle` → `random_state.shuffle(arange(m))`) and once for the noise
/// (`generator.normal(scale=noise, size=X.shape)`, row-major over `(m, 2)`).
public enum MoonsDataset {
    /// Two interleaving half circles with Gaussian noise.
    ///
    /// - Returns: `x` as `(m, 2)` with one example per row (sklearn's layout; use
    ///   ``LabeledData/init(examplesInRows:labels:)`` for training) and `y` with 0 for
    ///   the outer moon, 1 for the inner one.
    public static func make(samples: Int = 300, noise: Double = 0.2, seed: UInt32 = 3) throws -> (x: Matrix, y: [Int64]) {
        guard samples > 0 else { throw ConfigurationError("make_moons needs at least one sample, got \(samples)") }
        guard noise.isFinite, noise >= 0 else { throw ConfigurationError("the noise must be ≥ 0, got \(noise)") }
        let outerCount = samples / 2
        let innerCount = samples - outerCount
        let outerAngles = linspace(0, Double.pi, count: outerCount)
        let innerAngles = linspace(0, Double.pi, count: innerCount)
        var points: [(Double, Double)] = []
        points.reserveCapacity(samples)
        for t in outerAngles { points.append((Foundation.cos(t), Foundation.sin(t))) }
        for t in innerAngles { points.append((1 - Foundation.cos(t), 1 - Foundation.sin(t) - 0.5)) }
        var labels = [Int64](repeating: 0, count: outerCount) + [Int64](repeating: 1, count: innerCount)

        var generator = NumpyRandom(seed: seed)
        let order = generator.permutation(samples)
        points = order.map { points[$0] }
        labels = order.map { labels[$0] }

        let offsets = generator.normal(scale: noise, count: samples * 2)
        var elements = [Double](repeating: 0, count: samples * 2)
        for i in 0..<samples {
            elements[2 * i] = points[i].0 + offsets[2 * i]
            elements[2 * i + 1] = points[i].1 + offsets[2 * i + 1]
        }
        return (try Matrix(rows: samples, columns: 2, elements: elements), labels)
    }

    /// numpy's `linspace(start, stop, count)`: `i · step + start`, the last value exactly `stop`.
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + start }
        values[count - 1] = stop
        return values
    }
}
