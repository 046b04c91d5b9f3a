/* match_data.h - deterministic data sets for the matching benchmarks. */
#ifndef HM_BENCH_MATCH_DATA_H
#define HM_BENCH_MATCH_DATA_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_rng {
    uint64_t s;
} bench_rng;

uint64_t bench_rng_next(bench_rng *r);
uint32_t bench_rng_below(bench_rng *r, uint32_t n);

typedef enum {
    DATA_UNIFORM256 = 0, /* uniformly random 256-bit codes */
    DATA_PDQ_LIKE = 1,   /* 256-bit, exactly 128 bits set, near-duplicate clusters, skewed bits */
    DATA_UNIFORM64 = 2   /* uniformly random 64-bit codes (the pHash family) */
} bench_data_kind;

const char *bench_data_name(bench_data_kind kind);
size_t bench_data_code_bytes(bench_data_kind kind);

/* n codes of the kind, sorted in memcmp order without duplicates (as a set
 * stores them); *count receives how many remain. Returns an hm__alloc_large
 * buffer (free()) or NULL. */
uint8_t *bench_data_make(bench_data_kind kind, size_t n, uint64_t seed, size_t *count);

/* q queries: the first half planted at distances 0..max_d (uniformly) from
 * random entries, the rest unrelated codes drawn like the data. */
void bench_queries_make(bench_data_kind kind, const uint8_t *codes, size_t n, uint64_t seed,
                        uint8_t *queries, size_t q, unsigned max_d);

#endif /* HM_BENCH_MATCH_DATA_H */
