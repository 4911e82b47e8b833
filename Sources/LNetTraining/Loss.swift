import Foundation

/// The output layer: its activation together with the loss it is trained with.
///
/// Both pairs have the gradient `dZ = A − Y` at the output, which is what the
/// backward pass uses (never `dA`, which overflows for saturated outputs).
public enum OutputLayer: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// One unit, sigmoid, binary cross-entropy; labels 0 or 1.
    case sigmoid
    /// `C ≥ 2` units, softmax, categorical cross-entropy; labels `0…C−1`.
    case softmax

    /// The number of classes a layer of `units` output units predicts.
    public func classCount(units: Int) -> Int { self == .sigmoid ? 2 : units }

    /// Turns the output pre-activation `Z` (`units × columns`) into probabilities `A`.
    ///
    /// Softmax subtracts each column's maximum first, so large logits cannot overflow.
    /// Sigmoid keeps each `e^{−z}` in `exponentials` (`columns` values), for ``lossSum``.
    func activate<Scalar: TrainingScalar>(z: UnsafePointer<Scalar>, a: UnsafeMutablePointer<Scalar>, units: Int, columns: Int,
                                          exponentials: UnsafeMutablePointer<Scalar>) {
        switch self {
        case .sigmoid:
            for j in 0..<columns {
                let e = Scalar.exp(-z[j])
                exponentials[j] = e
                a[j] = 1 / (1 + e)
            }
        case .softmax:
            for j in 0..<columns {
                var largest = z[j]
                for c in 1..<units { largest = Swift.max(largest, z[c * columns + j]) }
                var total = Scalar.zero
                for c in 0..<units {
                    let e = Scalar.exp(z[c * columns + j] - largest)
                    a[c * columns + j] = e
                    total += e
                }
                for c in 0..<units { a[c * columns + j] /= total }
            }
        }
    }

    /// The sum over the columns of the per-example loss, computed from `Z` so that
    /// saturated outputs give large finite losses instead of `log(0)`.
    ///
    /// Binary: `max(z,0) − z·y + log1p(e^{−|z|})`, with `e^{−|z|}` taken from the
    /// `exponentials` ``activate`` kept (`e^{−z}`, or its reciprocal for `z < 0`).
    /// Softmax: `logsumexp(z) − z[label]`.
    ///
    /// Summed in float64 whatever the training's type (each float32 value widened exactly).
    func lossSum<Scalar: TrainingScalar>(z: UnsafePointer<Scalar>, labels: UnsafePointer<Int>, units: Int, columns: Int,
                                         exponentials: UnsafePointer<Scalar>) -> Double {
        var total = 0.0
        switch self {
        case .sigmoid:
            // Σ log1p(e_j) as log Π(1 + e_j): one `log` per block of 512 examples instead
            // of a `log1p` per example (a tenth of a small network's training time), with
            // every rounding put back, so that the sum stays accurate relative to its own
            // size even when every loss is tiny:
            // - each factor t = 1 + e loses `lost = e − (t − 1)` (exact: t − 1 is exact for
            //   t in [1, 2]), and log(1 + e) = log t + lost/t;
            // - each product q = p·t loses p·t − q (exact, by FMA), and
            //   log(p·t) = log q + (p·t − q)/q.
            // The dropped terms are below 2^−106 relative. Products stay below 2^512 (t ≤ 2).
            var start = 0
            while start < columns {
                let end = Swift.min(start + 512, columns)
                var products = SIMD4<Double>(repeating: 1)
                var rests = SIMD4<Double>(repeating: 0)
                var j = start
                while j + 4 <= end {
                    var t = SIMD4<Double>(repeating: 0), rest = SIMD4<Double>(repeating: 0)
                    for lane in 0..<4 {
                        (t[lane], rest[lane]) = Self.sigmoidLossParts(z: z[j + lane].doubleValue, label: labels[j + lane],
                                                                      exponential: exponentials[j + lane].doubleValue)
                    }
                    let q = products * t
                    rests += rest + (-q).addingProduct(products, t) / q
                    products = q
                    j += 4
                }
                var rest = (rests[0] + rests[1]) + (rests[2] + rests[3])
                var product = 1.0
                for lane in 0..<4 { Self.multiply(&product, by: products[lane], lostRelative: &rest) }
                while j < end {
                    let (t, r) = Self.sigmoidLossParts(z: z[j].doubleValue, label: labels[j],
                                                       exponential: exponentials[j].doubleValue)
                    rest += r
                    Self.multiply(&product, by: t, lostRelative: &rest)
                    j += 1
                }
                total += rest + Foundation.log(product)
                start = end
            }
        case .softmax:
            for j in 0..<columns {
                var largest = z[j].doubleValue
                for c in 1..<units { largest = Swift.max(largest, z[c * columns + j].doubleValue) }
                var sum = 0.0
                for c in 0..<units { sum += Foundation.exp(z[c * columns + j].doubleValue - largest) }
                let logSumExp = Foundation.log(sum) + largest
                total += logSumExp - z[labels[j] * columns + j].doubleValue
            }
        }
        return total
    }

    /// One example's binary loss `max(z,0) − z·y + log1p(e^{−|z|})` in two parts: the
    /// factor `t = 1 + e^{−|z|}` whose `log` the caller takes (for a block at once), and
    /// the rest, which includes `t`'s rounding error over `t`.
    @inline(__always)
    private static func sigmoidLossParts(z v: Double, label: Int, exponential: Double) -> (factor: Double, rest: Double) {
        // For z < 0, e^{−|z|} = 1/e^{−z}; past e^{−z}'s overflow (z < −709.8) it is still a
        // subnormal number, computed directly.
        let e = v >= 0 ? exponential : (exponential.isFinite ? 1 / exponential : Foundation.exp(v))
        let t = 1 + e
        let lost = e - (t - 1)
        return (t, Swift.max(v, 0) - v * Double(label) + lost / t)
    }

    /// `product *= factor`, adding the rounding error relative to the result
    /// (`(p·f − fl(p·f)) / fl(p·f)`, exact up to the division) to `lostRelative`.
    @inline(__always)
    private static func multiply(_ product: inout Double, by factor: Double, lostRelative: inout Double) {
        let q = product * factor
        lostRelative += (-q).addingProduct(product, factor) / q
        product = q
    }

    /// `dZ = A − Y`, with `Y` the labels (one-hot for softmax).
    func outputGradient<Scalar: TrainingScalar>(
        a: UnsafePointer<Scalar>, labels: UnsafePointer<Int>, dZ: UnsafeMutablePointer<Scalar>,
        units: Int, columns: Int
    ) {
        switch self {
        case .sigmoid:
            for j in 0..<columns { dZ[j] = a[j] - Scalar(labels[j]) }
        case .softmax:
            for c in 0..<units {
                for j in 0..<columns {
                    dZ[c * columns + j] = a[c * columns + j] - (labels[j] == c ? 1 : 0)
                }
            }
        }
    }

    /// The predicted class of each column: `A > 0.5` for sigmoid, the arg-max for softmax.
    func predictions<Scalar: TrainingScalar>(a: UnsafePointer<Scalar>, units: Int, columns: Int) -> [Int64] {
        var result = [Int64](repeating: 0, count: columns)
        for j in 0..<columns {
            switch self {
            case .sigmoid:
                result[j] = a[j] > 0.5 ? 1 : 0
            case .softmax:
                var best = 0
                for c in 1..<units where a[c * columns + j] > a[best * columns + j] { best = c }
                result[j] = Int64(best)
            }
        }
        return result
    }
}
