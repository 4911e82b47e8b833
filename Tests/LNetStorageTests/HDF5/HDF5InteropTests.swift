import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// Both directions against the real h5py: a missing `.venv` fails these
/// tests ("run scripts/setup"); they must never skip in CI.
@Suite("HDF5 interop with h5py")
struct HDF5InteropTests {
    static let interop = Repository.interop

    @Test func h5pyReadsWhatLNetWrites() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("lnet-written.h5")
        do {
            let file = try HDF5File.create(at: path)
            let root = try file.root
            let numbers = try root.createGroup("numbers")
            try numbers.createDataset("f64", shape: [2, 3], data: [1.5, -2, 3.25, 0, 1e300, -.infinity])
            try numbers.createDataset("f32", shape: [3], data: [Float(1.25), -0.5, .nan])
            try numbers.createDataset("i64", shape: [2, 2, 2], data: (0..<8).map { Int64($0) * 1_000_000_007 })
            try numbers.createDataset("i32", data: [Int32.min, -1, 0, .max])
            try numbers.createDataset("u8", shape: [2, 2], data: [UInt8(0), 1, 254, 255])
            try numbers.createDataset("scalar", shape: [], data: [42.0])
            try numbers.createDataset("empty", shape: [0, 3], data: [Double]())
            try root.createDataset("flags", data: [true, false, false, true, true])
            try root.createDataset("strings/fixed", strings: ["non-cat", "cat"], layout: .fixedLength(bytes: nil))
            try root.createDataset("strings/vlen", shape: [2, 2], strings: ["α", "", "long " + String(repeating: "x", count: 300), "z"])
            try root.createDataset("strings/scalar", shape: [], strings: ["scalar"])
            let compressed = try root.createDataset(
                "compressed/x", shape: [256, 16], data: (0..<4096).map { Double($0 % 7) },
                options: DatasetOptions(chunkShape: [64, 16], deflateLevel: 6, shuffle: true, fletcher32: true))
            let extendable = try root.createExtendableDataset("extendable/x", of: Float.self, rowShape: [3], options: .compressed)
            try extendable.append(rows: [Float(1), 2, 3])
            try extendable.append(rows: [Float(4), 5, 6, 7, 8, 9])
            let names = try root.createExtendableStringDataset("extendable/names")
            try names.append(strings: ["a", "b"])
            try names.append(strings: ["ç"])
            for attributes in [try file.attributes, numbers.attributes, compressed.attributes] {
                for (name, value) in HDF5AttributeTests.everyKind where !name.hasPrefix("no_") || name == "no" {
                    try attributes.write(name, value)
                }
            }
            try file.close()
        }
        try Python.run([Self.interop.appendingPathComponent("check_lnet_written.py").path, path])
    }

    @Test func lnetReadsWhatH5pyWrites() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("h5py-written.h5")
        try Python.run([Self.interop.appendingPathComponent("write_with_h5py.py").path, path])
        let file = try HDF5File.open(at: path)

        let attributes = try file.attributes
        #expect(try attributes.read("title") == .string("written by h5py"))
        #expect(try attributes.read("epochs") == .int64(2500))
        #expect(try attributes.read("rate") == .float64(0.0075))
        #expect(try attributes.read("rate32") == .float32(0.5))
        #expect(try attributes.read("small") == .int32(-3))
        #expect(try attributes.read("byte") == .uint8(200))
        #expect(try attributes.read("short") == .int64(-12))
        #expect(try attributes.read("flag") == .bool(true))
        #expect(try attributes.read("fixed") == .string("fixed-bytes"))
        #expect(try attributes.read("dims") == .int64Array([12288, 20, 7, 5, 1]))
        #expect(try attributes.read("weights") == .float32Array([0.25, -1]))
        #expect(try attributes.read("mask") == .boolArray([true, false]))
        #expect(try attributes.read("names") == .stringArray(["relu", "sigmoid"]))
        #expect(try attributes.read("fixed_names") == .stringArray(["ab", "cde"]))
        #expect(try attributes.read("grid") == .int64Array([0, 1, 2, 3, 4, 5]))
        #expect(try attributes.names().count == 15)

        let data = try file.group(at: "/data")
        #expect(try data.attributes.read("source") == .string("h5py"))
        let x = try data.openDataset("x")
        #expect(try x.shape == [100, 8])
        #expect(try x.chunkShape == [10, 8])
        #expect(try x.filters.map(\.name) == ["shuffle", "deflate", "fletcher32"])
        #expect(try x.filters.first { $0.name == "deflate" }?.parameters == [4])
        #expect(try x.read(as: Double.self) == (0..<800).map { Double($0) / 8 })
        #expect(try x.readRows(50..<52, as: Double.self) == (400..<416).map { Double($0) / 8 })
        #expect(try x.attributes.read("scale").doubleValue == 8)
        let images = try data.openDataset("images")
        #expect(try images.elementType == .uint8)
        #expect(try images.shape == [5, 4, 4, 3])
        #expect(try images.read(as: UInt8.self) == (0..<240).map { UInt8($0 % 256) })
        #expect(try images.filters.map(\.name) == ["deflate"])
        #expect(try data.openDataset("labels").read(as: Int64.self) == [1, 0, 1, 1, 0])
        let f32 = try data.openDataset("f32")
        #expect(try f32.read(as: Float.self) == [0.5, -2.25, .infinity])
        #expect(try f32.read(as: Double.self) == [0.5, -2.25, .infinity])
        #expect(try data.openDataset("i32").read(as: Int32.self) == [1, -2, 3, -4])
        let i16 = try data.openDataset("i16")
        #expect(try i16.elementType == .int16)
        #expect(try i16.read(as: Int32.self) == [-300, 0, 300])
        #expect(try i16.read(as: Double.self) == [-300, 0, 300])
        #expect(throws: HDF5Error.self) { try i16.read(as: UInt8.self) }
        #expect(try data.openDataset("big_endian").read(as: Double.self) == [1.5, -2.5, 1e-300])
        let flags = try data.openDataset("flags")
        #expect(try flags.elementType == .bool)
        #expect(try flags.read(as: Bool.self) == [true, false, true, true])
        let classes = try data.openDataset("classes")
        #expect(try classes.elementType.numpyName == "|S7")
        #expect(try classes.readStrings() == ["non-cat", "cat"])
        let words = try data.openDataset("words")
        #expect(try words.elementType == .variableString)
        #expect(try words.readStrings() == ["α", "beta", ""])
        #expect(try data.openDataset("scalar").read(as: Double.self) == [3.5])
        let growing = try file.dataset(at: "/data/growing")
        #expect(try growing.maxShape == [nil, 2])
        try? file.close()

        // Appending to a dataset h5py made extendable.
        let writable = try HDF5File.open(at: path, mode: .readWrite)
        try writable.dataset(at: "/data/growing").append(rows: [6.0, 7.0])
        #expect(try writable.dataset(at: "/data/growing").read(as: Double.self) == (0..<8).map(Double.init))
        let huge = try writable.dataset(at: "/data/huge")
        #expect(try huge.shape == [1 << 40, 1024])
        let refused = try #require(throws: HDF5Error.self) { try huge.read(as: Double.self) }
        #expect(refused.code == .tooLarge)
        #expect(try huge.readRows(5..<7, as: Double.self) == [Double](repeating: 0, count: 2048))

        let root = try writable.root
        #expect(try root.members() == [
            HDF5Member(name: "a", kind: .group), HDF5Member(name: "dangling", kind: .other),
            HDF5Member(name: "data", kind: .group), HDF5Member(name: "link_to_labels", kind: .dataset),
        ])
        #expect(try root.exists("a/b/c"))
        #expect(try !root.exists("dangling"))
        #expect(try root.openDataset("link_to_labels").read(as: Int64.self) == [1, 0, 1, 1, 0])
        try writable.close()
    }
}
