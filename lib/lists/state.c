/* state.c - the replay state: records keyed per format, staged one file at
 * a time so that a rejected file changes nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "state.h"

/* ---- arenas and arrays ---- */

int hm__reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64, bytes;
    while (c < need) c *= 2;
    if (!hm__mul_size(c, elem, &bytes)) return -1;
    void *q = realloc(*p, bytes);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

int64_t hm__arena_put(hm__arena *a, const void *data, size_t n, int nul)
{
    size_t need = a->len + n + (nul ? 1 : 0);
    if (need < a->len || need > UINT32_MAX - 1) return -1;
    if (hm__reserve((void **)&a->data, &a->cap, need, 1)) return -1;
    size_t off = a->len;
    if (n) memcpy(a->data + off, data, n);
    if (nul) a->data[off + n] = 0;
    a->len = need;
    return (int64_t)off;
}

/* ---- lifetime ---- */

hm_status hm__lists_new(const hm__list_map *map, hm__lists **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "no output");
    *out = calloc(1, sizeof **out);
    HM_RETURN_IF(!*out, err, HM_E_NO_MEMORY, "out of memory");
    (*out)->map = map;
    return HM_OK;
}

void hm__lists_free(hm__lists *l)
{
    if (!l) return;
    free(l->keys.data);
    free(l->text.data);
    free(l->snames.data);
    free(l->unames.data);
    free(l->pairs);
    free(l->recs);
    free(l->slots);
    free(l->sources);
    free(l->source_slots);
    free(l->unsup);
    free(l);
}

size_t hm__lists_live_records(const hm__lists *l) { return l->live; }
size_t hm__lists_unsupported_types(const hm__lists *l) { return l->nunsup; }

const char *hm__lists_unsupported(const hm__lists *l, size_t i, hm__list_format *format,
                                  size_t *count)
{
    if (i >= l->nunsup) return NULL;
    if (format) *format = (hm__list_format)l->unsup[i].format;
    if (count) *count = l->unsup[i].count;
    return (const char *)l->unames.data + l->unsup[i].name;
}

/* ---- sources: interned names ---- */

static int source_slots_grow(hm__lists *l)
{
    size_t cap = l->source_slot_cap ? 2 * l->source_slot_cap : 64;
    uint32_t *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < l->nsources; i++) {
        const char *n = (const char *)l->snames.data + l->sources[i];
        size_t j = hm__fnv1a(n, strlen(n)) & (cap - 1);
        while (s[j]) j = (j + 1) & (cap - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(l->source_slots);
    l->source_slots = s;
    l->source_slot_cap = cap;
    return 0;
}

/* The index of source `name`, added once; -1 when out of memory. */
static int64_t source_intern(hm__lists *l, const char *name)
{
    if ((l->nsources + 1) * 2 > l->source_slot_cap && source_slots_grow(l)) return -1;
    size_t mask = l->source_slot_cap - 1, j = hm__fnv1a(name, strlen(name)) & mask;
    for (; l->source_slots[j]; j = (j + 1) & mask) {
        uint32_t i = l->source_slots[j] - 1;
        if (!strcmp((const char *)l->snames.data + l->sources[i], name)) return i;
    }
    int64_t off = hm__arena_put(&l->snames, name, strlen(name), 1);
    if (off < 0 || hm__reserve((void **)&l->sources, &l->sources_cap, l->nsources + 1,
                               sizeof *l->sources))
        return -1;
    l->sources[l->nsources] = (uint32_t)off;
    l->source_slots[j] = (uint32_t)++l->nsources;
    return (int64_t)l->nsources - 1;
}

/* ---- the keyed table ---- */

static const uint8_t *rec_key(const hm__lists *l, const hm__lrec *r)
{
    return l->keys.data + r->key_off;
}

static int slots_grow(hm__lists *l)
{
    size_t cap = l->slot_cap ? 2 * l->slot_cap : 1024;
    uint32_t *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < l->nrecs; i++) {
        size_t j = hm__fnv1a(rec_key(l, &l->recs[i]), l->recs[i].key_len) & (cap - 1);
        while (s[j]) j = (j + 1) & (cap - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(l->slots);
    l->slots = s;
    l->slot_cap = cap;
    return 0;
}

/* The record with the key of `r`, inserting `r` itself when there is none
 * (prepare_commit has made room for it). */
static hm__lrec *find_or_insert(hm__lists *l, const hm__lrec *r)
{
    const uint8_t *key = rec_key(l, r);
    size_t mask = l->slot_cap - 1, j = hm__fnv1a(key, r->key_len) & mask;
    for (; l->slots[j]; j = (j + 1) & mask) {
        hm__lrec *x = &l->recs[l->slots[j] - 1];
        if (x->key_len == r->key_len && !memcmp(rec_key(l, x), key, r->key_len)) return x;
    }
    l->recs[l->nrecs] = *r; /* room made by prepare_commit */
    l->recs[l->nrecs].live = 0;
    l->slots[j] = (uint32_t)++l->nrecs;
    return &l->recs[l->nrecs - 1];
}

/* ---- staging (the reader side, import.h) ---- */

int hm__lf_fail(hm__list_file *f, uint32_t line, const char *fmt, ...)
{
    if (f->failed) return -1;
    f->failed = 1;
    char msg[HM_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f->status = HM_E_PARSE;
    if (line) hm__fail(f->err, HM_E_PARSE, "%s:%u: %s", f->name, line, msg);
    else hm__fail(f->err, HM_E_PARSE, "%s: %s", f->name, msg);
    return -1;
}

static int out_of_memory(hm__list_file *f)
{
    if (!f->failed) f->status = hm__fail(f->err, HM_E_NO_MEMORY, "%s: out of memory (or over 4 GiB of "
                             "list data)", f->name);
    f->failed = 1;
    return -1;
}

void hm__lf_begin(hm__list_file *f, uint32_t line)
{
    (void)line;
    memset(&f->cur, 0, sizeof f->cur);
    f->cur.key_off = (uint32_t)f->l->keys.len;
    f->cur.pair_off = (uint32_t)f->l->npairs;
    f->cur.source = f->file_source;
    f->cur.category = HM__LIST_NO_CATEGORY;
}

static int key_bytes(hm__list_file *f, const void *p, size_t n)
{
    if (hm__arena_put(&f->l->keys, p, n, 0) < 0) return out_of_memory(f);
    f->cur.key_len += (uint32_t)n;
    return 0;
}

int hm__lf_key_ncmec(hm__list_file *f, uint64_t member, const char *id)
{
    uint8_t head[9];
    head[0] = (uint8_t)f->format;
    hm__store_le64(head + 1, member);
    return key_bytes(f, head, sizeof head) || key_bytes(f, id, strlen(id)) ? -1 : 0;
}

int hm__lf_key_hash(hm__list_file *f, hm_algo algo, const uint8_t *hash)
{
    /* Per format and source: a TAT deletion never removes StopNCII's hash. */
    uint8_t head[6];
    head[0] = (uint8_t)f->format;
    hm__store_le32(head + 1, f->file_source);
    head[5] = (uint8_t)algo;
    return key_bytes(f, head, sizeof head) || key_bytes(f, hash, hm_algo_hash_size(algo)) ? -1 : 0;
}

int hm__lf_pair(hm__list_file *f, hm_algo algo, const uint8_t *hash)
{
    hm__lists *l = f->l;
    if (l->npairs >= UINT32_MAX - 1 ||
        hm__reserve((void **)&l->pairs, &l->pairs_cap, l->npairs + 1, sizeof *l->pairs))
        return out_of_memory(f);
    hm__lpair *p = &l->pairs[l->npairs++];
    memset(p, 0, sizeof *p);
    p->algo = (uint8_t)algo;
    memcpy(p->hash, hash, hm_algo_hash_size(algo));
    f->cur.npairs++;
    f->stats.values++;
    return 0;
}

int hm__lf_source(hm__list_file *f, const char *source)
{
    int64_t s = source_intern(f->l, source);
    if (s < 0) return out_of_memory(f);
    f->cur.source = (uint32_t)s;
    return 0;
}

int hm__lf_category(hm__list_file *f, uint32_t line, const char *classification,
                    unsigned *category)
{
    *category = HM__LIST_NO_CATEGORY;
    if (!f->l->map && !classification) return 0;
    if (!f->l->map || hm__list_map_lookup(f->l->map, f->format, classification, category))
        return hm__lf_fail(f, line, "%s classification '%s' is not in the category map (add a "
                           "line '%s %s CATEGORY', or '%s * CATEGORY', to --category-map)",
                           hm__list_format_name(f->format), classification,
                           hm__list_format_name(f->format), classification,
                           hm__list_format_name(f->format));
    return 0;
}

int hm__lf_end(hm__list_file *f, int deletion, unsigned category, const char *external_id)
{
    hm__lrec r = f->cur;
    r.live = !deletion;
    r.category = (uint16_t)category;
    if (deletion) r.npairs = 0;
    if (!deletion && external_id && *external_id) {
        int64_t off = hm__arena_put(&f->l->text, external_id, strlen(external_id), 1);
        if (off < 0) return out_of_memory(f);
        r.ext = (uint32_t)off + 1;
    }
    if (hm__reserve((void **)&f->staged, &f->staged_cap, f->nstaged + 1, sizeof *f->staged))
        return out_of_memory(f);
    f->staged[f->nstaged++] = r;
    f->stats.records++;
    f->stats.deletions += deletion != 0;
    return 0;
}

static const char OTHER_TYPES[] = "(other types)";

int hm__lf_unsupported(hm__list_file *f, const char *type)
{
    f->stats.unsupported++;
    /* A bounded number of names: a hostile file cannot make this quadratic. */
    for (size_t i = 0; i < f->nunsup; i++)
        if (!strcmp((const char *)f->l->unames.data + f->unsup[i].name, type) ||
            (f->nunsup >= HM__LIST_MAX_UNSUPPORTED_TYPES && i == f->nunsup - 1))
            return f->unsup[i].count++, 0;
    const char *name = f->nunsup + 1 >= HM__LIST_MAX_UNSUPPORTED_TYPES ? OTHER_TYPES : type;
    int64_t off = hm__arena_put(&f->l->unames, name, strlen(name), 1);
    if (off < 0 || hm__reserve((void **)&f->unsup, &f->unsup_cap, f->nunsup + 1, sizeof *f->unsup))
        return out_of_memory(f);
    f->unsup[f->nunsup++] = (hm__unsup){(uint8_t)f->format, (uint32_t)off, 1};
    return 0;
}

/* ---- commit: the staged records, in document order ---- */

static void merge_unsupported(hm__list_file *f)
{
    hm__lists *l = f->l;
    for (size_t i = 0; i < f->nunsup; i++) {
        const hm__unsup *u = &f->unsup[i];
        size_t k = 0;
        for (; k < l->nunsup; k++)
            if (l->unsup[k].format == u->format &&
                !strcmp((const char *)l->unames.data + l->unsup[k].name,
                        (const char *)l->unames.data + u->name))
                break;
        if (k == l->nunsup) l->unsup[l->nunsup++] = *u; /* room made by prepare_commit */
        else l->unsup[k].count += u->count;
    }
}

/* Makes every allocation commit() needs, so that it cannot fail halfway. */
static int prepare_commit(hm__list_file *f)
{
    hm__lists *l = f->l;
    size_t n = l->nrecs + f->nstaged;
    if (n >= UINT32_MAX - 1 || hm__reserve((void **)&l->recs, &l->recs_cap, n, sizeof *l->recs) ||
        hm__reserve((void **)&l->unsup, &l->unsup_cap, l->nunsup + f->nunsup, sizeof *l->unsup))
        return -1;
    while ((n + 1) * 2 > l->slot_cap)
        if (slots_grow(l)) return -1;
    return 0;
}

static void commit(hm__list_file *f)
{
    hm__lists *l = f->l;
    for (size_t i = 0; i < f->nstaged; i++) {
        const hm__lrec *s = &f->staged[i];
        hm__lrec *r = find_or_insert(l, s);
        l->live -= r->live;
        /* A later record for the key replaces the earlier one completely;
         * a deletion keeps the slot (an unknown key: nothing to delete). */
        uint32_t key_off = r->key_off;
        *r = *s;
        r->key_off = key_off;
        l->live += r->live;
    }
    merge_unsupported(f);
}

typedef int (*reader_fn)(hm__list_file *f, const uint8_t *data, size_t size);

static reader_fn reader_of(hm__list_format format)
{
    switch (format) {
    case HM__LIST_NCMEC_XML: return hm__list_read_ncmec;
    case HM__LIST_STOPNCII_JSON: return hm__list_read_stopncii;
    case HM__LIST_TAT_JSON: return hm__list_read_tat;
    case HM__LIST_TX_TEXT: return hm__list_read_tx;
    default: return NULL;
    }
}

/* The state after a rejected file: arenas back to where the file started.
 * Interned source names stay (a name without records changes nothing). */
static void roll_back(hm__lists *l, const size_t marks[4])
{
    l->keys.len = marks[0];
    l->text.len = marks[1];
    l->unames.len = marks[2];
    l->npairs = marks[3];
}

hm_status hm__lists_import(hm__lists *l, hm__list_format format, const char *source,
                           const char *name, const uint8_t *data, size_t size,
                           hm__list_file_stats *stats, hm_error *err)
{
    if (stats) memset(stats, 0, sizeof *stats);
    reader_fn read = reader_of(format);
    HM_RETURN_IF(!l || !read || (!data && size), err, HM_E_INVALID_ARGUMENT,
                 "no state, data or known format");
    hm__list_file f;
    memset(&f, 0, sizeof f);
    f.l = l;
    f.format = format;
    f.name = name ? name : "(input)";
    f.err = err;
    const size_t marks[4] = {l->keys.len, l->text.len, l->unames.len, l->npairs};
    int64_t src = source_intern(l, source ? source : hm__list_default_source(format));
    int rc = src < 0 ? out_of_memory(&f) : 0;
    f.file_source = (uint32_t)(src < 0 ? 0 : src);
    if (rc == 0) rc = read(&f, data, size);
    if (rc == 0 && prepare_commit(&f)) rc = out_of_memory(&f);
    if (rc == 0) {
        commit(&f);
        if (stats) *stats = f.stats;
    } else {
        roll_back(l, marks);
    }
    free(f.staged);
    free(f.unsup);
    if (rc) return f.status;
    hm__ok(err);
    return HM_OK;
}
