/* ih_dispatch.c - which imagehash kernel tables this CPU runs. The features
 * come from the library's one CPU probe (hm__cpu_features, cached atomically). */
#include "../match/match.h"
#include "ih_kernels.h"

const hm__ih_kernels *hm__ih_kernels_for(hm__ih_tier tier)
{
    unsigned f = hm__cpu_features();
    switch (tier) {
    case HM__IH_SCALAR: return &hm__ih_kernels_scalar;
#if defined(HM_IH_X86)
    case HM__IH_SSE2: return &hm__ih_kernels_sse2; /* x86-64 baseline */
    case HM__IH_AVX2: return (f & HM__CPU_AVX2) ? &hm__ih_kernels_avx2 : NULL;
    case HM__IH_AVX512:
        return (f & HM__CPU_AVX512BW) && (f & HM__CPU_AVX512VNNI) ? &hm__ih_kernels_avx512 : NULL;
#endif
#if defined(HM_IH_NEON)
    case HM__IH_NEON: return (f & HM__CPU_NEON) ? &hm__ih_kernels_neon : NULL;
#endif
    default: (void)f; return NULL;
    }
}

const hm__ih_kernels *hm__ih_kernels_best(void)
{
    static const hm__ih_tier ORDER[] = {HM__IH_AVX512, HM__IH_AVX2, HM__IH_SSE2, HM__IH_NEON};
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++) {
        const hm__ih_kernels *k = hm__ih_kernels_for(ORDER[i]);
        if (k) return k;
    }
    return &hm__ih_kernels_scalar;
}

const char *hm__ih_tier_name(hm__ih_tier tier)
{
    static const char *const NAMES[HM__IH_TIER_COUNT] = {"scalar", "sse2", "avx2", "avx512",
                                                         "neon"};
    return (unsigned)tier < HM__IH_TIER_COUNT ? NAMES[tier] : NULL;
}
