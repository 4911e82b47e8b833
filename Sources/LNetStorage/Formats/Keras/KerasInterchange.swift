import Foundation

/// The mapping between ``InterchangeModel`` and Keras 3's files (formats/keras.md): a `.weights.h5` that
/// `keras.Sequential([keras.Input((n_x,)), keras.layers.Dense(n_1, activation=…), …]).load_weights()` takes, and a
/// `.keras` archive that `keras.saving.load_model` opens with no code.
///
/// Keras files carry weights only: Keras's Adam is not the course's (its ε is added to √v of the uncorrected second
/// moment, so it acts as ε/√(1−β2^t) in the course's formula), so no optimizer state goes out, and a compiled Keras
/// model's optimizer variables are left aside on import.
public enum KerasInterchange {
    /// The file name ending of a weights file.
    public static let weightsSuffix = ".weights.h5"
    /// The file name ending of an archive.
    public static let archiveSuffix = ".keras"

    /// What `lnet export` says about a Keras file of `model`, one sentence each.
    public static func exportNotes(for model: InterchangeModel, archive: Bool) -> [String] {
        var notes = ["Keras files carry weights only: Keras's Adam (ε added to the uncorrected √v) is not the course's, so no optimizer state goes out"]
        if !archive, model.inputDivisor != 1 || model.inputMean != nil {
            var steps: [String] = []
            if model.inputDivisor != 1 { steps.append("divided by \(model.inputDivisor)") }
            if model.inputMean != nil { steps.append("standardised with the mean and std in /lnet (or put keras.layers.Rescaling and Normalization in front, as the .keras export does)") }
            notes.append("the Dense layers take preprocessed inputs: features \(steps.joined(separator: ", then "))")
        }
        return notes
    }

    // MARK: Writing

    /// Writes `model`'s `.weights.h5` at `path`, atomically.
    public static func writeWeights(_ model: InterchangeModel, to path: String, options: InterchangeWriteOptions) throws {
        try check(model, path: path)
        try AtomicFile.replace(path) { temporary in
            try KerasWeightsFile.write(model, dtype: options.dtype, preprocessingLayers: false, at: temporary)
        }
    }

    /// Writes `model`'s `.keras` archive at `path`, atomically: `metadata.json`, `config.json` and `model.weights.h5`,
    /// stored, as Keras 3 writes them.
    public static func writeArchive(_ model: InterchangeModel, to path: String, options: InterchangeWriteOptions, date: Date = Date()) throws {
        try check(model, path: path)
        let weights = try weightsBytes(model, dtype: options.dtype, beside: path)
        try AtomicFile.replace(path) { temporary in
            try KerasArchive.write([
                (KerasArchive.metadataMember, KerasConfig.metadata(date: date)),
                (KerasArchive.configMember, KerasConfig.encoded(model, dtype: options.dtype)),
                (KerasArchive.weightsMember, weights),
            ], at: temporary)
        }
    }

    /// The weights file's bytes, written through HDF5 to a temporary file beside `path` that is removed at once.
    private static func weightsBytes(_ model: InterchangeModel, dtype: InterchangeDType, beside path: String) throws -> [UInt8] {
        try AtomicFile.checkWritable(path)
        let temporary = AtomicFile.temporaryPath(for: path + ".weights")
        unlink(temporary)
        defer { unlink(temporary) }
        try KerasWeightsFile.write(model, dtype: dtype, preprocessingLayers: true, at: temporary)
        guard let data = FileManager.default.contents(atPath: temporary) else {
            throw KerasError(path: path, problem: "cannot read back the weights written at \(temporary)")
        }
        return [UInt8](data)
    }

    private static func check(_ model: InterchangeModel, path: String) throws {
        if let problem = model.problems().first { throw KerasError(path: path, problem: problem.description) }
        for (index, activation) in model.activations.enumerated() {
            let allowed = index == model.activations.count - 1 ? KerasLayout.outputActivations : KerasLayout.hiddenActivations
            guard allowed.contains(activation) else {
                throw KerasError(path: path, problem: "layer \(index + 1)'s activation \(activation) has no Keras Dense activation of the same formula (Keras maps \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    // MARK: Reading

    /// Reads a `.weights.h5`: the Dense layers from the file, the activations from LNet's attributes or `options`.
    public static func readWeights(from path: String, options: InterchangeReadOptions, memoryLimit: Int = defaultMemoryLimit) throws -> InterchangeReading {
        let contents = try KerasWeightsFile.read(at: path, shownPath: path, memoryLimit: memoryLimit)
        var notes = leftAsideNotes(contents)
        for (name, variables) in contents.otherLayers where !variables.isEmpty {
            throw KerasError(path: path, problem: "/layers/\(name) holds \(variables.count) variables: a .weights.h5 says nothing of where that layer stands; import the .keras archive, or a Sequential of Dense layers")
        }
        let model = try assemble(contents, configActivations: nil, options: options, path: path, notes: &notes,
                                 preprocessing: (contents.inputDivisor ?? 1, contents.inputMean, contents.inputStd))
        return InterchangeReading(model: model, notes: notes)
    }

    /// Reads a `.keras` archive: the architecture from `config.json`, the weights from `model.weights.h5`.
    public static func readArchive(from path: String, options: InterchangeReadOptions, memoryLimit: Int = defaultMemoryLimit) throws -> InterchangeReading {
        func refuse(_ problem: String) -> KerasError { KerasError(path: path, problem: problem) }
        return try KerasArchive.read(path, memoryLimit: memoryLimit) { configBytes, weightsPath, others in
            let config = try KerasConfig.parse(configBytes, refuse: refuse)
            let contents = try KerasWeightsFile.read(at: weightsPath, shownPath: "\(path), member '\(KerasArchive.weightsMember)'", memoryLimit: memoryLimit)
            var notes = leftAsideNotes(contents)
            if !others.isEmpty { notes.append("left aside the archive's other members (\(others.prefix(5).joined(separator: ", ")))") }
            if !config.leftAside.isEmpty {
                notes.append("left aside \(config.leftAside.joined(separator: ", ")) (Dropout: no effect on predictions)")
            }
            guard config.dense.count == contents.dense.count else {
                throw refuse("config.json has \(config.dense.count) Dense layers, \(KerasArchive.weightsMember) \(contents.dense.count)")
            }
            for (index, (declared, layer)) in zip(config.dense, contents.dense).enumerated() where declared.units != layer.weight.shape[0] {
                throw refuse("layer '\(declared.name)' has \(declared.units) units in config.json, \(layer.weight.shape[0]) in the weights (dense\(index == 0 ? "" : "_\(index)"))")
            }
            let inputs = contents.dense[0].weight.shape[1]
            if let size = config.inputSize, size != inputs {
                throw refuse("the input has \(size) features in config.json, the first Dense kernel takes \(inputs)")
            }

            let (divisor, mean, std) = try preprocessing(config, contents, inputs: inputs, refuse: refuse)
            for (name, variables) in contents.otherLayers where !variables.isEmpty && name != "normalization" {
                throw refuse("/layers/\(name) holds \(variables.count) variables, but config.json has no such layer LNet takes")
            }
            let model = try assemble(contents, configActivations: config.dense.map(\.activation), options: options, path: path,
                                     notes: &notes, preprocessing: (divisor, mean, std))
            return InterchangeReading(model: model, notes: notes)
        }
    }

    /// The input preprocessing of a `.keras` archive's Rescaling and Normalization (formats/keras.md): a Rescaling of one
    /// scale and no offset is the divisor (1/scale); one of a scale and an offset per feature is a standardisation
    /// (std = 1/scale, mean = −offset/scale); a Normalization (its config's mean and variance, or an adapted layer's
    /// variables) is one too (std = max(√variance, 1e-7), as Keras divides). When LNet wrote the file, its record of
    /// the divisor, mean and std gives them bit for bit, once the layers are checked to agree with it.
    private static func preprocessing(
        _ config: KerasConfig, _ contents: KerasWeightsFile.Contents, inputs: Int, refuse: (String) -> KerasError
    ) throws -> (divisor: Double, mean: [Double]?, std: [Double]?) {
        var divisor = 1.0
        var mean: [Double]?, std: [Double]?
        if let scale = config.scale, let offset = config.offset {
            if scale.count == 1, offset == [0] {
                divisor = 1 / scale[0]
            } else {
                let scales = scale.count == 1 ? Array(repeating: scale[0], count: inputs) : scale
                let offsets = offset.count == 1 ? Array(repeating: offset[0], count: inputs) : offset
                guard scales.count == inputs, offsets.count == inputs else {
                    throw refuse("the Rescaling layer has \(scale.count) scales and \(offset.count) offsets for \(inputs) features")
                }
                std = scales.map { 1 / $0 }
                mean = zip(offsets, scales).map { -$0 / $1 }
            }
        }
        if config.normalizes {
            guard mean == nil else { throw refuse("a per-feature Rescaling and a Normalization: LNet standardises once") }
            var found = config.normalizationMean, variance = config.normalizationVariance
            if found == nil, let state = contents.otherLayers.first(where: { $0.name == "normalization" })?.variables, state.count >= 2 {
                found = state[0]
                variance = state[1]
            }
            guard let found, let variance, found.count == inputs, variance.count == inputs,
                  variance.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw refuse("the Normalization layer has no mean and variance of \(inputs) features (finite, variance ≥ 0)")
            }
            mean = found
            std = variance.map { max($0.squareRoot(), 1e-7) }
        }
        // LNet's own record, when the layers compute the same x·a + c to float32's precision.
        if let recorded = contents.inputDivisor, (contents.inputMean == nil) == (mean == nil) {
            let theirs = affine(divisor, mean, std, inputs), ours = affine(recorded, contents.inputMean, contents.inputStd, inputs)
            let agrees = zip(theirs.scale, ours.scale).allSatisfy { abs($0 - $1) <= 1e-6 * abs($1) }
                && zip(theirs.offset, ours.offset).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($1), 1) }
            if agrees { return (recorded, contents.inputMean, contents.inputStd) }
        }
        return (divisor, mean, std)
    }

    /// (x/d − mean)/std as x·scale + offset, per feature.
    private static func affine(_ divisor: Double, _ mean: [Double]?, _ std: [Double]?, _ count: Int) -> (scale: [Double], offset: [Double]) {
        guard let mean, let std, mean.count == count, std.count == count else {
            return (Array(repeating: 1 / divisor, count: count), Array(repeating: 0, count: count))
        }
        return (std.map { 1 / (divisor * $0) }, zip(mean, std).map { -$0 / $1 })
    }

    /// Calls `probe` with the path of a temporary copy of the archive's `model.weights.h5` (removed afterwards), so
    /// that the CLI's isolated probe walks it before libhdf5 reads it in-process, as for any other HDF5 input.
    public static func probeWeights(of path: String, memoryLimit: Int = defaultMemoryLimit, _ probe: (String) throws -> Void) throws {
        try KerasArchive.read(path, memoryLimit: memoryLimit) { _, weightsPath, _ in try probe(weightsPath) }
    }

    /// The `config.json` reader alone, as `lnet import` runs it on an archive's member: the Dense layers' activations
    /// of a Sequential LNet takes, or a ``KerasError`` for `path`. (The fuzz loop drives it with mutated configs.)
    public static func readConfig(_ bytes: [UInt8], path: String) throws -> [String] {
        guard bytes.count <= KerasConfig.maximumBytes else {
            throw KerasError(path: path, problem: "config.json has \(bytes.count) bytes, more than the \(KerasConfig.maximumBytes) a Sequential's config takes")
        }
        return try KerasConfig.parse(bytes) { KerasError(path: path, problem: $0) }.dense.map(\.activation)
    }

    /// Half the physical memory: what a reader may take for converted weights unless told otherwise.
    public static var defaultMemoryLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

    private static func leftAsideNotes(_ contents: KerasWeightsFile.Contents) -> [String] {
        contents.hasOptimizer
            ? ["left aside Keras's optimizer variables: its Adam (ε added to the uncorrected √v) is not the course's, so the checkpoint holds parameters only"]
            : []
    }

    private static func assemble(
        _ contents: KerasWeightsFile.Contents, configActivations: [String]?, options: InterchangeReadOptions, path: String,
        notes: inout [String], preprocessing: (divisor: Double, mean: [Double]?, std: [Double]?)
    ) throws -> InterchangeModel {
        func refuse(_ problem: String) -> KerasError { KerasError(path: path, problem: problem) }
        let layers = contents.dense
        let sizes = [layers[0].weight.shape[1]] + layers.map { $0.weight.shape[0] }
        if let declared = contents.layerDims, declared != sizes {
            throw refuse("\(KerasLayout.Key.layerDims) is \(declared), but the Dense layers make \(sizes)")
        }
        // Every source that says them must agree: the options, config.json, LNet's record.
        var activations: [String]?, source = ""
        for (said, by) in [(options.activations, "the ones given"), (configActivations, "config.json's"), (contents.activations, "LNet's record's")] {
            guard let said else { continue }
            if let earlier = activations, earlier != said {
                throw refuse("the activations \(said) (\(by)) differ from \(earlier) (\(source))")
            }
            activations = said
            source = by
        }
        guard let activations else {
            let example = (Array(repeating: "relu", count: max(layers.count - 1, 0)) + [sizes.last == 1 ? "sigmoid" : "softmax"]).joined(separator: ",")
            throw KerasError(path: path, activationsUnknownFor: layers.count, example: example)
        }
        guard activations.count == layers.count else {
            throw refuse("\(activations.count) activations for the \(layers.count) Dense layers")
        }
        for (index, activation) in activations.enumerated() {
            let last = index == activations.count - 1
            // Keras's leaky_relu has slope 0.2, LNet's 0.01: only the user's word makes a Keras layer LNet's leaky_relu.
            let allowed = last ? KerasLayout.outputActivations
                : KerasLayout.hiddenActivations.union(configActivations == nil && contents.activations == nil ? ["leaky_relu"] : [])
            guard allowed.contains(activation) else {
                let layer = KerasLayout.layerName("dense", index: index)
                throw refuse(last
                    ? "the last Dense layer (\(layer)) has activation \(activation): LNet's output layer is sigmoid or softmax (a linear output gives logits; add the activation in Keras first)"
                    : "the Dense layer \(layer) has activation \(activation): LNet's hidden layers take relu, tanh, sigmoid or linear")
            }
        }
        let output = activations.last ?? ""
        return InterchangeModel(
            layerSizes: sizes, activations: activations,
            loss: contents.loss ?? (output == "softmax" ? "categorical_cross_entropy" : "binary_cross_entropy"),
            initialization: contents.initialization ?? "unknown", classes: contents.classes,
            inputDivisor: preprocessing.divisor, inputMean: preprocessing.mean, inputStd: preprocessing.std, layers: layers,
            createdBy: contents.createdBy ?? "keras (imported by lnet \(LNetVersion.string))", dataSHA256: contents.dataSHA256)
    }
}
