/// A dense floating-point array with its shape, as a checkpoint stores its tensors.
public struct Tensor: Sendable, Equatable {
    /// How a tensor's values are stored in the file.
    public enum ElementType: String, Sendable, Equatable, CaseIterable {
        /// IEEE binary64 (`<f8`), what every float64 run and h5py's default write.
        case float64
        /// IEEE binary32 (`<f4`), what a `--dtype float32` run writes.
        case float32
    }

    /// The shape, outermost dimension first (a W is `[n_l, n_{l-1}]`).
    public var shape: [Int]
    /// The values in C (row-major) order, as doubles (a float32 value widens exactly).
    public var values: [Double]
    /// The type the file stores the values in; a float32 tensor's values must be float32 values.
    public var elementType: ElementType

    /// Makes a tensor from its shape and its row-major values; it does not check that `values.count` is the product
    /// of `shape`.
    public init(shape: [Int], values: [Double], elementType: ElementType = .float64) {
        self.shape = shape
        self.values = values
        self.elementType = elementType
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
        /// `layer_dims`: the layer sizes `[n0, n1, …, nL]`, input size first, so L+1 entries.
        public var layerDims: [Int]
        /// `activations`: one per layer (L entries); hidden layers `relu`, `leaky_relu`, `tanh`, `sigmoid` or
        /// `linear`, the output layer `sigmoid` (nL = 1) or `softmax` (nL = C ≥ 2).
        public var activations: [String]
        /// `loss`: `binary_cross_entropy` for a sigmoid output, `categorical_cross_entropy` for a softmax one.
        public var loss: String
        /// `init`: how the weights were initialised, `he`, `deep` or `scaled`; `unknown` when the file does not say.
        public var initialization: String
        /// `classes`: the class names, class id i being `classes[i]`; nil when the training data had none.
        public var classes: [String]?
        /// `input_divisor`: every feature is divided by this before use, 255 for uint8 data and 1 otherwise.
        public var inputDivisor: Double
        /// The `/model/input_mean` dataset, shape `(n0,)`: the per-feature mean of the divided training features,
        /// subtracted after the division; nil without `--standardize`.
        public var inputMean: [Double]?
        /// The `/model/input_std` dataset, shape `(n0,)`: the per-feature standard deviation the centred features are
        /// divided by (1 for a constant feature); nil without `--standardize`.
        public var inputStd: [Double]?
        /// `input_image_shape`, `input_image_resize` and `input_image_exif_transpose`: how a photo is prepared for a
        /// model trained on RGB images (then `inputDivisor` is 255); nil for other data.
        public var inputImage: InputImage?

        /// Makes the `/model` section; the defaults are what a reader assumes when the optional attributes are
        /// absent.
        public init(
            layerDims: [Int], activations: [String], loss: String, initialization: String = "unknown",
            classes: [String]? = nil, inputDivisor: Double = 1, inputMean: [Double]? = nil, inputStd: [Double]? = nil,
            inputImage: InputImage? = nil
        ) {
            self.inputImage = inputImage
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
        /// `name`: the update rule, `gd`, `momentum` or `adam`.
        public var name: String
        /// `learning_rate`: the rate the next update uses, after decay.
        public var learningRate: Double
        /// `learning_rate0`: the initial rate, which decay starts from.
        public var learningRate0: Double
        /// `beta`: momentum's averaging coefficient; nil unless `name` is `momentum`.
        public var beta: Double?
        /// `beta1`: Adam's decay rate for the first moment `v`; nil unless `name` is `adam`.
        public var beta1: Double?
        /// `beta2`: Adam's decay rate for the second moment `s`; nil unless `name` is `adam`.
        public var beta2: Double?
        /// `epsilon`: the term Adam adds to √s in the denominator to avoid dividing by zero; nil unless `name` is
        /// `adam`.
        public var epsilon: Double?
        /// `t`: the number of Adam updates so far, which its bias correction uses; 0 for gd and momentum, never
        /// negative.
        public var t: Int64
        /// `decay`: the learning-rate schedule over epochs i, `none`, `inverse` (lr0 / (1 + rate·i)) or `scheduled`
        /// (lr0 / (1 + rate·⌊i / interval⌋)).
        public var decay: String
        /// `decay_rate`: the rate in the decay formula, 0 or more; 0 with `none`.
        public var decayRate: Double
        /// `decay_interval`: the number of epochs between steps of `scheduled` decay (1000 when the file has none).
        public var decayInterval: Int64
        /// `/optimizer/v`: `dW1`, `db1`, … (momentum and adam).
        public var v: [String: Tensor]
        /// `/optimizer/s`: `dW1`, `db1`, … (adam).
        public var s: [String: Tensor]

        /// Makes the `/optimizer` section; the defaults are those of a file without the optional attributes and of
        /// plain gd (no moments, `t` = 0).
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
        /// The `/training/rng_key` dataset, shape `(624,)`: the MT19937 key, as `np.random.get_state()[1]`.
        public var key: [UInt32]
        /// `rng_pos`: the generator's position in `key`, 0 … 624.
        public var position: Int
        /// `rng_has_gauss` (stored as 1 or 0): whether the generator holds a cached Gaussian for its next normal
        /// draw.
        public var hasGauss: Bool
        /// `rng_gauss`: that cached Gaussian value; 0 when `hasGauss` is false.
        public var gauss: Double

        /// Makes the state from the parts `np.random.get_state()` returns after the name `"MT19937"`.
        public init(key: [UInt32], position: Int, hasGauss: Bool, gauss: Double) {
            self.key = key
            self.position = position
            self.hasGauss = hasGauss
            self.gauss = gauss
        }
    }

    /// `/training`: where training stands and how it was set up.
    public struct Training: Sendable, Equatable {
        /// `epoch`: the number of epochs completed, which is also the length of `costs`.
        public var epoch: Int
        /// `epochs_target`: the total number of epochs asked for; `resume` without `--epochs` continues up to it.
        public var epochsTarget: Int
        /// `batch_in_epoch`: mini-batch updates already applied in epoch `epoch` (0-based) when training stopped
        /// inside it; 0 at an epoch boundary.
        public var batchInEpoch: Int
        /// `epoch_cost_sum`: the sum of m_b·J_b (summed loss plus λ/2·Σ‖W‖²) over those mini-batches, in batch order;
        /// divided by m at the epoch's end, 0 at an epoch boundary.
        public var epochCostSum: Double
        /// `seed`: the seed the parameters were initialised with.
        public var seed: Int64
        /// `shuffle_seed`: epoch i is shuffled by the generator seeded with `shuffleSeed + i + 1`, so permutations
        /// need no saving.
        public var shuffleSeed: Int64
        /// `batch_size`: examples per mini-batch; m or more means full-batch gradient descent without shuffling.
        public var batchSize: Int
        /// `l2`: the L2 regularisation strength λ; 0 for none.
        public var l2: Double
        /// `keep_prob`: the dropout keep probability on hidden layers, in (0, 1]; 1 for no dropout.
        public var keepProb: Double
        /// `data`: the training dataset's absolute path.
        public var data: String
        /// `x_name`: the name of the features dataset inside `data`.
        public var xName: String
        /// `y_name`: the name of the labels dataset inside `data`.
        public var yName: String
        /// `data_sha256`: the training data's fingerprint, 64 lowercase hex digits (formats/dataset.md).
        public var dataSHA256: String
        /// `test_data`: the `--test` dataset's absolute path, or empty when there was none.
        public var testData: String
        /// `test_x_name`: the features dataset inside `test_data` as `--test-x` named it; empty when it is chosen by
        /// formats/dataset.md's rule.
        public var testXName: String
        /// `test_y_name`: the labels dataset inside `test_data` as `--test-y` named it; empty when chosen by the rule.
        public var testYName: String
        /// `gradient_shards`: the K shards each mini-batch's gradient was summed over, in a fixed tree; 1 is the
        /// plain sum. A resume with the same K continues bit for bit.
        public var gradientShards: Int = 1
        /// `ranks`: the N processes (MPI ranks) that trained, 1 for a single process. Written only when it or
        /// `gradientShards` is above 1.
        public var ranks: Int = 1
        /// `rng_key`, `rng_pos`, `rng_has_gauss` and `rng_gauss`: the generator's state after the last applied
        /// update; dropout masks are drawn from it.
        public var generator: GeneratorState
        /// The `/training/costs` dataset, shape `(epoch,)`: the cost of each completed epoch, in order.
        public var costs: [Double]
        /// `dtype`: the type the run trains in and stores its tensors in, `float64` (also when absent) or `float32`.
        public var dtype: Tensor.ElementType = .float64
        /// The `/training/test_*` datasets: the test cost and accuracy measured at each checkpoint interval; empty
        /// without test data (the datasets are then absent).
        public var testHistory = TestHistory()
        /// `best_cost`, `best_epoch`, `best_judged_on`: the best model a `--keep-best` run kept; nil otherwise.
        public var best: BestRecord?

        /// Makes the `/training` section; the defaults of `batchInEpoch`, `epochCostSum` and `testData` describe a
        /// run stopped at an epoch boundary without test data.
        public init(
            epoch: Int, epochsTarget: Int, batchInEpoch: Int = 0, epochCostSum: Double = 0, seed: Int64,
            shuffleSeed: Int64, batchSize: Int, l2: Double, keepProb: Double, data: String, xName: String,
            yName: String, dataSHA256: String, testData: String = "", testXName: String = "", testYName: String = "",
            generator: GeneratorState, costs: [Double], dtype: Tensor.ElementType = .float64
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
            self.testXName = testXName
            self.testYName = testYName
            self.generator = generator
            self.costs = costs
            self.dtype = dtype
        }
    }

    /// `created_by`: the tool and version that wrote the file.
    public var createdBy: String
    /// `/model`: the architecture and the input preprocessing, present in every checkpoint.
    public var model: Model
    /// `/parameters`: `W1`, `b1`, … `WL`, `bL`.
    public var parameters: [String: Tensor]
    /// Absent in a parameters-only checkpoint.
    public var optimizer: Optimizer?
    /// Absent in a parameters-only checkpoint.
    public var training: Training?

    /// Makes a checkpoint; leave `optimizer` and `training` nil for a parameters-only one. `createdBy` defaults to
    /// this LNet version.
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
