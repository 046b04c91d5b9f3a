/* index.c - building the multi-index hashing index: its shape from the cost
 * model, the byte order from the data, and one counting sort per table. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "index_internal.h"

/* ---- cost model ------------------------------------------------------------ */

/* Units: one random memory access (about 10 ns on the reference machine).
 * A 32-byte probe reads a bucket start whose cache line its neighbours share
 * (keys differing in low bits) and the bucket's entry numbers; a candidate
 * costs the random read of its code plus a share of an entry-number line. An
 * 8-byte probe reads a bucket start and the first line of the bucket, whose
 * codes then stream (a candidate is 8 bytes of a sequential read). A scanned
 * cache line costs what streaming 64 bytes at memory bandwidth does, and up to
 * 8 queries share one pass at a growing compute cost. The constants were
 * fitted to `hashmatch bench match` at 1M and 10M entries (docs/MATCHING.md). */
#define COST_PROBE32 0.5
#define COST_CAND32 1.25
#define COST_PROBE8 3.5
#define COST_CAND8 0.07
#define COST_QUERY 20.0
#define COST_LINE 0.3
#define COST_LINE_PER_QUERY 0.15
/* Building: per entry and table, the key, three radix passes over 8-byte
 * pairs and the placement (3.7 s for 11 tables of 9.6M PDQ codes on the
 * 2-core AMD EPYC of docs/MATCHING.md, 6.1 s on the Xeon: 35-58 ns). */
#define COST_BUILD_PER_ENTRY_TABLE 4.5

double hm__ball(unsigned s, int r)
{
    if (r < 0) return 0;
    double sum = 0, c = 1; /* c = C(s, w) */
    for (unsigned w = 0; w <= (unsigned)r && w <= s; w++) {
        sum += c;
        c = c * (double)(s - w) / (double)(w + 1);
    }
    return sum;
}

/* Radii for m equal tables: sum(r_t + 1) == r + 1, as even as possible; the
 * first `extra` ranks get the larger radius. */
static void radii_by_rank(unsigned m, unsigned radius, int *by_rank)
{
    if (m == 0) return; /* a compact index of table 0 alone */
    unsigned base = (radius + 1) / m, extra = (radius + 1) % m;
    for (unsigned k = 0; k < m; k++) by_rank[k] = (int)base - 1 + (k < extra ? 1 : 0);
}

void hm__index_radii(const hm__index *idx, unsigned radius, int *radii)
{
    int by_rank[HM__MAX_TABLES];
    radii_by_rank(idx->m, radius, by_rank);
    for (unsigned k = 0; k < idx->m; k++) radii[idx->rank[k]] = by_rank[k];
}

static double probe_cost(size_t code_bytes, double probes, double cands)
{
    return COST_QUERY + (code_bytes == 32 ? probes * COST_PROBE32 + cands * COST_CAND32
                                          : probes * COST_PROBE8 + cands * COST_CAND8);
}

double hm__probe_cost(const hm__index *idx, double probes, double cands)
{
    return probe_cost(idx->code_bytes, probes, cands);
}

/* Expected cost for uniformly random codes: every probe meets n / 2^s entries. */
static double shape_cost(size_t n, size_t code_bytes, unsigned m, unsigned s, unsigned radius,
                         unsigned nq)
{
    int radii[HM__MAX_TABLES];
    radii_by_rank(m, radius, radii);
    double probes = 0;
    for (unsigned t = 0; t < m; t++) probes += hm__ball(s, radii[t]);
    double cands = probes * (double)n / (double)(1u << s);
    return (double)nq * probe_cost(code_bytes, probes, cands);
}

double hm__index_cost(const hm__index *idx, unsigned radius, unsigned nq)
{
    if (idx->compact) return hm__compact_cost(idx, radius, nq);
    return shape_cost(idx->n, idx->code_bytes, idx->m, idx->s, radius, nq);
}

static double budget_of(const hm__index_params *p)
{
    return p && p->budget > 0 ? p->budget : HM__COMPACT_BUDGET;
}

double hm__scan_cost(size_t n, size_t code_bytes, unsigned nq)
{
    double lines = (double)n * (double)code_bytes / 64.0;
    return lines * COST_LINE * (1.0 + COST_LINE_PER_QUERY * (double)(nq - 1));
}

static void choose_shape(size_t n, size_t code_bytes, unsigned *m_out, unsigned *s_out);

void hm__index_model(size_t n, size_t code_bytes, const hm__index_params *p, unsigned radius,
                     unsigned nq, double *build, double *query)
{
    unsigned m, s, bits = (unsigned)(8 * code_bytes);
    if (p && p->compact) {
        double tables;
        *query = hm__compact_model(n, code_bytes, budget_of(p), radius, nq, &tables);
        *build = COST_BUILD_PER_ENTRY_TABLE * tables * (double)n;
        return;
    }
    if (p && p->tables) {
        m = p->tables;
        s = p->table_bits;
    } else {
        choose_shape(n, code_bytes, &m, &s);
    }
    *build = COST_BUILD_PER_ENTRY_TABLE * (double)m * (double)n;
    *query = shape_cost(n, code_bytes, m, s, radius < bits ? radius : bits, nq);
}

int hm__index_uses_index(const hm__index *idx, unsigned radius)
{
    return hm__index_cost(idx, radius, 1) < hm__scan_cost(idx->n, idx->code_bytes, 1);
}

/* ---- shape ------------------------------------------------------------------- */

static double offset_bytes(unsigned s) /* compact bucket starts */
{
    return 2.0 * ((double)(1u << s) + 1) + 4.0 * ((double)((1u << s) >> 8) + 1);
}

static double bytes_per_entry(size_t n, size_t code_bytes, unsigned m, unsigned s)
{
    double entry = code_bytes == 32 ? 4.0 : 12.0; /* entry number (+ the 8-byte code) */
    return (double)m * (entry + offset_bytes(s) / (double)(n ? n : 1));
}

/* The (m, s) of least cost at the design radius (31 for PDQ, 10 for 64-bit
 * codes) within the memory budget. */
static void choose_shape(size_t n, size_t code_bytes, unsigned *m_out, unsigned *s_out)
{
    unsigned bits = (unsigned)(8 * code_bytes), radius = code_bytes == 32 ? 31 : 10;
    double best = INFINITY;
    *m_out = 1;
    *s_out = HM__MIN_TABLE_BITS;
    for (unsigned s = HM__MIN_TABLE_BITS; s <= HM__MAX_TABLE_BITS; s++)
        for (unsigned m = 1; m <= HM__MAX_TABLES && m * s <= bits; m++) {
            if (bytes_per_entry(n, code_bytes, m, s) > HM__MAX_INDEX_BYTES_PER_ENTRY) break;
            double c = shape_cost(n, code_bytes, m, s, radius, 1);
            if (c < best) {
                best = c;
                *m_out = m;
                *s_out = s;
            }
        }
}

/* Where the key of table t lies for a byte order. */
static void locate_keys(hm__index *idx)
{
    for (unsigned t = 0; t < idx->m; t++) {
        hm__table *tb = &idx->t[t];
        unsigned first = t * idx->s, last = first + idx->s - 1;
        tb->shift = (uint8_t)(first % 8);
        tb->nsrc = (uint8_t)(last / 8 - first / 8 + 1);
        for (unsigned b = 0; b < tb->nsrc; b++) tb->src[b] = idx->order[first / 8 + b];
    }
}

/* ---- byte order ------------------------------------------------------------------ */

#define SAMPLE 65536u
#define SLOTS (2 * SAMPLE) /* open addressing, load 1/2 */

/* Pairs of sampled codes with equal keys in table tb: the expected number of
 * exact-key candidates of a query drawn like the data, up to scale. */
static double sample_collisions(const hm__index *idx, const hm__table *tb, uint32_t *slots,
                                uint32_t *counts)
{
    size_t samples = idx->n < SAMPLE ? idx->n : SAMPLE;
    double pairs = 0;
    memset(slots, 0, SLOTS * sizeof *slots);
    for (size_t j = 0; j < samples; j++) {
        size_t i = samples == idx->n ? j : (size_t)((double)j * (double)idx->n / samples);
        uint32_t key = hm__key(tb, idx->codes + idx->code_bytes * i, idx->s) + 1;
        uint32_t h = (key * 2654435761u) & (SLOTS - 1);
        while (slots[h] && slots[h] != key) h = (h + 1) & (SLOTS - 1);
        if (!slots[h]) {
            slots[h] = key;
            counts[h] = 0;
        }
        pairs += counts[h]++;
    }
    return pairs;
}

static double order_collisions(hm__index *idx, uint32_t *slots, uint32_t *counts)
{
    locate_keys(idx);
    double total = 0;
    for (unsigned t = 0; t < idx->m; t++) {
        idx->t[t].collisions = sample_collisions(idx, &idx->t[t], slots, counts);
        total += idx->t[t].collisions;
    }
    return total;
}

static void set_order(hm__index *idx, unsigned step)
{
    for (size_t k = 0; k < idx->code_bytes; k++) idx->order[k] = (uint8_t)((k * step) % idx->code_bytes);
}

/* Tries the identity and interleaving byte orders (byte k from k * step, odd
 * steps) and keeps the one whose keys collide least on a sample. */
static hm_status choose_order(hm__index *idx, int from_data, hm_error *err)
{
    static const unsigned STEPS[] = {1, 3, 5, 7, 9, 11, 13, 15};
    unsigned nsteps = !from_data ? 1 : idx->code_bytes == 32 ? 8 : 4;
    uint32_t *slots = malloc(SLOTS * sizeof *slots), *counts = malloc(SLOTS * sizeof *counts);
    if (!slots || !counts) {
        free(slots);
        free(counts);
        return hm__fail(err, HM_E_NO_MEMORY, "index: out of memory");
    }
    double best = INFINITY;
    unsigned best_step = 1;
    for (unsigned k = 0; k < nsteps; k++) {
        set_order(idx, STEPS[k]);
        double c = order_collisions(idx, slots, counts);
        if (c < best) {
            best = c;
            best_step = STEPS[k];
        }
    }
    set_order(idx, best_step);
    order_collisions(idx, slots, counts);
    free(slots);
    free(counts);
    return HM_OK;
}

/* Ranks tables from the fewest to the most sampled collisions. */
static void rank_tables(hm__index *idx)
{
    for (unsigned t = 0; t < idx->m; t++) idx->rank[t] = (uint8_t)t;
    for (unsigned a = 1; a < idx->m; a++)
        for (unsigned b = a; b > 0 && idx->t[idx->rank[b]].collisions < idx->t[idx->rank[b - 1]].collisions; b--) {
            uint8_t x = idx->rank[b];
            idx->rank[b] = idx->rank[b - 1];
            idx->rank[b - 1] = x;
        }
}

/* ---- tables ------------------------------------------------------------------------ */

/* Sorts (key << 32 | entry) by key with a stable radix sort, 8 bits per
 * pass (256 scatter targets stay in the L1 cache, where a counting sort into
 * 2^s buckets would miss on every entry). The result ends in *a; *tmp is
 * scratch of the same size (the two may be swapped). */
void hm__sort_by_key(uint64_t **a, uint64_t **tmp, size_t n, unsigned s)
{
    for (unsigned shift = 32; shift < 32 + s; shift += 8) {
        uint32_t count[256] = {0};
        const uint64_t *src = *a;
        uint64_t *dst = *tmp;
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xff]++;
        uint32_t sum = 0;
        for (unsigned d = 0; d < 256; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        *tmp = *a;
        *a = dst;
    }
}

/* Bucket starts from the sorted keys, compact form: rel[b] = start(b) -
 * base[b >> g], where start(b) is the first position with key >= b. Returns 0
 * when a run of 2^g buckets holds 65536 entries or more. */
static int fill_compact(const uint64_t *a, size_t n, size_t buckets, unsigned g, uint16_t *rel,
                        uint32_t *base)
{
    size_t b = 0, blk = 0, mask = ((size_t)1 << g) - 1;
    for (size_t pos = 0; pos <= n; pos++) {
        size_t key = pos < n ? (size_t)(a[pos] >> 32) : buckets; /* n ends every bucket */
        for (; b <= key; b++) {
            if ((b & mask) == 0) base[b >> g] = (uint32_t)(blk = pos);
            if (pos - blk > 65535) return 0;
            rel[b] = (uint16_t)(pos - blk);
        }
    }
    return 1;
}

/* The same with plain 32-bit starts. */
static void fill_full(const uint64_t *a, size_t n, size_t buckets, uint32_t *off)
{
    size_t b = 0;
    for (size_t pos = 0; pos <= n; pos++) {
        size_t key = pos < n ? (size_t)(a[pos] >> 32) : buckets;
        for (; b <= key; b++) off[b] = (uint32_t)pos;
    }
}

/* Compact starts use the longest runs of buckets (2^12 down to 2^8) whose
 * entries fit 16-bit offsets: the shorter `base`, the likelier it is that a
 * query finds it cached (10M entries: 8 KiB per table instead of 128 KiB). */
#define BASE_SHIFT_MAX 12
#define BASE_SHIFT_MIN 8

hm_status hm__table_starts(hm__table *tb, const uint64_t *a, size_t n, unsigned s)
{
    size_t buckets = (size_t)1 << s;
    tb->rel = hm__alloc_large((buckets + 1) * sizeof *tb->rel);
    if (!tb->rel) return HM_E_NO_MEMORY;
    for (unsigned g = BASE_SHIFT_MAX; g >= BASE_SHIFT_MIN; g--) {
        size_t blocks = (buckets >> g) + 1;
        tb->base = malloc(blocks * sizeof *tb->base);
        if (!tb->base) return HM_E_NO_MEMORY;
        if (fill_compact(a, n, buckets, g, tb->rel, tb->base)) {
            tb->base_shift = (uint8_t)g;
            tb->bytes += (buckets + 1) * sizeof *tb->rel + blocks * sizeof *tb->base;
            return HM_OK;
        }
        free(tb->base);
    }
    free(tb->rel);
    tb->rel = NULL;
    tb->base = NULL;
    tb->off = hm__alloc_large((buckets + 1) * sizeof *tb->off);
    if (!tb->off) return HM_E_NO_MEMORY;
    fill_full(a, n, buckets, tb->off);
    tb->bytes += (buckets + 1) * sizeof *tb->off;
    return HM_OK;
}

/* The entries of the sorted pairs, and for 8-byte codes the codes too. */
static hm_status place_entries(const hm__index *idx, hm__table *tb, const uint64_t *a)
{
    size_t n = idx->n;
    tb->ids = hm__alloc_large((n + HM__IDS_SLACK) * sizeof *tb->ids);
    if (idx->code_bytes == 8) tb->codes = hm__alloc_large((n ? n : 1) * sizeof *tb->codes);
    if (!tb->ids || (idx->code_bytes == 8 && !tb->codes)) return HM_E_NO_MEMORY;
    tb->bytes += (n + HM__IDS_SLACK) * sizeof *tb->ids + n * (tb->codes ? sizeof *tb->codes : 0);
    for (size_t pos = 0; pos < n; pos++) tb->ids[pos] = (uint32_t)a[pos];
    memset(tb->ids + n, 0, HM__IDS_SLACK * sizeof *tb->ids);
    if (tb->codes) /* bytes as stored: the kernels read them like the caller's array */
        for (size_t pos = 0; pos < n; pos++) memcpy(&tb->codes[pos], idx->codes + 8 * (size_t)tb->ids[pos], 8);
    return HM_OK;
}

/* One builder: tables first, first + step, ... with its own sort buffers. */
typedef struct builder {
    hm__index *idx;
    unsigned first, step;
    const atomic_int *cancel;
    hm_status status;
} builder;

static int cancelled(const builder *b)
{
    return b->cancel && atomic_load_explicit(b->cancel, memory_order_relaxed);
}

static hm_status build_table(hm__index *idx, hm__table *tb, uint64_t **pairs, uint64_t **tmp)
{
    for (size_t i = 0; i < idx->n; i++)
        (*pairs)[i] = (uint64_t)hm__key(tb, idx->codes + idx->code_bytes * i, idx->s) << 32 | i;
    hm__sort_by_key(pairs, tmp, idx->n, idx->s);
    HM_FORWARD_IF_ERROR(place_entries(idx, tb, *pairs));
    return hm__table_starts(tb, *pairs, idx->n, idx->s);
}

static void *builder_main(void *arg)
{
    builder *b = arg;
    size_t n = b->idx->n ? b->idx->n : 1;
    uint64_t *pairs = hm__alloc_large(n * sizeof *pairs), *tmp = hm__alloc_large(n * sizeof *tmp);
    b->status = pairs && tmp ? HM_OK : HM_E_NO_MEMORY;
    for (unsigned t = b->first; t < b->idx->m && b->status == HM_OK; t += b->step)
        b->status = cancelled(b) ? HM_E_LIMIT : build_table(b->idx, &b->idx->t[t], &pairs, &tmp);
    free(pairs);
    free(tmp);
    return NULL;
}

/* Tables are independent: up to `threads` builders share them (a builder that
 * cannot be started is run on the calling thread). */
static hm_status build_tables(hm__index *idx, unsigned threads, const atomic_int *cancel,
                              hm_error *err)
{
    builder b[HM__MAX_TABLES];
    pthread_t th[HM__MAX_TABLES];
    int started[HM__MAX_TABLES] = {0};
    if (threads < 1) threads = 1;
    if (threads > idx->m) threads = idx->m;
    for (unsigned k = 0; k < threads; k++) {
        b[k] = (builder){idx, k, threads, cancel, HM_OK};
        if (k > 0) started[k] = pthread_create(&th[k], NULL, builder_main, &b[k]) == 0;
    }
    builder_main(&b[0]);
    hm_status st = b[0].status;
    for (unsigned k = 1; k < threads; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else builder_main(&b[k]);
        if (b[k].status != HM_OK) st = b[k].status;
    }
    for (unsigned t = 0; t < idx->m; t++) idx->memory += idx->t[t].bytes;
    if (st == HM_E_LIMIT) return hm__fail(err, st, "index: build cancelled");
    return st == HM_OK ? HM_OK : hm__fail(err, st, "index: out of memory for %zu entries", idx->n);
}

/* ---- public (internal) entry points ------------------------------------------------- */

static hm_status check_params(const hm__index_params *p, size_t code_bytes, hm_error *err)
{
    if (!p || (!p->tables && !p->table_bits)) return HM_OK;
    HM_RETURN_IF(!p->tables || !p->table_bits, err, HM_E_INVALID_ARGUMENT,
                 "index: give both the number of tables and their bits, or neither");
    HM_RETURN_IF(p->tables > HM__MAX_TABLES || p->table_bits < HM__MIN_TABLE_BITS ||
                     p->table_bits > HM__MAX_TABLE_BITS ||
                     p->tables * p->table_bits > 8 * code_bytes,
                 err, HM_E_INVALID_ARGUMENT, "index: %u tables of %u bits do not fit %zu-bit codes",
                 p->tables, p->table_bits, 8 * code_bytes);
    return HM_OK;
}

hm_status hm__index_build(const uint8_t *codes, size_t n, size_t code_bytes,
                          const hm__index_params *params, hm__index **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "index: NULL output");
    *out = NULL;
    HM_RETURN_IF(!codes && n, err, HM_E_INVALID_ARGUMENT, "index: NULL codes");
    HM_RETURN_IF(code_bytes != 8 && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "index: codes must be 8 or 32 bytes, not %zu", code_bytes);
    HM_RETURN_IF(n >= UINT32_MAX, err, HM_E_LIMIT, "index: %zu entries (at most 2^32 - 2)", n);
    HM_FORWARD_IF_ERROR(check_params(params, code_bytes, err));
    hm__index *idx = calloc(1, sizeof *idx);
    HM_RETURN_IF(!idx, err, HM_E_NO_MEMORY, "index: out of memory");
    idx->codes = codes;
    idx->n = n;
    idx->code_bytes = code_bytes;
    if (params && params->compact) {
        hm_status cst = hm__compact_build(idx, budget_of(params), params->tables,
                                          params->table_bits, params->cancel);
        if (cst != HM_OK) {
            hm__index_free(idx);
            return hm__fail(err, cst, cst == HM_E_LIMIT ? "index: build cancelled"
                                                        : "index: out of memory for %zu entries", n);
        }
        *out = idx;
        return HM_OK;
    }
    if (params && params->tables) {
        idx->m = params->tables;
        idx->s = params->table_bits;
    } else {
        choose_shape(n, code_bytes, &idx->m, &idx->s);
    }
    idx->memory = sizeof *idx;
    hm_status st = choose_order(idx, !(params && params->byte_order < 0), err);
    if (st == HM_OK) {
        rank_tables(idx);
        st = build_tables(idx, params ? params->threads : 1, params ? params->cancel : NULL, err);
    }
    if (st != HM_OK) {
        hm__index_free(idx);
        return st;
    }
    *out = idx;
    return HM_OK;
}

void hm__table_free(hm__table *tb)
{
    free(tb->rel);
    free(tb->base);
    free(tb->off);
    free(tb->ids);
    free(tb->codes);
}

void hm__index_free(hm__index *idx)
{
    if (!idx) return;
    hm__compact_free(idx->compact);
    for (unsigned t = 0; t < HM__MAX_TABLES; t++) hm__table_free(&idx->t[t]);
    free(idx);
}

size_t hm__index_memory(const hm__index *idx) { return idx ? idx->memory : 0; }

void hm__index_shape(const hm__index *idx, unsigned *tables, unsigned *table_bits)
{
    if (tables) *tables = idx ? idx->m : 0;
    if (table_bits) *table_bits = idx ? idx->s : 0;
}
