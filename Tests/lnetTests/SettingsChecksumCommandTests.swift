import Foundation
import LNetTestSupport
import Testing

/// Issue #10, item 3, through the built `lnet`: the settings checksum
/// (`settings_sha256`, formats/checkpoint.md "Integrity") catches a bit flipped
/// in an attribute that fletcher32 does not cover; h5py computes the same
/// checksum as LNet, both ways; a file without it is read with a note.
@Suite("lnet: the settings checksum", .serialized)
struct SettingsChecksumCommandTests {
    private func scratch(_ name: String = #function) throws -> URL {
        try Repository.scratchFolder("settings-\(name.prefix(while: { $0.isLetter }))")
    }

    /// Interop runs in CI: without the venv these tests fail (run scripts/setup).
    private func skipWithoutPython() -> Bool {
        if Python.isAvailable { return false }
        Issue.record("no Python environment at \(Python.path): run scripts/setup")
        return true
    }

    /// An Adam checkpoint trained by lnet for 2 epochs, and its data.
    private func trained(in folder: URL, extra: [String] = []) throws -> (data: String, checkpoint: String) {
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 3)
        let path = folder.appendingPathComponent("c.h5").path
        let result = try LNetBinary.run([
            "train", "--data", data, "--checkpoint", path, "--layers", "5,3,1", "--optimizer", "adam",
            "--learning-rate", "0.01", "--epochs", "2", "--quiet",
        ] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return (data, path)
    }

    /// Flips bit `bit` of the float64 attribute `name` of `group` in place, leaving the checksum as it was.
    private func flipBit(_ bit: Int, of name: String, in group: String, of checkpoint: String) throws {
        try InteropPython.edit(checkpoint, """
            a = f['\(group)'].attrs; v = np.array([a['\(name)']], dtype=np.float64).view(np.uint64); v ^= np.uint64(1 << \(bit)); a['\(name)'] = v.view(np.float64)[0]
            """, reseal: false)
    }

    /// The settings checksum h5py + hashlib compute for `checkpoint`, and the one stored in it.
    private func pythonChecksum(_ checkpoint: String) throws -> (computed: String, stored: String) {
        let result = try InteropPython.run(["-c", """
            import sys, h5py
            sys.path.insert(0, sys.argv[2])
            import lnet_format
            with h5py.File(sys.argv[1], "r") as f:
                print(lnet_format.settings_sha256(f), lnet_format.text(f.attrs.get("settings_sha256", "none")))
            """, checkpoint, InteropPython.interop])
        #expect(result.status == 0, "\(result.stderr)")
        let words = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (words.first ?? "", words.dropFirst().first ?? "")
    }

    /// Every command that reads the checkpoint refuses it with one `error: FILE: …` line saying the settings
    /// checksum does not match (verify: among its error lines); resume leaves the file byte for byte.
    private func expectEveryReaderRefuses(
        _ checkpoint: String, data: String, output folder: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let reason = "the settings checksum does not match"
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let verify = try LNetBinary.run(["verify", checkpoint])
        #expect(verify.status == 1, "verify: \(verify.stdout) \(verify.stderr)", sourceLocation: sourceLocation)
        // Warnings (tensors without fletcher32, say) come first; the checksum is the first problem.
        #expect(verify.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }?.hasPrefix("error: \(checkpoint): \(reason)") == true,
                "verify: \(verify.stderr)", sourceLocation: sourceLocation)
        let predictions = folder.appendingPathComponent("refused-predictions.csv").path
        for arguments in [
            ["resume", checkpoint, "--epochs", "1", "--quiet"],
            ["evaluate", checkpoint, "--data", data],
            ["predict", checkpoint, "--data", data, "-o", predictions],
        ] {
            let result = try LNetBinary.run(arguments)
            #expect(result.status == 1, "\(arguments[0]): \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("error: \(checkpoint): \(reason)") == true,
                    "\(arguments[0]): \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: predictions), sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before, sourceLocation: sourceLocation)
    }

    // MARK: A changed setting is refused

    /// β1 0.9 with bit 48 flipped is 0.93125, the rotten value of the issue: a valid-looking setting.
    @Test func aBitFlippedInBeta1IsRefusedByEveryReader() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        try flipBit(48, of: "beta1", in: "optimizer", of: checkpoint)
        let flipped = try InteropPython.run(["-c", "import sys, h5py; print(repr(float(h5py.File(sys.argv[1])['optimizer'].attrs['beta1'])))", checkpoint])
        #expect(flipped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.93125")
        try expectEveryReaderRefuses(checkpoint, data: data, output: folder)

        // inspect describes what it can, and says so.
        let inspect = try LNetBinary.run(["inspect", checkpoint])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("  settings       CHECKSUM DOES NOT MATCH"), "\(inspect.stdout)")
        let json = try LNetBinary.run(["inspect", checkpoint, "--json"])
        #expect(json.stdout.contains("\"settings_checksum\": \"mismatch\""), "\(json.stdout)")
    }

    @Test func aBitFlippedInLearningRate0IsRefusedByEveryReader() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        try flipBit(3, of: "learning_rate0", in: "optimizer", of: checkpoint)
        try expectEveryReaderRefuses(checkpoint, data: data, output: folder)
    }

    /// Strings, counters and the generator's key are settings too.
    @Test(arguments: [
        "f['model'].attrs['activations'] = ['tanh', 'tanh', 'sigmoid']",
        "f['training'].attrs['x_name'] = 'y'",
        "f['training'].attrs['shuffle_seed'] = np.int64(11)",
        "k = f['training/rng_key'][()]; k[100] ^= 1; del f['training/rng_key']; f['training/rng_key'] = k",
        "f['optimizer'].attrs['note'] = 'an attribute the format does not define is covered too'",
    ])
    func anyOtherChangedSettingIsRefused(edit: String) throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        try InteropPython.edit(checkpoint, edit, reseal: false)
        try expectEveryReaderRefuses(checkpoint, data: data, output: folder)
    }

    /// The checksum is checked first, so a flip that also breaks a value's range is still reported as what it is.
    @Test func aChangedSettingIsReportedAsSuchBeforeTheValueItBreaks() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, checkpoint) = try trained(in: folder)
        try flipBit(62, of: "beta1", in: "optimizer", of: checkpoint)  // 0.9 → 1.6e308: not in [0, 1)
        let verify = try LNetBinary.run(["verify", checkpoint])
        let errors = verify.stderr.split(separator: "\n")
        #expect(errors.count == 2, "\(verify.stderr)")
        #expect(errors.first?.contains("the settings checksum does not match") == true, "\(verify.stderr)")
        #expect(errors.last?.contains("attribute beta1 of /optimizer") == true, "\(verify.stderr)")
    }

    // MARK: Python agrees with LNet, both ways

    /// Python recomputes the checksum of checkpoints LNet wrote, with string arrays (class names with a comma,
    /// a quote and non-ASCII letters), standardisation, test data, momentum and decay, and at each --keep copy.
    @Test func pythonComputesTheChecksumLnetWrote() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("named.h5").path
        let written = try InteropPython.run(["-c", """
            import sys, h5py, numpy as np
            r = np.random.RandomState(4)
            x = r.randn(200, 3)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
                f["classes"] = np.array(["chat, gris", "\\"œuf\\"", "zèbre"], dtype=h5py.string_dtype())
            """, data])
        #expect(written.status == 0, "\(written.stderr)")
        let checkpoint = folder.appendingPathComponent("named-model.h5").path
        let trained = try LNetBinary.run([
            "train", "--data", data, "--test", data, "--layers", "4,3", "--optimizer", "momentum", "--decay", "scheduled",
            "--decay-interval", "2", "--standardize", "--keep-prob", "0.8", "--epochs", "4", "--batch-size", "16",
            "--checkpoint", checkpoint, "--checkpoint-every", "1", "--keep", "2", "--quiet",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("-epoch") }.sorted()
        #expect(kept.count == 2, "\(kept)")
        let inspect = try LNetBinary.run(["inspect", checkpoint])
        #expect(inspect.stdout.contains("  settings       checksum matches (settings_sha256)"), "\(inspect.stdout)")
        for file in [checkpoint] + kept.map({ folder.appendingPathComponent($0).path }) {
            let (computed, stored) = try pythonChecksum(file)
            #expect(computed.count == 64 && computed == stored, "\(file)")
            let verify = try LNetBinary.run(["verify", file])
            #expect(verify.status == 0 && verify.stderr.isEmpty, "\(file): \(verify.stderr)")
        }
    }

    /// h5py writes a complete Adam checkpoint and its checksum with hashlib: LNet accepts it without a note,
    /// and refuses it once a setting changes.
    @Test func lnetAcceptsTheChecksumH5pyWrote() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 6)
        let checkpoint = folder.appendingPathComponent("numpy.h5").path
        let written = try InteropPython.run(["\(InteropPython.interop)/write_checkpoint.py", checkpoint, "adam", "2,5,3,1", data, "--seal"])
        #expect(written.status == 0, "\(written.stderr)")
        let verify = try LNetBinary.run(["verify", checkpoint])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(!verify.stderr.contains("settings checksum"), "\(verify.stderr)")
        let evaluate = try LNetBinary.run(["evaluate", checkpoint, "--data", data])
        #expect(evaluate.status == 0 && evaluate.stderr.isEmpty, "\(evaluate.stderr)")

        let parametersOnly = folder.appendingPathComponent("parameters.h5").path
        let plain = try InteropPython.run(["\(InteropPython.interop)/write_checkpoint.py", parametersOnly, "parameters-only", "2,5,3,1", "--seal"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let predicted = try LNetBinary.run(["predict", parametersOnly, "--data", data, "-o", folder.appendingPathComponent("p.csv").path])
        #expect(predicted.status == 0 && predicted.stderr.isEmpty, "\(predicted.stderr)")

        let copy = folder.appendingPathComponent("copy.h5").path
        try FileManager.default.copyItem(atPath: checkpoint, toPath: copy)
        let resumed = try LNetBinary.run(["resume", copy, "--epochs", "1", "--quiet"])
        #expect(resumed.status == 0 && !resumed.stderr.contains("note:"), "\(resumed.stderr)")

        // Names whose order differs between Swift's String comparison (which takes "é" and "e\u{301}" for
        // the same) and the UTF-8 bytes the format orders by, and values of other widths: sealed by Python.
        try InteropPython.edit(checkpoint, """
            m = f['model'].attrs; m['\\u00e9'] = np.int32(1); m['e\\u0301'] = np.float32(0.5); m['Z'] = np.array([b'ab', b'c']); m['a'] = True
            """)
        let resealed = try LNetBinary.run(["verify", checkpoint])
        #expect(resealed.status == 0 && !resealed.stderr.contains("error:") && !resealed.stderr.contains("settings checksum"), "\(resealed.stderr)")

        try flipBit(48, of: "beta1", in: "optimizer", of: checkpoint)
        try expectEveryReaderRefuses(checkpoint, data: data, output: folder)
    }

    // MARK: Without a checksum

    /// h5py's files (and LNet's before the checksum) are read, with one note; resume's next save adds it.
    @Test func aCheckpointWithoutTheChecksumLoadsWithANote() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        try InteropPython.edit(checkpoint, "del f.attrs['settings_sha256']", reseal: false)
        let note = "note: \(checkpoint) has no settings checksum (settings_sha256): its settings are unchecked"

        let verify = try LNetBinary.run(["verify", checkpoint])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.contains("warning: \(checkpoint): no settings checksum (settings_sha256)"), "\(verify.stderr)")
        let inspect = try LNetBinary.run(["inspect", checkpoint])
        #expect(inspect.stdout.contains("  settings       unchecked: no settings_sha256"), "\(inspect.stdout)")
        for arguments in [
            ["evaluate", checkpoint, "--data", data],
            ["predict", checkpoint, "--data", data, "-o", folder.appendingPathComponent("p.csv").path],
        ] {
            let result = try LNetBinary.run(arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr == note + "\n", "\(arguments[0]): \(result.stderr)")
        }
        let resumed = try LNetBinary.run(["resume", checkpoint, "--epochs", "1", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr == note + "\n", "\(resumed.stderr)")
        let (computed, stored) = try pythonChecksum(checkpoint)
        #expect(computed == stored, "resume's save has the checksum again")

        let written = folder.appendingPathComponent("numpy.h5").path
        let plain = try InteropPython.run(["\(InteropPython.interop)/write_checkpoint.py", written, "parameters-only", "2,5,3,1"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let evaluate = try LNetBinary.run(["evaluate", written, "--data", data])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stderr.contains("note: \(written) has no settings checksum"), "\(evaluate.stderr)")

        // Refused for another reason, the command says that alone: one line, no note.
        let missing = folder.appendingPathComponent("missing.h5").path
        for arguments in [
            ["evaluate", written, "--data", missing],
            ["predict", written, "--data", missing, "-o", folder.appendingPathComponent("q.csv").path],
            ["resume", written, "--epochs", "1"],
        ] {
            let refused = try LNetBinary.run(arguments)
            #expect(refused.status == 1, "\(arguments[0]): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.hasPrefix("error: "),
                    "\(arguments[0]): \(refused.stderr)")
        }
    }

    /// A checksum that is there but damaged is never taken for a missing one.
    @Test(arguments: [
        "f.attrs['settings_sha256'] = f.attrs['settings_sha256'][:63] + 'g'",
        "f.attrs['settings_sha256'] = np.int64(7)",
    ])
    func aDamagedChecksumIsRefused(edit: String) throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, checkpoint) = try trained(in: folder)
        try InteropPython.edit(checkpoint, edit, reseal: false)
        let result = try LNetBinary.run(["evaluate", checkpoint, "--data", data])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: \(checkpoint): attribute settings_sha256 of / is "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
