/* testutil.h - helpers shared by the CUnit test programs. */
#ifndef HM_TESTUTIL_H
#define HM_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmatch.h"

/* The shared reference vectors (../shared/vectors next to the source tree, or
 * $HASHMATCH_VECTORS). NULL when absent: conformance suites then register
 * nothing and say so. */
const char *tu_vectors_dir(void);

/* The test data folder inside the repository (tests/data). */
const char *tu_data_dir(void);

/* A scratch directory unique to this process, created on first use. */
const char *tu_tmp_dir(void);

/* Joins a directory and a relative path into a static-lifetime string owned
 * by the caller (free it). */
char *tu_path(const char *dir, const char *rel);

/* Reads a whole file; aborts the test program on failure. */
uint8_t *tu_read(const char *path, size_t *size);

/* Writes a file; returns 0 on success. */
int tu_write(const char *path, const void *data, size_t size);

/* Deterministic PRNG (splitmix64) for fixed-seed tests. */
typedef struct tu_rng {
    uint64_t s;
} tu_rng;
void tu_rng_seed(tu_rng *r, uint64_t seed);
uint64_t tu_rng_next(tu_rng *r);
uint32_t tu_rng_below(tu_rng *r, uint32_t n);

/* Splits a tab-separated line in place; returns the number of fields. */
size_t tu_split_tabs(char *line, char **fields, size_t max);

/* Redirects file descriptor 2 to a scratch file until tu_stderr_end, which
 * restores it and returns how many bytes were written meanwhile: proves that
 * library calls print nothing. Not nestable. */
void tu_stderr_begin(void);
long tu_stderr_end(void);

/* Runs the registered CUnit suites and returns the process exit code (0 only
 * when every assertion passed and nothing failed to register). */
int tu_run(const char *program);

/* Reads up to cap - 1 bytes of a file into buf, NUL-terminated (empty when
 * the file cannot be opened). */
void tu_slurp(const char *path, char *buf, size_t cap);

/* Runs `hashmatch ARGS` (the built tool, under $HM_TEST_EMULATOR when set,
 * e.g. qemu-user) in tu_tmp_dir() with stdin from /dev/null and a 300 s
 * timeout, so a hang fails instead of stalling the run. Its stdout and
 * stderr are left in tu_cli_out and tu_cli_err (NUL-terminated, cut at
 * their size). Returns the exit status (124 after the timeout). */
#define TU_CLI_OUT_SIZE (1 << 17)
#define TU_CLI_ERR_SIZE (1 << 16)
extern char tu_cli_out[TU_CLI_OUT_SIZE], tu_cli_err[TU_CLI_ERR_SIZE];
int tu_cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* tu_cli must exit with `status`; prints the outputs when it does not. */
#define TU_CLI_EXPECT(status, ...)                                                                \
    do {                                                                                          \
        int rc_ = tu_cli(__VA_ARGS__);                                                            \
        CU_ASSERT_EQUAL(rc_, status);                                                             \
        if (rc_ != (status)) fprintf(stderr, "\n  exit %d: %s%s", rc_, tu_cli_out, tu_cli_err);  \
    } while (0)

/* Registers a suite with the given tests ({name, fn} pairs, NULL-terminated). */
typedef struct tu_test {
    const char *name;
    void (*fn)(void);
} tu_test;
void tu_add_suite(const char *name, const tu_test *tests);

#endif /* HM_TESTUTIL_H */
