/* yuv_luma_v128.c - the conversion to PDQ's luma in 4 int32 lanes: the
 * baseline SIMD (SSE2 on x86-64, NEON on AArch64), no extra flags. */
#define YL_N 4
#define YL_NAME hm__yuv_luma_pair_v128
#include "yuv_luma_simd_inl.h"
