import CHDF5

/// A failure reported by LNetStorage: what was being done, to which file and
/// object, and why.
///
/// The `description` is meant to be shown to people as is, e.g.
/// `cannot open file data/train.h5: not an HDF5 file (no HDF5 signature)` or
/// `cannot open dataset '/train_set_q' in data/train.h5: object 'train_set_q' doesn't exist`.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// A broad category of failure, for code that must react to some of them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The category's name, as used in `description`.
        public let rawValue: String
        /// Makes a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The category's name.
        public var description: String { rawValue }

        /// The file does not exist.
        public static let noSuchFile = Code(rawValue: "no such file")
        /// The file exists but is not an HDF5 file (empty, random bytes, a directory).
        public static let notHDF5File = Code(rawValue: "not an HDF5 file")
        /// A file or object with that name exists already.
        public static let alreadyExists = Code(rawValue: "already exists")
        /// No object at that path.
        public static let notFound = Code(rawValue: "not found")
        /// The stored element type cannot be read or written as the requested type.
        public static let typeMismatch = Code(rawValue: "type mismatch")
        /// The number of values, the shape, or a row range does not fit the dataset.
        public static let shapeMismatch = Code(rawValue: "shape mismatch")
        /// A read would need more memory than `HDF5Limits.maximumReadBytes`.
        public static let tooLarge = Code(rawValue: "too large")
        /// An argument is invalid on its face (a negative dimension, a deflate level of 12).
        public static let invalidArgument = Code(rawValue: "invalid argument")
        /// The file was closed before the operation.
        public static let closed = Code(rawValue: "closed")
        /// The HDF5 library reported a failure; `reason` carries its message.
        public static let library = Code(rawValue: "HDF5 library error")
    }

    /// The category of failure.
    public let code: Code
    /// What was being done, as a verb phrase: "open file", "read dataset".
    public let operation: String
    /// The file's path as given by the caller, if a file was involved.
    public let file: String?
    /// The path of the object inside the file, if an object was involved.
    public let objectPath: String?
    /// Why it failed, in words; for library errors, HDF5's own most specific message.
    public let reason: String
    /// HDF5's error stack, outermost call first, one entry per frame
    /// ("H5Fopen: unable to open file"); empty when the failure was detected in Swift.
    public let libraryStack: [String]

    /// Makes an error; `libraryStack` is normally filled from HDF5's error stack.
    public init(
        code: Code, operation: String, file: String? = nil, objectPath: String? = nil,
        reason: String, libraryStack: [String] = []
    ) {
        self.code = code
        self.operation = operation
        self.file = file
        self.objectPath = objectPath
        self.reason = reason
        self.libraryStack = libraryStack
    }

    /// "cannot <operation> '<object>' in <file>: <reason>", for people to read.
    public var description: String {
        var text = "cannot \(operation)"
        if let objectPath { text += " '\(objectPath)'" }
        if let file { text += objectPath == nil ? " \(file)" : " in \(file)" }
        return text + ": " + reason
    }
}

/// Limits that protect the process from absurd sizes read from (possibly
/// corrupt) files, which would otherwise crash on allocation.
public enum HDF5Limits {
    /// The largest buffer a single read may allocate: 8 GiB.
    public static let maximumReadBytes = 8 << 30
}

/// Where an operation happens, carried along so every error can name it.
struct HDF5Site: Sendable {
    var file: String?
    var path: String?

    /// An error detected in Swift, before or instead of calling HDF5.
    func error(_ code: HDF5Error.Code, _ operation: String, _ reason: String) -> HDF5Error {
        HDF5Error(code: code, operation: operation, file: file, objectPath: path, reason: reason)
    }

    /// An error reported by HDF5, with the reason taken from its error stack.
    ///
    /// Must be called right after the failing call, under the HDF5 lock,
    /// because the next API call clears the stack.
    func libraryError(_ operation: String, code: HDF5Error.Code = .library) -> HDF5Error {
        let frames = HDF5ErrorStack.capture()
        return HDF5Error(
            code: code, operation: operation, file: file, objectPath: path,
            reason: HDF5ErrorStack.reason(from: frames), libraryStack: frames.map(\.summary))
    }

    /// Checks a C return code: HDF5 signals failure with a negative value
    /// (`herr_t`, `htri_t`, `hid_t`, `hssize_t` alike).
    @discardableResult
    func check<T: BinaryInteger>(_ result: T, _ operation: @autoclosure () -> String) throws -> T {
        if result < 0 { throw libraryError(operation()) }
        return result
    }
}

/// Reads HDF5's default error stack.
enum HDF5ErrorStack {
    struct Frame {
        var function: String
        var description: String
        var minor: String
        var summary: String { "\(function): \(description)" + (minor.isEmpty ? "" : " (\(minor))") }
    }

    /// Collects the frames of the current error stack, outermost (API) call first.
    static func capture() -> [Frame] {
        final class Box { var frames: [Frame] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            let pointer = Unmanaged.passUnretained(box).toOpaque()
            _ = H5Ewalk2(lnet_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, entry, data in
                guard let entry, let data else { return 0 }
                let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
                let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
                let description = entry.pointee.desc.map { String(cString: $0) } ?? ""
                box.frames.append(Frame(
                    function: function, description: description,
                    minor: HDF5ErrorStack.message(entry.pointee.min_num)))
                return 0
            }, pointer)
        }
        _ = H5Eclear2(lnet_H5E_DEFAULT())
        return box.frames
    }

    /// The text of a major or minor error number ("Not an HDF5 file").
    static func message(_ id: hid_t) -> String {
        var kind = H5E_MINOR
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, &kind, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The most useful sentence in a stack: the innermost frame's description,
    /// which says what actually went wrong ("file signature not found",
    /// "object 'x' doesn't exist"); the outer frames only restate the operation.
    static func reason(from frames: [Frame]) -> String {
        guard let innermost = frames.last(where: { !$0.description.isEmpty }) else {
            return "HDF5 reported a failure without a message"
        }
        return plain(innermost.description)
    }

    /// HDF5's messages that quote its internals, in the user's words: a truncated
    /// file's sizes, and the system's reason inside "unable to open file: name = …".
    static func plain(_ message: String) -> String {
        if message.hasPrefix("truncated file:"),
           let size = number(after: "eof = ", in: message), let declared = number(after: "stored_eof = ", in: message) {
            return "the file is truncated: it has \(size) bytes of the \(declared) its superblock declares"
        }
        if let start = message.range(of: "error message = '"),
           let end = message[start.upperBound...].firstIndex(of: "'") {
            return String(message[start.upperBound..<end])
        }
        return message
    }

    private static func number(after label: String, in message: String) -> UInt64? {
        guard let start = message.range(of: label) else { return nil }
        return UInt64(message[start.upperBound...].prefix(while: \.isNumber))
    }
}
