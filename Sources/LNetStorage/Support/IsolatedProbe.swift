import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command in a child process with a time limit and a memory limit,
/// so that a crash or a hang inside a C library (libhdf5 on a crafted file)
/// ends the child, never the caller.
///
/// The child is expected to apply the memory limit to itself first thing
/// (`IsolatedProbe.limitMemory(toBytes:)`), before it opens anything: a
/// limit set by the parent after the spawn would race the child's first
/// allocations. The parent enforces the time limit: it polls the child and
/// kills it with SIGKILL when the limit passes.
///
/// ```swift
/// let outcome = try IsolatedProbe.run(
///     executable: "/proc/self/exe", arguments: ["probe-hdf5", …],
///     limits: .init(seconds: 20, memoryBytes: 2 << 30))
/// ```
public enum IsolatedProbe {
    /// How long and how much memory the child may take.
    public struct Limits: Sendable, Equatable {
        /// Wall-clock seconds before the child is killed.
        public var seconds: Double
        /// The child's address-space limit (RLIMIT_AS), in bytes; for a forked copy
        /// (``IsolatedProbe/runForked(limits:_:)``), on top of what its parent had mapped.
        public var memoryBytes: Int

        /// Limits of `seconds` and `memoryBytes`.
        public init(seconds: Double, memoryBytes: Int) {
            self.seconds = seconds
            self.memoryBytes = memoryBytes
        }

        /// Limits for reading `file`: 30 s plus 1 s per 20 MB, and 3 GiB plus
        /// 4× its size, within the machine's memory. Generous for honest
        /// files (inspect --stats and verify read data in blocks), far
        /// below what a hang or a runaway allocation reaches. The
        /// environment overrides them: `LNET_PROBE_SECONDS`, `LNET_PROBE_MEMORY_MB`.
        public static func forReading(_ file: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Limits {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            var seconds = 30 + Double(size) / 20e6
            let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
            var memory = min(3 << 30 + size.multipliedReportingOverflow(by: 4).partialValue, max(physical, 3 << 30))
            if let text = environment["LNET_PROBE_SECONDS"], let value = Double(text), value > 0 { seconds = value }
            if let text = environment["LNET_PROBE_MEMORY_MB"], let value = Int(text), value > 0 { memory = value << 20 }
            return Limits(seconds: seconds, memoryBytes: memory)
        }
    }

    /// How the child ended, with what it wrote.
    public enum Outcome: Sendable, Equatable {
        /// It exited by itself with `status`.
        case exited(status: Int32, stdout: Data, stderr: Data)
        /// It died by `signal` (a crash, or running out of its memory limit).
        case signaled(signal: Int32, stderr: Data)
        /// It was still running when the time limit passed, and was killed.
        case timedOut(seconds: Double)

        /// Why the child did not finish, in words for an error message; nil when it exited by itself.
        public var failureReason: String? {
            switch self {
            case .exited:
                return nil
            case .signaled(let signal, let stderr):
                let text = String(decoding: stderr, as: UTF8.self)
                if text.contains("allocate memory") || text.contains("out of memory") || text.contains("bad_alloc") {
                    return "reading it needed more memory than its limit"
                }
                return "the reader crashed with \(IsolatedProbe.signalName(signal))"
            case .timedOut(let seconds):
                return "reading it took longer than \(Self.format(seconds)) s"
            }
        }

        static func format(_ seconds: Double) -> String {
            seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        }
    }

    /// Runs `executable` with `arguments` and `environment` added to this
    /// process's, its stdout and stderr captured to temporary files, and
    /// waits for it at most `limits.seconds`.
    public static func run(
        executable: String, arguments: [String], environment: [String: String] = [:], limits: Limits
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let folder = FileManager.default.temporaryDirectory
        let id = "\(getpid())-\(UUID().uuidString)"
        let out = folder.appendingPathComponent("lnet-probe-\(id).out")
        let err = folder.appendingPathComponent("lnet-probe-\(id).err")
        // Files, not pipes: the child can write any amount without the
        // parent reading while it waits.
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: err.path, contents: nil)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder.path])
        }
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? outHandle.close()
        try? errHandle.close()

        let deadline = Date().addingTimeInterval(limits.seconds)
        var pause = 0.001
        while process.isRunning {
            if Date() >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .timedOut(seconds: limits.seconds)
            }
            // Short pauses first: most probes end within milliseconds.
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.05)
        }
        process.waitUntilExit()
        let stdout = (try? Data(contentsOf: out)) ?? Data()
        let stderr = (try? Data(contentsOf: err)) ?? Data()
        if process.terminationReason == .uncaughtSignal {
            return .signaled(signal: process.terminationStatus, stderr: stderr)
        }
        return .exited(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Whether this process runs a single thread, so that ``runForked(limits:_:)`` may
    /// fork it: a fork copies only the calling thread, and a lock another thread held
    /// at that moment would stay locked forever in the copy.
    public static var isSingleThreaded: Bool {
        // One entry per thread.
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) == 1
    }

    /// Why a forked probe could not run or be observed.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// What failed, e.g. `fork: Resource temporarily unavailable`.
        public let description: String

        static func systemCall(_ name: String, _ code: Int32 = errno) -> Failure {
            Failure(description: "\(name): \(String(cString: strerror(code)))")
        }
    }

    /// Runs `body` in a forked copy of this process under `limits` and returns how
    /// the copy ended (`body`'s return value is its exit status).
    ///
    /// The copy needs no exec, dynamic loading or argument parsing, so a probe of
    /// a small file takes a few milliseconds instead of a process start. Throws
    /// unless ``isSingleThreaded``. The copy's stdin and stdout are `/dev/null`;
    /// its stderr is captured; it leaves with `_exit`, so buffered output of this
    /// process is never written twice. Its address-space limit is
    /// `limits.memoryBytes` on top of what this process has mapped already (the copy
    /// starts with all of it). Throws ``Failure`` when the copy cannot be started or
    /// its end cannot be observed: a caller must then not trust the file.
    public static func runForked(limits: Limits, _ body: () -> Int32) throws -> Outcome {
        guard limits.seconds.isFinite, limits.seconds > 0, limits.memoryBytes > 0 else {
            throw Failure(description: "the time and memory limits must be positive")
        }
        guard isSingleThreaded else {
            throw Failure(description: "this process runs more than one thread, so it cannot fork safely")
        }
        let errorPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("lnet-probe-\(getpid())-\(UUID().uuidString).err").path
        let errorDescriptor = open(errorPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard errorDescriptor >= 0 else { throw Failure.systemCall("open \(errorPath)") }
        // Unlinked at once: the descriptor is all either process needs, and a parent
        // killed mid-probe leaves nothing behind.
        unlink(errorPath)
        defer { close(errorDescriptor) }
        // The copy holds the write end of this pipe until it exits (or closes it); the
        // read end then reports a hang-up, which wakes the wait below at once.
        var exitPipe: [Int32] = [-1, -1]
        guard pipe(&exitPipe) == 0 else { throw Failure.systemCall("pipe") }
        for descriptor in exitPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        defer { close(exitPipe[0]) }
        // With SIGCHLD ignored the kernel reaps the copy itself and its status is
        // lost: a crash would look like success. The default is restored for the probe.
        let previousChildSignal = signal(SIGCHLD, SIG_DFL)
        defer { signal(SIGCHLD, previousChildSignal) }
        let (addressSpace, overflow) = mappedBytes().addingReportingOverflow(limits.memoryBytes)
        let child = fork()
        guard child >= 0 else {
            let code = errno
            close(exitPipe[1])
            throw Failure.systemCall("fork", code)
        }
        if child == 0 {
            close(exitPipe[0])
            WriterLock.closeInheritedDescriptors()
            let null = open("/dev/null", O_RDWR)
            if null >= 0 {
                dup2(null, STDIN_FILENO)
                dup2(null, STDOUT_FILENO)
            }
            dup2(errorDescriptor, STDERR_FILENO)
            limitMemory(toBytes: overflow ? Int.max : addressSpace)
            _exit(body())
        }
        close(exitPipe[1])
        var status: Int32 = 0
        switch wait(for: child, hangUp: exitPipe[0], seconds: limits.seconds, status: &status) {
        case .exited:
            break
        case .timedOut:
            return .timedOut(seconds: limits.seconds)
        case .lost(let code):
            throw Failure(description: "the reader's exit status was lost (\(String(cString: strerror(code))))")
        }
        var stderr = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        // Enough to recognise an out-of-memory message; the rest is dropped anyway.
        while stderr.count < 1 << 16 {
            let count = chunk.withUnsafeMutableBytes { pread(errorDescriptor, $0.baseAddress, $0.count, off_t(stderr.count)) }
            if count <= 0 { break }
            stderr.append(contentsOf: chunk[0..<count])
        }
        // The wait status: the low 7 bits are the killing signal, 0 for a normal exit.
        let signal = status & 0x7f
        if signal != 0 { return .signaled(signal: signal, stderr: stderr) }
        return .exited(status: (status >> 8) & 0xff, stdout: Data(), stderr: stderr)
    }

    private enum Wait { case exited, timedOut, lost(Int32) }

    /// Waits until `child` has exited and is reaped, or `seconds` have passed on the
    /// monotonic clock (then kills and reaps it). The hang-up on `hangUp` wakes the
    /// wait when the child exits; a child that closed its end early is then watched
    /// with short pauses, still under the same deadline.
    private static func wait(for child: pid_t, hangUp: Int32, seconds: Double, status: inout Int32) -> Wait {
        let deadline = monotonicSeconds() + seconds
        var hungUp = false
        var pause: useconds_t = 100
        while true {
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child { return .exited }
            if reaped < 0 && errno != EINTR { return .lost(errno) }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 {
                kill(child, SIGKILL)
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            if !hungUp {
                var event = pollfd(fd: hangUp, events: Int16(POLLIN), revents: 0)
                let ready = poll(&event, 1, Int32(min((remaining * 1000).rounded(.up), 60_000)))
                hungUp = ready > 0 || (ready < 0 && errno != EINTR)
            } else {
                usleep(pause)
                pause = min(pause * 2, 10_000)
            }
        }
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// This process's mapped address space in bytes (`/proc/self/statm`'s first field), 0 if unknown.
    private static func mappedBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) })
        else { return 0 }
        return pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE)))).partialValue
    }

    /// Limits this process's address space to `bytes` (RLIMIT_AS) and turns
    /// off core dumps; the child calls it before it opens the untrusted file.
    /// Allocations beyond the limit then fail instead of exhausting the machine.
    public static func limitMemory(toBytes bytes: Int) {
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
    }

    /// SIGSEGV, SIGABRT… for the common signals, else `signal N`.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGTRAP: "SIGTRAP"
        case SIGKILL: "SIGKILL"
        default: "signal \(signal)"
        }
    }
}
