/* abi.h - the caller's structs across releases (internal; docs/ABI.md).
 *
 * A struct that may grow reaches the library through a `*_sized` entry point
 * with the caller's sizeof. The library reads the prefix both sides know and
 * zero-fills the rest (zero is every field's default), and writes no more
 * than the caller's size. The layouts of 0.1.0, the first release, are kept
 * here as hm__v010_*: the 0.1.0 entry points (abi.c) pass their sizes where
 * 0.1.0's struct is a prefix of today's (abi.c checks which are at compile
 * time) and convert field by field where it is not (hm_scanner_options, whose
 * embedded hm_decode_options grew; hm_set_open_options, whose tail padding
 * today's limits would overlap). */
#ifndef HM_ABI_H
#define HM_ABI_H

#include "common.h"

/* ---- 0.1.0 layouts (tests/abi/hashmatch-0.1.0.h) ---- */

typedef struct hm__v010_decode_options {
    uint64_t max_pixels;
    int apply_exif_orientation;
} hm__v010_decode_options;

typedef struct hm__v010_hash_options {
    uint32_t algos;
    hm_pdq_mode pdq_mode;
    int pdq_dihedral;
    hm__v010_decode_options decode;
} hm__v010_hash_options;

typedef struct hm__v010_hashes {
    uint32_t algos, width, height;
    uint8_t pdq[HM_PDQ_BYTES];
    int pdq_quality;
    int has_pdq_dihedral;
    uint8_t pdq_dihedral[HM_PDQ_DIHEDRAL_COUNT][HM_PDQ_BYTES];
    uint8_t ahash[HM_IMAGEHASH_BYTES], dhash[HM_IMAGEHASH_BYTES], phash[HM_IMAGEHASH_BYTES],
        whash[HM_IMAGEHASH_BYTES];
    uint8_t md5[HM_MD5_BYTES], sha1[HM_SHA1_BYTES], sha256[HM_SHA256_BYTES];
} hm__v010_hashes;

typedef struct hm__v010_trust {
    const uint8_t (*keys)[HM_ED25519_PUBLIC_BYTES];
    size_t key_count;
    unsigned threshold;
    int allow_unknown_keys;
} hm__v010_trust;

typedef struct hm__v010_set_open_options {
    hm__v010_trust trust;
    uint64_t min_version, now, max_clock_skew;
    unsigned min_attesters;
} hm__v010_set_open_options;

typedef struct hm__v010_set_entry {
    const uint8_t *hash;
    unsigned category;
    const char *category_name;
    unsigned attesters;
    const char *external_id;
    int active;
} hm__v010_set_entry;

typedef struct hm__v010_set_policy {
    unsigned variant, radius, allow_radius, min_quality;
} hm__v010_set_policy;

typedef struct hm__v010_scanner_options {
    uint32_t algos;
    int pdq_dihedral;
    hm__v010_decode_options decode;
    int force_tier;
    hm_match_tier tier;
    unsigned build_threads;
} hm__v010_scanner_options;

/* ---- the smallest size any release gave each growable struct ---- */

#define HM__ABI_MIN_hm_decode_options sizeof(hm__v010_decode_options)
#define HM__ABI_MIN_hm_hash_options sizeof(hm__v010_hash_options)
#define HM__ABI_MIN_hm_hashes sizeof(hm__v010_hashes)
#define HM__ABI_MIN_hm_set_entry sizeof(hm__v010_set_entry)
#define HM__ABI_MIN_hm_set_policy sizeof(hm__v010_set_policy)
/* 0.1.0's layouts of these are not prefixes of today's (the 0.1.0 entry
 * points convert them), and hm_pixels and the video structs are new: the smallest size is that of
 * the first release with *_sized entry points. Until it is made that is
 * today's; when it is, freeze its layouts here (hm__v020_*, with a frozen
 * copy of its header in tests/abi/) and point these at them. */
#define HM__ABI_MIN_hm_set_open_options sizeof(hm_set_open_options)
#define HM__ABI_MIN_hm_scanner_options sizeof(hm_scanner_options)
#define HM__ABI_MIN_hm_pixels sizeof(hm_pixels)
#define HM__ABI_MIN_hm_vpdq_comparison sizeof(hm_vpdq_comparison)
#define HM__ABI_MIN_hm_set_video_frame sizeof(hm_set_video_frame)

/* ---- reading and writing ---- */

/* Copies the caller's struct `src` (src_size bytes, the sizeof of the header
 * it was built with) into our `dst` (dst_size bytes): the prefix both know,
 * zeros for the fields its header did not have. A struct larger than ours
 * (from a newer header) is accepted only when every byte we do not know is
 * zero: a field we cannot honour is an error, never silently ignored. NULL
 * `src` gives a zeroed `dst` (the defaults). `type` names it in messages. */
hm_status hm__abi_read(void *dst, size_t dst_size, const void *src, size_t src_size,
                       size_t min_size, const char *type, hm_error *err);

/* Checks an output struct's size before anything is computed. */
hm_status hm__abi_check_out(const void *out, size_t out_size, size_t min_size, const char *type,
                            hm_error *err);

/* Copies our struct `src` into the caller's `dst` (dst_size bytes): never
 * more than dst_size, zeros beyond what we have. NULL dst: nothing. */
void hm__abi_write(void *dst, size_t dst_size, const void *src, size_t src_size);

#define HM__ABI_READ(type, dst, src, src_size, err)                                               \
    hm__abi_read((dst), sizeof(type), (src), (src_size), HM__ABI_MIN_##type, #type, (err))
#define HM__ABI_CHECK_OUT(type, out, out_size, err)                                               \
    hm__abi_check_out((out), (out_size), HM__ABI_MIN_##type, #type, (err))

#endif /* HM_ABI_H */
