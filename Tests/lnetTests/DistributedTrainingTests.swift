#if MPI
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LNetTestSupport
import Testing

/// Issue #15 through `mpirun` and the built `lnet` (only a `swift build --traits MPI` build has
/// `--distributed`; scripts/test builds that way): N ranks equal one process with N gradient
/// shards bit for bit, an interrupted distributed run resumes bit for bit, and a rank that dies
/// ends the job with the last checkpoint whole.
@Suite("lnet train --distributed under mpirun", .serialized)
struct DistributedTrainingTests {
    private func scratch(_ name: String = #function) throws -> URL {
        try Repository.scratchFolder("mpi-\(name.prefix(while: { $0.isLetter }))")
    }

    static let mpirun = URL(fileURLWithPath: "/usr/bin/mpirun")

    /// mpirun's arguments for N ranks of `lnet arguments`: as root it needs --allow-run-as-root, and
    /// --oversubscribe lets N exceed the cores (CI has 2).
    static func launch(_ ranks: Int, _ arguments: [String]) throws -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), try LNetBinary.url().path] + arguments
    }

    static let training = ["--layers", "8,4,1", "--optimizer", "adam", "--learning-rate", "0.01", "--keep-prob", "0.8",
                           "--l2", "0.01", "--batch-size", "64", "--print-every", "1"]

    /// N = 2 and N = 4 ranks, in memory and streamed, against `--grad-shards N` in one process.
    @Test func ranksEqualTheirShardedSingleProcessBitForBit() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        // 1,000 examples: 15 full batches and a remainder of 40, which 4 ranks split 10 each.
        try InteropPython.writeData(data, examples: 1_000, seed: 7)
        for (ranks, stream) in [(2, false), (4, false), (2, true)] {
            let extra = (stream ? ["--stream"] : []) + ["--epochs", "3"] + Self.training
            let single = folder.appendingPathComponent("single-\(ranks)-\(stream).h5").path
            let alone = try LNetBinary.run(["train", "--data", data, "--checkpoint", single, "--grad-shards", String(ranks)] + extra)
            #expect(alone.status == 0, "\(alone.stderr)")
            let distributed = folder.appendingPathComponent("distributed-\(ranks)-\(stream).h5").path
            let together = try LNetBinary.run(
                try Self.launch(ranks, ["train", "--data", data, "--checkpoint", distributed, "--distributed"] + extra),
                executable: Self.mpirun)
            #expect(together.status == 0, "\(together.stderr)")
            // Rank 0 alone prints: one line per epoch, as the single process.
            #expect(together.stdout == alone.stdout, "N = \(ranks)")
            #expect(try InteropPython.differences(single, distributed) == [], "N = \(ranks), stream \(stream)")
            let verified = try LNetBinary.run(["verify", distributed])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            let checked = try InteropPython.check(distributed, data: data)
            #expect(checked.status == 0, "check_checkpoint.py: \(checked.stderr)")
            if ranks == 2, !stream {
                // Another K goes on, and says that the order of the additions changes.
                let other = try LNetBinary.run(["resume", distributed, "--epochs", "1", "--grad-shards", "3"])
                #expect(other.status == 0, "\(other.stderr)")
                #expect(other.stderr.contains("note: the checkpoint's gradients were summed over 2 shards; this run sums 3"),
                        "\(other.stderr)")
            }
        }
    }

    /// SIGINT to mpirun: the ranks agree on a step, rank 0 saves and prints the resume command, and the
    /// resumed run ends with the bits of an uninterrupted one.
    @Test func anInterruptedDistributedRunResumesBitForBit() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 8_000, seed: 3)
        // Enough epochs that the signal, sent once the first checkpoint exists, lands before the end on
        // a quiet machine too.
        let arguments = ["--epochs", "60"] + Self.training
        let reference = folder.appendingPathComponent("reference.h5").path
        let straight = try LNetBinary.run(["train", "--data", data, "--checkpoint", reference, "--grad-shards", "2"] + arguments)
        #expect(straight.status == 0, "\(straight.stderr)")

        let path = folder.appendingPathComponent("interrupted.h5").path
        // Foundation's Process hands its thread's blocked signals on to mpirun, which would then never
        // see the SIGINT: Python unblocks them and becomes mpirun.
        let unblocked = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                         + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                         Self.mpirun.path]
        let running = try LNetBinary.Started(
            unblocked + (try Self.launch(2, ["train", "--data", data, "--checkpoint", path, "--checkpoint-every", "1",
                                             "--distributed"] + arguments)),
            executable: try Python.interpreter())
        #expect(running.waitForFile(path))
        running.signal(SIGINT)
        let stopped = try running.wait()
        #expect(stopped.stderr.contains("checkpoint saved. Resume with:\n  mpirun -np 2 lnet resume \(path) --distributed\n"),
                "\(stopped.stderr)")
        #expect(!stopped.stdout.contains("Cost after epoch 59:"), "the run finished before the signal")
        #expect(!stopped.stderr.contains("error:"), "\(stopped.stderr)")

        let resumed = try LNetBinary.run(try Self.launch(2, ["resume", path, "--distributed"]), executable: Self.mpirun)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Cost after epoch 59:"))
        #expect(try InteropPython.differences(reference, path) == [])
    }

    /// SIGKILL to one rank: mpirun ends the whole job with its report of the death, and the last
    /// checkpoint, written by rank 0, is whole.
    @Test func aRankThatDiesEndsTheJobAndTheCheckpointStaysWhole() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.h5").path
        try InteropPython.writeData(data, examples: 2_000, seed: 5)
        let path = folder.appendingPathComponent("killed.h5").path
        let running = try LNetBinary.Started(
            try Self.launch(2, ["train", "--data", data, "--checkpoint", path, "--checkpoint-every", "1", "--distributed",
                                "--epochs", "100000", "--quiet"] + Self.training.dropLast(2)),
            executable: Self.mpirun)
        #expect(running.waitForFile(path))
        let victim = try #require(Self.rank(1, under: running.process.processIdentifier))
        kill(victim, SIGKILL)
        let ended = try running.wait()
        #expect(ended.status != 0)
        #expect(ended.stderr.contains("exited on signal 9"), "\(ended.stderr)")
        let verified = try LNetBinary.run(["verify", path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// The process of MPI rank `rank` among the children of `parent` (mpirun starts the ranks itself on
    /// one machine), found by the rank Open MPI puts in each one's environment.
    static func rank(_ rank: Int, under parent: Int32) -> Int32? {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 1, Int32(fields[1]) == parent,
                      let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
                let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
            }
            usleep(10_000)
        }
        return nil
    }
}
#endif
