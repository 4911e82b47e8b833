import CDeflate
import Dispatch
import Foundation

/// Makes the bytes HDF5's standard filters would store for a chunk — the
/// shuffle filter (filter 2), then deflate (filter 1, zlib's format) — with
/// Debian's libdeflate instead of zlib, several chunks at once on every core.
///
/// The result is an ordinary gzip-filtered chunk: h5py, h5dump and HDF5
/// itself read it with their built-in filters, no plugin. Written with
/// `H5Dwrite_chunk` (``HDF5Dataset/appendFilteredChunks(_:rows:)``), it
/// bypasses HDF5's filter pipeline, whose zlib runs on one thread.
public struct HDF5ChunkFilter: Sendable, Hashable {
    /// The deflate level, 1–9, as the dataset's filter records it. libdeflate
    /// takes the same number (its scale goes to 12); its level 4 compresses about as
    /// well as zlib's, several times faster.
    public let level: Int
    /// Whether the shuffle filter comes first.
    public let shuffle: Bool
    /// The bytes of one element, which the shuffle filter regroups by.
    public let elementSize: Int

    /// A filter of `level` (1–9) for elements of `elementSize` bytes.
    public init(level: Int, shuffle: Bool, elementSize: Int) {
        self.level = level
        self.shuffle = shuffle
        self.elementSize = max(elementSize, 1)
    }

    /// The options of a dataset whose chunks this filter makes.
    public func datasetOptions(chunkShape: [Int]) -> DatasetOptions {
        DatasetOptions(chunkShape: chunkShape, deflateLevel: level, shuffle: shuffle)
    }

    /// Filters `count` chunks of `chunkBytes` bytes each, laid end to end at
    /// `raw`, on up to `threads` threads; the chunks come back in order.
    public func filter(_ raw: UnsafeRawBufferPointer, chunkBytes: Int, threads: Int) throws -> [[UInt8]] {
        guard chunkBytes > 0, raw.count % chunkBytes == 0 else {
            throw HDF5ChunkFilterError("\(raw.count) bytes are not whole chunks of \(chunkBytes)")
        }
        let count = raw.count / chunkBytes
        let results = FilteredChunks(count: count)
        let source = SendableRawBuffer(raw)
        let filter = self
        let work: @Sendable (Int) -> Void = { index in
            let chunk = UnsafeRawBufferPointer(rebasing: source.buffer[(index * chunkBytes)..<((index + 1) * chunkBytes)])
            results.set(index, Result { try filter.filter(chunk) })
        }
        if threads > 1, count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: work)
        } else {
            for index in 0..<count { work(index) }
        }
        return try results.collect()
    }

    /// Filters one chunk.
    public func filter(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(Int32(min(max(level, 1), 12))) else {
            throw HDF5ChunkFilterError("libdeflate cannot allocate a compressor of level \(level) (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let shuffled: [UInt8]? = shuffle && elementSize > 1 ? Self.shuffled(chunk, elementSize: elementSize) : nil
        let bound = libdeflate_zlib_compress_bound(compressor, chunk.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            if let shuffled {
                return shuffled.withUnsafeBytes { input in
                    libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
                }
            }
            return libdeflate_zlib_compress(compressor, chunk.baseAddress, chunk.count, out.baseAddress, out.count)
        }
        // 0 means the output did not fit, which the bound rules out.
        guard written > 0 || chunk.isEmpty else {
            throw HDF5ChunkFilterError("libdeflate could not compress a chunk of \(chunk.count) bytes")
        }
        output.removeLast(output.count - written)
        return output
    }

    /// HDF5's shuffle: byte k of every element, then byte k+1 of every
    /// element…; trailing bytes that make no whole element stay as they are.
    static func shuffled(_ bytes: UnsafeRawBufferPointer, elementSize: Int) -> [UInt8] {
        let elements = bytes.count / elementSize
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { out, initialised in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), let target = out.baseAddress else {
                initialised = 0
                return
            }
            for byte in 0..<elementSize {
                let row = target + byte * elements
                var from = base + byte
                for element in 0..<elements {
                    row[element] = from.pointee
                    from += elementSize
                }
            }
            let tail = elements * elementSize
            for index in tail..<bytes.count { target[index] = base[index] }
            initialised = bytes.count
        }
    }
}

/// libdeflate could not make a chunk (out of memory).
public struct HDF5ChunkFilterError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The chunks made on several threads, each slot written by one of them.
private final class FilteredChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[UInt8], any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[UInt8], any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func collect() throws -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return try slots.map { slot in
            guard let slot else { throw HDF5ChunkFilterError("a chunk was not filtered") }
            return try slot.get()
        }
    }
}

/// Read-only bytes shared with the filtering threads for the length of one call.
private struct SendableRawBuffer: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }
}
