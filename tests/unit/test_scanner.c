/* test_scanner.c - hm_scanner against a slow reference: every report equals
 * a brute-force walk over the set's entries with hm_hamming, the publisher's
 * policy (radius, attesters, allowlist, PDQ quality) applied by hand. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image_fixtures.h"
#include "set_fixture.h"

#define N_PDQ 3000
#define N_PHASH 2000
#define PDQ_RADIUS 31
#define PHASH_RADIUS 10
#define MIN_QUALITY 50

typedef struct {
    hm_set *set;
    uint8_t *file;
    uint8_t pdq[N_PDQ][32];  /* the hashes as added (the set sorts them) */
    uint8_t phash[N_PHASH][8];
} fixture;

static fixture F;

static void random_bytes(tu_rng *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)tu_rng_next(r);
}

/* A copy of `src` with exactly `d` distinct bits flipped. */
static void flip_bits(tu_rng *r, const uint8_t *src, uint8_t *dst, size_t bytes, unsigned d)
{
    memcpy(dst, src, bytes);
    unsigned done = 0;
    while (done < d) {
        unsigned bit = tu_rng_below(r, (uint32_t)(bytes * 8));
        uint8_t m = (uint8_t)(1u << (bit & 7));
        if ((dst[bit / 8] ^ src[bit / 8]) & m) continue;
        dst[bit / 8] ^= m;
        done++;
    }
}

static void must(hm_status st, const char *what)
{
    if (st != HM_OK) {
        fprintf(stderr, "fixture: %s failed: %s\n", what, hm_status_name(st));
        abort();
    }
}

/* PDQ and pHash entries: random, plus clusters of near neighbours so that
 * several entries fall inside one query's radius. Attesters 1..3 (min 2:
 * about a third inactive), allowlist hashes next to some entries. */
static int build_fixture(void)
{
    tu_rng r;
    tu_rng_seed(&r, 20261126);
    hm_set_builder *b;
    must(hm_set_builder_new(&b), "builder");
    unsigned cat;
    must(hm_set_builder_set_name(b, "scanner test", NULL), "name");
    must(hm_set_builder_add_category(b, "alpha", &cat, NULL), "category");
    must(hm_set_builder_add_category(b, "beta", &cat, NULL), "category");
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    hm_set_policy pol;
    hm_set_policy_default(HM_ALGO_PDQ, &pol);
    pol.radius = PDQ_RADIUS;
    pol.allow_radius = 4;
    pol.min_quality = MIN_QUALITY;
    must(hm_set_builder_set_policy(b, HM_ALGO_PDQ, &pol, NULL), "pdq policy");
    hm_set_policy_default(HM_ALGO_PHASH, &pol);
    pol.radius = PHASH_RADIUS;
    pol.allow_radius = 2;
    must(hm_set_builder_set_policy(b, HM_ALGO_PHASH, &pol, NULL), "phash policy");
    for (int i = 0; i < N_PDQ; i++) {
        if (i % 10 && i > 0) flip_bits(&r, F.pdq[i - i % 10], F.pdq[i], 32, 5 + tu_rng_below(&r, 30));
        else random_bytes(&r, F.pdq[i], 32);
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        must(hm_set_builder_add(b, HM_ALGO_PDQ, F.pdq[i], i % 2, 1 + i % 3, id, NULL), "add pdq");
    }
    for (int i = 0; i < N_PHASH; i++) {
        if (i % 8 && i > 0) flip_bits(&r, F.phash[i - i % 8], F.phash[i], 8, 2 + tu_rng_below(&r, 9));
        else random_bytes(&r, F.phash[i], 8);
        must(hm_set_builder_add(b, HM_ALGO_PHASH, F.phash[i], 1, 1 + i % 3, NULL, NULL), "add phash");
    }
    for (int i = 0; i < 20; i++) {
        uint8_t a[32];
        flip_bits(&r, F.pdq[i * 97], a, 32, 20);
        must(hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL), "allow pdq");
        flip_bits(&r, F.phash[i * 61], a, 8, 6);
        must(hm_set_builder_allow(b, HM_ALGO_PHASH, a, NULL), "allow phash");
    }
    uint8_t md5[16];
    memset(md5, 0x5a, 16);
    must(hm_set_builder_add(b, HM_ALGO_MD5, md5, 0, 3, "m", NULL), "add md5");
    md5[0] = 0x11;
    must(hm_set_builder_allow(b, HM_ALGO_MD5, md5, NULL), "allow md5");
    md5[0] = 0x11;
    must(hm_set_builder_add(b, HM_ALGO_MD5, md5, 0, 3, NULL, NULL), "add md5 allowed");
    size_t size;
    must(hm_set_builder_build(b, &F.file, &size, NULL), "build");
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    F.file = tf_sign(F.file, &size, KEYS, 2);
    hm_set_open_options o = tf_options();
    o.min_attesters = 2;
    must(hm_set_open(F.file, size, &o, &F.set, NULL), "open");
    return 0;
}

static int free_fixture(void)
{
    hm_set_free(F.set);
    hm_buffer_free(F.file);
    return 0;
}

/* ---- the slow reference ---- */

typedef struct {
    size_t entry;
    unsigned distance, variant;
    int suppressed;
} ref_hit;

static int allowlisted(const hm_set_section *sec, const uint8_t *q, size_t bytes)
{
    for (size_t i = 0; i < sec->allow_count; i++)
        if (hm_hamming(q, hm_set_allow_get(F.set, sec->algo, i), bytes) <= sec->allow_radius)
            return 1;
    return 0;
}

/* Every active entry within the radius of any of nq queries, with its best
 * (distance, variant), in entry order. */
static size_t reference(hm_algo algo, const uint8_t *queries, unsigned nq, ref_hit *out)
{
    const hm_set_section *sec = hm_set_section_get(F.set, algo);
    size_t bytes = hm_algo_hash_size(algo), n = 0;
    for (size_t e = 0; e < sec->entry_count; e++) {
        hm_set_entry ent;
        CU_ASSERT_EQUAL_FATAL(hm_set_entry_get(F.set, algo, e, &ent), HM_OK);
        if (!ent.active) continue;
        unsigned best = ~0u, variant = 0;
        for (unsigned q = 0; q < nq; q++) {
            unsigned d = hm_hamming(queries + q * bytes, ent.hash, bytes);
            if (d < best) best = d, variant = q;
        }
        if (best > sec->radius) continue;
        out[n].entry = e;
        out[n].distance = best;
        out[n].variant = variant;
        out[n].suppressed = allowlisted(sec, queries + variant * bytes, bytes);
        n++;
    }
    return n;
}

/* Compares the report's matches and suppressed matches of `algo` with the
 * reference; returns the number of reference hits. */
static size_t check_report(const hm_report *rep, hm_algo algo, const uint8_t *queries,
                           unsigned nq)
{
    static ref_hit ref[N_PDQ];
    size_t n = reference(algo, queries, nq, ref);
    size_t im = 0, is = 0;
    for (size_t k = 0; k < n; k++) {
        const hm_match *m = NULL;
        while ((m = ref[k].suppressed ? hm_report_suppressed(rep, is) : hm_report_match(rep, im)) &&
               m->algo != algo) {
            if (ref[k].suppressed) is++;
            else im++;
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_EQUAL(m->entry, ref[k].entry);
        CU_ASSERT_EQUAL(m->distance, ref[k].distance);
        if (nq > 1) CU_ASSERT_EQUAL(m->dihedral, ref[k].variant);
        hm_set_entry ent;
        CU_ASSERT_EQUAL(hm_set_entry_get(F.set, algo, m->entry, &ent), HM_OK);
        CU_ASSERT_EQUAL(m->attesters, ent.attesters);
        CU_ASSERT_STRING_EQUAL(m->category_name, ent.category_name);
        CU_ASSERT_STRING_EQUAL(m->external_id, ent.external_id);
        if (ref[k].suppressed) is++;
        else im++;
    }
    /* Nothing else of this algorithm was reported. */
    size_t total = 0;
    for (size_t i = 0; i < hm_report_match_count(rep); i++)
        total += hm_report_match(rep, i)->algo == algo;
    for (size_t i = 0; i < hm_report_suppressed_count(rep); i++)
        total += hm_report_suppressed(rep, i)->algo == algo;
    CU_ASSERT_EQUAL(total, n);
    return n;
}

static unsigned build_threads; /* for the scanners new_scanner makes */

static hm_scanner *new_scanner(int dihedral, int force, hm_match_tier tier)
{
    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.build_threads = build_threads;
    o.index = HM_INDEX_ALWAYS; /* test_scanner_index covers the other policies */
    o.pdq_dihedral = dihedral;
    o.force_tier = force;
    o.tier = tier;
    hm_scanner *s = NULL;
    hm_error e;
    CU_ASSERT_EQUAL(hm_scanner_new(F.set, &o, &s, &e), HM_OK);
    return s;
}

/* Queries planted at every distance 0..40 from entries, plus random ones. */
static void make_query(tu_rng *r, int i, hm_hashes *h)
{
    memset(h, 0, sizeof *h);
    h->algos = HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_PHASH);
    h->pdq_quality = 100;
    if (i % 10 == 5) { /* next to a known false positive: within or just beyond allow_radius */
        size_t a = (size_t)(i / 10) % 20;
        flip_bits(r, hm_set_allow_get(F.set, HM_ALGO_PDQ, a), h->pdq, 32, (unsigned)(i / 10) % 7);
        flip_bits(r, hm_set_allow_get(F.set, HM_ALGO_PHASH, a), h->phash, 8, (unsigned)(i / 10) % 4);
        return;
    }
    if (i % 4 == 3) random_bytes(r, h->pdq, 32);
    else flip_bits(r, F.pdq[tu_rng_below(r, N_PDQ)], h->pdq, 32, (unsigned)(i % 41));
    if (i % 4 == 3) random_bytes(r, h->phash, 8);
    else flip_bits(r, F.phash[tu_rng_below(r, N_PHASH)], h->phash, 8, (unsigned)(i % 14));
}

static void test_against_reference(void)
{
    hm_scanner *s = new_scanner(0, 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(hm_scanner_algos(s),
                    HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_MD5));
    tu_rng r;
    tu_rng_seed(&r, 99);
    size_t hits_pdq = 0, hits_phash = 0, suppressed = 0;
    for (int i = 0; i < 400; i++) {
        hm_hashes h;
        make_query(&r, i, &h);
        hm_report *rep = NULL;
        CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
        hits_pdq += check_report(rep, HM_ALGO_PDQ, h.pdq, 1);
        hits_phash += check_report(rep, HM_ALGO_PHASH, h.phash, 1);
        suppressed += hm_report_suppressed_count(rep);
        CU_ASSERT_FALSE(hm_report_pdq_skipped(rep));
        hm_report_free(rep);
    }
    /* The test means something only if it saw matches and suppressions. */
    CU_ASSERT(hits_pdq > 200);
    CU_ASSERT(hits_phash > 200);
    CU_ASSERT(suppressed > 0);
    hm_scanner_free(s);
}

/* distance == radius matches, radius + 1 does not. */
static void test_boundary(void)
{
    hm_scanner *s = new_scanner(0, 0, 0);
    tu_rng r;
    tu_rng_seed(&r, 7);
    int at = 0, beyond = 0;
    for (int i = 0; i < N_PDQ && (at < 5 || beyond < 5); i += 10) {
        hm_set_entry ent;
        /* entry i of the sorted set: an isolated, active one far from the allowlist */
        CU_ASSERT_EQUAL_FATAL(hm_set_entry_get(F.set, HM_ALGO_PDQ, (size_t)i, &ent), HM_OK);
        if (!ent.active) continue;
        for (unsigned d = PDQ_RADIUS; d <= PDQ_RADIUS + 1; d++) {
            hm_hashes h;
            memset(&h, 0, sizeof h);
            h.algos = HM_MASK(HM_ALGO_PDQ);
            h.pdq_quality = 100;
            flip_bits(&r, ent.hash, h.pdq, 32, d);
            hm_report *rep;
            CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
            int found = 0;
            for (size_t k = 0; k < hm_report_match_count(rep); k++)
                found |= hm_report_match(rep, k)->entry == (size_t)i;
            for (size_t k = 0; k < hm_report_suppressed_count(rep); k++)
                found |= hm_report_suppressed(rep, k)->entry == (size_t)i;
            CU_ASSERT_EQUAL(found, d == PDQ_RADIUS);
            if (d == PDQ_RADIUS) at += found;
            else beyond += !found;
            check_report(rep, HM_ALGO_PDQ, h.pdq, 1);
            hm_report_free(rep);
        }
    }
    CU_ASSERT(at >= 5 && beyond >= 5);
    hm_scanner_free(s);
}

static void test_dihedral(void)
{
    hm_scanner *with = new_scanner(1, 0, 0), *without = new_scanner(0, 0, 0);
    tu_rng r;
    tu_rng_seed(&r, 8);
    int matched_variant = 0;
    for (int i = 0; i < 60; i++) {
        hm_hashes h;
        memset(&h, 0, sizeof h);
        h.algos = HM_MASK(HM_ALGO_PDQ);
        h.pdq_quality = 90;
        h.has_pdq_dihedral = 1;
        for (int v = 0; v < 8; v++) random_bytes(&r, h.pdq_dihedral[v], 32);
        unsigned v = 1 + (unsigned)i % 7;
        flip_bits(&r, F.pdq[tu_rng_below(&r, N_PDQ)], h.pdq_dihedral[v], 32, (unsigned)(i % 25));
        memcpy(h.pdq, h.pdq_dihedral[0], 32);
        hm_report *a, *b;
        CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(with, &h, &a, NULL), HM_OK);
        CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(without, &h, &b, NULL), HM_OK);
        check_report(a, HM_ALGO_PDQ, &h.pdq_dihedral[0][0], 8);
        check_report(b, HM_ALGO_PDQ, h.pdq, 1);
        for (size_t k = 0; k < hm_report_match_count(a); k++)
            matched_variant += hm_report_match(a, k)->dihedral == v;
        hm_report_free(a);
        hm_report_free(b);
    }
    CU_ASSERT(matched_variant >= 20);
    hm_scanner_free(with);
    hm_scanner_free(without);
}

static void test_quality_and_digests(void)
{
    hm_scanner *s = new_scanner(0, 0, 0);
    hm_hashes h;
    memset(&h, 0, sizeof h);
    h.algos = HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_MD5);
    memcpy(h.pdq, F.pdq[0], 32);
    h.pdq_quality = MIN_QUALITY - 1;
    memset(h.md5, 0x5a, 16);
    hm_report *rep;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
    CU_ASSERT_TRUE(hm_report_pdq_skipped(rep));
    CU_ASSERT_EQUAL(hm_report_match_count(rep), 1);
    const hm_match *m = hm_report_match(rep, 0);
    CU_ASSERT_EQUAL(m->algo, HM_ALGO_MD5);
    CU_ASSERT_EQUAL(m->distance, 0);
    CU_ASSERT_STRING_EQUAL(m->external_id, "m");
    hm_report_free(rep);

    h.pdq_quality = MIN_QUALITY; /* at the minimum: matched */
    h.md5[15] ^= 1;              /* one bit off: no digest match */
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
    CU_ASSERT_FALSE(hm_report_pdq_skipped(rep));
    for (size_t k = 0; k < hm_report_match_count(rep); k++)
        CU_ASSERT_EQUAL(hm_report_match(rep, k)->algo, HM_ALGO_PDQ);
    check_report(rep, HM_ALGO_PDQ, h.pdq, 1);
    hm_report_free(rep);

    memset(h.md5, 0x5a, 16);
    h.md5[0] = 0x11; /* listed and allowlisted: suppressed */
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
    int md5_suppressed = 0;
    for (size_t k = 0; k < hm_report_suppressed_count(rep); k++)
        md5_suppressed += hm_report_suppressed(rep, k)->algo == HM_ALGO_MD5;
    CU_ASSERT_EQUAL(md5_suppressed, 1);
    hm_report_free(rep);
    hm_scanner_free(s);
}

/* A scanner that could never match reports every file as clean: refused
 * when no section it matches holds an active entry. Before, a set whose
 * entries all fell below the app's min_attesters, or an allowlist-only set,
 * built a scanner that said "no match" to everything. */
static void test_nothing_to_match(void)
{
    size_t size;
    uint8_t *file = tf_small_signed(&size);
    hm_set_open_options so = tf_options();
    hm_scanner *s = (hm_scanner *)1;
    hm_set *set;
    hm_error e;
    so.min_attesters = 5; /* the most attested entry has 4 */
    CU_ASSERT_EQUAL_FATAL(hm_set_open(file, size, &so, &set, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_scanner_new(set, NULL, &s, &e), HM_E_SCAN_NO_ALGORITHM);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "none of the set's 11 entries"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the 5 organisations"));
    hm_set_free(set);
    so.min_attesters = 4; /* md5 00112233... alone is active */
    CU_ASSERT_EQUAL_FATAL(hm_set_open(file, size, &so, &set, &e), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, NULL, &s, &e), HM_OK);
    hm_scanner_free(s);
    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.algos = HM_MASK(HM_ALGO_PHASH); /* its entries have 1 and 2 attesters */
    CU_ASSERT_EQUAL(hm_scanner_new(set, &o, &s, &e), HM_E_SCAN_NO_ALGORITHM);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "none of the set's 3 entries"));
    hm_set_free(set);
    hm_buffer_free(file);
    /* A set with an allowlist and no entries. */
    hm_set_builder *b;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    unsigned c;
    uint8_t a[HM_PDQ_BYTES];
    memset(a, 0x5a, sizeof a);
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_set_name(b, "allowlist only", NULL), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_add_category(b, "csam", &c, NULL), HM_OK);
    hm_set_builder_set_version(b, 1);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL), HM_OK);
    uint8_t *data;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_build(b, &data, &size, NULL), HM_OK);
    hm_set_builder_free(b);
    static const int keys[] = {0, 1};
    data = tf_sign(data, &size, keys, 2);
    so = tf_options();
    CU_ASSERT_EQUAL_FATAL(hm_set_open(data, size, &so, &set, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_scanner_new(set, NULL, &s, &e), HM_E_SCAN_NO_ALGORITHM);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "no entries"));
    hm_set_free(set);
    hm_buffer_free(data);
}

static void test_refusals(void)
{
    hm_scanner *s = (hm_scanner *)1;
    hm_error e;
    CU_ASSERT_EQUAL(hm_scanner_new(NULL, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(s);
    hm_set *unverified;
    size_t size;
    uint8_t *file = tf_small_signed(&size);
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(file, size, &unverified, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_scanner_new(unverified, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "verif"));
    hm_set_free(unverified);
    hm_buffer_free(file);

    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.algos = HM_MASK(HM_ALGO_WHASH) | HM_MASK(HM_ALGO_SHA1);
    CU_ASSERT_EQUAL(hm_scanner_new(F.set, &o, &s, &e), HM_E_SCAN_NO_ALGORITHM);
    CU_ASSERT_PTR_NULL(s);
    o.algos = HM_MASK(HM_ALGO_PHASH);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(F.set, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_scanner_algos(s), HM_MASK(HM_ALGO_PHASH));
    hm_report *rep = (hm_report *)1;
    CU_ASSERT_EQUAL(hm_scanner_scan_hashes(s, NULL, &rep, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(rep);
    CU_ASSERT_EQUAL(hm_scanner_scan_file(s, "/nonexistent/x.jpg", &rep, &e), HM_E_IO);
    CU_ASSERT_PTR_NULL(rep);
    static const uint8_t junk[] = "not an image";
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(s, junk, sizeof junk, &rep, &e), HM_E_IMAGE_FORMAT);
    CU_ASSERT_PTR_NULL(rep);
    hm_scanner_free(s);
    hm_scanner_free(NULL);
    hm_report_free(NULL);
    CU_ASSERT_EQUAL(hm_report_match_count(NULL), 0);
    CU_ASSERT_PTR_NULL(hm_report_match(NULL, 0));
}

/* Every tier the CPU has gives the same reports as scalar. */
static void test_tiers(void)
{
    hm_scanner *scalar = new_scanner(1, 1, HM_MATCH_TIER_SCALAR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scalar);
    int tested = 0;
    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
        if (!hm_match_tier_available((hm_match_tier)t)) {
            hm_scanner *s = (hm_scanner *)1;
            hm_scanner_options o = {.force_tier = 1, .tier = (hm_match_tier)t};
            CU_ASSERT_EQUAL(hm_scanner_new(F.set, &o, &s, NULL), HM_E_UNSUPPORTED);
            continue;
        }
        hm_scanner *s = new_scanner(1, 1, (hm_match_tier)t);
        tu_rng r;
        tu_rng_seed(&r, 1000 + (uint64_t)t);
        for (int i = 0; i < 100; i++) {
            hm_hashes h;
            make_query(&r, i, &h);
            h.has_pdq_dihedral = 1;
            for (int v = 0; v < 8; v++) flip_bits(&r, h.pdq, h.pdq_dihedral[v], 32, (unsigned)v * 3);
            hm_report *a, *b;
            CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &a, NULL), HM_OK);
            CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(scalar, &h, &b, NULL), HM_OK);
            CU_ASSERT_EQUAL_FATAL(hm_report_match_count(a), hm_report_match_count(b));
            for (size_t k = 0; k < hm_report_match_count(a); k++) {
                const hm_match *x = hm_report_match(a, k), *y = hm_report_match(b, k);
                CU_ASSERT(x->algo == y->algo && x->entry == y->entry &&
                          x->distance == y->distance && x->dihedral == y->dihedral &&
                          x->category == y->category && x->attesters == y->attesters);
            }
            CU_ASSERT_EQUAL(hm_report_suppressed_count(a), hm_report_suppressed_count(b));
            hm_report_free(a);
            hm_report_free(b);
        }
        tested++;
        hm_scanner_free(s);
    }
    CU_ASSERT(tested >= 1);
    hm_scanner_free(scalar);
}

/* One scanner, several threads at once: each thread's reports equal the
 * single-threaded ones. */
typedef struct {
    const hm_scanner *s;
    uint64_t seed;
    size_t counts[200];
    int ok;
} thread_job;

static void *scan_thread(void *arg)
{
    thread_job *j = arg;
    tu_rng r;
    tu_rng_seed(&r, j->seed);
    j->ok = 1;
    for (int i = 0; i < 200; i++) {
        hm_hashes h;
        make_query(&r, i, &h);
        hm_report *rep;
        if (hm_scanner_scan_hashes(j->s, &h, &rep, NULL) != HM_OK) j->ok = 0;
        j->counts[i] = hm_report_match_count(rep) * 1000 + hm_report_suppressed_count(rep);
        hm_report_free(rep);
    }
    return NULL;
}

static void test_threads(void)
{
    hm_scanner *s = new_scanner(0, 0, 0);
    thread_job solo = {.s = s, .seed = 5}, par[3];
    scan_thread(&solo);
    pthread_t tid[3];
    for (int t = 0; t < 3; t++) {
        par[t] = (thread_job){.s = s, .seed = 5};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[t], NULL, scan_thread, &par[t]), 0);
    }
    for (int t = 0; t < 3; t++) {
        pthread_join(tid[t], NULL);
        CU_ASSERT_TRUE(par[t].ok);
        CU_ASSERT_EQUAL(memcmp(par[t].counts, solo.counts, sizeof solo.counts), 0);
    }
    hm_scanner_free(s);
}

/* An index built by several threads answers as the one built by one. */
static void test_parallel_build(void)
{
    build_threads = 3;
    test_against_reference();
    test_dihedral();
    build_threads = 0;
}

/* The file, buffer and decoded-image paths hash the same way. */
/* A builder for a set named `name` with one category, "listed", version 1. */
static hm_set_builder *listed_builder(const char *name)
{
    hm_set_builder *b;
    unsigned cat;
    CU_ASSERT_FATAL(hm_set_builder_new(&b) == HM_OK);
    CU_ASSERT(hm_set_builder_set_name(b, name, NULL) == HM_OK);
    CU_ASSERT(hm_set_builder_add_category(b, "listed", &cat, NULL) == HM_OK);
    hm_set_builder_set_version(b, 1);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    return b;
}

/* Builds, signs with two keys and opens the set (*file keeps its bytes). */
static hm_set *listed_set(hm_set_builder *b, uint8_t **file)
{
    size_t size;
    CU_ASSERT_FATAL(hm_set_builder_build(b, file, &size, NULL) == HM_OK);
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    *file = tf_sign(*file, &size, KEYS, 2);
    hm_set_open_options o = tf_options();
    hm_set *set;
    CU_ASSERT_FATAL(hm_set_open(*file, size, &o, &set, NULL) == HM_OK);
    return set;
}

static void test_images(void)
{
    char *path = tu_path(tu_data_dir(), "threatexchange/q0122.jpg");
    hm_hashes h;
    hm_error e;
    hm_hash_options ho = {.algos = HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_SHA256)};
    CU_ASSERT_EQUAL_FATAL(hm_hash_file(path, &ho, &h, &e), HM_OK);

    hm_set_builder *b = listed_builder("images");
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, h.pdq, 0, 1, "q0122", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_SHA256, h.sha256, 0, 1, NULL, NULL), HM_OK);
    uint8_t *file;
    hm_set *set = listed_set(b, &file);
    hm_scanner *s;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, NULL, &s, &e), HM_OK);

    hm_report *rf, *rb, *ri;
    size_t n;
    uint8_t *bytes = tu_read(path, &n);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_file(s, path, &rf, &e), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_buffer(s, bytes, n, &rb, &e), HM_OK);
    hm_image *img;
    CU_ASSERT_EQUAL_FATAL(hm_image_decode(bytes, n, NULL, &img, &e), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_image(s, img, &ri, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_report_match_count(rf), 2); /* pdq distance 0 and sha256 */
    CU_ASSERT_EQUAL(hm_report_match(rf, 0)->algo, HM_ALGO_PDQ);
    CU_ASSERT_EQUAL(hm_report_match(rf, 0)->distance, 0);
    CU_ASSERT_STRING_EQUAL(hm_report_match(rf, 0)->external_id, "q0122");
    CU_ASSERT_EQUAL(hm_report_match(rf, 1)->algo, HM_ALGO_SHA256);
    CU_ASSERT_EQUAL(hm_report_match_count(rb), 2);
    CU_ASSERT_EQUAL(memcmp(hm_report_hashes(rf), hm_report_hashes(rb), sizeof(hm_hashes)), 0);
    CU_ASSERT_EQUAL(hm_report_match_count(ri), 1); /* no bytes, no digest */
    CU_ASSERT_EQUAL(hm_report_match(ri, 0)->algo, HM_ALGO_PDQ);
    CU_ASSERT_EQUAL(memcmp(hm_report_hashes(ri)->pdq, h.pdq, 32), 0);
    hm_report_free(rf);
    hm_report_free(rb);
    hm_report_free(ri);
    hm_image_free(img);
    free(bytes);
    free(path);
    hm_scanner_free(s);
    hm_set_free(set);
    hm_buffer_free(file);
}

/* A digest list may hold any file, and a damaged copy of a listed image has
 * a digest of its own: bytes that do not decode are still matched by their
 * digests, and keep their decoding error when nothing matches. */
static void test_undecodable_digests(void)
{
    static const char TEXT[] = "a listed file that is not an image";
    char *path = tu_path(tu_data_dir(), "threatexchange/q0122.jpg");
    size_t n;
    uint8_t *jpg = tu_read(path, &n);
    hm_hash_options ho = {.algos = HM_MASK(HM_ALGO_SHA256)};
    hm_hashes text, cut;
    CU_ASSERT_EQUAL_FATAL(hm_hash_buffer(TEXT, sizeof TEXT - 1, &ho, &text, NULL), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm_hash_buffer(jpg, 1000, &ho, &cut, NULL), HM_OK);
    hm_set_builder *b = listed_builder("digests");
    uint8_t pdq[32];
    memset(pdq, 0x3c, sizeof pdq);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, pdq, 0, 1, NULL, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_SHA256, text.sha256, 0, 1, "text", NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_SHA256, cut.sha256, 0, 1, "cut", NULL), HM_OK);
    uint8_t *file;
    hm_set *set = listed_set(b, &file);
    hm_scanner *sc;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, NULL, &sc, &e), HM_OK);
    hm_report *r = NULL;
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(sc, TEXT, sizeof TEXT - 1, &r, &e), HM_OK);
    CU_ASSERT(r && hm_report_match_count(r) == 1 &&
              !strcmp(hm_report_match(r, 0)->external_id, "text"));
    CU_ASSERT(r && hm_report_hashes(r)->algos == HM_MASK(HM_ALGO_SHA256));
    hm_report_free(r);
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(sc, jpg, 1000, &r, &e), HM_OK);
    CU_ASSERT(r && hm_report_match_count(r) == 1 &&
              !strcmp(hm_report_match(r, 0)->external_id, "cut"));
    hm_report_free(r);
    /* unlisted: the decoding error, with its message */
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(sc, TEXT, 10, &r, &e), HM_E_IMAGE_FORMAT);
    CU_ASSERT(r == NULL && e.status == HM_E_IMAGE_FORMAT && strstr(e.message, "not a JPEG"));
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(sc, jpg, 999, &r, &e), HM_E_IMAGE_TRUNCATED);
    CU_ASSERT_PTR_NULL(r);
    hm_scanner_free(sc);
    hm_set_free(set);
    hm_buffer_free(file);
    free(jpg);
    free(path);
}

/* A RIFF chunk of `type` with `n` bytes of `data`, padded to even length. */
static void put_riff(fx_buf *b, const char *type, const uint8_t *data, size_t n)
{
    uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    fx_put(b, type, 4);
    fx_put(b, len, 4);
    fx_put(b, data, n);
    if (n & 1) fx_put(b, "", 1);
}

/* Every frame of an animation costs a full hash at the canvas size: a small
 * file of tiny frames on a large canvas would cost hours. The decoded bytes
 * are bounded by the app's video limit or, when it leaves it 0, by
 * HM_DEFAULT_ANIMATION_MAX_DECODED_BYTES; over it the scan is an error. */
static void test_animation_limits(void)
{
    char *path = tu_path(tu_data_dir(), "animated/later-frame.webp");
    size_t n;
    uint8_t *webp = tu_read(path, &n);
    hm_set_builder *b = listed_builder("unrelated");
    uint8_t pdq[32];
    memset(pdq, 0x3c, sizeof pdq);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_PDQ, pdq, 0, 1, NULL, NULL), HM_OK);
    uint8_t *file;
    hm_set *set = listed_set(b, &file);
    hm_error e;
    hm_scanner *dflt, *tight, *exact;
    hm_scanner_options so;
    memset(&so, 0, sizeof so);
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, &so, &dflt, &e), HM_OK);
    so.video.limits.max_decoded_bytes = 2 * 128 * 128 * 4 - 1; /* two RGBA frames of 128x128, less 1 */
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, &so, &tight, &e), HM_OK);
    so.video.limits.max_decoded_bytes++;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_new(set, &so, &exact, &e), HM_OK);
    hm_report *r = NULL;
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(dflt, webp, n, &r, &e), HM_OK);
    CU_ASSERT(r && hm_video_frame_count(hm_report_video(r)) == 2);
    hm_report_free(r);
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(exact, webp, n, &r, &e), HM_OK);
    hm_report_free(r);
    r = NULL;
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(tight, webp, n, &r, &e), HM_E_LIMIT);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "later frames cannot be scanned: webp: 2 frames of "
                                             "128x128, 131072 bytes of decoded frames, over the "
                                             "limit of 131071"));
    /* The same 128x128 first frame 520 times on a 2048x2048 canvas: 660 kB of
     * file, 8.7 GB of decoded canvases, refused before any is decoded. */
    fx_buf big = {0};
    fx_put(&big, "RIFF\0\0\0\0WEBP", 12);
    const uint8_t vp8x[10] = {0x02, 0, 0, 0, 0xff, 0x07, 0, 0xff, 0x07, 0};
    put_riff(&big, "VP8X", vp8x, sizeof vp8x);
    put_riff(&big, "ANIM", (const uint8_t *)"\0\0\0\0\0\0", 6);
    size_t anmf = 12 + 18 + 14; /* after the RIFF header and the VP8X and ANIM chunks */
    CU_ASSERT_FATAL(!memcmp(webp + anmf, "ANMF", 4));
    size_t anmf_len = webp[anmf + 4] | (size_t)webp[anmf + 5] << 8;
    for (int k = 0; k < 520; k++) put_riff(&big, "ANMF", webp + anmf + 8, anmf_len);
    uint32_t riff = (uint32_t)big.size - 8;
    for (int k = 0; k < 4; k++) big.data[4 + k] = (uint8_t)(riff >> (8 * k));
    CU_ASSERT_EQUAL(hm_scanner_scan_buffer(dflt, big.data, big.size, &r, &e), HM_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "520 frames of 2048x2048, 8724152320 bytes of decoded "
                                             "frames, over the limit of 8589934592"));
    free(big.data);
    if (hm_video_supported()) { /* GIF: through the video decoder, per frame */
        char *gif = tu_path(tu_data_dir(), "animated/later-frame.gif");
        CU_ASSERT_EQUAL(hm_scanner_scan_file(tight, gif, &r, &e), HM_E_VIDEO_LIMIT);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "more than 131071 bytes of decoded frames"));
        CU_ASSERT_EQUAL(hm_scanner_scan_file(dflt, gif, &r, &e), HM_OK);
        hm_report_free(r);
        free(gif);
    }
    hm_scanner_free(dflt);
    hm_scanner_free(tight);
    hm_scanner_free(exact);
    hm_set_free(set);
    hm_buffer_free(file);
    free(webp);
    free(path);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite suite = CU_add_suite("scanner", (CU_InitializeFunc)build_fixture,
                                   (CU_CleanupFunc)free_fixture);
    static const tu_test tests[] = {
        {"reports equal the slow reference", test_against_reference},
        {"distance == radius matches, radius + 1 does not", test_boundary},
        {"dihedral queries", test_dihedral},
        {"the cost of an animation is bounded", test_animation_limits},
        {"PDQ quality minimum and digests", test_quality_and_digests},
        {"refusals", test_refusals},
        {"a scanner that could never match is refused", test_nothing_to_match},
        {"every tier equals scalar", test_tiers},
        {"one scanner, many threads", test_threads},
        {"index built on 3 threads", test_parallel_build},
        {"file, buffer and image paths", test_images},
        {"bytes that do not decode still match by digest", test_undecodable_digests},
        {NULL, NULL}};
    for (const tu_test *t = tests; t->name; t++)
        if (!suite || !CU_add_test(suite, t->name, t->fn)) return 1;
    return tu_run("test_scanner");
}
