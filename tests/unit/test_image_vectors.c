/* test_image_vectors.c - decoded pixels equal Pillow's, image by image.
 *
 * ../shared/vectors/imagehash/intermediates.json holds, for each of its
 * images, the SHA-256 of Pillow 9.4's convert('L') of Image.open(path). We
 * decode each file, apply Pillow's luma formula ourselves and compare the
 * digests: equal digests mean equal decoded pixels for every source mode
 * (1, L, LA, P, RGB, RGBA, CMYK JPEG, GIF). The PDQ vector images add real
 * EXIF orientation cases (against ImageOps.exif_transpose) and WebP files. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "testutil.h"
#include "tinyjson.h"

/* Pillow's convert('L'): L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
static uint8_t *pillow_luma(const hm_image *img)
{
    size_t n = (size_t)hm_image_width(img) * hm_image_height(img);
    uint8_t *l = malloc(n ? n : 1);
    if (!l) abort();
    const uint8_t *p = hm_image_pixels(img);
    if (hm_image_channels(img) == 1) {
        memcpy(l, p, n);
        return l;
    }
    for (size_t i = 0; i < n; i++, p += 3)
        l[i] = (uint8_t)((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
    return l;
}

static void sha256_hex(const uint8_t *data, size_t n, char hex[65])
{
    uint8_t md[32];
    unsigned len = 0;
    if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) || len != 32) abort();
    hm_hex_encode(md, 32, hex);
}

static hm_color_model expected_model(const char *mode, const char *format)
{
    if (!strcmp(mode, "1")) return HM_COLOR_BILEVEL;
    if (!strcmp(mode, "L") || !strcmp(mode, "LA")) return HM_COLOR_GRAY;
    if (!strcmp(mode, "P")) return HM_COLOR_PALETTE;
    if (!strcmp(mode, "CMYK")) return HM_COLOR_CMYK;
    (void)format;
    return HM_COLOR_RGB;
}

/* Decodes one vector image and compares its Pillow luma digest. Returns 1
 * when everything matches. */
static int check_one(const char *dir, const char *name, const tj_value *entry)
{
    char *path = tu_path(dir, name);
    hm_image *img = NULL;
    hm_error err;
    hm_status st = hm_image_load(path, NULL, &img, &err);
    free(path);
    if (st != HM_OK) {
        printf("  %s: decode failed: %s\n", name, err.message);
        return 0;
    }
    const char *want = tj_string(tj_get(entry, "L_sha256"));
    const char *mode = tj_string(tj_get(entry, "mode"));
    uint32_t w = (uint32_t)tj_number(tj_at(tj_get(entry, "size"), 0), -1);
    uint32_t h = (uint32_t)tj_number(tj_at(tj_get(entry, "size"), 1), -1);
    uint8_t *l = pillow_luma(img);
    char got[65];
    sha256_hex(l, (size_t)hm_image_width(img) * hm_image_height(img), got);
    int ok = want && mode && hm_image_width(img) == w && hm_image_height(img) == h &&
             !strcmp(got, want) && hm_image_color_model(img) == expected_model(mode, "");
    if (!ok)
        printf("  %s: %ux%u model %d, L_sha256 %s (Pillow %ux%u mode %s: %s)\n", name,
               hm_image_width(img), hm_image_height(img), (int)hm_image_color_model(img), got,
               w, h, mode ? mode : "?", want ? want : "?");
    free(l);
    hm_image_free(img);
    return ok;
}

static void test_pillow_luma_digests(void)
{
    char *dir = tu_path(tu_vectors_dir(), "imagehash");
    char *json = tu_path(dir, "intermediates.json");
    tj_value *root = tj_load(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    size_t total = tj_count(root), equal = 0;
    for (size_t i = 0; i < total; i++)
        equal += (size_t)check_one(dir, root->keys[i], &root->items[i]);
    printf("\n  %zu/%zu L_sha256 equal to Pillow's\n", equal, total);
    CU_ASSERT_EQUAL(total, 62);
    CU_ASSERT_EQUAL(equal, total);
    tj_free(root);
    free(json);
    free(dir);
}

/* SHA-256 of Pillow 9.4's RGB pixels of PDQ vector images (Image.open, and
 * ImageOps.exif_transpose for the oriented digest), computed once with
 * Debian 12's python3-pil over libjpeg-turbo 2.1.5 and libwebp 1.2.4. */
typedef struct pillow_rgb {
    const char *path; /* under vectors/pdq/images/pdq/data/ */
    uint32_t width, height;
    unsigned orientation;
    const char *rgb_sha256;
    const char *oriented_sha256;
} pillow_rgb;

static const pillow_rgb PILLOW_RGB[] = {
    {"misc-images/modes/F.webp", 1600, 1004, 0,
     "d81c23f1fd0d0d6765cc5e39134954d622fa033971b9825d0586218866fdad2d", NULL},
    {"misc-images/modes/HSV.webp", 1600, 1004, 0,
     "279f6e988fa9e60e5b0ed13ea5033f49942da694d8d4142cdb38de88424aa582", NULL},
    {"misc-images/modes/I.webp", 1600, 1004, 0,
     "ad3344be0c11f96661aa4786784b0841699316e01a8e18b595491c1758913275", NULL},
    {"misc-images/modes/LAB.webp", 1600, 1004, 0,
     "d4e125cce1ce2ea688abbe6f23af5d1bd2c1d3f6479d97918f8d3902fba71877", NULL},
    {"misc-images/modes/PA.webp", 1600, 1004, 0,
     "dc00246da6c26d99a12eb038b61a89a3524029017ea991325a1e509643bae4ca", NULL},
    {"reg-test-input/exif-rotn/exif-rotn-1.jpg", 4032, 3024, 1,
     "ddfb296a4c4a8c91a3c54104e5ddffb153a3ea30997f3ef3e3a723be473e4f91",
     "ddfb296a4c4a8c91a3c54104e5ddffb153a3ea30997f3ef3e3a723be473e4f91"},
    {"reg-test-input/exif-rotn/exif-rotn-3.jpg", 4032, 3024, 3,
     "63d79bd60b8ee5e79f13b7b776db7b7e09ad73a5d9ad39523496ca966a8337a2",
     "1a069df507159fd3e78b758532463b7e7219eeca8281278fdd232ff6d0e909d5"},
    {"reg-test-input/exif-rotn/exif-rotn-6.jpg", 4032, 3024, 6,
     "eb128a281fea91473c7a9190860c3a82c0c0abf6161b127d42938c8658e26e10",
     "86b601b7e98beeef8e08d6a4f00c527a7742617940c6e6be918ccc8d44e61e5c"},
    {"reg-test-input/exif-rotn/exif-rotn-8.jpg", 4032, 3024, 8,
     "cb7e14b8b763f5e1a336dc72bc3933c4ca48e0d83e12b877c72fd9e31f4e0a4e",
     "fb649f89d538ef345bea6f2c48e8f17f86ceed36c610a7f6f238e61f038fe2bc"},
};

static int rgb_digest_is(const hm_image *img, const char *want)
{
    CU_ASSERT_EQUAL_FATAL(hm_image_channels(img), 3);
    char got[65];
    sha256_hex(hm_image_pixels(img), (size_t)hm_image_width(img) * hm_image_height(img) * 3, got);
    return !strcmp(got, want);
}

static void test_pillow_rgb_digests(void)
{
    char *dir = tu_path(tu_vectors_dir(), "pdq/images/pdq/data");
    for (size_t i = 0; i < sizeof PILLOW_RGB / sizeof PILLOW_RGB[0]; i++) {
        const pillow_rgb *t = &PILLOW_RGB[i];
        char *path = tu_path(dir, t->path);
        hm_decode_options opt = {0};
        for (int orient = 0; orient <= (t->oriented_sha256 != NULL); orient++) {
            opt.apply_exif_orientation = orient;
            hm_image *img = NULL;
            hm_error err;
            hm_status st = hm_image_load(path, &opt, &img, &err);
            if (st != HM_OK) printf("\n  %s: %s", t->path, err.message);
            CU_ASSERT_EQUAL_FATAL(st, HM_OK);
            int swap = orient && t->orientation >= 5;
            CU_ASSERT_EQUAL(hm_image_width(img), swap ? t->height : t->width);
            CU_ASSERT_EQUAL(hm_image_height(img), swap ? t->width : t->height);
            CU_ASSERT_EQUAL(hm_image_exif_orientation(img), t->orientation);
            int ok = rgb_digest_is(img, orient ? t->oriented_sha256 : t->rgb_sha256);
            if (!ok) printf("\n  %s (orientation %s): pixels differ", t->path, orient ? "applied" : "ignored");
            CU_ASSERT(ok);
            hm_image_free(img);
        }
        free(path);
    }
    free(dir);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    if (!tu_vectors_dir()) {
        printf("test_image_vectors: no reference vectors (../shared/vectors): nothing to check\n");
        CU_cleanup_registry();
        return 0;
    }
    static const tu_test VECTOR_TESTS[] = {
        {"pillow_luma_digests", test_pillow_luma_digests},
        {"pillow_rgb_digests_webp_exif", test_pillow_rgb_digests},
        {NULL, NULL},
    };
    tu_add_suite("image_vectors", VECTOR_TESTS);
    return tu_run("test_image_vectors");
}
