/// Compares backpropagation's gradients with centred finite differences of the cost,
/// the course's `gradient_check_n`.
public enum GradientCheck {
    /// The outcome of one check.
    public struct Result: Sendable, Equatable {
        /// `‖g − g̃‖ / (‖g‖ + ‖g̃‖)`; below 1e-7 means backprop is right.
        public let relativeDifference: Double
        /// Backprop's gradient, flattened (`dW1, db1, …`).
        public let analytic: [Double]
        /// `(J(θ+ε) − J(θ−ε)) / 2ε` for each parameter, same order.
        public let numeric: [Double]
    }

    /// Checks `network`'s gradients on `data` with L2 strength `l2`.
    ///
    /// Where a relu or leaky-relu pre-activation lies within `epsilon` of 0 the
    /// finite difference straddles the kink and disagrees for a good reason; see
    /// ``smallestKinkDistance(_:on:)``.
    public static func run(_ network: Network, on data: LabeledData, l2: Double = 0, epsilon: Double = 1e-7) throws -> Result {
        let (_, gradients) = try network.costAndGradients(on: data, l2: l2)
        let analytic = gradients.flattened
        let theta = network.parameters.flattened
        let sizes = network.layerSizes
        var numeric = [Double](repeating: 0, count: theta.count)
        for i in theta.indices {
            var shifted = theta
            shifted[i] = theta[i] + epsilon
            let plus = try cost(of: shifted, like: network, sizes: sizes, data: data, l2: l2)
            shifted[i] = theta[i] - epsilon
            let minus = try cost(of: shifted, like: network, sizes: sizes, data: data, l2: l2)
            numeric[i] = (plus - minus) / (2 * epsilon)
        }
        let difference = norm(zip(analytic, numeric).map { $0 - $1 })
        let scale = norm(analytic) + norm(numeric)
        return Result(relativeDifference: scale == 0 ? 0 : difference / scale, analytic: analytic, numeric: numeric)
    }

    /// The smallest `|Z|` over every relu / leaky-relu hidden unit and example
    /// (infinity if the network has none): a check is only meaningful when this
    /// exceeds the finite-difference step by a margin.
    public static func smallestKinkDistance(_ network: Network, on data: LabeledData) throws -> Double {
        var smallest = Double.infinity
        var activation = data.features
        for (k, (w, b)) in zip(network.parameters.weights, network.parameters.biases).enumerated()
        where k < network.hiddenActivations.count {
            var z = try Matrix.product(w, activation)
            for r in 0..<z.rows {
                for j in 0..<z.columns { z[r, j] += b[r, 0] }
            }
            let g = network.hiddenActivations[k]
            if g.hasKinkAtZero { smallest = min(smallest, z.elements.map { Swift.abs($0) }.min() ?? .infinity) }
            var a = z
            a.withUnsafeMutableBufferPointer { buffer in
                for i in buffer.indices { buffer[i] = g(buffer[i]) }
            }
            activation = a
        }
        return smallest
    }

    private static func cost(of theta: [Double], like network: Network, sizes: [Int], data: LabeledData, l2: Double) throws -> Double {
        let parameters = try NetworkParameters(layerSizes: sizes, flattened: theta)
        return try Network(hiddenActivations: network.hiddenActivations, output: network.output, parameters: parameters)
            .cost(on: data, l2: l2)
    }

    private static func norm(_ values: [Double]) -> Double {
        values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
