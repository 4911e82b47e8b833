import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

@Suite("Dataset files (formats/dataset.md)")
struct DatasetFileTests {
    @Test func courseFileResolvesItsPairAndClasses() throws {
        guard CourseFiles.available else {
            print(CourseFiles.skipMessage)
            return
        }
        let data = try DatasetFile(path: CourseFiles.train)
        #expect(data.xName == "train_set_x")
        #expect(data.yName == "train_set_y")
        #expect(data.exampleCount == 209)
        #expect(data.exampleShape == [64, 64, 3])
        #expect(data.featureCount == 12288)
        #expect(data.inputDivisor == 255)
        #expect(data.classes == ["non-cat", "cat"])
        let labels = try data.readLabels()
        #expect(labels.count == 209 && labels.reduce(0, +) == 72)
        let first = try data.readFeatures(examples: 0..<1)
        #expect(first.count == 12288)
        #expect(first[0] == 17.0 / 255.0)
    }

    @Test func fingerprintMatchesTheSpecsPythonDefinition() throws {
        guard CourseFiles.available else {
            print(CourseFiles.skipMessage)
            return
        }
        let script = """
            import sys, h5py; sys.path.insert(0, "Tests/interop"); import lnet_format
            f = h5py.File(sys.argv[1], "r"); print(lnet_format.fingerprint(f["train_set_x"][()], f["train_set_y"][()]))
            """
        let expected = try Python.run(["-c", script, CourseFiles.train])
        #expect(try DatasetFile(path: CourseFiles.train).fingerprint() == expected.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func fingerprintOfEveryLabelAndFeatureType() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("small.h5")
        let file = try HDF5File.create(at: path)
        try file.root.createDataset("x", shape: [3, 2], data: [Float(1.5), -2, 3, 4, 5, .nan])
        try file.root.createDataset("y", shape: [3, 1], data: [Int32(0), 1, 1])
        try file.close()
        let script = """
            import sys, h5py; sys.path.insert(0, "Tests/interop"); import lnet_format
            f = h5py.File(sys.argv[1], "r"); print(lnet_format.fingerprint(f["x"][()], f["y"][()]))
            """
        let expected = try Python.run(["-c", script, path])
        let data = try DatasetFile(path: path)
        #expect(try data.fingerprint() == expected.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(data.inputDivisor == 1)
        #expect(try data.readLabels() == [0, 1, 1])
    }

    @Test func explicitNamesAndUnlabelledFiles() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("named.h5")
        let file = try HDF5File.create(at: path)
        try file.root.createGroup("data").createDataset("features", shape: [2, 2], data: [1.0, 2, 3, 4])
        try file.root.createDataset("labels", data: [Int64(1), 0])
        try file.close()
        let data = try DatasetFile(path: path, x: "/data/features", y: "labels")
        #expect(try data.readFeatures() == [1, 2, 3, 4])
        #expect(try data.readLabels() == [1, 0])
        let unlabelled = try DatasetFile(path: path, x: "/data/features", requireLabels: false)
        #expect(!unlabelled.hasLabels)
    }

    @Test(arguments: [
        ("no pair", ["a": [1.0]], "no dataset x (nor one *_x/*_y pair with the same prefix)"),
        ("mismatched prefixes", ["train_x": [1.0], "test_y": [0.0]], "no dataset x (nor one *_x/*_y pair with the same prefix)"),
        ("two pairs", ["a_x": [1.0], "a_y": [0.0], "b_x": [1.0], "b_y": [1.0]], "several *_x/*_y pairs"),
    ])
    func ambiguousOrMissingNamesListWhatIsThere(name: String, datasets: [String: [Double]], message: String) throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("names.h5")
        let file = try HDF5File.create(at: path)
        for (dataset, values) in datasets { try file.root.createDataset(dataset, data: values) }
        try file.close()
        let error = try #require(throws: DatasetError.self) { try DatasetFile(path: path) }
        #expect(error.description.contains(message), "\(name)")
        #expect(error.description.contains("datasets at the top level: \(datasets.keys.sorted().joined(separator: ", "))"))
        #expect(error.description.hasPrefix(path))
    }

    @Test func badShapesAndLabelsAreRefusedWithTheirReason() throws {
        let scratch = try HDF5Scratch()
        func make(_ name: String, _ build: (HDF5Group) throws -> Void) throws -> String {
            let path = scratch.path(name)
            let file = try HDF5File.create(at: path)
            try build(file.root)
            try file.close()
            return path
        }
        let lengths = try make("lengths.h5") {
            try $0.createDataset("x", shape: [3, 1], data: [1.0, 2, 3])
            try $0.createDataset("y", data: [Int64(0), 1])
        }
        #expect(throws: DatasetError(path: lengths, problem: "x (x) has 3 examples but y (y) has 2 labels")) {
            try DatasetFile(path: lengths)
        }
        let strings = try make("strings.h5") {
            try $0.createDataset("x", strings: ["a", "b"])
            try $0.createDataset("y", data: [Int64(0), 1])
        }
        #expect(throws: DatasetError.self) { try DatasetFile(path: strings) }
        let empty = try make("empty.h5") {
            try $0.createDataset("x", shape: [0, 2], data: [Double]())
            try $0.createDataset("y", data: [Int64]())
        }
        #expect(throws: DatasetError.self) { try DatasetFile(path: empty) }
        let labels = try make("labels.h5") {
            try $0.createDataset("x", shape: [3, 1], data: [1.0, 2, 3])
            try $0.createDataset("y", data: [0.0, 1.5, -1])
        }
        let error = try #require(throws: DatasetError.self) { try DatasetFile(path: labels).readLabels() }
        #expect(error.description == "\(labels): label 1 of y (y) is 1.5; labels must be class ids 0, 1, …")
        let classes = try make("classes.h5") {
            try $0.createDataset("x", shape: [2, 1], data: [1.0, 2])
            try $0.createDataset("y", data: [Int64(0), 2])
            try $0.createDataset("classes", strings: ["a", "b"])
        }
        #expect(throws: DatasetError.self) { try DatasetFile(path: classes).readLabels() }
    }
    /// 2^32 × 2^32 wraps to 0 in 64 bits: a crafted shape must be refused,
    /// never multiplied into an overflow trap by a caller.
    @Test func aShapeWhoseProductOverflowsIsRefused() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("wrap.h5")
        try Python.run([
            "-c",
            """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f.create_dataset("x", shape=(1, 2**32, 2**32), dtype="u1", chunks=(1, 1, 1024))
                f["y"] = np.zeros(1, dtype=np.int64)
            """,
            path,
        ])
        let error = try #require(throws: DatasetError.self) { try DatasetFile(path: path) }
        #expect(error.description.contains("more values than can be counted"))
        let file = try HDF5File.open(at: path)
        #expect(throws: HDF5Error.self) { try file.dataset(at: "x").checkDeclaredSizeFitsFile() }
    }
    /// formats/dataset.md allows bool x and y (h5py's enum), which HDF5 will
    /// not convert to numbers itself: every read path widens them to 0 and 1.
    @Test func booleanFeaturesAndLabelsReadAsZeroAndOne() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("bools.h5")
        let file = try HDF5File.create(at: path)
        try file.root.createDataset("x", shape: [3, 2], data: [true, false, false, false, true, true])
        try file.root.createDataset("y", data: [false, true, true])
        try file.close()
        let data = try DatasetFile(path: path)
        #expect(data.inputDivisor == 1)
        #expect(try data.readFeatures() == [1, 0, 0, 0, 1, 1])
        #expect(try data.readLabels() == [0, 1, 1])
        var rows = [Double](repeating: -1, count: 4)
        try rows.withUnsafeMutableBufferPointer { try data.readFeatures(examples: 1..<3, into: $0) }
        #expect(rows == [0, 0, 1, 1])
        var runs = [Double](repeating: -1, count: 4)
        try runs.withUnsafeMutableBufferPointer { try data.readFeatures(runs: [0..<1, 2..<3], into: $0) }
        #expect(runs == [1, 0, 1, 1])
    }
}
