/* bench.h - benchmark entry points behind `hashmatch bench <what>`. Each prints
 * JSON on stdout and measures its baseline in the same run. */
#ifndef HM_BENCH_H
#define HM_BENCH_H

int bench_hash(int argc, char **argv);
int bench_set(int argc, char **argv);
int bench_match(int argc, char **argv);
int bench_pairs(int argc, char **argv);
int bench_video(int argc, char **argv);

#include <stddef.h>

/* bench_set_delta.c: one delta row of `bench set` (n, added and removed in;
 * the rest out). */
typedef struct bench_delta_row {
    size_t n, added, removed;
    size_t delta_bytes, full_bytes, apply_peak, verify_peak;
    double bound_bytes, make_s, apply_s, write_full_s, verify_full_s;
    int identical; /* the applied file equals the new set byte for byte */
} bench_delta_row;
int bench_set_delta_row(bench_delta_row *r);

#endif /* HM_BENCH_H */
