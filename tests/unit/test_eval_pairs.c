/* test_eval_pairs.c - the public pair statistics (hm_eval_pairs, _tile,
 * _within, hm_eval_radius_search) against O(n^2) references built on
 * hm_hamming: histograms, nearest neighbours and their indices (smallest
 * index among equally near ones), for every thread count, block size, shard
 * split and tiling, with and without groups, plain and dihedral; and the
 * robustness measurement seeded from the file's bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "match_testdata.h"
#include "transform/transform.h"

#define MAXN 700

typedef struct ref {
    uint64_t hist[HM_EVAL_MAX_BITS + 1];
    uint16_t near[MAXN];
    int64_t idx[MAXN];
} ref;

/* The dihedral distance written out again: 8 hashes of one image against the
 * original of the other, both ways. */
static unsigned ref_dihedral(const uint8_t *a, const uint8_t *b)
{
    unsigned best = 256;
    for (int k = 0; k < 8; k++) {
        unsigned x = hm_hamming(a + 32 * k, b, 32), y = hm_hamming(b + 32 * k, a, 32);
        best = x < best ? x : best;
        best = y < best ? y : best;
    }
    return best;
}

static void ref_take(ref *r, size_t i, unsigned d, int64_t j)
{
    if (d < r->near[i] || (d == r->near[i] && j < r->idx[i])) r->near[i] = (uint16_t)d, r->idx[i] = j;
}

static void ref_pairs(const uint8_t *codes, size_t n, size_t cb, const uint32_t *g, int dihedral, ref *r)
{
    memset(r->hist, 0, sizeof r->hist);
    for (size_t i = 0; i < n; i++) r->near[i] = HM_EVAL_NONE, r->idx[i] = INT64_MAX;
    size_t stride = dihedral ? 8 * cb : cb;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (g && g[i] == g[j]) continue;
            const uint8_t *a = codes + i * stride, *b = codes + j * stride;
            unsigned d = dihedral ? ref_dihedral(a, b) : hm_hamming(a, b, cb);
            r->hist[d]++;
            ref_take(r, i, d, (int64_t)j);
            ref_take(r, j, d, (int64_t)i);
        }
    for (size_t i = 0; i < n; i++)
        if (r->idx[i] == INT64_MAX) r->idx[i] = -1;
}

/* Random codes with many near and exact copies, so ties are common. */
static void make_codes(tu_rng *r, uint8_t *p, size_t n, size_t stride)
{
    md_random_codes(r, p, n, stride);
    for (size_t i = 1; i < n; i++) {
        unsigned kind = tu_rng_below(r, 4);
        if (kind == 0) continue;
        memcpy(p + stride * i, p + stride * tu_rng_below(r, (uint32_t)i), stride);
        if (kind == 1) md_flip_bits(r, p + stride * i, stride < 32 ? stride : 32, tu_rng_below(r, 6));
    }
}

static int same_as_ref(const ref *r, const uint64_t *hist, const uint16_t *near, const int64_t *idx,
                       size_t n, unsigned bits)
{
    int bad = memcmp(r->hist, hist, (bits + 1) * sizeof *hist) != 0;
    for (size_t i = 0; i < n; i++) bad += near[i] != r->near[i] || idx[i] != r->idx[i];
    return bad == 0;
}

static void outputs_reset(uint64_t *hist, uint16_t *near, int64_t *idx, size_t n)
{
    memset(hist, 0, (HM_EVAL_MAX_BITS + 1) * sizeof *hist);
    for (size_t i = 0; i < n; i++) near[i] = HM_EVAL_NONE, idx[i] = -1;
}

static void check_pairs(size_t n, size_t cb, int with_groups, int dihedral, uint64_t seed)
{
    tu_rng r;
    tu_rng_seed(&r, seed);
    size_t stride = dihedral ? 8 * cb : cb;
    uint8_t *codes = malloc(n * stride + 1);
    uint32_t g[MAXN];
    make_codes(&r, codes, n, stride);
    for (size_t i = 0; i < n; i++) g[i] = with_groups ? tu_rng_below(&r, (uint32_t)(n / 3 + 1)) : (uint32_t)i;
    static ref want;
    ref_pairs(codes, n, cb, with_groups ? g : NULL, dihedral, &want);
    unsigned bits = (unsigned)(8 * cb);
    static const size_t BLOCKS[] = {0, 1, 7, 64, 700};
    static const unsigned THREADS[] = {1, 2, 3};
    uint64_t hist[HM_EVAL_MAX_BITS + 1];
    uint16_t near[MAXN];
    int64_t idx[MAXN];
    int bad = 0;
    for (size_t b = 0; b < 5; b++)
        for (size_t t = 0; t < 3; t++) {
            if (BLOCKS[b] == 1 && n > 65) continue; /* a tile per pair: slow, and n <= 65 covers it */
            hm_eval_pairs_options o = {.groups = with_groups ? g : NULL, .dihedral = dihedral,
                                       .threads = THREADS[t], .block = BLOCKS[b]};
            outputs_reset(hist, near, idx, n);
            CU_ASSERT_EQUAL_FATAL(hm_eval_pairs(codes, n, cb, &o, hist, near, idx, NULL), HM_OK);
            bad += !same_as_ref(&want, hist, near, idx, n, bits);
            /* shards merged with the public merge functions equal the whole */
            unsigned shards = 1 + (unsigned)(b + t) % 4;
            outputs_reset(hist, near, idx, n);
            for (unsigned s = 0; s < shards; s++) {
                uint64_t h2[HM_EVAL_MAX_BITS + 1] = {0};
                uint16_t n2[MAXN];
                int64_t i2[MAXN];
                for (size_t i = 0; i < n; i++) n2[i] = HM_EVAL_NONE, i2[i] = -1;
                o.shard_index = s, o.shard_count = shards;
                CU_ASSERT_EQUAL_FATAL(hm_eval_pairs(codes, n, cb, &o, h2, n2, i2, NULL), HM_OK);
                CU_ASSERT_EQUAL(hm_eval_hist_merge(hist, h2, bits), HM_OK);
                hm_eval_nearest_merge(near, idx, n2, i2, n);
            }
            bad += !same_as_ref(&want, hist, near, idx, n, bits);
        }
    CU_ASSERT_EQUAL(bad, 0);
    if (bad) printf("\n  n=%zu cb=%zu groups=%d dihedral=%d: %d mismatches\n", n, cb, with_groups, dihedral, bad);
    free(codes);
}

static void test_pairs_against_reference(void)
{
    static const size_t SIZES[] = {0, 1, 2, 3, 65, 300};
    for (size_t k = 0; k < 6; k++)
        for (int grp = 0; grp < 2; grp++) {
            check_pairs(SIZES[k], 8, grp, 0, 11 + k);
            check_pairs(SIZES[k], 32, grp, 0, 21 + k);
        }
}

static void test_pairs_dihedral(void)
{
    check_pairs(90, 32, 0, 1, 5);
    check_pairs(90, 32, 1, 1, 6);
}

/* Tiles covering the triangle once, in any order, merge to the whole. */
static void test_tiles(void)
{
    tu_rng r;
    tu_rng_seed(&r, 99);
    const size_t n = 500, cb = 32;
    uint8_t *codes = malloc(n * cb);
    uint32_t g[MAXN];
    make_codes(&r, codes, n, cb);
    for (size_t i = 0; i < n; i++) g[i] = tu_rng_below(&r, 200);
    static ref want;
    for (int grp = 0; grp < 2; grp++) {
        ref_pairs(codes, n, cb, grp ? g : NULL, 0, &want);
        static const size_t TILE[] = {7, 13, 100, 499, 500};
        for (size_t k = 0; k < 5; k++) {
            size_t T = TILE[k], nb = (n + T - 1) / T;
            uint64_t hist[257] = {0};
            uint16_t near[MAXN];
            int64_t idx[MAXN];
            outputs_reset(hist, near, idx, n);
            /* from the last tile to the first: the merge does not depend on order */
            for (size_t bi = nb; bi-- > 0;)
                for (size_t bj = nb; bj-- > bi;) {
                    size_t i0 = bi * T, j0 = bj * T;
                    hm_eval_block a = {codes + i0 * cb, n - i0 < T ? n - i0 : T, grp ? g + i0 : NULL, (int64_t)i0};
                    hm_eval_block b = {codes + j0 * cb, n - j0 < T ? n - j0 : T, grp ? g + j0 : NULL, (int64_t)j0};
                    CU_ASSERT_EQUAL_FATAL(hm_eval_pairs_tile(&a, bi == bj ? NULL : &b, cb, 0, hist, near + i0,
                                                             idx + i0, near + j0, idx + j0, NULL), HM_OK);
                }
            CU_ASSERT(same_as_ref(&want, hist, near, idx, n, 256));
        }
    }
    /* argument checks */
    hm_eval_block a = {codes, 10, NULL, 0}, b = {codes, 10, g, 10};
    uint64_t h[257] = {0};
    uint16_t nn[10];
    int64_t ii[10];
    CU_ASSERT_EQUAL(hm_eval_pairs_tile(&a, &b, 32, 0, h, NULL, NULL, NULL, NULL, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_eval_pairs_tile(&a, NULL, 16, 0, h, NULL, NULL, NULL, NULL, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_eval_pairs_tile(&a, NULL, 8, 1, h, NULL, NULL, NULL, NULL, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_eval_pairs_tile(&a, NULL, 32, 0, h, NULL, ii, NULL, NULL, NULL), HM_E_INVALID_ARGUMENT);
    (void)nn;
    free(codes);
}

static void test_pairs_within(void)
{
    tu_rng r;
    tu_rng_seed(&r, 3);
    const size_t n = 400;
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(n * cb);
        uint32_t g[MAXN];
        make_codes(&r, codes, n, cb);
        for (size_t i = 0; i < n; i++) g[i] = tu_rng_below(&r, 150);
        const unsigned T = cb == 8 ? 20 : 4;
        for (int grp = 0; grp < 2; grp++) {
            /* the reference list, in (a, b) order */
            size_t want = 0, bad = 0;
            hm_eval_pair *p;
            size_t count;
            hm_eval_pairs_options o = {.groups = grp ? g : NULL, .threads = 3, .block = 37};
            CU_ASSERT_EQUAL_FATAL(hm_eval_pairs_within(codes, n, cb, &o, T, 0, &p, &count, NULL), HM_OK);
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                    unsigned d = hm_hamming(codes + i * cb, codes + j * cb, cb);
                    if (d > T || (grp && g[i] == g[j])) continue;
                    bad += want >= count || p[want].a != (int64_t)i || p[want].b != (int64_t)j || p[want].distance != d;
                    want++;
                }
            CU_ASSERT_EQUAL(count, want);
            CU_ASSERT_EQUAL(bad, 0);
            CU_ASSERT(want > 50);
            /* the shards together hold the same pairs */
            size_t total = 0;
            for (unsigned s = 0; s < 3; s++) {
                hm_eval_pair *q;
                size_t c;
                o.shard_index = s, o.shard_count = 3;
                CU_ASSERT_EQUAL(hm_eval_pairs_within(codes, n, cb, &o, T, 0, &q, &c, NULL), HM_OK);
                total += c;
                hm_buffer_free(q);
            }
            CU_ASSERT_EQUAL(total, want);
            hm_buffer_free(p);
            o.shard_index = 0, o.shard_count = 1;
            /* a limit below the count is refused, nothing returned */
            CU_ASSERT_EQUAL(hm_eval_pairs_within(codes, n, cb, &o, T, want - 1, &p, &count, NULL), HM_E_LIMIT);
            CU_ASSERT_PTR_NULL(p);
            CU_ASSERT_EQUAL(count, 0);
        }
        free(codes);
    }
}

static void test_radius_search(void)
{
    tu_rng r;
    tu_rng_seed(&r, 8);
    const size_t n = 1000, nq = 21;
    for (size_t cb = 8; cb <= 32; cb += 24) {
        uint8_t *codes = malloc(n * cb), *q = malloc(nq * cb);
        make_codes(&r, codes, n, cb);
        for (size_t k = 0; k < nq; k++) {
            memcpy(q + k * cb, codes + cb * tu_rng_below(&r, (uint32_t)n), cb);
            md_flip_bits(&r, q + k * cb, cb, tu_rng_below(&r, 8));
        }
        const unsigned R = cb == 8 ? 18 : 40;
        static const size_t NQ[] = {0, 1, 7, 8, 9, 21};
        for (size_t v = 0; v < 6; v++)
            for (unsigned threads = 1; threads <= 3; threads++) {
                hm_eval_pair *h;
                size_t count, want = 0, bad = 0;
                CU_ASSERT_EQUAL_FATAL(hm_eval_radius_search(q, NQ[v], codes, n, cb, R, threads, 0, &h, &count, NULL), HM_OK);
                for (size_t k = 0; k < NQ[v]; k++)
                    for (size_t e = 0; e < n; e++) {
                        unsigned d = hm_hamming(q + k * cb, codes + e * cb, cb);
                        if (d > R) continue;
                        bad += want >= count || h[want].a != (int64_t)k || h[want].b != (int64_t)e || h[want].distance != d;
                        want++;
                    }
                CU_ASSERT_EQUAL(count, want);
                CU_ASSERT_EQUAL(bad, 0);
                if (NQ[v]) CU_ASSERT(want >= NQ[v]); /* each query is near its source */
                hm_buffer_free(h);
            }
        hm_eval_pair *h;
        size_t count;
        CU_ASSERT_EQUAL(hm_eval_radius_search(q, nq, codes, n, cb, 256, 2, 10, &h, &count, NULL), HM_E_LIMIT);
        CU_ASSERT_EQUAL(hm_eval_radius_search(q, nq, codes, n, 16, 3, 2, 0, &h, &count, NULL), HM_E_INVALID_ARGUMENT);
        free(codes);
        free(q);
    }
}

/* ---- robustness ---- */

static uint8_t *texture_jpeg(uint32_t w, uint32_t h, uint64_t seed, size_t *size)
{
    tu_rng r;
    tu_rng_seed(&r, seed);
    uint8_t *px = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++) px[i] = (uint8_t)((i / 3 % w) * 3 + (i / 3 / w) * 2 + tu_rng_below(&r, 40));
    hm_image *img;
    CU_ASSERT_FATAL(hm_image_from_pixels(w, h, 3, px, (size_t)w * 3, &img) == HM_OK);
    uint8_t *data;
    CU_ASSERT_FATAL(hm__jpeg_encode(img, 90, &data, size, NULL) == HM_OK);
    hm_image_free(img);
    free(px);
    return data;
}

static void test_robustness_seeded_by_content(void)
{
    size_t size;
    uint8_t *jpg = texture_jpeg(160, 120, 4, &size);
    char *p1 = tu_path(tu_tmp_dir(), "a.jpg"), *p2 = tu_path(tu_tmp_dir(), "elsewhere-b.jpg");
    CU_ASSERT_FATAL(tu_write(p1, jpg, size) == 0 && tu_write(p2, jpg, size) == 0);
    hm_transform t[4];
    size_t nt;
    CU_ASSERT_FATAL(hm_transform_parse_list("noise:30,overlay:20,jpeg:50,scale:16", t, 4, &nt, NULL) == HM_OK);
    uint32_t all = (1u << HM_EVAL_ALGO_COUNT) - 1, some = (1u << HM_EVAL_PDQ) | (1u << HM_EVAL_PHASH);
    uint16_t d1[4 * HM_EVAL_ALGO_COUNT], d2[4 * HM_EVAL_ALGO_COUNT], d3[4 * HM_EVAL_ALGO_COUNT];
    hm_hashes orig;
    tu_stderr_begin();
    CU_ASSERT_EQUAL(hm_eval_robustness_file(p1, t, 3, 7, all, NULL, d1, &orig, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_eval_robustness_file(p2, t, 3, 7, all, NULL, d2, NULL, NULL), HM_OK);
    CU_ASSERT_EQUAL(tu_stderr_end(), 0);
    /* the same bytes at another path give the same numbers */
    CU_ASSERT(memcmp(d1, d2, 3 * sizeof d1[0] * HM_EVAL_ALGO_COUNT) == 0);
    CU_ASSERT_EQUAL(orig.width, 160);
    /* the seed is the documented one: edit k of the buffer with seed
     * hm_eval_image_seed(7, sha256) + k equals a hand-made edit */
    uint64_t s = hm_eval_image_seed(7, orig.sha256);
    CU_ASSERT_EQUAL(s, 7 ^ hm__load_be64(orig.sha256));
    hm_image *img, *e;
    hm_hashes a, b;
    hm_hash_options ho = {.algos = HM_MASK(HM_ALGO_PDQ)};
    CU_ASSERT_FATAL(hm_image_decode(jpg, size, NULL, &img, NULL) == HM_OK);
    CU_ASSERT_FATAL(hm_image_transform(img, &t[1], s + 1, &e, NULL) == HM_OK);
    CU_ASSERT_FATAL(hm_hash_image(img, &ho, &a, NULL) == HM_OK && hm_hash_image(e, &ho, &b, NULL) == HM_OK);
    CU_ASSERT_EQUAL(d1[1 * HM_EVAL_ALGO_COUNT + HM_EVAL_PDQ], hm_hamming(a.pdq, b.pdq, 32));
    hm_image_free(e);
    hm_image_free(img);
    /* another seed moves the random edits */
    CU_ASSERT_EQUAL(hm_eval_robustness_buffer(jpg, size, t, 3, 8, all, NULL, d3, NULL, NULL), HM_OK);
    CU_ASSERT(memcmp(d1, d3, 2 * sizeof d1[0] * HM_EVAL_ALGO_COUNT) != 0);
    /* only the algorithms asked for; an edit that cannot be made is NONE */
    uint8_t *big = texture_jpeg(700, 700, 5, &size); /* scale:16 would make 125 MP */
    CU_ASSERT_EQUAL(hm_eval_robustness_buffer(big, size, t + 2, 2, 7, some, NULL, d3, NULL, NULL), HM_OK);
    CU_ASSERT(d3[HM_EVAL_PDQ] <= 31 && d3[HM_EVAL_PHASH] <= 10);
    CU_ASSERT_EQUAL(d3[HM_EVAL_AHASH], HM_EVAL_NONE);
    for (int k = 0; k < HM_EVAL_ALGO_COUNT; k++) CU_ASSERT_EQUAL(d3[HM_EVAL_ALGO_COUNT + k], HM_EVAL_NONE);
    /* an undecodable image fails with the decoder's status */
    hm_error err;
    CU_ASSERT_EQUAL(hm_eval_robustness_buffer("nope", 4, t, 1, 7, all, NULL, d3, NULL, &err), HM_E_IMAGE_FORMAT);
    CU_ASSERT_EQUAL(hm_eval_robustness_file("/nonexistent/x.jpg", t, 1, 7, all, NULL, d3, NULL, &err), HM_E_IO);
    CU_ASSERT_EQUAL(hm_eval_robustness_buffer(jpg, 10, t, 1, 7, 1u << 9, NULL, d3, NULL, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_STRING_EQUAL(hm_eval_algo_name(HM_EVAL_PDQ_DIHEDRAL), "pdq_dihedral");
    CU_ASSERT_PTR_NULL(hm_eval_algo_name((hm_eval_algo)6));
    CU_ASSERT_EQUAL(hm_eval_algo_bits(HM_EVAL_WHASH), 64);
    free(big);
    free(jpg);
    free(p1);
    free(p2);
}

static void test_nearest_merge(void)
{
    uint16_t d[4] = {5, 5, HM_EVAL_NONE, 3}, s[4] = {5, 4, 9, HM_EVAL_NONE};
    int64_t di[4] = {8, 8, -1, 1}, si[4] = {2, 9, 0, -1};
    hm_eval_nearest_merge(d, di, s, si, 4);
    CU_ASSERT(d[0] == 5 && di[0] == 2); /* tie: smaller index */
    CU_ASSERT(d[1] == 4 && di[1] == 9); /* smaller distance */
    CU_ASSERT(d[2] == 9 && di[2] == 0); /* none replaced */
    CU_ASSERT(d[3] == 3 && di[3] == 1); /* none never replaces */
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {
        {"pairs: histogram, nearest and index against the reference", test_pairs_against_reference},
        {"pairs: dihedral PDQ", test_pairs_dihedral},
        {"tiles in any order merge to the whole", test_tiles},
        {"pairs within a threshold", test_pairs_within},
        {"radius search", test_radius_search},
        {"nearest merge rule", test_nearest_merge},
        {"robustness seeded by the file's bytes", test_robustness_seeded_by_content},
        {NULL, NULL}};
    tu_add_suite("eval_pairs", tests);
    return tu_run("test_eval_pairs");
}
