import LNetStorage
import LNetTraining

/// The examples a run trains or tests on: x read whole into memory and prepared
/// at once, or prepared a mini-batch (or a block) at a time by a source — streamed
/// from the file (`StreamedExamples`), or kept in memory in its stored type
/// (`StoredTypeExamples`).
enum RunExamples {
    case memory(LabeledData)
    case perBatch(any ExampleSource)

    /// n_x.
    var featureCount: Int {
        switch self {
        case .memory(let data): data.featureCount
        case .perBatch(let source): source.featureCount
        }
    }

    /// The session that trains `configuration` on these examples, from `state`
    /// (nil: a new run). In memory, full-batch training's examples-first copy of X
    /// gets what `memory`'s budget leaves beside X (at most the session's own cap).
    func session(_ configuration: TrainingConfiguration, state: TrainingState?, memory: MemoryPolicy,
                 sharding: GradientSharding = .none) throws -> TrainingSession {
        switch self {
        case .memory(let data):
            // A float32 run also holds X converted to float32 (4 bytes a value) beside the doubles.
            let bytesPerValue = MemoryLayout<Double>.size + (configuration.precision == .float32 ? MemoryLayout<Float>.size : 0)
            let (xBytes, overflow) = data.features.elements.count.multipliedReportingOverflow(by: bytesPerValue)
            let room = overflow ? 0 : max(0, memory.budget - xBytes)
            return try TrainingSession(configuration: configuration, data: data, resumingFrom: state,
                                       examplesFirstCopyLimit: min(room, TrainingSession.examplesFirstCopyLimit),
                                       sharding: sharding)
        case .perBatch(let source):
            return try TrainingSession(configuration: configuration, source: source, resumingFrom: state, sharding: sharding)
        }
    }

    /// Throws a `ConfigurationError` unless the examples fit `configuration`'s input layer and classes.
    func validate(_ configuration: TrainingConfiguration) throws {
        switch self {
        case .memory(let data):
            try configuration.validate(data)
        case .perBatch(let source):
            guard source.featureCount == configuration.layerSizes.first else {
                throw ConfigurationError("the network's input layer has \(configuration.layerSizes.first ?? 0) units but the data has \(source.featureCount) features")
            }
            let classCount = configuration.classCount
            if let index = source.labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classCount) }) {
                throw ConfigurationError("label \(source.labels[index]) of example \(index) is out of range: this network predicts classes 0…\(classCount - 1)")
            }
        }
    }

    /// `network`'s accuracy on these examples; streamed ones are predicted in
    /// blocks of about 8 MiB of features, so memory stays bounded.
    func accuracy(of network: Network) throws -> Double {
        switch self {
        case .memory(let data):
            return try network.accuracy(on: data)
        case .perBatch(let source):
            return try network.accuracy(on: source, blockColumns: max(1, (8 << 20) / max(8 * source.featureCount, 1)))
        }
    }
}

/// A dataset file opened for a run in the course's layout, prepared the way
/// training (or the checkpoint) says: read into memory, or streamed when the
/// memory policy asks (formats/dataset.md; `--stream`, `--memory-budget`).
struct LoadedData {
    let examples: RunExamples
    let xName: String
    let yName: String
    let classes: [String]?
    let classCount: Int
    let preprocessing: InputPreprocessing
    /// The image layout of x, when its examples are RGB images.
    var inputImage: InputImage? = nil
    /// The file, for the fingerprint.
    let path: String

    /// The data fingerprint (formats/dataset.md), computed only when asked:
    /// it reads x once more, which the training data needs and test data not.
    func fingerprint() throws -> String {
        let file = try DatasetFile(path: path, x: xName, y: yName)
        defer { try? file.close() }
        return try file.fingerprint()
    }

    /// Reads `path`. With `preprocessing` (from a checkpoint or the training
    /// data), applies it; otherwise divides as the file's type asks and, with
    /// `standardize`, fits the means and deviations to this data.
    ///
    /// `memory` decides between loading and streaming x; `batchSize` is the
    /// run's (nil for data that is only predicted, such as `--test`), since
    /// full-batch training is never streamed. `notes` hears why a choice was
    /// made when the command line did not say.
    static func read(
        path: String, x: String?, y: String?, preprocessing: InputPreprocessing?, standardize: Bool,
        memory: MemoryPolicy = .inMemory, batchSize: Int? = nil, selection: DatasetSelection = .data,
        notes: (String) -> Void = { _ in }
    ) throws -> LoadedData {
        let file = try DatasetFile(path: path, x: x, y: y, requireLabels: true, selection: selection)
        let decision = try memory.decide(
            featureBytes: Self.featureBytes(of: file, batchSize: batchSize), exampleCount: file.exampleCount,
            batchSize: batchSize ?? 0, path: path)
        switch decision {
        case .inMemory(let note):
            note.map(notes)
            defer { try? file.close() }
            if StoredTypeExamples.applies(to: file, batchSize: batchSize) {
                let source = try StoredTypeExamples(file: file, preprocessing: preprocessing, standardize: standardize)
                return LoadedData(
                    examples: .perBatch(source), xName: file.xName, yName: file.yName ?? "", classes: file.classes,
                    classCount: file.classes?.count ?? max(2, Int(source.labels.max() ?? 0) + 1),
                    preprocessing: source.preprocessing, inputImage: file.inputImage, path: path)
            }
            return try readWhole(file, preprocessing: preprocessing, standardize: standardize)
        case .stream(let note):
            try? file.close()
            note.map(notes)
            let source = try StreamedExamples.open(
                path: path, x: x, y: y, preprocessing: preprocessing, standardize: standardize, selection: selection)
            let labels = source.labels
            let opened = source.file
            return LoadedData(
                examples: .perBatch(source), xName: opened.xName, yName: opened.yName ?? "", classes: opened.classes,
                classCount: opened.classes?.count ?? max(2, Int(labels.max() ?? 0) + 1),
                preprocessing: source.preprocessing, inputImage: opened.inputImage, path: path)
        }
    }

    /// The bytes x takes in memory for a run with `batchSize` (nil: only predicted): as stored when a
    /// mini-batch run keeps it so (`StoredTypeExamples`), else as float64.
    static func featureBytes(of file: DatasetFile, batchSize: Int?) -> Int {
        StoredTypeExamples.applies(to: file, batchSize: batchSize) ? StoredTypeExamples.bytes(of: file) : file.inMemoryFeatureBytes
    }

    private static func readWhole(
        _ file: DatasetFile, preprocessing: InputPreprocessing?, standardize: Bool
    ) throws -> LoadedData {
        let path = file.path
        let divisor = preprocessing?.divisor ?? file.inputDivisor
        var features = try file.readFeatures(divisor: divisor)
        let m = file.exampleCount
        let n = file.featureCount
        if let index = features.firstIndex(where: { !$0.isFinite }) {
            let (example, feature) = index.quotientAndRemainder(dividingBy: n)
            throw RunError(
                path: path,
                "x (\(file.xName)) holds \(features[index]) at example \(example), feature \(feature): features must be finite numbers")
        }
        var prepared = preprocessing ?? InputPreprocessing(divisor: divisor)
        if preprocessing == nil, standardize {
            prepared = .standardizing(divisor: divisor, examplesInRows: features, exampleCount: m, featureCount: n)
        }
        if let mean = prepared.mean, mean.count != n {
            throw RunError(path: path, "x has \(n) features but the model standardises \(mean.count)")
        }
        prepared.standardize(examplesInRows: &features, featureCount: n)
        let labels = try file.readLabels()
        let classCount = file.classes?.count ?? max(2, (labels.max() ?? 0) + 1)
        let matrix = try Matrix(rows: m, columns: n, elements: features)
        let data: LabeledData
        do {
            data = try LabeledData(examplesInRows: matrix, labels: labels.map(Int64.init))
        } catch let error as ConfigurationError {
            throw RunError(path: path, error.description)
        }
        return LoadedData(
            examples: .memory(data), xName: file.xName, yName: file.yName ?? "", classes: file.classes,
            classCount: classCount, preprocessing: prepared, inputImage: file.inputImage, path: path)
    }
}
