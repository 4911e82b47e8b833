import Foundation
import LNetTestSupport
import Testing

/// What every subcommand promises a user: a worked example in its help, the
/// parser's exit status 64 for a bad flag, `--threads` where work is parallel,
/// and progress on stderr that never disturbs the costs on stdout.
@Suite("lnet help, exit codes and progress, end to end")
struct HelpAndExitCodeTests {
    static let subcommands = [
        "train", "resume", "evaluate", "predict", "inspect", "verify", "diff", "plot", "convert", "sample", "gradcheck",
        "export", "import",
    ]
    /// The commands that do matrix products or parallel conversion.
    static let parallel = ["train", "resume", "evaluate", "predict", "plot", "gradcheck", "convert"]

    static let moons = Repository.root.appendingPathComponent("samples/moons.h5").path

    @Test(arguments: subcommands)
    func helpCarriesAWorkedExample(_ subcommand: String) throws {
        let result = try LNetBinary.run([subcommand, "--help"])
        #expect(result.status == 0)
        // An example is a command line, alone or after a shell prompt (`$ lnet …`).
        let examples = result.stdout.split(separator: "\n").map {
            var line = $0.drop(while: { $0 == " " })
            if line.hasPrefix("$ ") { line = line.dropFirst(2) }
            return line
        }.filter { $0.hasPrefix("lnet \(subcommand)") }
        #expect(!examples.isEmpty, "no example in:\n\(result.stdout)")
    }

    @Test(arguments: subcommands)
    func aBadFlagIsTheParsersError(_ subcommand: String) throws {
        let result = try LNetBinary.run([subcommand, "--no-such-flag"])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "))
        #expect(result.stdout.isEmpty)
    }

    /// Each closed choice: the command and the rest of a valid command line, the option (nil for
    /// an argument), its values in order, and one that is not among them.
    static let closedChoices: [(command: [String], option: String?, values: [String], wrong: String)] = [
        (["train", "--data", "unused.h5", "--layers", "3,1"], "--optimizer", ["gd", "momentum", "adam"], "rmsprop"),
        (["train", "--data", "unused.h5", "--layers", "3,1"], "--init", ["he", "deep", "scaled"], "xavier"),
        (["train", "--data", "unused.h5", "--layers", "3,1"], "--decay", ["none", "inverse", "scheduled"], "cosine"),
        (["convert", "unused.csv", "unused.h5"], "--from", ["csv", "tsv", "npy", "npz", "idx", "hdf5"], "parquet"),
        (["export", "unused.h5", "unused.safetensors"], "--dtype", ["float64", "float32"], "float16"),
        (["sample", "-o", "unused.h5"], nil, ["moons"], "circles"),
    ]

    @Test(arguments: closedChoices.indices)
    func closedChoicesAreListedInHelpAndOthersAreUsageErrors(_ index: Int) throws {
        let choice = Self.closedChoices[index]
        let help = try LNetBinary.run([choice.command[0], "--help"])
        // Help wraps long lines; compare with the runs of spaces and newlines folded.
        let flowing = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flowing.contains("values: " + choice.values.joined(separator: ", ")), "\(help.stdout)")
        let wrong = try LNetBinary.run(choice.command + (choice.option.map { [$0, choice.wrong] } ?? [choice.wrong]))
        #expect(wrong.status == 64, "\(wrong.stderr)")
        #expect(wrong.stderr.hasPrefix("Error: ") && wrong.stderr.contains("'\(choice.wrong)'"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains(choice.option ?? "<name>"), "\(wrong.stderr)")
    }

    @Test(arguments: parallel)
    func parallelWorkTakesThreads(_ subcommand: String) throws {
        let help = try LNetBinary.run([subcommand, "--help"])
        #expect(help.stdout.contains("--threads <threads>"))
        let zero = try LNetBinary.run([subcommand, "--threads", "0"])
        #expect(zero.status == 64)
    }

    @Test func convertOnOneThreadWritesTheSameFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("in.csv")
        var text = "a,b,label\n"
        for row in 0..<5000 { text += "\(row),\(Double(row) / 7),\(row % 3 == 0 ? "yes" : "no")\n" }
        try Data(text.utf8).write(to: csv)
        let one = directory.appendingPathComponent("one.h5").path
        let two = directory.appendingPathComponent("two.h5").path
        #expect(try LNetBinary.run(["convert", csv.path, one, "--threads", "1", "--chunk-rows", "100"]).status == 0)
        #expect(try LNetBinary.run(["convert", csv.path, two, "--chunk-rows", "100"]).status == 0)
        let diff = try LNetBinary.run(["diff", one, two])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test func version() throws {
        let result = try LNetBinary.run(["--version"])
        #expect(result.status == 0)
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3, "version: \(version)")
    }

    @Test(arguments: [
        ["train", "--data", "/nonexistent/d.h5", "--layers", "3,1"],
        ["resume", "/nonexistent/c.h5"],
        ["evaluate", "/nonexistent/c.h5", "--data", "/nonexistent/d.h5"],
        ["predict", "/nonexistent/c.h5", "--data", "/nonexistent/d.h5", "-o", "/nonexistent/p.csv"],
        ["inspect", "/nonexistent/f.h5"],
        ["verify", "/nonexistent/c.h5"],
        ["plot", "/nonexistent/c.h5", "-o", "/nonexistent/c.svg"],
        ["convert", "/nonexistent/in.csv", "/nonexistent/out.h5"],
    ])
    func aMissingFileIsOneErrorLineAndStatus1(_ arguments: [String]) throws {
        let result = try LNetBinary.run(arguments)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("/nonexistent/"))
    }

    @Test func diffOfAnUnreadableFileIsStatus2() throws {
        let result = try LNetBinary.run(["diff", "/nonexistent/a.h5", "/nonexistent/b.h5"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: "))
    }

    // MARK: Progress

    @Test func pipedProgressLeavesTheCostsAlone() throws {
        let result = try LNetBinary.run([
            "train", "--data", Self.moons, "--layers", "5,2,1", "--epochs", "30", "--print-every", "1", "--threads", "1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let costs = lines.filter { $0.hasPrefix("Cost after epoch ") }
        #expect(costs.count == 30)
        for (epoch, line) in costs.enumerated() {
            #expect(line.wholeMatch(of: /Cost after epoch (\d+): \d+\.\d{6}/)?.1 == "\(epoch)"[...], "line: \(line)")
        }
        #expect(lines.first?.hasPrefix("Cost after epoch 0: ") == true)
        #expect(lines.contains { $0.hasPrefix("Train accuracy: ") })
        // A pipe gets no live line: no carriage return, no terminal escape.
        #expect(!result.stdout.contains("\r") && !result.stderr.contains("\r"))
        #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"))
    }

    @Test func quietPrintsNothingOnStderr() throws {
        let result = try LNetBinary.run([
            "train", "--data", Self.moons, "--layers", "5,2,1", "--epochs", "30", "--print-every", "1", "--quiet",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("Cost after epoch"))
    }

    /// Sharded and distributed training are float64 only: with --dtype float32 they are a usage error
    /// (before the data is opened), in one line.
    @Test(arguments: [["--grad-shards", "2"], ["--distributed"]])
    func float32WithShardsIsAUsageError(_ sharding: [String]) throws {
        let result = try LNetBinary.run(["train", "--data", "unused.h5", "--layers", "3,1", "--dtype", "float32"] + sharding)
        #expect(result.status == 64, "\(result.stderr)")
        // A build without the MPI trait refuses --distributed for that reason first.
        #expect(result.stderr.contains("float64 only") || result.stderr.contains("without MPI"), "\(result.stderr)")
    }
}
