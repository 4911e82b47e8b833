#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LNetTestSupport
import Testing

/// Python with numpy and h5py (the repository's .venv): writes datasets and
/// checkpoints, compares checkpoint files bit for bit, and runs
/// Tests/interop/check_checkpoint.py, as a user of the format would.
enum InteropPython {
    static let interop = Repository.interop.path

    static func run(_ arguments: [String]) throws -> LNetBinary.Result {
        try LNetBinary.run(arguments, executable: try Python.interpreter())
    }

    /// x (m, 2) float64 of a seeded normal times `scale`, y int64 = the sign of x0·x1.
    static func writeData(_ path: String, examples: Int, seed: Int = 0, scale: Double = 1) throws {
        let result = try run(["-c", """
            import sys, h5py, numpy as np
            r = np.random.RandomState(int(sys.argv[3]))
            x = r.randn(int(sys.argv[2]), 2) * float(sys.argv[4])
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
            """, path, String(examples), String(seed), String(scale)])
        guard result.status == 0 else { throw LNetBinary.Missing(description: "writing \(path): \(result.stderr)") }
    }

    /// The objects of `b` that differ from `a` in any bit: /parameters, the
    /// optimizer's moments, t, the learning rate and /training/costs.
    static func differences(_ a: String, _ b: String) throws -> [String] {
        let result = try run(["-c", """
            import sys, h5py
            bad = []
            with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as g:
                for group in ("parameters", "optimizer/v", "optimizer/s"):
                    names = set(f[group].keys() if group in f else []) | set(g[group].keys() if group in g else [])
                    for name in sorted(names):
                        p = f"{group}/{name}"
                        if p not in f or p not in g or f[p].shape != g[p].shape or f[p][()].tobytes() != g[p][()].tobytes():
                            bad.append(p)
                for key in ("t", "learning_rate"):
                    if f["optimizer"].attrs[key].tobytes() != g["optimizer"].attrs[key].tobytes():
                        bad.append("optimizer " + key)
                if f["training/costs"][()].tobytes() != g["training/costs"][()].tobytes():
                    bad.append("training/costs")
                for key in ("epoch", "batch_in_epoch"):
                    if f["training"].attrs[key] != g["training"].attrs[key]:
                        bad.append("training " + key)
            print("\\n".join(bad))
            """, a, b])
        guard result.status == 0 else { throw LNetBinary.Missing(description: "comparing \(a) and \(b): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Runs check_checkpoint.py on `checkpoint` with `data`.
    static func check(_ checkpoint: String, data: String) throws -> LNetBinary.Result {
        try run(["\(interop)/check_checkpoint.py", checkpoint, data])
    }

    /// Runs `code` with the checkpoint as sys.argv[1], h5py and numpy imported as h5py and np, then
    /// (with `reseal`, when the file has one) stores the settings checksum anew, as a user who
    /// edits a checkpoint on purpose does (formats/checkpoint.md, "Integrity"), so that the test
    /// sees how LNet judges the edited values rather than the stale checksum.
    static func edit(_ checkpoint: String, _ code: String, reseal: Bool = true) throws {
        let script = """
            import sys, h5py, numpy as np
            sys.path.insert(0, sys.argv[2])
            import lnet_format
            with h5py.File(sys.argv[1], 'r+') as f:
                \(code)
                if \(reseal ? "True" : "False") and lnet_format.SETTINGS_CHECKSUM in f.attrs:
                    lnet_format.seal(f)
            """
        let result = try run(["-c", script, checkpoint, interop])
        guard result.status == 0 else { throw LNetBinary.Missing(description: "editing \(checkpoint): \(result.stderr)") }
    }
}

extension LNetBinary {
    /// Runs another executable the same way (files, not pipes).
    static func run(_ arguments: [String], executable: URL) throws -> Result {
        let started = try Started(arguments, executable: executable)
        return try started.wait()
    }

    /// A child process left running, so a test can signal it.
    final class Started {
        let process = Process()
        let output: URL
        let errors: URL

        init(_ arguments: [String], executable: URL? = nil) throws {
            process.executableURL = try executable ?? LNetBinary.url()
            process.arguments = arguments
            let id = UUID().uuidString
            output = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-out-\(id)")
            errors = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-err-\(id)")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
        }

        /// Waits (up to `seconds`) until `path` exists; false if the process ended first.
        func waitForFile(_ path: String, seconds: Double = 60) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if FileManager.default.fileExists(atPath: path) { return true }
                if !process.isRunning { return false }
                usleep(2_000)
            }
            return false
        }

        /// Waits (up to `seconds`) until the file at `path` is a different
        /// file than `previous` (an atomic write renames a new inode into
        /// place); false if the process ended first. Tests kill after this so
        /// that every round makes progress however loaded the machine is.
        func waitForReplacement(of path: String, previous: UInt64?, seconds: Double = 120) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let inode = Self.inode(of: path), inode != previous { return true }
                if !process.isRunning { return false }
                usleep(2_000)
            }
            return false
        }

        /// The file's inode number, nil when there is no file.
        static func inode(of path: String) -> UInt64? {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
        }

        func signal(_ number: Int32) {
            kill(process.processIdentifier, number)
        }

        func wait() throws -> Result {
            process.waitUntilExit()
            defer {
                try? FileManager.default.removeItem(at: output)
                try? FileManager.default.removeItem(at: errors)
            }
            return Result(
                status: process.terminationStatus,
                stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
                stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
        }
    }
}

/// Issue #4 through the built `lnet`: interruption by signals, kills at
/// random moments, refusals with a reason, divergence, and h5py interop.
@Suite("lnet train and resume: checkpoints", .serialized)
struct CheckpointCommandTests {
    private func scratch(_ name: String = #function) throws -> URL { try Repository.scratchFolder("ckcmd-\(name.prefix(while: { $0.isLetter }))") }

    /// Interop runs in CI: without the venv these tests fail (run scripts/setup).
    private func skipWithoutPython() -> Bool {
        if Python.isAvailable { return false }
        Issue.record("no Python environment at \(Python.path): run scripts/setup")
        return true
    }

    private func errorLines(_ result: LNetBinary.Result) -> [Substring] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
    }

    private func expectAccepted(_ checkpoint: String, data: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let check = try InteropPython.check(checkpoint, data: data)
        #expect(check.status == 0, "check_checkpoint.py \(checkpoint): \(check.stderr)", sourceLocation: sourceLocation)
    }

    static let bigTrain = ["--layers", "8,4,1", "--optimizer", "adam", "--learning-rate", "0.01", "--keep-prob", "0.9",
                           "--l2", "0.01", "--batch-size", "64", "--epochs", "6", "--print-every", "1"]

    // MARK: Signals

    /// SIGINT → 130, SIGTERM → 143: the mini-batch is finished, the checkpoint
    /// saved, the resume command printed; resuming gives the uninterrupted bits.
    @Test func aSignalSavesAndResumeFinishesBitForBit() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("big.h5").path
        try InteropPython.writeData(data, examples: 20_000)
        let reference = folder.appendingPathComponent("reference.h5").path
        let straight = try LNetBinary.run(["train", "--data", data, "--checkpoint", reference] + Self.bigTrain)
        #expect(straight.status == 0, "\(straight.stderr)")

        for signal in [SIGINT, SIGTERM] {
            let path = folder.appendingPathComponent("interrupted-\(signal).h5").path
            // stdout is a file, so block-buffered: the first checkpoint is the cue.
            let running = try LNetBinary.Started(
                ["train", "--data", data, "--checkpoint", path, "--checkpoint-every", "1"] + Self.bigTrain)
            #expect(running.waitForFile(path))
            running.signal(signal)
            let stopped = try running.wait()
            #expect(stopped.status == 128 + signal, "signal \(signal): \(stopped.stderr)")
            #expect(stopped.stderr.contains("checkpoint saved. Resume with:\n  lnet resume \(path)\n"), "\(stopped.stderr)")
            #expect(!stopped.stdout.contains("Cost after epoch 5:"), "the run finished before the signal")
            #expect(errorLines(stopped).isEmpty)
            try expectAccepted(path, data: data)

            let resumed = try LNetBinary.run(["resume", path])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.contains("Cost after epoch 5:"))
            #expect(try InteropPython.differences(reference, path) == [], "signal \(signal)")
            try expectAccepted(path, data: data)
        }
    }

    // MARK: SIGKILL

    /// Kills `lnet train --checkpoint-every 1` at seeded random moments: every
    /// checkpoint left is whole (or there is none yet), a dead run's
    /// temporary file is ignored by readers and removed by the next write.
    @Test func sigkillNeverLeavesAHalfWrittenCheckpoint() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("small.h5").path
        try InteropPython.writeData(data, examples: 2_000, seed: 1)
        let path = folder.appendingPathComponent("killed.h5").path
        var generator = SeededGenerator(seed: 2024)
        var whole = 0
        for round in 0..<20 {
            try? FileManager.default.removeItem(atPath: path)
            let running = try LNetBinary.Started([
                "train", "--data", data, "--checkpoint", path, "--checkpoint-every", "1", "--layers", "16,8,1",
                "--batch-size", "32", "--epochs", "100000", "--quiet",
            ])
            // Every other round dies before or during its first write; the
            // rest after a first checkpoint, at a random moment while later
            // ones are being written.
            if round.isMultiple(of: 2) {
                #expect(running.waitForReplacement(of: path, previous: nil), "round \(round): no checkpoint written")
            }
            usleep(UInt32.random(in: 0...300_000, using: &generator))
            running.signal(SIGKILL)
            let killed = try running.wait()
            #expect(killed.status == SIGKILL, "round \(round): \(killed.stderr)")
            if FileManager.default.fileExists(atPath: path) {
                let resumed = try LNetBinary.run(["resume", path, "--epochs", "1", "--quiet"])
                #expect(resumed.status == 0, "round \(round): \(resumed.stderr)")
                whole += 1
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(names.filter { $0.hasPrefix("killed.h5.tmp-") }.count <= 1, "round \(round): \(names)")
        }
        #expect(whole > 0, "no kill landed after the first checkpoint")

        // The last round may have died before its first save (on a loaded
        // machine the start alone can take longer than the random wait).
        if !FileManager.default.fileExists(atPath: path) {
            let trained = try LNetBinary.run([
                "train", "--data", data, "--checkpoint", path, "--layers", "16,8,1", "--batch-size", "32", "--epochs", "1",
                "--quiet",
            ])
            #expect(trained.status == 0, "\(trained.stderr)")
        }
        // A dead process's temporary file: readers ignore it, the next write removes it.
        let stale = path + ".tmp-99999999"
        try Data("half an HDF5 file".utf8).write(to: URL(fileURLWithPath: stale))
        let resumed = try LNetBinary.run(["resume", path, "--epochs", "1", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(left == [], "\(left)")
        try expectAccepted(path, data: data)
    }

    /// Kill, resume, kill again… until the run is done: the same bits as an
    /// uninterrupted run.
    @Test func aChainOfKillsAndResumesEndsWithTheUninterruptedBits() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("small.h5").path
        try InteropPython.writeData(data, examples: 2_000, seed: 2)
        let arguments = ["--checkpoint-every", "1", "--layers", "16,8,1", "--batch-size", "32", "--epochs", "20",
                         "--keep-prob", "0.8", "--optimizer", "momentum", "--learning-rate", "0.05", "--decay", "inverse",
                         "--decay-rate", "0.1", "--quiet"]
        let reference = folder.appendingPathComponent("reference.h5").path
        let straight = try LNetBinary.run(["train", "--data", data, "--checkpoint", reference] + arguments)
        #expect(straight.status == 0, "\(straight.stderr)")

        let path = folder.appendingPathComponent("chain.h5").path
        var generator = SeededGenerator(seed: 7)
        var kills = 0
        for _ in 0..<30 {
            let command = FileManager.default.fileExists(atPath: path)
                ? ["resume", path, "--quiet", "--checkpoint-every", "1"]
                : ["train", "--data", data, "--checkpoint", path] + arguments
            let before = LNetBinary.Started.inode(of: path)
            let running = try LNetBinary.Started(command)
            // Kill only after this run saved at least once, so the chain
            // advances however slow the machine is, then at a random moment.
            guard running.waitForReplacement(of: path, previous: before) else {
                _ = try running.wait()
                break
            }
            usleep(UInt32.random(in: 0...200_000, using: &generator))
            running.signal(SIGKILL)
            let result = try running.wait()
            if result.status == 0 { break }
            #expect(result.status == SIGKILL, "\(result.stderr)")
            kills += 1
        }
        let finish = try LNetBinary.run(["resume", path, "--quiet"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(kills > 0)
        #expect(try InteropPython.differences(reference, path) == [])
        try expectAccepted(path, data: data)
    }

    // MARK: Refusals

    private func trainedCheckpoint(in folder: URL, optimizer: String = "adam") throws -> (data: String, checkpoint: String) {
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 3)
        let path = folder.appendingPathComponent("c.h5").path
        let result = try LNetBinary.run([
            "train", "--data", data, "--checkpoint", path, "--layers", "5,3,1", "--optimizer", optimizer,
            "--learning-rate", "0.05", "--epochs", "2", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return (data, path)
    }

    /// One `error:` line naming the file and the reason, status 1.
    private func expectRefusal(
        _ arguments: [String], naming file: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try LNetBinary.run(arguments)
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(file), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(reason), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func resumeRefusesOtherDataUnlessAllowed() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, path) = try trainedCheckpoint(in: folder)
        let other = folder.appendingPathComponent("other.h5").path
        try InteropPython.writeData(other, examples: 300, seed: 4)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        try expectRefusal(["resume", path, "--data", other, "--epochs", "1"], naming: path, reason: "--allow-data-change")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let allowed = try LNetBinary.run(["resume", path, "--data", other, "--epochs", "1", "--allow-data-change", "--quiet"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stderr.contains("note: the data has changed"))
        try expectAccepted(path, data: other)
    }

    @Test(arguments: [
        ("f.attrs['format_version'] = np.int64(2)", "format_version 2 is not supported"),
        ("del f['parameters/W2']", "/parameters/W2 is missing"),
        ("del f['optimizer/s/db1']", "/optimizer/s/db1 is missing"),
        ("del f['parameters/b1']; f['parameters/b1'] = np.zeros((3, 1))", "/parameters/b1 has shape (3, 1), expected (5, 1)"),
        ("del f['optimizer/v/dW3']; f['optimizer/v/dW3'] = np.zeros((3, 1))", "/optimizer/v/dW3 has shape (3, 1), expected (1, 3)"),
        ("f['optimizer'].attrs['t'] = np.int64(-1)", "attribute t of /optimizer is -1"),
    ])
    func resumeRefusesABrokenCheckpoint(edit: String, reason: String) throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, path) = try trainedCheckpoint(in: folder)
        try InteropPython.edit(path, edit)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        try expectRefusal(["resume", path, "--epochs", "1"], naming: path, reason: reason)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func trainRefusesToOverwriteACheckpointWithoutForce() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, path) = try trainedCheckpoint(in: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let arguments = ["train", "--data", data, "--checkpoint", path, "--layers", "4,1", "--epochs", "1", "--quiet"]
        try expectRefusal(arguments, naming: path, reason: "--force")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let forced = try LNetBinary.run(arguments + ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        try expectAccepted(path, data: data)
    }

    // MARK: Checkpoints written with h5py alone

    @Test func aParametersOnlyCheckpointResumesWithAFreshOptimizer() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 5)
        let path = folder.appendingPathComponent("mine.h5").path
        let written = try InteropPython.run(["\(InteropPython.interop)/write_checkpoint.py", path, "parameters-only", "2,5,3,1"])
        #expect(written.status == 0, "\(written.stderr)")
        try expectRefusal(["resume", path, "--epochs", "2"], naming: path, reason: "--data")
        let resumed = try LNetBinary.run(["resume", path, "--data", data, "--epochs", "2", "--print-every", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("note: ") && resumed.stderr.contains("fresh"), "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Cost after epoch 1:"))
        try expectAccepted(path, data: data)
    }

    /// write_checkpoint.py's `adam` checkpoint holds what numpy holds after the
    /// course's initialize_parameters_deep with seed 1: resuming it for 3
    /// epochs is `lnet train --init deep --seed 1` for 3 epochs, bit for bit.
    @Test func anAdamCheckpointWrittenWithH5pyResumesAsLnetTrains() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 6)
        let path = folder.appendingPathComponent("numpy.h5").path
        let written = try InteropPython.run(["\(InteropPython.interop)/write_checkpoint.py", path, "adam", "2,5,3,1", data])
        #expect(written.status == 0, "\(written.stderr)")
        let resumed = try LNetBinary.run(["resume", path, "--epochs", "3", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        let reference = folder.appendingPathComponent("lnet.h5").path
        let trained = try LNetBinary.run([
            "train", "--data", data, "--layers", "5,3,1", "--init", "deep", "--seed", "1", "--optimizer", "adam",
            "--learning-rate", "0.0075", "--batch-size", "64", "--epochs", "3", "--checkpoint", reference, "--quiet",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try InteropPython.differences(reference, path) == [])
        try expectAccepted(path, data: data)
        try expectAccepted(reference, data: data)
    }

    // MARK: Divergence

    @Test func divergenceStopsNamingTheEpochAndKeepsTheLastCheckpoint() throws {
        if skipWithoutPython() { return }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (data, path) = try trainedCheckpoint(in: folder, optimizer: "gd")
        try InteropPython.edit(path, "f['optimizer'].attrs['learning_rate'] = np.float64(1e300); f['optimizer'].attrs['learning_rate0'] = np.float64(1e300)")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try LNetBinary.run(["resume", path, "--epochs", "5", "--checkpoint-every", "1", "--quiet"])
        #expect(result.status == 1, "\(result.stderr)")
        let lines = errorLines(result)
        #expect(lines.count == 1)
        #expect(lines.first?.contains("epoch 2") == true, "\(result.stderr)")
        #expect(lines.first?.contains("left as it was") == true, "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // From the start, with features large enough that the first update
        // overflows: no checkpoint was ever good, none is written.
        try InteropPython.writeData(data, examples: 300, seed: 3, scale: 1000)
        let fresh = folder.appendingPathComponent("fresh.h5").path
        let diverged = try LNetBinary.run([
            "train", "--data", data, "--checkpoint", fresh, "--checkpoint-every", "1", "--layers", "5,3,1",
            "--optimizer", "gd", "--learning-rate", "1.7976931348623157e308", "--batch-size", "300", "--epochs", "5", "--quiet",
        ])
        #expect(diverged.status == 1, "\(diverged.stderr)")
        #expect(errorLines(diverged).first?.contains("epoch 0") == true, "\(diverged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }
}

/// SplitMix64, so the kill moments are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
