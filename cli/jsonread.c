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

static int parse_string(reader *r, char **out)
{
    r->s++; /* opening quote */
    const char *start = r->s;
    while (r->s < r->end && *r->s != '"') r->s += (*r->s == '\\') ? 2 : 1;
    if (r->s >= r->end) return fail(r, "unterminated string");
    char *d = malloc((size_t)(r->s - start) + 1);
    if (!d) return fail(r, "out of memory");
    size_t n = 0;
    for (const char *p = start; p < r->s; p++) {
        if (*p != '\\') {
            d[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': d[n++] = '\n'; break;
        case 't': d[n++] = '\t'; break;
        case 'r': d[n++] = '\r'; break;
        case 'b': d[n++] = '\b'; break;
        case 'f': d[n++] = '\f'; break;
        case 'u': {
            unsigned cp = 0;
            for (int i = 1; i <= 4 && p + i < r->s; i++) {
                char c = p[i];
                cp = cp * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
            }
            put_utf8(d, &n, cp & 0xffff); /* surrogates are kept as-is: paths rarely hold them */
            p += 4;
            break;
        }
        default: d[n++] = *p; break;
        }
    }
    d[n] = '\0';
    r->s++;
    *out = d;
    return 0;
}

static int parse_number(reader *r, jv *v)
{
    char *e;
    v->type = JV_NUM;
    v->num = strtod(r->s, &e);
    if (e == r->s) return fail(r, "bad number");
    v->is_uint = 1;
    v->u = 0;
    for (const char *p = r->s; p < e; p++) {
        if (*p < '0' || *p > '9' || v->u > (UINT64_MAX - 9) / 10) {
            v->is_uint = 0;
            break;
        }
        v->u = v->u * 10 + (uint64_t)(*p - '0');
    }
    r->s = e;
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
