/* ih_neon.c - imagehash kernels for AArch64 NEON (baseline there).
 *
 * Resize: vmlal_s16 multiplies int16 by int16 into int32 lanes, so weights
 * that do not fit int16 are split into hi*2^11 + lo as on x86; the column
 * kernel takes 16 columns at once. Haar: vld2q/vst2q split and merge the even
 * and odd columns of two blocks; the scalar expressions lane by lane (no
 * fused multiply-add: -ffp-contract=off). */
#include <arm_neon.h>

#include "ih_kernels.h"
#define HM__W_FMA(a, b, c) ((hm__wd)vfmaq_f64((float64x2_t)(c), (float64x2_t)(a), (float64x2_t)(b)))
#define HM__W_LANES 2
#include "ih_weights_inl.h"

/* ---- resize ---- */

HM__IH_INLINE uint8_t finish1(int32x4_t h, int32x4_t l, int split)
{
    int32_t acc = vaddvq_s32(h);
    if (split) acc = (int32_t)((uint32_t)acc << HM__RS_SPLIT_BITS) + vaddvq_s32(l);
    return hm__rs_clip8((int32_t)((uint32_t)acc + HM__RS_ROUND));
}

/* One output of one row, 8 taps per step. */
HM__IH_INLINE uint8_t hlong1(const int16_t *r, const hm__rs_axis *ax, uint32_t o, int split)
{
    const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
    const int16_t *p = r + ax->start[o];
    int32_t n = (ax->n[o] + 7) & ~7;
    int32x4_t h = vdupq_n_s32(0), l = h;
    for (int32_t j = 0; j < n; j += 8) {
        int16x8_t px = vld1q_s16(p + j), kh = vld1q_s16(hi + j);
        h = vmlal_s16(h, vget_low_s16(px), vget_low_s16(kh));
        h = vmlal_high_s16(h, px, kh);
        if (split) {
            int16x8_t kl = vld1q_s16(lo + j);
            l = vmlal_s16(l, vget_low_s16(px), vget_low_s16(kl));
            l = vmlal_high_s16(l, px, kl);
        }
    }
    return finish1(h, l, split);
}

static void hlong_neon(const int16_t *rows, size_t rstride, uint32_t nrows,
                       const hm__rs_axis *ax, uint8_t *dst, size_t dstride)
{
    for (uint32_t y = 0; y < nrows; y++) {
        const int16_t *r = rows + y * rstride;
        uint8_t *d = dst + y * dstride;
        if (ax->split)
            for (uint32_t o = 0; o < ax->out; o++) d[o] = hlong1(r, ax, o, 1);
        else
            for (uint32_t o = 0; o < ax->out; o++) d[o] = hlong1(r, ax, o, 0);
    }
}

HM__IH_INLINE int16x4_t clip4(int32x4_t h, int32x4_t l, int split)
{
    int32x4_t s = split ? vaddq_s32(vshlq_n_s32(h, HM__RS_SPLIT_BITS), l) : h;
    s = vshrq_n_s32(vaddq_s32(s, vdupq_n_s32(HM__RS_ROUND)), HM__RS_PRECISION_BITS);
    return vqmovn_s32(s);
}

/* 16 columns of one output. */
HM__IH_INLINE void cols16(const uint8_t *b, size_t stride, const int16_t *hi, const int16_t *lo,
                          int32_t n, int split, uint8_t *out)
{
    int32x4_t h[4], l[4];
    HM__IH_UNROLL
    for (int q = 0; q < 4; q++) h[q] = l[q] = vdupq_n_s32(0);
    for (int32_t j = 0; j < n; j++) {
        uint8x16_t v = vld1q_u8(b + (size_t)j * stride);
        int16x8_t p0 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
        int16x8_t p1 = vreinterpretq_s16_u16(vmovl_high_u8(v));
        h[0] = vmlal_n_s16(h[0], vget_low_s16(p0), hi[j]);
        h[1] = vmlal_high_n_s16(h[1], p0, hi[j]);
        h[2] = vmlal_n_s16(h[2], vget_low_s16(p1), hi[j]);
        h[3] = vmlal_high_n_s16(h[3], p1, hi[j]);
        if (split) {
            l[0] = vmlal_n_s16(l[0], vget_low_s16(p0), lo[j]);
            l[1] = vmlal_high_n_s16(l[1], p0, lo[j]);
            l[2] = vmlal_n_s16(l[2], vget_low_s16(p1), lo[j]);
            l[3] = vmlal_high_n_s16(l[3], p1, lo[j]);
        }
    }
    int16x8_t a = vcombine_s16(clip4(h[0], l[0], split), clip4(h[1], l[1], split));
    int16x8_t c = vcombine_s16(clip4(h[2], l[2], split), clip4(h[3], l[3], split));
    vst1q_u8(out, vcombine_u8(vqmovun_s16(a), vqmovun_s16(c)));
}

static void cols_neon(const uint8_t *src, size_t stride, int32_t base, uint32_t width,
                      const hm__rs_axis *ax, uint32_t o0, uint32_t o1, uint8_t *dst,
                      size_t dstride)
{
    for (uint32_t o = o0; o < o1; o++) {
        const uint8_t *b = src + (size_t)(ax->start[o] - base) * stride;
        const int16_t *hi = ax->khi + (size_t)o * ax->kpad, *lo = ax->klo + (size_t)o * ax->kpad;
        uint8_t *out = dst + (o - o0) * dstride;
        uint32_t x = 0;
        for (; x + 16 <= width; x += 16) {
            if (ax->split) cols16(b + x, stride, hi, lo, ax->n[o], 1, out + x);
            else cols16(b + x, stride, hi, lo, ax->n[o], 0, out + x);
        }
        for (; x < width; x++) out[x] = hm__rs_col1(src, stride, base, ax, o, x);
    }
}

/* ---- luma: vld3q splits 16 pixels into R, G and B ---- */

HM__IH_INLINE uint16x4_t pil4(uint16x4_t r, uint16x4_t g, uint16x4_t b)
{
    uint32x4_t s = vmlal_n_u16(vmlal_n_u16(vmull_n_u16(r, 19595), g, 38470), b, 7471);
    return vshrn_n_u32(vaddq_u32(s, vdupq_n_u32(0x8000)), 16);
}

/* (0.299f*R + 0.587f*G) + 0.114f*B, lane by lane as the scalar code. */
HM__IH_INLINE float32x4_t pdq4(uint16x4_t r, uint16x4_t g, uint16x4_t b)
{
    float32x4_t fr = vcvtq_f32_u32(vmovl_u16(r)), fg = vcvtq_f32_u32(vmovl_u16(g));
    float32x4_t fb = vcvtq_f32_u32(vmovl_u16(b));
    float32x4_t rg = vaddq_f32(vmulq_n_f32(fr, 0.299f), vmulq_n_f32(fg, 0.587f));
    return vaddq_f32(rg, vmulq_n_f32(fb, 0.114f));
}

static void luma_rgb_neon(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8x16x3_t v = vld3q_u8(p + 3 * i);
        uint16x8_t r[2] = {vmovl_u8(vget_low_u8(v.val[0])), vmovl_high_u8(v.val[0])};
        uint16x8_t g[2] = {vmovl_u8(vget_low_u8(v.val[1])), vmovl_high_u8(v.val[1])};
        uint16x8_t b[2] = {vmovl_u8(vget_low_u8(v.val[2])), vmovl_high_u8(v.val[2])};
        uint16x4_t y[4];
        for (int k = 0; k < 4; k++) {
            uint16x4_t rk = k & 1 ? vget_high_u16(r[k / 2]) : vget_low_u16(r[k / 2]);
            uint16x4_t gk = k & 1 ? vget_high_u16(g[k / 2]) : vget_low_u16(g[k / 2]);
            uint16x4_t bk = k & 1 ? vget_high_u16(b[k / 2]) : vget_low_u16(b[k / 2]);
            if (pdq) vst1q_f32(pdq + i + 4 * k, pdq4(rk, gk, bk));
            y[k] = pil4(rk, gk, bk);
        }
        if (pil)
            vst1q_u8(pil + i, vcombine_u8(vmovn_u16(vcombine_u16(y[0], y[1])),
                                          vmovn_u16(vcombine_u16(y[2], y[3]))));
    }
    hm__luma_rgb_scalar(p + 3 * i, n - i, pdq ? pdq + i : NULL, pil ? pil + i : NULL);
}

/* ---- Haar: two blocks per vector ---- */

#define MUL vmulq_f64
#define ADD vaddq_f64
#define SUB vsubq_f64

static void approx_neon(const double *r0, const double *r1, uint32_t half, double *dst)
{
    const float64x2_t H = vdupq_n_f64(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        float64x2x2_t a = vld2q_f64(r0 + 2 * j), b = vld2q_f64(r1 + 2 * j);
        float64x2_t a0 = ADD(MUL(H, a.val[0]), MUL(H, b.val[0]));
        float64x2_t a1 = ADD(MUL(H, a.val[1]), MUL(H, b.val[1]));
        vst1q_f64(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_scalar(r0 + 2 * j, r1 + 2 * j, half - j, dst + j);
}

/* hx of the bytes p[0], p[2] (even) or p[1], p[3] (odd) of two blocks. */
HM__IH_INLINE float64x2_t look2(const uint8_t *p, const double *hx, int odd)
{
    return vsetq_lane_f64(hx[p[2 + odd]], vdupq_n_f64(hx[p[odd]]), 1);
}

static void approx_px_neon(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                           const double *hx, double *dst)
{
    const float64x2_t H = vdupq_n_f64(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        float64x2_t a0 = ADD(look2(a, hx, 0), look2(b, hx, 0));
        float64x2_t a1 = ADD(look2(a, hx, 1), look2(b, hx, 1));
        vst1q_f64(dst + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_approx_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, dst + j);
}

HM__IH_INLINE void rebuild_tail(float64x2_t H, float64x2_t a0, float64x2_t a1, float64x2_t d0,
                                float64x2_t d1, float64x2_t aa, float64x2_t y[4])
{
    float64x2_t ad = SUB(MUL(H, a0), MUL(H, a1));
    float64x2_t da = ADD(MUL(H, d0), MUL(H, d1)), dd = SUB(MUL(H, d0), MUL(H, d1));
    float64x2_t la0 = ADD(MUL(H, aa), MUL(H, ad)), la1 = SUB(MUL(H, aa), MUL(H, ad));
    float64x2_t ld0 = ADD(MUL(H, da), MUL(H, dd)), ld1 = SUB(MUL(H, da), MUL(H, dd));
    y[0] = ADD(MUL(H, la0), MUL(H, ld0));
    y[1] = ADD(MUL(H, la1), MUL(H, ld1));
    y[2] = SUB(MUL(H, la0), MUL(H, ld0));
    y[3] = SUB(MUL(H, la1), MUL(H, ld1));
}

static void rebuild_neon(double *r0, double *r1, uint32_t half, const double *coarse)
{
    const float64x2_t H = vdupq_n_f64(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        float64x2x2_t a = vld2q_f64(r0 + 2 * j), b = vld2q_f64(r1 + 2 * j);
        float64x2_t a0 = ADD(MUL(H, a.val[0]), MUL(H, b.val[0]));
        float64x2_t a1 = ADD(MUL(H, a.val[1]), MUL(H, b.val[1]));
        float64x2_t d0 = SUB(MUL(H, a.val[0]), MUL(H, b.val[0]));
        float64x2_t d1 = SUB(MUL(H, a.val[1]), MUL(H, b.val[1]));
        float64x2_t y[4];
        rebuild_tail(H, a0, a1, d0, d1, vld1q_f64(coarse + j), y);
        float64x2x2_t t0 = {{y[0], y[1]}}, t1 = {{y[2], y[3]}};
        vst2q_f64(r0 + 2 * j, t0);
        vst2q_f64(r1 + 2 * j, t1);
    }
    hm__haar_rebuild_scalar(r0 + 2 * j, r1 + 2 * j, half - j, coarse + j);
}

static void rebuild_px_neon(const uint8_t *p0, const uint8_t *p1, uint32_t half,
                            const double *hx, double *aout)
{
    const float64x2_t H = vdupq_n_f64(HM__HAAR_H);
    uint32_t j = 0;
    for (; j + 2 <= half; j += 2) {
        const uint8_t *a = p0 + 2 * j, *b = p1 + 2 * j;
        float64x2_t x00 = look2(a, hx, 0), x01 = look2(a, hx, 1);
        float64x2_t x10 = look2(b, hx, 0), x11 = look2(b, hx, 1);
        float64x2_t y[4];
        rebuild_tail(H, ADD(x00, x10), ADD(x01, x11), SUB(x00, x10), SUB(x01, x11),
                     vld1q_f64(aout + j), y);
        float64x2_t a0 = ADD(MUL(H, y[0]), MUL(H, y[2])), a1 = ADD(MUL(H, y[1]), MUL(H, y[3]));
        vst1q_f64(aout + j, ADD(MUL(H, a0), MUL(H, a1)));
    }
    hm__haar_rebuild_px_scalar(p0 + 2 * j, p1 + 2 * j, half - j, hx, aout + j);
}

/* ---- resize weights ---- */

static int weights_neon(int32_t xmin, uint32_t n, double center, double ss, double *L, int32_t *k)
{
    return hm__w_weights(xmin, n, center, ss, L, k);
}

const hm__ih_kernels hm__ih_kernels_neon = {
    .tier = HM__IH_NEON,
    .block_rows = 16,
    .hlong = hlong_neon,
    .hlong_u8 = NULL,
    .cols = cols_neon,
    .transpose = hm__rs_transpose16,
    .weights = weights_neon,
    .luma_rgb = luma_rgb_neon,
    .haar_approx = approx_neon,
    .haar_approx_px = approx_px_neon,
    .haar_rebuild = rebuild_neon,
    .haar_rebuild_px = rebuild_px_neon,
    .pdq_vstep = hm__pdq_vstep_v4,
    .pdq_divide = hm__pdq_divide_v4};
