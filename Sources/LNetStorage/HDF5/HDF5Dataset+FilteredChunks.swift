import CHDF5

extension HDF5Dataset {
    /// Appends `rows` rows at the end of the first axis of an extendable,
    /// chunked dataset from chunks already filtered (``HDF5ChunkFilter``), one
    /// per chunk of rows, written as they are with `H5Dwrite_chunk`.
    ///
    /// The dataset must hold a whole number of chunks of rows so far, and its
    /// chunks must span whole rows; every chunk is a full chunk's bytes before
    /// filtering, the last one padded when `rows` does not fill it (HDF5 reads
    /// only the rows inside the extent). The chunks must be made with the
    /// dataset's own filters, in its order: this is not checked per byte.
    public func appendFilteredChunks(_ chunks: [[UInt8]], rows: Int) throws {
        let operation = "append to dataset"
        guard rows > 0 else { return }
        let chunkShape = try self.chunkShape
        try handle.with(operation) { id, site in
            guard let chunkShape, let chunkRows = chunkShape.first, chunkRows > 0 else {
                throw site.error(.invalidArgument, operation, "filtered chunks need a chunked dataset")
            }
            let space = try site.check(H5Dget_space(id), operation)
            let (shape, maxShape) = try {
                defer { _ = H5Sclose(space) }
                return try HDF5Dataspace.shape(space, site: site, operation: operation)
            }()
            guard let rowsBefore = shape.first, Array(chunkShape.dropFirst()) == Array(shape.dropFirst()) else {
                throw site.error(.shapeMismatch, operation, "chunks of shape \(chunkShape) do not span whole rows of \(shape)")
            }
            guard rowsBefore % chunkRows == 0 else {
                throw site.error(.shapeMismatch, operation, "\(rowsBefore) rows are not whole chunks of \(chunkRows)")
            }
            guard chunks.count == (rows + chunkRows - 1) / chunkRows else {
                throw site.error(.shapeMismatch, operation, "\(chunks.count) chunks for \(rows) rows of chunks of \(chunkRows)")
            }
            if let limit = maxShape[0], rowsBefore + rows > limit {
                throw site.error(.shapeMismatch, operation, "the dataset can hold at most \(limit) rows")
            }
            var newShape = shape.map { hsize_t($0) }
            newShape[0] = hsize_t(rowsBefore + rows)
            try site.check(H5Dset_extent(id, &newShape), operation)
            for (index, chunk) in chunks.enumerated() {
                var offset = [hsize_t](repeating: 0, count: shape.count)
                offset[0] = hsize_t(rowsBefore + index * chunkRows)
                // Filter mask 0: every filter of the pipeline was applied.
                try chunk.withUnsafeBytes { bytes in
                    _ = try site.check(
                        H5Dwrite_chunk(id, lnet_H5P_DEFAULT(), 0, &offset, bytes.count, bytes.baseAddress), operation)
                }
            }
        }
    }
}
