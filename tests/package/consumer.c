/* consumer.c - an application using the installed library: the version, and
 * the PDQ hash of a 64x64 RGBA frame it draws itself. */
#include <stdio.h>
#include <string.h>

#include <hashmatch.h>

int main(void)
{
    static uint8_t frame[64 * 64 * 4];
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            uint8_t *p = frame + (y * 64 + x) * 4;
            p[0] = (uint8_t)(x * 4), p[1] = (uint8_t)(y * 4), p[2] = (uint8_t)((x ^ y) * 4);
            p[3] = 255;
        }
    hm_pixels px;
    memset(&px, 0, sizeof px);
    px.format = HM_PIXEL_RGBA8;
    px.width = px.height = 64;
    px.data[0] = frame;
    px.stride[0] = 64 * 4;
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK(HM_ALGO_PDQ);
    hm_hashes h;
    hm_error err;
    if (hm_hash_pixels(&px, &opt, &h, &err) != HM_OK) {
        fprintf(stderr, "hash: %s\n", err.message);
        return 1;
    }
    char hex[HM_PDQ_HEX_SIZE];
    hm_hex_encode(h.pdq, HM_PDQ_BYTES, hex);
    printf("hashmatch %s pdq %s quality %d\n", hm_version(), hex, h.pdq_quality);
    return 0;
}
