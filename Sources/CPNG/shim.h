#ifndef LNET_CPNG_SHIM_H
#define LNET_CPNG_SHIM_H
#include <png.h>
#endif
