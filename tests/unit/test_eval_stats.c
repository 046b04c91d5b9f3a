/* test_eval_stats.c - histogram rates, ROC points, merging and the binomial
 * tail against hand-computed values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "testutil.h"

#define CLOSE_REL(a, b, rel) CU_ASSERT(fabs((a) - (b)) <= (rel) * fabs(b))

static void test_binomial_small_exact(void)
{
    /* n = 3, p = 1/2: P(X >= 2) = (3 + 1) / 8 */
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_binomial_tail(3, 0.5, 2), 0.5, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_binomial_tail(3, 0.5, 3), 0.125, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_binomial_tail(3, 0.5, 1), 0.875, 1e-14);
    CU_ASSERT_EQUAL(hm_eval_binomial_tail(3, 0.5, 0), 1.0);
    CU_ASSERT_EQUAL(hm_eval_binomial_tail(3, 0.5, 4), 0.0);
    CU_ASSERT_EQUAL(hm_eval_binomial_tail(3, 0.0, 1), 0.0);
    CU_ASSERT_EQUAL(hm_eval_binomial_tail(3, 1.0, 3), 1.0);
    /* n = 10, p = 0.1: P(X >= 1) = 1 - 0.9^10 */
    CLOSE_REL(hm_eval_binomial_tail(10, 0.1, 1), 1.0 - pow(0.9, 10), 1e-13);
    /* n = 4, p = 0.25, k = 2: 1 - (81 + 4*27) / 256 = 67/256 */
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_binomial_tail(4, 0.25, 2), 67.0 / 256.0, 1e-14);
    /* n = 100, p = 0.01, k = 3: 1 - sum_{j<3} C(100,j) p^j q^(100-j), exact
     * rational arithmetic gives 0.079373202252180336 */
    CLOSE_REL(hm_eval_binomial_tail(100, 0.01, 3), 0.079373202252180336, 1e-12);
}

static void test_binomial_tiny_tails(void)
{
    /* n = 1000, p = 1e-6, k = 2: 1 - q^1000 - 1000 p q^999 with q = 1 - p.
     * Expanding: C(1000,2) p^2 q^998 + C(1000,3) p^3 q^997 + ...
     *   = 499500e-12 * (1 - 998e-6 + ...) + 166167000e-18 + ... = 4.99167790e-7 */
    CLOSE_REL(hm_eval_binomial_tail(1000, 1e-6, 2), 4.9916779021837988e-07, 1e-10);
    /* Apple's 30-match threshold, 10,000 photos, p = 1e-6: the first term
     * C(10000,30) p^30 q^9970 dominates (the next is 3.2e-4 of it). */
    CLOSE_REL(hm_eval_binomial_tail(10000, 1e-6, 30), 3.5746974332580947e-93, 1e-9);
    /* A tail far below double's 1 - eps must not become 0 through 1 - x. */
    double t = hm_eval_binomial_tail(1000000, 1e-12, 1); /* = 1 - (1-p)^n ~ n p */
    CLOSE_REL(t, -expm1(1000000.0 * log1p(-1e-12)), 1e-9);
    /* Large n, centre of the distribution: P(X >= n/2) for p = 1/2 is
     * 1/2 + P(X = n/2)/2, and P(X = n/2) ~ sqrt(2 / (pi n)). */
    double n = 1e8, expect = 0.5 + 0.5 * sqrt(2.0 / (3.14159265358979323846 * n));
    CLOSE_REL(hm_eval_binomial_tail((uint64_t)n, 0.5, (uint64_t)(n / 2)), expect, 1e-7);
}

static void test_cumulative_and_threshold(void)
{
    /* 8-bit toy histogram: 10 pairs */
    uint64_t h[9] = {1, 0, 2, 0, 3, 0, 0, 4, 0};
    double r[9];
    CU_ASSERT_EQUAL(hm_eval_hist_total(h, 8), 10);
    hm_eval_cumulative_rate(h, 8, 10, r);
    const double expect[9] = {0.1, 0.1, 0.3, 0.3, 0.6, 0.6, 0.6, 1.0, 1.0};
    for (int i = 0; i < 9; i++) CU_ASSERT_DOUBLE_EQUAL(r[i], expect[i], 1e-15);
    CU_ASSERT_EQUAL(hm_eval_threshold_for_fpr(r, 8, 0.3), 3);
    CU_ASSERT_EQUAL(hm_eval_threshold_for_fpr(r, 8, 0.29), 1);
    CU_ASSERT_EQUAL(hm_eval_threshold_for_fpr(r, 8, 0.05), -1);
    CU_ASSERT_EQUAL(hm_eval_threshold_for_fpr(r, 8, 1.0), 8);
    uint64_t z[9] = {0};
    hm_eval_cumulative_rate(z, 8, 0, r);
    CU_ASSERT_EQUAL(r[8], 0.0);
}

static void test_roc_auc(void)
{
    /* perfect separation: recall 1 before any false positive */
    const double fpr1[5] = {0, 0, 0, 0.5, 1}, rec1[5] = {0.5, 1, 1, 1, 1};
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_roc_auc(fpr1, rec1, 4), 1.0, 1e-15);
    /* chance: recall equals fpr */
    const double fpr2[3] = {0.25, 0.5, 1}, rec2[3] = {0.25, 0.5, 1};
    CU_ASSERT_DOUBLE_EQUAL(hm_eval_roc_auc(fpr2, rec2, 2), 0.5, 1e-15);
}

static void test_merge_exact(void)
{
    uint64_t a[5] = {1, 2, 3, 4, 5}, b[5] = {10, 0, 0, 7, UINT64_MAX - 5};
    uint64_t c[5] = {0, 0, 0, 0, 1};
    CU_ASSERT_EQUAL(hm_eval_hist_merge(a, b, 4), 0);
    const uint64_t expect[5] = {11, 2, 3, 11, UINT64_MAX};
    CU_ASSERT(memcmp(a, expect, sizeof a) == 0);
    CU_ASSERT_EQUAL(hm_eval_hist_merge(a, c, 4), HM_E_LIMIT); /* would overflow: unchanged */
    CU_ASSERT(memcmp(a, expect, sizeof a) == 0);
    CU_ASSERT_EQUAL(hm_eval_hist_total(a, 4), UINT64_MAX);
}

static void test_pairs_scalar_by_hand(void)
{
    /* four 1-byte codes: 0x00, 0x01, 0x03, 0xff; groups {0,1} share a source */
    const uint8_t codes[4] = {0x00, 0x01, 0x03, 0xff};
    const uint32_t group[4] = {7, 7, 8, 9};
    uint64_t hist[9] = {0};
    uint16_t nearest[4] = {UINT16_MAX, UINT16_MAX, UINT16_MAX, UINT16_MAX};
    hm__eval_pairs_scalar(codes, 4, 1, group, hist, nearest);
    /* pairs counted: (0,2)=2 (0,3)=8 (1,2)=1 (1,3)=7 (2,3)=6; (0,1) skipped */
    const uint64_t expect[9] = {0, 1, 1, 0, 0, 0, 1, 1, 1};
    CU_ASSERT(memcmp(hist, expect, sizeof hist) == 0);
    CU_ASSERT_EQUAL(nearest[0], 2);
    CU_ASSERT_EQUAL(nearest[1], 1);
    CU_ASSERT_EQUAL(nearest[2], 1);
    CU_ASSERT_EQUAL(nearest[3], 6);
    uint64_t nh[9] = {0};
    const uint16_t near2[5] = {2, 1, 1, 6, UINT16_MAX};
    hm_eval_nearest_hist(near2, 5, 8, nh);
    CU_ASSERT_EQUAL(nh[1], 2);
    CU_ASSERT_EQUAL(nh[2], 1);
    CU_ASSERT_EQUAL(nh[6], 1);
    CU_ASSERT_EQUAL(hm_eval_hist_total(nh, 8), 4); /* the lone image is not counted */
    /* without groups every pair counts: n(n-1)/2 */
    memset(hist, 0, sizeof hist);
    hm__eval_pairs_scalar(codes, 4, 1, NULL, hist, NULL);
    CU_ASSERT_EQUAL(hm_eval_hist_total(hist, 8), 6);
    CU_ASSERT_EQUAL(hist[1], 2);
}

static void test_account_empirical(void)
{
    uint8_t m[10] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    uint64_t crossed;
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 10, 3, 50, 1, HM_EVAL_DRAW_RANDOM, &crossed), 0);
    CU_ASSERT_EQUAL(crossed, 50); /* the whole corpus holds 3 matches */
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 10, 4, 50, 1, HM_EVAL_DRAW_RANDOM, &crossed), 0);
    CU_ASSERT_EQUAL(crossed, 0);
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 11, 1, 5, 1, HM_EVAL_DRAW_RANDOM, &crossed), HM_E_INVALID_ARGUMENT);
    /* contiguous windows of 3 over a ring of 10 hold all three matches only
     * when they start at 0: about 1 in 10 of 20000 draws */
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 3, 3, 20000, 5, HM_EVAL_DRAW_CONTIGUOUS, &crossed), 0);
    CU_ASSERT(crossed > 1700 && crossed < 2300);
    /* random accounts of 3: P(all three matched) = 1 / C(10,3) = 1/120 */
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 3, 3, 120000, 9, HM_EVAL_DRAW_RANDOM, &crossed), 0);
    CU_ASSERT(crossed > 850 && crossed < 1150);
    /* the same seed draws the same accounts */
    uint64_t again;
    CU_ASSERT_EQUAL(hm_eval_account_empirical(m, 10, 3, 3, 120000, 9, HM_EVAL_DRAW_RANDOM, &again), 0);
    CU_ASSERT_EQUAL(again, crossed);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"binomial tail, hand-computed small cases", test_binomial_small_exact},
        {"binomial tail, tiny probabilities and large n", test_binomial_tiny_tails},
        {"cumulative rates and the threshold for a target FPR", test_cumulative_and_threshold},
        {"ROC area", test_roc_auc},
        {"histogram merge is exact and refuses overflow", test_merge_exact},
        {"scalar pair histogram and nearest neighbours by hand", test_pairs_scalar_by_hand},
        {"empirical account simulation", test_account_empirical},
        {NULL, NULL}};
    tu_add_suite("eval_stats", tests);
    return tu_run("test_eval_stats");
}
