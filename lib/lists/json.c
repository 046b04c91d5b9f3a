/* json.c - the strict pull reader of json.h. Every read is bounded by the
 * end of the buffer: the input need not be NUL-terminated. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

void hm__json_init(hm__json *j, const uint8_t *data, size_t size)
{
    memset(j, 0, sizeof *j);
    j->p = data;
    j->end = data + size;
    j->line = 1;
    if (size >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) j->p += 3;
}

void hm__json_free(hm__json *j)
{
    free(j->str);
    j->str = NULL;
    j->str_cap = j->str_len = 0;
}

int hm__json_fail(hm__json *j, const char *fmt, ...)
{
    if (j->failed) return -1;
    j->failed = 1;
    j->error_line = j->line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->error, sizeof j->error, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(hm__json *j)
{
    while (j->p < j->end) {
        uint8_t c = *j->p;
        if (c == '\n') j->line++;
        else if (c != ' ' && c != '\t' && c != '\r') return;
        j->p++;
    }
}

hm__json_type hm__json_peek(hm__json *j)
{
    if (j->failed) return HM__JSON_NONE;
    skip_ws(j);
    if (j->p >= j->end) return HM__JSON_NONE;
    switch (*j->p) {
    case '{': return HM__JSON_OBJECT;
    case '[': return HM__JSON_ARRAY;
    case '"': return HM__JSON_STRING;
    case 't':
    case 'f': return HM__JSON_BOOL;
    case 'n': return HM__JSON_NULL;
    default: return (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) ? HM__JSON_NUMBER : HM__JSON_NONE;
    }
}

const char *hm__json_type_name(hm__json_type t)
{
    static const char *const NAMES[] = {"no value", "an object", "an array", "a string",
                                        "a number", "a boolean", "null"};
    return (unsigned)t < HM_ARRAY_SIZE(NAMES) ? NAMES[t] : "no value";
}

/* Describes the byte at the reading position for messages. */
static int unexpected(hm__json *j, const char *wanted)
{
    if (j->p >= j->end) return hm__json_fail(j, "expected %s, found the end of the input", wanted);
    uint8_t c = *j->p;
    if (c >= 0x20 && c < 0x7f) return hm__json_fail(j, "expected %s, found '%c'", wanted, c);
    return hm__json_fail(j, "expected %s, found byte 0x%02x", wanted, c);
}

static int expect_byte(hm__json *j, uint8_t c, const char *wanted)
{
    if (j->failed) return -1;
    skip_ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return 0;
    }
    return unexpected(j, wanted);
}

static int open_container(hm__json *j, uint8_t c, const char *wanted)
{
    if (expect_byte(j, c, wanted)) return -1;
    if (++j->depth > HM__JSON_MAX_DEPTH)
        return hm__json_fail(j, "containers nested more than %d deep", HM__JSON_MAX_DEPTH);
    return 0;
}

int hm__json_begin_object(hm__json *j) { return open_container(j, '{', "an object"); }
int hm__json_begin_array(hm__json *j) { return open_container(j, '[', "an array"); }

/* Shared by objects and arrays: 1 when an element follows, 0 at `close`. */
static int next_element(hm__json *j, size_t *count, uint8_t close, const char *what)
{
    if (j->failed) return -1;
    skip_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    if (*count > 0 && expect_byte(j, ',', what)) return -1;
    (*count)++;
    return 1;
}

int hm__json_next_member(hm__json *j, size_t *count)
{
    int r = next_element(j, count, '}', "',' or '}'");
    if (r != 1) return r;
    if (hm__json_peek(j) != HM__JSON_STRING) return unexpected(j, "a member name (a string)");
    if (hm__json_string(j) || expect_byte(j, ':', "':'")) return -1;
    return 1;
}

int hm__json_next_item(hm__json *j, size_t *count)
{
    return next_element(j, count, ']', "',' or ']'");
}

/* ---- strings ---- */

static int put_byte(hm__json *j, uint8_t c)
{
    if (j->str_len + 1 >= j->str_cap) {
        size_t cap = j->str_cap ? 2 * j->str_cap : 256;
        char *s = realloc(j->str, cap);
        if (!s) return hm__json_fail(j, "out of memory for a string");
        j->str = s;
        j->str_cap = cap;
    }
    j->str[j->str_len++] = (char)c;
    return 0;
}

static int put_code_point(hm__json *j, uint32_t cp)
{
    uint8_t b[4];
    int n;
    if (cp < 0x80) b[0] = (uint8_t)cp, n = 1;
    else if (cp < 0x800) b[0] = (uint8_t)(0xc0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        b[0] = (uint8_t)(0xe0 | cp >> 12), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)),
        b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
    else
        b[0] = (uint8_t)(0xf0 | cp >> 18), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f)),
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (cp & 0x3f)), n = 4;
    for (int i = 0; i < n; i++)
        if (put_byte(j, b[i])) return -1;
    return 0;
}

static int hex4(hm__json *j, uint32_t *out)
{
    uint32_t v = 0;
    if (j->end - j->p < 4) return hm__json_fail(j, "\\u needs four hex digits");
    for (int i = 0; i < 4; i++) {
        uint8_t c = j->p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return hm__json_fail(j, "\\u needs four hex digits");
        v = v << 4 | (uint32_t)d;
    }
    j->p += 4;
    *out = v;
    return 0;
}

/* After "\u": one code point, a surrogate pair counting as one. */
static int unicode_escape(hm__json *j)
{
    uint32_t cp, lo;
    if (hex4(j, &cp)) return -1;
    if (cp >= 0xdc00 && cp < 0xe000) return hm__json_fail(j, "unpaired low surrogate \\u%04x", cp);
    if (cp >= 0xd800 && cp < 0xdc00) {
        if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
            return hm__json_fail(j, "unpaired high surrogate \\u%04x", cp);
        j->p += 2;
        if (hex4(j, &lo)) return -1;
        if (lo < 0xdc00 || lo >= 0xe000)
            return hm__json_fail(j, "high surrogate \\u%04x not followed by a low one", cp);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (cp == 0) return hm__json_fail(j, "\\u0000 in a string");
    return put_code_point(j, cp);
}

static int escape(hm__json *j)
{
    if (j->p >= j->end) return hm__json_fail(j, "unterminated string");
    uint8_t c = *j->p++;
    static const char FROM[] = "\"\\/bfnrt", TO[] = "\"\\/\b\f\n\r\t";
    if (c == 'u') return unicode_escape(j);
    const char *k = c ? strchr(FROM, c) : NULL;
    if (!k) return hm__json_fail(j, "invalid escape \\%c in a string", c >= 0x20 && c < 0x7f ? c : '?');
    return put_byte(j, (uint8_t)TO[k - FROM]);
}

/* Length of the valid UTF-8 sequence at p (0 if invalid): no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_length(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || (size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && p[1] < 0xa0) return 0;  /* overlong */
    if (c == 0xed && p[1] >= 0xa0) return 0; /* surrogate */
    if (c == 0xf0 && p[1] < 0x90) return 0;  /* overlong */
    if (c == 0xf4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
    return n;
}

int hm__json_string(hm__json *j)
{
    if (expect_byte(j, '"', "a string")) return -1;
    j->str_len = 0;
    while (j->p < j->end && *j->p != '"') {
        uint8_t c = *j->p;
        if (c < 0x20) return hm__json_fail(j, "control character 0x%02x in a string", c);
        if (c == '\\') {
            j->p++;
            if (escape(j)) return -1;
        } else if (c < 0x80) {
            if (put_byte(j, c)) return -1;
            j->p++;
        } else {
            size_t n = utf8_length(j->p, j->end);
            if (!n) return hm__json_fail(j, "invalid UTF-8 in a string");
            for (size_t i = 0; i < n; i++)
                if (put_byte(j, j->p[i])) return -1;
            j->p += n;
        }
    }
    if (j->p >= j->end) return hm__json_fail(j, "unterminated string");
    j->p++;
    if (put_byte(j, 0)) return -1;
    j->str_len--;
    return 0;
}

/* ---- numbers and literals ---- */

static size_t digits(const uint8_t *p, const uint8_t *end)
{
    size_t n = 0;
    while (p + n < end && p[n] >= '0' && p[n] <= '9') n++;
    return n;
}

/* The extent of a number by the RFC grammar; 0 if malformed. */
static size_t number_length(const uint8_t *s, const uint8_t *end, int *is_int)
{
    const uint8_t *p = s;
    if (p < end && *p == '-') p++;
    size_t d = digits(p, end);
    if (d == 0 || (d > 1 && *p == '0')) return 0; /* no digits, or a leading zero */
    p += d;
    *is_int = 1;
    if (p < end && *p == '.') {
        if (!(d = digits(++p, end))) return 0;
        p += d;
        *is_int = 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (!(d = digits(p, end))) return 0;
        p += d;
        *is_int = 0;
    }
    return (size_t)(p - s);
}

int hm__json_number(hm__json *j, hm__json_num *out)
{
    memset(out, 0, sizeof *out);
    if (hm__json_peek(j) != HM__JSON_NUMBER) return unexpected(j, "a number");
    int is_int = 0;
    size_t n = number_length(j->p, j->end, &is_int);
    char buf[64];
    if (n == 0) return hm__json_fail(j, "malformed number");
    if (n >= sizeof buf) return hm__json_fail(j, "number of %zu characters is too long", n);
    memcpy(buf, j->p, n);
    buf[n] = '\0';
    j->p += n;
    out->d = strtod(buf, NULL);
    if (!isfinite(out->d)) return hm__json_fail(j, "number %s is out of range", buf);
    if (is_int) {
        char *e;
        errno = 0;
        long long v = strtoll(buf, &e, 10);
        out->is_int = errno == 0 && *e == '\0';
        out->i = out->is_int ? (int64_t)v : 0;
    }
    return 0;
}

static int literal(hm__json *j, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
        return hm__json_fail(j, "malformed literal (expected %s)", word);
    j->p += n;
    return 0;
}

int hm__json_bool(hm__json *j, int *out)
{
    *out = 0;
    if (hm__json_peek(j) != HM__JSON_BOOL) return unexpected(j, "true or false");
    *out = *j->p == 't';
    return literal(j, *out ? "true" : "false");
}

int hm__json_null(hm__json *j)
{
    if (hm__json_peek(j) != HM__JSON_NULL) return unexpected(j, "null");
    return literal(j, "null");
}

/* ---- whole values ---- */

static int skip_container(hm__json *j, int object)
{
    size_t count = 0;
    int r;
    if (object ? hm__json_begin_object(j) : hm__json_begin_array(j)) return -1;
    while ((r = object ? hm__json_next_member(j, &count) : hm__json_next_item(j, &count)) == 1)
        if (hm__json_skip(j)) return -1;
    return r;
}

int hm__json_skip(hm__json *j)
{
    hm__json_num n;
    int b;
    switch (hm__json_peek(j)) {
    case HM__JSON_OBJECT: return skip_container(j, 1);
    case HM__JSON_ARRAY: return skip_container(j, 0);
    case HM__JSON_STRING: return hm__json_string(j);
    case HM__JSON_NUMBER: return hm__json_number(j, &n);
    case HM__JSON_BOOL: return hm__json_bool(j, &b);
    case HM__JSON_NULL: return hm__json_null(j);
    default: return j->failed ? -1 : unexpected(j, "a value");
    }
}

int hm__json_finish(hm__json *j)
{
    if (j->failed) return -1;
    skip_ws(j);
    if (j->p < j->end) return unexpected(j, "the end of the input after the document");
    return 0;
}
