import Foundation
import Testing
@testable import LNetTraining

/// Saturated outputs give large finite losses, never NaN or infinity, for both
/// output layers: the loss is computed from Z, not from log(A).
@Suite struct LossSafetyTests {
    /// A network whose output pre-activation is its input: linear hidden unit, weights 1 (and −1 for softmax's second unit).
    static func identityNetwork(_ output: OutputLayer) throws -> Network {
        let units = output == .sigmoid ? 1 : 2
        let secondLayer: [Double] = output == .sigmoid ? [1] : [1, -1]
        let flat = [1.0, 0.0] + secondLayer + [Double](repeating: 0, count: units)
        return try Network(hiddenActivations: [.linear], output: output,
                           parameters: try NetworkParameters(layerSizes: [1, 1, units], flattened: flat))
    }

    @Test func sigmoidLossStaysFiniteWhenSaturated() throws {
        let z: [Double] = [800, 800, -800, -800, 40, -40, 0, 745, -745]
        let labels: [Int64] = [0, 1, 1, 0, 0, 1, 1, 0, 1]
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z), labels: labels)
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        // Per example: max(z, 0) − z·y + log1p(e^{−|z|}).
        let losses = zip(z, labels).map { (z: Double, y: Int64) -> Double in
            max(z, 0) - z * Double(y) + log1p(exp(-abs(z)))
        }
        let expected = losses.reduce(0, +) / Double(z.count)
        #expect(cost.isFinite)
        #expect(abs(cost - expected) <= 1e-13 * expected, "\(cost) vs \(expected)")
        let saturated: Double = 800 + 800 + 40 + 40 + 745 + 745
        #expect(abs(cost - (saturated + log(2)) / 9) < 1e-12)
    }

    /// Moderate outputs of both signs (the loss takes e^{−|z|} as 1/e^{−z} for z < 0):
    /// the sum agrees with the formula evaluated directly to a few ulps.
    @Test func sigmoidLossIsExactForModerateOutputs() throws {
        let z = stride(from: -5.0, through: 5.0, by: 0.37).map { $0 }
        let labels = z.indices.map { Int64($0 % 2) }
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z), labels: labels)
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        let losses = zip(z, labels).map { (z: Double, y: Int64) -> Double in
            max(z, 0) - z * Double(y) + log1p(exp(-abs(z)))
        }
        let expected = losses.reduce(0, +) / Double(z.count)
        #expect(abs(cost - expected) <= 8 * expected.ulp, "\(cost) vs \(expected)")
    }

    /// The loss sums log1p(e^{−|z|}) as the log of a product of 1 + e^{−|z|} per block:
    /// a well-classified example's loss (1 + e rounds to 1) must not be lost.
    @Test func sigmoidLossKeepsTinyLosses() throws {
        let z = [Double](repeating: 40, count: 100)
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z),
                                   labels: [Int64](repeating: 1, count: z.count))
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        let expected = log1p(exp(-40.0))
        #expect(abs(cost - expected) <= 1e-14 * expected, "\(cost) vs \(expected)")
    }

    /// Every example fits well (losses of 1e-9 to 1e-13): the sum stays accurate
    /// relative to its own tiny size, as a sum of log1p's is, over several blocks.
    @Test func sigmoidLossIsAccurateWhenEveryExampleFitsWell() throws {
        var generator = NumpyRandom(seed: 5)
        let z = (0..<1500).map { _ in 20 + 10 * generator.nextDouble() }
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z),
                                   labels: [Int64](repeating: 1, count: z.count))
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        let expected = z.map { log1p(exp(-$0)) }.reduce(0, +) / Double(z.count)
        #expect(abs(cost - expected) <= 1e-13 * expected, "\(cost) vs \(expected)")
    }

    /// Past the overflow of e^{−z} (z < −709.8) a well-classified example's loss is a
    /// subnormal number, still counted.
    @Test func sigmoidLossKeepsSubnormalLosses() throws {
        let z = [Double](repeating: -720, count: 10)
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z),
                                   labels: [Int64](repeating: 0, count: z.count))
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        let expected = exp(-720.0)
        #expect(abs(cost - expected) <= 1e-9 * expected, "\(cost) vs \(expected)")
    }

    /// More examples than one product block (512) and outputs of every size: the
    /// blocked sum agrees with a plain sum of log1p to round-off.
    @Test func sigmoidLossOverManyBlocksMatchesTheFormula() throws {
        var generator = NumpyRandom(seed: 4)
        let z = (0..<1500).map { _ in 12 * generator.nextGaussian() }
        let labels = z.indices.map { Int64(($0 * 7) % 3 == 0 ? 1 : 0) }
        let data = try LabeledData(features: try Matrix(rows: 1, columns: z.count, elements: z), labels: labels)
        let cost = try Self.identityNetwork(.sigmoid).cost(on: data)
        let expected = zip(z, labels).map { (z: Double, y: Int64) -> Double in
            max(z, 0) - z * Double(y) + log1p(exp(-abs(z)))
        }.reduce(0, +) / Double(z.count)
        #expect(abs(cost - expected) <= 1e-13 * expected, "\(cost) vs \(expected)")
    }

    @Test func softmaxLossStaysFiniteWhenSaturated() throws {
        // Logits (x, −x): the loss is 0 for the favoured class and 2x for the other.
        let x: [Double] = [1000, 1000, -1000, 0]
        let labels: [Int64] = [0, 1, 1, 0]
        let data = try LabeledData(features: try Matrix(rows: 1, columns: x.count, elements: x), labels: labels)
        let cost = try Self.identityNetwork(.softmax).cost(on: data)
        #expect(cost.isFinite)
        let expected: Double = (2000 + log(2)) / 4
        #expect(abs(cost - expected) < 1e-12)
    }
}
