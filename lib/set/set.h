/* set.h - the verified fingerprint set as the matcher sees it (internal).
 *
 * A hm_set is immutable after hm_set_open*; everything here only reads it and
 * may be called from any thread. Memory layout (docs/FORMAT.md): per algorithm
 * the entry hashes are ONE contiguous array of fixed-size records in strictly
 * ascending memcmp order (= numeric order of the hex value), starting on a
 * 64-byte boundary; a parallel array holds 8 bytes of metadata per entry. The
 * brute-force kernels stream `hashes` directly; exact lookups binary-search it.
 *
 * Matching rules the view carries (chosen by the publisher, not the app):
 *   - an entry matches a query when hm_hamming(query, entry) <= radius
 *     (radius is 0 for the digests: exact match) and the entry is active;
 *   - a PDQ query whose quality is below min_quality is not matched at all;
 *   - a match is suppressed when the query is within allow_radius of any
 *     allowlist hash of the same algorithm;
 *   - for PDQ, `variant` (hm_pdq_mode) says how the set's hashes were made:
 *     queries should be hashed the same way. */
#ifndef HM_SET_SET_H
#define HM_SET_SET_H

#include "format.h"

typedef struct hm__set_view {
    hm_set_section info;   /* algo, variant, radius, allow_radius, min_quality, counts */
    size_t hash_size;      /* hm_algo_hash_size(info.algo) */
    const uint8_t *hashes; /* info.entry_count * hash_size bytes, sorted, unique, 64-aligned */
    const uint8_t *meta;   /* info.entry_count * HM__META_SIZE bytes */
    const uint8_t *allow;  /* info.allow_count * hash_size bytes, sorted, unique, 64-aligned */
    unsigned min_attesters; /* entries with fewer attesters are inactive */
    /* vPDQ (entries are videos; `hashes` holds info.frame_count frame hashes,
     * `meta` the videos' standard metadata): */
    const uint8_t *ranges; /* entry_count x HM__RANGE_SIZE */
    const uint8_t *frames; /* info.frame_count x HM__FRAME_SIZE */
} hm__set_view;

/* The section of `algo`, or NULL when the set has none. */
const hm__set_view *hm__set_view_get(const hm_set *set, hm_algo algo);

/* Pointer to the hash of entry i (no bounds check: i < info.entry_count). */
static inline const uint8_t *hm__set_hash(const hm__set_view *v, size_t i)
{
    return v->hashes + i * v->hash_size;
}

/* Category index of entry i (always < hm_set_category_count: checked at open). */
static inline unsigned hm__set_entry_category(const hm__set_view *v, size_t i)
{
    return hm__load_le16(v->meta + i * HM__META_SIZE + HM__M_CATEGORY);
}

/* Number of organisations that attested entry i (>= 1). */
static inline unsigned hm__set_entry_attesters(const hm__set_view *v, size_t i)
{
    return hm__load_le16(v->meta + i * HM__META_SIZE + HM__M_ATTESTERS);
}

/* Whether entry i passes the attester policy: inactive entries are never matched. */
static inline int hm__set_entry_active(const hm__set_view *v, size_t i)
{
    return hm__set_entry_attesters(v, i) >= v->min_attesters;
}

/* vPDQ: the frames of video i are first .. first + count - 1. */
static inline uint32_t hm__set_video_first(const hm__set_view *v, size_t i)
{
    return hm__load_le32(v->ranges + i * HM__RANGE_SIZE + HM__R_FIRST);
}
static inline uint32_t hm__set_video_count(const hm__set_view *v, size_t i)
{
    return hm__load_le32(v->ranges + i * HM__RANGE_SIZE + HM__R_COUNT);
}
static inline unsigned hm__set_frame_quality(const hm__set_view *v, size_t f)
{
    return hm__load_le16(v->frames + f * HM__FRAME_SIZE + HM__F_QUALITY);
}
static inline uint32_t hm__set_frame_number(const hm__set_view *v, size_t f)
{
    return hm__load_le32(v->frames + f * HM__FRAME_SIZE + HM__F_NUMBER);
}
static inline uint32_t hm__set_frame_ms(const hm__set_view *v, size_t f)
{
    return hm__load_le32(v->frames + f * HM__FRAME_SIZE + HM__F_MS);
}

/* Bounds on a vPDQ policy. The format's own (hm__vpdq_format_bounds) are
 * checked when a set is built and opened; a client may check stricter ones
 * (a smaller frame radius, a higher quality floor and thresholds) with the
 * same function. */
typedef struct hm__vpdq_bounds {
    unsigned max_radius;             /* frame radius and allowlist radius */
    unsigned min_quality;            /* the quality floor at least this */
    unsigned min_query_match_pct;    /* hundredths of a percent */
    unsigned min_compared_match_pct;
} hm__vpdq_bounds;
extern const hm__vpdq_bounds hm__vpdq_format_bounds;

/* Checks p against b (and the format's absolute ranges: quality <= 100,
 * percentages <= 10000, interval <= 60000 ms); `status` is returned with a
 * message naming `where` on failure. */
hm_status hm__vpdq_policy_check(const hm_set_policy *p, const hm__vpdq_bounds *b,
                                hm_status status, const char *where, hm_error *err);

/* vPDQ structure (video.c): frame ranges, frame records, each hash once per
 * video, videos in ascending order. */
hm_status hm__set_check_videos(const hm__set_view *v, hm_error *err);

/* The canonical order of two videos given as their frame hashes (n x 32
 * bytes) and frame records (n x HM__FRAME_SIZE): frame by frame, the hash,
 * then the record's bytes; a video that is a proper prefix of the other
 * sorts first. */
int hm__set_video_cmp(const uint8_t *ha, const uint8_t *ra, size_t na, const uint8_t *hb,
                      const uint8_t *rb, size_t nb);

/* External id of entry i ("" when none). */
const char *hm__set_entry_external_id(const hm_set *set, const hm__set_view *v, size_t i);

/* Name of a category (index < hm_set_category_count). */
const char *hm__set_category(const hm_set *set, unsigned index);

/* policy.c: a section's policy against the client's limits (NULL: the
 * defaults); HM_E_SET_POLICY with both numbers. */
hm_status hm__set_check_section_policy(const hm_set_section *s, const hm_policy_limits *l,
                                       hm_error *err);

/* Whether s[0..n) is text a set may hold (names, categories, external ids):
 * UTF-8 without control characters or bidirectional formatting controls. */
int hm__set_text_ok(const char *s, size_t n);
/* strings.c, the pieces of that rule (also used by the CLI's escaping):
 * decodes one UTF-8 sequence at s[0..n) and returns its length, 0 if
 * invalid (overlong forms, surrogates and values above U+10FFFF are); and
 * whether a code point may appear in set text (no C0, DEL, C1 or
 * bidirectional formatting controls). */
size_t hm__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int hm__text_char_ok(uint32_t cp);

/* ---- internal verification pipeline (docs/FORMAT.md, "Verification") ----
 * Exposed for the tests and the fuzz target, which call the stages directly. */

/* The framing of a file: where the content ends and the signature block is. */
typedef struct hm__set_frame {
    uint64_t content_size;
    const uint8_t *stored_digest; /* HM_SET_DIGEST_BYTES inside the file */
    uint32_t sig_count;
    const uint8_t *sigs;          /* sig_count records of HM__SIG_RECORD_SIZE */
} hm__set_frame;

/* Checks the magic, format version and content size from the first
 * `avail` bytes of a file of `size` bytes (avail = min(size, 256)). */
hm_status hm__set_check_prefix(const uint8_t *data, size_t avail, uint64_t size,
                               uint64_t *content_size, hm_error *err);

/* Full framing: prefix, signature block magic, count and exact file length. */
hm_status hm__set_read_frame(const uint8_t *data, size_t size, hm__set_frame *f, hm_error *err);

/* Structural validation of content (header fields, layout, strings,
 * categories, sections, entries) without digest, signatures, version or time
 * checks: the second half of hm_set_open, callable on its own by the fuzzer.
 * Offsets must be aligned; the pointer itself need not be. */
hm_status hm__set_validate_content(const uint8_t *content, size_t content_size, hm_error *err);

/* SHA-256 of a buffer, and the Ed25519 primitives through OpenSSL EVP. */
hm_status hm__sha256(const uint8_t *data, size_t size, uint8_t out[HM_SET_DIGEST_BYTES],
                     hm_error *err);
hm_status hm__ed25519_sign(const uint8_t secret[HM_ED25519_SECRET_BYTES], const uint8_t *msg,
                           size_t size, uint8_t sig[HM_ED25519_SIGNATURE_BYTES], hm_error *err);
/* *valid = 1 when the signature verifies, 0 when it does not (HM_OK both). */
hm_status hm__ed25519_verify(const uint8_t pub[HM_ED25519_PUBLIC_BYTES], const uint8_t *msg,
                             size_t size, const uint8_t sig[HM_ED25519_SIGNATURE_BYTES],
                             int *valid, hm_error *err);

/* keycheck.c: NULL when `point` is a canonical encoding of a point of large
 * order, otherwise why not (small order, y >= p, x = 0 with the sign bit);
 * NULL when a signature's S is reduced and its R canonical and not of small
 * order, otherwise why not. hm__ed25519_verify refuses both kinds. */
const char *hm__ed25519_point_weakness(const uint8_t point[32]);
const char *hm__ed25519_signature_weakness(const uint8_t sig[HM_ED25519_SIGNATURE_BYTES]);

/* The message every signature signs: context string, NUL, content digest. */
void hm__set_sig_message(const uint8_t digest[HM_SET_DIGEST_BYTES],
                         uint8_t msg[HM__SIG_MESSAGE_SIZE]);

/* Writes a signature block for `content` (digest + one signature per secret
 * key, in order) after it, without validating the content: tests and the
 * fuzz target use it to sign deliberately malformed content. The result is
 * malloc'd (release with hm_buffer_free). */
hm_status hm__set_seal(const uint8_t *content, size_t content_size,
                       const uint8_t (*secrets)[HM_ED25519_SECRET_BYTES], size_t nsecrets,
                       uint8_t **out, size_t *out_size, hm_error *err);

#endif /* HM_SET_SET_H */
