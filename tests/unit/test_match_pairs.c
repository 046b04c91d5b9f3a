/* test_match_pairs.c - fused pair statistics (histogram and minima,
 * lib/match/pairs.h) on every tier this machine runs, against O(n^2)
 * references built on hm_hamming: block sizes around every register block
 * and row tile, unaligned starts, groups, extreme distances, the kernels'
 * pair-order rule, and blocks split the way callers split work. */
#include <stdio.h>
#include <string.h>

#include "match/kernels.h"
#include "match/pairs.h"
#include "match_testdata.h"

static const size_t SIZES[] = {0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257,
                               511, 512, 513, 700};

/* Whether the pair (i, j) counts: j - i > jmi_min and different groups. */
static int ref_counted(size_t i, size_t j, const uint32_t *ga, const uint32_t *gb,
                       ptrdiff_t jmi_min)
{
    if (jmi_min != HM__ALL_PAIRS && (ptrdiff_t)j - (ptrdiff_t)i <= jmi_min) return 0;
    return !(ga && gb && ga[i] == gb[j]);
}

static void ref_hist(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                     const uint32_t *gb, size_t cb, ptrdiff_t jmi_min, uint64_t *hist)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (ref_counted(i, j, ga, gb, jmi_min)) hist[hm_hamming(a + cb * i, b + cb * j, cb)]++;
}

/* Minima over the same pairs; min_a and min_b may be one array. */
static void ref_min(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                    const uint32_t *gb, size_t cb, ptrdiff_t jmi_min, uint16_t *min_a,
                    uint16_t *min_b)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            if (!ref_counted(i, j, ga, gb, jmi_min)) continue;
            unsigned d = hm_hamming(a + cb * i, b + cb * j, cb);
            if (d < min_a[i]) min_a[i] = (uint16_t)d;
            if (d < min_b[j]) min_b[j] = (uint16_t)d;
        }
}

static void random_groups(tu_rng *r, uint32_t *g, size_t n, uint32_t groups)
{
    for (size_t i = 0; i < n; i++) g[i] = tu_rng_below(r, groups);
}

/* Half random codes, half near copies (small distances reach the low bins). */
static void pair_codes(tu_rng *r, uint8_t *p, size_t n, size_t cb)
{
    md_random_codes(r, p, n, cb);
    for (size_t i = 1; i < n; i += 2) {
        memcpy(p + cb * i, p + cb * tu_rng_below(r, (uint32_t)i), cb);
        md_flip_bits(r, p + cb * i, cb, tu_rng_below(r, 12));
    }
}

static int hist_equal(const uint64_t *x, const uint64_t *y, size_t bins)
{
    return memcmp(x, y, bins * sizeof *x) == 0;
}

static void init_minima(tu_rng *r, uint16_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m[i] = (uint16_t)(tu_rng_below(r, 4) ? 0xffff : tu_rng_below(r, 300));
}

/* Adds complement pairs (the largest distance) and exact copies (0). */
static void extreme_pairs(uint8_t *p, size_t n, size_t cb)
{
    for (size_t i = 3; i + 1 < n; i += 37) {
        for (size_t k = 0; k < cb; k++) p[cb * (i + 1) + k] = (uint8_t)~p[cb * i + k];
        if (i + 2 < n) memcpy(p + cb * (i + 2), p + cb * i, cb);
    }
}

static void test_stats(void)
{
    tu_rng r;
    tu_rng_seed(&r, 31337);
    size_t runs = 0;
    for (size_t cb = 8; cb <= 32; cb += 24) {
        hm__pair_acc *acc;
        CU_ASSERT_FATAL(hm__pair_acc_new(cb, &acc) == HM_OK);
        for (size_t s = 0; s < HM_ARRAY_SIZE(SIZES); s++)
            for (int grouped = 0; grouped < 2; grouped++) {
                size_t n = SIZES[s], bins = 8 * cb + 1, off = (s * 3 + (size_t)grouped) % 8;
                uint8_t *base, *codes = md_alloc(n * cb, off, &base);
                uint32_t *g = malloc((n + 1) * sizeof *g);
                uint16_t *init = malloc((n + 1) * sizeof *init), *want_min = malloc((n + 1) * 2);
                uint16_t *got_min = malloc((n + 1) * sizeof *got_min);
                pair_codes(&r, codes, n, cb);
                extreme_pairs(codes, n, cb);
                random_groups(&r, g, n, 1 + (uint32_t)(n / 8));
                init_minima(&r, init, n);
                const uint32_t *gp = grouped ? g : NULL;
                uint64_t want[257] = {0};
                ref_hist(codes, n, gp, codes, n, gp, cb, 0, want);
                uint64_t total = 0;
                for (size_t d = 0; d < bins; d++) total += want[d];
                if (!grouped) CU_ASSERT_EQUAL(total, (uint64_t)n * (n ? n - 1 : 0) / 2);
                memcpy(want_min, init, n * sizeof *init);
                ref_min(codes, n, gp, codes, n, gp, cb, 0, want_min, want_min);
                for (int t = 0; t < HM_MATCH_TIER_COUNT; t++)
                    for (int with_min = 0; with_min < 2; with_min++) {
                        uint64_t got[257] = {0};
                        memcpy(got_min, init, n * sizeof *init);
                        hm_status st = hm__pairs_stats_tier((hm_match_tier)t, acc, codes, n, gp,
                                                            with_min ? got_min : NULL);
                        if (st == HM_E_UNSUPPORTED) continue;
                        CU_ASSERT_EQUAL(st, HM_OK);
                        hm__pair_acc_flush(acc, got);
                        runs++;
                        if (!hist_equal(want, got, bins) || (with_min && memcmp(want_min, got_min, n * 2))) {
                            fprintf(stderr, "stats tier %s cb=%zu n=%zu grouped=%d min=%d differ\n",
                                    hm_match_tier_name((hm_match_tier)t), cb, n, grouped, with_min);
                            CU_FAIL("stats differ");
                        }
                        if (!with_min) CU_ASSERT(memcmp(got_min, init, n * sizeof *init) == 0);
                    }
                /* The default entry point is the best tier and adds to hist. */
                uint64_t twice[257];
                memcpy(twice, want, sizeof twice);
                memcpy(got_min, init, n * sizeof *init);
                hm__pairs_stats(acc, codes, n, gp, got_min);
                hm__pair_acc_flush(acc, twice);
                for (size_t d = 0; d < bins; d++) CU_ASSERT_EQUAL(twice[d], 2 * want[d]);
                CU_ASSERT(memcmp(want_min, got_min, n * sizeof *got_min) == 0);
                free(g);
                free(init);
                free(want_min);
                free(got_min);
                free(base);
            }
        hm__pair_acc_free(acc);
    }
    CU_ASSERT(runs >= 2 * HM_ARRAY_SIZE(SIZES) * 2 * 2 * 2);
}

static void test_stats_cross(void)
{
    tu_rng r;
    tu_rng_seed(&r, 2024);
    static const size_t NA[] = {0, 1, 5, 33, 100, 257, 600};
    static const size_t NB[] = {0, 1, 7, 15, 16, 31, 32, 64, 65, 129, 300};
    for (size_t cb = 8; cb <= 32; cb += 24) {
        hm__pair_acc *acc;
        CU_ASSERT_FATAL(hm__pair_acc_new(cb, &acc) == HM_OK);
        for (size_t x = 0; x < HM_ARRAY_SIZE(NA); x++)
            for (size_t y = 0; y < HM_ARRAY_SIZE(NB); y++) {
                size_t na = NA[x], nb = NB[y];
                uint8_t *ba, *bb, *a = md_alloc(na * cb, x, &ba), *b = md_alloc(nb * cb, y + 3, &bb);
                uint32_t ga[600], gb[300];
                uint16_t ia[600], ib[300], wa[600], wb[300], ma[600], mb[300];
                pair_codes(&r, a, na, cb);
                pair_codes(&r, b, nb, cb);
                if (na && nb) memcpy(b, a, cb);
                random_groups(&r, ga, na, 6);
                random_groups(&r, gb, nb, 6);
                init_minima(&r, ia, na);
                init_minima(&r, ib, nb);
                for (int grouped = 0; grouped < 2; grouped++) {
                    const uint32_t *pa = grouped ? ga : NULL, *pb = grouped ? gb : NULL;
                    uint64_t want[257] = {0};
                    ref_hist(a, na, pa, b, nb, pb, cb, HM__ALL_PAIRS, want);
                    memcpy(wa, ia, sizeof wa);
                    memcpy(wb, ib, sizeof wb);
                    ref_min(a, na, pa, b, nb, pb, cb, HM__ALL_PAIRS, wa, wb);
                    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++)
                        for (int with_min = 0; with_min < 2; with_min++) {
                            uint64_t got[257] = {0};
                            memcpy(ma, ia, sizeof ma);
                            memcpy(mb, ib, sizeof mb);
                            hm_status st = hm__pairs_stats_cross_tier(
                                (hm_match_tier)t, acc, a, na, pa, b, nb, pb, with_min ? ma : NULL,
                                with_min ? mb : NULL);
                            if (st == HM_E_UNSUPPORTED) continue;
                            CU_ASSERT_EQUAL(st, HM_OK);
                            hm__pair_acc_flush(acc, got);
                            CU_ASSERT(hist_equal(want, got, 257));
                            CU_ASSERT(memcmp(ma, with_min ? wa : ia, na * sizeof *ma) == 0);
                            CU_ASSERT(memcmp(mb, with_min ? wb : ib, nb * sizeof *mb) == 0);
                        }
                }
                free(ba);
                free(bb);
            }
        hm__pair_acc_free(acc);
    }
}

/* A block against itself through the cross entry point, with one minimum
 * array for both sides: every ordered pair, i == j included. */
static void test_stats_aliased_minima(void)
{
    tu_rng r;
    tu_rng_seed(&r, 5);
    enum { N = 300 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t codes[N * 32];
        uint32_t g[N];
        uint16_t init[N], want[N], wb[N], got[N];
        pair_codes(&r, codes, N, cb);
        random_groups(&r, g, N, 40);
        init_minima(&r, init, N);
        memcpy(want, init, sizeof want);
        memcpy(wb, init, sizeof wb);
        ref_min(codes, N, g, codes, N, g, cb, HM__ALL_PAIRS, want, wb);
        for (size_t i = 0; i < N; i++) want[i] = want[i] < wb[i] ? want[i] : wb[i];
        hm__pair_acc *acc;
        CU_ASSERT_FATAL(hm__pair_acc_new(cb, &acc) == HM_OK);
        for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
            memcpy(got, init, sizeof got);
            hm_status st = hm__pairs_stats_cross_tier((hm_match_tier)t, acc, codes, N, g, codes, N,
                                                      g, got, got);
            if (st == HM_E_UNSUPPORTED) continue;
            CU_ASSERT_EQUAL(st, HM_OK);
            CU_ASSERT(memcmp(got, want, sizeof got) == 0);
        }
        hm__pair_acc_free(acc);
    }
}

/* The kernels' own pair-order rule (jmi_min) and groups on every tier,
 * against the references, from unaligned codes; and the counts of several
 * calls adding up in one accumulator. */
static void test_stats_kernels(void)
{
    static const ptrdiff_t JMI[] = {HM__ALL_PAIRS, -1000, -40, -3, -1, 0, 1, 5, 37, 100, 2000};
    tu_rng r;
    tu_rng_seed(&r, 88);
    uint8_t abuf[150 * 32 + 3], bbuf[170 * 32 + 5], *a = abuf + 3, *b = bbuf + 5;
    uint32_t ga[150], gb[170];
    pair_codes(&r, a, 150, 32);
    pair_codes(&r, b, 170, 32);
    random_groups(&r, ga, 150, 3);
    random_groups(&r, gb, 170, 3);
    for (size_t cb = 8; cb <= 32; cb += 24) {
        hm__pair_acc *acc;
        CU_ASSERT_FATAL(hm__pair_acc_new(cb, &acc) == HM_OK);
        for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
            const hm__kernels *k = hm__kernels_for_tier((hm_match_tier)t);
            if (!k) continue;
            hm__stats_fn fn = cb == 32 ? k->stats256 : k->stats64;
            for (size_t x = 0; x < HM_ARRAY_SIZE(JMI); x++)
                for (int grouped = 0; grouped < 2; grouped++) {
                    size_t na = 40 + 9 * x, nb = 60 + 10 * x;
                    uint16_t wa[150], wb[170], ma[150], mb[170];
                    memset(wa, 0xff, sizeof wa);
                    memset(wb, 0xff, sizeof wb);
                    memset(ma, 0xff, sizeof ma);
                    memset(mb, 0xff, sizeof mb);
                    const uint32_t *pa = grouped ? ga : NULL, *pb = grouped ? gb : NULL;
                    uint64_t want[257] = {0}, got[257] = {0};
                    ref_hist(a, na, pa, b, nb, pb, cb, JMI[x], want);
                    ref_min(a, na, pa, b, nb, pb, cb, JMI[x], wa, wb);
                    fn(a, na, pa, b, nb, pb, JMI[x], acc, ma, mb);
                    fn(a, na, pa, b, nb, pb, JMI[x], acc, NULL, NULL); /* counts twice */
                    hm__pair_acc_flush(acc, got);
                    for (int d = 0; d < 257; d++) CU_ASSERT_EQUAL(got[d], 2 * want[d]);
                    CU_ASSERT(memcmp(wa, ma, sizeof wa) == 0);
                    CU_ASSERT(memcmp(wb, mb, sizeof wb) == 0);
                }
        }
        hm__pair_acc_free(acc);
    }
}

/* Two halves of a block: the statistics of the whole equal those of the two
 * halves plus their cross pairs (how callers split work over threads). */
static void test_stats_split(void)
{
    tu_rng r;
    tu_rng_seed(&r, 4242);
    enum { N = 900, H = 377 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *base, *codes = md_alloc(N * cb, 5, &base);
        uint32_t g[N];
        uint16_t init[N], want_min[N], got_min[N];
        pair_codes(&r, codes, N, cb);
        extreme_pairs(codes, N, cb);
        random_groups(&r, g, N, 50);
        init_minima(&r, init, N);
        uint64_t want[257] = {0};
        ref_hist(codes, N, g, codes, N, g, cb, 0, want);
        memcpy(want_min, init, sizeof want_min);
        ref_min(codes, N, g, codes, N, g, cb, 0, want_min, want_min);
        hm__pair_acc *acc;
        CU_ASSERT_FATAL(hm__pair_acc_new(cb, &acc) == HM_OK);
        for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
            hm_match_tier tier = (hm_match_tier)t;
            uint64_t whole[257] = {0}, parts[257] = {0};
            memcpy(got_min, init, sizeof got_min);
            if (hm__pairs_stats_tier(tier, acc, codes, N, g, NULL) == HM_E_UNSUPPORTED) continue;
            hm__pair_acc_flush(acc, whole);
            const uint8_t *hi = codes + cb * H;
            CU_ASSERT(hm__pairs_stats_tier(tier, acc, codes, H, g, got_min) == HM_OK);
            CU_ASSERT(hm__pairs_stats_tier(tier, acc, hi, N - H, g + H, got_min + H) == HM_OK);
            CU_ASSERT(hm__pairs_stats_cross_tier(tier, acc, codes, H, g, hi, N - H, g + H, got_min,
                                                 got_min + H) == HM_OK);
            hm__pair_acc_flush(acc, parts);
            CU_ASSERT(hist_equal(want, whole, 257));
            CU_ASSERT(hist_equal(want, parts, 257));
            CU_ASSERT(memcmp(want_min, got_min, sizeof got_min) == 0);
        }
        hm__pair_acc_free(acc);
        free(base);
    }
}

/* A twin table about to overflow is folded before the next call; flushing
 * clears the accumulator. */
static void test_stats_fold(void)
{
    tu_rng r;
    tu_rng_seed(&r, 6);
    enum { N = 400 };
    uint8_t codes[N * 32];
    pair_codes(&r, codes, N, 32);
    uint64_t want[257] = {0}, got[257] = {0}, again[257] = {0};
    ref_hist(codes, N, NULL, codes, N, NULL, 32, 0, want);
    hm__pair_acc *acc;
    CU_ASSERT_FATAL(hm__pair_acc_new(32, &acc) == HM_OK);
    hm__pairs_stats(acc, codes, 200, NULL, NULL);
    acc->twin_count = UINT32_MAX - 100; /* as if nearly full */
    hm__pairs_stats(acc, codes + 200 * 32, 200, NULL, NULL);
    hm__pairs_stats_cross(acc, codes, 200, NULL, codes + 200 * 32, 200, NULL, NULL, NULL);
    CU_ASSERT(acc->twin_count < UINT32_MAX - 100);
    hm__pair_acc_flush(acc, got);
    CU_ASSERT(hist_equal(want, got, 257));
    hm__pair_acc_flush(acc, again);
    for (int d = 0; d < 257; d++) CU_ASSERT_EQUAL(again[d], 0);
    hm__pair_acc_free(acc);
}

static void test_stats_bad_arguments(void)
{
    uint8_t codes[64] = {0};
    uint16_t m[2] = {0xffff, 0xffff};
    hm__pair_acc *acc = (hm__pair_acc *)1;
    CU_ASSERT_EQUAL(hm__pair_acc_new(16, &acc), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(acc);
    CU_ASSERT_FATAL(hm__pair_acc_new(32, &acc) == HM_OK);
    CU_ASSERT_EQUAL(hm__pairs_stats_cross_tier(HM_MATCH_TIER_SCALAR, acc, codes, 1, NULL, codes + 32,
                                               1, NULL, m, NULL),
                    HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__pairs_stats_tier(HM_MATCH_TIER_SCALAR, acc, NULL, 2, NULL, NULL),
                    HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__pairs_stats_tier((hm_match_tier)42, acc, codes, 2, NULL, NULL),
                    HM_E_UNSUPPORTED);
    hm__pairs_stats(acc, NULL, 2, NULL, NULL); /* ignored */
    hm__pairs_stats_cross(acc, codes, 1, NULL, codes + 32, 1, NULL, NULL, m);
    hm__pairs_stats(NULL, codes, 2, NULL, m);
    uint64_t hist[257] = {0};
    hm__pair_acc_flush(acc, hist);
    for (int d = 0; d < 257; d++) CU_ASSERT_EQUAL(hist[d], 0);
    CU_ASSERT(m[0] == 0xffff && m[1] == 0xffff);
    hm__pairs_stats(acc, codes, 2, NULL, m);
    hm__pair_acc_flush(acc, hist);
    CU_ASSERT_EQUAL(hist[0], 1);
    CU_ASSERT(m[0] == 0 && m[1] == 0);
    hm__pair_acc_free(acc);
    hm__pair_acc_free(NULL);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"fused statistics of one block, every tier", test_stats},
        {"fused statistics of cross pairs, every tier", test_stats_cross},
        {"fused statistics: one minimum array for both sides", test_stats_aliased_minima},
        {"stats kernels: pair order, groups, accumulation", test_stats_kernels},
        {"fused statistics split over blocks exactly", test_stats_split},
        {"stats accumulator: fold before overflow, flush clears", test_stats_fold},
        {"stats: bad arguments", test_stats_bad_arguments},
        {NULL, NULL}};
    tu_add_suite("match pairs", tests);
    return tu_run("test_match_pairs");
}
