/// The course's `plot_decision_boundary` as a standalone SVG 1.1 document:
/// for data with two features, the classifier's prediction over a grid is
/// drawn as filled regions, with the data points on top coloured by label.
///
/// Each grid row is drawn as runs of equal class (one rect per run, not per
/// cell), which keeps a 200×200 grid to a few hundred elements.
public struct SVGDecisionBoundary: Sendable {
    /// Class ids predicted over a regular grid of cells.
    public struct ClassGrid: Sendable, Equatable {
        /// The extent of the grid along the first feature (the plot's x axis).
        public var xRange: ClosedRange<Double>
        /// The extent of the grid along the second feature (the plot's y axis).
        public var yRange: ClosedRange<Double>
        /// The number of cells along x, at least 1.
        public var columns: Int
        /// The number of cells along y, at least 1.
        public var rows: Int
        /// `rows × columns` class ids, row-major; row 0 is the lowest y.
        public var classIds: [Int]

        /// A grid from precomputed ids; nil when the count does not match.
        public init?(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int, classIds: [Int]) {
            guard columns > 0, rows > 0, classIds.count == columns * rows else { return nil }
            self.xRange = xRange
            self.yRange = yRange
            self.columns = columns
            self.rows = rows
            self.classIds = classIds
        }

        /// Evaluates `predict` at the centre of every cell.
        public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int, predict: (Double, Double) -> Int) {
            self.xRange = xRange
            self.yRange = yRange
            self.columns = max(1, columns)
            self.rows = max(1, rows)
            let cellWidth = (xRange.upperBound - xRange.lowerBound) / Double(self.columns)
            let cellHeight = (yRange.upperBound - yRange.lowerBound) / Double(self.rows)
            var ids: [Int] = []
            ids.reserveCapacity(self.columns * self.rows)
            for row in 0..<self.rows {
                let y = yRange.lowerBound + (Double(row) + 0.5) * cellHeight
                for column in 0..<self.columns {
                    ids.append(predict(xRange.lowerBound + (Double(column) + 0.5) * cellWidth, y))
                }
            }
            classIds = ids
        }
    }

    /// The predicted classes drawn as regions; its ranges are the plot's axes.
    public var grid: ClassGrid
    /// The data points and their labels (class ids), drawn over the regions.
    public var points: [(x: Double, y: Double)]
    /// One class id per point, choosing its colour; a point without a label is drawn as class 0.
    public var labels: [Int]
    /// The heading above the plot, also the document's `<title>` (escaped for XML).
    public var title: String
    /// The x axis label, `x1` (the first feature) unless set.
    public var xLabel: String = "x1"
    /// The y axis label, `x2` (the second feature) unless set.
    public var yLabel: String = "x2"
    /// The document's width in pixels (also the viewBox); at least 160 is used.
    public var width: Double = 640
    /// The document's height in pixels; at least 120 is used.
    public var height: Double = 480

    /// Region colours (light) and point colours (saturated) per class id,
    /// cycling for ids past the palette; after matplotlib's Spectral ends.
    public static let regionColors = ["#f4a582", "#92c5de", "#d9f0a3", "#fee08b", "#c2a5cf", "#fdd0a2"]
    /// Point colours per class id, saturated so the points stand out on `regionColors`.
    public static let pointColors = ["#b2182b", "#2166ac", "#1a9850", "#d8b365", "#762a83", "#e66101"]

    /// A plot from a precomputed grid.
    public init(grid: ClassGrid, points: [(x: Double, y: Double)], labels: [Int], title: String = "Decision boundary") {
        self.grid = grid
        self.points = points
        self.labels = labels
        self.title = title
    }

    /// Evaluates `predict` over the points' bounding box widened by `margin`
    /// on each side (the course uses 1), on a `resolution × resolution` grid.
    public init(points: [(x: Double, y: Double)], labels: [Int], title: String = "Decision boundary",
                margin: Double = 1, resolution: Int = 200, predict: (Double, Double) -> Int) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xRange = (xs.min() ?? 0) - margin ... (xs.max() ?? 1) + margin
        let yRange = (ys.min() ?? 0) - margin ... (ys.max() ?? 1) + margin
        self.init(grid: ClassGrid(xRange: xRange, yRange: yRange, columns: resolution, rows: resolution, predict: predict),
                  points: points, labels: labels, title: title)
    }

    static func color(_ palette: [String], _ id: Int) -> String {
        let index = id % palette.count
        return palette[index < 0 ? index + palette.count : index]
    }

    /// The SVG document.
    public func render() -> String {
        let frame = SVG.Frame(
            width: max(width, 160), height: max(height, 120),
            x: SVG.Ticks(low: grid.xRange.lowerBound, high: grid.xRange.upperBound, roundOut: false),
            y: SVG.Ticks(low: grid.yRange.lowerBound, high: grid.yRange.upperBound, roundOut: false))
        var svg = frame.open(title: title)

        // Regions: clip to the grid's extent; runs of equal class per row.
        let left = frame.px(grid.xRange.lowerBound), right = frame.px(grid.xRange.upperBound)
        let cellWidth = (right - left) / Double(grid.columns)
        svg += "<g shape-rendering=\"crispEdges\" stroke=\"none\">\n"
        for row in 0..<grid.rows {
            let yLow = grid.yRange.lowerBound + (grid.yRange.upperBound - grid.yRange.lowerBound) * Double(row) / Double(grid.rows)
            let yHigh = grid.yRange.lowerBound + (grid.yRange.upperBound - grid.yRange.lowerBound) * Double(row + 1) / Double(grid.rows)
            let top = frame.py(yHigh), bottom = frame.py(yLow)
            var column = 0
            while column < grid.columns {
                let id = grid.classIds[row * grid.columns + column]
                var end = column + 1
                while end < grid.columns, grid.classIds[row * grid.columns + end] == id { end += 1 }
                // Half a pixel of overlap hides antialiasing seams between runs.
                let x = left + Double(column) * cellWidth
                svg += "<rect x=\"\(SVG.number(x))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(Double(end - column) * cellWidth + 0.5))\" height=\"\(SVG.number(bottom - top + 0.5))\" fill=\"\(Self.color(Self.regionColors, id))\"/>\n"
                column = end
            }
        }
        svg += "</g>\n"
        svg += frame.axes(title: title, xLabel: xLabel, yLabel: yLabel, grid: false)

        svg += "<g stroke=\"#333333\" stroke-width=\"0.6\">\n"
        for (index, point) in points.enumerated() where point.x.isFinite && point.y.isFinite {
            let label = index < labels.count ? labels[index] : 0
            svg += "<circle cx=\"\(SVG.number(frame.px(point.x)))\" cy=\"\(SVG.number(frame.py(point.y)))\" r=\"3.5\" fill=\"\(Self.color(Self.pointColors, label))\"/>\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }
}
