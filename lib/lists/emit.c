/* emit.c - the final state of a replay: one entry per distinct (algorithm,
 * hash) pair of the live records, merged by rules that do not depend on the
 * order the records arrived in, so that replaying incremental exports gives
 * the same entries as the final export read alone. */
#include <stdlib.h>

#include "state.h"
#include "../set/sort.h"

/* What one live record contributes to a hash. */
typedef struct contrib {
    uint32_t source, ext;
    uint16_t category;
} contrib;

typedef struct algo_pairs {
    uint8_t *hashes;
    contrib *info;
    size_t n, cap;
} algo_pairs;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int add_pair(algo_pairs *a, size_t hs, const hm__lpair *p, const hm__lrec *r)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        uint8_t *h = realloc(a->hashes, cap * hs);
        if (h) a->hashes = h;
        contrib *c = h ? realloc(a->info, cap * sizeof *c) : NULL;
        if (!c) return -1;
        a->info = c;
        a->cap = cap;
    }
    memcpy(a->hashes + a->n * hs, p->hash, hs);
    a->info[a->n++] = (contrib){r->source, r->ext, r->category};
    return 0;
}

static int gather(const hm__lists *l, algo_pairs *by_algo)
{
    for (size_t i = 0; i < l->nrecs; i++) {
        const hm__lrec *r = &l->recs[i];
        for (uint32_t k = 0; r->live && k < r->npairs; k++) {
            const hm__lpair *p = &l->pairs[r->pair_off + k];
            if (add_pair(&by_algo[p->algo], hm_algo_hash_size((hm_algo)p->algo), p, r)) return -1;
        }
    }
    return 0;
}

typedef struct group {
    const hm__lists *l;
    const algo_pairs *a;
    const uint32_t *idx;
    size_t begin, end;
    uint32_t *scratch; /* sources of the group */
} group;

/* Attesters: distinct sources. Category: the first in the map's order (the
 * default category last). External id: the smallest. */
static void merge_group(const group *g, hm__list_entry *e)
{
    const char *ext = NULL;
    unsigned cat = HM__LIST_NO_CATEGORY;
    size_t n = 0;
    for (size_t i = g->begin; i < g->end; i++) {
        const contrib *c = &g->a->info[g->idx[i]];
        g->scratch[n++] = c->source;
        if (c->category < cat) cat = c->category;
        const char *x = c->ext ? (const char *)g->l->text.data + c->ext - 1 : NULL;
        if (x && (!ext || strcmp(x, ext) < 0)) ext = x;
    }
    qsort(g->scratch, n, sizeof *g->scratch, cmp_u32);
    size_t distinct = n ? 1 : 0;
    for (size_t i = 1; i < n; i++) distinct += g->scratch[i] != g->scratch[i - 1];
    e->category = cat;
    e->attesters = distinct > 65535 ? 65535 : (unsigned)distinct;
    e->external_id = ext ? ext : "";
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

static hm_status emit_algo(const hm__lists *l, hm_algo algo, const algo_pairs *a,
                           hm__list_emit_fn fn, void *ctx, hm__list_emit_stats *st, hm_error *err)
{
    size_t hs = hm_algo_hash_size(algo);
    uint32_t *idx = malloc(a->n * sizeof *idx), *scratch = malloc(a->n * sizeof *scratch);
    hm_status rc = HM_OK;
    if (!idx || !scratch || hm__sort_hashes(a->hashes, hs, a->n, idx))
        rc = hm__fail(err, HM_E_NO_MEMORY, "out of memory sorting %zu hashes", a->n);
    group g = {l, a, idx, 0, 0, scratch};
    for (size_t i = 0; rc == HM_OK && i < a->n; i = g.end) {
        const uint8_t *h = a->hashes + (size_t)idx[i] * hs;
        for (g.begin = i, g.end = i + 1;
             g.end < a->n && !memcmp(a->hashes + (size_t)idx[g.end] * hs, h, hs); g.end++) {
        }
        if (algo == HM_ALGO_PDQ && all_zero(h, hs)) { /* a flat image: never listed */
            st->zero_pdq++;
            continue;
        }
        hm__list_entry e = {algo, h, 0, 0, ""};
        merge_group(&g, &e);
        if (fn(ctx, &e, err))
            rc = err && err->status != HM_OK ? err->status
                                             : hm__fail(err, HM_E_INTERNAL, "emit stopped");
        else
            st->entries[algo]++;
    }
    free(idx);
    free(scratch);
    return rc;
}

hm_status hm__lists_emit(const hm__lists *l, hm__list_emit_fn fn, void *ctx,
                         hm__list_emit_stats *stats, hm_error *err)
{
    hm__list_emit_stats local;
    hm__list_emit_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    HM_RETURN_IF(!l || !fn, err, HM_E_INVALID_ARGUMENT, "no state or callback");
    if (err) err->status = HM_OK;
    algo_pairs by_algo[HM_ALGO_COUNT + 1];
    memset(by_algo, 0, sizeof by_algo);
    hm_status rc = gather(l, by_algo) ? hm__fail(err, HM_E_NO_MEMORY, "out of memory") : HM_OK;
    for (int a = 1; a <= HM_ALGO_COUNT && rc == HM_OK; a++)
        if (by_algo[a].n) rc = emit_algo(l, (hm_algo)a, &by_algo[a], fn, ctx, st, err);
    for (int a = 0; a <= HM_ALGO_COUNT; a++) {
        free(by_algo[a].hashes);
        free(by_algo[a].info);
    }
    if (rc == HM_OK) hm__ok(err);
    return rc;
}
