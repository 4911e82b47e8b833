import ArgumentParser
import Foundation
import LNetStorage

/// `lnet probe-hdf5 --memory-limit BYTES -- COMMAND ARGS…` (hidden): the
/// child half of isolation. It limits its own address space, then runs
/// `lnet COMMAND ARGS…` as usual; the parent (`Isolation.relay`) relays what
/// it printed, or reports the crash, hang or exhaustion as one error line.
struct ProbeHDF5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-hdf5",
        abstract: "Run a command on an untrusted HDF5 file under a memory limit (internal).",
        shouldDisplay: false)

    @Option(help: "The address-space limit in bytes.")
    var memoryLimit: Int

    @Argument(parsing: .captureForPassthrough, help: "The lnet command to run.")
    var command: [String] = []

    func run() throws {
        // Before anything opens the file: see IsolatedProbe.limitMemory.
        IsolatedProbe.limitMemory(toBytes: memoryLimit)
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        LNet.main(arguments)
    }
}

/// The parent half: runs the command in `lnet probe-hdf5` under
/// `IsolatedProbe`'s limits and relays its output and status.
enum Isolation {
    /// Set in the child, so the command it runs does the work itself instead of isolating again.
    static let childVariable = "LNET_ISOLATED_CHILD"

    /// True when this process should read `file` itself: it is the isolated
    /// child already, or isolation is switched off (`LNET_ISOLATION=off`,
    /// for measuring what it prevents).
    static var readsDirectly: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment[childVariable] == "1" || environment["LNET_ISOLATION"] == "off"
    }

    /// Runs `lnet arguments…` in a limited child and ends this process as the child did:
    /// its stdout, stderr and status, or `error: FILE is corrupt or unsupported (why)` and status 1
    /// when it crashed, hung or ran out of memory (its partial output, which may hold HDF5's raw
    /// error stack, is dropped).
    static func relay(file: String, arguments: [String]) throws -> Never {
        let limits = IsolatedProbe.Limits.forReading(file)
        let outcome: IsolatedProbe.Outcome
        do {
            outcome = try IsolatedProbe.run(
                executable: "/proc/self/exe",
                arguments: ["probe-hdf5", "--memory-limit", String(limits.memoryBytes), "--"] + arguments,
                environment: [childVariable: "1"], limits: limits)
        } catch {
            FileHandle.standardError.write(Data("error: \(file): cannot start the isolated reader: \(error)\n".utf8))
            throw ExitCode.failure
        }
        switch outcome {
        case .exited(let status, let stdout, let stderr):
            FileHandle.standardOutput.write(stdout)
            FileHandle.standardError.write(stderr)
            throw ExitCode(status)
        case .signaled, .timedOut:
            let reason = outcome.failureReason ?? "it failed"
            FileHandle.standardError.write(Data("error: \(file) is corrupt or unsupported (\(reason))\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension Isolation {
    /// As ``relay(file:arguments:)`` for `verify --json`, but returns instead of exiting, so that every
    /// file gets its object: the child's output is passed on, and a child that crashed or hung gets an
    /// object of its own (and the usual error line). Returns whether the child exited 0.
    static func relayJSON(file: String, arguments: [String]) throws -> Bool {
        let limits = IsolatedProbe.Limits.forReading(file)
        let outcome: IsolatedProbe.Outcome
        do {
            outcome = try IsolatedProbe.run(
                executable: "/proc/self/exe",
                arguments: ["probe-hdf5", "--memory-limit", String(limits.memoryBytes), "--"] + arguments,
                environment: [childVariable: "1"], limits: limits)
        } catch {
            FileHandle.standardOutput.write(
                Data((VerifyJSON.unreadable(file: file, reason: "cannot start the isolated reader: \(error)").line + "\n").utf8))
            return false
        }
        switch outcome {
        case .exited(let status, let stdout, let stderr):
            FileHandle.standardOutput.write(stdout)
            FileHandle.standardError.write(stderr)
            return status == 0
        case .signaled, .timedOut:
            let reason = outcome.failureReason ?? "it failed"
            FileHandle.standardOutput.write(Data((VerifyJSON.unreadable(file: file, reason: reason).line + "\n").utf8))
            FileHandle.standardError.write(Data("error: \(file) is corrupt or unsupported (\(reason))\n".utf8))
            return false
        }
    }

    /// Walks each file as `lnet inspect FILE` does (the tree, the attributes, a checkpoint's
    /// summary) in a limited child (a forked copy of this process while it has one thread,
    /// else `lnet probe-hdf5 -- inspect FILE`), before this process trusts libhdf5 with it; throws
    /// `ExitCode(failureStatus)` after one `error: FILE is corrupt or unsupported (why)` line
    /// when the child crashed or hung. A clean error in the child is not reported here: the
    /// command meets it again and says it in its own words.
    ///
    /// The probe covers metadata, where libhdf5's published crashes live; the data the
    /// command then reads is not read twice.
    static func probe(_ files: [String], failureStatus: Int32 = 1) throws {
        guard !readsDirectly else { return }
        for file in files where FileManager.default.fileExists(atPath: file) {
            let limits = IsolatedProbe.Limits.forReading(file)
            let outcome: IsolatedProbe.Outcome
            do {
                if IsolatedProbe.isSingleThreaded {
                    // A forked copy skips the process start (most of a small file's probe)
                    // and, with the library initialised here once, libhdf5's set-up.
                    HDF5Runtime.initialize()
                    outcome = try IsolatedProbe.runForked(limits: limits) {
                        _ = try? InspectionReport(path: file, object: nil, statistics: false).renderText()
                        return 0
                    }
                } else {
                    outcome = try IsolatedProbe.run(
                        executable: "/proc/self/exe",
                        arguments: ["probe-hdf5", "--memory-limit", String(limits.memoryBytes), "--", "inspect", file],
                        environment: [childVariable: "1"], limits: limits)
                }
            } catch {
                // Unprobed is untrusted: refuse rather than open the file here.
                FileHandle.standardError.write(Data("error: \(file): cannot start the isolated reader: \(error)\n".utf8))
                throw ExitCode(failureStatus)
            }
            guard let reason = outcome.failureReason else { continue }
            FileHandle.standardError.write(Data("error: \(file) is corrupt or unsupported (\(reason))\n".utf8))
            throw ExitCode(failureStatus)
        }
    }
}
