/* ih_x86_inl.h - 128-bit pieces shared by the x86 kernel files (internal).
 * Included by ih_sse2.c, ih_avx2.c and ih_avx512.c, each compiled with its own
 * flags, so that every file's copy uses only the instructions of its tier. */
#ifndef HM_IH_X86_INL_H
#define HM_IH_X86_INL_H

#include <emmintrin.h>
#include <string.h>

#include "ih_kernels.h"

/* Two taps' int16 weights (taps j and j+1) as one 32-bit word. */
HM__IH_INLINE int32_t hm__pair32(const int16_t *k)
{
    int32_t v;
    memcpy(&v, k, sizeof v);
    return v;
}

/* Sum of the four lanes of each of t0..t3, as the four lanes of the result. */
HM__IH_INLINE __m128i hm__hsum4x4(__m128i t0, __m128i t1, __m128i t2, __m128i t3)
{
    __m128i a = _mm_add_epi32(_mm_unpacklo_epi32(t0, t1), _mm_unpackhi_epi32(t0, t1));
    __m128i b = _mm_add_epi32(_mm_unpacklo_epi32(t2, t3), _mm_unpackhi_epi32(t2, t3));
    return _mm_add_epi32(_mm_unpacklo_epi64(a, b), _mm_unpackhi_epi64(a, b));
}

/* Sums without the rounding bias -> the clamped bytes as Pillow's clip8:
 * (acc + bias) >> 22 saturated to int16, then to 0..255. */
HM__IH_INLINE __m128i hm__round_shift(__m128i acc)
{
    return _mm_srai_epi32(_mm_add_epi32(acc, _mm_set1_epi32(HM__RS_ROUND)), HM__RS_PRECISION_BITS);
}

/* Four rows' sums of one output (lanes: partial sums) -> one byte per row. */
HM__IH_INLINE void hm__store4(__m128i t0, __m128i t1, __m128i t2, __m128i t3, uint8_t *dst,
                              size_t dstride)
{
    __m128i v = hm__round_shift(hm__hsum4x4(t0, t1, t2, t3));
    v = _mm_packs_epi32(v, v);
    uint32_t out = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v));
    HM__IH_UNROLL
    for (int i = 0; i < 4; i++) dst[i * dstride] = (uint8_t)(out >> (8 * i));
}

/* Column kernel, 8 or 16 columns (`wide`) of one output: pairs of source rows
 * interleaved so that pmaddwd adds both taps of a pair in one step. */
HM__IH_INLINE __m128i hm__load_cols(const uint8_t *p, int wide)
{
    return wide ? _mm_loadu_si128((const __m128i *)(const void *)p)
                : _mm_loadl_epi64((const __m128i *)(const void *)p);
}

HM__IH_INLINE void hm__cols_128(const uint8_t *b, size_t stride, const int16_t *hi,
                                const int16_t *lo, int32_t n, int split, int wide, uint8_t *out)
{
    const __m128i z = _mm_setzero_si128();
    __m128i h0 = z, h1 = z, h2 = z, h3 = z, l0 = z, l1 = z, l2 = z, l3 = z;
    /* Whole pairs, then the last tap alone (its pair partner weighs 0). The
     * loop body has no branch, so that the accumulators stay in place. */
#define HM_MADD(acc, p, k) acc = _mm_add_epi32(acc, _mm_madd_epi16(p, k))
#define HM_PAIR_STEP(c)                                                                           \
    do {                                                                                          \
        __m128i x0 = _mm_unpacklo_epi8(a, (c)), x1 = _mm_unpackhi_epi8(a, (c));                   \
        __m128i p0 = _mm_unpacklo_epi8(x0, z), p1 = _mm_unpackhi_epi8(x0, z);                     \
        __m128i p2 = _mm_unpacklo_epi8(x1, z), p3 = _mm_unpackhi_epi8(x1, z);                     \
        __m128i kh = _mm_set1_epi32(hm__pair32(hi + j));                                          \
        HM_MADD(h0, p0, kh);                                                                      \
        HM_MADD(h1, p1, kh);                                                                      \
        if (wide) {                                                                               \
            HM_MADD(h2, p2, kh);                                                                  \
            HM_MADD(h3, p3, kh);                                                                  \
        }                                                                                         \
        if (split) {                                                                              \
            __m128i kl = _mm_set1_epi32(hm__pair32(lo + j));                                      \
            HM_MADD(l0, p0, kl);                                                                  \
            HM_MADD(l1, p1, kl);                                                                  \
            if (wide) {                                                                           \
                HM_MADD(l2, p2, kl);                                                              \
                HM_MADD(l3, p3, kl);                                                              \
            }                                                                                     \
        }                                                                                         \
    } while (0)
    int32_t j = 0;
    for (; j + 1 < n; j += 2) {
        const uint8_t *ra = b + (size_t)j * stride;
        __m128i a = hm__load_cols(ra, wide), c = hm__load_cols(ra + stride, wide);
        HM_PAIR_STEP(c);
    }
    if (j < n) {
        __m128i a = hm__load_cols(b + (size_t)j * stride, wide);
        HM_PAIR_STEP(z);
    }
#undef HM_PAIR_STEP
#undef HM_MADD
    if (split) {
        h0 = _mm_add_epi32(_mm_slli_epi32(h0, HM__RS_SPLIT_BITS), l0);
        h1 = _mm_add_epi32(_mm_slli_epi32(h1, HM__RS_SPLIT_BITS), l1);
        h2 = _mm_add_epi32(_mm_slli_epi32(h2, HM__RS_SPLIT_BITS), l2);
        h3 = _mm_add_epi32(_mm_slli_epi32(h3, HM__RS_SPLIT_BITS), l3);
    }
    __m128i v = _mm_packus_epi16(_mm_packs_epi32(hm__round_shift(h0), hm__round_shift(h1)),
                                 _mm_packs_epi32(hm__round_shift(h2), hm__round_shift(h3)));
    if (wide) _mm_storeu_si128((__m128i *)(void *)out, v);
    else _mm_storel_epi64((__m128i *)(void *)out, v);
}

/* The columns of one output from x on, 16 and 8 at a time, then one by one. */
HM__IH_INLINE void hm__cols_tail_128(const uint8_t *src, size_t stride, int32_t base,
                                     uint32_t x, uint32_t width, const hm__rs_axis *ax,
                                     uint32_t o, uint8_t *out)
{
    const uint8_t *b = src + (size_t)(ax->start[o] - base) * stride;
    const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
    int32_t n = ax->n[o];
    for (; x + 16 <= width; x += 16) {
        if (ax->split) hm__cols_128(b + x, stride, hi, lo, n, 1, 1, out + x);
        else hm__cols_128(b + x, stride, hi, lo, n, 0, 1, out + x);
    }
    for (; x + 8 <= width; x += 8) {
        if (ax->split) hm__cols_128(b + x, stride, hi, lo, n, 1, 0, out + x);
        else hm__cols_128(b + x, stride, hi, lo, n, 0, 0, out + x);
    }
    for (; x < width; x++) out[x] = hm__rs_col1(src, stride, base, ax, o, x);
}

#endif /* HM_IH_X86_INL_H */
