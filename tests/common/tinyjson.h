/* tinyjson.h - a small JSON reader for the tests (reference vectors).
 *
 * tj_parse builds a tree of tj_value; objects keep their keys in file order.
 * Lookups on the wrong type or a missing key return NULL, so chains such as
 * tj_number(tj_at(tj_get(root, "size"), 0)) are safe and a NULL checks
 * the whole path. */
#ifndef HM_TINYJSON_H
#define HM_TINYJSON_H

#include <stddef.h>

typedef enum tj_type { TJ_NULL, TJ_BOOL, TJ_NUMBER, TJ_STRING, TJ_ARRAY, TJ_OBJECT } tj_type;

typedef struct tj_value tj_value;
struct tj_value {
    tj_type type;
    int boolean;
    double number;
    char *string;    /* TJ_STRING: NUL-terminated UTF-8 (may hold \0 from \u0000) */
    size_t count;    /* TJ_STRING: length; TJ_ARRAY/TJ_OBJECT: number of members */
    tj_value *items; /* TJ_ARRAY elements, TJ_OBJECT values */
    char **keys;     /* TJ_OBJECT keys, parallel to items */
};

/* Parses `size` bytes of JSON text (one value, optional surrounding
 * whitespace). Returns NULL on a syntax error, nesting deeper than 64, or
 * memory exhaustion; *error_offset (if not NULL) then gets the byte offset. */
tj_value *tj_parse(const char *text, size_t size, size_t *error_offset);

/* Reads and parses a file; NULL when it cannot be read or parsed. */
tj_value *tj_load(const char *path);

void tj_free(tj_value *v);

/* Member of an object by key (first match), or NULL. */
const tj_value *tj_get(const tj_value *obj, const char *key);
/* Element i of an array, or NULL. */
const tj_value *tj_at(const tj_value *arr, size_t i);
/* Number of elements or members (0 for scalars and NULL). */
size_t tj_count(const tj_value *v);
/* The string, or NULL when v is not a string. */
const char *tj_string(const tj_value *v);
/* The number, or `fallback` when v is not a number. */
double tj_number(const tj_value *v, double fallback);

#endif /* HM_TINYJSON_H */
