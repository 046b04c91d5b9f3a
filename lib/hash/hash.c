/* hash.c - hm_hash_*: one read, one decode, one luma pass, every algorithm. */
#include <stdlib.h>

#include "hash_internal.h"

#define PERCEPTUAL_IMAGEHASH                                                                      \
    (HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) | HM_MASK(HM_ALGO_PHASH) |                   \
     HM_MASK(HM_ALGO_WHASH))

static uint32_t effective_algos(const hm_hash_options *opt)
{
    uint32_t a = opt && opt->algos ? opt->algos : HM_MASK_ALL;
    return a & HM_MASK_ALL;
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

const uint8_t *hm_hashes_get(const hm_hashes *h, hm_algo algo, size_t *size)
{
    const uint8_t *p = NULL;
    switch (algo) {
    case HM_ALGO_PDQ: p = h->pdq; break;
    case HM_ALGO_AHASH: p = h->ahash; break;
    case HM_ALGO_DHASH: p = h->dhash; break;
    case HM_ALGO_PHASH: p = h->phash; break;
    case HM_ALGO_WHASH: p = h->whash; break;
    case HM_ALGO_MD5: p = h->md5; break;
    case HM_ALGO_SHA1: p = h->sha1; break;
    case HM_ALGO_SHA256: p = h->sha256; break;
    }
    if (p && size) *size = hm_algo_hash_size(algo);
    return p;
}

/* Where PDQ's luma rows come from: the image itself, or the cli512 squash of
 * it. Returns 1 when the squash applies (then the rows PDQ reads are not the
 * image's rows, and Pillow's plane needs a pass of its own). */
static int pdq_source(const hm_image *img, const hm_hash_options *opt, hm__pdq_squash_ctx *ctx,
                      hm__pdq_source *src)
{
    if (opt && opt->pdq_mode == HM_PDQ_CLI512) return hm__pdq_cli512_source(ctx, img, src);
    *src = hm__pdq_image_source(&ctx->image, img, NULL);
    return 0;
}

hm_status hm_hash_image(const hm_image *img, const hm_hash_options *opt, hm_hashes *out,
                        hm_error *err)
{
    HM_RETURN_IF(!img || !out, err, HM_E_INVALID_ARGUMENT, "image and output are required");
    memset(out, 0, sizeof *out);
    HM_RETURN_IF(opt && opt->pdq_mode != HM_PDQ_FULLRES && opt->pdq_mode != HM_PDQ_CLI512, err,
                 HM_E_INVALID_ARGUMENT, "unknown PDQ mode %d", (int)opt->pdq_mode);
    uint32_t algos = effective_algos(opt) & HM_MASK_PERCEPTUAL;
    int want_pdq = (algos & HM_MASK(HM_ALGO_PDQ)) != 0;
    int want_ih = (algos & PERCEPTUAL_IMAGEHASH) != 0;
    uint32_t w = img->width, h = img->height;
    out->width = w;
    out->height = h;
    if (!want_pdq && !want_ih) {
        hm__ok(err);
        return HM_OK;
    }

    hm__pdq_squash_ctx pctx;
    hm__pdq_source src;
    int squashed = want_pdq ? pdq_source(img, opt, &pctx, &src) : 0;

    /* One allocation holds Pillow's plane (when PDQ's pass writes it) and
     * every algorithm's scratch. Without PDQ the imagehash family computes
     * its luma block by block and needs no plane. */
    size_t npix = (size_t)w * h; /* w*h <= max_pixels was checked at decode */
    size_t pil_bytes = want_ih && want_pdq ? align64(npix) : 0;
    size_t pdq_bytes = 0, ih_bytes = 0, total;
    if (want_pdq)
        HM_RETURN_IF(!hm__mul_size(hm__pdq_work_floats(src.width, src.height), sizeof(float),
                                   &pdq_bytes),
                     err, HM_E_NO_MEMORY, "PDQ scratch size overflows");
    if (want_ih) ih_bytes = align64(hm__imagehash_work_bytes(w, h, algos));
    pdq_bytes = align64(pdq_bytes);
    HM_RETURN_IF(!hm__add_size(pil_bytes, pdq_bytes, &total) ||
                     !hm__add_size(total, ih_bytes, &total),
                 err, HM_E_NO_MEMORY, "hashing scratch size overflows");
    uint8_t *block = total ? aligned_alloc(64, total) : NULL;
    HM_RETURN_IF(total && !block, err, HM_E_NO_MEMORY,
                 "cannot allocate %zu bytes of hashing scratch", total);
    uint8_t *pil = pil_bytes ? block : NULL;
    float *pdq_work = want_pdq ? (float *)(block + pil_bytes) : NULL;
    void *ih_work = want_ih ? block + pil_bytes + pdq_bytes : NULL;

    /* PDQ streams the luma rows; the same pass writes Pillow's plane. */
    if (want_pdq) {
        if (!squashed) pctx.image.pil = pil;
        else if (want_ih) hm__luma(img, NULL, pil);
        hm__pdq_hash_source(&src, pdq_work, opt && opt->pdq_dihedral, out);
        if (want_ih) hm__imagehash(pil, w, h, algos, ih_work, out);
    } else {
        hm__imagehash_image(img, algos, ih_work, out);
    }
    free(block);
    out->algos = algos;
    hm__ok(err);
    return HM_OK;
}

hm_status hm_hash_buffer(const void *data, size_t size, const hm_hash_options *opt,
                         hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF(!out || (!data && size), err, HM_E_INVALID_ARGUMENT, "invalid buffer");
    memset(out, 0, sizeof *out);
    uint32_t algos = effective_algos(opt);
    hm_hashes digests;
    memset(&digests, 0, sizeof digests);
    if (algos & HM_MASK_DIGESTS)
        HM_FORWARD_IF_ERROR(hm__digests(data, size, algos & HM_MASK_DIGESTS, &digests, err));
    if (algos & HM_MASK_PERCEPTUAL) {
        hm_image *img = NULL;
        HM_FORWARD_IF_ERROR(hm_image_decode(data, size, opt ? &opt->decode : NULL, &img, err));
        hm_status st = hm_hash_image(img, opt, out, err);
        hm_image_free(img);
        if (st != HM_OK) {
            memset(out, 0, sizeof *out);
            return st;
        }
    }
    else {
        /* Dimensions are reported even when nothing is decoded; bytes that are
         * not an image still have digests, so a failed probe is not an error. */
        (void)!hm_image_probe(data, size, NULL, &out->width, &out->height, NULL);
    }
    memcpy(out->md5, digests.md5, sizeof out->md5);
    memcpy(out->sha1, digests.sha1, sizeof out->sha1);
    memcpy(out->sha256, digests.sha256, sizeof out->sha256);
    out->algos |= algos & HM_MASK_DIGESTS;
    hm__ok(err);
    return HM_OK;
}

hm_status hm_hash_file(const char *path, const hm_hash_options *opt, hm_hashes *out,
                       hm_error *err)
{
    HM_RETURN_IF(!path || !out, err, HM_E_INVALID_ARGUMENT, "path and output are required");
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t size;
    uint64_t max_bytes = opt ? opt->decode.max_file_bytes : 0;
    HM_FORWARD_IF_ERROR(hm__read_file(path, max_bytes, &data, &size, err));
    hm_status st = hm_hash_buffer(data, size, opt, out, err);
    free(data);
    return st;
}
