/// The EXIF orientation tag (0x0112) and the transposition Pillow's
/// `ImageOps.exif_transpose` makes of it.
///
/// The parser reads untrusted bytes: it looks only at the first image file
/// directory of the TIFF structure, checks every offset against the buffer, and
/// returns nil for anything it does not understand (Pillow then applies nothing).
public enum EXIFOrientation: Int, Sendable, Equatable, CaseIterable {
    case normal = 1, mirrored = 2, rotated180 = 3, flipped = 4
    case transposed = 5, rotated90Clockwise = 6, transversed = 7, rotated90CounterClockwise = 8

    /// The orientation in a TIFF block (EXIF data after JPEG's `Exif\0\0`, or a PNG eXIf chunk), or nil.
    public init?(tiff bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func uint16(_ at: Int) -> Int? {
            guard at >= 0, at <= bytes.count - 2 else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func uint32(_ at: Int) -> Int? {
            guard let low = uint16(littleEndian ? at : at + 2), let high = uint16(littleEndian ? at + 2 : at) else { return nil }
            return low | high << 16
        }
        guard uint16(2) == 42, let directory = uint32(4), let count = uint16(directory) else { return nil }
        for index in 0..<count {
            let entry = directory + 2 + index * 12
            guard let tag = uint16(entry), let type = uint16(entry + 2) else { return nil }
            guard tag == 0x0112 else { continue }
            let value: Int?
            switch type {
            case 3: value = uint16(entry + 8)   // SHORT, the type the standard gives it
            case 4: value = uint32(entry + 8)   // LONG, which some writers use
            default: value = nil
            }
            guard let value, let orientation = EXIFOrientation(rawValue: value) else { return nil }
            self = orientation
            return
        }
        return nil
    }

    /// The orientation in `bytes`, for callers holding an array.
    public init?(tiff bytes: [UInt8]) {
        guard let found = bytes.withUnsafeBufferPointer({ EXIFOrientation(tiff: $0) }) else { return nil }
        self = found
    }

    /// `image` turned upright: Pillow's FLIP_LEFT_RIGHT, ROTATE_180, FLIP_TOP_BOTTOM,
    /// TRANSPOSE, ROTATE_270, TRANSVERSE or ROTATE_90 for orientations 2 to 8.
    public func applied(to image: RGBImage) -> RGBImage {
        let w = image.width, h = image.height
        let swapsSides = rawValue >= 5
        let outWidth = swapsSides ? h : w, outHeight = swapsSides ? w : h
        if self == .normal { return image }
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        // The source pixel (sx, sy) shown at (x, y).
                        let sx: Int, sy: Int
                        switch self {
                        case .normal: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .rotated180: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .flipped: (sx, sy) = (x, h - 1 - y)
                        case .transposed: (sx, sy) = (y, x)
                        case .rotated90Clockwise: (sx, sy) = (y, h - 1 - x)
                        case .transversed: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .rotated90CounterClockwise: (sx, sy) = (w - 1 - y, x)
                        }
                        let from = (sy * w + sx) * 3, to = (y * outWidth + x) * 3
                        target[to] = source[from]
                        target[to + 1] = source[from + 1]
                        target[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
