#ifndef LNET_CZLIB_SHIM_H
#define LNET_CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2 is a macro over inflateInit2_; Swift cannot call the macro.
static inline int lnet_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
