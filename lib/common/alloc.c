/* alloc.c - allocation of big arrays (a set's private copy, index tables,
 * code arrays): 64-byte aligned always, and from 2 MiB on aligned to 2 MiB
 * and advised to transparent huge pages, so that scans and random probes of
 * hundreds of megabytes take few TLB misses. */
#define _DEFAULT_SOURCE /* madvise */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "common.h"

#define HM__HUGE_PAGE ((size_t)2 << 20)

void *hm__alloc_large(size_t size)
{
    /* The size is rounded to whole 64-byte lines (vector loads may read a
     * block's last line whole), never to the 2 MiB alignment: memory
     * accounting sees what is asked for. */
    size_t align = size < HM__HUGE_PAGE ? 64 : HM__HUGE_PAGE, rounded;
    if (size > PTRDIFF_MAX) return NULL; /* no object can be that large */
    if (!hm__add_size(size ? size : 1, 63, &rounded)) return NULL;
    rounded &= ~(size_t)63;
    void *p = NULL;
    if (posix_memalign(&p, align, rounded) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* A hint (failure changes nothing), only for the huge pages the caller's
     * bytes fill: a partly used last one stays in small pages. */
    if (align == HM__HUGE_PAGE) (void)madvise(p, size & ~(HM__HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
    return p;
}

hm_status hm__scratch_reserve(hm__scratch *s, size_t bytes)
{
    if (bytes <= s->cap) return HM_OK;
    void *p = hm__alloc_large(bytes);
    if (!p) return HM_E_NO_MEMORY;
    free(s->data);
    s->data = p;
    s->cap = bytes;
    return HM_OK;
}

void hm__scratch_free(hm__scratch *s)
{
    free(s->data);
    s->data = NULL;
    s->cap = 0;
}
