/* values.c - hash values as the lists write them (LISTS.md section 0), and
 * safe renderings of outside text for messages. */
#include "state.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void hm__lf_printable(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0, limit = cap > 4 ? cap - 4 : 0;
    for (size_t i = 0; i < n && o < limit; i++)
        out[o++] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
    if (o < n && o == limit && cap >= 4) out[o++] = '.', out[o++] = '.', out[o++] = '.';
    if (cap) out[o < cap ? o : cap - 1] = '\0';
}

int hm__lf_parse_value(hm__list_file *f, uint32_t line, const char *type, hm_algo algo,
                       const char *text, size_t len, uint8_t hash[HM_MAX_HASH_BYTES])
{
    while (len > 0 && is_space(*text)) text++, len--;
    while (len > 0 && is_space(text[len - 1])) len--;
    size_t hs = hm_algo_hash_size(algo);
    char shown[88];
    hm__lf_printable(text, len, shown, sizeof shown);
    if (len == 0) return hm__lf_fail(f, line, "empty %s value", type);
    if (len != 2 * hs)
        return hm__lf_fail(f, line, "%s value '%s' has %zu characters; a %s hash is %zu hex "
                           "digits", type, shown, len, hm_algo_name(algo), 2 * hs);
    for (size_t i = 0; i < hs; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return hm__lf_fail(f, line, "%s value '%s' is not hexadecimal", type, shown);
        hash[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int hm__lf_hash_record(hm__list_file *f, uint32_t line, const char *type, hm_algo algo,
                       const char *text, size_t len, size_t full_len, int deletion,
                       const char *classification, const char *external_id)
{
    uint8_t hash[HM_MAX_HASH_BYTES];
    unsigned category = HM__LIST_NO_CATEGORY;
    if (full_len > len) return hm__lf_fail(f, line, "%s value of %zu characters", type, full_len);
    if (hm__lf_parse_value(f, line, type, algo, text, len, hash)) return -1;
    hm__lf_begin(f, line);
    if (hm__lf_key_hash(f, algo, hash)) return -1;
    if (!deletion && (hm__lf_pair(f, algo, hash) ||
                      hm__lf_category(f, line, classification, &category)))
        return -1;
    return hm__lf_end(f, deletion, category, external_id);
}
