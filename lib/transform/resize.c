/* resize.c - separable Lanczos-3 resampling. When reducing, the kernel is
 * stretched by the reduction factor (support 3/scale) so that every source
 * pixel contributes: an antialiased reduction in the manner of Pillow's
 * LANCZOS filter. Arithmetic in double, one rounding at the end. */
#include <math.h>
#include <stdlib.h>

#include "transform.h"

#define LANCZOS_A 3.0

static double sinc(double x)
{
    if (x == 0.0) return 1.0;
    x *= 3.14159265358979323846;
    return sin(x) / x;
}

static double lanczos(double x)
{
    if (x <= -LANCZOS_A || x >= LANCZOS_A) return 0.0;
    return sinc(x) * sinc(x / LANCZOS_A);
}

/* Per output coordinate: the first source index and `taps` normalised weights. */
typedef struct {
    size_t taps;
    long *first;
    double *w;
} kernel;

static void kernel_free(kernel *k)
{
    free(k->first);
    free(k->w);
}

static hm_status kernel_make(uint32_t in, uint32_t outn, kernel *k, hm_error *err)
{
    double scale = (double)outn / in;
    double fs = scale < 1.0 ? 1.0 / scale : 1.0; /* filter stretch */
    double support = LANCZOS_A * fs;
    k->taps = (size_t)ceil(support) * 2 + 2;
    k->first = malloc(outn * sizeof *k->first);
    k->w = malloc(outn * k->taps * sizeof *k->w);
    if (!k->first || !k->w) {
        kernel_free(k);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate resampling weights");
    }
    for (uint32_t i = 0; i < outn; i++) {
        double centre = (i + 0.5) / scale; /* in source pixel-edge coordinates */
        long lo = (long)floor(centre - support), hi = (long)ceil(centre + support);
        if (lo < 0) lo = 0;
        if (hi > (long)in) hi = (long)in;
        double *w = k->w + (size_t)i * k->taps, sum = 0;
        size_t n = 0;
        for (long j = lo; j < hi && n < k->taps; j++, n++) {
            w[n] = lanczos((j + 0.5 - centre) / fs);
            sum += w[n];
        }
        for (; n < k->taps; n++) w[n] = 0.0;
        for (n = 0; n < k->taps && sum != 0.0; n++) w[n] /= sum;
        k->first[i] = lo;
    }
    return HM_OK;
}

/* Samples outside the source (the kernel's tail past the edge) are skipped,
 * and weights were normalised over what remains. */
static double apply(const kernel *k, uint32_t i, const double *src, size_t stride, long limit)
{
    const double *w = k->w + (size_t)i * k->taps;
    double acc = 0;
    for (size_t n = 0; n < k->taps; n++) {
        long j = k->first[i] + (long)n;
        if (j >= limit) break;
        acc += w[n] * src[(size_t)j * stride];
    }
    return acc;
}

static hm_status resample(const hm_image *src, const kernel *kx, const kernel *ky, hm_image *dst,
                          hm_error *err)
{
    size_t c = src->channels, W = src->width, H = src->height, w = dst->width, h = dst->height;
    size_t n1, n2;
    HM_RETURN_IF(!hm__mul_size(W * c, H, &n1) || !hm__mul_size(w * c, H, &n2), err,
                 HM_E_IMAGE_TOO_LARGE, "image too large to resample");
    double *in = malloc(n1 * sizeof *in), *mid = malloc(n2 * sizeof *mid);
    if (!in || !mid) {
        free(in);
        free(mid);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate resampling buffers");
    }
    for (size_t i = 0; i < n1; i++) in[i] = src->pixels[i];
    for (size_t y = 0; y < H; y++) /* horizontal pass */
        for (size_t x = 0; x < w; x++)
            for (size_t k = 0; k < c; k++)
                mid[(y * w + x) * c + k] = apply(kx, (uint32_t)x, in + y * W * c + k, c, (long)W);
    for (size_t y = 0; y < h; y++) /* vertical pass */
        for (size_t x = 0; x < w * c; x++)
            dst->pixels[y * w * c + x] = hm__clamp_u8(apply(ky, (uint32_t)y, mid + x, w * c, (long)H));
    free(in);
    free(mid);
    return HM_OK;
}

hm_status hm__tf_resize(const hm_image *src, uint32_t w, uint32_t h, hm_image **out,
                        hm_error *err)
{
    HM_RETURN_IF(w == 0 || h == 0 || w > 1000000u || h > 1000000u, err, HM_E_IMAGE_DIMENSIONS,
                 "cannot resize to %ux%u", w, h);
    kernel kx = {0}, ky = {0};
    hm_status st = kernel_make(src->width, w, &kx, err);
    if (st == HM_OK) st = kernel_make(src->height, h, &ky, err);
    if (st == HM_OK) st = hm__tf_new_like(src, w, h, out, err);
    if (st == HM_OK) {
        st = resample(src, &kx, &ky, *out, err);
        if (st != HM_OK) {
            hm_image_free(*out);
            *out = NULL;
        }
    }
    kernel_free(&kx);
    kernel_free(&ky);
    return st;
}
