// A decoder fault for the tests, loaded with LD_PRELOAD into `lnet`: libjpeg's
// scanline reader dereferences NULL, as a memory bug in the library reached by
// a crafted photo would. Built by ImageConvertCommandTests with
// `cc -shared -fPIC`; it replaces the function only in that one process.
#include <stddef.h>

unsigned int jpeg_read_scanlines(void *cinfo, unsigned char **scanlines, unsigned int max_lines) {
    (void)cinfo;
    (void)scanlines;
    (void)max_lines;
    volatile unsigned int *nowhere = NULL;
    return *nowhere;
}
