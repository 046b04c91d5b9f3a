/* delta_src.c - buffers and files read front to back for delta updates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "delta_src.h"

void hm__src_memory(hm__src *s, const uint8_t *data, size_t size, const char *what)
{
    memset(s, 0, sizeof *s);
    s->mem = data;
    s->fd = -1;
    s->size = size;
    s->what = what;
}

/* Opened without blocking: a FIFO named as the old set or the delta (with
 * no writer) used to hang the applier inside open(). Messages name the
 * file's role ("the delta PATH: a FIFO, not a regular file"). */
static hm_status open_regular(hm__src *s, const char *path, const char *what, hm_error *err)
{
    char name[HM_ERROR_MESSAGE_SIZE];
    snprintf(name, sizeof name, "%s %s", what, path);
    s->fd = hm__open_input(path);
    if (s->fd < 0) return hm__fail_open_as(path, name, err);
    return hm__fd_regular(s->fd, name, &s->size, err);
}

hm_status hm__src_file(hm__src *s, const char *path, const char *what, hm_error *err)
{
    memset(s, 0, sizeof *s);
    s->what = what;
    hm_status rc = open_regular(s, path, what, err);
    if (rc != HM_OK) {
        hm__src_close(s);
        return rc;
    }
    if (!(s->buf = malloc(2 * HM__SRC_CHUNK))) {
        hm__src_close(s);
        return hm__fail(err, HM_E_NO_MEMORY, "out of memory");
    }
    return HM_OK;
}

void hm__src_close(hm__src *s)
{
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    s->fd = -1;
    s->buf = NULL;
}

static hm_status read_fully(int fd, uint8_t *dst, size_t n, uint64_t offset, const char *what,
                            hm_error *err)
{
    while (n > 0) {
        ssize_t r = pread(fd, dst, n, (off_t)offset);
        if (r < 0 && errno == EINTR) continue;
        HM_RETURN_IF(r < 0, err, HM_E_IO, "%s: %s", what, strerror(errno));
        HM_RETURN_IF(r == 0, err, HM_E_IO, "%s: the file shrank while it was read", what);
        dst += r;
        n -= (size_t)r;
        offset += (uint64_t)r;
    }
    return HM_OK;
}

hm_status hm__src_take(hm__src *s, size_t n, const uint8_t **p, hm_error *err)
{
    HM_RETURN_IF(n > HM__SRC_CHUNK || n > s->size - s->pos, err, HM_E_INTERNAL,
                 "%s: a read past its end", s->what);
    if (s->mem) {
        *p = s->mem + s->pos;
        s->pos += n;
        return HM_OK;
    }
    if (s->pos + n > s->bpos + s->blen) { /* refill: keep the unread bytes, read on */
        size_t keep = (size_t)(s->bpos + s->blen - s->pos);
        memmove(s->buf, s->buf + (s->pos - s->bpos), keep);
        s->bpos = s->pos;
        s->blen = keep;
        uint64_t left = s->size - (s->bpos + keep);
        size_t want = 2 * HM__SRC_CHUNK - keep < left ? 2 * HM__SRC_CHUNK - keep : (size_t)left;
        HM_FORWARD_IF_ERROR(read_fully(s->fd, s->buf + keep, want, s->bpos + keep, s->what, err));
        s->blen += want;
    }
    *p = s->buf + (s->pos - s->bpos);
    s->pos += n;
    return HM_OK;
}

hm_status hm__src_read_at(hm__src *s, uint64_t offset, void *dst, size_t n, hm_error *err)
{
    HM_RETURN_IF(offset > s->size || n > s->size - offset, err, HM_E_INTERNAL,
                 "%s: a read past its end", s->what);
    if (s->mem) {
        memcpy(dst, s->mem + offset, n);
        return HM_OK;
    }
    return read_fully(s->fd, dst, n, offset, s->what, err);
}

void hm__src_seek(hm__src *s, uint64_t offset)
{
    s->pos = s->bpos = offset;
    s->blen = 0;
}
