/* set_lists.h - the list formats of `hashmatch set build --format`
 * (ncmec-xml, stopncii-json, tat-json, tx-text) through lib/lists/:
 * replayed in the order given, merged, and added to the builder. */
#ifndef HM_CLI_SET_LISTS_H
#define HM_CLI_SET_LISTS_H

#include "lists/lists.h"
#include "set_input.h"

typedef struct set_lists {
    hm__list_map *map;
    hm__lists *state;
    size_t files, rejected_files;
    hm__list_file_stats total;
    hm__list_emit_stats emitted;
    size_t other_algorithms; /* entries left out by --algo */
} set_lists;

/* Loads --category-map (NULL: none) and adds its categories to the input's
 * list, in the map's order. Returns 0, or -1 after printing the reason. */
int set_lists_init(set_lists *sl, const char *map_path, set_input *in);

/* Replays one file. A malformed file is reported (FILE:LINE: reason) and
 * counted, and none of it is applied. Returns -1 only when the file cannot
 * be read or memory runs out. */
int set_lists_read(set_lists *sl, hm__list_format format, const char *source, const char *path);

/* Adds the final state's entries to the builder (categories through `in`).
 * Returns 0, or -1 after printing the reason. */
int set_lists_feed(set_lists *sl, set_input *in, hm_set_builder *b);

/* Prints what was imported, left out and not supported. */
void set_lists_summary(const set_lists *sl);

void set_lists_free(set_lists *sl);

#endif /* HM_CLI_SET_LISTS_H */
