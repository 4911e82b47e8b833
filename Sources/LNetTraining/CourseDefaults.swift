/// The course's `model()` defaults, written once: the CLI's option defaults, the
/// configuration's initialiser, the optimizers' default coefficients and the fresh
/// optimizer of a parameters-only resume all read them here.
public enum CourseDefaults {
    /// The learning rate α.
    public static let learningRate = 0.0007
    /// Examples per mini-batch.
    public static let batchSize = 64
    /// Epochs to train.
    public static let epochs = 5000
    /// The seed of the initialisation (`np.random.seed(3)`).
    public static let seed: UInt32 = 3
    /// Epoch `i` shuffles with `shuffleSeed + i + 1`.
    public static let shuffleSeed: UInt32 = 10
    /// Momentum's β.
    public static let beta = 0.9
    /// Adam's β1.
    public static let beta1 = 0.9
    /// Adam's β2.
    public static let beta2 = 0.999
    /// Adam's ε.
    public static let epsilon = 1e-8
    /// The optimizer the course trains with: Adam with the coefficients above.
    public static let optimizer = Optimizer.adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
}
