import ArgumentParser
import LNetStorage
import LNetTraining

// The closed choices of lnet's options, as `ExpressibleByArgument` enums: the
// parser refuses any other value (a usage error, exit 64, naming the option) and
// `--help` lists the values. A library enum that is already a plain list of names
// is conformed here, so that the library stays free of ArgumentParser; one with
// coefficients (`Optimizer`, `LearningRateDecay`) gets a small CLI enum of names.

/// `train --init`: the library's initialisations, by their own names.
extension Initialization: ExpressibleByArgument {}

/// `train --dtype`: float64 or float32.
extension Precision: ExpressibleByArgument {}

/// `convert --from`: the library's input formats, by their own names, in any case (`--from CSV`).
extension InputFormat: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// `train --optimizer`: the update rule by name; its coefficients come from `--beta`, `--beta1`, ….
enum OptimizerChoice: String, CaseIterable, ExpressibleByArgument {
    case gd, momentum, adam

    /// The optimizer with the given coefficients (those of the others are ignored).
    func optimizer(beta: Double, beta1: Double, beta2: Double, epsilon: Double) -> Optimizer {
        switch self {
        case .gd: .gradientDescent
        case .momentum: .momentum(beta: beta)
        case .adam: .adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }
}

/// `train --decay`: the learning-rate schedule by name; its rate and interval come from `--decay-rate`, `--decay-interval`.
enum DecayChoice: String, CaseIterable, ExpressibleByArgument {
    case none, inverse, scheduled

    /// The schedule with the given rate and interval (ignored by `none`).
    func decay(rate: Double, interval: Int) -> LearningRateDecay {
        switch self {
        case .none: .none
        case .inverse: .inverse(rate: rate)
        case .scheduled: .scheduled(rate: rate, interval: interval)
        }
    }
}

/// `sample NAME`: the sample datasets lnet can write.
enum SampleName: String, CaseIterable, ExpressibleByArgument {
    /// The course's two moons (scikit-learn's `make_moons`).
    case moons
}

/// `export --dtype`: the floating-point type of the exported tensors.
extension InterchangeDType: ExpressibleByArgument {}
