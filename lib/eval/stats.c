/* stats.c - rates from distance histograms, merging, ROC operating points,
 * the binomial tail and the empirical account simulation. */
#include <math.h>
#include <stdlib.h>

#include "../transform/transform.h"
#include "eval.h"

void hm__eval_pairs_scalar(const uint8_t *codes, size_t n, size_t code_bytes,
                           const uint32_t *group, uint64_t *hist, uint16_t *nearest)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (group && group[i] == group[j]) continue;
            unsigned d = hm_hamming(codes + i * code_bytes, codes + j * code_bytes, code_bytes);
            if (hist) hist[d]++;
            if (nearest && d < nearest[i]) nearest[i] = (uint16_t)d;
            if (nearest && d < nearest[j]) nearest[j] = (uint16_t)d;
        }
    }
}

hm_status hm_eval_hist_merge(uint64_t *dst, const uint64_t *src, unsigned bits)
{
    if (!dst || !src || bits > HM_EVAL_MAX_BITS) return HM_E_INVALID_ARGUMENT;
    for (unsigned d = 0; d <= bits; d++)
        if (dst[d] > UINT64_MAX - src[d]) return HM_E_LIMIT;
    for (unsigned d = 0; d <= bits; d++) dst[d] += src[d];
    return HM_OK;
}

void hm_eval_nearest_merge(uint16_t *dst, int64_t *dst_index, const uint16_t *src,
                           const int64_t *src_index, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (src[i] > dst[i]) continue;
        if (!dst_index || !src_index) {
            dst[i] = src[i];
            continue;
        }
        /* -1 (none) compares as the largest index */
        uint64_t si = (uint64_t)src_index[i], di = (uint64_t)dst_index[i];
        if (src[i] < dst[i] || si < di) {
            dst[i] = src[i];
            dst_index[i] = src_index[i];
        }
    }
}

uint64_t hm_eval_hist_total(const uint64_t *hist, unsigned bits)
{
    uint64_t t = 0;
    for (unsigned d = 0; d <= bits; d++) t = hist[d] > UINT64_MAX - t ? UINT64_MAX : t + hist[d];
    return t;
}

void hm_eval_cumulative_rate(const uint64_t *hist, unsigned bits, uint64_t total, double *rate)
{
    uint64_t run = 0;
    for (unsigned d = 0; d <= bits; d++) {
        run += hist[d];
        rate[d] = total ? (double)run / (double)total : 0.0;
    }
}

void hm_eval_nearest_hist(const uint16_t *nearest, size_t n, unsigned bits, uint64_t *hist)
{
    for (size_t i = 0; i < n; i++)
        if (nearest[i] <= bits) hist[nearest[i]]++;
}

int hm_eval_threshold_for_fpr(const double *fpr, unsigned bits, double target)
{
    int best = -1;
    for (unsigned t = 0; t <= bits && fpr[t] <= target; t++) best = (int)t;
    return best;
}

double hm_eval_roc_auc(const double *fpr, const double *recall, unsigned bits)
{
    double auc = 0, px = 0, py = 0;
    for (unsigned t = 0; t <= bits; t++) {
        auc += (fpr[t] - px) * (recall[t] + py) / 2;
        px = fpr[t];
        py = recall[t];
    }
    return auc + (1.0 - px) * (1.0 + py) / 2;
}

/* log C(n, k): exact summation of logs while that is cheap, lgamma beyond. */
static double log_choose(uint64_t n, uint64_t k)
{
    uint64_t m = k < n - k ? k : n - k;
    if (m > 1000000) return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
    double s = 0;
    for (uint64_t i = 0; i < m; i++) s += log((double)(n - i) / (double)(m - i));
    return s;
}

static double log_term(uint64_t n, double lp, double lq, uint64_t k)
{
    return log_choose(n, k) + (double)k * lp + (double)(n - k) * lq;
}

/* Sums terms from k in direction dir (+1 or -1) while they matter: the terms
 * fall monotonically in that direction, so stop once one is 1e-20 of the sum. */
static double sum_terms(uint64_t n, double lp, double lq, uint64_t k, int dir)
{
    double lt = log_term(n, lp, lq, k), ref = lt, s = 0;
    for (;;) {
        s += exp(lt - ref);
        if (lt - ref < -46.0) break;
        if (dir > 0 ? k == n : k == 0) break;
        /* t(k+1)/t(k) = (n-k)/(k+1) * p/q */
        if (dir > 0) lt += log((double)(n - k) / (double)(k + 1)) + lp - lq, k++;
        else lt -= log((double)(n - k + 1) / (double)k) + lp - lq, k--;
    }
    return s * exp(ref);
}

double hm_eval_binomial_tail(uint64_t n, double p, uint64_t k)
{
    if (k == 0) return 1.0;
    if (k > n || !(p > 0.0)) return 0.0;
    if (p >= 1.0) return 1.0;
    double lp = log(p), lq = log1p(-p);
    double mode = floor(((double)n + 1.0) * p);
    if ((double)k > mode) return sum_terms(n, lp, lq, k, +1);
    double below = sum_terms(n, lp, lq, k - 1, -1); /* P(X <= k-1), no cancellation near 0 */
    double r = 1.0 - below;
    return r < 0 ? 0 : r;
}

hm_status hm_eval_account_empirical(const uint8_t *matched, size_t count, size_t per_account,
                                    uint64_t k, uint64_t trials, uint64_t seed,
                                    hm_eval_draw draw, uint64_t *crossed)
{
    if (!crossed) return HM_E_INVALID_ARGUMENT;
    *crossed = 0;
    if (!matched || per_account > count || count == 0) return HM_E_INVALID_ARGUMENT;
    size_t *idx = malloc(count * sizeof *idx);
    if (!idx) return HM_E_NO_MEMORY;
    for (size_t i = 0; i < count; i++) idx[i] = i;
    hm__rng rng;
    hm__rng_seed(&rng, seed);
    for (uint64_t t = 0; t < trials; t++) {
        uint64_t hits = 0;
        if (draw == HM_EVAL_DRAW_CONTIGUOUS) {
            size_t start = (size_t)(hm__rng_next(&rng) % count);
            for (size_t i = 0; i < per_account; i++) hits += matched[(start + i) % count] != 0;
        } else {
            for (size_t i = 0; i < per_account; i++) { /* partial Fisher-Yates */
                size_t j = i + (size_t)(hm__rng_next(&rng) % (count - i));
                size_t tmp = idx[i];
                idx[i] = idx[j];
                idx[j] = tmp;
                hits += matched[idx[i]] != 0;
            }
        }
        if (hits >= k) (*crossed)++;
    }
    free(idx);
    return HM_OK;
}
