/// Everything that defines a training run, with the course's defaults.
public struct TrainingConfiguration: Sendable, Equatable, Hashable, Codable {
    /// `[n_x, n_1, …, n_L]`.
    public var layerSizes: [Int]
    /// One activation per hidden layer (`L − 1` of them).
    public var hiddenActivations: [Activation]
    /// The output activation and its loss.
    public var output: OutputLayer
    /// Weight initialisation.
    public var initialization: Initialization
    /// `np.random.seed(seed)` before initialisation.
    public var seed: UInt32
    /// The update rule.
    public var optimizer: Optimizer
    /// `lr0`.
    public var learningRate: Double
    /// Learning-rate decay after each epoch.
    public var decay: LearningRateDecay
    /// Examples per mini-batch; `≥ m` means full-batch gradient descent.
    public var batchSize: Int
    /// Epoch `i` shuffles with seed `shuffleSeed + i + 1`.
    public var shuffleSeed: UInt32
    /// L2 strength λ (0 for none).
    public var l2: Double
    /// Probability of keeping a hidden unit under inverted dropout (1 for none).
    public var keepProbability: Double
    /// Number of epochs to train.
    public var epochs: Int
    /// The floating-point type the run computes in (`--dtype`); the cost is summed in float64 either way.
    public var precision: Precision

    /// Creates a configuration; call ``validate()`` (sessions do) before use.
    public init(
        layerSizes: [Int],
        hiddenActivations: [Activation],
        output: OutputLayer = .sigmoid,
        initialization: Initialization = .he,
        seed: UInt32 = CourseDefaults.seed,
        optimizer: Optimizer = .gradientDescent,
        learningRate: Double = CourseDefaults.learningRate,
        decay: LearningRateDecay = .none,
        batchSize: Int = CourseDefaults.batchSize,
        shuffleSeed: UInt32 = CourseDefaults.shuffleSeed,
        l2: Double = 0,
        keepProbability: Double = 1,
        epochs: Int = CourseDefaults.epochs,
        precision: Precision = .float64
    ) {
        self.layerSizes = layerSizes
        self.hiddenActivations = hiddenActivations
        self.output = output
        self.initialization = initialization
        self.seed = seed
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.decay = decay
        self.batchSize = batchSize
        self.shuffleSeed = shuffleSeed
        self.l2 = l2
        self.keepProbability = keepProbability
        self.epochs = epochs
        self.precision = precision
    }

    /// The same activation on every hidden layer.
    public init(layerSizes: [Int], hiddenActivation: Activation = .relu, output: OutputLayer = .sigmoid) {
        self.init(layerSizes: layerSizes,
                  hiddenActivations: Array(repeating: hiddenActivation, count: max(layerSizes.count - 2, 0)),
                  output: output)
    }

    /// The number of classes the output layer predicts.
    public var classCount: Int { output.classCount(units: layerSizes.last ?? 0) }

    /// Throws a ``ConfigurationError`` explaining the first problem found.
    public func validate() throws {
        _ = try ParameterLayout(layerSizes: layerSizes)
        guard hiddenActivations.count == layerSizes.count - 2 else {
            throw ConfigurationError("\(layerSizes.count - 2) hidden layers need \(layerSizes.count - 2) activations, got \(hiddenActivations.count)")
        }
        let units = layerSizes[layerSizes.count - 1]
        switch output {
        case .sigmoid where units != 1:
            throw ConfigurationError("a sigmoid output layer has 1 unit, this one has \(units); use softmax for \(units) classes")
        case .softmax where units < 2:
            throw ConfigurationError("a softmax output layer needs at least 2 units, this one has \(units)")
        default: break
        }
        if let problem = settingProblems().first { throw ConfigurationError(problem) }
    }

    /// What is wrong with the training settings (all but the layers and activations, which
    /// depend on the data), in order; empty when every one is usable. The one statement of
    /// these rules: ``validate()`` throws the first, and a command line maps each to its option.
    public func settingProblems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if !(learningRate.isFinite && learningRate > 0) { problems.append(.learningRate(learningRate)) }
        if batchSize < 1 { problems.append(.batchSize(batchSize)) }
        if epochs < 0 {
            problems.append(.epochs(epochs))
        } else if epochs > Int(UInt32.max) - Int(shuffleSeed) {
            // Subtracting, not adding: a huge number of epochs must not overflow here.
            problems.append(.epochsPastLastShuffleSeed(epochs: epochs, shuffleSeed: shuffleSeed))
        }
        if !(l2.isFinite && l2 >= 0) { problems.append(.l2(l2)) }
        if !(keepProbability > 0 && keepProbability <= 1) { problems.append(.keepProbability(keepProbability)) }
        return problems + optimizer.problems() + decay.problems()
    }

    /// Throws unless `data` fits this network: `n_x` features and labels in range.
    public func validate(_ data: LabeledData) throws {
        guard data.featureCount == layerSizes.first else {
            throw ConfigurationError("the network's input layer has \(layerSizes.first ?? 0) units but the data has \(data.featureCount) features")
        }
        try data.validateLabels(classCount: classCount)
    }
}
