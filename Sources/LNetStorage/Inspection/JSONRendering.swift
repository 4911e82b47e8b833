extension HDF5FileTree {
    /// The tree as one JSON object: `{"file": …, "objects": [ … ]}`.
    ///
    /// Each object has the keys `path`, `kind` (`group`, `dataset`, `other`),
    /// `dtype` (numpy name, `null` for groups), `shape` (`null` for groups),
    /// `filters` (`[{"id", "name", "parameters"}]`), `attributes` (name →
    /// value: numbers, strings, booleans or arrays of them), and `chunks`
    /// when the dataset is chunked. Keys always come in that order; NaN and
    /// ±infinity become `null`, which JSON has no numbers for, as does an
    /// attribute that could not be read.
    public func renderJSON() -> String {
        JSON.object([("file", .string(file)), ("objects", objectsJSON())]).rendered(indent: 0) + "\n"
    }

    /// The `"objects"` array; `statistics` (by path) adds a `"stats"` key
    /// after the existing ones, so readers of the first version keep working.
    func objectsJSON(statistics: [String: TensorStatistics] = [:]) -> JSON {
        let objects = objects.map { object -> JSON in
            var fields: [(String, JSON)] = [
                ("path", .string(object.path)),
                ("kind", .string(object.kind.rawValue)),
                ("dtype", object.dtype.map(JSON.string) ?? .null),
                ("shape", object.shape.map { .array($0.map(JSON.int)) } ?? .null),
            ]
            if let chunks = object.chunkShape {
                fields.append(("chunks", .array(chunks.map(JSON.int))))
            }
            fields.append(("filters", .array(object.filters.map { filter in
                .object([
                    ("id", .int(filter.id)), ("name", .string(filter.name)),
                    ("parameters", .array(filter.parameters.map(JSON.int))),
                ])
            })))
            fields.append(("attributes", .object(object.attributes.map { ($0.name, $0.value.map(JSON.init) ?? .null) })))
            if let stats = statistics[object.path] { fields.append(("stats", stats.json)) }
            return .object(fields)
        }
        return .array(objects)
    }
}

/// A JSON value with object keys in a fixed order, rendered by hand because
/// Foundation's encoders reject NaN and infinity, which must become `null`.
/// Every `--json` output of lnet is built from it.
public enum JSON: Hashable, Sendable {
    /// `null`, also what a NaN or infinite number becomes.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer, written in decimal.
    case int(Int)
    /// A number already written in JSON syntax.
    case number(String)
    /// A string, escaped by `quote(_:)` when rendered.
    case string(String)
    /// An array: on one line when it holds no arrays or objects, else one element per line.
    case array([JSON])
    /// An object whose members are rendered in the order given, neither sorted nor deduplicated.
    case object([(String, JSON)])

    /// Equal when both render to the same text, so `.int(1)` equals `.number("1")`.
    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.rendered(indent: 0) == rhs.rendered(indent: 0) }
    /// Hashes the rendered text, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered(indent: 0)) }

    init(_ value: AttributeValue) {
        switch value {
        case .int64(let value): self = .int(Int(value))
        case .int32(let value): self = .int(Int(value))
        case .uint8(let value): self = .int(Int(value))
        case .float64(let value): self = .double(value)
        case .float32(let value): self = .float(value)
        case .bool(let value): self = .bool(value)
        case .string(let value): self = .string(value)
        case .int64Array(let values): self = .array(values.map { .int(Int($0)) })
        case .int32Array(let values): self = .array(values.map { .int(Int($0)) })
        case .uint8Array(let values): self = .array(values.map { .int(Int($0)) })
        case .float64Array(let values): self = .array(values.map(JSON.double))
        case .float32Array(let values): self = .array(values.map(JSON.float))
        case .boolArray(let values): self = .array(values.map(JSON.bool))
        case .stringArray(let values): self = .array(values.map(JSON.string))
        }
    }

    /// Objects and arrays of containers go on several lines; arrays of plain
    /// values (a shape, a weight vector) stay on one.
    public func rendered(indent: Int = 0) -> String {
        let inner = String(repeating: "  ", count: indent + 1)
        let outer = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .number(let text): return text
        case .string(let value): return Self.quote(value)
        case .array(let values):
            if values.isEmpty { return "[]" }
            if values.allSatisfy(\.isPlain) {
                return "[" + values.map { $0.rendered(indent: 0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + values.map { inner + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + outer + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n"
                + fields.map { inner + Self.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + outer + "}"
        }
    }

    private var isPlain: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// The shortest decimal that reads back as `value` ("0.0075", "1e-300");
    /// JSON has no NaN or infinity, so those are `null`.
    public static func double(_ value: Double) -> JSON {
        value.isFinite ? .number("\(value)") : .null
    }

    /// A `Float` in its own shortest form ("0.1", not "0.10000000149011612").
    public static func float(_ value: Float) -> JSON {
        value.isFinite ? .number("\(value)") : .null
    }

    /// `text` as a JSON string literal in double quotes, with quotes, backslashes and control characters (below
    /// U+0020) escaped and every other character kept as it is.
    public static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
