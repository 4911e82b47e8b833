import Foundation
import LNetStorage
import LNetTestSupport
import Testing

/// `settings_sha256` (formats/checkpoint.md, "Integrity"): written with every
/// checkpoint, checked by every read; files are changed here with LNetStorage's
/// own HDF5 API, as corruption or an editor would change them.
@Suite("Checkpoint settings checksum")
struct SettingsChecksumTests {
    /// A small Adam checkpoint in the middle of its third epoch, with every kind of attribute the format has.
    static func checkpoint() -> Checkpoint {
        let dims = [3, 4, 2]
        let shapes = Checkpoint.expectedShapes(layerDims: dims)
        func tensors(_ prefix: String, _ scale: Double) -> [String: Tensor] {
            var result: [String: Tensor] = [:]
            for (name, shape) in shapes {
                let count = shape.reduce(1, *)
                result[prefix + name] = Tensor(shape: shape, values: (0..<count).map { Double($0 + 1) * scale })
            }
            return result
        }
        return Checkpoint(
            model: .init(layerDims: dims, activations: ["relu", "softmax"], loss: "categorical_cross_entropy",
                         initialization: "he", classes: ["non-cat", "chat, gris"], inputDivisor: 255,
                         inputMean: [0.1, 0.2, 0.3], inputStd: [1, 2, 3]),
            parameters: tensors("", 0.01),
            optimizer: .init(name: "adam", learningRate: 0.0075, learningRate0: 0.0075, beta1: 0.9, beta2: 0.999,
                             epsilon: 1e-8, t: 12, v: tensors("d", 1e-3), s: tensors("d", 1e-6)),
            training: .init(epoch: 2, epochsTarget: 10, batchInEpoch: 1, epochCostSum: 0.25, seed: 3, shuffleSeed: 10,
                            batchSize: 2, l2: 0.1, keepProb: 0.8, data: "/data/é.h5", xName: "x", yName: "y",
                            dataSHA256: String(repeating: "ab", count: 32),
                            generator: .init(key: (0..<624).map { UInt32($0) &* 2_654_435_761 }, position: 5,
                                             hasGauss: true, gauss: -0.5),
                            costs: [0.7, 0.6]))
    }

    /// Writes `checkpoint()` into a fresh folder and returns its path.
    static func written() throws -> (folder: URL, path: String) {
        let folder = try Repository.scratchFolder("settings-checksum")
        let path = folder.appendingPathComponent("c.h5").path
        try CheckpointFile.write(checkpoint(), to: path)
        return (folder, path)
    }

    /// Opens `path` for writing and hands its file to `change`.
    static func change(_ path: String, _ change: (HDF5File) throws -> Void) throws {
        let file = try HDF5File.open(at: path, mode: .readWrite)
        try change(file)
        try file.close()
    }

    /// The problem `CheckpointFile.read` throws, or nil when it reads the file.
    static func readProblem(_ path: String) -> String? {
        do {
            _ = try CheckpointFile.read(from: path)
            return nil
        } catch let error as CheckpointError {
            return error.problem
        } catch {
            return "\(error)"
        }
    }

    @Test func aWrittenCheckpointCarriesTheChecksumOfWhatItHolds() throws {
        let (folder, path) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.open(at: path)
        let stored = try file.attributes.read(SettingsChecksum.attributeName).stringValue
        #expect(try stored == SettingsChecksum.digest(of: file))
        #expect(stored.map(SettingsChecksum.isWellFormed) == true)
        try file.close()
        var notes: [String] = []
        #expect(try CheckpointFile.read(from: path, notes: { notes.append($0) }) == Self.checkpoint())
        #expect(notes.isEmpty)
        #expect(CheckpointFile.verify(path: path).warnings.isEmpty)
    }

    /// One bit of the float64, as a flipped bit on disk would change it.
    @Test(arguments: [("beta1", 48), ("learning_rate0", 3), ("epsilon", 0)])
    func oneBitFlippedInAnOptimizerSettingIsRefused(name: String, bit: Int) throws {
        let (folder, path) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.change(path) { file in
            let attributes = try file.group(at: "/optimizer").attributes
            let value = try #require(try attributes.read(name).doubleValue)
            try attributes.write(name, .float64(Double(bitPattern: value.bitPattern ^ (1 << UInt64(bit)))))
        }
        #expect(Self.readProblem(path)?.hasPrefix("the settings checksum does not match") == true, "\(Self.readProblem(path) ?? "read")")
        #expect(CheckpointFile.verify(path: path).problems.first?.hasPrefix("the settings checksum does not match") == true)
    }

    @Test(arguments: ["/model activations", "/training data", "/training rng_pos", "/ created_by", "/training extra"])
    func anyChangedAttributeIsRefused(_ target: String) throws {
        let (folder, path) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parts = target.split(separator: " ").map(String.init)
        try Self.change(path) { file in
            let attributes = try file.group(at: parts[0]).attributes
            switch parts[1] {
            case "activations": try attributes.write("activations", .stringArray(["tanh", "softmax"]))
            case "data": try attributes.write("data", .string("/data/e.h5"))
            case "rng_pos": try attributes.write("rng_pos", .int64(6))
            case "created_by": try attributes.write("created_by", .string("someone else"))
            default: try attributes.write(parts[1], .float64(1))
            }
        }
        #expect(Self.readProblem(path)?.hasPrefix("the settings checksum does not match") == true, "\(Self.readProblem(path) ?? "read")")
    }

    /// An attribute rewritten with another type but the same value is the same setting: the checksum is over values.
    @Test func theSameValueStoredWithAnotherWidthStillMatches() throws {
        let (folder, path) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.change(path) { file in
            let training = try file.group(at: "/training").attributes
            try training.write("seed", .int32(3))
            try training.write("keep_prob", .float32(0.8))  // 0.8 is not a float32: a different value
        }
        #expect(Self.readProblem(path)?.hasPrefix("the settings checksum does not match") == true)
        try Self.change(path) { file in
            try file.group(at: "/training").attributes.write("keep_prob", .float64(0.8))
        }
        #expect(Self.readProblem(path) == nil)
    }

    @Test func withoutTheChecksumTheFileIsReadWithANote() throws {
        let (folder, path) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.change(path) { try $0.attributes.delete(SettingsChecksum.attributeName) }
        var notes: [String] = []
        #expect(try CheckpointFile.read(from: path, notes: { notes.append($0) }) == Self.checkpoint())
        #expect(notes == ["\(path) has no settings checksum (settings_sha256): its settings are unchecked"])
        let report = CheckpointFile.verify(path: path)
        #expect(report.problems.isEmpty)
        #expect(!report.hasSettingsChecksum)
        #expect(report.warnings.contains { $0.hasPrefix("no settings checksum (settings_sha256)") })
    }
}
