import Foundation

/// Runs the project's Python (the `.venv` that scripts/setup makes, with numpy,
/// h5py, pandas and scikit-learn) from tests. Interop tests must run in CI, so
/// a missing venv is a failure that says how to fix it, never a skip.
public enum Python {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `.venv/bin/python`.
    public static let path: String = Repository.root.appendingPathComponent(".venv/bin/python").path

    /// Whether the venv exists.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// The interpreter, or a failure that says to run scripts/setup.
    public static func interpreter() throws -> URL {
        guard isAvailable else { throw Failure(description: "no Python environment at \(path): run scripts/setup") }
        return URL(fileURLWithPath: path)
    }

    /// Runs the interpreter with `arguments` (in `directory`, else the
    /// repository root) and returns its standard output; a non-zero exit is
    /// thrown with what it printed on standard error.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL? = nil) throws -> String {
        let result = try Subprocess.run(try interpreter(), arguments, directory: directory ?? Repository.root)
        guard result.status == 0, result.signal == nil else {
            let shown = arguments.first == "-c" ? "-c <script>" : arguments.joined(separator: " ")
            throw Failure(description: "python \(shown) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs `script` (Python source) with `arguments` as `sys.argv[1:]`.
    @discardableResult
    public static func run(script: String, _ arguments: [String] = [], in directory: URL? = nil) throws -> String {
        try run(["-c", script] + arguments, in: directory)
    }
}
