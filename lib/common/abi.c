/* abi.c - the 0.1.0 entry points, and reading and writing the caller's
 * structs across releases (docs/ABI.md).
 *
 * A program built against the 0.1.0 header calls hm_hash_buffer,
 * hm_set_open, hm_scanner_new, ... with 0.1.0's structs. Those symbols stay
 * exported with exactly those semantics: each passes 0.1.0's sizeof to the
 * sized entry point where 0.1.0's layout is a prefix of today's, and
 * converts field by field where it is not. Programs built against a later
 * header never reach them: the header makes the same names static inline
 * wrappers passing their own sizeof, which is why this file alone is
 * compiled without the wrappers. */
#define HM__ABI_COMPAT_DEFINITIONS 1

#include "abi.h"

#include <stdalign.h>

/* ---- compile-time proof of what the 0.1.0 entry points rely on ---- */

#define HM__SAME_FIELD(now, old, field)                                                           \
    _Static_assert(offsetof(now, field) == offsetof(old, field) &&                                \
                       sizeof(((now *)0)->field) == sizeof(((old *)0)->field),                    \
                   #now "." #field " moved or changed size since 0.1.0 (docs/ABI.md)")
/* A struct embedded at the end that grew at its own end. */
#define HM__SAME_OFFSET(now, old, field)                                                          \
    _Static_assert(offsetof(now, field) == offsetof(old, field) &&                                \
                       sizeof(((now *)0)->field) >= sizeof(((old *)0)->field),                    \
                   #now "." #field " moved or shrank since 0.1.0 (docs/ABI.md)")
#define HM__GROWS_FROM(now, old)                                                                  \
    _Static_assert(sizeof(now) >= sizeof(old) && alignof(now) == alignof(old),                    \
                   #now " shrank or changed alignment since 0.1.0 (docs/ABI.md)")
#define HM__SEALED(now, old)                                                                      \
    _Static_assert(sizeof(now) == sizeof(old) && alignof(now) == alignof(old),                    \
                   #now " is sealed: its size never changes (docs/ABI.md)")

/* Passed as prefixes by the 0.1.0 entry points: every 0.1.0 field in place. */
HM__GROWS_FROM(hm_decode_options, hm__v010_decode_options);
HM__SAME_FIELD(hm_decode_options, hm__v010_decode_options, max_pixels);
HM__SAME_FIELD(hm_decode_options, hm__v010_decode_options, apply_exif_orientation);

HM__GROWS_FROM(hm_hash_options, hm__v010_hash_options);
HM__SAME_FIELD(hm_hash_options, hm__v010_hash_options, algos);
HM__SAME_FIELD(hm_hash_options, hm__v010_hash_options, pdq_mode);
HM__SAME_FIELD(hm_hash_options, hm__v010_hash_options, pdq_dihedral);
HM__SAME_OFFSET(hm_hash_options, hm__v010_hash_options, decode);

HM__GROWS_FROM(hm_hashes, hm__v010_hashes);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, algos);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, width);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, height);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, pdq);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, pdq_quality);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, has_pdq_dihedral);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, pdq_dihedral);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, ahash);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, dhash);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, phash);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, whash);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, md5);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, sha1);
HM__SAME_FIELD(hm_hashes, hm__v010_hashes, sha256);

HM__GROWS_FROM(hm_set_entry, hm__v010_set_entry);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, hash);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, category);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, category_name);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, attesters);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, external_id);
HM__SAME_FIELD(hm_set_entry, hm__v010_set_entry, active);

HM__GROWS_FROM(hm_set_policy, hm__v010_set_policy);
HM__SAME_FIELD(hm_set_policy, hm__v010_set_policy, variant);
HM__SAME_FIELD(hm_set_policy, hm__v010_set_policy, radius);
HM__SAME_FIELD(hm_set_policy, hm__v010_set_policy, allow_radius);
HM__SAME_FIELD(hm_set_policy, hm__v010_set_policy, min_quality);

/* Converted field by field (below): only the sealed parts must match. */
HM__SEALED(hm_trust, hm__v010_trust);
HM__SAME_FIELD(hm_trust, hm__v010_trust, keys);
HM__SAME_FIELD(hm_trust, hm__v010_trust, key_count);
HM__SAME_FIELD(hm_trust, hm__v010_trust, threshold);
HM__SAME_FIELD(hm_trust, hm__v010_trust, allow_unknown_keys);

/* ---- reading and writing ---- */

static size_t min_size_t(size_t a, size_t b) { return a < b ? a : b; }

hm_status hm__abi_read(void *dst, size_t dst_size, const void *src, size_t src_size,
                       size_t min_size, const char *type, hm_error *err)
{
    memset(dst, 0, dst_size);
    if (!src) return HM_OK;
    HM_RETURN_IF(src_size < min_size, err, HM_E_INVALID_ARGUMENT,
                 "%s of %zu bytes: no release of hashmatch.h declared it smaller than %zu "
                 "(pass sizeof(%s))",
                 type, src_size, min_size, type);
    const uint8_t *p = src;
    for (size_t i = dst_size; i < src_size; i++)
        HM_RETURN_IF(p[i] != 0, err, HM_E_UNSUPPORTED,
                     "%s of %zu bytes comes from a newer hashmatch.h than this library "
                     "(%s, %zu bytes): byte %zu sets an option this library does not have",
                     type, src_size, HM_VERSION_STRING, dst_size, i);
    memcpy(dst, src, min_size_t(src_size, dst_size));
    return HM_OK;
}

hm_status hm__abi_check_out(const void *out, size_t out_size, size_t min_size, const char *type,
                            hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "the output %s is NULL", type);
    HM_RETURN_IF(out_size < min_size, err, HM_E_INVALID_ARGUMENT,
                 "output %s of %zu bytes: no release of hashmatch.h declared it smaller than "
                 "%zu (pass sizeof(%s))",
                 type, out_size, min_size, type);
    return HM_OK;
}

void hm__abi_write(void *dst, size_t dst_size, const void *src, size_t src_size)
{
    if (!dst) return;
    size_t n = min_size_t(dst_size, src_size);
    memcpy(dst, src, n);
    if (dst_size > n) memset((uint8_t *)dst + n, 0, dst_size - n);
}

/* ---- the 0.1.0 entry points ---- */

HM_API hm_status hm_image_decode(const void *data, size_t size, const hm_decode_options *opt,
                                 hm_image **out, hm_error *err);
HM_API hm_status hm_image_load(const char *path, const hm_decode_options *opt, hm_image **out,
                               hm_error *err);
HM_API hm_status hm_hash_buffer(const void *data, size_t size, const hm_hash_options *opt,
                                hm_hashes *out, hm_error *err);
HM_API hm_status hm_hash_file(const char *path, const hm_hash_options *opt, hm_hashes *out,
                              hm_error *err);
HM_API hm_status hm_hash_image(const hm_image *img, const hm_hash_options *opt, hm_hashes *out,
                               hm_error *err);
HM_API hm_status hm_set_open(const void *data, size_t size, const hm_set_open_options *opt,
                             hm_set **out, hm_error *err);
HM_API hm_status hm_set_open_file(const char *path, const hm_set_open_options *opt,
                                  hm_set **out, hm_error *err);
HM_API hm_status hm_set_entry_get(const hm_set *set, hm_algo algo, size_t index,
                                  hm_set_entry *out);
HM_API void hm_set_policy_default(hm_algo algo, hm_set_policy *out);
HM_API hm_status hm_set_builder_set_policy(hm_set_builder *b, hm_algo algo,
                                           const hm_set_policy *policy, hm_error *err);
HM_API hm_status hm_scanner_new(const hm_set *set, const hm_scanner_options *opt,
                                hm_scanner **out, hm_error *err);
HM_API hm_status hm_scanner_scan_hashes(const hm_scanner *scanner, const hm_hashes *h,
                                        hm_report **out, hm_error *err);

#define V010_DECODE_OPTIONS sizeof(hm__v010_decode_options)
#define V010_HASH_OPTIONS sizeof(hm__v010_hash_options)
#define V010_HASHES sizeof(hm__v010_hashes)

hm_status hm_image_decode(const void *data, size_t size, const hm_decode_options *opt,
                          hm_image **out, hm_error *err)
{
    return hm_image_decode_sized(data, size, opt, V010_DECODE_OPTIONS, out, err);
}

hm_status hm_image_load(const char *path, const hm_decode_options *opt, hm_image **out,
                        hm_error *err)
{
    return hm_image_load_sized(path, opt, V010_DECODE_OPTIONS, out, err);
}

hm_status hm_hash_buffer(const void *data, size_t size, const hm_hash_options *opt,
                         hm_hashes *out, hm_error *err)
{
    return hm_hash_buffer_sized(data, size, opt, V010_HASH_OPTIONS, out, V010_HASHES, err);
}

hm_status hm_hash_file(const char *path, const hm_hash_options *opt, hm_hashes *out,
                       hm_error *err)
{
    return hm_hash_file_sized(path, opt, V010_HASH_OPTIONS, out, V010_HASHES, err);
}

hm_status hm_hash_image(const hm_image *img, const hm_hash_options *opt, hm_hashes *out,
                        hm_error *err)
{
    return hm_hash_image_sized(img, opt, V010_HASH_OPTIONS, out, V010_HASHES, err);
}

/* 0.1.0's options in today's layout. Its tail padding is never read: a 0.1.0
 * program may have left it uninitialised, and today's limits start there. */
static const hm_set_open_options *set_open_options_v010(const hm_set_open_options *opt,
                                                         hm_set_open_options *now)
{
    if (!opt) return NULL;
    const hm__v010_set_open_options *o = (const hm__v010_set_open_options *)(const void *)opt;
    memset(now, 0, sizeof *now);
    memcpy(&now->trust, &o->trust, sizeof o->trust);
    now->min_version = o->min_version;
    now->now = o->now;
    now->max_clock_skew = o->max_clock_skew;
    now->min_attesters = o->min_attesters;
    return now;
}

hm_status hm_set_open(const void *data, size_t size, const hm_set_open_options *opt,
                      hm_set **out, hm_error *err)
{
    hm_set_open_options now;
    opt = set_open_options_v010(opt, &now);
    return hm_set_open_sized(data, size, opt, sizeof now, out, err);
}

hm_status hm_set_open_file(const char *path, const hm_set_open_options *opt, hm_set **out,
                           hm_error *err)
{
    hm_set_open_options now;
    opt = set_open_options_v010(opt, &now);
    return hm_set_open_file_sized(path, opt, sizeof now, out, err);
}

hm_status hm_set_entry_get(const hm_set *set, hm_algo algo, size_t index, hm_set_entry *out)
{
    return hm_set_entry_get_sized(set, algo, index, out, sizeof(hm__v010_set_entry));
}

void hm_set_policy_default(hm_algo algo, hm_set_policy *out)
{
    hm_set_policy_default_sized(algo, out, sizeof(hm__v010_set_policy));
}

hm_status hm_set_builder_set_policy(hm_set_builder *b, hm_algo algo, const hm_set_policy *policy,
                                    hm_error *err)
{
    return hm_set_builder_set_policy_sized(b, algo, policy, sizeof(hm__v010_set_policy), err);
}

/* 0.1.0's options in today's layout: its embedded hm_decode_options was
 * smaller, so the fields after it sit elsewhere now. */
hm_status hm_scanner_new(const hm_set *set, const hm_scanner_options *opt, hm_scanner **out,
                         hm_error *err)
{
    if (!opt) return hm_scanner_new_sized(set, NULL, 0, out, err);
    const hm__v010_scanner_options *o = (const hm__v010_scanner_options *)(const void *)opt;
    hm_scanner_options now;
    memset(&now, 0, sizeof now);
    now.algos = o->algos;
    now.pdq_dihedral = o->pdq_dihedral;
    now.decode.max_pixels = o->decode.max_pixels;
    now.decode.apply_exif_orientation = o->decode.apply_exif_orientation;
    now.force_tier = o->force_tier;
    now.tier = o->tier;
    now.build_threads = o->build_threads;
    return hm_scanner_new_sized(set, &now, sizeof now, out, err);
}

hm_status hm_scanner_scan_hashes(const hm_scanner *scanner, const hm_hashes *h, hm_report **out,
                                 hm_error *err)
{
    return hm_scanner_scan_hashes_sized(scanner, h, V010_HASHES, out, err);
}
