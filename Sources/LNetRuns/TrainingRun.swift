import Foundation
import LNetStorage
import LNetTraining

/// What `lnet train` asks for, before the data is read (the input size and
/// the default output layer come from the data).
public struct TrainSettings: Sendable {
    /// The training dataset file (formats/dataset.md); the checkpoint records its absolute path.
    public var dataPath: String
    /// The features dataset inside it; nil resolves it as `DatasetFile` does (`x`, or the one `<prefix>_x`).
    public var xName: String?
    /// The labels dataset inside it; nil resolves it as `DatasetFile` does (`y`, or the one `<prefix>_y`).
    public var yName: String?
    /// A dataset to report accuracy on once training completes (`--test`), prepared as the training data is.
    public var testPath: String?
    /// The features dataset inside the test file (`--test-x`); nil: `xName` if given, else the naming rule.
    public var testXName: String?
    /// The labels dataset inside the test file (`--test-y`); nil: `yName` if given, else the naming rule.
    public var testYName: String?
    /// Hidden and output units, e.g. `[20, 7, 5, 1]`.
    public var layers: [Int]
    /// One per layer, output last; `nil` for relu hidden layers and a
    /// sigmoid (one unit) or softmax output.
    public var activations: [String]?
    /// Everything else: the course's `model()` defaults unless set.
    public var configuration: TrainingConfiguration
    /// Whether to standardise each feature with the mean and standard deviation of the (divided) training data, which
    /// the checkpoint then stores (`--standardize`).
    public var standardize: Bool
    /// Where and how often to save checkpoints; nil trains without saving any.
    public var checkpoint: CheckpointSettings?
    /// Whether x is loaded or streamed (`--stream`, `--memory-budget`); in memory unless set.
    public var memory: MemoryPolicy = .inMemory
    /// A checkpoint whose parameters replace the initialisation (`--init-from`), a parameters-only one included;
    /// its architecture is the run's: `layers` empty takes its sizes, and given ones (and `activations`) must match.
    public var initFrom: String?

    /// Makes the settings; `layers` excludes the input size, which comes from the data. Set `memory` afterwards
    /// to stream x.
    public init(
        dataPath: String, xName: String? = nil, yName: String? = nil, testPath: String? = nil, layers: [Int],
        activations: [String]? = nil, configuration: TrainingConfiguration, standardize: Bool = false,
        checkpoint: CheckpointSettings? = nil
    ) {
        self.dataPath = dataPath
        self.xName = xName
        self.yName = yName
        self.testPath = testPath
        self.layers = layers
        self.activations = activations
        self.configuration = configuration
        self.standardize = standardize
        self.checkpoint = checkpoint
    }
}

/// Where and how often a run saves checkpoints.
public struct CheckpointSettings: Sendable {
    /// The wall time between periodic saves when nothing else is asked: a short run
    /// is saved once, at its end, and a killed long run loses about this much
    /// (formats/checkpoint.md, "When checkpoints are written").
    public static let defaultInterval: Double = 30

    /// The checkpoint file, replaced atomically on every save.
    public var path: String
    /// Save at every multiple of this many epochs (besides at the end and on interruption); 0: not by epochs.
    public var everyEpochs: Int
    /// Save when this many seconds of wall time have passed since the last save; 0: not by time.
    public var interval: Double
    /// Also keep the last `keep` checkpoints as `<stem>-epoch<N>.h5`.
    public var keep: Int
    /// Overwrite an existing checkpoint (train only).
    public var force: Bool
    /// Also keep the best model so far as `<stem>-best.h5` (`--keep-best`), judged at each interval on the test
    /// cost, or on the training cost without test data.
    public var keepBest = false

    /// Makes the settings: by default a save every ``defaultInterval`` seconds of training (and at the end), no
    /// history kept, and no overwriting of an existing file.
    public init(path: String, everyEpochs: Int = 0, interval: Double = defaultInterval, keep: Int = 0, force: Bool = false) {
        self.path = path
        self.everyEpochs = everyEpochs
        self.interval = interval
        self.keep = keep
        self.force = force
    }
}

/// What `lnet resume` asks for.
public struct ResumeSettings: Sendable {
    /// The checkpoint to continue; it is also where the run saves from then on.
    public var checkpointPath: String
    /// More epochs to run; `nil` continues up to the checkpoint's target.
    public var epochs: Int?
    /// The data, when it has moved (or for a parameters-only checkpoint).
    public var dataPath: String?
    /// Continue even when the data's fingerprint differs from the checkpoint's `data_sha256` (`--allow-data-change`);
    /// otherwise resuming throws.
    public var allowDataChange: Bool
    /// Save at every multiple of this many epochs (besides at the end and on interruption); 0: not by epochs.
    public var everyEpochs: Int
    /// Save when this many seconds of wall time have passed since the last save; 0: not by time.
    public var interval: Double
    /// Also keep the last `keep` checkpoints as `<stem>-epoch<N>.h5`; 0 keeps none.
    public var keep: Int
    /// Whether x is loaded or streamed (`--stream`, `--memory-budget`); in memory unless set.
    public var memory: MemoryPolicy = .inMemory
    /// Keep the best model as `<stem>-best.h5` (`--keep-best`); a checkpoint that already records a best keeps
    /// doing so without it.
    public var keepBest = false

    /// Makes the settings: by default up to the checkpoint's target, on the data it names, saving every
    /// ``CheckpointSettings/defaultInterval`` seconds.
    public init(
        checkpointPath: String, epochs: Int? = nil, dataPath: String? = nil, allowDataChange: Bool = false,
        everyEpochs: Int = 0, interval: Double = CheckpointSettings.defaultInterval, keep: Int = 0
    ) {
        self.checkpointPath = checkpointPath
        self.epochs = epochs
        self.dataPath = dataPath
        self.allowDataChange = allowDataChange
        self.everyEpochs = everyEpochs
        self.interval = interval
        self.keep = keep
    }
}

/// Something a run tells its caller as it goes.
public enum TrainingEvent: Sendable {
    /// An epoch finished. `isReported` is true on the epochs the course
    /// prints (every `printEvery`, and the last).
    case epochCompleted(EpochSummary, isReported: Bool)
    /// A mini-batch update ran inside an epoch (not the one that ended it):
    /// `miniBatch` (0-based) of the 0-based `epoch`. Sent after every update,
    /// so a handler that reads the clock should do so only now and then.
    case miniBatchCompleted(epoch: Int, miniBatch: Int)
    /// A checkpoint was written.
    case checkpointSaved(path: String, epoch: Int, batchInEpoch: Int)
    /// The network was measured on the test data after the 0-based `epoch` (at each checkpoint interval and after
    /// the last epoch); the result is in the checkpoint's test history.
    case testMeasured(epoch: Int, cost: Double, accuracy: Double)
    /// A better model was kept at `path` (`--keep-best`), taken after the 0-based epoch `best.epoch`.
    case bestKept(path: String, best: BestRecord)
    /// A remark worth showing (a fresh optimizer for a parameters-only checkpoint…).
    case note(String)
}

/// How a run ended.
public struct TrainingOutcome: Sendable {
    /// False when a stop was requested before the last epoch.
    public var completed: Bool
    /// Whole epochs completed in total, including those before a resume.
    public var epochsCompleted: Int
    /// The total number of epochs the run was asked to reach.
    public var epochsTarget: Int
    /// The cost of the last completed epoch; nil when no epoch has completed.
    public var lastCost: Double?
    /// The fraction (0...1) of training examples classified correctly at the end; nil when the run was stopped early.
    public var trainAccuracy: Double?
    /// The same fraction on the `--test` data; nil without test data or when the run was stopped early.
    public var testAccuracy: Double?
    /// What continues an interrupted run, when there is a checkpoint.
    public var resumeCommand: ResumeCommand?
    /// The best model kept so far (`--keep-best`) and where, or nil.
    public var best: BestRecord? = nil
    /// Where the best model is kept, with `--keep-best`.
    public var bestPath: String? = nil
    /// The test cost and accuracy measured so far, this run's and those carried from before a resume.
    public var testHistory = TestHistory()
}

/// A training run tied to files: it reads the dataset, prepares the inputs,
/// drives a `TrainingSession`, saves checkpoints and reports progress.
public final class TrainingRun {
    /// The configuration the run trains with, completed from the data or the checkpoint (layer sizes, activations,
    /// target epochs).
    public let configuration: TrainingConfiguration
    /// Where the data came from and how it is prepared, as the checkpoints record it.
    public let record: RunRecord
    private let session: TrainingSession
    private let checkpoint: CheckpointSettings?
    private let printEvery: Int
    private let test: RunExamples?
    private let resumeHint: ResumeCommand?
    /// Held for as long as the run exists, so that no second run writes its checkpoint.
    private let writerLock: WriterLock?
    /// The test cost and accuracy at each interval, carried across resume.
    private var testHistory: TestHistory
    /// With `--keep-best`.
    private let bestKeeper: BestModelKeeper?

    private init(
        configuration: TrainingConfiguration, record: RunRecord, session: TrainingSession,
        checkpoint: CheckpointSettings?, printEvery: Int, test: RunExamples?, resumeHint: ResumeCommand?,
        writerLock: WriterLock?, testHistory: TestHistory = TestHistory(), bestKeeper: BestModelKeeper? = nil
    ) {
        self.writerLock = writerLock
        self.testHistory = testHistory
        self.bestKeeper = bestKeeper
        self.configuration = configuration
        self.record = record
        self.session = session
        self.checkpoint = checkpoint
        self.printEvery = max(printEvery, 1)
        self.test = test
        self.resumeHint = resumeHint
    }

    /// The state so far, for tests and callers that save it themselves.
    public var state: TrainingState { session.state }

    /// Examples per epoch (`m`), for progress and rates.
    public var examplesPerEpoch: Int { session.schedule.exampleCount }

    /// Mini-batches per epoch, as the session cuts them.
    public var batchesPerEpoch: Int { session.schedule.batchesPerEpoch }

    // MARK: Starting

    /// Prepares a new run: reads and checks the data, builds the network.
    ///
    /// `sharding` cuts each mini-batch's gradient into shards (`--grad-shards`) or shares it among MPI
    /// ranks (`--distributed`); only rank 0 then checks, locks and writes the checkpoint.
    public static func start(_ settings: TrainSettings, printEvery: Int = 1000, sharding: GradientSharding = .none,
                             notes: (String) -> Void = { _ in }) throws -> TrainingRun
    {
        var settings = settings
        if !sharding.isRoot { settings.checkpoint = nil }
        // Refused now rather than at the first save, after minutes of training.
        if let checkpoint = settings.checkpoint { try AtomicFile.checkWritable(checkpoint.path) }
        // Before anything else looks at the checkpoint: a run writing it now must
        // not be overwritten (nor its file judged) by this one.
        let writerLock = try settings.checkpoint.map { try WriterLock.acquire(for: $0.path) }
        if let checkpoint = settings.checkpoint {
            let inputs = [settings.dataPath] + (settings.testPath.map { [$0] } ?? []) + (settings.initFrom.map { [$0] } ?? [])
            try checkTarget(checkpoint, inputs: InputFiles(inputs))
            if checkpoint.keepBest {
                try BestModelKeeper.checkTarget(
                    BestModelKeeper.path(besideCheckpoint: checkpoint.path), inputs: InputFiles(inputs + [checkpoint.path]),
                    isNewRun: true, force: checkpoint.force)
            }
        }
        try admit(settings.configuration, layerSizes: { [$0] + settings.layers }, dataPath: settings.dataPath,
                  x: settings.xName, y: settings.yName, testPath: settings.testPath,
                  testX: settings.testXName ?? settings.xName, testY: settings.testYName ?? settings.yName,
                  memory: settings.memory, sharding: sharding)
        let initial = try settings.initFrom.map { try initialNetwork(from: $0, settings: &settings) }
        let loaded = try LoadedData.read(path: settings.dataPath, x: settings.xName, y: settings.yName, preprocessing: nil,
                                         standardize: settings.standardize, memory: settings.memory,
                                         batchSize: settings.configuration.batchSize, notes: notes)
        var configuration = settings.configuration
        configuration.layerSizes = [loaded.examples.featureCount] + settings.layers
        if let initial, let path = settings.initFrom, initial.inputCount != loaded.examples.featureCount {
            throw RunError(path: path, "its network takes \(initial.inputCount) features, the data's examples have \(loaded.examples.featureCount)")
        }
        let (hidden, output) = try activations(settings.activations, layers: settings.layers, classCount: loaded.classCount)
        configuration.hiddenActivations = hidden
        configuration.output = output
        if output == .softmax, let units = settings.layers.last, units < loaded.classCount {
            throw RunError(path: settings.dataPath, "y has \(loaded.classCount) classes but the output layer has \(units) units")
        }
        do {
            try configuration.validate()
            try loaded.examples.validate(configuration)
        } catch let error as ConfigurationError {
            throw RunError(path: settings.dataPath, error.description)
        }
        let (testX, testY) = (settings.testXName ?? settings.xName, settings.testYName ?? settings.yName)
        let test = try settings.testPath.map {
            try testExamples(path: $0, x: testX, y: testY, preprocessing: loaded.preprocessing, memory: settings.memory,
                             fitting: configuration)
        }
        var record = RunRecord(
            dataPath: absolute(settings.dataPath), xName: loaded.xName, yName: loaded.yName,
            dataSHA256: try loaded.fingerprint(), testDataPath: settings.testPath.map(absolute) ?? "",
            testXName: settings.testPath == nil ? "" : testX ?? "", testYName: settings.testPath == nil ? "" : testY ?? "",
            classes: loaded.classes, preprocessing: loaded.preprocessing, inputImage: loaded.inputImage)
        record.gradientShards = sharding.shardCount
        record.ranks = sharding.reducer.rankCount
        var state: TrainingState?
        if let initial {
            // The initialisation still draws from the generator, as a run without --init-from would, so the
            // generator and everything after it are the same; only the parameters are replaced.
            var fresh = try TrainingState(initialFor: configuration)
            fresh.parameters = initial.network.parameters
            state = fresh
        }
        let session = try makeSession(configuration, loaded.examples, state, memory: settings.memory,
                                      dataPath: settings.dataPath, sharding: sharding)
        var hint: ResumeCommand?
        if sharding.reducer.rankCount > 1, let checkpoint = settings.checkpoint {
            hint = ResumeCommand(checkpoint: checkpoint.path)
            hint?.ranks = sharding.reducer.rankCount
        }
        let keeper = settings.checkpoint.flatMap { checkpoint in
            checkpoint.keepBest
                ? BestModelKeeper(path: BestModelKeeper.path(besideCheckpoint: checkpoint.path),
                                  measure: test == nil ? .trainingCost : .testCost, best: nil)
                : nil
        }
        return TrainingRun(
            configuration: configuration, record: record, session: session, checkpoint: settings.checkpoint,
            printEvery: printEvery, test: test, resumeHint: hint, writerLock: writerLock, bestKeeper: keeper)
    }

    /// The network of the `--init-from` checkpoint; fills in `settings.layers` and `settings.activations` from it, or
    /// checks that the given ones are its.
    private static func initialNetwork(from path: String, settings: inout TrainSettings) throws -> (network: Network, inputCount: Int) {
        let checkpoint = try CheckpointFile.read(from: path)
        let network = try TrainingCheckpoint.network(from: checkpoint, path: path)
        let sizes = Array(checkpoint.model.layerDims.dropFirst())
        if settings.layers.isEmpty {
            settings.layers = sizes
        } else if settings.layers != sizes {
            throw RunError(path: path, "its layers are \(sizes.map(String.init).joined(separator: ",")), not \(settings.layers.map(String.init).joined(separator: ","))")
        }
        if let given = settings.activations, given != checkpoint.model.activations {
            throw RunError(path: path, "its activations are \(checkpoint.model.activations.joined(separator: ",")), not \(given.joined(separator: ","))")
        }
        settings.activations = checkpoint.model.activations
        return (network, checkpoint.model.layerDims.first ?? 0)
    }

    /// Prepares to continue the run a checkpoint holds, exactly where it stopped.
    ///
    /// `sharding` nil continues with the checkpoint's own gradient shards (`gradient_shards`) in this one
    /// process, bit for bit; given, it is `--grad-shards` or the MPI ranks of `--distributed`, and a
    /// different K than the checkpoint's goes on with a note (the same numbers up to summation order).
    public static func resume(_ settings: ResumeSettings, printEvery: Int = 1000, sharding requested: GradientSharding? = nil,
                              notes: (String) -> Void = { _ in }) throws -> TrainingRun
    {
        let isRoot = requested?.isRoot ?? true
        let path = settings.checkpointPath
        // A file without a settings checksum is said once the run is ready, so that a checkpoint
        // refused for another reason (no --data, a changed dataset) is one error line, not a note and an error.
        var uncheckedNotes: [String] = []
        let checkpoint = try CheckpointFile.read(from: path, notes: { uncheckedNotes.append($0) })
        // After the read, so that a missing or damaged checkpoint is reported as such;
        // reading while another run writes is safe (it replaces the file by renaming).
        let writerLock = isRoot ? try WriterLock.acquire(for: path) : nil
        // Only rank 0 saves: the other ranks of a distributed run have no checkpoint settings.
        var checkpointSettings: CheckpointSettings?
        if isRoot {
            var rootSettings = CheckpointSettings(
                path: path, everyEpochs: settings.everyEpochs, interval: settings.interval, keep: settings.keep, force: true)
            rootSettings.keepBest = settings.keepBest || checkpoint.training?.best != nil
            checkpointSettings = rootSettings
        }
        let bestPath = BestModelKeeper.path(besideCheckpoint: path)
        var hint = ResumeCommand(checkpoint: path)
        hint.ranks = requested?.reducer.rankCount ?? 1
        guard let training = checkpoint.training else {
            // A parameters-only checkpoint, as a numpy user writes it.
            guard let dataPath = settings.dataPath else {
                throw RunError(path: path, .parametersOnlyNeedData)
            }
            guard let epochs = settings.epochs else {
                throw RunError(path: path, .parametersOnlyNeedEpochs)
            }
            notes("the checkpoint holds parameters only: starting a fresh Adam optimizer (zero moments, t = 0, learning rate \(CourseDefaults.learningRate))")
            var configuration = try TrainingCheckpoint.architecture(from: checkpoint, path: path)
            configuration.epochs = epochs
            let preprocessing = TrainingCheckpoint.preprocessing(from: checkpoint)
            try admit(configuration, layerSizes: { _ in configuration.layerSizes }, dataPath: dataPath, x: nil, y: nil,
                      memory: settings.memory, sharding: requested ?? .none)
            let loaded = try LoadedData.read(path: dataPath, x: nil, y: nil, preprocessing: preprocessing, standardize: false,
                                             memory: settings.memory, batchSize: configuration.batchSize, notes: notes)
            let network = try TrainingCheckpoint.network(from: checkpoint, path: path)
            var state = try TrainingState(initialFor: configuration)
            state.parameters = network.parameters
            let sharding = requested ?? .none
            let session = try makeSession(configuration, loaded.examples, state, memory: settings.memory, dataPath: dataPath,
                                          sharding: sharding)
            var record = RunRecord(
                dataPath: absolute(dataPath), xName: loaded.xName, yName: loaded.yName, dataSHA256: try loaded.fingerprint(),
                classes: checkpoint.model.classes ?? loaded.classes, preprocessing: preprocessing,
                inputImage: checkpoint.model.inputImage ?? imageLayout(loaded, preprocessing))
            record.gradientShards = sharding.shardCount
            record.ranks = sharding.reducer.rankCount
            hint.dataPath = absolute(dataPath)
            var keeper: BestModelKeeper?
            if checkpointSettings?.keepBest == true {
                try BestModelKeeper.checkTarget(bestPath, inputs: InputFiles([dataPath, path]), isNewRun: false, force: true)
                keeper = BestModelKeeper(path: bestPath, measure: .trainingCost, best: BestModelKeeper.record(inFile: bestPath))
            }
            uncheckedNotes.forEach(notes)
            return TrainingRun(
                configuration: configuration, record: record, session: session, checkpoint: checkpointSettings,
                printEvery: printEvery, test: nil, resumeHint: hint, writerLock: writerLock, bestKeeper: keeper)
        }
        var configuration = try TrainingCheckpoint.configuration(from: checkpoint, path: path)
        let state = try TrainingCheckpoint.state(from: checkpoint, path: path)
        if let more = settings.epochs {
            // An epoch interrupted part-way counts as the first of the `more`.
            let (target, overflow) = state.completedEpochs.addingReportingOverflow(more)
            guard !overflow else { throw RunError(path: path, .epochsTooLarge(more)) }
            configuration.epochs = target
        }
        let sharding = requested ?? GradientSharding(shardCount: training.gradientShards)
        if sharding.shardCount != training.gradientShards {
            notes("the checkpoint's gradients were summed over \(training.gradientShards) shard\(training.gradientShards == 1 ? "" : "s"); this run sums \(sharding.shardCount): the same numbers up to summation order, not the same bits")
        } else if sharding.reducer.rankCount != training.ranks {
            notes("the checkpoint was written by \(training.ranks) rank\(training.ranks == 1 ? "" : "s"), this run has \(sharding.reducer.rankCount): the same \(sharding.shardCount) gradient shards, so the same bits")
        }
        let dataPath = settings.dataPath ?? training.data
        // The checkpoint is this run's output: it may not be its data as well.
        let inputPaths = [dataPath] + (training.testData.isEmpty ? [] : [training.testData])
        let inputs = InputFiles(inputPaths)
        try inputs.refuse(output: path)
        if settings.keep > 0 { try CheckpointHistory(path: path).refuseInputs(inputs) }
        if settings.dataPath != nil { hint.dataPath = absolute(dataPath) }
        let preprocessing = TrainingCheckpoint.preprocessing(from: checkpoint)
        try admit(configuration, layerSizes: { _ in configuration.layerSizes }, dataPath: dataPath, x: training.xName,
                  y: training.yName, testPath: training.testData.isEmpty ? nil : training.testData,
                  testX: training.testXName.isEmpty ? nil : training.testXName,
                  testY: training.testYName.isEmpty ? nil : training.testYName, memory: settings.memory,
                  sharding: sharding)
        let loaded = try LoadedData.read(
            path: dataPath, x: training.xName, y: training.yName, preprocessing: preprocessing, standardize: false,
            memory: settings.memory, batchSize: configuration.batchSize, notes: notes)
        let fingerprint = try loaded.fingerprint()
        if fingerprint != training.dataSHA256 {
            guard settings.allowDataChange else {
                throw RunError(path: dataPath, .dataChanged(checkpoint: path, recorded: training.dataSHA256, now: fingerprint))
            }
            notes("the data has changed since the checkpoint was written; continuing on it as allowed")
            hint.allowsDataChange = true
        }
        // The test data is the checkpoint's, not the command line's: when it is gone or no
        // longer fits, the run goes on without a test accuracy and says why.
        var test: RunExamples?
        if !training.testData.isEmpty {
            if !FileManager.default.fileExists(atPath: training.testData) {
                notes("the test data \(training.testData) no longer exists: no test accuracy will be printed")
            } else {
                do {
                    test = try testExamples(
                        path: training.testData, x: training.testXName.isEmpty ? nil : training.testXName,
                        y: training.testYName.isEmpty ? nil : training.testYName, preprocessing: preprocessing,
                        memory: settings.memory, fitting: configuration,
                        selection: .recordedTest)
                } catch {
                    notes("the test data cannot be used (\(error)): no test accuracy will be printed")
                }
            }
        }
        var record = RunRecord(
            dataPath: absolute(dataPath), xName: loaded.xName, yName: loaded.yName, dataSHA256: fingerprint,
            testDataPath: training.testData, testXName: training.testXName, testYName: training.testYName,
            classes: checkpoint.model.classes, preprocessing: preprocessing, inputImage: checkpoint.model.inputImage)
        record.gradientShards = sharding.shardCount
        record.ranks = sharding.reducer.rankCount
        let session = try makeSession(configuration, loaded.examples, state, memory: settings.memory, dataPath: path,
                                      sharding: sharding)
        var keeper: BestModelKeeper?
        if checkpointSettings?.keepBest == true {
            try BestModelKeeper.checkTarget(bestPath, inputs: InputFiles(inputPaths + [path]), isNewRun: false, force: true)
            keeper = resumedKeeper(path: bestPath, recorded: training.best, hasTest: test != nil,
                                   hadTest: !training.testData.isEmpty, notes: notes)
        }
        uncheckedNotes.forEach(notes)
        return TrainingRun(
            configuration: configuration, record: record, session: session, checkpoint: checkpointSettings,
            printEvery: printEvery, test: test, resumeHint: hint, writerLock: writerLock,
            testHistory: training.testHistory, bestKeeper: keeper)
    }

    /// The keeper of a resumed run: it judges on what the run judged on before (the test cost when it had test
    /// data), starting from the better of the checkpoint's record and the kept file's own, so that a model kept
    /// after the checkpoint was last saved is never replaced by a worse one.
    private static func resumedKeeper(
        path: String, recorded: BestRecord?, hasTest: Bool, hadTest: Bool, notes: (String) -> Void
    ) -> BestModelKeeper {
        let measure = recorded?.measure ?? (hadTest ? .testCost : .trainingCost)
        var best = recorded
        if let kept = BestModelKeeper.record(inFile: path), kept.measure == measure, kept.cost < (best?.cost ?? .infinity) {
            best = kept
        }
        let canJudge = measure == .trainingCost || hasTest
        if !canJudge {
            notes("the best model is judged on the test data, which this run cannot use: \(path) is left as it is")
        }
        return BestModelKeeper(path: path, measure: measure, best: best, isJudging: canJudge)
    }

    /// The image layout a parameters-only checkpoint gains from the data it is resumed on: only when the
    /// checkpoint divides by 255 as image data needs, so a photo is prepared as its training examples were.
    private static func imageLayout(_ loaded: LoadedData, _ preprocessing: InputPreprocessing) -> InputImage? {
        preprocessing.divisor == 255 ? loaded.inputImage : nil
    }

    /// Refuses a checkpoint path that would replace one of the run's `inputs` (by
    /// the file, through any link), or a file that is not an LNet checkpoint
    /// (even with `force`), or an existing checkpoint without `force`.
    private static func checkTarget(_ checkpoint: CheckpointSettings, inputs: InputFiles) throws {
        try AtomicFile.checkWritable(checkpoint.path)
        try inputs.refuse(output: checkpoint.path)
        if checkpoint.keep > 0 { try CheckpointHistory(path: checkpoint.path).refuseInputs(inputs) }
        switch try CheckpointTarget.examine(checkpoint.path) {
        case .absent:
            break
        case .checkpoint:
            guard checkpoint.force else {
                throw RunError(path: checkpoint.path, .checkpointExists(checkpoint.path))
            }
        case .other(let description):
            throw RunError(path: checkpoint.path, .notACheckpoint(description))
        }
    }

    /// Refuses, before x is read or anything sized by the network is allocated, a run
    /// whose estimated peak memory (``MemoryEstimate/training``) exceeds what `memory`
    /// allows. Reads only the datasets' headers (and decides streaming as
    /// `LoadedData.read` will); `layerSizes` gets n_x.
    private static func admit(
        _ configuration: TrainingConfiguration, layerSizes: (Int) -> [Int], dataPath: String, x: String?, y: String?,
        testPath: String? = nil, testX: String? = nil, testY: String? = nil, memory: MemoryPolicy,
        sharding: GradientSharding
    ) throws {
        let file = try DatasetFile(path: dataPath, x: x, y: y, requireLabels: true)
        let (m, n) = (file.exampleCount, file.featureCount)
        let featureBytes = LoadedData.featureBytes(of: file, batchSize: configuration.batchSize)
        let storedType = StoredTypeExamples.applies(to: file, batchSize: configuration.batchSize)
        try? file.close()
        let decision = try memory.decide(featureBytes: featureBytes, exampleCount: m,
                                         batchSize: configuration.batchSize, path: dataPath)
        let streamed = if case .stream = decision { true } else { false }
        // A test file that cannot be opened is reported where it is read, with its own options' names.
        let testFile = testPath.flatMap { try? DatasetFile(path: $0, x: testX, y: testY, requireLabels: true) }
        let testCount = testFile.map { $0.exampleCount } ?? 0
        try? testFile?.close()
        let sizes = layerSizes(n)
        let estimate = MemoryEstimate.training(
            layerSizes: sizes, exampleCount: m, batchSize: configuration.batchSize, optimizer: configuration.optimizer,
            keepProbability: configuration.keepProbability, streamed: streamed,
            keptInStoredType: storedType && !streamed, testExampleCount: testCount,
            localGradientShards: sharding.shardCount > 1 ? sharding.localShardCount : 0,
            examplesFirstCopyLimit: min(max(0, memory.budget - featureBytes), TrainingSession.examplesFirstCopyLimit),
            precision: configuration.precision)
        try memory.admit(estimate, path: dataPath,
                         what: "training layers \(sizes.map(String.init).joined(separator: ",")) on \(m) examples")
    }

    /// Reads the `--test` data, prepared as the training data, and checks now, before any
    /// training, that the network can be measured on it: its features and its labels.
    private static func testExamples(
        path: String, x: String?, y: String?, preprocessing: InputPreprocessing, memory: MemoryPolicy,
        fitting configuration: TrainingConfiguration, selection: DatasetSelection = .test
    ) throws -> RunExamples {
        let examples = try LoadedData.read(path: path, x: x, y: y, preprocessing: preprocessing, standardize: false,
                                           memory: memory, selection: selection).examples
        do {
            try examples.validate(configuration)
        } catch let error as ConfigurationError {
            throw RunError(path: path, "test data: " + error.description)
        }
        return examples
    }

    private static func makeSession(
        _ configuration: TrainingConfiguration, _ examples: RunExamples, _ state: TrainingState?, memory: MemoryPolicy,
        dataPath: String, sharding: GradientSharding
    ) throws -> TrainingSession {
        do {
            return try examples.session(configuration, state: state, memory: memory, sharding: sharding)
        } catch let error as ConfigurationError {
            throw RunError(path: dataPath, error.description)
        } catch let error as TrainingError {
            throw RunError(path: dataPath, error.description)
        }
    }

    // MARK: Running

    /// Trains until the target epoch, or until `stopRequested` answers true
    /// after a mini-batch update; then saves a checkpoint (when there is one)
    /// that records the position inside the epoch.
    ///
    /// Periodic saves (``CheckpointScheduler``) are written in the background
    /// while training goes on (``BackgroundCheckpointWriter``); the final save
    /// and the save on a stop are written before this returns, after any
    /// save in flight. Every path out of here waits for that save.
    public func run(stopRequested: () -> Bool = { false }, events: (TrainingEvent) -> Void = { _ in }) throws
        -> TrainingOutcome
    {
        let writer = BackgroundCheckpointWriter()
        defer { writer.waitUntilIdle() }
        var schedule = checkpoint.map {
            CheckpointScheduler(
                everyEpochs: $0.everyEpochs, interval: $0.interval, completedEpochs: session.state.completedEpochs,
                now: Self.now())
        }
        var lastSavedEpoch = session.state.completedEpochs
        var lastCost = session.state.costs.last
        let target = configuration.epochs
        while !session.isFinished {
            let outcome: StepOutcome
            do {
                outcome = try session.step()
            } catch let error as TrainingError {
                // Whether a checkpoint exists is known once a save in flight has ended.
                writer.waitUntilIdle()
                let kept = checkpoint.map { FileManager.default.fileExists(atPath: $0.path) ? "; the checkpoint \($0.path) is left as it was" : "" } ?? ""
                throw RunError(path: record.dataPath, error.description + kept)
            }
            if case .miniBatchCompleted(let epoch, let miniBatch) = outcome {
                events(.miniBatchCompleted(epoch: epoch, miniBatch: miniBatch))
            }
            if case .epochCompleted(let summary) = outcome {
                lastCost = summary.cost
                let isLast = summary.epoch == target - 1
                events(.epochCompleted(summary, isReported: summary.epoch % printEvery == 0 || isLast))
                let completed = summary.epoch + 1
                let now = Self.now()
                // The test history and the best model are measured on a fixed rule of epochs, so a
                // run split by a resume records what a straight run records: at each save due by
                // epochs (--checkpoint-every), or at each printed epoch when saves are due by time,
                // and at the end.
                let everyEpochs = checkpoint?.everyEpochs ?? 0
                let isMeasured = everyEpochs > 0
                    ? completed % everyEpochs == 0 : printEvery > 0 && summary.epoch % printEvery == 0
                if isLast || isMeasured {
                    try measure(after: summary, events: events)
                }
                if let checkpoint, !isLast {
                    try collect(writer, events: events)
                    // A save due by epochs is the user's numbered record: it waits for a save still in
                    // flight. One due by time is taken at the first epoch end after that save ends
                    // (BackgroundCheckpointWriter). The last epoch is saved below, synchronously.
                    if everyEpochs > 0, completed % everyEpochs == 0, writer.isBusy {
                        writer.waitUntilIdle()
                        try collect(writer, events: events)
                    }
                    if !writer.isBusy, schedule?.isDue(completedEpochs: completed, now: now) == true {
                        let snapshot = try self.snapshot(for: checkpoint)
                        if writer.startIfIdle({ try Self.write(snapshot) }) {
                            schedule?.saved(completedEpochs: completed, now: now)
                            lastSavedEpoch = completed
                        }
                    }
                }
            }
            if !session.isFinished, try agreeToStop(stopRequested()) {
                if let checkpoint { try saveNow(to: checkpoint, after: writer, events: events) }
                return TrainingOutcome(
                    completed: false, epochsCompleted: session.state.completedEpochs, epochsTarget: target,
                    lastCost: lastCost, trainAccuracy: nil, testAccuracy: nil,
                    resumeCommand: checkpoint.map { resumeHint ?? ResumeCommand(checkpoint: $0.path) },
                    best: bestKeeper?.best, bestPath: bestKeeper?.path, testHistory: testHistory)
            }
        }
        if let checkpoint {
            writer.waitUntilIdle()
            try collect(writer, events: events)
            if lastSavedEpoch != session.state.completedEpochs || !FileManager.default.fileExists(atPath: checkpoint.path) {
                try saveNow(to: checkpoint, after: writer, events: events)
            }
        }
        let network = try session.network
        return TrainingOutcome(
            completed: true, epochsCompleted: session.state.completedEpochs, epochsTarget: target, lastCost: lastCost,
            trainAccuracy: try trainAccuracy(of: network), testAccuracy: try test.map { try $0.accuracy(of: network) },
            resumeCommand: nil, best: bestKeeper?.best, bestPath: bestKeeper?.path, testHistory: testHistory)
    }

    /// Whether the run stops now: across MPI ranks, whether any rank was asked to (each gets its own
    /// SIGTERM from mpirun, not all at the same update), so that all stop after the same update.
    private func agreeToStop(_ requested: Bool) throws -> Bool {
        let reducer = session.sharding.reducer
        return reducer.rankCount > 1 ? try reducer.anyRank(requested) : requested
    }

    /// At an interval's end: the test cost and accuracy into the history, then the best model judged.
    private func measure(after summary: EpochSummary, events: (TrainingEvent) -> Void) throws {
        var judged = summary.cost
        if let test {
            let result = try test.measure(try session.network)
            testHistory.record(epoch: summary.epoch, cost: result.cost, accuracy: result.accuracy)
            events(.testMeasured(epoch: summary.epoch, cost: result.cost, accuracy: result.accuracy))
            judged = result.cost
        }
        guard let bestKeeper, bestKeeper.measure == .trainingCost || test != nil else { return }
        let state = session.state
        guard Self.isFinite(state.parameters) else { return }  // the save that follows says so
        let kept = try bestKeeper.consider(cost: judged, epoch: summary.epoch) { record in
            var best = makeCheckpoint(state)
            best.training?.best = record
            do {
                try CheckpointFile.write(best, to: bestKeeper.path)
            } catch {
                throw RunError(
                    path: bestKeeper.path,
                    "cannot save the best model of epoch \(summary.epoch) (\(error)); training stopped and the previous best is left as it was")
            }
        }
        if kept, let best = bestKeeper.best { events(.bestKept(path: bestKeeper.path, best: best)) }
    }

    /// The checkpoint of `state`, with the test history and the best-model record.
    private func makeCheckpoint(_ state: TrainingState) -> Checkpoint {
        var checkpoint = TrainingCheckpoint.make(configuration: configuration, state: state, record: record)
        checkpoint.training?.testHistory = testHistory
        checkpoint.training?.best = bestKeeper?.best
        return checkpoint
    }

    /// Everything one save writes, taken at a boundary: a copy of the state, so that training may go on.
    private struct Snapshot: Sendable {
        let settings: CheckpointSettings
        let configuration: TrainingConfiguration
        let state: TrainingState
        let record: RunRecord
        let testHistory: TestHistory
        let best: BestRecord?
    }

    /// Reports the background writes finished so far, and throws the failure of one.
    private func collect(_ writer: BackgroundCheckpointWriter, events: (TrainingEvent) -> Void) throws {
        for written in writer.takeWritten() {
            events(.checkpointSaved(path: written.path, epoch: written.epoch, batchInEpoch: written.batchInEpoch))
        }
        if let failure = writer.takeFailure() { throw failure }
    }

    /// Saves now, on this thread, once a save in flight has ended (and throws its failure, if it failed).
    private func saveNow(
        to settings: CheckpointSettings, after writer: BackgroundCheckpointWriter, events: (TrainingEvent) -> Void
    ) throws {
        writer.waitUntilIdle()
        try collect(writer, events: events)
        let written = try Self.write(try snapshot(for: settings))
        events(.checkpointSaved(path: written.path, epoch: written.epoch, batchInEpoch: written.batchInEpoch))
    }

    /// A copy of the state to save, refused when the parameters are no longer finite.
    private func snapshot(for settings: CheckpointSettings) throws -> Snapshot {
        let state = session.state
        // The cost is computed before each update, so the update that ends an
        // epoch can overflow the parameters while the epoch's cost is finite.
        // Such a state is no checkpoint: keep the last good one instead.
        guard Self.isFinite(state.parameters), Self.isFinite(state.optimizer.velocity), Self.isFinite(state.optimizer.squares)
        else {
            let epoch = state.isAtEpochBoundary ? state.completedEpochs - 1 : state.completedEpochs
            let kept = FileManager.default.fileExists(atPath: settings.path)
                ? "; the checkpoint \(settings.path) is left as it was" : "; no checkpoint was written"
            throw RunError(
                path: record.dataPath,
                "the parameters became NaN or infinite in epoch \(epoch); training stopped — try a smaller learning rate" + kept)
        }
        return Snapshot(
            settings: settings, configuration: configuration, state: state, record: record, testHistory: testHistory,
            best: bestKeeper?.best)
    }

    /// Writes `snapshot` with the atomic protocol and keeps its numbered copy; on any thread.
    private static func write(_ snapshot: Snapshot) throws -> BackgroundCheckpointWriter.Written {
        let (settings, state, record) = (snapshot.settings, snapshot.state, snapshot.record)
        var checkpoint = TrainingCheckpoint.make(configuration: snapshot.configuration, state: state, record: record)
        checkpoint.training?.testHistory = snapshot.testHistory
        checkpoint.training?.best = snapshot.best
        do {
            try CheckpointFile.write(checkpoint, to: settings.path)
        } catch {
            // A failed save (full disk, I/O error) ends the run, periodic or not: going on
            // would train for nothing, since nothing after it could be saved either
            // (formats/checkpoint.md, "Writing safely"). The previous checkpoint is whole.
            let kept = FileManager.default.fileExists(atPath: settings.path)
                ? "the checkpoint is left as it was" : "no checkpoint was written"
            throw RunError(
                path: settings.path,
                "cannot save the checkpoint of epoch \(state.completedEpochs) (\(error)); training stopped and \(kept)")
        }
        if settings.keep > 0, state.isAtEpochBoundary {
            // On the writer's thread, before the next save can replace `settings.path`.
            try CheckpointHistory(path: settings.path).keep(
                current: settings.path, epoch: state.completedEpochs, last: settings.keep,
                sparing: InputFiles([record.dataPath] + (record.testDataPath.isEmpty ? [] : [record.testDataPath])))
        }
        return .init(path: settings.path, epoch: state.completedEpochs, batchInEpoch: state.nextMiniBatch)
    }

    /// Monotonic seconds, for the cadence by time.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    // MARK: Helpers

    /// The accuracy on the training data, predicted in blocks when it is streamed.
    private func trainAccuracy(of network: Network) throws -> Double {
        if let data = session.data { return try network.accuracy(on: data) }
        guard let source = session.exampleSource else { throw RunError(path: record.dataPath, "the run has no training data") }
        return try network.accuracy(on: source, blockColumns: max(1, (8 << 20) / max(8 * source.featureCount, 1)))
    }

    private static func isFinite(_ parameters: NetworkParameters?) -> Bool {
        guard let parameters else { return true }
        return (parameters.weights + parameters.biases).allSatisfy { $0.elements.allSatisfy(\.isFinite) }
    }

    private static func activations(_ names: [String]?, layers: [Int], classCount: Int) throws
        -> (hidden: [Activation], output: OutputLayer)
    {
        guard let names else {
            let output: OutputLayer = classCount > 2 || (layers.last ?? 1) > 1 ? .softmax : .sigmoid
            return (Array(repeating: .relu, count: max(layers.count - 1, 0)), output)
        }
        do {
            return try ActivationNames.parse(names, layerCount: layers.count, outputUnits: layers.last ?? 1)
        } catch let error as ConfigurationError {
            throw RunError(path: nil, error)
        }
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
