/// A dataset file that LNet cannot use, and why (formats/dataset.md).
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public let path: String
    /// What is wrong with it, in words.
    public let problem: String

    /// Makes an error for the file at `path`; `problem` is a sentence fragment, printed after the path.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`, the one line the CLI prints.
    public var description: String { "\(path): \(problem)" }
}
