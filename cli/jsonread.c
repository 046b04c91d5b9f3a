/* jsonread.c - a small JSON reader for the files the tool itself writes
 * (hash lines, eval results): values become a tree of jv nodes. */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

typedef struct {
    const char *s, *end;
    const char *error;
    int depth;
} reader;

static void ws(reader *r)
{
    while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r')) r->s++;
}

static int fail(reader *r, const char *msg)
{
    if (!r->error) r->error = msg;
    return -1;
}

static int parse_value(reader *r, jv *v);

static void put_utf8(char *d, size_t *n, unsigned cp)
{
    if (cp < 0x80) d[(*n)++] = (char)cp;
    else if (cp < 0x800) {
        d[(*n)++] = (char)(0xc0 | (cp >> 6));
        d[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        d[(*n)++] = (char)(0xe0 | (cp >> 12));
        d[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The 4 hex digits of a \u escape at p, all before `end`; -1 if not. */
static long hex4(const char *p, const char *end)
{
    long cp = 0;
    for (int i = 0; i < 4; i++) {
        int d = p + i < end ? hex_digit(p[i]) : -1;
        if (d < 0) return -1;
        cp = cp * 16 + d;
    }
    return cp;
}

/* Decodes the escape after a backslash at p (< end) into d; returns the
 * position after it, NULL when malformed. */
static const char *unescape(const char *p, const char *end, char *d, size_t *n)
{
    long cp;
    switch (*p) {
    case 'n': d[(*n)++] = '\n'; break;
    case 't': d[(*n)++] = '\t'; break;
    case 'r': d[(*n)++] = '\r'; break;
    case 'b': d[(*n)++] = '\b'; break;
    case 'f': d[(*n)++] = '\f'; break;
    case '"': case '\\': case '/': d[(*n)++] = *p; break;
    case 'u':
        if ((cp = hex4(p + 1, end)) < 0) return NULL;
        put_utf8(d, n, (unsigned)cp); /* surrogates are kept as-is: paths rarely hold them */
        return p + 5;
    default: return NULL;
    }
    return p + 1;
}

static int parse_string(reader *r, char **out)
{
    r->s++; /* opening quote */
    const char *start = r->s;
    while (r->s < r->end && *r->s != '"') r->s += (*r->s == '\\') ? 2 : 1;
    if (r->s >= r->end) return fail(r, "unterminated string");
    char *d = malloc((size_t)(r->s - start) + 1);
    if (!d) return fail(r, "out of memory");
    size_t n = 0;
    for (const char *p = start; p < r->s;) {
        if ((unsigned char)*p < 0x20) p = NULL;
        else if (*p != '\\') d[n++] = *p++;
        else p = unescape(p + 1, r->s, d, &n);
        if (!p) {
            free(d);
            return fail(r, "bad string");
        }
    }
    d[n] = '\0';
    r->s++;
    *out = d;
    return 0;
}

/* JSON's number grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
 * read within [s, end): the input need not be NUL-terminated, so strtod
 * only ever sees a bounded copy. Returns the length, 0 when malformed. */
static size_t number_length(const char *s, const char *end)
{
    const char *p = s;
#define DIGITS(min)                                                                               \
    do {                                                                                          \
        const char *q_ = p;                                                                       \
        while (p < end && *p >= '0' && *p <= '9') p++;                                            \
        if (p - q_ < (min)) return 0;                                                             \
    } while (0)
    if (p < end && *p == '-') p++;
    if (p < end && *p == '0') p++;
    else DIGITS(1);
    if (p < end && *p == '.') {
        p++;
        DIGITS(1);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        DIGITS(1);
    }
#undef DIGITS
    return (size_t)(p - s);
}

static int parse_number(reader *r, jv *v)
{
    char buf[64];
    size_t len = number_length(r->s, r->end);
    if (len == 0 || len >= sizeof buf) return fail(r, "bad number");
    memcpy(buf, r->s, len);
    buf[len] = '\0';
    v->type = JV_NUM;
    v->num = strtod(buf, NULL);
    v->is_uint = 1;
    v->u = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] < '0' || buf[i] > '9' || v->u > (UINT64_MAX - 9) / 10) {
            v->is_uint = 0;
            break;
        }
        v->u = v->u * 10 + (uint64_t)(buf[i] - '0');
    }
    r->s += len;
    return 0;
}

static int push(jv *v, char *key, const jv *item)
{
    if (v->n % 16 == 0) {
        jv *items = realloc(v->items, (v->n + 16) * sizeof *items);
        if (!items) return -1;
        v->items = items;
        if (v->type == JV_OBJ) {
            char **keys = realloc(v->keys, (v->n + 16) * sizeof *keys);
            if (!keys) return -1;
            v->keys = keys;
        }
    }
    v->items[v->n] = *item;
    if (v->type == JV_OBJ) v->keys[v->n] = key;
    v->n++;
    return 0;
}

static int parse_container(reader *r, jv *v, char close)
{
    v->type = close == '}' ? JV_OBJ : JV_ARR;
    if (++r->depth > 64) return fail(r, "nested too deeply");
    r->s++;
    ws(r);
    if (r->s < r->end && *r->s == close) {
        r->s++;
        r->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        jv item = {0};
        ws(r);
        if (v->type == JV_OBJ) {
            if (r->s >= r->end || *r->s != '"' || parse_string(r, &key)) return fail(r, "expected a key");
            ws(r);
            if (r->s >= r->end || *r->s != ':') {
                free(key);
                return fail(r, "expected ':'");
            }
            r->s++;
        }
        if (parse_value(r, &item) || push(v, key, &item)) {
            free(key);
            jv_free(&item);
            return fail(r, "bad value");
        }
        ws(r);
        if (r->s < r->end && *r->s == ',') {
            r->s++;
            continue;
        }
        if (r->s < r->end && *r->s == close) {
            r->s++;
            r->depth--;
            return 0;
        }
        return fail(r, "expected ',' or a closing bracket");
    }
}

static int literal(reader *r, const char *word, jv *v, jv_type t, int b)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->s) < n || memcmp(r->s, word, n)) return fail(r, "bad literal");
    r->s += n;
    v->type = t;
    v->num = b;
    return 0;
}

static int parse_value(reader *r, jv *v)
{
    ws(r);
    if (r->s >= r->end) return fail(r, "unexpected end");
    switch (*r->s) {
    case '{': return parse_container(r, v, '}');
    case '[': return parse_container(r, v, ']');
    case '"': v->type = JV_STR; return parse_string(r, &v->str);
    case 't': return literal(r, "true", v, JV_BOOL, 1);
    case 'f': return literal(r, "false", v, JV_BOOL, 0);
    case 'n': return literal(r, "null", v, JV_NULL, 0);
    default: return parse_number(r, v);
    }
}

int jv_parse(const char *text, size_t len, jv *out, const char **error)
{
    reader r = {text, text + len, NULL, 0};
    memset(out, 0, sizeof *out);
    if (parse_value(&r, out) == 0) {
        ws(&r);
        if (r.s == r.end) return 0;
        fail(&r, "trailing characters");
    }
    jv_free(out);
    if (error) *error = r.error;
    return -1;
}

void jv_free(jv *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) {
        jv_free(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    memset(v, 0, sizeof *v);
}

const jv *jv_get(const jv *obj, const char *key)
{
    if (!obj || obj->type != JV_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) return &obj->items[i];
    return NULL;
}

const char *jv_str(const jv *v) { return v && v->type == JV_STR ? v->str : NULL; }
