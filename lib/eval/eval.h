/* eval.h - statistics of the research toolkit (internal): distance
 * histograms, false-positive rates, recall, ROC operating points and the
 * account-level binomial tail.
 *
 * A histogram for b-bit hashes has b + 1 counters, one per distance 0..b. */
#ifndef HM_EVAL_H
#define HM_EVAL_H

#include "../common/common.h"

/* Slow scalar references: every pair i < j whose groups differ is counted in
 * hist (added to it); nearest[i] becomes the smallest distance from i to an
 * image of another group (left unchanged when there is none; the caller
 * initialises it, e.g. to UINT16_MAX). Either output may be NULL. */
void hm__eval_pairs_scalar(const uint8_t *codes, size_t n, size_t code_bytes,
                           const uint32_t *group, uint64_t *hist, uint16_t *nearest);

/* dst[d] += src[d] for d = 0..bits. Returns -1 (dst unchanged) if a counter
 * would overflow, 0 otherwise. */
int hm__eval_hist_merge(uint64_t *dst, const uint64_t *src, unsigned bits);

/* Sum of the counters (saturating at UINT64_MAX). */
uint64_t hm__eval_hist_total(const uint64_t *hist, unsigned bits);

/* rate[t] = (hist[0] + ... + hist[t]) / total for t = 0..bits: the pair-level
 * false-positive rate from a different-image histogram, the image-level rate
 * from a nearest-neighbour histogram, the recall from a same-image one.
 * A zero total gives rates of 0. */
void hm__eval_cumulative_rate(const uint64_t *hist, unsigned bits, uint64_t total, double *rate);

/* Counts nearest-neighbour distances into hist[0..bits]; values above bits
 * (an image with no neighbour of another group) are not counted. */
void hm__eval_nearest_hist(const uint16_t *nearest, size_t n, unsigned bits, uint64_t *hist);

/* The operating point for a target false-positive rate: the largest
 * threshold t with fpr[t] <= target (so t + 1 is the smallest threshold whose
 * rate exceeds it). -1 when even t = 0 exceeds the target. fpr must be
 * non-decreasing, as cumulative rates are. */
int hm__eval_threshold_for_fpr(const double *fpr, unsigned bits, double target);

/* Area under the ROC curve (recall against pair-level FPR over thresholds
 * 0..bits, with the points (0,0) and (1,1) added), by the trapezoid rule. */
double hm__eval_roc_auc(const double *fpr, const double *recall, unsigned bits);

/* P(X >= k) for X ~ Binomial(n, p): the chance that an account of n innocent
 * images, each matching with probability p independently, crosses a k-match
 * threshold. Summed in log space from the side where the terms fall away from
 * k, so tiny tails keep their relative precision. */
double hm__eval_binomial_tail(uint64_t n, double p, uint64_t k);

/* How accounts are drawn from a corpus in the empirical variant. */
typedef enum {
    HM__ACCOUNT_RANDOM = 0,    /* n distinct images at random */
    HM__ACCOUNT_CONTIGUOUS = 1 /* n consecutive images (in corpus order, wrapping) */
} hm__account_draw;

/* Draws `trials` accounts of `per_account` images from `count` images whose
 * `matched` flag says whether each matches the list, and returns how many
 * accounts hold at least k matched images. Seeded; -1 when per_account >
 * count or memory is short. */
int hm__eval_account_empirical(const uint8_t *matched, size_t count, size_t per_account,
                               uint64_t k, uint64_t trials, uint64_t seed,
                               hm__account_draw draw, uint64_t *crossed);

#endif /* HM_EVAL_H */
