import LNetTraining
/// `lnet gradcheck`: a gradient check on a small random network and data.
public enum GradientCheckRun {
    /// The largest network `random` checks.
    public static let maximumParameters = 100_000

    /// A point closer than this to a relu or leaky-relu kink (some pre-activation within
    /// it of 0) is not checked: the centred differences would straddle the kink and
    /// disagree with backpropagation for a good reason.
    public static let kinkMargin = 1e-5
    /// Points drawn, at most, to find one clear of every kink.
    public static let maximumDraws = 100

    /// Throws a ``RunError`` unless `examples` lies in 1…100000 and `l2` is a
    /// finite number ≥ 0.
    public static func checkSettings(examples: Int, l2: Double) throws {
        guard (1...100_000).contains(examples) else { throw RunError(path: nil, .gradientCheckExamples) }
        guard l2 >= 0, l2.isFinite else { throw RunError(path: nil, .gradientCheckL2) }
    }

    /// What the check found.
    public struct Report: Sendable {
        /// `‖g − g̃‖ / (‖g‖ + ‖g̃‖)` between the backprop and finite-difference gradients, L2 term included; below
        /// 1e-7 means backprop is right.
        public let relativeDifference: Double
        /// The smallest |Z| of any relu/leaky-relu unit at the checked point (at least ``kinkMargin``).
        public let kinkDistance: Double
        /// Which draw gave the checked point (1: the first); earlier ones lay too close to a kink.
        public let draw: Int
    }

    /// Draws a point from the numpy-compatible generator seeded with `seed`: He-initialised
    /// weights, biases `0.1·randn` (zero biases put a whole layer's pre-activations exactly
    /// on the kink whenever the layer before is all zeros), standard-normal data and random
    /// labels; draws again while some relu pre-activation lies within ``kinkMargin`` of its
    /// kink, and runs the check on the first point clear of them. `activations` lists one
    /// per layer, output last.
    public static func random(
        layerSizes: [Int], activations: [String]?, examples: Int, l2: Double, seed: UInt32
    ) throws -> Report {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else {
            throw RunError(path: nil, .gradientCheckLayers)
        }
        try checkSettings(examples: examples, l2: l2)
        // Two cost evaluations per parameter: a check is for small networks,
        // and the count is computed without overflow for any --layers given.
        var parameterCount = 0
        for (fanIn, units) in zip(layerSizes, layerSizes.dropFirst()) {
            let (weights, overflow) = units.multipliedReportingOverflow(by: fanIn + 1)
            guard !overflow, parameterCount <= maximumParameters - weights else {
                throw RunError(path: nil, .gradientCheckTooLarge(layers: layerSizes, maximum: maximumParameters))
            }
            parameterCount += weights
        }
        try MemoryPolicy.inMemory.admit(
            MemoryEstimate.training(layerSizes: layerSizes, exampleCount: examples, batchSize: examples,
                                    optimizer: .gradientDescent, keepProbability: 1, streamed: false),
            path: nil, what: "a gradient check of layers \(layerSizes.map(String.init).joined(separator: ",")) on \(examples) examples",
            advice: .fewerExamplesOrUnits)
        let layerCount = layerSizes.count - 1
        let names = activations ?? (Array(repeating: "relu", count: layerCount - 1) + [(layerSizes.last ?? 1) > 1 ? "softmax" : "sigmoid"])
        let (hidden, output): ([Activation], OutputLayer)
        do {
            (hidden, output) = try ActivationNames.parse(names, layerCount: layerCount, outputUnits: layerSizes[layerCount])
        } catch let error as ConfigurationError {
            throw RunError(path: nil, error)
        }
        var generator = NumpyRandom(seed: seed)
        let classes = UInt64(output.classCount(units: layerSizes[layerCount]))
        for draw in 1...maximumDraws {
            let initial = try Initialization.he.parameters(layerSizes: layerSizes, generator: &generator)
            let biases = try layerSizes.dropFirst().map { units in
                try Matrix(rows: units, columns: 1, elements: generator.standardNormal(count: units).map { $0 * 0.1 })
            }
            let parameters = try NetworkParameters(weights: initial.weights, biases: biases)
            let network = try Network(hiddenActivations: hidden, output: output, parameters: parameters)
            let features = try Matrix(rows: layerSizes[0], columns: examples,
                                      elements: generator.standardNormal(count: layerSizes[0] * examples))
            let labels = (0..<examples).map { _ in Int64(generator.nextInterval(upTo: classes - 1)) }
            let data = try LabeledData(features: features, labels: labels)
            let kinkDistance = try GradientCheck.smallestKinkDistance(network, on: data)
            guard kinkDistance >= kinkMargin else { continue }
            let result = try GradientCheck.run(network, on: data, l2: l2)
            return Report(relativeDifference: result.relativeDifference, kinkDistance: kinkDistance, draw: draw)
        }
        throw RunError(path: nil, .gradientCheckKinks(draws: maximumDraws, margin: kinkMargin))
    }
}
