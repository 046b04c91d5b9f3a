/* bench_resident.h - resident memory of a scanner per index mode (bench match). */
#ifndef HM_BENCH_RESIDENT_H
#define HM_BENCH_RESIDENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct resident_result {
    char mode[24];
    double resident_bytes; /* RSS after the queries minus RSS before opening the set */
    double fixed_bytes;    /* the same, for a set of 1 entry: code pages, buffers */
    double peak_bytes;     /* peak RSS minus the same */
    double index_bytes;    /* hm_scanner_index_memory */
    double p50_us, p99_us; /* hm_scanner_scan_hashes per query */
    double ready_s;        /* open and verify the set, build the scanner */
    size_t matches;
} resident_result;

/* Writes the n sorted PDQ codes as a signed set, and its first code alone as
 * another, and measures every mode on both, each in a fresh process with the
 * q queries; returns the modes measured (at most `max`) and the big set
 * file's size in *file_bytes. */
size_t bench_resident(const uint8_t *codes, size_t n, const uint8_t *queries, size_t q,
                      resident_result *out, size_t max, size_t *file_bytes);

/* The child: `hashmatch bench match --resident-child MODE SET QUERIES Q`. */
int bench_resident_child(const char *mode, const char *set_path, const char *queries, size_t q);

#endif /* HM_BENCH_RESIDENT_H */
