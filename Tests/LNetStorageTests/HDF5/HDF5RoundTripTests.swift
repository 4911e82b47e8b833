import Foundation
import Testing
@testable import LNetStorage

@Suite("HDF5 datasets round trip")
struct HDF5RoundTripTests {
    @Test func everyNumericTypeAndShape() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("types.h5")
        do {
            let file = try HDF5File.create(at: path)
            let root = try file.root
            try root.createDataset("f64", shape: [2, 3], data: [1.5, -2, .pi, 0, 1e300, -.infinity])
            try root.createDataset("f32", shape: [3], data: [Float(1.25), -0.5, .nan])
            try root.createDataset("i64", shape: [2, 2, 2], data: (0..<8).map { Int64($0) * (Int64.max / 8) })
            try root.createDataset("i32", shape: [4], data: [Int32.min, -1, 0, .max])
            try root.createDataset("u8", shape: [2, 2], data: [UInt8(0), 1, 254, 255])
            try root.createDataset("b", shape: [5], data: [true, false, false, true, true])
            try root.createDataset("scalar", shape: [], data: [42.0])
            try root.createDataset("empty", shape: [0, 3], data: [Double]())
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        let f64 = try file.dataset(at: "/f64")
        #expect(try f64.shape == [2, 3])
        #expect(try f64.elementType == .float64)
        #expect(try f64.read(as: Double.self) == [1.5, -2, .pi, 0, 1e300, -.infinity])
        let f32 = try file.dataset(at: "f32").read(as: Float.self)
        #expect(f32[0...1] == [1.25, -0.5] && f32[2].isNaN)
        #expect(try file.dataset(at: "i64").read(as: Int64.self) == (0..<8).map { Int64($0) * (Int64.max / 8) })
        #expect(try file.dataset(at: "i64").shape == [2, 2, 2])
        #expect(try file.dataset(at: "i32").read(as: Int32.self) == [Int32.min, -1, 0, .max])
        #expect(try file.dataset(at: "u8").read(as: UInt8.self) == [0, 1, 254, 255])
        let booleans = try file.dataset(at: "b")
        #expect(try booleans.elementType == .bool)
        #expect(try booleans.elementType.numpyName == "bool")
        #expect(try booleans.read(as: Bool.self) == [true, false, false, true, true])
        let scalar = try file.dataset(at: "scalar")
        #expect(try scalar.shape == [])
        #expect(try scalar.count == 1)
        #expect(try scalar.read(as: Double.self) == [42])
        #expect(try file.dataset(at: "empty").shape == [0, 3])
        #expect(try file.dataset(at: "empty").read(as: Double.self) == [])
    }

    @Test func numericConversionsFollowHDF5() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("convert.h5"))
        let root = try file.root
        let pixels = try root.createDataset("pixels", shape: [2, 2], data: [UInt8(0), 7, 128, 255])
        #expect(try pixels.read(as: Double.self) == [0, 7, 128, 255])
        #expect(try pixels.read(as: Float.self) == [0, 7, 128, 255])
        #expect(try pixels.read(as: Int64.self) == [0, 7, 128, 255])
        #expect(try pixels.read(as: Int32.self) == [0, 7, 128, 255])
        let labels = try root.createDataset("labels", data: [Int64(1), 0, 1])
        #expect(try labels.read(as: Double.self) == [1, 0, 1])
        // Narrowing would clamp silently in HDF5, so it is refused.
        #expect(throws: HDF5Error.self) { try labels.read(as: UInt8.self) }
        #expect(throws: HDF5Error.self) { try labels.read(as: Int32.self) }
        #expect(throws: HDF5Error.self) { try labels.read(as: Bool.self) }
        let weights = try root.createDataset("w", data: [0.5, 1.5])
        #expect(try weights.read(as: Float.self) == [0.5, 1.5])
        let error = try #require(throws: HDF5Error.self) { try weights.read(as: Int64.self) }
        #expect(error.code == .typeMismatch)
        #expect(error.description.contains("float64"))
    }

    @Test func strings() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("strings.h5")
        do {
            let file = try HDF5File.create(at: path)
            let root = try file.root
            try root.createDataset("classes", strings: ["non-cat", "cat"], layout: .fixedLength(bytes: nil))
            try root.createDataset("wide", strings: ["a", "bb"], layout: .fixedLength(bytes: 10))
            try root.createDataset("names", shape: [2, 2], strings: ["α", "", "long \(String(repeating: "x", count: 300))", "z"])
            try root.createDataset("one", shape: [], strings: ["scalar"])
            #expect(throws: HDF5Error.self) {
                try root.createDataset("short", strings: ["toolong"], layout: .fixedLength(bytes: 3))
            }
            #expect(try !root.exists("short"))
        }
        let file = try HDF5File.open(at: path)
        let classes = try file.dataset(at: "classes")
        #expect(try classes.elementType == .fixedString(length: 7))
        #expect(try classes.elementType.numpyName == "|S7")
        #expect(try classes.readStrings() == ["non-cat", "cat"])
        #expect(try file.dataset(at: "wide").readStrings() == ["a", "bb"])
        let names = try file.dataset(at: "names")
        #expect(try names.elementType == .variableString)
        #expect(try names.elementType.numpyName == "object")
        #expect(try names.shape == [2, 2])
        #expect(try names.readStrings() == ["α", "", "long \(String(repeating: "x", count: 300))", "z"])
        #expect(try file.dataset(at: "one").readStrings() == ["scalar"])
        #expect(throws: HDF5Error.self) { try classes.read(as: Double.self) }
        #expect(throws: HDF5Error.self) { try file.dataset(at: "wide").read(as: UInt8.self) }
        let error = try #require(throws: HDF5Error.self) {
            _ = try HDF5File.create(at: scratch.path("x.h5")).root.createDataset("d", data: [1.0]).readStrings()
        }
        #expect(error.code == .typeMismatch)
    }

    @Test func hyperslabRows() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("rows.h5"))
        let values = (0..<(10 * 2 * 3)).map(Double.init)
        let dataset = try file.root.createDataset(
            "x", shape: [10, 2, 3], data: values, options: DatasetOptions(chunkShape: [3, 2, 3], deflateLevel: 1))
        #expect(try dataset.readRows(0..<1, as: Double.self) == Array(values[0..<6]))
        #expect(try dataset.readRows(4..<7, as: Double.self) == Array(values[24..<42]))
        #expect(try dataset.readRows(9..<10, as: Float.self) == values[54..<60].map(Float.init))
        #expect(try dataset.readRows(5..<5, as: Double.self) == [])
        var buffer = [Double](repeating: -1, count: 12)
        try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(8..<10, into: $0) }
        #expect(buffer == Array(values[48..<60]))
        let outside = try #require(throws: HDF5Error.self) { try dataset.readRows(8..<11, as: Double.self) }
        #expect(outside.code == .shapeMismatch)
        #expect(outside.description.contains("8..<11"))
        let wrongBuffer = try #require(throws: HDF5Error.self) {
            try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(0..<1, into: $0) }
        }
        #expect(wrongBuffer.code == .shapeMismatch)
        let booleans = try file.root.createDataset("flags", shape: [3, 2], data: [true, false, false, true, true, true])
        #expect(try booleans.readRows(1..<3, as: Bool.self) == [false, true, true, true])
    }

    @Test func extendableAppend() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("append.h5")
        do {
            let file = try HDF5File.create(at: path)
            let x = try file.root.createExtendableDataset("data/x", of: Float.self, rowShape: [3], options: .compressed)
            #expect(try x.shape == [0, 3])
            #expect(try x.maxShape == [nil, 3])
            try x.append(rows: [Float(1), 2, 3])
            try x.append(rows: [Float(4), 5, 6, 7, 8, 9])
            try x.append(rows: [Float]())
            let notWhole = try #require(throws: HDF5Error.self) { try x.append(rows: [Float(1), 2]) }
            #expect(notWhole.code == .shapeMismatch)
            #expect(throws: HDF5Error.self) { try x.append(rows: [1.0, 2, 3]) }
            let y = try file.root.createExtendableDataset("data/y", of: Int64.self)
            for label in 0..<100 { try y.append(rows: [Int64(label % 2)]) }
            let names = try file.root.createExtendableStringDataset("data/names")
            try names.append(strings: ["a", "b"])
            try names.append(strings: ["ç"])
            let fixed = try file.root.createDataset("fixed", data: [1.0, 2.0])
            let notExtendable = try #require(throws: HDF5Error.self) { try fixed.append(rows: [3.0]) }
            #expect(notExtendable.description.contains("at most 2 rows"))
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        let x = try file.dataset(at: "data/x")
        #expect(try x.shape == [3, 3])
        #expect(try x.read(as: Float.self) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try x.chunkShape?.last == 3)
        #expect(try x.filters.map(\.name) == ["shuffle", "deflate"])
        #expect(try file.dataset(at: "data/y").read(as: Int64.self).reduce(0, +) == 50)
        #expect(try file.dataset(at: "data/names").readStrings() == ["a", "b", "ç"])
    }

    @Test func filtersAreReportedBack() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("filters.h5"))
        let values = (0..<4096).map { Double($0 % 7) }
        let options = DatasetOptions(chunkShape: [64, 16], deflateLevel: 6, shuffle: true, fletcher32: true)
        let dataset = try file.root.createDataset("x", shape: [256, 16], data: values, options: options)
        #expect(try dataset.layout == .chunked)
        #expect(try dataset.chunkShape == [64, 16])
        let filters = try dataset.filters
        #expect(filters.map(\.name) == ["shuffle", "deflate", "fletcher32"])
        #expect(filters.map(\.id) == [2, 1, 3])
        #expect(filters[1].parameters == [6])
        #expect(filters.map(\.description) == ["shuffle", "deflate(6)", "fletcher32"])
        #expect(try dataset.storageSize < 4096 * 8)
        #expect(try dataset.read(as: Double.self) == values)
        // Filters without a chunk shape get one chosen.
        let auto = try file.root.createDataset("auto", shape: [10, 4], data: [Double](repeating: 1, count: 40), options: .compressed)
        #expect(try auto.chunkShape == [10, 4])
        let plain = try file.root.createDataset("plain", data: [1.0])
        #expect(try plain.layout == .contiguous)
        #expect(try plain.chunkShape == nil)
        #expect(try plain.filters == [])
        #expect(throws: HDF5Error.self) {
            try file.root.createDataset("bad", data: [1.0], options: DatasetOptions(deflateLevel: 12))
        }
        #expect(throws: HDF5Error.self) {
            try file.root.createDataset("bad2", shape: [], data: [1.0], options: .compressed)
        }
        #expect(throws: HDF5Error.self) {
            try file.root.createDataset("bad3", shape: [4], data: [1.0, 2, 3, 4], options: DatasetOptions(chunkShape: [2, 2]))
        }
        let mismatch = try #require(throws: HDF5Error.self) {
            try file.root.createDataset("bad4", shape: [2, 2], data: [1.0])
        }
        #expect(mismatch.code == .shapeMismatch)
    }

    @Test func overwriteWholeDataset() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("write.h5"))
        let dataset = try file.root.createDataset("w", shape: [2, 2], data: [1.0, 2, 3, 4])
        try dataset.write([5.0, 6, 7, 8])
        #expect(try dataset.read(as: Double.self) == [5, 6, 7, 8])
        #expect(throws: HDF5Error.self) { try dataset.write([1.0]) }
        #expect(throws: HDF5Error.self) { try dataset.write([Float(1), 2, 3, 4]) }
        let names = try file.root.createDataset("n", strings: ["a", "b"])
        try names.write(strings: ["c", "d"])
        #expect(try names.readStrings() == ["c", "d"])
    }
}
