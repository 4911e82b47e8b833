import Foundation
@testable import LNetRuns
import LNetStorage
@testable import LNetTraining
import Testing

/// `evaluate` and `predict` read the data a block of examples at a time: cutting it
/// into many small blocks must give what one pass over the whole data gives.
@Suite struct SavedModelBlockTests {
    /// A moons network trained a few epochs with standardised inputs, saved, and its dataset on disk.
    static func savedMoonsModel(in folder: URL) throws -> (checkpoint: String, data: String, network: Network, prepared: LabeledData) {
        let dataPath = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: dataPath)
        let (x, y) = try MoonsDataset.make()
        // Standardised as `--standardize` does, so the blocks must apply the saved preprocessing.
        var rows = x.elements
        let preprocessing = InputPreprocessing(divisor: 1, mean: [0.4, 0.2], standardDeviation: [0.9, 0.6])
        preprocessing.standardize(examplesInRows: &rows, featureCount: 2)
        let prepared = try LabeledData(examplesInRows: try Matrix(rows: x.rows, columns: 2, elements: rows), labels: y)
        let configuration = moonsConfiguration(.adam(), epochs: 20)
        let session = try TrainingSession(configuration: configuration, data: prepared)
        try session.run()
        let record = RunRecord(dataPath: dataPath, xName: "x", yName: "y", dataSHA256: String(repeating: "ab", count: 32),
                               preprocessing: preprocessing)
        let checkpoint = folder.appendingPathComponent("model.h5").path
        try CheckpointFile.write(TrainingCheckpoint.make(configuration: configuration, state: session.state, record: record),
                                 to: checkpoint)
        return (checkpoint, dataPath, try session.network, prepared)
    }

    @Test func manySmallBlocksGiveTheWholePassesResults() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (checkpoint, data, network, prepared) = try Self.savedMoonsModel(in: folder)
        let whole = try SavedModel(path: checkpoint)
        // 7 examples a block (see examplesPerBlock): 43 blocks, the last one shorter.
        let perExample = 8 * (2 * 2 + 4 * (5 + 2 + 1))
        let blocked = try SavedModel(path: checkpoint, blockBytes: 7 * perExample)
        #expect(whole.examplesPerBlock(exampleCount: 300) == 300)
        #expect(blocked.examplesPerBlock(exampleCount: 300) == 7)

        let expectedPredictions = try network.predict(prepared.features).map { Int($0) }
        let expectedCost = try network.cost(on: prepared)
        for model in [whole, blocked] {
            let report = try model.evaluate(dataPath: data)
            #expect(report.examples == 300)
            #expect(report.correct == zip(expectedPredictions, prepared.labels).filter { $0 == Int($1) }.count)
            #expect(abs(report.cost - expectedCost) <= 1e-13 * expectedCost, "\(report.cost) vs \(expectedCost)")
            let table = try model.predict(dataPath: data)
            #expect(table.predicted == expectedPredictions)
            #expect(table.classCount == 2)
            #expect(table.probabilities.count == 600)
        }
        let wholeTable = try whole.predict(dataPath: data)
        let blockedTable = try blocked.predict(dataPath: data)
        // Moons's layers are small enough for the loops, which compute each column alone,
        // whatever its block: the same bits (BLIS, on wide layers, may differ by an ulp).
        #expect(wholeTable.probabilities.map(\.bitPattern) == blockedTable.probabilities.map(\.bitPattern))
        #expect(try whole.evaluate(dataPath: data).classes == blocked.evaluate(dataPath: data).classes)
    }

    /// A bad value in a later block is reported at its place in the whole dataset.
    @Test func aNonFiniteFeatureIsNamedByItsExampleAcrossBlocks() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (checkpoint, data, _, _) = try Self.savedMoonsModel(in: folder)
        var (x, y) = try MoonsDataset.make()
        x[250, 1] = .nan
        let file = try HDF5File.create(at: data, mode: .truncate)
        try file.root.createDataset("x", shape: [x.rows, x.columns], data: x.elements)
        try file.root.createDataset("y", shape: [y.count], data: y)
        try file.close()
        let blocked = try SavedModel(path: checkpoint, blockBytes: 7 * 8 * 36)
        #expect {
            try blocked.evaluate(dataPath: data)
        } throws: { error in
            "\(error)".contains("at example 250, feature 1")
        }
    }
}
