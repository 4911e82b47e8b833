import CHDF5

/// Dataspace arithmetic shared by datasets and attributes.
///
/// All functions run under the HDF5 lock, called from inside `with` blocks.
enum HDF5Dataspace {
    /// Makes a dataspace: scalar for an empty shape, simple otherwise.
    /// `maxShape` entries of `nil` are unlimited.
    static func make(shape: [Int], maxShape: [Int?]? = nil, site: HDF5Site, operation: String) throws -> hid_t {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw site.error(.invalidArgument, operation, "negative dimension \(bad) in shape \(shape)")
        }
        if shape.isEmpty {
            return try site.check(H5Screate(H5S_SCALAR), operation)
        }
        var dims = shape.map { hsize_t($0) }
        if let maxShape {
            var limits = maxShape.map { $0.map { hsize_t($0) } ?? lnet_H5S_UNLIMITED() }
            return try site.check(H5Screate_simple(Int32(dims.count), &dims, &limits), operation)
        }
        return try site.check(H5Screate_simple(Int32(dims.count), &dims, nil), operation)
    }

    /// The current and maximum shape of a dataspace (`nil` = unlimited).
    /// A null dataspace (no elements at all) has shape `[0]`.
    static func shape(_ space: hid_t, site: HDF5Site, operation: String) throws -> (shape: [Int], maxShape: [Int?]) {
        let kind = H5Sget_simple_extent_type(space)
        if kind == H5S_NULL { return ([0], [0]) }
        let rank = Int(try site.check(H5Sget_simple_extent_ndims(space), operation))
        if rank == 0 { return ([], []) }
        var dims = [hsize_t](repeating: 0, count: rank)
        var limits = [hsize_t](repeating: 0, count: rank)
        try site.check(H5Sget_simple_extent_dims(space, &dims, &limits), operation)
        let unlimited = lnet_H5S_UNLIMITED()
        return (dims.map { Int(clamping: $0) }, limits.map { $0 == unlimited ? nil : Int(clamping: $0) })
    }

    /// The number of elements in `shape`, throwing rather than trapping when a
    /// (corrupt) shape's product does not fit in an `Int`.
    static func elementCount<S: Sequence<Int>>(_ shape: S, site: HDF5Site, operation: String) throws -> Int {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow || dimension < 0 {
                throw site.error(.tooLarge, operation, "shape \(Array(shape)) has too many elements to count")
            }
            count = product
        }
        return count
    }

    /// The number of elements in `shape`, refusing counts whose buffer would
    /// overflow or exceed `HDF5Limits.maximumReadBytes`, so a corrupt or
    /// hostile file cannot make the process allocate absurd amounts.
    static func checkedCount(_ shape: [Int], elementSize: Int, site: HDF5Site, operation: String) throws -> Int {
        let count = try elementCount(shape, site: site, operation: operation)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 1))
        if overflow || bytes > HDF5Limits.maximumReadBytes {
            throw site.error(
                .tooLarge, operation,
                "shape \(shape) needs \(overflow ? "more than Int.max" : String(bytes)) bytes, "
                    + "over the limit of \(HDF5Limits.maximumReadBytes) bytes")
        }
        return count
    }

    /// Selects rows `rows` (along the first axis) of `space`, in place, and
    /// returns a memory dataspace of the matching shape.
    static func selectRows(
        _ rows: Range<Int>, of space: hid_t, shape: [Int], site: HDF5Site, operation: String
    ) throws -> hid_t {
        guard let first = shape.first else {
            throw site.error(.shapeMismatch, operation, "a scalar dataset has no rows")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= first else {
            throw site.error(.shapeMismatch, operation, "rows \(rows) are outside 0..<\(first)")
        }
        var count = shape.map { hsize_t($0) }
        count[0] = hsize_t(rows.count)
        if rows.isEmpty {
            // HDF5 rejects a hyperslab with a zero count; select nothing instead.
            try site.check(H5Sselect_none(space), operation)
            return try site.check(H5Screate_simple(Int32(count.count), &count, nil), operation)
        }
        var start = [hsize_t](repeating: 0, count: shape.count)
        start[0] = hsize_t(rows.lowerBound)
        try site.check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil), operation)
        return try site.check(H5Screate_simple(Int32(count.count), &count, nil), operation)
    }
}
