/* bench_pairs.c - `hashmatch bench pairs`: the all-pairs distance histogram
 * and pair minima of the research toolkit (lib/match/pairs.h) on every SIMD
 * tier, in pairs per second on one core, against the scalar kernel in the
 * same run. Every tier's histogram must equal the scalar one on a common
 * block (checked, reported, and the exit status is 1 otherwise). */
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
    "Pairs per second of the pair histogram (all pairs of N codes, default\n"
    "20000: 2e8 pairs), of the pair minima (N x N), and of the fused statistics\n"
    "that `hashmatch eval` uses (the same pairs: stats-hist the histogram alone,\n"
    "stats-both the histogram and every code's nearest neighbour from one\n"
    "distance per pair), for 256-bit and 64-bit codes on every SIMD tier of\n"
    "this CPU, one thread, best of 3. The scalar tier runs on N/4 codes (its\n"
    "rate is what counts). Every tier's results are compared with the scalar\n"
    "tier's on a common block of 2000 codes (the fused ones with groups too).\n"
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

static double best_of_3_hist(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb,
                             uint64_t *check)
{
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        uint64_t hist[257] = {0};
        double t0 = cli_now();
        if (hm__pairs_histogram_tier(tier, codes, n, cb, NULL, hist) != HM_OK) return -1;
        double dt = cli_now() - t0;
        best = dt < best ? dt : best;
        *check = hist[8 * cb / 2];
    }
    return best;
}

static double best_of_3_min(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb,
                            uint16_t *ma, uint16_t *mb, uint64_t *check)
{
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        memset(ma, 0xff, n * sizeof *ma);
        memset(mb, 0xff, n * sizeof *mb);
        double t0 = cli_now();
        if (hm__pairs_min_distance_cross_tier(tier, codes, n, NULL, codes, n, NULL, cb, ma, mb) != HM_OK)
            return -1;
        double dt = cli_now() - t0;
        best = dt < best ? dt : best;
        *check = (uint64_t)ma[0] + mb[n - 1];
    }
    return best;
}

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

/* 1 when the tier's fused histogram and minima equal the scalar tier's and
 * the separate kernels' on a block (grouped, so the masked path runs too). */
static int stats_same(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb)
{
    uint64_t h[3][257] = {{0}};
    uint16_t *m = malloc(3 * n * sizeof *m), *mb = malloc(n * sizeof *mb);
    uint32_t *g = malloc(n * sizeof *g);
    hm__pair_acc *acc = NULL;
    int same = m && mb && g && hm__pair_acc_new(cb, &acc) == HM_OK;
    for (size_t i = 0; same && i < n; i++) g[i] = (uint32_t)(i / 3);
    if (same) memset(m, 0xff, 3 * n * sizeof *m), memset(mb, 0xff, n * sizeof *mb);
    same = same && hm__pairs_stats_tier(HM_MATCH_TIER_SCALAR, acc, codes, n, g, m) == HM_OK;
    if (same) hm__pair_acc_flush(acc, h[0]);
    same = same && hm__pairs_stats_tier(tier, acc, codes, n, g, m + n) == HM_OK;
    if (same) hm__pair_acc_flush(acc, h[1]);
    same = same && hm__pairs_histogram_tier(tier, codes, n, cb, g, h[2]) == HM_OK &&
           hm__pairs_min_distance_cross_tier(tier, codes, n, g, codes, n, g, cb, m + 2 * n, mb) == HM_OK;
    same = same && !memcmp(h[0], h[1], sizeof h[0]) && !memcmp(h[0], h[2], sizeof h[0]) &&
           !memcmp(m, m + n, n * sizeof *m) && !memcmp(m, m + 2 * n, n * sizeof *m);
    hm__pair_acc_free(acc);
    free(m);
    free(mb);
    free(g);
    return same;
}

/* 1 when the tier's histogram and minima equal the scalar tier's on a block. */
static int same_as_scalar(hm_match_tier tier, const uint8_t *codes, size_t n, size_t cb)
{
    uint64_t h0[257] = {0}, h1[257] = {0};
    uint16_t *m[4];
    for (int k = 0; k < 4; k++) m[k] = malloc(n * sizeof *m[k]);
    int same = m[0] && m[1] && m[2] && m[3];
    for (int k = 0; k < 4 && same; k++) memset(m[k], 0xff, n * sizeof *m[k]);
    same = same && hm__pairs_histogram_tier(HM_MATCH_TIER_SCALAR, codes, n, cb, NULL, h0) == HM_OK &&
           hm__pairs_histogram_tier(tier, codes, n, cb, NULL, h1) == HM_OK &&
           memcmp(h0, h1, sizeof h0) == 0;
    same = same &&
           hm__pairs_min_distance_cross_tier(HM_MATCH_TIER_SCALAR, codes, n, NULL, codes, n, NULL,
                                             cb, m[0], m[1]) == HM_OK &&
           hm__pairs_min_distance_cross_tier(tier, codes, n, NULL, codes, n, NULL, cb, m[2], m[3]) == HM_OK &&
           !memcmp(m[0], m[2], n * sizeof *m[0]) && !memcmp(m[1], m[3], n * sizeof *m[1]);
    for (int k = 0; k < 4; k++) free(m[k]);
    return same;
}

static size_t measure(size_t n, size_t cb, prow *rows, size_t count, int *failed)
{
    size_t ns = n / 4 ? n / 4 : n;
    uint8_t *codes = NULL;
    size_t got = 0;
    codes = bench_data_make(cb == 32 ? DATA_UNIFORM256 : DATA_UNIFORM64, n, 9, &got);
    uint16_t *ma = malloc(n * sizeof *ma), *mb = malloc(n * sizeof *mb);
    if (!codes || !ma || !mb) {
        *failed = 1;
        free(codes);
        free(ma);
        free(mb);
        return count;
    }
    double scalar[4] = {0, 0, 0, 0};
    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
        if (!hm_match_tier_available((hm_match_tier)t)) continue;
        size_t m = t == HM_MATCH_TIER_SCALAR ? ns : got;
        size_t nc = got < 2000 ? got : 2000;
        int same = t == HM_MATCH_TIER_SCALAR ? 1 : same_as_scalar((hm_match_tier)t, codes, nc, cb);
        same = same && stats_same((hm_match_tier)t, codes, nc, cb);
        if (!same) *failed = 1;
        for (int op = 0; op < 4; op++) {
            static const char *const OPS[] = {"pairs-hist", "pairs-min", "stats-hist", "stats-both"};
            uint64_t check = 0;
            double secs = op == 0   ? best_of_3_hist((hm_match_tier)t, codes, m, cb, &check)
                          : op == 1 ? best_of_3_min((hm_match_tier)t, codes, m, cb, ma, mb, &check)
                                    : best_of_3_stats((hm_match_tier)t, codes, m, cb,
                                                      op == 3 ? ma : NULL, &check);
            double pairs = op == 1 ? (double)m * (double)m : (double)m * (double)(m - 1) / 2;
            prow *r = &rows[count++];
            *r = (prow){OPS[op], (hm_match_tier)t, (unsigned)(8 * cb), m,
                        pairs, secs, pairs / secs, 0, same, check};
            if (t == HM_MATCH_TIER_SCALAR) scalar[op] = r->rate;
            r->speedup = scalar[op] > 0 ? r->rate / scalar[op] : 0;
        }
    }
    free(codes);
    free(ma);
    free(mb);
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
    prow rows[8 * HM_MATCH_TIER_COUNT];
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
