/// A source whose class names and `uint8` type, lost by a CSV export, are
/// given back (`lnet convert back.csv back.h5` with the names and the type the
/// export's notes print): the ids are checked against the names, and every
/// feature must be a whole number 0…255 to be stored as `uint8`.
final class RestoredSource: RowSource {
    let featureShape: [Int]
    let featureType: FeatureElementType
    let rowCount: Int?
    let classNames: [String]?

    private var source: any RowSource
    private let path: String
    private let narrowsToUInt8: Bool
    private var rowsDelivered = 0

    /// Wraps `source` (read from `path`); `classNames` replaces none (the
    /// source's labels must be ids), `uint8` narrows float64 features.
    init(_ source: any RowSource, path: String, classNames: [String]?, uint8: Bool) throws {
        if classNames != nil, let names = source.classNames {
            throw ConversionError(
                file: path, problem: "the labels are names already (\(names.prefix(5).joined(separator: ", "))…); class names can be given for class ids only")
        }
        self.source = source
        self.path = path
        featureShape = source.featureShape
        featureType = uint8 ? .uint8 : source.featureType
        rowCount = source.rowCount
        self.classNames = classNames ?? source.classNames
        narrowsToUInt8 = uint8
    }

    func nextChunk(maxRows: Int) throws -> RowChunk? {
        guard var chunk = try source.nextChunk(maxRows: maxRows) else { return nil }
        defer { rowsDelivered += chunk.rowCount }
        if let classNames, let labels = chunk.labels,
           let (offset, id) = labels.enumerated().first(where: { $0.element >= classNames.count }) {
            throw ConversionError(
                file: path, problem: "example \(rowsDelivered + offset) has the label \(id), but only \(classNames.count) class names were given")
        }
        if narrowsToUInt8 {
            let values = chunk.features.asDoubles()
            let rowLength = max(1, values.count / max(1, chunk.rowCount))
            var narrowed = [UInt8](repeating: 0, count: values.count)
            for (index, value) in values.enumerated() {
                guard value >= 0, value <= 255, value == value.rounded() else {
                    throw ConversionError(
                        file: path,
                        problem: "example \(rowsDelivered + index / rowLength), feature \(index % rowLength) is \(value), not a whole number 0…255 for uint8")
                }
                narrowed[index] = UInt8(value)
            }
            chunk.features = .uint8(narrowed)
        }
        return chunk
    }
}
