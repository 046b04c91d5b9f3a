/* tile.h - one tile of the pair matrix on the calling thread (internal):
 * the worker of hm_eval_pairs and hm_eval_pairs_tile. */
#ifndef HM_EVAL_TILE_H
#define HM_EVAL_TILE_H

#include "../match/match.h"
#include "eval.h"

typedef struct hm__pair_acc hm__pair_acc;

/* Sub-tile side when nearest indices are wanted: the index of a nearest
 * neighbour is first known only to the chunk of HM__CHUNK codes holding it. */
#define HM__CHUNK 256

/* Per-thread state: the histogram accumulator, scratch minima of one tile
 * (cap codes per side) and the hit list of the index look-ups. */
typedef struct hm__tile_ctx {
    size_t cb; /* bytes per code (32 for dihedral images: 8 such codes each) */
    int dihedral;
    unsigned bits;
    hm__pair_acc *acc; /* the SIMD kernels' histogram (not dihedral) */
    uint64_t hist[HM_EVAL_MAX_BITS + 1];
    uint16_t *min_a, *min_b;
    size_t cap;
    hm__hits hits;
} hm__tile_ctx;

/* max_block: the largest block a tile will see. HM_OK or HM_E_NO_MEMORY. */
hm_status hm__tile_init(hm__tile_ctx *t, size_t code_bytes, int dihedral, size_t max_block);
void hm__tile_free(hm__tile_ctx *t);
/* Adds the pairs counted so far to hist[0..bits] and clears them. */
void hm__tile_flush(hm__tile_ctx *t, uint64_t *hist);
/* The pairs of a x b (b NULL: i < j within a), merged into the nearest
 * arrays of each side (any may be NULL; an index array needs its distances,
 * and a cross tile with indices needs both sides). With indices, ia/ib
 * receive for plain codes the global start of the first chunk holding a
 * partner at the smallest distance (merged as (distance, chunk start)),
 * for dihedral codes the partner's global index itself. */
hm_status hm__tile_run(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                       uint16_t *na, int64_t *ia, uint16_t *nb, int64_t *ib);
/* Turns the chunk starts in idx (images of a, partners in b) into indices:
 * the first partner of the chunk at distance near[i], neither the image
 * itself nor of its group. HM_E_NO_MEMORY, or HM_E_INTERNAL if a chunk holds
 * no such partner (a bug). */
hm_status hm__tile_resolve(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                           const uint16_t *near, int64_t *idx);

#endif /* HM_EVAL_TILE_H */
