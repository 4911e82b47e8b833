import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage

/// `lnet export C.h5 OUT`: a checkpoint's model as a framework's file, the format chosen by OUT's name through
/// `InterchangeFormat`. The mapping is formats/interchange.md; the work is LNetStorage's.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's model for PyTorch (.safetensors) or Keras (.weights.h5, .keras).",
        discussion: """
            The format comes from OUT's name: .safetensors holds the tensors as a torch.nn.Sequential of Linear \
            and activation modules names them (0.weight, 0.bias, 2.weight, …; W keeps its shape (n_l, n_{l-1}), \
            b becomes (n_l,)), and __metadata__ holds the layer sizes, activations, loss, input preprocessing, \
            versions and the data fingerprint (formats/interchange.md).

            --optimizer adds the optimizer's state as PyTorch keeps it (Adam: exp_avg, exp_avg_sq, step; \
            momentum: momentum_buffer) and LNet's training record, so that torch.optim.Adam continues as LNet \
            would and `lnet import` gives back the very checkpoint. --print-pytorch prints the Python that \
            rebuilds the model (and the optimizer) from the file.

            .weights.h5 is Keras 3's weights file for keras.Sequential([keras.Input((n_x,)), \
            keras.layers.Dense(n_1, activation=...), ...]).load_weights(): each Dense's kernel is W[l] transposed \
            (n_{l-1}, n_l), its bias b[l] (n_l,). .keras is the whole model (config.json, metadata.json, \
            model.weights.h5) for keras.saving.load_model, with the input preprocessing as Rescaling and \
            Normalization layers in front. Keras files carry weights only: Keras's Adam is not the course's \
            (formats/keras.md).

              lnet export cat.h5 cat.safetensors
              lnet export cat.h5 cat.safetensors --optimizer --print-pytorch
              lnet export cat.h5 cat32.safetensors --dtype float32
              lnet export cat.h5 cat.keras --dtype float32
            """)

    @Argument(help: "The checkpoint to export.")
    var checkpoint: String

    @Argument(help: "The file to write: .safetensors, .weights.h5 or .keras.")
    var output: String

    @Option(help: "The tensors' type: float64 (the checkpoint's values, bit for bit) or float32 (the frameworks' default).")
    var dtype: InterchangeDType = .float64

    @Flag(help: "Also write the optimizer's state and the training record.")
    var optimizer = false

    @Flag(name: .customLong("print-pytorch"), help: "Print the Python that rebuilds the model and optimizer in PyTorch.")
    var printPyTorch = false

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    func validate() throws {
        guard let format = InterchangeFormat.of(path: output) else {
            throw ValidationError("\(output): cannot tell the format from the name: use \(InterchangeFormat.allFileNames)")
        }
        if optimizer, !format.carriesOptimizerState {
            throw ValidationError("--optimizer: \(format.fileNames) files carry weights only")
        }
        if printPyTorch, format != .safetensors {
            throw ValidationError("--print-pytorch: only for .safetensors")
        }
    }

    func run() throws {
        try Isolation.probe([checkpoint])
        try reportingErrors {
            guard let format = InterchangeFormat.of(path: output) else { return }
            try checkOutput(output, force: force, inputs: [checkpoint])
            var notes: [String] = []
            let saved = try CheckpointFile.read(from: checkpoint, notes: { notes.append($0) })
            if optimizer, saved.optimizer == nil {
                throw ExportRefusal(path: checkpoint, problem: "holds parameters only: there is no optimizer state to export with --optimizer")
            }
            let model = try InterchangeModel(checkpoint: saved, includingOptimizer: optimizer)
            try format.write(model, to: output, options: InterchangeWriteOptions(dtype: dtype))
            notes.forEach(printNote)
            format.exportNotes(for: model).forEach(printNote)
            let state = model.optimizer.map { " and \($0.settings.name) state (t = \($0.settings.t))" } ?? ""
            print("wrote \(output): \(model.layerCount) layers \(model.layerSizes), \(dtype.rawValue)\(state)")
            if printPyTorch { print("", PyTorchSnippet.code(for: model, path: output, dtype: dtype), separator: "\n", terminator: "") }
        }
    }
}

/// A refusal of `lnet export` that is the command's own (the file is fine, the request does not fit it).
struct ExportRefusal: Error, CustomStringConvertible {
    let path: String
    let problem: String
    var description: String { "\(path): \(problem)" }
}
