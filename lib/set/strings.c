/* strings.c - what text a set may hold: UTF-8 that prints safely. Names,
 * categories and external ids end up on auditors' terminals, so control
 * characters (C0, DEL, C1) and the bidirectional formatting controls that
 * can make a listing read differently from its bytes are refused. */
#include <stdio.h>

#include "set_internal.h"

size_t hm__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

int hm__text_char_ok(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 0;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 0;
    return 1;
}

int hm__set_text_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = hm__utf8_decode(p + i, n - i, &cp);
        if (len == 0 || !hm__text_char_ok(cp)) return 0;
        i += len;
    }
    return 1;
}

/* Unix seconds to "YYYY-MM-DDTHH:MM:SSZ" without the C library's time_t
 * (which may be 32 bits): the civil-from-days algorithm of the proleptic
 * Gregorian calendar. */
void hm__format_time(uint64_t t, char out[HM__TIME_SIZE])
{
    uint64_t days = t / 86400, rem = t % 86400;
    if (days > 3652058) { /* beyond 9999-12-31 */
        snprintf(out, HM__TIME_SIZE, "@%llu", (unsigned long long)t);
        return;
    }
    int64_t z = (int64_t)days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(out, HM__TIME_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}
