import Foundation
@testable import LNetRuns
import LNetStorage
import LNetTestSupport
@testable import LNetTraining
import Testing

/// Files for the checkpoint tests: a scratch folder, a moons dataset on disk,
/// bitwise comparison of checkpoints, and the h5py checker of Tests/interop.
enum CheckpointFixture {
    /// A fresh folder under the temporary directory.
    static func scratch(_ name: String = #function) throws -> URL { try Repository.scratchFolder("ckpt-\(name.prefix(while: { $0.isLetter }))") }

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
    /// the fingerprint is checked too); a missing venv fails the test, as every
    /// interop check must run in CI.
    static func expectAcceptedByH5py(_ checkpoint: String, data: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script = Repository.interop.appendingPathComponent("check_checkpoint.py").path
        #expect(throws: Never.self, sourceLocation: sourceLocation) {
            try Python.run([script, checkpoint] + (data.map { [$0] } ?? []))
        }
    }
}
