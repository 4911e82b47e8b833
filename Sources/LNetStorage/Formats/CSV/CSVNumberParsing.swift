#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFastFloat

// Number parsing for CSV fields, straight from bytes.
//
// Decimal numbers, nan and inf go to fast_float (Debian's libfast-float-dev,
// the algorithm behind GCC's std::from_chars: Clinger's fast path, then
// Eisel-Lemire, then exact big-number arithmetic), which rounds correctly and
// so equals strtod bit for bit. The forms it does not read (hexadecimal
// floats, `+nan`) go to strtod itself, on a NUL-terminated copy, so a field
// means exactly what strtod makes of it.

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

/// fast_float over the number that starts at `from`: returns the value and
/// the index of the first byte after it, or nil when no number starts there
/// (then the caller finds the field's end and asks `parseCSVDouble`, which
/// also tries strtod).
@inline(__always)
func parseDoublePrefix(_ base: UnsafePointer<UInt8>, from: Int, to n: Int) -> (Double, Int)? {
    guard from < n else { return nil }
    var value = 0.0
    let consumed = lnet_parse_double_prefix(base + from, base + n, &value)
    return consumed == 0 ? nil : (value, from &+ consumed)
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
