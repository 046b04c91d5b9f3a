/* hash_internal.h - the hashing stages behind hm_hash_image (internal).
 *
 * hm_hash_image makes one working allocation and one luma pass over the decoded
 * pixels that produces both luma planes at once:
 *   - PDQ luma: float, Y = (0.299f*R + 0.587f*G) + 0.114f*B, grey copied;
 *   - Pillow convert('L'): uint8, (19595*R + 38470*G + 7471*B + 0x8000) >> 16.
 * Each algorithm family then works from its plane. */
#ifndef HM_HASH_INTERNAL_H
#define HM_HASH_INTERNAL_H

#include "../image/image.h"

/* One pass over the pixels; either output may be NULL. */
void hm__luma(const hm_image *img, float *pdq_luma, uint8_t *pil_luma);

/* ---- PDQ (pdq.c) ---- */

/* Floats of scratch that hm__pdq_hash needs for a w x h luma plane. */
size_t hm__pdq_work_floats(uint32_t w, uint32_t h);

/* Hashes a luma plane of w x h floats (the plane is used as scratch and
 * destroyed). Sets out->pdq, out->pdq_quality and, when dihedral is non-zero,
 * out->pdq_dihedral and out->has_pdq_dihedral. */
void hm__pdq_hash(float *luma, uint32_t w, uint32_t h, float *work, int dihedral,
                  hm_hashes *out);

/* The cli512 squash: nearest-neighbour to 512x512 when a side exceeds 512.
 * Returns the new dimensions in *ow, *oh and writes into dst (512*512 floats)
 * only when a squash applies (returns 1), else returns 0. */
int hm__pdq_cli512_squash(const float *src, uint32_t w, uint32_t h, float *dst, uint32_t *ow,
                          uint32_t *oh);

/* ---- imagehash family (imagehash.c) ---- */

/* Bytes of scratch hm__imagehash needs for a w x h L plane and `algos`. */
size_t hm__imagehash_work_bytes(uint32_t w, uint32_t h, uint32_t algos);

/* Computes the aHash/dHash/pHash/wHash bits of `algos` from the Pillow
 * convert('L') plane, into out->ahash etc. */
void hm__imagehash(const uint8_t *L, uint32_t w, uint32_t h, uint32_t algos, void *work,
                   hm_hashes *out);

/* ---- digests (digest.c) ---- */

/* MD5/SHA-1/SHA-256 of `algos` over the bytes, through OpenSSL EVP. */
hm_status hm__digests(const uint8_t *data, size_t size, uint32_t algos, hm_hashes *out,
                      hm_error *err);

#endif /* HM_HASH_INTERNAL_H */
