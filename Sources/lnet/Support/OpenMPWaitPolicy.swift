import Foundation

/// BLIS runs its threads through OpenMP (libgomp), whose idle threads spin for a
/// while before they sleep. On a machine whose cores are busy with other processes a
/// spinning worker takes the core the thread it waits for needs, and a 100-epoch run
/// of a small model took 80× as long with two threads as with one
/// (`benchmarks/threads/README.md`). libgomp reads `OMP_WAIT_POLICY` once, in a
/// constructor that runs before `main`, so lnet sets it to `passive` and executes
/// itself again, once, at the very start; a value the user set is left alone (and
/// ends the re-execution: the child sees it set).
enum OpenMPWaitPolicy {
    static let variable = "OMP_WAIT_POLICY"

    /// Re-executes lnet with `OMP_WAIT_POLICY=passive` unless the variable is set.
    /// Returns (and lnet goes on with libgomp's default) if that cannot be done.
    static func reexecutePassiveIfUnset() {
        guard getenv(variable) == nil else { return }
        guard setenv(variable, "passive", 1) == 0 else { return }
        // The binary itself, whatever argv[0] says (a relative path, a name found on PATH).
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed. The environment change is harmless; go on.
    }
}
