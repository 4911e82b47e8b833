import LNetTraining
/// A training, resume, evaluation or prediction run that cannot go on, with
/// the file concerned and the reason, ready to print as one line.
public struct RunError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file concerned (a dataset or a checkpoint), when there is one.
    public let path: String?
    /// What is wrong.
    public let problem: String

    /// Makes an error about `path` (nil when no file is concerned); `problem` is a sentence fragment.
    public init(path: String?, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`, or `problem` alone without a path: the one line the CLI prints.
    public var description: String { path.map { "\($0): \(problem)" } ?? problem }
}
