import Foundation
import Testing
@testable import LNetStorage

@Suite("HDF5 files, groups and paths")
struct HDF5FileAndGroupTests {
    @Test func createModes() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("f.h5")
        let first = try HDF5File.create(at: path)
        try first.root.createDataset("x", data: [1.0])
        try first.close()
        let exists = try #require(throws: HDF5Error.self) { try HDF5File.create(at: path) }
        #expect(exists.code == .alreadyExists)
        #expect(exists.description == "cannot create file \(path): a file already exists at this path")
        #expect(try HDF5File.open(at: path).exists("x"))
        let truncated = try HDF5File.create(at: path, mode: .truncate)
        #expect(try !truncated.exists("x"))
        try truncated.close()
    }

    @Test func readOnlyAndReadWrite() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("f.h5")
        try HDF5File.create(at: path).close()
        let readOnly = try HDF5File.open(at: path)
        #expect(readOnly.accessMode == .readOnly)
        let refused = try #require(throws: HDF5Error.self) { try readOnly.root.createGroup("g") }
        #expect(refused.code == .library)
        try readOnly.close()
        let readWrite = try HDF5File.open(at: path, mode: .readWrite)
        try readWrite.root.createGroup("g")
        try readWrite.flush()
        try readWrite.close()
        #expect(try HDF5File.open(at: path).exists("/g"))
    }

    @Test func closeIsDeterministic() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("f.h5")
        let file = try HDF5File.create(at: path)
        let dataset = try file.root.createDataset("x", data: [1.0, 2.0])
        let group = try file.root.createGroup("g")
        try file.close()
        #expect(file.isClosed)
        try file.close()
        let closed = try #require(throws: HDF5Error.self) { try dataset.read(as: Double.self) }
        #expect(closed.code == .closed)
        #expect(throws: HDF5Error.self) { try group.members() }
        #expect(throws: HDF5Error.self) { try file.root }
        // The file was really released: it can be reopened and rewritten at once.
        let again = try HDF5File.create(at: path, mode: .truncate)
        try again.close()
    }

    @Test func groupsMembersAndExists() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("g.h5"))
        let root = try file.root
        let deep = try root.createGroup("a/b/c")
        #expect(deep.path == "/a/b/c")
        try deep.createDataset("w", data: [Int64(1)])
        try root.createDataset("a/x", data: [1.0])
        try root.createDataset("/z/deeper/y", data: [UInt8(1)])
        #expect(try root.members() == [
            HDF5Member(name: "a", kind: .group), HDF5Member(name: "z", kind: .group),
        ])
        let a = try root.openGroup("a")
        #expect(try a.members() == [HDF5Member(name: "b", kind: .group), HDF5Member(name: "x", kind: .dataset)])
        #expect(try a.exists("b/c/w"))
        #expect(try a.exists("/a/b"))
        #expect(try root.exists("/"))
        #expect(try root.exists("z/deeper/y"))
        #expect(try !root.exists("nope/deeper/y"))
        #expect(try !root.exists("a/b/nope"))
        #expect(try !root.exists("a/x/under-a-dataset"))
        #expect(try file.dataset(at: "/a/b/c/w").read(as: Int64.self) == [1])
        #expect(try a.openDataset("b/c/w").path == "/a/b/c/w")
        let missing = try #require(throws: HDF5Error.self) { try root.openDataset("a/nope") }
        #expect(missing.code == .notFound)
        #expect(missing.description.contains("'/a/nope'"))
        let wrongKind = try #require(throws: HDF5Error.self) { try root.openDataset("a/b") }
        #expect(wrongKind.code == .typeMismatch)
        #expect(wrongKind.description.contains("is a group, not a dataset"))
        #expect(throws: HDF5Error.self) { try root.openGroup("a/x") }
        let again = try #require(throws: HDF5Error.self) { try root.createGroup("a/b") }
        #expect(again.code == .alreadyExists)
        let clash = try #require(throws: HDF5Error.self) { try root.createDataset("a/x", data: [2.0]) }
        #expect(clash.code == .alreadyExists)
        #expect(throws: HDF5Error.self) { try root.createGroup("") }
    }

    @Test func concurrentReadersAreSerialised() async throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("c.h5")
        do {
            let file = try HDF5File.create(at: path)
            try file.root.createDataset("x", shape: [100, 10], data: (0..<1000).map(Double.init))
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        let dataset = try file.dataset(at: "x")
        let sums = try await withThrowingTaskGroup(of: Double.self) { group in
            for start in stride(from: 0, to: 100, by: 10) {
                group.addTask { try dataset.readRows(start..<(start + 10), as: Double.self).reduce(0, +) }
            }
            return try await group.reduce(into: [Double]()) { $0.append($1) }
        }
        #expect(sums.reduce(0, +) == Double(999 * 1000 / 2))
    }
}
