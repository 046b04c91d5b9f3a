/* match_data.c - deterministic data sets for the matching benchmarks.
 *
 * PDQ-like codes imitate what makes real PDQ sets hard for substring indexes:
 * every hash has exactly 128 bits set (PDQ thresholds at the median), bits are
 * not equally likely (low frequencies dominate image statistics), and a set
 * holds clusters of near-duplicates of the same picture. */
#include "match_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

uint64_t bench_rng_next(bench_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t bench_rng_below(bench_rng *r, uint32_t n)
{
    return (uint32_t)(((bench_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

const char *bench_data_name(bench_data_kind kind)
{
    static const char *const NAMES[] = {"uniform256", "pdq-like", "uniform64"};
    return NAMES[kind];
}

size_t bench_data_code_bytes(bench_data_kind kind) { return kind == DATA_UNIFORM64 ? 8 : 32; }

/* ---- PDQ-like codes ----------------------------------------------------------- */

/* Per-bit preference: a score offset that varies smoothly along the code, so
 * that bits are set with probabilities from about 0.38 to 0.62 (per-bit
 * collision probability 0.513 on average instead of 0.5). */
static void bit_bias(uint16_t bias[256])
{
    for (int k = 0; k < 256; k++) bias[k] = (uint16_t)(16384.0 + 4000.0 * sin(k * 0.0982 + 0.7));
}

/* A code with exactly 128 bits set: the 128 bits of highest biased score. */
static void balanced_code(bench_rng *r, const uint16_t bias[256], uint8_t code[32])
{
    uint16_t score[256];
    unsigned count[256] = {0};
    for (int k = 0; k < 256; k++) {
        uint32_t s = (uint32_t)bias[k] + (bench_rng_next(r) & 0x7fff);
        score[k] = (uint16_t)(s > 0xffff ? 0xffff : s);
        count[score[k] >> 8]++;
    }
    /* Threshold bucket: the high byte above which fewer than 128 scores lie. */
    unsigned above = 0, t = 256;
    while (t > 0 && above + count[t - 1] <= 128) above += count[--t];
    unsigned need = 128 - above; /* taken from bucket t - 1, first come */
    memset(code, 0, 32);
    for (int k = 0; k < 256; k++) {
        unsigned hi = score[k] >> 8;
        if (hi >= t || (t > 0 && hi == t - 1 && need && need--)) code[k / 8] |= (uint8_t)(1u << (k % 8));
    }
}

/* Swaps s set bits with s clear bits (distance 2s, weight kept). */
static void swap_bits(bench_rng *r, uint8_t code[32], unsigned s)
{
    for (unsigned k = 0; k < s; k++) {
        unsigned on, off;
        do on = bench_rng_below(r, 256);
        while (!((code[on / 8] >> (on % 8)) & 1));
        do off = bench_rng_below(r, 256);
        while ((code[off / 8] >> (off % 8)) & 1);
        code[on / 8] ^= (uint8_t)(1u << (on % 8));
        code[off / 8] ^= (uint8_t)(1u << (off % 8));
    }
}

/* Clusters of 1 + geometric(mean 15) members, each within 24 bits of its centre. */
static void pdq_like(bench_rng *r, uint8_t *p, size_t n)
{
    uint16_t bias[256];
    bit_bias(bias);
    uint8_t centre[32];
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        if (left == 0) {
            balanced_code(r, bias, centre);
            left = 1;
            while (bench_rng_below(r, 16) != 0) left++;
        }
        left--;
        memcpy(p + 32 * i, centre, 32);
        swap_bits(r, p + 32 * i, bench_rng_below(r, 13));
    }
}

/* ---- sorting like a set ------------------------------------------------------------- */

static size_t sort_cb;
static int code_cmp(const void *a, const void *b) { return memcmp(a, b, sort_cb); }

/* Sorts by the first two bytes with a counting sort, then each bucket with
 * qsort, and drops duplicates. */
static size_t sort_unique(uint8_t *p, size_t n, size_t cb)
{
    uint8_t *tmp = malloc(n && cb ? n * cb : 1);
    size_t *start = calloc(65537, sizeof *start);
    if (!tmp || !start) {
        free(tmp);
        free(start);
        return 0;
    }
    for (size_t i = 0; i < n; i++) start[(p[cb * i] << 8 | p[cb * i + 1]) + 1]++;
    for (size_t b = 0; b < 65536; b++) start[b + 1] += start[b];
    for (size_t i = 0; i < n; i++) memcpy(tmp + cb * start[p[cb * i] << 8 | p[cb * i + 1]]++, p + cb * i, cb);
    sort_cb = cb;
    size_t lo = 0, m = 0;
    for (size_t b = 0; b < 65536; b++) {
        size_t hi = start[b]; /* now the end of bucket b */
        qsort(tmp + cb * lo, hi - lo, cb, code_cmp);
        lo = hi;
    }
    for (size_t i = 0; i < n; i++)
        if (m == 0 || memcmp(p + cb * (m - 1), tmp + cb * i, cb) != 0) memcpy(p + cb * m++, tmp + cb * i, cb);
    free(tmp);
    free(start);
    return m;
}

uint8_t *bench_data_make(bench_data_kind kind, size_t n, uint64_t seed, size_t *count)
{
    size_t cb = bench_data_code_bytes(kind);
    uint8_t *p = hm__alloc_large(n && cb ? n * cb : 1);
    if (!p) return NULL;
    bench_rng r = {seed * 1000003u + (uint64_t)kind};
    if (kind == DATA_PDQ_LIKE) {
        pdq_like(&r, p, n);
    } else {
        for (size_t i = 0; i < n * cb; i += 8) {
            uint64_t v = bench_rng_next(&r);
            memcpy(p + i, &v, 8);
        }
    }
    *count = sort_unique(p, n, cb);
    return p;
}

static void flip_bits(bench_rng *r, uint8_t *code, size_t cb, unsigned d)
{
    uint8_t done[256] = {0};
    for (unsigned k = 0; k < d;) {
        unsigned b = bench_rng_below(r, (uint32_t)(8 * cb));
        if (done[b]) continue;
        done[b] = 1;
        code[b / 8] ^= (uint8_t)(1u << (b % 8));
        k++;
    }
}

void bench_queries_make(bench_data_kind kind, const uint8_t *codes, size_t n, uint64_t seed,
                        uint8_t *queries, size_t q, unsigned max_d)
{
    size_t cb = bench_data_code_bytes(kind);
    bench_rng r = {seed ^ 0x5eedull};
    uint16_t bias[256];
    bit_bias(bias);
    for (size_t i = 0; i < q; i++) {
        uint8_t *x = queries + cb * i;
        if (i < q / 2 && n) {
            memcpy(x, codes + cb * bench_rng_below(&r, (uint32_t)n), cb);
            flip_bits(&r, x, cb, (unsigned)(i % (max_d + 1)));
        } else if (kind == DATA_PDQ_LIKE) {
            balanced_code(&r, bias, x);
        } else {
            for (size_t k = 0; k < cb; k++) x[k] = (uint8_t)bench_rng_next(&r);
        }
    }
}
