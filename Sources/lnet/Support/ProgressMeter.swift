import LNetTraining
/// How far a training run has got, as a progress line shows it.
struct TrainingProgress: Sendable, Equatable {
    /// Epochs fully finished (absolute: a resumed run counts the earlier ones).
    var completedEpochs: Int
    /// Mini-batches finished inside the epoch in progress (0 at an epoch boundary).
    var miniBatchesDone: Int
    /// The epoch the run stops after.
    var targetEpochs: Int
    /// Mini-batches per epoch.
    var batchesPerEpoch: Int
    /// Examples per epoch (`m`).
    var examplesPerEpoch: Int
    /// The cost of the last finished epoch, if any.
    var lastCost: Double?

    /// Makes a snapshot; `batchesPerEpoch` is raised to at least 1 and `examplesPerEpoch` to at least 0.
    init(
        completedEpochs: Int, miniBatchesDone: Int = 0, targetEpochs: Int, batchesPerEpoch: Int, examplesPerEpoch: Int,
        lastCost: Double? = nil
    ) {
        self.completedEpochs = completedEpochs
        self.miniBatchesDone = miniBatchesDone
        self.targetEpochs = targetEpochs
        self.batchesPerEpoch = max(batchesPerEpoch, 1)
        self.examplesPerEpoch = max(examplesPerEpoch, 0)
        self.lastCost = lastCost
    }

    /// Epochs done, with the finished part of the current epoch as a fraction.
    var epochsDone: Double {
        Double(completedEpochs) + Double(min(miniBatchesDone, batchesPerEpoch)) / Double(batchesPerEpoch)
    }
}

/// The rate and the time left of a training run, from the progress it has
/// made since it started and the seconds that took. Pure arithmetic and text,
/// so that it can be tested without a clock; the command supplies the times.
struct ProgressMeter: Sendable, Equatable {
    /// Where this run started (a resumed run starts part way).
    let startEpochs: Double
    /// The time of the start, in the caller's clock (seconds).
    let startTime: Double
    /// Seconds measured before a rate is given: the first mini-batches pay for
    /// the first shuffle and cold caches, and a rate from them alone would
    /// promise hours for a run of seconds.
    let warmUp: Double

    /// Starts measuring from `start`, reached at `time` (seconds in the caller's clock); a negative `warmUp` counts
    /// as 0.
    init(start: TrainingProgress, at time: Double, warmUp: Double = 0.5) {
        startEpochs = start.epochsDone
        startTime = time
        self.warmUp = max(warmUp, 0)
    }

    /// Epochs per second since the start, or nil before there is enough to measure.
    func epochsPerSecond(_ progress: TrainingProgress, at time: Double) -> Double? {
        let seconds = time - startTime
        let epochs = progress.epochsDone - startEpochs
        guard seconds > 0, seconds >= warmUp, epochs > 0, seconds.isFinite else { return nil }
        return epochs / seconds
    }

    /// Seconds until the target epoch at the average rate so far, or nil when unknown.
    func secondsLeft(_ progress: TrainingProgress, at time: Double) -> Double? {
        guard let rate = epochsPerSecond(progress, at: time) else { return nil }
        let left = max(Double(progress.targetEpochs) - progress.epochsDone, 0)
        return left / rate
    }

    /// The progress line, without line breaks: `epoch 120/5000 (2%), cost
    /// 0.512345, 85.3 epochs/s, 57 s left`. When an epoch takes more than a
    /// second, the mini-batch inside it is shown too (`epoch 4/10, batch
    /// 45/938`) and the rate is in examples per second.
    func line(_ progress: TrainingProgress, at time: Double) -> String {
        var text: String
        let target = progress.targetEpochs
        let rate = epochsPerSecond(progress, at: time)
        let longEpochs = rate.map { $0 < 1 } ?? false
        if longEpochs, progress.miniBatchesDone > 0, progress.batchesPerEpoch > 1 {
            // The epoch in progress, counted from 1 as "i of N".
            text = "epoch \(progress.completedEpochs + 1)/\(target), batch \(progress.miniBatchesDone)/\(progress.batchesPerEpoch)"
        } else {
            text = "epoch \(progress.completedEpochs)/\(target)"
        }
        if target > 0 {
            let percent = Int((progress.epochsDone / Double(target) * 100).rounded(.down))
            text += " (\(min(max(percent, 0), 100))%)"
        }
        if let cost = progress.lastCost { text += ", cost \(Self.formatCost(cost))" }
        if let rate {
            text += ", " + Self.formatRate(epochsPerSecond: rate, examplesPerEpoch: progress.examplesPerEpoch)
            if let left = secondsLeft(progress, at: time) { text += ", " + Self.formatDuration(left) + " left" }
        }
        return text
    }

    /// A cost as the course prints it: six decimals.
    static func formatCost(_ cost: Double) -> String {
        guard cost.isFinite else { return "\(cost)" }
        return fixed(cost, decimals: 6)
    }

    /// `85.3 epochs/s` when an epoch takes less than a second, else the
    /// examples per second (`1234 examples/s`), which say more about a long epoch.
    static func formatRate(epochsPerSecond rate: Double, examplesPerEpoch: Int) -> String {
        guard rate.isFinite, rate > 0 else { return "0 epochs/s" }
        if rate >= 1 || examplesPerEpoch <= 0 {
            return (rate >= 100 ? fixed(rate, decimals: 0) : fixed(rate, decimals: 1)) + " epochs/s"
        }
        let examples = rate * Double(examplesPerEpoch)
        return (examples >= 100 ? fixed(examples, decimals: 0) : fixed(examples, decimals: 1)) + " examples/s"
    }

    /// A duration for people: `0 s`, `42 s`, `3 min 05 s`, `2 h 07 min`,
    /// `3 d 04 h`; rounded to the last unit shown.
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        // Whole seconds, capped so that the conversion to Int cannot overflow (about 31,000 years).
        let total = Int(min(max(seconds, 0), 1e12).rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(twoDigits(total % 60)) s" }
        let minutes = (total + 30) / 60
        if minutes < 24 * 60 { return "\(minutes / 60) h \(twoDigits(minutes % 60)) min" }
        let hours = (total + 1800) / 3600
        return "\(hours / 24) d \(twoDigits(hours % 24)) h"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// `value` with exactly `decimals` decimals, without Foundation's `String(format:)`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let whole = Int(scaled)
        let unit = Int(scale)
        var text = "\(whole / unit)"
        if decimals > 0 {
            let fraction = "\(whole % unit)"
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return (value < 0 && whole != 0 ? "-" : "") + text
    }
}

/// Decides how often a per-mini-batch callback looks at the clock: every
/// `stride` calls, the stride chosen at each look so that looks come about
/// `interval` seconds apart at the pace of the calls so far. A fast run
/// (25,000 mini-batches in a fraction of a second) then reads the clock a few
/// hundred times, a slow one at every batch. The stride is capped so that a
/// run that suddenly slows down is noticed after at most `maximumStride` calls.
struct ClockThrottle: Sendable, Equatable {
    /// Calls between two looks.
    private(set) var stride = 1
    private var calls = 0
    private var lastLook: Double?
    /// The wished-for gap between looks, in seconds.
    let interval: Double
    /// The most calls between two looks.
    let maximumStride: Int

    /// Looks at the first call, then aims for one look every `interval` seconds, with at most `maximumStride` (at
    /// least 1) calls between looks.
    init(interval: Double = 0.02, maximumStride: Int = 256) {
        self.interval = interval
        self.maximumStride = max(maximumStride, 1)
    }

    /// Counts a call; true when the caller should read the clock now.
    mutating func tick() -> Bool {
        calls += 1
        guard calls >= stride else { return false }
        calls = 0
        return true
    }

    /// Tells the throttle what the clock said at a look, to set the next stride.
    mutating func looked(at time: Double) {
        defer { lastLook = time }
        guard let lastLook else { return }
        let perCall = (time - lastLook) / Double(stride)
        guard perCall > 0, perCall.isFinite else {
            // A clock too coarse to see the calls: they are fast.
            stride = min(stride * 2, maximumStride)
            return
        }
        stride = Int(min(max(interval / perCall, 1), Double(maximumStride)))
    }
}
