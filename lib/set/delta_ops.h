/* delta_ops.h - the state of applying a delta's operations (internal). */
#ifndef HM_SET_DELTA_OPS_H
#define HM_SET_DELTA_OPS_H

#include <openssl/evp.h>

#include "delta_src.h"

typedef struct hm__rebuild {
    hm__src *old, *delta;
    EVP_MD_CTX *old_md;   /* hashes the old content as it is read; NULL: not */
    uint64_t old_end;     /* the old content's size */
    uint64_t ops_end;     /* where the operations end in the delta */
    uint64_t op_start;    /* offset of the operation being run (messages) */
    uint8_t *out;         /* the new file, out_size bytes of content */
    uint64_t out_size, out_pos;
    int have_strings;
    uint64_t old_strings, new_strings;
    hm__remap_piece *pieces;
    size_t npieces, pieces_cap;
    uint16_t *catmap;
    size_t ncat;
    /* the last MERGE, for the META after it */
    int have_merge;
    uint64_t m_old, m_new, m_added;
    uint8_t *removed, *added; /* bitmaps over old and new record indices */
    hm_error *err;
} hm__rebuild;

/* Runs every operation. HM_E_DELTA_FORMAT for a malformed operation. */
hm_status hm__rebuild_run(hm__rebuild *x);
/* Reads the rest of the old content into old_md (after a run). */
hm_status hm__rebuild_hash_old(hm__rebuild *x);
/* Records a STRCOPY of n bytes at the current positions. */
hm_status hm__rebuild_piece(hm__rebuild *x, uint64_t n);
void hm__rebuild_free(hm__rebuild *x);

#endif /* HM_SET_DELTA_OPS_H */
