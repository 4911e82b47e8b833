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
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                if StopSignals.received.load(ordering: .relaxed) != 0 {
                    _exit(128 + number)
                }
                StopSignals.received.store(number, ordering: .relaxed)
            }
        }
    }

    /// The signal caught so far, or nil.
    static var caught: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
