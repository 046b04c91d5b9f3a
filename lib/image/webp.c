/*
 * webp.c - WebP: the container header (always compiled, for probing) and
 * decoding through libwebp (HM_WITH_WEBP).
 *
 * The pixels equal Pillow's, which reads every WebP through libwebp's
 * animation decoder: the first frame decoded with the library's defaults
 * (fancy upsampling) onto a canvas cleared to transparent black. Alpha is
 * ignored (RGB under it is kept as decoded); the canvas outside a first
 * frame smaller than the canvas is black.
 */
#include <stdlib.h>

#include "image.h"

#ifdef HM_WITH_WEBP
#include <webp/decode.h>
#include <webp/demux.h>
#endif

/* ------------------------------------------------------------------------ */
/* Container header                                                         */

/* Dimensions from the first chunk: VP8X (canvas), VP8 (key frame header)
 * or VP8L (bitstream header). */
hm_status hm__probe_webp(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         hm_error *err)
{
    HM_RETURN_IF(size < 20, err, HM_E_IMAGE_TRUNCATED, "webp: the data ends in the header");
    const uint8_t *c = data + 12;
    uint32_t len = hm__load_le32(c + 4);
    const uint8_t *p = c + 8;
    size_t avail = size - 20;
    if (!memcmp(c, "VP8X", 4)) {
        HM_RETURN_IF(len < 10, err, HM_E_IMAGE_CORRUPT, "webp: VP8X chunk too short");
        HM_RETURN_IF(avail < 10, err, HM_E_IMAGE_TRUNCATED, "webp: the data ends in VP8X");
        *width = 1 + (p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16);
        *height = 1 + (p[7] | (uint32_t)p[8] << 8 | (uint32_t)p[9] << 16);
    } else if (!memcmp(c, "VP8 ", 4)) {
        HM_RETURN_IF(avail < 10, err, HM_E_IMAGE_TRUNCATED, "webp: the data ends in VP8");
        HM_RETURN_IF(memcmp(p + 3, "\x9d\x01\x2a", 3) != 0, err, HM_E_IMAGE_CORRUPT,
                     "webp: bad VP8 start code");
        *width = hm__load_le16(p + 6) & 0x3fffu;
        *height = hm__load_le16(p + 8) & 0x3fffu;
    } else if (!memcmp(c, "VP8L", 4)) {
        HM_RETURN_IF(avail < 5, err, HM_E_IMAGE_TRUNCATED, "webp: the data ends in VP8L");
        HM_RETURN_IF(p[0] != 0x2f, err, HM_E_IMAGE_CORRUPT, "webp: bad VP8L signature");
        uint32_t bits = hm__load_le32(p + 1);
        *width = 1 + (bits & 0x3fffu);
        *height = 1 + ((bits >> 14) & 0x3fffu);
    } else {
        return hm__fail(err, HM_E_IMAGE_CORRUPT, "webp: unknown first chunk");
    }
    return HM_OK;
}

#ifdef HM_WITH_WEBP

/* ------------------------------------------------------------------------ */
/* Decoding                                                                 */

static hm_status status_of(VP8StatusCode code)
{
    switch (code) {
    case VP8_STATUS_OK: return HM_OK;
    case VP8_STATUS_OUT_OF_MEMORY: return HM_E_NO_MEMORY;
    case VP8_STATUS_UNSUPPORTED_FEATURE: return HM_E_IMAGE_UNSUPPORTED;
    case VP8_STATUS_NOT_ENOUGH_DATA: return HM_E_IMAGE_TRUNCATED;
    case VP8_STATUS_INVALID_PARAM: return HM_E_INTERNAL;
    default: return HM_E_IMAGE_CORRUPT;
    }
}

static unsigned exif_orientation(const WebPDemuxer *demux)
{
    WebPChunkIterator it;
    unsigned o = 0;
    if (WebPDemuxGetChunk(demux, "EXIF", 1, &it)) {
        const uint8_t *p = it.chunk.bytes;
        size_t n = it.chunk.size;
        /* Some writers keep JPEG's "Exif\0\0" prefix inside the chunk. */
        if (n >= 6 && !memcmp(p, "Exif\0\0", 6)) {
            p += 6;
            n -= 6;
        }
        o = hm__exif_orientation(p, n);
        WebPDemuxReleaseChunkIterator(&it);
    }
    return o;
}

/* Decodes the frame's bitstream straight into the canvas rows. */
static hm_status decode_frame(const WebPIterator *it, hm_image *img, hm_error *err)
{
    WebPDecoderConfig config;
    HM_RETURN_IF(!WebPInitDecoderConfig(&config), err, HM_E_INTERNAL, "webp: library version mismatch");
    size_t stride = (size_t)img->width * 3;
    size_t offset = (size_t)it->y_offset * stride + (size_t)it->x_offset * 3;
    config.output.colorspace = MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = img->pixels + offset;
    config.output.u.RGBA.stride = (int)stride;
    config.output.u.RGBA.size = stride * img->height - offset;
    VP8StatusCode vs = WebPDecode(it->fragment.bytes, it->fragment.size, &config);
    WebPFreeDecBuffer(&config.output);
    HM_RETURN_IF(vs != VP8_STATUS_OK, err, status_of(vs), "webp: decoding failed (VP8 status %d)",
                 (int)vs);
    return HM_OK;
}

static hm_status decode_demuxed(WebPDemuxer *demux, const hm_decode_options *opt, hm_image **out,
                                hm_error *err)
{
    uint32_t w = WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH);
    uint32_t h = WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT);
    HM_FORWARD_IF_ERROR(hm__image_check_dims(w, h, opt->max_pixels, err));
    WebPIterator it;
    HM_RETURN_IF(!WebPDemuxGetFrame(demux, 1, &it), err, HM_E_IMAGE_CORRUPT, "webp: no frame");
    hm_image *img = NULL;
    hm_status st = HM_OK;
    if (it.x_offset < 0 || it.y_offset < 0 || (uint32_t)it.x_offset + (uint32_t)it.width > w ||
        (uint32_t)it.y_offset + (uint32_t)it.height > h)
        st = hm__fail(err, HM_E_IMAGE_CORRUPT, "webp: the first frame leaves the canvas");
    if (st == HM_OK) st = hm__image_alloc(w, h, 3, opt->max_pixels, &img, err);
    if (st == HM_OK) {
        img->format = HM_FORMAT_WEBP;
        img->color = HM_COLOR_RGB;
        if ((uint32_t)it.width != w || (uint32_t)it.height != h)
            memset(img->pixels, 0, (size_t)w * h * 3);
        st = decode_frame(&it, img, err);
    }
    WebPDemuxReleaseIterator(&it);
    if (st != HM_OK) {
        hm_image_free(img);
        return st;
    }
    img->exif_orientation = exif_orientation(demux);
    *out = img;
    return HM_OK;
}

/* A file that ends after its first frame (cut in a later frame, in a
 * metadata chunk after the image, or in the padding byte) still has every
 * pixel we decode; Pillow refuses such files, whose RIFF size is too
 * large, but its pixels would be the same. */
static int first_frame_complete(const WebPDemuxer *demux)
{
    if (WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT) < 1) return 0;
    WebPIterator it;
    if (!WebPDemuxGetFrame(demux, 1, &it)) return 0;
    int complete = it.complete;
    WebPDemuxReleaseIterator(&it);
    return complete;
}

hm_status hm__decode_webp(const uint8_t *data, size_t size, const hm_decode_options *opt,
                          hm_image **out, hm_error *err)
{
    *out = NULL;
    WebPData wd = {data, size};
    WebPDemuxState state = WEBP_DEMUX_PARSE_ERROR;
    /* Partial mode tells a file that ends early from a malformed one. */
    WebPDemuxer *demux = WebPDemuxPartial(&wd, &state);
    if (!demux || (state != WEBP_DEMUX_DONE && !first_frame_complete(demux))) {
        WebPDemuxDelete(demux);
        HM_RETURN_IF(state == WEBP_DEMUX_PARSE_ERROR, err, HM_E_IMAGE_CORRUPT,
                     "webp: invalid container");
        return hm__fail(err, HM_E_IMAGE_TRUNCATED, "webp: the data ends early");
    }
    hm_status st = decode_demuxed(demux, opt, out, err);
    WebPDemuxDelete(demux);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Animations: every frame                                                  */

unsigned hm__webp_frame_count(const uint8_t *data, size_t size)
{
    WebPData wd = {data, size};
    WebPDemuxState state;
    WebPDemuxer *demux = WebPDemuxPartial(&wd, &state);
    unsigned n = demux ? WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT) : 0;
    WebPDemuxDelete(demux);
    return n;
}

/* The RGB of one RGBA canvas (alpha dropped, as for the first frame). */
static void rgba_to_rgb(const uint8_t *rgba, hm_image *img)
{
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++) memcpy(img->pixels + 3 * i, rgba + 4 * i, 3);
}

hm_status hm__webp_each_frame(const uint8_t *data, size_t size, uint64_t max_pixels,
                              uint64_t max_frames, uint64_t max_decoded_bytes, hm__frame_fn fn,
                              void *ctx, hm_error *err)
{
    WebPData wd = {data, size};
    /* The canvas is checked before the animation decoder allocates two. */
    WebPDemuxer *demux = WebPDemux(&wd);
    HM_RETURN_IF(!demux, err, HM_E_IMAGE_CORRUPT, "webp: invalid container");
    uint32_t w = WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH);
    uint32_t h = WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT);
    WebPDemuxDelete(demux);
    HM_FORWARD_IF_ERROR(hm__image_check_dims(w, h, max_pixels, err));
    WebPAnimDecoderOptions o;
    HM_RETURN_IF(!WebPAnimDecoderOptionsInit(&o), err, HM_E_INTERNAL,
                 "webp: library version mismatch");
    o.color_mode = MODE_RGBA;
    WebPAnimDecoder *dec = WebPAnimDecoderNew(&wd, &o);
    HM_RETURN_IF(!dec, err, HM_E_IMAGE_CORRUPT, "webp: the animation cannot be decoded");
    WebPAnimInfo info;
    hm_image *img = NULL;
    hm_status st = WebPAnimDecoderGetInfo(dec, &info) ? HM_OK
                   : hm__fail(err, HM_E_IMAGE_CORRUPT, "webp: no animation info");
    if (st == HM_OK && info.frame_count > max_frames)
        st = hm__fail(err, HM_E_LIMIT, "webp: %u frames, over the limit of %llu",
                      info.frame_count, (unsigned long long)max_frames);
    /* < 2^32 frames of <= 2^28 pixels of 4 bytes: no overflow */
    uint64_t bytes = (uint64_t)info.frame_count * info.canvas_width * info.canvas_height * 4;
    if (st == HM_OK && bytes > max_decoded_bytes)
        st = hm__fail(err, HM_E_LIMIT, "webp: %u frames of %ux%u, %llu bytes of decoded frames, "
                      "over the limit of %llu", info.frame_count, info.canvas_width,
                      info.canvas_height, (unsigned long long)bytes,
                      (unsigned long long)max_decoded_bytes);
    if (st == HM_OK)
        st = hm__image_alloc(info.canvas_width, info.canvas_height, 3, max_pixels, &img, err);
    if (st == HM_OK) {
        img->format = HM_FORMAT_WEBP;
        img->color = HM_COLOR_RGB;
    }
    int start = 0; /* the decoder gives each frame's end time */
    for (unsigned i = 0; st == HM_OK && WebPAnimDecoderHasMoreFrames(dec); i++) {
        uint8_t *rgba;
        int ms;
        if (!WebPAnimDecoderGetNext(dec, &rgba, &ms)) {
            st = hm__fail(err, HM_E_IMAGE_CORRUPT, "webp: frame %u cannot be decoded", i + 1);
            break;
        }
        rgba_to_rgb(rgba, img);
        st = fn(ctx, img, i, start, err);
        start = ms;
    }
    hm_image_free(img);
    WebPAnimDecoderDelete(dec);
    return st;
}

#else /* !HM_WITH_WEBP: WebP files are not decoded at all */

unsigned hm__webp_frame_count(const uint8_t *data, size_t size)
{
    (void)data, (void)size;
    return 0;
}

hm_status hm__webp_each_frame(const uint8_t *data, size_t size, uint64_t max_pixels,
                              uint64_t max_frames, uint64_t max_decoded_bytes, hm__frame_fn fn,
                              void *ctx, hm_error *err)
{
    (void)data, (void)size, (void)max_pixels, (void)max_frames, (void)max_decoded_bytes, (void)fn,
        (void)ctx;
    return hm__fail(err, HM_E_UNSUPPORTED, "this build decodes no WebP (HM_WITH_WEBP=OFF)");
}

#endif /* HM_WITH_WEBP */
