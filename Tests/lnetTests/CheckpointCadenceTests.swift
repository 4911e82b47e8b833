import Foundation
import LNetTestSupport
import Testing

/// `--checkpoint-interval` and the default cadence (issue 14): every 30 s of
/// wall time unless `--checkpoint-every` is given, so a short run saves once,
/// at its end, and is not dominated by fsyncs.
@Suite("lnet train and resume: when checkpoints are written", .serialized)
struct CheckpointCadenceTests {
    private func scratch(_ name: String = #function) throws -> URL {
        try Repository.scratchFolder("cadence-\(name.prefix(while: { $0.isLetter }))")
    }

    private func numbered(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("c-epoch") }.sorted()
    }

    /// 250 quick epochs at the defaults: one save, the final one (saving every
    /// 100 epochs, as before, would have left epochs 100 and 200 as well).
    @Test func aShortRunAtTheDefaultsSavesOnlyAtItsEnd() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 5)
        let path = folder.appendingPathComponent("c.h5").path
        let trained = try LNetBinary.run([
            "train", "--data", data, "--checkpoint", path, "--keep", "10", "--layers", "4,1", "--epochs", "250", "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try numbered(in: folder) == ["c-epoch250.h5"])
        let resumed = try LNetBinary.run(["resume", path, "--keep", "10", "--epochs", "250", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try numbered(in: folder) == ["c-epoch250.h5", "c-epoch500.h5"])
    }

    /// `--checkpoint-every 1` saves in the background as often as the writer keeps
    /// up: every numbered file holds the epoch its name says, the last is the end.
    @Test func numberedCheckpointsHoldTheirEpochs() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 300, seed: 6)
        let path = folder.appendingPathComponent("c.h5").path
        let trained = try LNetBinary.run([
            "train", "--data", data, "--checkpoint", path, "--checkpoint-every", "1", "--keep", "1000", "--layers", "4,1",
            "--epochs", "60", "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let names = try numbered(in: folder)
        #expect(names.contains("c-epoch60.h5"), "\(names)")
        for name in names {
            let epoch = name.dropFirst("c-epoch".count).dropLast(".h5".count)
            let verified = try LNetBinary.run(["verify", folder.appendingPathComponent(name).path])
            #expect(verified.status == 0, "\(name): \(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.contains(", epoch \(epoch)\n"), "\(name): \(verified.stdout)")
        }
    }

    @Test(arguments: [
        ("30", "with its unit"), ("0s", "positive"), ("-5m", "positive"), ("5d", "30s, 5m or 1h"), ("nans", "positive"),
        ("", "30s"),
    ])
    func aDurationWithoutAUnitOrNotPositiveIsAUsageError(value: String, words: String) throws {
        let result = try LNetBinary.run([
            "train", "--data", "d.h5", "--layers", "1", "--checkpoint", "c.h5", "--checkpoint-interval", value])
        #expect(result.status == 64, "\(value): \(result.stderr)")
        #expect(result.stderr.contains("--checkpoint-interval") && result.stderr.contains(words), "\(value): \(result.stderr)")
    }

    @Test func durationsInSecondsMinutesAndHoursAreAccepted() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 100, seed: 7)
        for value in ["0.5s", "2m", "1h", "1.5m"] {
            let path = folder.appendingPathComponent("c.h5").path
            let result = try LNetBinary.run([
                "train", "--data", data, "--checkpoint", path, "--force", "--layers", "2,1", "--epochs", "3",
                "--checkpoint-interval", value, "--quiet"])
            #expect(result.status == 0, "\(value): \(result.stderr)")
        }
    }
}
