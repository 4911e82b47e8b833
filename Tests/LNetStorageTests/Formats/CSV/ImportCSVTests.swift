import Foundation
import Testing
@testable import LNetStorage

@Suite struct ImportCSVTests {
    @Test func readsNumericCSVWithIntegerLabelsInChunks() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("a,b,label\n1,2.5,0\n-3,4e2,1\n5,.5,1\n7,-0,0\n", to: "d.csv", in: dir)
        var reader = try CSVReader(path: path)
        #expect(reader.header == ["a", "b", "label"])
        #expect(reader.featureShape == [2])
        #expect(reader.rowCount == 4)
        #expect(reader.classNames == nil)
        let all = try ImportFixtures.readAll(&reader, maxRows: 3)
        #expect(all.chunks == 2)
        #expect(all.features == [1, 2.5, -3, 400, 5, 0.5, 7, 0])
        #expect(all.labels == [0, 1, 1, 0])
        #expect(try reader.nextChunk(maxRows: 3) == nil)
    }

    @Test func quotedFieldsEscapesEmbeddedDelimitersAndNewlines() throws {
        let dir = try ImportFixtures.makeDirectory()
        let text = "x,\"the \"\"label\"\"\"\n\"1.5\",\"a,b\"\n2,\"multi\nline\"\n3,\"say \"\"hi\"\"\"\n"
        let path = try ImportFixtures.write(text, to: "q.csv", in: dir)
        var reader = try CSVReader(path: path)
        #expect(reader.header == ["x", "the \"label\""])
        #expect(reader.classNames == ["a,b", "multi\nline", "say \"hi\""])
        let all = try ImportFixtures.readAll(&reader)
        #expect(all.features == [1.5, 2, 3])
        #expect(all.labels == [0, 1, 2])
    }

    @Test func crlfBOMAndEmptyLines() throws {
        let dir = try ImportFixtures.makeDirectory()
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("f1,f2,y\r\n\r\n1,2,3\r\n\n4,5,6\r\n\r\n".utf8)
        let path = try ImportFixtures.write(bytes, to: "crlf.csv", in: dir)
        var reader = try CSVReader(path: path)
        #expect(reader.header == ["f1", "f2", "y"])
        let all = try ImportFixtures.readAll(&reader)
        #expect(all.features == [1, 2, 4, 5])
        #expect(all.labels == [3, 6])
    }

    @Test func stringLabelsAreSortedClassIds() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("v,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n5,10\n", to: "s.csv", in: dir)
        var reader = try CSVReader(path: path)
        #expect(reader.classNames == ["10", "setosa", "versicolor", "virginica"])
        let all = try ImportFixtures.readAll(&reader, maxRows: 2)
        #expect(all.labels == [3, 1, 2, 1, 0])
    }

    @Test func labelColumnByNameOrIndexAndTSVFromExtension() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("y\tp\tq\n1\t0.25\t8\n0\t0.5\t9\n", to: "t.tsv", in: dir)
        var byName = try CSVReader(path: path, labelColumn: "y")
        #expect(byName.labelColumnIndex == 0)
        #expect(byName.featureNames == ["p", "q"])
        let all = try ImportFixtures.readAll(&byName)
        #expect(all.features == [0.25, 8, 0.5, 9])
        #expect(all.labels == [1, 0])
        var byIndex = try CSVReader(path: path, labelColumn: "2")
        let other = try ImportFixtures.readAll(&byIndex)
        #expect(other.features == [1, 0.25, 0, 0.5])
        #expect(other.labels == [8, 9])
        let missing = ImportFixtures.importError { _ = try CSVReader(path: path, labelColumn: "nope") }
        #expect(missing?.description.contains("no column named 'nope'") == true)
        let outOfRange = ImportFixtures.importError { _ = try CSVReader(path: path, labelColumn: "3") }
        #expect(outOfRange?.description.contains("out of range") == true)
    }

    @Test func nanAndInfAndOddNumbersMatchStrtod() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("a,b,c,d,y\nnan,inf,-inf, 1e400 ,0\n0x10,1e-400,-NaN,Infinity,1\n", to: "n.csv", in: dir)
        var reader = try CSVReader(path: path)
        let all = try ImportFixtures.readAll(&reader)
        #expect(all.features[0].isNaN)
        #expect(all.features[1] == .infinity)
        #expect(all.features[2] == -.infinity)
        #expect(all.features[3] == .infinity)
        #expect(all.features[4] == 16)
        #expect(all.features[5] == 0)
        #expect(all.features[6].isNaN)
        #expect(all.features[7] == .infinity)
    }

    @Test func fastFloatParserEqualsStrtodBitForBit() {
        var generator = SystemRandomNumberGenerator()
        var samples = ["0", "-0", "1", "0.1", "0.3", "123456789012345678", "1234567890123456789", "12345678901234567890",
                       "9007199254740993", "9007199254740992", "1e22", "1e23", "1.7976931348623157e308", "4.9e-324",
                       "2.2250738585072014e-308", "0.000001", "3.14159265358979323846", "1E5", "5.", ".5", "+7", "007"]
        for _ in 0..<5000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            samples.append("\(value)")
            samples.append(String(Int.random(in: -1_000_000...1_000_000)) + "." + String(Int.random(in: 0...999_999)))
            samples.append(String(Int.random(in: 1...99_999)) + "e" + String(Int.random(in: -30...30)))
            // 17 to 19 digits across the whole exponent range (Eisel-Lemire, subnormals, overflow).
            let digits = String(UInt64.random(in: 10_000_000_000_000_000...9_999_999_999_999_999_999))
            samples.append(digits + "e" + String(Int.random(in: -360...320)))
            samples.append("0." + digits.prefix(Int.random(in: 15...19)))
            samples.append("\(Double.random(in: 0..<1))")
        }
        // Halfway cases and neighbours: round-to-even must match strtod.
        samples += ["9007199254740993", "9007199254740995", "4503599627370497.5", "2.2250738585072011e-308",
                    "1.7976931348623158e308", "1.7976931348623159e308", "5e-324", "2.4703282292062327e-324",
                    "8.98846567431158e307", "1e-342", "1e-343", "1e308", "1e309", "7.2057594037927933e16"]
        for sample in samples {
            let expected = strtod(sample, nil)
            let parsed = Array(sample.utf8).withUnsafeBufferPointer { parseCSVDouble($0) }
            #expect(parsed?.bitPattern == expected.bitPattern, "\(sample)")
        }
        for bad in ["", " ", "1e", "1.2.3", "abc", "--1", "1,5", "0x", "e5"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { parseCSVDouble($0) } == nil, "\(bad)")
        }
    }

    /// The reader's own path for whole records (`lnet_parse_double_fields`): plain decimals of up to 15 digits by one
    /// exact division, 16 to 19 digits through Eisel-Lemire on the integer it read, longer ones through fast_float's
    /// whole parser. Every field must equal strtod's value, sign of zero and round-to-even included.
    @Test func recordParserEqualsStrtodBitForBit() throws {
        var fields = ["9007199254740993", "9007199254740995", "4503599627370497.5", "-4503599627370497.5",
                      "1234567890123456789", "12345678901234567890", "0.0000000000000000", "-0.00000000000000000",
                      "0.30000000000000004", "0.1000000000000000055511151231257827", "99999999999999999.99",
                      "0.00000000000000000001", "-1.999999999999999999",
                      // strtod keeps a NaN's payload in its bits; these go to strtod.
                      "nan(123)", "-NAN(0x10)", "nan", "-inf"]
        for _ in 0..<20_000 {
            let digits = String(UInt64.random(in: 0...9_999_999_999_999_999_999))
            let split = Int.random(in: 0...digits.count)
            let whole = digits.prefix(split), fraction = digits.dropFirst(split)
            let sign = Bool.random() ? "-" : ""
            fields.append(sign + (whole.isEmpty ? "0" : String(whole)) + (fraction.isEmpty ? "" : "." + fraction))
            fields.append(sign + "0." + String(repeating: "0", count: Int.random(in: 0...3)) + digits.prefix(Int.random(in: 12...19)))
            fields.append("\(Double.random(in: -1e6..<1e6))")
        }
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try ImportFixtures.write("x,y\n" + fields.map { $0 + ",0\n" }.joined(), to: "digits.csv", in: dir)
        var reader = try CSVReader(path: path)
        let parsed = try ImportFixtures.readAll(&reader, maxRows: 4096).features
        #expect(parsed.count == fields.count)
        for (field, value) in zip(fields, parsed) where value.bitPattern != strtod(field, nil).bitPattern {
            Issue.record("\(field): parsed \(value), strtod gives \(strtod(field, nil))")
        }
    }

    /// A delimiter that numbers may contain (`.`, `e`, a digit): fields are cut at it before they are parsed.
    @Test func aDelimiterNumbersMayContain() throws {
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (text, delimiter, features) in [
            ("a.b.label\n1.5.0\n-2.+7.1\n", UInt8(ascii: "."), [1.0, 5, -2, 7]),
            ("xeyez\n5e3e0\n1e2e1\n", UInt8(ascii: "e"), [5, 3, 1, 2]),
            ("x1y1z\n518160\n", UInt8(ascii: "1"), [5, 8]),
        ] as [(String, UInt8, [Double])] {
            let path = try ImportFixtures.write(text, to: "d.csv", in: dir)
            var reader = try CSVReader(path: path, delimiter: .byte(delimiter))
            #expect(try ImportFixtures.readAll(&reader).features == features, "\(text)")
        }
    }

    /// Lone-CR line endings (old Mac files) read as LF ones do, one record at a time: the tokenizer neither searches
    /// the rest of the file for a line feed at every record nor grows its buffer to hold the file.
    @Test(arguments: [1, 2])
    func loneCarriageReturnsReadLikeLineFeeds(threads: Int) throws {
        let dir = try ImportFixtures.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = (0..<20_000).map { "\($0 % 97),\($0 % 13).5,\($0 % 3)" }
        let cr = try ImportFixtures.write("a,b,label\r" + rows.joined(separator: "\r") + "\r", to: "cr.csv", in: dir)
        let lf = try ImportFixtures.write("a,b,label\n" + rows.joined(separator: "\n") + "\n", to: "lf.csv", in: dir)
        var crReader = try CSVReader(path: cr, parseThreads: threads)
        var lfReader = try CSVReader(path: lf, parseThreads: threads)
        let fromCR = try ImportFixtures.readAll(&crReader, maxRows: 8_192)
        let fromLF = try ImportFixtures.readAll(&lfReader, maxRows: 8_192)
        #expect(fromCR.features.count == 40_000)
        #expect(fromCR.features == fromLF.features)
        #expect(fromCR.labels == fromLF.labels)
    }

    @Test func raggedRowNamesFileAndLine() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("a,b,y\n1,2,0\n\n3,4\n", to: "ragged.csv", in: dir)
        let error = ImportFixtures.importError { _ = try CSVReader(path: path) }
        #expect(error?.line == 4)
        #expect(error?.description == "\(path):4: expected 3 fields as in the header, found 2")
    }

    @Test func lineNumbersCountLineBreaksInsideQuotes() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("a,y\n\"1\",\"x\ny\"\n2,z,extra\n", to: "ql.csv", in: dir)
        let error = ImportFixtures.importError { _ = try CSVReader(path: path) }
        #expect(error?.line == 4)
    }

    @Test func nonNumericFeatureNamesLineAndColumn() throws {
        let dir = try ImportFixtures.makeDirectory()
        let path = try ImportFixtures.write("a,b,y\n1,2,0\n1,oops,1\n", to: "bad.csv", in: dir)
        var reader = try CSVReader(path: path)
        let error = ImportFixtures.importError { _ = try ImportFixtures.readAll(&reader) }
        #expect(error?.description == "\(path):3: column 2 ('b') is not a number: 'oops'")
        let emptyPath = try ImportFixtures.write("a,b,y\n1,,0\n", to: "empty-field.csv", in: dir)
        var emptyReader = try CSVReader(path: emptyPath)
        let emptyError = ImportFixtures.importError { _ = try ImportFixtures.readAll(&emptyReader) }
        #expect(emptyError?.description.contains(":2: column 2 ('b') is empty") == true)
    }

    @Test func emptyFileAndHeaderOnlyAreErrors() throws {
        let dir = try ImportFixtures.makeDirectory()
        let empty = try ImportFixtures.write("", to: "empty.csv", in: dir)
        #expect(ImportFixtures.importError { _ = try CSVReader(path: empty) }?.problem.contains("empty") == true)
        let blank = try ImportFixtures.write("\n\r\n\n", to: "blank.csv", in: dir)
        #expect(ImportFixtures.importError { _ = try CSVReader(path: blank) }?.problem.contains("empty") == true)
        let headerOnly = try ImportFixtures.write("a,b,y\n", to: "header.csv", in: dir)
        #expect(ImportFixtures.importError { _ = try CSVReader(path: headerOnly) }?.problem == "the file has a header but no data rows")
        let missing = dir.appendingPathComponent("missing.csv").path
        #expect(ImportFixtures.importError { _ = try CSVReader(path: missing) }?.problem.contains("cannot open") == true)
    }

    @Test func unterminatedQuoteAndGarbageAfterQuoteAreErrors() throws {
        let dir = try ImportFixtures.makeDirectory()
        let open = try ImportFixtures.write("a,y\n1,\"abc\n2,3\n", to: "open.csv", in: dir)
        let openError = ImportFixtures.importError { _ = try CSVReader(path: open) }
        #expect(openError?.line == 2)
        #expect(openError?.problem.contains("not closed") == true)
        let garbage = try ImportFixtures.write("a,y\n\"1\"x,2\n", to: "garbage.csv", in: dir)
        #expect(ImportFixtures.importError { _ = try CSVReader(path: garbage) }?.line == 2)
    }

    @Test func recordsSpanningBufferRefillsAndNoTrailingNewline() throws {
        // 3 MiB of rows forces several 1 MiB refills mid-record.
        let dir = try ImportFixtures.makeDirectory()
        var text = "a,b,c,y\n"
        var expected: [Double] = []
        for i in 0..<120_000 {
            text += "\(i),\(Double(i) / 8),\"\(i % 7)\",\(i % 3)"
            text += i == 119_999 ? "" : (i % 2 == 0 ? "\r\n" : "\n")
            expected += [Double(i), Double(i) / 8, Double(i % 7)]
        }
        let path = try ImportFixtures.write(text, to: "big.csv", in: dir)
        var reader = try CSVReader(path: path)
        #expect(reader.rowCount == 120_000)
        let all = try ImportFixtures.readAll(&reader, maxRows: 10_000)
        #expect(all.features == expected)
        #expect(all.labels?.count == 120_000)
        #expect(all.labels?.last == Int64(119_999 % 3))
    }
}
