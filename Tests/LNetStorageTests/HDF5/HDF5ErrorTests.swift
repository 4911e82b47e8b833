import Foundation
import Testing
@testable import LNetStorage

@Suite("HDF5 errors for bad files")
struct HDF5ErrorTests {
    @Test func missingFile() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("absent.h5")
        let error = try #require(throws: HDF5Error.self) { try HDF5File.open(at: path) }
        #expect(error.code == .noSuchFile)
        #expect(error.description == "cannot open file \(path): no such file")
    }

    @Test func emptyFile() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("empty.h5")
        try Data().write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: HDF5Error.self) { try HDF5File.open(at: path) }
        #expect(error.code == .notHDF5File)
        #expect(error.description.contains("empty"))
        #expect(error.description.contains(path))
    }

    @Test func randomBytes() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("random.h5")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: HDF5Error.self) { try HDF5File.open(at: path) }
        #expect(error.code == .notHDF5File)
        #expect(error.description == "cannot open file \(path): not an HDF5 file (no HDF5 signature found)")
    }

    @Test func directory() throws {
        let scratch = try HDF5Scratch()
        let error = try #require(throws: HDF5Error.self) { try HDF5File.open(at: scratch.directory.path) }
        #expect(error.code == .notHDF5File)
    }

    @Test func truncatedFile() throws {
        let scratch = try HDF5Scratch()
        let whole = scratch.path("whole.h5")
        do {
            let file = try HDF5File.create(at: whole)
            try file.root.createDataset("x", shape: [64, 64], data: [Double](repeating: 1, count: 4096))
            try file.close()
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        for keep in [8, 100, 1000, bytes.count / 2, bytes.count - 1] {
            let path = scratch.path("cut-\(keep).h5")
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: path))
            // Either opening or reading fails, with HDF5's reason; never a crash.
            let error = try #require(throws: HDF5Error.self, "kept \(keep) bytes") {
                let file = try HDF5File.open(at: path)
                _ = try file.dataset(at: "x").read(as: Double.self)
            }
            #expect(error.description.contains(path))
            #expect(!error.reason.isEmpty)
            if keep >= 1000 {
                // In words, not HDF5's internals ("eof = …, sblock->base_addr = …").
                #expect(error.reason == "the file is truncated: it has \(keep) bytes of the \(bytes.count) its superblock declares",
                        "\(error)")
                #expect(error.libraryStack.count > 1)
            }
        }
    }

    @Test func absurdSizesAreRefused() throws {
        let site = HDF5Site(file: "f.h5", path: "/x")
        let huge = try #require(throws: HDF5Error.self) {
            try HDF5Dataspace.checkedCount([1 << 40, 1 << 30], elementSize: 8, site: site, operation: "read dataset")
        }
        #expect(huge.code == .tooLarge)
        let overLimit = try #require(throws: HDF5Error.self) {
            try HDF5Dataspace.checkedCount([1 << 31, 8], elementSize: 1, site: site, operation: "read dataset")
        }
        #expect(overLimit.code == .tooLarge)
        #expect(try HDF5Dataspace.checkedCount([209, 64, 64, 3], elementSize: 1, site: site, operation: "read") == 2_568_192)
    }

    @Test func messagesNameFileObjectAndOperation() throws {
        let error = HDF5Error(
            code: .library, operation: "read dataset", file: "data/train.h5", objectPath: "/x",
            reason: "can't open directory")
        #expect(error.description == "cannot read dataset '/x' in data/train.h5: can't open directory")
    }
}
