import Foundation
import Testing
@testable import LNetStorage

@Suite("HDF5 file tree (lnet inspect)")
struct HDF5InspectionTests {
    private func makeFile(_ scratch: HDF5Scratch) throws -> String {
        let path = scratch.path("tree.h5")
        let file = try HDF5File.create(at: path)
        let root = try file.root
        try file.attributes.write("created_by", "lnet test")
        try file.attributes.write("nan", .float64(.nan))
        try file.attributes.write("limits", .float64Array([-.infinity, 1.5, .infinity]))
        try file.attributes.write("tenth", .float32(0.1))
        try file.attributes.write("quote", "say \"hi\"\n\tbye")
        let x = try root.createDataset(
            "data/x", shape: [4, 2], data: (0..<8).map(Double.init),
            options: DatasetOptions(chunkShape: [2, 2], deflateLevel: 4, shuffle: true))
        try x.attributes.write("mask", .boolArray([true, false]))
        try root.createDataset("data/y", data: [Int64(1), 0, 1, 1])
        try root.createDataset("scalar", shape: [], data: [Float(2)])
        try root.createExtendableDataset("grow", of: UInt8.self, rowShape: [3]).append(rows: [UInt8(1), 2, 3])
        try root.createGroup("empty/nested")
        try file.close()
        return path
    }

    @Test func treeListsEveryObjectDepthFirst() throws {
        let scratch = try HDF5Scratch()
        let tree = try HDF5FileTree(describing: try makeFile(scratch))
        #expect(tree.objects.map(\.path) == ["/", "/data", "/data/x", "/data/y", "/empty", "/empty/nested", "/grow", "/scalar"])
        #expect(tree.objects.map(\.kind) == [.group, .group, .dataset, .dataset, .group, .group, .dataset, .dataset])
        let x = try #require(tree.objects.first { $0.path == "/data/x" })
        #expect(x.dtype == "float64")
        #expect(x.shape == [4, 2])
        #expect(x.chunkShape == [2, 2])
        #expect(x.filters.map(\.name) == ["shuffle", "deflate"])
        #expect(x.attributes == [HDF5FileTree.Attribute(name: "mask", value: .boolArray([true, false]))])
        let grow = try #require(tree.objects.first { $0.path == "/grow" })
        #expect(grow.maxShape == [nil, 3])
    }

    @Test func jsonIsValidWithNullForNonFiniteNumbers() throws {
        let scratch = try HDF5Scratch()
        let path = try makeFile(scratch)
        let json = try HDF5FileTree(describing: path).renderJSON()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(parsed["file"] as? String == path)
        let objects = try #require(parsed["objects"] as? [[String: Any]])
        #expect(objects.count == 8)
        for object in objects {
            let keys = Set(object.keys)
            #expect(keys.isSuperset(of: ["path", "kind", "dtype", "shape", "attributes", "filters"]))
        }
        let root = try #require(objects.first)
        let attributes = try #require(root["attributes"] as? [String: Any])
        #expect(attributes["nan"] is NSNull)
        #expect((attributes["limits"] as? [Any]).map { $0.count } == 3)
        #expect((attributes["limits"] as? [Any])?.first is NSNull)
        #expect(attributes["created_by"] as? String == "lnet test")
        #expect(attributes["quote"] as? String == "say \"hi\"\n\tbye")
        #expect(json.contains("\"tenth\": 0.1\n"))
        let x = try #require(objects.first { $0["path"] as? String == "/data/x" })
        #expect(x["chunks"] as? [Int] == [2, 2])
        #expect(x["dtype"] as? String == "float64")
        #expect((x["filters"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["shuffle", "deflate"])
        let y = try #require(objects.first { $0["path"] as? String == "/data/y" })
        #expect(y["chunks"] == nil)
        let scalar = try #require(objects.first { $0["path"] as? String == "/scalar" })
        #expect(scalar["shape"] as? [Int] == [])
        let group = try #require(objects.first { $0["path"] as? String == "/empty" })
        #expect(group["dtype"] is NSNull)
        // Deterministic: the same file renders to the same bytes.
        #expect(try HDF5FileTree(describing: path).renderJSON() == json)
        // Keys in a fixed order within each object.
        let keyOrder = ["\"path\"", "\"kind\"", "\"dtype\"", "\"shape\"", "\"chunks\"", "\"filters\"", "\"attributes\""]
        let xText = try #require(json.range(of: "\"path\": \"/data/x\"")).lowerBound
        let positions = keyOrder.compactMap { json.range(of: $0, range: xText..<json.endIndex)?.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func textLooksLikeH5ls() throws {
        let scratch = try HDF5Scratch()
        let text = try HDF5FileTree(describing: try makeFile(scratch)).renderText()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("/data/x                  Dataset {4, 2}"))
        #expect(lines.contains("/grow                    Dataset {1/Inf, 3}"))
        #expect(lines.contains("/scalar                  Dataset {SCALAR}"))
        #expect(lines.contains { $0.hasPrefix("    Storage:   chunked {2, 2}; filters shuffle, deflate(4); ") && $0.hasSuffix(" bytes in file") })
        #expect(lines.contains("    Attribute: mask = [True, False]"))
        #expect(lines.contains("    Attribute: created_by = \"lnet test\""))
        #expect(lines.contains("    Attribute: nan = nan"))
    }

    @Test func matchesH5lsOnTheCourseFile() throws {
        guard CourseFiles.available else {
            print(CourseFiles.skipMessage)
            return
        }
        let h5ls = try #require(
            ["/usr/bin/h5ls", "/usr/local/bin/h5ls"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "h5ls is missing: run scripts/setup")
        for path in [CourseFiles.train, CourseFiles.test] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: h5ls)
            process.arguments = ["-r", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let reference = Self.pathsAndExtents(output)
            let ours = Self.pathsAndExtents(try HDF5FileTree(describing: path).renderText())
            #expect(reference.count == 4)
            #expect(ours == reference)
        }
    }

    /// "path kind {extent}" for every object line of h5ls -r style output.
    static func pathsAndExtents(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("/") }.map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
    }
}
