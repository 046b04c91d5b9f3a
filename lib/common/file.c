/* file.c - whole-file reading with size checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common.h"

/* Opens a regular file and returns its size. */
static hm_status open_regular(const char *path, FILE **out, size_t *size, hm_error *err)
{
    FILE *f = fopen(path, "rb");
    HM_RETURN_IF(!f, err, HM_E_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        int dir = S_ISDIR(st.st_mode);
        fclose(f);
        return hm__fail(err, HM_E_IO, "%s: %s", path, dir ? "is a directory" : "not a regular file");
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX - 1) {
        fclose(f);
        return hm__fail(err, HM_E_LIMIT, "%s: file too large", path);
    }
    *out = f;
    *size = (size_t)st.st_size;
    return HM_OK;
}

static hm_status read_all(FILE *f, const char *path, uint8_t *buf, size_t n, hm_error *err)
{
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    HM_RETURN_IF(got != n, err, HM_E_IO, "%s: short read", path);
    return HM_OK;
}

hm_status hm__read_file(const char *path, uint8_t **data, size_t *size, hm_error *err)
{
    *data = NULL;
    *size = 0;
    FILE *f;
    size_t n;
    HM_FORWARD_IF_ERROR(open_regular(path, &f, &n, err));
    uint8_t *buf = NULL;
    if (n > 0) {
        buf = malloc(n);
        if (!buf) {
            fclose(f);
            return hm__fail(err, HM_E_NO_MEMORY, "%s: cannot allocate %zu bytes", path, n);
        }
        hm_status st = read_all(f, path, buf, n, err);
        if (st != HM_OK) {
            free(buf);
            return st;
        }
    } else {
        fclose(f);
    }
    *data = buf;
    *size = n;
    hm__ok(err);
    return HM_OK;
}

hm_status hm__read_file_scratch(const char *path, hm__scratch *buf, const uint8_t **data,
                                size_t *size, hm_error *err)
{
    *data = NULL;
    *size = 0;
    FILE *f;
    size_t n;
    HM_FORWARD_IF_ERROR(open_regular(path, &f, &n, err));
    if (n == 0) {
        fclose(f);
        hm__ok(err);
        return HM_OK;
    }
    if (hm__scratch_reserve(buf, n) != HM_OK) {
        fclose(f);
        return hm__fail(err, HM_E_NO_MEMORY, "%s: cannot allocate %zu bytes", path, n);
    }
    HM_FORWARD_IF_ERROR(read_all(f, path, buf->data, n, err));
    *data = buf->data;
    *size = n;
    hm__ok(err);
    return HM_OK;
}
