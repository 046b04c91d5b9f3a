/* test_image_hostile.c - the decoders on damaged and hostile input: every
 * valid file truncated at 16 points and with random byte changes (fixed
 * seed), empty and unknown input, headers claiming 65535x65535, the pixel
 * limit, JPEG variants the decoder refuses, a progressive JPEG with too many
 * scans. Each case must end in a clean status (AddressSanitizer and UBSan
 * watch the asan build) and write nothing on stderr. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image_fixtures.h"
#include "testutil.h"

typedef struct sample {
    const char *name;
    uint8_t *data;
    size_t size;
    size_t min_size; /* shorter inputs are not even recognised */
} sample;

#define MAX_SAMPLES 24
static sample samples[MAX_SAMPLES];
static size_t nsamples;

static void add_sample(const char *name, uint8_t *data, size_t size, size_t min_size)
{
    if (nsamples == MAX_SAMPLES) abort();
    samples[nsamples++] = (sample){name, data, size, min_size};
}

static uint8_t *random_bytes(tu_rng *r, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (!p) abort();
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)tu_rng_next(r);
    return p;
}

static void add_png(tu_rng *r, const char *name, int type, int depth, int interlace)
{
    const uint32_t w = 37, h = 29;
    size_t n = (size_t)w * h * (size_t)fx_png_channels(type);
    uint16_t *s = malloc(n * sizeof *s);
    uint8_t pal[256 * 3];
    for (size_t i = 0; i < sizeof pal; i++) pal[i] = (uint8_t)tu_rng_next(r);
    for (size_t i = 0; i < n; i++) s[i] = (uint16_t)(tu_rng_next(r) & ((1u << depth) - 1));
    fx_png p = {w, h, type, depth, interlace, s, pal, type == PNG_COLOR_TYPE_PALETTE ? 1 << depth : 0,
                0, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_png_write(&p, &size);
    add_sample(name, file, size, 8);
    free(s);
}

static void add_jpeg(tu_rng *r, const char *name, int comps, J_COLOR_SPACE in, int progressive)
{
    const uint32_t w = 40, h = 24;
    uint8_t *px = random_bytes(r, (size_t)w * h * (size_t)comps);
    fx_jpeg j = {w, h, comps, in, JCS_UNKNOWN, 75, progressive, 0, comps == 3, px, NULL, 0, NULL, 0};
    size_t size;
    uint8_t *file = fx_jpeg_write(&j, &size);
    add_sample(name, file, size, 3);
    free(px);
}

static void build_samples(void)
{
    tu_rng r;
    tu_rng_seed(&r, 11);
    add_png(&r, "png rgb", PNG_COLOR_TYPE_RGB, 8, 0);
    add_png(&r, "png grey 1-bit interlaced", PNG_COLOR_TYPE_GRAY, 1, 1);
    add_png(&r, "png palette 4-bit interlaced", PNG_COLOR_TYPE_PALETTE, 4, 1);
    add_png(&r, "png rgba 16-bit", PNG_COLOR_TYPE_RGBA, 16, 0);
    add_jpeg(&r, "jpeg baseline", 3, JCS_RGB, 0);
    add_jpeg(&r, "jpeg progressive", 3, JCS_RGB, 1);
    add_jpeg(&r, "jpeg grey", 1, JCS_GRAYSCALE, 0);
    add_jpeg(&r, "jpeg cmyk progressive", 4, JCS_CMYK, 1);
    const uint32_t w = 31, h = 17;
    uint8_t *px = random_bytes(&r, (size_t)w * h * 3);
    uint8_t pal[256 * 3];
    for (size_t i = 0; i < sizeof pal; i++) pal[i] = (uint8_t)tu_rng_next(&r);
    size_t size;
    fx_gif_frame f = {0, 0, (uint16_t)w, (uint16_t)h, 0, -1, NULL, 0, 8, px, (size_t)w * h, 0, 0, NULL, 0};
    uint8_t *file = fx_gif_write((uint16_t)w, (uint16_t)h, pal, 8, &f, &size);
    add_sample("gif", file, size, 6);
    fx_gif_frame fi = {3, 2, 20, 11, 1, 5, pal, 3, 3, px, 220, 0, 0, NULL, 0};
    for (size_t i = 0; i < 220; i++) px[i] &= 7;
    file = fx_gif_write(24, 16, NULL, 0, &fi, &size);
    add_sample("gif interlaced, local palette, offset", file, size, 6);
#ifdef HM_WITH_WEBP
    file = fx_webp_simple(px, w, h, 1, &size);
    add_sample("webp lossless", file, size, 12);
    file = fx_webp_simple(px, w, h, 0, &size);
    add_sample("webp lossy", file, size, 12);
    file = fx_webp_animated(px, 6, 4, 2, 2, 12, 8, &size);
    add_sample("webp animated", file, size, 12);
    uint8_t tiff[64];
    size_t tn = fx_exif_tiff(tiff, 1, 6);
    file = fx_webp_with_exif(px, 5, 3, tiff, tn, &size);
    add_sample("webp exif", file, size, 12);
#endif
    fx_buf b = {0};
    const char *head = "P6\n# x\n31 17\n65535\n";
    fx_put(&b, head, strlen(head));
    fx_put(&b, px, (size_t)w * h * 3); /* 2 bytes per sample */
    fx_put(&b, px, (size_t)w * h * 3);
    add_sample("pnm 16-bit", b.data, b.size, 3);
    fx_buf g = {0};
    fx_put(&g, "P5 31 17 200\n", strlen("P5 31 17 200\n"));
    fx_put(&g, px, (size_t)w * h);
    add_sample("pnm grey", g.data, g.size, 3);
    free(px);
}

static void free_samples(void)
{
    for (size_t i = 0; i < nsamples; i++) free(samples[i].data);
    nsamples = 0;
}

/* Decodes a damaged copy (exact-size allocation, so reads past the end trip
 * AddressSanitizer); checks the result is coherent whatever the status. */
static hm_status decode_copy(const uint8_t *data, size_t size, const hm_decode_options *opt,
                             hm_image **keep)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    hm_image *img = (hm_image *)&img;
    hm_error err;
    hm_status st = hm_image_decode(copy, size, opt, &img, &err);
    CU_ASSERT_EQUAL(err.status, st);
    if (st == HM_OK) {
        CU_ASSERT(hm_image_width(img) > 0 && hm_image_height(img) > 0);
        CU_ASSERT(hm_image_channels(img) == 1 || hm_image_channels(img) == 3);
        CU_ASSERT_PTR_NOT_NULL(hm_image_pixels(img));
    } else {
        CU_ASSERT_PTR_NULL(img);
        CU_ASSERT(err.message[0] != '\0');
    }
    /* whatever decodes also probes, to the same size */
    uint32_t w = 0, h = 0;
    hm_status pst = hm_image_probe(copy, size, NULL, &w, &h, NULL);
    if (st == HM_OK) CU_ASSERT(pst == HM_OK && w == hm_image_width(img) && h == hm_image_height(img));
    free(copy);
    if (keep && st == HM_OK)
        *keep = img;
    else
        hm_image_free(st == HM_OK ? img : NULL);
    return st;
}

static void test_truncation(void)
{
    tu_stderr_begin();
    size_t checked = 0;
    for (size_t i = 0; i < nsamples; i++) {
        const sample *s = &samples[i];
        hm_image *full = NULL;
        hm_status fst = decode_copy(s->data, s->size, NULL, &full);
        if (fst != HM_OK) printf("\n  %s: %s", s->name, hm_status_name(fst));
        CU_ASSERT_EQUAL_FATAL(fst, HM_OK);
        /* 16 cut points from the shortest recognised prefix to size - 1 */
        for (int k = 0; k < 16; k++) {
            size_t cut = s->min_size + (s->size - 1 - s->min_size) * (size_t)k / 15;
            hm_image *part = NULL;
            hm_status st = decode_copy(s->data, cut, NULL, &part);
            /* A cut in the trailer (after the last pixel's data) may decode,
             * but only to exactly the complete file's pixels. */
            int ok = st == HM_E_IMAGE_TRUNCATED || (st == HM_OK && fx_same_image(part, full));
            if (!ok) printf("\n  %s cut at %zu of %zu: %s", s->name, cut, s->size, hm_status_name(st));
            CU_ASSERT(ok);
            hm_image_free(part);
            checked++;
        }
        /* shorter than any header: not recognised */
        CU_ASSERT_EQUAL(decode_copy(s->data, 2, NULL, NULL), HM_E_IMAGE_FORMAT);
        hm_image_free(full);
    }
    CU_ASSERT(checked >= 16 * 12);
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
}

static void test_byte_flips(void)
{
    tu_rng r;
    tu_rng_seed(&r, 12);
    size_t counts[3] = {0, 0, 0}; /* ok, corrupt/truncated, other */
    tu_stderr_begin();
    for (size_t i = 0; i < nsamples; i++) {
        const sample *s = &samples[i];
        uint8_t *m = malloc(s->size);
        for (int t = 0; t < 150; t++) {
            memcpy(m, s->data, s->size);
            int flips = 1 + (int)tu_rng_below(&r, 4);
            for (int f = 0; f < flips; f++) {
                /* keep the signature so the decoder itself is exercised */
                size_t at = s->min_size + tu_rng_below(&r, (uint32_t)(s->size - s->min_size));
                m[at] = t % 3 ? (uint8_t)tu_rng_next(&r) : (uint8_t)(m[at] ^ (1u << tu_rng_below(&r, 8)));
            }
            hm_status st = decode_copy(m, s->size, NULL, NULL);
            counts[st == HM_OK ? 0 : (st == HM_E_IMAGE_CORRUPT || st == HM_E_IMAGE_TRUNCATED) ? 1 : 2]++;
        }
        free(m);
    }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    printf("\n  %zu decoded, %zu corrupt or truncated, %zu other statuses", counts[0], counts[1], counts[2]);
    CU_ASSERT(counts[1] > 0);
}

static void test_empty_and_unknown(void)
{
    tu_stderr_begin();
    CU_ASSERT_EQUAL(decode_copy((const uint8_t *)"", 0, NULL, NULL), HM_E_IMAGE_EMPTY);
    hm_image *img;
    CU_ASSERT_EQUAL(hm_image_decode(NULL, 0, NULL, &img, NULL), HM_E_IMAGE_EMPTY);
    CU_ASSERT_EQUAL(hm_image_decode(NULL, 4, NULL, &img, NULL), HM_E_INVALID_ARGUMENT);
    static const char UNKNOWN[][12] = {"BM\x36\x00\x00\x00", "II*\0\x08\0\0\0", "\0\0\0\x0cjP  ",
                                       "P3\n1 1\n255\n0", "GIF88a\x01\0\x01\0", "RIFF\0\0\0\0WAVE"};
    for (size_t i = 0; i < sizeof UNKNOWN / sizeof UNKNOWN[0]; i++)
        CU_ASSERT_EQUAL(decode_copy((const uint8_t *)UNKNOWN[i], sizeof UNKNOWN[i], NULL, NULL),
                        HM_E_IMAGE_FORMAT);
    tu_rng r;
    tu_rng_seed(&r, 13);
    for (int i = 0; i < 200; i++) {
        uint8_t *p = random_bytes(&r, 64);
        if (hm_image_sniff(p, 64) == HM_FORMAT_UNKNOWN)
            CU_ASSERT_EQUAL(decode_copy(p, 64, NULL, NULL), HM_E_IMAGE_FORMAT);
        free(p);
    }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
}

/* ---- huge headers ------------------------------------------------------- */

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* Finds the first JPEG SOFn marker and rewrites its height and width. */
static void jpeg_set_size(uint8_t *p, size_t n, unsigned w, unsigned h)
{
    for (size_t i = 2; i + 9 < n;) {
        unsigned m = p[i + 1], len = (unsigned)(p[i + 2] << 8 | p[i + 3]);
        if (m == 0xc0 || m == 0xc1 || m == 0xc2) {
            p[i + 5] = (uint8_t)(h >> 8), p[i + 6] = (uint8_t)h;
            p[i + 7] = (uint8_t)(w >> 8), p[i + 8] = (uint8_t)w;
            return;
        }
        i += 2 + len;
    }
    abort();
}

static void expect_huge(const char *name, const uint8_t *data, size_t size, uint32_t w, uint32_t h,
                        hm_status want)
{
    hm_status st = decode_copy(data, size, NULL, NULL);
    if (st != want) printf("\n  %s: %s", name, hm_status_name(st));
    CU_ASSERT_EQUAL(st, want);
    uint32_t pw = 0, ph = 0;
    hm_error err;
    CU_ASSERT_EQUAL(hm_image_probe(data, size, NULL, &pw, &ph, &err), HM_OK);
    if (pw != w || ph != h) printf("\n  %s: probe says %ux%u (%s)", name, pw, ph, err.message);
    CU_ASSERT(pw == w && ph == h);
}

static void test_huge_headers(void)
{
    tu_stderr_begin();
    uint16_t s[12] = {0};
    fx_png p = {2, 2, PNG_COLOR_TYPE_RGB, 8, 0, s, NULL, 0, 0, 0, NULL, 0};
    size_t size;
    uint8_t *png = fx_png_write(&p, &size);
    be32(png + 16, 65535);
    be32(png + 20, 65535);
    be32(png + 29, crc32_png(png + 12, 17));
    expect_huge("png 65535x65535", png, size, 65535, 65535, HM_E_IMAGE_TOO_LARGE);
    be32(png + 16, 0);
    CU_ASSERT_EQUAL(decode_copy(png, size, NULL, NULL), HM_E_IMAGE_DIMENSIONS);
    be32(png + 16, 0x80000000u);
    CU_ASSERT_EQUAL(decode_copy(png, size, NULL, NULL), HM_E_IMAGE_DIMENSIONS);
    free(png);

    uint8_t px[16 * 16 * 3] = {0};
    fx_jpeg j = {16, 16, 3, JCS_RGB, JCS_UNKNOWN, 75, 0, 0, 0, px, NULL, 0, NULL, 0};
    uint8_t *jpg = fx_jpeg_write(&j, &size);
    jpeg_set_size(jpg, size, 65535, 65535);
    expect_huge("jpeg 65535x65535", jpg, size, 65535, 65535, HM_E_IMAGE_TOO_LARGE);
    jpeg_set_size(jpg, size, 20000, 20000); /* within libjpeg's limit, over ours */
    expect_huge("jpeg 20000x20000", jpg, size, 20000, 20000, HM_E_IMAGE_TOO_LARGE);
    jpeg_set_size(jpg, size, 65535, 1); /* libjpeg's side limit, few pixels */
    CU_ASSERT_EQUAL(decode_copy(jpg, size, NULL, NULL), HM_E_IMAGE_DIMENSIONS);
    jpeg_set_size(jpg, size, 0, 16);
    CU_ASSERT_EQUAL(decode_copy(jpg, size, NULL, NULL), HM_E_IMAGE_DIMENSIONS);
    free(jpg);

    const uint8_t idx[4] = {0, 1, 1, 0};
    uint8_t pal[12] = {0};
    fx_gif_frame f = {0, 0, 2, 2, 0, -1, NULL, 0, 2, idx, 4, 0, 0, NULL, 0};
    uint8_t *gif = fx_gif_write(65535, 65535, pal, 2, &f, &size);
    expect_huge("gif screen 65535x65535", gif, size, 65535, 65535, HM_E_IMAGE_TOO_LARGE);
    free(gif);
    fx_gif_frame far = {65535, 65535, 65535, 65535, 0, -1, NULL, 0, 2, idx, 4, 0, 0, NULL, 0};
    gif = fx_gif_write(2, 2, pal, 2, &far, &size);
    expect_huge("gif frame 65535x65535 at 65535,65535", gif, size, 131070, 131070, HM_E_IMAGE_TOO_LARGE);
    free(gif);

#ifdef HM_WITH_WEBP
    uint8_t *webp = fx_webp_animated(px, 2, 2, 0, 0, 65535, 65535, &size);
    expect_huge("webp canvas 65535x65535", webp, size, 65535, 65535, HM_E_IMAGE_TOO_LARGE);
    free(webp);
    webp = fx_webp_simple(px, 2, 2, 1, &size);
    uint32_t bits = 16383u | 16383u << 14; /* VP8L header: 16384x16384 */
    for (int i = 0; i < 4; i++) webp[21 + i] = (uint8_t)(bits >> (8 * i)) | (i == 3 ? webp[24] & 0xf0 : 0);
    expect_huge("webp lossless 16384x16384", webp, size, 16384, 16384, HM_E_IMAGE_TOO_LARGE);
    free(webp);
#endif

    const char *pnm = "P6 65535 65535 255\n\x01\x02\x03";
    expect_huge("pnm 65535x65535", (const uint8_t *)pnm, strlen(pnm), 65535, 65535, HM_E_IMAGE_TOO_LARGE);
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
}

/* max_pixels is honoured exactly by every format. */
static void test_pixel_limit(void)
{
    tu_stderr_begin();
    for (size_t i = 0; i < nsamples; i++) {
        hm_image *img = NULL;
        CU_ASSERT_EQUAL_FATAL(decode_copy(samples[i].data, samples[i].size, NULL, &img), HM_OK);
        uint64_t n = (uint64_t)hm_image_width(img) * hm_image_height(img);
        hm_image_free(img);
        hm_decode_options opt = {0};
        opt.max_pixels = n;
        CU_ASSERT_EQUAL(decode_copy(samples[i].data, samples[i].size, &opt, NULL), HM_OK);
        opt.max_pixels = n - 1;
        hm_status st = decode_copy(samples[i].data, samples[i].size, &opt, NULL);
        if (st != HM_E_IMAGE_TOO_LARGE) printf("\n  %s: %s", samples[i].name, hm_status_name(st));
        CU_ASSERT_EQUAL(st, HM_E_IMAGE_TOO_LARGE);
    }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
}

/* ---- JPEG specifics ----------------------------------------------------- */

static size_t find_sos_data(const uint8_t *p, size_t n)
{
    for (size_t i = 2; i + 4 < n;) {
        unsigned len = (unsigned)(p[i + 2] << 8 | p[i + 3]);
        if (p[i + 1] == 0xda) return i + 2 + len;
        i += 2 + len;
    }
    abort();
}

static void test_jpeg_refusals(void)
{
    tu_rng r;
    tu_rng_seed(&r, 14);
    uint8_t *px = random_bytes(&r, 64 * 64 * 3);
    fx_jpeg j = {64, 64, 3, JCS_RGB, JCS_UNKNOWN, 75, 0, 0, 1, px, NULL, 0, NULL, 0};
    size_t size;
    uint8_t *jpg = fx_jpeg_write(&j, &size);
    tu_stderr_begin();
    /* a marker inside the entropy-coded data: corrupt, not silently grey */
    uint8_t *bad = malloc(size);
    memcpy(bad, jpg, size);
    size_t at = find_sos_data(bad, size) + 40;
    bad[at] = 0xff;
    bad[at + 1] = 0xd9;
    CU_ASSERT_EQUAL(decode_copy(bad, size, NULL, NULL), HM_E_IMAGE_CORRUPT);
    /* 12-bit precision and the lossless process are not supported */
    memcpy(bad, jpg, size);
    for (size_t i = 2; i + 4 < size; i += 2 + (size_t)(bad[i + 2] << 8 | bad[i + 3]))
        if (bad[i + 1] == 0xc0) {
            bad[i + 4] = 12;
            break;
        }
    CU_ASSERT_EQUAL(decode_copy(bad, size, NULL, NULL), HM_E_IMAGE_UNSUPPORTED);
    memcpy(bad, jpg, size);
    for (size_t i = 2; i + 4 < size; i += 2 + (size_t)(bad[i + 2] << 8 | bad[i + 3]))
        if (bad[i + 1] == 0xc0) {
            bad[i + 1] = 0xc3;
            break;
        }
    CU_ASSERT_EQUAL(decode_copy(bad, size, NULL, NULL), HM_E_IMAGE_UNSUPPORTED);
    free(bad);
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    free(jpg);
    free(px);
}

/* A progressive scan script: DC, then every AC coefficient of every
 * component in `passes` successive-approximation scans (1..3). */
static int build_scans(jpeg_scan_info *s, int passes)
{
    int n = 0;
    s[n++] = (jpeg_scan_info){3, {0, 1, 2, 0}, 0, 0, 0, 0};
    for (int c = 0; c < 3; c++)
        for (int k = 1; k < 64; k++)
            for (int p = 0; p < passes; p++) {
                int al = passes - 1 - p, ah = p ? al + 1 : 0;
                s[n++] = (jpeg_scan_info){1, {c, 0, 0, 0}, k, k, ah, al};
            }
    return n;
}

static void test_jpeg_scan_limit(void)
{
    static jpeg_scan_info scans[1 + 3 * 63 * 3];
    tu_rng r;
    tu_rng_seed(&r, 15);
    uint8_t *px = random_bytes(&r, 16 * 16 * 3);
    tu_stderr_begin();
    for (int passes = 2; passes <= 3; passes++) {
        int n = build_scans(scans, passes); /* 379 scans, then 568 */
        fx_jpeg j = {16, 16, 3, JCS_RGB, JCS_UNKNOWN, 90, 0, 0, 0, px, NULL, 0, scans, n};
        size_t size;
        uint8_t *jpg = fx_jpeg_write(&j, &size);
        hm_image *img = NULL;
        hm_error err;
        hm_status st = hm_image_decode(jpg, size, NULL, &img, &err);
        if (passes == 2) {
            CU_ASSERT_EQUAL(st, HM_OK); /* many scans, under the limit */
            uint32_t w, h;
            int c;
            uint8_t *ref = fx_jpeg_reference(jpg, size, JCS_RGB, &w, &h, &c);
            CU_ASSERT(img && !memcmp(hm_image_pixels(img), ref, 16 * 16 * 3));
            free(ref);
        } else {
            CU_ASSERT_EQUAL(st, HM_E_IMAGE_CORRUPT);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "scans"));
        }
        hm_image_free(img);
        free(jpg);
    }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    free(px);
}

/* Start and end of the n-th scan (SOS header and its entropy-coded data). */
static void find_scan(const uint8_t *p, size_t size, int nth, size_t *start, size_t *end)
{
    size_t i = 2;
    while (i + 4 <= size && p[i] == 0xff && p[i + 1] != 0xd9) {
        size_t next = i + 2 + (size_t)(p[i + 2] << 8 | p[i + 3]);
        if (p[i + 1] == 0xda) {
            while (next + 1 < size &&
                   !(p[next] == 0xff && p[next + 1] != 0 && (p[next + 1] < 0xd0 || p[next + 1] > 0xd7)))
                next++;
            if (nth-- == 0) {
                *start = i;
                *end = next;
                return;
            }
        }
        i = next;
    }
    abort();
}

/* A scan repeated: libjpeg only warns about the inconsistent progression and
 * decodes the same pixels, which we accept; repeated hundreds of times it is
 * the classic decoding-time attack, stopped by the scan limit. */
static void test_jpeg_repeated_scans(void)
{
    tu_rng r;
    tu_rng_seed(&r, 17);
    uint8_t *px = random_bytes(&r, 32 * 32 * 3);
    fx_jpeg j = {32, 32, 3, JCS_RGB, JCS_UNKNOWN, 85, 1, 0, 1, px, NULL, 0, NULL, 0};
    size_t size, a, b;
    uint8_t *jpg = fx_jpeg_write(&j, &size);
    find_scan(jpg, size, 1, &a, &b); /* the first AC scan */
    tu_stderr_begin();
    hm_image *want = NULL;
    CU_ASSERT_EQUAL_FATAL(decode_copy(jpg, size, NULL, &want), HM_OK);
    static const int COPIES[] = {1, 3, 600};
    for (size_t c = 0; c < sizeof COPIES / sizeof COPIES[0]; c++) {
        fx_buf f = {0};
        fx_put(&f, jpg, b);
        for (int k = 0; k < COPIES[c]; k++) fx_put(&f, jpg + a, b - a);
        fx_put(&f, jpg + b, size - b);
        hm_image *img = NULL;
        hm_error err;
        hm_status st = hm_image_decode(f.data, f.size, NULL, &img, &err);
        if (COPIES[c] < 100) {
            CU_ASSERT_EQUAL(st, HM_OK);
            CU_ASSERT(img && !memcmp(hm_image_pixels(img), hm_image_pixels(want), 32 * 32 * 3));
        } else {
            CU_ASSERT_EQUAL(st, HM_E_IMAGE_CORRUPT);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "scans"));
        }
        hm_image_free(img);
        free(f.data);
    }
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    hm_image_free(want);
    free(jpg);
    free(px);
}

/* Arithmetic coding is decoded (libjpeg-turbo supports it). */
static void test_jpeg_arithmetic(void)
{
    tu_rng r;
    tu_rng_seed(&r, 16);
    uint8_t *px = random_bytes(&r, 24 * 16 * 3);
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    jpeg_mem_dest(&c, &out, &outsize);
    c.image_width = 24;
    c.image_height = 16;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    c.arith_code = TRUE;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < 16) {
        JSAMPROW row = px + c.next_scanline * 24 * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    tu_stderr_begin();
    hm_image *img = NULL;
    CU_ASSERT_EQUAL(decode_copy(out, outsize, NULL, &img), HM_OK);
    uint32_t w, h;
    int comps;
    uint8_t *ref = fx_jpeg_reference(out, outsize, JCS_RGB, &w, &h, &comps);
    CU_ASSERT(img && !memcmp(hm_image_pixels(img), ref, 24 * 16 * 3));
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    hm_image_free(img);
    free(ref);
    free(out);
    free(px);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    build_samples();
    static const tu_test TESTS[] = {
        {"truncated_at_16_points", test_truncation},
        {"random_byte_changes", test_byte_flips},
        {"empty_and_unknown", test_empty_and_unknown},
        {"headers_claiming_65535x65535", test_huge_headers},
        {"pixel_limit_every_format", test_pixel_limit},
        {"jpeg_refusals", test_jpeg_refusals},
        {"jpeg_scan_limit", test_jpeg_scan_limit},
        {"jpeg_repeated_scans", test_jpeg_repeated_scans},
        {"jpeg_arithmetic", test_jpeg_arithmetic},
        {NULL, NULL},
    };
    tu_add_suite("image_hostile", TESTS);
    int rc = tu_run("test_image_hostile");
    free_samples();
    return rc;
}
