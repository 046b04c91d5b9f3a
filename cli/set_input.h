/* set_input.h - reading the inputs of `hashmatch set build`: CSV/TSV lines
 * `algo,hash[,category][,attesters][,external_id]`, the JSON lines of
 * `hashmatch hash --json` (a "vpdq" array makes a video), and vPDQ hash files
 * in vpdq-hash-video's format (one video per file), validated line by line. */
#ifndef HM_CLI_SET_INPUT_H
#define HM_CLI_SET_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "hashmatch.h"

enum { SET_INPUT_AUTO = 0, SET_INPUT_CSV = 1, SET_INPUT_JSONL = 2 };

typedef struct set_record {
    uint8_t hash[HM_MAX_HASH_BYTES];
    uint8_t algo;
    uint8_t rejected;
    uint16_t category;  /* builder category index */
    uint16_t attesters;
    uint32_t ext;       /* offset + 1 into the input's text arena, 0 = none */
    uint32_t file;      /* index into the input's file list */
    uint32_t line;
} set_record;

/* A video: its frames as listed (hm_set_builder_add_video deduplicates). */
typedef struct set_video {
    hm_vpdq_frame *frames;
    size_t count;
    uint16_t category, attesters;
    uint32_t ext;  /* as in set_record */
    uint32_t file, line;
} set_video;

typedef struct set_input {
    /* settings */
    hm_set_builder *builder; /* categories are added to it as they appear */
    uint32_t algos;          /* HM_MASK bits of the algorithms to keep */
    unsigned min_quality;    /* PDQ lines with a known lower quality are rejected */
    int categories_closed;   /* --categories given: no new ones */
    const char *default_category;
    int allowlist;           /* reading --allow files: only algorithm and hash */
    int syntax;              /* SET_INPUT_AUTO, _CSV or _JSONL: how lines are read */
    /* results */
    char **cats;
    unsigned ncat;
    set_record *recs;
    size_t nrec, cap;
    set_video *videos;
    size_t nvideos, vcap;
    char *arena;
    size_t arena_len, arena_cap;
    const char **files;
    size_t nfiles;
    size_t lines, rejected, skipped, printed;
} set_input;

/* Finds a category by name, adding it unless the list is closed. Returns 0
 * and the index, or -1 with *why set. */
int set_input_category(set_input *in, const char *name, unsigned *index, const char **why);

/* Reads one input file ("-": stdin). Bad lines are reported on stderr as
 * FILE:LINE: reason and counted; returns -1 only when the file cannot be
 * read or memory runs out. */
int set_input_read(set_input *in, const char *path);

/* The pieces of set_input_read, which the fuzz targets call directly.
 * set_input_add_file registers a file name for messages and returns its
 * index (-1: out of memory). set_input_parse reads every line of `text`
 * (`size` bytes followed by a NUL; modified in place); the line functions
 * read one line without its newline: CSV/TSV, and one JSON object. Each
 * returns -1 only when memory runs out. */
int set_input_add_file(set_input *in, const char *name);
int set_input_parse(set_input *in, uint32_t file, char *text, size_t size);
int set_input_csv_line(set_input *in, uint32_t file, uint32_t line, char *s);
int set_input_json_line(set_input *in, uint32_t file, uint32_t line, const char *s);

/* Reports a rejected record (used by the duplicate pass too). */
void set_input_reject(set_input *in, uint32_t file, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The external id of a record ("" when none). */
const char *set_input_ext(const set_input *in, const set_record *r);

void set_input_free(set_input *in);

#endif /* HM_CLI_SET_INPUT_H */
