import Foundation
import Testing
@testable import LNetStorage

@Suite("TensorStatistics and CheckpointSummary")
struct TensorStatisticsAndSummaryTests {
    @Test func statisticsOfFiniteValuesCountNaNAndInf() {
        let stats = TensorStatistics(values: [1, 2, 3, 4, .nan, .infinity, -.infinity])
        #expect(stats.count == 7)
        #expect(stats.nanCount == 1)
        #expect(stats.infinityCount == 2)
        #expect(stats.min == 1)
        #expect(stats.max == 4)
        #expect(stats.mean == 2.5)
        #expect(abs((stats.std ?? 0) - 1.118033988749895) < 1e-15)
        #expect(abs((stats.l2Norm ?? 0) - 30.0.squareRoot()) < 1e-14)
        #expect(TensorStatistics(values: [1e200, 1e200]).l2Norm.map { abs($0 / (2.0.squareRoot() * 1e200) - 1) < 1e-15 } == true)
        let empty = TensorStatistics(values: [.nan])
        #expect(empty.min == nil && empty.mean == nil && empty.nanCount == 1)
        #expect(empty.json.rendered(indent: 0).contains("\"min\": null"))
    }

    @Test func statisticsStreamBlocksOfADataset() throws {
        let scratch = try HDF5Scratch()
        let file = try HDF5File.create(at: scratch.path("s.h5"))
        let values = (0..<1000).map { Double($0) }
        let dataset = try file.root.createDataset("x", shape: [250, 4], data: values)
        var blocks = 0
        try DatasetBlocks.forEach(dataset, targetValues: 100) { _ in blocks += 1 }
        #expect(blocks == 10)
        let stats = try TensorStatistics(of: dataset)
        #expect(stats.mean == 499.5)
        #expect(stats.max == 999)
        try file.close()
    }

    /// A parameters-only checkpoint, as a numpy user writes it (formats/checkpoint.md).
    @Test func summaryOfAParametersOnlyCheckpoint() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("mine.h5")
        let file = try HDF5File.create(at: path)
        let model = try file.root.createGroup("model")
        try model.attributes.write("layer_dims", .int64Array([2, 3, 1]))
        try model.attributes.write("activations", .stringArray(["relu", "sigmoid"]))
        try model.attributes.write("loss", "binary_cross_entropy")
        let parameters = try file.root.createGroup("parameters")
        _ = try parameters.createDataset("W1", shape: [3, 2], data: [1, 2, 3, 4, 5, Double.nan])
        _ = try parameters.createDataset("b1", shape: [3, 1], data: [0, 0, 0.0])
        _ = try parameters.createDataset("W2", shape: [1, 3], data: [1, 1, 1.0])
        _ = try parameters.createDataset("b2", shape: [1, 1], data: [0.5])
        try file.close()

        let report = try InspectionReport(path: path, statistics: true)
        let summary = try #require(report.checkpoint)
        #expect(summary.layerDims == [2, 3, 1])
        #expect(summary.parameterCount == 13)
        #expect(summary.optimizer == nil)
        #expect(summary.tensors.map(\.path) == ["/parameters/W1", "/parameters/b1", "/parameters/W2", "/parameters/b2"])
        #expect(summary.tensors.first?.statistics?.nanCount == 1)
        let text = report.renderText()
        #expect(text.contains("architecture   2 → 3 → 1 (relu, sigmoid)"))
        #expect(text.contains("parameters only"))
        let json = report.renderJSON()
        #expect(json.contains("\"checkpoint\": {"))
        #expect(json.contains("\"parameter_count\": 13"))
        #expect(json.contains("\"nan_count\": 1"))
        // The first version's keys are still there, first.
        #expect(json.hasPrefix("{\n  \"file\": "))
        #expect(json.contains("\"objects\": ["))
    }

    @Test func oneObjectAndMissingObjects() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("d.h5")
        let file = try HDF5File.create(at: path)
        _ = try file.root.createGroup("g").createDataset("v", shape: [2, 2], data: [1, 2, 3, .infinity])
        try file.close()
        let report = try InspectionReport(path: path, object: "g/v", statistics: true)
        #expect(report.renderText() == "[[ 1.  2.]\n [ 3. inf]]\nmin 1, max 3, mean 2, std 0.816497, L2 norm 3.74166, NaN 0, Inf 1\n")
        #expect(report.renderJSON().contains("\"values\": [\n    [1.0, 2.0],\n    [3.0, null]\n  ]"))
        #expect(throws: InspectionReport.NoSuchObject.self) { try InspectionReport(path: path, object: "/nope") }
        let group = try InspectionReport(path: path, object: "/g")
        #expect(group.tree.objects.map(\.path) == ["/g", "/g/v"])
    }
}
