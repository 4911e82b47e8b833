import Foundation
import LNetTestSupport
import Testing

/// The small faults of issue 10, item 7, each through the built binary: CSV
/// quoting read back by pandas, CSV label rules, `--no-header`/`--delimiter`,
/// negative option values, empty list entries, links that lead nowhere,
/// predict's output names, and what a dataset → CSV → dataset trip keeps.
@Suite("CSV, option and link edge cases")
struct CSVAndOptionEdgeTests {
    private func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        try write(Array(text.utf8), name, in: folder)
    }

    private func path(_ name: String, in folder: URL) -> String { folder.appendingPathComponent(name).path }

    /// The one `error:` line, exit 1.
    private func expectRefusal(_ result: LNetBinary.Result, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(result.stderr == "error: \(line)\n", sourceLocation: sourceLocation)
    }

    @Test func predictionsCSVWithCommasQuotesAndNewlinesInClassNamesReadsBackInPandas() throws {
        let folder = try Repository.scratchFolder("edge-quote")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["cat, big", "say \"hi\"", "two\nlines"]
        var text = "a,b,kind\n"
        for row in 0..<30 {
            let name = names[row % 3]
            text += "\(row % 5),\(row % 7),\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
        }
        let csv = try write(text, "pets.csv", in: folder)
        let data = path("pets.h5", in: folder)
        #expect(try LNetBinary.run(["convert", csv, data, "--quiet"]).status == 0)
        let model = path("model.h5", in: folder)
        let train = try LNetBinary.run(["train", "--data", data, "--layers", "3", "--activations", "softmax", "--epochs", "2", "--checkpoint", model, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let predictions = path("p.csv", in: folder)
        #expect(try LNetBinary.run(["predict", model, "--data", data, "-o", predictions]).status == 0)
        let report = try Python.run(script: """
            import sys, json, pandas as pd
            frame = pd.read_csv(sys.argv[1])
            print(json.dumps({"columns": list(frame.columns), "rows": len(frame), "names": sorted(set(frame["predicted_name"]))}))
            """, [predictions])
        let decoded = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        let sortedNames = names.sorted()
        #expect(decoded?["columns"] as? [String] == ["example", "predicted", "predicted_name"] + sortedNames.map { "p_" + $0 })
        #expect(decoded?["rows"] as? Int == 30)
        #expect((decoded?["names"] as? [String]).map { Set($0).isSubset(of: Set(names)) } == true)
    }

    @Test func aLabelThatIsNotUTF8IsRefusedWithItsLine() throws {
        let folder = try Repository.scratchFolder("edge-utf8")
        defer { try? FileManager.default.removeItem(at: folder) }
        // "café" in Latin-1 and in UTF-8: once decoded with U+FFFD, two classes would have become one.
        let csv = try write(Array("a,b,label\n1,2,caf\u{e9}\n".utf8) + [0x33, 0x2C, 0x34, 0x2C, 0x63, 0x61, 0x66, 0xE9, 0x0A], "latin.csv", in: folder)
        expectRefusal(try LNetBinary.run(["convert", csv, path("l.h5", in: folder)]), "\(csv):3: the label is not valid UTF-8")
        #expect(!FileManager.default.fileExists(atPath: path("l.h5", in: folder)))
    }

    @Test func aNegativeIntegerLabelIsRefusedAsInHDF5() throws {
        let folder = try Repository.scratchFolder("edge-negative")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try write("a,b,label\n1,2,0\n3,4,-1\n5,6,1\n", "neg.csv", in: folder)
        expectRefusal(try LNetBinary.run(["convert", csv, path("n.h5", in: folder)]),
                      "\(csv):3: the label is -1; labels must be class ids 0, 1, … or names")
        // A label column with a name among the numbers is names throughout, and -1 is one of them.
        let named = try write("a,b,label\n1,2,-1\n3,4,dog\n", "named.csv", in: folder)
        #expect(try LNetBinary.run(["convert", named, path("named.h5", in: folder), "--quiet"]).status == 0)
    }

    @Test func aNumericHeaderIsNotedAndNoHeaderKeepsTheFirstRow() throws {
        let folder = try Repository.scratchFolder("edge-header")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try write("1,2,0\n3,4,1\n5,6,0\n", "num.csv", in: folder)
        let asHeader = try LNetBinary.run(["convert", csv, path("a.h5", in: folder)])
        #expect(asHeader.status == 0)
        #expect(asHeader.stdout.contains("2 examples"))
        #expect(asHeader.stderr == "note: \(csv): the header row (1,2,0) is all numbers; if it is a first example, convert with --no-header\n")
        let asData = try LNetBinary.run(["convert", csv, path("b.h5", in: folder), "--no-header", "--label", "2"])
        #expect(asData.status == 0 && asData.stderr.isEmpty)
        #expect(asData.stdout.contains("3 examples, x float64 (3, 2), y int64"))
    }

    @Test func delimiterOptionReadsSemicolonAndTabFiles() throws {
        let folder = try Repository.scratchFolder("edge-delimiter")
        defer { try? FileManager.default.removeItem(at: folder) }
        let semicolons = try write("a;b;label\n1,5;2;x\n3;4;y\n", "semi.csv", in: folder)
        let tabs = try write("a\tb\tlabel\n1\t2\tx\n3\t4\ty\n", "tabs.txt", in: folder)
        #expect(try LNetBinary.run(["convert", semicolons, path("s.h5", in: folder)]).status == 1)  // one column with a comma
        let semi = try LNetBinary.run(["convert", semicolons, path("s.h5", in: folder), "--delimiter", ";"])
        #expect(semi.status == 1 && semi.stderr.contains("'1,5'"))  // a decimal comma is not a number
        let fixed = try write("a;b;label\n1.5;2;x\n3;4;y\n", "semi2.csv", in: folder)
        #expect(try LNetBinary.run(["convert", fixed, path("s2.h5", in: folder), "--delimiter", ";"]).stdout.contains("2 examples, x float64 (2, 2)"))
        for spelling in ["tab", "\\t", "\t"] {
            let output = path("t-\(spelling.utf8.count).h5", in: folder)
            let result = try LNetBinary.run(["convert", tabs, output, "--from", "csv", "--delimiter", spelling])
            #expect(result.status == 0 && result.stdout.contains("2 examples, x float64 (2, 2)"), "\(spelling): \(result.stderr)")
        }
        #expect(try LNetBinary.run(["convert", fixed, path("s3.h5", in: folder), "--delimiter", "ab"]).status == 64)
        let onHDF5 = try LNetBinary.run(["convert", path("s2.h5", in: folder), path("s4.h5", in: folder), "--delimiter", ";"])
        #expect(onHDF5.status == 64)
    }

    @Test func negativeNumbersReachValidationAndSayWhyTheyAreRefused() throws {
        let base = ["train", "--data", "unused.h5", "--layers", "3,1"]
        let cases: [([String], String)] = [
            (["--learning-rate", "-0.1"], "--learning-rate must be a positive number, got -0.1"),
            (["--learning-rate=-0.1"], "--learning-rate must be a positive number, got -0.1"),
            (["--l2", "-1"], "--l2 must be 0 or more, got -1.0"),
            (["--epsilon", "-1e-8"], "--epsilon must be a positive number, got -1e-08"),
            (["--beta1", "-0.5"], "--beta1 must lie in [0, 1), got -0.5"),
            (["--epochs", "-3"], "--epochs must be 1 or more, got -3"),
            // Each rule of the library's settingProblems(), worded with its option.
            (["--batch-size", "0"], "--batch-size must be 1 or more, got 0"),
            (["--epochs", "4294967290"], "--epochs plus --shuffle-seed must stay below 2^32 (numpy's largest seed)"),
            (["--keep-prob", "1.5"], "--keep-prob must be in (0, 1], got 1.5"),
            (["--decay", "inverse", "--decay-rate", "-2"], "--decay-rate must be 0 or more, got -2.0"),
            (["--decay-interval", "0"], "--decay-interval must be 1 or more, got 0"),
            // The coefficients of an optimizer not chosen are checked too.
            (["--optimizer", "gd", "--beta", "1"], "--beta must lie in [0, 1), got 1.0"),
            (["--optimizer", "momentum", "--beta2", "1.5"], "--beta2 must lie in [0, 1), got 1.5"),
        ]
        for (arguments, message) in cases {
            let result = try LNetBinary.run(base + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: \(message)\n"), "\(arguments): \(result.stderr)")
        }
        let resumed = try LNetBinary.run(["resume", "unused.h5", "--epochs", "-3"])
        #expect(resumed.status == 64)
        #expect(resumed.stderr.hasPrefix("Error: --epochs must be 1 or more, got -3\n"), "\(resumed.stderr)")
    }

    @Test func emptyEntriesInLayersAndActivationsAreRefused() throws {
        let cases: [([String], String)] = [
            (["--layers", "32,,10"], "--layers has an empty entry in '32,,10'"),
            (["--layers", "32,10,"], "--layers has an empty entry in '32,10,'"),
            (["--layers", "32,1", "--activations", "relu,,sigmoid"], "--activations has an empty entry in 'relu,,sigmoid'"),
        ]
        for (arguments, message) in cases {
            let result = try LNetBinary.run(["train", "--data", "unused.h5"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: \(message)"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func linksThatLeadNowhereAreNamedWithTheirTargets() throws {
        let folder = try Repository.scratchFolder("edge-links")
        defer { try? FileManager.default.removeItem(at: folder) }
        let soft = path("soft.h5", in: folder), external = path("external.h5", in: folder)
        try Python.run(script: """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = h5py.SoftLink("/missing")
                f["y"] = np.zeros(3, dtype="int64")
            with h5py.File(sys.argv[2], "w") as f:
                f["x"] = np.zeros((3, 2))
                f["y"] = h5py.ExternalLink("other.h5", "/y")
            """, [soft, external])
        expectRefusal(try LNetBinary.run(["convert", soft, path("o.h5", in: folder)]),
                      "\(soft): /x is a soft link to /missing, which does not exist")
        expectRefusal(try LNetBinary.run(["train", "--data", external, "--layers", "1", "--epochs", "1"]),
                      "\(external): /y is an external link to other.h5:/y, which cannot be opened")
        expectRefusal(try LNetBinary.run(["convert", soft, path("o.h5", in: folder), "--x", "x", "--y", "y"]),
                      "\(soft): /x is a soft link to /missing, which does not exist")
    }

    @Test func predictRefusesAFolderAndANameItCannotWrite() throws {
        let folder = try Repository.scratchFolder("edge-predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try LNetBinary.run(["predict", "model.h5", "--data", "d.h5", "-o", path("p.txt", in: folder)])
        #expect(text.status == 64)
        #expect(text.stderr.hasPrefix("Error: -o \(path("p.txt", in: folder)): the name must end in .h5 (or .hdf5) for HDF5, or .csv for text\n"))
        let directory = try LNetBinary.run(["predict", "model.h5", "--data", "d.h5", "-o", folder.path])
        #expect(directory.status == 64)
        #expect(directory.stderr.hasPrefix("Error: \(folder.path) is a folder: -o takes a file name ending in .h5 or .csv\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func datasetToCSVToDatasetKeepsClassesAndUInt8WithTheNotedOptions() throws {
        let folder = try Repository.scratchFolder("edge-roundtrip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = path("images.h5", in: folder)
        // Class names out of sorted order, as the course's list_classes: sorting them would swap the ids.
        try Python.run(script: """
            import sys, h5py, numpy as np
            rng = np.random.RandomState(0)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = rng.randint(0, 256, size=(12, 6)).astype("uint8")
                f["y"] = rng.randint(0, 2, size=12).astype("int64")
                f["classes"] = np.array([b"non-cat", b"cat"])
            """, [original])
        let csv = path("images.csv", in: folder)
        let export = try LNetBinary.run(["convert", original, csv, "--quiet"])
        #expect(export.status == 0)
        #expect(export.stderr == """
            note: \(csv): the label column holds class ids, not the class names; converting it back to .h5, give them with --classes non-cat cat
            note: \(csv): x was uint8, which training divides by 255; the CSV reads back as float64: converting it back to .h5, keep the type with --x-type uint8

            """)
        let back = path("back.h5", in: folder)
        let reimport = try LNetBinary.run(["convert", csv, back, "--classes", "non-cat", "cat", "--x-type", "uint8"])
        #expect(reimport.status == 0, "\(reimport.stderr)")
        let same = try Python.run(script: """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
                print(b["x"].dtype, np.array_equal(a["x"][()], b["x"][()]), np.array_equal(a["y"][()], b["y"][()]),
                      [c.decode() for c in a["classes"][()]] == [c.decode() if isinstance(c, bytes) else c for c in b["classes"][()]])
            """, [original, back])
        #expect(same == "uint8 True True True\n")
        // A value that does not fit uint8, or an id beyond the names given, is refused.
        let wide = try write("a,label\n256,0\n", "wide.csv", in: folder)
        expectRefusal(try LNetBinary.run(["convert", wide, path("w.h5", in: folder), "--x-type", "uint8"]),
                      "\(wide): example 0, feature 0 is 256.0, not a whole number 0…255 for uint8")
        let third = try write("a,label\n1,2\n", "third.csv", in: folder)
        expectRefusal(try LNetBinary.run(["convert", third, path("t.h5", in: folder), "--classes", "a", "b"]),
                      "\(third): example 0 has the label 2, but only 2 class names were given")
    }
}
