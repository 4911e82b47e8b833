/// A file that cannot be used, and why: the one error type of LNetStorage's
/// readers, datasets and checkpoints alike (`DatasetError` and
/// `CheckpointError` are its names at those call sites).
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public let path: String
    /// What is wrong, when a checkpoint's check found it (nil for other files).
    public let checkpointProblem: CheckpointProblem?
    /// Why no features/labels pair could be chosen, as data, when that is the problem
    /// (`problem` then words it without the CLI's option names).
    public let naming: DatasetNamingProblem?
    /// What is wrong with it, in words, naming the object concerned.
    public let problem: String

    /// Makes an error for the file at `path`; `problem` is a sentence fragment, printed after the path.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
        self.checkpointProblem = nil
        self.naming = nil
    }

    /// Makes an error for the checkpoint at `path` from what its check found.
    public init(path: String, problem: CheckpointProblem) {
        self.path = path
        self.problem = problem.description
        self.checkpointProblem = problem
        self.naming = nil
    }

    /// Makes the error for a dataset file among whose names no features/labels pair could be chosen.
    public init(path: String, naming: DatasetNamingProblem) {
        self.path = path
        self.problem = naming.description
        self.checkpointProblem = nil
        self.naming = naming
    }

    /// `path: problem`, the one line the CLI prints.
    public var description: String { "\(path): \(problem)" }
}

/// A dataset file that cannot be used (formats/dataset.md).
public typealias DatasetError = StorageError

/// A checkpoint that cannot be used (formats/checkpoint.md); ``StorageError/checkpointProblem`` says which rule it
/// breaks.
public typealias CheckpointError = StorageError
