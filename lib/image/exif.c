/*
 * exif.c - the EXIF Orientation tag (read from a TIFF structure) and its
 * application to decoded pixels.
 */
#include <stdlib.h>

#include "image.h"

#define EXIF_TAG_ORIENTATION 0x0112u
#define TIFF_TYPE_SHORT 3u
#define TIFF_TYPE_LONG 4u

typedef struct tiff_reader {
    const uint8_t *p;
    size_t size;
    int big_endian;
} tiff_reader;

static uint16_t tiff16(const tiff_reader *t, size_t off)
{
    return t->big_endian ? hm__load_be16(t->p + off) : hm__load_le16(t->p + off);
}

static uint32_t tiff32(const tiff_reader *t, size_t off)
{
    return t->big_endian ? hm__load_be32(t->p + off) : hm__load_le32(t->p + off);
}

/* Only IFD0 carries the orientation of the main image (IFD1 describes the
 * thumbnail), so no IFD chain is followed and no loop is possible. Every
 * read is bounds-checked against `size`. */
unsigned hm__exif_orientation(const uint8_t *tiff, size_t size)
{
    if (!tiff || size < 8) return 0;
    tiff_reader t = {tiff, size, 0};
    if (!memcmp(tiff, "MM\0*", 4))
        t.big_endian = 1;
    else if (memcmp(tiff, "II*\0", 4) != 0)
        return 0;
    uint32_t ifd = tiff32(&t, 4);
    if (ifd < 8 || ifd > size - 2) return 0;
    uint32_t count = tiff16(&t, ifd);
    if (count > (size - ifd - 2) / 12) return 0; /* entries run past the end */
    for (uint32_t i = 0; i < count; i++) {
        size_t e = (size_t)ifd + 2 + (size_t)i * 12;
        if (tiff16(&t, e) != EXIF_TAG_ORIENTATION) continue;
        uint16_t type = tiff16(&t, e + 2);
        if (tiff32(&t, e + 4) != 1) return 0;
        uint32_t v = type == TIFF_TYPE_SHORT  ? tiff16(&t, e + 8)
                     : type == TIFF_TYPE_LONG ? tiff32(&t, e + 8)
                                              : 0;
        return v >= 1 && v <= 8 ? (unsigned)v : 0;
    }
    return 0;
}

/* Each orientation maps destination pixel (x, y) to a source pixel index
 * start + x*step_x + y*step_y (in pixels, source width w and height h).
 * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise,
 * 7 transverse, 8 rotate 90 anticlockwise: Pillow's exif_transpose. */
typedef struct orient_map {
    ptrdiff_t start, step_x, step_y;
    int swap;
} orient_map;

static orient_map orient_map_for(unsigned o, ptrdiff_t w, ptrdiff_t h)
{
    switch (o) {
    case 2: return (orient_map){w - 1, -1, w, 0};
    case 3: return (orient_map){(h - 1) * w + w - 1, -1, -w, 0};
    case 4: return (orient_map){(h - 1) * w, 1, -w, 0};
    case 5: return (orient_map){0, w, 1, 1};
    case 6: return (orient_map){(h - 1) * w, -w, 1, 1};
    case 7: return (orient_map){(h - 1) * w + w - 1, -w, -1, 1};
    case 8: return (orient_map){w - 1, w, -1, 1};
    default: return (orient_map){0, 1, w, 0};
    }
}

hm_status hm__image_orient(hm_image *img, unsigned orientation, hm_error *err)
{
    if (orientation < 2 || orientation > 8) return HM_OK;
    size_t ch = img->channels;
    size_t n = (size_t)img->width * img->height * ch;
    uint8_t *dst = malloc(n ? n : 1);
    HM_RETURN_IF(!dst, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes to orient the image", n);
    orient_map m = orient_map_for(orientation, img->width, img->height);
    uint32_t nw = m.swap ? img->height : img->width;
    uint32_t nh = m.swap ? img->width : img->height;
    const uint8_t *src = img->pixels;
    uint8_t *d = dst;
    for (uint32_t y = 0; y < nh; y++) {
        ptrdiff_t s = m.start + (ptrdiff_t)y * m.step_y;
        for (uint32_t x = 0; x < nw; x++, s += m.step_x, d += ch)
            memcpy(d, src + (size_t)s * ch, ch);
    }
    free(img->pixels);
    img->pixels = dst;
    img->width = nw;
    img->height = nh;
    return HM_OK;
}
