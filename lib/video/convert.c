/* convert.c - decoded frames to RGB24 and to their PDQ hash.
 *
 * The reference converts every frame with one sws_scale(SWS_AREA) call to
 * RGB24 at the hashing size. Two paths reproduce it here:
 *   - portable (the default mode, for 8-bit 4:2:0/4:2:2 frames at their own
 *     size with an even height: the case where swscale takes its special
 *     converter, whose x86 SIMD and C versions disagree): yuv2rgb.c's
 *     converter, straight to PDQ's float luma row block by row block, so no
 *     RGB frame is ever held;
 *   - libswscale with the reference's parameters (every other case, and
 *     every frame in HM_VPDQ_SWSCALE mode), into a buffer laid out as
 *     av_frame_get_buffer(frame, 0) lays it out, as the reference's is: with
 *     x86's SIMD converter the stride decides the last column of odd widths.
 * A frame whose size or pixel format differs from the previous one (a change
 * in mid-stream, which the reference leaves undefined) gets a new scaler
 * from its own size to the hashing size. */
#include <stdlib.h>

#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "../hash/hash_internal.h"
#include "convert.h"
#include "decode.h"

struct hm__vconv {
    hm_vpdq_mode mode;
    uint32_t tw, th;
    const hm__yuv2rgb_tables *tables; /* [0] limited range, [1] full range */
    float *work;                      /* the PDQ filter's scratch */
    struct SwsContext *sws;
    AVClass sws_class;
    int sw, sh, sfmt; /* what sws was made for */
    AVFrame *rgb;
};

hm_status hm__vconv_new(hm_vpdq_mode mode, uint32_t tw, uint32_t th,
                        const hm__yuv2rgb_tables tables[2], hm__vconv **out, hm_error *err)
{
    *out = NULL;
    hm__vconv *c = calloc(1, sizeof *c);
    HM_RETURN_IF(!c, err, HM_E_NO_MEMORY, "cannot allocate a converter");
    c->mode = mode;
    c->tw = tw;
    c->th = th;
    c->tables = tables;
    c->sfmt = AV_PIX_FMT_NONE;
    size_t wf = hm__pdq_work_floats(tw, th);
    c->work = aligned_alloc(64, (wf * sizeof(float) + 63) & ~(size_t)63);
    if (!c->work) {
        hm__vconv_free(c);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate the scratch of %ux%u frames", tw, th);
    }
    *out = c;
    return HM_OK;
}

void hm__vconv_free(hm__vconv *c)
{
    if (!c) return;
    sws_freeContext(c->sws);
    av_frame_free(&c->rgb);
    free(c->work);
    free(c);
}

/* ---- portable path ---- */

typedef struct portable_src {
    const hm__yuv2rgb_tables *t;
    hm__yuv_planes p;
} portable_src;

static const float *portable_rows(void *ctx, uint32_t y, uint32_t n, float *buf)
{
    portable_src *s = ctx;
    hm__yuv2luma_rows(s->t, &s->p, y, n, buf);
    return buf;
}

/* The frames swscale converts with its special unscaled converter: 8-bit
 * 4:2:0 or 4:2:2 (yuvj*: full range), its own size, an even height. */
static int portable_applies(const hm__vconv *c, const AVFrame *f, int *full, int *is422)
{
    switch (f->format) {
    case AV_PIX_FMT_YUV420P: case AV_PIX_FMT_YUVA420P: *full = 0, *is422 = 0; break;
    case AV_PIX_FMT_YUVJ420P: *full = 1, *is422 = 0; break;
    case AV_PIX_FMT_YUV422P: *full = 0, *is422 = 1; break;
    case AV_PIX_FMT_YUVJ422P: *full = 1, *is422 = 1; break;
    default: return 0;
    }
    return c->mode == HM_VPDQ_PORTABLE && (uint32_t)f->width == c->tw &&
           (uint32_t)f->height == c->th && !(c->th & 1) && f->linesize[0] > 0 &&
           f->linesize[1] > 0 && f->linesize[2] > 0;
}

static void hash_portable(hm__vconv *c, const AVFrame *f, int full, int is422,
                          uint8_t hash[HM_PDQ_BYTES], int *quality)
{
    portable_src s = {&c->tables[full],
                      {f->data[0], f->data[1], f->data[2], f->linesize[0], f->linesize[1],
                       f->linesize[2], c->tw, c->th, is422}};
    hm__pdq_source src = {c->tw, c->th, portable_rows, &s};
    hm__pdq_hash_frame(&src, c->work, hash, quality);
}

/* ---- libswscale path ---- */

/* The yuvj* formats are their yuv* twins at full range: what swscale does
 * with them itself, but without its deprecation warning. */
static enum AVPixelFormat unjpeg(enum AVPixelFormat f, int *full)
{
    *full = 1;
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: *full = 0; return f;
    }
}

static hm_status make_scaler(hm__vconv *c, const AVFrame *f, hm_error *err)
{
    sws_freeContext(c->sws);
    c->sws = NULL;
    c->sfmt = AV_PIX_FMT_NONE;
    int full;
    enum AVPixelFormat src = unjpeg(f->format, &full);
    const char *name = av_get_pix_fmt_name(f->format);
    HM_RETURN_IF(!sws_isSupportedInput(src), err, HM_E_VIDEO_PIXEL_FORMAT,
                 "the decoded pixel format %s cannot be converted", name ? name : "(unknown)");
    c->sws = sws_alloc_context();
    HM_RETURN_IF(!c->sws, err, HM_E_NO_MEMORY, "cannot allocate a scaler");
    /* The scaler's param0 is read only by the Lanczos, Gauss and bicubic
     * filters, never by SWS_AREA: it holds the log offset. */
    hm__av_silence(c->sws, &c->sws_class, "param0");
    int r = 0;
    r |= av_opt_set_int(c->sws, "srcw", f->width, 0);
    r |= av_opt_set_int(c->sws, "srch", f->height, 0);
    r |= av_opt_set_int(c->sws, "src_format", src, 0);
    r |= av_opt_set_int(c->sws, "src_range", full, 0);
    r |= av_opt_set_int(c->sws, "dstw", c->tw, 0);
    r |= av_opt_set_int(c->sws, "dsth", c->th, 0);
    r |= av_opt_set_int(c->sws, "dst_format", AV_PIX_FMT_RGB24, 0);
    r |= av_opt_set_int(c->sws, "sws_flags", SWS_AREA, 0);
    if (r < 0 || sws_init_context(c->sws, NULL, NULL) < 0) {
        sws_freeContext(c->sws);
        c->sws = NULL;
        return hm__fail(err, HM_E_VIDEO_PIXEL_FORMAT, "cannot convert %dx%d %s frames to %ux%u RGB",
                        f->width, f->height, name ? name : "(unknown)", c->tw, c->th);
    }
    c->sw = f->width;
    c->sh = f->height;
    c->sfmt = f->format;
    return HM_OK;
}

static hm_status rgb_buffer(hm__vconv *c, hm_error *err)
{
    if (c->rgb) return HM_OK;
    c->rgb = av_frame_alloc();
    HM_RETURN_IF(!c->rgb, err, HM_E_NO_MEMORY, "cannot allocate an RGB frame");
    c->rgb->width = (int)c->tw;
    c->rgb->height = (int)c->th;
    c->rgb->format = AV_PIX_FMT_RGB24;
    HM_RETURN_IF(av_frame_get_buffer(c->rgb, 0) < 0, err, HM_E_NO_MEMORY,
                 "cannot allocate a %ux%u RGB frame", c->tw, c->th);
    /* Defined bytes where a converter leaves some unwritten. */
    for (uint32_t y = 0; y < c->th; y++)
        memset(c->rgb->data[0] + (size_t)y * (size_t)c->rgb->linesize[0], 0,
               (size_t)c->rgb->linesize[0]);
    return HM_OK;
}

static hm_status hash_swscale(hm__vconv *c, const AVFrame *f, uint8_t hash[HM_PDQ_BYTES],
                              int *quality, hm_error *err)
{
    if (!c->sws || c->sw != f->width || c->sh != f->height || c->sfmt != f->format)
        HM_FORWARD_IF_ERROR(make_scaler(c, f, err));
    HM_FORWARD_IF_ERROR(rgb_buffer(c, err));
    int r = sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
                      c->rgb->data, c->rgb->linesize);
    HM_RETURN_IF(r <= 0, err, HM_E_VIDEO_PIXEL_FORMAT, "the frame conversion failed");
    hm__pdq_rgb_ctx ctx;
    hm__pdq_source src = hm__pdq_rgb_source(&ctx, c->rgb->data[0], (size_t)c->rgb->linesize[0],
                                            c->tw, c->th);
    hm__pdq_hash_frame(&src, c->work, hash, quality);
    return HM_OK;
}

hm_status hm__vconv_hash(hm__vconv *c, const AVFrame *f, uint8_t hash[HM_PDQ_BYTES],
                         int *quality, hm_error *err)
{
    int full, is422;
    if (portable_applies(c, f, &full, &is422)) {
        hash_portable(c, f, full, is422, hash, quality);
        return HM_OK;
    }
    return hash_swscale(c, f, hash, quality, err);
}
