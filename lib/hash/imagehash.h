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

#include "ih_kernels.h"

/* ---- Pillow resize((ow, oh), LANCZOS) of an 8-bit grey plane ---- */

/* Bytes of scratch hm__pil_resize needs (coefficients and the intermediate). */
size_t hm__pil_resize_work_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh);

/* Resizes the w x h plane `src` (rows packed) to ow x oh into `dst`, exactly as
 * Pillow 4.3 .. 12.1 does: horizontal pass first over only the rows the
 * vertical pass reads, 22-bit fixed point, clamped 8-bit intermediate. `work`
 * holds hm__pil_resize_work_bytes bytes (aligned as malloc's). Runs the widest
 * kernels this CPU has; hm__pil_resize_k runs those of `kern`. */
void hm__pil_resize(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                    uint32_t oh, void *work);
void hm__pil_resize_k(const hm__ih_kernels *kern, const uint8_t *src, uint32_t w, uint32_t h,
                      uint8_t *dst, uint32_t ow, uint32_t oh, void *work);

/* Same result through Pillow's plain loops (the reference for tests). */
void hm__pil_resize_scalar(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst,
                           uint32_t ow, uint32_t oh, void *work);

/* A resize fed with source rows in order, so that several resizes of one
 * image share each read of a row. Memory: hm__rs_plan_bytes (aligned as
 * malloc's; the kernels make no stronger assumption). */
typedef struct hm__rs_plan {
    const hm__ih_kernels *kern;
    uint32_t w, h, ow, oh;
    int mode;
    uint32_t row0, row_end; /* the source rows the vertical pass reads */
    hm__rs_axis hx, vy;
    uint8_t *tmp;        /* the intermediate, ow x (row_end - row0) */
    uint8_t *tin, *tout; /* short windows: a transposed block and its output */
} hm__rs_plan;

size_t hm__rs_plan_bytes(uint32_t w, uint32_t h, uint32_t ow, uint32_t oh);
/* An axis with the same sizes as one of `peers` (plans of the same image,
 * with the same kernels: the stored weight forms depend on them) is copied
 * from it instead of computed again. */
void hm__rs_plan_init(hm__rs_plan *p, const hm__ih_kernels *kern, uint32_t w, uint32_t h,
                      uint32_t ow, uint32_t oh, void *mem, const hm__rs_plan *const *peers,
                      int npeers);
/* Samples of zero padding the plan needs after each widened row (0: it
 * reads no widened rows). */
uint32_t hm__rs_plan_wide_pad(const hm__rs_plan *p);
/* Its upper bound before any plan exists, from the widths alone. */
uint32_t hm__rs_wide_pad(uint32_t w, uint32_t ow);
/* Source rows y .. y+n-1: `rows` (stride bytes apart) and, when the plan reads
 * widened rows, the same as int16 in `wide` (wstride samples apart, each
 * padded with zeros as hm__rs_plan_wide_pad asks). Rows must come in order;
 * rows the plan does not read are ignored. */
void hm__rs_push(hm__rs_plan *p, const uint8_t *rows, size_t stride, const int16_t *wide,
                 size_t wstride, uint32_t y, uint32_t n);
/* After the last row: the ow x oh result. */
void hm__rs_finish(const hm__rs_plan *p, uint8_t *dst);

/* Window and fixed-point weights of output xx of the axis in -> out, as the
 * plans hold them: `kern`'s fast weights where they are proven equal to
 * Pillow's, otherwise Pillow's own arithmetic (then *exact = 1). Returns the
 * window size n (<= ksize) and sets *xmin; k and scratch hold ksize values,
 * rounded up to 8. */
uint32_t hm__rs_output_weights(const hm__ih_kernels *kern, uint32_t in, uint32_t out, uint32_t xx,
                               double *scratch, int32_t *k, int32_t *xmin, int *exact);

/* n rows of w bytes as int16, each followed by `pad` zeros. */
void hm__rs_widen(const uint8_t *rows, size_t stride, uint32_t nrows, uint32_t w, uint32_t pad,
                  int16_t *wide, size_t wstride);

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
void hm__whash_ll_k(const hm__ih_kernels *kern, const uint8_t *px, uint32_t s, double *work,
                    double ll[64]);

/* ---- the four resizes of one image, fed block by block (imagehash.c) ---- */

#define HM__IH_RESIZES 4 /* 8x8 (aHash), 9x8 (dHash), 32x32 (pHash), s x s (wHash) */
#define HM__IH_BLOCK_ROWS 64 /* luma rows fed at a time: a multiple of every plan's block */

/* Where each part lives in the scratch: the resized planes, then the plans,
 * the widened rows and a block of luma rows; the Haar pyramid reuses that
 * scratch afterwards. */
typedef struct hm__ih_layout {
    size_t out[HM__IH_RESIZES], plan[HM__IH_RESIZES], wide, luma, scratch, total;
    uint32_t s, ow[HM__IH_RESIZES], oh[HM__IH_RESIZES], pad;
    size_t wstride;
} hm__ih_layout;

typedef struct hm__ih_engine {
    hm__ih_layout lay;
    uint8_t *base;
    hm__rs_plan p[HM__IH_RESIZES];
    uint32_t algos, w;
    int wide; /* some plan reads widened rows */
} hm__ih_engine;

/* ---- bits ---- */

/* numpy.median of 64 doubles: the mean of the 32nd and 33rd smallest. */
double hm__median64(const double v[64]);

/* Packs 64 booleans (row by row, first = most significant) into 8 bytes. */
void hm__pack_bits64(const uint8_t bits[64], uint8_t out[8]);

#endif /* HM_IMAGEHASH_H */
