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
