/* haar.c - imagehash's whash() steps with pywt's Haar arithmetic.
 *
 * imagehash computes, on x = pixels / 255.0 (s x s, s a power of two):
 *   c = wavedec2(x, 'haar', level=log2 s); c[0] *= 0; x' = waverec2(c)
 *   LL = wavedec2(x', 'haar', level=log2 s - 3)[0]        (8 x 8)
 * pywt's dwt2 filters axis 0 then axis 1; per pair, with h = 1/sqrt(2) rounded,
 *   a = h*x0 + h*x1,  d = h*x0 - h*x1
 * and idwt2 undoes axis 1 then axis 0:  y0 = h*a + h*d,  y1 = h*a - h*d.
 * (pywt accumulates from 0.0 in another order, but each result is one rounded
 * sum of two rounded products, and IEEE addition commutes.) Mathematically LL
 * is the block sums of x minus its mean; where blocks tie, these roundings
 * decide the bits, so every value below is computed exactly as pywt does.
 *
 * Cost: every operation is local to a 2x2 block, so no detail band is stored.
 * Pass 1 computes the approximation pyramid A1..An; the reverse pass rebuilds
 * A'(l-1) from A'(l) and the details of A(l-1), recomputed in place. At level 1
 * the details come straight from the bytes, and the rebuilt 2x2 block is at
 * once decomposed again, so the full-size image x' is never stored. */
#include <string.h>

#include "imagehash.h"

static const double H = 0x1.6a09e667f3bcdp-1; /* 0.7071067811865476, pywt's haar filter */

uint32_t hm__whash_scale(uint32_t w, uint32_t h)
{
    uint32_t m = w < h ? w : h, s = 1;
    while (s <= m / 2) s *= 2;
    return s < 8 ? 8 : s;
}

static unsigned log2u(uint32_t s)
{
    unsigned n = 0;
    while ((1u << n) < s) n++;
    return n;
}

size_t hm__whash_work_doubles(uint32_t s)
{
    /* A1 .. An: (s/2)^2 + (s/4)^2 + ... + 1 < s^2/3 + 1, plus two byte tables. */
    size_t n = 0;
    for (uint32_t side = s / 2; side >= 1; side /= 2) n += (size_t)side * side;
    return n + 2 * 256;
}

/* Approximation of one 2x2 block (axis 0, then axis 1). */
static inline double approx2x2(double x00, double x01, double x10, double x11)
{
    double a0 = H * x00 + H * x10, a1 = H * x01 + H * x11;
    return H * a0 + H * a1;
}

/* Forward transform of a 2x2 block followed by the inverse with `aa` put in
 * place of its approximation: the block of the reconstruction. */
static inline void rebuild2x2(double x00, double x01, double x10, double x11, double aa,
                              double y[4])
{
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

/* The same when x is given as h*x (level 1 reads h*(p/255) from a table). */
static inline void rebuild2x2_hx(double hx00, double hx01, double hx10, double hx11, double aa,
                                 double y[4])
{
    double a0 = hx00 + hx10, a1 = hx01 + hx11;
    double d0 = hx00 - hx10, d1 = hx01 - hx11;
    double ad = H * a0 - H * a1;
    double da = H * d0 + H * d1, dd = H * d0 - H * d1;
    double la0 = H * aa + H * ad, la1 = H * aa - H * ad;
    double ld0 = H * da + H * dd, ld1 = H * da - H * dd;
    y[0] = H * la0 + H * ld0;
    y[1] = H * la1 + H * ld1;
    y[2] = H * la0 - H * ld0;
    y[3] = H * la1 - H * ld1;
}

/* dst (side/2)^2 = approximation of src (side^2). */
static void approx_level(const double *src, uint32_t side, double *dst)
{
    uint32_t half = side / 2;
    for (uint32_t i = 0; i < half; i++) {
        const double *r0 = src + (size_t)2 * i * side, *r1 = r0 + side;
        for (uint32_t j = 0; j < half; j++)
            dst[(size_t)i * half + j] = approx2x2(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]);
    }
}

/* In place: a (side^2, holding A(l-1)) becomes A'(l-1) from the coarser
 * A'(l) in `coarse` ((side/2)^2). */
static void rebuild_level(double *a, uint32_t side, const double *coarse)
{
    uint32_t half = side / 2;
    for (uint32_t i = 0; i < half; i++) {
        double *r0 = a + (size_t)2 * i * side, *r1 = r0 + side;
        for (uint32_t j = 0; j < half; j++) {
            double y[4];
            rebuild2x2(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1],
                       coarse[(size_t)i * half + j], y);
            r0[2 * j] = y[0];
            r0[2 * j + 1] = y[1];
            r1[2 * j] = y[2];
            r1[2 * j + 1] = y[3];
        }
    }
}

void hm__whash_ll(const uint8_t *px, uint32_t s, double *work, double ll[64])
{
    unsigned n = log2u(s), m = n - 3; /* full depth; depth of the second decomposition */
    double *x = work, *hx = work + 256; /* p / 255.0 and h * (p / 255.0) */
    for (int p = 0; p < 256; p++) {
        x[p] = p / 255.0;
        hx[p] = H * x[p];
    }
    /* level[l] holds A_l, side s >> l, for l = 1..n */
    double *level[33] = {0};
    double *q = work + 512;
    for (unsigned l = 1; l <= n; l++) {
        level[l] = q;
        q += (size_t)(s >> l) * (s >> l);
    }
    uint32_t half = s / 2;
    for (uint32_t i = 0; i < half; i++) {
        const uint8_t *r0 = px + (size_t)2 * i * s, *r1 = r0 + s;
        for (uint32_t j = 0; j < half; j++) {
            double a0 = hx[r0[2 * j]] + hx[r1[2 * j]], a1 = hx[r0[2 * j + 1]] + hx[r1[2 * j + 1]];
            level[1][(size_t)i * half + j] = H * a0 + H * a1;
        }
    }
    for (unsigned l = 2; l <= n; l++) approx_level(level[l - 1], s >> (l - 1), level[l]);

    level[n][0] *= 0; /* imagehash: coeffs[0] *= 0 */
    for (unsigned l = n; l >= 2; l--) rebuild_level(level[l - 1], s >> (l - 1), level[l]);

    /* Level 1: rebuild each 2x2 block of x' from the bytes and A'1, and
     * decompose it again at once (or keep it when s == 8: no second pass). */
    double *b1 = level[1];
    for (uint32_t i = 0; i < half; i++) {
        const uint8_t *r0 = px + (size_t)2 * i * s, *r1 = r0 + s;
        for (uint32_t j = 0; j < half; j++) {
            double y[4];
            rebuild2x2_hx(hx[r0[2 * j]], hx[r0[2 * j + 1]], hx[r1[2 * j]], hx[r1[2 * j + 1]],
                          b1[(size_t)i * half + j], y);
            if (m == 0) {
                ll[2 * i * 8 + 2 * j] = y[0];
                ll[2 * i * 8 + 2 * j + 1] = y[1];
                ll[(2 * i + 1) * 8 + 2 * j] = y[2];
                ll[(2 * i + 1) * 8 + 2 * j + 1] = y[3];
            } else {
                b1[(size_t)i * half + j] = approx2x2(y[0], y[1], y[2], y[3]);
            }
        }
    }
    if (m == 0) return;
    for (unsigned l = 2; l <= m; l++) approx_level(level[l - 1], s >> (l - 1), level[l]);
    memcpy(ll, level[m], 64 * sizeof(double));
}
