/*
 * jpeg.c - JPEG through libjpeg-turbo, decoded exactly as Pillow and
 * ImageMagick do: the library's defaults (ISLOW IDCT, fancy upsampling), so
 * the pixels equal theirs byte for byte.
 *
 * libjpeg reports fatal errors through error_exit (we longjmp back) and
 * warnings through emit_message: both are routed into hm_error, nothing is
 * ever printed. Warnings that mean corrupt entropy-coded data are
 * HM_E_IMAGE_CORRUPT (strict: the library would otherwise fill the damaged
 * part with grey and carry on).
 *
 * The end of the data: libjpeg's memory source answers a read past the end
 * with a warning and a made-up EOI marker. That is harmless when only the
 * trailer is missing (the EOI marker, or padding after the last scan), and
 * fatal when image data is missing, so the warning only sets eof_hit; the
 * file is then refused as truncated if the Huffman decoder needs a bit that
 * is not there (JWRN_HIT_MARKER, which libjpeg raises before it would stuff
 * zeros), if a restart marker is missing, if arithmetic coding (which stuffs
 * zeros silently) is used, or if a multi-scan file lacks a component or a
 * coefficient bit that its complete version would carry. Otherwise every
 * pixel is exactly what the complete file gives. A single-scan image is
 * done once its last row is read: nothing after the scan is looked at.
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
    int eof_hit;       /* the data ended and libjpeg made up an EOI marker */
    unsigned scanned;  /* bit c: component c appeared in a scan */
    uint8_t *exif;     /* the first APP1 "Exif\0\0" marker's body */
    size_t exif_size;
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
    /* An error after the data ran out comes from the made-up EOI. */
    if (ctx->eof_hit && ctx->status == HM_E_IMAGE_CORRUPT) {
        ctx->status = HM_E_IMAGE_TRUNCATED;
        snprintf(ctx->message, sizeof ctx->message, "Premature end of JPEG file");
    }
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
    jpeg_ctx *ctx = ctx_of(cinfo);
    if (code == JWRN_JPEG_EOF) {
        ctx->eof_hit = 1; /* decided later: see the top of this file */
        return;
    }
    if (!is_corrupt_data_warning(code))
        return; /* harmless: unknown JFIF revision, extraneous bytes, bad ICC,
                 * inconsistent progression... */
    if (ctx->eof_hit) {
        /* a bit, or a restart marker, that the missing data would hold */
        ctx->status = HM_E_IMAGE_TRUNCATED;
        snprintf(ctx->message, sizeof ctx->message, "Premature end of JPEG file");
    } else {
        ctx->status = HM_E_IMAGE_CORRUPT;
        (*cinfo->err->format_message)(cinfo, ctx->message);
    }
    longjmp(ctx->jump, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    jpeg_ctx *ctx = ctx_of(cinfo);
    for (int i = 0; i < d->comps_in_scan && i < MAX_COMPS_IN_SCAN; i++)
        if (d->cur_comp_info[i] && d->cur_comp_info[i]->component_index < 32)
            ctx->scanned |= 1u << d->cur_comp_info[i]->component_index;
    if (d->input_scan_number <= HM_JPEG_MAX_SCANS) return;
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

/* One byte from libjpeg's source (the memory source never suspends). */
static unsigned next_byte(j_decompress_ptr ci)
{
    struct jpeg_source_mgr *src = ci->src;
    if (src->bytes_in_buffer == 0) (void)(*src->fill_input_buffer)(ci);
    src->bytes_in_buffer--;
    return *src->next_input_byte++;
}

/* APP1 markers: the first one that holds EXIF is kept (a copy of at most
 * 64 KiB), every other one is skipped unread, so a file of a million APP1
 * markers costs no memory (jpeg_save_markers would keep them all). */
static boolean read_app1(j_decompress_ptr ci)
{
    jpeg_ctx *ctx = (jpeg_ctx *)ci->client_data;
    long len = (long)(next_byte(ci) << 8);
    len += (long)next_byte(ci) - 2;
    if (len <= 0) return TRUE;
    if (ctx->exif || len < 6) {
        (*ci->src->skip_input_data)(ci, len);
        return TRUE;
    }
    uint8_t *body = malloc((size_t)len);
    if (!body) ERREXIT1(ci, JERR_OUT_OF_MEMORY, 11);
    for (long i = 0; i < len; i++) body[i] = (uint8_t)next_byte(ci);
    if (memcmp(body, "Exif\0\0", 6) == 0) {
        ctx->exif = body;
        ctx->exif_size = (size_t)len;
    } else {
        free(body);
    }
    return TRUE;
}

static unsigned find_exif_orientation(const jpeg_ctx *ctx)
{
    return ctx->exif ? hm__exif_orientation(ctx->exif + 6, ctx->exif_size - 6) : 0;
}

/* After the input of a multi-scan file ran out: whether every component
 * (and, progressive, every coefficient to its last bit) was received, so
 * that the pixels are those of the complete file. */
static int all_scans_received(const jpeg_ctx *ctx)
{
    const struct jpeg_decompress_struct *ci = &ctx->cinfo;
    if (!ci->progressive_mode) {
        unsigned all = ci->num_components >= 32 ? ~0u : (1u << ci->num_components) - 1;
        return (ctx->scanned & all) == all;
    }
    if (!ci->coef_bits) return 0;
    for (int c = 0; c < ci->num_components; c++)
        for (int k = 0; k < DCTSIZE2; k++)
            if (ci->coef_bits[c][k] != 0) return 0;
    return 1;
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
    jpeg_set_marker_processor(&ctx->cinfo, JPEG_APP0 + 1, read_app1);
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
    ctx->img->exif_orientation = find_exif_orientation(ctx);
    if (color == HM_COLOR_CMYK) {
        ctx->cmyk_row = malloc((size_t)ci->output_width * 4);
        HM_RETURN_IF(!ctx->cmyk_row, err, HM_E_NO_MEMORY, "cannot allocate a CMYK row");
    }
    int multi_scan = jpeg_has_multiple_scans(ci);
    jpeg_start_decompress(ci); /* multi-scan: reads every scan */
    HM_RETURN_IF(ci->output_components != (int)(color == HM_COLOR_CMYK ? 4 : channels), err,
                 HM_E_INTERNAL, "jpeg: unexpected number of output components");
    HM_RETURN_IF(ctx->eof_hit && multi_scan && !all_scans_received(ctx), err,
                 HM_E_IMAGE_TRUNCATED, "jpeg: Premature end of JPEG file (scans are missing)");
    read_rows(ctx);
    /* Arithmetic decoding stuffs zeros where data is missing, silently. */
    HM_RETURN_IF(ctx->eof_hit && ci->arith_code, err, HM_E_IMAGE_TRUNCATED,
                 "jpeg: Premature end of JPEG file (arithmetic-coded)");
    /* Every row is complete: the trailer (EOI, or whatever follows the scan)
     * cannot change a pixel and is not read (jpeg_destroy_decompress aborts). */
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
    free(ctx->exif);
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
