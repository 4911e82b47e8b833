/// Everything a training run needs to continue exactly where it stopped, as plain
/// values: save it in a checkpoint, build a ``TrainingSession`` from it later, and the
/// run continues bit for bit as if it had never stopped.
public struct TrainingState: Sendable, Equatable, Codable {
    /// `W1, b1, …` after the last completed update.
    public var parameters: NetworkParameters
    /// Momentum's / Adam's `v`, Adam's `s` and `t`.
    public var optimizer: OptimizerState
    /// The learning rate the next update uses (after any decay).
    public var learningRate: Double
    /// Epochs fully finished (the next epoch's 0-based index).
    public var completedEpochs: Int
    /// Index of the next mini-batch inside the current epoch (0 at an epoch boundary).
    public var nextMiniBatch: Int
    /// Σ over the current epoch's finished mini-batches of `Σloss + λ/2·Σ‖W‖²`;
    /// the epoch's cost will be this sum divided by `m`. 0 at an epoch boundary.
    public var partialCostSum: Double
    /// The numpy-compatible generator, as it stands after the last update.
    public var generator: NumpyRandom.State
    /// The cost of every finished epoch, in order.
    public var costs: [Double]

    /// Creates a state from its parts (``TrainingSession`` checks it fits before use).
    public init(parameters: NetworkParameters, optimizer: OptimizerState, learningRate: Double,
                completedEpochs: Int, nextMiniBatch: Int, partialCostSum: Double,
                generator: NumpyRandom.State, costs: [Double]) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.completedEpochs = completedEpochs
        self.nextMiniBatch = nextMiniBatch
        self.partialCostSum = partialCostSum
        self.generator = generator
        self.costs = costs
    }

    /// The state before the first update: the generator seeded with `seed`, the
    /// weights drawn from it, zero optimizer moments, `lr0`.
    public init(initialFor configuration: TrainingConfiguration) throws {
        try configuration.validate()
        var generator = NumpyRandom(seed: configuration.seed)
        parameters = try configuration.initialization.parameters(layerSizes: configuration.layerSizes,
                                                                 generator: &generator)
        optimizer = OptimizerState(initialFor: configuration.optimizer, layerSizes: configuration.layerSizes)
        learningRate = configuration.learningRate
        completedEpochs = 0
        nextMiniBatch = 0
        partialCostSum = 0
        self.generator = generator.state
        costs = []
    }

    /// Whether the state sits between two epochs rather than inside one.
    public var isAtEpochBoundary: Bool { nextMiniBatch == 0 }
}
