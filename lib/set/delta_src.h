/* delta_src.h - sequential sources for applying deltas (internal): a buffer,
 * or a file read front to back through a bounded buffer, so that applying
 * a delta never holds the old set or the delta whole in memory. */
#ifndef HM_SET_DELTA_SRC_H
#define HM_SET_DELTA_SRC_H

#include "delta.h"

#define HM__SRC_CHUNK ((size_t)1 << 20) /* the most one take may ask for */

typedef struct hm__src {
    const uint8_t *mem; /* a buffer, or NULL: the file fd */
    int fd;
    const char *what;   /* "the old set", "the delta": for messages */
    uint64_t size;      /* bytes in the buffer or the file */
    uint64_t pos;       /* the next byte to take */
    uint8_t *buf;       /* file: buf[0] is the byte at offset bpos */
    uint64_t bpos;
    size_t blen;
} hm__src;

void hm__src_memory(hm__src *s, const uint8_t *data, size_t size, const char *what);
/* Opens a regular file; HM_E_IO when it cannot be read. */
hm_status hm__src_file(hm__src *s, const char *path, const char *what, hm_error *err);
void hm__src_close(hm__src *s);

/* Points *p at the next n (<= HM__SRC_CHUNK) bytes and moves past them; the
 * pointer stays valid until the next take. The caller has checked that the
 * bytes exist; a file that shrank meanwhile is HM_E_IO. */
hm_status hm__src_take(hm__src *s, size_t n, const uint8_t **p, hm_error *err);
/* Continues taking from `offset` (forgets what was buffered). */
void hm__src_seek(hm__src *s, uint64_t offset);
/* Reads n bytes at `offset` into dst without moving (headers, trailers). */
hm_status hm__src_read_at(hm__src *s, uint64_t offset, void *dst, size_t n, hm_error *err);

#endif /* HM_SET_DELTA_SRC_H */
