// Reading arrays of fixed-size elements from a byte stream straight into a
// typed Swift array (no intermediate byte copy), then fixing byte order in
// place. Shared by the .npy and IDX readers.

private let hostIsBigEndian = 1.bigEndian == 1

/// Reads `count` elements of `type` stored with the given byte order.
/// - Parameter truncated: makes the error for a stream that ends early, given
///   how many bytes it delivered out of how many.
func readElements(
    from stream: ByteStream, count: Int, type: FeatureElementType, bigEndian: Bool,
    truncated: (Int, Int) -> ImportError
) throws -> FeatureBuffer {
    let swap = bigEndian != hostIsBigEndian && type.byteCount > 1
    switch type {
    case .uint8: return .uint8(try readArray(stream, count, UInt8.self, swap: false, truncated))
    case .int8: return .int8(try readArray(stream, count, Int8.self, swap: false, truncated))
    case .int16: return .int16(try readArray(stream, count, Int16.self, swap: swap, truncated))
    case .uint16: return .uint16(try readArray(stream, count, UInt16.self, swap: swap, truncated))
    case .int32: return .int32(try readArray(stream, count, Int32.self, swap: swap, truncated))
    case .uint32: return .uint32(try readArray(stream, count, UInt32.self, swap: swap, truncated))
    case .int64: return .int64(try readArray(stream, count, Int64.self, swap: swap, truncated))
    case .uint64: return .uint64(try readArray(stream, count, UInt64.self, swap: swap, truncated))
    case .float32:
        let bits = try readArray(stream, count, UInt32.self, swap: swap, truncated)
        return .float32(bits.map { Float(bitPattern: $0) })
    case .float64:
        let bits = try readArray(stream, count, UInt64.self, swap: swap, truncated)
        return .float64(bits.map { Double(bitPattern: $0) })
    }
}

private func readArray<T: FixedWidthInteger>(
    _ stream: ByteStream, _ count: Int, _: T.Type, swap: Bool, _ truncated: (Int, Int) -> ImportError
) throws -> [T] {
    // Callers have checked count × size against the data available; this
    // guard only keeps a logic slip from trapping.
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
    guard !overflow else { throw truncated(0, Int.max) }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        let raw = UnsafeMutableRawBufferPointer(buffer)
        let n = try stream.readFully(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<byteCount]))
        guard n == byteCount else { throw truncated(n, byteCount) }
        if swap {
            for i in 0..<count { buffer[i] = buffer[i].byteSwapped }
        }
        initialized = count
    }
}

extension FeatureBuffer {
    /// The elements `range` (in element units) as a new buffer.
    func slice(_ range: Range<Int>) -> FeatureBuffer {
        switch self {
        case .uint8(let v): return .uint8(Array(v[range]))
        case .int8(let v): return .int8(Array(v[range]))
        case .int16(let v): return .int16(Array(v[range]))
        case .uint16(let v): return .uint16(Array(v[range]))
        case .int32(let v): return .int32(Array(v[range]))
        case .uint32(let v): return .uint32(Array(v[range]))
        case .int64(let v): return .int64(Array(v[range]))
        case .uint64(let v): return .uint64(Array(v[range]))
        case .float32(let v): return .float32(Array(v[range]))
        case .float64(let v): return .float64(Array(v[range]))
        }
    }

    /// Reorders a Fortran-order (column-major) array of `shape` to C order.
    func fortranToC(shape: [Int]) -> FeatureBuffer {
        switch self {
        case .uint8(let v): return .uint8(transposeFortran(v, shape))
        case .int8(let v): return .int8(transposeFortran(v, shape))
        case .int16(let v): return .int16(transposeFortran(v, shape))
        case .uint16(let v): return .uint16(transposeFortran(v, shape))
        case .int32(let v): return .int32(transposeFortran(v, shape))
        case .uint32(let v): return .uint32(transposeFortran(v, shape))
        case .int64(let v): return .int64(transposeFortran(v, shape))
        case .uint64(let v): return .uint64(transposeFortran(v, shape))
        case .float32(let v): return .float32(transposeFortran(v, shape))
        case .float64(let v): return .float64(transposeFortran(v, shape))
        }
    }
}

/// Walks the C-order index space with an odometer, tracking the matching
/// Fortran offset (whose strides are the running products of the shape).
private func transposeFortran<T>(_ values: [T], _ shape: [Int]) -> [T] {
    guard shape.count > 1, !values.isEmpty else { return values }
    var fortranStrides = [Int](repeating: 1, count: shape.count)
    for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
    var index = [Int](repeating: 0, count: shape.count)
    var result: [T] = []
    result.reserveCapacity(values.count)
    var offset = 0
    for _ in 0..<values.count {
        result.append(values[offset])
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            offset += fortranStrides[axis]
            if index[axis] < shape[axis] { break }
            offset -= fortranStrides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return result
}
