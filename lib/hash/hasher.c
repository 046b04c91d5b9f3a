/* hasher.c - hm_hasher: the working memory of hm_hash_* kept across calls on
 * one thread, so that repeated calls reuse warm buffers instead of asking
 * the kernel for fresh pages (and taking their page faults) every time. */
#include <stdlib.h>

#include "../common/abi.h"
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

hm__scratch *hm__hasher_scratch(hm_hasher *h) { return h ? &h->scratch : NULL; }

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

/* The three entry points differ in their input only (hash.c dispatches). */
hm_status hm_hasher_hash_image_sized(hm_hasher *h, const hm_image *img, const hm_hash_options *opt,
                                     size_t opt_size, hm_hashes *out, size_t out_size,
                                     hm_error *err)
{
    return hm__hash_sized(h, HM__FROM_IMAGE | HM__WITH_HASHER, img, 0, opt, opt_size, out,
                          out_size, err);
}

hm_status hm_hasher_hash_buffer_sized(hm_hasher *h, const void *data, size_t size,
                                      const hm_hash_options *opt, size_t opt_size, hm_hashes *out,
                                      size_t out_size, hm_error *err)
{
    HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "invalid buffer");
    return hm__hash_sized(h, HM__FROM_BUFFER | HM__WITH_HASHER, data, size, opt, opt_size, out,
                          out_size, err);
}

hm_status hm_hasher_hash_file_sized(hm_hasher *h, const char *path, const hm_hash_options *opt,
                                    size_t opt_size, hm_hashes *out, size_t out_size,
                                    hm_error *err)
{
    return hm__hash_sized(h, HM__FROM_FILE | HM__WITH_HASHER, path, 0, opt, opt_size, out,
                          out_size, err);
}
