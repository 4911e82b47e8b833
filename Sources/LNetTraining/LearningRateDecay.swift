import Foundation

/// How the learning rate shrinks from epoch to epoch (the course's `update_lr` and
/// `schedule_lr_decay`).
///
/// After epoch `i` (0-based) finishes, the rate for the epochs that follow becomes
/// `f(lr0, i)`; so epochs 0 and 1 both run at `lr0`.
public enum LearningRateDecay: Sendable, Equatable, Hashable, Codable {
    /// Constant learning rate.
    case none
    /// `lr0 / (1 + rate·i)`.
    case inverse(rate: Double)
    /// `lr0 / (1 + rate·⌊i / interval⌋)`: a step down every `interval` epochs.
    case scheduled(rate: Double, interval: Int = 1000)

    /// What is wrong with the rate and interval, in order; empty when they are usable.
    public func problems() -> [ConfigurationProblem] {
        switch self {
        case .none:
            return []
        case .inverse(let rate):
            return rate >= 0 && rate.isFinite ? [] : [.decayRate(rate)]
        case .scheduled(let rate, let interval):
            return (rate >= 0 && rate.isFinite ? [] : [.decayRate(rate)]) + (interval > 0 ? [] : [.decayInterval(interval)])
        }
    }

    /// The learning rate to use after epoch `epoch` (0-based) has finished.
    ///
    /// Written as the course writes it, `1 / (1 + rate·i) · lr0`, to round the same way.
    public func learningRate(initial: Double, afterEpoch epoch: Int) -> Double {
        switch self {
        case .none:
            return initial
        case .inverse(let rate):
            return 1 / (1 + rate * Double(epoch)) * initial
        case .scheduled(let rate, let interval):
            return 1 / (1 + rate * Foundation.floor(Double(epoch) / Double(interval))) * initial
        }
    }
}
