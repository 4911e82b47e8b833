/// How the examples of an image dataset were made, so that a new photo can be
/// made alike: decoded to RGB, turned upright or not, resized to
/// `width × height`, flattened in C order (row, column, channel: numpy's
/// `image.reshape((1, -1))`). A checkpoint trained on such data records it
/// (`input_image_*` of `/model`, formats/checkpoint.md, "Images").
public struct InputImage: Sendable, Equatable {
    /// Pillow's `Image.resize((width, height))` default filter, bicubic with its widened support on downscaling.
    public static let pillowBicubic = "pillow-bicubic"

    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int
    /// Samples per pixel: 3, RGB.
    public var channels: Int
    /// How a photo is resized: ``pillowBicubic``.
    public var resize: String
    /// Whether the EXIF orientation is applied first (`ImageOps.exif_transpose`); the course's `Image.open`
    /// ignores it.
    public var exifTranspose: Bool

    /// An RGB layout of `height × width` pixels.
    public init(height: Int, width: Int, channels: Int = 3, resize: String = InputImage.pillowBicubic, exifTranspose: Bool = false) {
        self.height = height
        self.width = width
        self.channels = channels
        self.resize = resize
        self.exifTranspose = exifTranspose
    }

    /// `[height, width, channels]`, as `input_image_shape` stores it.
    public var shape: [Int] { [height, width, channels] }

    /// The features one image gives, `height × width × channels`.
    public var featureCount: Int { height * width * channels }

    /// The layout of a dataset's examples when they are images: `uint8` features of
    /// example shape `[height, width, 3]`, as the course's `train_catvnoncat.h5`
    /// stores them (`(m, 64, 64, 3)`) and `lnet convert photos/ --size N` writes them.
    /// `attributes` are those on `x`: `image_exif_transpose` (written by the image
    /// folder conversion) says whether orientation was applied. Nil for other data.
    public static func detect(
        exampleShape: [Int], featureType: HDF5ElementType, attributes: [String: AttributeValue] = [:]
    ) -> InputImage? {
        guard featureType == .uint8, exampleShape.count == 3, exampleShape[2] == 3,
              exampleShape[0] >= 1, exampleShape[1] >= 1,
              exampleShape[0] <= CheckpointSchema.Limits.maximumImageSide,
              exampleShape[1] <= CheckpointSchema.Limits.maximumImageSide
        else { return nil }
        let transposed = attributes["image_exif_transpose"].flatMap { $0.boolValue ?? $0.int64Value.map { $0 != 0 } } ?? false
        return InputImage(height: exampleShape[0], width: exampleShape[1], exifTranspose: transposed)
    }
}
