/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator, enough to
/// choose a train/test split reproducibly. LNetStorage cannot use
/// LNetTraining's numpy-compatible generator (LNetTraining depends on
/// LNetStorage, not the other way round), and a split needs no numpy parity.
///
/// In Python, for anyone reproducing a split:
///
/// ```python
/// M = (1 << 64) - 1
/// def splitmix64(state):
///     state = (state + 0x9E3779B97F4A7C15) & M
///     z = state
///     z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
///     z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
///     return state, z ^ (z >> 31)
/// ```
public struct SplitMix64: Sendable, Equatable {
    private var state: UInt64

    /// A generator whose sequence depends only on `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0 ..< bound` (`bound` ≥ 1), without modulo bias:
    /// draws below `2^64 mod bound` are rejected and drawn again, then the
    /// draw is reduced modulo `bound`.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        guard bound > 1 else { return 0 }
        let threshold = (0 &- bound) % bound
        while true {
            let draw = next()
            if draw >= threshold { return draw % bound }
        }
    }
}

/// Decides, row by row in file order, whether each example goes to the train
/// or the test output of `lnet convert --split`.
///
/// The train set is a uniformly random subset of exactly `trainCount` of the
/// `total` rows, chosen by selection sampling (Knuth, TAOCP vol. 2, 3.4.2,
/// Algorithm S): row `t` (0-based) goes to train when
/// `uniform(total − t) < still needed`, one draw of `SplitMix64(seed)` per row.
/// Every subset of that size is equally likely, as with the first
/// `trainCount` entries of a Fisher–Yates shuffle, but nothing is held in
/// memory: no permutation of m indices, so the split streams like the rest of
/// the conversion. Both outputs keep the input's row order (training shuffles
/// its mini-batches anyway).
///
/// `trainCount` is `⌊total · fraction + 0.5⌋`, and must leave at least one
/// example on each side.
public struct DatasetSplit: Sendable {
    /// Examples in the input.
    public let total: Int
    /// Examples that go to the train output.
    public let trainCount: Int

    private var generator: SplitMix64
    private var row = 0
    private var trainLeft: Int

    /// A split of `total` rows, `fraction` of them (0 < fraction < 1) to train.
    /// Nil when that leaves either side empty.
    public init?(total: Int, fraction: Double, seed: UInt64) {
        guard total >= 2, fraction > 0, fraction < 1 else { return nil }
        let count = (Double(total) * fraction + 0.5).rounded(.down)
        guard count >= 1, count <= Double(total - 1) else { return nil }
        self.total = total
        trainCount = Int(count)
        trainLeft = trainCount
        generator = SplitMix64(seed: seed)
    }

    /// Whether the next row (in file order) goes to train. Called once per
    /// row, `total` times.
    public mutating func nextIsTrain() -> Bool {
        let remaining = total - row
        row += 1
        guard remaining > 0, trainLeft > 0 else { return false }
        if generator.uniform(below: UInt64(remaining)) < UInt64(trainLeft) {
            trainLeft -= 1
            return true
        }
        return false
    }
}
