/* testutil.c - helpers shared by the CUnit test programs. */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tu_vectors_dir(void)
{
    static char buf[4096];
    const char *env = getenv("HASHMATCH_VECTORS");
    const char *dir = env && *env ? env : HM_TEST_VECTORS_DIR;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    snprintf(buf, sizeof buf, "%s", dir);
    return buf;
}

const char *tu_data_dir(void) { return HM_TEST_DATA_DIR; }

/* A directory of this process's own, made by mkdtemp: a name from the PID
 * alone was reused once PIDs wrapped, and a later test found the files of
 * an earlier one (a key it refused to overwrite). Removed by tu_run when
 * every test passed. */
static char tmp_dir[256];

const char *tu_tmp_dir(void)
{
    if (!tmp_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, sizeof tmp_dir, "%s/hashmatch-test-%ld-XXXXXX",
                 base && *base ? base : "/tmp", (long)getpid());
        if (!mkdtemp(tmp_dir)) abort();
    }
    return tmp_dir;
}

/* Removes the directory tree of tu_tmp_dir (modes restored first: tests
 * leave unreadable files and directories; trees deeper than PATH_MAX). */
static void remove_tmp_dir(void)
{
    if (!tmp_dir[0] || strchr(tmp_dir, '\'')) return;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", tmp_dir, tmp_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_dir);
}

char *tu_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p) abort();
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

uint8_t *tu_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* One byte more, always 0: callers read text files as strings. */
    uint8_t *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) abort();
    buf[n > 0 ? n : 0] = 0;
    fclose(f);
    *size = (size_t)n;
    return buf;
}

int tu_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = fwrite(data, 1, size, f) == size ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

void tu_rng_seed(tu_rng *r, uint64_t seed) { r->s = seed; }

uint64_t tu_rng_next(tu_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t tu_rng_below(tu_rng *r, uint32_t n) { return (uint32_t)(tu_rng_next(r) % n); }

size_t tu_split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = line;
        char *t = strchr(line, '\t');
        if (!t) break;
        *t = '\0';
        line = t + 1;
    }
    return n;
}

static int saved_stderr = -1;
static char stderr_path[300];

void tu_stderr_begin(void)
{
    fflush(stderr);
    snprintf(stderr_path, sizeof stderr_path, "%s/stderr-capture", tu_tmp_dir());
    int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) abort();
    saved_stderr = dup(2);
    if (saved_stderr < 0 || dup2(fd, 2) < 0) abort();
    close(fd);
}

long tu_stderr_end(void)
{
    fflush(stderr);
    if (saved_stderr < 0 || dup2(saved_stderr, 2) < 0) abort();
    close(saved_stderr);
    saved_stderr = -1;
    struct stat st;
    long n = stat(stderr_path, &st) == 0 ? (long)st.st_size : -1;
    unlink(stderr_path);
    return n;
}

static int registration_failed;

void tu_add_suite(const char *name, const tu_test *tests)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s) {
        registration_failed = 1;
        return;
    }
    for (const tu_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn)) registration_failed = 1;
}

int tu_run(const char *program)
{
    if (registration_failed) {
        fprintf(stderr, "%s: CUnit registration failed\n", program);
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "%s: no tests ran\n", program);
        return 1;
    }
    if (failed) {
        if (tmp_dir[0]) fprintf(stderr, "%s: files kept in %s\n", program, tmp_dir);
        return 1;
    }
    remove_tmp_dir();
    return 0;
}

char tu_cli_out[TU_CLI_OUT_SIZE], tu_cli_err[TU_CLI_ERR_SIZE];

void tu_slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

int tu_cli(const char *fmt, ...)
{
    char args[8192], cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *emu = getenv("HM_TEST_EMULATOR");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && timeout 300 %s '%s/hashmatch' %s >out.txt 2>err.txt </dev/null",
             tu_tmp_dir(), emu ? emu : "", HM_TEST_BINARY_DIR, args);
    int st = system(cmd);
    char *o = tu_path(tu_tmp_dir(), "out.txt"), *e = tu_path(tu_tmp_dir(), "err.txt");
    tu_slurp(o, tu_cli_out, sizeof tu_cli_out);
    tu_slurp(e, tu_cli_err, sizeof tu_cli_err);
    free(o);
    free(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
