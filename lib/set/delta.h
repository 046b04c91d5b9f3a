/* delta.h - the delta update format, version 1 (internal). docs/FORMAT.md
 * section 11 is the normative description; the constants follow it.
 *
 * A delta rebuilds a new set's file from an old set's content: a stream of
 * operations writes the new content from literal bytes and from the old
 * content read front to back, then the new set's signature block follows
 * verbatim. Nothing in a delta is trusted: the rebuilt file is verified as a
 * whole set (digest, k-of-n signatures, version, times, structure), plus the
 * digests the delta names and the hash chain. */
#ifndef HM_SET_DELTA_H
#define HM_SET_DELTA_H

#include "set_internal.h"

#define HM__DELTA_MAGIC "\x89HMDLT\r\n"
#define HM__DELTA_VERSION 1
#define HM__DELTA_HEADER_SIZE 160
#define HM__DELTA_TRAILER_SIZE 32 /* SHA-256 of everything before it */

/* ---- header: 160 bytes at offset 0 ---- */
#define HM__D_MAGIC 0              /* 8 */
#define HM__D_VERSION 8            /* u32 = 1 */
#define HM__D_HEADER_SIZE 12       /* u32 = 160 */
#define HM__D_DELTA_SIZE 16        /* u64: the whole delta */
#define HM__D_OPS_SIZE 24          /* u64 */
#define HM__D_BASE_CONTENT 32      /* u64: content size of the old set */
#define HM__D_RESULT_CONTENT 40    /* u64: content size of the new set */
#define HM__D_RESULT_FILE 48       /* u64: file size of the new set */
#define HM__D_RESERVED 56          /* u64 = 0 */
#define HM__D_BASE_DIGEST 64       /* 32: content digest of the old set */
#define HM__D_RESULT_DIGEST 96     /* 32: content digest of the new set */
#define HM__D_HEADER_DIGEST 128    /* 32: SHA-256 of bytes 0..127 */

/* ---- operations (each a code byte, then LEB128 varints and data) ---- */
enum {
    HM__OP_LITERAL = 1, /* n, n bytes: written */
    HM__OP_COPY = 2,    /* n: n bytes of the old content at the cursor written */
    HM__OP_SKIP = 3,    /* n: the cursor moves n bytes */
    HM__OP_ZEROS = 4,   /* n (1..63): n zero bytes written (padding) */
    HM__OP_STRINGS = 5, /* the cursor and the output are where the string tables start */
    HM__OP_STRCOPY = 6, /* n: COPY, and string references into these bytes move with them */
    HM__OP_MERGE = 7,   /* a sorted record array: removals and additions (FORMAT.md 11.4) */
    HM__OP_META = 8     /* the metadata parallel to the last MERGE (FORMAT.md 11.5) */
};

#define HM__DELTA_MAX_ZEROS 63
#define HM__DELTA_MAX_RECORD 4096
#define HM__DELTA_MAX_RICE 40

/* ---- a growable byte buffer with varints and Golomb-Rice codes ---- */
typedef struct hm__dbuf {
    uint8_t *data;
    size_t len, cap;
    int oom;
    unsigned bits; /* bits used in the last byte (Rice codes) */
} hm__dbuf;

void hm__dbuf_put(hm__dbuf *b, const void *p, size_t n);
void hm__dbuf_byte(hm__dbuf *b, uint8_t v);
void hm__dbuf_varint(hm__dbuf *b, uint64_t v);
/* Strictly ascending positions as Golomb-Rice coded gaps with parameter k
 * (written whole bytes; the first gap is the first position). */
void hm__dbuf_rice(hm__dbuf *b, const uint64_t *pos, size_t n, unsigned k);
/* The k (0..HM__DELTA_MAX_RICE) that codes these positions shortest, and
 * the bytes it takes. */
unsigned hm__rice_best(const uint64_t *pos, size_t n, size_t *bytes);

/* Reads Golomb-Rice coded positions from `bytes` (a whole number of bytes
 * of the op): each call gives the next position, which must stay below
 * `limit`; -1 when the code is malformed or runs out. */
typedef struct hm__rice_reader {
    const uint8_t *p;
    size_t size, bit;
    unsigned k;
    uint64_t next; /* the smallest value the next position may take */
} hm__rice_reader;
int hm__rice_next(hm__rice_reader *r, uint64_t limit, uint64_t *out);

/* ---- string references across a changed string table ---- */
typedef struct hm__remap_piece {
    uint64_t old_off, new_off, len; /* relative to each string table */
} hm__remap_piece;

/* The new reference of old reference `ref` (0 stays 0; a reference outside
 * every piece becomes 0, which a META exception then corrects). */
uint32_t hm__remap(const hm__remap_piece *p, size_t n, uint32_t ref);

/* The metadata record a kept entry is predicted to have in the new set: its
 * old one with the category mapped (catmap[old] when ncat > 0; an index
 * beyond the map becomes 0xffff) and the external id reference remapped. */
void hm__delta_predict(const uint8_t old[HM__META_SIZE], const uint16_t *catmap, size_t ncat,
                       const hm__remap_piece *pieces, size_t npieces,
                       uint8_t out[HM__META_SIZE]);

/* ---- making and rebuilding (tests and the fuzz target use these) ---- */
typedef struct hm__delta_make_options {
    /* Sections of algorithms with ids >= generic_from are sent as bytes, the
     * way sections of kinds this code does not know are (0: only unknown
     * ids, i.e. above 8). Tests use it to reach that path. */
    unsigned generic_from;
    /* Make a delta even when the new set does not chain to the old one or
     * its version is not greater (tests of the applier's refusals). */
    int unchecked;
} hm__delta_make_options;

hm_status hm__delta_make(const uint8_t *old_data, size_t old_size, const uint8_t *new_data,
                         size_t new_size, const hm__delta_make_options *o, uint8_t **delta,
                         size_t *delta_size, hm_error *err);

/* Rebuilds the new file from memory without any trust decision: framing,
 * checksums, base digest, operations, result digest. The result is
 * allocated with hm__set_alloc. */
hm_status hm__delta_rebuild(const uint8_t *old_data, size_t old_size, const uint8_t *delta,
                            size_t delta_size, uint8_t **out, size_t *out_size, hm_error *err);

/* Recomputes the header digest and the trailer of a delta in place (tests
 * and the fuzz target change a delta's body and re-seal it). */
void hm__delta_seal(uint8_t *delta, size_t size);

/* set.c: HM_E_FILE_TOO_LARGE when a set of `bytes` exceeds opt->max_set_bytes
 * (opt may be NULL: no limit); `what` names it in the message. */
hm_status hm__set_check_size(uint64_t bytes, const hm_set_open_options *opt, const char *what,
                             hm_error *err);

/* set.c: opens a file already in private, 64-byte aligned memory whose
 * content digest the caller computed; takes ownership of `mem` (released on
 * failure). opt == NULL: unverified. */
hm_status hm__set_adopt(uint8_t *mem, size_t size, const uint8_t digest[HM_SET_DIGEST_BYTES],
                        const hm_set_open_options *opt, hm_set **out, hm_error *err);

#endif /* HM_SET_DELTA_H */
