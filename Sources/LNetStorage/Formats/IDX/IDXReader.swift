// MNIST's IDX format: a 4-byte magic (two zero bytes, a type code, the number
// of dimensions), each dimension as a big-endian UInt32, then the data,
// big-endian, C order. Files may be gzipped (detected by the gzip magic, so a
// `.gz` name is not required) and are then inflated as a stream.

/// The header of an IDX file.
public struct IDXHeader: Sendable, Equatable {
    /// The element type (type codes 0x08 ubyte, 0x09 byte, 0x0B short,
    /// 0x0C int, 0x0D float, 0x0E double).
    public var elementType: FeatureElementType
    /// The dimensions; the first is the item count.
    public var dimensions: [Int]
    /// The 32-bit magic number, e.g. 0x00000803 for MNIST images.
    public var magic: UInt32
}

/// One IDX file, streamed item by item.
final class IDXArrayStream {
    let header: IDXHeader
    let items: Int
    let itemLength: Int
    private let stream: ByteStream
    private let path: String
    private var itemsRead = 0

    init(path: String) throws {
        self.path = path
        let file = try InputFile(path: path)
        let fail = { (problem: String) in ImportError(file: path, problem: problem) }
        let whole = FileRangeStream(file: file, start: 0, count: file.size)
        let start = try file.readExactly(at: 0, count: min(4, file.size), what: "the IDX magic number")
        let gzipped = start.count >= 2 && start[0] == 0x1F && start[1] == 0x8B
        let source: ByteStream = gzipped ? try InflateStream(gzipped: whole, makeError: fail) : whole

        var magicBytes = [UInt8](repeating: 0, count: 4)
        let got = try magicBytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard got == 4 else { throw fail("too short for an IDX file (\(got) bytes)") }
        let magic = magicBytes.uint32BE(at: 0)
        let hexMagic = "0x" + String(repeating: "0", count: 8 - String(magic, radix: 16).count) + String(magic, radix: 16)
        guard magicBytes[0] == 0, magicBytes[1] == 0, magicBytes[3] >= 1 else {
            throw fail("wrong magic number \(hexMagic): not an IDX file (MNIST images start with 0x00000803, labels with 0x00000801)")
        }
        let type: FeatureElementType
        switch magicBytes[2] {
        case 0x08: type = .uint8
        case 0x09: type = .int8
        case 0x0B: type = .int16
        case 0x0C: type = .int32
        case 0x0D: type = .float32
        case 0x0E: type = .float64
        default: throw fail("wrong magic number \(hexMagic): unknown IDX type code 0x\(String(magicBytes[2], radix: 16))")
        }
        let dimensionCount = Int(magicBytes[3])
        var dimensionBytes = [UInt8](repeating: 0, count: 4 * dimensionCount)
        let gotDimensions = try dimensionBytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard gotDimensions == dimensionBytes.count else { throw fail("the IDX header is truncated: \(dimensionCount) dimensions declared") }
        let dimensions = (0..<dimensionCount).map { Int(dimensionBytes.uint32BE(at: 4 * $0)) }
        guard let count = checkedProduct(dimensions), let bytes = checkedProduct([count, type.byteCount]) else {
            throw fail("the IDX dimensions \(dimensions) are too large")
        }
        // A plain file's size is known: refuse a short body before reading it.
        let headerBytes = 4 + 4 * dimensionCount
        if !gzipped, bytes > file.size - headerBytes {
            throw fail("the body is short: dimensions \(dimensions) need \(bytes) bytes of data, the file has \(file.size - headerBytes)")
        }
        // A gzip file cannot hold more than deflate's maximum ratio allows:
        // refuse impossible dimensions before sizing any buffer from them.
        let (gzipLimit, limitOverflow) = file.size.multipliedReportingOverflow(by: maximumDeflateRatio)
        if gzipped, !limitOverflow, bytes > gzipLimit {
            throw fail("the body is short: dimensions \(dimensions) need \(bytes) bytes of data, more than this \(file.size)-byte gzip file can hold")
        }
        stream = source
        header = IDXHeader(elementType: type, dimensions: dimensions, magic: magic)
        items = dimensions[0]
        itemLength = checkedProduct(Array(dimensions.dropFirst())) ?? 0
    }

    func nextItems(maxItems: Int) throws -> (items: Int, values: FeatureBuffer)? {
        let count = min(max(1, maxItems), items - itemsRead)
        guard count > 0 else { return nil }
        let itemSize = header.elementType.byteCount * itemLength
        let firstItem = itemsRead
        let path = self.path
        let values = try readElements(from: stream, count: count * itemLength, type: header.elementType, bigEndian: true) { got, _ in
            ImportError(file: path, problem: "the body is short: it ends inside item \(firstItem + got / max(1, itemSize)) of \(self.items)")
        }
        itemsRead += count
        return (count, values)
    }
}

/// MNIST-style images and labels in IDX files, as a `RowSource`.
///
/// `featureShape` is the image file's dimensions after the first (28×28 for
/// MNIST) and `featureType` its element type (uint8 for MNIST). Labels come
/// from a 1-dimensional integer IDX file with the same item count.
public final class IDXReader: RowSource {
    /// The image file's dimensions after the first, e.g. `[28, 28]` for MNIST.
    public let featureShape: [Int]
    /// The image file's element type, e.g. `uint8` for MNIST.
    public let featureType: FeatureElementType
    /// The number of images: the image file's first dimension.
    public let rowCount: Int?
    /// Always nil: IDX labels are class ids already.
    public let classNames: [String]? = nil
    /// The headers of the files, for reporting.
    public let imagesHeader: IDXHeader
    /// The label file's header; nil when no label file was given.
    public let labelsHeader: IDXHeader?

    private let images: IDXArrayStream
    private let labels: IDXArrayStream?
    private let labelsPath: String

    /// - Parameters:
    ///   - images: the image (feature) file, e.g. `train-images-idx3-ubyte.gz`.
    ///   - labels: the label file, e.g. `train-labels-idx1-ubyte.gz`; optional.
    public init(images imagesPath: String, labels labelsPath: String? = nil) throws {
        images = try IDXArrayStream(path: imagesPath)
        labels = try labelsPath.map { try IDXArrayStream(path: $0) }
        self.labelsPath = labelsPath ?? ""
        imagesHeader = images.header
        labelsHeader = labels?.header
        featureShape = Array(images.header.dimensions.dropFirst())
        featureType = images.header.elementType
        rowCount = images.items
        if let labels, let labelsPath {
            guard labels.header.dimensions.count == 1 || labels.itemLength == 1 else {
                throw ImportError(file: labelsPath, problem: "labels must be 1-dimensional, found dimensions \(labels.header.dimensions)")
            }
            guard [.uint8, .int8, .int16, .int32].contains(labels.header.elementType) else {
                throw ImportError(file: labelsPath, problem: "labels must be integers, found \(labels.header.elementType.rawValue)")
            }
            guard labels.items == images.items else {
                throw ImportError(file: labelsPath, problem: "holds \(labels.items) labels but \(imagesPath) holds \(images.items) images")
            }
        }
    }

    /// The next `1...maxRows` images with their labels, or nil once all have been delivered. Throws `ImportError`
    /// when either file ends early.
    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        guard let (count, values) = try images.nextItems(maxItems: maxRows) else { return nil }
        var labelValues: [Int64]? = nil
        if let labels {
            guard let (labelCount, labelBuffer) = try labels.nextItems(maxItems: count), labelCount == count else {
                throw ImportError(file: labelsPath, problem: "ends before the images do")
            }
            labelValues = labelBuffer.asDoubles().map { Int64($0) }
        }
        return RowChunk(rowCount: count, features: values, labels: labelValues)
    }
}
