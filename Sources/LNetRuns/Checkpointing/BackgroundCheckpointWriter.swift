#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes one checkpoint at a time on a thread of its own, so that training
/// goes on while the file is encoded, flushed and renamed into place
/// (formats/checkpoint.md, "When checkpoints are written").
///
/// The rule: at most one save is in flight. A save that comes due while one
/// is still being written is not queued: ``startIfIdle(_:)`` says no, the
/// run keeps the save due and takes a fresh snapshot at the first epoch
/// boundary after the write ends. So memory holds at most one snapshot
/// (counted by ``MemoryEstimate/training``), nothing piles up when the disk
/// is slower than training, and the next file written is the newest state.
///
/// A write that fails is kept and thrown by ``takeFailure()`` on the training
/// thread, which stops the run as a failing synchronous save does.
final class BackgroundCheckpointWriter: @unchecked Sendable {
    /// A background write that finished, for the run's `checkpointSaved` event.
    struct Written: Sendable {
        let path: String
        let epoch: Int
        let batchInEpoch: Int
    }

    // Everything below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var isWriting = false
    private var failure: (any Error)?
    private var written: [Written] = []

    init() {}

    /// Whether a write is in flight now.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isWriting
    }

    /// Starts `write` on a new thread and returns true, unless a write is in
    /// flight or an earlier one failed: then returns false and does nothing.
    /// `write` returns what it wrote.
    func startIfIdle(_ write: @escaping @Sendable () throws -> Written) -> Bool {
        condition.lock()
        guard !isWriting, failure == nil else {
            condition.unlock()
            return false
        }
        isWriting = true
        condition.unlock()
        let thread = Thread { [self] in
            // Stops are the training thread's to handle (StopSignals): this thread
            // never takes SIGINT or SIGTERM, so its writes are not interrupted.
            var stops = sigset_t()
            sigemptyset(&stops)
            sigaddset(&stops, SIGINT)
            sigaddset(&stops, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &stops, nil)
            let result = Result { try write() }
            condition.lock()
            switch result {
            case .success(let done): written.append(done)
            case .failure(let error): failure = error
            }
            isWriting = false
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "lnet checkpoint writer"
        // Room for HDF5's buffers, as the conversion's writer thread has (ChunkPipeline).
        thread.stackSize = 8 << 20
        thread.start()
        return true
    }

    /// Waits until no write is in flight.
    func waitUntilIdle() {
        condition.lock()
        while isWriting { condition.wait() }
        condition.unlock()
    }

    /// The failure of a finished write, once; nil when none failed.
    func takeFailure() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        let taken = failure
        failure = nil
        return taken
    }

    /// The writes finished since the last call, oldest first.
    func takeWritten() -> [Written] {
        condition.lock()
        defer { condition.unlock() }
        let taken = written
        written = []
        return taken
    }
}
