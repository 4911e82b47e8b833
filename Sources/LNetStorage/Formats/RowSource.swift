// The shared shape of every importer: a source of rows, delivered in chunks that
// the HDF5 writer can append as they come (`append(rows:)` on an extendable
// dataset), so that converting a file never needs the whole file in memory.

/// The element type of feature values as the source stores them. Readers keep
/// the stored type (a uint8 MNIST image stays uint8) so that the HDF5 dataset
/// can be written in the same type without a lossy or bloating conversion.
public enum FeatureElementType: String, Sendable, Equatable, CaseIterable {
    /// The numpy dtypes of the same names: integers of 8 to 64 bits, signed and unsigned, and IEEE floats of 32 and
    /// 64 bits.
    case uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }
}

/// Row-major feature values of one chunk, in the element type of the source,
/// already converted to native byte order and C (row-major) order.
public enum FeatureBuffer: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case int16([Int16])
    case uint16([UInt16])
    case int32([Int32])
    case uint32([UInt32])
    case int64([Int64])
    case uint64([UInt64])
    case float32([Float])
    case float64([Double])

    /// The element type of the values.
    public var elementType: FeatureElementType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .int16: return .int16
        case .uint16: return .uint16
        case .int32: return .int32
        case .uint32: return .uint32
        case .int64: return .int64
        case .uint64: return .uint64
        case .float32: return .float32
        case .float64: return .float64
        }
    }

    /// Number of elements (not rows).
    public var count: Int {
        switch self {
        case .uint8(let v): return v.count
        case .int8(let v): return v.count
        case .int16(let v): return v.count
        case .uint16(let v): return v.count
        case .int32(let v): return v.count
        case .uint32(let v): return v.count
        case .int64(let v): return v.count
        case .uint64(let v): return v.count
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        }
    }

    /// Every value converted to Double, for callers (tests, the trainer) that
    /// want one type. Integers above 2^53 lose precision, as in numpy.
    public func asDoubles() -> [Double] {
        switch self {
        case .uint8(let v): return v.map { Double($0) }
        case .int8(let v): return v.map { Double($0) }
        case .int16(let v): return v.map { Double($0) }
        case .uint16(let v): return v.map { Double($0) }
        case .int32(let v): return v.map { Double($0) }
        case .uint32(let v): return v.map { Double($0) }
        case .int64(let v): return v.map { Double($0) }
        case .uint64(let v): return v.map { Double($0) }
        case .float32(let v): return v.map { Double($0) }
        case .float64(let v): return v
        }
    }
}

/// A block of consecutive rows.
public struct RowChunk: Sendable, Equatable {
    /// Number of rows in the chunk, at least 1.
    public var rowCount: Int
    /// `rowCount × product(featureShape)` values, row-major: row `r` occupies
    /// elements `r*rowLength ..< (r+1)*rowLength`.
    public var features: FeatureBuffer
    /// One class id per row, or nil when the source has no labels.
    public var labels: [Int64]?

    /// Makes a chunk; `features` must hold `rowCount × rowLength` values and `labels`, when given, `rowCount` ids.
    public init(rowCount: Int, features: FeatureBuffer, labels: [Int64]?) {
        self.rowCount = rowCount
        self.features = features
        self.labels = labels
    }
}

/// A dataset read row by row: the importers (CSV/TSV, .npy/.npz, MNIST IDX)
/// all produce one, and `lnet convert` appends each chunk to the HDF5 datasets.
///
/// Call `nextChunk(maxRows:)` until it returns nil. Every chunk has the same
/// `featureType`; memory use is bounded by `maxRows` (plus what a reader
/// documents, e.g. a Fortran-order .npy array is transposed in memory).
public protocol RowSource {
    /// The shape of one row's features (e.g. `[784]` for a CSV with 785
    /// columns, `[28, 28]` for MNIST images, `[]` for a scalar per row).
    var featureShape: [Int] { get }
    /// The element type of every chunk's `features`.
    var featureType: FeatureElementType { get }
    /// The total number of rows, when known before reading (all current readers
    /// know it, so the writer may preallocate).
    var rowCount: Int? { get }
    /// For string labels, the class names: class id `i` is `classNames[i]`.
    /// Nil when labels were integer class ids already, or there are no labels.
    var classNames: [String]? { get }
    /// The next `1...maxRows` rows, or nil once every row has been delivered.
    mutating func nextChunk(maxRows: Int) throws -> RowChunk?
    /// Attributes a converter writes on `x`: how the features were made, for
    /// whoever must prepare new inputs alike (the image size of a folder of
    /// photos). Empty by default.
    var featureAttributes: [(name: String, value: AttributeValue)] { get }
}

extension RowSource {
    /// No attributes.
    public var featureAttributes: [(name: String, value: AttributeValue)] { [] }
}

extension RowSource {
    /// Number of feature values per row: the product of `featureShape`.
    /// 0 when the shape's product does not fit an `Int` (a crafted header):
    /// converters refuse a row length of 0.
    public var rowLength: Int { checkedProduct(featureShape) ?? 0 }
}

/// A problem with an input file: which file, where in it, and what is wrong.
/// Every importer throws only this type, so the CLI can print one line.
public struct ImportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path of the file as the user gave it.
    public var file: String
    /// 1-based line number (CSV/TSV).
    public var line: Int?
    /// Archive member name (.npz).
    public var member: String?
    /// Byte offset in the file or member, when that is the best location.
    public var offset: Int?
    /// What is wrong, as a sentence fragment without the location.
    public var problem: String
    /// Why no features/labels pair could be chosen, as data, when that is the problem
    /// (`problem` then words it without the CLI's option names).
    public var naming: DatasetNamingProblem?

    /// Makes the error for an archive among whose arrays no features/labels pair could be chosen.
    public init(file: String, naming: DatasetNamingProblem) {
        self.init(file: file, problem: naming.description)
        self.naming = naming
    }

    /// Makes an error for `file`, located by whichever of `line`, `member` and `offset` is known.
    public init(file: String, line: Int? = nil, member: String? = nil, offset: Int? = nil, problem: String) {
        self.file = file
        self.line = line
        self.member = member
        self.offset = offset
        self.problem = problem
    }

    /// `file:line, member 'm', at byte n: problem`, with the parts that are known, on one line.
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let member { location += ", member '\(member)'" }
        if let offset { location += ", at byte \(offset)" }
        return "\(location): \(problem)"
    }
}

/// Multiplies sizes read from a file, reporting overflow instead of trapping.
@inlinable
func checkedProduct(_ values: [Int]) -> Int? {
    var product = 1
    for value in values {
        guard value >= 0 else { return nil }
        let (result, overflow) = product.multipliedReportingOverflow(by: value)
        if overflow { return nil }
        product = result
    }
    return product
}
