import Foundation
import LNetTestSupport
import Testing

/// `lnet convert` run as a subprocess: exit statuses, the one `error:` line,
/// and that a failed conversion leaves no file.
@Suite("lnet convert, end to end")
struct ConvertCommandTests {
    private func scratch() throws -> URL { try Repository.scratchFolder("convert") }

    private func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func csvToDatasetThenCSVAgain() throws {
        let folder = try scratch()
        let input = try write("a,b,kind\n1,2,dog\n3,4,cat\n5,6,dog\n", "pets.csv", in: folder)
        let output = folder.appendingPathComponent("pets.h5").path
        let result = try LNetBinary.run(["convert", input, output])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("wrote \(output): 3 examples, x float64 (3, 2), y int64, 2 classes (cat, dog)"))
        #expect(result.stderr.isEmpty)  // not a terminal, and too quick for a progress line

        let csv = folder.appendingPathComponent("back.csv").path
        let back = try LNetBinary.run(["convert", output, csv, "--quiet"])
        #expect(back.status == 0 && back.stdout.isEmpty)
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == "f0,f1,label\n1.0,2.0,1\n3.0,4.0,0\n5.0,6.0,1\n")

        // An existing output: one error line, status 1, file untouched.
        let again = try LNetBinary.run(["convert", input, output])
        #expect(again.status == 1)
        #expect(again.stderr == "error: \(output) exists: pass --force to overwrite\n")
        #expect(try LNetBinary.run(["convert", input, output, "--force", "--quiet"]).status == 0)
    }

    @Test func splitWritesTwoFiles() throws {
        let folder = try scratch()
        var text = "v,label\n"
        for row in 0..<50 { text += "\(row),\(row % 2)\n" }
        let input = try write(text, "n.csv", in: folder)
        let result = try LNetBinary.run(["convert", input, folder.appendingPathComponent("n.h5").path, "--split", "0.8", "--seed", "3"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains("n-train.h5: 40 examples") == true)
        #expect(lines.last?.contains("n-test.h5: 10 examples") == true)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["n-test.h5", "n-train.h5", "n.csv"])
    }

    @Test func badInputsPrintOneErrorLineAndLeaveNothing() throws {
        let folder = try scratch()
        let malformed = try write("a,b,c\n1,2,0\n3,x,1\n", "bad.csv", in: folder)
        let npy = try write("not an npy file at all", "bad.npy", in: folder)
        let idx = try write("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}", "bad-images-idx3-ubyte", in: folder)
        let unknown = try write("?", "data.bin", in: folder)
        let cases: [(input: String, mentions: String)] = [
            (malformed, "bad.csv:3"),
            (npy, "bad.npy"),
            (idx, "bad-images-idx3-ubyte"),
            (folder.appendingPathComponent("missing.csv").path, "missing.csv: no such file"),
        ]
        for (input, mentions) in cases {
            let result = try LNetBinary.run(["convert", input, folder.appendingPathComponent("out.h5").path])
            #expect(result.status == 1, "\(input)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(mentions), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        // An unknown format or a bad option is an argument error (64).
        #expect(try LNetBinary.run(["convert", unknown, folder.appendingPathComponent("out.h5").path]).status == 64)
        #expect(try LNetBinary.run(["convert", malformed, folder.appendingPathComponent("out.h5").path, "--compression", "12"]).status == 64)
        #expect(try LNetBinary.run(["convert", malformed, folder.appendingPathComponent("out.h5").path, "--split", "1.5"]).status == 64)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["bad-images-idx3-ubyte", "bad.csv", "bad.npy", "data.bin"])
    }
}
