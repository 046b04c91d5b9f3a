/* bench_match.c - `hashmatch bench match`: radius search on sets of 1M and
 * 10M codes, everything measured in one run on the same data:
 *   - a sequential read of the code array, plain and prefetching ahead as
 *     the scans do (memory bandwidth: the faster of the two);
 *   - brute force on every SIMD tier, one query per pass and 8 per pass,
 *     reported as a share of the read bandwidth measured between its
 *     passes (each pass is preceded by a read of the same bytes, so the
 *     ratio compares runs under the same conditions on a busy machine);
 *   - the multi-index hashing index: build time, bytes per entry, p50/p99
 *     single-query latency (one thread, and one query split over two),
 *     batch throughput on 1 and 2 threads;
 *   - FAISS IndexBinaryFlat and IndexBinaryMultiHash through the separate
 *     hashmatch-faiss programs when they were built: FAISS compiled from
 *     Debian's source at its widest level for this CPU (the baseline), and
 *     Debian's binary libfaiss (labelled: no POPCNT instruction).
 * Every method's results are compared with brute force for every query:
 * recall must be exactly 1 and nothing beyond the radius may be reported; the
 * exit status is 1 otherwise. */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#include "bench.h"
#include "bench_resident.h"
#include "cli.h"
#include "match/index_internal.h"
#include "match_data.h"

static const char HELP[] =
    "usage: hashmatch bench match [--n N] [--queries Q] [--data LIST] [--json]\n"
    "\n"
    "Radius search over sets of N codes (default: 1000000 and 10000000):\n"
    "uniformly random 256-bit codes, PDQ-like codes (128 bits set, clusters of\n"
    "near-duplicates, uneven bits) and 64-bit codes (the pHash family). Queries:\n"
    "half planted near entries (distance 0..31, or 0..12 for 64-bit codes),\n"
    "half unrelated. Radius 31 for 256-bit codes, 10 for 64-bit codes.\n"
    "\n"
    "Measured in the same run: a sequential read of the codes, plain and\n"
    "prefetching ahead like the scans (bandwidth: the faster one), brute\n"
    "force on every SIMD tier (% bw: its median pass against the median of reads\n"
    "of the same bytes made between its passes), the index (build time, bytes per entry, p50/p99\n"
    "latency, split over 2 threads, batch throughput on 1 and 2 threads) and,\n"
    "when built, FAISS IndexBinaryFlat and IndexBinaryMultiHash: FAISS built from\n"
    "Debian's source at its widest optimisation level for this CPU (scripts/setup.sh\n"
    "bench; rows faiss-*), and Debian's binary libfaiss, compiled without the\n"
    "hardware popcount instruction (rows faiss-debian-*). Every method times the\n"
    "same mix of queries (FAISS's slow methods an evenly spaced subset). Every result\n"
    "is checked against brute force: the exit status is 1 unless recall is\n"
    "exactly 1 with nothing beyond the radius.\n"
    "\n"
    "  --n N          set size (overrides both defaults)\n"
    "  --queries Q    queries per set (default 1000)\n"
    "  --data LIST    comma list of uniform256,pdq-like,uniform64 (default all)\n"
    "  --no-faiss     skip the FAISS baseline\n"
    "  --index-only   only the bandwidth rows and the index (no scans, no FAISS)\n"
    "  --no-resident  skip the resident-memory rows (PDQ-like data: a signed set,\n"
    "                 one process per index mode: none, fast, compact, compact-16)\n"
    "  --json         a JSON array of rows instead of a table\n";

/* ------------------------------------------------------------------------ */
/* Rows                                                                     */
/* ------------------------------------------------------------------------ */

#define NA (-1.0) /* not applicable: null in JSON */

typedef struct row {
    char method[48], data[16], tier[8], note[384];
    size_t n;
    unsigned bits, radius, per_pass;
    double p50_us, p99_us, recall, beyond, bytes_per_entry, build_s, qps_1t, qps_2t, gb_per_s,
        pct_bandwidth;
} row;

typedef struct rows {
    row *items;
    size_t count, cap;
} rows;

static row *row_add(rows *rs, const char *method, const char *data, size_t n, unsigned bits,
                    unsigned radius)
{
    if (rs->count == rs->cap) {
        size_t cap = rs->cap ? 2 * rs->cap : 32;
        row *p = realloc(rs->items, cap * sizeof *p);
        if (!p) return NULL;
        rs->items = p;
        rs->cap = cap;
    }
    row *r = &rs->items[rs->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->data, sizeof r->data, "%s", data);
    r->n = n;
    r->bits = bits;
    r->radius = radius;
    r->p50_us = r->p99_us = r->recall = r->beyond = r->bytes_per_entry = r->build_s = NA;
    r->qps_1t = r->qps_2t = r->gb_per_s = r->pct_bandwidth = NA;
    return r;
}

static void json_num(cli_buf *b, int *first, const char *key, double v, int decimals)
{
    cli_buf_json_key(b, first, key);
    if (v == NA) cli_buf_puts(b, "null");
    else cli_buf_printf(b, "%.*f", decimals, v);
}

static void print_json(const rows *rs)
{
    cli_buf b;
    cli_buf_init(&b);
    cli_buf_puts(&b, "[\n");
    for (size_t i = 0; i < rs->count; i++) {
        const row *r = &rs->items[i];
        int first = 1;
        cli_buf_puts(&b, "  {");
        cli_buf_json_key(&b, &first, "method");
        cli_buf_json_string(&b, r->method);
        cli_buf_json_key(&b, &first, "data");
        cli_buf_json_string(&b, r->data);
        cli_buf_json_key(&b, &first, "tier");
        cli_buf_json_string(&b, r->tier);
        json_num(&b, &first, "n", (double)r->n, 0);
        json_num(&b, &first, "bits", r->bits, 0);
        json_num(&b, &first, "radius", r->radius, 0);
        json_num(&b, &first, "queries_per_pass", r->per_pass ? r->per_pass : NA, 0);
        json_num(&b, &first, "p50_us", r->p50_us, 2);
        json_num(&b, &first, "p99_us", r->p99_us, 2);
        json_num(&b, &first, "recall", r->recall, 6);
        json_num(&b, &first, "beyond_radius", r->beyond, 0);
        json_num(&b, &first, "bytes_per_entry", r->bytes_per_entry, 2);
        json_num(&b, &first, "build_s", r->build_s, 3);
        json_num(&b, &first, "qps_1t", r->qps_1t, 0);
        json_num(&b, &first, "qps_2t", r->qps_2t, 0);
        json_num(&b, &first, "gb_per_s", r->gb_per_s, 2);
        json_num(&b, &first, "pct_bandwidth", r->pct_bandwidth, 1);
        cli_buf_json_key(&b, &first, "note");
        cli_buf_json_string(&b, r->note);
        cli_buf_puts(&b, i + 1 < rs->count ? "},\n" : "}\n");
    }
    cli_buf_puts(&b, "]\n");
    cli_buf_write(&b, stdout);
    cli_buf_free(&b);
}

static void text_num(double v, int decimals, int width)
{
    if (v == NA) printf(" %*s", width, "-");
    else printf(" %*.*f", width, decimals, v);
}

static void print_text(const rows *rs)
{
    printf("%-26s %-10s %9s %4s %3s %10s %10s %7s %7s %7s %9s %9s %7s %5s\n", "method", "data", "n",
           "bits", "r", "p50_us", "p99_us", "recall", "B/entry", "build_s", "qps_1t", "qps_2t",
           "GB/s", "%bw");
    for (size_t i = 0; i < rs->count; i++) {
        const row *r = &rs->items[i];
        printf("%-26s %-10s %9zu %4u %3u", r->method, r->data, r->n, r->bits, r->radius);
        text_num(r->p50_us, 1, 10);
        text_num(r->p99_us, 1, 10);
        text_num(r->recall, 4, 7);
        text_num(r->bytes_per_entry, 1, 7);
        text_num(r->build_s, 2, 7);
        text_num(r->qps_1t, 0, 9);
        text_num(r->qps_2t, 0, 9);
        text_num(r->gb_per_s, 2, 7);
        text_num(r->pct_bandwidth, 0, 5);
        printf("%s%s\n", r->note[0] ? "  " : "", r->note);
    }
}

/* ------------------------------------------------------------------------ */
/* Timing and ground truth                                                  */
/* ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p50 and p99 of t[0..n) in microseconds (t in seconds; sorted in place). */
static void percentiles(double *t, size_t n, row *r)
{
    if (!n) return;
    qsort(t, n, sizeof *t, cmp_double);
    r->p50_us = t[n / 2] * 1e6;
    r->p99_us = t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] * 1e6;
}

/* The exact answer, per query: entries sorted ascending. */
typedef struct truth {
    size_t *start; /* q + 1 offsets into entry */
    uint64_t *entry;
} truth;

static void truth_free(truth *t)
{
    free(t->start);
    free(t->entry);
}

/* Brute force on the best tier, 8 queries per pass. */
static int truth_make(const uint8_t *codes, size_t n, size_t cb, const uint8_t *queries, size_t q,
                      unsigned radius, truth *t)
{
    hm__hits h = {0};
    t->start = calloc(q + 1, sizeof *t->start);
    t->entry = NULL;
    int ok = t->start != NULL;
    for (size_t i = 0; i < q && ok; i += 8) {
        unsigned m = (unsigned)(q - i < 8 ? q - i : 8);
        size_t before = h.count;
        ok = hm__scan(hm__kernels_best(), codes, n, cb, 0, queries + cb * i, m, radius, &h, NULL) == HM_OK;
        for (size_t k = before; k < h.count && ok; k++) h.items[k].query += (uint32_t)i;
    }
    /* Regroup (entry, query) order into per-query lists. */
    for (size_t k = 0; k < h.count && ok; k++) t->start[h.items[k].query + 1]++;
    for (size_t i = 0; i < q && ok; i++) t->start[i + 1] += t->start[i];
    t->entry = malloc((h.count ? h.count : 1) * sizeof *t->entry);
    size_t *fill = calloc(q + 1, sizeof *fill);
    ok = ok && t->entry && fill;
    for (size_t k = 0; k < h.count && ok; k++) {
        uint32_t j = h.items[k].query;
        t->entry[t->start[j] + fill[j]++] = h.items[k].entry;
    }
    free(fill);
    hm__hits_free(&h);
    return ok;
}

/* Compares the hits of query i (any order within, entries of one query)
 * with the truth: adds to *found and *beyond. */
static void score(const truth *t, size_t i, const hm__hit *hits, size_t count, double *found,
                  double *beyond)
{
    const uint64_t *e = t->entry + t->start[i];
    size_t ne = t->start[i + 1] - t->start[i];
    for (size_t k = 0; k < count; k++) {
        size_t lo = 0, hi = ne;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (e[mid] < hits[k].entry) lo = mid + 1;
            else hi = mid;
        }
        if (lo < ne && e[lo] == hits[k].entry) *found += 1;
        else *beyond += 1;
    }
}

static size_t truth_total(const truth *t, size_t q0, size_t q1) { return t->start[q1] - t->start[q0]; }

static void set_recall(row *r, double found, double beyond, size_t expected)
{
    r->recall = expected ? found / (double)expected : (found == 0 ? 1.0 : 0.0);
    r->beyond = beyond;
}

/* ------------------------------------------------------------------------ */
/* Measurements                                                             */
/* ------------------------------------------------------------------------ */

typedef struct ctx {
    const uint8_t *codes, *queries;
    size_t n, cb, q;
    unsigned radius, bits;
    const char *data;
    double bandwidth; /* bytes per second */
    double random_ns; /* per random 64-byte line, prefetched ahead (random-read row) */
    size_t ahead;     /* prefetch distance of the faster read (0 or 8192) */
    rows *out;
    int failed;
} ctx;

/* XOR of every 16-byte block: a plain sequential read of the array with the
 * baseline vector width (SSE2, NEON), four independent chains; with `ahead`,
 * each line is also prefetched that many bytes in advance, as the scans do
 * (the hardware prefetcher alone leaves DRAM bandwidth unused on one core). */
static uint64_t read_all(const uint8_t *p, size_t bytes, size_t ahead)
{
#if defined(__SSE2__) || defined(__ARM_NEON)
#if defined(__SSE2__)
    typedef __m128i v128;
#define LOAD(x) _mm_loadu_si128((const __m128i *)(const void *)(x))
#define XOR(a, b) _mm_xor_si128(a, b)
#define ZERO() _mm_setzero_si128()
#else
    typedef uint8x16_t v128;
#define LOAD(x) vld1q_u8(x)
#define XOR(a, b) veorq_u8(a, b)
#define ZERO() vdupq_n_u8(0)
#endif
    v128 a0 = ZERO(), a1 = ZERO(), a2 = ZERO(), a3 = ZERO();
    size_t i = 0;
    for (; i + 64 <= bytes; i += 64) {
        if (ahead && i + ahead + 64 <= bytes) __builtin_prefetch(p + i + ahead);
        a0 = XOR(a0, LOAD(p + i));
        a1 = XOR(a1, LOAD(p + i + 16));
        a2 = XOR(a2, LOAD(p + i + 32));
        a3 = XOR(a3, LOAD(p + i + 48));
    }
    uint64_t out[2];
    v128 x = XOR(XOR(a0, a1), XOR(a2, a3));
    memcpy(out, &x, 16);
    for (; i < bytes; i++) out[0] ^= p[i];
    return out[0] ^ out[1];
#undef LOAD
#undef XOR
#undef ZERO
#else
    (void)ahead;
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= bytes; i += 8) acc ^= hm__load_le64(p + i);
    return acc;
#endif
}

/* The bandwidth that scans are measured against: the faster of a plain
 * sequential read and one that prefetches 8 KiB ahead (the scans' distance),
 * each best of 5; both are reported, the faster one as 100 %. */
static double read_bandwidth(ctx *c)
{
    static const char *const NAME[2] = {"read", "read-prefetch"};
    row *r[2];
    double best[2] = {1e30, 1e30};
    for (int kind = 0; kind < 2; kind++) {
        uint64_t sink = 0;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = cli_now();
            sink ^= read_all(c->codes, c->n * c->cb, kind ? 8192 : 0);
            double dt = cli_now() - t0;
            if (dt < best[kind]) best[kind] = dt;
        }
        r[kind] = row_add(c->out, NAME[kind], c->data, c->n, c->bits, 0);
        if (!r[kind]) return 0;
        r[kind]->p50_us = best[kind] * 1e6;
        r[kind]->gb_per_s = (double)(c->n * c->cb) / best[kind] / 1e9;
        snprintf(r[kind]->note, sizeof r[kind]->note, "sequential read%s, best of 5 (checksum %016llx)",
                 kind ? " prefetching 8 KiB ahead" : "", (unsigned long long)sink);
    }
    double fastest = best[0] < best[1] ? best[0] : best[1];
    c->ahead = best[1] < best[0] ? 8192 : 0;
    for (int kind = 0; kind < 2; kind++) r[kind]->pct_bandwidth = 100.0 * fastest / best[kind];
    return (double)(c->n * c->cb) / fastest;
}

/* Random 64-byte reads of the code array, 32 prefetched ahead: the unit the
 * index's cost is made of (each probe and candidate is such a read). */
static void random_read(ctx *c)
{
    enum { READS = 200000, AHEAD = 32 };
    size_t lines = c->n * c->cb / 64;
    uint32_t *at = malloc(READS * sizeof *at);
    if (!lines || !at) {
        free(at);
        return;
    }
    bench_rng r = {77};
    for (size_t i = 0; i < READS; i++) at[i] = bench_rng_below(&r, (uint32_t)(lines < UINT32_MAX ? lines : UINT32_MAX));
    double best = 1e30;
    uint64_t sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = cli_now();
        for (size_t i = 0; i < READS; i++) {
            if (i + AHEAD < READS) __builtin_prefetch(c->codes + 64 * (size_t)at[i + AHEAD]);
            sink += hm__load_le64(c->codes + 64 * (size_t)at[i]);
        }
        double dt = cli_now() - t0;
        best = dt < best ? dt : best;
    }
    free(at);
    row *w = row_add(c->out, "random-read", c->data, c->n, c->bits, 0);
    if (!w) return;
    double ns = best / READS * 1e9;
    c->random_ns = ns;
    w->gb_per_s = 64.0 / ns;
    snprintf(w->note, sizeof w->note, "%.1f ns per random 64-byte line, %d prefetched ahead (sum %llu)",
             ns, AHEAD, (unsigned long long)(sink & 0xffff));
}

/* Brute force on one tier with `per` queries per pass over `passes` passes. */
static void scan_row(ctx *c, const hm__kernels *k, unsigned per, size_t passes, const truth *t)
{
    const char *tier = hm_match_tier_name(k->tier);
    char name[48];
    if (per == 1) snprintf(name, sizeof name, "scan-%s", tier);
    else snprintf(name, sizeof name, "scan%u-%s", per, tier);
    row *r = row_add(c->out, name, c->data, c->n, c->bits, c->radius);
    double *times = malloc(2 * passes * sizeof *times), *reads = times + passes;
    double found = 0, beyond = 0;
    uint64_t sink = 0;
    if (!r || !times) {
        free(times);
        c->failed = 1;
        return;
    }
    snprintf(r->tier, sizeof r->tier, "%s", tier);
    r->per_pass = per;
    hm__hits h = {0};
    size_t expected = 0, usable = c->q / per * per;
    for (size_t p = 0; p < passes; p++) {
        size_t q0 = (p * per) % usable;
        h.count = 0;
        double t0 = cli_now();
        sink += read_all(c->codes, c->n * c->cb, c->ahead);
        reads[p] = cli_now() - t0;
        t0 = cli_now();
        hm_status st = hm__scan(k, c->codes, c->n, c->cb, 0, c->queries + c->cb * q0, per,
                                c->radius, &h, NULL);
        times[p] = cli_now() - t0;
        if (st != HM_OK) c->failed = 1;
        for (size_t x = 0; x < h.count; x++) score(t, q0 + h.items[x].query, &h.items[x], 1, &found, &beyond);
        expected += truth_total(t, q0, q0 + per);
    }
    percentiles(times, passes, r);
    qsort(reads, passes, sizeof *reads, cmp_double);
    double read_p50 = reads[passes / 2];
    set_recall(r, found, beyond, expected);
    r->gb_per_s = (double)(c->n * c->cb) / (r->p50_us * 1e-6) / 1e9;
    r->pct_bandwidth = 100.0 * read_p50 / (r->p50_us * 1e-6);
    int used = snprintf(r->note, sizeof r->note, "reads between passes %.2f GB/s (sum %llx)",
                        (double)(c->n * c->cb) / read_p50 / 1e9, (unsigned long long)(sink & 0xff));
    if (per > 1 && used > 0 && (size_t)used < sizeof r->note)
        snprintf(r->note + used, sizeof r->note - (size_t)used, "; %u queries per pass, %.1f us per query",
                 per, r->p50_us / per);
    free(times);
    hm__hits_free(&h);
}

/* ---- the index ------------------------------------------------------------- */

typedef struct worker {
    ctx *c;
    const hm__index *idx;
    const truth *t;
    unsigned radius;
    size_t q0, q1;
    double secs, found, beyond;
    int fail;
} worker;

static void *batch_worker(void *arg)
{
    worker *w = arg;
    hm__index_scratch s = {0};
    hm__hits h = {0};
    double t0 = cli_now();
    for (size_t i = w->q0; i < w->q1; i++) {
        h.count = 0;
        if (hm__index_query(w->idx, hm__kernels_best(), w->c->queries + w->c->cb * i, 1, w->radius,
                            0, 1, HM__PLAN_AUTO, &s, &h, NULL) != HM_OK)
            w->fail = 1;
        score(w->t, i, h.items, h.count, &w->found, &w->beyond);
    }
    w->secs = cli_now() - t0;
    hm__hits_free(&h);
    hm__index_scratch_free(&s);
    return NULL;
}

/* Queries per second with the queries shared among `threads` threads. */
static double batch_qps(ctx *c, const hm__index *idx, const truth *t, unsigned radius,
                        unsigned threads, row *r)
{
    worker w[2];
    pthread_t th[2];
    int started[2] = {0, 0};
    double t0 = cli_now();
    for (unsigned k = 0; k < threads; k++) {
        w[k] = (worker){c, idx, t, radius, c->q * k / threads, c->q * (k + 1) / threads, 0, 0, 0, 0};
        if (k > 0) started[k] = pthread_create(&th[k], NULL, batch_worker, &w[k]) == 0;
    }
    batch_worker(&w[0]);
    double found = w[0].found, beyond = w[0].beyond;
    for (unsigned k = 1; k < threads; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else batch_worker(&w[k]);
        found += w[k].found;
        beyond += w[k].beyond;
        if (w[k].fail) c->failed = 1;
    }
    double secs = cli_now() - t0;
    if (w[0].fail) c->failed = 1;
    /* The throughput run is checked too. */
    if (found != (double)truth_total(t, 0, c->q) || beyond != 0) {
        c->failed = 1;
        snprintf(r->note, sizeof r->note, "a %u-thread batch run differed from brute force", threads);
    }
    return (double)c->q / secs;
}

/* One query shared by two threads (hm__index_query_share): a helper claims
 * chunks of each query's probe list while the caller does too; a helper
 * that is not scheduled claims nothing, so the caller never waits for it.
 * The helper sleeps on a condition variable between queries and leaves a
 * query alone when it wakes on the caller's core or after a quarter of the
 * one-thread time (hm__index_share deadline), and the caller stops waking a
 * helper that keeps arriving too late (trying again every 32nd query): a
 * helper that spins, runs on the caller's core or is woken in vain takes
 * time from the caller, which made the split slower than one thread on a
 * busy machine. With
 * `busy`, a third thread spins on the other core meanwhile: the case where
 * the helper rarely gets a core. */
typedef struct helper {
    const hm__index *idx;
    ctx *c;
    unsigned radius;
    hm__index_share share;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic uint32_t go;  /* the seq of the query to help with */
    _Atomic uint32_t tag; /* the seq whose hits `hits` holds */
    atomic_int quit;
    _Atomic size_t qi;
    atomic_int cpu;       /* the caller's CPU when it started the query */
    atomic_uint ran;      /* chunks the helper ran for query `tag` */
    hm__hits hits;
    hm__index_scratch scratch;
    int fail;
} helper;

static void *helper_main(void *arg)
{
    helper *h = arg;
    uint32_t seen = 0;
    for (;;) {
        uint32_t g;
        pthread_mutex_lock(&h->mu);
        while ((g = atomic_load(&h->go)) == seen && !atomic_load(&h->quit))
            pthread_cond_wait(&h->cv, &h->mu);
        pthread_mutex_unlock(&h->mu);
        if (g == seen) return NULL; /* quit */
        seen = g;
        h->hits.count = 0;
        atomic_store(&h->ran, 0);
        atomic_store(&h->tag, g);
        size_t qi = atomic_load(&h->qi);
        unsigned ran = 0;
        /* Woken on the caller's core, the helper would only take turns with
         * it: it leaves the query to the caller. */
        if (sched_getcpu() == atomic_load(&h->cpu)) continue;
        if (hm__index_query_share(h->idx, hm__kernels_best(), h->c->queries + h->c->cb * qi,
                                  h->radius, &h->share, g, 1, &h->scratch, &h->hits, &ran,
                                  NULL) != HM_OK)
            h->fail = 1;
        atomic_store(&h->ran, ran);
    }
}

static void *spinner_main(void *arg)
{
    atomic_int *stop = arg;
    volatile uint64_t x = 0;
    while (!atomic_load(stop)) x = x * 3 + 1;
    return NULL;
}

/* single_us: the one-thread p50, whose quarter is the helpers' deadline. */
static void split_row(ctx *c, const hm__index *idx, const truth *t, unsigned radius, int busy,
                      double single_us)
{
    row *r = row_add(c->out, busy ? "index-split2-busy" : "index-split2", c->data, c->n, c->bits, radius);
    helper *h = calloc(1, sizeof *h);
    double *times = malloc(c->q * sizeof *times);
    pthread_t th, spin;
    atomic_int stop = 0;
    if (h) {
        pthread_mutex_init(&h->mu, NULL);
        pthread_cond_init(&h->cv, NULL);
    }
    if (!r || !h || !times || (h->idx = idx, h->c = c, h->radius = radius,
                               pthread_create(&th, NULL, helper_main, h) != 0)) {
        free(h);
        free(times);
        return;
    }
    int spinning = busy && pthread_create(&spin, NULL, spinner_main, &stop) == 0;
    snprintf(r->tier, sizeof r->tier, "%s", hm_match_tier_name(hm_match_best_tier()));
    hm__index_scratch s = {0};
    hm__hits mine = {0}, alone = {0};
    double found = 0, beyond = 0, helped = 0, *single = malloc(c->q * sizeof *single);
    size_t nsplit = 0, nsingle = 0;
    unsigned misses = 0; /* queries in a row the woken helper did not help with */
    for (size_t i = 0; i < c->q; i++) {
        mine.count = 0;
        /* Waking a helper that gets no core of its own costs the caller a
         * context switch: after 4 wasted wake-ups in a row, only every 32nd
         * query tries again (the others run on one thread, as a plain query). */
        int wake = misses < 4 || i % 32 == 0;
        double t0 = cli_now();
        unsigned ran = 0;
        int theirs = 0;
        if (!wake) {
            if (hm__index_query(idx, hm__kernels_best(), c->queries + c->cb * i, 1, radius, 0, 1,
                                HM__PLAN_AUTO, &s, &mine, NULL) != HM_OK)
                c->failed = 1;
        } else {
            atomic_store(&h->qi, i);
            atomic_store(&h->cpu, sched_getcpu());
            hm__index_share_start(&h->share, idx, radius, hm__now_ns() + (uint64_t)(single_us * 250.0));
            uint32_t seq = h->share.seq;
            pthread_mutex_lock(&h->mu);
            atomic_store(&h->go, seq);
            pthread_cond_signal(&h->cv);
            pthread_mutex_unlock(&h->mu);
            if (hm__index_query_share(idx, hm__kernels_best(), c->queries + c->cb * i, radius,
                                      &h->share, seq, 0, &s, &mine, &ran, NULL) != HM_OK)
                c->failed = 1;
            while (atomic_load(&h->share.finished) != h->share.chunks) sched_yield();
            theirs = atomic_load(&h->tag) == seq;
            misses = ran < h->share.chunks ? 0 : misses + 1;
        }
        times[nsplit++] = cli_now() - t0;
        score(t, i, mine.items, mine.count, &found, &beyond);
        if (theirs) score(t, i, h->hits.items, h->hits.count, &found, &beyond);
        helped += wake && ran < h->share.chunks;
        /* The next query on one thread: the two methods alternate query
         * by query, so they are compared under the same load whatever the
         * machine does meanwhile (the same query twice would find its
         * lines cached). */
        if (++i >= c->q) break;
        alone.count = 0;
        t0 = cli_now();
        if (hm__index_query(idx, hm__kernels_best(), c->queries + c->cb * i, 1, radius, 0, 1,
                            HM__PLAN_AUTO, &s, &alone, NULL) != HM_OK)
            c->failed = 1;
        single[nsingle++] = cli_now() - t0;
        score(t, i, alone.items, alone.count, &found, &beyond);
    }
    pthread_mutex_lock(&h->mu);
    atomic_store(&h->quit, 1);
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(th, NULL);
    atomic_store(&stop, 1);
    if (spinning) pthread_join(spin, NULL);
    if (h->fail) c->failed = 1;
    row one = {0};
    if (single) percentiles(single, nsingle, &one);
    percentiles(times, nsplit, r);
    set_recall(r, found, beyond, truth_total(t, 0, c->q));
    snprintf(r->note, sizeof r->note,
             "every other query on 1 thread in the same loop: p50 %.1f us; probes in %u chunks "
             "claimed by 2 threads, the helper only within a quarter of the 1-thread time: it "
             "ran in %.0f%% of the split queries%s",
             one.p50_us, h->share.chunks, 100.0 * helped / (double)(nsplit ? nsplit : 1),
             busy ? "; a third thread kept the other core busy" : "");
    free(single);
    hm__hits_free(&alone);
    hm__hits_free(&mine);
    hm__hits_free(&h->hits);
    hm__index_scratch_free(&s);
    hm__index_scratch_free(&h->scratch);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
    free(times);
}

/* The index's profile at the design radius: per query, the keys probed
 * (A), the distinct lines of bucket starts read (B), the non-empty buckets
 * whose entry numbers are read (C), the candidates whose codes are read and
 * compared (D), the hits (E), and the time of each phase; the lines read,
 * times the random-read row's time per line (the rate that prefetching
 * reaches on this machine), is the bound the note gives. */
static void profile_row(ctx *c, const hm__index *idx, unsigned radius)
{
    if (c->cb != 32) return; /* 8-byte tables scan their buckets: no candidates to count */
    row *r = row_add(c->out, "index-profile", c->data, c->n, c->bits, radius);
    if (!r) return;
    hm__index_stats st;
    memset(&st, 0, sizeof st);
    hm__index_scratch sc = {0};
    hm__hits h = {0};
    for (size_t i = 0; i < c->q; i++) {
        h.count = 0;
        sc.stats = &st;
        if (hm__index_query(idx, hm__kernels_best(), c->queries + c->cb * i, 1, radius, 0, 1,
                            HM__PLAN_INDEX, &sc, &h, NULL) != HM_OK)
            c->failed = 1;
    }
    double q = (double)(st.queries ? st.queries : 1), lines = (st.start_lines + st.buckets + st.candidates) / q;
    double total_ns = 0;
    for (int k = 0; k < 5; k++) total_ns += st.ns[k];
    snprintf(r->tier, sizeof r->tier, "%s", hm_match_tier_name(hm_match_best_tier()));
    r->p50_us = total_ns / q / 1e3;
    snprintf(r->note, sizeof r->note,
             "per query: %.0f probes, %.0f start lines, %.0f buckets, %.0f candidates, %.1f hits; "
             "us A %.1f B %.1f C %.1f D %.1f E %.1f; bound %.0f lines x %.1f ns = %.1f us",
             st.probes / q, st.start_lines / q, st.buckets / q, st.candidates / q, st.hits / q,
             st.ns[0] / q / 1e3, st.ns[1] / q / 1e3, st.ns[2] / q / 1e3, st.ns[3] / q / 1e3,
             st.ns[4] / q / 1e3, lines, c->random_ns, lines * c->random_ns / 1e3);
    hm__hits_free(&h);
    hm__index_scratch_free(&sc);
}

/* Single-query latency on one thread, and batch throughput. */
static void index_row(ctx *c, const hm__index *idx, const truth *t, unsigned radius,
                      double build_s, int batches, const char *method)
{
    row *r = row_add(c->out, method, c->data, c->n, c->bits, radius);
    double *times = malloc(c->q * sizeof *times), found = 0, beyond = 0;
    if (!r || !times) {
        free(times);
        return;
    }
    unsigned m, s;
    hm__index_shape(idx, &m, &s);
    char shape[96];
    if (idx->compact) {
        unsigned tables, key_bits, fp_bits, t0;
        hm__compact_shape(idx, &tables, &key_bits, &fp_bits, &t0);
        snprintf(shape, sizeof shape, "table 0 on %u prefix bits + %u tables x %u+%u bits", t0,
                 tables, key_bits, fp_bits);
    } else {
        snprintf(shape, sizeof shape, "%u tables x %u bits", m, s);
    }
    snprintf(r->tier, sizeof r->tier, "%s", hm_match_tier_name(hm_match_best_tier()));
    r->build_s = build_s;
    r->bytes_per_entry = (double)hm__index_memory(idx) / (double)(c->n ? c->n : 1);
    hm__index_scratch sc = {0};
    hm__hits h = {0};
    for (size_t i = 0; i < c->q; i++) {
        h.count = 0;
        double t0 = cli_now();
        if (hm__index_query(idx, hm__kernels_best(), c->queries + c->cb * i, 1, radius, 0, 1,
                            HM__PLAN_AUTO, &sc, &h, NULL) != HM_OK)
            c->failed = 1;
        times[i] = cli_now() - t0;
        score(t, i, h.items, h.count, &found, &beyond);
    }
    percentiles(times, c->q, r);
    set_recall(r, found, beyond, truth_total(t, 0, c->q));
    snprintf(r->note, sizeof r->note, "%s, %s", shape,
             hm__index_uses_index(idx, radius) ? "probed" : "cost model scans");
    if (batches) {
        r->qps_1t = batch_qps(c, idx, t, radius, 1, r);
        r->qps_2t = batch_qps(c, idx, t, radius, 2, r);
    }
    hm__hits_free(&h);
    hm__index_scratch_free(&sc);
    free(times);
}

/* ---- FAISS, through the separate hashmatch-faiss programs ------------------------ */

/* `name` next to this executable, or the path in the environment variable
 * `env` when it is set. */
static int faiss_path(const char *name, const char *env_name, char *out, size_t size)
{
    const char *env = getenv(env_name);
    if (env && *env) {
        snprintf(out, size, "%s", env);
        return access(out, X_OK) == 0;
    }
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0) return 0;
    self[k] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) return 0;
    *slash = '\0';
    snprintf(out, size, "%s/%s", self, name);
    return access(out, X_OK) == 0;
}

static int write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = fwrite(data, 1, size, f) == size ? 0 : -1;
    return fclose(f) != 0 ? -1 : rc;
}

/* Truth file: per query, a uint64 count and the entries. */
static int write_truth(const char *path, const truth *t, size_t q)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = 1;
    for (size_t i = 0; i < q; i++) {
        uint64_t cnt = t->start[i + 1] - t->start[i];
        ok &= fwrite(&cnt, sizeof cnt, 1, f) == 1;
        ok &= fwrite(t->entry + t->start[i], sizeof *t->entry, cnt, f) == cnt;
    }
    return fclose(f) != 0 || !ok ? -1 : 0;
}

/* Parses "row<TAB>method<TAB>p50<TAB>p99<TAB>recall<TAB>beyond<TAB>build_s<TAB>
 * bytes_per_entry<TAB>queries<TAB>note" lines of a FAISS program; `prefix`
 * renames "faiss-x" to "faiss-<prefix>-x" (the Debian build). */
static void faiss_parse(ctx *c, char *line, const char *prefix)
{
    char *f[10], method[48];
    size_t nf = 0;
    for (char *p = line; nf < 10; nf++) {
        f[nf] = p;
        char *tab = strchr(p, '\t');
        if (!tab) {
            p[strcspn(p, "\r\n")] = '\0';
            nf++;
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    if (nf != 10 || strcmp(f[0], "row")) return;
    if (*prefix && !strncmp(f[1], "faiss-", 6)) snprintf(method, sizeof method, "faiss-%s-%s", prefix, f[1] + 6);
    else snprintf(method, sizeof method, "%s", f[1]);
    row *r = row_add(c->out, method, c->data, c->n, c->bits, c->radius);
    if (!r) return;
    snprintf(r->tier, sizeof r->tier, "faiss");
    r->p50_us = atof(f[2]);
    r->p99_us = atof(f[3]);
    r->recall = atof(f[4]);
    r->beyond = atof(f[5]);
    r->build_s = atof(f[6]);
    r->bytes_per_entry = atof(f[7]);
    snprintf(r->note, sizeof r->note, "%s queries; %s", f[8], f[9]);
    if (r->recall != 1.0 || r->beyond != 0) c->failed = 1;
}

/* Runs one FAISS program on the files of faiss_rows. */
static void faiss_run(ctx *c, const char *prog, const char *files[3], const char *prefix)
{
    char cmd[9000], line[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s' %zu %zu '%s' %zu %u '%s'", prog, files[0], c->n, c->cb,
             files[1], c->q, c->radius, files[2]);
    FILE *p = popen(cmd, "r");
    while (p && fgets(line, sizeof line, p)) faiss_parse(c, line, prefix);
    if (!p || pclose(p) != 0) {
        cli_warn("bench match: the FAISS baseline %s failed", prog);
        c->failed = 1;
    }
}

/* FAISS built natively from Debian's source (hashmatch-faiss, the baseline)
 * and Debian's binary libfaiss (hashmatch-faiss-debian, rows faiss-debian-*),
 * each when it was built. */
static void faiss_rows(ctx *c, const truth *t)
{
    char native[4200], debian[4200], dir[] = "/tmp/hashmatch-bench-XXXXXX", fc[256], fq[256], ft[256];
    int has_native = faiss_path("hashmatch-faiss", "HASHMATCH_FAISS", native, sizeof native);
    int has_debian = faiss_path("hashmatch-faiss-debian", "HASHMATCH_FAISS_DEBIAN", debian, sizeof debian);
    if (!has_native) cli_info("bench match: hashmatch-faiss not built (run scripts/setup.sh bench); no native FAISS rows");
    if (!has_native && !has_debian) return;
    if (!mkdtemp(dir)) return;
    snprintf(fc, sizeof fc, "%s/codes", dir);
    snprintf(fq, sizeof fq, "%s/queries", dir);
    snprintf(ft, sizeof ft, "%s/truth", dir);
    const char *files[3] = {fc, fq, ft};
    if (write_file(fc, c->codes, c->n * c->cb) == 0 && write_file(fq, c->queries, c->q * c->cb) == 0 &&
        write_truth(ft, t, c->q) == 0) {
        if (has_native) faiss_run(c, native, files, "");
        if (has_debian) faiss_run(c, debian, files, "debian");
    }
    unlink(fc);
    unlink(fq);
    unlink(ft);
    rmdir(dir);
}

/* ---- resident memory per index mode --------------------------------------------------- */

/* Rows resident-<mode>: resident bytes per entry (set, scanner, index): the
 * process's resident memory with the N-entry set less that with a 1-entry
 * set, over N - 1, both after the same queries; p50/p99 of
 * hm_scanner_scan_hashes, the time to open the set and build the scanner.
 * The note also gives the whole process beyond an empty one, over N. */
static void resident_rows(ctx *c)
{
    resident_result res[8];
    size_t file_bytes = 0, nres = bench_resident(c->codes, c->n, c->queries, c->q, res, 8, &file_bytes);
    for (size_t i = 0; i < nres; i++) {
        char method[48];
        snprintf(method, sizeof method, "resident-%.24s", res[i].mode);
        row *r = row_add(c->out, method, c->data, c->n, c->bits, c->radius);
        if (!r) return;
        snprintf(r->tier, sizeof r->tier, "%s", hm_match_tier_name(hm_match_best_tier()));
        r->bytes_per_entry = (res[i].resident_bytes - res[i].fixed_bytes) / (double)(c->n - 1);
        r->p50_us = res[i].p50_us;
        r->p99_us = res[i].p99_us;
        r->build_s = res[i].ready_s;
        snprintf(r->note, sizeof r->note,
                 "resident per entry (N entries less 1 entry); whole process beyond an empty "
                 "one %.2f B/entry (%.2f MB with 1 entry); set file %.2f B/entry, index %.2f "
                 "B/entry, peak %.2f B/entry; build_s: open, verify and build the scanner; %zu "
                 "matches",
                 res[i].resident_bytes / (double)c->n, res[i].fixed_bytes / 1e6,
                 (double)file_bytes / (double)c->n, res[i].index_bytes / (double)c->n,
                 res[i].peak_bytes / (double)c->n, res[i].matches);
    }
}

/* ---- one data set ---------------------------------------------------------------- */

typedef struct opts {
    size_t n[2], nn, q;
    unsigned data_mask;
    int json, faiss, index_only, resident;
} opts;

static void tier_rows(ctx *c, const truth *t)
{
    for (int k = 0; k < HM_MATCH_TIER_COUNT; k++) {
        const hm__kernels *kt = hm__kernels_for_tier((hm_match_tier)k);
        if (!kt) continue;
        /* The scalar tier is slow: fewer passes (the latency is what counts). */
        size_t passes = k == HM_MATCH_TIER_SCALAR ? 3 : 20;
        scan_row(c, kt, 1, passes, t);
        scan_row(c, kt, 8, k == HM_MATCH_TIER_SCALAR ? 1 : 10, t);
    }
}

/* The compact index (HM_INDEX_COMPACT) within 16, 24 and 32 (its default)
 * bytes per entry: build time, memory, latency at the design radius. */
static void compact_rows(ctx *c, const truth *t)
{
    static const double BUDGETS[] = {16.0, 24.0, 32.0};
    for (size_t b = 0; b < HM_ARRAY_SIZE(BUDGETS); b++) {
        hm__index *idx = NULL;
        hm__index_params p = {.threads = 1, .compact = 1, .budget = BUDGETS[b]};
        double t0 = cli_now();
        if (hm__index_build(c->codes, c->n, c->cb, &p, &idx, NULL) != HM_OK) {
            cli_error("bench match: compact index build failed");
            c->failed = 1;
            return;
        }
        char method[48];
        snprintf(method, sizeof method, "index-compact-%.0f", BUDGETS[b]);
        index_row(c, idx, t, c->radius, cli_now() - t0, 0, method);
        hm__index_free(idx);
    }
}

/* The index at the design radius (full measurements) and at a few others. */
static void index_rows(ctx *c, const truth *t)
{
    /* Built twice: on one thread (the figure reported), then on two. */
    hm__index *idx = NULL;
    hm__index_params one = {.threads = 1}, two = {.threads = 2};
    double t0 = cli_now();
    hm_status st = hm__index_build(c->codes, c->n, c->cb, &one, &idx, NULL);
    double build_s = cli_now() - t0;
    hm__index_free(idx);
    t0 = cli_now();
    if (st == HM_OK) st = hm__index_build(c->codes, c->n, c->cb, &two, &idx, NULL);
    double build2_s = cli_now() - t0;
    if (st != HM_OK) {
        cli_error("bench match: index build failed");
        c->failed = 1;
        return;
    }
    index_row(c, idx, t, c->radius, build_s, 1, "index");
    row *r = &c->out->items[c->out->count - 1];
    size_t used = strlen(r->note);
    snprintf(r->note + used, sizeof r->note - used, "; build on 2 threads %.2f s", build2_s);
    double single_us = r->p50_us;
    profile_row(c, idx, c->radius);
    split_row(c, idx, t, c->radius, 0, single_us);
    split_row(c, idx, t, c->radius, 1, single_us);
    static const unsigned OTHER256[] = {0, 16, 48, 64}, OTHER64[] = {4, 16, 20};
    const unsigned *other = c->cb == 32 ? OTHER256 : OTHER64;
    size_t nother = c->cb == 32 ? HM_ARRAY_SIZE(OTHER256) : HM_ARRAY_SIZE(OTHER64);
    /* Other radii on the first 200 queries (half planted, half unrelated). */
    ctx few = *c;
    few.q = c->q < 200 ? c->q : 200;
    uint8_t *mixed = malloc(few.q * c->cb);
    if (!mixed) {
        c->failed = 1;
        hm__index_free(idx);
        return;
    }
    for (size_t i = 0; i < few.q; i++) /* planted from the start, unrelated from the end */
        memcpy(mixed + c->cb * i, c->queries + c->cb * (i % 2 ? c->q - 1 - i / 2 : i / 2), c->cb);
    few.queries = mixed;
    for (size_t k = 0; k < nother; k++) {
        truth t2;
        if (!truth_make(few.codes, few.n, few.cb, few.queries, few.q, other[k], &t2)) {
            c->failed = 1;
            continue;
        }
        index_row(&few, idx, &t2, other[k], build_s, 0, "index");
        truth_free(&t2);
    }
    if (few.failed) c->failed = 1;
    free(mixed);
    hm__index_free(idx);
    compact_rows(c, t);
}

static void run_set(bench_data_kind kind, size_t n_want, const opts *o, rows *out, int *failed)
{
    size_t cb = bench_data_code_bytes(kind), n = 0;
    cli_info("bench match: %s, %zu codes", bench_data_name(kind), n_want);
    uint8_t *codes = bench_data_make(kind, n_want, 42, &n);
    uint8_t *queries = malloc(o->q * cb);
    truth t = {0};
    ctx c = {.codes = codes, .queries = queries, .n = n, .cb = cb, .q = o->q,
             .radius = cb == 32 ? 31 : 10, .bits = (unsigned)(8 * cb),
             .data = bench_data_name(kind), .out = out};
    if (!codes || !queries) {
        cli_error("bench match: out of memory for %zu codes", n_want);
        *failed = 1;
    } else {
        bench_queries_make(kind, codes, n, 7, queries, o->q, cb == 32 ? 31 : 12);
        c.bandwidth = read_bandwidth(&c);
        random_read(&c);
        if (!truth_make(codes, n, cb, queries, o->q, c.radius, &t)) c.failed = 1;
        else {
            if (!o->index_only) tier_rows(&c, &t);
            index_rows(&c, &t);
            if (o->resident && kind == DATA_PDQ_LIKE) resident_rows(&c);
            if (o->faiss) faiss_rows(&c, &t);
        }
        truth_free(&t);
    }
    if (c.failed) *failed = 1;
    free(codes);
    free(queries);
}

static int parse_data(const char *list, unsigned *mask)
{
    *mask = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int found = 0;
        for (int k = 0; k < 3; k++)
            if (!strcmp(tok, bench_data_name((bench_data_kind)k))) *mask |= 1u << k, found = 1;
        if (!found) return -1;
    }
    return *mask ? 0 : -1;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    static const struct option LONG[] = {{"n", required_argument, NULL, 'n'},
                                         {"queries", required_argument, NULL, 'q'},
                                         {"data", required_argument, NULL, 'd'},
                                         {"no-faiss", no_argument, NULL, 'F'},
                                         {"index-only", no_argument, NULL, 'I'},
                                         {"no-resident", no_argument, NULL, 'R'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    *o = (opts){{1000000, 10000000}, 2, 1000, 7, 0, 1, 0, 1};
    uint64_t v;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (cli_parse_u64(optarg, 1, 100000000, &v)) return cli_usage_error("bench match", "bad --n");
            o->n[0] = (size_t)v;
            o->nn = 1;
            break;
        case 'q':
            if (cli_parse_u64(optarg, 8, 1000000, &v)) return cli_usage_error("bench match", "--queries: 8 to 1000000");
            o->q = (size_t)v;
            break;
        case 'd':
            if (parse_data(optarg, &o->data_mask)) return cli_usage_error("bench match", "bad --data");
            break;
        case 'F': o->faiss = 0; break;
        case 'I': o->index_only = 1, o->faiss = 0; break;
        case 'R': o->resident = 0; break;
        case 'j': o->json = 1; break;
        case 'h': fputs(HELP, stdout); return -1;
        default: return cli_usage_error("bench match", "unknown option");
        }
    }
    return 0;
}

int bench_match(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "--resident-child"))
        return bench_resident_child(argv[2], argv[3], argv[4], (size_t)strtoull(argv[5], NULL, 10));
    opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    rows out = {0};
    int failed = 0;
    cli_info("bench match: cpu features: %s", hm_cpu_features());
    for (size_t i = 0; i < o.nn; i++)
        for (int k = 0; k < 3; k++)
            if (o.data_mask & (1u << k)) run_set((bench_data_kind)k, o.n[i], &o, &out, &failed);
    if (o.json) print_json(&out);
    else print_text(&out);
    free(out.items);
    if (failed) cli_error("bench match: some result differed from brute force (see recall)");
    return failed ? 1 : CLI_EXIT_OK;
}
