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
    /// variable before main: a run whose products BLIS splits among threads executes
    /// lnet again with it set to passive; a run too small for that (the moons model) or
    /// on one thread does not pay for a second start.
    @Test func runsThatUseSeveralThreadsRunWithOpenMPsPassiveWaitPolicy() throws {
        let folder = try Repository.scratchFolder("wait-policy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try LNetBinary.url().path
        let policies = try Python.run(script: """
            import os, signal, subprocess, sys, time
            import h5py, numpy as np
            env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
            moons = os.path.join(sys.argv[2], "moons.h5")
            subprocess.run([sys.argv[1], "sample", "moons", "-o", moons], check=True, env=env)
            wide = os.path.join(sys.argv[2], "wide.h5")
            r = np.random.RandomState(0)
            with h5py.File(wide, "w") as f:
                f["x"] = r.rand(512, 1000)
                f["y"] = (r.rand(512) > 0.5).astype(np.int64)
            import itertools
            runs = itertools.count()
            def policy(arguments):
                # The first checkpoint is written once training runs, after any re-execution: its
                # appearance, not a fixed wait, says the environment read next is the final one.
                checkpoint = os.path.join(sys.argv[2], f"run{next(runs)}.h5")
                child = subprocess.Popen([sys.argv[1], "train", "--epochs", "100000000", "--quiet",
                                          "--checkpoint", checkpoint, "--checkpoint-every", "1"] + arguments,
                                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 300
                while not os.path.exists(checkpoint) and child.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                with open(f"/proc/{child.pid}/environ", "rb") as f:
                    found = [v.decode() for v in f.read().split(bytes(1)) if v.startswith(b"OMP_WAIT_POLICY=")]
                child.send_signal(signal.SIGKILL)
                child.wait()
                return found[0] if found else "unset"
            # 1000 inputs x 100 units x 64 examples: 6.4 M multiply-adds, above the one-thread limit.
            print(policy(["--data", wide, "--layers", "100,1", "--threads", "2"]))
            print(policy(["--data", wide, "--layers", "100,1", "--threads", "1"]))
            print(policy(["--data", moons, "--layers", "5,1", "--threads", "2"]))
            """, [binary, folder.path])
        #expect(policies.split(separator: "\n").map(String.init) == ["OMP_WAIT_POLICY=passive", "unset", "unset"], "\(policies)")
    }
}
