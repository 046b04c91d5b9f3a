/* jsonrec.h - reading the members of JSON records for the StopNCII and TAT
 * readers (internal to lib/lists/). Every function returns 0, or -1 after
 * recording the file's error with its line. */
#ifndef HM_LISTS_JSONREC_H
#define HM_LISTS_JSONREC_H

#include "import.h"
#include "json.h"

/* Turns the JSON reader's error into the file's. */
int hm__jr_fail(hm__list_file *f, const hm__json *j);

/* Marks member `bit` of an object as read; a member given twice is an
 * error (a record with two hash values is ambiguous). */
int hm__jr_once(hm__list_file *f, hm__json *j, unsigned *seen, unsigned bit, const char *key);

/* The value of member `key` must be a string: copied into out (cut at
 * cap - 1 bytes; *len gets the full length). */
int hm__jr_text(hm__list_file *f, hm__json *j, const char *key, char *out, size_t cap,
                size_t *len);
/* ... must be an integer. */
int hm__jr_int(hm__list_file *f, hm__json *j, const char *key, int64_t *out);
/* ... must be a boolean. */
int hm__jr_bool(hm__list_file *f, hm__json *j, const char *key, int *out);
/* ... must have type `a` or `b` (HM__JSON_NONE: only `a`); it is skipped. */
int hm__jr_skip_typed(hm__list_file *f, hm__json *j, const char *key, hm__json_type a,
                      hm__json_type b);

/* Reads an object whose members are all of type `item` (caseNumbers:
 * strings) or an array of them (CSPFeedbacks: objects), skipping them. */
int hm__jr_skip_all(hm__list_file *f, hm__json *j, const char *key, int object,
                    hm__json_type item);

/* Reads the value of member keys[key] of an object. */
typedef int (*hm__jr_member_fn)(hm__list_file *f, hm__json *j, unsigned key, void *ctx);

/* Reads an object (`what` names it in messages): each member named in
 * keys[0..nkeys) at most once, its value read by fn; other members are
 * skipped. *seen gets the bits of the members read. */
int hm__jr_object(hm__list_file *f, hm__json *j, const char *what, const char *const *keys,
                  unsigned nkeys, unsigned *seen, hm__jr_member_fn fn, void *ctx);

/* Fails naming the first of keys[i] whose bit is in `required` but not in
 * `seen` ("the record at line N has no 'x'"). */
int hm__jr_require(hm__list_file *f, uint32_t line, const char *what, const char *const *keys,
                   unsigned required, unsigned seen);

/* One record: an object read as hm__jr_object does, whose `required`
 * members must be present; *line gets the line it starts on. */
int hm__jr_record(hm__list_file *f, hm__json *j, const char *what, const char *const *keys,
                  unsigned nkeys, unsigned required, hm__jr_member_fn fn, void *ctx,
                  uint32_t *line);

/* Reads an array (`what` names it), calling fn(f, j, ctx) for each element. */
int hm__jr_array(hm__list_file *f, hm__json *j, const char *what,
                 int (*fn)(hm__list_file *f, hm__json *j, void *ctx), void *ctx);

/* Reads a whole document: one object whose members keys[] are read by fn,
 * `required` of them present, nothing after it. */
int hm__jr_document(hm__list_file *f, const uint8_t *data, size_t size, const char *what,
                    const char *const *keys, unsigned nkeys, unsigned required,
                    hm__jr_member_fn fn, void *ctx);

#endif /* HM_LISTS_JSONREC_H */
