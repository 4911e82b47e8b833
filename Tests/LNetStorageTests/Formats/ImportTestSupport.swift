import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// Helpers shared by the importer tests: scratch files and numpy fixtures.
enum ImportFixtures {
    /// A fresh empty directory for one test.
    static func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to name: String, in directory: URL) throws -> String {
        try write(Array(text.utf8), to: name, in: directory)
    }

    static func write(_ bytes: [UInt8], to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Runs `script` with the project's Python (numpy installed) in `directory`.
    static func python(_ script: String, in directory: URL) throws {
        try Python.run(script: script, in: directory)
    }

    /// Every row of a source, chunk by chunk, as Doubles and labels.
    static func readAll(_ source: inout some RowSource, maxRows: Int = 3) throws -> (features: [Double], labels: [Int64]?, chunks: Int) {
        var features: [Double] = []
        var labels: [Int64]? = nil
        var chunks = 0
        while let chunk = try source.nextChunk(maxRows: maxRows) {
            #expect(chunk.rowCount >= 1 && chunk.rowCount <= maxRows)
            #expect(chunk.features.count == chunk.rowCount * source.rowLength)
            #expect(chunk.features.elementType == source.featureType)
            features += chunk.features.asDoubles()
            if let chunkLabels = chunk.labels {
                #expect(chunkLabels.count == chunk.rowCount)
                labels = (labels ?? []) + chunkLabels
            }
            chunks += 1
        }
        return (features, labels, chunks)
    }

    /// The error an expression throws, as an ImportError (nil if it did not throw one).
    static func importError(_ body: () throws -> Void) -> ImportError? {
        do {
            try body()
            return nil
        } catch let error as ImportError {
            return error
        } catch {
            return nil
        }
    }
}
