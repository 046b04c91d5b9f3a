/* luma.c - one pass over the decoded pixels producing both luma planes.
 * Compiled with -ffp-contract=off: the PDQ reference evaluates
 * (0.299f*R + 0.587f*G) + 0.114f*B in float without fused multiply-add. */
#include "hash_internal.h"

void hm__luma(const hm_image *img, float *pdq, uint8_t *pil)
{
    size_t n = (size_t)img->width * img->height;
    const uint8_t *p = img->pixels;
    if (img->channels == 1) {
        for (size_t i = 0; i < n; i++) {
            if (pdq) pdq[i] = (float)p[i];
        }
        if (pil) memcpy(pil, p, n);
        return;
    }
    for (size_t i = 0; i < n; i++, p += 3) {
        unsigned r = p[0], g = p[1], b = p[2];
        if (pdq) pdq[i] = (0.299f * (float)r + 0.587f * (float)g) + 0.114f * (float)b;
        if (pil) pil[i] = (uint8_t)((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16);
    }
}
