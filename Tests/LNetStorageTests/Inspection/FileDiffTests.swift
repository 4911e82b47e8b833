import Foundation
import Testing
@testable import LNetStorage

@Suite("FileDiff")
struct FileDiffTests {
    /// Writes a small checkpoint-like file; `change` edits it before closing.
    static func write(_ path: String, w: [Double] = [1, 2, 3, 4, 5, 6], change: (HDF5Group) throws -> Void = { _ in }) throws {
        let file = try HDF5File.create(at: path)
        let root = try file.root
        try root.attributes.write("format", "lnet-checkpoint")
        let parameters = try root.createGroup("parameters")
        _ = try parameters.createDataset("W1", shape: [2, 3], data: w)
        _ = try parameters.createDataset("labels", strings: ["cat", "non-cat"])
        try change(root)
        try file.close()
    }

    @Test func identicalFilesAreEqual() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"))
        try Self.write(scratch.path("b.h5"))
        let diff = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"))
        #expect(diff.isEqual)
        #expect(diff.comparedObjects == 4)
        #expect(diff.renderText() == "")
    }

    @Test func nanEqualsNanAndToleranceApplies() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"), w: [.nan, 2, 3, 4, 5, 6.0001])
        try Self.write(scratch.path("b.h5"), w: [.nan, 2, 3, 4, 5, 6])
        #expect(!(try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"))).isEqual)
        #expect(try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"), absoluteTolerance: 2e-4, nanEqual: true).isEqual)
        #expect(try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"), relativeTolerance: 2e-5, nanEqual: true).isEqual)
    }

    /// numpy's `isclose` rule: a NaN equals nothing unless asked (`equal_nan=True`, `--nan-equal`), and then only a NaN.
    @Test func aNanDiffersFromANanUnlessNanEqual() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"), w: [.nan, 2, 3, 4, 5, .nan])
        try Self.write(scratch.path("b.h5"), w: [.nan, 2, 3, 4, 5, 6])
        let strict = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"), absoluteTolerance: 1e300)
        #expect(strict.differences.first { $0.kind == .values }?.values?.differingCount == 2)
        let lenient = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"), absoluteTolerance: 1e300,
                                   nanEqual: true)
        #expect(lenient.differences.first { $0.kind == .values }?.values?.differingCount == 1)
        #expect(lenient.differences.first { $0.kind == .values }?.values?.firstIndex == [1, 2])
        #expect(lenient.renderText(brief: true) == scratch.path("a.h5") + "/parameters/W1\n")
        #expect(lenient.renderText().hasPrefix(scratch.path("a.h5") + "/parameters/W1: 1 of 6 values differ"))
    }

    @Test func reportsCountMaximumAndFirstIndex() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"), w: [1, 2.5, 3, 4, 5, 9])
        try Self.write(scratch.path("b.h5"))
        let diff = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"))
        let values = try #require(diff.differences.first { $0.kind == .values }?.values)
        #expect(values.differingCount == 2)
        #expect(values.comparedCount == 6)
        #expect(values.maxAbsoluteDifference == 3)
        #expect(values.maxIndex == [1, 2])
        #expect(values.firstIndex == [0, 1])
        #expect(diff.renderText().contains("/parameters/W1: 2 of 6 values differ; max |a-b| = 3.0 at [1, 2]; first at [0, 1]: 2.5 vs 2.0"))
    }

    @Test func structureShapesDtypesAndAttributes() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5")) { root in
            _ = try root.createGroup("optimizer")
            _ = try root.createDataset("costs", data: [1.0, 2.0])
            _ = try root.createDataset("t", data: [Int64(1), 2])
            try root.attributes.write("epoch", 5)
        }
        try Self.write(scratch.path("b.h5")) { root in
            _ = try root.createDataset("costs", data: [1.0, 2.0, 3.0])
            _ = try root.createDataset("t", data: [Double(1), 2])
            try root.attributes.write("epoch", 6)
            _ = try root.createDataset("extra", data: [1.0])
        }
        let diff = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"))
        let kinds = Set(diff.differences.map { "\($0.path) \($0.kind.rawValue)" })
        #expect(kinds.contains("/optimizer only in A"))
        #expect(kinds.contains("/extra only in B"))
        #expect(kinds.contains("/costs shape"))
        #expect(kinds.contains("/t dtype"))
        #expect(kinds.contains("/ attribute"))
        #expect(!kinds.contains("/t values"), "int64 [1, 2] and float64 [1, 2] hold the same numbers")
    }

    @Test func stringsAreCompared() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"))
        try Self.write(scratch.path("b.h5")) { root in
            _ = try root.createDataset("names", strings: ["x"])
        }
        try Self.write(scratch.path("c.h5")) { root in
            _ = try root.createDataset("names", strings: ["y"])
        }
        let diff = try FileDiff(comparing: scratch.path("b.h5"), with: scratch.path("c.h5"))
        #expect(diff.differences.map(\.path) == ["/names"])
        #expect(diff.differences.first?.values?.firstA == "\"x\"")
    }

    /// Blocks of rows: a dataset larger than one block compares the same.
    @Test func streamsInRowBlocks() throws {
        #expect(DatasetBlocks.rowsPerBlock([10_000_000, 4]) == (1 << 20) / 4)
        #expect(DatasetBlocks.rowsPerBlock([3, 1 << 22]) == 1)
        let scratch = try HDF5Scratch()
        let rows = 300_000
        var values = (0..<(rows * 4)).map { Double($0) }
        for path in ["a.h5", "b.h5"] {
            let file = try HDF5File.create(at: scratch.path(path))
            _ = try file.root.createDataset("x", shape: [rows, 4], data: values)
            try file.close()
            values[rows * 4 - 1] += 0.5
        }
        let diff = try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("b.h5"))
        #expect(diff.differences.first?.values?.firstIndex == [rows - 1, 3])
        #expect(diff.differences.first?.values?.differingCount == 1)
    }

    @Test func unreadableFileThrows() throws {
        let scratch = try HDF5Scratch()
        try Self.write(scratch.path("a.h5"))
        #expect(throws: HDF5Error.self) { try FileDiff(comparing: scratch.path("a.h5"), with: scratch.path("missing.h5")) }
    }
}
