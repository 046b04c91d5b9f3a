/* json.c - a growable text buffer with JSON helpers. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_buf_init(cli_buf *b) { memset(b, 0, sizeof *b); }

void cli_buf_free(cli_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void cli_buf_reset(cli_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static int reserve(cli_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

static void append(cli_buf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cli_buf_putc(cli_buf *b, char c) { append(b, &c, 1); }

void cli_buf_putn(cli_buf *b, const char *s, size_t n) { append(b, s, n); }

void cli_buf_puts(cli_buf *b, const char *s) { append(b, s, strlen(s)); }

void cli_buf_printf(cli_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void cli_buf_json_string(cli_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    cli_buf_putc(b, '"');
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            cli_buf_putc(b, '\\');
            cli_buf_putc(b, (char)c);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': cli_buf_puts(b, "\\n"); break;
            case '\r': cli_buf_puts(b, "\\r"); break;
            case '\t': cli_buf_puts(b, "\\t"); break;
            default: cli_buf_printf(b, "\\u%04x", c);
            }
            s++;
        } else if (c < 0x80) {
            cli_buf_putc(b, (char)c);
            s++;
        } else {
            size_t n = cli_utf8_len(s);
            if (n) {
                append(b, (const char *)s, n);
                s += n;
            } else {
                cli_buf_puts(b, "\\ufffd");
                s++;
            }
        }
    }
    cli_buf_putc(b, '"');
}

void cli_buf_json_key(cli_buf *b, int *first, const char *key)
{
    if (!*first) cli_buf_puts(b, ", ");
    *first = 0;
    cli_buf_json_string(b, key);
    cli_buf_puts(b, ": ");
}

void cli_buf_json_error(cli_buf *b, int *first, hm_status status, const hm_error *err)
{
    cli_buf_json_key(b, first, "error");
    cli_buf_json_string(b, hm_status_name(status));
    cli_buf_json_key(b, first, "message");
    cli_buf_json_string(b, err->message[0] ? err->message : hm_strerror(status));
}

void cli_buf_json_hex(cli_buf *b, const uint8_t *bytes, size_t n)
{
    char hex[2 * HM_MAX_HASH_BYTES + 1];
    cli_buf_putc(b, '"');
    for (size_t i = 0; i < n; i += HM_MAX_HASH_BYTES) { /* any length */
        size_t k = n - i < HM_MAX_HASH_BYTES ? n - i : HM_MAX_HASH_BYTES;
        hm_hex_encode(bytes + i, k, hex);
        cli_buf_puts(b, hex);
    }
    cli_buf_putc(b, '"');
}

int cli_buf_write(const cli_buf *b, FILE *f)
{
    if (b->oom) return -1;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) return -1;
    return 0;
}
