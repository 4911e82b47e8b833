/// A network's architecture and parameters, for inference and for full-batch cost
/// and gradients (what ``GradientCheck`` compares). Training runs in ``TrainingSession``.
public struct Network: Sendable, Equatable {
    /// One activation per hidden layer.
    public let hiddenActivations: [Activation]
    /// The output activation and loss.
    public let output: OutputLayer
    /// `W1, b1, …`.
    public let parameters: NetworkParameters

    /// Checks that the parts fit together.
    public init(hiddenActivations: [Activation], output: OutputLayer, parameters: NetworkParameters) throws {
        let configuration = TrainingConfiguration(layerSizes: parameters.layerSizes,
                                                  hiddenActivations: hiddenActivations, output: output)
        try configuration.validate()
        self.hiddenActivations = hiddenActivations
        self.output = output
        self.parameters = parameters
    }

    /// `[n_x, n_1, …, n_L]`.
    public var layerSizes: [Int] { parameters.layerSizes }

    /// The output layer's probabilities `A[L]` (`n_L × m`) for `features` (`n_x × m`), without dropout.
    public func probabilities(_ features: Matrix) throws -> Matrix {
        try blockOutputs(features, labels: nil).probabilities
    }

    /// The predicted class of each example: `A > 0.5` for sigmoid, the arg-max for softmax.
    public func predict(_ features: Matrix) throws -> [Int64] {
        let units = layerSizes[layerSizes.count - 1]
        return try evaluate(features) { workspace, columns in
            output.predictions(a: workspace.outputActivation(), units: units, columns: columns)
        }
    }

    /// The fraction of examples whose predicted class equals the label.
    public func accuracy(on data: LabeledData) throws -> Double {
        let predicted = try predict(data.features)
        let correct = zip(predicted, data.labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(data.exampleCount)
    }

    /// The full-batch cost `J = Σloss/m + λ/(2m)·Σ‖W‖²` and its gradients, without dropout.
    public func costAndGradients(on data: LabeledData, l2: Double = 0) throws -> (cost: Double, gradients: NetworkParameters) {
        let layout = try ParameterLayout(layerSizes: layerSizes)
        try checkFits(data)
        let flat = DoubleBuffer(parameters.flattened)
        let gradients = DoubleBuffer(count: layout.count)
        let labels = data.labels.map { Int($0) }
        let cost = try evaluate(data.features) { workspace, columns in
            labels.withUnsafeBufferPointer { labelBuffer -> Double in
                guard let labelBase = labelBuffer.baseAddress else { return .nan }
                return data.features.elements.withUnsafeBufferPointer { x -> Double in
                    guard let input = x.baseAddress else { return .nan }
                    let lossSum = workspace.lossSum(labels: labelBase, columns: columns)
                    workspace.backward(parameters: flat.pointer, gradients: gradients.pointer, input: input,
                                       labels: labelBase, columns: columns, l2: l2)
                    return (lossSum + l2 / 2 * layout.sumOfSquaredWeights(flat.pointer)) / Double(columns)
                }
            }
        }
        return try withExtendedLifetime(flat) { (cost, try NetworkParameters(layerSizes: layerSizes, flattened: gradients.array)) }
    }

    /// The full-batch cost alone (see ``costAndGradients(on:l2:)``).
    public func cost(on data: LabeledData, l2: Double = 0) throws -> Double {
        let layout = try ParameterLayout(layerSizes: layerSizes)
        try checkFits(data)
        let flat = DoubleBuffer(parameters.flattened)
        let labels = data.labels.map { Int($0) }
        return try evaluate(data.features) { workspace, columns in
            labels.withUnsafeBufferPointer { labelBuffer -> Double in
                guard let labelBase = labelBuffer.baseAddress else { return .nan }
                let lossSum = workspace.lossSum(labels: labelBase, columns: columns)
                return withExtendedLifetime(flat) {
                    (lossSum + l2 / 2 * layout.sumOfSquaredWeights(flat.pointer)) / Double(columns)
                }
            }
        }
    }

    /// One block's forward pass, for ``SavedModel``.
    public struct BlockOutputs: Sendable {
        /// `A[L]` (`n_L × columns`).
        public let probabilities: Matrix
        /// Each column's predicted class.
        public let predicted: [Int]
        /// Σ of the per-example losses (0 without labels).
        public let lossSum: Double
    }

    /// The outputs, predictions and (given `labels`, one per column) loss sum of one
    /// forward pass over `features` (`n_x × columns`), without dropout.
    public func blockOutputs(_ features: Matrix, labels: [Int]?) throws -> BlockOutputs {
        let units = layerSizes[layerSizes.count - 1]
        return try evaluate(features) { workspace, columns in
            let a = workspace.outputActivation()
            let probabilities = try Matrix(rows: units, columns: columns,
                                           elements: Array(UnsafeBufferPointer(start: a, count: units * columns)))
            let predicted = output.predictions(a: a, units: units, columns: columns).map { Int($0) }
            let lossSum = labels.map { labels in
                labels.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress.map { workspace.lossSum(labels: $0, columns: columns) } ?? 0
                }
            } ?? 0
            return BlockOutputs(probabilities: probabilities, predicted: predicted, lossSum: lossSum)
        }
    }

    private func checkFits(_ data: LabeledData) throws {
        let configuration = TrainingConfiguration(layerSizes: layerSizes, hiddenActivations: hiddenActivations, output: output)
        try configuration.validate(data)
    }

    /// Runs a forward pass over all of `features` in a workspace of that size, then `body`.
    private func evaluate<R>(_ features: Matrix, _ body: (ForwardBackwardWorkspace<Double>, Int) throws -> R) throws -> R {
        guard features.rows == layerSizes[0] else {
            throw ConfigurationError("the network expects \(layerSizes[0]) features per example, got \(features.rows)")
        }
        let layout = try ParameterLayout(layerSizes: layerSizes)
        let columns = features.columns
        let workspace = ForwardBackwardWorkspace<Double>(layout: layout, hiddenActivations: hiddenActivations,
                                                 output: output, keepProbability: 1, capacity: max(columns, 1))
        let flat = DoubleBuffer(parameters.flattened)
        var unusedGenerator = NumpyRandom(seed: 0)
        guard columns > 0 else { return try body(workspace, 0) }
        withExtendedLifetime(flat) {
            features.elements.withUnsafeBufferPointer { x in
                guard let input = x.baseAddress else { return }
                workspace.forward(parameters: flat.pointer, input: input, columns: columns,
                                  applyDropout: false, generator: &unusedGenerator)
            }
        }
        return try body(workspace, columns)
    }
}

extension NetworkParameters {
    /// Reads parameters of `layout` from a flat buffer (`W1, b1, W2, b2, …`), widening
    /// float32 values to doubles (exactly).
    init<Scalar: TrainingScalar>(layout: ParameterLayout, flat: UnsafePointer<Scalar>) {
        var weights: [Matrix] = []
        var biases: [Matrix] = []
        let sizes = layout.layerSizes
        for k in 0..<layout.layerCount {
            var w = Matrix(rows: sizes[k + 1], columns: sizes[k])
            w.withUnsafeMutableBufferPointer { buffer in
                let source = flat + layout.weightOffsets[k]
                for i in buffer.indices { buffer[i] = source[i].doubleValue }
            }
            var b = Matrix(rows: sizes[k + 1], columns: 1)
            b.withUnsafeMutableBufferPointer { buffer in
                let source = flat + layout.biasOffsets[k]
                for i in buffer.indices { buffer[i] = source[i].doubleValue }
            }
            weights.append(w)
            biases.append(b)
        }
        // Shapes come from a validated layout, so they always fit together.
        self.init(uncheckedWeights: weights, biases: biases)
    }
}
