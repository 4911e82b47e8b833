/// A training, resume, evaluation or prediction run that cannot go on, with
/// the file concerned and the reason, ready to print as one line.
public struct RunError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file concerned (a dataset or a checkpoint), when there is one.
    public let path: String?
    /// What is wrong.
    public let problem: String

    public init(path: String?, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.map { "\($0): \(problem)" } ?? problem }
}
