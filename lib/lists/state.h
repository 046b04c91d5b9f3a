/* state.h - the replay state behind hm__lists (internal to lib/lists/). */
#ifndef HM_LISTS_STATE_H
#define HM_LISTS_STATE_H

#include "import.h"

/* One record: in the state (keyed, live or deleted) or staged for a file. */
typedef struct hm__lrec {
    uint32_t key_off, key_len;   /* bytes in hm__lists.keys */
    uint32_t pair_off, npairs;   /* values in hm__lists.pairs */
    uint32_t source;             /* index of the source name */
    uint32_t ext;                /* offset + 1 of the external id in hm__lists.text; 0: none */
    uint16_t category;           /* map category index or HM__LIST_NO_CATEGORY */
    uint8_t live;                /* state: not deleted; staged: an entry, not a deletion */
    uint8_t pad_;
} hm__lrec;

typedef struct hm__lpair {
    uint8_t algo;
    uint8_t hash[HM_MAX_HASH_BYTES];
} hm__lpair;

/* A growable byte arena (offsets stay valid when it grows). */
typedef struct hm__arena {
    uint8_t *data;
    size_t len, cap;
} hm__arena;

typedef struct hm__unsup {
    uint8_t format;
    uint32_t name; /* offset in hm__lists.unames */
    size_t count;
} hm__unsup;

#define HM__LIST_MAX_UNSUPPORTED_TYPES 256 /* distinct names kept; more count as "(other)" */

struct hm__lists {
    const hm__list_map *map;
    hm__arena keys, text, snames, unames;
    hm__lpair *pairs;
    size_t npairs, pairs_cap;
    hm__lrec *recs;
    size_t nrecs, recs_cap, live;
    uint32_t *slots; /* open addressing over recs, index + 1 */
    size_t slot_cap;
    uint32_t *sources; /* offsets of the source names in snames */
    size_t nsources, sources_cap;
    uint32_t *source_slots;
    size_t source_slot_cap;
    hm__unsup *unsup;
    size_t nunsup, unsup_cap;
};

struct hm__list_file {
    hm__lists *l;
    hm__list_format format;
    const char *name;
    uint32_t file_source;
    hm_error *err;
    int failed;
    hm_status status; /* of the failure */
    hm__lrec cur;
    hm__lrec *staged;
    size_t nstaged, staged_cap;
    hm__unsup *unsup; /* this file's counts, merged on success */
    size_t nunsup, unsup_cap;
    hm__list_file_stats stats;
};

/* Appends n bytes (with a NUL after them when `nul`) and returns the offset,
 * or -1 when memory or 32-bit offsets run out. */
int64_t hm__arena_put(hm__arena *a, const void *data, size_t n, int nul);
/* Makes room for `need` elements of `elem` bytes. */
int hm__reserve(void **p, size_t *cap, size_t need, size_t elem);

#endif /* HM_LISTS_STATE_H */
