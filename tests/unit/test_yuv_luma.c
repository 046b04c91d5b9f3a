/* test_yuv_luma.c - the SIMD kernels of the portable conversion to PDQ's luma
 * against the scalar table kernel (the reference, itself checked against
 * FFmpeg's C converter in test_video_convert), on every tier this machine
 * runs, in the same run:
 *   - every (Y, U, V) of both ranges, all 2 x 2^24 combinations, bit for bit;
 *   - random frames of widths 1..70 and around 1280 (odd widths, widths that
 *     are no multiple of any vector width, the 5-pixel minimum), 4:2:0 and
 *     4:2:2, both ranges, strides wider than the rows;
 *   - the table's closed form (yuv_luma.h) entry by entry.
 * Needs no FFmpeg: the converter is built in every configuration. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "video/yuv_luma.h"

static const char *const TIER_NAMES[HM__IH_TIER_COUNT] = {"scalar", "sse2", "avx2", "avx512",
                                                          "neon"};

static int simd_tiers(void)
{
    int n = 0;
    for (int i = 1; i < HM__IH_TIER_COUNT; i++) n += hm__yuv_luma_kernel((hm__ih_tier)i) != NULL;
    return n;
}

/* The closed form of yuv_luma.h equals the tables it replaces. */
static void test_closed_form(void)
{
    for (int full = 0; full < 2; full++) {
        hm__yuv2rgb_tables t;
        hm__yuv2rgb_tables_init(&t, full);
        const hm__yuv2rgb_coeffs *k = &t.cf;
        int bad = 0;
        for (int c = 0; c < 256; c++) {
            bad += t.rv[c] != k->orv + ((c * k->crv) >> 16);
            bad += t.gu[c] != k->ogu + ((c * k->cgu) >> 16);
            bad += t.gv[c] != k->ogv + ((c * k->cgv) >> 16);
            bad += t.bu[c] != k->obu + ((c * k->cbu) >> 16);
        }
        for (int i = 0; i < 2048; i++) {
            int64_t v = ((int64_t)i * k->cy + k->bias) >> 16;
            bad += t.y[i] != (v < 0 ? 0 : v > 255 ? 255 : v);
        }
        CU_ASSERT_EQUAL(bad, 0);
    }
}

/* Every (Y, U, V): a row pair of 512 pixels holds every U once per chroma
 * sample (4 pixels each); 64 pairs per V give each (U, V) all 256 lumas. */
static void test_every_yuv(void)
{
    enum { W = 512 };
    static uint8_t y1[W], y2[W], u[W / 2], v[W / 2];
    static float want1[W], want2[W], got1[W], got2[W];
    size_t checked = 0, bad = 0;
    for (int full = 0; full < 2; full++) {
        hm__yuv2rgb_tables t;
        hm__yuv2rgb_tables_init(&t, full);
        for (int j = 0; j < W / 2; j++) u[j] = (uint8_t)j;
        for (int V = 0; V < 256; V++) {
            memset(v, V, sizeof v);
            for (int q = 0; q < 64; q++) {
                for (int j = 0; j < W / 2; j++) {
                    y1[2 * j] = (uint8_t)(4 * q + j), y1[2 * j + 1] = (uint8_t)(4 * q + 1 + j);
                    y2[2 * j] = (uint8_t)(4 * q + 2 + j), y2[2 * j + 1] = (uint8_t)(4 * q + 3 + j);
                }
                hm__yuv_luma_pair_scalar(&t, y1, y2, u, v, W, want1, want2);
                for (int i = 1; i < HM__IH_TIER_COUNT; i++) {
                    hm__yuv_luma_pair_fn k = hm__yuv_luma_kernel((hm__ih_tier)i);
                    if (!k) continue;
                    k(&t, y1, y2, u, v, W, got1, got2);
                    bad += memcmp(got1, want1, sizeof got1) != 0;
                    bad += memcmp(got2, want2, sizeof got2) != 0;
                    checked += 2 * W;
                }
            }
        }
    }
    printf("\n  %zu (Y, U, V) conversions on %d SIMD tiers, %zu differing rows ", checked,
           simd_tiers(), bad);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(checked, (size_t)simd_tiers() * 2 * 256 * 256 * 256);
}

/* Random frames: every tier's rows equal the scalar kernel's. */
static void check_frame(tu_rng *r, const hm__yuv2rgb_tables *t, uint32_t w, uint32_t h,
                        int is422, size_t *frames, size_t *bad)
{
    size_t ys = w + tu_rng_below(r, 40), cs = (w + 1) / 2 + tu_rng_below(r, 40);
    uint32_t ch = is422 ? h : h / 2;
    uint8_t *Y = malloc(ys * h), *U = malloc(cs * ch), *V = malloc(cs * ch);
    float *want = malloc(sizeof(float) * w * h), *got = malloc(sizeof(float) * w * h);
    if (!Y || !U || !V || !want || !got) abort();
    for (size_t i = 0; i < ys * h; i++) Y[i] = (uint8_t)tu_rng_next(r);
    for (size_t i = 0; i < cs * ch; i++) U[i] = (uint8_t)tu_rng_next(r), V[i] = (uint8_t)tu_rng_next(r);
    hm__yuv_planes p = {Y, U, V, (ptrdiff_t)ys, (ptrdiff_t)cs, (ptrdiff_t)cs, w, h, is422};
    hm__yuv2luma_rows_with(hm__yuv_luma_pair_scalar, t, &p, 0, h, want);
    for (int i = 1; i < HM__IH_TIER_COUNT; i++) {
        hm__yuv_luma_pair_fn k = hm__yuv_luma_kernel((hm__ih_tier)i);
        if (!k) continue;
        memset(got, 0xff, sizeof(float) * w * h);
        hm__yuv2luma_rows_with(k, t, &p, 0, h, got);
        if (memcmp(got, want, sizeof(float) * w * h)) {
            fprintf(stderr, "%ux%u %s: tier %s differs from the scalar kernel\n", w, h,
                    is422 ? "4:2:2" : "4:2:0", TIER_NAMES[i]);
            ++*bad;
        }
        ++*frames;
    }
    /* the default entry point runs the widest tier */
    memset(got, 0xff, sizeof(float) * w * h);
    hm__yuv2luma_rows(t, &p, 0, h, got);
    *bad += memcmp(got, want, sizeof(float) * w * h) != 0;
    free(Y), free(U), free(V), free(want), free(got);
}

static void test_random_frames(void)
{
    tu_rng r;
    tu_rng_seed(&r, 20261207);
    hm__yuv2rgb_tables t[2];
    hm__yuv2rgb_tables_init(&t[0], 0);
    hm__yuv2rgb_tables_init(&t[1], 1);
    static const uint32_t BIG[] = {127, 128, 129, 1279, 1280, 1281};
    size_t frames = 0, bad = 0;
    for (int is422 = 0; is422 < 2; is422++)
        for (int full = 0; full < 2; full++) {
            for (uint32_t w = 1; w <= 70; w++) check_frame(&r, &t[full], w, 2 + 2 * (w % 3), is422, &frames, &bad);
            for (size_t i = 0; i < sizeof BIG / sizeof BIG[0]; i++)
                check_frame(&r, &t[full], BIG[i], 6, is422, &frames, &bad);
        }
    printf("\n  %zu frames x tiers, %zu differences ", frames, bad);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(frames, (size_t)simd_tiers() * 2 * 2 * 76);
}

/* On x86-64 the wide tiers run only when the CPU has them (then the widest
 * is the default; SSE2 has no kernel); on AArch64 NEON always runs. */
static void test_dispatch(void)
{
    printf("\n  SIMD tiers:");
    for (int i = 1; i < HM__IH_TIER_COUNT; i++)
        if (hm__yuv_luma_kernel((hm__ih_tier)i)) printf(" %s", TIER_NAMES[i]);
    printf(" ");
    CU_ASSERT_PTR_NOT_NULL(hm__yuv_luma_kernel(HM__IH_SCALAR));
#if defined(__x86_64__)
    CU_ASSERT_PTR_NULL(hm__yuv_luma_kernel(HM__IH_SSE2));
    CU_ASSERT_PTR_NULL(hm__yuv_luma_kernel(HM__IH_NEON));
    hm__ih_tier widest = hm__yuv_luma_kernel(HM__IH_AVX512) ? HM__IH_AVX512
                         : hm__yuv_luma_kernel(HM__IH_AVX2) ? HM__IH_AVX2 : HM__IH_SCALAR;
    CU_ASSERT(hm__yuv_luma_best() == hm__yuv_luma_kernel(widest));
    CU_ASSERT_EQUAL(!!hm__yuv_luma_kernel(HM__IH_AVX2), !!hm__ih_kernels_for(HM__IH_AVX2));
#elif defined(__aarch64__)
    CU_ASSERT_PTR_NOT_NULL(hm__yuv_luma_kernel(HM__IH_NEON));
    CU_ASSERT_PTR_NULL(hm__yuv_luma_kernel(HM__IH_AVX2));
#endif
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {{"closed form == tables", test_closed_form},
                                    {"dispatch", test_dispatch},
                                    {"every (Y, U, V), every tier", test_every_yuv},
                                    {"random frames, every tier", test_random_frames},
                                    {NULL, NULL}};
    tu_add_suite("yuv -> luma kernels", tests);
    return tu_run("test_yuv_luma");
}
