import Testing
@testable import LNetTraining

/// Short runs compared with benchmarks/training/numpy_reference.py, covering every
/// optimizer, both decays, L2, dropout, every activation and both output layers.
@Suite struct ReferenceTrainingTests {
    static let runs: [Fixture.Value] = (try? Fixture.list(Fixture.load("reference_training.json"))) ?? []

    static func configuration(_ c: Fixture.Value) throws -> TrainingConfiguration {
        let optimizer: Optimizer
        switch c["optimizer"]?.string {
        case "momentum": optimizer = .momentum()
        case "adam": optimizer = .adam()
        default: optimizer = .gradientDescent
        }
        let rate = c["decay_rate"]?.double ?? 1
        let decay: LearningRateDecay
        switch c["decay"]?.string {
        case "inverse": decay = .inverse(rate: rate)
        case "scheduled": decay = .scheduled(rate: rate, interval: c["decay_interval"]?.int ?? 1000)
        default: decay = .none
        }
        let hidden = try Fixture.list(c["hidden"]).compactMap { $0.string.flatMap(Activation.init(rawValue:)) }
        return TrainingConfiguration(
            layerSizes: try Fixture.ints(c["layers"]), hiddenActivations: hidden,
            output: OutputLayer(rawValue: c["output"]?.string ?? "") ?? .sigmoid,
            initialization: Initialization(rawValue: c["init"]?.string ?? "") ?? .he,
            seed: UInt32(c["init_seed"]?.int ?? 0), optimizer: optimizer,
            learningRate: try Fixture.double(c["learning_rate"]), decay: decay,
            batchSize: c["batch_size"]?.int ?? 64, shuffleSeed: UInt32(c["shuffle_seed"]?.int ?? 10),
            l2: c["l2"]?.double ?? 0, keepProbability: c["keep_prob"]?.double ?? 1,
            epochs: c["epochs"]?.int ?? 1)
    }

    @Test(arguments: 0..<6)
    func matchesNumpyReference(index: Int) throws {
        try #require(Self.runs.count == 6)
        let run = Self.runs[index]
        let config = try #require(run["config"])
        let configuration = try Self.configuration(config)
        let session = try TrainingSession(configuration: configuration, data: try Fixture.moons())
        try session.run()
        let name = config["name"]?.string ?? "?"
        let expectedCosts = try Fixture.doubles(run["costs"])
        #expect(session.costs.count == expectedCosts.count)
        for (cost, expected) in zip(session.costs, expectedCosts) {
            #expect(abs(cost - expected) <= 1e-12 * abs(expected), "\(name): \(cost) vs \(expected)")
        }
        let parameters = session.state.parameters
        let expectedLayers = try Fixture.list(run["parameters"])
        var computed: [[Double]] = []
        for l in 0..<parameters.layerCount { computed += [parameters.weights[l].elements, parameters.biases[l].elements] }
        for (values, expected) in zip(computed, expectedLayers) {
            let reference = try Fixture.doubles(expected)
            let largest = zip(values, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(largest <= 1e-12, "\(name): parameters differ by \(largest)")
        }
    }
}
