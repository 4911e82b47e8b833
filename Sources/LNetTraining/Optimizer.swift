import Foundation

/// The parameter update rule.
public enum Optimizer: Sendable, Equatable, Hashable, Codable {
    /// `W −= lr·dW`.
    case gradientDescent
    /// `v = β·v + (1−β)·dW; W −= lr·v`.
    case momentum(beta: Double = CourseDefaults.beta)
    /// Adam, with bias correction by the update count `t` (incremented before each update).
    case adam(beta1: Double = CourseDefaults.beta1, beta2: Double = CourseDefaults.beta2, epsilon: Double = CourseDefaults.epsilon)

    /// Whether the optimizer keeps a first moment `v` (momentum and Adam).
    public var usesVelocity: Bool { self != .gradientDescent }
    /// Whether the optimizer keeps a second moment `s` (Adam).
    public var usesSquares: Bool { if case .adam = self { return true } else { return false } }

    /// What is wrong with the coefficients, in order; empty when they are usable.
    public func problems() -> [ConfigurationProblem] {
        switch self {
        case .gradientDescent:
            return []
        case .momentum(let beta):
            return beta >= 0 && beta < 1 ? [] : [.momentumBeta(beta)]
        case .adam(let beta1, let beta2, let epsilon):
            var problems: [ConfigurationProblem] = []
            if !(beta1 >= 0 && beta1 < 1) { problems.append(.adamBeta1(beta1)) }
            if !(beta2 >= 0 && beta2 < 1) { problems.append(.adamBeta2(beta2)) }
            if !(epsilon > 0 && epsilon.isFinite) { problems.append(.adamEpsilon(epsilon)) }
            return problems
        }
    }

    /// Applies one update to `count` flat values, following the course's expressions
    /// operation by operation so the results agree with numpy to the last bits.
    ///
    /// In float32 every coefficient is rounded to float32 first and the arithmetic is
    /// float32's (as numpy's on float32 arrays, or PyTorch's); Adam's bias corrections
    /// `1 − βᵗ` are computed in float64, then rounded.
    func update<Scalar: TrainingScalar>(
        parameters p: UnsafeMutablePointer<Scalar>, gradients g: UnsafePointer<Scalar>,
        velocity v: UnsafeMutablePointer<Scalar>?, squares s: UnsafeMutablePointer<Scalar>?,
        count: Int, learningRate: Double, adamStep t: Int
    ) {
        let lr = Scalar(rounding: learningRate)
        switch self {
        case .gradientDescent:
            for i in 0..<count { p[i] = p[i] - lr * g[i] }
        case .momentum(let beta64):
            guard let v else { return }
            let beta = Scalar(rounding: beta64)
            let oneMinusBeta = Scalar(rounding: 1 - beta64)
            for i in 0..<count {
                v[i] = beta * v[i] + oneMinusBeta * g[i]
                p[i] = p[i] - lr * v[i]
            }
        case .adam(let beta1_64, let beta2_64, let epsilon64):
            guard let v, let s else { return }
            let beta1 = Scalar(rounding: beta1_64), beta2 = Scalar(rounding: beta2_64)
            let epsilon = Scalar(rounding: epsilon64)
            let oneMinusBeta1 = Scalar(rounding: 1 - beta1_64)
            let oneMinusBeta2 = Scalar(rounding: 1 - beta2_64)
            let correction1 = Scalar(rounding: 1 - Foundation.pow(beta1_64, Double(t)))
            let correction2 = Scalar(rounding: 1 - Foundation.pow(beta2_64, Double(t)))
            for i in 0..<count {
                let gradient = g[i]
                v[i] = beta1 * v[i] + oneMinusBeta1 * gradient
                let vCorrected = v[i] / correction1
                s[i] = beta2 * s[i] + oneMinusBeta2 * (gradient * gradient)
                let sCorrected = s[i] / correction2
                p[i] = p[i] - lr * vCorrected / (sCorrected.squareRoot() + epsilon)
            }
        }
    }
}

/// The optimizer's memory between updates, in the parameters' shape.
public struct OptimizerState: Sendable, Equatable, Hashable, Codable {
    /// Momentum's and Adam's first moment `v` (`vdW1`, `vdb1`, …); nil for plain GD.
    public var velocity: NetworkParameters?
    /// Adam's second moment `s`; nil unless the optimizer is Adam.
    public var squares: NetworkParameters?
    /// Adam's update count `t` (0 before the first update).
    public var adamStep: Int

    /// Creates the state from its parts.
    public init(velocity: NetworkParameters?, squares: NetworkParameters?, adamStep: Int) {
        self.velocity = velocity
        self.squares = squares
        self.adamStep = adamStep
    }

    /// The zero state the course's `initialize_velocity` / `initialize_adam` make.
    public init(initialFor optimizer: Optimizer, layerSizes: [Int]) {
        velocity = optimizer.usesVelocity ? NetworkParameters(zerosFor: layerSizes) : nil
        squares = optimizer.usesSquares ? NetworkParameters(zerosFor: layerSizes) : nil
        adamStep = 0
    }
}
