import Foundation
import LNetTestSupport
import Testing

/// `lnet diff`, `lnet inspect` on checkpoints and `lnet plot`, run as a user would.
@Suite("lnet diff, inspect (checkpoints), plot, end to end")
struct DiffInspectPlotCommandTests {
    private func scratch() throws -> URL { try Repository.scratchFolder("dip") }

    /// Runs the project's Python with numpy and h5py; its stdout.
    private func python(_ script: String, _ arguments: [String]) throws -> String {
        try Python.run(script: script, arguments)
    }

    /// A small 2-feature dataset (h5py, as formats/dataset.md) and a
    /// checkpoint trained on it for a few epochs.
    private func moonsCheckpoint(in directory: URL, epochs: Int = 3) throws -> (data: String, checkpoint: String) {
        let data = directory.appendingPathComponent("two.h5").path
        _ = try python("""
            import sys, h5py, numpy as np
            rng = np.random.default_rng(0)
            x = rng.normal(size=(40, 2))
            y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = y
            """, [data])
        let checkpoint = directory.appendingPathComponent("model-\(epochs).h5").path
        let train = try LNetBinary.run([
            "train", "--data", data, "--layers", "3,1", "--epochs", String(epochs), "--batch-size", "16",
            "--learning-rate", "0.01", "--checkpoint", checkpoint, "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        return (data, checkpoint)
    }

    @Test func diffExitCodes() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, three) = try moonsCheckpoint(in: directory, epochs: 3)
        let (_, four) = try moonsCheckpoint(in: directory, epochs: 4)

        let same = try LNetBinary.run(["diff", three, three])
        #expect(same.status == 0)
        #expect(same.stdout.isEmpty && same.stderr.isEmpty)

        let different = try LNetBinary.run(["diff", three, four])
        #expect(different.status == 1)
        #expect(different.stdout.contains("/training/costs: shape (3,) in A, (4,) in B"))
        #expect(different.stdout.contains("/parameters/W1: "))
        #expect(different.stdout.contains("values differ; max |a-b| = "))

        let missing = try LNetBinary.run(["diff", three, directory.appendingPathComponent("none.h5").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("error: ") && missing.stderr.split(separator: "\n").count == 1)

        let usage = try LNetBinary.run(["diff", three])
        #expect(usage.status == 64)
    }

    @Test func inspectCheckpointTextAndJSON() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (data, checkpoint) = try moonsCheckpoint(in: directory)

        let text = try LNetBinary.run(["inspect", checkpoint, "--stats"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("LNet checkpoint \(checkpoint) (format 1, written by lnet "))
        #expect(text.stdout.contains("  architecture   2 → 3 → 1 (relu, sigmoid)"))
        #expect(text.stdout.contains("  parameters     13\n"))
        #expect(text.stdout.contains("  optimizer      adam, t = 9, beta1 0.9, beta2 0.999, epsilon 1e-08"))
        #expect(text.stdout.contains("  learning rate  0.01 (initial 0.01), decay none"))
        #expect(text.stdout.contains("  epochs         3 completed of 3, at an epoch boundary; batch size 16"))
        #expect(text.stdout.contains("  data           \(data) (x, y), sha256 "))
        #expect(text.stdout.contains("L2 norm  NaN  Inf"))
        #expect(text.stdout.contains("/optimizer/s/db2"))

        let json = try LNetBinary.run(["inspect", checkpoint, "--json", "--stats"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["file"] as? String == checkpoint)
        #expect((object["objects"] as? [[String: Any]])?.isEmpty == false)
        let summary = try #require(object["checkpoint"] as? [String: Any])
        #expect(summary["layer_dims"] as? [Int] == [2, 3, 1])
        #expect(summary["parameter_count"] as? Int == 13)
        #expect((summary["optimizer"] as? [String: Any])?["t"] as? Int == 9)
        #expect((summary["training"] as? [String: Any])?["epoch"] as? Int == 3)
        #expect(((summary["tensors"] as? [[String: Any]])?.first?["stats"] as? [String: Any])?["nan_count"] as? Int == 0)
    }

    @Test func inspectObjectMatchesNumpy() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("arrays.h5").path
        _ = try python("""
            import sys, h5py, numpy as np
            rng = np.random.default_rng(1)
            with h5py.File(sys.argv[1], "w") as f:
                f["W"] = rng.normal(size=(30, 50)) * 0.01
                f["b"] = np.array([[0.5], [-1.25], [np.nan]])
            """, [path])
        for name in ["W", "b"] {
            let ours = try LNetBinary.run(["inspect", path, "/" + name])
            #expect(ours.status == 0)
            let numpy = try python("""
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], "r") as f:
                    print(np.array2string(f[sys.argv[2]][()]))
                """, [path, name])
            #expect(ours.stdout == numpy)
        }
        let missing = try LNetBinary.run(["inspect", path, "/nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: \(path) has no object /nope\n")
    }

    @Test func plotCostsAndBoundary() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (data, checkpoint) = try moonsCheckpoint(in: directory)
        let costs = directory.appendingPathComponent("costs.svg").path
        let run = try LNetBinary.run(["plot", checkpoint, "-o", costs])
        #expect(run.status == 0, "\(run.stderr)")
        let svg = try String(contentsOfFile: costs, encoding: .utf8)
        #expect(svg.contains("Learning rate = 0.01"))
        #expect(svg.contains("<polyline"))

        let boundary = directory.appendingPathComponent("boundary.svg").path
        let drawn = try LNetBinary.run(["plot", checkpoint, "--boundary", "--data", data, "-o", boundary, "--resolution", "50"])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        #expect(try String(contentsOfFile: boundary, encoding: .utf8).contains("<circle"))

        // Not 2 features: one clear line, and no file left behind.
        let wide = directory.appendingPathComponent("wide.h5").path
        _ = try python("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = np.zeros((4, 3)); f["y"] = np.zeros(4, dtype=np.int64)
            """, [wide])
        let refused = directory.appendingPathComponent("refused.svg").path
        let failure = try LNetBinary.run(["plot", checkpoint, "--boundary", "--data", wide, "-o", refused])
        #expect(failure.status == 1)
        #expect(failure.stderr == "error: \(wide): the decision boundary needs 2 features per example, this data has 3\n")
        #expect(!FileManager.default.fileExists(atPath: refused))

        let usage = try LNetBinary.run(["plot", checkpoint, "--boundary", "-o", refused])
        #expect(usage.status == 64)

        // An existing file is kept unless --force.
        let before = try Data(contentsOf: URL(fileURLWithPath: boundary))
        let kept = try LNetBinary.run(["plot", checkpoint, "-o", boundary])
        #expect(kept.status == 1)
        #expect(kept.stderr == "error: \(boundary): the file exists: pass --force to overwrite it\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: boundary)) == before)
        let forced = try LNetBinary.run(["plot", checkpoint, "-o", boundary, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: boundary, encoding: .utf8).contains("<polyline"))
    }
}
