/* kernels.h - what the per-tier kernel files share (internal to lib/match).
 * The scalar kernels double as the tail handlers of the vector ones: a wide
 * kernel processes whole vectors and hands the remaining codes down. */
#ifndef HM_MATCH_KERNELS_H
#define HM_MATCH_KERNELS_H

#include "match.h"

/* Bins of a local pair histogram: distances 0..256 and one bin (257) that
 * collects masked-out lanes, padded to a multiple of 16 counters. */
#define HM__HIST_BINS 272
#define HM__HIST_TRASH 257

size_t hm__scan256_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                          unsigned radius, hm__hit *hits, size_t cap, size_t *count);
size_t hm__scan64_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                         unsigned radius, hm__hit *hits, size_t cap, size_t *count);
void hm__hist256_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                        size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, uint64_t *hist);
void hm__hist64_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                       size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, uint64_t *hist);
void hm__min256_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                       size_t nb, const uint32_t *gb, ptrdiff_t diag, uint16_t *min_a,
                       uint16_t *min_b);
void hm__min64_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                      size_t nb, const uint32_t *gb, ptrdiff_t diag, uint16_t *min_a,
                      uint16_t *min_b);
void hm__gather256_scalar(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                          uint16_t *out);

/* For kernel bodies specialised by a constant argument (the code size). */
#if defined(__GNUC__)
#define HM__FORCE_INLINE static inline __attribute__((always_inline))
#else
#define HM__FORCE_INLINE static inline
#endif

static inline uint64_t hm__load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Whether the pair (i, j) is counted under the hm__hist_fn rules. */
static inline int hm__pair_counted(size_t i, size_t j, const uint32_t *ga, const uint32_t *gb,
                                   ptrdiff_t jmi_min)
{
    if ((ptrdiff_t)j - (ptrdiff_t)i <= jmi_min) return 0;
    return !(ga && gb && ga[i] == gb[j]);
}

/* Whether the pair (i, j) is skipped under the hm__min_fn rules. */
static inline int hm__pair_skipped(size_t i, size_t j, const uint32_t *ga, const uint32_t *gb,
                                   ptrdiff_t diag)
{
    if (diag != HM__NO_DIAG && (ptrdiff_t)j - (ptrdiff_t)i == diag) return 1;
    return ga && gb && ga[i] == gb[j];
}

/* Folds local 32-bit sub-histograms (lanes x HM__HIST_BINS) into hist and
 * clears them; bins beyond `bins` (the trash) are dropped. */
static inline void hm__hist_flush(uint32_t *local, unsigned lanes, unsigned bins, uint64_t *hist)
{
    for (unsigned l = 0; l < lanes; l++) {
        uint32_t *h = local + (size_t)l * HM__HIST_BINS;
        for (unsigned d = 0; d < bins; d++) hist[d] += h[d];
        memset(h, 0, HM__HIST_BINS * sizeof *h);
    }
}

#endif /* HM_MATCH_KERNELS_H */
