/// How an epoch is cut into mini-batches, as the course's `random_mini_batches` does.
///
/// For epoch `i` (0-based) the generator is seeded with `shuffleSeed + i + 1`, draws
/// `permutation(m)`, and the shuffled examples are cut into full batches of
/// `batchSize` followed by the smaller remainder. A batch size of at least `m` is
/// plain full-batch gradient descent: no shuffling and no reseeding.
public struct MiniBatchSchedule: Sendable, Equatable {
    /// `m`.
    public let exampleCount: Int
    /// The configured batch size, capped at `m`.
    public let batchSize: Int
    /// The seed base (`seed` in the course's model, 10 by default).
    public let shuffleSeed: UInt32

    /// Creates the schedule; `batchSize` must be positive.
    public init(exampleCount: Int, batchSize: Int, shuffleSeed: UInt32) throws {
        guard exampleCount > 0 else { throw ConfigurationError("there are no examples to train on") }
        guard batchSize > 0 else { throw ConfigurationError("the batch size must be positive, got \(batchSize)") }
        self.exampleCount = exampleCount
        self.batchSize = min(batchSize, exampleCount)
        self.shuffleSeed = shuffleSeed
    }

    /// Whether epochs shuffle (false for full-batch training).
    public var shuffles: Bool { batchSize < exampleCount }

    /// Mini-batches per epoch: the full ones plus a remainder if `m` is not a multiple.
    public var batchesPerEpoch: Int { (exampleCount + batchSize - 1) / batchSize }

    /// The range of shuffled positions mini-batch `index` covers.
    public func range(ofBatch index: Int) -> Range<Int> {
        let start = index * batchSize
        return start..<min(start + batchSize, exampleCount)
    }

    /// The seed epoch `epoch` (0-based) reseeds the generator with.
    public func seed(forEpoch epoch: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: Int(shuffleSeed) + epoch + 1)
    }

    /// Reseeds `generator` for `epoch` and draws its permutation (nil when not shuffling).
    public func permutation(forEpoch epoch: Int, generator: inout NumpyRandom) -> [Int]? {
        guard shuffles else { return nil }
        var order: [Int] = []
        drawPermutation(forEpoch: epoch, generator: &generator, into: &order)
        return order
    }

    /// Reseeds `generator` for `epoch` and draws its permutation into `order`,
    /// reusing its storage (the trainer does this every epoch). Leaves `order` and
    /// `generator` alone when not shuffling.
    public func drawPermutation(forEpoch epoch: Int, generator: inout NumpyRandom, into order: inout [Int]) {
        guard shuffles else { return }
        generator.seed(seed(forEpoch: epoch))
        generator.permutation(exampleCount, into: &order)
    }
}
