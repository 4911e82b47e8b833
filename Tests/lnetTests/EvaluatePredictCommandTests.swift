import Foundation
import LNetTestSupport
import Testing

/// `lnet sample`, `evaluate`, `predict` and `verify` run as a user would,
/// with their outputs read back by h5py where a file is written.
@Suite("lnet sample, evaluate, predict, verify, end to end", .serialized)
struct EvaluatePredictCommandTests {
    private func scratch() throws -> URL { try Repository.scratchFolder("eval") }

    /// A moons model trained for a few epochs, and its data.
    private func trained(in folder: URL) throws -> (data: String, checkpoint: String) {
        let data = folder.appendingPathComponent("moons.h5").path
        let checkpoint = folder.appendingPathComponent("model.h5").path
        #expect(try LNetBinary.run(["sample", "moons", "-o", data]).status == 0)
        let train = try LNetBinary.run([
            "train", "--data", data, "--layers", "5,2,1", "--epochs", "30", "--checkpoint", checkpoint, "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        return (data, checkpoint)
    }

    private func runPython(_ script: String, _ arguments: [String]) throws -> String {
        try Python.run(script: script, arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func sampleWritesTheMoonsSetAndRefusesToOverwrite() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("moons.h5").path
        #expect(try LNetBinary.run(["sample", "moons", "-o", path, "--samples", "40"]).status == 0)
        let shapes = try runPython(
            "import sys, h5py; f = h5py.File(sys.argv[1]); print(f['x'].shape, f['x'].dtype, f['y'].shape, f['y'].dtype)",
            [path])
        #expect(shapes == "(40, 2) float64 (40,) int64")
        let again = try LNetBinary.run(["sample", "moons", "-o", path])
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("error: \(path)"))
        #expect(try LNetBinary.run(["sample", "circles", "-o", path]).status == 64)
    }

    @Test func evaluateAgreesWithPredictAndTheLabels() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        let text = try LNetBinary.run(["evaluate", checkpoint, "--data", data])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Examples: 300"))
        let json = try LNetBinary.run(["evaluate", checkpoint, "--data", data, "--json"])
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let correct = try #require(report["correct"] as? Int)
        #expect(report["examples"] as? Int == 300)

        let csv = folder.appendingPathComponent("predictions.csv").path
        #expect(try LNetBinary.run(["predict", checkpoint, "--data", data, "-o", csv]).status == 0)
        let h5 = folder.appendingPathComponent("predictions.h5").path
        #expect(try LNetBinary.run(["predict", checkpoint, "--data", data, "-o", h5]).status == 0)
        // The predictions' agreement with the labels, counted by numpy, is evaluate's `correct`.
        let counted = try runPython(
            """
            import sys, h5py, numpy as np
            p = h5py.File(sys.argv[1]); y = h5py.File(sys.argv[2])["y"][()]
            probabilities = p["probabilities"][()]
            assert probabilities.shape == (300, 2) and np.allclose(probabilities.sum(axis=1), 1)
            assert (p["predicted"][()] == probabilities.argmax(axis=1)).all()
            rows = np.genfromtxt(sys.argv[3], delimiter=",", names=True)
            assert (rows["predicted"].astype(int) == p["predicted"][()]).all()
            print(int((p["predicted"][()] == y).sum()))
            """, [h5, data, csv])
        #expect(Int(counted) == correct)
        let overwrite = try LNetBinary.run(["predict", checkpoint, "--data", data, "-o", csv])
        #expect(overwrite.status == 1)
    }

    /// A small network over wide inputs (the course's 12288 pixels, 7 hidden units) predicts the course's
    /// file: its memory estimate counts blocks of the size predict really reads, not 2^18 examples of
    /// 12288 features (48 GiB, refused on any machine before).
    @Test func aSmallNetworkOverTheCourseImagesPredictsThem() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Repository.sharedDatasets.appendingPathComponent("train_catvnoncat.h5").path
        let checkpoint = folder.appendingPathComponent("cat.h5").path
        let train = try LNetBinary.run(["train", "--data", data, "--layers", "7,1", "--epochs", "2", "--checkpoint", checkpoint, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let output = folder.appendingPathComponent("p.csv").path
        let predicted = try LNetBinary.run(["predict", checkpoint, "--data", data, "-o", output])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let rows = try runPython("import sys, pandas; print(len(pandas.read_csv(sys.argv[1])))", [output])
        #expect(rows == "209")
        let evaluated = try LNetBinary.run(["evaluate", checkpoint, "--data", data])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
    }

    @Test func predictNeedsNoLabelsAndRefusesTheWrongWidth() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, checkpoint) = try trained(in: folder)
        let unlabelled = folder.appendingPathComponent("unlabelled.h5").path
        _ = try runPython(
            "import sys, h5py, numpy as np; h5py.File(sys.argv[1], 'w')['x'] = np.array([[0.0, 1.0], [1.5, -0.5]])",
            [unlabelled])
        let output = folder.appendingPathComponent("p.csv").path
        let predicted = try LNetBinary.run(["predict", checkpoint, "--data", unlabelled, "-o", output])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").count == 3)

        let wide = folder.appendingPathComponent("wide.h5").path
        _ = try runPython("import sys, h5py, numpy as np; h5py.File(sys.argv[1], 'w')['x'] = np.zeros((2, 3))", [wide])
        let refused = try LNetBinary.run(["predict", checkpoint, "--data", wide, "-o", folder.appendingPathComponent("q.csv").path])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: \(wide): x has 3 features per example but the network takes 2\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("q.csv").path))
    }

    @Test func verifyReportsEveryProblemAndWarnsAboutMissingChecksums() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, checkpoint) = try trained(in: folder)
        let valid = try LNetBinary.run(["verify", checkpoint])
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("valid checkpoint"))

        let plain = folder.appendingPathComponent("numpy-user.h5").path
        _ = try runPython(
            """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                m = f.create_group("model")
                m.attrs["layer_dims"] = np.array([2, 3, 1], dtype=np.int64)
                m.attrs["activations"] = ["relu", "sigmoid"]
                m.attrs["loss"] = "binary_cross_entropy"
                f["parameters/W1"] = np.ones((3, 2)); f["parameters/b1"] = np.zeros((3, 1))
                f["parameters/W2"] = np.ones((1, 4)); f["parameters/b2"] = np.array([[np.nan]])
            """, [plain])
        let broken = try LNetBinary.run(["verify", plain])
        #expect(broken.status == 1)
        let errors = broken.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 2, "\(broken.stderr)")
        #expect(errors.contains { $0.contains("/parameters/W2 has shape (1, 4), expected (1, 3)") })
        #expect(errors.contains { $0.contains("/parameters/b2 holds NaN or infinite values") })
        #expect(broken.stderr.contains("warning: \(plain): "))
    }
}
