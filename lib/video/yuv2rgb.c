/* yuv2rgb.c - the portable YUV -> RGB24 conversion of 8-bit 4:2:0 and 4:2:2
 * frames at their own size (docs/VIDEO.md, "Conversion").
 *
 * This is the arithmetic of FFmpeg 5.1's portable C converter, which the
 * vPDQ reference reaches through sws_scale(SWS_AREA) when no SIMD converter
 * applies: BT.601 coefficients scaled to 16.16 fixed point, a clipping table
 * of 2048 luma values, and per chroma value one offset into it per channel,
 * so that a pixel costs three or four table lookups and no multiplication.
 * Written from the formulas, with FFmpeg's truncations: C division where it
 * divides, floor where it shifts right.
 *
 * One deliberate difference: FFmpeg's C loop writes pixels in pairs and so
 * never writes the last column of an odd-width frame (its value is whatever
 * the buffer held). Here that column is converted like any other pixel, with
 * chroma sample (width - 1) / 2: the result is defined and the same on every
 * CPU. */
#include "yuv_luma.h"

/* BT.601 (swscale's SWS_CS_DEFAULT): crv, cbu, cgu, cgv in 16.16 with the
 * 255/224 chroma expansion of limited range built in. */
static const int64_t COEFFS[4] = {104597, 132201, 25675, 53279};

/* floor(x / 2^k) for any sign (a right shift of a negative value is
 * implementation-defined in C; FFmpeg relies on the arithmetic shift). */
static int64_t floor_shift(int64_t x, unsigned k)
{
    return x >= 0 ? x >> k : -((-x + ((INT64_C(1) << k) - 1)) >> k);
}

static uint8_t clip_u8(int64_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

void hm__yuv2rgb_tables_init(hm__yuv2rgb_tables *t, int full_range)
{
    int64_t crv = COEFFS[0], cbu = COEFFS[1], cgu = -COEFFS[2], cgv = -COEFFS[3];
    int64_t cy = INT64_C(1) << 16, oy = 0;
    if (!full_range) {
        cy = cy * 255 / 219;
        oy = INT64_C(16) << 16;
    } else {
        crv = crv * 224 / 255;
        cbu = cbu * 224 / 255;
        cgu = cgu * 224 / 255;
        cgv = cgv * 224 / 255;
    }
    /* Contrast and saturation are 1.0 (1 << 16) and brightness 0: those steps
     * leave the values unchanged. Chroma coefficients are then expressed in
     * units of the luma step. */
    crv = (crv * 65536 + 0x8000) / cy;
    cbu = (cbu * 65536 + 0x8000) / cy;
    cgu = (cgu * 65536 + 0x8000) / cy;
    cgv = (cgv * 65536 + 0x8000) / cy;
    /* Entry i is the luma (i - 384 - 512) * cy - oy, rounded and clipped. */
    int64_t yb = -(INT64_C(384) << 16) - 512 * cy - oy;
    t->cf.cy = (int32_t)cy;
    t->cf.bias = (int32_t)(yb + 0x8000);
    for (int i = 0; i < 2048; i++, yb += cy) {
        t->y[i] = clip_u8(floor_shift(yb + 0x8000, 16));
        t->lr[i] = 0.299f * (float)t->y[i];
        t->lg[i] = 0.587f * (float)t->y[i];
        t->lb[i] = 0.114f * (float)t->y[i];
    }
    const int32_t yoffs = (full_range ? 384 : 326) + 512;
    for (int c = 0; c < 256; c++) {
        t->rv[c] = (int32_t)(yoffs - floor_shift(crv, 9) + floor_shift(c * crv, 16));
        t->gu[c] = (int32_t)(yoffs - floor_shift(cgu, 9) + floor_shift(c * cgu, 16));
        t->gv[c] = (int32_t)(-floor_shift(cgv, 9) + floor_shift(c * cgv, 16));
        t->bu[c] = (int32_t)(yoffs - floor_shift(cbu, 9) + floor_shift(c * cbu, 16));
    }
    t->cf.crv = (int32_t)crv, t->cf.cgu = (int32_t)cgu;
    t->cf.cgv = (int32_t)cgv, t->cf.cbu = (int32_t)cbu;
    t->cf.orv = (int32_t)(yoffs - floor_shift(crv, 9));
    t->cf.ogu = (int32_t)(yoffs - floor_shift(cgu, 9));
    t->cf.ogv = (int32_t)(-floor_shift(cgv, 9));
    t->cf.obu = (int32_t)(yoffs - floor_shift(cbu, 9));
}

/* One chroma sample's three offsets, applied to a luma that shares it. */
static inline void put(const uint8_t *restrict tab, int32_t r, int32_t g, int32_t b, uint8_t y,
                       uint8_t *restrict out)
{
    out[0] = tab[r + y];
    out[1] = tab[g + y];
    out[2] = tab[b + y];
}

static void row_pair(const hm__yuv2rgb_tables *restrict t, const uint8_t *restrict y1,
                     const uint8_t *restrict y2, const uint8_t *restrict u,
                     const uint8_t *restrict v, uint32_t w, uint8_t *restrict o1,
                     uint8_t *restrict o2)
{
    const uint8_t *restrict tab = t->y;
    uint32_t x = 0;
    for (; x + 1 < w; x += 2) {
        uint8_t U = u[x / 2], V = v[x / 2];
        int32_t r = t->rv[V], g = t->gu[U] + t->gv[V], b = t->bu[U];
        put(tab, r, g, b, y1[x], o1 + 3 * x);
        put(tab, r, g, b, y1[x + 1], o1 + 3 * x + 3);
        put(tab, r, g, b, y2[x], o2 + 3 * x);
        put(tab, r, g, b, y2[x + 1], o2 + 3 * x + 3);
    }
    if (x < w) { /* the last column of an odd width */
        uint8_t U = u[x / 2], V = v[x / 2];
        int32_t r = t->rv[V], g = t->gu[U] + t->gv[V], b = t->bu[U];
        put(tab, r, g, b, y1[x], o1 + 3 * x);
        put(tab, r, g, b, y2[x], o2 + 3 * x);
    }
}

void hm__yuv2rgb_rows(const hm__yuv2rgb_tables *t, const hm__yuv_planes *p, uint32_t y0,
                      uint32_t n, uint8_t *out, size_t out_stride)
{
    for (uint32_t k = 0; k < n; k += 2) {
        uint32_t y = y0 + k;
        /* 4:2:0: chroma row y/2. 4:2:2: FFmpeg doubles the chroma stride and
         * indexes row y/2 with it, which lands on chroma row y for both luma
         * rows of the pair (odd chroma rows are never read). */
        size_t crow = p->is422 ? y : y / 2;
        row_pair(t, p->y + (size_t)y * p->y_stride, p->y + (size_t)(y + 1) * p->y_stride,
                 p->u + crow * p->u_stride, p->v + crow * p->v_stride, p->width,
                 out + (size_t)k * out_stride, out + (size_t)(k + 1) * out_stride);
    }
}

/* ------------------------------------------------------------------------ */
/* Straight to luma                                                         */
/* ------------------------------------------------------------------------ */

static inline float luma(const hm__yuv2rgb_tables *restrict t, int32_t r, int32_t g, int32_t b,
                         uint8_t y)
{
    return (t->lr[r + y] + t->lg[g + y]) + t->lb[b + y];
}

void hm__yuv_luma_pair_scalar(const hm__yuv2rgb_tables *restrict t, const uint8_t *restrict y1,
                              const uint8_t *restrict y2, const uint8_t *restrict u,
                              const uint8_t *restrict v, uint32_t w, float *restrict o1,
                              float *restrict o2)
{
    uint32_t x = 0;
    for (; x + 1 < w; x += 2) {
        uint8_t U = u[x / 2], V = v[x / 2];
        int32_t r = t->rv[V], g = t->gu[U] + t->gv[V], b = t->bu[U];
        o1[x] = luma(t, r, g, b, y1[x]);
        o1[x + 1] = luma(t, r, g, b, y1[x + 1]);
        o2[x] = luma(t, r, g, b, y2[x]);
        o2[x + 1] = luma(t, r, g, b, y2[x + 1]);
    }
    if (x < w) { /* the last column of an odd width */
        uint8_t U = u[x / 2], V = v[x / 2];
        int32_t r = t->rv[V], g = t->gu[U] + t->gv[V], b = t->bu[U];
        o1[x] = luma(t, r, g, b, y1[x]);
        o2[x] = luma(t, r, g, b, y2[x]);
    }
}

/* The tiers this CPU runs are the imagehash kernels' (one CPU probe, one
 * order); SSE2 has no conversion kernel of its own: the tables are faster. */
hm__yuv_luma_pair_fn hm__yuv_luma_kernel(hm__ih_tier tier)
{
    if (!hm__ih_kernels_for(tier)) return NULL;
    switch (tier) {
    case HM__IH_SCALAR: return hm__yuv_luma_pair_scalar;
#if defined(HM_IH_X86)
    case HM__IH_AVX2: return hm__yuv_luma_pair_avx2;
    case HM__IH_AVX512: return hm__yuv_luma_pair_avx512;
#endif
#if defined(HM_IH_NEON)
    case HM__IH_NEON: return hm__yuv_luma_pair_v128;
#endif
    default: return NULL;
    }
}

hm__yuv_luma_pair_fn hm__yuv_luma_best(void)
{
    hm__yuv_luma_pair_fn k = hm__yuv_luma_kernel(hm__ih_kernels_best()->tier);
    return k ? k : hm__yuv_luma_pair_scalar;
}

void hm__yuv2luma_rows(const hm__yuv2rgb_tables *t, const hm__yuv_planes *p, uint32_t y0,
                       uint32_t n, float *out)
{
    hm__yuv2luma_rows_with(hm__yuv_luma_best(), t, p, y0, n, out);
}

void hm__yuv2luma_rows_with(hm__yuv_luma_pair_fn kernel, const hm__yuv2rgb_tables *t,
                            const hm__yuv_planes *p, uint32_t y0, uint32_t n, float *out)
{
    for (uint32_t k = 0; k < n; k += 2) {
        uint32_t y = y0 + k;
        size_t crow = p->is422 ? y : y / 2;
        kernel(t, p->y + (size_t)y * p->y_stride, p->y + (size_t)(y + 1) * p->y_stride,
                  p->u + crow * p->u_stride, p->v + crow * p->v_stride, p->width,
                  out + (size_t)k * p->width, out + (size_t)(k + 1) * p->width);
    }
}
