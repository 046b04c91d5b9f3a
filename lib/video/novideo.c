/* novideo.c - the decoding entry points of a build without FFmpeg
 * (HM_WITH_VIDEO=OFF). Sets, matching and the frame helpers still work. */
#include "video_internal.h"

int hm_video_supported(void) { return 0; }

hm_status hm_video_hash_buffer(const void *data, size_t size, const hm_video_options *opt,
                               hm_video **out, hm_error *err)
{
    (void)data, (void)size, (void)opt;
    if (out) *out = NULL;
    return hm__fail(err, HM_E_UNSUPPORTED, "this build decodes no video (HM_WITH_VIDEO=OFF)");
}

hm_status hm_video_hash_file(const char *path, const hm_video_options *opt, hm_video **out,
                             hm_error *err)
{
    (void)path, (void)opt;
    if (out) *out = NULL;
    return hm__fail(err, HM_E_UNSUPPORTED, "this build decodes no video (HM_WITH_VIDEO=OFF)");
}

hm_status hm_video_hash_fd(int fd, const char *name, const hm_video_options *opt, hm_video **out,
                           hm_error *err)
{
    (void)fd, (void)name, (void)opt;
    if (out) *out = NULL;
    return hm__fail(err, HM_E_UNSUPPORTED, "this build decodes no video (HM_WITH_VIDEO=OFF)");
}

hm_status hm__video_hash_salvage(const void *data, size_t size, int fd, const char *name,
                                 const hm_video_options *opt, hm_video **out, hm_error *err)
{
    (void)data, (void)size, (void)fd, (void)name, (void)opt;
    if (out) *out = NULL;
    return hm__fail(err, HM_E_UNSUPPORTED, "this build decodes no video (HM_WITH_VIDEO=OFF)");
}
