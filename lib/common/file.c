/*
 * file.c - reading whole input files. A path may name anything: a FIFO
 * (opening it for reading would wait for a writer for ever), a terminal, a
 * device that never ends (/dev/zero), a directory, or a file larger than the
 * memory. So a file is opened without blocking and without becoming a
 * controlling terminal, the open descriptor (not the path, which could be
 * swapped in between) is checked to be a regular file, its size is checked
 * against a limit before anything is allocated, and a file that changes size
 * while it is read is an error rather than a silently different input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int hm__open_input(const char *path)
{
    return open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

const char *hm__file_type_name(unsigned mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "not a regular file";
}

hm_status hm__fail_open_as(const char *path, const char *name, hm_error *err)
{
    int e = errno;
    struct stat st;
    /* open() refuses a socket with ENXIO: name what the path is instead. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return hm__fail(err, HM_E_NOT_REGULAR_FILE, "%s: %s, not a regular file", name,
                        hm__file_type_name(st.st_mode));
    return hm__fail(err, HM_E_IO, "%s: %s", name, strerror(e));
}

hm_status hm__fail_open(const char *path, hm_error *err)
{
    return hm__fail_open_as(path, path, err);
}

hm_status hm__fd_stat_regular(int fd, const char *name, struct stat *st, hm_error *err)
{
    HM_RETURN_IF(fstat(fd, st) != 0, err, HM_E_IO, "%s: %s", name, strerror(errno));
    HM_RETURN_IF(!S_ISREG(st->st_mode), err, HM_E_NOT_REGULAR_FILE, "%s: %s, not a regular file",
                 name, hm__file_type_name(st->st_mode));
    return HM_OK;
}

hm_status hm__fd_regular(int fd, const char *name, uint64_t *size, hm_error *err)
{
    struct stat st;
    HM_FORWARD_IF_ERROR(hm__fd_stat_regular(fd, name, &st, err));
    if (size) *size = (uint64_t)st.st_size;
    return HM_OK;
}

/* Reads exactly n bytes (the size fstat gave), then makes sure nothing
 * follows them. */
static hm_status read_exactly(int fd, const char *name, uint8_t *buf, size_t n, hm_error *err)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        HM_RETURN_IF(r < 0, err, HM_E_IO, "%s: %s", name, strerror(errno));
        HM_RETURN_IF(r == 0, err, HM_E_IO, "%s: the file shrank while it was read", name);
        done += (size_t)r;
    }
    uint8_t extra;
    ssize_t r;
    do r = read(fd, &extra, 1);
    while (r < 0 && errno == EINTR);
    HM_RETURN_IF(r > 0, err, HM_E_IO, "%s: the file grew while it was read", name);
    HM_RETURN_IF(r < 0, err, HM_E_IO, "%s: %s", name, strerror(errno));
    return HM_OK;
}

/* The checks before anything is allocated: a regular file within the size
 * limit. */
static hm_status checked_size(int fd, const char *name, uint64_t max_bytes, size_t *n,
                              hm_error *err)
{
    if (!max_bytes) max_bytes = HM_DEFAULT_MAX_FILE_BYTES;
    uint64_t bytes = 0;
    HM_FORWARD_IF_ERROR(hm__fd_regular(fd, name, &bytes, err));
    HM_RETURN_IF(bytes > max_bytes || bytes > (uint64_t)SIZE_MAX - 1, err, HM_E_FILE_TOO_LARGE,
                 "%s: %llu bytes, over the limit of %llu", name, (unsigned long long)bytes,
                 (unsigned long long)max_bytes);
    *n = (size_t)bytes;
    return HM_OK;
}

hm_status hm__read_fd(int fd, const char *name, uint64_t max_bytes, uint8_t **data, size_t *size,
                      hm_error *err)
{
    *data = NULL;
    *size = 0;
    size_t n = 0;
    HM_FORWARD_IF_ERROR(checked_size(fd, name, max_bytes, &n, err));
    uint8_t *buf = malloc(n ? n : 1);
    HM_RETURN_IF(!buf, err, HM_E_NO_MEMORY, "%s: cannot allocate %zu bytes", name, n);
    hm_status rc = read_exactly(fd, name, buf, n, err);
    if (rc != HM_OK) {
        free(buf);
        return rc;
    }
    if (n == 0) {
        free(buf);
        buf = NULL;
    }
    *data = buf;
    *size = n;
    return HM_OK;
}

hm_status hm__read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *size,
                        hm_error *err)
{
    *data = NULL;
    *size = 0;
    int fd = hm__open_input(path);
    if (fd < 0) return hm__fail_open(path, err);
    hm_status rc = hm__read_fd(fd, path, max_bytes, data, size, err);
    close(fd);
    if (rc == HM_OK) hm__ok(err);
    return rc;
}

/* hm__read_fd's checks and reads, into a buffer kept across calls. */
hm_status hm__read_fd_scratch(int fd, const char *name, uint64_t max_bytes, hm__scratch *buf,
                                 const uint8_t **data, size_t *size, hm_error *err)
{
    size_t n = 0;
    HM_FORWARD_IF_ERROR(checked_size(fd, name, max_bytes, &n, err));
    HM_RETURN_IF(hm__scratch_reserve(buf, n ? n : 1) != HM_OK, err, HM_E_NO_MEMORY,
                 "%s: cannot allocate %zu bytes", name, n);
    HM_FORWARD_IF_ERROR(read_exactly(fd, name, buf->data, n, err));
    *data = n ? buf->data : NULL;
    *size = n;
    return HM_OK;
}

hm_status hm__read_file_scratch(const char *path, uint64_t max_bytes, hm__scratch *buf,
                                const uint8_t **data, size_t *size, hm_error *err)
{
    *data = NULL;
    *size = 0;
    int fd = hm__open_input(path);
    if (fd < 0) return hm__fail_open(path, err);
    hm_status rc = hm__read_fd_scratch(fd, path, max_bytes, buf, data, size, err);
    close(fd);
    if (rc == HM_OK) hm__ok(err);
    return rc;
}
