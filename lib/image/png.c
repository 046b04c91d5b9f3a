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

typedef struct png_ctx {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t pos;
    int truncated; /* the read callback ran out of data */
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
    (void)png;
    (void)msg; /* warnings (bad ancillary CRC, ...) change nothing we use */
}

static void read_from_memory(png_structp png, png_bytep out, size_t n)
{
    png_ctx *ctx = png_get_io_ptr(png);
    if (n > ctx->size - ctx->pos) {
        ctx->truncated = 1;
        png_error(png, "the data ends early");
    }
    memcpy(out, ctx->data + ctx->pos, n);
    ctx->pos += n;
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

static void configure(png_ctx *ctx)
{
    png_structp png = ctx->png;
    png_set_read_fn(png, ctx, read_from_memory);
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

static void read_pixels(png_ctx *ctx, int passes)
{
    hm_image *img = ctx->img;
    size_t stride = (size_t)img->width * img->channels;
    /* Interlaced passes fill each row in parts: start from a defined row. */
    if (passes > 1) memset(img->pixels, 0, stride * img->height);
    for (int pass = 0; pass < passes; pass++)
        for (uint32_t y = 0; y < img->height; y++)
            png_read_row(ctx->png, img->pixels + y * stride, NULL);
    if (ctx->palette)
        for (uint32_t y = 0; y < img->height; y++)
            expand_palette_row(ctx, img->pixels + y * stride, img->width);
}

static unsigned exif_orientation(png_ctx *ctx)
{
    png_uint_32 n = 0;
    png_bytep exif = NULL;
    if (!(png_get_eXIf_1(ctx->png, ctx->info, &n, &exif) & PNG_INFO_eXIf) || !exif) return 0;
    return hm__exif_orientation(exif, n);
}

/* Everything that may longjmp; ctx lives in the caller's frame. */
static hm_status decode_body(png_ctx *ctx, hm_error *err)
{
    if (setjmp(png_jmpbuf(ctx->png)))
        return hm__fail(err, ctx->truncated ? HM_E_IMAGE_TRUNCATED : HM_E_IMAGE_CORRUPT,
                        "png: %s", ctx->message);
    configure(ctx);
    png_read_info(ctx->png, ctx->info);
    unsigned channels;
    hm_color_model color;
    set_transforms(ctx, &channels, &color);
    int passes = png_set_interlace_handling(ctx->png);
    png_read_update_info(ctx->png, ctx->info);
    uint32_t w = png_get_image_width(ctx->png, ctx->info);
    uint32_t h = png_get_image_height(ctx->png, ctx->info);
    unsigned row_channels = ctx->palette ? 1 : channels;
    HM_RETURN_IF(png_get_channels(ctx->png, ctx->info) != row_channels ||
                     png_get_rowbytes(ctx->png, ctx->info) != (size_t)w * row_channels,
                 err, HM_E_INTERNAL, "png: unexpected row layout after transformations");
    if (ctx->palette) build_palette(ctx);
    HM_FORWARD_IF_ERROR(hm__image_alloc(w, h, channels, ctx->opt->max_pixels, &ctx->img, err));
    ctx->img->format = HM_FORMAT_PNG;
    ctx->img->color = color;
    read_pixels(ctx, passes);
    png_read_end(ctx->png, ctx->info); /* IEND, and an eXIf after the pixels */
    ctx->img->exif_orientation = exif_orientation(ctx);
    return HM_OK;
}

hm_status hm__decode_png(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err)
{
    *out = NULL;
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
    png_destroy_read_struct(ctx->png ? &ctx->png : NULL, ctx->info ? &ctx->info : NULL, NULL);
    if (st == HM_OK)
        *out = ctx->img;
    else
        hm_image_free(ctx->img);
    free(ctx);
    return st;
}
