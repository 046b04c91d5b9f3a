/*
 * png.c - PNG through libpng, read from memory, with Pillow's sample values:
 *   - palette images are expanded to RGB, indices past the end of the
 *     palette showing as grey (i, i, i) like Pillow's; tRNS is ignored (never
 *     turned into alpha), alpha channels are dropped without compositing;
 *   - 1-bit grey gives 0/255, 2-bit and 4-bit grey are scaled by 85 and 17
 *     (Pillow's "L;2"/"L;4" unpackers, libpng's expand_gray_1_2_4_to_8);
 *   - 16-bit samples keep their high byte (what Pillow does for RGB, RGBA
 *     and LA; for 16-bit grey Pillow saturates at 255 instead, and Meta's PDQ
 *     reference keeps the low byte, see docs/DECODING.md);
 *   - no gamma, colour-profile or significant-bits processing.
 * Errors and warnings are routed into hm_error; nothing is ever printed.
 */
#include <stdio.h>
#include <stdlib.h>

#include <png.h>

#include "image.h"

/* Largest ancillary chunk libpng may allocate (decompressed eXIf and the
 * like), and how many unknown or text chunks it may keep. */
#define HM_PNG_CHUNK_MALLOC_MAX (8u << 20)
#define HM_PNG_CHUNK_CACHE_MAX 128

/* Bytes handed to libpng's progressive reader at a time: the work done
 * after the last image row is at most one of these (see decode_body). */
#define HM_PNG_PUSH_BYTES 65536u

typedef struct png_ctx {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t pushed;  /* bytes handed to libpng */
    int rows_done;  /* the last row of the last pass has arrived */
    int final_pass; /* 6 for interlaced images, else 0 */
    int saw_end;    /* libpng reached IEND */
    int damaged;    /* libpng warned that the compressed data is damaged */
    hm_status status; /* set before a png_error raised by our own callbacks */
    char message[160];
    const hm_decode_options *opt;
    hm_image *img;
    int palette;         /* rows arrive as indices and are expanded here */
    uint8_t lut[256][3]; /* palette index -> RGB */
} png_ctx;

static void on_error(png_structp png, png_const_charp msg)
{
    png_ctx *ctx = png_get_error_ptr(png);
    snprintf(ctx->message, sizeof ctx->message, "%s", msg ? msg : "error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    /* Warnings (bad ancillary CRC, ...) change nothing we use, except a
     * checksum error in the image data before its last row, which libpng
     * only warns about as a benign error. */
    png_ctx *ctx = png_get_error_ptr(png);
    if (msg && strstr(msg, "ADLER32")) {
        ctx->damaged = 1;
        snprintf(ctx->message, sizeof ctx->message, "%s", msg);
    }
}

/* Width and height straight from the IHDR bytes, which the PNG format puts
 * first: the limits are checked before libpng even starts. */
static hm_status read_ihdr(const uint8_t *data, size_t size, uint32_t *width,
                           uint32_t *height, hm_error *err)
{
    HM_RETURN_IF(size < 24, err, HM_E_IMAGE_TRUNCATED, "png: the data ends in the header");
    HM_RETURN_IF(memcmp(data + 12, "IHDR", 4) != 0 || hm__load_be32(data + 8) != 13, err,
                 HM_E_IMAGE_CORRUPT, "png: the first chunk is not IHDR");
    *width = hm__load_be32(data + 16);
    *height = hm__load_be32(data + 20);
    HM_RETURN_IF(*width > 0x7fffffffu || *height > 0x7fffffffu, err, HM_E_IMAGE_DIMENSIONS,
                 "png: invalid dimensions in IHDR");
    return HM_OK;
}

hm_status hm__probe_png(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err)
{
    return read_ihdr(data, size, width, height, err);
}

/* Chunks that cannot change the pixels we produce: libpng skips them
 * without parsing (or decompressing) them. tRNS is among them because
 * transparency is ignored, exactly as by the references. */
static const png_byte IGNORED_CHUNKS[] = "bKGD\0cHRM\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0"
                                         "sBIT\0sCAL\0sPLT\0sRGB\0sTER\0tEXt\0tIME\0tRNS\0zTXt";

static void on_info(png_structp png, png_infop info);
static void on_row(png_structp png, png_bytep row, png_uint_32 row_num, int pass);
static void on_end(png_structp png, png_infop info);

static void configure(png_ctx *ctx)
{
    png_structp png = ctx->png;
    png_set_progressive_read_fn(png, ctx, on_info, on_row, on_end);
    png_set_user_limits(png, HM_MAX_SIDE, HM_MAX_SIDE);
    png_set_chunk_cache_max(png, HM_PNG_CHUNK_CACHE_MAX);
    png_set_chunk_malloc_max(png, HM_PNG_CHUNK_MALLOC_MAX);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, IGNORED_CHUNKS,
                                (int)(sizeof IGNORED_CHUNKS / 5));
    png_set_benign_errors(png, 1);
}

/* Sets up libpng's transformations so rows come out as 8-bit grey or RGB. */
static void set_transforms(png_ctx *ctx, unsigned *channels, hm_color_model *color)
{
    png_structp png = ctx->png;
    int type = png_get_color_type(png, ctx->info);
    int depth = png_get_bit_depth(png, ctx->info);
    if (depth == 16) png_set_strip_16(png);
    if (type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    if (type == PNG_COLOR_TYPE_PALETTE) {
        /* One index per byte; expanded by expand_palette_row, because
         * libpng shows indices past the palette as black, Pillow as grey. */
        if (depth < 8) png_set_packing(png);
        ctx->palette = 1;
        *color = HM_COLOR_PALETTE;
    } else if (type & PNG_COLOR_MASK_COLOR) {
        *color = HM_COLOR_RGB;
    } else {
        if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        *color = depth == 1 ? HM_COLOR_BILEVEL : HM_COLOR_GRAY;
    }
    *channels = (type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
}

static void build_palette(png_ctx *ctx)
{
    png_colorp pal = NULL;
    int n = 0;
    png_get_PLTE(ctx->png, ctx->info, &pal, &n);
    for (int i = 0; i < 256; i++) {
        if (pal && i < n) {
            ctx->lut[i][0] = pal[i].red;
            ctx->lut[i][1] = pal[i].green;
            ctx->lut[i][2] = pal[i].blue;
        } else {
            memset(ctx->lut[i], i, 3);
        }
    }
}

/* The row holds `width` indices at its start; expanding from the end keeps
 * every index readable until its own pixel is written. */
static void expand_palette_row(const png_ctx *ctx, uint8_t *row, uint32_t width)
{
    for (uint32_t x = width; x-- > 0;) memcpy(row + 3 * (size_t)x, ctx->lut[row[x]], 3);
}

/* Raised from a callback: libpng longjmps to decode_body with our status. */
static void fail_in_callback(png_ctx *ctx, hm_status st, const char *msg)
{
    ctx->status = st;
    png_error(ctx->png, msg);
}

/* Called when the first IDAT chunk starts: every header chunk is known. */
static void on_info(png_structp png, png_infop info)
{
    png_ctx *ctx = png_get_progressive_ptr(png);
    /* A second run of IDAT chunks after another chunk, which libpng lets
     * through as a benign error, starts this callback again. After the last
     * row that ends the decode with the image read (decode_body); before it
     * libpng has already failed ("Not enough compressed data"). */
    if (ctx->img) fail_in_callback(ctx, HM_E_IMAGE_CORRUPT, "a second run of image data");
    unsigned channels;
    hm_color_model color;
    set_transforms(ctx, &channels, &color);
    ctx->final_pass = png_set_interlace_handling(png) > 1 ? 6 : 0;
    png_read_update_info(png, info);
    uint32_t w = png_get_image_width(png, info);
    uint32_t h = png_get_image_height(png, info);
    unsigned row_channels = ctx->palette ? 1 : channels;
    if (png_get_channels(png, info) != row_channels ||
        png_get_rowbytes(png, info) != (size_t)w * row_channels)
        fail_in_callback(ctx, HM_E_INTERNAL, "unexpected row layout after transformations");
    if (ctx->palette) build_palette(ctx);
    hm_error err;
    hm_status st = hm__image_alloc(w, h, channels, ctx->opt->max_pixels, &ctx->img, &err);
    if (st != HM_OK) fail_in_callback(ctx, st, err.message);
    ctx->img->format = HM_FORMAT_PNG;
    ctx->img->color = color;
    /* Interlaced passes fill each row in parts: start from a defined row. */
    if (ctx->final_pass) memset(ctx->img->pixels, 0, (size_t)w * h * row_channels);
    /* Like Pillow, which never checks them, IDAT CRCs do not fail the
     * decode: a flipped CRC byte changes no pixel. IHDR and PLTE, already
     * read, were checked (and Pillow checks them too). */
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_NO_CHANGE);
}

static void on_row(png_structp png, png_bytep row, png_uint_32 row_num, int pass)
{
    png_ctx *ctx = png_get_progressive_ptr(png);
    hm_image *img = ctx->img;
    if (row_num >= img->height) return;
    size_t stride = (size_t)img->width * (ctx->palette ? 1 : img->channels);
    /* Rows are packed at the palette width first (expanded at the end). */
    png_progressive_combine_row(png, img->pixels + (size_t)row_num * stride, row);
    if (pass == ctx->final_pass && row_num == img->height - 1) ctx->rows_done = 1;
}

static void on_end(png_structp png, png_infop info)
{
    (void)info;
    ((png_ctx *)png_get_progressive_ptr(png))->saw_end = 1;
}

/* Palette rows were stored one index per byte, `width` bytes apart; spreads
 * them to RGB from the last row up so that nothing is overwritten early. */
static void expand_palette(png_ctx *ctx)
{
    hm_image *img = ctx->img;
    for (uint32_t y = img->height; y-- > 0;) {
        uint8_t *row = img->pixels + (size_t)y * img->width * 3;
        memmove(row, img->pixels + (size_t)y * img->width, img->width);
        expand_palette_row(ctx, row, img->width);
    }
}

/* The eXIf chunk wherever it is, by walking the chunk list in the buffer:
 * one that follows the image data is never reached by libpng, which stops
 * at the last row. Reads chunk headers only. */
static unsigned exif_in_chunks(const png_ctx *ctx)
{
    size_t pos = 8;
    while (ctx->size - pos >= 12) {
        uint32_t n = hm__load_be32(ctx->data + pos);
        if (n > ctx->size - pos - 12) return 0;
        if (!memcmp(ctx->data + pos + 4, "eXIf", 4))
            return hm__exif_orientation(ctx->data + pos + 8, n);
        if (!memcmp(ctx->data + pos + 4, "IEND", 4)) return 0;
        pos += 12 + (size_t)n;
    }
    return 0;
}

static unsigned exif_orientation(png_ctx *ctx)
{
    png_uint_32 n = 0;
    png_bytep exif = NULL;
    if ((png_get_eXIf_1(ctx->png, ctx->info, &n, &exif) & PNG_INFO_eXIf) && exif)
        return hm__exif_orientation(exif, n);
    return exif_in_chunks(ctx);
}

/* Feeds the file to libpng's progressive reader and stops as soon as the
 * last row has arrived: whatever follows the image data (the end of the
 * zlib stream and its checksum, the last CRC, further chunks, IEND, or
 * gigabytes of compressed padding) is never inflated or read, and an error
 * in it changes nothing. libpng itself stops inflating at the first byte
 * past the last row, so the work after it is bounded by one push. Data that
 * runs out before the last row is a truncation. Everything that may
 * longjmp is here; ctx lives in the caller's frame. */
static hm_status decode_body(png_ctx *ctx, hm_error *err)
{
    if (setjmp(png_jmpbuf(ctx->png))) {
        if (ctx->rows_done) return HM_OK; /* damage after the image */
        return hm__fail(err, ctx->status != HM_OK ? ctx->status : HM_E_IMAGE_CORRUPT, "png: %s",
                        ctx->message);
    }
    configure(ctx);
    while (!ctx->rows_done && ctx->pushed < ctx->size) {
        size_t n = ctx->size - ctx->pushed;
        if (n > HM_PNG_PUSH_BYTES) n = HM_PNG_PUSH_BYTES;
        png_process_data(ctx->png, ctx->info, (png_bytep)(uintptr_t)(ctx->data + ctx->pushed), n);
        ctx->pushed += n;
    }
    if (ctx->rows_done) return HM_OK;
    HM_RETURN_IF(ctx->damaged, err, HM_E_IMAGE_CORRUPT, "png: %s", ctx->message);
    HM_RETURN_IF(ctx->saw_end, err, HM_E_IMAGE_CORRUPT, "png: the image data ends before the last row");
    return hm__fail(err, HM_E_IMAGE_TRUNCATED, ctx->img ? "png: the data ends before the last row"
                                                        : "png: the data ends before the image data");
}

hm_status hm__decode_png_counted(const uint8_t *data, size_t size, const hm_decode_options *opt,
                                 hm_image **out, size_t *consumed, hm_error *err)
{
    *out = NULL;
    *consumed = 0;
    uint32_t w = 0, h = 0; /* read_ihdr sets both; zero quiets gcc -O3 */
    HM_FORWARD_IF_ERROR(read_ihdr(data, size, &w, &h, err));
    HM_FORWARD_IF_ERROR(hm__image_check_dims(w, h, opt->max_pixels, err));
    png_ctx *ctx = calloc(1, sizeof *ctx);
    HM_RETURN_IF(!ctx, err, HM_E_NO_MEMORY, "cannot allocate a PNG decoder");
    ctx->data = data;
    ctx->size = size;
    ctx->opt = opt;
    ctx->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    ctx->info = ctx->png ? png_create_info_struct(ctx->png) : NULL;
    hm_status st = ctx->info ? decode_body(ctx, err)
                             : hm__fail(err, HM_E_NO_MEMORY, "cannot allocate a PNG decoder");
    if (st == HM_OK) {
        if (ctx->palette) expand_palette(ctx);
        ctx->img->exif_orientation = exif_orientation(ctx);
    }
    png_destroy_read_struct(ctx->png ? &ctx->png : NULL, ctx->info ? &ctx->info : NULL, NULL);
    *consumed = ctx->pushed;
    if (st == HM_OK)
        *out = ctx->img;
    else
        hm_image_free(ctx->img);
    free(ctx);
    return st;
}

hm_status hm__decode_png(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err)
{
    size_t consumed;
    return hm__decode_png_counted(data, size, opt, out, &consumed, err);
}

int hm__png_is_animated(const uint8_t *data, size_t size)
{
    /* APNG's acTL chunk must come before the first IDAT. */
    size_t pos = 8;
    while (size >= 12 && pos <= size - 12) {
        uint32_t len = hm__load_be32(data + pos);
        const uint8_t *type = data + pos + 4;
        if (!memcmp(type, "acTL", 4)) return 1;
        if (!memcmp(type, "IDAT", 4) || len > size - pos - 12) return 0;
        pos += 12 + (size_t)len;
    }
    return 0;
}
