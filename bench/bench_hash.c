/* bench_hash.c - `hashmatch bench hash`: the time of every hashing stage per
 * image, against a bare libjpeg-turbo (or libpng) decode of the same bytes
 * measured in the same run, so that the cost of hashing reads as a ratio to
 * the decode that any client must pay anyway. Every figure is the median of
 * --repeat runs; a checksum of all hashes keeps the work from being optimised
 * away. */
#include <getopt.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jpeglib.h>
#include <png.h>

#include "bench.h"
#include "cli.h"
#include "hash/hash_internal.h"

#define MAX_REPEAT 101
#define GEN_W 4032
#define GEN_H 3024

static const char HELP[] =
    "usage: hashmatch bench hash [--json] [--repeat N] [--cpu-time] [--no-generated]\n"
    "                            [FILE...]\n"
    "\n"
    "Times every hashing stage of each FILE, median of N runs, next to a bare\n"
    "libjpeg-turbo (or libpng) decode of the same bytes measured in the same run:\n"
    "  read, bare_decode, decode, luma (both luma planes), pdq_filter (the four\n"
    "  box passes and the decimation), pdq_filter_reference_schedule (the same\n"
    "  arithmetic on the reference's column-wise schedule, at most 3 runs; its\n"
    "  output is checked to be identical), pdq_decimate_quality, pdq_dct_median,\n"
    "  pdq_dct_median_dihedral, pdq_from_image (PDQ end to end from the decoded\n"
    "  image), ahash, dhash, phash, whash (each from Pillow's luma plane),\n"
    "  imagehash_all4 (the four from the decoded image, luma included) and the\n"
    "  same through each kernel tier this CPU runs (imagehash_all4_scalar, _sse2,\n"
    "  _avx2, _avx512, _neon), md5, sha1, sha256, digests (all three),\n"
    "  total (hm_hash_file with every algorithm).\n"
    "Without FILE: the sample images of the source tree, two photos of\n"
    "../shared/vectors when present (1600x1004 and 12 megapixels) and a\n"
    "12-megapixel JPEG generated in memory.\n"
    "\n"
    "  --json          one JSON object per image and line (milliseconds)\n"
    "  --repeat N      runs per stage, 1..101 (default 5)\n"
    "  --cpu-time      time the thread's CPU time, not wall-clock time (steadier\n"
    "                  when other jobs share the machine)\n"
    "  --no-generated  leave out the generated 12-megapixel image\n";

/* Sample images of the source tree (tests/data) and, when the reference
 * vectors sit next to it, two of their photos: 1600x1004 and 12 megapixels. */
static const char *const SAMPLES[] = {"cli/disc.png",          "cli/ramp.jpg",
                                      "threatexchange/wee.jpg", "threatexchange/q0122.jpg",
                                      "threatexchange/small.jpg"};
static const char *const VECTOR_SAMPLES[] = {
    "pdq/images/pdq/data/bridge-mods/aaa-orig.jpg",
    "pdq/images/pdq/data/reg-test-input/exif-rotn/exif-rotn-1.jpg"};

/* ------------------------------------------------------------------------ */
/* Timing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct timer {
    double t[MAX_REPEAT];
    int n;
} timer;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ms(timer *t)
{
    if (t->n == 0) return -1;
    qsort(t->t, (size_t)t->n, sizeof(double), cmp_double);
    return t->t[t->n / 2] * 1e3;
}

/* Wall-clock time by default; --cpu-time measures this thread's CPU time,
 * which other jobs on a busy machine disturb much less (the benchmark runs on
 * one thread). */
static clockid_t g_clock = CLOCK_MONOTONIC;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(g_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define TIME(tm, stmt)                                                                            \
    do {                                                                                          \
        double t0_ = bench_now();                                                                 \
        stmt;                                                                                     \
        (tm)->t[(tm)->n++] = bench_now() - t0_;                                                   \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Baselines: the libraries' plain decode loops, library defaults           */
/* ------------------------------------------------------------------------ */

typedef struct bare_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} bare_err;

static void bare_jpeg_error(j_common_ptr cinfo)
{
    longjmp(((bare_err *)cinfo->err)->jump, 1);
}

static void bare_jpeg_silent(j_common_ptr cinfo, int level) { (void)cinfo, (void)level; }

/* Returns a checksum of the pixels, or -1 when libjpeg refuses the file. */
static long bare_jpeg(const uint8_t *data, size_t size)
{
    struct jpeg_decompress_struct ci;
    bare_err err;
    uint8_t *volatile pixels = NULL;
    ci.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = bare_jpeg_error;
    err.mgr.emit_message = bare_jpeg_silent;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&ci);
        free(pixels);
        return -1;
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, data, (unsigned long)size);
    jpeg_read_header(&ci, TRUE);
    jpeg_start_decompress(&ci);
    size_t stride = (size_t)ci.output_width * (size_t)ci.output_components;
    pixels = malloc(stride * ci.output_height);
    if (!pixels) longjmp(err.jump, 1);
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = pixels + (size_t)ci.output_scanline * stride;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    long sum = pixels[stride * ci.output_height / 2];
    jpeg_destroy_decompress(&ci);
    free(pixels);
    return sum;
}

typedef struct png_mem {
    const uint8_t *data;
    size_t size, pos;
} png_mem;

static void bare_png_read(png_structp png, png_bytep out, png_size_t n)
{
    png_mem *m = png_get_io_ptr(png);
    if (n > m->size - m->pos) png_error(png, "truncated");
    memcpy(out, m->data + m->pos, n);
    m->pos += n;
}

static void bare_png_warn(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

/* libpng's read with the transforms any 8-bit consumer needs. */
static long bare_png(const uint8_t *data, size_t size)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, bare_png_warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL;
    uint8_t *volatile pixels = NULL;
    png_mem m = {data, size, 0};
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(pixels);
        return -1;
    }
    png_set_read_fn(png, &m, bare_png_read);
    png_read_info(png, info);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_expand(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t h = png_get_image_height(png, info), stride = png_get_rowbytes(png, info);
    pixels = malloc(stride * h);
    rows = malloc(h * sizeof *rows);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (size_t y = 0; y < h; y++) rows[y] = pixels + y * stride;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    long sum = pixels[stride * h / 2];
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(pixels);
    return sum;
}

/* ------------------------------------------------------------------------ */
/* A 12-megapixel JPEG made in memory (smooth shapes plus noise, quality 90) */
/* ------------------------------------------------------------------------ */

static uint8_t *generate_jpeg(size_t *size)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL;
    unsigned long out_size = 0;
    jpeg_mem_dest(&ci, &out, &out_size);
    ci.image_width = GEN_W;
    ci.image_height = GEN_H;
    ci.input_components = 3;
    ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 90, TRUE);
    jpeg_start_compress(&ci, TRUE);
    uint8_t *row = malloc(GEN_W * 3);
    uint32_t s = 12345;
    for (uint32_t y = 0; row && y < GEN_H; y++) {
        for (uint32_t x = 0; x < GEN_W; x++) {
            s = s * 1103515245u + 12345u;
            unsigned noise = (s >> 16) & 31;
            row[3 * x] = (uint8_t)((x * 255 / GEN_W + noise) & 255);
            row[3 * x + 1] = (uint8_t)(((x / 97 + y / 89) % 2 ? 200 : 40) + noise);
            row[3 * x + 2] = (uint8_t)((y * 255 / GEN_H) ^ (x >> 4));
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    free(row);
    *size = out_size;
    return out;
}

/* ------------------------------------------------------------------------ */
/* One image                                                                */
/* ------------------------------------------------------------------------ */

enum {
    S_READ, S_BARE, S_DECODE, S_LUMA, S_FILTER, S_FILTER_REF, S_QUALITY, S_DCT, S_DCT_DIH, S_PDQ,
    S_AHASH, S_DHASH, S_PHASH, S_WHASH, S_IH_ALL4, S_IH_TIER, /* one per kernel tier */
    S_MD5 = S_IH_TIER + HM__IH_TIER_COUNT, S_SHA1, S_SHA256, S_DIGESTS, S_TOTAL, S_COUNT
};

static const char *const STAGE_KEYS[S_COUNT] = {
    "read", "bare_decode", "decode", "luma", "pdq_filter", "pdq_filter_reference_schedule",
    "pdq_decimate_quality",
    "pdq_dct_median", "pdq_dct_median_dihedral", "pdq_from_image", "ahash", "dhash", "phash",
    "whash", "imagehash_all4", "imagehash_all4_scalar", "imagehash_all4_sse2",
    "imagehash_all4_avx2", "imagehash_all4_avx512", "imagehash_all4_neon", "md5", "sha1",
    "sha256", "digests", "total"};

typedef struct result {
    const char *file;
    uint32_t width, height;
    hm_image_format format;
    size_t bytes;
    double ms[S_COUNT];
    int reference_identical; /* 1: same 64x64 as the reference schedule; -1: not run */
    uint64_t checksum;
} result;

static void fold(uint64_t *sum, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) *sum = (*sum ^ bytes[i]) * 0x100000001b3ull;
}

typedef struct planes {
    float *luma, *work, *ref1, *ref2;
    uint8_t *pil;
    void *ih_work;
} planes;

static int planes_alloc(planes *p, uint32_t w, uint32_t h)
{
    size_t n = (size_t)w * h;
    size_t ih = 0;
    for (int a = HM_ALGO_AHASH; a <= HM_ALGO_WHASH; a++) {
        size_t b = hm__imagehash_work_bytes(w, h, HM_MASK(a));
        if (b > ih) ih = b;
    }
    size_t all4 = hm__imagehash_work_bytes(w, h, HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) |
                                                     HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_WHASH));
    if (all4 > ih) ih = all4;
    p->luma = malloc(n * sizeof(float));
    p->pil = malloc(n);
    p->work = malloc(hm__pdq_work_floats(w, h) * sizeof(float));
    p->ih_work = malloc(ih ? ih : 1);
    p->ref1 = malloc(n * sizeof(float));
    p->ref2 = malloc(n * sizeof(float));
    return p->luma && p->pil && p->work && p->ih_work && p->ref1 && p->ref2 ? 0 : -1;
}

static void planes_free(planes *p)
{
    free(p->luma);
    free(p->pil);
    free(p->work);
    free(p->ih_work);
    free(p->ref1);
    free(p->ref2);
}

/* The filter on the reference implementation's schedule, as a baseline in
 * the same run: full-size planes, every box pass along whole rows, then down
 * whole columns (stride W), X, Y, X, Y, then the decimation. Same arithmetic,
 * so the same 64x64 values. */
static void ref_box(const float *in, float *out, uint32_t n, size_t stride, uint32_t w)
{
    uint32_t half = (w + 2) / 2, lag = w - half + 1, count = 0;
    float sum = 0;
    for (uint32_t e = 0; e + 1 < half; e++, count++) sum += in[e * stride];
    for (uint32_t i = 0; i < n; i++) {
        if (i + half - 1 < n) sum += in[(i + half - 1) * stride], count++;
        if (i >= lag) sum -= in[(i - lag) * stride], count--;
        out[i * stride] = sum / (float)count;
    }
}

static void ref_filter(const float *luma, uint32_t w, uint32_t h, float *b1, float *b2,
                       float a[64 * 64])
{
    uint32_t wx = (w + 127) / 128, wy = (h + 127) / 128;
    memcpy(b1, luma, (size_t)w * h * sizeof(float));
    for (int round = 0; round < 2; round++) {
        for (uint32_t y = 0; y < h; y++) ref_box(b1 + (size_t)y * w, b2 + (size_t)y * w, w, 1, wx);
        for (uint32_t x = 0; x < w; x++) ref_box(b2 + x, b1 + x, h, w, wy);
    }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            a[i * 64 + j] = b1[(size_t)(((i + 0.5) * h) / 64) * w + (size_t)(((j + 0.5) * w) / 64)];
}

/* Stages after decoding: luma, the PDQ stages, the imagehash family. */
static void time_hash_stages(const hm_image *img, int repeat, planes *p, timer *t, uint64_t *sum,
                             int *identical)
{
    uint32_t w = hm_image_width(img), h = hm_image_height(img);
    hm_hashes hs;
    memset(&hs, 0, sizeof hs);
    for (int r = 0; r < repeat; r++) TIME(&t[S_LUMA], hm__luma(img, p->luma, p->pil));
    if (w >= 5 && h >= 5) {
        float a[64 * 64], b[256];
        hm__pdq_plane ctx;
        hm__pdq_source src = hm__pdq_plane_source(&ctx, p->luma, w, h);
        for (int r = 0; r < repeat; r++) TIME(&t[S_FILTER], hm__pdq_filter(&src, p->work, a));
        float ra[64 * 64];
        int runs = repeat < 3 ? repeat : 3; /* it is slow; repeat >= 1 */
        do TIME(&t[S_FILTER_REF], ref_filter(p->luma, w, h, p->ref1, p->ref2, ra));
        while (--runs > 0);
        *identical = memcmp(a, ra, sizeof a) == 0;
        for (int r = 0; r < repeat; r++) TIME(&t[S_QUALITY], hs.pdq_quality = hm__pdq_quality(a));
        for (int r = 0; r < repeat; r++) TIME(&t[S_DCT], (hm__pdq_dct(a, b), hm__pdq_bits(b, hs.pdq)));
        for (int r = 0; r < repeat; r++)
            TIME(&t[S_DCT_DIH], (hm__pdq_dct(a, b), hm__pdq_dihedral(b, hs.pdq_dihedral)));
        fold(sum, hs.pdq, sizeof hs.pdq);
        fold(sum, hs.pdq_dihedral[1], sizeof hs.pdq_dihedral[1]);
    }
    hm_hash_options opt;
    memset(&opt, 0, sizeof opt);
    opt.algos = HM_MASK(HM_ALGO_PDQ);
    for (int r = 0; r < repeat; r++) TIME(&t[S_PDQ], (void)!hm_hash_image(img, &opt, &hs, NULL));
    fold(sum, hs.pdq, sizeof hs.pdq);
    for (int a = HM_ALGO_AHASH; a <= HM_ALGO_WHASH; a++) {
        int stage = S_AHASH + (a - HM_ALGO_AHASH);
        for (int r = 0; r < repeat; r++)
            TIME(&t[stage], hm__imagehash(p->pil, w, h, HM_MASK(a), p->ih_work, &hs));
        size_t n;
        const uint8_t *bytes = hm_hashes_get(&hs, (hm_algo)a, &n);
        fold(sum, bytes, n);
    }
    /* The four from the decoded image (luma block by block), and the same
     * through every kernel tier this CPU runs: the scalar one is the
     * baseline of the SIMD ones. */
    opt.algos = HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) | HM_MASK(HM_ALGO_PHASH) |
                HM_MASK(HM_ALGO_WHASH);
    for (int r = 0; r < repeat; r++) TIME(&t[S_IH_ALL4], (void)!hm_hash_image(img, &opt, &hs, NULL));
    fold(sum, hs.whash, sizeof hs.whash);
    for (int k = 0; k < HM__IH_TIER_COUNT; k++) {
        const hm__ih_kernels *kern = hm__ih_kernels_for((hm__ih_tier)k);
        for (int r = 0; kern && r < repeat; r++)
            TIME(&t[S_IH_TIER + k], hm__imagehash_image_k(kern, img, opt.algos, p->ih_work, &hs));
        fold(sum, hs.phash, sizeof hs.phash);
    }
}

static void time_digests(const uint8_t *data, size_t size, int repeat, timer *t, uint64_t *sum)
{
    hm_hashes hs;
    memset(&hs, 0, sizeof hs);
    static const int algos[] = {HM_ALGO_MD5, HM_ALGO_SHA1, HM_ALGO_SHA256};
    for (int k = 0; k < 3; k++)
        for (int r = 0; r < repeat; r++)
            TIME(&t[S_MD5 + k], (void)!hm__digests(data, size, HM_MASK(algos[k]), &hs, NULL));
    for (int r = 0; r < repeat; r++)
        TIME(&t[S_DIGESTS], (void)!hm__digests(data, size, HM_MASK_DIGESTS, &hs, NULL));
    fold(sum, hs.sha256, sizeof hs.sha256);
}

/* Times everything for one image given as a path (mem NULL) or as bytes;
 * `name` is what the report calls it. */
static int bench_one(const char *path, const char *name, const uint8_t *mem, size_t mem_size,
                     int repeat, result *res)
{
    timer *t = calloc(S_COUNT, sizeof *t);
    const uint8_t *data = mem;
    uint8_t *owned = NULL;
    size_t size = mem_size;
    hm_error err;
    int rc = -1;
    if (!t) return -1;
    memset(res, 0, sizeof *res);
    res->file = name;
    res->reference_identical = -1;
    if (!mem) {
        for (int r = 0; r < repeat; r++) {
            free(owned);
            TIME(&t[S_READ], (void)!hm__read_file(path, 0, &owned, &size, &err));
        }
        if (!owned) goto out;
        data = owned;
    }
    res->bytes = size;
    res->format = hm_image_sniff(data, size);
    long (*bare)(const uint8_t *, size_t) = res->format == HM_FORMAT_JPEG  ? bare_jpeg
                                            : res->format == HM_FORMAT_PNG ? bare_png
                                                                           : NULL;
    for (int r = 0; bare && r < repeat; r++) TIME(&t[S_BARE], res->checksum += (uint64_t)bare(data, size));

    hm_image *img = NULL;
    for (int r = 0; r < repeat; r++) {
        hm_image_free(img);
        img = NULL;
        TIME(&t[S_DECODE], (void)!hm_image_decode(data, size, NULL, &img, &err));
    }
    if (!img) {
        cli_error("%s: %s", path, err.message);
        goto out;
    }
    res->width = hm_image_width(img);
    res->height = hm_image_height(img);
    planes p;
    memset(&p, 0, sizeof p);
    if (planes_alloc(&p, res->width, res->height) == 0) {
        time_hash_stages(img, repeat, &p, t, &res->checksum, &res->reference_identical);
        time_digests(data, size, repeat, t, &res->checksum);
        hm_hashes all;
        for (int r = 0; r < repeat; r++) {
            if (mem) TIME(&t[S_TOTAL], (void)!hm_hash_buffer(data, size, NULL, &all, NULL));
            else TIME(&t[S_TOTAL], (void)!hm_hash_file(path, NULL, &all, NULL));
        }
        fold(&res->checksum, all.pdq, sizeof all.pdq);
        rc = 0;
    } else {
        cli_error("%s: out of memory", path);
    }
    planes_free(&p);
    hm_image_free(img);
    for (int s = 0; s < S_COUNT; s++) res->ms[s] = median_ms(&t[s]);
out:
    free(owned);
    free(t);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

/* Hashing cost beyond our own decode, per millisecond of bare decode. */
static double overhead_ratio(const result *r)
{
    if (r->ms[S_BARE] <= 0 || r->ms[S_TOTAL] < 0) return -1;
    double read = r->ms[S_READ] > 0 ? r->ms[S_READ] : 0;
    return (r->ms[S_TOTAL] - read - r->ms[S_DECODE]) / r->ms[S_BARE];
}

static void print_json(const result *r, int repeat)
{
    cli_buf b;
    cli_buf_init(&b);
    int first = 1;
    cli_buf_putc(&b, '{');
    cli_buf_json_key(&b, &first, "file");
    cli_buf_json_string(&b, r->file);
    cli_buf_json_key(&b, &first, "format");
    cli_buf_json_string(&b, hm_image_format_name(r->format));
    cli_buf_json_key(&b, &first, "bytes");
    cli_buf_printf(&b, "%zu", r->bytes);
    cli_buf_json_key(&b, &first, "width");
    cli_buf_printf(&b, "%u", r->width);
    cli_buf_json_key(&b, &first, "height");
    cli_buf_printf(&b, "%u", r->height);
    cli_buf_json_key(&b, &first, "repeat");
    cli_buf_printf(&b, "%d", repeat);
    cli_buf_json_key(&b, &first, "clock");
    cli_buf_json_string(&b, g_clock == CLOCK_MONOTONIC ? "wall" : "thread_cpu");
    cli_buf_json_key(&b, &first, "ms");
    cli_buf_putc(&b, '{');
    int f2 = 1;
    for (int s = 0; s < S_COUNT; s++) {
        if (r->ms[s] < 0) continue;
        cli_buf_json_key(&b, &f2, STAGE_KEYS[s]);
        cli_buf_printf(&b, "%.4f", r->ms[s]);
    }
    cli_buf_putc(&b, '}');
    if (r->ms[S_BARE] > 0) {
        cli_buf_json_key(&b, &first, "hash_overhead_over_bare_decode");
        cli_buf_printf(&b, "%.4f", overhead_ratio(r));
        cli_buf_json_key(&b, &first, "pdq_over_bare_decode");
        cli_buf_printf(&b, "%.4f", r->ms[S_PDQ] / r->ms[S_BARE]);
    }
    if (r->reference_identical >= 0) {
        cli_buf_json_key(&b, &first, "pdq_filter_identical_to_reference_schedule");
        cli_buf_puts(&b, r->reference_identical ? "true" : "false");
        cli_buf_json_key(&b, &first, "pdq_filter_speedup_over_reference_schedule");
        cli_buf_printf(&b, "%.1f", r->ms[S_FILTER_REF] / r->ms[S_FILTER]);
    }
    cli_buf_json_key(&b, &first, "checksum");
    cli_buf_printf(&b, "\"%016llx\"", (unsigned long long)r->checksum);
    cli_buf_puts(&b, "}\n");
    cli_buf_write(&b, stdout);
    cli_buf_free(&b);
}

static void print_text(const result *r)
{
    printf("%s (%s, %ux%u, %zu bytes)\n", r->file, hm_image_format_name(r->format), r->width,
           r->height, r->bytes);
    for (int s = 0; s < S_COUNT; s++)
        if (r->ms[s] >= 0) printf("  %-31s %10.3f ms\n", STAGE_KEYS[s], r->ms[s]);
    if (r->ms[S_BARE] > 0)
        printf("  hashing overhead / bare decode: %.3f   PDQ / bare decode: %.3f\n",
               overhead_ratio(r), r->ms[S_PDQ] / r->ms[S_BARE]);
    if (r->reference_identical >= 0)
        printf("  PDQ filter: %s the reference schedule's output, %.1fx faster\n",
               r->reference_identical ? "identical to" : "DIFFERENT FROM",
               r->ms[S_FILTER_REF] / r->ms[S_FILTER]);
    printf("  checksum %016llx\n", (unsigned long long)r->checksum);
}

static void emit(const result *r, int json, int repeat)
{
    if (json) print_json(r, repeat);
    else print_text(r);
    fflush(stdout);
}

/* A sample under `dir`, skipped when absent (an installed tool has no
 * source tree). Returns 1 on failure. */
static int bench_sample(const char *dir, const char *prefix, const char *rel, int json,
                        int repeat)
{
    char path[4096], name[4096];
    struct stat st;
    result res;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(name, sizeof name, "%s%s", prefix, rel);
    if (stat(path, &st) != 0) return 0;
    if (bench_one(path, name, NULL, 0, repeat, &res) != 0) return 1;
    emit(&res, json, repeat);
    return 0;
}

int bench_hash(int argc, char **argv)
{
    enum { O_JSON = 256, O_REPEAT, O_NO_GEN, O_CPU };
    static const struct option LONG[] = {{"json", no_argument, NULL, O_JSON},
                                         {"repeat", required_argument, NULL, O_REPEAT},
                                         {"no-generated", no_argument, NULL, O_NO_GEN},
                                         {"cpu-time", no_argument, NULL, O_CPU},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, repeat = 5, generated = 1, c;
    uint64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (c) {
        case O_JSON: json = 1; break;
        case O_REPEAT:
            if (cli_parse_u64(optarg, 1, MAX_REPEAT, &v))
                return cli_usage_error("bench hash", "--repeat takes 1..%d", MAX_REPEAT);
            repeat = (int)v;
            break;
        case O_NO_GEN: generated = 0; break;
        case O_CPU: g_clock = CLOCK_THREAD_CPUTIME_ID; break;
        case 'h': fputs(HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("bench hash", "invalid option");
        }
    }
    int failed = 0;
    result res;
    if (optind < argc) {
        for (int i = optind; i < argc; i++) {
            if (bench_one(argv[i], argv[i], NULL, 0, repeat, &res) == 0) emit(&res, json, repeat);
            else failed = 1;
        }
        return failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof SAMPLES / sizeof SAMPLES[0]; i++)
        failed |= bench_sample(HM_BENCH_SAMPLES_DIR, "tests/data/", SAMPLES[i], json, repeat);
    for (size_t i = 0; i < sizeof VECTOR_SAMPLES / sizeof VECTOR_SAMPLES[0]; i++)
        failed |= bench_sample(HM_BENCH_VECTORS_DIR, "vectors/", VECTOR_SAMPLES[i], json, repeat);
    if (generated) {
        size_t size = 0;
        uint8_t *jpeg = generate_jpeg(&size);
        static const char NAME[] = "generated 4032x3024 JPEG (quality 90, in memory)";
        if (jpeg && bench_one(NAME, NAME, jpeg, size, repeat, &res) == 0)
            emit(&res, json, repeat);
        else failed = 1;
        free(jpeg);
    }
    return failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
