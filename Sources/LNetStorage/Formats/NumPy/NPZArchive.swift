// .npy / .npz datasets as a RowSource: features from one array (rows along
// its first axis), labels from another (one integer class id per row).

/// The arrays of an .npz archive, by name (member name without `.npy`).
public final class NPZArchive {
    /// The path as given.
    public let path: String
    /// Array names in archive order.
    public let arrayNames: [String]
    private let zip: ZipArchive
    private let entriesByName: [String: ZipEntry]

    /// Reads the archive's central directory.
    public init(path: String) throws {
        self.path = path
        zip = try ZipArchive(path: path)
        var names: [String] = []
        var byName: [String: ZipEntry] = [:]
        for entry in zip.entries where !entry.name.hasSuffix("/") {
            let name = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            if byName[name] == nil { names.append(name) }
            byName[name] = entry
        }
        arrayNames = names
        entriesByName = byName
    }

    /// Chooses the feature and label arrays: the names given; else `x` and
    /// `y`; else the one `*_x` / `*_y` pair (e.g. `train_x`, `train_y`);
    /// else an error listing the arrays.
    public func resolveNames(x: String?, y: String?) throws -> (x: String, y: String) {
        do {
            let chosen = try DatasetNaming.resolve(
                names: arrayNames, x: x, y: y, requireLabels: true, kind: "array",
                exists: { entriesByName[$0] != nil })
            guard let labels = chosen.y else { throw ImportError(file: path, problem: "no labels array") }
            return (chosen.x, labels)
        } catch let failure as DatasetNaming.Failure {
            throw ImportError(file: path, naming: failure.naming)
        }
    }

    /// Opens array `name` for streaming.
    func openArray(_ name: String) throws -> NPYArrayStream {
        guard let entry = entriesByName[name] else {
            throw ImportError(file: path, problem: "no array named '\(name)'")
        }
        let memberPath = path
        let describe = { (problem: String) in ImportError(file: memberPath, member: entry.name, problem: problem) }
        return try NPYArrayStream(stream: try zip.open(entry), availableBytes: entry.uncompressedSize, describe: describe)
    }

    /// The header of array `name`.
    public func header(of name: String) throws -> NPYHeader {
        try openArray(name).header
    }
}

/// Features and labels from NumPy arrays, as a `RowSource`.
///
/// The feature array's first axis is the row axis; `featureShape` is the rest
/// of its shape and `featureType` its dtype (native byte order, C order). The
/// label array must hold one value per row (shape `(n,)`, `(n, 1)` or
/// `(1, n)`): integer or bool values, or floats that are whole numbers.
/// Memory: one chunk of each, except a Fortran-order feature array with two or
/// more dimensions, which is read whole to be transposed.
public final class NumpyReader: RowSource {
    /// The feature array's shape without its first (row) axis.
    public let featureShape: [Int]
    /// The feature array's element type (bool arrives as `uint8` 0/1).
    public let featureType: FeatureElementType
    /// The number of rows: the length of the feature array's first axis.
    public let rowCount: Int?
    /// NumPy labels are class ids already.
    public let classNames: [String]? = nil
    /// The headers of the arrays read, for reporting.
    public let featuresHeader: NPYHeader
    /// The label array's header; nil when the source has no labels.
    public let labelsHeader: NPYHeader?

    private let features: NPYArrayStream
    private let labels: NPYArrayStream?
    private let labelsSource: String
    private let totalRows: Int
    private var rowsDelivered = 0

    /// Features from the .npy file `features`, labels (optional) from the .npy file `labels`.
    public convenience init(npy features: String, labels: String? = nil) throws {
        let featureStream = try Self.openNPY(features)
        let labelStream = try labels.map { try Self.openNPY($0) }
        try self.init(features: featureStream, featuresSource: features, labels: labelStream, labelsSource: labels ?? "")
    }

    /// Features and labels from two arrays of the .npz archive `path`;
    /// names as in `NPZArchive.resolveNames(x:y:)`.
    public convenience init(npz path: String, x: String? = nil, y: String? = nil) throws {
        let archive = try NPZArchive(path: path)
        let names = try archive.resolveNames(x: x, y: y)
        try self.init(features: try archive.openArray(names.x), featuresSource: "\(path) array '\(names.x)'",
                      labels: try archive.openArray(names.y), labelsSource: "\(path) array '\(names.y)'")
    }

    private static func openNPY(_ path: String) throws -> NPYArrayStream {
        let file = try InputFile(path: path)
        let describe = { (problem: String) in ImportError(file: path, problem: problem) }
        return try NPYArrayStream(stream: FileRangeStream(file: file, start: 0, count: file.size), availableBytes: file.size, describe: describe)
    }

    private init(features: NPYArrayStream, featuresSource: String, labels: NPYArrayStream?, labelsSource: String) throws {
        guard !features.header.shape.isEmpty else {
            throw ImportError(file: featuresSource, problem: "the feature array is 0-dimensional; it needs a row axis")
        }
        self.features = features
        self.labels = labels
        self.labelsSource = labelsSource
        featuresHeader = features.header
        labelsHeader = labels?.header
        featureShape = Array(features.header.shape.dropFirst())
        featureType = features.header.dataType.elementType
        totalRows = features.rows
        rowCount = features.rows
        if let labels {
            let shape = labels.header.shape
            let nonUnit = shape.filter { $0 != 1 }
            guard labels.header.elementCount == totalRows, nonUnit.count <= 1 else {
                throw ImportError(file: labelsSource, problem: "the labels have shape \(shape) but the features have \(totalRows) rows: expected (\(totalRows),), (\(totalRows), 1) or (1, \(totalRows))")
            }
        }
    }

    /// The next `1...maxRows` rows with their labels as class ids, or nil once all have been delivered. Throws
    /// `ImportError` for a label that is not a whole number.
    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        guard let (count, values) = try features.nextRows(maxRows: maxRows) else { return nil }
        var labelValues: [Int64]? = nil
        if let labels {
            labelValues = try Self.classIds(try labels.nextElements(count), firstRow: rowsDelivered, source: labelsSource)
        }
        rowsDelivered += count
        return RowChunk(rowCount: count, features: values, labels: labelValues)
    }

    /// Labels as Int64 class ids; floats must be whole numbers in range.
    private static func classIds(_ values: FeatureBuffer, firstRow: Int, source: String) throws -> [Int64] {
        func fail(_ index: Int, _ value: String) -> ImportError {
            ImportError(file: source, problem: "label of row \(firstRow + index) is \(value), not an integer class id")
        }
        switch values {
        case .uint8(let v): return v.map { Int64($0) }
        case .int8(let v): return v.map { Int64($0) }
        case .int16(let v): return v.map { Int64($0) }
        case .uint16(let v): return v.map { Int64($0) }
        case .int32(let v): return v.map { Int64($0) }
        case .uint32(let v): return v.map { Int64($0) }
        case .int64(let v): return v
        case .uint64(let v):
            return try v.enumerated().map { index, value in
                guard let id = Int64(exactly: value) else { throw fail(index, "\(value)") }
                return id
            }
        case .float32(let v):
            return try v.enumerated().map { index, value in
                guard let id = Int64(exactly: value) else { throw fail(index, "\(value)") }
                return id
            }
        case .float64(let v):
            return try v.enumerated().map { index, value in
                guard let id = Int64(exactly: value) else { throw fail(index, "\(value)") }
                return id
            }
        }
    }
}
