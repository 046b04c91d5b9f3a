/* pixels.h - reading the caller's pixel memory row by row (internal).
 *
 * A view describes pixels the hashing stages read without owning them: a
 * decoded hm_image (grey or RGB, packed) or the caller's hm_pixels (any
 * hm_pixel_format, any stride). Every row comes out as grey or RGB bytes: the
 * rows of GREY8 and RGB8 memory are read in place, every other format is
 * converted one row at a time into a scratch row of width*3 bytes, so no
 * full-frame copy is ever made. */
#ifndef HM_PIXELS_H
#define HM_PIXELS_H

#include "image.h"

/* The fixed-point YUV -> RGB coefficients of one matrix and range, in units
 * of 2^-16 (docs/DECODING.md, "Camera frames"). */
typedef struct hm__yuv_coefs {
    int32_t y;      /* luma scale */
    int32_t y_off;  /* luma offset: 16 (video range) or 0 */
    int32_t cr_r;   /* R from Cr */
    int32_t cb_g;   /* G from Cb (subtracted) */
    int32_t cr_g;   /* G from Cr (subtracted) */
    int32_t cb_b;   /* B from Cb */
} hm__yuv_coefs;

typedef struct hm__pixview {
    hm_pixel_format format;
    uint32_t width, height;
    const uint8_t *data[HM_PIXEL_MAX_PLANES];
    size_t stride[HM_PIXEL_MAX_PLANES];
    hm__yuv_coefs yuv;
    /* width*3 bytes of scratch when !hm__pixview_direct(); the rows that
     * hm__pixview_row converts land here (one at a time). */
    uint8_t *row;
} hm__pixview;

/* Checks a caller's descriptor and fills a view (row = NULL). Errors name
 * the field and its value; nothing is read from the planes. `max_pixels` 0
 * means HM_DEFAULT_MAX_PIXELS, UINT64_MAX no limit. */
hm_status hm__pixview_init(hm__pixview *v, const hm_pixels *px, uint64_t max_pixels,
                           hm_error *err);

/* A view of a decoded image (GREY8 or RGB8, packed). */
void hm__pixview_of_image(hm__pixview *v, const hm_image *img);

/* 1 for GREY8, 3 for every other format (rows come out as RGB). */
unsigned hm__pixview_channels(const hm__pixview *v);

/* 1 when rows are read in place (GREY8, RGB8): no scratch row needed. */
int hm__pixview_direct(const hm__pixview *v);

/* 1 when rows are read in place and packed: n rows from y are one run of
 * bytes. */
int hm__pixview_packed(const hm__pixview *v);

/* Row y as width*channels bytes: in place, or converted into v->row. The
 * pointer is valid until the next call on the view. */
const uint8_t *hm__pixview_row(const hm__pixview *v, uint32_t y);

/* A new image (grey or RGB) holding the view's pixels, converted. */
hm_status hm__image_from_view(const hm__pixview *v, hm_image **out, hm_error *err);

/* The coefficients of a matrix and range (both valid). */
hm__yuv_coefs hm__yuv_coefs_of(hm_yuv_matrix matrix, hm_yuv_range range);

/* One row of 4:2:0 to RGB: Y samples, and the row's chroma with the U and V
 * of chroma sample i at u[i*step] and v[i*step]. */
void hm__yuv_row_to_rgb(const uint8_t *y, const uint8_t *u, const uint8_t *v, size_t step,
                        uint32_t width, const hm__yuv_coefs *c, uint8_t *rgb);

#endif /* HM_PIXELS_H */
