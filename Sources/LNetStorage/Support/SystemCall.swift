#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where the return codes of C system calls are checked, as
/// swift-system does it: a call interrupted by a signal (`EINTR`) is retried,
/// any other failure becomes an `AtomicFile.Failure` naming the file, the step
/// and `strerror(errno)`.
enum SystemCall {
    /// Runs `call` until it is not interrupted; a negative result throws.
    /// Returns the (non-negative) result, e.g. a descriptor.
    @discardableResult
    static func check<Result: BinaryInteger>(_ path: String, _ operation: String, _ call: () -> Result) throws -> Result {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw AtomicFile.Failure(path: path, operation: operation, reason: String(cString: strerror(code)))
        }
    }

    /// Runs `call`, a function that returns its error number instead of setting `errno`
    /// (`posix_fallocate`, the pthread functions), until it is not interrupted; returns 0 or
    /// the error number.
    static func retryingReturnedError(_ call: () -> Int32) -> Int32 {
        while true {
            let code = call()
            if code != EINTR { return code }
        }
    }

    /// Runs `call` until it is not interrupted and returns its result and, when
    /// negative, the `errno` it left; for callers that handle some failures
    /// themselves (`EWOULDBLOCK` of a non-blocking lock, say).
    static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> (result: Result, errno: Int32) {
        while true {
            let result = call()
            if result >= 0 { return (result, 0) }
            let code = errno
            if code != EINTR { return (result, code) }
        }
    }
}
