/* frames.c - the hm_video object, the reference's frame selection and
 * timestamps, its output line, and container sniffing. No FFmpeg here. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "video_internal.h"

hm_video *hm__video_new(void)
{
    hm_video *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->info.container = v->container;
    v->info.codec = v->codec;
    v->info.pixel_format = v->pixel_format;
    return v;
}

hm_status hm__video_push(hm_video *v, const hm_vpdq_frame *f, hm_error *err)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        hm_vpdq_frame *p = realloc(v->frames, cap * sizeof *p);
        HM_RETURN_IF(!p, err, HM_E_NO_MEMORY, "cannot grow the list of %zu frames", v->count);
        v->frames = p;
        v->cap = cap;
    }
    v->frames[v->count++] = *f;
    return HM_OK;
}

static int cmp_frame(const void *a, const void *b)
{
    uint32_t x = ((const hm_vpdq_frame *)a)->frame, y = ((const hm_vpdq_frame *)b)->frame;
    return x < y ? -1 : x > y;
}

void hm__video_sort(hm_video *v)
{
    if (v->count > 1) qsort(v->frames, v->count, sizeof *v->frames, cmp_frame);
}

hm_status hm_video_from_frames(const hm_vpdq_frame *frames, size_t count, hm_video **out,
                               hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    HM_RETURN_IF(!frames && count, err, HM_E_INVALID_ARGUMENT, "frames are required");
    for (size_t i = 0; i < count; i++)
        HM_RETURN_IF(frames[i].quality < 0 || frames[i].quality > 100 ||
                         !(frames[i].timestamp >= 0 && frames[i].timestamp < 1e12),
                     err, HM_E_INVALID_ARGUMENT, "frame %zu: quality %d or timestamp out of range",
                     i, frames[i].quality);
    hm_video *v = hm__video_new();
    HM_RETURN_IF(!v, err, HM_E_NO_MEMORY, "cannot allocate a video");
    if (count) {
        v->frames = malloc(count * sizeof *v->frames);
        if (!v->frames) {
            free(v);
            return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate %zu frames", count);
        }
        memcpy(v->frames, frames, count * sizeof *frames);
        v->count = v->cap = count;
    }
    *out = v;
    hm__ok(err);
    return HM_OK;
}

void hm_video_free(hm_video *v)
{
    if (!v) return;
    free(v->frames);
    free(v);
}

size_t hm_video_frame_count(const hm_video *v) { return v ? v->count : 0; }

const hm_vpdq_frame *hm_video_frame(const hm_video *v, size_t i)
{
    return v && i < v->count ? &v->frames[i] : NULL;
}

const hm_video_info *hm_video_get_info(const hm_video *v) { return v ? &v->info : NULL; }

typedef struct fref {
    const uint8_t *hash;
    size_t i;
} fref;

static int cmp_fref(const void *a, const void *b)
{
    const fref *x = a, *y = b;
    int c = memcmp(x->hash, y->hash, HM_PDQ_BYTES);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int hm__vpdq_first_occurrences(const hm_vpdq_frame *f, size_t n, uint8_t *keep)
{
    memset(keep, 0, n);
    if (!n) return 0;
    fref *r = malloc(n * sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < n; i++) r[i] = (fref){f[i].hash, i};
    /* equal hashes become neighbours, the earliest first */
    qsort(r, n, sizeof *r, cmp_fref);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || memcmp(r[i - 1].hash, r[i].hash, HM_PDQ_BYTES)) keep[r[i].i] = 1;
    free(r);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The reference's selection and timestamps (docs/VIDEO.md)                 */
/* ------------------------------------------------------------------------ */

uint64_t hm__vpdq_step(double seconds_per_hash, double fps)
{
    /* std::stof, widened back to double, times the frame rate, truncated. */
    double r = (double)(float)seconds_per_hash * fps;
    if (!(r >= 1.0)) return 1; /* also NaN: every frame */
    if (r >= 9.0e15) return UINT64_C(9000000000000000);
    return (uint64_t)r;
}

double hm__vpdq_timestamp(uint64_t n, double fps) { return (double)((float)n / (float)fps); }

hm_status hm__video_check_options(const hm_video_options *opt, hm_error *err)
{
    if (!opt) return HM_OK;
    HM_RETURN_IF(!(opt->seconds_per_hash >= 0 && opt->seconds_per_hash <= 1e6), err,
                 HM_E_INVALID_ARGUMENT, "seconds per hash must be 0..1e6");
    HM_RETURN_IF(opt->size && (opt->size < 5 || opt->size > HM_VPDQ_MAX_SIZE), err,
                 HM_E_INVALID_ARGUMENT, "the frame size must be 0 or 5..%u", HM_VPDQ_MAX_SIZE);
    HM_RETURN_IF(opt->mode != HM_VPDQ_PORTABLE && opt->mode != HM_VPDQ_SWSCALE, err,
                 HM_E_INVALID_ARGUMENT, "unknown vPDQ mode %d", (int)opt->mode);
    HM_RETURN_IF(opt->threads > 256, err, HM_E_INVALID_ARGUMENT, "at most 256 threads");
    return HM_OK;
}

hm_video_limits hm__video_limits(const hm_video_options *opt)
{
    hm_video_limits l = {0};
    if (opt) l = opt->limits;
    if (!l.max_pixels) l.max_pixels = HM_DEFAULT_VIDEO_MAX_PIXELS;
    if (!l.max_frames) l.max_frames = HM_DEFAULT_VIDEO_MAX_FRAMES;
    if (!l.max_seconds) l.max_seconds = HM_DEFAULT_VIDEO_MAX_SECONDS;
    if (!l.max_decoded_bytes) l.max_decoded_bytes = HM_DEFAULT_VIDEO_MAX_DECODED_BYTES;
    return l;
}

/* ------------------------------------------------------------------------ */
/* The reference's output line                                              */
/* ------------------------------------------------------------------------ */

size_t hm_vpdq_format_line(const hm_vpdq_frame *f, char *buf, size_t size)
{
    char hex[HM_PDQ_HEX_SIZE];
    hm_hex_encode(f->hash, HM_PDQ_BYTES, hex);
    int n = snprintf(buf, size, "%u,%d,%s,%.3f\n", (unsigned)f->frame, f->quality, hex,
                     f->timestamp);
    return n < 0 ? 0 : (size_t)n;
}

/* A run of decimal digits; returns the position after it, NULL if none or
 * over `max`. */
static const char *parse_uint(const char *p, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *start = p;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max) return NULL;
    }
    if (p == start) return NULL;
    *out = v;
    return p;
}

hm_status hm_vpdq_parse_line(const char *line, hm_vpdq_frame *out)
{
    if (!line || !out) return HM_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    uint64_t frame, quality, whole, frac = 0;
    const char *p = parse_uint(line, UINT32_MAX - 1, &frame);
    if (!p || *p++ != ',' || !(p = parse_uint(p, 100, &quality)) || *p++ != ',') return HM_E_PARSE;
    char hex[HM_PDQ_HEX_SIZE];
    for (int i = 0; i < 64; i++) hex[i] = p[i] ? p[i] : '\0';
    hex[64] = '\0';
    if (strlen(hex) != 64 || hm_hex_decode(hex, out->hash, HM_PDQ_BYTES) != HM_OK) return HM_E_PARSE;
    p += 64;
    if (*p++ != ',' || !(p = parse_uint(p, UINT64_C(999999999999), &whole))) return HM_E_PARSE;
    double scale = 1.0;
    if (*p == '.') {
        const char *q = ++p;
        for (; *p >= '0' && *p <= '9' && p - q < 9; p++) frac = frac * 10 + (uint64_t)(*p - '0'), scale *= 10;
        if (p == q) return HM_E_PARSE;
    }
    if (*p == '\r') p++;
    if (*p == '\n') p++;
    if (*p) return HM_E_PARSE;
    out->frame = (uint32_t)frame;
    out->quality = (int)quality;
    out->timestamp = (double)whole + (double)frac / scale;
    return HM_OK;
}

/* ------------------------------------------------------------------------ */
/* Sniffing                                                                 */
/* ------------------------------------------------------------------------ */

static int is_mp4(const uint8_t *p, size_t n)
{
    static const char *const BOXES[] = {"ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"};
    if (n < 8) return 0;
    for (size_t i = 0; i < HM_ARRAY_SIZE(BOXES); i++)
        if (!memcmp(p + 4, BOXES[i], 4)) return 1;
    return 0;
}

static int is_mpegts(const uint8_t *p, size_t n)
{
    /* 188-byte packets, or 192 (a 4-byte timecode before each) */
    if (n > 376 && p[0] == 0x47 && p[188] == 0x47 && p[376] == 0x47) return 1;
    return n > 388 && p[4] == 0x47 && p[196] == 0x47 && p[388] == 0x47;
}

int hm_video_sniff(const void *data, size_t size)
{
    const uint8_t *p = data;
    if (!p) return 0;
    if (size >= 4 && !memcmp(p, "\x1a\x45\xdf\xa3", 4)) return 1;                  /* EBML */
    if (size >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "AVI ", 4)) return 1; /* AVI */
    return is_mp4(p, size) || is_mpegts(p, size);
}

int hm__fd_is_video(int fd, int *is_gif)
{
    uint8_t head[400]; /* what hm_video_sniff looks at */
    ssize_t n;
    /* pread: the descriptor's position stays where it was for the reader. */
    do n = pread(fd, head, sizeof head, 0);
    while (n < 0 && errno == EINTR);
    if (is_gif) *is_gif = n > 0 && hm_image_sniff(head, (size_t)n) == HM_FORMAT_GIF;
    return n > 0 && hm_video_sniff(head, (size_t)n);
}
