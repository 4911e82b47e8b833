/// The sharded form of one mini-batch's forward and backward pass (``GradientSharding`` with K > 1):
/// the shards this process owns, each computed on its own columns, their partial gradients and loss
/// sums added along ``ShardTree``'s fixed tree, here or across ranks.
///
/// What makes K ranks equal one process with K shards, bit for bit:
/// - each shard's dW and db are scaled by the whole batch's `1/m` inside its own product and sum, and
///   the L2 term is added once, after the shards;
/// - the dropout masks of the whole batch are drawn first, in the order the unsharded pass draws them
///   (layer by layer, `n_l × m` row-major), by every rank; a shard takes its columns. So the masks, and
///   the generator's state afterwards, do not depend on N or K.
final class ShardedBatch {
    let sharding: GradientSharding
    private let layout: ParameterLayout
    private let workspace: ForwardBackwardWorkspace<Double>
    /// One vector per local shard: its gradient (the parameters' flat layout) followed by its loss sum.
    private let partials: DoubleBuffer
    private let reduced: DoubleBuffer
    private let masks: [DoubleBuffer]
    /// A shard's gathered features (`n_x × columns`) and labels.
    let shardFeatures: DoubleBuffer
    let shardLabels: UnsafeMutablePointer<Int>
    private let l2: Double
    private let keepProbability: Double

    /// Doubles per partial: the gradient and the loss sum.
    private var stride: Int { layout.count + 1 }

    init(sharding: GradientSharding, configuration: TrainingConfiguration, layout: ParameterLayout, batchSize: Int) {
        self.sharding = sharding
        self.layout = layout
        let capacity = ShardTree.largestShard(of: sharding.shardCount, batchColumns: batchSize)
        workspace = ForwardBackwardWorkspace(layout: layout, hiddenActivations: configuration.hiddenActivations,
                                             output: configuration.output,
                                             keepProbability: configuration.keepProbability, capacity: capacity)
        partials = DoubleBuffer(count: sharding.localShards.count * (layout.count + 1))
        reduced = DoubleBuffer(count: layout.count + 1)
        let dropout = configuration.keepProbability < 1
        let hiddenLayers = layout.layerSizes.dropFirst().dropLast()
        masks = dropout ? hiddenLayers.map { DoubleBuffer(count: $0 * batchSize) } : []
        shardFeatures = DoubleBuffer(count: (layout.layerSizes.first ?? 0) * capacity)
        shardLabels = .allocate(capacity: max(capacity, 1))
        shardLabels.initialize(repeating: 0, count: max(capacity, 1))
        l2 = configuration.l2
        keepProbability = configuration.keepProbability
    }

    deinit { shardLabels.deallocate() }

    /// Runs the batch of `batchColumns` columns: `gather(columns)` fills ``shardFeatures`` and
    /// ``shardLabels`` with the batch's columns `columns`. Writes the summed gradient (with L2) to
    /// `gradients`; returns `Σloss + λ/2·Σ‖W‖²` over the whole batch (the same on every rank).
    func run(batchColumns: Int, parameters: UnsafePointer<Double>, gradients: UnsafeMutablePointer<Double>,
             generator: inout NumpyRandom, gather: (Range<Int>) throws -> Void) throws -> Double {
        let shardCount = sharding.shardCount
        for (k, mask) in masks.enumerated() {
            let keep = keepProbability
            let m = mask.pointer
            for i in 0..<(layout.layerSizes[k + 1] * batchColumns) {
                m[i] = Double.select(generator.nextDouble() < keep, 1, 0)
            }
        }
        let maskPointers = masks.map { UnsafePointer($0.pointer) }
        for (slot, shard) in sharding.localShards.enumerated() {
            let partial = partials.pointer + slot * stride
            let columns = ShardTree.columns(ofShard: shard, of: shardCount, batchColumns: batchColumns)
            guard !columns.isEmpty else {
                // A batch smaller than K leaves some shards empty: they add zeros.
                partial.update(repeating: 0, count: stride)
                continue
            }
            try gather(columns)
            let input = UnsafePointer(shardFeatures.pointer)
            let labels = UnsafePointer(shardLabels)
            workspace.forward(parameters: parameters, input: input, columns: columns.count, applyDropout: true,
                              generator: &generator,
                              presetMasks: DropoutMasks(layers: maskPointers, batchColumns: batchColumns,
                                                        firstColumn: columns.lowerBound))
            let loss = workspace.lossSum(labels: labels, columns: columns.count)
            if loss.isFinite {
                workspace.backward(parameters: parameters, gradients: partial, input: input, labels: labels,
                                   columns: columns.count, l2: 0, batchColumns: batchColumns)
            } else {
                // The batch fails on every rank alike, once its loss is summed.
                partial.update(repeating: 0, count: layout.count)
            }
            partial[layout.count] = loss
        }
        let sum: UnsafeMutablePointer<Double>
        if sharding.reducer.rankCount == 1 {
            ShardTree.sum(partials.pointer, stride: stride, count: stride, shards: shardCount, into: reduced.pointer)
            sum = reduced.pointer
        } else {
            try sharding.reducer.sumAcrossRanks(partials.pointer, count: stride)
            sum = partials.pointer
        }
        gradients.update(from: sum, count: layout.count)
        var total = sum[layout.count]
        if l2 != 0 {
            let l2OverM = l2 / Double(batchColumns)
            for k in 0..<layout.layerCount {
                let w = parameters + layout.weightOffsets[k]
                let dW = gradients + layout.weightOffsets[k]
                for i in 0..<(layout.layerSizes[k + 1] * layout.layerSizes[k]) { dW[i] += l2OverM * w[i] }
            }
            total += l2 / 2 * layout.sumOfSquaredWeights(parameters)
        }
        return total
    }
}
