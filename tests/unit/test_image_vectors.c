/* test_image_vectors.c - decoded pixels equal Pillow's, image by image.
 *
 * ../shared/vectors/imagehash/intermediates.json holds, for each of its
 * images, the SHA-256 of Pillow 9.4's convert('L') of Image.open(path). We
 * decode each file, apply Pillow's luma formula ourselves and compare the
 * digests: equal digests mean equal decoded pixels for every source mode
 * (1, L, LA, P, RGB, RGBA, CMYK JPEG, GIF). The PDQ vector images add real
 * EXIF orientation cases and WebP files. */
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
        {NULL, NULL},
    };
    tu_add_suite("image_vectors", VECTOR_TESTS);
    return tu_run("test_image_vectors");
}
