/* pdq.c - PDQ, bit for bit as Meta's reference computes it (see docs/PDQ.md).
 *
 * Every value is a 32-bit float and every operation happens in the
 * reference's order; the file is compiled with -ffp-contract=off. What
 * differs from the reference is only the schedule, never the arithmetic:
 *
 *   - The four box passes (X, Y, X, Y) stream over the image in blocks of
 *     BLOCK rows. A horizontal pass transposes its block so that vector
 *     lanes are rows and advances BLOCK independent running sums at once
 *     (the sum along one row is a serial chain of float additions); a
 *     vertical pass runs over all columns of a row at once, keeping one
 *     running sum per column, which adds and subtracts exactly the samples
 *     the reference's column-wise walk does, in the same order.
 *   - Sums and divisions are separated: a running sum never depends on a
 *     quotient, so the quotients sum/count are computed afterwards, vectorised,
 *     and in the second round only for the 64 columns and 64 rows that the
 *     decimation reads.
 *   - The full-width row steps (a vertical pass's sums and quotients, a
 *     horizontal pass's quotients) run with the widest kernel table
 *     (ih_kernels.h, pdq_rows_inl.h): more lanes, the same operations per
 *     element.
 *   - Intermediate rows live in ring buffers of about ceil(H/128) + 2 * BLOCK rows,
 *     so the full-size float planes of the reference never exist.
 */
#include <math.h>

#include "hash_internal.h"
#include "ih_kernels.h"
#include "pdq_dct.h"

#define PDQ_MIN_DIM 5
#define PDQ_OUT 64
#define BLOCK 16 /* rows per block, also the number of independent sums in flight (4 chains of 4) */

/* Four floats processed as one (GCC/clang vector extensions, shuffles need
 * GCC >= 12 or clang): SSE2 on x86-64, NEON on aarch64. Each lane rounds
 * exactly like the scalar operation. */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f v4_load(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v4_store(float *p, v4f v) { memcpy(p, &v, sizeof v); }

/* ------------------------------------------------------------------------ */
/* The 1-D box filter                                                       */
/* ------------------------------------------------------------------------ */

/* One axis of the filter. Output i averages in[i-(w-half) .. i+half-1]
 * clipped to the axis: it adds in[i+half-1] (while that exists) and then
 * subtracts in[i-lag] (once that is >= 0). */
typedef struct box_axis {
    uint32_t n;    /* samples along the axis */
    uint32_t w;    /* full window: ceil(n/128) */
    uint32_t half; /* (w+2)/2 */
    uint32_t lag;  /* w-half+1: the leaving sample of output i is i-lag */
} box_axis;

static box_axis box_axis_of(uint32_t n)
{
    box_axis a;
    a.n = n;
    a.w = (uint32_t)(((uint64_t)n + 127) / 128);
    a.half = (a.w + 2) / 2;
    a.lag = a.w - a.half + 1;
    return a;
}

/* The number of samples output i averages (its divisor). */
static float box_count(const box_axis *a, uint32_t i)
{
    int64_t lo = (int64_t)i - (a->w - a->half), hi = (int64_t)i + a->half - 1;
    if (lo < 0) lo = 0;
    if (hi > (int64_t)a->n - 1) hi = (int64_t)a->n - 1;
    return (float)(hi - lo + 1);
}

/* A horizontal pass runs on a block of BLOCK rows transposed into
 * "interleaved" form: element x is 8 floats, column x of rows 0-3 and then of
 * rows 4-7. The running sum along a row is a chain of dependent float
 * additions; this way one vector instruction advances the chains of four rows,
 * and two independent vectors keep the adder busy. */
static inline v4f v4_pick(v4f a, v4f b, int lo)
{
    return lo ? __builtin_shufflevector(a, b, 0, 4, 1, 5) : __builtin_shufflevector(a, b, 2, 6, 3, 7);
}

/* The 4x4 transpose of rows a, b, c, d: column k goes to dst + k*step. */
static inline void transpose4_store(v4f a, v4f b, v4f c, v4f d, float *dst, size_t step)
{
    v4f t0 = v4_pick(a, b, 1), t1 = v4_pick(a, b, 0), t2 = v4_pick(c, d, 1), t3 = v4_pick(c, d, 0);
    v4_store(dst, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
    v4_store(dst + step, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
    v4_store(dst + 2 * step, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
    v4_store(dst + 3 * step, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

/* Rows in[0..nr-1] (stride apart, n columns) into interleaved form; missing
 * rows of a short block repeat row 0 and are ignored later. */
static void interleave(const float *in, size_t stride, unsigned nr, uint32_t n, float *t)
{
    const float *r[BLOCK];
    for (unsigned k = 0; k < BLOCK; k++) r[k] = k < nr ? in + k * stride : in;
    uint32_t x = 0;
    for (; x < (n & ~3u); x += 4) {
        float *dst = t + (size_t)x * BLOCK;
        for (unsigned g = 0; g < BLOCK; g += 4)
            transpose4_store(v4_load(r[g] + x), v4_load(r[g + 1] + x), v4_load(r[g + 2] + x),
                             v4_load(r[g + 3] + x), dst + g, BLOCK);
    }
    for (; x < n; x++)
        for (unsigned k = 0; k < BLOCK; k++) t[(size_t)x * BLOCK + k] = r[k][x];
}

/* Four interleaved lanes (rows h..h+3) back into rows. */
static inline void deinterleave4(const float *p, float *out, size_t stride, unsigned nr)
{
    v4f a = v4_load(p), b = v4_load(p + BLOCK), d = v4_load(p + 2 * BLOCK), e = v4_load(p + 3 * BLOCK);
    v4f t0 = v4_pick(a, b, 1), t1 = v4_pick(a, b, 0), t2 = v4_pick(d, e, 1), t3 = v4_pick(d, e, 0);
    v4_store(out, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
    if (nr > 1) v4_store(out + stride, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
    if (nr > 2) v4_store(out + 2 * stride, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
    if (nr > 3) v4_store(out + 3 * stride, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

/* Interleaved sums back into rows out[0..nr-1] (the quotients come after,
 * row by row, with the widest kernel). */
static void deinterleave(const float *t, uint32_t n, float *out, size_t stride, unsigned nr)
{
    uint32_t x = 0;
    for (; x < (n & ~3u); x += 4) {
        const float *p = t + (size_t)x * BLOCK;
        for (unsigned g = 0; g < nr; g += 4) deinterleave4(p + g, out + g * stride + x, stride, nr - g);
    }
    for (; x < n; x++)
        for (unsigned r = 0; r < nr; r++) out[r * stride + x] = t[(size_t)x * BLOCK + r];
}

/* The reference's running sums along the rows of an interleaved block:
 * o[i] receives the value `sum` has when output i is due (before the
 * division), for all BLOCK rows at once: BLOCK/4 independent chains keep
 * the adder busy where one chain would wait for each addition. */
#define CHAINS (BLOCK / 4)
#define CHAIN_LOOP _Pragma("GCC unroll 16") for (unsigned k = 0; k < CHAINS; k++)
static void box_chain(const float *t, float *o, const box_axis *a)
{
    const uint32_t n = a->n, half = a->half, lag = a->lag;
    v4f s[CHAINS];
    CHAIN_LOOP s[k] = (v4f){0, 0, 0, 0};
#define AT(idx, k) v4_load(t + (size_t)(idx) * BLOCK + 4 * (k))
#define OUT(idx) CHAIN_LOOP v4_store(o + (size_t)(idx) * BLOCK + 4 * k, s[k])
    uint32_t i = 0;
    for (uint32_t e = 0; e + 1 < half; e++) CHAIN_LOOP s[k] += AT(e, k);
    for (; i < lag; i++) {
        CHAIN_LOOP s[k] += AT(i + half - 1, k);
        OUT(i);
    }
    for (; i + half <= n; i++) {
        CHAIN_LOOP {
            s[k] += AT(i + half - 1, k);
            s[k] -= AT(i - lag, k);
        }
        OUT(i);
    }
    for (; i < n; i++) {
        CHAIN_LOOP s[k] -= AT(i - lag, k);
        OUT(i);
    }
#undef AT
#undef OUT
}

/* One step of a vertical pass over n columns: sum += enter, then
 * sum -= leave, in the reference's order (either may be NULL), and with
 * `out` the quotients sum / count. Inlined so that each call site gets the
 * loop it needs. */
static inline __attribute__((always_inline)) void vbox_step(float *sum, const float *enter,
                                                           const float *leave, size_t n,
                                                           float *out, float count)
{
    const v4f c = {count, count, count, count};
    size_t x = 0;
    for (; x < (n & ~(size_t)3); x += 4) {
        v4f s = v4_load(sum + x);
        if (enter) s += v4_load(enter + x);
        if (leave) s -= v4_load(leave + x);
        v4_store(sum + x, s);
        if (out) v4_store(out + x, s / c);
    }
    for (; x < n; x++) {
        float s = sum[x];
        if (enter) s += enter[x];
        if (leave) s -= leave[x];
        sum[x] = s;
        if (out) out[x] = s / count;
    }
}

void hm__pdq_vstep_v4(float *sum, const float *enter, const float *leave, size_t n, float *out,
                      float count)
{
    if (enter && leave && out) vbox_step(sum, enter, leave, n, out, count);
    else if (enter && out) vbox_step(sum, enter, NULL, n, out, count);
    else if (leave && out) vbox_step(sum, NULL, leave, n, out, count);
    else if (enter && leave) vbox_step(sum, enter, leave, n, NULL, 0);
    else if (enter) vbox_step(sum, enter, NULL, n, NULL, 0);
    else if (leave) vbox_step(sum, NULL, leave, n, NULL, 0);
}

void hm__pdq_divide_v4(float *row, const float *counts, size_t n)
{
    size_t x = 0;
    for (; x < (n & ~(size_t)3); x += 4) v4_store(row + x, v4_load(row + x) / v4_load(counts + x));
    for (; x < n; x++) row[x] = row[x] / counts[x];
}

static void divide_row(float *out, const float *sum, float count, size_t n)
{
    const v4f c = {count, count, count, count};
    size_t x = 0;
    for (; x < (n & ~(size_t)3); x += 4) v4_store(out + x, v4_load(sum + x) / c);
    for (; x < n; x++) out[x] = sum[x] / count;
}

/* ------------------------------------------------------------------------ */
/* The streaming filter                                                     */
/* ------------------------------------------------------------------------ */

/* Ring capacities are multiples of BLOCK so that a block's rows are adjacent. */
static size_t ring_rows(uint32_t w) { return ((size_t)w + 2 * BLOCK - 1) / BLOCK * BLOCK; }
static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

size_t hm__pdq_work_floats(uint32_t w, uint32_t h)
{
    /* Rows of the width: block, tin, tout, ring1, c1, sum1, counts; then ring2
     * and sum2 (see filter_init). About ceil(h/128) + 6 * BLOCK rows in all: small
     * next to the image. */
    box_axis av = box_axis_of(h);
    size_t rows = 4 * BLOCK + ring_rows(av.w) + 2;
    return rows * round16(w) + (size_t)PDQ_OUT * (av.w + 2);
}

/* The decimation's sample indices: (int)(((k + 0.5) * n) / 64) in double. */
static void decimation_indices(uint32_t n, uint32_t idx[PDQ_OUT])
{
    for (int k = 0; k < PDQ_OUT; k++) idx[k] = (uint32_t)(((k + 0.5) * n) / PDQ_OUT);
}

typedef struct filter_state {
    box_axis ax, ay;
    size_t stride;   /* floats per row in every buffer: the width */
    float *block;    /* BLOCK source rows */
    float *tin, *tout; /* a block in interleaved form, before and after an X pass */
    float *ring1;    /* rows after the first X pass */
    size_t ring1_rows;
    float *sum1;     /* per-column running sums of the first Y pass */
    float *c1;       /* BLOCK rows after the first Y pass, awaiting the second X pass */
    unsigned c1_rows;
    float *counts;   /* divisor of each column in the X passes */
    float *ring2;    /* the 64 decimation columns after the second X pass */
    size_t ring2_rows;
    float *sum2;     /* running sums of the second Y pass (64 columns) */
    uint32_t rows2;  /* rows that entered the second Y pass */
    uint32_t col[PDQ_OUT], row[PDQ_OUT];
    const hm__ih_kernels *k; /* the full-width row steps */
    unsigned next_row; /* next decimation row to emit */
    float *out;
} filter_state;

/* Emits the second Y pass's output row i if the decimation reads it. */
static void emit_row(filter_state *f, uint32_t i)
{
    if (f->next_row >= PDQ_OUT || f->row[f->next_row] != i) return;
    float count = box_count(&f->ay, i);
    float tmp[PDQ_OUT];
    divide_row(tmp, f->sum2, count, PDQ_OUT);
    while (f->next_row < PDQ_OUT && f->row[f->next_row] == i)
        memcpy(f->out + (size_t)PDQ_OUT * f->next_row++, tmp, sizeof tmp);
}

/* A row of the second X pass (its 64 decimation columns) enters the second Y pass. */
static void y2_push(filter_state *f, const float *r2)
{
    uint32_t e = f->rows2++;
    float *slot = f->ring2 + (size_t)PDQ_OUT * (e % f->ring2_rows);
    memcpy(slot, r2, PDQ_OUT * sizeof(float));
    const float *leave =
        e >= f->ay.w ? f->ring2 + (size_t)PDQ_OUT * ((e - f->ay.w) % f->ring2_rows) : NULL;
    if (leave) vbox_step(f->sum2, slot, leave, PDQ_OUT, NULL, 0);
    else vbox_step(f->sum2, slot, NULL, PDQ_OUT, NULL, 0);
    if (e + 1 >= f->ay.half) emit_row(f, e + 1 - f->ay.half);
}

/* The second X pass over the rows gathered in c1; only the decimation
 * columns are divided out. */
static void x2_flush(filter_state *f)
{
    if (!f->c1_rows) return;
    interleave(f->c1, f->stride, f->c1_rows, f->ax.n, f->tin);
    box_chain(f->tin, f->tout, &f->ax);
    for (unsigned r = 0; r < f->c1_rows; r++) {
        float r2[PDQ_OUT];
        for (int k = 0; k < PDQ_OUT; k++)
            r2[k] = f->tout[(size_t)f->col[k] * BLOCK + r] / f->counts[f->col[k]];
        y2_push(f, r2);
    }
    f->c1_rows = 0;
}

/* The next free row of c1; full blocks go through the second X pass. */
static float *c1_row(filter_state *f) { return f->c1 + f->c1_rows * f->stride; }

static void c1_added(filter_state *f)
{
    if (++f->c1_rows == BLOCK) x2_flush(f);
}

static const float *ring1_row(const filter_state *f, uint32_t y)
{
    return f->ring1 + (y % f->ring1_rows) * f->stride;
}

/* Row e of the first X pass (already in ring1) enters the first Y pass; its
 * output row e+1-half, once due, goes to c1. */
static void y1_push(filter_state *f, uint32_t e)
{
    const float *enter = ring1_row(f, e);
    if (e + 1 < f->ay.half) {
        f->k->pdq_vstep(f->sum1, enter, NULL, f->stride, NULL, 0);
        return;
    }
    float count = box_count(&f->ay, e + 1 - f->ay.half);
    const float *leave = e >= f->ay.w ? ring1_row(f, e - f->ay.w) : NULL;
    f->k->pdq_vstep(f->sum1, enter, leave, f->stride, c1_row(f), count);
    c1_added(f);
}

/* The last outputs of both Y passes: only samples leave. */
static void finish(filter_state *f)
{
    uint32_t h = f->ay.n;
    for (uint32_t i = h - f->ay.half + 1; i < h; i++) {
        f->k->pdq_vstep(f->sum1, NULL, ring1_row(f, i - f->ay.lag), f->stride, c1_row(f),
                        box_count(&f->ay, i));
        c1_added(f);
    }
    x2_flush(f);
    for (uint32_t i = h - f->ay.half + 1; i < h; i++) {
        vbox_step(f->sum2, NULL, f->ring2 + (size_t)PDQ_OUT * ((i - f->ay.lag) % f->ring2_rows),
                  PDQ_OUT, NULL, 0);
        emit_row(f, i);
    }
}

static void filter_init(filter_state *f, const hm__ih_kernels *k, const hm__pdq_source *src,
                        float *work, float *out)
{
    memset(f, 0, sizeof *f);
    f->k = k;
    f->ax = box_axis_of(src->width);
    f->ay = box_axis_of(src->height);
    f->stride = src->width;
    size_t row = round16(src->width);
    f->ring1_rows = ring_rows(f->ay.w);
    f->ring2_rows = (size_t)f->ay.w + 1;
    f->block = work;
    f->tin = f->block + BLOCK * row;
    f->tout = f->tin + BLOCK * row;
    f->ring1 = f->tout + BLOCK * row;
    f->c1 = f->ring1 + f->ring1_rows * row;
    f->sum1 = f->c1 + BLOCK * row;
    f->counts = f->sum1 + row;
    f->ring2 = f->counts + row;
    f->sum2 = f->ring2 + PDQ_OUT * f->ring2_rows;
    memset(f->sum1, 0, src->width * sizeof(float));
    memset(f->sum2, 0, PDQ_OUT * sizeof(float));
    for (uint32_t x = 0; x < src->width; x++) f->counts[x] = box_count(&f->ax, x);
    decimation_indices(src->width, f->col);
    decimation_indices(src->height, f->row);
    f->out = out;
}

void hm__pdq_filter(const hm__pdq_source *src, float *work, float out64[PDQ_OUT * PDQ_OUT])
{
    hm__pdq_filter_k(hm__ih_kernels_best(), src, work, out64);
}

void hm__pdq_filter_k(const hm__ih_kernels *k, const hm__pdq_source *src, float *work,
                      float out64[PDQ_OUT * PDQ_OUT])
{
    filter_state f;
    filter_init(&f, k, src, work, out64);
    for (uint32_t y = 0; y < src->height; y += BLOCK) {
        unsigned n = src->height - y < BLOCK ? src->height - y : BLOCK;
        const float *rows = src->rows(src->ctx, y, n, f.block);
        interleave(rows, f.stride, n, f.ax.n, f.tin);
        box_chain(f.tin, f.tout, &f.ax);
        float *r1 = f.ring1 + (y % f.ring1_rows) * f.stride;
        deinterleave(f.tout, f.ax.n, r1, f.stride, n);
        for (unsigned r = 0; r < n; r++) k->pdq_divide(r1 + r * f.stride, f.counts, f.ax.n);
        for (unsigned r = 0; r < n; r++) y1_push(&f, y + r);
    }
    finish(&f);
}

/* ------------------------------------------------------------------------ */
/* Quality, DCT, median, bits                                               */
/* ------------------------------------------------------------------------ */

static int gradient(float u, float v)
{
    int d = (int)(((u - v) * 100) / 255);
    return d < 0 ? -d : d;
}

int hm__pdq_quality(const float a[PDQ_OUT * PDQ_OUT])
{
    int sum = 0;
    for (int i = 0; i < PDQ_OUT - 1; i++)
        for (int j = 0; j < PDQ_OUT; j++) sum += gradient(a[i * PDQ_OUT + j], a[(i + 1) * PDQ_OUT + j]);
    for (int i = 0; i < PDQ_OUT; i++)
        for (int j = 0; j < PDQ_OUT - 1; j++) sum += gradient(a[i * PDQ_OUT + j], a[i * PDQ_OUT + j + 1]);
    int q = sum / 90;
    return q > 100 ? 100 : q;
}

void hm__pdq_dct(const float a[PDQ_OUT * PDQ_OUT], float b[16 * 16])
{
    /* T = D * A: accumulated over k ascending, as four lanes of j at a time. */
    float t[16][PDQ_OUT];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < PDQ_OUT; j += 4) {
            v4f acc = {0, 0, 0, 0};
            for (int k = 0; k < PDQ_OUT; k++) {
                float d = PDQ_DCT[i][k];
                v4f dv = {d, d, d, d};
                acc = acc + dv * v4_load(a + k * PDQ_OUT + j);
            }
            v4_store(&t[i][j], acc);
        }
    /* B = T * D^T. */
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float acc = 0;
            for (int k = 0; k < PDQ_OUT; k++) acc += t[i][k] * PDQ_DCT[j][k];
            b[i * 16 + j] = acc;
        }
}

/* The 128th smallest of 256 values (sorted[127]), by quickselect on a copy. */
static float median256(const float *v)
{
    float a[256];
    memcpy(a, v, sizeof a);
    int lo = 0, hi = 255;
    const int k = 127;
    while (lo < hi) {
        float pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                float t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return a[k];
}

void hm__pdq_bits(const float b[16 * 16], uint8_t hash[HM_PDQ_BYTES])
{
    float median = median256(b);
    memset(hash, 0, HM_PDQ_BYTES);
    /* Bit k of the big-endian 256-bit integer lives in byte 31 - k/8. */
    for (int k = 0; k < 256; k++)
        if (b[k] > median) hash[31 - k / 8] |= (uint8_t)(1u << (k % 8));
}

/* B' of one dihedral variant (docs/PDQ.md, spec section 9). */
static void dihedral_coeffs(const float b[16 * 16], int variant, float out[16 * 16])
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float v = b[i * 16 + j], neg = -v;
            int ij = (i + j) & 1, io = i & 1, jo = j & 1;
            switch (variant) {
            case 0: out[i * 16 + j] = v; break;
            case 1: out[j * 16 + i] = jo ? v : neg; break;
            case 2: out[i * 16 + j] = ij ? neg : v; break;
            case 3: out[j * 16 + i] = io ? v : neg; break;
            case 4: out[i * 16 + j] = io ? v : neg; break;
            case 5: out[i * 16 + j] = jo ? v : neg; break;
            case 6: out[j * 16 + i] = v; break;
            default: out[j * 16 + i] = ij ? neg : v; break;
            }
        }
}

void hm__pdq_dihedral(const float b[16 * 16], uint8_t hashes[HM_PDQ_DIHEDRAL_COUNT][HM_PDQ_BYTES])
{
    for (int d = 0; d < HM_PDQ_DIHEDRAL_COUNT; d++) {
        float bd[16 * 16];
        dihedral_coeffs(b, d, bd);
        hm__pdq_bits(bd, hashes[d]);
    }
}

/* ------------------------------------------------------------------------ */
/* Whole hash and sources                                                   */
/* ------------------------------------------------------------------------ */

void hm__pdq_hash_source(const hm__pdq_source *src, float *work, int dihedral, hm_hashes *out)
{
    memset(out->pdq, 0, sizeof out->pdq);
    memset(out->pdq_dihedral, 0, sizeof out->pdq_dihedral);
    out->pdq_quality = 0;
    out->has_pdq_dihedral = dihedral != 0;
    if (src->width < PDQ_MIN_DIM || src->height < PDQ_MIN_DIM) {
        /* Still pull every row: a source may produce something on the way
         * (the image source writes Pillow's plane). */
        for (uint32_t y = 0; y < src->height; y += BLOCK)
            src->rows(src->ctx, y, src->height - y < BLOCK ? src->height - y : BLOCK, work);
        return;
    }
    float a[PDQ_OUT * PDQ_OUT], b[16 * 16];
    hm__pdq_filter(src, work, a);
    out->pdq_quality = hm__pdq_quality(a);
    hm__pdq_dct(a, b);
    if (dihedral) {
        hm__pdq_dihedral(b, out->pdq_dihedral);
        memcpy(out->pdq, out->pdq_dihedral[0], HM_PDQ_BYTES);
    } else {
        hm__pdq_bits(b, out->pdq);
    }
}

/* The vPDQ reference skips the filter for a 64x64 frame (only reachable with
 * its -s 64), where the image reference's dihedral path, which this
 * library's image hashing follows, filters with window 1: not an identity in
 * float, since (s + x[k]) - x[k-1] rounds. */
void hm__pdq_hash_frame(const hm__pdq_source *src, float *work, uint8_t hash[HM_PDQ_BYTES],
                        int *quality)
{
    float a[PDQ_OUT * PDQ_OUT], b[16 * 16];
    if (src->width == PDQ_OUT && src->height == PDQ_OUT) {
        for (uint32_t y = 0; y < PDQ_OUT; y += BLOCK)
            memcpy(a + (size_t)y * PDQ_OUT, src->rows(src->ctx, y, BLOCK, work),
                   sizeof(float) * BLOCK * PDQ_OUT);
    } else {
        hm__pdq_filter(src, work, a);
    }
    *quality = hm__pdq_quality(a);
    hm__pdq_dct(a, b);
    hm__pdq_bits(b, hash);
}

static const float *plane_rows(void *ctx, uint32_t y, uint32_t n, float *buf)
{
    const hm__pdq_plane *p = ctx;
    (void)n, (void)buf;
    return p->luma + (size_t)y * p->width;
}

hm__pdq_source hm__pdq_plane_source(hm__pdq_plane *ctx, const float *luma, uint32_t w,
                                    uint32_t h)
{
    ctx->luma = luma;
    ctx->width = w;
    hm__pdq_source s = {w, h, plane_rows, ctx};
    return s;
}

void hm__pdq_hash(const float *luma, uint32_t w, uint32_t h, float *work, int dihedral,
                  hm_hashes *out)
{
    hm__pdq_plane ctx;
    hm__pdq_source src = hm__pdq_plane_source(&ctx, luma, w, h);
    hm__pdq_hash_source(&src, work, dihedral, out);
}

/* Rows y .. y+n-1 with Pillow's luma handed to the imagehash stream in
 * pieces that fit its block. */
static void rows_to_stream(hm__pdq_image_ctx *c, uint32_t y, uint32_t n, float *buf)
{
    size_t w = c->px.width;
    for (uint32_t done = 0; done < n;) {
        uint32_t m = hm__ih_stream_room(c->ih);
        if (m > n - done) m = n - done;
        hm__luma_rows(&c->px, y + done, m, buf + done * w, hm__ih_stream_next(c->ih));
        hm__ih_stream_commit(c->ih, m);
        done += m;
    }
}

static const float *rgb_rows(void *ctx, uint32_t y, uint32_t n, float *buf)
{
    const hm__pdq_rgb_ctx *c = ctx;
    for (uint32_t r = 0; r < n; r++)
        hm__luma_rgb_row(c->rgb + (size_t)(y + r) * c->stride, c->width, buf + (size_t)r * c->width);
    return buf;
}

hm__pdq_source hm__pdq_rgb_source(hm__pdq_rgb_ctx *ctx, const uint8_t *rgb, size_t stride,
                                  uint32_t w, uint32_t h)
{
    ctx->rgb = rgb;
    ctx->stride = stride;
    ctx->width = w;
    hm__pdq_source s = {w, h, rgb_rows, ctx};
    return s;
}

static const float *image_rows(void *ctx, uint32_t y, uint32_t n, float *buf)
{
    hm__pdq_image_ctx *c = ctx;
    if (c->ih) {
        rows_to_stream(c, y, n, buf);
        return buf;
    }
    uint8_t *pil = c->pil ? c->pil + (size_t)y * c->px.width : NULL;
    hm__luma_rows(&c->px, y, n, buf, pil);
    return buf;
}

hm__pdq_source hm__pdq_pixels_source(hm__pdq_image_ctx *ctx, const hm__pixview *v,
                                     struct hm__ih_stream *ih)
{
    ctx->px = *v;
    ctx->pil = NULL;
    ctx->ih = ih;
    hm__luma_tables_init(&ctx->tables);
    hm__pdq_source s = {v->width, v->height, image_rows, ctx};
    return s;
}

hm__pdq_source hm__pdq_image_source(hm__pdq_image_ctx *ctx, const hm_image *img, uint8_t *pil)
{
    hm__pixview v;
    hm__pixview_of_image(&v, img);
    hm__pdq_source s = hm__pdq_pixels_source(ctx, &v, NULL);
    ctx->pil = pil;
    return s;
}

static const float *squash_rows(void *ctx, uint32_t y, uint32_t n, float *buf)
{
    const hm__pdq_squash_ctx *c = ctx;
    const hm__pixview *v = &c->image.px;
    const hm__luma_tables *t = &c->image.tables;
    int grey = hm__pixview_channels(v) == 1;
    for (uint32_t r = 0; r < n; r++) {
        const uint8_t *src = hm__pixview_row(v, c->row[y + r]);
        float *dst = buf + (size_t)r * 512;
        if (grey)
            for (int x = 0; x < 512; x++) dst[x] = (float)src[c->col[x]];
        else
            for (int x = 0; x < 512; x++) {
                const uint8_t *p = src + 3 * (size_t)c->col[x];
                dst[x] = (t->r[p[0]] + t->g[p[1]]) + t->b[p[2]];
            }
    }
    return buf;
}

/* floor(i * n / 512) as the reference tool computes it in double (exact here:
 * i * n < 2^53). */
static uint32_t squash_index(uint32_t i, uint32_t n) { return (uint32_t)floor((double)i * n / 512.0); }

int hm__pdq_cli512_pixels(hm__pdq_squash_ctx *ctx, const hm__pixview *v, hm__pdq_source *out)
{
    *out = hm__pdq_pixels_source(&ctx->image, v, NULL);
    if (v->width <= 512 && v->height <= 512) return 0;
    for (uint32_t i = 0; i < 512; i++) {
        ctx->col[i] = squash_index(i, v->width);
        ctx->row[i] = squash_index(i, v->height);
    }
    out->width = out->height = 512;
    out->rows = squash_rows;
    out->ctx = ctx;
    return 1;
}

int hm__pdq_cli512_source(hm__pdq_squash_ctx *ctx, const hm_image *img, hm__pdq_source *out)
{
    hm__pixview v;
    hm__pixview_of_image(&v, img);
    return hm__pdq_cli512_pixels(ctx, &v, out);
}
