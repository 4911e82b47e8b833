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
        let process = Process()
        process.executableURL = try interpreter()
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? Repository.root
        // Files, not pipes: a chatty script cannot block on a full pipe.
        let id = UUID().uuidString
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-py-out-\(id)")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-py-err-\(id)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
            let shown = arguments.first == "-c" ? "-c <script>" : arguments.joined(separator: " ")
            throw Failure(description: "python \(shown) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout
    }

    /// Runs `script` (Python source) with `arguments` as `sys.argv[1:]`.
    @discardableResult
    public static func run(script: String, _ arguments: [String] = [], in directory: URL? = nil) throws -> String {
        try run(["-c", script] + arguments, in: directory)
    }
}
