/* test_video_convert.c - the portable YUV -> RGB24 converter against FFmpeg's
 * own portable C converter, pixel for pixel, on random frames of every format
 * it takes (yuv420p, yuvj420p, yuv422p, yuvj422p, yuva420p) and many sizes;
 * the odd-width rule (the last column, which FFmpeg's C code never writes,
 * equals what that code gives the same column of a frame one pixel wider);
 * and the conversion straight to PDQ's luma against the RGB route.
 *
 * The test owns its process, so it switches FFmpeg's SIMD off for the whole
 * process (av_force_cpu_flags(0)): that is how FFmpeg's C converter is
 * reached on x86-64. The library itself never does this. */
#include <stdlib.h>
#include <string.h>

#include <libavutil/cpu.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

#include "testutil.h"
#include "video/video_internal.h"

typedef struct fmt_case {
    enum AVPixelFormat fmt;
    int full, is422;
    const char *name;
} fmt_case;

static const fmt_case FORMATS[] = {{AV_PIX_FMT_YUV420P, 0, 0, "yuv420p"},
                                   {AV_PIX_FMT_YUVJ420P, 1, 0, "yuvj420p"},
                                   {AV_PIX_FMT_YUV422P, 0, 1, "yuv422p"},
                                   {AV_PIX_FMT_YUVJ422P, 1, 1, "yuvj422p"},
                                   {AV_PIX_FMT_YUVA420P, 0, 0, "yuva420p"}};

static const int SIZES[][2] = {{2, 2},   {1, 2},   {3, 2},   {6, 4},    {8, 2},   {16, 16},
                               {7, 10},  {33, 6},  {64, 48}, {65, 48},  {322, 8}, {321, 240},
                               {720, 4}, {1281, 2}};

static AVFrame *random_frame(tu_rng *r, enum AVPixelFormat fmt, int w, int h)
{
    AVFrame *f = av_frame_alloc();
    f->format = fmt;
    f->width = w;
    f->height = h;
    if (av_frame_get_buffer(f, 0) < 0) abort();
    for (int p = 0; p < 4 && f->data[p]; p++)
        for (int i = 0; i < f->linesize[p] * (p && p < 3 ? (fmt == AV_PIX_FMT_YUV422P || fmt == AV_PIX_FMT_YUVJ422P ? h : (h + 1) / 2) : h); i++)
            f->data[p][i] = (uint8_t)tu_rng_next(r);
    return f;
}

/* The same frame one column wider: luma gets one more column, chroma is the
 * same ((w + 1) / 2 samples either way). */
static AVFrame *wider(const AVFrame *f)
{
    AVFrame *g = av_frame_alloc();
    g->format = f->format;
    g->width = f->width + 1;
    g->height = f->height;
    if (av_frame_get_buffer(g, 0) < 0) abort();
    int ch = f->format == AV_PIX_FMT_YUV422P || f->format == AV_PIX_FMT_YUVJ422P ? f->height : (f->height + 1) / 2;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < (p ? ch : f->height); y++)
            memcpy(g->data[p] + y * g->linesize[p], f->data[p] + y * f->linesize[p],
                   (size_t)(p ? (f->width + 1) / 2 : f->width));
    return g;
}

/* FFmpeg's conversion (C code: SIMD is off) into rgb, rows `stride` apart. */
static void ffmpeg_rgb(const AVFrame *f, uint8_t *rgb, int stride)
{
    struct SwsContext *c = sws_getContext(f->width, f->height, f->format, f->width, f->height,
                                          AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    sws_scale(c, (const uint8_t *const *)f->data, f->linesize, 0, f->height, &rgb, &stride);
    sws_freeContext(c);
}

static hm__yuv_planes planes_of(const AVFrame *f, int is422)
{
    hm__yuv_planes p = {f->data[0], f->data[1], f->data[2], f->linesize[0], f->linesize[1],
                        f->linesize[2], (uint32_t)f->width, (uint32_t)f->height, is422};
    return p;
}

static void test_against_ffmpeg(void)
{
    tu_rng r;
    tu_rng_seed(&r, 4242);
    hm__yuv2rgb_tables tab[2];
    hm__yuv2rgb_tables_init(&tab[0], 0);
    hm__yuv2rgb_tables_init(&tab[1], 1);
    size_t pixels = 0, last_columns = 0, bad = 0;
    for (size_t fi = 0; fi < sizeof FORMATS / sizeof FORMATS[0]; fi++)
        for (size_t si = 0; si < sizeof SIZES / sizeof SIZES[0]; si++) {
            const fmt_case *fc = &FORMATS[fi];
            int w = SIZES[si][0], h = SIZES[si][1], stride = 3 * (w + 1) + 64;
            AVFrame *f = random_frame(&r, fc->fmt, w, h);
            uint8_t *ref = malloc((size_t)stride * h), *ours = malloc((size_t)stride * h);
            memset(ref, 0xa5, (size_t)stride * h);
            ffmpeg_rgb(f, ref, stride);
            hm__yuv_planes p = planes_of(f, fc->is422);
            hm__yuv2rgb_tables_init(&tab[fc->full], fc->full);
            hm__yuv2rgb_rows(&tab[fc->full], &p, 0, (uint32_t)h, ours, (size_t)stride);
            int even = w & ~1;
            for (int y = 0; y < h; y++) {
                if (memcmp(ref + y * stride, ours + y * stride, 3 * (size_t)even)) bad++;
                pixels += (size_t)even;
            }
            if (w & 1) { /* the odd-width rule */
                AVFrame *g = wider(f);
                ffmpeg_rgb(g, ref, stride);
                for (int y = 0; y < h; y++) {
                    if (memcmp(ref + y * stride + 3 * (w - 1), ours + y * stride + 3 * (w - 1), 3)) bad++;
                    last_columns++;
                }
                av_frame_free(&g);
            }
            /* straight to luma: the same floats as luma from these RGB bytes */
            float *luma = malloc((size_t)w * h * sizeof(float));
            hm__yuv2luma_rows(&tab[fc->full], &p, 0, (uint32_t)h, luma);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    const uint8_t *px = ours + y * stride + 3 * x;
                    float want = (0.299f * (float)px[0] + 0.587f * (float)px[1]) + 0.114f * (float)px[2];
                    if (memcmp(&want, &luma[y * w + x], sizeof want)) bad++;
                }
            free(luma);
            free(ref);
            free(ours);
            av_frame_free(&f);
        }
    printf("\n  %zu pixels equal FFmpeg's C converter, %zu odd last columns its wider frame's, "
           "%zu differences ", pixels, last_columns, bad);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(pixels > 400000 && last_columns > 1000);
}

int main(void)
{
    if (!hm_video_supported()) {
        printf("test_video_convert: built without video, skipped\n");
        return 0;
    }
    av_force_cpu_flags(0);
    av_log_set_level(AV_LOG_ERROR); /* swscale warns about yuvj* formats */
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {{"portable converter == FFmpeg's C converter", test_against_ffmpeg},
                                    {NULL, NULL}};
    tu_add_suite("portable conversion", tests);
    return tu_run("test_video_convert");
}
