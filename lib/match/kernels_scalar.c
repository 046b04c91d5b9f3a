/* kernels_scalar.c - the portable tier: plain C for any CPU. It is the
 * reference the vector tiers are tested against and handles their tails. */
#include "kernels.h"

static inline unsigned dist256(const uint8_t *x, const uint64_t q[4])
{
    return hm__popcount64(hm__load64(x) ^ q[0]) + hm__popcount64(hm__load64(x + 8) ^ q[1]) +
           hm__popcount64(hm__load64(x + 16) ^ q[2]) + hm__popcount64(hm__load64(x + 24) ^ q[3]);
}

static inline unsigned dist256_bytes(const uint8_t *x, const uint8_t *y)
{
    uint64_t q[4];
    for (int k = 0; k < 4; k++) q[k] = hm__load64(y + 8 * k);
    return dist256(x, q);
}

static inline unsigned dist64_bytes(const uint8_t *x, const uint8_t *y)
{
    return hm__popcount64(hm__load64(x) ^ hm__load64(y));
}

size_t hm__scan256_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                          unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    uint64_t q[HM__MAX_QUERIES][4];
    for (unsigned j = 0; j < nq; j++)
        for (int k = 0; k < 4; k++) q[j][k] = hm__load64(queries + 32 * j + 8 * k);
    size_t c = *count, i = 0;
    for (; i < n; i++) {
        if (cap - c < nq) break;
        const uint8_t *x = codes + 32 * i;
        for (unsigned j = 0; j < nq; j++) {
            unsigned d = dist256(x, q[j]);
            if (d <= radius) hits[c++] = (hm__hit){i, j, d};
        }
    }
    *count = c;
    return i;
}

size_t hm__scan64_scalar(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                         unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    uint64_t q[HM__MAX_QUERIES];
    for (unsigned j = 0; j < nq; j++) q[j] = hm__load64(queries + 8 * j);
    size_t c = *count, i = 0;
    for (; i < n; i++) {
        if (cap - c < nq) break;
        uint64_t x = hm__load64(codes + 8 * i);
        for (unsigned j = 0; j < nq; j++) {
            unsigned d = hm__popcount64(x ^ q[j]);
            if (d <= radius) hits[c++] = (hm__hit){i, j, d};
        }
    }
    *count = c;
    return i;
}

static inline void min_update(uint16_t *min_a, uint16_t *min_b, size_t i, size_t j, unsigned d)
{
    if (d < min_a[i]) min_a[i] = (uint16_t)d;
    if (d < min_b[j]) min_b[j] = (uint16_t)d;
}

/* The pairs and minima of hm__stats_fn, one pair at a time (min_update
 * reads each minimum afresh, so min_a and min_b may be one array). */
void hm__stats256_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                         size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                         uint16_t *min_a, uint16_t *min_b)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            if (!hm__pair_counted(i, j, ga, gb, jmi_min)) continue;
            unsigned d = dist256_bytes(a + 32 * i, b + 32 * j);
            acc->hist[d]++;
            if (min_a) min_update(min_a, min_b, i, j, d);
        }
}

void hm__stats64_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                        size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                        uint16_t *min_a, uint16_t *min_b)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            if (!hm__pair_counted(i, j, ga, gb, jmi_min)) continue;
            unsigned d = dist64_bytes(a + 8 * i, b + 8 * j);
            acc->hist[d]++;
            if (min_a) min_update(min_a, min_b, i, j, d);
        }
}

void hm__stats_tail_scalar(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b,
                           size_t nb, const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                           uint16_t *min_a, uint16_t *min_b, size_t cb, size_t j)
{
    if (j >= nb) return;
    ptrdiff_t jmi = jmi_min == HM__ALL_PAIRS ? HM__ALL_PAIRS : jmi_min - (ptrdiff_t)j;
    const uint32_t *gt = gb ? gb + j : NULL;
    uint16_t *mt = min_b ? min_b + j : NULL;
    if (cb == 32) hm__stats256_scalar(a, na, ga, b + 32 * j, nb - j, gt, jmi, acc, min_a, mt);
    else hm__stats64_scalar(a, na, ga, b + 8 * j, nb - j, gt, jmi, acc, min_a, mt);
}

void hm__gather256_scalar(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                          uint16_t *out)
{
    uint64_t qw[4];
    for (int k = 0; k < 4; k++) qw[k] = hm__load64(q + 8 * k);
    for (size_t i = 0; i < n; i++) out[i] = (uint16_t)dist256(codes + 32 * (size_t)ids[i], qw);
}

const hm__kernels hm__kernels_scalar = {
    HM_MATCH_TIER_SCALAR, hm__scan256_scalar,  hm__scan64_scalar,
    hm__gather256_scalar, hm__stats256_scalar, hm__stats64_scalar,
};
