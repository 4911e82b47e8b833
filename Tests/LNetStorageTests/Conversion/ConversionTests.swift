import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// `DatasetConverter` and friends: every input format to a dataset file, read
/// back through `DatasetFile`; split, --force, atomic failure; CSV and .npz export.
@Suite("Conversion")
struct ConversionTests {
    private func directory() throws -> URL { try ImportFixtures.makeDirectory() }

    private func convert(_ input: String, _ output: String, _ options: ConversionOptions = ConversionOptions()) throws -> ConversionSummary {
        try DatasetConverter(options: options).convert(input: input, output: output)
    }

    /// The files in `folder`, sorted.
    private func listing(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    // MARK: Inputs

    @Test func csvWithStringLabelsBecomesSortedClassIds() throws {
        let folder = try directory()
        let input = try ImportFixtures.write("a,species,b\n1.5,setosa,2\n3,virginica,4\n5,setosa,6e-1\n7,versicolor,8\n", to: "iris.csv", in: folder)
        let output = folder.appendingPathComponent("iris.h5").path
        let summary = try convert(input, output, ConversionOptions(labelColumn: "species"))
        #expect(summary.rowsPerOutput == [4])
        #expect(summary.featureType == .float64)
        let file = try DatasetFile(path: output)
        #expect(file.xName == "x" && file.yName == "y")
        #expect(file.featureType == .float64)
        #expect(file.exampleShape == [2])
        #expect(file.classes == ["setosa", "versicolor", "virginica"])
        #expect(try file.readFeatures() == [1.5, 2, 3, 4, 5, 0.6, 7, 8])
        #expect(try file.readLabels() == [0, 2, 0, 1])
        // Default storage: shuffle + gzip 4.
        let x = try HDF5File.open(at: output).dataset(at: "x")
        #expect(try x.filters.map(\.description) == ["shuffle", "deflate(4)"])
        #expect(try HDF5File.open(at: output).dataset(at: "y").elementType == .int64)
    }

    /// The default, compressed output (libdeflate chunks on every core, written
    /// with H5Dwrite_chunk) holds what the uncompressed one holds, for h5py too,
    /// over many chunks, the last one partial, a split, and either thread count.
    @Test(arguments: [1, 2])
    func compressedChunksHoldTheUncompressedValuesForH5py(threads: Int) throws {
        let folder = try directory()
        var rng = SystemRandomNumberGenerator()
        var text = "a,b,c,d,e,label\n"
        for _ in 0..<1003 {
            text += (0..<5).map { _ in String(Double.random(in: -1e3..<1e3, using: &rng)) }.joined(separator: ",")
            text += ",\(Int.random(in: 0...3, using: &rng))\n"
        }
        let input = try ImportFixtures.write(text, to: "floats.csv", in: folder)
        let plain = folder.appendingPathComponent("plain.h5").path
        try convert(input, plain, ConversionOptions(compressionLevel: 0, chunkRows: 64, threads: threads))
        let packed = folder.appendingPathComponent("packed.h5").path
        try convert(input, packed, ConversionOptions(chunkRows: 64, threads: threads))
        #expect(try DatasetFile(path: packed).readFeatures() == (try DatasetFile(path: plain).readFeatures()))
        // One-byte elements (the shuffle filter leaves them as they are), split in two files.
        var pixels = "p0,p1,p2,label\n"
        for row in 0..<500 { pixels += "\(row % 256),\((row * 7) % 256),0,\(row % 2)\n" }
        let images = try ImportFixtures.write(pixels, to: "pixels.csv", in: folder)
        let bytes = folder.appendingPathComponent("bytes.h5").path
        try convert(images, bytes, ConversionOptions(storedFeatureType: .uint8, compressionLevel: 0, chunkRows: 50, split: 0.7, threads: threads))
        let packedBytes = folder.appendingPathComponent("packed-bytes.h5").path
        try convert(images, packedBytes, ConversionOptions(storedFeatureType: .uint8, chunkRows: 50, split: 0.7, threads: threads))
        for (a, b) in [(bytes, packedBytes)].map({ (DatasetConverter.splitOutputs(for: $0.0), DatasetConverter.splitOutputs(for: $0.1)) }) {
            for (one, other) in [(a.train, b.train), (a.test, b.test)] {
                let (x, y) = (try DatasetFile(path: one), try DatasetFile(path: other))
                #expect(try x.readFeatures() == (try y.readFeatures()))
                #expect(try x.readLabels() == (try y.readLabels()))
                #expect(try HDF5File.open(at: other).dataset(at: "x").filters.map(\.description) == ["shuffle", "deflate(4)"])
            }
        }
        let script = """
            import sys, h5py, numpy as np
            plain, packed = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            for name in ("x", "y"):
                p = packed[name]
                assert p.compression == "gzip" and p.compression_opts == 4 and p.shuffle, (name, p.compression, p.shuffle)
                assert np.array_equal(plain[name][...], p[...]), name
            assert packed["x"].shape == (1003, 5) and packed["x"].chunks == (64, 5)
            print("ok")
            """
        #expect(try Python.run(script: script, [plain, packed]).contains("ok"))
    }

    @Test func tsvLabelColumnByIndexAndUncompressed() throws {
        let folder = try directory()
        let input = try ImportFixtures.write("l\tf1\tf2\n1\t0.5\t-2\n0\t1e3\t3\n", to: "d.tsv", in: folder)
        let output = folder.appendingPathComponent("d.h5").path
        try convert(input, output, ConversionOptions(labelColumn: "0", compressionLevel: 0, chunkRows: 1))
        let file = try DatasetFile(path: output)
        #expect(try file.readFeatures() == [0.5, -2, 1000, 3])
        #expect(try file.readLabels() == [1, 0])
        #expect(file.classes == nil)
        let x = try HDF5File.open(at: output).dataset(at: "x")
        #expect(try x.filters.isEmpty)
        #expect(try x.chunkShape == [1, 2])
    }

    @Test func npyAndNpzKeepTheirElementType() throws {
        let folder = try directory()
        try ImportFixtures.python("""
            import numpy as np
            x = np.arange(30, dtype=np.uint8).reshape(5, 2, 3)
            y = np.array([0, 1, 2, 1, 0], dtype=np.int32)
            np.save('x.npy', x); np.save('y.npy', y)
            np.savez_compressed('d.npz', feats=x.astype(np.float32), labs=y)
            """, in: folder)
        let npyOut = folder.appendingPathComponent("npy.h5").path
        try convert(folder.appendingPathComponent("x.npy").path, npyOut,
                    ConversionOptions(labels: folder.appendingPathComponent("y.npy").path))
        let npy = try DatasetFile(path: npyOut)
        #expect(npy.featureType == .uint8)
        #expect(npy.exampleShape == [2, 3])
        #expect(try npy.readFeatures(divisor: 1) == (0..<30).map(Double.init))
        #expect(try npy.readLabels() == [0, 1, 2, 1, 0])

        let npzOut = folder.appendingPathComponent("npz.h5").path
        try convert(folder.appendingPathComponent("d.npz").path, npzOut, ConversionOptions(x: "feats", y: "labs"))
        let npz = try DatasetFile(path: npzOut)
        #expect(npz.featureType == .float32)
        #expect(try npz.readFeatures() == (0..<30).map(Double.init))
        #expect(try npz.readLabels() == [0, 1, 2, 1, 0])
    }

    /// An IDX file: magic 0x0000 08 `dims`, then each dimension big-endian.
    private func idx(dimensions: [Int], values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for dimension in dimensions {
            bytes += [UInt8(dimension >> 24 & 0xFF), UInt8(dimension >> 16 & 0xFF), UInt8(dimension >> 8 & 0xFF), UInt8(dimension & 0xFF)]
        }
        return bytes + values
    }

    @Test func mnistIDXImagesAndLabels() throws {
        let folder = try directory()
        let images = try ImportFixtures.write(idx(dimensions: [3, 2, 2], values: Array(0..<12)), to: "t-images-idx3-ubyte", in: folder)
        let labels = try ImportFixtures.write(idx(dimensions: [3], values: [7, 0, 9]), to: "t-labels-idx1-ubyte", in: folder)
        let output = folder.appendingPathComponent("m.h5").path
        try convert(images, output, ConversionOptions(labels: labels))
        let file = try DatasetFile(path: output)
        #expect(file.featureType == .uint8)
        #expect(file.exampleShape == [2, 2])
        #expect(try file.readFeatures(divisor: 1) == (0..<12).map(Double.init))
        #expect(try file.readLabels() == [7, 0, 9])

        // Counts that disagree, and a wrong magic, name the file; nothing is written.
        let short = try ImportFixtures.write(idx(dimensions: [2], values: [1, 2]), to: "s-labels-idx1-ubyte", in: folder)
        let bad = folder.appendingPathComponent("bad.h5").path
        #expect(throws: ImportError.self) { try convert(images, bad, ConversionOptions(labels: short)) }
        let garbage = try ImportFixtures.write([1, 2, 3, 4, 5, 6, 7, 8], to: "g-images-idx3-ubyte", in: folder)
        do {
            try convert(garbage, bad)
            Issue.record("a wrong magic was accepted")
        } catch {
            #expect(String(describing: error).contains("g-images-idx3-ubyte"))
        }
        #expect(!FileManager.default.fileExists(atPath: bad))
    }

    @Test func courseStyleHDF5IsRenamedAndRecompressed() throws {
        let folder = try directory()
        try ImportFixtures.python("""
            import h5py, numpy as np
            with h5py.File('course.h5', 'w') as f:
                f['train_set_x'] = np.arange(4 * 2 * 2 * 3, dtype=np.uint8).reshape(4, 2, 2, 3)
                f['train_set_y'] = np.array([0, 1, 1, 0], dtype=np.int64)
                f['list_classes'] = np.array([b'non-cat', b'cat'])
            """, in: folder)
        let output = folder.appendingPathComponent("cat.h5").path
        try convert(folder.appendingPathComponent("course.h5").path, output, ConversionOptions(compressionLevel: 9))
        let file = try DatasetFile(path: output)
        #expect(file.xName == "x")
        #expect(file.featureType == .uint8)
        #expect(file.exampleShape == [2, 2, 3])
        #expect(file.classes == ["non-cat", "cat"])
        #expect(try file.readFeatures(divisor: 1) == (0..<48).map(Double.init))
        #expect(try file.readLabels() == [0, 1, 1, 0])
        #expect(try HDF5File.open(at: output).dataset(at: "x").filters.map(\.description) == ["shuffle", "deflate(9)"])
    }

    // MARK: Split

    /// A CSV whose feature is the row number, so outputs show which rows they got.
    private func numberedCSV(rows: Int, in folder: URL) throws -> String {
        var text = "n,label\n"
        for row in 0..<rows { text += "\(row),\(row % 3)\n" }
        return try ImportFixtures.write(text, to: "n.csv", in: folder)
    }

    private func rowNumbers(_ path: String) throws -> [Int] {
        try DatasetFile(path: path).readFeatures().map { Int($0) }
    }

    @Test func splitSizesDisjointOrderedAndSeeded() throws {
        let folder = try directory()
        let input = try numberedCSV(rows: 101, in: folder)
        let output = folder.appendingPathComponent("n.h5").path
        // chunkRows 4 makes many partial chunks in both outputs.
        let summary = try convert(input, output, ConversionOptions(chunkRows: 4, split: 0.8, seed: 7))
        let paths = DatasetConverter.splitOutputs(for: output)
        #expect(summary.outputs == [paths.train, paths.test])
        #expect(summary.rowsPerOutput == [81, 20])  // ⌊101·0.8 + 0.5⌋ = 81
        #expect(!FileManager.default.fileExists(atPath: output))
        let train = try rowNumbers(paths.train), test = try rowNumbers(paths.test)
        #expect(train.count == 81 && test.count == 20)
        #expect(Set(train).isDisjoint(with: test))
        #expect((train + test).sorted() == Array(0..<101))
        #expect(train == train.sorted() && test == test.sorted())  // file order kept
        #expect(try DatasetFile(path: paths.test).readLabels() == test.map { $0 % 3 })

        // Same seed, same split; another seed, another split.
        try convert(input, output, ConversionOptions(split: 0.8, seed: 7, force: true))
        #expect(try rowNumbers(paths.test) == test)
        try convert(input, output, ConversionOptions(split: 0.8, seed: 8, force: true))
        #expect(try rowNumbers(paths.test) != test)
    }

    @Test func splitGeneratorIsSplitMix64() {
        var generator = SplitMix64(seed: 0)
        // The reference sequence for seed 0 (Vigna's splitmix64.c).
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(DatasetSplit(total: 1, fraction: 0.5, seed: 0) == nil)
        #expect(DatasetSplit(total: 10, fraction: 0.01, seed: 0) == nil)
        #expect(DatasetSplit(total: 10, fraction: 0.5, seed: 0)?.trainCount == 5)
    }

    // MARK: Safety

    @Test func existingOutputIsRefusedUnlessForced() throws {
        let folder = try directory()
        let input = try numberedCSV(rows: 5, in: folder)
        let output = folder.appendingPathComponent("n.h5").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: output))
        #expect(throws: ConversionError.outputExists(output)) { try convert(input, output) }
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me")
        #expect(ConversionError.outputExists(output).refusal == .outputExists)
        try convert(input, output, ConversionOptions(force: true))
        #expect(try rowNumbers(output) == [0, 1, 2, 3, 4])

        // A split checks both of its outputs.
        let paths = DatasetConverter.splitOutputs(for: output)
        try Data().write(to: URL(fileURLWithPath: paths.test))
        #expect(throws: ConversionError.outputExists(paths.test)) { try convert(input, output, ConversionOptions(split: 0.5)) }
        #expect(!FileManager.default.fileExists(atPath: paths.train))
    }

    @Test func aBadRowLeavesNoFileBehind() throws {
        let folder = try directory()
        var text = "a,b\n"
        for row in 0..<5000 { text += "\(row),1\n" }
        text += "oops,1\n"
        let input = try ImportFixtures.write(text, to: "bad.csv", in: folder)
        let output = folder.appendingPathComponent("bad.h5").path
        do {
            try convert(input, output, ConversionOptions(chunkRows: 16, split: 0.5))
            Issue.record("a malformed row was accepted")
        } catch {
            #expect(String(describing: error).contains("bad.csv:5002"))
        }
        #expect(try listing(folder) == ["bad.csv"])
    }

    @Test func formatsAndOptionsAreChecked() throws {
        #expect(InputFormat.detect(path: "a/train-images-idx3-ubyte.gz") == .idx)
        #expect(InputFormat.detect(path: "t10k-labels.idx1-ubyte") == .idx)
        #expect(InputFormat.detect(path: "x.IDX3") == .idx)
        #expect(InputFormat.detect(path: "d.TSV") == .tsv)
        #expect(InputFormat.detect(path: "c.hdf5") == .hdf5)
        #expect(InputFormat.detect(path: "c.csv.gz") == nil)
        #expect(InputFormat.detect(path: "README") == nil)
        let converter = DatasetConverter()
        #expect(throws: ConversionError.self) { try converter.checkOptions(input: "data.bin", output: "o.h5") }
        #expect(throws: ConversionError.self) { try converter.checkOptions(input: "d.csv", output: "o.txt") }
        #expect(throws: ConversionError.self) {
            try DatasetConverter(options: ConversionOptions(labelColumn: "y")).checkOptions(input: "d.npz", output: "o.h5")
        }
        #expect(throws: ConversionError.self) {
            try DatasetConverter(options: ConversionOptions(compressionLevel: 10)).checkOptions(input: "d.csv", output: "o.h5")
        }
        #expect(throws: Never.self) {
            try DatasetConverter(options: ConversionOptions(from: .csv)).checkOptions(input: "data.bin", output: "o.h5")
        }
        let missing = try directory().appendingPathComponent("missing.csv").path
        #expect(throws: ConversionError(file: missing, problem: "no such file")) {
            try converter.convert(input: missing, output: missing + ".h5")
        }
    }

    // MARK: Export

    @Test func datasetToCSVAndBack() throws {
        let folder = try directory()
        try ImportFixtures.python("""
            import h5py, numpy as np
            with h5py.File('d.h5', 'w') as f:
                f['x'] = np.array([[0.1, -2.0], [1e-5, float('inf')], [3.25, 7.0]])
                f['y'] = np.array([1, 0, 1])
            """, in: folder)
        let csv = folder.appendingPathComponent("d.csv").path
        let summary = try convert(folder.appendingPathComponent("d.h5").path, csv)
        #expect(summary.rowsPerOutput == [3])
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == "f0,f1,label\n0.1,-2.0,1\n1e-05,inf,0\n3.25,7.0,1\n")
        let back = folder.appendingPathComponent("back.h5").path
        try convert(csv, back)
        #expect(try DatasetFile(path: back).readFeatures() == [0.1, -2, 1e-5, .infinity, 3.25, 7])

        // Integer features are written as integers; unlabelled data has no label column.
        let images = try ImportFixtures.write(idx(dimensions: [2, 3], values: [0, 255, 3, 4, 5, 6]), to: "u-images-idx2-ubyte", in: folder)
        let imagesCSV = folder.appendingPathComponent("u.csv").path
        try convert(images, imagesCSV)
        #expect(try String(contentsOfFile: imagesCSV, encoding: .utf8) == "f0,f1,f2\n0,255,3\n4,5,6\n")
    }

    @Test func checkpointToNPZReadByNumpy() throws {
        let folder = try directory()
        let checkpoint = Checkpoint(
            model: Checkpoint.Model(layerDims: [3, 2, 1], activations: ["relu", "sigmoid"], loss: "binary_cross_entropy"),
            parameters: [
                "W1": Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), "b1": Tensor(shape: [2, 1], values: [0.5, -0.5]),
                "W2": Tensor(shape: [1, 2], values: [0.25, 1e-300]), "b2": Tensor(shape: [1, 1], values: [-7]),
            ])
        let path = folder.appendingPathComponent("model.h5").path
        try CheckpointFile.write(checkpoint, to: path)
        #expect(try CheckpointExport.isCheckpoint(path: path))
        let npz = folder.appendingPathComponent("model.npz").path
        let summary = try convert(path, npz)
        #expect(summary.arrays == ["W1", "b1", "W2", "b2"])
        try ImportFixtures.python("""
            import numpy as np, zipfile
            assert zipfile.ZipFile('model.npz').testzip() is None
            z = np.load('model.npz')
            assert list(z.keys()) == ['W1', 'b1', 'W2', 'b2'], list(z.keys())
            assert z['W1'].dtype == np.float64 and z['W1'].shape == (2, 3)
            assert (z['W1'] == np.arange(1, 7).reshape(2, 3)).all()
            assert (z['b1'] == [[0.5], [-0.5]]).all() and z['W2'][0, 1] == 1e-300 and z['b2'].shape == (1, 1)
            """, in: folder)
        // The optimizer's moments get v_/s_ keys after the parameters.
        var withAdam = checkpoint
        withAdam.optimizer = Checkpoint.Optimizer(
            name: "adam", learningRate: 0.01, learningRate0: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t: 3,
            v: ["dW1": Tensor(shape: [2, 3], values: [1, 1, 1, 1, 1, 1]), "db1": Tensor(shape: [2, 1], values: [2, 2])],
            s: ["dW1": Tensor(shape: [2, 3], values: [3, 3, 3, 3, 3, 3])])
        #expect(CheckpointExport.arrays(of: withAdam).map(\.name) == ["W1", "b1", "W2", "b2", "v_dW1", "v_db1", "s_dW1"])
        // A dataset is not a checkpoint.
        let input = try numberedCSV(rows: 3, in: folder)
        let dataset = folder.appendingPathComponent("n.h5").path
        try convert(input, dataset)
        #expect(try !CheckpointExport.isCheckpoint(path: dataset))
        #expect(throws: ConversionError.self) { try convert(dataset, folder.appendingPathComponent("n.npz").path) }
    }

    /// More members than a classic ZIP's end record counts: libzip adds the
    /// ZIP64 records numpy reads (the hand-written writer refused this).
    @Test func npzWithMoreThan65535ArraysIsReadByNumpy() throws {
        let folder = try directory()
        var writer = NPZWriter()
        for i in 0..<70_000 {
            try writer.add("a\(i)", shape: [1], values: [Double(i)])
        }
        let path = folder.appendingPathComponent("many.npz").path
        try writer.write(to: path)
        let again = folder.appendingPathComponent("again.npz").path
        try writer.write(to: again)
        #expect(FileManager.default.contentsEqual(atPath: path, andPath: again))  // fixed member times
        try ImportFixtures.python("""
            import numpy as np, zipfile
            infos = zipfile.ZipFile('many.npz').infolist()
            assert len(infos) == 70000, len(infos)
            assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
            assert infos[0].date_time == (1980, 1, 1, 0, 0, 0), infos[0].date_time
            z = np.load('many.npz')
            assert z['a0'].tolist() == [0.0] and z['a69999'].tolist() == [69999.0] and z['a69999'].dtype == np.float64
            """, in: folder)
    }

    @Test func npyHeaderIsAlignedAndVersionOne() {
        for shape in [[], [3], [2, 3], [100_000, 784, 3]] {
            let header = NPZWriter.npyHeader(shape: shape)
            #expect(header.count % 64 == 0)
            #expect(Array(header.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
            #expect(header.last == UInt8(ascii: "\n"))
        }
    }
}
