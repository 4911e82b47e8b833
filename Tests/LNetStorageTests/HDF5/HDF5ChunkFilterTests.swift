import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// Chunks made by libdeflate (``HDF5ChunkFilter``) and written with
/// `H5Dwrite_chunk` are ordinary shuffle + gzip chunks: HDF5, h5py and h5dump
/// read them with their built-in filters, values unchanged.
@Suite("Filtered chunks written directly")
struct HDF5ChunkFilterTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func shuffleGroupsTheBytesOfEveryElement() {
        // Three 4-byte elements and two bytes that make no whole element.
        let bytes: [UInt8] = [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24, 99, 98]
        let shuffled = bytes.withUnsafeBytes { HDF5ChunkFilter.shuffled($0, elementSize: 4) }
        #expect(shuffled == [1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24, 99, 98])
    }

    /// Rows of 3 float64 in chunks of 4 rows: two appends (8 rows, then 3 in a
    /// padded last chunk), read back by HDF5 here and by h5py and h5dump.
    @Test(arguments: [1, 2])
    func chunksReadBackEverywhere(threads: Int) throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let path = url.appendingPathComponent("chunks.h5").path
        let values = (0..<33).map { Double($0) * 0.1 - 1.3 }
        let filter = HDF5ChunkFilter(level: 4, shuffle: true, elementSize: 8)
        let labels: [Int64] = (0..<11).map { Int64($0 % 3) }
        let labelFilter = HDF5ChunkFilter(level: 4, shuffle: true, elementSize: 8)
        do {
            let file = try HDF5File.create(at: path, mode: .truncate)
            let x = try file.root.createExtendableDataset(
                "x", of: Double.self, rowShape: [3], options: filter.datasetOptions(chunkShape: [4, 3]))
            let first = try values[0..<24].withUnsafeBytes { try filter.filter($0, chunkBytes: 4 * 3 * 8, threads: threads) }
            #expect(first.count == 2)
            try x.appendFilteredChunks(first, rows: 8)
            var last = [Double](repeating: 0, count: 12)
            last.replaceSubrange(0..<9, with: values[24..<33])
            let padded = try last.withUnsafeBytes { try filter.filter($0, chunkBytes: 4 * 3 * 8, threads: threads) }
            try x.appendFilteredChunks(padded, rows: 3)
            let y = try file.root.createExtendableDataset(
                "y", of: Int64.self, options: labelFilter.datasetOptions(chunkShape: [16]))
            var paddedLabels = labels + [Int64](repeating: 0, count: 5)
            let labelChunks = try paddedLabels.withUnsafeMutableBytes { try labelFilter.filter(UnsafeRawBufferPointer($0), chunkBytes: 16 * 8, threads: threads) }
            try y.appendFilteredChunks(labelChunks, rows: 11)
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        let x = try file.dataset(at: "x")
        #expect(try x.shape == [11, 3])
        #expect(try x.read(as: Double.self) == values)
        #expect(try x.filters.map(\.description) == ["shuffle", "deflate(4)"])
        #expect(try file.dataset(at: "y").read(as: Int64.self) == labels)
        try file.close()

        let script = """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                x, y = f["x"], f["y"]
                assert x.compression == "gzip" and x.compression_opts == 4 and x.shuffle, (x.compression, x.shuffle)
                assert y.compression == "gzip" and y.shuffle
                expected = (np.arange(33) * 0.1 - 1.3).reshape(11, 3)
                assert np.array_equal(x[...], expected), x[...]
                assert np.array_equal(y[...], np.arange(11) % 3), y[...]
            print("ok")
            """
        #expect(try Python.run(script: script, [path]).contains("ok"))
        let dump = try Subprocess.run(URL(fileURLWithPath: "/usr/bin/h5dump"), ["-p", "-d", "x", path])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("SHUFFLE") && dump.stdout.contains("COMPRESSION DEFLATE { LEVEL 4 }"), "\(dump.stdout)")
        // h5dump decodes every chunk to print the values; one it cannot decode is an error.
        #expect(dump.stdout.contains("-1.3") && dump.stdout.contains("1.9"), "\(dump.stdout)")
    }

    @Test func rowsThatAreNotWholeChunksSoFarAreRefused() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let path = url.appendingPathComponent("misaligned.h5").path
        let file = try HDF5File.create(at: path, mode: .truncate)
        defer { try? file.close() }
        let filter = HDF5ChunkFilter(level: 1, shuffle: false, elementSize: 8)
        let x = try file.root.createExtendableDataset("x", of: Double.self, rowShape: [2], options: filter.datasetOptions(chunkShape: [4, 2]))
        try x.append(rows: [1.0, 2.0])  // one row: no longer a whole number of chunks
        let chunk = try [Double](repeating: 1, count: 8).withUnsafeBytes { try filter.filter($0) }
        #expect(throws: HDF5Error.self) { try x.appendFilteredChunks([chunk], rows: 4) }
        #expect(try x.shape == [1, 2])
    }
}
