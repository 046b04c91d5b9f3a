/* pixels.c - pixel layouts as platforms hand them over: checking a caller's
 * descriptor, reading its rows as grey or RGB, and the YUV conversion that
 * docs/DECODING.md ("Camera frames") specifies. */
#include <stdlib.h>

#include "../common/abi.h"
#include "pixels.h"

/* ---- formats ---- */

typedef struct format_info {
    const char *name;
    unsigned planes;
    unsigned bpp;      /* bytes per pixel of plane 0 */
    int yuv;           /* 4:2:0 with chroma planes */
} format_info;

static const format_info *info_of(hm_pixel_format f)
{
    static const format_info T[] = {
        [HM_PIXEL_GREY8] = {"grey8", 1, 1, 0}, [HM_PIXEL_RGB8] = {"rgb8", 1, 3, 0},
        [HM_PIXEL_BGR8] = {"bgr8", 1, 3, 0},   [HM_PIXEL_RGBA8] = {"rgba8", 1, 4, 0},
        [HM_PIXEL_BGRA8] = {"bgra8", 1, 4, 0}, [HM_PIXEL_RGBX8] = {"rgbx8", 1, 4, 0},
        [HM_PIXEL_BGRX8] = {"bgrx8", 1, 4, 0}, [HM_PIXEL_I420] = {"i420", 3, 1, 1},
        [HM_PIXEL_NV12] = {"nv12", 2, 1, 1},   [HM_PIXEL_NV21] = {"nv21", 2, 1, 1},
    };
    if ((int)f < HM_PIXEL_GREY8 || (int)f > HM_PIXEL_NV21) return NULL;
    return &T[f];
}

const char *hm_pixel_format_name(hm_pixel_format format)
{
    const format_info *fi = info_of(format);
    return fi ? fi->name : NULL;
}

/* ---- YUV -> RGB ---- */

hm__yuv_coefs hm__yuv_coefs_of(hm_yuv_matrix matrix, hm_yuv_range range)
{
    /* round(65536 * c) of the exact coefficients (docs/DECODING.md): scale
     * 255/219 (luma) and 255/224 (chroma) in video range, 1 in full range;
     * R = Y + 2(1-Kr) Cr, B = Y + 2(1-Kb) Cb,
     * G = Y - 2Kb(1-Kb)/Kg Cb - 2Kr(1-Kr)/Kg Cr. */
    static const hm__yuv_coefs BT601_VIDEO = {76309, 16, 104597, 25675, 53279, 132201};
    static const hm__yuv_coefs BT601_FULL = {65536, 0, 91881, 22553, 46802, 116130};
    static const hm__yuv_coefs BT709_VIDEO = {76309, 16, 117489, 13975, 34925, 138438};
    static const hm__yuv_coefs BT709_FULL = {65536, 0, 103206, 12276, 30679, 121609};
    int full = range == HM_YUV_RANGE_FULL;
    if (matrix == HM_YUV_BT709) return full ? BT709_FULL : BT709_VIDEO;
    return full ? BT601_FULL : BT601_VIDEO;
}

/* floor(v / 2^16) clamped to 0..255 (v >= 0 before shifting: no
 * implementation-defined shift of a negative value). */
static inline uint8_t clamp16(int32_t v)
{
    if (v < 0) return 0;
    v >>= 16;
    return (uint8_t)(v > 255 ? 255 : v);
}

static inline void yuv_pixel(int32_t yv, const hm__yuv_coefs *c, int32_t r, int32_t g, int32_t b,
                             uint8_t *out)
{
    int32_t l = c->y * (yv - c->y_off) + 32768;
    out[0] = clamp16(l + r);
    out[1] = clamp16(l + g);
    out[2] = clamp16(l + b);
}

void hm__yuv_row_to_rgb(const uint8_t *y, const uint8_t *u, const uint8_t *v, size_t step,
                        uint32_t width, const hm__yuv_coefs *c, uint8_t *rgb)
{
    /* Each chroma sample serves the two luma columns it covers (and, through
     * the row index, the two luma rows): nearest neighbour, siting ignored. */
    for (uint32_t x = 0; x < width; x += 2) {
        int32_t cb = (int32_t)u[(x / 2) * step] - 128, cr = (int32_t)v[(x / 2) * step] - 128;
        int32_t r = c->cr_r * cr, g = -c->cb_g * cb - c->cr_g * cr, b = c->cb_b * cb;
        yuv_pixel(y[x], c, r, g, b, rgb + 3 * (size_t)x);
        if (x + 1 < width) yuv_pixel(y[x + 1], c, r, g, b, rgb + 3 * (size_t)x + 3);
    }
}

/* ---- rows ---- */

unsigned hm__pixview_channels(const hm__pixview *v) { return v->format == HM_PIXEL_GREY8 ? 1 : 3; }

int hm__pixview_direct(const hm__pixview *v)
{
    return v->format == HM_PIXEL_GREY8 || v->format == HM_PIXEL_RGB8;
}

int hm__pixview_packed(const hm__pixview *v)
{
    return hm__pixview_direct(v) && v->stride[0] == (size_t)v->width * hm__pixview_channels(v);
}

/* Packed 3- or 4-byte pixels to RGB: r, g, b are the byte positions. */
static void packed_to_rgb(const uint8_t *p, uint32_t w, unsigned bpp, unsigned r, unsigned g,
                          unsigned b, uint8_t *out)
{
    for (uint32_t x = 0; x < w; x++, p += bpp, out += 3) {
        out[0] = p[r];
        out[1] = p[g];
        out[2] = p[b];
    }
}

const uint8_t *hm__pixview_row(const hm__pixview *v, uint32_t y)
{
    const uint8_t *p = v->data[0] + (size_t)y * v->stride[0];
    uint32_t w = v->width;
    switch (v->format) {
    case HM_PIXEL_GREY8:
    case HM_PIXEL_RGB8: return p;
    case HM_PIXEL_BGR8: packed_to_rgb(p, w, 3, 2, 1, 0, v->row); break;
    case HM_PIXEL_RGBA8:
    case HM_PIXEL_RGBX8: packed_to_rgb(p, w, 4, 0, 1, 2, v->row); break;
    case HM_PIXEL_BGRA8:
    case HM_PIXEL_BGRX8: packed_to_rgb(p, w, 4, 2, 1, 0, v->row); break;
    case HM_PIXEL_I420: {
        const uint8_t *u = v->data[1] + (size_t)(y / 2) * v->stride[1];
        const uint8_t *cr = v->data[2] + (size_t)(y / 2) * v->stride[2];
        hm__yuv_row_to_rgb(p, u, cr, 1, w, &v->yuv, v->row);
        break;
    }
    case HM_PIXEL_NV12:
    case HM_PIXEL_NV21: {
        const uint8_t *c = v->data[1] + (size_t)(y / 2) * v->stride[1];
        int nv21 = v->format == HM_PIXEL_NV21;
        hm__yuv_row_to_rgb(p, c + nv21, c + !nv21, 2, w, &v->yuv, v->row);
        break;
    }
    }
    return v->row;
}

/* ---- checking a descriptor ---- */

static hm_status check_dims(const hm_pixels *px, uint64_t max_pixels, hm_error *err)
{
    if (!max_pixels) max_pixels = HM_DEFAULT_MAX_PIXELS;
    HM_RETURN_IF(px->width == 0 || px->height == 0, err, HM_E_IMAGE_DIMENSIONS,
                 "px->%s is 0", px->width == 0 ? "width" : "height");
    HM_RETURN_IF(px->width > HM_MAX_SIDE || px->height > HM_MAX_SIDE, err, HM_E_IMAGE_DIMENSIONS,
                 "px->%s is %u, over the limit of %u", px->width > HM_MAX_SIDE ? "width" : "height",
                 px->width > HM_MAX_SIDE ? px->width : px->height, HM_MAX_SIDE);
    uint64_t n = (uint64_t)px->width * px->height;
    HM_RETURN_IF(n > max_pixels, err, HM_E_IMAGE_TOO_LARGE,
                 "px is %ux%u = %llu pixels, over max_pixels %llu", px->width, px->height,
                 (unsigned long long)n, (unsigned long long)max_pixels);
    return HM_OK;
}

static hm_status check_yuv(const hm_pixels *px, hm_error *err)
{
    HM_RETURN_IF(px->yuv_matrix != HM_YUV_BT601 && px->yuv_matrix != HM_YUV_BT709, err,
                 HM_E_INVALID_ARGUMENT,
                 "px->yuv_matrix is %d: %s needs HM_YUV_BT601 or HM_YUV_BT709 (no default)",
                 (int)px->yuv_matrix, hm_pixel_format_name(px->format));
    HM_RETURN_IF(px->yuv_range != HM_YUV_RANGE_VIDEO && px->yuv_range != HM_YUV_RANGE_FULL, err,
                 HM_E_INVALID_ARGUMENT,
                 "px->yuv_range is %d: %s needs HM_YUV_RANGE_VIDEO or HM_YUV_RANGE_FULL "
                 "(no default)",
                 (int)px->yuv_range, hm_pixel_format_name(px->format));
    return HM_OK;
}

/* Plane p: `rows` rows of `row_bytes` bytes, px->stride[p] apart. The last
 * byte read is at (rows-1)*stride + row_bytes - 1, which must be a valid
 * offset: no overflow, at most PTRDIFF_MAX, no wrap past the address space. */
static hm_status check_plane(const hm_pixels *px, unsigned p, size_t row_bytes, uint32_t rows,
                             const char *what, hm_error *err)
{
    const char *fmt = hm_pixel_format_name(px->format);
    HM_RETURN_IF(!px->data[p], err, HM_E_INVALID_ARGUMENT, "px->data[%u] is NULL (%s %s)", p,
                 fmt, what);
    HM_RETURN_IF(px->stride[p] < row_bytes, err, HM_E_INVALID_ARGUMENT,
                 "px->stride[%u] is %zu, less than the %zu bytes of a row (%s %s, width %u)", p,
                 px->stride[p], row_bytes, fmt, what, px->width);
    size_t extent;
    int ok = hm__mul_size((size_t)(rows - 1), px->stride[p], &extent) &&
             hm__add_size(extent, row_bytes, &extent) && extent <= (size_t)PTRDIFF_MAX &&
             (uintptr_t)px->data[p] <= UINTPTR_MAX - extent;
    HM_RETURN_IF(!ok, err, HM_E_INVALID_ARGUMENT,
                 "px->stride[%u] is %zu: %u rows of it run past the end of the address space "
                 "(%s %s)",
                 p, px->stride[p], rows, fmt, what);
    return HM_OK;
}

static hm_status check_planes(const hm_pixels *px, const format_info *fi, hm_error *err)
{
    size_t w = px->width, cw = (w + 1) / 2;
    uint32_t ch = px->height / 2 + px->height % 2;
    if (!fi->yuv) return check_plane(px, 0, w * fi->bpp, px->height, "pixels", err);
    HM_FORWARD_IF_ERROR(check_plane(px, 0, w, px->height, "Y plane", err));
    if (px->format == HM_PIXEL_I420) {
        HM_FORWARD_IF_ERROR(check_plane(px, 1, cw, ch, "U plane", err));
        return check_plane(px, 2, cw, ch, "V plane", err);
    }
    return check_plane(px, 1, 2 * cw, ch, "chroma plane", err);
}

hm_status hm__pixview_init(hm__pixview *v, const hm_pixels *px, uint64_t max_pixels,
                           hm_error *err)
{
    memset(v, 0, sizeof *v);
    HM_RETURN_IF(!px, err, HM_E_INVALID_ARGUMENT, "no pixel descriptor (px is NULL)");
    HM_RETURN_IF(px->flags != 0, err, HM_E_INVALID_ARGUMENT,
                 "px->flags is 0x%x: hashmatch %s defines no flags", px->flags,
                 HM_VERSION_STRING);
    const format_info *fi = info_of(px->format);
    HM_RETURN_IF(!fi, err, HM_E_INVALID_ARGUMENT, "px->format is %d, not an hm_pixel_format",
                 (int)px->format);
    HM_FORWARD_IF_ERROR(check_dims(px, max_pixels, err));
    if (fi->yuv) HM_FORWARD_IF_ERROR(check_yuv(px, err));
    HM_FORWARD_IF_ERROR(check_planes(px, fi, err));
    v->format = px->format;
    v->width = px->width;
    v->height = px->height;
    for (unsigned p = 0; p < fi->planes; p++) {
        v->data[p] = px->data[p];
        v->stride[p] = px->stride[p];
    }
    if (fi->yuv) v->yuv = hm__yuv_coefs_of(px->yuv_matrix, px->yuv_range);
    return HM_OK;
}

void hm__pixview_of_image(hm__pixview *v, const hm_image *img)
{
    memset(v, 0, sizeof *v);
    v->format = img->channels == 1 ? HM_PIXEL_GREY8 : HM_PIXEL_RGB8;
    v->width = img->width;
    v->height = img->height;
    v->data[0] = img->pixels;
    v->stride[0] = (size_t)img->width * img->channels;
}

/* ---- copying into an image ---- */

hm_status hm__image_from_view(const hm__pixview *src, hm_image **out, hm_error *err)
{
    unsigned ch = hm__pixview_channels(src);
    hm_image *img;
    HM_FORWARD_IF_ERROR(hm__image_alloc(src->width, src->height, ch, UINT64_MAX, &img, err));
    hm__pixview v = *src;
    size_t row = (size_t)v.width * ch;
    for (uint32_t y = 0; y < v.height; y++) {
        v.row = img->pixels + y * row; /* conversions write straight into the image */
        const uint8_t *p = hm__pixview_row(&v, y);
        if (p != v.row) memcpy(v.row, p, row);
    }
    img->format = HM_FORMAT_RAW;
    *out = img;
    return HM_OK;
}

hm_status hm_image_copy_pixels_sized(const hm_pixels *px, size_t px_size, hm_image **out,
                                     hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    hm_pixels p;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_pixels, &p, px, px_size, err));
    hm__pixview v;
    HM_FORWARD_IF_ERROR(hm__pixview_init(&v, px ? &p : NULL, UINT64_MAX, err));
    HM_FORWARD_IF_ERROR(hm__image_from_view(&v, out, err));
    hm__ok(err);
    return HM_OK;
}
