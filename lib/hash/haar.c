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
 * Level 1 (s/2 x s/2, the largest) is not stored either: its rows are
 * recomputed from the bytes when needed. Pass 1 builds the approximation
 * pyramid A2..An; the reverse pass rebuilds A'(l-1) from A'(l) and the details
 * of A(l-1), recomputed in place. At level 1 the rows of A1 come again from
 * the bytes, are rebuilt with A'2, the 2x2 blocks of x' they give are at once
 * decomposed again, and so are the rows of that level-1 approximation: one
 * streaming pass, x' and both level-1 arrays never stored. The row loops run
 * through the kernel table (ih_kernels.h): the SIMD tiers do the same IEEE
 * operations lane by lane. */
#include <string.h>

#include "ih_kernels.h"
#include "imagehash.h"

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
    /* A2 .. An: (s/4)^2 + (s/8)^2 + ... + 1 < s^2/12 + 1, two byte tables,
     * two rows of level 1 and A'1 when s == 8. */
    size_t n = 0;
    for (uint32_t side = s / 4; side >= 1; side /= 2) n += (size_t)side * side;
    return n + 2 * 256 + (size_t)s + 16;
}

/* dst (side/2)^2 = approximation of src (side^2). */
static void approx_level(const hm__ih_kernels *k, const double *src, uint32_t side, double *dst)
{
    uint32_t half = side / 2;
    for (uint32_t i = 0; i < half; i++)
        k->haar_approx(src + (size_t)2 * i * side, src + (size_t)(2 * i + 1) * side, half,
                       dst + (size_t)i * half);
}

/* In place: a (side^2, holding A(l-1)) becomes A'(l-1) from the coarser
 * A'(l) in `coarse` ((side/2)^2). */
static void rebuild_level(const hm__ih_kernels *k, double *a, uint32_t side, const double *coarse)
{
    uint32_t half = side / 2;
    for (uint32_t i = 0; i < half; i++)
        k->haar_rebuild(a + (size_t)2 * i * side, a + (size_t)(2 * i + 1) * side, half,
                        coarse + (size_t)i * half);
}

/* Rows 2i and 2i+1 of A1 (s/2 each) from pixel rows 4i .. 4i+3. */
static void level1_rows(const hm__ih_kernels *k, const uint8_t *px, uint32_t s, uint32_t i,
                        const double *hx, double *t0, double *t1)
{
    const uint8_t *p = px + (size_t)4 * i * s;
    k->haar_approx_px(p, p + s, s / 2, hx, t0);
    k->haar_approx_px(p + 2 * (size_t)s, p + 3 * (size_t)s, s / 2, hx, t1);
}

/* s == 8: the rebuilt image itself is the result (no second decomposition). */
static void rebuild_8x8(const uint8_t *px, const double *hx, const double *ap, double ll[64])
{
    for (uint32_t i = 0; i < 4; i++) {
        const uint8_t *r0 = px + 2 * i * 8, *r1 = r0 + 8;
        for (uint32_t j = 0; j < 4; j++) {
            double x00 = hx[r0[2 * j]], x01 = hx[r0[2 * j + 1]];
            double x10 = hx[r1[2 * j]], x11 = hx[r1[2 * j + 1]];
            /* hm__haar_rebuild1 with h*x given: the first step adds h*x pairs */
            const double H = HM__HAAR_H;
            double a0 = x00 + x10, a1 = x01 + x11, d0 = x00 - x10, d1 = x01 - x11;
            double ad = H * a0 - H * a1, da = H * d0 + H * d1, dd = H * d0 - H * d1;
            double aa = ap[i * 4 + j];
            double la0 = H * aa + H * ad, la1 = H * aa - H * ad;
            double ld0 = H * da + H * dd, ld1 = H * da - H * dd;
            ll[2 * i * 8 + 2 * j] = H * la0 + H * ld0;
            ll[2 * i * 8 + 2 * j + 1] = H * la1 + H * ld1;
            ll[(2 * i + 1) * 8 + 2 * j] = H * la0 - H * ld0;
            ll[(2 * i + 1) * 8 + 2 * j + 1] = H * la1 - H * ld1;
        }
    }
}

void hm__whash_ll_k(const hm__ih_kernels *k, const uint8_t *px, uint32_t s, double *work,
                    double ll[64])
{
    unsigned n = log2u(s), m = n - 3; /* full depth; depth of the second decomposition */
    uint32_t q1 = s / 4;              /* side of A2 */
    double *x = work, *hx = work + 256; /* p / 255.0 and h * (p / 255.0) */
    for (int p = 0; p < 256; p++) {
        x[p] = p / 255.0;
        hx[p] = HM__HAAR_H * x[p];
    }
    double *t0 = work + 512, *t1 = t0 + s / 2, *a1_8 = t1 + s / 2;
    /* level[l] holds A_l, side s >> l, for l = 2..n */
    double *level[33] = {0};
    double *q = a1_8 + 16;
    for (unsigned l = 2; l <= n; l++) {
        level[l] = q;
        q += (size_t)(s >> l) * (s >> l);
    }
    for (uint32_t i = 0; i < q1; i++) {
        level1_rows(k, px, s, i, hx, t0, t1);
        k->haar_approx(t0, t1, q1, level[2] + (size_t)i * q1);
    }
    for (unsigned l = 3; l <= n; l++) approx_level(k, level[l - 1], s >> (l - 1), level[l]);

    level[n][0] *= 0; /* imagehash: coeffs[0] *= 0 */
    for (unsigned l = n; l >= 3; l--) rebuild_level(k, level[l - 1], s >> (l - 1), level[l]);

    /* Level 1, row pair by row pair: A1 again from the bytes, rebuilt with
     * A'2 row i into A'1; the blocks of x' it gives decomposed at once (A''1);
     * then A''2 row i over A'2 row i, which is no longer needed. */
    for (uint32_t i = 0; i < q1; i++) {
        double *c = level[2] + (size_t)i * q1;
        level1_rows(k, px, s, i, hx, t0, t1);
        k->haar_rebuild(t0, t1, q1, c);
        if (m == 0) { /* s == 8: keep A'1 (4x4) for rebuild_8x8 */
            memcpy(a1_8 + 8 * i, t0, 4 * sizeof(double));
            memcpy(a1_8 + 8 * i + 4, t1, 4 * sizeof(double));
            continue;
        }
        const uint8_t *p = px + (size_t)4 * i * s;
        k->haar_rebuild_px(p, p + s, s / 2, hx, t0);
        k->haar_rebuild_px(p + 2 * (size_t)s, p + 3 * (size_t)s, s / 2, hx, t1);
        if (m == 1) { /* s == 16: A''1 is the 8x8 result */
            memcpy(ll + 16 * i, t0, 8 * sizeof(double));
            memcpy(ll + 16 * i + 8, t1, 8 * sizeof(double));
            continue;
        }
        k->haar_approx(t0, t1, q1, c);
    }
    if (m == 0) {
        rebuild_8x8(px, hx, a1_8, ll);
        return;
    }
    if (m == 1) return;
    for (unsigned l = 3; l <= m; l++) approx_level(k, level[l - 1], s >> (l - 1), level[l]);
    memcpy(ll, level[m], 64 * sizeof(double));
}

void hm__whash_ll(const uint8_t *px, uint32_t s, double *work, double ll[64])
{
    hm__whash_ll_k(hm__ih_kernels_best(), px, s, work, ll);
}
