// The parse pass of CSVReader: data rows → float64 features and class ids.
//
// The parser holds only what the scan pass settled (the header, the label
// column, the distinct labels), never a tokenizer: each caller brings its own,
// so that several threads can parse different parts of one chunk at once
// (CSVReader.nextChunk), each from a record boundary the scan pass noted.
import CFastFloat

/// What the scan pass settled about a CSV file, and the code that parses its data rows with that knowledge.
struct CSVRowParser: Sendable {
    let path: String
    /// The column names; the row's field count is `header.count`.
    let header: [String]
    let labelColumnIndex: Int
    /// Sorted distinct label strings (string-label mode only); nil when the labels are integer class ids.
    let sortedLabelBytes: [[UInt8]]?
    /// The data rows the scan pass counted.
    let totalRows: Int
    /// The delimiter is a byte a number may contain (`.`, `e`, a digit, …; strtod also reads `inf`, `nan(…)` and
    /// hexadecimal `0x1p3`): every field is then cut at the delimiter before it is parsed, since the number parser
    /// would read on past it.
    let cutsFieldsFirst: Bool

    init(path: String, header: [String], labelColumnIndex: Int, sortedLabelBytes: [[UInt8]]?, totalRows: Int, delimiter: UInt8) {
        self.path = path
        self.header = header
        self.labelColumnIndex = labelColumnIndex
        self.sortedLabelBytes = sortedLabelBytes
        self.totalRows = totalRows
        let byte = Character(Unicode.Scalar(delimiter))
        cutsFieldsFirst = (byte.isASCII && (byte.isLetter || byte.isNumber)) || ".+-()".contains(byte)
    }

    var featureCount: Int { header.count - 1 }

    /// Parses data rows `rows` (0-based over the whole file) from `tokenizer`, which must stand at the first of
    /// them: `featureCount` values a row into `features`, one class id a row into `labels`.
    func parseRows(_ rows: Range<Int>, from tokenizer: inout CSVTokenizer, features: UnsafeMutablePointer<Double>,
                   labels: UnsafeMutablePointer<Int64>) throws {
        let columnCount = header.count
        let featureCount = self.featureCount
        let labelIndex = labelColumnIndex
        var out = features
        for row in 0..<rows.count {
            guard let record = try tokenizer.nextLine() else { throw fileEnded(afterRow: rows.lowerBound + row) }
            let line = tokenizer.recordLine
            switch record {
            case .simple(let start, let end):
                labels[row] = try parseSimpleRecord(
                    UnsafePointer(tokenizer.buffer), start: start, end: end, delimiter: tokenizer.delimiter, line: line,
                    into: out)
            case .tokenized:
                guard tokenizer.fields.count == columnCount else {
                    throw ImportError(file: path, line: line, problem: "expected \(columnCount) fields as in the header, found \(tokenizer.fields.count)")
                }
                var field = out
                for column in 0..<columnCount {
                    let bytes = tokenizer.bytes(of: column)
                    if column == labelIndex {
                        labels[row] = try label(from: bytes, line: line)
                        continue
                    }
                    guard let value = parseCSVDouble(bytes) else {
                        throw ImportError(file: path, line: line, problem: Self.describeBadNumber(bytes, column: column, name: header[column]))
                    }
                    field.pointee = value
                    field += 1
                }
            }
            out += featureCount
        }
    }

    /// Reads past `count` data rows without parsing them (a part of a chunk that starts between resume points).
    func skipRows(_ count: Int, startingAt row: Int, in tokenizer: inout CSVTokenizer) throws {
        for skipped in 0..<count {
            guard try tokenizer.nextLine() != nil else { throw fileEnded(afterRow: row + skipped) }
        }
    }

    private func fileEnded(afterRow rows: Int) -> ImportError {
        ImportError(file: path, problem: "the file changed while reading: it now ends after \(rows) data rows, the scan found \(totalRows)")
    }

    /// Splits and parses a quote-free record in one pass: the number parser
    /// itself finds where each field ends. Returns the row's class id.
    @inline(__always)
    private func parseSimpleRecord(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int, delimiter: UInt8, line: Int,
                                   into output: UnsafeMutablePointer<Double>) throws -> Int64 {
        let labelIndex = labelColumnIndex
        let columnCount = header.count
        var output = output
        // `p` is where the next field starts; `end + 1` once the record is used up.
        var p = start
        try parseFeatureRun(bytes, &p, end: end, columns: 0..<labelIndex, delimiter: delimiter, output: &output, recordStart: start, line: line)
        guard p <= end else { throw fieldCountError(bytes, start: start, end: end, delimiter: delimiter, line: line) }
        var labelEnd = p
        while labelEnd < end, bytes[labelEnd] != delimiter { labelEnd &+= 1 }
        let labelValue = try label(from: UnsafeBufferPointer(start: bytes + p, count: labelEnd - p), line: line)
        p = labelEnd &+ 1
        try parseFeatureRun(bytes, &p, end: end, columns: (labelIndex + 1)..<columnCount, delimiter: delimiter, output: &output, recordStart: start, line: line)
        guard p == end &+ 1 else { throw fieldCountError(bytes, start: start, end: end, delimiter: delimiter, line: line) }
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
            let parsed = cutsFieldsFirst ? 0 : lnet_parse_double_fields(bytes, &next, end, delimiter, columns.upperBound &- column, out)
            position = next
            out += parsed
            column &+= parsed
            guard column < columns.upperBound else { break }
            guard position <= end else { throw fieldCountError(bytes, start: recordStart, end: end, delimiter: delimiter, line: line) }
            let (value, fieldEnd) = try parseOddField(bytes, from: position, end: end, delimiter: delimiter, column: column, line: line)
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
    private func parseOddField(_ bytes: UnsafePointer<UInt8>, from start: Int, end: Int, delimiter: UInt8, column: Int, line: Int) throws -> (Double, Int) {
        var fieldEnd = start
        while fieldEnd < end, bytes[fieldEnd] != delimiter { fieldEnd += 1 }
        let field = UnsafeBufferPointer(start: bytes + start, count: fieldEnd - start)
        guard let value = parseCSVDouble(field) else {
            throw ImportError(file: path, line: line, problem: Self.describeBadNumber(field, column: column, name: header[column]))
        }
        return (value, fieldEnd)
    }

    private func fieldCountError(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int, delimiter: UInt8, line: Int) -> ImportError {
        let found = countOccurrences(of: delimiter, in: bytes + start, count: end - start) + 1
        return ImportError(file: path, line: line, problem: "expected \(header.count) fields as in the header, found \(found)")
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

    static func describeBadNumber(_ field: UnsafeBufferPointer<UInt8>, column: Int, name: String) -> String {
        let where_ = "column \(column + 1) ('\(name)')"
        if field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            return "\(where_) is empty; features must be numbers"
        }
        var text = String(decoding: field.prefix(40), as: UTF8.self)
        if field.count > 40 { text += "…" }
        return "\(where_) is not a number: '\(text)'"
    }
}
