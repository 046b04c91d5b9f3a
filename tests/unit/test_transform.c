/* test_transform.c - every image edit: identities, exact pixel mappings,
 * output dimensions, determinism, and rejected specs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "testutil.h"
#include "transform/transform.h"

/* A smooth picture with texture (JPEG-friendly) or random noise. */
static hm_image *make_image(uint32_t w, uint32_t h, unsigned c, uint64_t seed, int smooth)
{
    uint8_t *px = malloc((size_t)w * h * c);
    tu_rng r;
    tu_rng_seed(&r, seed);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (unsigned k = 0; k < c; k++) {
                double v = 128 + 90 * sin(x * 0.11 + k) * cos(y * 0.07 - k);
                px[((size_t)y * w + x) * c + k] =
                    smooth ? (uint8_t)v : (uint8_t)tu_rng_next(&r);
            }
    hm_image *img = NULL;
    CU_ASSERT_FATAL(hm_image_from_pixels(w, h, c, px, (size_t)w * c, &img) == HM_OK);
    free(px);
    return img;
}

static int same_pixels(const hm_image *a, const hm_image *b)
{
    return a->width == b->width && a->height == b->height && a->channels == b->channels &&
           !memcmp(a->pixels, b->pixels, (size_t)a->width * a->height * a->channels);
}

/* Applies a spec given as text; fails the test on error. */
static hm_image *apply(const hm_image *img, const char *spec, uint64_t seed)
{
    hm_transform t;
    hm_error e;
    hm_image *out = NULL;
    hm_status st = hm_transform_parse(spec, &t, &e);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    st = hm_image_transform(img, &t, seed, &out, &e);
    if (st != HM_OK) fprintf(stderr, "%s: %s\n", spec, e.message);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    return out;
}

static double psnr(const hm_image *a, const hm_image *b)
{
    size_t n = (size_t)a->width * a->height * a->channels;
    double se = 0;
    for (size_t i = 0; i < n; i++) se += (a->pixels[i] - b->pixels[i]) * (double)(a->pixels[i] - b->pixels[i]);
    return se == 0 ? INFINITY : 10 * log10(255.0 * 255.0 * n / se);
}

static void test_identities(void)
{
    hm_image *img = make_image(37, 23, 3, 1, 0);
    static const char *const IDENT[] = {"crop:0", "brightness:0", "contrast:1", "gamma:1",
                                        "blur:0", "noise:0", "pad:0", "letterbox:0",
                                        "rotate:0", "rotate:360", "scale:1", "overlay:0",
                                        "flip+flip", "flipv+flipv", "rotate:90+rotate:-90",
                                        "rotate:90+rotate:90+rotate:90+rotate:90",
                                        "rotate:180+flip+flipv"};
    for (size_t i = 0; i < sizeof IDENT / sizeof *IDENT; i++) {
        hm_image *o = apply(img, IDENT[i], 5);
        if (!same_pixels(img, o)) fprintf(stderr, "not identity: %s\n", IDENT[i]);
        CU_ASSERT(same_pixels(img, o));
        hm_image_free(o);
    }
    /* a 90-degree rotation applied four times, step by step */
    hm_image *cur = img, *next;
    for (int i = 0; i < 4; i++) {
        next = apply(cur, "rotate:90", 0);
        CU_ASSERT_EQUAL(next->width, i % 2 ? 37 : 23);
        if (cur != img) hm_image_free(cur);
        cur = next;
    }
    CU_ASSERT(same_pixels(img, cur));
    hm_image_free(cur);
    hm_image_free(img);
}

static void test_exact_mappings(void)
{
    hm_image *img = make_image(5, 3, 1, 2, 0);
    const uint8_t *s = img->pixels;
    hm_image *r = apply(img, "rotate:90", 0); /* counter-clockwise */
    CU_ASSERT_EQUAL(r->width, 3);
    CU_ASSERT_EQUAL(r->height, 5);
    CU_ASSERT_EQUAL(r->pixels[0], s[4]);            /* top-right corner -> top-left */
    CU_ASSERT_EQUAL(r->pixels[4 * 3 + 0], s[0]);    /* top-left -> bottom-left */
    CU_ASSERT_EQUAL(r->pixels[4 * 3 + 2], s[2 * 5]); /* bottom-left -> bottom-right */
    hm_image *f = apply(img, "flip", 0);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) CU_ASSERT_EQUAL(f->pixels[y * 5 + x], s[y * 5 + 4 - x]);
    hm_image *c = apply(img, "crop:40:0:1", 0); /* keep 3x2 (rounded), bottom-left */
    CU_ASSERT_EQUAL(c->width, 3);
    CU_ASSERT_EQUAL(c->height, 2);
    CU_ASSERT_EQUAL(c->pixels[0], s[1 * 5 + 0]);
    CU_ASSERT_EQUAL(c->pixels[5], s[2 * 5 + 2]);
    hm_image *p = apply(img, "pad:20:7", 0); /* 1 px left/right, 1 px (0.6 rounded) top/bottom */
    CU_ASSERT_EQUAL(p->width, 7);
    CU_ASSERT_EQUAL(p->height, 5);
    CU_ASSERT_EQUAL(p->pixels[0], 7);
    CU_ASSERT_EQUAL(p->pixels[1 * 7 + 1], s[0]);
    CU_ASSERT_EQUAL(p->pixels[4 * 7 + 6], 7);
    hm_image *b = apply(img, "brightness:100", 0);
    for (int i = 0; i < 15; i++) CU_ASSERT_EQUAL(b->pixels[i], s[i] + 100 > 255 ? 255 : s[i] + 100);
    hm_image *g = apply(img, "gamma:2", 0);
    for (int i = 0; i < 15; i++)
        CU_ASSERT_EQUAL(g->pixels[i], (uint8_t)floor(255 * pow(s[i] / 255.0, 2) + 0.5));
    hm_image *k = apply(img, "contrast:0", 0); /* everything becomes mid-grey */
    for (int i = 0; i < 15; i++) CU_ASSERT_EQUAL(k->pixels[i], 128);
    hm_image *o = apply(img, "overlay:40:1:0:9", 0); /* sqrt(6) -> 2x3 block, top-right */
    int painted = 0;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) {
            int in = x >= 3 && y < 3;
            painted += o->pixels[y * 5 + x] == 9 && in;
            if (!in) CU_ASSERT_EQUAL(o->pixels[y * 5 + x], s[y * 5 + x]);
        }
    CU_ASSERT_EQUAL(painted, 6);
    hm_image *all[] = {img, r, f, c, p, b, g, k, o};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) hm_image_free(all[i]);
}

static void test_dimensions(void)
{
    static const struct {
        const char *spec;
        uint32_t w, h;
    } CASES[] = {
        {"jpeg:50", 40, 30}, {"scale:0.5", 20, 15}, {"scale:0.25", 10, 8}, {"scale:2", 80, 60},
        {"scale:0.01", 1, 1}, {"crop:10", 36, 27}, {"crop:50:0:0", 20, 15}, {"rotate:5", 40, 30},
        {"rotate:-90", 30, 40}, {"rotate:270", 30, 40}, {"rotate:180", 40, 30}, {"flip", 40, 30},
        {"pad:10", 48, 36}, {"letterbox:10", 40, 36}, {"brightness:-40", 40, 30},
        {"contrast:1.5", 40, 30}, {"gamma:0.5", 40, 30}, {"blur:2", 40, 30}, {"noise:10", 40, 30},
        {"overlay:15", 40, 30}, {"crop:5+scale:0.75+jpeg:70", 29, 22},
        {"jpeg:70+scale:0.5+rotate:90", 15, 20}};
    hm_image *imgs[2] = {make_image(40, 30, 3, 3, 1), make_image(40, 30, 1, 4, 1)};
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
            hm_image *o = apply(imgs[m], CASES[i].spec, 1);
            if (o->width != CASES[i].w || o->height != CASES[i].h)
                fprintf(stderr, "%s: %ux%u\n", CASES[i].spec, o->width, o->height);
            CU_ASSERT_EQUAL(o->width, CASES[i].w);
            CU_ASSERT_EQUAL(o->height, CASES[i].h);
            CU_ASSERT_EQUAL(o->channels, imgs[m]->channels);
            hm_image_free(o);
        }
    hm_image_free(imgs[0]);
    hm_image_free(imgs[1]);
}

static void test_resample_and_blur(void)
{
    /* a constant image stays constant through normalised filters */
    uint8_t flat[24 * 16 * 3];
    memset(flat, 77, sizeof flat);
    hm_image *img;
    CU_ASSERT_FATAL(hm_image_from_pixels(24, 16, 3, flat, 72, &img) == HM_OK);
    static const char *const SPECS[] = {"scale:0.3", "scale:2.5", "blur:2.5", "rotate:0.5+crop:20"};
    for (size_t i = 0; i < 4; i++) {
        hm_image *o = apply(img, SPECS[i], 0);
        size_t n = (size_t)o->width * o->height * 3, bad = 0;
        for (size_t j = 0; j < n; j++) bad += o->pixels[j] != 77;
        CU_ASSERT_EQUAL(bad, 0);
        hm_image_free(o);
    }
    hm_image_free(img);
    /* a 1-px checkerboard halved by an antialiased filter becomes mid-grey */
    uint8_t cb[32 * 32];
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) cb[y * 32 + x] = ((x + y) & 1) ? 255 : 0;
    CU_ASSERT_FATAL(hm_image_from_pixels(32, 32, 1, cb, 32, &img) == HM_OK);
    hm_image *h = apply(img, "scale:0.5", 0), *bl = apply(img, "blur:2", 0);
    for (int y = 4; y < 12; y++)
        for (int x = 4; x < 12; x++) CU_ASSERT(abs(h->pixels[y * 16 + x] - 128) <= 3);
    for (int y = 8; y < 24; y++)
        for (int x = 8; x < 24; x++) CU_ASSERT(abs(bl->pixels[y * 32 + x] - 128) <= 2);
    hm_image_free(h);
    hm_image_free(bl);
    hm_image_free(img);
}

static void test_rotation_small_angle(void)
{
    hm_image *img = make_image(61, 41, 3, 6, 1);
    hm_image *r = apply(img, "rotate:3", 0);
    /* the centre barely moves; the corners are filled black */
    size_t mid = ((size_t)20 * 61 + 30) * 3;
    CU_ASSERT(abs(r->pixels[mid] - img->pixels[mid]) <= 12);
    CU_ASSERT_EQUAL(r->pixels[0], 0);
    CU_ASSERT_EQUAL(r->pixels[((size_t)41 * 61 - 1) * 3], 0);
    hm_image *back = apply(r, "rotate:-3", 0);
    /* rotating back restores the interior closely (two bilinear passes) */
    double se = 0;
    int n = 0;
    for (int y = 10; y < 31; y++)
        for (int x = 15; x < 46; x++, n++) {
            double d = back->pixels[((size_t)y * 61 + x) * 3] - img->pixels[((size_t)y * 61 + x) * 3];
            se += d * d;
        }
    CU_ASSERT(sqrt(se / n) < 4.0);
    hm_image_free(back);
    hm_image_free(r);
    hm_image_free(img);
}

static void test_noise_and_seed(void)
{
    uint8_t grey[64 * 64];
    memset(grey, 128, sizeof grey);
    hm_image *img;
    CU_ASSERT_FATAL(hm_image_from_pixels(64, 64, 1, grey, 64, &img) == HM_OK);
    hm_image *a = apply(img, "noise:10", 42), *b = apply(img, "noise:10", 42),
             *c = apply(img, "noise:10", 43);
    CU_ASSERT(same_pixels(a, b));
    CU_ASSERT(!same_pixels(a, c));
    double sum = 0, sq = 0;
    for (int i = 0; i < 64 * 64; i++) {
        double d = a->pixels[i] - 128.0;
        sum += d;
        sq += d * d;
    }
    double mean = sum / 4096, sd = sqrt(sq / 4096 - mean * mean);
    CU_ASSERT(fabs(mean) < 0.6);
    CU_ASSERT(fabs(sd - 10.0) < 0.5);
    hm_image *o1 = apply(img, "overlay:10", 7), *o2 = apply(img, "overlay:10", 7),
             *o3 = apply(img, "overlay:10", 8);
    CU_ASSERT(same_pixels(o1, o2));
    CU_ASSERT(!same_pixels(o1, o3));
    size_t painted = 0;
    for (int i = 0; i < 64 * 64; i++) painted += o1->pixels[i] == 255;
    CU_ASSERT(painted >= 400 && painted <= 420); /* 10% of 4096, rounded to a 20x20 block */
    hm_image *all[] = {img, a, b, c, o1, o2, o3};
    for (size_t i = 0; i < 7; i++) hm_image_free(all[i]);
}

static void test_jpeg_round_trip(void)
{
    hm_image *img = make_image(64, 48, 3, 7, 1);
    uint8_t *data;
    size_t size;
    CU_ASSERT_EQUAL_FATAL(hm__jpeg_encode(img, 90, &data, &size, NULL), HM_OK);
    CU_ASSERT(size > 100 && data[0] == 0xff && data[1] == 0xd8 && data[size - 1] == 0xd9);
    free(data);
    hm_image *q100 = apply(img, "jpeg:100", 0), *q30 = apply(img, "jpeg:30", 0);
    double p100 = psnr(img, q100), p30 = psnr(img, q30);
    CU_ASSERT(p100 > 40.0);
    CU_ASSERT(p30 > 25.0 && p30 < p100);
    CU_ASSERT_EQUAL(hm_image_source_format(q100), HM_FORMAT_JPEG);
    hm_image *grey = make_image(33, 17, 1, 8, 1), *gq = apply(grey, "jpeg:95", 0);
    CU_ASSERT_EQUAL(gq->channels, 1);
    CU_ASSERT(psnr(grey, gq) > 35.0);
    hm_image *all[] = {img, q100, q30, grey, gq};
    for (size_t i = 0; i < 5; i++) hm_image_free(all[i]);
}

static void test_parse_and_format(void)
{
    hm_transform t;
    char buf[128];
    CU_ASSERT_EQUAL(hm_transform_parse("crop:10:0:0+jpeg:50+flip", &t, NULL), HM_OK);
    CU_ASSERT_EQUAL(t.count, 3);
    CU_ASSERT_EQUAL(t.steps[0].kind, HM_TRANSFORM_CROP);
    CU_ASSERT_EQUAL(t.steps[0].param[1], 0.0);
    CU_ASSERT(isnan(t.steps[1].param[1]));
    CU_ASSERT_EQUAL(hm_transform_format(&t, 0, buf, sizeof buf), strlen("crop:10:0:0+jpeg:50+flip"));
    CU_ASSERT_STRING_EQUAL(buf, "crop:10:0:0+jpeg:50+flip");
    hm_transform_format(&t, 1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "crop+jpeg+flip");
    hm_transform_format_params(&t, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "10:0:0+50+");
    CU_ASSERT_EQUAL(hm_transform_parse("flip+flipv", &t, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_transform_format_params(&t, buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    CU_ASSERT_EQUAL(hm_transform_parse("crop:10:0:0+jpeg:50+flip", &t, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_transform_format(&t, 0, buf, 5), 24); /* truncated, full length returned */
    CU_ASSERT_STRING_EQUAL(buf, "crop");

    hm_transform list[64];
    size_t n;
    CU_ASSERT_EQUAL(hm_transform_parse_list("standard", list, 64, &n, NULL), HM_OK);
    CU_ASSERT_EQUAL(n, 33);
    CU_ASSERT_EQUAL(hm_transform_parse_list("flip,standard,jpeg:10", list, 64, &n, NULL), HM_OK);
    CU_ASSERT_EQUAL(n, 35);
    CU_ASSERT_EQUAL(list[34].steps[0].kind, HM_TRANSFORM_JPEG);
    CU_ASSERT_EQUAL(hm_transform_parse_list("standard", list, 10, &n, NULL), HM_E_LIMIT);
    CU_ASSERT_EQUAL(n, 0);

    static const struct {
        const char *spec;
        hm_status st;
    } BAD[] = {
        {"", HM_E_PARSE}, {"sharpen:2", HM_E_PARSE}, {"jpeg", HM_E_INVALID_ARGUMENT},
        {"jpeg:101", HM_E_INVALID_ARGUMENT}, {"jpeg:0", HM_E_INVALID_ARGUMENT},
        {"jpeg:50.5", HM_E_INVALID_ARGUMENT}, {"crop:10:0", HM_E_INVALID_ARGUMENT},
        {"crop:100", HM_E_INVALID_ARGUMENT}, {"scale:abc", HM_E_PARSE}, {"scale:0", HM_E_INVALID_ARGUMENT},
        {"jpeg:50+", HM_E_PARSE}, {"+flip", HM_E_PARSE}, {"flip:1", HM_E_INVALID_ARGUMENT},
        {"rotate:nan", HM_E_PARSE}, {"rotate:inf", HM_E_PARSE}, {"flip,flip", HM_E_PARSE},
        {"blur:1x", HM_E_PARSE}, {"overlay:5:1:1:1:1", HM_E_INVALID_ARGUMENT},
        {"brightness:256", HM_E_INVALID_ARGUMENT}, {"Flip", HM_E_PARSE},
        {"flip+flip+flip+flip+flip+flip+flip+flip+flip", HM_E_INVALID_ARGUMENT}};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        hm_error e;
        hm_status st = hm_transform_parse(BAD[i].spec, &t, &e);
        if (st != BAD[i].st) fprintf(stderr, "'%s' gave %s\n", BAD[i].spec, hm_status_name(st));
        CU_ASSERT_EQUAL(st, BAD[i].st);
        CU_ASSERT_EQUAL(e.status, BAD[i].st);
        CU_ASSERT(e.message[0] != '\0');
        CU_ASSERT_EQUAL(t.count, 0);
    }
    CU_ASSERT_EQUAL(hm_transform_parse_list("flip,,jpeg:5", list, 64, &n, NULL), HM_E_PARSE);
}

static void test_bad_calls(void)
{
    hm_image *img = make_image(8, 8, 3, 9, 0), *out = (hm_image *)1;
    hm_transform t;
    memset(&t, 0, sizeof t);
    CU_ASSERT_EQUAL(hm_image_transform(img, &t, 0, &out, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(out);
    t.count = 1;
    t.steps[0].kind = (hm_transform_kind)99;
    CU_ASSERT_EQUAL(hm_image_transform(img, &t, 0, &out, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_transform_parse("jpeg:50", &t, NULL), HM_OK);
    t.steps[0].param[0] = 500; /* a hand-built step is validated like parsed text */
    CU_ASSERT_EQUAL(hm_image_transform(img, &t, 0, &out, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_transform(NULL, &t, 0, &out, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_transform(img, NULL, 0, &out, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_image_transform(img, &t, 0, NULL, NULL), HM_E_INVALID_ARGUMENT);
    /* padding that would exceed a side of 1e6 pixels is refused */
    hm_image *wide;
    uint8_t *row = calloc(600000, 1);
    CU_ASSERT_FATAL(hm_image_from_pixels(600000, 1, 1, row, 600000, &wide) == HM_OK);
    CU_ASSERT_EQUAL(hm_transform_parse("pad:100", &t, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_image_transform(wide, &t, 0, &out, NULL), HM_E_IMAGE_DIMENSIONS);
    free(row);
    hm_image_free(wide);
    /* growth is bounded: 8x8 scaled by 16 three times would be 32768^2 pixels */
    CU_ASSERT_EQUAL(hm_transform_parse("scale:16+scale:16+scale:16", &t, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_image_transform(img, &t, 0, &out, NULL), HM_E_IMAGE_TOO_LARGE);
    CU_ASSERT_PTR_NULL(out);
    hm_image_free(img);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"identities (crop 0, rot90 x4, flip x2, brightness 0, ...)", test_identities},
        {"exact pixel mappings", test_exact_mappings},
        {"output dimensions of every edit", test_dimensions},
        {"resampling and blur preserve flat images, antialias", test_resample_and_blur},
        {"small-angle rotation", test_rotation_small_angle},
        {"seeded noise and overlay", test_noise_and_seed},
        {"JPEG re-encoding", test_jpeg_round_trip},
        {"spec parsing and formatting", test_parse_and_format},
        {"bad calls", test_bad_calls},
        {NULL, NULL}};
    tu_add_suite("transform", tests);
    return tu_run("test_transform");
}
