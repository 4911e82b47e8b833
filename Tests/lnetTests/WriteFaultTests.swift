#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LNetTestSupport
import Testing

/// A folder whose writes fail for real: a small tmpfs (a full disk, ENOSPC), or
/// the LD_PRELOAD'ed injector of Faults/failing_writes.c (EIO, or ENOSPC where no
/// tmpfs can be mounted), which fails every write under the folder once
/// `budget` bytes have been written there.
struct FaultyFolder {
    enum Fault: String, CaseIterable, CustomStringConvertible, Sendable {
        case diskFull, ioError
        var description: String { rawValue }
    }

    let url: URL
    /// What `lnet` must run with (the injector's settings), empty for a tmpfs.
    let environment: [String: String]
    private let mounted: Bool

    /// `budget`: the bytes `lnet` may write before the fault (a tmpfs gets that much
    /// free room beside `previous`, the files copied in first).
    static func make(_ fault: Fault, label: String, budget: Int, previous: [(from: String, name: String)] = []) throws
        -> FaultyFolder
    {
        let url = try Repository.scratchFolder("faults-\(label)-\(fault)")
        var mounted = false
        if fault == .diskFull {
            let previousBytes = try previous.reduce(0) { total, file in
                total + ((try FileManager.default.attributesOfItem(atPath: file.from)[.size] as? Int) ?? 0)
            }
            // tmpfs counts whole pages.
            let size = (previousBytes + budget + 4096 * (previous.count + 2)) / 1024 + 1
            let result = try Subprocess.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(size)k", "tmpfs", url.path])
            mounted = result.status == 0
            if !mounted { print("note: cannot mount a tmpfs (\(result.stderr)); a full disk is simulated with LD_PRELOAD") }
        }
        for file in previous {
            try FileManager.default.copyItem(atPath: file.from, toPath: url.appendingPathComponent(file.name).path)
        }
        var environment: [String: String] = [:]
        if !mounted {
            environment = [
                "LD_PRELOAD": try injector(), "LNET_FAULT_FOLDER": url.path, "LNET_FAULT_BUDGET": String(budget),
                "LNET_FAULT_ERRNO": String(fault == .diskFull ? ENOSPC : EIO),
            ]
        }
        return FaultyFolder(url: url, environment: environment, mounted: mounted)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() {
        if mounted { _ = try? Subprocess.run(URL(fileURLWithPath: "/bin/umount"), [url.path]) }
        try? FileManager.default.removeItem(at: url)
    }

    /// The injector, compiled once per test process from Faults/failing_writes.c.
    static func injector() throws -> String {
        let source = Repository.root.appendingPathComponent("Tests/lnetTests/Faults/failing_writes.c").path
        let library = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-failing-writes-\(getpid()).so").path
        if FileManager.default.fileExists(atPath: library) { return library }
        let result = try Subprocess.run(URL(fileURLWithPath: "/usr/bin/cc"), ["-shared", "-fPIC", "-o", library, source, "-ldl"])
        guard result.status == 0 else { throw LNetBinary.Missing(description: "cannot compile \(source): \(result.stderr)") }
        return library
    }

    /// Runs `lnet` with the fault armed.
    func lnet(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run(try LNetBinary.url(), arguments, environment: environment, directory: url, timeout: 600)
    }

    /// What every failed write must look like: exit 1, one `error:` line, no signal,
    /// no temporary file left, and `previous` (name → bytes before) unchanged.
    func expectCleanFailure(_ result: Subprocess.Result, previous: [String: Data], absent: [String] = []) throws {
        #expect(result.signal == nil, "killed by signal \(result.signal ?? 0): \(result.stderr)")
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("crashed"))
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        #expect(!names.contains { $0.contains(".tmp-") }, "left behind: \(names)")
        for (name, bytes) in previous {
            #expect(FileManager.default.contents(atPath: path(name)) == bytes, "\(name) changed")
        }
        for name in absent { #expect(!names.contains(name), "\(name) was written") }
    }
}

@Suite("A failing write (full disk, I/O error) ends a command cleanly", .serialized)
struct WriteFaultTests {
    static let courseTrain = Repository.sharedDatasets.appendingPathComponent("train_catvnoncat.h5").path

    /// A checkpoint of the course's cat data with one unit (about 330 kB), made on a sound disk.
    static func previousCheckpoint(_ label: String, epochs: Int = 2) throws -> String {
        let folder = try Repository.scratchFolder("faults-previous-\(label)")
        let path = folder.appendingPathComponent("c.h5").path
        let result = try LNetBinary.run(["train", "--data", courseTrain, "--layers", "1", "--epochs", String(epochs), "--checkpoint", path])
        guard result.status == 0 else { throw LNetBinary.Missing(description: "training the previous checkpoint: \(result.stderr)") }
        return path
    }

    static func bytes(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw LNetBinary.Missing(description: "cannot read \(path)") }
        return data
    }

    /// The final save (`--epochs 2`, no periodic one) and a periodic one (every epoch),
    /// over a previous checkpoint that must stay whole.
    @Test(arguments: FaultyFolder.Fault.allCases, [1, 100])
    func trainSaveFailsOverPreviousCheckpoint(fault: FaultyFolder.Fault, every: Int) throws {
        let previous = try Self.previousCheckpoint("train")
        let folder = try FaultyFolder.make(fault, label: "train\(every)", budget: 100_000, previous: [(previous, "c.h5")])
        defer { folder.remove() }
        let before = try Self.bytes(previous)
        let result = try folder.lnet([
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "3", "--checkpoint-every", String(every),
            "--checkpoint", "c.h5", "--force"])
        try folder.expectCleanFailure(result, previous: ["c.h5": before])
        #expect(result.stderr.contains("training stopped"))
        // Every 1: the first periodic save (epoch 1's, written in the background) failed, and the
        // run stopped at the next epoch end, its failure reported, not that of a later save.
        // Every 100: the final save (epoch 3's, synchronous).
        #expect(result.stderr.contains("cannot save the checkpoint of epoch \(every == 1 ? 1 : 3) ("), "\(result.stderr)")
    }

    /// A periodic save that fails after an earlier one of the same run succeeded:
    /// the run stops, and the checkpoint it keeps is the earlier one, whole.
    @Test(arguments: FaultyFolder.Fault.allCases)
    func laterPeriodicSaveFails(fault: FaultyFolder.Fault) throws {
        let size = try Self.bytes(try Self.previousCheckpoint("size")).count
        // Room for one checkpoint (and the lock file) but not for a second beside it.
        let folder = try FaultyFolder.make(fault, label: "periodic", budget: size + size / 2)
        defer { folder.remove() }
        let result = try folder.lnet([
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "6", "--checkpoint-every", "2",
            "--checkpoint", "c.h5"])
        try folder.expectCleanFailure(result, previous: [:])
        let verified = try LNetBinary.run(["verify", folder.path("c.h5")])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("epoch 2"), "\(verified.stdout)")
    }

    @Test(arguments: FaultyFolder.Fault.allCases)
    func resumeSaveFails(fault: FaultyFolder.Fault) throws {
        let previous = try Self.previousCheckpoint("resume")
        let folder = try FaultyFolder.make(fault, label: "resume", budget: 100_000, previous: [(previous, "c.h5")])
        defer { folder.remove() }
        let before = try Self.bytes(previous)
        let result = try folder.lnet(["resume", "c.h5", "--epochs", "2"])
        try folder.expectCleanFailure(result, previous: ["c.h5": before])
    }

    /// `--keep-best`: the best model is written before the checkpoint of the same interval; when that write
    /// fails, the run stops with one line, and both the previous best and the previous checkpoint stay whole.
    @Test(arguments: FaultyFolder.Fault.allCases)
    func keepBestSaveFails(fault: FaultyFolder.Fault) throws {
        let previous = try Self.previousCheckpoint("best")
        let folder = try FaultyFolder.make(
            fault, label: "best", budget: 100_000, previous: [(previous, "c.h5"), (previous, "c-best.h5")])
        defer { folder.remove() }
        let before = try Self.bytes(previous)
        let result = try folder.lnet([
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "3", "--checkpoint-every", "1",
            "--checkpoint", "c.h5", "--force", "--keep-best"])
        try folder.expectCleanFailure(result, previous: ["c.h5": before, "c-best.h5": before])
        #expect(result.stderr.contains("c-best.h5: cannot save the best model of epoch 0"), "\(result.stderr)")
    }

    /// CSV → HDF5, HDF5 → CSV, checkpoint → .npz and checkpoint → .safetensors (`export`, whose
    /// space is reserved before it writes), each over a previous output.
    @Test(arguments: FaultyFolder.Fault.allCases)
    func convertOutputFails(fault: FaultyFolder.Fault) throws {
        let sources = try Repository.scratchFolder("faults-convert-sources")
        let csv = sources.appendingPathComponent("rows.csv").path
        var rng = SystemRandomNumberGenerator()
        var text = (0..<50).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        // 1500 rows of 50 float64 fit one HDF5 chunk, which libhdf5 keeps in its cache and
        // writes only when the dataset or the file is flushed or closed: the case that crashed.
        for _ in 0..<1500 {
            text += (0..<50).map { _ in String(Double.random(in: 0..<1, using: &rng)) }.joined(separator: ",")
            text += ",\(Int.random(in: 0...1, using: &rng))\n"
        }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let checkpoint = try Self.previousCheckpoint("convert")
        let previousOutput = sources.appendingPathComponent("previous.bin").path
        try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: previousOutput))
        let cases: [(command: String, input: String, output: String)] = [
            ("convert", csv, "out.h5"), ("convert", Self.courseTrain, "out.csv"), ("convert", checkpoint, "out.npz"),
            ("export", checkpoint, "out.safetensors"),
        ]
        for (command, input, output) in cases {
            let folder = try FaultyFolder.make(fault, label: "convert-\(output)", budget: 50_000, previous: [(previousOutput, output)])
            defer { folder.remove() }
            let result = try folder.lnet([command, input, output, "--force"])
            try folder.expectCleanFailure(result, previous: [output: try Self.bytes(previousOutput)])
        }
    }
}
