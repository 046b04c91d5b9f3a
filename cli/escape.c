/*
 * escape.c - printing names the tool does not control (file names, and
 * anything else read from outside) so that they cannot forge output.
 *
 * Text output: a file named "a.jpg<TAB>no match<NEWLINE>ok" must not print
 * as a row for a file that does not exist. Every byte that could end a
 * field or a line, move the cursor or reorder what a terminal shows is
 * written as a backslash escape, and the backslash itself is escaped, so
 * the scheme is reversible:
 *
 *   \\  backslash        \t  tab      \n  line feed      \r  carriage return
 *   \xNN  any other byte below 0x20, 0x7f, a byte that is not part of valid
 *         UTF-8, and each byte of the characters listed in is_hidden_char
 *         (C1 controls, line and paragraph separators, bidirectional
 *         controls): two lowercase hex digits
 *
 * Everything else, including valid UTF-8 text, is written as it is. No
 * quotes are added: fields are separated by tabs, which never appear raw.
 *
 * JSON output: strings are escaped by the JSON writer, and invalid UTF-8
 * becomes U+FFFD there, which could make two files print the same "path".
 * So a path that is not valid UTF-8 also gets "path_bytes": the hex of its
 * raw bytes, which always names exactly one file.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"

size_t cli_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned min;
    if ((c & 0xe0) == 0xc0) n = 2, min = 0x80, c &= 0x1f;
    else if ((c & 0xf0) == 0xe0) n = 3, min = 0x800, c &= 0x0f;
    else if ((c & 0xf8) == 0xf0) n = 4, min = 0x10000, c &= 0x07;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    return n;
}

static unsigned utf8_code(const unsigned char *s, size_t n)
{
    static const unsigned char MASK[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    unsigned c = s[0] & MASK[n];
    for (size_t i = 1; i < n; i++) c = (c << 6) | (s[i] & 0x3f);
    return c;
}

/* Characters that are valid UTF-8 but act like controls on a terminal or
 * in a viewer: C1 controls (U+0085 is a line break for some tools), the
 * line and paragraph separators, and the bidirectional formatting
 * characters that reorder what is shown (the "Trojan Source" class). */
static int is_hidden_char(unsigned c)
{
    return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
           c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}


/* The escaped form of the character at s (at most 16 bytes and a NUL into
 * piece); returns how many input bytes it used. */
static size_t escape_piece(const unsigned char *s, char piece[17])
{
    static const char HEX[] = "0123456789abcdef";
    unsigned char c = *s;
    size_t n = 1;
    const char *named = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r" : NULL;
    int hex;
    if (named) return strcpy(piece, named), 1;
    if (c < 0x80) hex = c < 0x20 || c == 0x7f;
    else if ((n = cli_utf8_len(s)) == 0) hex = 1, n = 1;
    else hex = is_hidden_char(utf8_code(s, n));
    if (!hex) {
        memcpy(piece, s, n);
        piece[n] = '\0';
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        char *e = piece + 4 * i;
        e[0] = '\\', e[1] = 'x', e[2] = HEX[s[i] >> 4], e[3] = HEX[s[i] & 15];
    }
    piece[4 * n] = '\0';
    return n;
}

void cli_buf_escaped(cli_buf *b, const char *str)
{
    char piece[17];
    for (const unsigned char *s = (const unsigned char *)str; *s;) {
        s += escape_piece(s, piece);
        cli_buf_puts(b, piece);
    }
}

const char *cli_escape_into(const char *str, char *out, size_t size)
{
    char piece[17];
    size_t o = 0, total = 0;
    const unsigned char *s;
    if (size < 4) return size ? (out[0] = '\0', out) : out;
    for (s = (const unsigned char *)str; *s;) {
        s += escape_piece(s, piece);
        total += strlen(piece);
    }
    /* Cut short: whole escapes only, then "..." and the NUL. */
    size_t room = total < size ? size - 1 : size - 4;
    for (s = (const unsigned char *)str; *s;) {
        size_t used = escape_piece(s, piece), k = strlen(piece);
        if (o + k > room) break;
        memcpy(out + o, piece, k);
        o += k;
        s += used;
    }
    strcpy(out + o, *s ? "..." : "");
    return out;
}

char *cli_escape(const char *s)
{
    cli_buf b;
    cli_buf_init(&b);
    cli_buf_escaped(&b, s);
    if (b.oom || !b.data) {
        cli_buf_free(&b);
        return s[0] ? NULL : calloc(1, 1); /* "" escapes to "" */
    }
    return b.data;
}

int cli_is_utf8(const char *str)
{
    for (const unsigned char *s = (const unsigned char *)str; *s;) {
        size_t n = cli_utf8_len(s);
        if (!n) return 0;
        s += n;
    }
    return 1;
}

void cli_buf_json_path(cli_buf *b, int *first, const char *path)
{
    cli_buf_json_key(b, first, "path");
    cli_buf_json_string(b, path);
    if (cli_is_utf8(path)) return;
    cli_buf_json_key(b, first, "path_bytes");
    cli_buf_json_hex(b, (const uint8_t *)path, strlen(path));
}
