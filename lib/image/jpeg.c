/*
 * jpeg.c - JPEG through libjpeg-turbo, decoded exactly as Pillow and
 * ImageMagick do: the library's defaults (ISLOW IDCT, fancy upsampling), so
 * the pixels equal theirs byte for byte.
 *
 * libjpeg reports fatal errors through error_exit (we longjmp back) and
 * warnings through emit_message: both are routed into hm_error, nothing is
 * ever printed. A premature end of data is HM_E_IMAGE_TRUNCATED; warnings
 * that mean corrupt entropy-coded data are HM_E_IMAGE_CORRUPT (strict: the
 * library would otherwise fill the damaged part with grey and carry on).
 */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#include "image.h"

/* A legitimate progressive file has about 10 scans; hostile ones repeat
 * scans by the thousand to make decoding take minutes (djpeg -maxscans). */
#define HM_JPEG_MAX_SCANS 500

/* Rows handed to jpeg_read_scanlines per call (it returns at most
 * rec_outbuf_height, <= 4, but asking for more costs nothing). */
#define HM_JPEG_ROW_BATCH 16

typedef struct jpeg_ctx {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    hm_status status;
    int code; /* libjpeg's message code of the failure */
    char message[JMSG_LENGTH_MAX];
    const hm_decode_options *opt;
    hm_image *img;
    uint8_t *cmyk_row; /* one row of 4-channel samples, CMYK sources only */
} jpeg_ctx;

static jpeg_ctx *ctx_of(j_common_ptr cinfo) { return (jpeg_ctx *)cinfo->client_data; }

static hm_status status_of_error(int code, const struct jpeg_decompress_struct *cinfo,
                                 uint64_t max_pixels)
{
    switch (code) {
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_ARITH_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOTIMPL:
        return HM_E_IMAGE_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return HM_E_NO_MEMORY;
    case JERR_EMPTY_IMAGE:
    case JERR_WIDTH_OVERFLOW:
        return HM_E_IMAGE_DIMENSIONS;
    case JERR_IMAGE_TOO_BIG: {
        /* A side over 65500: too many pixels unless the other side is tiny. */
        uint64_t n = (uint64_t)cinfo->image_width * cinfo->image_height;
        return n > (max_pixels ? max_pixels : HM_DEFAULT_MAX_PIXELS) ? HM_E_IMAGE_TOO_LARGE
                                                                     : HM_E_IMAGE_DIMENSIONS;
    }
    default:
        return HM_E_IMAGE_CORRUPT;
    }
}

static void on_error_exit(j_common_ptr cinfo)
{
    jpeg_ctx *ctx = ctx_of(cinfo);
    (*cinfo->err->format_message)(cinfo, ctx->message);
    ctx->code = cinfo->err->msg_code;
    ctx->status = status_of_error(cinfo->err->msg_code, &ctx->cinfo,
                                  ctx->opt ? ctx->opt->max_pixels : 0);
    longjmp(ctx->jump, 1);
}

/* Warnings that mean the entropy-coded data is damaged: libjpeg would go on
 * and paint the rest of the image grey. (An inconsistent progression or odd
 * SOS parameters are only warned about: libjpeg decodes those files right,
 * and the scan limit bounds the work they can cause.) */
static int is_corrupt_data_warning(int code)
{
    switch (code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
#if defined(D_ARITH_CODING_SUPPORTED)
    case JWRN_ARITH_BAD_CODE:
#endif
        return 1;
    default:
        return 0;
    }
}

static void on_emit_message(j_common_ptr cinfo, int level)
{
    if (level >= 0) return; /* trace messages */
    int code = cinfo->err->msg_code;
    hm_status st;
    if (code == JWRN_JPEG_EOF)
        st = HM_E_IMAGE_TRUNCATED;
    else if (is_corrupt_data_warning(code))
        st = HM_E_IMAGE_CORRUPT;
    else
        return; /* harmless: unknown JFIF revision, extraneous bytes, bad ICC,
                 * inconsistent progression... */
    jpeg_ctx *ctx = ctx_of(cinfo);
    (*cinfo->err->format_message)(cinfo, ctx->message);
    ctx->status = st;
    longjmp(ctx->jump, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number <= HM_JPEG_MAX_SCANS) return;
    jpeg_ctx *ctx = ctx_of(cinfo);
    snprintf(ctx->message, sizeof ctx->message, "more than %d scans", HM_JPEG_MAX_SCANS);
    ctx->status = HM_E_IMAGE_CORRUPT;
    longjmp(ctx->jump, 1);
}

/* Creates the decompressor reading from memory. Must run after setjmp. */
static void jpeg_setup(jpeg_ctx *ctx, const uint8_t *data, size_t size)
{
    ctx->cinfo.err = jpeg_std_error(&ctx->jerr);
    ctx->jerr.error_exit = on_error_exit;
    ctx->jerr.emit_message = on_emit_message;
    ctx->jerr.output_message = on_output_message;
    ctx->cinfo.client_data = ctx;
    jpeg_create_decompress(&ctx->cinfo);
    ctx->progress.progress_monitor = on_progress;
    ctx->cinfo.progress = &ctx->progress;
    /* jpeg_mem_src takes an unsigned long size: refuse what does not fit. */
    if ((unsigned long)size != size) ERREXIT(&ctx->cinfo, JERR_INPUT_EOF);
    jpeg_mem_src(&ctx->cinfo, data, (unsigned long)size);
}

static unsigned find_exif_orientation(const struct jpeg_decompress_struct *cinfo)
{
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 6) continue;
        if (memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        return hm__exif_orientation(m->data + 6, m->data_length - 6);
    }
    return 0;
}

/* Pillow's cmyk2rgb: MULDIV255 is a rounded a*b/255 without a division. */
static inline uint8_t cmyk_channel(unsigned c, unsigned nk)
{
    unsigned t = c * nk + 128;
    unsigned m = ((t >> 8) + t) >> 8;
    return (uint8_t)(nk - m); /* m <= nk, no clipping needed */
}

/* Converts one row of CMYK samples to RGB the way Pillow does for JPEG: it
 * reads every 4-channel JPEG with the "CMYK;I" raw mode (Adobe polarity, all
 * four channels inverted; Pillow applies it whether or not the file has an
 * Adobe marker), then cmyk2rgb. */
static void cmyk_row_to_rgb(const uint8_t *in, uint8_t *out, uint32_t width)
{
    for (uint32_t x = 0; x < width; x++, in += 4, out += 3) {
        unsigned nk = in[3]; /* 255 - (255 - K) */
        out[0] = cmyk_channel(255u - in[0], nk);
        out[1] = cmyk_channel(255u - in[1], nk);
        out[2] = cmyk_channel(255u - in[2], nk);
    }
}

static void choose_output(jpeg_ctx *ctx, unsigned *channels, hm_color_model *color)
{
    switch (ctx->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        ctx->cinfo.out_color_space = JCS_GRAYSCALE;
        *channels = 1;
        *color = HM_COLOR_GRAY;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        ctx->cinfo.out_color_space = JCS_CMYK;
        *channels = 3;
        *color = HM_COLOR_CMYK;
        break;
    default: /* YCbCr, RGB; anything else makes libjpeg refuse the conversion */
        ctx->cinfo.out_color_space = JCS_RGB;
        *channels = 3;
        *color = HM_COLOR_RGB;
        break;
    }
}

static void read_rows(jpeg_ctx *ctx)
{
    struct jpeg_decompress_struct *ci = &ctx->cinfo;
    hm_image *img = ctx->img;
    size_t stride = (size_t)img->width * img->channels;
    JSAMPROW rows[HM_JPEG_ROW_BATCH];
    while (ci->output_scanline < ci->output_height) {
        JDIMENSION y = ci->output_scanline;
        if (ctx->cmyk_row) {
            rows[0] = ctx->cmyk_row;
            if (jpeg_read_scanlines(ci, rows, 1) != 1) ERREXIT(ci, JERR_INPUT_EOF);
            cmyk_row_to_rgb(ctx->cmyk_row, img->pixels + y * stride, img->width);
            continue;
        }
        JDIMENSION n = ci->output_height - y;
        if (n > HM_JPEG_ROW_BATCH) n = HM_JPEG_ROW_BATCH;
        for (JDIMENSION i = 0; i < n; i++) rows[i] = img->pixels + (y + i) * stride;
        if (jpeg_read_scanlines(ci, rows, n) == 0) ERREXIT(ci, JERR_INPUT_EOF);
    }
}

/* Everything that may longjmp. ctx lives in the caller's frame, so nothing
 * this function modifies after setjmp is a local of it. */
static hm_status decode_body(jpeg_ctx *ctx, const uint8_t *data, size_t size, hm_error *err)
{
    if (setjmp(ctx->jump)) return hm__fail(err, ctx->status, "jpeg: %s", ctx->message);
    jpeg_setup(ctx, data, size);
    jpeg_save_markers(&ctx->cinfo, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(&ctx->cinfo, TRUE);
    struct jpeg_decompress_struct *ci = &ctx->cinfo;
    HM_FORWARD_IF_ERROR(
        hm__image_check_dims(ci->image_width, ci->image_height, ctx->opt->max_pixels, err));
    unsigned channels;
    hm_color_model color;
    choose_output(ctx, &channels, &color);
    jpeg_calc_output_dimensions(ci);
    HM_FORWARD_IF_ERROR(hm__image_alloc(ci->output_width, ci->output_height, channels,
                                        ctx->opt->max_pixels, &ctx->img, err));
    ctx->img->format = HM_FORMAT_JPEG;
    ctx->img->color = color;
    ctx->img->exif_orientation = find_exif_orientation(ci);
    if (color == HM_COLOR_CMYK) {
        ctx->cmyk_row = malloc((size_t)ci->output_width * 4);
        HM_RETURN_IF(!ctx->cmyk_row, err, HM_E_NO_MEMORY, "cannot allocate a CMYK row");
    }
    jpeg_start_decompress(ci);
    HM_RETURN_IF(ci->output_components != (int)(color == HM_COLOR_CMYK ? 4 : channels), err,
                 HM_E_INTERNAL, "jpeg: unexpected number of output components");
    read_rows(ctx);
    jpeg_finish_decompress(ci);
    return HM_OK;
}

hm_status hm__decode_jpeg(const uint8_t *data, size_t size, const hm_decode_options *opt,
                          hm_image **out, hm_error *err)
{
    *out = NULL;
    jpeg_ctx *ctx = calloc(1, sizeof *ctx);
    HM_RETURN_IF(!ctx, err, HM_E_NO_MEMORY, "cannot allocate a JPEG decoder");
    ctx->opt = opt;
    hm_status st = decode_body(ctx, data, size, err);
    jpeg_destroy_decompress(&ctx->cinfo);
    free(ctx->cmyk_row);
    if (st == HM_OK)
        *out = ctx->img;
    else
        hm_image_free(ctx->img);
    free(ctx);
    return st;
}

static hm_status probe_body(jpeg_ctx *ctx, const uint8_t *data, size_t size, uint32_t *width,
                            uint32_t *height, hm_error *err)
{
    if (setjmp(ctx->jump)) {
        /* libjpeg refuses sides over 65500 after reading them: still report them. */
        if (ctx->code == JERR_IMAGE_TOO_BIG) {
            *width = ctx->cinfo.image_width;
            *height = ctx->cinfo.image_height;
            return HM_OK;
        }
        return hm__fail(err, ctx->status, "jpeg: %s", ctx->message);
    }
    jpeg_setup(ctx, data, size);
    jpeg_read_header(&ctx->cinfo, TRUE);
    *width = ctx->cinfo.image_width;
    *height = ctx->cinfo.image_height;
    return HM_OK;
}

hm_status hm__probe_jpeg(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         hm_error *err)
{
    jpeg_ctx *ctx = calloc(1, sizeof *ctx);
    HM_RETURN_IF(!ctx, err, HM_E_NO_MEMORY, "cannot allocate a JPEG decoder");
    hm_status st = probe_body(ctx, data, size, width, height, err);
    jpeg_destroy_decompress(&ctx->cinfo);
    free(ctx);
    return st;
}
