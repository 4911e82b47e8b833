/// A dense float64 array with its shape, as a checkpoint stores its tensors.
public struct Tensor: Sendable, Equatable {
    /// The shape, outermost dimension first (a W is `[n_l, n_{l-1}]`).
    public var shape: [Int]
    /// The values in C (row-major) order.
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }
}

/// The content of a checkpoint file, field for field as formats/checkpoint.md
/// specifies it. It knows nothing of how the optimizer works: the training
/// module maps its own state onto these plain values.
public struct Checkpoint: Sendable, Equatable {
    /// The `format_version` this code reads and writes.
    public static let formatVersion: Int64 = 1
    /// The value of the root `format` attribute.
    public static let formatName = "lnet-checkpoint"

    /// `/model`: the architecture and the input preprocessing.
    public struct Model: Sendable, Equatable {
        public var layerDims: [Int]
        public var activations: [String]
        public var loss: String
        public var initialization: String
        public var classes: [String]?
        public var inputDivisor: Double
        public var inputMean: [Double]?
        public var inputStd: [Double]?

        public init(
            layerDims: [Int], activations: [String], loss: String, initialization: String = "unknown",
            classes: [String]? = nil, inputDivisor: Double = 1, inputMean: [Double]? = nil, inputStd: [Double]? = nil
        ) {
            self.layerDims = layerDims
            self.activations = activations
            self.loss = loss
            self.initialization = initialization
            self.classes = classes
            self.inputDivisor = inputDivisor
            self.inputMean = inputMean
            self.inputStd = inputStd
        }

        /// The number of layers, L.
        public var layerCount: Int { max(layerDims.count - 1, 0) }
    }

    /// `/optimizer`: its settings and its state.
    public struct Optimizer: Sendable, Equatable {
        public var name: String
        public var learningRate: Double
        public var learningRate0: Double
        public var beta: Double?
        public var beta1: Double?
        public var beta2: Double?
        public var epsilon: Double?
        public var t: Int64
        public var decay: String
        public var decayRate: Double
        public var decayInterval: Int64
        /// `/optimizer/v`: `dW1`, `db1`, … (momentum and adam).
        public var v: [String: Tensor]
        /// `/optimizer/s`: `dW1`, `db1`, … (adam).
        public var s: [String: Tensor]

        public init(
            name: String, learningRate: Double, learningRate0: Double, beta: Double? = nil,
            beta1: Double? = nil, beta2: Double? = nil, epsilon: Double? = nil, t: Int64 = 0,
            decay: String = "none", decayRate: Double = 0, decayInterval: Int64 = 1000,
            v: [String: Tensor] = [:], s: [String: Tensor] = [:]
        ) {
            self.name = name
            self.learningRate = learningRate
            self.learningRate0 = learningRate0
            self.beta = beta
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.t = t
            self.decay = decay
            self.decayRate = decayRate
            self.decayInterval = decayInterval
            self.v = v
            self.s = s
        }
    }

    /// The state of numpy's legacy MT19937 generator, as `/training/rng_*`.
    public struct GeneratorState: Sendable, Equatable {
        public var key: [UInt32]
        public var position: Int
        public var hasGauss: Bool
        public var gauss: Double

        public init(key: [UInt32], position: Int, hasGauss: Bool, gauss: Double) {
            self.key = key
            self.position = position
            self.hasGauss = hasGauss
            self.gauss = gauss
        }
    }

    /// `/training`: where training stands and how it was set up.
    public struct Training: Sendable, Equatable {
        public var epoch: Int
        public var epochsTarget: Int
        public var batchInEpoch: Int
        public var epochCostSum: Double
        public var seed: Int64
        public var shuffleSeed: Int64
        public var batchSize: Int
        public var l2: Double
        public var keepProb: Double
        public var data: String
        public var xName: String
        public var yName: String
        public var dataSHA256: String
        public var testData: String
        public var generator: GeneratorState
        public var costs: [Double]

        public init(
            epoch: Int, epochsTarget: Int, batchInEpoch: Int = 0, epochCostSum: Double = 0, seed: Int64,
            shuffleSeed: Int64, batchSize: Int, l2: Double, keepProb: Double, data: String, xName: String,
            yName: String, dataSHA256: String, testData: String = "", generator: GeneratorState, costs: [Double]
        ) {
            self.epoch = epoch
            self.epochsTarget = epochsTarget
            self.batchInEpoch = batchInEpoch
            self.epochCostSum = epochCostSum
            self.seed = seed
            self.shuffleSeed = shuffleSeed
            self.batchSize = batchSize
            self.l2 = l2
            self.keepProb = keepProb
            self.data = data
            self.xName = xName
            self.yName = yName
            self.dataSHA256 = dataSHA256
            self.testData = testData
            self.generator = generator
            self.costs = costs
        }
    }

    /// `created_by`: the tool and version that wrote the file.
    public var createdBy: String
    public var model: Model
    /// `/parameters`: `W1`, `b1`, … `WL`, `bL`.
    public var parameters: [String: Tensor]
    /// Absent in a parameters-only checkpoint.
    public var optimizer: Optimizer?
    /// Absent in a parameters-only checkpoint.
    public var training: Training?

    public init(
        createdBy: String = "lnet \(LNetVersion.string)", model: Model, parameters: [String: Tensor],
        optimizer: Optimizer? = nil, training: Training? = nil
    ) {
        self.createdBy = createdBy
        self.model = model
        self.parameters = parameters
        self.optimizer = optimizer
        self.training = training
    }

    /// The parameter names in the order the format lists them: W1, b1, W2, b2, ….
    public static func parameterNames(layerCount: Int) -> [String] {
        guard layerCount > 0 else { return [] }
        return (1...layerCount).flatMap { ["W\($0)", "b\($0)"] }
    }

    /// The shape each parameter must have for `layerDims`.
    public static func expectedShapes(layerDims: [Int]) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for layer in layerDims.indices.dropFirst() {
            shapes["W\(layer)"] = [layerDims[layer], layerDims[layer - 1]]
            shapes["b\(layer)"] = [layerDims[layer], 1]
        }
        return shapes
    }
}
