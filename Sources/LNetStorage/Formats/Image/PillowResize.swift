/// Pillow's `Image.resize((width, height))` with its default filter, bicubic,
/// on an RGB image: the same coefficients, the same 8-bit fixed-point sums, the
/// same rounding and clipping, the same passes (src/libImaging/Resample.c:
/// `precompute_coeffs`, `normalize_coeffs_8bpc`, `ImagingResampleInner`).
///
/// The filter is the cubic convolution kernel with a = -0.5, support 2; on a
/// downscale its support widens by the scale, so every source pixel counts.
/// The horizontal pass runs first, over the source rows the vertical pass uses,
/// unless the height shrinks by more than twice what the width does (Pillow 13
/// then runs the vertical pass first); a pass whose size does not change is
/// skipped, and equal sizes copy.
public enum PillowResize {
    /// `PRECISION_BITS` of Resample.c: 32 - 8 - 2.
    static let precisionBits = 22

    /// `image` resized to `width × height` (both at least 1).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        if image.width == width && image.height == height { return image }
        let needsHorizontal = width != image.width
        let needsVertical = height != image.height
        // Pillow 13: when the height shrinks by more than twice what the width
        // shrinks, the vertical pass runs first (to make the horizontal one cheaper).
        // The 8-bit rounding between the passes makes the order visible in the pixels.
        let shrinkY = image.height - height, shrinkX = image.width - width
        let horizontalFirst = !(shrinkY > 0 && shrinkY > shrinkX * 2)
        if horizontalFirst {
            let vertical = coefficients(inSize: image.height, outSize: height)
            var source = image
            var shifted = vertical
            if needsHorizontal {
                // Only the rows the vertical pass reads.
                let firstRow = vertical.starts[0]
                let lastRow = vertical.starts[height - 1] + vertical.counts[height - 1]
                let horizontal = coefficients(inSize: image.width, outSize: width)
                source = resampleHorizontally(image, rows: firstRow..<lastRow, width: width, with: horizontal)
                shifted.starts = vertical.starts.map { $0 - firstRow }
            }
            guard needsVertical else { return source }
            return resampleVertically(source, height: height, with: shifted)
        }
        var source = resampleVertically(image, height: height, with: coefficients(inSize: image.height, outSize: height))
        if needsHorizontal {
            source = resampleHorizontally(source, rows: 0..<height, width: width, with: coefficients(inSize: image.width, outSize: width))
        }
        return source
    }

    /// Per output pixel: the first source pixel, how many follow, and `size` fixed-point weights.
    struct Coefficients {
        var starts: [Int]
        var counts: [Int]
        var size: Int
        var weights: [Int32]
    }

    /// Cubic convolution with a = -0.5, written as Resample.c writes it so that doubles round alike.
    @inline(__always)
    static func bicubic(_ value: Double) -> Double {
        let a = -0.5
        let x = value < 0 ? -value : value
        if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
        if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0.0
    }

    static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
        let support = 2.0
        // Pillow's box is float[4]: (in1 - in0) is a float before it becomes a double.
        let scale = Double(Float(inSize) - Float(0)) / Double(outSize)
        let filterScale = scale < 1.0 ? 1.0 : scale
        let widened = support * filterScale
        let size = Int(widened.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1.0 / filterScale
        var starts = [Int](repeating: 0, count: outSize)
        var counts = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * size)
        var k = [Double](repeating: 0, count: size)
        let one = Double(1 << precisionBits)
        for xx in 0..<outSize {
            let center = 0.0 + (Double(xx) + 0.5) * scale
            var total = 0.0
            var xmin = Int(center - widened + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + widened + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            for x in 0..<max(xmax, 0) {
                let w = bicubic((Double(x + xmin) - center + 0.5) * inverseFilterScale)
                k[x] = w
                total += w
            }
            for x in 0..<size {
                var w = x < xmax ? k[x] : 0
                if x < xmax && total != 0.0 { w /= total }
                weights[xx * size + x] = w < 0 ? Int32(-0.5 + w * one) : Int32(0.5 + w * one)
            }
            starts[xx] = xmin
            counts[xx] = max(xmax, 0)
        }
        return Coefficients(starts: starts, counts: counts, size: size, weights: weights)
    }

    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let value = sum >> Int32(precisionBits)
        return value < 0 ? 0 : (value > 255 ? 255 : UInt8(value))
    }

    /// Each output pixel's three channels are summed in one vector: a load of four
    /// bytes (the pixel and the next one's red, whose lane is ignored) times a
    /// splatted weight. The last tap of a row is loaded on its own so that no read
    /// passes the end of the image. The sums are Pillow's exactly: the same
    /// products added in the same order, in 32-bit integers.
    static func resampleHorizontally(_ image: RGBImage, rows: Range<Int>, width: Int, with c: Coefficients) -> RGBImage {
        let inStride = image.width * 3
        let outStride = width * 3
        let half = Int32(1 << (precisionBits - 1))
        let out = [UInt8](unsafeUninitializedCapacity: rows.count * outStride) { target, initialized in
            image.pixels.withUnsafeBytes { source in
                c.weights.withUnsafeBufferPointer { weights in
                    c.starts.withUnsafeBufferPointer { starts in
                        c.counts.withUnsafeBufferPointer { counts in
                            for (row, y) in rows.enumerated() {
                                let line = y * inStride
                                var outIndex = row * outStride
                                for xx in 0..<width {
                                    let count = counts[xx]
                                    let k = xx * c.size
                                    var sum = SIMD4<Int32>(repeating: half)
                                    var p = line + starts[xx] * 3
                                    if count > 0 {
                                        // Wrapping index arithmetic: the bounds are the coefficients', checked when they were made.
                                        for x in 0..<(count &- 1) {
                                            let pixel = source.loadUnaligned(fromByteOffset: p, as: SIMD4<UInt8>.self)
                                            sum &+= SIMD4<Int32>(truncatingIfNeeded: pixel) &* SIMD4<Int32>(repeating: weights[k &+ x])
                                            p &+= 3
                                        }
                                        let last = SIMD4<Int32>(Int32(source[p]), Int32(source[p + 1]), Int32(source[p + 2]), 0)
                                        sum &+= last &* SIMD4<Int32>(repeating: weights[k + count - 1])
                                    }
                                    target[outIndex] = clip8(sum[0])
                                    target[outIndex + 1] = clip8(sum[1])
                                    target[outIndex + 2] = clip8(sum[2])
                                    outIndex += 3
                                }
                            }
                        }
                    }
                }
            }
            initialized = rows.count * outStride
        }
        return RGBImage(width: width, height: rows.count, pixels: out)
    }

    /// Row by row: each output row accumulates whole source rows, so the inner
    /// loop runs over contiguous bytes and vectorises. Integer sums do not depend
    /// on the order of their terms, so the pixels are Pillow's all the same.
    static func resampleVertically(_ image: RGBImage, height: Int, with c: Coefficients) -> RGBImage {
        let width = image.width
        let stride = width * 3
        let half = Int32(1 << (precisionBits - 1))
        var sums = [Int32](repeating: 0, count: stride)
        let out = [UInt8](unsafeUninitializedCapacity: height * stride) { target, initialized in
            image.pixels.withUnsafeBufferPointer { source in
                c.weights.withUnsafeBufferPointer { weights in
                    sums.withUnsafeMutableBufferPointer { sums in
                        for yy in 0..<height {
                            let start = c.starts[yy], count = c.counts[yy]
                            let k = yy * c.size
                            for i in 0..<stride { sums[i] = half }
                            for y in 0..<count {
                                let w = weights[k + y]
                                let row = (start + y) * stride
                                for i in 0..<stride {
                                    sums[i] &+= Int32(source[row &+ i]) &* w
                                }
                            }
                            let outRow = yy * stride
                            for i in 0..<stride { target[outRow + i] = clip8(sums[i]) }
                        }
                    }
                }
            }
            initialized = height * stride
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
