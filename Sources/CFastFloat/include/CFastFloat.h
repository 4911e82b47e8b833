// A C interface to fast_float (Debian's libfast-float-dev, the parser behind
// GCC's std::from_chars), so that Swift parses CSV numbers with it.
#ifndef LNET_CFASTFLOAT_H
#define LNET_CFASTFLOAT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Parses the decimal number (or nan/inf/infinity, any case, optionally signed
/// with - or +) that starts at `first`, reading no further than `last`. Stores
/// the correctly rounded double in `*value` and returns the number of bytes
/// consumed; 0 when no number starts there. Never reads outside [first, last).
size_t lnet_parse_double_prefix(const unsigned char *first, const unsigned char *last, double *value);

/// Parses up to `count` consecutive fields of one record, each a number as
/// above followed by `delimiter` or by the record's end at `base + end`,
/// starting at `base + *position`. Stores them in `out[0..<n]`, leaves
/// `*position` just past the last parsed field's delimiter (`end + 1` after
/// the record's last field), and returns n. It stops early, n < count, at a
/// field it does not read whole (spaces, hexadecimal, text, a missing field):
/// the caller then decides about that one field. One call per record keeps the
/// loop, and fast_float inlined in it, on the C++ side.
size_t lnet_parse_double_fields(const unsigned char *base, size_t *position, size_t end, unsigned char delimiter,
                                size_t count, double *out);

#ifdef __cplusplus
}
#endif

#endif
