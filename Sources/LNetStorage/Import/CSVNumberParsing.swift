#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Number parsing for CSV fields, straight from bytes.
//
// Doubles: the common forms (`-12`, `0.5`, `3.25e-4`) with at most 19
// significant digits and a value exactly representable as mantissa × 10^e with
// mantissa ≤ 2^53 and |e| ≤ 22 are computed with one correctly rounded
// multiplication or division (Clinger's fast path), which is exact and so
// equals strtod bit for bit. Everything else (long mantissas, large exponents,
// `nan`, `inf`, hex floats) goes to strtod itself, on a NUL-terminated copy.

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

/// Parses the whole of `field` (surrounding spaces and tabs allowed) as a
/// Double with the result strtod would give; nil when it is not a number.
func parseCSVDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let base = field.baseAddress else { return nil }
    var i = 0
    var n = field.count
    while i < n, isBlank(base[i]) { i += 1 }
    while n > i, isBlank(base[n - 1]) { n -= 1 }
    guard i < n else { return nil }
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
    guard mantissa <= (1 << 53), exponent >= -22, exponent <= 22 else { return nil }
    var value = Double(mantissa)
    if exponent < 0 {
        value /= exactPowersOfTen[-exponent]
    } else if exponent > 0 {
        value *= exactPowersOfTen[exponent]
    }
    return (negative ? -value : value, i)
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
    guard let base = field.baseAddress else { return nil }
    var i = 0
    var n = field.count
    while i < n, isBlank(base[i]) { i += 1 }
    while n > i, isBlank(base[n - 1]) { n -= 1 }
    guard i < n else { return nil }
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
