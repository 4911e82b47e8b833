import Foundation
@testable import LNetRuns
@testable import LNetStorage
import LNetTestSupport
@testable import LNetTraining
import Testing

/// uint8 x kept in memory as stored and prepared a mini-batch at a time (`StoredTypeExamples`), against the
/// path that prepares all of x as doubles when it loads it.
@Suite("x kept in its stored type")
struct StoredTypeExamplesTests {
    /// The prepared doubles the in-memory path builds from the same file, examples in rows.
    private func preparedDoubles(_ file: DatasetFile, _ preprocessing: InputPreprocessing) throws -> [Double] {
        var features = try file.readFeatures(divisor: preprocessing.divisor)
        preprocessing.standardize(examplesInRows: &features, featureCount: file.featureCount)
        return features
    }

    @Test("gathered columns are the in-memory path's prepared values, bit for bit", arguments: [false, true])
    func gatheredColumnsEqualPreparedDoubles(standardize: Bool) throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: path, m: 53)
        let file = try DatasetFile(path: path)
        defer { try? file.close() }
        let source = try StoredTypeExamples(file: file, preprocessing: nil, standardize: standardize, blockBytes: 100)
        var expectedPreprocessing = InputPreprocessing(divisor: 255)
        if standardize {
            expectedPreprocessing = .standardizing(
                divisor: 255, examplesInRows: try file.readFeatures(), exampleCount: 53, featureCount: 12)
        }
        // Fitted in blocks of 2 examples (100 bytes), the moments equal the one-block fit.
        #expect(source.preprocessing == expectedPreprocessing)
        let doubles = try preparedDoubles(file, expectedPreprocessing)
        let indices = [52, 0, 17, 3, 44, 9, 30]
        var gathered = [Double](repeating: .nan, count: 12 * indices.count)
        try indices.withUnsafeBufferPointer { indices in
            try gathered.withUnsafeMutableBufferPointer { try source.gatherColumns(indices, into: $0.baseAddress!) }
        }
        for (column, index) in indices.enumerated() {
            for feature in 0..<12 {
                #expect(gathered[feature * indices.count + column].bitPattern == doubles[index * 12 + feature].bitPattern)
            }
        }
        #expect(source.labels == (try file.readLabels()).map(Int64.init))
    }

    @Test("an index out of range is refused")
    func outOfRange() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: path, m: 10)
        let file = try DatasetFile(path: path)
        defer { try? file.close() }
        let source = try StoredTypeExamples(file: file, preprocessing: nil, standardize: false)
        var out = [Double](repeating: 0, count: 12)
        #expect(throws: ConfigurationError.self) {
            try [10].withUnsafeBufferPointer { indices in
                try out.withUnsafeMutableBufferPointer { try source.gatherColumns(indices, into: $0.baseAddress!) }
            }
        }
    }

    @Test("mini-batch training on the stored bytes equals training on the prepared doubles, in float64 and float32",
          arguments: [Precision.float64, .float32])
    func trainingEqualsDoublesPath(precision: Precision) throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: path, m: 101)
        let file = try DatasetFile(path: path)
        defer { try? file.close() }
        var configuration = StreamFixture.configuration(.adam(), epochs: 4, l2: 0.1, keepProb: 0.8)
        configuration.layerSizes = [12, 6, 3, 1]
        configuration.hiddenActivations = [.relu, .relu]
        configuration.precision = precision
        let source = try StoredTypeExamples(file: file, preprocessing: nil, standardize: true)
        let doubles = try preparedDoubles(file, source.preprocessing)
        let data = try LabeledData(
            examplesInRows: try Matrix(rows: 101, columns: 12, elements: doubles), labels: source.labels)
        let fromDoubles = try TrainingSession(configuration: configuration, data: data)
        let fromBytes = try TrainingSession(configuration: configuration, source: source)
        try fromDoubles.run()
        try fromBytes.run()
        #expect(fromBytes.completedEpochs == 4)
        #expect(StreamFixture.bits(fromBytes.state) == StreamFixture.bits(fromDoubles.state))
    }

    @Test("a mini-batch run counts uint8 x at one byte a value, so it stays in memory under a budget doubles exceed")
    func budgetCountsStoredBytes() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: path, m: 101)
        let file = try DatasetFile(path: path)
        #expect(LoadedData.featureBytes(of: file, batchSize: 16) == 101 * 12)
        #expect(LoadedData.featureBytes(of: file, batchSize: 101) == 101 * 12 * 8)  // full batch: doubles
        #expect(LoadedData.featureBytes(of: file, batchSize: nil) == 101 * 12 * 8)  // only predicted
        try file.close()
        // 1,212 bytes as stored, 9,696 as doubles.
        var notes: [String] = []
        let loaded = try LoadedData.read(path: path, x: nil, y: nil, preprocessing: nil, standardize: false,
                                         memory: MemoryPolicy(budget: 2000), batchSize: 16, notes: { notes.append($0) })
        #expect(notes.isEmpty)
        guard case .perBatch(let source) = loaded.examples else {
            Issue.record("x was not kept in its stored type")
            return
        }
        #expect(source is StoredTypeExamples)
        let kept = MemoryEstimate.training(layerSizes: [12, 6, 1], exampleCount: 100_000, batchSize: 64,
                                           optimizer: .adam(), keepProbability: 1, streamed: false, keptInStoredType: true)
        let doubles = MemoryEstimate.training(layerSizes: [12, 6, 1], exampleCount: 100_000, batchSize: 64,
                                              optimizer: .adam(), keepProbability: 1, streamed: false)
        #expect(kept.bytes < doubles.bytes)
    }
}
