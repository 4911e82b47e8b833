import CPNG

/// Encodes 8-bit pictures as PNG with Debian's libpng, through its simplified
/// API (`png_image_write_to_memory`), which reports errors in its return value
/// and message rather than by `longjmp`.
public enum PNGEncoder {
    /// An encoding that libpng refused, with its message.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// libpng's words.
        public let description: String
    }

    /// The PNG of `image` (RGB).
    public static func encode(_ image: RGBImage) throws(Failure) -> [UInt8] {
        try encode(samples: image.pixels, width: image.width, height: image.height, channels: 3)
    }

    /// The PNG of `width × height` pixels of `channels` samples each (1: grey, 3: RGB),
    /// row-major and interleaved, top row first.
    public static func encode(samples: [UInt8], width: Int, height: Int, channels: Int) throws(Failure) -> [UInt8] {
        guard channels == 1 || channels == 3 else { throw Failure(description: "\(channels) channels: PNG pictures here are grey or RGB") }
        guard width > 0, height > 0, let w = UInt32(exactly: width), let h = UInt32(exactly: height),
              samples.count == width * height * channels
        else { throw Failure(description: "\(samples.count) samples do not make a \(width) × \(height) picture") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = w
        image.height = h
        // PNG_FORMAT_GRAY is 0, PNG_FORMAT_RGB is PNG_FORMAT_FLAG_COLOR.
        image.format = channels == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0
        var size: png_alloc_size_t = 0
        let measured = samples.withUnsafeBytes { bytes in
            png_image_write_to_memory(&image, nil, &size, 0, bytes.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw failure(&image) }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            samples.withUnsafeBytes { bytes in
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, bytes.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw failure(&image) }
        return Array(output.prefix(Int(size)))
    }

    private static func failure(_ image: inout png_image) -> Failure {
        let message = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        png_image_free(&image)
        return Failure(description: message.isEmpty ? "libpng could not write the picture" : message)
    }
}
