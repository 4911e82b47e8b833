// NumPy .npy arrays: the header (format versions 1.0, 2.0 and 3.0) parsed by a
// strict parser of the one Python dict literal numpy writes, never evaluated,
// and the data streamed row by row along the first axis.
//
// Refused: object arrays and anything else that would need pickle, structured
// and string dtypes, and a header that declares more data than there is (the
// check happens before any allocation, with overflow-safe multiplication).

/// The dtype of a .npy array, from its `descr` string (e.g. `<f8`, `|u1`).
public struct NPYDataType: Sendable, Equatable {
    /// The descr string as written in the header.
    public var descr: String
    /// The element type delivered to callers (`|b1` arrives as uint8 0/1).
    public var elementType: FeatureElementType
    /// The data is big-endian on disk.
    public var bigEndian: Bool
    /// The array is boolean (`|b1`): bytes are normalized to 0 or 1.
    public var isBool: Bool

    init(descr: String, describe: (String) -> ImportError) throws {
        self.descr = descr
        let bytes = Array(descr.utf8)
        guard bytes.count >= 2 else { throw describe("unsupported dtype '\(descr)'") }
        let order = bytes[0]
        let kind = bytes[1]
        if kind == UInt8(ascii: "O") {
            throw describe("object arrays (dtype '\(descr)') are refused: loading them would need pickle, which can run arbitrary code")
        }
        guard let size = Int(String(decoding: bytes[2...], as: UTF8.self)) else {
            throw describe("unsupported dtype '\(descr)'")
        }
        let type: FeatureElementType?
        switch (kind, size) {
        case (UInt8(ascii: "u"), 1): type = .uint8
        case (UInt8(ascii: "u"), 2): type = .uint16
        case (UInt8(ascii: "u"), 4): type = .uint32
        case (UInt8(ascii: "u"), 8): type = .uint64
        case (UInt8(ascii: "i"), 1): type = .int8
        case (UInt8(ascii: "i"), 2): type = .int16
        case (UInt8(ascii: "i"), 4): type = .int32
        case (UInt8(ascii: "i"), 8): type = .int64
        case (UInt8(ascii: "f"), 4): type = .float32
        case (UInt8(ascii: "f"), 8): type = .float64
        case (UInt8(ascii: "b"), 1): type = .uint8
        default: type = nil
        }
        guard let type else {
            throw describe("unsupported dtype '\(descr)' (supported: bool, int8-64, uint8-64, float32, float64)")
        }
        elementType = type
        isBool = kind == UInt8(ascii: "b")
        switch order {
        case UInt8(ascii: "<"): bigEndian = false
        case UInt8(ascii: ">"): bigEndian = true
        case UInt8(ascii: "="): bigEndian = 1.bigEndian == 1
        case UInt8(ascii: "|") where size == 1: bigEndian = false
        default: throw describe("unsupported byte order in dtype '\(descr)'")
        }
    }
}

/// The header of a .npy array.
public struct NPYHeader: Sendable, Equatable {
    /// The format version, e.g. `(1, 0)`; major versions 1, 2 and 3 are read.
    public var version: (major: UInt8, minor: UInt8) { (major, minor) }
    /// The format's major version, 1, 2 or 3: 1 has a 2-byte header length, 2 and 3 a 4-byte one.
    public var major: UInt8
    /// The format's minor version.
    public var minor: UInt8
    /// The array's dtype, from the header's `descr`.
    public var dataType: NPYDataType
    /// The array is stored in Fortran (column-major) order.
    public var fortranOrder: Bool
    /// The array's shape, from the header's `shape` tuple; `[]` for a 0-dimensional array.
    public var shape: [Int]
    /// Number of elements: the product of `shape`.
    public var elementCount: Int
    /// Where the data starts: magic, version, length field and header dict.
    public var dataOffset: Int

    /// Longest header accepted; numpy's own limit is 10 000 bytes by default.
    static let maximumHeaderBytes = 1 << 20
    static let maximumDimensions = 64

    /// Reads the header from the start of `stream`, checking that
    /// `availableBytes` (the file or member size) holds all the data.
    static func read(from stream: ByteStream, availableBytes: Int, describe: @escaping (String) -> ImportError) throws -> NPYHeader {
        var prefix = [UInt8](repeating: 0, count: 10)
        let n = try prefix.withUnsafeMutableBytes { try stream.readFully(into: $0) }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard n >= 8, Array(prefix[0..<6]) == magic else {
            throw describe("not a .npy array (no \\x93NUMPY magic)")
        }
        let major = prefix[6], minor = prefix[7]
        var headerLength: Int
        var lengthFieldEnd: Int
        switch major {
        case 1:
            guard n >= 10 else { throw describe("the .npy header is truncated") }
            headerLength = Int(prefix.uint16LE(at: 8))
            lengthFieldEnd = 10
        case 2, 3:
            guard n >= 10 else { throw describe("the .npy header is truncated") }
            var rest = [UInt8](repeating: 0, count: 2)
            let m = try rest.withUnsafeMutableBytes { try stream.readFully(into: $0) }
            guard m == 2 else { throw describe("the .npy header is truncated") }
            headerLength = Int((prefix + rest).uint32LE(at: 8))
            lengthFieldEnd = 12
        default:
            throw describe("unsupported .npy format version \(major).\(minor)")
        }
        guard headerLength <= maximumHeaderBytes else {
            throw describe("the .npy header claims \(headerLength) bytes, more than the \(maximumHeaderBytes) accepted")
        }
        guard headerLength <= availableBytes - lengthFieldEnd else {
            throw describe("the .npy header is truncated: it claims \(headerLength) bytes")
        }
        var dictBytes = [UInt8](repeating: 0, count: headerLength)
        let got = try dictBytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
        guard got == headerLength else { throw describe("the .npy header is truncated") }
        // Version 3 allows UTF-8 in the header; 1 and 2 use latin-1, but the
        // dict numpy writes is ASCII anyway, and non-ASCII only matters inside
        // strings, which are compared against ASCII keys and dtypes.
        var parser = PythonLiteralParser(bytes: dictBytes, describe: describe)
        let dict = try parser.parseHeaderDict()
        guard let descr = dict.descr else {
            if dict.structured { throw describe("structured dtypes (a list as 'descr') are not supported") }
            throw describe("the .npy header has no 'descr'")
        }
        let dataType = try NPYDataType(descr: descr, describe: describe)
        guard let fortran = dict.fortranOrder else { throw describe("the .npy header has no 'fortran_order'") }
        guard let shape = dict.shape else { throw describe("the .npy header has no 'shape'") }
        guard shape.count <= maximumDimensions else { throw describe("the .npy array has \(shape.count) dimensions, more than \(maximumDimensions)") }
        guard let count = checkedProduct(shape), let bytes = checkedProduct([count, dataType.elementType.byteCount]) else {
            throw describe("the .npy shape \(shape) is too large")
        }
        let dataOffset = lengthFieldEnd + headerLength
        let available = availableBytes - dataOffset
        guard bytes <= available else {
            throw describe("the .npy header declares shape \(shape) of '\(descr)' (\(bytes) bytes of data) but only \(available) bytes follow")
        }
        return NPYHeader(major: major, minor: minor, dataType: dataType, fortranOrder: fortran, shape: shape, elementCount: count, dataOffset: dataOffset)
    }

    /// Equal when version, dtype, order and shape are; `elementCount` and `dataOffset` follow from them and the
    /// header length, and are not compared.
    public static func == (a: NPYHeader, b: NPYHeader) -> Bool {
        a.major == b.major && a.minor == b.minor && a.dataType == b.dataType && a.fortranOrder == b.fortranOrder && a.shape == b.shape
    }
}

/// A strict parser for the header dict: `{'descr': '<f8', 'fortran_order':
/// False, 'shape': (3, 4), }`. Only string, bool, int and tuple literals are
/// understood; any other token (a call, a name, an expression) is an error.
struct PythonLiteralParser {
    let bytes: [UInt8]
    let describe: (String) -> ImportError
    var position = 0

    struct HeaderDict {
        var descr: String?
        var structured = false
        var fortranOrder: Bool?
        var shape: [Int]?
    }

    init(bytes: [UInt8], describe: @escaping (String) -> ImportError) {
        self.bytes = bytes
        self.describe = describe
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else {
            throw describe("malformed .npy header: expected '\(Character(UnicodeScalar(byte)))' at header byte \(position)")
        }
        position += 1
    }

    private mutating func peek() -> UInt8? {
        skipSpace()
        return position < bytes.count ? bytes[position] : nil
    }

    private mutating func parseString() throws -> String {
        skipSpace()
        guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
            throw describe("malformed .npy header: expected a string at header byte \(position)")
        }
        let quote = bytes[position]
        position += 1
        let start = position
        while position < bytes.count, bytes[position] != quote {
            // Escapes never occur in what numpy writes; refuse rather than guess.
            if bytes[position] == 0x5C { throw describe("malformed .npy header: escape sequence in a string") }
            position += 1
        }
        guard position < bytes.count else { throw describe("malformed .npy header: unterminated string") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }

    private mutating func parseWord() -> String {
        skipSpace()
        let start = position
        while position < bytes.count, (bytes[position] | 0x20) >= 0x61 && (bytes[position] | 0x20) <= 0x7A || bytes[position] == 0x5F {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func parseInt() throws -> Int {
        skipSpace()
        let start = position
        var value = 0
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(Int(bytes[position] - 0x30))
            guard !o1, !o2 else { throw describe("malformed .npy header: dimension too large") }
            value = next
            position += 1
        }
        // Python 2 era numpy wrote dimensions as `3L`.
        if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
        guard position > start else { throw describe("malformed .npy header: expected a non-negative integer at header byte \(start)") }
        return value
    }

    mutating func parseHeaderDict() throws -> HeaderDict {
        var dict = HeaderDict()
        var seen = Set<String>()
        try expect(UInt8(ascii: "{"))
        while true {
            if peek() == UInt8(ascii: "}") {
                position += 1
                break
            }
            let key = try parseString()
            guard seen.insert(key).inserted else { throw describe("malformed .npy header: duplicate key '\(key)'") }
            try expect(UInt8(ascii: ":"))
            switch key {
            case "descr":
                if peek() == UInt8(ascii: "[") {
                    dict.structured = true
                    throw describe("structured dtypes (a list as 'descr') are not supported")
                }
                dict.descr = try parseString()
            case "fortran_order":
                switch parseWord() {
                case "True": dict.fortranOrder = true
                case "False": dict.fortranOrder = false
                default: throw describe("malformed .npy header: 'fortran_order' must be True or False")
                }
            case "shape":
                try expect(UInt8(ascii: "("))
                var shape: [Int] = []
                while true {
                    if peek() == UInt8(ascii: ")") {
                        position += 1
                        break
                    }
                    guard shape.count < NPYHeader.maximumDimensions + 1 else {
                        throw describe("malformed .npy header: too many dimensions")
                    }
                    shape.append(try parseInt())
                    if peek() == UInt8(ascii: ",") {
                        position += 1
                    } else {
                        try expect(UInt8(ascii: ")"))
                        break
                    }
                }
                dict.shape = shape
            default:
                throw describe("malformed .npy header: unexpected key '\(key)'")
            }
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else {
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        skipSpace()
        guard position == bytes.count else {
            throw describe("malformed .npy header: unexpected text after the dict at header byte \(position)")
        }
        return dict
    }
}

/// Streams one .npy array (a file or an .npz member) along its first axis.
/// C-order data is read chunk by chunk; Fortran-order data with 2 or more
/// dimensions is read whole and transposed once (its rows are not contiguous).
final class NPYArrayStream {
    let header: NPYHeader
    /// Rows along the first axis (1 for a 0-d array).
    let rows: Int
    /// Elements per row: the product of the other axes.
    let rowLength: Int
    private let stream: ByteStream
    private let describe: (String) -> ImportError
    private var rowsRead = 0
    private var elementsRead = 0
    private var wholeArray: FeatureBuffer?

    init(stream: ByteStream, availableBytes: Int, describe: @escaping (String) -> ImportError) throws {
        self.stream = stream
        self.describe = describe
        header = try NPYHeader.read(from: stream, availableBytes: availableBytes, describe: describe)
        rows = header.shape.first ?? 1
        rowLength = checkedProduct(Array(header.shape.dropFirst())) ?? 0
        if header.fortranOrder, header.shape.count > 1 {
            let raw = try readRaw(count: header.elementCount)
            wholeArray = raw.fortranToC(shape: header.shape)
            try readPastEnd()
        }
    }

    private func readRaw(count: Int) throws -> FeatureBuffer {
        let itemSize = header.dataType.elementType.byteCount
        var buffer = try readElements(from: stream, count: count, type: header.dataType.elementType, bigEndian: header.dataType.bigEndian) { got, wanted in
            describe("the array data is truncated: \(got) of \(wanted) bytes (item size \(itemSize))")
        }
        if header.dataType.isBool, case .uint8(let values) = buffer {
            buffer = .uint8(values.map { $0 == 0 ? 0 : 1 })
        }
        return buffer
    }

    /// Reading past the data lets a checked .npz member verify its CRC-32
    /// even when nothing else would ask for the end of the stream.
    private func readPastEnd() throws {
        var probe: UInt8 = 0
        _ = try withUnsafeMutableBytes(of: &probe) { try stream.read(into: $0) }
    }

    /// The next `1...maxRows` rows in C order, or nil after the last row.
    func nextRows(maxRows: Int) throws -> (rows: Int, values: FeatureBuffer)? {
        let count = min(max(1, maxRows), rows - rowsRead)
        guard count > 0 else { return nil }
        let values = try nextElements(count * rowLength)
        rowsRead += count
        return (count, values)
    }

    /// The next `count` elements in C order (the caller keeps within the array).
    func nextElements(_ count: Int) throws -> FeatureBuffer {
        let values: FeatureBuffer
        if let wholeArray {
            values = wholeArray.slice(elementsRead..<(elementsRead + count))
        } else {
            values = try readRaw(count: count)
        }
        elementsRead += count
        if elementsRead == header.elementCount, wholeArray == nil { try readPastEnd() }
        return values
    }
}
