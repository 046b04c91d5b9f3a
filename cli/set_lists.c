/* set_lists.c - list formats for `hashmatch set build` (docs/LISTS.md).
 * File names, and whatever the lists themselves hold (types, classifications,
 * values in error messages), are printed escaped (escape.h). */
#include "set_lists.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "keyfile.h"

int set_lists_init(set_lists *sl, const char *map_path, set_input *in)
{
    memset(sl, 0, sizeof *sl);
    hm_error err;
    if (map_path) {
        uint8_t *text;
        size_t size;
        char esc[CLI_ESCAPE_SIZE];
        if (cli_read_all(map_path, &text, &size)) {
            int e = errno;
            cli_error("--category-map %s: %s", cli_escape_into(map_path, esc, sizeof esc), strerror(e));
            return -1;
        }
        hm_status st = hm__list_map_parse((const char *)text, size, map_path, &sl->map, &err);
        free(text);
        if (st != HM_OK) return cli_error("%s", cli_escape_into(err.message, esc, sizeof esc)), -1;
    }
    for (unsigned i = 0; i < hm__list_map_category_count(sl->map); i++) {
        const char *name = hm__list_map_category(sl->map, i), *why;
        unsigned index;
        char p[CLI_ESCAPE_SIZE], n[CLI_ESCAPE_SIZE];
        if (set_input_category(in, name, &index, &why))
            return cli_error("--category-map %s: category '%s' %s", cli_escape_into(map_path, p, sizeof p),
                             cli_escape_into(name, n, sizeof n), why), -1;
    }
    if (hm__lists_new(sl->map, &sl->state, &err) != HM_OK) return cli_error("%s", err.message), -1;
    return 0;
}

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

static void print_file(const char *path, hm__list_format format, const hm__list_file_stats *st)
{
    char esc[CLI_ESCAPE_SIZE];
    if (cli_verbosity < 1) return;
    path = cli_escape_into(path, esc, sizeof esc);
    printf("%s: %s, %zu record%s (%zu deletion%s), %zu hash value%s, %zu unsupported value%s\n",
           path, hm__list_format_name(format), st->records, plural(st->records), st->deletions,
           plural(st->deletions), st->values, plural(st->values), st->unsupported,
           plural(st->unsupported));
}

int set_lists_read(set_lists *sl, hm__list_format format, const char *source, const char *path)
{
    uint8_t *data;
    size_t size;
    char esc[CLI_ESCAPE_SIZE], msg[CLI_ESCAPE_SIZE];
    if (cli_read_all(path, &data, &size)) {
        int e = errno;
        cli_error("%s: %s", cli_escape_into(path, esc, sizeof esc), strerror(e));
        return -1;
    }
    hm__list_file_stats st;
    hm_error err;
    hm_status rc = hm__lists_import(sl->state, format, source, path, data, size, &st, &err);
    free(data);
    sl->files++;
    if (rc == HM_E_NO_MEMORY) return cli_error("%s", err.message), -1;
    if (rc != HM_OK) {
        fprintf(stderr, "%s\n", cli_escape_into(err.message, msg, sizeof msg));
        cli_error("%s: rejected as a whole (%s): none of its records was applied",
                  cli_escape_into(path, esc, sizeof esc),
                  hm__list_format_name(format));
        sl->rejected_files++;
        return 0;
    }
    sl->total.records += st.records;
    sl->total.deletions += st.deletions;
    sl->total.values += st.values;
    sl->total.unsupported += st.unsupported;
    print_file(path, format, &st);
    return 0;
}

typedef struct feed_ctx {
    set_lists *sl;
    set_input *in;
    hm_set_builder *b;
} feed_ctx;

static int feed_entry(void *ctx, const hm__list_entry *e, hm_error *err)
{
    feed_ctx *c = ctx;
    if (!(c->in->algos & HM_MASK(e->algo))) return c->sl->other_algorithms++, 0;
    const char *name = e->category == HM__LIST_NO_CATEGORY
                           ? c->in->default_category
                           : hm__list_map_category(c->sl->map, e->category),
               *why;
    unsigned index;
    if (set_input_category(c->in, name, &index, &why)) {
        hm__fail(err, HM_E_SET_UNKNOWN_CATEGORY, "category '%s' %s", name, why);
        return -1;
    }
    return hm_set_builder_add(c->b, e->algo, e->hash, index, e->attesters, e->external_id, err)
               ? -1
               : 0;
}

int set_lists_feed(set_lists *sl, set_input *in, hm_set_builder *b)
{
    feed_ctx c = {sl, in, b};
    hm_error err;
    if (hm__lists_emit(sl->state, feed_entry, &c, &sl->emitted, &err) == HM_OK) return 0;
    char esc[CLI_ESCAPE_SIZE];
    cli_error("lists: %s", cli_escape_into(err.message, esc, sizeof esc));
    return -1;
}

void set_lists_summary(const set_lists *sl)
{
    if (cli_verbosity < 1 || !sl->files) return;
    size_t entries = 0;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) entries += sl->emitted.entries[a];
    printf("lists: %zu file%s (%zu rejected), %zu live record%s carry %zu distinct hash%s",
           sl->files, plural(sl->files), sl->rejected_files, hm__lists_live_records(sl->state),
           plural(hm__lists_live_records(sl->state)), entries, entries == 1 ? "" : "es");
    const char *sep = " (";
    for (int a = 1; a <= HM_ALGO_COUNT; a++)
        if (sl->emitted.entries[a]) {
            printf("%s%s %zu", sep, hm_algo_name((hm_algo)a), sl->emitted.entries[a]);
            sep = ", ";
        }
    printf("%s", *sep == ',' ? ")" : "");
    if (sl->emitted.zero_pdq) printf("; %zu all-zero pdq hash%s (a flat image) left out", sl->emitted.zero_pdq,
                                        sl->emitted.zero_pdq == 1 ? "" : "es");
    if (sl->other_algorithms) printf("; %zu of other algorithms left out", sl->other_algorithms);
    printf("\n");
    size_t n = hm__lists_unsupported_types(sl->state);
    if (!n) return;
    printf("lists: %zu values of types hashmatch cannot match, not imported:", sl->total.unsupported);
    for (size_t i = 0; i < n; i++) {
        hm__list_format f;
        size_t count;
        char esc[CLI_ESCAPE_SIZE];
        const char *type = hm__lists_unsupported(sl->state, i, &f, &count);
        printf("%s %s %s %zu", i ? "," : "", hm__list_format_name(f),
               cli_escape_into(type, esc, sizeof esc), count);
    }
    printf("\n");
}

void set_lists_free(set_lists *sl)
{
    hm__lists_free(sl->state);
    hm__list_map_free(sl->map);
    memset(sl, 0, sizeof *sl);
}
