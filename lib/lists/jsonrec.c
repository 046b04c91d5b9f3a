/* jsonrec.c - typed members of JSON records, for the JSON readers. */
#include <stdio.h>

#include "jsonrec.h"

int hm__jr_fail(hm__list_file *f, const hm__json *j)
{
    return hm__lf_fail(f, j->error_line, "%s", j->error[0] ? j->error : "malformed JSON");
}

static int wrong_type(hm__list_file *f, hm__json *j, const char *key, const char *want)
{
    char k[64];
    hm__lf_printable(key, strlen(key), k, sizeof k);
    hm__json_fail(j, "'%s' must be %s, not %s", k, want, hm__json_type_name(hm__json_peek(j)));
    return hm__jr_fail(f, j);
}

int hm__jr_once(hm__list_file *f, hm__json *j, unsigned *seen, unsigned bit, const char *key)
{
    if (*seen & (1u << bit)) {
        hm__json_fail(j, "member '%s' is given twice", key);
        return hm__jr_fail(f, j);
    }
    *seen |= 1u << bit;
    return 0;
}

int hm__jr_text(hm__list_file *f, hm__json *j, const char *key, char *out, size_t cap,
                size_t *len)
{
    if (hm__json_peek(j) != HM__JSON_STRING) return wrong_type(f, j, key, "a string");
    if (hm__json_string(j)) return hm__jr_fail(f, j);
    size_t n = j->str_len < cap - 1 ? j->str_len : cap - 1;
    memcpy(out, j->str, n);
    out[n] = '\0';
    if (len) *len = j->str_len;
    return 0;
}

int hm__jr_int(hm__list_file *f, hm__json *j, const char *key, int64_t *out)
{
    hm__json_num n;
    if (hm__json_peek(j) != HM__JSON_NUMBER) return wrong_type(f, j, key, "an integer");
    if (hm__json_number(j, &n)) return hm__jr_fail(f, j);
    if (!n.is_int) {
        hm__json_fail(j, "'%s' must be an integer", key);
        return hm__jr_fail(f, j);
    }
    *out = n.i;
    return 0;
}

int hm__jr_bool(hm__list_file *f, hm__json *j, const char *key, int *out)
{
    if (hm__json_peek(j) != HM__JSON_BOOL) return wrong_type(f, j, key, "true or false");
    return hm__json_bool(j, out) ? hm__jr_fail(f, j) : 0;
}

int hm__jr_skip_typed(hm__list_file *f, hm__json *j, const char *key, hm__json_type a,
                      hm__json_type b)
{
    hm__json_type t = hm__json_peek(j);
    if (t != a && (b == HM__JSON_NONE || t != b)) {
        char want[48];
        snprintf(want, sizeof want, "%s%s%s", hm__json_type_name(a), b ? " or " : "",
                 b ? hm__json_type_name(b) : "");
        return wrong_type(f, j, key, want);
    }
    return hm__json_skip(j) ? hm__jr_fail(f, j) : 0;
}

int hm__jr_skip_all(hm__list_file *f, hm__json *j, const char *key, int object,
                    hm__json_type item)
{
    size_t count = 0;
    int r;
    if (hm__json_peek(j) != (object ? HM__JSON_OBJECT : HM__JSON_ARRAY))
        return wrong_type(f, j, key, object ? "an object" : "an array");
    if (object ? hm__json_begin_object(j) : hm__json_begin_array(j)) return hm__jr_fail(f, j);
    while ((r = object ? hm__json_next_member(j, &count) : hm__json_next_item(j, &count)) == 1)
        if (hm__jr_skip_typed(f, j, key, item, HM__JSON_NONE)) return -1;
    return r < 0 ? hm__jr_fail(f, j) : 0;
}

static int not_a(hm__list_file *f, hm__json *j, const char *what, const char *type)
{
    hm__json_fail(j, "%s must be %s, not %s", what, type, hm__json_type_name(hm__json_peek(j)));
    return hm__jr_fail(f, j);
}

int hm__jr_object(hm__list_file *f, hm__json *j, const char *what, const char *const *keys,
                  unsigned nkeys, unsigned *seen, hm__jr_member_fn fn, void *ctx)
{
    size_t count = 0;
    int m;
    if (hm__json_peek(j) != HM__JSON_OBJECT) return not_a(f, j, what, "an object");
    if (hm__json_begin_object(j)) return hm__jr_fail(f, j);
    while ((m = hm__json_next_member(j, &count)) == 1) {
        unsigned k = 0;
        while (k < nkeys && strcmp(j->str, keys[k])) k++;
        if (k == nkeys) { /* members the format does not define are allowed */
            if (hm__json_skip(j)) return hm__jr_fail(f, j);
        } else if (hm__jr_once(f, j, seen, k, keys[k]) || fn(f, j, k, ctx)) {
            return -1;
        }
    }
    return m < 0 ? hm__jr_fail(f, j) : 0;
}

int hm__jr_require(hm__list_file *f, uint32_t line, const char *what, const char *const *keys,
                   unsigned required, unsigned seen)
{
    for (unsigned k = 0; k < 32; k++)
        if ((required & (1u << k)) && !(seen & (1u << k)))
            return hm__lf_fail(f, line, "%s has no '%s'", what, keys[k]);
    return 0;
}

int hm__jr_record(hm__list_file *f, hm__json *j, const char *what, const char *const *keys,
                  unsigned nkeys, unsigned required, hm__jr_member_fn fn, void *ctx,
                  uint32_t *line)
{
    unsigned seen = 0;
    hm__json_peek(j); /* skips to the record: its line */
    *line = j->line;
    if (hm__jr_object(f, j, what, keys, nkeys, &seen, fn, ctx)) return -1;
    return hm__jr_require(f, *line, "the record", keys, required, seen);
}

int hm__jr_array(hm__list_file *f, hm__json *j, const char *what,
                 int (*fn)(hm__list_file *f, hm__json *j, void *ctx), void *ctx)
{
    size_t count = 0;
    int m;
    if (hm__json_peek(j) != HM__JSON_ARRAY) return not_a(f, j, what, "an array");
    if (hm__json_begin_array(j)) return hm__jr_fail(f, j);
    while ((m = hm__json_next_item(j, &count)) == 1)
        if (fn(f, j, ctx)) return -1;
    return m < 0 ? hm__jr_fail(f, j) : 0;
}

int hm__jr_document(hm__list_file *f, const uint8_t *data, size_t size, const char *what,
                    const char *const *keys, unsigned nkeys, unsigned required,
                    hm__jr_member_fn fn, void *ctx)
{
    hm__json j;
    hm__json_init(&j, data, size);
    unsigned seen = 0;
    int rc = hm__jr_object(f, &j, what, keys, nkeys, &seen, fn, ctx);
    if (rc == 0 && hm__json_finish(&j)) rc = hm__jr_fail(f, &j);
    if (rc == 0) rc = hm__jr_require(f, 0, what, keys, required, seen);
    hm__json_free(&j);
    return rc;
}
