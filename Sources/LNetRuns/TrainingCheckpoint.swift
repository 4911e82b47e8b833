import LNetStorage
import LNetTraining

/// Where a run's data came from and how it was prepared: what a checkpoint
/// records beside the configuration and the state.
public struct RunRecord: Sendable, Equatable {
    /// The training dataset's absolute path and the dataset names inside it.
    public var dataPath: String
    /// The features dataset inside it (`x_name`).
    public var xName: String
    /// The labels dataset inside it (`y_name`).
    public var yName: String
    /// The data fingerprint (formats/dataset.md).
    public var dataSHA256: String
    /// The `--test` dataset's absolute path, or empty.
    public var testDataPath: String
    /// The features dataset inside the test file, when named on the command line (else empty).
    public var testXName: String
    /// The labels dataset inside the test file, when named on the command line (else empty).
    public var testYName: String
    /// Class names, when the data had them.
    public var classes: [String]?
    /// The division and optional standardisation applied to the features (`/model` `input_divisor`, `input_mean`,
    /// `input_std`).
    public var preprocessing: InputPreprocessing
    /// How the examples were made when they are RGB images (`/model` `input_image_*`), so that a photo can be
    /// prepared alike; nil for other data.
    public var inputImage: InputImage?
    /// K, the shards each mini-batch's gradient is summed over (`gradient_shards`; 1: the plain sum).
    public var gradientShards: Int = 1
    /// N, the MPI ranks training (`ranks`; 1: one process).
    public var ranks: Int = 1

    /// Makes a record; an empty `testDataPath` means there is no test data.
    public init(
        dataPath: String, xName: String, yName: String, dataSHA256: String, testDataPath: String = "",
        testXName: String = "", testYName: String = "", classes: [String]? = nil, preprocessing: InputPreprocessing,
        inputImage: InputImage? = nil
    ) {
        self.inputImage = inputImage
        self.dataPath = dataPath
        self.xName = xName
        self.yName = yName
        self.dataSHA256 = dataSHA256
        self.testDataPath = testDataPath
        self.testXName = testXName
        self.testYName = testYName
        self.classes = classes
        self.preprocessing = preprocessing
    }
}

/// Maps training's own types onto the checkpoint format and back. The format
/// (LNetStorage) knows nothing of optimizers; this is the one place that
/// translates.
public enum TrainingCheckpoint {
    /// The checkpoint of `state`, reached by `configuration` on `record`'s data.
    public static func make(configuration: TrainingConfiguration, state: TrainingState, record: RunRecord) -> Checkpoint {
        let model = Checkpoint.Model(
            layerDims: configuration.layerSizes,
            activations: configuration.hiddenActivations.map(\.formatName) + [configuration.output.rawValue],
            loss: configuration.output.lossName,
            initialization: configuration.initialization.rawValue,
            classes: record.classes,
            inputDivisor: record.preprocessing.divisor,
            inputMean: record.preprocessing.mean,
            inputStd: record.preprocessing.standardDeviation,
            inputImage: record.inputImage)
        var optimizer: Checkpoint.Optimizer
        switch configuration.optimizer {
        case .gradientDescent:
            optimizer = Checkpoint.Optimizer(name: "gd", learningRate: state.learningRate, learningRate0: configuration.learningRate)
        case .momentum(let beta):
            optimizer = Checkpoint.Optimizer(
                name: "momentum", learningRate: state.learningRate, learningRate0: configuration.learningRate, beta: beta)
        case .adam(let beta1, let beta2, let epsilon):
            optimizer = Checkpoint.Optimizer(
                name: "adam", learningRate: state.learningRate, learningRate0: configuration.learningRate,
                beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
        optimizer.t = Int64(state.optimizer.adamStep)
        switch configuration.decay {
        case .none:
            optimizer.decay = "none"
        case .inverse(let rate):
            optimizer.decay = "inverse"
            optimizer.decayRate = rate
        case .scheduled(let rate, let interval):
            optimizer.decay = "scheduled"
            optimizer.decayRate = rate
            optimizer.decayInterval = Int64(interval)
        }
        let elementType = tensorType(configuration.precision)
        if let velocity = state.optimizer.velocity { optimizer.v = tensors(velocity, prefix: "d", elementType) }
        if let squares = state.optimizer.squares { optimizer.s = tensors(squares, prefix: "d", elementType) }
        let generator = state.generator
        var training = Checkpoint.Training(
            epoch: state.completedEpochs, epochsTarget: configuration.epochs, batchInEpoch: state.nextMiniBatch,
            epochCostSum: state.partialCostSum, seed: Int64(configuration.seed),
            shuffleSeed: Int64(configuration.shuffleSeed), batchSize: configuration.batchSize, l2: configuration.l2,
            keepProb: configuration.keepProbability, data: record.dataPath, xName: record.xName, yName: record.yName,
            dataSHA256: record.dataSHA256, testData: record.testDataPath,
            testXName: record.testXName, testYName: record.testYName,
            generator: Checkpoint.GeneratorState(
                key: generator.key, position: generator.position, hasGauss: generator.hasGauss, gauss: generator.gauss),
            costs: state.costs, dtype: elementType)
        training.gradientShards = record.gradientShards
        training.ranks = record.ranks
        return Checkpoint(model: model, parameters: tensors(state.parameters, prefix: "", elementType), optimizer: optimizer,
                          training: training)
    }

    /// The configuration a full checkpoint was trained with.
    public static func configuration(from checkpoint: Checkpoint, path: String) throws -> TrainingConfiguration {
        guard let optimizer = checkpoint.optimizer, let training = checkpoint.training else {
            throw RunError(path: path, "the checkpoint holds parameters only, no optimizer or training state")
        }
        var configuration = try architecture(from: checkpoint, path: path)
        switch optimizer.name {
        case "gd": configuration.optimizer = .gradientDescent
        case "momentum": configuration.optimizer = .momentum(beta: optimizer.beta ?? CourseDefaults.beta)
        default:
            configuration.optimizer = .adam(
                beta1: optimizer.beta1 ?? CourseDefaults.beta1, beta2: optimizer.beta2 ?? CourseDefaults.beta2,
                epsilon: optimizer.epsilon ?? CourseDefaults.epsilon)
        }
        configuration.learningRate = optimizer.learningRate0
        switch optimizer.decay {
        case "inverse": configuration.decay = .inverse(rate: optimizer.decayRate)
        case "scheduled": configuration.decay = .scheduled(rate: optimizer.decayRate, interval: Int(optimizer.decayInterval))
        default: configuration.decay = .none
        }
        guard let seed = UInt32(exactly: training.seed), let shuffleSeed = UInt32(exactly: training.shuffleSeed) else {
            throw RunError(path: path, "the seeds in /training must lie in 0 … 4294967295")
        }
        configuration.seed = seed
        configuration.shuffleSeed = shuffleSeed
        configuration.batchSize = training.batchSize
        configuration.l2 = training.l2
        configuration.keepProbability = training.keepProb
        configuration.epochs = training.epochsTarget
        configuration.precision = training.dtype == .float32 ? .float32 : .float64
        return configuration
    }

    /// The architecture of any checkpoint, with the course's defaults for the
    /// rest (what resuming a parameters-only checkpoint starts from).
    public static func architecture(from checkpoint: Checkpoint, path: String) throws -> TrainingConfiguration {
        let model = checkpoint.model
        var hidden: [Activation] = []
        for name in model.activations.dropLast() {
            guard let activation = Activation(formatName: name) else {
                throw RunError(path: path, "unknown activation \"\(name)\" in /model")
            }
            hidden.append(activation)
        }
        guard let last = model.activations.last, let output = OutputLayer(rawValue: last) else {
            throw RunError(path: path, "the output activation in /model must be sigmoid or softmax")
        }
        var configuration = TrainingConfiguration(
            layerSizes: model.layerDims, hiddenActivations: hidden, output: output, optimizer: .adam())
        configuration.initialization = Initialization(rawValue: model.initialization) ?? .he
        return configuration
    }

    /// The training state a full checkpoint holds.
    public static func state(from checkpoint: Checkpoint, path: String) throws -> TrainingState {
        guard let optimizer = checkpoint.optimizer, let training = checkpoint.training else {
            throw RunError(path: path, "the checkpoint holds parameters only, no optimizer or training state")
        }
        let sizes = checkpoint.model.layerDims
        let parameters = try networkParameters(checkpoint.parameters, prefix: "", layerSizes: sizes, path: path)
        let velocity = optimizer.v.isEmpty ? nil : try networkParameters(optimizer.v, prefix: "d", layerSizes: sizes, path: path)
        let squares = optimizer.s.isEmpty ? nil : try networkParameters(optimizer.s, prefix: "d", layerSizes: sizes, path: path)
        guard let step = Int(exactly: optimizer.t) else { throw RunError(path: path, "Adam's t is out of range") }
        let generator = try NumpyRandom.State(
            key: training.generator.key, position: training.generator.position,
            hasGauss: training.generator.hasGauss, gauss: training.generator.gauss)
        return TrainingState(
            parameters: parameters, optimizer: OptimizerState(velocity: velocity, squares: squares, adamStep: step),
            learningRate: optimizer.learningRate, completedEpochs: training.epoch, nextMiniBatch: training.batchInEpoch,
            partialCostSum: training.epochCostSum, generator: generator, costs: training.costs)
    }

    /// The network a checkpoint describes, ready to predict.
    public static func network(from checkpoint: Checkpoint, path: String) throws -> Network {
        let configuration = try architecture(from: checkpoint, path: path)
        let parameters = try networkParameters(checkpoint.parameters, prefix: "", layerSizes: checkpoint.model.layerDims, path: path)
        return try Network(hiddenActivations: configuration.hiddenActivations, output: configuration.output, parameters: parameters)
    }

    /// The preprocessing a checkpoint records.
    public static func preprocessing(from checkpoint: Checkpoint) -> InputPreprocessing {
        InputPreprocessing(
            divisor: checkpoint.model.inputDivisor, mean: checkpoint.model.inputMean,
            standardDeviation: checkpoint.model.inputStd)
    }

    /// The checkpoint's element type for a run's precision.
    private static func tensorType(_ precision: Precision) -> Tensor.ElementType {
        switch precision {
        case .float64: .float64
        case .float32: .float32
        }
    }

    /// A float32 run's values are float32 values already (widened exactly), so storing them as float32 loses nothing.
    private static func tensors(
        _ parameters: NetworkParameters, prefix: String, _ elementType: Tensor.ElementType
    ) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (index, (weight, bias)) in zip(parameters.weights, parameters.biases).enumerated() {
            tensors["\(prefix)W\(index + 1)"] = Tensor(
                shape: [weight.rows, weight.columns], values: weight.elements, elementType: elementType)
            tensors["\(prefix)b\(index + 1)"] = Tensor(
                shape: [bias.rows, bias.columns], values: bias.elements, elementType: elementType)
        }
        return tensors
    }

    private static func networkParameters(
        _ tensors: [String: Tensor], prefix: String, layerSizes: [Int], path: String
    ) throws -> NetworkParameters {
        var weights: [Matrix] = []
        var biases: [Matrix] = []
        for layer in 1..<max(layerSizes.count, 1) {
            guard let weight = tensors["\(prefix)W\(layer)"], let bias = tensors["\(prefix)b\(layer)"] else {
                throw RunError(path: path, "\(prefix)W\(layer) or \(prefix)b\(layer) is missing")
            }
            weights.append(try Matrix(rows: layerSizes[layer], columns: layerSizes[layer - 1], elements: weight.values))
            biases.append(try Matrix(rows: layerSizes[layer], columns: 1, elements: bias.values))
        }
        return try NetworkParameters(weights: weights, biases: biases)
    }
}
