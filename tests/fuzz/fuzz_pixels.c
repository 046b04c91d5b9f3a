/* fuzz_pixels.c - pixel buffers of every format, size and stride with any
 * samples: hashing in place must give exactly the hashes of the converted
 * copy (hm_image_copy_pixels + hm_hash_image), in both PDQ modes, and never
 * read outside the described rows (each plane is an exact-size allocation).
 *
 * Input: 12 header bytes (format, width, height, the matrix and range, the
 * padding of each plane's rows, PDQ mode), then the samples, repeated as
 * needed to fill the planes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A plane of `rows` rows `stride` apart, `row` bytes of samples each, filled
 * from the input cyclically: exactly (rows-1)*stride + row bytes. */
static uint8_t *plane(size_t rows, size_t row, size_t stride, const uint8_t *s, size_t n)
{
    size_t len = (rows - 1) * stride + row;
    uint8_t *p = malloc(len);
    if (!p) abort();
    for (size_t i = 0; i < len; i++) p[i] = n ? s[i % n] : (uint8_t)i;
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12) return 0;
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = (hm_pixel_format)(1 + data[0] % 10);
    /* up to 1100 wide (cli512 squashes past 512), at most 64k pixels */
    px.width = 1 + (uint32_t)((data[1] | data[2] << 8) % 1100);
    px.height = 1 + (uint32_t)((data[3] | data[4] << 8) % (65536 / px.width));
    px.yuv_matrix = (hm_yuv_matrix)(1 + data[5] % 2);
    px.yuv_range = (hm_yuv_range)(1 + (data[5] >> 1) % 2);
    static const unsigned BPP[11] = {0, 1, 3, 3, 4, 4, 4, 4, 1, 1, 1};
    int yuv = px.format >= HM_PIXEL_I420;
    size_t cw = (px.width + 1) / 2, ch = (px.height + 1) / 2;
    size_t row[3] = {(size_t)px.width * BPP[px.format], px.format == HM_PIXEL_I420 ? cw : 2 * cw,
                     cw};
    size_t rows[3] = {px.height, ch, ch};
    unsigned planes = px.format == HM_PIXEL_I420 ? 3 : yuv ? 2 : 1;
    uint8_t *buf[3] = {NULL, NULL, NULL};
    for (unsigned p = 0; p < planes; p++) {
        px.stride[p] = row[p] + data[6 + p] % 16;
        buf[p] = plane(rows[p], row[p], px.stride[p], data + 12, size - 12);
        px.data[p] = buf[p];
    }
    hm_hash_options o;
    memset(&o, 0, sizeof o);
    o.algos = HM_MASK_PERCEPTUAL;
    o.pdq_mode = data[9] & 1 ? HM_PDQ_CLI512 : HM_PDQ_FULLRES;
    o.pdq_dihedral = (data[9] >> 1) & 1;
    hm_hashes a, b;
    hm_image *img = NULL;
    if (hm_hash_pixels(&px, &o, &a, NULL) != HM_OK) abort();
    if (hm_image_copy_pixels(&px, &img, NULL) != HM_OK) abort();
    if (hm_hash_image(img, &o, &b, NULL) != HM_OK) abort();
    if (memcmp(&a, &b, sizeof a) != 0) abort(); /* in place == converted copy */
    hm_image_free(img);
    for (unsigned p = 0; p < planes; p++) free(buf[p]);
    return 0;
}
