#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LNetTestSupport
import Testing

/// One writer per checkpoint: a second `train --force` or a `resume` of a
/// checkpoint another `lnet` is writing is refused, naming the holder; once the
/// holder is SIGKILLed, its lock is gone with it.
@Suite("One writer per checkpoint")
struct CheckpointWriterLockTests {
    static let courseTrain = Repository.sharedDatasets.appendingPathComponent("train_catvnoncat.h5").path

    @Test func secondWriterIsRefusedUntilTheFirstIsKilled() throws {
        let folder = try Repository.scratchFolder("writer-lock")
        let checkpoint = folder.appendingPathComponent("c.h5").path
        let first = Process()
        first.executableURL = try LNetBinary.url()
        // Long enough to outlast the test (it is killed below), saving every epoch.
        first.arguments = [
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "1000000", "--checkpoint-every", "1",
            "--checkpoint", checkpoint]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer {
            if first.isRunning { kill(first.processIdentifier, SIGKILL) }
            first.waitUntilExit()
        }
        // Waits (not timed: a deadline only keeps a broken build from hanging) for its first save.
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint), first.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(first.isRunning && FileManager.default.fileExists(atPath: checkpoint))

        let holder = "process \(first.processIdentifier)"
        let secondTrain = try LNetBinary.run([
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "1", "--checkpoint", checkpoint, "--force"])
        let resume = try LNetBinary.run(["resume", checkpoint, "--epochs", "1"])
        for refused in [secondTrain, resume] {
            #expect(refused.status == 1)
            let lines = refused.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("error: \(checkpoint): \(holder) (") == true, "\(refused.stderr)")
            #expect(refused.stderr.contains("--epochs 1000000"), "the holder's command: \(refused.stderr)")
        }

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".c.h5.lock").path))
        let resumed = try LNetBinary.run(["resume", checkpoint, "--epochs", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let retrained = try LNetBinary.run([
            "train", "--data", Self.courseTrain, "--layers", "1", "--epochs", "1", "--checkpoint", checkpoint, "--force"])
        #expect(retrained.status == 0, "\(retrained.stderr)")
        try? FileManager.default.removeItem(at: folder)
    }
}
