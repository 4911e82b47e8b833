/// A Keras file that cannot be read as a model, or a model that cannot be written as one: one line naming the file
/// (and, in a `.keras` archive, the member).
public struct KerasError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `.weights.h5` that does not say its activations: `layers` are needed, such as `example` (`relu,sigmoid`);
    /// the CLI words it with its option's name.
    public struct ActivationsUnknown: Sendable, Equatable {
        public let layers: Int
        public let example: String
    }

    /// The file as the user named it.
    public let path: String
    /// What is wrong, without the file's name.
    public let problem: String
    /// Set when the problem is that the activations are unknown.
    public let activationsUnknown: ActivationsUnknown?

    /// Makes the error for `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
        activationsUnknown = nil
    }

    /// The error of a file whose activations nothing says.
    init(path: String, activationsUnknownFor layers: Int, example: String) {
        self.path = path
        problem = "the file does not say its activations: give one per layer (\(layers)), e.g. \(example)"
        activationsUnknown = ActivationsUnknown(layers: layers, example: example)
    }

    /// `path: problem`.
    public var description: String { "\(path): \(problem)" }
}
