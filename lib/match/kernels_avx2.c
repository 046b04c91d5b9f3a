/* kernels_avx2.c - the AVX2 tier (with POPCNT): compiled with only these
 * flags and used only after CPUID and XGETBV confirm them.
 *
 * AVX2 has no vector popcount: bytes are counted with a 16-entry nibble table
 * (VPSHUFB) and summed with VPSADBW. The pair kernels split codes into nibble
 * planes once per block (the low and high nibble of every byte), so that each
 * pair costs two XORs, two table lookups and one add per 64-bit word. */
#include <immintrin.h>

#include "kernels.h"

static inline __m256i nibble_lut(void)
{
    return _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2,
                            3, 1, 2, 2, 3, 2, 3, 3, 4);
}

/* Per-byte popcounts of x. */
static inline __m256i popcnt_bytes(__m256i x, __m256i lut)
{
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256i lo = _mm256_and_si256(x, low);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
    return _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
}

static inline unsigned dist256_popcnt(const uint8_t *x, const uint8_t *q)
{
    unsigned d = 0;
    for (int k = 0; k < 4; k++)
        d += (unsigned)_mm_popcnt_u64(hm__load64(x + 8 * k) ^ hm__load64(q + 8 * k));
    return d;
}

/* ---- scans ---------------------------------------------------------------- */

static size_t emit_hits(const uint8_t *codes, size_t first, const uint8_t *queries, unsigned nq,
                        size_t code_bytes, const unsigned *masks, unsigned any, hm__hit *hits,
                        size_t c)
{
    while (any) {
        unsigned k = (unsigned)__builtin_ctz(any);
        any &= any - 1;
        const uint8_t *x = codes + code_bytes * k;
        for (unsigned j = 0; j < nq; j++) {
            if (!((masks[j] >> k) & 1)) continue;
            const uint8_t *q = queries + code_bytes * j;
            unsigned d = code_bytes == 32
                             ? dist256_popcnt(x, q)
                             : (unsigned)_mm_popcnt_u64(hm__load64(x) ^ hm__load64(q));
            hits[c++] = (hm__hit){first + k, j, d};
        }
    }
    return c;
}

static size_t scan_tail(hm__scan_fn fn, const uint8_t *codes, size_t done, size_t n,
                        size_t code_bytes, const uint8_t *queries, unsigned nq, unsigned radius,
                        hm__hit *hits, size_t cap, size_t *count)
{
    size_t before = *count;
    size_t more = fn(codes + code_bytes * done, n - done, queries, nq, radius, hits, cap, count);
    for (size_t h = before; h < *count; h++) hits[h].entry += done;
    return done + more;
}

/* Distances of 4 consecutive 32-byte codes to q, in code order. */
static inline __m256i sums4(const __m256i v[4], __m256i q, __m256i lut)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i s[4];
    HM__UNROLL
    for (int c = 0; c < 4; c++)
        s[c] = _mm256_sad_epu8(popcnt_bytes(_mm256_xor_si256(v[c], q), lut), zero);
    __m256i a = _mm256_add_epi64(_mm256_unpacklo_epi64(s[0], s[1]), _mm256_unpackhi_epi64(s[0], s[1]));
    __m256i b = _mm256_add_epi64(_mm256_unpacklo_epi64(s[2], s[3]), _mm256_unpackhi_epi64(s[2], s[3]));
    return _mm256_add_epi64(_mm256_permute2x128_si256(a, b, 0x20),
                            _mm256_permute2x128_si256(a, b, 0x31));
}

static inline unsigned le_mask4(__m256i d, __m256i r)
{
    return ~(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(d, r))) & 0xfu;
}

/* Long scans prefetch this far ahead (see kernels_avx512.c); only inside
 * the array, so a short scan (an index bucket) prefetches nothing. */
#define SCAN_AHEAD 8192

/* Always inlined: GCC takes a function made only of prefetches for a pure
 * one and drops its calls. */
HM__FORCE_INLINE void prefetch_ahead(const uint8_t *codes, size_t off, size_t bytes)
{
    if (off + SCAN_AHEAD + 128 > bytes) return;
    const char *p = (const char *)codes + off + SCAN_AHEAD;
    _mm_prefetch(p, _MM_HINT_T0);
    _mm_prefetch(p + 64, _MM_HINT_T0);
}

static size_t scan64(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                     unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    const __m256i lut = nibble_lut(), r = _mm256_set1_epi64x(radius), zero = _mm256_setzero_si256();
    __m256i q[HM__MAX_QUERIES];
    for (unsigned j = 0; j < nq; j++) q[j] = _mm256_set1_epi64x((long long)hm__load64(queries + 8 * j));
    size_t c = *count, i = 0;
    for (; i + 16 <= n; i += 16) {
        if (cap - c < 16 * (size_t)nq) { /* out of room: the caller makes more */
            *count = c;
            return i;
        }
        const uint8_t *p = codes + 8 * i;
        prefetch_ahead(codes, 8 * i, 8 * n);
        __m256i v[4];
        HM__UNROLL
        for (int g = 0; g < 4; g++) v[g] = _mm256_loadu_si256((const void *)(p + 32 * g));
        unsigned masks[HM__MAX_QUERIES], any = 0;
        for (unsigned j = 0; j < nq; j++) {
            unsigned m = 0;
            HM__UNROLL
            for (int g = 0; g < 4; g++) {
                __m256i d = _mm256_sad_epu8(popcnt_bytes(_mm256_xor_si256(v[g], q[j]), lut), zero);
                m |= le_mask4(d, r) << (4 * g);
            }
            masks[j] = m;
            any |= m;
        }
        if (HM_UNLIKELY(any)) c = emit_hits(p, i, queries, nq, 8, masks, any, hits, c);
    }
    *count = c;
    return scan_tail(hm__scan64_scalar, codes, i, n, 8, queries, nq, radius, hits, cap, count);
}

/* ---- pair kernels ------------------------------------------------------------ */

/* A group is 4 codes of b; its planes are, for each 64-bit word k of the
 * code, the low nibbles (p[k]) and high nibbles (p[4 + k]) of the 4 codes'
 * word k, one code per 64-bit lane. 64-bit codes use p[0] and p[4]. */
typedef struct planes4 {
    __m256i p[8];
} planes4;

static inline void split_group(const uint8_t *p, size_t code_bytes, planes4 *out)
{
    const __m256i low = _mm256_set1_epi8(0x0f);
    HM__UNROLL
    for (size_t k = 0; k < code_bytes / 8; k++) {
        __m256i w = _mm256_setr_epi64x((long long)hm__load64(p + k * 8),
                                       (long long)hm__load64(p + code_bytes + k * 8),
                                       (long long)hm__load64(p + 2 * code_bytes + k * 8),
                                       (long long)hm__load64(p + 3 * code_bytes + k * 8));
        out->p[k] = _mm256_and_si256(w, low);
        out->p[4 + k] = _mm256_and_si256(_mm256_srli_epi16(w, 4), low);
    }
}

/* The planes of one row of a, broadcast to every lane (words 0..3). */
typedef struct row_planes {
    __m256i lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3;
} row_planes;

static inline __m256i bcast_lo(const uint8_t *x)
{
    return _mm256_set1_epi64x((long long)(hm__load64(x) & 0x0f0f0f0f0f0f0f0full));
}

static inline __m256i bcast_hi(const uint8_t *x)
{
    return _mm256_set1_epi64x((long long)((hm__load64(x) >> 4) & 0x0f0f0f0f0f0f0f0full));
}

static inline row_planes split_row(const uint8_t *x, size_t code_bytes)
{
    row_planes r;
    r.lo0 = bcast_lo(x);
    r.hi0 = bcast_hi(x);
    r.lo1 = r.lo2 = r.lo3 = r.hi1 = r.hi2 = r.hi3 = _mm256_setzero_si256();
    if (code_bytes == 32) {
        r.lo1 = bcast_lo(x + 8), r.hi1 = bcast_hi(x + 8);
        r.lo2 = bcast_lo(x + 16), r.hi2 = bcast_hi(x + 16);
        r.lo3 = bcast_lo(x + 24), r.hi3 = bcast_hi(x + 24);
    }
    return r;
}

/* Per-byte popcounts of word k: table lookups of the XORed nibble planes. */
#define NIBBLES(g, k, lo, hi)                                                                     \
    _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_xor_si256((g)->p[k], (lo))),                 \
                    _mm256_shuffle_epi8(lut, _mm256_xor_si256((g)->p[4 + (k)], (hi))))

/* Distances of one row to the 4 codes of a group (at most 32 per byte before
 * the final VPSADBW, so byte sums cannot overflow). */
/* Per-byte popcounts of words 0 and 1. */
static inline __m256i bytes01(const planes4 *g, const row_planes *r, __m256i lut)
{
    return _mm256_add_epi8(NIBBLES(g, 0, r->lo0, r->hi0), NIBBLES(g, 1, r->lo1, r->hi1));
}

static inline __m256i dist4_256(const planes4 *g, const row_planes *r, __m256i lut)
{
    __m256i s23 = _mm256_add_epi8(NIBBLES(g, 2, r->lo2, r->hi2), NIBBLES(g, 3, r->lo3, r->hi3));
    return _mm256_sad_epu8(_mm256_add_epi8(bytes01(g, r, lut), s23), _mm256_setzero_si256());
}

/* The distances of words 0 and 1 alone: a lower bound of dist4_256. */
static inline __m256i dist4_half(const planes4 *g, const row_planes *r, __m256i lut)
{
    return _mm256_sad_epu8(bytes01(g, r, lut), _mm256_setzero_si256());
}

static inline __m256i dist4_64(const planes4 *g, const row_planes *r, __m256i lut)
{
    return _mm256_sad_epu8(NIBBLES(g, 0, r->lo0, r->hi0), _mm256_setzero_si256());
}

static inline __m256i dist4(const planes4 *g, const row_planes *r, __m256i lut, size_t code_bytes)
{
    return code_bytes == 32 ? dist4_256(g, r, lut) : dist4_64(g, r, lut);
}

/* The nibble planes of 4 codes of 32 bytes, one per register as loaded:
 * a 4 x 4 transpose of their words, then the low and high nibbles. */
static inline void planes_from_regs(const __m256i v[4], planes4 *g)
{
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256i a = _mm256_unpacklo_epi64(v[0], v[1]), b = _mm256_unpackhi_epi64(v[0], v[1]);
    __m256i c = _mm256_unpacklo_epi64(v[2], v[3]), d = _mm256_unpackhi_epi64(v[2], v[3]);
    __m256i w[4] = {_mm256_permute2x128_si256(a, c, 0x20), _mm256_permute2x128_si256(b, d, 0x20),
                    _mm256_permute2x128_si256(a, c, 0x31), _mm256_permute2x128_si256(b, d, 0x31)};
    HM__UNROLL
    for (int k = 0; k < 4; k++) {
        g->p[k] = _mm256_and_si256(w[k], low);
        g->p[4 + k] = _mm256_and_si256(_mm256_srli_epi16(w[k], 4), low);
    }
}

static size_t scan256(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                      unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    const __m256i lut = nibble_lut(), r = _mm256_set1_epi64x(radius);
    __m256i q = _mm256_loadu_si256((const void *)queries);
    row_planes rq[HM__MAX_QUERIES];
    for (unsigned j = 0; j < nq; j++) rq[j] = split_row(queries + 32 * j, 32);
    size_t c = *count, i = 0;
    for (; i + 4 <= n; i += 4) {
        if (cap - c < 4 * (size_t)nq) { /* out of room: the caller makes more */
            *count = c;
            return i;
        }
        const uint8_t *p = codes + 32 * i;
        prefetch_ahead(codes, 32 * i, 32 * n);
        __m256i v[4];
        HM__UNROLL
        for (int k = 0; k < 4; k++) v[k] = _mm256_loadu_si256((const void *)(p + 32 * k));
        unsigned masks[HM__MAX_QUERIES], any = 0;
        if (nq == 1) {
            masks[0] = any = le_mask4(sums4(v, q, lut), r);
        } else {
            /* Several queries share one split of the codes into planes.
             * A distance is a sum of non-negative parts: when no code is
             * within the radius of any query on words 0 and 1, none can be
             * on all four (on unrelated codes, nearly every group). */
            planes4 g;
            planes_from_regs(v, &g);
            unsigned near = 0;
            for (unsigned j = 0; j < nq; j++)
                near |= le_mask4(dist4_half(&g, &rq[j], lut), r);
            for (unsigned j = 0; near && j < nq; j++) {
                masks[j] = le_mask4(dist4_256(&g, &rq[j], lut), r);
                any |= masks[j];
            }
        }
        if (HM_UNLIKELY(any)) c = emit_hits(p, i, queries, nq, 32, masks, any, hits, c);
    }
    *count = c;
    return scan_tail(hm__scan256_scalar, codes, i, n, 32, queries, nq, radius, hits, cap, count);
}

/* Lanes (4 bits) of the group at column j that row i counts. */
static inline unsigned keep4(const uint32_t *ga, const uint32_t *gb, size_t i, size_t j,
                             ptrdiff_t jmi_min)
{
    unsigned keep = 0xf;
    if (jmi_min != HM__ALL_PAIRS) {
        ptrdiff_t t = (ptrdiff_t)i + jmi_min - (ptrdiff_t)j; /* lanes l > t count */
        if (t >= 3) return 0;
        if (t >= 0) keep = (0xfu << (t + 1)) & 0xfu;
    }
    if (ga && gb)
        for (int l = 0; l < 4; l++)
            if (gb[j + l] == ga[i]) keep &= ~(1u << l);
    return keep;
}

/* Replaces the lanes not in `keep` by `fill`. */
static inline __m256i blend_keep(__m256i d, unsigned keep, __m256i fill)
{
    if (keep == 0xf) return d;
    const __m256i bits = _mm256_setr_epi64x(1, 2, 4, 8);
    __m256i sel = _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_set1_epi64x(keep), bits), bits);
    return _mm256_blendv_epi8(fill, d, sel);
}

static inline size_t rows_end(size_t na, size_t j, size_t w, ptrdiff_t jmi_min)
{
    if (jmi_min == HM__ALL_PAIRS) return na;
    ptrdiff_t e = (ptrdiff_t)(j + w) - 1 - jmi_min;
    if (e <= 0) return 0;
    return (size_t)e < na ? (size_t)e : na;
}

static inline size_t rows_full(size_t na, size_t j, ptrdiff_t jmi_min)
{
    if (jmi_min == HM__ALL_PAIRS) return na;
    ptrdiff_t e = (ptrdiff_t)j - jmi_min;
    if (e <= 0) return 0;
    return (size_t)e < na ? (size_t)e : na;
}

#define GROUPS 32 /* groups of 4 codes of b split per block: 128 codes, 8 KiB of planes */

/* The minimum of 4 distances in 64-bit lanes. Distances are below 2^16 and
 * their upper 32 bits are zero, so 32-bit signed minima work on the 64-bit
 * lanes (here and in the column minima). */
static inline unsigned hmin4(__m256i m)
{
    __m128i x = _mm_min_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    x = _mm_min_epi32(x, _mm_unpackhi_epi64(x, x));
    return (unsigned)_mm_cvtsi128_si32(x);
}

/* ---- fused pair statistics ------------------------------------------------------ */

/* The row's nibble planes, broadcast from a small buffer (loads, not
 * shuffles: VPBROADCASTQ from memory needs no vector port). */
static inline row_planes split_row_mem(const uint8_t *x, size_t code_bytes, uint64_t *buf)
{
    for (size_t k = 0; k < code_bytes / 8; k++) {
        uint64_t w = hm__load64(x + 8 * k);
        buf[k] = w & 0x0f0f0f0f0f0f0f0full;
        buf[4 + k] = (w >> 4) & 0x0f0f0f0f0f0f0f0full;
    }
    row_planes r;
    r.lo0 = _mm256_set1_epi64x((long long)buf[0]);
    r.hi0 = _mm256_set1_epi64x((long long)buf[4]);
    r.lo1 = r.lo2 = r.lo3 = r.hi1 = r.hi2 = r.hi3 = _mm256_setzero_si256();
    if (code_bytes == 32) {
        r.lo1 = _mm256_set1_epi64x((long long)buf[1]), r.hi1 = _mm256_set1_epi64x((long long)buf[5]);
        r.lo2 = _mm256_set1_epi64x((long long)buf[2]), r.hi2 = _mm256_set1_epi64x((long long)buf[6]);
        r.lo3 = _mm256_set1_epi64x((long long)buf[3]), r.hi3 = _mm256_set1_epi64x((long long)buf[7]);
    }
    return r;
}

/* Counts the twin indices (64-bit lanes) the previous row stored: stored
 * one row earlier, so that the loads never wait for a store to be
 * forwarded. */
HM__FORCE_INLINE void twin_add(uint32_t *twin, const uint64_t *x, size_t n)
{
    for (size_t k = 0; k < n; k += 4) {
        twin[x[k]]++;
        twin[x[k + 1]]++;
        twin[x[k + 2]]++;
        twin[x[k + 3]]++;
    }
}

/* Column minima of a block (one register of 4 lanes per group) into min_b;
 * values above `bits` mean "no pair". */
static void stats_store_cols(uint16_t *min_b, const __m256i *cmin, size_t ng, unsigned bits)
{
    for (size_t k = 0; k < ng; k++) {
        _Alignas(32) uint64_t v[4];
        _mm256_store_si256((void *)v, cmin[k]);
        for (int l = 0; l < 4; l++)
            if (v[l] <= bits && v[l] < min_b[4 * k + (size_t)l]) min_b[4 * k + (size_t)l] = (uint16_t)v[l];
    }
}

/* Groups of 4 codes of b in blocks of up to GROUPS (128 columns), nibble
 * planes split once per block; each row's distances to a pair of groups
 * become twin indices d0 + stride * d1 (VPMULUDQ), counted one row later
 * (see twin_add). Column minima live beside the planes, row minima in
 * acc->rowmin (one word per row). */
HM__FORCE_INLINE void stats_block(const uint8_t *a, size_t na, const uint32_t *ga,
                                  const planes4 *g, __m256i *cmin, size_t ng, size_t j,
                                  const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc,
                                  const size_t code_bytes, const int want_min)
{
    _Alignas(32) uint64_t pend[2][2 * GROUPS];
    _Alignas(32) uint64_t rbuf[8];
    const unsigned bits = (unsigned)(8 * code_bytes), trash = HM__TWIN_TRASH(bits);
    const __m256i lut = nibble_lut(), tr = _mm256_set1_epi64x(trash);
    const __m256i stride = _mm256_set1_epi64x(HM__TWIN_STRIDE(bits));
    uint32_t *const twin = acc->twin;
    uint16_t *rowmin = acc->rowmin;
    for (size_t k = 0; k < 2 * GROUPS; k++) pend[1][k] = trash + (uint64_t)HM__TWIN_STRIDE(bits) * trash;
    size_t iend = rows_end(na, j, 4 * ng, jmi_min), ifull = rows_full(iend, j, jmi_min);
    uint32_t glo = UINT32_MAX, ghi = 0; /* the groups of the block lie in [glo, ghi] */
    for (size_t k = 0; ga && gb && k < 4 * ng; k++) {
        glo = gb[j + k] < glo ? gb[j + k] : glo;
        ghi = gb[j + k] > ghi ? gb[j + k] : ghi;
    }
    uint64_t *cur = pend[0], *prev = pend[1];
    for (size_t i = 0; i < iend; i++) {
        row_planes r = split_row_mem(a + code_bytes * i, code_bytes, rbuf);
        __m256i rmin = _mm256_set1_epi64x(0xffff);
        int masked = i >= ifull || (ga && gb && ga[i] - glo <= ghi - glo);
        for (size_t k = 0; k < ng; k += 2) {
            __m256i d0 = dist4(&g[k], &r, lut, code_bytes);
            __m256i d1 = k + 1 < ng ? dist4(&g[k + 1], &r, lut, code_bytes) : tr;
            if (masked) {
                d0 = blend_keep(d0, keep4(ga, gb, i, j + 4 * k, jmi_min), tr);
                if (k + 1 < ng) d1 = blend_keep(d1, keep4(ga, gb, i, j + 4 * k + 4, jmi_min), tr);
            }
            _mm256_store_si256((void *)(cur + 2 * k), _mm256_add_epi64(d0, _mm256_mul_epu32(d1, stride)));
            if (want_min) {
                cmin[k] = _mm256_min_epi32(cmin[k], d0);
                if (k + 1 < ng) cmin[k + 1] = _mm256_min_epi32(cmin[k + 1], d1);
                rmin = _mm256_min_epi32(rmin, _mm256_min_epi32(d0, d1));
            }
        }
        if (want_min) {
            unsigned m = hmin4(rmin);
            if (m < rowmin[i]) rowmin[i] = (uint16_t)m;
        }
        __asm__("" : "+m"(pend)); /* keep the round trip through memory */
        twin_add(twin, prev, 4 * ((ng + 1) / 2));
        uint64_t *t = cur;
        cur = prev, prev = t;
    }
    twin_add(twin, prev, 4 * ((ng + 1) / 2)); /* the last row's */
}

/* The whole groups of b; returns the columns done. */
HM__FORCE_INLINE size_t stats_blocks(const uint8_t *a, size_t na, const uint32_t *ga,
                                     const uint8_t *b, size_t nb, const uint32_t *gb,
                                     ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                                     uint16_t *min_b, const size_t code_bytes, const int want_min)
{
    const unsigned bits = (unsigned)(8 * code_bytes);
    planes4 g[GROUPS];
    __m256i cmin[GROUPS];
    if (want_min)
        for (size_t i = 0; i < na; i++) acc->rowmin[i] = 0xffff;
    size_t j = 0;
    while (nb - j >= 4) {
        size_t ng = (nb - j) / 4 < GROUPS ? (nb - j) / 4 : GROUPS;
        for (size_t k = 0; k < ng; k++) {
            split_group(b + code_bytes * (j + 4 * k), code_bytes, &g[k]);
            cmin[k] = _mm256_set1_epi64x(0xffff);
        }
        stats_block(a, na, ga, g, cmin, ng, j, gb, jmi_min, acc, code_bytes, want_min);
        if (want_min) stats_store_cols(min_b + j, cmin, ng, bits);
        j += 4 * ng;
    }
    for (size_t i = 0; want_min && i < na; i++)
        if (acc->rowmin[i] <= bits && acc->rowmin[i] < min_a[i]) min_a[i] = acc->rowmin[i];
    return j;
}

static void stats256(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                     const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                     uint16_t *min_b)
{
    if (!ga || !gb) ga = gb = NULL;
    size_t j = min_a ? stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 32, 1)
                     : stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, NULL, NULL, 32, 0);
    hm__stats_tail_scalar(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 32, j);
}

static void stats64(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                    const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                    uint16_t *min_b)
{
    if (!ga || !gb) ga = gb = NULL;
    size_t j = min_a ? stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 8, 1)
                     : stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, NULL, NULL, 8, 0);
    hm__stats_tail_scalar(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 8, j);
}

static void gather256(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                      uint16_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (uint16_t)dist256_popcnt(codes + 32 * (size_t)ids[i], q);
}

const hm__kernels hm__kernels_avx2 = {
    HM_MATCH_TIER_AVX2, scan256, scan64, gather256, stats256, stats64,
};
