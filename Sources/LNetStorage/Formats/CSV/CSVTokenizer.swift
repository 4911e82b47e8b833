// The byte-level CSV/TSV tokenizer behind CSVReader. It works on a block
// buffer filled with pread (1 MiB at a time), hands out each record's fields as
// byte ranges into that buffer, and never creates a String or allocates per
// field: at hundreds of MB/s, per-field allocation would dominate.
//
// Grammar (RFC 4180, plus what real files have):
// - records end at LF, CRLF or a lone CR; the last record may lack an ending;
// - a field that starts with `"` is quoted: it may hold delimiters and line
//   breaks, `""` stands for one `"`, and the closing quote must be followed by
//   the delimiter or the end of the record;
// - a `"` inside an unquoted field is kept literally (as pandas does);
// - a UTF-8 byte order mark at the start of the file is skipped;
// - empty lines are skipped (they still count for line numbers).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a record starts in the file: the byte offset and the 1-based line
/// number there. The scan pass notes one every few thousand rows, so that
/// several tokenizers can each start at a record boundary and parse their
/// part of the file at the same time. (A boundary cannot be found from an
/// arbitrary offset: a line break may lie inside a quoted field.)
struct CSVResumePoint: Sendable, Equatable {
    var offset: Int
    var line: Int
}

/// Where one field lies in the tokenizer's buffer.
struct CSVField {
    var start: Int
    var end: Int
    /// The field was quoted; distinguishes `""` (an empty value) from an empty line.
    var quoted: Bool
}

struct CSVTokenizer {
    /// A record longer than this is refused rather than growing the buffer
    /// without bound (a hostile file could otherwise make one huge "line").
    static let maximumRecordBytes = 256 << 20
    static let blockBytes = 1 << 20

    let file: InputFile
    let delimiter: UInt8
    /// The buffer; valid bytes are `position ..< filled`.
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var position = 0
    private var filled = 0
    private var fileOffset = 0
    private var atEndOfFile = false
    private var startedReading = false
    /// 1-based line number where the next record starts.
    private var nextLineNumber = 1
    /// `buffer[..<lineFeedFreeUntil]` past `position` holds no line feed (what `nextLine` has searched in vain).
    private var lineFeedFreeUntil = 0

    /// The fields of the current record (valid until the next call).
    private(set) var fields: [CSVField] = []
    /// 1-based line number where the current record starts.
    private(set) var recordLine = 0

    init(file: InputFile, delimiter: UInt8) {
        self.file = file
        self.delimiter = delimiter
        capacity = Self.blockBytes
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        fields.reserveCapacity(1024)
    }

    /// Frees the buffer; the tokenizer is a struct for speed, so its owner
    /// calls this from its deinit.
    func deallocate() { buffer.deallocate() }

    /// Where the next record starts (or the empty lines before it): valid
    /// between records, that is after `nextLine` or `nextRecord` returned.
    var resumePoint: CSVResumePoint {
        CSVResumePoint(offset: fileOffset - (filled - position), line: nextLineNumber)
    }

    /// Moves to `point`, a record boundary that `resumePoint` gave for the
    /// same file: the next record read is the one that starts there.
    mutating func seek(to point: CSVResumePoint) {
        position = 0
        filled = 0
        fileOffset = point.offset
        atEndOfFile = false
        // At offset 0 the byte order mark is still to be skipped.
        startedReading = point.offset != 0
        nextLineNumber = point.line
        lineFeedFreeUntil = 0
        fields.removeAll(keepingCapacity: true)
    }

    /// The bytes of field `index` of the current record.
    @inline(__always)
    func bytes(of index: Int) -> UnsafeBufferPointer<UInt8> {
        let field = fields[index]
        return UnsafeBufferPointer(start: buffer + field.start, count: field.end - field.start)
    }

    private enum ScanResult {
        case record(end: Int, lineBreaks: Int)
        case needMoreData
    }

    /// How `nextLine` delivered a record.
    enum Record {
        /// A record without quotes: the bytes `start ..< end` of `buffer`
        /// (line ending excluded), split only by the delimiter. The caller
        /// splits it while parsing, which saves a pass over the bytes.
        case simple(start: Int, end: Int)
        /// A record that needed the full grammar; its fields are in `fields`.
        case tokenized
    }

    /// Moves to the next non-empty record, taking the fast path for the
    /// common record (one line, no quotes); nil at end of file.
    mutating func nextLine() throws -> Record? {
        try startIfNeeded()
        while true {
            if position >= filled {
                if atEndOfFile { return nil }
                try refill()
                continue
            }
            let start = position
            let available = filled - start
            let lineEnd: Int
            let next: Int
            // Bytes already searched in vain are not searched again: in a file of lone-CR line endings every record
            // would otherwise search the rest of the buffer.
            let searchFrom = max(start, lineFeedFreeUntil)
            if let newline = memchr(buffer + searchFrom, 0x0A, filled - searchFrom) {
                lineEnd = buffer.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                next = lineEnd + 1
            } else if memchr(buffer + start, 0x0D, available) != nil {
                // No line feed in the buffer but a carriage return: lone-CR endings, which the full grammar reads
                // one record at a time, rather than growing the buffer to the next line feed (perhaps the file's end).
                lineFeedFreeUntil = filled
                return try nextRecord() ? .tokenized : nil
            } else if atEndOfFile {
                lineEnd = filled
                next = filled
            } else {
                try refill()
                continue
            }
            var contentEnd = lineEnd
            if contentEnd > start, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let length = contentEnd - start
            // Quotes and lone CRs need the full grammar (glibc's memchr is
            // vectorized, so these checks cost little next to parsing).
            if memchr(buffer + start, 0x22, length) != nil || memchr(buffer + start, 0x0D, length) != nil {
                lineFeedFreeUntil = lineEnd
                return try nextRecord() ? .tokenized : nil
            }
            position = next
            recordLine = nextLineNumber
            nextLineNumber += 1
            if length == 0 { continue }  // an empty line
            return .simple(start: start, end: contentEnd)
        }
    }

    private mutating func startIfNeeded() throws {
        if !startedReading {
            startedReading = true
            try refill()
            if filled - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF {
                position += 3
            }
        }
    }

    /// Moves to the next non-empty record, with every field in `fields`;
    /// false at end of file.
    mutating func nextRecord() throws -> Bool {
        try startIfNeeded()
        while true {
            if position >= filled {
                if atEndOfFile { return false }
                try refill()
                continue
            }
            switch try scanRecord() {
            case .needMoreData:
                try refill()
            case .record(let end, let lineBreaks):
                position = end
                recordLine = nextLineNumber
                nextLineNumber += 1 + lineBreaks
                if fields.count == 1, !fields[0].quoted, fields[0].start == fields[0].end {
                    continue  // an empty line
                }
                unescapeQuotedFields()
                return true
            }
        }
    }

    /// Keeps the unconsumed bytes, moves them to the front, reads the next
    /// block behind them; grows the buffer when one record fills it.
    private mutating func refill() throws {
        let pending = filled - position
        if pending > 0, position > 0 {
            buffer.update(from: buffer + position, count: pending)
        }
        lineFeedFreeUntil = max(0, lineFeedFreeUntil - position)
        position = 0
        filled = pending
        if capacity - filled < Self.blockBytes / 2 {
            guard capacity < Self.maximumRecordBytes else {
                throw ImportError(file: file.path, line: nextLineNumber, problem: "a record is longer than \(Self.maximumRecordBytes >> 20) MiB (an unterminated quote?)")
            }
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            larger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = larger
            capacity *= 2
        }
        let n = try file.read(at: fileOffset, into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: capacity - filled))
        fileOffset += n
        filled += n
        if n == 0 { atEndOfFile = true }
    }

    /// Finds the fields of the record at `position`. Quoted fields are only
    /// delimited here; their `""` escapes are undone once the whole record is
    /// in the buffer, because a refill restarts the scan from the record start.
    private mutating func scanRecord() throws -> ScanResult {
        let bytes = buffer
        let end = filled
        let delimiter = self.delimiter
        let quote: UInt8 = 0x22, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
        var p = position
        var lineBreaks = 0
        fields.removeAll(keepingCapacity: true)
        while true {
            let fieldStart = p
            if p < end, bytes[p] == quote {
                p += 1
                while true {
                    if p >= end {
                        if !atEndOfFile { return .needMoreData }
                        throw ImportError(file: file.path, line: nextLineNumber, problem: "quoted field in column \(fields.count + 1) is not closed before the end of the file")
                    }
                    let c = bytes[p]
                    if c == quote {
                        if p + 1 >= end, !atEndOfFile { return .needMoreData }
                        if p + 1 < end, bytes[p + 1] == quote {
                            p += 2
                            continue
                        }
                        p += 1
                        break
                    }
                    if c == newline { lineBreaks += 1 }
                    p += 1
                }
                fields.append(CSVField(start: fieldStart + 1, end: p - 1, quoted: true))
                if p < end {
                    let c = bytes[p]
                    if c != delimiter, c != newline, c != carriageReturn {
                        throw ImportError(file: file.path, line: nextLineNumber + lineBreaks, problem: "unexpected character '\(Self.printable(c))' after the closing quote of column \(fields.count)")
                    }
                }
            } else {
                while p < end {
                    let c = bytes[p]
                    if c == delimiter || c == newline || c == carriageReturn { break }
                    p += 1
                }
                fields.append(CSVField(start: fieldStart, end: p, quoted: false))
            }
            if p >= end {
                if !atEndOfFile { return .needMoreData }
                return .record(end: p, lineBreaks: lineBreaks)
            }
            let c = bytes[p]
            if c == delimiter {
                p += 1
                continue
            }
            if c == newline { return .record(end: p + 1, lineBreaks: lineBreaks) }
            // c is a carriage return: CRLF or a lone CR ends the record.
            if p + 1 < end {
                return .record(end: bytes[p + 1] == newline ? p + 2 : p + 1, lineBreaks: lineBreaks)
            }
            if !atEndOfFile { return .needMoreData }
            return .record(end: p + 1, lineBreaks: lineBreaks)
        }
    }

    /// Turns `""` into `"` inside quoted fields, in place (the result is never
    /// longer), so field ranges keep pointing into the one buffer.
    private mutating func unescapeQuotedFields() {
        for index in fields.indices where fields[index].quoted {
            let field = fields[index]
            var read = field.start, write = field.start
            while read < field.end {
                let c = buffer[read]
                buffer[write] = c
                write += 1
                read += (c == 0x22) ? 2 : 1
            }
            fields[index].end = write
        }
    }

    static func printable(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F { return String(UnicodeScalar(byte)) }
        return "\\x" + String(byte, radix: 16)
    }
}
