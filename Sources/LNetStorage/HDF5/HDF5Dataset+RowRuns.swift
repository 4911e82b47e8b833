import CHDF5

extension HDF5Dataset {
    /// Reads several runs of rows (ranges along the first axis) with one
    /// `H5Dread` over the union of their hyperslabs, into memory the caller
    /// owns: the rows land one after another, in ascending row order.
    ///
    /// `runs` must be ascending and must not overlap (a shuffled mini-batch's
    /// sorted example indices, cut where they stop being consecutive). One
    /// read for the whole batch, rather than one per run, keeps the cost of a
    /// scattered batch close to that of its bytes. `buffer` must hold at
    /// least `(Σ run.count) × (elements per row)` values; the rest is left
    /// untouched.
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
            var start = [hsize_t](repeating: 0, count: shape.count)
            var count = shape.map { hsize_t($0) }
            var selectedRows = 0
            var previousEnd = 0
            for run in runs where !run.isEmpty {
                guard run.lowerBound >= previousEnd, run.upperBound <= rowCount else {
                    throw site.error(
                        .invalidArgument, operation,
                        "row runs must be ascending, disjoint and inside 0..<\(rowCount); got \(run) after row \(previousEnd)")
                }
                start[0] = hsize_t(run.lowerBound)
                count[0] = hsize_t(run.count)
                // SET for the first run: OR onto an "all" selection would select everything.
                let how = selectedRows == 0 ? H5S_SELECT_SET : H5S_SELECT_OR
                try site.check(H5Sselect_hyperslab(space, how, &start, nil, &count, nil), operation)
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
            var memoryDims = [hsize_t(elements)]
            let memorySpace = try site.check(H5Screate_simple(1, &memoryDims, nil), operation)
            defer { _ = H5Sclose(memorySpace) }
            let memoryType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
            try site.check(H5Dread(id, memoryType.id, memorySpace, space, lnet_H5P_DEFAULT(), base), operation)
        }
    }
}
