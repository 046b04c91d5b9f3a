/* bench_video.c - `hashmatch bench video`: frames per second of decoding,
 * converting and hashing a video with vPDQ, against a bare FFmpeg decode of
 * the same bytes measured in the same run. The cost of vPDQ reads as the
 * time it adds to the decode that any client pays anyway. Every figure is
 * the median of --repeat runs; a checksum of the hashes keeps the work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cli.h"
#include "keyfile.h"

#if defined(HM_WITH_VIDEO)
#include <libswscale/swscale.h>

#include "hash/hash_internal.h"
#include "video/convert.h"
#include "video/decode.h"

#define MAX_REPEAT 51
#define MAX_FRAMES 600 /* decoded frames kept in memory for the stage timings */

static const char HELP[] =
    "usage: hashmatch bench video [--json] [--repeat N] [--cpu-time] [FILE]\n"
    "\n"
    "Times vPDQ on FILE (default: Meta's doorknob-hd-no-bar.mp4, 1280x720, from\n"
    "../shared/vectors when present, else a clip of tests/data), median of N runs,\n"
    "against a bare decode of the same bytes in the same run, one thread:\n"
    "  decode           FFmpeg's demuxing and decoding of every frame, alone\n"
    "  convert          the portable conversion of every frame to PDQ's float luma\n"
    "                   (from decoded frames in memory; libswscale and the luma\n"
    "                   kernel where it does not apply)\n"
    "  pdq              the PDQ hash of every frame's luma plane\n"
    "  convert_pdq      both, streamed as vPDQ runs them (from decoded frames)\n"
    "  vpdq             hm_video_hash_buffer: decode + convert + PDQ, portable mode\n"
    "  vpdq_swscale     the same in libswscale mode\n"
    "  vpdq_s128        the same, frames scaled to 128x128 (-s 128)\n"
    "  vpdq_1s          portable mode, one frame per second hashed (-r 1)\n"
    "  vpdq_2_threads   portable mode, 2 hashing threads (wall-clock time)\n"
    "and the overhead of vpdq over decode (target: at most 0.30) and the speed-up\n"
    "of 2 threads.\n"
    "\n"
    "  --json          one JSON object (seconds per run and frames per second)\n"
    "  --repeat N      runs, 1..51 (default 5)\n"
    "  --cpu-time      single-thread rows in the thread's CPU time (steadier on a\n"
    "                  busy machine); the 2-thread row is always wall-clock\n";

enum { R_DECODE, R_CONVERT, R_PDQ, R_CONVERT_PDQ, R_VPDQ, R_SWSCALE, R_S128, R_1S, R_THREADS,
       R_COUNT };
static const char *const KEYS[R_COUNT] = {"decode",       "convert",     "pdq",
                                          "convert_pdq",  "vpdq",        "vpdq_swscale",
                                          "vpdq_s128",    "vpdq_1s",     "vpdq_2_threads"};

static clockid_t g_clock = CLOCK_MONOTONIC;

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

typedef struct frames {
    AVFrame *f[MAX_FRAMES];
    size_t n, total;
    uint32_t w, h;
} frames;

/* Decodes every frame; keeps up to MAX_FRAMES of them when `keep`. */
static int decode_all(const uint8_t *data, size_t size, frames *keep, size_t *count)
{
    hm__vinput in = {.data = data, .size = size, .fd = -1, .end = size};
    hm_video_limits lim = {HM_DEFAULT_VIDEO_MAX_PIXELS, HM_DEFAULT_VIDEO_MAX_FRAMES,
                           HM_DEFAULT_VIDEO_MAX_SECONDS, HM_DEFAULT_VIDEO_MAX_DECODED_BYTES};
    hm_video *v = hm_video_from_frames(NULL, 0, &v, NULL) == HM_OK ? v : NULL;
    hm__vdec *d;
    hm__vstream s;
    hm_error e;
    if (!v || hm__vdec_open(&in, &lim, 1, &d, &s, v, &e) != HM_OK) {
        cli_error("bench video: %s", v ? e.message : "out of memory");
        hm_video_free(v);
        return -1;
    }
    AVFrame *f;
    *count = 0;
    int rc = 0;
    while ((rc = hm__vdec_next(d, &f, v, &e) != HM_OK ? -1 : 0) == 0 && f) {
        if (keep && keep->n < MAX_FRAMES) keep->f[keep->n++] = av_frame_clone(f);
        (*count)++;
    }
    if (keep) keep->w = s.width, keep->h = s.height, keep->total = *count;
    hm__vdec_close(d);
    hm_video_free(v);
    return rc;
}

static uint64_t fold(uint64_t sum, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) sum = (sum ^ b[i]) * 0x100000001b3ull;
    return sum;
}

/* Conversion alone (to PDQ's float luma, as vPDQ streams it), then PDQ
 * alone from that luma plane, over the kept frames. */
static void time_stages(const frames *fr, double *t_conv, double *t_pdq, uint64_t *sum)
{
    hm__yuv2rgb_tables tab;
    hm__yuv2rgb_tables_init(&tab, 0);
    size_t stride = (size_t)fr->w * 3;
    uint8_t *rgb = malloc(stride * fr->h);
    float *luma = malloc((size_t)fr->w * fr->h * sizeof(float));
    float *work = malloc(hm__pdq_work_floats(fr->w, fr->h) * sizeof(float));
    struct SwsContext *sws = NULL;
    *t_conv = *t_pdq = 0;
    for (size_t i = 0; rgb && luma && work && i < fr->n; i++) {
        const AVFrame *f = fr->f[i];
        double t0 = now(g_clock);
        if (f->format == AV_PIX_FMT_YUV420P && (uint32_t)f->width == fr->w && !(fr->h & 1)) {
            hm__yuv_planes p = {f->data[0], f->data[1], f->data[2], f->linesize[0], f->linesize[1],
                                f->linesize[2], fr->w, fr->h, 0};
            hm__yuv2luma_rows(&tab, &p, 0, fr->h, luma);
        } else {
            sws = sws_getCachedContext(sws, f->width, f->height, f->format, (int)fr->w, (int)fr->h,
                                       AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
            int ls = (int)stride;
            if (sws) sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, &rgb, &ls);
            for (uint32_t y = 0; y < fr->h; y++)
                hm__luma_rgb_row(rgb + y * stride, fr->w, luma + (size_t)y * fr->w);
        }
        double t1 = now(g_clock);
        hm__pdq_plane pc;
        hm__pdq_source src = hm__pdq_plane_source(&pc, luma, fr->w, fr->h);
        uint8_t hash[HM_PDQ_BYTES];
        int q;
        hm__pdq_hash_frame(&src, work, hash, &q);
        *t_pdq += now(g_clock) - t1;
        *t_conv += t1 - t0;
        *sum = fold(*sum, hash, sizeof hash);
    }
    sws_freeContext(sws);
    free(rgb);
    free(luma);
    free(work);
}

static double time_convert_pdq(const frames *fr, uint64_t *sum)
{
    hm__yuv2rgb_tables tab[2];
    hm__yuv2rgb_tables_init(&tab[0], 0);
    hm__yuv2rgb_tables_init(&tab[1], 1);
    hm__vconv *c;
    if (hm__vconv_new(HM_VPDQ_PORTABLE, fr->w, fr->h, tab, &c, NULL) != HM_OK) return -1;
    double t0 = now(g_clock);
    for (size_t i = 0; i < fr->n; i++) {
        uint8_t hash[HM_PDQ_BYTES];
        int q;
        if (hm__vconv_hash(c, fr->f[i], hash, &q, NULL) == HM_OK) *sum = fold(*sum, hash, sizeof hash);
    }
    double t = now(g_clock) - t0;
    hm__vconv_free(c);
    return t;
}

static double time_vpdq(const uint8_t *data, size_t size, hm_vpdq_mode mode, unsigned vsize,
                        unsigned threads, double seconds, uint64_t *sum)
{
    hm_video_options o = {0};
    o.seconds_per_hash = seconds;
    o.mode = mode;
    o.size = vsize;
    o.threads = threads;
    clockid_t c = threads > 1 ? CLOCK_MONOTONIC : g_clock;
    hm_video *v;
    double t0 = now(c);
    hm_status st = hm_video_hash_buffer(data, size, &o, &v, NULL);
    double t = now(c) - t0;
    if (st != HM_OK) return -1;
    for (size_t i = 0; i < hm_video_frame_count(v); i++)
        *sum = fold(*sum, hm_video_frame(v, i)->hash, HM_PDQ_BYTES);
    hm_video_free(v);
    return t;
}

static const char *default_video(char *buf, size_t n)
{
    snprintf(buf, n, "%s/vpdq/videos/doorknob-hd-no-bar.mp4", HM_BENCH_VECTORS_DIR);
    FILE *f = fopen(buf, "rb");
    if (f) {
        fclose(f);
        return buf;
    }
    snprintf(buf, n, "%s/video/h264-yuv420p-64x48.mp4", HM_BENCH_SAMPLES_DIR);
    return buf;
}

int bench_video(int argc, char **argv)
{
    enum { O_JSON = 256, O_REPEAT, O_CPU };
    static const struct option LONG[] = {{"json", no_argument, NULL, O_JSON},
                                         {"repeat", required_argument, NULL, O_REPEAT},
                                         {"cpu-time", no_argument, NULL, O_CPU},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c, repeat = 5;
    uint64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (c) {
        case O_JSON: json = 1; break;
        case O_REPEAT:
            if (cli_parse_u64(optarg, 1, MAX_REPEAT, &v))
                return cli_usage_error("bench video", "--repeat takes 1..%d", MAX_REPEAT);
            repeat = (int)v;
            break;
        case O_CPU: g_clock = CLOCK_THREAD_CPUTIME_ID; break;
        case 'h': fputs(HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("bench video", "invalid option");
        }
    }
    char buf[4096];
    const char *path = optind < argc ? argv[optind] : default_video(buf, sizeof buf);
    uint8_t *data;
    size_t size, count = 0;
    if (cli_read_all(path, &data, &size)) {
        cli_error("bench video: cannot read %s", path);
        return CLI_EXIT_ERROR;
    }
    frames fr;
    memset(&fr, 0, sizeof fr);
    if (decode_all(data, size, &fr, &count) || !count) {
        free(data);
        return CLI_EXIT_ERROR;
    }
    double t[R_COUNT][MAX_REPEAT];
    uint64_t sum = 0xcbf29ce484222325ull;
    for (int r = 0; r < repeat; r++) {
        double t0 = now(g_clock);
        decode_all(data, size, NULL, &count);
        t[R_DECODE][r] = now(g_clock) - t0;
        time_stages(&fr, &t[R_CONVERT][r], &t[R_PDQ][r], &sum);
        t[R_CONVERT_PDQ][r] = time_convert_pdq(&fr, &sum);
        t[R_VPDQ][r] = time_vpdq(data, size, HM_VPDQ_PORTABLE, 0, 1, 0, &sum);
        t[R_SWSCALE][r] = time_vpdq(data, size, HM_VPDQ_SWSCALE, 0, 1, 0, &sum);
        t[R_S128][r] = time_vpdq(data, size, HM_VPDQ_PORTABLE, 128, 1, 0, &sum);
        t[R_1S][r] = time_vpdq(data, size, HM_VPDQ_PORTABLE, 0, 1, 1, &sum);
        t[R_THREADS][r] = time_vpdq(data, size, HM_VPDQ_PORTABLE, 0, 2, 0, &sum);
    }
    double m[R_COUNT];
    for (int k = 0; k < R_COUNT; k++) m[k] = median(t[k], repeat);
    /* the stage rows ran over the kept frames only */
    double scale = (double)fr.n / (double)count;
    if (json) {
        printf("{\"video\": \"%s\", \"width\": %u, \"height\": %u, \"frames\": %zu, \"repeat\": %d, "
               "\"clock\": \"%s\", \"seconds\": {", path, fr.w, fr.h, count, repeat,
               g_clock == CLOCK_MONOTONIC ? "wall" : "thread-cpu");
        for (int k = 0; k < R_COUNT; k++) printf("%s\"%s\": %.6f", k ? ", " : "", KEYS[k], m[k]);
        printf("}, \"fps\": {");
        for (int k = 0; k < R_COUNT; k++)
            printf("%s\"%s\": %.1f", k ? ", " : "", KEYS[k],
                   (k >= R_CONVERT && k <= R_CONVERT_PDQ ? fr.n : count) / m[k]);
        printf("}, \"vpdq_overhead_over_decode\": %.3f, \"convert_pdq_over_decode\": %.3f, "
               "\"vpdq_1s_overhead_over_decode\": %.3f, \"thread_speedup_2\": %.2f, "
               "\"checksum\": \"%016llx\"}\n",
               m[R_VPDQ] / m[R_DECODE] - 1, m[R_CONVERT_PDQ] / scale / m[R_DECODE],
               m[R_1S] / m[R_DECODE] - 1, m[R_VPDQ] / m[R_THREADS], (unsigned long long)sum);
    } else {
        printf("%s: %ux%u, %zu frames, median of %d (%s clock)\n", path, fr.w, fr.h, count, repeat,
               g_clock == CLOCK_MONOTONIC ? "wall" : "thread CPU");
        for (int k = 0; k < R_COUNT; k++) {
            size_t n = k >= R_CONVERT && k <= R_CONVERT_PDQ ? fr.n : count;
            printf("  %-16s %9.3f ms/frame %9.1f frames/s\n", KEYS[k], m[k] * 1e3 / (double)n,
                   (double)n / m[k]);
        }
        printf("  vPDQ over bare decode: +%.1f %% every frame (target <= 30 %%), +%.1f %% at one "
               "frame per second; 2 threads: %.2fx\n", (m[R_VPDQ] / m[R_DECODE] - 1) * 100,
               (m[R_1S] / m[R_DECODE] - 1) * 100, m[R_VPDQ] / m[R_THREADS]);
    }
    for (size_t i = 0; i < fr.n; i++) av_frame_free(&fr.f[i]);
    free(data);
    return CLI_EXIT_OK;
}

#else

int bench_video(int argc, char **argv)
{
    (void)argc, (void)argv;
    cli_error("bench video: this build decodes no video (HM_WITH_VIDEO=OFF)");
    return CLI_EXIT_ERROR;
}

#endif
