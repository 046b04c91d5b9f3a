/* bench_set_delta.c - the delta rows of `hashmatch bench set`: a release of
 * N random PDQ entries followed by one with `added` entries more and
 * `removed` fewer; the delta's size against the bound of docs/FORMAT.md
 * section 11.7, the time to make it, and the time and peak memory of
 * `hashmatch set apply` against the baseline a device would otherwise pay:
 * writing the full new set and `hashmatch set verify` of it. Both commands
 * run as child processes of this binary, so that their peak resident memory
 * is their own. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "hashmatch.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void random_pdq(uint64_t *seed, uint8_t h[32])
{
    for (int k = 0; k < 4; k++) {
        uint64_t v = splitmix(seed);
        for (int b = 0; b < 8; b++) h[8 * k + b] = (uint8_t)(v >> (8 * b));
    }
}

static const uint8_t SECRET[HM_ED25519_SECRET_BYTES] = {3, 10, 17, 24, 31, 38, 45, 52, 59, 66, 73,
                                                        80, 87, 94, 101, 108, 115, 122, 129, 136,
                                                        143, 150, 157, 164, 171, 178, 185, 192,
                                                        199, 206, 213, 220};

/* Release 1 (n entries) or 2 (every (n / removed)-th gone, `added` new),
 * signed. */
static int release(size_t n, size_t added, size_t removed, const uint8_t *prev, uint8_t **out,
                   size_t *size)
{
    hm_set_builder *b;
    hm_error e;
    uint8_t h[32], *data = NULL;
    size_t dn;
    uint64_t seed = 42, seed2 = 4242;
    size_t step = removed ? n / removed : 0;
    if (hm_set_builder_new(&b) != HM_OK) return -1;
    int rc = hm_set_builder_set_name(b, "bench", &e) || hm_set_builder_add_category(b, "a", NULL, &e) ||
             hm_set_builder_add_category(b, "b", NULL, &e) || hm_set_builder_add_category(b, "c", NULL, &e);
    hm_set_builder_set_version(b, prev ? 2 : 1);
    hm_set_builder_set_times(b, 1700000000, 1900000000);
    hm_set_builder_set_previous(b, prev);
    for (size_t i = 0; i < n && !rc; i++) {
        random_pdq(&seed, h);
        if (!prev || !step || i % step != step / 2)
            rc = hm_set_builder_add(b, HM_ALGO_PDQ, h, h[0] % 3, 1 + h[1] % 3, NULL, &e) != HM_OK;
    }
    for (size_t i = 0; prev && i < added && !rc; i++) {
        random_pdq(&seed2, h);
        rc = hm_set_builder_add(b, HM_ALGO_PDQ, h, h[0] % 3, 1 + h[1] % 3, NULL, &e) != HM_OK;
    }
    if (!rc) rc = hm_set_builder_build(b, &data, &dn, &e) != HM_OK;
    if (!rc) rc = hm_set_sign(data, dn, SECRET, out, size, &e) != HM_OK;
    if (rc) fprintf(stderr, "hashmatch bench set: building a release: %s\n", e.message);
    hm_buffer_free(data);
    hm_set_builder_free(b);
    return rc ? -1 : 0;
}

static int write_file(const char *path, const uint8_t *data, size_t size, double *secs)
{
    double t0 = now_s();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int ok = fd >= 0;
    for (size_t off = 0; ok && off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    if (ok) ok = fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0) ok = 0;
    if (secs) *secs = now_s() - t0;
    if (!ok) fprintf(stderr, "hashmatch bench set: cannot write %s\n", path);
    return ok ? 0 : -1;
}

/* Runs this binary with argv; its wall time and peak resident memory. A
 * plain fork (not posix_spawn's shared-memory vfork), so that the child's
 * peak starts from this process's current size, not its historical peak;
 * the caller has released its big buffers first. */
static int run_child(char *const argv[], double *secs, size_t *peak)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) return fprintf(stderr, "hashmatch bench set: cannot fork\n"), -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) return -1;
    *secs = now_s() - t0;
    *peak = (size_t)ru.ru_maxrss * 1024;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "hashmatch bench set: '%s %s' failed\n", argv[1], argv[2]);
        return -1;
    }
    return 0;
}

typedef struct paths {
    char old[4200], new_[4200], delta[4200], out[4200];
} paths;

static void make_paths(paths *p, size_t n)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    long pid = (long)getpid();
    snprintf(p->old, sizeof p->old, "%s/hashmatch-bench-%ld-%zu-old.hmset", dir, pid, n);
    snprintf(p->new_, sizeof p->new_, "%s/hashmatch-bench-%ld-%zu-new.hmset", dir, pid, n);
    snprintf(p->delta, sizeof p->delta, "%s/hashmatch-bench-%ld-%zu.hmdelta", dir, pid, n);
    snprintf(p->out, sizeof p->out, "%s/hashmatch-bench-%ld-%zu-applied.hmset", dir, pid, n);
}

static int same_files(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    static char ba[1 << 16], bb[1 << 16];
    int same = fa && fb;
    while (same) {
        size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
        same = na == nb && !memcmp(ba, bb, na);
        if (na == 0) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static void remove_paths(const paths *p)
{
    remove(p->old);
    remove(p->new_);
    remove(p->delta);
    remove(p->out);
}

/* Makes both releases and the delta, writes the three files. */
static int prepare(bench_delta_row *r, const paths *p)
{
    uint8_t *old = NULL, *new_ = NULL, *delta = NULL;
    size_t on = 0, nn = 0;
    hm_set *s = NULL;
    hm_error e;
    e.message[0] = '\0';
    int rc = release(r->n, 0, 0, NULL, &old, &on);
    if (!rc) rc = hm_set_open_unverified(old, on, &s, &e) != HM_OK;
    if (!rc) rc = release(r->n, r->added, r->removed, hm_set_digest(s), &new_, &nn);
    double t0 = now_s();
    if (!rc) rc = hm_set_delta_make(old, on, new_, nn, &delta, &r->delta_bytes, &e) != HM_OK;
    r->make_s = now_s() - t0;
    if (rc && e.message[0]) fprintf(stderr, "hashmatch bench set: delta: %s\n", e.message);
    r->full_bytes = nn;
    if (!rc) rc = write_file(p->old, old, on, NULL) || write_file(p->new_, new_, nn, &r->write_full_s) ||
                  write_file(p->delta, delta, r->delta_bytes, NULL);
    hm_set_free(s);
    hm_buffer_free(old);
    hm_buffer_free(new_);
    hm_buffer_free(delta);
    return rc ? -1 : 0;
}

int bench_set_delta_row(bench_delta_row *r)
{
    paths p;
    make_paths(&p, r->n);
    uint8_t pub[HM_ED25519_PUBLIC_BYTES];
    char key[2 * HM_ED25519_PUBLIC_BYTES + 1];
    if (hm_key_public(SECRET, pub, NULL) != HM_OK) return -1;
    hm_hex_encode(pub, sizeof pub, key);
    int rc = prepare(r, &p);
    char *apply[] = {"hashmatch", "set", "apply", p.old, p.delta, "--out", p.out, "--trusted-key",
                     key, "--now", "@1800000000", NULL};
    char *verify[] = {"hashmatch", "set", "verify", "--trusted-key", key, "--now", "@1800000000",
                      p.new_, NULL};
    if (!rc) rc = run_child(apply, &r->apply_s, &r->apply_peak);
    if (!rc) rc = run_child(verify, &r->verify_full_s, &r->verify_peak);
    if (!rc) r->identical = same_files(p.out, p.new_);
    r->bound_bytes = 1.05 * ((double)r->added * 40 + 2.0 * (double)r->removed) + 4096;
    remove_paths(&p);
    return rc;
}
