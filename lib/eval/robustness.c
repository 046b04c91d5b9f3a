/* robustness.c - distances from an image to seeded edits of itself. */
#include <stdlib.h>

#include "eval.h"

static const char *const NAMES[HM_EVAL_ALGO_COUNT] = {"pdq",   "ahash", "dhash",
                                                      "phash", "whash", "pdq_dihedral"};
static const hm_algo IDS[HM_EVAL_ALGO_COUNT] = {HM_ALGO_PDQ,   HM_ALGO_AHASH, HM_ALGO_DHASH,
                                                HM_ALGO_PHASH, HM_ALGO_WHASH, HM_ALGO_PDQ};

const char *hm_eval_algo_name(hm_eval_algo algo)
{
    return (unsigned)algo < HM_EVAL_ALGO_COUNT ? NAMES[algo] : NULL;
}

unsigned hm_eval_algo_bits(hm_eval_algo algo)
{
    if ((unsigned)algo >= HM_EVAL_ALGO_COUNT) return 0;
    return algo == HM_EVAL_PDQ || algo == HM_EVAL_PDQ_DIHEDRAL ? HM_PDQ_BITS : HM_IMAGEHASH_BITS;
}

uint64_t hm_eval_image_seed(uint64_t seed, const uint8_t sha256[HM_SHA256_BYTES])
{
    return seed ^ hm__load_be64(sha256);
}

/* The hashing options that give every algorithm of `algos` (1u << hm_eval_algo). */
static hm_hash_options hash_options(uint32_t algos, const hm_decode_options *decode)
{
    hm_hash_options o;
    memset(&o, 0, sizeof o);
    for (int a = 0; a < HM_EVAL_PDQ_DIHEDRAL; a++)
        if (algos & (1u << a)) o.algos |= HM_MASK(IDS[a]);
    if (algos & (1u << HM_EVAL_PDQ_DIHEDRAL)) {
        o.algos |= HM_MASK(HM_ALGO_PDQ);
        o.pdq_dihedral = 1;
    }
    if (decode) o.decode = *decode;
    return o;
}

static unsigned distance(int a, const hm_hashes *orig, const hm_hashes *edit)
{
    if (a != HM_EVAL_PDQ_DIHEDRAL) {
        size_t n;
        const uint8_t *x = hm_hashes_get(orig, IDS[a], &n);
        return hm_hamming(x, hm_hashes_get(edit, IDS[a], NULL), n);
    }
    /* the edited image queries with its 8 dihedral hashes; the list holds the original */
    unsigned best = HM_PDQ_BITS;
    for (int k = 0; k < HM_PDQ_DIHEDRAL_COUNT; k++) {
        unsigned d = hm_hamming(edit->pdq_dihedral[k], orig->pdq, HM_PDQ_BYTES);
        if (d < best) best = d;
    }
    return best;
}

/* Distances of one edit: all HM_EVAL_NONE when the edit cannot be made. */
static void one_edit(const hm_image *img, const hm_transform *t, uint64_t seed, uint32_t algos,
                     const hm_hash_options *ho, const hm_hashes *orig, uint16_t *dist)
{
    hm_image *e = NULL;
    hm_hashes h;
    if (hm_image_transform(img, t, seed, &e, NULL) == HM_OK && hm_hash_image(e, ho, &h, NULL) == HM_OK)
        for (int a = 0; a < HM_EVAL_ALGO_COUNT; a++)
            if (algos & (1u << a)) dist[a] = (uint16_t)distance(a, orig, &h);
    hm_image_free(e);
}

hm_status hm_eval_robustness_buffer(const void *data, size_t size, const hm_transform *chains,
                                    size_t nt, uint64_t seed, uint32_t algos,
                                    const hm_decode_options *decode, uint16_t *dist,
                                    hm_hashes *original, hm_error *err)
{
#ifndef HM_WITH_TRANSFORMS
    /* Without the edits every distance would stay unmeasured: refuse. */
    (void)data, (void)size, (void)chains, (void)nt, (void)seed, (void)algos, (void)decode,
        (void)dist, (void)original;
    return hm__fail(err, HM_E_UNSUPPORTED,
                    "this build has no image transforms (HM_WITH_TRANSFORMS=OFF)");
#endif
    HM_RETURN_IF(!data || !dist || (!chains && nt), err, HM_E_INVALID_ARGUMENT,
                 "robustness: NULL argument");
    HM_RETURN_IF(algos >> HM_EVAL_ALGO_COUNT, err, HM_E_INVALID_ARGUMENT,
                 "robustness: unknown algorithm bits 0x%x", algos);
    for (size_t k = 0; k < nt * HM_EVAL_ALGO_COUNT; k++) dist[k] = HM_EVAL_NONE;
    hm_hashes orig, digest;
    hm_hash_options dopt;
    memset(&dopt, 0, sizeof dopt);
    dopt.algos = HM_MASK(HM_ALGO_SHA256);
    HM_FORWARD_IF_ERROR(hm_hash_buffer(data, size, &dopt, &digest, err));
    hm_hash_options ho = hash_options(algos, decode);
    hm_image *img = NULL;
    HM_FORWARD_IF_ERROR(hm_image_decode(data, size, &ho.decode, &img, err));
    hm_status st = hm_hash_image(img, &ho, &orig, err);
    /* every image's edits draw from a seed of its own bytes, so shards,
     * thread counts and the corpus's location agree */
    uint64_t s = hm_eval_image_seed(seed, digest.sha256);
    for (size_t k = 0; st == HM_OK && k < nt; k++)
        one_edit(img, &chains[k], s + k, algos, &ho, &orig, dist + k * HM_EVAL_ALGO_COUNT);
    hm_image_free(img);
    if (st != HM_OK) return st;
    if (original) {
        *original = orig;
        memcpy(original->sha256, digest.sha256, HM_SHA256_BYTES);
        original->algos |= HM_MASK(HM_ALGO_SHA256);
    }
    hm__ok(err);
    return HM_OK;
}

hm_status hm_eval_robustness_file(const char *path, const hm_transform *chains, size_t nt,
                                  uint64_t seed, uint32_t algos, const hm_decode_options *decode,
                                  uint16_t *dist, hm_hashes *original, hm_error *err)
{
    HM_RETURN_IF(!path, err, HM_E_INVALID_ARGUMENT, "robustness: no path");
    uint8_t *data;
    size_t size;
    HM_FORWARD_IF_ERROR(hm__read_file(path, decode ? decode->max_file_bytes : 0, &data, &size, err));
    hm_status st = hm_eval_robustness_buffer(data ? (const void *)data : "", size, chains, nt,
                                             seed, algos, decode, dist, original, err);
    free(data);
    return st;
}
