/* index_query.c - exact radius queries through the multi-index hashing index.
 *
 * A query runs in phases over all its probes at once, each phase prefetching
 * ahead what it and the next one read, so that many independent random reads
 * are in flight instead of one chain of dependent misses:
 *   A. the keys within each table's radius of the query's key (probes);
 *   B. their bucket starts -> non-empty buckets;
 *   C. the buckets' entries -> candidates (32-byte codes) or, for 8-byte
 *      codes, a SIMD scan of each bucket's codes;
 *   D. distances of the candidates, by the kernel of the chosen tier;
 *   E. hits: distance <= radius, reported by the first table that finds them.
 * Rule E reports every entry once: an entry within the radius is in a probed
 * bucket of every table t with d_t <= r_t, and is kept only by the smallest
 * such t, which the entry's own code tells. */
#include <stdlib.h>
#include <time.h>

#include "index_internal.h"

#define prefetch(p) __builtin_prefetch(p)

int hm__grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (*cap >= need) return 1;
    size_t c = *cap ? *cap : 1024, bytes;
    while (c < need) c *= 2;
    if (!hm__mul_size(c, size, &bytes)) return 0;
    void *p = realloc(*buf, bytes);
    if (!p) return 0;
    *buf = p;
    *cap = c;
    return 1;
}

void hm__index_scratch_free(hm__index_scratch *s)
{
    if (!s) return;
    free(s->keys);
    free(s->ranges);
    free(s->cands);
    free(s->ctab);
    free(s->dists);
    hm__hits_free(&s->scan);
    memset(s, 0, sizeof *s);
}

/* ---- A: probes ---------------------------------------------------------------- */

/* Appends table << 24 | (key ^ mask) for every mask of s bits with at most r
 * bits set, by weight. Weights up to 3 (all that radius 31 needs with 11
 * tables) are nested loops; larger ones use the next-permutation bit trick (a
 * division-free form of Gosper's hack). */
size_t hm__enumerate_keys(uint32_t table, uint32_t key, unsigned s, int r, uint32_t *out)
{
    size_t n = 0;
    const uint32_t limit = 1u << s, x = table << 24 | key;
    out[n++] = x;
    if (r >= 1)
        for (unsigned i = 0; i < s; i++) out[n++] = x ^ (1u << i);
    if (r >= 2)
        for (unsigned i = 1; i < s; i++)
            for (unsigned j = 0; j < i; j++) out[n++] = x ^ (1u << i) ^ (1u << j);
    if (r >= 3)
        for (unsigned i = 2; i < s; i++)
            for (unsigned j = 1; j < i; j++) {
                uint32_t y = x ^ (1u << i) ^ (1u << j);
                for (unsigned k = 0; k < j; k++) out[n++] = y ^ (1u << k);
            }
    for (unsigned w = 4; w <= (unsigned)r && w <= s; w++) {
        uint32_t mask = (1u << w) - 1;
        while (mask < limit) {
            out[n++] = x ^ mask;
            uint32_t t = mask | (mask - 1);
            mask = (t + 1) | (((~t & (0u - ~t)) - 1) >> (__builtin_ctz(mask) + 1));
        }
    }
    return n;
}

typedef struct qctx {
    const hm__index *idx;
    const hm__kernels *k;
    const uint8_t *q;
    unsigned qi, radius;
    int radii[HM__MAX_TABLES];
    uint32_t qkeys[HM__MAX_TABLES];
} qctx;

static hm_status probes(const qctx *c, hm__index_scratch *s, size_t *count)
{
    double total = 0;
    for (unsigned t = 0; t < c->idx->m; t++) total += hm__ball(c->idx->s, c->radii[t]);
    if (!hm__grow((void **)&s->keys, &s->keys_cap, (size_t)total, sizeof *s->keys)) return HM_E_NO_MEMORY;
    size_t n = 0;
    for (unsigned t = 0; t < c->idx->m; t++)
        if (c->radii[t] >= 0) n += hm__enumerate_keys(t, c->qkeys[t], c->idx->s, c->radii[t], s->keys + n);
    *count = n;
    return HM_OK;
}

/* ---- B: buckets --------------------------------------------------------------- */

/* Random reads issued ahead of their use within a phase. (Bursts of
 * prefetches for a whole phase, and one pipeline over all phases, both
 * measured slower.) */
#define AHEAD 48

HM__FORCE_INLINE void prefetch_start(const hm__index *idx, uint32_t key)
{
    hm__prefetch_bucket(&idx->t[key >> 24], key & 0xffffff);
}

/* Non-empty buckets of the probes [first, end) as (table, start, end) triples;
 * *entries receives the number of entries they hold. */
static hm_status buckets(const qctx *c, hm__index_scratch *s, size_t first, size_t end,
                         size_t *count, size_t *entries)
{
    if (!hm__grow((void **)&s->ranges, &s->ranges_cap, 3 * (end - first), sizeof *s->ranges))
        return HM_E_NO_MEMORY;
    size_t n = 0, total = 0;
    for (size_t p = first; p < first + AHEAD && p < end; p++) prefetch_start(c->idx, s->keys[p]);
    for (size_t p = first; p < end; p++) {
        if (p + AHEAD < end) prefetch_start(c->idx, s->keys[p + AHEAD]);
        uint32_t t = s->keys[p] >> 24, b = s->keys[p] & 0xffffff;
        const hm__table *tb = &c->idx->t[t];
        uint32_t lo = hm__bucket_start(tb, b), hi = hm__bucket_start(tb, b + 1);
        /* Branch-free: whether a bucket is empty is a coin toss. The entry
         * numbers of 32-byte tables are prefetched by phase C, where their
         * reads do not compete with this phase's. */
        if (tb->codes) prefetch(tb->codes + lo);
        s->ranges[3 * n] = t;
        s->ranges[3 * n + 1] = lo;
        s->ranges[3 * n + 2] = hi;
        n += hi != lo;
        total += hi - lo;
    }
    *count = n;
    *entries = total;
    return HM_OK;
}

/* ---- E: hits ------------------------------------------------------------------ */

/* 1 when a table before `table` also finds this code (it reports it). */
static int found_earlier(const qctx *c, const uint8_t *code, unsigned table)
{
    for (unsigned t = 0; t < table; t++) {
        if (c->radii[t] < 0) continue;
        uint32_t x = hm__key(&c->idx->t[t], code, c->idx->s) ^ c->qkeys[t];
        if ((int)hm__popcount64(x) <= c->radii[t]) return 1;
    }
    return 0;
}

static hm_status push_hit(hm__hits *out, uint64_t entry, unsigned query, unsigned d)
{
    if (hm__hits_reserve(out, 1) != HM_OK) return HM_E_NO_MEMORY;
    out->items[out->count++] = (hm__hit){entry, query, d};
    return HM_OK;
}

/* ---- C, D, E for 32-byte codes ------------------------------------------------ */

/* Non-empty buckets whose entry numbers are read ahead in phase C. */
#define RANGES_AHEAD 32

/* The entry numbers phase C copies: at least HM__IDS_SLACK from the start,
 * which may run onto the next line, and the whole run of a longer bucket. */
HM__FORCE_INLINE void prefetch_ids(const hm__index *idx, const uint32_t *range)
{
    const uint32_t *ids = idx->t[range[0]].ids;
    uint32_t lo = range[1], hi = range[2], last = hi - lo > HM__IDS_SLACK ? hi - 1 : lo + HM__IDS_SLACK - 1;
    prefetch(ids + lo);
    for (uint32_t k = lo + 16 - lo % 16; k <= last; k += 16) prefetch(ids + k);
}

static hm_status candidates32(const qctx *c, hm__index_scratch *s, size_t nranges, size_t total)
{
    size_t room = total + HM__IDS_SLACK;
    if (!hm__grow((void **)&s->cands, &s->cands_cap, room, sizeof *s->cands) ||
        !hm__grow((void **)&s->ctab, &s->ctab_cap, room, sizeof *s->ctab) ||
        !hm__grow((void **)&s->dists, &s->dists_cap, total, sizeof *s->dists))
        return HM_E_NO_MEMORY;
    size_t n = 0;
    for (size_t r = 0; r < nranges && r < RANGES_AHEAD; r++) prefetch_ids(c->idx, s->ranges + 3 * r);
    for (size_t r = 0; r < nranges; r++) {
        if (r + RANGES_AHEAD < nranges) prefetch_ids(c->idx, s->ranges + 3 * (r + RANGES_AHEAD));
        const uint32_t t = s->ranges[3 * r], lo = s->ranges[3 * r + 1], len = s->ranges[3 * r + 2] - lo;
        const uint32_t *ids = c->idx->t[t].ids + lo;
        /* Most buckets hold 1 to 4 entries: copy 4 without a loop whose trip
         * count the branch predictor cannot guess (ids[] has slack after n). */
        if (len <= HM__IDS_SLACK) {
            memcpy(s->cands + n, ids, HM__IDS_SLACK * sizeof *ids);
            memset(s->ctab + n, (int)t, HM__IDS_SLACK);
        } else {
            memcpy(s->cands + n, ids, len * sizeof *ids);
            memset(s->ctab + n, (int)t, len);
        }
        n += len;
    }
    return HM_OK;
}

static void lap(hm__index_stats *st, int ph, double *t);

static hm_status verify32(const qctx *c, hm__index_scratch *s, size_t n, hm__hits *out, double *t)
{
    /* Distances in blocks of 16, the codes of later blocks being prefetched. */
    for (size_t i = 0; i < n && i < AHEAD; i++) prefetch(c->idx->codes + 32 * (size_t)s->cands[i]);
    for (size_t i = 0; i < n; i += 16) {
        size_t m = n - i < 16 ? n - i : 16;
        for (size_t j = i + AHEAD; j < i + AHEAD + m && j < n; j++)
            prefetch(c->idx->codes + 32 * (size_t)s->cands[j]);
        c->k->gather256(c->idx->codes, s->cands + i, m, c->q, s->dists + i);
    }
    lap(s->stats, 3, t);
    for (size_t i = 0; i < n; i++) {
        if (s->dists[i] > c->radius) continue;
        const uint8_t *code = c->idx->codes + 32 * (size_t)s->cands[i];
        if (found_earlier(c, code, s->ctab[i])) continue;
        HM_FORWARD_IF_ERROR(push_hit(out, s->cands[i], c->qi, s->dists[i]));
    }
    lap(s->stats, 4, t);
    return HM_OK;
}

/* ---- C, D, E for 8-byte codes: scan each bucket ------------------------------- */

static hm_status scan_bucket8(const qctx *c, unsigned t, uint32_t lo, uint32_t hi, hm__hits *out)
{
    const hm__table *tb = &c->idx->t[t];
    const uint8_t *codes = (const uint8_t *)(tb->codes + lo);
    hm__hit buf[256]; /* >= HM__SCAN_ROOM(1): every call makes progress */
    size_t done = 0, n = hi - lo;
    while (done < n) {
        size_t count = 0;
        size_t m = c->k->scan64(codes + 8 * done, n - done, c->q, 1, c->radius, buf,
                                HM_ARRAY_SIZE(buf), &count);
        for (size_t h = 0; h < count; h++) {
            size_t pos = lo + done + buf[h].entry;
            if (found_earlier(c, (const uint8_t *)(tb->codes + pos), t)) continue;
            HM_FORWARD_IF_ERROR(push_hit(out, tb->ids[pos], c->qi, buf[h].distance));
        }
        done += m;
    }
    return HM_OK;
}

/* Buckets of 8-byte codes are read whole a few buckets before they are
 * scanned: each is a short run (about 150 codes at 10M entries) that the
 * hardware prefetcher would only catch up with near its end. */
#define BUCKETS_AHEAD 8

HM__FORCE_INLINE void prefetch_bucket8(const hm__index *idx, const uint32_t *range)
{
    const uint8_t *p = (const uint8_t *)(idx->t[range[0]].codes + range[1]);
    const uint8_t *end = (const uint8_t *)(idx->t[range[0]].codes + range[2]);
    for (; p < end; p += 64) prefetch(p);
}

/* Sorts the hits appended after `before` by (entry, query). */
static void sort_new_hits(hm__hits *out, size_t before)
{
    if (out->count <= before) return;
    hm__hits mine = {out->items + before, out->count - before, 0};
    hm__hits_sort(&mine);
}

/* ---- one query --------------------------------------------------------------- */

static void slice(size_t n, unsigned part, unsigned nparts, size_t *first, size_t *end)
{
    *first = (size_t)((double)n * part / nparts);
    *end = part + 1 == nparts ? n : (size_t)((double)n * (part + 1) / nparts);
}

/* Brute force over this part's share of the entries. */
static hm_status scan_part(const qctx *c, const uint8_t *queries, unsigned nq, unsigned part,
                           unsigned nparts, hm__hits *out)
{
    size_t first, end, cb = c->idx->code_bytes;
    slice(c->idx->n, part, nparts, &first, &end);
    return hm__scan(c->k, c->idx->codes + cb * first, end - first, cb, first, queries, nq,
                    c->radius, out, NULL);
}

/* A scan for one query whose buckets proved too full for the index. */
static hm_status scan_one(const qctx *c, hm__index_scratch *s, hm__hits *out)
{
    s->scan.count = 0;
    HM_FORWARD_IF_ERROR(scan_part(c, c->q, 1, 0, 1, &s->scan));
    for (size_t h = 0; h < s->scan.count; h++)
        HM_FORWARD_IF_ERROR(push_hit(out, s->scan.items[h].entry, c->qi, s->scan.items[h].distance));
    return HM_OK;
}

/* ---- profiling (hm__index_stats) ---------------------------------------------- */

/* The thread's CPU time: on a machine shared with other jobs the phases are
 * not charged for the time the thread waits to be scheduled. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return 1e9 * (double)ts.tv_sec + (double)ts.tv_nsec;
}

/* Adds the time since *t to phase `ph` and restarts *t. */
static void lap(hm__index_stats *st, int ph, double *t)
{
    if (!st) return;
    double n = now_ns();
    st->ns[ph] += n - *t;
    *t = n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Distinct lines of bucket starts the probes [first, end) read (after the
 * query, outside its timed phases). */
static uint64_t start_lines(const hm__index *idx, const uint32_t *keys, size_t first, size_t end)
{
    size_t n = end - first, distinct = 0;
    uint64_t *lines = malloc((n ? n : 1) * sizeof *lines);
    if (!lines) return 0;
    for (size_t i = 0; i < n; i++) {
        const hm__table *tb = &idx->t[keys[first + i] >> 24];
        uint32_t b = keys[first + i] & 0xffffff;
        lines[i] = (uintptr_t)(tb->rel ? (const void *)(tb->rel + b) : (const void *)(tb->off + b)) / 64;
    }
    qsort(lines, n, sizeof *lines, cmp_u64);
    for (size_t i = 0; i < n; i++) distinct += i == 0 || lines[i] != lines[i - 1];
    free(lines);
    return distinct;
}

static void profile(const qctx *c, hm__index_scratch *s, size_t first, size_t end,
                    size_t nranges, size_t total, size_t hits_before, const hm__hits *out)
{
    hm__index_stats *st = s->stats;
    if (!st) return;
    st->queries++;
    st->probes += end - first;
    st->start_lines += start_lines(c->idx, s->keys, first, end);
    st->buckets += nranges;
    st->candidates += total;
    st->hits += out->count - hits_before;
}

/* Phases B to E over the probes [first, end) of the keys phase A wrote;
 * with `adaptive`, a scan instead when the buckets hold more candidates than
 * a scan costs (np: the query's probes). *t: the profile's clock. */
static hm_status run_probes(const qctx *c, hm__index_scratch *s, size_t np, size_t first,
                            size_t end, int adaptive, hm__hits *out, double *t)
{
    size_t nranges, total, before = out->count;
    HM_FORWARD_IF_ERROR(buckets(c, s, first, end, &nranges, &total));
    lap(s->stats, 1, t);
    if (adaptive &&
        hm__probe_cost(c->idx, (double)np, (double)total) > hm__scan_cost(c->idx->n, c->idx->code_bytes, 1))
        return scan_one(c, s, out);
    if (c->idx->code_bytes == 32) {
        HM_FORWARD_IF_ERROR(candidates32(c, s, nranges, total));
        lap(s->stats, 2, t);
        HM_FORWARD_IF_ERROR(verify32(c, s, total, out, t));
        profile(c, s, first, end, nranges, total, before, out);
        return HM_OK;
    }
    for (size_t r = 0; r < BUCKETS_AHEAD && r < nranges; r++) prefetch_bucket8(c->idx, s->ranges + 3 * r);
    for (size_t r = 0; r < nranges; r++) {
        if (r + BUCKETS_AHEAD < nranges) prefetch_bucket8(c->idx, s->ranges + 3 * (r + BUCKETS_AHEAD));
        HM_FORWARD_IF_ERROR(scan_bucket8(c, s->ranges[3 * r], s->ranges[3 * r + 1], s->ranges[3 * r + 2], out));
    }
    return HM_OK;
}

static hm_status query_one(const qctx *c, hm__index_scratch *s, unsigned part, unsigned nparts,
                           int adaptive, hm__hits *out)
{
    size_t np, first, end;
    double t = s->stats ? now_ns() : 0;
    HM_FORWARD_IF_ERROR(probes(c, s, &np));
    slice(np, part, nparts, &first, &end);
    lap(s->stats, 0, &t);
    return run_probes(c, s, np, first, end, adaptive, out, &t);
}

static hm_status check_query(const hm__index *idx, const hm__kernels *k, const uint8_t *queries,
                             unsigned nq, unsigned part, unsigned nparts,
                             const hm__index_scratch *scratch, const hm__hits *out, hm_error *err)
{
    HM_RETURN_IF(!idx || !k || !queries || !scratch || !out, err, HM_E_INVALID_ARGUMENT,
                 "index query: NULL argument");
    HM_RETURN_IF(nq < 1 || nq > HM__MAX_QUERIES, err, HM_E_INVALID_ARGUMENT,
                 "index query: 1 to %d queries per call, not %u", HM__MAX_QUERIES, nq);
    HM_RETURN_IF(nparts < 1 || part >= nparts, err, HM_E_INVALID_ARGUMENT,
                 "index query: part %u of %u", part, nparts);
    return HM_OK;
}

hm_status hm__index_query(const hm__index *idx, const hm__kernels *k, const uint8_t *queries,
                          unsigned nq, unsigned radius, unsigned part, unsigned nparts,
                          hm__plan plan, hm__index_scratch *scratch, hm__hits *out,
                          hm_error *err)
{
    HM_FORWARD_IF_ERROR(check_query(idx, k, queries, nq, part, nparts, scratch, out, err));
    unsigned bits = (unsigned)(8 * idx->code_bytes);
    qctx c = {idx, k, queries, 0, radius < bits ? radius : bits, {0}, {0}};
    int use_index = plan == HM__PLAN_INDEX ||
                    (plan == HM__PLAN_AUTO && hm__index_cost(idx, c.radius, nq) <
                                                  hm__scan_cost(idx->n, idx->code_bytes, nq));
    hm_status st = HM_OK;
    size_t before = out->count;
    if (!use_index || idx->n == 0) {
        st = scan_part(&c, queries, nq, part, nparts, out);
    } else if (idx->compact) { /* not split: part 0 answers the whole query */
        if (part == 0) st = hm__compact_query(idx, k, queries, nq, c.radius, scratch, out);
        if (st == HM_OK) sort_new_hits(out, before);
    } else {
        hm__index_radii(idx, c.radius, c.radii);
        for (unsigned j = 0; j < nq && st == HM_OK; j++) {
            c.q = queries + idx->code_bytes * j;
            c.qi = j;
            for (unsigned t = 0; t < idx->m; t++) c.qkeys[t] = hm__key(&idx->t[t], c.q, idx->s);
            st = query_one(&c, scratch, part, nparts, plan == HM__PLAN_AUTO && nparts == 1, out);
        }
        sort_new_hits(out, before);
    }
    if (st != HM_OK) out->count = before;
    HM_RETURN_IF(st != HM_OK, err, st, "index query: out of memory");
    return HM_OK;
}

/* ---- one query shared by threads ------------------------------------------------ */

/* Probes per chunk of a shared query: smaller chunks balance better, but
 * each one restarts the phases' prefetch pipelines (a memory latency each),
 * which a caller left alone pays in full: two chunks at most (measured: four
 * made a query 8 % slower when the helper never ran). */
#define SHARE_MIN_PROBES 400
#define SHARE_MAX_CHUNKS 2

static double total_probes(const hm__index *idx, unsigned radius)
{
    int radii[HM__MAX_TABLES];
    hm__index_radii(idx, radius, radii);
    double np = 0;
    for (unsigned t = 0; t < idx->m; t++) np += hm__ball(idx->s, radii[t]);
    return np;
}

uint64_t hm__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hm__index_share_start(hm__index_share *sh, const hm__index *idx, unsigned radius,
                           uint64_t deadline)
{
    double np = idx->compact ? 0 : total_probes(idx, radius < 8 * idx->code_bytes ? radius : (unsigned)(8 * idx->code_bytes));
    unsigned chunks = (unsigned)(np / SHARE_MIN_PROBES);
    sh->chunks = chunks < 1 ? 1 : chunks > SHARE_MAX_CHUNKS ? SHARE_MAX_CHUNKS : chunks;
    sh->seq++;
    atomic_store_explicit(&sh->finished, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->deadline, deadline, memory_order_relaxed);
    atomic_store_explicit(&sh->state, (uint64_t)sh->seq << 8, memory_order_release);
}

/* Claims the next chunk of query `seq`; -1 when none is left (or the query
 * is no longer `seq`, or a helper comes after the deadline). */
static int claim(hm__index_share *sh, uint32_t seq, int helper)
{
    uint64_t st = atomic_load_explicit(&sh->state, memory_order_acquire);
    uint64_t deadline = atomic_load_explicit(&sh->deadline, memory_order_relaxed);
    if (helper && deadline && hm__now_ns() > deadline) return -1;
    for (;;) {
        if ((uint32_t)(st >> 8) != seq || (st & 0xff) >= sh->chunks) return -1;
        if (atomic_compare_exchange_weak_explicit(&sh->state, &st, st + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return (int)(st & 0xff);
    }
}

hm_status hm__index_query_share(const hm__index *idx, const hm__kernels *k, const uint8_t *query,
                                unsigned radius, hm__index_share *sh, uint32_t seq, int helper,
                                hm__index_scratch *s, hm__hits *out, unsigned *ran, hm_error *err)
{
    if (ran) *ran = 0;
    HM_FORWARD_IF_ERROR(check_query(idx, k, query, 1, 0, 1, s, out, err));
    unsigned bits = (unsigned)(8 * idx->code_bytes);
    qctx c = {idx, k, query, 0, radius < bits ? radius : bits, {0}, {0}};
    size_t np = 0, before = out->count;
    hm_status st = HM_OK;
    int chunk = claim(sh, seq, helper);
    if (chunk >= 0 && idx->compact) { /* compact queries are not split */
        st = hm__compact_query(idx, k, query, 1, c.radius, s, out);
        if (ran) *ran = 1;
        atomic_fetch_add_explicit(&sh->finished, 1, memory_order_release);
        chunk = -1;
    }
    if (chunk >= 0) { /* phase A only for a participant that has work */
        hm__index_radii(idx, c.radius, c.radii);
        for (unsigned t = 0; t < idx->m; t++) c.qkeys[t] = hm__key(&idx->t[t], query, idx->s);
        st = probes(&c, s, &np);
    }
    for (; chunk >= 0 && st == HM_OK; chunk = claim(sh, seq, helper)) {
        size_t first, end;
        double t = 0;
        slice(np, (unsigned)chunk, sh->chunks, &first, &end);
        st = run_probes(&c, s, np, first, end, 0, out, &t);
        if (ran) ++*ran;
        atomic_fetch_add_explicit(&sh->finished, 1, memory_order_release);
    }
    sort_new_hits(out, before);
    if (st != HM_OK) out->count = before;
    HM_RETURN_IF(st != HM_OK, err, st, "index query: out of memory");
    return HM_OK;
}
