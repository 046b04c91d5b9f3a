/* test_hasher.c - hm_hasher against the stateless functions: the same
 * hashes for every option, for images of growing and shrinking sizes through
 * one hasher (its kept buffers are reused and regrown, never stale), from a
 * decoded image, a buffer and a file; and the scanner's _with calls against
 * the plain ones. */
#include <stdlib.h>
#include <string.h>

#include "set_fixture.h"

static const char *const FILES[] = {"threatexchange/q0122.jpg", "cli/disc.png",
                                    "threatexchange/bg.jpg", "cli/tiny.png",
                                    "threatexchange/wee.jpg", "cli/stripes.png"};

/* An RGB image of w x h with smooth shapes and a fixed-seed noise. */
static hm_image *synthetic(uint32_t w, uint32_t h, uint64_t seed)
{
    uint8_t *px = malloc((size_t)w * h * 3);
    tu_rng r;
    tu_rng_seed(&r, seed);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + 3 * ((size_t)y * w + x);
            unsigned n = (unsigned)(tu_rng_next(&r) & 15);
            p[0] = (uint8_t)(x * 255 / w + n);
            p[1] = (uint8_t)(((x / 37 + y / 29) % 2 ? 190 : 50) + n);
            p[2] = (uint8_t)((y * 255 / h) ^ (x >> 3));
        }
    hm_image *img = NULL;
    CU_ASSERT_EQUAL(hm_image_from_pixels(w, h, 3, px, (size_t)w * 3, &img), HM_OK);
    free(px);
    return img;
}

static void options(int k, hm_hash_options *o)
{
    memset(o, 0, sizeof *o);
    static const uint32_t ALGOS[] = {0, HM_MASK(HM_ALGO_PDQ), HM_MASK(HM_ALGO_WHASH),
                                     HM_MASK_PERCEPTUAL & ~HM_MASK(HM_ALGO_PDQ)};
    o->algos = ALGOS[k % 4];
    o->pdq_dihedral = k % 3 == 1;
    o->pdq_mode = k % 5 == 2 ? HM_PDQ_CLI512 : HM_PDQ_FULLRES;
}

/* Images of sizes that grow and shrink, every option, through one hasher. */
static void test_images_equal_stateless(void)
{
    static const uint32_t SIZES[][2] = {{64, 48}, {1200, 900}, {7, 5}, {640, 2000}, {300, 300}};
    hm_hasher *h;
    CU_ASSERT_EQUAL_FATAL(hm_hasher_new(&h), HM_OK);
    CU_ASSERT_EQUAL(hm_hasher_memory(h), 0);
    for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++) {
        hm_image *img = synthetic(SIZES[i][0], SIZES[i][1], i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        for (int k = 0; k < 12; k++) {
            hm_hash_options o;
            options(k, &o);
            hm_hashes a, b;
            CU_ASSERT_EQUAL(hm_hash_image(img, &o, &a, NULL), HM_OK);
            memset(&b, 0xee, sizeof b); /* stale bytes must not survive */
            CU_ASSERT_EQUAL(hm_hasher_hash_image(h, img, &o, &b, NULL), HM_OK);
            CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
        }
        hm_image_free(img);
    }
    CU_ASSERT(hm_hasher_memory(h) > 0);
    hm_hasher_free(h);
    hm_hasher_free(NULL);
}

static void test_files_and_buffers(void)
{
    hm_hasher *h;
    CU_ASSERT_EQUAL_FATAL(hm_hasher_new(&h), HM_OK);
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char *path = tu_path(tu_data_dir(), FILES[i]);
        size_t size;
        uint8_t *bytes = tu_read(path, &size);
        for (int k = 0; k < 6; k++) {
            hm_hash_options o;
            options(k, &o);
            if (k == 0) o.algos = HM_MASK_ALL;
            hm_hashes a, b, c;
            hm_error e1, e2, e3;
            hm_status s1 = hm_hash_file(path, &o, &a, &e1);
            CU_ASSERT_EQUAL(hm_hasher_hash_file(h, path, &o, &b, &e2), s1);
            CU_ASSERT_EQUAL(hm_hasher_hash_buffer(h, bytes, size, &o, &c, &e3), s1);
            CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
            CU_ASSERT_EQUAL(memcmp(&a, &c, sizeof a), 0);
        }
        free(bytes);
        free(path);
    }
    /* Errors as the stateless functions give them. */
    hm_hashes x;
    hm_error e;
    CU_ASSERT_EQUAL(hm_hasher_hash_file(h, "/nonexistent/file.jpg", NULL, &x, &e), HM_E_IO);
    static const uint8_t junk[] = "no image here";
    CU_ASSERT_EQUAL(hm_hasher_hash_buffer(h, junk, sizeof junk, NULL, &x, &e), HM_E_IMAGE_FORMAT);
    CU_ASSERT_EQUAL(hm_hasher_hash_image(NULL, NULL, NULL, &x, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_hasher_new(NULL), HM_E_INVALID_ARGUMENT);
    hm_hasher_free(h);
}

/* The scanner's _with calls give the reports of the plain calls. */
static void test_scanner_with(void)
{
    size_t size;
    uint8_t *file = tf_small_signed(&size);
    hm_set_open_options oo = tf_options();
    hm_set *set;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(file, size, &oo, &set, NULL), HM_OK);
    hm_scanner *s;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, NULL, &s, NULL), HM_OK);
    hm_hasher *h;
    CU_ASSERT_EQUAL_FATAL(hm_hasher_new(&h), HM_OK);
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char *path = tu_path(tu_data_dir(), FILES[i]);
        size_t n;
        uint8_t *bytes = tu_read(path, &n);
        hm_image *img = NULL;
        CU_ASSERT_EQUAL_FATAL(hm_image_decode(bytes, n, NULL, &img, NULL), HM_OK);
        hm_report *r[6] = {NULL};
        CU_ASSERT_EQUAL(hm_scanner_scan_file(s, path, &r[0], NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_scanner_scan_file_with(s, h, path, &r[1], NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_scanner_scan_buffer_with(s, h, bytes, n, &r[2], NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_scanner_scan_buffer_with(s, NULL, bytes, n, &r[3], NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_scanner_scan_image(s, img, &r[4], NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_scanner_scan_image_with(s, h, img, &r[5], NULL), HM_OK);
        for (int k = 1; k < 6; k++) {
            const hm_report *ref = k < 4 ? r[0] : r[4];
            CU_ASSERT_EQUAL(memcmp(hm_report_hashes(r[k]), hm_report_hashes(ref), sizeof(hm_hashes)), 0);
            CU_ASSERT_EQUAL(hm_report_match_count(r[k]), hm_report_match_count(ref));
        }
        for (int k = 0; k < 6; k++) hm_report_free(r[k]);
        hm_image_free(img);
        free(bytes);
        free(path);
    }
    hm_report *r = (hm_report *)1;
    CU_ASSERT_EQUAL(hm_scanner_scan_image_with(s, h, NULL, &r, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(r);
    hm_hasher_free(h);
    hm_scanner_free(s);
    hm_set_free(set);
    hm_buffer_free(file);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"images of every size and option equal the stateless hashes", test_images_equal_stateless},
        {"files and buffers equal the stateless hashes", test_files_and_buffers},
        {"scanner calls with a hasher equal the plain ones", test_scanner_with},
        {NULL, NULL}};
    tu_add_suite("hasher", tests);
    return tu_run("test_hasher");
}
