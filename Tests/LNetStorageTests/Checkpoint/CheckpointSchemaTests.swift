import Foundation
import LNetStorage
import LNetTestSupport
import Testing

/// `CheckpointSchema`: the one declaration the writer, the strict reader and
/// the inspect summary share; files are changed with LNetStorage's own HDF5
/// API, as an editor or a hostile sender would change them.
@Suite("Checkpoint schema")
struct CheckpointSchemaTests {
    /// The typed problem `CheckpointFile.read` throws, with its text, or nil when it reads the file.
    static func readError(_ path: String) -> CheckpointError? {
        do {
            _ = try CheckpointFile.read(from: path)
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    @Test func everyAttributeTheWriterWritesIsDeclaredAndEveryRequiredOneIsWritten() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        for group in ["/", "/model", "/optimizer", "/training"] {
            let written = Set(try file.group(at: group).attributes.names())
                .subtracting(group == "/" ? [SettingsChecksum.attributeName] : [])
            let declared = CheckpointSchema.attributes.filter { $0.group == group }
            #expect(written.isSubset(of: Set(declared.map(\.name))), "\(group) writes undeclared attributes")
            for declaration in declared where !declaration.isOptional && declaration.onlyFor.isEmpty {
                #expect(written.contains(declaration.name), "\(group) lacks \(declaration.name)")
            }
            for declaration in declared where declaration.onlyFor.isEmpty || declaration.onlyFor.contains("adam") {
                #expect(declaration.problem(in: file) == nil, "\(group) \(declaration.name)")
            }
        }
    }

    @Test func aProblemIsTypedAndKeepsItsWords() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/optimizer").attributes.write("t", .int64(-5))
            try file.attributes.delete(SettingsChecksum.attributeName)
        }
        let error = try #require(Self.readError(path))
        #expect(error.checkpointProblem == .attributeValue(group: "/optimizer", name: "t", found: "-5", rule: .adamSteps))
        #expect(error.problem == "attribute t of /optimizer is -5: the number of Adam updates cannot be negative")
    }

    @Test func aLayerDimsTooLargeToAllocateIsRefusedBeforeAnyTensorIsRead() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 2^20 × 2^20 float64s would be 8 TiB: the bound, not the allocation, must answer.
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/model").attributes.write("layer_dims", .int64Array([1 << 20, 1 << 20, 2]))
            try file.attributes.delete(SettingsChecksum.attributeName)
        }
        let error = try #require(Self.readError(path))
        guard case .exceedsLimit(let what, let declared, let limit)? = error.checkpointProblem else {
            Issue.record("expected a limit, got \(error.problem)")
            return
        }
        #expect(what.contains("W1"))
        #expect(declared == 1 << 40)
        #expect(limit == CheckpointSchema.Limits.maximumTensorCount)
    }

    @Test func tooManyLayersAreRefused() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let layers = CheckpointSchema.Limits.maximumLayerCount + 1
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/model").attributes.write("layer_dims", .int64Array(Array(repeating: 2, count: layers + 1)))
            try file.attributes.delete(SettingsChecksum.attributeName)
        }
        let error = try #require(Self.readError(path))
        #expect(error.checkpointProblem
            == .exceedsLimit(what: "the number of layers in layer_dims of /model", declared: layers,
                             limit: CheckpointSchema.Limits.maximumLayerCount))
    }

    @Test func theSummaryReportsWhatIsWrongInsteadOfRefusing() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/training").attributes.write("keep_prob", .float64(2))
            try file.group(at: "/training").attributes.delete("seed")
        }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let summary = try CheckpointSummary(reading: file, statistics: false)
        #expect(summary.training?.keepProb == 2)
        #expect(summary.problems == [
            .attributeMissing(group: "/training", name: "seed"),
            .attributeValue(group: "/training", name: "keep_prob", found: "2.0", rule: .probability),
        ])
    }

    @Test func aValidCheckpointsSummaryHasNoProblems() throws {
        let (folder, path) = try SettingsChecksumTests.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        #expect(try CheckpointSummary(reading: file, statistics: false).problems.isEmpty)
    }

    @Test func aShapeProblemKeepsItsWords() {
        #expect(CheckpointProblem.shape(path: "/parameters/W2", found: [1, 4], expected: [1, 3]).description
            == "/parameters/W2 has shape (1, 4), expected (1, 3)")
    }

    @Test func datasetAndCheckpointErrorsAreOneType() {
        let error: Error = DatasetError(path: "a.h5", problem: "x")
        #expect(error is CheckpointError)
        #expect(CheckpointError(path: "c.h5", problem: CheckpointProblem.missing(path: "/parameters/W2")).description
            == "c.h5: /parameters/W2 is missing")
    }
}
