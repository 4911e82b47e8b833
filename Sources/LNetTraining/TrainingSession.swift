/// What one call to ``TrainingSession/step()`` did.
public enum StepOutcome: Sendable, Equatable {
    /// A mini-batch update ran; the epoch is not over yet.
    case miniBatchCompleted(epoch: Int, miniBatch: Int)
    /// The update finished an epoch.
    case epochCompleted(EpochSummary)
    /// All configured epochs were already done; nothing ran.
    case finished
}

/// One finished epoch.
public struct EpochSummary: Sendable, Equatable {
    /// 0-based epoch index (the course prints "Cost after epoch i").
    public let epoch: Int
    /// `Σ_b (m_b/m)·J_b`.
    public let cost: Double
    /// The learning rate the following epoch will use.
    public let nextLearningRate: Double
}

/// A training run in memory: owns the parameters, the optimizer's moments, the
/// learning rate, the generator and the position inside the current epoch, and
/// advances one mini-batch update at a time.
///
/// ``state`` snapshots all of it as ``TrainingState`` values; a session built from a
/// snapshot continues bit-identically. A caller can stop after any update (Ctrl-C)
/// and act after each epoch (print, checkpoint) through ``run(shouldStop:afterEpoch:)``.
///
/// Not thread-safe: use a session from one task at a time.
public final class TrainingSession {
    /// The run's definition.
    public let configuration: TrainingConfiguration
    /// The training set, when it is held in memory (nil when streamed).
    public var data: LabeledData? {
        if case .memory(let data) = examples { return data }
        return nil
    }
    /// Where a streamed training set's mini-batches come from (nil in memory).
    public var exampleSource: (any ExampleSource)? {
        if case .streamed(let source) = examples { return source }
        return nil
    }
    /// m.
    public var exampleCount: Int { schedule.exampleCount }
    /// How epochs are cut into mini-batches.
    public let schedule: MiniBatchSchedule

    /// The examples: one matrix in memory (the hot path, gathered here without
    /// allocating), or a source that fills each mini-batch itself.
    private enum Examples {
        case memory(LabeledData)
        case streamed(any ExampleSource)
    }

    /// The buffers and the math, in the run's precision (``TrainingConfiguration/precision``).
    enum Engine {
        case float64(TrainingEngine<Double>)
        case float32(TrainingEngine<Float>)
    }

    private let examples: Examples
    private let layout: ParameterLayout
    private let engine: Engine
    /// The labels as `Int` class indices, and the current batch's gathered labels.
    private let allLabels: UnsafeMutablePointer<Int>
    private let batchLabels: UnsafeMutablePointer<Int>

    /// How each mini-batch's gradient is cut into shards and added (``GradientSharding``).
    public let sharding: GradientSharding
    /// The sharded pass (nil for K = 1, the plain one).
    private let sharded: ShardedBatch?

    private var adamStep: Int
    private var generator: NumpyRandom
    /// The current epoch's order of examples (nil for full-batch training).
    private var permutation: [Int]?

    /// The learning rate the next update uses.
    public private(set) var learningRate: Double
    /// Epochs fully finished.
    public private(set) var completedEpochs: Int
    /// Index of the next mini-batch inside the current epoch.
    public private(set) var nextMiniBatch: Int
    /// Σ of `Σloss + λ/2·Σ‖W‖²` over the current epoch's finished mini-batches.
    public private(set) var partialCostSum: Double
    /// The cost of every finished epoch.
    public private(set) var costs: [Double]

    /// Starts a new run (``TrainingState/init(initialFor:)``) or, given `state`,
    /// continues a saved one. Throws if the configuration, data or state do not fit.
    ///
    /// `examplesFirstCopyLimit` caps the bytes of the second, examples-first copy of X
    /// that full-batch training keeps (0: none; see ``examplesFirstCopyLimit``).
    ///
    /// `sharding` cuts every mini-batch's gradient into K shards added in a fixed order
    /// (``GradientSharding``); with a reducer of several ranks, rank 0's parameters and optimizer
    /// moments are broadcast to all before the first step.
    public convenience init(configuration: TrainingConfiguration, data: LabeledData, resumingFrom state: TrainingState? = nil,
                            examplesFirstCopyLimit: Int = TrainingSession.examplesFirstCopyLimit,
                            sharding: GradientSharding = .none) throws {
        try configuration.validate()
        try configuration.validate(data)
        try self.init(configuration: configuration, examples: .memory(data), labels: data.labels, resumingFrom: state,
                      examplesFirstCopyLimit: examplesFirstCopyLimit, sharding: sharding)
    }

    /// Starts or continues a run whose mini-batches `source` delivers (a
    /// dataset streamed from its file); every update equals, bit for bit, the
    /// in-memory run's on the same prepared data.
    ///
    /// Full-batch training (a batch size of m or more) needs all of X at once
    /// and is refused here: summing `dW = dZ·Xᵀ` block by block would change
    /// the order of the additions, and so the bits.
    public convenience init(configuration: TrainingConfiguration, source: any ExampleSource,
                            resumingFrom state: TrainingState? = nil, sharding: GradientSharding = .none) throws {
        try configuration.validate()
        guard source.featureCount == configuration.layerSizes.first else {
            throw ConfigurationError("the network's input layer has \(configuration.layerSizes.first ?? 0) units but the data has \(source.featureCount) features")
        }
        let labels = source.labels
        guard labels.count == source.exampleCount, source.exampleCount > 0 else {
            throw ConfigurationError("the data set has \(source.exampleCount) examples and \(labels.count) labels")
        }
        let classCount = configuration.classCount
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classCount) }) {
            throw ConfigurationError("label \(labels[index]) of example \(index) is out of range: this network predicts classes 0…\(classCount - 1)")
        }
        guard configuration.batchSize < source.exampleCount else {
            throw ConfigurationError("full-batch training (batch size \(configuration.batchSize) ≥ m = \(source.exampleCount)) needs all of X in memory; it cannot be streamed")
        }
        try self.init(configuration: configuration, examples: .streamed(source), labels: labels, resumingFrom: state,
                      examplesFirstCopyLimit: 0, sharding: sharding)
    }

    private init(configuration: TrainingConfiguration, examples: Examples, labels: [Int64],
                 resumingFrom state: TrainingState?, examplesFirstCopyLimit: Int, sharding: GradientSharding) throws {
        let state = try state ?? TrainingState(initialFor: configuration)
        let ranks = sharding.reducer.rankCount
        guard (1...GradientSharding.maximumShards).contains(sharding.shardCount) else {
            throw ConfigurationError("a mini-batch can be cut into 1 … \(GradientSharding.maximumShards) gradient shards, not \(sharding.shardCount)")
        }
        guard ranks == 1 || ranks == sharding.shardCount else {
            throw ConfigurationError("\(ranks) ranks cannot share \(sharding.shardCount) gradient shards: each rank computes one")
        }
        // The sharded step (ShardedBatch, the reducer's exchanges) is written in float64 only.
        guard sharding.shardCount == 1 || configuration.precision == .float64 else {
            throw ConfigurationError("gradient shards and distributed training need float64; this run trains in float32")
        }
        let layout = try ParameterLayout(layerSizes: configuration.layerSizes)
        let schedule = try MiniBatchSchedule(exampleCount: labels.count, batchSize: configuration.batchSize,
                                             shuffleSeed: configuration.shuffleSeed)
        try Self.check(state, fits: configuration, layout: layout, schedule: schedule)

        self.configuration = configuration
        self.examples = examples
        self.schedule = schedule
        self.layout = layout
        var fullBatch: LabeledData?
        if !schedule.shuffles, case .memory(let data) = examples { fullBatch = data }
        // A source that writes a float32 batch itself needs no batch of doubles in between.
        var gathersDoubles = false
        if case .streamed(let source) = examples { gathersDoubles = !(source is any Float32ExampleSource) }
        switch configuration.precision {
        case .float64:
            engine = .float64(TrainingEngine(
                configuration: configuration, layout: layout, batchSize: schedule.batchSize, shuffles: schedule.shuffles,
                gathersDoubles: gathersDoubles, state: state, fullBatch: fullBatch,
                examplesFirstLimit: sharding.shardCount > 1 ? 0 : examplesFirstCopyLimit))
        case .float32:
            engine = .float32(TrainingEngine(
                configuration: configuration, layout: layout, batchSize: schedule.batchSize, shuffles: schedule.shuffles,
                gathersDoubles: gathersDoubles, state: state, fullBatch: fullBatch,
                examplesFirstLimit: sharding.shardCount > 1 ? 0 : examplesFirstCopyLimit))
        }
        let m = labels.count
        allLabels = .allocate(capacity: m)
        for j in 0..<m { (allLabels + j).initialize(to: Int(labels[j])) }
        batchLabels = .allocate(capacity: schedule.batchSize)
        batchLabels.initialize(repeating: 0, count: schedule.batchSize)
        sharded = sharding.shardCount > 1
            ? ShardedBatch(sharding: sharding, configuration: configuration, layout: layout, batchSize: schedule.batchSize)
            : nil
        self.sharding = sharding

        adamStep = state.optimizer.adamStep
        generator = NumpyRandom(state: state.generator)
        learningRate = state.learningRate
        completedEpochs = state.completedEpochs
        nextMiniBatch = state.nextMiniBatch
        partialCostSum = state.partialCostSum
        costs = state.costs
        if ranks > 1, case .float64(let engine) = engine {
            // Rank 0's values are the run's: every rank starts from the same bits.
            try sharding.reducer.broadcastFromRoot(engine.parameters.pointer, count: layout.count)
            if let velocity = engine.velocity {
                try sharding.reducer.broadcastFromRoot(velocity.pointer, count: layout.count)
            }
            if let squares = engine.squares {
                try sharding.reducer.broadcastFromRoot(squares.pointer, count: layout.count)
            }
        }
        if nextMiniBatch > 0 {
            // Mid-epoch: redraw this epoch's permutation from its seed on a scratch
            // generator; the saved generator state already lies past it.
            var scratch = NumpyRandom(seed: 0)
            permutation = schedule.permutation(forEpoch: completedEpochs, generator: &scratch)
        }
    }

    /// The largest X (in bytes) that full-batch training copies examples-first.
    ///
    /// BLIS computes the first layer's `Z1 = W1·X` about 15 % faster when X is stored
    /// one example per row (measured for the cat model in a training loop: 2.06–2.10 ms
    /// against 2.32–2.43 ms, `benchmarks/blas/layouts.c`), while `dW1 = dZ1·Xᵀ` is
    /// faster in the course's layout; so full-batch training, where these two products
    /// are nearly all the work, keeps both layouts. Above this size the second copy
    /// costs more memory than the time it saves is worth. `lnet` lowers the cap to
    /// what `--memory-budget` leaves beside X. float64 only: float32's `sgemm` ran
    /// faster on the course's layout (see `TrainingEngine`).
    public static let examplesFirstCopyLimit = 256 << 20

    /// Whether this session keeps the examples-first copy (for tests).
    var usesExamplesFirstCopy: Bool {
        switch engine {
        case .float64(let engine): engine.examplesFirstFeatures != nil
        case .float32(let engine): engine.examplesFirstFeatures != nil
        }
    }

    deinit {
        allLabels.deallocate()
        batchLabels.deallocate()
    }

    private static func check(_ state: TrainingState, fits configuration: TrainingConfiguration,
                              layout: ParameterLayout, schedule: MiniBatchSchedule) throws {
        guard state.parameters.layerSizes == configuration.layerSizes else {
            throw TrainingError.incompatibleState("its layer sizes \(state.parameters.layerSizes) differ from the configuration's \(configuration.layerSizes)")
        }
        let optimizer = configuration.optimizer
        if optimizer.usesVelocity {
            guard state.optimizer.velocity?.layerSizes == configuration.layerSizes else {
                throw TrainingError.incompatibleState("the optimizer needs a first moment v shaped like the parameters")
            }
        }
        if optimizer.usesSquares {
            guard state.optimizer.squares?.layerSizes == configuration.layerSizes else {
                throw TrainingError.incompatibleState("Adam needs a second moment s shaped like the parameters")
            }
        }
        guard state.optimizer.adamStep >= 0 else { throw TrainingError.incompatibleState("Adam's t is negative") }
        guard state.completedEpochs >= 0, state.costs.count == state.completedEpochs else {
            throw TrainingError.incompatibleState("it records \(state.costs.count) costs for \(state.completedEpochs) completed epochs")
        }
        guard state.nextMiniBatch >= 0, state.nextMiniBatch < schedule.batchesPerEpoch else {
            throw TrainingError.incompatibleState("mini-batch \(state.nextMiniBatch) does not exist: an epoch has \(schedule.batchesPerEpoch)")
        }
        guard state.nextMiniBatch == 0 || state.completedEpochs < configuration.epochs else {
            throw TrainingError.incompatibleState("it is inside epoch \(state.completedEpochs), past the configured \(configuration.epochs) epochs")
        }
        guard state.generator.isValid else {
            throw TrainingError.incompatibleState("its generator state needs 624 key words and a position in 0...624")
        }
        guard state.partialCostSum.isFinite else {
            throw TrainingError.incompatibleState("its partial cost sum \(state.partialCostSum) is not finite")
        }
        guard state.learningRate.isFinite, state.learningRate > 0 else {
            throw TrainingError.incompatibleState("its learning rate \(state.learningRate) is not a positive number")
        }
    }

    /// A snapshot of the whole run, for checkpoints (copies the parameters and moments).
    ///
    /// A float32 run's values are widened to doubles exactly, so a session built from
    /// this state (with the same precision) continues bit for bit.
    public var state: TrainingState {
        TrainingState(
            parameters: parameterValues,
            optimizer: {
                switch engine {
                case .float64(let engine): engine.optimizerState(adamStep: adamStep)
                case .float32(let engine): engine.optimizerState(adamStep: adamStep)
                }
            }(),
            learningRate: learningRate,
            completedEpochs: completedEpochs,
            nextMiniBatch: nextMiniBatch,
            partialCostSum: partialCostSum,
            generator: generator.state,
            costs: costs)
    }

    /// The trained network so far (a copy of the parameters).
    public var network: Network {
        get throws {
            try Network(hiddenActivations: configuration.hiddenActivations, output: configuration.output,
                        parameters: parameterValues)
        }
    }

    /// The parameters as doubles (exact in either precision).
    private var parameterValues: NetworkParameters {
        switch engine {
        case .float64(let engine): engine.parameterValues
        case .float32(let engine): engine.parameterValues
        }
    }

    /// Whether every configured epoch has run.
    public var isFinished: Bool { completedEpochs >= configuration.epochs }

    /// Runs one mini-batch: forward pass, cost, backward pass, optimizer update.
    ///
    /// At the start of an epoch it first reseeds and draws the permutation; after the
    /// epoch's last mini-batch it records the cost and applies learning-rate decay.
    /// Throws ``TrainingError/nonFiniteCost(epoch:miniBatch:cost:)`` before updating
    /// if the mini-batch's cost is NaN or infinite. The parameters and optimizer state
    /// then still hold their values from before that mini-batch, but the generator has
    /// moved on, so resume from an earlier snapshot (e.g. the last checkpoint), not from
    /// the failed session's ``state``.
    @discardableResult
    public func step() throws -> StepOutcome {
        guard completedEpochs < configuration.epochs else { return .finished }
        let epoch = completedEpochs
        if nextMiniBatch == 0 {
            if schedule.shuffles {
                var order = permutation ?? []
                permutation = nil  // leaves `order` the array's only reference: no copy
                schedule.drawPermutation(forEpoch: epoch, generator: &generator, into: &order)
                permutation = order
            }
            partialCostSum = 0
        }
        let range = schedule.range(ofBatch: nextMiniBatch)
        let columns = range.count
        let batchTotal = try forwardAndBackward(range: range)
        guard batchTotal.isFinite else {
            throw TrainingError.nonFiniteCost(epoch: epoch, miniBatch: nextMiniBatch, cost: batchTotal / Double(columns))
        }
        if case .adam = configuration.optimizer { adamStep += 1 }
        switch engine {
        case .float64(let engine):
            engine.update(configuration.optimizer, learningRate: learningRate, adamStep: adamStep)
        case .float32(let engine):
            engine.update(configuration.optimizer, learningRate: learningRate, adamStep: adamStep)
        }
        partialCostSum += batchTotal
        nextMiniBatch += 1
        guard nextMiniBatch == schedule.batchesPerEpoch else {
            return .miniBatchCompleted(epoch: epoch, miniBatch: nextMiniBatch - 1)
        }
        let cost = partialCostSum / Double(schedule.exampleCount)
        costs.append(cost)
        learningRate = configuration.decay.learningRate(initial: configuration.learningRate, afterEpoch: epoch)
        completedEpochs += 1
        nextMiniBatch = 0
        partialCostSum = 0
        return .epochCompleted(EpochSummary(epoch: epoch, cost: cost, nextLearningRate: learningRate))
    }

    /// Forward and backward over the examples at `range` of this epoch's order; the
    /// gradients land in the engine's. Returns `Σloss + λ/2·Σ‖W‖²` for the batch.
    private func forwardAndBackward(range: Range<Int>) throws -> Double {
        switch engine {
        case .float64(let engine):
            if let sharded { return try shardedForwardAndBackward(range: range, sharded, engine: engine) }
            return try forwardAndBackward(range: range, engine: engine)
        case .float32(let engine): return try forwardAndBackward(range: range, engine: engine)
        }
    }

    private func forwardAndBackward<Scalar: TrainingScalar>(range: Range<Int>, engine: TrainingEngine<Scalar>) throws -> Double {
        let l2 = configuration.l2
        switch examples {
        case .memory(let data):
            if let permutation {
                try data.features.elements.withUnsafeBufferPointer { x in
                    guard let allFeatures = x.baseAddress else { throw ConfigurationError("the data set is empty") }
                    permutation.withUnsafeBufferPointer { order in
                        engine.gather(features: allFeatures, featureCount: data.featureCount,
                                      exampleCount: schedule.exampleCount, order: order, range: range)
                        for j in 0..<range.count { batchLabels[j] = allLabels[order[range.lowerBound + j]] }
                    }
                }
                return engine.pass(input: UnsafePointer(engine.batchFeatures.pointer), labels: UnsafePointer(batchLabels),
                                   columns: range.count, l2: l2, useExamplesFirst: false, generator: &generator)
            }
            // The examples-first copy holds all of X in order: only a full batch can use it.
            return try engine.withFullBatch(data) { input in
                engine.pass(input: input, labels: UnsafePointer(allLabels), columns: range.count, l2: l2,
                            useExamplesFirst: true, generator: &generator)
            }
        case .streamed(let source):
            guard let permutation else {
                throw ConfigurationError("full-batch training needs all of X in memory; it cannot be streamed")
            }
            try permutation.withUnsafeBufferPointer { order in
                try engine.gather(from: source, indices: UnsafeBufferPointer(rebasing: order[range]))
                for j in 0..<range.count { batchLabels[j] = allLabels[order[range.lowerBound + j]] }
            }
            return engine.pass(input: UnsafePointer(engine.batchFeatures.pointer), labels: UnsafePointer(batchLabels),
                               columns: range.count, l2: l2, useExamplesFirst: false, generator: &generator)
        }
    }

    /// ``forwardAndBackward(range:)`` cut into shards: each shard this process owns gathers only
    /// its own columns (a rank reads only its rows of a streamed file). float64 only (the
    /// initializer refuses sharding in float32).
    private func shardedForwardAndBackward(range: Range<Int>, _ sharded: ShardedBatch,
                                           engine: TrainingEngine<Double>) throws -> Double {
        let order = permutation
        let features = sharded.shardFeatures.pointer
        let labels = sharded.shardLabels
        return try sharded.run(batchColumns: range.count, parameters: engine.parameters.pointer,
                               gradients: engine.gradients.pointer, generator: &generator) { columns in
            let positions = (range.lowerBound + columns.lowerBound)..<(range.lowerBound + columns.upperBound)
            switch examples {
            case .memory(let data):
                let m = schedule.exampleCount
                data.features.elements.withUnsafeBufferPointer { x in
                    guard let x = x.baseAddress else { return }
                    for row in 0..<data.featureCount {
                        let source = x + row * m
                        let target = features + row * positions.count
                        if let order {
                            for (j, position) in positions.enumerated() { target[j] = source[order[position]] }
                        } else {
                            for (j, position) in positions.enumerated() { target[j] = source[position] }
                        }
                    }
                }
            case .streamed(let source):
                guard let order else {
                    throw ConfigurationError("full-batch training needs all of X in memory; it cannot be streamed")
                }
                try order.withUnsafeBufferPointer { order in
                    try source.gatherColumns(UnsafeBufferPointer(rebasing: order[positions]), into: features)
                }
            }
            for (j, position) in positions.enumerated() { labels[j] = allLabels[order?[position] ?? position] }
        }
    }

    /// Runs the rest of the current epoch; returns its summary (nil if training had already finished).
    @discardableResult
    public func runEpoch() throws -> EpochSummary? {
        while true {
            switch try step() {
            case .miniBatchCompleted: continue
            case .epochCompleted(let summary): return summary
            case .finished: return nil
            }
        }
    }

    /// Trains until every configured epoch has run or `shouldStop` returns true.
    ///
    /// `shouldStop` is asked after every mini-batch update (so Ctrl-C can stop within
    /// one update, leaving a consistent ``state``); `afterEpoch` runs after each epoch.
    /// Returns whether training finished (false if it was stopped).
    @discardableResult
    public func run(shouldStop: () -> Bool = { false },
                    afterEpoch: (EpochSummary) throws -> Void = { _ in }) throws -> Bool {
        while !isFinished {
            if case .epochCompleted(let summary) = try step() { try afterEpoch(summary) }
            if shouldStop() { return isFinished }
        }
        return true
    }
}
