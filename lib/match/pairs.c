/* pairs.c - all-pairs distance histograms and minima, blocked for the cache.
 *
 * Rows of `a` are taken HM__STATS_ROWS at a time (8 KiB of PDQ codes), which
 * stay in L1 while the kernel streams every code of `b` past them once per
 * tile; the kernels themselves hold a block of b in registers (see
 * kernels_*.c). */
#include <stdlib.h>

#include "kernels.h"
#include "pairs.h"

hm_status hm__pair_acc_new(size_t code_bytes, hm__pair_acc **out)
{
    *out = NULL;
    if (code_bytes != 8 && code_bytes != 32) return HM_E_INVALID_ARGUMENT;
    hm__pair_acc *acc = calloc(1, sizeof *acc);
    if (!acc) return HM_E_NO_MEMORY;
    acc->bits = (unsigned)(8 * code_bytes);
    /* Not a power of two: counters whose addresses agree in their low 12 bits
     * look dependent to the CPU (4K aliasing), and with 2 KiB rows the
     * likeliest distance pairs would collide that way all the time. These
     * strides make it rare for random codes (about 1e-4 per two increments). */
    acc->stride = HM__TWIN_STRIDE(acc->bits);
    acc->twin = calloc(HM__TWIN_SIZE(acc->bits), sizeof *acc->twin);
    acc->rowmin = aligned_alloc(64, HM__STATS_ROWS * 32 * sizeof *acc->rowmin);
    if (!acc->twin || !acc->rowmin) {
        hm__pair_acc_free(acc);
        return HM_E_NO_MEMORY;
    }
    *out = acc;
    return HM_OK;
}

void hm__pair_acc_free(hm__pair_acc *acc)
{
    if (!acc) return;
    free(acc->twin);
    free(acc->rowmin);
    free(acc);
}

void hm__pair_acc_fold(hm__pair_acc *acc)
{
    const unsigned bits = acc->bits, trash = HM__TWIN_TRASH(bits);
    for (unsigned d1 = 0; d1 <= trash; d1++) {
        uint32_t *row = acc->twin + (size_t)d1 * acc->stride;
        uint64_t sum = 0;
        for (unsigned d0 = 0; d0 <= trash; d0++) {
            uint32_t c = row[d0];
            if (!c) continue;
            sum += c;
            if (d0 <= bits) acc->hist[d0] += c;
            row[d0] = 0;
        }
        if (d1 <= bits) acc->hist[d1] += sum;
    }
    acc->twin_count = 0;
}

void hm__pair_acc_flush(hm__pair_acc *acc, uint64_t *hist)
{
    hm__pair_acc_fold(acc);
    for (unsigned d = 0; d <= acc->bits; d++) hist[d] += acc->hist[d];
    memset(acc->hist, 0, sizeof acc->hist);
}

/* Columns per kernel call: a call makes at most one twin increment per pair,
 * so HM__STATS_ROWS rows of this many columns stay below 2^32. */
#define STATS_COLS ((size_t)1 << 22)

/* Runs fn over the columns of b in calls that cannot overflow a twin
 * counter, folding the table first whenever the next call might. */
static void stats_rows(hm__stats_fn fn, hm__pair_acc *acc, const uint8_t *a, size_t rows,
                       const uint32_t *ga, const uint8_t *b, size_t nb, const uint32_t *gb,
                       ptrdiff_t jmi_min, uint16_t *min_a, uint16_t *min_b)
{
    size_t cb = acc->bits / 8;
    for (size_t c = 0; c < nb; c += STATS_COLS) {
        size_t w = nb - c < STATS_COLS ? nb - c : STATS_COLS;
        uint64_t more = (uint64_t)rows * w;
        if (acc->twin_count + more > UINT32_MAX) hm__pair_acc_fold(acc);
        acc->twin_count += more;
        ptrdiff_t jmi = jmi_min == HM__ALL_PAIRS ? HM__ALL_PAIRS : jmi_min - (ptrdiff_t)c;
        fn(a, rows, ga, b + cb * c, w, gb ? gb + c : NULL, jmi, acc, min_a,
           min_b ? min_b + c : NULL);
    }
}

static void stats(const hm__kernels *k, hm__pair_acc *acc, const uint8_t *codes, size_t n,
                  const uint32_t *group, uint16_t *min)
{
    size_t cb = acc->bits / 8;
    hm__stats_fn fn = cb == 32 ? k->stats256 : k->stats64;
    for (size_t i = 0; i < n; i += HM__STATS_ROWS) {
        size_t rows = n - i < HM__STATS_ROWS ? n - i : HM__STATS_ROWS;
        const uint8_t *a = codes + cb * i;
        const uint32_t *g = group ? group + i : NULL;
        uint16_t *m = min ? min + i : NULL;
        /* b starts at the tile itself: jmi_min = 0 keeps the pairs j > i. */
        stats_rows(fn, acc, a, rows, g, a, n - i, g, 0, m, m);
    }
}

static void stats_cross(const hm__kernels *k, hm__pair_acc *acc, const uint8_t *a, size_t na,
                        const uint32_t *ga, const uint8_t *b, size_t nb, const uint32_t *gb,
                        uint16_t *min_a, uint16_t *min_b)
{
    size_t cb = acc->bits / 8;
    hm__stats_fn fn = cb == 32 ? k->stats256 : k->stats64;
    if (!ga || !gb) ga = gb = NULL;
    for (size_t i = 0; i < na; i += HM__STATS_ROWS) {
        size_t rows = na - i < HM__STATS_ROWS ? na - i : HM__STATS_ROWS;
        stats_rows(fn, acc, a + cb * i, rows, ga ? ga + i : NULL, b, nb, gb, HM__ALL_PAIRS,
                   min_a ? min_a + i : NULL, min_b);
    }
}

static int bad_stats(const hm__pair_acc *acc, const void *a, size_t na, const void *b, size_t nb,
                     const uint16_t *min_a, const uint16_t *min_b)
{
    return !acc || (!a && na) || (!b && nb) || (!min_a != !min_b);
}

void hm__pairs_stats(hm__pair_acc *acc, const uint8_t *codes, size_t n, const uint32_t *group,
                     uint16_t *min)
{
    if (bad_stats(acc, codes, n, codes, n, min, min)) return;
    stats(hm__kernels_best(), acc, codes, n, group, min);
}

void hm__pairs_stats_cross(hm__pair_acc *acc, const uint8_t *a, size_t na, const uint32_t *ga,
                           const uint8_t *b, size_t nb, const uint32_t *gb, uint16_t *min_a,
                           uint16_t *min_b)
{
    if (bad_stats(acc, a, na, b, nb, min_a, min_b)) return;
    stats_cross(hm__kernels_best(), acc, a, na, ga, b, nb, gb, min_a, min_b);
}

hm_status hm__pairs_stats_tier(hm_match_tier tier, hm__pair_acc *acc, const uint8_t *codes,
                               size_t n, const uint32_t *group, uint16_t *min)
{
    const hm__kernels *k = hm__kernels_for_tier(tier);
    if (!k) return HM_E_UNSUPPORTED;
    if (bad_stats(acc, codes, n, codes, n, min, min)) return HM_E_INVALID_ARGUMENT;
    stats(k, acc, codes, n, group, min);
    return HM_OK;
}

hm_status hm__pairs_stats_cross_tier(hm_match_tier tier, hm__pair_acc *acc, const uint8_t *a,
                                     size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                                     const uint32_t *gb, uint16_t *min_a, uint16_t *min_b)
{
    const hm__kernels *k = hm__kernels_for_tier(tier);
    if (!k) return HM_E_UNSUPPORTED;
    if (bad_stats(acc, a, na, b, nb, min_a, min_b)) return HM_E_INVALID_ARGUMENT;
    stats_cross(k, acc, a, na, ga, b, nb, gb, min_a, min_b);
    return HM_OK;
}
