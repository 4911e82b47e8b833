import CHDF5
import Foundation

/// The one gate through which every HDF5 C call passes.
///
/// HDF5's serial build keeps global state (identifier tables, free lists, the
/// error stack) without locking of its own, so two threads inside the library
/// at once corrupt it. Every call is therefore made while holding a single
/// process-wide lock. (A build configured thread-safe has its own global
/// lock; ours then costs one more uncontended lock per call.)
///
/// The lock is recursive because HDF5 calls back into Swift while it is
/// running (`H5Literate`, `H5Aiterate2`, `H5Ewalk2`), and because public
/// methods call one another; the nesting happens on one thread.
enum HDF5Library {
    /// `NSRecursiveLock` is `Sendable`; the lock itself is the synchronisation.
    private static let lock = NSRecursiveLock()

    /// How deeply the current lock holder has nested `sync` calls.
    /// Only the thread holding `lock` reads or writes it.
    nonisolated(unsafe) private static var depth = 0

    /// Whether `H5dont_atexit` has been called. Only the lock holder touches it.
    nonisolated(unsafe) private static var isConfigured = false

    /// Runs `body` while holding the HDF5 lock.
    ///
    /// On the outermost entry it turns HDF5's automatic error printing off.
    /// Left on, the library prints its whole error stack to stderr on every
    /// failure, including expected ones (probing a path, opening a file that
    /// is not HDF5); errors are reported through `HDF5Error` instead, built
    /// from the same stack. It is done on every outermost entry, not once,
    /// because the setting belongs to the calling thread when the library is
    /// built thread-safe (as Debian's is), and Swift runs work on any thread.
    /// Nested entries skip it: the call clears the error stack, which an
    /// enclosing call may be about to read.
    static func sync<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer {
            depth -= 1
            lock.unlock()
        }
        depth += 1
        if !isConfigured {
            // Before the library's first initialisation, which would register its
            // cleanup at exit: that cleanup closes every identifier still open,
            // among them those of a file abandoned after a failed write, whose
            // close would fail again and crash (`HDF5File.abandonUnlocked()`).
            // Files LNet writes are always closed explicitly before they are
            // renamed into place, so nothing relies on the cleanup.
            isConfigured = true
            _ = H5dont_atexit()
        }
        if depth == 1 {
            _ = H5Eset_auto2(lnet_H5E_DEFAULT(), nil, nil)
        }
        return try body()
    }
}

/// The HDF5 C library as a whole.
public enum HDF5Runtime {
    /// Initialises the C library now rather than at its first use.
    ///
    /// A process that forks copies of itself to probe files (`IsolatedProbe.runForked`)
    /// calls this first, so that each copy inherits a ready library instead of
    /// initialising its own.
    public static func initialize() {
        HDF5Library.sync { _ = H5open() }
    }
}

