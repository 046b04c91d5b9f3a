/* kernels_neon.c - the NEON tier (AArch64, where NEON is always present):
 * CNT counts the bits of every byte, UADDLV sums them across a register. */
#include <arm_neon.h>

#include "kernels.h"

static inline unsigned dist256(const uint8_t *x, uint8x16_t q0, uint8x16_t q1)
{
    uint8x16_t c0 = vcntq_u8(veorq_u8(vld1q_u8(x), q0));
    uint8x16_t c1 = vcntq_u8(veorq_u8(vld1q_u8(x + 16), q1));
    return vaddlvq_u8(vaddq_u8(c0, c1)); /* at most 16 per byte: no overflow */
}

static inline unsigned dist64(const uint8_t *x, uint8x8_t q)
{
    return vaddv_u8(vcnt_u8(veor_u8(vld1_u8(x), q))); /* at most 64 */
}

/* Distances of two consecutive 8-byte codes to q (duplicated in both halves). */
static inline uint64x2_t dist64x2(const uint8_t *x, uint8x16_t q)
{
    uint8x16_t c = vcntq_u8(veorq_u8(vld1q_u8(x), q));
    return vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(c)));
}

static size_t scan256(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                      unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    uint8x16_t q[HM__MAX_QUERIES][2];
    for (unsigned j = 0; j < nq; j++) {
        q[j][0] = vld1q_u8(queries + 32 * j);
        q[j][1] = vld1q_u8(queries + 32 * j + 16);
    }
    size_t c = *count, i = 0;
    for (; i < n && cap - c >= nq; i++) {
        const uint8_t *x = codes + 32 * i;
        for (unsigned j = 0; j < nq; j++) {
            unsigned d = dist256(x, q[j][0], q[j][1]);
            if (d <= radius) hits[c++] = (hm__hit){i, j, d};
        }
    }
    *count = c;
    return i;
}

static size_t scan64(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                     unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    uint8x16_t q[HM__MAX_QUERIES];
    for (unsigned j = 0; j < nq; j++) q[j] = vcombine_u8(vld1_u8(queries + 8 * j), vld1_u8(queries + 8 * j));
    size_t c = *count, i = 0;
    for (; i + 2 <= n; i += 2) {
        if (cap - c < 2 * (size_t)nq) { /* out of room: the caller makes more */
            *count = c;
            return i;
        }
        uint64_t d[HM__MAX_QUERIES][2];
        unsigned any = 0;
        for (unsigned j = 0; j < nq; j++) {
            vst1q_u64(d[j], dist64x2(codes + 8 * i, q[j]));
            any |= (d[j][0] <= radius) | (d[j][1] <= radius);
        }
        if (!any) continue;
        for (unsigned l = 0; l < 2; l++)
            for (unsigned j = 0; j < nq; j++)
                if (d[j][l] <= radius) hits[c++] = (hm__hit){i + l, j, (uint32_t)d[j][l]};
    }
    *count = c;
    size_t before = c;
    size_t more = hm__scan64_scalar(codes + 8 * i, n - i, queries, nq, radius, hits, cap, count);
    for (size_t h = before; h < *count; h++) hits[h].entry += i;
    return i + more;
}

static inline void min_update(uint16_t *min_a, uint16_t *min_b, size_t i, size_t j, unsigned d)
{
    if (d < min_a[i]) min_a[i] = (uint16_t)d;
    if (d < min_b[j]) min_b[j] = (uint16_t)d;
}

/* Fused statistics: one distance per pair for the histogram (counted one
 * pair at a time in acc->hist) and the minima. */
static void stats256(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                     const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                     uint16_t *min_b)
{
    for (size_t i = 0; i < na; i++) {
        uint8x16_t q0 = vld1q_u8(a + 32 * i), q1 = vld1q_u8(a + 32 * i + 16);
        for (size_t j = 0; j < nb; j++) {
            if (!hm__pair_counted(i, j, ga, gb, jmi_min)) continue;
            unsigned d = dist256(b + 32 * j, q0, q1);
            acc->hist[d]++;
            if (min_a) min_update(min_a, min_b, i, j, d);
        }
    }
}

static void stats64(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                    const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                    uint16_t *min_b)
{
    for (size_t i = 0; i < na; i++) {
        uint8x8_t q = vld1_u8(a + 8 * i);
        for (size_t j = 0; j < nb; j++) {
            if (!hm__pair_counted(i, j, ga, gb, jmi_min)) continue;
            unsigned d = dist64(b + 8 * j, q);
            acc->hist[d]++;
            if (min_a) min_update(min_a, min_b, i, j, d);
        }
    }
}

static void gather256(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                      uint16_t *out)
{
    uint8x16_t q0 = vld1q_u8(q), q1 = vld1q_u8(q + 16);
    for (size_t i = 0; i < n; i++) out[i] = (uint16_t)dist256(codes + 32 * (size_t)ids[i], q0, q1);
}

const hm__kernels hm__kernels_neon = {
    HM_MATCH_TIER_NEON, scan256, scan64, gather256, stats256, stats64,
};
