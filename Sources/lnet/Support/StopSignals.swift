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

    /// Installs the handlers. A second signal of either kind ends the process
    /// at once, as users expect from a second Ctrl-C.
    static func install() {
        // A parent may hand us these signals blocked (Foundation's Process on
        // Linux passes on its thread's mask): they would then never arrive.
        var stops = sigset_t()
        sigemptyset(&stops)
        sigaddset(&stops, SIGINT)
        sigaddset(&stops, SIGTERM)
        // A static is initialised lazily, under a lock: do it here, so that
        // the handler never runs that initialisation itself.
        received.store(0, ordering: .relaxed)
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                if StopSignals.received.load(ordering: .relaxed) != 0 {
                    _exit(128 + number)
                }
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
