import Foundation

/// The mapping between ``InterchangeModel`` and a safetensors file that PyTorch loads into a `torch.nn.Sequential`
/// (formats/interchange.md is its document; this is its one declaration in code).
///
/// Tensors: layer l's `Linear` is module `2(l−1)` of the Sequential (activation modules take the odd indices), so W[l]
/// is `"\(2(l−1)).weight"` with the course's shape `(n_l, n_{l−1})` (PyTorch's `Linear.weight` is `(out, in)`: no
/// transpose) and b[l] is `"\(2(l−1)).bias"`, shape `(n_l,)`. The preprocessing's mean and std are `lnet.input_mean`
/// and `lnet.input_std`. The optimizer state is PyTorch's, per parameter: `optimizer.<parameter>.exp_avg`,
/// `.exp_avg_sq`, `.step` (Adam) or `.momentum_buffer` (momentum). LNet's training record, when exported, adds
/// `lnet.training.costs` and `lnet.training.rng_key`. Everything else is `__metadata__` strings under ``Key``.
public enum SafetensorsInterchange {
    /// LNet's record of the model, as in every format's export.
    public typealias RecordKey = InterchangeRecordKey

    /// The `__metadata__` keys only a safetensors export has (the others are ``RecordKey``).
    public enum Key {
        /// `format`: `pt`, what `safetensors.torch.save_file` writes and `transformers` checks.
        public static let format = "format"
        public static let optimizer = "lnet.optimizer"
        /// Prefix of the optimizer's settings: `lnet.optimizer.lr`, `.lr0`, `.beta`, `.beta1`, `.beta2`, `.eps`,
        /// `.t`, `.decay`, `.decay_rate`, `.decay_interval`.
        public static let optimizerPrefix = "lnet.optimizer."
        /// Prefix of the training record: `lnet.training.epoch`, … (the checkpoint's `/training` attribute names).
        public static let trainingPrefix = "lnet.training."
    }

    /// The value of `format`.
    public static let formatValue = "pt"
    /// The version of this mapping, `lnet.format_version`.
    public static let formatVersion = 1

    /// The tensor names of layer `layer` (1-based): its Linear module's weight and bias.
    public static func parameterNames(layer: Int) -> (weight: String, bias: String) {
        ("\(2 * (layer - 1)).weight", "\(2 * (layer - 1)).bias")
    }

    /// The tensor holding one parameter's optimizer state `key` (`exp_avg`, `exp_avg_sq`, `step`, `momentum_buffer`).
    public static func optimizerName(parameter: String, key: String) -> String { "optimizer.\(parameter).\(key)" }

    public static let inputMeanName = "lnet.input_mean"
    public static let inputStdName = "lnet.input_std"
    public static let costsName = "lnet.training.costs"
    public static let generatorKeyName = "lnet.training.rng_key"

    // MARK: Writing

    /// Writes `model` to `path` as described above, atomically.
    public static func write(_ model: InterchangeModel, to path: String, options: InterchangeWriteOptions) throws {
        try writer(for: model, options: options, path: path).write(to: path)
    }

    /// The writer holding `model`'s tensors and metadata (the benchmark times its `encoded()` apart from the disk).
    public static func writer(for model: InterchangeModel, options: InterchangeWriteOptions, path: String) throws -> SafetensorsWriter {
        if let problem = model.problems().first { throw SafetensorsError(path: path, problem: .model(problem.description)) }
        let dtype: SafetensorsDType = options.dtype == .float64 ? .f64 : .f32
        var writer = SafetensorsWriter(metadata: metadata(of: model))
        do {
            try addTensors(of: model, dtype: dtype, to: &writer)
        } catch {
            throw SafetensorsError(path: path, problem: error)
        }
        return writer
    }

    private static func addTensors(of model: InterchangeModel, dtype: SafetensorsDType, to writer: inout SafetensorsWriter) throws(SafetensorsProblem) {
        for (index, layer) in model.layers.enumerated() {
            let names = parameterNames(layer: index + 1)
            try writer.add(names.weight, dtype: dtype, shape: layer.weight.shape, values: layer.weight.values)
            try writer.add(names.bias, dtype: dtype, shape: [layer.bias.values.count], values: layer.bias.values)
        }
        if let mean = model.inputMean, let std = model.inputStd {
            try writer.add(inputMeanName, dtype: dtype, shape: [mean.count], values: mean)
            try writer.add(inputStdName, dtype: dtype, shape: [std.count], values: std)
        }
        guard let optimizer = model.optimizer else { return }
        let settings = optimizer.settings
        for (index, layer) in model.layers.enumerated() {
            let names = parameterNames(layer: index + 1)
            let parts: [(name: String, shape: [Int], first: Tensor?, second: Tensor?)] = [
                (names.weight, layer.weight.shape, optimizer.firstMoments.indices.contains(index) ? optimizer.firstMoments[index].weight : nil,
                 optimizer.secondMoments.indices.contains(index) ? optimizer.secondMoments[index].weight : nil),
                (names.bias, [layer.bias.values.count], optimizer.firstMoments.indices.contains(index) ? optimizer.firstMoments[index].bias : nil,
                 optimizer.secondMoments.indices.contains(index) ? optimizer.secondMoments[index].bias : nil),
            ]
            for part in parts {
                switch settings.name {
                case "adam":
                    guard let first = part.first, let second = part.second else { throw .model("Adam's state lacks the moments of \(part.name)") }
                    try writer.add(optimizerName(parameter: part.name, key: "exp_avg"), dtype: dtype, shape: part.shape, values: first.values)
                    try writer.add(optimizerName(parameter: part.name, key: "exp_avg_sq"), dtype: dtype, shape: part.shape, values: second.values)
                    // PyTorch's `step` is a 0-d float tensor (float32 unless the default type is float64).
                    try writer.add(optimizerName(parameter: part.name, key: "step"), dtype: dtype, shape: [], values: [Double(settings.t)])
                case "momentum":
                    guard let first = part.first else { throw .model("momentum's state lacks the velocity of \(part.name)") }
                    try writer.add(optimizerName(parameter: part.name, key: "momentum_buffer"), dtype: dtype, shape: part.shape, values: first.values)
                default:
                    break
                }
            }
        }
        if let training = model.training {
            try writer.add(costsName, dtype: .f64, shape: [training.costs.count], values: training.costs)
            try writer.add(generatorKeyName, dtype: .u32, shape: [training.generator.key.count], values: training.generator.key.map(Double.init))
        }
    }

    /// The `__metadata__` of `model`, every value a string.
    static func metadata(of model: InterchangeModel) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = [
            (Key.format, formatValue),
            (RecordKey.formatVersion, String(formatVersion)),
            (RecordKey.version, LNetVersion.string),
            (RecordKey.createdBy, model.createdBy),
            (RecordKey.layerDims, jsonArray(model.layerSizes.map(String.init))),
            (RecordKey.activations, jsonStrings(model.activations)),
            (RecordKey.loss, model.loss),
            (RecordKey.initialization, model.initialization),
            (RecordKey.inputDivisor, number(model.inputDivisor)),
        ]
        if let classes = model.classes { pairs.append((RecordKey.classes, jsonStrings(classes))) }
        if let fingerprint = model.dataSHA256 { pairs.append((RecordKey.dataSHA256, fingerprint)) }
        if let optimizer = model.optimizer {
            let settings = optimizer.settings
            pairs.append((Key.optimizer, settings.name))
            let prefix = Key.optimizerPrefix
            pairs.append((prefix + "lr", number(settings.learningRate)))
            pairs.append((prefix + "lr0", number(settings.learningRate0)))
            if let beta = settings.beta { pairs.append((prefix + "beta", number(beta))) }
            if let beta1 = settings.beta1 { pairs.append((prefix + "beta1", number(beta1))) }
            if let beta2 = settings.beta2 { pairs.append((prefix + "beta2", number(beta2))) }
            if let epsilon = settings.epsilon { pairs.append((prefix + "eps", number(epsilon))) }
            pairs.append((prefix + "t", String(settings.t)))
            pairs.append((prefix + "decay", settings.decay))
            pairs.append((prefix + "decay_rate", number(settings.decayRate)))
            pairs.append((prefix + "decay_interval", String(settings.decayInterval)))
            if let training = model.training {
                let prefix = Key.trainingPrefix
                let generator = training.generator
                pairs += [
                    (prefix + "epoch", String(training.epoch)),
                    (prefix + "epochs_target", String(training.epochsTarget)),
                    (prefix + "batch_in_epoch", String(training.batchInEpoch)),
                    (prefix + "epoch_cost_sum", number(training.epochCostSum)),
                    (prefix + "seed", String(training.seed)),
                    (prefix + "shuffle_seed", String(training.shuffleSeed)),
                    (prefix + "batch_size", String(training.batchSize)),
                    (prefix + "l2", number(training.l2)),
                    (prefix + "keep_prob", number(training.keepProb)),
                    (prefix + "data", training.data),
                    (prefix + "x_name", training.xName),
                    (prefix + "y_name", training.yName),
                    (prefix + "test_data", training.testData),
                    (prefix + "test_x_name", training.testXName),
                    (prefix + "test_y_name", training.testYName),
                    (prefix + "rng_pos", String(generator.position)),
                    (prefix + "rng_has_gauss", generator.hasGauss ? "1" : "0"),
                    (prefix + "rng_gauss", number(generator.gauss)),
                ]
            }
        }
        return pairs
    }

    /// A float64 as the shortest text that reads back to the same bits (Swift's and Python's `repr` agree on it).
    static func number(_ value: Double) -> String { "\(value)" }

    private static func jsonArray(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    private static func jsonStrings(_ items: [String]) -> String {
        var bytes: [UInt8] = []
        for item in items {
            SafetensorsHeader.appendString(item, to: &bytes)
            bytes.append(contentsOf: Array(", ".utf8))
        }
        return "[" + String(decoding: bytes.dropLast(2), as: UTF8.self) + "]"
    }

    // MARK: Reading

    /// Reads the model in the safetensors file at `path` by the rule of formats/interchange.md.
    public static func read(from path: String, options: InterchangeReadOptions) throws -> InterchangeReading {
        let file = try SafetensorsFile.open(path)
        return try SafetensorsModelReader(file: file, options: options).read()
    }
}
