/* pil_resample.c - Pillow's resize(..., LANCZOS) of an 8-bit grey plane, bit for bit.
 *
 * Pillow (4.3 .. 12.1, libImaging/Resample.c) computes per axis double-precision
 * Lanczos-3 weights, normalises them by their sequential sum, rounds them to
 * 22-bit fixed point and accumulates in int32 with a 2^21 rounding bias. The
 * horizontal pass runs first, over only the source rows the vertical pass reads,
 * into a clamped 8-bit intermediate. Integer sums are exact in any order, so the
 * kernels (ih_kernels.h: scalar, SSE2, AVX2, AVX-512, NEON) are free to
 * vectorise; only the fixed-point weights must be Pillow's. Pillow computes
 * them with two libm sin calls per tap; the kernels' weights function
 * evaluates the same Lanczos values by a polynomial and proves, weight by
 * weight, that the rounding gives Pillow's integers (hm__rs_weights_margin,
 * docs/IMAGEHASH.md); the rare window where it cannot is computed with
 * Pillow's own arithmetic.
 *
 * A resize is a plan that is fed source rows in order, block by block, so that
 * several resizes of one image share each read of a row (imagehash.c):
 *   - long windows (strong downscales, thousands of taps for 8x8 from a photo):
 *     one dot product per output over rows widened to int16 once, several rows
 *     sharing each load of the weights;
 *   - short windows (the wHash resize, upscaling): the block of rows is
 *     transposed so that the horizontal pass becomes a column pass, vectorised
 *     across the rows of the block, and transposed back;
 *   - the vertical pass is a column pass over the intermediate. */
#include <math.h>

#include "../common/common.h"
#include "ih_kernels.h"
#include "imagehash.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define HM_RS_SSE2 1
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#define HM_RS_NEON 1
#endif

#define HM_PI 3.14159265358979323846
#define KPAD_ALIGN 64     /* taps per output padded for the widest kernel (AVX-512) */
#define MAX_BLOCK_ROWS 64 /* the widest table's block_rows */
#define LONG_MIN_TAPS 40  /* windows of more taps take the dot-product kernels */
#define WIDE_ROWS 8       /* rows widened to int16 at a time */

enum { MODE_COPY, MODE_LONG, MODE_SHORT };

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* ---- Pillow's coefficients ---- */

static double sinc(double x)
{
    if (x == 0.0) return 1.0;
    x = x * HM_PI;
    return sin(x) / x;
}

static double lanczos3(double x)
{
    if (-3.0 <= x && x < 3.0) return sinc(x) * sinc(x / 3);
    return 0.0;
}

/* Pillow's filter support and window size for an axis. */
static double axis_support(uint32_t in, uint32_t out, double *scale, double *filterscale)
{
    *scale = (double)in / out;
    *filterscale = *scale < 1.0 ? 1.0 : *scale;
    return 3.0 * *filterscale;
}

static uint32_t axis_ksize(uint32_t in, uint32_t out)
{
    double scale, fs;
    double support = axis_support(in, out, &scale, &fs);
    return (uint32_t)ceil(support) * 2 + 1;
}

/* Taps per output as stored: long windows padded for the widest dot-product
 * kernel (64 taps at a time); short ones to a multiple of 8 past ksize (a
 * whole last pair of taps, whole vectors of the weights kernels). */
static uint32_t axis_kpad(uint32_t in, uint32_t out)
{
    uint32_t ksize = axis_ksize(in, out);
    if (ksize > LONG_MIN_TAPS) return (ksize + KPAD_ALIGN - 1) & ~(uint32_t)(KPAD_ALIGN - 1);
    return (ksize + 8) & ~(uint32_t)7;
}

static size_t axis_bytes(uint32_t in, uint32_t out)
{
    size_t taps = (size_t)out * axis_kpad(in, out);
    return align64((size_t)out * 2 * sizeof(int32_t)) + align64(taps * sizeof(int32_t)) +
           2 * align64(taps * sizeof(int16_t)) + align64(3 * taps);
}

/* Points the arrays of `ax` (in, out set) into `mem`. */
static void axis_layout(hm__rs_axis *ax, uint32_t in, uint32_t out, uint8_t *mem)
{
    uint32_t kpad = axis_kpad(in, out);
    size_t taps = (size_t)out * kpad;
    ax->in = in;
    ax->out = out;
    ax->kpad = kpad;
    ax->start = (int32_t *)(void *)mem;
    ax->n = ax->start + out;
    mem += align64((size_t)out * 2 * sizeof(int32_t));
    ax->k = (int32_t *)(void *)mem;
    mem += align64(taps * sizeof(int32_t));
    ax->khi = (int16_t *)(void *)mem;
    mem += align64(taps * sizeof(int16_t));
    ax->klo = (int16_t *)(void *)mem;
    mem += align64(taps * sizeof(int16_t));
    ax->k8 = (int8_t *)(void *)mem;
}

/* Pillow's geometry of an axis (precompute_coeffs). */
typedef struct axis_geom {
    uint32_t in;
    double scale, support, ss;
} axis_geom;

static axis_geom geom_of(uint32_t in, uint32_t out)
{
    axis_geom g;
    double filterscale;
    g.in = in;
    g.support = axis_support(in, out, &g.scale, &filterscale);
    g.ss = 1.0 / filterscale; /* Pillow multiplies by the reciprocal */
    return g;
}

/* The window of output xx: returns its size n, sets *xmin and *center. */
static uint32_t window_of(const axis_geom *g, uint32_t xx, int32_t *xmin_out, double *center_out)
{
    double center = (xx + 0.5) * g->scale;
    int xmin = (int)(center - g->support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = (int)(center + g->support + 0.5);
    if (xmax > (int)g->in) xmax = (int)g->in;
    *xmin_out = xmin;
    *center_out = center;
    return xmax > xmin ? (uint32_t)(xmax - xmin) : 0;
}

static int32_t to_fixed(double w)
{
    return (int32_t)(w < 0 ? -0.5 + w * (1 << HM__RS_PRECISION_BITS)
                           : 0.5 + w * (1 << HM__RS_PRECISION_BITS));
}

/* The fixed-point weights of one window with Pillow's own arithmetic: libm
 * sin per tap, normalised by the sequential sum (w: n doubles of scratch). */
static void weights_pillow(int32_t xmin, uint32_t n, double center, double ss, double *w,
                           int32_t *k)
{
    double ww = 0.0;
    for (uint32_t x = 0; x < n; x++) {
        w[x] = lanczos3(((int)x + xmin - center + 0.5) * ss);
        ww += w[x];
    }
    for (uint32_t x = 0; x < n; x++) {
        if (ww != 0.0) w[x] /= ww;
        k[x] = to_fixed(w[x]);
    }
}

/* Output xx's weights: the kernels' fast ones where they are proven equal
 * to Pillow's (hm__rs_weights_margin, almost always), otherwise Pillow's own
 * arithmetic. */
static uint32_t output_weights(const hm__ih_kernels *kern, const axis_geom *g, uint32_t xx,
                               double *dbl, int32_t *k, int32_t *xmin, int *exact)
{
    double center;
    uint32_t n = window_of(g, xx, xmin, &center);
    *exact = !kern->weights(*xmin, n, center, g->ss, dbl, k);
    if (*exact) weights_pillow(*xmin, n, center, g->ss, dbl, k);
    return n;
}

uint32_t hm__rs_output_weights(const hm__ih_kernels *kern, uint32_t in, uint32_t out, uint32_t xx,
                               double *scratch, int32_t *k, int32_t *xmin, int *exact)
{
    axis_geom g = geom_of(in, out);
    return output_weights(kern, &g, xx, scratch, k, xmin, exact);
}

/* ---- the narrow forms of the weights: whole arrays, in baseline SIMD ---- */

static void minmax32(const int32_t *k, size_t n, int32_t *lo_out, int32_t *hi_out)
{
    int32_t lo = 0, hi = 0;
    size_t t = 0;
#if defined(HM_RS_SSE2)
    __m128i vlo = _mm_setzero_si128(), vhi = vlo;
    for (; t + 4 <= n; t += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(k + t));
        __m128i lt = _mm_cmplt_epi32(v, vlo), gt = _mm_cmpgt_epi32(v, vhi);
        vlo = _mm_or_si128(_mm_and_si128(lt, v), _mm_andnot_si128(lt, vlo));
        vhi = _mm_or_si128(_mm_and_si128(gt, v), _mm_andnot_si128(gt, vhi));
    }
    int32_t l4[4], h4[4];
    _mm_storeu_si128((__m128i *)(void *)l4, vlo);
    _mm_storeu_si128((__m128i *)(void *)h4, vhi);
    for (int i = 0; i < 4; i++) {
        lo = l4[i] < lo ? l4[i] : lo;
        hi = h4[i] > hi ? h4[i] : hi;
    }
#elif defined(HM_RS_NEON)
    int32x4_t vlo = vdupq_n_s32(0), vhi = vlo;
    for (; t + 4 <= n; t += 4) {
        int32x4_t v = vld1q_s32(k + t);
        vlo = vminq_s32(vlo, v);
        vhi = vmaxq_s32(vhi, v);
    }
    lo = vminvq_s32(vlo);
    hi = vmaxvq_s32(vhi);
#endif
    for (; t < n; t++) {
        lo = k[t] < lo ? k[t] : lo;
        hi = k[t] > hi ? k[t] : hi;
    }
    *lo_out = lo;
    *hi_out = hi;
}

/* out[t] = (k[t] >> shift) & mask, which must fit int16. */
static void narrow16(const int32_t *k, size_t n, int shift, int32_t mask, int16_t *out)
{
    size_t t = 0;
#if defined(HM_RS_SSE2)
    const __m128i sh = _mm_cvtsi32_si128(shift), m = _mm_set1_epi32(mask);
    for (; t + 8 <= n; t += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(k + t));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(k + t + 4));
        a = _mm_and_si128(_mm_sra_epi32(a, sh), m);
        b = _mm_and_si128(_mm_sra_epi32(b, sh), m);
        _mm_storeu_si128((__m128i *)(void *)(out + t), _mm_packs_epi32(a, b)); /* in range: exact */
    }
#elif defined(HM_RS_NEON)
    const int32x4_t sh = vdupq_n_s32(-shift), m = vdupq_n_s32(mask);
    for (; t + 8 <= n; t += 8) {
        int32x4_t a = vandq_s32(vshlq_s32(vld1q_s32(k + t), sh), m);
        int32x4_t b = vandq_s32(vshlq_s32(vld1q_s32(k + t + 4), sh), m);
        vst1q_s16(out + t, vcombine_s16(vmovn_s32(a), vmovn_s32(b)));
    }
#endif
    for (; t < n; t++) out[t] = (int16_t)((k[t] >> shift) & mask);
}

/* out[t] = (k[t] >> shift) & mask, which must fit int8. */
static void narrow8(const int32_t *k, size_t n, int shift, int32_t mask, int8_t *out)
{
    size_t t = 0;
#if defined(HM_RS_SSE2)
    const __m128i sh = _mm_cvtsi32_si128(shift), m = _mm_set1_epi32(mask);
    for (; t + 16 <= n; t += 16) {
        const __m128i *p = (const __m128i *)(const void *)(k + t);
        __m128i a = _mm_and_si128(_mm_sra_epi32(_mm_loadu_si128(p), sh), m);
        __m128i b = _mm_and_si128(_mm_sra_epi32(_mm_loadu_si128(p + 1), sh), m);
        __m128i c = _mm_and_si128(_mm_sra_epi32(_mm_loadu_si128(p + 2), sh), m);
        __m128i d = _mm_and_si128(_mm_sra_epi32(_mm_loadu_si128(p + 3), sh), m);
        __m128i w = _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
        _mm_storeu_si128((__m128i *)(void *)(out + t), w);
    }
#elif defined(HM_RS_NEON)
    const int32x4_t sh = vdupq_n_s32(-shift), m = vdupq_n_s32(mask);
    for (; t + 8 <= n; t += 8) {
        int32x4_t a = vandq_s32(vshlq_s32(vld1q_s32(k + t), sh), m);
        int32x4_t b = vandq_s32(vshlq_s32(vld1q_s32(k + t + 4), sh), m);
        vst1_s8(out + t, vmovn_s16(vcombine_s16(vmovn_s32(a), vmovn_s32(b))));
    }
#endif
    for (; t < n; t++) out[t] = (int8_t)((k[t] >> shift) & mask);
}

/* The int16 forms of the weights over every stored tap (zero past n):
 * khi/klo, and, when `bytes` (the horizontal axis of a long window, for a
 * table that reads bytes with vpdpbusd), the signed bytes
 * k = k2*2^14 + k1*2^7 + k0 with k0, k1 in 0..127 (pieces = 3), or
 * k = k1*2^7 + k0 when every |k| < 2^14 (pieces = 2); pieces = 0 when they
 * are not computed (not asked for, or some weight needs more: never in long
 * windows, whose weights stay below 2^21). */
static void split_weights(hm__rs_axis *ax, int bytes)
{
    size_t taps = (size_t)ax->out * ax->kpad;
    int32_t lo, hi;
    minmax32(ax->k, taps, &lo, &hi);
    /* Strong downscaling (factor > ~130) keeps every weight within int16:
     * then one multiply per tap suffices. */
    ax->split = lo < INT16_MIN || hi > INT16_MAX;
    if (ax->split) {
        narrow16(ax->k, taps, HM__RS_SPLIT_BITS, -1, ax->khi); /* floor */
        narrow16(ax->k, taps, 0, (1 << HM__RS_SPLIT_BITS) - 1, ax->klo);
    } else {
        narrow16(ax->k, taps, 0, -1, ax->khi);
        memset(ax->klo, 0, taps * sizeof(int16_t));
    }
    ax->pieces = 0;
    if (!bytes) return;
    ax->pieces = lo >= -(1 << 14) && hi < (1 << 14) ? 2 : lo >= -(1 << 21) && hi < (1 << 21) ? 3 : 0;
    int8_t *k1 = ax->k8 + taps, *k2 = k1 + taps;
    if (!ax->pieces) return;
    narrow8(ax->k, taps, 0, 127, ax->k8);
    narrow8(ax->k, taps, 7, ax->pieces == 2 ? -1 : 127, k1);
    if (ax->pieces == 3) narrow8(ax->k, taps, 14, -1, k2);
    else memset(k2, 0, taps);
}

/* Fills the coefficients of one axis in `mem` (axis_bytes long), the byte
 * pieces too when `bytes`; `dbl` is scratch for ksize doubles (rounded up
 * to 8). */
static void axis_init(hm__rs_axis *ax, const hm__ih_kernels *kern, uint32_t in, uint32_t out,
                      int bytes, uint8_t *mem, double *dbl)
{
    axis_geom g = geom_of(in, out);
    axis_layout(ax, in, out, mem);
    uint32_t kpad = ax->kpad;
    memset(ax->k, 0, (size_t)out * kpad * sizeof(int32_t));
    for (uint32_t xx = 0; xx < out; xx++) {
        int32_t xmin;
        int exact;
        uint32_t n = output_weights(kern, &g, xx, dbl, ax->k + (size_t)xx * kpad, &xmin, &exact);
        ax->start[xx] = xmin;
        ax->n[xx] = (int32_t)n;
    }
    split_weights(ax, bytes);
}

/* The same from an axis already computed for the same (in, out): a copy. */
static void axis_copy(hm__rs_axis *ax, const hm__rs_axis *from, uint8_t *mem)
{
    axis_layout(ax, from->in, from->out, mem);
    memcpy(ax->start, from->start, axis_bytes(from->in, from->out));
    ax->split = from->split;
    ax->pieces = from->pieces;
}

static int axis_fits(const hm__rs_axis *ax, uint32_t in, uint32_t out, int bytes)
{
    return ax->in == in && ax->out == out && (!bytes || ax->pieces);
}

/* An axis (in, out) among `peers` (and the plan's own first axis), with the
 * byte pieces when `bytes`. */
static const hm__rs_axis *find_axis(uint32_t in, uint32_t out, int bytes,
                                    const hm__rs_plan *const *peers, int npeers,
                                    const hm__rs_axis *own)
{
    if (own && axis_fits(own, in, out, bytes)) return own;
    for (int i = 0; i < npeers; i++) {
        if (axis_fits(&peers[i]->hx, in, out, bytes)) return &peers[i]->hx;
        if (axis_fits(&peers[i]->vy, in, out, bytes)) return &peers[i]->vy;
    }
    return NULL;
}

/* ---- transposition (16x16 tiles in baseline SIMD; wider ones in the table) ---- */

/* out + c*ostride receives column c < nout of the 16 rows in[0..15] (16 bytes
 * each). */
void hm__rs_transpose16(const uint8_t *const in[16], uint8_t *out, size_t ostride, uint32_t nout)
{
#if defined(HM_RS_SSE2)
    /* Four perfect shuffles (8, 16, 32, 64 bits): register i ends up holding
     * the column whose index is i with its 4 bits reversed. */
    __m128i a[16], b[16];
    for (int i = 0; i < 16; i++) a[i] = _mm_loadu_si128((const __m128i *)(const void *)in[i]);
    for (int i = 0; i < 8; i++) {
        b[i] = _mm_unpacklo_epi8(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm_unpackhi_epi8(a[2 * i], a[2 * i + 1]);
    }
    for (int i = 0; i < 8; i++) {
        a[i] = _mm_unpacklo_epi16(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm_unpackhi_epi16(b[2 * i], b[2 * i + 1]);
    }
    for (int i = 0; i < 8; i++) {
        b[i] = _mm_unpacklo_epi32(a[2 * i], a[2 * i + 1]);
        b[i + 8] = _mm_unpackhi_epi32(a[2 * i], a[2 * i + 1]);
    }
    for (int i = 0; i < 8; i++) {
        a[i] = _mm_unpacklo_epi64(b[2 * i], b[2 * i + 1]);
        a[i + 8] = _mm_unpackhi_epi64(b[2 * i], b[2 * i + 1]);
    }
    static const uint8_t REV4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    for (uint32_t c = 0; c < nout; c++)
        _mm_storeu_si128((__m128i *)(void *)(out + c * ostride), a[REV4[c]]);
#elif defined(HM_RS_NEON)
    uint8x16_t a[16], b[16];
    for (int i = 0; i < 16; i++) a[i] = vld1q_u8(in[i]);
    for (int i = 0; i < 8; i++) {
        b[i] = vzip1q_u8(a[2 * i], a[2 * i + 1]);
        b[i + 8] = vzip2q_u8(a[2 * i], a[2 * i + 1]);
    }
    for (int i = 0; i < 8; i++) {
        uint16x8_t x = vreinterpretq_u16_u8(b[2 * i]), y = vreinterpretq_u16_u8(b[2 * i + 1]);
        a[i] = vreinterpretq_u8_u16(vzip1q_u16(x, y));
        a[i + 8] = vreinterpretq_u8_u16(vzip2q_u16(x, y));
    }
    for (int i = 0; i < 8; i++) {
        uint32x4_t x = vreinterpretq_u32_u8(a[2 * i]), y = vreinterpretq_u32_u8(a[2 * i + 1]);
        b[i] = vreinterpretq_u8_u32(vzip1q_u32(x, y));
        b[i + 8] = vreinterpretq_u8_u32(vzip2q_u32(x, y));
    }
    for (int i = 0; i < 8; i++) {
        uint64x2_t x = vreinterpretq_u64_u8(b[2 * i]), y = vreinterpretq_u64_u8(b[2 * i + 1]);
        a[i] = vreinterpretq_u8_u64(vzip1q_u64(x, y));
        a[i + 8] = vreinterpretq_u8_u64(vzip2q_u64(x, y));
    }
    static const uint8_t REV4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    for (uint32_t c = 0; c < nout; c++) vst1q_u8(out + c * ostride, a[REV4[c]]);
#else
    for (uint32_t c = 0; c < nout; c++)
        for (int r = 0; r < 16; r++) out[c * ostride + r] = in[r][c];
#endif
}

/* t (w rows of B bytes) = the transpose of `nvalid` rows of w bytes (the
 * last one repeated up to B rows); B columns at a time through the table's
 * transposition, then 16, then one by one. */
static void transpose_in(const hm__ih_kernels *k, const uint8_t *rows, size_t stride,
                         uint32_t nvalid, uint32_t w, uint8_t *t, uint32_t B)
{
    for (uint32_t g = 0; g < B; g += 16) {
        const uint8_t *r[16], *in[16];
        for (uint32_t i = 0; i < 16; i++)
            r[i] = rows + (size_t)(g + i < nvalid ? g + i : nvalid - 1) * stride;
        uint32_t c = 0;
        for (; c + B <= w; c += B) {
            for (int i = 0; i < 16; i++) in[i] = r[i] + c;
            k->transpose(in, t + (size_t)c * B + g, B, B);
        }
        for (; c + 16 <= w; c += 16) {
            for (int i = 0; i < 16; i++) in[i] = r[i] + c;
            hm__rs_transpose16(in, t + (size_t)c * B + g, B, 16);
        }
        for (; c < w; c++)
            for (uint32_t i = 0; i < 16; i++) t[(size_t)c * B + g + i] = r[i][c];
    }
}

/* dst rows 0..nvalid-1 (ow bytes each, stride dstride) = the transpose of
 * `t` (ow rows of B bytes). */
static void transpose_out(const hm__ih_kernels *k, const uint8_t *t, uint32_t B, uint32_t nvalid,
                          uint32_t ow, uint8_t *dst, size_t dstride)
{
    uint32_t o = 0;
    for (; o + 16 <= ow; o += 16) {
        const uint8_t *in[16];
        for (int i = 0; i < 16; i++) in[i] = t + (size_t)(o + i) * B;
        k->transpose(in, dst + o, dstride, nvalid);
    }
    for (; o < ow; o++)
        for (uint32_t r = 0; r < nvalid; r++) dst[(size_t)r * dstride + o] = t[(size_t)o * B + r];
}

/* ---- widening rows to int16 (shared by every long-window resize) ---- */

void hm__rs_widen(const uint8_t *rows, size_t stride, uint32_t nrows, uint32_t w, uint32_t pad,
                  int16_t *wide, size_t wstride)
{
    for (uint32_t r = 0; r < nrows; r++) {
        const uint8_t *p = rows + (size_t)r * stride;
        int16_t *q = wide + (size_t)r * wstride;
        uint32_t x = 0;
#if defined(HM_RS_SSE2)
        const __m128i z = _mm_setzero_si128();
        for (; x + 16 <= w; x += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + x));
            _mm_storeu_si128((__m128i *)(void *)(q + x), _mm_unpacklo_epi8(v, z));
            _mm_storeu_si128((__m128i *)(void *)(q + x + 8), _mm_unpackhi_epi8(v, z));
        }
#elif defined(HM_RS_NEON)
        for (; x + 16 <= w; x += 16) {
            uint8x16_t v = vld1q_u8(p + x);
            vst1q_s16(q + x, vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v))));
            vst1q_s16(q + x + 8, vreinterpretq_s16_u16(vmovl_high_u8(v)));
        }
#endif
        for (; x < w; x++) q[x] = p[x];
        memset(q + w, 0, (size_t)pad * sizeof(int16_t));
    }
}

/* ---- the plan ---- */

static int plan_mode(uint32_t w, uint32_t ow)
{
    if (ow == w) return MODE_COPY;
    return axis_ksize(w, ow) > LONG_MIN_TAPS ? MODE_LONG : MODE_SHORT;
}

static size_t dbl_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh)
{
    uint32_t kx = axis_ksize(w, ow), ky = axis_ksize(h, oh);
    return align64((size_t)(kx > ky ? kx : ky) * sizeof(double));
}

size_t hm__rs_plan_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh)
{
    size_t n = dbl_bytes(w, h, ow, oh) + axis_bytes(w, ow) + axis_bytes(h, oh) +
               align64((size_t)ow * h); /* the intermediate: ow columns of at most h rows */
    if (plan_mode(w, ow) == MODE_SHORT)
        n += align64((size_t)w * MAX_BLOCK_ROWS) + align64((size_t)ow * MAX_BLOCK_ROWS);
    return n;
}

/* An axis of the plan: none when the size does not change (a copy, as in
 * Pillow, which computes no weights then), a copy of a peer's axis of the
 * same sizes, or Pillow's weights; with the byte pieces when `bytes`. */
static void axis_setup(hm__rs_axis *ax, const hm__ih_kernels *kern, uint32_t in, uint32_t out,
                       int bytes, uint8_t *mem, double *dbl, const hm__rs_plan *const *peers,
                       int npeers, const hm__rs_axis *own)
{
    if (in == out) {
        memset(ax, 0, sizeof *ax); /* in = out = 0: never found by find_axis */
        return;
    }
    const hm__rs_axis *same = find_axis(in, out, bytes, peers, npeers, own);
    if (same) axis_copy(ax, same, mem);
    else axis_init(ax, kern, in, out, bytes, mem, dbl);
}

void hm__rs_plan_init(hm__rs_plan *p, const hm__ih_kernels *kern, uint32_t w, uint32_t h,
                      uint32_t ow, uint32_t oh, void *mem, const hm__rs_plan *const *peers,
                      int npeers)
{
    uint8_t *m = mem;
    double *dbl = (double *)(void *)m;
    m += dbl_bytes(w, h, ow, oh);
    p->kern = kern;
    p->w = w;
    p->h = h;
    p->ow = ow;
    p->oh = oh;
    p->mode = plan_mode(w, ow);
    /* only the horizontal pass of long windows reads the byte pieces */
    int bytes = kern->hlong_u8 && p->mode == MODE_LONG;
    axis_setup(&p->hx, kern, w, ow, bytes, m, dbl, peers, npeers, NULL);
    m += axis_bytes(w, ow);
    axis_setup(&p->vy, kern, h, oh, 0, m, dbl, peers, npeers, &p->hx);
    m += axis_bytes(h, oh);
    p->tmp = m;
    m += align64((size_t)ow * h);
    p->tin = p->tout = NULL;
    if (p->mode == MODE_SHORT) {
        p->tin = m;
        p->tout = m + align64((size_t)w * MAX_BLOCK_ROWS);
    }
    p->row0 = 0;
    p->row_end = h;
    if (oh != h) {
        p->row0 = (uint32_t)p->vy.start[0];
        p->row_end = (uint32_t)(p->vy.start[oh - 1] + p->vy.n[oh - 1]);
    }
}

/* Long windows read int16 rows unless the tier reads the bytes themselves. */
static int reads_wide(const hm__ih_kernels *kern, const hm__rs_axis *ax)
{
    return !(kern->hlong_u8 && ax->pieces);
}

uint32_t hm__rs_plan_wide_pad(const hm__rs_plan *p)
{
    return p->mode == MODE_LONG && reads_wide(p->kern, &p->hx) ? p->hx.kpad : 0;
}

uint32_t hm__rs_wide_pad(uint32_t w, uint32_t ow)
{
    return plan_mode(w, ow) == MODE_LONG ? axis_kpad(w, ow) : 0;
}

static void push_short(hm__rs_plan *p, const uint8_t *rows, size_t stride, uint32_t n,
                       uint8_t *dst)
{
    uint32_t B = p->kern->block_rows;
    for (uint32_t c = 0; c < n; c += B) {
        uint32_t nv = n - c < B ? n - c : B;
        transpose_in(p->kern, rows + (size_t)c * stride, stride, nv, p->w, p->tin, B);
        p->kern->cols(p->tin, B, 0, B, &p->hx, 0, p->ow, p->tout, B);
        transpose_out(p->kern, p->tout, B, nv, p->ow, dst + (size_t)c * p->ow, p->ow);
    }
}

void hm__rs_push(hm__rs_plan *p, const uint8_t *rows, size_t stride, const int16_t *wide,
                 size_t wstride, uint32_t y, uint32_t n)
{
    uint32_t a = y > p->row0 ? y : p->row0, b = y + n < p->row_end ? y + n : p->row_end;
    if (a >= b) return;
    rows += (size_t)(a - y) * stride;
    uint8_t *dst = p->tmp + (size_t)(a - p->row0) * p->ow;
    switch (p->mode) {
    case MODE_COPY:
        for (uint32_t r = 0; r < b - a; r++) memcpy(dst + (size_t)r * p->ow, rows + r * stride, p->w);
        break;
    case MODE_LONG:
        if (reads_wide(p->kern, &p->hx))
            p->kern->hlong(wide + (size_t)(a - y) * wstride, wstride, b - a, &p->hx, dst, p->ow);
        else
            p->kern->hlong_u8(rows, stride, b - a, &p->hx, dst, p->ow);
        break;
    default: push_short(p, rows, stride, b - a, dst); break;
    }
}

void hm__rs_finish(const hm__rs_plan *p, uint8_t *dst)
{
    if (p->oh == p->h) memcpy(dst, p->tmp, (size_t)p->ow * p->h);
    else p->kern->cols(p->tmp, p->ow, (int32_t)p->row0, p->ow, &p->vy, 0, p->oh, dst, p->ow);
}

/* ---- one resize of a whole plane ---- */

static size_t wide_stride(uint32_t w, uint32_t pad) { return ((size_t)w + pad + 31) & ~(size_t)31; }

size_t hm__pil_resize_work_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh)
{
    size_t n = hm__rs_plan_bytes(w, h, ow, oh);
    if (plan_mode(w, ow) == MODE_LONG)
        n += align64(WIDE_ROWS * wide_stride(w, axis_kpad(w, ow)) * sizeof(int16_t));
    return n;
}

void hm__pil_resize_k(const hm__ih_kernels *kern, const uint8_t *src, uint32_t w, uint32_t h,
                      uint8_t *dst, uint32_t ow, uint32_t oh, void *work)
{
    if (ow == w && oh == h) {
        memcpy(dst, src, (size_t)w * h);
        return;
    }
    hm__rs_plan p;
    hm__rs_plan_init(&p, kern, w, h, ow, oh, work, NULL, 0);
    uint32_t pad = hm__rs_plan_wide_pad(&p);
    int16_t *wide = (int16_t *)(void *)((uint8_t *)work + hm__rs_plan_bytes(w, h, ow, oh));
    size_t ws = wide_stride(w, pad);
    uint32_t step = p.mode == MODE_LONG ? WIDE_ROWS : kern->block_rows;
    for (uint32_t y = p.row0; y < p.row_end; y += step) {
        uint32_t n = p.row_end - y < step ? p.row_end - y : step;
        const uint8_t *rows = src + (size_t)y * w;
        if (p.mode == MODE_LONG) hm__rs_widen(rows, w, n, w, pad, wide, ws);
        hm__rs_push(&p, rows, w, wide, ws, y, n);
    }
    hm__rs_finish(&p, dst);
}

void hm__pil_resize(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                    uint32_t oh, void *work)
{
    hm__pil_resize_k(hm__ih_kernels_best(), src, w, h, dst, ow, oh, work);
}

/* The reference: Pillow's two loops as written, straight from the weights. */
void hm__pil_resize_scalar(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst,
                           uint32_t ow, uint32_t oh, void *work)
{
    if (ow == w && oh == h) {
        memcpy(dst, src, (size_t)w * h);
        return;
    }
    hm__rs_plan p;
    hm__rs_plan_init(&p, &hm__ih_kernels_scalar, w, h, ow, oh, work, NULL, 0);
    for (uint32_t y = p.row0; y < p.row_end; y++) {
        uint8_t *t = p.tmp + (size_t)(y - p.row0) * ow;
        for (uint32_t o = 0; o < ow; o++) {
            if (ow == w) {
                t[o] = src[(size_t)y * w + o];
                continue;
            }
            const int32_t *k = p.hx.k + (size_t)o * p.hx.kpad;
            const uint8_t *s = src + (size_t)y * w + p.hx.start[o];
            int32_t acc = HM__RS_ROUND;
            for (int32_t j = 0; j < p.hx.n[o]; j++) acc += s[j] * k[j];
            t[o] = hm__rs_clip8(acc);
        }
    }
    hm__rs_finish(&p, dst); /* the scalar column kernel: the same plain loops */
}
