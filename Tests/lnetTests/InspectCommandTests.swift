import Foundation
import LNetTestSupport
import Testing

/// Runs the built `lnet` binary as a subprocess, as a user would.
enum LNetBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The build products folder, where the test bundle and `lnet` sit side by side.
    static func url() throws -> URL {
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates = [testExecutable.deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in candidates {
            let binary = folder.appendingPathComponent("lnet")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        throw Missing(description: "no lnet binary next to the test bundle (\(candidates.map(\.path))): run swift build")
    }

    static func run(_ arguments: [String]) throws -> Result {
        let result = try Subprocess.run(try url(), arguments)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}

@Suite("lnet inspect, end to end")
struct InspectCommandTests {
    static let courseTrain = Repository.sharedDatasets.appendingPathComponent("train_catvnoncat.h5").path

    private func scratch() throws -> URL { try Repository.scratchFolder("inspect") }

    @Test func courseFileTextAndJSON() throws {
        guard FileManager.default.fileExists(atPath: Self.courseTrain) else {
            print("skipped: course files not found in ../shared/datasets")
            return
        }
        let text = try LNetBinary.run(["inspect", Self.courseTrain])
        #expect(text.status == 0)
        #expect(text.stderr.isEmpty)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("/train_set_x             Dataset {209, 64, 64, 3}"))
        #expect(lines.contains("/train_set_y             Dataset {209}"))
        #expect(lines.contains("/list_classes            Dataset {2}"))
        #expect(lines.contains("    Type:      uint8"))

        let json = try LNetBinary.run(["inspect", Self.courseTrain, "--json"])
        #expect(json.status == 0)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(parsed["file"] as? String == Self.courseTrain)
        let objects = try #require(parsed["objects"] as? [[String: Any]])
        #expect(objects.compactMap { $0["path"] as? String } == ["/", "/list_classes", "/train_set_x", "/train_set_y"])
        #expect(objects.compactMap { $0["dtype"] as? String } == ["|S7", "uint8", "int64"])
        #expect(objects[2]["shape"] as? [Int] == [209, 64, 64, 3])
    }

    @Test(arguments: ["missing", "empty", "random", "truncated", "directory"])
    func badFilesGiveOneErrorLineAndStatus1(_ kind: String) throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        var path = directory.appendingPathComponent("\(kind).h5").path
        var expected = ""
        switch kind {
        case "missing":
            expected = "no such file"
        case "empty":
            _ = FileManager.default.createFile(atPath: path, contents: Data())
            expected = "empty"
        case "random":
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            expected = "not an HDF5 file"
        case "truncated":
            // The first 2 KB of a real HDF5 file: the signature is there, the data is not.
            var header = Data([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])
            if let course = FileManager.default.contents(atPath: Self.courseTrain) {
                header = course.prefix(2000)
                expected = "truncated"
            }
            _ = FileManager.default.createFile(atPath: path, contents: header)
        default:
            path = directory.path
            expected = "directory"
        }
        let result = try LNetBinary.run(["inspect", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: cannot open file \(path): "))
        #expect(result.stderr.contains(expected))
        #expect(!result.stderr.contains("HDF5-DIAG"))
    }

    @Test func argumentErrorsStayTheParsers() throws {
        let result = try LNetBinary.run(["inspect"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Missing expected argument"))
        let help = try LNetBinary.run(["inspect", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--json"))
        #expect(help.stdout.contains("Example"))
    }
}
