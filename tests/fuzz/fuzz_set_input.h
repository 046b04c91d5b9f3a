/* fuzz_set_input.h - the body shared by the two `set build` input targets:
 * every line through one line parser, then the accepted records into a
 * builder, which must take each of them. Whatever the builder writes must
 * open again: set build never writes a set that a device refuses to parse.
 * (Repeated hashes with conflicting categories, which set build refuses
 * before the builder sees them, may make the build fail here.) */
#ifndef HM_FUZZ_SET_INPUT_H
#define HM_FUZZ_SET_INPUT_H

#include "fuzz_text.h"
#include "set_input.h"

typedef int (*fuzz_line_fn)(set_input *in, uint32_t file, uint32_t line, char *s);

static void fuzz_build(set_input *in)
{
    /* The line parsers check what the builder checks: it takes every record. */
    for (size_t i = 0; i < in->nrec; i++) {
        const set_record *r = &in->recs[i];
        if (hm_set_builder_add(in->builder, (hm_algo)r->algo, r->hash, r->category, r->attesters,
                               set_input_ext(in, r), NULL) != HM_OK)
            abort();
    }
    hm_set_builder_set_times(in->builder, 1, 2);
    if (hm_set_builder_set_name(in->builder, "fuzz", NULL) != HM_OK) abort();
    uint8_t *set;
    size_t size;
    if (hm_set_builder_build(in->builder, &set, &size, NULL) != HM_OK) return;
    hm_set *s;
    if (hm_set_open_unverified(set, size, &s, NULL) != HM_OK) abort();
    hm_set_free(s);
    hm_buffer_free(set);
}

/* allowlist: 0 or 1, as set build reads its inputs and its --allow files. */
static void fuzz_lines(const uint8_t *data, size_t size, fuzz_line_fn parse, int allowlist)
{
    char *text = fuzz_text(data, size);
    set_input in;
    memset(&in, 0, sizeof in);
    if (hm_set_builder_new(&in.builder) != HM_OK) abort();
    in.algos = HM_MASK_ALL;
    in.min_quality = 50;
    in.default_category = "unspecified";
    in.allowlist = allowlist;
    int file = set_input_add_file(&in, "fuzz");
    if (file < 0) abort();
    uint32_t lineno = 0;
    for (char *line = text, *next;; line = next + 1) {
        next = memchr(line, '\n', size - (size_t)(line - text));
        if (next) *next = '\0';
        if (parse(&in, (uint32_t)file, ++lineno, line) != 0) abort(); /* only out of memory */
        if (!next) break;
    }
    if (!allowlist) fuzz_build(&in);
    hm_set_builder_free(in.builder);
    set_input_free(&in);
    free(text);
}

#endif /* HM_FUZZ_SET_INPUT_H */
