/* image_fixtures.c - test image encoders (see image_fixtures.h). */
#include "image_fixtures.h"

#include "hashmatch.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#ifdef HM_WITH_WEBP
#include <webp/decode.h>
#include <webp/encode.h>
#endif

/* ---- buffers ------------------------------------------------------------ */

void fx_put(fx_buf *b, const void *p, size_t n)
{
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + n) cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data) abort();
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->size, p, n);
    b->size += n;
}

void fx_put8(fx_buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    fx_put(b, &c, 1);
}

void fx_put_le16(fx_buf *b, unsigned v)
{
    fx_put8(b, v);
    fx_put8(b, v >> 8);
}

void fx_put_le24(fx_buf *b, unsigned v)
{
    fx_put_le16(b, v);
    fx_put8(b, v >> 16);
}

void fx_put_le32(fx_buf *b, uint32_t v)
{
    fx_put_le16(b, v & 0xffff);
    fx_put_le16(b, v >> 16);
}

void fx_put_be32(fx_buf *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--) fx_put8(b, v >> (8 * i));
}

/* ---- PNG ---------------------------------------------------------------- */

int fx_png_channels(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* palette */
    }
}

static void png_put(png_structp png, png_bytep data, size_t n)
{
    fx_put(png_get_io_ptr(png), data, n);
}

static void png_flush_nothing(png_structp png) { (void)png; }

/* Packs one row of samples at the file's bit depth (MSB first, 16-bit
 * big-endian). */
static void pack_row(const fx_png *p, const uint16_t *s, uint8_t *row)
{
    size_t n = (size_t)p->width * (size_t)fx_png_channels(p->color_type);
    int d = p->bit_depth;
    if (d == 16) {
        for (size_t i = 0; i < n; i++) {
            row[2 * i] = (uint8_t)(s[i] >> 8);
            row[2 * i + 1] = (uint8_t)s[i];
        }
    } else if (d == 8) {
        for (size_t i = 0; i < n; i++) row[i] = (uint8_t)s[i];
    } else {
        memset(row, 0, (n * (size_t)d + 7) / 8);
        for (size_t i = 0; i < n; i++) {
            size_t bit = i * (size_t)d;
            row[bit / 8] |= (uint8_t)(s[i] << (8 - d - (int)(bit % 8)));
        }
    }
}

uint8_t *fx_png_write(const fx_png *p, size_t *size)
{
    fx_buf b = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) abort();
    size_t ch = (size_t)fx_png_channels(p->color_type);
    size_t rowbytes = (p->width * ch * (size_t)p->bit_depth + 7) / 8;
    uint8_t *rows = malloc(rowbytes * p->height + 1);
    png_bytep *ptrs = malloc(sizeof *ptrs * p->height);
    if (!rows || !ptrs || setjmp(png_jmpbuf(png))) abort();
    png_set_write_fn(png, &b, png_put, png_flush_nothing);
    png_set_IHDR(png, info, p->width, p->height, p->bit_depth, p->color_type,
                 p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (p->palette && p->palette_entries)
        png_set_PLTE(png, info, (png_const_colorp)p->palette, p->palette_entries);
    png_byte alpha[256];
    memset(alpha, 0x40, sizeof alpha);
    png_color_16 trns = {0};
    if (p->trns_entries) png_set_tRNS(png, info, alpha, p->trns_entries, NULL);
    if (p->trns_grey_or_rgb) {
        trns.gray = trns.red = p->samples[0];
        trns.green = p->samples[ch > 1 ? 1 : 0];
        trns.blue = p->samples[ch > 2 ? 2 : 0];
        png_set_tRNS(png, info, NULL, 0, &trns);
    }
    png_byte exif[256];
    if (p->exif && p->exif_size <= sizeof exif) {
        memcpy(exif, p->exif, p->exif_size);
        png_set_eXIf_1(png, info, (png_uint_32)p->exif_size, exif);
    }
    for (uint32_t y = 0; y < p->height; y++) {
        ptrs[y] = rows + y * rowbytes;
        pack_row(p, p->samples + (size_t)y * p->width * ch, ptrs[y]);
    }
    png_set_rows(png, info, ptrs);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(ptrs);
    *size = b.size;
    return b.data;
}

/* ---- JPEG --------------------------------------------------------------- */

uint8_t *fx_jpeg_write(const fx_jpeg *j, size_t *size)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    jpeg_mem_dest(&c, &out, &outsize);
    c.image_width = j->width;
    c.image_height = j->height;
    c.input_components = j->components;
    c.in_color_space = j->in_space;
    jpeg_set_defaults(&c);
    if (j->jpeg_space != JCS_UNKNOWN) jpeg_set_colorspace(&c, j->jpeg_space);
    jpeg_set_quality(&c, j->quality, TRUE);
    for (int i = 0; i < c.num_components; i++) {
        c.comp_info[i].h_samp_factor = j->subsample && i == 0 ? 2 : 1;
        c.comp_info[i].v_samp_factor = j->subsample && i == 0 ? 2 : 1;
    }
    if (j->progressive) jpeg_simple_progression(&c);
    if (j->scans) {
        c.scan_info = j->scans;
        c.num_scans = j->num_scans;
    }
    if (j->no_adobe_marker) c.write_Adobe_marker = FALSE;
    jpeg_start_compress(&c, TRUE);
    if (j->app1) jpeg_write_marker(&c, JPEG_APP0 + 1, j->app1, (unsigned)j->app1_size);
    size_t stride = (size_t)j->width * (size_t)j->components;
    JSAMPROW row = malloc(stride);
    if (!row) abort();
    while (c.next_scanline < c.image_height) {
        memcpy(row, j->pixels + c.next_scanline * stride, stride);
        jpeg_write_scanlines(&c, &row, 1);
    }
    free(row);
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *size = outsize;
    return out;
}

uint8_t *fx_jpeg_reference(const uint8_t *data, size_t size, J_COLOR_SPACE out_space,
                           uint32_t *width, uint32_t *height, int *components)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr jerr;
    d.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long)size);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = out_space;
    jpeg_start_decompress(&d);
    size_t stride = (size_t)d.output_width * (size_t)d.output_components;
    uint8_t *px = malloc(stride * d.output_height);
    if (!px) abort();
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = px + d.output_scanline * stride;
        jpeg_read_scanlines(&d, &row, 1);
    }
    *width = d.output_width;
    *height = d.output_height;
    *components = d.output_components;
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return px;
}

/* ---- GIF ---------------------------------------------------------------- */

typedef struct lzw_writer {
    fx_buf out;
    uint32_t bits;
    int nbits;
    int root, clear;
    /* the decoder's view, mirrored so every code is written at the width
     * the decoder will read it with */
    int dec_next, dec_size, dec_first;
} lzw_writer;

static void lzw_emit(lzw_writer *w, int code)
{
    w->bits |= (uint32_t)code << w->nbits;
    w->nbits += w->dec_size;
    while (w->nbits >= 8) {
        fx_put8(&w->out, w->bits & 0xff);
        w->bits >>= 8;
        w->nbits -= 8;
    }
    if (code == w->clear) {
        w->dec_size = w->root + 1;
        w->dec_next = w->clear + 2;
        w->dec_first = 1;
        return;
    }
    if (w->dec_first) {
        w->dec_first = 0;
        return;
    }
    if (w->dec_next < 4096) {
        if (w->dec_next == (1 << w->dec_size) - 1 && w->dec_size < 12) w->dec_size++;
        w->dec_next++;
    }
}

uint8_t *fx_gif_lzw(const uint8_t *px, size_t n, int min_code_size, int no_clear_at_full,
                    int no_end_code, size_t *size)
{
    enum { HASH = 16384 };
    static int32_t key[HASH];
    static int16_t val[HASH];
    lzw_writer w = {0};
    w.root = min_code_size;
    w.clear = 1 << min_code_size;
    w.dec_size = min_code_size + 1;
    int next = 0, prefix = -1;
    for (size_t i = 0; i <= n; i++) {
        if (prefix < 0) { /* start (or restart after a clear) */
            lzw_emit(&w, w.clear);
            memset(key, 0xff, sizeof key);
            next = w.clear + 2;
            if (i == n) break;
            prefix = px[i];
            continue;
        }
        if (i == n) break;
        int32_t k = prefix << 8 | px[i];
        unsigned h = ((unsigned)k * 2654435761u) % HASH;
        while (key[h] != -1 && key[h] != k) h = (h + 1) % HASH;
        if (key[h] == k) {
            prefix = val[h];
            continue;
        }
        lzw_emit(&w, prefix);
        prefix = px[i];
        if (next < 4096) {
            key[h] = k;
            val[h] = (int16_t)next++;
        } else if (!no_clear_at_full) {
            lzw_emit(&w, w.clear);
            memset(key, 0xff, sizeof key);
            next = w.clear + 2;
        }
    }
    if (prefix >= 0) lzw_emit(&w, prefix);
    if (!no_end_code) lzw_emit(&w, w.clear + 1);
    if (w.nbits) fx_put8(&w.out, w.bits & 0xff);
    *size = w.out.size;
    return w.out.data;
}

static void put_sub_blocks(fx_buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 255) {
        size_t k = n - i < 255 ? n - i : 255;
        fx_put8(b, (unsigned)k);
        fx_put(b, p + i, k);
    }
    fx_put8(b, 0);
}

uint8_t *fx_gif_write(uint16_t sw, uint16_t sh, const uint8_t *gpal, int gbits,
                      const fx_gif_frame *f, size_t *size)
{
    fx_buf b = {0};
    fx_put(&b, "GIF89a", 6);
    fx_put_le16(&b, sw);
    fx_put_le16(&b, sh);
    fx_put8(&b, gpal ? 0x80u | (unsigned)(gbits - 1) : 0);
    fx_put8(&b, 0);
    fx_put8(&b, 0);
    if (gpal) fx_put(&b, gpal, 3u << gbits);
    if (f->transparency >= 0) {
        const uint8_t gce[] = {'!', 0xf9, 4, 1, 0, 0, (uint8_t)f->transparency, 0};
        fx_put(&b, gce, sizeof gce);
    }
    fx_put8(&b, ',');
    fx_put_le16(&b, f->x);
    fx_put_le16(&b, f->y);
    fx_put_le16(&b, f->w);
    fx_put_le16(&b, f->h);
    unsigned flags = (f->interlace ? 0x40u : 0) |
                     (f->local_palette ? 0x80u | (unsigned)(f->local_bits - 1) : 0);
    fx_put8(&b, flags);
    if (f->local_palette) fx_put(&b, f->local_palette, 3u << f->local_bits);
    fx_put8(&b, (unsigned)f->min_code_size);
    size_t n;
    uint8_t *lzw = f->raw ? NULL
                          : fx_gif_lzw(f->pixels, f->npixels, f->min_code_size,
                                       f->no_clear_at_full, f->no_end_code, &n);
    put_sub_blocks(&b, f->raw ? f->raw : lzw, f->raw ? f->raw_size : n);
    free(lzw);
    fx_put8(&b, ';');
    *size = b.size;
    return b.data;
}

/* ---- WebP --------------------------------------------------------------- */
#ifdef HM_WITH_WEBP

uint8_t *fx_webp_simple(const uint8_t *rgb, uint32_t w, uint32_t h, int lossless, size_t *size)
{
    uint8_t *out = NULL;
    *size = lossless ? WebPEncodeLosslessRGB(rgb, (int)w, (int)h, (int)w * 3, &out)
                     : WebPEncodeRGB(rgb, (int)w, (int)h, (int)w * 3, 80.0f, &out);
    if (!*size) abort();
    /* Copy into malloc memory so callers free() it like the other fixtures. */
    uint8_t *copy = malloc(*size);
    if (!copy) abort();
    memcpy(copy, out, *size);
    WebPFree(out);
    return copy;
}

static void put_chunk(fx_buf *b, const char *tag, const uint8_t *p, size_t n)
{
    fx_put(b, tag, 4);
    fx_put_le32(b, (uint32_t)n);
    fx_put(b, p, n);
    if (n & 1) fx_put8(b, 0);
}

static uint8_t *riff_finish(fx_buf *body, size_t *size)
{
    fx_buf f = {0};
    fx_put(&f, "RIFF", 4);
    fx_put_le32(&f, (uint32_t)body->size);
    fx_put(&f, body->data, body->size);
    free(body->data);
    *size = f.size;
    return f.data;
}

static void put_vp8x(fx_buf *b, unsigned flags, uint32_t cw, uint32_t ch)
{
    fx_put(b, "VP8X", 4);
    fx_put_le32(b, 10);
    fx_put8(b, flags);
    fx_put_le24(b, 0);
    fx_put_le24(b, cw - 1);
    fx_put_le24(b, ch - 1);
}

uint8_t *fx_webp_with_exif(const uint8_t *rgb, uint32_t w, uint32_t h, const uint8_t *exif,
                           size_t exif_size, size_t *size)
{
    size_t n;
    uint8_t *simple = fx_webp_simple(rgb, w, h, 1, &n);
    fx_buf body = {0};
    fx_put(&body, "WEBP", 4);
    put_vp8x(&body, 0x08, w, h);
    fx_put(&body, simple + 12, n - 12); /* the VP8L chunk */
    put_chunk(&body, "EXIF", exif, exif_size);
    free(simple);
    return riff_finish(&body, size);
}

uint8_t *fx_webp_animated(const uint8_t *rgb, uint32_t w, uint32_t h, uint32_t x, uint32_t y,
                          uint32_t cw, uint32_t ch, size_t *size)
{
    size_t n;
    uint8_t *simple = fx_webp_simple(rgb, w, h, 1, &n);
    fx_buf body = {0}, anmf = {0};
    fx_put(&body, "WEBP", 4);
    put_vp8x(&body, 0x02, cw, ch);
    const uint8_t anim[6] = {1, 2, 3, 255, 0, 0};
    put_chunk(&body, "ANIM", anim, sizeof anim);
    fx_put_le24(&anmf, x / 2);
    fx_put_le24(&anmf, y / 2);
    fx_put_le24(&anmf, w - 1);
    fx_put_le24(&anmf, h - 1);
    fx_put_le24(&anmf, 100);
    fx_put8(&anmf, 0);
    fx_put(&anmf, simple + 12, n - 12);
    put_chunk(&body, "ANMF", anmf.data, anmf.size);
    free(anmf.data);
    free(simple);
    return riff_finish(&body, size);
}

#endif /* HM_WITH_WEBP */

/* ---- EXIF --------------------------------------------------------------- */

size_t fx_exif_tiff(uint8_t *out, int big_endian, unsigned orientation)
{
    /* header, IFD0 at 8 with two entries (an unrelated tag first), next 0 */
    const uint16_t tags[2] = {0x010f, 0x0112};
    size_t n = 0;
    fx_buf b = {0};
    fx_put(&b, big_endian ? "MM\0*" : "II*\0", 4);
#define P16(v) (big_endian ? (fx_put8(&b, (v) >> 8), fx_put8(&b, (v)&0xff)) : fx_put_le16(&b, (v)))
#define P32(v) (big_endian ? fx_put_be32(&b, (v)) : fx_put_le32(&b, (v)))
    P32(8);
    P16(2);
    P16(tags[0]); /* Make: ASCII, 4 bytes inline "abc\0" */
    P16(2);
    P32(4);
    fx_put(&b, "abc", 4);
    P16(tags[1]);
    P16(3);
    P32(1);
    P16(orientation);
    P16(0);
    P32(0);
#undef P16
#undef P32
    n = b.size;
    memcpy(out, b.data, n);
    free(b.data);
    return n;
}

int fx_same_image(const hm_image *a, const hm_image *b)
{
    return a && b && hm_image_width(a) == hm_image_width(b) &&
           hm_image_height(a) == hm_image_height(b) && hm_image_channels(a) == hm_image_channels(b) &&
           !memcmp(hm_image_pixels(a), hm_image_pixels(b),
                   (size_t)hm_image_width(a) * hm_image_height(a) * hm_image_channels(a));
}
