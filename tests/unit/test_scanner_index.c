/* test_scanner_index.c - the scanner's index policies and modes against a
 * slow reference (hm_hamming over every entry): HM_INDEX_NEVER, ALWAYS in
 * both modes, AUTO with and without expected queries, the switch from brute
 * force to the index while queries run (on the calling thread and on a
 * background thread), and hm_scanner_free during a background build. The
 * set is large enough (60,000 PDQ entries) for the index to pay. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/match.h"
#include "set_fixture.h"

#define N_PDQ 60000
#define RADIUS 31

static hm_set *g_set;
static uint8_t *g_file;
static uint8_t (*g_codes)[32];  /* the hashes as added */
static uint8_t (*g_sorted)[32]; /* entry i of the set's section */
static size_t g_n;

static void flip(tu_rng *r, const uint8_t *src, uint8_t *dst, unsigned d)
{
    memcpy(dst, src, 32);
    for (unsigned done = 0; done < d;) {
        unsigned bit = tu_rng_below(r, 256);
        uint8_t m = (uint8_t)(1u << (bit & 7));
        if ((dst[bit / 8] ^ src[bit / 8]) & m) continue;
        dst[bit / 8] ^= m;
        done++;
    }
}

/* Random entries with clusters of near neighbours (several hits per query). */
static int build_fixture(void)
{
    tu_rng r;
    tu_rng_seed(&r, 6000);
    hm_set_builder *b;
    unsigned cat;
    size_t size;
    g_codes = malloc(sizeof *g_codes * N_PDQ);
    if (!g_codes || hm_set_builder_new(&b) != HM_OK) return 1;
    int ok = hm_set_builder_set_name(b, "index policies", NULL) == HM_OK &&
             hm_set_builder_add_category(b, "c", &cat, NULL) == HM_OK;
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    for (int i = 0; ok && i < N_PDQ; i++) {
        if (i % 6) flip(&r, g_codes[i - i % 6], g_codes[i], 4 + tu_rng_below(&r, 28));
        else
            for (int k = 0; k < 32; k++) g_codes[i][k] = (uint8_t)tu_rng_next(&r);
        ok = hm_set_builder_add(b, HM_ALGO_PDQ, g_codes[i], cat, 1, NULL, NULL) == HM_OK;
    }
    ok = ok && hm_set_builder_build(b, &g_file, &size, NULL) == HM_OK;
    hm_set_builder_free(b);
    if (!ok) return 1;
    static const int KEYS[] = {0, 1};
    g_file = tf_sign(g_file, &size, KEYS, 2);
    hm_set_open_options o = tf_options();
    if (hm_set_open(g_file, size, &o, &g_set, NULL) != HM_OK) return 1;
    g_n = hm_set_section_get(g_set, HM_ALGO_PDQ)->entry_count;
    g_sorted = malloc(sizeof *g_sorted * g_n);
    for (size_t e = 0; g_sorted && e < g_n; e++) {
        hm_set_entry ent;
        if (hm_set_entry_get(g_set, HM_ALGO_PDQ, e, &ent) != HM_OK) return 1;
        memcpy(g_sorted[e], ent.hash, 32);
    }
    return g_sorted ? 0 : 1;
}

static int free_fixture(void)
{
    hm_set_free(g_set);
    hm_buffer_free(g_file);
    free(g_codes);
    free(g_sorted);
    return 0;
}

/* Query i: planted at distance i % 40 from a random entry, or unrelated. */
static void make_query(tu_rng *r, int i, hm_hashes *h)
{
    memset(h, 0, sizeof *h);
    h->algos = HM_MASK(HM_ALGO_PDQ);
    h->pdq_quality = 100;
    if (i % 3 == 2)
        for (int k = 0; k < 32; k++) h->pdq[k] = (uint8_t)tu_rng_next(r);
    else flip(r, g_codes[tu_rng_below(r, N_PDQ)], h->pdq, (unsigned)(i % 40));
}

/* The report's matches equal every entry within the radius, by hm_hamming. */
static void check_reference(const hm_report *rep, const uint8_t *q)
{
    size_t k = 0;
    for (size_t e = 0; e < g_n; e++) {
        unsigned d = hm_hamming(q, g_sorted[e], 32);
        if (d > RADIUS) continue;
        const hm_match *m = hm_report_match(rep, k++);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_EQUAL(m->entry, e);
        CU_ASSERT_EQUAL(m->distance, d);
    }
    CU_ASSERT_EQUAL(hm_report_match_count(rep), k);
}

/* One query, checked against the reference when `check`; returns its hits. */
static size_t scan_one(const hm_scanner *s, tu_rng *r, int i, int check)
{
    hm_hashes h;
    make_query(r, i, &h);
    hm_report *rep;
    CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
    if (check) check_reference(rep, h.pdq);
    size_t n = hm_report_match_count(rep);
    hm_report_free(rep);
    return n;
}

/* distance == radius matches, radius + 1 does not, for isolated entries. */
static void check_boundary(const hm_scanner *s)
{
    tu_rng r;
    tu_rng_seed(&r, 31);
    for (int i = 0; i < 30; i++) {
        size_t e = tu_rng_below(&r, (uint32_t)g_n);
        for (unsigned d = RADIUS; d <= RADIUS + 1; d++) {
            hm_hashes h;
            memset(&h, 0, sizeof h);
            h.algos = HM_MASK(HM_ALGO_PDQ);
            h.pdq_quality = 100;
            flip(&r, g_sorted[e], h.pdq, d);
            hm_report *rep;
            CU_ASSERT_EQUAL_FATAL(hm_scanner_scan_hashes(s, &h, &rep, NULL), HM_OK);
            int found = 0;
            for (size_t k = 0; k < hm_report_match_count(rep); k++)
                found |= hm_report_match(rep, k)->entry == e;
            CU_ASSERT_EQUAL(found, d == RADIUS);
            check_reference(rep, h.pdq);
            hm_report_free(rep);
        }
    }
}

static hm_scanner *make(hm_index_policy policy, hm_index_mode mode, uint64_t expected,
                        int no_threads)
{
    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.index = policy;
    o.index_mode = mode;
    o.expected_queries = expected;
    o.no_threads = no_threads;
    /* 60,000 entries scan fast: only a roomy compact index beats the scan. */
    o.index_bytes_per_entry = mode == HM_INDEX_COMPACT ? 48 : 0;
    hm_scanner *s = NULL;
    hm_error e;
    CU_ASSERT_EQUAL(hm_scanner_new(g_set, &o, &s, &e), HM_OK);
    return s;
}

static void check_memory(const hm_scanner *s, int indexed)
{
    hm_scanner_memory_usage m;
    hm_scanner_memory(s, &m);
    CU_ASSERT_EQUAL(m.codes, 32 * g_n);
    CU_ASSERT_EQUAL(m.metadata, 8 * g_n);
    CU_ASSERT_EQUAL(m.index, hm_scanner_index_memory(s));
    CU_ASSERT_EQUAL(m.total, hm_set_file_size(g_set) + m.index);
    CU_ASSERT_EQUAL(m.codes + m.metadata + m.set_rest, hm_set_file_size(g_set));
    CU_ASSERT_EQUAL(m.index > 0, indexed);
}

/* Every fixed policy and mode answers as the reference. */
static void test_fixed_policies(void)
{
    static const struct {
        hm_index_policy policy;
        hm_index_mode mode;
        uint64_t expected;
        int indexed;
    } CASES[] = {{HM_INDEX_NEVER, HM_INDEX_FAST, 0, 0},
                 {HM_INDEX_ALWAYS, HM_INDEX_FAST, 0, 1},
                 {HM_INDEX_ALWAYS, HM_INDEX_COMPACT, 0, 1},
                 {HM_INDEX_AUTO, HM_INDEX_FAST, 1, 0},          /* one image: never built */
                 {HM_INDEX_AUTO, HM_INDEX_FAST, 1000000000, 1}, /* a long run: built at once */
                 {HM_INDEX_AUTO, HM_INDEX_COMPACT, 1000000000, 1}};
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        hm_scanner *s = make(CASES[c].policy, CASES[c].mode, CASES[c].expected, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(hm_scanner_uses_index(s, HM_ALGO_PDQ), CASES[c].indexed);
        check_memory(s, CASES[c].indexed);
        tu_rng r;
        tu_rng_seed(&r, 100 + c);
        size_t hits = 0;
        for (int i = 0; i < 40; i++) hits += scan_one(s, &r, i, 1);
        CU_ASSERT(hits > 20);
        check_boundary(s);
        hm_scanner_free(s);
    }
    hm_scanner_options bad;
    memset(&bad, 0, sizeof bad);
    bad.index = (hm_index_policy)7;
    hm_scanner *s = (hm_scanner *)1;
    CU_ASSERT_EQUAL(hm_scanner_new(g_set, &bad, &s, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(s);
    bad.index = HM_INDEX_AUTO;
    bad.index_mode = (hm_index_mode)9;
    CU_ASSERT_EQUAL(hm_scanner_new(g_set, &bad, &s, NULL), HM_E_INVALID_ARGUMENT);
}

/* AUTO without expected queries and without threads: brute force until the
 * trigger, the index from the query that reaches it on. */
static void test_auto_switch_in_call(void)
{
    hm_scanner *s = make(HM_INDEX_AUTO, HM_INDEX_FAST, 0, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint64_t trigger = hm__scanner_index_trigger(s);
    CU_ASSERT_FATAL(trigger > 1 && trigger < 5000);
    tu_rng r;
    tu_rng_seed(&r, 7);
    for (uint64_t i = 1; i < trigger; i++) scan_one(s, &r, (int)i, i % 50 == 0 || i + 3 > trigger);
    CU_ASSERT_EQUAL(hm_scanner_uses_index(s, HM_ALGO_PDQ), 0);
    CU_ASSERT_EQUAL(hm_scanner_index_memory(s), 0);
    scan_one(s, &r, (int)trigger, 1);
    CU_ASSERT_EQUAL(hm_scanner_uses_index(s, HM_ALGO_PDQ), 1);
    check_memory(s, 1);
    for (int i = 0; i < 20; i++) scan_one(s, &r, i, 1);
    check_boundary(s);
    hm_scanner_free(s);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* AUTO with a background build: answers stay exact before, during and
 * after the switch. */
static void test_auto_background(void)
{
    hm_scanner *s = make(HM_INDEX_AUTO, HM_INDEX_FAST, 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint64_t trigger = hm__scanner_index_trigger(s);
    tu_rng r;
    tu_rng_seed(&r, 8);
    for (uint64_t i = 1; i <= trigger; i++) scan_one(s, &r, (int)i, i % 100 == 0);
    double t0 = now_s();
    int checked = 0;
    while (!hm_scanner_uses_index(s, HM_ALGO_PDQ) && now_s() - t0 < 60) {
        scan_one(s, &r, checked, checked % 10 == 0);
        checked++;
    }
    CU_ASSERT_EQUAL_FATAL(hm_scanner_uses_index(s, HM_ALGO_PDQ), 1);
    for (int i = 0; i < 20; i++) scan_one(s, &r, i, 1);
    hm_scanner_free(s);
}

/* hm_scanner_free right after the background build started: it is
 * cancelled and joined (the sanitizer build checks for leaks and races on
 * freed memory). */
static void test_free_during_build(void)
{
    for (int rep = 0; rep < 3; rep++) {
        hm_scanner *s = make(HM_INDEX_AUTO, rep == 2 ? HM_INDEX_COMPACT : HM_INDEX_FAST, 0, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        uint64_t trigger = hm__scanner_index_trigger(s);
        tu_rng r;
        tu_rng_seed(&r, 9);
        for (uint64_t i = 1; i <= trigger; i++) scan_one(s, &r, (int)i, 0);
        hm_scanner_free(s);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite suite = CU_add_suite("scanner index", (CU_InitializeFunc)build_fixture,
                                   (CU_CleanupFunc)free_fixture);
    static const tu_test tests[] = {
        {"fixed policies and modes equal the slow reference", test_fixed_policies},
        {"auto: switch to the index in the call that reaches the trigger", test_auto_switch_in_call},
        {"auto: background build, exact throughout", test_auto_background},
        {"free during a background build", test_free_during_build},
        {NULL, NULL}};
    for (const tu_test *t = tests; t->name; t++)
        if (!suite || !CU_add_test(suite, t->name, t->fn)) return 1;
    return tu_run("test_scanner_index");
}
