import Foundation

/// A hidden layer's activation function `g`, applied element-wise to `Z`.
public enum Activation: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// `max(0, z)`.
    case relu
    /// `z` for `z > 0`, else `0.01·z`.
    case leakyRelu
    /// `tanh(z)`.
    case tanh
    /// `1 / (1 + e^{-z})`.
    case sigmoid
    /// `z` (no non-linearity).
    case linear

    /// The slope of ``leakyRelu`` for negative inputs.
    public static let leakySlope = 0.01

    /// Whether the derivative has a kink at `z = 0` (where a finite-difference check is unreliable).
    public var hasKinkAtZero: Bool { self == .relu || self == .leakyRelu }

    /// `g(z)` for one value.
    @inline(__always)
    public func callAsFunction(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .leakyRelu: return z > 0 ? z : Self.leakySlope * z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .linear: return z
        }
    }

    /// `Z += b` (one bias per row) then `A = g(Z)`, over a `rows × columns` block.
    ///
    /// Adding the bias after the product (rather than starting the product from it)
    /// keeps the rounding of numpy's `np.dot(W, A) + b`.
    func addBiasAndActivate<Scalar: TrainingScalar>(
        z: UnsafeMutablePointer<Scalar>, bias: UnsafePointer<Scalar>,
        activation a: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int
    ) {
        let slope = Scalar(rounding: Self.leakySlope)
        for row in 0..<rows {
            let b = bias[row]
            let zRow = z + row * columns
            let aRow = a + row * columns
            switch self {
            case .relu:
                for j in 0..<columns { let v = zRow[j] + b; zRow[j] = v; aRow[j] = Scalar.select(v > 0, v, 0) }
            case .leakyRelu:
                for j in 0..<columns { let v = zRow[j] + b; zRow[j] = v; aRow[j] = Scalar.select(v > 0, v, slope * v) }
            case .tanh:
                for j in 0..<columns { let v = zRow[j] + b; zRow[j] = v; aRow[j] = Scalar.tanh(v) }
            case .sigmoid:
                for j in 0..<columns { let v = zRow[j] + b; zRow[j] = v; aRow[j] = 1 / (1 + Scalar.exp(-v)) }
            case .linear:
                for j in 0..<columns { let v = zRow[j] + b; zRow[j] = v; aRow[j] = v }
            }
        }
    }

    /// `dZ = dA ⊙ g'(Z)` over `count` elements; `a` is `g(Z)` before any dropout.
    func backward<Scalar: TrainingScalar>(
        dA: UnsafePointer<Scalar>, z: UnsafePointer<Scalar>, activation a: UnsafePointer<Scalar>,
        dZ: UnsafeMutablePointer<Scalar>, count: Int
    ) {
        let slope = Scalar(rounding: Self.leakySlope)
        switch self {
        case .relu:
            // The course's relu_backward: dZ[Z <= 0] = 0.
            for i in 0..<count { dZ[i] = Scalar.select(z[i] > 0, dA[i], 0) }
        case .leakyRelu:
            for i in 0..<count { dZ[i] = Scalar.select(z[i] > 0, dA[i], slope * dA[i]) }
        case .tanh:
            for i in 0..<count { dZ[i] = dA[i] * (1 - a[i] * a[i]) }
        case .sigmoid:
            for i in 0..<count { dZ[i] = dA[i] * (a[i] * (1 - a[i])) }
        case .linear:
            for i in 0..<count { dZ[i] = dA[i] }
        }
    }
}

/// `condition ? ifTrue : ifFalse` without a branch (``TrainingScalar/select(_:_:_:)``).
///
/// Relu's and dropout's conditions follow the data, so a branch mispredicts about half
/// the time; on the moons model that was the single largest cost of a step.
@inline(__always)
func select(_ condition: Bool, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    Double.select(condition, ifTrue, ifFalse)
}

extension Activation {
    /// The name files and command lines use (`leaky_relu`, not `leakyRelu`).
    public var formatName: String { self == .leakyRelu ? "leaky_relu" : rawValue }

    /// The activation a checkpoint or a command line names.
    public init?(formatName: String) {
        switch formatName {
        case "leaky_relu", "leakyrelu", "leakyRelu": self = .leakyRelu
        default:
            guard let activation = Activation(rawValue: formatName) else { return nil }
            self = activation
        }
    }
}

extension OutputLayer {
    /// The loss that goes with this output, as formats/checkpoint.md names it.
    public var lossName: String { self == .sigmoid ? "binary_cross_entropy" : "categorical_cross_entropy" }
}
