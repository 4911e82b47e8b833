import Foundation
import Testing
import LNetStorage

@Suite struct IsolatedProbeTests {
    static let limits = IsolatedProbe.Limits(seconds: 10, memoryBytes: 1 << 30)

    @Test func exitStatusAndOutputAreCaptured() throws {
        let outcome = try IsolatedProbe.run(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"], limits: Self.limits)
        #expect(outcome == .exited(status: 3, stdout: Data("out\n".utf8), stderr: Data("err\n".utf8)))
        #expect(outcome.failureReason == nil)
    }

    @Test func aCrashIsASignal() throws {
        let outcome = try IsolatedProbe.run(executable: "/bin/sh", arguments: ["-c", "kill -SEGV $$"], limits: Self.limits)
        #expect(outcome == .signaled(signal: SIGSEGV, stderr: Data()))
        #expect(outcome.failureReason == "the reader crashed with SIGSEGV")
    }

    @Test func aHangIsKilledAtTheLimit() throws {
        let started = Date()
        let outcome = try IsolatedProbe.run(
            executable: "/bin/sh", arguments: ["-c", "exec sleep 30"], limits: .init(seconds: 0.3, memoryBytes: 1 << 30))
        #expect(outcome == .timedOut(seconds: 0.3))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(outcome.failureReason == "reading it took longer than 0.3 s")
    }

    @Test func limitsScaleWithTheFileAndObeyTheEnvironment() {
        let defaults = IsolatedProbe.Limits.forReading("/nonexistent", environment: [:])
        #expect(defaults.seconds == 30)
        #expect(defaults.memoryBytes >= 1 << 30)
        let set = IsolatedProbe.Limits.forReading("/nonexistent", environment: ["LNET_PROBE_SECONDS": "2.5", "LNET_PROBE_MEMORY_MB": "64"])
        #expect(set == .init(seconds: 2.5, memoryBytes: 64 << 20))
    }
}
