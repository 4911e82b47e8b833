import Foundation
import LNetStorage
import LNetTraining

/// The course's look at its data (`plt.imshow(train_x_orig[index])` with the
/// label as title) for a whole grid: `lnet plot DATA --samples`. Examples of
/// `uint8` pictures, RGB `(m, h, w, 3)` or grey `(m, h, w)`, are encoded as PNG
/// (libpng) and drawn with their class names.
public enum DatasetSamples {
    /// Pictures drawn unless asked otherwise: a 4 × 4 grid.
    public static let defaultCount = 16
    /// The most pictures one grid draws.
    public static let maximumCount = 400
    /// The most pixel samples one grid may hold, all pictures together (the SVG embeds them all).
    public static let maximumSamples = 64 << 20

    /// `count` example indices spread evenly over `exampleCount`, first included, in order: a
    /// dataset sorted by class (as a folder of photos is) shows every class.
    public static func indices(exampleCount: Int, count: Int) -> [Int] {
        let shown = max(0, min(count, exampleCount))
        return (0..<shown).map { $0 * exampleCount / shown }
    }

    /// The grid of `count` examples of the dataset at `dataPath` (its `x`/`y` names, or
    /// formats/dataset.md's rule), captioned with each label's class name (or `y = 1`).
    public static func grid(dataPath: String, x: String? = nil, y: String? = nil, count: Int = defaultCount) throws -> SVGImageGrid {
        let file = try DatasetFile(path: dataPath, x: x, y: y, requireLabels: false)
        defer { try? file.close() }
        let shape = file.exampleShape
        let shown = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let channels: Int
        switch (file.featureType, shape.count, shape.last) {
        case (.uint8, 3, 3?): channels = 3
        case (.uint8, 3, 1?): channels = 1
        case (.uint8, 2, _): channels = 1
        default:
            throw RunError(
                path: dataPath,
                "x (\(file.xName)) holds \(file.featureType.numpyName) examples of shape \(shown): samples are drawn from uint8 pictures, (m, height, width, 3) or (m, height, width)")
        }
        let indices = indices(exampleCount: file.exampleCount, count: count)
        let (samples, overflow) = file.featureCount.multipliedReportingOverflow(by: indices.count)
        guard !overflow, samples <= maximumSamples else {
            throw RunError(
                path: dataPath,
                "\(indices.count) pictures of \(shown) are more than \(maximumSamples) samples to draw: ask for fewer")
        }
        let labels = file.hasLabels ? try file.readLabels() : nil
        let names = file.classes
        var tiles: [SVGImageGrid.Tile] = []
        for index in indices {
            let values = try file.readFeatures(examples: index..<index + 1, divisor: 1)
            let pixels = values.map { UInt8(clamping: Int($0)) }
            let png: [UInt8]
            do {
                png = try PNGEncoder.encode(samples: pixels, width: shape[1], height: shape[0], channels: channels)
            } catch {
                throw RunError(path: dataPath, "example \(index) cannot be drawn: \(error)")
            }
            let label = labels?[index]
            let caption: String
            if let label {
                let name = names.flatMap { label < $0.count ? $0[label] : nil }
                caption = "#\(index) " + (name ?? "y = \(label)")
            } else {
                caption = "#\(index)"
            }
            tiles.append(.init(
                imageURI: "data:image/png;base64," + Data(png).base64EncodedString(), width: shape[1], height: shape[0],
                caption: caption, classId: label))
        }
        let name = URL(fileURLWithPath: dataPath).lastPathComponent
        return SVGImageGrid(tiles: tiles, title: "\(name): \(indices.count) of \(file.exampleCount) examples")
    }
}
