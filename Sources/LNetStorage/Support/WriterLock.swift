#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Makes one process at a time the writer of a file: an advisory `flock(2)` on
/// a lock file beside it, `.<name>.lock` (formats/checkpoint.md, "One writer").
///
/// The lock belongs to the open lock file, so it ends with the process however
/// the process ends, SIGKILL included; a lock file left behind is reused and
/// never blocks anyone (a holder that ends normally removes it). The holder writes its process id and command line into
/// the lock file, so that a refused writer can say who holds it.
///
/// The lock file is opened with `O_CLOEXEC`, so a program this process starts
/// does not inherit it, and a forked copy (`IsolatedProbe.runForked`) closes it
/// first thing (`closeInheritedDescriptors()`), so a copy never keeps the lock
/// after its parent is gone.
///
/// `@unchecked Sendable`: immutable; the shared lock file is closed when the last user goes.
public final class WriterLock: @unchecked Sendable {
    /// Another process holds the lock.
    public struct Busy: Error, CustomStringConvertible, Sendable {
        /// The file the lock is for.
        public let path: String
        /// The holder's process id, as it wrote it into the lock file (nil if it has not yet).
        public let holderPID: Int32?
        /// The holder's command line, as it wrote it into the lock file.
        public let holderCommand: String?

        /// `path: …` naming the holder: the one line the CLI prints.
        public var description: String {
            var holder = holderPID.map { "process \($0)" } ?? "another process"
            if let holderCommand, !holderCommand.isEmpty { holder += " (\(holderCommand))" }
            return "\(path): \(holder) is writing this file; wait for it to end or stop it"
        }
    }

    /// The file the lock is for.
    public let path: String
    /// The lock file, `.<name>.lock` in the same folder.
    public let lockPath: String
    /// The open lock file, shared by every `WriterLock` of this process for it.
    private let file: LockFile

    /// The lock file that guards `path`: `.<name>.lock` beside it.
    public static func lockPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        return (folder == "/" ? "" : folder) + "/." + url.lastPathComponent + ".lock"
    }

    /// Takes the lock for writing `path`, without waiting: throws `Busy` naming
    /// the holder when another process has it, or `AtomicFile.Failure` when the
    /// lock file cannot be made. Held until every value returned for it is
    /// released. The lock is a process's: this process may take it again (a run
    /// stopped and resumed in one process, say), and then shares it.
    public static func acquire(for path: String) throws -> WriterLock {
        let lockPath = lockPath(for: path)
        while true {
            if let lock = try attempt(path: path, lockPath: lockPath) { return lock }
        }
    }

    /// One attempt; nil when the lock file was removed or replaced between its
    /// opening and its locking (by a holder that ended meanwhile): then the lock
    /// taken is on a file nobody else will open, and the caller tries again.
    private static func attempt(path: String, lockPath: String) throws -> WriterLock? {
        let descriptor = try SystemCall.check(lockPath, "open lock file") {
            open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw AtomicFile.Failure(path: lockPath, operation: "stat", reason: String(cString: strerror(code)))
        }
        // Judged by the lock file itself, so that two spellings of one path are one lock.
        let identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        return try registryLock.withLock {
            if let held = held[identity]?.file {
                close(descriptor)
                return WriterLock(path: path, lockPath: lockPath, file: held)
            }
            let (locked, code) = SystemCall.retrying { flock(descriptor, LOCK_EX | LOCK_NB) }
            if locked < 0 {
                defer { close(descriptor) }
                if code == EWOULDBLOCK {
                    let (pid, command) = holder(descriptor)
                    throw Busy(path: path, holderPID: pid, holderCommand: command)
                }
                throw AtomicFile.Failure(path: lockPath, operation: "lock", reason: String(cString: strerror(code)))
            }
            var current = stat()
            guard stat(lockPath, &current) == 0, UInt64(current.st_dev) == identity.device,
                  UInt64(current.st_ino) == identity.inode
            else {
                close(descriptor)
                return nil
            }
            // Who holds it, for the message of a refused writer; a failure here
            // costs only that message, so it is not an error.
            let bytes = Array("\(getpid())\n\(CommandLine.arguments.joined(separator: " "))\n".utf8)
            _ = SystemCall.retrying { ftruncate(descriptor, 0) }
            _ = bytes.withUnsafeBytes { buffer in SystemCall.retrying { pwrite(descriptor, buffer.baseAddress, buffer.count, 0) } }
            let file = LockFile(descriptor: descriptor, identity: identity, lockPath: lockPath)
            held[identity] = WeakLockFile(file: file)
            return WriterLock(path: path, lockPath: lockPath, file: file)
        }
    }

    private init(path: String, lockPath: String, file: LockFile) {
        self.path = path
        self.lockPath = lockPath
        self.file = file
    }

    /// Reads the holder's process id and command from the lock file.
    private static func holder(_ descriptor: Int32) -> (Int32?, String?) {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let (count, _) = SystemCall.retrying { bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) } }
        guard count > 0 else { return (nil, nil) }
        let lines = String(decoding: bytes[..<count], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let pid = lines.first.flatMap { Int32($0) }
        let command = lines.count > 1 ? String(lines[1]) : nil
        return (pid, command)
    }

    // MARK: The locks this process holds

    /// An open, locked lock file; closing it (when the last `WriterLock` using
    /// it goes) releases the lock.
    private final class LockFile: @unchecked Sendable {
        let descriptor: Int32
        let identity: FileIdentity
        let lockPath: String

        init(descriptor: Int32, identity: FileIdentity, lockPath: String) {
            self.descriptor = descriptor
            self.identity = identity
            self.lockPath = lockPath
        }

        deinit {
            WriterLock.registryLock.withLock {
                if WriterLock.held[identity]?.file == nil { WriterLock.held[identity] = nil }
                // Removed while still locked, so that nothing is left beside the
                // checkpoint; a writer that opened it meanwhile finds, once it has
                // the lock, that the name no longer leads to its file, and retries.
                unlink(lockPath)
                close(descriptor)
            }
        }
    }

    private struct WeakLockFile {
        weak var file: LockFile?
        let descriptor: Int32

        init(file: LockFile) {
            self.file = file
            self.descriptor = file.descriptor
        }
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var held: [FileIdentity: WeakLockFile] = [:]

    /// Closes, in a forked copy of this process, the lock files its parent holds:
    /// the copy's descriptors share the parent's locks, and a copy that outlived a
    /// killed parent would otherwise keep them. Call it in the copy only, before
    /// anything else (it takes no lock: a fork copies only the calling thread).
    static func closeInheritedDescriptors() {
        for entry in held.values { close(entry.descriptor) }
    }
}
