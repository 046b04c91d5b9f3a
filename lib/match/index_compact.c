/* index_compact.c - HM_INDEX_COMPACT: multi-index hashing in a fraction of
 * the fast index's memory (docs/MATCHING.md, "Index modes").
 *
 * Two ideas keep it small:
 *   - Table 0 costs no entry numbers at all: the set's code array is sorted,
 *     so the codes sharing their first s0 bits (the key of table 0) are one
 *     contiguous run of the array itself, found through 2^s0 + 1 starts and
 *     scanned directly (full distances, no candidates).
 *   - The other tables ("fingerprint tables") list 32-bit entries: the entry
 *     number in the high bits and, in the bits a set of n < 2^32 entries
 *     leaves free, f more bits of the table's substring (the fingerprint).
 *     A table's substring is its s-bit key followed by those f bits; a probe
 *     of key k at mask weight w keeps an entry only when w plus the distance
 *     of its fingerprint is within the table's radius. So the substring
 *     filtered on is s + f bits long while buckets are indexed by s bits,
 *     and most entries of a probed bucket are dropped without reading their
 *     code.
 * Exactness is the same pigeonhole argument as the fast index's, over the
 * substrings of table 0 (the first s0 bits) and of the fingerprint tables
 * (disjoint runs of s + f bits after the bytes of table 0): some table has
 * its substring within its radius for every entry within the query radius,
 * and the entry is reported by the first such table only. */
#include <math.h>
#include <stdlib.h>

#include "index_internal.h"

#define prefetch(p) __builtin_prefetch(p)

/* ---- bits ----------------------------------------------------------------------- */

/* The first s0 (1..24) bits of a code in memcmp order: the sort order. */
static inline uint32_t prefix0(const uint8_t *code, unsigned s0)
{
    uint32_t v = (uint32_t)code[0] << 16 | (uint32_t)code[1] << 8 | code[2];
    return v >> (24 - s0);
}

/* `count` (<= 32) bits of the code from bit `first` of the bytes after
 * `skip`, bit p being bit p % 8 of byte skip + p / 8. */
static inline uint32_t sub_bits(const uint8_t *code, unsigned skip, unsigned first, unsigned count)
{
    const uint8_t *p = code + skip + first / 8;
    unsigned sh = first % 8, nb = (sh + count + 7) / 8;
    uint64_t v = 0;
    for (unsigned k = 0; k < nb; k++) v |= (uint64_t)p[k] << (8 * k);
    return (uint32_t)((v >> sh) & (((uint64_t)1 << count) - 1));
}

/* Bits set in a fingerprint or key difference (at most 32 bits): the
 * library is built for the baseline x86-64, where the compiler's builtin is
 * a library call; this is a few instructions inline. */
static inline unsigned pop32(uint32_t x)
{
    x -= (x >> 1) & 0x55555555u;
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static unsigned bits_for(size_t n) /* bits of the largest entry number */
{
    unsigned b = 1;
    while (b < 32 && ((size_t)1 << b) < n) b++;
    return b;
}

/* ---- shape and cost --------------------------------------------------------------- */

typedef struct cshape {
    unsigned m, s, f, s0; /* fingerprint tables, key bits, fingerprint bits, table 0 bits (0: none) */
    int r0;               /* table 0's radius at the design radius */
} cshape;

/* Units of one random memory read, as index.c's model: a random line 1, a
 * line that follows one just read COST_SEQ, a probe's bucket start COST_START
 * (neighbouring keys share its line), a candidate's code COST_CAND. */
#define COST_QUERY 20.0
#define COST_START 0.5
#define COST_SEQ 0.3
#define COST_CAND 1.25
#define COST_ENTRY 0.12 /* a fingerprint compared (about 1 ns) */
#define COST_CODE 0.08  /* a code of table 0 compared by the scan kernel */
/* Measured compact queries (10M PDQ-like codes, bench match) take about
 * three times the units above; the plan compares the total with a scan. */
#define COST_MEASURED 3.0

/* Radii for a query radius: table 0 keeps its design share of the r + 1
 * units of the pigeonhole sum, the fingerprint tables split the rest as
 * evenly as possible (-1: the table is left out). */
static void cradii(const cshape *sh, unsigned design, unsigned radius, int *r0, int *rt)
{
    unsigned units = radius + 1, u0 = 0;
    if (sh->s0 && sh->r0 >= 0) {
        u0 = (unsigned)floor((double)units * (double)(sh->r0 + 1) / (double)(design + 1) + 0.5);
        if (sh->m == 0 || u0 > units) u0 = units;
    }
    *r0 = (int)u0 - 1;
    unsigned rest = units - u0, base = sh->m ? rest / sh->m : 0, extra = sh->m ? rest % sh->m : 0;
    for (unsigned t = 0; t < sh->m; t++) rt[t] = (int)base - 1 + (t < extra ? 1 : 0);
}

static double lines_of(double bytes) { return bytes / 64.0; }

static double cshape_cost(size_t n, size_t cb, const cshape *sh, unsigned design, unsigned radius)
{
    int r0, rt[HM__MAX_TABLES];
    cradii(sh, design, radius, &r0, rt);
    double cost = COST_QUERY, dn = (double)n;
    if (r0 >= 0) {
        double per = dn / (double)(1u << sh->s0); /* codes per run */
        cost += hm__ball(sh->s0, r0) *
                (COST_START + 1 + COST_SEQ * fmax(0, lines_of(per * (double)cb) - 1) + COST_CODE * per);
    }
    for (unsigned t = 0; t < sh->m; t++) {
        if (rt[t] < 0) continue;
        double per = dn / (double)(1u << sh->s);
        cost += hm__ball(sh->s, rt[t]) *
                (COST_START + 1 + COST_SEQ * fmax(0, lines_of(per * 4) - 1) + COST_ENTRY * per);
        cost += hm__ball(sh->s + sh->f, rt[t]) * dn / ldexp(1.0, (int)(sh->s + sh->f)) * COST_CAND;
    }
    return cost;
}

static double cshape_bytes(size_t n, const cshape *sh)
{
    double starts = 2.0 * ((double)(1u << sh->s) + 1) + 4.0 * ((double)((1u << sh->s) >> 8) + 1);
    double bytes = (double)sh->m * (4.0 * (double)n + starts);
    if (sh->s0) bytes += 4.0 * ((double)(1u << sh->s0) + 1);
    return bytes;
}

/* The shapes searched: a compact index has few tables, of long keys. */
#define CMAX_TABLES 12
#define CMIN_KEY_BITS 10

/* The shape of least cost at the design radius within `budget` bytes per
 * entry; table 0 only over sorted codes. */
static cshape choose_cshape(size_t n, size_t cb, int sorted, double budget, unsigned design,
                           unsigned only_m, unsigned only_s)
{
    cshape best = {0, 0, 0, 0, -1};
    double best_cost = INFINITY, nn = (double)(n ? n : 1);
    unsigned fmax_bits = 32 - bits_for(n);
    for (unsigned s0 = 0; s0 <= 24; s0 = s0 ? s0 + 1 : (sorted ? 8 : 25)) {
        unsigned skip = (s0 + 7) / 8, avail = 8 * (unsigned)cb - 8 * skip;
        for (unsigned m = 0; m <= CMAX_TABLES; m++)
            for (unsigned s = CMIN_KEY_BITS; s <= HM__MAX_TABLE_BITS && (m || s == CMIN_KEY_BITS); s++) {
                unsigned f = fmax_bits < 32 - s ? fmax_bits : 32 - s;
                if (m && m * (s + f) > avail) f = avail / m > s ? avail / m - s : 0;
                if (m && (m * (s + f) > avail || f > fmax_bits)) continue;
                if (only_m && (m != only_m || s != only_s)) continue;
                for (int r0 = s0 ? 0 : -1; r0 <= (s0 ? 6 : -1); r0++) { /* ball(24, 7) > 10^6 */
                    cshape c = {m, m ? s : 0, m ? f : 0, s0, r0};
                    if (!s0 && !m) continue;
                    if (cshape_bytes(n, &c) / nn > budget) continue;
                    double cost = cshape_cost(n, cb, &c, design, design);
                    if (cost < best_cost) best_cost = cost, best = c;
                }
            }
    }
    return best;
}

/* ---- the index --------------------------------------------------------------------- */

struct hm__compact {
    cshape sh;
    unsigned design, skip; /* design radius; bytes before the fingerprint tables' bits */
    uint32_t *start0;      /* table 0: 2^s0 + 1 starts into the code array */
    hm__table t[HM__MAX_TABLES]; /* ids: entry << f | fingerprint, in key order */
    unsigned first[HM__MAX_TABLES]; /* first bit of each table's substring */
};

static int is_sorted(const uint8_t *codes, size_t n, size_t cb)
{
    for (size_t i = 1; i < n; i++)
        if (memcmp(codes + cb * (i - 1), codes + cb * i, cb) > 0) return 0;
    return 1;
}

static hm_status build_table0(hm__compact *c, const uint8_t *codes, size_t n, size_t cb)
{
    size_t keys = (size_t)1 << c->sh.s0;
    c->start0 = hm__alloc_large((keys + 1) * sizeof *c->start0);
    if (!c->start0) return HM_E_NO_MEMORY;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t key = prefix0(codes + cb * i, c->sh.s0);
        while (k <= key) c->start0[k++] = (uint32_t)i;
    }
    while (k <= keys) c->start0[k++] = (uint32_t)n;
    return HM_OK;
}

/* One fingerprint table: (key << 32 | entry << f | fingerprint), sorted. */
static hm_status build_ftable(hm__compact *c, unsigned t, const uint8_t *codes, size_t n,
                              size_t cb, uint64_t **pairs, uint64_t **tmp)
{
    const cshape *sh = &c->sh;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = sub_bits(codes + cb * i, c->skip, c->first[t], sh->s + sh->f);
        uint32_t key = v & ((1u << sh->s) - 1), fp = sh->f ? v >> sh->s : 0;
        (*pairs)[i] = (uint64_t)key << 32 | (uint32_t)((uint64_t)i << sh->f | fp);
    }
    hm__sort_by_key(pairs, tmp, n, sh->s);
    hm__table *tb = &c->t[t];
    tb->ids = hm__alloc_large((n + HM__IDS_SLACK) * sizeof *tb->ids);
    if (!tb->ids) return HM_E_NO_MEMORY;
    for (size_t pos = 0; pos < n; pos++) tb->ids[pos] = (uint32_t)(*pairs)[pos];
    memset(tb->ids + n, 0, HM__IDS_SLACK * sizeof *tb->ids);
    tb->bytes += (n + HM__IDS_SLACK) * sizeof *tb->ids;
    return hm__table_starts(tb, *pairs, n, sh->s);
}

static hm_status build_ftables(hm__compact *c, const uint8_t *codes, size_t n, size_t cb,
                               const atomic_int *cancel)
{
    uint64_t *pairs = hm__alloc_large((n ? n : 1) * sizeof *pairs);
    uint64_t *tmp = hm__alloc_large((n ? n : 1) * sizeof *tmp);
    hm_status st = pairs && tmp ? HM_OK : HM_E_NO_MEMORY;
    for (unsigned t = 0; t < c->sh.m && st == HM_OK; t++) {
        c->first[t] = t * (c->sh.s + c->sh.f);
        st = cancel && atomic_load_explicit(cancel, memory_order_relaxed)
                 ? HM_E_LIMIT
                 : build_ftable(c, t, codes, n, cb, &pairs, &tmp);
    }
    free(pairs);
    free(tmp);
    return st;
}

void hm__compact_free(hm__compact *c)
{
    if (!c) return;
    free(c->start0);
    for (unsigned t = 0; t < HM__MAX_TABLES; t++) hm__table_free(&c->t[t]);
    free(c);
}

hm_status hm__compact_build(hm__index *idx, double budget, unsigned only_m, unsigned only_s,
                            const atomic_int *cancel)
{
    size_t n = idx->n, cb = idx->code_bytes;
    hm__compact *c = calloc(1, sizeof *c);
    if (!c) return HM_E_NO_MEMORY;
    c->design = cb == 32 ? 31 : 10;
    c->sh = choose_cshape(n, cb, is_sorted(idx->codes, n, cb), budget, c->design, only_m, only_s);
    c->skip = (c->sh.s0 + 7) / 8;
    hm_status st = c->sh.s0 ? build_table0(c, idx->codes, n, cb) : HM_OK;
    if (st == HM_OK) st = build_ftables(c, idx->codes, n, cb, cancel);
    if (st != HM_OK) {
        hm__compact_free(c);
        return st;
    }
    idx->compact = c;
    idx->m = c->sh.m;
    idx->s = c->sh.s;
    idx->memory = sizeof *idx + sizeof *c;
    if (c->sh.s0) idx->memory += (((size_t)1 << c->sh.s0) + 1) * sizeof *c->start0;
    for (unsigned t = 0; t < c->sh.m; t++) idx->memory += c->t[t].bytes;
    return HM_OK;
}

double hm__compact_cost(const hm__index *idx, unsigned radius, unsigned nq)
{
    const hm__compact *c = idx->compact;
    return (double)nq * COST_MEASURED * cshape_cost(idx->n, idx->code_bytes, &c->sh, c->design, radius);
}

double hm__compact_model(size_t n, size_t cb, double budget, unsigned radius, unsigned nq,
                         double *tables)
{
    unsigned design = cb == 32 ? 31 : 10;
    cshape sh = choose_cshape(n, cb, 1, budget, design, 0, 0);
    *tables = sh.m + (sh.s0 ? 0.25 : 0); /* table 0's starts cost little to build */
    return (double)nq * COST_MEASURED *
           cshape_cost(n, cb, &sh, design, radius < 8 * cb ? radius : (unsigned)(8 * cb));
}

void hm__compact_shape(const hm__index *idx, unsigned *tables, unsigned *key_bits,
                       unsigned *fp_bits, unsigned *table0_bits)
{
    const hm__compact *c = idx->compact;
    *tables = c->sh.m;
    *key_bits = c->sh.s;
    *fp_bits = c->sh.f;
    *table0_bits = c->sh.s0;
}

/* ---- queries ----------------------------------------------------------------------- */

typedef struct cq {
    const hm__index *idx;
    const hm__compact *c;
    const hm__kernels *k;
    const uint8_t *q;
    unsigned qi, radius;
    int r0, rt[HM__MAX_TABLES];
    uint32_t qp0, qkey[HM__MAX_TABLES], qfp[HM__MAX_TABLES];
} cq;

/* 1 when an earlier table than `t` (table 0 first) finds the code. */
static int found_before(const cq *x, const uint8_t *code, unsigned t)
{
    const hm__compact *c = x->c;
    if (x->r0 >= 0 && (int)pop32(prefix0(code, c->sh.s0) ^ x->qp0) <= x->r0) return 1;
    for (unsigned u = 0; u < t; u++) {
        if (x->rt[u] < 0) continue;
        uint32_t v = sub_bits(code, c->skip, c->first[u], c->sh.s + c->sh.f);
        uint32_t qv = x->qkey[u] | (c->sh.f ? x->qfp[u] << c->sh.s : 0);
        if ((int)pop32(v ^ qv) <= x->rt[u]) return 1;
    }
    return 0;
}

static hm_status push(hm__hits *out, uint64_t entry, unsigned query, unsigned d)
{
    if (hm__hits_reserve(out, 1) != HM_OK) return HM_E_NO_MEMORY;
    out->items[out->count++] = (hm__hit){entry, query, d};
    return HM_OK;
}

/* Table 0: every run of codes whose prefix is within r0 of the query's,
 * scanned in place (its hits are final: table 0 is the first table). */
static hm_status table0_runs(const cq *x, hm__index_scratch *s, size_t *nruns)
{
    const hm__compact *c = x->c;
    size_t np = (size_t)hm__ball(c->sh.s0, x->r0), nr = 0;
    if (!hm__grow((void **)&s->keys, &s->keys_cap, np + 1, sizeof *s->keys) ||
        !hm__grow((void **)&s->ranges, &s->ranges_cap, 2 * np + 2, sizeof *s->ranges))
        return HM_E_NO_MEMORY;
    np = hm__enumerate_keys(0, x->qp0, c->sh.s0, x->r0, s->keys);
    enum { AHEAD = 32 };
    for (size_t p = 0; p < np && p < AHEAD; p++) prefetch(c->start0 + s->keys[p]);
    for (size_t p = 0; p < np; p++) {
        if (p + AHEAD < np) prefetch(c->start0 + s->keys[p + AHEAD]);
        uint32_t lo = c->start0[s->keys[p]], hi = c->start0[s->keys[p] + 1];
        s->ranges[2 * nr] = lo;
        s->ranges[2 * nr + 1] = hi;
        nr += hi != lo;
    }
    *nruns = nr;
    return HM_OK;
}

HM__FORCE_INLINE void prefetch_run(const cq *x, const uint32_t *range)
{
    size_t cb = x->idx->code_bytes;
    for (size_t b = cb * range[0]; b < cb * range[1]; b += 64) prefetch(x->idx->codes + b);
}

static hm_status table0(const cq *x, hm__index_scratch *s, hm__hits *out)
{
    size_t nr, cb = x->idx->code_bytes;
    HM_FORWARD_IF_ERROR(table0_runs(x, s, &nr));
    hm__scan_fn fn = cb == 32 ? x->k->scan256 : x->k->scan64;
    hm__hit buf[2 * HM__SCAN_ROOM(1)];
    enum { RUNS_AHEAD = 4 };
    for (size_t r = 0; r < nr && r < RUNS_AHEAD; r++) prefetch_run(x, s->ranges + 2 * r);
    for (size_t r = 0; r < nr; r++) {
        if (r + RUNS_AHEAD < nr) prefetch_run(x, s->ranges + 2 * (r + RUNS_AHEAD));
        size_t lo = s->ranges[2 * r], hi = s->ranges[2 * r + 1];
        while (lo < hi) {
            size_t count = 0;
            size_t m = fn(x->idx->codes + cb * lo, hi - lo, x->q, 1, x->radius, buf,
                          HM_ARRAY_SIZE(buf), &count);
            for (size_t h = 0; h < count; h++)
                HM_FORWARD_IF_ERROR(push(out, lo + buf[h].entry, x->qi, buf[h].distance));
            lo += m;
        }
    }
    return HM_OK;
}

/* ---- fingerprint tables: B buckets, C filtered entries, D distances, E hits ---- */

/* Probes of every fingerprint table: table << 24 | key. */
static hm_status ftable_probes(const cq *x, hm__index_scratch *s, size_t *count)
{
    const hm__compact *c = x->c;
    double total = 0;
    for (unsigned t = 0; t < c->sh.m; t++) total += hm__ball(c->sh.s, x->rt[t]);
    if (!hm__grow((void **)&s->keys, &s->keys_cap, (size_t)total + 1, sizeof *s->keys)) return HM_E_NO_MEMORY;
    size_t n = 0;
    for (unsigned t = 0; t < c->sh.m; t++)
        if (x->rt[t] >= 0) n += hm__enumerate_keys(t, x->qkey[t], c->sh.s, x->rt[t], s->keys + n);
    *count = n;
    return HM_OK;
}

HM__FORCE_INLINE void prefetch_fstart(const hm__compact *c, uint32_t key)
{
    hm__prefetch_bucket(&c->t[key >> 24], key & 0xffffff);
}

/* B: non-empty buckets as (table | weight << 8, first, end), the weight
 * being the probe's distance to the query's key. */
static hm_status fbuckets(const cq *x, hm__index_scratch *s, size_t np, size_t *count)
{
    const hm__compact *c = x->c;
    if (!hm__grow((void **)&s->ranges, &s->ranges_cap, 3 * np + 3, sizeof *s->ranges)) return HM_E_NO_MEMORY;
    enum { AHEAD = 48 };
    size_t n = 0;
    for (size_t p = 0; p < np && p < AHEAD; p++) prefetch_fstart(c, s->keys[p]);
    for (size_t p = 0; p < np; p++) {
        if (p + AHEAD < np) prefetch_fstart(c, s->keys[p + AHEAD]);
        uint32_t t = s->keys[p] >> 24, b = s->keys[p] & 0xffffff;
        const hm__table *tb = &c->t[t];
        uint32_t lo = hm__bucket_start(tb, b), hi = hm__bucket_start(tb, b + 1);
        s->ranges[3 * n] = t | pop32(b ^ x->qkey[t]) << 8;
        s->ranges[3 * n + 1] = lo;
        s->ranges[3 * n + 2] = hi;
        n += hi != lo;
    }
    *count = n;
    return HM_OK;
}

HM__FORCE_INLINE void prefetch_entries(const hm__compact *c, const uint32_t *range)
{
    const uint32_t *ids = c->t[range[0] & 0xff].ids;
    for (uint32_t k = range[1]; k < range[2]; k += 16) prefetch(ids + k);
    prefetch(ids + range[2] - 1);
}

/* C: the entries of every bucket whose fingerprint keeps them within the
 * table's radius: candidates (entry numbers and their table). */
static hm_status fentries(const cq *x, hm__index_scratch *s, size_t nranges, size_t *count)
{
    const hm__compact *c = x->c;
    const uint32_t fmask = c->sh.f ? (uint32_t)((1ull << c->sh.f) - 1) : 0;
    size_t n = 0;
    enum { AHEAD = 24 };
    for (size_t r = 0; r < nranges && r < AHEAD; r++) prefetch_entries(c, s->ranges + 3 * r);
    for (size_t r = 0; r < nranges; r++) {
        if (r + AHEAD < nranges) prefetch_entries(c, s->ranges + 3 * (r + AHEAD));
        uint32_t t = s->ranges[3 * r] & 0xff, w = s->ranges[3 * r] >> 8;
        uint32_t lo = s->ranges[3 * r + 1], hi = s->ranges[3 * r + 2];
        if (!hm__grow((void **)&s->cands, &s->cands_cap, n + (hi - lo), sizeof *s->cands) ||
            !hm__grow((void **)&s->ctab, &s->ctab_cap, n + (hi - lo), sizeof *s->ctab))
            return HM_E_NO_MEMORY;
        const uint32_t *ids = c->t[t].ids;
        int budget = x->rt[t] - (int)w;
        for (uint32_t i = lo; i < hi; i++) {
            uint32_t e = ids[i];
            s->cands[n] = e >> c->sh.f;
            s->ctab[n] = (uint8_t)t;
            n += (int)pop32((e & fmask) ^ x->qfp[t]) <= budget;
        }
    }
    *count = n;
    return HM_OK;
}

/* D and E: distances of the candidates, hits by the first-table rule. */
static hm_status fverify(const cq *x, hm__index_scratch *s, size_t n, hm__hits *out)
{
    const uint8_t *codes = x->idx->codes;
    size_t cb = x->idx->code_bytes;
    if (!hm__grow((void **)&s->dists, &s->dists_cap, n + 1, sizeof *s->dists)) return HM_E_NO_MEMORY;
    enum { AHEAD = 48 };
    for (size_t i = 0; i < n && i < AHEAD; i++) prefetch(codes + cb * s->cands[i]);
    for (size_t i = 0; i < n; i += 16) {
        size_t m = n - i < 16 ? n - i : 16;
        for (size_t j = i + AHEAD; j < i + AHEAD + m && j < n; j++) prefetch(codes + cb * s->cands[j]);
        if (cb == 32) x->k->gather256(codes, s->cands + i, m, x->q, s->dists + i);
        else
            for (size_t j = i; j < i + m; j++)
                s->dists[j] = (uint16_t)hm__popcount64(hm__load_le64(codes + 8 * (size_t)s->cands[j]) ^
                                                       hm__load_le64(x->q));
    }
    for (size_t i = 0; i < n; i++) {
        if (s->dists[i] > x->radius) continue;
        if (found_before(x, codes + cb * s->cands[i], s->ctab[i])) continue;
        HM_FORWARD_IF_ERROR(push(out, s->cands[i], x->qi, s->dists[i]));
    }
    return HM_OK;
}

static hm_status cquery_one(cq *x, hm__index_scratch *s, hm__hits *out)
{
    const hm__compact *c = x->c;
    if (x->r0 >= 0) {
        x->qp0 = prefix0(x->q, c->sh.s0);
        HM_FORWARD_IF_ERROR(table0(x, s, out));
    }
    for (unsigned t = 0; t < c->sh.m; t++) {
        uint32_t v = sub_bits(x->q, c->skip, c->first[t], c->sh.s + c->sh.f);
        x->qkey[t] = v & ((1u << c->sh.s) - 1);
        x->qfp[t] = c->sh.f ? v >> c->sh.s : 0;
    }
    size_t np, nranges, ncands;
    HM_FORWARD_IF_ERROR(ftable_probes(x, s, &np));
    HM_FORWARD_IF_ERROR(fbuckets(x, s, np, &nranges));
    HM_FORWARD_IF_ERROR(fentries(x, s, nranges, &ncands));
    return fverify(x, s, ncands, out);
}

hm_status hm__compact_query(const hm__index *idx, const hm__kernels *k, const uint8_t *queries,
                            unsigned nq, unsigned radius, hm__index_scratch *s, hm__hits *out)
{
    const hm__compact *c = idx->compact;
    cq x;
    memset(&x, 0, sizeof x);
    x.idx = idx;
    x.c = c;
    x.k = k;
    x.radius = radius;
    cradii(&c->sh, c->design, radius, &x.r0, x.rt);
    if (!c->sh.s0) x.r0 = -1;
    size_t before = out->count;
    for (unsigned j = 0; j < nq; j++) {
        x.q = queries + idx->code_bytes * j;
        x.qi = j;
        hm_status st = cquery_one(&x, s, out);
        if (st != HM_OK) {
            out->count = before;
            return st;
        }
    }
    return HM_OK;
}
