/* compare.c - python-threatexchange's video-level vPDQ rule as a brute-force
 * reference (docs/VIDEO.md, "Matching"): dedupe each list by hash keeping
 * the first occurrence, then keep frames of quality >= the floor; a frame
 * counts when the other list has a frame within the radius. */
#include <stdlib.h>

#include "../common/abi.h"
#include "video_internal.h"

/* The hashes of the deduplicated, quality-filtered list, in list order
 * (pointers into `f`), into *out (NULL for an empty list). */
static hm_status prepare(const hm_vpdq_frame *f, size_t count, unsigned min_quality,
                         const uint8_t ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!count) return HM_OK;
    uint8_t *keep = malloc(count);
    const uint8_t **h = malloc(count * sizeof *h);
    if (!keep || !h || hm__vpdq_first_occurrences(f, count, keep)) {
        free(keep);
        free(h);
        return HM_E_NO_MEMORY;
    }
    for (size_t i = 0; i < count; i++)
        if (keep[i] && f[i].quality >= 0 && (unsigned)f[i].quality >= min_quality) h[(*n)++] = f[i].hash;
    free(keep);
    *out = h;
    return HM_OK;
}

static size_t count_matched(const uint8_t **a, size_t na, const uint8_t **b, size_t nb,
                            unsigned radius)
{
    size_t matched = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (hm_hamming(a[i], b[j], HM_PDQ_BYTES) <= radius) {
                matched++;
                break;
            }
    return matched;
}

/* query_pct >= threshold / 100, compared exactly in integers: matched * 100 /
 * total >= t / 100 <=> matched * 10000 >= t * total. */
static int reaches(size_t matched, size_t total, unsigned threshold)
{
    return (unsigned long long)matched * 10000ull >= (unsigned long long)threshold * total;
}

static hm_status compare(const hm_vpdq_frame *query, size_t query_count,
                         const hm_vpdq_frame *compared, size_t compared_count,
                         const hm_set_policy *policy, hm_vpdq_comparison *out)
{
    const uint8_t **q = NULL, **c = NULL;
    size_t nq, nc;
    hm_status st = prepare(query, query_count, policy->min_quality, &q, &nq);
    if (st == HM_OK) st = prepare(compared, compared_count, policy->min_quality, &c, &nc);
    if (st == HM_OK) {
        out->query_total = nq;
        out->compared_total = nc;
        out->query_matched = count_matched(q, nq, c, nc, policy->radius);
        out->compared_matched = count_matched(c, nc, q, nq, policy->radius);
        if (nq) out->query_pct = (double)(out->query_matched * 100) / (double)nq;
        if (nc) out->compared_pct = (double)(out->compared_matched * 100) / (double)nc;
        out->match = out->query_matched > 0 &&
                     reaches(out->query_matched, nq, policy->query_match_pct) &&
                     reaches(out->compared_matched, nc, policy->compared_match_pct);
    }
    free(q);
    free(c);
    return st;
}

hm_status hm_vpdq_compare_sized(const hm_vpdq_frame *query, size_t query_count,
                                const hm_vpdq_frame *compared, size_t compared_count,
                                const hm_set_policy *policy, size_t policy_size,
                                hm_vpdq_comparison *out, size_t out_size)
{
    if (!out || (!query && query_count) || (!compared && compared_count) ||
        HM__ABI_CHECK_OUT(hm_vpdq_comparison, out, out_size, NULL) != HM_OK)
        return HM_E_INVALID_ARGUMENT;
    hm_vpdq_comparison c;
    memset(&c, 0, sizeof c);
    hm__abi_write(out, out_size, &c, sizeof c);
    hm_set_policy p;
    if (policy) {
        HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_set_policy, &p, policy, policy_size, NULL));
    } else {
        hm_set_policy_default(HM_ALGO_VPDQ, &p);
    }
    hm_status st = compare(query, query_count, compared, compared_count, &p, &c);
    hm__abi_write(out, out_size, &c, sizeof c);
    return st;
}
