import CZip

// A read-only ZIP archive for .npz files, through libzip (chosen over the
// hand-written reader by measurement: benchmarks/zip/README.md). libzip reads
// the central directory (ZIP64 included) and, with ZIP_CHECKCONS, checks every
// local header against it; a member is streamed through zip_fread, inflated
// when deflated, its CRC-32 and size checked by libzip as the last byte is read.

/// One member of a ZIP archive, from the central directory.
struct ZipEntry: Sendable, Equatable {
    /// libzip's index of the member.
    var index: UInt64
    var name: String
    var method: Int32
    var compressedSize: Int
    var uncompressedSize: Int
}

/// libzip's errors as `ImportError`s naming the file (and member): every
/// libzip call of the reader goes through `check`.
struct ZipErrors {
    let path: String

    /// Throws unless `succeeded`; `error` is libzip's error for the call.
    func check(_ succeeded: Bool, _ error: UnsafeMutablePointer<zip_error_t>?, member: String? = nil, doing what: String) throws {
        guard !succeeded else { return }
        throw ImportError(file: path, member: member, problem: Self.describe(error, doing: what))
    }

    /// Like `check`, for libzip's functions that return nil on failure.
    func check<T>(_ result: T?, _ error: UnsafeMutablePointer<zip_error_t>?, member: String? = nil, doing what: String) throws -> T {
        try check(result != nil, error, member: member, doing: what)
        guard let result else { throw ImportError(file: path, member: member, problem: "\(what) failed") }
        return result
    }

    /// libzip's message, in the project's words for the errors a user meets.
    static func describe(_ error: UnsafeMutablePointer<zip_error_t>?, doing what: String) -> String {
        guard let error else { return "\(what) failed" }
        switch zip_error_code_zip(error) {
        case ZIP_ER_NOZIP: return "not a ZIP archive (.npz): no end-of-central-directory record"
        case ZIP_ER_INCONS: return "the ZIP archive is inconsistent (truncated or corrupt): \(what) failed"
        case ZIP_ER_CRC: return "CRC-32 mismatch: the member is corrupt"
        case ZIP_ER_EOF, ZIP_ER_COMPRESSED_DATA, ZIP_ER_ZLIB:
            return "member data is truncated or corrupt (libzip: \(String(cString: zip_error_strerror(error))))"
        case ZIP_ER_NOPASSWD, ZIP_ER_ENCRNOTSUPP: return "encrypted members are not supported"
        default: return "\(what): \(String(cString: zip_error_strerror(error)))"
        }
    }
}

final class ZipArchive {
    let path: String
    let entries: [ZipEntry]
    private let archive: OpaquePointer
    private let errors: ZipErrors

    init(path: String) throws {
        // InputFile reports a missing file or a folder in the importers' words.
        let file = try InputFile(path: path)
        self.path = path
        errors = ZipErrors(path: path)
        var code: Int32 = 0
        let opened = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code)
        var openError = zip_error_t()
        zip_error_init_with_code(&openError, code)
        defer { zip_error_fini(&openError) }
        if opened == nil, file.size < 22 {
            throw ImportError(file: path, problem: "not a ZIP archive (.npz): too short to hold a ZIP directory")
        }
        archive = try errors.check(opened, &openError, doing: "opening the ZIP archive")
        do {
            entries = try Self.readEntries(archive, errors)
        } catch {
            zip_discard(archive)
            throw error
        }
    }

    deinit { zip_discard(archive) }

    private static func readEntries(_ archive: OpaquePointer, _ errors: ZipErrors) throws -> [ZipEntry] {
        let count = zip_get_num_entries(archive, 0)
        try errors.check(count >= 0, zip_get_error(archive), doing: "counting the ZIP members")
        var entries: [ZipEntry] = []
        for index in 0..<UInt64(count) {
            var info = zip_stat_t()
            zip_stat_init(&info)
            try errors.check(zip_stat_index(archive, index, 0, &info) == 0, zip_get_error(archive), doing: "reading ZIP member \(index)")
            let required = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD
            guard info.valid & UInt64(required) == UInt64(required), let name = info.name else {
                throw ImportError(file: errors.path, problem: "ZIP member \(index) has no name or sizes")
            }
            let memberName = String(cString: name)
            guard info.size <= UInt64(Int.max), info.comp_size <= UInt64(Int.max) else {
                throw ImportError(file: errors.path, member: memberName, problem: "member size \(info.size) is too large")
            }
            entries.append(ZipEntry(index: index, name: memberName, method: Int32(info.comp_method),
                                    compressedSize: Int(info.comp_size), uncompressedSize: Int(info.size)))
        }
        return entries
    }

    /// A stream of the member's uncompressed bytes; libzip checks its CRC-32
    /// and size when the last byte is read, and a mismatch is an error naming it.
    func open(_ entry: ZipEntry) throws -> ByteStream {
        let fail = { (problem: String) in ImportError(file: self.path, member: entry.name, problem: problem) }
        // Only what numpy writes: other methods would only widen what untrusted input reaches.
        guard entry.method == ZIP_CM_STORE || entry.method == ZIP_CM_DEFLATE else {
            throw fail("unsupported compression method \(entry.method) (only stored and deflated)")
        }
        if entry.method == ZIP_CM_DEFLATE {
            // Deflate expands at most ~1032:1, so a larger declared size is a
            // lie, and readers size their checks and buffers from it.
            let (limit, overflow) = entry.compressedSize.multipliedReportingOverflow(by: maximumDeflateRatio)
            guard overflow || entry.uncompressedSize <= limit + 64 else {
                throw fail("declares \(entry.uncompressedSize) bytes, more than deflate can produce from \(entry.compressedSize)")
            }
        } else if entry.compressedSize != entry.uncompressedSize {
            throw fail("stored member has compressed size \(entry.compressedSize) but size \(entry.uncompressedSize)")
        }
        let file = try errors.check(zip_fopen_index(archive, entry.index, 0), zip_get_error(archive),
                                    member: entry.name, doing: "opening the member")
        return ZipMemberStream(archive: self, file: file, entry: entry, errors: errors)
    }
}

/// A member's bytes through zip_fread; holds its archive open while it lives.
final class ZipMemberStream: ByteStream {
    private let archive: ZipArchive
    private let file: OpaquePointer
    private let entry: ZipEntry
    private let errors: ZipErrors
    private var delivered = 0
    private var ended = false

    init(archive: ZipArchive, file: OpaquePointer, entry: ZipEntry, errors: ZipErrors) {
        self.archive = archive
        self.file = file
        self.entry = entry
        self.errors = errors
    }

    deinit { zip_fclose(file) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !ended, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = try fread(base, buffer.count)
        if n == 0 {
            try end()
            return 0
        }
        delivered += n
        // libzip checks the CRC-32 only when a read finds the end, and readers
        // stop at the last byte they need: look one byte past it now.
        if delivered >= entry.uncompressedSize { try end() }
        return n
    }

    private func fread(_ base: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        let n = zip_fread(file, base, UInt64(count))
        try errors.check(n >= 0, zip_file_get_error(file), member: entry.name, doing: "reading the member")
        return Int(n)
    }

    private func end() throws {
        guard !ended else { return }
        ended = true
        var probe: UInt8 = 0
        if try fread(&probe, 1) != 0 || delivered > entry.uncompressedSize {
            throw ImportError(file: errors.path, member: entry.name, problem: "member data is longer than its declared size \(entry.uncompressedSize)")
        }
        guard delivered == entry.uncompressedSize else {
            throw ImportError(file: errors.path, member: entry.name, problem: "member data is truncated or corrupt: it holds \(delivered) of its \(entry.uncompressedSize) bytes")
        }
    }
}
