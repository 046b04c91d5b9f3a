/* pil_resample.c - Pillow's resize(..., LANCZOS) of an 8-bit grey plane, bit for bit.
 *
 * Pillow (4.3 .. 12.1, libImaging/Resample.c) computes per axis double-precision
 * Lanczos-3 weights, normalises them by their sequential sum, rounds them to
 * 22-bit fixed point and accumulates in int32 with a 2^21 rounding bias. The
 * horizontal pass runs first, over only the source rows the vertical pass reads,
 * into a clamped 8-bit intermediate. Integer sums are exact in any order, so the
 * kernels below are free to vectorise; only the weights need Pillow's exact
 * double arithmetic.
 *
 * SIMD: SSE2 (x86-64 baseline) splits each weight into an 11-bit low part and a
 * signed high part so that pmaddwd (16 x 16 -> 32 bits) applies; NEON multiplies
 * widened pixels by the int32 weights directly. Both give the exact int32 sum. */
#include <math.h>

#include "../common/common.h"
#include "imagehash.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define HM_RESAMPLE_SSE2 1
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#define HM_RESAMPLE_NEON 1
#endif

#define PRECISION_BITS 22
#define ROUND_BIAS (1 << (PRECISION_BITS - 1))
#define SPLIT_BITS 11 /* k = hi * 2^11 + lo, 0 <= lo < 2^11: both fit int16 */
#define HM_PI 3.14159265358979323846

/* Coefficients of one axis. Output i reads source samples start + j for j in
 * [off, off + n) with weights k[i * kpad + j]; every other j in [0, kpad) has
 * weight 0, and [start, start + kpad) lies inside the source whenever
 * kpad <= in, so the SIMD kernels may read whole groups of 8 there. */
typedef struct axis_coeffs {
    uint32_t in, out, kpad;
    int32_t *bounds; /* start, off, n per output */
    int32_t *k;
    int16_t *khi, *klo; /* SSE2: the weights split, or khi = k and klo unused */
    int split;          /* some weight does not fit int16 */
} axis_coeffs;

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

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

static uint32_t axis_kpad(uint32_t in, uint32_t out) { return (axis_ksize(in, out) + 7) & ~7u; }

static size_t axis_bytes(uint32_t in, uint32_t out)
{
    size_t taps = (size_t)out * axis_kpad(in, out);
    return align64((size_t)out * 3 * sizeof(int32_t)) + align64(taps * sizeof(int32_t)) +
           2 * align64(taps * sizeof(int16_t));
}

/* Window and normalised double weights of output xx, exactly as Pillow's
 * precompute_coeffs; returns n and sets *xmin. */
static uint32_t window_weights(uint32_t in, double scale, double filterscale, double support,
                               uint32_t xx, double *w, int32_t *xmin_out)
{
    double center = (xx + 0.5) * scale;
    double ss = 1.0 / filterscale;
    int xmin = (int)(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = (int)(center + support + 0.5);
    if (xmax > (int)in) xmax = (int)in;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; x++) {
        w[x] = lanczos3((x + xmin - center + 0.5) * ss);
        ww += w[x];
    }
    for (int x = 0; x < xmax; x++)
        if (ww != 0.0) w[x] /= ww;
    *xmin_out = xmin;
    return xmax > 0 ? (uint32_t)xmax : 0;
}

static int32_t to_fixed(double w)
{
    return (int32_t)(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
}

/* Lays out and fills the coefficients of one axis in `mem` (axis_bytes long);
 * `dbl` is scratch for ksize doubles. */
static void axis_init(axis_coeffs *ax, uint32_t in, uint32_t out, uint8_t *mem, double *dbl)
{
    double scale, filterscale;
    double support = axis_support(in, out, &scale, &filterscale);
    uint32_t kpad = axis_kpad(in, out);
    size_t taps = (size_t)out * kpad;
    ax->in = in;
    ax->out = out;
    ax->kpad = kpad;
    ax->bounds = (int32_t *)mem;
    mem += align64((size_t)out * 3 * sizeof(int32_t));
    ax->k = (int32_t *)mem;
    mem += align64(taps * sizeof(int32_t));
    ax->khi = (int16_t *)mem;
    mem += align64(taps * sizeof(int16_t));
    ax->klo = (int16_t *)mem;
    memset(ax->k, 0, taps * sizeof(int32_t));
    for (uint32_t xx = 0; xx < out; xx++) {
        int32_t xmin;
        uint32_t n = window_weights(in, scale, filterscale, support, xx, dbl, &xmin);
        int32_t start = xmin;
        if (kpad <= in && (uint32_t)start > in - kpad) start = (int32_t)(in - kpad);
        int32_t off = xmin - start;
        int32_t *b = ax->bounds + 3 * (size_t)xx;
        b[0] = start;
        b[1] = off;
        b[2] = (int32_t)n;
        int32_t *k = ax->k + (size_t)xx * kpad;
        for (uint32_t x = 0; x < n; x++) k[off + x] = to_fixed(dbl[x]);
    }
    /* Strong downscaling (factor > ~130) keeps every weight within int16:
     * then one multiply per tap suffices. */
    ax->split = 0;
    for (size_t t = 0; t < taps; t++) ax->split |= ax->k[t] < INT16_MIN || ax->k[t] > INT16_MAX;
    for (size_t t = 0; t < taps; t++) {
        if (!ax->split) {
            ax->khi[t] = (int16_t)ax->k[t];
            continue;
        }
        ax->khi[t] = (int16_t)(ax->k[t] >> SPLIT_BITS); /* arithmetic shift: floor */
        ax->klo[t] = (int16_t)(ax->k[t] & ((1 << SPLIT_BITS) - 1));
    }
}

static uint8_t clip8(int32_t acc)
{
    if (acc >= (1 << PRECISION_BITS << 8)) return 255;
    if (acc <= 0) return 0;
    return (uint8_t)(acc >> PRECISION_BITS);
}

/* ---- scalar kernels (the reference) ---- */

static void hpass_scalar(const uint8_t *src, size_t stride, uint32_t rows, const axis_coeffs *ax,
                         uint8_t *dst)
{
    for (uint32_t y = 0; y < rows; y++) {
        const uint8_t *row = src + y * stride;
        for (uint32_t xx = 0; xx < ax->out; xx++) {
            const int32_t *b = ax->bounds + 3 * (size_t)xx;
            const uint8_t *p = row + b[0];
            const int32_t *k = ax->k + (size_t)xx * ax->kpad;
            int32_t acc = ROUND_BIAS;
            for (int32_t j = b[1]; j < b[1] + b[2]; j++) acc += p[j] * k[j];
            dst[(size_t)y * ax->out + xx] = clip8(acc);
        }
    }
}

/* Vertical pass: src has `width` columns (stride width); output row yy reads
 * source rows bounds[0] + bounds[1] + j, shifted by -row0. */
static void vpass_scalar(const uint8_t *src, uint32_t width, int32_t row0, const axis_coeffs *ax,
                         uint8_t *dst)
{
    for (uint32_t yy = 0; yy < ax->out; yy++) {
        const int32_t *b = ax->bounds + 3 * (size_t)yy;
        const uint8_t *base = src + (size_t)(b[0] - row0) * width;
        const int32_t *k = ax->k + (size_t)yy * ax->kpad;
        for (uint32_t x = 0; x < width; x++) {
            int32_t acc = ROUND_BIAS;
            for (int32_t j = b[1]; j < b[1] + b[2]; j++) acc += base[(size_t)j * width + x] * k[j];
            dst[(size_t)yy * width + x] = clip8(acc);
        }
    }
}

/* ---- SIMD kernels ---- */

#if defined(HM_RESAMPLE_SSE2)

/* Sum of the four lanes of each of t0..t3, as the four lanes of the result. */
static inline __m128i hsum4x4(__m128i t0, __m128i t1, __m128i t2, __m128i t3)
{
    __m128i a = _mm_add_epi32(_mm_unpacklo_epi32(t0, t1), _mm_unpackhi_epi32(t0, t1));
    __m128i b = _mm_add_epi32(_mm_unpacklo_epi32(t2, t3), _mm_unpackhi_epi32(t2, t3));
    return _mm_add_epi32(_mm_unpacklo_epi64(a, b), _mm_unpackhi_epi64(a, b));
}

/* acc lanes (int32 sums without the bias) -> clamped bytes in the low lanes. */
static inline __m128i finish4(__m128i acc)
{
    acc = _mm_add_epi32(acc, _mm_set1_epi32(ROUND_BIAS));
    acc = _mm_srai_epi32(acc, PRECISION_BITS);
    acc = _mm_packs_epi32(acc, acc);
    return _mm_packus_epi16(acc, acc);
}

static inline __m128i madd_split(__m128i px16, const int16_t *hi, const int16_t *lo, __m128i *al)
{
    *al = _mm_add_epi32(*al, _mm_madd_epi16(px16, _mm_load_si128((const __m128i *)lo)));
    return _mm_madd_epi16(px16, _mm_load_si128((const __m128i *)hi));
}

/* Four source rows at once share every coefficient load. Lanes hold partial
 * sums of (hi << 11) + lo, which wrap mod 2^32 but add up to the exact total. */
static void hpass_rows4_split(const uint8_t *const r[4], const axis_coeffs *ax, uint32_t xx,
                              uint8_t *const d[4])
{
    const __m128i zero = _mm_setzero_si128();
    const int32_t *b = ax->bounds + 3 * (size_t)xx;
    uint32_t j0 = (uint32_t)b[1] & ~7u, j1 = ((uint32_t)(b[1] + b[2]) + 7) & ~7u;
    const int16_t *hi = ax->khi + (size_t)xx * ax->kpad, *lo = ax->klo + (size_t)xx * ax->kpad;
    __m128i ah[4], al[4];
    for (int i = 0; i < 4; i++) ah[i] = al[i] = zero;
    for (uint32_t j = j0; j < j1; j += 8) {
        for (int i = 0; i < 4; i++) {
            __m128i px = _mm_loadl_epi64((const __m128i *)(r[i] + b[0] + j));
            px = _mm_unpacklo_epi8(px, zero);
            ah[i] = _mm_add_epi32(ah[i], madd_split(px, hi + j, lo + j, &al[i]));
        }
    }
    __m128i t[4];
    for (int i = 0; i < 4; i++) t[i] = _mm_add_epi32(_mm_slli_epi32(ah[i], SPLIT_BITS), al[i]);
    int32_t out = _mm_cvtsi128_si32(finish4(hsum4x4(t[0], t[1], t[2], t[3])));
    for (int i = 0; i < 4; i++) d[i][xx] = (uint8_t)((uint32_t)out >> (8 * i));
}

/* The same when every weight fits int16: one pmaddwd per 8 taps. */
static void hpass_rows4_short(const uint8_t *const r[4], const axis_coeffs *ax, uint32_t xx,
                              uint8_t *const d[4])
{
    const __m128i zero = _mm_setzero_si128();
    const int32_t *b = ax->bounds + 3 * (size_t)xx;
    uint32_t j0 = (uint32_t)b[1] & ~15u, j1 = ((uint32_t)(b[1] + b[2]) + 7) & ~7u;
    const int16_t *k = ax->khi + (size_t)xx * ax->kpad;
    __m128i a[4];
    for (int i = 0; i < 4; i++) a[i] = zero;
    uint32_t j = j0;
    for (; j + 16 <= j1; j += 16) {
        __m128i k0 = _mm_load_si128((const __m128i *)(k + j));
        __m128i k1 = _mm_load_si128((const __m128i *)(k + j + 8));
        for (int i = 0; i < 4; i++) {
            __m128i px = _mm_loadu_si128((const __m128i *)(r[i] + b[0] + j));
            a[i] = _mm_add_epi32(a[i], _mm_madd_epi16(_mm_unpacklo_epi8(px, zero), k0));
            a[i] = _mm_add_epi32(a[i], _mm_madd_epi16(_mm_unpackhi_epi8(px, zero), k1));
        }
    }
    if (j < j1) {
        __m128i k0 = _mm_load_si128((const __m128i *)(k + j));
        for (int i = 0; i < 4; i++) {
            __m128i px = _mm_loadl_epi64((const __m128i *)(r[i] + b[0] + j));
            a[i] = _mm_add_epi32(a[i], _mm_madd_epi16(_mm_unpacklo_epi8(px, zero), k0));
        }
    }
    int32_t out = _mm_cvtsi128_si32(finish4(hsum4x4(a[0], a[1], a[2], a[3])));
    for (int i = 0; i < 4; i++) d[i][xx] = (uint8_t)((uint32_t)out >> (8 * i));
}

static void hpass_simd(const uint8_t *src, size_t stride, uint32_t rows, const axis_coeffs *ax,
                       uint8_t *dst)
{
    uint32_t y = 0;
    if (ax->kpad <= ax->in) {
        for (; y + 4 <= rows; y += 4) {
            const uint8_t *r[4];
            uint8_t *d[4];
            for (int i = 0; i < 4; i++) {
                r[i] = src + (size_t)(y + i) * stride;
                d[i] = dst + (size_t)(y + i) * ax->out;
            }
            if (ax->split)
                for (uint32_t xx = 0; xx < ax->out; xx++) hpass_rows4_split(r, ax, xx, d);
            else
                for (uint32_t xx = 0; xx < ax->out; xx++) hpass_rows4_short(r, ax, xx, d);
        }
    }
    hpass_scalar(src + (size_t)y * stride, stride, rows - y, ax, dst + (size_t)y * ax->out);
}

/* Eight output columns of one output row: pairs of source rows interleaved so
 * that pmaddwd adds both taps of a pair in one step; weights split as in the
 * horizontal pass unless all of this row's fit int16. */
static void vpass_cols8(const uint8_t *base, uint32_t width, const int32_t *k, int32_t j0,
                        int32_t j1, int split, uint8_t *out)
{
    const __m128i zero = _mm_setzero_si128();
    const int32_t lo_mask = (1 << SPLIT_BITS) - 1;
    const int shift = split ? SPLIT_BITS : 0;
    __m128i ah0 = zero, ah1 = zero, al0 = zero, al1 = zero;
    for (int32_t j = j0; j < j1; j += 2) {
        int32_t ka = k[j], kb = j + 1 < j1 ? k[j + 1] : 0;
        const uint8_t *ra = base + (size_t)j * width;
        const uint8_t *rb = j + 1 < j1 ? ra + width : ra;
        __m128i p = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)ra),
                                      _mm_loadl_epi64((const __m128i *)rb));
        __m128i p0 = _mm_unpacklo_epi8(p, zero), p1 = _mm_unpackhi_epi8(p, zero);
        uint32_t hpair = ((uint32_t)(uint16_t)(kb >> shift) << 16) | (uint16_t)(ka >> shift);
        __m128i kh = _mm_set1_epi32((int32_t)hpair);
        ah0 = _mm_add_epi32(ah0, _mm_madd_epi16(p0, kh));
        ah1 = _mm_add_epi32(ah1, _mm_madd_epi16(p1, kh));
        if (split) {
            uint32_t lpair = ((uint32_t)(kb & lo_mask) << 16) | (uint32_t)(ka & lo_mask);
            __m128i kl = _mm_set1_epi32((int32_t)lpair);
            al0 = _mm_add_epi32(al0, _mm_madd_epi16(p0, kl));
            al1 = _mm_add_epi32(al1, _mm_madd_epi16(p1, kl));
        }
    }
    __m128i s0 = _mm_add_epi32(_mm_slli_epi32(ah0, shift), al0);
    __m128i s1 = _mm_add_epi32(_mm_slli_epi32(ah1, shift), al1);
    __m128i bias = _mm_set1_epi32(ROUND_BIAS);
    s0 = _mm_srai_epi32(_mm_add_epi32(s0, bias), PRECISION_BITS);
    s1 = _mm_srai_epi32(_mm_add_epi32(s1, bias), PRECISION_BITS);
    __m128i w = _mm_packs_epi32(s0, s1);
    _mm_storel_epi64((__m128i *)out, _mm_packus_epi16(w, w));
}

#elif defined(HM_RESAMPLE_NEON)

static void hpass_simd(const uint8_t *src, size_t stride, uint32_t rows, const axis_coeffs *ax,
                       uint8_t *dst)
{
    if (ax->kpad > ax->in) {
        hpass_scalar(src, stride, rows, ax, dst);
        return;
    }
    for (uint32_t y = 0; y < rows; y++) {
        const uint8_t *row = src + (size_t)y * stride;
        for (uint32_t xx = 0; xx < ax->out; xx++) {
            const int32_t *b = ax->bounds + 3 * (size_t)xx;
            uint32_t j0 = (uint32_t)b[1] & ~7u, j1 = ((uint32_t)(b[1] + b[2]) + 7) & ~7u;
            const int32_t *k = ax->k + (size_t)xx * ax->kpad;
            const uint8_t *p = row + b[0];
            int32x4_t a0 = vdupq_n_s32(0), a1 = vdupq_n_s32(0);
            for (uint32_t j = j0; j < j1; j += 8) {
                int16x8_t px = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p + j)));
                a0 = vmlaq_s32(a0, vmovl_s16(vget_low_s16(px)), vld1q_s32(k + j));
                a1 = vmlaq_s32(a1, vmovl_s16(vget_high_s16(px)), vld1q_s32(k + j + 4));
            }
            int32_t acc = ROUND_BIAS + vaddvq_s32(vaddq_s32(a0, a1));
            dst[(size_t)y * ax->out + xx] = clip8(acc);
        }
    }
}

static void vpass_cols8(const uint8_t *base, uint32_t width, const int32_t *k, int32_t j0,
                        int32_t j1, int split, uint8_t *out)
{
    (void)split;
    int32x4_t a0 = vdupq_n_s32(ROUND_BIAS), a1 = a0;
    for (int32_t j = j0; j < j1; j++) {
        int16x8_t px = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(base + (size_t)j * width)));
        a0 = vmlaq_n_s32(a0, vmovl_s16(vget_low_s16(px)), k[j]);
        a1 = vmlaq_n_s32(a1, vmovl_s16(vget_high_s16(px)), k[j]);
    }
    int16x8_t w = vcombine_s16(vqmovn_s32(vshrq_n_s32(a0, PRECISION_BITS)),
                               vqmovn_s32(vshrq_n_s32(a1, PRECISION_BITS)));
    vst1_u8(out, vqmovun_s16(w));
}

#endif

#if defined(HM_RESAMPLE_SSE2) || defined(HM_RESAMPLE_NEON)
static void vpass_simd(const uint8_t *src, uint32_t width, int32_t row0, const axis_coeffs *ax,
                       uint8_t *dst)
{
    for (uint32_t yy = 0; yy < ax->out; yy++) {
        const int32_t *b = ax->bounds + 3 * (size_t)yy;
        const uint8_t *base = src + (size_t)(b[0] - row0) * width;
        const int32_t *k = ax->k + (size_t)yy * ax->kpad;
        uint8_t *out = dst + (size_t)yy * width;
        int split = 0;
        for (int32_t j = b[1]; j < b[1] + b[2]; j++) split |= k[j] < INT16_MIN || k[j] > INT16_MAX;
        uint32_t x = 0;
        for (; x + 8 <= width; x += 8)
            vpass_cols8(base + x, width, k, b[1], b[1] + b[2], split, out + x);
        for (; x < width; x++) {
            int32_t acc = ROUND_BIAS;
            for (int32_t j = b[1]; j < b[1] + b[2]; j++) acc += base[(size_t)j * width + x] * k[j];
            out[x] = clip8(acc);
        }
    }
}
#else
#define hpass_simd hpass_scalar
#define vpass_simd vpass_scalar
#endif

/* ---- the resize ---- */

static size_t dbl_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh)
{
    uint32_t kx = axis_ksize(w, ow), ky = axis_ksize(h, oh);
    return align64((size_t)(kx > ky ? kx : ky) * sizeof(double));
}

size_t hm__pil_resize_work_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh)
{
    /* The intermediate holds ow columns of at most h rows. */
    return dbl_bytes(w, h, ow, oh) + axis_bytes(w, ow) + axis_bytes(h, oh) +
           align64((size_t)ow * h);
}

typedef void (*hpass_fn)(const uint8_t *, size_t, uint32_t, const axis_coeffs *, uint8_t *);
typedef void (*vpass_fn)(const uint8_t *, uint32_t, int32_t, const axis_coeffs *, uint8_t *);

static void resize_with(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                        uint32_t oh, void *work, hpass_fn hpass, vpass_fn vpass)
{
    if (ow == w && oh == h) {
        memcpy(dst, src, (size_t)w * h);
        return;
    }
    uint8_t *mem = work;
    double *dbl = (double *)mem;
    mem += dbl_bytes(w, h, ow, oh);
    axis_coeffs hx, vy;
    axis_init(&hx, w, ow, mem, dbl);
    mem += axis_bytes(w, ow);
    axis_init(&vy, h, oh, mem, dbl);
    mem += axis_bytes(h, oh);
    uint8_t *tmp = mem;
    if (ow == w) {
        vpass(src, w, 0, &vy, dst);
        return;
    }
    if (oh == h) {
        hpass(src, w, h, &hx, dst);
        return;
    }
    const int32_t *first = vy.bounds, *last = vy.bounds + 3 * (size_t)(oh - 1);
    int32_t row0 = first[0] + first[1];
    int32_t row_end = last[0] + last[1] + last[2];
    hpass(src + (size_t)row0 * w, w, (uint32_t)(row_end - row0), &hx, tmp);
    vpass(tmp, ow, row0, &vy, dst);
}

void hm__pil_resize(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                    uint32_t oh, void *work)
{
    resize_with(src, w, h, dst, ow, oh, work, hpass_simd, vpass_simd);
}

void hm__pil_resize_scalar(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst,
                           uint32_t ow, uint32_t oh, void *work)
{
    resize_with(src, w, h, dst, ow, oh, work, hpass_scalar, vpass_scalar);
}
