// A read-only ZIP reader, enough for .npz files: the central directory
// (including ZIP64, which numpy's savez always uses for its local headers),
// members stored (method 0) or deflated (method 8), each streamed with its
// CRC-32 and size checked as the last byte is read.

/// The largest expansion deflate can achieve (258-byte matches coded in
/// about two bits each, rounded up).
let maximumDeflateRatio = 1032

/// One member of a ZIP archive, from the central directory.
struct ZipEntry: Sendable, Equatable {
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
}

final class ZipArchive {
    let file: InputFile
    let entries: [ZipEntry]

    private static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let centralEntrySignature: UInt32 = 0x0201_4B50
    private static let localHeaderSignature: UInt32 = 0x0403_4B50

    init(path: String) throws {
        let file = try InputFile(path: path)
        self.file = file
        entries = try Self.readCentralDirectory(file)
    }

    private static func error(_ file: InputFile, _ problem: String, offset: Int? = nil) -> ImportError {
        ImportError(file: file.path, offset: offset, problem: problem)
    }

    /// Converts a size read from the file, refusing values past Int.max.
    private static func size(_ value: UInt64, _ file: InputFile, _ what: String) throws -> Int {
        guard value <= UInt64(Int.max) else { throw error(file, "\(what) \(value) is too large") }
        return Int(value)
    }

    private static func readCentralDirectory(_ file: InputFile) throws -> [ZipEntry] {
        guard file.size >= 22 else {
            throw error(file, "not a ZIP archive (.npz): too short to hold a ZIP directory")
        }
        // The end record is the last 22 bytes plus a comment of up to 65535.
        let tailLength = min(file.size, 22 + 65_535)
        let tailStart = file.size - tailLength
        let tail = try file.readExactly(at: tailStart, count: tailLength, what: "the end of the ZIP archive")
        var endIndex: Int? = nil
        var i = tailLength - 22
        while i >= 0 {
            if tail.uint32LE(at: i) == endOfCentralDirectorySignature {
                endIndex = i
                break
            }
            i -= 1
        }
        guard let endIndex else {
            throw error(file, "not a ZIP archive (.npz): no end-of-central-directory record")
        }
        var entryCount = Int(tail.uint16LE(at: endIndex + 10))
        var directorySize = Int(tail.uint32LE(at: endIndex + 12))
        var directoryOffset = Int(tail.uint32LE(at: endIndex + 16))
        let endOffset = tailStart + endIndex

        // ZIP64: the 32-bit fields are saturated and a locator precedes the end record.
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF, endOffset >= 20 {
            let locator = try file.readExactly(at: endOffset - 20, count: 20, what: "the ZIP64 locator")
            if locator.uint32LE(at: 0) == zip64LocatorSignature {
                let zip64Offset = try size(locator.uint64LE(at: 8), file, "ZIP64 end record offset")
                let record = try file.readExactly(at: zip64Offset, count: 56, what: "the ZIP64 end record")
                guard record.uint32LE(at: 0) == zip64EndSignature else {
                    throw error(file, "bad ZIP64 end-of-central-directory record", offset: zip64Offset)
                }
                entryCount = try size(record.uint64LE(at: 32), file, "ZIP64 entry count")
                directorySize = try size(record.uint64LE(at: 40), file, "ZIP64 directory size")
                directoryOffset = try size(record.uint64LE(at: 48), file, "ZIP64 directory offset")
            }
        }
        guard directoryOffset <= file.size, directorySize <= file.size - directoryOffset else {
            throw error(file, "the ZIP central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the file: truncated archive?")
        }
        // Every entry takes at least 46 bytes: a count beyond that is a lie.
        guard entryCount <= directorySize / 46 else {
            throw error(file, "the ZIP directory claims \(entryCount) entries in \(directorySize) bytes")
        }
        let directory = try file.readExactly(at: directoryOffset, count: directorySize, what: "the ZIP central directory")
        var entries: [ZipEntry] = []
        entries.reserveCapacity(entryCount)
        var p = 0
        for _ in 0..<entryCount {
            guard directory.count - p >= 46, directory.uint32LE(at: p) == centralEntrySignature else {
                throw error(file, "bad ZIP central directory entry", offset: directoryOffset + p)
            }
            let flags = directory.uint16LE(at: p + 8)
            let method = directory.uint16LE(at: p + 10)
            let crc = directory.uint32LE(at: p + 16)
            var compressed = UInt64(directory.uint32LE(at: p + 20))
            var uncompressed = UInt64(directory.uint32LE(at: p + 24))
            let nameLength = Int(directory.uint16LE(at: p + 28))
            let extraLength = Int(directory.uint16LE(at: p + 30))
            let commentLength = Int(directory.uint16LE(at: p + 32))
            var localOffset = UInt64(directory.uint32LE(at: p + 42))
            let nameStart = p + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directory.count else {
                throw error(file, "ZIP central directory entry runs past the directory", offset: directoryOffset + p)
            }
            let name = String(decoding: directory[nameStart..<extraStart], as: UTF8.self)
            // ZIP64 extra field (id 1): 64-bit values for the saturated fields, in this order.
            var q = extraStart
            while q + 4 <= extraStart + extraLength {
                let id = directory.uint16LE(at: q)
                let length = Int(directory.uint16LE(at: q + 2))
                let dataStart = q + 4
                guard dataStart + length <= extraStart + extraLength else { break }
                if id == 1 {
                    var r = dataStart
                    func next64() throws -> UInt64 {
                        guard r + 8 <= dataStart + length else {
                            throw error(file, "member '\(name)': ZIP64 extra field is too short")
                        }
                        defer { r += 8 }
                        return directory.uint64LE(at: r)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next64() }
                    if compressed == 0xFFFF_FFFF { compressed = try next64() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next64() }
                }
                q = dataStart + length
            }
            entries.append(ZipEntry(
                name: name, method: method, flags: flags, crc32: crc,
                compressedSize: try size(compressed, file, "member '\(name)' compressed size"),
                uncompressedSize: try size(uncompressed, file, "member '\(name)' size"),
                localHeaderOffset: try size(localOffset, file, "member '\(name)' offset")))
            p = next
        }
        return entries
    }

    /// A stream of the member's uncompressed bytes; its CRC-32 and size are
    /// checked when the last byte is read, and a mismatch is an error naming it.
    func open(_ entry: ZipEntry) throws -> ByteStream {
        let path = file.path
        let fail = { (problem: String) in ImportError(file: path, member: entry.name, problem: problem) }
        guard entry.flags & 1 == 0 else { throw fail("encrypted members are not supported") }
        guard entry.method == 0 || entry.method == 8 else {
            throw fail("unsupported compression method \(entry.method) (only stored and deflated)")
        }
        let header = try file.readExactly(at: entry.localHeaderOffset, count: 30, what: "the local header of member '\(entry.name)'")
        guard header.uint32LE(at: 0) == Self.localHeaderSignature else {
            throw ImportError(file: path, member: entry.name, offset: entry.localHeaderOffset, problem: "bad local header signature")
        }
        let dataStart = entry.localHeaderOffset + 30 + Int(header.uint16LE(at: 26)) + Int(header.uint16LE(at: 28))
        guard dataStart <= file.size, entry.compressedSize <= file.size - dataStart else {
            throw fail("member data is truncated: \(entry.compressedSize) bytes at \(dataStart), the file has \(file.size)")
        }
        let raw = FileRangeStream(file: file, start: dataStart, count: entry.compressedSize)
        let content: ByteStream
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail("stored member has compressed size \(entry.compressedSize) but size \(entry.uncompressedSize)")
            }
            content = raw
        } else {
            // Deflate expands at most ~1032:1, so a larger declared size is a
            // lie, and readers size their checks and buffers from it.
            let (limit, overflow) = entry.compressedSize.multipliedReportingOverflow(by: maximumDeflateRatio)
            guard overflow || entry.uncompressedSize <= limit + 64 else {
                throw fail("declares \(entry.uncompressedSize) bytes, more than deflate can produce from \(entry.compressedSize)")
            }
            content = try InflateStream(input: raw, format: .raw, makeError: fail)
        }
        return CheckedMemberStream(content: content, entry: entry, makeError: fail)
    }
}

/// Counts and checksums a member's bytes; verifies both at the end.
final class CheckedMemberStream: ByteStream {
    private let content: ByteStream
    private let entry: ZipEntry
    private let makeError: (String) -> ImportError
    private var delivered = 0
    private var crc: UInt32 = 0
    private var verified = false

    init(content: ByteStream, entry: ZipEntry, makeError: @escaping (String) -> ImportError) {
        self.content = content
        self.entry = entry
        self.makeError = makeError
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = entry.uncompressedSize - delivered
        if remaining == 0 {
            try verify()
            return 0
        }
        let wanted = min(buffer.count, remaining)
        let n = try content.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
        if n == 0 {
            throw makeError("member data is truncated or corrupt: it holds \(delivered) of its \(entry.uncompressedSize) bytes")
        }
        crc = crc32Update(crc, UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        delivered += n
        if delivered == entry.uncompressedSize { try verify() }
        return n
    }

    private func verify() throws {
        guard !verified else { return }
        verified = true
        // Deflate data must end exactly here, not hold more than declared.
        var probe: UInt8 = 0
        let extra = try withUnsafeMutableBytes(of: &probe) { try content.read(into: $0) }
        if extra != 0 {
            throw makeError("member data is longer than its declared size \(entry.uncompressedSize)")
        }
        guard crc == entry.crc32 else {
            throw makeError("CRC-32 mismatch (stored \(hex(entry.crc32)), computed \(hex(crc))): the member is corrupt")
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
