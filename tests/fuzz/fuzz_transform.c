/* fuzz_transform.c - transform specs from untrusted text: parse a list, apply
 * every chain to a small image. Any input must give a status, never a crash,
 * hang, leak or unbounded allocation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Growth is bounded by the library's pixel limit, but a 100-megapixel blur is
 * slow: keep fuzzing fast by skipping chains whose output would exceed 200,000
 * pixels (the unit tests cover the limit itself). */
static int too_big(const hm_transform *t)
{
    double w = 12, h = 9;
    for (unsigned s = 0; s < t->count; s++) {
        double p = t->steps[s].param[0];
        switch (t->steps[s].kind) {
        case HM_TRANSFORM_SCALE: w *= p, h *= p; break;
        case HM_TRANSFORM_PAD: w *= 1 + p / 50, h *= 1 + p / 50; break;
        case HM_TRANSFORM_LETTERBOX: h *= 1 + p / 50; break;
        default: break;
        }
        if ((w + 1) * (h + 1) > 200000) return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    hm_transform list[4];
    size_t n = 0;
    if (hm_transform_parse_list(text, list, 4, &n, NULL) == HM_OK) {
        uint8_t px[12 * 9 * 3];
        for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 37);
        hm_image *img = NULL;
        if (hm_image_from_pixels(12, 9, 3, px, 36, &img) == HM_OK) {
            for (size_t k = 0; k < n; k++) {
                hm_image *out = NULL;
                if (too_big(&list[k])) continue;
                if (hm_image_transform(img, &list[k], size, &out, NULL) == HM_OK &&
                    (hm_image_width(out) == 0 || hm_image_height(out) == 0))
                    abort();
                hm_image_free(out);
            }
            hm_image_free(img);
        }
    }
    free(text);
    return 0;
}
