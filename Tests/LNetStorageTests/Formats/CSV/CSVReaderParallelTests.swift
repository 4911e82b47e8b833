import Foundation
import Testing
@testable import LNetStorage

/// `CSVReader(parseThreads:)` cuts each chunk at the record boundaries the scan pass noted and parses the parts at
/// the same time: the rows, values, labels and errors must be those of one thread reading in order, whatever the
/// file's quoting, line endings and empty lines put between the boundaries.
@Suite struct CSVReaderParallelTests {
    /// 12,345 rows: three features whose values are known exactly (Swift's shortest round-trip text), a string label
    /// that is sometimes quoted with a line break or a delimiter inside, CRLF endings on every third row, and an empty
    /// line now and then. Returns the bytes, the features and labels they hold, and the 1-based line each row starts
    /// on; rows in `badRows` get `not-a-number` as their first field.
    static func awkwardFile(rows: Int = 12_345, header: Bool = true, bom: Bool = false, badRows: Set<Int> = [])
        -> (bytes: [UInt8], features: [Double], labels: [String], lines: [Int])
    {
        var text = header ? "a,b,c,label\r\n" : ""
        var line = header ? 2 : 1
        var lines: [Int] = []
        var features: [Double] = []
        var labels: [String] = []
        for row in 0..<rows {
            lines.append(line)
            let values = [Double(row) / 7, -Double(row * row) * 1e-3, Double(row % 17) + 0.1]
            features += values
            let label: String
            let field: String
            switch row % 5 {
            case 0:
                label = "two\nlines"
                field = "\"two\nlines\""
            case 1:
                label = "with, comma"
                field = "\"with, comma\""
            default:
                label = "plain\(row % 3)"
                field = label
            }
            labels.append(label)
            let fields = values.map { "\($0)" }
            text += (badRows.contains(row) ? ["not-a-number"] + fields.dropFirst() : fields).joined(separator: ",")
            text += "," + field + (row % 3 == 0 ? "\r\n" : "\n")
            line += row % 5 == 0 ? 2 : 1
            if row % 997 == 0 {
                text += "\n"
                line += 1
            }
        }
        return ((bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8), features, labels, lines)
    }

    @Test(arguments: [2, 3, 5])
    func partsParsedAtOnceGiveTheRowsOfOneThread(threads: Int) throws {
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.awkwardFile()
        let path = try ImportFixtures.write(file.bytes, to: "awkward.csv", in: dir)
        let classNames = Array(Set(file.labels)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let expectedLabels = file.labels.compactMap { label in classNames.firstIndex(of: label).map(Int64.init) }
        // Chunk sizes on and off the 1,024-row resume points, and larger than the file.
        for maxRows in [4_096, 5_000, 9_999, 20_000] {
            var reader = try CSVReader(path: path, parseThreads: threads)
            #expect(reader.classNames == classNames)
            let all = try ImportFixtures.readAll(&reader, maxRows: maxRows)
            #expect(all.features.map(\.bitPattern) == file.features.map(\.bitPattern), "maxRows \(maxRows)")
            #expect(all.labels == expectedLabels, "maxRows \(maxRows)")
        }
    }

    @Test func noHeaderAndAByteOrderMark() throws {
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.awkwardFile(rows: 6_000, header: false, bom: true)
        let path = try ImportFixtures.write(file.bytes, to: "bare.csv", in: dir)
        var one = try CSVReader(path: path, hasHeader: false)
        var three = try CSVReader(path: path, hasHeader: false, parseThreads: 3)
        let sequential = try ImportFixtures.readAll(&one, maxRows: 6_000)
        let parallel = try ImportFixtures.readAll(&three, maxRows: 6_000)
        #expect(parallel.features.map(\.bitPattern) == file.features.map(\.bitPattern))
        #expect(parallel.features.map(\.bitPattern) == sequential.features.map(\.bitPattern))
        #expect(parallel.labels == sequential.labels)
    }

    /// Bad fields in one part or in two parts of one chunk: the error is the first in the file, with the line number
    /// one thread counts (the quoted line breaks and empty lines before it included).
    @Test(arguments: [[3_001, 7_500], [7_500]])
    func theFirstBadFieldInTheFileIsReported(badRows: [Int]) throws {
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.awkwardFile(rows: 9_000, badRows: Set(badRows))
        let path = try ImportFixtures.write(file.bytes, to: "bad.csv", in: dir)
        func firstError(threads: Int) -> String? {
            ImportFixtures.importError {
                var reader = try CSVReader(path: path, parseThreads: threads)
                _ = try ImportFixtures.readAll(&reader, maxRows: 9_000)
            }?.description
        }
        let sequential = try #require(firstError(threads: 1))
        #expect(sequential.contains("not a number: 'not-a-number'"))
        #expect(firstError(threads: 2) == sequential)
        #expect(firstError(threads: 4) == sequential)
        #expect(sequential.hasPrefix("\(path):\(file.lines[badRows[0]]):"))
    }
}
