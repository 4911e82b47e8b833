import Foundation

/// Prints an array the way numpy's `np.array2string` does with its default
/// options: floats in `maxprec` mode with precision 8 (shortest round-trip
/// digits, at most 8 after the point), switching to scientific notation when
/// the largest magnitude is ≥ 1e8, the smallest non-zero one < 1e-4 or their
/// ratio > 1000; every element padded to one width; lines wrapped at 75
/// characters; arrays of more than 1000 elements summarised with `...` and 3
/// items at each edge of every long axis.
///
/// The port follows numpy's `arrayprint.py` (`FloatingFormat`, `_formatArray`,
/// `_extendLine`) so that a user comparing with a Python session sees the same
/// text, character for character.
///
/// ```swift
/// NumpyArrayFormatter.format(doubles: [0.0123, -3.4], shape: [2])   // "[ 0.0123 -3.4   ]"
/// ```
public enum NumpyArrayFormatter {
    /// numpy's print options that matter here, with numpy's defaults.
    public struct Options: Hashable, Sendable {
        /// Digits after the point (fixed) or after the first digit (scientific).
        public var precision = 8
        /// More elements than this are summarised.
        public var threshold = 1000
        /// Items shown at each end of a summarised axis.
        public var edgeItems = 3
        /// Characters per line.
        public var lineWidth = 75

        /// numpy's defaults.
        public init() {}
    }

    /// Floating-point values in row-major order. `float32` values print with
    /// their own shortest digits ("0.1", not "0.10000000149011612").
    public static func format(doubles values: [Double], shape: [Int], float32: Bool = false, options: Options = Options()) -> String {
        render(Stored(shape: shape, storedShape: shape, count: values.count, options: options), options: options) { shown in
            floatWords(shown.map { values[$0] }, float32: float32, precision: options.precision)
        }
    }

    /// Integers in row-major order, right-aligned to one width.
    public static func format(integers values: [String], shape: [Int], options: Options = Options()) -> String {
        render(Stored(shape: shape, storedShape: shape, count: values.count, options: options), options: options) { shown in
            padLeft(shown.map { values[$0] })
        }
    }

    /// Reads `dataset` and prints it. When the array will be summarised, only
    /// the rows at the edges of its first axis are read, so a huge dataset
    /// costs a few rows.
    public static func format(dataset: HDF5Dataset, options: Options = Options()) throws -> String {
        let shape = try dataset.shape
        let type = try dataset.elementType
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        if count == 0 { return "[]" }
        let edges = options.edgeItems
        // Read only the edge rows when numpy would summarise axis 0.
        var rowRanges: [Range<Int>]? = nil
        var storedShape = shape
        if count > options.threshold, let rows = shape.first, rows > 2 * edges {
            rowRanges = [0..<edges, rows - edges..<rows]
            storedShape[0] = 2 * edges
        }
        func read<T: HDF5Numeric>(_: T.Type) throws -> [T] {
            guard let rowRanges else { return try dataset.read(as: T.self) }
            return try rowRanges.flatMap { try dataset.readRows($0, as: T.self) }
        }
        let stored = Stored(shape: shape, storedShape: storedShape, count: count, options: options)
        switch type {
        case .float64, .float32, .float16:
            let values = try read(Double.self)
            return render(stored, options: options) { shown in
                floatWords(shown.map { values[$0] }, float32: type != .float64, precision: options.precision)
            }
        case .uint64:
            let values = try read(UInt64.self)
            return render(stored, options: options) { shown in padLeft(shown.map { String(values[$0]) }) }
        case .bool:
            let values = try read(Bool.self)
            // numpy: ' True' beside 'False' in arrays, plain 'True' for a scalar.
            return render(stored, options: options) { shown in
                shown.map { values[$0] ? (shape.isEmpty ? "True" : " True") : "False" }
            }
        case _ where type.isInteger:
            let values = try read(Int64.self)
            return render(stored, options: options) { shown in padLeft(shown.map { String(values[$0]) }) }
        case _ where type.isString:
            // h5py gives strings back as bytes: numpy prints their repr.
            let all = try dataset.readStrings()
            let stored = Stored(shape: shape, storedShape: shape, count: all.count, options: options)
            return render(stored, options: options) { shown in shown.map { "b'" + all[$0] + "'" } }
        default:
            throw HDF5Error(code: .typeMismatch, operation: "print dataset", file: dataset.file.path,
                            objectPath: dataset.path, reason: "numpy-style printing needs numbers or strings, not \(type)")
        }
    }

    // MARK: Layout (numpy's _formatArray)

    /// An array held with some axes already cut to their edges.
    struct Stored {
        /// The full shape.
        var shape: [Int]
        /// The shape of what is held: an axis is either whole or `2 × edges`.
        var storedShape: [Int]
        /// Elements in the full array.
        var count: Int
        var summarize: Bool
        var edges: Int

        init(shape: [Int], storedShape: [Int], count: Int, options: Options) {
            self.shape = shape
            self.storedShape = storedShape
            self.count = count
            summarize = count > options.threshold
            edges = options.edgeItems
        }

        /// Whether numpy shows `...` on `axis`.
        func summarized(_ axis: Int) -> Bool { summarize && 2 * edges < shape[axis] }

        /// The length of `axis` in the shown (edge-cut) array.
        func shownLength(_ axis: Int) -> Int { summarized(axis) ? 2 * edges : shape[axis] }

        /// The stored offset of a shown multi-index.
        func storedOffset(_ shown: [Int]) -> Int {
            var offset = 0
            for axis in shape.indices {
                var index = shown[axis]
                if summarized(axis), storedShape[axis] == shape[axis], index >= edges {
                    index = shape[axis] - 2 * edges + index
                }
                offset = offset * storedShape[axis] + index
            }
            return offset
        }
    }

    /// Formats the shown elements with `words` (which sees them all at once,
    /// as numpy's format functions are fitted to the shown data) and lays them out.
    static func render(_ stored: Stored, options: Options, words: ([Int]) -> [String]) -> String {
        let shape = stored.shape
        if stored.count == 0 || shape.contains(0) { return "[]" }
        // Every shown multi-index, row-major, and its stored offset.
        let shownShape = shape.indices.map(stored.shownLength)
        var offsets: [Int] = []
        offsets.reserveCapacity(shownShape.reduce(1, *))
        var index = [Int](repeating: 0, count: shape.count)
        outer: while true {
            offsets.append(stored.storedOffset(index))
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shownShape[axis] { continue outer }
                index[axis] = 0
                axis -= 1
            }
            break
        }
        let formatted = words(offsets)
        if shape.isEmpty { return formatted.first ?? "" }
        let separator = " "
        let summaryInsert = "..."

        func word(_ shownIndex: [Int]) -> String {
            var offset = 0
            for axis in shape.indices { offset = offset * shownShape[axis] + shownIndex[axis] }
            return formatted[offset]
        }

        func recurse(_ index: [Int], _ hangingIndent: String, _ width: Int) -> String {
            let axis = index.count
            let axesLeft = shape.count - axis
            if axesLeft == 0 { return word(index) }
            let nextHangingIndent = hangingIndent + " "
            let nextWidth = width - 1
            let length = shape[axis]
            let showSummary = stored.summarized(axis)
            let leading = showSummary ? stored.edges : 0
            let trailing = showSummary ? stored.edges : length
            let shownLength = shownShape[axis]
            var s = ""
            if axesLeft == 1 {
                let elementWidth = width - 1
                var line = hangingIndent
                func extend(_ word: String) {
                    if line.count + word.count > elementWidth, line.count > hangingIndent.count {
                        s += line.trimmingTrailingWhitespace() + "\n"
                        line = hangingIndent
                    }
                    line += word
                }
                for i in 0..<leading {
                    extend(recurse(index + [i], nextHangingIndent, nextWidth))
                    line += separator
                }
                if showSummary {
                    extend(summaryInsert)
                    line += separator
                }
                for i in stride(from: trailing, to: 1, by: -1) {
                    extend(recurse(index + [shownLength - i], nextHangingIndent, nextWidth))
                    line += separator
                }
                extend(recurse(index + [shownLength - 1], nextHangingIndent, nextWidth))
                s += line
            } else {
                let lineSeparator = String(repeating: "\n", count: axesLeft - 1)
                for i in 0..<leading {
                    s += hangingIndent + recurse(index + [i], nextHangingIndent, nextWidth) + lineSeparator
                }
                if showSummary {
                    s += hangingIndent + summaryInsert + lineSeparator
                }
                for i in stride(from: trailing, to: 1, by: -1) {
                    s += hangingIndent + recurse(index + [shownLength - i], nextHangingIndent, nextWidth) + lineSeparator
                }
                s += hangingIndent + recurse(index + [shownLength - 1], nextHangingIndent, nextWidth)
            }
            return "[" + String(s.dropFirst(hangingIndent.count)) + "]"
        }
        return recurse([], " ", options.lineWidth)
    }

    static func padLeft(_ words: [String]) -> [String] {
        let width = words.map(\.count).max() ?? 0
        return words.map { String(repeating: " ", count: width - $0.count) + $0 }
    }

    // MARK: Floats (numpy's FloatingFormat, maxprec)

    /// A number's shortest round-trip decimal digits: value = 0.d₁d₂… × 10^point.
    struct Digits {
        var negative: Bool
        var digits: [UInt8]
        var point: Int

        init(_ value: Double, float32: Bool) {
            negative = value.sign == .minus
            var text = float32 ? Float(value.magnitude).description : value.magnitude.description
            var exponent = 0
            if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                exponent = Int(text[text.index(after: e)...]) ?? 0
                text = String(text[..<e])
            }
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let integer = parts.first.map(String.init) ?? "0"
            let fraction = parts.count > 1 ? String(parts[1]) : ""
            var all = Array((integer + fraction).utf8).map { $0 &- 48 }
            var point = integer.count + exponent
            while all.count > 1, all.first == 0 { all.removeFirst(); point -= 1 }
            while all.count > 1, all.last == 0 { all.removeLast() }
            if all == [0] { point = 1 }
            digits = all
            self.point = point
        }
    }

    /// One formatted number before padding: sign and integer part, fraction, exponent.
    struct Pieces {
        var integer: String
        var fraction: String
        var exponent: Int?
    }

    static func positional(_ value: Double, float32: Bool, precision: Int) -> Pieces {
        let d = Digits(value, float32: float32)
        let sign = d.negative ? "-" : ""
        if d.digits.count - d.point <= precision {
            let text = d.digits.map { String($0) }.joined()
            let integer: String
            let fraction: String
            if d.point <= 0 {
                integer = "0"
                fraction = String(repeating: "0", count: -d.point) + text
            } else if d.point >= d.digits.count {
                integer = text + String(repeating: "0", count: d.point - d.digits.count)
                fraction = ""
            } else {
                integer = String(text.prefix(d.point))
                fraction = String(text.dropFirst(d.point))
            }
            return Pieces(integer: sign + integer, fraction: fraction == "0" && d.digits == [0] ? "" : fraction, exponent: nil)
        }
        // More digits than the precision allows: the exact value rounded, as
        // Dragon4 with a cutoff does (printf rounds the exact binary value too).
        let rounded = String(format: "%.\(precision)f", value.magnitude)
        let parts = rounded.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        return Pieces(integer: sign + String(parts.first ?? "0"), fraction: fraction, exponent: nil)
    }

    static func scientific(_ value: Double, float32: Bool, precision: Int) -> Pieces {
        let d = Digits(value, float32: float32)
        let sign = d.negative ? "-" : ""
        if d.digits.count - 1 <= precision {
            let fraction = d.digits.dropFirst().map { String($0) }.joined()
            return Pieces(integer: sign + String(d.digits[0]), fraction: fraction, exponent: d.digits == [0] ? 0 : d.point - 1)
        }
        let rounded = String(format: "%.\(precision)e", value.magnitude)
        let mantissaAndExponent = rounded.split(separator: "e")
        let mantissa = mantissaAndExponent.first.map(String.init) ?? "0"
        let exponent = mantissaAndExponent.count > 1 ? Int(mantissaAndExponent[1]) ?? 0 : 0
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        return Pieces(integer: sign + String(parts.first ?? "0"), fraction: fraction, exponent: exponent)
    }

    /// numpy's `FloatingFormat.fillFormat` then `__call__` for each value.
    static func floatWords(_ values: [Double], float32: Bool, precision: Int) -> [String] {
        let finite = values.filter(\.isFinite)
        let nonZero = finite.filter { $0 != 0 }.map(\.magnitude)
        var exponential = false
        if let maximum = nonZero.max(), let minimum = nonZero.min() {
            exponential = maximum >= 1e8 || minimum < 0.0001 || maximum / minimum > 1000
        }
        var pieces: [Pieces?] = values.map { value in
            guard value.isFinite else { return nil }
            return exponential
                ? scientific(value, float32: float32, precision: precision)
                : positional(value, float32: float32, precision: precision)
        }
        let present = pieces.compactMap { $0 }
        var padLeft = present.map(\.integer.count).max() ?? 0
        let fractionWidth = present.map(\.fraction.count).max() ?? 0
        var exponentDigits = 0
        var padRight = fractionWidth
        if exponential {
            exponentDigits = max(2, present.map { String($0.exponent.map(abs) ?? 0).count }.max() ?? 2)
            padRight = exponentDigits + 2 + fractionWidth
            // Scientific pads every fraction with zeros to one length (min_digits).
            for index in pieces.indices {
                guard var piece = pieces[index] else { continue }
                piece.fraction += String(repeating: "0", count: fractionWidth - piece.fraction.count)
                pieces[index] = piece
            }
        }
        if present.isEmpty { padLeft = 0; padRight = 0 }
        if present.count != values.count {
            let negativeInfinity = values.contains { $0.isInfinite && $0 < 0 }
            let offset = padRight + 1
            padLeft = max(padLeft, 3 - offset, 3 + (negativeInfinity ? 1 : 0) - offset)
        }
        return zip(values, pieces).map { value, piece in
            guard let piece else {
                let text = value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
                return String(repeating: " ", count: max(0, padLeft + padRight + 1 - text.count)) + text
            }
            let left = String(repeating: " ", count: max(0, padLeft - piece.integer.count)) + piece.integer + "."
            if let exponent = piece.exponent {
                let digits = String(abs(exponent))
                return left + piece.fraction + "e" + (exponent < 0 ? "-" : "+")
                    + String(repeating: "0", count: max(0, exponentDigits - digits.count)) + digits
            }
            return left + piece.fraction + String(repeating: " ", count: max(0, padRight - piece.fraction.count))
        }
    }
}

private extension String {
    func trimmingTrailingWhitespace() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
