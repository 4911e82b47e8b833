/// The element types of the safetensors format, by the names its header uses (`"dtype": "F32"`), with their sizes in
/// bits, as safetensors/src/tensor.rs declares them. Sub-byte types (`F4`, `F6_*`) are valid in a file when a tensor's
/// bits fill whole bytes; LNet validates them but does not turn them into numbers.
public enum SafetensorsDType: String, CaseIterable, Sendable, Hashable {
    case bool = "BOOL"
    case f4 = "F4"
    case f6E2M3 = "F6_E2M3"
    case f6E3M2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8E5M2 = "F8_E5M2"
    case f8E4M3 = "F8_E4M3"
    case f8E8M0 = "F8_E8M0"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// The size of one element in bits.
    public var bitSize: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Whether LNet reads its elements as numbers (`inspect`'s values and statistics, `diff`, `import`): every
    /// integer, boolean and IEEE/bfloat type of 16 bits or more. The 8-bit and smaller floats and complex numbers are
    /// validated and listed, not converted.
    public var isConvertible: Bool {
        switch self {
        case .f4, .f6E2M3, .f6E3M2, .f8E5M2, .f8E4M3, .f8E8M0, .c64: false
        default: true
        }
    }

    /// Whether it is a floating-point type (what a model's parameters may be).
    public var isFloatingPoint: Bool {
        switch self {
        case .f4, .f6E2M3, .f6E3M2, .f8E5M2, .f8E4M3, .f8E8M0, .f16, .bf16, .f32, .f64: true
        default: false
        }
    }

    /// The number of bytes `count` elements take, or nil when it overflows or does not fill whole bytes.
    public func byteCount(elements count: Int) -> Int? {
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitSize)
        guard !overflow, bits % 8 == 0 else { return nil }
        return bits / 8
    }

    /// Decodes `count` little-endian elements from `bytes` as float64 values, appending them to `values`.
    /// The caller has checked that `bytes` holds exactly `count` elements and that the type ``isConvertible``.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into values: inout [Double]) {
        func load<T: FixedWidthInteger>(_: T.Type, _ index: Int) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
        }
        switch self {
        case .bool: for i in 0..<count { values.append(bytes[i] != 0 ? 1 : 0) }
        case .u8: for i in 0..<count { values.append(Double(bytes[i])) }
        case .i8: for i in 0..<count { values.append(Double(Int8(bitPattern: bytes[i]))) }
        case .i16: for i in 0..<count { values.append(Double(load(Int16.self, i))) }
        case .u16: for i in 0..<count { values.append(Double(load(UInt16.self, i))) }
        case .i32: for i in 0..<count { values.append(Double(load(Int32.self, i))) }
        case .u32: for i in 0..<count { values.append(Double(load(UInt32.self, i))) }
        case .i64: for i in 0..<count { values.append(Double(load(Int64.self, i))) }
        case .u64: for i in 0..<count { values.append(Double(load(UInt64.self, i))) }
        case .f16: for i in 0..<count { values.append(Double(Float16(bitPattern: load(UInt16.self, i)))) }
        case .bf16: for i in 0..<count { values.append(Double(Float(bitPattern: UInt32(load(UInt16.self, i)) << 16))) }
        case .f32: for i in 0..<count { values.append(Double(Float(bitPattern: load(UInt32.self, i)))) }
        case .f64: for i in 0..<count { values.append(Double(bitPattern: load(UInt64.self, i))) }
        case .f4, .f6E2M3, .f6E3M2, .f8E5M2, .f8E4M3, .f8E8M0, .c64: break
        }
    }
}
