import Foundation
@testable import LNetRuns
import LNetStorage
import LNetTestSupport
@testable import LNetTraining
import Testing

/// The course's cat classifier ("Deep Neural Network - Application") trained
/// from the course's own HDF5 files, through the same path as `lnet train`:
/// [12288, 20, 7, 5, 1], relu then sigmoid, deep initialisation with seed 1,
/// full-batch gradient descent at 0.0075. The course prints cost 0.771749
/// after epoch 0, 0.672053 after 100, 0.088440 after 2499, train accuracy
/// 0.9856 and test accuracy 0.80.
///
/// The default run checks the first epoch; `LNET_SLOW_TESTS=1` runs all 2500.
@Suite struct CourseCatTests {
    static let datasets = Repository.sharedDatasets
    static let train = datasets.appendingPathComponent("train_catvnoncat.h5").path
    static let test = datasets.appendingPathComponent("test_catvnoncat.h5").path
    static var available: Bool { FileManager.default.fileExists(atPath: train) }
    static let slow = ProcessInfo.processInfo.environment["LNET_SLOW_TESTS"] == "1"

    static func settings(epochs: Int) -> TrainSettings {
        TrainSettings(
            dataPath: train, testPath: test, layers: [20, 7, 5, 1],
            configuration: TrainingConfiguration(
                layerSizes: [], hiddenActivations: [], initialization: .deep, seed: 1, optimizer: .gradientDescent,
                learningRate: 0.0075, batchSize: 209, epochs: epochs))
    }

    /// The cost as the course prints it, `%f`.
    static func printed(_ cost: Double) -> String { String(format: "%.6f", cost) }

    @Test func firstEpochCostIsTheCourses() throws {
        guard Self.available else {
            print("skipped: course files not found in ../shared/datasets")
            return
        }
        let run = try TrainingRun.start(Self.settings(epochs: 2))
        #expect(run.record.xName == "train_set_x")
        #expect(run.record.classes == ["non-cat", "cat"])
        #expect(run.record.preprocessing.divisor == 255)
        // (209, 64, 64, 3) uint8: the checkpoint records the photo layout, so predict --image needs no flags.
        #expect(run.record.inputImage == InputImage(height: 64, width: 64))
        var costs: [Double] = []
        _ = try run.run(events: { event in
            if case .epochCompleted(let summary, _) = event { costs.append(summary.cost) }
        })
        #expect(costs.count == 2)
        #expect(Self.printed(costs[0]) == "0.771749")
    }

    @Test(.enabled(if: slow)) func fullRunMatchesTheCourse() throws {
        guard Self.available else {
            print("skipped: course files not found in ../shared/datasets")
            return
        }
        let run = try TrainingRun.start(Self.settings(epochs: 2500))
        var costs: [Double] = []
        let outcome = try run.run(events: { event in
            if case .epochCompleted(let summary, _) = event { costs.append(summary.cost) }
        })
        #expect(Self.printed(costs[0]) == "0.771749")
        #expect(Self.printed(costs[100]) == "0.672053")
        #expect(Self.printed(costs[2499]) == "0.088440")
        #expect(String(format: "%.4f", outcome.trainAccuracy ?? 0) == "0.9856")
        #expect(String(format: "%.2f", outcome.testAccuracy ?? 0) == "0.80")
    }
}
