/* ih_avx2.c - imagehash kernels for AVX2 (compiled with -mavx2 only; run only
 * when hm__cpu_features() reports AVX2 with the YMM state saved).
 *
 * Resize: 16 taps per vpmaddwd in the dot products; the column kernel takes 32
 * columns at once. Its unpacks and packs work within 128-bit lanes, so the
 * columns are scrambled in the accumulators and put back in order by the
 * packs. Haar: four blocks per vector, the scalar expressions lane by lane. */
#include <immintrin.h>

#include "ih_x86_inl.h"
#define HM__W_LANES 4
#include "ih_weights_inl.h"

/* ---- resize ---- */

HM__IH_INLINE __m128i fold256(__m256i v)
{
    return _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

HM__IH_INLINE void hlong4(const int16_t *const r[4], const hm__rs_axis *ax, uint32_t o,
                          int split, uint8_t *dst, size_t dstride)
{
    const __m256i z = _mm256_setzero_si256();
    const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
    int32_t s = ax->start[o], n = (ax->n[o] + 15) & ~15;
    __m256i h[4] = {z, z, z, z}, l[4] = {z, z, z, z};
    for (int32_t j = 0; j < n; j += 16) {
        __m256i kh = _mm256_loadu_si256((const __m256i *)(const void *)(hi + j));
        __m256i kl = split ? _mm256_loadu_si256((const __m256i *)(const void *)(lo + j)) : z;
        HM__IH_UNROLL
        for (int i = 0; i < 4; i++) {
            __m256i px = _mm256_loadu_si256((const __m256i *)(const void *)(r[i] + s + j));
            h[i] = _mm256_add_epi32(h[i], _mm256_madd_epi16(px, kh));
            if (split) l[i] = _mm256_add_epi32(l[i], _mm256_madd_epi16(px, kl));
        }
    }
    __m128i t[4];
    HM__IH_UNROLL
    for (int i = 0; i < 4; i++) {
        t[i] = fold256(h[i]);
        if (split) t[i] = _mm_add_epi32(_mm_slli_epi32(t[i], HM__RS_SPLIT_BITS), fold256(l[i]));
    }
    hm__store4(t[0], t[1], t[2], t[3], dst + o, dstride);
}

static void hlong_avx2(const int16_t *rows, size_t rstride, uint32_t nrows,
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

HM__IH_INLINE __m256i round_shift256(__m256i acc)
{
    return _mm256_srai_epi32(_mm256_add_epi32(acc, _mm256_set1_epi32(HM__RS_ROUND)),
                             HM__RS_PRECISION_BITS);
}

/* 32 columns of one output. Accumulator q holds columns 4q..4q+3 in its low
 * lane and 16+4q.. in its high lane; the in-lane packs undo that order. */
HM__IH_INLINE void cols32(const uint8_t *b, size_t stride, const int16_t *hi, const int16_t *lo,
                          int32_t n, int split, uint8_t *out)
{
    const __m256i z = _mm256_setzero_si256();
    __m256i h0 = z, h1 = z, h2 = z, h3 = z, l0 = z, l1 = z, l2 = z, l3 = z;
    /* Whole pairs, then the last tap alone (its pair partner weighs 0). The
     * loop body has no branch, so that the accumulators stay in place. */
#define HM_MADD(acc, p, k) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, k))
#define HM_PAIR_STEP(c)                                                                           \
    do {                                                                                          \
        __m256i x0 = _mm256_unpacklo_epi8(a, (c)), x1 = _mm256_unpackhi_epi8(a, (c));             \
        __m256i p0 = _mm256_unpacklo_epi8(x0, z), p1 = _mm256_unpackhi_epi8(x0, z);               \
        __m256i p2 = _mm256_unpacklo_epi8(x1, z), p3 = _mm256_unpackhi_epi8(x1, z);               \
        __m256i kh = _mm256_set1_epi32(hm__pair32(hi + j));                                       \
        HM_MADD(h0, p0, kh);                                                                      \
        HM_MADD(h1, p1, kh);                                                                      \
        HM_MADD(h2, p2, kh);                                                                      \
        HM_MADD(h3, p3, kh);                                                                      \
        if (split) {                                                                              \
            __m256i kl = _mm256_set1_epi32(hm__pair32(lo + j));                                   \
            HM_MADD(l0, p0, kl);                                                                  \
            HM_MADD(l1, p1, kl);                                                                  \
            HM_MADD(l2, p2, kl);                                                                  \
            HM_MADD(l3, p3, kl);                                                                  \
        }                                                                                         \
    } while (0)
    int32_t j = 0;
    for (; j + 1 < n; j += 2) {
        const uint8_t *ra = b + (size_t)j * stride;
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)ra);
        __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(ra + stride));
        HM_PAIR_STEP(c);
    }
    if (j < n) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(b + (size_t)j * stride));
        HM_PAIR_STEP(z);
    }
#undef HM_PAIR_STEP
#undef HM_MADD
    if (split) {
        h0 = _mm256_add_epi32(_mm256_slli_epi32(h0, HM__RS_SPLIT_BITS), l0);
        h1 = _mm256_add_epi32(_mm256_slli_epi32(h1, HM__RS_SPLIT_BITS), l1);
        h2 = _mm256_add_epi32(_mm256_slli_epi32(h2, HM__RS_SPLIT_BITS), l2);
        h3 = _mm256_add_epi32(_mm256_slli_epi32(h3, HM__RS_SPLIT_BITS), l3);
    }
    h0 = round_shift256(h0);
    h1 = round_shift256(h1);
    h2 = round_shift256(h2);
    h3 = round_shift256(h3);
    __m256i v = _mm256_packus_epi16(_mm256_packs_epi32(h0, h1), _mm256_packs_epi32(h2, h3));
    _mm256_storeu_si256((__m256i *)(void *)out, v);
}

static void cols_avx2(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                      const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                      size_t dstride)
{
    for (uint32_t o = o0; o < o1; o++) {
        const uint8_t *b = src + (size_t)(ax->start[o] - base) * stride;
        const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
        uint8_t *out = dst + (o - o0) * dstride;
        uint32_t x = 0;
        for (; x + 32 <= width; x += 32) {
            if (ax->split) cols32(b + x, stride, hi, lo, ax->n[o], 1, out + x);
            else cols32(b + x, stride, hi, lo, ax->n[o], 0, out + x);
        }
        hm__cols_tail_128(src, stride, base, x, width, ax, o, out);
    }
}

/* 16 rows of 32 bytes -> 32 rows of 16: four perfect shuffles within each
 * 128-bit lane transpose two 16x16 tiles at once; register i then holds, in
 * lane L, byte 16L + (i with its 4 bits reversed) of every row. */
static void transpose_avx2(const uint8_t *const in[16], uint8_t *out, size_t ostride,
                           uint32_t nout)
{
    static const uint8_t REV4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    __m256i a[16], b[16];
    HM__IH_UNROLL16
    for (int i = 0; i < 16; i++) a[i] = _mm256_loadu_si256((const __m256i *)(const void *)in[i]);
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        b[i] = _mm256_unpacklo_epi8(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm256_unpackhi_epi8(a[2 * i], a[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        a[i] = _mm256_unpacklo_epi16(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm256_unpackhi_epi16(b[2 * i], b[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        b[i] = _mm256_unpacklo_epi32(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm256_unpackhi_epi32(a[2 * i], a[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (int i = 0; i < 8; i++) {
        a[i] = _mm256_unpacklo_epi64(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm256_unpackhi_epi64(b[2 * i], b[2 * i + 1]);
    }
    HM__IH_UNROLL16
    for (uint32_t q = 0; q < 16; q++)
        if (q < nout)
            _mm_storeu_si128((__m128i *)(void *)(out + q * ostride),
                             _mm256_castsi256_si128(a[REV4[q]]));
    HM__IH_UNROLL16
    for (uint32_t q = 0; q < 16; q++)
        if (16 + q < nout)
            _mm_storeu_si128((__m128i *)(void *)(out + (16 + q) * ostride),
                             _mm256_extracti128_si256(a[REV4[q]], 1));
}

/* ---- luma: 8 pixels per vector, 4 per 128-bit lane ---- */

/* Byte shuffles of 12 RGB bytes (4 pixels) within a lane: R, G, B as int32;
 * (R, G) and (B, G) as int16 pairs. */
#define HM_LANE_MASK(a, b, c, d)                                                                  \
    _mm256_setr_epi8(a, b, c, d, a + 3, b + 3, c + 3, d + 3, a + 6, b + 6, c + 6, d + 6, a + 9,  \
                     b + 9, c + 9, d + 9, a, b, c, d, a + 3, b + 3, c + 3, d + 3, a + 6, b + 6,   \
                     c + 6, d + 6, a + 9, b + 9, c + 9, d + 9)
#define Z (-100) /* a mask byte with the top bit set: zero, even after adding 9 */

/* Pillow's sum from two shuffles: the int16 pair (B, G) read as an int32 is
 * B + 65536G, so 19595R + 38470G + 7471B + 32768 = (B + 65536G + 32768)
 * + pmaddwd((R, G), (19595, -27066)) + pmaddwd((B, G), (7470, 0)); exact. */
HM__IH_INLINE __m256i pil8(__m256i v)
{
    const __m256i w_rg = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)-27066 << 16 | 19595));
    const __m256i w_bg = _mm256_set1_epi32(7470);
    __m256i bg = _mm256_shuffle_epi8(v, HM_LANE_MASK(2, Z, 1, Z));
    __m256i s = _mm256_add_epi32(bg, _mm256_set1_epi32(32768));
    s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_shuffle_epi8(v, HM_LANE_MASK(0, Z, 1, Z)), w_rg));
    s = _mm256_add_epi32(s, _mm256_madd_epi16(bg, w_bg));
    return _mm256_srli_epi32(s, 16);
}

/* PDQ: (0.299f*R + 0.587f*G) + 0.114f*B, lane by lane as the scalar code. */
HM__IH_INLINE __m256 pdq8(__m256i v)
{
    __m256 r = _mm256_cvtepi32_ps(_mm256_shuffle_epi8(v, HM_LANE_MASK(0, Z, Z, Z)));
    __m256 g = _mm256_cvtepi32_ps(_mm256_shuffle_epi8(v, HM_LANE_MASK(1, Z, Z, Z)));
    __m256 b = _mm256_cvtepi32_ps(_mm256_shuffle_epi8(v, HM_LANE_MASK(2, Z, Z, Z)));
    __m256 rg = _mm256_add_ps(_mm256_mul_ps(r, _mm256_set1_ps(0.299f)),
                              _mm256_mul_ps(g, _mm256_set1_ps(0.587f)));
    return _mm256_add_ps(rg, _mm256_mul_ps(b, _mm256_set1_ps(0.114f)));
}

/* Pixels 0..3 in the low lane, 4..7 in the high one (reads 28 bytes). */
HM__IH_INLINE __m256i load8px(const uint8_t *p)
{
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 12));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

#define PREFETCH 1536 /* bytes ahead: the hardware prefetchers alone leave the stream latency-bound */

static void luma_rgb_avx2(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    /* the loads of 32 pixels read 100 of their 96 bytes: leave room */
    size_t i = 0;
    for (; i + 34 <= n; i += 32) {
        const uint8_t *q = p + 3 * i;
        _mm_prefetch((const char *)(q + PREFETCH), _MM_HINT_T0);
        _mm_prefetch((const char *)(q + PREFETCH + 64), _MM_HINT_T0);
        __m256i v[4];
        HM__IH_UNROLL
        for (int k = 0; k < 4; k++) v[k] = load8px(q + 24 * k);
        if (pdq)
            HM__IH_UNROLL
            for (int k = 0; k < 4; k++) _mm256_storeu_ps(pdq + i + 8 * k, pdq8(v[k]));
        if (pil) {
            __m256i a = _mm256_packs_epi32(pil8(v[0]), pil8(v[1]));
            __m256i b = _mm256_packs_epi32(pil8(v[2]), pil8(v[3]));
            /* dwords hold pixels 0-3, 8-11, 16-19, 24-27 | 4-7, 12-15, ... */
            __m256i w = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(a, b),
                                                    _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(void *)(pil + i), w);
        }
    }
    hm__luma_rgb_scalar(p + 3 * i, n - i, pdq ? pdq + i : NULL, pil ? pil + i : NULL);
}
#undef Z
#undef HM_LANE_MASK

/* ---- Haar: four blocks per vector ---- */

#define MUL _mm256_mul_pd
#define ADD _mm256_add_pd
#define SUB _mm256_sub_pd
/* unpacklo/hi of two vectors of 4 give blocks in the order j, j+2, j+1, j+3;
 * this permutation (its own inverse) converts between that order and j..j+3 */
#define SWAP_MID(v) _mm256_permute4x64_pd((v), 0xD8)

typedef struct quad {
    __m256d x00, x01, x10, x11; /* blocks j, j+2, j+1, j+3 */
} quad;

HM__IH_INLINE quad load_quad(const double *r0, const double *r1)
{
    __m256d a = _mm256_loadu_pd(r0), b = _mm256_loadu_pd(r0 + 4);
    __m256d c = _mm256_loadu_pd(r1), d = _mm256_loadu_pd(r1 + 4);
    quad q = {_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b), _mm256_unpacklo_pd(c, d),
              _mm256_unpackhi_pd(c, d)};
    return q;
}

static void approx_avx2(const double *r0, const double *r1, uint32_t half, double *dst)
{
    const __m256d H = _mm256_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 4 <= half; j += 4) {
        quad q = load_quad(r0 + 2 * j, r1 + 2 * j);
        __m256d a0 = ADD(MUL(H, q.x00), MUL(H, q.x10)), a1 = ADD(MUL(H, q.x01), MUL(H, q.x11));
        _mm256_storeu_pd(dst + j, SWAP_MID(ADD(MUL(H, a0), MUL(H, a1))));
    }
    hm__haar_approx_scalar(r0 + 2 * j, r1 + 2 * j, half - j, dst + j);
}

/* hx of the even or odd bytes of p[0..7] (four blocks, in order): a gather
 * from the 256-entry table. */
HM__IH_INLINE __m256d look4(const uint8_t *p, const double *hx, int odd)
{
    const __m128i even = _mm_setr_epi8(0, -1, -1, -1, 2, -1, -1, -1, 4, -1, -1, -1, 6, -1, -1, -1);
    const __m128i odds = _mm_setr_epi8(1, -1, -1, -1, 3, -1, -1, -1, 5, -1, -1, -1, 7, -1, -1, -1);
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)p);
    __m128i idx = _mm_shuffle_epi8(v, odd ? odds : even);
    return _mm256_i32gather_pd(hx, idx, 8);
}

static void approx_px_avx2(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                           const double *hx, double *dst)
{
    const __m256d H = _mm256_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 4 <= half; j += 4) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m256d a0 = ADD(look4(a, hx, 0), look4(b, hx, 0));
        __m256d a1 = ADD(look4(a, hx, 1), look4(b, hx, 1));
        _mm256_storeu_pd(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, dst + j);
}

HM__IH_INLINE void rebuild_tail(__m256d H, __m256d a0, __m256d a1, __m256d d0, __m256d d1,
                                __m256d aa, __m256d y[4])
{
    __m256d ad = SUB(MUL(H, a0), MUL(H, a1));
    __m256d da = ADD(MUL(H, d0), MUL(H, d1)), dd = SUB(MUL(H, d0), MUL(H, d1));
    __m256d la0 = ADD(MUL(H, aa), MUL(H, ad)), la1 = SUB(MUL(H, aa), MUL(H, ad));
    __m256d ld0 = ADD(MUL(H, da), MUL(H, dd)), ld1 = SUB(MUL(H, da), MUL(H, dd));
    y[0] = ADD(MUL(H, la0), MUL(H, ld0));
    y[1] = ADD(MUL(H, la1), MUL(H, ld1));
    y[2] = SUB(MUL(H, la0), MUL(H, ld0));
    y[3] = SUB(MUL(H, la1), MUL(H, ld1));
}

static void rebuild_avx2(double *r0, double *r1, uint32_t half, const double *coarse)
{
    const __m256d H = _mm256_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 4 <= half; j += 4) {
        quad q = load_quad(r0 + 2 * j, r1 + 2 * j);
        __m256d a0 = ADD(MUL(H, q.x00), MUL(H, q.x10)), a1 = ADD(MUL(H, q.x01), MUL(H, q.x11));
        __m256d d0 = SUB(MUL(H, q.x00), MUL(H, q.x10)), d1 = SUB(MUL(H, q.x01), MUL(H, q.x11));
        __m256d y[4];
        rebuild_tail(H, a0, a1, d0, d1, SWAP_MID(_mm256_loadu_pd(coarse + j)), y);
        _mm256_storeu_pd(r0 + 2 * j, _mm256_unpacklo_pd(y[0], y[1]));
        _mm256_storeu_pd(r0 + 2 * j + 4, _mm256_unpackhi_pd(y[0], y[1]));
        _mm256_storeu_pd(r1 + 2 * j, _mm256_unpacklo_pd(y[2], y[3]));
        _mm256_storeu_pd(r1 + 2 * j + 4, _mm256_unpackhi_pd(y[2], y[3]));
    }
    hm__haar_rebuild_scalar(r0 + 2 * j, r1 + 2 * j, half - j, coarse + j);
}

static void rebuild_px_avx2(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                            const double *hx, double *aout)
{
    const __m256d H = _mm256_set1_pd(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 4 <= half; j += 4) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        __m256d x00 = look4(a, hx, 0), x01 = look4(a, hx, 1);
        __m256d x10 = look4(b, hx, 0), x11 = look4(b, hx, 1);
        __m256d y[4];
        rebuild_tail(H, ADD(x00, x10), ADD(x01, x11), SUB(x00, x10), SUB(x01, x11),
                     _mm256_loadu_pd(aout + j), y);
        __m256d a0 = ADD(MUL(H, y[0]), MUL(H, y[2])), a1 = ADD(MUL(H, y[1]), MUL(H, y[3]));
        _mm256_storeu_pd(aout + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_rebuild_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, aout + j);
}

/* ---- resize weights ---- */

static int weights_avx2(int32_t xmin, uint32_t n, double center, double ss, double *L, int32_t *k)
{
    return hm__w_weights(xmin, n, center, ss, L, k);
}

/* ---- PDQ's box filter ---- */

#define HM__PDQ_LANES 8
#include "pdq_rows_inl.h"

const hm__ih_kernels hm__ih_kernels_avx2 = {
    .tier = HM__IH_AVX2,
    .block_rows = 32,
    .hlong = hlong_avx2,
    .hlong_u8 = NULL,
    .cols = cols_avx2,
    .transpose = transpose_avx2,
    .weights = weights_avx2,
    .luma_rgb = luma_rgb_avx2,
    .haar_approx = approx_avx2,
    .haar_approx_px = approx_px_avx2,
    .haar_rebuild = rebuild_avx2,
    .haar_rebuild_px = rebuild_px_avx2,
    .pdq_vstep = pdq_vstep_wide,
    .pdq_divide = pdq_divide_wide};
