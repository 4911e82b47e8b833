/// The Swift types of `FeatureElementType`, so that the writer can be generic
/// over the element type and still take values out of a `FeatureBuffer`
/// without a copy or a runtime cast.
protocol FeatureElement: HDF5Numeric {
    /// The values of `buffer` when it holds this type, else nil.
    static func values(in buffer: FeatureBuffer) -> [Self]?
    /// Wraps values in the matching `FeatureBuffer` case.
    static func buffer(_ values: [Self]) -> FeatureBuffer
    /// The value as CSV text: integers in decimal, floats in the shortest
    /// form that reads back to the same value (`0.1`, `1e-05`, `nan`, `inf`).
    var csvText: String { get }
}

extension UInt8: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [UInt8]? { if case .uint8(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [UInt8]) -> FeatureBuffer { .uint8(values) }
    var csvText: String { String(self) }
}
extension Int8: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Int8]? { if case .int8(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Int8]) -> FeatureBuffer { .int8(values) }
    var csvText: String { String(self) }
}
extension Int16: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Int16]? { if case .int16(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Int16]) -> FeatureBuffer { .int16(values) }
    var csvText: String { String(self) }
}
extension UInt16: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [UInt16]? { if case .uint16(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [UInt16]) -> FeatureBuffer { .uint16(values) }
    var csvText: String { String(self) }
}
extension Int32: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Int32]? { if case .int32(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Int32]) -> FeatureBuffer { .int32(values) }
    var csvText: String { String(self) }
}
extension UInt32: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [UInt32]? { if case .uint32(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [UInt32]) -> FeatureBuffer { .uint32(values) }
    var csvText: String { String(self) }
}
extension Int64: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Int64]? { if case .int64(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Int64]) -> FeatureBuffer { .int64(values) }
    var csvText: String { String(self) }
}
extension UInt64: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [UInt64]? { if case .uint64(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [UInt64]) -> FeatureBuffer { .uint64(values) }
    var csvText: String { String(self) }
}
extension Float: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Float]? { if case .float32(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Float]) -> FeatureBuffer { .float32(values) }
    var csvText: String { description }
}
extension Double: FeatureElement {
    static func values(in buffer: FeatureBuffer) -> [Double]? { if case .float64(let v) = buffer { v } else { nil } }
    static func buffer(_ values: [Double]) -> FeatureBuffer { .float64(values) }
    var csvText: String { description }
}

/// Code generic over the feature element type, run with the Swift type that
/// matches a runtime `FeatureElementType` (Swift has no generic closures).
protocol FeatureElementVisitor {
    associatedtype Result
    func visit<T: FeatureElement>(_ type: T.Type) throws -> Result
}

extension FeatureElementType {
    /// Runs `visitor` with the Swift type of this element type.
    func accept<V: FeatureElementVisitor>(_ visitor: V) throws -> V.Result {
        switch self {
        case .uint8: try visitor.visit(UInt8.self)
        case .int8: try visitor.visit(Int8.self)
        case .int16: try visitor.visit(Int16.self)
        case .uint16: try visitor.visit(UInt16.self)
        case .int32: try visitor.visit(Int32.self)
        case .uint32: try visitor.visit(UInt32.self)
        case .int64: try visitor.visit(Int64.self)
        case .uint64: try visitor.visit(UInt64.self)
        case .float32: try visitor.visit(Float.self)
        case .float64: try visitor.visit(Double.self)
        }
    }
}
