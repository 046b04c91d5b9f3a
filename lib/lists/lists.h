/* lists.h - importing the hash lists organisations share (docs/LISTS.md):
 * NCMEC hash-sharing XML, StopNCII and Tech Against Terrorism JSON, and
 * python-threatexchange text files.
 *
 * Internal to the publisher's tools (the CLI, the tests, the fuzz targets):
 * this code is the static library hashmatch_lists, not part of libhashmatch,
 * so apps on devices never link an XML parser.
 *
 * Model (../shared/specs/LISTS.md section 0): files are replayed in the order
 * given, records in document order, into a state keyed per format (NCMEC:
 * member id and entry id; the others: algorithm and hash). A later record
 * for a key replaces the earlier one completely; deletion records remove the
 * key. A file that does not parse, or holds one malformed record, is
 * rejected whole: none of its records or counts are applied. The result is
 * every distinct (algorithm, hash) pair some live record carries; values of
 * types hashmatch cannot match are counted, never silently dropped. */
#ifndef HM_LISTS_LISTS_H
#define HM_LISTS_LISTS_H

#include "../common/common.h"

typedef enum hm__list_format {
    HM__LIST_NCMEC_XML = 1,
    HM__LIST_STOPNCII_JSON = 2,
    HM__LIST_TAT_JSON = 3,
    HM__LIST_TX_TEXT = 4
} hm__list_format;

#define HM__LIST_FORMAT_COUNT 4

/* "ncmec-xml", "stopncii-json", "tat-json", "tx-text"; NULL if unknown. */
const char *hm__list_format_name(hm__list_format f);
/* 0 and *out, or -1 for an unknown name. */
int hm__list_format_from_name(const char *name, hm__list_format *out);
/* The attesting source of files without one of their own ("stopncii",
 * "tat", "tx"; NCMEC records name their member). */
const char *hm__list_default_source(hm__list_format f);

/* ---- category map (docs/LISTS.md, "Categories") ----
 * Lines `FORMAT CLASSIFICATION CATEGORY`; `*` matches every other
 * classification, `-` records without one. */
typedef struct hm__list_map hm__list_map;

#define HM__LIST_NO_CATEGORY 0xffffu /* the set's default category */

/* Parses a map; errors name `name` and the line (HM_E_PARSE). */
hm_status hm__list_map_parse(const char *text, size_t size, const char *name, hm__list_map **out,
                             hm_error *err);
void hm__list_map_free(hm__list_map *m);
/* The map's categories, in order of first appearance: a record carrying a
 * hash that other records carry too takes the first category of theirs in
 * this order. */
unsigned hm__list_map_category_count(const hm__list_map *m);
const char *hm__list_map_category(const hm__list_map *m, unsigned index);

/* ---- replay state ---- */
typedef struct hm__lists hm__lists;

/* `map` (may be NULL: no classification is mapped) must outlive the state. */
hm_status hm__lists_new(const hm__list_map *map, hm__lists **out, hm_error *err);
void hm__lists_free(hm__lists *l);

typedef struct hm__list_file_stats {
    size_t records;     /* entry and deletion records read */
    size_t deletions;   /* of which deletions */
    size_t values;      /* supported hash values in entry records */
    size_t unsupported; /* values of types hashmatch cannot match */
} hm__list_file_stats;

/* Replays one file. `source` names the attesting organisation for formats
 * without one of their own (NULL: hm__list_default_source). `name` is used
 * in messages ("NAME:LINE: reason"). On failure the state is unchanged. */
hm_status hm__lists_import(hm__lists *l, hm__list_format f, const char *source, const char *name,
                           const uint8_t *data, size_t size, hm__list_file_stats *stats,
                           hm_error *err);

/* Unsupported values counted so far, by format and type name, in order of
 * first appearance. */
size_t hm__lists_unsupported_types(const hm__lists *l);
const char *hm__lists_unsupported(const hm__lists *l, size_t i, hm__list_format *format,
                                  size_t *count);

/* Records currently live (entries not deleted). */
size_t hm__lists_live_records(const hm__lists *l);

/* One entry of the final state. */
typedef struct hm__list_entry {
    hm_algo algo;
    const uint8_t *hash;
    unsigned category;       /* a map category index, or HM__LIST_NO_CATEGORY */
    unsigned attesters;      /* distinct sources among the live records (<= 65535) */
    const char *external_id; /* the smallest of the records' ids; "" for none */
} hm__list_entry;

typedef struct hm__list_emit_stats {
    size_t entries[HM_ALGO_COUNT + 1]; /* emitted per algorithm */
    size_t zero_pdq;                   /* all-zero PDQ hashes left out (a flat image) */
} hm__list_emit_stats;

/* Calls fn for each distinct (algorithm, hash) pair of the live records, in
 * ascending algorithm id and hash order; stops at fn's first non-zero
 * return (HM_E_INTERNAL unless fn set err). Independent of the order the
 * records arrived in. */
typedef int (*hm__list_emit_fn)(void *ctx, const hm__list_entry *e, hm_error *err);
hm_status hm__lists_emit(const hm__lists *l, hm__list_emit_fn fn, void *ctx,
                         hm__list_emit_stats *stats, hm_error *err);

#endif /* HM_LISTS_LISTS_H */
