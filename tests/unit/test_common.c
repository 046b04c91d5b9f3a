/* test_common.c - status codes, algorithm names, hex, Hamming distance and
 * large allocations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "testutil.h"

static void test_version(void)
{
    CU_ASSERT_STRING_EQUAL(hm_version(), HM_VERSION_STRING);
    CU_ASSERT_EQUAL(hm_version_number(), HM_VERSION_NUMBER);
}

static void test_status_names_unique(void)
{
    /* Every code in 0..127 that has a name has a distinct one, and an
     * unknown code says so. */
    const char *names[128];
    int n = 0;
    for (int s = 0; s < 128; s++) {
        const char *name = hm_status_name((hm_status)s);
        if (!strcmp(name, "unknown")) {
            CU_ASSERT_STRING_EQUAL(hm_strerror((hm_status)s), "unknown status");
            continue;
        }
        for (int i = 0; i < n; i++) CU_ASSERT_STRING_NOT_EQUAL(names[i], name);
        names[n++] = name;
    }
    CU_ASSERT(n >= 30);
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_E_IMAGE_TRUNCATED), "image_truncated");
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_E_SET_ROLLBACK), "set_rollback");
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_OK), "ok");
}

static void test_error_fill(void)
{
    hm_error e;
    CU_ASSERT_EQUAL(hm__fail(&e, HM_E_IO, "x=%d", 42), HM_E_IO);
    CU_ASSERT_EQUAL(e.status, HM_E_IO);
    CU_ASSERT_STRING_EQUAL(e.message, "x=42");
    CU_ASSERT_EQUAL(hm__fail(&e, HM_E_PARSE, NULL), HM_E_PARSE);
    CU_ASSERT_STRING_EQUAL(e.message, "malformed text");
    CU_ASSERT_EQUAL(hm__fail(NULL, HM_E_LIMIT, "ignored"), HM_E_LIMIT);
    char longmsg[600];
    memset(longmsg, 'a', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    hm__fail(&e, HM_E_IO, "%s", longmsg);
    CU_ASSERT_EQUAL(strlen(e.message), HM_ERROR_MESSAGE_SIZE - 1);
}

static void test_algo_names(void)
{
    static const char *const NAMES[] = {"pdq", "ahash", "dhash", "phash", "whash",
                                        "md5", "sha1", "sha256", "vpdq"};
    static const size_t SIZES[] = {32, 8, 8, 8, 8, 16, 20, 32, 32};
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        CU_ASSERT_STRING_EQUAL(hm_algo_name((hm_algo)a), NAMES[a - 1]);
        CU_ASSERT_EQUAL(hm_algo_hash_size((hm_algo)a), SIZES[a - 1]);
        hm_algo back;
        CU_ASSERT_EQUAL(hm_algo_from_name(NAMES[a - 1], &back), HM_OK);
        CU_ASSERT_EQUAL((int)back, a);
        CU_ASSERT_EQUAL(hm_algo_is_perceptual((hm_algo)a), a <= 5 || a == HM_ALGO_VPDQ);
    }
    CU_ASSERT_PTR_NULL(hm_algo_name((hm_algo)0));
    CU_ASSERT_PTR_NULL(hm_algo_name((hm_algo)10));
    hm_algo a;
    CU_ASSERT_EQUAL(hm_algo_from_name("PDQ", &a), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_algo_from_name("", &a), HM_E_PARSE);
}

static void test_algo_mask(void)
{
    uint32_t m;
    CU_ASSERT_EQUAL(hm_algo_mask_parse("pdq,md5", &m), HM_OK);
    CU_ASSERT_EQUAL(m, HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_MD5));
    /* "all" includes vPDQ; images ignore it (HM_MASK_ALL is what they use) */
    CU_ASSERT_EQUAL(hm_algo_mask_parse("all", &m), HM_OK);
    CU_ASSERT_EQUAL(m, HM_MASK_EVERY);
    CU_ASSERT_EQUAL(m & ~HM_MASK(HM_ALGO_VPDQ), HM_MASK_ALL);
    CU_ASSERT_EQUAL(hm_algo_mask_parse("ahash,dhash,phash,whash", &m), HM_OK);
    CU_ASSERT_EQUAL(m, HM_MASK_PERCEPTUAL & ~HM_MASK(HM_ALGO_PDQ));
    CU_ASSERT_EQUAL(hm_algo_mask_parse("", &m), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_algo_mask_parse("pdq,", &m), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_algo_mask_parse("pdq,,md5", &m), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_algo_mask_parse("pdqx", &m), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_algo_mask_parse("md", &m), HM_E_PARSE);
}

static void test_hex(void)
{
    const uint8_t bytes[4] = {0x00, 0x9f, 0xa0, 0xff};
    char hex[9];
    hm_hex_encode(bytes, 4, hex);
    CU_ASSERT_STRING_EQUAL(hex, "009fa0ff");
    uint8_t back[4];
    CU_ASSERT_EQUAL(hm_hex_decode("009FA0ff", back, 4), HM_OK);
    CU_ASSERT_EQUAL(memcmp(back, bytes, 4), 0);
    CU_ASSERT_EQUAL(hm_hex_decode("009fa0f", back, 4), HM_E_PARSE);   /* short */
    CU_ASSERT_EQUAL(hm_hex_decode("009fa0ff0", back, 4), HM_E_PARSE); /* long */
    CU_ASSERT_EQUAL(hm_hex_decode("009fa0fg", back, 4), HM_E_PARSE);  /* bad digit */
    CU_ASSERT_EQUAL(hm_hex_decode(" 09fa0ff", back, 4), HM_E_PARSE);
    CU_ASSERT_EQUAL(hm_hex_decode("", back, 0), HM_OK);
}

static void test_hamming(void)
{
    uint8_t a[32], b[32];
    memset(a, 0, 32);
    memset(b, 0xff, 32);
    CU_ASSERT_EQUAL(hm_hamming(a, b, 32), 256);
    CU_ASSERT_EQUAL(hm_hamming(a, a, 32), 0);
    /* Hand-computed: 0x0f ^ 0xf1 = 0xfe (7 bits), at every offset and length. */
    for (size_t n = 1; n <= 20; n++) {
        memset(a, 0, 32);
        memset(b, 0, 32);
        a[n - 1] = 0x0f;
        b[n - 1] = 0xf1;
        CU_ASSERT_EQUAL(hm_hamming(a, b, n), 7);
    }
    tu_rng r;
    tu_rng_seed(&r, 7);
    for (int t = 0; t < 100; t++) {
        unsigned expect = 0;
        for (int i = 0; i < 32; i++) {
            a[i] = (uint8_t)tu_rng_next(&r);
            b[i] = (uint8_t)tu_rng_next(&r);
            for (int bit = 0; bit < 8; bit++) expect += ((a[i] ^ b[i]) >> bit) & 1;
        }
        CU_ASSERT_EQUAL(hm_hamming(a, b, 32), expect);
    }
}

/* Every size gets 64-byte alignment, sizes from 2 MiB on 2 MiB alignment,
 * the whole size is writable (ASan checks the bounds), and a size that
 * overflows when rounded up is refused. */
static void test_alloc_large(void)
{
    static const size_t SIZES[] = {0, 1, 63, 64, 65, 4096, ((size_t)2 << 20) - 1, (size_t)2 << 20,
                                   ((size_t)2 << 20) + 1, (size_t)5 << 20};
    for (size_t i = 0; i < sizeof SIZES / sizeof *SIZES; i++) {
        size_t n = SIZES[i];
        unsigned char *p = hm__alloc_large(n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        uintptr_t align = n >= ((size_t)2 << 20) ? (uintptr_t)2 << 20 : 64;
        CU_ASSERT_EQUAL((uintptr_t)p % align, 0);
        if (n) {
            memset(p, 0xa5, n);
            CU_ASSERT_EQUAL(p[n - 1], 0xa5);
        }
        free(p);
    }
    CU_ASSERT_PTR_NULL(hm__alloc_large(SIZE_MAX));
    CU_ASSERT_PTR_NULL(hm__alloc_large(SIZE_MAX - ((size_t)1 << 20)));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"version", test_version},
        {"status names unique", test_status_names_unique},
        {"error fill", test_error_fill},
        {"algorithm names", test_algo_names},
        {"algorithm masks", test_algo_mask},
        {"hex", test_hex},
        {"hamming", test_hamming},
        {"large allocations", test_alloc_large},
        {NULL, NULL}};
    tu_add_suite("common", tests);
    return tu_run("test_common");
}
