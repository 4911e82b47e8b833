#ifndef LNET_CDEFLATE_SHIM_H
#define LNET_CDEFLATE_SHIM_H
// Debian's libdeflate (libdeflate-dev): whole-buffer deflate in zlib format,
// for the chunks of HDF5's standard gzip filter.
#include <libdeflate.h>
#endif
