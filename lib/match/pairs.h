/*
 * pairs.h - Hamming distances over all pairs of a block of codes, for the
 * research toolkit (false-positive histograms, nearest innocent neighbours).
 *
 * Codes are contiguous, code_bytes apart (8 or 32; hex byte order, which does
 * not matter to a popcount of XOR). The work is blocked for the cache and runs
 * on the best SIMD tier of this CPU, on the calling thread only: callers split
 * blocks across threads themselves (hm__pairs_stats_cross on disjoint blocks
 * adds up exactly to hm__pairs_stats on their union). Nothing is allocated
 * but the accumulator. Groups apply only when both group arrays are given.
 * NULL codes with a non-zero count leave the outputs untouched.
 */
#ifndef HM_MATCH_PAIRS_H
#define HM_MATCH_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "hashmatch.h"

/* Histogram and minima come from one distance per pair.
 *
 * An accumulator collects the histogram of any number of calls (one per
 * thread: it also holds the kernels' scratch); minima go straight to the
 * caller's arrays. Counting two pairs per counter increment in a table of
 * (d0, d1) is what makes the vector kernels fast, so the accumulator owns
 * about half a megabyte (256-bit codes) and is created once per thread. */
typedef struct hm__pair_acc hm__pair_acc;

/* A cleared accumulator for codes of code_bytes (8 or 32): HM_OK,
 * HM_E_INVALID_ARGUMENT, HM_E_NO_MEMORY. */
hm_status hm__pair_acc_new(size_t code_bytes, hm__pair_acc **out);
void hm__pair_acc_free(hm__pair_acc *acc);
/* Adds the pairs counted so far to hist[0..8*code_bytes] and clears acc. */
void hm__pair_acc_flush(hm__pair_acc *acc, uint64_t *hist);

/* Counts in acc every unordered pair {i, j}, i < j, of the n codes (of the
 * accumulator's size) with group[i] != group[j] (group may be NULL), and when
 * min != NULL sets min[i] = min(min[i], d) over the same pairs, for both
 * codes of each pair: the nearest other-group neighbour. Best SIMD tier. */
void hm__pairs_stats(hm__pair_acc *acc, const uint8_t *codes, size_t n, const uint32_t *group,
                     uint16_t *min);

/* The same over the cross pairs (a[i], b[j]): min_a[i] and min_b[j] are
 * updated when both are given (they may be one array when a == b); NULL
 * for both counts the histogram only. */
void hm__pairs_stats_cross(hm__pair_acc *acc, const uint8_t *a, size_t na, const uint32_t *ga,
                           const uint8_t *b, size_t nb, const uint32_t *gb, uint16_t *min_a,
                           uint16_t *min_b);

/* Tier-taking variants: HM_E_UNSUPPORTED for a tier this CPU lacks,
 * HM_E_INVALID_ARGUMENT for NULL codes with a non-zero count or only one
 * of min_a, min_b. */
hm_status hm__pairs_stats_tier(hm_match_tier tier, hm__pair_acc *acc, const uint8_t *codes,
                               size_t n, const uint32_t *group, uint16_t *min);
hm_status hm__pairs_stats_cross_tier(hm_match_tier tier, hm__pair_acc *acc, const uint8_t *a,
                                     size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                                     const uint32_t *gb, uint16_t *min_a, uint16_t *min_b);

#endif /* HM_MATCH_PAIRS_H */
