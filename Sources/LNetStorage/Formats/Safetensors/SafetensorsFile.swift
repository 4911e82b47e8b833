#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A safetensors file opened for reading: its header parsed and checked against every rule of the format
/// (``SafetensorsHeader``) before anything else is read, then tensors read one at a time by their byte range.
///
/// The file is `N` (8 bytes, little-endian) + the header (N bytes of JSON) + the data. Memory sized by the file is
/// estimated and refused before it is allocated: the header is read only once its length is known to be within the
/// format's bound and within the file, and tensors are converted to float64 only within ``memoryLimit``.
public struct SafetensorsFile: Sendable {
    /// The file name ending this format is known by.
    public static let fileExtension = "safetensors"

    /// The path as the user gave it.
    public let path: String
    /// The parsed, valid header.
    public let header: SafetensorsHeader
    /// N: the header's length in bytes (padding included).
    public let headerLength: Int
    /// The file's size in bytes.
    public let fileSize: Int
    /// How much memory converted tensors may take, in bytes (default: half the machine's memory).
    public var memoryLimit: Int

    /// The file, open since ``open(_:memoryLimit:)``: every tensor is read through it.
    private let input: InputFile

    /// Where the data starts in the file.
    public var dataStart: Int { 8 + headerLength }

    /// Half the physical memory: what a reader may take for converted tensors unless told otherwise.
    public static var defaultMemoryLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

    /// Opens and checks the file at `path`; throws a ``SafetensorsError`` naming the first rule it breaks.
    public static func open(_ path: String, memoryLimit: Int = defaultMemoryLimit) throws -> SafetensorsFile {
        let input: InputFile
        do { input = try InputFile(path: path) } catch let error as ImportError {
            throw SafetensorsError(path: path, problem: .unreadable(error.problem))
        }
        func fail(_ problem: SafetensorsProblem) -> SafetensorsError { SafetensorsError(path: path, problem: problem) }
        guard input.size >= 8 else { throw fail(.headerTooSmall(fileSize: input.size)) }
        let lengthBytes = try readExactly(input, at: 0, count: 8)
        let declared = lengthBytes.uint64LE(at: 0)
        guard declared <= UInt64(SafetensorsHeader.maximumLength) else { throw fail(.headerTooLarge(declared)) }
        // Within the bound, and within the file: only then is the header's memory taken.
        guard Int(declared) <= input.size - 8 else { throw fail(.headerLengthPastEnd(declared: declared, fileSize: input.size)) }
        let headerLength = Int(declared)
        guard headerLength <= memoryLimit else { throw fail(.memory(neededBytes: headerLength, allowedBytes: memoryLimit)) }
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader.parse(try readExactly(input, at: 8, count: headerLength))
            try header.validate(dataLength: input.size - 8 - headerLength)
        } catch let problem as SafetensorsProblem {
            throw fail(problem)
        }
        return SafetensorsFile(path: path, header: header, headerLength: headerLength, fileSize: input.size,
                               memoryLimit: memoryLimit, input: input)
    }

    /// Whether the file at `path` looks like safetensors: its name ends in `.safetensors`, or its first 8 bytes are a
    /// header length within the file and the bound, followed by `{`. Reads at most 9 bytes; never throws.
    public static func looksLikeSafetensors(_ path: String) -> Bool {
        if path.lowercased().hasSuffix("." + fileExtension) { return true }
        guard let input = try? InputFile(path: path), input.size >= 10,
              let bytes = try? input.readExactly(at: 0, count: 9, what: "the header length") else { return false }
        let declared = bytes.uint64LE(at: 0)
        return declared >= 2 && declared <= UInt64(min(SafetensorsHeader.maximumLength, input.size - 8)) && bytes[8] == UInt8(ascii: "{")
    }

    /// The float64 values of the tensor `name`, in C order; throws when there is no such tensor, when its dtype is
    /// not one LNet converts, or when the values would not fit in ``memoryLimit``.
    public func values(of name: String) throws -> [Double] {
        guard let entry = header.entry(named: name) else {
            throw SafetensorsError(path: path, problem: .tensorNotFound(name))
        }
        return try values(of: entry)
    }

    /// The float64 values of `entry` (one of ``header``'s), in C order.
    public func values(of entry: SafetensorsHeader.Entry) throws -> [Double] {
        try checkMemory(for: [entry])
        guard entry.dtype.isConvertible else {
            throw SafetensorsError(path: path, problem: .notConvertible(tensor: entry.name, dtype: entry.dtype))
        }
        let count = entry.elementCount ?? 0
        var values: [Double] = []
        if entry.dtype == .f64 {
            // float64 goes straight into the array: no intermediate buffer.
            values = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = 0
                guard let base = buffer.baseAddress else { return }
                let raw = UnsafeMutableRawBufferPointer(start: base, count: count * 8)
                if let read = try? input.read(at: dataStart + entry.begin, into: raw), read == count * 8 {
                    initialized = count
                }
            }
            guard values.count == count else {
                throw SafetensorsError(path: path, problem: .unreadable("tensor \"\(entry.name)\" could not be read whole"))
            }
            if 1.bigEndian == 1 { values = values.map { Double(bitPattern: $0.bitPattern.byteSwapped) } }
            return values
        }
        let bytes = try Self.readExactly(input, at: dataStart + entry.begin, count: entry.end - entry.begin)
        values.reserveCapacity(count)
        bytes.withUnsafeBytes { entry.dtype.decode($0, count: count, into: &values) }
        return values
    }

    /// The raw bytes of `entry`'s data, as the file holds them.
    public func bytes(of entry: SafetensorsHeader.Entry) throws -> [UInt8] {
        return try Self.readExactly(input, at: dataStart + entry.begin, count: entry.end - entry.begin)
    }

    /// Throws unless converting `entries` to float64 fits in ``memoryLimit``.
    public func checkMemory(for entries: [SafetensorsHeader.Entry]) throws {
        var total = 0
        for entry in entries {
            let (bytes, overflow) = (entry.elementCount ?? Int.max).multipliedReportingOverflow(by: 8)
            let (sum, overflow2) = total.addingReportingOverflow(bytes)
            total = overflow || overflow2 ? Int.max : sum
        }
        guard total <= memoryLimit else {
            throw SafetensorsError(path: path, problem: .memory(neededBytes: total, allowedBytes: memoryLimit))
        }
    }

    private static func readExactly(_ input: InputFile, at offset: Int, count: Int) throws -> [UInt8] {
        do {
            return try input.readExactly(at: offset, count: count, what: "the safetensors header")
        } catch let error as ImportError {
            throw SafetensorsError(path: input.path, problem: .unreadable(error.problem))
        }
    }
}

/// Writes a safetensors file: tensors added one by one, laid out by ``SafetensorsHeader`` (which checks the result
/// against the same rules the reader applies), then written atomically and durably (`AtomicFile`) in one pass.
public struct SafetensorsWriter: Sendable {
    private struct Pending: Sendable {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        var values: [Double]
    }

    private var tensors: [Pending] = []
    /// The `__metadata__` pairs, in order; nil writes no `__metadata__`.
    public var metadata: [(key: String, value: String)]?

    /// A writer with no tensors yet.
    public init(metadata: [(key: String, value: String)]? = nil) {
        self.metadata = metadata
    }

    /// The dtypes this writer converts float64 values to.
    public static let writableTypes: Set<SafetensorsDType> = [.f64, .f32, .i64, .u32]

    /// Adds the tensor `name` of `shape` with `values` in C order, stored as `dtype` (F64, F32, I64 or U32; integer
    /// types need whole values in range). Tensors are written in the order added.
    public mutating func add(_ name: String, dtype: SafetensorsDType, shape: [Int], values: [Double]) throws(SafetensorsProblem) {
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? -1 : $0 * $1 }
        guard shape.allSatisfy({ $0 >= 0 }), count == values.count else {
            throw .sizeMismatch(tensor: name, dtype: dtype, shape: shape, expectedBytes: max(count, 0) * dtype.bitSize / 8,
                                offsetBytes: values.count * dtype.bitSize / 8)
        }
        guard Self.writableTypes.contains(dtype) else { throw .notConvertible(tensor: name, dtype: dtype) }
        tensors.append(Pending(name: name, dtype: dtype, shape: shape, values: values))
    }

    /// The header the tensors added so far make.
    public func header() throws(SafetensorsProblem) -> SafetensorsHeader {
        let header = try SafetensorsHeader(layingOut: tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: metadata)
        try header.validate(dataLength: header.dataLength)
        return header
    }

    /// The whole file's bytes: the header length, the header, the data.
    public func encoded() throws(SafetensorsProblem) -> [UInt8] {
        let header = try header()
        let headerBytes = header.encoded()
        guard headerBytes.count <= SafetensorsHeader.maximumLength else { throw .headerTooLarge(UInt64(headerBytes.count)) }
        let total = 8 + headerBytes.count + header.dataLength
        var failure: SafetensorsProblem?
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            let raw = UnsafeMutableRawPointer(base)
            raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, as: UInt64.self)
            headerBytes.withUnsafeBytes { header in
                if let source = header.baseAddress { raw.advanced(by: 8).copyMemory(from: source, byteCount: header.count) }
            }
            var offset = 8 + headerBytes.count
            for tensor in tensors {
                let target = raw.advanced(by: offset)
                let count = tensor.values.count
                tensor.values.withUnsafeBufferPointer { values in
                    switch tensor.dtype {
                    case .f64:
                        if 1.littleEndian == 1, let source = values.baseAddress {
                            target.copyMemory(from: source, byteCount: count * 8)
                        } else {
                            for i in 0..<count { target.storeBytes(of: values[i].bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
                        }
                    case .f32:
                        for i in 0..<count { target.storeBytes(of: Float(values[i]).bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
                    case .i64:
                        for i in 0..<count {
                            guard let value = Int64(exactly: values[i]) else { failure = .notConvertible(tensor: tensor.name, dtype: .i64); return }
                            target.storeBytes(of: value.littleEndian, toByteOffset: i * 8, as: Int64.self)
                        }
                    case .u32:
                        for i in 0..<count {
                            guard let value = UInt32(exactly: values[i]) else { failure = .notConvertible(tensor: tensor.name, dtype: .u32); return }
                            target.storeBytes(of: value.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                        }
                    default:
                        failure = .notConvertible(tensor: tensor.name, dtype: tensor.dtype)
                    }
                }
                offset += tensor.dtype.byteCount(elements: count) ?? 0
            }
            // Every byte is written: offsets were laid out from these very tensors.
            initialized = total
        }
        if let failure { throw failure }
        return bytes
    }

    /// The header's bytes, and each tensor's bytes unless it is float64 on a little-endian machine (written from its
    /// values as they are).
    private func prepared() throws(SafetensorsProblem) -> ([UInt8], [[UInt8]?]) {
        let headerBytes = try header().encoded()
        guard headerBytes.count <= SafetensorsHeader.maximumLength else { throw .headerTooLarge(UInt64(headerBytes.count)) }
        var converted: [[UInt8]?] = []
        for tensor in tensors {
            if tensor.dtype == .f64, 1.littleEndian == 1 {
                converted.append(nil)
                continue
            }
            // The one encoder of every type: a file of this tensor alone, less its length and header.
            var single = SafetensorsWriter()
            single.tensors = [tensor]
            let alone = try single.encoded()
            let skip = 8 + (try single.header().encoded().count)
            converted.append(Array(alone[skip...]))
        }
        return (headerBytes, converted)
    }

    /// Writes the file to `path` atomically and durably: a failure leaves the previous file whole and no temporary.
    /// The file's size is reserved first (a full disk fails before any byte is written); then the header and every
    /// tensor go out in one vectored write, straight from their values (float64 without a copy on a little-endian
    /// machine; other types through one buffer of their own size), so no second image of the file is assembled.
    public func write(to path: String) throws {
        let (headerBytes, converted): ([UInt8], [[UInt8]?])
        do {
            (headerBytes, converted) = try prepared()
        } catch {
            throw SafetensorsError(path: path, problem: error)
        }
        try AtomicFile.replace(path) { temporary in
            let descriptor = try SystemCall.check(temporary, "create") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            defer { close(descriptor) }
            var length = UInt64(headerBytes.count).littleEndian
            let dataBytes = zip(tensors, converted).reduce(0) { $0 + ($1.1?.count ?? $1.0.values.count * 8) }
            try reserveSpace(descriptor, bytes: 8 + headerBytes.count + dataBytes, reportedAs: path)
            // Every piece in one vectored write: the arrays are pinned by nested closures, one per tensor.
            func write(from index: Int, _ pieces: inout [UnsafeRawBufferPointer]) throws {
                guard index < tensors.count else { return try writeAll(descriptor, pieces, reportedAs: path) }
                if let bytes = converted[index] {
                    try bytes.withUnsafeBytes { pieces.append($0); try write(from: index + 1, &pieces) }
                } else {
                    try tensors[index].values.withUnsafeBytes { pieces.append($0); try write(from: index + 1, &pieces) }
                }
            }
            try withUnsafeBytes(of: &length) { length in
                try headerBytes.withUnsafeBytes { header in
                    var pieces = [length, header]
                    try write(from: 0, &pieces)
                }
            }
        }
    }
}
