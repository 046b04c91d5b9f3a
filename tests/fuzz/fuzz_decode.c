/* fuzz_decode.c - libFuzzer target: probe, decode (with and without EXIF
 * orientation, under a small pixel limit) and hash with every algorithm.
 * Any input must end in a clean status: no crash, leak, hang or undefined
 * behaviour, and decoded images must be coherent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch.h"
#include "image/image.h"

/* Decoding alone may reach a megapixel (every code path: interlacing,
 * subsampling, multi-row strips); the hashing passes use a smaller limit so
 * that each input runs in milliseconds under the sanitizers. */
#define FUZZ_MAX_PIXELS (1u << 20)
#define FUZZ_HASH_MAX_PIXELS (1u << 16)

static void check_image(const hm_image *img, uint64_t max_pixels)
{
    uint32_t w = hm_image_width(img), h = hm_image_height(img);
    unsigned ch = hm_image_channels(img);
    if (w == 0 || h == 0 || (ch != 1 && ch != 3) || !hm_image_pixels(img) ||
        (uint64_t)w * h > max_pixels || hm_image_exif_orientation(img) > 8)
        abort();
    /* touch every byte so AddressSanitizer sees the whole buffer */
    const uint8_t *p = hm_image_pixels(img);
    unsigned sum = 0;
    for (size_t i = 0, n = (size_t)w * h * ch; i < n; i++) sum += p[i];
    if (sum == 0xffffffffu) abort();
}

static hm_image *decode(const uint8_t *data, size_t size, uint64_t max_pixels, int orient)
{
    hm_decode_options dopt = {0};
    dopt.max_pixels = max_pixels;
    dopt.apply_exif_orientation = orient;
    hm_image *img = NULL;
    hm_error err;
    hm_status st = hm_image_decode(data, size, &dopt, &img, &err);
    if (st != err.status || (st == HM_OK) != (img != NULL) || (st != HM_OK && !err.message[0]))
        abort();
    if (img) check_image(img, max_pixels);
    return img;
}

static void hash_image(const hm_image *img, hm_pdq_mode mode)
{
    hm_hash_options hopt = {0};
    hopt.algos = HM_MASK_PERCEPTUAL;
    hopt.pdq_mode = mode;
    hopt.pdq_dihedral = 1;
    hm_hashes h;
    if (hm_hash_image(img, &hopt, &h, NULL) != HM_OK) abort();
    if (h.width != hm_image_width(img) || h.height != hm_image_height(img)) abort();
}

/* The scanner's animation checks and WebP frame walk (bounded reads). */
static hm_status count_frame(void *ctx, const hm_image *frame, unsigned index, int ms,
                             hm_error *err)
{
    (void)index, (void)ms, (void)err;
    check_image(frame, FUZZ_HASH_MAX_PIXELS);
    ++*(unsigned *)ctx;
    return HM_OK;
}

static void animations(const uint8_t *data, size_t size)
{
    if (hm__gif_has_later_frames(data, size) > 1 || hm__png_is_animated(data, size) > 1) abort();
    unsigned n = 0;
    if (hm__webp_frame_count(data, size) > 1 &&
        hm__webp_each_frame(data, size, FUZZ_HASH_MAX_PIXELS, 64, UINT64_MAX, count_frame, &n, NULL) == HM_OK &&
        n == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_image_format fmt;
    uint32_t w, h;
    hm_error err;
    hm_status pst = hm_image_probe(data, size, &fmt, &w, &h, &err);
    if (pst != err.status) abort();

    hm_image_free(decode(data, size, FUZZ_MAX_PIXELS, 0));
    hm_image *img = decode(data, size, FUZZ_HASH_MAX_PIXELS, 1);
    if (img) {
        hash_image(img, HM_PDQ_FULLRES);
        hash_image(img, HM_PDQ_CLI512);
        hm_image_free(img);
    }

    /* the one-call path: digests plus every perceptual hash */
    hm_hash_options opt = {0};
    opt.algos = HM_MASK_ALL;
    opt.decode.max_pixels = FUZZ_HASH_MAX_PIXELS;
    hm_hashes hs;
    hm_status st = hm_hash_buffer(data, size, &opt, &hs, &err);
    if (st != err.status) abort();
    animations(data, size);
    return 0;
}
