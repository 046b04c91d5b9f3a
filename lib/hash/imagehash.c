/* imagehash.c - aHash/dHash/pHash/wHash (not implemented yet). */
#include "hash_internal.h"

size_t hm__imagehash_work_bytes(uint32_t w, uint32_t h, uint32_t algos)
{
    (void)w, (void)h, (void)algos;
    return 0;
}

void hm__imagehash(const uint8_t *L, uint32_t w, uint32_t h, uint32_t algos, void *work,
                   hm_hashes *out)
{
    (void)L, (void)w, (void)h, (void)algos, (void)work, (void)out;
}
