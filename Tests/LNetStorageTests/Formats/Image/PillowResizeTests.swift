import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

@Suite("Resizing against Pillow")
struct PillowResizeTests {
    @Test("resize equals Pillow's Image.resize((w, h)) on every corpus image and size")
    func resizedPixelsEqualPillow() throws {
        let corpus = try PillowCorpus.shared.get()
        let decoder = try #require(ImageDecoder())
        var worst = 0, differing = 0, compared = 0
        for entry in corpus.manifest.images {
            let image = try decoder.decode(file: corpus.path(entry.file))
            for size in corpus.manifest.sizes {
                let (width, height) = (size[0], size[1])
                let resized = PillowResize.resize(image, width: width, height: height)
                #expect(resized.width == width && resized.height == height)
                let expected = try corpus.pillowBytes(entry.file, ".\(width)x\(height).rgb")
                try #require(resized.pixels.count == expected.count)
                let difference = byteDifference(resized.pixels, expected)
                worst = max(worst, difference.max)
                differing += difference.count
                compared += expected.count
                #expect(difference.count == 0, "\(entry.file) to \(width)×\(height): \(difference.count) bytes differ, by up to \(difference.max)")
            }
        }
        #expect(worst == 0, "largest difference \(worst) over \(differing) of \(compared) bytes")
        #expect(compared > 1_000_000)
    }

    @Test("the bicubic kernel is Pillow's a = -0.5 cubic")
    func kernel() {
        #expect(PillowResize.bicubic(0) == 1)
        #expect(PillowResize.bicubic(1) == 0)
        #expect(PillowResize.bicubic(2) == 0)
        #expect(PillowResize.bicubic(0.5) == 0.5625)
        #expect(PillowResize.bicubic(-1.5) == -0.0625)
    }
}
