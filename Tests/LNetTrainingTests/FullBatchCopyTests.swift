import Testing
@testable import LNetTraining

/// Full-batch training reads the first layer's input from an examples-first copy of
/// X when BLIS computes that product (`TrainingSession.examplesFirstCopyLimit`). Its
/// costs must be the cost of the same parameters computed in the course's layout,
/// and stopping and resuming must not change a bit.
@Suite struct FullBatchCopyTests {
    /// 300 features, 40 examples: `Z1` is 8·40·300 multiply-adds, well above the loop threshold.
    static func wideData() throws -> LabeledData {
        var generator = NumpyRandom(seed: 21)
        let (features, m) = (300, 40)
        let x = try generator.randn(features, m)
        let labels = (0..<m).map { j in Int64((0..<features).reduce(0.0) { $0 + x[$1, j] } > 0 ? 1 : 0) }
        return try LabeledData(features: x, labels: labels)
    }

    static func configuration(_ optimizer: Optimizer) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(
            layerSizes: [300, 8, 3, 1], hiddenActivations: [.relu, .tanh], output: .sigmoid,
            initialization: .he, seed: 2, optimizer: optimizer, learningRate: 0.01, batchSize: 40, epochs: 6)
        configuration.l2 = 0.2
        return configuration
    }

    @Test func theCopyIsUsedAndCostsMatchTheCourseLayout() throws {
        let data = try Self.wideData()
        #expect(8 * 40 * 300 >= BLAS.loopThreshold)
        let session = try TrainingSession(configuration: Self.configuration(.gradientDescent), data: data)
        #expect(session.usesExamplesFirstCopy)
        var miniBatches = Self.configuration(.gradientDescent)
        miniBatches.batchSize = 16
        #expect(try !TrainingSession(configuration: miniBatches, data: data).usesExamplesFirstCopy)
        while !session.isFinished {
            let network = try session.network
            let expected = try network.cost(on: data, l2: 0.2)
            try session.runEpoch()
            let cost = try #require(session.costs.last)
            #expect(abs(cost - expected) <= 1e-12 * abs(expected), "epoch \(session.costs.count - 1): \(cost) vs \(expected)")
        }
    }

    /// No copy below the loop threshold, with mini-batches, or beyond the cap (which
    /// `lnet` lowers to what --memory-budget leaves); the copy changes only last bits.
    @Test func theCopyRespectsItsLimits() throws {
        let data = try Self.wideData()
        let configuration = Self.configuration(.adam())
        let bytes = 300 * 40 * 8
        let capped = try TrainingSession(configuration: configuration, data: data, examplesFirstCopyLimit: bytes - 1)
        #expect(!capped.usesExamplesFirstCopy)
        let exact = try TrainingSession(configuration: configuration, data: data, examplesFirstCopyLimit: bytes)
        #expect(exact.usesExamplesFirstCopy)
        var tiny = configuration
        tiny.layerSizes = [300, 1, 1, 1]
        let small = try LabeledData(features: try Matrix(rows: 300, columns: 4, elements: Array(data.features.elements.prefix(1200))),
                                    labels: [0, 1, 0, 1])
        #expect(300 * 4 * 1 < BLAS.loopThreshold)
        #expect(try !TrainingSession(configuration: tiny, data: small).usesExamplesFirstCopy)
        // float32 reads the course's layout, which its sgemm runs faster on.
        var float32 = configuration
        float32.precision = .float32
        #expect(try !TrainingSession(configuration: float32, data: data).usesExamplesFirstCopy)

        try capped.run()
        try exact.run()
        for (without, with) in zip(capped.costs, exact.costs) {
            #expect(abs(without - with) <= 1e-12 * abs(without))
        }
    }

    @Test(arguments: [Optimizer.gradientDescent, .momentum(), .adam()])
    func resumingEveryEpochIsBitIdentical(optimizer: Optimizer) throws {
        let data = try Self.wideData()
        let configuration = Self.configuration(optimizer)
        let straight = try TrainingSession(configuration: configuration, data: data)
        try straight.run()
        var session = try TrainingSession(configuration: configuration, data: data)
        while !session.isFinished {
            try session.runEpoch()
            session = try TrainingSession(configuration: configuration, data: data, resumingFrom: session.state)
        }
        #expect(session.state == straight.state)
        #expect(session.costs.map(\.bitPattern) == straight.costs.map(\.bitPattern))
    }
}
