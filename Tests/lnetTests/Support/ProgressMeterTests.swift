@testable import lnet
import LNetTraining
import Testing

@Suite("Progress meter: rate, time left and their text")
struct ProgressMeterTests {
    private func progress(_ epochs: Int, batch: Int = 0, of batches: Int = 1, target: Int = 100, m: Int = 300,
                          cost: Double? = nil) -> TrainingProgress {
        TrainingProgress(completedEpochs: epochs, miniBatchesDone: batch, targetEpochs: target, batchesPerEpoch: batches,
                         examplesPerEpoch: m, lastCost: cost)
    }

    @Test func rateAndTimeLeftFromTheStart() throws {
        let meter = ProgressMeter(start: progress(0), at: 1000)
        #expect(meter.epochsPerSecond(progress(0), at: 1000) == nil)
        #expect(meter.secondsLeft(progress(10), at: 1000) == nil)
        #expect(meter.epochsPerSecond(progress(10), at: 1002) == 5)
        #expect(meter.secondsLeft(progress(10), at: 1002) == 18)
        #expect(meter.secondsLeft(progress(100), at: 1020) == 0)
        // Within the warm-up there is no rate yet.
        #expect(meter.epochsPerSecond(progress(1), at: 1000.4) == nil)
        #expect(meter.line(progress(1, cost: 0.5), at: 1000.4) == "epoch 1/100 (1%), cost 0.500000")
    }

    @Test func aResumedRunCountsOnlyItsOwnWork() {
        // Resumed at epoch 40, batch 2 of 4: 40.5 epochs were done before.
        let meter = ProgressMeter(start: progress(40, batch: 2, of: 4), at: 0)
        #expect(meter.epochsPerSecond(progress(41, batch: 2, of: 4), at: 2) == 0.5)
        #expect(meter.secondsLeft(progress(41, batch: 2, of: 4), at: 2) == 117)
    }

    @Test func lines() {
        let meter = ProgressMeter(start: progress(0), at: 0)
        #expect(meter.line(progress(0, target: 5000), at: 0) == "epoch 0/5000 (0%)")
        #expect(meter.line(progress(120, target: 5000, cost: 0.5123449), at: 1)
            == "epoch 120/5000 (2%), cost 0.512345, 120 epochs/s, 41 s left")
        // Short epochs: the batch inside one is noise.
        #expect(meter.line(progress(120, batch: 3, of: 5, target: 5000, cost: 0.5), at: 1)
            == "epoch 120/5000 (2%), cost 0.500000, 121 epochs/s, 40 s left")
        // Inside a long epoch: the epoch in progress, its batch, examples per second.
        let slow = ProgressMeter(start: progress(0, of: 938, target: 10, m: 60000), at: 0)
        #expect(slow.line(progress(3, batch: 469, of: 938, target: 10, m: 60000, cost: 0.3), at: 70)
            == "epoch 4/10, batch 469/938 (35%), cost 0.300000, 3000 examples/s, 2 min 10 s left")
    }

    @Test func durations() {
        #expect(ProgressMeter.formatDuration(0) == "0 s")
        #expect(ProgressMeter.formatDuration(0.4) == "0 s")
        #expect(ProgressMeter.formatDuration(59.4) == "59 s")
        #expect(ProgressMeter.formatDuration(59.6) == "1 min 00 s")
        #expect(ProgressMeter.formatDuration(185) == "3 min 05 s")
        #expect(ProgressMeter.formatDuration(7620) == "2 h 07 min")
        #expect(ProgressMeter.formatDuration(3 * 86400 + 4 * 3600) == "3 d 04 h")
        #expect(ProgressMeter.formatDuration(-5) == "0 s")
        #expect(ProgressMeter.formatDuration(.infinity) == "?")
        #expect(ProgressMeter.formatDuration(.nan) == "?")
        #expect(ProgressMeter.formatDuration(1e300).hasSuffix(" h"))
    }

    @Test func rates() {
        #expect(ProgressMeter.formatRate(epochsPerSecond: 85.34, examplesPerEpoch: 300) == "85.3 epochs/s")
        #expect(ProgressMeter.formatRate(epochsPerSecond: 1234.6, examplesPerEpoch: 300) == "1235 epochs/s")
        #expect(ProgressMeter.formatRate(epochsPerSecond: 0.05, examplesPerEpoch: 60000) == "3000 examples/s")
        #expect(ProgressMeter.formatRate(epochsPerSecond: 0.05, examplesPerEpoch: 208) == "10.4 examples/s")
        #expect(ProgressMeter.formatRate(epochsPerSecond: 0, examplesPerEpoch: 209) == "0 epochs/s")
        #expect(ProgressMeter.formatCost(0.7717493) == "0.771749")
        #expect(ProgressMeter.formatCost(-1.5) == "-1.500000")
        #expect(ProgressMeter.formatCost(.nan) == "nan")
    }

    @Test func theClockIsReadLessOftenWhenUpdatesComeFast() {
        var throttle = ClockThrottle(interval: 0.02, maximumStride: 256)
        var looks = 0
        var time = 0.0
        // 25,000 updates of 5 µs each: a moons run.
        for _ in 0..<25_000 {
            time += 5e-6
            if throttle.tick() {
                looks += 1
                throttle.looked(at: time)
            }
        }
        #expect(looks < 200)
        #expect(throttle.stride == 256)
        // Slow updates: at the first look the stride is back to every call.
        var slowCalls = 0
        while true {
            time += 1
            slowCalls += 1
            if throttle.tick() {
                throttle.looked(at: time)
                break
            }
        }
        #expect(slowCalls <= 256)
        #expect(throttle.stride == 1)
        // Updates 5 ms apart: a look every 4 calls.
        for _ in 0..<20 {
            time += 0.005
            if throttle.tick() { throttle.looked(at: time) }
        }
        #expect(throttle.stride == 4)
    }
}
