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

/* The videos of the vPDQ section, in the order added. */
typedef struct video_list {
    uint8_t *hashes, *records; /* per frame: 32 bytes, HM__FRAME_SIZE bytes */
    size_t nframes, frames_cap;
    uint32_t *first, *count;   /* per video: its frames */
    uint8_t *meta;             /* per video: HM__META_SIZE, external id as a pool offset + 1 */
    size_t nvideos, videos_cap;
} video_list;

struct hm_set_builder {
    char *name, *issuer;
    uint64_t version, created, expires;
    uint8_t previous[HM_SET_DIGEST_BYTES];
    char **categories;
    unsigned ncat, capcat;
    algo_entries algos[HM_ALGO_COUNT + 1];
    video_list videos;
    char *pool; /* external ids, NUL-terminated, each stored once */
    size_t pool_len, pool_cap;
    uint32_t *slots; /* open addressing over pool offsets + 1 */
    size_t slot_cap, slot_used;
};

/* builder.c: validates an entry's category, attesters and external id and
 * lays out its 8 bytes of metadata (external id as a pool offset + 1). */
hm_status hm__builder_entry_meta(hm_set_builder *b, unsigned category, unsigned attesters,
                                 const char *external_id, uint8_t meta[HM__META_SIZE],
                                 hm_error *err);

/* write.c: folds the metadata `dup` into `rep` (the same hash or video, named
 * `what`): categories must agree, the larger attester count stays, at most
 * one external id. */
hm_status hm__builder_merge_meta(const hm_set_builder *b, const char *what, uint8_t *rep,
                                 const uint8_t *dup, unsigned rep_index, unsigned dup_index,
                                 hm_error *err);

/* video_write.c: the unique videos in canonical order (*order, malloc'd;
 * duplicates merged into the first), their number and their frames. */
hm_status hm__builder_plan_videos(hm_set_builder *b, uint32_t **order, size_t *n,
                                  uint64_t *frames, hm_error *err);
/* Writes the frame hashes to `hashes` and the metadata region (standard
 * records with external ids at ext_base + offset, ranges, frame records) to
 * `meta`. */
void hm__builder_write_videos(const hm_set_builder *b, const uint32_t *order, size_t n,
                              uint8_t *hashes, uint8_t *meta, uint32_t ext_base);

#endif /* HM_SET_BUILDER_INTERNAL_H */
