import Foundation
@testable import LNetRuns
import Testing

/// The writer's rule: a write runs on its own thread while the caller goes on;
/// at most one is in flight (a second is refused, never queued); a failure is
/// handed back once, and no write starts after it.
@Suite struct BackgroundCheckpointWriterTests {
    private struct Failed: Error {}

    private static func written(_ epoch: Int) -> BackgroundCheckpointWriter.Written {
        .init(path: "c.h5", epoch: epoch, batchInEpoch: 0)
    }

    @Test func theCallerGoesOnWhileAWriteIsInFlight() {
        let writer = BackgroundCheckpointWriter()
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        // The write blocks until released: startIfIdle must return before that.
        #expect(writer.startIfIdle {
            started.signal()
            release.wait()
            return Self.written(1)
        })
        started.wait()
        #expect(writer.isBusy)
        #expect(!writer.startIfIdle { Self.written(2) }, "a second write while one is in flight")
        #expect(writer.takeWritten().isEmpty)
        release.signal()
        writer.waitUntilIdle()
        #expect(!writer.isBusy)
        #expect(writer.takeWritten().map(\.epoch) == [1])
        #expect(writer.takeFailure() == nil)
        #expect(writer.startIfIdle { Self.written(3) })
        writer.waitUntilIdle()
        #expect(writer.takeWritten().map(\.epoch) == [3])
    }

    @Test func aFailureIsHandedBackOnceAndStopsLaterWrites() {
        let writer = BackgroundCheckpointWriter()
        #expect(writer.startIfIdle { throw Failed() })
        writer.waitUntilIdle()
        #expect(!writer.startIfIdle { Self.written(2) }, "no write after a failure not yet taken")
        #expect(writer.takeFailure() is Failed)
        #expect(writer.takeFailure() == nil)
        #expect(writer.takeWritten().isEmpty)
    }
}
