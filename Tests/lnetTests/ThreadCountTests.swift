import Foundation
import LNetTestSupport
import Testing

/// `--threads` changes how BLIS splits a product, never the order of any sum: the
/// checkpoints of one and two threads are equal bit for bit (README's advice to use
/// one thread on a busy machine rests on this).
@Suite("lnet train: the bits do not depend on --threads")
struct ThreadCountTests {
    @Test func oneAndTwoThreadsWriteTheSameCheckpoint() throws {
        let folder = try Repository.scratchFolder("threads")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("wide.h5").path
        // 300 examples of 200 features: the first layer's products (20 × 300 × 200) go to BLIS.
        try Python.run(script: """
            import sys, h5py, numpy as np
            rng = np.random.RandomState(2)
            x = rng.randn(300, 200)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
            """, [data])
        var checkpoints: [String] = []
        for threads in ["1", "2"] {
            let checkpoint = folder.appendingPathComponent("t\(threads).h5").path
            for batch in ["300", "64"] {
                let result = try LNetBinary.run([
                    "train", "--data", data, "--layers", "20,1", "--epochs", "5", "--batch-size", batch,
                    "--threads", threads, "--checkpoint", checkpoint, "--force", "--quiet",
                ])
                #expect(result.status == 0, "\(result.stderr)")
                let copy = checkpoint + "-b\(batch)"
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: checkpoint, toPath: copy)
                checkpoints.append(copy)
            }
        }
        for (one, two) in zip(checkpoints.prefix(2), checkpoints.suffix(2)) {
            let diff = try LNetBinary.run(["diff", one, two])
            #expect(diff.status == 0, "\(one) vs \(two): \(diff.stdout)")
        }
    }
}
