/// A trained network as every interchange format (safetensors for PyTorch, Keras's files) sees it, whatever the
/// format: the architecture, the parameters in the course's shapes, the input preprocessing, and, when asked for, the
/// optimizer's state and where training stands. `lnet export` turns a checkpoint into one and hands it to a format's
/// writer; `lnet import` gets one from a format's reader and turns it into a checkpoint. A format's room maps it to its
/// own names, shapes and types (formats/interchange.md); nothing here knows any framework.
public struct InterchangeModel: Sendable, Equatable {
    /// One layer's parameters in the course's shapes.
    public struct Layer: Sendable, Equatable {
        /// W[l], shape `(n_l, n_{l-1})`.
        public var weight: Tensor
        /// b[l], shape `(n_l, 1)`.
        public var bias: Tensor

        /// Makes a layer from its W and b in the course's shapes (not checked here: ``InterchangeModel/problems()``
        /// checks every shape against the layer sizes).
        public init(weight: Tensor, bias: Tensor) {
            self.weight = weight
            self.bias = bias
        }
    }

    /// The optimizer's settings and its state, one entry per layer.
    public struct OptimizerState: Sendable, Equatable {
        /// The settings as the checkpoint holds them (name, learning rates, β, β1, β2, ε, t, decay); its `v` and `s`
        /// dictionaries are left empty: the moments are `firstMoments` and `secondMoments`.
        public var settings: Checkpoint.Optimizer
        /// Momentum's velocity or Adam's first moment v, per layer, shaped like the parameters; empty for gd.
        public var firstMoments: [Layer]
        /// Adam's second moment s, per layer; empty unless the optimizer is Adam.
        public var secondMoments: [Layer]

        /// Makes the state; `settings.v` and `settings.s` are cleared (the moments are given per layer).
        public init(settings: Checkpoint.Optimizer, firstMoments: [Layer], secondMoments: [Layer]) {
            var plain = settings
            plain.v = [:]
            plain.s = [:]
            self.settings = plain
            self.firstMoments = firstMoments
            self.secondMoments = secondMoments
        }
    }

    /// The layer sizes `[n0, n1, …, nL]`, input size first.
    public var layerSizes: [Int]
    /// One activation per layer, by the checkpoint format's names (`relu`, `tanh`, …, `sigmoid`/`softmax` last).
    public var activations: [String]
    /// `binary_cross_entropy` or `categorical_cross_entropy`.
    public var loss: String
    /// How the weights were initialised (`he`, `deep`, `scaled`, or `unknown`).
    public var initialization: String
    /// The class names, class id i being `classes[i]`, when the data had them.
    public var classes: [String]?
    /// The features are divided by this first: 255 for uint8 data, 1 otherwise.
    public var inputDivisor: Double
    /// With standardisation, the per-feature mean subtracted after the division, `(n0,)`.
    public var inputMean: [Double]?
    /// With standardisation, the per-feature standard deviation divided by last, `(n0,)`.
    public var inputStd: [Double]?
    /// The parameters, layer 1 first.
    public var layers: [Layer]
    /// The optimizer's settings and state, when exported with them (or imported from a file that holds them).
    public var optimizer: OptimizerState?
    /// Where training stands (LNet's `/training`: position, seeds, data and its fingerprint, generator, costs), when
    /// the file came from LNet with its optimizer state. Nil for parameters only, and for a framework's own files.
    public var training: Checkpoint.Training?
    /// The tool that wrote the model first (a checkpoint's `created_by`).
    public var createdBy: String
    /// The fingerprint of the data the model was trained on (formats/dataset.md), when known; kept with parameters
    /// only too.
    public var dataSHA256: String?

    /// Makes a model from its parts; ``problems()`` says whether they fit together.
    public init(
        layerSizes: [Int], activations: [String], loss: String, initialization: String = "unknown",
        classes: [String]? = nil, inputDivisor: Double = 1, inputMean: [Double]? = nil, inputStd: [Double]? = nil,
        layers: [Layer], optimizer: OptimizerState? = nil, training: Checkpoint.Training? = nil,
        createdBy: String = "lnet \(LNetVersion.string)", dataSHA256: String? = nil
    ) {
        self.dataSHA256 = dataSHA256 ?? training?.dataSHA256
        self.layerSizes = layerSizes
        self.activations = activations
        self.loss = loss
        self.initialization = initialization
        self.classes = classes
        self.inputDivisor = inputDivisor
        self.inputMean = inputMean
        self.inputStd = inputStd
        self.layers = layers
        self.optimizer = optimizer
        self.training = training
        self.createdBy = createdBy
    }

    /// The number of layers, L.
    public var layerCount: Int { layers.count }

    // MARK: From and to a checkpoint

    /// The model of `checkpoint`; with `includingOptimizer`, its optimizer state and training record too (nil when it
    /// is a parameters-only checkpoint). Throws when a parameter or moment the layer sizes call for is missing.
    public init(checkpoint: Checkpoint, includingOptimizer: Bool) throws {
        let model = checkpoint.model
        let count = model.layerCount
        func layers(_ tensors: [String: Tensor], prefix: String, what: InterchangeProblem.Part) throws -> [Layer] {
            try (0..<count).map { index in
                let weightName = "\(prefix)W\(index + 1)", biasName = "\(prefix)b\(index + 1)"
                guard let weight = tensors[weightName] else { throw InterchangeProblem.missingTensor(weightName, what) }
                guard let bias = tensors[biasName] else { throw InterchangeProblem.missingTensor(biasName, what) }
                return Layer(weight: weight, bias: bias)
            }
        }
        var optimizerState: OptimizerState?
        var training: Checkpoint.Training?
        if includingOptimizer, let optimizer = checkpoint.optimizer {
            let first = optimizer.v.isEmpty ? [] : try layers(optimizer.v, prefix: "d", what: .firstMoment)
            let second = optimizer.s.isEmpty ? [] : try layers(optimizer.s, prefix: "d", what: .secondMoment)
            optimizerState = OptimizerState(settings: optimizer, firstMoments: first, secondMoments: second)
            training = checkpoint.training
        }
        self.init(
            layerSizes: model.layerDims, activations: model.activations, loss: model.loss,
            initialization: model.initialization, classes: model.classes, inputDivisor: model.inputDivisor,
            inputMean: model.inputMean, inputStd: model.inputStd,
            layers: try layers(checkpoint.parameters, prefix: "", what: .parameter),
            optimizer: optimizerState, training: training, createdBy: checkpoint.createdBy,
            dataSHA256: checkpoint.training?.dataSHA256)
    }

    /// The checkpoint of this model: parameters only when it carries no optimizer state, a full checkpoint when it
    /// carries both the optimizer state and the training record. Throws the first of ``problems()``, and
    /// ``InterchangeProblem/optimizerWithoutTraining`` when the optimizer state comes without a training record
    /// (a checkpoint's `/optimizer` needs `/training`: LNetRuns makes one from the training data).
    public func checkpoint() throws -> Checkpoint {
        if let first = problems().first { throw first }
        let model = Checkpoint.Model(
            layerDims: layerSizes, activations: activations, loss: loss, initialization: initialization,
            classes: classes, inputDivisor: inputDivisor, inputMean: inputMean, inputStd: inputStd)
        var checkpointOptimizer: Checkpoint.Optimizer?
        if let optimizer {
            guard training != nil else { throw InterchangeProblem.optimizerWithoutTraining }
            var settings = optimizer.settings
            settings.v = Self.tensors(optimizer.firstMoments, prefix: "d")
            settings.s = Self.tensors(optimizer.secondMoments, prefix: "d")
            checkpointOptimizer = settings
        }
        return Checkpoint(
            createdBy: createdBy, model: model, parameters: Self.tensors(layers, prefix: ""),
            optimizer: checkpointOptimizer, training: checkpointOptimizer == nil ? nil : training)
    }

    /// What does not fit together, in order: the layer count, and each tensor's shape against the layer sizes.
    /// Empty when the model is whole. (The checkpoint's own rules — activations, loss, finite values — are checked
    /// when the checkpoint is written and read.)
    public func problems() -> [InterchangeProblem] {
        var problems: [InterchangeProblem] = []
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 >= 1 }) else {
            return [.layerSizes(layerSizes)]
        }
        if activations.count != layerSizes.count - 1 {
            problems.append(.activationCount(found: activations.count, layers: layerSizes.count - 1))
        }
        func check(_ layers: [Layer], prefix: String, part: InterchangeProblem.Part) {
            guard layers.count == layerSizes.count - 1 else {
                problems.append(.layerCount(found: layers.count, expected: layerSizes.count - 1, part))
                return
            }
            for (index, layer) in layers.enumerated() {
                let rows = layerSizes[index + 1], columns = layerSizes[index]
                for (name, tensor, shape) in [
                    ("\(prefix)W\(index + 1)", layer.weight, [rows, columns]), ("\(prefix)b\(index + 1)", layer.bias, [rows, 1]),
                ] where tensor.shape != shape || tensor.values.count != rows * shape[1] {
                    problems.append(.shape(name, found: tensor.shape, expected: shape))
                }
            }
        }
        check(layers, prefix: "", part: .parameter)
        if let optimizer {
            if !optimizer.firstMoments.isEmpty { check(optimizer.firstMoments, prefix: "d", part: .firstMoment) }
            if !optimizer.secondMoments.isEmpty { check(optimizer.secondMoments, prefix: "d", part: .secondMoment) }
        }
        for (name, values) in [("input_mean", inputMean), ("input_std", inputStd)] {
            if let values, values.count != layerSizes[0] {
                problems.append(.shape(name, found: [values.count], expected: [layerSizes[0]]))
            }
        }
        if (inputMean == nil) != (inputStd == nil) { problems.append(.standardizationUnpaired) }
        return problems
    }

    private static func tensors(_ layers: [Layer], prefix: String) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (index, layer) in layers.enumerated() {
            tensors["\(prefix)W\(index + 1)"] = layer.weight
            tensors["\(prefix)b\(index + 1)"] = layer.bias
        }
        return tensors
    }
}

/// Why a model read from an interchange file, or one about to be written, cannot become what was asked: named by the
/// course's tensor names (`W2`, `dW2` for the moments) so that every format says it the same way; each format's room
/// words its own names in its own errors.
public enum InterchangeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of a layer's tensors a problem is about.
    public enum Part: String, Sendable, Equatable {
        case parameter = "parameters"
        case firstMoment = "first moments (v)"
        case secondMoment = "second moments (s)"
    }

    /// The layer sizes are fewer than two, or one is below 1.
    case layerSizes([Int])
    /// Not one activation per layer.
    case activationCount(found: Int, layers: Int)
    /// Not one set of tensors per layer.
    case layerCount(found: Int, expected: Int, Part)
    /// A tensor the layer sizes call for is absent.
    case missingTensor(String, Part)
    /// A tensor's shape is not the one the layer sizes give.
    case shape(String, found: [Int], expected: [Int])
    /// Only one of `input_mean` and `input_std`.
    case standardizationUnpaired
    /// Optimizer state without LNet's training record: a checkpoint needs both (`/optimizer` and `/training`).
    case optimizerWithoutTraining

    /// The problem in words, without the file's name.
    public var description: String {
        switch self {
        case .layerSizes(let sizes): "the layer sizes \(sizes) do not describe a network (two or more sizes, each 1 or more)"
        case .activationCount(let found, let layers): "\(found) activations for \(layers) layers"
        case .layerCount(let found, let expected, let part): "\(found) layers of \(part.rawValue) for \(expected) layers"
        case .missingTensor(let name, let part): "\(name) is missing from the \(part.rawValue)"
        case .shape(let name, let found, let expected): "\(name) has shape \(found), expected \(expected)"
        case .standardizationUnpaired: "input_mean and input_std come together or not at all"
        case .optimizerWithoutTraining: "the optimizer state comes without a training record (data, position), which a checkpoint needs beside it"
        }
    }
}
