/* video_internal.h - the hm_video object and the pieces of vPDQ hashing
 * (internal). Files that need FFmpeg (decode.c, convert.c, vpdq.c) are built
 * only with HM_WITH_VIDEO; the others (frames.c, compare.c, yuv2rgb.c) in
 * every build. docs/VIDEO.md describes the whole pipeline. */
#ifndef HM_VIDEO_INTERNAL_H
#define HM_VIDEO_INTERNAL_H

#include "../common/common.h"

struct hm_video {
    hm_vpdq_frame *frames; /* ascending frame numbers */
    size_t count, cap;
    hm_video_info info;
    char container[64], codec[32], pixel_format[32];
    int truncated; /* hashed in salvage mode from an input cut short */
};

/* hm_video_hash_buffer (fd < 0) or hm_video_hash_fd in salvage mode: an
 * input cut short is hashed as far as its data goes and the video is
 * marked truncated, where the public functions refuse it. The scanner uses
 * it so that a listed video with bytes cut off still matches. */
hm_status hm__video_hash_salvage(const void *data, size_t size, int fd, const char *name,
                                 const hm_video_options *opt, hm_video **out, hm_error *err);

/* 1 when the open file starts like a video container (hm_video_sniff on
 * its first bytes, read with pread: the descriptor's position does not
 * move); *is_gif (may be NULL) says whether it is a GIF. */
int hm__fd_is_video(int fd, int *is_gif);

/* An empty video whose info strings are "". NULL when out of memory. */
hm_video *hm__video_new(void);

/* Appends a frame (HM_E_NO_MEMORY on failure). */
hm_status hm__video_push(hm_video *v, const hm_vpdq_frame *f, hm_error *err);

/* Sorts the frames by frame number (threads finish in any order). */
void hm__video_sort(hm_video *v);

/* keep[i] = 1 for the first occurrence of each hash among f[0..n), 0 for a
 * repeat: python-threatexchange's deduplication. Returns 0, or -1 when out
 * of memory. */
int hm__vpdq_first_occurrences(const hm_vpdq_frame *f, size_t n, uint8_t *keep);

/* The reference's frame selection: the hashing step for a sampling interval
 * (rounded to binary32 as the reference's std::stof does) and a frame rate. */
uint64_t hm__vpdq_step(double seconds_per_hash, double fps);

/* The reference's timestamp of frame n: (float)n / (float)fps, widened. */
double hm__vpdq_timestamp(uint64_t n, double fps);

/* Checks the options that do not depend on the input. */
hm_status hm__video_check_options(const hm_video_options *opt, hm_error *err);

/* The limits with defaults filled in. */
hm_video_limits hm__video_limits(const hm_video_options *opt);

/* ---- yuv2rgb.c: the portable YUV -> RGB24 converter ---- */

/* Lookup tables with the integer arithmetic of FFmpeg 5.1's C converter for
 * the BT.601 matrix (swscale's default): R = y[rv[V] + Y],
 * G = y[gu[U] + gv[V] + Y], B = y[bu[U] + Y]. */
/* The same tables in closed form (the SIMD kernels, yuv_luma.h): entry i of
 * y is clip(((i * cy + bias) >> 16), rv[c] = orv + ((c * crv) >> 16), gu, gv
 * and bu alike; every intermediate fits int32. */
typedef struct hm__yuv2rgb_coeffs {
    int32_t cy, bias;
    int32_t crv, cgu, cgv, cbu;
    int32_t orv, ogu, ogv, obu;
} hm__yuv2rgb_coeffs;

typedef struct hm__yuv2rgb_tables {
    hm__yuv2rgb_coeffs cf;
    uint8_t y[2048];
    int32_t rv[256], gu[256], gv[256], bu[256];
    /* PDQ's luma products of each table entry: 0.299f * (float)y[i] etc., so
     * that a pixel's luma is (lr[R] + lg[G]) + lb[B] with the same offsets. */
    float lr[2048], lg[2048], lb[2048];
} hm__yuv2rgb_tables;

/* full_range: the source is a yuvj* format (JPEG range). */
void hm__yuv2rgb_tables_init(hm__yuv2rgb_tables *t, int full_range);

/* Planar 4:2:0 or 4:2:2 8-bit pixels. */
typedef struct hm__yuv_planes {
    const uint8_t *y, *u, *v;
    ptrdiff_t y_stride, u_stride, v_stride;
    uint32_t width, height; /* height even */
    int is422;              /* 4:2:2: both rows of a pair read chroma row y (FFmpeg's walk) */
} hm__yuv_planes;

/* Converts rows y0 .. y0+n-1 (y0 and n even) into RGB24 rows `out_stride`
 * bytes apart. Every column is written, the last one of an odd width too. */
void hm__yuv2rgb_rows(const hm__yuv2rgb_tables *t, const hm__yuv_planes *p, uint32_t y0,
                      uint32_t n, uint8_t *out, size_t out_stride);

/* The same conversion straight to PDQ's float luma, (0.299f*R + 0.587f*G) +
 * 0.114f*B per pixel, without storing RGB: rows y0 .. y0+n-1 (y0 and n
 * even) into out, n rows of width floats. */
void hm__yuv2luma_rows(const hm__yuv2rgb_tables *t, const hm__yuv_planes *p, uint32_t y0,
                       uint32_t n, float *out);

#endif /* HM_VIDEO_INTERNAL_H */
