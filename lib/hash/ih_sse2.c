/* ih_sse2.c - imagehash kernels for the x86-64 baseline (SSE2).
 *
 * Resize: weights that do not fit int16 are split into hi*2^11 + lo so that
 * pmaddwd (16 x 16 -> 32 bits) applies; lanes hold partial sums that wrap
 * mod 2^32 but add up to the exact int32 total. Haar: two blocks per vector,
 * the scalar expressions lane by lane. */
#include "ih_x86_inl.h"
#define HM__W_LANES 2
#include "ih_weights_inl.h"

/* ---- resize ---- */

/* One output of four rows: 8 taps per step, every weight load shared. */
HM__IH_INLINE void hlong4(const int16_t *const r[4], const hm__rs_axis *ax, uint32_t o,
                          int split, uint8_t *dst, size_t dstride)
{
    const __m128i z = _mm_setzero_si128();
    const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
    int32_t s = ax->start[o], n = (ax->n[o] + 7) & ~7;
    __m128i h[4] = {z, z, z, z}, l[4] = {z, z, z, z};
    for (int32_t j = 0; j < n; j += 8) {
        __m128i kh = _mm_loadu_si128((const __m128i *)(const void *)(hi + j));
        __m128i kl = split ? _mm_loadu_si128((const __m128i *)(const void *)(lo + j)) : z;
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) {
            __m128i px = _mm_loadu_si128((const __m128i *)(const void *)(r[i] + s + j));
            h[i] = _mm_add_epi32(h[i], _mm_madd_epi16(px, kh));
            if (split) l[i] = _mm_add_epi32(l[i], _mm_madd_epi16(px, kl));
        }
    }
    if (split)
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) h[i] = _mm_add_epi32(_mm_slli_epi32(h[i], HM__RS_SPLIT_BITS), l[i]);
    hm__store4(h[0], h[1], h[2], h[3], dst + o, dstride);
}

static void hlong_sse2(const int16_t *rows, size_t rstride, uint32_t nrows,
                       const hm__rs_axis *ax, uint8_t *dst, size_t dstride)
{
    uint32_t y = 0;
    for (; y + 4 <= nrows; y += 4) {
        const int16_t *r[4];
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) r[i] = rows + (y + i) * rstride;
        uint8_t *d = dst + y * dstride;
        if (ax->split)
            for (uint32_t o = 0; o < ax->out; o++) hlong4(r, ax, o, 1, d, dstride);
        else
            for (uint32_t o = 0; o < ax->out; o++) hlong4(r, ax, o, 0, d, dstride);
    }
    hm__rs_hlong_scalar(rows + y * rstride, rstride, nrows - y, ax, dst + y * dstride, dstride);
}

static void cols_sse2(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                      const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                      size_t dstride)
{
    for (uint32_t o = o0; o < o1; o++)
        hm__cols_tail_128(src, stride, base, 0, width, ax, o, dst + (o - o0) * dstride);
}

/* ---- Haar: two blocks per vector ---- */

#define MUL _mm_mul_pd
#define ADD _mm_add_pd
#define SUB _mm_sub_pd

static void approx_sse2(const double *r0, const double *r1, uint32_t half, double *dst)
{
    const __m128d H = _mm_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        __m128d a = _mm_loadu_pd(r0 + 2 * j), b = _mm_loadu_pd(r0 + 2 * j + 2);
        __m128d c = _mm_loadu_pd(r1 + 2 * j), d = _mm_loadu_pd(r1 + 2 * j + 2);
        __m128d x00 = _mm_unpacklo_pd(a, b), x01 = _mm_unpackhi_pd(a, b);
        __m128d x10 = _mm_unpacklo_pd(c, d), x11 = _mm_unpackhi_pd(c, d);
        __m128d a0 = ADD(MUL(H, x00), MUL(H, x10)), a1 = ADD(MUL(H, x01), MUL(H, x11));
        _mm_storeu_pd(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_scalar(r0 + 2 * j, r1 + 2 * j, half - j, dst + j);
}

/* hx of the bytes p[0], p[2] (even) or p[1], p[3] (odd) of two blocks. */
HM__IH_INLINE __m128d look2(const uint8_t *p, const double *hx, int odd)
{
    return _mm_set_pd(hx[p[2 + odd]], hx[p[odd]]);
}

static void approx_px_sse2(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                           const double *hx, double *dst)
{
    const __m128d H = _mm_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m128d a0 = ADD(look2(a, hx, 0), look2(b, hx, 0));
        __m128d a1 = ADD(look2(a, hx, 1), look2(b, hx, 1));
        _mm_storeu_pd(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, dst + j);
}

/* The inverse half of hm__haar_rebuild1 from (a0, a1, d0, d1) after axis 0. */
HM__IH_INLINE void rebuild_tail(__m128d H, __m128d a0, __m128d a1, __m128d d0, __m128d d1,
                                __m128d aa, __m128d y[4])
{
    __m128d ad = SUB(MUL(H, a0), MUL(H, a1));
    __m128d da = ADD(MUL(H, d0), MUL(H, d1)), dd = SUB(MUL(H, d0), MUL(H, d1));
    __m128d la0 = ADD(MUL(H, aa), MUL(H, ad)), la1 = SUB(MUL(H, aa), MUL(H, ad));
    __m128d ld0 = ADD(MUL(H, da), MUL(H, dd)), ld1 = SUB(MUL(H, da), MUL(H, dd));
    y[0] = ADD(MUL(H, la0), MUL(H, ld0));
    y[1] = ADD(MUL(H, la1), MUL(H, ld1));
    y[2] = SUB(MUL(H, la0), MUL(H, ld0));
    y[3] = SUB(MUL(H, la1), MUL(H, ld1));
}

static void rebuild_sse2(double *r0, double *r1, uint32_t half, const double *coarse)
{
    const __m128d H = _mm_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        __m128d a = _mm_loadu_pd(r0 + 2 * j), b = _mm_loadu_pd(r0 + 2 * j + 2);
        __m128d c = _mm_loadu_pd(r1 + 2 * j), d = _mm_loadu_pd(r1 + 2 * j + 2);
        __m128d x00 = _mm_unpacklo_pd(a, b), x01 = _mm_unpackhi_pd(a, b);
        __m128d x10 = _mm_unpacklo_pd(c, d), x11 = _mm_unpackhi_pd(c, d);
        __m128d a0 = ADD(MUL(H, x00), MUL(H, x10)), a1 = ADD(MUL(H, x01), MUL(H, x11));
        __m128d d0 = SUB(MUL(H, x00), MUL(H, x10)), d1 = SUB(MUL(H, x01), MUL(H, x11));
        __m128d y[4];
        rebuild_tail(H, a0, a1, d0, d1, _mm_loadu_pd(coarse + j), y);
        _mm_storeu_pd(r0 + 2 * j, _mm_unpacklo_pd(y[0], y[1]));
        _mm_storeu_pd(r0 + 2 * j + 2, _mm_unpackhi_pd(y[0], y[1]));
        _mm_storeu_pd(r1 + 2 * j, _mm_unpacklo_pd(y[2], y[3]));
        _mm_storeu_pd(r1 + 2 * j + 2, _mm_unpackhi_pd(y[2], y[3]));
    }
    hm__haar_rebuild_scalar(r0 + 2 * j, r1 + 2 * j, half - j, coarse + j);
}

static void rebuild_px_sse2(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                            const double *hx, double *aout)
{
    const __m128d H = _mm_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m128d x00 = look2(a, hx, 0), x01 = look2(a, hx, 1);
        __m128d x10 = look2(b, hx, 0), x11 = look2(b, hx, 1);
        __m128d y[4];
        rebuild_tail(H, ADD(x00, x10), ADD(x01, x11), SUB(x00, x10), SUB(x01, x11),
                     _mm_loadu_pd(aout + j), y);
        __m128d a0 = ADD(MUL(H, y[0]), MUL(H, y[2])), a1 = ADD(MUL(H, y[1]), MUL(H, y[3]));
        _mm_storeu_pd(aout + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_rebuild_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, aout + j);
}

/* ---- resize weights ---- */

static int weights_sse2(int32_t xmin, uint32_t n, double center, double ss, double *L, int32_t *k)
{
    return hm__w_weights(xmin, n, center, ss, L, k);
}

const hm__ih_kernels hm__ih_kernels_sse2 = {
    .tier = HM__IH_SSE2,
    .block_rows = 16,
    .hlong = hlong_sse2,
    .hlong_u8 = NULL,
    .cols = cols_sse2,
    .transpose = hm__rs_transpose16,
    .weights = weights_sse2,
    .luma_rgb = hm__luma_rgb_sse2,
    .haar_approx = approx_sse2,
    .haar_approx_px = approx_px_sse2,
    .haar_rebuild = rebuild_sse2,
    .haar_rebuild_px = rebuild_px_sse2,
    .pdq_vstep = hm__pdq_vstep_v4,
    .pdq_divide = hm__pdq_divide_v4};
