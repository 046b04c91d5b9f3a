/* test_set_format.c - the version-1 set format: a hand-laid file byte for
 * byte, builder round trips against a slow reference, and every structural
 * rejection class reached behind a valid digest and valid signatures. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "set/sort.h"
#include "set_fixture.h"

/* ---- helpers ---- */

/* Any of the framing errors a changed content-size or count field can cause. */
#define ANY_FRAMING ((hm_status)-1)

static void put16(uint8_t *p, unsigned v) { hm__store_le16(p, (uint16_t)v); }
static void put32(uint8_t *p, uint32_t v) { hm__store_le32(p, v); }
static void put64(uint8_t *p, uint64_t v) { hm__store_le64(p, v); }

/* The content of the small signed set, with 4096 spare bytes for growing. */
static uint8_t *base_content(size_t *n)
{
    size_t size;
    uint8_t *file = tf_small_signed(&size);
    *n = tf_content_size(file);
    uint8_t *c = calloc(1, *n + 4096);
    memcpy(c, file, *n);
    hm_buffer_free(file);
    return c;
}

static uint8_t *desc(uint8_t *c, unsigned i) { return c + 256 + 64 * (size_t)i; }
static uint8_t *region_of(uint8_t *c, unsigned i, unsigned field)
{
    return c + hm__load_le64(desc(c, i) + field);
}

/* Seals the (modified) content with valid signatures, opens it, and checks
 * the status and that the message mentions `needle`. The structure
 * validator alone must agree. */
static void expect_reject(uint8_t *c, size_t n, hm_status want, const char *needle)
{
    size_t size;
    uint8_t *file = tf_reseal(c, n, &size);
    hm_error e;
    memset(&e, 0, sizeof e);
    hm_status st = tf_open_status(file, size, &e);
    CU_ASSERT_EQUAL(st, want);
    CU_ASSERT_EQUAL(e.status, want);
    if (st != want || (needle && !strstr(e.message, needle)))
        fprintf(stderr, "\n  want %s \"%s\", got %s: %s\n", hm_status_name(want),
                needle ? needle : "", hm_status_name(st), e.message);
    if (needle) CU_ASSERT_PTR_NOT_NULL(strstr(e.message, needle));
    hm_error e2;
    CU_ASSERT_EQUAL(hm__set_validate_content(file, n, &e2), want);
    hm_buffer_free(file);
    free(c);
}

/* ---- a file laid out by hand from docs/FORMAT.md ---- */

static uint8_t *hand_made(size_t *size)
{
    /* name "demo", category "cat", two MD5 entries, the second with external
     * id "x1" and 2 attesters. Regions: sections 256, categories 320,
     * strings 384 (13 bytes), hashes 448, metadata 512, allowlist 576 (empty)
     * = content size. */
    size_t n = 576;
    uint8_t *f = calloc(1, n + 48);
    memcpy(f, "\x89HMSET\r\n", 8);
    put32(f + 8, 1);
    put32(f + 12, 256);
    put64(f + 16, n);
    put64(f + 24, 3);
    put64(f + 32, 1000);
    put64(f + 40, 2000);
    memset(f + 48, 0xab, 32);
    put32(f + 80, 1);    /* name */
    put32(f + 84, 0);    /* issuer */
    put32(f + 88, 1);    /* categories */
    put32(f + 92, 1);    /* sections */
    put64(f + 96, 256);
    put64(f + 104, 320);
    put64(f + 112, 384);
    put64(f + 120, 13);
    put16(f + 256, 6);   /* md5 */
    put64(f + 256 + 16, 2);
    put64(f + 256 + 24, 448);
    put64(f + 256 + 32, 512);
    put64(f + 256 + 40, 0);
    put64(f + 256 + 48, 576);
    put32(f + 320, 6);   /* "cat" */
    memcpy(f + 384, "\0demo\0cat\0x1\0", 13);
    for (int i = 0; i < 16; i++) f[448 + i] = (uint8_t)i;        /* 00 01 .. 0f */
    for (int i = 0; i < 16; i++) f[464 + i] = (uint8_t)(0xf0 + i); /* f0 .. ff */
    put16(f + 512 + 2, 1);
    put16(f + 520 + 2, 2);
    put32(f + 520 + 4, 10); /* "x1" */
    memcpy(f + n, "\x89HMSIG\r\n", 8);
    unsigned dn;
    EVP_Digest(f, n, f + n + 8, &dn, EVP_sha256(), NULL);
    *size = n + 48;
    return f;
}

static void test_hand_made_file(void)
{
    size_t hs;
    uint8_t *hand = hand_made(&hs);
    /* The builder, given the same input in another order, writes the same bytes. */
    hm_set_builder *b;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    unsigned c;
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "demo", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "cat", &c, NULL), HM_OK);
    hm_set_builder_set_version(b, 3);
    hm_set_builder_set_times(b, 1000, 2000);
    uint8_t prev[32], h1[16], h2[16];
    memset(prev, 0xab, 32);
    hm_set_builder_set_previous(b, prev);
    for (int i = 0; i < 16; i++) h1[i] = (uint8_t)i, h2[i] = (uint8_t)(0xf0 + i);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_MD5, h2, 0, 2, "x1", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_MD5, h1, 0, 1, NULL, NULL), HM_OK);
    uint8_t *built;
    size_t bs;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_build(b, &built, &bs, NULL), HM_OK);
    hm_set_builder_free(b);
    CU_ASSERT_EQUAL(bs, hs);
    CU_ASSERT(bs == hs && memcmp(built, hand, hs) == 0);

    /* The hand-made file opens and reads back as written. */
    hm_set *s;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(hand, hs, &s, &e), HM_OK);
    CU_ASSERT_STRING_EQUAL(hm_set_name(s), "demo");
    CU_ASSERT_STRING_EQUAL(hm_set_issuer(s), "");
    CU_ASSERT_EQUAL(hm_set_version(s), 3);
    CU_ASSERT_EQUAL(hm_set_created(s), 1000);
    CU_ASSERT_EQUAL(hm_set_expires(s), 2000);
    CU_ASSERT(hm_set_previous_digest(s) && hm_set_previous_digest(s)[31] == 0xab);
    CU_ASSERT_EQUAL(hm_set_content_size(s), 576);
    CU_ASSERT_EQUAL(hm_set_file_size(s), 624);
    CU_ASSERT_EQUAL(memcmp(hm_set_digest(s), hand + 576 + 8, 32), 0);
    CU_ASSERT_EQUAL(hm_set_algos(s), HM_MASK(HM_ALGO_MD5));
    CU_ASSERT_EQUAL(hm_set_is_verified(s), 0);
    CU_ASSERT_EQUAL(hm_set_signature_count(s), 0);
    const hm_set_section *sec = hm_set_section_get(s, HM_ALGO_MD5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sec);
    CU_ASSERT_EQUAL(sec->entry_count, 2);
    CU_ASSERT_EQUAL(sec->allow_count, 0);
    CU_ASSERT_PTR_NULL(hm_set_section_get(s, HM_ALGO_PDQ));
    hm_set_entry en;
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_MD5, 1, &en), HM_OK);
    CU_ASSERT_EQUAL(en.hash[0], 0xf0);
    CU_ASSERT_EQUAL(en.attesters, 2);
    CU_ASSERT_STRING_EQUAL(en.external_id, "x1");
    CU_ASSERT_STRING_EQUAL(en.category_name, "cat");
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_MD5, 2, &en), HM_E_INVALID_ARGUMENT);
    /* The matcher's view: 64-byte aligned contiguous hashes. */
    const hm__set_view *v = hm__set_view_get(s, HM_ALGO_MD5);
    CU_ASSERT_EQUAL(((uintptr_t)v->hashes) % 64, 0);
    CU_ASSERT_EQUAL(v->hash_size, 16);
    CU_ASSERT_EQUAL(hm__set_entry_attesters(v, 0), 1);
    CU_ASSERT_STRING_EQUAL(hm__set_entry_external_id(s, v, 0), "");
    hm_set_free(s);
    hm_buffer_free(built);
    free(hand);
}

/* ---- round trip against a slow reference ---- */

typedef struct ref_entry {
    uint8_t h[32];
    unsigned cat, att;
    char ext[16];
} ref_entry;

static size_t g_hs;
static int cmp_ref(const void *a, const void *b) { return memcmp(a, b, g_hs); }

static void roundtrip(hm_algo algo, size_t n, uint64_t seed)
{
    size_t hs = hm_algo_hash_size(algo);
    ref_entry *ref = calloc(n, sizeof *ref);
    tu_rng r;
    tu_rng_seed(&r, seed);
    hm_set_builder *b;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "roundtrip", NULL), HM_OK);
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        CU_ASSERT_EQUAL(hm_set_builder_add_category(b, name, NULL, NULL), HM_OK);
    }
    hm_set_builder_set_times(b, 1, 2);
    size_t uniq = 0;
    for (size_t i = 0; i < n; i++) {
        /* One in eight is a repeat of an earlier hash with the same category:
         * merged, keeping the larger attester count. */
        int repeat = uniq > 0 && tu_rng_below(&r, 8) == 0;
        ref_entry *e = repeat ? &ref[tu_rng_below(&r, (uint32_t)uniq)] : &ref[uniq];
        unsigned att = 1 + tu_rng_below(&r, 5);
        if (!repeat) {
            for (size_t k = 0; k < hs; k++) e->h[k] = (uint8_t)tu_rng_next(&r);
            /* Clustered prefixes: many hashes share their first two bytes. */
            if (i % 3 == 0) e->h[0] = 0x42, e->h[1] = 0x42;
            e->cat = tu_rng_below(&r, 4);
            if (tu_rng_below(&r, 2)) snprintf(e->ext, sizeof e->ext, "id-%zu", uniq % 50);
            uniq++;
        }
        if (att > e->att) e->att = att;
        CU_ASSERT_EQUAL(hm_set_builder_add(b, algo, e->h, e->cat, att, repeat ? NULL : e->ext, NULL), HM_OK);
    }
    uint8_t *data;
    size_t size;
    hm_error err;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_build(b, &data, &size, &err), HM_OK);
    hm_set_builder_free(b);
    g_hs = hs;
    qsort(ref, uniq, sizeof *ref, cmp_ref);
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(data, size, &s, &err), HM_OK);
    const hm_set_section *sec = hm_set_section_get(s, algo);
    CU_ASSERT_EQUAL_FATAL(sec->entry_count, uniq);
    size_t bad = 0;
    for (size_t i = 0; i < uniq; i++) {
        hm_set_entry en;
        if (hm_set_entry_get(s, algo, i, &en) != HM_OK || memcmp(en.hash, ref[i].h, hs) ||
            en.category != ref[i].cat || en.attesters != ref[i].att ||
            strcmp(en.external_id, ref[i].ext))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    hm_set_free(s);
    hm_buffer_free(data);
    free(ref);
}

static void test_roundtrip_pdq(void) { roundtrip(HM_ALGO_PDQ, 20000, 1); }
static void test_roundtrip_dhash(void) { roundtrip(HM_ALGO_DHASH, 20000, 2); }
static void test_roundtrip_sha1(void) { roundtrip(HM_ALGO_SHA1, 3000, 3); }

static void test_small_set_contents(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    hm_set_open_options o = tf_options();
    o.min_attesters = 2;
    hm_set *s;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(d, size, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_is_verified(s), 1);
    CU_ASSERT_STRING_EQUAL(hm_set_issuer(s), "hashmatch tests");
    CU_ASSERT_EQUAL(hm_set_category_count(s), 3);
    CU_ASSERT_STRING_EQUAL(hm_set_category_name(s, 1), "terror");
    CU_ASSERT_PTR_NULL(hm_set_category_name(s, 3));
    CU_ASSERT_PTR_NULL(hm_set_previous_digest(s));
    CU_ASSERT_EQUAL(hm_set_algos(s), HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_PHASH) |
                                         HM_MASK(HM_ALGO_MD5) | HM_MASK(HM_ALGO_SHA256));
    const hm_set_section *p = hm_set_section_get(s, HM_ALGO_PDQ);
    CU_ASSERT_EQUAL(p->entry_count, 5);
    CU_ASSERT_EQUAL(p->radius, 31);
    CU_ASSERT_EQUAL(p->allow_radius, 31);
    CU_ASSERT_EQUAL(p->min_quality, 50);
    CU_ASSERT_EQUAL(p->variant, HM_PDQ_FULLRES);
    CU_ASSERT_EQUAL(p->allow_count, 2);
    /* attesters: 1, 2 (merged from 2 and 1), 1, 1, 3 in hash order. */
    CU_ASSERT_EQUAL(p->active_count, 2);
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_PHASH)->radius, 10);
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_MD5)->radius, 0);
    static const char *const ORDER[] = {
        "0000000000000000000000000000000000000000000000000000000000000001",
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "8000000000000000000000000000000000000000000000000000000000000000",
        "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"};
    static const unsigned ATT[] = {1, 1, 1, 2, 3};
    static const char *const EXT[] = {"", "GIFCT-9", "", "NCMEC-1", "x"};
    for (size_t i = 0; i < 5; i++) {
        hm_set_entry en;
        char hex[65];
        CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, i, &en), HM_OK);
        hm_hex_encode(en.hash, 32, hex);
        CU_ASSERT_STRING_EQUAL(hex, ORDER[i]);
        CU_ASSERT_EQUAL(en.attesters, ATT[i]);
        CU_ASSERT_STRING_EQUAL(en.external_id, EXT[i]);
        CU_ASSERT_EQUAL(en.active, ATT[i] >= 2);
    }
    char hex[65];
    hm_hex_encode(hm_set_allow_get(s, HM_ALGO_PDQ, 0), 32, hex);
    CU_ASSERT_STRING_EQUAL(hex, "0101010101010101010101010101010101010101010101010101010101010101");
    CU_ASSERT_PTR_NULL(hm_set_allow_get(s, HM_ALGO_PDQ, 2));
    CU_ASSERT_PTR_NULL(hm_set_allow_get(s, HM_ALGO_MD5, 0));
    CU_ASSERT_EQUAL(hm_set_signature_count(s), 2);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 0)->status, HM_SIG_VALID);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->trusted_index, 1);
    CU_ASSERT_PTR_NULL(hm_set_signature_get(s, 2));
    hm_set_free(s);
    hm_buffer_free(d);
}

/* ---- builder rules ---- */

static void test_builder_rules(void)
{
    hm_set_builder *b;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    uint8_t *d;
    size_t n;
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_E_INVALID_ARGUMENT); /* no name */
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "", &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "bad\x1b[31m", &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "caf\xc3\xa9", &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "bad \xc3", &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "rlo \xe2\x80\xae", &e), HM_E_INVALID_ARGUMENT);
    unsigned c0, c1;
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "a", &c0, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "a", &c1, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "b", &c1, &e), HM_OK);
    CU_ASSERT_EQUAL(c1, 1);
    uint8_t z[32] = {0}, h[32] = {1};
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, z, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "all-zero"));
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_MD5, z, 0, 1, NULL, &e), HM_OK); /* digests may be zero */
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 2, 1, NULL, &e), HM_E_SET_UNKNOWN_CATEGORY);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 0, NULL, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 65536, NULL, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, (hm_algo)10, h, 0, 1, NULL, &e), HM_E_SET_UNKNOWN_ALGORITHM);
    hm_set_policy p;
    hm_set_policy_default(HM_ALGO_PDQ, &p);
    p.radius = 257;
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_PDQ, &p, &e), HM_E_INVALID_ARGUMENT);
    hm_set_policy_default(HM_ALGO_MD5, &p);
    p.radius = 1;
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_MD5, &p, &e), HM_E_INVALID_ARGUMENT);
    hm_set_policy_default(HM_ALGO_PDQ, &p);
    p.variant = HM_PDQ_CLI512;
    p.radius = 20;
    p.allow_radius = 4;
    p.min_quality = 80;
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_PDQ, &p, &e), HM_OK);
    /* Conflicting categories for one hash: refused at build, naming both. */
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 1, NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 1, 1, NULL, &e), HM_OK);
    hm_set_builder_set_times(b, 10, 20);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_E_SET_DUPLICATE_ENTRY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "#0 and #1"));
    hm_set_builder_free(b);

    /* No external ids and no categories used at all: a minimal set. */
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "bare", &e), HM_OK);
    hm_set_builder_set_times(b, 10, 20);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_OK);
    CU_ASSERT_EQUAL(n, 256 + 6 + 48); /* header, the strings "\0bare\0" at 256, signatures */
    hm_buffer_free(d);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "a", &c0, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_MD5, h, 0, 1, NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_OK);
    hm_set *bare;
    CU_ASSERT_EQUAL(hm_set_open_unverified(d, n, &bare, &e), HM_OK);
    hm_set_free(bare);
    hm_buffer_free(d);
    hm_set_builder_free(b);

    /* External ids: one empty and one set merge; two different ones conflict. */
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_set_name(b, "x", &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add_category(b, "a", &c0, &e), HM_OK);
    hm_set_builder_set_times(b, 10, 20);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 1, NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 1, "E1", &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_OK);
    hm_set *s;
    hm_set_entry en;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(d, n, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 0, &en), HM_OK);
    CU_ASSERT_STRING_EQUAL(en.external_id, "E1");
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_PDQ)->entry_count, 1);
    hm_set_free(s);
    hm_buffer_free(d);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 1, "E2", &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_E_SET_DUPLICATE_ENTRY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "external ids"));
    hm_set_builder_set_times(b, 20, 20);
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &d, &n, &e), HM_E_INVALID_ARGUMENT);
    hm_set_builder_free(b);
}

/* ---- framing and authentication (no reseal: these fail before parsing) ---- */

static void test_magic_and_version(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    hm_error e;
    d[1] ^= 0x20; /* "hMSET" */
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_MAGIC);
    d[1] ^= 0x20;
    put32(d + 8, 2);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_FORMAT_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "format version 2"));
    put32(d + 8, 0);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_FORMAT_VERSION);
    put32(d + 8, 1);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_OK);
    /* A PNG is not a set. */
    CU_ASSERT_EQUAL(tf_open_status((const uint8_t *)"\x89PNG\r\n\x1a\n", 8, &e), HM_E_SET_MAGIC);
    hm_buffer_free(d);
}

static void test_truncation_every_length(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    size_t wrong = 0;
    for (size_t len = 0; len < size; len++) {
        /* An exact-size copy, so a read past the end trips the sanitizer. */
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, d, len);
        hm_error e;
        hm_set *s = NULL;
        hm_status st = hm_set_open_unverified(p, len, &s, &e);
        if (st != HM_E_SET_TRUNCATED || s) {
            if (wrong++ < 5) fprintf(stderr, "\n  length %zu: %s %s", len, hm_status_name(st), e.message);
        }
        hm_set_free(s);
        free(p);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    hm_buffer_free(d);
}

static void test_trailing_bytes(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    uint8_t *p = malloc(size + 1);
    memcpy(p, d, size);
    p[size] = 0;
    hm_error e;
    CU_ASSERT_EQUAL(tf_open_status(p, size + 1, &e), HM_E_SET_TRAILING);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "1 trailing byte"));
    free(p);
    hm_buffer_free(d);
}

static void test_changed_bytes(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    size_t cs = tf_content_size(d);
    hm_error e;
    /* A content byte (an entry hash): digest mismatch. */
    d[cs - 100] ^= 1;
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_DIGEST);
    d[cs - 100] ^= 1;
    /* The stored digest itself. */
    d[cs + 8 + 31] ^= 0x80;
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_DIGEST);
    d[cs + 8 + 31] ^= 0x80;
    /* A signature byte: that signature does not verify. */
    d[cs + 48 + 96 + 32 + 10] ^= 4;
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_BAD_SIGNATURE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 1"));
    d[cs + 48 + 96 + 32 + 10] ^= 4;
    /* The signature block's own fields. */
    d[cs + 3] ^= 1;
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_MAGIC);
    d[cs + 3] ^= 1;
    put32(d + cs + 40, 65);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_BOUNDS);
    put32(d + cs + 40, 3);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_TRUNCATED);
    put32(d + cs + 40, 1);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_TRAILING);
    put32(d + cs + 40, 2);
    put32(d + cs + 44, 1);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_FIELD);
    put32(d + cs + 44, 0);
    /* The content size: it locates the signature block. */
    put64(d + 16, cs + 1);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_MAGIC);
    put64(d + 16, 100);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_BOUNDS);
    put64(d + 16, UINT64_MAX - 10);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_BOUNDS);
    put64(d + 16, size);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_E_SET_TRUNCATED);
    put64(d + 16, cs);
    CU_ASSERT_EQUAL(tf_open_status(d, size, &e), HM_OK);
    hm_buffer_free(d);
}

/* Every bit of a small signed set flipped in turn: every flip is rejected,
 * with the error class its position implies. */
static void test_bit_flip_sweep(void)
{
    size_t size;
    uint8_t *d = tf_small_signed(&size);
    size_t cs = tf_content_size(d);
    size_t accepted = 0, wrong_class = 0;
    hm_set_open_options o = tf_options();
    for (size_t i = 0; i < size; i++) {
        hm_status want;
        if (i < 8) want = HM_E_SET_MAGIC;
        else if (i < 12) want = HM_E_SET_FORMAT_VERSION;
        else if (i >= 16 && i < 24) want = ANY_FRAMING;
        else if (i < cs) want = HM_E_SET_DIGEST;
        else if (i < cs + 8) want = HM_E_SET_MAGIC;
        else if (i < cs + 40) want = HM_E_SET_DIGEST;
        else if (i < cs + 44) want = ANY_FRAMING;
        else if (i < cs + 48) want = HM_E_SET_FIELD;
        else if ((i - cs - 48) % 96 < 32) want = HM_E_SET_UNKNOWN_KEY;
        else want = HM_E_SET_BAD_SIGNATURE;
        for (int bit = 0; bit < 8; bit++) {
            d[i] ^= (uint8_t)(1u << bit);
            hm_set *s = NULL;
            hm_status st = hm_set_open(d, size, &o, &s, NULL);
            d[i] ^= (uint8_t)(1u << bit);
            if (st == HM_OK || s) {
                accepted++;
                hm_set_free(s);
                continue;
            }
            int ok = want == ANY_FRAMING
                         ? (st == HM_E_SET_TRUNCATED || st == HM_E_SET_TRAILING ||
                            st == HM_E_SET_BOUNDS || st == HM_E_SET_MAGIC)
                         : st == want;
            if (!ok && wrong_class++ < 5)
                fprintf(stderr, "\n  byte %zu bit %d: %s", i, bit, hm_status_name(st));
        }
    }
    CU_ASSERT_EQUAL(accepted, 0);
    CU_ASSERT_EQUAL(wrong_class, 0);
    hm_buffer_free(d);
}

/* ---- structure: each class reached behind valid signatures ---- */

/* Small set sections: 0 pdq, 1 phash, 2 md5, 3 sha256. */

static void test_header_fields(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    put32(c + 12, 128);
    expect_reject(c, n, HM_E_SET_FIELD, "header size 128");
    c = base_content(&n);
    put64(c + 128, 1);
    expect_reject(c, n, HM_E_SET_FIELD, "flags");
    c = base_content(&n);
    c[255] = 1;
    expect_reject(c, n, HM_E_SET_FIELD, "reserved header bytes");
    c = base_content(&n);
    put64(c + 24, 0);
    expect_reject(c, n, HM_E_SET_FIELD, "set version 0");
    c = base_content(&n);
    put64(c + 40, TF_CREATED);
    expect_reject(c, n, HM_E_SET_FIELD, "not after the creation time");
    /* Content cut short with a consistent size field: regions leave it. */
    c = base_content(&n);
    put64(c + 16, n - 64);
    expect_reject(c, n - 64, HM_E_SET_BOUNDS, "extends past the content");
    /* The validator given content of another size than its field says
     * (hm_set_open cannot get there: the field locates the signatures). */
    c = base_content(&n);
    hm_error e;
    CU_ASSERT_EQUAL(hm__set_validate_content(c, n - 64, &e), HM_E_SET_BOUNDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "content size field"));
    free(c);
}

static void test_counts_and_offsets(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    put32(c + 92, 10);
    expect_reject(c, n, HM_E_SET_BOUNDS, "section count 10");
    c = base_content(&n);
    put32(c + 88, 70000);
    expect_reject(c, n, HM_E_SET_BOUNDS, "category count 70000");
    c = base_content(&n);
    put64(c + 96, 257);
    expect_reject(c, n, HM_E_SET_BOUNDS, "not 64-byte aligned");
    c = base_content(&n);
    put64(c + 96, 192); /* inside the header */
    expect_reject(c, n, HM_E_SET_BOUNDS, "overlaps");
    c = base_content(&n);
    put64(c + 104, hm__load_le64(c + 104) + 64);
    expect_reject(c, n, HM_E_SET_BOUNDS, "leaves a gap");
    c = base_content(&n);
    put64(c + 112, (uint64_t)n + 64);
    expect_reject(c, n, HM_E_SET_BOUNDS, "extends past the content");
    c = base_content(&n);
    put64(c + 120, UINT64_MAX - 3);
    expect_reject(c, n, HM_E_SET_BOUNDS, "extends past the content");
    /* Counts whose byte size overflows 64 bits. */
    c = base_content(&n);
    put64(desc(c, 0) + 16, (uint64_t)1 << 60);
    expect_reject(c, n, HM_E_SET_BOUNDS, "overflow");
    c = base_content(&n);
    put64(desc(c, 2) + 40, UINT64_MAX / 8);
    expect_reject(c, n, HM_E_SET_BOUNDS, "allowlist of section 2");
    c = base_content(&n);
    put64(desc(c, 1) + 16, 9); /* 72 bytes of pHash hashes run into the metadata */
    expect_reject(c, n, HM_E_SET_BOUNDS, "metadata of section 1 at offset");
    c = base_content(&n);
    put64(desc(c, 3) + 16, 1000);
    expect_reject(c, n, HM_E_SET_BOUNDS, "hashes of section 3 (32000 bytes");
    c = base_content(&n);
    put64(desc(c, 1) + 32, hm__load_le64(desc(c, 1) + 32) - 64); /* meta over the hashes */
    expect_reject(c, n, HM_E_SET_BOUNDS, "overlaps");
    /* Non-zero padding between regions. */
    c = base_content(&n);
    c[hm__load_le64(c + 112) - 1] = 0x55;
    expect_reject(c, n, HM_E_SET_FIELD, "padding before the string table");
    /* Content left after the last region. */
    c = base_content(&n);
    put64(c + 16, n + 64);
    expect_reject(c, n + 64, HM_E_SET_TRAILING, "after the last region");
}

static void test_sections(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    put16(desc(c, 3), 10);
    expect_reject(c, n, HM_E_SET_UNKNOWN_ALGORITHM, "section 3: unknown algorithm id 10");
    c = base_content(&n);
    put16(desc(c, 0), 0);
    expect_reject(c, n, HM_E_SET_UNKNOWN_ALGORITHM, "id 0");
    /* md5 (with an exact policy, its 3 hashes fitting section 1's regions)
     * before phash: the order check fires at section 2. */
    c = base_content(&n);
    put16(desc(c, 1), HM_ALGO_MD5);
    put16(desc(c, 1) + 4, 0);
    put16(desc(c, 1) + 6, 0);
    put16(desc(c, 2), HM_ALGO_PHASH);
    expect_reject(c, n, HM_E_SET_UNSORTED, "ascending algorithm id");
    c = base_content(&n);
    put16(desc(c, 2), HM_ALGO_PHASH);
    expect_reject(c, n, HM_E_SET_DUPLICATE_ENTRY, "both for phash");
    c = base_content(&n);
    put16(desc(c, 0) + 2, 2);
    expect_reject(c, n, HM_E_SET_FIELD, "unknown variant 2");
    c = base_content(&n);
    put16(desc(c, 1) + 2, 1);
    expect_reject(c, n, HM_E_SET_FIELD, "unknown variant 1");
    c = base_content(&n);
    put16(desc(c, 0) + 4, 257);
    expect_reject(c, n, HM_E_SET_FIELD, "radius 257");
    c = base_content(&n);
    put16(desc(c, 1) + 4, 65);
    expect_reject(c, n, HM_E_SET_FIELD, "radius 65");
    c = base_content(&n);
    put16(desc(c, 2) + 4, 1);
    expect_reject(c, n, HM_E_SET_FIELD, "(md5): radius 1");
    c = base_content(&n);
    put16(desc(c, 3) + 6, 1);
    expect_reject(c, n, HM_E_SET_FIELD, "allowlist radius 1");
    c = base_content(&n);
    put16(desc(c, 0) + 8, 101);
    expect_reject(c, n, HM_E_SET_FIELD, "minimum quality 101");
    c = base_content(&n);
    put16(desc(c, 1) + 8, 1);
    expect_reject(c, n, HM_E_SET_FIELD, "minimum quality 1");
    c = base_content(&n);
    desc(c, 2)[12] = 1;
    expect_reject(c, n, HM_E_SET_FIELD, "section 2 (md5): reserved");
    c = base_content(&n);
    desc(c, 2)[63] = 1;
    expect_reject(c, n, HM_E_SET_FIELD, "reserved");
    /* A radius at the format's limit is well-formed; a client refuses it
     * unless its own ceiling allows it (TRUST.md). */
    c = base_content(&n);
    put16(desc(c, 0) + 4, 256);
    size_t size;
    uint8_t *f = tf_reseal(c, n, &size);
    hm_error e;
    CU_ASSERT_EQUAL(tf_open_status(f, size, &e), HM_E_SET_POLICY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "pdq radius 256 is above this client's maximum radius 31"));
    hm_set_open_options o = tf_options();
    o.limits.max_radius[HM_ALGO_PDQ] = HM_POLICY_UNLIMITED;
    hm_set *s = NULL;
    CU_ASSERT_EQUAL(hm_set_open(f, size, &o, &s, &e), HM_OK);
    hm_set_free(s);
    hm_buffer_free(f);
    free(c);
}

static void test_entries(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    uint8_t tmp[32], *h = region_of(c, 0, 24);
    memcpy(tmp, h + 32, 32); /* swap pdq entries 1 and 2 */
    memcpy(h + 32, h + 64, 32);
    memcpy(h + 64, tmp, 32);
    expect_reject(c, n, HM_E_SET_UNSORTED, "pdq entry 2");
    c = base_content(&n);
    h = region_of(c, 0, 24);
    memcpy(h + 96, h + 128, 32); /* entry 3 = entry 4 */
    expect_reject(c, n, HM_E_SET_DUPLICATE_ENTRY, "pdq entry 4");
    /* Entry 2 equal to entry 1 but for its last byte, one less: out of
     * order only after the first 8 bytes. Then equal everywhere. */
    c = base_content(&n);
    h = region_of(c, 0, 24);
    memcpy(h + 64, h + 32, 31);
    h[64 + 31] = (uint8_t)(h[32 + 31] - 1);
    expect_reject(c, n, HM_E_SET_UNSORTED, "pdq entry 2");
    c = base_content(&n);
    h = region_of(c, 0, 24);
    memcpy(h + 64, h + 32, 32);
    expect_reject(c, n, HM_E_SET_DUPLICATE_ENTRY, "pdq entry 2");
    c = base_content(&n);
    h = region_of(c, 1, 24);
    h[8 + 7] = 0; /* phash entry 1 becomes 0xd1c4...e000 > entry 2? no: below entry 0 */
    memset(h + 8, 0, 8);
    expect_reject(c, n, HM_E_SET_UNSORTED, "phash entry 1");
    c = base_content(&n);
    memset(region_of(c, 0, 24), 0, 32);
    expect_reject(c, n, HM_E_SET_FIELD, "all-zero");
    c = base_content(&n);
    h = region_of(c, 0, 48); /* allowlist */
    memcpy(tmp, h, 32);
    memcpy(h, h + 32, 32);
    memcpy(h + 32, tmp, 32);
    expect_reject(c, n, HM_E_SET_UNSORTED, "pdq allowlist hash 1");
    c = base_content(&n);
    h = region_of(c, 0, 48);
    memcpy(h + 32, h, 32);
    expect_reject(c, n, HM_E_SET_DUPLICATE_ENTRY, "allowlist hash 1");
    /* Metadata. */
    c = base_content(&n);
    put16(region_of(c, 2, 32) + 8, 3);
    expect_reject(c, n, HM_E_SET_UNKNOWN_CATEGORY, "md5 entry 1: category 3");
    c = base_content(&n);
    put16(region_of(c, 3, 32) + 0, 65535);
    expect_reject(c, n, HM_E_SET_UNKNOWN_CATEGORY, "sha256 entry 0");
    c = base_content(&n);
    put16(region_of(c, 1, 32) + 16 + 2, 0);
    expect_reject(c, n, HM_E_SET_FIELD, "phash entry 2: attester count is 0");
    c = base_content(&n);
    put32(region_of(c, 0, 32) + 4, 0x7fffffff);
    expect_reject(c, n, HM_E_SET_BOUNDS, "pdq entry 0: external id offset");
    c = base_content(&n);
    put32(region_of(c, 0, 32) + 8 + 4, hm__load_le32(region_of(c, 0, 32) + 8 + 4) + 1);
    expect_reject(c, n, HM_E_SET_BOUNDS, "inside another string");
}

static void test_strings_and_categories(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    uint8_t *t = c + hm__load_le64(c + 112);
    size_t ts = hm__load_le64(c + 120);
    t[ts - 1] = 'x';
    expect_reject(c, n, HM_E_SET_FIELD, "start and end with a NUL");
    c = base_content(&n);
    t = c + hm__load_le64(c + 112);
    t[1] = 0x1b; /* ESC in the name */
    expect_reject(c, n, HM_E_SET_FIELD, "not printable UTF-8");
    c = base_content(&n);
    t = c + hm__load_le64(c + 112);
    t[2] = (char)0xc0; /* overlong lead byte */
    expect_reject(c, n, HM_E_SET_FIELD, "offset 1 of the string table");
    c = base_content(&n);
    put32(c + 80, 0);
    expect_reject(c, n, HM_E_SET_FIELD, "name is empty");
    c = base_content(&n);
    put32(c + 80, 3);
    expect_reject(c, n, HM_E_SET_BOUNDS, "name: string offset 3 points inside");
    c = base_content(&n);
    put32(c + 84, 1u << 30);
    expect_reject(c, n, HM_E_SET_BOUNDS, "issuer");
    uint8_t *cats;
    c = base_content(&n);
    cats = c + hm__load_le64(c + 104);
    put32(cats + 8, hm__load_le32(cats + 4)); /* "other" -> "terror" */
    expect_reject(c, n, HM_E_SET_FIELD, "\"terror\" is listed twice");
    c = base_content(&n);
    cats = c + hm__load_le64(c + 104);
    put32(cats + 4, 0);
    expect_reject(c, n, HM_E_SET_FIELD, "category 1 has an empty name");
    c = base_content(&n);
    cats = c + hm__load_le64(c + 104);
    put32(cats, 100000);
    expect_reject(c, n, HM_E_SET_BOUNDS, "category 0");
}

static void test_validate_content_direct(void)
{
    size_t n;
    uint8_t *c = base_content(&n);
    hm_error e;
    CU_ASSERT_EQUAL(hm__set_validate_content(c, n, &e), HM_OK);
    CU_ASSERT_EQUAL(hm__set_validate_content(c, 100, &e), HM_E_SET_TRUNCATED);
    c[0] = 'X';
    CU_ASSERT_EQUAL(hm__set_validate_content(c, n, &e), HM_E_SET_MAGIC);
    c[0] = 0x89;
    put32(c + 8, 7);
    CU_ASSERT_EQUAL(hm__set_validate_content(c, n, &e), HM_E_SET_FORMAT_VERSION);
    free(c);
}

/* The builder's sort against a slow reference: ascending, and stable (equal
 * hashes keep their input order), on both sides of the small-input path. */
static const uint8_t *sort_keys;
static size_t sort_hs;

static int cmp_sort_ref(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = memcmp(sort_keys + (size_t)x * sort_hs, sort_keys + (size_t)y * sort_hs, sort_hs);
    return c ? c : (x > y) - (x < y);
}

static void test_sort_hashes(void)
{
    static const size_t N[] = {1, 2, 17, 100, 4095, 4096, 10000};
    tu_rng r;
    tu_rng_seed(&r, 42);
    for (size_t t = 0; t < sizeof N / sizeof *N; t++)
        for (size_t hs = 8; hs <= 32; hs += 24) {
            size_t n = N[t];
            uint8_t *h = malloc(n * hs);
            uint32_t *idx = malloc(n * sizeof *idx), *ref = malloc(n * sizeof *ref);
            CU_ASSERT_FATAL(h && idx && ref);
            for (size_t i = 0; i < n * hs; i++) h[i] = (uint8_t)tu_rng_below(&r, 4); /* many ties */
            for (size_t i = 0; i < n; i++) {
                if (i % 7 == 3) memcpy(h + i * hs, h + (i / 2) * hs, hs); /* exact repeats */
                ref[i] = (uint32_t)i;
            }
            sort_keys = h;
            sort_hs = hs;
            qsort(ref, n, sizeof *ref, cmp_sort_ref);
            CU_ASSERT_EQUAL(hm__sort_hashes(h, hs, n, idx), 0);
            CU_ASSERT_EQUAL(memcmp(idx, ref, n * sizeof *idx), 0);
            free(h);
            free(idx);
            free(ref);
        }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test FORMAT[] = {
        {"builder sort: ascending and stable", test_sort_hashes},
        {"hand-made file == builder output", test_hand_made_file},
        {"small set contents", test_small_set_contents},
        {"round trip pdq (20000, clustered)", test_roundtrip_pdq},
        {"round trip dhash (20000)", test_roundtrip_dhash},
        {"round trip sha1 (3000)", test_roundtrip_sha1},
        {"builder rules", test_builder_rules},
        {NULL, NULL}};
    static const tu_test REJECT[] = {
        {"magic and format version", test_magic_and_version},
        {"truncation at every length", test_truncation_every_length},
        {"trailing bytes", test_trailing_bytes},
        {"changed bytes", test_changed_bytes},
        {"bit-flip sweep", test_bit_flip_sweep},
        {"header fields", test_header_fields},
        {"counts and offsets", test_counts_and_offsets},
        {"sections", test_sections},
        {"entries", test_entries},
        {"strings and categories", test_strings_and_categories},
        {"content validator", test_validate_content_direct},
        {NULL, NULL}};
    tu_add_suite("set format", FORMAT);
    tu_add_suite("set rejections", REJECT);
    return tu_run("test_set_format");
}
