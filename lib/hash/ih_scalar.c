/* ih_scalar.c - the portable kernels of the imagehash family: the reference
 * that every SIMD tier is tested against, and the tails of those tiers. */
#include <math.h>

#include "ih_kernels.h"

void hm__rs_hlong_scalar(const int16_t *rows, size_t rstride, uint32_t nrows,
                         const hm__rs_axis *ax, uint8_t *dst, size_t dstride)
{
    for (uint32_t r = 0; r < nrows; r++) {
        const int16_t *row = rows + r * rstride;
        for (uint32_t o = 0; o < ax->out; o++) {
            const int16_t *p = row + ax->start[o];
            const int32_t *k = ax->k + (size_t)o * ax->kpad;
            int32_t acc = HM__RS_ROUND;
            for (int32_t j = 0; j < ax->n[o]; j++) acc += p[j] * k[j];
            dst[r * dstride + o] = hm__rs_clip8(acc);
        }
    }
}

void hm__rs_cols_scalar(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                        const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                        size_t dstride)
{
    for (uint32_t o = o0; o < o1; o++)
        for (uint32_t x = 0; x < width; x++)
            dst[(o - o0) * dstride + x] = hm__rs_col1(src, stride, base, ax, o, x);
}

/* Lanczos-3 at tap position x as ih_kernels.h describes it. */
static double lanczos_poly(double x)
{
    static const double C[HM__RS_SINC_DEGREE + 1] = HM__RS_SINC_C;
    double t = (x * x) * HM__RS_PI2_9, q = C[HM__RS_SINC_DEGREE];
    for (int m = HM__RS_SINC_DEGREE - 1; m >= 0; m--) q = q * t + C[m];
    double p = q * q;
    return p * (1.0 - HM__RS_4_3 * (t * p));
}

int hm__rs_weights_scalar(int32_t xmin, uint32_t n, double center, double ss, double *L,
                          int32_t *k)
{
    double sum = 0.0, abssum = 0.0;
    for (uint32_t j = 0; j < n; j++) {
        double x = ((double)xmin + j - center + 0.5) * ss; /* Pillow's tap position */
        L[j] = -3.0 <= x && x < 3.0 ? lanczos_poly(x) : 0.0;
        sum += L[j];
        abssum += fabs(L[j]);
    }
    double inv, margin = hm__rs_weights_margin(n, sum, abssum, &inv);
    if (!(margin > 0.0)) return 0;
    const double scale = 0x1p22 * inv, magic = 0x1.8p52;
    for (uint32_t j = 0; j < n; j++) {
        double w = L[j] * scale, r = (w + magic) - magic; /* the nearest integer */
        if (fabs(w - r) >= 0.5 - margin) return 0;
        k[j] = (int32_t)r;
    }
    return 1;
}

void hm__haar_approx_scalar(const double *r0, const double *r1, uint32_t half, double *dst)
{
    for (uint32_t j = 0; j < half; j++)
        dst[j] = hm__haar_approx1(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]);
}

void hm__haar_approx_px_scalar(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                               const double *hx, double *dst)
{
    for (uint32_t j = 0; j < half; j++)
        dst[j] = hm__haar_approx1_hx(hx[p0[2 * j]], hx[p0[2 * j + 1]], hx[p1[2 * j]],
                                     hx[p1[2 * j + 1]]);
}

void hm__haar_rebuild_scalar(double *r0, double *r1, uint32_t half, const double *coarse)
{
    for (uint32_t j = 0; j < half; j++) {
        double y[4];
        hm__haar_rebuild1(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1], coarse[j], y);
        r0[2 * j] = y[0];
        r0[2 * j + 1] = y[1];
        r1[2 * j] = y[2];
        r1[2 * j + 1] = y[3];
    }
}

void hm__haar_rebuild_px_scalar(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                                const double *hx, double *a)
{
    for (uint32_t j = 0; j < half; j++)
        a[j] = hm__haar_rebuild1_hx(hx[p0[2 * j]], hx[p0[2 * j + 1]], hx[p1[2 * j]],
                                    hx[p1[2 * j + 1]], a[j]);
}

const hm__ih_kernels hm__ih_kernels_scalar = {
    .tier = HM__IH_SCALAR,
    .block_rows = 16,
    .hlong = hm__rs_hlong_scalar,
    .hlong_u8 = NULL,
    .cols = hm__rs_cols_scalar,
    .transpose = hm__rs_transpose16,
    .weights = hm__rs_weights_scalar,
    .luma_rgb = hm__luma_rgb_scalar,
    .haar_approx = hm__haar_approx_scalar,
    .haar_approx_px = hm__haar_approx_px_scalar,
    .haar_rebuild = hm__haar_rebuild_scalar,
    .haar_rebuild_px = hm__haar_rebuild_px_scalar,
    .pdq_vstep = hm__pdq_vstep_v4,
    .pdq_divide = hm__pdq_divide_v4};
