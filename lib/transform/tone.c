/* tone.c - per-sample edits (tone tables, noise), Gaussian blur, solid blocks,
 * and the seeded generator they draw from. */
#include <math.h>
#include <stdlib.h>

#include "transform.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void hm__rng_seed(hm__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t hm__rng_next(hm__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double hm__rng_uniform(hm__rng *r) { return (double)(hm__rng_next(r) >> 11) * 0x1.0p-53; }

double hm__rng_normal(hm__rng *r)
{
    uint64_t sum = 0; /* twelve 32-bit uniforms: mean 6 * 2^32, variance 2^64 */
    for (int i = 0; i < 12; i++) sum += hm__rng_next(r) >> 32;
    return ((double)sum - 6.0 * 4294967296.0) * 0x1.0p-32;
}

hm_status hm__tf_lut(const hm_image *src, const uint8_t lut[256], hm_image **out, hm_error *err)
{
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, src->width, src->height, out, err));
    size_t n = (size_t)src->width * src->height * src->channels;
    for (size_t i = 0; i < n; i++) (*out)->pixels[i] = lut[src->pixels[i]];
    return HM_OK;
}

hm_status hm__tf_noise(const hm_image *src, double sigma, hm__rng *rng, hm_image **out,
                       hm_error *err)
{
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, src->width, src->height, out, err));
    size_t n = (size_t)src->width * src->height * src->channels;
    for (size_t i = 0; i < n; i++)
        (*out)->pixels[i] = hm__clamp_u8(src->pixels[i] + sigma * hm__rng_normal(rng));
    return HM_OK;
}

hm_status hm__tf_fill(const hm_image *src, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      uint8_t value, hm_image **out, hm_error *err)
{
    HM_RETURN_IF(x0 > src->width || y0 > src->height || w > src->width - x0 ||
                     h > src->height - y0,
                 err, HM_E_INVALID_ARGUMENT, "block outside the image");
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, src->width, src->height, out, err));
    size_t c = src->channels, row = (size_t)src->width * c;
    memcpy((*out)->pixels, src->pixels, row * src->height);
    for (uint32_t y = y0; y < y0 + h; y++) memset((*out)->pixels + y * row + x0 * c, value, w * c);
    return HM_OK;
}

/* 1-D Gaussian pass along one axis with replicated edges. `len` samples
 * `stride` apart, repeated `count` times `step` apart. */
static void blur_pass(const double *in, double *out, size_t len, size_t stride, size_t count,
                      size_t step, const double *g, long r)
{
    for (size_t k = 0; k < count; k++) {
        const double *s = in + k * step;
        double *d = out + k * step;
        for (long i = 0; i < (long)len; i++) {
            double acc = 0;
            for (long t = -r; t <= r; t++) {
                long j = i + t;
                j = j < 0 ? 0 : j >= (long)len ? (long)len - 1 : j;
                acc += g[t + r] * s[(size_t)j * stride];
            }
            d[(size_t)i * stride] = acc;
        }
    }
}

hm_status hm__tf_blur(const hm_image *src, double sigma, hm_image **out, hm_error *err)
{
    size_t c = src->channels, W = src->width, H = src->height, n = W * H * c;
    long r = (long)ceil(3.0 * sigma);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    double *g = malloc((size_t)(2 * r + 1) * sizeof *g);
    hm_status st = (a && b && g) ? HM_OK : hm__fail(err, HM_E_NO_MEMORY, "cannot allocate blur buffers");
    if (st == HM_OK) st = hm__tf_new_like(src, src->width, src->height, out, err);
    if (st == HM_OK) {
        double sum = 0;
        for (long t = -r; t <= r; t++) sum += g[t + r] = sigma > 0 ? exp(-(double)(t * t) / (2 * sigma * sigma)) : 1.0;
        for (long t = -r; t <= r; t++) g[t + r] /= sum;
        for (size_t i = 0; i < n; i++) a[i] = src->pixels[i];
        for (size_t ch = 0; ch < c; ch++) {
            blur_pass(a + ch, b + ch, W, c, H, W * c, g, r); /* rows */
            blur_pass(b + ch, a + ch, H, W * c, W, c, g, r); /* columns */
        }
        for (size_t i = 0; i < n; i++) (*out)->pixels[i] = hm__clamp_u8(a[i]);
    }
    free(a);
    free(b);
    free(g);
    return st;
}
