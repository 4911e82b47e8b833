/// The weights and biases of an L-layer network: `W[l]` is `(n_l, n_{l−1})`,
/// `b[l]` is `(n_l, 1)`; index 0 holds layer 1 (the course's `W1`, `b1`).
///
/// The same shape also carries gradients (`dW`, `db`) and the optimizer's moments.
public struct NetworkParameters: Sendable, Equatable, Hashable, Codable {
    /// `W1 … WL`.
    public private(set) var weights: [Matrix]
    /// `b1 … bL`.
    public private(set) var biases: [Matrix]

    /// Checks that consecutive layers fit together and each bias is a column.
    public init(weights: [Matrix], biases: [Matrix]) throws {
        guard !weights.isEmpty, weights.count == biases.count else {
            throw ConfigurationError("a network needs as many bias vectors as weight matrices, and at least one of each (got \(weights.count) and \(biases.count))")
        }
        for l in weights.indices {
            guard biases[l].rows == weights[l].rows, biases[l].columns == 1 else {
                throw ConfigurationError("b\(l + 1) must be \(weights[l].rows)×1, is \(biases[l].rows)×\(biases[l].columns)")
            }
            if l > 0, weights[l].columns != weights[l - 1].rows {
                throw ConfigurationError("W\(l + 1) has \(weights[l].columns) columns but layer \(l) has \(weights[l - 1].rows) units")
            }
        }
        self.weights = weights
        self.biases = biases
    }

    private enum CodingKeys: String, CodingKey { case weights, biases }

    /// Decodes and checks that the layers fit together (a checkpoint is input).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(weights: try container.decode([Matrix].self, forKey: .weights),
                      biases: try container.decode([Matrix].self, forKey: .biases))
    }

    init(uncheckedWeights weights: [Matrix], biases: [Matrix]) {
        self.weights = weights
        self.biases = biases
    }

    /// All zeros, for the given layer sizes `[n_x, n_1, …, n_L]`.
    public init(zerosFor layerSizes: [Int]) {
        weights = (1..<max(layerSizes.count, 1)).map { Matrix(rows: layerSizes[$0], columns: layerSizes[$0 - 1]) }
        biases = (1..<max(layerSizes.count, 1)).map { Matrix(rows: layerSizes[$0], columns: 1) }
    }

    /// `[n_x, n_1, …, n_L]`.
    public var layerSizes: [Int] {
        guard let first = weights.first else { return [] }
        return [first.columns] + weights.map(\.rows)
    }

    /// The number of layers with parameters (`L`).
    public var layerCount: Int { weights.count }

    /// Every value in the course's order: `W1` (row-major), `b1`, `W2`, `b2`, …
    public var flattened: [Double] {
        var values: [Double] = []
        values.reserveCapacity(weights.reduce(0) { $0 + $1.elements.count } + biases.reduce(0) { $0 + $1.rows })
        for l in weights.indices {
            values += weights[l].elements
            values += biases[l].elements
        }
        return values
    }

    /// Rebuilds parameters of the given layer sizes from ``flattened`` values.
    public init(layerSizes: [Int], flattened values: [Double]) throws {
        let layout = try ParameterLayout(layerSizes: layerSizes)
        guard values.count == layout.count else {
            throw ConfigurationError("layer sizes \(layerSizes) need \(layout.count) parameters, got \(values.count)")
        }
        var weights: [Matrix] = []
        var biases: [Matrix] = []
        for l in 1..<layerSizes.count {
            let w = layout.weightOffsets[l - 1]
            let b = layout.biasOffsets[l - 1]
            weights.append(try Matrix(rows: layerSizes[l], columns: layerSizes[l - 1],
                                      elements: Array(values[w..<(w + layerSizes[l] * layerSizes[l - 1])])))
            biases.append(try Matrix(rows: layerSizes[l], columns: 1, elements: Array(values[b..<(b + layerSizes[l])])))
        }
        try self.init(weights: weights, biases: biases)
    }
}

/// Where each layer's `W` and `b` sit in one flat buffer (`W1, b1, W2, b2, …`).
///
/// Training keeps parameters, gradients and optimizer moments in flat buffers of
/// this layout, so an optimizer update is one loop with no per-layer bookkeeping.
struct ParameterLayout: Sendable, Equatable {
    let layerSizes: [Int]
    let weightOffsets: [Int]
    let biasOffsets: [Int]
    let count: Int

    init(layerSizes: [Int]) throws {
        guard layerSizes.count >= 2 else {
            throw ConfigurationError("layer sizes need an input size and at least one layer, got \(layerSizes)")
        }
        guard layerSizes.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationError("every layer size must be positive, got \(layerSizes)")
        }
        var weightOffsets: [Int] = []
        var biasOffsets: [Int] = []
        var offset = 0
        for l in 1..<layerSizes.count {
            weightOffsets.append(offset)
            let (product, overflow) = layerSizes[l].multipliedReportingOverflow(by: layerSizes[l - 1])
            guard !overflow, product < Int(Int32.max) else {
                throw ConfigurationError("layer \(l) is too large: \(layerSizes[l])×\(layerSizes[l - 1])")
            }
            offset += product
            biasOffsets.append(offset)
            offset += layerSizes[l]
        }
        self.layerSizes = layerSizes
        self.weightOffsets = weightOffsets
        self.biasOffsets = biasOffsets
        self.count = offset
    }

    var layerCount: Int { layerSizes.count - 1 }
}
