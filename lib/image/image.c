/* image.c - format sniffing, dispatch to the decoders, the hm_image object. */
#include <stdlib.h>

#include "../common/abi.h"
#include "pixels.h"

hm_image_format hm_image_sniff(const void *data, size_t size)
{
    const uint8_t *p = data;
    if (!p) return HM_FORMAT_UNKNOWN;
    if (size >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) return HM_FORMAT_JPEG;
    if (size >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return HM_FORMAT_PNG;
    if (size >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6))) return HM_FORMAT_GIF;
    if (size >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) return HM_FORMAT_WEBP;
    if (size >= 3 && p[0] == 'P' && (p[1] == '5' || p[1] == '6') &&
        (p[2] == ' ' || p[2] == '\t' || p[2] == '\n' || p[2] == '\r' || p[2] == '#'))
        return HM_FORMAT_PNM;
    return HM_FORMAT_UNKNOWN;
}

const char *hm_image_format_name(hm_image_format format)
{
    switch (format) {
    case HM_FORMAT_JPEG: return "jpeg";
    case HM_FORMAT_PNG: return "png";
    case HM_FORMAT_GIF: return "gif";
    case HM_FORMAT_WEBP: return "webp";
    case HM_FORMAT_PNM: return "pnm";
    case HM_FORMAT_RAW: return "raw";
    case HM_FORMAT_UNKNOWN: break;
    }
    return "unknown";
}

hm_status hm__image_check_dims(uint64_t width, uint64_t height, uint64_t max_pixels,
                               hm_error *err)
{
    if (!max_pixels) max_pixels = HM_DEFAULT_MAX_PIXELS;
    HM_RETURN_IF(width == 0 || height == 0, err, HM_E_IMAGE_DIMENSIONS,
                 "image has a zero side (%llux%llu)", (unsigned long long)width,
                 (unsigned long long)height);
    HM_RETURN_IF(width > HM_MAX_SIDE || height > HM_MAX_SIDE, err, HM_E_IMAGE_DIMENSIONS,
                 "image side too long (%llux%llu)", (unsigned long long)width,
                 (unsigned long long)height);
    HM_RETURN_IF(width * height > max_pixels, err, HM_E_IMAGE_TOO_LARGE,
                 "image is %llux%llu, over the limit of %llu pixels", (unsigned long long)width,
                 (unsigned long long)height, (unsigned long long)max_pixels);
    return HM_OK;
}

hm_status hm__image_alloc(uint32_t width, uint32_t height, unsigned channels,
                          uint64_t max_pixels, hm_image **out, hm_error *err)
{
    *out = NULL;
    HM_RETURN_IF(channels != 1 && channels != 3, err, HM_E_INVALID_ARGUMENT,
                 "channels must be 1 or 3");
    HM_FORWARD_IF_ERROR(hm__image_check_dims(width, height, max_pixels, err));
    size_t n;
    HM_RETURN_IF(!hm__mul_size((size_t)width * height, channels, &n), err, HM_E_IMAGE_TOO_LARGE,
                 "image too large for this platform");
    hm_image *img = calloc(1, sizeof *img);
    HM_RETURN_IF(!img, err, HM_E_NO_MEMORY, "cannot allocate an image");
    img->pixels = hm__alloc_large(n);
    if (!img->pixels) {
        free(img);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate %zu bytes of pixels", n);
    }
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->color = channels == 1 ? HM_COLOR_GRAY : HM_COLOR_RGB;
    *out = img;
    return HM_OK;
}

void hm_image_free(hm_image *img)
{
    if (!img) return;
    free(img->pixels);
    free(img);
}

#if !defined(HM_WITH_GIF) || !defined(HM_WITH_PNM) || !defined(HM_WITH_WEBP)
/* A format whose decoder this build leaves out (HM_WITH_GIF=OFF, ...): an
 * error, never a silent skip. */
static hm_status not_built(hm_error *err, const char *format, const char *option)
{
    return hm__fail(err, HM_E_IMAGE_UNSUPPORTED, "this build has no %s decoder (%s=OFF)", format,
                    option);
}
#endif

static hm_status decode_image(const void *data, size_t size, const hm_decode_options *opt,
                             hm_image **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "NULL data");
    HM_RETURN_IF(size == 0, err, HM_E_IMAGE_EMPTY, "the image data is empty");
    static const hm_decode_options DEFAULTS;
    if (!opt) opt = &DEFAULTS;
    const uint8_t *p = data;
    hm_status st;
    switch (hm_image_sniff(p, size)) {
    case HM_FORMAT_JPEG: st = hm__decode_jpeg(p, size, opt, out, err); break;
    case HM_FORMAT_PNG: st = hm__decode_png(p, size, opt, out, err); break;
#ifdef HM_WITH_GIF
    case HM_FORMAT_GIF: st = hm__decode_gif(p, size, opt, out, err); break;
#else
    case HM_FORMAT_GIF: st = not_built(err, "GIF", "HM_WITH_GIF"); break;
#endif
#ifdef HM_WITH_PNM
    case HM_FORMAT_PNM: st = hm__decode_pnm(p, size, opt, out, err); break;
#else
    case HM_FORMAT_PNM: st = not_built(err, "PNM", "HM_WITH_PNM"); break;
#endif
    case HM_FORMAT_WEBP:
#ifdef HM_WITH_WEBP
        st = hm__decode_webp(p, size, opt, out, err);
#else
        st = not_built(err, "WebP", "HM_WITH_WEBP");
#endif
        break;
    default:
        return hm__fail(err, HM_E_IMAGE_FORMAT, "not a JPEG, PNG, GIF, WebP or PNM image");
    }
    if (st != HM_OK) {
        hm_image_free(*out);
        *out = NULL;
        return st;
    }
    if (opt->apply_exif_orientation && (*out)->exif_orientation > 1) {
        st = hm__image_orient(*out, (*out)->exif_orientation, err);
        if (st != HM_OK) {
            hm_image_free(*out);
            *out = NULL;
            return st;
        }
    }
    hm__ok(err);
    return HM_OK;
}

hm_status hm_image_decode_sized(const void *data, size_t size, const hm_decode_options *opt,
                                size_t opt_size, hm_image **out, hm_error *err)
{
    if (out) *out = NULL;
    hm_decode_options o; /* the caller's, in this release's layout (docs/ABI.md) */
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_decode_options, &o, opt, opt_size, err));
    return decode_image(data, size, &o, out, err);
}

hm_status hm_image_load_sized(const char *path, const hm_decode_options *opt, size_t opt_size,
                              hm_image **out, hm_error *err)
{
    HM_RETURN_IF(!path || !out, err, HM_E_INVALID_ARGUMENT, "path and output are required");
    *out = NULL;
    hm_decode_options o;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_decode_options, &o, opt, opt_size, err));
    uint8_t *data;
    size_t size;
    HM_FORWARD_IF_ERROR(hm__read_file(path, o.max_file_bytes, &data, &size, err));
    hm_status st = decode_image(data, size, &o, out, err);
    free(data);
    return st;
}

hm_status hm_image_from_pixels(uint32_t width, uint32_t height, unsigned channels,
                               const uint8_t *pixels, size_t stride, hm_image **out)
{
    if (!out) return HM_E_INVALID_ARGUMENT;
    *out = NULL;
    /* 0.1.0's checks first, in its order, so its callers see the same statuses. */
    if (!pixels || (channels != 1 && channels != 3 && channels != 4) ||
        stride < (size_t)width * channels)
        return HM_E_INVALID_ARGUMENT;
    static const hm_pixel_format FORMAT[5] = {0, HM_PIXEL_GREY8, 0, HM_PIXEL_RGB8, HM_PIXEL_RGBA8};
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = FORMAT[channels];
    px.width = width;
    px.height = height;
    px.data[0] = pixels;
    px.stride[0] = stride;
    hm__pixview v;
    HM_FORWARD_IF_ERROR(hm__pixview_init(&v, &px, UINT64_MAX, NULL));
    return hm__image_from_view(&v, out, NULL);
}

uint32_t hm_image_width(const hm_image *img) { return img ? img->width : 0; }
uint32_t hm_image_height(const hm_image *img) { return img ? img->height : 0; }
unsigned hm_image_channels(const hm_image *img) { return img ? img->channels : 0; }
const uint8_t *hm_image_pixels(const hm_image *img) { return img ? img->pixels : NULL; }
hm_image_format hm_image_source_format(const hm_image *img)
{
    return img ? img->format : HM_FORMAT_UNKNOWN;
}
hm_color_model hm_image_color_model(const hm_image *img) { return img ? img->color : HM_COLOR_GRAY; }
unsigned hm_image_exif_orientation(const hm_image *img) { return img ? img->exif_orientation : 0; }

hm_status hm_image_probe(const void *data, size_t size, hm_image_format *format,
                         uint32_t *width, uint32_t *height, hm_error *err)
{
    if (format) *format = HM_FORMAT_UNKNOWN;
    if (width) *width = 0;
    if (height) *height = 0;
    HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "NULL data");
    HM_RETURN_IF(size == 0, err, HM_E_IMAGE_EMPTY, "the image data is empty");
    const uint8_t *p = data;
    hm_image_format f = hm_image_sniff(p, size);
    uint32_t w = 0, h = 0;
    hm_status st;
    switch (f) {
    case HM_FORMAT_JPEG: st = hm__probe_jpeg(p, size, &w, &h, err); break;
    case HM_FORMAT_PNG: st = hm__probe_png(p, size, &w, &h, err); break;
#ifdef HM_WITH_GIF
    case HM_FORMAT_GIF: st = hm__probe_gif(p, size, &w, &h, err); break;
#else
    case HM_FORMAT_GIF: st = not_built(err, "GIF", "HM_WITH_GIF"); break;
#endif
    case HM_FORMAT_WEBP: st = hm__probe_webp(p, size, &w, &h, err); break;
#ifdef HM_WITH_PNM
    case HM_FORMAT_PNM: st = hm__probe_pnm(p, size, &w, &h, err); break;
#else
    case HM_FORMAT_PNM: st = not_built(err, "PNM", "HM_WITH_PNM"); break;
#endif
    default:
        return hm__fail(err, HM_E_IMAGE_FORMAT, "not a JPEG, PNG, GIF, WebP or PNM image");
    }
    if (format) *format = f;
    if (st != HM_OK) return st;
    if (width) *width = w;
    if (height) *height = h;
    hm__ok(err);
    return HM_OK;
}
