/* luma.c - one pass over the decoded pixels producing both luma planes.
 * Compiled with -ffp-contract=off: the PDQ reference evaluates
 * (0.299f*R + 0.587f*G) + 0.114f*B in float without fused multiply-add. A
 * product 0.299f*(float)R depends on R alone, so it is looked up in a table
 * of the same float products instead of being converted and multiplied per
 * pixel; the sums keep the reference's order. */
#include "hash_internal.h"

void hm__luma_tables_init(hm__luma_tables *t)
{
    for (int v = 0; v < 256; v++) {
        t->r[v] = 0.299f * (float)v;
        t->g[v] = 0.587f * (float)v;
        t->b[v] = 0.114f * (float)v;
    }
}

static void luma_rows_gray(const uint8_t *p, size_t n, float *pdq, uint8_t *pil)
{
    if (pdq)
        for (size_t i = 0; i < n; i++) pdq[i] = (float)p[i];
    if (pil) memcpy(pil, p, n);
}

static void luma_rows_rgb(const uint8_t *p, size_t n, const hm__luma_tables *t, float *pdq,
                          uint8_t *pil)
{
    if (pdq && pil) {
        for (size_t i = 0; i < n; i++, p += 3) {
            unsigned r = p[0], g = p[1], b = p[2];
            pdq[i] = (t->r[r] + t->g[g]) + t->b[b];
            pil[i] = (uint8_t)((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16);
        }
    } else if (pdq) {
        for (size_t i = 0; i < n; i++, p += 3) pdq[i] = (t->r[p[0]] + t->g[p[1]]) + t->b[p[2]];
    } else if (pil) {
        for (size_t i = 0; i < n; i++, p += 3)
            pil[i] = (uint8_t)((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
    }
}

void hm__luma_rows(const hm_image *img, const hm__luma_tables *t, uint32_t y, uint32_t n,
                   float *pdq, uint8_t *pil)
{
    size_t count = (size_t)img->width * n;
    const uint8_t *p = img->pixels + (size_t)y * img->width * img->channels;
    if (img->channels == 1) luma_rows_gray(p, count, pdq, pil);
    else luma_rows_rgb(p, count, t, pdq, pil);
}

void hm__luma(const hm_image *img, float *pdq, uint8_t *pil)
{
    hm__luma_tables t;
    if (pdq && img->channels != 1) hm__luma_tables_init(&t);
    hm__luma_rows(img, &t, 0, img->height, pdq, pil);
}
