import Foundation
@testable import LNetRuns
import LNetStorage
@testable import LNetTraining
import Testing

/// Issue #4, items 6 and 7 in the library: a diverging run stops naming the
/// epoch and leaves the last good checkpoint byte for byte; a checkpoint that
/// does not fit is refused with the file and the reason.
@Suite struct CheckpointFailureTests {
    /// Trains `epochs` epochs into `path`, then raises its learning rate to
    /// `learningRate`, so that resuming diverges at once.
    static func checkpointAboutToDiverge(
        data: String, path: String, batchSize: Int, learningRate: Double, epochs: Int = 2
    ) throws -> Data {
        var configuration = TrainingConfiguration(
            layerSizes: [], hiddenActivations: [], optimizer: .gradientDescent, learningRate: 0.05, batchSize: batchSize,
            epochs: epochs)
        configuration.l2 = 0.1
        _ = try TrainingRun.start(TrainSettings(
            dataPath: data, layers: [5, 3, 1], configuration: configuration,
            checkpoint: CheckpointSettings(path: path, everyEpochs: 1))).run()
        var checkpoint = try CheckpointFile.read(from: path)
        checkpoint.optimizer?.learningRate = learningRate
        checkpoint.optimizer?.learningRate0 = learningRate
        try CheckpointFile.write(checkpoint, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Mini-batches: the cost of the second mini-batch of epoch 2 is NaN or infinite.
    @Test func divergenceInsideAnEpochLeavesTheCheckpoint() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let path = folder.appendingPathComponent("diverging.h5").path
        let before = try Self.checkpointAboutToDiverge(data: data, path: path, batchSize: 64, learningRate: 1e300)
        let run = try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: 5, everyEpochs: 1))
        var epochs: [Int] = []
        do {
            _ = try run.run(events: { if case .epochCompleted(let summary, _) = $0 { epochs.append(summary.epoch) } })
            Issue.record("expected the run to diverge")
        } catch let error as RunError {
            #expect(error.description.contains("epoch 2"), "\(error)")
            #expect(error.description.contains("left as it was"), "\(error)")
        }
        #expect(epochs.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// Full batch, the largest finite rate: the one update of an epoch makes the parameters infinite
    /// (features × 1000 make gradients above 1) while the epoch's cost
    /// (computed before the update) is still finite. The
    /// checkpoint due after that epoch must not be written with them.
    @Test func divergenceInTheLastUpdateOfAnEpochLeavesTheCheckpoint() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data, scale: 1000)
        let path = folder.appendingPathComponent("diverging.h5").path
        let before = try Self.checkpointAboutToDiverge(
            data: data, path: path, batchSize: 300, learningRate: .greatestFiniteMagnitude)
        let run = try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: 5, everyEpochs: 1))
        do {
            _ = try run.run()
            Issue.record("expected the run to diverge")
        } catch let error as RunError {
            #expect(error.description.contains("NaN or infinite in epoch 2"), "\(error)")
            #expect(error.description.contains("left as it was"), "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect((try? CheckpointFile.read(from: path)) != nil)
    }

    /// Diverging before any checkpoint was written leaves none behind.
    @Test func divergenceBeforeTheFirstCheckpointWritesNone() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data, scale: 1000)
        let path = folder.appendingPathComponent("never.h5").path
        let configuration = TrainingConfiguration(
            layerSizes: [], hiddenActivations: [], optimizer: .gradientDescent, learningRate: .greatestFiniteMagnitude, batchSize: 300,
            epochs: 5)
        let run = try TrainingRun.start(TrainSettings(
            dataPath: data, layers: [5, 3, 1], configuration: configuration,
            checkpoint: CheckpointSettings(path: path, everyEpochs: 1)))
        #expect(throws: RunError.self) { _ = try run.run() }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func trainRefusesToOverwriteWithoutForce() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let path = folder.appendingPathComponent("exists.h5").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        var settings = TrainSettings(
            dataPath: data, layers: [3, 1], configuration: moonsConfiguration(.adam(), epochs: 1),
            checkpoint: CheckpointSettings(path: path))
        do {
            _ = try TrainingRun.start(settings)
            Issue.record("expected a refusal")
        } catch let error as RunError {
            #expect(error.path == path)
            guard case .notACheckpoint = error.reason else {
                Issue.record("expected the refusal of a file that is not a checkpoint, got \(error)")
                return
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("precious".utf8))
        // Not a checkpoint: refused even when forced.
        settings.checkpoint?.force = true
        #expect(throws: RunError.self) { _ = try TrainingRun.start(settings) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("precious".utf8))
        // An earlier checkpoint: refused without force, replaced with it.
        try FileManager.default.removeItem(atPath: path)
        settings.configuration.epochs = 2
        _ = try TrainingRun.start(settings).run()
        settings.checkpoint?.force = false
        #expect(throws: RunError.self) { _ = try TrainingRun.start(settings) }
        settings.checkpoint?.force = true
        settings.configuration.epochs = 1
        _ = try TrainingRun.start(settings).run()
        #expect(try CheckpointFile.read(from: path).training?.epoch == 1)
    }

    @Test func resumeRefusesChangedDataUnlessAllowed() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        let other = folder.appendingPathComponent("other.h5").path
        try CheckpointFixture.writeMoons(to: data)
        try CheckpointFixture.writeMoons(to: other, seed: 4)
        let path = folder.appendingPathComponent("c.h5").path
        _ = try TrainingRun.start(TrainSettings(
            dataPath: data, layers: [3, 1], configuration: moonsConfiguration(.adam(), epochs: 1),
            checkpoint: CheckpointSettings(path: path))).run()
        do {
            _ = try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: 1, dataPath: other))
            Issue.record("expected a refusal")
        } catch let error as RunError {
            guard case .dataChanged(let checkpoint, _, _) = error.reason else {
                Issue.record("expected a data-change refusal, got \(error)")
                return
            }
            #expect(checkpoint == path)
            #expect(error.description.contains(path))
        }
        var notes: [String] = []
        let run = try TrainingRun.resume(
            ResumeSettings(checkpointPath: path, epochs: 1, dataPath: other, allowDataChange: true), notes: { notes.append($0) })
        #expect(notes.count == 1)
        _ = try run.run()
        // The checkpoint now records the data it was continued on.
        #expect(try CheckpointFile.read(from: path).training?.data == other)
        try CheckpointFixture.expectAcceptedByH5py(path, data: other)
    }
}
