import Foundation
import Testing
@testable import LNetTraining

/// The course's cat model ("Deep Neural Network - Application"): [12288, 20, 7, 5, 1],
/// relu then sigmoid, "deep" initialisation with seed 1, full-batch GD, lr 0.0075.
///
/// Needs the data set as raw float64 files written by benchmarks/training/dump_cat.py;
/// runs only when `LNET_CAT_DATA` names that directory (the HDF5 loading belongs to
/// LNetStorage). `LNET_CAT_EPOCHS` shortens the run (the cost checks then stop early).
@Suite struct CatAcceptanceTests {
    static let directory = ProcessInfo.processInfo.environment["LNET_CAT_DATA"]

    static func load(_ name: String) throws -> LabeledData {
        let base = URL(fileURLWithPath: directory ?? "")
        let shape = try String(contentsOf: base.appendingPathComponent("\(name)_shape.txt"), encoding: .utf8)
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        func doubles(_ file: String) throws -> [Double] {
            let data = try Data(contentsOf: base.appendingPathComponent(file))
            return data.withUnsafeBytes { raw in
                (0..<(data.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
            }
        }
        let x = try Matrix(rows: shape[0], columns: shape[1], elements: doubles("\(name)_x.f64"))
        return try LabeledData(features: x, labels: try doubles("\(name)_y.f64").map { Int64($0) })
    }

    @Test(.enabled(if: directory != nil))
    func catModelMatchesTheCourse() throws {
        let train = try Self.load("train")
        let test = try Self.load("test")
        let epochs = ProcessInfo.processInfo.environment["LNET_CAT_EPOCHS"].flatMap { Int($0) } ?? 2500
        let configuration = TrainingConfiguration(
            layerSizes: [12288, 20, 7, 5, 1], hiddenActivations: [.relu, .relu, .relu], output: .sigmoid,
            initialization: .deep, seed: 1, optimizer: .gradientDescent, learningRate: 0.0075,
            batchSize: train.exampleCount, epochs: epochs)
        let session = try TrainingSession(configuration: configuration, data: train)
        try session.run()
        #expect(printed(session.costs[0]) == 0.771749)
        if epochs > 100 { #expect(printed(session.costs[100]) == 0.672053) }
        if epochs == 2500 {
            #expect(printed(session.costs[2499]) == 0.088440)
            let network = try session.network
            #expect(abs(try network.accuracy(on: train) - 0.9856) < 5e-5)
            #expect(abs(try network.accuracy(on: test) - 0.80) < 1e-9)
        }
    }
}
