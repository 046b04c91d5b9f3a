/* video_match.c - frames matched through the index: a scanned video against
 * the set's videos (python-threatexchange's rule, docs/VIDEO.md) and image
 * entries, and a scanned image against the set's video frames. Frames are
 * queried HM__MAX_QUERIES at a time through the section's index (or a scan
 * of its codes while the scanner has built none), never a loop over the
 * listed videos. */
#include <stdlib.h>

#include "video_match.h"

/* ------------------------------------------------------------------------ */
/* The index of a vPDQ section                                              */
/* ------------------------------------------------------------------------ */

hm_status hm__video_index_init(hm__video_index *vi, const hm__set_view *v, hm_error *err)
{
    memset(vi, 0, sizeof *vi);
    vi->view = v;
    size_t nv = v->info.entry_count, nf = v->info.frame_count;
    if (!nv) return HM_OK;
    vi->frame_video = malloc(nf * sizeof *vi->frame_video);
    vi->qualified = calloc(nv, sizeof *vi->qualified);
    if (!vi->frame_video || !vi->qualified) {
        hm__video_index_free(vi);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate the video index maps");
    }
    for (size_t i = 0; i < nv; i++) {
        uint32_t first = hm__set_video_first(v, i), n = hm__set_video_count(v, i);
        for (uint32_t k = 0; k < n; k++) {
            vi->frame_video[first + k] = (uint32_t)i;
            vi->qualified[i] += hm__set_frame_quality(v, (size_t)first + k) >= v->info.min_quality;
        }
    }
    return HM_OK;
}

void hm__video_index_free(hm__video_index *vi)
{
    free(vi->frame_video);
    free(vi->qualified);
    vi->frame_video = vi->qualified = NULL;
}

/* ------------------------------------------------------------------------ */
/* Hits                                                                     */
/* ------------------------------------------------------------------------ */

/* One scanned frame within the radius of one listed frame (or image). */
typedef struct vhit {
    uint32_t group; /* listed video, or image entry */
    uint32_t q;     /* scanned frame: index into the queries */
    uint32_t f;     /* listed frame (videos) */
    uint32_t d;
} vhit;

typedef struct vhits {
    vhit *items;
    size_t count, cap;
} vhits;

/* A growable array with room for one more element: `items` itself, or its
 * larger copy (and *cap updated), or NULL when out of memory. */
static void *grow(void *items, size_t count, size_t *cap, size_t elem)
{
    if (count < *cap) return items;
    size_t c = *cap ? 2 * *cap : 64;
    void *p = realloc(items, c * elem);
    if (p) *cap = c;
    return p;
}

static hm_status push_hit(vhits *h, vhit x, hm_error *err)
{
    vhit *p = grow(h->items, h->count, &h->cap, sizeof x);
    HM_RETURN_IF(!p, err, HM_E_NO_MEMORY, "cannot grow the frame hits");
    h->items = p;
    h->items[h->count++] = x;
    return HM_OK;
}

static int cmp_hit(const void *a, const void *b)
{
    const vhit *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->q != y->q) return x->q < y->q ? -1 : 1;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return (x->f > y->f) - (x->f < y->f);
}

/* Which hits count: a listed frame of quality >= the floor in an active
 * video, or an active image entry. */
typedef int (*hit_filter)(const void *ctx, uint64_t entry, uint32_t *group);

static int video_hit(const void *ctx, uint64_t entry, uint32_t *group)
{
    const hm__video_index *vi = ctx;
    if (hm__set_frame_quality(vi->view, entry) < vi->view->info.min_quality) return 0;
    *group = vi->frame_video[entry];
    return hm__set_entry_active(vi->view, *group);
}

static int image_hit(const void *ctx, uint64_t entry, uint32_t *group)
{
    *group = (uint32_t)entry;
    return hm__set_entry_active(ctx, entry);
}

/* Queries the index (or, without one, scans the section's n codes) with
 * every scanned frame, HM__MAX_QUERIES at a time. */
static hm_status collect(const hm__index *idx, const hm__set_view *v, size_t n,
                         const hm__kernels *k, unsigned radius, const hm__frame_query *q, size_t nq,
                         hit_filter keep, const void *ctx, vhits *out, hm_error *err)
{
    hm__index_scratch scratch = {0};
    hm__hits hits = {0};
    uint8_t batch[HM__MAX_QUERIES * HM_PDQ_BYTES];
    hm_status st = HM_OK;
    for (size_t base = 0; base < nq && st == HM_OK; base += HM__MAX_QUERIES) {
        unsigned nb = nq - base < HM__MAX_QUERIES ? (unsigned)(nq - base) : HM__MAX_QUERIES;
        for (unsigned i = 0; i < nb; i++) memcpy(batch + i * HM_PDQ_BYTES, q[base + i].hash, HM_PDQ_BYTES);
        hits.count = 0;
        st = idx ? hm__index_query(idx, k, batch, nb, radius, 0, 1, HM__PLAN_AUTO, &scratch, &hits,
                                   err)
                 : hm__scan(k, v->hashes, n, v->hash_size, 0, batch, nb, radius, &hits, err);
        for (size_t i = 0; i < hits.count && st == HM_OK; i++) {
            uint32_t group;
            if (!keep(ctx, hits.items[i].entry, &group)) continue;
            vhit x = {group, (uint32_t)(base + hits.items[i].query), (uint32_t)hits.items[i].entry,
                      hits.items[i].distance};
            st = push_hit(out, x, err);
        }
    }
    hm__hits_free(&hits);
    hm__index_scratch_free(&scratch);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Reports                                                                  */
/* ------------------------------------------------------------------------ */

hm_status hm__vmatch_push(hm__vmatch_list *l, const hm_video_match *m, hm_error *err)
{
    hm_video_match *p = grow(l->items, l->count, &l->cap, sizeof *m);
    HM_RETURN_IF(!p, err, HM_E_NO_MEMORY, "cannot grow the video match list");
    l->items = p;
    l->items[l->count++] = *m;
    return HM_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const hm_frame_pair *x = a, *y = b;
    if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
    return (x->query_frame > y->query_frame) - (x->query_frame < y->query_frame);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void fill_entry(const hm_set *set, const hm__set_view *v, size_t entry, hm_video_match *m)
{
    m->algo = v->info.algo;
    m->entry = entry;
    m->category = hm__set_entry_category(v, entry);
    m->category_name = hm__set_category(set, m->category);
    m->attesters = hm__set_entry_attesters(v, entry);
    m->external_id = hm__set_entry_external_id(set, v, entry);
}

/* One group's hits h[0..n), sorted by (q, d, f): per scanned frame its
 * closest listed frame, the closest pairs first. */
static void make_pairs(const vhit *h, size_t n, const hm__frame_query *q, const hm__set_view *v,
                       hm_frame_pair *pairs, size_t *npairs, size_t *matched, unsigned *best)
{
    size_t np = 0, nm = 0;
    *best = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        if (i && h[i].q == h[i - 1].q) continue;
        nm++;
        if (h[i].d < *best) *best = h[i].d;
        hm_frame_pair p = {q[h[i].q].frame, q[h[i].q].timestamp, 0, 0, h[i].d};
        if (v) {
            p.set_frame = hm__set_frame_number(v, h[i].f);
            p.set_timestamp = hm__set_frame_ms(v, h[i].f) / 1000.0;
        }
        /* keep the HM_VIDEO_MAX_PAIRS smallest: insert into a sorted array */
        size_t at = np;
        while (at > 0 && cmp_pair(&p, &pairs[at - 1]) < 0) at--;
        if (at >= HM_VIDEO_MAX_PAIRS) continue;
        if (np < HM_VIDEO_MAX_PAIRS) np++;
        memmove(pairs + at + 1, pairs + at, (np - 1 - at) * sizeof *pairs);
        pairs[at] = p;
    }
    *npairs = np;
    *matched = nm;
}

/* query_pct >= threshold / 100 exactly: matched * 10000 >= threshold * total. */
static int reaches(size_t matched, size_t total, unsigned threshold)
{
    return (unsigned long long)matched * 10000ull >= (unsigned long long)threshold * total;
}

static double pct(size_t matched, size_t total)
{
    return total ? (double)(matched * 100) / (double)total : 0.0;
}

/* The distinct listed frames of a group's hits. */
static hm_status count_frames(const vhit *h, size_t n, size_t *out, hm_error *err)
{
    uint32_t *f = malloc(n * sizeof *f);
    HM_RETURN_IF(!f, err, HM_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < n; i++) f[i] = h[i].f;
    qsort(f, n, sizeof *f, cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) u += i == 0 || f[i] != f[i - 1];
    free(f);
    *out = u;
    return HM_OK;
}

static hm_status video_group(const hm__video_index *vi, const hm_set *set, const vhit *h,
                             size_t n, const hm__frame_query *q, size_t nq,
                             hm_video_match_kind kind, hm__vmatch_list *out, hm_error *err)
{
    const hm__set_view *v = vi->view;
    const hm_set_section *p = &v->info;
    hm_video_match m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    fill_entry(set, v, h[0].group, &m);
    make_pairs(h, n, q, v, m.pairs, &m.pair_count, &m.query_matched, &m.distance);
    HM_FORWARD_IF_ERROR(count_frames(h, n, &m.compared_matched, err));
    m.query_total = nq;
    m.compared_total = vi->qualified[h[0].group];
    m.query_pct = pct(m.query_matched, m.query_total);
    m.compared_pct = pct(m.compared_matched, m.compared_total);
    int match = kind == HM_VIDEO_MATCH_IMAGE_FRAME ||
                (reaches(m.query_matched, m.query_total, p->query_match_pct) &&
                 reaches(m.compared_matched, m.compared_total, p->compared_match_pct));
    return match ? hm__vmatch_push(out, &m, err) : HM_OK;
}

hm_status hm__match_videos(const hm__video_index *vi, const hm__index *idx, const hm__kernels *k,
                           const hm_set *set, const hm__frame_query *q, size_t nq,
                           hm_video_match_kind kind,
                           hm__vmatch_list *out, hm_error *err)
{
    if (!vi->view || !vi->view->info.frame_count || !nq) return HM_OK;
    vhits h = {0};
    hm_status st = collect(idx, vi->view, vi->view->info.frame_count, k, vi->view->info.radius, q,
                           nq, video_hit, vi, &h, err);
    if (st == HM_OK && h.count) qsort(h.items, h.count, sizeof *h.items, cmp_hit);
    for (size_t i = 0; i < h.count && st == HM_OK;) {
        size_t j = i;
        while (j < h.count && h.items[j].group == h.items[i].group) j++;
        st = video_group(vi, set, h.items + i, j - i, q, nq, kind, out, err);
        i = j;
    }
    free(h.items);
    return st;
}

hm_status hm__match_frames_images(const hm__set_view *pdq, const hm__index *idx,
                                  const hm__kernels *k, const hm_set *set,
                                  const hm__frame_query *q, size_t nq, hm__vmatch_list *out,
                                  hm_error *err)
{
    if (!pdq->info.entry_count || !nq) return HM_OK;
    vhits h = {0};
    hm_status st = collect(idx, pdq, pdq->info.entry_count, k, pdq->info.radius, q, nq, image_hit,
                           pdq, &h, err);
    if (st == HM_OK && h.count) qsort(h.items, h.count, sizeof *h.items, cmp_hit);
    for (size_t i = 0; i < h.count && st == HM_OK;) {
        size_t j = i;
        while (j < h.count && h.items[j].group == h.items[i].group) j++;
        hm_video_match m;
        memset(&m, 0, sizeof m);
        m.kind = HM_VIDEO_MATCH_FRAMES_IMAGE;
        fill_entry(set, pdq, h.items[i].group, &m);
        make_pairs(h.items + i, j - i, q, NULL, m.pairs, &m.pair_count, &m.query_matched,
                   &m.distance);
        m.query_total = nq;
        m.compared_matched = m.compared_total = 1;
        m.query_pct = pct(m.query_matched, nq);
        m.compared_pct = 100.0;
        st = hm__vmatch_push(out, &m, err);
        i = j;
    }
    free(h.items);
    return st;
}
