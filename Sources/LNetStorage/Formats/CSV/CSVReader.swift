// CSV/TSV → rows of Double features plus an Int64 class label.
//
// The file is read twice, each time streaming with a bounded buffer:
// 1. a scan pass tokenizes every record without parsing numbers: it checks
//    the field count of each row, counts the rows, and decides the label kind
//    (integer class ids, or strings) while keeping only the distinct label
//    values. A ragged file is thus refused before anything is written, and
//    the row count is known up front (the writer can preallocate).
// 2. `nextChunk` tokenizes again and parses the features (CSVRowParser). The
//    scan pass notes where every 1,024th row starts, so a chunk can be cut
//    into parts that threads parse at the same time, each from a record
//    boundary (a line break inside quotes rules out guessing one).
// The alternative, one pass that remaps string labels at the end, would force
// the HDF5 writer to rewrite the label dataset; the scan pass costs far less
// than number parsing (it only looks for delimiters, quotes and line ends).
import Foundation

/// How CSV fields are separated.
public enum CSVDelimiter: Sendable, Equatable {
    /// `,`, a tab and `;`.
    case comma, tab, semicolon
    /// Any other single ASCII byte.
    case byte(UInt8)

    var byte: UInt8 {
        switch self {
        case .comma: return UInt8(ascii: ",")
        case .tab: return UInt8(ascii: "\t")
        case .semicolon: return UInt8(ascii: ";")
        case .byte(let b): return b
        }
    }

    /// Tab for `.tsv` and `.tab` files, comma otherwise.
    public static func forPath(_ path: String) -> CSVDelimiter {
        let lower = path.lowercased()
        return (lower.hasSuffix(".tsv") || lower.hasSuffix(".tab")) ? .tab : .comma
    }
}

/// Reads a delimited text file, with a header row or without, as a `RowSource`.
///
/// - Header: the first row names the columns, as pandas takes it by default;
///   without one (`hasHeader: false`) the columns are named `0`, `1`, …, as
///   pandas' `header=None` names them. `headerLooksNumeric` tells when a
///   header row might in fact be data. The header and every label must be
///   valid UTF-8 (two different byte strings must never become one class name).
///
/// - Features: every column but the label column, parsed as Double (the same
///   value strtod gives; `nan`, `inf` accepted; an empty or non-numeric field
///   is an error naming the line and column). `featureShape` is `[columns-1]`.
/// - Labels: when every label is a decimal integer, the labels are those class
///   ids, which must be 0, 1, … as in an HDF5 `y` (a negative one is refused
///   with its line); otherwise every label is a string, and class ids number the distinct
///   strings in sorted (UTF-8 byte, i.e. code point) order, with the names in
///   `classNames`.
/// - Memory: a 1 MiB-ish tokenizer buffer for the scan and one for each parse
///   thread, one chunk, the distinct label values, and 16 bytes per 1,024 rows
///   (where those rows start, for the parse threads).
public final class CSVReader: RowSource {
    /// The column names from the header row.
    public let header: [String]
    /// 0-based index of the label column in `header`.
    public let labelColumnIndex: Int
    /// True when the file has a header row and every field of it is a number:
    /// perhaps a first example taken for a header.
    public let headerLooksNumeric: Bool
    /// The names of the feature columns, in order.
    public var featureNames: [String] {
        header.enumerated().filter { $0.offset != labelColumnIndex }.map(\.element)
    }
    /// `[columns - 1]`: every column but the label column.
    public let featureShape: [Int]
    /// Always `float64`: every feature field is parsed as a Double.
    public let featureType: FeatureElementType = .float64
    /// The number of data rows (known after the scan pass in `init`).
    public let rowCount: Int?
    /// The sorted distinct label strings when the labels are not all integers, class id i being `classNames[i]`; nil
    /// when they are integer class ids.
    public let classNames: [String]?

    /// Data rows between two resume points.
    static let resumeInterval = 1024
    /// A chunk is cut into parts for several threads only when each part gets at least this many rows.
    static let minimumPartRows = 2 * resumeInterval

    private let parser: CSVRowParser
    /// Where data rows 0, `resumeInterval`, 2 × `resumeInterval`, … start (16 bytes per 1,024 rows).
    private let resumePoints: [CSVResumePoint]
    /// One per parse thread, each in cache lines of its own: a tokenizer's position changes at every record, and
    /// two threads writing to one cache line would pass it between their cores all the time.
    private let cursors: [UnsafeMutablePointer<CSVParseCursor>]
    private var rowsDelivered = 0

    /// Opens `path` and runs the scan pass.
    /// - Parameters:
    ///   - delimiter: nil chooses from the extension (`.tsv` → tab, else comma).
    ///   - labelColumn: a column name from the header, or else a 0-based column
    ///     index; nil means the last column.
    ///   - hasHeader: false when the first row is data; the columns are then named `0`, `1`, ….
    ///   - parseThreads: how many threads parse each chunk, each its own part of it (capped at 16); each keeps a
    ///     1 MiB-ish buffer. The rows, values and errors are the same for any number.
    public init(path: String, delimiter: CSVDelimiter? = nil, labelColumn: String? = nil, hasHeader: Bool = true,
                parseThreads: Int = 1) throws {
        let separator = (delimiter ?? CSVDelimiter.forPath(path)).byte
        guard separator != 0x22, separator != 0x0A, separator != 0x0D else {
            throw ImportError(file: path, problem: "the delimiter cannot be a quote or a line break")
        }

        // Scan pass.
        let scanFile = try InputFile(path: path)
        var scanner = CSVTokenizer(file: scanFile, delimiter: separator)
        defer { scanner.deallocate() }
        guard try scanner.nextRecord() else {
            let wanted = hasHeader ? "a header row and at least one data row are" : "at least one data row is"
            throw ImportError(file: path, problem: "the file is empty; \(wanted) required")
        }
        let names: [String]
        if hasHeader {
            names = try (0..<scanner.fields.count).map { column in
                guard let name = String(validating: scanner.bytes(of: column), as: UTF8.self) else {
                    throw ImportError(file: path, line: scanner.recordLine, problem: "the header (column \(column + 1)) is not valid UTF-8")
                }
                return name
            }
            headerLooksNumeric = (0..<scanner.fields.count).allSatisfy { parseCSVDouble(scanner.bytes(of: $0)) != nil }
        } else {
            names = (0..<scanner.fields.count).map(String.init)
            headerLooksNumeric = false
        }
        guard names.count >= 2 else {
            let row = hasHeader ? "the header has" : "the first row has"
            throw ImportError(file: path, line: scanner.recordLine, problem: "\(row) \(names.count) column; at least a feature column and a label column are needed (is the delimiter right?)")
        }
        let labelIndex = try Self.resolveLabelColumn(labelColumn, in: names, path: path, line: scanner.recordLine)
        let columnCount = names.count

        var rows = 0
        var resumePoints: [CSVResumePoint] = []
        var allIntegers = true
        /// The first integer label that is not a class id (-1): refused if every label turns out to be an integer.
        var firstInvalidID: (line: Int, text: String)?
        var distinctLabels = Set<[UInt8]>()
        var previousLabel: [UInt8] = []
        func scan(_ label: UnsafeBufferPointer<UInt8>, line: Int) throws {
            if label.isEmpty {
                throw ImportError(file: path, line: line, problem: "the label (column \(labelIndex + 1), '\(names[labelIndex])') is empty")
            }
            if allIntegers {
                if let value = parseCSVInt64(label) {
                    if firstInvalidID == nil, ClassLabel.id(value) == nil { firstInvalidID = (line, String(value)) }
                } else {
                    allIntegers = false
                }
            }
            // Only the distinct values are kept (a handful of classes in practice).
            // They are kept in integer mode too, in case a later row turns out
            // to be a string and every label becomes a string.
            if label.count != previousLabel.count || !label.elementsEqual(previousLabel) {
                previousLabel = Array(label)
                if distinctLabels.insert(previousLabel).inserted, String(validating: label, as: UTF8.self) == nil {
                    throw ImportError(file: path, line: line, problem: "the label is not valid UTF-8")
                }
            }
            rows += 1
        }
        if hasHeader {
            resumePoints.append(scanner.resumePoint)
        } else {
            resumePoints.append(CSVResumePoint(offset: 0, line: 1))
            try scan(scanner.bytes(of: labelIndex), line: scanner.recordLine)
        }
        while true {
            if rows % Self.resumeInterval == 0, rows > 0 { resumePoints.append(scanner.resumePoint) }
            guard let record = try scanner.nextLine() else { break }
            let label: UnsafeBufferPointer<UInt8>
            switch record {
            case .simple(let start, let end):
                let split = Self.labelField(in: scanner.buffer, start: start, end: end, delimiter: separator, labelIndex: labelIndex)
                guard split.fieldCount == columnCount else {
                    throw ImportError(file: path, line: scanner.recordLine, problem: "expected \(columnCount) fields as in the header, found \(split.fieldCount)")
                }
                label = UnsafeBufferPointer(start: scanner.buffer + split.labelStart, count: split.labelEnd - split.labelStart)
            case .tokenized:
                guard scanner.fields.count == columnCount else {
                    throw ImportError(file: path, line: scanner.recordLine, problem: "expected \(columnCount) fields as in the header, found \(scanner.fields.count)")
                }
                label = scanner.bytes(of: labelIndex)
            }
            try scan(label, line: scanner.recordLine)
        }
        guard rows > 0 else {
            throw ImportError(file: path, problem: "the file has a header but no data rows")
        }
        if allIntegers, let invalid = firstInvalidID {
            throw ImportError(file: path, line: invalid.line, problem: "the label " + ClassLabel.notAnID(invalid.text) + " or names")
        }

        header = names
        labelColumnIndex = labelIndex
        featureShape = [columnCount - 1]
        rowCount = rows
        var sortedLabelBytes: [[UInt8]]?
        if allIntegers {
            classNames = nil
        } else {
            let sorted = distinctLabels.sorted { $0.lexicographicallyPrecedes($1) }
            sortedLabelBytes = sorted
            classNames = sorted.map { String(decoding: $0, as: UTF8.self) }
        }
        parser = CSVRowParser(
            path: path, header: names, labelColumnIndex: labelIndex, sortedLabelBytes: sortedLabelBytes, totalRows: rows,
            delimiter: separator)
        self.resumePoints = resumePoints

        // Parse pass: the file opened afresh, one tokenizer per thread, each placed at its first part when it is due.
        let parseFile = try InputFile(path: path)
        let lineBytes = 128
        let bytes = (MemoryLayout<CSVParseCursor>.stride + lineBytes - 1) / lineBytes * lineBytes
        cursors = (0..<max(1, min(parseThreads, 16))).map { _ in
            let cursor = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: lineBytes).bindMemory(to: CSVParseCursor.self, capacity: 1)
            cursor.initialize(to: CSVParseCursor(tokenizer: CSVTokenizer(file: parseFile, delimiter: separator), nextRow: -1))
            return cursor
        }
    }

    deinit {
        for cursor in cursors {
            cursor.pointee.tokenizer.deallocate()
            cursor.deinitialize(count: 1)
            cursor.deallocate()
        }
    }

    private static func resolveLabelColumn(_ label: String?, in names: [String], path: String, line: Int) throws -> Int {
        guard let label else { return names.count - 1 }
        let matches = names.indices.filter { names[$0] == label }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw ImportError(file: path, line: line, problem: "label column name '\(label)' appears \(matches.count) times in the header")
        }
        if let index = Int(label) {
            guard index >= 0, index < names.count else {
                throw ImportError(file: path, line: line, problem: "label column index \(index) is out of range: the header has \(names.count) columns (0...\(names.count - 1))")
            }
            return index
        }
        let shown = names.count <= 12 ? names.joined(separator: ", ") : names.prefix(12).joined(separator: ", ") + ", …"
        throw ImportError(file: path, line: line, problem: "no column named '\(label)' (columns: \(shown))")
    }

    /// The next `1...maxRows` data rows, or nil once all have been delivered. Throws `ImportError` naming the line
    /// and column of a field that is empty or not a number: the first such field in the file's order, whichever
    /// thread parsed it.
    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        let wanted = min(max(1, maxRows), parser.totalRows - rowsDelivered)
        guard wanted > 0 else { return nil }
        let first = rowsDelivered
        let parts = partition(first..<(first + wanted))
        let featureCount = parser.featureCount
        var labels: [Int64] = []
        // Uninitialized: every slot is written below, and zero-filling first
        // would touch the largest buffer of the conversion twice.
        let features = try [Double](unsafeUninitializedCapacity: wanted * featureCount) { out, initializedFeatures in
            labels = try [Int64](unsafeUninitializedCapacity: wanted) { labelOut, initializedLabels in
                // Never nil: at least one row of at least one feature was asked for.
                guard let featureBase = out.baseAddress, let labelBase = labelOut.baseAddress else {
                    throw ImportError(file: parser.path, problem: "no memory for \(wanted) rows")
                }
                let work = CSVChunkWork(
                    parser: parser, resumePoints: resumePoints, cursors: cursors, parts: parts,
                    features: featureBase, labels: labelBase)
                if parts.count == 1 {
                    work.run(part: 0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: parts.count) { work.run(part: $0) }
                }
                if let error = work.firstError() { throw error }
                initializedLabels = wanted
            }
            initializedFeatures = wanted * featureCount
        }
        rowsDelivered += wanted
        return RowChunk(rowCount: wanted, features: .float64(features), labels: labels)
    }

    /// Cuts `rows` into one part per parse thread, each at least `minimumPartRows` long, at resume points where it
    /// can (a part that starts there needs no rows skipped).
    private func partition(_ rows: Range<Int>) -> [Range<Int>] {
        let count = max(1, min(cursors.count, rows.count / Self.minimumPartRows))
        let interval = Self.resumeInterval
        var bounds = [rows.lowerBound]
        for part in 1..<max(1, count) {
            let target = rows.lowerBound + rows.count * part / count
            let aligned = (target + interval / 2) / interval * interval
            let previous = bounds[bounds.count - 1]
            bounds.append(aligned > previous && aligned < rows.upperBound ? aligned : target)
        }
        bounds.append(rows.upperBound)
        return (0..<count).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// Field count of a quote-free record and where its label field lies.
    private static func labelField(in bytes: UnsafeMutablePointer<UInt8>, start: Int, end: Int, delimiter: UInt8, labelIndex: Int) -> (fieldCount: Int, labelStart: Int, labelEnd: Int) {
        let fieldCount = countOccurrences(of: delimiter, in: UnsafePointer(bytes) + start, count: end - start) + 1
        guard labelIndex < fieldCount else { return (fieldCount, start, start) }
        var fieldStart = start
        var index = 0
        if labelIndex == fieldCount - 1 {
            var i = end
            while i > start, bytes[i - 1] != delimiter { i -= 1 }
            return (fieldCount, i, end)
        }
        var i = start
        while i < end {
            if bytes[i] == delimiter {
                if index == labelIndex { return (fieldCount, fieldStart, i) }
                index += 1
                fieldStart = i + 1
            }
            i += 1
        }
        return (fieldCount, fieldStart, end)
    }
}

/// A parse thread's tokenizer and the data row it stands at (-1: unknown, after an error).
struct CSVParseCursor {
    var tokenizer: CSVTokenizer
    var nextRow: Int

    /// Moves to data row `row`, reading on from where the cursor stands when that lies between `row` and the resume
    /// point at or before it, else from that resume point; the rows in between are skipped unparsed.
    mutating func move(toRow row: Int, parser: CSVRowParser, resumePoints: [CSVResumePoint]) throws {
        guard nextRow != row, !resumePoints.isEmpty else { return }
        let index = min(row / CSVReader.resumeInterval, resumePoints.count - 1)
        let pointRow = index * CSVReader.resumeInterval
        if !(pointRow...row).contains(nextRow) {
            tokenizer.seek(to: resumePoints[index])
            nextRow = pointRow
        }
        try parser.skipRows(row - nextRow, startingAt: nextRow, in: &tokenizer)
        nextRow = row
    }
}

/// One chunk's parts, parsed at the same time: part k by cursor k (the cursor that already stands at the chunk's
/// first row takes part 0), into disjoint rows of the same buffers.
///
/// `@unchecked Sendable`: each part touches only its own cursor and its own rows of the buffers, and the errors
/// behind a lock.
private final class CSVChunkWork: @unchecked Sendable {
    let parser: CSVRowParser
    let resumePoints: [CSVResumePoint]
    let parts: [Range<Int>]
    let features: UnsafeMutablePointer<Double>
    let labels: UnsafeMutablePointer<Int64>
    private let cursorOfPart: [UnsafeMutablePointer<CSVParseCursor>]
    private let lock = NSLock()
    private var errors: [(any Error)?]

    init(parser: CSVRowParser, resumePoints: [CSVResumePoint], cursors: [UnsafeMutablePointer<CSVParseCursor>],
         parts: [Range<Int>], features: UnsafeMutablePointer<Double>, labels: UnsafeMutablePointer<Int64>) {
        self.parser = parser
        self.resumePoints = resumePoints
        self.parts = parts
        self.features = features
        self.labels = labels
        var order = cursors
        if let continuing = order.firstIndex(where: { $0.pointee.nextRow == parts[0].lowerBound }) {
            order.swapAt(0, continuing)
        }
        cursorOfPart = Array(order.prefix(parts.count))
        errors = Array(repeating: nil, count: parts.count)
    }

    func run(part: Int) {
        let rows = parts[part]
        let cursor = cursorOfPart[part]
        let offset = rows.lowerBound - parts[0].lowerBound
        do {
            try cursor.pointee.move(toRow: rows.lowerBound, parser: parser, resumePoints: resumePoints)
            try parser.parseRows(
                rows, from: &cursor.pointee.tokenizer, features: features + offset * parser.featureCount, labels: labels + offset)
            cursor.pointee.nextRow = rows.upperBound
        } catch {
            cursor.pointee.nextRow = -1
            lock.lock()
            errors[part] = error
            lock.unlock()
        }
    }

    /// The error of the earliest part that failed: the one a single thread reading in order would have met.
    func firstError() -> (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.lazy.compactMap { $0 }.first
    }
}
