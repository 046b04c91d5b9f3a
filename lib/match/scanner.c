/* scanner.c - hm_scanner: a verified set, one index per perceptual section,
 * and the scan that turns an image's hashes into a report. */
#include <stdlib.h>

#include "../common/abi.h"
#include "../set/set.h"
#include "match.h"

typedef struct {
    const hm__set_view *view; /* NULL when the scanner does not match this algorithm */
    hm__index *index;         /* perceptual sections with entries; NULL otherwise */
} scan_section;

struct hm_scanner {
    const hm_set *set;
    const hm__kernels *kernels;
    uint32_t algos;
    int dihedral;
    hm_decode_options decode;
    scan_section sections[HM_ALGO_COUNT + 1];
};

typedef struct {
    hm_match *items;
    size_t count, cap;
} match_list;

struct hm_report {
    hm_hashes hashes;
    match_list matches;
    match_list suppressed;
    int pdq_skipped;
};

/* ------------------------------------------------------------------------ */
/* Building                                                                 */
/* ------------------------------------------------------------------------ */

static hm_status pick_kernels(const hm_scanner_options *opt, const hm__kernels **out,
                              hm_error *err)
{
    *out = hm__kernels_best();
    if (!opt || !opt->force_tier) return HM_OK;
    *out = hm__kernels_for_tier(opt->tier);
    HM_RETURN_IF(!*out, err, HM_E_UNSUPPORTED, "this CPU cannot run the %s tier",
                 hm_match_tier_name(opt->tier) ? hm_match_tier_name(opt->tier) : "unknown");
    return HM_OK;
}

static hm_status add_section(hm_scanner *s, hm_algo algo, const hm_scanner_options *opt,
                             hm_error *err)
{
    const hm__set_view *v = hm__set_view_get(s->set, algo);
    if (!v) return HM_OK;
    /* The scanner's own ceilings, whatever the set was opened with. */
    HM_FORWARD_IF_ERROR(hm__set_check_section_policy(&v->info, opt ? &opt->limits : NULL, err));
    unsigned threads = opt ? opt->build_threads : 0;
    s->sections[algo].view = v;
    s->algos |= HM_MASK(algo);
    if (!hm_algo_is_perceptual(algo) || v->info.entry_count == 0) return HM_OK;
    hm__index_params p = {.threads = threads};
    return hm__index_build(v->hashes, v->info.entry_count, v->hash_size, &p,
                           &s->sections[algo].index, err);
}

hm_status hm_scanner_new_sized(const hm_set *set, const hm_scanner_options *caller_opt,
                               size_t opt_size, hm_scanner **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    hm_scanner_options options; /* the caller's, in this release's layout (docs/ABI.md) */
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_scanner_options, &options, caller_opt, opt_size, err));
    const hm_scanner_options *opt = caller_opt ? &options : NULL;
    HM_RETURN_IF(!set, err, HM_E_INVALID_ARGUMENT, "a set is required");
    HM_RETURN_IF(!hm_set_is_verified(set), err, HM_E_INVALID_ARGUMENT,
                 "the set was opened without verification; scanners need a verified set");
    hm_scanner *s = calloc(1, sizeof *s);
    HM_RETURN_IF(!s, err, HM_E_NO_MEMORY, "cannot allocate a scanner");
    s->set = set;
    s->dihedral = opt && opt->pdq_dihedral;
    if (opt) s->decode = opt->decode;
    uint32_t want = opt && opt->algos ? opt->algos : HM_MASK_ALL;
    hm_status st = pick_kernels(opt, &s->kernels, err);
    for (int a = 1; st == HM_OK && a <= HM_ALGO_COUNT; a++)
        if (want & HM_MASK(a)) st = add_section(s, (hm_algo)a, opt, err);
    if (st == HM_OK && !s->algos)
        st = hm__fail(err, HM_E_SCAN_NO_ALGORITHM,
                      "the set holds none of the algorithms this scanner was asked to match");
    if (st != HM_OK) {
        hm_scanner_free(s);
        return st;
    }
    *out = s;
    hm__ok(err);
    return HM_OK;
}

void hm_scanner_free(hm_scanner *s)
{
    if (!s) return;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) hm__index_free(s->sections[a].index);
    free(s);
}

uint32_t hm_scanner_algos(const hm_scanner *s) { return s ? s->algos : 0; }

size_t hm_scanner_index_memory(const hm_scanner *s)
{
    size_t total = 0;
    for (int a = 1; s && a <= HM_ALGO_COUNT; a++)
        if (s->sections[a].index) total += hm__index_memory(s->sections[a].index);
    return total;
}

int hm_scanner_uses_index(const hm_scanner *s, hm_algo algo)
{
    if (!s || (int)algo < 1 || (int)algo > HM_ALGO_COUNT) return 0;
    const scan_section *sec = &s->sections[algo];
    return sec->index && hm__index_uses_index(sec->index, sec->view->info.radius);
}

/* ------------------------------------------------------------------------ */
/* Reports                                                                  */
/* ------------------------------------------------------------------------ */

static hm_status list_push(match_list *l, const hm_match *m, hm_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        hm_match *items = realloc(l->items, cap * sizeof *items);
        HM_RETURN_IF(!items, err, HM_E_NO_MEMORY, "cannot grow the match list");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = *m;
    return HM_OK;
}

static void fill_match(const hm_scanner *s, const hm__set_view *v, size_t entry,
                       unsigned distance, unsigned dihedral, hm_match *m)
{
    memset(m, 0, sizeof *m); /* no stale stack bytes in the padding handed out */
    m->algo = v->info.algo;
    m->entry = entry;
    m->distance = distance;
    m->dihedral = dihedral;
    m->category = hm__set_entry_category(v, entry);
    m->category_name = hm__set_category(s->set, m->category);
    m->attesters = hm__set_entry_attesters(v, entry);
    m->external_id = hm__set_entry_external_id(s->set, v, entry);
}

size_t hm_report_match_count(const hm_report *r) { return r ? r->matches.count : 0; }

const hm_match *hm_report_match(const hm_report *r, size_t i)
{
    return r && i < r->matches.count ? &r->matches.items[i] : NULL;
}

size_t hm_report_suppressed_count(const hm_report *r) { return r ? r->suppressed.count : 0; }

const hm_match *hm_report_suppressed(const hm_report *r, size_t i)
{
    return r && i < r->suppressed.count ? &r->suppressed.items[i] : NULL;
}

int hm_report_pdq_skipped(const hm_report *r) { return r ? r->pdq_skipped : 0; }

const hm_hashes *hm_report_hashes(const hm_report *r) { return r ? &r->hashes : NULL; }

void hm_report_free(hm_report *r)
{
    if (!r) return;
    free(r->matches.items);
    free(r->suppressed.items);
    free(r);
}

/* ------------------------------------------------------------------------ */
/* Matching                                                                 */
/* ------------------------------------------------------------------------ */

/* Whether `query` lies within the allowlist radius of an allowlisted hash. */
static hm_status allowlisted(const hm_scanner *s, const hm__set_view *v, const uint8_t *query,
                             int *out, hm_error *err)
{
    *out = 0;
    if (v->info.allow_count == 0) return HM_OK;
    if (!hm_algo_is_perceptual(v->info.algo)) {
        size_t ignored;
        *out = hm__exact_find(v->allow, v->info.allow_count, v->hash_size, query, &ignored);
        return HM_OK;
    }
    hm__hits hits = {0};
    hm_status st = hm__scan(s->kernels, v->allow, v->info.allow_count, v->hash_size, 0, query, 1,
                            v->info.allow_radius, &hits, err);
    *out = hits.count > 0;
    hm__hits_free(&hits);
    return st;
}

/* Records one matched entry as a match or, when the query that matched it is
 * allowlisted, as a suppressed match. */
static hm_status record(const hm_scanner *s, const hm__set_view *v, size_t entry,
                        unsigned distance, unsigned variant, int suppressed, hm_report *r,
                        hm_error *err)
{
    if (!hm__set_entry_active(v, entry)) return HM_OK;
    hm_match m;
    fill_match(s, v, entry, distance, variant, &m);
    return list_push(suppressed ? &r->suppressed : &r->matches, &m, err);
}

static hm_status match_digest(const hm_scanner *s, const hm__set_view *v, const uint8_t *hash,
                              hm_report *r, hm_error *err)
{
    size_t entry;
    if (!hm__exact_find(v->hashes, v->info.entry_count, v->hash_size, hash, &entry))
        return HM_OK;
    int allowed;
    HM_FORWARD_IF_ERROR(allowlisted(s, v, hash, &allowed, err));
    return record(s, v, entry, 0, 0, allowed, r, err);
}

/* Hits come sorted by (entry, query): keep, per entry, the closest query
 * (the lowest variant number among equals). */
static hm_status report_hits(const hm_scanner *s, const hm__set_view *v, const hm__hits *hits,
                             const uint8_t *queries, unsigned nq, hm_report *r, hm_error *err)
{
    int allow[HM__MAX_QUERIES], known[HM__MAX_QUERIES] = {0};
    for (size_t i = 0; i < hits->count;) {
        size_t j = i, best = i;
        for (; j < hits->count && hits->items[j].entry == hits->items[i].entry; j++)
            if (hits->items[j].distance < hits->items[best].distance) best = j;
        unsigned q = hits->items[best].query;
        if (q >= nq) return hm__fail(err, HM_E_INTERNAL, "query index out of range");
        if (!known[q]) {
            HM_FORWARD_IF_ERROR(allowlisted(s, v, queries + q * v->hash_size, &allow[q], err));
            known[q] = 1;
        }
        HM_FORWARD_IF_ERROR(record(s, v, (size_t)hits->items[best].entry,
                                   hits->items[best].distance, q, allow[q], r, err));
        i = j;
    }
    return HM_OK;
}

static hm_status match_perceptual(const hm_scanner *s, const scan_section *sec,
                                  const uint8_t *queries, unsigned nq, hm_report *r,
                                  hm_error *err)
{
    if (!sec->index) return HM_OK; /* a section without entries */
    hm__index_scratch scratch = {0};
    hm__hits hits = {0};
    hm_status st = hm__index_query(sec->index, s->kernels, queries, nq, sec->view->info.radius,
                                   0, 1, HM__PLAN_AUTO, &scratch, &hits, err);
    if (st == HM_OK) st = report_hits(s, sec->view, &hits, queries, nq, r, err);
    hm__hits_free(&hits);
    hm__index_scratch_free(&scratch);
    return st;
}

static hm_status match_all(const hm_scanner *s, hm_report *r, hm_error *err)
{
    const hm_hashes *h = &r->hashes;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const scan_section *sec = &s->sections[a];
        if (!sec->view || !(h->algos & HM_MASK(a))) continue;
        const uint8_t *hash = hm_hashes_get(h, (hm_algo)a, NULL);
        if (!hm_algo_is_perceptual((hm_algo)a)) {
            HM_FORWARD_IF_ERROR(match_digest(s, sec->view, hash, r, err));
        } else if (a == HM_ALGO_PDQ) {
            if ((unsigned)h->pdq_quality < sec->view->info.min_quality) {
                r->pdq_skipped = 1;
                continue;
            }
            int dih = s->dihedral && h->has_pdq_dihedral;
            const uint8_t *q = dih ? &h->pdq_dihedral[0][0] : h->pdq;
            HM_FORWARD_IF_ERROR(match_perceptual(s, sec, q, dih ? HM_PDQ_DIHEDRAL_COUNT : 1, r, err));
        } else {
            HM_FORWARD_IF_ERROR(match_perceptual(s, sec, hash, 1, r, err));
        }
    }
    return HM_OK;
}

/* ------------------------------------------------------------------------ */
/* Scanning                                                                 */
/* ------------------------------------------------------------------------ */

static hm_status new_report(hm_report **out, hm_error *err)
{
    *out = calloc(1, sizeof **out);
    HM_RETURN_IF(!*out, err, HM_E_NO_MEMORY, "cannot allocate a report");
    return HM_OK;
}

/* When the hashing went well (st), runs the matching on r->hashes and hands
 * the report out; otherwise, or when matching fails, frees it. */
static hm_status finish(const hm_scanner *s, hm_status st, hm_report *r, hm_report **out,
                        hm_error *err)
{
    if (st == HM_OK) st = match_all(s, r, err);
    if (st != HM_OK) {
        hm_report_free(r);
        return st;
    }
    *out = r;
    hm__ok(err);
    return HM_OK;
}

static void hash_options(const hm_scanner *s, hm_hash_options *o)
{
    memset(o, 0, sizeof *o);
    o->algos = s->algos;
    o->pdq_dihedral = s->dihedral && (s->algos & HM_MASK(HM_ALGO_PDQ));
    o->decode = s->decode;
    const hm__set_view *pdq = s->sections[HM_ALGO_PDQ].view;
    o->pdq_mode = pdq ? (hm_pdq_mode)pdq->info.variant : HM_PDQ_FULLRES;
}

#define SCAN_PRELUDE(s, out, err)                                                                 \
    HM_RETURN_IF(!(out), err, HM_E_INVALID_ARGUMENT, "output handle is required");                \
    *(out) = NULL;                                                                                \
    HM_RETURN_IF(!(s), err, HM_E_INVALID_ARGUMENT, "a scanner is required")

/* Bytes that do not decode as an image can still be listed by digest (a
 * digest list may hold any file, and a damaged copy of a listed image has
 * its own digest): their digests are matched on their own. When one
 * matches, the report holds those matches and hashes with only the digest
 * bits; otherwise the decoding error stands. */
static hm_status match_digests_only(const hm_scanner *s, const void *data, size_t size,
                                    hm_report *r, hm_error *err)
{
    hm_hash_options o;
    memset(&o, 0, sizeof o);
    o.algos = s->algos & HM_MASK_DIGESTS;
    HM_FORWARD_IF_ERROR(hm_hash_buffer(data, size, &o, &r->hashes, err));
    r->hashes.width = r->hashes.height = 0;
    return match_all(s, r, err);
}

hm_status hm_scanner_scan_buffer(const hm_scanner *s, const void *data, size_t size,
                                 hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_hash_options o;
    hash_options(s, &o);
    hm_status st = hm_hash_buffer(data, size, &o, &r->hashes, err);
    int image_error = st >= HM_E_IMAGE_EMPTY && st <= HM_E_IMAGE_UNSUPPORTED;
    if (image_error && (s->algos & HM_MASK_DIGESTS)) {
        hm_error decode_err;
        if (err) decode_err = *err;
        if (match_digests_only(s, data, size, r, NULL) == HM_OK &&
            r->matches.count + r->suppressed.count > 0) {
            *out = r;
            hm__ok(err);
            return HM_OK;
        }
        if (err) *err = decode_err;
    }
    return finish(s, st, r, out, err);
}

hm_status hm_scanner_scan_file(const hm_scanner *s, const char *path, hm_report **out,
                               hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(!path, err, HM_E_INVALID_ARGUMENT, "a path is required");
    uint8_t *data;
    size_t size;
    HM_FORWARD_IF_ERROR(hm__read_file(path, s->decode.max_file_bytes, &data, &size, err));
    hm_status st = hm_scanner_scan_buffer(s, data, size, out, err);
    free(data);
    return st;
}

hm_status hm_scanner_scan_image(const hm_scanner *s, const hm_image *img, hm_report **out,
                                hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_hash_options o;
    hash_options(s, &o);
    hm_status st = hm_hash_image(img, &o, &r->hashes, err);
    return finish(s, st, r, out, err);
}

hm_status hm_scanner_scan_pixels_sized(const hm_scanner *s, const hm_pixels *px, size_t px_size,
                                       hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_hash_options o;
    hash_options(s, &o);
    hm_status st =
        hm_hash_pixels_sized(px, px_size, &o, sizeof o, &r->hashes, sizeof r->hashes, err);
    return finish(s, st, r, out, err);
}

hm_status hm_scanner_scan_hashes_sized(const hm_scanner *s, const hm_hashes *h, size_t h_size,
                                       hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(!h, err, HM_E_INVALID_ARGUMENT, "hashes are required");
    hm_hashes hashes;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_hashes, &hashes, h, h_size, err));
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    r->hashes = hashes;
    return finish(s, HM_OK, r, out, err);
}
