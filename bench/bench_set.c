/* bench_set.c - `hashmatch bench set [--n N] [--json]`: building, signing and
 * verifying+opening sets of random PDQ entries, with baselines measured in the
 * same run over the same bytes: SHA-256 (the content digest), SHA-512, and a
 * copy into freshly allocated memory. Opening copies the file into private
 * memory while hashing it once, then checks the structure, so its cost should
 * stay close to SHA-256 + copy. Also the memory the opened set holds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench.h"
#include "set/set.h"

typedef struct row {
    size_t n, file_bytes, content_bytes;
    double build_s, sign_s, sha256_s, sha512_s, copy_s, open_s, open_file_s;
    double read_s;  /* read(2) of the file from the page cache into fresh memory */
    double ready_s[3]; /* open_file + hm_scanner_new: auto (default), fast, compact */
    size_t open_rss, peak_rss;
    unsigned long long checksum;
} row;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t peak_rss_bytes(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (size_t)ru.ru_maxrss * 1024 : 0;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int fail(const char *what, const hm_error *e)
{
    fprintf(stderr, "hashmatch bench set: %s: %s\n", what, e->message);
    return -1;
}

/* Builds the unsigned set: n random PDQ hashes, 3 categories, 1..3 attesters. */
static int build(size_t n, uint64_t seed, uint8_t **data, size_t *size, double *secs)
{
    hm_set_builder *b;
    hm_error e;
    double t0 = now_s();
    if (hm_set_builder_new(&b) != HM_OK) return -1;
    int rc = -1;
    if (hm_set_builder_set_name(b, "bench", &e) || hm_set_builder_add_category(b, "a", NULL, &e) ||
        hm_set_builder_add_category(b, "b", NULL, &e) || hm_set_builder_add_category(b, "c", NULL, &e))
        goto done;
    hm_set_builder_set_times(b, 1700000000, 1900000000);
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32];
        for (int k = 0; k < 4; k++) hm__store_le64(h + 8 * k, splitmix(&seed));
        if (hm_set_builder_add(b, HM_ALGO_PDQ, h, (unsigned)(h[0] % 3), 1 + h[1] % 3, NULL, &e))
            goto done;
    }
    if (hm_set_builder_build(b, data, size, &e) != HM_OK) goto done;
    rc = 0;
done:
    if (rc) fail("build", &e);
    hm_set_builder_free(b);
    *secs = now_s() - t0;
    return rc;
}

#define REPS 3 /* each timing is the best of REPS runs: the machine may be shared */

static double min_d(double a, double b) { return a == 0 || b < a ? b : a; }

/* SHA-256, SHA-512 and a copy into fresh memory of the same bytes. */
static int time_baselines(const uint8_t *data, size_t size, row *r)
{
    uint8_t d256[32], d512[64];
    unsigned dn;
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = now_s();
        int ok = EVP_Digest(data, r->content_bytes, d256, &dn, EVP_sha256(), NULL);
        double t1 = now_s();
        ok &= EVP_Digest(data, r->content_bytes, d512, &dn, EVP_sha512(), NULL);
        double t2 = now_s();
        uint8_t *copy = malloc(size);
        if (copy) memcpy(copy, data, size);
        double t3 = now_s();
        if (ok != 1 || !copy) {
            free(copy);
            fprintf(stderr, "hashmatch bench set: digest or allocation failed\n");
            return -1;
        }
        r->checksum += d256[0] + d512[0] + copy[size / 2];
        free(copy);
        r->sha256_s = min_d(r->sha256_s, t1 - t0);
        r->sha512_s = min_d(r->sha512_s, t2 - t1);
        r->copy_s = min_d(r->copy_s, t3 - t2);
    }
    return 0;
}

/* hm_set_open from memory; the first run also measures the memory held. */
static int time_open(const uint8_t *data, size_t size, const hm_set_open_options *o, row *r)
{
    for (int rep = 0; rep < REPS; rep++) {
        hm_set *s;
        hm_error e;
        size_t rss0 = rss_bytes();
        double t0 = now_s();
        hm_status st = hm_set_open(data, size, o, &s, &e);
        double t = now_s() - t0;
        if (st != HM_OK) return fail("open", &e);
        if (rep == 0) r->open_rss = rss_bytes() - rss0;
        r->open_s = min_d(r->open_s, t);
        const hm__set_view *v = hm__set_view_get(s, HM_ALGO_PDQ);
        for (size_t i = 0; i < v->info.entry_count; i += 997) r->checksum += hm__set_hash(v, i)[0];
        hm_set_free(s);
    }
    r->peak_rss = peak_rss_bytes();
    return 0;
}

/* Reading the file into freshly allocated memory (as hm_set_open_file
 * allocates: huge pages), the other half of the start-up baseline. */
static int time_read(const char *path, size_t size, row *r)
{
    double t0 = now_s();
    uint8_t *buf = hm__alloc_large(size);
    FILE *f = fopen(path, "rb");
    int ok = buf && f && fread(buf, 1, size, f) == size;
    double t = now_s() - t0;
    if (f) fclose(f);
    if (ok) r->checksum += buf[size / 3];
    free(buf);
    if (!ok) return -1;
    r->read_s = min_d(r->read_s, t);
    return 0;
}

static int time_sha256(const uint8_t *data, row *r)
{
    uint8_t d[32];
    unsigned dn;
    double t0 = now_s();
    int ok = EVP_Digest(data, r->content_bytes, d, &dn, EVP_sha256(), NULL);
    r->sha256_s = min_d(r->sha256_s, now_s() - t0);
    r->checksum += d[0];
    return ok == 1 ? 0 : -1;
}

#define READY_REPS 5

/* Ready to match: hm_set_open_file and hm_scanner_new, one thread, with the
 * default index policy (auto: brute force at once), then with the fast and
 * the compact index built before the first query. Each run of the default
 * one comes right after a read of the file and a SHA-256 of its content, so
 * that a shared machine's load weighs on the baseline as on the measure. */
static int time_ready(const char *path, const uint8_t *data, size_t size,
                      const hm_set_open_options *o, row *r)
{
    static const hm_index_policy POLICY[3] = {HM_INDEX_AUTO, HM_INDEX_ALWAYS, HM_INDEX_ALWAYS};
    static const hm_index_mode MODE[3] = {HM_INDEX_FAST, HM_INDEX_FAST, HM_INDEX_COMPACT};
    for (int m = 0; m < 3; m++)
        for (int rep = 0; rep < (m ? 1 : READY_REPS); rep++) { /* the index builds are long */
            if (m == 0 && (time_read(path, size, r) != 0 || time_sha256(data, r) != 0)) return -1;
            hm_set *s = NULL;
            hm_scanner *sc = NULL;
            hm_scanner_options so;
            memset(&so, 0, sizeof so);
            so.index = POLICY[m];
            so.index_mode = MODE[m];
            so.build_threads = 1;
            hm_error e;
            double t0 = now_s();
            int ok = hm_set_open_file(path, o, &s, &e) == HM_OK && hm_scanner_new(s, &so, &sc, &e) == HM_OK;
            double t = now_s() - t0;
            hm_scanner_free(sc);
            hm_set_free(s);
            if (!ok) return fail("ready", &e);
            r->ready_s[m] = min_d(r->ready_s[m], t);
        }
    return 0;
}

/* hm_set_open_file on a temporary copy of the set (read from the page cache). */
static int time_open_file(const uint8_t *data, size_t size, const hm_set_open_options *o, row *r)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/hashmatch-bench-set-%ld.hmset", dir && *dir ? dir : "/tmp",
             (long)getpid());
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "hashmatch bench set: cannot write %s\n", path);
    for (int rep = 0; ok && rep < REPS; rep++) {
        hm_set *s;
        hm_error e;
        double t0 = now_s();
        ok = hm_set_open_file(path, o, &s, &e) == HM_OK;
        double t = now_s() - t0;
        if (!ok) {
            fail("open file", &e);
            break;
        }
        r->open_file_s = min_d(r->open_file_s, t);
        r->checksum += hm_set_section_get(s, HM_ALGO_PDQ)->entry_count;
        hm_set_free(s);
    }
    if (ok) ok = time_ready(path, data, size, o, r) == 0;
    remove(path);
    return ok ? 0 : -1;
}

static int run_one(size_t n, row *r)
{
    uint8_t secret[HM_ED25519_SECRET_BYTES], pub[1][HM_ED25519_PUBLIC_BYTES];
    for (int i = 0; i < HM_ED25519_SECRET_BYTES; i++) secret[i] = (uint8_t)(i * 7 + 3);
    hm_error e;
    if (hm_key_public(secret, pub[0], &e)) return fail("key", &e);
    memset(r, 0, sizeof *r);
    r->n = n;
    uint8_t *data = NULL, *signed_data = NULL;
    size_t size, signed_size;
    if (build(n, 42 + n, &data, &size, &r->build_s)) return -1;
    double t0 = now_s();
    hm_status st = hm_set_sign(data, size, secret, &signed_data, &signed_size, &e);
    r->sign_s = now_s() - t0;
    hm_buffer_free(data);
    if (st != HM_OK) return fail("sign", &e);
    r->file_bytes = signed_size;
    r->content_bytes = (size_t)hm__load_le64(signed_data + 16);
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])pub;
    o.trust.key_count = 1;
    o.trust.threshold = 1;
    o.now = 1800000000;
    int rc = time_baselines(signed_data, signed_size, r);
    if (rc == 0) rc = time_open(signed_data, signed_size, &o, r);
    if (rc == 0) rc = time_open_file(signed_data, signed_size, &o, r);
    hm_buffer_free(signed_data);
    return rc;
}

static double gbps(size_t bytes, double s) { return (double)bytes / s / 1e9; }

static void print_delta_json(const bench_delta_row *d, int comma)
{
    printf("%s\n  {\"bench\": \"set_delta\", \"algo\": \"pdq\", \"n\": %zu, \"added\": %zu, "
           "\"removed\": %zu, \"delta_bytes\": %zu, \"bound_bytes\": %.0f, \"within_bound\": %s, "
           "\"full_bytes\": %zu, \"delta_over_full\": %.6f, \"make_s\": %.4f, \"apply_s\": %.4f, "
           "\"apply_peak_rss_bytes\": %zu, \"identical\": %s, \"write_full_s\": %.4f, "
           "\"verify_full_s\": %.4f, \"verify_full_peak_rss_bytes\": %zu, "
           "\"apply_over_write_and_verify_full\": %.3f}",
           comma ? "," : "", d->n, d->added, d->removed, d->delta_bytes, d->bound_bytes,
           (double)d->delta_bytes <= d->bound_bytes ? "true" : "false", d->full_bytes,
           (double)d->delta_bytes / (double)d->full_bytes, d->make_s, d->apply_s, d->apply_peak,
           d->identical ? "true" : "false", d->write_full_s, d->verify_full_s, d->verify_peak,
           d->apply_s / (d->write_full_s + d->verify_full_s));
}

static void print_delta_table(const bench_delta_row *d, size_t count)
{
    if (!count) return;
    printf("\ndelta updates (a release of N entries, then one with ADDED more and REMOVED fewer):\n"
           "%9s %6s %6s %9s %9s %10s %7s %7s %8s %9s %7s %8s %8s %9s\n", "entries", "added",
           "removed", "delta B", "bound B", "full B", "delta%", "make s", "apply s", "apply MB",
           "same", "write s", "verify s", "verify MB");
    for (size_t i = 0; i < count; i++)
        printf("%9zu %6zu %6zu %9zu %9.0f %10zu %7.3f %7.3f %8.3f %9.0f %7s %8.3f %8.3f %9.0f\n",
               d[i].n, d[i].added, d[i].removed, d[i].delta_bytes, d[i].bound_bytes,
               d[i].full_bytes, 100.0 * (double)d[i].delta_bytes / (double)d[i].full_bytes,
               d[i].make_s, d[i].apply_s, (double)d[i].apply_peak / 1e6,
               d[i].identical ? "yes" : "NO", d[i].write_full_s, d[i].verify_full_s,
               (double)d[i].verify_peak / 1e6);
    printf("delta B: the delta; bound B: 1.05 x (40 B per added PDQ entry + 2 B per removal) + 4 KiB;\n"
           "make: hm_set_delta_make (which applies the delta once to check it); apply: 'hashmatch\n"
           "set apply' (rebuild, verify, write) as a child process, its peak resident memory in\n"
           "apply MB; same: the applied file equals the new set byte for byte; write: writing\n"
           "the full new set with fsync; verify: 'hashmatch set verify' of the full new set.\n");
}

static void print_json(const row *r, size_t count, const bench_delta_row *d, size_t dcount)
{
    printf("[");
    for (size_t i = 0; i < count; i++) {
        const row *x = &r[i];
        printf("%s\n  {\"bench\": \"set\", \"algo\": \"pdq\", \"n\": %zu, \"file_bytes\": %zu, "
               "\"bytes_per_entry\": %.2f, \"build_s\": %.4f, \"sign_s\": %.4f, "
               "\"sha256_s\": %.4f, \"sha256_gb_per_s\": %.3f, \"sha512_s\": %.4f, "
               "\"sha512_gb_per_s\": %.3f, \"copy_s\": %.4f, \"open_s\": %.4f, "
               "\"open_file_s\": %.4f, \"open_over_sha256\": %.3f, \"open_over_sha512\": %.3f, "
               "\"open_over_sha256_plus_copy\": %.3f, \"open_rss_bytes\": %zu, "
               "\"open_rss_bytes_per_entry\": %.2f, \"peak_rss_bytes\": %zu, \"read_s\": %.4f, "
               "\"ready_s\": %.4f, \"ready_over_sha256_plus_read\": %.3f, \"ready_fast_index_s\": %.4f, "
               "\"ready_compact_index_s\": %.4f, \"checksum\": %llu}",
               i ? "," : "", x->n, x->file_bytes, (double)x->file_bytes / (double)x->n, x->build_s,
               x->sign_s, x->sha256_s, gbps(x->content_bytes, x->sha256_s), x->sha512_s,
               gbps(x->content_bytes, x->sha512_s), x->copy_s, x->open_s, x->open_file_s,
               x->open_s / x->sha256_s, x->open_s / x->sha512_s,
               x->open_s / (x->sha256_s + x->copy_s), x->open_rss,
               (double)x->open_rss / (double)x->n, x->peak_rss, x->read_s, x->ready_s[0],
               x->ready_s[0] / (x->sha256_s + x->read_s), x->ready_s[1], x->ready_s[2], x->checksum);
    }
    for (size_t i = 0; i < dcount; i++) print_delta_json(&d[i], count + i > 0);
    printf("\n]\n");
}

static void print_table(const row *r, size_t count)
{
    printf("%9s %10s %7s %6s %8s %8s %7s %7s %7s %8s %8s %9s %7s %8s\n", "entries",
           "file bytes", "build s", "sign s", "sha256 s", "sha512 s", "copy s", "open s",
           "file s", "open/256", "open/512", "open/256+c", "B/entry", "peak MB");
    for (size_t i = 0; i < count; i++) {
        const row *x = &r[i];
        printf("%9zu %10zu %7.3f %6.3f %8.3f %8.3f %7.3f %7.3f %7.3f %8.2f %8.2f %9.2f %7.1f %8.0f\n",
               x->n, x->file_bytes, x->build_s, x->sign_s, x->sha256_s, x->sha512_s, x->copy_s,
               x->open_s, x->open_file_s, x->open_s / x->sha256_s, x->open_s / x->sha512_s,
               x->open_s / (x->sha256_s + x->copy_s), (double)x->open_rss / (double)x->n,
               (double)x->peak_rss / 1e6);
    }
    for (size_t i = 0; i < count; i++)
        printf("%9zu entries: ready to match %.3f s (open the file + scanner, default index policy),\n"
               "           SHA-256 + read %.3f s: %.2fx; with the fast index built first %.3f s,\n"
               "           with the compact index %.3f s\n",
               r[i].n, r[i].ready_s[0], r[i].sha256_s + r[i].read_s,
               r[i].ready_s[0] / (r[i].sha256_s + r[i].read_s), r[i].ready_s[1], r[i].ready_s[2]);
    printf("open: copy into private memory while hashing it (SHA-256), Ed25519 verify, structure\n"
           "checks; file: the same through hm_set_open_file from the page cache; copy: memcpy of\n"
           "the file into freshly allocated memory (page faults included).\n");
}

int bench_set(int argc, char **argv)
{
    static const struct option LONG[] = {{"n", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"delta-only", no_argument, NULL, 'D'},
                                         {"no-delta", no_argument, NULL, 'N'},
                                         {"added", required_argument, NULL, 'a'},
                                         {"removed", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    size_t sizes[2] = {1000000, 10000000}, count = 2, added = 10000, removed = 1000;
    int json = 0, c, rows_wanted = 1, deltas_wanted = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'n':
            sizes[0] = (size_t)strtoull(optarg, &end, 10);
            if (*end || sizes[0] == 0 || sizes[0] > 1000000000) {
                fprintf(stderr, "hashmatch bench set: --n takes 1..1000000000\n");
                return 2;
            }
            count = 1;
            break;
        case 'J': json = 1; break;
        case 'D': rows_wanted = 0; break;
        case 'N': deltas_wanted = 0; break;
        case 'a':
        case 'r':
            *(c == 'a' ? &added : &removed) = (size_t)strtoull(optarg, &end, 10);
            if (*end) return fprintf(stderr, "hashmatch bench set: --%s takes a count\n",
                                     c == 'a' ? "added" : "removed"), 2;
            break;
        case 'h':
            printf("usage: hashmatch bench set [--n N] [--json] [--delta-only | --no-delta]\n"
                   "                           [--added N] [--removed N]\n\n"
                   "Builds, signs (one key) and verifies+opens a set of N random PDQ entries\n"
                   "(default: 1000000 and 10000000), with SHA-256 (the content digest),\n"
                   "SHA-512 and a copy into fresh memory of the same bytes as in-run\n"
                   "baselines, and reports the memory of the opened set. Start-up, one\n"
                   "thread: ready to match (hm_set_open_file and hm_scanner_new with the\n"
                   "default index policy) against SHA-256 of the content plus reading the\n"
                   "file (ready_over_sha256_plus_read), and the same with the fast or the\n"
                   "compact index built before the first query. Then delta updates: the\n"
                   "delta from that set to the next release (--added entries more, default\n"
                   "10000; --removed fewer, default 1000), its size against the format's\n"
                   "bound, making it, and 'set apply' against writing and verifying the\n"
                   "full new set.\n");
            return 0;
        default: return 2;
        }
    }
    row rows[2];
    bench_delta_row deltas[2];
    memset(deltas, 0, sizeof deltas);
    for (size_t i = 0; rows_wanted && i < count; i++)
        if (run_one(sizes[i], &rows[i])) return 2;
    for (size_t i = 0; deltas_wanted && i < count; i++) {
        deltas[i].n = sizes[i];
        deltas[i].added = added;
        deltas[i].removed = removed < sizes[i] ? removed : sizes[i] / 2;
        if (bench_set_delta_row(&deltas[i])) return 2;
    }
    size_t nrows = rows_wanted ? count : 0, ndeltas = deltas_wanted ? count : 0;
    if (json) print_json(rows, nrows, deltas, ndeltas);
    else {
        if (nrows) print_table(rows, nrows);
        print_delta_table(deltas, ndeltas);
    }
    return 0;
}
