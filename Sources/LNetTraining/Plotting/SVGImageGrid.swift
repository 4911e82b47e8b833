/// A grid of pictures with a caption under each, as a standalone SVG 1.1
/// document: the course's look at its examples (`plt.imshow(train_x_orig[i])`,
/// titled with the label), sixteen at a time.
///
/// Each picture is embedded whole as a `data:` URI (a PNG made by the caller),
/// so the file stands alone; it is drawn at `tileSide` pixels, scaled
/// smoothly when larger than the picture.
public struct SVGImageGrid: Sendable {
    /// One picture and what is written under it.
    public struct Tile: Sendable, Equatable {
        /// The picture as a `data:image/png;base64,…` URI.
        public var imageURI: String
        /// The picture's own size in pixels, which keeps its proportions in the tile.
        public var width: Int
        /// Rows.
        public var height: Int
        /// The caption: the label's class name, or `y = 1`.
        public var caption: String
        /// Colours the caption by class (cycling through a palette); nil draws it grey.
        public var classId: Int?

        /// A tile.
        public init(imageURI: String, width: Int, height: Int, caption: String, classId: Int?) {
            self.imageURI = imageURI
            self.width = width
            self.height = height
            self.caption = caption
            self.classId = classId
        }
    }

    /// The pictures, drawn left to right, top to bottom.
    public var tiles: [Tile]
    /// The heading, also the document's `<title>`.
    public var title: String
    /// Tiles per row; 0 picks ⌈√count⌉.
    public var columns: Int = 0
    /// The side of the square each picture is fitted into, in pixels.
    public var tileSide: Double = 112

    /// Caption colours per class id, cycling; the saturated colours of the other plots.
    public static let captionColors = ["#b2182b", "#2166ac", "#1a9850", "#8c6d1f", "#762a83", "#e66101"]

    /// A grid of `tiles` under `title`.
    public init(tiles: [Tile], title: String) {
        self.tiles = tiles
        self.title = title
    }

    /// The number of tiles per row that is used.
    public var columnCount: Int {
        if columns > 0 { return columns }
        var side = 1
        while side * side < tiles.count { side += 1 }
        return side
    }

    /// The SVG document.
    public func render() -> String {
        let columns = max(1, columnCount)
        let rows = max(1, (tiles.count + columns - 1) / columns)
        let gap = 12.0, caption = 22.0, margin = 20.0, heading = 44.0
        let side = max(16, tileSide)
        let width = max(margin * 2 + Double(columns) * side + Double(columns - 1) * gap, 240)
        let height = heading + margin + Double(rows) * (side + caption) + Double(rows - 1) * gap
        let w = SVG.number(width), h = SVG.number(height)
        var svg = """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)">
        <title>\(SVG.escape(title))</title>
        <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>
        <g font-family="DejaVu Sans, Helvetica, Arial, sans-serif" fill="#222222">
        <text x="\(SVG.number(width / 2))" y="\(SVG.number(margin + 10))" text-anchor="middle" font-size="16">\(SVG.escape(title))</text>

        """
        let gridWidth = Double(columns) * side + Double(columns - 1) * gap
        let left = (width - gridWidth) / 2
        for (index, tile) in tiles.enumerated() {
            let row = index / columns, column = index % columns
            let x = left + Double(column) * (side + gap)
            let y = heading + Double(row) * (side + caption + gap)
            // Fitted into the square, proportions kept, centred.
            let scale = side / Double(max(1, max(tile.width, tile.height)))
            let drawnWidth = Double(max(1, tile.width)) * scale, drawnHeight = Double(max(1, tile.height)) * scale
            let imageX = x + (side - drawnWidth) / 2, imageY = y + (side - drawnHeight) / 2
            svg += "<rect x=\"\(SVG.number(x - 0.5))\" y=\"\(SVG.number(y - 0.5))\" width=\"\(SVG.number(side + 1))\" height=\"\(SVG.number(side + 1))\" fill=\"#f2f2f2\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>\n"
            svg += "<image x=\"\(SVG.number(imageX))\" y=\"\(SVG.number(imageY))\" width=\"\(SVG.number(drawnWidth))\" height=\"\(SVG.number(drawnHeight))\" preserveAspectRatio=\"none\" href=\"\(tile.imageURI)\" xlink:href=\"\(tile.imageURI)\"/>\n"
            let color = tile.classId.map { Self.captionColors[(($0 % Self.captionColors.count) + Self.captionColors.count) % Self.captionColors.count] } ?? "#555555"
            svg += "<text x=\"\(SVG.number(x + side / 2))\" y=\"\(SVG.number(y + side + 16))\" text-anchor=\"middle\" font-size=\"13\" fill=\"\(color)\">\(SVG.escape(tile.caption))</text>\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }
}
