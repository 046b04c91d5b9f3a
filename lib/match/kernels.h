/* kernels.h - what the per-tier kernel files share (internal to lib/match).
 * The scalar kernels double as the tail handlers of the vector ones: a wide
 * kernel processes whole vectors and hands the remaining codes down. */
#ifndef HM_MATCH_KERNELS_H
#define HM_MATCH_KERNELS_H

#include "match.h"

size_t hm__scan256_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                          unsigned radius, hm__hit *hits, size_t cap, size_t *count);
size_t hm__scan64_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                         unsigned radius, hm__hit *hits, size_t cap, size_t *count);
void hm__stats256_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                         size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                         uint16_t *min_a, uint16_t *min_b);
void hm__stats64_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                        size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                        uint16_t *min_a, uint16_t *min_b);
void hm__gather256_scalar(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                          uint16_t *out);
/* The columns j.. of b that a vector stats kernel left (its tail), through
 * the scalar kernel of code size cb, with the pair rule shifted to match. */
void hm__stats_tail_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                           size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                           uint16_t *min_a, uint16_t *min_b, size_t cb, size_t j);

/* The accumulator of fused pair statistics. Vector kernels count two pairs
 * per increment: twin[d1 * stride + d0] counts the pairs of pairs at
 * distances (d0, d1), where the distance bits + 1 (HM__TWIN_TRASH) marks a
 * pair that does not count. Scalar code and kernel tails count single pairs
 * in hist. twin_count bounds the increments since the last fold, which
 * happens before any counter could pass 2^32 - 1. */
struct hm__pair_acc {
    unsigned bits;      /* 64 or 256 */
    unsigned stride;    /* above bits + 1 */
    uint32_t *twin;     /* (bits + 2) x stride counters */
    uint64_t twin_count;
    uint16_t *rowmin;   /* HM__STATS_ROWS x 32 words, 64-byte aligned: per-row minima scratch */
    uint64_t hist[257];
};
#define HM__TWIN_TRASH(bits) ((bits) + 1u)
#define HM__TWIN_STRIDE(bits) ((bits) == 256 ? 271u : 88u)
#define HM__TWIN_SIZE(bits) (((bits) + 2u) * HM__TWIN_STRIDE(bits))

/* Folds the twin table into acc->hist and clears it. */
void hm__pair_acc_fold(hm__pair_acc *acc);

/* Loops over registers must unroll fully, or the registers become memory. */
#if defined(__GNUC__)
#define HM__UNROLL _Pragma("GCC unroll 16")
#else
#define HM__UNROLL
#endif

static inline uint64_t hm__load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t hm__load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Whether the pair (i, j) is counted under the hm__stats_fn rules. */
static inline int hm__pair_counted(size_t i, size_t j, const uint32_t *ga, const uint32_t *gb,
                                   ptrdiff_t jmi_min)
{
    if ((ptrdiff_t)j - (ptrdiff_t)i <= jmi_min) return 0;
    return !(ga && gb && ga[i] == gb[j]);
}

#endif /* HM_MATCH_KERNELS_H */
