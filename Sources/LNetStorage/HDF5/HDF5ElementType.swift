import CHDF5

/// The type of the elements of a dataset or attribute, as stored in the file.
///
/// Byte order is not part of the value: HDF5 converts it on every read, so a
/// big-endian `float64` reads exactly like a little-endian one.
public enum HDF5ElementType: Hashable, Sendable, CustomStringConvertible {
    /// Signed integers of 8, 16, 32 and 64 bits.
    case int8, int16, int32, int64
    /// Unsigned integers of 8, 16, 32 and 64 bits.
    case uint8, uint16, uint32, uint64
    /// IEEE floating point of 16, 32 and 64 bits.
    case float16, float32, float64
    /// h5py's boolean: an enum over `int8` with members FALSE = 0 and TRUE = 1.
    case bool
    /// A fixed-length byte string, `length` bytes per element, padded with NULs or spaces.
    case fixedString(length: Int)
    /// A variable-length string (UTF-8 or ASCII), as h5py writes Python `str`.
    case variableString
    /// Anything else (compound, array, opaque, reference, other enums…),
    /// described in words; it can be listed but not read.
    case other(String)

    /// The name numpy/h5py give this type: `uint8`, `int64`, `float64`, `bool`,
    /// `|S7` for a 7-byte fixed-length string, and `object` for variable-length
    /// strings (h5py reads them into an object array; `h5py.check_string_dtype`
    /// tells them apart from other objects).
    public var numpyName: String {
        switch self {
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .bool: "bool"
        case .fixedString(let length): "|S\(length)"
        case .variableString: "object"
        case .other(let text): text
        }
    }

    /// The numpy name, as `numpyName`.
    public var description: String { numpyName }

    /// Whether HDF5 can convert the values to `Double`/`Float`.
    public var isNumeric: Bool { isInteger || isFloatingPoint }

    /// Whether this is one of the integer types.
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        default: false
        }
    }

    /// Whether this is one of the floating-point types.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .float32, .float64: true
        default: false
        }
    }

    /// Whether this is a fixed- or variable-length string.
    public var isString: Bool {
        switch self {
        case .fixedString, .variableString: true
        default: false
        }
    }

    /// For integers: (signed, bits).
    var integerLayout: (signed: Bool, bits: Int)? {
        switch self {
        case .int8: (true, 8)
        case .int16: (true, 16)
        case .int32: (true, 32)
        case .int64: (true, 64)
        case .uint8: (false, 8)
        case .uint16: (false, 16)
        case .uint32: (false, 32)
        case .uint64: (false, 64)
        default: nil
        }
    }

    /// Whether values of this stored type can be read into memory as `target`
    /// without silently losing information, except that any number may be read
    /// as `Double` or `Float` (rounding, as numpy's `astype` does).
    ///
    /// Integers read as a wider integer only when every value fits, because
    /// HDF5 would otherwise clamp out-of-range values without saying so.
    func canBeRead(as target: HDF5ElementType) -> Bool {
        if self == target { return true }
        switch target {
        case .float64, .float32:
            return isNumeric
        case .bool:
            return false
        default:
            guard let from = integerLayout, let to = target.integerLayout else { return false }
            if to.signed {
                return from.signed ? from.bits <= to.bits : from.bits < to.bits
            }
            return !from.signed && from.bits <= to.bits
        }
    }
}

/// A Swift number type that datasets and attributes can hold natively:
/// `Double`, `Float`, `Int64`, `Int32`, `UInt8` and `Bool`.
public protocol HDF5Numeric: Sendable, BitwiseCopyable {
    /// The element type values of this Swift type are stored as.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Double: HDF5Numeric {
    /// Stored as IEEE little-endian `float64`.
    public static var hdf5ElementType: HDF5ElementType { .float64 }
}
extension Float: HDF5Numeric {
    /// Stored as IEEE little-endian `float32`.
    public static var hdf5ElementType: HDF5ElementType { .float32 }
}
extension Int64: HDF5Numeric {
    /// Stored as little-endian `int64`.
    public static var hdf5ElementType: HDF5ElementType { .int64 }
}
extension Int32: HDF5Numeric {
    /// Stored as little-endian `int32`.
    public static var hdf5ElementType: HDF5ElementType { .int32 }
}
extension UInt8: HDF5Numeric {
    /// Stored as `uint8`.
    public static var hdf5ElementType: HDF5ElementType { .uint8 }
}
extension Bool: HDF5Numeric {
    /// Stored as h5py does: an `int8` enum with FALSE = 0, TRUE = 1.
    public static var hdf5ElementType: HDF5ElementType { .bool }
}

/// An HDF5 datatype identifier that closes itself.
///
/// Used only inside HDF5 calls, under the lock, and never escapes this module.
final class HDF5TypeID {
    let id: hid_t
    private let owned: Bool

    init(_ id: hid_t, owned: Bool) {
        self.id = id
        self.owned = owned
    }

    deinit {
        if owned { _ = H5Tclose(id) }
    }

    /// The in-memory (native) type for a Swift numeric element type, or for
    /// the on-disk layout of a new dataset (little-endian standard types, as
    /// numpy writes on every platform we run on).
    static func make(_ type: HDF5ElementType, forFile: Bool, site: HDF5Site) throws -> HDF5TypeID {
        switch type {
        case .float64: return HDF5TypeID(forFile ? lnet_H5T_IEEE_F64LE() : lnet_H5T_NATIVE_DOUBLE(), owned: false)
        case .float32: return HDF5TypeID(forFile ? lnet_H5T_IEEE_F32LE() : lnet_H5T_NATIVE_FLOAT(), owned: false)
        case .int64: return HDF5TypeID(forFile ? lnet_H5T_STD_I64LE() : lnet_H5T_NATIVE_INT64(), owned: false)
        case .int32: return HDF5TypeID(forFile ? lnet_H5T_STD_I32LE() : lnet_H5T_NATIVE_INT32(), owned: false)
        case .int16: return HDF5TypeID(lnet_H5T_NATIVE_INT16(), owned: false)
        case .int8: return HDF5TypeID(forFile ? lnet_H5T_STD_I8LE() : lnet_H5T_NATIVE_INT8(), owned: false)
        case .uint8: return HDF5TypeID(forFile ? lnet_H5T_STD_U8LE() : lnet_H5T_NATIVE_UINT8(), owned: false)
        case .uint16: return HDF5TypeID(lnet_H5T_NATIVE_UINT16(), owned: false)
        case .uint32: return HDF5TypeID(lnet_H5T_NATIVE_UINT32(), owned: false)
        case .uint64: return HDF5TypeID(lnet_H5T_NATIVE_UINT64(), owned: false)
        case .bool: return try boolean(site: site)
        case .variableString: return try string(length: nil, utf8: true, site: site)
        case .fixedString(let length): return try string(length: length, utf8: false, site: site)
        case .float16, .other:
            throw site.error(.typeMismatch, "make datatype", "\(type.numpyName) cannot be written")
        }
    }

    /// h5py's boolean type, used in memory and in files alike so that h5py
    /// reads the values as numpy `bool`.
    static func boolean(site: HDF5Site) throws -> HDF5TypeID {
        let type = HDF5TypeID(try site.check(H5Tenum_create(lnet_H5T_NATIVE_INT8()), "make bool datatype"), owned: true)
        var no: Int8 = 0
        var yes: Int8 = 1
        try site.check(H5Tenum_insert(type.id, "FALSE", &no), "make bool datatype")
        try site.check(H5Tenum_insert(type.id, "TRUE", &yes), "make bool datatype")
        return type
    }

    /// A string type: variable-length (`length == nil`) NUL-terminated, as h5py
    /// writes `str`, or fixed-length NUL-padded, as numpy's `S` dtype.
    static func string(length: Int?, utf8: Bool, site: HDF5Site) throws -> HDF5TypeID {
        let type = HDF5TypeID(try site.check(H5Tcopy(lnet_H5T_C_S1()), "make string datatype"), owned: true)
        if let length {
            try site.check(H5Tset_size(type.id, max(length, 1)), "make string datatype")
            try site.check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), "make string datatype")
        } else {
            try site.check(H5Tset_size(type.id, lnet_H5T_VARIABLE()), "make string datatype")
            try site.check(H5Tset_strpad(type.id, H5T_STR_NULLTERM), "make string datatype")
        }
        try site.check(H5Tset_cset(type.id, utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), "make string datatype")
        return type
    }

    /// Describes a stored datatype.
    static func elementType(of type: hid_t, site: HDF5Site) throws -> HDF5ElementType {
        let typeClass = H5Tget_class(type)
        let size = H5Tget_size(type)
        switch typeClass {
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (signed, size) {
            case (true, 1): return .int8
            case (true, 2): return .int16
            case (true, 4): return .int32
            case (true, 8): return .int64
            case (false, 1): return .uint8
            case (false, 2): return .uint16
            case (false, 4): return .uint32
            case (false, 8): return .uint64
            default: return .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_FLOAT:
            switch size {
            case 2: return .float16
            case 4: return .float32
            case 8: return .float64
            default: return .other("float\(size * 8)")
            }
        case H5T_STRING:
            let variable = try site.check(H5Tis_variable_str(type), "inspect string datatype")
            return variable > 0 ? .variableString : .fixedString(length: size)
        case H5T_ENUM:
            return isBoolean(type) ? .bool : .other("enum")
        case H5T_COMPOUND: return .other("compound")
        case H5T_ARRAY: return .other("array")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_REFERENCE: return .other("reference")
        case H5T_VLEN: return .other("vlen")
        case H5T_BITFIELD: return .other("bitfield")
        case H5T_TIME: return .other("time")
        default:
            throw site.libraryError("inspect datatype")
        }
    }

    /// Whether an enum type is h5py's boolean: two members, FALSE = 0, TRUE = 1,
    /// over a one-byte integer.
    private static func isBoolean(_ type: hid_t) -> Bool {
        guard H5Tget_nmembers(type) == 2, H5Tget_size(type) == 1 else { return false }
        var names: [String: Int8] = [:]
        for index in 0..<UInt32(2) {
            guard let name = H5Tget_member_name(type, index) else { return false }
            defer { H5free_memory(name) }
            var value: Int8 = 0
            guard H5Tget_member_value(type, index, &value) >= 0 else { return false }
            names[String(cString: name)] = value
        }
        return names == ["FALSE": 0, "TRUE": 1]
    }
}
