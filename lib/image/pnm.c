/*
 * pnm.c - binary PGM (P5) and PPM (P6), maxval 1..65535.
 *
 * Samples are one byte when maxval < 256, two big-endian bytes otherwise.
 * maxval 255 is taken as is; any other maxval is scaled to 8 bits as Pillow
 * does for PPM: round(v / maxval * 255) with ties to even, and samples above
 * maxval saturate at 255. (Pillow opens a 16-bit PGM as a
 * 32-bit integer image whose convert('L') saturates at 255 instead; we
 * scale it like a PPM, see docs/DECODING.md.)
 */
#include <stdlib.h>

#include "image.h"

typedef struct pnm_header {
    unsigned channels; /* 1 for P5, 3 for P6 */
    uint64_t width, height;
    unsigned maxval;
    size_t raster; /* offset of the first sample */
} pnm_header;

static int is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Skips whitespace and '#' comments (to the end of the line). */
static size_t skip_blank(const uint8_t *p, size_t size, size_t i)
{
    while (i < size) {
        if (is_space(p[i])) {
            i++;
        } else if (p[i] == '#') {
            while (i < size && p[i] != '\n' && p[i] != '\r') i++;
        } else {
            break;
        }
    }
    return i;
}

/* A decimal header field of at most 10 digits (as Pillow allows). */
static hm_status read_number(const uint8_t *p, size_t size, size_t *i, uint64_t *out,
                             hm_error *err)
{
    *i = skip_blank(p, size, *i);
    HM_RETURN_IF(*i >= size, err, HM_E_IMAGE_TRUNCATED, "pnm: the data ends in the header");
    uint64_t v = 0;
    size_t digits = 0;
    while (*i < size && p[*i] >= '0' && p[*i] <= '9') {
        v = v * 10 + (uint64_t)(p[(*i)++] - '0');
        HM_RETURN_IF(++digits > 10, err, HM_E_IMAGE_CORRUPT, "pnm: header number too long");
    }
    HM_RETURN_IF(digits == 0, err, HM_E_IMAGE_CORRUPT, "pnm: malformed header");
    HM_RETURN_IF(*i >= size, err, HM_E_IMAGE_TRUNCATED, "pnm: the data ends in the header");
    *out = v;
    return HM_OK;
}

static hm_status read_header(const uint8_t *p, size_t size, pnm_header *h, hm_error *err)
{
    HM_RETURN_IF(size < 3 || p[0] != 'P' || (p[1] != '5' && p[1] != '6'), err, HM_E_IMAGE_FORMAT,
                 "pnm: only binary P5 and P6 are supported");
    h->channels = p[1] == '5' ? 1 : 3;
    size_t i = 2;
    uint64_t maxval;
    HM_FORWARD_IF_ERROR(read_number(p, size, &i, &h->width, err));
    HM_FORWARD_IF_ERROR(read_number(p, size, &i, &h->height, err));
    HM_FORWARD_IF_ERROR(read_number(p, size, &i, &maxval, err));
    HM_RETURN_IF(maxval == 0 || maxval > 65535, err, HM_E_IMAGE_CORRUPT,
                 "pnm: maxval %llu outside 1..65535", (unsigned long long)maxval);
    /* Exactly one whitespace byte separates maxval from the samples. */
    HM_RETURN_IF(!is_space(p[i]), err, HM_E_IMAGE_CORRUPT, "pnm: malformed header after maxval");
    h->maxval = (unsigned)maxval;
    h->raster = i + 1;
    return HM_OK;
}

hm_status hm__probe_pnm(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err)
{
    pnm_header h;
    HM_FORWARD_IF_ERROR(read_header(data, size, &h, err));
    *width = h.width > UINT32_MAX ? UINT32_MAX : (uint32_t)h.width;
    *height = h.height > UINT32_MAX ? UINT32_MAX : (uint32_t)h.height;
    return HM_OK;
}

/* Pillow's PPM scaling for every possible sample value, in exact integer
 * arithmetic: Pillow's double expression never lands off an exact tie for
 * maxval <= 65535, so this rounds identically. */
static uint8_t *scale_table(unsigned maxval, size_t entries)
{
    uint8_t *lut = malloc(entries);
    if (!lut) return NULL;
    for (size_t v = 0; v < entries; v++) {
        uint32_t num = (uint32_t)v * 255u, k = num / maxval, rem = num % maxval;
        if (2 * rem > maxval || (2 * rem == maxval && (k & 1))) k++;
        lut[v] = k > 255 ? 255 : (uint8_t)k;
    }
    return lut;
}

static void convert_samples(const uint8_t *in, uint8_t *out, size_t n, int wide,
                            const uint8_t *lut)
{
    if (wide) {
        for (size_t i = 0; i < n; i++) out[i] = lut[hm__load_be16(in + 2 * i)];
    } else {
        for (size_t i = 0; i < n; i++) out[i] = lut[in[i]];
    }
}

hm_status hm__decode_pnm(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err)
{
    *out = NULL;
    pnm_header h;
    HM_FORWARD_IF_ERROR(read_header(data, size, &h, err));
    HM_FORWARD_IF_ERROR(hm__image_check_dims(h.width, h.height, opt->max_pixels, err));
    int wide = h.maxval > 255;
    size_t n, need;
    HM_RETURN_IF(!hm__mul_size((size_t)h.width * h.height, h.channels, &n) ||
                     !hm__mul_size(n, wide ? 2 : 1, &need),
                 err, HM_E_IMAGE_TOO_LARGE, "pnm: image too large for this platform");
    HM_RETURN_IF(size - h.raster < need, err, HM_E_IMAGE_TRUNCATED,
                 "pnm: %zu bytes of samples expected, %zu present", need, size - h.raster);
    hm_image *img;
    HM_FORWARD_IF_ERROR(hm__image_alloc((uint32_t)h.width, (uint32_t)h.height, h.channels,
                                        opt->max_pixels, &img, err));
    img->format = HM_FORMAT_PNM;
    img->color = h.channels == 1 ? HM_COLOR_GRAY : HM_COLOR_RGB;
    if (h.maxval == 255) {
        memcpy(img->pixels, data + h.raster, n);
    } else {
        uint8_t *lut = scale_table(h.maxval, wide ? 65536 : 256);
        if (!lut) {
            hm_image_free(img);
            return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate a sample table");
        }
        convert_samples(data + h.raster, img->pixels, n, wide, lut);
        free(lut);
    }
    *out = img;
    return HM_OK;
}
