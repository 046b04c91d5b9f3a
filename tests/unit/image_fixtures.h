/* image_fixtures.h - encoders that build test images in memory (PNG and
 * JPEG through libpng/libjpeg, GIF, WebP containers and PNM by hand), and a
 * plain libjpeg reference decoder. Used by the image test programs; every
 * function aborts on failure (the inputs are always valid). */
#ifndef HM_IMAGE_FIXTURES_H
#define HM_IMAGE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jpeglib.h>

/* A growing byte buffer. */
typedef struct fx_buf {
    uint8_t *data;
    size_t size, cap;
} fx_buf;
void fx_put(fx_buf *b, const void *p, size_t n);
void fx_put8(fx_buf *b, unsigned v);
void fx_put_le16(fx_buf *b, unsigned v);
void fx_put_le24(fx_buf *b, unsigned v);
void fx_put_le32(fx_buf *b, uint32_t v);
void fx_put_be32(fx_buf *b, uint32_t v);

/* ---- PNG ---------------------------------------------------------------- */
typedef struct fx_png {
    uint32_t width, height;
    int color_type; /* PNG_COLOR_TYPE_* */
    int bit_depth;
    int interlace;            /* 0 or 1 (Adam7) */
    const uint16_t *samples;  /* width*height*channels values, file order */
    const uint8_t *palette;   /* RGB triples for palette images */
    int palette_entries;
    int trns_entries;         /* palette: alpha entries written (values 0x40) */
    int trns_grey_or_rgb;     /* grey/RGB images: write a tRNS colour (sample 0) */
    const uint8_t *exif;      /* eXIf payload (TIFF structure) or NULL */
    size_t exif_size;
} fx_png;
/* Channels stored in the file for a PNG colour type (palette: 1). */
int fx_png_channels(int color_type);
uint8_t *fx_png_write(const fx_png *p, size_t *size);

/* ---- JPEG --------------------------------------------------------------- */
typedef struct fx_jpeg {
    uint32_t width, height;
    int components;            /* 1, 3 or 4 */
    J_COLOR_SPACE in_space;    /* JCS_GRAYSCALE, JCS_RGB, JCS_CMYK */
    J_COLOR_SPACE jpeg_space;  /* JCS_UNKNOWN: the library default */
    int quality;
    int progressive;
    int no_adobe_marker;       /* CMYK without the Adobe APP14 marker */
    int subsample;             /* 1: 2x2 chroma subsampling */
    const uint8_t *pixels;     /* width*height*components */
    const uint8_t *app1;       /* written as an APP1 marker when not NULL */
    size_t app1_size;
    const jpeg_scan_info *scans; /* custom progression (num_scans entries) */
    int num_scans;
} fx_jpeg;
uint8_t *fx_jpeg_write(const fx_jpeg *j, size_t *size);
/* Decodes with plain libjpeg into `out_space` (JCS_GRAYSCALE, JCS_RGB or
 * JCS_CMYK): the reference the decoder must equal. */
uint8_t *fx_jpeg_reference(const uint8_t *data, size_t size, J_COLOR_SPACE out_space,
                           uint32_t *width, uint32_t *height, int *components);

/* ---- GIF ---------------------------------------------------------------- */
typedef struct fx_gif_frame {
    uint16_t x, y, w, h;
    int interlace;
    int transparency;           /* -1: no Graphic Control Extension */
    const uint8_t *local_palette; /* RGB triples, 2^local_bits entries */
    int local_bits;
    int min_code_size;
    const uint8_t *pixels;      /* indices in stream order, w*h of them */
    size_t npixels;             /* may differ from w*h to test short/long data */
    int no_clear_at_full;       /* let the LZW table fill up (deferred clear) */
    int no_end_code;
    const uint8_t *raw;         /* LZW bytes used instead of encoding pixels */
    size_t raw_size;
} fx_gif_frame;
/* A GIF89a with one frame; gpal NULL for no global colour table. */
uint8_t *fx_gif_write(uint16_t sw, uint16_t sh, const uint8_t *gpal, int gbits,
                      const fx_gif_frame *f, size_t *size);
/* LZW-encodes `n` indices for a GIF with the given minimum code size
 * (a real encoder: strings, growing code sizes, table resets). */
uint8_t *fx_gif_lzw(const uint8_t *px, size_t n, int min_code_size, int no_clear_at_full,
                    int no_end_code, size_t *size);

/* ---- WebP (HM_WITH_WEBP builds) ---------------------------------------- */
/* A lossless (exact) or lossy WebP of RGB pixels, as libwebp writes it. */
uint8_t *fx_webp_simple(const uint8_t *rgb, uint32_t w, uint32_t h, int lossless, size_t *size);
/* A VP8X container around a simple lossless image, with an EXIF chunk. */
uint8_t *fx_webp_with_exif(const uint8_t *rgb, uint32_t w, uint32_t h, const uint8_t *exif,
                           size_t exif_size, size_t *size);
/* An animated WebP: canvas cw x ch, one frame of w x h at (x, y) (even). */
uint8_t *fx_webp_animated(const uint8_t *rgb, uint32_t w, uint32_t h, uint32_t x, uint32_t y,
                          uint32_t cw, uint32_t ch, size_t *size);

/* ---- comparing ------------------------------------------------------------ */
/* Same size, channels and pixel bytes (both non-NULL). */
typedef struct hm_image hm_image;
int fx_same_image(const hm_image *a, const hm_image *b);

/* ---- EXIF --------------------------------------------------------------- */
/* A minimal TIFF structure whose IFD0 holds Orientation = `orientation`. */
size_t fx_exif_tiff(uint8_t *out, int big_endian, unsigned orientation);

#endif /* HM_IMAGE_FIXTURES_H */
