/* json.h - a strict pull reader for JSON (RFC 8259) held in memory, for the
 * list importers (internal).
 *
 * The importers walk a document value by value and keep only the record at
 * hand, so a list export of any size needs no tree of it in memory. Every
 * error names its line. Strict means: the RFC's grammar and nothing more
 * (no comments, no trailing commas, no NaN or hex numbers, no leading zeros
 * or '+'), strings of valid UTF-8 without raw control characters, only the
 * RFC's escapes, paired surrogates, no \u0000 (strings are C strings), at
 * most HM__JSON_MAX_DEPTH nested containers, one value per document. A
 * leading UTF-8 byte order mark is skipped. */
#ifndef HM_LISTS_JSON_H
#define HM_LISTS_JSON_H

#include "../common/common.h"

#define HM__JSON_MAX_DEPTH 64
#define HM__JSON_ERROR_SIZE 160

typedef enum hm__json_type {
    HM__JSON_NONE = 0, /* end of input, or not the start of a value */
    HM__JSON_OBJECT,
    HM__JSON_ARRAY,
    HM__JSON_STRING,
    HM__JSON_NUMBER,
    HM__JSON_BOOL,
    HM__JSON_NULL
} hm__json_type;

typedef struct hm__json {
    const uint8_t *p, *end;
    uint32_t line;       /* of the reading position */
    unsigned depth;      /* open containers */
    char *str;           /* the last string read, decoded, NUL-terminated */
    size_t str_len, str_cap;
    int failed;
    uint32_t error_line;
    char error[HM__JSON_ERROR_SIZE];
} hm__json;

/* A number: is_int when it has no fraction or exponent and fits int64_t. */
typedef struct hm__json_number {
    int is_int;
    int64_t i;
    double d;
} hm__json_num;

void hm__json_init(hm__json *j, const uint8_t *data, size_t size);
void hm__json_free(hm__json *j);

/* The type of the next value (after whitespace), without consuming it. */
hm__json_type hm__json_peek(hm__json *j);
/* A JSON type's name for messages ("an object", "a string", ...). */
const char *hm__json_type_name(hm__json_type t);

/* Every reading function returns 0, or -1 after recording the first error
 * (hm__json_fail); later calls keep failing. */
int hm__json_begin_object(hm__json *j);
/* The next member of the open object: 1 with its key in j->str (then read
 * its value), 0 after the closing brace. `count` starts at 0 per object. */
int hm__json_next_member(hm__json *j, size_t *count);
int hm__json_begin_array(hm__json *j);
/* 1 when another element follows (read it), 0 after the closing bracket. */
int hm__json_next_item(hm__json *j, size_t *count);
int hm__json_string(hm__json *j); /* into j->str, j->str_len */
int hm__json_number(hm__json *j, hm__json_num *out);
int hm__json_bool(hm__json *j, int *out);
int hm__json_null(hm__json *j);
/* Reads and discards any value (still checking it). */
int hm__json_skip(hm__json *j);
/* Checks that only whitespace remains. */
int hm__json_finish(hm__json *j);

/* Records an error at the current line (the first one wins); returns -1. */
int hm__json_fail(hm__json *j, const char *fmt, ...) HM_PRINTF(2, 3);

#endif /* HM_LISTS_JSON_H */
