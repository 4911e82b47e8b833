import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LNetTraining

/// Collects element names and text so the tests can check that the SVG is
/// well-formed XML with the structure a browser needs.
private final class SVGOutline: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var rootAttributes: [String: String] = [:]
    var texts: [String] = []
    var current = ""
    var counts: [String: Int] = [:]

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if elements.isEmpty { rootAttributes = attributes }
        elements.append(name)
        counts[name, default: 0] += 1
        current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(current) }
        current = ""
    }

    static func parse(_ svg: String) -> SVGOutline? {
        let outline = SVGOutline()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = outline
        return parser.parse() ? outline : nil
    }
}

@Suite struct PlotSVGTests {
    @Test func costCurveIsValidSVGWithCourseLabels() throws {
        let costs = (0..<25).map { 0.7 * exp(-Double($0) / 6) + 0.05 }
        let svg = SVGLinePlot.costCurve(costs: costs, learningRate: 0.0075, epochStep: 100).render()
        let outline = try #require(SVGOutline.parse(svg))
        #expect(outline.elements.first == "svg")
        #expect(outline.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(outline.rootAttributes["viewBox"] == "0 0 640 480")
        #expect(outline.rootAttributes["version"] == "1.1")
        #expect(outline.texts.contains("Learning rate = 0.0075"))
        #expect(outline.texts.contains("epochs"))
        #expect(outline.texts.contains("cost"))
        // Nice ticks: 0, 500, ..., 2500 on x; 0.1 steps on y.
        #expect(outline.texts.contains("2500"))
        #expect(outline.texts.contains("0.5"))
        #expect(outline.counts["polyline"] == 1)
    }

    @Test func textIsEscapedAndNonFinitePointsBreakTheLine() throws {
        var plot = SVGLinePlot(points: [(0, 1), (1, .nan), (2, 3), (3, 2), (4, .infinity)], title: "a < b & \"c\"", xLabel: "x'", yLabel: "y>")
        plot.width = 300
        plot.height = 200
        let svg = plot.render()
        let outline = try #require(SVGOutline.parse(svg))
        #expect(outline.texts.contains("a < b & \"c\""))
        #expect(outline.counts["polyline"] == 1)
        #expect(outline.counts["circle"] == 1)
        #expect(SVGOutline.parse(SVGLinePlot(points: [], title: "empty", xLabel: "x", yLabel: "y").render()) != nil)
    }

    @Test func niceTicksAndNumbers() {
        let ticks = SVG.Ticks(low: 0.0123, high: 0.6931)
        #expect(ticks.step == 0.1)
        #expect(ticks.low == 0 && ticks.high.isApproximatelyEqual(0.7))
        #expect(SVG.number(2.5) == "2.5")
        #expect(SVG.number(-0.001) == "0")
        #expect(SVG.number(1234.5678, decimals: 3) == "1234.568")
        #expect(SVG.number(0.3, decimals: 1) == "0.3")
        let flat = SVG.Ticks(low: 5, high: 5)
        #expect(flat.low < 5 && flat.high > 5)
    }

    @Test func decisionBoundaryMergesRunsAndColoursPoints() throws {
        let points: [(x: Double, y: Double)] = [(-1, -1), (1, 1), (2, -0.5), (-2, 1.5)]
        let labels = [0, 1, 1, 0]
        let plot = SVGDecisionBoundary(points: points, labels: labels, resolution: 100) { x, y in x + y > 0 ? 1 : 0 }
        #expect(plot.grid.classIds.count == 100 * 100)
        let svg = plot.render()
        let outline = try #require(SVGOutline.parse(svg))
        #expect(outline.counts["circle"] == 4)
        // A diagonal boundary gives at most two runs per row (+ background + axes box).
        let rects = outline.counts["rect"] ?? 0
        #expect(rects <= 2 * 100 + 2)
        #expect(svg.contains(SVGDecisionBoundary.pointColors[0]) && svg.contains(SVGDecisionBoundary.pointColors[1]))
        #expect(SVGDecisionBoundary.ClassGrid(xRange: 0...1, yRange: 0...1, columns: 2, rows: 2, classIds: [0, 1]) == nil)
        let grid = try #require(SVGDecisionBoundary.ClassGrid(xRange: 0...1, yRange: 0...1, columns: 2, rows: 1, classIds: [0, -3]))
        #expect(SVGOutline.parse(SVGDecisionBoundary(grid: grid, points: [], labels: []).render()) != nil)
    }

    /// Writes the two plots where a person can look at them (not checked).
    @Test func writesSamplePlots() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-plots")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let costs = (0..<25).map { 0.7 * exp(-Double($0) / 6) + 0.05 }
        try SVGLinePlot.costCurve(costs: costs, learningRate: 0.0075, epochStep: 100).render()
            .write(to: directory.appendingPathComponent("cost.svg"), atomically: true, encoding: .utf8)
        var points: [(x: Double, y: Double)] = []
        var labels: [Int] = []
        for i in 0..<200 {
            let angle = Double(i) * 0.1
            let radius = Double(i % 100) / 30
            points.append((radius * cos(angle), radius * sin(angle)))
            labels.append(radius > 1.6 ? 1 : 0)
        }
        try SVGDecisionBoundary(points: points, labels: labels, title: "Decision boundary") { x, y in x * x + y * y > 2.6 ? 1 : 0 }
            .render().write(to: directory.appendingPathComponent("boundary.svg"), atomically: true, encoding: .utf8)
    }
}

private extension Double {
    func isApproximatelyEqual(_ other: Double) -> Bool { abs(self - other) < 1e-9 }
}
