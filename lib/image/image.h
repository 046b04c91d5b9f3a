/* image.h - the decoded image and the per-format decoders (internal). */
#ifndef HM_IMAGE_H
#define HM_IMAGE_H

#include "../common/common.h"

struct hm_image {
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1 (grey) or 3 (RGB) */
    uint8_t *pixels;   /* height rows of width*channels bytes */
    hm_image_format format;
    hm_color_model color;
    unsigned exif_orientation; /* 1..8 as found in the file, 0 when absent */
};

/* Absurd sides are refused even under a generous pixel limit: every format
 * we read stores sides in at most 32 bits, and no real photo is this long. */
#define HM_MAX_SIDE 1000000u

/* Allocates an image with uninitialised pixels after checking the pixel
 * count against max_pixels (0 = default) and every size for overflow. */
hm_status hm__image_alloc(uint32_t width, uint32_t height, unsigned channels,
                          uint64_t max_pixels, hm_image **out, hm_error *err);

/* Checks dimensions read from a header before any allocation. */
hm_status hm__image_check_dims(uint64_t width, uint64_t height, uint64_t max_pixels,
                               hm_error *err);

/* Per-format decoders: `data` has already been sniffed as the format. */
hm_status hm__decode_jpeg(const uint8_t *data, size_t size, const hm_decode_options *opt,
                          hm_image **out, hm_error *err);
hm_status hm__decode_png(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err);
hm_status hm__decode_gif(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err);
hm_status hm__decode_webp(const uint8_t *data, size_t size, const hm_decode_options *opt,
                          hm_image **out, hm_error *err);
hm_status hm__decode_pnm(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err);

/* hm__decode_png that also tells how many bytes of `data` libpng was given
 * (tests: the work done on a file whose compressed data goes on far past
 * the image is bounded). */
hm_status hm__decode_png_counted(const uint8_t *data, size_t size, const hm_decode_options *opt,
                                 hm_image **out, size_t *consumed, hm_error *err);

/* Whether a GIF holds anything after its first frame but extensions and
 * the trailer: an animation, whose later frames the image decoders never
 * show (the scanner hashes them as video frames). */
int hm__gif_has_later_frames(const uint8_t *data, size_t size);

/* One frame of an animation (index from 0, shown at timestamp_ms): the
 * image is only valid during the call. */
typedef hm_status (*hm__frame_fn)(void *ctx, const hm_image *frame, unsigned index,
                                  int timestamp_ms, hm_error *err);

/* Whether a PNG is an APNG animation (an acTL chunk before its image
 * data), whose later frames the PNG decoder never shows. */
int hm__png_is_animated(const uint8_t *data, size_t size);

/* The frames of a WebP (0 when it cannot be demuxed); an animated one has
 * more than one, of which the image decoder shows the first. */
unsigned hm__webp_frame_count(const uint8_t *data, size_t size);

/* Every frame of a WebP animation composited on its canvas as libwebp's
 * animation decoder shows it (blending and disposal applied), as RGB:
 * HM_E_LIMIT past max_frames frames or max_decoded_bytes of decoded RGBA
 * canvases (both known from the header, so refused before decoding), a
 * canvas over max_pixels refused. */
hm_status hm__webp_each_frame(const uint8_t *data, size_t size, uint64_t max_pixels,
                              uint64_t max_frames, uint64_t max_decoded_bytes, hm__frame_fn fn,
                              void *ctx, hm_error *err);

/* Header-only readers for hm_image_probe: the dimensions as stored. */
hm_status hm__probe_jpeg(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         hm_error *err);
hm_status hm__probe_png(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err);
hm_status hm__probe_gif(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err);
hm_status hm__probe_webp(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         hm_error *err);
hm_status hm__probe_pnm(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err);

/* The Orientation tag (1..8) of a TIFF structure (the body of an EXIF block
 * after any "Exif\0\0" prefix), 0 when absent or invalid. Never reads
 * outside [tiff, tiff + size). */
unsigned hm__exif_orientation(const uint8_t *tiff, size_t size);

/* Applies an EXIF orientation (2..8) in place, replacing the pixel buffer
 * (width and height swap for 5..8). */
hm_status hm__image_orient(hm_image *img, unsigned orientation, hm_error *err);

#endif /* HM_IMAGE_H */
