import Foundation
import Testing
@testable import LNetTraining

@Suite struct InitializationTests {
    @Test func matchesNumpyForCatAndMoonsDimensions() throws {
        let cases = try Fixture.list(Fixture.load("initialization.json"))
        for entry in cases {
            let dims = try Fixture.ints(entry["dims"])
            let kindName = try #require(entry["kind"]?.string)
            let kind = try #require(Initialization(rawValue: kindName))
            let seed = try #require(entry["seed"]?.int)
            let parameters = try kind.parameters(layerSizes: dims, seed: UInt32(seed))
            let layers = try Fixture.list(entry["layers"])
            #expect(layers.count == parameters.layerCount)
            for (w, layer) in zip(parameters.weights, layers) {
                #expect([w.rows, w.columns] == (try Fixture.ints(layer["shape"])))
                for item in try Fixture.list(layer["samples"]) {
                    let sample = try Fixture.doubles(item)
                    #expect(w[Int(sample[0]), Int(sample[1])] == sample[2], "\(kind) \(dims)")
                }
                let sum = try Fixture.double(layer["sum"])
                #expect(abs(w.sum - sum) <= 1e-12 * max(1, abs(sum)) + 1e-10)
                let squares = try Fixture.double(layer["sum_squares"])
                #expect(abs(w.sumOfSquares - squares) <= 1e-12 * squares)
                if let full = layer["full"], !full.isNull {
                    #expect(w.elements == (try Fixture.doubles(full)), "\(kind) \(dims)")
                }
            }
            #expect(parameters.biases.allSatisfy { $0.elements.allSatisfy { $0 == 0 } })
        }
    }
}
