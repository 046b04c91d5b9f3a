/* hex.c - hex encoding/decoding and Hamming distance of byte strings. */
#include "common.h"

void hm_hex_encode(const uint8_t *bytes, size_t size, char *out)
{
    static const char DIGITS[] = "0123456789abcdef";
    for (size_t i = 0; i < size; i++) {
        out[2 * i] = DIGITS[bytes[i] >> 4];
        out[2 * i + 1] = DIGITS[bytes[i] & 15];
    }
    out[2 * size] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

hm_status hm_hex_decode(const char *hex, uint8_t *bytes, size_t size)
{
    if (!hex || (!bytes && size)) return HM_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < size; i++) {
        if (hex[2 * i] == '\0' || hex[2 * i + 1] == '\0') return HM_E_PARSE;
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return HM_E_PARSE;
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[2 * size] == '\0' ? HM_OK : HM_E_PARSE;
}

unsigned hm_hamming(const uint8_t *a, const uint8_t *b, size_t size)
{
    unsigned d = 0;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        d += hm__popcount64(x ^ y);
    }
    for (; i < size; i++) d += hm__popcount64((uint64_t)(a[i] ^ b[i]));
    return d;
}
