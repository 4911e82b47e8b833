/// A dataset file that LNet cannot use, and why (formats/dataset.md).
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public let path: String
    /// What is wrong with it, in words.
    public let problem: String
    /// Why no features/labels pair could be chosen, as data, when that is the problem
    /// (`problem` then words it without the CLI's option names).
    public let naming: DatasetNamingProblem?

    /// Makes an error for the file at `path`; `problem` is a sentence fragment, printed after the path.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
        naming = nil
    }

    /// Makes the error for a file among whose names no features/labels pair could be chosen.
    public init(path: String, naming: DatasetNamingProblem) {
        self.path = path
        self.problem = naming.description
        self.naming = naming
    }

    /// `path: problem`, the one line the CLI prints.
    public var description: String { "\(path): \(problem)" }
}
