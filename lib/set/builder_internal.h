/* builder_internal.h - the builder's state, shared by builder.c (collecting)
 * and write.c (sorting, merging, writing). */
#ifndef HM_SET_BUILDER_INTERNAL_H
#define HM_SET_BUILDER_INTERNAL_H

#include "set_internal.h"
#include "sort.h"

typedef struct algo_entries {
    uint8_t *hashes, *meta; /* meta's external id holds a pool offset + 1, 0 = none */
    size_t count, cap;
    uint8_t *allow;
    size_t allow_count, allow_cap;
    hm_set_policy policy;
} algo_entries;

struct hm_set_builder {
    char *name, *issuer;
    uint64_t version, created, expires;
    uint8_t previous[HM_SET_DIGEST_BYTES];
    char **categories;
    unsigned ncat, capcat;
    algo_entries algos[HM_ALGO_COUNT + 1];
    char *pool; /* external ids, NUL-terminated, each stored once */
    size_t pool_len, pool_cap;
    uint32_t *slots; /* open addressing over pool offsets + 1 */
    size_t slot_cap, slot_used;
};

#endif /* HM_SET_BUILDER_INTERNAL_H */
