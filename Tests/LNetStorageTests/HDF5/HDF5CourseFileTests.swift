import Foundation
import Testing
@testable import LNetStorage

/// The real course files. They live outside the repository, so the tests
/// say so and pass when the files are absent.
@Suite("HDF5 course files (cat/non-cat)")
struct HDF5CourseFileTests {
    @Test func trainingFile() throws {
        guard CourseFiles.available else {
            print(CourseFiles.skipMessage)
            return
        }
        let file = try HDF5File.open(at: CourseFiles.train)
        #expect(try file.root.members() == [
            HDF5Member(name: "list_classes", kind: .dataset),
            HDF5Member(name: "train_set_x", kind: .dataset),
            HDF5Member(name: "train_set_y", kind: .dataset),
        ])
        let x = try file.dataset(at: "train_set_x")
        #expect(try x.shape == [209, 64, 64, 3])
        #expect(try x.elementType == .uint8)
        let pixels = try x.read(as: UInt8.self)
        #expect(pixels.count == 209 * 64 * 64 * 3)
        #expect(Array(pixels.prefix(6)) == [17, 31, 56, 22, 33, 59])
        #expect(Array(pixels.suffix(3)) == [0, 0, 0])
        // A mini-batch read streams just those rows, converted to Double.
        var batch = [Double](repeating: 0, count: 2 * 64 * 64 * 3)
        try batch.withUnsafeMutableBufferPointer { try x.readRows(0..<2, into: $0) }
        #expect(batch.prefix(6).map { UInt8($0) } == Array(pixels.prefix(6)))
        #expect(batch.last.map { UInt8($0) } == pixels[2 * 64 * 64 * 3 - 1])

        let y = try file.dataset(at: "train_set_y")
        #expect(try y.elementType == .int64)
        #expect(try y.shape == [209])
        #expect(try y.read(as: Int64.self).reduce(0, +) == 72)
        let classes = try file.dataset(at: "list_classes")
        #expect(try classes.elementType.numpyName == "|S7")
        #expect(try classes.readStrings() == ["non-cat", "cat"])
    }

    @Test func testFile() throws {
        guard CourseFiles.available else {
            print(CourseFiles.skipMessage)
            return
        }
        let file = try HDF5File.open(at: CourseFiles.test)
        #expect(try file.dataset(at: "test_set_x").shape == [50, 64, 64, 3])
        #expect(try file.dataset(at: "test_set_y").read(as: Double.self).reduce(0, +) == 33)
        #expect(try file.dataset(at: "list_classes").readStrings() == ["non-cat", "cat"])
    }
}
