#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Small POSIX file access for the importers: pread on a descriptor, so a reader
// can stream a range of a file (an .npz member, the body of an IDX file) with
// a fixed-size buffer and no Foundation Data per block.

/// A file opened for reading, with its size taken once at open.
///
/// `@unchecked Sendable`: nothing changes after `init`, and `pread` keeps no shared offset,
/// so threads may read through one at the same time.
final class InputFile: @unchecked Sendable {
    /// The path as the user gave it, for error messages.
    let path: String
    let size: Int
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ImportError(file: path, problem: "cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ImportError(file: path, problem: "cannot stat: \(message)")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ImportError(file: path, problem: "is a directory")
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read
    /// (0 at end of file). Retries on EINTR and short reads.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ImportError(file: path, offset: offset + done, problem: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset`, or throws naming what was expected.
    func readExactly(at offset: Int, count: Int, what: String) throws -> [UInt8] {
        guard count >= 0, offset >= 0, offset <= size, count <= size - offset else {
            throw ImportError(file: path, offset: offset, problem: "file is truncated: \(what) needs \(count) bytes, the file has \(max(0, size - offset)) left")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        guard n == count else {
            throw ImportError(file: path, offset: offset, problem: "file is truncated: \(what) needs \(count) bytes, read \(n)")
        }
        return bytes
    }
}

/// A forward-only stream of bytes: a file range, or the output of inflate.
protocol ByteStream: AnyObject {
    /// Fills as much of `buffer` as it can; returns 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Fills `buffer` completely; returns fewer bytes only at end of stream.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }
}

/// The bytes `start ..< start+count` of a file.
final class FileRangeStream: ByteStream {
    let file: InputFile
    private var position: Int
    private let end: Int

    init(file: InputFile, start: Int, count: Int) {
        self.file = file
        self.position = start
        // A range past the end of the file just ends early; callers that know
        // the expected size check it and report truncation themselves.
        self.end = start + count
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = min(buffer.count, end - position)
        guard wanted > 0 else { return 0 }
        let n = try file.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
        position += n
        return n
    }
}

/// Big-endian and little-endian integer loads from byte arrays at
/// offsets the caller has already bounds-checked.
extension Array where Element == UInt8 {
    func uint16LE(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func uint32LE(at i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
    func uint64LE(at i: Int) -> UInt64 { UInt64(uint32LE(at: i)) | UInt64(uint32LE(at: i + 4)) << 32 }
    func uint32BE(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
}
