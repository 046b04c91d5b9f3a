/* test_match_kernels.c - CPU dispatch, and every SIMD tier this machine runs
 * against the slow reference (hm_hamming) on the same fixed-seed data:
 * radius scans for 1..8 queries, all sizes and tails, unaligned starts,
 * distance == radius matches and radius + 1 does not, hit-buffer refills,
 * gathered distances. */
#include <stdio.h>
#include <string.h>

#include "match_testdata.h"

static const size_t SIZES[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257,
                               1203 /* past the scans' prefetch distance */};

/* Every tier table this machine runs, scalar first. */
static size_t tiers(const hm__kernels *out[HM_MATCH_TIER_COUNT])
{
    size_t n = 0;
    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++) {
        const hm__kernels *k = hm__kernels_for_tier((hm_match_tier)t);
        if (k) out[n++] = k;
    }
    return n;
}

static void test_dispatch(void)
{
    CU_ASSERT_STRING_EQUAL(hm_match_tier_name(HM_MATCH_TIER_SCALAR), "scalar");
    CU_ASSERT_STRING_EQUAL(hm_match_tier_name(HM_MATCH_TIER_AVX2), "avx2");
    CU_ASSERT_STRING_EQUAL(hm_match_tier_name(HM_MATCH_TIER_AVX512), "avx512");
    CU_ASSERT_STRING_EQUAL(hm_match_tier_name(HM_MATCH_TIER_NEON), "neon");
    CU_ASSERT_PTR_NULL(hm_match_tier_name((hm_match_tier)HM_MATCH_TIER_COUNT));
    CU_ASSERT_PTR_NULL(hm__kernels_for_tier((hm_match_tier)99));
    CU_ASSERT(hm_match_tier_available(HM_MATCH_TIER_SCALAR));
    CU_ASSERT(hm_match_tier_available(hm_match_best_tier()));
    const hm__kernels *k = hm__kernels_best();
    CU_ASSERT_EQUAL(k->tier, hm_match_best_tier());
    /* The best tier is the widest available one. */
    for (int t = 0; t < HM_MATCH_TIER_COUNT; t++)
        if (hm_match_tier_available((hm_match_tier)t) && t != HM_MATCH_TIER_SCALAR)
            CU_ASSERT(k->tier != HM_MATCH_TIER_SCALAR);
    if (hm_match_tier_available(HM_MATCH_TIER_AVX512)) {
        CU_ASSERT_EQUAL(k->tier, HM_MATCH_TIER_AVX512);
        CU_ASSERT(hm_match_tier_available(HM_MATCH_TIER_AVX2));
    }
    /* Probing twice gives the same cached answer. */
    CU_ASSERT_EQUAL(hm__cpu_features(), hm__cpu_features());
    const char *f = hm_cpu_features();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(strstr(f, "avx512-vpopcntdq") != NULL,
                    hm_match_tier_available(HM_MATCH_TIER_AVX512));
    CU_ASSERT_EQUAL(strstr(f, "avx2") != NULL, hm_match_tier_available(HM_MATCH_TIER_AVX2));
    CU_ASSERT_EQUAL(strcmp(f, "neon") == 0, hm_match_tier_available(HM_MATCH_TIER_NEON));
    printf("\n    cpu features: %s; best tier %s\n", f, hm_match_tier_name(k->tier));
}

/* On x86-64 Linux, the kernel's own view of the CPU (/proc/cpuinfo flags) is
 * an independent check of the CPUID probe. */
static void test_dispatch_cpuinfo(void)
{
#if defined(__x86_64__) && defined(__linux__)
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (!fp) return;
    char line[8192];
    int have_avx2 = 0, have_popcnt = 0, have_vpop = 0, have_f = 0, have_bw = 0, have_vl = 0;
    while (fgets(line, sizeof line, fp))
        if (!strncmp(line, "flags", 5)) {
            have_avx2 = strstr(line, " avx2") != NULL;
            have_popcnt = strstr(line, " popcnt") != NULL;
            have_vpop = strstr(line, " avx512_vpopcntdq") != NULL;
            have_f = strstr(line, " avx512f") != NULL;
            have_bw = strstr(line, " avx512bw") != NULL;
            have_vl = strstr(line, " avx512vl") != NULL;
            break;
        }
    fclose(fp);
    CU_ASSERT_EQUAL(hm_match_tier_available(HM_MATCH_TIER_AVX2), have_avx2 && have_popcnt);
    CU_ASSERT_EQUAL(hm_match_tier_available(HM_MATCH_TIER_AVX512),
                    have_avx2 && have_popcnt && have_vpop && have_f && have_bw && have_vl);
    CU_ASSERT(!hm_match_tier_available(HM_MATCH_TIER_NEON));
#elif defined(__aarch64__)
    CU_ASSERT(hm_match_tier_available(HM_MATCH_TIER_NEON));
    CU_ASSERT(!hm_match_tier_available(HM_MATCH_TIER_AVX2));
    CU_ASSERT(!hm_match_tier_available(HM_MATCH_TIER_AVX512));
#endif
}

/* Codes of which about half lie at distance radius-2..radius+2 of a query. */
static void planted_codes(tu_rng *r, uint8_t *codes, size_t n, size_t cb, const uint8_t *q,
                          unsigned nq, unsigned radius)
{
    md_random_codes(r, codes, n, cb);
    for (size_t i = 0; i < n; i++) {
        if (tu_rng_below(r, 2)) continue;
        memcpy(codes + cb * i, q + cb * tu_rng_below(r, nq), cb);
        unsigned d = radius + tu_rng_below(r, 5);
        md_flip_bits(r, codes + cb * i, cb, d < 2 ? 0 : d - 2);
    }
}

static void check_scan(const hm__kernels *k, size_t cb, size_t n, size_t offset, unsigned nq,
                       unsigned radius, tu_rng *r)
{
    uint8_t *base, *codes = md_alloc(n * cb, offset, &base);
    uint8_t q[HM__MAX_QUERIES * 32];
    md_random_codes(r, q, nq, cb);
    planted_codes(r, codes, n, cb, q, nq, radius);
    hm__hits want = {0}, got = {0};
    md_ref_scan(codes, n, cb, q, nq, radius, &want);
    CU_ASSERT_EQUAL(hm__scan(k, codes, n, cb, 0, q, nq, radius, &got, NULL), HM_OK);
    if (!md_hits_equal(&want, &got)) {
        fprintf(stderr, "tier %s: %zu-byte codes n=%zu offset=%zu nq=%u r=%u: %zu hits, want %zu\n",
                hm_match_tier_name(k->tier), cb, n, offset, nq, radius, got.count, want.count);
        CU_FAIL("scan differs from the reference");
    }
    hm__hits_free(&want);
    hm__hits_free(&got);
    free(base);
}

static void test_scan_tiers(void)
{
    const hm__kernels *ks[HM_MATCH_TIER_COUNT];
    size_t nk = tiers(ks);
    tu_rng r;
    tu_rng_seed(&r, 20240501);
    static const unsigned RADII256[] = {0, 1, 10, 31, 32, 64, 100};
    static const unsigned RADII64[] = {0, 1, 5, 10, 20};
    for (size_t t = 0; t < nk; t++)
        for (size_t s = 0; s < HM_ARRAY_SIZE(SIZES); s++)
            for (unsigned nq = 1; nq <= HM__MAX_QUERIES; nq++) {
                size_t off = (s + nq) % 8;
                unsigned r256 = RADII256[(s + nq) % HM_ARRAY_SIZE(RADII256)];
                unsigned r64 = RADII64[(s + nq) % HM_ARRAY_SIZE(RADII64)];
                check_scan(ks[t], 32, SIZES[s], off, nq, r256, &r);
                check_scan(ks[t], 8, SIZES[s], off, nq, r64, &r);
            }
    /* Long arrays at every alignment, one and eight queries. */
    for (size_t t = 0; t < nk; t++)
        for (size_t off = 0; off < 8; off++) {
            check_scan(ks[t], 32, 1000 + off, off, 1, 31, &r);
            check_scan(ks[t], 32, 1000 + off, off, 8, 31, &r);
            check_scan(ks[t], 8, 1000 + off, off, 1, 10, &r);
            check_scan(ks[t], 8, 1000 + off, off, 8, 10, &r);
        }
    printf("\n    %zu tiers checked against the reference\n", nk);
}

/* Fixed seed: a code at exactly the radius matches, one bit further does not,
 * for every radius and every tier, alone and as the last of 8 queries (the
 * multi-query passes, which skip a block early when no code is near enough
 * on its first words); the other 7 queries are checked against the slow
 * reference. */
static void test_scan_boundary(void)
{
    const hm__kernels *ks[HM_MATCH_TIER_COUNT];
    size_t nk = tiers(ks);
    tu_rng r;
    tu_rng_seed(&r, 31);
    for (size_t cb = 8; cb <= 32; cb += 24)
        for (unsigned radius = 0; radius < 8 * cb; radius++) {
            uint8_t qs[8 * 32], codes[40 * 32], *q = qs + 7 * cb;
            md_random_codes(&r, qs, 8, cb);
            /* codes 2m: at distance radius; 2m+1: at radius + 1 (40 codes: tails too). */
            for (int m = 0; m < 20; m++) {
                memcpy(codes + cb * 2 * m, q, cb);
                md_flip_bits(&r, codes + cb * 2 * m, cb, radius);
                memcpy(codes + cb * (2 * m + 1), q, cb);
                md_flip_bits(&r, codes + cb * (2 * m + 1), cb, radius + 1);
            }
            for (size_t t = 0; t < nk; t++) {
                hm__hits got = {0};
                CU_ASSERT_EQUAL(hm__scan(ks[t], codes, 40, cb, 0, q, 1, radius, &got, NULL), HM_OK);
                CU_ASSERT_EQUAL(got.count, 20);
                for (size_t h = 0; h < got.count; h++) {
                    CU_ASSERT_EQUAL(got.items[h].entry, 2 * h);
                    CU_ASSERT_EQUAL(got.items[h].distance, radius);
                }
                hm__hits_free(&got);
                hm__hits want = {0};
                md_ref_scan(codes, 40, cb, qs, 8, radius, &want);
                CU_ASSERT_EQUAL(hm__scan(ks[t], codes, 40, cb, 0, qs, 8, radius, &got, NULL), HM_OK);
                CU_ASSERT(md_hits_equal(&want, &got));
                size_t last = 0;
                for (size_t h = 0; h < got.count; h++)
                    if (got.items[h].query == 7) {
                        CU_ASSERT_EQUAL(got.items[h].entry % 2, 0);
                        CU_ASSERT_EQUAL(got.items[h].distance, radius);
                        last++;
                    }
                CU_ASSERT_EQUAL(last, 20);
                hm__hits_free(&want);
                hm__hits_free(&got);
            }
        }
}

/* Kernels stop when the hit buffer is short and resume where they stopped. */
static void test_scan_room(void)
{
    const hm__kernels *ks[HM_MATCH_TIER_COUNT];
    size_t nk = tiers(ks);
    tu_rng r;
    tu_rng_seed(&r, 77);
    enum { N = 700 };
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(N * cb), q[8 * 32];
        md_random_codes(&r, q, 8, cb);
        md_random_codes(&r, codes, N, cb);
        unsigned radius = (unsigned)(8 * cb); /* every pair is a hit */
        for (size_t t = 0; t < nk; t++)
            for (unsigned nq = 1; nq <= 8; nq += 7) {
                hm__scan_fn fn = cb == 32 ? ks[t]->scan256 : ks[t]->scan64;
                size_t cap = HM__SCAN_ROOM(nq), total = 0, done = 0, calls = 0;
                hm__hit *buf = malloc(cap * sizeof *buf);
                int ok = 1;
                while (done < N) {
                    size_t count = 0;
                    size_t m = fn(codes + cb * done, N - done, q, nq, radius, buf, cap, &count);
                    if (m == 0 || count != m * nq) ok = 0;
                    for (size_t h = 0; h < count && ok; h++)
                        if (buf[h].entry != h / nq || buf[h].query != h % nq ||
                            buf[h].distance != hm_hamming(codes + cb * (done + h / nq), q + cb * (h % nq), cb))
                            ok = 0;
                    if (!ok) break;
                    done += m;
                    total += count;
                    calls++;
                }
                CU_ASSERT(ok);
                CU_ASSERT_EQUAL(total, (size_t)N * nq);
                CU_ASSERT(calls >= N * nq / cap);
                free(buf);
                /* Through the driver, the buffer grows instead. */
                hm__hits got = {0};
                CU_ASSERT_EQUAL(hm__scan(ks[t], codes, N, cb, 1000, q, nq, radius, &got, NULL), HM_OK);
                CU_ASSERT_EQUAL(got.count, (size_t)N * nq);
                CU_ASSERT(got.count && got.items[0].entry == 1000 && got.items[got.count - 1].entry == 1000 + N - 1);
                hm__hits_free(&got);
            }
        free(codes);
    }
}

static void test_scan_arguments(void)
{
    const hm__kernels *k = hm__kernels_best();
    uint8_t codes[64] = {0}, q[32] = {0};
    hm__hits h = {0};
    hm_error e;
    CU_ASSERT_EQUAL(hm__scan(k, codes, 2, 16, 0, q, 1, 3, &h, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__scan(k, codes, 2, 32, 0, q, 0, 3, &h, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__scan(k, codes, 2, 32, 0, q, 9, 3, &h, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__scan(k, NULL, 2, 32, 0, q, 1, 3, &h, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm__scan(k, NULL, 0, 32, 0, q, 1, 3, &h, &e), HM_OK);
    CU_ASSERT_EQUAL(h.count, 0);
    CU_ASSERT_EQUAL(hm__scan(k, codes, 2, 32, 5, q, 1, 0, &h, &e), HM_OK);
    CU_ASSERT_EQUAL(h.count, 2);
    CU_ASSERT_EQUAL(h.items[1].entry, 6);
    hm__hits_free(&h);
}

static void test_gather(void)
{
    const hm__kernels *ks[HM_MATCH_TIER_COUNT];
    size_t nk = tiers(ks);
    tu_rng r;
    tu_rng_seed(&r, 5);
    enum { N = 300 };
    uint8_t *base, *codes = md_alloc(N * 32, 3, &base), q[32];
    md_random_codes(&r, codes, N, 32);
    md_random_codes(&r, q, 1, 32);
    uint32_t ids[N];
    uint16_t out[N];
    for (size_t n = 0; n < 40; n++) {
        for (size_t i = 0; i < n; i++) ids[i] = tu_rng_below(&r, N);
        for (size_t t = 0; t < nk; t++) {
            memset(out, 0xff, sizeof out);
            ks[t]->gather256(codes, ids, n, q, out);
            for (size_t i = 0; i < n; i++)
                CU_ASSERT_EQUAL(out[i], hm_hamming(codes + 32 * ids[i], q, 32));
            CU_ASSERT_EQUAL(out[n], 0xffff); /* nothing written past n */
        }
    }
    free(base);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"dispatch", test_dispatch},
        {"dispatch agrees with /proc/cpuinfo", test_dispatch_cpuinfo},
        {"scan: every tier against the reference", test_scan_tiers},
        {"scan: distance == radius matches, radius + 1 does not", test_scan_boundary},
        {"scan: hit buffer refills", test_scan_room},
        {"scan: arguments", test_scan_arguments},
        {"gathered distances", test_gather},
        {NULL, NULL}};
    tu_add_suite("match kernels", tests);
    return tu_run("test_match_kernels");
}
