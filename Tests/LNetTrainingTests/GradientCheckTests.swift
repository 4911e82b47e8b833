import Testing
@testable import LNetTraining

/// Backprop against centred differences, for every activation, both losses, with L2.
@Suite struct GradientCheckTests {
    /// A small data set: 4 features, 7 examples, labels for `classes` classes.
    static func data(classes: Int) throws -> LabeledData {
        var generator = NumpyRandom(seed: 21)
        let x = try generator.randn(4, 7)
        let labels = (0..<7).map { Int64($0 % classes) }
        return try LabeledData(features: x, labels: labels)
    }

    /// A network whose relu/leaky-relu pre-activations all lie well away from 0, trying seeds in turn.
    static func network(hidden: [Activation], output: OutputLayer, units: Int, data: LabeledData) throws -> Network {
        for seed in UInt32(1)...50 {
            var parameters = try Initialization.he.parameters(layerSizes: [4, 5, 3, units], seed: seed)
            // Non-zero biases, so their gradients are exercised away from the start point.
            var generator = NumpyRandom(seed: seed + 100)
            let biases = try parameters.biases.map { b in
                try Matrix(rows: b.rows, columns: 1, elements: generator.normal(scale: 0.1, count: b.rows))
            }
            parameters = try NetworkParameters(weights: parameters.weights, biases: biases)
            let network = try Network(hiddenActivations: hidden, output: output, parameters: parameters)
            if try GradientCheck.smallestKinkDistance(network, on: data) > 1e-5 { return network }
        }
        throw ConfigurationError("no seed gave a network away from the relu kinks")
    }

    @Test(arguments: Activation.allCases, [OutputLayer.sigmoid, .softmax])
    func backpropMatchesFiniteDifferences(activation: Activation, output: OutputLayer) throws {
        let units = output == .sigmoid ? 1 : 3
        let data = try Self.data(classes: output == .sigmoid ? 2 : 3)
        let others: [Activation] = [activation, activation == .tanh ? .sigmoid : .tanh]
        for l2 in [0.0, 0.7] {
            let network = try Self.network(hidden: others, output: output, units: units, data: data)
            let result = try GradientCheck.run(network, on: data, l2: l2)
            #expect(result.relativeDifference < 1e-7, "\(activation) \(output) λ=\(l2): \(result.relativeDifference)")
        }
    }

    @Test func detectsAWrongGradient() throws {
        let data = try Self.data(classes: 2)
        let network = try Self.network(hidden: [.tanh, .tanh], output: .sigmoid, units: 1, data: data)
        // Checking a cost with L2 against gradients without it must fail.
        let (_, withoutL2) = try network.costAndGradients(on: data, l2: 0)
        let withL2 = try GradientCheck.run(network, on: data, l2: 5)
        let difference = zip(withoutL2.flattened, withL2.numeric).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        #expect(difference > 1e-3)
    }
}
