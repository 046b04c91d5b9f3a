/* kernels_avx512.c - the AVX-512 tier (F, BW, VL, VPOPCNTDQ): one VPOPCNTQ
 * counts 512 bits. Compiled with only these flags; dispatch.c hands this table
 * out only after CPUID and XGETBV confirm the CPU and OS support it.
 *
 * Scans read codes as stored (two 256-bit codes per register) and fold the
 * four 64-bit counts of each code with unpack/shuffle adds. The pair
 * statistics keep a block of codes of b transposed in registers (see "fused
 * pair statistics"), so no row needs a horizontal reduction. */
#include <immintrin.h>

#include "kernels.h"

/* ---- scans ---------------------------------------------------------------- */

/* Half of the transposition of 8 codes of 32 bytes held two per register
 * (v0 = codes 0, 1 ... v3 = codes 6, 7): words 2h and 2h + 1 of codes 0..7,
 * in *ta and *tb. */
static inline void transpose8_half(__m512i v0, __m512i v1, __m512i v2, __m512i v3, unsigned h,
                                   __m512i *ta, __m512i *tb)
{
    const __m512i sel = h ? _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2)
                          : _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    __m512i u0 = _mm512_permutex2var_epi64(v0, sel, v1); /* words 2h, 2h+1 of codes 0-3 */
    __m512i u1 = _mm512_permutex2var_epi64(v2, sel, v3); /* ... of codes 4-7 */
    *ta = _mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(1, 0, 1, 0));
    *tb = _mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(3, 2, 3, 2));
}

/* The whole transposition: t[k] = word k of codes 0..7. */
static inline void transpose8_regs(__m512i v0, __m512i v1, __m512i v2, __m512i v3, __m512i t[4])
{
    transpose8_half(v0, v1, v2, v3, 0, &t[0], &t[1]);
    transpose8_half(v0, v1, v2, v3, 1, &t[2], &t[3]);
}

/* Loads 8 codes of 32 bytes and transposes them: t[k] = word k of codes 0..7. */
static inline void transpose8(const uint8_t *p, __m512i t[4])
{
    transpose8_regs(_mm512_loadu_si512(p), _mm512_loadu_si512(p + 64), _mm512_loadu_si512(p + 128),
                    _mm512_loadu_si512(p + 192), t);
}

/* The 4 words of one row of a, each broadcast to all lanes. */
typedef struct row4 {
    __m512i w0, w1, w2, w3;
} row4;

static inline row4 load_row(const uint8_t *x)
{
    row4 r = {_mm512_set1_epi64((long long)hm__load64(x)),
              _mm512_set1_epi64((long long)hm__load64(x + 8)),
              _mm512_set1_epi64((long long)hm__load64(x + 16)),
              _mm512_set1_epi64((long long)hm__load64(x + 24))};
    return r;
}

/* Sums of the 4 popcounts of 8 codes (v0 = codes 0,1 ... v3 = codes 6,7)
 * XORed with q (the query in both halves). The lanes come out in the code
 * order 0,2,1,3,4,6,5,7. */
static inline __m512i sums8(__m512i v0, __m512i v1, __m512i v2, __m512i v3, __m512i q)
{
    __m512i p0 = _mm512_popcnt_epi64(_mm512_xor_si512(v0, q));
    __m512i p1 = _mm512_popcnt_epi64(_mm512_xor_si512(v1, q));
    __m512i p2 = _mm512_popcnt_epi64(_mm512_xor_si512(v2, q));
    __m512i p3 = _mm512_popcnt_epi64(_mm512_xor_si512(v3, q));
    __m512i a = _mm512_add_epi64(_mm512_unpacklo_epi64(p0, p1), _mm512_unpackhi_epi64(p0, p1));
    __m512i b = _mm512_add_epi64(_mm512_unpacklo_epi64(p2, p3), _mm512_unpackhi_epi64(p2, p3));
    __m512i x = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    __m512i y = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    return _mm512_add_epi64(x, y);
}

/* sums8's lane l holds code {0,2,1,3,4,6,5,7}[l] (a permutation that is its
 * own inverse): swap mask bits 1,2 and 5,6 to number them by code. */
static inline unsigned lane_mask_to_codes(unsigned m)
{
    return (m & 0x99u) | ((m & 0x22u) << 1) | ((m & 0x44u) >> 1);
}

static inline unsigned dist256_popcnt(const uint8_t *x, const uint8_t *q)
{
    unsigned d = 0;
    for (int k = 0; k < 4; k++)
        d += (unsigned)_mm_popcnt_u64(hm__load64(x + 8 * k) ^ hm__load64(q + 8 * k));
    return d;
}

/* Appends the hits of one block of codes, in (code, query) order, from
 * per-query masks whose bit k stands for code k of the block. */
static size_t emit_hits(const uint8_t *codes, size_t first, const uint8_t *queries,
                        unsigned nq, size_t code_bytes, const uint64_t *masks, uint64_t any,
                        hm__hit *hits, size_t c)
{
    while (any) {
        unsigned k = (unsigned)__builtin_ctzll(any);
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

/* Mask of the 64-bit words [8g, 8g + 8) among the first `words` words. */
static inline __mmask8 word_mask(unsigned words, unsigned g)
{
    unsigned w = words > 8 * g ? words - 8 * g : 0;
    return (__mmask8)(w >= 8 ? 0xffu : (1u << w) - 1);
}

/* Long scans prefetch this far ahead: the hardware prefetcher alone keeps
 * too few lines in flight for one core to stream from DRAM at full speed (on
 * the development machine a plain read of 320 MB ran at 12 GB/s, a scan
 * prefetching 8 KiB ahead at 17). Only lines inside the array are
 * prefetched, so a short scan (an index bucket) prefetches nothing. */
#define SCAN_AHEAD 8192

/* Prefetches the 256 bytes SCAN_AHEAD past offset `off` of an array of
 * `bytes` bytes. Always inlined: GCC takes a function made only of
 * prefetches for a pure one and drops its calls. */
HM__FORCE_INLINE void prefetch_ahead(const uint8_t *codes, size_t off, size_t bytes)
{
    if (off + SCAN_AHEAD + 256 > bytes) return;
    const char *p = (const char *)codes + off + SCAN_AHEAD;
    _mm_prefetch(p, _MM_HINT_T0);
    _mm_prefetch(p + 64, _MM_HINT_T0);
    _mm_prefetch(p + 128, _MM_HINT_T0);
    _mm_prefetch(p + 192, _MM_HINT_T0);
}

/* Loads up to 8 codes of 32 bytes, two per register (a short last block is
 * read with masked loads, which never touch memory past the array). */
static inline void load8(const uint8_t *p, unsigned valid, __m512i v[4])
{
    for (unsigned g = 0; g < 4; g++)
        v[g] = valid == 8 ? _mm512_loadu_si512(p + 64 * g)
                          : _mm512_maskz_loadu_epi64(word_mask(4 * valid, g), p + 64 * g);
}

/* One block of up to 8 codes against one query: the codes as stored,
 * folded by sums8. */
static inline size_t block256(const uint8_t *p, size_t first, unsigned valid, __m512i q,
                              const uint8_t *query, __m512i r, hm__hit *hits, size_t c)
{
    __m512i v[4];
    load8(p, valid, v);
    __mmask8 m = _mm512_cmple_epu64_mask(sums8(v[0], v[1], v[2], v[3], q), r);
    if (HM_UNLIKELY(m)) {
        uint64_t mask = lane_mask_to_codes(m) & ((1u << valid) - 1);
        c = emit_hits(p, first, query, 1, 32, &mask, mask, hits, c);
    }
    return c;
}

/* One block of up to 8 codes against several queries, transposed (register
 * k holds word k of the 8 codes) so that a distance costs an XOR, a VPOPCNTQ
 * and an add per word with no horizontal folding; lanes are in code order.
 * Distances are sums of non-negative parts, so a code whose first two words
 * already differ from a query in more than r bits cannot match it: the last
 * two words are transposed and counted only when some code of the block is
 * within r on the first two (on unrelated codes at r = 31, almost never),
 * which halves the work of a pass. */
static inline size_t block256_multi(const uint8_t *p, size_t first, unsigned valid, const row4 *q,
                                    const uint8_t *queries, unsigned nq, __m512i r,
                                    hm__hit *hits, size_t c)
{
    __m512i v[4], t0, t1, t2, t3;
    load8(p, valid, v);
    transpose8_half(v[0], v[1], v[2], v[3], 0, &t0, &t1);
    __m512i half[HM__MAX_QUERIES];
    unsigned near = 0, keep = (1u << valid) - 1;
    for (unsigned j = 0; j < nq; j++) {
        half[j] = _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(t0, q[j].w0)),
                                   _mm512_popcnt_epi64(_mm512_xor_si512(t1, q[j].w1)));
        near |= _mm512_cmple_epu64_mask(half[j], r);
    }
    if (HM_LIKELY(!(near & keep))) return c;
    transpose8_half(v[0], v[1], v[2], v[3], 1, &t2, &t3);
    uint64_t masks[HM__MAX_QUERIES], any = 0;
    for (unsigned j = 0; j < nq; j++) {
        __m512i d = _mm512_add_epi64(half[j],
                                     _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(t2, q[j].w2)),
                                                      _mm512_popcnt_epi64(_mm512_xor_si512(t3, q[j].w3))));
        masks[j] = _mm512_cmple_epu64_mask(d, r) & keep;
        any |= masks[j];
    }
    if (any) c = emit_hits(p, first, queries, nq, 32, masks, any, hits, c);
    return c;
}

static size_t scan256(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                      unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    const __m512i r = _mm512_set1_epi64(radius);
    size_t c = *count, i = 0;
    if (nq == 1) {
        const __m512i q = _mm512_broadcast_i64x4(_mm256_loadu_si256((const void *)queries));
        for (; i < n; i += 8) {
            unsigned valid = n - i < 8 ? (unsigned)(n - i) : 8;
            if (cap - c < valid) break; /* out of room: the caller makes more */
            prefetch_ahead(codes, 32 * i, 32 * n);
            c = block256(codes + 32 * i, i, valid, q, queries, r, hits, c);
        }
    } else {
        row4 q[HM__MAX_QUERIES];
        for (unsigned j = 0; j < nq; j++) q[j] = load_row(queries + 32 * j);
        for (; i < n; i += 8) {
            unsigned valid = n - i < 8 ? (unsigned)(n - i) : 8;
            if (cap - c < valid * (size_t)nq) break;
            prefetch_ahead(codes, 32 * i, 32 * n);
            c = block256_multi(codes + 32 * i, i, valid, q, queries, nq, r, hits, c);
        }
    }
    *count = c;
    return i < n ? i : n;
}

/* One block of up to 32 codes of 8 bytes (inlined so that a constant nq
 * unrolls the query loop). */
HM__FORCE_INLINE size_t block64(const uint8_t *p, size_t first, unsigned valid, const __m512i *q,
                             const uint8_t *queries, unsigned nq, __m512i r, hm__hit *hits,
                             size_t c)
{
    __m512i v[4];
    for (unsigned g = 0; g < 4; g++)
        v[g] = valid == 32 ? _mm512_loadu_si512(p + 64 * g)
                           : _mm512_maskz_loadu_epi64(word_mask(valid, g), p + 64 * g);
    uint64_t masks[HM__MAX_QUERIES], any = 0, keep = valid == 32 ? 0xffffffffu : (1ull << valid) - 1;
    for (unsigned j = 0; j < nq; j++) {
        uint64_t m = 0;
        for (unsigned g = 0; g < 4; g++) {
            __m512i d = _mm512_popcnt_epi64(_mm512_xor_si512(v[g], q[j]));
            m |= (uint64_t)_mm512_cmple_epu64_mask(d, r) << (8 * g);
        }
        masks[j] = m & keep;
        any |= masks[j];
    }
    if (HM_UNLIKELY(any)) c = emit_hits(p, first, queries, nq, 8, masks, any, hits, c);
    return c;
}

static size_t scan64(const uint8_t *codes, size_t n, const uint8_t *queries, unsigned nq,
                     unsigned radius, hm__hit *hits, size_t cap, size_t *count)
{
    __m512i q[HM__MAX_QUERIES];
    for (unsigned j = 0; j < nq; j++) q[j] = _mm512_set1_epi64((long long)hm__load64(queries + 8 * j));
    const __m512i r = _mm512_set1_epi64(radius);
    size_t c = *count, i = 0;
    if (nq == 1) {
        for (; i < n; i += 32) {
            unsigned valid = n - i < 32 ? (unsigned)(n - i) : 32;
            if (cap - c < valid) break; /* out of room: the caller makes more */
            prefetch_ahead(codes, 8 * i, 8 * n);
            c = block64(codes + 8 * i, i, valid, q, queries, 1, r, hits, c);
        }
    } else {
        for (; i < n; i += 32) {
            unsigned valid = n - i < 32 ? (unsigned)(n - i) : 32;
            if (cap - c < valid * (size_t)nq) break;
            prefetch_ahead(codes, 8 * i, 8 * n);
            c = block64(codes + 8 * i, i, valid, q, queries, nq, r, hits, c);
        }
    }
    *count = c;
    return i < n ? i : n;
}

/* ---- pair kernels ------------------------------------------------------------ */

/* Rows that count some column of the block [j, j + w). */
static inline size_t rows_end(size_t na, size_t j, size_t w, ptrdiff_t jmi_min)
{
    if (jmi_min == HM__ALL_PAIRS) return na;
    ptrdiff_t e = (ptrdiff_t)(j + w) - 1 - jmi_min; /* rows i < e meet column j + w - 1 */
    if (e <= 0) return 0;
    return (size_t)e < na ? (size_t)e : na;
}

/* Rows that count every column of the block starting at j (groups aside). */
static inline size_t rows_full(size_t na, size_t j, ptrdiff_t jmi_min)
{
    if (jmi_min == HM__ALL_PAIRS) return na;
    ptrdiff_t e = (ptrdiff_t)j - jmi_min; /* rows i < e have j - i > jmi_min */
    if (e <= 0) return 0;
    return (size_t)e < na ? (size_t)e : na;
}

/* ---- fused pair statistics ------------------------------------------------------ */

/* The stats kernels hold 16 codes per group in 32-bit lanes: t[k] lane l is
 * dword k of code l, so a row costs one XOR, one VPOPCNTD and one add per
 * dword and the distances come out 16 to a register. Two such registers pack
 * into one of 32 16-bit words (VPACKUSDW), on which a single VPMINUW updates
 * 32 column minima and another the row's running minima, and VPMADDWD with
 * (1, stride) turns adjacent words d0, d1 into the index d0 + stride * d1 of
 * the twin table: one counter increment per two pairs. */

/* 16 codes of 32 bytes: two 8-code qword transposes, then the low and the
 * high dwords of each qword. */
static inline void load_group(const uint8_t *p, unsigned cb, __m512i *t)
{
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    if (cb == 8) {
        __m512i v0 = _mm512_loadu_si512(p), v1 = _mm512_loadu_si512(p + 64);
        t[0] = _mm512_permutex2var_epi32(v0, even, v1);
        t[1] = _mm512_permutex2var_epi32(v0, odd, v1);
        return;
    }
    __m512i lo[4], hi[4];
    transpose8(p, lo);
    transpose8(p + 256, hi);
    HM__UNROLL
    for (int w = 0; w < 4; w++) {
        t[2 * w] = _mm512_permutex2var_epi32(lo[w], even, hi[w]);
        t[2 * w + 1] = _mm512_permutex2var_epi32(lo[w], odd, hi[w]);
    }
}

#define POP32(k) _mm512_popcnt_epi32(_mm512_xor_si512(t[k], r[k]))

/* Distances of one row (dword k broadcast in r[k]) to a group of 16 codes. */
HM__FORCE_INLINE __m512i dist16(const __m512i *t, const __m512i *r, unsigned cb)
{
    if (cb == 8) return _mm512_add_epi32(POP32(0), POP32(1));
    __m512i s0 = _mm512_add_epi32(POP32(0), POP32(1)), s1 = _mm512_add_epi32(POP32(2), POP32(3));
    __m512i s2 = _mm512_add_epi32(POP32(4), POP32(5)), s3 = _mm512_add_epi32(POP32(6), POP32(7));
    return _mm512_add_epi32(_mm512_add_epi32(s0, s1), _mm512_add_epi32(s2, s3));
}

/* Lanes of a group of 16 columns starting at j that row i counts. */
static inline __mmask16 keep16(const uint32_t *ga, const uint32_t *gb, size_t i, size_t j,
                               ptrdiff_t jmi_min)
{
    __mmask16 keep = 0xffff;
    if (jmi_min != HM__ALL_PAIRS) {
        ptrdiff_t t = (ptrdiff_t)i + jmi_min - (ptrdiff_t)j; /* lanes l > t count */
        if (t >= 15) return 0;
        if (t >= 0) keep = (__mmask16)(0xffffu << (t + 1));
    }
    if (ga && gb)
        keep &= (__mmask16)~_mm512_cmpeq_epi32_mask(_mm512_loadu_si512(gb + j),
                                                      _mm512_set1_epi32((int)ga[i]));
    return keep;
}

/* Counts the pairs of pairs whose twin indices the previous row stored. They
 * were stored one row earlier because a load that must be forwarded from a
 * pending 512-bit store stalls, and extracting lanes with vector
 * instructions would take the ports the popcounts need, while loads and
 * increments use others. */
HM__FORCE_INLINE void twin_add(uint32_t *twin, const uint32_t *x, size_t n)
{
    HM__UNROLL
    for (size_t k = 0; k < n; k++) twin[x[k]]++;
}

/* Word w of a packed register holds column 16 * ((w & 7) / 4) + 4 * (w / 8)
 * + w % 4 of its 32 (VPACKUSDW interleaves its sources by 128-bit lane):
 * VPERMW puts them back in order. Minima above `bits` stand for "no pair"
 * and change nothing. */
static void store_col_min(uint16_t *min_b, const __m512i *cmin, unsigned packs, unsigned bits)
{
    const __m512i order = _mm512_set_epi16(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6,
                                           5, 4, 27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8,
                                           3, 2, 1, 0);
    const __m512i none = _mm512_set1_epi16(-1), limit = _mm512_set1_epi16((short)bits);
    for (unsigned h = 0; h < packs; h++) {
        __m512i m = _mm512_permutexvar_epi16(order, cmin[h]);
        m = _mm512_mask_mov_epi16(m, _mm512_cmpgt_epu16_mask(m, limit), none);
        __m512i old = _mm512_loadu_si512(min_b + 32 * h);
        _mm512_storeu_si512(min_b + 32 * h, _mm512_min_epu16(old, m));
    }
}

static inline unsigned hmin_epu16(__m512i v)
{
    __m256i m = _mm256_min_epu16(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    __m128i x = _mm_min_epu16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    return (unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(x)) & 0xffffu;
}

static void store_row_min(uint16_t *min_a, const __m512i *rowmin, size_t na, unsigned bits)
{
    for (size_t i = 0; i < na; i++) {
        unsigned v = hmin_epu16(rowmin[i]);
        if (v <= bits && v < min_a[i]) min_a[i] = (uint16_t)v;
    }
}

/* What one block of columns shares with the rows that stream past it. */
typedef struct stats_block {
    __m512i t[16];            /* the columns, transposed (load_group) */
    size_t j, ifull;          /* first column; rows below ifull count every column (jmi_min) */
    uint32_t glo, gspan;      /* the block's groups lie in [glo, glo + gspan] */
} stats_block;

/* One row against a block: the twin indices go to cur, the minima to cmin
 * and rowmin. Rows that may skip a pair (diagonal, or a group of the block's
 * range) take masked lanes. */
HM__FORCE_INLINE void stats_row(const stats_block *blk, const uint8_t *x, size_t i,
                                const uint32_t *ga, const uint32_t *gb, ptrdiff_t jmi_min,
                                uint32_t *cur, __m512i *cmin, __m512i *rowmin,
                                const unsigned cb, const int want_min, const int grouped)
{
    const unsigned words = cb / 4, groups = cb == 32 ? 2 : 4, packs = groups / 2;
    const __m512i weights = _mm512_set1_epi32((int)(1u | (HM__TWIN_STRIDE(8 * cb) << 16)));
    __m512i r[8], d[4], p[2];
    HM__UNROLL
    for (unsigned k = 0; k < words; k++) r[k] = _mm512_set1_epi32((int)hm__load32(x + 4 * k));
    HM__UNROLL
    for (unsigned g = 0; g < groups; g++) d[g] = dist16(blk->t + words * g, r, cb);
    if (i >= blk->ifull || (grouped && ga[i] - blk->glo <= blk->gspan)) {
        const __m512i trash = _mm512_set1_epi32((int)HM__TWIN_TRASH(8 * cb));
        HM__UNROLL
        for (unsigned g = 0; g < groups; g++)
            d[g] = _mm512_mask_mov_epi32(trash, keep16(ga, gb, i, blk->j + 16 * g, jmi_min), d[g]);
    }
    HM__UNROLL
    for (unsigned h = 0; h < packs; h++) {
        p[h] = _mm512_packus_epi32(d[2 * h], d[2 * h + 1]);
        _mm512_store_si512(cur + 16 * h, _mm512_madd_epi16(p[h], weights));
    }
    if (want_min) {
        HM__UNROLL
        for (unsigned h = 0; h < packs; h++) cmin[h] = _mm512_min_epu16(cmin[h], p[h]);
        __m512i m = packs == 2 ? _mm512_min_epu16(p[0], p[1]) : p[0];
        rowmin[i] = _mm512_min_epu16(rowmin[i], m);
    }
}

/* Columns in blocks of 32 (256-bit codes: 2 groups, 16 registers) or 64
 * (64-bit codes: 4 groups, 8 registers); rows stream past them. Each row's
 * twin indices are counted while the next row computes (see twin_add); the
 * first row finds the buffer full of trash indices, which count nothing. */
HM__FORCE_INLINE size_t stats_blocks(const uint8_t *a, size_t na, const uint32_t *ga,
                                     const uint8_t *b, size_t nb, const uint32_t *gb,
                                     ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                                     uint16_t *min_b, const unsigned cb, const int want_min,
                                     const int grouped)
{
    const unsigned words = cb / 4, groups = cb == 32 ? 2 : 4, packs = groups / 2;
    const size_t width = 16 * (size_t)groups;
    const unsigned bits = 8 * cb, trash = HM__TWIN_TRASH(bits);
    uint32_t *const twin = acc->twin;
    __m512i *rowmin = (__m512i *)(void *)acc->rowmin;
    _Alignas(64) uint32_t pend[2][32];
    for (unsigned k = 0; k < 32; k++) pend[1][k] = trash + HM__TWIN_STRIDE(bits) * trash;
    if (want_min)
        for (size_t i = 0; i < na; i++) rowmin[i] = _mm512_set1_epi32(-1);
    size_t j = 0;
    for (; j + width <= nb; j += width) {
        stats_block blk;
        __m512i cmin[2] = {_mm512_set1_epi32(-1), _mm512_set1_epi32(-1)};
        HM__UNROLL
        for (unsigned g = 0; g < groups; g++)
            load_group(b + cb * (j + 16 * g), cb, blk.t + words * g);
        size_t iend = rows_end(na, j, width, jmi_min);
        blk.j = j;
        blk.ifull = rows_full(iend, j, jmi_min);
        blk.glo = UINT32_MAX, blk.gspan = 0;
        if (grouped) {
            uint32_t hi = 0;
            for (size_t k = 0; k < width; k++) {
                blk.glo = gb[j + k] < blk.glo ? gb[j + k] : blk.glo;
                hi = gb[j + k] > hi ? gb[j + k] : hi;
            }
            blk.gspan = hi - blk.glo;
        }
        uint32_t *cur = pend[0], *prev = pend[1];
        for (size_t i = 0; i < iend; i++) {
            stats_row(&blk, a + cb * i, i, ga, gb, jmi_min, cur, cmin, rowmin, cb, want_min,
                      grouped);
            __asm__("" : "+m"(pend)); /* keep the round trip through memory */
            twin_add(twin, prev, 16 * packs);
            uint32_t *t = cur;
            cur = prev, prev = t;
        }
        twin_add(twin, prev, 16 * packs); /* the last row's */
        for (unsigned k = 0; k < 32; k++) pend[1][k] = trash + HM__TWIN_STRIDE(bits) * trash;
        if (want_min && iend) store_col_min(min_b + j, cmin, packs, bits);
    }
    if (want_min) store_row_min(min_a, rowmin, na, bits);
    return j;
}

/* The specialisations: with or without minima and groups. */
HM__FORCE_INLINE size_t stats_any(const uint8_t *a, size_t na, const uint32_t *ga,
                                  const uint8_t *b, size_t nb, const uint32_t *gb,
                                  ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                                  uint16_t *min_b, const unsigned cb)
{
    if (!ga || !gb) {
        if (min_a) return stats_blocks(a, na, NULL, b, nb, NULL, jmi_min, acc, min_a, min_b, cb, 1, 0);
        return stats_blocks(a, na, NULL, b, nb, NULL, jmi_min, acc, NULL, NULL, cb, 0, 0);
    }
    if (min_a) return stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, cb, 1, 1);
    return stats_blocks(a, na, ga, b, nb, gb, jmi_min, acc, NULL, NULL, cb, 0, 1);
}

static void stats256(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                     const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                     uint16_t *min_b)
{
    size_t j = stats_any(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 32);
    hm__stats_tail_scalar(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 32, j);
}

static void stats64(const uint8_t *a, size_t na, const uint32_t *ga, const uint8_t *b, size_t nb,
                    const uint32_t *gb, ptrdiff_t jmi_min, hm__pair_acc *acc, uint16_t *min_a,
                    uint16_t *min_b)
{
    size_t j = stats_any(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 8);
    hm__stats_tail_scalar(a, na, ga, b, nb, gb, jmi_min, acc, min_a, min_b, 8, j);
}

/* ---- gathered distances (index verification) ------------------------------------ */

static void gather256(const uint8_t *codes, const uint32_t *ids, size_t n, const uint8_t *q,
                      uint16_t *out)
{
    const __m512i qv = _mm512_broadcast_i64x4(_mm256_loadu_si256((const void *)q));
    const __m512i order = _mm512_set_epi64(7, 5, 6, 4, 3, 1, 2, 0); /* undo sums8's lane order */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512i v[4];
        for (int g = 0; g < 4; g++) {
            const uint8_t *x0 = codes + 32 * (size_t)ids[i + 2 * g];
            const uint8_t *x1 = codes + 32 * (size_t)ids[i + 2 * g + 1];
            v[g] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const void *)x0)),
                                      _mm256_loadu_si256((const void *)x1), 1);
        }
        __m512i s = _mm512_permutexvar_epi64(order, sums8(v[0], v[1], v[2], v[3], qv));
        _mm_storeu_si128((void *)(out + i), _mm512_cvtepi64_epi16(s));
    }
    for (; i < n; i++) out[i] = (uint16_t)dist256_popcnt(codes + 32 * (size_t)ids[i], q);
}

const hm__kernels hm__kernels_avx512 = {
    HM_MATCH_TIER_AVX512, scan256, scan64, gather256, stats256, stats64,
};
