/// The files a model can be exported to and imported from (`lnet export`, `lnet import`): one case per format, each
/// mapped to and from ``InterchangeModel`` by its own room under `Formats/`. The commands dispatch through this enum
/// alone, so a new format is a new case here and its room; nothing else changes.
public enum InterchangeFormat: String, CaseIterable, Sendable {
    /// A `.safetensors` file named as `torch.nn.Sequential` names its tensors (`Formats/Safetensors/`,
    /// formats/interchange.md).
    case safetensors
    /// A Keras 3 `.weights.h5` (Dense layers' kernels and biases; `Formats/Keras/`, formats/keras.md).
    case kerasWeights
    /// A Keras 3 `.keras` archive (config, metadata and weights; `Formats/Keras/`, formats/keras.md).
    case keras

    /// The format a file's name (or, for safetensors, its first bytes) says; nil when none does.
    public static func of(path: String) -> InterchangeFormat? {
        if SafetensorsFile.looksLikeSafetensors(path) { return .safetensors }
        if path.hasSuffix(KerasInterchange.weightsSuffix) { return .kerasWeights }
        if path.hasSuffix(KerasInterchange.archiveSuffix) { return .keras }
        return nil
    }

    /// The file names each format is known by, for messages: `.safetensors`.
    public var fileNames: String {
        switch self {
        case .safetensors: ".safetensors"
        case .kerasWeights: ".weights.h5"
        case .keras: ".keras"
        }
    }

    /// The file names of every format, for a refusal: `.safetensors`, ….
    public static var allFileNames: String { allCases.map(\.fileNames).joined(separator: ", ") }

    /// Whether the format can carry optimizer state (export `--optimizer`).
    public var carriesOptimizerState: Bool {
        switch self {
        case .safetensors: true
        case .kerasWeights, .keras: false
        }
    }

    /// Writes `model` to `path` atomically, in this format.
    public func write(_ model: InterchangeModel, to path: String, options: InterchangeWriteOptions) throws {
        switch self {
        case .safetensors: try SafetensorsInterchange.write(model, to: path, options: options)
        case .kerasWeights: try KerasInterchange.writeWeights(model, to: path, options: options)
        case .keras: try KerasInterchange.writeArchive(model, to: path, options: options)
        }
    }

    /// What an export to this format says beside the file written, one sentence each (Keras: weights only).
    public func exportNotes(for model: InterchangeModel) -> [String] {
        switch self {
        case .safetensors: []
        case .kerasWeights: KerasInterchange.exportNotes(for: model, archive: false)
        case .keras: KerasInterchange.exportNotes(for: model, archive: true)
        }
    }

    /// Reads the model in the file at `path`.
    public func read(from path: String, options: InterchangeReadOptions) throws -> InterchangeReading {
        switch self {
        case .safetensors: try SafetensorsInterchange.read(from: path, options: options)
        case .kerasWeights: try KerasInterchange.readWeights(from: path, options: options)
        case .keras: try KerasInterchange.readArchive(from: path, options: options)
        }
    }
}

/// The floating-point type an export writes its tensors in.
public enum InterchangeDType: String, CaseIterable, Sendable {
    /// IEEE double: the checkpoint's own values, bit for bit.
    case float64
    /// IEEE single: the frameworks' default type (values rounded to nearest).
    case float32
}

/// How `lnet export` writes a model.
public struct InterchangeWriteOptions: Sendable, Equatable {
    /// The type of the model's tensors (parameters, moments, preprocessing).
    public var dtype: InterchangeDType

    /// Options with the given type (float64 by default).
    public init(dtype: InterchangeDType = .float64) {
        self.dtype = dtype
    }
}

/// How `lnet import` reads a model.
public struct InterchangeReadOptions: Sendable, Equatable {
    /// One activation per layer (`relu`, …, `sigmoid`/`softmax` last), for a file that does not say; when the file
    /// says, they must agree.
    public var activations: [String]?
    /// Whether to read the optimizer state: nil reads it when the file holds one, false never does, true requires it.
    public var includeOptimizer: Bool?

    /// Options; by default the architecture comes from the file and the optimizer state is read when present.
    public init(activations: [String]? = nil, includeOptimizer: Bool? = nil) {
        self.activations = activations
        self.includeOptimizer = includeOptimizer
    }
}

/// What a reader found in a file: the model, and remarks for the user (tensors it left aside, state it did not take).
public struct InterchangeReading: Sendable, Equatable {
    /// The model.
    public var model: InterchangeModel
    /// Things worth saying that did not stop the import, each a sentence fragment.
    public var notes: [String]

    /// Makes a reading.
    public init(model: InterchangeModel, notes: [String] = []) {
        self.model = model
        self.notes = notes
    }
}
