/* yuv_luma_avx2.c - the conversion to PDQ's luma in 8 int32 lanes (compiled
 * with -mavx2 only; run only when hm__cpu_features() reports AVX2). */
#include <immintrin.h>

#define YL_N 8
#define YL_NAME hm__yuv_luma_pair_avx2
#define YL_CLAMP(v)                                                                            \
    ((yl_vi)_mm256_min_epi32(_mm256_max_epi32((__m256i)(v), _mm256_setzero_si256()),          \
                             _mm256_set1_epi32(255)))
#include "yuv_luma_simd_inl.h"
