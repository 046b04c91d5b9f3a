/* eval.h - the research toolkit (internal part). The statistics themselves
 * are public (hm_eval_* in hashmatch.h); this header keeps the slow
 * references the tests compare them with.
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

/* The distance of two images measured with their 8 dihedral PDQ hashes each
 * (32 bytes apart, original first): the smallest of any dihedral hash of
 * one against the original of the other, in both directions. */
unsigned hm__eval_dihedral_distance(const uint8_t *a, const uint8_t *b);

#endif /* HM_EVAL_H */
