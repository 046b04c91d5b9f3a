/* test_video.c - decoding and hashing video (needs FFmpeg; the reference
 * vectors are test_video_vectors.c): the clips of tests/data/video in every
 * accepted container and codec, threads, buffers and files, sampling and
 * scaling, hostile input (truncated, corrupt, huge, endless, refused
 * containers and codecs), the silence of FFmpeg's messages, and scanning
 * video files. */
#define _DEFAULT_SOURCE /* mkfifo, mkdtemp */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "set_fixture.h"
#include "video/decode.h"

static void must(hm_status st, const char *what)
{
    if (st != HM_OK) {
        fprintf(stderr, "%s failed: %s\n", what, hm_status_name(st));
        abort();
    }
}

static char *clip(const char *name) { return tu_path(tu_data_dir(), name); }

typedef struct clip_info {
    const char *file, *codec;
    size_t frames;
    double fps;
    int general; /* converted by libswscale's general scaler in both modes */
} clip_info;

static const clip_info CLIPS[] = {
    {"video/h264-yuv420p-64x48.mp4", "h264", 10, 10, 0},
    {"video/h264-yuvj420p-64x48.mp4", "h264", 10, 10, 0},
    {"video/h264-yuv422p-64x48.mkv", "h264", 10, 10, 0},
    {"video/h264-yuv444p-64x48.mp4", "h264", 10, 10, 1},
    {"video/hevc-yuv420p10-64x48.mkv", "hevc", 10, 10, 1},
    {"video/vp8-64x48.webm", "vp8", 10, 10, 0},
    {"video/av1-64x48.mp4", "libdav1d", 10, 10, 0},
    {"video/mpeg4-64x48.avi", "mpeg4", 10, 10, 0},
    {"video/h264-64x48.ts", "h264", 10, 10, 0},
    {"video/vp9-odd-65x47.webm", "vp9", 10, 10, 1},
    {"video/gif-32x24.gif", "gif", 5, 5, 1},
};
#define NCLIPS (sizeof CLIPS / sizeof CLIPS[0])

static hm_video *hash_clip(const char *name, const hm_video_options *o)
{
    char *p = clip(name);
    hm_video *v;
    hm_error e;
    hm_status st = hm_video_hash_file(p, o, &v, &e);
    if (st) fprintf(stderr, "\n  %s: %s: %s\n", name, hm_status_name(st), e.message);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    free(p);
    return v;
}

static int same_frames(const hm_video *a, const hm_video *b)
{
    if (hm_video_frame_count(a) != hm_video_frame_count(b)) return 0;
    for (size_t i = 0; i < hm_video_frame_count(a); i++)
        if (memcmp(hm_video_frame(a, i), hm_video_frame(b, i), sizeof(hm_vpdq_frame))) return 0;
    return 1;
}

/* ---- FFmpeg's messages ---- */

/* The test owns its process, so it may install a log callback (the library
 * never does): it records every message the default callback would print,
 * by the class of the context that logged it. */
static size_t LOUD_OURS, LOUD_OTHER;

static void log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    (void)vl;
    if (level < 0 || (level & 0xff) > AV_LOG_INFO) return;
    const AVClass *c = avcl ? *(const AVClass **)avcl : NULL;
    const char *name = c ? c->class_name : "(none)";
    /* The contexts the library silences: its format, codec and scaler ones. */
    if (!strcmp(name, "AVFormatContext") || !strcmp(name, "AVCodecContext") ||
        !strcmp(name, "SWScaler")) {
        LOUD_OURS++;
        fprintf(stderr, "\n  LOUD %s: %s", name, fmt);
    } else {
        LOUD_OTHER++;
    }
}

/* ---- clips ---- */

static void test_clips(void)
{
    for (size_t i = 0; i < NCLIPS; i++) {
        hm_video_options o = {0};
        o.digests = HM_MASK_DIGESTS;
        hm_video *v = hash_clip(CLIPS[i].file, &o);
        const hm_video_info *info = hm_video_get_info(v);
        CU_ASSERT_EQUAL(hm_video_frame_count(v), CLIPS[i].frames);
        CU_ASSERT_EQUAL(info->frames_decoded, CLIPS[i].frames);
        CU_ASSERT_STRING_EQUAL(info->codec, CLIPS[i].codec);
        CU_ASSERT_DOUBLE_EQUAL(info->fps, CLIPS[i].fps, 1e-9);
        CU_ASSERT_EQUAL(info->digests, HM_MASK_DIGESTS);
        for (size_t k = 0; k < hm_video_frame_count(v); k++) {
            const hm_vpdq_frame *f = hm_video_frame(v, k);
            CU_ASSERT_EQUAL(f->frame, k);
            CU_ASSERT_EQUAL(f->timestamp, (double)((float)k / (float)CLIPS[i].fps));
            CU_ASSERT(f->quality >= 0 && f->quality <= 100);
        }
        /* the same bytes from memory, and their digests as hm_hash_buffer's */
        char *p = clip(CLIPS[i].file);
        size_t size;
        uint8_t *data = tu_read(p, &size);
        hm_video *m;
        must(hm_video_hash_buffer(data, size, &o, &m, NULL), "buffer");
        CU_ASSERT(same_frames(v, m));
        hm_hashes h;
        hm_hash_options ho = {.algos = HM_MASK_DIGESTS};
        must(hm_hash_buffer(data, size, &ho, &h, NULL), "digests");
        CU_ASSERT(!memcmp(info->md5, h.md5, 16) && !memcmp(info->sha1, h.sha1, 20) &&
                  !memcmp(info->sha256, h.sha256, 32));
        free(data);
        free(p);
        hm_video_free(m);
        hm_video_free(v);
    }
}

/* Threads, modes, sampling and scaling. */
static void test_options(void)
{
    for (size_t i = 0; i < NCLIPS; i++) {
        for (int mode = 0; mode < 2; mode++) {
            hm_video_options o = {0}, t = {0};
            o.mode = t.mode = (hm_vpdq_mode)mode;
            t.threads = 3;
            hm_video *a = hash_clip(CLIPS[i].file, &o), *b = hash_clip(CLIPS[i].file, &t);
            CU_ASSERT(same_frames(a, b)); /* threads never change a hash */
            if (mode == 0 && CLIPS[i].general) {
                /* the general scaler is the same code in both modes */
                hm_video_options s = {0};
                s.mode = HM_VPDQ_SWSCALE;
                hm_video *c = hash_clip(CLIPS[i].file, &s);
                CU_ASSERT(same_frames(a, c));
                hm_video_free(c);
            }
            hm_video_free(a);
            hm_video_free(b);
        }
    }
    /* -r 0.25 at 10 fps: (int)((double)0.25f * 10) = 2, frames 0, 2, 4, ... */
    hm_video_options o = {0};
    o.seconds_per_hash = 0.25;
    hm_video *v = hash_clip("video/h264-yuv420p-64x48.mp4", &o);
    CU_ASSERT_EQUAL(hm_video_frame_count(v), 5);
    CU_ASSERT_EQUAL(hm_video_frame(v, 4)->frame, 8);
    hm_video_free(v);
    /* -r 0.7 at 10 fps: 0.7f is 0.69999998..., the step is 6, not 7 */
    o.seconds_per_hash = 0.7;
    v = hash_clip("video/h264-yuv420p-64x48.mp4", &o);
    CU_ASSERT_EQUAL(hm_video_frame_count(v), 2);
    CU_ASSERT_EQUAL(hm_video_frame(v, 1)->frame, 6);
    hm_video_free(v);
    o.seconds_per_hash = 0;
    o.size = 32;
    v = hash_clip("video/h264-yuv420p-64x48.mp4", &o);
    CU_ASSERT_EQUAL(hm_video_get_info(v)->hash_width, 32);
    CU_ASSERT_EQUAL(hm_video_get_info(v)->hash_height, 32);
    hm_video_free(v);
    hm_video_options bad = {0};
    hm_video *none = NULL;
    hm_error e;
    char *p = clip("video/h264-yuv420p-64x48.mp4");
    bad.size = 4;
    CU_ASSERT_EQUAL(hm_video_hash_file(p, &bad, &none, &e), HM_E_INVALID_ARGUMENT);
    bad.size = 0;
    bad.seconds_per_hash = -1;
    CU_ASSERT_EQUAL(hm_video_hash_file(p, &bad, &none, &e), HM_E_INVALID_ARGUMENT);
    bad.seconds_per_hash = 0;
    bad.mode = (hm_vpdq_mode)7;
    CU_ASSERT_EQUAL(hm_video_hash_file(p, &bad, &none, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(none);
    free(p);
}

/* ---- hostile input ---- */

static hm_status try_buffer(const uint8_t *d, size_t n, const hm_video_options *o, hm_error *e)
{
    hm_video *v = NULL;
    hm_status st = hm_video_hash_buffer(d, n, o, &v, e);
    CU_ASSERT_EQUAL(st, e->status);
    CU_ASSERT((st == HM_OK) == (v != NULL));
    if (st != HM_OK) CU_ASSERT(e->message[0] != '\0');
    hm_video_free(v);
    return st;
}

static void expect(const char *name, const hm_video_options *o, hm_status want, const char *needle)
{
    char *p = clip(name);
    size_t n;
    uint8_t *d = tu_read(p, &n);
    hm_error e;
    hm_status st = try_buffer(d, n, o, &e);
    if (st != want || !strstr(e.message, needle))
        fprintf(stderr, "\n  %s: want %s \"%s\", got %s: %s", name, hm_status_name(want), needle,
                hm_status_name(st), e.message);
    CU_ASSERT_EQUAL(st, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, needle));
    free(d);
    free(p);
}

static void test_refused(void)
{
    expect("video/refused-mjpeg-64x48.avi", NULL, HM_E_VIDEO_CODEC, "mjpeg is not accepted");
    expect("video/refused-flv1-64x48.flv", NULL, HM_E_VIDEO_FORMAT, "not a video container");
    expect("video/refused-raw-64x48.h264", NULL, HM_E_VIDEO_FORMAT, "not a video container");
    expect("video/refused-audio-only.mkv", NULL, HM_E_VIDEO_NO_STREAM, "no video stream");
    expect("video/refused-tiny-4x4.mp4", NULL, HM_E_VIDEO_DIMENSIONS, "too small");
    expect("pdq/../cli/ramp.jpg", NULL, HM_E_VIDEO_FORMAT, "not a video container");
    hm_error e;
    CU_ASSERT_EQUAL(try_buffer((const uint8_t *)"", 0, NULL, &e), HM_E_VIDEO_TRUNCATED);
    CU_ASSERT_EQUAL(hm_video_hash_file("/nonexistent.mp4", NULL, &(hm_video *){NULL}, &e), HM_E_IO);
}

static void test_limits(void)
{
    av_log_set_callback(log_cb); /* FFmpeg's own complaints (docs/VIDEO.md) stay out of the output */
    hm_video_options o = {0};
    o.limits.max_pixels = 1000; /* 64x48 = 3072 */
    expect("video/h264-yuv420p-64x48.mp4", &o, HM_E_VIDEO_TOO_LARGE, "over the limit of 1000 pixels");
    o.limits.max_pixels = 0;
    o.limits.max_frames = 4;
    expect("video/vp8-64x48.webm", &o, HM_E_VIDEO_LIMIT, "more than 4 frames");
    o.limits.max_frames = 0;
    o.limits.max_decoded_bytes = 20000; /* 4608 bytes a frame */
    expect("video/h264-yuv420p-64x48.mp4", &o, HM_E_VIDEO_LIMIT, "bytes of decoded frames");
    o.limits.max_decoded_bytes = 0;
    o.size = 2000; /* 4 MP to hash, over 1 MP */
    o.limits.max_pixels = 1000000;
    expect("video/h264-yuv420p-64x48.mp4", &o, HM_E_VIDEO_TOO_LARGE, "hashing at 2000x2000");
    /* a GIF whose screen claims 20000x2000 pixels, and one of 65535x65535 */
    char *p = clip("video/gif-32x24.gif");
    size_t n;
    uint8_t *d = tu_read(p, &n);
    hm_error e;
    hm__store_le16(d + 6, 20000);
    hm__store_le16(d + 8, 2000);
    CU_ASSERT_EQUAL(try_buffer(d, n, NULL, &e), HM_E_VIDEO_TOO_LARGE);
    hm__store_le16(d + 6, 65535);
    hm__store_le16(d + 8, 65535);
    CU_ASSERT_EQUAL(try_buffer(d, n, NULL, &e), HM_E_VIDEO_DIMENSIONS);
    free(d);
    free(p);
    /* an MP4 that says it lasts 2^32 - 1 ms: refused before decoding */
    p = clip("video/h264-yuv420p-64x48.mp4");
    d = tu_read(p, &n);
    uint8_t *mvhd = NULL;
    for (size_t i = 4; i + 24 < n && !mvhd; i++)
        if (!memcmp(d + i, "mvhd", 4)) mvhd = d + i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mvhd);
    uint8_t *dur = mvhd + 4 + 4 + 4 + 4 + 4; /* version+flags, times, timescale */
    for (int k = 0; k < 4; k++) dur[k] = 0xff;
    CU_ASSERT_EQUAL(try_buffer(d, n, NULL, &e), HM_E_VIDEO_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "says it lasts"));
    free(d);
    free(p);
    av_log_set_callback(av_log_default_callback);
    CU_ASSERT_EQUAL(LOUD_OURS, 0);
}

/* An endless stream in memory: a GIF of `frames` 8x8 frames (a generated
 * stream's frame count is the attack: decoding goes on as long as it has
 * frames). */
static uint8_t *endless_gif(size_t frames, size_t *size)
{
    static const uint8_t HEAD[] = {'G', 'I', 'F', '8', '9', 'a', 8, 0, 8, 0, 0x80, 0, 0,
                                   0, 0, 0, 255, 255, 255};
    static const uint8_t FRAME[] = {0x21, 0xf9, 4, 0, 1, 0, 0, 0,            /* 10 ms */
                                    0x2c, 0, 0, 0, 0, 8, 0, 8, 0, 0,         /* 8x8 */
                                    2, 2, 0x84, 0x8f, 0};                    /* LZW */
    *size = sizeof HEAD + frames * sizeof FRAME + 1;
    uint8_t *d = malloc(*size), *p = d;
    memcpy(p, HEAD, sizeof HEAD);
    p += sizeof HEAD;
    for (size_t i = 0; i < frames; i++, p += sizeof FRAME) memcpy(p, FRAME, sizeof FRAME);
    *p = 0x3b;
    return d;
}

static void test_endless(void)
{
    size_t n;
    uint8_t *d = endless_gif(3000, &n);
    hm_video_options o = {0};
    o.seconds_per_hash = 1;
    hm_error e;
    CU_ASSERT_EQUAL(try_buffer(d, n, &o, &e), HM_OK); /* 3000 frames are allowed */
    o.limits.max_frames = 1000;
    CU_ASSERT_EQUAL(try_buffer(d, n, &o, &e), HM_E_VIDEO_LIMIT);
    o.limits.max_frames = 0;
    o.limits.max_seconds = 10; /* 3000 frames of 10 ms = 30 s */
    CU_ASSERT_EQUAL(try_buffer(d, n, &o, &e), HM_E_VIDEO_LIMIT);
    free(d);
}

static void test_truncated_and_corrupt(void)
{
    tu_rng r;
    tu_rng_seed(&r, 11);
    size_t ok = 0, refused = 0;
    for (size_t i = 0; i < NCLIPS; i++) {
        char *p = clip(CLIPS[i].file);
        size_t n;
        uint8_t *d = tu_read(p, &n);
        int stream = strstr(CLIPS[i].file, ".ts") || strstr(CLIPS[i].file, ".gif");
        hm_error e;
        for (int k = 1; k < 20; k++) { /* cut short */
            hm_status st = try_buffer(d, n * (size_t)k / 20, NULL, &e);
            /* MPEG-TS and GIF declare no length: a shorter stream is still a stream */
            if (!stream) CU_ASSERT(st != HM_OK);
            if (!stream && st == HM_OK) fprintf(stderr, "\n  %s cut at %d/20 hashed", CLIPS[i].file, k);
            st == HM_OK ? ok++ : refused++;
        }
        for (int k = 0; k < 30; k++) { /* damaged bytes: any status, no crash */
            uint8_t *c = malloc(n);
            memcpy(c, d, n);
            for (unsigned f = 1 + tu_rng_below(&r, 16); f--;) c[tu_rng_below(&r, (uint32_t)n)] = (uint8_t)tu_rng_next(&r);
            try_buffer(c, n, NULL, &e) == HM_OK ? ok++ : refused++;
            free(c);
        }
        free(d);
        free(p);
    }
    printf("\n  %zu damaged inputs hashed, %zu refused ", ok, refused);
}

/* A video file written to while it is decoded (a download still arriving,
 * an edit) is an error: its frames and digests would describe no one version
 * of it. hm__vinput_file records the file as opened; each change after that
 * is caught by hm__vinput_unchanged, which hashing a file calls last. */
static void test_changed_while_read(void)
{
    char *src = clip("video/h264-yuv420p-64x48.mp4");
    size_t n;
    uint8_t *d = tu_read(src, &n);
    char *p = tu_path(tu_tmp_dir(), "changing.mp4");
    CU_ASSERT_FATAL(tu_write(p, d, n) == 0);
    int fd = open(p, O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    hm__vinput in;
    hm_error e;
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL_FATAL(hm__vinput_file(&in, fd, "changing.mp4", &e), HM_OK);
    CU_ASSERT_EQUAL(in.end, n);
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&in, &e), HM_OK);
    /* grown */
    CU_ASSERT_EQUAL(pwrite(fd, "x", 1, (off_t)n), 1);
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&in, &e), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "changing.mp4: the file grew while it was read"));
    /* shrunk */
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)n - 100), 0);
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&in, &e), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the file shrank while it was read"));
    /* the same size, other bytes: the modification time moved */
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)n), 0);
    CU_ASSERT_EQUAL(pwrite(fd, d, n, 0), (ssize_t)n);
    struct timespec t[2] = {{0, UTIME_OMIT}, {(time_t)in.mtime_sec + 7, 0}};
    CU_ASSERT_EQUAL(futimens(fd, t), 0);
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&in, &e), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the file was modified while it was read"));
    /* a read that finds the file shorter than it was is remembered */
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL_FATAL(hm__vinput_file(&in, fd, "changing.mp4", &e), HM_OK);
    in.shrank = 1;
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&in, &e), HM_E_IO);
    /* memory never changes under the library's feet */
    hm__vinput mem = {.data = d, .size = n, .fd = -1, .end = n};
    CU_ASSERT_EQUAL(hm__vinput_unchanged(&mem, &e), HM_OK);
    /* the whole file, unchanged, hashes as before, digests included */
    hm_video_options o = {0};
    o.digests = HM_MASK(HM_ALGO_SHA256);
    hm_video *v = NULL;
    CU_ASSERT_EQUAL(hm_video_hash_fd(fd, "changing.mp4", &o, &v, &e), HM_OK);
    CU_ASSERT(v && hm_video_get_info(v)->frames_decoded == 10);
    hm_video_free(v);
    close(fd);
    unlink(p);
    free(p);
    free(d);
    free(src);
}

/* The library prints nothing: decoding every clip in both modes writes no
 * byte to stderr, and hostile input no message through the contexts the
 * library silences (a few FFmpeg logs through no context: docs/VIDEO.md). */
static void test_silence(void)
{
    tu_stderr_begin();
    for (size_t i = 0; i < NCLIPS; i++)
        for (int mode = 0; mode < 2; mode++) {
            hm_video_options o = {0};
            o.mode = (hm_vpdq_mode)mode;
            o.size = mode ? 40 : 0;
            hm_video_free(hash_clip(CLIPS[i].file, &o));
        }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    LOUD_OURS = LOUD_OTHER = 0;
    av_log_set_callback(log_cb);
    test_truncated_and_corrupt();
    test_refused();
    av_log_set_callback(av_log_default_callback);
    printf("\n  messages the default callback would print: %zu through the library's contexts, "
           "%zu through others ", LOUD_OURS, LOUD_OTHER);
    CU_ASSERT_EQUAL(LOUD_OURS, 0);
}

/* ---- scanning video files ---- */

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "\ntest_video: a video reader blocked on a FIFO (alarm)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
}

/* Files that are not regular files are refused at once, whatever their
 * name says; a descriptor the caller opened is scanned from its start. */
static void scan_odd_files(const hm_scanner *sc)
{
    char dir[] = "/tmp/hm-video-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/listed.mp4", dir);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(20);
    hm_report *r;
    hm_video *v;
    hm_error e;
    CU_ASSERT_EQUAL(hm_scanner_scan_file(sc, fifo, &r, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "FIFO"));
    CU_ASSERT_EQUAL(hm_video_hash_file(fifo, NULL, &v, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NULL(v);
    CU_ASSERT_EQUAL(hm_scanner_scan_file(sc, dir, &r, &e), HM_E_NOT_REGULAR_FILE);
    alarm(0);
    unlink(fifo);
    rmdir(dir);

    char *p = clip("video/vp8-64x48.webm");
    int fd = open(p, O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(lseek(fd, 100, SEEK_SET), 100); /* the position does not matter */
    must(hm_scanner_scan_fd(sc, fd, p, &r, NULL), "scan fd");
    CU_ASSERT_EQUAL(hm_report_video_match_count(r), 1);
    hm_report_free(r);
    must(hm_video_hash_fd(fd, p, NULL, &v, NULL), "hash fd");
    CU_ASSERT_EQUAL(hm_video_frame_count(v), 10);
    hm_video_free(v);
    CU_ASSERT_EQUAL(hm_scanner_scan_fd(sc, -1, p, &r, &e), HM_E_INVALID_ARGUMENT);
    close(fd);
    free(p);
}

/* A listed video with bytes cut off its end still matches, from the frames
 * that are there, and says so; a cut video that matches nothing is an error,
 * never a clean scan. The public hashing functions still refuse it. */
static void scan_cut_files(const hm_scanner *sc)
{
    char *p = clip("video/vp8-64x48.webm");
    size_t size;
    uint8_t *d = tu_read(p, &size);
    hm_report *r;
    hm_error e;
    hm_video *v;
    for (size_t cut = 1; cut <= 64; cut *= 4) {
        CU_ASSERT_EQUAL(hm_video_hash_buffer(d, size - cut, NULL, &v, &e), HM_E_VIDEO_TRUNCATED);
        hm_status st = hm_scanner_scan_buffer(sc, d, size - cut, &r, &e);
        CU_ASSERT_EQUAL_FATAL(st, HM_OK);
        CU_ASSERT_EQUAL(hm_report_video_truncated(r), 1);
        CU_ASSERT_EQUAL(hm_report_video_match_count(r), 1);
        CU_ASSERT(hm_video_frame_count(hm_report_video(r)) >= 8);
        hm_report_free(r);
    }
    /* the header and no frame: nothing to match, refused */
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(sc, d, 300, &r, &e), HM_E_VIDEO_TRUNCATED);
    CU_ASSERT_PTR_NULL(r);
    /* the whole file: not truncated */
    must(hm_scanner_scan_buffer(sc, d, size, &r, NULL), "scan whole");
    CU_ASSERT_EQUAL(hm_report_video_truncated(r), 0);
    hm_report_free(r);
    free(d);
    free(p);
}

static void test_scan_files(void)
{
    hm_video *v = hash_clip("video/vp8-64x48.webm", NULL);
    hm_set_builder *b;
    must(hm_set_builder_new(&b), "builder");
    unsigned c;
    must(hm_set_builder_set_name(b, "video scan", NULL), "name");
    must(hm_set_builder_add_category(b, "demo", &c, NULL), "category");
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    must(hm_set_builder_add_video(b, hm_video_frame(v, 0), hm_video_frame_count(v), 0, 1, "vp8",
                                  NULL), "video");
    hm_video_options o = {.digests = HM_MASK(HM_ALGO_SHA256)};
    hm_video *ts = hash_clip("video/h264-64x48.ts", &o);
    must(hm_set_builder_add(b, HM_ALGO_SHA256, hm_video_get_info(ts)->sha256, 0, 1, "ts", NULL), "sha256");
    uint8_t *file;
    size_t size;
    must(hm_set_builder_build(b, &file, &size, NULL), "build");
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    file = tf_sign(file, &size, KEYS, 2);
    hm_set_open_options oo = tf_options();
    hm_set *set;
    must(hm_set_open(file, size, &oo, &set, NULL), "open");
    hm_scanner *sc;
    must(hm_scanner_new(set, NULL, &sc, NULL), "scanner");
    hm_report *r;
    char *p = clip("video/vp8-64x48.webm");
    must(hm_scanner_scan_file(sc, p, &r, NULL), "scan");
    CU_ASSERT_EQUAL(hm_report_video_match_count(r), 1);
    const hm_video_match *m = hm_report_video_match(r, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->kind, HM_VIDEO_MATCH_VIDEO);
    CU_ASSERT_STRING_EQUAL(m->external_id, "vp8");
    CU_ASSERT_EQUAL(m->query_matched, m->query_total);
    CU_ASSERT_EQUAL(m->distance, 0);
    CU_ASSERT_EQUAL(hm_video_frame_count(hm_report_video(r)), 10);
    hm_report_free(r);
    free(p);
    /* the same from memory */
    p = clip("video/vp8-64x48.webm");
    uint8_t *d = tu_read(p, &size);
    must(hm_scanner_scan_buffer(sc, d, size, &r, NULL), "scan buffer");
    CU_ASSERT_EQUAL(hm_report_video_match_count(r), 1);
    hm_report_free(r);
    free(d);
    free(p);
    /* a video listed by its SHA-256 */
    p = clip("video/h264-64x48.ts");
    must(hm_scanner_scan_file(sc, p, &r, NULL), "scan ts");
    CU_ASSERT_EQUAL(hm_report_match_count(r), 1);
    CU_ASSERT_EQUAL(hm_report_match(r, 0)->algo, HM_ALGO_SHA256);
    hm_report_free(r);
    free(p);
    /* a broken video is an error, not a clean scan */
    p = clip("video/refused-mjpeg-64x48.avi");
    hm_error e;
    CU_ASSERT_EQUAL(hm_scanner_scan_file(sc, p, &r, &e), HM_E_VIDEO_CODEC);
    CU_ASSERT_PTR_NULL(r);
    free(p);
    scan_odd_files(sc);
    scan_cut_files(sc);
    hm_scanner_free(sc);
    hm_set_free(set);
    hm_buffer_free(file);
    hm_video_free(ts);
    hm_video_free(v);
}

int main(void)
{
    if (!hm_video_supported()) {
        printf("test_video: built without video, skipped\n");
        return 0;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test clips[] = {{"every container and codec", test_clips},
                                    {"threads, modes, sampling, size", test_options},
                                    {NULL, NULL}};
    static const tu_test hostile[] = {{"refused containers, codecs and sizes", test_refused},
                                      {"limits", test_limits},
                                      {"endless stream", test_endless},
                                      {"changed while read", test_changed_while_read},
                                      {"truncated and damaged, nothing printed", test_silence},
                                      {NULL, NULL}};
    static const tu_test scan[] = {{"scanning video files", test_scan_files}, {NULL, NULL}};
    tu_add_suite("video clips", clips);
    tu_add_suite("hostile video", hostile);
    tu_add_suite("video scanning", scan);
    return tu_run("test_video");
}
