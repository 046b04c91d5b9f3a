/* sort.h - stable index sort of fixed-size hashes (internal to lib/set/). */
#ifndef HM_SET_SORT_H
#define HM_SET_SORT_H

#include "../common/common.h"

/* Fills idx[0..n) with 0..n-1 ordered by the memcmp order of the n hashes
 * of hash_size (>= 2) bytes, equal hashes in index order. Returns 0, or -1
 * when memory ran out. */
int hm__sort_hashes(const uint8_t *hashes, size_t hash_size, size_t n, uint32_t *idx);

#endif /* HM_SET_SORT_H */
