/// An image as 8-bit RGB pixels, row-major and interleaved (`r g b r g b …`),
/// top row first: what Pillow's `np.asarray(image.convert("RGB"))` holds, flattened.
public struct RGBImage: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width × height × 3` samples.
    public var pixels: [UInt8]

    /// Makes an image; `pixels` must hold `width × height × 3` samples.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
