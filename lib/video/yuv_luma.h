/* yuv_luma.h - the per-instruction-set kernels of the portable conversion
 * straight to PDQ's luma (internal; built in every configuration).
 *
 * The scalar kernel (yuv2rgb.c) is the reference: FFmpeg 5.1's C converter
 * through lookup tables. The SIMD kernels (yuv_luma_simd_inl.h, compiled
 * once per instruction set with only its own flags) compute the same table
 * entries in closed form, in int32 lanes:
 *   R = clip(((rv[V] + Y) * cy + bias) >> 16), G and B alike,
 *   rv[c] = orv + ((c * crv) >> 16), etc.,
 * which is the tables' own formula (yuv2rgb.c) with no intermediate
 * exceeding 2^31; then the luma floats (0.299f*R + 0.587f*G) + 0.114f*B,
 * lane by lane in the scalar order, with no fused multiply-add. The test
 * test_yuv_luma checks every (Y, U, V) of both ranges on every tier. */
#ifndef HM_VIDEO_YUV_LUMA_H
#define HM_VIDEO_YUV_LUMA_H

#include "../hash/ih_kernels.h"
#include "video_internal.h"

/* One pair of luma rows sharing the chroma rows u and v: w floats each. */
typedef void (*hm__yuv_luma_pair_fn)(const hm__yuv2rgb_tables *t, const uint8_t *y1,
                                     const uint8_t *y2, const uint8_t *u, const uint8_t *v,
                                     uint32_t w, float *o1, float *o2);

/* The kernel of `tier` (the imagehash tiers; none for SSE2, where the
 * scalar tables are faster than int32 products without pmulld), or NULL
 * when this build or CPU cannot run it. */
hm__yuv_luma_pair_fn hm__yuv_luma_kernel(hm__ih_tier tier);
/* The widest kernel this CPU runs (never NULL). */
hm__yuv_luma_pair_fn hm__yuv_luma_best(void);

/* hm__yuv2luma_rows with a given kernel (tests compare the tiers). */
void hm__yuv2luma_rows_with(hm__yuv_luma_pair_fn k, const hm__yuv2rgb_tables *t,
                            const hm__yuv_planes *p, uint32_t y0, uint32_t n, float *out);

/* The scalar kernel, also the tail of the SIMD ones. */
void hm__yuv_luma_pair_scalar(const hm__yuv2rgb_tables *t, const uint8_t *y1, const uint8_t *y2,
                              const uint8_t *u, const uint8_t *v, uint32_t w, float *o1,
                              float *o2);

/* The tier kernels (defined only where built; use hm__yuv_luma_kernel). */
void hm__yuv_luma_pair_v128(const hm__yuv2rgb_tables *t, const uint8_t *y1, const uint8_t *y2,
                            const uint8_t *u, const uint8_t *v, uint32_t w, float *o1,
                            float *o2);
void hm__yuv_luma_pair_avx2(const hm__yuv2rgb_tables *t, const uint8_t *y1, const uint8_t *y2,
                            const uint8_t *u, const uint8_t *v, uint32_t w, float *o1,
                            float *o2);
void hm__yuv_luma_pair_avx512(const hm__yuv2rgb_tables *t, const uint8_t *y1,
                              const uint8_t *y2, const uint8_t *u, const uint8_t *v, uint32_t w,
                              float *o1, float *o2);

#endif /* HM_VIDEO_YUV_LUMA_H */
