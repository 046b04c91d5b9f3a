/* transform.h - the edits behind hm_image_transform (internal).
 *
 * Every edit reads a source image and allocates a new one; none changes its
 * input. Pixel arithmetic is done in double and rounded half up, and random
 * numbers come from a seeded xoshiro256** generator, so the output depends on
 * nothing but the input, the parameters and the seed. */
#ifndef HM_TRANSFORM_H
#define HM_TRANSFORM_H

#include "../image/image.h"

/* ---- seeded PRNG (xoshiro256**, state filled by splitmix64) ---- */
typedef struct hm__rng {
    uint64_t s[4];
} hm__rng;
void hm__rng_seed(hm__rng *r, uint64_t seed);
uint64_t hm__rng_next(hm__rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double hm__rng_uniform(hm__rng *r);
/* Approximately standard normal: the Irwin-Hall sum of 12 uniforms minus 6
 * (16-bit ones, four per draw), summed in integers so every platform draws
 * the same values. */
double hm__rng_normal(hm__rng *r);

/* Rounds half up and clamps to 0..255. */
static inline uint8_t hm__clamp_u8(double v)
{
    if (!(v > 0.0)) return 0; /* also NaN */
    if (v >= 254.5) return 255;
    return (uint8_t)(v + 0.5);
}

/* New image of the given size with src's channels and colour model. */
hm_status hm__tf_new_like(const hm_image *src, uint32_t w, uint32_t h, hm_image **out,
                          hm_error *err);

/* ---- geometry (geometry.c) ---- */
hm_status hm__tf_crop(const hm_image *src, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      hm_image **out, hm_error *err);
/* quarter_turns counter-clockwise, 0..3 */
hm_status hm__tf_rotate90(const hm_image *src, unsigned quarter_turns, hm_image **out,
                          hm_error *err);
hm_status hm__tf_rotate(const hm_image *src, double degrees, hm_image **out, hm_error *err);
hm_status hm__tf_flip(const hm_image *src, int vertical, hm_image **out, hm_error *err);
hm_status hm__tf_pad(const hm_image *src, uint32_t left, uint32_t top, uint32_t right,
                     uint32_t bottom, uint8_t value, hm_image **out, hm_error *err);

/* ---- resampling (resize.c) ---- */
hm_status hm__tf_resize(const hm_image *src, uint32_t w, uint32_t h, hm_image **out,
                        hm_error *err);

/* ---- pixel edits (tone.c) ---- */
/* Maps every sample through a 256-entry table. */
hm_status hm__tf_lut(const hm_image *src, const uint8_t lut[256], hm_image **out,
                     hm_error *err);
hm_status hm__tf_blur(const hm_image *src, double sigma, hm_image **out, hm_error *err);
hm_status hm__tf_noise(const hm_image *src, double sigma, hm__rng *rng, hm_image **out,
                       hm_error *err);
hm_status hm__tf_fill(const hm_image *src, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      uint8_t value, hm_image **out, hm_error *err);

/* ---- JPEG round trip (jpegenc.c) ---- */
/* Encodes with libjpeg-turbo at `quality` into a malloc'd buffer. */
hm_status hm__jpeg_encode(const hm_image *src, int quality, uint8_t **data, size_t *size,
                          hm_error *err);

#endif /* HM_TRANSFORM_H */
