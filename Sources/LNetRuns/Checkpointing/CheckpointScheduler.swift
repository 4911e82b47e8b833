/// When a run's periodic checkpoints are due: by epochs, by wall time, or both
/// (formats/checkpoint.md, "When checkpoints are written").
///
/// A save is due at an epoch boundary once the run has passed a multiple of
/// `everyEpochs` since the last save, or once `interval` seconds have gone by
/// since the last save was taken (or since the run started). The final save
/// and the save on a stop are not the scheduler's: they always happen.
///
/// The scheduler only says what is due; a save that is due while the previous
/// one is still being written stays due, and is taken at the first epoch
/// boundary after that write ends (``BackgroundCheckpointWriter``), so the
/// saved state is then the newest there is.
public struct CheckpointScheduler: Sendable, Equatable {
    /// Saves every this many epochs, at its multiples; 0: no cadence by epochs.
    public let everyEpochs: Int
    /// Saves when this many seconds have passed since the last save; 0: no cadence by time.
    public let interval: Double
    /// The completed epochs at the last save (or at the start of the run).
    public private(set) var lastSavedEpoch: Int
    /// When the last save was taken (or the run started), in the caller's clock's seconds.
    public private(set) var lastSavedAt: Double

    /// Starts the schedule of a run that begins at `completedEpochs`, at time `now`.
    public init(everyEpochs: Int, interval: Double, completedEpochs: Int, now: Double) {
        self.everyEpochs = max(everyEpochs, 0)
        self.interval = interval.isFinite ? max(interval, 0) : 0
        lastSavedEpoch = completedEpochs
        lastSavedAt = now
    }

    /// Whether a save is due with `completedEpochs` finished at time `now`.
    public func isDue(completedEpochs: Int, now: Double) -> Bool {
        let byEpochs = everyEpochs > 0 && completedEpochs / everyEpochs > lastSavedEpoch / everyEpochs
        let byTime = interval > 0 && completedEpochs > lastSavedEpoch && now - lastSavedAt >= interval
        return byEpochs || byTime
    }

    /// Records that a save of `completedEpochs` was taken at time `now`.
    public mutating func saved(completedEpochs: Int, now: Double) {
        lastSavedEpoch = completedEpochs
        lastSavedAt = now
    }
}
