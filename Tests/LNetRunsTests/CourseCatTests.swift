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

    /// `--dtype float32` on the course's cat model against float64, on what holds: the printed
    /// costs of epochs 0, 100 and 200 within 1e-4 (they agree to all six printed decimals), and,
    /// after the course's 2500 epochs, the same train and test accuracy (0.9856, 0.80).
    ///
    /// From epoch 300 on the two runs' costs part (by up to 0.07 around epoch 800; 0.084479
    /// against 0.088440 at the end, benchmarks/training/README.md): full-batch gradient descent
    /// at 0.0075 is unstable there — float64's own cost climbs from 0.369 at epoch 800 to 0.392
    /// at 900 — so float32's roundings, 1e-7 of a value, grow until the run takes another path.
    /// That part is not asserted: no float32 run can keep it within 1e-4.
    ///
    /// By default the first 201 epochs (the costs); `LNET_SLOW_TESTS=1` runs the 2500 and
    /// compares the accuracies too.
    @Test func float32AgreesWithFloat64() throws {
        guard Self.available else {
            print("skipped: course files not found in ../shared/datasets")
            return
        }
        let epochs = Self.slow ? 2500 : 201
        func train(_ precision: Precision) throws -> (costs: [Double], outcome: TrainingOutcome) {
            var settings = Self.settings(epochs: epochs)
            settings.configuration.precision = precision
            let run = try TrainingRun.start(settings)
            var costs: [Double] = []
            let outcome = try run.run(events: { event in
                if case .epochCompleted(let summary, _) = event { costs.append(summary.cost) }
            })
            return (costs, outcome)
        }
        let double = try train(.float64)
        let single = try train(.float32)
        #expect(single.costs.count == epochs && double.costs.count == epochs)
        for epoch in [0, 100, 200] {
            #expect(abs(single.costs[epoch] - double.costs[epoch]) < 1e-4,
                    "epoch \(epoch): \(Self.printed(single.costs[epoch])) against \(Self.printed(double.costs[epoch]))")
        }
        #expect(single.costs != double.costs, "the float32 run computes in float32")
        if Self.slow {
            #expect(single.outcome.trainAccuracy == double.outcome.trainAccuracy)
            #expect(single.outcome.testAccuracy == double.outcome.testAccuracy)
            #expect(String(format: "%.4f", single.outcome.trainAccuracy ?? 0) == "0.9856")
            #expect(String(format: "%.2f", single.outcome.testAccuracy ?? 0) == "0.80")
        }
    }
}
