/* disabled.c - the transform API of a build without the research transforms
 * (HM_WITH_TRANSFORMS=OFF): the same exported functions, so the ABI does not
 * depend on build options, each refusing with HM_E_UNSUPPORTED. */
#include "../common/common.h"

#define NOT_BUILT "this build has no image transforms (HM_WITH_TRANSFORMS=OFF)"

hm_status hm_transform_parse(const char *text, hm_transform *out, hm_error *err)
{
    (void)text;
    if (out) memset(out, 0, sizeof *out);
    return hm__fail(err, HM_E_UNSUPPORTED, NOT_BUILT);
}

hm_status hm_transform_parse_list(const char *text, hm_transform *out, size_t max, size_t *count,
                                  hm_error *err)
{
    (void)text, (void)out, (void)max;
    if (count) *count = 0;
    return hm__fail(err, HM_E_UNSUPPORTED, NOT_BUILT);
}

size_t hm_transform_format(const hm_transform *t, int name_only, char *buf, size_t size)
{
    (void)t, (void)name_only;
    if (buf && size) buf[0] = '\0';
    return 0;
}

size_t hm_transform_format_params(const hm_transform *t, char *buf, size_t size)
{
    return hm_transform_format(t, 0, buf, size);
}

hm_status hm_image_transform(const hm_image *img, const hm_transform *t, uint64_t seed,
                             hm_image **out, hm_error *err)
{
    (void)img, (void)t, (void)seed;
    if (out) *out = NULL;
    return hm__fail(err, HM_E_UNSUPPORTED, NOT_BUILT);
}
