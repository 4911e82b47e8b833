import CHDF5

extension HDF5Dataset {
    /// Reads several runs of rows (ranges along the first axis) into memory the
    /// caller owns: the rows land one after another, in ascending row order.
    ///
    /// `runs` must be ascending and must not overlap (a shuffled mini-batch's
    /// sorted example indices, cut where they stop being consecutive). `buffer`
    /// must hold at least `(Σ run.count) × (elements per row)` values; the rest is
    /// left untouched.
    ///
    /// A contiguous dataset is read with one `H5Dread` over the union of the runs'
    /// hyperslabs. A chunked one is read run by run, into a memory space shaped like
    /// the run: libhdf5 1.10 maps an irregular selection (or a flat memory space)
    /// onto chunks element by element, which made a scattered batch cost far more
    /// than its bytes, while one block of the same shape in file and memory maps in
    /// one step. Two epochs over a chunked 480 MB file (60,000 × 1,000, batches of
    /// 1,024) took 16–18 s read as one union and 3.0–3.6 s run by run. A compressed
    /// chunk larger than the chunk cache is the exception: read run by run, it would
    /// be inflated once per run instead of once per batch.
    public func readRows<T: HDF5Numeric>(runs: [Range<Int>], into buffer: UnsafeMutableBufferPointer<T>) throws {
        let operation = "read rows of dataset"
        try handle.with(operation) { id, site in
            let stored = try HDF5Dataset.elementType(id, site: site)
            guard stored.canBeRead(as: T.hdf5ElementType) else {
                throw site.error(.typeMismatch, operation, "the dataset holds \(stored.numpyName), which cannot be read as \(T.self) by runs")
            }
            try HDF5Dataset.checkDeclaredSize(id, site: site, operation: operation)
            let space = try site.check(H5Dget_space(id), operation)
            defer { _ = H5Sclose(space) }
            let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
            guard let rowCount = shape.first else {
                throw site.error(.shapeMismatch, operation, "a scalar dataset has no rows")
            }
            var selectedRows = 0
            var previousEnd = 0
            for run in runs where !run.isEmpty {
                guard run.lowerBound >= previousEnd, run.upperBound <= rowCount else {
                    throw site.error(
                        .invalidArgument, operation,
                        "row runs must be ascending, disjoint and inside 0..<\(rowCount); got \(run) after row \(previousEnd)")
                }
                selectedRows += run.count
                previousEnd = run.upperBound
            }
            guard selectedRows > 0 else { return }
            var selectedShape = shape
            selectedShape[0] = selectedRows
            let elements = try HDF5Dataspace.checkedCount(
                selectedShape, elementSize: MemoryLayout<T>.stride, site: site, operation: operation)
            guard buffer.count >= elements, let base = buffer.baseAddress else {
                throw site.error(
                    .shapeMismatch, operation, "the rows hold \(elements) values but the buffer has room for \(buffer.count)")
            }
            let rowElements = elements / selectedRows
            let memoryType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
            var start = [hsize_t](repeating: 0, count: shape.count)
            var count = shape.map { hsize_t($0) }
            if try Self.readsRunByRun(id, site: site, operation: operation) {
                var offset = 0
                for run in runs where !run.isEmpty {
                    start[0] = hsize_t(run.lowerBound)
                    count[0] = hsize_t(run.count)
                    try site.check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil), operation)
                    // Shaped as the selection: libhdf5 then maps it onto chunks in one step,
                    // where a flat memory space is mapped element by element.
                    let memorySpace = try site.check(H5Screate_simple(Int32(count.count), &count, nil), operation)
                    defer { _ = H5Sclose(memorySpace) }
                    try site.check(
                        H5Dread(id, memoryType.id, memorySpace, space, lnet_H5P_DEFAULT(), base + offset), operation)
                    offset += run.count * rowElements
                }
                return
            }
            var first = true
            for run in runs where !run.isEmpty {
                start[0] = hsize_t(run.lowerBound)
                count[0] = hsize_t(run.count)
                // SET for the first run: OR onto an "all" selection would select everything.
                try site.check(
                    H5Sselect_hyperslab(space, first ? H5S_SELECT_SET : H5S_SELECT_OR, &start, nil, &count, nil), operation)
                first = false
            }
            var memoryDims = [hsize_t(elements)]
            let memorySpace = try site.check(H5Screate_simple(1, &memoryDims, nil), operation)
            defer { _ = H5Sclose(memorySpace) }
            try site.check(H5Dread(id, memoryType.id, memorySpace, space, lnet_H5P_DEFAULT(), base), operation)
        }
    }

    /// libhdf5's default chunk cache per dataset (`H5Pset_chunk_cache`'s default).
    static let chunkCacheBytes = 1 << 20

    /// Whether ``readRows(runs:into:)`` reads `id` one run at a time (see ``readsRunByRun(shape:chunk:elementSize:filtered:)``).
    private static func readsRunByRun(_ id: hid_t, site: HDF5Site, operation: String) throws -> Bool {
        let plist = try site.check(H5Dget_create_plist(id), operation)
        defer { _ = H5Pclose(plist) }
        guard H5Pget_layout(plist) == H5D_CHUNKED else { return false }
        let filtered = try site.check(H5Pget_nfilters(plist), operation) > 0
        var chunk = [hsize_t](repeating: 0, count: 32)
        let rank = try site.check(H5Pget_chunk(plist, Int32(chunk.count), &chunk), operation)
        let type = try site.check(H5Dget_type(id), operation)
        defer { _ = H5Tclose(type) }
        let space = try site.check(H5Dget_space(id), operation)
        defer { _ = H5Sclose(space) }
        let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
        return readsRunByRun(shape: shape, chunk: chunk.prefix(Int(rank)).map { Int(clamping: $0) },
                             elementSize: H5Tget_size(type), filtered: filtered)
    }

    /// The choice for a chunked dataset of `shape` stored in chunks of `chunk`: run by run,
    /// unless its chunks are compressed (`filtered`) and the band of chunks one row crosses
    /// (one chunk deep, every chunk across the other dimensions) is larger than the chunk
    /// cache: each run would then inflate the whole band again, where one union read
    /// inflates each chunk once per batch.
    static func readsRunByRun(shape: [Int], chunk: [Int], elementSize: Int, filtered: Bool) -> Bool {
        guard filtered else { return true }
        guard chunk.count == shape.count, !chunk.isEmpty, chunk.allSatisfy({ $0 > 0 }) else { return false }
        var band = elementSize * chunk[0]
        for (extent, size) in zip(shape.dropFirst(), chunk.dropFirst()) {
            // Every chunk across this dimension, in full: ⌈extent / size⌉ · size.
            let across = (extent + size - 1) / size * size
            let (product, overflow) = band.multipliedReportingOverflow(by: across)
            if overflow { return false }
            band = product
        }
        return band <= chunkCacheBytes
    }
}
