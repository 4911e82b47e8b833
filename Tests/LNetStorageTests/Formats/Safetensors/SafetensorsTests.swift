import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// The safetensors room: the writer and reader against each other and against the real Python library, and the
/// header's rules one by one (the command-line refusals are the bad-input matrix's).
@Suite("safetensors: header, reader, writer")
struct SafetensorsTests {
    static func file(_ bytes: [UInt8]) throws -> String {
        let folder = try Repository.scratchFolder("safetensors")
        let path = folder.appendingPathComponent("t.safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A file of `header` (JSON text, not padded) and `data` bytes.
    static func raw(_ header: String, data: Int) -> [UInt8] {
        let json = Array(header.utf8)
        var length = UInt64(json.count).littleEndian
        return withUnsafeBytes(of: &length) { Array($0) } + json + [UInt8](repeating: 0, count: data)
    }

    static func problem(_ bytes: [UInt8]) throws -> SafetensorsProblem? {
        do {
            _ = try SafetensorsFile.open(try file(bytes))
            return nil
        } catch let error as SafetensorsError {
            return error.problem
        }
    }

    @Test func writerAndReaderAgreeOnEveryWritableType() throws {
        var writer = SafetensorsWriter(metadata: [("format", "pt"), ("quote\"and\\back", "line\nbreak é 🙂")])
        try writer.add("w", dtype: .f64, shape: [2, 3], values: [1, -2.5, .pi, 1e-300, -0.0, 7])
        try writer.add("h", dtype: .f32, shape: [3], values: [0.1, 1e30, -3])
        try writer.add("n", dtype: .i64, shape: [2], values: [-5, 4_503_599_627_370_496])
        try writer.add("k", dtype: .u32, shape: [2], values: [0, 4_294_967_295])
        try writer.add("s", dtype: .f64, shape: [], values: [12])
        let path = try Self.file(try writer.encoded())
        let file = try SafetensorsFile.open(path)
        #expect(file.headerLength % 8 == 0)
        #expect(file.header.metadata?.map(\.value) == ["pt", "line\nbreak é 🙂"])
        #expect(file.header.metadataValue("quote\"and\\back") == "line\nbreak é 🙂")
        let expected: [Double] = [1, -2.5, .pi, 1e-300, -0.0, 7]
        #expect(try file.values(of: "w").map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(try file.values(of: "h") == [Double(Float(0.1)), Double(Float(1e30)), -3])
        #expect(try file.values(of: "n") == [-5, 4_503_599_627_370_496])
        #expect(try file.values(of: "k") == [0, 4_294_967_295])
        #expect(try file.values(of: "s") == [12])
        #expect(file.header.entry(named: "s")?.shape == [])
    }

    @Test func theWriterRefusesWhatTheFormatCannotHold() throws {
        var writer = SafetensorsWriter()
        #expect(throws: SafetensorsProblem.self) { try writer.add("a", dtype: .f64, shape: [2], values: [1]) }
        try writer.add("a", dtype: .f64, shape: [1], values: [1])
        try writer.add("a", dtype: .f64, shape: [1], values: [2])
        #expect(throws: SafetensorsProblem.duplicateName("a")) { try writer.encoded() }
        var integers = SafetensorsWriter()
        try integers.add("u", dtype: .u32, shape: [1], values: [-1])
        #expect(throws: SafetensorsProblem.notConvertible(tensor: "u", dtype: .u32)) { try integers.encoded() }
    }

    /// Each rule of the header, on a file otherwise valid.
    @Test func everyRuleOfTheHeader() throws {
        let entry = { (dtype: String, shape: String, begin: Int, end: Int) in
            "{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}"
        }
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "2", 0, 16))}", data: 16)) == nil)
        #expect(try Self.problem(Self.raw("{}", data: 0)) == nil)
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "2", 0, 16))}", data: 17)) == .dataLength(tensorsEnd: 16, dataLength: 17))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "2", 0, 16))}", data: 8)) == .dataLength(tensorsEnd: 16, dataLength: 8))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "1", 8, 16))}", data: 16))
            == .offsetNotContiguous(tensor: "a", begin: 8, expected: 0))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "2", 0, 16)),\"b\":\(entry("U8", "8", 8, 16))}", data: 16))
            == .offsetNotContiguous(tensor: "b", begin: 8, expected: 16))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F4", "3", 0, 2))}", data: 2)) == .misaligned(tensor: "a"))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F4", "4", 0, 2))}", data: 2)) == nil)
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("BF16", "3", 0, 4))}", data: 4))
            == .sizeMismatch(tensor: "a", dtype: .bf16, shape: [3], expectedBytes: 6, offsetBytes: 4))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "4611686018427387904,4", 0, 8))}", data: 8)) == .sizeOverflow(tensor: "a"))
        #expect(try Self.problem(Self.raw("{\"a\":\(entry("F64", "1", 8, 0))}", data: 8)) == .offsetsMalformed(tensor: "a"))
        #expect(try Self.problem(Self.raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[1]}}", data: 0)) == .entryFieldMissing(tensor: "a", field: "data_offsets"))
        #expect(try Self.problem(Self.raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8],\"x\":1}}", data: 8))
            == .entryFieldUnknown(tensor: "a", field: "x"))
        #expect(try Self.problem(Self.raw("{\"__metadata__\":{\"k\":[\"v\"]}}", data: 0)) == .metadataNotString(key: "k"))
        #expect(try Self.problem(Self.raw("{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}}", data: 0)) == .duplicateName("k"))
        #expect(try Self.problem(Self.raw("{\"__metadata__\":null}", data: 0)) == nil)
    }

    @Test func theParserTakesJSONAsTheFormatWritesIt() throws {
        // Escapes, a surrogate pair, whitespace and the writer's padding all parse; numbers are integers only.
        let header = try SafetensorsHeader.parse(Array("""
             { "__metadata__" : { "n\\u00e9\\ud83d\\ude42\\/\\t" : "" } ,
              "a" : { "shape" : [ 1 ] , "dtype" : "F64" , "data_offsets" : [ 0 , 8 ] } }\u{20}\u{20}
            """.utf8))
        #expect(header.metadata?.first?.key == "né🙂/\t")
        #expect(header.entries.first?.end == 8)
        func refused(_ text: String) -> Bool { (try? SafetensorsHeader.parse(Array(text.utf8))) == nil }
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[1.0],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[1e1],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[01],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[[[[1]]]],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}"))
        #expect(refused("{\"\\ud800\":{}}"))
        #expect(refused("{\"a\u{01}\":{}}"))
        #expect(refused("{} x"))
        #expect(refused("[]"))
    }

    @Test func sizesAreBoundedBeforeMemoryIsTaken() throws {
        // A header length past the format's bound, and one past the end of a small file: refused before reading.
        var huge = UInt64(100_000_001).littleEndian
        #expect(try Self.problem(withUnsafeBytes(of: &huge) { Array($0) } + Array("{}".utf8)) == .headerTooLarge(100_000_001))
        var long = UInt64(1 << 40).littleEndian
        #expect(try Self.problem(withUnsafeBytes(of: &long) { Array($0) } + Array("{}".utf8)) == .headerTooLarge(1 << 40))
        var past = UInt64(1000).littleEndian
        #expect(try Self.problem(withUnsafeBytes(of: &past) { Array($0) } + Array("{}".utf8))
            == .headerLengthPastEnd(declared: 1000, fileSize: 10))
        // Converting to float64 is weighed against the limit first: F16 doubles fourfold.
        var writer = SafetensorsWriter()
        try writer.add("w", dtype: .f32, shape: [1000], values: Array(repeating: 1, count: 1000))
        let path = try Self.file(try writer.encoded())
        let file = try SafetensorsFile.open(path, memoryLimit: 7999)
        #expect(throws: SafetensorsError(path: path, problem: .memory(neededBytes: 8000, allowedBytes: 7999))) {
            try file.values(of: "w")
        }
    }

    /// Files the real library writes, read here; files written here, read by the real library.
    @Test func theRealLibraryAndLNetReadEachOther() throws {
        let folder = try Repository.scratchFolder("safetensors-python")
        var writer = SafetensorsWriter(metadata: [("format", "pt"), ("lnet.note", "ünïcode \"quoted\"")])
        try writer.add("0.weight", dtype: .f64, shape: [2, 2], values: [0.1, -2, 3e-310, 4])
        try writer.add("step", dtype: .f32, shape: [], values: [7])
        try writer.add("key", dtype: .u32, shape: [3], values: [1, 2, 4_000_000_000])
        try writer.write(to: folder.appendingPathComponent("ours.safetensors").path)
        let output = try Python.run(script: """
            import json, sys, numpy as np
            from safetensors import safe_open
            from safetensors.numpy import save_file, load_file
            ours = load_file("ours.safetensors")
            with safe_open("ours.safetensors", framework="np") as f:
                metadata = f.metadata()
            rng = np.random.RandomState(0)
            theirs = {"f16": rng.randn(3, 2).astype(np.float16), "f32": rng.randn(5).astype(np.float32),
                      "i16": np.array([-3, 7], dtype=np.int16), "u8": np.arange(4, dtype=np.uint8),
                      "b": np.array([True, False]), "i64": np.array([[-(2**40)]], dtype=np.int64)}
            save_file(theirs, "theirs.safetensors", metadata={"k": "v"})
            print(json.dumps({"ours": {k: [v.dtype.str, list(v.shape), v.astype(np.float64).ravel().tolist()] for k, v in ours.items()},
                              "metadata": metadata,
                              "theirs": {k: [float(e).hex() for e in v.astype(np.float64).ravel()] for k, v in theirs.items()}}))
            """, in: folder)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let ours = try #require(json["ours"] as? [String: [Any]])
        #expect(ours["0.weight"]?[0] as? String == "<f8")
        #expect((ours["0.weight"]?[2] as? [Double]) == [0.1, -2, 3e-310, 4])
        #expect(ours["step"]?[0] as? String == "<f4")
        #expect((ours["step"]?[1] as? [Int]) == [])
        #expect((ours["key"]?[2] as? [Double]) == [1, 2, 4_000_000_000])
        #expect((json["metadata"] as? [String: String]) == ["format": "pt", "lnet.note": "ünïcode \"quoted\""])
        // Exact values as hexadecimal floats: no decimal conversion on the way.
        let theirs = try #require(json["theirs"] as? [String: [String]]).mapValues { $0.compactMap(Double.init) }
        let file = try SafetensorsFile.open(folder.appendingPathComponent("theirs.safetensors").path)
        #expect(file.header.metadataValue("k") == "v")
        for (name, values) in theirs {
            #expect(try file.values(of: name) == values, "\(name)")
        }
        #expect(file.header.entry(named: "f16")?.dtype == .f16)
        #expect(file.header.entry(named: "b")?.dtype == .bool)
    }
}
