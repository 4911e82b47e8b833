/// Writes one dataset file (formats/dataset.md) from rows appended in chunks:
/// `x` extendable, in the source's element type, chunked `chunkRows` rows at a
/// time; `y` int64; `classes` variable-length strings when the source names
/// its classes.
///
/// Rows are handed to HDF5 in whole chunks only (the remainder waits in a
/// buffer of fewer than `chunkRows` rows until more arrive or `finish()`), so
/// that HDF5 never has to read back, inflate and recompress a partly written
/// chunk, whatever sizes the caller appends.
///
/// Compressed datasets (shuffle + gzip) get their chunks from
/// ``HDF5ChunkFilter`` — libdeflate, the chunks of one append on every core —
/// written with `H5Dwrite_chunk`: the same standard filters as HDF5's own
/// pipeline, whose zlib would run on one thread at a third of the speed.
final class StreamingDatasetWriter<T: FeatureElement> {
    let file: HDF5File
    let rowLength: Int
    let chunkRows: Int
    private let labelChunkRows: Int
    private let x: HDF5Dataset
    private let y: HDF5Dataset?
    /// The filters of x's and y's chunks; nil when uncompressed.
    private let featureFilter: HDF5ChunkFilter?
    private let labelFilter: HDF5ChunkFilter?
    /// Whether the chunks of one append are compressed on several threads.
    private let parallel: Bool
    /// Starts the disk writes of each append while the next rows are read, so the final fsync has little left.
    private let writeback: EarlyWriteback?
    private var pending: [T] = []
    private var pendingLabels: [Int64] = []
    private(set) var rowsWritten = 0

    /// Creates the file at `path` (which must not exist; the caller writes to
    /// a temporary path and renames it).
    init(
        path: String, rowShape: [Int], hasLabels: Bool, classes: [String]?, chunkRows: Int, compressionLevel: Int,
        parallel: Bool = true,
        featureAttributes: [(name: String, value: AttributeValue)] = []
    ) throws {
        rowLength = rowShape.reduce(1, *)
        self.chunkRows = chunkRows
        self.parallel = parallel
        labelChunkRows = max(chunkRows, 1 << 16)
        let filtered = compressionLevel > 0
        featureFilter = filtered ? HDF5ChunkFilter(level: compressionLevel, shuffle: true, elementSize: MemoryLayout<T>.stride) : nil
        labelFilter = filtered ? HDF5ChunkFilter(level: compressionLevel, shuffle: true, elementSize: MemoryLayout<Int64>.stride) : nil
        file = try HDF5File.create(at: path, mode: .truncate)
        writeback = EarlyWriteback(path: path)
        do {
            let root = try file.root
            x = try root.createExtendableDataset(
                "x", of: T.self, rowShape: rowShape,
                options: featureFilter?.datasetOptions(chunkShape: [chunkRows] + rowShape) ?? DatasetOptions(chunkShape: [chunkRows] + rowShape))
            for (name, value) in featureAttributes { try x.attributes.write(name, value) }
            if hasLabels {
                // Labels are tiny beside the features: give them chunks of at
                // least 64 Ki rows (512 KiB, within HDF5's 1 MiB chunk cache)
                // so that a file of many small x chunks does not also get
                // thousands of 1 KiB label chunks.
                y = try root.createExtendableDataset(
                    "y", of: Int64.self,
                    options: labelFilter?.datasetOptions(chunkShape: [labelChunkRows]) ?? DatasetOptions(chunkShape: [labelChunkRows]))
            } else {
                y = nil
            }
            if let classes {
                try root.createDataset("classes", strings: classes)
            }
            pending.reserveCapacity(chunkRows * rowLength)
        } catch {
            try? file.close()
            throw error
        }
    }

    /// Appends `values` (whole rows, row-major) and their labels.
    func append(_ values: ArraySlice<T>, labels: ArraySlice<Int64>?) throws {
        let rows = rowLength == 0 ? 0 : values.count / rowLength
        guard rows > 0 else { return }
        if let labels, y != nil { pendingLabels.append(contentsOf: labels) }
        var start = values.startIndex
        if pending.isEmpty, rows >= chunkRows {
            // Whole chunks straight from the caller's rows, no buffering.
            let direct = (rows / chunkRows) * chunkRows
            let end = start + direct * rowLength
            try write(values[start..<end], to: x, rowLength: rowLength, chunkRows: chunkRows, filter: featureFilter)
            rowsWritten += direct
            start = end
        }
        pending.append(contentsOf: values[start...])
        let pendingRows = pending.count / rowLength
        if pendingRows >= chunkRows {
            let whole = (pendingRows / chunkRows) * chunkRows
            try write(pending[0..<(whole * rowLength)], to: x, rowLength: rowLength, chunkRows: chunkRows, filter: featureFilter)
            pending.removeFirst(whole * rowLength)
            rowsWritten += whole
        }
        if pendingLabels.count >= labelChunkRows {
            let whole = (pendingLabels.count / labelChunkRows) * labelChunkRows
            if let y { try write(pendingLabels[0..<whole], to: y, rowLength: 1, chunkRows: labelChunkRows, filter: labelFilter) }
            pendingLabels.removeFirst(whole)
        }
        writeback?.start()
    }

    /// Writes what is buffered and closes the file.
    func finish() throws {
        if !pending.isEmpty {
            try write(pending[...], to: x, rowLength: rowLength, chunkRows: chunkRows, filter: featureFilter)
            rowsWritten += pending.count / rowLength
            pending = []
        }
        if !pendingLabels.isEmpty {
            if let y { try write(pendingLabels[...], to: y, rowLength: 1, chunkRows: labelChunkRows, filter: labelFilter) }
            pendingLabels = []
        }
        try file.close()
    }

    /// Appends whole rows to `dataset`: through HDF5's pipeline when it has no
    /// filters, else as chunks filtered here (the last one padded with zeros
    /// when the rows do not fill it, which happens only in `finish()`).
    private func write<E: HDF5Numeric>(
        _ values: ArraySlice<E>, to dataset: HDF5Dataset, rowLength: Int, chunkRows: Int, filter: HDF5ChunkFilter?
    ) throws {
        guard let filter else {
            try dataset.append(rows: Array(values))
            return
        }
        let rows = rowLength == 0 ? 0 : values.count / rowLength
        guard rows > 0 else { return }
        let chunkBytes = chunkRows * rowLength * MemoryLayout<E>.stride
        let chunkCount = (rows + chunkRows - 1) / chunkRows
        let chunks = try values.withUnsafeBytes { bytes in
            if bytes.count == chunkCount * chunkBytes {
                return try filter.filter(bytes, chunkBytes: chunkBytes, threads: parallel ? 2 : 1)
            }
            var padded = [UInt8](repeating: 0, count: chunkCount * chunkBytes)
            padded.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
            return try padded.withUnsafeBytes { try filter.filter($0, chunkBytes: chunkBytes, threads: parallel ? 2 : 1) }
        }
        try dataset.appendFilteredChunks(chunks, rows: rows)
    }

    /// Closes the file after a failure, ignoring further errors.
    func abandon() {
        try? file.close()
    }
}
