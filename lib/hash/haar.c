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
 * once decomposed again, so the full-size image x' is never stored. The row
 * loops run through the kernel table (ih_kernels.h): the SIMD tiers do the same
 * IEEE operations lane by lane. */
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
    /* A1 .. An: (s/2)^2 + (s/4)^2 + ... + 1 < s^2/3 + 1, plus two byte tables
     * and two rows of h*x. */
    size_t n = 0;
    for (uint32_t side = s / 2; side >= 1; side /= 2) n += (size_t)side * side;
    return n + 2 * 256 + 2 * (size_t)s;
}

/* Two rows of bytes as h*(p/255) through the table. */
static void lookup_rows(const uint8_t *r0, const uint8_t *r1, uint32_t s, const double *hx,
                        double *h0, double *h1)
{
    for (uint32_t c = 0; c < s; c++) {
        h0[c] = hx[r0[c]];
        h1[c] = hx[r1[c]];
    }
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

/* s == 8: the rebuilt image is the result (no second decomposition). */
static void rebuild_8x8(const uint8_t *px, const double *hx, const double *b1, double ll[64])
{
    for (uint32_t i = 0; i < 4; i++) {
        const uint8_t *r0 = px + 2 * i * 8, *r1 = r0 + 8;
        for (uint32_t j = 0; j < 4; j++) {
            double y[4];
            /* h*x given: the forward step adds h*x pairs (see hm__haar_rebuild1_hx) */
            double a0 = hx[r0[2 * j]] + hx[r1[2 * j]], a1 = hx[r0[2 * j + 1]] + hx[r1[2 * j + 1]];
            double d0 = hx[r0[2 * j]] - hx[r1[2 * j]], d1 = hx[r0[2 * j + 1]] - hx[r1[2 * j + 1]];
            const double H = HM__HAAR_H;
            double ad = H * a0 - H * a1, da = H * d0 + H * d1, dd = H * d0 - H * d1;
            double aa = b1[i * 4 + j];
            double la0 = H * aa + H * ad, la1 = H * aa - H * ad;
            double ld0 = H * da + H * dd, ld1 = H * da - H * dd;
            y[0] = H * la0 + H * ld0;
            y[1] = H * la1 + H * ld1;
            y[2] = H * la0 - H * ld0;
            y[3] = H * la1 - H * ld1;
            ll[2 * i * 8 + 2 * j] = y[0];
            ll[2 * i * 8 + 2 * j + 1] = y[1];
            ll[(2 * i + 1) * 8 + 2 * j] = y[2];
            ll[(2 * i + 1) * 8 + 2 * j + 1] = y[3];
        }
    }
}

void hm__whash_ll_k(const hm__ih_kernels *k, const uint8_t *px, uint32_t s, double *work,
                    double ll[64])
{
    unsigned n = log2u(s), m = n - 3; /* full depth; depth of the second decomposition */
    double *x = work, *hx = work + 256; /* p / 255.0 and h * (p / 255.0) */
    for (int p = 0; p < 256; p++) {
        x[p] = p / 255.0;
        hx[p] = HM__HAAR_H * x[p];
    }
    double *h0 = work + 512, *h1 = h0 + s;
    /* level[l] holds A_l, side s >> l, for l = 1..n */
    double *level[33] = {0};
    double *q = h1 + s;
    for (unsigned l = 1; l <= n; l++) {
        level[l] = q;
        q += (size_t)(s >> l) * (s >> l);
    }
    uint32_t half = s / 2;
    for (uint32_t i = 0; i < half; i++) {
        lookup_rows(px + (size_t)2 * i * s, px + (size_t)(2 * i + 1) * s, s, hx, h0, h1);
        k->haar_approx_hx(h0, h1, half, level[1] + (size_t)i * half);
    }
    for (unsigned l = 2; l <= n; l++) approx_level(k, level[l - 1], s >> (l - 1), level[l]);

    level[n][0] *= 0; /* imagehash: coeffs[0] *= 0 */
    for (unsigned l = n; l >= 2; l--) rebuild_level(k, level[l - 1], s >> (l - 1), level[l]);

    /* Level 1: rebuild each 2x2 block of x' from the bytes and A'1, and
     * decompose it again at once (or keep it when s == 8: no second pass). */
    if (m == 0) {
        rebuild_8x8(px, hx, level[1], ll);
        return;
    }
    for (uint32_t i = 0; i < half; i++) {
        lookup_rows(px + (size_t)2 * i * s, px + (size_t)(2 * i + 1) * s, s, hx, h0, h1);
        k->haar_rebuild_hx(h0, h1, half, level[1] + (size_t)i * half);
    }
    for (unsigned l = 2; l <= m; l++) approx_level(k, level[l - 1], s >> (l - 1), level[l]);
    memcpy(ll, level[m], 64 * sizeof(double));
}

void hm__whash_ll(const uint8_t *px, uint32_t s, double *work, double ll[64])
{
    hm__whash_ll_k(hm__ih_kernels_best(), px, s, work, ll);
}
