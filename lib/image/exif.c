/* exif.c - EXIF orientation (not implemented yet). */
#include "image.h"

hm_status hm__image_orient(hm_image *img, unsigned orientation, hm_error *err)
{
    (void)img;
    (void)orientation;
    return hm__fail(err, HM_E_UNSUPPORTED, "EXIF orientation is not implemented yet");
}
