import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end, as a user would, and keeps what it printed.
/// Output goes to files, not pipes, so that a chatty child can never block
/// while the test waits for it.
public enum Subprocess {
    public struct Result: Sendable {
        /// The exit status, or the signal number when `signal` is set.
        public var status: Int32
        /// The signal that ended the process, if one did (not counting the
        /// SIGKILL of a timeout).
        public var signal: Int32?
        /// Whether the process outlived `timeout` and was killed.
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments`, `environment` added to this
    /// process's. After `timeout` seconds the child gets SIGKILL: a SIGTERM
    /// could be caught, and a test that hangs would hang CI.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
        timeout: Double? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let id = UUID().uuidString
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-out-\(id)")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-err-\(id)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        var timedOut = false
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning {
                if Date() > deadline {
                    timedOut = true
                    kill(process.processIdentifier, SIGKILL)
                    break
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return Result(
            status: process.terminationStatus,
            signal: signaled && !timedOut ? process.terminationStatus : nil,
            timedOut: timedOut,
            stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }
}
