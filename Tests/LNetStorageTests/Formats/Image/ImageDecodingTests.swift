import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

@Suite("Image decoding against Pillow")
struct ImageDecodingTests {
    @Test("every corpus image decodes to the pixels of Pillow's convert(\"RGB\")")
    func decodedPixelsEqualPillow() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder())
        var worst = 0
        for entry in corpus.manifest.images {
            let image = try decoder.decode(file: corpus.path(entry.file))
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            let expected = try corpus.pillowBytes(entry.file, ".rgb")
            try #require(image.pixels.count == expected.count, "\(entry.file)")
            let difference = byteDifference(image.pixels, expected)
            worst = max(worst, difference.max)
            #expect(difference.count == 0, "\(entry.file): \(difference.count) bytes differ, by up to \(difference.max)")
        }
        #expect(worst == 0)
        #expect(corpus.manifest.images.count >= 40)
    }

    @Test("--exif-transpose turns images upright as ImageOps.exif_transpose does")
    func exifOrientationEqualsPillow() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder(options: ImageDecodingOptions(appliesEXIFOrientation: true)))
        var rotated = 0
        for entry in corpus.manifest.images {
            let image = try decoder.decode(file: corpus.path(entry.file))
            #expect(image.width == entry.upright_width && image.height == entry.upright_height, "\(entry.file)")
            #expect(image.pixels == (try corpus.pillowBytes(entry.file, ".exif.rgb")), "\(entry.file)")
            if entry.upright_width != entry.width { rotated += 1 }
        }
        #expect(rotated >= 4, "orientations 5 to 8 swap the sides")
    }

    @Test("orientation is ignored by default, as Image.open ignores it")
    func orientationIgnoredByDefault() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder())
        let image = try decoder.decode(file: corpus.path("exif_6.jpg"))
        #expect(image.width == 60 && image.height == 40)
    }

    @Test("a header above the pixel limit is refused before pixels are allocated")
    func decompressionBombIsRefused() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder(options: ImageDecodingOptions(maxPixels: 100)))
        let error = #expect(throws: ImportError.self) { try decoder.decode(file: corpus.path("rgb_16x16.png")) }
        #expect(error?.problem.contains("decompression bomb") == true)
        #expect(ImageDecodingOptions.pillowMaxImagePixels == 89_478_485)
    }

    @Test("empty, unknown, truncated and corrupt files are errors naming the file")
    func badFilesAreErrors() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder())
        let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus.path("rgb_517x389_q90.jpg"))))
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus.path("rgb_517x389.png"))))
        var badCRC = png
        badCRC[29] ^= 0xFF   // the IHDR chunk's CRC
        var badData = png
        badData[png.count / 2] ^= 0x55
        let cases: [(String, [UInt8], String)] = [
            ("empty.jpg", [], "empty"),
            ("text.jpg", Array("hello, world".utf8), "not a JPEG or PNG"),
            ("truncated.jpg", Array(jpeg.prefix(jpeg.count / 2)), "truncated"),
            ("header-only.jpg", Array(jpeg.prefix(200)), "JPEG"),
            ("truncated.png", Array(png.prefix(png.count / 2)), "truncated"),
            ("bad-crc.png", badCRC, "PNG"),
            ("bad-data.png", badData, "PNG"),
        ]
        for (name, bytes, words) in cases {
            let error = #expect(throws: ImportError.self, "\(name)") { try decoder.decode(bytes: bytes, name: name) }
            #expect(error?.file == name)
            #expect(error?.problem.contains(words) == true, "\(name): \(error?.problem ?? "no error")")
        }
        // The decoder is still usable after errors.
        #expect(try decoder.decode(bytes: jpeg, name: "good.jpg").width == 517)
    }

    @Test("a PNG declaring 50,000 × 50,000 pixels in a few bytes is refused from its header")
    func declaredBombPNG() throws {
        let decoder = try #require(ImageDecoder())
        let bomb = PNGBytes.header(width: 50_000, height: 50_000)
        let error = #expect(throws: ImportError.self) { try decoder.decode(bytes: bomb, name: "bomb.png") }
        #expect(error?.problem.contains("50000 × 50000") == true, "\(error?.problem ?? "")")
    }

    @Test("the EXIF parser reads little- and big-endian orientation and rejects garbage")
    func exifParser() {
        func tiff(littleEndian: Bool, tag: UInt16, type: UInt16, value: UInt32) -> [UInt8] {
            func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
            func u32(_ v: UInt32) -> [UInt8] { littleEndian ? u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) : u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) }
            let valueField = type == 3 ? u16(UInt16(value)) + [0, 0] : u32(value)
            return (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(8) + u16(1) + u16(tag) + u16(type) + u32(1) + valueField + u32(0)
        }
        #expect(EXIFOrientation(tiff: tiff(littleEndian: true, tag: 0x0112, type: 3, value: 6)) == .rotated90Clockwise)
        #expect(EXIFOrientation(tiff: tiff(littleEndian: false, tag: 0x0112, type: 3, value: 8)) == .rotated90CounterClockwise)
        #expect(EXIFOrientation(tiff: tiff(littleEndian: false, tag: 0x0112, type: 4, value: 3)) == .rotated180)
        #expect(EXIFOrientation(tiff: tiff(littleEndian: true, tag: 0x0112, type: 3, value: 9)) == nil)
        #expect(EXIFOrientation(tiff: tiff(littleEndian: true, tag: 0x0110, type: 3, value: 6)) == nil)
        let good = tiff(littleEndian: true, tag: 0x0112, type: 3, value: 6)
        for length in 0..<good.count {
            _ = EXIFOrientation(tiff: Array(good.prefix(length)))   // never reads past the end
        }
        var hugeCount = good
        hugeCount[8] = 0xFF; hugeCount[9] = 0xFF
        #expect(EXIFOrientation(tiff: hugeCount) == .rotated90Clockwise || EXIFOrientation(tiff: hugeCount) == nil)
    }
}

/// Hand-assembled PNG bytes for the cases no encoder writes.
enum PNGBytes {
    /// A signature, a valid IHDR for an 8-bit RGB image of the given size, an IDAT of
    /// no pixels (a zlib stream of one empty stored block) and IEND: 67 bytes.
    static func header(width: UInt32, height: UInt32) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(kind.utf8) + data
            return be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        let emptyZlib: [UInt8] = [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0]) + chunk("IDAT", emptyZlib) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
