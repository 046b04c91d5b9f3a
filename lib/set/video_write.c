/* video_write.c - videos in a set builder: adding them (deduplicated frame
 * lists, as python-threatexchange compares them), ordering and merging them
 * canonically, and writing the vPDQ section's arrays (docs/FORMAT.md, 4.6). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../video/video_internal.h"
#include "builder_internal.h"

/* Milliseconds as printf("%.3f") writes the seconds: the reference's text. */
static int timestamp_ms(double t, uint32_t *out)
{
    if (!(t >= 0 && t < 4294967.2955)) return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", t);
    uint64_t v = 0;
    for (const char *p = buf; *p; p++)
        if (*p != '.') v = v * 10 + (uint64_t)(*p - '0');
    if (v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

static hm_status check_frames(const hm_vpdq_frame *f, size_t n, hm_error *err)
{
    int known = f[0].frame != HM_VPDQ_FRAME_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        uint32_t ms;
        HM_RETURN_IF(f[i].quality < 0 || f[i].quality > 100, err, HM_E_INVALID_ARGUMENT,
                     "frame %zu: quality %d is outside 0..100", i, f[i].quality);
        HM_RETURN_IF(timestamp_ms(f[i].timestamp, &ms), err, HM_E_INVALID_ARGUMENT,
                     "frame %zu: timestamp outside 0..4294967.295 s", i);
        HM_RETURN_IF(known ? f[i].frame == HM_VPDQ_FRAME_UNKNOWN ||
                                 (i && f[i].frame <= f[i - 1].frame)
                           : f[i].frame != HM_VPDQ_FRAME_UNKNOWN,
                     err, HM_E_INVALID_ARGUMENT,
                     "frame %zu: frame numbers must be all unknown or strictly ascending", i);
    }
    return HM_OK;
}

/* `p` with room for `need` elements (*cap updated), or NULL when out of
 * memory (then `p` is still valid and *cap unchanged). */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(p, c * elem);
    if (q) *cap = c;
    return q;
}

/* The frame arrays share one capacity, as do the video arrays. */
static int grow_frames(video_list *v, size_t need)
{
    size_t c1 = v->frames_cap, c2 = v->frames_cap;
    uint8_t *h = grow(v->hashes, &c1, need, HM_PDQ_BYTES);
    if (!h) return -1;
    v->hashes = h;
    uint8_t *r = grow(v->records, &c2, need, HM__FRAME_SIZE);
    if (!r) return -1;
    v->records = r;
    v->frames_cap = c1;
    return 0;
}

static int grow_videos(video_list *v)
{
    size_t c1 = v->videos_cap, c2 = v->videos_cap, c3 = v->videos_cap, need = v->nvideos + 1;
    uint32_t *f = grow(v->first, &c1, need, sizeof *f);
    if (!f) return -1;
    v->first = f;
    uint32_t *n = grow(v->count, &c2, need, sizeof *n);
    if (!n) return -1;
    v->count = n;
    uint8_t *m = grow(v->meta, &c3, need, HM__META_SIZE);
    if (!m) return -1;
    v->meta = m;
    v->videos_cap = c1;
    return 0;
}

static void put_frame(video_list *v, const hm_vpdq_frame *f)
{
    uint32_t ms = 0;
    (void)timestamp_ms(f->timestamp, &ms); /* checked before */
    uint8_t *r = v->records + v->nframes * HM__FRAME_SIZE;
    memcpy(v->hashes + v->nframes * HM_PDQ_BYTES, f->hash, HM_PDQ_BYTES);
    hm__store_le32(r + HM__F_NUMBER, f->frame);
    hm__store_le32(r + HM__F_MS, ms);
    hm__store_le16(r + HM__F_QUALITY, (uint16_t)f->quality);
    hm__store_le16(r + HM__F_RESERVED, 0);
    v->nframes++;
}

hm_status hm_set_builder_add_video(hm_set_builder *b, const hm_vpdq_frame *frames, size_t count,
                                   unsigned category, unsigned attesters,
                                   const char *external_id, hm_error *err)
{
    HM_RETURN_IF(!b || !frames, err, HM_E_INVALID_ARGUMENT, "no builder or frames");
    HM_RETURN_IF(count == 0, err, HM_E_INVALID_ARGUMENT, "a video needs at least one frame");
    video_list *v = &b->videos;
    HM_RETURN_IF(count > UINT32_MAX - v->nframes, err, HM_E_LIMIT, "too many vpdq frames");
    HM_FORWARD_IF_ERROR(check_frames(frames, count, err));
    uint8_t meta[HM__META_SIZE];
    HM_FORWARD_IF_ERROR(hm__builder_entry_meta(b, category, attesters, external_id, meta, err));
    uint8_t *keep = malloc(count);
    HM_RETURN_IF(!keep, err, HM_E_NO_MEMORY, "out of memory for %zu frames", count);
    hm_status st = HM_OK;
    if (hm__vpdq_first_occurrences(frames, count, keep) || grow_frames(v, v->nframes + count) ||
        grow_videos(v))
        st = hm__fail(err, HM_E_NO_MEMORY, "out of memory for vpdq frames");
    if (st == HM_OK) {
        size_t first = v->nframes;
        for (size_t i = 0; i < count; i++)
            if (keep[i]) put_frame(v, &frames[i]);
        v->first[v->nvideos] = (uint32_t)first;
        v->count[v->nvideos] = (uint32_t)(v->nframes - first);
        memcpy(v->meta + v->nvideos * HM__META_SIZE, meta, HM__META_SIZE);
        v->nvideos++;
    }
    free(keep);
    return st;
}

/* ---- canonical order ---- */

typedef struct vref {
    const video_list *v;
    uint32_t i;
} vref;

static int cmp_video(const void *a, const void *b)
{
    const vref *x = a, *y = b;
    const video_list *v = x->v;
    uint32_t fa = v->first[x->i], fb = v->first[y->i];
    int c = hm__set_video_cmp(v->hashes + (size_t)fa * HM_PDQ_BYTES,
                              v->records + (size_t)fa * HM__FRAME_SIZE, v->count[x->i],
                              v->hashes + (size_t)fb * HM_PDQ_BYTES,
                              v->records + (size_t)fb * HM__FRAME_SIZE, v->count[y->i]);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int same_video(const video_list *v, uint32_t a, uint32_t b)
{
    return v->count[a] == v->count[b] &&
           !hm__set_video_cmp(v->hashes + (size_t)v->first[a] * HM_PDQ_BYTES,
                              v->records + (size_t)v->first[a] * HM__FRAME_SIZE, v->count[a],
                              v->hashes + (size_t)v->first[b] * HM_PDQ_BYTES,
                              v->records + (size_t)v->first[b] * HM__FRAME_SIZE, v->count[b]);
}

hm_status hm__builder_plan_videos(hm_set_builder *b, uint32_t **order, size_t *n,
                                  uint64_t *frames, hm_error *err)
{
    video_list *v = &b->videos;
    *order = NULL;
    *n = 0;
    *frames = 0;
    if (!v->nvideos) return HM_OK;
    vref *r = malloc(v->nvideos * sizeof *r);
    uint32_t *o = malloc(v->nvideos * sizeof *o);
    if (!r || !o) {
        free(r);
        free(o);
        return hm__fail(err, HM_E_NO_MEMORY, "out of memory while sorting %zu videos", v->nvideos);
    }
    for (size_t i = 0; i < v->nvideos; i++) r[i] = (vref){v, (uint32_t)i};
    qsort(r, v->nvideos, sizeof *r, cmp_video);
    hm_status st = HM_OK;
    size_t u = 0;
    for (size_t i = 0; i < v->nvideos && st == HM_OK; i++) {
        if (u && same_video(v, o[u - 1], r[i].i)) {
            char what[64];
            snprintf(what, sizeof what, "vpdq video of %u frames", v->count[r[i].i]);
            st = hm__builder_merge_meta(b, what, v->meta + (size_t)o[u - 1] * HM__META_SIZE,
                                        v->meta + (size_t)r[i].i * HM__META_SIZE, o[u - 1],
                                        r[i].i, err);
            continue;
        }
        o[u++] = r[i].i;
        *frames += v->count[r[i].i];
    }
    free(r);
    if (st != HM_OK) {
        free(o);
        return st;
    }
    *order = o;
    *n = u;
    return HM_OK;
}

void hm__builder_write_videos(const hm_set_builder *b, const uint32_t *order, size_t n,
                              uint8_t *hashes, uint8_t *meta, uint32_t ext_base)
{
    const video_list *v = &b->videos;
    uint8_t *ranges = meta + n * HM__META_SIZE;
    uint8_t *records = ranges + n * HM__RANGE_SIZE;
    size_t next = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = order[k], first = v->first[i], count = v->count[i];
        const uint8_t *m = v->meta + (size_t)i * HM__META_SIZE;
        uint32_t ext = hm__load_le32(m + HM__M_EXTERNAL_ID);
        memcpy(meta + k * HM__META_SIZE, m, 4); /* category and attesters */
        hm__store_le32(meta + k * HM__META_SIZE + HM__M_EXTERNAL_ID, ext ? ext_base + ext - 1 : 0);
        hm__store_le32(ranges + k * HM__RANGE_SIZE + HM__R_FIRST, (uint32_t)next);
        hm__store_le32(ranges + k * HM__RANGE_SIZE + HM__R_COUNT, count);
        memcpy(hashes + next * HM_PDQ_BYTES, v->hashes + (size_t)first * HM_PDQ_BYTES,
               (size_t)count * HM_PDQ_BYTES);
        memcpy(records + next * HM__FRAME_SIZE, v->records + (size_t)first * HM__FRAME_SIZE,
               (size_t)count * HM__FRAME_SIZE);
        next += count;
    }
}
