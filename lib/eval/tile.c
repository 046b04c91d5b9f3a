/* tile.c - one tile of the pair matrix: the histogram, the nearest
 * neighbours and their indices of the pairs a x b (or i < j within a).
 *
 * Histogram and minima come from the matching engine's fused pair kernels
 * (lib/match/pairs.h). For nearest indices the tile is walked in sub-tiles
 * of HM__CHUNK x HM__CHUNK codes, and each image keeps the start of the
 * first chunk holding a partner at its smallest distance: (distance, chunk
 * start) merges exactly like (distance, index), since chunks are ranges of
 * indices in order. Once all pairs are counted, one radius scan of that
 * chunk per image turns the chunk into the index (hm__tile_resolve). */
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
    t->cap = max_block > HM__CHUNK ? max_block : HM__CHUNK;
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

/* (d, j) replaces (near[i], idx[i]) when smaller; -1 is the largest index. */
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

/* Codes start..start+n-1 of x, as a block of their own. */
static hm_eval_block sub(const hm_eval_block *x, size_t start, size_t n, size_t cb)
{
    return (hm_eval_block){x->codes + start * cb, n, x->groups ? x->groups + start : NULL,
                           x->first + (int64_t)start};
}

/* Runs the kernel on one sub-tile (codes offset by the caller) with the
 * tile's scratch minima, and merges them as (distance, chunk start). */
static void chunk_pair(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b, int diag,
                       uint16_t *na, int64_t *ca, uint16_t *nb, int64_t *cb)
{
    memset(t->min_a, 0xff, a->n * sizeof *t->min_a);
    if (diag) {
        hm__pairs_stats(t->acc, a->codes, a->n, a->groups, t->min_a);
    } else {
        memset(t->min_b, 0xff, b->n * sizeof *t->min_b);
        hm__pairs_stats_cross(t->acc, a->codes, a->n, a->groups, b->codes, b->n, b->groups,
                              t->min_a, t->min_b);
    }
    for (size_t i = 0; i < a->n; i++)
        if (t->min_a[i] != HM_EVAL_NONE) take(na, ca, i, t->min_a[i], b->first);
    for (size_t j = 0; !diag && j < b->n; j++)
        if (t->min_b[j] != HM_EVAL_NONE) take(nb, cb, j, t->min_b[j], a->first);
}

/* The tile in sub-tiles of HM__CHUNK codes (i-chunk <= j-chunk on the diagonal). */
static void tile_chunked(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                         uint16_t *na, int64_t *ca, uint16_t *nb, int64_t *cb)
{
    int tri = a == b;
    for (size_t i0 = 0; i0 < a->n; i0 += HM__CHUNK) {
        size_t ni = a->n - i0 < HM__CHUNK ? a->n - i0 : HM__CHUNK;
        hm_eval_block ac = sub(a, i0, ni, t->cb);
        for (size_t j0 = tri ? i0 : 0; j0 < b->n; j0 += HM__CHUNK) {
            size_t nj = b->n - j0 < HM__CHUNK ? b->n - j0 : HM__CHUNK;
            hm_eval_block bc = sub(b, j0, nj, t->cb);
            int diag = tri && i0 == j0;
            /* in the triangle both sides of a sub-tile are images of a */
            uint16_t *nj_arr = tri ? na + j0 : nb + j0;
            int64_t *cj_arr = tri ? ca + j0 : cb + j0;
            chunk_pair(t, &ac, &bc, diag, na + i0, ca + i0, diag ? NULL : nj_arr,
                       diag ? NULL : cj_arr);
        }
    }
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
    if (ia) {
        /* chunked: both sides need arrays; a missing b side gets scratch */
        HM_RETURN_IF(a != b && (!nb || !ib), NULL, HM_E_INVALID_ARGUMENT, "chunked tile");
        tile_chunked(t, a, b, na, ia, nb, ib);
        return HM_OK;
    }
    /* Minima without indices go straight to the caller's arrays. Cross
     * tiles need both sides' arrays, so a missing one gets scratch. */
    uint16_t *ma = na ? na : t->min_a, *mb = nb ? nb : t->min_b;
    if (a != b && (na || nb)) {
        if (!na) memset(t->min_a, 0xff, a->n * sizeof *t->min_a);
        if (!nb) memset(t->min_b, 0xff, b->n * sizeof *t->min_b);
    }
    kernel(t, a, b, na || nb ? ma : NULL, na || nb ? mb : NULL);
    return HM_OK;
}

hm_status hm__tile_resolve(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                           const uint16_t *near, int64_t *idx)
{
    const size_t cb = t->cb;
    for (size_t i = 0; i < a->n; i++) {
        if (idx[i] < 0 || near[i] == HM_EVAL_NONE) continue;
        size_t c0 = (size_t)(idx[i] - b->first), m = b->n - c0 < HM__CHUNK ? b->n - c0 : HM__CHUNK;
        t->hits.count = 0;
        if (hm__scan(hm__kernels_best(), b->codes + c0 * cb, m, cb, c0, a->codes + i * cb, 1,
                     near[i], &t->hits, NULL) != HM_OK)
            return HM_E_NO_MEMORY;
        int64_t found = -1;
        for (size_t h = 0; h < t->hits.count && found < 0; h++) {
            size_t j = (size_t)t->hits.items[h].entry;
            int self = a->codes == b->codes && a->first + (int64_t)i == b->first + (int64_t)j;
            if (t->hits.items[h].distance == near[i] && !self && !same_group(a, i, b, j))
                found = b->first + (int64_t)j;
        }
        HM_RETURN_IF(found < 0, NULL, HM_E_INTERNAL, "nearest neighbour not found in its chunk");
        idx[i] = found;
    }
    return HM_OK;
}

static int bad_block(const hm_eval_block *b)
{
    return !b || (!b->codes && b->n) || b->first < 0;
}

/* A whole tile into fresh arrays, its chunks resolved, merged into the
 * caller's nearest arrays. */
static hm_status tile_indexed(hm__tile_ctx *t, const hm_eval_block *a, const hm_eval_block *b,
                              uint16_t *na, int64_t *ia, uint16_t *nb, int64_t *ib)
{
    size_t nan = a->n ? a->n : 1, nbn = b && b->n ? b->n : 1;
    uint16_t *la = malloc(nan * sizeof *la), *lb = malloc(nbn * sizeof *lb);
    int64_t *ca = malloc(nan * sizeof *ca), *cbk = malloc(nbn * sizeof *cbk);
    hm_status st = la && lb && ca && cbk ? HM_OK : HM_E_NO_MEMORY;
    for (size_t i = 0; st == HM_OK && i < a->n; i++) la[i] = HM_EVAL_NONE, ca[i] = -1;
    for (size_t j = 0; st == HM_OK && b && j < b->n; j++) lb[j] = HM_EVAL_NONE, cbk[j] = -1;
    if (st == HM_OK) st = hm__tile_run(t, a, b, la, ca, b ? lb : NULL, b ? cbk : NULL);
    if (st == HM_OK && !t->dihedral) st = hm__tile_resolve(t, a, b ? b : a, la, ca);
    if (st == HM_OK && b && !t->dihedral) st = hm__tile_resolve(t, b, a, lb, cbk);
    if (st == HM_OK && na) hm_eval_nearest_merge(na, ia, la, ia ? ca : NULL, a->n);
    if (st == HM_OK && b && nb) hm_eval_nearest_merge(nb, ib, lb, ib ? cbk : NULL, b->n);
    free(la);
    free(lb);
    free(ca);
    free(cbk);
    return st;
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
    if (index_a || index_b)
        st = tile_indexed(&t, a, b, nearest_a, index_a, nearest_b, index_b);
    else
        st = hm__tile_run(&t, a, b, nearest_a, NULL, nearest_b, NULL);
    if (st == HM_OK && hist) hm__tile_flush(&t, hist);
    hm__tile_free(&t);
    HM_RETURN_IF(st != HM_OK, err, st, "pairs tile: out of memory");
    hm__ok(err);
    return HM_OK;
}
