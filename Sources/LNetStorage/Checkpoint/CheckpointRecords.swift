/// What a run measured on its `--test` data as it went
/// (`/training/test_epochs`, `/training/test_costs`, `/training/test_accuracy`):
/// one record per checkpoint interval, in epoch order. Empty without test data.
public struct TestHistory: Sendable, Equatable {
    /// The 0-based epoch after which each record was measured, counted as `/training/costs` counts: record k
    /// stands beside `costs[epochs[k]]`. Strictly increasing.
    public var epochs: [Int]
    /// The cross-entropy on the test data (Σloss / m_test, without the L2 term) at each of `epochs`.
    public var costs: [Double]
    /// The fraction (0…1) of test examples classified correctly at each of `epochs`.
    public var accuracies: [Double]

    /// A history of `epochs.count` records; the three arrays have the same length.
    public init(epochs: [Int] = [], costs: [Double] = [], accuracies: [Double] = []) {
        self.epochs = epochs
        self.costs = costs
        self.accuracies = accuracies
    }

    /// The number of records.
    public var count: Int { epochs.count }

    /// Whether there is no record.
    public var isEmpty: Bool { epochs.isEmpty }

    /// Adds the record of `epoch`, replacing those of `epoch` and later (a resumed run that measures an epoch
    /// again measures it bit for bit the same).
    public mutating func record(epoch: Int, cost: Double, accuracy: Double) {
        let kept = epochs.firstIndex(where: { $0 >= epoch }) ?? epochs.count
        epochs.removeSubrange(kept...)
        costs.removeSubrange(kept...)
        accuracies.removeSubrange(kept...)
        epochs.append(epoch)
        costs.append(cost)
        accuracies.append(accuracy)
    }
}

/// The best model a `--keep-best` run has kept (`/training` attributes `best_cost`, `best_epoch`,
/// `best_judged_on`), so that a resumed run never replaces it with a worse one.
public struct BestRecord: Sendable, Equatable {
    /// What the best is judged on: the test cost when the run has test data, the training cost otherwise.
    public enum Measure: String, Sendable, CaseIterable {
        /// The cross-entropy on the `--test` data (`test_costs`).
        case testCost = "test_cost"
        /// The epoch's training cost (`costs`).
        case trainingCost = "cost"
    }

    /// The lowest cost judged so far.
    public var cost: Double
    /// The 0-based epoch after which the best model was taken (counted as `costs` counts).
    public var epoch: Int
    /// What `cost` measures.
    public var measure: Measure

    /// Makes the record of a best model.
    public init(cost: Double, epoch: Int, measure: Measure) {
        self.cost = cost
        self.epoch = epoch
        self.measure = measure
    }
}
