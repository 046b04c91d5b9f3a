/* escape.c - printable, unambiguous forms of untrusted text (escape.h). */
#include "escape.h"

#include <stdio.h>
#include <string.h>

#include "set/set.h"

/* Writes the escaped form of the character at s (n bytes left) into out
 * (at least 17 bytes) and returns how many input bytes it used. */
static size_t escape_one(const unsigned char *s, size_t n, char *out)
{
    uint32_t cp;
    size_t len = hm__utf8_decode(s, n, &cp);
    if (len && hm__text_char_ok(cp) && cp != '\\') {
        memcpy(out, s, len);
        out[len] = '\0';
        return len;
    }
    if (!len) len = 1, cp = s[0]; /* invalid UTF-8: this byte alone */
    const char *named = cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : cp == '\r' ? "\\r"
                        : cp == '\\' ? "\\\\" : NULL;
    if (named && len == 1) {
        strcpy(out, named);
        return 1;
    }
    for (size_t i = 0; i < len; i++) snprintf(out + 4 * i, 5, "\\x%02x", s[i]);
    return len;
}

void cli_buf_escaped(cli_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    char piece[17];
    while (n > 0) {
        size_t used = escape_one(s, n, piece);
        cli_buf_puts(b, piece);
        s += used;
        n -= used;
    }
}

/* Length of the escaped form of s[0..n). */
static size_t escaped_length(const unsigned char *s, size_t n)
{
    char piece[17];
    size_t total = 0;
    while (n > 0) {
        size_t used = escape_one(s, n, piece);
        total += strlen(piece);
        s += used;
        n -= used;
    }
    return total;
}

const char *cli_escape(const char *str, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), o = 0;
    char piece[17];
    if (size < 4) return size ? (out[0] = '\0', out) : out;
    /* Cut short: whole escapes only, then "..." and the NUL. */
    size_t room = escaped_length(s, n) < size ? size : size - 4;
    while (n > 0) {
        size_t used = escape_one(s, n, piece), k = strlen(piece);
        if (o + k > room) break;
        memcpy(out + o, piece, k);
        o += k;
        s += used;
        n -= used;
    }
    strcpy(out + o, n > 0 ? "..." : "");
    return out;
}
