import Foundation

/// Reads an ``InterchangeModel`` out of a valid safetensors file by the name-matching rule of formats/interchange.md:
///
/// 1. The parameters are the tensors named `P<i>.weight` and `P<i>.bias`, where `<i>` is a module index (digits) and
///    `P` one prefix shared by all of them, empty or ending in `.` (`model.0.weight` from a module that holds the
///    Sequential as `model`). Tensors named `optimizer.…` and `lnet.…` are the optimizer's and LNet's; any other
///    tensor is left aside, and said so in a note.
/// 2. Taken by increasing index, each weight is 2-D `(n_l, n_{l−1})` with its bias `(n_l,)`, and each layer's input is
///    the previous layer's output.
/// 3. The activations come from `lnet.activations` or from the options (one per layer); both, and they must agree;
///    neither, and the file is refused. The loss follows from the output activation unless `lnet.loss` says it.
/// 4. Optimizer state: `optimizer.<parameter>.exp_avg`, `.exp_avg_sq` and `.step` are Adam's v, s and t;
///    `optimizer.<parameter>.momentum_buffer` is momentum's v. Its settings come from `lnet.optimizer.*`; Adam needs
///    at least `lnet.optimizer.lr` (β1, β2 and ε default to PyTorch's, which are the course's).
struct SafetensorsModelReader {
    typealias Key = SafetensorsInterchange.Key
    typealias RecordKey = InterchangeRecordKey

    let file: SafetensorsFile
    let options: InterchangeReadOptions

    private var path: String { file.path }

    private func refuse(_ reason: String) -> SafetensorsError { SafetensorsError(path: path, problem: .model(reason)) }

    private func metadata(_ key: String) -> String? { file.header.metadataValue(key) }

    func read() throws -> InterchangeReading {
        var notes: [String] = []
        let entries = file.header.entries
        let (prefix, indices, others) = try parameterEntries(entries)
        if !others.isEmpty {
            let shown = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", …" : "")
            notes.append("left aside \(others.count) tensors that are not the Sequential's parameters (\(shown))")
        }
        try file.checkMemory(for: entries.filter { $0.dtype.isConvertible })

        // Layers and sizes.
        var layers: [InterchangeModel.Layer] = []
        var sizes: [Int] = []
        for (position, index) in indices.enumerated() {
            let weightName = "\(prefix)\(index).weight", biasName = "\(prefix)\(index).bias"
            guard let weight = file.header.entry(named: weightName) else { throw refuse("\(biasName) has no \(weightName) beside it") }
            guard let bias = file.header.entry(named: biasName) else { throw refuse("\(weightName) has no \(biasName) beside it") }
            for entry in [weight, bias] where !entry.dtype.isFloatingPoint || !entry.dtype.isConvertible {
                throw refuse("\(entry.name) is \(entry.dtype.rawValue): parameters must be F64, F32, F16 or BF16")
            }
            guard weight.shape.count == 2 else { throw refuse("\(weightName) has shape \(weight.shape): a Linear weight is 2-D (out, in)") }
            let (rows, columns) = (weight.shape[0], weight.shape[1])
            guard rows >= 1, columns >= 1 else { throw refuse("\(weightName) has shape \(weight.shape): no units") }
            guard bias.shape == [rows] else { throw refuse("\(biasName) has shape \(bias.shape), expected [\(rows)] for \(weightName) \(weight.shape)") }
            if position == 0 {
                sizes = [columns]
            } else if columns != sizes.last {
                throw refuse("\(weightName) takes \(columns) inputs, but the layer before it has \(sizes.last ?? 0) units")
            }
            sizes.append(rows)
            layers.append(InterchangeModel.Layer(
                weight: Tensor(shape: [rows, columns], values: try file.values(of: weight)),
                bias: Tensor(shape: [rows, 1], values: try file.values(of: bias))))
        }
        let layerCount = layers.count

        // Architecture.
        if let declared = metadata(RecordKey.layerDims) {
            guard let dims = Self.integers(declared), dims == sizes else {
                throw refuse("\(RecordKey.layerDims) is \(declared), but the tensors make layers \(sizes)")
            }
        }
        var activations = options.activations
        if let declared = metadata(RecordKey.activations) {
            guard let names = Self.strings(declared) else { throw refuse("\(RecordKey.activations) is not a JSON list of names: \(declared)") }
            if let given = activations, given != names {
                throw refuse("the file's activations \(names) differ from the ones given \(given)")
            }
            activations = names
        }
        guard let activations else {
            let example = (Array(repeating: "relu", count: max(layerCount - 1, 0)) + [sizes.last == 1 ? "sigmoid" : "softmax"]).joined(separator: ",")
            throw SafetensorsError(path: path, problem: .activationsUnknown(layers: layerCount, example: example))
        }
        guard activations.count == layerCount else {
            throw refuse("\(activations.count) activations for the \(layerCount) layers the tensors make")
        }
        let output = activations.last ?? ""
        let loss = metadata(RecordKey.loss) ?? (output == "softmax" ? "categorical_cross_entropy" : "binary_cross_entropy")

        // Preprocessing.
        var divisor = 1.0
        if let text = metadata(RecordKey.inputDivisor) {
            guard let value = Double(text), value.isFinite, value > 0 else { throw refuse("\(RecordKey.inputDivisor) is not a positive number: \(text)") }
            divisor = value
        }
        let meanEntry = file.header.entry(named: SafetensorsInterchange.inputMeanName)
        let stdEntry = file.header.entry(named: SafetensorsInterchange.inputStdName)
        var mean: [Double]?
        var std: [Double]?
        if meanEntry != nil || stdEntry != nil {
            guard let meanEntry, let stdEntry else { throw refuse("\(SafetensorsInterchange.inputMeanName) and \(SafetensorsInterchange.inputStdName) come together") }
            for entry in [meanEntry, stdEntry] where entry.shape != [sizes[0]] {
                throw refuse("\(entry.name) has shape \(entry.shape), expected [\(sizes[0])]")
            }
            mean = try file.values(of: meanEntry)
            std = try file.values(of: stdEntry)
        }

        var model = InterchangeModel(
            layerSizes: sizes, activations: activations, loss: loss,
            initialization: metadata(RecordKey.initialization) ?? "unknown",
            classes: try metadata(RecordKey.classes).map { text in
                guard let names = Self.strings(text) else { throw refuse("\(RecordKey.classes) is not a JSON list of names: \(text)") }
                return names
            },
            inputDivisor: divisor, inputMean: mean, inputStd: std, layers: layers,
            createdBy: metadata(RecordKey.createdBy) ?? "safetensors (imported by lnet \(LNetVersion.string))",
            dataSHA256: metadata(RecordKey.dataSHA256))

        // Optimizer state.
        let stateEntries = entries.filter { $0.name.hasPrefix("optimizer.") }
        // Plain gradient descent keeps no tensors: its state is the metadata alone.
        let declaresGD = metadata(Key.optimizer) == "gd"
        if options.includeOptimizer == false {
            if !stateEntries.isEmpty || declaresGD { notes.append("left the optimizer state aside, as asked: the checkpoint holds parameters only") }
        } else if stateEntries.isEmpty, !declaresGD {
            if options.includeOptimizer == true { throw refuse("the file holds no optimizer state (no optimizer.<parameter>.exp_avg or .momentum_buffer tensors)") }
        } else {
            model.optimizer = try optimizerState(prefix: prefix, indices: indices, layers: layers)
            model.training = try trainingRecord()
        }
        if let problem = model.problems().first { throw refuse(problem.description) }
        return InterchangeReading(model: model, notes: notes)
    }

    /// The prefix, the module indices in increasing order, and the names of the tensors that are none of the model's.
    private func parameterEntries(_ entries: [SafetensorsHeader.Entry]) throws -> (String, [Int], [String]) {
        var prefixes = Set<String>()
        var indices = Set<Int>()
        var others: [String] = []
        for entry in entries {
            let name = entry.name
            if name.hasPrefix("optimizer.") || name.hasPrefix("lnet.") { continue }
            guard let (prefix, index) = Self.moduleIndex(name) else { others.append(name); continue }
            prefixes.insert(prefix)
            indices.insert(index)
        }
        guard !indices.isEmpty else {
            throw refuse("no tensors named as a Sequential's parameters (<index>.weight and <index>.bias, e.g. 0.weight)")
        }
        guard prefixes.count == 1, let prefix = prefixes.first else {
            throw refuse("the parameters have different prefixes (\(prefixes.sorted().joined(separator: ", "))): one Sequential per file")
        }
        return (prefix, indices.sorted(), others)
    }

    /// `("model.", 2)` for `model.2.weight` or `model.2.bias`; nil for any other name.
    static func moduleIndex(_ name: String) -> (prefix: String, index: Int)? {
        let stem: Substring
        if name.hasSuffix(".weight") { stem = name.dropLast(7) } else if name.hasSuffix(".bias") { stem = name.dropLast(5) } else { return nil }
        let digits = stem.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let index = Int(String(digits.reversed())) else { return nil }
        let prefix = stem.dropLast(digits.count)
        guard prefix.isEmpty || prefix.hasSuffix(".") else { return nil }
        return (String(prefix), index)
    }

    private func optimizerState(prefix: String, indices: [Int], layers: [InterchangeModel.Layer]) throws -> InterchangeModel.OptimizerState {
        let names = indices.map { ("\(prefix)\($0).weight", "\(prefix)\($0).bias") }
        func has(_ key: String) -> Bool { file.header.entry(named: SafetensorsInterchange.optimizerName(parameter: names[0].0, key: key)) != nil }
        let name: String
        if has("exp_avg") { name = "adam" } else if has("momentum_buffer") { name = "momentum" } else if metadata(Key.optimizer) == "gd" { name = "gd" } else {
            throw refuse("the optimizer state is neither Adam's (exp_avg, exp_avg_sq, step) nor momentum's (momentum_buffer) for \(names[0].0)")
        }
        if let declared = metadata(Key.optimizer), declared != name {
            throw refuse("\(Key.optimizer) says \(declared), but the state is \(name)'s")
        }
        func moments(_ key: String) throws -> [InterchangeModel.Layer] {
            try zip(names, layers).map { (pair, layer) in
                func tensor(_ parameter: String, shape: [Int]) throws -> Tensor {
                    let stateName = SafetensorsInterchange.optimizerName(parameter: parameter, key: key)
                    guard let entry = file.header.entry(named: stateName) else { throw refuse("\(stateName) is missing") }
                    let expected = parameter.hasSuffix(".bias") ? [shape[0]] : shape
                    guard entry.shape == expected else { throw refuse("\(stateName) has shape \(entry.shape), expected \(expected)") }
                    guard entry.dtype.isFloatingPoint else { throw refuse("\(stateName) is \(entry.dtype.rawValue), not floating point") }
                    return Tensor(shape: shape, values: try file.values(of: entry))
                }
                return InterchangeModel.Layer(weight: try tensor(pair.0, shape: layer.weight.shape), bias: try tensor(pair.1, shape: layer.bias.shape))
            }
        }
        let settingsPrefix = Key.optimizerPrefix
        func number(_ key: String) throws -> Double? {
            guard let text = metadata(settingsPrefix + key) else { return nil }
            guard let value = Double(text), value.isFinite else { throw refuse("\(settingsPrefix + key) is not a number: \(text)") }
            return value
        }
        guard let learningRate = try number("lr") else {
            throw refuse("the file holds \(name) state but not its learning rate: save it as the metadata \(settingsPrefix)lr (formats/interchange.md)")
        }
        var settings = Checkpoint.Optimizer(name: name, learningRate: learningRate, learningRate0: try number("lr0") ?? learningRate)
        settings.decay = metadata(settingsPrefix + "decay") ?? "none"
        settings.decayRate = try number("decay_rate") ?? 0
        if let text = metadata(settingsPrefix + "decay_interval") {
            guard let interval = Int64(text) else { throw refuse("\(settingsPrefix)decay_interval is not an integer: \(text)") }
            settings.decayInterval = interval
        }
        if name == "adam" {
            settings.beta1 = try number("beta1") ?? 0.9
            settings.beta2 = try number("beta2") ?? 0.999
            settings.epsilon = try number("eps") ?? 1e-8
            var steps = Set<Double>()
            for (weight, bias) in names {
                for parameter in [weight, bias] {
                    let stepName = SafetensorsInterchange.optimizerName(parameter: parameter, key: "step")
                    guard let entry = file.header.entry(named: stepName) else { throw refuse("\(stepName) is missing") }
                    let values = try file.values(of: entry)
                    guard values.count == 1 else { throw refuse("\(stepName) holds \(values.count) values, not one") }
                    steps.insert(values[0])
                }
            }
            guard steps.count == 1, let step = steps.first, step >= 0, step == step.rounded(), let t = Int64(exactly: step) else {
                throw refuse("the parameters' Adam steps differ or are not whole counts (\(steps.sorted())): LNet keeps one t for all")
            }
            if let declared = metadata(settingsPrefix + "t"), Int64(declared) != t {
                throw refuse("\(settingsPrefix)t is \(declared), but the step tensors say \(t)")
            }
            settings.t = t
            return InterchangeModel.OptimizerState(settings: settings, firstMoments: try moments("exp_avg"), secondMoments: try moments("exp_avg_sq"))
        }
        if name == "gd" {
            return InterchangeModel.OptimizerState(settings: settings, firstMoments: [], secondMoments: [])
        }
        settings.beta = try number("beta")
        guard settings.beta != nil else {
            throw refuse("the file holds momentum state but not β: save it as the metadata \(settingsPrefix)beta (formats/interchange.md)")
        }
        return InterchangeModel.OptimizerState(settings: settings, firstMoments: try moments("momentum_buffer"), secondMoments: [])
    }

    /// LNet's training record, when the file holds all of it (an LNet export with `--optimizer`); nil otherwise.
    private func trainingRecord() throws -> Checkpoint.Training? {
        let prefix = Key.trainingPrefix
        func text(_ key: String) -> String? { metadata(prefix + key) }
        guard let epochText = text("epoch") else { return nil }
        func integer(_ key: String) throws -> Int64 {
            guard let value = text(key).flatMap({ Int64($0) }) else { throw refuse("\(prefix + key) is missing or not an integer") }
            return value
        }
        func number(_ key: String) throws -> Double {
            guard let value = text(key).flatMap({ Double($0) }) else { throw refuse("\(prefix + key) is missing or not a number") }
            return value
        }
        func string(_ key: String) throws -> String {
            guard let value = text(key) else { throw refuse("\(prefix + key) is missing") }
            return value
        }
        guard let epoch = Int(epochText) else { throw refuse("\(prefix)epoch is not an integer: \(epochText)") }
        guard let costsEntry = file.header.entry(named: SafetensorsInterchange.costsName),
              let keyEntry = file.header.entry(named: SafetensorsInterchange.generatorKeyName) else {
            throw refuse("the training record lacks \(SafetensorsInterchange.costsName) or \(SafetensorsInterchange.generatorKeyName)")
        }
        guard keyEntry.dtype == .u32, keyEntry.shape == [624] else { throw refuse("\(keyEntry.name) must be U32 [624]") }
        let key = try file.values(of: keyEntry).map { UInt32($0) }
        guard let fingerprint = metadata(RecordKey.dataSHA256) else { throw refuse("the training record lacks \(RecordKey.dataSHA256)") }
        return Checkpoint.Training(
            epoch: epoch, epochsTarget: Int(try integer("epochs_target")), batchInEpoch: Int(try integer("batch_in_epoch")),
            epochCostSum: try number("epoch_cost_sum"), seed: try integer("seed"), shuffleSeed: try integer("shuffle_seed"),
            batchSize: Int(try integer("batch_size")), l2: try number("l2"), keepProb: try number("keep_prob"),
            data: try string("data"), xName: try string("x_name"), yName: try string("y_name"), dataSHA256: fingerprint,
            testData: text("test_data") ?? "", testXName: text("test_x_name") ?? "", testYName: text("test_y_name") ?? "",
            generator: Checkpoint.GeneratorState(
                key: key, position: Int(try integer("rng_pos")), hasGauss: try integer("rng_has_gauss") != 0,
                gauss: try number("rng_gauss")),
            costs: try file.values(of: costsEntry))
    }

    // MARK: Small JSON values of the metadata

    /// `[12288, 20, 1]` as integers; nil for anything else. Parsed by Foundation: the value is bounded by the
    /// header's own bound and is a flat list.
    static func integers(_ text: String) -> [Int]? {
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return nil }
        var values: [Int] = []
        for item in list {
            guard let number = item as? NSNumber, let value = Int(exactly: number.doubleValue), "\(number)" == "\(value)" else { return nil }
            values.append(value)
        }
        return values
    }

    /// `["relu", "sigmoid"]` as strings; nil for anything else.
    static func strings(_ text: String) -> [String]? {
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return nil }
        var values: [String] = []
        for item in list {
            guard let string = item as? String else { return nil }
            values.append(string)
        }
        return values
    }
}
