/* layout.h - the public structs and constants of hashmatch 0.1.0, listed once
 * so that two translation units can measure them: layout_v010.c against the
 * frozen 0.1.0 header, layout_now.c against today's (docs/ABI.md). */
#ifndef HM_ABI_LAYOUT_H
#define HM_ABI_LAYOUT_H

#include <stddef.h>

/* Every field of every struct 0.1.0 declared: X(struct, field). */
#define HM_ABI_FIELDS(X)                                                                          \
    X(hm_error, status) X(hm_error, message)                                                      \
    X(hm_decode_options, max_pixels) X(hm_decode_options, apply_exif_orientation)                 \
    X(hm_hash_options, algos) X(hm_hash_options, pdq_mode) X(hm_hash_options, pdq_dihedral)       \
    X(hm_hash_options, decode)                                                                    \
    X(hm_hashes, algos) X(hm_hashes, width) X(hm_hashes, height) X(hm_hashes, pdq)                \
    X(hm_hashes, pdq_quality) X(hm_hashes, has_pdq_dihedral) X(hm_hashes, pdq_dihedral)           \
    X(hm_hashes, ahash) X(hm_hashes, dhash) X(hm_hashes, phash) X(hm_hashes, whash)               \
    X(hm_hashes, md5) X(hm_hashes, sha1) X(hm_hashes, sha256)                                     \
    X(hm_transform_step, kind) X(hm_transform_step, param)                                        \
    X(hm_transform, count) X(hm_transform, steps)                                                 \
    X(hm_trust, keys) X(hm_trust, key_count) X(hm_trust, threshold)                               \
    X(hm_trust, allow_unknown_keys)                                                               \
    X(hm_set_open_options, trust) X(hm_set_open_options, min_version)                             \
    X(hm_set_open_options, now) X(hm_set_open_options, max_clock_skew)                            \
    X(hm_set_open_options, min_attesters)                                                         \
    X(hm_set_section, algo) X(hm_set_section, variant) X(hm_set_section, radius)                  \
    X(hm_set_section, allow_radius) X(hm_set_section, min_quality)                                \
    X(hm_set_section, entry_count) X(hm_set_section, active_count)                                \
    X(hm_set_section, allow_count)                                                                \
    X(hm_set_entry, hash) X(hm_set_entry, category) X(hm_set_entry, category_name)                \
    X(hm_set_entry, attesters) X(hm_set_entry, external_id) X(hm_set_entry, active)               \
    X(hm_set_signature, key_id) X(hm_set_signature, signature) X(hm_set_signature, status)        \
    X(hm_set_signature, trusted_index)                                                            \
    X(hm_set_policy, variant) X(hm_set_policy, radius) X(hm_set_policy, allow_radius)             \
    X(hm_set_policy, min_quality)                                                                 \
    X(hm_scanner_options, algos) X(hm_scanner_options, pdq_dihedral)                              \
    X(hm_scanner_options, decode) X(hm_scanner_options, force_tier)                               \
    X(hm_scanner_options, tier) X(hm_scanner_options, build_threads)                              \
    X(hm_match, algo) X(hm_match, entry) X(hm_match, distance) X(hm_match, dihedral)              \
    X(hm_match, category) X(hm_match, category_name) X(hm_match, attesters)                       \
    X(hm_match, external_id)

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

/* Structs that are embedded in others or cross the API in arrays: they
 * never change size. */
#define HM_ABI_SEALED(S)                                                                          \
    S(hm_error) S(hm_decode_options) S(hm_trust) S(hm_transform_step) S(hm_transform)

/* Every struct: S(name). */
#define HM_ABI_STRUCTS(S)                                                                         \
    HM_ABI_SEALED(S) S(hm_hash_options) S(hm_hashes) S(hm_set_open_options) S(hm_set_section)    \
    S(hm_set_entry) S(hm_set_signature) S(hm_set_policy) S(hm_scanner_options) S(hm_match)

/* The first field each growable struct gained after 0.1.0: it must start at
 * or after 0.1.0's sizeof, never in the tail padding a 0.1.0 program may
 * have left uninitialised. Fields appended later come after it. */
#define HM_ABI_APPENDED(X) X(hm_set_open_options, limits) X(hm_scanner_options, limits)

typedef struct hm_abi_field {
    const char *name;
    size_t offset, size;
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
    const hm_abi_field *appended; /* today's layout only */
} hm_abi_layout;

#define HM_ABI_FIELD_ENTRY(s, f) {#s "." #f, offsetof(s, f), sizeof(((s *)0)->f)},
#define HM_ABI_STRUCT_ENTRY(s) {#s, sizeof(s), _Alignof(s)},
#define HM_ABI_CONSTANT_ENTRY(c) {#c, (long long)(c)},

extern const hm_abi_layout hm_abi_layout_v010, hm_abi_layout_now;

#endif
