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
        switch problem {
        case .activationCount(let names, let layers):
            description = "the activations list names \(names) activations for \(layers) layers"
        }
    }
}

/// A configuration problem as data, for a caller that words it with its own names.
public enum ConfigurationProblem: Sendable, Equatable {
    /// A list of activations (one per layer, output last) of the wrong length.
    case activationCount(names: Int, layers: Int)
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
