/// The numbers of one ``TrainingSession`` in its precision: the parameters,
/// gradients and optimizer moments as flat `Scalar` buffers, the workspace of the
/// forward and backward passes, and the batch buffers the examples are gathered
/// (and, in float32, converted) into.
///
/// The session owns the schedule, the generator and the bookkeeping, which do not
/// depend on the element type; it holds one engine of the precision the run
/// trains in (``TrainingSession/Engine``), so the compiler specializes all of
/// this for `Double` and for `Float` and a float64 run does exactly what it did
/// before the math was generic.
final class TrainingEngine<Scalar: TrainingScalar> {
    let layout: ParameterLayout
    let workspace: ForwardBackwardWorkspace<Scalar>
    let parameters: ScalarBuffer<Scalar>
    let gradients: ScalarBuffer<Scalar>
    let velocity: ScalarBuffer<Scalar>?
    let squares: ScalarBuffer<Scalar>?
    /// The current mini-batch's features, `n_x × batch` (empty for full-batch training).
    let batchFeatures: ScalarBuffer<Scalar>
    /// A float32 run's full batch: all of X converted once, `n_x × m` (nil in float64,
    /// which reads the data's own doubles, and for mini-batches).
    let fullBatchFeatures: ScalarBuffer<Scalar>?
    /// Full-batch training only: X again, stored examples-first (`m × n_x`), for the
    /// first layer's forward product (see ``TrainingSession/examplesFirstCopyLimit``).
    let examplesFirstFeatures: ScalarBuffer<Scalar>?
    /// A streamed float32 run's batch as the source delivers it (doubles), before conversion;
    /// nil when the source writes floats itself (``Float32ExampleSource``).
    private let streamedDoubles: DoubleBuffer?

    /// Buffers for `state`'s values (rounded to `Scalar`: exact for a float32 run's own state).
    ///
    /// `gathersDoubles`: batches come from a source that writes doubles, which a float32
    /// run converts through a buffer of its own. `fullBatch` is the in-memory X of a
    /// full-batch run (nil otherwise);
    /// `examplesFirstLimit` caps the bytes of its examples-first copy.
    init(configuration: TrainingConfiguration, layout: ParameterLayout, batchSize: Int, shuffles: Bool,
         gathersDoubles: Bool, state: TrainingState, fullBatch: LabeledData?, examplesFirstLimit: Int) {
        self.layout = layout
        let featureCount = configuration.layerSizes.first ?? 0
        workspace = ForwardBackwardWorkspace(layout: layout, hiddenActivations: configuration.hiddenActivations,
                                             output: configuration.output,
                                             keepProbability: configuration.keepProbability, capacity: batchSize)
        parameters = ScalarBuffer(state.parameters.flattened)
        gradients = ScalarBuffer(count: layout.count)
        velocity = state.optimizer.velocity.map { ScalarBuffer($0.flattened) }
        squares = state.optimizer.squares.map { ScalarBuffer($0.flattened) }
        batchFeatures = ScalarBuffer(count: shuffles ? featureCount * batchSize : 0)
        streamedDoubles = gathersDoubles && Scalar.precision != .float64 ? DoubleBuffer(count: featureCount * batchSize) : nil
        let converted = Scalar.precision == .float64 ? nil : fullBatch.map { ScalarBuffer<Scalar>($0.features.elements) }
        fullBatchFeatures = converted
        examplesFirstFeatures = Self.examplesFirstCopy(of: fullBatch, converted: converted, layerSizes: configuration.layerSizes,
                                                       limit: examplesFirstLimit)
    }

    private static func examplesFirstCopy(of data: LabeledData?, converted: ScalarBuffer<Scalar>?, layerSizes: [Int],
                                          limit: Int) -> ScalarBuffer<Scalar>? {
        // float32 reads the course's layout: measured on the cat model (AMD EPYC, zen3 kernels), BLIS's sgemm
        // is faster on it than on the copy (Z1 = W1·X: 1.82 against 2.20 ms on 2 threads, 2.59 against 3.33 ms
        // on 1; 500 epochs end to end: 1.34–1.70 s against 1.80–1.89 s), and the copy's memory is saved too.
        // float64 keeps the choice measured on the SkylakeX machine (benchmarks/blas/README.md).
        guard let data, layerSizes.count > 1, Scalar.precision == .float64 else { return nil }
        let (features, m) = (data.featureCount, data.exampleCount)
        let (bytes, overflow) = features.multipliedReportingOverflow(by: m * MemoryLayout<Scalar>.size)
        // Only a product BLIS computes gains anything; a tiny one runs as loops either way.
        guard !overflow, bytes <= limit, layerSizes[1] * m * features >= BLAS.loopThreshold else {
            return nil
        }
        let copy = ScalarBuffer<Scalar>(count: features * m)
        if let converted {
            transpose(UnsafePointer(converted.pointer), rows: features, columns: m, into: copy.pointer)
        } else {
            data.features.elements.withUnsafeBufferPointer { x in
                guard let x = x.baseAddress else { return }
                // Scalar is Double here: only float64 makes no converted copy.
                x.withMemoryRebound(to: Scalar.self, capacity: features * m) { x in
                    transpose(x, rows: features, columns: m, into: copy.pointer)
                }
            }
        }
        return copy
    }

    /// The full batch as this precision reads it: the data's own doubles in float64,
    /// the converted copy in float32.
    func withFullBatch<R>(_ data: LabeledData, _ body: (UnsafePointer<Scalar>) throws -> R) throws -> R {
        if let fullBatchFeatures { return try body(UnsafePointer(fullBatchFeatures.pointer)) }
        return try data.features.elements.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { throw ConfigurationError("the data set is empty") }
            return try base.withMemoryRebound(to: Scalar.self, capacity: x.count) { try body($0) }
        }
    }

    /// Copies the columns `order[range]` of `X` (`n_x × m`, doubles) into the batch buffer
    /// (`n_x × |range|`), rounding each to `Scalar`.
    func gather(features x: UnsafePointer<Double>, featureCount: Int, exampleCount m: Int,
                order: UnsafeBufferPointer<Int>, range: Range<Int>) {
        let columns = range.count
        let destination = batchFeatures.pointer
        for row in 0..<featureCount {
            let source = x + row * m
            let target = destination + row * columns
            for j in 0..<columns { target[j] = Scalar(rounding: source[order[range.lowerBound + j]]) }
        }
    }

    /// Fills the batch buffer from a streamed source: directly in float64, and in float32
    /// when the source writes floats itself (``Float32ExampleSource``); otherwise through
    /// a buffer of doubles.
    func gather(from source: any ExampleSource, indices: UnsafeBufferPointer<Int>) throws {
        if Scalar.precision == .float32, let direct = source as? any Float32ExampleSource {
            try batchFeatures.pointer.withMemoryRebound(to: Float.self, capacity: batchFeatures.count) {
                try direct.gatherColumns(indices, into: $0)
            }
            return
        }
        guard let streamedDoubles else {
            // Scalar is Double: the source writes the batch buffer itself.
            try batchFeatures.pointer.withMemoryRebound(to: Double.self, capacity: batchFeatures.count) {
                try source.gatherColumns(indices, into: $0)
            }
            return
        }
        try source.gatherColumns(indices, into: streamedDoubles.pointer)
        let count = source.featureCount * indices.count
        let target = batchFeatures.pointer, values = streamedDoubles.pointer
        for i in 0..<count { target[i] = Scalar(rounding: values[i]) }
    }

    /// The forward pass, the cost and (when it is finite) the backward pass over one
    /// batch; returns `Σloss + λ/2·Σ‖W‖²` in float64.
    func pass(input: UnsafePointer<Scalar>, labels: UnsafePointer<Int>, columns: Int, l2: Double,
              useExamplesFirst: Bool, generator: inout NumpyRandom) -> Double {
        let examplesFirst = useExamplesFirst ? examplesFirstFeatures.map { UnsafePointer($0.pointer) } : nil
        workspace.forward(parameters: parameters.pointer, input: input, columns: columns,
                          applyDropout: true, generator: &generator, examplesFirstInput: examplesFirst)
        var total = workspace.lossSum(labels: labels, columns: columns)
        if l2 != 0 { total += l2 / 2 * layout.sumOfSquaredWeights(parameters.pointer) }
        if total.isFinite {
            workspace.backward(parameters: parameters.pointer, gradients: gradients.pointer, input: input,
                               labels: labels, columns: columns, l2: l2)
        }
        return total
    }

    /// One optimizer update from the gradients of the last pass.
    func update(_ optimizer: Optimizer, learningRate: Double, adamStep: Int) {
        optimizer.update(parameters: parameters.pointer, gradients: gradients.pointer,
                         velocity: velocity?.pointer, squares: squares?.pointer,
                         count: layout.count, learningRate: learningRate, adamStep: adamStep)
    }

    /// The parameters, as doubles (exact).
    var parameterValues: NetworkParameters { NetworkParameters(layout: layout, flat: parameters.pointer) }

    /// The optimizer's state, as doubles (exact).
    func optimizerState(adamStep: Int) -> OptimizerState {
        OptimizerState(velocity: velocity.map { NetworkParameters(layout: layout, flat: $0.pointer) },
                       squares: squares.map { NetworkParameters(layout: layout, flat: $0.pointer) },
                       adamStep: adamStep)
    }
}
