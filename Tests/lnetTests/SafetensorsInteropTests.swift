import Foundation
import LNetTestSupport
import Testing

/// `lnet export` / `lnet import` against the real torch (2.13.0) and safetensors of the project's venv: predictions,
/// 20 more Adam steps either way, and the LNet → safetensors → LNet round trip. The Python side is
/// Tests/interop/check_safetensors.py, run twice (torch is slow to import); the numbers compared are computed there
/// from the frameworks' own results, and only the bounds are here.
@Suite("safetensors against PyTorch", .serialized)
struct SafetensorsInteropTests {
    struct Failed: Error, CustomStringConvertible { let description: String }

    @discardableResult
    static func lnet(_ arguments: [String]) throws -> String {
        let result = try LNetBinary.run(arguments)
        guard result.status == 0 else {
            throw Failed(description: "lnet \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// The Python after `wrote …` and a blank line in what `--print-pytorch` printed.
    static func snippet(_ output: String) throws -> String {
        guard let range = output.range(of: "\n\n") else { throw Failed(description: "no snippet in: \(output)") }
        return String(output[range.upperBound...])
    }

    static func measurements(_ phase: String, _ work: URL) throws -> [String: Double] {
        let script = Repository.root.appendingPathComponent("Tests/interop/check_safetensors.py").path
        let output = try Python.run([script, phase, work.path])
        guard let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] else {
            throw Failed(description: "no measurements in: \(output)")
        }
        return object
    }

    @Test func exportedModelsRunInPyTorchAndPyTorchModelsComeBack() throws {
        let work = try Repository.scratchFolder("safetensors-interop")
        func path(_ name: String) -> String { work.appendingPathComponent(name).path }
        let data = path("moons.h5")
        try Self.lnet(["sample", "moons", "-o", data, "--samples", "200"])
        // Full batch (no shuffling), standardised inputs, Adam: five steps, then the export.
        try Self.lnet(["train", "--data", data, "--layers", "5,3,1", "--standardize", "--batch-size", "1000", "--epochs", "5",
                       "--learning-rate", "0.01", "--checkpoint", path("c.h5"), "--quiet"])
        let printed = try Self.lnet(["export", path("c.h5"), path("c.safetensors"), "--optimizer", "--print-pytorch"])
        try Self.snippet(printed).write(toFile: path("snippet.py"), atomically: true, encoding: .utf8)
        let printed32 = try Self.lnet(["export", path("c.h5"), path("c32.safetensors"), "--dtype", "float32", "--print-pytorch"])
        try Self.snippet(printed32).write(toFile: path("snippet32.py"), atomically: true, encoding: .utf8)
        try Self.lnet(["predict", path("c.h5"), "--data", data, "-o", path("p.h5")])
        try FileManager.default.copyItem(atPath: path("c.h5"), toPath: path("c20.h5"))
        try Self.lnet(["resume", path("c20.h5"), "--epochs", "20", "--quiet"])

        // LNet → safetensors → LNet, bit for bit: every tensor, setting, counter and the generator.
        try Self.lnet(["import", path("c.safetensors"), path("back.h5")])
        let roundTrip = try LNetBinary.run(["diff", path("c.h5"), path("back.h5")])
        #expect(roundTrip.status == 0, "\(roundTrip.stdout)\(roundTrip.stderr)")
        // And the export holds the checkpoint's tensors under the mapping (diff across formats).
        let across = try LNetBinary.run(["diff", path("c.h5"), path("c.safetensors")])
        #expect(across.status == 0, "\(across.stdout)\(across.stderr)")

        let exported = try Self.measurements("export", work)
        #expect(try #require(exported["predict_float64"]) <= 1e-12)
        #expect(try #require(exported["predict_float32"]) <= 1e-6)
        #expect(try #require(exported["adam_20_steps"]) <= 1e-12)
        #expect(exported["adam_step_after"] == 25)

        // PyTorch → LNet: its Adam state resumes here as it goes on there.
        let imported = try Self.lnet(["import", path("torch.safetensors"), path("t.h5"), "--activations", "tanh,sigmoid",
                                      "--data", data, "--batch-size", "1000"])
        #expect(imported.contains("with adam state (t = 5)"))
        try Self.lnet(["predict", path("t.h5"), "--data", data, "-o", path("tp.h5")])
        try FileManager.default.copyItem(atPath: path("t.h5"), toPath: path("t20.h5"))
        try Self.lnet(["resume", path("t20.h5"), "--epochs", "20", "--quiet"])
        let back = try Self.measurements("import", work)
        #expect(try #require(back["import_predict"]) <= 1e-12)
        #expect(try #require(back["import_adam_20_steps"]) <= 1e-12)
    }
}
