/* ih_avx512.c - imagehash kernels for AVX-512 F/BW/VL/VNNI (compiled with only
 * those flags and AVX2; run only when hm__cpu_features() reports them with the
 * ZMM and opmask state saved).
 *
 * Resize: the dot products of long windows read the bytes themselves:
 * vpdpbusd adds four byte products per int32 lane (64 taps per instruction),
 * once per signed-byte piece of the 22-bit weights; vpdpwssd multiplies pairs
 * of int16 and adds them to int32 lanes in one instruction; the column kernel
 * takes 64 columns at once, with masked loads and stores for the last ones,
 * and its in-lane unpacks are undone by the in-lane packs. Haar: eight blocks
 * per vector, the scalar expressions lane by lane (no FMA is ever formed:
 * -ffp-contract=off). */
#include <immintrin.h>

#include "ih_x86_inl.h"
#define HM__W_FMA(a, b, c) ((hm__wd)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#define HM__W_LANES 8
#include "ih_weights_inl.h"

/* ---- resize ---- */

HM__IH_INLINE __m128i fold512(__m512i v)
{
    __m256i a = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    return _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
}

HM__IH_INLINE void hlong4(const int16_t *const r[4], const hm__rs_axis *ax, uint32_t o,
                          int split, uint8_t *dst, size_t dstride)
{
    const __m512i z = _mm512_setzero_si512();
    const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
    int32_t s = ax->start[o], n = (ax->n[o] + 31) & ~31;
    __m512i h[4] = {z, z, z, z}, l[4] = {z, z, z, z};
    for (int32_t j = 0; j < n; j += 32) {
        __m512i kh = _mm512_loadu_si512((const void *)(hi + j));
        __m512i kl = split ? _mm512_loadu_si512((const void *)(lo + j)) : z;
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) {
            __m512i px = _mm512_loadu_si512((const void *)(r[i] + s + j));
            h[i] = _mm512_dpwssd_epi32(h[i], px, kh);
            if (split) l[i] = _mm512_dpwssd_epi32(l[i], px, kl);
        }
    }
    __m128i t[4];
    HM__IH_UNROLL
    for (int i = 0; i < 4; i++) {
        t[i] = fold512(h[i]);
        if (split) t[i] = _mm_add_epi32(_mm_slli_epi32(t[i], HM__RS_SPLIT_BITS), fold512(l[i]));
    }
    hm__store4(t[0], t[1], t[2], t[3], dst + o, dstride);
}

static void hlong_avx512(const int16_t *rows, size_t rstride, uint32_t nrows,
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

/* One output of R rows straight from the bytes: vpdpbusd adds four
 * unsigned-byte x signed-byte products per lane, once per byte piece of the
 * weights (2 or 3); the pieces' sums are shifted into place at the end. */
HM__IH_INLINE void hlong_u8_rows(const uint8_t *const r[4], int R, const hm__rs_axis *ax,
                                 uint32_t o, int pieces, uint8_t *dst, size_t dstride)
{
    const __m512i z = _mm512_setzero_si512();
    size_t taps = (size_t)ax->out * ax->kpad;
    const int8_t *k0 = ax->k8 + (size_t)o * ax->kpad, *k1 = k0 + taps, *k2 = k1 + taps;
    int32_t s = ax->start[o], n = (ax->n[o] + 63) & ~63, lim = (int32_t)ax->in - s;
    __m512i a0[4] = {z, z, z, z}, a1[4] = {z, z, z, z}, a2[4] = {z, z, z, z};
    /* Whole loads while the row lasts, then at most one masked load: no
     * branch in the loop, so that the accumulators stay in place. */
#define HM_CHUNK(LOAD)                                                                            \
    do {                                                                                          \
        __m512i w0 = _mm512_loadu_si512((const void *)(k0 + j));                                   \
        __m512i w1 = _mm512_loadu_si512((const void *)(k1 + j));                                   \
        __m512i w2 = pieces == 3 ? _mm512_loadu_si512((const void *)(k2 + j)) : z;                 \
        HM__IH_UNROLL                                                                             \
        for (int i = 0; i < R; i++) {                                                             \
            __m512i px = LOAD;                                                                    \
            a0[i] = _mm512_dpbusd_epi32(a0[i], px, w0);                                           \
            a1[i] = _mm512_dpbusd_epi32(a1[i], px, w1);                                           \
            if (pieces == 3) a2[i] = _mm512_dpbusd_epi32(a2[i], px, w2);                          \
        }                                                                                         \
    } while (0)
    int32_t full = lim & ~63, j = 0;
    if (full > n) full = n;
    for (; j < full; j += 64) HM_CHUNK(_mm512_loadu_si512((const void *)(r[i] + s + j)));
    if (j < n) {
        __mmask64 m = ((__mmask64)1 << (lim - j)) - 1; /* 0 < lim - j < 64 */
        HM_CHUNK(_mm512_maskz_loadu_epi8(m, r[i] + s + j));
    }
#undef HM_CHUNK
    __m128i t[4];
    HM__IH_UNROLL
    for (int i = 0; i < R; i++) {
        __m512i v = _mm512_add_epi32(a0[i], _mm512_slli_epi32(a1[i], 7));
        if (pieces == 3) v = _mm512_add_epi32(v, _mm512_slli_epi32(a2[i], 14));
        t[i] = fold512(v);
    }
    if (R == 4) {
        hm__store4(t[0], t[1], t[2], t[3], dst + o, dstride);
        return;
    }
    __m128i v = hm__round_shift(hm__hsum4x4(t[0], t[0], t[0], t[0]));
    v = _mm_packs_epi32(v, v);
    dst[o] = (uint8_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v));
}

static void hlong_u8_avx512(const uint8_t *rows, size_t stride, uint32_t nrows,
                            const hm__rs_axis *ax, uint8_t *dst, size_t dstride)
{
    uint32_t y = 0;
    for (; y + 4 <= nrows; y += 4) {
        const uint8_t *r[4];
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) r[i] = rows + (y + i) * stride;
        uint8_t *d = dst + y * dstride;
        if (ax->pieces == 3)
            for (uint32_t o = 0; o < ax->out; o++) hlong_u8_rows(r, 4, ax, o, 3, d, dstride);
        else
            for (uint32_t o = 0; o < ax->out; o++) hlong_u8_rows(r, 4, ax, o, 2, d, dstride);
    }
    for (; y < nrows; y++) {
        const uint8_t *r[4] = {rows + y * stride, NULL, NULL, NULL};
        uint8_t *d = dst + y * dstride;
        for (uint32_t o = 0; o < ax->out; o++) hlong_u8_rows(r, 1, ax, o, ax->pieces, d, dstride);
    }
}

/* Up to 64 columns of one output (mask m selects them). Accumulator q holds
 * columns 16L+4q .. 16L+4q+3 in 128-bit lane L; the in-lane packs restore
 * the order. */
HM__IH_INLINE void cols64(const uint8_t *b, size_t stride, const int16_t *hi, const int16_t *lo,
                          int32_t n, int split, __mmask64 m, uint8_t *out)
{
    const __m512i z = _mm512_setzero_si512();
    __m512i h0 = z, h1 = z, h2 = z, h3 = z, l0 = z, l1 = z, l2 = z, l3 = z;
    /* Whole pairs, then the last tap alone (its pair partner weighs 0). The
     * loop body has no branch, so that the accumulators stay in place. */
#define HM_PAIR_STEP(c)                                                                           \
    do {                                                                                          \
        __m512i x0 = _mm512_unpacklo_epi8(a, (c)), x1 = _mm512_unpackhi_epi8(a, (c));             \
        __m512i p0 = _mm512_unpacklo_epi8(x0, z), p1 = _mm512_unpackhi_epi8(x0, z);               \
        __m512i p2 = _mm512_unpacklo_epi8(x1, z), p3 = _mm512_unpackhi_epi8(x1, z);               \
        __m512i kh = _mm512_set1_epi32(hm__pair32(hi + j));                                       \
        h0 = _mm512_dpwssd_epi32(h0, p0, kh);                                                     \
        h1 = _mm512_dpwssd_epi32(h1, p1, kh);                                                     \
        h2 = _mm512_dpwssd_epi32(h2, p2, kh);                                                     \
        h3 = _mm512_dpwssd_epi32(h3, p3, kh);                                                     \
        if (split) {                                                                              \
            __m512i kl = _mm512_set1_epi32(hm__pair32(lo + j));                                   \
            l0 = _mm512_dpwssd_epi32(l0, p0, kl);                                                 \
            l1 = _mm512_dpwssd_epi32(l1, p1, kl);                                                 \
            l2 = _mm512_dpwssd_epi32(l2, p2, kl);                                                 \
            l3 = _mm512_dpwssd_epi32(l3, p3, kl);                                                 \
        }                                                                                         \
    } while (0)
    int32_t j = 0;
    for (; j + 1 < n; j += 2) {
        const uint8_t *ra = b + (size_t)j * stride;
        __m512i a = _mm512_maskz_loadu_epi8(m, ra);
        __m512i c = _mm512_maskz_loadu_epi8(m, ra + stride);
        HM_PAIR_STEP(c);
    }
    if (j < n) {
        __m512i a = _mm512_maskz_loadu_epi8(m, b + (size_t)j * stride);
        HM_PAIR_STEP(z);
    }
#undef HM_PAIR_STEP
    if (split) {
        h0 = _mm512_add_epi32(_mm512_slli_epi32(h0, HM__RS_SPLIT_BITS), l0);
        h1 = _mm512_add_epi32(_mm512_slli_epi32(h1, HM__RS_SPLIT_BITS), l1);
        h2 = _mm512_add_epi32(_mm512_slli_epi32(h2, HM__RS_SPLIT_BITS), l2);
        h3 = _mm512_add_epi32(_mm512_slli_epi32(h3, HM__RS_SPLIT_BITS), l3);
    }
    const __m512i bias = _mm512_set1_epi32(HM__RS_ROUND);
    h0 = _mm512_srai_epi32(_mm512_add_epi32(h0, bias), HM__RS_PRECISION_BITS);
    h1 = _mm512_srai_epi32(_mm512_add_epi32(h1, bias), HM__RS_PRECISION_BITS);
    h2 = _mm512_srai_epi32(_mm512_add_epi32(h2, bias), HM__RS_PRECISION_BITS);
    h3 = _mm512_srai_epi32(_mm512_add_epi32(h3, bias), HM__RS_PRECISION_BITS);
    __m512i v = _mm512_packus_epi16(_mm512_packs_epi32(h0, h1), _mm512_packs_epi32(h2, h3));
    _mm512_mask_storeu_epi8(out, m, v);
}

static void cols_avx512(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                        const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                        size_t dstride)
{
    for (uint32_t o = o0; o < o1; o++) {
        const uint8_t *b = src + (size_t)(ax->start[o] - base) * stride;
        const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
        uint8_t *out = dst + (o - o0) * dstride;
        for (uint32_t x = 0; x < width; x += 64) {
            uint32_t left = width - x;
            __mmask64 m = left >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << left) - 1;
            if (ax->split) cols64(b + x, stride, hi, lo, ax->n[o], 1, m, out + x);
            else cols64(b + x, stride, hi, lo, ax->n[o], 0, m, out + x);
        }
    }
}

/* 16 rows of 64 bytes -> 64 rows of 16: four perfect shuffles within each
 * 128-bit lane transpose four 16x16 tiles at once; register i then holds, in
 * lane L, byte 16L + (i with its 4 bits reversed) of every row. */
static void transpose_avx512(const uint8_t *const in[16], uint8_t *out, size_t ostride,
                             uint32_t nout)
{
    static const uint8_t REV4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    __m512i a[16], b[16];
    HM__IH_UNROLL16
    for (int i = 0; i < 16; i++) a[i] = _mm512_loadu_si512((const void *)in[i]);
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        b[i] = _mm512_unpacklo_epi8(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm512_unpackhi_epi8(a[2 * i], a[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        a[i] = _mm512_unpacklo_epi16(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm512_unpackhi_epi16(b[2 * i], b[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        b[i] = _mm512_unpacklo_epi32(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm512_unpackhi_epi32(a[2 * i], a[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        a[i] = _mm512_unpacklo_epi64(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm512_unpackhi_epi64(b[2 * i], b[2 * i + 1]);
    }
#define HM_STORE_LANE(L)                                                                          \
    HM__IH_UNROLL16                                                                               \
    for (uint32_t q = 0; q < 16; q++)                                                             \
        if (16 * (L) + q < nout)                                                                  \
            _mm_storeu_si128((__m128i *)(void *)(out + (16 * (L) + q) * ostride),                 \
                             _mm512_extracti32x4_epi32(a[REV4[q]], (L)));
    HM_STORE_LANE(0)
    HM_STORE_LANE(1)
    HM_STORE_LANE(2)
    HM_STORE_LANE(3)
#undef HM_STORE_LANE
}

/* ---- luma: 16 pixels per vector, 4 per 128-bit lane ---- */

#define HM_LANE_MASK(a, b, c, d)                                                                  \
    _mm512_broadcast_i32x4(_mm_setr_epi8(a, b, c, d, a + 3, b + 3, c + 3, d + 3, a + 6, b + 6,   \
                                         c + 6, d + 6, a + 9, b + 9, c + 9, d + 9))
#define Z (-100) /* a mask byte with the top bit set: zero, even after adding 9 */

/* Pillow's sum from two shuffles: the int16 pair (B, G) read as an int32 is
 * B + 65536G, so 19595R + 38470G + 7471B + 32768 = (B + 65536G + 32768)
 * + pmaddwd((R, G), (19595, -27066)) + pmaddwd((B, G), (7470, 0)); exact. */
HM__IH_INLINE __m512i pil16(__m512i v)
{
    const __m512i w_rg = _mm512_set1_epi32((int32_t)((uint32_t)(uint16_t)-27066 << 16 | 19595));
    const __m512i w_bg = _mm512_set1_epi32(7470);
    __m512i bg = _mm512_shuffle_epi8(v, HM_LANE_MASK(2, Z, 1, Z));
    __m512i s = _mm512_add_epi32(bg, _mm512_set1_epi32(32768));
    s = _mm512_dpwssd_epi32(s, _mm512_shuffle_epi8(v, HM_LANE_MASK(0, Z, 1, Z)), w_rg);
    s = _mm512_dpwssd_epi32(s, bg, w_bg);
    return _mm512_srli_epi32(s, 16);
}

/* PDQ: (0.299f*R + 0.587f*G) + 0.114f*B, lane by lane as the scalar code. */
HM__IH_INLINE __m512 pdq16(__m512i v)
{
    __m512 r = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(v, HM_LANE_MASK(0, Z, Z, Z)));
    __m512 g = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(v, HM_LANE_MASK(1, Z, Z, Z)));
    __m512 b = _mm512_cvtepi32_ps(_mm512_shuffle_epi8(v, HM_LANE_MASK(2, Z, Z, Z)));
    __m512 rg = _mm512_add_ps(_mm512_mul_ps(r, _mm512_set1_ps(0.299f)),
                              _mm512_mul_ps(g, _mm512_set1_ps(0.587f)));
    return _mm512_add_ps(rg, _mm512_mul_ps(b, _mm512_set1_ps(0.114f)));
}

/* 16 pixels (48 bytes, read exactly): lane L gets bytes 12L .. 12L+15. */
HM__IH_INLINE __m512i load16px(const uint8_t *p)
{
    __m512i v = _mm512_maskz_loadu_epi8(((__mmask64)1 << 48) - 1, p);
    return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12), v);
}

#define PREFETCH 1536 /* bytes ahead: the hardware prefetchers alone leave the stream latency-bound */

static void luma_rgb_avx512(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const uint8_t *q = p + 3 * i;
        HM__IH_UNROLL
        for (int k = 0; k < 3; k++) _mm_prefetch((const char *)(q + PREFETCH + 64 * k), _MM_HINT_T0);
        __m512i v[4];
        HM__IH_UNROLL
        for (int k = 0; k < 4; k++) v[k] = load16px(q + 48 * k);
        if (pdq)
            HM__IH_UNROLL
            for (int k = 0; k < 4; k++) _mm512_storeu_ps(pdq + i + 16 * k, pdq16(v[k]));
        if (pil) {
            __m512i a = _mm512_packs_epi32(pil16(v[0]), pil16(v[1]));
            __m512i b = _mm512_packs_epi32(pil16(v[2]), pil16(v[3]));
            /* dword 4L+k of the packed bytes holds pixels 16k+4L .. +3 */
            __m512i w = _mm512_permutexvar_epi32(
                _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
                _mm512_packus_epi16(a, b));
            _mm512_storeu_si512((void *)(pil + i), w);
        }
    }
    for (; i + 16 <= n; i += 16) {
        __m512i v = load16px(p + 3 * i);
        if (pdq) _mm512_storeu_ps(pdq + i, pdq16(v));
        if (pil) _mm_storeu_si128((__m128i *)(void *)(pil + i), _mm512_cvtepi32_epi8(pil16(v)));
    }
    hm__luma_rgb_scalar(p + 3 * i, n - i, pdq ? pdq + i : NULL, pil ? pil + i : NULL);
}
#undef Z
#undef HM_LANE_MASK

/* ---- Haar: eight blocks per vector ---- */

#define MUL _mm512_mul_pd
#define ADD _mm512_add_pd
#define SUB _mm512_sub_pd

typedef struct oct {
    __m512d x00, x01, x10, x11; /* blocks j .. j+7 */
} oct;

HM__IH_INLINE __m512i idx_even(void) { return _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14); }
HM__IH_INLINE __m512i idx_odd(void) { return _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15); }

HM__IH_INLINE oct load_oct(const double *r0, const double *r1)
{
    __m512d a = _mm512_loadu_pd(r0), b = _mm512_loadu_pd(r0 + 8);
    __m512d c = _mm512_loadu_pd(r1), d = _mm512_loadu_pd(r1 + 8);
    oct q = {_mm512_permutex2var_pd(a, idx_even(), b), _mm512_permutex2var_pd(a, idx_odd(), b),
             _mm512_permutex2var_pd(c, idx_even(), d), _mm512_permutex2var_pd(c, idx_odd(), d)};
    return q;
}

/* Stores the blocks' even and odd columns interleaved back into a row. */
HM__IH_INLINE void store_row(double *r, __m512d even, __m512d odd)
{
    const __m512i lo = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i hi = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    _mm512_storeu_pd(r, _mm512_permutex2var_pd(even, lo, odd));
    _mm512_storeu_pd(r + 8, _mm512_permutex2var_pd(even, hi, odd));
}

static void approx_avx512(const double *r0, const double *r1, uint32_t half, double *dst)
{
    const __m512d H = _mm512_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 8 <= half; j += 8) {
        oct q = load_oct(r0 + 2 * j, r1 + 2 * j);
        __m512d a0 = ADD(MUL(H, q.x00), MUL(H, q.x10)), a1 = ADD(MUL(H, q.x01), MUL(H, q.x11));
        _mm512_storeu_pd(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_scalar(r0 + 2 * j, r1 + 2 * j, half - j, dst + j);
}

/* hx of the even or odd bytes of p[0..15] (eight blocks, in order): a gather
 * from the 256-entry table. */
HM__IH_INLINE __m512d look8(const uint8_t *p, const double *hx, int odd)
{
    const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i odds = _mm_setr_epi8(1, 3, 5, 7, 9, 11, 13, 15, -1, -1, -1, -1, -1, -1, -1, -1);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m256i idx = _mm256_cvtepu8_epi32(_mm_shuffle_epi8(v, odd ? odds : even));
    return _mm512_i32gather_pd(idx, hx, 8);
}

static void approx_px_avx512(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                             const double *hx, double *dst)
{
    const __m512d H = _mm512_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 8 <= half; j += 8) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m512d a0 = ADD(look8(a, hx, 0), look8(b, hx, 0));
        __m512d a1 = ADD(look8(a, hx, 1), look8(b, hx, 1));
        _mm512_storeu_pd(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, dst + j);
}

HM__IH_INLINE void rebuild_tail(__m512d H, __m512d a0, __m512d a1, __m512d d0, __m512d d1,
                                __m512d aa, __m512d y[4])
{
    __m512d ad = SUB(MUL(H, a0), MUL(H, a1));
    __m512d da = ADD(MUL(H, d0), MUL(H, d1)), dd = SUB(MUL(H, d0), MUL(H, d1));
    __m512d la0 = ADD(MUL(H, aa), MUL(H, ad)), la1 = SUB(MUL(H, aa), MUL(H, ad));
    __m512d ld0 = ADD(MUL(H, da), MUL(H, dd)), ld1 = SUB(MUL(H, da), MUL(H, dd));
    y[0] = ADD(MUL(H, la0), MUL(H, ld0));
    y[1] = ADD(MUL(H, la1), MUL(H, ld1));
    y[2] = SUB(MUL(H, la0), MUL(H, ld0));
    y[3] = SUB(MUL(H, la1), MUL(H, ld1));
}

static void rebuild_avx512(double *r0, double *r1, uint32_t half, const double *coarse)
{
    const __m512d H = _mm512_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 8 <= half; j += 8) {
        oct q = load_oct(r0 + 2 * j, r1 + 2 * j);
        __m512d a0 = ADD(MUL(H, q.x00), MUL(H, q.x10)), a1 = ADD(MUL(H, q.x01), MUL(H, q.x11));
        __m512d d0 = SUB(MUL(H, q.x00), MUL(H, q.x10)), d1 = SUB(MUL(H, q.x01), MUL(H, q.x11));
        __m512d y[4];
        rebuild_tail(H, a0, a1, d0, d1, _mm512_loadu_pd(coarse + j), y);
        store_row(r0 + 2 * j, y[0], y[1]);
        store_row(r1 + 2 * j, y[2], y[3]);
    }
    hm__haar_rebuild_scalar(r0 + 2 * j, r1 + 2 * j, half - j, coarse + j);
}

static void rebuild_px_avx512(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                              const double *hx, double *aout)
{
    const __m512d H = _mm512_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 8 <= half; j += 8) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m512d x00 = look8(a, hx, 0), x01 = look8(a, hx, 1);
        __m512d x10 = look8(b, hx, 0), x11 = look8(b, hx, 1);
        __m512d y[4];
        rebuild_tail(H, ADD(x00, x10), ADD(x01, x11), SUB(x00, x10), SUB(x01, x11),
                     _mm512_loadu_pd(aout + j), y);
        __m512d a0 = ADD(MUL(H, y[0]), MUL(H, y[2])), a1 = ADD(MUL(H, y[1]), MUL(H, y[3]));
        _mm512_storeu_pd(aout + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_rebuild_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, aout + j);
}

/* ---- resize weights ---- */

static int weights_avx512(int32_t xmin, uint32_t n, double center, double ss, double *L, int32_t *k)
{
    return hm__w_weights(xmin, n, center, ss, L, k);
}

/* ---- PDQ's box filter ---- */

#define HM__PDQ_LANES 16
#include "pdq_rows_inl.h"

const hm__ih_kernels hm__ih_kernels_avx512 = {
    .tier = HM__IH_AVX512,
    .block_rows = 64,
    .hlong = hlong_avx512,
    .hlong_u8 = hlong_u8_avx512,
    .cols = cols_avx512,
    .transpose = transpose_avx512,
    .weights = weights_avx512,
    .luma_rgb = luma_rgb_avx512,
    .haar_approx = approx_avx512,
    .haar_approx_px = approx_px_avx512,
    .haar_rebuild = rebuild_avx512,
    .haar_rebuild_px = rebuild_px_avx512,
    .pdq_vstep = pdq_vstep_wide,
    .pdq_divide = pdq_divide_wide};
