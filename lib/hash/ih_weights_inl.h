/* ih_weights_inl.h - the fast resize weights (hm__rs_weights_fn) for vectors
 * of HM__W_LANES doubles (internal).
 *
 * Included once by each kernel file (SSE2 and NEON: 2 lanes, AVX2: 4,
 * AVX-512: 8) and compiled with that file's flags; written with the GCC/clang
 * vector extensions so that one text serves every width. HM__W_FMA(a, b, c)
 * may be defined as the tier's fused a*b + c (one rounding: the bounds of
 * docs/IMAGEHASH.md hold with or without it). Per lane the arithmetic is
 * that of the scalar kernel (ih_scalar.c): Pillow's tap positions exactly, the
 * polynomial lanczos of ih_kernels.h, the proof of hm__rs_weights_margin on
 * every weight. Lanes past n compute zeros, and whole vectors are stored:
 * L and k must hold n values rounded up to HM__W_LANES. */
#ifndef HM_IH_WEIGHTS_INL_H
#define HM_IH_WEIGHTS_INL_H

#include <string.h>

#include "ih_kernels.h"

#if !defined(HM__W_LANES)
#error "define HM__W_LANES (2, 4 or 8) before including ih_weights_inl.h"
#endif

typedef double hm__wd __attribute__((vector_size(8 * HM__W_LANES)));
typedef int64_t hm__wl __attribute__((vector_size(8 * HM__W_LANES)));
typedef int32_t hm__wi __attribute__((vector_size(4 * HM__W_LANES)));

#if !defined(HM__W_FMA)
#define HM__W_FMA(a, b, c) ((a) * (b) + (c))
#endif

#if HM__W_LANES == 2
#define HM__W_IOTA {0.0, 1.0}
#elif HM__W_LANES == 4
#define HM__W_IOTA {0.0, 1.0, 2.0, 3.0}
#else
#define HM__W_IOTA {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0}
#endif

HM__IH_INLINE hm__wd hm__w_splat(double v) { return (hm__wd){0} + v; }

HM__IH_INLINE hm__wd hm__w_abs(hm__wd v)
{
    return (hm__wd)((hm__wl)v & INT64_MAX);
}

HM__IH_INLINE double hm__w_hsum(hm__wd v)
{
    double s = v[0];
    for (int i = 1; i < HM__W_LANES; i++) s += v[i];
    return s;
}

/* Lanczos-3 of tap positions x (ih_kernels.h), 0 outside [-3, 3). */
HM__IH_INLINE hm__wd hm__w_lanczos(hm__wd x)
{
    static const double C[HM__RS_SINC_DEGREE + 1] = HM__RS_SINC_C;
    hm__wd t = (x * x) * HM__RS_PI2_9, q = hm__w_splat(C[HM__RS_SINC_DEGREE]);
    HM__IH_UNROLL16
    for (int m = HM__RS_SINC_DEGREE - 1; m >= 0; m--) q = HM__W_FMA(q, t, hm__w_splat(C[m]));
    hm__wd p = q * q, l = p * (1.0 - HM__RS_4_3 * (t * p));
    hm__wl in = (hm__wl)(x >= -3.0) & (hm__wl)(x < 3.0);
    return (hm__wd)((hm__wl)l & in);
}

HM__IH_INLINE int hm__w_weights(int32_t xmin, uint32_t n, double center, double ss, double *L,
                                int32_t *k)
{
    const hm__wd iota = HM__W_IOTA;
    hm__wd pos = iota + (double)xmin, s = {0}, a = {0}; /* (double)(xmin + j), exactly */
    for (uint32_t j = 0; j < n; j += HM__W_LANES) {
        hm__wd x = (pos - center + 0.5) * ss; /* Pillow's tap position, bit for bit */
        hm__wd l = hm__w_lanczos(x);
        l = (hm__wd)((hm__wl)l & (hm__wl)(iota < (double)(n - j)));
        memcpy(L + j, &l, sizeof l);
        s += l;
        a += hm__w_abs(l);
        pos += (double)HM__W_LANES;
    }
    double sum = hm__w_hsum(s), inv, margin = hm__rs_weights_margin(n, sum, hm__w_hsum(a), &inv);
    if (!(margin > 0.0)) return 0;
    const double scale = 0x1p22 * inv, lim = 0.5 - margin, magic = 0x1.8p52;
    hm__wl bad = {0};
    for (uint32_t j = 0; j < n; j += HM__W_LANES) {
        hm__wd w;
        memcpy(&w, L + j, sizeof w);
        w *= scale;
        hm__wd r = (w + magic) - magic; /* the nearest integer (|w| < 2^51) */
        bad |= (hm__wl)(hm__w_abs(w - r) >= lim);
        hm__wi ki = __builtin_convertvector(r, hm__wi);
        memcpy(k + j, &ki, sizeof ki);
    }
    int64_t any = 0;
    for (int i = 0; i < HM__W_LANES; i++) any |= bad[i];
    return !any;
}

#endif /* HM_IH_WEIGHTS_INL_H */
