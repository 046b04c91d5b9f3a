/* test_imagehash.c - aHash/dHash/pHash/wHash against Python's imagehash.
 *
 * Self-contained suites: the Lanczos resampler against hand-derived values,
 * numbers Pillow printed once, and a slow whole-matrix model of the spec; the
 * DCT-II on flat and symmetric images (exact zeros as scipy gives them); the
 * Haar steps against a plain full-array transcription of pywt and values pywt
 * printed once; the bit order of the hex form.
 * Conformance suite (needs ../shared/vectors): the 62 images x 4 hashes of
 * vectors.tsv through the real decoders, and every stage of intermediates.json. */
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/hash_internal.h"
#include "hash/ih_kernels.h"
#include "hash/imagehash.h"
#include "testutil.h"
#include "tinyjson.h"

static void *xmalloc(size_t n)
{
    void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);
    if (!p) abort();
    return p;
}

/* The kernel tables this machine runs: scalar, then every SIMD tier. */
static const hm__ih_kernels *tier_at(int i) { return hm__ih_kernels_for((hm__ih_tier)i); }

/* scalar = Pillow's plain loops (the reference); fast = the widest tier. Every
 * tier this machine runs must equal the reference too. */
static void resize_both(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *fast,
                        uint8_t *scalar, uint32_t ow, uint32_t oh)
{
    void *work = xmalloc(hm__pil_resize_work_bytes(w, h, ow, oh));
    uint8_t *t = xmalloc((size_t)ow * oh);
    hm__pil_resize_scalar(src, w, h, scalar, ow, oh, work);
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        if (!tier_at(i)) continue;
        hm__pil_resize_k(tier_at(i), src, w, h, t, ow, oh, work);
        int same = !memcmp(t, scalar, (size_t)ow * oh);
        if (!same)
            fprintf(stderr, "resize %ux%u -> %ux%u: tier %s differs from the reference\n", w, h,
                    ow, oh, hm__ih_tier_name((hm__ih_tier)i));
        CU_ASSERT(same);
    }
    hm__pil_resize(src, w, h, fast, ow, oh, work);
    free(t);
    free(work);
}

/* ---------------------------------------------------------------------- */
/* Resampler                                                               */
/* ---------------------------------------------------------------------- */

/* 2 -> 4 pixels wide (1 row: no vertical pass). Derived by hand from the spec:
 * scale 0.5, support 3, centres 0.25, 0.75, 1.25, 1.75, both source pixels in
 * every window. Output 0: lanczos(0.25) = 0.900316 * 0.988616 = 0.890067,
 * lanczos(1.25) = -0.180063 * 0.737913 = -0.132871; normalised 1.175480 and
 * -0.175480. Output 1: lanczos(-0.25) = 0.890067, lanczos(0.75) = 0.300105 *
 * 0.900316 = 0.270190; normalised 0.767129, 0.232871. Outputs 2, 3 mirror.
 * For (100, 200): 82.452, 123.287, 176.713, 217.548 -> 82, 123, 177, 218.
 * For (0, 255): -44.7 -> 0, 59.38 -> 59, 195.6 -> 196, 299.7 -> 255. */
static void test_resize_hand_2to4(void)
{
    const uint8_t a[2] = {100, 200}, b[2] = {0, 255};
    const uint8_t ea[4] = {82, 123, 177, 218}, eb[4] = {0, 59, 196, 255};
    uint8_t f[4], s[4];
    resize_both(a, 2, 1, f, s, 4, 1);
    CU_ASSERT_EQUAL(memcmp(f, ea, 4), 0);
    CU_ASSERT_EQUAL(memcmp(s, ea, 4), 0);
    resize_both(b, 2, 1, f, s, 4, 1);
    CU_ASSERT_EQUAL(memcmp(f, eb, 4), 0);
    CU_ASSERT_EQUAL(memcmp(s, eb, 4), 0);
    /* The transpose goes through the vertical pass only. */
    resize_both(a, 1, 2, f, s, 1, 4);
    CU_ASSERT_EQUAL(memcmp(f, ea, 4), 0);
    CU_ASSERT_EQUAL(memcmp(s, ea, 4), 0);
}

/* One source pixel: a single weight normalised to exactly 1.0 (2^22), so every
 * output equals the pixel; a flat image stays flat; the same size is a copy. */
static void test_resize_hand_trivial(void)
{
    uint8_t one = 173, out[64], ref[64];
    resize_both(&one, 1, 1, out, ref, 8, 8);
    for (int i = 0; i < 64; i++) CU_ASSERT_EQUAL(out[i], 173);
    uint8_t flat[40 * 30];
    memset(flat, 201, sizeof flat);
    uint8_t o2[32 * 32], r2[32 * 32];
    resize_both(flat, 40, 30, o2, r2, 32, 32);
    for (int i = 0; i < 32 * 32; i++) CU_ASSERT_EQUAL(o2[i], 201);
    uint8_t src[9 * 8];
    for (int i = 0; i < 72; i++) src[i] = (uint8_t)(i * 37);
    uint8_t o3[72], r3[72];
    resize_both(src, 9, 8, o3, r3, 9, 8);
    CU_ASSERT_EQUAL(memcmp(o3, src, 72), 0);
}

/* Upscaling 3x5 -> 8x8. Expected values printed once by Pillow 9.4
 * (Image.fromarray(src, 'L').resize((8, 8), Image.LANCZOS)) and checked in. */
static void test_resize_pillow_3x5_to_8x8(void)
{
    static const uint8_t src[5 * 3] = {12, 200, 37, 255, 0, 128, 90, 91, 92,
                                       3,  250, 60, 180, 20, 140};
    static const uint8_t expect[64] = {
        0,   0,   92,  200, 212, 126, 38,  0,   110, 119, 123, 124, 112, 90,  76,  67,
        255, 248, 146, 27,  0,   50,  122, 165, 174, 164, 107, 41,  26,  65,  110, 137,
        20,  32,  89,  155, 167, 124, 75,  47,  0,   10,  113, 228, 247, 160, 69,  15,
        125, 109, 114, 119, 120, 114, 108, 105, 234, 190, 107, 14,  0,   68,  140, 183};
    uint8_t f[64], s[64];
    resize_both(src, 3, 5, f, s, 8, 8);
    CU_ASSERT_EQUAL(memcmp(f, expect, 64), 0);
    CU_ASSERT_EQUAL(memcmp(s, expect, 64), 0);
}

/* A slow model of the spec: full in x out weight matrices in fixed point, both
 * passes as plain matrix products with 64-bit sums. */
static int32_t *model_weights(uint32_t in, uint32_t out)
{
    int32_t *m = calloc((size_t)in * out, sizeof *m);
    double *w = calloc(in, sizeof *w);
    if (!m || !w) abort();
    double scale = (double)in / out, fs = scale < 1.0 ? 1.0 : scale, support = 3.0 * fs;
    for (uint32_t o = 0; o < out; o++) {
        double center = (o + 0.5) * scale, sum = 0.0;
        int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > (int)in) hi = (int)in;
        for (int x = lo; x < hi; x++) {
            double t = (x - center + 0.5) / fs, v = 0.0;
            if (t >= -3.0 && t < 3.0) {
                double a = t * 3.14159265358979323846, b = a / 3;
                v = (t == 0.0 ? 1.0 : sin(a) / a) * (t == 0.0 ? 1.0 : sin(b) / b);
            }
            w[x] = v;
            sum += v;
        }
        for (int x = lo; x < hi; x++) {
            double v = sum != 0.0 ? w[x] / sum : w[x];
            m[(size_t)o * in + x] = (int32_t)(v < 0 ? v * 4194304.0 - 0.5 : v * 4194304.0 + 0.5);
        }
    }
    free(w);
    return m;
}

static uint8_t model_clip(int64_t acc)
{
    acc >>= 22;
    return (uint8_t)(acc < 0 ? 0 : acc > 255 ? 255 : acc);
}

static void model_resize(const uint8_t *src, uint32_t w, uint32_t h, uint8_t *dst, uint32_t ow,
                         uint32_t oh)
{
    if (w == ow && h == oh) {
        memcpy(dst, src, (size_t)w * h);
        return;
    }
    int32_t *mx = model_weights(w, ow), *my = model_weights(h, oh);
    uint8_t *tmp = malloc((size_t)ow * h);
    if (!tmp) abort();
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t o = 0; o < ow; o++) {
            int64_t acc = 1 << 21;
            for (uint32_t x = 0; x < w; x++) acc += (int64_t)src[(size_t)y * w + x] * mx[(size_t)o * w + x];
            tmp[(size_t)y * ow + o] = w == ow ? src[(size_t)y * w + o] : model_clip(acc);
        }
    for (uint32_t o = 0; o < oh; o++)
        for (uint32_t x = 0; x < ow; x++) {
            int64_t acc = 1 << 21;
            for (uint32_t y = 0; y < h; y++) acc += (int64_t)tmp[(size_t)y * ow + x] * my[(size_t)o * h + y];
            dst[(size_t)o * ow + x] = h == oh ? tmp[(size_t)o * ow + x] : model_clip(acc);
        }
    free(tmp);
    free(mx);
    free(my);
}

static void check_against_model(tu_rng *r, uint32_t w, uint32_t h, uint32_t ow, uint32_t oh,
                                 int smooth)
{
    uint8_t *src = malloc((size_t)w * h), *m = malloc((size_t)ow * oh);
    uint8_t *f = malloc((size_t)ow * oh), *s = malloc((size_t)ow * oh);
    if (!src || !m || !f || !s) abort();
    for (size_t i = 0; i < (size_t)w * h; i++)
        src[i] = smooth ? (uint8_t)((i % w) * 255 / w ^ (i / w) * 3) : (uint8_t)tu_rng_next(r);
    model_resize(src, w, h, m, ow, oh);
    resize_both(src, w, h, f, s, ow, oh);
    int ok_f = !memcmp(f, m, (size_t)ow * oh), ok_s = !memcmp(s, m, (size_t)ow * oh);
    if (!ok_f || !ok_s)
        fprintf(stderr, "resize %ux%u -> %ux%u differs from the model (simd %d scalar %d)\n", w, h,
                ow, oh, !ok_f, !ok_s);
    CU_ASSERT(ok_f);
    CU_ASSERT(ok_s);
    free(src);
    free(m);
    free(f);
    free(s);
}

static void test_resize_model(void)
{
    tu_rng r;
    tu_rng_seed(&r, 20240611);
    /* Downscaling, upscaling, one axis only, odd widths, windows wider than the
     * image (SIMD falls back), and hash sizes. */
    static const uint32_t cases[][4] = {
        {3, 5, 8, 8},     {5, 3, 9, 8},     {10, 10, 32, 32}, {64, 64, 8, 8},   {100, 37, 9, 8},
        {37, 100, 32, 32}, {301, 7, 8, 8},  {7, 301, 8, 8},   {640, 20, 32, 32}, {20, 640, 9, 8},
        {200, 150, 128, 128}, {257, 129, 64, 64}, {48, 48, 48, 8}, {48, 48, 8, 48}, {33, 65, 31, 17},
        {16, 16, 17, 3}, {1, 9, 8, 8},     {9, 1, 8, 8},     {130, 90, 100, 70}, {8, 8, 1, 1},
        /* factors over ~130: every weight fits int16 (the one-multiply kernels) */
        {2100, 12, 8, 8}, {12, 2100, 9, 8}, {1500, 700, 9, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_against_model(&r, cases[i][0], cases[i][1], cases[i][2], cases[i][3], 0);
        check_against_model(&r, cases[i][0], cases[i][1], cases[i][2], cases[i][3], 1);
    }
    for (int t = 0; t < 40; t++) {
        uint32_t w = 1 + tu_rng_below(&r, 150), h = 1 + tu_rng_below(&r, 150);
        uint32_t ow = 1 + tu_rng_below(&r, 70), oh = 1 + tu_rng_below(&r, 70);
        check_against_model(&r, w, h, ow, oh, t & 1);
    }
}

/* Every tier against the reference on larger random images: long windows
 * (dot products, split and int16 weights), short ones (transposed blocks),
 * upscaling, one axis only, odd sizes and heights that are not multiples of
 * the block heights. */
static void test_resize_tiers(void)
{
    tu_rng r;
    tu_rng_seed(&r, 77031);
    static const uint32_t cases[][4] = {
        {1201, 803, 8, 8},   {1201, 803, 9, 8},    {1201, 803, 32, 32},  {1201, 803, 512, 512},
        {803, 1201, 512, 512}, {777, 333, 256, 256}, {333, 777, 9, 8},  {700, 699, 512, 512},
        {517, 389, 31, 67},  {389, 517, 300, 97},  {129, 65, 200, 130},  {64, 64, 64, 8},
        {700, 300, 700, 17}, {300, 700, 47, 700},  {4000, 40, 8, 8},     {40, 4000, 32, 32},
        {3001, 45, 2048, 32}, {45, 1500, 32, 1024}, {2, 700, 9, 8},      {700, 2, 9, 8}};
    int tiers = 0;
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) tiers += tier_at(i) != NULL;
    printf("\n  resize: %d kernel tiers on this machine:", tiers);
    for (int i = 0; i < HM__IH_TIER_COUNT; i++)
        if (tier_at(i)) printf(" %s", hm__ih_tier_name((hm__ih_tier)i));
    printf("\n");
    CU_ASSERT(tiers >= 2 || !tier_at(HM__IH_SSE2)); /* x86-64 has at least scalar + SSE2 */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t w = cases[c][0], h = cases[c][1], ow = cases[c][2], oh = cases[c][3];
        uint8_t *src = xmalloc((size_t)w * h), *f = xmalloc((size_t)ow * oh);
        uint8_t *s = xmalloc((size_t)ow * oh);
        for (size_t i = 0; i < (size_t)w * h; i++)
            src[i] = c % 3 == 2 ? (uint8_t)((i % w) * 255 / w) : (uint8_t)tu_rng_next(&r);
        resize_both(src, w, h, f, s, ow, oh);
        CU_ASSERT_EQUAL(memcmp(f, s, (size_t)ow * oh), 0);
        free(src);
        free(f);
        free(s);
    }
}

/* Rows fed in blocks of any size give the same as one whole plane. */
static void test_resize_plan_blocks(void)
{
    tu_rng r;
    tu_rng_seed(&r, 5150);
    uint32_t w = 611, h = 419;
    uint8_t *src = xmalloc((size_t)w * h);
    for (size_t i = 0; i < (size_t)w * h; i++) src[i] = (uint8_t)tu_rng_next(&r);
    static const uint32_t sizes[][2] = {{8, 8}, {32, 32}, {256, 256}, {611, 40}, {700, 500}};
    for (size_t c = 0; c < 5; c++) {
        uint32_t ow = sizes[c][0], oh = sizes[c][1];
        uint8_t *ref = xmalloc((size_t)ow * oh), *got = xmalloc((size_t)ow * oh);
        void *work = xmalloc(hm__pil_resize_work_bytes(w, h, ow, oh));
        hm__pil_resize_scalar(src, w, h, ref, ow, oh, work);
        free(work);
        for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
            if (!tier_at(i)) continue;
            hm__rs_plan p;
            work = xmalloc(hm__rs_plan_bytes(w, h, ow, oh));
            hm__rs_plan_init(&p, tier_at(i), w, h, ow, oh, work, NULL, 0);
            uint32_t pad = hm__rs_plan_wide_pad(&p);
            CU_ASSERT(pad <= hm__rs_wide_pad(w, ow));
            size_t ws = w + pad;
            int16_t *wide = xmalloc(ws * 37 * sizeof(int16_t));
            for (uint32_t y = 0, n; y < h; y += n) {
                n = 1 + tu_rng_below(&r, 37);
                if (n > h - y) n = h - y;
                hm__rs_widen(src + (size_t)y * w, w, n, w, pad, wide, ws);
                hm__rs_push(&p, src + (size_t)y * w, w, wide, ws, y, n);
            }
            hm__rs_finish(&p, got);
            CU_ASSERT_EQUAL(memcmp(got, ref, (size_t)ow * oh), 0);
            free(wide);
            free(work);
        }
        free(ref);
        free(got);
    }
    free(src);
}

/* ---------------------------------------------------------------------- */
/* DCT                                                                     */
/* ---------------------------------------------------------------------- */

static void phash_of(const uint8_t px[1024], double d[64], char hex[17])
{
    hm__dct32x32_low8(px, d);
    double med = hm__median64(d);
    uint8_t bits[64], bytes[8];
    for (int i = 0; i < 64; i++) bits[i] = d[i] > med;
    hm__pack_bits64(bits, bytes);
    hm_hex_encode(bytes, 8, hex);
}

/* scipy 1.10: dct(dct(full((32, 32), 128), axis=0), axis=1)[:8, :8] is 2^19 at
 * [0][0] and exactly 0.0 elsewhere; median 0, hash 8000000000000000. */
static void test_dct_constant(void)
{
    uint8_t px[1024];
    memset(px, 128, sizeof px);
    double d[64];
    char hex[17];
    phash_of(px, d, hex);
    CU_ASSERT_EQUAL(d[0], 524288.0);
    for (int i = 1; i < 64; i++) CU_ASSERT_EQUAL(d[i], 0.0);
    CU_ASSERT_STRING_EQUAL(hex, "8000000000000000");
    memset(px, 0, sizeof px);
    phash_of(px, d, hex);
    for (int i = 0; i < 64; i++) CU_ASSERT_EQUAL(d[i], 0.0);
    CU_ASSERT_STRING_EQUAL(hex, "0000000000000000");
}

static uint8_t sym_half(int i, int j) { return (uint8_t)((i * 37 + j * j * 11 + 7) % 256); }

/* Mirror-symmetric images: scipy gives exact zeros in every odd column (32 of
 * the 64 kept), which tie with the median 0. Expected hashes from scipy 1.10
 * once; a plain cosine-sum DCT gives c75cd5555554d41c for the first. */
static void test_dct_symmetric(void)
{
    uint8_t px[1024];
    for (int i = 0; i < 32; i++)
        for (int j = 0; j < 16; j++) px[i * 32 + j] = px[i * 32 + 31 - j] = sym_half(i, j);
    double d[64];
    char hex[17];
    phash_of(px, d, hex);
    int zeros = 0;
    for (int r = 0; r < 8; r++)
        for (int c = 1; c < 8; c += 2) zeros += d[r * 8 + c] == 0.0;
    CU_ASSERT_EQUAL(zeros, 32);
    CU_ASSERT_EQUAL(hm__median64(d), 0.0);
    CU_ASSERT_STRING_EQUAL(hex, "8208800000008008");
    /* Rows mirrored: px[i][j] = half[j][i] for i < 16, mirrored below. */
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++) px[i * 32 + j] = px[(31 - i) * 32 + j] = sym_half(j, i);
    phash_of(px, d, hex);
    CU_ASSERT_STRING_EQUAL(hex, "a200000041008000");
}

/* On generic data the pocketfft path agrees with the definition
 * y_k = 2 sum x_n cos(pi k (2n + 1) / 64) to rounding. */
static void test_dct_definition(void)
{
    tu_rng r;
    tu_rng_seed(&r, 99);
    for (int t = 0; t < 50; t++) {
        double x[32], y[32];
        for (int n = 0; n < 32; n++) x[n] = y[n] = (double)tu_rng_below(&r, 256);
        hm__dct32(y);
        for (int k = 0; k < 32; k++) {
            long double s = 0;
            for (int n = 0; n < 32; n++)
                s += 2.0L * x[n] * cosl(3.141592653589793238462643383279503L * k * (2 * n + 1) / 64);
            CU_ASSERT(fabs(y[k] - (double)s) < 1e-9);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Haar                                                                    */
/* ---------------------------------------------------------------------- */

/* A plain transcription of pywt on whole arrays: every band stored, filters
 * applied as pywt's convolutions do, (0.0 + f[0]*x[2i+1]) + f[1]*x[2i]. */
static const double HH = 0.7071067811865476;

/* x is rows x cols; axis 0 pairs rows, axis 1 pairs columns. */
static void dwt_axis0(const double *x, size_t rows, size_t cols, double *a, double *d)
{
    for (size_t k = 0; k < rows / 2; k++)
        for (size_t c = 0; c < cols; c++) {
            double x0 = x[2 * k * cols + c], x1 = x[(2 * k + 1) * cols + c];
            a[k * cols + c] = (0.0 + HH * x1) + HH * x0;
            d[k * cols + c] = (0.0 + -HH * x1) + HH * x0;
        }
}

static void dwt_axis1(const double *x, size_t rows, size_t cols, double *a, double *d)
{
    size_t h = cols / 2;
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < h; k++) {
            double x0 = x[r * cols + 2 * k], x1 = x[r * cols + 2 * k + 1];
            a[r * h + k] = (0.0 + HH * x1) + HH * x0;
            d[r * h + k] = (0.0 + -HH * x1) + HH * x0;
        }
}

/* pywt's upsampling convolution into a zeroed output: the approximation's
 * contributions first, then the detail's. */
static void idwt_pair(double a, double d, double *y0, double *y1)
{
    double o0 = 0.0, o1 = 0.0;
    o0 += HH * a;
    o1 += HH * a;
    o0 += HH * d;
    o1 += -HH * d;
    *y0 = o0;
    *y1 = o1;
}

static void idwt_axis1(const double *a, const double *d, size_t rows, size_t h, double *y)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < h; k++)
            idwt_pair(a[r * h + k], d[r * h + k], &y[r * 2 * h + 2 * k], &y[r * 2 * h + 2 * k + 1]);
}

static void idwt_axis0(const double *a, const double *d, size_t h, size_t cols, double *y)
{
    for (size_t k = 0; k < h; k++)
        for (size_t c = 0; c < cols; c++)
            idwt_pair(a[k * cols + c], d[k * cols + c], &y[2 * k * cols + c], &y[(2 * k + 1) * cols + c]);
}

static double *dalloc(size_t n)
{
    double *p = malloc(n * sizeof(double));
    if (!p) abort();
    return p;
}

/* x (s x s) -> b = {aa, ad, da, dd} (s/2 x s/2 each, allocated here). */
static void model_dwt2(const double *x, size_t s, double *b[4])
{
    size_t h = s / 2;
    double *ra = dalloc(h * s), *rd = dalloc(h * s);
    for (int j = 0; j < 4; j++) b[j] = dalloc(h * h);
    dwt_axis0(x, s, s, ra, rd);
    dwt_axis1(ra, h, s, b[0], b[1]);
    dwt_axis1(rd, h, s, b[2], b[3]);
    free(ra);
    free(rd);
}

/* b (h x h each) -> a new 2h x 2h array: axis 1 undone first, then axis 0. */
static double *model_idwt2(double *const b[4], size_t h)
{
    double *la = dalloc(2 * h * h), *ld = dalloc(2 * h * h), *y = dalloc(4 * h * h);
    idwt_axis1(b[0], b[1], h, h, la);
    idwt_axis1(b[2], b[3], h, h, ld);
    idwt_axis0(la, ld, h, 2 * h, y);
    free(la);
    free(ld);
    return y;
}

static void model_whash_ll(const uint8_t *px, size_t s, double ll[64])
{
    size_t levels = 0;
    while (((size_t)1 << levels) < s) levels++;
    double *x = dalloc(s * s);
    double *bands[32][4];
    for (size_t i = 0; i < s * s; i++) x[i] = px[i] / 255.0;
    const double *cur = x;
    for (size_t l = 0; l < levels; l++) { /* wavedec2, full depth */
        model_dwt2(cur, s >> l, bands[l]);
        cur = bands[l][0];
    }
    bands[levels - 1][0][0] *= 0; /* coeffs[0] *= 0 */
    double *rec = NULL;
    for (size_t l = levels; l-- > 0;) { /* waverec2 */
        double *b[4] = {rec ? rec : bands[l][0], bands[l][1], bands[l][2], bands[l][3]};
        double *y = model_idwt2(b, s >> (l + 1));
        free(rec);
        rec = y;
    }
    for (size_t side = s; side > 8; side /= 2) { /* wavedec2 down to 8x8 */
        double *b[4];
        model_dwt2(rec, side, b);
        free(rec);
        rec = b[0];
        for (int j = 1; j < 4; j++) free(b[j]);
    }
    memcpy(ll, rec, 64 * sizeof(double));
    free(rec);
    for (size_t l = 0; l < levels; l++)
        for (int j = 0; j < 4; j++) free(bands[l][j]);
    free(x);
}

static void whash_hex(const double ll[64], char hex[17])
{
    double med = hm__median64(ll);
    uint8_t bits[64], bytes[8];
    for (int i = 0; i < 64; i++) bits[i] = ll[i] > med;
    hm__pack_bits64(bits, bytes);
    hm_hex_encode(bytes, 8, hex);
}

/* The best tier's LL; every other tier must give the same bits. */
static void lib_whash_ll(const uint8_t *px, uint32_t s, double ll[64])
{
    double *work = xmalloc(hm__whash_work_doubles(s) * sizeof(double));
    hm__whash_ll(px, s, work, ll);
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        if (!tier_at(i)) continue;
        double t[64];
        hm__whash_ll_k(tier_at(i), px, s, work, t);
        int same = !memcmp(t, ll, sizeof t);
        if (!same) fprintf(stderr, "whash s=%u: tier %s differs\n", s, hm__ih_tier_name((hm__ih_tier)i));
        CU_ASSERT(same);
    }
    free(work);
}

static uint8_t pattern(const char *kind, uint32_t s, uint32_t i, uint32_t j)
{
    if (!strcmp(kind, "blocks")) return ((i * 8 / s) + (j * 8 / s)) % 3 == 0 ? 255 : 0;
    if (!strcmp(kind, "grad")) return (uint8_t)((i * s + j) * 7 % 256);
    return 77;
}

/* Hashes and LL corners printed once by pywt 1.1.1 running imagehash's steps on
 * these s x s images (x = p / 255.0, no resize). The block image ties: its
 * hash at s = 8 differs from s = 16 and 32 only through rounding. */
static void test_haar_pywt_values(void)
{
    static const struct {
        const char *kind;
        uint32_t s;
        const char *hex;
        double ll00, ll77;
    } cases[] = {
        {"blocks", 8, "922449922449b234", 0x1.5800000000001p-1, -0x1.5000000000001p-2},
        {"grad", 8, "0000fffff80007ff", -0x1.c3c3c3c3c3c41p-2, 0x1.2323232323236p-2},
        {"flat", 8, "0000000000000000", 0.0, 0.0},
        {"blocks", 16, "9224499224499224", 0x1.5800000000003p+0, -0x1.5000000000001p-1},
        {"grad", 16, "07c0781ec7f07c1f", -0x1.1111111111114p-1, 0x1.f1f1f1f1f1f20p-2},
        {"flat", 16, "0000000000000000", 0.0, 0.0},
        {"blocks", 32, "9224499224499224", 0x1.5800000000005p+1, -0x1.5000000000001p+0},
        {"grad", 32, "c13ec13ec13ec13e", 0x1.b1b1b1b1b1b2cp-2, -0x1.0909090909090p-1},
        {"flat", 32, "0000000000000000", 0.0, 0.0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t s = cases[c].s;
        uint8_t *px = malloc((size_t)s * s);
        if (!px) abort();
        for (uint32_t i = 0; i < s; i++)
            for (uint32_t j = 0; j < s; j++) px[i * s + j] = pattern(cases[c].kind, s, i, j);
        double ll[64], ref[64];
        char hex[17];
        lib_whash_ll(px, s, ll);
        whash_hex(ll, hex);
        CU_ASSERT_STRING_EQUAL(hex, cases[c].hex);
        CU_ASSERT_EQUAL(ll[0], cases[c].ll00);
        CU_ASSERT_EQUAL(ll[63], cases[c].ll77);
        model_whash_ll(px, s, ref);
        CU_ASSERT_EQUAL(memcmp(ll, ref, sizeof ll), 0);
        free(px);
    }
}

/* Hand-computed: a black image gives 0.0 everywhere; a single 2x2 block of
 * ones at s = 8 (no second decomposition) is rebuilt exactly as its own
 * detail bands minus the removed mean, which a uniform image lacks. */
static void test_haar_hand(void)
{
    uint8_t px[64];
    double ll[64];
    memset(px, 0, sizeof px);
    lib_whash_ll(px, 8, ll);
    for (int i = 0; i < 64; i++) CU_ASSERT_EQUAL(ll[i], 0.0);
    /* Uniform 255 at s = 8: x = 1, and the mean is all there is. After
     * removing it every value is within rounding of 0 and none exceeds the
     * median by more than 1e-15. */
    memset(px, 255, sizeof px);
    lib_whash_ll(px, 8, ll);
    for (int i = 0; i < 64; i++) CU_ASSERT(fabs(ll[i]) < 1e-14);
    /* One bright 2x2 block at s = 8: the mean 4/64 is removed, so the block
     * holds 1 - 1/16 = 0.9375 and the rest -0.0625, to rounding. */
    memset(px, 0, sizeof px);
    px[0] = px[1] = px[8] = px[9] = 255;
    lib_whash_ll(px, 8, ll);
    for (int i = 0; i < 64; i++) {
        int in = (i == 0 || i == 1 || i == 8 || i == 9);
        CU_ASSERT(fabs(ll[i] - (in ? 0.9375 : -0.0625)) < 1e-14);
    }
}

static void test_haar_model_random(void)
{
    tu_rng r;
    tu_rng_seed(&r, 4242);
    for (uint32_t s = 8; s <= 256; s *= 2)
        for (int t = 0; t < 4; t++) {
            uint8_t *px = malloc((size_t)s * s);
            if (!px) abort();
            /* t = 0, 1: noise; 2, 3: few levels (ties) */
            for (size_t i = 0; i < (size_t)s * s; i++)
                px[i] = t < 2 ? (uint8_t)tu_rng_next(&r) : (uint8_t)(tu_rng_below(&r, 3) * 127);
            double ll[64], ref[64];
            lib_whash_ll(px, s, ll);
            model_whash_ll(px, s, ref);
            CU_ASSERT_EQUAL(memcmp(ll, ref, sizeof ll), 0);
            free(px);
        }
}

/* Each tier's row kernels against the scalar ones bit for bit, for every row
 * length 1..40 (vector bodies and tails), on values with ties and noise. */
static void test_haar_row_kernels(void)
{
    tu_rng r;
    tu_rng_seed(&r, 808);
    const hm__ih_kernels *ref = tier_at(HM__IH_SCALAR);
    double hx[256];
    for (int v = 0; v < 256; v++) hx[v] = 0.7071067811865476 * (v / 255.0);
    for (uint32_t half = 1; half <= 40; half++) {
        double a0[80], a1[80], c[40], e0[80], e1[80], ec[40], g0[80], g1[80], gc[40];
        uint8_t p0[80], p1[80];
        for (uint32_t j = 0; j < 2 * half; j++) {
            a0[j] = (double)tu_rng_below(&r, 256) / 255.0 * (j % 3 ? 0.7071067811865476 : 1.0);
            a1[j] = j % 5 ? a0[j] : (double)tu_rng_below(&r, 3) / 7.0;
            p0[j] = (uint8_t)tu_rng_next(&r);
            p1[j] = j % 4 ? p0[j] : (uint8_t)tu_rng_below(&r, 3);
        }
        for (uint32_t j = 0; j < half; j++) c[j] = (double)tu_rng_below(&r, 1000) / 999.0 - 0.5;
        for (int i = 1; i < HM__IH_TIER_COUNT; i++) {
            const hm__ih_kernels *k = tier_at(i);
            if (!k) continue;
            ref->haar_approx(a0, a1, half, ec);
            k->haar_approx(a0, a1, half, gc);
            CU_ASSERT_EQUAL(memcmp(ec, gc, half * sizeof(double)), 0);
            ref->haar_approx_px(p0, p1, half, hx, ec);
            k->haar_approx_px(p0, p1, half, hx, gc);
            CU_ASSERT_EQUAL(memcmp(ec, gc, half * sizeof(double)), 0);
            memcpy(ec, c, sizeof c);
            memcpy(gc, c, sizeof c);
            ref->haar_rebuild_px(p0, p1, half, hx, ec);
            k->haar_rebuild_px(p0, p1, half, hx, gc);
            CU_ASSERT_EQUAL(memcmp(ec, gc, half * sizeof(double)), 0);
            memcpy(e0, a0, sizeof a0);
            memcpy(e1, a1, sizeof a1);
            memcpy(g0, a0, sizeof a0);
            memcpy(g1, a1, sizeof a1);
            ref->haar_rebuild(e0, e1, half, c);
            k->haar_rebuild(g0, g1, half, c);
            CU_ASSERT_EQUAL(memcmp(e0, g0, 2 * half * sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(e1, g1, 2 * half * sizeof(double)), 0);
        }
    }
}

static void test_whash_scale(void)
{
    CU_ASSERT_EQUAL(hm__whash_scale(5, 3), 8);
    CU_ASSERT_EQUAL(hm__whash_scale(1, 1), 8);
    CU_ASSERT_EQUAL(hm__whash_scale(16, 2000), 16);
    CU_ASSERT_EQUAL(hm__whash_scale(1000, 872), 512);
    CU_ASSERT_EQUAL(hm__whash_scale(1024, 1024), 1024);
    CU_ASSERT_EQUAL(hm__whash_scale(1023, 5000), 512);
    CU_ASSERT_EQUAL(hm__whash_scale(4032, 3024), 2048);
    CU_ASSERT_EQUAL(hm__whash_scale(0xffffffffu, 0xffffffffu), 0x80000000u);
}

/* ---------------------------------------------------------------------- */
/* Bits and hex                                                            */
/* ---------------------------------------------------------------------- */

static void test_hex_format(void)
{
    uint8_t bits[64] = {0}, bytes[8];
    char hex[17];
    bits[0] = 1; /* first bit: most significant of the first hex digit */
    hm__pack_bits64(bits, bytes);
    hm_hex_encode(bytes, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "8000000000000000");
    memset(bits, 0, sizeof bits);
    bits[63] = 1;
    bits[4] = 1;
    hm__pack_bits64(bits, bytes);
    hm_hex_encode(bytes, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "0800000000000001");
    /* imagehash's own bit string of the aHash of imagehash.png, row by row */
    const char *bitstr = "1111111111010111100100011000000110000001110010011111111111111111";
    for (int i = 0; i < 64; i++) bits[i] = bitstr[i] == '1';
    hm__pack_bits64(bits, bytes);
    hm_hex_encode(bytes, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ffd7918181c9ffff");
    /* aHash: p > mean, computed in integers (mean 127.5 here: ties excluded) */
    uint8_t px[64];
    for (int i = 0; i < 64; i++) px[i] = i < 32 ? 127 : 128;
    hm_hashes h;
    memset(&h, 0, sizeof h);
    void *work = xmalloc(hm__imagehash_work_bytes(8, 8, HM_MASK(HM_ALGO_AHASH)));
    hm__imagehash(px, 8, 8, HM_MASK(HM_ALGO_AHASH), work, &h);
    hm_hex_encode(h.ahash, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "00000000ffffffff");
    memset(px, 9, sizeof px); /* all equal to the mean: no bit set */
    hm__imagehash(px, 8, 8, HM_MASK(HM_ALGO_AHASH) , work, &h);
    hm_hex_encode(h.ahash, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "0000000000000000");
    free(work);
}

/* ---------------------------------------------------------------------- */
/* Luma                                                                    */
/* ---------------------------------------------------------------------- */

/* Every tier's luma kernel equals both formulas, bit for bit, on every one
 * of the 2^24 colours (rows of 65536 = 256 G x 256 B, one per R), with one
 * plane requested or both, and at lengths 1..99 (vector bodies and tails). */
static void test_luma_tiers(void)
{
    enum { N = 65536 };
    uint8_t *px = xmalloc(3 * N + 64), *pil = xmalloc(N), *pil2 = xmalloc(N);
    float *pdq = xmalloc(N * sizeof(float)), *pdq2 = xmalloc(N * sizeof(float));
    for (int t = 0; t < HM__IH_TIER_COUNT; t++) {
        const hm__ih_kernels *k = tier_at(t);
        if (!k) continue;
        unsigned bad_pdq = 0, bad_pil = 0, bad_single = 0;
        for (unsigned r = 0; r < 256; r++) {
            for (unsigned i = 0; i < N; i++) {
                px[3 * i] = (uint8_t)r;
                px[3 * i + 1] = (uint8_t)(i >> 8);
                px[3 * i + 2] = (uint8_t)i;
            }
            k->luma_rgb(px, N, pdq, pil);
            for (unsigned i = 0; i < N; i++) {
                unsigned g = i >> 8, b = i & 255;
                float want = (0.299f * (float)r + 0.587f * (float)g) + 0.114f * (float)b;
                bad_pdq += memcmp(&pdq[i], &want, sizeof want) != 0;
                bad_pil += pil[i] != (uint8_t)((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16);
            }
            if (r % 51 == 0) { /* one plane at a time */
                k->luma_rgb(px, N, pdq2, NULL);
                k->luma_rgb(px, N, NULL, pil2);
                bad_single += memcmp(pdq, pdq2, N * sizeof(float)) != 0 || memcmp(pil, pil2, N) != 0;
            }
        }
        tu_rng rng;
        tu_rng_seed(&rng, 12);
        for (size_t n = 1; n < 100; n++) {
            for (size_t i = 0; i < 3 * n; i++) px[i] = (uint8_t)tu_rng_next(&rng);
            hm__luma_rgb_scalar(px, n, pdq2, pil2);
            memset(pil, 0, n + 1);
            k->luma_rgb(px, n, pdq, pil);
            bad_single += memcmp(pdq, pdq2, n * sizeof(float)) != 0 || memcmp(pil, pil2, n) != 0 ||
                          pil[n] != 0;
        }
        if (bad_pdq || bad_pil || bad_single)
            fprintf(stderr, "luma tier %s: %u float, %u byte, %u partial mismatches\n",
                    hm__ih_tier_name((hm__ih_tier)t), bad_pdq, bad_pil, bad_single);
        CU_ASSERT_EQUAL(bad_pdq, 0);
        CU_ASSERT_EQUAL(bad_pil, 0);
        CU_ASSERT_EQUAL(bad_single, 0);
    }
    free(px);
    free(pil);
    free(pil2);
    free(pdq);
    free(pdq2);
}

/* ---------------------------------------------------------------------- */
/* The engine: all four hashes from one pass over the rows                 */
/* ---------------------------------------------------------------------- */

static void hashes_hex(const hm_hashes *h, char hex[4][17])
{
    hm_hex_encode(h->ahash, 8, hex[0]);
    hm_hex_encode(h->dhash, 8, hex[1]);
    hm_hex_encode(h->phash, 8, hex[2]);
    hm_hex_encode(h->whash, 8, hex[3]);
}

/* Every tier, from a plane and from the RGB image (luma block by block),
 * all four at once, must equal each hash computed alone by the scalar tier
 * from the plane; and hm_hash_image must agree. */
static void test_engine_tiers(void)
{
    tu_rng r;
    tu_rng_seed(&r, 31337);
    static const uint32_t dims[][2] = {{1, 1},   {7, 5},     {9, 8},     {64, 64},  {65, 200},
                                       {300, 17}, {257, 513}, {640, 480}, {1030, 770}};
    const uint32_t all = HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) |
                         HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_WHASH);
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        uint32_t w = dims[d][0], h = dims[d][1];
        uint8_t *rgb = xmalloc((size_t)w * h * 3), *L = xmalloc((size_t)w * h);
        for (size_t i = 0; i < (size_t)w * h * 3; i++)
            rgb[i] = d % 2 ? (uint8_t)tu_rng_next(&r) : (uint8_t)((i / 3 % w) * 255 / w + tu_rng_below(&r, 9));
        hm_image *img = NULL;
        CU_ASSERT_EQUAL_FATAL(hm_image_from_pixels(w, h, 3, rgb, (size_t)w * 3, &img), HM_OK);
        hm__luma(img, NULL, L);
        /* scratch aligned only as malloc's (16 bytes): the kernels must cope */
        uint8_t *block = xmalloc(hm__imagehash_work_bytes(w, h, all) + 64);
        void *work = block + 16;
        hm_hashes ref, got;
        memset(&ref, 0, sizeof ref);
        for (int a = HM_ALGO_AHASH; a <= HM_ALGO_WHASH; a++)
            hm__imagehash_k(tier_at(HM__IH_SCALAR), L, w, h, HM_MASK(a), work, &ref);
        char want[4][17], have[4][17];
        hashes_hex(&ref, want);
        for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
            if (!tier_at(i)) continue;
            memset(&got, 0, sizeof got);
            hm__imagehash_k(tier_at(i), L, w, h, all, work, &got);
            hashes_hex(&got, have);
            for (int a = 0; a < 4; a++) CU_ASSERT_STRING_EQUAL(have[a], want[a]);
            memset(&got, 0, sizeof got);
            hm__imagehash_image_k(tier_at(i), img, all, work, &got);
            hashes_hex(&got, have);
            for (int a = 0; a < 4; a++) CU_ASSERT_STRING_EQUAL(have[a], want[a]);
        }
        hm_hash_options opt;
        memset(&opt, 0, sizeof opt);
        opt.algos = all;
        CU_ASSERT_EQUAL(hm_hash_image(img, &opt, &got, NULL), HM_OK);
        hashes_hex(&got, have);
        for (int a = 0; a < 4; a++) CU_ASSERT_STRING_EQUAL(have[a], want[a]);
        opt.algos = all | HM_MASK(HM_ALGO_PDQ); /* Pillow's plane from PDQ's pass */
        CU_ASSERT_EQUAL(hm_hash_image(img, &opt, &got, NULL), HM_OK);
        hashes_hex(&got, have);
        for (int a = 0; a < 4; a++) CU_ASSERT_STRING_EQUAL(have[a], want[a]);
        free(block);
        hm_image_free(img);
        free(rgb);
        free(L);
    }
}

/* ---------------------------------------------------------------------- */
/* Conformance with imagehash 4.3.2 (../shared/vectors/imagehash)            */
/* ---------------------------------------------------------------------- */

static int same_matrix(const uint8_t *p, const tj_value *rows, uint32_t w, uint32_t h)
{
    if (tj_count(rows) != h) return 0;
    for (uint32_t r = 0; r < h; r++) {
        const tj_value *row = tj_at(rows, r);
        if (tj_count(row) != w) return 0;
        for (uint32_t c = 0; c < w; c++)
            if (tj_number(tj_at(row, c), -1) != p[r * w + c]) return 0;
    }
    return 1;
}

static int sha256_hex_equal(const uint8_t *data, size_t size, const char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char got[2 * EVP_MAX_MD_SIZE + 1];
    if (!EVP_Digest(data, size, md, &len, EVP_sha256(), NULL) || len != 32) return 0;
    hm_hex_encode(md, 32, got);
    return hex && !strcmp(got, hex);
}

typedef struct {
    int images, decoded, hashes[4], luma, r8, r9, r32, rs;
} tally;

/* Every tier's resize of L to ow x oh: 1 when each equals Pillow's matrix
 * (rows != NULL) or SHA-256 (sha != NULL). */
static int tiers_match(const uint8_t *L, uint32_t w, uint32_t h, uint32_t ow, uint32_t oh,
                       const tj_value *rows, const char *sha)
{
    void *work = xmalloc(hm__pil_resize_work_bytes(w, h, ow, oh));
    uint8_t *p = xmalloc((size_t)ow * oh);
    int ok = 1;
    for (int i = 0; i < HM__IH_TIER_COUNT; i++) {
        if (!tier_at(i)) continue;
        hm__pil_resize_k(tier_at(i), L, w, h, p, ow, oh, work);
        int same = rows ? same_matrix(p, rows, ow, oh) : sha256_hex_equal(p, (size_t)ow * oh, sha);
        if (!same)
            fprintf(stderr, "  resize %ux%u -> %ux%u: tier %s differs from Pillow\n", w, h, ow, oh,
                    hm__ih_tier_name((hm__ih_tier)i));
        ok &= same;
    }
    free(p);
    free(work);
    return ok;
}

/* Decodes once, checks the convert('L') plane and every resize stage with
 * every kernel tier. */
static void check_stages(const char *path, const tj_value *it, tally *t)
{
    hm_image *img = NULL;
    if (hm_image_load(path, NULL, &img, NULL) != HM_OK) return;
    t->decoded++;
    uint32_t w = hm_image_width(img), h = hm_image_height(img);
    uint8_t *L = xmalloc((size_t)w * h);
    hm__luma(img, NULL, L);
    hm_image_free(img);
    t->luma += sha256_hex_equal(L, (size_t)w * h, tj_string(tj_get(it, "L_sha256")));
    t->r8 += tiers_match(L, w, h, 8, 8, tj_get(it, "L8x8"), NULL);
    t->r9 += tiers_match(L, w, h, 9, 8, tj_get(it, "L9x8"), NULL);
    t->r32 += tiers_match(L, w, h, 32, 32, tj_get(it, "L32x32"), NULL);
    uint32_t s = (uint32_t)tj_number(tj_get(it, "whash_image_scale"), 0);
    CU_ASSERT_EQUAL(s, hm__whash_scale(w, h));
    t->rs += tiers_match(L, w, h, s, s, NULL, tj_string(tj_get(it, "Lscale_sha256")));
    free(L);
}

static void check_hashes(const char *path, char **f, tally *t)
{
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) | HM_MASK(HM_ALGO_PHASH) |
                HM_MASK(HM_ALGO_WHASH);
    hm_hashes h;
    hm_error err;
    if (hm_hash_file(path, &opt, &h, &err) != HM_OK) {
        fprintf(stderr, "  %s: %s\n", f[0], err.message);
        return;
    }
    const uint8_t *got[4] = {h.ahash, h.dhash, h.phash, h.whash};
    static const char *const names[4] = {"ahash", "dhash", "phash", "whash"};
    for (int a = 0; a < 4; a++) {
        char hex[17];
        hm_hex_encode(got[a], 8, hex);
        if (!strcmp(hex, f[4 + a]))
            t->hashes[a]++;
        else
            fprintf(stderr, "  %s %s: %s, imagehash %s\n", f[0], names[a], hex, f[4 + a]);
    }
}

static void test_conformance(void)
{
    const char *dir = tu_vectors_dir();
    char *tsv_path = tu_path(dir, "imagehash/vectors.tsv");
    char *json_path = tu_path(dir, "imagehash/intermediates.json");
    size_t size;
    uint8_t *raw = tu_read(tsv_path, &size);
    char *tsv = malloc(size + 1); /* NUL-terminated copy */
    if (!tsv) abort();
    memcpy(tsv, raw, size);
    tsv[size] = '\0';
    free(raw);
    tj_value *json = tj_load(json_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    tally t;
    memset(&t, 0, sizeof t);
    for (char *line = tsv, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (line[0] == '#' || !strncmp(line, "image\t", 6)) continue;
        char *f[10];
        if (tu_split_tabs(line, f, 10) < 8) continue;
        t.images++;
        char *rel = tu_path("imagehash", f[0]);
        char *path = tu_path(dir, rel);
        check_hashes(path, f, &t);
        const tj_value *it = tj_get(json, f[0]);
        CU_ASSERT_PTR_NOT_NULL(it);
        if (it) check_stages(path, it, &t);
        free(rel);
        free(path);
    }
    int n = t.images;
    printf("\n  imagehash conformance over %d images: decoded %d; aHash %d, dHash %d, pHash %d, "
           "wHash %d (%d/%d hashes); convert('L') %d; resize 8x8 %d, 9x8 %d, 32x32 %d, "
           "wHash scale %d\n",
           n, t.decoded, t.hashes[0], t.hashes[1], t.hashes[2], t.hashes[3],
           t.hashes[0] + t.hashes[1] + t.hashes[2] + t.hashes[3], 4 * n, t.luma, t.r8, t.r9, t.r32,
           t.rs);
    CU_ASSERT_EQUAL(n, 62);
    for (int a = 0; a < 4; a++) CU_ASSERT_EQUAL(t.hashes[a], n);
    CU_ASSERT_EQUAL(t.luma, n);
    CU_ASSERT_EQUAL(t.r8, n);
    CU_ASSERT_EQUAL(t.r9, n);
    CU_ASSERT_EQUAL(t.r32, n);
    CU_ASSERT_EQUAL(t.rs, n);
    tj_free(json);
    free(tsv);
    free(tsv_path);
    free(json_path);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test resize[] = {{"hand: 2 -> 4", test_resize_hand_2to4},
                                     {"hand: one pixel, flat, copy", test_resize_hand_trivial},
                                     {"Pillow: 3x5 -> 8x8", test_resize_pillow_3x5_to_8x8},
                                     {"slow model", test_resize_model},
                                     {"every tier: random images", test_resize_tiers},
                                     {"every tier: rows in blocks", test_resize_plan_blocks},
                                     {NULL, NULL}};
    static const tu_test dct[] = {{"constant", test_dct_constant},
                                  {"symmetric", test_dct_symmetric},
                                  {"definition", test_dct_definition},
                                  {NULL, NULL}};
    static const tu_test haar[] = {{"pywt values", test_haar_pywt_values},
                                   {"hand", test_haar_hand},
                                   {"full-array model", test_haar_model_random},
                                   {"every tier: row kernels", test_haar_row_kernels},
                                   {"scale", test_whash_scale},
                                   {NULL, NULL}};
    static const tu_test luma[] = {{"every tier: every colour", test_luma_tiers}, {NULL, NULL}};
    static const tu_test bits[] = {{"hex format", test_hex_format},
                                   {"every tier: engine and hm_hash_image", test_engine_tiers},
                                   {NULL, NULL}};
    static const tu_test conf[] = {{"vectors", test_conformance}, {NULL, NULL}};
    tu_add_suite("resize", resize);
    tu_add_suite("dct", dct);
    tu_add_suite("haar", haar);
    tu_add_suite("luma", luma);
    tu_add_suite("bits", bits);
    if (tu_vectors_dir())
        tu_add_suite("conformance", conf);
    else
        printf("imagehash: ../shared/vectors not found, conformance suite not registered\n");
    return tu_run("test_imagehash");
}
