/* scan.c - hit lists and the brute-force scan driver. */
#include <stdlib.h>

#include "match.h"

hm_status hm__hits_reserve(hm__hits *h, size_t extra)
{
    if (h->cap - h->count >= extra) return HM_OK;
    size_t want, bytes;
    if (!hm__add_size(h->count, extra, &want)) return HM_E_NO_MEMORY;
    size_t cap = h->cap ? h->cap : 256;
    while (cap < want) {
        if (cap > SIZE_MAX / 2) return HM_E_NO_MEMORY;
        cap *= 2;
    }
    if (!hm__mul_size(cap, sizeof *h->items, &bytes)) return HM_E_NO_MEMORY;
    hm__hit *p = realloc(h->items, bytes);
    if (!p) return HM_E_NO_MEMORY;
    h->items = p;
    h->cap = cap;
    return HM_OK;
}

void hm__hits_free(hm__hits *h)
{
    free(h->items);
    h->items = NULL;
    h->count = h->cap = 0;
}

static int hit_cmp(const void *x, const void *y)
{
    const hm__hit *a = x, *b = y;
    if (a->entry != b->entry) return a->entry < b->entry ? -1 : 1;
    return (a->query > b->query) - (a->query < b->query);
}

void hm__hits_sort(hm__hits *h)
{
    if (h->count > 1) qsort(h->items, h->count, sizeof *h->items, hit_cmp);
}

hm_status hm__scan(const hm__kernels *k, const uint8_t *codes, size_t n, size_t code_bytes,
                   size_t first, const uint8_t *queries, unsigned nq, unsigned radius,
                   hm__hits *out, hm_error *err)
{
    HM_RETURN_IF(!k || !out || !queries || (!codes && n), err, HM_E_INVALID_ARGUMENT,
                 "scan: NULL argument");
    HM_RETURN_IF(code_bytes != 8 && code_bytes != 32, err, HM_E_INVALID_ARGUMENT,
                 "scan: codes must be 8 or 32 bytes, not %zu", code_bytes);
    HM_RETURN_IF(nq < 1 || nq > HM__MAX_QUERIES, err, HM_E_INVALID_ARGUMENT,
                 "scan: 1 to %d queries per pass, not %u", HM__MAX_QUERIES, nq);
    hm__scan_fn fn = code_bytes == 32 ? k->scan256 : k->scan64;
    size_t done = 0;
    while (done < n) {
        /* Room grows with the hits found so far, so dense results take few calls. */
        size_t room = out->count / 2 > HM__SCAN_ROOM(nq) ? out->count / 2 : HM__SCAN_ROOM(nq);
        HM_RETURN_IF(hm__hits_reserve(out, room) != HM_OK, err, HM_E_NO_MEMORY,
                     "scan: out of memory for %zu hits", out->count);
        size_t before = out->count, count = out->count;
        size_t m = fn(codes + code_bytes * done, n - done, queries, nq, radius, out->items,
                      out->cap, &count);
        HM_RETURN_IF(m == 0, err, HM_E_INTERNAL, "scan: kernel made no progress");
        for (size_t h = before; h < count; h++) out->items[h].entry += first + done;
        out->count = count;
        done += m;
    }
    return HM_OK;
}
