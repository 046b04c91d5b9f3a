/* file.c - whole-file reading with size checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common.h"

hm_status hm__read_file(const char *path, uint8_t **data, size_t *size, hm_error *err)
{
    *data = NULL;
    *size = 0;
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
    size_t n = (size_t)st.st_size;
    uint8_t *buf = NULL;
    if (n > 0) {
        buf = malloc(n);
        if (!buf) {
            fclose(f);
            return hm__fail(err, HM_E_NO_MEMORY, "%s: cannot allocate %zu bytes", path, n);
        }
        if (fread(buf, 1, n, f) != n) {
            free(buf);
            fclose(f);
            return hm__fail(err, HM_E_IO, "%s: short read", path);
        }
    }
    fclose(f);
    *data = buf;
    *size = n;
    hm__ok(err);
    return HM_OK;
}
