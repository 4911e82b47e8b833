import Foundation

/// The value of an HDF5 attribute, with its type.
///
/// Scalars and one-dimensional arrays are distinct cases because h5py gives
/// them back differently (a numpy scalar or an array), so a value written
/// here reads back in Python with the shape it was meant to have.
/// Literals make writing short: `try attrs.write("epochs", 2500)`.
public enum AttributeValue: Hashable, Sendable {
    /// A signed 64-bit integer scalar (numpy `int64`, Python `int`).
    case int64(Int64)
    /// A signed 32-bit integer scalar.
    case int32(Int32)
    /// An unsigned byte scalar.
    case uint8(UInt8)
    /// A double-precision scalar (numpy `float64`, Python `float`).
    case float64(Double)
    /// A single-precision scalar.
    case float32(Float)
    /// A boolean scalar, stored as h5py's enum so numpy reads `bool`.
    case bool(Bool)
    /// A string scalar (variable-length UTF-8 when written).
    case string(String)
    /// A one-dimensional `int64` array.
    case int64Array([Int64])
    /// A one-dimensional `int32` array.
    case int32Array([Int32])
    /// A one-dimensional `uint8` array.
    case uint8Array([UInt8])
    /// A one-dimensional `float64` array.
    case float64Array([Double])
    /// A one-dimensional `float32` array.
    case float32Array([Float])
    /// A one-dimensional boolean array.
    case boolArray([Bool])
    /// A one-dimensional array of strings.
    case stringArray([String])

    /// Whether the value is a scalar rather than an array.
    public var isScalar: Bool {
        switch self {
        case .int64, .int32, .uint8, .float64, .float32, .bool, .string: true
        default: false
        }
    }

    /// The element type the value is stored as (strings as variable-length).
    public var elementType: HDF5ElementType {
        switch self {
        case .int64, .int64Array: .int64
        case .int32, .int32Array: .int32
        case .uint8, .uint8Array: .uint8
        case .float64, .float64Array: .float64
        case .float32, .float32Array: .float32
        case .bool, .boolArray: .bool
        case .string, .stringArray: .variableString
        }
    }

    /// An integer scalar as `Int64`; `nil` for anything else.
    public var int64Value: Int64? {
        switch self {
        case .int64(let value): value
        case .int32(let value): Int64(value)
        case .uint8(let value): Int64(value)
        default: nil
        }
    }

    /// An integer scalar as `Int`; `nil` for anything else.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// A numeric scalar (integer or floating point) as `Double`; `nil` for anything else.
    public var doubleValue: Double? {
        switch self {
        case .float64(let value): value
        case .float32(let value): Double(value)
        default: int64Value.map(Double.init)
        }
    }

    /// A boolean scalar; `nil` for anything else.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// A string scalar; `nil` for anything else.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// An integer array (or scalar, as one element) as `[Int64]`; `nil` for anything else.
    public var int64ArrayValue: [Int64]? {
        switch self {
        case .int64Array(let values): values
        case .int32Array(let values): values.map(Int64.init)
        case .uint8Array(let values): values.map(Int64.init)
        default: int64Value.map { [$0] }
        }
    }

    /// A numeric array (or scalar, as one element) as `[Double]`; `nil` for anything else.
    public var doubleArrayValue: [Double]? {
        switch self {
        case .float64Array(let values): values
        case .float32Array(let values): values.map(Double.init)
        case .int64Array, .int32Array, .uint8Array: int64ArrayValue?.map(Double.init)
        default: doubleValue.map { [$0] }
        }
    }

    /// A boolean array (or scalar, as one element); `nil` for anything else.
    public var boolArrayValue: [Bool]? {
        switch self {
        case .boolArray(let values): values
        case .bool(let value): [value]
        default: nil
        }
    }

    /// A string array (or scalar, as one element); `nil` for anything else.
    public var stringArrayValue: [String]? {
        switch self {
        case .stringArray(let values): values
        case .string(let value): [value]
        default: nil
        }
    }

    /// The number of elements: 1 for a scalar.
    public var count: Int {
        switch self {
        case .int64, .int32, .uint8, .float64, .float32, .bool, .string: 1
        case .int64Array(let values): values.count
        case .int32Array(let values): values.count
        case .uint8Array(let values): values.count
        case .float64Array(let values): values.count
        case .float32Array(let values): values.count
        case .boolArray(let values): values.count
        case .stringArray(let values): values.count
        }
    }
}

extension AttributeValue: ExpressibleByIntegerLiteral {
    /// An integer literal is an `Int64` scalar, as numpy's default integer.
    public init(integerLiteral value: Int64) { self = .int64(value) }
}

extension AttributeValue: ExpressibleByFloatLiteral {
    /// A floating-point literal is a `Double` scalar.
    public init(floatLiteral value: Double) { self = .float64(value) }
}

extension AttributeValue: ExpressibleByBooleanLiteral {
    /// A boolean literal is a `Bool` scalar.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension AttributeValue: ExpressibleByStringLiteral {
    /// A string literal is a string scalar.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension AttributeValue: CustomStringConvertible {
    /// Python-like text: `2500`, `0.0075`, `True`, `"cat"`, `[12288, 20, 7, 5, 1]`.
    public var description: String {
        func list<T>(_ values: [T], _ render: (T) -> String) -> String {
            "[" + values.map(render).joined(separator: ", ") + "]"
        }
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func python(_ value: Bool) -> String { value ? "True" : "False" }
        switch self {
        case .int64(let value): return String(value)
        case .int32(let value): return String(value)
        case .uint8(let value): return String(value)
        case .float64(let value): return String(value)
        case .float32(let value): return String(value)
        case .bool(let value): return python(value)
        case .string(let value): return quoted(value)
        case .int64Array(let values): return list(values) { String($0) }
        case .int32Array(let values): return list(values) { String($0) }
        case .uint8Array(let values): return list(values) { String($0) }
        case .float64Array(let values): return list(values) { String($0) }
        case .float32Array(let values): return list(values) { String($0) }
        case .boolArray(let values): return list(values, python)
        case .stringArray(let values): return list(values, quoted)
        }
    }
}
