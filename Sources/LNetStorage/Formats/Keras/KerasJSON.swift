import Foundation

/// The JSON of a `.keras` archive's `config.json` and `metadata.json`, written in the order Keras writes its keys.
/// (Reading goes through Foundation's `JSONSerialization`, bounded in size by ``KerasArchive``.)
indirect enum KerasJSON {
    case null
    case bool(Bool)
    case integer(Int)
    /// A finite double, written as the shortest text that reads back to the same bits (Python's `repr` agrees).
    case number(Double)
    case string(String)
    case array([KerasJSON])
    case object([(String, KerasJSON)])

    /// The UTF-8 text, compact with `", "` and `": "` separators as Python's `json.dumps` writes them.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return bytes
    }

    private func append(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes += Array("null".utf8)
        case .bool(let value): bytes += Array((value ? "true" : "false").utf8)
        case .integer(let value): bytes += Array(String(value).utf8)
        case .number(let value): bytes += Array((value.isFinite ? "\(value)" : "null").utf8)
        case .string(let value): Self.appendString(value, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                item.append(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let pairs):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { bytes += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                Self.appendString(key, to: &bytes)
                bytes += [UInt8(ascii: ":"), UInt8(ascii: " ")]
                value.append(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): bytes += Array("\\\\".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
