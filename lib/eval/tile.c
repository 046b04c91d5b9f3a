/* tile.c - one tile of the pair matrix: the histogram, the nearest
 * neighbours and their indices of the pairs a x b (or i < j within a).
 *
 * Histogram and minima come from the matching engine's fused pair kernels
 * (lib/match/pairs.h). The index of a nearest neighbour is found afterwards,
 * only for the images whose nearest distance this tile reaches or beats: the
 * tile's minima go to scratch arrays first, and for those images a radius
 * scan of the other block at exactly that distance gives the first (smallest)
 * index. Records fall rarely, so this costs a few block scans per image
 * rather than a second pass over every pair. */
#include <stdlib.h>

#include "../match/match.h"
#include "../match/pairs.h"
#include "tile.h"

unsigned hm__eval_dihedral_distance(const uint8_t *a, const uint8_t *b)
{
    unsigned best = HM_PDQ_BITS;
    for (int k = 0; k < HM_PDQ_DIHEDRAL_COUNT; k++) {
        unsigned dab = hm_hamming(a + (size_t)k * HM_PDQ_BYTES, b, HM_PDQ_BYTES);
        unsigned dba = hm_hamming(b + (size_t)k * HM_PDQ_BYTES, a, HM_PDQ_BYTES);
        if (dab < best) best = dab;
        if (dba < best) best = dba;
    }
    return best;
}

hm_status hm__tile_init(hm__tile_ctx *t, size_t code_bytes, int dihedral, size_t max_block)
{
    memset(t, 0, sizeof *t);
    t->cb = code_bytes;
    t->dihedral = dihedral;
    t->bits = (unsigned)(8 * code_bytes);
    if (!dihedral) HM_FORWARD_IF_ERROR(hm__pair_acc_new(code_bytes, &t->acc));
    t->cap = max_block ? max_block : 1;
    t->min_a = malloc(t->cap * sizeof *t->min_a);
    t->min_b = malloc(t->cap * sizeof *t->min_b);
    if (!t->min_a || !t->min_b) {
        hm__tile_free(t);
        return HM_E_NO_MEMORY;
    }
    return HM_OK;
}

void hm__tile_free(hm__tile_ctx *t)
{
    hm__pair_acc_free(t->acc);
    free(t->min_a);
    free(t->min_b);
    hm__hits_free(&t->hits);
    memset(t, 0, sizeof *t);
}

void hm__tile_flush(hm__tile_ctx *t, uint64_t *hist)
{
    if (t->acc) hm__pair_acc_flush(t->acc, t->hist);
    for (unsigned d = 0; d <= t->bits; d++) hist[d] += t->hist[d];
    memset(t->hist, 0, sizeof t->hist);
}

static int same_group(const hm_eval_block *a, size_t i, const hm_eval_block *b, size_t j)
{
    return a->groups && b->groups && a->groups[i] == b->groups[j];
}

/* Whether (i of `a`, j of `b`) is a pair of this tile; b == a is the triangle. */
static int counts(const hm_eval_block *a, size_t i, const hm_eval_block *b, size_t j)
{
    if (a == b && j <= i) return 0;
    return !same_group(a, i, b, j);
}

static void take(uint16_t *near, int64_t *idx, size_t i, unsigned d, int64_t j)
{
    if (d < near[i] || (d == near[i] && idx && (uint64_t)j < (uint64_t)idx[i])) {
        near[i] = (uint16_t)d;
        if (idx) idx[i] = j;
    }
}

/* Dihedral PDQ: a scalar loop (8x16 comparisons per pair), minima and
 * indices merged directly. */
static void tile_dihedral(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                          uint16_t *na, int64_t *ia, uint16_t *nb, int64_t *ib)
{
    const size_t stride = HM_PDQ_DIHEDRAL_COUNT * HM_PDQ_BYTES;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = a == b ? i + 1 : 0; j < b->n; j++) {
            if (same_group(a, i, b, j)) continue;
            unsigned d = hm__eval_dihedral_distance(a->codes + i * stride, b->codes + j * stride);
            t->hist[d]++;
            /* in the triangle both images of the pair are in a */
            uint16_t *nj = a == b ? na : nb;
            int64_t *ij = a == b ? ia : ib;
            if (na) take(na, ia, i, d, b->first + (int64_t)j);
            if (nj) take(nj, ij, j, d, a->first + (int64_t)i);
        }
}

/* The smallest index j of `b` with counts(a, i, b, j) at distance d from
 * code i of `a`, or -1. */
static int64_t first_at(hm__tile_ctx *t, const hm_eval_block *a, size_t i, const hm_eval_block *b,
                        unsigned d)
{
    t->hits.count = 0;
    if (hm__scan(hm__kernels_best(), b->codes, b->n, t->cb, 0, a->codes + i * t->cb, 1, d,
                 &t->hits, NULL) != HM_OK)
        return -2; /* out of memory */
    for (size_t h = 0; h < t->hits.count; h++) {
        size_t j = (size_t)t->hits.items[h].entry;
        if (t->hits.items[h].distance == d && (counts(a, i, b, j) || (a == b && counts(a, j, a, i))))
            return b->first + (int64_t)j;
    }
    return -1;
}

/* Merges the tile's minima `tmin` of block `a` (partners in `b`) into
 * near/idx, looking up indices where the tile can change them. */
static hm_status merge_side(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                            const uint16_t *tmin, uint16_t *near, int64_t *idx)
{
    for (size_t i = 0; i < a->n; i++) {
        unsigned d = tmin[i];
        if (d == HM_EVAL_NONE || d > near[i]) continue;
        if (d == near[i] && (uint64_t)idx[i] <= (uint64_t)b->first) continue;
        int64_t j = first_at(t, a, i, b, d);
        if (j == -2) return HM_E_NO_MEMORY;
        if (j >= 0) take(near, idx, i, d, j);
    }
    return HM_OK;
}

static void kernel(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b, uint16_t *ma,
                   uint16_t *mb)
{
    if (a == b) hm__pairs_stats(t->acc, a->codes, a->n, a->groups, ma);
    else hm__pairs_stats_cross(t->acc, a->codes, a->n, a->groups, b->codes, b->n, b->groups, ma, mb);
}

hm_status hm__tile_run(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                       uint16_t *na, int64_t *ia, uint16_t *nb, int64_t *ib)
{
    if (!b) b = a;
    if (a == b) nb = NULL, ib = NULL;
    if (t->dihedral) {
        tile_dihedral(t, a, b, na, ia, nb, ib);
        return HM_OK;
    }
    /* Minima without indices go straight to the caller's arrays. Cross
     * tiles need both sides' arrays, so a missing one gets scratch. */
    if (!ia && !ib) {
        uint16_t *ma = na ? na : t->min_a, *mb = nb ? nb : t->min_b;
        if (a != b && (na || nb)) {
            if (!na) memset(t->min_a, 0xff, a->n * sizeof *t->min_a);
            if (!nb) memset(t->min_b, 0xff, b->n * sizeof *t->min_b);
        }
        kernel(t, a, b, na || nb ? ma : NULL, na || nb ? mb : NULL);
        return HM_OK;
    }
    memset(t->min_a, 0xff, a->n * sizeof *t->min_a);
    if (a != b) memset(t->min_b, 0xff, b->n * sizeof *t->min_b);
    kernel(t, a, b, t->min_a, a == b ? t->min_a : t->min_b);
    if (na) {
        if (ia) HM_FORWARD_IF_ERROR(merge_side(t, a, b, t->min_a, na, ia));
        else hm_eval_nearest_merge(na, NULL, t->min_a, NULL, a->n);
    }
    if (nb) {
        if (ib) HM_FORWARD_IF_ERROR(merge_side(t, b, a, t->min_b, nb, ib));
        else hm_eval_nearest_merge(nb, NULL, t->min_b, NULL, b->n);
    }
    return HM_OK;
}

static int bad_block(const hm_eval_block *b)
{
    return !b || (!b->codes && b->n) || b->first < 0;
}

hm_status hm_eval_pairs_tile(const hm_eval_block *a, const hm_eval_block *b, size_t code_bytes,
                             int dihedral, uint64_t *hist, uint16_t *nearest_a, int64_t *index_a,
                             uint16_t *nearest_b, int64_t *index_b, hm_error *err)
{
    HM_RETURN_IF(bad_block(a) || (b && bad_block(b)), err, HM_E_INVALID_ARGUMENT,
                 "pairs tile: a block is NULL or has no codes");
    HM_RETURN_IF(code_bytes != 8 && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "pairs tile: codes are 8 or 32 bytes, not %zu", code_bytes);
    HM_RETURN_IF(dihedral && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "pairs tile: dihedral codes are PDQ's 32 bytes");
    HM_RETURN_IF((index_a && !nearest_a) || (index_b && !nearest_b), err, HM_E_INVALID_ARGUMENT,
                 "pairs tile: nearest indices need the nearest distances");
    HM_RETURN_IF(b && !a->groups != !b->groups, err, HM_E_INVALID_ARGUMENT,
                 "pairs tile: give groups for both blocks or for neither");
    size_t most = b && b->n > a->n ? b->n : a->n;
    hm__tile_ctx t;
    hm_status st = hm__tile_init(&t, code_bytes, dihedral, most);
    HM_RETURN_IF(st != HM_OK, err, st, "pairs tile: out of memory");
    st = hm__tile_run(&t, a, b, nearest_a, index_a, nearest_b, index_b);
    if (st == HM_OK && hist) hm__tile_flush(&t, hist);
    hm__tile_free(&t);
    HM_RETURN_IF(st != HM_OK, err, st, "pairs tile: out of memory");
    hm__ok(err);
    return HM_OK;
}
