/* set_internal.h - the hm_set object and the stages that fill it (internal
 * to lib/set/). */
#ifndef HM_SET_INTERNAL_H
#define HM_SET_INTERNAL_H

#include "set.h"

struct hm_set {
    uint8_t *mem; /* private, 64-byte aligned copy of the whole file */
    size_t size;
    size_t content_size;
    uint8_t digest[HM_SET_DIGEST_BYTES];
    int verified;
    uint64_t version, created, expires;
    const uint8_t *previous; /* NULL when the header's previous digest is zero */
    const char *strings;
    size_t strings_size;
    const char *name, *issuer;
    const uint8_t *categories; /* category_count u32 string refs */
    unsigned category_count;
    unsigned min_attesters;
    const hm_policy_limits *limits; /* during a verified open only, else NULL */
    uint32_t algos;
    hm__set_view views[HM_ALGO_COUNT + 1]; /* indexed by hm_algo */
    size_t sig_count;
    hm_set_signature sigs[HM_SET_MAX_SIGNATURES];
};

/* The fixed header fields, read and checked before any policy decision. */
typedef struct hm__set_header {
    uint64_t version, created, expires;
    uint32_t name, issuer, category_count, section_count;
    uint64_t sections_offset, categories_offset, strings_offset, strings_size;
} hm__set_header;

/* parse.c: header fields (HM_E_SET_FIELD), then everything else into `set`
 * (whose min_attesters must already be set). `c` is the content. */
hm_status hm__set_parse_header(const uint8_t *c, size_t n, hm__set_header *h, hm_error *err);
hm_status hm__set_parse_body(const uint8_t *c, size_t n, const hm__set_header *h, hm_set *set,
                             hm_error *err);


/* strings.c: Unix seconds as an ISO 8601 UTC date-time, for messages. */
#define HM__TIME_SIZE 64
void hm__format_time(uint64_t t, char out[HM__TIME_SIZE]);

/* verify.c: checks every signature record against the trust policy and
 * fills sigs[]; returns the first failure (docs/FORMAT.md order). */
hm_status hm__set_check_signatures(const hm__set_frame *f, const uint8_t digest[HM_SET_DIGEST_BYTES],
                                   const hm_trust *trust, hm_set_signature *sigs, hm_error *err);

/* Reads exactly n bytes into dst (ingest sources: memory or a file). */
typedef hm_status (*hm__set_reader)(void *ctx, uint8_t *dst, size_t n, hm_error *err);

/* verify.c: copies a file of `size` bytes from `rd` into fresh 64-byte aligned
 * memory, checking the prefix first and hashing the content as it arrives, so
 * the digest is of exactly the bytes that are kept. */
hm_status hm__set_ingest(hm__set_reader rd, void *ctx, size_t size, uint8_t **mem,
                         uint8_t digest[HM_SET_DIGEST_BYTES], hm_error *err);

/* Aligned allocation for set buffers (released with hm_buffer_free). */
uint8_t *hm__set_alloc(size_t size);

#endif /* HM_SET_INTERNAL_H */
