/* webp.c - decoder (not implemented yet). */
#include "image.h"

#ifdef HM_WITH_WEBP
hm_status hm__decode_webp(const uint8_t *data, size_t size, const hm_decode_options *opt,
                        hm_image **out, hm_error *err)
{
    (void)data;
    (void)size;
    (void)opt;
    *out = NULL;
    return hm__fail(err, HM_E_IMAGE_UNSUPPORTED, "webp decoding is not implemented yet");
}
#endif

hm_status hm__probe_webp(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                       hm_error *err)
{
    (void)data;
    (void)size;
    (void)width;
    (void)height;
    return hm__fail(err, HM_E_IMAGE_UNSUPPORTED, "webp probing is not implemented yet");
}
