/* geometry.c - crops, exact quarter turns, flips, borders and small-angle
 * rotation with bilinear interpolation. */
#include <math.h>
#include <stdlib.h>

#include "transform.h"

hm_status hm__tf_new_like(const hm_image *src, uint32_t w, uint32_t h, hm_image **out,
                          hm_error *err)
{
    /* Edits may enlarge an image (pad, scale, chains of them): the output may
     * hold the default pixel limit or as many pixels as the input, whichever is
     * more, so no spec can ask for an unbounded allocation. */
    uint64_t limit = (uint64_t)src->width * src->height;
    if (limit < HM_DEFAULT_MAX_PIXELS) limit = HM_DEFAULT_MAX_PIXELS;
    HM_FORWARD_IF_ERROR(hm__image_alloc(w, h, src->channels, limit, out, err));
    (*out)->format = HM_FORMAT_RAW;
    (*out)->color = src->channels == 1 ? HM_COLOR_GRAY : HM_COLOR_RGB;
    return HM_OK;
}

hm_status hm__tf_crop(const hm_image *src, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      hm_image **out, hm_error *err)
{
    HM_RETURN_IF(w == 0 || h == 0 || x0 > src->width - w || y0 > src->height - h || w > src->width ||
                     h > src->height,
                 err, HM_E_INVALID_ARGUMENT, "crop window outside the image");
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, w, h, out, err));
    size_t c = src->channels, srow = (size_t)src->width * c, drow = (size_t)w * c;
    for (uint32_t y = 0; y < h; y++)
        memcpy((*out)->pixels + y * drow, src->pixels + (y0 + y) * srow + x0 * c, drow);
    return HM_OK;
}

/* Source coordinates of destination pixel (x, y) after `q` counter-clockwise
 * quarter turns of a W x H source. */
static void quarter_source(unsigned q, uint32_t W, uint32_t H, uint32_t x, uint32_t y,
                           uint32_t *sx, uint32_t *sy)
{
    switch (q) {
    case 1: *sx = W - 1 - y, *sy = x; break;     /* the right column becomes the top row */
    case 2: *sx = W - 1 - x, *sy = H - 1 - y; break;
    case 3: *sx = y, *sy = H - 1 - x; break;
    default: *sx = x, *sy = y; break;
    }
}

hm_status hm__tf_rotate90(const hm_image *src, unsigned quarter_turns, hm_image **out,
                          hm_error *err)
{
    unsigned q = quarter_turns & 3;
    uint32_t W = src->width, H = src->height;
    uint32_t w = (q & 1) ? H : W, h = (q & 1) ? W : H;
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, w, h, out, err));
    size_t c = src->channels;
    uint8_t *d = (*out)->pixels;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++, d += c) {
            uint32_t sx, sy;
            quarter_source(q, W, H, x, y, &sx, &sy);
            memcpy(d, src->pixels + ((size_t)sy * W + sx) * c, c);
        }
    }
    return HM_OK;
}

hm_status hm__tf_flip(const hm_image *src, int vertical, hm_image **out, hm_error *err)
{
    uint32_t W = src->width, H = src->height;
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, W, H, out, err));
    size_t c = src->channels, row = (size_t)W * c;
    for (uint32_t y = 0; y < H; y++) {
        uint8_t *d = (*out)->pixels + y * row;
        if (vertical) {
            memcpy(d, src->pixels + (size_t)(H - 1 - y) * row, row);
            continue;
        }
        const uint8_t *s = src->pixels + y * row;
        for (uint32_t x = 0; x < W; x++) memcpy(d + (size_t)x * c, s + (size_t)(W - 1 - x) * c, c);
    }
    return HM_OK;
}

hm_status hm__tf_pad(const hm_image *src, uint32_t left, uint32_t top, uint32_t right,
                     uint32_t bottom, uint8_t value, hm_image **out, hm_error *err)
{
    uint64_t w = (uint64_t)src->width + left + right, h = (uint64_t)src->height + top + bottom;
    HM_RETURN_IF(w > 1000000u || h > 1000000u, err, HM_E_IMAGE_DIMENSIONS,
                 "padded image would be %llux%llu", (unsigned long long)w, (unsigned long long)h);
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, (uint32_t)w, (uint32_t)h, out, err));
    size_t c = src->channels, srow = (size_t)src->width * c, drow = (size_t)w * c;
    memset((*out)->pixels, value, drow * h);
    for (uint32_t y = 0; y < src->height; y++)
        memcpy((*out)->pixels + (top + y) * drow + (size_t)left * c, src->pixels + y * srow, srow);
    return HM_OK;
}

/* One output sample of the bilinear rotation: taps outside the source count
 * as black, which antialiases the edge of the rotated picture. */
static void bilinear_black(const hm_image *src, double u, double v, uint8_t *d)
{
    size_t c = src->channels;
    double fx = floor(u), fy = floor(v);
    double ax = u - fx, ay = v - fy;
    long x0 = (long)fx, y0 = (long)fy;
    const double wt[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
    const long tx[4] = {x0, x0 + 1, x0, x0 + 1}, ty[4] = {y0, y0, y0 + 1, y0 + 1};
    for (size_t k = 0; k < c; k++) {
        double acc = 0;
        for (int t = 0; t < 4; t++) {
            if (tx[t] < 0 || ty[t] < 0 || tx[t] >= (long)src->width || ty[t] >= (long)src->height)
                continue;
            acc += wt[t] * src->pixels[((size_t)ty[t] * src->width + (size_t)tx[t]) * c + k];
        }
        d[k] = hm__clamp_u8(acc);
    }
}

hm_status hm__tf_rotate(const hm_image *src, double degrees, hm_image **out, hm_error *err)
{
    uint32_t W = src->width, H = src->height;
    HM_FORWARD_IF_ERROR(hm__tf_new_like(src, W, H, out, err));
    double th = degrees * (3.14159265358979323846 / 180.0);
    double cs = cos(th), sn = sin(th);
    double cx = W / 2.0, cy = H / 2.0; /* pixel centres sit at i + 0.5 */
    size_t c = src->channels;
    uint8_t *d = (*out)->pixels;
    for (uint32_t y = 0; y < H; y++) {
        double dy = y + 0.5 - cy;
        for (uint32_t x = 0; x < W; x++, d += c) {
            double dx = x + 0.5 - cx;
            /* inverse map: the source point that lands on (x, y) */
            double u = cx + dx * cs - dy * sn - 0.5;
            double v = cy + dx * sn + dy * cs - 0.5;
            if (u <= -1.0 || v <= -1.0 || u >= W || v >= H) {
                memset(d, 0, c);
                continue;
            }
            bilinear_black(src, u, v, d);
        }
    }
    return HM_OK;
}
