/* match_testdata.h - data generators and slow references shared by the
 * matching tests. The references use hm_hamming (lib/common), byte by byte,
 * never the kernels under test. */
#ifndef HM_MATCH_TESTDATA_H
#define HM_MATCH_TESTDATA_H

#include <stdlib.h>
#include <string.h>

#include "match/match.h"
#include "testutil.h"

static inline void md_random_codes(tu_rng *r, uint8_t *p, size_t n, size_t cb)
{
    for (size_t i = 0; i < n * cb; i++) p[i] = (uint8_t)tu_rng_next(r);
}

/* Flips exactly d distinct bits of a code of cb bytes. */
static inline void md_flip_bits(tu_rng *r, uint8_t *code, size_t cb, unsigned d)
{
    uint8_t done[256] = {0};
    unsigned bits = (unsigned)(8 * cb);
    if (d > bits) d = bits;
    for (unsigned k = 0; k < d;) {
        unsigned b = tu_rng_below(r, bits);
        if (done[b]) continue;
        done[b] = 1;
        code[b / 8] ^= (uint8_t)(1u << (b % 8));
        k++;
    }
}

/* Swaps s set bits with s clear bits: distance 2s, weight unchanged. */
static inline void md_swap_bits(tu_rng *r, uint8_t *code, size_t cb, unsigned s)
{
    unsigned bits = (unsigned)(8 * cb);
    for (unsigned k = 0; k < s; k++) {
        unsigned on, off;
        do on = tu_rng_below(r, bits);
        while (!((code[on / 8] >> (on % 8)) & 1));
        do off = tu_rng_below(r, bits);
        while ((code[off / 8] >> (off % 8)) & 1);
        code[on / 8] ^= (uint8_t)(1u << (on % 8));
        code[off / 8] ^= (uint8_t)(1u << (off % 8));
    }
}

/* A code with exactly half its bits set. */
static inline void md_balanced_code(tu_rng *r, uint8_t *code, size_t cb)
{
    unsigned bits = (unsigned)(8 * cb);
    memset(code, 0, cb);
    for (unsigned set = 0; set < bits / 2;) {
        unsigned b = tu_rng_below(r, bits);
        if ((code[b / 8] >> (b % 8)) & 1) continue;
        code[b / 8] |= (uint8_t)(1u << (b % 8));
        set++;
    }
}

/* PDQ-like data: clusters of `cluster` codes with half the bits set, each a
 * centre with up to `spread` set/clear swaps (distance <= 2 * spread). */
static inline void md_clustered_codes(tu_rng *r, uint8_t *p, size_t n, size_t cb,
                                      unsigned cluster, unsigned spread)
{
    uint8_t centre[32];
    for (size_t i = 0; i < n; i++) {
        if (i % cluster == 0) md_balanced_code(r, centre, cb);
        memcpy(p + cb * i, centre, cb);
        md_swap_bits(r, p + cb * i, cb, tu_rng_below(r, spread + 1));
    }
}

static size_t md_cb;
static inline int md_code_cmp(const void *x, const void *y) { return memcmp(x, y, md_cb); }

/* Sorts codes in memcmp order and drops duplicates, as a set stores them. */
static inline size_t md_sort_unique(uint8_t *p, size_t n, size_t cb)
{
    md_cb = cb;
    qsort(p, n, cb, md_code_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || memcmp(p + cb * (m - 1), p + cb * i, cb) != 0) memmove(p + cb * m++, p + cb * i, cb);
    return m;
}

/* The slow reference scan: every (entry, query) within the radius, in
 * (entry, query) order. */
static inline size_t md_ref_scan(const uint8_t *codes, size_t n, size_t cb, const uint8_t *q,
                                 unsigned nq, unsigned radius, hm__hits *out)
{
    out->count = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned j = 0; j < nq; j++) {
            unsigned d = hm_hamming(codes + cb * i, q + cb * j, cb);
            if (d > radius) continue;
            if (hm__hits_reserve(out, 1) != HM_OK) abort();
            out->items[out->count++] = (hm__hit){i, j, d};
        }
    return out->count;
}

/* 1 when both lists hold the same hits in the same order. */
static inline int md_hits_equal(const hm__hits *a, const hm__hits *b)
{
    if (a->count != b->count) return 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->items[i].entry != b->items[i].entry || a->items[i].query != b->items[i].query ||
            a->items[i].distance != b->items[i].distance)
            return 0;
    return 1;
}

/* Buffer with `offset` bytes before the data, to test unaligned starts. */
static inline uint8_t *md_alloc(size_t bytes, size_t offset, uint8_t **base)
{
    *base = malloc(bytes + offset + 64);
    if (!*base) abort();
    return *base + offset;
}

#endif /* HM_MATCH_TESTDATA_H */
