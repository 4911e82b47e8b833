import Foundation

/// A `.keras` archive's `config.json` for LNet's model (a Sequential of `InputLayer`, the preprocessing as `Rescaling`
/// and `Normalization`, then one `Dense` per layer), as Keras 3 writes it; and the reading of such a config, where
/// anything but that Sequential is refused in one line naming what it is.
struct KerasConfig {
    /// A Dense layer of the config.
    struct Dense: Equatable {
        var name: String
        var units: Int
        var activation: String
    }

    /// The input size, from the `InputLayer` or the model's build shape.
    var inputSize: Int?
    /// `Rescaling`'s scale and offset, one number or one per feature.
    var scale: [Double]?
    var offset: [Double]?
    /// `Normalization`'s mean and variance, when the config holds them (an adapted layer keeps them as variables).
    var normalizationMean: [Double]?
    var normalizationVariance: [Double]?
    /// Whether there is a `Normalization` layer.
    var normalizes = false
    /// The Dense layers, in order.
    var dense: [Dense] = []
    /// Layers left aside (Dropout: no effect on predictions), for a note.
    var leftAside: [String] = []
    /// The compiled optimizer's class, when the model was compiled.
    var optimizer: String?

    /// The most bytes a config may have: a Sequential of Dense layers with its preprocessing takes a few dozen bytes
    /// per input feature.
    static let maximumBytes = 16 << 20
    /// Memory `JSONSerialization` may take per byte of input, for the estimate made before parsing.
    static let parseMemoryPerByte = 64

    // MARK: Writing

    static func encoded(_ model: InterchangeModel, dtype: InterchangeDType) -> [UInt8] {
        let type = dtype.rawValue
        let n = model.layerSizes[0]
        func rounded(_ value: Double) -> KerasJSON { .number(dtype == .float32 ? Double(Float(value)) : value) }
        func policy() -> KerasJSON {
            .object([("module", .string("keras")), ("class_name", .string("DTypePolicy")),
                     ("config", .object([("name", .string(type))])), ("registered_name", .null)])
        }
        func shape(_ size: Int) -> KerasJSON { .array([.null, .integer(size)]) }
        func layer(_ className: String, _ config: [(String, KerasJSON)], input: Int?) -> KerasJSON {
            var pairs: [(String, KerasJSON)] = [("module", .string("keras.layers")), ("class_name", .string(className)),
                                                 ("config", .object(config)), ("registered_name", .null)]
            if let input { pairs.append(("build_config", .object([("input_shape", shape(input))]))) }
            return .object(pairs)
        }
        func initializer(_ className: String, _ config: [(String, KerasJSON)]) -> KerasJSON {
            .object([("module", .string("keras.initializers")), ("class_name", .string(className)),
                     ("config", .object(config)), ("registered_name", .null)])
        }
        var layers: [KerasJSON] = [
            layer("InputLayer", [("batch_shape", shape(n)), ("dtype", .string(type)), ("sparse", .bool(false)),
                                 ("ragged", .bool(false)), ("name", .string("input_layer")), ("optional", .bool(false))], input: nil),
        ]
        if let mean = model.inputMean, let std = model.inputStd {
            // (x/d − mean)/std as one Rescaling, x·scale + offset per feature: Keras's Normalization would do it in
            // float32 even in a float64 model (its max(√variance, ε) with a Python float gives float32 under torch).
            let scales = std.map { rounded(1 / (model.inputDivisor * $0)) }
            let offsets = zip(mean, std).map { rounded(-$0 / $1) }
            layers.append(layer("Rescaling", [("name", .string("rescaling")), ("trainable", .bool(true)), ("dtype", policy()),
                                              ("scale", .array(scales)), ("offset", .array(offsets))], input: n))
        } else if model.inputDivisor != 1 {
            layers.append(layer("Rescaling", [("name", .string("rescaling")), ("trainable", .bool(true)), ("dtype", policy()),
                                              ("scale", rounded(1 / model.inputDivisor)), ("offset", .number(0))], input: n))
        }
        for (index, activation) in model.activations.enumerated() {
            layers.append(layer("Dense", [
                ("name", .string(KerasLayout.layerName("dense", index: index))), ("trainable", .bool(true)), ("dtype", policy()),
                ("units", .integer(model.layerSizes[index + 1])), ("activation", .string(activation)), ("use_bias", .bool(true)),
                ("kernel_initializer", initializer("GlorotUniform", [("seed", .null), ("input_axes", .null), ("output_axes", .null)])),
                ("bias_initializer", initializer("Zeros", [])),
                ("kernel_regularizer", .null), ("bias_regularizer", .null), ("kernel_constraint", .null), ("bias_constraint", .null),
                ("quantization_config", .null),
            ], input: model.layerSizes[index]))
        }
        return KerasJSON.object([
            ("module", .string("keras")), ("class_name", .string("Sequential")),
            ("config", .object([("name", .string(KerasLayout.modelName)), ("trainable", .bool(true)), ("dtype", policy()),
                                ("layers", .array(layers)), ("build_input_shape", shape(n))])),
            ("registered_name", .null), ("build_config", .object([("input_shape", shape(n))])), ("compile_config", .object([])),
        ]).encoded()
    }

    /// `metadata.json`: the Keras version of the layout, and when.
    static func metadata(date: Date) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        return KerasJSON.object([
            ("keras_version", .string(KerasLayout.kerasVersion)), ("date_saved", .string(formatter.string(from: date))),
            ("lnet_version", .string(LNetVersion.string)),
        ]).encoded()
    }

    // MARK: Reading

    /// Parses `bytes` (at most ``maximumBytes``, checked by the caller) as a Sequential LNet can take.
    static func parse(_ bytes: [UInt8], refuse: (String) -> KerasError) throws -> KerasConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw refuse("config.json is not JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else { throw refuse("config.json is not a JSON object") }
        let className = top["class_name"] as? String ?? "?"
        guard className == "Sequential" else {
            throw refuse("the model is a \(className), not a Sequential: LNet imports a Sequential of Dense layers")
        }
        guard let config = top["config"] as? [String: Any], let layers = config["layers"] as? [Any] else {
            throw refuse("config.json has no config.layers list")
        }
        var result = KerasConfig()
        if let shape = config["build_input_shape"] as? [Any], shape.count == 2, let size = integer(shape[1]) { result.inputSize = size }
        if let compile = top["compile_config"] as? [String: Any], let optimizer = compile["optimizer"] {
            result.optimizer = ((optimizer as? [String: Any])?["class_name"] as? String) ?? (optimizer as? String) ?? "an optimizer"
        }
        for item in layers {
            guard let layer = item as? [String: Any], let kind = layer["class_name"] as? String,
                  let settings = layer["config"] as? [String: Any] else {
                throw refuse("config.json has a layer that is not an object with class_name and config")
            }
            let name = settings["name"] as? String ?? kind
            func fail(_ why: String) -> KerasError { refuse("layer '\(name)' (\(kind)): \(why)") }
            switch kind {
            case "InputLayer":
                let shape = (settings["batch_shape"] ?? settings["batch_input_shape"]) as? [Any]
                guard let shape, shape.count == 2, let size = integer(shape[1]), size >= 1 else {
                    throw fail("the input is not a vector of features (batch_shape [null, n])")
                }
                result.inputSize = size
            case "Rescaling":
                guard result.dense.isEmpty, result.scale == nil, !result.normalizes else {
                    throw fail("LNet's preprocessing is one Rescaling, then one Normalization, before the Dense layers")
                }
                guard let scale = number(settings["scale"]).map({ [$0] }) ?? numbers(settings["scale"] as Any), !scale.isEmpty,
                      scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                    throw fail("the scale is not a positive number or a list of them")
                }
                guard let offset = number(settings["offset"] ?? 0.0).map({ [$0] }) ?? numbers(settings["offset"] as Any), !offset.isEmpty else {
                    throw fail("the offset is not a number or a list of them")
                }
                result.scale = scale
                result.offset = offset
            case "Normalization":
                guard result.dense.isEmpty, !result.normalizes else {
                    throw fail("LNet's preprocessing is one Rescaling, then one Normalization, before the Dense layers")
                }
                let axis = settings["axis"]
                guard axis == nil || integer(axis as Any) == -1 || ((axis as? [Any]).map { $0.count == 1 && integer($0[0]) == -1 } ?? false) else {
                    throw fail("it normalises along an axis other than the features' (-1)")
                }
                guard (settings["invert"] as? Bool) != true else { throw fail("it inverts (denormalises)") }
                result.normalizes = true
                if let mean = settings["mean"], !(mean is NSNull) {
                    guard let mean = numbers(mean), let variance = numbers(settings["variance"] as Any) else {
                        throw fail("its mean and variance are not lists of numbers")
                    }
                    result.normalizationMean = mean
                    result.normalizationVariance = variance
                }
            case "Dense":
                guard let units = integer(settings["units"] as Any), units >= 1 else { throw fail("units is not a positive integer") }
                guard let activation = settings["activation"] as? String else { throw fail("its activation is not one of Keras's by name") }
                guard (settings["use_bias"] as? Bool) != false else { throw fail("it has no bias (use_bias=False)") }
                result.dense.append(Dense(name: name, units: units, activation: activation))
            case "Dropout":
                result.leftAside.append(name)
            default:
                throw fail("LNet imports a Sequential of Dense layers (with Rescaling and Normalization in front, Dropout left aside)")
            }
        }
        guard !result.dense.isEmpty else { throw refuse("the Sequential has no Dense layer") }
        return result
    }

    private static func integer(_ value: Any?) -> Int? {
        guard let value else { return nil }
        if let number = value as? Int { return number }
        if let number = value as? Double, number.rounded() == number, abs(number) < 1e15 { return Int(number) }
        return nil
    }

    private static func number(_ value: Any?) -> Double? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        return nil
    }

    private static func numbers(_ value: Any) -> [Double]? {
        guard let list = value as? [Any] else { return nil }
        var values: [Double] = []
        values.reserveCapacity(list.count)
        for item in list {
            guard let number = number(item), number.isFinite else { return nil }
            values.append(number)
        }
        return values
    }
}
