import Foundation
import LNetTestSupport
import Testing

/// `lnet train`'s test data (`--test`, `--test-x`, `--test-y`), checked before any
/// training; and the mistakes on its command line that are usage errors.
@Suite("lnet train: test data and usage errors, end to end", .serialized)
struct TrainTestDataAndUsageTests {
    private func scratch() throws -> URL { try Repository.scratchFolder("testdata") }

    /// Writes the moons sample's first `m` examples under the names `x` and `y` into `path`
    /// (features widened to `features` columns with zeros; labels plus `labelShift`).
    private func writeMoons(_ path: String, x: String, y: String, m: Int = 60, features: Int = 2, labelShift: Int = 0) throws {
        let sample = Repository.root.appendingPathComponent("samples/moons.h5").path
        try Python.run(script: """
            import sys, h5py, numpy as np
            source, path, xname, yname, m, features, shift = sys.argv[1:]
            m, features, shift = int(m), int(features), int(shift)
            with h5py.File(source) as f:
                x, y = f["x"][:m], f["y"][:m]
            x = np.hstack([x, np.zeros((m, features - 2))])
            with h5py.File(path, "w") as f:
                f[xname] = x
                f[yname] = y + shift
            """, [sample, path, x, y, String(m), String(features), String(labelShift)])
    }

    @Test func theTestFileUsesTestXAndTestYElseXAndY() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("test.h5").path
        let other = folder.appendingPathComponent("other.h5").path
        try writeMoons(train, x: "feat", y: "lab")
        try writeMoons(test, x: "feat", y: "lab")
        try writeMoons(other, x: "inputs", y: "targets")
        let common = ["train", "--data", train, "--x", "feat", "--y", "lab", "--layers", "3,1", "--epochs", "2", "--quiet"]

        // --x/--y serve the test file too when it has those names.
        let same = try LNetBinary.run(common + ["--test", test])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("Test accuracy: "))

        // Other names: --test-x/--test-y, which the checkpoint keeps for resume.
        let checkpoint = folder.appendingPathComponent("run.h5").path
        let named = try LNetBinary.run(
            common + ["--test", other, "--test-x", "inputs", "--test-y", "targets", "--checkpoint", checkpoint])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout.contains("Test accuracy: "))
        let resumed = try LNetBinary.run(["resume", checkpoint, "--epochs", "1", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Test accuracy: "))
        // The checkpoint's test file no longer has those names: resume goes on without it, saying why.
        try Python.run(script: "import sys, h5py\nwith h5py.File(sys.argv[1], 'a') as f: f.move('inputs', 'renamed')", [other])
        let without = try LNetBinary.run(["resume", checkpoint, "--epochs", "1", "--quiet"])
        #expect(without.status == 0, "\(without.stderr)")
        #expect(!without.stdout.contains("Test accuracy: "))
        #expect(without.stderr.hasPrefix("note: the test data cannot be used ("), "\(without.stderr)")
        #expect(without.stderr.contains("no dataset inputs (test_x_name)"), "\(without.stderr)")

        // Without them the message names the options that choose the test file's datasets.
        let unnamed = try LNetBinary.run(common + ["--test", other])
        #expect(unnamed.status == 1)
        #expect(unnamed.stdout.isEmpty)
        #expect(unnamed.stderr.hasPrefix("error: \(other): no dataset feat (--test-x)"), "\(unnamed.stderr)")
        #expect(unnamed.stderr.split(separator: "\n").count == 1)
    }

    /// A test file the network cannot be measured on is refused before the first epoch.
    @Test(arguments: [
        (3, 0, "test data: the network's input layer has 2 units but the data has 3 features"),
        (2, 1, "test data: label 2 of example"),
    ])
    func aTestFileThatDoesNotFitIsRefusedBeforeTraining(features: Int, labelShift: Int, words: String) throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("test.h5").path
        try writeMoons(train, x: "x", y: "y")
        try writeMoons(test, x: "x", y: "y", features: features, labelShift: labelShift)
        let result = try LNetBinary.run(["train", "--data", train, "--test", test, "--layers", "3,1", "--epochs", "100000"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "training ran before the test file was checked")
        #expect(result.stderr.hasPrefix("error: \(test): \(words)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func anUnwritableCheckpointIsRefusedBeforeTraining() throws {
        let sample = Repository.root.appendingPathComponent("samples/moons.h5").path
        let result = try LNetBinary.run([
            "train", "--data", sample, "--layers", "3,1", "--checkpoint", "/nonexistent-lnet-folder/c.h5",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "error: /nonexistent-lnet-folder/c.h5: write failed: no such folder /nonexistent-lnet-folder\n")
    }

    /// Mistakes visible on the command line alone are the argument parser's (exit 64), found before any file is read.
    @Test(arguments: [
        ["train", "--layers", "3,1", "--activations", "foo,sigmoid"],
        ["train", "--layers", "3,1", "--activations", "softmax,sigmoid"],
        ["train", "--layers", "3,1", "--activations", "relu,relu"],
        ["train", "--layers", "3,2", "--activations", "relu,sigmoid"],
        ["train", "--layers", "3,1", "--activations", "relu,softmax"],
        ["train", "--layers", "3,1", "--epsilon", "inf"],
        ["train", "--layers", "3,1", "--test-x", "a"],
        ["gradcheck", "--l2", "nan"],
        ["gradcheck", "--l2", "-1"],
        ["gradcheck", "--examples", "0"],
        ["gradcheck", "--activations", "foo,relu,sigmoid"],
    ])
    func commandLineMistakesAreUsageErrors(_ arguments: [String]) throws {
        let withData = arguments.first == "train" ? arguments + ["--data", "/nonexistent/d.h5"] : arguments
        let result = try LNetBinary.run(withData)
        #expect(result.status == 64, "\(withData): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
    }

    /// Every seed gives a point clear of the relu kinks, where backprop must agree.
    @Test func gradcheckAgreesForEverySeed() throws {
        for seed in 1...40 {
            let result = try LNetBinary.run(["gradcheck", "--seed", String(seed)])
            #expect(result.status == 0, "seed \(seed): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.isEmpty)
        }
    }
}
