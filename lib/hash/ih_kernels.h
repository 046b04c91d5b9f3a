/* ih_kernels.h - the per-instruction-set kernels of the imagehash family (internal).
 *
 * The resize (pil_resample.c) and the Haar steps (haar.c) run their inner loops
 * through a table of kernels. Every kernel exists in a portable scalar version
 * (the reference) and in one version per instruction set: SSE2 (x86-64
 * baseline), AVX2, AVX-512 (F/BW/VL/VNNI) and NEON (AArch64), each in its own
 * file compiled with only its own flags. hm__ih_kernels_for() hands out a table
 * only when this CPU (and OS) runs it, so no instruction the machine lacks is
 * ever executed; every function that runs kernels takes the table to use, which
 * is how the tests compare every tier with the scalar one in the same run.
 *
 * Exactness: the resize sums integers, exact in any order; the Haar kernels do
 * lane by lane the same IEEE double operations, in the same order, as the scalar
 * expressions below (the library is built with -ffp-contract=off). */
#ifndef HM_IH_KERNELS_H
#define HM_IH_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* The SIMD kernels are written with small arrays of vectors and loops over
 * them; they must be inlined with their constant arguments and unrolled so
 * that those arrays live in registers (-O2 does neither by itself). */
#if defined(__GNUC__)
#define HM__IH_INLINE static inline __attribute__((always_inline))
#define HM__IH_UNROLL _Pragma("GCC unroll 4")
#define HM__IH_UNROLL16 _Pragma("GCC unroll 16")
#else
#define HM__IH_INLINE static inline
#define HM__IH_UNROLL
#define HM__IH_UNROLL16
#endif

typedef enum hm__ih_tier {
    HM__IH_SCALAR = 0,
    HM__IH_SSE2 = 1,   /* x86-64 baseline */
    HM__IH_AVX2 = 2,   /* x86-64: AVX2, YMM state saved by the OS */
    HM__IH_AVX512 = 3, /* x86-64: AVX-512 F/BW/VL/VNNI, ZMM state saved by the OS */
    HM__IH_NEON = 4,   /* AArch64 */
    HM__IH_TIER_COUNT = 5
} hm__ih_tier;

/* ---- resize: Pillow's fixed-point Lanczos coefficients of one axis ---- */

#define HM__RS_PRECISION_BITS 22
#define HM__RS_ROUND (1 << (HM__RS_PRECISION_BITS - 1))
#define HM__RS_SPLIT_BITS 11 /* k = hi * 2^11 + lo, 0 <= lo < 2^11: both fit int16 */

/* Output o reads source samples start[o] + j, j in [0, n[o]), with weights
 * k[o*kpad + j]; k is zero for j in [n[o], kpad). khi/klo hold the same
 * weights as int16: k = khi*2^11 + klo when `split` (some weight does not fit
 * int16), otherwise khi = k (and klo = 0). kpad is a multiple of 64 in long
 * windows, so that the kernels may read whole groups of up to 64 taps, and of
 * 8 in short ones; khi + j for even j is a pair of taps in one 32-bit word. */
typedef struct hm__rs_axis {
    uint32_t in, out, kpad;
    int split;
    int pieces; /* k8 holds 2 or 3 byte pieces of each weight (0: unusable) */
    int32_t *start, *n;
    int32_t *k;
    int16_t *khi, *klo;
    int8_t *k8; /* out*kpad bytes per piece: k = (k8[2]*2^7 + k8[1])*2^7 + k8[0] */
} hm__rs_axis;

static inline uint8_t hm__rs_clip8(int32_t acc)
{
    if (acc >= (1 << HM__RS_PRECISION_BITS << 8)) return 255;
    if (acc <= 0) return 0;
    return (uint8_t)(acc >> HM__RS_PRECISION_BITS);
}

/* Long windows, one dot product per output: for r < nrows and o < ax->out,
 *   dst[r*dstride + o] = clip(ROUND + sum_{j < kpad} rows[r*rstride + start[o] + j] * k[o][j]).
 * `rows` are source rows widened to int16 and readable (zero) up to
 * in + kpad samples. */
typedef void (*hm__rs_hlong_fn)(const int16_t *rows, size_t rstride, uint32_t nrows,
                                const hm__rs_axis *ax, uint8_t *dst, size_t dstride);

/* The same from the bytes (kernels with vpdpbusd), rows stride bytes apart,
 * each readable up to `in` bytes only; needs ax->pieces. */
typedef void (*hm__rs_hlong_u8_fn)(const uint8_t *rows, size_t stride, uint32_t nrows,
                                   const hm__rs_axis *ax, uint8_t *dst, size_t dstride);

/* Columns: for o in [o0, o1) and x < width,
 *   dst[(o - o0)*dstride + x] = clip(ROUND + sum_{j < n[o]} k[o][j] * src[(start[o] - base + j)*stride + x]).
 * Reads only those rows and their first `width` bytes. Serves the vertical
 * pass, and the horizontal pass of short windows on a transposed block. */
typedef void (*hm__rs_cols_fn)(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                               const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                               size_t dstride);

/* Fixed-point weights of one output: into k[0..n) Pillow's weights of the
 * taps x_j = ((double)(xmin + j) - center + 0.5) * ss, j < n, i.e. the
 * 22-bit rounding of lanczos(x_j) / sum, with lanczos taken from the
 * polynomial below instead of libm's sin; `scratch` (n doubles rounded up to
 * 8) receives the lanczos values. Returns 1 when every weight is proven equal
 * to Pillow's (hm__rs_weights_margin), 0 otherwise: then k is undefined and
 * the caller computes the window with Pillow's own arithmetic. */
typedef int (*hm__rs_weights_fn)(int32_t xmin, uint32_t n, double center, double ss,
                                 double *scratch, int32_t *k);

/* Transposition: row k < nout of `out` (ostride apart, 16 bytes each) is
 * byte k of the 16 rows in[0..15], which are block_rows bytes long. */
typedef void (*hm__rs_transpose_fn)(const uint8_t *const in[16], uint8_t *out, size_t ostride,
                                    uint32_t nout);

/* ---- luma of RGB pixels ---- */

/* n RGB pixels (3 bytes each) -> PDQ's float luma (0.299f*R + 0.587f*G) +
 * 0.114f*B into pdq and Pillow's (19595*R + 38470*G + 7471*B + 0x8000) >> 16
 * into pil; either output may be NULL (then it is not computed). */
typedef void (*hm__luma_rgb_fn)(const uint8_t *p, size_t n, float *pdq, uint8_t *pil);

/* ---- PDQ's box filter: full rows (pdq.c) ---- */

/* One step of a vertical box pass over n columns: sum += enter, then
 * sum -= leave (either may be NULL), and when out is not NULL
 * out = sum / count; element by element, in this order. */
typedef void (*hm__pdq_vstep_fn)(float *sum, const float *enter, const float *leave, size_t n,
                                 float *out, float count);
/* row[x] /= counts[x] for x < n (a horizontal pass's quotients). */
typedef void (*hm__pdq_divide_fn)(float *row, const float *counts, size_t n);

/* The 4-lane versions (pdq.c; the baseline of every tier without wider ones). */
void hm__pdq_vstep_v4(float *sum, const float *enter, const float *leave, size_t n, float *out,
                      float count);
void hm__pdq_divide_v4(float *row, const float *counts, size_t n);

/* ---- Haar: one row of 2x2 blocks (pywt's operation order) ---- */

#define HM__HAAR_H 0x1.6a09e667f3bcdp-1 /* 0.7071067811865476, pywt's haar filter */

/* dst[j] = approximation of the block (r0[2j], r0[2j+1], r1[2j], r1[2j+1]). */
typedef void (*hm__haar_approx_fn)(const double *r0, const double *r1, uint32_t half,
                                   double *dst);
/* The same at level 1, from two rows of bytes p0, p1 and the table
 * hx[v] = h*(v/255) (the first step of the level-1 block is hx + hx). */
typedef void (*hm__haar_approx_px_fn)(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                                      const double *hx, double *dst);
/* In place: each block becomes its reconstruction with coarse[j] put in place
 * of its approximation. */
typedef void (*hm__haar_rebuild_fn)(double *r0, double *r1, uint32_t half, const double *coarse);
/* Level 1: the block of bytes rebuilt with a[j] as approximation and at once
 * decomposed again: a[j] becomes the rebuilt block's approximation. */
typedef void (*hm__haar_rebuild_px_fn)(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                                       const double *hx, double *a);

typedef struct hm__ih_kernels {
    hm__ih_tier tier;
    uint32_t block_rows; /* rows of a transposed block: 16, 32 or 64 */
    hm__rs_hlong_fn hlong;
    hm__rs_hlong_u8_fn hlong_u8; /* NULL: long windows read int16 rows */
    hm__rs_cols_fn cols;
    hm__rs_transpose_fn transpose;
    hm__rs_weights_fn weights;
    hm__luma_rgb_fn luma_rgb;
    hm__haar_approx_fn haar_approx;
    hm__haar_approx_px_fn haar_approx_px;
    hm__haar_rebuild_fn haar_rebuild;
    hm__haar_rebuild_px_fn haar_rebuild_px;
    hm__pdq_vstep_fn pdq_vstep;
    hm__pdq_divide_fn pdq_divide;
} hm__ih_kernels;

/* The table of `tier`, or NULL when this build or CPU cannot run it. */
const hm__ih_kernels *hm__ih_kernels_for(hm__ih_tier tier);
/* The widest table this CPU runs (never NULL). */
const hm__ih_kernels *hm__ih_kernels_best(void);
/* "scalar", "sse2", "avx2", "avx512", "neon". */
const char *hm__ih_tier_name(hm__ih_tier tier);

/* The per-tier tables (defined only where built; use hm__ih_kernels_for). */
extern const hm__ih_kernels hm__ih_kernels_scalar;
extern const hm__ih_kernels hm__ih_kernels_sse2;
extern const hm__ih_kernels hm__ih_kernels_avx2;
extern const hm__ih_kernels hm__ih_kernels_avx512;
extern const hm__ih_kernels hm__ih_kernels_neon;

/* ---- resize weights: lanczos without sin, and how far it may be trusted ---- */

/* Lanczos-3 from t = x^2 * pi^2/9 (x in [-3, 3)): with q = sin(th)/th,
 * th = pi*x/3, sin(3th) = sin(th)*(3 - 4 sin(th)^2) gives
 * sinc(x)*sinc(x/3) = q^2 * (1 - (4/3) * t * q^2), and q is the Taylor
 * polynomial of sin(th)/th in t = th^2 to degree 12, by Horner's rule:
 * HM__RS_SINC_C[m] = (-1)^m / (2m+1)!, rounded to double. docs/IMAGEHASH.md
 * bounds the distance of the result to Pillow's value by HM__RS_ETA. */
#define HM__RS_PI2_9 0x1.18bc4418cafe2p+0 /* pi^2 / 9 */
#define HM__RS_4_3 0x1.5555555555555p+0   /* 4 / 3 */
#define HM__RS_SINC_DEGREE 12
#define HM__RS_SINC_C                                                                          \
    {                                                                                          \
        1.0, -0x1.5555555555555p-3, 0x1.1111111111111p-7, -0x1.a01a01a01a01ap-13,              \
            0x1.71de3a556c734p-19, -0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33,              \
            -0x1.ae7f3e733b81fp-41, 0x1.952c77030ad4ap-49, -0x1.2f49b46814157p-57,             \
            0x1.71b8ef6dcf572p-66, -0x1.761b41316381ap-75, 0x1.3f3ccdd165fa9p-84               \
    }

/* |fast lanczos - Pillow's lanczos| per tap, with a safety factor of 16
 * over the bound proven in docs/IMAGEHASH.md. */
#define HM__RS_ETA 0x1p-40

/* For one output of n taps whose fast lanczos values add up to `sum` (in
 * any order) and whose magnitudes add up to `abssum`: the distance that every
 * 2^22 * lanczos * inv must keep from the nearest half-integer (where
 * Pillow's rounding changes) for the rounded weights to be Pillow's: twice
 * the bound of docs/IMAGEHASH.md (the factor also covers the roundings of
 * this computation) plus 2^-24 for the roundings near the boundary.
 * Negative when no proof is attempted (small sums, very long windows). Sets
 * *inv = 1/sum. */
static inline double hm__rs_weights_margin(uint32_t n, double sum, double abssum, double *inv)
{
    const double u = 0x1p-53, eta = HM__RS_ETA, m = 1.0 + 2.0 * eta;
    double g = 1.01 * n * u;                 /* >= gamma_n: any order of summation */
    double a = abssum * (1.0 + g) + n * eta; /* >= sum of |lanczos|, either side */
    double delta = n * eta + 2.0 * g * a;    /* >= |Pillow's sum - sum| */
    *inv = 1.0 / sum;
    if (!(sum >= 0.25 && delta <= 0.5 * sum)) return -1.0;
    /* Pillow's sum >= sum - delta >= sum / 2 */
    double b = 0x1p22 * *inv * (eta + 2.0 * m * delta * *inv + 6.02 * u * m);
    return 2.0 * b + 0x1p-24;
}

/* ---- the scalar operations every tier reproduces lane by lane ---- */

static inline double hm__haar_approx1(double x00, double x01, double x10, double x11)
{
    const double H = HM__HAAR_H;
    double a0 = H * x00 + H * x10, a1 = H * x01 + H * x11; /* axis 0 */
    return H * a0 + H * a1;                                 /* axis 1 */
}

static inline double hm__haar_approx1_hx(double hx00, double hx01, double hx10, double hx11)
{
    const double H = HM__HAAR_H;
    double a0 = hx00 + hx10, a1 = hx01 + hx11;
    return H * a0 + H * a1;
}

/* Forward transform of a block, then the inverse with aa in place of its
 * approximation: y = the rebuilt block (00, 01, 10, 11). */
static inline void hm__haar_rebuild1(double x00, double x01, double x10, double x11, double aa,
                                     double y[4])
{
    const double H = HM__HAAR_H;
    double a0 = H * x00 + H * x10, a1 = H * x01 + H * x11; /* axis 0 */
    double d0 = H * x00 - H * x10, d1 = H * x01 - H * x11;
    double ad = H * a0 - H * a1; /* axis 1 */
    double da = H * d0 + H * d1, dd = H * d0 - H * d1;
    double la0 = H * aa + H * ad, la1 = H * aa - H * ad; /* inverse axis 1 */
    double ld0 = H * da + H * dd, ld1 = H * da - H * dd;
    y[0] = H * la0 + H * ld0; /* inverse axis 0 */
    y[1] = H * la1 + H * ld1;
    y[2] = H * la0 - H * ld0;
    y[3] = H * la1 - H * ld1;
}

/* The same from h*x, followed by the approximation of the rebuilt block. */
static inline double hm__haar_rebuild1_hx(double hx00, double hx01, double hx10, double hx11,
                                          double aa)
{
    const double H = HM__HAAR_H;
    double a0 = hx00 + hx10, a1 = hx01 + hx11;
    double d0 = hx00 - hx10, d1 = hx01 - hx11;
    double ad = H * a0 - H * a1;
    double da = H * d0 + H * d1, dd = H * d0 - H * d1;
    double la0 = H * aa + H * ad, la1 = H * aa - H * ad;
    double ld0 = H * da + H * dd, ld1 = H * da - H * dd;
    double y0 = H * la0 + H * ld0, y1 = H * la1 + H * ld1;
    double y2 = H * la0 - H * ld0, y3 = H * la1 - H * ld1;
    return hm__haar_approx1(y0, y1, y2, y3);
}

/* Scalar row kernels, also the tails of the SIMD ones. */
void hm__haar_approx_scalar(const double *r0, const double *r1, uint32_t half, double *dst);
void hm__haar_approx_px_scalar(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                               const double *hx, double *dst);
void hm__haar_rebuild_scalar(double *r0, double *r1, uint32_t half, const double *coarse);
void hm__haar_rebuild_px_scalar(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                                const double *hx, double *a);

/* Luma: the scalar formula (luma.c; also the tails of the SIMD kernels) and
 * the SSE2 kernel (luma.c, x86-64 baseline). */
void hm__luma_rgb_scalar(const uint8_t *p, size_t n, float *pdq, uint8_t *pil);
void hm__luma_rgb_sse2(const uint8_t *p, size_t n, float *pdq, uint8_t *pil);

/* The 16-byte transposition (baseline SIMD, pil_resample.c). */
void hm__rs_transpose16(const uint8_t *const in[16], uint8_t *out, size_t ostride, uint32_t nout);

/* Scalar resize kernels, also the tails of the SIMD ones. */
void hm__rs_hlong_scalar(const int16_t *rows, size_t rstride, uint32_t nrows,
                         const hm__rs_axis *ax, uint8_t *dst, size_t dstride);
void hm__rs_cols_scalar(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                        const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                        size_t dstride);
/* The scalar fast weights (also the reference of the vector ones). */
int hm__rs_weights_scalar(int32_t xmin, uint32_t n, double center, double ss, double *L,
                          int32_t *k);
/* One column x of output o (the scalar cols kernel's inner loop). */
static inline uint8_t hm__rs_col1(const uint8_t *src, size_t stride, int32_t base,
                                  const hm__rs_axis *ax, uint32_t o, uint32_t x)
{
    const int32_t *k = ax->k + (size_t)o * ax->kpad;
    const uint8_t *p = src + (size_t)(ax->start[o] - base) * stride + x;
    int32_t acc = HM__RS_ROUND;
    for (int32_t j = 0; j < ax->n[o]; j++) acc += p[(size_t)j * stride] * k[j];
    return hm__rs_clip8(acc);
}

#endif /* HM_IH_KERNELS_H */
