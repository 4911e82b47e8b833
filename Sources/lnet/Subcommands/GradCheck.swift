import ArgumentParser
import Foundation
import LNetRuns
import LNetTraining

struct GradCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check backpropagation against centred finite differences, as the course's gradient_check_n.",
        discussion: """
            Builds a small network with random parameters (He-initialised weights, biases 0.1·randn) on random \
            data and compares every gradient with (J(θ+ε) − J(θ−ε)) / 2ε, ε = 1e-7. Passes when \
            ‖g − g̃‖ / (‖g‖ + ‖g̃‖) < 1e-7. A point with a relu pre-activation within 1e-5 of its kink is \
            drawn again, since the differences would straddle the kink.

              lnet gradcheck --layers 4,5,3,1 --activations tanh,leaky_relu,sigmoid
              lnet gradcheck --layers 4,5,3 --activations relu,softmax --l2 0.7
            """)

    @Option(help: "All layer sizes, input first, e.g. 4,5,3,1.")
    var layers: String = "4,5,3,1"

    @Option(help: "One activation per layer after the input; the output sigmoid or softmax.")
    var activations: String?

    @Option(parsing: .unconditional, help: "Number of random examples.")
    var examples: Int = 6

    @Option(parsing: .unconditional, help: "L2 regularisation λ.")
    var l2: Double = 0

    @Option(help: "Seed for the parameters and data.")
    var seed: UInt32 = 1

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        try requireNoEmptyEntries(layers, option: "--layers")
        if let activations { try requireNoEmptyEntries(activations, option: "--activations") }
        guard let sizes = positiveIntegers(layers), sizes.count >= 2 else {
            throw ValidationError("--layers takes at least two positive sizes separated by commas, input first, e.g. 4,5,3,1")
        }
        if let activations {
            try validateActivations(commaSeparated(activations), outputUnits: sizes.last ?? 1, layerCount: sizes.count - 1)
        }
        do {
            try GradientCheckRun.checkSettings(examples: examples, l2: l2)
        } catch let error as RunError {
            throw ValidationError(Phrasing.message(for: error))
        }
    }

    func run() throws {
        try reportingErrors {
            threading.apply()
            let report = try GradientCheckRun.random(
                layerSizes: positiveIntegers(layers) ?? [], activations: activations.map(commaSeparated),
                examples: examples, l2: l2, seed: seed)
            print("Relative difference: \(String(format: "%.3e", report.relativeDifference)) (threshold 1e-7)")
            print("Closest relu/leaky-relu pre-activation to its kink: \(String(format: "%.3e", report.kinkDistance))")
            if report.draw > 1 {
                print("Checked draw \(report.draw): the \(report.draw - 1) before it put a relu pre-activation within 1e-5 of its kink.")
            }
            if report.relativeDifference < 1e-7 {
                print("Backpropagation agrees with the finite differences.")
            } else {
                print("There is a mistake in backpropagation: the difference is above 1e-7.")
                throw ExitCode.failure
            }
        }
    }
}
