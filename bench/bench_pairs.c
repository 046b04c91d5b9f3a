/* bench_pairs.c - `hashmatch bench pairs`: the fused all-pairs statistics
 * of the research toolkit (lib/match/pairs.h: distance histogram, with or
 * without every code's nearest neighbour) on every SIMD tier, in pairs per
 * second on one core, against the scalar kernel in the same run. Every
 * tier's histogram and minima must equal the scalar ones on a common block
 * (checked, reported, and the exit status is 1 otherwise). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "match/pairs.h"
#include "match_data.h"

static const char HELP[] =
    "usage: hashmatch bench pairs [--n N] [--json]\n"
    "\n"
    "Pairs per second of the pair statistics that `hashmatch eval` uses, over\n"
    "all pairs of N codes (default 20000: 2e8 pairs): stats-hist the distance\n"
    "histogram alone, stats-both the histogram and every code's nearest\n"
    "neighbour from one distance per pair; for 256-bit and 64-bit codes on\n"
    "every SIMD tier of this CPU, one thread, best of 3. The scalar tier runs\n"
    "on N/4 codes (its rate is what counts). Every tier's histogram and minima\n"
    "are compared with the scalar tier's on a common block of 2000 codes, with\n"
    "and without groups.\n"
    "\n"
    "  --n N    codes per block (default 20000)\n"
    "  --json   a JSON array of rows instead of a table\n";

typedef struct prow {
    const char *op;
    hm_match_tier tier;
    unsigned bits;
    size_t n;
    double pairs, secs, rate, speedup;
    int same;
    uint64_t check;
} prow;

/* Fused statistics of all pairs of n codes: histogram and, with ma, minima. */
static double best_of_3_stats(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb,
                              uint16_t *ma, uint64_t *check)
{
    hm__pair_acc *acc;
    if (hm__pair_acc_new(cb, &acc) != HM_OK) return -1;
    double best = 1e30;
    for (int rep = 0; rep < 3 && best > 0; rep++) {
        uint64_t hist[257] = {0};
        if (ma) memset(ma, 0xff, n * sizeof *ma);
        double t0 = cli_now();
        if (hm__pairs_stats_tier(tier, acc, codes, n, NULL, ma) != HM_OK) best = -1;
        hm__pair_acc_flush(acc, hist);
        double dt = cli_now() - t0;
        best = dt < best ? dt : best;
        *check = hist[8 * cb / 2] + (ma ? ma[0] + ma[n - 1] : 0);
    }
    hm__pair_acc_free(acc);
    return best;
}

/* The histogram and minima of a block's own pairs and of its halves' cross
 * pairs on one tier, into h and m (2n words: the block's minima, then the
 * cross minima). */
static int stats_run(hm_match_tier tier, hm__pair_acc *acc, const uint8_t *codes, size_t n,
                     size_t cb, const uint32_t *g, uint64_t *h, uint16_t *m)
{
    size_t half = n / 2;
    memset(m, 0xff, 2 * n * sizeof *m);
    if (hm__pairs_stats_tier(tier, acc, codes, n, g, m) != HM_OK) return 0;
    if (hm__pairs_stats_cross_tier(tier, acc, codes, half, g, codes + cb * half, n - half,
                                   g ? g + half : NULL, m + n, m + n + half) != HM_OK)
        return 0;
    hm__pair_acc_flush(acc, h);
    return 1;
}

/* 1 when the tier's fused histogram and minima equal the scalar tier's on a
 * block, without and with groups (so the masked path runs too). */
static int same_as_scalar(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb)
{
    uint16_t *m0 = malloc(2 * n * sizeof *m0), *m1 = malloc(2 * n * sizeof *m1);
    uint32_t *g = malloc(n * sizeof *g);
    hm__pair_acc *acc = NULL;
    int same = m0 && m1 && g && hm__pair_acc_new(cb, &acc) == HM_OK;
    for (size_t i = 0; same && i < n; i++) g[i] = (uint32_t)(i / 3);
    for (int grouped = 0; same && grouped < 2; grouped++) {
        uint64_t h0[257] = {0}, h1[257] = {0};
        const uint32_t *gp = grouped ? g : NULL;
        same = stats_run(HM_MATCH_TIER_SCALAR, acc, codes, n, cb, gp, h0, m0) &&
               stats_run(tier, acc, codes, n, cb, gp, h1, m1) && !memcmp(h0, h1, sizeof h0) &&
               !memcmp(m0, m1, 2 * n * sizeof *m0);
    }
    hm__pair_acc_free(acc);
    free(m0);
    free(m1);
    free(g);
    return same;
}

static size_t measure(size_t n, size_t cb, prow *rows, size_t count, int *failed)
{
    size_t ns = n / 4 ? n / 4 : n;
    uint8_t *codes = NULL;
    size_t got = 0;
    codes = bench_data_make(cb == 32 ? DATA_UNIFORM256 : DATA_UNIFORM64, n, 9, &got);
    uint16_t *ma = malloc(n * sizeof *ma);
    if (!codes || !ma) {
        *failed = 1;
        free(codes);
        free(ma);
        return count;
    }
    double scalar[2] = {0, 0};
    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
        if (!hm_match_tier_available((hm_match_tier)t)) continue;
        size_t m = t == HM_MATCH_TIER_SCALAR ? ns : got;
        size_t nc = got < 2000 ? got : 2000;
        int same = t == HM_MATCH_TIER_SCALAR ? 1 : same_as_scalar((hm_match_tier)t, codes, nc, cb);
        if (!same) *failed = 1;
        for (int op = 0; op < 2; op++) {
            static const char *const OPS[] = {"stats-hist", "stats-both"};
            uint64_t check = 0;
            double secs = best_of_3_stats((hm_match_tier)t, codes, m, cb, op ? ma : NULL, &check);
            double pairs = (double)m * (double)(m - 1) / 2;
            prow *r = &rows[count++];
            *r = (prow){OPS[op], (hm_match_tier)t, (unsigned)(8 * cb), m,
                        pairs, secs, pairs / secs, 0, same, check};
            if (t == HM_MATCH_TIER_SCALAR) scalar[op] = r->rate;
            r->speedup = scalar[op] > 0 ? r->rate / scalar[op] : 0;
        }
    }
    free(codes);
    free(ma);
    return count;
}

int bench_pairs(int argc, char **argv)
{
    static const struct option LONG[] = {{"n", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    size_t n = 20000;
    int json = 0, ch, failed = 0;
    uint64_t v;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ch == 'n' && !cli_parse_u64(optarg, 8, 10000000, &v)) n = (size_t)v;
        else if (ch == 'j') json = 1;
        else if (ch == 'h') return fputs(HELP, stdout) < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
        else return cli_usage_error("bench pairs", "bad option");
    }
    prow rows[4 * HM_MATCH_TIER_COUNT];
    size_t count = measure(n, 32, rows, 0, &failed);
    count = measure(n, 8, rows, count, &failed);
    if (json) printf("[\n");
    else printf("%-11s %-7s %4s %7s %12s %9s %8s %s\n", "method", "tier", "bits", "n", "pairs/s", "seconds", "x scalar", "same as scalar");
    for (size_t i = 0; i < count; i++) {
        const prow *r = &rows[i];
        if (json)
            printf("  {\"method\": \"%s\", \"tier\": \"%s\", \"bits\": %u, \"n\": %zu, \"pairs\": %.0f, "
                   "\"seconds\": %.4f, \"pairs_per_s\": %.4g, \"speedup_vs_scalar\": %.2f, "
                   "\"same_as_scalar\": %s, \"check\": %llu}%s\n",
                   r->op, hm_match_tier_name(r->tier), r->bits, r->n, r->pairs, r->secs, r->rate,
                   r->speedup, r->same ? "true" : "false", (unsigned long long)r->check,
                   i + 1 < count ? "," : "");
        else
            printf("%-11s %-7s %4u %7zu %12.4g %9.4f %8.1f %s\n", r->op, hm_match_tier_name(r->tier),
                   r->bits, r->n, r->rate, r->secs, r->speedup, r->same ? "yes" : "NO");
    }
    if (json) printf("]\n");
    return failed ? 1 : CLI_EXIT_OK;
}
