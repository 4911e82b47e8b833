// fast_float, behind the C functions CFastFloat.h declares.

// CSV files write "+7"; std::from_chars (and fast_float by default) refuse the
// plus sign that strtod accepts, and LNet's CSV numbers follow strtod.
#define FASTFLOAT_ALLOWS_LEADING_PLUS 1
#include <fast_float/fast_float.h>

#include "CFastFloat.h"

namespace {
// The bytes fast_float consumed from [first, last), or 0 when no number starts at first.
inline size_t parsePrefix(const unsigned char *first, const unsigned char *last, double &value) {
    if (first >= last) return 0;
    const char *begin = reinterpret_cast<const char *>(first);
    fast_float::from_chars_result result =
        fast_float::from_chars(begin, reinterpret_cast<const char *>(last), value, fast_float::chars_format::general);
    if (result.ec != std::errc() || result.ptr == begin) return 0;
    // fast_float reads `nan(123)` as the default NaN; strtod keeps the payload
    // in the bits. Such fields go to strtod, so that they mean what it says.
    if (value != value && result.ptr[-1] == ')') return 0;
    return static_cast<size_t>(result.ptr - begin);
}
// A plain decimal field, [-]digits[.digits] with at most 19 digits in all,
// followed by the delimiter or the end. Returns the bytes consumed, or 0 for
// any other field (which goes to fast_float's whole parser).
// - Up to 15 digits: the digits form an integer below 2^53 and the fraction a
//   power of ten up to 10^15, both exact doubles, so one IEEE division gives
//   the correctly rounded value, as strtod and fast_float do (Clinger's exact
//   case). fast_float 3.9, Debian's, reaches the same answer only after a
//   rounding-mode probe and a 600-byte frame per call, which cost more than
//   such short fields' digits; integer pixels and 6-decimal floats, the
//   common CSV contents, are all of this kind.
// - 16 to 19 digits (what `repr` and `%.17g` write): the digits still fit a
//   64-bit integer, so fast_float's Eisel-Lemire step (`compute_float`, the
//   one `from_chars` takes for these) finds the double from the integer read
//   here, without reading the field a second time. When that step cannot
//   decide (power2 < 0, very rare) the field goes to the whole parser, which
//   then compares digits as `from_chars` does.
inline size_t plainDecimalLength(const unsigned char *first, const unsigned char *last, unsigned char delimiter,
                                 double &value) {
    static const double powersOfTen[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const unsigned char *p = first;
    // A lone 0, the most common field of pixel and sparse data, without the loop.
    if (p < last && *p == '0' && (p + 1 == last || p[1] == delimiter)) {
        value = 0;
        return 1;
    }
    bool negative = p < last && *p == '-';
    if (negative) ++p;
    // At most 19 digits are kept (below 10^19 < 2^64); a 20th ends the loop and the field goes to fast_float.
    uint64_t integer = 0;
    int digits = 0;
    int fractionDigits = 0;
    bool inFraction = false;
    for (; p < last && digits <= 19; ++p) {
        unsigned digit = static_cast<unsigned char>(*p - '0');
        if (digit < 10) {
            integer = integer * 10 + digit;
            ++digits;
            fractionDigits += inFraction;
        } else if (*p == '.' && !inFraction) {
            inFraction = true;
        } else {
            break;
        }
    }
    // strtod reads "5." and ".5" too; they are rare, so they go to fast_float.
    if (digits == 0 || digits > 19 || (inFraction && fractionDigits == 0) || p[-1] == '.') return 0;
    if (p < last && *p != delimiter) return 0;
    if (digits <= 15) {
        double magnitude = static_cast<double>(integer) / powersOfTen[fractionDigits];
        // -0 is a double of its own, as strtod gives it.
        value = negative ? -magnitude : magnitude;
        return static_cast<size_t>(p - first);
    }
    fast_float::adjusted_mantissa am =
        fast_float::compute_float<fast_float::binary_format<double>>(-static_cast<int64_t>(fractionDigits), integer);
    if (am.power2 < 0) return 0;
    fast_float::to_float(negative, am, value);
    return static_cast<size_t>(p - first);
}
}  // namespace

extern "C" size_t lnet_parse_double_prefix(const unsigned char *first, const unsigned char *last, double *value) {
    double parsed = 0;
    size_t consumed = parsePrefix(first, last, parsed);
    if (consumed != 0) *value = parsed;
    return consumed;
}

extern "C" size_t lnet_parse_double_fields(const unsigned char *base, size_t *position, size_t end,
                                           unsigned char delimiter, size_t count, double *out) {
    size_t at = *position;
    size_t parsed = 0;
    while (parsed < count && at <= end) {
        double value = 0;
        size_t consumed = plainDecimalLength(base + at, base + end, delimiter, value);
        if (consumed == 0) consumed = parsePrefix(base + at, base + end, value);
        if (consumed == 0) break;
        size_t stop = at + consumed;
        if (stop != end && base[stop] != delimiter) break;
        out[parsed++] = value;
        at = stop + 1;
    }
    *position = at;
    return parsed;
}
