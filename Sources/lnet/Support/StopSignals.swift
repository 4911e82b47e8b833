#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The first SIGINT or SIGTERM received, so that training can finish its
/// mini-batch, save a checkpoint and exit, instead of dying mid-write.
enum StopSignals {
    private static let received = Atomic<Int32>(0)
    /// When the first one came (CLOCK_MONOTONIC, nanoseconds).
    private static let receivedAt = Atomic<Int64>(0)
    /// A second signal this soon after the first is the same stop, delivered
    /// twice: `timeout` and some shells signal the process and its group.
    private static let repeatWindow: Int64 = 500_000_000
    /// Whether a second signal ends the process at once (see ``install(repeatEnds:)``).
    private static let repeatEndsProcess = Atomic<Bool>(true)

    /// Installs the handlers. A second signal of either kind, half a second
    /// or more after the first, ends the process at once, as users expect
    /// from a second Ctrl-C.
    ///
    /// A rank of a distributed run passes `repeatEnds: false`: Ctrl-C reaches it directly and then
    /// again as mpirun's SIGTERM, and must still end in the saved checkpoint (mpirun's SIGKILL
    /// follows if the ranks take too long).
    static func install(repeatEnds: Bool = true) {
        repeatEndsProcess.store(repeatEnds, ordering: .relaxed)
        // A parent may hand us these signals blocked (Foundation's Process on
        // Linux passes on its thread's mask): they would then never arrive.
        var stops = sigset_t()
        sigemptyset(&stops)
        sigaddset(&stops, SIGINT)
        sigaddset(&stops, SIGTERM)
        // A static is initialised lazily, under a lock: do it here, so that
        // the handler never runs that initialisation itself.
        received.store(0, ordering: .relaxed)
        receivedAt.store(0, ordering: .relaxed)
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                // clock_gettime, atomics and _exit are async-signal-safe.
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
                if StopSignals.received.load(ordering: .relaxed) != 0 {
                    if StopSignals.repeatEndsProcess.load(ordering: .relaxed),
                       nanoseconds - StopSignals.receivedAt.load(ordering: .relaxed) >= StopSignals.repeatWindow {
                        _exit(128 + number)
                    }
                    return
                }
                StopSignals.receivedAt.store(nanoseconds, ordering: .relaxed)
                StopSignals.received.store(number, ordering: .relaxed)
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &stops, nil)
    }

    /// The signal caught so far, or nil.
    static var caught: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
