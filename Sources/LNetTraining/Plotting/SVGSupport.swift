// Shared pieces of the SVG renderers: text escaping, number formatting
// without Foundation (these files have no dependencies, so they build even
// while the rest of the target is mid-change), nice axis ticks, and the frame
// with axes, ticks, labels and title that both plots draw.

enum SVG {
    /// Escapes text for XML character data and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if scalar.value < 0x20, scalar != "\n", scalar != "\t", scalar != "\r" { continue }
                if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `value` with at most `decimals` digits after the point, trailing zeros
    /// dropped (`2.50` → `2.5`, `3.00` → `3`); non-finite values as 0.
    static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        let digits = max(0, min(decimals, 12))
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return value < 0 ? "-\(Int64(abs(value)))" : "\(Int64(value))" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        var fraction = digits == 0 ? "" : String(units % Int64(scale))
        fraction = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = (value < 0 && units != 0) ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// A "nice" number near `value` (1, 2, 5 × a power of ten), after Heckbert.
    static func niceNumber(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var exponent = 0.0
        var power = 1.0
        // log10 without Foundation: scale into [1, 10).
        var fraction = value
        while fraction >= 10 { fraction /= 10; power *= 10; exponent += 1 }
        while fraction < 1 { fraction *= 10; power /= 10; exponent -= 1 }
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// Axis ticks at nice numbers covering `low...high`: the rounded-out
    /// range, the step, and the decimals the step needs in its labels.
    struct Ticks {
        var low: Double
        var high: Double
        var step: Double
        var decimals: Int
        /// The first tick: `low` when rounded out, else the first multiple of `step` in range.
        var first: Double
        var values: [Double] {
            var result: [Double] = []
            var k = 0
            while true {
                let value = first + Double(k) * step
                if value > high + step * 1e-9 || k > 100 { break }
                result.append(abs(value) < step * 1e-9 ? 0 : value)
                k += 1
            }
            return result
        }

        /// - Parameter roundOut: widen the range to whole steps (a line
        ///   plot), or keep it exact and tick inside it (a filled grid).
        init(low rawLow: Double, high rawHigh: Double, targetCount: Int = 6, roundOut: Bool = true) {
            var low = rawLow, high = rawHigh
            if !low.isFinite || !high.isFinite { low = 0; high = 1 }
            if high < low { swap(&low, &high) }
            if high == low {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                low -= pad
                high += pad
            }
            step = niceNumber((high - low) / Double(max(1, targetCount - 1)), round: true)
            if roundOut {
                self.low = (low / step).rounded(.down) * step
                self.high = (high / step).rounded(.up) * step
                first = self.low
            } else {
                self.low = low
                self.high = high
                first = (low / step).rounded(.up) * step
            }
            var decimals = 0
            var s = step
            while s < 1, decimals < 10 {
                s *= 10
                decimals += 1
            }
            self.decimals = decimals
        }
    }

    /// The plot area inside the margins, and the mapping of data to pixels.
    struct Frame {
        var width: Double
        var height: Double
        var left = 72.0
        var right = 24.0
        var top = 48.0
        var bottom = 56.0
        var x: Ticks
        var y: Ticks

        var plotWidth: Double { max(1, width - left - right) }
        var plotHeight: Double { max(1, height - top - bottom) }
        func px(_ value: Double) -> Double { left + (value - x.low) / (x.high - x.low) * plotWidth }
        func py(_ value: Double) -> Double { top + plotHeight - (value - y.low) / (y.high - y.low) * plotHeight }

        /// The document start: XML declaration, root element, white background.
        func open(title: String) -> String {
            let w = number(width), h = number(height)
            return """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)">
            <title>\(escape(title))</title>
            <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>

            """
        }

        /// Axes box, grid, ticks with labels, axis labels and title.
        func axes(title: String, xLabel: String, yLabel: String, grid: Bool) -> String {
            var s = "<g font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\" fill=\"#222222\">\n"
            let x0 = number(left), x1 = number(left + plotWidth)
            let y0 = number(top), y1 = number(top + plotHeight)
            for value in x.values {
                let p = number(px(value))
                if grid { s += "<line x1=\"\(p)\" y1=\"\(y0)\" x2=\"\(p)\" y2=\"\(y1)\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n" }
                s += "<line x1=\"\(p)\" y1=\"\(y1)\" x2=\"\(p)\" y2=\"\(number(top + plotHeight + 5))\" stroke=\"#222222\" stroke-width=\"1\"/>\n"
                s += "<text x=\"\(p)\" y=\"\(number(top + plotHeight + 19))\" text-anchor=\"middle\">\(escape(number(value, decimals: x.decimals)))</text>\n"
            }
            for value in y.values {
                let p = number(py(value))
                if grid { s += "<line x1=\"\(x0)\" y1=\"\(p)\" x2=\"\(x1)\" y2=\"\(p)\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n" }
                s += "<line x1=\"\(number(left - 5))\" y1=\"\(p)\" x2=\"\(x0)\" y2=\"\(p)\" stroke=\"#222222\" stroke-width=\"1\"/>\n"
                s += "<text x=\"\(number(left - 8))\" y=\"\(p)\" dy=\"0.35em\" text-anchor=\"end\">\(escape(number(value, decimals: y.decimals)))</text>\n"
            }
            s += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(number(plotWidth))\" height=\"\(number(plotHeight))\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1\"/>\n"
            s += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(height - 14))\" text-anchor=\"middle\" font-size=\"14\">\(escape(xLabel))</text>\n"
            let yLabelX = number(18), yLabelY = number(top + plotHeight / 2)
            s += "<text x=\"\(yLabelX)\" y=\"\(yLabelY)\" text-anchor=\"middle\" font-size=\"14\" transform=\"rotate(-90 \(yLabelX) \(yLabelY))\">\(escape(yLabel))</text>\n"
            s += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(top - 18))\" text-anchor=\"middle\" font-size=\"16\">\(escape(title))</text>\n"
            s += "</g>\n"
            return s
        }
    }
}
