#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import Foundation

/// Writes float64 arrays as a NumPy `.npz` archive that `numpy.load` opens:
/// a ZIP of `.npy` members (format 1.0, little-endian `<f8`, C order), each
/// stored uncompressed with its CRC-32, as `numpy.savez` writes them.
///
/// Stored rather than deflated because checkpoints are small and random
/// weights barely compress; the file times are fixed (1980-01-01 00:00) so
/// that the same arrays always give the same bytes. Members are kept in
/// memory until `write(to:)`: this is for checkpoint-sized data, and sizes
/// beyond the classic ZIP's 4 GiB limits are refused rather than written
/// with ZIP64.
public struct NPZWriter: Sendable {
    private struct Member: Sendable {
        var name: String
        var bytes: [UInt8]
        var crc: UInt32
    }

    private var members: [Member] = []

    /// An empty archive.
    public init() {}

    /// Adds the array `name` (stored as `name.npy`) of `shape` holding
    /// `values` in C order. Throws when the count does not match the shape,
    /// the name is used twice, or the archive would pass 4 GiB.
    public mutating func add(_ name: String, shape: [Int], values: [Double]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), checkedProduct(shape) == values.count else {
            throw ConversionError(file: name, problem: "\(values.count) values do not fill shape \(shape)")
        }
        guard !members.contains(where: { $0.name == name + ".npy" }) else {
            throw ConversionError(file: name, problem: "an array with this name is already in the archive")
        }
        var bytes = Self.npyHeader(shape: shape)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let crc = bytes.withUnsafeBufferPointer { buffer -> UInt32 in
            // zlib's crc32 takes a 32-bit length; feed it in pieces.
            var crc = crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let length = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, buffer.baseAddress.map { $0 + offset }, uInt(length))
                offset += length
            }
            return UInt32(truncatingIfNeeded: crc)
        }
        members.append(Member(name: name + ".npy", bytes: bytes, crc: crc))
        guard archiveSize <= Int(UInt32.max) else {
            members.removeLast()
            throw ConversionError(file: name, problem: "the archive would pass 4 GiB, more than a ZIP without ZIP64 holds")
        }
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

    private var archiveSize: Int {
        members.reduce(22) { $0 + 30 + 46 + 2 * $1.name.utf8.count + $1.bytes.count }
    }

    /// The archive's bytes: local headers and data, central directory, end record.
    public func archiveBytes() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(archiveSize)
        func u16(_ value: Int) { out.append(UInt8(value & 0xFF)); out.append(UInt8((value >> 8) & 0xFF)) }
        func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
        let dosTime = 0, dosDate = (0 << 9) | (1 << 5) | 1  // 1980-01-01 00:00:00
        var offsets = [Int]()
        for member in members {
            offsets.append(out.count)
            let name = Array(member.name.utf8)
            u32(0x0403_4B50)
            u16(20)  // version needed: 2.0
            u16(0)  // flags
            u16(0)  // method: stored
            u16(dosTime); u16(dosDate)
            u32(member.crc)
            u32(UInt32(member.bytes.count)); u32(UInt32(member.bytes.count))
            u16(name.count); u16(0)
            out.append(contentsOf: name)
            out.append(contentsOf: member.bytes)
        }
        let directoryStart = out.count
        for (member, offset) in zip(members, offsets) {
            let name = Array(member.name.utf8)
            u32(0x0201_4B50)
            u16(20); u16(20)  // made by, needed
            u16(0); u16(0)
            u16(dosTime); u16(dosDate)
            u32(member.crc)
            u32(UInt32(member.bytes.count)); u32(UInt32(member.bytes.count))
            u16(name.count); u16(0); u16(0)  // name, extra, comment lengths
            u16(0); u16(0)  // disk, internal attributes
            u32(0o100644 << 16)  // external attributes: a regular file, rw-r--r--
            u32(UInt32(offset))
            out.append(contentsOf: name)
        }
        let directorySize = out.count - directoryStart
        u32(0x0605_4B50)
        u16(0); u16(0)
        u16(members.count); u16(members.count)
        u32(UInt32(directorySize)); u32(UInt32(directoryStart))
        u16(0)
        return out
    }

    /// Writes the archive to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        guard members.count <= Int(UInt16.max) else {
            throw ConversionError(file: path, problem: "more than 65535 arrays, more than a ZIP without ZIP64 holds")
        }
        let bytes = archiveBytes()
        try AtomicFile.replace(path) { temporary in
            try writeWhole(bytes, to: temporary, reportedAs: path)
        }
    }
}

/// Creates `path` and writes `bytes` to it, reporting failures under `reportedAs`.
func writeWhole(_ bytes: [UInt8], to path: String, reportedAs name: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw ConversionError(file: name, problem: "cannot create: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    try bytes.withUnsafeBytes { try writeAll(descriptor, $0, reportedAs: name) }
}

/// Writes every byte of `bytes` to `descriptor`, retrying short writes.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, reportedAs name: String) throws {
    var offset = 0
    while offset < bytes.count {
        let (written, code) = SystemCall.retrying { write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset) }
        if written < 0 {
            throw ConversionError(file: name, problem: "cannot write: \(String(cString: strerror(code)))")
        }
        offset += written
    }
}
