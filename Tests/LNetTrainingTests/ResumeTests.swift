import Foundation
import Testing
@testable import LNetTraining

/// Stopping anywhere and resuming from the saved `TrainingState` must give bit-identical
/// parameters, optimizer state and costs to an uninterrupted run.
@Suite struct ResumeTests {
    static let configurations: [(String, TrainingConfiguration)] = {
        var gd = moonsConfiguration(.gradientDescent, epochs: 5)
        gd.learningRate = 0.05
        gd.l2 = 0.3
        var momentum = moonsConfiguration(.momentum(beta: 0.8), epochs: 5)
        momentum.learningRate = 0.02
        momentum.decay = .inverse(rate: 0.7)
        momentum.keepProbability = 0.75
        momentum.batchSize = 70
        var adam = moonsConfiguration(.adam(), epochs: 5)
        adam.learningRate = 0.01
        adam.decay = .scheduled(rate: 1, interval: 2)
        adam.keepProbability = 0.8
        adam.l2 = 0.1
        adam.hiddenActivations = [.tanh, .leakyRelu]
        var fullBatchDropout = moonsConfiguration(.adam(), epochs: 5)
        fullBatchDropout.batchSize = 1000
        fullBatchDropout.keepProbability = 0.6
        var softmax = moonsConfiguration(.momentum(), epochs: 5)
        softmax.layerSizes = [2, 4, 3, 2]
        softmax.output = .softmax
        softmax.hiddenActivations = [.sigmoid, .linear]
        softmax.batchSize = 32
        softmax.learningRate = 0.1
        return [("gd+L2", gd), ("momentum+decay+dropout", momentum), ("adam+schedule+dropout+L2", adam),
                ("full-batch adam+dropout", fullBatchDropout), ("softmax momentum", softmax)]
    }()

    /// Trains straight through, and again stopping after every `stride` updates,
    /// rebuilding the session from `state` each time (through a copy of each value).
    @Test(arguments: 0..<5, [1, 3, 5])
    func resumingIsBitIdentical(index: Int, stride: Int) throws {
        let (name, configuration) = Self.configurations[index]
        let data = try Fixture.moons()
        let straight = try TrainingSession(configuration: configuration, data: data)
        try straight.run()

        var session = try TrainingSession(configuration: configuration, data: data)
        var updates = 0
        var sawMidEpoch = false
        var sawBoundary = false
        while !session.isFinished {
            try session.run(shouldStop: {
                updates += 1
                return updates % stride == 0
            })
            let saved = session.state
            sawMidEpoch = sawMidEpoch || !saved.isAtEpochBoundary
            sawBoundary = sawBoundary || (saved.isAtEpochBoundary && saved.completedEpochs > 0)
            session = try TrainingSession(configuration: configuration, data: data, resumingFrom: saved)
        }
        #expect(session.state == straight.state, "\(name), stopping every \(stride) updates")
        #expect(session.costs.map(\.bitPattern) == straight.costs.map(\.bitPattern))
        #expect(sawBoundary)
        if session.schedule.batchesPerEpoch > 1 && stride != session.schedule.batchesPerEpoch { #expect(sawMidEpoch) }
    }

    /// A state that went through JSON (as a checkpoint would store it) resumes identically.
    @Test func stateSurvivesEncoding() throws {
        let (_, configuration) = Self.configurations[2]
        let data = try Fixture.moons()
        let straight = try TrainingSession(configuration: configuration, data: data)
        try straight.run()
        let first = try TrainingSession(configuration: configuration, data: data)
        for _ in 0..<7 { try first.step() }
        let encoded = try JSONEncoder().encode(first.state)
        let decoded = try JSONDecoder().decode(TrainingState.self, from: encoded)
        #expect(decoded == first.state)
        let resumed = try TrainingSession(configuration: configuration, data: data, resumingFrom: decoded)
        try resumed.run()
        #expect(resumed.state == straight.state)
    }

    @Test func rejectsMalformedEncodedValues() throws {
        let badMatrix = #"{"rows": 2, "columns": 2, "elements": [1, 2, 3]}"#
        #expect(throws: MatrixError.self) { try JSONDecoder().decode(Matrix.self, from: Data(badMatrix.utf8)) }
        let badGenerator = #"{"key": [1, 2], "position": 0, "hasGauss": false, "gauss": 0}"#
        #expect(throws: NumpyRandomError.self) { try JSONDecoder().decode(NumpyRandom.State.self, from: Data(badGenerator.utf8)) }
        let configuration = moonsConfiguration(.adam(), epochs: 2)
        var state = try TrainingState(initialFor: configuration)
        state.generator.key.removeLast()
        #expect(throws: TrainingError.self) {
            try TrainingSession(configuration: configuration, data: try Fixture.moons(), resumingFrom: state)
        }
    }

    @Test func rejectsAStateThatDoesNotFit() throws {
        let data = try Fixture.moons()
        let configuration = moonsConfiguration(.adam(), epochs: 2)
        var state = try TrainingState(initialFor: configuration)
        state.nextMiniBatch = 99
        #expect(throws: TrainingError.self) { try TrainingSession(configuration: configuration, data: data, resumingFrom: state) }
        state = try TrainingState(initialFor: moonsConfiguration(.gradientDescent, epochs: 2))
        #expect(throws: TrainingError.self) { try TrainingSession(configuration: configuration, data: data, resumingFrom: state) }
        state = try TrainingState(initialFor: configuration)
        state.costs = [1]
        #expect(throws: TrainingError.self) { try TrainingSession(configuration: configuration, data: data, resumingFrom: state) }
    }

    @Test func divergingTrainingStopsWithTheEpoch() throws {
        var configuration = moonsConfiguration(.gradientDescent, epochs: 50)
        configuration.layerSizes = [2, 5, 2, 3]
        configuration.output = .softmax
        configuration.hiddenActivations = [.linear, .linear]
        configuration.learningRate = 1e12
        let session = try TrainingSession(configuration: configuration, data: try Fixture.moons())
        do {
            try session.run()
            Issue.record("expected the cost to become non-finite")
        } catch let TrainingError.nonFiniteCost(epoch, _, _) {
            #expect(epoch == session.completedEpochs)
            #expect(String(describing: TrainingError.nonFiniteCost(epoch: epoch, miniBatch: 0, cost: .nan)).contains("epoch \(epoch)"))
        }
    }

    @Test func epochHookSeesEveryEpoch() throws {
        let session = try TrainingSession(configuration: moonsConfiguration(.adam(), epochs: 4), data: try Fixture.moons())
        var seen: [Int] = []
        let finished = try session.run(afterEpoch: { seen.append($0.epoch) })
        #expect(finished)
        #expect(seen == [0, 1, 2, 3])
        #expect(try session.step() == .finished)
    }
}
