/// The header of a safetensors file: its tensors (name, dtype, shape, byte range in the data) and its `__metadata__`.
///
/// This is the one declaration of the format's rules, in the manner of safetensors/src/tensor.rs: the writer lays its
/// tensors out with ``init(layingOut:metadata:)`` and checks the result with ``validate(dataLength:)`` before writing a
/// byte; the reader parses the bytes with ``parse(_:)`` (a strict, bounded parser of the one JSON shape the format
/// allows) and checks them with the same ``validate(dataLength:)``. `lnet verify` reports what that finds.
///
/// The rules: the header length is at most 100,000,000 bytes; the header is UTF-8 JSON, an object whose values are
/// tensor entries `{"dtype": D, "shape": [..], "data_offsets": [begin, end]}`, plus an optional `__metadata__` object of
/// strings; a name appears once; every dtype is one of the format's; a tensor's byte count is its element count times
/// its dtype's size (whole bytes, no overflow); taken in offset order, the tensors are contiguous from byte 0 of the
/// data (no gap, no overlap), and the last one ends exactly at the end of the file (no trailing bytes). LNet is stricter
/// than the reference reader in two places, both on what no writer produces: a key repeated in the header, and an
/// unknown key in a tensor entry, are refused rather than silently taken.
public struct SafetensorsHeader: Sendable, Equatable {
    /// The format's bound on the header length (tensor.rs's `MAX_HEADER_SIZE`).
    public static let maximumLength = 100_000_000
    /// The key of the free-form metadata.
    public static let metadataKey = "__metadata__"

    /// One tensor of the file.
    public struct Entry: Sendable, Equatable {
        /// Its name (the header's key).
        public var name: String
        /// Its element type.
        public var dtype: SafetensorsDType
        /// Its shape, outermost first; `[]` for a scalar.
        public var shape: [Int]
        /// Its first byte in the data (after the 8 + N bytes of the length and header).
        public var begin: Int
        /// One past its last byte in the data.
        public var end: Int

        /// Makes an entry.
        public init(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.begin = begin
            self.end = end
        }

        /// Its element count (the product of the shape, 1 for a scalar); nil when it overflows.
        public var elementCount: Int? {
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                if overflow || dimension < 0 { return nil }
                count = product
            }
            return count
        }
    }

    /// The tensors, in offset order (the order of the data).
    public var entries: [Entry]
    /// `__metadata__` as key/value pairs, in the header's order; nil when the header has none.
    public var metadata: [(key: String, value: String)]?

    public static func == (a: SafetensorsHeader, b: SafetensorsHeader) -> Bool {
        a.entries == b.entries && a.metadata?.map(\.key) == b.metadata?.map(\.key)
            && a.metadata?.map(\.value) == b.metadata?.map(\.value)
    }

    /// The entry named `name`.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The metadata value of `key`.
    public func metadataValue(_ key: String) -> String? { metadata?.first { $0.key == key }?.value }

    /// Makes a header from entries and metadata as they are (the reader's; ``validate(dataLength:)`` checks them).
    public init(entries: [Entry], metadata: [(key: String, value: String)]?) {
        self.entries = entries
        self.metadata = metadata
    }

    /// Lays `tensors` out one after the other from byte 0 of the data, in the order given, as the writer will write
    /// them. Throws on a repeated name, a shape whose size overflows, or sub-byte elements that do not fill bytes.
    public init(layingOut tensors: [(name: String, dtype: SafetensorsDType, shape: [Int])], metadata: [(key: String, value: String)]?) throws(SafetensorsProblem) {
        var entries: [Entry] = []
        entries.reserveCapacity(tensors.count)
        var offset = 0
        for tensor in tensors {
            var entry = Entry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, begin: offset, end: offset)
            guard let count = entry.elementCount else { throw .sizeOverflow(tensor: tensor.name) }
            guard let bytes = tensor.dtype.byteCount(elements: count) else {
                throw count.multipliedReportingOverflow(by: tensor.dtype.bitSize).overflow
                    ? .sizeOverflow(tensor: tensor.name) : .misaligned(tensor: tensor.name)
            }
            let (end, overflow) = offset.addingReportingOverflow(bytes)
            guard !overflow else { throw .sizeOverflow(tensor: tensor.name) }
            entry.end = end
            offset = end
            entries.append(entry)
        }
        self.init(entries: entries, metadata: metadata)
        try checkNames()
    }

    /// The number of data bytes the tensors span when they are valid: the end of the last one.
    public var dataLength: Int { entries.last?.end ?? 0 }

    /// Checks the format's rules on the tensors against a data section of `dataLength` bytes (the file's size minus
    /// 8 and the header), in offset order: sizes from dtype and shape, contiguity from 0, and the end of the file.
    public func validate(dataLength: Int) throws(SafetensorsProblem) {
        try checkNames()
        var expected = 0
        for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard entry.begin >= 0, entry.begin <= entry.end else { throw .offsetsMalformed(tensor: entry.name) }
            guard entry.begin == expected else {
                throw .offsetNotContiguous(tensor: entry.name, begin: entry.begin, expected: expected)
            }
            guard let count = entry.elementCount else { throw .sizeOverflow(tensor: entry.name) }
            let (bits, overflow) = count.multipliedReportingOverflow(by: entry.dtype.bitSize)
            guard !overflow else { throw .sizeOverflow(tensor: entry.name) }
            guard bits % 8 == 0 else { throw .misaligned(tensor: entry.name) }
            guard bits / 8 == entry.end - entry.begin else {
                throw .sizeMismatch(tensor: entry.name, dtype: entry.dtype, shape: entry.shape,
                                    expectedBytes: bits / 8, offsetBytes: entry.end - entry.begin)
            }
            guard entry.end <= dataLength else { throw .dataLength(tensorsEnd: entry.end, dataLength: dataLength) }
            expected = entry.end
        }
        guard expected == dataLength else { throw .dataLength(tensorsEnd: expected, dataLength: dataLength) }
    }

    private func checkNames() throws(SafetensorsProblem) {
        var seen = Set<String>()
        if let metadata {
            var keys = Set<String>()
            for (key, _) in metadata where !keys.insert(key).inserted { throw .duplicateName(key) }
        }
        for entry in entries {
            if entry.name == Self.metadataKey || !seen.insert(entry.name).inserted { throw .duplicateName(entry.name) }
        }
    }

    // MARK: Bytes

    /// The header as the file holds it: compact JSON (the metadata first, then the tensors in the order of their
    /// data), padded with spaces to a multiple of 8 bytes as the reference writer pads it, so the data is aligned.
    public func encoded() -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        json.reserveCapacity(64 + entries.count * 80 + (metadata?.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 } ?? 0))
        var first = true
        func separator() {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
        }
        if let metadata {
            separator()
            Self.appendString(Self.metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            for (index, (key, value)) in metadata.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                Self.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                Self.appendString(value, to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
        for entry in entries {
            separator()
            Self.appendString(entry.name, to: &json)
            json.append(contentsOf: Array(":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[".utf8))
            json.append(contentsOf: Array(entry.shape.map(String.init).joined(separator: ",").utf8))
            json.append(contentsOf: Array("],\"data_offsets\":[\(entry.begin),\(entry.end)]}".utf8))
        }
        json.append(UInt8(ascii: "}"))
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        return json
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func appendString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                json.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }

    /// Parses a header's bytes (at most ``maximumLength``), without checking offsets against the data: that is
    /// ``validate(dataLength:)``'s part.
    ///
    /// The parser is written for the one shape the format allows rather than taken from Foundation, whose
    /// JSONSerialization builds the whole tree before anything can be bounded and keeps the last of two equal keys
    /// without a word. Here every value is checked as it is read, against the schema; nesting is two levels by
    /// construction; memory is the entries themselves, at most a small multiple of the header's bytes.
    public static func parse(_ bytes: [UInt8]) throws(SafetensorsProblem) -> SafetensorsHeader {
        guard bytes.count <= maximumLength else { throw .headerTooLarge(UInt64(bytes.count)) }
        // UTF-8 first, as the reference does, so that every later message can quote names as text.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .headerNotUTF8 }
        var parser = HeaderParser(bytes: bytes)
        return try parser.header()
    }
}

/// The bounded, schema-directed JSON parser behind ``SafetensorsHeader/parse(_:)``: RFC 8259 JSON, restricted to the
/// format's shape (strings with every escape, non-negative integers without fraction or exponent).
private struct HeaderParser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func header() throws(SafetensorsProblem) -> SafetensorsHeader {
        skipSpace()
        try expect(UInt8(ascii: "{"), "the header must be a JSON object")
        var entries: [SafetensorsHeader.Entry] = []
        var metadata: [(key: String, value: String)]?
        var names = Set<String>()
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipSpace()
                let name = try string()
                guard names.insert(name).inserted else { throw .duplicateName(name) }
                skipSpace()
                try expect(UInt8(ascii: ":"), "expected ':' after a name")
                skipSpace()
                if name == SafetensorsHeader.metadataKey {
                    metadata = try metadataObject()
                } else {
                    entries.append(try entry(named: name))
                }
                skipSpace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"), "expected ',' or '}' after a value")
                break
            }
        }
        skipSpace()
        guard position == bytes.count else { throw .json("text after the header's object", at: position) }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        return SafetensorsHeader(entries: entries, metadata: metadata)
    }

    private mutating func metadataObject() throws(SafetensorsProblem) -> [(key: String, value: String)]? {
        if matchLiteral("null") { return nil }
        try expect(UInt8(ascii: "{"), "__metadata__ must be an object of strings")
        var pairs: [(key: String, value: String)] = []
        var keys = Set<String>()
        skipSpace()
        if peek() == UInt8(ascii: "}") { position += 1; return pairs }
        while true {
            skipSpace()
            let key = try string()
            guard keys.insert(key).inserted else { throw .duplicateName(key) }
            skipSpace()
            try expect(UInt8(ascii: ":"), "expected ':' after a metadata key")
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw .metadataNotString(key: key) }
            pairs.append((key, try string()))
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"), "expected ',' or '}' in __metadata__")
            return pairs
        }
    }

    private mutating func entry(named name: String) throws(SafetensorsProblem) -> SafetensorsHeader.Entry {
        try expect(UInt8(ascii: "{"), "tensor \"\(name)\" must be an object")
        var dtype: SafetensorsDType?
        var shape: [Int]?
        var offsets: [Int]?
        var seen = Set<String>()
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipSpace()
                let key = try string()
                guard seen.insert(key).inserted else { throw .duplicateName("\(name).\(key)") }
                skipSpace()
                try expect(UInt8(ascii: ":"), "expected ':' in tensor \"\(name)\"")
                skipSpace()
                switch key {
                case "dtype":
                    let text = try string()
                    guard let value = SafetensorsDType(rawValue: text) else { throw .unknownDType(tensor: name, dtype: text) }
                    dtype = value
                case "shape": shape = try integers()
                case "data_offsets": offsets = try integers()
                default: throw .entryFieldUnknown(tensor: name, field: key)
                }
                skipSpace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"), "expected ',' or '}' in tensor \"\(name)\"")
                break
            }
        }
        guard let dtype else { throw .entryFieldMissing(tensor: name, field: "dtype") }
        guard let shape else { throw .entryFieldMissing(tensor: name, field: "shape") }
        guard let offsets else { throw .entryFieldMissing(tensor: name, field: "data_offsets") }
        guard offsets.count == 2, offsets[0] <= offsets[1] else { throw .offsetsMalformed(tensor: name) }
        return SafetensorsHeader.Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private mutating func integers() throws(SafetensorsProblem) -> [Int] {
        try expect(UInt8(ascii: "["), "expected an array of integers")
        var values: [Int] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { position += 1; return values }
        while true {
            skipSpace()
            values.append(try integer())
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"), "expected ',' or ']' in an array of integers")
            return values
        }
    }

    /// A non-negative integer that fits in `Int` (offsets and dimensions are `usize` in the reference).
    private mutating func integer() throws(SafetensorsProblem) -> Int {
        let start = position
        var value = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .json("integer too large", at: start) }
            value = sum
            position += 1
        }
        guard position > start else { throw .json("expected a non-negative integer", at: start) }
        if position - start > 1, bytes[start] == UInt8(ascii: "0") { throw .json("leading zero in an integer", at: start) }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw .json("expected an integer, not a fraction or exponent", at: start)
        }
        return value
    }

    private mutating func string() throws(SafetensorsProblem) -> String {
        let start = position
        try expect(UInt8(ascii: "\""), "expected a string")
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw .json("unterminated string", at: start) }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { throw .json("unterminated escape", at: position) }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard matchLiteral("\\u") else { throw .json("a lone UTF-16 surrogate", at: position) }
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw .json("a lone UTF-16 surrogate", at: position) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .json("a lone UTF-16 surrogate", at: position) }
                    utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw .json("unknown escape", at: position - 2)
                }
            case ..<0x20:
                throw .json("a control character inside a string", at: position - 1)
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func hex4() throws(SafetensorsProblem) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .json("a short \\u escape", at: position) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .json("a bad \\u escape", at: position)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SafetensorsProblem) {
        guard peek() == byte else { throw .json(what, at: position) }
        position += 1
    }

    private mutating func matchLiteral(_ literal: String) -> Bool {
        let expected = Array(literal.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
            return false
        }
        position += expected.count
        return true
    }
}
