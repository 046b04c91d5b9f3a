/* dispatch.c - CPU feature probe (once, cached atomically) and the choice of
 * kernel tables. The only mutable global state of the library is the cache
 * below: racing first calls compute the same value and store it twice, which
 * is harmless, and every later call is one atomic load. */
#include <stdatomic.h>

#include "match.h"

#if defined(HM_MATCH_X86)
#include <cpuid.h>
#endif

#define CPU_PROBED (1u << 31) /* distinguishes "probed, no features" from "not yet" */

static _Atomic unsigned cpu_cache;

#if defined(HM_MATCH_X86)
/* XCR0: which register states the OS saves on a context switch. The
 * instruction is spelled as bytes so that this file needs no -mxsave. */
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static unsigned probe(void)
{
    unsigned a, b, c, d, f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (c & (1u << 23)) f |= HM__CPU_POPCNT;
    int osxsave = (c & (1u << 27)) != 0, avx = (c & (1u << 28)) != 0;
    if (!osxsave || !avx || __get_cpuid_max(0, NULL) < 7) return f;
    uint64_t xcr0 = read_xcr0();
    int ymm_saved = (xcr0 & 0x6) == 0x6;          /* SSE and AVX state */
    int zmm_saved = ymm_saved && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b & (1u << 5)) != 0;
    int avx512 = (b & (1u << 16)) && (b & (1u << 30)) && (b & (1u << 31)) && (c & (1u << 14));
    if (ymm_saved && avx2 && (f & HM__CPU_POPCNT)) f |= HM__CPU_AVX2;
    if (zmm_saved && avx512 && (f & HM__CPU_AVX2)) f |= HM__CPU_AVX512;
    int avx512bw = (b & (1u << 16)) && (b & (1u << 30)) && (b & (1u << 31));
    if (zmm_saved && avx512bw && (f & HM__CPU_AVX2)) f |= HM__CPU_AVX512BW;
    if ((f & HM__CPU_AVX512BW) && (c & (1u << 11))) f |= HM__CPU_AVX512VNNI;
    return f;
}
#elif defined(HM_MATCH_NEON)
static unsigned probe(void) { return HM__CPU_NEON; } /* baseline on AArch64 */
#else
static unsigned probe(void) { return 0; }
#endif

unsigned hm__cpu_features(void)
{
    unsigned f = atomic_load_explicit(&cpu_cache, memory_order_relaxed);
    if (!f) {
        f = probe() | CPU_PROBED;
        atomic_store_explicit(&cpu_cache, f, memory_order_relaxed);
    }
    return f & ~CPU_PROBED;
}

const hm__kernels *hm__kernels_for_tier(hm_match_tier tier)
{
    unsigned f = hm__cpu_features();
    switch (tier) {
    case HM_MATCH_TIER_SCALAR: return &hm__kernels_scalar;
#if defined(HM_MATCH_X86)
    case HM_MATCH_TIER_AVX2: return (f & HM__CPU_AVX2) ? &hm__kernels_avx2 : NULL;
    case HM_MATCH_TIER_AVX512: return (f & HM__CPU_AVX512) ? &hm__kernels_avx512 : NULL;
#endif
#if defined(HM_MATCH_NEON)
    case HM_MATCH_TIER_NEON: return (f & HM__CPU_NEON) ? &hm__kernels_neon : NULL;
#endif
    default: (void)f; return NULL;
    }
}

const hm__kernels *hm__kernels_best(void)
{
    static const hm_match_tier ORDER[] = {HM_MATCH_TIER_AVX512, HM_MATCH_TIER_AVX2,
                                          HM_MATCH_TIER_NEON};
    for (size_t i = 0; i < HM_ARRAY_SIZE(ORDER); i++) {
        const hm__kernels *k = hm__kernels_for_tier(ORDER[i]);
        if (k) return k;
    }
    return &hm__kernels_scalar;
}

const char *hm_match_tier_name(hm_match_tier tier)
{
    switch (tier) {
    case HM_MATCH_TIER_SCALAR: return "scalar";
    case HM_MATCH_TIER_AVX2: return "avx2";
    case HM_MATCH_TIER_AVX512: return "avx512";
    case HM_MATCH_TIER_NEON: return "neon";
    }
    return NULL;
}

int hm_match_tier_available(hm_match_tier tier) { return hm__kernels_for_tier(tier) != NULL; }

hm_match_tier hm_match_best_tier(void) { return hm__kernels_best()->tier; }

const char *hm_cpu_features(void)
{
    /* Indexed by the feature bits, so that the string is static and constant. */
    static const char *const NAMES[] = {
        "none",           "popcnt", "avx2", "avx2 popcnt", "avx512-vpopcntdq",
        "avx512-vpopcntdq popcnt", "avx512-vpopcntdq avx2", "avx512-vpopcntdq avx2 popcnt"};
    unsigned f = hm__cpu_features();
    if (f & HM__CPU_NEON) return "neon";
    return NAMES[f & 7u];
}
