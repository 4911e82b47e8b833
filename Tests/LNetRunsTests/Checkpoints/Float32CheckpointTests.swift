import Foundation
@testable import LNetRuns
import LNetStorage
@testable import LNetTraining
import Testing

/// `--dtype float32` through the files: the checkpoint stores float32 tensors and
/// says so in `/training` `dtype` (covered by the settings checksum), resume keeps
/// the type, and a run split by a checkpoint gives every bit of the straight run.
@Suite struct Float32CheckpointTests {
    static func float32Settings(_ index: Int, data: String, epochs: Int, checkpoint: String) -> TrainSettings {
        var settings = CheckpointResumeTests.settings(index, data: data, epochs: epochs, checkpoint: checkpoint)
        settings.configuration.precision = .float32
        return settings
    }

    static func allTensors(_ checkpoint: Checkpoint) -> [Tensor] {
        Array(checkpoint.parameters.values) + Array((checkpoint.optimizer?.v ?? [:]).values)
            + Array((checkpoint.optimizer?.s ?? [:]).values)
    }

    @Test(arguments: [1, 2])
    func resumingAFloat32CheckpointIsBitIdentical(index: Int) throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let (first, second) = (4, 3)
        let straightPath = folder.appendingPathComponent("straight.h5").path
        #expect(try TrainingRun.start(Self.float32Settings(index, data: data, epochs: first + second,
                                                           checkpoint: straightPath)).run().completed)
        let expected = try CheckpointFile.read(from: straightPath)

        let path = folder.appendingPathComponent("split.h5").path
        #expect(try TrainingRun.start(Self.float32Settings(index, data: data, epochs: first, checkpoint: path)).run().completed)
        let saved = try CheckpointFile.read(from: path)
        #expect(saved.training?.dtype == .float32)
        let tensors = Self.allTensors(saved)
        #expect(tensors.count > 6)
        #expect(tensors.allSatisfy { $0.elementType == .float32 }, "every tensor is stored as float32")
        #expect(tensors.allSatisfy { $0.values.allSatisfy { Double(Float($0)) == $0 } })
        try CheckpointFixture.expectAcceptedByH5py(path, data: data)

        let resumed = try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: second))
        #expect(resumed.configuration.precision == .float32, "resume keeps the checkpoint's type")
        #expect(try resumed.run().completed)
        let actual = try CheckpointFile.read(from: path)
        CheckpointFixture.expectSameTraining(actual, expected, "float32 \(CheckpointResumeTests.cases[index].name)")
        #expect(actual.training?.dtype == .float32)
        #expect(Self.allTensors(actual).allSatisfy { $0.elementType == .float32 })
        try CheckpointFixture.expectAcceptedByH5py(path, data: data)
    }

    /// A float64 run's checkpoint has no `dtype` attribute and float64 tensors: the file
    /// an LNet before float32 wrote, and reads.
    @Test func float64CheckpointsAreAsBefore() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let path = folder.appendingPathComponent("double.h5").path
        #expect(try TrainingRun.start(CheckpointResumeTests.settings(2, data: data, epochs: 2, checkpoint: path)).run().completed)
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        #expect(try !file.group(at: "/training").attributes.names().contains("dtype"))
        #expect(try file.dataset(at: "/parameters/W1").elementType == .float64)
        let saved = try CheckpointFile.read(from: path)
        #expect(saved.training?.dtype == .float64)
        #expect(Self.allTensors(saved).allSatisfy { $0.elementType == .float64 })
        #expect(try TrainingRun.resume(ResumeSettings(checkpointPath: path, epochs: 1)).configuration.precision == .float64)
    }

    /// The settings checksum covers `dtype`: a file whose type was edited is refused.
    @Test func theChecksumCoversTheType() throws {
        let folder = try CheckpointFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("moons.h5").path
        try CheckpointFixture.writeMoons(to: data)
        let path = folder.appendingPathComponent("single.h5").path
        #expect(try TrainingRun.start(Self.float32Settings(2, data: data, epochs: 2, checkpoint: path)).run().completed)
        let file = try HDF5File.open(at: path, mode: .readWrite)
        try file.group(at: "/training").attributes.write("dtype", .string("float64"))
        try file.close()
        #expect(throws: CheckpointError.self) { try CheckpointFile.read(from: path) }
    }
}
