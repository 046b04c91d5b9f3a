/* pairs.c - all-pairs statistics, pairs within a threshold and radius
 * searches on every core.
 *
 * The n x n triangle is cut into square blocks of B codes (B * code size
 * about 64 KiB, so two blocks stay in L2). A work item is one block row bi
 * with every block bj >= bi; rows are claimed in order, largest first, so the
 * dynamic schedule balances. Each thread keeps its own histogram and nearest
 * neighbours, merged at the end with the same rules that merge shards and
 * tiles (hm_eval_hist_merge, hm_eval_nearest_merge): the result is exactly the
 * scalar all-pairs count whatever the thread count, block size or shard
 * split. The calling thread works too and reports progress between rows. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "tile.h"

typedef struct worker worker;
/* What a worker does with one tile: the pairs of a x b, or i < j when b == a. */
typedef void (*tile_fn)(worker *w, const hm_eval_block *a, const hm_eval_block *b);

typedef struct shared {
    tile_fn tile;
    const uint8_t *codes;
    size_t n, stride, code_bytes; /* stride: bytes per image (8 codes when dihedral) */
    const hm_eval_pairs_options *opt;
    size_t block, nblocks;
    unsigned shard_i, shard_n;
    atomic_size_t next;
    atomic_uint_fast64_t done;
    atomic_size_t found; /* pairs within: found so far, against max */
    size_t max;
    unsigned threshold;
    uint64_t total;
} shared;

struct worker {
    shared *sh;
    int is_main;
    hm_status st;
    hm__tile_ctx tile;
    uint64_t hist[HM_EVAL_MAX_BITS + 1];
    uint16_t *near;
    int64_t *idx;
    hm_eval_pair *pairs; /* pairs within / radius search hits */
    size_t count, cap;
};

/* ---- threads ---- */

static unsigned thread_count(unsigned asked, size_t items)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nt = asked ? asked : cpus > 0 ? (unsigned)cpus : 1;
    if (nt > items) nt = items ? (unsigned)items : 1;
    return nt;
}

/* Runs fn on nt workers: nt - 1 new threads and the calling thread (w[0]).
 * If a thread cannot be started its share is done by the others. */
static void run_threads(worker *w, unsigned nt, void *(*fn)(void *))
{
    pthread_t *tid = nt > 1 ? calloc(nt, sizeof *tid) : NULL;
    unsigned started = 1;
    for (; tid && started < nt; started++)
        if (pthread_create(&tid[started], NULL, fn, &w[started])) break;
    w[0].is_main = 1;
    fn(&w[0]);
    for (unsigned t = 1; t < started; t++) pthread_join(tid[t], NULL);
    free(tid);
}

static void report(worker *w)
{
    const hm_eval_pairs_options *o = w->sh->opt;
    if (w->is_main && o && o->progress) {
        uint64_t done = atomic_load(&w->sh->done);
        o->progress(o->progress_ctx, done < w->sh->total ? done : w->sh->total, w->sh->total);
    }
}

/* ---- blocks ---- */

static hm_eval_block block_of(const shared *sh, size_t b)
{
    size_t i0 = b * sh->block, n = sh->n - i0 < sh->block ? sh->n - i0 : sh->block;
    const uint32_t *g = sh->opt && sh->opt->groups ? sh->opt->groups + i0 : NULL;
    return (hm_eval_block){sh->codes + i0 * sh->stride, n, g, (int64_t)i0};
}

static int in_shard(const shared *sh, size_t bi, size_t bj)
{
    return (bi * sh->nblocks + bj) % sh->shard_n == sh->shard_i;
}

static uint64_t tile_pairs(const hm_eval_block *a, const hm_eval_block *b)
{
    return a == b ? (uint64_t)a->n * (a->n ? a->n - 1 : 0) / 2 : (uint64_t)a->n * b->n;
}

static hm_status setup(shared *sh, const uint8_t *codes, size_t n, size_t code_bytes,
                       const hm_eval_pairs_options *opt, hm_error *err)
{
    memset(sh, 0, sizeof *sh);
    int dihedral = opt && opt->dihedral;
    HM_RETURN_IF(!codes && n, err, HM_E_INVALID_ARGUMENT, "pairs: no codes");
    HM_RETURN_IF(code_bytes != 8 && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "pairs: codes are 8 or 32 bytes, not %zu", code_bytes);
    HM_RETURN_IF(dihedral && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "pairs: dihedral codes are PDQ's 32 bytes");
    sh->shard_n = opt && opt->shard_count ? opt->shard_count : 1;
    sh->shard_i = opt ? opt->shard_index : 0;
    HM_RETURN_IF(sh->shard_i >= sh->shard_n, err, HM_E_INVALID_ARGUMENT,
                 "pairs: shard %u of %u", sh->shard_i, sh->shard_n);
    sh->codes = codes;
    sh->n = n;
    sh->code_bytes = code_bytes;
    sh->stride = dihedral ? HM_PDQ_DIHEDRAL_COUNT * code_bytes : code_bytes;
    sh->opt = opt;
    sh->block = opt && opt->block ? opt->block : dihedral ? 256 : 65536 / code_bytes;
    sh->nblocks = (n + sh->block - 1) / sh->block;
    sh->total = (uint64_t)n * (n ? n - 1 : 0) / 2 / sh->shard_n;
    atomic_init(&sh->next, 0);
    atomic_init(&sh->done, 0);
    atomic_init(&sh->found, 0);
    return HM_OK;
}

/* Claims block rows in order and hands each tile of the shard to sh->tile. */
static void *tiles_worker(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (size_t bi; w->st == HM_OK && (bi = atomic_fetch_add(&sh->next, 1)) < sh->nblocks;) {
        hm_eval_block a = block_of(sh, bi);
        for (size_t bj = bi; w->st == HM_OK && bj < sh->nblocks; bj++) {
            if (!in_shard(sh, bi, bj)) continue;
            hm_eval_block b = block_of(sh, bj);
            const hm_eval_block *pb = bi == bj ? &a : &b;
            sh->tile(w, &a, pb);
            atomic_fetch_add(&sh->done, tile_pairs(&a, pb));
        }
        report(w);
    }
    return NULL;
}

/* ---- statistics ---- */

static void stats_tile(worker *w, const hm_eval_block *a, const hm_eval_block *b)
{
    uint16_t *na = w->near ? w->near + a->first : NULL, *nb = w->near ? w->near + b->first : NULL;
    int64_t *ia = w->idx ? w->idx + a->first : NULL, *ib = w->idx ? w->idx + b->first : NULL;
    w->st = hm__tile_run(&w->tile, a, b == a ? NULL : b, na, ia, nb, ib);
}

static hm_status worker_init(worker *w, shared *sh, int want_near, int want_idx)
{
    memset(w, 0, sizeof *w);
    w->sh = sh;
    HM_FORWARD_IF_ERROR(hm__tile_init(&w->tile, sh->code_bytes, sh->opt && sh->opt->dihedral,
                                      sh->block));
    size_t n = sh->n ? sh->n : 1;
    if (want_near && !(w->near = malloc(n * sizeof *w->near))) return HM_E_NO_MEMORY;
    if (want_idx && !(w->idx = malloc(n * sizeof *w->idx))) return HM_E_NO_MEMORY;
    for (size_t i = 0; want_near && i < sh->n; i++) w->near[i] = HM_EVAL_NONE;
    for (size_t i = 0; want_idx && i < sh->n; i++) w->idx[i] = -1;
    return HM_OK;
}

static void worker_free(worker *w)
{
    hm__tile_free(&w->tile);
    free(w->near);
    free(w->idx);
    free(w->pairs);
}

/* Adds each worker's results to the caller's outputs. The workers' nearest
 * neighbours are merged into worker 0's first, where chunk starts become
 * indices (plain codes), then into the caller's arrays. */
static hm_status merge_workers(worker *w, unsigned nt, const shared *sh, uint64_t *hist,
                               uint16_t *nearest, int64_t *nearest_index)
{
    uint64_t sum[HM_EVAL_MAX_BITS + 1] = {0};
    unsigned bits = (unsigned)(8 * sh->code_bytes);
    for (unsigned t = 0; t < nt; t++) {
        hm__tile_flush(&w[t].tile, w[t].hist);
        HM_FORWARD_IF_ERROR(hm_eval_hist_merge(sum, w[t].hist, bits));
    }
    if (hist) HM_FORWARD_IF_ERROR(hm_eval_hist_merge(hist, sum, bits));
    if (!nearest) return HM_OK;
    for (unsigned t = 1; t < nt; t++) hm_eval_nearest_merge(w[0].near, w[0].idx, w[t].near, w[t].idx, sh->n);
    if (w[0].idx && !(sh->opt && sh->opt->dihedral)) {
        hm_eval_block all = {sh->codes, sh->n, sh->opt ? sh->opt->groups : NULL, 0};
        HM_FORWARD_IF_ERROR(hm__tile_resolve(&w[0].tile, &all, &all, w[0].near, w[0].idx));
    }
    hm_eval_nearest_merge(nearest, nearest_index, w[0].near, w[0].idx, sh->n);
    return HM_OK;
}

hm_status hm_eval_pairs(const uint8_t *codes, size_t n, size_t code_bytes,
                        const hm_eval_pairs_options *opt, uint64_t *hist, uint16_t *nearest,
                        int64_t *nearest_index, hm_error *err)
{
    shared sh;
    HM_FORWARD_IF_ERROR(setup(&sh, codes, n, code_bytes, opt, err));
    sh.tile = stats_tile;
    HM_RETURN_IF(nearest_index && !nearest, err, HM_E_INVALID_ARGUMENT,
                 "pairs: nearest indices need the nearest distances");
    unsigned nt = thread_count(opt ? opt->threads : 0, sh.nblocks);
    worker *w = calloc(nt, sizeof *w);
    hm_status st = w ? HM_OK : HM_E_NO_MEMORY;
    for (unsigned t = 0; st == HM_OK && t < nt; t++)
        st = worker_init(&w[t], &sh, nearest != NULL, nearest_index != NULL);
    if (st == HM_OK) {
        run_threads(w, nt, tiles_worker);
        for (unsigned t = 0; t < nt; t++)
            if (w[t].st != HM_OK) st = w[t].st;
    }
    if (st == HM_OK) st = merge_workers(w, nt, &sh, hist, nearest, nearest_index);
    for (unsigned t = 0; w && t < nt; t++) worker_free(&w[t]);
    free(w);
    HM_RETURN_IF(st == HM_E_LIMIT, err, st, "pairs: a histogram counter would overflow");
    HM_RETURN_IF(st == HM_E_INTERNAL, err, st, "pairs: a nearest neighbour was lost");
    HM_RETURN_IF(st != HM_OK, err, st, "pairs: out of memory for %zu images", n);
    if (opt && opt->progress) opt->progress(opt->progress_ctx, sh.total, sh.total);
    hm__ok(err);
    return HM_OK;
}

/* ---- lists of pairs ---- */

static int push(worker *w, int64_t a, int64_t b, unsigned d)
{
    if (w->sh->max && atomic_fetch_add(&w->sh->found, 1) >= w->sh->max) {
        w->st = HM_E_LIMIT;
        return -1;
    }
    if (w->count == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        hm_eval_pair *p = realloc(w->pairs, cap * sizeof *p);
        if (!p) {
            w->st = HM_E_NO_MEMORY;
            return -1;
        }
        w->pairs = p;
        w->cap = cap;
    }
    w->pairs[w->count++] = (hm_eval_pair){a, b, d};
    return 0;
}

/* The pairs within the threshold of code i of a and the codes of b (the
 * codes after i when b is a). */
static void within_row(worker *w, const hm_eval_block *a, size_t i, const hm_eval_block *b)
{
    shared *sh = w->sh;
    size_t j0 = a == b ? i + 1 : 0;
    if (sh->opt && sh->opt->dihedral) {
        for (size_t j = j0; j < b->n; j++) {
            if (a->groups && a->groups[i] == b->groups[j]) continue;
            unsigned d = hm__eval_dihedral_distance(a->codes + i * sh->stride, b->codes + j * sh->stride);
            if (d <= sh->threshold && push(w, a->first + (int64_t)i, b->first + (int64_t)j, d)) return;
        }
        return;
    }
    hm__hits *h = &w->tile.hits;
    h->count = 0;
    if (hm__scan(hm__kernels_best(), b->codes + j0 * sh->stride, b->n - j0, sh->code_bytes, j0,
                 a->codes + i * sh->stride, 1, sh->threshold, h, NULL) != HM_OK) {
        w->st = HM_E_NO_MEMORY;
        return;
    }
    for (size_t k = 0; k < h->count; k++) {
        size_t j = (size_t)h->items[k].entry;
        if (a->groups && a->groups[i] == b->groups[j]) continue;
        if (push(w, a->first + (int64_t)i, b->first + (int64_t)j, h->items[k].distance)) return;
    }
}

static void within_tile(worker *w, const hm_eval_block *a, const hm_eval_block *b)
{
    for (size_t i = 0; w->st == HM_OK && i < a->n; i++) within_row(w, a, i, b);
}

static int pair_cmp(const void *x, const void *y)
{
    const hm_eval_pair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

/* Concatenates the workers' lists into one sorted array. */
static hm_status gather(worker *w, unsigned nt, hm_eval_pair **out, size_t *count)
{
    size_t total = 0;
    for (unsigned t = 0; t < nt; t++) total += w[t].count;
    *out = NULL;
    *count = 0;
    if (!total) return HM_OK;
    hm_eval_pair *all = malloc(total * sizeof *all);
    if (!all) return HM_E_NO_MEMORY;
    size_t k = 0;
    for (unsigned t = 0; t < nt; t++) {
        if (!w[t].count) continue; /* no list at all: memcpy must not see NULL */
        memcpy(all + k, w[t].pairs, w[t].count * sizeof *all);
        k += w[t].count;
    }
    qsort(all, total, sizeof *all, pair_cmp);
    *out = all;
    *count = total;
    return HM_OK;
}

/* Runs fn over the workers and gathers their pairs. */
static hm_status run_lists(shared *sh, unsigned nt, void *(*fn)(void *), hm_eval_pair **out,
                           size_t *count)
{
    worker *w = calloc(nt, sizeof *w);
    hm_status st = w ? HM_OK : HM_E_NO_MEMORY;
    for (unsigned t = 0; st == HM_OK && t < nt; t++) {
        w[t].sh = sh;
        w[t].tile.cb = sh->code_bytes;
    }
    if (st == HM_OK) {
        run_threads(w, nt, fn);
        for (unsigned t = 0; t < nt; t++)
            if (w[t].st != HM_OK) st = w[t].st;
    }
    if (st == HM_OK) st = gather(w, nt, out, count);
    for (unsigned t = 0; w && t < nt; t++) {
        free(w[t].pairs);
        hm__hits_free(&w[t].tile.hits);
    }
    free(w);
    return st;
}

hm_status hm_eval_pairs_within(const uint8_t *codes, size_t n, size_t code_bytes,
                               const hm_eval_pairs_options *opt, unsigned threshold,
                               size_t max_pairs, hm_eval_pair **pairs, size_t *count,
                               hm_error *err)
{
    HM_RETURN_IF(!pairs || !count, err, HM_E_INVALID_ARGUMENT, "pairs within: no output");
    *pairs = NULL;
    *count = 0;
    shared sh;
    HM_FORWARD_IF_ERROR(setup(&sh, codes, n, code_bytes, opt, err));
    sh.threshold = threshold;
    sh.max = max_pairs;
    sh.tile = within_tile;
    hm_status st = run_lists(&sh, thread_count(opt ? opt->threads : 0, sh.nblocks), tiles_worker,
                             pairs, count);
    HM_RETURN_IF(st == HM_E_LIMIT, err, st, "more than %zu pairs within %u", max_pairs, threshold);
    HM_RETURN_IF(st != HM_OK, err, st, "pairs within: out of memory");
    hm__ok(err);
    return HM_OK;
}

/* ---- radius search ---- */

typedef struct search {
    shared sh;
    const uint8_t *queries;
    size_t nq;
    unsigned radius;
} search;

static void *search_worker(void *arg)
{
    worker *w = arg;
    const search *s = (const search *)w->sh;
    hm__hits *h = &w->tile.hits;
    for (size_t g; w->st == HM_OK && (g = atomic_fetch_add(&w->sh->next, 1)) * HM__MAX_QUERIES < s->nq;) {
        size_t q0 = g * HM__MAX_QUERIES, m = s->nq - q0 < HM__MAX_QUERIES ? s->nq - q0 : HM__MAX_QUERIES;
        h->count = 0;
        if (hm__scan(hm__kernels_best(), s->sh.codes, s->sh.n, s->sh.code_bytes, 0,
                     s->queries + q0 * s->sh.code_bytes, (unsigned)m, s->radius, h, NULL) != HM_OK) {
            w->st = HM_E_NO_MEMORY;
            break;
        }
        for (size_t k = 0; k < h->count; k++)
            if (push(w, (int64_t)(q0 + h->items[k].query), (int64_t)h->items[k].entry,
                     h->items[k].distance))
                break;
    }
    return NULL;
}

hm_status hm_eval_radius_search(const uint8_t *queries, size_t nq, const uint8_t *codes, size_t n,
                                size_t code_bytes, unsigned radius, unsigned threads,
                                size_t max_hits, hm_eval_pair **hits, size_t *count, hm_error *err)
{
    HM_RETURN_IF(!hits || !count, err, HM_E_INVALID_ARGUMENT, "radius search: no output");
    *hits = NULL;
    *count = 0;
    HM_RETURN_IF(!queries && nq, err, HM_E_INVALID_ARGUMENT, "radius search: no queries");
    search s;
    HM_FORWARD_IF_ERROR(setup(&s.sh, codes, n, code_bytes, NULL, err));
    s.queries = queries;
    s.nq = nq;
    s.radius = radius;
    s.sh.max = max_hits;
    size_t groups = (nq + HM__MAX_QUERIES - 1) / HM__MAX_QUERIES;
    hm_status st = run_lists(&s.sh, thread_count(threads, groups), search_worker, hits, count);
    HM_RETURN_IF(st == HM_E_LIMIT, err, st, "more than %zu hits within %u", max_hits, radius);
    HM_RETURN_IF(st != HM_OK, err, st, "radius search: out of memory");
    hm__ok(err);
    return HM_OK;
}
