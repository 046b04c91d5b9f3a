/* test_set_trust.c - keys and signatures (RFC 8032 vectors), k-of-n trust,
 * unknown and duplicate keys, rollback, expiry, attester policy, files and
 * private copies. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "set_fixture.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
    CU_ASSERT_EQUAL_FATAL(hm_hex_decode(s, out, n), HM_OK);
}

/* ---- Ed25519 against RFC 8032 section 7.1 ---- */

static void test_rfc8032_vectors(void)
{
    static const struct {
        const char *secret, *pub, *msg, *sig;
    } V[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
         "701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
         "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7"
         "60984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };
    for (size_t i = 0; i < 3; i++) {
        uint8_t sk[32], pk[32], pk2[32], msg[2], sig[64], sig2[64];
        size_t ml = strlen(V[i].msg) / 2;
        unhex(V[i].secret, sk, 32);
        unhex(V[i].pub, pk, 32);
        unhex(V[i].sig, sig, 64);
        if (ml) unhex(V[i].msg, msg, ml);
        CU_ASSERT_EQUAL(hm_key_public(sk, pk2, NULL), HM_OK);
        CU_ASSERT_EQUAL(memcmp(pk, pk2, 32), 0);
        CU_ASSERT_EQUAL(hm__ed25519_sign(sk, msg, ml, sig2, NULL), HM_OK);
        CU_ASSERT_EQUAL(memcmp(sig, sig2, 64), 0);
        int valid = 0;
        CU_ASSERT_EQUAL(hm__ed25519_verify(pk, msg, ml, sig, &valid, NULL), HM_OK);
        CU_ASSERT_EQUAL(valid, 1);
        sig[63] ^= 0x10;
        CU_ASSERT_EQUAL(hm__ed25519_verify(pk, msg, ml, sig, &valid, NULL), HM_OK);
        CU_ASSERT_EQUAL(valid, 0);
    }
}

static void test_key_id_and_generate(void)
{
    uint8_t pk[32], id[32], want[32];
    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, 32);
    unhex("21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9", want, 32);
    CU_ASSERT_EQUAL(hm_key_id(pk, id, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(id, want, 32), 0);
    uint8_t p1[32], s1[32], p2[32], s2[32], back[32];
    CU_ASSERT_EQUAL(hm_key_generate(p1, s1, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_key_generate(p2, s2, NULL), HM_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(s1, s2, 32), 0);
    CU_ASSERT_EQUAL(hm_key_public(s1, back, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(back, p1, 32), 0);
    CU_ASSERT_EQUAL(hm_key_id(NULL, id, NULL), HM_E_INVALID_ARGUMENT);
}

/* ---- k of n ---- */

static uint8_t *signed_by(const int *keys, size_t n, size_t *size)
{
    uint8_t *d = tf_small_set(size);
    return tf_sign(d, size, keys, n);
}

static hm_status open_with(const uint8_t *d, size_t size, hm_trust t, hm_error *e, hm_set **out)
{
    hm_set_open_options o = tf_options();
    o.trust = t;
    hm_set *s = NULL;
    hm_status st = hm_set_open(d, size, &o, &s, e);
    if (out) *out = s;
    else hm_set_free(s);
    return st;
}

static void test_threshold(void)
{
    static const int K0[] = {0}, K01[] = {0, 1}, K210[] = {2, 1, 0}, K05[] = {0, 5},
                     K015[] = {0, 1, 5};
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_set(&n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "0 valid signatures"));
    hm_buffer_free(d);
    d = signed_by(K0, 1, &n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "1 valid signature by trusted keys, the threshold is 2"));
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_OK);
    hm_buffer_free(d);
    d = signed_by(K01, 2, &n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_OK);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 3), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 2, 2), &e, NULL), HM_OK);
    /* Trust only key 1: key 0's signature is by an unknown key. */
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(1, 1, 1), &e, NULL), HM_E_SET_UNKNOWN_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 0"));
    hm_buffer_free(d);
    d = signed_by(K210, 3, &n);
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(open_with(d, n, tf_trust(0, 3, 3), &e, &s), HM_OK);
    CU_ASSERT_EQUAL(hm_set_signature_count(s), 3);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 0)->trusted_index, 2);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 2)->trusted_index, 0);
    uint8_t id[32];
    CU_ASSERT_EQUAL(hm_key_id(tf_public(2), id, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(hm_set_signature_get(s, 0)->key_id, id, 32), 0);
    hm_set_free(s);
    hm_buffer_free(d);

    /* Unknown keys: strict by default, ignored on request. */
    d = signed_by(K05, 2, &n);
    hm_trust t = tf_trust(0, 3, 1);
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_UNKNOWN_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 1"));
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL_FATAL(open_with(d, n, t, &e, &s), HM_OK);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->status, HM_SIG_IGNORED);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->trusted_index, -1);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 0)->status, HM_SIG_VALID);
    hm_set_free(s);
    t.threshold = 2; /* an ignored signature never counts */
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_THRESHOLD);
    hm_buffer_free(d);
    d = signed_by(K015, 3, &n);
    t = tf_trust(0, 2, 2);
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_OK);
    hm_buffer_free(d);
}

static void test_duplicate_key(void)
{
    static const int K0[] = {0}, K01[] = {0, 1};
    size_t n;
    hm_error e;
    uint8_t *d = signed_by(K0, 1, &n);
    uint8_t *out;
    size_t out_size;
    CU_ASSERT_EQUAL(hm_set_sign(d, n, tf_secret(0), &out, &out_size, &e), HM_E_SET_DUPLICATE_KEY);
    CU_ASSERT_PTR_NULL(out);
    hm_buffer_free(d);
    /* Craft one: copy record 0 over record 1 (both valid signatures by key 0). */
    d = signed_by(K01, 2, &n);
    size_t cs = tf_content_size(d);
    memcpy(d + cs + 48 + 96, d + cs + 48, 96);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_E_SET_DUPLICATE_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signatures 0 and 1"));
    /* Also with k = 1 and with unknown keys allowed: duplicates are never fine. */
    hm_trust t = tf_trust(0, 1, 1);
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_DUPLICATE_KEY);
    hm_buffer_free(d);
}

static void test_bad_signature(void)
{
    static const int K01[] = {0, 1};
    size_t n, n2;
    hm_error e;
    uint8_t *d = signed_by(K01, 2, &n);
    /* Key 1's signature over another set's digest: key id right, signature wrong. */
    uint8_t *other = tf_small_set(&n2);
    hm__store_le64(other + 24, 8); /* another version: another digest */
    size_t cs2 = tf_content_size(other);
    uint8_t *sealed, key1[1][32];
    size_t sealed_n;
    memcpy(key1[0], tf_secret(1), 32);
    CU_ASSERT_EQUAL_FATAL(hm__set_seal(other, cs2, (const uint8_t(*)[32])key1, 1, &sealed,
                                       &sealed_n, NULL), HM_OK);
    size_t cs = tf_content_size(d);
    memcpy(d + cs + 48 + 96, sealed + cs2 + 48, 96);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_E_SET_BAD_SIGNATURE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 1 by trusted key 1"));
    /* Even when the threshold is met by the other signature. */
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 2, 1), &e, NULL), HM_E_SET_BAD_SIGNATURE);
    hm_buffer_free(sealed);
    hm_buffer_free(other);
    hm_buffer_free(d);
}

static void test_trust_policy_errors(void)
{
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_signed(&n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 0), &e, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 4), &e, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 0, 1), &e, NULL), HM_E_INVALID_ARGUMENT);
    /* The same key twice must not count twice. */
    uint8_t keys[2][32];
    memcpy(keys[0], tf_public(0), 32);
    memcpy(keys[1], tf_public(0), 32);
    hm_trust t = {(const uint8_t(*)[32])keys, 2, 2, 0};
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "trusted keys 0 and 1 are the same key"));
    static uint8_t many[65][32];
    for (int i = 0; i < 65; i++) many[i][0] = (uint8_t)i, many[i][1] = 1;
    hm_trust tm = {(const uint8_t(*)[32])many, 65, 1, 0};
    CU_ASSERT_EQUAL(open_with(d, n, tm, &e, NULL), HM_E_LIMIT);
    hm_set *s = (hm_set *)&e;
    CU_ASSERT_EQUAL(hm_set_open(d, n, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(s);
    hm_buffer_free(d);
}

/* ---- version and time policy ---- */

static hm_status open_at(const uint8_t *d, size_t n, uint64_t min_version, uint64_t now,
                         uint64_t skew, hm_error *e)
{
    hm_set_open_options o = tf_options();
    o.min_version = min_version;
    o.now = now;
    o.max_clock_skew = skew;
    hm_set *s = NULL;
    hm_status st = hm_set_open(d, n, &o, &s, e);
    hm_set_free(s);
    return st;
}

static void test_rollback_and_times(void)
{
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_signed(&n);
    CU_ASSERT_EQUAL(open_at(d, n, TF_VERSION, TF_NOW, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, TF_VERSION + 1, TF_NOW, 0, &e), HM_E_SET_ROLLBACK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "set version 7 is below the minimum accepted version 8"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_EXPIRES - 1, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_EXPIRES, 0, &e), HM_E_SET_EXPIRED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "expired 2027-01-15T08:00:00Z"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 1, 0, &e), HM_E_SET_NOT_YET_VALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "created 2023-11-14T22:13:20Z"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 60, 60, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 61, 60, &e), HM_E_SET_NOT_YET_VALID);
    /* now = 0 reads the system clock, which is before 2027 on any machine
     * running this test and after 2023. */
    CU_ASSERT_EQUAL(open_at(d, n, 0, 0, 0, &e), HM_OK);
    /* Authentication comes first: an expired, rolled-back set with a broken
     * signature reports the signature. */
    size_t cs = tf_content_size(d);
    d[cs + 48 + 40] ^= 1;
    CU_ASSERT_EQUAL(open_at(d, n, 100, TF_EXPIRES + 5, 0, &e), HM_E_SET_BAD_SIGNATURE);
    d[cs + 48 + 40] ^= 1;
    /* Rollback is checked before expiry, both before the structure. */
    CU_ASSERT_EQUAL(open_at(d, n, 100, TF_EXPIRES + 5, 0, &e), HM_E_SET_ROLLBACK);
    hm_buffer_free(d);
}

static void test_min_attesters(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    static const size_t ACTIVE_PDQ[] = {5, 5, 2, 1, 0};
    for (unsigned m = 0; m <= 4; m++) {
        o.min_attesters = m;
        hm_set *s;
        CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &s, NULL), HM_OK);
        const hm__set_view *v = hm__set_view_get(s, HM_ALGO_PDQ);
        CU_ASSERT_EQUAL(v->info.active_count, ACTIVE_PDQ[m]);
        size_t active = 0;
        for (size_t i = 0; i < v->info.entry_count; i++) active += hm__set_entry_active(v, i);
        CU_ASSERT_EQUAL(active, ACTIVE_PDQ[m]);
        CU_ASSERT_EQUAL(hm_set_min_attesters(s), m);
        /* md5 entries have 1 and 4 attesters. */
        CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_MD5)->active_count, m <= 1 ? 2u : 1u);
        hm_set_free(s);
    }
    hm_buffer_free(d);
}

/* ---- signing keeps the digest; private copies; files ---- */

static void test_sign_keeps_digest(void)
{
    size_t n;
    uint8_t *d = tf_small_set(&n);
    size_t cs = tf_content_size(d);
    uint8_t digest[32];
    memcpy(digest, d + cs + 8, 32);
    static const int K[] = {3, 4, 5};
    uint8_t *copy = malloc(cs);
    memcpy(copy, d, cs);
    size_t n2 = n;
    d = tf_sign(d, &n2, K, 3);
    CU_ASSERT_EQUAL(n2, n + 3 * 96);
    CU_ASSERT_EQUAL(memcmp(d, copy, cs), 0);
    CU_ASSERT_EQUAL(memcmp(d + cs + 8, digest, 32), 0);
    hm_set *s;
    hm_trust t = tf_trust(3, 3, 3);
    CU_ASSERT_EQUAL_FATAL(open_with(d, n2, t, NULL, &s), HM_OK);
    CU_ASSERT_EQUAL(memcmp(hm_set_digest(s), digest, 32), 0);
    hm_set_free(s);
    /* Signing refuses a damaged set, and a malformed one even when sealed. */
    uint8_t *out;
    size_t on;
    hm_error e;
    d[300] ^= 1;
    CU_ASSERT_EQUAL(hm_set_sign(d, n2, tf_secret(6), &out, &on, &e), HM_E_SET_DIGEST);
    d[300] ^= 1;
    hm__store_le16(copy + 256, 99);
    uint8_t *bad;
    size_t bn;
    CU_ASSERT_EQUAL_FATAL(hm__set_seal(copy, cs, NULL, 0, &bad, &bn, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_sign(bad, bn, tf_secret(6), &out, &on, &e), HM_E_SET_UNKNOWN_ALGORITHM);
    hm_buffer_free(bad);
    free(copy);
    hm_buffer_free(d);
}

static void test_private_copy(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &s, NULL), HM_OK);
    hm_set_entry en;
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 0, &en), HM_OK);
    /* The caller's buffer changes after verification; the set does not. */
    memset(d, 0xee, n);
    CU_ASSERT_EQUAL(en.hash[31], 0x01);
    CU_ASSERT(en.hash < d || en.hash >= d + n);
    CU_ASSERT_STRING_EQUAL(hm_set_name(s), "test set");
    hm_set_free(s);
    hm_buffer_free(d);
}

static void test_files(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    char *path = tu_path(tu_tmp_dir(), "small.hmset");
    CU_ASSERT_EQUAL_FATAL(tu_write(path, d, n), 0);
    hm_set_open_options o = tf_options();
    hm_set *s;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_file(path, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_file_size(s), n);
    CU_ASSERT_EQUAL(memcmp(hm_set_digest(s), d + tf_content_size(d) + 8, 32), 0);
    CU_ASSERT_EQUAL(((uintptr_t)hm__set_view_get(s, HM_ALGO_PDQ)->hashes) % 64, 0);
    hm_set_free(s);
    CU_ASSERT_EQUAL(hm_set_open_file_unverified(path, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_is_verified(s), 0);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->status, HM_SIG_UNCHECKED);
    hm_set_free(s);
    /* Every file error is a status, not a crash. */
    CU_ASSERT_EQUAL(hm_set_open_file(tu_tmp_dir(), &o, &s, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NULL(s);
    char *missing = tu_path(tu_tmp_dir(), "missing.hmset");
    CU_ASSERT_EQUAL(hm_set_open_file(missing, &o, &s, &e), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "missing.hmset"));
    CU_ASSERT_EQUAL(tu_write(path, d, 0), 0);
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_SET_TRUNCATED);
    CU_ASSERT_EQUAL(tu_write(path, d, n - 1), 0);
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_SET_TRUNCATED);
    CU_ASSERT_EQUAL(hm_set_open_file(path, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    unlink(path);
    free(missing);
    free(path);
    hm_buffer_free(d);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test KEYS[] = {
        {"Ed25519 RFC 8032 vectors", test_rfc8032_vectors},
        {"key id and generation", test_key_id_and_generate},
        {NULL, NULL}};
    static const tu_test TRUST[] = {
        {"k of n", test_threshold},
        {"duplicate key", test_duplicate_key},
        {"bad signature", test_bad_signature},
        {"trust policy errors", test_trust_policy_errors},
        {"rollback and times", test_rollback_and_times},
        {"min attesters", test_min_attesters},
        {"signing keeps the digest", test_sign_keeps_digest},
        {"private copy", test_private_copy},
        {"files", test_files},
        {NULL, NULL}};
    tu_add_suite("keys", KEYS);
    tu_add_suite("trust", TRUST);
    return tu_run("test_set_trust");
}
