/* test_match_index.c - the multi-index hashing index returns exactly the
 * brute-force answer (hm_hamming over every entry): never an entry missed
 * within the radius, never one beyond it, never one twice. Random and
 * clustered (PDQ-like) data, set-like sorted inputs, duplicates, every radius
 * from 0 to far beyond the index's useful range, forced index and forced scan
 * plans, queries split over parts, every SIMD tier. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "match/index_internal.h"
#include "match_testdata.h"

/* Build parameters: tables, bits per table, byte order, threads. */
#define SHAPE(m_, s_, order_, threads_)                                                         \
    {.tables = (m_), .table_bits = (s_), .byte_order = (order_), .threads = (threads_)}

static hm_status build(const uint8_t *codes, size_t n, size_t cb, const hm__index_params *p,
                       hm__index **out)
{
    return hm__index_build(codes, n, cb, p, out, NULL);
}

/* Queries: some planted at distances 0..max_d from entries, some random. */
static void make_queries(tu_rng *r, const uint8_t *codes, size_t n, size_t cb, uint8_t *q,
                         size_t nq, unsigned max_d)
{
    md_random_codes(r, q, nq, cb);
    for (size_t i = 0; i < nq && n; i++) {
        if (i % 4 == 3) continue; /* unrelated */
        memcpy(q + cb * i, codes + cb * tu_rng_below(r, (uint32_t)n), cb);
        md_flip_bits(r, q + cb * i, cb, tu_rng_below(r, max_d + 1));
    }
}

/* The reference answer of each query on its own (query fields 0). */
typedef struct refset {
    hm__hits *q;
    size_t nq;
} refset;

static void refs_make(const uint8_t *codes, size_t n, size_t cb, const uint8_t *q, size_t nq,
                      unsigned radius, refset *rs)
{
    rs->q = calloc(nq, sizeof *rs->q);
    rs->nq = nq;
    if (!rs->q) abort();
    for (size_t i = 0; i < nq; i++) md_ref_scan(codes, n, cb, q + cb * i, 1, radius, &rs->q[i]);
}

static void refs_free(refset *rs)
{
    for (size_t i = 0; i < rs->nq; i++) hm__hits_free(&rs->q[i]);
    free(rs->q);
}

/* 1 when the hits of query j in `all` (sorted) equal the reference. */
static int same_as_ref(const hm__hits *all, unsigned j, const hm__hits *ref)
{
    size_t k = 0;
    for (size_t h = 0; h < all->count; h++) {
        const hm__hit *x = &all->items[h];
        if (x->query != j) continue;
        if (k >= ref->count || x->entry != ref->items[k].entry || x->distance != ref->items[k].distance)
            return 0;
        k++;
    }
    return k == ref->count;
}

/* Probes one query makes through the index at this radius. */
static double probes_at(const hm__index *idx, unsigned radius)
{
    int radii[HM__MAX_TABLES];
    hm__index_radii(idx, radius, radii);
    double p = 0;
    for (unsigned t = 0; t < idx->m; t++) p += hm__ball(idx->s, radii[t]);
    return p;
}

/* Runs the queries (in calls of up to `per_call`) over `parts` and checks
 * the union of the parts against the reference. Forced index plans that
 * would probe more than 100000 keys per query are left to the cost model's
 * scan (tested with HM__PLAN_AUTO). Returns 1 when equal. */
static int check_queries(const hm__index *idx, const hm__kernels *k, size_t cb, const uint8_t *q,
                         size_t nq, unsigned per_call, unsigned radius, hm__plan plan,
                         unsigned parts, const refset *rs)
{
    if (plan == HM__PLAN_INDEX && (idx->compact ? hm__index_cost(idx, radius, 1) > 1e6
                                                : probes_at(idx, radius) > 100000))
        return 1;
    hm__index_scratch scratch = {0};
    hm__hits got = {0}, all = {0};
    int ok = 1;
    for (size_t i = 0; i < nq && ok; i += per_call) {
        unsigned m = (unsigned)(nq - i < per_call ? nq - i : per_call);
        all.count = 0;
        for (unsigned p = 0; p < parts && ok; p++) {
            got.count = 0;
            if (hm__index_query(idx, k, q + cb * i, m, radius, p, parts, plan, &scratch, &got,
                                NULL) != HM_OK)
                ok = 0;
            if (!got.count) continue;
            if (hm__hits_reserve(&all, got.count) != HM_OK) abort();
            memcpy(all.items + all.count, got.items, got.count * sizeof *got.items);
            all.count += got.count;
        }
        hm__hits_sort(&all);
        for (unsigned j = 0; j < m && ok; j++)
            if (!same_as_ref(&all, j, &rs->q[i + j])) {
                fprintf(stderr, "n=%zu cb=%zu r=%u plan=%d parts=%u query %zu: wrong hits\n",
                        idx->n, cb, radius, plan, parts, i + j);
                ok = 0;
            }
    }
    hm__hits_free(&got);
    hm__hits_free(&all);
    hm__index_scratch_free(&scratch);
    return ok;
}

static const unsigned RADII256[] = {0, 1, 2, 10, 31, 32, 64, 100};

static void run_256(const uint8_t *codes, size_t n, const hm__index_params *p, tu_rng *r,
                    const char *what)
{
    enum { Q = 24 };
    hm__index *idx = NULL;
    CU_ASSERT_EQUAL_FATAL(build(codes, n, 32, p, &idx), HM_OK);
    uint8_t q[Q * 32];
    make_queries(r, codes, n, 32, q, Q, 48);
    const hm__kernels *k = hm__kernels_best();
    int ok = 1;
    for (size_t i = 0; i < HM_ARRAY_SIZE(RADII256); i++) {
        refset rs;
        refs_make(codes, n, 32, q, Q, RADII256[i], &rs);
        ok &= check_queries(idx, k, 32, q, Q, 1, RADII256[i], HM__PLAN_INDEX, 1, &rs);
        ok &= check_queries(idx, k, 32, q, Q, 8, RADII256[i], HM__PLAN_AUTO, 1, &rs);
        ok &= check_queries(idx, k, 32, q, Q / 2, 8, RADII256[i], HM__PLAN_INDEX, 3, &rs);
        ok &= check_queries(idx, k, 32, q, Q / 2, 3, RADII256[i], HM__PLAN_SCAN, 2, &rs);
        refs_free(&rs);
    }
    if (!ok) fprintf(stderr, "failed: %s\n", what);
    CU_ASSERT(ok);
    hm__index_free(idx);
}

static void test_random_256(void)
{
    tu_rng r;
    tu_rng_seed(&r, 256);
    static const hm__index_params SHAPES[] = {
        SHAPE(0, 0, 0, 0), SHAPE(0, 0, -1, 2), SHAPE(16, 16, 0, 3), SHAPE(8, 16, 0, 1),
        SHAPE(5, 13, 0, 2), SHAPE(1, 4, 0, 4), SHAPE(32, 8, 0, 2), SHAPE(11, 20, 0, 2)};
    enum { N = 2000 };
    uint8_t *codes = malloc(N * 32);
    md_random_codes(&r, codes, N, 32);
    /* Near copies of other entries, so that small radii have hits. */
    for (size_t i = 1; i < N; i += 3) {
        memcpy(codes + 32 * i, codes + 32 * tu_rng_below(&r, (uint32_t)i), 32);
        md_flip_bits(&r, codes + 32 * i, 32, tu_rng_below(&r, 40));
    }
    size_t n = md_sort_unique(codes, N, 32);
    for (size_t s = 0; s < HM_ARRAY_SIZE(SHAPES); s++) run_256(codes, n, &SHAPES[s], &r, "random 256");
    free(codes);
}

static void test_clustered_256(void)
{
    tu_rng r;
    tu_rng_seed(&r, 128);
    enum { N = 2500 };
    uint8_t *codes = malloc(N * 32);
    static const hm__index_params SHAPES[] = {SHAPE(0, 0, 0, 2), SHAPE(16, 16, 0, 0), SHAPE(12, 12, 0, 2)};
    static const unsigned SPREAD[] = {4, 12, 30};
    for (size_t c = 0; c < HM_ARRAY_SIZE(SPREAD); c++) {
        md_clustered_codes(&r, codes, N, 32, 40, SPREAD[c]);
        size_t n = md_sort_unique(codes, N, 32);
        run_256(codes, n, &SHAPES[c], &r, "clustered 256");
    }
    free(codes);
}

static void run_64(const uint8_t *codes, size_t n, const hm__index_params *p, tu_rng *r,
                   unsigned max_radius)
{
    enum { Q = 24 };
    hm__index *idx = NULL;
    CU_ASSERT_EQUAL_FATAL(build(codes, n, 8, p, &idx), HM_OK);
    uint8_t q[Q * 8];
    make_queries(r, codes, n, 8, q, Q, 24);
    const hm__kernels *k = hm__kernels_best();
    int ok = 1;
    for (unsigned radius = 0; radius <= max_radius + 2; radius++) {
        unsigned rr = radius <= max_radius ? radius : radius == max_radius + 1 ? 64 : 100;
        refset rs;
        refs_make(codes, n, 8, q, Q, rr, &rs);
        ok &= check_queries(idx, k, 8, q, Q, 1, rr, HM__PLAN_INDEX, 1, &rs);
        ok &= check_queries(idx, k, 8, q, Q, 8, rr, HM__PLAN_AUTO, 1, &rs);
        ok &= check_queries(idx, k, 8, q, Q / 2, 5, rr, HM__PLAN_INDEX, 2, &rs);
        if (rr > max_radius) ok &= check_queries(idx, k, 8, q, Q / 2, 8, rr, HM__PLAN_SCAN, 3, &rs);
        refs_free(&rs);
    }
    CU_ASSERT(ok);
    hm__index_free(idx);
}

static void test_64(void)
{
    tu_rng r;
    tu_rng_seed(&r, 64);
    enum { N = 3000 };
    uint8_t *codes = malloc(N * 8);
    static const hm__index_params SHAPES[] = {SHAPE(0, 0, 0, 0), SHAPE(0, 0, -1, 2), SHAPE(4, 16, 0, 2), SHAPE(8, 8, 0, 3), SHAPE(3, 21, 0, 1), SHAPE(5, 12, 0, 2), SHAPE(1, 4, 0, 2)};
    md_random_codes(&r, codes, N, 8);
    for (size_t i = 1; i < N; i += 2) {
        memcpy(codes + 8 * i, codes + 8 * tu_rng_below(&r, (uint32_t)i), 8);
        md_flip_bits(&r, codes + 8 * i, 8, tu_rng_below(&r, 16));
    }
    size_t n = md_sort_unique(codes, N, 8);
    for (size_t s = 0; s < HM_ARRAY_SIZE(SHAPES); s++) run_64(codes, n, &SHAPES[s], &r, 20);
    md_clustered_codes(&r, codes, N, 8, 30, 6);
    n = md_sort_unique(codes, N, 8);
    run_64(codes, n, NULL, &r, 20);
    free(codes);
}

/* Unsorted input with duplicates; a bucket run too full for 16-bit offsets. */
static void test_duplicates_and_full_buckets(void)
{
    tu_rng r;
    tu_rng_seed(&r, 7);
    enum { N = 70000 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(N * cb), base[32];
        md_random_codes(&r, base, 1, cb);
        for (size_t i = 0; i < N; i++) {
            memcpy(codes + cb * i, base, cb);
            if (i % 16 == 0) md_flip_bits(&r, codes + cb * i, cb, 1 + tu_rng_below(&r, 6));
        }
        hm__index_params p = SHAPE(cb == 32 ? 8 : 4, 16, -1, 2);
        hm__index *idx = NULL;
        CU_ASSERT_EQUAL_FATAL(build(codes, N, cb, &p, &idx), HM_OK);
        CU_ASSERT_PTR_NOT_NULL(idx->t[0].off); /* one key holds 15/16 of the entries */
        uint8_t q[4 * 32];
        make_queries(&r, codes, N, cb, q, 4, 4);
        refset r3, r0;
        refs_make(codes, N, cb, q, 4, 3, &r3);
        refs_make(codes, N, cb, q, 4, 0, &r0);
        CU_ASSERT(check_queries(idx, hm__kernels_best(), cb, q, 4, 2, 3, HM__PLAN_INDEX, 1, &r3));
        CU_ASSERT(check_queries(idx, hm__kernels_best(), cb, q, 4, 4, 0, HM__PLAN_AUTO, 2, &r0));
        refs_free(&r3);
        refs_free(&r0);
        hm__index_free(idx);
        free(codes);
    }
}

/* Every tier's kernels give the index the same answer. */
static void test_tiers(void)
{
    tu_rng r;
    tu_rng_seed(&r, 3);
    enum { N = 2000 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(N * cb), q[16 * 32];
        md_clustered_codes(&r, codes, N, cb, 20, cb == 32 ? 16 : 4);
        size_t n = md_sort_unique(codes, N, cb);
        hm__index *idx = NULL;
        CU_ASSERT_EQUAL_FATAL(hm__index_build(codes, n, cb, NULL, &idx, NULL), HM_OK);
        make_queries(&r, codes, n, cb, q, 16, 20);
        refset rs;
        refs_make(codes, n, cb, q, 16, cb == 32 ? 31 : 10, &rs);
        for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
            const hm__kernels *k = hm__kernels_for_tier((hm_match_tier)t);
            if (!k) continue;
            CU_ASSERT(check_queries(idx, k, cb, q, 16, 8, cb == 32 ? 31 : 10, HM__PLAN_INDEX, 1, &rs));
        }
        refs_free(&rs);
        hm__index_free(idx);
        free(codes);
    }
}

/* The pigeonhole condition holds for every radius: sum(r_t + 1) == r + 1. */
static void test_radii(void)
{
    tu_rng r;
    tu_rng_seed(&r, 11);
    uint8_t codes[100 * 32];
    md_random_codes(&r, codes, 100, 32);
    static const hm__index_params SHAPES[] = {SHAPE(11, 20, 0, 2), SHAPE(16, 16, 0, 0), SHAPE(1, 4, 0, 0), SHAPE(32, 8, 0, 2)};
    for (size_t s = 0; s < HM_ARRAY_SIZE(SHAPES); s++) {
        hm__index *idx = NULL;
        CU_ASSERT_EQUAL_FATAL(build(codes, 100, 32, &SHAPES[s], &idx), HM_OK);
        for (unsigned radius = 0; radius <= 256; radius++) {
            int radii[HM__MAX_TABLES];
            hm__index_radii(idx, radius, radii);
            int sum = 0, lo = 1000, hi = -1000;
            for (unsigned t = 0; t < idx->m; t++) {
                sum += radii[t] + 1;
                lo = radii[t] < lo ? radii[t] : lo;
                hi = radii[t] > hi ? radii[t] : hi;
            }
            CU_ASSERT_EQUAL(sum, (int)radius + 1);
            CU_ASSERT(hi - lo <= 1);
        }
        hm__index_free(idx);
    }
    CU_ASSERT_EQUAL(hm__ball(23, 2), 1 + 23 + 253);
    CU_ASSERT_EQUAL(hm__ball(4, 9), 16);
    CU_ASSERT_EQUAL(hm__ball(7, -1), 0);
}

static void test_build_arguments(void)
{
    uint8_t codes[4 * 32] = {0}, q[32] = {0};
    hm__index *idx = (hm__index *)1;
    hm_error e;
    CU_ASSERT_EQUAL(hm__index_build(codes, 4, 16, NULL, &idx, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(idx);
    CU_ASSERT_EQUAL(hm__index_build(NULL, 4, 32, NULL, &idx, &e), HM_E_INVALID_ARGUMENT);
    hm__index_params bad = SHAPE(9, 30, 0, 0);
    CU_ASSERT_EQUAL(hm__index_build(codes, 4, 32, &bad, &idx, &e), HM_E_INVALID_ARGUMENT);
    hm__index_params bad2 = SHAPE(9, 8, 0, 0);
    CU_ASSERT_EQUAL(hm__index_build(codes, 4, 8, &bad2, &idx, &e), HM_E_INVALID_ARGUMENT);
    /* Empty and one-entry indexes answer correctly. */
    for (size_t n = 0; n <= 1; n++) {
        CU_ASSERT_EQUAL_FATAL(hm__index_build(codes, n, 32, NULL, &idx, &e), HM_OK);
        hm__index_scratch s = {0};
        hm__hits h = {0};
        CU_ASSERT_EQUAL(hm__index_query(idx, hm__kernels_best(), q, 1, 0, 0, 1, HM__PLAN_INDEX, &s, &h, &e), HM_OK);
        CU_ASSERT_EQUAL(h.count, n);
        CU_ASSERT_EQUAL(hm__index_query(idx, hm__kernels_best(), q, 9, 0, 0, 1, HM__PLAN_AUTO, &s, &h, &e),
                        HM_E_INVALID_ARGUMENT);
        CU_ASSERT_EQUAL(hm__index_query(idx, hm__kernels_best(), q, 1, 0, 2, 2, HM__PLAN_AUTO, &s, &h, &e),
                        HM_E_INVALID_ARGUMENT);
        hm__hits_free(&h);
        hm__index_scratch_free(&s);
        hm__index_free(idx);
    }
    hm__index_free(NULL);
}

/* The compact index (fingerprint tables and table 0 over sorted codes)
 * against the slow reference, every radius and plan, sorted and unsorted
 * codes (no table 0), several budgets, both code sizes; distance == radius
 * matches, radius + 1 does not (planted queries at every distance). */
static void run_compact(uint8_t *codes, size_t n, size_t cb, tu_rng *r, int sort)
{
    if (sort) n = md_sort_unique(codes, n, cb);
    static const double BUDGETS[] = {12, 24, 40, 64}; /* 64: forced, 4 tables of 12 bits */
    static const unsigned R256[] = {0, 1, 5, 16, 30, 31, 32, 40}, R64[] = {0, 2, 6, 9, 10, 11, 16};
    const unsigned *radii = cb == 32 ? R256 : R64;
    size_t nr = cb == 32 ? HM_ARRAY_SIZE(R256) : HM_ARRAY_SIZE(R64);
    enum { Q = 24 };
    uint8_t q[Q * 32];
    for (size_t b = 0; b < HM_ARRAY_SIZE(BUDGETS); b++) {
        hm__index_params p = {.compact = 1, .budget = BUDGETS[b]};
        if (BUDGETS[b] == 64) p.tables = 4, p.table_bits = 12;
        hm__index *idx = NULL;
        CU_ASSERT_EQUAL_FATAL(build(codes, n, cb, &p, &idx), HM_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(idx->compact);
        CU_ASSERT((double)hm__index_memory(idx) / (double)n <= BUDGETS[b] + 2.0);
        unsigned tables, key_bits, fp_bits, t0;
        hm__compact_shape(idx, &tables, &key_bits, &fp_bits, &t0);
        CU_ASSERT(sort || t0 == 0); /* table 0 needs sorted codes */
        printf("\n    compact %zu-bit, %s, budget %.0f: table 0 on %u bits + %u tables of %u+%u bits",
               8 * cb, sort ? "sorted" : "unsorted", BUDGETS[b], t0, tables, key_bits, fp_bits);
        int ok = 1;
        for (size_t k = 0; k < nr; k++) {
            /* planted at exactly radius, radius + 1 and below, and unrelated */
            md_random_codes(r, q, Q, cb);
            for (size_t i = 0; i < Q; i++) {
                if (i % 4 == 3) continue;
                memcpy(q + cb * i, codes + cb * tu_rng_below(r, (uint32_t)n), cb);
                unsigned d = i % 4 == 0 ? radii[k] : i % 4 == 1 ? radii[k] + 1 : tu_rng_below(r, radii[k] + 1);
                md_flip_bits(r, q + cb * i, cb, d);
            }
            refset rs;
            refs_make(codes, n, cb, q, Q, radii[k], &rs);
            ok &= check_queries(idx, hm__kernels_best(), cb, q, Q, 1, radii[k], HM__PLAN_INDEX, 1, &rs);
            ok &= check_queries(idx, hm__kernels_best(), cb, q, Q, 8, radii[k], HM__PLAN_AUTO, 1, &rs);
            ok &= check_queries(idx, hm__kernels_for_tier(HM_MATCH_TIER_SCALAR), cb, q, Q / 2, 3,
                                radii[k], HM__PLAN_INDEX, 2, &rs);
            refs_free(&rs);
        }
        if (!ok) fprintf(stderr, "compact: cb=%zu sorted=%d budget %.0f failed\n", cb, sort, BUDGETS[b]);
        CU_ASSERT(ok);
        hm__index_free(idx);
    }
}

static void test_compact(void)
{
    tu_rng r;
    tu_rng_seed(&r, 1600);
    enum { N = 5000 };
    for (size_t cb = 8; cb <= 32; cb += 24)
        for (int sort = 0; sort <= 1; sort++) {
            uint8_t *codes = malloc(N * cb);
            md_clustered_codes(&r, codes, N, cb, 8, cb == 32 ? 24 : 6);
            run_compact(codes, N, cb, &r, sort);
            free(codes);
        }
}

/* A shared query: a helper thread claims chunks while the caller does. */
typedef struct share_job {
    const hm__index *idx;
    const uint8_t *q;
    unsigned radius;
    hm__index_share *sh;
    uint32_t seq;
    hm__hits hits;
    unsigned ran;
    int ok, helper;
} share_job;

static void *share_thread(void *arg)
{
    share_job *j = arg;
    hm__index_scratch s = {0};
    j->ok = hm__index_query_share(j->idx, hm__kernels_best(), j->q, j->radius, j->sh, j->seq,
                                  j->helper, &s, &j->hits, &j->ran, NULL) == HM_OK;
    hm__index_scratch_free(&s);
    return NULL;
}

static void append(hm__hits *all, const hm__hits *h)
{
    if (!h->count) return;
    if (hm__hits_reserve(all, h->count) != HM_OK) abort();
    memcpy(all->items + all->count, h->items, h->count * sizeof *h->items);
    all->count += h->count;
}

/* One query through hm__index_query_share by the caller and (with
 * `helpers`) a second thread, plus a participant of the previous query that
 * must claim nothing: the union equals the reference. Returns the chunks. */
static unsigned shared_query(const hm__index *idx, size_t cb, const uint8_t *q, unsigned radius,
                             int helpers, hm__index_share *sh, const hm__hits *ref, int *ok)
{
    /* A helper after the deadline claims nothing; the caller may always. */
    hm__index_share_start(sh, idx, radius, 1);
    share_job late = {idx, q, radius, sh, sh->seq, {0}, 0, 0, 1};
    share_thread(&late);
    *ok &= late.ok && late.ran == 0 && late.hits.count == 0;
    hm__index_share_start(sh, idx, radius, 0);
    share_job stale = {idx, q, radius, sh, sh->seq - 1, {0}, 0, 0, 1};
    share_thread(&stale);
    *ok &= stale.ok && stale.ran == 0 && stale.hits.count == 0;
    share_job helper = {idx, q, radius, sh, sh->seq, {0}, 0, 0, 1};
    pthread_t th;
    int started = helpers && pthread_create(&th, NULL, share_thread, &helper) == 0;
    share_job me = {idx, q, radius, sh, sh->seq, {0}, 0, 0, 0};
    share_thread(&me);
    if (started) pthread_join(th, NULL);
    *ok &= me.ok && (!started || helper.ok) && atomic_load(&sh->finished) == sh->chunks &&
           me.ran + helper.ran == sh->chunks;
    hm__hits all = {0};
    append(&all, &me.hits);
    append(&all, &helper.hits);
    hm__hits_sort(&all);
    *ok &= same_as_ref(&all, 0, ref);
    hm__hits_free(&all);
    hm__hits_free(&me.hits);
    hm__hits_free(&helper.hits);
    hm__hits_free(&stale.hits);
    hm__hits_free(&late.hits);
    (void)cb;
    return sh->chunks;
}

static void test_shared_queries(void)
{
    tu_rng r;
    tu_rng_seed(&r, 4242);
    enum { N = 6000, Q = 12 };
    static const unsigned R256[] = {0, 2, 31, 32, 48}, R64[] = {0, 3, 10, 14};
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(N * cb), q[Q * 32];
        md_clustered_codes(&r, codes, N, cb, 60, cb == 32 ? 20 : 6);
        hm__index *idx = NULL;
        /* Shapes with enough probes at the larger radii to be split. */
        hm__index_params p = cb == 32 ? (hm__index_params)SHAPE(11, 16, 0, 0)
                                      : (hm__index_params)SHAPE(4, 16, 0, 0);
        CU_ASSERT_EQUAL_FATAL(build(codes, N, cb, &p, &idx), HM_OK);
        make_queries(&r, codes, N, cb, q, Q, cb == 32 ? 40 : 12);
        const unsigned *radii = cb == 32 ? R256 : R64;
        size_t nr = cb == 32 ? HM_ARRAY_SIZE(R256) : HM_ARRAY_SIZE(R64);
        hm__index_share sh;
        memset(&sh, 0, sizeof sh);
        int ok = 1;
        unsigned most = 0;
        for (size_t k = 0; k < nr; k++) {
            refset rs;
            refs_make(codes, N, cb, q, Q, radii[k], &rs);
            for (size_t i = 0; i < Q; i++)
                for (int helpers = 0; helpers <= 1; helpers++) {
                    unsigned c = shared_query(idx, cb, q + cb * i, radii[k], helpers, &sh, &rs.q[i], &ok);
                    if (c > most) most = c;
                }
            refs_free(&rs);
        }
        CU_ASSERT(ok);
        CU_ASSERT(most >= 2); /* some queries were really split */
        hm__index_free(idx);
        free(codes);
    }
}

/* The automatic shape stays within 64 bytes per entry and prefers the index
 * at the design radii once the set is large. */
static void test_shape_and_memory(void)
{
    tu_rng r;
    tu_rng_seed(&r, 99);
    enum { N = 200000 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(N * cb);
        md_random_codes(&r, codes, N, cb);
        hm__index *idx = NULL;
        CU_ASSERT_EQUAL_FATAL(hm__index_build(codes, N, cb, NULL, &idx, NULL), HM_OK);
        unsigned m, s;
        hm__index_shape(idx, &m, &s);
        double per = (double)hm__index_memory(idx) / N;
        printf("\n    %zu-bit codes, n=%d: %u tables of %u bits, %.1f bytes/entry", 8 * cb, N, m, s, per);
        CU_ASSERT(per <= 64.0 + 1.0);
        CU_ASSERT(m * s <= 8 * cb);
        CU_ASSERT(hm__index_uses_index(idx, cb == 32 ? 31 : 10));
        CU_ASSERT(!hm__index_uses_index(idx, cb == 32 ? 120 : 40));
        hm__index_free(idx);
        free(codes);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"random 256-bit codes, every radius and plan", test_random_256},
        {"clustered 256-bit codes (PDQ-like)", test_clustered_256},
        {"64-bit codes, radius 0..20", test_64},
        {"duplicates, unsorted input, over-full buckets", test_duplicates_and_full_buckets},
        {"every tier", test_tiers},
        {"per-table radii satisfy the pigeonhole bound", test_radii},
        {"build arguments, empty and tiny sets", test_build_arguments},
        {"shape and memory budget", test_shape_and_memory},
        {"queries shared by threads claiming chunks", test_shared_queries},
        {"compact index against the reference", test_compact},
        {NULL, NULL}};
    tu_add_suite("match index", tests);
    return tu_run("test_match_index");
}
