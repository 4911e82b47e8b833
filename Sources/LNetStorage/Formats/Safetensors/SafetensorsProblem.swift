/// One way a safetensors file departs from the format (safetensors/src/tensor.rs and its README), or a request
/// about it that cannot be met. `description` is its one phrasing, printed after the file's name.
public enum SafetensorsProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case headerTooSmall(fileSize: Int)
    /// The header length is above the spec's 100,000,000 bytes.
    case headerTooLarge(UInt64)
    /// The header length goes past the end of the file.
    case headerLengthPastEnd(declared: UInt64, fileSize: Int)
    /// The header is not UTF-8.
    case headerNotUTF8
    /// The header is not the JSON the format allows; `at` is the byte offset in the header.
    case json(String, at: Int)
    /// A name appears twice in the header (or twice among the tensors given to the writer).
    case duplicateName(String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case entryFieldMissing(tensor: String, field: String)
    /// A tensor entry has a key the format does not define.
    case entryFieldUnknown(tensor: String, field: String)
    /// A dtype the format does not define.
    case unknownDType(tensor: String, dtype: String)
    /// `data_offsets` is not two offsets, begin ≤ end.
    case offsetsMalformed(tensor: String)
    /// The product of a shape, or its size in bytes, overflows.
    case sizeOverflow(tensor: String)
    /// The tensor's bits do not fill whole bytes (a sub-byte dtype).
    case misaligned(tensor: String)
    /// The bytes between the offsets are not what dtype and shape call for.
    case sizeMismatch(tensor: String, dtype: SafetensorsDType, shape: [Int], expectedBytes: Int, offsetBytes: Int)
    /// The tensor does not start where the previous one (in offset order) ends: a gap or an overlap.
    case offsetNotContiguous(tensor: String, begin: Int, expected: Int)
    /// The tensors end before the file does (trailing bytes) or after it (out of bounds).
    case dataLength(tensorsEnd: Int, dataLength: Int)
    /// A `__metadata__` value that is not a string.
    case metadataNotString(key: String)
    /// No tensor of this name.
    case tensorNotFound(String)
    /// A tensor whose dtype LNet does not convert to numbers.
    case notConvertible(tensor: String, dtype: SafetensorsDType)
    /// Converting the tensors asked for would take more memory than allowed.
    case memory(neededBytes: Int, allowedBytes: Int)
    /// The file could not be read (the system's words).
    case unreadable(String)
    /// A model whose activations the file does not say: `layers` of them are needed, such as `example`.
    case activationsUnknown(layers: Int, example: String)
    /// A valid file that does not hold a model LNet can import, or a model that cannot be written: why, in words.
    case model(String)

    public var description: String {
        switch self {
        case .headerTooSmall(let size):
            return "not a safetensors file: \(size) bytes, fewer than the 8 of the header length"
        case .headerTooLarge(let length):
            return "the header length \(length) is above the format's limit of 100000000 bytes"
        case .headerLengthPastEnd(let declared, let size):
            return "the header length \(declared) goes past the end of the file (\(size) bytes)"
        case .headerNotUTF8:
            return "the header is not UTF-8 text"
        case .json(let what, let offset):
            return "the header is not valid: \(what) (at byte \(offset) of the header)"
        case .duplicateName(let name):
            return "the name \"\(name)\" appears twice in the header"
        case .entryFieldMissing(let tensor, let field):
            return "tensor \"\(tensor)\" has no \(field)"
        case .entryFieldUnknown(let tensor, let field):
            return "tensor \"\(tensor)\" has the unknown key \"\(field)\" (only dtype, shape and data_offsets)"
        case .unknownDType(let tensor, let dtype):
            return "tensor \"\(tensor)\" has the unknown dtype \"\(dtype)\""
        case .offsetsMalformed(let tensor):
            return "tensor \"\(tensor)\": data_offsets must be [begin, end] with begin <= end"
        case .sizeOverflow(let tensor):
            return "tensor \"\(tensor)\": its shape's size overflows"
        case .misaligned(let tensor):
            return "tensor \"\(tensor)\": its bits do not fill whole bytes"
        case .sizeMismatch(let tensor, let dtype, let shape, let expected, let found):
            return "tensor \"\(tensor)\": \(dtype.rawValue) \(shape) takes \(expected) bytes, its data_offsets span \(found)"
        case .offsetNotContiguous(let tensor, let begin, let expected):
            return "tensor \"\(tensor)\" starts at byte \(begin) of the data, not \(expected) where the previous one ends"
                + (begin < expected ? " (the tensors overlap)" : " (a gap)")
        case .dataLength(let end, let length):
            return end < length
                ? "\(length - end) bytes after the last tensor (the tensors end at \(end) of \(length) data bytes)"
                : "the tensors end at byte \(end) of the data, past its end (\(length) bytes)"
        case .metadataNotString(let key):
            return "__metadata__ value \"\(key)\" is not a string (the format allows strings only)"
        case .tensorNotFound(let name):
            return "no tensor named \"\(name)\""
        case .notConvertible(let tensor, let dtype):
            return "tensor \"\(tensor)\" is \(dtype.rawValue), which LNet does not read as numbers"
        case .memory(let needed, let allowed):
            return "reading the tensors as float64 needs \(needed) bytes of memory, more than the \(allowed) allowed"
        case .unreadable(let reason):
            return reason
        case .model(let reason):
            return reason
        case .activationsUnknown(let layers, let example):
            return "the file does not say its activations: give one per layer (\(layers)), e.g. \(example)"
        }
    }
}

/// A safetensors file that cannot be read or written as asked.
public struct SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let problem: SafetensorsProblem

    /// Makes the error for the file at `path`.
    public init(path: String, problem: SafetensorsProblem) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`, the one line the CLI prints.
    public var description: String { "\(path): \(problem)" }
}
