/* hm_wasm.c - the C side of the JavaScript API (wasm/api.js). Each function
 * takes and returns only numbers and pointers and fills the public structs
 * itself, so that JavaScript never depends on a struct's layout or on the
 * order of its fields (options structs may grow between releases). */
#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch.h"

#define HMW_API EMSCRIPTEN_KEEPALIVE

/* ---- errors ---- */

HMW_API hm_error *hmw_error_new(void) { return calloc(1, sizeof(hm_error)); }

HMW_API const char *hmw_error_message(const hm_error *err) { return err->message; }

/* ---- hashing ---- */

HMW_API hm_hashes *hmw_hashes_new(void) { return calloc(1, sizeof(hm_hashes)); }

static void hash_options(hm_hash_options *opt, uint32_t algos, int pdq_mode, int dihedral,
                         uint64_t max_pixels, int exif_orientation)
{
    memset(opt, 0, sizeof *opt);
    opt->algos = algos;
    opt->pdq_mode = (hm_pdq_mode)pdq_mode;
    opt->pdq_dihedral = dihedral;
    opt->decode.max_pixels = max_pixels;
    opt->decode.apply_exif_orientation = exif_orientation;
}

/* hm_hash_buffer with the options given one by one. */
HMW_API int hmw_hash_buffer(const void *data, size_t size, uint32_t algos, int pdq_mode,
                            int dihedral, uint64_t max_pixels, int exif_orientation,
                            hm_hashes *out, hm_error *err)
{
    hm_hash_options opt;
    hash_options(&opt, algos, pdq_mode, dihedral, max_pixels, exif_orientation);
    return hm_hash_buffer(data, size, &opt, out, err);
}

/* hm_image_decode with the options given one by one. */
HMW_API int hmw_image_decode(const void *data, size_t size, uint64_t max_pixels,
                             int exif_orientation, hm_image **out, hm_error *err)
{
    hm_decode_options opt;
    memset(&opt, 0, sizeof opt);
    opt.max_pixels = max_pixels;
    opt.apply_exif_orientation = exif_orientation;
    return hm_image_decode(data, size, &opt, out, err);
}

/* hm_hash_image with the options given one by one. */
HMW_API int hmw_hash_image(const hm_image *img, uint32_t algos, int pdq_mode, int dihedral,
                           hm_hashes *out, hm_error *err)
{
    hm_hash_options opt;
    hash_options(&opt, algos, pdq_mode, dihedral, 0, 0);
    return hm_hash_image(img, &opt, out, err);
}

/* The scalar fields of `h`: algos, width, height, pdq_quality, has_pdq_dihedral. */
HMW_API void hmw_hashes_fields(const hm_hashes *h, uint32_t out[5])
{
    out[0] = h->algos;
    out[1] = h->width;
    out[2] = h->height;
    out[3] = (uint32_t)h->pdq_quality;
    out[4] = (uint32_t)h->has_pdq_dihedral;
}

/* The bytes of `algo` in `h` (hm_algo_hash_size(algo) of them), or NULL. */
HMW_API const uint8_t *hmw_hashes_bytes(const hm_hashes *h, int algo)
{
    return hm_hashes_get(h, (hm_algo)algo, NULL);
}

/* Dihedral PDQ hash i (0..7) of `h`. */
HMW_API const uint8_t *hmw_hashes_dihedral(const hm_hashes *h, unsigned i)
{
    return i < HM_PDQ_DIHEDRAL_COUNT ? h->pdq_dihedral[i] : NULL;
}

/* ---- sets ---- */

/* hm_set_open with the trust policy and options given one by one; `keys`
 * holds key_count raw 32-byte public keys back to back. */
HMW_API int hmw_set_open(const void *data, size_t size, const uint8_t *keys, size_t key_count,
                         unsigned threshold, int allow_unknown_keys, uint64_t min_version,
                         uint64_t now, uint64_t max_clock_skew, unsigned min_attesters,
                         hm_set **out, hm_error *err)
{
    hm_set_open_options opt;
    memset(&opt, 0, sizeof opt);
    opt.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])keys;
    opt.trust.key_count = key_count;
    opt.trust.threshold = threshold;
    opt.trust.allow_unknown_keys = allow_unknown_keys;
    opt.min_version = min_version;
    opt.now = now;
    opt.max_clock_skew = max_clock_skew;
    opt.min_attesters = min_attesters;
    return hm_set_open(data, size, &opt, out, err);
}

/* The section of `algo`: variant, radius, allow_radius, min_quality,
 * entry_count, active_count, allow_count. Returns 0 when there is none. */
HMW_API int hmw_set_section(const hm_set *set, int algo, uint32_t out[7])
{
    const hm_set_section *s = hm_set_section_get(set, (hm_algo)algo);
    if (!s) return 0;
    out[0] = s->variant;
    out[1] = s->radius;
    out[2] = s->allow_radius;
    out[3] = s->min_quality;
    out[4] = (uint32_t)s->entry_count;
    out[5] = (uint32_t)s->active_count;
    out[6] = (uint32_t)s->allow_count;
    return 1;
}

/* Signature i: its key id (HM_KEY_ID_BYTES), and in out[] its status and
 * the index of its key in the trust policy (-1 for none). NULL when out of
 * range. */
HMW_API const uint8_t *hmw_set_signature(const hm_set *set, size_t i, int32_t out[2])
{
    const hm_set_signature *s = hm_set_signature_get(set, i);
    if (!s) return NULL;
    out[0] = (int32_t)s->status;
    out[1] = s->trusted_index;
    return s->key_id;
}

/* The hash of entry `index` of `algo`, or NULL. */
HMW_API const uint8_t *hmw_set_entry_hash(const hm_set *set, int algo, size_t index)
{
    hm_set_entry e;
    if (hm_set_entry_get(set, (hm_algo)algo, index, &e) != HM_OK) return NULL;
    return e.hash;
}

/* ---- scanning ---- */

HMW_API int hmw_scanner_new(const hm_set *set, int pdq_dihedral, uint64_t max_pixels,
                            int exif_orientation, hm_scanner **out, hm_error *err)
{
    hm_scanner_options opt;
    memset(&opt, 0, sizeof opt);
    opt.pdq_dihedral = pdq_dihedral;
    opt.decode.max_pixels = max_pixels;
    opt.decode.apply_exif_orientation = exif_orientation;
    return hm_scanner_new(set, &opt, out, err);
}

/* Match i of `report` (or suppressed match i): algo, entry, distance,
 * dihedral, category, attesters in out[0..5]; returns its category name, and
 * its external id through *external_id. NULL when out of range. */
HMW_API const char *hmw_report_match(const hm_report *report, int suppressed, size_t i,
                                     uint32_t out[6], const char **external_id)
{
    const hm_match *m = suppressed ? hm_report_suppressed(report, i) : hm_report_match(report, i);
    if (!m) return NULL;
    out[0] = (uint32_t)m->algo;
    out[1] = (uint32_t)m->entry;
    out[2] = m->distance;
    out[3] = m->dihedral;
    out[4] = m->category;
    out[5] = m->attesters;
    *external_id = m->external_id;
    return m->category_name;
}
