#ifndef LNET_CZIP_SHIM_H
#define LNET_CZIP_SHIM_H
// libzip (Debian's libzip-dev). Its flags and error codes are plain integer
// macros, which Swift imports as constants, so no wrappers are needed yet; any
// function-like macro LNet comes to need gets a static inline wrapper here.
#include <zip.h>
#endif
