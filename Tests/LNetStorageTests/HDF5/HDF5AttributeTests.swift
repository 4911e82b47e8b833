import Foundation
import Testing
@testable import LNetStorage

@Suite("HDF5 attributes")
struct HDF5AttributeTests {
    static let everyKind: [(String, AttributeValue)] = [
        ("i64", .int64(-7)),
        ("i32", .int32(123_456)),
        ("u8", .uint8(255)),
        ("f64", .float64(0.0075)),
        ("f32", .float32(1.5)),
        ("yes", .bool(true)),
        ("no", .bool(false)),
        ("text", .string("L-layer network, α = 0.0075")),
        ("empty_text", .string("")),
        ("i64s", .int64Array([12288, 20, 7, 5, 1])),
        ("i32s", .int32Array([-1, 0, 1])),
        ("u8s", .uint8Array([0, 128, 255])),
        ("f64s", .float64Array([0.5, -1e-300, .infinity])),
        ("f32s", .float32Array([0.25])),
        ("bools", .boolArray([true, false, true])),
        ("texts", .stringArray(["non-cat", "cat", ""])),
        ("no_texts", .stringArray([])),
        ("no_numbers", .float64Array([])),
    ]

    @Test func everyKindRoundTripsOnFileGroupAndDataset() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("attributes.h5")
        do {
            let file = try HDF5File.create(at: path)
            let group = try file.root.createGroup("g/h")
            let dataset = try group.createDataset("d", data: [1.0])
            for attributes in [try file.attributes, group.attributes, dataset.attributes] {
                for (name, value) in Self.everyKind { try attributes.write(name, value) }
            }
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        for attributes in [try file.attributes, try file.group(at: "/g/h").attributes, try file.dataset(at: "/g/h/d").attributes] {
            #expect(try attributes.names() == Self.everyKind.map(\.0).sorted())
            for (name, value) in Self.everyKind {
                #expect(try attributes.read(name) == value, "attribute \(name)")
            }
            #expect(try attributes.all().count == Self.everyKind.count)
        }
    }

    @Test func literalsAccessorsAndReplacement() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("a.h5"))
        let attributes = try file.attributes
        try attributes.write("epochs", 2500)
        try attributes.write("rate", 0.0075)
        try attributes.write("shuffle", true)
        try attributes.write("name", "cat model")
        #expect(try attributes.read("epochs").int64Value == 2500)
        #expect(try attributes.read("epochs").intValue == 2500)
        #expect(try attributes.read("epochs").doubleValue == 2500)
        #expect(try attributes.read("rate").doubleValue == 0.0075)
        #expect(try attributes.read("rate").int64Value == nil)
        #expect(try attributes.read("shuffle").boolValue == true)
        #expect(try attributes.read("name").stringValue == "cat model")
        #expect(try attributes.read("name").stringArrayValue == ["cat model"])
        #expect(AttributeValue.int32Array([1, 2]).int64ArrayValue == [1, 2])
        #expect(AttributeValue.uint8Array([1, 2]).doubleArrayValue == [1, 2])
        #expect(AttributeValue.float32(0.5).doubleValue == 0.5)
        #expect(AttributeValue.stringArray(["a"]).description == "[\"a\"]")
        #expect(AttributeValue.boolArray([true, false]).description == "[True, False]")
        // Writing again replaces, even with another type.
        try attributes.write("epochs", .string("many"))
        #expect(try attributes.read("epochs") == .string("many"))
        #expect(try attributes.contains("epochs"))
        try attributes.delete("epochs")
        #expect(try !attributes.contains("epochs"))
        let missing = try #require(throws: HDF5Error.self) { try attributes.read("epochs") }
        #expect(missing.code == .notFound)
        #expect(missing.description.contains("'epochs'"))
        #expect(throws: HDF5Error.self) { try attributes.delete("epochs") }
        #expect(throws: HDF5Error.self) { try attributes.write("", 1) }
        #expect(throws: HDF5Error.self) { try attributes.write("nul", .string("a\u{0}b")) }
        #expect(try !attributes.contains("nul"))
    }
}
