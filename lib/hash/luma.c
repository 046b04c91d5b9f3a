/* luma.c - one pass over the decoded pixels producing both luma planes.
 *
 * Compiled with -ffp-contract=off: the PDQ reference evaluates
 * (0.299f*R + 0.587f*G) + 0.114f*B in float without fused multiply-add.
 *
 * Scalar path: a product 0.299f*(float)R depends on R alone, so it is looked
 * up in a table of the same float products; the sums keep the reference's
 * order.
 *
 * SSE2 path (x86-64 baseline), 16 RGB pixels at a time: the 48 bytes become
 * twelve vectors of four consecutive samples as floats, which are multiplied
 * by the matching coefficient pattern (R G B R | G B R G | B R G B) and then
 * regrouped by shuffles into one vector of R products, one of G and one of B
 * per four pixels: every product and sum is the same IEEE operation as the
 * scalar expression, lane by lane. Pillow's integer formula runs through the
 * same machinery: 19595*R + 38470*G + 7471*B + 32768 < 2^24, so every product
 * and partial sum is an integer that float represents exactly, and the
 * division by 65536 is exact too.
 *
 * Wider tiers (AVX2, AVX-512, NEON) are in the imagehash kernel files
 * (ih_kernels.h); hm__luma_rows runs the widest this CPU has. */
#include "hash_internal.h"
#include "ih_kernels.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

void hm__luma_tables_init(hm__luma_tables *t)
{
    for (int v = 0; v < 256; v++) {
        t->r[v] = 0.299f * (float)v;
        t->g[v] = 0.587f * (float)v;
        t->b[v] = 0.114f * (float)v;
    }
}

static uint8_t pil_luma(unsigned r, unsigned g, unsigned b)
{
    return (uint8_t)((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16);
}

/* The float products are those of the tables: 0.299f*(float)R etc. */
void hm__luma_rgb_scalar(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    if (pdq)
        for (size_t i = 0; i < n; i++)
            pdq[i] = (0.299f * (float)p[3 * i] + 0.587f * (float)p[3 * i + 1]) +
                     0.114f * (float)p[3 * i + 2];
    if (pil)
        for (size_t i = 0; i < n; i++) pil[i] = pil_luma(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
}

#if defined(__SSE2__)

/* Sixteen bytes as four vectors of four floats. */
static inline void bytes_to_floats(__m128i v, __m128 f[4])
{
    const __m128i z = _mm_setzero_si128();
    __m128i lo = _mm_unpacklo_epi8(v, z), hi = _mm_unpackhi_epi8(v, z);
    f[0] = _mm_cvtepi32_ps(_mm_unpacklo_epi16(lo, z));
    f[1] = _mm_cvtepi32_ps(_mm_unpackhi_epi16(lo, z));
    f[2] = _mm_cvtepi32_ps(_mm_unpacklo_epi16(hi, z));
    f[3] = _mm_cvtepi32_ps(_mm_unpackhi_epi16(hi, z));
}

#define SHUF(a, b, x0, x1, x2, x3) _mm_shuffle_ps((a), (b), _MM_SHUFFLE(x3, x2, x1, x0))

/* Four pixels from the 12 samples s0 = R0 G0 B0 R1, s1 = G1 B1 R2 G2,
 * s2 = B2 R3 G3 B3 and the coefficient patterns k[0..2] (c_R c_G c_B c_R,
 * c_G c_B c_R c_G, c_B c_R c_G c_B): (c_R*R + c_G*G) + c_B*B per pixel. */
static inline __m128 weigh4(__m128 s0, __m128 s1, __m128 s2, const __m128 k[3])
{
    __m128 p0 = _mm_mul_ps(s0, k[0]), p1 = _mm_mul_ps(s1, k[1]), p2 = _mm_mul_ps(s2, k[2]);
    __m128 r = SHUF(p0, SHUF(p1, p2, 2, 2, 1, 1), 0, 3, 0, 2);
    __m128 g = SHUF(SHUF(p0, p1, 1, 1, 0, 0), SHUF(p1, p2, 3, 3, 2, 2), 0, 2, 0, 2);
    __m128 b = SHUF(SHUF(p0, p1, 2, 2, 1, 1), p2, 0, 2, 0, 3);
    return _mm_add_ps(_mm_add_ps(r, g), b);
}

static inline void patterns(float cr, float cg, float cb, __m128 k[3])
{
    k[0] = _mm_setr_ps(cr, cg, cb, cr);
    k[1] = _mm_setr_ps(cg, cb, cr, cg);
    k[2] = _mm_setr_ps(cb, cr, cg, cb);
}

/* Sixteen pixels (48 bytes). */
static inline void luma16(const uint8_t *p, const __m128 kp[3], const __m128 kl[3], float *pdq,
                          uint8_t *pil)
{
    __m128 f[12];
    bytes_to_floats(_mm_loadu_si128((const __m128i *)(const void *)p), f);
    bytes_to_floats(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), f + 4);
    bytes_to_floats(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), f + 8);
    if (pdq)
        for (int g = 0; g < 4; g++)
            _mm_storeu_ps(pdq + 4 * g, weigh4(f[3 * g], f[3 * g + 1], f[3 * g + 2], kp));
    if (pil) {
        const __m128 half = _mm_set1_ps(32768.0f), scale = _mm_set1_ps(1.0f / 65536.0f);
        __m128i q[4];
        for (int g = 0; g < 4; g++) {
            __m128 y = _mm_add_ps(weigh4(f[3 * g], f[3 * g + 1], f[3 * g + 2], kl), half);
            q[g] = _mm_cvttps_epi32(_mm_mul_ps(y, scale));
        }
        __m128i w = _mm_packus_epi16(_mm_packs_epi32(q[0], q[1]), _mm_packs_epi32(q[2], q[3]));
        _mm_storeu_si128((__m128i *)(void *)pil, w);
    }
}

void hm__luma_rgb_sse2(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    __m128 kp[3], kl[3];
    patterns(0.299f, 0.587f, 0.114f, kp);
    patterns(19595.0f, 38470.0f, 7471.0f, kl);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        /* 1.5 KB ahead: the hardware prefetchers alone leave the stream latency-bound */
        _mm_prefetch((const char *)(p + 3 * i + 1536), _MM_HINT_T0);
        luma16(p + 3 * i, kp, kl, pdq ? pdq + i : NULL, pil ? pil + i : NULL);
    }
    hm__luma_rgb_scalar(p + 3 * i, n - i, pdq ? pdq + i : NULL, pil ? pil + i : NULL);
}

static void gray_to_float(const uint8_t *p, size_t n, float *out)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128 f[4];
        bytes_to_floats(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), f);
        for (int k = 0; k < 4; k++) _mm_storeu_ps(out + i + 4 * k, f[k]);
    }
    for (; i < n; i++) out[i] = (float)p[i];
}

#else

static void gray_to_float(const uint8_t *p, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)p[i];
}

#endif

/* `count` packed pixels of `channels` bytes (1 grey, 3 RGB). */
static void luma_run(const uint8_t *p, size_t count, unsigned channels, float *pdq, uint8_t *pil)
{
    if (channels == 1) {
        if (pdq) gray_to_float(p, count, pdq);
        if (pil) memcpy(pil, p, count);
    } else {
        hm__ih_kernels_best()->luma_rgb(p, count, pdq, pil);
    }
}

void hm__luma_rows(const hm__pixview *v, uint32_t y, uint32_t n, float *pdq, uint8_t *pil)
{
    size_t w = v->width;
    unsigned ch = hm__pixview_channels(v);
    if (hm__pixview_packed(v)) {
        luma_run(v->data[0] + (size_t)y * v->stride[0], w * n, ch, pdq, pil);
        return;
    }
    /* Strided or converted rows: one at a time (the kernels run the same
     * arithmetic per pixel, so the luma is the same as a packed image's). */
    for (uint32_t r = 0; r < n; r++)
        luma_run(hm__pixview_row(v, y + r), w, ch, pdq ? pdq + r * w : NULL,
                 pil ? pil + r * w : NULL);
}

void hm__luma_rgb_row(const uint8_t *rgb, size_t n, float *out)
{
    hm__ih_kernels_best()->luma_rgb(rgb, n, out, NULL);
}

void hm__luma(const hm_image *img, float *pdq, uint8_t *pil)
{
    hm__pixview v;
    hm__pixview_of_image(&v, img);
    hm__luma_rows(&v, 0, img->height, pdq, pil);
}
