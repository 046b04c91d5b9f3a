/* exact.c - exact digest lookup in a sorted array.
 *
 * Digests are uniformly distributed, so interpolating on their leading 8
 * bytes lands next to the key in O(log log n) probes. Interpolation steps
 * alternate with bisection steps, so that skewed data (equal prefixes, a
 * dense cluster) still costs at most twice a binary search. */
#include "match.h"

/* The first (up to) 8 bytes as a big-endian number: memcmp order. */
static uint64_t prefix(const uint8_t *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++) v = (v << 8) | (i < size ? p[i] : 0);
    return v;
}

static size_t interpolate(size_t lo, size_t hi, uint64_t vlo, uint64_t vhi, uint64_t key)
{
    double f = (double)(key - vlo) / (double)(vhi - vlo);
    size_t mid = lo + (size_t)(f * (double)(hi - lo));
    return mid > hi ? hi : mid;
}

int hm__exact_find(const uint8_t *sorted, size_t n, size_t size, const uint8_t *key,
                   size_t *index)
{
    if (!sorted || !key || !size || !n) return 0;
    uint64_t k = prefix(key, size);
    size_t lo = 0, hi = n - 1; /* the key, if present, is in [lo, hi] */
    for (unsigned step = 0;; step++) {
        uint64_t vlo = prefix(sorted + size * lo, size), vhi = prefix(sorted + size * hi, size);
        if (k < vlo || k > vhi) return 0;
        size_t mid = (step & 1) == 0 && vhi > vlo ? interpolate(lo, hi, vlo, vhi, k)
                                                  : lo + (hi - lo) / 2;
        int c = memcmp(sorted + size * mid, key, size);
        if (c == 0) {
            if (index) *index = mid;
            return 1;
        }
        if (c < 0) {
            if (mid == hi) return 0;
            lo = mid + 1;
        } else {
            if (mid == lo) return 0;
            hi = mid - 1;
        }
    }
}
