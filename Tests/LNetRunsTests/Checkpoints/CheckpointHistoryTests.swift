import Foundation
@testable import LNetRuns
import LNetStorage
@testable import LNetTraining
import Testing

/// `--keep K`: a run killed while writing a numbered checkpoint leaves its
/// temporary file; the numbered name never comes back, so the next numbered
/// write removes such files (of dead processes only), or they would pile up
/// (found by scripts/kill-test).
@Suite struct CheckpointHistoryTests {
    @Test func staleTemporariesOfNumberedCheckpointsAreRemoved() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let path = folder.appendingPathComponent("run.h5").path
        let configuration = TrainingConfiguration(
            layerSizes: [], hiddenActivations: [], optimizer: .adam(), learningRate: 0.0007, batchSize: 64, epochs: 1)
        _ = try TrainingRun.start(TrainSettings(
            dataPath: data, layers: [5, 2, 1], configuration: configuration,
            checkpoint: CheckpointSettings(path: path, everyEpochs: 1))).run()
        let dead = folder.appendingPathComponent("run-epoch7.h5.tmp-99999999").path
        let alive = folder.appendingPathComponent("run-epoch8.h5.tmp-\(getpid())").path
        let other = folder.appendingPathComponent("other-epoch7.h5.tmp-99999999").path
        for stale in [dead, alive, other] {
            try Data("half an HDF5 file".utf8).write(to: URL(fileURLWithPath: stale))
        }
        try CheckpointHistory(path: path).keep(current: path, epoch: 9, last: 2)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(!names.contains("run-epoch7.h5.tmp-99999999"))
        #expect(names.contains("run-epoch8.h5.tmp-\(getpid())"), "a live process's temporary file stays")
        #expect(names.contains("other-epoch7.h5.tmp-99999999"), "another checkpoint's files are not touched")
        #expect(names.contains("run-epoch9.h5"))
        // The numbered file holds the checkpoint it was made from, and keeps
        // it when the main one is replaced.
        let kept = folder.appendingPathComponent("run-epoch9.h5").path
        #expect(try CheckpointFile.read(from: kept) == CheckpointFile.read(from: path))
        let before = try Data(contentsOf: URL(fileURLWithPath: kept))
        try CheckpointFile.write(try CheckpointFile.read(from: path), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == before)
    }
}
