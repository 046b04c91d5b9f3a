/* imagehash.h - the stages of aHash/dHash/pHash/wHash (internal).
 *
 * Each stage reproduces one library that Python's imagehash relies on, with its
 * exact rounding: Pillow's 8-bit Lanczos resize (pil_resample.c), scipy's
 * pocketfft DCT-II for N = 32 (pocketfft_dct32.c) and pywt's Haar transforms
 * (haar.c). The spec is docs/IMAGEHASH.md. */
#ifndef HM_IMAGEHASH_H
#define HM_IMAGEHASH_H

#include <stddef.h>
#include <stdint.h>

/* ---- Pillow resize((ow, oh), LANCZOS) of an 8-bit grey plane ---- */

/* Bytes of scratch hm__pil_resize needs (coefficients and the intermediate). */
size_t hm__pil_resize_work_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh);

/* Resizes the w x h plane `src` (rows packed) to ow x oh into `dst`, exactly as
 * Pillow 4.3 .. 12.1 does: horizontal pass first over only the rows the
 * vertical pass reads, 22-bit fixed point, clamped 8-bit intermediate. `work`
 * holds hm__pil_resize_work_bytes bytes, 64-byte aligned. */
void hm__pil_resize(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                    uint32_t oh, void *work);

/* Same result through the plain scalar kernels only (reference for tests). */
void hm__pil_resize_scalar(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst,
                           uint32_t ow, uint32_t oh, void *work);

/* ---- scipy.fftpack.dct(scipy.fftpack.dct(p, axis=0), axis=1) for 32x32 ---- */

/* One unnormalised DCT-II of 32 doubles in place, in pocketfft's operation
 * order (pre-step, real backward FFT with factors [2, 4, 4], post-twiddle). */
void hm__dct32(double c[32]);

/* The 2-D transform of a 32x32 plane (row-major), keeping only the top-left
 * 8x8 block: out[r*8 + c] = D[r][c]. */
void hm__dct32x32_low8(const uint8_t px[32 * 32], double out[64]);

/* ---- wHash: pywt Haar with imagehash's steps ---- */

/* The wHash side for a w x h image: max(2^floor(log2(min(w, h))), 8). */
uint32_t hm__whash_scale(uint32_t w, uint32_t h);

/* Doubles of scratch hm__whash_ll needs for an s x s image. */
size_t hm__whash_work_doubles(uint32_t s);

/* From the s x s resized plane: x = p / 255.0, full Haar decomposition, top
 * approximation zeroed, reconstruction, decomposition down to 8x8; writes the
 * 8x8 approximation band (row-major) to ll, exactly as pywt 1.x computes it. */
void hm__whash_ll(const uint8_t *px, uint32_t s, double *work, double ll[64]);

/* ---- bits ---- */

/* numpy.median of 64 doubles: the mean of the 32nd and 33rd smallest. */
double hm__median64(const double v[64]);

/* Packs 64 booleans (row by row, first = most significant) into 8 bytes. */
void hm__pack_bits64(const uint8_t bits[64], uint8_t out[8]);

#endif /* HM_IMAGEHASH_H */
