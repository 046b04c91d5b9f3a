/* scanner.c - hm_scanner: a verified set, an index per perceptual section
 * built when it pays (HM_INDEX_AUTO) or as the options say, and the scan
 * that turns an image's hashes into a report.
 *
 * A section's index pointer is published once, with release order, and read
 * with acquire order: a query sees either no index (and scans the section's
 * codes) or a complete one. Both give the same hits, so the scanner stays
 * immutable to its callers while an index is built behind them. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/abi.h"
#include "../set/set.h"
#include "../hash/hash_internal.h"
#include "../image/image.h"
#include "../video/video_internal.h"
#include "match.h"
#include "video_match.h"

typedef struct {
    const hm__set_view *view; /* NULL when the scanner does not match this algorithm */
    _Atomic(hm__index *) index; /* published once built; NULL before (and for digests) */
    uint64_t break_even;      /* HM_INDEX_AUTO: queries that amortise the build; 0: never */
} scan_section;

struct hm_scanner {
    const hm_set *set;
    const hm__kernels *kernels;
    uint32_t algos;
    int dihedral;
    hm_decode_options decode;
    hm_video_options video;
    hm_index_policy policy;
    hm__index_params params;  /* mode of the index; `cancel` points at auto_build's */
    int no_threads;
    uint64_t trigger;         /* AUTO: the query count that starts the build; 0: none */
    struct auto_build *auto_build; /* what queries change: the only mutable part */
    scan_section sections[HM_ALGO_COUNT + 1];
    hm__video_index videos; /* the vPDQ section's frame maps */
};

/* HM_INDEX_AUTO's counter and background builder. Queries reach it through
 * the pointer of a const scanner: it is the scanner's one mutable part, all
 * atomics, and invisible in its results. */
struct auto_build {
    atomic_uint_fast64_t queries; /* queries matched so far */
    atomic_int cancel;            /* set by hm_scanner_free: a background build stops */
    atomic_int started;           /* 1 once the background thread exists */
    pthread_t thread;
    hm_scanner *scanner;
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
    hm_video *video; /* a scanned video's frames */
    hm__vmatch_list video_matches;
    int vpdq_skipped;
    int video_truncated; /* the video was cut short; only what was there was matched */
    hm_hashes shown; /* an image with an unapplied EXIF orientation as displayed; algos 0: none */
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

static hm_status check_index_options(const hm_scanner_options *opt, hm_error *err)
{
    if (!opt) return HM_OK;
    HM_RETURN_IF((unsigned)opt->index > HM_INDEX_NEVER, err, HM_E_INVALID_ARGUMENT,
                 "unknown index policy %d", (int)opt->index);
    HM_RETURN_IF((unsigned)opt->index_mode > HM_INDEX_COMPACT, err, HM_E_INVALID_ARGUMENT,
                 "unknown index mode %d", (int)opt->index_mode);
    return HM_OK;
}

/* Queries of a section: 8 per pass with the dihedral PDQ hashes. */
static unsigned section_nq(const hm_scanner *s, hm_algo algo)
{
    return algo == HM_ALGO_PDQ && s->dihedral ? HM_PDQ_DIHEDRAL_COUNT : 1;
}

/* The codes a section's index covers: a vPDQ section indexes its frames. */
static size_t section_codes(const hm__set_view *v)
{
    return v->info.algo == HM_ALGO_VPDQ ? v->info.frame_count : v->info.entry_count;
}

/* The number of queries after which the index has saved its build time,
 * by the cost model; 0 when it never does (a scan is cheaper per query). */
static uint64_t break_even(const hm_scanner *s, const hm__set_view *v)
{
    unsigned nq = section_nq(s, v->info.algo);
    double build, query, scan = hm__scan_cost(section_codes(v), v->hash_size, nq);
    hm__index_model(section_codes(v), v->hash_size, &s->params, v->info.radius, nq, &build,
                    &query);
    if (query >= scan) return 0;
    return (uint64_t)ceil(build / (scan - query));
}

static hm_status build_index(hm_scanner *s, scan_section *sec, unsigned threads, hm_error *err)
{
    const hm__set_view *v = sec->view;
    hm__index_params p = s->params;
    p.threads = threads;
    hm__index *idx;
    HM_FORWARD_IF_ERROR(hm__index_build(v->hashes, section_codes(v), v->hash_size, &p, &idx, err));
    atomic_store_explicit(&sec->index, idx, memory_order_release);
    return HM_OK;
}

/* The sections whose index HM_INDEX_AUTO builds, once it builds at all. */
static int worth_indexing(const scan_section *sec) { return sec->view && sec->break_even > 0; }

static hm_status build_all(hm_scanner *s, unsigned threads, int only_worth, hm_error *err)
{
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        scan_section *sec = &s->sections[a];
        if (!sec->view || !hm_algo_is_perceptual((hm_algo)a) || section_codes(sec->view) == 0)
            continue;
        if (only_worth && !worth_indexing(sec)) continue;
        if (atomic_load_explicit(&sec->index, memory_order_acquire)) continue;
        HM_FORWARD_IF_ERROR(build_index(s, sec, threads, err));
    }
    return HM_OK;
}

/* The background build of HM_INDEX_AUTO. A failure (out of memory, or
 * cancelled by hm_scanner_free) leaves the sections on brute force. */
static void *builder_main(void *arg)
{
    struct auto_build *b = arg;
    (void)build_all(b->scanner, 1, 1, NULL);
    return NULL;
}

/* Called per scan with its number of queries (1 for an image, its frames
 * for a video): starts the build when the count reaches the trigger
 * (exactly one caller sees it crossed). */
static void count_queries(const hm_scanner *s, uint64_t nq)
{
    struct auto_build *b = s->auto_build;
    if (!s->trigger || !nq) return;
    uint64_t n = atomic_fetch_add_explicit(&b->queries, nq, memory_order_relaxed) + nq;
    if (n - nq >= s->trigger || n < s->trigger) return;
    if (!s->no_threads && pthread_create(&b->thread, NULL, builder_main, b) == 0) {
        atomic_store_explicit(&b->started, 1, memory_order_release);
        return;
    }
    (void)build_all(b->scanner, 1, 1, NULL); /* no thread (or none could start): build here */
}

static void count_query(const hm_scanner *s) { count_queries(s, 1); }

/* HM_INDEX_AUTO: with expected_queries, build now what pays for that many
 * queries; without, set the trigger at the smallest break-even point. */
static hm_status plan_auto(hm_scanner *s, uint64_t expected, unsigned threads, hm_error *err)
{
    uint64_t first = 0;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        scan_section *sec = &s->sections[a];
        if (!sec->view || !hm_algo_is_perceptual((hm_algo)a) || section_codes(sec->view) == 0)
            continue;
        sec->break_even = break_even(s, sec->view);
        if (sec->break_even && (!first || sec->break_even < first)) first = sec->break_even;
        if (expected && sec->break_even && expected >= sec->break_even)
            HM_FORWARD_IF_ERROR(build_index(s, sec, threads, err));
    }
    s->trigger = expected ? 0 : first;
    return HM_OK;
}

static hm_status add_section(hm_scanner *s, hm_algo algo, const hm_scanner_options *opt,
                             hm_error *err)
{
    const hm__set_view *v = hm__set_view_get(s->set, algo);
    if (!v) return HM_OK;
    /* The scanner's own ceilings, whatever the set was opened with. */
    HM_FORWARD_IF_ERROR(hm__set_check_section_policy(&v->info, opt ? &opt->limits : NULL, err));
    s->sections[algo].view = v;
    s->algos |= HM_MASK(algo);
    /* a vPDQ section also maps its frames to their videos */
    return algo == HM_ALGO_VPDQ ? hm__video_index_init(&s->videos, v, err) : HM_OK;
}

/* A scanner that can never match would report every file as clean: refused
 * when none of its sections holds an active entry (all empty, or every entry
 * attested by fewer organisations than the app's min_attesters). */
static hm_status check_matchable(const hm_scanner *s, hm_error *err)
{
    size_t entries = 0;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm__set_view *v = s->sections[a].view;
        if (v && v->info.active_count) return HM_OK;
        if (v) entries += v->info.entry_count;
    }
    HM_RETURN_IF(!entries, err, HM_E_SCAN_NO_ALGORITHM,
                 "the set has no entries for the algorithms this scanner matches: it would "
                 "report every file as clean");
    return hm__fail(err, HM_E_SCAN_NO_ALGORITHM,
                    "none of the set's %zu entries for the algorithms this scanner matches is "
                    "attested by the %u organisations required: it would report every file as "
                    "clean", entries, hm_set_min_attesters(s->set));
}

static hm_status setup_index(hm_scanner *s, const hm_scanner_options *opt, hm_error *err)
{
    unsigned threads = opt ? opt->build_threads : 0;
    switch (s->policy) {
    case HM_INDEX_ALWAYS: return build_all(s, threads, 0, err);
    case HM_INDEX_NEVER: return HM_OK;
    default: return plan_auto(s, opt ? opt->expected_queries : 0, threads, err);
    }
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
    HM_FORWARD_IF_ERROR(check_index_options(opt, err));
    hm_scanner *s = calloc(1, sizeof *s);
    struct auto_build *ab = calloc(1, sizeof *ab);
    if (!s || !ab) {
        free(s);
        free(ab);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate a scanner");
    }
    s->auto_build = ab;
    ab->scanner = s;
    s->set = set;
    s->dihedral = opt && opt->pdq_dihedral;
    if (opt) s->decode = opt->decode;
    if (opt) s->video = opt->video;
    s->policy = opt ? opt->index : HM_INDEX_AUTO;
    s->params.compact = opt && opt->index_mode == HM_INDEX_COMPACT;
    s->params.budget = opt ? (double)opt->index_bytes_per_entry : 0;
    s->params.cancel = &ab->cancel;
    s->no_threads = opt && opt->no_threads;
    uint32_t want = opt && opt->algos ? opt->algos : HM_MASK_EVERY;
    hm_status st = pick_kernels(opt, &s->kernels, err);
    for (int a = 1; st == HM_OK && a <= HM_ALGO_COUNT; a++)
        if (want & HM_MASK(a)) st = add_section(s, (hm_algo)a, opt, err);
    if (st == HM_OK) st = hm__video_check_options(&s->video, err);
    if (st == HM_OK && !s->algos)
        st = hm__fail(err, HM_E_SCAN_NO_ALGORITHM,
                      "the set holds none of the algorithms this scanner was asked to match");
    if (st == HM_OK) st = check_matchable(s, err);
    if (st == HM_OK) st = setup_index(s, opt, err);
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
    atomic_store(&s->auto_build->cancel, 1);
    if (atomic_load_explicit(&s->auto_build->started, memory_order_acquire))
        pthread_join(s->auto_build->thread, NULL);
    for (int a = 1; a <= HM_ALGO_COUNT; a++) hm__index_free(atomic_load(&s->sections[a].index));
    free(s->auto_build);
    hm__video_index_free(&s->videos);
    free(s);
}

uint32_t hm_scanner_algos(const hm_scanner *s) { return s ? s->algos : 0; }

uint64_t hm__scanner_index_trigger(const hm_scanner *s) { return s->trigger; }

static const hm__index *section_index(const scan_section *sec)
{
    return atomic_load_explicit(&sec->index, memory_order_acquire);
}

size_t hm_scanner_index_memory(const hm_scanner *s)
{
    size_t total = 0;
    for (int a = 1; s && a <= HM_ALGO_COUNT; a++) total += hm__index_memory(section_index(&s->sections[a]));
    return total;
}

int hm_scanner_uses_index(const hm_scanner *s, hm_algo algo)
{
    if (!s || (int)algo < 1 || (int)algo > HM_ALGO_COUNT) return 0;
    const scan_section *sec = &s->sections[algo];
    const hm__index *idx = section_index(sec);
    return idx && hm__index_uses_index(idx, sec->view->info.radius);
}

void hm_scanner_memory(const hm_scanner *s, hm_scanner_memory_usage *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!s) return;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm__set_view *v = s->sections[a].view;
        if (!v) continue;
        out->codes += section_codes(v) * v->hash_size;
        out->metadata += v->info.entry_count * HM__META_SIZE;
    }
    size_t file = hm_set_file_size(s->set);
    out->set_rest = file - out->codes - out->metadata;
    out->index = hm_scanner_index_memory(s);
    out->total = file + out->index;
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

size_t hm_report_video_match_count(const hm_report *r) { return r ? r->video_matches.count : 0; }

const hm_video_match *hm_report_video_match(const hm_report *r, size_t i)
{
    return r && i < r->video_matches.count ? &r->video_matches.items[i] : NULL;
}

const hm_video *hm_report_video(const hm_report *r) { return r ? r->video : NULL; }

int hm_report_vpdq_skipped(const hm_report *r) { return r ? r->vpdq_skipped : 0; }

int hm_report_video_truncated(const hm_report *r) { return r ? r->video_truncated : 0; }

void hm_report_free(hm_report *r)
{
    if (!r) return;
    free(r->matches.items);
    free(r->suppressed.items);
    free(r->video_matches.items);
    hm_video_free(r->video);
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
    const hm__set_view *v = sec->view;
    if (v->info.entry_count == 0) return HM_OK;
    const hm__index *idx = section_index(sec);
    hm__index_scratch scratch = {0};
    hm__hits hits = {0};
    hm_status st = idx ? hm__index_query(idx, s->kernels, queries, nq, v->info.radius, 0, 1,
                                         HM__PLAN_AUTO, &scratch, &hits, err)
                       : hm__scan(s->kernels, v->hashes, v->info.entry_count, v->hash_size, 0,
                                  queries, nq, v->info.radius, &hits, err);
    if (st == HM_OK) st = report_hits(s, sec->view, &hits, queries, nq, r, err);
    hm__hits_free(&hits);
    hm__index_scratch_free(&scratch);
    return st;
}

static hm_status match_all(const hm_scanner *s, hm_report *r, hm_error *err)
{
    const hm_hashes *h = &r->hashes;
    if (h->algos & s->algos & HM_MASK_PERCEPTUAL) count_query(s);
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

static int cmp_match(const void *a, const void *b)
{
    const hm_match *x = a, *y = b;
    if (x->algo != y->algo) return x->algo < y->algo ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Adds src's matches to dst: an entry already there keeps the smaller
 * distance. dst stays ordered by algorithm, then entry. */
static hm_status merge_matches(match_list *dst, const match_list *src, hm_error *err)
{
    for (size_t i = 0; i < src->count; i++) {
        const hm_match *m = &src->items[i];
        size_t j = 0;
        while (j < dst->count && (dst->items[j].algo != m->algo || dst->items[j].entry != m->entry))
            j++;
        if (j == dst->count) HM_FORWARD_IF_ERROR(list_push(dst, m, err));
        else if (m->distance < dst->items[j].distance) dst->items[j] = *m;
    }
    if (dst->count > 1) qsort(dst->items, dst->count, sizeof *dst->items, cmp_match);
    return HM_OK;
}

/* An image stored rotated or flipped, with an EXIF orientation that says so,
 * is displayed upright by every viewer, while its hashes are of the stored
 * pixels (as the references compute them): a listed picture saved that way
 * would pass. The image as displayed is matched too; each entry is
 * reported once, at the smaller distance. */
static hm_status match_shown(const hm_scanner *s, hm_report *r, hm_error *err)
{
    if (!(r->shown.algos & HM_MASK_PERCEPTUAL)) return HM_OK;
    hm_report t;
    memset(&t, 0, sizeof t);
    t.hashes = r->shown;
    t.hashes.algos &= HM_MASK_PERCEPTUAL;
    hm_status st = match_all(s, &t, err);
    if (st == HM_OK) st = merge_matches(&r->matches, &t.matches, err);
    if (st == HM_OK) st = merge_matches(&r->suppressed, &t.suppressed, err);
    free(t.matches.items);
    free(t.suppressed.items);
    return st;
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

/* One image PDQ hash (of quality `quality`) against the frames of the set's
 * videos, with the vPDQ section's frame radius, quality floor and allowlist;
 * *skipped when the floor or the allowlist keeps it out. */
static hm_status image_frames(const hm_scanner *s, const uint8_t *pdq, int quality,
                              hm__vmatch_list *out, int *skipped, hm_error *err)
{
    const hm__set_view *v = s->videos.view;
    int allowed;
    HM_FORWARD_IF_ERROR(allowlisted(s, v, pdq, &allowed, err));
    if ((unsigned)quality < v->info.min_quality || allowed) {
        *skipped = 1;
        return HM_OK;
    }
    hm__frame_query q = {pdq, 0, 0.0};
    count_query(s);
    return hm__match_videos(&s->videos, section_index(&s->sections[HM_ALGO_VPDQ]), s->kernels,
                            s->set, &q, 1, HM_VIDEO_MATCH_IMAGE_FRAME, out, err);
}

static int cmp_video_match(const void *a, const void *b)
{
    const hm_video_match *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return (x->entry > y->entry) - (x->entry < y->entry);
}

/* Adds `src`'s video matches to `dst`'s, each listed video once, at the
 * smaller distance; dst stays ordered by kind, then entry. */
static hm_status merge_video_matches(hm__vmatch_list *dst, const hm__vmatch_list *src,
                                     hm_error *err)
{
    for (size_t i = 0; i < src->count; i++) {
        const hm_video_match *m = &src->items[i];
        size_t j = 0;
        while (j < dst->count && (dst->items[j].kind != m->kind || dst->items[j].entry != m->entry))
            j++;
        if (j == dst->count) HM_FORWARD_IF_ERROR(hm__vmatch_push(dst, m, err));
        else if (m->distance < dst->items[j].distance) dst->items[j] = *m;
    }
    if (dst->count > 1) qsort(dst->items, dst->count, sizeof *dst->items, cmp_video_match);
    return HM_OK;
}

/* An image's PDQ hash against the frames of the set's videos; an image with
 * an unapplied EXIF orientation also as displayed (see match_shown), each
 * listed video reported once, at the smaller distance. */
static hm_status match_image_frames(const hm_scanner *s, hm_report *r, hm_error *err)
{
    const hm__set_view *v = s->videos.view;
    const hm_hashes *h = &r->hashes;
    if (!v || !v->info.frame_count || r->video || !(h->algos & HM_MASK(HM_ALGO_PDQ))) return HM_OK;
    int skipped = 0;
    HM_FORWARD_IF_ERROR(image_frames(s, h->pdq, h->pdq_quality, &r->video_matches, &skipped, err));
    if (r->shown.algos & HM_MASK(HM_ALGO_PDQ)) {
        hm__vmatch_list shown = {0};
        int shown_skipped = 0;
        hm_status st = image_frames(s, r->shown.pdq, r->shown.pdq_quality, &shown, &shown_skipped,
                                    err);
        if (st == HM_OK) st = merge_video_matches(&r->video_matches, &shown, err);
        free(shown.items);
        HM_FORWARD_IF_ERROR(st);
        skipped = skipped && shown_skipped;
    }
    if (skipped) r->vpdq_skipped = 1;
    return HM_OK;
}

static hm_status scan_animation(const hm_scanner *s, const void *data, size_t size, hm_report *r,
                                hm_error *err);

/* When the hashing went well (st), runs the matching on r->hashes (and on
 * the later frames of an animated GIF or WebP in data, NULL for none) and
 * hands the report out; otherwise, or when matching fails, frees it. */
static hm_status finish(const hm_scanner *s, hm_status st, hm_report *r, const void *data,
                        size_t size, hm_report **out, hm_error *err)
{
    if (st == HM_OK) st = match_all(s, r, err);
    if (st == HM_OK) st = match_shown(s, r, err);
    if (st == HM_OK) st = match_image_frames(s, r, err);
    if (st == HM_OK && data) st = scan_animation(s, data, size, r, err);
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
    /* an image's PDQ is matched against the set's video frames too */
    if (s->algos & HM_MASK(HM_ALGO_VPDQ)) o->algos |= HM_MASK(HM_ALGO_PDQ);
    o->pdq_dihedral = s->dihedral && (s->algos & HM_MASK(HM_ALGO_PDQ));
    o->decode = s->decode;
    const hm__set_view *pdq = s->sections[HM_ALGO_PDQ].view;
    o->pdq_mode = pdq ? (hm_pdq_mode)pdq->info.variant : HM_PDQ_FULLRES;
}

/* ---- videos ---- */

/* The scanned frames that take part in matching against `sec`: each hash
 * once (its first occurrence), quality >= the section's floor, not within
 * its allowlist radius of an allowlisted hash. */
static hm_status frame_queries(const hm_scanner *s, const hm_video *v, const hm__set_view *sec,
                               hm__frame_query **out, size_t *n, hm_error *err)
{
    *out = NULL;
    *n = 0;
    size_t count = hm_video_frame_count(v);
    if (!count) return HM_OK;
    uint8_t *keep = malloc(count);
    hm__frame_query *q = malloc(count * sizeof *q);
    hm_status st = HM_OK;
    if (!keep || !q || hm__vpdq_first_occurrences(v->frames, count, keep))
        st = hm__fail(err, HM_E_NO_MEMORY, "cannot prepare %zu frames", count);
    for (size_t i = 0; i < count && st == HM_OK; i++) {
        const hm_vpdq_frame *f = &v->frames[i];
        int allowed = 0;
        if (!keep[i] || f->quality < 0 || (unsigned)f->quality < sec->info.min_quality) continue;
        st = allowlisted(s, sec, f->hash, &allowed, err);
        if (!allowed) q[(*n)++] = (hm__frame_query){f->hash, f->frame, f->timestamp};
    }
    free(keep);
    if (st != HM_OK) {
        free(q);
        *n = 0;
        return st;
    }
    *out = q;
    return HM_OK;
}

/* A video's frames against the set's videos, then against its images. */
static hm_status match_video(const hm_scanner *s, hm_report *r, hm_error *err)
{
    const hm__set_view *secs[2] = {s->videos.view, s->sections[HM_ALGO_PDQ].view};
    hm_status st = HM_OK;
    for (int k = 0; k < 2 && st == HM_OK; k++) {
        if (!secs[k]) continue;
        hm__frame_query *q;
        size_t n;
        HM_FORWARD_IF_ERROR(frame_queries(s, r->video, secs[k], &q, &n, err));
        if (!n) *(k ? &r->pdq_skipped : &r->vpdq_skipped) = 1;
        count_queries(s, n);
        if (k == 0)
            st = hm__match_videos(&s->videos, section_index(&s->sections[HM_ALGO_VPDQ]),
                                  s->kernels, s->set, q, n, HM_VIDEO_MATCH_VIDEO,
                                  &r->video_matches, err);
        else
            st = hm__match_frames_images(secs[k], section_index(&s->sections[HM_ALGO_PDQ]),
                                         s->kernels, s->set, q, n, &r->video_matches, err);
        free(q);
    }
    return st;
}

/* Whether a scan of a video decodes it: the set has videos or images. */
static int wants_frames(const hm_scanner *s)
{
    return (s->algos & (HM_MASK(HM_ALGO_VPDQ) | HM_MASK(HM_ALGO_PDQ))) != 0;
}

/* The options a video is hashed with: the set's sampling interval (every
 * frame without a vPDQ section), own size, the digests the set holds. */
static hm_video_options video_options(const hm_scanner *s)
{
    hm_video_options o = s->video;
    const hm__set_view *v = s->videos.view;
    o.seconds_per_hash = v ? v->info.variant / 1000.0 : 0.0;
    o.size = 0;
    o.digests = s->algos & HM_MASK_DIGESTS;
    return o;
}

/* The options an animation's frames are hashed with: no digests (the file's
 * are the image's) and every frame, whatever the vPDQ sampling interval: a
 * GIF's time base puts 100 "frames" in a second, and an interval would skip
 * exactly the short frames an animation can hide a picture in. Each frame
 * costs a full hash at the canvas size, so the decoded bytes have their own
 * default ceiling. */
static hm_video_options animation_options(const hm_scanner *s)
{
    hm_video_options o = video_options(s);
    o.digests = 0;
    o.seconds_per_hash = 0.0;
    if (!o.limits.max_decoded_bytes)
        o.limits.max_decoded_bytes = HM_DEFAULT_ANIMATION_MAX_DECODED_BYTES;
    return o;
}

/* Scans r->video (frames and digests); takes ownership of the report. */
static hm_status finish_video(const hm_scanner *s, hm_report *r, hm_report **out, hm_error *err)
{
    const hm_video_info *info = hm_video_get_info(r->video);
    hm_hashes *h = &r->hashes;
    h->width = info->width;
    h->height = info->height;
    h->algos = info->digests & s->algos & HM_MASK_DIGESTS;
    memcpy(h->md5, info->md5, sizeof h->md5);
    memcpy(h->sha1, info->sha1, sizeof h->sha1);
    memcpy(h->sha256, info->sha256, sizeof h->sha256);
    hm_status st = match_all(s, r, err);
    if (st == HM_OK && wants_frames(s)) st = match_video(s, r, err);
    /* A video cut short is matched as far as its data goes: a listed video
     * with bytes cut off is still caught. Without a match it stays an error,
     * never a clean scan. */
    r->video_truncated = r->video->truncated;
    if (st == HM_OK && r->video_truncated &&
        r->matches.count + r->suppressed.count + r->video_matches.count == 0)
        st = hm__fail(err, HM_E_VIDEO_TRUNCATED,
                      "the video data ends before the video does (%zu frames hashed from what is "
                      "there, none matched)",
                      hm_video_frame_count(r->video));
    if (st != HM_OK) {
        hm_report_free(r);
        return st;
    }
    *out = r;
    hm__ok(err);
    return HM_OK;
}

/* Digests only (the set has no perceptual section that frames could match):
 * the bytes are not decoded, as for images. */
static hm_status digest_only_video(const hm_scanner *s, const void *data, size_t size, int fd,
                                   hm_video **out, hm_error *err)
{
    hm_video *v = hm__video_new();
    HM_RETURN_IF(!v, err, HM_E_NO_MEMORY, "cannot allocate a video");
    hm_hashes h;
    memset(&h, 0, sizeof h);
    uint32_t dig = s->algos & HM_MASK_DIGESTS;
    hm_status st = fd >= 0 ? hm__digests_fd(fd, dig, &h, err) : hm__digests(data, size, dig, &h, err);
    if (st != HM_OK) {
        hm_video_free(v);
        return st;
    }
    v->info.digests = dig;
    memcpy(v->info.md5, h.md5, sizeof h.md5);
    memcpy(v->info.sha1, h.sha1, sizeof h.sha1);
    memcpy(v->info.sha256, h.sha256, sizeof h.sha256);
    *out = v;
    return HM_OK;
}

/* A video in memory (data, size) or in an open regular file (fd >= 0,
 * named `name` in messages). */
static hm_status scan_video_input(const hm_scanner *s, const void *data, size_t size, int fd,
                                  const char *name, hm_report **out, hm_error *err)
{
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_video_options o = video_options(s);
    hm_status st;
    if (wants_frames(s))
        st = hm__video_hash_salvage(data, size, fd, name, &o, &r->video, err);
    else
        st = digest_only_video(s, data, size, fd, &r->video, err);
    if (st != HM_OK) {
        hm_report_free(r);
        return st;
    }
    return finish_video(s, r, out, err);
}

/* ---- animations ---- */

typedef struct {
    hm_video *video;
    hm_hash_options o;
} anim_frames;

static hm_status hash_anim_frame(void *ctx, const hm_image *img, unsigned index, int ms,
                                 hm_error *err)
{
    anim_frames *a = ctx;
    hm_hashes h;
    HM_FORWARD_IF_ERROR(hm_hash_image(img, &a->o, &h, err));
    hm_vpdq_frame f = {.frame = index, .quality = h.pdq_quality, .timestamp = ms / 1000.0};
    memcpy(f.hash, h.pdq, sizeof f.hash);
    return hm__video_push(a->video, &f, err);
}

/* The frames of an animated WebP, PDQ-hashed at their size as vPDQ hashes
 * a video's frames, under the video limits. */
static hm_status hash_webp_frames(const hm_scanner *s, const void *data, size_t size,
                                  hm_video **out, hm_error *err)
{
    hm_video_options vo = animation_options(s);
    hm_video_limits l = hm__video_limits(&vo);
    anim_frames a = {.video = hm__video_new()};
    HM_RETURN_IF(!a.video, err, HM_E_NO_MEMORY, "cannot allocate a video");
    a.o.algos = HM_MASK(HM_ALGO_PDQ);
    hm_status st = hm__webp_each_frame(data, size, l.max_pixels, l.max_frames, l.max_decoded_bytes,
                                       hash_anim_frame, &a, err);
    if (st != HM_OK) {
        hm_video_free(a.video);
        return st;
    }
    *out = a.video;
    return HM_OK;
}

/* Every frame of an animated GIF or APNG (through the video decoder) or
 * WebP; *out stays NULL for anything else. */
static hm_status hash_animation(const hm_scanner *s, const void *data, size_t size,
                                hm_video **out, hm_error *err)
{
    hm_image_format f = hm_image_sniff(data, size);
    if ((f == HM_FORMAT_GIF && hm__gif_has_later_frames(data, size)) ||
        (f == HM_FORMAT_PNG && hm__png_is_animated(data, size))) {
        hm_video_options o = animation_options(s);
        return hm__video_hash_salvage(data, size, -1, NULL, &o, out, err);
    }
    if (f == HM_FORMAT_WEBP && hm__webp_frame_count(data, size) > 1)
        return hash_webp_frames(s, data, size, out, err);
    return HM_OK;
}

/* The image decoders show an animation's first frame (as Pillow does, for
 * imagehash's sake), so a listed picture in a later frame of a GIF, APNG or WebP
 * would pass unseen: every frame is hashed as well and matched as a video's
 * frames are. When they cannot be hashed, a match of the first frame
 * stands; otherwise the error does: never a clean scan of unseen frames. */
static hm_status scan_animation(const hm_scanner *s, const void *data, size_t size, hm_report *r,
                                hm_error *err)
{
    if (!wants_frames(s)) return HM_OK;
    hm_error anim_err;
    hm_status st = hash_animation(s, data, size, &r->video, &anim_err);
    if (st == HM_OK && r->video) st = match_video(s, r, &anim_err);
    if (st == HM_OK) {
        r->video_truncated = r->video && r->video->truncated;
        return HM_OK;
    }
    if (r->matches.count + r->video_matches.count) return HM_OK;
    return hm__fail(err, st, "an animation whose later frames cannot be scanned: %s",
                    anim_err.message);
}

#define SCAN_PRELUDE(s, out, err)                                                                 \
    HM_RETURN_IF(!(out), err, HM_E_INVALID_ARGUMENT, "output handle is required");                \
    *(out) = NULL;                                                                                \
    HM_RETURN_IF(!(s), err, HM_E_INVALID_ARGUMENT, "a scanner is required")

/* The hashing step of a scan: from bytes (data != NULL or img == NULL),
 * also giving the hashes of the image as displayed (r->shown), or from a
 * decoded image, with the hasher's memory when there is one. */
static hm_status hash_for_scan(const hm_scanner *s, hm_hasher *hasher, const void *data,
                               size_t size, const hm_image *img, hm_report *r, hm_error *err)
{
    hm_hash_options o;
    hash_options(s, &o);
    if (img) return hasher ? hm_hasher_hash_image(hasher, img, &o, &r->hashes, err)
                           : hm_hash_image(img, &o, &r->hashes, err);
    return hm__hash_buffer_shown(data, size, &o, hm__hasher_scratch(hasher), &r->hashes,
                                 &r->shown, err);
}

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

/* A decoding error of bytes the set may list by digest: 1 when their digests
 * matched on their own (the report holds those matches, the error is
 * cleared), 0 when the decoding error stands. */
static int matched_by_digests(const hm_scanner *s, hm_status st, const void *data, size_t size,
                              hm_report *r, hm_error *err)
{
    int image_error = st >= HM_E_IMAGE_EMPTY && st <= HM_E_IMAGE_UNSUPPORTED;
    if (!image_error || !(s->algos & HM_MASK_DIGESTS)) return 0;
    hm_error decode_err;
    if (err) decode_err = *err;
    if (match_digests_only(s, data, size, r, NULL) == HM_OK &&
        r->matches.count + r->suppressed.count > 0) {
        hm__ok(err);
        return 1;
    }
    if (err) *err = decode_err;
    return 0;
}

static hm_status scan_source(const hm_scanner *s, hm_hasher *hasher, const void *data,
                             size_t size, const hm_image *img, hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "invalid buffer");
    if (hm_video_sniff(data, size)) return scan_video_input(s, data, size, -1, NULL, out, err);
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_status st = hash_for_scan(s, hasher, data, size, img, r, err);
    if (!img && matched_by_digests(s, st, data, size, r, err)) {
        *out = r;
        return HM_OK;
    }
    return finish(s, st, r, img ? NULL : data, size, out, err);
}

hm_status hm_scanner_scan_buffer(const hm_scanner *s, const void *data, size_t size,
                                 hm_report **out, hm_error *err)
{
    return scan_source(s, NULL, data, size, NULL, out, err);
}

hm_status hm_scanner_scan_buffer_with(const hm_scanner *s, hm_hasher *hasher, const void *data,
                                      size_t size, hm_report **out, hm_error *err)
{
    return scan_source(s, hasher, data, size, NULL, out, err);
}

/* An open file: a video is streamed from it, anything else read whole (at
 * most max_file_bytes; into the hasher's kept buffer when there is one). */
static hm_status scan_fd_with(const hm_scanner *s, hm_hasher *hasher, int fd, const char *name,
                              hm_report **out, hm_error *err)
{
    HM_FORWARD_IF_ERROR(hm__fd_regular(fd, name, NULL, err));
    if (hm__fd_is_video(fd, NULL)) return scan_video_input(s, NULL, 0, fd, name, out, err);
    HM_RETURN_IF(lseek(fd, 0, SEEK_SET) != 0, err, HM_E_IO, "%s: %s", name, strerror(errno));
    if (hasher) {
        const uint8_t *kept;
        size_t n;
        HM_FORWARD_IF_ERROR(hm__hasher_read_fd(hasher, fd, name, s->decode.max_file_bytes, &kept,
                                               &n, err));
        return scan_source(s, hasher, kept, n, NULL, out, err);
    }
    uint8_t *data;
    size_t size;
    HM_FORWARD_IF_ERROR(hm__read_fd(fd, name, s->decode.max_file_bytes, &data, &size, err));
    hm_status st = scan_source(s, NULL, data, size, NULL, out, err);
    free(data);
    return st;
}

hm_status hm_scanner_scan_fd(const hm_scanner *s, int fd, const char *name, hm_report **out,
                             hm_error *err)
{
    return hm_scanner_scan_fd_with(s, NULL, fd, name, out, err);
}

hm_status hm_scanner_scan_fd_with(const hm_scanner *s, hm_hasher *hasher, int fd, const char *name,
                                  hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(fd < 0, err, HM_E_INVALID_ARGUMENT, "a file descriptor is required");
    return scan_fd_with(s, hasher, fd, name ? name : "input", out, err);
}

hm_status hm_scanner_scan_file_with(const hm_scanner *s, hm_hasher *hasher, const char *path,
                                    hm_report **out, hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(!path, err, HM_E_INVALID_ARGUMENT, "a path is required");
    /* One descriptor, opened without blocking, for the sniff and the read:
     * a FIFO is refused, not waited on, and the file cannot be swapped
     * between the two. */
    int fd = hm__open_input(path);
    if (fd < 0) return hm__fail_open(path, err);
    hm_status st = scan_fd_with(s, hasher, fd, path, out, err);
    close(fd);
    return st;
}

hm_status hm_scanner_scan_file(const hm_scanner *s, const char *path, hm_report **out,
                               hm_error *err)
{
    return hm_scanner_scan_file_with(s, NULL, path, out, err);
}

hm_status hm_scanner_scan_image(const hm_scanner *s, const hm_image *img, hm_report **out,
                                hm_error *err)
{
    if (out) *out = NULL;
    HM_RETURN_IF(!img, err, HM_E_INVALID_ARGUMENT, "an image is required");
    return scan_source(s, NULL, NULL, 0, img, out, err);
}

hm_status hm_scanner_scan_image_with(const hm_scanner *s, hm_hasher *hasher, const hm_image *img,
                                     hm_report **out, hm_error *err)
{
    if (out) *out = NULL;
    HM_RETURN_IF(!img, err, HM_E_INVALID_ARGUMENT, "an image is required");
    return scan_source(s, hasher, NULL, 0, img, out, err);
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
    return finish(s, st, r, NULL, 0, out, err);
}

hm_status hm_scanner_scan_video(const hm_scanner *s, const hm_video *video, hm_report **out,
                                hm_error *err)
{
    SCAN_PRELUDE(s, out, err);
    HM_RETURN_IF(!video, err, HM_E_INVALID_ARGUMENT, "a video is required");
    hm_report *r;
    HM_FORWARD_IF_ERROR(new_report(&r, err));
    hm_status st = hm_video_from_frames(video->frames, video->count, &r->video, err);
    if (st != HM_OK) {
        hm_report_free(r);
        return st;
    }
    r->video->info = video->info;
    r->video->info.container = r->video->container;
    r->video->info.codec = r->video->codec;
    r->video->info.pixel_format = r->video->pixel_format;
    memcpy(r->video->container, video->container, sizeof video->container);
    memcpy(r->video->codec, video->codec, sizeof video->codec);
    memcpy(r->video->pixel_format, video->pixel_format, sizeof video->pixel_format);
    return finish_video(s, r, out, err);
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
    return finish(s, HM_OK, r, NULL, 0, out, err);
}
