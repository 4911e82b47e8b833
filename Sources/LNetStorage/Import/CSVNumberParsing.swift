#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Number parsing for CSV fields, straight from bytes.
//
// Doubles in the common forms (`-12`, `0.5`, `3.25e-4`, `0.12345678901234568`)
// with at most 19 significant digits are computed exactly, so they equal
// strtod bit for bit: with one correctly rounded multiplication or division
// when mantissa ≤ 2^53 and |exponent| ≤ 22 (Clinger's fast path), else by the
// Eisel-Lemire algorithm. Everything else (more digits, subnormal or
// overflowing results, `nan`, `inf`, hex floats) goes to strtod itself, on a
// NUL-terminated copy.

/// 10^0 ... 10^22, all exactly representable as Double.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

@inline(__always)
private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

/// How many bytes of `bytes[0..<count]` equal `byte`, eight at a time
/// (SWAR: a zero byte of `word ^ pattern` marks a match).
func countOccurrences(of byte: UInt8, in bytes: UnsafePointer<UInt8>, count: Int) -> Int {
    let pattern = 0x0101_0101_0101_0101 &* UInt64(byte)
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let raw = UnsafeRawPointer(bytes)
    var matches = 0
    var i = 0
    while i &+ 8 <= count {
        let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
        // High bit set exactly in the bytes of `word` that are zero.
        let zeroBytes = ~(((word & low7) &+ low7) | word | low7)
        matches &+= zeroBytes.nonzeroBitCount
        i &+= 8
    }
    while i < count {
        if bytes[i] == byte { matches &+= 1 }
        i &+= 1
    }
    return matches
}

/// `field` without its leading and trailing spaces and tabs, as its base and the
/// range `start..<end` of the rest; nil when nothing is left.
@inline(__always)
private func trimmedBlanks(_ field: UnsafeBufferPointer<UInt8>) -> (UnsafePointer<UInt8>, start: Int, end: Int)? {
    guard let base = field.baseAddress else { return nil }
    var start = 0
    var end = field.count
    while start < end, isBlank(base[start]) { start += 1 }
    while end > start, isBlank(base[end - 1]) { end -= 1 }
    return start < end ? (base, start, end) : nil
}

/// Parses the whole of `field` (surrounding spaces and tabs allowed) as a
/// Double with the result strtod would give; nil when it is not a number.
func parseCSVDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let (base, i, n) = trimmedBlanks(field) else { return nil }
    if let (value, stop) = parseDoublePrefix(base, from: i, to: n), stop == n { return value }
    return strtodWhole(base + i, n - i)
}

/// Clinger's fast path over the number that starts at `from`: returns the
/// value and the index of the first byte after it, or nil when the text there
/// is not a plain decimal number this path computes exactly (then the caller
/// finds the field's end and asks `parseCSVDouble`, i.e. strtod).
@inline(__always)
func parseDoublePrefix(_ base: UnsafePointer<UInt8>, from: Int, to n: Int) -> (Double, Int)? {
    var i = from
    guard i < n else { return nil }
    var negative = false
    if base[i] == UInt8(ascii: "-") {
        negative = true
        i += 1
    } else if base[i] == UInt8(ascii: "+") {
        i += 1
    }
    // Leading zeros are skipped first so that the digit loops stay minimal
    // (they dominate CSV parsing) and the significant digits are a distance.
    var mantissa: UInt64 = 0
    var exponent = 0
    var sawDigit = false
    while i < n, base[i] == UInt8(ascii: "0") {
        sawDigit = true
        i += 1
    }
    let integerStart = i
    while i < n {
        let digit = base[i] &- 48
        if digit >= 10 { break }
        mantissa = mantissa &* 10 &+ UInt64(digit)
        i += 1
    }
    var significantDigits = i - integerStart
    if i < n, base[i] == UInt8(ascii: ".") {
        i += 1
        if significantDigits == 0 {
            let zerosStart = i
            while i < n, base[i] == UInt8(ascii: "0") { i += 1 }
            if i > zerosStart { sawDigit = true }
            exponent = zerosStart &- i
        }
        let fractionStart = i
        while i < n {
            let digit = base[i] &- 48
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i += 1
        }
        significantDigits &+= i - fractionStart
        exponent &-= i - fractionStart
    }
    if significantDigits > 0 { sawDigit = true }
    // Past 19 significant digits the mantissa has wrapped: strtod decides.
    guard sawDigit, significantDigits <= 19 else { return nil }
    if i < n, base[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        var exponentNegative = false
        if i < n, base[i] == UInt8(ascii: "-") {
            exponentNegative = true
            i += 1
        } else if i < n, base[i] == UInt8(ascii: "+") {
            i += 1
        }
        var explicitExponent = 0
        var sawExponentDigit = false
        while i < n {
            let digit = base[i] &- 48
            if digit >= 10 { break }
            sawExponentDigit = true
            // Saturate: anything this large is 0 or infinity, decided by strtod.
            if explicitExponent < 100_000 { explicitExponent = explicitExponent &* 10 &+ Int(digit) }
            i += 1
        }
        guard sawExponentDigit else { return nil }
        exponent &+= exponentNegative ? -explicitExponent : explicitExponent
    }
    if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
    if mantissa <= (1 << 53), exponent >= -22, exponent <= 22 {
        var value = Double(mantissa)
        if exponent < 0 {
            value /= exactPowersOfTen[-exponent]
        } else if exponent > 0 {
            value *= exactPowersOfTen[exponent]
        }
        return (negative ? -value : value, i)
    }
    // Longer mantissas (17-digit round-trip output, as numpy and pandas
    // write) or larger exponents: Eisel-Lemire, still exact.
    guard let value = eiselLemire(mantissa, exponent) else { return nil }
    return (negative ? -value : value, i)
}

/// The correctly rounded Double nearest to `w × 10^q` for a nonzero `w`
/// (at most 19 digits, so exact), by the Eisel-Lemire algorithm as in
/// fast_float: one or two 64×64→128-bit multiplications by a truncated power
/// of five, which is always enough (Mushtak & Lemire, "Fast number parsing
/// without fallback", 2023). Nil for results that are subnormal, overflow, or
/// out of the table's range: strtod handles those rare cases.
@inline(__always)
func eiselLemire(_ w: UInt64, _ q: Int) -> Double? {
    guard w != 0, q >= -342, q <= 308 else { return nil }
    let leadingZeros = w.leadingZeroBitCount
    let normalized = w << UInt64(leadingZeros)
    let index = 2 * (q + 342)
    var (high, low) = normalized.multipliedFullWidth(by: powersOfFive128[index])
    // Only when the low 9 bits of the 55 that matter are all ones can the
    // truncated table entry change the result: add the next 64 bits.
    if high & 0x1FF == 0x1FF {
        let (secondHigh, _) = normalized.multipliedFullWidth(by: powersOfFive128[index + 1])
        let (sum, carry) = low.addingReportingOverflow(secondHigh)
        low = sum
        if carry { high &+= 1 }
    }
    let upperBit = Int(high >> 63)
    let shift = UInt64(upperBit + 9)
    var mantissa = high >> shift
    // floor(log2(10^q)) + 63, then the IEEE bias (1023).
    var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upperBit - leadingZeros + 1023
    guard power2 > 0 else { return nil }
    // Exactly halfway between two doubles: round to even instead of up.
    if low <= 1, q >= -4, q <= 23, mantissa & 3 == 1, (mantissa << shift) == high {
        mantissa &= ~1
    }
    mantissa += mantissa & 1
    mantissa >>= 1
    if mantissa >= (2 << 52) {
        mantissa = 1 << 52
        power2 += 1
    }
    mantissa &= ~(1 << 52)
    guard power2 < 0x7FF else { return nil }
    return Double(bitPattern: UInt64(power2) << 52 | mantissa)
}

/// strtod over exactly `count` bytes; nil unless it consumes all of them.
private func strtodWhole(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Double? {
    // Longer than any sensible number; refusing also bounds the stack copy.
    guard count > 0, count <= 1024 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { copy -> Double? in
        guard let copyBase = copy.baseAddress else { return nil }
        for k in 0..<count {
            // An embedded NUL would end the C string early: not a number.
            if bytes[k] == 0 { return nil }
            copy[k] = CChar(bitPattern: bytes[k])
        }
        copy[count] = 0
        var endPointer: UnsafeMutablePointer<CChar>? = nil
        let value = strtod(copyBase, &endPointer)
        guard let endPointer, endPointer == copyBase + count else { return nil }
        return value
    }
}

/// Parses the whole of `field` (surrounding spaces and tabs allowed) as a
/// decimal Int64 (`-3`, `+7`, `42`); nil for anything else or on overflow.
func parseCSVInt64(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard let (base, start, n) = trimmedBlanks(field) else { return nil }
    var i = start
    var negative = false
    if base[i] == UInt8(ascii: "-") {
        negative = true
        i += 1
    } else if base[i] == UInt8(ascii: "+") {
        i += 1
    }
    guard i < n else { return nil }
    // Accumulate negatively so that Int64.min parses without overflow.
    var value: Int64 = 0
    while i < n {
        let digit = base[i] &- 48
        guard digit < 10 else { return nil }
        let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
        if overflow1 || overflow2 { return nil }
        value = next
        i += 1
    }
    if negative { return value }
    return value == Int64.min ? nil : -value
}
