import LNetStorage
import LNetTraining

/// The course's `plot_decision_boundary` for a saved network: a grid over the
/// data's range widened by a margin, the network's predicted class in every
/// cell, and the points on top coloured by label.
///
/// The grid is in the data's own units (what the user sees on the axes); each
/// cell centre goes through the checkpoint's preprocessing (the divisor, then
/// the standardisation) before the network sees it, exactly as `evaluate` and
/// `predict` treat real examples. All cells are predicted in one batch.
///
/// ```swift
/// let plot = try DecisionBoundaryGrid.plot(network: network, preprocessing: preprocessing,
///                                          features: x, labels: y)
/// let svg = plot.render()
/// ```
public enum DecisionBoundaryGrid {
    /// The course's margin around the data (`x_min - 1`, `x_max + 1`).
    public static let defaultMargin = 1.0
    /// Cells per side: fine enough for a smooth boundary, 40 000 predictions.
    public static let defaultResolution = 200

    /// Predicts the class at the centre of every cell of a `resolution ×
    /// resolution` grid over `xRange × yRange` (row 0 is the lowest y).
    public static func classGrid(
        network: Network, preprocessing: InputPreprocessing,
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, resolution: Int = defaultResolution
    ) throws -> SVGDecisionBoundary.ClassGrid {
        guard network.layerSizes.first == 2 else {
            throw RunError(path: nil, "the decision boundary needs a network with 2 inputs, this one has \(network.layerSizes.first ?? 0)")
        }
        guard resolution >= 1, resolution <= 2000 else {
            throw RunError(path: nil, "the grid resolution must be between 1 and 2000, not \(resolution)")
        }
        let cells = resolution * resolution
        // All cells go through one forward pass: refused, not trapped, when that cannot fit.
        try MemoryPolicy.inMemory.admit(
            MemoryEstimate.inference(layerSizes: network.layerSizes, optimizerCopies: 0, blockColumns: cells),
            path: nil, what: "predicting the decision boundary's \(cells) grid cells with layers \(network.layerSizes.map(String.init).joined(separator: ","))",
            advice: .smallerNetwork)
        // Examples in rows (cell by cell), as DatasetFile returns features.
        var examples = [Double](repeating: 0, count: cells * 2)
        let width = (xRange.upperBound - xRange.lowerBound) / Double(resolution)
        let height = (yRange.upperBound - yRange.lowerBound) / Double(resolution)
        for row in 0..<resolution {
            for column in 0..<resolution {
                let cell = row * resolution + column
                examples[2 * cell] = xRange.lowerBound + (Double(column) + 0.5) * width
                examples[2 * cell + 1] = yRange.lowerBound + (Double(row) + 0.5) * height
            }
        }
        let predicted = try network.predict(try features(examples, preprocessing: preprocessing))
        let ids = predicted.map { Int(clamping: $0) }
        guard let grid = SVGDecisionBoundary.ClassGrid(
            xRange: xRange, yRange: yRange, columns: resolution, rows: resolution, classIds: ids)
        else {
            throw RunError(path: nil, "the network returned \(ids.count) predictions for \(cells) grid cells")
        }
        return grid
    }

    /// The whole plot: `features` are the raw examples in rows (`m × 2`,
    /// not yet divided), `labels` their class ids.
    public static func plot(
        network: Network, preprocessing: InputPreprocessing, features raw: [Double], labels: [Int],
        margin: Double = defaultMargin, resolution: Int = defaultResolution, title: String? = nil
    ) throws -> SVGDecisionBoundary {
        let points = stride(from: 0, to: raw.count - 1, by: 2).map { (x: raw[$0], y: raw[$0 + 1]) }
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard let xLow = finite.map(\.x).min(), let xHigh = finite.map(\.x).max(),
              let yLow = finite.map(\.y).min(), let yHigh = finite.map(\.y).max()
        else {
            throw RunError(path: nil, "the data has no example with two finite features to plot")
        }
        let grid = try classGrid(
            network: network, preprocessing: preprocessing,
            xRange: xLow - margin...xHigh + margin, yRange: yLow - margin...yHigh + margin, resolution: resolution)
        let architecture = network.layerSizes.map(String.init).joined(separator: "-")
        return SVGDecisionBoundary(
            grid: grid, points: points, labels: labels, title: title ?? "Decision boundary (layers \(architecture))")
    }

    /// Divides and standardises examples in rows, then turns them into the
    /// course's `n_x × m` orientation.
    static func features(_ examples: [Double], preprocessing: InputPreprocessing) throws -> Matrix {
        var values = examples
        if preprocessing.divisor != 1 {
            for index in values.indices { values[index] /= preprocessing.divisor }
        }
        preprocessing.standardize(examplesInRows: &values, featureCount: 2)
        let m = values.count / 2
        var columns = [Double](repeating: 0, count: values.count)
        for example in 0..<m {
            columns[example] = values[2 * example]
            columns[m + example] = values[2 * example + 1]
        }
        return try Matrix(rows: 2, columns: m, elements: columns)
    }
}
