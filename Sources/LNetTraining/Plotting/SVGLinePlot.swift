/// A line plot as a standalone SVG 1.1 document, for the course's cost curve:
/// cost against epochs, titled "Learning rate = 0.0075", axes ticked at nice
/// numbers. Non-finite points (a diverged run) are left out and break the line.
public struct SVGLinePlot: Sendable {
    /// The points in drawing order.
    public var points: [(x: Double, y: Double)]
    /// The heading above the plot, also the document's `<title>` (escaped for XML).
    public var title: String
    /// The x axis label, e.g. `epochs`.
    public var xLabel: String
    /// The y axis label, e.g. `cost`.
    public var yLabel: String
    /// Size in pixels (also the viewBox).
    public var width: Double = 640
    /// The height in pixels (also the viewBox's); `render` uses at least 120, and at least 160 for `width`.
    public var height: Double = 480
    /// Line colour, any SVG colour.
    public var stroke: String = "#1f77b4"
    /// The name of `points` in the legend; the legend is drawn only when there are `otherSeries`.
    public var seriesName = "train"
    /// More lines drawn on the same axes (the test cost beside the training cost), each with its own colour and
    /// name in a legend.
    public var otherSeries: [Series] = []

    /// A line beside the main one.
    public struct Series: Sendable {
        /// The points in drawing order.
        public var points: [(x: Double, y: Double)]
        /// Its name in the legend.
        public var name: String
        /// Its colour, any SVG colour.
        public var stroke: String

        /// A line named `name` in the legend.
        public init(points: [(x: Double, y: Double)], name: String, stroke: String = "#ff7f0e") {
            self.points = points
            self.name = name
            self.stroke = stroke
        }
    }

    /// A plot of `points` in the default size (640×480) and colour.
    public init(points: [(x: Double, y: Double)], title: String, xLabel: String, yLabel: String) {
        self.points = points
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The course's cost curve: `costs[i]` was recorded at epoch
    /// `firstEpoch + i * epochStep` (e.g. every 100 epochs from 0).
    public static func costCurve(costs: [Double], learningRate: Double, firstEpoch: Int = 0, epochStep: Int = 1) -> SVGLinePlot {
        let points = costs.enumerated().map { (x: Double(firstEpoch + $0.offset * epochStep), y: $0.element) }
        return SVGLinePlot(points: points, title: "Learning rate = \(learningRate)", xLabel: "epochs", yLabel: "cost")
    }

    /// The SVG document.
    public func render() -> String {
        let finite = (points + otherSeries.flatMap(\.points)).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let frame = SVG.Frame(
            width: max(width, 160), height: max(height, 120),
            x: SVG.Ticks(low: xs.min() ?? 0, high: xs.max() ?? 1),
            y: SVG.Ticks(low: ys.min() ?? 0, high: ys.max() ?? 1))
        var svg = frame.open(title: title)
        svg += frame.axes(title: title, xLabel: xLabel, yLabel: yLabel, grid: true)
        // One polyline per run of finite points.
        var segment: [(x: String, y: String)] = []
        var stroke = self.stroke
        func flush() {
            if segment.count == 1 {
                svg += "<circle cx=\"\(segment[0].x)\" cy=\"\(segment[0].y)\" r=\"2.5\" fill=\"\(SVG.escape(stroke))\"/>\n"
            } else if segment.count > 1 {
                let coordinates = segment.map { "\($0.x),\($0.y)" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(SVG.escape(stroke))\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(coordinates)\"/>\n"
            }
            segment.removeAll()
        }
        let lines = [Series(points: points, name: seriesName, stroke: self.stroke)] + otherSeries
        for line in lines {
            stroke = line.stroke
            for point in line.points {
                if point.x.isFinite, point.y.isFinite {
                    segment.append((SVG.number(frame.px(point.x)), SVG.number(frame.py(point.y))))
                } else {
                    flush()
                }
            }
            flush()
        }
        if !otherSeries.isEmpty {
            // The legend, top right inside the plot area.
            for (index, line) in lines.enumerated() {
                let y = frame.top + 16 + Double(index) * 18
                let x = frame.left + frame.plotWidth - 110
                svg += "<line x1=\"\(SVG.number(x))\" y1=\"\(SVG.number(y - 4))\" x2=\"\(SVG.number(x + 24))\" y2=\"\(SVG.number(y - 4))\" stroke=\"\(SVG.escape(line.stroke))\" stroke-width=\"2\"/>\n"
                svg += "<text x=\"\(SVG.number(x + 30))\" y=\"\(SVG.number(y))\" font-family=\"sans-serif\" font-size=\"12\">\(SVG.escape(line.name))</text>\n"
            }
        }
        if finite.isEmpty {
            svg += "<text x=\"\(SVG.number(frame.left + frame.plotWidth / 2))\" y=\"\(SVG.number(frame.top + frame.plotHeight / 2))\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#888888\">no data</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
