import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

/// `lnet import IN C.h5`: a framework's file as an LNet checkpoint, the format chosen by IN's name (or first bytes)
/// through `InterchangeFormat`. The name-matching rule is formats/interchange.md's.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a checkpoint from a PyTorch .safetensors file or a Keras .weights.h5 or .keras file.",
        discussion: """
            The parameters are the tensors <i>.weight (out, in) and <i>.bias (out,) of a torch.nn.Sequential, \
            by increasing module index (one shared prefix such as model. is allowed). The activations come from \
            the metadata LNet wrote, or from --activations (one per layer). Optimizer state (Adam's exp_avg, \
            exp_avg_sq and step; momentum's momentum_buffer, named optimizer.<parameter>.<key>) becomes v, s and \
            t, so that `lnet resume` goes on with it; a file from another tool needs --data for the training \
            record a checkpoint keeps beside it. Without optimizer state, or with --no-optimizer, the checkpoint \
            holds parameters only, which resume, evaluate, predict and train --init-from use.

            A Keras 3 .weights.h5 gives the Dense layers (layers/dense, dense_1, ...; the kernel is W transposed); \
            their activations come from the attributes LNet wrote, or from --activations. A .keras archive gives \
            the architecture too (config.json): a Sequential of Dense layers with relu, tanh, sigmoid or linear, \
            sigmoid or softmax last, with Rescaling and Normalization in front (the input preprocessing) and \
            Dropout left aside; anything else is refused. Keras's optimizer variables are left aside: the \
            checkpoint holds parameters only (formats/keras.md).

              lnet import cat.safetensors cat.h5
              lnet import torch-model.safetensors mine.h5 --activations relu,relu,sigmoid
              lnet import torch-adam.safetensors mine.h5 --activations relu,sigmoid --data train.h5 --batch-size 64
              lnet import model.keras mine.h5
              lnet import model.weights.h5 mine.h5 --activations relu,relu,softmax
            """)

    @Argument(help: "The file to read: .safetensors, .weights.h5 or .keras.")
    var input: String

    @Argument(help: "The checkpoint to write (.h5).")
    var output: String

    @Option(help: "One activation per layer, comma-separated (relu, leaky_relu, tanh, sigmoid, linear; sigmoid or softmax last), when the file does not say.")
    var activations: String?

    @Flag(inversion: .prefixedNo, help: "Keep the file's optimizer state (default: when it holds one).")
    var optimizer: Bool?

    @Option(help: "The training data, for optimizer state without LNet's training record (its fingerprint and names are recorded).")
    var data: String?

    @Option(help: "The features' dataset name in --data (default: the naming rule).")
    var x: String?

    @Option(help: "The labels' dataset name in --data (default: the naming rule).")
    var y: String?

    @Option(parsing: .unconditional, help: "With --data: examples per mini-batch for resume.")
    var batchSize: Int = CourseDefaults.batchSize

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    var activationList: [String]? {
        activations.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    func validate() throws {
        guard InterchangeFormat.of(path: input) != nil || !FileManager.default.fileExists(atPath: input) else {
            throw ValidationError("\(input): cannot tell the format: use \(InterchangeFormat.allFileNames)")
        }
        try require(batchSize >= 1, "--batch-size", "1 or more", got: batchSize)
        if let list = activationList, list.isEmpty || list.contains(where: \.isEmpty) {
            throw ValidationError("--activations takes names separated by commas, e.g. relu,relu,sigmoid")
        }
    }

    func run() throws {
        // A .weights.h5 is HDF5 from anywhere: probed like any other before libhdf5 reads it here.
        try Isolation.probe((data.map { [$0] } ?? []) + (InterchangeFormat.of(path: input) == .kerasWeights ? [input] : []))
        try reportingErrors {
            guard let format = InterchangeFormat.of(path: input) else {
                throw ExportRefusal(path: input, problem: "cannot tell the format: use \(InterchangeFormat.allFileNames)")
            }
            try checkOutput(output, force: force, inputs: [input] + (data.map { [$0] } ?? []))
            if format == .keras {
                // The archive's weights are HDF5 from anywhere too: probed in a child before they are read here.
                try KerasInterchange.probeWeights(of: input) { try Isolation.probe([$0]) }
            }
            let reading = try format.read(from: input, options: InterchangeReadOptions(activations: activationList, includeOptimizer: optimizer))
            let training = data.map { ModelImport.TrainingSettings(dataPath: $0, xName: x, yName: y, batchSize: batchSize) }
            let checkpoint = try ModelImport.checkpoint(of: reading.model, path: input, training: training)
            try CheckpointFile.write(checkpoint, to: output)
            reading.notes.forEach { printNote("\(input): \($0)") }
            let state = checkpoint.optimizer.map { " with \($0.name) state (t = \($0.t))" } ?? ", parameters only"
            print("wrote \(output): \(checkpoint.model.layerCount) layers \(checkpoint.model.layerDims)\(state)")
        }
    }
}
