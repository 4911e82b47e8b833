/// The checkpoint format (formats/checkpoint.md) declared once: every attribute
/// with its group, name, type, rule and default on read, every dataset with its
/// shape rule, and the bounds a file must keep before anything is allocated by
/// what it declares. The writer (`CheckpointFile.write`), the strict reader
/// (`CheckpointFile.read`, `lnet verify`) and the lenient summary (`lnet
/// inspect`) all read these declarations, so a change to the format is made
/// here and nowhere else in Swift.
public enum CheckpointSchema {
    // MARK: Root

    /// `format`: always `lnet-checkpoint`.
    public static let format = Attribute<String>(group: "/", name: "format", rule: .oneOf([Checkpoint.formatName]))
    /// `format_version`: the one version this code reads and writes.
    public static let formatVersion = Attribute<Int64>(group: "/", name: "format_version")
    /// `created_by`: the tool and version that wrote the file; `unknown` when absent.
    public static let createdBy = Attribute<String>(group: "/", name: "created_by", defaultValue: "unknown")

    // MARK: /model

    /// The attributes and datasets of `/model`.
    public enum Model {
        /// `/model`.
        public static let group = "/model"
        /// `layer_dims`: `[n0, n1, …, nL]`, at least two sizes, each in 1 … ``Limits/maximumLayerSize``.
        public static let layerDims = Attribute<[Int64]>(group: group, name: "layer_dims", rule: .layerSizes)
        /// `activations`: one per layer, L entries.
        public static let activations = Attribute<[String]>(group: group, name: "activations")
        /// `loss`: decided by the output activation (``lossOfOutput``).
        public static let loss = Attribute<String>(group: group, name: "loss")
        /// `init`: `unknown` when absent.
        public static let initialization = Attribute<String>(group: group, name: "init", defaultValue: "unknown")
        /// `classes`: optional, nL names for a softmax output.
        public static let classes = Attribute<[String]>(group: group, name: "classes", isOptional: true)
        /// `input_divisor`: a positive number, 1 when absent.
        public static let inputDivisor = Attribute<Double>(
            group: group, name: "input_divisor", rule: .positive, defaultValue: 1)
        /// `input_image_shape`: `[height, width, 3]` when the model was trained on RGB images (a dataset whose x is
        /// uint8 `(m, height, width, 3)`); absent otherwise. Its product is `n[0]`. A photo is decoded to RGB,
        /// resized to `width × height` by `input_image_resize`, flattened in C order and divided by `input_divisor`.
        public static let inputImageShape = Attribute<[Int64]>(
            group: group, name: "input_image_shape", rule: .imageShape, isOptional: true)
        /// `input_image_resize`: how a photo is brought to `input_image_shape`: `pillow-bicubic`, Pillow's
        /// `Image.resize((width, height))` default. Present with `input_image_shape`.
        public static let inputImageResize = Attribute<String>(
            group: group, name: "input_image_resize", rule: .oneOf(imageResizeMethods), isOptional: true)
        /// `input_image_exif_transpose`: 1 when the training images were turned upright by their EXIF orientation
        /// (`lnet convert --exif-transpose`), so photos are too; 0 (as when absent) when it is ignored, as
        /// `Image.open` ignores it.
        public static let inputImageEXIFTranspose = Attribute<Int64>(
            group: group, name: "input_image_exif_transpose", rule: .flag, defaultValue: 0)
        /// The resize methods `input_image_resize` may name.
        public static let imageResizeMethods = ["pillow-bicubic"]
        /// `/model/input_mean`, shape `(n[0],)`, present with `input_std` or not at all.
        public static let inputMean = Dataset(path: "/model/input_mean", shape: .inputSize)
        /// `/model/input_std`, shape `(n[0],)`, every value positive.
        public static let inputStd = Dataset(path: "/model/input_std", shape: .inputSize)

        /// The activations a hidden layer may use.
        public static let hiddenActivations: Set<String> = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
        /// The loss each output activation requires.
        public static let lossOfOutput = ["sigmoid": "binary_cross_entropy", "softmax": "categorical_cross_entropy"]
    }

    // MARK: /parameters

    /// `/parameters`: `W[l]` of shape `(n[l], n[l-1])` and `b[l]` of shape `(n[l], 1)`, float64 (float32 when
    /// `/training` says `dtype` float32), finite.
    public static let parameters = TensorGroup(path: "/parameters", prefix: "")

    // MARK: /optimizer

    /// The attributes and moment groups of `/optimizer`.
    public enum Optimizer {
        /// `/optimizer`.
        public static let group = "/optimizer"
        /// `name`: the update rule.
        public static let name = Attribute<String>(group: group, name: "name", rule: .oneOf(["gd", "momentum", "adam"]))
        /// `learning_rate`: the rate the next update uses.
        public static let learningRate = Attribute<Double>(group: group, name: "learning_rate", rule: .positive)
        /// `learning_rate0`: the initial rate.
        public static let learningRate0 = Attribute<Double>(group: group, name: "learning_rate0", rule: .positive)
        /// `beta`: momentum only.
        public static let beta = Attribute<Double>(group: group, name: "beta", rule: .fraction, onlyFor: ["momentum"])
        /// `beta1`: adam only.
        public static let beta1 = Attribute<Double>(group: group, name: "beta1", rule: .fraction, onlyFor: ["adam"])
        /// `beta2`: adam only.
        public static let beta2 = Attribute<Double>(group: group, name: "beta2", rule: .fraction, onlyFor: ["adam"])
        /// `epsilon`: adam only.
        public static let epsilon = Attribute<Double>(group: group, name: "epsilon", rule: .positive, onlyFor: ["adam"])
        /// `t`: the number of Adam updates, never negative.
        public static let t = Attribute<Int64>(group: group, name: "t", rule: .adamSteps)
        /// `decay`: `none` when absent.
        public static let decay = Attribute<String>(
            group: group, name: "decay", rule: .oneOf(["none", "inverse", "scheduled"]), defaultValue: "none")
        /// `decay_rate`: 0 or more, 0 when absent.
        public static let decayRate = Attribute<Double>(group: group, name: "decay_rate", rule: .zeroOrMore, defaultValue: 0)
        /// `decay_interval`: 1 or more, 1000 when absent.
        public static let decayInterval = Attribute<Int64>(
            group: group, name: "decay_interval", rule: .atLeastOne, defaultValue: 1000)
        /// `/optimizer/v`: `dW1`, `db1`, … shaped like the parameters (momentum and adam).
        public static let v = TensorGroup(path: "/optimizer/v", prefix: "d", onlyFor: ["momentum", "adam"])
        /// `/optimizer/s`: `dW1`, `db1`, … shaped like the parameters (adam).
        public static let s = TensorGroup(path: "/optimizer/s", prefix: "d", onlyFor: ["adam"])
    }

    // MARK: /training

    /// The attributes and datasets of `/training`.
    public enum Training {
        /// `/training`.
        public static let group = "/training"
        /// `epoch`: a count, which is also the length of `costs`.
        public static let epoch = Attribute<Int64>(group: group, name: "epoch", rule: .count)
        /// `epochs_target`: a count.
        public static let epochsTarget = Attribute<Int64>(group: group, name: "epochs_target", rule: .count)
        /// `batch_in_epoch`: a count.
        public static let batchInEpoch = Attribute<Int64>(group: group, name: "batch_in_epoch", rule: .count)
        /// `epoch_cost_sum`: a number.
        public static let epochCostSum = Attribute<Double>(group: group, name: "epoch_cost_sum")
        /// `seed`.
        public static let seed = Attribute<Int64>(group: group, name: "seed")
        /// `shuffle_seed`.
        public static let shuffleSeed = Attribute<Int64>(group: group, name: "shuffle_seed")
        /// `batch_size`: 1 or more.
        public static let batchSize = Attribute<Int64>(group: group, name: "batch_size", rule: .atLeastOne)
        /// `l2`: 0 or more.
        public static let l2 = Attribute<Double>(group: group, name: "l2", rule: .zeroOrMore)
        /// `keep_prob`: in (0, 1].
        public static let keepProb = Attribute<Double>(group: group, name: "keep_prob", rule: .probability)
        /// `data`: the training dataset's path.
        public static let data = Attribute<String>(group: group, name: "data")
        /// `x_name`.
        public static let xName = Attribute<String>(group: group, name: "x_name")
        /// `y_name`.
        public static let yName = Attribute<String>(group: group, name: "y_name")
        /// `data_sha256`: 64 hexadecimal digits.
        public static let dataSHA256 = Attribute<String>(group: group, name: "data_sha256", rule: .sha256)
        /// `test_data`: empty when absent.
        public static let testData = Attribute<String>(group: group, name: "test_data", defaultValue: "")
        /// `test_x_name`: empty when absent.
        public static let testXName = Attribute<String>(group: group, name: "test_x_name", defaultValue: "")
        /// `test_y_name`: empty when absent.
        public static let testYName = Attribute<String>(group: group, name: "test_y_name", defaultValue: "")
        /// `gradient_shards`: K, the shards each mini-batch's gradient was summed over (1 when absent).
        public static let gradientShards = Attribute<Int64>(
            group: group, name: "gradient_shards", rule: .atLeastOne, defaultValue: 1)
        /// `ranks`: N, the processes that trained the last stretch of the run (1 when absent).
        public static let ranks = Attribute<Int64>(group: group, name: "ranks", rule: .atLeastOne, defaultValue: 1)
        /// `rng_pos`: 0 … 624.
        public static let rngPosition = Attribute<Int64>(group: group, name: "rng_pos", rule: .generatorPosition)
        /// `rng_has_gauss`: 1 or 0.
        public static let rngHasGauss = Attribute<Int64>(group: group, name: "rng_has_gauss")
        /// `rng_gauss`: the cached Gaussian.
        public static let rngGauss = Attribute<Double>(group: group, name: "rng_gauss")
        /// `dtype`: `float64` (the default, when absent) or `float32`; the type of every tensor.
        public static let dtype = Attribute<String>(
            group: group, name: "dtype", rule: .oneOf(Tensor.ElementType.allCases.map(\.rawValue)), defaultValue: "float64")
        /// `/training/costs`, shape `(epoch,)`, finite.
        public static let costs = Dataset(path: "/training/costs", shape: .epochs)
        /// `/training/rng_key`, shape `(624,)`, uint32.
        public static let rngKey = Dataset(path: "/training/rng_key", shape: .fixed([624]))
        /// `best_cost`: the lowest cost a `--keep-best` run has judged; absent without `--keep-best`.
        public static let bestCost = Attribute<Double>(group: group, name: "best_cost", isOptional: true)
        /// `best_epoch`: the 0-based epoch of the best model; present with `best_cost`.
        public static let bestEpoch = Attribute<Int64>(group: group, name: "best_epoch", rule: .count, isOptional: true)
        /// `best_judged_on`: `test_cost` or `cost`; present with `best_cost`.
        public static let bestJudgedOn = Attribute<String>(
            group: group, name: "best_judged_on", rule: .oneOf(BestRecord.Measure.allCases.map(\.rawValue)),
            isOptional: true)
        /// `/training/test_epochs`, int64, shape `(k,)`: strictly increasing, each below `epoch`; absent without test
        /// data, and then so are the two below.
        public static let testEpochs = Dataset(path: "/training/test_epochs", shape: .testRecords)
        /// `/training/test_costs`, float64, shape `(k,)`.
        public static let testCosts = Dataset(path: "/training/test_costs", shape: .testRecords)
        /// `/training/test_accuracy`, float64, shape `(k,)`, each in [0, 1].
        public static let testAccuracy = Dataset(path: "/training/test_accuracy", shape: .testRecords)
        /// The three test-history datasets, in the order the checksum and the format list them.
        public static let testHistory = [testEpochs, testCosts, testAccuracy]
    }

    /// Every attribute, group by group in the order formats/checkpoint.md lists them.
    public static let attributes: [any AttributeDeclaration] = [
        format, formatVersion, createdBy,
        Model.layerDims, Model.activations, Model.loss, Model.initialization, Model.classes, Model.inputDivisor,
        Model.inputImageShape, Model.inputImageResize, Model.inputImageEXIFTranspose,
        Optimizer.name, Optimizer.learningRate, Optimizer.learningRate0, Optimizer.beta, Optimizer.beta1,
        Optimizer.beta2, Optimizer.epsilon, Optimizer.t, Optimizer.decay, Optimizer.decayRate, Optimizer.decayInterval,
        Training.epoch, Training.epochsTarget, Training.batchInEpoch, Training.epochCostSum, Training.seed,
        Training.shuffleSeed, Training.batchSize, Training.l2, Training.keepProb, Training.data, Training.xName,
        Training.yName, Training.dataSHA256, Training.testData, Training.testXName, Training.testYName,
        Training.gradientShards, Training.ranks,
        Training.rngPosition, Training.rngHasGauss, Training.rngGauss, Training.dtype,
        Training.bestCost, Training.bestEpoch, Training.bestJudgedOn,
    ]

    // MARK: Bounds

    /// What a file may declare before the reader allocates by it: a hostile
    /// `layer_dims` or `epoch` is refused before any array of that size exists.
    public enum Limits {
        /// The most layers (L) a checkpoint may have.
        public static let maximumLayerCount = 1024
        /// The largest layer size n[l].
        public static let maximumLayerSize = (1 << 31) - 1
        /// The most values one tensor (`W[l]`) may hold: 2^28 float64s, 2 GiB.
        public static let maximumTensorCount = 1 << 28
        /// The most epochs, and so the longest `costs`: 2^28 float64s, 2 GiB.
        public static let maximumEpochs = 1 << 28
        /// The longest side of `input_image_shape`.
        public static let maximumImageSide = 1 << 16
    }

    // MARK: Declarations

    /// A value rule: what an attribute's value must satisfy beyond its type.
    public enum Rule: Sendable, Hashable {
        /// Any value of the type.
        case any
        /// One of these strings.
        case oneOf([String])
        /// A finite number greater than 0.
        case positive
        /// A number in [0, 1).
        case fraction
        /// A finite number, 0 or more.
        case zeroOrMore
        /// A probability in (0, 1].
        case probability
        /// An integer, 1 or more.
        case atLeastOne
        /// A count, 0 … 2^40.
        case count
        /// Adam's update count, 0 or more.
        case adamSteps
        /// The MT19937 position, 0 … 624.
        case generatorPosition
        /// 64 hexadecimal digits.
        case sha256
        /// Layer sizes: at least two, each in 1 … ``Limits/maximumLayerSize``.
        case layerSizes
        /// An image shape `[height, width, 3]`, height and width in 1 … ``Limits/maximumImageSide``.
        case imageShape
        /// 0 or 1.
        case flag
    }

    /// What every attribute declaration says, whatever its type (for listing the schema).
    public protocol AttributeDeclaration: Sendable {
        /// The group that holds it.
        var group: String { get }
        /// Its name.
        var name: String { get }
        /// Its value rule.
        var rule: Rule { get }
        /// Whether a file may leave it out (then the default, or nil, is read).
        var isOptional: Bool { get }
        /// The optimizers it belongs to; empty for all.
        var onlyFor: Set<String> { get }
        /// What is wrong with it in `file` (absent though required, another type, a broken rule), or nil.
        func problem(in file: HDF5File) -> CheckpointProblem?
    }

    /// One attribute: its group, name, element type (`Value`), rule, and what
    /// is read when it is absent.
    public struct Attribute<Value: CheckpointAttributeValue>: AttributeDeclaration {
        public let group: String
        public let name: String
        public let rule: Rule
        /// What is read when the attribute is absent; nil for one that must be present (unless `isOptional`).
        public let defaultValue: Value?
        public let isOptional: Bool
        public let onlyFor: Set<String>

        init(
            group: String, name: String, rule: Rule = .any, defaultValue: Value? = nil, isOptional: Bool = false,
            onlyFor: Set<String> = []
        ) {
            self.group = group
            self.name = name
            self.rule = rule
            self.defaultValue = defaultValue
            self.isOptional = isOptional || defaultValue != nil
            self.onlyFor = onlyFor
        }

        public func problem(in file: HDF5File) -> CheckpointProblem? {
            guard let stored = CheckpointSchema.stored(self, in: file) else {
                return isOptional ? nil : .attributeMissing(group: group, name: name)
            }
            if case .failure(let problem) = check(stored) { return problem }
            return nil
        }

        /// The first thing wrong with `value` under this declaration's type and rule, or nil.
        public func check(_ stored: AttributeValue) -> Result<Value, CheckpointProblem> {
            guard let value = Value(checkpointAttribute: stored) else {
                return .failure(.attributeType(group: group, name: name, found: "\(stored)", expected: Value.typeDescription))
            }
            if let found = value.violation(of: rule) {
                return .failure(.attributeValue(group: group, name: name, found: found, rule: rule))
            }
            return .success(value)
        }
    }

    /// How a dataset's shape follows from the rest of the file.
    public enum ShapeRule: Sendable, Equatable {
        /// `(n[0],)`.
        case inputSize
        /// `(epoch,)`.
        case epochs
        /// `(k,)`, k the same for the three test-history datasets, at most `epoch`.
        case testRecords
        /// A fixed shape.
        case fixed([Int])
    }

    /// One dataset outside the tensor groups.
    public struct Dataset: Sendable {
        /// Its absolute path.
        public let path: String
        /// Its shape rule.
        public let shape: ShapeRule
    }

    /// A group of per-layer tensors, `W[l]`/`b[l]` (with a prefix: `dW[l]`/`db[l]`).
    public struct TensorGroup: Sendable {
        /// Its absolute path.
        public let path: String
        /// Put before each name: "" for the parameters, "d" for the moments.
        public let prefix: String
        /// The optimizers it belongs to; empty for all.
        public var onlyFor: Set<String> = []

        /// The member names in the format's order: W1, b1, W2, b2, ….
        public func names(layerCount: Int) -> [String] {
            Checkpoint.parameterNames(layerCount: layerCount).map { prefix + $0 }
        }

        /// The shape of each member for `layerDims`: `(n[l], n[l-1])` and `(n[l], 1)`.
        public func shapes(layerDims: [Int]) -> [String: [Int]] {
            Dictionary(uniqueKeysWithValues: Checkpoint.expectedShapes(layerDims: layerDims).map { (prefix + $0.key, $0.value) })
        }
    }
}

// MARK: - Attribute types

/// A Swift type an attribute of the checkpoint holds, with its HDF5 encoding
/// and how a rule judges it.
public protocol CheckpointAttributeValue: Sendable, Equatable {
    /// "a string", "an integer", …: what a problem says was expected.
    static var typeDescription: String { get }
    /// The value, or nil when `stored` has another type.
    init?(checkpointAttribute stored: AttributeValue)
    /// The attribute as written.
    var checkpointAttribute: AttributeValue { get }
    /// How the value is shown in a problem when it breaks `rule`; nil when it keeps it.
    func violation(of rule: CheckpointSchema.Rule) -> String?
}

extension String: CheckpointAttributeValue {
    public static var typeDescription: String { "a string" }
    public init?(checkpointAttribute stored: AttributeValue) {
        guard stored.isScalar, let text = stored.stringValue else { return nil }
        self = text
    }
    public var checkpointAttribute: AttributeValue { .string(self) }
    public func violation(of rule: CheckpointSchema.Rule) -> String? {
        switch rule {
        case .oneOf(let choices) where !choices.contains(self): return "\"\(self)\""
        case .sha256 where count != 64 || !allSatisfy(\.isHexDigit): return "\"\(self)\""
        default: return nil
        }
    }
}

extension Int64: CheckpointAttributeValue {
    public static var typeDescription: String { "an integer" }
    public init?(checkpointAttribute stored: AttributeValue) {
        guard stored.isScalar, let number = stored.int64Value else { return nil }
        self = number
    }
    public var checkpointAttribute: AttributeValue { .int64(self) }
    public func violation(of rule: CheckpointSchema.Rule) -> String? {
        let broken: Bool
        switch rule {
        case .atLeastOne: broken = self < 1
        case .count: broken = self < 0 || self >= 1 << 40
        case .adamSteps: broken = self < 0
        case .generatorPosition: broken = !(0...624).contains(self)
        case .flag: broken = self != 0 && self != 1
        default: broken = false
        }
        return broken ? "\(self)" : nil
    }
}

extension Double: CheckpointAttributeValue {
    public static var typeDescription: String { "a number" }
    /// An integer attribute is read as the number it is (h5py writes `1` as an integer).
    public init?(checkpointAttribute stored: AttributeValue) {
        guard stored.isScalar, let number = stored.doubleValue ?? stored.int64Value.map(Double.init) else { return nil }
        self = number
    }
    public var checkpointAttribute: AttributeValue { .float64(self) }
    public func violation(of rule: CheckpointSchema.Rule) -> String? {
        let broken: Bool
        switch rule {
        case .positive: broken = !(isFinite && self > 0)
        case .fraction: broken = !(self >= 0 && self < 1)
        case .zeroOrMore: broken = !(isFinite && self >= 0)
        case .probability: broken = !(self > 0 && self <= 1)
        default: broken = false
        }
        return broken ? "\(self)" : nil
    }
}

extension Array: CheckpointAttributeValue where Element: CheckpointArrayElement {
    public static var typeDescription: String { Element.arrayDescription }
    public init?(checkpointAttribute stored: AttributeValue) {
        guard let values = Element.array(from: stored) else { return nil }
        self = values
    }
    public var checkpointAttribute: AttributeValue { Element.attribute(of: self) }
    public func violation(of rule: CheckpointSchema.Rule) -> String? {
        Element.violation(of: rule, by: self)
    }
}

/// The element of an array attribute: `String` (`activations`, `classes`) or `Int64` (`layer_dims`).
public protocol CheckpointArrayElement: Sendable, Equatable {
    /// "an array of strings", …
    static var arrayDescription: String { get }
    /// The array, or nil when `stored` has another type.
    static func array(from stored: AttributeValue) -> [Self]?
    /// The attribute as written.
    static func attribute(of values: [Self]) -> AttributeValue
    /// What breaks `rule`, or nil.
    static func violation(of rule: CheckpointSchema.Rule, by values: [Self]) -> String?
}

extension String: CheckpointArrayElement {
    public static var arrayDescription: String { "an array of strings" }
    public static func array(from stored: AttributeValue) -> [String]? { stored.stringArrayValue }
    public static func attribute(of values: [String]) -> AttributeValue { .stringArray(values) }
    public static func violation(of rule: CheckpointSchema.Rule, by values: [String]) -> String? { nil }
}

extension Int64: CheckpointArrayElement {
    public static var arrayDescription: String { "an array of integers" }
    public static func array(from stored: AttributeValue) -> [Int64]? {
        stored.isScalar ? nil : stored.int64ArrayValue
    }
    public static func attribute(of values: [Int64]) -> AttributeValue { .int64Array(values) }
    public static func violation(of rule: CheckpointSchema.Rule, by values: [Int64]) -> String? {
        if rule == .imageShape {
            let side = 1...Int64(CheckpointSchema.Limits.maximumImageSide)
            let valid = values.count == 3 && side.contains(values[0]) && side.contains(values[1]) && values[2] == 3
            return valid ? nil : "\(values)"
        }
        guard rule == .layerSizes else { return nil }
        let valid = values.count >= 2
            && values.allSatisfy { $0 > 0 && $0 <= Int64(CheckpointSchema.Limits.maximumLayerSize) }
        return valid ? nil : "\(values)"
    }
}
