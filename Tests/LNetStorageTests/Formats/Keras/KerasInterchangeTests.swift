import Foundation
import Testing
@testable import LNetStorage

/// The Keras room without Python: the layout written (kernel = Wᵀ, the groups Keras names), LNet → Keras → LNet bit
/// for bit, and the one-line refusals of what is not a Sequential of Dense layers. (Keras itself reads and writes
/// these files in Tests/lnetTests/KerasInteropTests.swift.)
@Suite struct KerasInterchangeTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-keras-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A 3-2-1 model with standardisation and a divisor, values chosen to be inexact in float32.
    static func model(activations: [String] = ["tanh", "sigmoid"]) -> InterchangeModel {
        InterchangeModel(
            layerSizes: [3, 2, 1], activations: activations, loss: "binary_cross_entropy", initialization: "he",
            inputDivisor: 255, inputMean: [0.1, 0.2, 0.3], inputStd: [1.5, 0.7, 2.25],
            layers: [
                .init(weight: Tensor(shape: [2, 3], values: [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]), bias: Tensor(shape: [2, 1], values: [0.01, -0.02])),
                .init(weight: Tensor(shape: [1, 2], values: [0.7, -0.8]), bias: Tensor(shape: [1, 1], values: [0.03])),
            ])
    }

    @Test func weightsFileHoldsTheKernelTransposedUnderKerasNames() throws {
        let path = try Self.folder().appendingPathComponent("m.weights.h5").path
        try KerasInterchange.writeWeights(Self.model(), to: path, options: .init(dtype: .float64))
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let kernel = try file.dataset(at: "/layers/dense/vars/0")
        #expect(try kernel.shape == [3, 2])
        #expect(try kernel.read(as: Double.self) == [0.1, 0.4, -0.2, 0.5, 0.3, -0.6])
        #expect(try file.dataset(at: "/layers/dense_1/vars/1").read(as: Double.self) == [0.03])
        #expect(try file.group(at: "/layers/dense_1/vars").attributes.read("name") == .string("dense_1"))
        #expect(try file.group(at: "/vars").attributes.read("name") == .string("sequential"))
        #expect(try file.exists("/layers/rescaling") == false)
    }

    @Test(arguments: [KerasInterchange.weightsSuffix, KerasInterchange.archiveSuffix])
    func lnetToKerasToLNetIsBitExactInFloat64(_ suffix: String) throws {
        let path = try Self.folder().appendingPathComponent("m" + suffix).path
        let format = try #require(InterchangeFormat.of(path: path))
        try format.write(Self.model(), to: path, options: .init(dtype: .float64))
        let back = try format.read(from: path, options: .init())
        var expected = Self.model()
        expected.createdBy = back.model.createdBy
        #expect(back.model == expected)
    }

    @Test func activationsThatDisagreeAreRefused() throws {
        let path = try Self.folder().appendingPathComponent("m.keras").path
        try KerasInterchange.writeArchive(Self.model(), to: path, options: .init())
        #expect(throws: KerasError(path: path, problem: "the activations [\"tanh\", \"sigmoid\"] (config.json's) differ from [\"relu\", \"sigmoid\"] (the ones given)")) {
            try KerasInterchange.readArchive(from: path, options: .init(activations: ["relu", "sigmoid"]))
        }
    }

    @Test func float32ArchiveKeepsTheArchitecture() throws {
        let path = try Self.folder().appendingPathComponent("m.keras").path
        try KerasInterchange.writeArchive(Self.model(), to: path, options: .init(dtype: .float32))
        let back = try KerasInterchange.readArchive(from: path, options: .init()).model
        #expect(back.layerSizes == [3, 2, 1] && back.activations == ["tanh", "sigmoid"])
        #expect(back.layers[0].weight.values == Self.model().layers[0].weight.values.map { Double(Float($0)) })
        #expect(back.inputDivisor == 255 && back.inputStd == Self.model().inputStd)
    }

    @Test func aWeightsFileWithoutActivationsNeedsThem() throws {
        let folder = try Self.folder()
        let path = folder.appendingPathComponent("m.weights.h5").path
        try KerasInterchange.writeWeights(Self.model(), to: path, options: .init())
        // Keras's own file has no LNet attributes: take them away.
        let file = try HDF5File.open(at: path, mode: .readWrite)
        try file.attributes.delete(KerasLayout.Key.activations)
        try file.close()
        #expect(throws: KerasError.self) { try KerasInterchange.readWeights(from: path, options: .init()) }
        do {
            _ = try KerasInterchange.readWeights(from: path, options: .init())
        } catch let error as KerasError {
            #expect(error.activationsUnknown == KerasError.ActivationsUnknown(layers: 2, example: "relu,sigmoid"))
        }
        let given = try KerasInterchange.readWeights(from: path, options: .init(activations: ["relu", "sigmoid"]))
        #expect(given.model.activations == ["relu", "sigmoid"])
    }

    /// A `.keras` archive whose config is `config`, with the model's weights.
    static func archive(config: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("hostile.keras").path
        let weights = folder.appendingPathComponent("w.weights.h5").path
        try KerasWeightsFile.write(model(), dtype: .float64, preprocessingLayers: false, at: weights)
        // As Keras writes it: without LNet's record of the activations.
        let file = try HDF5File.open(at: weights, mode: .readWrite)
        try file.attributes.delete(KerasLayout.Key.activations)
        try file.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: weights)))
        try KerasArchive.write([("metadata.json", Array("{}".utf8)), ("config.json", Array(config.utf8)), ("model.weights.h5", bytes)], at: path)
        return path
    }

    static func dense(_ name: String, _ units: Int, _ activation: String) -> String {
        #"{"class_name": "Dense", "config": {"name": "\#(name)", "units": \#(units), "activation": "\#(activation)", "use_bias": true}}"#
    }

    static func sequential(_ layers: [String]) -> String {
        #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}}, "# + layers.joined(separator: ", ") + "]}}"
    }

    @Test(arguments: [
        (#"{"class_name": "Functional", "config": {"layers": []}}"#, "the model is a Functional, not a Sequential"),
        (KerasInterchangeTests.sequential([#"{"class_name": "Conv2D", "config": {"name": "conv"}}"#]), "layer 'conv' (Conv2D): LNet imports a Sequential of Dense layers"),
        (KerasInterchangeTests.sequential([KerasInterchangeTests.dense("d", 2, "tanh"), KerasInterchangeTests.dense("o", 1, "linear")]), "the last Dense layer (dense_1) has activation linear"),
        (KerasInterchangeTests.sequential([KerasInterchangeTests.dense("d", 2, "selu"), KerasInterchangeTests.dense("o", 1, "sigmoid")]), "the Dense layer dense has activation selu"),
        (KerasInterchangeTests.sequential([KerasInterchangeTests.dense("d", 2, "tanh")]), "config.json has 1 Dense layers, model.weights.h5 2"),
        (KerasInterchangeTests.sequential([KerasInterchangeTests.dense("d", 4, "tanh"), KerasInterchangeTests.dense("o", 1, "sigmoid")]), "layer 'd' has 4 units in config.json, 2 in the weights"),
        (KerasInterchangeTests.sequential([#"{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "tanh", "use_bias": false}}"#]), "no bias (use_bias=False)"),
        ("[1, 2", "config.json is not JSON"),
        ("[1, 2]", "config.json is not a JSON object"),
    ])
    func archivesThatAreNotASequentialOfDenseAreRefusedInOneLine(_ config: String, _ expected: String) throws {
        let path = try Self.archive(config: config, in: try Self.folder())
        do {
            _ = try KerasInterchange.readArchive(from: path, options: .init())
            Issue.record("no refusal for \(config)")
        } catch let error as KerasError {
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func aFailedArchiveWriteLeavesThePreviousFileWhole() throws {
        let folder = try Self.folder()
        let path = folder.appendingPathComponent("m.keras").path
        try KerasInterchange.writeArchive(Self.model(), to: path, options: .init())
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // leaky_relu has no Keras Dense activation of LNet's slope: refused before anything is written.
        #expect(throws: KerasError.self) {
            try KerasInterchange.writeArchive(Self.model(activations: ["leaky_relu", "sigmoid"]), to: path, options: .init())
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.keras"])
    }
}
