#include "CImageCodecs.h"

#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

enum { MESSAGE_SIZE = 256 };

struct jpeg_error_handler {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
};

struct lnet_image_decoder {
    lnet_image_format format;
    int have_header;
    char message[MESSAGE_SIZE];
    // JPEG
    struct jpeg_decompress_struct jpeg;
    struct jpeg_error_handler jpeg_error;
    int jpeg_created;
    uint8_t *cmyk_row;
    // PNG
    png_structp png;
    png_infop png_info;
    const uint8_t *png_data;
    size_t png_size;
    size_t png_offset;
    // EXIF (a copy, owned)
    uint8_t *exif;
    size_t exif_size;
};

static void set_message(lnet_image_decoder *decoder, const char *text) {
    snprintf(decoder->message, MESSAGE_SIZE, "%s", text);
}

static void keep_exif(lnet_image_decoder *decoder, const uint8_t *bytes, size_t size) {
    if (decoder->exif != NULL || size == 0) return;
    decoder->exif = malloc(size);
    if (decoder->exif == NULL) return;
    memcpy(decoder->exif, bytes, size);
    decoder->exif_size = size;
}

lnet_image_decoder *lnet_image_decoder_create(void) {
    return calloc(1, sizeof(lnet_image_decoder));
}

static void release_codec(lnet_image_decoder *decoder) {
    if (decoder->jpeg_created) {
        jpeg_destroy_decompress(&decoder->jpeg);
        decoder->jpeg_created = 0;
    }
    free(decoder->cmyk_row);
    decoder->cmyk_row = NULL;
    if (decoder->png != NULL) {
        png_destroy_read_struct(&decoder->png, &decoder->png_info, NULL);
        decoder->png = NULL;
        decoder->png_info = NULL;
    }
    free(decoder->exif);
    decoder->exif = NULL;
    decoder->exif_size = 0;
    decoder->have_header = 0;
}

void lnet_image_decoder_destroy(lnet_image_decoder *decoder) {
    if (decoder == NULL) return;
    release_codec(decoder);
    free(decoder);
}

const char *lnet_image_decoder_message(const lnet_image_decoder *decoder) {
    return decoder->message;
}

const uint8_t *lnet_image_exif(const lnet_image_decoder *decoder, size_t *size) {
    *size = decoder->exif_size;
    return decoder->exif;
}

/* ---- JPEG ---- */

static void jpeg_error_exit_with_return(j_common_ptr cinfo) {
    struct jpeg_error_handler *handler = (struct jpeg_error_handler *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(handler->message, MESSAGE_SIZE, "%s", text);
    longjmp(handler->jump, 1);
}

// Warnings are ignored as Pillow ignores them (extraneous bytes, say), except
// the end of the data before the image is complete: libjpeg would pad it with
// grey, Pillow refuses it ("image file is truncated"), and so do we.
static void jpeg_emit_message_quietly(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        struct jpeg_error_handler *handler = (struct jpeg_error_handler *)cinfo->err;
        snprintf(handler->message, MESSAGE_SIZE, "the file is truncated (premature end of JPEG data)");
        longjmp(handler->jump, 1);
    }
}

static void jpeg_output_nothing(j_common_ptr cinfo) { (void)cinfo; }

static int jpeg_header(lnet_image_decoder *decoder, const uint8_t *data, size_t size, lnet_image_header *header) {
    decoder->jpeg.err = jpeg_std_error(&decoder->jpeg_error.pub);
    decoder->jpeg_error.pub.error_exit = jpeg_error_exit_with_return;
    decoder->jpeg_error.pub.emit_message = jpeg_emit_message_quietly;
    decoder->jpeg_error.pub.output_message = jpeg_output_nothing;
    decoder->jpeg_error.message = decoder->message;
    if (setjmp(decoder->jpeg_error.jump)) {
        return -1;
    }
    jpeg_create_decompress(&decoder->jpeg);
    decoder->jpeg_created = 1;
    if (size > (size_t)(unsigned long)-1) {
        set_message(decoder, "the file is too large");
        return -1;
    }
    jpeg_mem_src(&decoder->jpeg, data, (unsigned long)size);
    jpeg_save_markers(&decoder->jpeg, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&decoder->jpeg, TRUE);
    for (jpeg_saved_marker_ptr marker = decoder->jpeg.marker_list; marker != NULL; marker = marker->next) {
        // The first APP1 that is EXIF, as Pillow takes it.
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 &&
            memcmp(marker->data, "Exif\0\0", 6) == 0) {
            keep_exif(decoder, marker->data + 6, marker->data_length - 6);
            break;
        }
    }
    int components = decoder->jpeg.num_components;
    J_COLOR_SPACE space = decoder->jpeg.jpeg_color_space;
    header->width = decoder->jpeg.image_width;
    header->height = decoder->jpeg.image_height;
    header->stored_channels = components;
    header->bit_depth = decoder->jpeg.data_precision;
    header->is_palette = 0;
    header->is_cmyk = (space == JCS_CMYK || space == JCS_YCCK);
    if (!(components == 1 || components == 3 || (components == 4 && header->is_cmyk))) {
        snprintf(decoder->message, MESSAGE_SIZE, "a JPEG with %d colour components is not supported", components);
        return -1;
    }
    if (decoder->jpeg.data_precision != 8) {
        snprintf(decoder->message, MESSAGE_SIZE, "a JPEG of %d-bit samples is not supported", decoder->jpeg.data_precision);
        return -1;
    }
    return 0;
}

// Pillow's MULDIV255 and cmyk2rgb, after its "CMYK;I" unpacking (Adobe's inverted CMYK).
static inline uint8_t clip8(int value) { return value <= 0 ? 0 : (value >= 255 ? 255 : (uint8_t)value); }
static inline int muldiv255(int a, int b) {
    int tmp = a * b + 128;
    return ((tmp >> 8) + tmp) >> 8;
}

static int jpeg_decode(lnet_image_decoder *decoder, uint8_t *out, size_t out_size) {
    struct jpeg_decompress_struct *cinfo = &decoder->jpeg;
    if (setjmp(decoder->jpeg_error.jump)) {
        return -1;
    }
    int cmyk = (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK);
    // Pillow's defaults: the accurate integer IDCT and fancy upsampling.
    cinfo->dct_method = JDCT_ISLOW;
    cinfo->do_fancy_upsampling = TRUE;
    cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(cinfo);
    size_t width = cinfo->output_width;
    size_t stride = width * 3;
    if (cinfo->output_height == 0 || stride == 0 || out_size / stride < cinfo->output_height) {
        set_message(decoder, "the output buffer does not match the image size");
        return -1;
    }
    if (cmyk) {
        decoder->cmyk_row = malloc(width * 4);
        if (decoder->cmyk_row == NULL) {
            set_message(decoder, "out of memory");
            return -1;
        }
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        size_t y = cinfo->output_scanline;
        uint8_t *line = out + y * stride;
        JSAMPROW row = cmyk ? decoder->cmyk_row : line;
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
            set_message(decoder, "the file is truncated");
            return -1;
        }
        if (cmyk) {
            const uint8_t *in = decoder->cmyk_row;
            for (size_t x = 0; x < width; x++, in += 4, line += 3) {
                int c = 255 - in[0], m = 255 - in[1], ye = 255 - in[2], k = 255 - in[3];
                int nk = 255 - k;
                line[0] = clip8(nk - muldiv255(c, nk));
                line[1] = clip8(nk - muldiv255(m, nk));
                line[2] = clip8(nk - muldiv255(ye, nk));
            }
        }
    }
    jpeg_finish_decompress(cinfo);
    return 0;
}

/* ---- PNG ---- */

static void png_error_with_return(png_structp png, png_const_charp text) {
    lnet_image_decoder *decoder = png_get_error_ptr(png);
    set_message(decoder, text);
    png_longjmp(png, 1);
}

static void png_warning_ignored(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void png_read_from_memory(png_structp png, png_bytep out, size_t count) {
    lnet_image_decoder *decoder = png_get_io_ptr(png);
    if (count > decoder->png_size - decoder->png_offset) {
        png_error(png, "the file is truncated");
    }
    memcpy(out, decoder->png_data + decoder->png_offset, count);
    decoder->png_offset += count;
}

static int png_header(lnet_image_decoder *decoder, const uint8_t *data, size_t size, lnet_image_header *header) {
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        set_message(decoder, "not a PNG file (bad signature)");
        return -1;
    }
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, png_error_with_return, png_warning_ignored);
    if (decoder->png == NULL) {
        set_message(decoder, "out of memory");
        return -1;
    }
    decoder->png_info = png_create_info_struct(decoder->png);
    if (decoder->png_info == NULL) {
        set_message(decoder, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        return -1;
    }
    decoder->png_data = data;
    decoder->png_size = size;
    decoder->png_offset = 0;
    png_set_read_fn(decoder->png, decoder, png_read_from_memory);
    // A bad CRC is an error in every chunk, as Pillow refuses a "broken PNG file".
    png_set_crc_action(decoder->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    // Our own pixel limit is checked by the caller; lift libpng's per-side default of 10^6.
    png_set_user_limits(decoder->png, 0x7fffffff, 0x7fffffff);
    png_read_info(decoder->png, decoder->png_info);
    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0;
    png_get_IHDR(decoder->png, decoder->png_info, &width, &height, &depth, &color, NULL, NULL, NULL);
    header->width = width;
    header->height = height;
    header->bit_depth = depth;
    header->is_palette = (color == PNG_COLOR_TYPE_PALETTE);
    header->is_cmyk = 0;
    header->stored_channels = png_get_channels(decoder->png, decoder->png_info);
    png_bytep exif = NULL;
    png_uint_32 exif_size = 0;
    if (png_get_eXIf_1(decoder->png, decoder->png_info, &exif_size, &exif) != 0 && exif != NULL) {
        keep_exif(decoder, exif, exif_size);
    }
    return 0;
}

static int png_decode(lnet_image_decoder *decoder, uint8_t *out, size_t out_size) {
    png_structp png = decoder->png;
    png_infop info = decoder->png_info;
    png_bytep *rows = NULL;
    // `rows` is volatile across setjmp: the error path frees it.
    png_bytep *volatile rows_to_free = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows_to_free);
        return -1;
    }
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), color = png_get_color_type(png, info);
    // Pillow opens 16-bit grey as I;16 and converts it to RGB by clipping at 255.
    int grey16 = (color == PNG_COLOR_TYPE_GRAY && depth == 16);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16 && !grey16) png_set_strip_16(png);
    if ((color & PNG_COLOR_MASK_ALPHA) != 0 || color == PNG_COLOR_TYPE_PALETTE) png_set_strip_alpha(png);
    if ((color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) && !grey16) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t stride = (size_t)width * 3;
    size_t expected = grey16 ? (size_t)width * 2 : stride;
    if (png_get_rowbytes(png, info) != expected) {
        set_message(decoder, "unexpected row layout after conversion to RGB");
        return -1;
    }
    if (height == 0 || stride == 0 || out_size / stride < height) {
        set_message(decoder, "the output buffer does not match the image size");
        return -1;
    }
    rows = malloc(sizeof(png_bytep) * height);
    if (rows == NULL) {
        set_message(decoder, "out of memory");
        return -1;
    }
    rows_to_free = rows;
    for (png_uint_32 y = 0; y < height; y++) rows[y] = out + y * stride;
    png_read_image(png, rows);
    rows_to_free = NULL;
    free(rows);
    if (grey16) {
        // Right to left within each row: output byte 3x is never before input byte 2x+1.
        for (png_uint_32 y = 0; y < height; y++) {
            uint8_t *line = out + y * stride;
            for (size_t x = width; x-- > 0;) {
                uint8_t high = line[2 * x], low = line[2 * x + 1];
                uint8_t value = high == 0 ? low : 255;
                line[3 * x] = value;
                line[3 * x + 1] = value;
                line[3 * x + 2] = value;
            }
        }
    }
    // What follows the pixels (text, eXIf, IEND) is read for a late eXIf; a
    // damaged tail is ignored, as Pillow's load_end ignores it.
    if (setjmp(png_jmpbuf(png))) {
        decoder->message[0] = 0;
        return 0;
    }
    png_read_end(png, info);
    png_bytep exif = NULL;
    png_uint_32 exif_size = 0;
    if (png_get_eXIf_1(png, info, &exif_size, &exif) != 0 && exif != NULL) {
        keep_exif(decoder, exif, exif_size);
    }
    return 0;
}

/* ---- dispatch ---- */

int lnet_image_read_header(lnet_image_decoder *decoder, lnet_image_format format,
                           const uint8_t *data, size_t size, lnet_image_header *header) {
    release_codec(decoder);
    decoder->message[0] = 0;
    decoder->format = format;
    memset(header, 0, sizeof(*header));
    int result;
    switch (format) {
    case LNET_IMAGE_FORMAT_JPEG:
        result = jpeg_header(decoder, data, size, header);
        break;
    case LNET_IMAGE_FORMAT_PNG:
        result = png_header(decoder, data, size, header);
        break;
    default:
        set_message(decoder, "unknown image format");
        result = -1;
    }
    decoder->have_header = (result == 0);
    return result;
}

int lnet_image_decode_rgb(lnet_image_decoder *decoder, uint8_t *out, size_t out_size) {
    if (!decoder->have_header) {
        set_message(decoder, "no header was read");
        return -1;
    }
    decoder->have_header = 0;
    switch (decoder->format) {
    case LNET_IMAGE_FORMAT_JPEG:
        return jpeg_decode(decoder, out, out_size);
    case LNET_IMAGE_FORMAT_PNG:
        return png_decode(decoder, out, out_size);
    }
    set_message(decoder, "unknown image format");
    return -1;
}

// MARK: Crash containment

enum { GUARD_TEMPORARIES = 8 };
static char *guard_temporaries[GUARD_TEMPORARIES];
static int guard_temporary_count;
// Read by the handler on the faulting thread, which is the decoding thread.
static _Thread_local const char *guard_file;
// The handlers in place before ours (the Swift runtime's backtracer, say): a
// fault outside decoding goes back to them.
static struct sigaction guard_previous[32];

static void guard_write(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void guard_on_fault(int number) {
    // Only async-signal-safe calls: unlink, write, _exit, sigaction, raise.
    for (int i = 0; i < guard_temporary_count; i++) unlink(guard_temporaries[i]);
    const char *file = guard_file;
    if (file != NULL) {
        const char *name = number == SIGSEGV ? "SIGSEGV" : number == SIGBUS ? "SIGBUS"
                         : number == SIGILL ? "SIGILL" : "SIGFPE";
        guard_write("error: ");
        guard_write(file);
        guard_write(": the image decoder crashed (");
        guard_write(name);
        guard_write(") on this file; nothing was written\n");
        _exit(1);
    }
    if (number > 0 && number < 32) sigaction(number, &guard_previous[number], NULL);
    raise(number);
}

void lnet_image_crash_guard_remove_on_fault(const char *temporary) {
    if (guard_temporary_count >= GUARD_TEMPORARIES) return;
    char *copy = strdup(temporary);
    if (copy != NULL) guard_temporaries[guard_temporary_count++] = copy;
}

void lnet_image_crash_guard_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = guard_on_fault;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        sigaction(faults[i], &action, &guard_previous[faults[i]]);
    }
}

void lnet_image_crash_guard_name(const char *file) {
    guard_file = file;
}
