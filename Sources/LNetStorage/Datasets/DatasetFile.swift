import Foundation

/// An open dataset file (formats/dataset.md): features `x` stored examples
/// first, optional labels `y` and class names.
///
/// Opening resolves the names and checks the shapes and types; the values are
/// read on demand, whole or a range of examples at a time, so that a dataset
/// larger than memory can be streamed.
public final class DatasetFile: @unchecked Sendable {
    // @unchecked: the HDF5 handles are serialised by the storage lock, and
    // every stored property is immutable after init.

    /// The file's path as given.
    public let path: String
    /// The HDF5 path of the features.
    public let xName: String
    /// The HDF5 path of the labels, when the file has them.
    public let yName: String?
    /// The number of examples, m.
    public let exampleCount: Int
    /// The shape of one example, e.g. `[64, 64, 3]`.
    public let exampleShape: [Int]
    /// The features' stored element type.
    public let featureType: HDF5ElementType
    /// The class names (`classes` or `list_classes`), when present.
    public let classes: [String]?
    /// How the examples were made when they are RGB images (`uint8`, example shape `[height, width, 3]`); nil
    /// for other data.
    public let inputImage: InputImage?

    private let file: HDF5File
    /// Internal so that `DatasetFile+Streaming` can read scattered rows.
    let features: HDF5Dataset
    private let labels: HDF5Dataset?

    /// The number of features per example, n_x (the example's elements).
    public let featureCount: Int

    /// Every feature is divided by this on reading: 255 for `uint8`, else 1.
    public var inputDivisor: Double { featureType == .uint8 ? 255 : 1 }

    /// Opens `path` and finds its datasets: `x`/`y` names them when given,
    /// else `x` and `y`, else the one `<prefix>_x`/`<prefix>_y` pair at the top level.
    /// With `requireLabels`, a file without labels is an error. `selection` says which of
    /// the caller's choices named them, for the error that tells how to choose.
    public init(path: String, x: String? = nil, y: String? = nil, requireLabels: Bool = true,
                selection: DatasetSelection = .data) throws {
        self.path = path
        file = try HDF5File.open(at: path)
        let root = try file.root
        let names = try root.members().filter { $0.kind == .dataset }.map(\.name)
        let resolved = try Self.resolveNames(names, x: x, y: y, requireLabels: requireLabels, selection: selection, path: path, file: file)
        xName = resolved.x
        yName = resolved.y
        features = try file.dataset(at: resolved.x)
        featureType = try features.elementType
        let shape = try features.shape
        guard featureType.isNumeric || featureType == .bool else {
            throw DatasetError(path: path, problem: "x (\(resolved.x)) holds \(featureType.numpyName) values; features must be numbers")
        }
        guard let first = shape.first, first > 0 else {
            throw DatasetError(path: path, problem: "x (\(resolved.x)) has no examples (shape \(Self.format(shape)))")
        }
        exampleCount = first
        exampleShape = Array(shape.dropFirst())
        guard exampleShape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError(path: path, problem: "x (\(resolved.x)) has no features (shape \(Self.format(shape)))")
        }
        // Checked once here, so that no caller multiplies a crafted shape into an overflow.
        guard checkedProduct(shape) != nil, let perExample = checkedProduct(exampleShape) else {
            throw DatasetError(
                path: path, problem: "x (\(resolved.x)) declares shape \(Self.format(shape)), more values than can be counted")
        }
        featureCount = perExample
        // Before any caller sizes memory or a streaming plan from the shape.
        try features.checkDeclaredSizeFitsFile()
        if let yName = resolved.y {
            let labels = try file.dataset(at: yName)
            let labelShape = try labels.shape
            let columnLike = labelShape.count == 2 && (labelShape[0] == 1 || labelShape[1] == 1)
            guard labelShape.count == 1 || columnLike else {
                throw DatasetError(path: path, problem: "y (\(yName)) has shape \(Self.format(labelShape)); expected (m,)")
            }
            guard try labels.count == exampleCount else {
                throw DatasetError(
                    path: path,
                    problem: "x (\(resolved.x)) has \(exampleCount) examples but y (\(yName)) has \((try? labels.count) ?? 0) labels")
            }
            let labelType = try labels.elementType
            guard labelType.isNumeric || labelType == .bool else {
                throw DatasetError(path: path, problem: "y (\(yName)) holds \(labelType.numpyName) values; labels must be integers")
            }
            self.labels = labels
        } else {
            labels = nil
        }
        classes = try Self.readClasses(root: root, names: names, path: path)
        // The conversion of a folder of photos says on x whether it applied EXIF orientation.
        let transposeAttribute = "image_exif_transpose"
        let stored = (try? features.attributes.contains(transposeAttribute)) == true
            ? (try? features.attributes.read(transposeAttribute)) : nil
        inputImage = InputImage.detect(
            exampleShape: exampleShape, featureType: featureType,
            attributes: stored.map { [transposeAttribute: $0] } ?? [:])
    }

    /// Closes the file now rather than when the object goes away.
    public func close() throws {
        try file.close()
    }

    // MARK: Reading

    /// Reads the features of examples `examples`, divided by `inputDivisor`,
    /// as a row-major (examples × features) array: each row is one example,
    /// flattened in C order.
    /// `divisor` overrides `inputDivisor` (a model trained on `uint8` data
    /// divides whatever it is given by 255).
    public func readFeatures(examples: Range<Int>? = nil, divisor: Double? = nil) throws -> [Double] {
        let range = examples ?? 0..<exampleCount
        // HDF5 converts every number to Double, but not h5py's bool enum.
        var values = featureType == .bool
            ? try features.readRows(range, as: Bool.self).map { $0 ? 1.0 : 0.0 }
            : try features.readRows(range, as: Double.self)
        let divisor = divisor ?? inputDivisor
        if divisor != 1 {
            // A division, as the course's `x / 255.`, so the bits match numpy.
            for index in values.indices { values[index] /= divisor }
        }
        return values
    }

    /// Reads features like `readFeatures` into a buffer the caller owns, which
    /// must hold `examples.count × featureCount` values.
    public func readFeatures(examples: Range<Int>, into buffer: UnsafeMutableBufferPointer<Double>) throws {
        try readWideningBooleans(into: buffer, count: buffer.count) { try features.readRows(examples, into: $0) } doubles: {
            try features.readRows(examples, into: $0)
        }
        let divisor = inputDivisor
        if divisor != 1 {
            for index in buffer.indices { buffer[index] /= divisor }
        }
    }

    /// x exactly as stored, when it is stored as `uint8`: `exampleCount × featureCount` bytes, one example per
    /// row. A run that trains in mini-batches keeps these (1 byte a value instead of 8) and prepares each batch
    /// as it gathers it; throws for any other stored type.
    public func readStoredBytes() throws -> [UInt8] {
        guard featureType == .uint8 else {
            throw DatasetError(path: path, problem: "x (\(xName)) is stored as \(featureType), not uint8")
        }
        return try features.readRows(0..<exampleCount, as: UInt8.self)
    }

    /// Reads the labels as class ids, checking that each is a whole number,
    /// not negative, and below the number of classes when the file names them.
    public func readLabels() throws -> [Int] {
        guard let labels, let yName else {
            throw DatasetError(path: path, problem: "no labels: the file has no y dataset")
        }
        let raw = try labels.elementType == .bool
            ? labels.read(as: Bool.self).map { $0 ? 1.0 : 0.0 }
            : labels.read(as: Double.self)
        var ids = [Int]()
        ids.reserveCapacity(raw.count)
        for (index, value) in raw.enumerated() {
            guard let classID = ClassLabel.id(value) else {
                throw DatasetError(path: path, problem: "label \(index) of y (\(yName)) " + ClassLabel.notAnID("\(value)"))
            }
            let id = Int(classID)
            if let classes, id >= classes.count {
                throw DatasetError(
                    path: path,
                    problem: "label \(index) of y (\(yName)) is \(id), but the file names only \(classes.count) classes")
            }
            ids.append(id)
        }
        return ids
    }

    /// Reads through `doubles`, or, for h5py's booleans, which HDF5 cannot
    /// convert to a number, through `booleans` and widens them to 0 and 1.
    func readWideningBooleans(
        into buffer: UnsafeMutableBufferPointer<Double>, count: Int,
        booleans: (UnsafeMutableBufferPointer<Bool>) throws -> Void,
        doubles: (UnsafeMutableBufferPointer<Double>) throws -> Void
    ) throws {
        guard featureType == .bool else { return try doubles(buffer) }
        try withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { flags in
            try booleans(flags)
            for index in 0..<min(count, buffer.count) { buffer[index] = flags[index] ? 1 : 0 }
        }
    }

    /// Whether the file has labels.
    public var hasLabels: Bool { labels != nil }

    // MARK: Fingerprint

    /// The data fingerprint of formats/dataset.md: SHA-256 over x and y as
    /// stored, read a block of examples at a time so memory stays bounded.
    public func fingerprint() throws -> String {
        guard let labels else {
            throw DatasetError(path: path, problem: "no labels: a fingerprint needs y")
        }
        var hasher = try SHA256()
        let xShape = ([exampleCount] + exampleShape).map(String.init).joined(separator: ",")
        hasher.update(bytes: Array("x \(featureType.numpyName) \(xShape)\n".utf8))
        try Self.hashValues(of: features, type: featureType, rowsPerBlock: max(1, (4 << 20) / max(featureCount, 1)),
                            path: path, into: &hasher)
        let labelType = try labels.elementType
        hasher.update(bytes: Array("y \(labelType.numpyName) \(try labels.count)\n".utf8))
        let labelRows = try labels.shape.first ?? 0
        try Self.hashValues(of: labels, type: labelType, rowsPerBlock: max(labelRows, 1), path: path, into: &hasher)
        return try hasher.hexDigest()
    }

    private static func hashValues(
        of dataset: HDF5Dataset, type: HDF5ElementType, rowsPerBlock: Int, path: String, into hasher: inout SHA256
    ) throws {
        switch type {
        case .uint8: try hashBlocks(of: dataset, as: UInt8.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .int8: try hashBlocks(of: dataset, as: Int8.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .int16: try hashBlocks(of: dataset, as: Int16.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .int32: try hashBlocks(of: dataset, as: Int32.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .int64: try hashBlocks(of: dataset, as: Int64.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .uint16: try hashBlocks(of: dataset, as: UInt16.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .uint32: try hashBlocks(of: dataset, as: UInt32.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .uint64: try hashBlocks(of: dataset, as: UInt64.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .float32: try hashBlocks(of: dataset, as: Float.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .float64: try hashBlocks(of: dataset, as: Double.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .bool: try hashBlocks(of: dataset, as: Bool.self, rowsPerBlock: rowsPerBlock, into: &hasher)
        case .float16, .fixedString, .variableString, .other:
            throw DatasetError(path: path, problem: "\(dataset.path) holds \(type.numpyName) values, which LNet cannot fingerprint")
        }
    }

    // Values are hashed in the host's byte order, which is little-endian on
    // every platform Swift on Linux runs on (x86_64, arm64), as the format asks.
    private static func hashBlocks<T: HDF5Numeric>(
        of dataset: HDF5Dataset, as type: T.Type, rowsPerBlock: Int, into hasher: inout SHA256
    ) throws {
        let shape = try dataset.shape
        let rows = shape.first ?? 0
        if shape.isEmpty {
            let values = try dataset.read(as: T.self)
            values.withUnsafeBytes { hasher.update($0) }
            return
        }
        var start = 0
        while start < rows {
            let end = min(rows, start + rowsPerBlock)
            let values = try dataset.readRows(start..<end, as: T.self)
            values.withUnsafeBytes { hasher.update($0) }
            start = end
        }
    }

    // MARK: Names

    private static func resolveNames(
        _ names: [String], x: String?, y: String?, requireLabels: Bool, selection: DatasetSelection, path: String,
        file: HDF5File
    ) throws -> (x: String, y: String?) {
        do {
            return try DatasetNaming.resolve(
                names: names, x: x, y: y, requireLabels: requireLabels, kind: "dataset", selection: selection, exists: file.exists)
        } catch let failure as DatasetNaming.Failure {
            // A name the rule looks for may be there as a link that leads
            // nowhere: say so rather than that it is missing.
            let root = try file.root
            let topLevel = try root.members().filter { $0.kind == .other }.map(\.name)
                .filter { $0 == "x" || $0 == "y" || $0.hasSuffix("_x") || $0.hasSuffix("_y") }
            for candidate in [x, y].compactMap({ $0 }) + ["x", "y"] + topLevel {
                if let problem = try brokenLink(candidate, in: root) {
                    throw DatasetError(path: path, problem: problem)
                }
            }
            throw DatasetError(path: path, naming: failure.naming)
        }
    }

    /// Why the link `name` leads nowhere, in words, when it is a soft or
    /// external link whose target cannot be opened; nil otherwise.
    private static func brokenLink(_ name: String, in root: HDF5Group) throws -> String? {
        guard let target = try root.linkTarget(name), try !root.exists(name) else { return nil }
        let shown = name.hasPrefix("/") ? name : "/" + name
        switch target {
        case .soft(let destination):
            return "\(shown) is a soft link to \(destination), which does not exist"
        case .external(let file, let destination):
            return "\(shown) is an external link to \(file):\(destination), which cannot be opened"
        case .hard, .other:
            return nil
        }
    }

    private static func readClasses(root: HDF5Group, names: [String], path: String) throws -> [String]? {
        guard let name = ["classes", "list_classes"].first(where: names.contains) else { return nil }
        let dataset = try root.openDataset(name)
        let type = try dataset.elementType
        let shape = try dataset.shape
        guard type.isString, shape.count == 1 else {
            throw DatasetError(path: path, problem: "\(name) must be a 1-D array of strings, not \(type.numpyName) \(format(shape))")
        }
        return try dataset.readStrings()
    }

    static func format(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
