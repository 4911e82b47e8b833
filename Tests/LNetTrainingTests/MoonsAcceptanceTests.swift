import Foundation
import Testing
@testable import LNetTraining

/// The course's published numbers for the moons model ("Optimization methods").
@Suite struct MoonsAcceptanceTests {
    @Test(arguments: [
        (Optimizer.gradientDescent, 0.702405),
        (Optimizer.momentum(), 0.702413),
        (Optimizer.adam(), 0.702166),
    ])
    func costAfterFirstEpoch(optimizer: Optimizer, published: Double) throws {
        let session = try TrainingSession(configuration: moonsConfiguration(optimizer, epochs: 1), data: try Fixture.moons())
        let summary = try #require(try session.runEpoch())
        #expect(summary.epoch == 0)
        #expect(printed(summary.cost) == published)
        #expect(abs(summary.cost - published) <= 1e-6)
    }

    @Test(arguments: [
        (Optimizer.gradientDescent, 0.668101, 0.635288, 0.7167),
        (Optimizer.momentum(), 0.668167, 0.635388, 0.7167),
        (Optimizer.adam(), 0.167845, 0.141316, 0.9433),
    ])
    func fullRun(optimizer: Optimizer, after1000: Double, after2000: Double, accuracy: Double) throws {
        let data = try Fixture.moons()
        let session = try TrainingSession(configuration: moonsConfiguration(optimizer, epochs: 5000), data: data)
        try session.run()
        #expect(session.costs.count == 5000)
        #expect(printed(session.costs[1000]) == after1000)
        #expect(printed(session.costs[2000]) == after2000)
        let trained = try session.network
        #expect(abs(try trained.accuracy(on: data) - accuracy) < 5e-5)
    }
}
