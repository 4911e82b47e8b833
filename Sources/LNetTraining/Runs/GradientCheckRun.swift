/// `lnet gradcheck`: a gradient check on a small random network and data.
public enum GradientCheckRun {
    /// The largest network `random` checks.
    public static let maximumParameters = 100_000

    /// What the check found.
    public struct Report: Sendable {
        /// `‖g − g̃‖ / (‖g‖ + ‖g̃‖)` between the backprop and finite-difference gradients, L2 term included; below
        /// 1e-7 means backprop is right.
        public let relativeDifference: Double
        /// The smallest |Z| of any relu/leaky-relu unit: a check is meaningful
        /// only well above the finite-difference step.
        public let kinkDistance: Double
    }

    /// Draws He-initialised parameters and standard-normal data from the
    /// numpy-compatible generator seeded with `seed`, random labels, and runs
    /// the check. `activations` lists one per layer, output last.
    public static func random(
        layerSizes: [Int], activations: [String]?, examples: Int, l2: Double, seed: UInt32
    ) throws -> Report {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else {
            throw RunError(path: nil, "--layers needs at least two positive sizes, input first")
        }
        guard (1...100_000).contains(examples) else { throw RunError(path: nil, "--examples must lie in 1 … 100000") }
        // Two cost evaluations per parameter: a check is for small networks,
        // and the count is computed without overflow for any --layers given.
        var parameterCount = 0
        for (fanIn, units) in zip(layerSizes, layerSizes.dropFirst()) {
            let (weights, overflow) = units.multipliedReportingOverflow(by: fanIn + 1)
            guard !overflow, parameterCount <= maximumParameters - weights else {
                throw RunError(path: nil, "--layers \(layerSizes.map(String.init).joined(separator: ",")) has more than \(maximumParameters) parameters: a gradient check is for small networks")
            }
            parameterCount += weights
        }
        let layerCount = layerSizes.count - 1
        let names = activations ?? (Array(repeating: "relu", count: layerCount - 1) + [(layerSizes.last ?? 1) > 1 ? "softmax" : "sigmoid"])
        guard names.count == layerCount else {
            throw RunError(path: nil, "--activations names \(names.count) activations for \(layerCount) layers")
        }
        var hidden: [Activation] = []
        for name in names.dropLast() {
            guard let activation = Activation(formatName: name) else { throw RunError(path: nil, "unknown activation \"\(name)\"") }
            hidden.append(activation)
        }
        guard let output = names.last.flatMap(OutputLayer.init(rawValue:)) else {
            throw RunError(path: nil, "the output activation must be sigmoid or softmax")
        }
        var generator = NumpyRandom(seed: seed)
        let parameters = try Initialization.he.parameters(layerSizes: layerSizes, generator: &generator)
        let network = try Network(hiddenActivations: hidden, output: output, parameters: parameters)
        let features = try Matrix(rows: layerSizes[0], columns: examples, elements: generator.standardNormal(count: layerSizes[0] * examples))
        let classes = UInt64(output.classCount(units: layerSizes[layerCount]))
        let labels = (0..<examples).map { _ in Int64(generator.nextInterval(upTo: classes - 1)) }
        let data = try LabeledData(features: features, labels: labels)
        let result = try GradientCheck.run(network, on: data, l2: l2)
        return Report(
            relativeDifference: result.relativeDifference,
            kinkDistance: try GradientCheck.smallestKinkDistance(network, on: data))
    }
}
