/* hasher.c - hm_hasher: the working memory of hm_hash_* kept across calls on
 * one thread, so that repeated calls reuse warm buffers instead of asking
 * the kernel for fresh pages (and taking their page faults) every time. */
#include <stdlib.h>

#include "hash_internal.h"

struct hm_hasher {
    hm__scratch scratch; /* planes and per-algorithm scratch (hash.c) */
    hm__scratch file;    /* the bytes of hm_hasher_hash_file */
};

hm_status hm_hasher_new(hm_hasher **out)
{
    if (!out) return HM_E_INVALID_ARGUMENT;
    *out = calloc(1, sizeof **out);
    return *out ? HM_OK : HM_E_NO_MEMORY;
}

void hm_hasher_free(hm_hasher *h)
{
    if (!h) return;
    hm__scratch_free(&h->scratch);
    hm__scratch_free(&h->file);
    free(h);
}

size_t hm_hasher_memory(const hm_hasher *h) { return h ? h->scratch.cap + h->file.cap : 0; }

hm_status hm_hasher_hash_image(hm_hasher *h, const hm_image *img, const hm_hash_options *opt,
                               hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF(!h, err, HM_E_INVALID_ARGUMENT, "a hasher is required");
    return hm__hash_image_scratch(img, opt, &h->scratch, out, err);
}

hm_status hm_hasher_hash_buffer(hm_hasher *h, const void *data, size_t size,
                                const hm_hash_options *opt, hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF(!h, err, HM_E_INVALID_ARGUMENT, "a hasher is required");
    return hm__hash_buffer_scratch(data, size, opt, &h->scratch, out, err);
}

hm_status hm__hasher_read_file(hm_hasher *h, const char *path, uint64_t max_bytes,
                               const uint8_t **data, size_t *size, hm_error *err)
{
    return hm__read_file_scratch(path, max_bytes, &h->file, data, size, err);
}

hm_status hm__hasher_read_fd(hm_hasher *h, int fd, const char *name, uint64_t max_bytes,
                             const uint8_t **data, size_t *size, hm_error *err)
{
    return hm__read_fd_scratch(fd, name, max_bytes, &h->file, data, size, err);
}

hm_status hm_hasher_hash_file(hm_hasher *h, const char *path, const hm_hash_options *opt,
                              hm_hashes *out, hm_error *err)
{
    HM_RETURN_IF(!h || !path || !out, err, HM_E_INVALID_ARGUMENT,
                 "hasher, path and output are required");
    memset(out, 0, sizeof *out);
    const uint8_t *data;
    size_t size;
    uint64_t max_bytes = opt ? opt->decode.max_file_bytes : 0;
    HM_FORWARD_IF_ERROR(hm__hasher_read_file(h, path, max_bytes, &data, &size, err));
    return hm__hash_buffer_scratch(data, size, opt, &h->scratch, out, err);
}
