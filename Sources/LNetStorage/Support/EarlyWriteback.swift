#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLinuxIO

/// Starts the device writes of a file that is still being written, so that the fsync ending its atomic replacement
/// (``AtomicFile``) waits for the last part only instead of the whole file: a 42 MB dataset took 50–80 ms to fsync
/// here when all of it was still in the page cache.
///
/// A hint, never a failure: the data reaches the disk either way, and an I/O error shows at that fsync, which is
/// checked. Linux's `sync_file_range`; elsewhere nothing.
final class EarlyWriteback {
    private let descriptor: Int32

    /// Opens `path` (read-only is enough to start its writeback); nil when it cannot be opened.
    init?(path: String) {
        let (opened, _) = SystemCall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
        guard opened >= 0 else { return nil }
        descriptor = opened
    }

    deinit { close(descriptor) }

    /// Queues every page written so far for writing, without waiting for it.
    func start() {
        _ = SystemCall.retrying { lnet_start_writeback(descriptor) }
    }
}
