/* test_image.c - every decoder on files built inside the test, checked
 * against values the test computes itself; Pillow-checked fixtures in
 * tests/data; EXIF orientation; probing; the image object. Every decoding
 * call runs with file descriptor 2 captured, which must stay empty. */
#include <openssl/evp.h>
#include <png.h>
#include <stdio.h>
#ifdef HM_WITH_WEBP
#include <webp/decode.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image_fixtures.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static void quiet_begin(void) { tu_stderr_begin(); }
static void quiet_end(void) { CU_ASSERT_EQUAL(tu_stderr_end(), 0); }

static hm_image *decode_ok(const uint8_t *data, size_t size, const hm_decode_options *opt)
{
    hm_image *img = NULL;
    hm_error err;
    hm_status st = hm_image_decode(data, size, opt, &img, &err);
    if (st != HM_OK) printf("\n  unexpected failure: %s (%s)", hm_status_name(st), err.message);
    CU_ASSERT_EQUAL(st, HM_OK);
    CU_ASSERT_EQUAL(err.status, HM_OK);
    return img;
}

static hm_status decode_status(const uint8_t *data, size_t size, const hm_decode_options *opt)
{
    hm_image *img = (hm_image *)&img; /* must be reset to NULL on failure */
    hm_error err;
    hm_status st = hm_image_decode(data, size, opt, &img, &err);
    CU_ASSERT_EQUAL(err.status, st);
    if (st != HM_OK) {
        CU_ASSERT_PTR_NULL(img);
        CU_ASSERT(err.message[0] != '\0');
    }
    hm_image_free(st == HM_OK ? img : NULL);
    return st;
}

static int same_pixels(const hm_image *img, uint32_t w, uint32_t h, unsigned ch,
                       const uint8_t *want)
{
    if (!img || hm_image_width(img) != w || hm_image_height(img) != h ||
        hm_image_channels(img) != ch)
        return 0;
    return memcmp(hm_image_pixels(img), want, (size_t)w * h * ch) == 0;
}

static void sha256_hex(const uint8_t *data, size_t n, char hex[65])
{
    uint8_t md[32];
    unsigned len = 0;
    if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL)) abort();
    hm_hex_encode(md, 32, hex);
}

static uint8_t *random_bytes(tu_rng *r, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (!p) abort();
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)tu_rng_next(r);
    return p;
}

/* ---- PNG ---------------------------------------------------------------- */

/* The 8-bit value Pillow shows for a grey sample of `depth` bits. */
static uint8_t grey_to_8(unsigned v, int depth)
{
    switch (depth) {
    case 1: return v ? 255 : 0;
    case 2: return (uint8_t)(v * 85);
    case 4: return (uint8_t)(v * 17);
    case 16: return (uint8_t)(v / 256);
    default: return (uint8_t)v;
    }
}

static void check_png_size(uint32_t w, uint32_t h, int type, int depth, int interlace, int trns,
                           tu_rng *r);

static void check_png_case(int type, int depth, int interlace, int trns, tu_rng *r)
{
    check_png_size(13, 11, type, depth, interlace, trns, r);
}

static void check_png_size(uint32_t w, uint32_t h, int type, int depth, int interlace, int trns,
                           tu_rng *r)
{
    int fch = fx_png_channels(type);
    size_t n = (size_t)w * h * (size_t)fch;
    uint16_t *s = malloc(n * sizeof *s);
    uint8_t pal[256 * 3];
    int entries = type == PNG_COLOR_TYPE_PALETTE ? (depth == 8 ? 200 : 1 << depth) : 0;
    for (int i = 0; i < 256 * 3; i++) pal[i] = (uint8_t)tu_rng_next(r);
    for (size_t i = 0; i < n; i++)
        s[i] = (uint16_t)(entries ? tu_rng_below(r, (uint32_t)entries)
                                  : tu_rng_next(r) & ((1u << depth) - 1));
    fx_png p = {w, h, type, depth, interlace, s, entries ? pal : NULL, entries,
                entries && trns ? entries / 2 : 0, !entries && trns, NULL, 0};
    size_t size;
    uint8_t *file = fx_png_write(&p, &size);

    /* expected: grey or RGB, alpha dropped, palette looked up */
    unsigned och = (type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
    uint8_t *want = malloc((size_t)w * h * och);
    for (size_t px = 0; px < (size_t)w * h; px++) {
        const uint16_t *v = s + px * (size_t)fch;
        for (unsigned c = 0; c < och; c++)
            want[px * och + c] = entries ? pal[3 * v[0] + c]
                                 : depth == 16 ? (uint8_t)(v[c] >> 8)
                                               : grey_to_8(v[c], depth);
    }
    hm_image *img = decode_ok(file, size, NULL);
    int ok = same_pixels(img, w, h, och, want);
    if (!ok) printf("\n  PNG type %d depth %d interlace %d trns %d: pixels differ", type, depth, interlace, trns);
    CU_ASSERT(ok);
    hm_color_model model = entries ? HM_COLOR_PALETTE
                           : och == 3 ? HM_COLOR_RGB
                           : depth == 1 ? HM_COLOR_BILEVEL
                                        : HM_COLOR_GRAY;
    CU_ASSERT_EQUAL(hm_image_color_model(img), model);
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_PNG);
    CU_ASSERT_EQUAL(hm_image_exif_orientation(img), 0);
    hm_image_free(img);
    free(want);
    free(file);
    free(s);
}

static void test_png_every_type(void)
{
    static const struct {
        int type, depth;
    } CASES[] = {
        {PNG_COLOR_TYPE_GRAY, 1},       {PNG_COLOR_TYPE_GRAY, 2},    {PNG_COLOR_TYPE_GRAY, 4},
        {PNG_COLOR_TYPE_GRAY, 8},       {PNG_COLOR_TYPE_GRAY, 16},   {PNG_COLOR_TYPE_GRAY_ALPHA, 8},
        {PNG_COLOR_TYPE_GRAY_ALPHA, 16}, {PNG_COLOR_TYPE_RGB, 8},     {PNG_COLOR_TYPE_RGB, 16},
        {PNG_COLOR_TYPE_RGBA, 8},       {PNG_COLOR_TYPE_RGBA, 16},   {PNG_COLOR_TYPE_PALETTE, 1},
        {PNG_COLOR_TYPE_PALETTE, 2},    {PNG_COLOR_TYPE_PALETTE, 4}, {PNG_COLOR_TYPE_PALETTE, 8},
    };
    tu_rng r;
    tu_rng_seed(&r, 1);
    quiet_begin();
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        for (int interlace = 0; interlace <= 1; interlace++)
            for (int trns = 0; trns <= 1; trns++) {
                int alpha = CASES[i].type & PNG_COLOR_MASK_ALPHA;
                if (trns && alpha) continue; /* tRNS is not allowed with alpha */
                check_png_case(CASES[i].type, CASES[i].depth, interlace, trns, &r);
            }
    quiet_end();
}

/* Every size up to 9x9, interlaced or not: the Adam7 passes that are empty
 * for small images, and the last row, arrive through the progressive reader. */
static void test_png_small_sizes(void)
{
    tu_rng r;
    tu_rng_seed(&r, 2);
    quiet_begin();
    for (uint32_t w = 1; w <= 9; w++)
        for (uint32_t h = 1; h <= 9; h++)
            for (int interlace = 0; interlace <= 1; interlace++) {
                check_png_size(w, h, PNG_COLOR_TYPE_GRAY, 8, interlace, 0, &r);
                check_png_size(w, h, PNG_COLOR_TYPE_RGB, 16, interlace, 0, &r);
                check_png_size(w, h, PNG_COLOR_TYPE_PALETTE, 2, interlace, 0, &r);
            }
    quiet_end();
}

/* Pillow shows palette indices past the end of PLTE as grey (i, i, i). */
static void test_png_palette_out_of_range(void)
{
    const uint8_t pal[6] = {10, 20, 30, 40, 50, 60};
    const uint16_t idx[4] = {0, 1, 2, 200};
    fx_png p = {4, 1, PNG_COLOR_TYPE_PALETTE, 8, 0, idx, pal, 2, 0, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_png_write(&p, &size);
    const uint8_t want[12] = {10, 20, 30, 40, 50, 60, 2, 2, 2, 200, 200, 200};
    quiet_begin();
    hm_image *img = decode_ok(file, size, NULL);
    CU_ASSERT(same_pixels(img, 4, 1, 3, want));
    hm_image_free(img);
    quiet_end();
    free(file);
}

/* ---- EXIF orientation ----------------------------------------------------- */

/* Pillow's exif_transpose as flips and a transpose, written independently of
 * the library's index arithmetic: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
 * 6 transpose+mirror (90 clockwise), 7 transpose+rotate 180, 8 transpose+flip. */
static void expected_orient(const uint8_t *src, uint32_t w, uint32_t h, unsigned o, uint8_t *dst,
                            uint32_t *ow, uint32_t *oh)
{
    int transpose = o >= 5, mirror = o == 2 || o == 3 || o == 6 || o == 7,
        flip = o == 3 || o == 4 || o == 7 || o == 8;
    uint32_t tw = transpose ? h : w, th = transpose ? w : h;
    for (uint32_t y = 0; y < th; y++)
        for (uint32_t x = 0; x < tw; x++) {
            uint32_t tx = mirror ? tw - 1 - x : x, ty = flip ? th - 1 - y : y;
            uint32_t sx = transpose ? ty : tx, sy = transpose ? tx : ty;
            memcpy(dst + 3 * ((size_t)y * tw + x), src + 3 * ((size_t)sy * w + sx), 3);
        }
    *ow = tw;
    *oh = th;
}

static void check_oriented(const uint8_t *file, size_t size, const uint8_t *rgb, uint32_t w,
                           uint32_t h, unsigned o, int lossless)
{
    hm_image *img = decode_ok(file, size, NULL);
    CU_ASSERT_EQUAL(hm_image_exif_orientation(img), o);
    if (lossless) CU_ASSERT(same_pixels(img, w, h, 3, rgb)); /* not applied by default */
    hm_image_free(img);
    hm_decode_options opt = {0};
    opt.apply_exif_orientation = 1;
    img = decode_ok(file, size, &opt);
    uint8_t want[3 * 64];
    uint32_t ow, oh;
    const uint8_t *src = rgb;
    uint8_t *plain = NULL;
    if (!lossless) { /* compare against this decoder's own unrotated pixels */
        hm_image *p = decode_ok(file, size, NULL);
        plain = malloc((size_t)w * h * 3);
        memcpy(plain, hm_image_pixels(p), (size_t)w * h * 3);
        hm_image_free(p);
        src = plain;
    }
    expected_orient(src, w, h, o, want, &ow, &oh);
    int ok = same_pixels(img, ow, oh, 3, want);
    if (!ok) printf("\n  orientation %u: pixels differ", o);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(hm_image_exif_orientation(img), o);
    hm_image_free(img);
    free(plain);
}

static void test_exif_orientation_png_jpeg_webp(void)
{
    const uint32_t w = 4, h = 3;
    uint8_t rgb[4 * 3 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 7 + 3);
    uint16_t s[4 * 3 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) s[i] = rgb[i];
    quiet_begin();
    for (unsigned o = 1; o <= 8; o++) {
        int be = o % 2;
        uint8_t tiff[64], app1[70];
        size_t tn = fx_exif_tiff(tiff, be, o);
        /* PNG eXIf */
        fx_png p = {w, h, PNG_COLOR_TYPE_RGB, 8, 0, s, NULL, 0, 0, 0, tiff, tn};
        size_t size;
        uint8_t *file = fx_png_write(&p, &size);
        check_oriented(file, size, rgb, w, h, o, 1);
        free(file);
        memcpy(app1, "Exif\0\0", 6);
        memcpy(app1 + 6, tiff, tn);
#ifdef HM_WITH_WEBP
        /* WebP EXIF chunk, with and without the "Exif\0\0" prefix */
        file = fx_webp_with_exif(rgb, w, h, be ? app1 : tiff, be ? tn + 6 : tn, &size);
        check_oriented(file, size, rgb, w, h, o, 1);
        free(file);
#endif
        /* JPEG APP1 (lossy: the rotation is checked against our own decode) */
        fx_jpeg j = {w, h, 3, JCS_RGB, JCS_UNKNOWN, 90, 0, 0, 0, rgb, app1, tn + 6, NULL, 0};
        file = fx_jpeg_write(&j, &size);
        check_oriented(file, size, rgb, w, h, o, 0);
        free(file);
    }
    quiet_end();
}

static void test_exif_parser_hostile(void)
{
    uint8_t t[64];
    size_t n = fx_exif_tiff(t, 0, 6);
    CU_ASSERT_EQUAL(hm__exif_orientation(t, n), 6);
    n = fx_exif_tiff(t, 1, 8);
    CU_ASSERT_EQUAL(hm__exif_orientation(t, n), 8);
    /* every truncation of a valid block is safe and finds nothing */
    for (size_t k = 0; k < n - 6; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, t, k);
        CU_ASSERT_EQUAL(hm__exif_orientation(cut, k), 0);
        free(cut);
    }
    CU_ASSERT_EQUAL(hm__exif_orientation(NULL, 10), 0);
    uint8_t bad[64];
    /* IFD offset beyond the block, below the header, entry count too large */
    size_t m = fx_exif_tiff(bad, 0, 3);
    bad[4] = 200;
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    bad[4] = 4;
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    m = fx_exif_tiff(bad, 0, 3);
    bad[8] = 0xff;
    bad[9] = 0xff;
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    /* out-of-range values, wrong type, count 2 */
    m = fx_exif_tiff(bad, 0, 9);
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    m = fx_exif_tiff(bad, 0, 0);
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    m = fx_exif_tiff(bad, 0, 5);
    bad[24] = 1; /* type BYTE */
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    m = fx_exif_tiff(bad, 0, 5);
    bad[26] = 2; /* count 2 */
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    m = fx_exif_tiff(bad, 0, 5);
    bad[24] = 4; /* type LONG, value 5 stored in 4 bytes */
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 5);
    memcpy(bad, "XX*\0", 4);
    CU_ASSERT_EQUAL(hm__exif_orientation(bad, m), 0);
    /* random blocks never read out of bounds (AddressSanitizer watches) */
    tu_rng r;
    tu_rng_seed(&r, 77);
    for (int i = 0; i < 2000; i++) {
        size_t len = tu_rng_below(&r, 64);
        uint8_t *p = random_bytes(&r, len);
        if (len >= 4) memcpy(p, i & 1 ? "MM\0*" : "II*\0", 4);
        if (len >= 8) p[4] = p[5] = p[6] = p[7] = 0, p[i & 1 ? 7 : 4] = (uint8_t)(8 + i % 8);
        unsigned o = hm__exif_orientation(p, len);
        CU_ASSERT(o <= 8);
        free(p);
    }
}

/* ---- JPEG --------------------------------------------------------------- */

/* round(a * b / 255): Pillow's MULDIV255, computed the plain way. */
static unsigned muldiv255(unsigned a, unsigned b) { return (2 * a * b + 255) / 510; }

/* Pillow's CMYK JPEG pixels: every channel inverted ("CMYK;I"), then
 * R = (255 - K) - C * (255 - K) / 255, likewise G and B. */
static void pillow_cmyk_to_rgb(const uint8_t *cmyk, size_t n, uint8_t *rgb)
{
    for (size_t i = 0; i < n; i++) {
        unsigned k = 255u - cmyk[4 * i + 3], nk = 255u - k;
        for (int c = 0; c < 3; c++)
            rgb[3 * i + c] = (uint8_t)(nk - muldiv255(255u - cmyk[4 * i + c], nk));
    }
}

typedef struct jpeg_case {
    const char *name;
    int components;
    J_COLOR_SPACE in, jpeg;
    int progressive, no_adobe, subsample;
    hm_color_model model;
} jpeg_case;

/* Flat 8x8 blocks of random colours: a JPEG at quality 100 keeps the block
 * centres within a few levels, which checks channel order and polarity. */
static uint8_t *block_image(tu_rng *r, uint32_t w, uint32_t h, int comps)
{
    uint8_t *px = malloc((size_t)w * h * (size_t)comps);
    uint8_t colours[64][4];
    for (int i = 0; i < 64; i++)
        for (int c = 0; c < 4; c++) colours[i][c] = (uint8_t)(32 + tu_rng_below(r, 192));
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            memcpy(px + ((size_t)y * w + x) * (size_t)comps, colours[(y / 16 * 4 + x / 16) % 64],
                   (size_t)comps);
    return px;
}

static void check_jpeg_case(const jpeg_case *t, tu_rng *r)
{
    const uint32_t w = 48, h = 40;
    uint8_t *src = block_image(r, w, h, t->components);
    fx_jpeg j = {w, h, t->components, t->in, t->jpeg, 100, t->progressive, t->no_adobe,
                 t->subsample, src, NULL, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_jpeg_write(&j, &size);
    uint32_t rw, rh;
    int rc;
    int cmyk = t->components == 4;
    uint8_t *ref = fx_jpeg_reference(file, size, t->components == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB,
                                     &rw, &rh, &rc);
    unsigned och = t->components == 1 ? 1 : 3;
    uint8_t *want = ref;
    if (cmyk) {
        want = malloc((size_t)w * h * 3);
        pillow_cmyk_to_rgb(ref, (size_t)w * h, want);
    }
    hm_image *img = decode_ok(file, size, NULL);
    int ok = same_pixels(img, w, h, och, want);
    if (!ok) printf("\n  JPEG %s: pixels differ from libjpeg's", t->name);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(hm_image_color_model(img), t->model);
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_JPEG);
    /* sanity against the source colours at block centres */
    int close = 1;
    for (uint32_t y = 8; img && y < h; y += 16)
        for (uint32_t x = 8; x < w; x += 16) {
            const uint8_t *s = src + ((size_t)y * w + x) * (size_t)t->components;
            const uint8_t *d = hm_image_pixels(img) + ((size_t)y * w + x) * och;
            for (unsigned c = 0; c < och; c++) {
                int expect = cmyk ? (int)muldiv255(s[c], s[3]) : s[c];
                if (abs(expect - d[c]) > 6) close = 0;
            }
        }
    if (!close) printf("\n  JPEG %s: block centres far from the source colours", t->name);
    CU_ASSERT(close);
    hm_image_free(img);
    if (want != ref) free(want);
    free(ref);
    free(file);
    free(src);
}

static void test_jpeg_variants(void)
{
    static const jpeg_case CASES[] = {
        {"grey", 1, JCS_GRAYSCALE, JCS_UNKNOWN, 0, 0, 0, HM_COLOR_GRAY},
        {"grey progressive", 1, JCS_GRAYSCALE, JCS_UNKNOWN, 1, 0, 0, HM_COLOR_GRAY},
        {"YCbCr 4:4:4", 3, JCS_RGB, JCS_UNKNOWN, 0, 0, 0, HM_COLOR_RGB},
        {"YCbCr 4:2:0", 3, JCS_RGB, JCS_UNKNOWN, 0, 0, 1, HM_COLOR_RGB},
        {"YCbCr 4:2:0 progressive", 3, JCS_RGB, JCS_UNKNOWN, 1, 0, 1, HM_COLOR_RGB},
        {"RGB (Adobe transform 0)", 3, JCS_RGB, JCS_RGB, 0, 0, 0, HM_COLOR_RGB},
        {"CMYK (Adobe)", 4, JCS_CMYK, JCS_UNKNOWN, 0, 0, 0, HM_COLOR_CMYK},
        {"CMYK without Adobe marker", 4, JCS_CMYK, JCS_UNKNOWN, 0, 1, 0, HM_COLOR_CMYK},
        {"YCCK", 4, JCS_CMYK, JCS_YCCK, 0, 0, 0, HM_COLOR_CMYK},
        {"CMYK progressive", 4, JCS_CMYK, JCS_UNKNOWN, 1, 0, 0, HM_COLOR_CMYK},
    };
    tu_rng r;
    tu_rng_seed(&r, 2);
    quiet_begin();
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) check_jpeg_case(&CASES[i], &r);
    quiet_end();
}

/* Small real files with the SHA-256 of Pillow 9.4's RGB pixels (Debian 12,
 * libjpeg-turbo 2.1.5): ThreatExchange test images (BSD, see LICENSE there)
 * and two 4-channel JPEGs written by Pillow, one with its Adobe marker
 * removed (Pillow inverts CMYK either way). */
static void test_jpeg_pillow_fixtures(void)
{
    static const struct {
        const char *path;
        uint32_t w, h;
        const char *sha256;
    } FILES[] = {
        {"threatexchange/bg.jpg", 60, 60, "27a9b88e28e2122b7827028c4cc44543f3706bd00563a2cc4cbeedaefbab584c"},
        {"threatexchange/q0003.jpg", 256, 256, "cc2371f9144a57e6d7debc4d8d2fc53bfe78a8540f218763ab4407d13165bcaf"},
        {"threatexchange/q0004.jpg", 256, 256, "b72c29059a01ada2a518469f04944fa63d031f3c1ada1c2050fb9a2ca9df6acc"},
        {"threatexchange/q0122.jpg", 256, 256, "a4b41dfaf309b940ff8c0847b2bf515498df3a06e15ef6cbe0efe11426107947"},
        {"threatexchange/small.jpg", 224, 399, "85c9b6174f8e5e985946d2e62b9ed16cda3c06fb42ef6fef52df36074ea72701"},
        {"threatexchange/wee.jpg", 34, 42, "ff9c8628fbd7cde9a5ae4b992bd3ab8f56759f125643e72ff9f090d180a19c74"},
        {"jpeg/cmyk_adobe.jpg", 32, 24, "82e14a2c1b3870e197d01800788eea845734ff0f7f0970c32a42c6a72ce30a25"},
        {"jpeg/cmyk_no_adobe.jpg", 32, 24, "82e14a2c1b3870e197d01800788eea845734ff0f7f0970c32a42c6a72ce30a25"},
    };
    quiet_begin();
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char *path = tu_path(tu_data_dir(), FILES[i].path);
        hm_image *img = NULL;
        hm_error err;
        CU_ASSERT_EQUAL_FATAL(hm_image_load(path, NULL, &img, &err), HM_OK);
        CU_ASSERT_EQUAL(hm_image_width(img), FILES[i].w);
        CU_ASSERT_EQUAL(hm_image_height(img), FILES[i].h);
        CU_ASSERT_EQUAL(hm_image_channels(img), 3);
        char hex[65];
        sha256_hex(hm_image_pixels(img), (size_t)FILES[i].w * FILES[i].h * 3, hex);
        if (strcmp(hex, FILES[i].sha256)) printf("\n  %s: pixels differ from Pillow's", FILES[i].path);
        CU_ASSERT_STRING_EQUAL(hex, FILES[i].sha256);
        /* wee.jpg carries a big-endian EXIF block with Orientation 1 */
        if (strstr(FILES[i].path, "wee")) CU_ASSERT_EQUAL(hm_image_exif_orientation(img), 1);
        hm_image_free(img);
        free(path);
    }
    quiet_end();
}

/* ---- GIF ---------------------------------------------------------------- */

static const uint8_t GIF_PAL[4 * 3] = {10, 20, 30, 200, 0, 0, 0, 200, 0, 0, 0, 200};

/* The expected canvases below are what Pillow 9.4 shows for these files:
 * index 0 (or the transparency index) outside the frame, grey for indices
 * past the palette, the canvas enlarged to hold an outlying frame. */
static void check_gif(const char *name, uint16_t sw, uint16_t sh, const fx_gif_frame *f,
                      const uint8_t *pal, uint32_t w, uint32_t h, unsigned ch,
                      const uint8_t *want)
{
    size_t size;
    uint8_t *file = fx_gif_write(sw, sh, pal, 2, f, &size);
    hm_image *img = decode_ok(file, size, NULL);
    int ok = same_pixels(img, w, h, ch, want);
    if (!ok) printf("\n  GIF %s: pixels differ", name);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(hm_image_color_model(img), ch == 3 ? HM_COLOR_PALETTE : HM_COLOR_GRAY);
    uint32_t pw, ph;
    hm_image_format fmt;
    CU_ASSERT_EQUAL(hm_image_probe(file, size, &fmt, &pw, &ph, NULL), HM_OK);
    CU_ASSERT(fmt == HM_FORMAT_GIF && pw == w && ph == h);
    hm_image_free(img);
    free(file);
}

#define C0 10, 20, 30
#define C1 200, 0, 0
#define C2 0, 200, 0
#define C3 0, 0, 200

static void test_gif_canvas_rules(void)
{
    const uint8_t px[4] = {1, 2, 3, 1};
    quiet_begin();
    fx_gif_frame f = {1, 1, 2, 2, 0, -1, NULL, 0, 2, px, 4, 0, 0, NULL, 0};
    const uint8_t offset[] = {C0, C0, C0, C0, C0, C1, C2, C0, C0, C3, C1, C0};
    check_gif("offset frame", 4, 3, &f, GIF_PAL, 4, 3, 3, offset);
    f.transparency = 2;
    const uint8_t transp[] = {C2, C2, C2, C2, C2, C1, C2, C2, C2, C3, C1, C2};
    check_gif("transparency fills the canvas", 4, 3, &f, GIF_PAL, 4, 3, 3, transp);
    f.transparency = 9; /* past the palette: grey 9 */
    const uint8_t transp9[] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, C1, C2,
                               9, 9, 9, 9, 9, 9, C3, C1, 9, 9, 9};
    check_gif("transparency index past the palette", 4, 3, &f, GIF_PAL, 4, 3, 3, transp9);
    fx_gif_frame out = {2, 1, 2, 2, 0, -1, NULL, 0, 2, px, 4, 0, 0, NULL, 0};
    const uint8_t grown[] = {C0, C0, C0, C0, C0, C0, C1, C2, C0, C0, C3, C1};
    check_gif("frame outside the screen", 3, 2, &out, GIF_PAL, 4, 3, 3, grown);
    const uint8_t beyond_px[3] = {7, 5, 1};
    fx_gif_frame beyond = {0, 0, 3, 1, 0, -1, NULL, 0, 3, beyond_px, 3, 0, 0, NULL, 0};
    const uint8_t beyond_want[] = {7, 7, 7, 5, 5, 5, C1};
    check_gif("indices past the palette", 3, 1, &beyond, GIF_PAL, 3, 1, 3, beyond_want);
    const uint8_t grey_px[3] = {1, 2, 3};
    fx_gif_frame nopal = {0, 0, 3, 1, 0, -1, NULL, 0, 2, grey_px, 3, 0, 0, NULL, 0};
    const uint8_t grey_want[] = {1, 2, 3};
    check_gif("no colour table: grey", 3, 1, &nopal, NULL, 3, 1, 1, grey_want);
    const uint8_t ident[12] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
    check_gif("identity grey table: grey", 3, 1, &nopal, ident, 3, 1, 1, grey_want);
    const uint8_t local[12] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 6};
    fx_gif_frame lp = {0, 0, 3, 1, 0, -1, local, 2, 2, grey_px, 3, 0, 0, NULL, 0};
    const uint8_t local_want[] = {2, 2, 2, 3, 3, 3, 4, 5, 6};
    check_gif("local colour table wins", 3, 1, &lp, GIF_PAL, 3, 1, 3, local_want);
    quiet_end();
}

/* Interlaced rows arrive in the order 0, 8, 4, 2, 6, 1, 3, 5, 7, 9. */
static void test_gif_interlaced(void)
{
    uint8_t pal[16 * 3], px[10], want[10 * 3];
    for (int i = 0; i < 16; i++) pal[3 * i] = (uint8_t)(10 * i), pal[3 * i + 1] = (uint8_t)i, pal[3 * i + 2] = 0;
    static const int ROW_OF[10] = {0, 8, 4, 2, 6, 1, 3, 5, 7, 9};
    for (int i = 0; i < 10; i++) {
        px[i] = (uint8_t)i;
        memcpy(want + 3 * ROW_OF[i], pal + 3 * i, 3);
    }
    fx_gif_frame f = {0, 0, 1, 10, 1, -1, NULL, 0, 4, px, 10, 0, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_gif_write(1, 10, pal, 4, &f, &size);
    quiet_begin();
    hm_image *img = decode_ok(file, size, NULL);
    CU_ASSERT(same_pixels(img, 1, 10, 3, want));
    hm_image_free(img);
    quiet_end();
    free(file);
}

/* A real LZW stream (long strings, code-size growth to 12 bits, table
 * resets, and a full table without reset) on a 8-bit-palette image. */
static void test_gif_lzw_streams(void)
{
    const uint32_t w = 150, h = 120;
    uint8_t pal[256 * 3];
    for (int i = 0; i < 256 * 3; i++) pal[i] = (uint8_t)(i * 37 + 11);
    uint8_t *px = malloc((size_t)w * h), *want = malloc((size_t)w * h * 3);
    tu_rng r;
    tu_rng_seed(&r, 3);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        /* runs and repeats so that strings get long, noise so the table fills */
        px[i] = (uint8_t)(i % 997 < 500 ? (i / 7) % 5 : tu_rng_below(&r, 256));
        memcpy(want + 3 * i, pal + 3 * px[i], 3);
    }
    quiet_begin();
    for (int mcs = 8; mcs >= 2; mcs -= 6)
        for (int deferred = 0; deferred <= 1; deferred++) {
            if (mcs == 2)
                for (size_t i = 0; i < (size_t)w * h; i++) {
                    px[i] &= 3;
                    memcpy(want + 3 * i, pal + 3 * px[i], 3);
                }
            fx_gif_frame f = {0, 0, (uint16_t)w, (uint16_t)h, 0, -1, NULL, 0, mcs, px, (size_t)w * h,
                              deferred, 0, NULL, 0};
            size_t size;
            uint8_t *file = fx_gif_write((uint16_t)w, (uint16_t)h, pal, mcs == 8 ? 8 : 2, &f, &size);
            hm_image *img = decode_ok(file, size, NULL);
            int ok = same_pixels(img, w, h, 3, want);
            if (!ok) printf("\n  GIF LZW min code %d deferred %d: pixels differ", mcs, deferred);
            CU_ASSERT(ok);
            hm_image_free(img);
            free(file);
        }
    quiet_end();
    free(px);
    free(want);
}

/* Hand-packed code streams (3-bit codes, min code size 2: clear 4, end 5). */
static uint8_t *gif_codes(const unsigned *codes, size_t n, uint16_t w, size_t *size)
{
    uint8_t raw[16] = {0};
    unsigned bit = 0;
    for (size_t i = 0; i < n; i++, bit += 3)
        for (int b = 0; b < 3; b++)
            if (codes[i] >> b & 1) raw[(bit + (unsigned)b) / 8] |= (uint8_t)(1u << ((bit + (unsigned)b) % 8));
    fx_gif_frame f = {0, 0, w, 1, 0, -1, NULL, 0, 2, NULL, 0, 0, 0, raw, (bit + 7) / 8};
    return fx_gif_write(w, 1, GIF_PAL, 2, &f, size);
}

static void test_gif_code_edge_cases(void)
{
    static const struct {
        const char *name;
        unsigned codes[6];
        size_t n;
        uint16_t w;
        hm_status status;
        uint8_t want[9];
    } CASES[] = {
        {"no leading clear", {1, 2, 3, 5}, 4, 3, HM_OK, {C1, C2, C3}},
        {"KwKwK code", {4, 1, 6, 5}, 4, 3, HM_OK, {C1, C1, C1}},
        {"extra pixels ignored", {4, 1, 2, 3, 3, 5}, 6, 2, HM_OK, {C1, C2}},
        {"code past the table", {4, 1, 7, 5}, 4, 3, HM_E_IMAGE_CORRUPT, {0}},
        {"table code first", {4, 6, 1, 1, 5}, 5, 3, HM_E_IMAGE_CORRUPT, {0}},
        {"end code too early", {4, 1, 2, 5}, 4, 3, HM_E_IMAGE_TRUNCATED, {0}},
    };
    quiet_begin();
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        size_t size;
        uint8_t *file = gif_codes(CASES[i].codes, CASES[i].n, CASES[i].w, &size);
        hm_status st = decode_status(file, size, NULL);
        if (st != CASES[i].status) printf("\n  GIF %s: %s", CASES[i].name, hm_status_name(st));
        CU_ASSERT_EQUAL(st, CASES[i].status);
        if (st == HM_OK) {
            hm_image *img = decode_ok(file, size, NULL);
            CU_ASSERT(same_pixels(img, CASES[i].w, 1, 3, CASES[i].want));
            hm_image_free(img);
        }
        free(file);
    }
    /* a zero-sized first frame; no image at all */
    const uint8_t px[1] = {0};
    fx_gif_frame empty = {0, 0, 0, 1, 0, -1, NULL, 0, 2, px, 0, 0, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_gif_write(2, 2, GIF_PAL, 2, &empty, &size);
    CU_ASSERT_EQUAL(decode_status(file, size, NULL), HM_E_IMAGE_DIMENSIONS);
    free(file);
    const uint8_t noimg[] = "GIF89a\x02\x00\x02\x00\x00\x00\x00;";
    CU_ASSERT_EQUAL(decode_status(noimg, sizeof noimg - 1, NULL), HM_E_IMAGE_CORRUPT);
    quiet_end();
}

/* ---- PNM ---------------------------------------------------------------- */

/* Pillow's expression: round(v / maxval * 255) in double, ties to even. */
static uint8_t pillow_ppm_scale(unsigned v, unsigned maxval)
{
    double t = (double)v / (double)maxval * 255.0;
    double f = (double)(long)t, frac = t - f;
    long k = (long)f + (frac > 0.5 || (frac == 0.5 && ((long)f & 1)));
    return k > 255 ? 255 : (uint8_t)k;
}

static void check_pnm(int colour, unsigned maxval, const char *header_tail, tu_rng *r)
{
    const uint32_t w = 7, h = 5;
    unsigned ch = colour ? 3 : 1;
    size_t n = (size_t)w * h * ch;
    int wide = maxval > 255;
    fx_buf b = {0};
    char head[128];
    snprintf(head, sizeof head, "P%c%s%u %u%s%u\n", colour ? '6' : '5', "\n# a comment\n", w, h,
             header_tail, maxval);
    fx_put(&b, head, strlen(head));
    uint8_t *want = malloc(n);
    for (size_t i = 0; i < n; i++) {
        /* mostly valid samples, a few above maxval (they saturate) */
        unsigned v = tu_rng_below(r, 20) == 0 ? maxval + 1 + tu_rng_below(r, 3)
                                              : tu_rng_below(r, maxval + 1);
        if (v > (wide ? 65535u : 255u)) v = maxval;
        want[i] = maxval == 255 ? (uint8_t)v : pillow_ppm_scale(v, maxval);
        if (wide) fx_put8(&b, v >> 8);
        fx_put8(&b, v & 0xff);
    }
    hm_image *img = decode_ok(b.data, b.size, NULL);
    int ok = same_pixels(img, w, h, ch, want);
    if (!ok) printf("\n  PNM P%c maxval %u: pixels differ", colour ? '6' : '5', maxval);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(hm_image_color_model(img), colour ? HM_COLOR_RGB : HM_COLOR_GRAY);
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_PNM);
    hm_image_free(img);
    /* one byte short of the samples */
    CU_ASSERT_EQUAL(decode_status(b.data, b.size - 1, NULL), HM_E_IMAGE_TRUNCATED);
    free(want);
    free(b.data);
}

static void test_pnm(void)
{
    static const unsigned MAXVALS[] = {1, 2, 3, 6, 100, 254, 255, 256, 1000, 4095, 65534, 65535};
    tu_rng r;
    tu_rng_seed(&r, 4);
    quiet_begin();
    for (int colour = 0; colour <= 1; colour++)
        for (size_t i = 0; i < sizeof MAXVALS / sizeof MAXVALS[0]; i++)
            check_pnm(colour, MAXVALS[i], i % 2 ? "\t# x\n" : " ", &r);
    static const struct {
        const char *text;
        hm_status status;
    } BAD[] = {
        {"P5 2 2 0\nabcd", HM_E_IMAGE_CORRUPT},      {"P5 2 2 65536\nabcdefgh", HM_E_IMAGE_CORRUPT},
        {"P5 0 2 255\n", HM_E_IMAGE_DIMENSIONS},     {"P5 2 x 255\nabcd", HM_E_IMAGE_CORRUPT},
        {"P6 2 2 255", HM_E_IMAGE_TRUNCATED},        {"P5 12345678901 1 255\n", HM_E_IMAGE_CORRUPT},
        {"P5 2 2 255xabcd", HM_E_IMAGE_CORRUPT},     {"P6 # only a comment", HM_E_IMAGE_TRUNCATED},
        {"P5 2000000 1 255\n", HM_E_IMAGE_DIMENSIONS},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        hm_status st = decode_status((const uint8_t *)BAD[i].text, strlen(BAD[i].text), NULL);
        if (st != BAD[i].status) printf("\n  PNM \"%s\": %s", BAD[i].text, hm_status_name(st));
        CU_ASSERT_EQUAL(st, BAD[i].status);
    }
    quiet_end();
}

/* ---- WebP --------------------------------------------------------------- */
#ifdef HM_WITH_WEBP

static void test_webp(void)
{
    const uint32_t w = 19, h = 13;
    tu_rng r;
    tu_rng_seed(&r, 5);
    uint8_t *rgb = random_bytes(&r, (size_t)w * h * 3);
    quiet_begin();
    size_t size;
    /* lossless: exactly the source pixels */
    uint8_t *file = fx_webp_simple(rgb, w, h, 1, &size);
    hm_image *img = decode_ok(file, size, NULL);
    CU_ASSERT(same_pixels(img, w, h, 3, rgb));
    CU_ASSERT_EQUAL(hm_image_color_model(img), HM_COLOR_RGB);
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_WEBP);
    hm_image_free(img);
    free(file);
    /* lossy: what libwebp's own RGB decoder gives */
    file = fx_webp_simple(rgb, w, h, 0, &size);
    int rw, rh;
    uint8_t *ref = WebPDecodeRGB(file, size, &rw, &rh);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    img = decode_ok(file, size, NULL);
    CU_ASSERT(same_pixels(img, (uint32_t)rw, (uint32_t)rh, 3, ref));
    hm_image_free(img);
    WebPFree(ref);
    free(file);
    /* animated: the first frame (3x2) at (2, 4) on a black 8x10 canvas,
     * as Pillow shows it */
    uint8_t small[18], want[8 * 10 * 3] = {0};
    for (int y = 0; y < 2; y++) {
        memcpy(small + y * 9, rgb + (size_t)y * w * 3, 9);
        memcpy(want + ((size_t)(4 + y) * 8 + 2) * 3, small + y * 9, 9);
    }
    file = fx_webp_animated(small, 3, 2, 2, 4, 8, 10, &size);
    img = decode_ok(file, size, NULL);
    CU_ASSERT(same_pixels(img, 8, 10, 3, want));
    hm_image_free(img);
    free(file);
    quiet_end();
    free(rgb);
}

#endif /* HM_WITH_WEBP */

/* The seed corpus of the decoding fuzzer holds a small file of every kind
 * (Pillow-written JPEG/PNG/GIF/WebP/PNM, interlaced PNGs and an offset GIF
 * frame from these fixtures, an animated WebP with an offset frame). Each
 * must give Pillow 9.4's pixels: SHA-256 of Pillow's RGB (or L for grey
 * results) computed on Debian 12. */
static void test_seed_corpus_equals_pillow(void)
{
    static const struct {
        const char *name;
        uint32_t w, h;
        unsigned ch;
        const char *sha256;
    } SEEDS[] = {
        {"gif.gif", 24, 16, 3,
         "bdd1a61f5602106f01f7c8b394091d2d93a104e36f727f54d9187aa881e6c5a6"},
        {"gif_interlaced_transparent.gif", 24, 16, 3,
         "bdd1a61f5602106f01f7c8b394091d2d93a104e36f727f54d9187aa881e6c5a6"},
        {"gif_local_offset_interlaced.gif", 11, 10, 3,
         "fee43566bc72c489dd6facef3bae28674bbccc7d1575df5e83544e59e1b10b80"},
        {"jpeg_444.jpg", 24, 16, 3,
         "ee3eca4dd5b905df52ddf0c4def621cb442ec1e169fd6d53d2a0e9778c31f642"},
        {"jpeg_baseline_420.jpg", 24, 16, 3,
         "0039eff1d2ef8621655a9530baf688fdbf6d959d30819ce68005e25da01ffd3a"},
        {"jpeg_cmyk.jpg", 24, 16, 3,
         "4db84477f6c29461dbbdd74b9a7f3065c1d6302971d5e64eb0efba90d70ab84b"},
        {"jpeg_exif6.jpg", 24, 16, 3,
         "983a12be6a55c618753bb81d823e0165b81587714b7a52512f8f185b0d5ada6e"},
        {"jpeg_grey.jpg", 24, 16, 1,
         "8b7ae70c4b58538c26cc0ebf4088a31aaf11490a37d18875c61670c22e268371"},
        {"jpeg_progressive.jpg", 24, 16, 3,
         "0039eff1d2ef8621655a9530baf688fdbf6d959d30819ce68005e25da01ffd3a"},
        {"jpeg_restart.jpg", 24, 16, 3,
         "0039eff1d2ef8621655a9530baf688fdbf6d959d30819ce68005e25da01ffd3a"},
        {"png_exif.png", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"png_grey1.png", 24, 16, 1,
         "b5ccc8fe8e385a9d97654db09804be17d977109c53e8e823a7b7e7e0d2273cd7"},
        {"png_grey1_interlaced_trns.png", 9, 7, 1,
         "47fe02fd7e8d2b62d6c36c68951a99ecfe1ca1ae228fd5c0efb2ddfa9cc37fdb"},
        {"png_grey2.png", 8, 4, 1,
         "4141762ea0960425a0ce67abf15ff9f9468056a32e76a33835ab2ce45cfb6f50"},
        {"png_la.png", 24, 16, 1,
         "3b12629376fdc5cd2c6704ebcff9e0e3edbfe42e6702897ffa142a5cb7436ebc"},
        {"png_palette4_interlaced.png", 9, 7, 3,
         "3cbdeb5ff3a9b87e978d3a6fef98b3ac674bc0d5203d9140d1927026e9305e30"},
        {"png_palette_trns.png", 24, 16, 3,
         "bdd1a61f5602106f01f7c8b394091d2d93a104e36f727f54d9187aa881e6c5a6"},
        {"png_rgb.png", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"png_rgb16.png", 6, 4, 3,
         "9d94d0f9137aa599425308bf2d1a386fdd7ae4a9d0b9708b917bccdce1b3be8b"},
        {"png_rgba.png", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"png_rgba16_interlaced.png", 9, 7, 3,
         "8397c8cf35b50f87608458f32d5a6435f6103887ea39a57af3efbf5e3daf2cb3"},
        {"pnm_p5.pgm", 24, 16, 1,
         "3b12629376fdc5cd2c6704ebcff9e0e3edbfe42e6702897ffa142a5cb7436ebc"},
        {"pnm_p5_maxval3.pgm", 5, 2, 1,
         "e6451f7f0907a9559576d2cdd1e323dafd484eb7a2500af8e65c3a0614119138"},
        {"pnm_p6.ppm", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"pnm_p6_16bit.ppm", 4, 3, 3,
         "bcd8a6f9b5f86a590ed3a2acfad425b9dc1c9c38660ccb05a516e886994613bc"},
        {"webp_alpha.webp", 24, 16, 3,
         "a99efdd56729490cb4371d2129493378b51f6bd8d5aa4ee5b0d73fcc9a6e8aa0"},
        {"webp_animated.webp", 24, 16, 3,
         "cd87ff9a06e66d235db3d70417eddcdb7691fddea6f358c0fb46df96e70d5cb2"},
        {"webp_animated_offset.webp", 12, 8, 3,
         "952aba9cc634344fab5510a30f678591a39380f1651644958f958910e6cbfbed"},
        {"webp_exif.webp", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"webp_lossless.webp", 24, 16, 3,
         "15ae1b669d7df63b2204aec0968fb9b44bf876af93944238fb0616288c45d933"},
        {"webp_lossy.webp", 24, 16, 3,
         "a99efdd56729490cb4371d2129493378b51f6bd8d5aa4ee5b0d73fcc9a6e8aa0"},
    };
    char *dir = tu_path(HM_TEST_SOURCE_DIR, "tests/fuzz/corpus/decode");
    quiet_begin();
    for (size_t i = 0; i < sizeof SEEDS / sizeof SEEDS[0]; i++) {
        char *path = tu_path(dir, SEEDS[i].name);
        hm_image *img = NULL;
        hm_error err;
        hm_status st = hm_image_load(path, NULL, &img, &err);
        free(path);
#ifndef HM_WITH_WEBP
        if (strstr(SEEDS[i].name, ".webp")) {
            CU_ASSERT_EQUAL(st, HM_E_IMAGE_UNSUPPORTED);
            continue;
        }
#endif
        CU_ASSERT_EQUAL_FATAL(st, HM_OK);
        char hex[65] = "";
        if (hm_image_width(img) == SEEDS[i].w && hm_image_height(img) == SEEDS[i].h &&
            hm_image_channels(img) == SEEDS[i].ch)
            sha256_hex(hm_image_pixels(img), (size_t)SEEDS[i].w * SEEDS[i].h * SEEDS[i].ch, hex);
        if (strcmp(hex, SEEDS[i].sha256)) printf("\n  %s: pixels differ from Pillow's", SEEDS[i].name);
        CU_ASSERT_STRING_EQUAL(hex, SEEDS[i].sha256);
        if (strstr(SEEDS[i].name, "exif")) CU_ASSERT_EQUAL(hm_image_exif_orientation(img), 6);
        hm_image_free(img);
    }
    quiet_end();
    free(dir);
}

/* ---- probe, image object -------------------------------------------------- */

static void test_probe_every_format(void)
{
    tu_rng r;
    tu_rng_seed(&r, 6);
    const uint32_t w = 21, h = 9;
    uint8_t *rgb = random_bytes(&r, (size_t)w * h * 3);
    uint16_t *s = malloc((size_t)w * h * 3 * sizeof *s);
    for (size_t i = 0; i < (size_t)w * h * 3; i++) s[i] = rgb[i];
    enum { NFMT = 5 };
    uint8_t *files[NFMT];
    size_t sizes[NFMT];
    hm_image_format fmts[5] = {HM_FORMAT_PNG, HM_FORMAT_JPEG, HM_FORMAT_GIF, HM_FORMAT_WEBP, HM_FORMAT_PNM};
    fx_png p = {w, h, PNG_COLOR_TYPE_RGB, 8, 0, s, NULL, 0, 0, 0, NULL, 0};
    files[0] = fx_png_write(&p, &sizes[0]);
    fx_jpeg j = {w, h, 3, JCS_RGB, JCS_UNKNOWN, 80, 1, 0, 1, rgb, NULL, 0, NULL, 0};
    files[1] = fx_jpeg_write(&j, &sizes[1]);
    fx_gif_frame f = {0, 0, (uint16_t)w, (uint16_t)h, 0, -1, NULL, 0, 8, rgb, (size_t)w * h, 0, 0, NULL, 0};
    files[2] = fx_gif_write((uint16_t)w, (uint16_t)h, GIF_PAL, 2, &f, &sizes[2]);
    fx_buf b = {0};
    fx_put(&b, "P6 21 9 255\n", 12);
    fx_put(&b, rgb, (size_t)w * h * 3);
    files[4] = b.data;
    sizes[4] = b.size;
    int nfmt = NFMT;
#ifdef HM_WITH_WEBP
    files[3] = fx_webp_simple(rgb, w, h, 0, &sizes[3]);
#else
    files[3] = files[4];
    sizes[3] = sizes[4];
    fmts[3] = fmts[4];
    nfmt = 4;
#endif
    quiet_begin();
    for (int i = 0; i < nfmt; i++) {
        hm_image_format fmt;
        uint32_t pw = 0, ph = 0;
        hm_error err;
        CU_ASSERT_EQUAL(hm_image_probe(files[i], sizes[i], &fmt, &pw, &ph, &err), HM_OK);
        CU_ASSERT_EQUAL(fmt, fmts[i]);
        CU_ASSERT_EQUAL(hm_image_sniff(files[i], sizes[i]), fmts[i]);
        CU_ASSERT(pw == w && ph == h);
        CU_ASSERT_EQUAL(hm_image_probe(files[i], sizes[i], NULL, NULL, NULL, NULL), HM_OK);
        hm_image *img = decode_ok(files[i], sizes[i], NULL);
        CU_ASSERT(hm_image_width(img) == w && hm_image_height(img) == h);
        hm_image_free(img);
        free(files[i]);
    }
    CU_ASSERT_EQUAL(hm_image_probe("", 0, NULL, NULL, NULL, NULL), HM_E_IMAGE_EMPTY);
    CU_ASSERT_EQUAL(hm_image_probe("hello world!", 12, NULL, NULL, NULL, NULL), HM_E_IMAGE_FORMAT);
    CU_ASSERT_EQUAL(hm_image_probe(NULL, 5, NULL, NULL, NULL, NULL), HM_E_INVALID_ARGUMENT);
    quiet_end();
    free(rgb);
    free(s);
}

static void test_image_object(void)
{
    uint8_t px[2 * 3 * 3];
    for (int i = 0; i < 18; i++) px[i] = (uint8_t)i;
    hm_image *img = NULL;
    /* stride 9 (one padding pixel per row) for a 2x2 RGB image */
    CU_ASSERT_EQUAL(hm_image_from_pixels(2, 2, 3, px, 9, &img), HM_OK);
    const uint8_t want[12] = {0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14};
    CU_ASSERT(same_pixels(img, 2, 2, 3, want));
    CU_ASSERT_EQUAL(hm_image_source_format(img), HM_FORMAT_RAW);
    CU_ASSERT_EQUAL(hm_image_exif_orientation(img), 0);
    hm_image_free(img);
    CU_ASSERT_EQUAL(hm_image_from_pixels(2, 2, 2, px, 9, &img), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_from_pixels(2, 2, 3, px, 5, &img), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_from_pixels(0, 2, 1, px, 5, &img), HM_E_IMAGE_DIMENSIONS);
    CU_ASSERT_PTR_NULL(img);
    hm_image_free(NULL);
    CU_ASSERT_EQUAL(hm_image_width(NULL), 0);
    CU_ASSERT_PTR_NULL(hm_image_pixels(NULL));
    CU_ASSERT_STRING_EQUAL(hm_image_format_name(HM_FORMAT_WEBP), "webp");
    CU_ASSERT_STRING_EQUAL(hm_image_format_name((hm_image_format)99), "unknown");
    hm_error err;
    CU_ASSERT_EQUAL(hm_image_load("/nonexistent/file.png", NULL, &img, &err), HM_E_IO);
    CU_ASSERT_EQUAL(hm_image_decode("x", 1, NULL, NULL, &err), HM_E_INVALID_ARGUMENT);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test PNG_TESTS[] = {
        {"every_colour_type_and_depth", test_png_every_type},
        {"small_sizes_interlaced_or_not", test_png_small_sizes},
        {"palette_index_past_plte", test_png_palette_out_of_range},
        {NULL, NULL},
    };
    static const tu_test JPEG_TESTS[] = {
        {"variants_vs_libjpeg_and_pillow_cmyk", test_jpeg_variants},
        {"pillow_fixtures", test_jpeg_pillow_fixtures},
        {NULL, NULL},
    };
    static const tu_test GIF_TESTS[] = {
        {"canvas_rules", test_gif_canvas_rules},
        {"interlaced", test_gif_interlaced},
        {"lzw_streams", test_gif_lzw_streams},
        {"code_edge_cases", test_gif_code_edge_cases},
        {NULL, NULL},
    };
    static const tu_test OTHER_TESTS[] = {
        {"pnm", test_pnm},
#ifdef HM_WITH_WEBP
        {"webp", test_webp},
#endif
        {"exif_orientation", test_exif_orientation_png_jpeg_webp},
        {"exif_parser_hostile", test_exif_parser_hostile},
        {"seed_corpus_equals_pillow", test_seed_corpus_equals_pillow},
        {"probe", test_probe_every_format},
        {"image_object", test_image_object},
        {NULL, NULL},
    };
    tu_add_suite("png", PNG_TESTS);
    tu_add_suite("jpeg", JPEG_TESTS);
    tu_add_suite("gif", GIF_TESTS);
    tu_add_suite("image", OTHER_TESTS);
    return tu_run("test_image");
}
