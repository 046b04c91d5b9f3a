/* yuv_luma_avx512.c - the conversion to PDQ's luma in 16 int32 lanes
 * (compiled with AVX-512 F/BW/VL only; run only when hm__cpu_features()
 * reports them with the ZMM state saved). */
#include <immintrin.h>

#define YL_N 16
#define YL_NAME hm__yuv_luma_pair_avx512
#define YL_CLAMP(v)                                                                            \
    ((yl_vi)_mm512_min_epi32(_mm512_max_epi32((__m512i)(v), _mm512_setzero_si512()),          \
                             _mm512_set1_epi32(255)))
#include "yuv_luma_simd_inl.h"
