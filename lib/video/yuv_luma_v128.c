/* yuv_luma_v128.c - the conversion to PDQ's luma in 4 int32 lanes: NEON,
 * the AArch64 baseline, no extra flags. */
#define YL_N 4
#define YL_NAME hm__yuv_luma_pair_v128
#include "yuv_luma_simd_inl.h"
