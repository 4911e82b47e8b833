/// Preallocated per-layer buffers and the forward and backward passes over them.
///
/// One workspace serves every mini-batch of up to `capacity` examples: a batch of
/// `n ≤ capacity` columns uses the first `rows × n` elements of each buffer as a
/// row-major `rows × n` matrix, so no step allocates. Index `k` is layer `k + 1`.
///
/// Every buffer holds `Scalar`s (float64 or float32, ``Precision``); only the loss is
/// summed in float64.
final class ForwardBackwardWorkspace<Scalar: TrainingScalar> {
    let layout: ParameterLayout
    let hiddenActivations: [Activation]
    let output: OutputLayer
    let keepProbability: Double
    let capacity: Int

    private let storage: UnsafeMutablePointer<Scalar>
    /// `Z[l]`.
    private let z: [UnsafeMutablePointer<Scalar>]
    /// `g(Z[l])` before dropout (for the output layer: the probabilities).
    private let activation: [UnsafeMutablePointer<Scalar>]
    /// `g(Z[l]) · mask / keep_prob` (hidden layers, only when dropout is on).
    private let dropped: [UnsafeMutablePointer<Scalar>]
    /// The dropout masks as 0/1 values (hidden layers, only when dropout is on).
    private let mask: [UnsafeMutablePointer<Scalar>]
    private let dZ: [UnsafeMutablePointer<Scalar>]
    /// `dA[l]` for hidden layers (the input's gradient `dA0` is never computed).
    private let dA: [UnsafeMutablePointer<Scalar>]
    /// `e^{−Z[L]}` of a sigmoid output, kept by the forward pass for the loss.
    private let outputExponentials: UnsafeMutablePointer<Scalar>
    /// Whether the last forward pass applied dropout (the backward pass must match it).
    private var droppedOut = false

    var layerCount: Int { layout.layerCount }
    var usesDropout: Bool { keepProbability < 1 }

    init(layout: ParameterLayout, hiddenActivations: [Activation], output: OutputLayer,
         keepProbability: Double, capacity: Int) {
        self.layout = layout
        self.hiddenActivations = hiddenActivations
        self.output = output
        self.keepProbability = keepProbability
        self.capacity = capacity
        let layerCount = layout.layerCount
        let dropout = keepProbability < 1
        var total = 0
        for l in 1...layerCount {
            let block = layout.layerSizes[l] * capacity
            let isHidden = l < layerCount
            // z, activation, dZ; plus dA for hidden layers; plus dropped and mask under dropout.
            total += block * (3 + (isHidden ? 1 : 0) + (isHidden && dropout ? 2 : 0))
        }
        total += capacity  // outputExponentials
        storage = .allocate(capacity: max(total, 1))
        storage.initialize(repeating: 0, count: max(total, 1))
        var cursor = storage
        func take(_ count: Int) -> UnsafeMutablePointer<Scalar> {
            defer { cursor += count }
            return cursor
        }
        var z: [UnsafeMutablePointer<Scalar>] = []
        var activation: [UnsafeMutablePointer<Scalar>] = []
        var dropped: [UnsafeMutablePointer<Scalar>] = []
        var mask: [UnsafeMutablePointer<Scalar>] = []
        var dZ: [UnsafeMutablePointer<Scalar>] = []
        var dA: [UnsafeMutablePointer<Scalar>] = []
        for l in 1...layerCount {
            let block = layout.layerSizes[l] * capacity
            z.append(take(block))
            activation.append(take(block))
            dZ.append(take(block))
            if l < layerCount {
                dA.append(take(block))
                if dropout {
                    dropped.append(take(block))
                    mask.append(take(block))
                }
            }
        }
        outputExponentials = take(capacity)
        self.z = z
        self.activation = activation
        self.dropped = dropped
        self.mask = mask
        self.dZ = dZ
        self.dA = dA
    }

    deinit { storage.deallocate() }

    /// The input of layer index `k` in the last forward pass.
    @inline(__always)
    private func layerInput(_ k: Int, input: UnsafePointer<Scalar>) -> UnsafePointer<Scalar> {
        if k == 0 { return input }
        return UnsafePointer(droppedOut ? dropped[k - 1] : activation[k - 1])
    }

    /// `Z[l] = W[l]·A[l−1] + b[l]`, `A[l] = g(Z[l])` for every layer, over `columns`
    /// examples of `input` (row-major `n_x × columns`).
    ///
    /// `examplesFirstInput`, when given, is the same input stored `columns × n_x` (one
    /// example per row); the first layer's product then reads it instead of `input`
    /// (see ``TrainingSession``'s full-batch copy: BLIS is faster on that layout).
    ///
    /// With `applyDropout` (and keep_prob < 1) each hidden layer draws its mask
    /// `rand(n_l, columns) < keep_prob` from `generator`, in forward order, and
    /// scales the kept units by `1/keep_prob` (the course's `A * D / keep_prob`).
    ///
    /// `presetMasks`, when given, supplies the masks instead: columns `firstColumn ..< firstColumn + columns`
    /// of masks drawn for a whole mini-batch (a shard of it, see ``TrainingSession``'s sharded step); the
    /// generator is then not used. The masks are 0/1, so converting them to `Scalar` is exact.
    func forward(parameters p: UnsafePointer<Scalar>, input: UnsafePointer<Scalar>, columns: Int,
                 applyDropout: Bool, generator: inout NumpyRandom,
                 examplesFirstInput: UnsafePointer<Scalar>? = nil, presetMasks: DropoutMasks? = nil) {
        droppedOut = applyDropout && usesDropout
        let sizes = layout.layerSizes
        let last = layerCount - 1
        for k in 0...last {
            let rows = sizes[k + 1]
            let fanIn = sizes[k]
            if k == 0, let examplesFirstInput {
                BLAS.product(transposeA: false, transposeB: true, m: rows, n: columns, k: fanIn,
                          alpha: 1, a: p + layout.weightOffsets[k], lda: fanIn,
                          b: examplesFirstInput, ldb: fanIn,
                          beta: 0, c: z[k], ldc: columns)
            } else {
                BLAS.product(transposeA: false, transposeB: false, m: rows, n: columns, k: fanIn,
                          alpha: 1, a: p + layout.weightOffsets[k], lda: fanIn,
                          b: layerInput(k, input: input), ldb: columns,
                          beta: 0, c: z[k], ldc: columns)
            }
            let bias = p + layout.biasOffsets[k]
            if k < last {
                hiddenActivations[k].addBiasAndActivate(z: z[k], bias: bias, activation: activation[k],
                                                        rows: rows, columns: columns)
                if droppedOut, let presetMasks {
                    let keepScalar = Scalar(rounding: keepProbability)
                    let a = activation[k], m = mask[k], d = dropped[k]
                    let source = presetMasks.layers[k] + presetMasks.firstColumn
                    for r in 0..<rows {
                        for j in 0..<columns {
                            let kept = Scalar(rounding: source[r * presetMasks.batchColumns + j])
                            m[r * columns + j] = kept
                            d[r * columns + j] = a[r * columns + j] * kept / keepScalar
                        }
                    }
                } else if droppedOut {
                    // The draw is compared in float64 (numpy's `rand() < keep_prob`), whatever Scalar is.
                    let keep = keepProbability
                    let keepScalar = Scalar(rounding: keep)
                    let a = activation[k], m = mask[k], d = dropped[k]
                    for i in 0..<(rows * columns) {
                        let kept = Scalar.select(generator.nextDouble() < keep, 1, 0)
                        m[i] = kept
                        d[i] = a[i] * kept / keepScalar
                    }
                }
            } else {
                let zk = z[k]
                for r in 0..<rows {
                    let b = bias[r]
                    for j in 0..<columns { zk[r * columns + j] += b }
                }
                output.activate(z: zk, a: activation[k], units: rows, columns: columns, exponentials: outputExponentials)
            }
        }
    }

    /// Σ of the per-example losses of the last forward pass.
    func lossSum(labels: UnsafePointer<Int>, columns: Int) -> Double {
        output.lossSum(z: z[layerCount - 1], labels: labels, units: layout.layerSizes[layerCount], columns: columns,
                       exponentials: outputExponentials)
    }

    /// The output probabilities of the last forward pass (`n_L × columns`).
    func outputActivation() -> UnsafePointer<Scalar> { UnsafePointer(activation[layerCount - 1]) }

    /// Writes `dW[l]`, `db[l]` for every layer into `gradients` (the parameters' flat layout):
    /// `dZ[L] = A[L] − Y`; `dW = (1/m)·dZ·A[l−1]ᵀ + (λ/m)·W`; `db = (1/m)·Σ dZ`;
    /// `dA[l−1] = W[l]ᵀ·dZ` (masked as in the forward pass); `dZ = dA ⊙ g'(Z)`.
    ///
    /// `batchColumns`, when given, is the m to divide by instead of `columns`: the whole mini-batch's
    /// size when these columns are one shard of it (with `l2` 0: the sharded step adds the L2 term once,
    /// after adding the shards).
    func backward(parameters p: UnsafePointer<Scalar>, gradients g: UnsafeMutablePointer<Scalar>,
                  input: UnsafePointer<Scalar>, labels: UnsafePointer<Int>, columns: Int, l2: Double,
                  batchColumns: Int? = nil) {
        let sizes = layout.layerSizes
        let last = layerCount - 1
        let inverseM = Scalar(rounding: 1.0 / Double(batchColumns ?? columns))
        let l2OverM = Scalar(rounding: l2 / Double(batchColumns ?? columns))
        output.outputGradient(a: activation[last], labels: labels, dZ: dZ[last], units: sizes[last + 1], columns: columns)
        for k in stride(from: last, through: 0, by: -1) {
            let rows = sizes[k + 1]
            let fanIn = sizes[k]
            if k < last {
                hiddenActivations[k].backward(dA: dA[k], z: z[k], activation: activation[k], dZ: dZ[k],
                                              count: rows * columns)
            }
            let w = p + layout.weightOffsets[k]
            let dW = g + layout.weightOffsets[k]
            let dz = dZ[k]
            if l2 == 0 {
                // (1/m)·(dZ·Aᵀ) with the scaling folded into the product, as numpy's `1./m * np.dot`.
                BLAS.product(transposeA: false, transposeB: true, m: rows, n: fanIn, k: columns,
                          alpha: inverseM, a: dz, lda: columns, b: layerInput(k, input: input), ldb: columns,
                          beta: 0, c: dW, ldc: fanIn)
            } else {
                BLAS.product(transposeA: false, transposeB: true, m: rows, n: fanIn, k: columns,
                          alpha: 1, a: dz, lda: columns, b: layerInput(k, input: input), ldb: columns,
                          beta: 0, c: dW, ldc: fanIn)
                for i in 0..<(rows * fanIn) { dW[i] = inverseM * dW[i] + l2OverM * w[i] }
            }
            let db = g + layout.biasOffsets[k]
            for r in 0..<rows {
                // The course's `1/m * np.sum(dZ, axis=1, keepdims=True)`.
                db[r] = inverseM * pairwiseSum(dz + r * columns, count: columns)
            }
            if k > 0 {
                let da = dA[k - 1]
                BLAS.product(transposeA: true, transposeB: false, m: fanIn, n: columns, k: rows,
                          alpha: 1, a: w, lda: fanIn, b: dz, ldb: columns,
                          beta: 0, c: da, ldc: columns)
                if droppedOut {
                    let keep = Scalar(rounding: keepProbability)
                    let m = mask[k - 1]
                    for i in 0..<(fanIn * columns) { da[i] = da[i] * m[i] / keep }
                }
            }
        }
    }
}

/// Dropout masks drawn for a whole mini-batch (`n_l × batchColumns` per hidden layer, 0/1 doubles), of
/// which a forward pass over one shard reads the columns from `firstColumn` on.
struct DropoutMasks {
    /// One mask per hidden layer, row-major `n_l × batchColumns`.
    let layers: [UnsafePointer<Double>]
    /// The mini-batch's columns (the masks' row length).
    let batchColumns: Int
    /// The shard's first column inside the mini-batch.
    let firstColumn: Int
}

/// A flat, owned buffer of `Scalar`s that lives as long as its owner.
final class ScalarBuffer<Scalar: TrainingScalar> {
    let pointer: UnsafeMutablePointer<Scalar>
    let count: Int

    init(count: Int, repeating value: Scalar = 0) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    /// The values, each rounded to `Scalar` (exact for float64, and for float32 values).
    init(_ values: [Double]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        pointer.initialize(repeating: 0, count: max(values.count, 1))
        for i in values.indices { pointer[i] = Scalar(rounding: values[i]) }
    }

    /// The values as doubles (exactly).
    var array: [Double] { (0..<count).map { pointer[$0].doubleValue } }

    deinit { pointer.deallocate() }
}

/// The float64 buffer inference and gradient checking use.
typealias DoubleBuffer = ScalarBuffer<Double>

extension ParameterLayout {
    /// Σ‖W[l]‖² over all layers (each layer summed, then the layers added, as numpy's
    /// `np.sum(np.square(W1)) + np.sum(np.square(W2)) + …`).
    /// Summed in float64 whatever the parameters' type (part of the cost).
    func sumOfSquaredWeights<Scalar: TrainingScalar>(_ p: UnsafePointer<Scalar>) -> Double {
        var total = 0.0
        for k in 0..<layerCount {
            let w = p + weightOffsets[k]
            total += pairwiseSum(count: layerSizes[k + 1] * layerSizes[k]) { w[$0].doubleValue * w[$0].doubleValue }
        }
        return total
    }
}
