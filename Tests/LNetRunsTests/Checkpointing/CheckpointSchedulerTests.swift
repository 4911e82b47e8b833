@testable import LNetRuns
import Testing

/// When periodic saves are due: at multiples of N epochs, after an interval of
/// wall time, or both; a due save stays due until it is taken.
@Suite struct CheckpointSchedulerTests {
    @Test func byEpochsAtTheirMultiples() {
        var schedule = CheckpointScheduler(everyEpochs: 3, interval: 0, completedEpochs: 0, now: 0)
        #expect((1...8).filter { schedule.isDue(completedEpochs: $0, now: 1e9) } == [3, 4, 5, 6, 7, 8])
        // A save deferred from epoch 3 to 5 (one was in flight) does not move the next multiple.
        schedule.saved(completedEpochs: 5, now: 0)
        #expect((6...9).filter { schedule.isDue(completedEpochs: $0, now: 1e9) } == [6, 7, 8, 9])
        #expect(!schedule.isDue(completedEpochs: 5, now: 1e9))
    }

    @Test func aResumedRunCountsFromItsCheckpoint() {
        let schedule = CheckpointScheduler(everyEpochs: 100, interval: 0, completedEpochs: 150, now: 0)
        #expect(!schedule.isDue(completedEpochs: 199, now: 0))
        #expect(schedule.isDue(completedEpochs: 200, now: 0))
    }

    @Test func byTimeSinceTheLastSave() {
        var schedule = CheckpointScheduler(everyEpochs: 0, interval: 30, completedEpochs: 0, now: 1000)
        #expect(!schedule.isDue(completedEpochs: 500, now: 1029.9))
        #expect(schedule.isDue(completedEpochs: 500, now: 1030))
        schedule.saved(completedEpochs: 501, now: 1031)
        #expect(!schedule.isDue(completedEpochs: 502, now: 1060))
        #expect(schedule.isDue(completedEpochs: 502, now: 1061))
        // No epoch finished since the last save: nothing new to save.
        #expect(!schedule.isDue(completedEpochs: 501, now: 5000))
    }

    @Test func bothWhicheverComesFirst() {
        let schedule = CheckpointScheduler(everyEpochs: 10, interval: 60, completedEpochs: 0, now: 0)
        #expect(schedule.isDue(completedEpochs: 10, now: 1))
        #expect(schedule.isDue(completedEpochs: 3, now: 60))
        #expect(!schedule.isDue(completedEpochs: 3, now: 59))
    }

    @Test func neitherIsNeverDue() {
        let schedule = CheckpointScheduler(everyEpochs: 0, interval: 0, completedEpochs: 0, now: 0)
        #expect(!schedule.isDue(completedEpochs: 1_000_000, now: 1e12))
    }
}
