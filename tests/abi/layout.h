/* layout.h - the public structs and constants of hashmatch 0.1.0, listed once
 * so that two translation units can measure them: layout_v010.c against the
 * frozen 0.1.0 header, layout_now.c against today's (docs/ABI.md). */
#ifndef HM_ABI_LAYOUT_H
#define HM_ABI_LAYOUT_H

#include <stddef.h>

/* Every field of every struct 0.1.0 declared: X(struct, field, SAME). */
#define HM_ABI_FIELDS(X)                                                                          \
    X(hm_error, status, SAME) X(hm_error, message, SAME)                                                      \
    X(hm_decode_options, max_pixels, SAME) X(hm_decode_options, apply_exif_orientation, SAME)                 \
    X(hm_hash_options, algos, SAME) X(hm_hash_options, pdq_mode, SAME) X(hm_hash_options, pdq_dihedral, SAME)       \
    X(hm_hash_options, decode, GROWN)                                                                    \
    X(hm_hashes, algos, SAME) X(hm_hashes, width, SAME) X(hm_hashes, height, SAME) X(hm_hashes, pdq, SAME)                \
    X(hm_hashes, pdq_quality, SAME) X(hm_hashes, has_pdq_dihedral, SAME) X(hm_hashes, pdq_dihedral, SAME)           \
    X(hm_hashes, ahash, SAME) X(hm_hashes, dhash, SAME) X(hm_hashes, phash, SAME) X(hm_hashes, whash, SAME)               \
    X(hm_hashes, md5, SAME) X(hm_hashes, sha1, SAME) X(hm_hashes, sha256, SAME)                                     \
    X(hm_transform_step, kind, SAME) X(hm_transform_step, param, SAME)                                        \
    X(hm_transform, count, SAME) X(hm_transform, steps, SAME)                                                 \
    X(hm_trust, keys, SAME) X(hm_trust, key_count, SAME) X(hm_trust, threshold, SAME)                               \
    X(hm_trust, allow_unknown_keys, SAME)                                                               \
    X(hm_set_open_options, trust, SAME) X(hm_set_open_options, min_version, SAME)                             \
    X(hm_set_open_options, now, SAME) X(hm_set_open_options, max_clock_skew, SAME)                            \
    X(hm_set_open_options, min_attesters, SAME)                                                         \
    X(hm_set_section, algo, SAME) X(hm_set_section, variant, SAME) X(hm_set_section, radius, SAME)                  \
    X(hm_set_section, allow_radius, SAME) X(hm_set_section, min_quality, SAME)                                \
    X(hm_set_section, entry_count, SAME) X(hm_set_section, active_count, SAME)                                \
    X(hm_set_section, allow_count, SAME)                                                                \
    X(hm_set_entry, hash, SAME) X(hm_set_entry, category, SAME) X(hm_set_entry, category_name, SAME)                \
    X(hm_set_entry, attesters, SAME) X(hm_set_entry, external_id, SAME) X(hm_set_entry, active, SAME)               \
    X(hm_set_signature, key_id, SAME) X(hm_set_signature, signature, SAME) X(hm_set_signature, status, SAME)        \
    X(hm_set_signature, trusted_index, SAME)                                                            \
    X(hm_set_policy, variant, SAME) X(hm_set_policy, radius, SAME) X(hm_set_policy, allow_radius, SAME)             \
    X(hm_set_policy, min_quality, SAME)                                                                 \
    X(hm_scanner_options, algos, SAME) X(hm_scanner_options, pdq_dihedral, SAME)                              \
    X(hm_scanner_options, decode, GROWN) X(hm_scanner_options, force_tier, CONVERTED)                               \
    X(hm_scanner_options, tier, CONVERTED) X(hm_scanner_options, build_threads, CONVERTED)                              \
    X(hm_match, algo, SAME) X(hm_match, entry, SAME) X(hm_match, distance, SAME) X(hm_match, dihedral, SAME)              \
    X(hm_match, category, SAME) X(hm_match, category_name, SAME) X(hm_match, attesters, SAME)                       \
    X(hm_match, external_id, SAME)

/* Every enum constant and size macro of 0.1.0: C(name). */
#define HM_ABI_CONSTANTS(C)                                                                       \
    C(HM_OK) C(HM_E_INVALID_ARGUMENT) C(HM_E_NO_MEMORY) C(HM_E_IO) C(HM_E_PARSE)                  \
    C(HM_E_UNSUPPORTED) C(HM_E_INTERNAL) C(HM_E_CRYPTO) C(HM_E_LIMIT) C(HM_E_IMAGE_EMPTY)         \
    C(HM_E_IMAGE_FORMAT) C(HM_E_IMAGE_TRUNCATED) C(HM_E_IMAGE_CORRUPT) C(HM_E_IMAGE_TOO_LARGE)    \
    C(HM_E_IMAGE_DIMENSIONS) C(HM_E_IMAGE_UNSUPPORTED) C(HM_E_SET_MAGIC)                          \
    C(HM_E_SET_FORMAT_VERSION) C(HM_E_SET_TRUNCATED) C(HM_E_SET_TRAILING) C(HM_E_SET_DIGEST)      \
    C(HM_E_SET_BAD_SIGNATURE) C(HM_E_SET_UNKNOWN_KEY) C(HM_E_SET_DUPLICATE_KEY)                   \
    C(HM_E_SET_THRESHOLD) C(HM_E_SET_EXPIRED) C(HM_E_SET_ROLLBACK) C(HM_E_SET_UNSORTED)           \
    C(HM_E_SET_DUPLICATE_ENTRY) C(HM_E_SET_BOUNDS) C(HM_E_SET_UNKNOWN_ALGORITHM)                  \
    C(HM_E_SET_UNKNOWN_CATEGORY) C(HM_E_SET_FIELD) C(HM_E_SET_NOT_YET_VALID) C(HM_E_SET_KEY)      \
    C(HM_E_SCAN_NO_ALGORITHM) C(HM_ALGO_PDQ) C(HM_ALGO_AHASH) C(HM_ALGO_DHASH) C(HM_ALGO_PHASH)   \
    C(HM_ALGO_WHASH) C(HM_ALGO_MD5) C(HM_ALGO_SHA1) C(HM_ALGO_SHA256) C(HM_FORMAT_UNKNOWN)        \
    C(HM_FORMAT_JPEG) C(HM_FORMAT_PNG) C(HM_FORMAT_GIF) C(HM_FORMAT_WEBP) C(HM_FORMAT_PNM)        \
    C(HM_FORMAT_RAW) C(HM_COLOR_GRAY) C(HM_COLOR_BILEVEL) C(HM_COLOR_PALETTE) C(HM_COLOR_RGB)     \
    C(HM_COLOR_CMYK) C(HM_PDQ_FULLRES) C(HM_PDQ_CLI512) C(HM_TRANSFORM_JPEG)                      \
    C(HM_TRANSFORM_SCALE) C(HM_TRANSFORM_CROP) C(HM_TRANSFORM_ROTATE) C(HM_TRANSFORM_FLIP)        \
    C(HM_TRANSFORM_FLIPV) C(HM_TRANSFORM_PAD) C(HM_TRANSFORM_LETTERBOX)                           \
    C(HM_TRANSFORM_BRIGHTNESS) C(HM_TRANSFORM_CONTRAST) C(HM_TRANSFORM_GAMMA)                     \
    C(HM_TRANSFORM_BLUR) C(HM_TRANSFORM_NOISE) C(HM_TRANSFORM_OVERLAY) C(HM_SIG_UNCHECKED)        \
    C(HM_SIG_VALID) C(HM_SIG_IGNORED) C(HM_MATCH_TIER_SCALAR) C(HM_MATCH_TIER_AVX2)               \
    C(HM_MATCH_TIER_AVX512) C(HM_MATCH_TIER_NEON) C(HM_ERROR_MESSAGE_SIZE) C(HM_PDQ_BYTES)        \
    C(HM_PDQ_DIHEDRAL_COUNT) C(HM_IMAGEHASH_BYTES) C(HM_MD5_BYTES) C(HM_SHA1_BYTES)               \
    C(HM_SHA256_BYTES) C(HM_ALGO_COUNT) C(HM_TRANSFORM_MAX_STEPS) C(HM_TRANSFORM_MAX_PARAMS)      \
    C(HM_SET_DIGEST_BYTES) C(HM_ED25519_PUBLIC_BYTES) C(HM_ED25519_SECRET_BYTES)                  \
    C(HM_ED25519_SIGNATURE_BYTES) C(HM_KEY_ID_BYTES) C(HM_MATCH_TIER_COUNT)

/* Constants that count appended enum values: they grow with them (never
 * shrink), docs/ABI.md rule 7. */
#define HM_ABI_GROWING_COUNTS "HM_ALGO_COUNT", "HM_MATCH_TIER_COUNT"

/* Structs sealed since 0.1.0 (embedded in others or crossing the API in
 * arrays): they never change size. hm_decode_options and hm_policy_limits
 * are sealed from the first release with *_sized entry points on. */
#define HM_ABI_SEALED(S) S(hm_error) S(hm_trust) S(hm_transform_step) S(hm_transform)

/* Every struct: S(name). */
#define HM_ABI_STRUCTS(S)                                                                         \
    HM_ABI_SEALED(S) S(hm_decode_options) S(hm_hash_options) S(hm_hashes)                        \
    S(hm_set_open_options) S(hm_set_section) S(hm_set_entry) S(hm_set_signature)                 \
    S(hm_set_policy) S(hm_scanner_options) S(hm_match)

enum { SAME, GROWN, CONVERTED };

typedef struct hm_abi_field {
    const char *name;
    size_t offset, size;
    int rule;
} hm_abi_field;

typedef struct hm_abi_struct {
    const char *name;
    size_t size, align;
} hm_abi_struct;

typedef struct hm_abi_constant {
    const char *name;
    long long value;
} hm_abi_constant;

typedef struct hm_abi_layout {
    const hm_abi_field *fields;
    const hm_abi_struct *structs;
    const hm_abi_constant *constants;
} hm_abi_layout;

#define HM_ABI_FIELD_ENTRY(s, f, rule) {#s "." #f, offsetof(s, f), sizeof(((s *)0)->f), rule},
#define HM_ABI_STRUCT_ENTRY(s) {#s, sizeof(s), _Alignof(s)},
#define HM_ABI_CONSTANT_ENTRY(c) {#c, (long long)(c)},

extern const hm_abi_layout hm_abi_layout_v010, hm_abi_layout_now;

#endif
