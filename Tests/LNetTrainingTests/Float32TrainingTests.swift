import Foundation
import Testing
@testable import LNetTraining

/// `--dtype float32`: the same course models computed in float32 (sgemm), the cost
/// summed in float64; resume stays bit-identical within float32.
@Suite struct Float32TrainingTests {
    /// Every value of `parameters` is a float32 value (widened exactly to a double).
    static func allFloat32(_ parameters: NetworkParameters?) -> Bool {
        guard let parameters else { return true }
        return parameters.flattened.allSatisfy { Double(Float($0)) == $0 }
    }

    /// ResumeTests' configurations, in float32: stopping anywhere and rebuilding the
    /// session from its state gives the uninterrupted float32 run's bits.
    @Test(arguments: 0..<5, [1, 3])
    func resumingIsBitIdenticalInFloat32(index: Int, stride: Int) throws {
        var (name, configuration) = ResumeTests.configurations[index]
        configuration.precision = .float32
        let data = try Fixture.moons()
        let straight = try TrainingSession(configuration: configuration, data: data)
        try straight.run()

        var session = try TrainingSession(configuration: configuration, data: data)
        var updates = 0
        while !session.isFinished {
            try session.run(shouldStop: {
                updates += 1
                return updates % stride == 0
            })
            session = try TrainingSession(configuration: configuration, data: data, resumingFrom: session.state)
        }
        #expect(session.state == straight.state, "\(name), stopping every \(stride) updates")
        #expect(session.costs.map(\.bitPattern) == straight.costs.map(\.bitPattern))
        let state = straight.state
        #expect(Self.allFloat32(state.parameters), "\(name): the parameters are float32 values")
        #expect(Self.allFloat32(state.optimizer.velocity) && Self.allFloat32(state.optimizer.squares),
                "\(name): the moments are float32 values")

        // And it really is another computation than float64's.
        configuration.precision = .float64
        let double = try TrainingSession(configuration: configuration, data: data)
        try double.run()
        #expect(double.state.parameters != state.parameters, "\(name)")
    }

    /// The moons model with each optimizer, the course's 5000 epochs: every printed
    /// cost (every 1000 epochs) within 1e-4 of float64's, and the same accuracy.
    @Test(arguments: [Optimizer.gradientDescent, .momentum(), .adam()])
    func moonsCostsAgreeWithFloat64(optimizer: Optimizer) throws {
        let data = try Fixture.moons()
        var configuration = moonsConfiguration(optimizer, epochs: 5000)
        let double = try TrainingSession(configuration: configuration, data: data)
        try double.run()
        configuration.precision = .float32
        let single = try TrainingSession(configuration: configuration, data: data)
        try single.run()
        #expect(single.costs.count == double.costs.count)
        for epoch in stride(from: 0, to: 5000, by: 1000) {
            #expect(abs(single.costs[epoch] - double.costs[epoch]) < 1e-4, "epoch \(epoch): \(single.costs[epoch]) against \(double.costs[epoch])")
        }
        #expect(abs(single.costs[4999] - double.costs[4999]) < 1e-4)
        #expect(try single.network.accuracy(on: data) == double.network.accuracy(on: data))
        #expect(Self.allFloat32(single.state.parameters))
    }

    /// The float32 product is sgemm's, and the loops agree with it as the float64 ones do with dgemm.
    @Test func float32LoopsAgreeWithSgemm() throws {
        var generator = NumpyRandom(seed: 5)
        for (m, n, k) in [(5, 64, 2), (20, 209, 7), (3, 7, 300)] {
            for (transposeA, transposeB) in [(false, false), (false, true), (true, false)] {
                let a = (0..<(m * k)).map { _ in Float(generator.nextDouble() - 0.5) }
                let b = (0..<(k * n)).map { _ in Float(generator.nextDouble() - 0.5) }
                var loop = [Float](repeating: 0, count: m * n), blis = loop
                let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                BLAS.loopGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                              a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &loop, ldc: n)
                BLAS.blisGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                              a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &blis, ldc: n)
                for i in 0..<(m * n) {
                    #expect(abs(loop[i] - blis[i]) <= 1e-5 * Float(k), "\(m)×\(n)×\(k) \(transposeA) \(transposeB)")
                }
            }
        }
    }
}
