/* hash.c - hm_hash_*: one read, one decode, one luma pass, every algorithm. */
#include <stdlib.h>

#include "../common/abi.h"
#include "../image/image.h"
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
    case HM_ALGO_VPDQ: break; /* per frame: hm_video */
    }
    if (p && size) *size = hm_algo_hash_size(algo);
    return p;
}

/* Where PDQ's luma rows come from: the pixels themselves, or the cli512
 * squash of them. Returns 1 when the squash applies (then the rows PDQ reads
 * are not the image's rows, and the imagehash family makes a pass of its own). */
static int pdq_source(const hm__pixview *v, const hm_hash_options *opt, hm__pdq_squash_ctx *ctx,
                      hm__pdq_source *src)
{
    if (opt && opt->pdq_mode == HM_PDQ_CLI512) return hm__pdq_cli512_pixels(ctx, v, src);
    *src = hm__pdq_pixels_source(&ctx->image, v, NULL);
    return 0;
}

/* The scratch of one hash: a converted row (formats read through a
 * conversion), PDQ's filter rows and the imagehash family's plans and block
 * of luma rows. All of it grows with the width, none with the height beyond
 * PDQ's ring of about h/128 rows and wHash's own s x s plane: no copy of the
 * frame and no whole luma plane is ever made. */
typedef struct scratch_plan {
    size_t row, pdq, ih, total;
} scratch_plan;

static hm_status scratch_size(const hm__pixview *v, uint32_t pdq_w, uint32_t pdq_h, int want_pdq,
                              uint32_t ih_algos, scratch_plan *s, hm_error *err)
{
    memset(s, 0, sizeof *s);
    if (!hm__pixview_direct(v)) s->row = align64((size_t)v->width * 3);
    if (want_pdq)
        HM_RETURN_IF(!hm__mul_size(hm__pdq_work_floats(pdq_w, pdq_h), sizeof(float), &s->pdq),
                     err, HM_E_NO_MEMORY, "PDQ scratch size overflows");
    s->pdq = align64(s->pdq);
    if (ih_algos) s->ih = align64(hm__imagehash_work_bytes(v->width, v->height, ih_algos));
    HM_RETURN_IF(!hm__add_size(s->row, s->pdq, &s->total) || !hm__add_size(s->total, s->ih, &s->total),
                 err, HM_E_NO_MEMORY, "hashing scratch size overflows");
    return HM_OK;
}

/* PDQ streams the luma rows; unless PDQ reads a squashed copy, the same pass
 * hands Pillow's rows to the imagehash family. */
static void hash_pdq_and_more(const hm__pixview *v, const hm_hash_options *opt, uint32_t ih_algos,
                              float *pdq_work, void *ih_work, hm_hashes *out)
{
    hm__pdq_squash_ctx pctx;
    hm__pdq_source src;
    hm__ih_stream ih;
    int squashed = pdq_source(v, opt, &pctx, &src);
    if (ih_algos && !squashed) {
        hm__ih_stream_start(&ih, v->width, v->height, ih_algos, ih_work);
        pctx.image.ih = &ih;
    }
    hm__pdq_hash_source(&src, pdq_work, opt && opt->pdq_dihedral, out);
    if (ih_algos && !squashed) hm__ih_stream_finish(&ih, out);
    if (ih_algos && squashed) hm__imagehash_pixels(v, ih_algos, ih_work, out);
}

/* `scratch` (may be NULL) is a hasher's kept working memory; without one the
 * block is fresh memory each call (huge pages keep its page faults few). */
static hm_status hash_view(const hm__pixview *view, const hm_hash_options *opt,
                           hm__scratch *scratch, hm_hashes *out, hm_error *err)
{
    memset(out, 0, sizeof *out);
    HM_RETURN_IF(opt && opt->pdq_mode != HM_PDQ_FULLRES && opt->pdq_mode != HM_PDQ_CLI512, err,
                 HM_E_INVALID_ARGUMENT, "unknown PDQ mode %d", (int)opt->pdq_mode);
    uint32_t algos = effective_algos(opt) & HM_MASK_PERCEPTUAL;
    int want_pdq = (algos & HM_MASK(HM_ALGO_PDQ)) != 0;
    uint32_t ih_algos = algos & PERCEPTUAL_IMAGEHASH;
    uint32_t w = view->width, h = view->height;
    out->width = w;
    out->height = h;
    if (!want_pdq && !ih_algos) {
        hm__ok(err);
        return HM_OK;
    }
    int squash = opt && opt->pdq_mode == HM_PDQ_CLI512 && (w > 512 || h > 512);
    scratch_plan sz;
    HM_FORWARD_IF_ERROR(scratch_size(view, squash ? 512 : w, squash ? 512 : h, want_pdq, ih_algos,
                                     &sz, err));
    uint8_t *block;
    if (scratch) {
        HM_RETURN_IF(hm__scratch_reserve(scratch, sz.total) != HM_OK, err, HM_E_NO_MEMORY,
                     "cannot allocate %zu bytes of hashing scratch", sz.total);
        block = scratch->data;
    } else {
        block = hm__alloc_large(sz.total);
        HM_RETURN_IF(!block, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes of hashing scratch",
                     sz.total);
    }
    hm__pixview v = *view;
    v.row = sz.row ? block : NULL;
    float *pdq_work = want_pdq ? (float *)(void *)(block + sz.row) : NULL;
    void *ih_work = ih_algos ? block + sz.row + sz.pdq : NULL;
    if (want_pdq) hash_pdq_and_more(&v, opt, ih_algos, pdq_work, ih_work, out);
    else hm__imagehash_pixels(&v, ih_algos, ih_work, out);
    if (!scratch) free(block);
    out->algos = algos;
    hm__ok(err);
    return HM_OK;
}

hm_status hm__hash_image_scratch(const hm_image *img, const hm_hash_options *opt,
                                 hm__scratch *scratch, hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "an output is required");
    memset(out, 0, sizeof *out);
    HM_RETURN_IF(!img, err, HM_E_INVALID_ARGUMENT, "no image (img is NULL)");
    hm__pixview v;
    hm__pixview_of_image(&v, img);
    return hash_view(&v, opt, scratch, out, err);
}

static hm_status hash_pixels(const hm_pixels *px, const hm_hash_options *opt, hm_hashes *out,
                             hm_error *err)
{
    hm__pixview v;
    HM_FORWARD_IF_ERROR(hm__pixview_init(&v, px, opt->decode.max_pixels, err));
    return hash_view(&v, opt, NULL, out, err);
}

/* The perceptual hashes of img as it is displayed, when it carries an EXIF
 * orientation (2..8) that was not applied; shown->algos stays 0 otherwise.
 * Rotates img in place. */
static hm_status hash_shown(hm_image *img, const hm_hash_options *opt, hm__scratch *scratch,
                            hm_hashes *shown, hm_error *err)
{
    unsigned o = hm_image_exif_orientation(img);
    if (o < 2 || o > 8 || (opt && opt->decode.apply_exif_orientation)) return HM_OK;
    HM_FORWARD_IF_ERROR(hm__image_orient(img, o, err));
    return hm__hash_image_scratch(img, opt, scratch, shown, err);
}

hm_status hm__hash_buffer_shown(const void *data, size_t size, const hm_hash_options *opt,
                                hm__scratch *scratch, hm_hashes *out, hm_hashes *shown,
                                hm_error *err)
{
    HM_RETURN_IF(!out || (!data && size), err, HM_E_INVALID_ARGUMENT, "invalid buffer");
    memset(out, 0, sizeof *out);
    if (shown) memset(shown, 0, sizeof *shown);
    uint32_t algos = effective_algos(opt);
    hm_hashes digests;
    memset(&digests, 0, sizeof digests);
    if (algos & HM_MASK_DIGESTS)
        HM_FORWARD_IF_ERROR(hm__digests(data, size, algos & HM_MASK_DIGESTS, &digests, err));
    if (algos & HM_MASK_PERCEPTUAL) {
        hm_image *img = NULL;
        HM_FORWARD_IF_ERROR(hm_image_decode(data, size, opt ? &opt->decode : NULL, &img, err));
        hm_status st = hm__hash_image_scratch(img, opt, scratch, out, err);
        if (st == HM_OK && shown) st = hash_shown(img, opt, scratch, shown, err);
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

hm_status hm__hash_buffer_scratch(const void *data, size_t size, const hm_hash_options *opt,
                                  hm__scratch *scratch, hm_hashes *out, hm_error *err)
{
    return hm__hash_buffer_shown(data, size, opt, scratch, out, NULL, err);
}

static hm_status hash_buffer(const void *data, size_t size, const hm_hash_options *opt,
                             hm_hashes *out, hm_error *err)
{
    return hm__hash_buffer_scratch(data, size, opt, NULL, out, err);
}

static hm_status hash_file(const char *path, const hm_hash_options *opt, hm_hashes *out,
                           hm_error *err)
{
    HM_RETURN_IF(!path || !out, err, HM_E_INVALID_ARGUMENT, "path and output are required");
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t size;
    uint64_t max_bytes = opt ? opt->decode.max_file_bytes : 0;
    HM_FORWARD_IF_ERROR(hm__read_file(path, max_bytes, &data, &size, err));
    hm_status st = hash_buffer(data, size, opt, out, err);
    free(data);
    return st;
}

/* ---- sized entry points (docs/ABI.md) ---- */

/* Reads the caller's options and checks its output struct; on failure the
 * output is zeroed as far as it can be. */
hm_status hm__hash_abi_in(const hm_hash_options *opt, size_t opt_size, hm_hash_options *o,
                          hm_hashes *out, size_t out_size, hm_error *err)
{
    hm_status st = HM__ABI_CHECK_OUT(hm_hashes, out, out_size, err);
    if (st == HM_OK) st = HM__ABI_READ(hm_hash_options, o, opt, opt_size, err);
    if (st != HM_OK && out && out_size >= HM__ABI_MIN_hm_hashes) memset(out, 0, out_size);
    return st;
}

/* The source of one hm_hash_* or hm_hasher_hash_* call, hashed with the
 * hasher's kept memory when there is one. */
static hm_status hash_source(hm_hasher *h, hm__source_kind kind, const void *src, size_t size,
                             const hm_hash_options *o, hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF((kind & HM__WITH_HASHER) && !h, err, HM_E_INVALID_ARGUMENT,
                 "a hasher is required");
    hm__scratch *scratch = hm__hasher_scratch(h);
    switch (kind & ~HM__WITH_HASHER) {
    case HM__FROM_IMAGE: return hm__hash_image_scratch(src, o, scratch, out, err);
    case HM__FROM_BUFFER: return hm__hash_buffer_scratch(src, size, o, scratch, out, err);
    default: break;
    }
    if (!h) return hash_file(src, o, out, err);
    HM_RETURN_IF(!src, err, HM_E_INVALID_ARGUMENT, "a path is required");
    const uint8_t *data;
    size_t n;
    HM_FORWARD_IF_ERROR(hm__hasher_read_file(h, src, o->decode.max_file_bytes, &data, &n, err));
    return hm__hash_buffer_scratch(data, n, o, scratch, out, err);
}

hm_status hm__hash_sized(hm_hasher *h, hm__source_kind kind, const void *src, size_t size,
                         const hm_hash_options *opt, size_t opt_size, hm_hashes *out,
                         size_t out_size, hm_error *err)
{
    hm_hash_options o;
    hm_hashes r;
    memset(&r, 0, sizeof r);
    HM_FORWARD_IF_ERROR(hm__hash_abi_in(opt, opt_size, &o, out, out_size, err));
    hm_status st = hash_source(h, kind, src, size, &o, &r, err);
    hm__abi_write(out, out_size, &r, sizeof r);
    return st;
}

hm_status hm_hash_buffer_sized(const void *data, size_t size, const hm_hash_options *opt,
                               size_t opt_size, hm_hashes *out, size_t out_size, hm_error *err)
{
    return hm__hash_sized(NULL, HM__FROM_BUFFER, data, size, opt, opt_size, out, out_size, err);
}

hm_status hm_hash_file_sized(const char *path, const hm_hash_options *opt, size_t opt_size,
                             hm_hashes *out, size_t out_size, hm_error *err)
{
    return hm__hash_sized(NULL, HM__FROM_FILE, path, 0, opt, opt_size, out, out_size, err);
}

hm_status hm_hash_image_sized(const hm_image *img, const hm_hash_options *opt, size_t opt_size,
                              hm_hashes *out, size_t out_size, hm_error *err)
{
    return hm__hash_sized(NULL, HM__FROM_IMAGE, img, 0, opt, opt_size, out, out_size, err);
}

hm_status hm_hash_pixels_sized(const hm_pixels *px, size_t px_size, const hm_hash_options *opt,
                               size_t opt_size, hm_hashes *out, size_t out_size, hm_error *err)
{
    hm_hash_options o;
    hm_hashes h;
    hm_pixels p;
    memset(&h, 0, sizeof h);
    HM_FORWARD_IF_ERROR(hm__hash_abi_in(opt, opt_size, &o, out, out_size, err));
    hm_status st = HM__ABI_READ(hm_pixels, &p, px, px_size, err);
    if (st == HM_OK) st = hash_pixels(px ? &p : NULL, &o, &h, err);
    hm__abi_write(out, out_size, &h, sizeof h);
    return st;
}
