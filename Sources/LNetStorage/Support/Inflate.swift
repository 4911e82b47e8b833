import CZlib

/// The largest expansion deflate can achieve (258-byte matches coded in
/// about two bits each, rounded up).
let maximumDeflateRatio = 1032

// zlib inflate as a ByteStream, for gzipped MNIST IDX files: the gzip header
// and CRC trailer are checked by zlib (windowBits 15+16), and concatenated
// members are read one after another, as gunzip does. The input is read
// 64 KiB at a time, so memory stays bounded whatever the sizes. (Deflated
// .npz members are inflated by libzip: ZipArchive.swift.)

final class InflateStream: ByteStream {
    private let input: ByteStream
    private let stream: UnsafeMutablePointer<z_stream>
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    /// Makes an error that names the file (and member) being inflated.
    private let makeError: (String) -> ImportError

    init(gzipped input: ByteStream, makeError: @escaping (String) -> ImportError) throws {
        self.input = input
        self.makeError = makeError
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inputBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        let status = lnet_inflateInit2(stream, 15 + 16)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            inputBuffer.deallocate()
            throw makeError("cannot start zlib inflate (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        inputBuffer.deallocate()
    }

    private func refillInput() throws {
        let n = try input.read(into: inputBuffer)
        if n == 0 { inputEnded = true }
        stream.pointee.next_in = inputBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        // avail_out is 32-bit; larger requests are served in parts.
        let capacity = min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(capacity)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0, !inputEnded {
                try refillInput()
            }
            let before = stream.pointee.avail_out
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                if try startNextGzipMember() { continue }
                finished = true
                return capacity - Int(stream.pointee.avail_out)
            case Z_BUF_ERROR:
                // No progress possible: only an error if the input is exhausted.
                if inputEnded, stream.pointee.avail_in == 0 {
                    throw makeError("compressed data is truncated (it ends before the end of the deflate stream)")
                }
            case Z_NEED_DICT:
                throw makeError("compressed data needs a preset dictionary, which is not supported")
            case Z_MEM_ERROR:
                throw makeError("zlib ran out of memory")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw makeError("corrupt compressed data (zlib: \(message))")
            }
            if inputEnded, stream.pointee.avail_in == 0, stream.pointee.avail_out == before {
                throw makeError("compressed data is truncated (it ends before the end of the deflate stream)")
            }
        }
        return capacity
    }

    /// After a gzip member ends, continues with the next one if the bytes
    /// that follow start another gzip member; anything else ends the stream.
    private func startNextGzipMember() throws -> Bool {
        if stream.pointee.avail_in == 0, !inputEnded { try refillInput() }
        guard stream.pointee.avail_in > 0, let next = stream.pointee.next_in, next.pointee == 0x1F else { return false }
        guard inflateReset(stream) == Z_OK else { throw makeError("cannot restart zlib inflate") }
        return true
    }
}
