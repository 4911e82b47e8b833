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
        // 300 examples of 800 features: the first layer's products (40 × 64 × 800 and more)
        // lie above BLAS.singleThreadThreshold, so two threads do split them.
        try Python.run(script: """
            import sys, h5py, numpy as np
            rng = np.random.RandomState(2)
            x = rng.randn(300, 800)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
            """, [data])
        var checkpoints: [String] = []
        for threads in ["1", "2"] {
            let checkpoint = folder.appendingPathComponent("t\(threads).h5").path
            for batch in ["300", "64"] {
                let result = try LNetBinary.run([
                    "train", "--data", data, "--layers", "40,1", "--epochs", "5", "--batch-size", batch,
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

    /// libgomp's idle threads spin unless OMP_WAIT_POLICY says otherwise, and it reads the
    /// variable before main: lnet executes itself again with it set to passive.
    @Test func lnetRunsWithOpenMPsPassiveWaitPolicy() throws {
        let folder = try Repository.scratchFolder("wait-policy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try LNetBinary.url().path
        let environment = try Python.run(script: """
            import os, signal, subprocess, sys, time
            env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
            data = os.path.join(sys.argv[2], "moons.h5")
            subprocess.run([sys.argv[1], "sample", "moons", "-o", data], check=True, env=env)
            child = subprocess.Popen([sys.argv[1], "train", "--data", data, "--layers", "5,1", "--epochs", "100000000",
                                      "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.5)
            with open(f"/proc/{child.pid}/environ", "rb") as f:
                print([v.decode() for v in f.read().split(bytes(1)) if v.startswith(b"OMP_WAIT_POLICY=")])
            child.send_signal(signal.SIGKILL)
            child.wait()
            """, [binary, folder.path])
        #expect(environment.contains("OMP_WAIT_POLICY=passive"), "\(environment)")
    }
}
