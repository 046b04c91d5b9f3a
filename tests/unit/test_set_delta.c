/* test_set_delta.c - delta updates: every delta rebuilds the new set byte
 * for byte, stays within the size bound, and every damaged, misdirected or
 * unsigned delta is refused with its own status while the old set stays as
 * it was. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "set/delta.h"
#include "set/set_internal.h"
#include "set_fixture.h"


static const uint8_t *digest_of(const uint8_t *file, size_t size, uint8_t out[32])
{
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(file, size, &s, NULL), HM_OK);
    memcpy(out, hm_set_digest(s), 32);
    hm_set_free(s);
    return out;
}

static uint8_t *finish(hm_set_builder *b, size_t *size, int sign)
{
    uint8_t *data;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_build(b, &data, size, &e), HM_OK);
    hm_set_builder_free(b);
    static const int K[] = {0, 1};
    return sign ? tf_sign(data, size, K, 2) : data;
}

/* The next release of tf_small_set: entries removed, added and changed,
 * categories reordered and added, a section gone (phash) and one new
 * (sha1), the allowlist changed, a new issuer. */
static uint8_t *release_two_with(const uint8_t *prev, uint64_t version, int sign, size_t *size,
                                 unsigned videos);

static uint8_t *release_two(const uint8_t *prev, uint64_t version, int sign, size_t *size)
{
    return release_two_with(prev, version, sign, size, 0);
}

/* `videos` vPDQ videos of 3..12 frames each (a fixed seed per video, so a
 * later release shares its first videos with an earlier one). */
static void add_videos(hm_set_builder *b, unsigned videos)
{
    for (unsigned v = 0; v < videos; v++) {
        tu_rng r;
        tu_rng_seed(&r, 1000 + v);
        hm_vpdq_frame f[12];
        size_t n = 3 + tu_rng_below(&r, 10);
        for (size_t i = 0; i < n; i++) {
            memset(&f[i], 0, sizeof f[i]);
            for (int k = 0; k < HM_PDQ_BYTES; k++) f[i].hash[k] = (uint8_t)tu_rng_below(&r, 256);
            f[i].frame = (uint32_t)i;
            f[i].quality = 60 + (int)i;
            f[i].timestamp = (double)i;
        }
        char id[24]; /* "video-" and any unsigned */
        snprintf(id, sizeof id, "video-%u", v);
        CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, n, v % 2, 1, id, NULL), HM_OK);
    }
}

static uint8_t *release_two_with(const uint8_t *prev, uint64_t version, int sign, size_t *size,
                                 unsigned videos)
{
    hm_set_builder *b;
    unsigned c;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    if (hm_set_builder_set_name(b, "test set", NULL) ||
        hm_set_builder_set_issuer(b, "hashmatch tests, second release", NULL) ||
        hm_set_builder_add_category(b, "csam", &c, NULL) ||
        hm_set_builder_add_category(b, "other", &c, NULL) ||
        hm_set_builder_add_category(b, "weapons", &c, NULL) ||
        hm_set_builder_add_category(b, "terror", &c, NULL))
        abort();
    hm_set_builder_set_version(b, version);
    hm_set_builder_set_times(b, TF_CREATED + 10, TF_EXPIRES + 10);
    hm_set_builder_set_previous(b, prev);
    tf_add(b, HM_ALGO_PDQ, "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", 0, 3, "NCMEC-1");
    tf_add(b, HM_ALGO_PDQ, "0000000000000000000000000000000000000000000000000000000000000001", 3, 1, NULL);
    tf_add(b, HM_ALGO_PDQ, "8000000000000000000000000000000000000000000000000000000000000000", 0, 1, NULL);
    tf_add(b, HM_ALGO_PDQ, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 3, 1, "GIFCT-10");
    tf_add(b, HM_ALGO_PDQ, "1234567812345678123456781234567812345678123456781234567812345678", 2, 1, "new-id");
    tf_add(b, HM_ALGO_PDQ, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 2, "x");
    tf_add(b, HM_ALGO_MD5, "d41d8cd98f00b204e9800998ecf8427e", 0, 1, NULL);
    tf_add(b, HM_ALGO_MD5, "00112233445566778899aabbccddeeff", 3, 4, "IWF-77");
    tf_add(b, HM_ALGO_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", 1, 1, "sha1-only");
    tf_add(b, HM_ALGO_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 1, 1, NULL);
    uint8_t a[32];
    tf_hex("0101010101010101010101010101010101010101010101010101010101010101", a, 32);
    CU_ASSERT_EQUAL(hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL), HM_OK);
    tf_hex("2222222222222222222222222222222222222222222222222222222222222222", a, 32);
    CU_ASSERT_EQUAL(hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL), HM_OK);
    add_videos(b, videos);
    return finish(b, size, sign);
}

typedef struct pair {
    uint8_t *old, *new_, *delta;
    size_t old_size, new_size, delta_size;
} pair;

static void make_pair(pair *p, uint64_t version, int sign, int chained)
{
    uint8_t d[32];
    memset(p, 0, sizeof *p);
    p->old = tf_small_signed(&p->old_size);
    p->new_ = release_two(chained ? digest_of(p->old, p->old_size, d) : NULL, version, sign,
                          &p->new_size);
    hm__delta_make_options o = {0, 1};
    hm_error e;
    CU_ASSERT_EQUAL(hm__delta_make(p->old, p->old_size, p->new_, p->new_size, &o, &p->delta,
                                   &p->delta_size, &e), HM_OK);
    if (!p->delta) fprintf(stderr, "\n  %s", e.message);
}

static void free_pair(pair *p)
{
    hm_buffer_free(p->old);
    hm_buffer_free(p->new_);
    hm_buffer_free(p->delta);
}

static hm_status apply_status(const pair *p, const uint8_t *delta, size_t size, hm_error *e)
{
    hm_set_open_options o = tf_options();
    uint8_t *out = (uint8_t *)1;
    size_t n = 1;
    hm_status st = hm_set_apply_delta(p->old, p->old_size, delta, size, &o, &out, &n, e);
    if (st != HM_OK) CU_ASSERT(out == NULL && n == 0); /* nothing partial */
    hm_buffer_free(st == HM_OK ? out : NULL);
    return st;
}

static void test_round_trip(void)
{
    pair p;
    make_pair(&p, TF_VERSION + 1, 1, 1);
    hm_set_open_options o = tf_options();
    uint8_t *out;
    size_t n;
    hm_error e;
    tu_stderr_begin();
    hm_status st = hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e);
    CU_ASSERT_EQUAL(tu_stderr_end(), 0); /* the library prints nothing */
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    CU_ASSERT_EQUAL(n, p.new_size);
    CU_ASSERT(n == p.new_size && !memcmp(out, p.new_, n));
    hm_buffer_free(out);
    /* The client's ceiling on a set's size holds for the new set too, before
     * it is built. */
    o.max_set_bytes = p.new_size - 1;
    out = NULL;
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_FILE_TOO_LARGE);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the new set is "));
    o.max_set_bytes = p.new_size;
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e), HM_OK);
    hm_buffer_free(out);
    o.max_set_bytes = 0;
    /* The public maker refuses nothing here and makes the same delta. */
    uint8_t *d2;
    size_t d2n;
    CU_ASSERT_EQUAL(hm_set_delta_make(p.old, p.old_size, p.new_, p.new_size, &d2, &d2n, &e), HM_OK);
    CU_ASSERT(d2n == p.delta_size && !memcmp(d2, p.delta, d2n));
    hm_buffer_free(d2);
    /* Sent as bytes (the path of section kinds not special-cased), every
     * section still rebuilds exactly. */
    for (unsigned from = 1; from <= 8; from++) {
        hm__delta_make_options g = {from, 0};
        CU_ASSERT_EQUAL(hm__delta_make(p.old, p.old_size, p.new_, p.new_size, &g, &d2, &d2n, &e), HM_OK);
        CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, d2, d2n, &o, &out, &n, &e), HM_OK);
        CU_ASSERT(n == p.new_size && !memcmp(out, p.new_, n));
        hm_buffer_free(out);
        hm_buffer_free(d2);
    }
    free_pair(&p);
}

/* A vPDQ section (frames, frame records, video records) appears, grows and
 * disappears between releases; each delta rebuilds the new set exactly. */
static void test_videos(void)
{
    size_t n0, n1, n2, n3;
    uint8_t d[32];
    uint8_t *s0 = tf_small_signed(&n0);
    uint8_t *s1 = release_two_with(digest_of(s0, n0, d), TF_VERSION + 1, 1, &n1, 3);
    uint8_t *s2 = release_two_with(digest_of(s1, n1, d), TF_VERSION + 2, 1, &n2, 5);
    uint8_t *s3 = release_two_with(digest_of(s2, n2, d), TF_VERSION + 3, 1, &n3, 0);
    uint8_t *sets[] = {s0, s1, s2, s3};
    const size_t sizes[] = {n0, n1, n2, n3};
    hm_set_open_options o = tf_options();
    for (int i = 0; i < 3; i++) {
        uint8_t *delta, *out;
        size_t dn, n;
        hm_error e;
        CU_ASSERT_EQUAL_FATAL(hm_set_delta_make(sets[i], sizes[i], sets[i + 1], sizes[i + 1], &delta,
                                                &dn, &e), HM_OK);
        CU_ASSERT_EQUAL(hm_set_apply_delta(sets[i], sizes[i], delta, dn, &o, &out, &n, &e), HM_OK);
        CU_ASSERT(n == sizes[i + 1] && !memcmp(out, sets[i + 1], n));
        hm_buffer_free(out);
        /* a damaged delta is refused, never a different set */
        delta[dn / 2] ^= 0x10;
        CU_ASSERT_NOT_EQUAL(hm_set_apply_delta(sets[i], sizes[i], delta, dn, &o, &out, &n, &e), HM_OK);
        hm_buffer_free(delta);
    }
    for (int i = 0; i < 4; i++) hm_buffer_free(sets[i]);
}

/* ---- larger sets: exact rebuild and the size bound ---- */

static void random_hash(tu_rng *r, uint8_t h[32])
{
    for (int k = 0; k < 4; k++) hm__store_le64(h + 8 * k, tu_rng_next(r));
}

/* Builds n random PDQ entries (ext ids on every third when `ids`), minus
 * ndrop of them, plus `extra` new ones (seed `seed2`); with ids and a
 * previous version, one entry in 50 also changes category. */
static uint8_t *random_set(size_t n, int ids, const uint8_t *prev, uint64_t version, size_t ndrop,
                           size_t extra, uint64_t seed2, size_t *size)
{
    hm_set_builder *b;
    CU_ASSERT_EQUAL_FATAL(hm_set_builder_new(&b), HM_OK);
    if (hm_set_builder_set_name(b, "random", NULL) || hm_set_builder_add_category(b, "a", NULL, NULL) ||
        hm_set_builder_add_category(b, "b", NULL, NULL))
        abort();
    hm_set_builder_set_version(b, version);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    hm_set_builder_set_previous(b, prev);
    tu_rng r, r2;
    tu_rng_seed(&r, 7);
    tu_rng_seed(&r2, seed2);
    uint8_t h[32];
    char id[32];
    for (size_t i = 0; i < n; i++) {
        random_hash(&r, h);
        snprintf(id, sizeof id, "id-%zu", i);
        /* Every n/ndrop-th entry is gone, and one in 50 changes category. */
        if (ndrop && i % (n / ndrop) == n / ndrop / 2) continue;
        unsigned cat = (h[0] & 1) ^ (prev && ids && i % 50 == 3);
        CU_ASSERT_EQUAL_FATAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, cat, 1, ids && i % 3 == 0 ? id : NULL, NULL), HM_OK);
    }
    for (size_t i = 0; i < extra; i++) {
        random_hash(&r2, h);
        snprintf(id, sizeof id, "new-%zu", i);
        CU_ASSERT_EQUAL_FATAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 1, 2, ids && i % 2 ? id : NULL, NULL), HM_OK);
    }
    return finish(b, size, 1);
}

static void test_random_sets(void)
{
    uint8_t d[32], *delta, *out;
    size_t old_size, new_size, delta_size, n;
    hm_error e;
    hm_set_open_options o = tf_options();
    /* External ids: inserting strings moves the references of later ones. */
    uint8_t *old = random_set(10000, 1, NULL, 1, 0, 0, 0, &old_size);
    uint8_t *new_ = random_set(10000, 1, digest_of(old, old_size, d), 2, 50, 150, 99, &new_size);
    CU_ASSERT_EQUAL_FATAL(hm_set_delta_make(old, old_size, new_, new_size, &delta, &delta_size, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_apply_delta(old, old_size, delta, delta_size, &o, &out, &n, &e), HM_OK);
    CU_ASSERT(n == new_size && !memcmp(out, new_, n));
    CU_ASSERT(delta_size < new_size / 10);
    hm_buffer_free(out);
    hm_buffer_free(delta);
    hm_buffer_free(old);
    hm_buffer_free(new_);
    /* The size bound, scaled down to 100,000 entries, 100 added and 10
     * removed (gaps between removals as at 10 million and 1,000). An added
     * PDQ entry occupies 40 bytes of the set. */
    old = random_set(100000, 0, NULL, 1, 0, 0, 0, &old_size);
    new_ = random_set(100000, 0, digest_of(old, old_size, d), 2, 10, 100, 5, &new_size);
    CU_ASSERT_EQUAL_FATAL(hm_set_delta_make(old, old_size, new_, new_size, &delta, &delta_size, &e), HM_OK);
    double bound = 1.05 * (100 * 40 + 2 * 10) + 4096;
    CU_ASSERT((double)delta_size <= bound);
    if ((double)delta_size > bound) fprintf(stderr, "\n  delta %zu bytes, bound %.0f", delta_size, bound);
    CU_ASSERT_EQUAL(hm_set_apply_delta(old, old_size, delta, delta_size, &o, &out, &n, &e), HM_OK);
    CU_ASSERT(n == new_size && !memcmp(out, new_, n));
    hm_buffer_free(out);
    hm_buffer_free(delta);
    hm_buffer_free(old);
    hm_buffer_free(new_);
}

/* ---- refusals ---- */

static void test_every_bit_and_length(void)
{
    pair p;
    make_pair(&p, TF_VERSION + 1, 1, 1);
    uint8_t *d = malloc(p.delta_size + 1);
    hm_error e;
    size_t wrong = 0;
    for (size_t bit = 0; bit < 8 * p.delta_size; bit++) {
        memcpy(d, p.delta, p.delta_size);
        d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        hm_status want = bit < 64 ? HM_E_DELTA_FORMAT : HM_E_DELTA_CORRUPT;
        wrong += apply_status(&p, d, p.delta_size, &e) != want;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    for (size_t len = 0; len < p.delta_size; len++)
        wrong += apply_status(&p, p.delta, len, &e) != HM_E_DELTA_TRUNCATED;
    CU_ASSERT_EQUAL(wrong, 0);
    memcpy(d, p.delta, p.delta_size);
    d[p.delta_size] = 0;
    CU_ASSERT_EQUAL(apply_status(&p, d, p.delta_size + 1, &e), HM_E_DELTA_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "1 bytes after the end of the delta"));
    /* Operations changed and the checksums recomputed (what an attacker can
     * do): the rebuilt set is not the one named, or signatures fail. */
    memcpy(d, p.delta, p.delta_size);
    d[HM__DELTA_HEADER_SIZE + 3 + 100] ^= 1; /* a byte of the new header's literal */
    hm__delta_seal(d, p.delta_size);
    CU_ASSERT_EQUAL(apply_status(&p, d, p.delta_size, &e), HM_E_DELTA_RESULT);
    memcpy(d, p.delta, p.delta_size);
    d[HM__D_RESULT_DIGEST] ^= 1; /* claims another result: no signature covers it */
    hm__delta_seal(d, p.delta_size);
    CU_ASSERT_EQUAL(apply_status(&p, d, p.delta_size, &e), HM_E_DELTA_FORMAT);
    free(d);
    free_pair(&p);
}

static void test_wrong_base(void)
{
    pair p;
    make_pair(&p, TF_VERSION + 1, 1, 1);
    hm_error e;
    /* Another set: the new one itself. */
    hm_set_open_options o = tf_options();
    uint8_t *out;
    size_t n;
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.new_, p.new_size, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_DELTA_BASE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the delta is for the set with content digest"));
    /* The right digest on damaged content the delta copies: the result is
     * wrong, and the old set is found to be damaged. */
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_unverified(p.old, p.old_size, &s, NULL), HM_OK);
    size_t entry0 = (size_t)(hm__set_view_get(s, HM_ALGO_PDQ)->hashes - s->mem);
    hm_set_free(s);
    p.old[entry0 + 31] ^= 0x40; /* 00..01, kept in the new set */
    CU_ASSERT_EQUAL(apply_status(&p, p.delta, p.delta_size, &e), HM_E_DELTA_BASE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the old set is damaged"));
    p.old[entry0 + 31] ^= 0x40;
    /* Damage in bytes the delta does not use (the old section table) does
     * not matter: the new set is rebuilt and verified whole. */
    p.old[300] ^= 0x40;
    CU_ASSERT_EQUAL(apply_status(&p, p.delta, p.delta_size, &e), HM_OK);
    p.old[300] ^= 0x40;
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, 100, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_SET_TRUNCATED);
    free_pair(&p);
}

static void test_unsigned_and_policy(void)
{
    pair p;
    hm_error e;
    make_pair(&p, TF_VERSION + 1, 0, 1); /* the new set is not signed */
    CU_ASSERT_EQUAL(apply_status(&p, p.delta, p.delta_size, &e), HM_E_SET_THRESHOLD);
    free_pair(&p);
    make_pair(&p, TF_VERSION, 1, 1); /* not newer than the old set */
    CU_ASSERT_EQUAL(apply_status(&p, p.delta, p.delta_size, &e), HM_E_SET_ROLLBACK);
    uint8_t *d;
    size_t dn;
    CU_ASSERT_EQUAL(hm_set_delta_make(p.old, p.old_size, p.new_, p.new_size, &d, &dn, &e),
                    HM_E_SET_ROLLBACK);
    CU_ASSERT_PTR_NULL(d);
    free_pair(&p);
    make_pair(&p, TF_VERSION + 1, 1, 0); /* not chained to the old set */
    CU_ASSERT_EQUAL(apply_status(&p, p.delta, p.delta_size, &e), HM_E_DELTA_CHAIN);
    CU_ASSERT_EQUAL(hm_set_delta_make(p.old, p.old_size, p.new_, p.new_size, &d, &dn, &e),
                    HM_E_DELTA_CHAIN);
    free_pair(&p);
    make_pair(&p, TF_VERSION + 1, 1, 1);
    hm_set_open_options o = tf_options();
    uint8_t *out;
    size_t n;
    o.now = TF_EXPIRES + 10; /* the new set's expiry */
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_SET_EXPIRED);
    o = tf_options();
    o.min_version = TF_VERSION + 2;
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_SET_ROLLBACK);
    o = tf_options();
    o.trust = tf_trust(2, 3, 2); /* signed by keys 0 and 1, which this policy does not know */
    CU_ASSERT_EQUAL(hm_set_apply_delta(p.old, p.old_size, p.delta, p.delta_size, &o, &out, &n, &e),
                    HM_E_SET_UNKNOWN_KEY);
    free_pair(&p);
}

/* ---- files: atomic replacement ---- */

static int temp_files(void)
{
    DIR *d = opendir(tu_tmp_dir());
    struct dirent *ent;
    int n = 0;
    while ((ent = readdir(d)) != NULL) n += strstr(ent->d_name, ".tmp-") != NULL;
    closedir(d);
    return n;
}

static void test_files(void)
{
    pair p;
    make_pair(&p, TF_VERSION + 1, 1, 1);
    char *old = tu_path(tu_tmp_dir(), "old.hmset"), *delta = tu_path(tu_tmp_dir(), "d.hmdelta"),
         *bad = tu_path(tu_tmp_dir(), "bad.hmdelta");
    CU_ASSERT_EQUAL_FATAL(tu_write(old, p.old, p.old_size), 0);
    CU_ASSERT_EQUAL_FATAL(tu_write(delta, p.delta, p.delta_size), 0);
    p.delta[p.delta_size / 2] ^= 4;
    CU_ASSERT_EQUAL_FATAL(tu_write(bad, p.delta, p.delta_size), 0);
    hm_set_open_options o = tf_options();
    hm_set *s = (hm_set *)1;
    hm_error e;
    /* Refused: the old file is untouched and no temporary file is left. */
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, bad, old, &o, &s, &e), HM_E_DELTA_CORRUPT);
    CU_ASSERT_PTR_NULL(s);
    size_t n;
    uint8_t *now = tu_read(old, &n);
    CU_ASSERT(n == p.old_size && !memcmp(now, p.old, n));
    free(now);
    CU_ASSERT_EQUAL(temp_files(), 0);
    /* Applied in place: the file is the new set, and so is the handle. */
    CU_ASSERT_EQUAL_FATAL(hm_set_apply_delta_file(old, delta, old, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_version(s), TF_VERSION + 1);
    CU_ASSERT(hm_set_is_verified(s));
    hm_set_free(s);
    now = tu_read(old, &n);
    CU_ASSERT(n == p.new_size && !memcmp(now, p.new_, n));
    free(now);
    CU_ASSERT_EQUAL(temp_files(), 0);
    /* Applying it again: the base is now the new set. */
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, delta, old, &o, NULL, &e), HM_E_DELTA_BASE);
    /* A destination that is a FIFO or a link is not replaced by the rename. */
    free_pair(&p);
    make_pair(&p, TF_VERSION + 2, 1, 1);
    CU_ASSERT_EQUAL_FATAL(tu_write(old, p.old, p.old_size), 0);
    CU_ASSERT_EQUAL_FATAL(tu_write(delta, p.delta, p.delta_size), 0);
    char *fifo = tu_path(tu_tmp_dir(), "dest.fifo"), *link = tu_path(tu_tmp_dir(), "dest.link");
    unlink(fifo);
    unlink(link);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(old, link), 0);
    const char *dests[] = {fifo, link, tu_tmp_dir()};
    for (size_t i = 0; i < 3; i++) {
        struct stat st0, st1;
        CU_ASSERT_EQUAL(lstat(dests[i], &st0), 0);
        CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, delta, dests[i], &o, NULL, &e), HM_E_NOT_REGULAR_FILE);
        CU_ASSERT(lstat(dests[i], &st1) == 0 && st1.st_mode == st0.st_mode && st1.st_ino == st0.st_ino);
    }
    CU_ASSERT_EQUAL(temp_files(), 0);
    unlink(fifo);
    unlink(link);
    free(fifo);
    free(link);
    free(old);
    free(delta);
    free(bad);
    free_pair(&p);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "\ntest_set_delta: applying a delta blocked on a FIFO (alarm)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
}

/* The old set or the delta named by a FIFO (no writer), a directory or a
 * socket: refused at once as not a regular file. open() used to block on
 * the FIFO for ever; the alarm turns that hang into a failure. */
static void test_special_inputs(void)
{
    pair p;
    make_pair(&p, TF_VERSION + 1, 1, 1);
    char *old = tu_path(tu_tmp_dir(), "sp-old.hmset"), *delta = tu_path(tu_tmp_dir(), "sp.hmdelta"),
         *fifo = tu_path(tu_tmp_dir(), "sp.fifo"), *out = tu_path(tu_tmp_dir(), "sp-new.hmset");
    CU_ASSERT_EQUAL_FATAL(tu_write(old, p.old, p.old_size), 0);
    CU_ASSERT_EQUAL_FATAL(tu_write(delta, p.delta, p.delta_size), 0);
    unlink(fifo);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    hm_set_open_options o = tf_options();
    hm_error e;
    signal(SIGALRM, on_alarm);
    alarm(20);
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(fifo, delta, out, &o, NULL, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the old set"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "FIFO"));
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, fifo, out, &o, NULL, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the delta"));
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, tu_tmp_dir(), out, &o, NULL, &e),
                    HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "directory"));
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, "/nonexistent/x", out, &o, NULL, &e), HM_E_IO);
    alarm(0);
    CU_ASSERT_EQUAL(access(out, F_OK), -1);
    /* The same files apply when they are regular. */
    CU_ASSERT_EQUAL(hm_set_apply_delta_file(old, delta, out, &o, NULL, &e), HM_OK);
    unlink(fifo);
    free(old);
    free(delta);
    free(fifo);
    free(out);
    free_pair(&p);
}

static void test_codes(void)
{
    /* Golomb-Rice positions round-trip at every parameter; a position past
     * the limit is refused. */
    uint64_t pos[] = {0, 1, 2, 10, 1000, 1001, 123456};
    for (unsigned k = 0; k <= 20; k++) {
        hm__dbuf b = {0};
        hm__dbuf_rice(&b, pos, 7, k);
        hm__rice_reader r = {b.data, b.len, 0, k, 0};
        uint64_t v;
        for (size_t i = 0; i < 7; i++) {
            CU_ASSERT_EQUAL(hm__rice_next(&r, 123457, &v), 0);
            CU_ASSERT_EQUAL(v, pos[i]);
        }
        hm__rice_reader r2 = {b.data, b.len, 0, k, 0};
        for (size_t i = 0; i < 6; i++) CU_ASSERT_EQUAL(hm__rice_next(&r2, 123456, &v), 0);
        CU_ASSERT_EQUAL(hm__rice_next(&r2, 123456, &v), -1);
        free(b.data);
    }
    size_t bytes;
    uint64_t spread[1000];
    for (int i = 0; i < 1000; i++) spread[i] = (uint64_t)i * 10000 + 17;
    unsigned k = hm__rice_best(spread, 1000, &bytes);
    CU_ASSERT(k >= 12 && k <= 14); /* gaps of 10,000: about log2(10000 * ln 2) */
    CU_ASSERT(bytes <= 2 * 1000);
    hm__remap_piece pieces[] = {{0, 0, 10}, {20, 12, 5}};
    CU_ASSERT_EQUAL(hm__remap(pieces, 2, 0), 0);
    CU_ASSERT_EQUAL(hm__remap(pieces, 2, 9), 9);
    CU_ASSERT_EQUAL(hm__remap(pieces, 2, 15), 0); /* removed */
    CU_ASSERT_EQUAL(hm__remap(pieces, 2, 22), 14);
    CU_ASSERT_EQUAL(hm__remap(pieces, 2, 25), 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test DELTA[] = {{"Golomb-Rice codes and string remapping", test_codes},
                                    {"round trip, every section kind as bytes", test_round_trip},
                                    {"random sets, the size bound", test_random_sets},
                                    {"sets with videos", test_videos},
                                    {"every flipped bit, every truncation", test_every_bit_and_length},
                                    {"wrong or damaged base", test_wrong_base},
                                    {"unsigned, older, unchained, expired", test_unsigned_and_policy},
                                    {"files: atomic, old set untouched", test_files},
                                    {"a FIFO or directory as the old set or delta", test_special_inputs},
                                    {NULL, NULL}};
    tu_add_suite("set delta", DELTA);
    return tu_run("test_set_delta");
}
