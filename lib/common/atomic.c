/* atomic.c - replacing a file so that readers and crashes see either the
 * old file or the complete new one, never a part. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* A new file next to `path` named path.hashmatch-tmp-PID-XXXXXX (the
 * pattern of the CLI's writes, which removes such leftovers of a crashed
 * process), created exclusively. The name's randomness comes from the clock and the stack
 * address: the library keeps no state between calls. */
static int create_temp(const char *path, char *tmp, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20) ^ (uint64_t)(uintptr_t)&ts;
    for (int attempt = 0; attempt < 100; attempt++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(tmp, cap, "%s.hashmatch-tmp-%ld-%06lx", path, (long)getpid(),
                 (unsigned long)((seed >> 33) & 0xffffff));
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of the directory holding path, so that the rename is durable. */
static int sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

hm_status hm__write_file_atomic(const char *path, const void *data, size_t size, hm_error *err)
{
    char tmp[4096];
    struct stat st;
    HM_RETURN_IF(!path || strlen(path) + 48 > sizeof tmp, err, HM_E_INVALID_ARGUMENT,
                 "no path, or a path too long");
    /* Renaming over a device, pipe, directory or link would replace it. */
    HM_RETURN_IF(lstat(path, &st) == 0 && !S_ISREG(st.st_mode), err, HM_E_NOT_REGULAR_FILE,
                 "%s: exists and is not a regular file: not replaced", path);
    int fd = create_temp(path, tmp, sizeof tmp);
    HM_RETURN_IF(fd < 0, err, HM_E_IO, "%s: cannot create a temporary file: %s", path,
                 strerror(errno));
    int rc = write_all(fd, data, size);
    if (rc == 0) rc = fsync(fd);
    if (close(fd) != 0) rc = -1;
    if (rc == 0) rc = rename(tmp, path);
    int saved = errno;
    if (rc != 0) {
        unlink(tmp);
        return hm__fail(err, HM_E_IO, "%s: %s", path, strerror(saved));
    }
    HM_RETURN_IF(sync_parent(path) != 0, err, HM_E_IO, "%s: %s", path, strerror(errno));
    return HM_OK;
}
