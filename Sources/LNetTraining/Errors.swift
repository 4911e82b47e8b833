/// A training configuration or input that cannot be used, with the reason.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, in words a user can act on (naming no command-line option).
    public let description: String
    /// What is wrong as data, when a caller words it in its own terms (the CLI, with its options).
    public let problem: ConfigurationProblem?

    /// Makes the error; `description` is what the user reads.
    public init(_ description: String) {
        self.description = description
        problem = nil
    }

    /// Makes the error for `problem`.
    public init(_ problem: ConfigurationProblem) {
        self.problem = problem
        description = problem.words
    }
}

/// A configuration problem as data, for a caller that words it with its own names:
/// the setting, and the value it refuses.
public enum ConfigurationProblem: Sendable, Equatable {
    /// A list of activations (one per layer, output last) of the wrong length.
    case activationCount(names: Int, layers: Int)
    /// A learning rate that is not a positive finite number.
    case learningRate(Double)
    /// A mini-batch size below 1.
    case batchSize(Int)
    /// A negative number of epochs.
    case epochs(Int)
    /// So many epochs that the last one's shuffle seed, `shuffleSeed + epochs`, passes numpy's largest, 2^32 − 1.
    case epochsPastLastShuffleSeed(epochs: Int, shuffleSeed: UInt32)
    /// An L2 strength λ below 0 or not finite.
    case l2(Double)
    /// A dropout keep probability outside (0, 1].
    case keepProbability(Double)
    /// Momentum's β outside [0, 1).
    case momentumBeta(Double)
    /// Adam's β1 outside [0, 1).
    case adamBeta1(Double)
    /// Adam's β2 outside [0, 1).
    case adamBeta2(Double)
    /// Adam's ε that is not a positive finite number.
    case adamEpsilon(Double)
    /// A decay rate below 0 or not finite.
    case decayRate(Double)
    /// A scheduled decay's interval below 1 epoch.
    case decayInterval(Int)

    /// The problem in the library's words (naming no command-line option).
    public var words: String {
        switch self {
        case .activationCount(let names, let layers): "the activations list names \(names) activations for \(layers) layers"
        case .learningRate(let rate): "the learning rate must be a positive number, got \(rate)"
        case .batchSize(let size): "the batch size must be positive, got \(size)"
        case .epochs(let epochs): "the number of epochs cannot be negative, got \(epochs)"
        case .epochsPastLastShuffleSeed(let epochs, let shuffleSeed):
            "shuffle seed \(shuffleSeed) + \(epochs) epochs exceeds numpy's largest seed 2^32−1"
        case .l2(let strength): "the L2 strength λ must be ≥ 0, got \(strength)"
        case .keepProbability(let probability): "keep_prob must lie in (0, 1], got \(probability)"
        case .momentumBeta(let beta): "momentum β must lie in [0, 1), got \(beta)"
        case .adamBeta1(let beta1): "Adam's β1 must lie in [0, 1), got \(beta1)"
        case .adamBeta2(let beta2): "Adam's β2 must lie in [0, 1), got \(beta2)"
        case .adamEpsilon(let epsilon): "Adam's ε must be positive, got \(epsilon)"
        case .decayRate(let rate): "the decay rate must be ≥ 0, got \(rate)"
        case .decayInterval(let interval): "the decay interval must be positive, got \(interval)"
        }
    }
}

/// Training could not go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The cost became NaN or infinite (usually a learning rate that is too large).
    case nonFiniteCost(epoch: Int, miniBatch: Int, cost: Double)
    /// A saved state does not fit the configuration or data it is resumed with.
    case incompatibleState(String)

    /// A message naming the epoch (0-based, as the course prints it).
    public var description: String {
        switch self {
        case .nonFiniteCost(let epoch, let miniBatch, let cost):
            return "the cost became \(cost) in epoch \(epoch) (mini-batch \(miniBatch)); training stopped — try a smaller learning rate"
        case .incompatibleState(let reason):
            return "cannot resume from this training state: \(reason)"
        }
    }
}
