import Foundation
import LNetTestSupport
import Testing

/// No command replaces one of its own inputs, whatever `--force` says, and
/// whether the output names the input itself, a symbolic link to it or a hard
/// link: the file is judged by its device and inode, not its name. And
/// `train --force` replaces only an LNet checkpoint.
@Suite("Outputs never replace inputs")
struct OutputIsInputTests {
    /// A folder holding `moons.h5` (the bundled sample), a trained checkpoint
    /// `model.h5`, and the two links `link.h5` (symbolic, to moons.h5) and
    /// `hard.h5` (hard, to model.h5).
    struct Files {
        let folder: URL
        var data: String { folder.appendingPathComponent("moons.h5").path }
        var model: String { folder.appendingPathComponent("model.h5").path }
        var symbolicToData: String { folder.appendingPathComponent("link.h5").path }
        var hardToModel: String { folder.appendingPathComponent("hard.h5").path }

        init() throws {
            folder = try Repository.scratchFolder("output-is-input")
            try FileManager.default.copyItem(
                atPath: Repository.root.appendingPathComponent("samples/moons.h5").path, toPath: data)
            let trained = try LNetBinary.run([
                "train", "--data", data, "--layers", "3,1", "--epochs", "2", "--quiet", "--checkpoint", model,
            ])
            guard trained.status == 0 else { throw LNetBinary.Missing(description: "training: \(trained.stderr)") }
            try FileManager.default.createSymbolicLink(atPath: symbolicToData, withDestinationPath: data)
            try FileManager.default.linkItem(atPath: model, toPath: hardToModel)
        }

        func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    }

    /// Runs `arguments`; expects a refusal (exit 1, one `error:` line that says
    /// an output never replaces an input) that left every file as it was.
    private func expectRefused(_ arguments: [String], files: Files, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try [files.data, files.model].map(files.bytes)
        let result = try LNetBinary.run(arguments)
        #expect(result.status == 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("an output never replaces an input"), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(try [files.data, files.model].map(files.bytes) == before, "\(arguments) changed an input", sourceLocation: sourceLocation)
        let names = try FileManager.default.contentsOfDirectory(atPath: files.folder.path)
        #expect(!names.contains { $0.contains(".tmp-") }, "temporary left: \(names)", sourceLocation: sourceLocation)
    }

    @Test func trainRefusesItsDataAsCheckpointEvenForced() throws {
        let files = try Files()
        for target in [files.data, files.symbolicToData] {
            for force in [[], ["--force"]] {
                try expectRefused(
                    ["train", "--data", files.data, "--layers", "3,1", "--epochs", "1", "--quiet", "--checkpoint", target] + force,
                    files: files)
            }
        }
        // The test file is an input too.
        try expectRefused(
            ["train", "--data", files.data, "--test", files.symbolicToData, "--layers", "3,1", "--epochs", "1",
             "--quiet", "--checkpoint", files.data, "--force"],
            files: files)
    }

    @Test func predictAndPlotRefuseTheirInputs() throws {
        let files = try Files()
        for output in [files.data, files.symbolicToData, files.model, files.hardToModel] {
            try expectRefused(["predict", files.model, "--data", files.data, "-o", output, "--force"], files: files)
        }
        for output in [files.model, files.hardToModel] {
            try expectRefused(["plot", files.model, "-o", output, "--force"], files: files)
        }
        try expectRefused(
            ["plot", files.model, "--boundary", "--data", files.data, "-o", files.symbolicToData, "--force"], files: files)
    }

    @Test func convertRefusesItsInputThroughALink() throws {
        let files = try Files()
        // convert used to compare names only: a symbolic link passed that check.
        try expectRefused(["convert", files.data, files.symbolicToData, "--force"], files: files)
    }

    @Test func resumeRefusesDataThatIsTheCheckpoint() throws {
        let files = try Files()
        try expectRefused(["resume", files.model, "--data", files.hardToModel, "--epochs", "1"], files: files)
    }

    @Test func keepNeverRemovesAnInputNamedLikeANumberedCheckpoint() throws {
        let files = try Files()
        // A dataset whose name is one --keep would write and later remove.
        let numbered = files.folder.appendingPathComponent("run-epoch1.h5").path
        try FileManager.default.copyItem(atPath: files.data, toPath: numbered)
        let result = try LNetBinary.run([
            "train", "--data", numbered, "--layers", "3,1", "--epochs", "3", "--quiet", "--checkpoint-every", "1",
            "--keep", "1", "--checkpoint", files.folder.appendingPathComponent("run.h5").path,
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("run-epoch1.h5") && result.stderr.contains("never replaces an input"), "\(result.stderr)")
        #expect(try files.bytes(numbered) == files.bytes(files.data))
    }

    @Test func trainForceReplacesOnlyACheckpointAndSaysWhatTheFileIs() throws {
        let files = try Files()
        let dataset = files.folder.appendingPathComponent("other-data.h5").path
        try FileManager.default.copyItem(atPath: files.data, toPath: dataset)
        let notes = files.folder.appendingPathComponent("notes.h5").path
        try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: notes))
        let train = ["train", "--data", files.data, "--layers", "3,1", "--epochs", "1", "--quiet", "--checkpoint"]

        for force in [[], ["--force"]] {
            let onDataset = try LNetBinary.run(train + [dataset] + force)
            #expect(onDataset.status == 1)
            #expect(onDataset.stderr == "error: \(dataset): is an HDF5 file holding x, y, not an LNet checkpoint: training never replaces it, even with --force; choose another checkpoint name\n")
            let onText = try LNetBinary.run(train + [notes] + force)
            #expect(onText.status == 1)
            #expect(onText.stderr.contains("is not an HDF5 file (9 bytes), not an LNet checkpoint"), "\(onText.stderr)")
        }
        #expect(try files.bytes(dataset) == files.bytes(files.data))
        #expect(try files.bytes(notes) == Data("my notes\n".utf8))

        // An existing checkpoint: refused without --force (with the resume hint), replaced with it.
        let kept = try LNetBinary.run(train + [files.model])
        #expect(kept.status == 1 && kept.stderr.contains("a checkpoint exists already"), "\(kept.stderr)")
        let replaced = try LNetBinary.run(train + [files.model, "--force"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
    }
}
