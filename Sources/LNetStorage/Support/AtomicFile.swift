#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file atomically and durably: the new content is written to a
/// temporary file in the same folder, flushed to disk, renamed over the target,
/// and the folder itself is flushed, so that a crash at any moment leaves
/// either the old file or the new one, whole (formats/checkpoint.md, "Writing
/// safely").
public enum AtomicFile {
    /// An I/O failure while replacing a file.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The file (or, for a folder fsync, the folder) the operation failed on.
        public let path: String
        /// The step that failed, e.g. `rename` or `fsync`.
        public let operation: String
        /// The system's explanation, from `strerror(errno)`.
        public let reason: String
        /// `path: operation failed: reason`, the one line the CLI prints.
        public var description: String { "\(path): \(operation) failed: \(reason)" }
    }

    /// What stands between a file's name and the writer's process id in
    /// the names of its temporary files: `<path>.tmp-<pid>`.
    public static let temporaryMarker = ".tmp-"

    /// The prefix of the temporary files any process writes for `path`.
    static func temporaryPrefix(for path: String) -> String {
        path + temporaryMarker
    }

    /// The temporary file this process writes `path` through, for a signal
    /// handler that must remove it before exiting.
    public static func temporaryPath(for path: String) -> String {
        temporaryPrefix(for: path) + String(getpid())
    }

    /// Writes `path` atomically: `write` receives the temporary path to fill
    /// (and may create the file there however it likes, HDF5 included). When it
    /// throws, the temporary file is removed and `path` is untouched.
    public static func replace(_ path: String, write: (String) throws -> Void) throws {
        try checkWritable(path)
        removeStaleTemporaries(of: path)
        let temporary = temporaryPath(for: path)
        unlink(temporary)
        do {
            try write(temporary)
            try synchronize(file: temporary)
            try SystemCall.check(path, "rename") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            // The user knows the file by its name, not by the temporary's.
            throw RenamedError.wrap(error, temporaries: [(temporary, path)])
        }
        try synchronize(folderOf: path)
    }

    /// Throws unless a file can be written at `path`: its folder must exist and be
    /// writable, and `path` must not be a folder. Lets a command refuse an output
    /// before it does the work, in plain words rather than the writer's.
    public static func checkWritable(_ path: String) throws {
        guard !path.isEmpty else { throw Failure(path: "\"\"", operation: "write", reason: "the file name is empty") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw Failure(path: path, operation: "write", reason: "no such folder \(folder)")
        }
        guard isFolder.boolValue else {
            throw Failure(path: path, operation: "write", reason: "\(folder) is not a folder")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw Failure(path: path, operation: "write", reason: "the folder \(folder) is not writable (\(String(cString: strerror(errno))))")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw Failure(path: path, operation: "write", reason: "it is a folder")
        }
    }

    /// Makes `path` another name for the file at `existing` (a hard link),
    /// replacing whatever was at `path` atomically and durably.
    public static func replace(_ path: String, withLinkTo existing: String) throws {
        try replace(path) { temporary in
            guard link(existing, temporary) == 0 else {
                throw Failure(path: path, operation: "link to \(existing)", reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Removes the temporary files that processes no longer running left beside
    /// `path` (a killed run's), so they never pile up.
    public static func removeStaleTemporaries(of path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + temporaryMarker
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)) else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(folder + "/" + name)
            }
        }
    }

    private static func synchronize(file path: String) throws {
        let descriptor = try SystemCall.check(path, "open for fsync") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(descriptor) }
        try SystemCall.check(path, "fsync") { fsync(descriptor) }
    }

    private static func synchronize(folderOf path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = try SystemCall.check(folder, "open folder for fsync") { open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(descriptor) }
        try SystemCall.check(folder, "fsync of the folder") { fsync(descriptor) }
    }
}
