import Testing
@testable import LNetTraining

@Suite struct ValidationTests {
    func expectRejected(_ change: (inout TrainingConfiguration) -> Void, _ fragment: String) {
        var configuration = moonsConfiguration(.adam(), epochs: 1)
        change(&configuration)
        do {
            try configuration.validate()
            Issue.record("expected a ConfigurationError containing '\(fragment)'")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(fragment), "\(error.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectsBadConfigurations() {
        expectRejected({ $0.layerSizes = [2] }, "at least one layer")
        expectRejected({ $0.layerSizes = [2, 0, 2, 1] }, "positive")
        expectRejected({ $0.hiddenActivations = [.relu] }, "activations")
        expectRejected({ $0.layerSizes = [2, 5, 2, 2] }, "sigmoid output layer has 1 unit")
        expectRejected({ $0.output = .softmax }, "at least 2 units")
        expectRejected({ $0.keepProbability = 0 }, "keep_prob")
        expectRejected({ $0.keepProbability = 1.5 }, "keep_prob")
        expectRejected({ $0.learningRate = .nan }, "learning rate")
        expectRejected({ $0.batchSize = 0 }, "batch size")
        expectRejected({ $0.l2 = -1 }, "L2")
        expectRejected({ $0.optimizer = .adam(beta1: 1) }, "β1")
        expectRejected({ $0.decay = .scheduled(rate: 1, interval: 0) }, "interval")
        expectRejected({ $0.shuffleSeed = .max }, "seed")
    }

    @Test func settingProblemsNameTheSettingAndTheValueInOrder() {
        #expect(moonsConfiguration(.adam(), epochs: 1).settingProblems().isEmpty)
        var configuration = moonsConfiguration(.adam(beta1: 1, beta2: 0.999, epsilon: 0), epochs: 1)
        configuration.learningRate = -0.1
        configuration.keepProbability = 1.5
        configuration.decay = .scheduled(rate: -1, interval: 0)
        #expect(configuration.settingProblems() == [
            .learningRate(-0.1), .keepProbability(1.5), .adamBeta1(1), .adamEpsilon(0), .decayRate(-1), .decayInterval(0),
        ])
        configuration = moonsConfiguration(.momentum(beta: -0.5), epochs: Int(UInt32.max))
        configuration.batchSize = 0
        configuration.l2 = .infinity
        #expect(configuration.settingProblems() == [
            .batchSize(0), .epochsPastLastShuffleSeed(epochs: Int(UInt32.max), shuffleSeed: 10), .l2(.infinity), .momentumBeta(-0.5),
        ])
        // validate() throws the first, in the library's words.
        #expect(throws: ConfigurationError(.batchSize(0))) { try configuration.validate() }
    }

    @Test func rejectsDataThatDoesNotFit() throws {
        #expect(throws: ConfigurationError.self) {
            try LabeledData(features: Matrix(rows: 2, columns: 2, elements: [1, .nan, 3, 4]), labels: [0, 1])
        }
        #expect(throws: ConfigurationError.self) { try LabeledData(features: Matrix(rows: 2, columns: 2), labels: [0]) }
        let data = try LabeledData(features: Matrix(rows: 2, columns: 3), labels: [0, 1, 2])
        #expect(throws: ConfigurationError.self) {
            try TrainingSession(configuration: moonsConfiguration(.adam(), epochs: 1), data: data)
        }
        let wide = try LabeledData(features: Matrix(rows: 3, columns: 2), labels: [0, 1])
        #expect(throws: ConfigurationError.self) {
            try TrainingSession(configuration: moonsConfiguration(.adam(), epochs: 1), data: wide)
        }
    }

    @Test func decaySchedules() {
        #expect(LearningRateDecay.inverse(rate: 1).learningRate(initial: 0.1, afterEpoch: 0) == 0.1)
        #expect(LearningRateDecay.inverse(rate: 1).learningRate(initial: 0.1, afterEpoch: 1) == 0.05)
        #expect(LearningRateDecay.scheduled(rate: 1, interval: 1000).learningRate(initial: 0.1, afterEpoch: 999) == 0.1)
        #expect(LearningRateDecay.scheduled(rate: 1, interval: 1000).learningRate(initial: 0.1, afterEpoch: 1000) == 0.05)
    }

    @Test func miniBatchesAreCutAsTheCourseDoes() throws {
        let schedule = try MiniBatchSchedule(exampleCount: 300, batchSize: 64, shuffleSeed: 10)
        #expect(schedule.batchesPerEpoch == 5)
        #expect(schedule.range(ofBatch: 4) == 256..<300)
        #expect(schedule.seed(forEpoch: 0) == 11)
        let full = try MiniBatchSchedule(exampleCount: 300, batchSize: 500, shuffleSeed: 10)
        #expect(!full.shuffles && full.batchesPerEpoch == 1)
        var generator = NumpyRandom(seed: 1)
        #expect(full.permutation(forEpoch: 0, generator: &generator) == nil)
        #expect(generator == NumpyRandom(seed: 1))
    }
}
