import ArgumentParser
import LNetRuns
import LNetStorage
import LNetTraining

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write one of the course's sample datasets.",
        discussion: """
            moons: the course's two-moons set, the same numbers scikit-learn's make_moons gives after \
            np.random.seed(3): x (m, 2) float64, y (m,) int64.

              lnet sample moons -o moons.h5
              lnet sample moons -o moons.h5 --samples 1000 --noise 0.1 --seed 7
            """)

    @Argument(help: "The dataset.")
    var name: SampleName

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    @Option(help: "Number of examples.")
    var samples: Int = 300

    @Option(help: "Standard deviation of the Gaussian noise.")
    var noise: Double = 0.2

    @Option(help: "np.random.seed before drawing.")
    var seed: UInt32 = 3

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func validate() throws {
        guard samples >= 2 else { throw ValidationError("--samples must be 2 or more") }
        guard noise >= 0, noise.isFinite else { throw ValidationError("--noise must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let (x, y) = try MoonsDataset.make(samples: samples, noise: noise, seed: seed)
            try DatasetWriter.write(to: output, x: x.elements, exampleShape: [2], y: y, overwrite: force)
        }
    }
}
