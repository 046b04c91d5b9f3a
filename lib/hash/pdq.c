/* pdq.c - PDQ (not implemented yet). */
#include "hash_internal.h"

size_t hm__pdq_work_floats(uint32_t w, uint32_t h)
{
    (void)w;
    (void)h;
    return 0;
}

void hm__pdq_hash(float *luma, uint32_t w, uint32_t h, float *work, int dihedral, hm_hashes *out)
{
    (void)luma, (void)w, (void)h, (void)work, (void)dihedral, (void)out;
}

int hm__pdq_cli512_squash(const float *src, uint32_t w, uint32_t h, float *dst, uint32_t *ow,
                          uint32_t *oh)
{
    (void)src, (void)dst;
    *ow = w;
    *oh = h;
    return 0;
}
