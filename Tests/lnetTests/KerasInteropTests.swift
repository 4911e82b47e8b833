import Foundation
import LNetTestSupport
import Testing

/// `lnet export` / `lnet import` against the real Keras 3 (3.15.1, KERAS_BACKEND=torch) of the project's venv: an
/// exported model predicts in Keras (load_weights and load_model) as `lnet predict` does, and models trained and saved
/// by Keras predict in LNet as in Keras. The Python side is Tests/interop/check_keras.py, run twice (keras and torch
/// are slow to import); the numbers compared are computed there from Keras's own results, only the bounds are here.
@Suite("Keras files against Keras 3", .serialized)
struct KerasInteropTests {
    struct Failed: Error, CustomStringConvertible { let description: String }

    @discardableResult
    static func lnet(_ arguments: [String]) throws -> String {
        let result = try LNetBinary.run(arguments)
        guard result.status == 0 else {
            throw Failed(description: "lnet \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout + result.stderr
    }

    static func measurements(_ arguments: [String]) throws -> [String: Double] {
        let script = Repository.root.appendingPathComponent("Tests/interop/check_keras.py").path
        let output = try Python.run([script] + arguments)
        guard let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] else {
            throw Failed(description: "no measurements in: \(output)")
        }
        return object
    }

    @Test func exportedModelsRunInKerasAndKerasModelsComeBack() throws {
        let work = try Repository.scratchFolder("keras-interop")
        func path(_ name: String) -> String { work.appendingPathComponent(name).path }
        let moons = path("moons.h5")
        try Self.lnet(["sample", "moons", "-o", moons, "--samples", "200"])
        try Self.lnet(["train", "--data", moons, "--layers", "5,3,1", "--standardize", "--batch-size", "1000", "--epochs", "30",
                       "--learning-rate", "0.01", "--checkpoint", path("m.h5"), "--quiet"])
        let said = try Self.lnet(["export", path("m.h5"), path("m.weights.h5")])
        #expect(said.contains("weights only"))
        try Self.lnet(["export", path("m.h5"), path("m32.weights.h5"), "--dtype", "float32"])
        try Self.lnet(["export", path("m.h5"), path("m.keras")])
        try Self.lnet(["export", path("m.h5"), path("m32.keras"), "--dtype", "float32"])
        try Self.lnet(["predict", path("m.h5"), "--data", moons, "-o", path("mp.h5")])

        // LNet → Keras → LNet keeps the parameters and the preprocessing bit for bit in float64.
        for (index, file) in ["m.weights.h5", "m.keras"].enumerated() {
            let back = path("back\(index).h5")
            try Self.lnet(["import", path(file), back])
            let source = path("m.h5")
            let same = try Python.run(script: """
                import sys, h5py, numpy as np
                a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
                names = list(a["parameters"]) + [n for n in ("input_mean", "input_std") if n in a["model"]]
                same = all(np.array_equal(a["parameters"][n][()], b["parameters"][n][()]) for n in a["parameters"])
                same = same and all(np.array_equal(a["model"][n][()], b["model"][n][()]) for n in ("input_mean", "input_std") if n in a["model"])
                same = same and a["model"].attrs["input_divisor"] == b["model"].attrs["input_divisor"]
                print(same, len(names))
                """, [source, back])
            #expect(same.hasPrefix("True"), "\(file): \(same)")
        }

        // Keras 3.15.1 computes a float64 model's matmul in float32 under torch (check_keras.py says where), so its
        // predict() agrees to 1e-6 in both types; the float64 model it loaded, evaluated in float64, to 1e-12.
        let exported = try Self.measurements(["export", work.path])
        for model in ["m"] {
            #expect(exported["load_weights_\(model)_bits_differ"] == 0)
            #expect(try #require(exported["load_weights_\(model)_float64_forward"]) <= 1e-12)
            #expect(try #require(exported["load_model_\(model)_float64_forward"]) <= 1e-12)
            #expect(try #require(exported["load_weights_\(model)_float64"]) <= 1e-6)
            #expect(try #require(exported["load_model_\(model)_float64"]) <= 1e-6)
        }
        #expect(try #require(exported["load_weights_m_float32"]) <= 1e-6)
        #expect(try #require(exported["load_model_m_float32"]) <= 1e-6)

        // Keras → LNet: a .weights.h5 needs the activations; a .keras says them.
        let unknown = try LNetBinary.run(["import", path("A.weights.h5"), path("a.h5")])
        #expect(unknown.status == 1 && unknown.stderr.contains("pass --activations with one per layer (2), e.g. --activations relu,sigmoid"))
        try Self.lnet(["import", path("A.weights.h5"), path("a.h5"), "--activations", "tanh,sigmoid"])
        let fromArchive = try Self.lnet(["import", path("A.keras"), path("ak.h5")])
        #expect(fromArchive.contains("Dropout") && fromArchive.contains("optimizer"))
        try Self.lnet(["import", path("B.keras"), path("bk.h5")])
        for (checkpoint, prediction) in [("a.h5", "ap.h5"), ("ak.h5", "akp.h5"), ("bk.h5", "bkp.h5")] {
            try Self.lnet(["predict", path(checkpoint), "--data", moons, "-o", path(prediction)])
        }
        // An imported model is a parameters-only checkpoint training starts from.
        try Self.lnet(["train", "--data", moons, "--init-from", path("bk.h5"), "--epochs", "2", "--checkpoint", path("bk2.h5"), "--quiet"])
        let back = try Self.measurements(["import", work.path])
        for key in ["A_weights", "A_keras", "B_keras"] {
            #expect(try #require(back["import_\(key)"]) <= 1e-6)
            #expect(try #require(back["import_\(key)_float64_forward"]) <= 1e-12)
        }
    }
}
