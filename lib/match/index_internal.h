/* index_internal.h - the layout of the multi-index hashing index, shared by
 * its build (index.c) and its queries (index_query.c). docs/MATCHING.md
 * explains the design and why it is exact.
 *
 * A code is read in a chosen byte order (a permutation of its bytes, picked
 * from the data so that substrings are as evenly filled as possible) as a bit
 * string, bit p being bit p % 8 of permuted byte p / 8. Table t indexes the
 * substring of bits [t*s, t*s + s): its key. Each table lists the entries in
 * key order (a counting sort, so ascending entry numbers within a key) with
 * the start of every key's run: the bucket. 32-byte tables list entry numbers
 * (the codes stay in the caller's array); 8-byte tables list the codes
 * themselves beside the entry numbers, so that a bucket is scanned as one
 * contiguous run with the SIMD kernel instead of one random read per entry.
 */
#ifndef HM_MATCH_INDEX_INTERNAL_H
#define HM_MATCH_INDEX_INTERNAL_H

#include "match.h"

#define HM__MAX_TABLES 32
#define HM__MIN_TABLE_BITS 4
#define HM__MAX_TABLE_BITS 24 /* a key spans at most 4 bytes */
#define HM__MAX_INDEX_BYTES_PER_ENTRY 64.0 /* memory budget of the automatic shape */
#define HM__IDS_SLACK 4 /* readable entries after the last of a table's ids */

/* Bucket starts: with `rel`, start(b) = base[b >> base_shift] + rel[b] (2
 * bytes per bucket), used whenever every run of 2^base_shift buckets (4096
 * down to 256) holds fewer than 65536 entries; otherwise start(b) = off[b].
 * rel and off have 2^s + 1 entries (the last start is n). */
typedef struct hm__table {
    uint16_t *rel;
    uint32_t *base;
    uint32_t *off;
    uint32_t *ids;   /* entry numbers in key order */
    uint64_t *codes; /* 8-byte codes in key order (8-byte tables only) */
    uint8_t src[4];  /* code bytes holding the key's bits, low first */
    uint8_t shift;   /* position of the key's lowest bit in src[0] */
    uint8_t nsrc;    /* bytes used (1..4) */
    uint8_t base_shift; /* buckets per base entry: 2^base_shift */
    double collisions; /* colliding pairs of a sample, a measure of skew */
    size_t bytes;      /* memory owned by this table */
} hm__table;

typedef struct hm__compact hm__compact; /* index_compact.c */

struct hm__index {
    hm__compact *compact; /* HM_INDEX_COMPACT's layout; NULL for the fast one */
    const uint8_t *codes; /* the caller's array */
    size_t n, code_bytes;
    unsigned m, s;        /* tables, bits per table */
    uint8_t order[32];    /* permuted byte k is code byte order[k] */
    uint8_t rank[HM__MAX_TABLES]; /* tables from least to most skewed */
    hm__table t[HM__MAX_TABLES];
    size_t memory;
};

/* The key of table `tb` of a code. */
static inline uint32_t hm__key(const hm__table *tb, const uint8_t *code, unsigned s)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < tb->nsrc; b++) v |= (uint32_t)code[tb->src[b]] << (8 * b);
    return (v >> tb->shift) & ((1u << s) - 1);
}

static inline uint32_t hm__bucket_start(const hm__table *tb, uint32_t b)
{
    return tb->rel ? tb->base[b >> tb->base_shift] + tb->rel[b] : tb->off[b];
}

/* A bucket is read from its start and the next bucket's start, which lie on
 * the next cache line for the last bucket of a line: both are prefetched (a
 * line left out is a full memory latency on the critical path). */
HM__FORCE_INLINE void hm__prefetch_bucket(const hm__table *tb, uint32_t b)
{
    if (tb->rel) {
        __builtin_prefetch(tb->rel + b);
        __builtin_prefetch(tb->rel + b + 1);
    } else {
        __builtin_prefetch(tb->off + b);
        __builtin_prefetch(tb->off + b + 1);
    }
}

/* Radii per table for a query radius: the generalised pigeonhole principle
 * of Norouzi et al. If d(x, q) <= r and the substring radii satisfy
 * sum(r_t + 1) >= r + 1, then some table has d_t(x, q) <= r_t (otherwise
 * d = sum d_t >= sum(r_t + 1) > r). A radius of -1 leaves a table out.
 * The larger radii go to the least skewed tables. */
void hm__index_radii(const hm__index *idx, unsigned radius, int *radii);

/* Number of keys within radius r of a key of s bits: sum of C(s, w), w <= r. */
double hm__ball(unsigned s, int r);

/* Sorts (key << 32 | value) pairs by key, s bits, stably (radix passes of
 * 8 bits); the result ends in *a, *tmp is scratch of n (they may swap). */
void hm__sort_by_key(uint64_t **a, uint64_t **tmp, size_t n, unsigned s);
/* A table's bucket starts from its sorted pairs: rel/base when every run of
 * buckets fits 16-bit offsets, off otherwise; counts the bytes. */
hm_status hm__table_starts(hm__table *tb, const uint64_t *a, size_t n, unsigned s);

/* Grows a scratch array to hold `need` items of `size` bytes (doubling,
 * contents kept); 0 when out of memory. */
int hm__grow(void **buf, size_t *cap, size_t need, size_t size);
/* Releases a table's arrays. */
void hm__table_free(hm__table *tb);

/* Appends table << 24 | (key ^ mask) for every mask of s bits with at most
 * r bits set; returns how many. */
size_t hm__enumerate_keys(uint32_t table, uint32_t key, unsigned s, int r, uint32_t *out);

/* The compact index (index_compact.c): built into idx (codes, n and
 * code_bytes set) within `budget` bytes per entry (with only_m fingerprint
 * tables of only_s key bits when only_m is not 0: tests); its query cost; the cost
 * of a query and the tables to build of the shape it would choose; queries
 * (nq codes, exact, hits appended unsorted). */
hm_status hm__compact_build(hm__index *idx, double budget, unsigned only_m, unsigned only_s,
                            const atomic_int *cancel);
void hm__compact_free(hm__compact *c);
double hm__compact_cost(const hm__index *idx, unsigned radius, unsigned nq);
double hm__compact_model(size_t n, size_t cb, double budget, unsigned radius, unsigned nq,
                         double *tables);
void hm__compact_shape(const hm__index *idx, unsigned *tables, unsigned *key_bits,
                       unsigned *fp_bits, unsigned *table0_bits);
hm_status hm__compact_query(const hm__index *idx, const hm__kernels *k, const uint8_t *queries,
                            unsigned nq, unsigned radius, hm__index_scratch *s, hm__hits *out);

/* Cost model (units of one random memory access; docs/MATCHING.md). */
double hm__index_cost(const hm__index *idx, unsigned radius, unsigned nq);
/* The model's cost of a query once its probes and candidates are counted. */
double hm__probe_cost(const hm__index *idx, double probes, double cands);

#endif /* HM_MATCH_INDEX_INTERNAL_H */
