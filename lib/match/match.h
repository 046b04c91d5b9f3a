/*
 * match.h - the matching engine (internal): SIMD kernels with runtime
 * dispatch, brute-force radius scans, the multi-index hashing index over a
 * set's sorted code array, and exact digest lookup.
 *
 * Codes are contiguous arrays of 32-byte (PDQ) or 8-byte (imagehash) values
 * in their canonical hex byte order, at any alignment. Distances are Hamming
 * distances (popcount of XOR), so byte order does not matter to them.
 *
 * Tiers: every kernel exists in a portable scalar version and in one version
 * per instruction set (AVX2, AVX-512 VPOPCNTDQ, NEON), each in its own file
 * compiled with only its own flags. hm__kernels_for_tier() hands out the table
 * of a tier only when this CPU (and OS) can run it, so nothing here ever
 * executes an instruction the machine lacks; hm__kernels_best() is the widest
 * such table and the default everywhere. Every function that runs kernels
 * takes the table to use, which is how tests compare every tier against
 * scalar without touching global state.
 */
#ifndef HM_MATCH_H
#define HM_MATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

#define HM__MAX_QUERIES 8 /* queries per pass: PDQ's 8 dihedral hashes */

/* For kernel bodies specialised by a constant argument (the code size), and
 * for helpers made only of prefetches: GCC takes those for pure functions
 * and drops calls to them unless they are inlined first. */
#if defined(__GNUC__)
#define HM__FORCE_INLINE static inline __attribute__((always_inline))
#else
#define HM__FORCE_INLINE static inline
#endif

/* ------------------------------------------------------------------------ */
/* Hits                                                                     */
/* ------------------------------------------------------------------------ */

/* One code within the radius of one query. */
typedef struct hm__hit {
    uint64_t entry;    /* index of the code in the array searched */
    uint32_t query;    /* which query of the call, 0..nq-1 */
    uint32_t distance; /* Hamming distance, <= the radius */
} hm__hit;

/* A growable list of hits. Zero-initialise; release with hm__hits_free. */
typedef struct hm__hits {
    hm__hit *items;
    size_t count, cap;
} hm__hits;

/* Makes room for `extra` more hits (HM_E_NO_MEMORY on failure). */
hm_status hm__hits_reserve(hm__hits *h, size_t extra);
void hm__hits_free(hm__hits *h);
/* Sorts by (entry, query). */
void hm__hits_sort(hm__hits *h);

/* ------------------------------------------------------------------------ */
/* Kernels and dispatch                                                     */
/* ------------------------------------------------------------------------ */

/* Radius scan: compares codes[0..n) in order with nq (1..8) queries stored
 * back to back, and appends {i, q, d} to hits[*count...] for every
 * d(code i, query q) <= radius, by code then query. It may stop early when
 * fewer than HM__SCAN_ROOM(nq) slots remain, but given that much room it
 * always compares at least one code. Returns the number of codes compared. */
#define HM__SCAN_ROOM(nq) (64u * (unsigned)(nq))
typedef size_t (*hm__scan_fn)(const uint8_t *codes, size_t n, const uint8_t *queries,
                              unsigned nq, unsigned radius, hm__hit *hits, size_t cap,
                              size_t *count);

/* Pair statistics: for every pair (a[i], b[j]) that counts, its distance d
 * goes to the accumulator `acc` and, when min_a and min_b are not NULL,
 * min_a[i] = min(min_a[i], d) and min_b[j] likewise, all from one distance
 * computation. A pair counts unless ga[i] == gb[j] (when ga and gb are not
 * NULL) or (ptrdiff_t)j - (ptrdiff_t)i <= jmi_min (HM__ALL_PAIRS counts every
 * pair; 0 with b == a gives the pairs j > i of one block). At most
 * HM__STATS_ROWS rows per call (acc holds their scratch); min_a and min_b may
 * be the same array (a block against itself). */
typedef struct hm__pair_acc hm__pair_acc;
typedef void (*hm__stats_fn)(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                             size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                             uint16_t *min_a, uint16_t *min_b);
#define HM__STATS_ROWS 256
#define HM__ALL_PAIRS PTRDIFF_MIN

/* Gathered distances: out[k] = d(q, 32-byte code number ids[k] of `codes`). */
typedef void (*hm__gather_fn)(const uint8_t *codes, const uint32_t *ids, size_t n,
                              const uint8_t *q, uint16_t *out);

typedef struct hm__kernels {
    hm_match_tier tier;
    hm__scan_fn scan256, scan64;
    hm__gather_fn gather256;
    hm__stats_fn stats256, stats64;
} hm__kernels;

/* The table of `tier`, or NULL when this build or CPU cannot run it. */
const hm__kernels *hm__kernels_for_tier(hm_match_tier tier);
/* The widest table this CPU runs (never NULL). */
const hm__kernels *hm__kernels_best(void);

/* CPU features as probed once (bits below); the first call probes, later
 * calls read an atomic cache. */
enum {
    HM__CPU_POPCNT = 1u << 0,
    HM__CPU_AVX2 = 1u << 1,   /* AVX2 and the OS saves YMM */
    HM__CPU_AVX512 = 1u << 2, /* F, BW, VL, VPOPCNTDQ and the OS saves ZMM/opmask */
    HM__CPU_NEON = 1u << 3,
    HM__CPU_AVX512BW = 1u << 4,  /* F, BW, VL and the OS saves ZMM/opmask (imagehash resize) */
    HM__CPU_AVX512VNNI = 1u << 5 /* AVX512_VNNI (vpdpwssd), with HM__CPU_AVX512BW */
};
unsigned hm__cpu_features(void);

/* The per-tier tables (defined only where built; use hm__kernels_for_tier). */
extern const hm__kernels hm__kernels_scalar;
extern const hm__kernels hm__kernels_avx2;
extern const hm__kernels hm__kernels_avx512;
extern const hm__kernels hm__kernels_neon;

/* ------------------------------------------------------------------------ */
/* Brute force                                                              */
/* ------------------------------------------------------------------------ */

/* Appends to `out` every (entry, query) of codes[0..n) (code_bytes 8 or 32)
 * within `radius` of the nq (1..8) queries, in (entry, query) order; entries
 * are numbered from `first`. */
hm_status hm__scan(const hm__kernels *k, const uint8_t *codes, size_t n, size_t code_bytes,
                   size_t first, const uint8_t *queries, unsigned nq, unsigned radius,
                   hm__hits *out, hm_error *err);

/* ------------------------------------------------------------------------ */
/* Index: multi-index hashing (docs/MATCHING.md)                            */
/* ------------------------------------------------------------------------ */

/* The index is built from a code array (normally a set's sorted, duplicate-
 * free array, but any order and duplicates work) and refers to it without
 * owning it: the array must outlive the index, unchanged. Once built the
 * index is immutable; any number of threads may query it at once, each with
 * its own hm__index_scratch and hm__hits. */
typedef struct hm__index hm__index;

/* Build parameters; zero fields choose by the cost model. */
typedef struct hm__index_params {
    unsigned tables;      /* number of substrings m */
    unsigned table_bits;  /* bits per substring s (m * s <= 8 * code_bytes) */
    int byte_order;       /* -1: identity byte order; 0: chosen from the data */
    unsigned threads;     /* tables built in parallel by up to this many threads (0, 1: none) */
    int compact;          /* HM_INDEX_COMPACT: the compact layout (index_compact.c) */
    const atomic_int *cancel; /* when not NULL and set, the build stops with HM_E_LIMIT */
    double budget;        /* compact: bytes per entry at most; 0: HM__COMPACT_BUDGET */
} hm__index_params;

/* The compact index's default memory budget, bytes per entry beside the
 * codes (docs/MATCHING.md, "Index modes", measures 16, 24 and 32). */
#define HM__COMPACT_BUDGET 32.0

/* Builds the index of n codes of code_bytes (8 or 32). n must be below 2^32. */
hm_status hm__index_build(const uint8_t *codes, size_t n, size_t code_bytes,
                          const hm__index_params *params, hm__index **out, hm_error *err);
void hm__index_free(hm__index *idx);

/* Bytes the index owns, the code array not included. */
size_t hm__index_memory(const hm__index *idx);
/* Describes the layout: tables, bits per table. */
void hm__index_shape(const hm__index *idx, unsigned *tables, unsigned *table_bits);

/* The cost model (units of one random memory read, docs/MATCHING.md) of the
 * index that hm__index_build would build with `p` over n codes: building it,
 * and one query of nq codes at `radius`; and of one brute-force pass of nq
 * codes. The scanner's HM_INDEX_AUTO compares them. */
void hm__index_model(size_t n, size_t code_bytes, const hm__index_params *p, unsigned radius,
                     unsigned nq, double *build, double *query);
double hm__scan_cost(size_t n, size_t code_bytes, unsigned nq);

/* How a query runs: as the cost model says, or forced (tests, benchmarks). */
typedef enum { HM__PLAN_AUTO = 0, HM__PLAN_INDEX = 1, HM__PLAN_SCAN = 2 } hm__plan;
/* 1 when the cost model sends a single query of this radius through the
 * index, 0 when it scans (a query may still fall back to a scan when its
 * buckets turn out fuller than the model assumed). */
int hm__index_uses_index(const hm__index *idx, unsigned radius);

/* Per-query working memory; zero-initialise, reuse across queries on one
 * thread, release with hm__index_scratch_free. */
typedef struct hm__index_scratch {
    uint32_t *keys;   /* probes: table << 24 | key */
    uint32_t *ranges; /* non-empty buckets: table, first, end */
    uint32_t *cands;  /* candidate entries (32-byte codes) */
    uint8_t *ctab;    /* the table that found each candidate */
    uint16_t *dists;  /* their distances to the query */
    size_t keys_cap, ranges_cap, cands_cap, ctab_cap, dists_cap;
    hm__hits scan;    /* brute-force fallbacks */
    struct hm__index_stats *stats; /* when not NULL, the query adds its profile */
} hm__index_scratch;

/* A query's profile (bench match): what each phase read and how long it
 * took. Filling it costs time (a clock read per phase and a pass to count
 * distinct lines after the query), so only profiling runs set it. */
typedef struct hm__index_stats {
    uint64_t queries;
    uint64_t probes;      /* keys probed (A) */
    uint64_t start_lines; /* distinct 64-byte lines of bucket starts read (B) */
    uint64_t buckets;     /* non-empty buckets: a line of entry numbers each (C) */
    uint64_t candidates;  /* codes read and compared (D) */
    uint64_t hits;        /* within the radius, reported (E) */
    double ns[5];         /* time of phases A to E */
} hm__index_stats;
void hm__index_scratch_free(hm__index_scratch *s);

/* Appends to `out` every (entry, query) within `radius` of the nq (1..8)
 * queries, exactly: no entry within the radius is missed, none beyond it is
 * reported, none twice; hits come sorted by (entry, query). part/nparts
 * splits one query's work over threads: the calls with part = 0..nparts-1
 * together return exactly the hits of one call with nparts = 1. `plan`
 * forces the index or the scan (tests); HM__PLAN_AUTO follows the cost
 * model. */
hm_status hm__index_query(const hm__index *idx, const hm__kernels *k, const uint8_t *queries,
                          unsigned nq, unsigned radius, unsigned part, unsigned nparts,
                          hm__plan plan, hm__index_scratch *scratch, hm__hits *out,
                          hm_error *err);

/* HM_INDEX_AUTO without expected queries: the query count at which the
 * scanner starts building its index (0: never). For tests. */
uint64_t hm__scanner_index_trigger(const hm_scanner *s);

/* One query shared by threads that claim chunks of its probe list: the
 * caller and any helper call hm__index_query_share with the same share; each
 * appends the hits of the chunks it claimed. A helper that is not scheduled
 * (a busy core) claims nothing and costs nothing: the caller then runs every
 * chunk itself. Small queries are one chunk. The caller starts a query with
 * hm__index_share_start (which also bumps `seq`), runs its share, then waits
 * until `finished` equals `chunks` before it reads a helper's hits; a helper
 * passes the `seq` it was given, so it never claims chunks of a later query.
 * A helper that arrives late would make the caller wait for the chunk it
 * claims: after `deadline` (CLOCK_MONOTONIC nanoseconds, 0: none) only the
 * caller (`helper` 0) claims. With the start plus a quarter of the query's
 * one-thread time as the deadline, a helper's chunk of two (half the work)
 * ends by three quarters of that time, before the caller alone would.
 * *ran (may be NULL) receives the number of chunks the call ran. */
typedef struct hm__index_share {
    _Atomic uint64_t state;  /* seq << 8 | chunks claimed */
    atomic_uint finished;    /* chunks whose hits are appended */
    unsigned chunks;         /* set by hm__index_share_start */
    uint32_t seq;
    _Atomic uint64_t deadline; /* helpers claim nothing after it (0: no limit) */
} hm__index_share;
void hm__index_share_start(hm__index_share *sh, const hm__index *idx, unsigned radius,
                           uint64_t deadline);
hm_status hm__index_query_share(const hm__index *idx, const hm__kernels *k, const uint8_t *query,
                                unsigned radius, hm__index_share *sh, uint32_t seq, int helper,
                                hm__index_scratch *s, hm__hits *out, unsigned *ran,
                                hm_error *err);
/* CLOCK_MONOTONIC in nanoseconds (share deadlines). */
uint64_t hm__now_ns(void);

/* ------------------------------------------------------------------------ */
/* Exact digest lookup                                                      */
/* ------------------------------------------------------------------------ */

/* Looks `key` up in n sorted, duplicate-free entries of `size` bytes
 * (memcmp order) by interpolation search on the leading 8 bytes, falling
 * back to bisection so that the worst case stays logarithmic. Returns 1 and
 * sets *index when found, 0 otherwise. */
int hm__exact_find(const uint8_t *sorted, size_t n, size_t size, const uint8_t *key,
                   size_t *index);

#endif /* HM_MATCH_H */
