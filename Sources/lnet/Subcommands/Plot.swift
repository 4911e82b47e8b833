import ArgumentParser
import Foundation
import LNetStorage
import LNetTraining

/// `lnet plot CKPT -o costs.svg` and `--boundary --data FILE`: the course's
/// two plots as SVG. The drawing is in LNetTraining's Plotting folder.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot a checkpoint's cost curve, or its decision boundary over 2-feature data, as SVG.",
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

            An existing SVG is refused unless --force; it is written atomically, so a \
            failed run leaves any previous file whole.
            """)

    @Argument(help: "The checkpoint (a parameters-only one will do for --boundary).")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "The SVG file to write.")
    var output: String

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    @Flag(help: "Plot the decision boundary over --data instead of the cost curve.")
    var boundary = false

    @Option(help: "The 2-feature dataset for --boundary.")
    var data: String?

    @Option(help: "The features' dataset name (default: x, or the one *_x).")
    var x: String?

    @Option(help: "The labels' dataset name (default: y, or the *_y beside *_x).")
    var y: String?

    @Option(help: "Margin around the data, in its units (the course's 1).")
    var margin: Double = DecisionBoundaryGrid.defaultMargin

    @Option(help: "Grid cells per side.")
    var resolution: Int = DecisionBoundaryGrid.defaultResolution

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
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
            let saved = try CheckpointFile.read(from: checkpoint)
            let svg: String
            if boundary, let data {
                let dataset = try DatasetFile(path: data, x: x, y: y, requireLabels: false)
                defer { try? dataset.close() }
                guard dataset.featureCount == 2 else {
                    throw RunError(path: data, "the decision boundary needs 2 features per example, this data has \(dataset.featureCount)")
                }
                let network = try TrainingCheckpoint.network(from: saved, path: checkpoint)
                guard network.layerSizes.first == 2 else {
                    throw RunError(path: checkpoint, "the decision boundary needs a network with 2 inputs, this one has \(network.layerSizes.first ?? 0)")
                }
                // Raw values: the grid is drawn in the data's units and the
                // checkpoint's preprocessing is applied per cell.
                let features = try dataset.readFeatures(divisor: 1)
                let labels = dataset.hasLabels ? try dataset.readLabels() : [Int](repeating: 0, count: dataset.exampleCount)
                svg = try DecisionBoundaryGrid.plot(
                    network: network, preprocessing: TrainingCheckpoint.preprocessing(from: saved),
                    features: features, labels: labels, margin: margin, resolution: resolution
                ).render()
            } else {
                guard let training = saved.training, let optimizer = saved.optimizer else {
                    throw RunError(path: checkpoint, "a parameters-only checkpoint has no cost history (/training/costs) to plot")
                }
                svg = SVGLinePlot.costCurve(costs: training.costs, learningRate: optimizer.learningRate0).render()
            }
            try AtomicFile.replace(output) { temporary in
                try Data(svg.utf8).write(to: URL(fileURLWithPath: temporary))
            }
        }
    }
}
