/* sort.c - stable sort of entry indices by hash bytes, for the builder.
 * A counting pass on the first two bytes splits the entries into 65536
 * buckets (uniform hashes: ~150 per bucket at 10M entries); each bucket is
 * then merge-sorted on the remaining bytes. Below SMALL entries the 512 KiB
 * of bucket counters cost more than they save: one merge sort on all the
 * bytes. Stability keeps the entries of one hash in the order they were
 * added, which the merge rules rely on. */
#include <stdlib.h>

#include "sort.h"

#define SMALL 4096

typedef struct {
    const uint8_t *h;
    size_t hs;
    size_t from; /* bytes before this one are equal within a bucket */
} keys;

static int cmp_tail(const keys *k, uint32_t a, uint32_t b)
{
    return memcmp(k->h + (size_t)a * k->hs + k->from, k->h + (size_t)b * k->hs + k->from,
                  k->hs - k->from);
}

static void insertion(const keys *k, uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t j = i;
        while (j > 0 && cmp_tail(k, a[j - 1], x) > 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void merge_sort(const keys *k, uint32_t *a, uint32_t *t, size_t n)
{
    if (n <= 16) {
        insertion(k, a, n);
        return;
    }
    size_t m = n / 2;
    merge_sort(k, a, t, m);
    merge_sort(k, a + m, t + m, n - m);
    if (cmp_tail(k, a[m - 1], a[m]) <= 0) return;
    memcpy(t, a, n * sizeof *a);
    size_t i = 0, j = m, o = 0;
    while (i < m && j < n) a[o++] = cmp_tail(k, t[j], t[i]) < 0 ? t[j++] : t[i++];
    while (i < m) a[o++] = t[i++];
    while (j < n) a[o++] = t[j++];
}

int hm__sort_hashes(const uint8_t *hashes, size_t hash_size, size_t n, uint32_t *idx)
{
    if (n == 0) return 0;
    uint32_t *tmp = malloc(n * sizeof *tmp);
    if (tmp && n < SMALL) {
        keys all = {hashes, hash_size, 0};
        for (size_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
        merge_sort(&all, idx, tmp, n);
        free(tmp);
        return 0;
    }
    size_t *start = calloc(65536 + 1, sizeof *start);
    if (!start || !tmp) {
        free(start);
        free(tmp);
        return -1;
    }
    for (size_t i = 0; i < n; i++) start[hm__load_be16(hashes + i * hash_size) + 1]++;
    for (size_t b = 0; b < 65536; b++) start[b + 1] += start[b];
    /* start[b] now is where bucket b begins; fill in input order (stable). */
    for (size_t i = 0; i < n; i++) idx[start[hm__load_be16(hashes + i * hash_size)]++] = (uint32_t)i;
    keys k = {hashes, hash_size, 2};
    size_t begin = 0;
    for (size_t b = 0; b < 65536; b++) {
        size_t end = start[b]; /* after the fill, start[b] is the end of bucket b */
        if (end - begin > 1) merge_sort(&k, idx + begin, tmp + begin, end - begin);
        begin = end;
    }
    free(tmp);
    free(start);
    return 0;
}
