import Foundation
import LNetStorage
import LNetTraining

/// The course's two plots of a saved model, from its files to an SVG file:
/// the cost curve a checkpoint records, and the decision boundary of its
/// network over 2-feature data. `lnet plot` calls these.
public enum CheckpointPlots {
    /// The cost of every completed epoch (`/training/costs`) against the epoch,
    /// titled with the initial learning rate as in the course; with a test
    /// history (`/training/test_costs`), the test cost beside it, with a legend.
    public static func costCurve(checkpoint path: String, notes: (String) -> Void = { _ in }) throws -> SVGLinePlot {
        let saved = try CheckpointFile.read(from: path, notes: notes)
        guard let training = saved.training, let optimizer = saved.optimizer else {
            throw RunError(path: path, "a parameters-only checkpoint has no cost history (/training/costs) to plot")
        }
        var plot = SVGLinePlot.costCurve(costs: training.costs, learningRate: optimizer.learningRate0)
        let history = training.testHistory
        if !history.isEmpty {
            // Each test cost stands at the epoch whose training cost it was measured beside.
            plot.otherSeries = [SVGLinePlot.Series(
                points: zip(history.epochs, history.costs).map { (x: Double($0.0), y: $0.1) }, name: "test")]
        }
        return plot
    }

    /// The course's `plot_decision_boundary`: the network of the checkpoint at
    /// `path` over the 2-feature dataset at `dataPath` (its labels colour the
    /// points when it has them), the grid in the data's own units.
    public static func decisionBoundary(
        checkpoint path: String, dataPath: String, x: String? = nil, y: String? = nil,
        margin: Double = DecisionBoundaryGrid.defaultMargin, resolution: Int = DecisionBoundaryGrid.defaultResolution,
        notes: (String) -> Void = { _ in }
    ) throws -> SVGDecisionBoundary {
        let saved = try CheckpointFile.read(from: path, notes: notes)
        let dataset = try DatasetFile(path: dataPath, x: x, y: y, requireLabels: false)
        defer { try? dataset.close() }
        guard dataset.featureCount == 2 else {
            throw RunError(path: dataPath, "the decision boundary needs 2 features per example, this data has \(dataset.featureCount)")
        }
        let network = try TrainingCheckpoint.network(from: saved, path: path)
        guard network.layerSizes.first == 2 else {
            throw RunError(path: path, "the decision boundary needs a network with 2 inputs, this one has \(network.layerSizes.first ?? 0)")
        }
        // Raw values: the grid is drawn in the data's units and the
        // checkpoint's preprocessing is applied per cell.
        let features = try dataset.readFeatures(divisor: 1)
        let labels = dataset.hasLabels ? try dataset.readLabels() : [Int](repeating: 0, count: dataset.exampleCount)
        return try DecisionBoundaryGrid.plot(
            network: network, preprocessing: TrainingCheckpoint.preprocessing(from: saved),
            features: features, labels: labels, margin: margin, resolution: resolution)
    }

    /// Writes `svg` to `path` atomically: a failed write leaves any previous file whole.
    public static func write(_ svg: String, to path: String) throws {
        try AtomicFile.replace(path) { temporary in
            try Data(svg.utf8).write(to: URL(fileURLWithPath: temporary))
        }
    }
}
