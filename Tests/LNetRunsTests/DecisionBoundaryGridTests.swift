@testable import LNetRuns
@testable import LNetTraining
import Testing

@Suite("DecisionBoundaryGrid")
struct DecisionBoundaryGridTests {
    /// One sigmoid unit that says 1 where x > 1 (in preprocessed units).
    static func network(inputs: Int = 2) throws -> Network {
        let w = try Matrix(rows: 1, columns: inputs, elements: [10] + [Double](repeating: 0, count: inputs - 1))
        let b = try Matrix(rows: 1, columns: 1, elements: [-10])
        return try Network(hiddenActivations: [], output: .sigmoid, parameters: NetworkParameters(weights: [w], biases: [b]))
    }

    @Test func gridCoversDataWithMarginAndUsesPreprocessing() throws {
        let features: [Double] = [0, 0, 4, 2]  // two examples in rows, raw units
        // Divided by 2 first: the boundary x/2 > 1 is at raw x = 2.
        let plot = try DecisionBoundaryGrid.plot(
            network: Self.network(), preprocessing: InputPreprocessing(divisor: 2), features: features, labels: [0, 1],
            margin: 1, resolution: 60)
        #expect(plot.grid.xRange == -1...5)
        #expect(plot.grid.yRange == -1...3)
        #expect(plot.grid.classIds.count == 3600)
        // Cell width 0.1: columns 0…29 have centres below 2, 30… above.
        #expect(plot.grid.classIds[29] == 0)
        #expect(plot.grid.classIds[30] == 1)
        #expect(plot.points.count == 2)
        #expect(plot.render().hasPrefix("<?xml") || plot.render().hasPrefix("<svg"))
    }

    @Test func refusesNetworksWithoutTwoInputs() throws {
        #expect(throws: RunError.self) {
            try DecisionBoundaryGrid.classGrid(
                network: Self.network(inputs: 3), preprocessing: InputPreprocessing(divisor: 1), xRange: 0...1, yRange: 0...1)
        }
        #expect(throws: RunError.self) {
            try DecisionBoundaryGrid.plot(
                network: Self.network(), preprocessing: InputPreprocessing(divisor: 1), features: [.nan, 1], labels: [0])
        }
    }
}
