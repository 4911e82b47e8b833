import Foundation
import LNetTestSupport
import Testing

/// `--test` records the test cost and accuracy at each checkpoint interval
/// (`/training/test_*`), carried across resume; `--keep-best` keeps
/// `<name>-best.h5`, never replaced by a worse model, resume or not. Checked
/// with h5py and numpy, as a user would read the files.
@Suite("Test history and --keep-best, end to end")
struct TestHistoryAndKeepBestTests {
    private func scratch(_ name: String = #function) throws -> URL {
        try Repository.scratchFolder("watch-\(name.prefix(while: { $0.isLetter }))")
    }

    /// x (m, 2) of a seeded normal; y = [x0·x1 > 0], or its opposite with `flipped` (a test set on which
    /// learning the training rule makes the test cost rise at every step).
    private func writeData(_ path: String, examples: Int, seed: Int, flipped: Bool = false) throws {
        try Python.run(script: """
            import sys, h5py, numpy as np
            r = np.random.RandomState(int(sys.argv[3]))
            x = r.randn(int(sys.argv[2]), 2)
            y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = 1 - y if sys.argv[4] == "1" else y
            """, [path, String(examples), String(seed), flipped ? "1" : "0"])
    }

    private static let training = ["--layers", "6,3,1", "--learning-rate", "0.05", "--batch-size", "32", "--quiet"]

    /// Forward pass of the checkpoint's network in numpy on the test data (the course's L_model_forward with
    /// relu hidden layers and a sigmoid output), printed as `cost accuracy`.
    private static let numpyMeasure = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r") as c, h5py.File(sys.argv[2], "r") as d:
            L = len(c["model"].attrs["layer_dims"]) - 1
            A = d["x"][()].T / float(c["model"].attrs.get("input_divisor", 1))
            Y = d["y"][()].reshape(1, -1)
            for l in range(1, L + 1):
                Z = c[f"parameters/W{l}"][()] @ A + c[f"parameters/b{l}"][()]
                A = np.maximum(0, Z) if l < L else 1 / (1 + np.exp(-Z))
            m = Y.shape[1]
            cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
            print(repr(float(cost)), repr(float(np.mean((A > 0.5) == Y))))
        """

    @Test func theTestHistoryIsRecordedCarriedAcrossResumeAndIsNumpys() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("test.h5").path
        try writeData(data, examples: 300, seed: 3)
        try writeData(test, examples: 120, seed: 4)
        let straight = folder.appendingPathComponent("straight.h5").path
        let split = folder.appendingPathComponent("split.h5").path
        let common = ["--data", data, "--test", test, "--checkpoint-every", "2", "--keep-best"] + Self.training
        let whole = try LNetBinary.run(["train", "--checkpoint", straight, "--epochs", "6"] + common)
        #expect(whole.status == 0, "\(whole.stderr)")
        let first = try LNetBinary.run(["train", "--checkpoint", split, "--epochs", "4"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try LNetBinary.run(["resume", split, "--epochs", "2", "--checkpoint-every", "2", "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")

        // The history and the best record, bit for bit the uninterrupted run's; so are the parameters.
        let compared = try Python.run(script: """
            import sys, h5py
            with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as g:
                t, u = f["training"], g["training"]
                print(t["test_epochs"][()].tolist())
                for name in ("test_epochs", "test_costs", "test_accuracy"):
                    print(name, t[name][()].tobytes() == u[name][()].tobytes())
                for name in ("best_cost", "best_epoch", "best_judged_on"):
                    print(name, t.attrs[name] == u.attrs[name])
                for name in f["parameters"]:
                    print(name, f["parameters"][name][()].tobytes() == g["parameters"][name][()].tobytes())
            """, [straight, split])
        let lines = compared.split(separator: "\n")
        #expect(lines.first == "[1, 3, 5]", "\(compared)")
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(" True") } && lines.count == 1 + 3 + 3 + 6, "\(compared)")

        // The last record is the final network measured on the test data, as numpy measures it.
        let numpy = try Python.run(script: Self.numpyMeasure, [straight, test]).split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let recorded = try Python.run(script: """
            import sys, h5py
            with h5py.File(sys.argv[1], "r") as f:
                print(repr(float(f["training/test_costs"][-1])), repr(float(f["training/test_accuracy"][-1])))
            """, [straight]).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(numpy.count == 2 && recorded.count == 2)
        if numpy.count == 2, recorded.count == 2 {
            #expect(abs(numpy[0] - recorded[0]) <= 1e-12 * abs(numpy[0]), "numpy \(numpy[0]), recorded \(recorded[0])")
            #expect(numpy[1] == recorded[1])
        }
        // h5py reads the format and recomputes the settings checksum over the history.
        for file in [straight, split, folder.appendingPathComponent("straight-best.h5").path] {
            let check = try LNetBinary.run(
                ["\(Repository.interop.path)/check_checkpoint.py", file, data], executable: try Python.interpreter())
            #expect(check.status == 0, "\(file): \(check.stderr)")
        }
        // inspect's summary shows the last record and the best.
        let summary = try LNetBinary.run(["inspect", straight])
        #expect(summary.stdout.contains("last test      cost "), "\(summary.stdout)")
        #expect(summary.stdout.contains("(epoch 5; 3 records in /training/test_costs)"), "\(summary.stdout)")
        #expect(summary.stdout.contains("best           test_cost "), "\(summary.stdout)")
        // plot draws the test cost beside the training cost.
        let svg = folder.appendingPathComponent("costs.svg").path
        let plot = try LNetBinary.run(["plot", straight, "-o", svg])
        #expect(plot.status == 0, "\(plot.stderr)")
        let drawn = (try? String(contentsOfFile: svg, encoding: .utf8)) ?? ""
        #expect(drawn.components(separatedBy: "<polyline").count == 3 && drawn.contains(">test</text>"))
    }

    @Test func aChangedTestHistoryIsCaughtByTheChecksumAndABrokenOneByVerify() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("test.h5").path
        try writeData(data, examples: 100, seed: 5)
        try writeData(test, examples: 50, seed: 6)
        let path = folder.appendingPathComponent("c.h5").path
        let trained = try LNetBinary.run(
            ["train", "--data", data, "--test", test, "--checkpoint", path, "--epochs", "4", "--checkpoint-every", "1"]
                + Self.training)
        #expect(trained.status == 0, "\(trained.stderr)")

        try InteropPython.edit(path, "f['training/test_costs'][0] = 0.5", reseal: false)
        let changed = try LNetBinary.run(["verify", path])
        #expect(changed.status == 1 && changed.stderr.contains("settings checksum does not match"), "\(changed.stderr)")

        try InteropPython.edit(path, "f['training/test_accuracy'][1] = 1.5")
        let broken = try LNetBinary.run(["verify", path])
        #expect(broken.status == 1, "\(broken.stderr)")
        #expect(broken.stderr.contains("error: \(path): /training/test_accuracy holds values outside [0, 1]"), "\(broken.stderr)")

        try InteropPython.edit(path, "f['training/test_accuracy'][1] = 0.5; del f['training/test_epochs']")
        let unpaired = try LNetBinary.run(["resume", path, "--epochs", "1", "--quiet"])
        #expect(unpaired.status == 1, "\(unpaired.stderr)")
        #expect(unpaired.stderr.contains("/training/test_costs is present but /training/test_epochs is missing"), "\(unpaired.stderr)")
    }

    /// The test labels are the opposite of the training rule: the better the network learns, the worse its test
    /// cost, so the best model is the first one, and every record after the resume is worse than it.
    @Test func keepBestKeepsTheLowestTestCostAcrossAResumeAndBesideKeep() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("opposite.h5").path
        try writeData(data, examples: 300, seed: 7)
        try writeData(test, examples: 120, seed: 8, flipped: true)
        let path = folder.appendingPathComponent("c.h5").path
        let best = folder.appendingPathComponent("c-best.h5").path
        let first = try LNetBinary.run(
            ["train", "--data", data, "--test", test, "--checkpoint", path, "--epochs", "3", "--checkpoint-every", "1",
             "--keep-best", "--keep", "2"] + Self.training)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: best))
        // No --keep-best: the checkpoint's record carries it on.
        let resumed = try LNetBinary.run(["resume", path, "--epochs", "3", "--checkpoint-every", "1", "--keep", "2", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        let judged = try Python.run(script: """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as b:
                t = f["training"]
                costs = t["test_costs"][()]
                k = int(np.argmin(costs))
                print(t["test_epochs"][()].tolist(), int(t["test_epochs"][k]), int(t.attrs["best_epoch"]),
                      int(b["training"].attrs["best_epoch"]), int(b["training"].attrs["epoch"]),
                      t.attrs["best_cost"] == costs[k], b["training"].attrs["best_cost"] == costs[k],
                      bool(np.all(np.diff(costs) > 0)))
            """, [path, best])
        #expect(judged.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "[0, 1, 2, 3, 4, 5] 0 0 0 1 True True True", "\(judged)")
        // The kept file was not rewritten by the resumed run: its records were all worse.
        #expect(try Data(contentsOf: URL(fileURLWithPath: best)) == before)
        // Its network measures, in numpy, the cost it was kept for.
        let numpy = try Python.run(script: Self.numpyMeasure, [best, test]).split(separator: " ").first.flatMap { Double($0) }
        let kept = try Python.run(script: """
            import sys, h5py
            with h5py.File(sys.argv[1], "r") as f: print(repr(float(f["training"].attrs["best_cost"])))
            """, [best]).trimmingCharacters(in: .whitespacesAndNewlines)
        if let numpy, let kept = Double(kept) { #expect(abs(numpy - kept) <= 1e-12 * abs(numpy)) } else { Issue.record("\(kept)") }
        // --keep's numbered files live beside it; neither removes the other.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["c-best.h5", "c-epoch5.h5", "c-epoch6.h5", "c.h5", "opposite.h5", "train.h5"], "\(names)")
    }

    @Test func withoutTestDataTheBestIsJudgedOnTheTrainingCost() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        try writeData(data, examples: 200, seed: 9)
        let path = folder.appendingPathComponent("c.h5").path
        let trained = try LNetBinary.run(
            ["train", "--data", data, "--checkpoint", path, "--epochs", "5", "--checkpoint-every", "2", "--keep-best"]
                + Self.training)
        #expect(trained.status == 0, "\(trained.stderr)")
        let judged = try Python.run(script: """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as b:
                t = f["training"]
                costs = t["costs"][()]
                judged = [1, 3, 4]
                k = judged[int(np.argmin(costs[judged]))]
                print("test_epochs" in t, t.attrs["best_judged_on"], int(t.attrs["best_epoch"]) == k,
                      t.attrs["best_cost"] == costs[k], int(b["training"].attrs["epoch"]) == k + 1)
            """, [path, folder.appendingPathComponent("c-best.h5").path])
        #expect(judged.trimmingCharacters(in: .whitespacesAndNewlines) == "False cost True True True", "\(judged)")
    }

    @Test func keepBestRefusals() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let usage = try LNetBinary.run(["train", "--data", "x.h5", "--layers", "1", "--keep-best"])
        #expect(usage.status == 64 && usage.stderr.contains("--keep-best"), "\(usage.stderr)")

        // The data named like the best file: an output never replaces an input.
        let data = folder.appendingPathComponent("c-best.h5").path
        try writeData(data, examples: 50, seed: 10)
        let path = folder.appendingPathComponent("c.h5").path
        let refused = try LNetBinary.run(
            ["train", "--data", data, "--checkpoint", path, "--epochs", "1", "--keep-best"] + Self.training)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("error: \(data): ") && refused.stderr.contains("an output never replaces an input"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))

        // An existing best model of another run is not overwritten without --force.
        let other = folder.appendingPathComponent("d.h5").path
        let otherData = folder.appendingPathComponent("data.h5").path
        try writeData(otherData, examples: 50, seed: 11)
        let run = ["train", "--data", otherData, "--checkpoint", other, "--epochs", "1", "--keep-best"] + Self.training
        #expect(try LNetBinary.run(run).status == 0)
        try FileManager.default.removeItem(atPath: other)
        let again = try LNetBinary.run(run)
        #expect(again.status == 1 && again.stderr.contains("d-best.h5"), "\(again.stderr)")
        #expect(try LNetBinary.run(run + ["--force"]).status == 0)
    }
}
