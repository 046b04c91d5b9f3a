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
    /* twelve 16-bit uniforms (four per 64-bit draw): their sum has mean
     * 6 * 65535.5 and variance close to 65536^2 */
    int64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t x = hm__rng_next(r);
        sum += (int64_t)((x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48));
    }
    return ((double)sum - 6.0 * 65535.0) * (1.0 / 65536.0);
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

/* Horizontal pass of one row (w pixels of c samples) through a line buffer
 * padded with r replicated pixels on each side, so the inner loop has no
 * edge tests. */
static void blur_row(const double *in, double *out, double *line, size_t w, size_t c,
                     const double *g, size_t r)
{
    for (size_t x = 0; x < w + 2 * r; x++) {
        size_t sx = x < r ? 0 : x - r >= w ? w - 1 : x - r;
        memcpy(line + x * c, in + sx * c, c * sizeof *line);
    }
    for (size_t i = 0; i < w * c; i++) {
        double acc = 0;
        for (size_t t = 0; t <= 2 * r; t++) acc += g[t] * line[i + t * c];
        out[i] = acc;
    }
}

/* Vertical pass: output row y is the weighted sum of whole rows y-r..y+r
 * (clamped), accumulated row by row so memory is read in order. */
static void blur_column(const double *in, uint8_t *out, size_t w, size_t h, const double *g,
                        size_t r, double *acc)
{
    for (size_t y = 0; y < h; y++) {
        memset(acc, 0, w * sizeof *acc);
        for (size_t t = 0; t <= 2 * r; t++) {
            long sy = (long)y + (long)t - (long)r;
            sy = sy < 0 ? 0 : sy >= (long)h ? (long)h - 1 : sy;
            const double *row = in + (size_t)sy * w;
            for (size_t i = 0; i < w; i++) acc[i] += g[t] * row[i];
        }
        for (size_t i = 0; i < w; i++) out[y * w + i] = hm__clamp_u8(acc[i]);
    }
}

hm_status hm__tf_blur(const hm_image *src, double sigma, hm_image **out, hm_error *err)
{
    size_t c = src->channels, W = src->width, H = src->height, n = W * H * c;
    size_t r = (size_t)ceil(3.0 * sigma);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    double *g = malloc((2 * r + 1) * sizeof *g), *line = malloc((W + 2 * r) * c * sizeof *line);
    double *acc = malloc(W * c * sizeof *acc);
    hm_status st = (a && b && g && line && acc)
                       ? HM_OK
                       : hm__fail(err, HM_E_NO_MEMORY, "cannot allocate blur buffers");
    if (st == HM_OK) st = hm__tf_new_like(src, src->width, src->height, out, err);
    if (st == HM_OK) {
        double sum = 0;
        for (size_t t = 0; t <= 2 * r; t++) {
            double d = (double)t - (double)r;
            g[t] = sigma > 0 ? exp(-d * d / (2 * sigma * sigma)) : 1.0;
            sum += g[t];
        }
        for (size_t t = 0; t <= 2 * r; t++) g[t] /= sum;
        for (size_t i = 0; i < n; i++) a[i] = src->pixels[i];
        for (size_t y = 0; y < H; y++) blur_row(a + y * W * c, b + y * W * c, line, W, c, g, r);
        blur_column(b, (*out)->pixels, W * c, H, g, r, acc);
    }
    free(a);
    free(b);
    free(g);
    free(line);
    free(acc);
    return st;
}
