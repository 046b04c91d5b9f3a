/* bench_resident.c - the resident memory of a scanner per index mode, for
 * `hashmatch bench match`: the benchmark's PDQ codes become a signed set
 * file, and for each mode a fresh process (this executable, re-run with
 * --resident-child) opens and verifies it, builds its scanner in that mode,
 * runs the queries through hm_scanner_scan_hashes and reports its resident
 * set size minus the one it had before opening anything (the same program,
 * libraries loaded, nothing allocated: the "empty process"). A fresh process
 * per mode, so that no allocation of another mode or of the benchmark itself
 * is counted. Each mode also runs on a set of one entry: what that process
 * adds (library code paged in by the first use, stdio and query buffers)
 * does not grow with the set, and the bytes per entry are the difference of
 * the two over the difference of their entry counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_resident.h"
#include "cli.h"

static const struct {
    const char *name;
    hm_index_policy policy;
    hm_index_mode mode;
    unsigned bytes_per_entry;
} MODES[] = {{"none", HM_INDEX_NEVER, HM_INDEX_FAST, 0},
             {"fast", HM_INDEX_ALWAYS, HM_INDEX_FAST, 0},
             {"compact", HM_INDEX_ALWAYS, HM_INDEX_COMPACT, 0},
             {"compact-24", HM_INDEX_ALWAYS, HM_INDEX_COMPACT, 24},
             {"compact-16", HM_INDEX_ALWAYS, HM_INDEX_COMPACT, 16}};

#define N_MODES (sizeof MODES / sizeof MODES[0])

/* The benchmark's key: not secret, it signs throwaway files. */
static void bench_key(uint8_t secret[HM_ED25519_SECRET_BYTES], uint8_t pub[HM_ED25519_PUBLIC_BYTES])
{
    for (int i = 0; i < HM_ED25519_SECRET_BYTES; i++) secret[i] = (uint8_t)(i * 13 + 5);
    if (hm_key_public(secret, pub, NULL) != HM_OK) memset(pub, 0, HM_ED25519_PUBLIC_BYTES);
}

static long statm_field(int field) /* 0: size, 1: resident, in pages */
{
    FILE *f = fopen("/proc/self/statm", "r");
    long v[2] = {0, 0};
    if (f) {
        if (fscanf(f, "%ld %ld", &v[0], &v[1]) != 2) v[1] = 0;
        fclose(f);
    }
    return v[field] * sysconf(_SC_PAGESIZE);
}

static long peak_rss(void) /* VmHWM */
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb * 1024;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the child --------------------------------------------------------------------- */

static int child_queries(const hm_scanner *sc, const char *path, size_t q, double *p50, double *p99,
                         size_t *matches)
{
    uint8_t *codes = malloc(q * HM_PDQ_BYTES);
    double *t = malloc(q * sizeof *t);
    FILE *f = fopen(path, "rb");
    int ok = codes && t && f && fread(codes, HM_PDQ_BYTES, q, f) == q;
    if (f) fclose(f);
    for (size_t i = 0; ok && i < q; i++) {
        hm_hashes h;
        memset(&h, 0, sizeof h);
        h.algos = HM_MASK(HM_ALGO_PDQ);
        h.pdq_quality = 100;
        memcpy(h.pdq, codes + HM_PDQ_BYTES * i, HM_PDQ_BYTES);
        hm_report *r;
        double t0 = now_s();
        ok = hm_scanner_scan_hashes(sc, &h, &r, NULL) == HM_OK;
        t[i] = now_s() - t0;
        if (ok) *matches += hm_report_match_count(r);
        hm_report_free(r);
    }
    if (ok && q) {
        qsort(t, q, sizeof *t, cmp_double);
        *p50 = t[q / 2] * 1e6;
        *p99 = t[q * 99 / 100 < q ? q * 99 / 100 : q - 1] * 1e6;
    }
    free(codes);
    free(t);
    return ok ? 0 : -1;
}

int bench_resident_child(const char *mode, const char *set_path, const char *queries, size_t q)
{
    long empty = statm_field(1);
    size_t k = 0;
    while (k < N_MODES && strcmp(MODES[k].name, mode)) k++;
    if (k == N_MODES) return CLI_EXIT_USAGE;
    uint8_t secret[HM_ED25519_SECRET_BYTES], pub[1][HM_ED25519_PUBLIC_BYTES];
    bench_key(secret, pub[0]);
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])pub;
    o.trust.key_count = 1;
    o.trust.threshold = 1;
    o.now = 1800000000;
    hm_scanner_options so;
    memset(&so, 0, sizeof so);
    so.index = MODES[k].policy;
    so.index_mode = MODES[k].mode;
    so.index_bytes_per_entry = MODES[k].bytes_per_entry;
    so.build_threads = 1;
    hm_set *set = NULL;
    hm_scanner *sc = NULL;
    hm_error e;
    double t0 = now_s();
    if (hm_set_open_file(set_path, &o, &set, &e) != HM_OK || hm_scanner_new(set, &so, &sc, &e) != HM_OK) {
        fprintf(stderr, "resident child: %s\n", e.message);
        hm_set_free(set);
        return CLI_EXIT_ERROR;
    }
    double ready = now_s() - t0, p50 = 0, p99 = 0;
    size_t matches = 0;
    int rc = child_queries(sc, queries, q, &p50, &p99, &matches);
    printf("resident\t%ld\t%ld\t%zu\t%.2f\t%.2f\t%.3f\t%zu\n", statm_field(1) - empty, peak_rss() - empty,
           hm_scanner_index_memory(sc), p50, p99, ready, matches);
    hm_scanner_free(sc);
    hm_set_free(set);
    return rc ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* ---- the parent -------------------------------------------------------------------- */

/* A signed set of the n sorted codes, written to `path`. */
static int write_set(const uint8_t *codes, size_t n, const char *path)
{
    uint8_t secret[HM_ED25519_SECRET_BYTES], pub[HM_ED25519_PUBLIC_BYTES];
    bench_key(secret, pub);
    hm_set_builder *b;
    unsigned cat;
    uint8_t *data = NULL, *signed_data = NULL;
    size_t size, signed_size;
    if (hm_set_builder_new(&b) != HM_OK) return -1;
    int ok = hm_set_builder_set_name(b, "bench match", NULL) == HM_OK &&
             hm_set_builder_add_category(b, "a", &cat, NULL) == HM_OK;
    hm_set_builder_set_times(b, 1700000000, 1900000000);
    for (size_t i = 0; ok && i < n; i++)
        ok = hm_set_builder_add(b, HM_ALGO_PDQ, codes + 32 * i, cat, 1, NULL, NULL) == HM_OK;
    ok = ok && hm_set_builder_build(b, &data, &size, NULL) == HM_OK &&
         hm_set_sign(data, size, secret, &signed_data, &signed_size, NULL) == HM_OK;
    hm_set_builder_free(b);
    hm_buffer_free(data);
    FILE *f = ok ? fopen(path, "wb") : NULL;
    ok = f && fwrite(signed_data, 1, signed_size, f) == signed_size;
    if (f && fclose(f) != 0) ok = 0;
    hm_buffer_free(signed_data);
    return ok ? 0 : -1;
}

static int self_path(char *out, size_t size)
{
    ssize_t k = readlink("/proc/self/exe", out, size - 1);
    if (k <= 0) return -1;
    out[k] = '\0';
    return 0;
}

/* Runs one child and parses its line into *r. */
static int run_child(const char *self, const char *mode, const char *set_path, const char *qpath,
                     size_t q, resident_result *r)
{
    char qs[32], cmd[16384];
    snprintf(qs, sizeof qs, "%zu", q);
    snprintf(cmd, sizeof cmd, "'%s' bench match --resident-child '%s' '%s' '%s' %s", self, mode,
             set_path, qpath, qs);
    FILE *p = popen(cmd, "r");
    char line[512];
    int ok = 0;
    while (p && fgets(line, sizeof line, p))
        ok |= sscanf(line, "resident\t%lf\t%lf\t%lf\t%lf\t%lf\t%lf\t%zu", &r->resident_bytes,
                     &r->peak_bytes, &r->index_bytes, &r->p50_us, &r->p99_us, &r->ready_s,
                     &r->matches) == 7;
    if (!p || pclose(p) != 0) ok = 0;
    snprintf(r->mode, sizeof r->mode, "%s", mode);
    return ok ? 0 : -1;
}

size_t bench_resident(const uint8_t *codes, size_t n, const uint8_t *queries, size_t q,
                      resident_result *out, size_t max, size_t *file_bytes)
{
    const char *dir = getenv("TMPDIR");
    char self[4096], set_path[4200], one_path[4200], qpath[4200];
    const char *d = dir && *dir ? dir : "/tmp";
    snprintf(set_path, sizeof set_path, "%s/hashmatch-resident-%ld.hmset", d, (long)getpid());
    snprintf(one_path, sizeof one_path, "%s/hashmatch-resident-1-%ld.hmset", d, (long)getpid());
    snprintf(qpath, sizeof qpath, "%s/hashmatch-resident-%ld.q", d, (long)getpid());
    size_t count = 0;
    FILE *f = fopen(qpath, "wb");
    int ok = f && fwrite(queries, 32, q, f) == q;
    if (f && fclose(f) != 0) ok = 0;
    if (ok && n > 1 && self_path(self, sizeof self) == 0 && write_set(codes, n, set_path) == 0 &&
        write_set(codes, 1, one_path) == 0) {
        FILE *s = fopen(set_path, "rb");
        if (s && fseek(s, 0, SEEK_END) == 0) *file_bytes = (size_t)ftell(s);
        if (s) fclose(s);
        for (size_t k = 0; k < N_MODES && count < max; k++) {
            resident_result one;
            cli_info("bench match: resident memory with index mode %s", MODES[k].name);
            if (run_child(self, MODES[k].name, set_path, qpath, q, &out[count]) == 0 &&
                run_child(self, MODES[k].name, one_path, qpath, q, &one) == 0) {
                out[count++].fixed_bytes = one.resident_bytes;
            } else {
                cli_warn("bench match: the resident-memory run of mode %s failed", MODES[k].name);
            }
        }
    }
    remove(set_path);
    remove(one_path);
    remove(qpath);
    return count;
}
