/// Writes one dataset file (formats/dataset.md) from rows appended in chunks:
/// `x` extendable, in the source's element type, chunked `chunkRows` rows at a
/// time; `y` int64; `classes` variable-length strings when the source names
/// its classes.
///
/// Rows are handed to HDF5 in whole chunks only (the remainder waits in a
/// buffer of fewer than `chunkRows` rows until more arrive or `finish()`), so
/// that HDF5 never has to read back, inflate and recompress a partly written
/// chunk, whatever sizes the caller appends.
final class StreamingDatasetWriter<T: FeatureElement> {
    let file: HDF5File
    let rowLength: Int
    let chunkRows: Int
    private let labelChunkRows: Int
    private let x: HDF5Dataset
    private let y: HDF5Dataset?
    private var pending: [T] = []
    private var pendingLabels: [Int64] = []
    private(set) var rowsWritten = 0

    /// Creates the file at `path` (which must not exist; the caller writes to
    /// a temporary path and renames it).
    init(
        path: String, rowShape: [Int], hasLabels: Bool, classes: [String]?, chunkRows: Int, compressionLevel: Int,
        featureAttributes: [(name: String, value: AttributeValue)] = []
    ) throws {
        file = try HDF5File.create(at: path, mode: .truncate)
        rowLength = rowShape.reduce(1, *)
        self.chunkRows = chunkRows
        labelChunkRows = max(chunkRows, 1 << 16)
        do {
            let root = try file.root
            let filtered = compressionLevel > 0
            x = try root.createExtendableDataset(
                "x", of: T.self, rowShape: rowShape,
                options: DatasetOptions(
                    chunkShape: [chunkRows] + rowShape, deflateLevel: filtered ? compressionLevel : nil, shuffle: filtered))
            for (name, value) in featureAttributes { try x.attributes.write(name, value) }
            if hasLabels {
                // Labels are tiny beside the features: give them chunks of at
                // least 64 Ki rows (512 KiB, within HDF5's 1 MiB chunk cache)
                // so that a file of many small x chunks does not also get
                // thousands of 1 KiB label chunks.
                y = try root.createExtendableDataset(
                    "y", of: Int64.self,
                    options: DatasetOptions(
                        chunkShape: [labelChunkRows], deflateLevel: filtered ? compressionLevel : nil, shuffle: filtered))
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
            try x.append(rows: Array(values[start..<end]))
            rowsWritten += direct
            start = end
        }
        pending.append(contentsOf: values[start...])
        let pendingRows = pending.count / rowLength
        if pendingRows >= chunkRows {
            let whole = (pendingRows / chunkRows) * chunkRows
            try x.append(rows: Array(pending[0..<(whole * rowLength)]))
            pending.removeFirst(whole * rowLength)
            rowsWritten += whole
        }
        if pendingLabels.count >= labelChunkRows {
            let whole = (pendingLabels.count / labelChunkRows) * labelChunkRows
            try y?.append(rows: Array(pendingLabels[0..<whole]))
            pendingLabels.removeFirst(whole)
        }
    }

    /// Writes what is buffered and closes the file.
    func finish() throws {
        if !pending.isEmpty {
            try x.append(rows: pending)
            rowsWritten += pending.count / rowLength
            pending = []
        }
        if !pendingLabels.isEmpty {
            try y?.append(rows: pendingLabels)
            pendingLabels = []
        }
        try file.close()
    }

    /// Closes the file after a failure, ignoring further errors.
    func abandon() {
        try? file.close()
    }
}
