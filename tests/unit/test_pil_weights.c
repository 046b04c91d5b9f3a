/* test_pil_weights.c - the resize weights of every kernel tier against
 * Pillow's own arithmetic.
 *
 * The resizer takes Pillow's Lanczos weights from a polynomial with a proven
 * error bound and falls back to Pillow's arithmetic (libm sin per tap) for an
 * output whose weights come too close to a rounding boundary
 * (docs/IMAGEHASH.md). Here an independent transcription of Pillow's
 * precompute_coeffs and normalize_coeffs_8bpc computes every output of many
 * axes, and every tier this machine runs must give the same fixed-point
 * weights, output by output: input sizes 1..4096 to 8, 9 and 32 and to
 * their wHash side, sizes 1..2048 to every power of two from 8 to the size,
 * and random pairs up to 20000. The test also checks
 * the premise of the proof (each polynomial lanczos value within 2^-44 of
 * libm's), counts how often the fallback runs, and checks the fallback itself.
 * Sanitizer builds sweep sizes up to 1024 (and 512), emulated (qemu) ones up
 * to 512 (and 256), with fewer random pairs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/ih_kernels.h"
#include "hash/imagehash.h"
#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HM_TEST_SLOW_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(HM_TEST_EMULATED)
#define HM_TEST_SLOW_BUILD 1
#endif

#if defined(HM_TEST_EMULATED)
#define SWEEP_MAX 512u
#define RANDOM_PAIRS 30
#elif defined(HM_TEST_SLOW_BUILD)
#define SWEEP_MAX 1024u
#define RANDOM_PAIRS 60
#else
#define SWEEP_MAX 4096u
#define RANDOM_PAIRS 600
#endif
#define RANDOM_MAX 20000u
#define PILLOW_PI 3.14159265358979323846 /* M_PI */

/* ---- Pillow 9.4, libImaging/Resample.c, transcribed ---- */

static double sinc_filter(double x)
{
    if (x == 0.0) return 1.0;
    x = x * PILLOW_PI;
    return sin(x) / x;
}

static double lanczos_filter(double x)
{
    if (-3.0 <= x && x < 3.0) return sinc_filter(x) * sinc_filter(x / 3);
    return 0.0;
}

typedef struct window {
    int32_t xmin;
    uint32_t n;
    double center, ss;
} window;

static window pillow_window(uint32_t in, uint32_t out, uint32_t xx)
{
    double scale = (double)in / out, filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 3.0 * filterscale, center = (xx + 0.5) * scale;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    if (xmin < 0) xmin = 0;
    if (xmax > (int)in) xmax = (int)in;
    window w = {xmin, xmax > xmin ? (uint32_t)(xmax - xmin) : 0, center, 1.0 / filterscale};
    return w;
}

/* L: the unnormalised filter values; k: the 22-bit weights. */
static void pillow_weights(const window *w, double *L, int32_t *k)
{
    double ww = 0.0;
    for (uint32_t x = 0; x < w->n; x++) {
        L[x] = lanczos_filter(((int)x + w->xmin - w->center + 0.5) * w->ss);
        ww += L[x];
    }
    for (uint32_t x = 0; x < w->n; x++) {
        double v = ww != 0.0 ? L[x] / ww : L[x];
        k[x] = (int32_t)(v < 0 ? -0.5 + v * (1 << 22) : 0.5 + v * (1 << 22));
    }
}

/* ---- the sweep ---- */

typedef struct tier_stats {
    uint64_t fast, fallback, wrong; /* outputs */
    double max_dev;                 /* max |polynomial lanczos - Pillow's| */
} tier_stats;

typedef struct sweep {
    uint64_t pairs, outputs, taps;
    tier_stats t[HM__IH_TIER_COUNT];
    double *lp, *l;
    int32_t *kp, *k;
    uint32_t cap;
} sweep;

static void sweep_init(sweep *s, uint32_t max_size)
{
    memset(s, 0, sizeof *s);
    /* a window never exceeds the input size; the kernels store whole vectors */
    s->cap = max_size + 16;
    s->lp = calloc(s->cap, sizeof(double));
    s->l = calloc(s->cap, sizeof(double));
    s->kp = calloc(s->cap, sizeof(int32_t));
    s->k = calloc(s->cap, sizeof(int32_t));
    if (!s->lp || !s->l || !s->kp || !s->k) abort();
}

static void sweep_free(sweep *s)
{
    free(s->lp);
    free(s->l);
    free(s->kp);
    free(s->k);
}

/* The fallback through the resizer's own entry point: the same window, and
 * Pillow's weights. */
static int fallback_ok(const hm__ih_kernels *kern, uint32_t in, uint32_t out, uint32_t xx,
                       const window *w, sweep *s)
{
    int32_t xmin;
    int exact;
    uint32_t n = hm__rs_output_weights(kern, in, out, xx, s->l, s->k, &xmin, &exact);
    return exact && n == w->n && xmin == w->xmin && !memcmp(s->k, s->kp, n * sizeof(int32_t));
}

static void check_output(sweep *s, uint32_t in, uint32_t out, uint32_t xx)
{
    window w = pillow_window(in, out, xx);
    CU_ASSERT_FATAL(w.n + 8 <= s->cap);
    pillow_weights(&w, s->lp, s->kp);
    s->outputs++;
    s->taps += w.n;
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        const hm__ih_kernels *kern = hm__ih_kernels_for((hm__ih_tier)i);
        if (!kern) continue;
        tier_stats *t = &s->t[i];
        int fast = kern->weights(w.xmin, w.n, w.center, w.ss, s->l, s->k);
        for (uint32_t j = 0; j < w.n; j++) {
            double d = fabs(s->l[j] - s->lp[j]);
            t->max_dev = d > t->max_dev ? d : t->max_dev;
        }
        if (fast) {
            t->fast++;
            t->wrong += memcmp(s->k, s->kp, w.n * sizeof(int32_t)) != 0;
        } else {
            t->fallback++;
            t->wrong += !fallback_ok(kern, in, out, xx, &w, s);
        }
    }
}

static void check_pair(sweep *s, uint32_t in, uint32_t out)
{
    s->pairs++;
    for (uint32_t xx = 0; xx < out; xx++) check_output(s, in, out, xx);
}

/* The verdict: no wrong weight, the premise of the proof, and the fast path
 * taken for nearly every output. */
static void sweep_report(const sweep *s, const char *what)
{
    printf("\n  %s: %llu axes, %llu outputs, %llu taps\n", what, (unsigned long long)s->pairs,
           (unsigned long long)s->outputs, (unsigned long long)s->taps);
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        const tier_stats *t = &s->t[i];
        if (!hm__ih_kernels_for((hm__ih_tier)i)) continue;
        printf("    %-7s fast %llu, Pillow's arithmetic %llu (%.4f%%), wrong %llu, "
               "max |lanczos - libm's| %.1f * 2^-53\n",
               hm__ih_tier_name((hm__ih_tier)i), (unsigned long long)t->fast,
               (unsigned long long)t->fallback, 100.0 * (double)t->fallback / (double)s->outputs,
               (unsigned long long)t->wrong, t->max_dev * 0x1p53);
        CU_ASSERT_EQUAL(t->wrong, 0);
        CU_ASSERT(t->max_dev <= HM__RS_ETA / 16);
        CU_ASSERT_EQUAL(t->fast + t->fallback, s->outputs);
        CU_ASSERT(t->fallback * 200 < s->outputs); /* under 0.5 % */
    }
}

static void test_sweep_fixed_outputs(void)
{
    sweep s;
    sweep_init(&s, SWEEP_MAX);
    static const uint32_t OUT[3] = {8, 9, 32};
    for (uint32_t in = 1; in <= SWEEP_MAX; in++)
        for (int o = 0; o < 3; o++) check_pair(&s, in, OUT[o]);
    sweep_report(&s, "sizes 1..max -> 8, 9, 32");
    sweep_free(&s);
}

/* wHash sides: every size to its own side, the largest power of two not
 * above it (8 at least: the shorter axis of an image), and, for sizes up to
 * half the maximum, to every power of two from 8 up (a longer axis). */
static void test_sweep_whash_sides(void)
{
    sweep s;
    sweep_init(&s, SWEEP_MAX);
    for (uint32_t in = 1; in <= SWEEP_MAX; in++) {
        uint32_t own = 8;
        while (own * 2 <= in) own *= 2;
        for (uint32_t side = 8; side < own && in <= SWEEP_MAX / 2; side *= 2) check_pair(&s, in, side);
        check_pair(&s, in, own);
    }
    sweep_report(&s, "sizes 1..max -> their wHash side, 1..max/2 -> every power of two");
    sweep_free(&s);
}

/* Random pairs up to 20000 each way, half of the sizes log-uniform so that
 * strong down- and upscaling both occur. */
static void test_sweep_random_pairs(void)
{
    sweep s;
    sweep_init(&s, RANDOM_MAX);
    tu_rng r;
    tu_rng_seed(&r, 20240917);
    for (int p = 0; p < RANDOM_PAIRS; p++) {
        uint32_t v[2];
        for (int i = 0; i < 2; i++)
            v[i] = tu_rng_next(&r) & 1 ? 1 + tu_rng_below(&r, RANDOM_MAX)
                                       : (uint32_t)exp2((double)tu_rng_below(&r, 1 << 20) /
                                                        (1 << 20) * log2((double)RANDOM_MAX));
        check_pair(&s, v[0], v[1]);
    }
    sweep_report(&s, "random pairs up to 20000");
    sweep_free(&s);
}

/* ---- the pieces of the proof ---- */

/* The polynomial lanczos at points where it is known exactly, and its
 * distance to libm's on a fine grid of [-3, 3). */
static void test_lanczos_poly(void)
{
    double L[8];
    int32_t k[8];
    /* one tap at x = 0: lanczos 1 exactly, weight 2^22 */
    CU_ASSERT_EQUAL(hm__rs_weights_scalar(0, 1, 0.5, 1.0, L, k), 1);
    CU_ASSERT_EQUAL(L[0], 1.0);
    CU_ASSERT_EQUAL(k[0], 1 << 22);
    /* taps at x = -3 .. 3: zero at every nonzero integer, 0 at x = 3 (outside) */
    CU_ASSERT_EQUAL(hm__rs_weights_scalar(0, 7, 3.5, 1.0, L, k), 1);
    for (int j = 0; j < 7; j++) {
        CU_ASSERT(fabs(L[j] - (j == 3 ? 1.0 : 0.0)) < 1e-15);
        CU_ASSERT_EQUAL(k[j], j == 3 ? 1 << 22 : 0);
    }
    double worst = 0.0;
    for (int i = -300000; i < 300000; i++) {
        double x = i / 100000.0;
        /* one tap at x: center = 0.5 - x, ss = 1 */
        hm__rs_weights_scalar(0, 1, 0.5 - x, 1.0, L, k);
        double xs = (0.0 - (0.5 - x) + 0.5) * 1.0;
        double d = fabs(L[0] - lanczos_filter(xs));
        worst = d > worst ? d : worst;
    }
    CU_ASSERT(worst <= HM__RS_ETA / 16);
}

/* The margin: its value for two windows worked by hand from the formula of
 * docs/IMAGEHASH.md; negative (no proof attempted) for small or cancelling
 * sums. */
static void test_margin(void)
{
    double inv;
    /* 7 taps, sum 1, magnitudes 1.2: g = 7.07u, a = 1.2 + 7 eta, delta = 7 eta
     * + 2.4 g ~ 6.37e-12, margin = 2 * 2^22 * (eta + 2 delta + 6.02u) + 2^-24
     * = 1.1454e-4 */
    double m = hm__rs_weights_margin(7, 1.0, 1.2, &inv);
    CU_ASSERT_EQUAL(inv, 1.0);
    CU_ASSERT(fabs(m - 1.1454e-4) < 1e-8);
    /* 3000 taps, sum 500, magnitudes 600 (a strong downscale): delta = 3000 eta
     * + 1200 g ~ 3.13e-9, margin = 2 * 2^22 / 500 * (eta + 2 delta / 500 +
     * 6.02u) + 2^-24 = 2.8507e-7 */
    m = hm__rs_weights_margin(3000, 500.0, 600.0, &inv);
    CU_ASSERT(fabs(m - 2.8507e-7) < 1e-10);
    CU_ASSERT(hm__rs_weights_margin(5, 0.2, 0.3, &inv) < 0.0);
    CU_ASSERT(hm__rs_weights_margin(5, 0.0, 0.3, &inv) < 0.0);
    CU_ASSERT(hm__rs_weights_margin(5, -1.0, 1.0, &inv) < 0.0);
    /* a sum that cancels: delta > sum / 2 */
    CU_ASSERT(hm__rs_weights_margin(1000000, 0.3, 1e9, &inv) < 0.0);
}

/* Near a rounding boundary the fast path must give up: the output whose
 * weight lies closest to a half-integer (in units of the margin) among many
 * small axes, where no tier may claim a proof, and the resizer's entry point
 * gives Pillow's weights through the fallback. */
static void test_near_boundary(void)
{
    double *lp = calloc(512, sizeof(double)), *l = calloc(512, sizeof(double));
    int32_t *kp = calloc(512, sizeof(int32_t)), *k = calloc(512, sizeof(int32_t));
    CU_ASSERT_FATAL(lp && l && kp && k);
    double best = 1.0, best_margin = 0.0, inv;
    uint32_t bin = 0, bout = 0, bxx = 0;
    for (uint32_t in = 9; in <= 400; in++) {
        for (uint32_t out = 8; out <= 40; out++) {
            for (uint32_t xx = 0; xx < out; xx++) {
                window w = pillow_window(in, out, xx);
                pillow_weights(&w, lp, kp);
                double ww = 0.0, aw = 0.0;
                for (uint32_t j = 0; j < w.n; j++) {
                    ww += lp[j];
                    aw += fabs(lp[j]);
                }
                double m = hm__rs_weights_margin(w.n, ww, aw, &inv);
                for (uint32_t j = 0; j < w.n && m > 0; j++) {
                    double v = lp[j] / ww * 0x1p22, f = fabs(v - floor(v) - 0.5);
                    if (f / m < best) {
                        best = f / m;
                        best_margin = m;
                        bin = in, bout = out, bxx = xx;
                    }
                }
            }
        }
    }
    printf("\n  closest weight to a rounding boundary: %u -> %u, output %u, %.3g margins from it"
           " (margin %.3g)\n", bin, bout, bxx, best, best_margin);
    CU_ASSERT(best < 0.5);
    window w = pillow_window(bin, bout, bxx);
    pillow_weights(&w, lp, kp);
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        const hm__ih_kernels *kern = hm__ih_kernels_for((hm__ih_tier)i);
        if (!kern) continue;
        CU_ASSERT_EQUAL(kern->weights(w.xmin, w.n, w.center, w.ss, l, k), 0);
        int32_t xmin;
        int exact;
        uint32_t n = hm__rs_output_weights(kern, bin, bout, bxx, l, k, &xmin, &exact);
        CU_ASSERT_EQUAL(exact, 1);
        CU_ASSERT_EQUAL(n, w.n);
        CU_ASSERT_EQUAL(xmin, w.xmin);
        CU_ASSERT_EQUAL(memcmp(k, kp, n * sizeof(int32_t)), 0);
    }
    free(lp);
    free(l);
    free(kp);
    free(k);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test pieces[] = {{"polynomial lanczos", test_lanczos_poly},
                                     {"margin", test_margin},
                                     {"weight near a rounding boundary", test_near_boundary},
                                     {NULL, NULL}};
    static const tu_test sweeps[] = {{"sizes -> 8, 9, 32", test_sweep_fixed_outputs},
                                     {"sizes -> wHash sides", test_sweep_whash_sides},
                                     {"random pairs", test_sweep_random_pairs},
                                     {NULL, NULL}};
    tu_add_suite("weights", pieces);
    tu_add_suite("weights_sweep", sweeps);
    return tu_run("test_pil_weights");
}
