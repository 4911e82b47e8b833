/// A dataset file (or any HDF5 file with a features/labels pair) read as a
/// `RowSource`, so that `lnet convert` can rename, recompress, split or export
/// it like any other input.
///
/// Names resolve as `DatasetFile` resolves them (formats/dataset.md): `x`/`y`,
/// else the one `<prefix>_x`/`<prefix>_y` pair (the course's `train_set_x`),
/// or the datasets given; class names come from `classes` or `list_classes`.
/// Features keep their stored type, except that h5py booleans become `int8`
/// 0/1 (the dataset format has no boolean feature buffer, and `uint8` would
/// be divided by 255 on reading) and `float16` becomes `float32`. Labels may
/// be stored as any integer type, or as floats holding whole numbers; they
/// are delivered as Int64 class ids. Memory: one chunk of rows.
public final class HDF5RowSource: RowSource {
    /// The shape of one example: the `x` dataset's shape without its first (example) axis.
    public let featureShape: [Int]
    /// The stored element type, except booleans, delivered as `int8`, and `float16`, delivered as `float32`.
    public let featureType: FeatureElementType
    /// The number of examples, always known: the length of the `x` dataset's first axis.
    public let rowCount: Int?
    /// The names in `classes` or `list_classes`, class id i being `classNames[i]`; nil when the file has neither.
    public let classNames: [String]?
    /// The features' dataset path in the file.
    public let xName: String
    /// The labels' dataset path, when the file has labels.
    public let yName: String?

    private let path: String
    private let file: HDF5File
    private let features: HDF5Dataset
    private let storedType: HDF5ElementType
    private let labels: HDF5Dataset?
    /// Labels stored as a (1, m) row cannot be read a range of rows at a
    /// time; they are read whole on first use (8 bytes per example).
    private var wholeLabels: [Double]?
    private let labelsAreRow: Bool
    private let total: Int
    private var delivered = 0

    /// Opens `path`; `x`/`y` name the datasets (HDF5 paths), nil resolves them.
    public init(path: String, x: String? = nil, y: String? = nil) throws {
        self.path = path
        let resolved = try DatasetFile(path: path, x: x, y: y, requireLabels: false)
        xName = resolved.xName
        yName = resolved.yName
        classNames = resolved.classes
        total = resolved.exampleCount
        rowCount = resolved.exampleCount
        featureShape = resolved.exampleShape
        storedType = resolved.featureType
        try resolved.close()

        file = try HDF5File.open(at: path)
        features = try file.dataset(at: xName)
        switch storedType {
        case .uint8: featureType = .uint8
        case .int8, .bool: featureType = .int8
        case .int16: featureType = .int16
        case .uint16: featureType = .uint16
        case .int32: featureType = .int32
        case .uint32: featureType = .uint32
        case .int64: featureType = .int64
        case .uint64: featureType = .uint64
        case .float16, .float32: featureType = .float32
        case .float64: featureType = .float64
        case .fixedString, .variableString, .other:
            throw DatasetError(path: path, problem: "x (\(xName)) holds \(storedType.numpyName) values; features must be numbers")
        }
        if let yName {
            let labels = try file.dataset(at: yName)
            let shape = try labels.shape
            labelsAreRow = shape.count == 2 && shape[0] == 1 && shape[1] != 1
            self.labels = labels
        } else {
            labels = nil
            labelsAreRow = false
        }
    }

    /// The next `1...maxRows` examples, or nil (closing the file) once all have been delivered. Throws `DatasetError`
    /// for a label that is not a class id 0, 1, … below the number of class names.
    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        guard delivered < total else {
            try? file.close()
            return nil
        }
        let rows = delivered..<min(total, delivered + max(1, maxRows))
        let values = try readFeatures(rows)
        let ids = try labels.map { try readLabels($0, rows) }
        delivered = rows.upperBound
        return RowChunk(rowCount: rows.count, features: values, labels: ids)
    }

    private func readFeatures(_ rows: Range<Int>) throws -> FeatureBuffer {
        switch storedType {
        case .bool: return .int8(try features.readRows(rows, as: Bool.self).map { $0 ? 1 : 0 })
        case .float16: return .float32(try features.readRows(rows, as: Float.self))
        default: return try featureType.accept(RowReader(dataset: features, rows: rows))
        }
    }

    private struct RowReader: FeatureElementVisitor {
        let dataset: HDF5Dataset
        let rows: Range<Int>
        func visit<T: FeatureElement>(_ type: T.Type) throws -> FeatureBuffer {
            T.buffer(try dataset.readRows(rows, as: T.self))
        }
    }

    private func readLabels(_ labels: HDF5Dataset, _ rows: Range<Int>) throws -> [Int64] {
        let values: ArraySlice<Double>
        if labelsAreRow {
            if wholeLabels == nil { wholeLabels = try labels.read(as: Double.self) }
            let all = wholeLabels ?? []
            guard rows.upperBound <= all.count else {
                throw DatasetError(path: path, problem: "y (\(yName ?? "")) has \(all.count) labels for \(total) examples")
            }
            values = all[rows]
        } else {
            values = try labels.readRows(rows, as: Double.self)[...]
        }
        var ids = [Int64]()
        ids.reserveCapacity(values.count)
        for (offset, value) in values.enumerated() {
            guard let id = ClassLabel.id(value) else {
                throw DatasetError(
                    path: path, problem: "label \(rows.lowerBound + offset) of y (\(yName ?? "")) " + ClassLabel.notAnID("\(value)"))
            }
            if let classNames, id >= classNames.count {
                throw DatasetError(
                    path: path,
                    problem: "label \(rows.lowerBound + offset) of y (\(yName ?? "")) is \(id), but the file names only \(classNames.count) classes")
            }
            ids.append(id)
        }
        return ids
    }
}
