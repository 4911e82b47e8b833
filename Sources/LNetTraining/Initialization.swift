/// How the weights start (biases always start at zero).
///
/// The generator is seeded once with the configuration's seed, then each layer draws
/// `randn(n_l, n_{l−1})` in order, exactly as the course's `initialize_parameters*`.
public enum Initialization: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// He: `randn · √(2/n_{l−1})`, the course's `initialize_parameters_he`.
    case he
    /// `randn / √n_{l−1}`, the course's `initialize_parameters_deep` (cat model).
    case deep
    /// `randn · 0.01`, the course's first, "small random" initialisation.
    case scaled

    /// Draws every layer's weights from `generator` and zeroes the biases.
    public func parameters(layerSizes: [Int], generator: inout NumpyRandom) throws -> NetworkParameters {
        var weights: [Matrix] = []
        var biases: [Matrix] = []
        for l in 1..<layerSizes.count {
            let fanIn = layerSizes[l - 1]
            var w = try generator.randn(layerSizes[l], fanIn)
            // Each form repeats numpy's expression so the rounding matches:
            // `draw * np.sqrt(2 / n)`, `draw / np.sqrt(n)`, `draw * 0.01`.
            let factor: Double
            switch self {
            case .he: factor = (2 / Double(fanIn)).squareRoot()
            case .deep: factor = Double(fanIn).squareRoot()
            case .scaled: factor = 0.01
            }
            w.withUnsafeMutableBufferPointer { buffer in
                if self == .deep {
                    for i in buffer.indices { buffer[i] /= factor }
                } else {
                    for i in buffer.indices { buffer[i] *= factor }
                }
            }
            weights.append(w)
            biases.append(Matrix(rows: layerSizes[l], columns: 1))
        }
        return try NetworkParameters(weights: weights, biases: biases)
    }

    /// `np.random.seed(seed)` then ``parameters(layerSizes:generator:)``.
    public func parameters(layerSizes: [Int], seed: UInt32) throws -> NetworkParameters {
        var generator = NumpyRandom(seed: seed)
        return try parameters(layerSizes: layerSizes, generator: &generator)
    }
}
