#ifndef LNET_CIMAGECODECS_H
#define LNET_CIMAGECODECS_H
// A small C layer over Debian's libjpeg-turbo and libpng that turns every
// library error into a return code and a message. Both libraries report
// errors by calling a handler that must not return (libjpeg's default
// error_exit calls exit()); the handlers here longjmp back to a setjmp taken
// inside these C functions, so no longjmp ever crosses a Swift frame.
//
// Use: create, read_header (the size is known before any pixel memory is
// allocated, so the caller can refuse a decompression bomb), decode_rgb into
// a caller-owned buffer of width*height*3 bytes, destroy. The input bytes
// must stay alive and unchanged from read_header to decode_rgb.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The container formats the decoder knows.
typedef enum lnet_image_format {
    LNET_IMAGE_FORMAT_JPEG = 1,
    LNET_IMAGE_FORMAT_PNG = 2,
} lnet_image_format;

/// What the header says.
typedef struct lnet_image_header {
    uint32_t width;
    uint32_t height;
    /// Colour channels as stored (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK).
    int32_t stored_channels;
    /// Bits per stored sample (8 or 16; 1, 2 or 4 for small PNGs).
    int32_t bit_depth;
    /// 1 for a palette PNG.
    int32_t is_palette;
    /// 1 for a CMYK or YCCK JPEG.
    int32_t is_cmyk;
} lnet_image_header;

typedef struct lnet_image_decoder lnet_image_decoder;

/// A new decoder, or NULL when memory is exhausted.
lnet_image_decoder *lnet_image_decoder_create(void);
/// Frees the decoder and everything the libraries allocated for it.
void lnet_image_decoder_destroy(lnet_image_decoder *decoder);
/// The last error's message (empty when there was none).
const char *lnet_image_decoder_message(const lnet_image_decoder *decoder);

/// Reads the header of `data` (size bytes) as `format`. 0 on success, -1 on error.
int lnet_image_read_header(lnet_image_decoder *decoder, lnet_image_format format,
                           const uint8_t *data, size_t size, lnet_image_header *header);

/// Decodes the pixels as Pillow's `convert("RGB")` gives them: grey replicated,
/// palette looked up, alpha dropped without compositing, 16-bit samples cut to
/// their high byte (16-bit grey clipped to 255, as Pillow's I;16 to RGB does),
/// CMYK as Pillow's CMYK to RGB. `out` holds width*height*3 bytes, rows top to
/// bottom. 0 on success, -1 on error.
int lnet_image_decode_rgb(lnet_image_decoder *decoder, uint8_t *out, size_t out_size);

/// The EXIF block (TIFF bytes, after JPEG's "Exif\0\0" prefix) seen so far, or
/// NULL. For JPEG it is known after read_header; for PNG an eXIf chunk after
/// the pixels is known only after decode_rgb. Owned by the decoder.
const uint8_t *lnet_image_exif(const lnet_image_decoder *decoder, size_t *size);

// Crash containment. libjpeg-turbo and libpng read untrusted bytes; a memory
// fault inside them (a library bug a crafted file reaches) must not end lnet
// with a crash report and a half-written temporary. The caller names the file
// each thread is decoding; a fault while one is named prints one line,
// `error: FILE: the image decoder crashed (SIGSEGV) ...`, removes the
// registered temporary files and exits 1. A fault anywhere else keeps its
// default action, after the temporaries are removed.

/// Adds a temporary file the handler removes (copied; at most 8).
void lnet_image_crash_guard_remove_on_fault(const char *temporary);
/// Installs the handler for SIGSEGV, SIGBUS, SIGILL and SIGFPE. Call once,
/// before decoding.
void lnet_image_crash_guard_install(void);
/// Names the file this thread decodes from now on (NULL: none). The string
/// must stay valid until the next call.
void lnet_image_crash_guard_name(const char *file);

#ifdef __cplusplus
}
#endif
#endif
