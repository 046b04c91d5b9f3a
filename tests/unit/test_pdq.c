/* test_pdq.c - PDQ against Meta's reference values (synthetic images rebuilt
 * from their formulas), against a slow float reference written from the
 * spec (the filter on every kernel tier this machine runs), and against a
 * double-precision definition within a tolerance.
 * Self-contained: needs nothing outside the repository. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/hash_internal.h"
#include "hash/ih_kernels.h"
#include "hash/pdq_dct.h"
#include "testutil.h"

/* M_PI of glibc, which -std=c11 hides; the same double. */
#define PI 3.14159265358979323846

/* ------------------------------------------------------------------------ */
/* Synthetic images (vectors/pdq/synthetic/FORMULAS.md)                     */
/* ------------------------------------------------------------------------ */

typedef struct synth {
    uint32_t w, h;
    unsigned ch;
    uint8_t *px;
} synth;

static uint32_t lcg_next(uint32_t *s)
{
    *s = (uint32_t)(((uint64_t)*s * 1103515245u + 12345u) & 0x7fffffffu);
    return (*s >> 16) & 255;
}

static void synth_alloc(synth *s, uint32_t w, uint32_t h, unsigned ch)
{
    s->w = w;
    s->h = h;
    s->ch = ch;
    s->px = malloc((size_t)w * h * ch);
    CU_ASSERT_FATAL(s->px != NULL);
}

static void put(synth *s, uint32_t x, uint32_t y, unsigned r, unsigned g, unsigned b)
{
    uint8_t *p = s->px + ((size_t)y * s->w + x) * s->ch;
    p[0] = (uint8_t)r;
    if (s->ch == 3) {
        p[1] = (uint8_t)g;
        p[2] = (uint8_t)b;
    }
}

/* Builds the named synthetic image; returns 0 if the name is unknown. */
static int synth_build(const char *name, synth *s)
{
    uint32_t st;
    if (!strcmp(name, "tiny_4x4_gray.png")) {
        synth_alloc(s, 4, 4, 1);
        for (uint32_t y = 0; y < 4; y++)
            for (uint32_t x = 0; x < 4; x++) put(s, x, y, x * 16 + y * 64, 0, 0);
    } else if (!strcmp(name, "tiny_5x5_rgb.png")) {
        synth_alloc(s, 5, 5, 3);
        for (uint32_t y = 0; y < 5; y++)
            for (uint32_t x = 0; x < 5; x++) put(s, x, y, x * 50, y * 50, (x + y) * 25);
    } else if (!strcmp(name, "const_100x80_gray128.png")) {
        synth_alloc(s, 100, 80, 1);
        memset(s->px, 128, 100 * 80);
    } else if (!strcmp(name, "hgrad_64x64_gray.png")) {
        synth_alloc(s, 64, 64, 1);
        for (uint32_t y = 0; y < 64; y++)
            for (uint32_t x = 0; x < 64; x++) put(s, x, y, x * 4, 0, 0);
    } else if (!strcmp(name, "checker8_64x64_gray.png")) {
        synth_alloc(s, 64, 64, 1);
        for (uint32_t y = 0; y < 64; y++)
            for (uint32_t x = 0; x < 64; x++) put(s, x, y, ((x / 8) + (y / 8)) % 2 ? 255 : 0, 0, 0);
    } else if (!strcmp(name, "disc_200x150_rgb.png")) {
        synth_alloc(s, 200, 150, 3);
        for (int y = 0; y < 150; y++)
            for (int x = 0; x < 200; x++) {
                int in = (x - 80) * (x - 80) + (y - 70) * (y - 70) < 1600;
                if (in) put(s, (uint32_t)x, (uint32_t)y, 255, 255, 255);
                else put(s, (uint32_t)x, (uint32_t)y, 20, 60, 200);
            }
    } else if (!strcmp(name, "noise_300x200_rgb_lcg12345.png")) {
        synth_alloc(s, 300, 200, 3);
        st = 12345;
        for (size_t i = 0; i < 300 * 200 * 3; i++) s->px[i] = (uint8_t)lcg_next(&st);
    } else if (!strcmp(name, "stripes_1000x40_rgb.png")) {
        synth_alloc(s, 1000, 40, 3);
        for (uint32_t y = 0; y < 40; y++)
            for (uint32_t x = 0; x < 1000; x++)
                put(s, x, y, (x * 7) % 256, (y * 13) % 256, (x / 25) % 2 ? 255 : 0);
    } else if (!strcmp(name, "tall_37x700_gray.png")) {
        synth_alloc(s, 37, 700, 1);
        st = 777;
        for (uint32_t y = 0; y < 700; y++)
            for (uint32_t x = 0; x < 37; x++) put(s, x, y, (y * 255 / 699 + lcg_next(&st) / 8) % 256, 0, 0);
    } else if (!strcmp(name, "ramp_513x300_rgb.png")) {
        synth_alloc(s, 513, 300, 3);
        for (uint32_t y = 0; y < 300; y++)
            for (uint32_t x = 0; x < 513; x++)
                put(s, x, y, (x / 3) % 256, y * 255 / 299, ((x + y) / 4) % 256);
    } else {
        return 0;
    }
    return 1;
}

static hm_image *synth_image(const synth *s)
{
    hm_image *img = NULL;
    CU_ASSERT_FATAL(hm_image_from_pixels(s->w, s->h, s->ch, s->px, (size_t)s->w * s->ch, &img) ==
                    HM_OK);
    return img;
}

static void hash_image(const hm_image *img, hm_pdq_mode mode, int dihedral, hm_hashes *out)
{
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK(HM_ALGO_PDQ);
    opt.pdq_mode = mode;
    opt.pdq_dihedral = dihedral;
    hm_error err;
    CU_ASSERT_EQUAL_FATAL(hm_hash_image(img, &opt, out, &err), HM_OK);
    CU_ASSERT_EQUAL(out->algos, HM_MASK(HM_ALGO_PDQ));
    CU_ASSERT_EQUAL(out->has_pdq_dihedral, dihedral);
}

static int hex_is(const uint8_t bytes[HM_PDQ_BYTES], const char *hex)
{
    char got[HM_PDQ_HEX_SIZE];
    hm_hex_encode(bytes, HM_PDQ_BYTES, got);
    if (!strcmp(got, hex)) return 1;
    fprintf(stderr, "\n    got %s\n   want %s\n", got, hex);
    return 0;
}

/* Columns of synthetic_vectors.tsv. */
enum { C_FILE, C_DIMS, C_CH, C_TOOL, C_TOOLQ, C_FULL, C_FULLQ, C_DIH0, C_NCOLS = C_DIH0 + 8 };

static void test_synthetic_vectors(void)
{
    char *path = tu_path(tu_data_dir(), "pdq/synthetic_vectors.tsv");
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    char line[4096];
    int rows = 0;
    CU_ASSERT_FATAL(fgets(line, sizeof line, f) != NULL); /* header */
    while (fgets(line, sizeof line, f)) {
        char *col[C_NCOLS + 1];
        if (tu_split_tabs(line, col, C_NCOLS + 1) != C_NCOLS) continue;
        synth s = {0};
        CU_ASSERT_FATAL(synth_build(col[C_FILE], &s));
        hm_image *img = synth_image(&s);
        hm_hashes h;
        hash_image(img, HM_PDQ_FULLRES, 0, &h);
        CU_ASSERT(hex_is(h.pdq, col[C_FULL]));
        CU_ASSERT_EQUAL(h.pdq_quality, atoi(col[C_FULLQ]));
        hash_image(img, HM_PDQ_CLI512, 1, &h);
        CU_ASSERT(hex_is(h.pdq, col[C_TOOL]));
        CU_ASSERT_EQUAL(h.pdq_quality, atoi(col[C_TOOLQ]));
        for (int d = 0; d < HM_PDQ_DIHEDRAL_COUNT; d++) CU_ASSERT(hex_is(h.pdq_dihedral[d], col[C_DIH0 + d]));
        hm_image_free(img);
        free(s.px);
        rows++;
    }
    fclose(f);
    free(path);
    CU_ASSERT_EQUAL(rows, 10);
}

/* ------------------------------------------------------------------------ */
/* Slow reference: the spec, written as plainly as possible, column-wise    */
/* ------------------------------------------------------------------------ */

/* One 1-D box pass exactly as the spec words it: per output, add the
 * entering sample, then subtract the leaving one, then divide. */
static void ref_box(const float *in, float *out, int n, int stride, int w)
{
    int half = (w + 2) / 2;
    float sum = 0;
    int count = 0;
    for (int e = 0; e < half - 1; e++) {
        sum += in[e * stride];
        count++;
    }
    for (int i = 0; i < n; i++) {
        int enter = i + half - 1, leave = i - (w - half) - 1;
        if (enter < n) {
            sum += in[enter * stride];
            count++;
        }
        if (leave >= 0) {
            sum -= in[leave * stride];
            count--;
        }
        out[i * stride] = sum / (float)count;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void ref_bits(const float b[256], uint8_t hash[32])
{
    float sorted[256];
    memcpy(sorted, b, sizeof sorted);
    qsort(sorted, 256, sizeof(float), cmp_float);
    float median = sorted[127];
    uint16_t words[16] = {0};
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            if (b[i * 16 + j] > median) words[i] |= (uint16_t)(1u << j);
    char hex[65];
    for (int i = 0; i < 16; i++) snprintf(hex + 4 * i, 5, "%04x", words[15 - i]);
    CU_ASSERT_EQUAL(hm_hex_decode(hex, hash, 32), HM_OK);
}

typedef struct ref_result {
    float a[64 * 64];
    float b[256];
    uint8_t hash[32];
    int quality;
} ref_result;

static void ref_pdq(const float *luma, int W, int H, ref_result *r)
{
    memset(r, 0, sizeof *r);
    if (W < 5 || H < 5) return;
    size_t n = (size_t)W * H;
    float *b1 = malloc(n * sizeof(float)), *b2 = malloc(n * sizeof(float));
    CU_ASSERT_FATAL(b1 && b2);
    memcpy(b1, luma, n * sizeof(float));
    int wx = (W + 127) / 128, wy = (H + 127) / 128;
    for (int rep = 0; rep < 2; rep++) {
        for (int y = 0; y < H; y++) ref_box(b1 + (size_t)y * W, b2 + (size_t)y * W, W, 1, wx);
        for (int x = 0; x < W; x++) ref_box(b2 + x, b1 + x, H, W, wy);
    }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            r->a[i * 64 + j] = b1[(size_t)(int)(((i + 0.5) * H) / 64) * W + (int)(((j + 0.5) * W) / 64)];
    free(b1);
    free(b2);
    int g = 0;
    for (int i = 0; i < 63; i++)
        for (int j = 0; j < 64; j++) g += abs((int)(((r->a[i * 64 + j] - r->a[(i + 1) * 64 + j]) * 100) / 255));
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 63; j++) g += abs((int)(((r->a[i * 64 + j] - r->a[i * 64 + j + 1]) * 100) / 255));
    r->quality = g / 90 > 100 ? 100 : g / 90;
    static float D[16][64];
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++)
            D[i][j] = (float)(scale * cos((PI / 2 / 64.0) * (i + 1) * (2 * j + 1)));
    static float T[16][64];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float s = 0;
            for (int k = 0; k < 64; k++) s += D[i][k] * r->a[k * 64 + j];
            T[i][j] = s;
        }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float s = 0;
            for (int k = 0; k < 64; k++) s += T[i][k] * D[j][k];
            r->b[i * 16 + j] = s;
        }
    ref_bits(r->b, r->hash);
}

/* The filter straight from its definition in double: each window summed
 * afresh. Not bit-exact with the reference (the running float sums round
 * differently), so it is compared within a tolerance only. */
static void naive_filter(const float *luma, int W, int H, double a[64 * 64])
{
    size_t n = (size_t)W * H;
    double *b1 = malloc(n * sizeof(double)), *b2 = malloc(n * sizeof(double));
    CU_ASSERT_FATAL(b1 && b2);
    for (size_t i = 0; i < n; i++) b1[i] = luma[i];
    int wx = (W + 127) / 128, wy = (H + 127) / 128;
    for (int rep = 0; rep < 2; rep++)
        for (int pass = 0; pass < 2; pass++) {
            int len = pass ? H : W, w = pass ? wy : wx, half = (w + 2) / 2;
            for (size_t p = 0; p < n; p++) {
                int x = (int)(p % (size_t)W), y = (int)(p / (size_t)W), i = pass ? y : x;
                int lo = i - (w - half) < 0 ? 0 : i - (w - half);
                int hi = i + half - 1 > len - 1 ? len - 1 : i + half - 1;
                double s = 0;
                for (int k = lo; k <= hi; k++) s += pass ? b1[(size_t)k * W + x] : b1[(size_t)y * W + k];
                b2[p] = s / (hi - lo + 1);
            }
            memcpy(b1, b2, n * sizeof(double));
        }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            a[i * 64 + j] = b1[(size_t)(((2 * i + 1) * (size_t)H) / 128) * W + ((2 * j + 1) * (size_t)W) / 128];
    free(b1);
    free(b2);
}

/* A random image with structure (so hashes have quality): smooth blobs plus
 * noise, RGB or grey. */
static synth random_image(tu_rng *rng, uint32_t w, uint32_t h, unsigned ch)
{
    synth s;
    synth_alloc(&s, w, h, ch);
    double fx = 1 + tu_rng_below(rng, 6), fy = 1 + tu_rng_below(rng, 6);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (unsigned c = 0; c < ch; c++) {
                double v = 128 + 90 * sin(fx * 6.283 * x / w + c) * cos(fy * 6.283 * y / h);
                v += (double)tu_rng_below(rng, 40) - 20;
                s.px[((size_t)y * w + x) * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    return s;
}

static float *spec_luma(const synth *s)
{
    size_t n = (size_t)s->w * s->h;
    float *l = malloc(n * sizeof(float));
    CU_ASSERT_FATAL(l != NULL);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = s->px + i * s->ch;
        l[i] = s->ch == 1 ? (float)p[0]
                          : (0.299f * (float)p[0] + 0.587f * (float)p[1]) + 0.114f * (float)p[2];
    }
    return l;
}

static const uint32_t SHAPES[][2] = {
    {5, 5},     {5, 6},     {6, 5},    {7, 600},  {600, 7},   {8, 8},     {9, 17},
    {64, 64},   {63, 65},   {127, 129}, {128, 128}, {129, 127}, {255, 257}, {256, 256},
    {300, 200}, {513, 300}, {37, 700}, {1000, 40}, {700, 37},  {1004, 1600}, {1600, 1004},
    {2049, 9},  {1281, 40}, {1279, 33}, {17, 41},
};

static size_t filter_tier_runs; /* filters compared with the reference, all tiers */

static void compare_with_reference(const synth *s)
{
    float *luma = spec_luma(s);
    ref_result *ref = malloc(sizeof *ref);
    CU_ASSERT_FATAL(ref != NULL);
    ref_pdq(luma, (int)s->w, (int)s->h, ref);

    /* Stage by stage over the plane source. */
    float *work = malloc(hm__pdq_work_floats(s->w, s->h) * sizeof(float));
    CU_ASSERT_FATAL(work != NULL);
    hm__pdq_plane pctx;
    hm__pdq_source src = hm__pdq_plane_source(&pctx, luma, s->w, s->h);
    float a[64 * 64], b[256];
    /* The filter's row steps on every kernel tier this machine runs. */
    for (int t = 0; t < HM__IH_TIER_COUNT; t++) {
        const hm__ih_kernels *k = hm__ih_kernels_for((hm__ih_tier)t);
        if (!k) continue;
        memset(a, 0xff, sizeof a);
        hm__pdq_filter_k(k, &src, work, a);
        if (memcmp(a, ref->a, sizeof a) != 0)
            fprintf(stderr, "\n    %ux%u: the %s filter differs\n", s->w, s->h,
                    hm__ih_tier_name((hm__ih_tier)t));
        CU_ASSERT(memcmp(a, ref->a, sizeof a) == 0);
        filter_tier_runs++;
    }
    hm__pdq_filter(&src, work, a);
    CU_ASSERT(memcmp(a, ref->a, sizeof a) == 0);
    CU_ASSERT_EQUAL(hm__pdq_quality(a), ref->quality);
    hm__pdq_dct(a, b);
    CU_ASSERT(memcmp(b, ref->b, sizeof b) == 0);
    uint8_t hash[32];
    hm__pdq_bits(b, hash);
    CU_ASSERT(memcmp(hash, ref->hash, 32) == 0);
    free(work);

    /* The whole path from the pixels (luma by table, streamed). */
    hm_image *img = synth_image(s);
    hm_hashes h;
    hash_image(img, HM_PDQ_FULLRES, 0, &h);
    CU_ASSERT(memcmp(h.pdq, ref->hash, 32) == 0);
    CU_ASSERT_EQUAL(h.pdq_quality, ref->quality);
    if (memcmp(h.pdq, ref->hash, 32) != 0) fprintf(stderr, "\n    mismatch at %ux%ux%u\n", s->w, s->h, s->ch);
    hm_image_free(img);
    free(ref);
    free(luma);
}

static void test_matches_slow_reference(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 20240611);
    for (size_t k = 0; k < HM_ARRAY_SIZE(SHAPES); k++) {
        synth s = random_image(&rng, SHAPES[k][0], SHAPES[k][1], k % 3 ? 3 : 1);
        compare_with_reference(&s);
        free(s.px);
    }
    int tiers = 0;
    printf("\n  filter tiers:");
    for (int t = 0; t < HM__IH_TIER_COUNT; t++)
        if (hm__ih_kernels_for((hm__ih_tier)t)) printf(" %s", hm__ih_tier_name((hm__ih_tier)t)), tiers++;
    printf(" ");
    CU_ASSERT_EQUAL(filter_tier_runs, (size_t)tiers * HM_ARRAY_SIZE(SHAPES));
}

/* Below 5 pixels on a side: all-zero hashes, quality 0 (every shape up to 6x6). */
static void test_tiny_images(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 7);
    static const uint8_t zero[32];
    for (uint32_t w = 1; w <= 6; w++)
        for (uint32_t h = 1; h <= 6; h++) {
            synth s = random_image(&rng, w, h, 3);
            hm_image *img = synth_image(&s);
            hm_hashes out;
            hash_image(img, HM_PDQ_FULLRES, 1, &out);
            if (w < 5 || h < 5) {
                CU_ASSERT(memcmp(out.pdq, zero, 32) == 0);
                CU_ASSERT_EQUAL(out.pdq_quality, 0);
                for (int d = 0; d < 8; d++) CU_ASSERT(memcmp(out.pdq_dihedral[d], zero, 32) == 0);
            } else {
                compare_with_reference(&s);
            }
            hm_image_free(img);
            free(s.px);
        }
}

static void test_tolerance_vs_double_definition(void)
{
    static const uint32_t shapes[][2] = {{300, 200}, {513, 300}, {1000, 40}, {129, 700}};
    tu_rng rng;
    tu_rng_seed(&rng, 99);
    for (size_t k = 0; k < HM_ARRAY_SIZE(shapes); k++) {
        synth s = random_image(&rng, shapes[k][0], shapes[k][1], 3);
        float *luma = spec_luma(&s);
        float *work = malloc(hm__pdq_work_floats(s.w, s.h) * sizeof(float));
        double *exact = malloc(64 * 64 * sizeof(double));
        CU_ASSERT_FATAL(work && exact);
        hm__pdq_plane pctx;
        hm__pdq_source src = hm__pdq_plane_source(&pctx, luma, s.w, s.h);
        float a[64 * 64];
        hm__pdq_filter(&src, work, a);
        naive_filter(luma, (int)s.w, (int)s.h, exact);
        double worst = 0;
        for (int i = 0; i < 64 * 64; i++) {
            double d = fabs(a[i] - exact[i]);
            if (d > worst) worst = d;
        }
        CU_ASSERT(worst < 0.01);
        CU_ASSERT(worst > 0); /* the float path does round */
        free(exact);
        free(work);
        free(luma);
        free(s.px);
    }
}

/* ------------------------------------------------------------------------ */
/* Pieces                                                                   */
/* ------------------------------------------------------------------------ */

static void test_dct_table_matches_formula(void)
{
    /* Every entry of the written-out table, bit for bit, against the formula
     * evaluated here with the C library's cos(). */
    const float scale = (float)sqrt(2.0 / 64.0);
    int same = 0;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float want = (float)(scale * cos((PI / 2 / 64.0) * (i + 1) * (2 * j + 1)));
            same += memcmp(&PDQ_DCT[i][j], &want, sizeof want) == 0;
        }
    CU_ASSERT_EQUAL(same, 16 * 64);
    /* A unit impulse at (k, k) gives B[i][j] = D[i][k] * D[j][k]: the DCT
     * stage reads the table the way the formula lays it out. */
    float a[64 * 64], b[256];
    for (int k = 0; k < 64; k += 9) {
        memset(a, 0, sizeof a);
        a[k * 64 + k] = 1.0f;
        hm__pdq_dct(a, b);
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 16; j++) CU_ASSERT_EQUAL(b[i * 16 + j], PDQ_DCT[i][k] * PDQ_DCT[j][k]);
    }
}

static void test_quality_hand_computed(void)
{
    float a[64 * 64];
    /* Constant: no gradient. */
    for (int i = 0; i < 64 * 64; i++) a[i] = 77.5f;
    CU_ASSERT_EQUAL(hm__pdq_quality(a), 0);
    /* Vertical stripes of height 0/255 per column: 64*63 horizontal steps of
     * |255*100/255| = 100 -> 403200 / 90 = 4480 -> capped at 100. */
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) a[i * 64 + j] = j % 2 ? 255.0f : 0.0f;
    CU_ASSERT_EQUAL(hm__pdq_quality(a), 100);
    /* A step of 3.0 between every column: (int)(300/255) = 1 per pair:
     * 64*63 = 4032 -> 44. The vertical differences are 0. */
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) a[i * 64 + j] = 3.0f * (float)j;
    CU_ASSERT_EQUAL(hm__pdq_quality(a), 44);
    /* Negative differences count by absolute value, truncated toward zero:
     * 2.6 per row step -> (int)(260/255) = 1 -> 63*64 / 90 = 44. */
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) a[i * 64 + j] = 200.0f - 2.6f * (float)i;
    CU_ASSERT_EQUAL(hm__pdq_quality(a), 44);
}

static void test_bits_layout_and_ties(void)
{
    /* B[k] = k: the median (128th smallest) is 127; bits 128..255 are set,
     * i.e. words 8..15 all ones: the hex starts with 32 'f' and ends with 32 '0'. */
    float b[256];
    uint8_t hash[32];
    for (int k = 0; k < 256; k++) b[k] = (float)k;
    hm__pdq_bits(b, hash);
    CU_ASSERT(hex_is(hash, "ffffffffffffffffffffffffffffffff00000000000000000000000000000000"));
    /* Only bit 0 (B[0][0]) above the median: the last hex digit is 1. */
    for (int k = 0; k < 256; k++) b[k] = 0.0f;
    b[0] = 1.0f;
    hm__pdq_bits(b, hash);
    CU_ASSERT(hex_is(hash, "0000000000000000000000000000000000000000000000000000000000000001"));
    /* Ties with the median give 0: all equal -> all zero. */
    b[0] = 0.0f;
    hm__pdq_bits(b, hash);
    CU_ASSERT(hex_is(hash, "0000000000000000000000000000000000000000000000000000000000000000"));
    /* Word 1 bit 3 (B[1][3]) alone: k = 19 -> word w[1] = 0x0008, the
     * second-to-last group of four hex digits. */
    b[19] = 5.0f;
    hm__pdq_bits(b, hash);
    CU_ASSERT(hex_is(hash, "0000000000000000000000000000000000000000000000000000000000080000"));
}

static void test_median_is_exact_selection(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 5);
    for (int round = 0; round < 200; round++) {
        float b[256], sorted[256];
        for (int k = 0; k < 256; k++) b[k] = (float)((int)tu_rng_below(&rng, round % 4 ? 1000 : 7) - 3);
        memcpy(sorted, b, sizeof b);
        qsort(sorted, 256, sizeof(float), cmp_float);
        uint8_t hash[32], want[32];
        hm__pdq_bits(b, hash);
        memset(want, 0, sizeof want);
        for (int k = 0; k < 256; k++)
            if (b[k] > sorted[127]) want[31 - k / 8] |= (uint8_t)(1u << (k % 8));
        CU_ASSERT(memcmp(hash, want, 32) == 0);
    }
}

/* The dihedral variants of a 64x64 image (filter and decimation are the
 * identity there) land near the hash of the physically transformed image. */
static void test_dihedral_near_transformed(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 11);
    synth s = random_image(&rng, 64, 64, 1);
    hm_image *img = synth_image(&s);
    hm_hashes base;
    hash_image(img, HM_PDQ_FULLRES, 1, &base);
    CU_ASSERT(memcmp(base.pdq, base.pdq_dihedral[0], 32) == 0);
    uint8_t t[64 * 64];
    for (int d = 1; d < 8; d++) {
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) {
                int sx, sy; /* the source pixel of output (x, y) */
                switch (d) {
                case 1: sx = 63 - y, sy = x; break;      /* rot90, counter-clockwise */
                case 2: sx = 63 - x, sy = 63 - y; break; /* rot180 */
                case 3: sx = y, sy = 63 - x; break;      /* rot270 */
                case 4: sx = x, sy = 63 - y; break;      /* flipx: top-bottom */
                case 5: sx = 63 - x, sy = y; break;      /* flipy: left-right */
                case 6: sx = y, sy = x; break;           /* transpose */
                default: sx = 63 - y, sy = 63 - x; break; /* anti-transpose */
                }
                t[y * 64 + x] = s.px[sy * 64 + sx];
            }
        hm_image *ti = NULL;
        CU_ASSERT_FATAL(hm_image_from_pixels(64, 64, 1, t, 64, &ti) == HM_OK);
        hm_hashes th;
        hash_image(ti, HM_PDQ_FULLRES, 0, &th);
        unsigned dist = hm_hamming(th.pdq, base.pdq_dihedral[d], 32);
        unsigned to_orig = hm_hamming(th.pdq, base.pdq, 32);
        CU_ASSERT(dist <= 18);
        CU_ASSERT(to_orig > 40); /* the transform really changed the hash */
        if (dist > 18) fprintf(stderr, "\n    variant %d: distance %u\n", d, dist);
        hm_image_free(ti);
    }
    hm_image_free(img);
    free(s.px);
}

/* The cli512 squash samples floor(x*W/512), floor(y*H/512) (checked against
 * a plane built by hand), and leaves images up to 512 alone. */
static void test_cli512_squash(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 3);
    static const uint32_t shapes[][2] = {{513, 300}, {300, 513}, {1000, 40}, {1600, 1004}, {512, 512}};
    for (size_t k = 0; k < HM_ARRAY_SIZE(shapes); k++) {
        synth s = random_image(&rng, shapes[k][0], shapes[k][1], 3);
        float *luma = spec_luma(&s);
        hm_image *img = synth_image(&s);
        hm__pdq_squash_ctx ctx;
        hm__pdq_source src;
        int squashed = hm__pdq_cli512_source(&ctx, img, &src);
        hm_hashes got;
        hash_image(img, HM_PDQ_CLI512, 0, &got);
        ref_result *ref = malloc(sizeof *ref);
        CU_ASSERT_FATAL(ref != NULL);
        if (s.w > 512 || s.h > 512) {
            CU_ASSERT_EQUAL(squashed, 1);
            CU_ASSERT(src.width == 512 && src.height == 512);
            float *sq = malloc(512 * 512 * sizeof(float));
            CU_ASSERT_FATAL(sq != NULL);
            for (uint64_t y = 0; y < 512; y++)
                for (uint64_t x = 0; x < 512; x++)
                    sq[y * 512 + x] = luma[(y * s.h / 512) * s.w + x * s.w / 512];
            ref_pdq(sq, 512, 512, ref);
            free(sq);
        } else {
            CU_ASSERT_EQUAL(squashed, 0);
            ref_pdq(luma, (int)s.w, (int)s.h, ref);
        }
        CU_ASSERT(memcmp(got.pdq, ref->hash, 32) == 0);
        CU_ASSERT_EQUAL(got.pdq_quality, ref->quality);
        free(ref);
        hm_image_free(img);
        free(luma);
        free(s.px);
    }
}

/* Both luma planes equal their formulas for every one of the 2^24 colours,
 * at every position within a vector of pixels (rows of 65536 = 256 G x 256 B,
 * one per R), and for grey. */
static void test_luma_every_colour(void)
{
    enum { N = 65536 };
    uint8_t *px = malloc(3 * N), *pil = malloc(N);
    float *pdq = malloc(N * sizeof(float));
    CU_ASSERT_FATAL(px && pil && pdq);
    unsigned bad_pdq = 0, bad_pil = 0;
    for (unsigned r = 0; r < 256; r++) {
        for (unsigned i = 0; i < N; i++) {
            px[3 * i] = (uint8_t)r;
            px[3 * i + 1] = (uint8_t)(i >> 8);
            px[3 * i + 2] = (uint8_t)i;
        }
        hm_image *img = NULL;
        CU_ASSERT_FATAL(hm_image_from_pixels(N, 1, 3, px, 3 * N, &img) == HM_OK);
        hm__luma(img, pdq, pil);
        for (unsigned i = 0; i < N; i++) {
            unsigned g = i >> 8, b = i & 255;
            float want = (0.299f * (float)r + 0.587f * (float)g) + 0.114f * (float)b;
            bad_pdq += memcmp(&pdq[i], &want, sizeof want) != 0;
            bad_pil += pil[i] != (uint8_t)((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16);
        }
        hm_image_free(img);
    }
    CU_ASSERT_EQUAL(bad_pdq, 0);
    CU_ASSERT_EQUAL(bad_pil, 0);
    /* Grey, at an odd length so both the vector body and the tail run. */
    for (unsigned i = 0; i < 259; i++) px[i] = (uint8_t)(i * 7);
    hm_image *img = NULL;
    CU_ASSERT_FATAL(hm_image_from_pixels(259, 1, 1, px, 259, &img) == HM_OK);
    hm__luma(img, pdq, pil);
    for (unsigned i = 0; i < 259; i++) {
        CU_ASSERT_EQUAL(pdq[i], (float)(uint8_t)(i * 7));
        CU_ASSERT_EQUAL(pil[i], (uint8_t)(i * 7));
    }
    hm_image_free(img);
    free(px);
    free(pil);
    free(pdq);
}

/* The image source writes Pillow's plane while PDQ streams (one luma pass). */
static void test_pil_plane_by_product(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 4);
    static const uint32_t shapes[][3] = {{300, 201, 3}, {7, 9, 1}, {4, 4, 3}, {1, 1, 3}, {77, 5, 3}};
    for (size_t k = 0; k < HM_ARRAY_SIZE(shapes); k++) {
        synth s = random_image(&rng, shapes[k][0], shapes[k][1], shapes[k][2]);
        hm_image *img = synth_image(&s);
        size_t n = (size_t)s.w * s.h;
        uint8_t *pil = malloc(n), *want = malloc(n);
        float *work = malloc(hm__pdq_work_floats(s.w, s.h) * sizeof(float));
        CU_ASSERT_FATAL(pil && want && work);
        memset(pil, 0xAA, n);
        hm__pdq_image_ctx ctx;
        hm__pdq_source src = hm__pdq_image_source(&ctx, img, pil);
        hm_hashes h;
        hm__pdq_hash_source(&src, work, 0, &h);
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = s.px + i * s.ch;
            want[i] = s.ch == 1 ? p[0]
                                : (uint8_t)((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
        }
        CU_ASSERT(memcmp(pil, want, n) == 0);
        free(work);
        free(pil);
        free(want);
        hm_image_free(img);
        free(s.px);
    }
}

static void test_hex_and_distance(void)
{
    static const char *H1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    static const char *H2 = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    uint8_t a[32], b[32];
    char back[65];
    CU_ASSERT_EQUAL(hm_hex_decode(H1, a, 32), HM_OK);
    hm_hex_encode(a, 32, back);
    CU_ASSERT_STRING_EQUAL(back, H1);
    CU_ASSERT_EQUAL(a[0], 0xf8);
    CU_ASSERT_EQUAL(a[31], 0x22);
    CU_ASSERT_EQUAL(hm_hex_decode(H2, b, 32), HM_OK);
    /* f8^d8 = 0x20 (1), 0a^02 (1), 22^2a (1), 03^07 (1), 63^67 (1), b3^33 (1) */
    CU_ASSERT_EQUAL(hm_hamming(a, b, 32), 6);
    CU_ASSERT_EQUAL(hm_hamming(a, a, 32), 0);
    uint8_t inv[32];
    for (int i = 0; i < 32; i++) inv[i] = (uint8_t)~a[i];
    CU_ASSERT_EQUAL(hm_hamming(a, inv, 32), 256);
    /* Upper case parses, anything else does not. */
    char upper[65];
    for (int i = 0; i < 65; i++) upper[i] = (char)(H1[i] >= 'a' && H1[i] <= 'f' ? H1[i] - 32 : H1[i]);
    CU_ASSERT_EQUAL(hm_hex_decode(upper, b, 32), HM_OK);
    CU_ASSERT(memcmp(a, b, 32) == 0);
    CU_ASSERT_EQUAL(hm_hex_decode("f8f8", b, 32), HM_E_PARSE);
    char longer[70];
    snprintf(longer, sizeof longer, "%s00", H1);
    CU_ASSERT_EQUAL(hm_hex_decode(longer, b, 32), HM_E_PARSE);
    char bad[65];
    memcpy(bad, H1, 65);
    bad[10] = 'g';
    CU_ASSERT_EQUAL(hm_hex_decode(bad, b, 32), HM_E_PARSE);
}

static void test_invalid_mode(void)
{
    uint8_t px[25] = {0};
    hm_image *img = NULL;
    CU_ASSERT_FATAL(hm_image_from_pixels(5, 5, 1, px, 5, &img) == HM_OK);
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK(HM_ALGO_PDQ);
    opt.pdq_mode = (hm_pdq_mode)7;
    hm_hashes h;
    hm_error err;
    CU_ASSERT_EQUAL(hm_hash_image(img, &opt, &h, &err), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(err.status, HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_hash_image(NULL, &opt, &h, &err), HM_E_INVALID_ARGUMENT);
    hm_image_free(img);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test vectors[] = {{"synthetic images, fullres/cli512/dihedral", test_synthetic_vectors},
                                      {NULL, NULL}};
    static const tu_test reference[] = {
        {"fast path == slow float reference, many shapes", test_matches_slow_reference},
        {"tiny images", test_tiny_images},
        {"within tolerance of the double definition", test_tolerance_vs_double_definition},
        {"cli512 squash", test_cli512_squash},
        {NULL, NULL}};
    static const tu_test pieces[] = {{"DCT table == formula", test_dct_table_matches_formula},
                                     {"quality, hand computed", test_quality_hand_computed},
                                     {"bit layout and ties", test_bits_layout_and_ties},
                                     {"median is exact", test_median_is_exact_selection},
                                     {"dihedral near transformed image", test_dihedral_near_transformed},
                                     {"luma of every colour", test_luma_every_colour},
                                     {"Pillow plane by-product", test_pil_plane_by_product},
                                     {"hex and Hamming distance", test_hex_and_distance},
                                     {"invalid arguments", test_invalid_mode},
                                     {NULL, NULL}};
    tu_add_suite("pdq_vectors", vectors);
    tu_add_suite("pdq_reference", reference);
    tu_add_suite("pdq_pieces", pieces);
    return tu_run("test_pdq");
}
