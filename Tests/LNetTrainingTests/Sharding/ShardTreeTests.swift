import Testing
@testable import LNetTraining

/// `--grad-shards K`: the serial sum over K shards must be the sum recursive doubling leaves on every
/// one of K ranks, and a sharded run must be the plain run up to the order of its additions.
@Suite struct ShardTreeTests {
    /// Runs recursive doubling as K ranks would, each with its own vector and messages between them,
    /// step by step from ``RecursiveDoubling``'s schedule: what every rank ends with.
    static func exchange(_ vectors: [[Double]]) -> [[Double]] {
        let plan = RecursiveDoubling(rankCount: vectors.count)
        var held = vectors
        func added(_ lower: [Double], _ upper: [Double]) -> [Double] { zip(lower, upper).map { $0 + $1 } }
        for rank in 0..<(2 * plan.extra) where rank % 2 == 1 { held[rank] = added(held[rank - 1], held[rank]) }
        var distance = 1
        while distance < plan.powerOfTwo {
            let before = held
            for virtual in 0..<plan.powerOfTwo {
                let partner = virtual ^ distance
                let (mine, theirs) = (before[plan.rank(ofVirtual: virtual)], before[plan.rank(ofVirtual: partner)])
                held[plan.rank(ofVirtual: virtual)] = virtual < partner ? added(mine, theirs) : added(theirs, mine)
            }
            distance *= 2
        }
        for rank in 0..<(2 * plan.extra) where rank % 2 == 0 { held[rank] = held[rank + 1] }
        return held
    }

    @Test(arguments: 1...9) func theSerialSumIsWhatEveryRankHolds(shards: Int) throws {
        var generator = NumpyRandom(seed: UInt32(shards))
        // Values of very different sizes, so that a different order of additions changes the bits.
        let vectors = (0..<shards).map { _ in (0..<33).map { _ in generator.nextDouble() * Double(1 << 30) - 1e9 + generator.nextDouble() } }
        var flat = vectors.flatMap { $0 }
        var serial = [Double](repeating: 0, count: 33)
        flat.withUnsafeMutableBufferPointer { buffer in
            serial.withUnsafeMutableBufferPointer { result in
                ShardTree.sum(buffer.baseAddress!, stride: 33, count: 33, shards: shards, into: result.baseAddress!)
            }
        }
        for (rank, held) in Self.exchange(vectors).enumerated() {
            #expect(held.map(\.bitPattern) == serial.map(\.bitPattern), "rank \(rank) of \(shards)")
        }
    }

    @Test func shardsCutTheBatchIntoContiguousPieces() {
        for batch in [1, 2, 7, 64, 100] {
            for shards in 1...9 {
                let pieces = (0..<shards).map { ShardTree.columns(ofShard: $0, of: shards, batchColumns: batch) }
                #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == batch)
                #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(pieces.allSatisfy { $0.count <= ShardTree.largestShard(of: shards, batchColumns: batch) })
            }
        }
    }

    static func configuration(batchSize: Int = 64, epochs: Int = 3) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(
            layerSizes: [2, 9, 5, 1], hiddenActivations: [.relu, .tanh], output: .sigmoid, initialization: .he, seed: 4,
            optimizer: .adam(), learningRate: 0.01, batchSize: batchSize, epochs: epochs)
        configuration.l2 = 0.05
        configuration.keepProbability = 0.8
        return configuration
    }

    static func moons() throws -> LabeledData {
        let (x, y) = try MoonsDataset.make(samples: 300, noise: 0.2, seed: 3)
        return try LabeledData(examplesInRows: x, labels: y)
    }

    /// The same numbers up to rounding, and the same dropout masks: the generator ends where the plain run's does.
    @Test(arguments: [2, 3, 4]) func aShardedRunIsThePlainRunUpToSummationOrder(shards: Int) throws {
        let data = try Self.moons()
        let plain = try TrainingSession(configuration: Self.configuration(), data: data)
        let sharded = try TrainingSession(configuration: Self.configuration(), data: data,
                                          sharding: GradientSharding(shardCount: shards))
        try plain.run()
        try sharded.run()
        #expect(sharded.state.generator == plain.state.generator)
        for (a, b) in zip(plain.costs, sharded.costs) { #expect(abs(a - b) <= 1e-9 * abs(a), "\(a) vs \(b)") }
        let (p, q) = (plain.state.parameters, sharded.state.parameters)
        for (a, b) in zip(p.weights + p.biases, q.weights + q.biases) {
            for (x, y) in zip(a.elements, b.elements) { #expect(abs(x - y) <= 1e-7 * max(1, abs(x)), "\(x) vs \(y)") }
        }
    }

    /// A batch smaller than K leaves shards empty; they add nothing.
    @Test func shardsBeyondTheBatchAreEmpty() throws {
        let data = try Self.moons()
        let configuration = Self.configuration(batchSize: 2, epochs: 1)
        let plain = try TrainingSession(configuration: configuration, data: data)
        let sharded = try TrainingSession(configuration: configuration, data: data, sharding: GradientSharding(shardCount: 5))
        try plain.run()
        try sharded.run()
        let (a, b) = (try #require(plain.costs.last), try #require(sharded.costs.last))
        #expect(abs(a - b) <= 1e-9 * abs(a))
    }

    /// Stopped part-way and rebuilt from its state with the same K, a sharded run gives the same bits.
    @Test func aShardedRunResumesBitForBit() throws {
        let data = try Self.moons()
        let sharding = GradientSharding(shardCount: 3)
        let straight = try TrainingSession(configuration: Self.configuration(), data: data, sharding: sharding)
        try straight.run()
        let first = try TrainingSession(configuration: Self.configuration(), data: data, sharding: sharding)
        for _ in 0..<7 { try first.step() }
        let second = try TrainingSession(configuration: Self.configuration(), data: data, resumingFrom: first.state,
                                         sharding: sharding)
        try second.run()
        #expect(second.state == straight.state)
    }

    /// The sharded step is float64 only: a float32 run with K > 1 is refused, and K = 1 still trains.
    @Test func float32RefusesGradientShards() throws {
        var configuration = Self.configuration()
        configuration.precision = .float32
        let data = try Self.moons()
        #expect(throws: ConfigurationError.self) {
            try TrainingSession(configuration: configuration, data: data, sharding: GradientSharding(shardCount: 2))
        }
        let plain = try TrainingSession(configuration: configuration, data: data, sharding: GradientSharding(shardCount: 1))
        try plain.runEpoch()
        #expect(plain.state.completedEpochs == 1)
    }

    @Test func ranksMustMatchTheShards() throws {
        final class TwoRanks: GradientReducer {
            var rank: Int { 0 }
            var rankCount: Int { 2 }
            func sumAcrossRanks(_ values: UnsafeMutablePointer<Double>, count: Int) throws {}
            func broadcastFromRoot(_ values: UnsafeMutablePointer<Double>, count: Int) throws {}
            func anyRank(_ flag: Bool) throws -> Bool { flag }
        }
        let sharding = GradientSharding(shardCount: 3, reducer: TwoRanks())
        #expect(throws: ConfigurationError.self) {
            try TrainingSession(configuration: Self.configuration(), data: try Self.moons(), sharding: sharding)
        }
        #expect(throws: ConfigurationError.self) {
            try TrainingSession(configuration: Self.configuration(), data: try Self.moons(),
                                sharding: GradientSharding(shardCount: GradientSharding.maximumShards + 1))
        }
    }
}
