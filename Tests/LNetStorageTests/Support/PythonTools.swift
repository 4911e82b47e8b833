import Foundation

/// Runs the project's Python (the `.venv` that scripts/setup makes, with numpy
/// and h5py) from tests. Interop tests must run in CI, so a missing venv is a
/// failure that says how to fix it, never a skip.
enum PythonTools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func interpreter() throws -> URL {
        let python = repositoryRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw Failure(description: "no Python environment at \(python.path): run scripts/setup")
        }
        return python
    }

    /// Runs the interpreter and returns its standard output; a non-zero exit is
    /// thrown with what it printed on standard error.
    @discardableResult
    static func run(_ python: URL, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: outputData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: errorData, as: UTF8.self)
            throw Failure(description: "python \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout
    }
}
