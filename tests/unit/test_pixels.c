/* test_pixels.c - hashing pixel buffers as platforms hand them over.
 *
 * Packed formats against the RGB (or grey) image with the same samples: every
 * hash, the PDQ quality and the 8 dihedral hashes equal, in both PDQ modes,
 * for odd sizes, odd strides and garbage in the padding, alpha and X bytes.
 * Every buffer is allocated to its exact extent, so AddressSanitizer catches a
 * read past the last row's pixels.
 * YUV: the conversion against a double-precision model of the formula in
 * docs/DECODING.md for every (Y, Cb, Cr), against libswscale when the build
 * has it, hand-computed values, chroma placement for odd sizes in I420, NV12
 * and NV21, and hashes equal to those of the converted image.
 * Errors name the field and its value; random absurd descriptors get the
 * status an independent model of the checks predicts, and nothing is read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HM_TEST_SWSCALE
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#endif

#include "image/pixels.h"
#include "set_fixture.h"
#include "testutil.h"

#define ALL_PERCEPTUAL HM_MASK_PERCEPTUAL

/* ---------------------------------------------------------------------- */
/* Frames                                                                  */
/* ---------------------------------------------------------------------- */

/* A plane of `rows` rows, `stride` apart, of which each row's first
 * `row_bytes` are pixels: exactly (rows-1)*stride + row_bytes bytes, all
 * garbage until written. */
static uint8_t *plane_alloc(size_t rows, size_t row_bytes, size_t stride, tu_rng *r)
{
    size_t n = (rows - 1) * stride + row_bytes;
    uint8_t *p = malloc(n);
    if (!p) abort();
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)tu_rng_next(r);
    return p;
}

/* An image with structure PDQ can see: a gradient, a few solid rectangles,
 * and noise. Grey when channels == 1. */
static hm_image *synthetic(uint32_t w, uint32_t h, unsigned channels, uint64_t seed)
{
    tu_rng r;
    tu_rng_seed(&r, seed);
    uint8_t *px = malloc((size_t)w * h * channels);
    if (!px) abort();
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (unsigned c = 0; c < channels; c++)
                px[((size_t)y * w + x) * channels + c] =
                    (uint8_t)((x * 200 / w + y * 50 / h + c * 30 + tu_rng_below(&r, 16)) & 255);
    for (int k = 0; k < 6; k++) {
        uint32_t x0 = tu_rng_below(&r, w), y0 = tu_rng_below(&r, h);
        uint32_t x1 = x0 + 1 + tu_rng_below(&r, w - x0), y1 = y0 + 1 + tu_rng_below(&r, h - y0);
        uint8_t col[3] = {(uint8_t)tu_rng_next(&r), (uint8_t)tu_rng_next(&r),
                          (uint8_t)tu_rng_next(&r)};
        for (uint32_t y = y0; y < y1; y++)
            for (uint32_t x = x0; x < x1; x++)
                for (unsigned c = 0; c < channels; c++) px[((size_t)y * w + x) * channels + c] = col[c];
    }
    hm_image *img = NULL;
    if (hm_image_from_pixels(w, h, channels, px, (size_t)w * channels, &img) != HM_OK) abort();
    free(px);
    return img;
}

typedef struct packed_layout {
    hm_pixel_format format;
    unsigned bpp, r, g, b; /* bytes per pixel; positions of R, G, B */
} packed_layout;

static const packed_layout PACKED[] = {
    {HM_PIXEL_RGB8, 3, 0, 1, 2},  {HM_PIXEL_BGR8, 3, 2, 1, 0},  {HM_PIXEL_RGBA8, 4, 0, 1, 2},
    {HM_PIXEL_BGRA8, 4, 2, 1, 0}, {HM_PIXEL_RGBX8, 4, 0, 1, 2}, {HM_PIXEL_BGRX8, 4, 2, 1, 0},
};

/* The samples of `img` (RGB) in layout `L`, rows `extra` bytes longer than
 * the pixels; the 4th byte and the padding are garbage. */
static uint8_t *pack_rgb(const hm_image *img, const packed_layout *L, size_t extra, tu_rng *r,
                         hm_pixels *px)
{
    uint32_t w = hm_image_width(img), h = hm_image_height(img);
    size_t stride = (size_t)w * L->bpp + extra;
    uint8_t *buf = plane_alloc(h, (size_t)w * L->bpp, stride, r);
    const uint8_t *src = hm_image_pixels(img);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *s = src + ((size_t)y * w + x) * 3;
            uint8_t *d = buf + y * stride + (size_t)x * L->bpp;
            d[L->r] = s[0], d[L->g] = s[1], d[L->b] = s[2];
        }
    memset(px, 0, sizeof *px);
    px->format = L->format;
    px->width = w;
    px->height = h;
    px->data[0] = buf;
    px->stride[0] = stride;
    return buf;
}

static uint8_t *pack_grey(const hm_image *img, size_t extra, tu_rng *r, hm_pixels *px)
{
    uint32_t w = hm_image_width(img), h = hm_image_height(img);
    size_t stride = w + extra;
    uint8_t *buf = plane_alloc(h, w, stride, r);
    for (uint32_t y = 0; y < h; y++) memcpy(buf + y * stride, hm_image_pixels(img) + (size_t)y * w, w);
    memset(px, 0, sizeof *px);
    px->format = HM_PIXEL_GREY8;
    px->width = w;
    px->height = h;
    px->data[0] = buf;
    px->stride[0] = stride;
    return buf;
}

static hm_hash_options all_options(hm_pdq_mode mode)
{
    hm_hash_options o;
    memset(&o, 0, sizeof o);
    o.algos = ALL_PERCEPTUAL;
    o.pdq_mode = mode;
    o.pdq_dihedral = 1;
    return o;
}

static int same_hashes(const hm_hashes *a, const hm_hashes *b, const char *what)
{
    int same = !memcmp(a, b, sizeof *a);
    if (!same) fprintf(stderr, "hashes differ: %s\n", what);
    return same;
}

/* ---------------------------------------------------------------------- */
/* Packed formats                                                          */
/* ---------------------------------------------------------------------- */

static const uint32_t SIZES[][2] = {{1, 1},  {3, 2},   {4, 4},  {5, 5},    {7, 9},    {37, 23},
                                    {64, 1}, {1, 70},  {130, 67}, {513, 40}, {700, 521}};
static const size_t EXTRAS[] = {0, 1, 13};

static void check_packed_image(const hm_image *rgb, const hm_image *grey, tu_rng *r)
{
    uint32_t w = hm_image_width(rgb), h = hm_image_height(rgb);
    for (int m = 0; m < 2; m++) {
        hm_hash_options o = all_options(m ? HM_PDQ_CLI512 : HM_PDQ_FULLRES);
        hm_hashes want, got;
        CU_ASSERT_EQUAL_FATAL(hm_hash_image(rgb, &o, &want, NULL), HM_OK);
        for (size_t f = 0; f < HM_ARRAY_SIZE(PACKED); f++)
            for (size_t e = 0; e < HM_ARRAY_SIZE(EXTRAS); e++) {
                hm_pixels px;
                uint8_t *buf = pack_rgb(rgb, &PACKED[f], EXTRAS[e], r, &px);
                hm_error err;
                CU_ASSERT_EQUAL(hm_hash_pixels(&px, &o, &got, &err), HM_OK);
                char what[96];
                snprintf(what, sizeof what, "%s %ux%u stride +%zu mode %d",
                         hm_pixel_format_name(PACKED[f].format), w, h, EXTRAS[e], m);
                CU_ASSERT(same_hashes(&got, &want, what));
                free(buf);
            }
        if (!grey) continue;
        CU_ASSERT_EQUAL_FATAL(hm_hash_image(grey, &o, &want, NULL), HM_OK);
        for (size_t e = 0; e < HM_ARRAY_SIZE(EXTRAS); e++) {
            hm_pixels px;
            uint8_t *buf = pack_grey(grey, EXTRAS[e], r, &px);
            CU_ASSERT_EQUAL(hm_hash_pixels(&px, &o, &got, NULL), HM_OK);
            CU_ASSERT(same_hashes(&got, &want, "grey8"));
            free(buf);
        }
    }
}

static void test_packed_equal_rgb(void)
{
    tu_rng r;
    tu_rng_seed(&r, 14001);
    for (size_t i = 0; i < HM_ARRAY_SIZE(SIZES); i++) {
        hm_image *rgb = synthetic(SIZES[i][0], SIZES[i][1], 3, 100 + i);
        hm_image *grey = synthetic(SIZES[i][0], SIZES[i][1], 1, 200 + i);
        check_packed_image(rgb, grey, &r);
        hm_image_free(rgb);
        hm_image_free(grey);
    }
}

/* A real photo (1600x1004: cli512 squashes it), every packed layout. */
static void test_packed_photo(void)
{
    char *path = tu_path(HM_TEST_SOURCE_DIR, "demo/images/bridge.jpg");
    hm_image *img = NULL;
    CU_ASSERT_EQUAL_FATAL(hm_image_load(path, NULL, &img, NULL), HM_OK);
    free(path);
    tu_rng r;
    tu_rng_seed(&r, 14002);
    check_packed_image(img, NULL, &r);
    hm_image_free(img);
}

/* Pillow's luma from the packed rows equals the RGB image's when only the
 * imagehash family runs (its own pass, no PDQ) and when only PDQ runs. */
static void test_packed_single_algorithms(void)
{
    tu_rng r;
    tu_rng_seed(&r, 14003);
    hm_image *rgb = synthetic(300, 217, 3, 7);
    static const uint32_t MASKS[] = {HM_MASK(HM_ALGO_PDQ), HM_MASK(HM_ALGO_WHASH),
                                     HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_PHASH)};
    for (size_t k = 0; k < HM_ARRAY_SIZE(MASKS); k++) {
        hm_hash_options o = all_options(HM_PDQ_FULLRES);
        o.algos = MASKS[k];
        hm_hashes want, got;
        CU_ASSERT_EQUAL_FATAL(hm_hash_image(rgb, &o, &want, NULL), HM_OK);
        hm_pixels px;
        uint8_t *buf = pack_rgb(rgb, &PACKED[3], 5, &r, &px);
        CU_ASSERT_EQUAL(hm_hash_pixels(&px, &o, &got, NULL), HM_OK);
        CU_ASSERT(same_hashes(&got, &want, "single algorithm"));
        CU_ASSERT_EQUAL(got.algos, MASKS[k]);
        free(buf);
    }
    hm_image_free(rgb);
}

static void test_image_from_pixels_channels(void)
{
    tu_rng r;
    tu_rng_seed(&r, 14004);
    hm_image *rgb = synthetic(9, 7, 3, 8);
    hm_pixels px;
    uint8_t *buf = pack_rgb(rgb, &PACKED[2], 3, &r, &px); /* RGBA, stride 39 */
    hm_image *img = NULL;
    CU_ASSERT_EQUAL_FATAL(hm_image_from_pixels(9, 7, 4, buf, px.stride[0], &img), HM_OK);
    CU_ASSERT_EQUAL(hm_image_channels(img), 3);
    CU_ASSERT(!memcmp(hm_image_pixels(img), hm_image_pixels(rgb), 9 * 7 * 3));
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_RAW);
    hm_image_free(img);
    /* 0.1.0's statuses are kept */
    CU_ASSERT_EQUAL(hm_image_from_pixels(9, 7, 2, buf, 100, &img), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_from_pixels(9, 7, 4, buf, 35, &img), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_from_pixels(9, 7, 4, NULL, 36, &img), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_from_pixels(0, 7, 4, buf, 36, &img), HM_E_IMAGE_DIMENSIONS);
    CU_ASSERT_EQUAL(hm_image_from_pixels(9, 7, 4, buf, 36, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(img);
    free(buf);
    hm_image_free(rgb);
}

/* ---------------------------------------------------------------------- */
/* YUV                                                                     */
/* ---------------------------------------------------------------------- */

typedef struct colourspace {
    hm_yuv_matrix matrix;
    hm_yuv_range range;
    double kr, kb;
    const char *name;
} colourspace;

static const colourspace SPACES[] = {
    {HM_YUV_BT601, HM_YUV_RANGE_VIDEO, 0.299, 0.114, "bt601 video"},
    {HM_YUV_BT601, HM_YUV_RANGE_FULL, 0.299, 0.114, "bt601 full"},
    {HM_YUV_BT709, HM_YUV_RANGE_VIDEO, 0.2126, 0.0722, "bt709 video"},
    {HM_YUV_BT709, HM_YUV_RANGE_FULL, 0.2126, 0.0722, "bt709 full"},
};

/* The exact formula of docs/DECODING.md in double precision. */
static void model_rgb(const colourspace *cs, int Y, int Cb, int Cr, double out[3])
{
    int video = cs->range == HM_YUV_RANGE_VIDEO;
    double ys = video ? 255.0 / 219.0 : 1.0, c = video ? 255.0 / 224.0 : 1.0;
    double y = ys * (Y - (video ? 16 : 0)), cb = c * (Cb - 128), cr = c * (Cr - 128);
    double kg = 1.0 - cs->kr - cs->kb;
    out[0] = y + 2.0 * (1.0 - cs->kr) * cr;
    out[1] = y - 2.0 * cs->kb * (1.0 - cs->kb) / kg * cb - 2.0 * cs->kr * (1.0 - cs->kr) / kg * cr;
    out[2] = y + 2.0 * (1.0 - cs->kb) * cb;
}

static int clamp255(double v) { return v < 0 ? 0 : v > 255 ? 255 : (int)v; }

/* The coefficients are rounded to 2^-16: each is off by at most 2^-17, and
 * |Y - offset| <= 255, |Cb - 128|, |Cr - 128| <= 128, so the fixed-point sum
 * is within (255 + 128 + 128) * 2^-17 < 0.0039 of the exact value. Outside
 * that band around a half the rounding must agree with the exact value's. */
#define TIE_BAND 0.0039

/* 1 when `got` is the rounding the exact value `v` allows. */
static int rounding_ok(double v, int got, long *near_ties)
{
    double f = v - floor(v);
    if (fabs(f - 0.5) < TIE_BAND) {
        ++*near_ties;
        return got == clamp255(floor(v)) || got == clamp255(ceil(v));
    }
    return got == clamp255(floor(v + 0.5));
}

static void test_yuv_formula_exhaustive(void)
{
#ifdef HM_TEST_EMULATED
    const int step = 3; /* qemu: every third Cb and Cr */
#else
    const int step = 1;
#endif
    uint8_t y[256], u[128], v[128], rgb[256 * 3];
    for (int i = 0; i < 256; i++) y[i] = (uint8_t)i;
    for (size_t s = 0; s < HM_ARRAY_SIZE(SPACES); s++) {
        hm__yuv_coefs c = hm__yuv_coefs_of(SPACES[s].matrix, SPACES[s].range);
        long bad = 0, near = 0, exact = 0;
        for (int cb = 0; cb < 256; cb += step)
            for (int cr = 0; cr < 256; cr += step) {
                memset(u, cb, sizeof u);
                memset(v, cr, sizeof v);
                hm__yuv_row_to_rgb(y, u, v, 1, 256, &c, rgb);
                for (int Y = 0; Y < 256; Y++) {
                    double m[3];
                    model_rgb(&SPACES[s], Y, cb, cr, m);
                    for (int k = 0; k < 3; k++) {
                        int ok = rounding_ok(m[k], rgb[3 * Y + k], &near);
                        bad += !ok;
                        exact += rgb[3 * Y + k] == clamp255(floor(m[k] + 0.5));
                        if (!ok && bad < 4)
                            fprintf(stderr, "%s: Y=%d Cb=%d Cr=%d ch %d: got %d, exact %.6f\n",
                                    SPACES[s].name, Y, cb, cr, k, rgb[3 * Y + k], m[k]);
                    }
                }
            }
        printf("  %s: %ld samples, %ld equal to the exactly rounded value, %ld within %.4f of a "
               "half, %ld wrong\n",
               SPACES[s].name, 3L * 256 * (256 / step) * (256 / step), exact, near, TIE_BAND, bad);
        CU_ASSERT_EQUAL(bad, 0);
    }
}

/* The integer coefficients are round(65536 * c) of the exact coefficients. */
static void test_yuv_coefficients(void)
{
    for (size_t s = 0; s < HM_ARRAY_SIZE(SPACES); s++) {
        const colourspace *cs = &SPACES[s];
        hm__yuv_coefs c = hm__yuv_coefs_of(cs->matrix, cs->range);
        int video = cs->range == HM_YUV_RANGE_VIDEO;
        double ys = video ? 255.0 / 219.0 : 1.0, k = video ? 255.0 / 224.0 : 1.0;
        double kg = 1 - cs->kr - cs->kb;
        CU_ASSERT_EQUAL(c.y, lround(ys * 65536));
        CU_ASSERT_EQUAL(c.y_off, video ? 16 : 0);
        CU_ASSERT_EQUAL(c.cr_r, lround(k * 2 * (1 - cs->kr) * 65536));
        CU_ASSERT_EQUAL(c.cb_g, lround(k * 2 * cs->kb * (1 - cs->kb) / kg * 65536));
        CU_ASSERT_EQUAL(c.cr_g, lround(k * 2 * cs->kr * (1 - cs->kr) / kg * 65536));
        CU_ASSERT_EQUAL(c.cb_b, lround(k * 2 * (1 - cs->kb) * 65536));
    }
}

/* One pixel through the public API. */
static void yuv1(const colourspace *cs, uint8_t Y, uint8_t Cb, uint8_t Cr, uint8_t out[3])
{
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = HM_PIXEL_I420;
    px.width = px.height = 1;
    px.yuv_matrix = cs->matrix;
    px.yuv_range = cs->range;
    px.data[0] = &Y, px.data[1] = &Cb, px.data[2] = &Cr;
    px.stride[0] = px.stride[1] = px.stride[2] = 1;
    hm_image *img = NULL;
    CU_ASSERT_EQUAL_FATAL(hm_image_copy_pixels(&px, &img, NULL), HM_OK);
    memcpy(out, hm_image_pixels(img), 3);
    hm_image_free(img);
}

/* Values worked out by hand from the definitions. */
static void test_yuv_hand_computed(void)
{
    uint8_t p[3];
    for (int Y = 0; Y < 256; Y++) { /* full range, neutral chroma: grey Y */
        yuv1(&SPACES[1], (uint8_t)Y, 128, 128, p);
        CU_ASSERT(p[0] == Y && p[1] == Y && p[2] == Y);
        yuv1(&SPACES[3], (uint8_t)Y, 128, 128, p);
        CU_ASSERT(p[0] == Y && p[1] == Y && p[2] == Y);
    }
    /* video range: 16 is black, 235 white, 126 is (126-16)*255/219 = 128.08 */
    yuv1(&SPACES[0], 16, 128, 128, p);
    CU_ASSERT(p[0] == 0 && p[1] == 0 && p[2] == 0);
    yuv1(&SPACES[0], 235, 128, 128, p);
    CU_ASSERT(p[0] == 255 && p[1] == 255 && p[2] == 255);
    yuv1(&SPACES[2], 126, 128, 128, p);
    CU_ASSERT(p[0] == 128 && p[1] == 128 && p[2] == 128);
    yuv1(&SPACES[0], 0, 128, 128, p); /* footroom clamps */
    CU_ASSERT(p[0] == 0);
    /* BT.601 full: Y=76 Cb=85 Cr=255 is the JFIF encoding of pure red:
     * R = 76 + 1.402*127 = 254.05, G = 76 + 0.344136*43 - 0.714136*127 = -0.89,
     * B = 76 - 1.772*43 = -0.196 */
    yuv1(&SPACES[1], 76, 85, 255, p);
    CU_ASSERT(p[0] == 254 && p[1] == 0 && p[2] == 0);
    /* BT.709 full: Y=128 Cr=200: R = 128 + 1.5748*72 = 241.39 */
    yuv1(&SPACES[3], 128, 128, 200, p);
    CU_ASSERT_EQUAL(p[0], 241);
}

/* Planes of a w x h 4:2:0 frame with random samples, in each layout with its
 * own odd strides and garbage padding. */
typedef struct yuv_frame {
    uint32_t w, h, cw, ch;
    uint8_t *Y, *U, *V;                /* packed samples (the truth) */
    uint8_t *i420[3], *nv12[2], *nv21[2]; /* the layouts' buffers */
    hm_pixels px[3];                   /* I420, NV12, NV21 */
} yuv_frame;

static void yuv_frame_make(yuv_frame *f, uint32_t w, uint32_t h, const colourspace *cs, tu_rng *r,
                           int legal)
{
    memset(f, 0, sizeof *f);
    f->w = w, f->h = h, f->cw = (w + 1) / 2, f->ch = (h + 1) / 2;
    size_t n = (size_t)w * h, cn = (size_t)f->cw * f->ch;
    f->Y = malloc(n), f->U = malloc(cn), f->V = malloc(cn);
    for (size_t i = 0; i < n; i++) f->Y[i] = (uint8_t)(legal ? 16 + tu_rng_below(r, 220) : tu_rng_next(r));
    for (size_t i = 0; i < cn; i++) {
        f->U[i] = (uint8_t)(legal ? 16 + tu_rng_below(r, 225) : tu_rng_next(r));
        f->V[i] = (uint8_t)(legal ? 16 + tu_rng_below(r, 225) : tu_rng_next(r));
    }
    size_t ys = w + tu_rng_below(r, 7), us = f->cw + tu_rng_below(r, 5), vs = f->cw + tu_rng_below(r, 5);
    size_t nvs = 2 * f->cw + tu_rng_below(r, 5);
    f->i420[0] = plane_alloc(h, w, ys, r);
    f->i420[1] = plane_alloc(f->ch, f->cw, us, r);
    f->i420[2] = plane_alloc(f->ch, f->cw, vs, r);
    f->nv12[0] = plane_alloc(h, w, ys, r);
    f->nv12[1] = plane_alloc(f->ch, 2 * (size_t)f->cw, nvs, r);
    f->nv21[0] = plane_alloc(h, w, ys, r);
    f->nv21[1] = plane_alloc(f->ch, 2 * (size_t)f->cw, nvs, r);
    for (uint32_t y = 0; y < h; y++) {
        memcpy(f->i420[0] + y * ys, f->Y + (size_t)y * w, w);
        memcpy(f->nv12[0] + y * ys, f->Y + (size_t)y * w, w);
        memcpy(f->nv21[0] + y * ys, f->Y + (size_t)y * w, w);
    }
    for (uint32_t y = 0; y < f->ch; y++)
        for (uint32_t x = 0; x < f->cw; x++) {
            uint8_t cb = f->U[(size_t)y * f->cw + x], cr = f->V[(size_t)y * f->cw + x];
            f->i420[1][y * us + x] = cb;
            f->i420[2][y * vs + x] = cr;
            f->nv12[1][y * nvs + 2 * x] = cb, f->nv12[1][y * nvs + 2 * x + 1] = cr;
            f->nv21[1][y * nvs + 2 * x] = cr, f->nv21[1][y * nvs + 2 * x + 1] = cb;
        }
    static const hm_pixel_format FMT[3] = {HM_PIXEL_I420, HM_PIXEL_NV12, HM_PIXEL_NV21};
    for (int k = 0; k < 3; k++) {
        hm_pixels *p = &f->px[k];
        p->format = FMT[k];
        p->width = w, p->height = h;
        p->yuv_matrix = cs->matrix, p->yuv_range = cs->range;
    }
    f->px[0].data[0] = f->i420[0], f->px[0].data[1] = f->i420[1], f->px[0].data[2] = f->i420[2];
    f->px[0].stride[0] = ys, f->px[0].stride[1] = us, f->px[0].stride[2] = vs;
    f->px[1].data[0] = f->nv12[0], f->px[1].data[1] = f->nv12[1];
    f->px[1].stride[0] = ys, f->px[1].stride[1] = nvs;
    f->px[2].data[0] = f->nv21[0], f->px[2].data[1] = f->nv21[1];
    f->px[2].stride[0] = ys, f->px[2].stride[1] = nvs;
}

static void yuv_frame_free(yuv_frame *f)
{
    free(f->Y), free(f->U), free(f->V);
    for (int k = 0; k < 3; k++) free(f->i420[k]);
    for (int k = 0; k < 2; k++) free(f->nv12[k]), free(f->nv21[k]);
}

/* The spec's integer formula, written out per pixel from its table. */
static void spec_pixel(const colourspace *cs, int Y, int Cb, int Cr, uint8_t out[3])
{
    static const int32_t T[4][6] = {{76309, 16, 104597, 25675, 53279, 132201},
                                    {65536, 0, 91881, 22553, 46802, 116130},
                                    {76309, 16, 117489, 13975, 34925, 138438},
                                    {65536, 0, 103206, 12276, 30679, 121609}};
    const int32_t *t = T[(cs->matrix == HM_YUV_BT709) * 2 + (cs->range == HM_YUV_RANGE_FULL)];
    int64_t l = (int64_t)t[0] * (Y - t[1]) + 32768, cb = Cb - 128, cr = Cr - 128;
    int64_t v[3] = {l + t[2] * cr, l - t[3] * cb - t[4] * cr, l + t[5] * cb};
    for (int k = 0; k < 3; k++) {
        int64_t q = v[k] < 0 ? -1 : v[k] / 65536;
        out[k] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
    }
}

/* Pixel (x, y) takes the chroma of (x/2, y/2) in all three layouts, for odd
 * and even sizes; nothing outside the described samples is read. */
static void test_yuv_chroma_placement(void)
{
    static const uint32_t S[][2] = {{1, 1}, {1, 2}, {2, 1}, {3, 3}, {7, 5}, {8, 6}, {33, 17}};
    tu_rng r;
    tu_rng_seed(&r, 14005);
    for (size_t i = 0; i < HM_ARRAY_SIZE(S); i++)
        for (size_t s = 0; s < HM_ARRAY_SIZE(SPACES); s++) {
            yuv_frame f;
            yuv_frame_make(&f, S[i][0], S[i][1], &SPACES[s], &r, 0);
            for (int k = 0; k < 3; k++) {
                hm_image *img = NULL;
                hm_error err;
                CU_ASSERT_EQUAL_FATAL(hm_image_copy_pixels(&f.px[k], &img, &err), HM_OK);
                CU_ASSERT_EQUAL(hm_image_channels(img), 3);
                int ok = 1;
                for (uint32_t y = 0; y < f.h; y++)
                    for (uint32_t x = 0; x < f.w; x++) {
                        uint8_t want[3];
                        size_t c = (size_t)(y / 2) * f.cw + x / 2;
                        spec_pixel(&SPACES[s], f.Y[(size_t)y * f.w + x], f.U[c], f.V[c], want);
                        ok &= !memcmp(hm_image_pixels(img) + ((size_t)y * f.w + x) * 3, want, 3);
                    }
                if (!ok)
                    fprintf(stderr, "%s %ux%u %s: wrong pixels\n",
                            hm_pixel_format_name(f.px[k].format), f.w, f.h, SPACES[s].name);
                CU_ASSERT(ok);
                hm_image_free(img);
            }
            yuv_frame_free(&f);
        }
}

/* Hashing a YUV frame in place equals hashing its converted copy, in every
 * layout and both PDQ modes. */
static void test_yuv_hashes(void)
{
    static const uint32_t S[][2] = {{5, 5}, {37, 23}, {130, 67}, {701, 520}};
    tu_rng r;
    tu_rng_seed(&r, 14006);
    for (size_t i = 0; i < HM_ARRAY_SIZE(S); i++) {
        const colourspace *cs = &SPACES[i % HM_ARRAY_SIZE(SPACES)];
        yuv_frame f;
        yuv_frame_make(&f, S[i][0], S[i][1], cs, &r, 1);
        hm_image *img = NULL;
        CU_ASSERT_EQUAL_FATAL(hm_image_copy_pixels(&f.px[0], &img, NULL), HM_OK);
        for (int m = 0; m < 2; m++) {
            hm_hash_options o = all_options(m ? HM_PDQ_CLI512 : HM_PDQ_FULLRES);
            hm_hashes want, got;
            CU_ASSERT_EQUAL_FATAL(hm_hash_image(img, &o, &want, NULL), HM_OK);
            for (int k = 0; k < 3; k++) {
                CU_ASSERT_EQUAL(hm_hash_pixels(&f.px[k], &o, &got, NULL), HM_OK);
                char what[80];
                snprintf(what, sizeof what, "%s %ux%u mode %d", hm_pixel_format_name(f.px[k].format),
                         f.w, f.h, m);
                CU_ASSERT(same_hashes(&got, &want, what));
            }
        }
        hm_image_free(img);
        yuv_frame_free(&f);
    }
}

#ifdef HM_TEST_SWSCALE
/* libswscale, an independent implementation: with point sampling, accurate
 * rounding and full chroma interpolation it upsamples 4:2:0 as the spec
 * does, and every sample is within 1 of ours. Even sizes only: for an odd
 * side swscale scales the chroma plane by (w+1)/2 : w instead of taking
 * sample x/2 (test_yuv_chroma_placement covers odd sides against the spec).
 * Video-range frames keep to the legal range (Y 16..235, Cb Cr 16..240):
 * beyond it swscale's BT.709 path wraps around (Y 236, Cb 250, Cr 100 gives
 * B = 0 instead of 255). */
static void test_yuv_vs_swscale(void)
{
    static const uint32_t S[][2] = {{66, 48}, {34, 18}, {8, 2}};
    static const enum AVPixelFormat AV[3] = {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NV12, AV_PIX_FMT_NV21};
    tu_rng r;
    tu_rng_seed(&r, 14007);
    for (size_t i = 0; i < HM_ARRAY_SIZE(S); i++)
        for (size_t s = 0; s < HM_ARRAY_SIZE(SPACES); s++) {
            const colourspace *cs = &SPACES[s];
            yuv_frame f;
            yuv_frame_make(&f, S[i][0], S[i][1], cs, &r, cs->range == HM_YUV_RANGE_VIDEO);
            for (int k = 0; k < 3; k++) {
                struct SwsContext *c = sws_getContext(
                    (int)f.w, (int)f.h, AV[k], (int)f.w, (int)f.h, AV_PIX_FMT_RGB24,
                    SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_BITEXACT, NULL, NULL,
                    NULL);
                CU_ASSERT_PTR_NOT_NULL_FATAL(c);
                const int *co = sws_getCoefficients(cs->matrix == HM_YUV_BT709 ? SWS_CS_ITU709
                                                                               : SWS_CS_ITU601);
                sws_setColorspaceDetails(c, co, cs->range == HM_YUV_RANGE_FULL, co, 1, 0, 1 << 16,
                                         1 << 16);
                size_t n = (size_t)f.w * f.h * 3;
                uint8_t *rgb = malloc(n + 64);
                const uint8_t *src[4] = {f.px[k].data[0], f.px[k].data[1], f.px[k].data[2], NULL};
                int ss[4] = {(int)f.px[k].stride[0], (int)f.px[k].stride[1], (int)f.px[k].stride[2], 0};
                uint8_t *dst[4] = {rgb, NULL, NULL, NULL};
                int ds[4] = {(int)f.w * 3, 0, 0, 0};
                sws_scale(c, src, ss, 0, (int)f.h, dst, ds);
                hm_image *img = NULL;
                CU_ASSERT_EQUAL_FATAL(hm_image_copy_pixels(&f.px[k], &img, NULL), HM_OK);
                int maxd = 0;
                long differ = 0;
                for (size_t j = 0; j < n; j++) {
                    int d = abs((int)rgb[j] - (int)hm_image_pixels(img)[j]);
                    maxd = d > maxd ? d : maxd;
                    differ += d != 0;
                }
                if (maxd > 1)
                    fprintf(stderr, "swscale %s %s %ux%u: max difference %d\n",
                            hm_pixel_format_name(f.px[k].format), cs->name, f.w, f.h, maxd);
                CU_ASSERT(maxd <= 1);
                CU_ASSERT(differ * 50 < (long)n); /* and rarely even 1 (under 2 %) */
                hm_image_free(img);
                free(rgb);
                sws_freeContext(c);
            }
            yuv_frame_free(&f);
        }
}
#endif

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct bad_case {
    const char *what;
    void (*mutate)(hm_pixels *px);
    hm_status status;
    const char *message; /* a substring the message must contain */
} bad_case;

static void m_flags(hm_pixels *p) { p->flags = 1; }
static void m_format0(hm_pixels *p) { p->format = (hm_pixel_format)0; }
static void m_format11(hm_pixels *p) { p->format = (hm_pixel_format)11; }
static void m_width0(hm_pixels *p) { p->width = 0; }
static void m_height0(hm_pixels *p) { p->height = 0; }
static void m_wide(hm_pixels *p) { p->width = 1000001; }
static void m_large(hm_pixels *p) { p->width = p->height = 20000; }
static void m_matrix0(hm_pixels *p) { p->yuv_matrix = HM_YUV_MATRIX_UNSET; }
static void m_matrix3(hm_pixels *p) { p->yuv_matrix = (hm_yuv_matrix)3; }
static void m_range0(hm_pixels *p) { p->yuv_range = HM_YUV_RANGE_UNSET; }
static void m_range7(hm_pixels *p) { p->yuv_range = (hm_yuv_range)7; }
static void m_y_null(hm_pixels *p) { p->data[0] = NULL; }
static void m_uv_null(hm_pixels *p) { p->data[1] = NULL; }
static void m_y_stride(hm_pixels *p) { p->stride[0] = 10; }
static void m_uv_stride(hm_pixels *p) { p->stride[1] = 11; }
static void m_y_overflow(hm_pixels *p) { p->stride[0] = SIZE_MAX / 2; }
static void m_uv_overflow(hm_pixels *p) { p->stride[1] = SIZE_MAX; }
static void m_y_wrap(hm_pixels *p) { p->data[0] = (const uint8_t *)(uintptr_t)(UINTPTR_MAX - 40); }
static void m_rgba_stride(hm_pixels *p)
{
    p->format = HM_PIXEL_RGBA8;
    p->stride[0] = 43;
}
static void m_i420_v_null(hm_pixels *p)
{
    p->format = HM_PIXEL_I420;
    p->stride[1] = p->stride[2] = 6;
    p->data[2] = NULL;
}
static void m_i420_v_stride(hm_pixels *p)
{
    p->format = HM_PIXEL_I420;
    p->stride[1] = 6;
    p->data[2] = p->data[1];
    p->stride[2] = 5;
}

static const bad_case BAD[] = {
    {"flags", m_flags, HM_E_INVALID_ARGUMENT, "px->flags is 0x1"},
    {"format 0", m_format0, HM_E_INVALID_ARGUMENT, "px->format is 0"},
    {"format 11", m_format11, HM_E_INVALID_ARGUMENT, "px->format is 11"},
    {"width 0", m_width0, HM_E_IMAGE_DIMENSIONS, "px->width is 0"},
    {"height 0", m_height0, HM_E_IMAGE_DIMENSIONS, "px->height is 0"},
    {"side", m_wide, HM_E_IMAGE_DIMENSIONS, "px->width is 1000001"},
    {"pixels", m_large, HM_E_IMAGE_TOO_LARGE, "400000000 pixels, over max_pixels 100000000"},
    {"matrix 0", m_matrix0, HM_E_INVALID_ARGUMENT, "px->yuv_matrix is 0"},
    {"matrix 3", m_matrix3, HM_E_INVALID_ARGUMENT, "px->yuv_matrix is 3"},
    {"range 0", m_range0, HM_E_INVALID_ARGUMENT, "px->yuv_range is 0"},
    {"range 7", m_range7, HM_E_INVALID_ARGUMENT, "px->yuv_range is 7"},
    {"Y NULL", m_y_null, HM_E_INVALID_ARGUMENT, "px->data[0] is NULL"},
    {"UV NULL", m_uv_null, HM_E_INVALID_ARGUMENT, "px->data[1] is NULL"},
    {"Y stride", m_y_stride, HM_E_INVALID_ARGUMENT, "px->stride[0] is 10, less than the 11 bytes"},
    {"UV stride", m_uv_stride, HM_E_INVALID_ARGUMENT, "px->stride[1] is 11, less than the 12 bytes"},
    {"Y overflow", m_y_overflow, HM_E_INVALID_ARGUMENT, "px->stride[0] is"},
    {"UV overflow", m_uv_overflow, HM_E_INVALID_ARGUMENT, "px->stride[1] is"},
    {"Y wraps", m_y_wrap, HM_E_INVALID_ARGUMENT, "run past the end of the address space"},
    {"RGBA stride", m_rgba_stride, HM_E_INVALID_ARGUMENT, "px->stride[0] is 43, less than the 44"},
    {"I420 V NULL", m_i420_v_null, HM_E_INVALID_ARGUMENT, "px->data[2] is NULL"},
    {"I420 V stride", m_i420_v_stride, HM_E_INVALID_ARGUMENT, "px->stride[2] is 5, less than the 6"},
};

static void test_descriptor_errors(void)
{
    /* A valid 11x7 NV12 frame (chroma 6x4), then one field spoilt at a time. */
    static uint8_t Y[7 * 16], UV[4 * 16];
    for (size_t i = 0; i < HM_ARRAY_SIZE(BAD); i++) {
        hm_pixels px;
        memset(&px, 0, sizeof px);
        px.format = HM_PIXEL_NV12;
        px.width = 11, px.height = 7;
        px.yuv_matrix = HM_YUV_BT601, px.yuv_range = HM_YUV_RANGE_FULL;
        px.data[0] = Y, px.data[1] = UV;
        px.stride[0] = 16, px.stride[1] = 16;
        BAD[i].mutate(&px);
        hm_error err;
        hm_hashes h;
        memset(&h, 0xee, sizeof h);
        hm_status st = hm_hash_pixels(&px, NULL, &h, &err);
        int ok = st == BAD[i].status && err.status == st && strstr(err.message, BAD[i].message);
        if (!ok) fprintf(stderr, "%s: %s: %s\n", BAD[i].what, hm_status_name(st), err.message);
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(h.algos, 0); /* output zeroed */
        hm_image *img = (hm_image *)(void *)&h; /* must come back NULL */
        st = hm_image_copy_pixels(&px, &img, &err);
        if (BAD[i].status == HM_E_IMAGE_TOO_LARGE) { /* no pixel limit when copying */
            hm_image_free(img);
            continue;
        }
        CU_ASSERT(st == BAD[i].status && strstr(err.message, BAD[i].message));
        CU_ASSERT_PTR_NULL(img);
    }
    hm_error err;
    hm_hashes h;
    CU_ASSERT_EQUAL(hm_hash_pixels(NULL, NULL, &h, &err), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "px is NULL"));
    CU_ASSERT_STRING_EQUAL(hm_pixel_format_name(HM_PIXEL_NV21), "nv21");
    CU_ASSERT_STRING_EQUAL(hm_pixel_format_name(HM_PIXEL_BGRX8), "bgrx8");
    CU_ASSERT_PTR_NULL(hm_pixel_format_name((hm_pixel_format)0));
    CU_ASSERT_PTR_NULL(hm_pixel_format_name((hm_pixel_format)11));
}

/* max_pixels from the options applies to the pixel count. */
static void test_pixel_limit(void)
{
    static uint8_t buf[64 * 64 * 4];
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = HM_PIXEL_BGRA8;
    px.width = px.height = 64;
    px.data[0] = buf;
    px.stride[0] = 256;
    hm_hash_options o = all_options(HM_PDQ_FULLRES);
    o.decode.max_pixels = 4095;
    hm_hashes h;
    hm_error err;
    CU_ASSERT_EQUAL(hm_hash_pixels(&px, &o, &h, &err), HM_E_IMAGE_TOO_LARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "64x64 = 4096 pixels, over max_pixels 4095"));
    o.decode.max_pixels = 4096;
    CU_ASSERT_EQUAL(hm_hash_pixels(&px, &o, &h, &err), HM_OK);
    CU_ASSERT_EQUAL(h.width, 64);
}

/* ---- random absurd descriptors against a model of the checks ---- */

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

typedef struct model {
    hm_status status;
    const char *field; /* the field the message must name */
} model;

static int model_planes(hm_pixel_format f, unsigned *planes, unsigned *bpp)
{
    if (f >= HM_PIXEL_GREY8 && f <= HM_PIXEL_BGRX8) {
        static const unsigned B[] = {0, 1, 3, 3, 4, 4, 4, 4};
        *planes = 1, *bpp = B[f];
        return 0;
    }
    *planes = f == HM_PIXEL_I420 ? 3 : 2, *bpp = 1;
    return 1;
}

/* Bytes of a row and number of rows of plane p. */
static void model_plane_shape(const hm_pixels *px, unsigned p, unsigned bpp, u128 *row,
                              u128 *rows)
{
    u128 w = px->width, h = px->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    if (p == 0) *row = w * bpp, *rows = h;
    else *row = px->format == HM_PIXEL_I420 ? cw : 2 * cw, *rows = ch;
}

static model predict(const hm_pixels *px, uint64_t max_pixels)
{
    static const char *DATA[3] = {"px->data[0]", "px->data[1]", "px->data[2]"};
    static const char *STRIDE[3] = {"px->stride[0]", "px->stride[1]", "px->stride[2]"};
    model m = {HM_E_INVALID_ARGUMENT, "px->flags"};
    if (px->flags) return m;
    if (px->format < HM_PIXEL_GREY8 || px->format > HM_PIXEL_NV21) return m.field = "px->format", m;
    m.status = HM_E_IMAGE_DIMENSIONS;
    if (!px->width) return m.field = "px->width", m;
    if (!px->height) return m.field = "px->height", m;
    if (px->width > 1000000) return m.field = "px->width", m;
    if (px->height > 1000000) return m.field = "px->height", m;
    if ((u128)px->width * px->height > (max_pixels ? max_pixels : 100000000u))
        return m.status = HM_E_IMAGE_TOO_LARGE, m.field = "over max_pixels", m;
    unsigned planes, bpp;
    int yuv = model_planes(px->format, &planes, &bpp);
    m.status = HM_E_INVALID_ARGUMENT;
    if (yuv && px->yuv_matrix != 1 && px->yuv_matrix != 2) return m.field = "px->yuv_matrix", m;
    if (yuv && px->yuv_range != 1 && px->yuv_range != 2) return m.field = "px->yuv_range", m;
    for (unsigned p = 0; p < planes; p++) {
        u128 row, rows;
        model_plane_shape(px, p, bpp, &row, &rows);
        if (!px->data[p]) return m.field = DATA[p], m;
        if (px->stride[p] < row) return m.field = STRIDE[p], m;
        u128 last = (rows - 1) * px->stride[p] + row;
        if (last > (u128)PTRDIFF_MAX || (u128)(uintptr_t)px->data[p] + last > (u128)UINTPTR_MAX)
            return m.field = STRIDE[p], m;
    }
    m.status = HM_OK;
    return m;
}

static uint32_t pick_dim(tu_rng *r)
{
    static const uint32_t D[] = {0, 1, 2, 3, 5, 31, 64, 1000, 65535, 1000000, 1000001, UINT32_MAX};
    return D[tu_rng_below(r, HM_ARRAY_SIZE(D))];
}

static size_t pick_stride(tu_rng *r, size_t row)
{
    switch (tu_rng_below(r, 9)) {
    case 0: return 0;
    case 1: return row ? row - 1 : 0;
    case 2: return row;
    case 3: return row + tu_rng_below(r, 9);
    case 4: return SIZE_MAX;
    case 5: return SIZE_MAX / 2;
    case 6: return (size_t)PTRDIFF_MAX;
    case 7: return SIZE_MAX / 3 + 1;
    default: return 2 * row + 1;
    }
}

/* Fills the planes with buffers of their exact extent when the model says
 * the descriptor is valid and the frame is small (hashing scratch grows
 * with the width): 1, or 0 to skip. */
static int give_memory(hm_pixels *px, uint8_t **bufs, tu_rng *r)
{
    unsigned planes, bpp;
    model_planes(px->format, &planes, &bpp);
    if (px->width > 4096) return 0;
    for (unsigned p = 0; p < planes; p++) {
        u128 row, rows;
        model_plane_shape(px, p, bpp, &row, &rows);
        u128 n = (rows - 1) * px->stride[p] + row;
        if (n > (256u << 10)) return 0;
        bufs[p] = plane_alloc((size_t)rows, (size_t)row, px->stride[p], r);
        px->data[p] = bufs[p];
    }
    return 1;
}

static void test_absurd_descriptors(void)
{
    tu_rng r;
    tu_rng_seed(&r, 14008);
    static uint8_t tiny[16];
    long called = 0, valid = 0, valid_called = 0;
    for (int it = 0; it < 20000; it++) {
        hm_pixels px;
        memset(&px, 0, sizeof px);
        px.format = (hm_pixel_format)tu_rng_below(&r, 12);
        px.width = pick_dim(&r), px.height = pick_dim(&r);
        px.yuv_matrix = (hm_yuv_matrix)tu_rng_below(&r, 4);
        px.yuv_range = (hm_yuv_range)tu_rng_below(&r, 4);
        px.flags = tu_rng_below(&r, 50) == 0;
        for (int p = 0; p < 3; p++) {
            px.data[p] = tu_rng_below(&r, 8) ? tiny : NULL;
            px.stride[p] = pick_stride(&r, (size_t)px.width * (1 + tu_rng_below(&r, 4)));
        }
        static const uint64_t LIMITS[] = {0, 1, 1000, UINT64_MAX};
        hm_hash_options o = all_options(HM_PDQ_FULLRES);
        o.decode.max_pixels = LIMITS[tu_rng_below(&r, 4)];
        model m = predict(&px, o.decode.max_pixels);
        uint8_t *bufs[3] = {NULL, NULL, NULL};
        if (m.status == HM_OK) {
            valid++;
            if (!give_memory(&px, bufs, &r)) goto next;
            valid_called++;
        }
        hm_hashes h;
        hm_error err;
        hm_status st = hm_hash_pixels(&px, &o, &h, &err);
        called++;
        int ok = st == m.status && (st == HM_OK || strstr(err.message, m.field));
        if (!ok)
            fprintf(stderr, "descriptor %d (%s %ux%u): %s \"%s\", model %s naming %s\n", it,
                    hm_pixel_format_name(px.format) ? hm_pixel_format_name(px.format) : "?",
                    px.width, px.height, hm_status_name(st), err.message, hm_status_name(m.status),
                    m.field);
        CU_ASSERT(ok);
    next:
        for (int p = 0; p < 3; p++) free(bufs[p]);
    }
    printf("  %ld descriptors hashed, %ld of them valid by the model (of %ld valid)\n", called,
           valid_called, valid);
    CU_ASSERT(called > 15000 && valid_called > 100);
}
#endif

/* ---------------------------------------------------------------------- */
/* ABI: the caller's sizes                                                 */
/* ---------------------------------------------------------------------- */

/* A caller's struct smaller than any release is refused; a larger one (a
 * newer header) is accepted while its unknown bytes are zero; outputs are
 * never written past the caller's size and zero-filled beyond ours. */
static void test_sized_structs(void)
{
    static uint8_t buf[16 * 16 * 3];
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = HM_PIXEL_RGB8;
    px.width = px.height = 16;
    px.data[0] = buf;
    px.stride[0] = 48;
    struct {
        hm_hashes h;
        uint8_t tail[40];
    } out;
    hm_error err;
    memset(&out, 0xa5, sizeof out);
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, sizeof px, NULL, 0, &out.h, sizeof out.h, &err), HM_OK);
    for (size_t i = 0; i < sizeof out.tail; i++) CU_ASSERT_EQUAL(out.tail[i], 0xa5);
    /* a larger output: zeros past our struct, nothing past its size */
    memset(&out, 0xa5, sizeof out);
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, sizeof px, NULL, 0, &out.h, sizeof out.h + 24, &err), HM_OK);
    for (size_t i = 0; i < 24; i++) CU_ASSERT_EQUAL(out.tail[i], 0);
    for (size_t i = 24; i < sizeof out.tail; i++) CU_ASSERT_EQUAL(out.tail[i], 0xa5);
    CU_ASSERT_EQUAL(out.h.width, 16);
    /* too small */
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, 8, NULL, 0, &out.h, sizeof out.h, &err),
                    HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "hm_pixels of 8 bytes"));
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, sizeof px, NULL, 0, &out.h, 100, &err),
                    HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "output hm_hashes of 100 bytes"));
    /* from a newer header: zero tail accepted, any set byte refused */
    struct {
        hm_hash_options o;
        uint8_t more[16];
    } big;
    memset(&big, 0, sizeof big);
    big.o.algos = HM_MASK(HM_ALGO_AHASH);
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, sizeof px, &big.o, sizeof big, &out.h, sizeof out.h, &err),
                    HM_OK);
    CU_ASSERT_EQUAL(out.h.algos, HM_MASK(HM_ALGO_AHASH));
    big.more[9] = 1;
    CU_ASSERT_EQUAL(hm_hash_pixels_sized(&px, sizeof px, &big.o, sizeof big, &out.h, sizeof out.h, &err),
                    HM_E_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "newer hashmatch.h"));
    CU_ASSERT_EQUAL(out.h.algos, 0);
}

/* ---------------------------------------------------------------------- */
/* Scanner                                                                 */
/* ---------------------------------------------------------------------- */

static void test_scan_pixels(void)
{
    hm_image *rgb = synthetic(640, 480, 3, 99);
    hm_hash_options o = all_options(HM_PDQ_FULLRES);
    hm_hashes hs;
    CU_ASSERT_EQUAL_FATAL(hm_hash_image(rgb, &o, &hs, NULL), HM_OK);
    hm_set_builder *b;
    unsigned cat;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "pixels", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "c", &cat, NULL), HM_OK);
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, hs.pdq, cat, 1, "pdq", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PHASH, hs.phash, cat, 1, "phash", NULL), HM_OK);
    uint8_t *file;
    size_t size;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_build(b, &file, &size, NULL), HM_OK);
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    file = tf_sign(file, &size, KEYS, 2);
    hm_set_open_options so = tf_options();
    hm_set *set = NULL;
    hm_scanner *sc = NULL;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(file, size, &so, &set, NULL), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, NULL, &sc, NULL), HM_OK);

    tu_rng r;
    tu_rng_seed(&r, 14009);
    hm_pixels px;
    uint8_t *buf = pack_rgb(rgb, &PACKED[3], 64, &r, &px); /* BGRA with row padding */
    hm_report *rep = NULL;
    hm_error err;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_pixels(sc, &px, &rep, &err), HM_OK);
    CU_ASSERT_EQUAL(hm_report_match_count(rep), 2);
    for (size_t i = 0; i < hm_report_match_count(rep); i++)
        CU_ASSERT_EQUAL(hm_report_match(rep, i)->distance, 0);
    CU_ASSERT(!memcmp(hm_report_hashes(rep)->pdq, hs.pdq, sizeof hs.pdq));
    CU_ASSERT(!memcmp(hm_report_hashes(rep)->phash, hs.phash, sizeof hs.phash));
    hm_report_free(rep);
    px.stride[0] = 10; /* refused with the field named, no report */
    rep = (hm_report *)buf;
    CU_ASSERT_EQUAL(hm_scanner_scan_pixels(sc, &px, &rep, &err), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(rep);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "px->stride[0] is 10"));
    free(buf);
    hm_scanner_free(sc);
    hm_set_free(set);
    free(file);
    hm_image_free(rgb);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test PACKED_TESTS[] = {
        {"packed_equal_rgb", test_packed_equal_rgb},
        {"packed_photo", test_packed_photo},
        {"packed_single_algorithms", test_packed_single_algorithms},
        {"image_from_pixels_channels", test_image_from_pixels_channels},
        {NULL, NULL},
    };
    static const tu_test YUV_TESTS[] = {
        {"coefficients", test_yuv_coefficients},
        {"formula_exhaustive", test_yuv_formula_exhaustive},
        {"hand_computed", test_yuv_hand_computed},
        {"chroma_placement", test_yuv_chroma_placement},
        {"hashes", test_yuv_hashes},
#ifdef HM_TEST_SWSCALE
        {"vs_swscale", test_yuv_vs_swscale},
#endif
        {NULL, NULL},
    };
    static const tu_test ERROR_TESTS[] = {
        {"descriptor_errors", test_descriptor_errors},
        {"pixel_limit", test_pixel_limit},
#ifdef __SIZEOF_INT128__
        {"absurd_descriptors", test_absurd_descriptors},
#endif
        {"sized_structs", test_sized_structs},
        {NULL, NULL},
    };
    static const tu_test SCAN_TESTS[] = {
        {"scan_pixels", test_scan_pixels},
        {NULL, NULL},
    };
    tu_add_suite("packed", PACKED_TESTS);
    tu_add_suite("yuv", YUV_TESTS);
    tu_add_suite("errors", ERROR_TESTS);
    tu_add_suite("scanner", SCAN_TESTS);
#ifndef HM_TEST_SWSCALE
    printf("libswscale not found at build time: the comparison with it is skipped\n");
#endif
    return tu_run("test_pixels");
}
