#ifndef LNET_CCRYPTO_SHIM_H
#define LNET_CCRYPTO_SHIM_H
// OpenSSL's EVP digests: SHA-256 with the processor's SHA extensions or AVX2,
// picked by OpenSSL at run time.
#include <openssl/evp.h>
#endif
