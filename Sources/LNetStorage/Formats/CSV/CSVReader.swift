// CSV/TSV → rows of Double features plus an Int64 class label.
//
// The file is read twice, each time streaming with a bounded buffer:
// 1. a scan pass tokenizes every record without parsing numbers: it checks
//    the field count of each row, counts the rows, and decides the label kind
//    (integer class ids, or strings) while keeping only the distinct label
//    values. A ragged file is thus refused before anything is written, and
//    the row count is known up front (the writer can preallocate).
// 2. `nextChunk` tokenizes again and parses the features.
// The alternative, one pass that remaps string labels at the end, would force
// the HDF5 writer to rewrite the label dataset; the scan pass costs far less
// than number parsing (it only looks for delimiters, quotes and line ends).
import CFastFloat

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
/// - Memory: two 1 MiB-ish tokenizer buffers, one chunk, and the distinct
///   label values.
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

    private let path: String
    private let totalRows: Int
    private var tokenizer: CSVTokenizer
    /// Sorted distinct label strings (string-label mode only).
    private let sortedLabelBytes: [[UInt8]]?
    private var rowsDelivered = 0

    /// Opens `path` and runs the scan pass.
    /// - Parameters:
    ///   - delimiter: nil chooses from the extension (`.tsv` → tab, else comma).
    ///   - labelColumn: a column name from the header, or else a 0-based column
    ///     index; nil means the last column.
    ///   - hasHeader: false when the first row is data; the columns are then named `0`, `1`, ….
    public init(path: String, delimiter: CSVDelimiter? = nil, labelColumn: String? = nil, hasHeader: Bool = true) throws {
        self.path = path
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
        if !hasHeader {
            try scan(scanner.bytes(of: labelIndex), line: scanner.recordLine)
        }
        while let record = try scanner.nextLine() {
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
        totalRows = rows
        if allIntegers {
            sortedLabelBytes = nil
            classNames = nil
        } else {
            let sorted = distinctLabels.sorted { $0.lexicographicallyPrecedes($1) }
            sortedLabelBytes = sorted
            classNames = sorted.map { String(decoding: $0, as: UTF8.self) }
        }

        // Parse pass: a fresh tokenizer, positioned after the header if there is one.
        tokenizer = CSVTokenizer(file: try InputFile(path: path), delimiter: separator)
        if hasHeader { _ = try tokenizer.nextRecord() }
    }

    deinit { tokenizer.deallocate() }

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
    /// and column of a field that is empty or not a number.
    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        let wanted = min(max(1, maxRows), totalRows - rowsDelivered)
        guard wanted > 0 else { return nil }
        let columnCount = header.count
        let featureCount = columnCount - 1
        let labelIndex = labelColumnIndex
        var labels = [Int64](repeating: 0, count: wanted)
        var row = 0
        // Uninitialized: every slot is written below, and zero-filling first
        // would touch the largest buffer of the conversion twice.
        let features = try [Double](unsafeUninitializedCapacity: wanted * featureCount) { out, initializedCount in
            while row < wanted {
                guard let record = try tokenizer.nextLine() else {
                    throw ImportError(file: path, problem: "the file changed while reading: it now ends after \(rowsDelivered + row) data rows, the scan found \(totalRows)")
                }
                let line = tokenizer.recordLine
                var outIndex = row * featureCount
                switch record {
                case .simple(let start, let end):
                    labels[row] = try parseSimpleRecord(start: start, end: end, line: line, into: out, at: outIndex)
                case .tokenized:
                    guard tokenizer.fields.count == columnCount else {
                        throw ImportError(file: path, line: line, problem: "expected \(columnCount) fields as in the header, found \(tokenizer.fields.count)")
                    }
                    for column in 0..<columnCount {
                        let field = tokenizer.bytes(of: column)
                        if column == labelIndex {
                            labels[row] = try label(from: field, line: line)
                            continue
                        }
                        guard let value = parseCSVDouble(field) else {
                            throw ImportError(file: path, line: line, problem: Self.describeBadNumber(field, column: column, name: header[column]))
                        }
                        out[outIndex] = value
                        outIndex += 1
                    }
                }
                row += 1
            }
            initializedCount = wanted * featureCount
        }
        rowsDelivered += wanted
        return RowChunk(rowCount: wanted, features: .float64(features), labels: labels)
    }

    /// Splits and parses a quote-free record in one pass: the number parser
    /// itself finds where each field ends. Returns the row's class id.
    @inline(__always)
    private func parseSimpleRecord(start: Int, end: Int, line: Int, into out: UnsafeMutableBufferPointer<Double>, at firstIndex: Int) throws -> Int64 {
        guard let outBase = out.baseAddress else { return 0 }
        let bytes = UnsafePointer(tokenizer.buffer)
        let delimiter = tokenizer.delimiter
        let labelIndex = labelColumnIndex
        let columnCount = header.count
        var output = outBase + firstIndex
        // `p` is where the next field starts; `end + 1` once the record is used up.
        var p = start
        try parseFeatureRun(bytes, &p, end: end, columns: 0..<labelIndex, delimiter: delimiter, output: &output, recordStart: start, line: line)
        guard p <= end else { throw fieldCountError(start: start, end: end, line: line) }
        var labelEnd = p
        while labelEnd < end, bytes[labelEnd] != delimiter { labelEnd &+= 1 }
        let labelValue = try label(from: UnsafeBufferPointer(start: bytes + p, count: labelEnd - p), line: line)
        p = labelEnd &+ 1
        try parseFeatureRun(bytes, &p, end: end, columns: (labelIndex + 1)..<columnCount, delimiter: delimiter, output: &output, recordStart: start, line: line)
        guard p == end &+ 1 else { throw fieldCountError(start: start, end: end, line: line) }
        return labelValue
    }

    /// Parses the feature fields `columns` starting at `p`, writing to
    /// `output`; leaves `p` after the last field's delimiter (`end + 1` when
    /// the record ended). Kept small so the hot loop stays in registers.
    @inline(__always)
    private func parseFeatureRun(_ bytes: UnsafePointer<UInt8>, _ p: inout Int, end: Int, columns: Range<Int>, delimiter: UInt8,
                                 output: inout UnsafeMutablePointer<Double>, recordStart: Int, line: Int) throws {
        var position = p
        var out = output
        var column = columns.lowerBound
        while column < columns.upperBound {
            // fast_float reads the plain numbers in one call per run of them;
            // the field it stops at (strtod's other forms, or an error) is ours.
            var next = position
            let parsed = lnet_parse_double_fields(bytes, &next, end, delimiter, columns.upperBound &- column, out)
            position = next
            out += parsed
            column &+= parsed
            guard column < columns.upperBound else { break }
            guard position <= end else { throw fieldCountError(start: recordStart, end: end, line: line) }
            let (value, fieldEnd) = try parseOddField(bytes, from: position, end: end, column: column, recordStart: recordStart, line: line)
            out.pointee = value
            position = fieldEnd &+ 1
            out += 1
            column &+= 1
        }
        p = position
        output = out
    }

    /// A field the fast path declined: strtod's forms, or an error.
    @inline(never)
    private func parseOddField(_ bytes: UnsafePointer<UInt8>, from start: Int, end: Int, column: Int, recordStart: Int, line: Int) throws -> (Double, Int) {
        var fieldEnd = start
        while fieldEnd < end, bytes[fieldEnd] != tokenizer.delimiter { fieldEnd += 1 }
        let field = UnsafeBufferPointer(start: bytes + start, count: fieldEnd - start)
        guard let value = parseCSVDouble(field) else {
            throw ImportError(file: path, line: line, problem: Self.describeBadNumber(field, column: column, name: header[column]))
        }
        return (value, fieldEnd)
    }

    private func fieldCountError(start: Int, end: Int, line: Int) -> ImportError {
        var found = 1
        for i in start..<end where tokenizer.buffer[i] == tokenizer.delimiter { found += 1 }
        return ImportError(file: path, line: line, problem: "expected \(header.count) fields as in the header, found \(found)")
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

    private func label(from field: UnsafeBufferPointer<UInt8>, line: Int) throws -> Int64 {
        guard let sorted = sortedLabelBytes else {
            guard let id = parseCSVInt64(field) else {
                throw ImportError(file: path, line: line, problem: "the file changed while reading: label '\(String(decoding: field, as: UTF8.self))' is not an integer")
            }
            return id
        }
        // Binary search over the sorted distinct labels: no allocation per row.
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].lexicographicallyPrecedes(field) { low = mid + 1 } else { high = mid }
        }
        guard low < sorted.count, sorted[low].elementsEqual(field) else {
            throw ImportError(file: path, line: line, problem: "the file changed while reading: label '\(String(decoding: field, as: UTF8.self))' was not seen by the scan")
        }
        return Int64(low)
    }

    private static func describeBadNumber(_ field: UnsafeBufferPointer<UInt8>, column: Int, name: String) -> String {
        let where_ = "column \(column + 1) ('\(name)')"
        if field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            return "\(where_) is empty; features must be numbers"
        }
        var text = String(decoding: field.prefix(40), as: UTF8.self)
        if field.count > 40 { text += "…" }
        return "\(where_) is not a number: '\(text)'"
    }
}
