/* video.c - vPDQ sections: their policy bounds, the structural checks of
 * their videos and frames (docs/FORMAT.md, section 4.6), and the accessors. */
#include <stdlib.h>

#include "../common/abi.h"
#include "set_internal.h"

const hm__vpdq_bounds hm__vpdq_format_bounds = {HM_PDQ_BITS, 0, 0, 0};

hm_status hm__vpdq_policy_check(const hm_set_policy *p, const hm__vpdq_bounds *b,
                                hm_status status, const char *where, hm_error *err)
{
    HM_RETURN_IF(p->variant > HM__VPDQ_MAX_INTERVAL, err, status,
                 "%s: sampling interval %u ms is over %u", where, p->variant,
                 HM__VPDQ_MAX_INTERVAL);
    HM_RETURN_IF(p->radius > b->max_radius || p->allow_radius > b->max_radius, err, status,
                 "%s: frame radius %u / allowlist radius %u over %u", where, p->radius,
                 p->allow_radius, b->max_radius);
    HM_RETURN_IF(p->min_quality > 100 || p->min_quality < b->min_quality, err, status,
                 "%s: frame quality floor %u is outside %u..100", where, p->min_quality,
                 b->min_quality);
    HM_RETURN_IF(p->query_match_pct > 10000 || p->query_match_pct < b->min_query_match_pct, err,
                 status, "%s: query match threshold %u.%02u %% is outside %u.%02u..100 %%", where,
                 p->query_match_pct / 100, p->query_match_pct % 100,
                 b->min_query_match_pct / 100, b->min_query_match_pct % 100);
    HM_RETURN_IF(p->compared_match_pct > 10000 || p->compared_match_pct < b->min_compared_match_pct,
                 err, status, "%s: compared match threshold %u.%02u %% is outside %u.%02u..100 %%",
                 where, p->compared_match_pct / 100, p->compared_match_pct % 100,
                 b->min_compared_match_pct / 100, b->min_compared_match_pct % 100);
    return HM_OK;
}

/* ---- structure ---- */

static hm_status check_ranges(const hm__set_view *v, hm_error *err)
{
    uint64_t next = 0;
    for (size_t i = 0; i < v->info.entry_count; i++) {
        uint32_t first = hm__set_video_first(v, i), n = hm__set_video_count(v, i);
        HM_RETURN_IF(first != next, err, HM_E_SET_VIDEO_LAYOUT,
                     "vpdq video %zu starts at frame %u, not at %llu where the previous one ends",
                     i, first, (unsigned long long)next);
        HM_RETURN_IF(n == 0 || n > v->info.frame_count - next, err, HM_E_SET_VIDEO_LAYOUT,
                     "vpdq video %zu: %u frames from frame %u leave the %zu frames", i, n, first,
                     v->info.frame_count);
        next += n;
    }
    HM_RETURN_IF(next != v->info.frame_count, err, HM_E_SET_VIDEO_LAYOUT,
                 "the vpdq videos cover %llu of the %zu frames", (unsigned long long)next,
                 v->info.frame_count);
    return HM_OK;
}

static hm_status check_frame_records(const hm__set_view *v, size_t video, hm_error *err)
{
    uint32_t first = hm__set_video_first(v, video), n = hm__set_video_count(v, video);
    int known = hm__set_frame_number(v, first) != HM_VPDQ_FRAME_UNKNOWN;
    for (uint32_t k = 0; k < n; k++) {
        size_t f = (size_t)first + k;
        const uint8_t *r = v->frames + f * HM__FRAME_SIZE;
        HM_RETURN_IF(hm__set_frame_quality(v, f) > 100, err, HM_E_SET_VIDEO_FRAME,
                     "vpdq video %zu frame %u: quality %u over 100", video, k,
                     hm__set_frame_quality(v, f));
        HM_RETURN_IF(hm__load_le16(r + HM__F_RESERVED) != 0, err, HM_E_SET_VIDEO_FRAME,
                     "vpdq video %zu frame %u: reserved bytes are not zero", video, k);
        uint32_t num = hm__set_frame_number(v, f);
        HM_RETURN_IF(known ? num == HM_VPDQ_FRAME_UNKNOWN ||
                                 (k && num <= hm__set_frame_number(v, f - 1))
                           : num != HM_VPDQ_FRAME_UNKNOWN,
                     err, HM_E_SET_VIDEO_FRAME,
                     "vpdq video %zu frame %u: frame numbers must be all unknown or strictly "
                     "ascending", video, k);
    }
    return HM_OK;
}



typedef struct {
    const uint8_t *hash;
} hash_ref;

static int cmp_hash_ref(const void *a, const void *b)
{
    return memcmp(((const hash_ref *)a)->hash, ((const hash_ref *)b)->hash, HM_PDQ_BYTES);
}

/* Each hash once per video: the deduplication python-threatexchange applies
 * is part of the format, so every reader counts frames the same way. */
static hm_status check_unique(const hm__set_view *v, size_t video, hash_ref *tmp, hm_error *err)
{
    uint32_t first = hm__set_video_first(v, video), n = hm__set_video_count(v, video);
    for (uint32_t k = 0; k < n; k++) tmp[k].hash = hm__set_hash(v, (size_t)first + k);
    qsort(tmp, n, sizeof *tmp, cmp_hash_ref);
    for (uint32_t k = 1; k < n; k++)
        if (!memcmp(tmp[k - 1].hash, tmp[k].hash, HM_PDQ_BYTES)) {
            char hex[HM_PDQ_HEX_SIZE];
            hm_hex_encode(tmp[k].hash, HM_PDQ_BYTES, hex);
            return hm__fail(err, HM_E_SET_VIDEO_FRAME, "vpdq video %zu lists frame hash %s twice",
                            video, hex);
        }
    return HM_OK;
}

int hm__set_video_cmp(const uint8_t *ha, const uint8_t *ra, size_t na, const uint8_t *hb,
                      const uint8_t *rb, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t k = 0; k < n; k++) {
        int c = memcmp(ha + k * HM_PDQ_BYTES, hb + k * HM_PDQ_BYTES, HM_PDQ_BYTES);
        if (!c) c = memcmp(ra + k * HM__FRAME_SIZE, rb + k * HM__FRAME_SIZE, HM__FRAME_SIZE);
        if (c) return c;
    }
    return (na > nb) - (na < nb);
}

static int compare_videos(const hm__set_view *v, size_t a, size_t b)
{
    uint32_t fa = hm__set_video_first(v, a), fb = hm__set_video_first(v, b);
    return hm__set_video_cmp(hm__set_hash(v, fa), v->frames + (size_t)fa * HM__FRAME_SIZE,
                             hm__set_video_count(v, a), hm__set_hash(v, fb),
                             v->frames + (size_t)fb * HM__FRAME_SIZE, hm__set_video_count(v, b));
}

hm_status hm__set_check_videos(const hm__set_view *v, hm_error *err)
{
    HM_FORWARD_IF_ERROR(check_ranges(v, err));
    uint32_t longest = 0;
    for (size_t i = 0; i < v->info.entry_count; i++) {
        HM_FORWARD_IF_ERROR(check_frame_records(v, i, err));
        if (hm__set_video_count(v, i) > longest) longest = hm__set_video_count(v, i);
        if (i == 0) continue;
        int c = compare_videos(v, i - 1, i);
        HM_RETURN_IF(c == 0, err, HM_E_SET_DUPLICATE_ENTRY, "vpdq video %zu repeats video %zu", i,
                     i - 1);
        HM_RETURN_IF(c > 0, err, HM_E_SET_UNSORTED, "vpdq video %zu sorts before video %zu", i,
                     i - 1);
    }
    hash_ref *tmp = longest ? malloc(longest * sizeof *tmp) : NULL;
    HM_RETURN_IF(longest && !tmp, err, HM_E_NO_MEMORY, "cannot allocate the frame check");
    hm_status st = HM_OK;
    for (size_t i = 0; i < v->info.entry_count && st == HM_OK; i++) st = check_unique(v, i, tmp, err);
    free(tmp);

    return st;
}

/* ---- accessors ---- */

size_t hm_set_video_frame_count(const hm_set *set, size_t index)
{
    const hm__set_view *v = set ? hm__set_view_get(set, HM_ALGO_VPDQ) : NULL;
    return v && index < v->info.entry_count ? hm__set_video_count(v, index) : 0;
}

hm_status hm_set_video_frame_get_sized(const hm_set *set, size_t index, size_t k,
                                       hm_set_video_frame *out, size_t out_size)
{
    if (HM__ABI_CHECK_OUT(hm_set_video_frame, out, out_size, NULL) != HM_OK)
        return HM_E_INVALID_ARGUMENT;
    hm_set_video_frame fr;
    memset(&fr, 0, sizeof fr);
    const hm__set_view *v = set ? hm__set_view_get(set, HM_ALGO_VPDQ) : NULL;
    hm_status st = HM_E_INVALID_ARGUMENT;
    if (v && index < v->info.entry_count && k < hm__set_video_count(v, index)) {
        size_t f = (size_t)hm__set_video_first(v, index) + k;
        fr.hash = hm__set_hash(v, f);
        fr.frame = hm__set_frame_number(v, f);
        fr.timestamp_ms = hm__set_frame_ms(v, f);
        fr.quality = hm__set_frame_quality(v, f);
        st = HM_OK;
    }
    hm__abi_write(out, out_size, &fr, sizeof fr);
    return st;
}
