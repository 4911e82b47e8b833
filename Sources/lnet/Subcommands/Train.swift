import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an L-layer network on a dataset file, as the course's model() does.",
        discussion: """
            Only --layers is required; every other default is the course's model(): Adam, learning rate \(CourseDefaults.learningRate), \
            mini-batches of \(CourseDefaults.batchSize), \(CourseDefaults.epochs) epochs, He initialisation with seed \(CourseDefaults.seed), \
            shuffle seed \(CourseDefaults.shuffleSeed), no decay.

            The course's cat classifier (L_layer_model), saving a checkpoint as it goes:

              lnet train --data train_catvnoncat.h5 --test test_catvnoncat.h5 \\
                --layers 20,7,5,1 --init deep --seed 1 --optimizer gd \\
                --learning-rate 0.0075 --batch-size 209 --epochs 2500 --print-every 100 \\
                --checkpoint cat.h5

            Ctrl-C finishes the current mini-batch, saves the checkpoint and prints the command that resumes.
            """)

    @Option(help: "The training dataset (formats/dataset.md).")
    var data: String

    @OptionGroup var names: DatasetNameOptions

    @Option(help: "A test dataset: its accuracy is printed at the end, and its cost and accuracy are recorded in the checkpoint at each interval.")
    var test: String?

    @Option(help: "The test file's features dataset (default: --x if given, else x or the one *_x such as test_set_x).")
    var testX: String?

    @Option(help: "The test file's labels dataset (default: --y if given, else y or the *_y beside *_x).")
    var testY: String?

    @Option(help: "Hidden and output units, comma-separated, e.g. 20,7,5,1 (the input size comes from the data).")
    var layers: String?

    @Option(help: "Start from this checkpoint's parameters (a parameters-only one will do, e.g. from lnet import) instead of a random initialisation; its layers and activations are the run's.")
    var initFrom: String?

    @Option(help: "One activation per layer: relu, leaky_relu, tanh, sigmoid, linear; the output sigmoid or softmax.")
    var activations: String?

    @Option(help: "Weight initialisation: he, deep (randn/√n) or scaled (randn·0.01).")
    var `init`: Initialization = .he

    @Option(parsing: .unconditional, help: "Seed of the initialisation (np.random.seed).")
    var seed: UInt32 = CourseDefaults.seed

    @Option(help: "The update rule: gradient descent, momentum or Adam.")
    var optimizer: OptimizerChoice = .adam

    @Option(parsing: .unconditional, help: "The initial learning rate.")
    var learningRate: Double = CourseDefaults.learningRate

    @Option(parsing: .unconditional, help: "Momentum's β.")
    var beta: Double = CourseDefaults.beta

    @Option(parsing: .unconditional, help: "Adam's β1.")
    var beta1: Double = CourseDefaults.beta1

    @Option(parsing: .unconditional, help: "Adam's β2.")
    var beta2: Double = CourseDefaults.beta2

    @Option(parsing: .unconditional, help: "Adam's ε.")
    var epsilon: Double = CourseDefaults.epsilon

    @Option(parsing: .unconditional, help: "Examples per mini-batch; m or more is full-batch gradient descent.")
    var batchSize: Int = CourseDefaults.batchSize

    @Option(parsing: .unconditional, help: "Epochs to train.")
    var epochs: Int = CourseDefaults.epochs

    @Option(parsing: .unconditional, help: "Epoch i is shuffled with the seed shuffle-seed + i + 1.")
    var shuffleSeed: UInt32 = CourseDefaults.shuffleSeed

    @Option(parsing: .unconditional, help: "L2 regularisation λ.")
    var l2: Double = 0

    @Option(parsing: .unconditional, help: "Dropout keep probability on hidden layers (1: no dropout).")
    var keepProb: Double = 1

    @Option(help: "Learning-rate decay: none, inverse (lr0 / (1 + rate·epoch)) or scheduled (a step every --decay-interval epochs).")
    var decay: DecayChoice = .none

    @Option(parsing: .unconditional, help: "The decay rate.")
    var decayRate: Double = 1

    @Option(parsing: .unconditional, help: "The interval of scheduled decay, in epochs.")
    var decayInterval: Int = 1000

    @Option(help: "The floating-point type of parameters, moments, activations and products (the cost is summed in float64); resume keeps the checkpoint's.")
    var dtype: Precision = .float64

    @Flag(help: "Standardise each feature with the training data's mean and standard deviation.")
    var standardize = false

    @Option(help: "Save a checkpoint to this file (formats/checkpoint.md).")
    var checkpoint: String?

    @OptionGroup var cadence: CheckpointCadenceOptions

    @Flag(help: "Overwrite an existing checkpoint (lnet resume continues one instead).")
    var force = false

    @OptionGroup var progress: ProgressOptions

    @Flag(help: "Print JSON Lines on standard output instead: one object per printed epoch, test measurement, checkpoint and best model saved, then a summary (formats/json-output.md).")
    var json = false
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var streaming: StreamingOptions
    @OptionGroup var distribution: DistributionOptions

    func validate() throws {
        guard layers != nil || initFrom != nil else {
            throw ValidationError("--layers is required (hidden and output units, e.g. 20,7,5,1), unless --init-from gives them")
        }
        if let layers { try requireNoEmptyEntries(layers, option: "--layers") }
        guard let units = parsedLayers, !units.isEmpty || initFrom != nil else {
            throw ValidationError("--layers takes positive unit counts separated by commas, e.g. 20,7,5,1")
        }
        if let activations, layers != nil {
            try requireNoEmptyEntries(activations, option: "--activations")
            try validateActivations(commaSeparated(activations), outputUnits: units.last ?? 1, layerCount: units.count)
        }
        if checkpoint?.isEmpty == true { throw ValidationError("--checkpoint needs a file name") }
        if cadence.keepBest, checkpoint == nil {
            throw ValidationError("--keep-best keeps <name>-best.h5 beside the checkpoint: give --checkpoint too")
        }
        if dtype == .float32, distribution.distributed || (distribution.gradShards ?? 1) > 1 {
            throw ValidationError("--grad-shards K>1 and --distributed train in float64 only: leave out --dtype float32")
        }
        if test == nil, testX != nil || testY != nil {
            throw ValidationError("--test-x and --test-y name datasets in the --test file: give --test too")
        }
        // Stricter than the library, which takes 0 epochs (a configuration whose epochs are set
        // later, or a run with nothing left to do): a command line that trains nothing is a mistake.
        try require(epochs >= 1, "--epochs", "1 or more", got: epochs)
        // The rules are the library's, stated once; every coefficient given is checked, also those
        // the chosen optimizer or decay ignores (`--optimizer gd --beta1 2` is a mistake too).
        let problems = trainingConfiguration().settingProblems()
            + Optimizer.momentum(beta: beta).problems()
            + Optimizer.adam(beta1: beta1, beta2: beta2, epsilon: epsilon).problems()
            + LearningRateDecay.scheduled(rate: decayRate, interval: decayInterval).problems()
        if let problem = problems.first { throw ValidationError(Phrasing.usage(problem)) }
    }

    private var parsedLayers: [Int]? { layers.map(positiveIntegers) ?? [] }

    func run() throws {
        // libhdf5 can crash on a crafted file: try each one in a limited child first.
        // An existing file at --checkpoint is opened too, to tell what it is before replacing it.
        let existingCheckpoint = (checkpoint.map { [$0] + (cadence.keepBest ? [CheckpointSettings.bestModelPath(besideCheckpoint: $0)] : []) } ?? [])
            .filter(HDF5File.hasSignature)
        try Isolation.probe([data] + (test.map { [$0] } ?? []) + existingCheckpoint + (initFrom.map { [$0] } ?? []))
        // Then: a Ctrl-C while the data loads stops cleanly instead of killing the process.
        StopSignals.install(repeatEnds: !distribution.distributed)
        var joinedRun: Distribution?
        // Thrown outside reportingErrors, which would report it as an error and exit 1.
        var stoppedBy: Int32?
        try reportingErrors {
            threading.apply()
            OpenMPWaitPolicy.beforeTraining(
                dataPath: data, x: names.x, y: names.y, layers: parsedLayers ?? [], batchSize: batchSize)
            // MPI_Init after the probe's fork and the OpenMP re-execution, before anything ranks agree on.
            let joined = try distribution.begin()
            joinedRun = joined
            var settings = TrainSettings(
                dataPath: data, xName: names.x, yName: names.y, testPath: test, layers: parsedLayers ?? [],
                activations: activations.map(commaSeparated), configuration: trainingConfiguration(),
                standardize: standardize,
                checkpoint: checkpoint.map {
                    var checkpoint = CheckpointSettings(
                        path: $0, everyEpochs: cadence.everyEpochs, interval: cadence.interval, keep: cadence.keep, force: force)
                    checkpoint.keepBest = cadence.keepBest
                    return checkpoint
                })
            settings.memory = streaming.policy
            settings.initFrom = initFrom
            settings.testXName = testX
            settings.testYName = testY
            let output = TrainingOutput(quiet: progress.quiet, json: json)
            output.checkpointPath = checkpoint
            let run = try TrainingRun.start(settings, printEvery: progress.printEvery, sharding: joined.sharding ?? .none,
                                            notes: joined.isRoot ? output.note : { _ in })
            stoppedBy = try drive(run, output, joined, ifStoppedBeforeStart: "nothing was written")
        }
        // Every rank leaves MPI after the same last collective call; a failed rank exits without it, and
        // mpirun then ends the job.
        try reportingErrors { try joinedRun?.finish() }
        if let signal = stoppedBy { throw ExitCode(128 + signal) }
    }

    private func trainingConfiguration() -> TrainingConfiguration {
        TrainingConfiguration(
            layerSizes: [], hiddenActivations: [], initialization: self.`init`, seed: seed,
            optimizer: optimizer.optimizer(beta: beta, beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate,
            decay: decay.decay(rate: decayRate, interval: decayInterval), batchSize: batchSize, shuffleSeed: shuffleSeed,
            l2: l2, keepProbability: keepProb, epochs: epochs, precision: dtype)
    }
}
