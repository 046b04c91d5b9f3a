/* import.h - what the readers (ncmec.c, stopncii.c, tat.c, tx.c) use to
 * stage the records of one file (internal to lib/lists/).
 *
 * A reader calls hm__lf_begin, adds the record's key and values, then
 * hm__lf_end; staged records reach the replay state only when the whole file
 * has been read without error (state.c). */
#ifndef HM_LISTS_IMPORT_H
#define HM_LISTS_IMPORT_H

#include "lists.h"

#define HM__LIST_MAX_TEXT 1024 /* longest id, classification or type name kept */

typedef struct hm__list_file hm__list_file;

/* Records "NAME:LINE: message" as the file's error; returns -1. */
int hm__lf_fail(hm__list_file *f, uint32_t line, const char *fmt, ...) HM_PRINTF(3, 4);

/* Starts a record read at `line`. */
void hm__lf_begin(hm__list_file *f, uint32_t line);
/* The record's key: NCMEC's (member id, entry id). */
int hm__lf_key_ncmec(hm__list_file *f, uint64_t member, const char *id);
/* The record's key for the formats keyed by their one hash. */
int hm__lf_key_hash(hm__list_file *f, hm_algo algo, const uint8_t *hash);
/* Parses a supported value (LISTS.md section 0: surrounding whitespace
 * trimmed, exact length, hex of either case) into `hash`; a bad value fails
 * the file. `type` names it in the message. */
int hm__lf_parse_value(hm__list_file *f, uint32_t line, const char *type, hm_algo algo,
                       const char *text, size_t len, uint8_t hash[HM_MAX_HASH_BYTES]);
/* Copies at most cap-1 bytes of s[0..n) into out for a message: bytes
 * outside printable ASCII become '?', a cut is marked "...". */
void hm__lf_printable(const char *s, size_t n, char *out, size_t cap);
/* One whole record of the formats keyed by their one hash: the value is
 * parsed (text[0..len) of a value whose full length was full_len), then an
 * entry (with its classification and external id) or a deletion staged. */
int hm__lf_hash_record(hm__list_file *f, uint32_t line, const char *type, hm_algo algo,
                       const char *text, size_t len, size_t full_len, int deletion,
                       const char *classification, const char *external_id);
/* Adds a parsed value to the record. */
int hm__lf_pair(hm__list_file *f, hm_algo algo, const uint8_t *hash);
/* Counts one value of a type hashmatch cannot match. */
int hm__lf_unsupported(hm__list_file *f, const char *type);
/* The category of a classification (NULL: the record has none) through the
 * category map; an unmapped classification fails the file. */
int hm__lf_category(hm__list_file *f, uint32_t line, const char *classification,
                    unsigned *category);
/* Sets the record's source (NCMEC: its member); default: the file's. */
int hm__lf_source(hm__list_file *f, const char *source);
/* Finishes the record: a deletion removes its key, an entry replaces it. */
int hm__lf_end(hm__list_file *f, int deletion, unsigned category, const char *external_id);

/* The readers: each parses a whole file into `f`. 0, or -1 after
 * hm__lf_fail. */
int hm__list_read_ncmec(hm__list_file *f, const uint8_t *data, size_t size);
int hm__list_read_stopncii(hm__list_file *f, const uint8_t *data, size_t size);
int hm__list_read_tat(hm__list_file *f, const uint8_t *data, size_t size);
int hm__list_read_tx(hm__list_file *f, const uint8_t *data, size_t size);

/* Whether the map has a rule for the format (classification == NULL: a
 * record without one): 0 with the category index, -1 when unmapped. */
int hm__list_map_lookup(const hm__list_map *m, hm__list_format f, const char *classification,
                        unsigned *category);

#endif /* HM_LISTS_IMPORT_H */
