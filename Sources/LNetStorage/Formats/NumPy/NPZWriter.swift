#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZip
import Foundation

/// Writes float64 arrays as a NumPy `.npz` archive that `numpy.load` opens:
/// a ZIP of `.npy` members (format 1.0, little-endian `<f8`, C order), each
/// stored uncompressed, as `numpy.savez` writes them. The ZIP is written by
/// libzip, with ZIP64 records when the archive needs them.
///
/// Stored rather than deflated because checkpoints are small and random
/// weights barely compress; the file times are fixed (1980-01-01 00:00) so
/// that the same arrays always give the same bytes. Members are kept in
/// memory until `write(to:)`: this is for checkpoint-sized data.
public struct NPZWriter: Sendable {
    private struct Member: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    private var members: [Member] = []
    private var memberNames: Set<String> = []

    /// An empty archive.
    public init() {}

    /// Adds the array `name` (stored as `name.npy`) of `shape` holding
    /// `values` in C order. Throws when the count does not match the shape
    /// or the name is used twice.
    public mutating func add(_ name: String, shape: [Int], values: [Double]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), checkedProduct(shape) == values.count else {
            throw ConversionError(file: name, problem: "\(values.count) values do not fill shape \(shape)")
        }
        guard memberNames.insert(name + ".npy").inserted else {
            throw ConversionError(file: name, problem: "an array with this name is already in the archive")
        }
        var bytes = Self.npyHeader(shape: shape)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        members.append(Member(name: name + ".npy", bytes: bytes))
    }

    /// The `.npy` 1.0 header: magic, version, little-endian header length,
    /// then the dict padded with spaces and a newline so that the data starts
    /// on a 64-byte boundary (numpy's alignment).
    static func npyHeader(shape: [Int]) -> [UInt8] {
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = Array("{'descr': '<f8', 'fortran_order': False, 'shape': \(tuple), }".utf8)
        let unpadded = 10 + dict.count + 1
        dict.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (64 - unpadded % 64) % 64))
        dict.append(UInt8(ascii: "\n"))
        var header: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        header.append(UInt8(dict.count & 0xFF))
        header.append(UInt8(dict.count >> 8))
        return header + dict
    }

    /// Writes the archive to `path` atomically (temporary file, fsync, rename).
    ///
    /// libzip builds the archive in a buffer source (zip_close is where it
    /// assembles everything), which is then copied to AtomicFile's temporary:
    /// opened on a path, libzip would write a second temporary of its own
    /// (`NAME.XXXXXX`) that a killed run leaves behind and AtomicFile's
    /// clean-up does not know.
    public func write(to path: String) throws {
        let zip = ZipWriteErrors(path: path)
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        let target = try zip.check(zip_source_buffer_create(nil, 0, 0, &error), &error, doing: "creating the archive in memory")
        defer { zip_source_free(target) }
        guard let archive = zip_open_from_source(target, ZIP_TRUNCATE, &error) else {
            throw zip.failure(&error, doing: "creating the archive")
        }
        // Our own reference: zip_close releases the archive's, and the bytes are read after it.
        zip_source_keep(target)
        do {
            try addMembers(to: archive, zip)
        } catch {
            zip_discard(archive)
            throw error
        }
        guard zip_close(archive) == 0 else {
            let failure = zip.failure(zip_get_error(archive), doing: "writing the archive")
            zip_discard(archive)
            throw failure
        }
        try AtomicFile.replace(path) { temporary in
            try copy(target, to: temporary, zip)
        }
    }

    private func addMembers(to archive: OpaquePointer, _ zip: ZipWriteErrors) throws {
        // 1980-01-01 00:00 local time: the earliest DOS time, as the member time.
        var epoch = tm()
        epoch.tm_year = 80
        epoch.tm_mday = 1
        epoch.tm_isdst = -1
        let dosEpoch = mktime(&epoch)
        for member in members {
            // libzip frees the copy (freep 1) once zip_close has written it.
            guard let copy = malloc(member.bytes.count) else {
                throw ConversionError(file: zip.path, problem: "out of memory for array \(member.name)")
            }
            member.bytes.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) }
            }
            guard let source = zip_source_buffer(archive, copy, UInt64(member.bytes.count), 1) else {
                free(copy)
                throw zip.failure(zip_get_error(archive), doing: "adding \(member.name)")
            }
            let index = zip_file_add(archive, member.name, source, ZIP_FL_ENC_UTF_8)
            guard index >= 0 else {
                zip_source_free(source)
                throw zip.failure(zip_get_error(archive), doing: "adding \(member.name)")
            }
            let entry = UInt64(index)
            try zip.check(zip_set_file_compression(archive, entry, ZIP_CM_STORE, 0) == 0, zip_get_error(archive), doing: "storing \(member.name)")
            try zip.check(zip_file_set_mtime(archive, entry, dosEpoch, 0) == 0, zip_get_error(archive), doing: "dating \(member.name)")
            // A regular file, rw-r--r--, as zipfile records it.
            try zip.check(zip_file_set_external_attributes(archive, entry, 0, UInt8(ZIP_OPSYS_UNIX), 0o100644 << 16) == 0,
                          zip_get_error(archive), doing: "setting the attributes of \(member.name)")
        }
    }

    /// Copies the archive libzip wrote into `source` to a new file at `path`.
    private func copy(_ source: OpaquePointer, to path: String, _ zip: ZipWriteErrors) throws {
        try zip.check(zip_source_open(source) == 0, zip_source_error(source), doing: "reading the archive back")
        defer { zip_source_close(source) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ConversionError(file: zip.path, problem: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var written = 0
        while true {
            let n = zip_source_read(source, buffer.baseAddress, UInt64(buffer.count))
            try zip.check(n >= 0, zip_source_error(source), doing: "reading the archive back")
            if n == 0 { break }
            try writeAll(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<Int(n)]), reportedAs: zip.path)
            written += Int(n)
        }
        if written == 0 {
            // libzip removes an archive left without members instead of writing
            // one; numpy.savez() writes the empty ZIP: its bare end record.
            let emptyArchive: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
            try emptyArchive.withUnsafeBytes { try writeAll(descriptor, $0, reportedAs: zip.path) }
        }
    }
}

/// libzip's errors as `ConversionError`s naming the output: every libzip call
/// of the writer goes through `check`.
private struct ZipWriteErrors {
    let path: String

    func failure(_ error: UnsafeMutablePointer<zip_error_t>?, doing what: String) -> ConversionError {
        let message = error.map { String(cString: zip_error_strerror($0)) } ?? "failed"
        return ConversionError(file: path, problem: "\(what): \(message)")
    }

    /// Throws unless `succeeded`; `error` is libzip's error for the call.
    func check(_ succeeded: Bool, _ error: UnsafeMutablePointer<zip_error_t>?, doing what: String) throws {
        guard succeeded else { throw failure(error, doing: what) }
    }

    /// Like `check`, for libzip's functions that return nil on failure.
    func check<T>(_ result: T?, _ error: UnsafeMutablePointer<zip_error_t>?, doing what: String) throws -> T {
        guard let result else { throw failure(error, doing: what) }
        return result
    }
}
