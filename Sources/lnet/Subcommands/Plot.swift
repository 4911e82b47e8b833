import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

/// `lnet plot CKPT -o costs.svg` and `--boundary --data FILE`: the course's
/// two plots as SVG. The work is LNetRuns' `CheckpointPlots`.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot a checkpoint's cost curve, its decision boundary over 2-feature data, or a dataset's pictures, as SVG.",
        discussion: """
            Without --boundary: the cost of every completed epoch (/training/costs) \
            against the epoch, titled with the initial learning rate as in the course \
            ("Learning rate = 0.0075").

            With --boundary --data FILE: the course's plot_decision_boundary. A grid \
            over the data's range, widened by --margin on each side, is coloured by the \
            class the network predicts in each cell (the checkpoint's input \
            preprocessing applied first), and the examples are drawn on top, coloured \
            by label. The data must have exactly 2 features per example.

              lnet sample moons -o moons.h5
              lnet train --data moons.h5 --layers 5,2,1 --epochs 10000 --checkpoint moons-model.h5
              lnet plot moons-model.h5 -o costs.svg
              lnet plot moons-model.h5 --boundary --data moons.h5 -o boundary.svg

            With --samples, the argument is a dataset of uint8 pictures ((m, height, \
            width, 3) RGB, or (m, height, width) grey): a grid of --count examples \
            (16, a 4 × 4 grid), spread evenly over the file, each embedded as PNG and \
            captioned with its index and its label's class name.

              lnet convert samples/photos pets.h5 --size 64
              lnet plot pets.h5 --samples -o grid.svg

            An existing SVG is refused unless --force; it is written atomically, so a \
            failed run leaves any previous file whole.
            """)

    @Argument(help: "The checkpoint (a parameters-only one will do for --boundary); with --samples, the dataset.")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "The SVG file to write.")
    var output: String

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    @Flag(help: "Plot the decision boundary over --data instead of the cost curve.")
    var boundary = false

    @Flag(help: "Draw a grid of the dataset's pictures with their labels instead (the argument is a dataset).")
    var samples = false

    @Option(help: "With --samples: how many pictures (1–\(DatasetSamples.maximumCount)).")
    var count: Int = DatasetSamples.defaultCount

    @Option(help: "The 2-feature dataset for --boundary.")
    var data: String?

    @OptionGroup var names: DatasetNameOptions

    @Option(help: "Margin around the data, in its units (the course's 1).")
    var margin: Double = DecisionBoundaryGrid.defaultMargin

    @Option(help: "Grid cells per side.")
    var resolution: Int = DecisionBoundaryGrid.defaultResolution

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        if samples, boundary { throw ValidationError("--samples draws a dataset's pictures and --boundary a model's decisions: give one") }
        if samples, data != nil { throw ValidationError("--samples draws the dataset given as the argument; --data is for --boundary") }
        guard (1...DatasetSamples.maximumCount).contains(count) else {
            throw ValidationError("--count must be between 1 and \(DatasetSamples.maximumCount)")
        }
        if boundary, data == nil { throw ValidationError("--boundary needs --data FILE, the 2-feature data to draw") }
        if !boundary, data != nil { throw ValidationError("--data is only used with --boundary") }
        guard margin >= 0, margin.isFinite else { throw ValidationError("--margin must be a finite number, 0 or more") }
        guard (1...2000).contains(resolution) else { throw ValidationError("--resolution must be between 1 and 2000") }
    }

    func run() throws {
        try Isolation.probe([checkpoint] + (data.map { [$0] } ?? []))
        try reportingErrors {
            threading.apply()
            try checkOutput(output, force: force, inputs: [checkpoint] + (data.map { [$0] } ?? []))
            let svg = if samples {
                try DatasetSamples.grid(dataPath: checkpoint, x: names.x, y: names.y, count: count).render()
            } else if boundary, let data {
                try CheckpointPlots.decisionBoundary(
                    checkpoint: checkpoint, dataPath: data, x: names.x, y: names.y, margin: margin, resolution: resolution
                ).render()
            } else {
                try CheckpointPlots.costCurve(checkpoint: checkpoint).render()
            }
            try CheckpointPlots.write(svg, to: output)
        }
    }
}
