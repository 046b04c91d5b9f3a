/* tinyjson.c - a small recursive-descent JSON reader for the tests. */
#include "tinyjson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TJ_MAX_DEPTH 64

typedef struct tj_parser {
    const char *p;
    const char *end;
    const char *start;
    int failed;
} tj_parser;

static int parse_value(tj_parser *ps, tj_value *out, int depth);

static void skip_ws(tj_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int fail(tj_parser *ps)
{
    ps->failed = 1;
    return -1;
}

static int literal(tj_parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return fail(ps);
    ps->p += n;
    return 0;
}

static int hex4(tj_parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4) return fail(ps);
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(ps);
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int parse_escape(tj_parser *ps, char *o, size_t *n)
{
    char c = *ps->p++;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        o[(*n)++] = to[k - from];
        return 0;
    }
    unsigned cp;
    if (c != 'u' || hex4(ps, &cp)) return fail(ps);
    if (cp >= 0xd800 && cp < 0xdc00) { /* a surrogate pair */
        unsigned lo;
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') return fail(ps);
        ps->p += 2;
        if (hex4(ps, &lo) || lo < 0xdc00 || lo > 0xdfff) return fail(ps);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fail(ps);
    }
    *n += put_utf8(o + *n, cp);
    return 0;
}

/* The decoded string is never longer than its quoted form. */
static int parse_string(tj_parser *ps, char **out, size_t *len)
{
    if (ps->p >= ps->end || *ps->p != '"') return fail(ps);
    ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\') ? 2 : 1;
    if (q >= ps->end) return fail(ps);
    char *s = malloc((size_t)(q - ps->p) + 1);
    if (!s) return fail(ps);
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) break;
        if (c != '\\') {
            s[n++] = (char)c;
        } else if (parse_escape(ps, s, &n)) {
            break;
        }
    }
    if (ps->failed || *ps->p != '"') {
        free(s);
        return fail(ps);
    }
    ps->p++;
    s[n] = '\0';
    *out = s;
    *len = n;
    return 0;
}

static int parse_number(tj_parser *ps, tj_value *out)
{
    const char *q = ps->p;
    if (q < ps->end && *q == '-') q++;
    if (q >= ps->end || *q < '0' || *q > '9') return fail(ps);
    while (q < ps->end && strchr("0123456789+-.eE", *q)) q++;
    char buf[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof buf) return fail(ps);
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    char *e;
    out->number = strtod(buf, &e);
    if (e != buf + n) return fail(ps);
    out->type = TJ_NUMBER;
    ps->p = q;
    return 0;
}

/* Appends a zeroed slot to a growing member array. */
static tj_value *grow(tj_value *out, size_t *cap, int with_keys)
{
    if (out->count == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        tj_value *items = realloc(out->items, nc * sizeof *items);
        if (!items) return NULL;
        out->items = items;
        if (with_keys) {
            char **keys = realloc(out->keys, nc * sizeof *keys);
            if (!keys) return NULL;
            out->keys = keys;
        }
        *cap = nc;
    }
    tj_value *v = &out->items[out->count];
    memset(v, 0, sizeof *v);
    if (with_keys) out->keys[out->count] = NULL;
    out->count++;
    return v;
}

static int parse_members(tj_parser *ps, tj_value *out, int depth, int is_object)
{
    char close = is_object ? '}' : ']';
    size_t cap = 0;
    out->type = is_object ? TJ_OBJECT : TJ_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        tj_value *v = grow(out, &cap, is_object);
        if (!v) return fail(ps);
        if (is_object) {
            size_t klen;
            skip_ws(ps);
            if (parse_string(ps, &out->keys[out->count - 1], &klen)) return -1;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail(ps);
            ps->p++;
        }
        if (parse_value(ps, v, depth + 1)) return -1;
        skip_ws(ps);
        if (ps->p >= ps->end) return fail(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close) return fail(ps);
        ps->p++;
        return 0;
    }
}

static int parse_value(tj_parser *ps, tj_value *out, int depth)
{
    if (depth > TJ_MAX_DEPTH) return fail(ps);
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps);
    switch (*ps->p) {
    case '{': return parse_members(ps, out, depth, 1);
    case '[': return parse_members(ps, out, depth, 0);
    case '"': out->type = TJ_STRING; return parse_string(ps, &out->string, &out->count);
    case 't': out->type = TJ_BOOL; out->boolean = 1; return literal(ps, "true");
    case 'f': out->type = TJ_BOOL; return literal(ps, "false");
    case 'n': out->type = TJ_NULL; return literal(ps, "null");
    default: return parse_number(ps, out);
    }
}

static void free_members(tj_value *v)
{
    if (!v) return;
    if (v->type == TJ_STRING) free(v->string);
    for (size_t i = 0; v->items && i < v->count; i++) free_members(&v->items[i]);
    for (size_t i = 0; v->keys && i < v->count; i++) free(v->keys[i]);
    free(v->items);
    free(v->keys);
}

void tj_free(tj_value *v)
{
    free_members(v);
    free(v);
}

tj_value *tj_parse(const char *text, size_t size, size_t *error_offset)
{
    tj_parser ps = {text, text + size, text, 0};
    tj_value *root = calloc(1, sizeof *root);
    if (!root) return NULL;
    if (parse_value(&ps, root, 0) == 0) {
        skip_ws(&ps);
        if (ps.p == ps.end) return root;
    }
    if (error_offset) *error_offset = (size_t)(ps.p - ps.start);
    tj_free(root);
    return NULL;
}

tj_value *tj_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    tj_value *v = tj_parse(buf, n, NULL);
    free(buf);
    return v;
}

const tj_value *tj_get(const tj_value *obj, const char *key)
{
    if (!obj || obj->type != TJ_OBJECT) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (!strcmp(obj->keys[i], key)) return &obj->items[i];
    return NULL;
}

const tj_value *tj_at(const tj_value *arr, size_t i)
{
    if (!arr || arr->type != TJ_ARRAY || i >= arr->count) return NULL;
    return &arr->items[i];
}

size_t tj_count(const tj_value *v)
{
    return v && (v->type == TJ_ARRAY || v->type == TJ_OBJECT) ? v->count : 0;
}

const char *tj_string(const tj_value *v) { return v && v->type == TJ_STRING ? v->string : NULL; }

double tj_number(const tj_value *v, double fallback)
{
    return v && v->type == TJ_NUMBER ? v->number : fallback;
}
