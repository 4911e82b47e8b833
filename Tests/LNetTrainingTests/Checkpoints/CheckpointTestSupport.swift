import Foundation
import LNetStorage
import Testing
@testable import LNetTraining

/// Files for the checkpoint tests: a scratch folder, a moons dataset on disk,
/// bitwise comparison of checkpoints, and the h5py checker of Tests/interop.
enum CheckpointFixture {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv/bin/python").path
    static let interop = repository.appendingPathComponent("Tests/interop").path

    /// A fresh folder under the temporary directory.
    static func scratch(_ name: String = #function) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lnet-ckpt-\(name.prefix(while: { $0.isLetter }))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The course's moons (x (m, 2) float64, y int64) as a dataset file;
    /// `scale` multiplies the features (large ones make large gradients).
    static func writeMoons(to path: String, samples: Int = 300, seed: UInt32 = 3, scale: Double = 1) throws {
        let (moons, y) = try MoonsDataset.make(samples: samples, noise: 0.2, seed: seed)
        let x = try Matrix(rows: moons.rows, columns: moons.columns, elements: moons.elements.map { $0 * scale })
        let file = try HDF5File.create(at: path, mode: .truncate)
        do {
            let root = try file.root
            try root.createDataset("x", shape: [x.rows, x.columns], data: x.elements)
            try root.createDataset("y", shape: [y.count], data: y)
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
    }

    static func bits(_ tensors: [String: Tensor]) -> [String: [UInt64]] {
        tensors.mapValues { $0.values.map(\.bitPattern) }
    }

    /// Everything that decides how training continues, compared bit for bit.
    static func expectSameTraining(
        _ actual: Checkpoint, _ expected: Checkpoint, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(bits(actual.parameters) == bits(expected.parameters), "\(label): parameters", sourceLocation: sourceLocation)
        #expect(actual.model == expected.model, "\(label): model", sourceLocation: sourceLocation)
        guard let a = actual.optimizer, let e = expected.optimizer, let at = actual.training, let et = expected.training else {
            Issue.record("\(label): a checkpoint without optimizer or training state", sourceLocation: sourceLocation)
            return
        }
        #expect(bits(a.v) == bits(e.v), "\(label): v", sourceLocation: sourceLocation)
        #expect(bits(a.s) == bits(e.s), "\(label): s", sourceLocation: sourceLocation)
        #expect(a.t == e.t, "\(label): t", sourceLocation: sourceLocation)
        #expect(a.learningRate.bitPattern == e.learningRate.bitPattern, "\(label): learning rate", sourceLocation: sourceLocation)
        #expect(a.name == e.name && a.decay == e.decay, "\(label): optimizer settings", sourceLocation: sourceLocation)
        #expect(at.costs.map(\.bitPattern) == et.costs.map(\.bitPattern), "\(label): costs", sourceLocation: sourceLocation)
        #expect(at.epoch == et.epoch && at.batchInEpoch == et.batchInEpoch, "\(label): position", sourceLocation: sourceLocation)
        #expect(at.epochCostSum.bitPattern == et.epochCostSum.bitPattern, "\(label): epoch cost sum", sourceLocation: sourceLocation)
        #expect(at.generator == et.generator, "\(label): generator", sourceLocation: sourceLocation)
        #expect(at.epochsTarget == et.epochsTarget, "\(label): epochs target", sourceLocation: sourceLocation)
    }

    /// Runs Tests/interop/check_checkpoint.py on `checkpoint` (with `data`, so
    /// the fingerprint is checked too). Nil when Python with h5py is absent.
    static func checkWithH5py(_ checkpoint: String, data: String?) throws -> (status: Int32, output: String)? {
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["\(interop)/check_checkpoint.py", checkpoint] + (data.map { [$0] } ?? [])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-check-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    static func expectAcceptedByH5py(_ checkpoint: String, data: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let (status, output) = try checkWithH5py(checkpoint, data: data) else {
            print("skipped the h5py check: no \(python)")
            return
        }
        #expect(status == 0, "check_checkpoint.py: \(output)", sourceLocation: sourceLocation)
    }
}
