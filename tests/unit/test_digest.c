/* test_digest.c - MD5/SHA-1/SHA-256 against published test vectors (RFC 1321
 * appendix A.5; FIPS 180 examples: "abc", the 448-bit message, one million
 * 'a'; the empty message), through hm__digests and the public hm_hash_*. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/hash_internal.h"
#include "testutil.h"

typedef struct vector {
    hm_algo algo;
    const char *message; /* NULL: one million 'a' */
    const char *hex;
} vector;

static const char MSG448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static const vector VECTORS[] = {
    /* RFC 1321, A.5 */
    {HM_ALGO_MD5, "", "d41d8cd98f00b204e9800998ecf8427e"},
    {HM_ALGO_MD5, "a", "0cc175b9c0f1b6a831c399e269772661"},
    {HM_ALGO_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
    {HM_ALGO_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {HM_ALGO_MD5, "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {HM_ALGO_MD5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {HM_ALGO_MD5,
     "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
    /* FIPS 180 */
    {HM_ALGO_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {HM_ALGO_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {HM_ALGO_SHA1, MSG448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {HM_ALGO_SHA1, NULL, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
    {HM_ALGO_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {HM_ALGO_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {HM_ALGO_SHA256, MSG448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {HM_ALGO_SHA256, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static uint8_t *million_a(void)
{
    uint8_t *m = malloc(1000000);
    CU_ASSERT_FATAL(m != NULL);
    memset(m, 'a', 1000000);
    return m;
}

static void check_hex(const hm_hashes *h, hm_algo algo, const char *want)
{
    size_t n;
    const uint8_t *bytes = hm_hashes_get(h, algo, &n);
    char got[HM_MAX_HEX_SIZE];
    CU_ASSERT_FATAL(bytes != NULL);
    CU_ASSERT_EQUAL(n * 2, strlen(want));
    hm_hex_encode(bytes, n, got);
    CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_published_vectors(void)
{
    uint8_t *big = million_a();
    for (size_t i = 0; i < HM_ARRAY_SIZE(VECTORS); i++) {
        const vector *v = &VECTORS[i];
        const uint8_t *data = v->message ? (const uint8_t *)v->message : big;
        size_t size = v->message ? strlen(v->message) : 1000000;
        hm_hashes h;
        memset(&h, 0, sizeof h);
        hm_error err;
        CU_ASSERT_EQUAL(hm__digests(data, size, HM_MASK(v->algo), &h, &err), HM_OK);
        CU_ASSERT_EQUAL(err.status, HM_OK);
        CU_ASSERT_EQUAL(h.algos, HM_MASK(v->algo));
        check_hex(&h, v->algo, v->hex);
    }
    free(big);
}

/* All three at once over the same bytes; a NULL pointer is fine for empty input. */
static void test_all_at_once(void)
{
    hm_hashes h;
    memset(&h, 0, sizeof h);
    CU_ASSERT_EQUAL(hm__digests(NULL, 0, HM_MASK_DIGESTS, &h, NULL), HM_OK);
    check_hex(&h, HM_ALGO_MD5, "d41d8cd98f00b204e9800998ecf8427e");
    check_hex(&h, HM_ALGO_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    check_hex(&h, HM_ALGO_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    memset(&h, 0, sizeof h);
    CU_ASSERT_EQUAL(hm__digests((const uint8_t *)MSG448, strlen(MSG448), HM_MASK_DIGESTS, &h, NULL), HM_OK);
    CU_ASSERT_EQUAL(h.algos, HM_MASK_DIGESTS);
    check_hex(&h, HM_ALGO_SHA1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    check_hex(&h, HM_ALGO_SHA256, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* Only the requested digests are touched. */
    memset(&h, 0, sizeof h);
    CU_ASSERT_EQUAL(hm__digests((const uint8_t *)"abc", 3, HM_MASK(HM_ALGO_SHA1), &h, NULL), HM_OK);
    static const uint8_t zero[32];
    CU_ASSERT(memcmp(h.md5, zero, sizeof h.md5) == 0);
    CU_ASSERT(memcmp(h.sha256, zero, sizeof h.sha256) == 0);
}

/* The public path: digests only means no decode, so any bytes work, from
 * memory or from a file. */
static void test_public_api(void)
{
    uint8_t *big = million_a();
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK_DIGESTS;
    hm_hashes h;
    hm_error err;
    CU_ASSERT_EQUAL(hm_hash_buffer(big, 1000000, &opt, &h, &err), HM_OK);
    CU_ASSERT_EQUAL(h.algos, HM_MASK_DIGESTS);
    check_hex(&h, HM_ALGO_MD5, "7707d6ae4e027c70eea2a935c2296f21");
    check_hex(&h, HM_ALGO_SHA1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    check_hex(&h, HM_ALGO_SHA256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    char *path = tu_path(tu_tmp_dir(), "million-a.bin");
    CU_ASSERT_FATAL(tu_write(path, big, 1000000) == 0);
    hm_hashes f;
    CU_ASSERT_EQUAL(hm_hash_file(path, &opt, &f, &err), HM_OK);
    CU_ASSERT(memcmp(&f, &h, sizeof h) == 0);
    remove(path);
    free(path);

    /* Zero-length file: digests of the empty message. */
    path = tu_path(tu_tmp_dir(), "empty.bin");
    CU_ASSERT_FATAL(tu_write(path, "", 0) == 0);
    CU_ASSERT_EQUAL(hm_hash_file(path, &opt, &f, &err), HM_OK);
    check_hex(&f, HM_ALGO_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    remove(path);
    free(path);
    free(big);
}

static void test_bad_arguments(void)
{
    hm_hashes h;
    hm_error err;
    CU_ASSERT_EQUAL(hm__digests(NULL, 5, HM_MASK_DIGESTS, &h, &err), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(err.status, HM_E_INVALID_ARGUMENT);
    CU_ASSERT(err.message[0] != '\0');
    CU_ASSERT_EQUAL(hm_hash_buffer(NULL, 5, NULL, &h, &err), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_hash_file("/nonexistent/file", NULL, &h, &err), HM_E_IO);
    CU_ASSERT_EQUAL(err.status, HM_E_IO);
}

/* A failing OpenSSL gives HM_E_CRYPTO with OpenSSL's own reason, leaves
 * OpenSSL's error queue empty and prints nothing. Requiring FIPS
 * implementations of the default library context makes MD5 unavailable
 * (no FIPS provider is loaded). */
static void test_crypto_failure(void)
{
    if (!EVP_default_properties_enable_fips(NULL, 1)) {
        CU_FAIL("cannot require FIPS properties");
        return;
    }
    hm_hashes h;
    memset(&h, 0, sizeof h);
    hm_error err;
    tu_stderr_begin();
    hm_status st = hm__digests((const uint8_t *)"abc", 3, HM_MASK(HM_ALGO_MD5), &h, &err);
    long printed = tu_stderr_end();
    EVP_default_properties_enable_fips(NULL, 0);
    CU_ASSERT_EQUAL(st, HM_E_CRYPTO);
    CU_ASSERT_EQUAL(err.status, HM_E_CRYPTO);
    CU_ASSERT(strstr(err.message, "MD5") != NULL);
    CU_ASSERT(strlen(err.message) > 20); /* "MD5 init failed: error:..." */
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    CU_ASSERT_EQUAL(printed, 0);
    /* and everything works again afterwards */
    CU_ASSERT_EQUAL(hm__digests((const uint8_t *)"abc", 3, HM_MASK(HM_ALGO_MD5), &h, &err), HM_OK);
    check_hex(&h, HM_ALGO_MD5, "900150983cd24fb0d6963f7d28e17f72");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {{"published vectors", test_published_vectors},
                                    {"all digests in one call", test_all_at_once},
                                    {"hm_hash_buffer and hm_hash_file", test_public_api},
                                    {"bad arguments", test_bad_arguments},
                                    {"OpenSSL failure reported, not printed", test_crypto_failure},
                                    {NULL, NULL}};
    tu_add_suite("digest", tests);
    return tu_run("test_digest");
}
