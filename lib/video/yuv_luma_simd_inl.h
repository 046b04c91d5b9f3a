/* yuv_luma_simd_inl.h - the SIMD conversion to PDQ's luma, written once with
 * GCC/clang vector extensions and included by one file per instruction set
 * (yuv_luma.h explains the arithmetic). The includer defines YL_N (int32
 * lanes: 4, 8 or 16), YL_NAME (the kernel's name) and may define
 * YL_CLAMP(v) (v clipped to 0..255) with its own instructions. */
#include <string.h>

#include "yuv_luma.h"

typedef int32_t yl_vi __attribute__((vector_size(4 * YL_N)));
typedef float yl_vf __attribute__((vector_size(4 * YL_N)));
typedef uint8_t yl_vb __attribute__((vector_size(YL_N)));

#if YL_N == 4
#define YL_DUP_LO(c) __builtin_shufflevector(c, c, 0, 0, 1, 1)
#define YL_DUP_HI(c) __builtin_shufflevector(c, c, 2, 2, 3, 3)
#elif YL_N == 8
#define YL_DUP_LO(c) __builtin_shufflevector(c, c, 0, 0, 1, 1, 2, 2, 3, 3)
#define YL_DUP_HI(c) __builtin_shufflevector(c, c, 4, 4, 5, 5, 6, 6, 7, 7)
#elif YL_N == 16
#define YL_DUP_LO(c) __builtin_shufflevector(c, c, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)
#define YL_DUP_HI(c)                                                                           \
    __builtin_shufflevector(c, c, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15)
#else
#error "YL_N must be 4, 8 or 16"
#endif

#ifndef YL_CLAMP
static inline yl_vi yl_clamp(yl_vi v)
{
    const yl_vi zero = {0};
    v &= ~(v < zero); /* negative -> 0 (a true comparison is -1) */
    yl_vi over = v > zero + 255;
    return (v & ~over) | (over & 255);
}
#define YL_CLAMP(v) yl_clamp(v)
#endif

static inline yl_vi yl_load(const uint8_t *p)
{
    yl_vb b;
    memcpy(&b, p, sizeof b);
    return __builtin_convertvector(b, yl_vi);
}

/* One channel: the table entry y[off + Y] in closed form, as a float, from
 * cb = off * cy + bias (per chroma sample) and cyy = Y * cy (per pixel): the
 * same integer as (off + Y) * cy + bias. */
static inline yl_vf yl_channel(yl_vi cb, yl_vi cyy)
{
    return __builtin_convertvector(YL_CLAMP((cb + cyy) >> 16), yl_vf);
}

static inline void yl_luma(const hm__yuv2rgb_tables *t, yl_vi r, yl_vi g, yl_vi b,
                           const uint8_t *y, float *out)
{
    yl_vi cyy = yl_load(y) * t->cf.cy;
    yl_vf l = (yl_channel(r, cyy) * 0.299f + yl_channel(g, cyy) * 0.587f) +
              yl_channel(b, cyy) * 0.114f;
    memcpy(out, &l, sizeof l);
}

void YL_NAME(const hm__yuv2rgb_tables *t, const uint8_t *y1, const uint8_t *y2,
             const uint8_t *u, const uint8_t *v, uint32_t w, float *o1, float *o2)
{
    const hm__yuv2rgb_coeffs *k = &t->cf;
    uint32_t x = 0;
    for (; x + 2 * YL_N <= w; x += 2 * YL_N) {
        yl_vi U = yl_load(u + x / 2), V = yl_load(v + x / 2);
        yl_vi r = k->orv + ((V * k->crv) >> 16), b = k->obu + ((U * k->cbu) >> 16);
        yl_vi g = (k->ogu + ((U * k->cgu) >> 16)) + (k->ogv + ((V * k->cgv) >> 16));
        r = r * k->cy + k->bias, g = g * k->cy + k->bias, b = b * k->cy + k->bias;
        yl_vi rl = YL_DUP_LO(r), gl = YL_DUP_LO(g), bl = YL_DUP_LO(b);
        yl_vi rh = YL_DUP_HI(r), gh = YL_DUP_HI(g), bh = YL_DUP_HI(b);
        yl_luma(t, rl, gl, bl, y1 + x, o1 + x);
        yl_luma(t, rh, gh, bh, y1 + x + YL_N, o1 + x + YL_N);
        yl_luma(t, rl, gl, bl, y2 + x, o2 + x);
        yl_luma(t, rh, gh, bh, y2 + x + YL_N, o2 + x + YL_N);
    }
    if (x < w) /* x is even: the tail keeps its chroma pairing and the odd-width rule */
        hm__yuv_luma_pair_scalar(t, y1 + x, y2 + x, u + x / 2, v + x / 2, w - x, o1 + x, o2 + x);
}
