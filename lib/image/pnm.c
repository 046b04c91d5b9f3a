/* pnm.c - decoder (not implemented yet). */
#include "image.h"

hm_status hm__decode_pnm(const uint8_t *data, size_t size, const hm_decode_options *opt,
                        hm_image **out, hm_error *err)
{
    (void)data;
    (void)size;
    (void)opt;
    *out = NULL;
    return hm__fail(err, HM_E_IMAGE_UNSUPPORTED, "pnm decoding is not implemented yet");
}

hm_status hm__probe_pnm(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                       hm_error *err)
{
    (void)data;
    (void)size;
    (void)width;
    (void)height;
    return hm__fail(err, HM_E_IMAGE_UNSUPPORTED, "pnm probing is not implemented yet");
}
