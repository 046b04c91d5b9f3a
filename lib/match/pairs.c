/* pairs.c - all-pairs distance histograms and minima, blocked for the cache.
 *
 * Rows of `a` are taken in tiles of 16 KiB (512 PDQ codes), which stay in L1
 * while the kernel streams every code of `b` past them once per tile; the
 * kernels themselves hold a block of b in registers (see kernels_*.c). */
#include "pairs.h"
#include "match.h"

#define TILE_BYTES 16384

static size_t tile_rows(size_t code_bytes) { return TILE_BYTES / code_bytes; }

static int bad_args(size_t code_bytes, const void *p, size_t n)
{
    return (code_bytes != 8 && code_bytes != 32) || (!p && n);
}

static void histogram(const hm__kernels *k, const uint8_t *codes, size_t n, size_t code_bytes,
                      const uint32_t *group, uint64_t *hist)
{
    hm__hist_fn fn = code_bytes == 32 ? k->hist256 : k->hist64;
    size_t t = tile_rows(code_bytes);
    for (size_t i = 0; i < n; i += t) {
        size_t na = n - i < t ? n - i : t;
        const uint8_t *a = codes + code_bytes * i;
        const uint32_t *g = group ? group + i : NULL;
        /* b starts at the tile itself: jmi_min = 0 keeps the pairs j > i. */
        fn(a, na, g, a, n - i, g, 0, hist);
    }
}

static void histogram_cross(const hm__kernels *k, const uint8_t *a, size_t na, const uint32_t *ga,
                            const uint8_t *b, size_t nb, const uint32_t *gb, size_t code_bytes,
                            uint64_t *hist)
{
    hm__hist_fn fn = code_bytes == 32 ? k->hist256 : k->hist64;
    size_t t = tile_rows(code_bytes);
    if (!ga || !gb) ga = gb = NULL;
    for (size_t i = 0; i < na; i += t) {
        size_t rows = na - i < t ? na - i : t;
        fn(a + code_bytes * i, rows, ga ? ga + i : NULL, b, nb, gb, HM__ALL_PAIRS, hist);
    }
}

static void min_cross(const hm__kernels *k, const uint8_t *a, size_t na, const uint32_t *ga,
                      const uint8_t *b, size_t nb, const uint32_t *gb, size_t code_bytes,
                      uint16_t *min_a, uint16_t *min_b)
{
    hm__min_fn fn = code_bytes == 32 ? k->min256 : k->min64;
    size_t t = tile_rows(code_bytes);
    int self = a == b && na == nb;
    if (!ga || !gb) ga = gb = NULL;
    for (size_t i = 0; i < na; i += t) {
        size_t rows = na - i < t ? na - i : t;
        /* Row r of this tile is code i + r of a: with a == b, skip column i + r. */
        ptrdiff_t diag = self ? (ptrdiff_t)i : HM__NO_DIAG;
        fn(a + code_bytes * i, rows, ga ? ga + i : NULL, b, nb, gb, diag, min_a + i, min_b);
    }
}

void hm__pairs_histogram(const uint8_t *codes, size_t n, size_t code_bytes,
                         const uint32_t *group, uint64_t *hist)
{
    if (bad_args(code_bytes, codes, n) || !hist) return;
    histogram(hm__kernels_best(), codes, n, code_bytes, group, hist);
}

void hm__pairs_histogram_cross(const uint8_t *a, size_t na, const uint32_t *ga,
                               const uint8_t *b, size_t nb, const uint32_t *gb,
                               size_t code_bytes, uint64_t *hist)
{
    if (bad_args(code_bytes, a, na) || bad_args(code_bytes, b, nb) || !hist) return;
    histogram_cross(hm__kernels_best(), a, na, ga, b, nb, gb, code_bytes, hist);
}

void hm__pairs_min_distance_cross(const uint8_t *a, size_t na, const uint32_t *ga,
                                  const uint8_t *b, size_t nb, const uint32_t *gb,
                                  size_t code_bytes, uint16_t *min_a, uint16_t *min_b)
{
    if (bad_args(code_bytes, a, na) || bad_args(code_bytes, b, nb)) return;
    if ((na && !min_a) || (nb && !min_b)) return;
    min_cross(hm__kernels_best(), a, na, ga, b, nb, gb, code_bytes, min_a, min_b);
}

hm_status hm__pairs_histogram_tier(hm_match_tier tier, const uint8_t *codes, size_t n,
                                   size_t code_bytes, const uint32_t *group, uint64_t *hist)
{
    const hm__kernels *k = hm__kernels_for_tier(tier);
    if (!k) return HM_E_UNSUPPORTED;
    if (bad_args(code_bytes, codes, n) || !hist) return HM_E_INVALID_ARGUMENT;
    histogram(k, codes, n, code_bytes, group, hist);
    return HM_OK;
}

hm_status hm__pairs_histogram_cross_tier(hm_match_tier tier, const uint8_t *a, size_t na,
                                         const uint32_t *ga, const uint8_t *b, size_t nb,
                                         const uint32_t *gb, size_t code_bytes, uint64_t *hist)
{
    const hm__kernels *k = hm__kernels_for_tier(tier);
    if (!k) return HM_E_UNSUPPORTED;
    if (bad_args(code_bytes, a, na) || bad_args(code_bytes, b, nb) || !hist)
        return HM_E_INVALID_ARGUMENT;
    histogram_cross(k, a, na, ga, b, nb, gb, code_bytes, hist);
    return HM_OK;
}

hm_status hm__pairs_min_distance_cross_tier(hm_match_tier tier, const uint8_t *a, size_t na,
                                            const uint32_t *ga, const uint8_t *b, size_t nb,
                                            const uint32_t *gb, size_t code_bytes,
                                            uint16_t *min_a, uint16_t *min_b)
{
    const hm__kernels *k = hm__kernels_for_tier(tier);
    if (!k) return HM_E_UNSUPPORTED;
    if (bad_args(code_bytes, a, na) || bad_args(code_bytes, b, nb) || (na && !min_a) ||
        (nb && !min_b))
        return HM_E_INVALID_ARGUMENT;
    min_cross(k, a, na, ga, b, nb, gb, code_bytes, min_a, min_b);
    return HM_OK;
}
