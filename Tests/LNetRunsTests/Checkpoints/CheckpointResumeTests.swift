import Foundation
@testable import LNetRuns
import LNetStorage
@testable import LNetTraining
import Testing

/// Issue #4, item 3: training E1 epochs, saving a checkpoint file, reading it
/// back and resuming for E2 more gives every bit of an uninterrupted E1 + E2
/// run — through the files, not just in memory.
@Suite struct CheckpointResumeTests {
    /// gd, momentum and adam, each with mini-batch shuffling, decay, L2 and dropout.
    static let cases: [(name: String, configuration: TrainingConfiguration)] = {
        func base(_ optimizer: Optimizer, learningRate: Double) -> TrainingConfiguration {
            TrainingConfiguration(
                layerSizes: [], hiddenActivations: [], initialization: .he, seed: 3, optimizer: optimizer,
                learningRate: learningRate, batchSize: 64, shuffleSeed: 10, epochs: 0)
        }
        var gd = base(.gradientDescent, learningRate: 0.05)
        gd.decay = .inverse(rate: 0.3)
        gd.l2 = 0.2
        gd.keepProbability = 0.8
        var momentum = base(.momentum(beta: 0.85), learningRate: 0.03)
        momentum.decay = .scheduled(rate: 0.5, interval: 2)
        momentum.batchSize = 50
        momentum.l2 = 0.1
        momentum.keepProbability = 0.7
        var adam = base(.adam(), learningRate: 0.01)
        adam.decay = .scheduled(rate: 1, interval: 3)
        adam.l2 = 0.05
        adam.keepProbability = 0.85
        var adamInverse = base(.adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-7), learningRate: 0.02)
        adamInverse.decay = .inverse(rate: 0.2)
        adamInverse.batchSize = 40
        adamInverse.l2 = 0.3
        adamInverse.keepProbability = 0.6
        return [("gd", gd), ("momentum", momentum), ("adam", adam), ("adam-inverse", adamInverse)]
    }()

    static func settings(_ index: Int, data: String, epochs: Int, checkpoint: String, every: Int = 100) -> TrainSettings {
        var configuration = cases[index].configuration
        configuration.epochs = epochs
        return TrainSettings(
            dataPath: data, layers: [5, 3, 1], configuration: configuration,
            checkpoint: CheckpointSettings(path: checkpoint, everyEpochs: every))
    }

    /// The uninterrupted run's final checkpoint.
    static func straight(_ index: Int, data: String, epochs: Int, folder: URL) throws -> Checkpoint {
        let path = folder.appendingPathComponent("straight.h5").path
        let outcome = try TrainingRun.start(settings(index, data: data, epochs: epochs, checkpoint: path)).run()
        #expect(outcome.completed)
        return try CheckpointFile.read(from: path)
    }

    @Test(arguments: 0..<4)
    func resumingAfterWholeEpochsIsBitIdentical(index: Int) throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let (first, second) = (4, 3)
        let expected = try Self.straight(index, data: data, epochs: first + second, folder: folder)

        let path = folder.appendingPathComponent("split.h5").path
        let outcome = try TrainingRun.start(Self.settings(index, data: data, epochs: first, checkpoint: path)).run()
        #expect(outcome.completed && outcome.epochsCompleted == first)
        let saved = try CheckpointFile.read(from: path)
        #expect(saved.training?.epoch == first)
        #expect(saved.training?.epochsTarget == first)
        try CheckpointFixture.expectAcceptedByH5py(path, data: data)

        let resumed = try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: second))
        #expect(resumed.state.completedEpochs == first)
        #expect(resumed.configuration == (try TrainingCheckpoint.configuration(from: saved, path: path)).withEpochs(first + second))
        let end = try resumed.run()
        #expect(end.completed && end.epochsCompleted == first + second)
        let actual = try CheckpointFile.read(from: path)
        CheckpointFixture.expectSameTraining(actual, expected, Self.cases[index].name)
        try CheckpointFixture.expectAcceptedByH5py(path, data: data)
    }

    /// A stop request after k mini-batch updates saves the position inside the
    /// epoch; resuming from the file matches the uninterrupted run.
    @Test(arguments: 0..<4, [1, 7, 12])
    func resumingInsideAnEpochIsBitIdentical(index: Int, updates: Int) throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let epochs = 4
        let expected = try Self.straight(index, data: data, epochs: epochs, folder: folder)

        let path = folder.appendingPathComponent("stopped.h5").path
        var count = 0
        let outcome = try TrainingRun.start(Self.settings(index, data: data, epochs: epochs, checkpoint: path)).run(
            stopRequested: {
                count += 1
                return count == updates
            })
        #expect(!outcome.completed)
        #expect(outcome.resumeCommand == ResumeCommand(checkpoint: path))
        let saved = try CheckpointFile.read(from: path)
        let batchSize = Self.cases[index].configuration.batchSize
        let perEpoch = (300 + batchSize - 1) / batchSize
        #expect(saved.training?.epoch == updates / perEpoch)
        #expect(saved.training?.batchInEpoch == updates % perEpoch)
        #expect(saved.training?.costs.count == updates / perEpoch)
        try CheckpointFixture.expectAcceptedByH5py(path, data: data)

        let end = try TrainingRun.resume(ResumeSettings(checkpointPath: path)).run()
        #expect(end.completed && end.epochsCompleted == epochs)
        CheckpointFixture.expectSameTraining(try CheckpointFile.read(from: path), expected, "\(Self.cases[index].name), stop after \(updates)")
    }

    /// Stopping every 3 updates and resuming from the file each time, to the end.
    @Test func aChainOfStopsThroughTheFileIsBitIdentical() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let index = 2
        let expected = try Self.straight(index, data: data, epochs: 3, folder: folder)
        let path = folder.appendingPathComponent("chain.h5").path
        var run = try TrainingRun.start(Self.settings(index, data: data, epochs: 3, checkpoint: path))
        var stops = 0
        while true {
            var count = 0
            let outcome = try run.run(stopRequested: {
                count += 1
                return count == 3
            })
            if outcome.completed { break }
            stops += 1
            run = try TrainingRun.resume(ResumeSettings(checkpointPath: path))
        }
        #expect(stops == 4)  // 15 updates in 3 epochs of 5 mini-batches
        CheckpointFixture.expectSameTraining(try CheckpointFile.read(from: path), expected, "chain")
    }

    /// The mapping alone: state → Checkpoint → file → Checkpoint → state.
    @Test func theMappingThroughAFileKeepsEveryBit() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = moonsConfiguration(.adam(), epochs: 3)
        configuration.keepProbability = 0.8
        configuration.decay = .inverse(rate: 0.5)
        let (x, y) = try MoonsDataset.make()
        let data = try LabeledData(examplesInRows: x, labels: y)
        let session = try TrainingSession(configuration: configuration, data: data)
        for _ in 0..<7 { try session.step() }
        let record = RunRecord(
            dataPath: "/nowhere/moons.h5", xName: "x", yName: "y", dataSHA256: String(repeating: "ab", count: 32),
            preprocessing: InputPreprocessing(divisor: 1))
        let path = folder.appendingPathComponent("mapped.h5").path
        try CheckpointFile.write(TrainingCheckpoint.make(configuration: configuration, state: session.state, record: record), to: path)
        let read = try CheckpointFile.read(from: path)
        #expect(try TrainingCheckpoint.state(from: read, path: path) == session.state)
        #expect(try TrainingCheckpoint.configuration(from: read, path: path) == configuration)
        let resumed = try TrainingSession(
            configuration: configuration, data: data, resumingFrom: try TrainingCheckpoint.state(from: read, path: path))
        try resumed.run()
        try session.run()
        #expect(resumed.state == session.state)
        #expect(resumed.costs.map(\.bitPattern) == session.costs.map(\.bitPattern))
    }
}

extension TrainingConfiguration {
    func withEpochs(_ epochs: Int) -> TrainingConfiguration {
        var copy = self
        copy.epochs = epochs
        return copy
    }
}
