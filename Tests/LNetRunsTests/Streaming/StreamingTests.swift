import Foundation
@testable import LNetRuns
@testable import LNetStorage
import LNetTestSupport
@testable import LNetTraining
import Testing

/// Small datasets on disk for the streaming tests: uint8 images (4×3 pixels,
/// divided by 255) and float64 features, binary or three classes, chunked
/// along rows as a large file would be.
enum StreamFixture {
    static func scratch(_ name: String = #function) throws -> URL { try Repository.scratchFolder("stream-\(name.prefix(while: { $0.isLetter }))") }

    enum Kind: String, CaseIterable, CustomStringConvertible {
        case uint8, float64
        var description: String { rawValue }
    }

    /// `m` examples; labels depend on the features so training has something to learn.
    static func write(_ kind: Kind, to path: String, m: Int, classes: Int = 2, seed: UInt32 = 5) throws {
        var generator = NumpyRandom(seed: seed)
        let file = try HDF5File.create(at: path, mode: .truncate)
        do {
            let root = try file.root
            var labels = [Int64]()
            switch kind {
            case .uint8:
                let pixels = (0..<(m * 12)).map { _ in UInt8(min(255, Int(generator.nextDouble() * 256))) }
                for example in 0..<m {
                    let sum = pixels[(example * 12)..<(example * 12 + 12)].reduce(0) { $0 + Int($1) }
                    labels.append(Int64(sum % classes))
                }
                try root.createDataset("x", shape: [m, 4, 3], data: pixels, options: DatasetOptions(chunkShape: [7, 4, 3]))
            case .float64:
                let values = (0..<(m * 5)).map { _ in generator.nextDouble() * 6 - 2 }
                for example in 0..<m {
                    let score = values[example * 5] + 0.5 * values[example * 5 + 1]
                    labels.append(Int64(max(0, min(classes - 1, Int((score + 2) / 6 * Double(classes))))))
                }
                try root.createDataset("x", shape: [m, 5], data: values, options: DatasetOptions(chunkShape: [16, 5]))
            }
            try root.createDataset("y", shape: [m], data: labels)
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
    }

    static func configuration(_ optimizer: Optimizer, batchSize: Int = 16, epochs: Int = 3, l2: Double = 0,
                              keepProb: Double = 1) -> TrainingConfiguration {
        TrainingConfiguration(layerSizes: [], hiddenActivations: [], initialization: .he, seed: 3, optimizer: optimizer,
                              learningRate: 0.01, batchSize: batchSize, shuffleSeed: 10, l2: l2,
                              keepProbability: keepProb, epochs: epochs)
    }

    static func bits(_ state: TrainingState) -> [[UInt64]] {
        let parameters = state.parameters
        var all = (parameters.weights + parameters.biases).map { $0.elements.map(\.bitPattern) }
        for moments in [state.optimizer.velocity, state.optimizer.squares].compactMap({ $0 }) {
            all += (moments.weights + moments.biases).map { $0.elements.map(\.bitPattern) }
        }
        all.append(state.costs.map(\.bitPattern))
        all.append([UInt64(state.optimizer.adamStep), state.partialCostSum.bitPattern])
        return all
    }
}

@Suite("Streaming datasets larger than memory")
struct StreamingTests {
    struct Case: CustomStringConvertible, Sendable {
        let optimizer: Optimizer
        let kind: StreamFixture.Kind
        let standardize: Bool
        let l2: Double
        let keepProb: Double
        let classes: Int
        var description: String { "\(optimizer) \(kind) std=\(standardize) l2=\(l2) keep=\(keepProb) C=\(classes)" }
    }

    static let cases: [Case] = [
        Case(optimizer: .gradientDescent, kind: .uint8, standardize: false, l2: 0, keepProb: 1, classes: 2),
        Case(optimizer: .momentum(beta: 0.9), kind: .float64, standardize: true, l2: 0, keepProb: 1, classes: 2),
        Case(optimizer: .adam(), kind: .uint8, standardize: true, l2: 0.3, keepProb: 0.8, classes: 2),
        Case(optimizer: .adam(), kind: .float64, standardize: false, l2: 0, keepProb: 0.7, classes: 3),
        Case(optimizer: .gradientDescent, kind: .float64, standardize: true, l2: 0.5, keepProb: 1, classes: 3),
        Case(optimizer: .momentum(beta: 0.8), kind: .uint8, standardize: true, l2: 0, keepProb: 0.9, classes: 3),
    ]

    private func settings(_ c: Case, data: String, memory: MemoryPolicy, checkpoint: String? = nil, epochs: Int = 3)
        -> TrainSettings
    {
        var settings = TrainSettings(
            dataPath: data, layers: c.classes == 2 ? [6, 3, 1] : [6, 3, 3], configuration: StreamFixture.configuration(
                c.optimizer, epochs: epochs, l2: c.l2, keepProb: c.keepProb),
            standardize: c.standardize, checkpoint: checkpoint.map { CheckpointSettings(path: $0, everyEpochs: 1000) })
        settings.memory = memory
        return settings
    }

    @Test("a streamed run equals the in-memory run bit for bit", arguments: cases)
    func streamedEqualsInMemory(_ c: Case) throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(c.kind, to: data, m: 101, classes: c.classes)
        let memory = try TrainingRun.start(settings(c, data: data, memory: .inMemory))
        let memoryOutcome = try memory.run()
        var notes: [String] = []
        let streamed = try TrainingRun.start(settings(c, data: data, memory: MemoryPolicy(alwaysStream: true)),
                                             notes: { notes.append($0) })
        let streamedOutcome = try streamed.run()
        #expect(notes.isEmpty)
        #expect(StreamFixture.bits(streamed.state) == StreamFixture.bits(memory.state))
        #expect(streamed.record == memory.record)
        #expect(streamedOutcome.trainAccuracy == memoryOutcome.trainAccuracy)
        #expect(streamedOutcome.lastCost?.bitPattern == memoryOutcome.lastCost?.bitPattern)
    }

    @Test("stopped mid-epoch and resumed from its checkpoint while streaming, a run equals an uninterrupted in-memory one")
    func midEpochResume() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: data, m: 90)
        let c = Case(optimizer: .adam(), kind: .uint8, standardize: true, l2: 0.2, keepProb: 0.8, classes: 2)
        let straight = try TrainingRun.start(settings(c, data: data, memory: .inMemory, epochs: 4))
        try straight.run()

        let checkpoint = folder.appendingPathComponent("c.h5").path
        let first = try TrainingRun.start(
            settings(c, data: data, memory: MemoryPolicy(alwaysStream: true), checkpoint: checkpoint, epochs: 4))
        var updates = 0
        // 90 examples in batches of 16: 6 per epoch; stop inside epoch 1.
        let stopped = try first.run(stopRequested: { updates += 1; return updates == 9 })
        #expect(!stopped.completed)
        #expect(first.state.nextMiniBatch == 3)
        var resume = ResumeSettings(checkpointPath: checkpoint)
        resume.memory = MemoryPolicy(alwaysStream: true)
        let resumed = try TrainingRun.resume(resume)
        #expect(resumed.state.nextMiniBatch == 3)
        let outcome = try resumed.run()
        #expect(outcome.completed)
        #expect(StreamFixture.bits(resumed.state) == StreamFixture.bits(straight.state))
    }

    @Test("x over the memory budget is streamed without --stream, and the run says so")
    func budgetChoosesStreaming() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.float64, to: data, m: 80)
        let c = Case(optimizer: .adam(), kind: .float64, standardize: true, l2: 0, keepProb: 1, classes: 2)
        // x is 80·5·8 = 3200 bytes.
        var notes: [String] = []
        let over = try TrainingRun.start(settings(c, data: data, memory: MemoryPolicy(budget: 3199)), notes: { notes.append($0) })
        #expect(notes.count == 1)
        #expect(notes.first?.contains("streaming") == true)
        try over.run()
        notes = []
        let within = try TrainingRun.start(settings(c, data: data, memory: MemoryPolicy(budget: 3200)), notes: { notes.append($0) })
        #expect(notes.isEmpty)
        try within.run()
        #expect(StreamFixture.bits(over.state) == StreamFixture.bits(within.state))
    }

    @Test("full-batch training loads x when it fits and is refused when it does not")
    func fullBatch() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.float64, to: data, m: 40)
        let c = Case(optimizer: .gradientDescent, kind: .float64, standardize: false, l2: 0, keepProb: 1, classes: 2)
        var full = settings(c, data: data, memory: MemoryPolicy(alwaysStream: true))
        full.configuration.batchSize = 40
        var notes: [String] = []
        let loaded = try TrainingRun.start(full, notes: { notes.append($0) })
        #expect(notes.first?.contains("full-batch") == true)
        try loaded.run()
        full.memory = MemoryPolicy(alwaysStream: false, budget: 100)
        #expect(throws: RunError.self) { try TrainingRun.start(full) }
        let session = try TrainingSession(
            configuration: {
                var configuration = StreamFixture.configuration(.gradientDescent, batchSize: 40)
                configuration.layerSizes = [5, 3, 1]
                configuration.hiddenActivations = [.relu]
                return configuration
            }(),
            data: try LabeledData(features: Matrix(rows: 5, columns: 40, repeating: 1), labels: Array(repeating: 0, count: 40)))
        #expect(session.exampleSource == nil)
    }

    @Test("a streamed mini-batch holds the in-memory gather's columns, in permutation order")
    func gatherMatchesMemory() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.uint8, to: data, m: 50)
        let source = try StreamedExamples.open(path: data, x: nil, y: nil, preprocessing: nil, standardize: true, blockBytes: 96 * 3)
        let loaded = try LoadedData.read(path: data, x: nil, y: nil, preprocessing: nil, standardize: true)
        guard case .memory(let memory) = loaded.examples else {
            Issue.record("expected the data in memory")
            return
        }
        #expect(source.preprocessing == loaded.preprocessing)
        let order = [7, 8, 9, 3, 49, 0, 10, 22, 21, 20]
        var batch = [Double](repeating: .nan, count: 12 * order.count)
        try order.withUnsafeBufferPointer { order in
            try batch.withUnsafeMutableBufferPointer { try source.gatherColumns(order, into: #require($0.baseAddress)) }
        }
        for (j, example) in order.enumerated() {
            for feature in 0..<12 {
                #expect(batch[feature * order.count + j].bitPattern == memory.features[feature, example].bitPattern)
            }
        }
        var bad = [Double](repeating: 0, count: 24)
        try [3, 3].withUnsafeBufferPointer { order in
            try bad.withUnsafeMutableBufferPointer { buffer in
                let base = try #require(buffer.baseAddress)
                #expect(throws: ConfigurationError.self) { try source.gatherColumns(order, into: base) }
            }
        }
    }

    @Test("non-finite features are refused by the streamed pass, naming the example")
    func nonFiniteRefused() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        var values = (0..<60).map { Double($0) }
        values[37] = .nan
        try DatasetWriter.write(to: data, x: values, exampleShape: [3], y: Array(repeating: 1, count: 20))
        #expect {
            try StreamedExamples.open(path: data, x: nil, y: nil, preprocessing: nil, standardize: false, blockBytes: 48)
        } throws: { error in
            (error as? RunError)?.problem.contains("at example 12, feature 1") == true
        }
    }

    @Test("standardisation moments summed block by block equal the one-block sums")
    func momentsBlockwise() {
        var generator = NumpyRandom(seed: 9)
        let m = 37, n = 4
        let x = (0..<(m * n)).map { _ in generator.nextDouble() * 1e3 - 1 / 3 }
        let whole = InputPreprocessing.standardizing(divisor: 1, examplesInRows: x, exampleCount: m, featureCount: n)
        var moments = StandardizationMoments(featureCount: n)
        let cuts = [0, 5, 6, 20, 37]
        x.withUnsafeBufferPointer { x in
            for (a, b) in zip(cuts, cuts.dropFirst()) {
                moments.addToMeans(examplesInRows: UnsafeBufferPointer(rebasing: x[(a * n)..<(b * n)]), exampleCount: b - a)
            }
            moments.finishMeans()
            for (a, b) in zip(cuts, cuts.dropFirst()) {
                moments.addToVariances(examplesInRows: UnsafeBufferPointer(rebasing: x[(a * n)..<(b * n)]), exampleCount: b - a)
            }
        }
        let blocks = moments.preprocessing(divisor: 1)
        #expect(blocks.mean?.map(\.bitPattern) == whole.mean?.map(\.bitPattern))
        #expect(blocks.standardDeviation?.map(\.bitPattern) == whole.standardDeviation?.map(\.bitPattern))
    }

    static let sizes: [(String, Int)] = [
        ("512M", 512 << 20), ("4G", 4 << 30), ("4g", 4 << 30), ("1.5G", 3 << 29), ("256MiB", 256 << 20),
        ("100", 100), ("64KB", 64 << 10), ("2T", 2 << 40), (" 8M ", 8 << 20),
    ]

    @Test("memory budgets parse as bytes with binary suffixes", arguments: sizes)
    func parse(_ size: (String, Int)) {
        #expect(MemoryPolicy.parse(size.0) == size.1)
    }

    @Test("bad memory budgets are refused", arguments: ["", "0", "-5M", "M", "abc", "1e3", "5X", "1..2G", "nanG", "99999999999T"])
    func parseRefuses(_ text: String) {
        #expect(MemoryPolicy.parse(text) == nil)
    }

    @Test("the default budget is half the physical memory")
    func defaultBudget() {
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        #expect(MemoryPolicy.defaultBudget == physical / 2)
        #expect(MemoryPolicy().budget == physical / 2)
        #expect(MemoryPolicy.format(bytes: 256 << 20) == "256 MiB")
        #expect(MemoryPolicy.format(bytes: 3 << 29) == "1.5 GiB")
    }

    /// Every layout readRows(runs:) reads differently (one union read, or run by run) gives
    /// the rows a plain range read gives: contiguous, chunked, compressed chunks the cache
    /// holds, and compressed chunks larger than the cache (read as one union).
    @Test("readRows(runs:) gives the same rows for every layout", arguments: [
        ("contiguous", DatasetOptions()),
        ("chunked", DatasetOptions(chunkShape: [64, 5])),
        ("deflate, small chunks", DatasetOptions(chunkShape: [64, 5], deflateLevel: 4, shuffle: true)),
        ("deflate, chunks beyond the cache", DatasetOptions(chunkShape: [30_000, 5], deflateLevel: 1)),
        ("deflate, chunks splitting the row", DatasetOptions(chunkShape: [64, 2], deflateLevel: 1)),
    ])
    func rowRunsInEveryLayout(_ layout: (name: String, options: DatasetOptions)) throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("d.h5").path
        let m = 30_000
        var generator = NumpyRandom(seed: 8)
        let values = generator.standardNormal(count: m * 5)
        let created = try HDF5File.create(at: path)
        try created.root.createDataset("x", shape: [m, 5], data: values, options: layout.options)
        try created.close()
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let x = try file.dataset(at: "x")
        var order = generator.permutation(m)
        order = Array(order.prefix(700)).sorted()
        var runs: [Range<Int>] = []
        for index in order {
            if let last = runs.last, last.upperBound == index { runs[runs.count - 1] = last.lowerBound..<(index + 1) } else { runs.append(index..<(index + 1)) }
        }
        var buffer = [Double](repeating: .nan, count: 700 * 5)
        try buffer.withUnsafeMutableBufferPointer { try x.readRows(runs: runs, into: $0) }
        let expected = order.flatMap { Array(values[($0 * 5)..<($0 * 5 + 5)]) }
        #expect(buffer.map(\.bitPattern) == expected.map(\.bitPattern), "\(layout.name)")
    }

    /// Compressed chunks are read run by run only when the band of chunks a row crosses
    /// fits the chunk cache: a run inflates the whole band (a union read, each chunk once).
    @Test("readRows(runs:) reads compressed chunks run by run only when a row's band fits the cache")
    func runByRunChoice() {
        // Unfiltered: always run by run, whatever the chunks.
        #expect(HDF5Dataset.readsRunByRun(shape: [20_000, 800], chunk: [1000, 80], elementSize: 8, filtered: false))
        // Chunks of 640 KB each, but ten across a row: a 6.4 MB band.
        #expect(!HDF5Dataset.readsRunByRun(shape: [20_000, 800], chunk: [1000, 80], elementSize: 8, filtered: true))
        // 100 rows of the whole width: one 640 KB chunk per band.
        #expect(HDF5Dataset.readsRunByRun(shape: [20_000, 800], chunk: [100, 800], elementSize: 8, filtered: true))
        // Rank 4 (images): 64 × 64 × 3 bytes per row, chunks of 16 rows = 196 KB.
        #expect(HDF5Dataset.readsRunByRun(shape: [209, 64, 64, 3], chunk: [16, 64, 64, 3], elementSize: 1, filtered: true))
        // A partial last chunk across counts whole: 3 chunks of 400 columns for 1001 columns.
        #expect(!HDF5Dataset.readsRunByRun(shape: [10, 1001], chunk: [128, 400], elementSize: 8, filtered: true))
        #expect(HDF5Dataset.readsRunByRun(shape: [10, 1001], chunk: [100, 400], elementSize: 8, filtered: true))
    }

    @Test("readRows(runs:) reads the union of runs in ascending order and refuses overlapping runs")
    func rowRuns() throws {
        let folder = try StreamFixture.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        try StreamFixture.write(.float64, to: data, m: 40)
        let file = try HDF5File.open(at: data)
        defer { try? file.close() }
        let x = try file.dataset(at: "x")
        let runs = [2..<5, 9..<10, 31..<40]
        var buffer = [Double](repeating: 0, count: 13 * 5)
        try buffer.withUnsafeMutableBufferPointer { try x.readRows(runs: runs, into: $0) }
        let expected = try runs.flatMap { try x.readRows($0, as: Double.self) }
        #expect(buffer.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(throws: HDF5Error.self) {
            try buffer.withUnsafeMutableBufferPointer { try x.readRows(runs: [3..<6, 5..<7], into: $0) }
        }
        #expect(throws: HDF5Error.self) {
            try buffer.withUnsafeMutableBufferPointer { try x.readRows(runs: [38..<41], into: $0) }
        }
    }
}
