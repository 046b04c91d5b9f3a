/* imagehash.c - aHash, dHash, pHash and wHash as Python's imagehash 4.3 computes them.
 *
 * Every hash starts from its own exact Pillow resize of the shared convert('L')
 * plane: 8x8 (aHash), 9 wide x 8 high (dHash), 32x32 (pHash) and s x s with
 * s = max(2^floor(log2(min(w, h))), 8) (wHash). Bits are flattened row by row,
 * the first bit the most significant.
 *
 * The resizes are plans fed from one pass over the luma rows, block by block:
 * each block is read once (and widened to int16 once) for all of them. The
 * rows come from a whole plane, or are computed block by block from the
 * decoded image so that no full plane is ever written. */
#include "../common/common.h"
#include "hash_internal.h"
#include "imagehash.h"

#define MASK_A HM_MASK(HM_ALGO_AHASH)
#define MASK_D HM_MASK(HM_ALGO_DHASH)
#define MASK_P HM_MASK(HM_ALGO_PHASH)
#define MASK_W HM_MASK(HM_ALGO_WHASH)

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

#define BLOCK_ROWS HM__IH_BLOCK_ROWS
#define WIDE_ROWS 8   /* rows widened to int16 at a time */

/* The four resizes: 8x8, 9x8, 32x32, s x s. */
enum { R_A, R_D, R_P, R_W };
#define R_COUNT HM__IH_RESIZES

static uint32_t algo_mask(int r)
{
    static const uint32_t M[R_COUNT] = {MASK_A, MASK_D, MASK_P, MASK_W};
    return M[r];
}


static uint32_t max_wide_pad(uint32_t w, const hm__ih_layout *L, uint32_t algos)
{
    uint32_t pad = 0;
    for (int r = 0; r < R_COUNT; r++) {
        if (!(algos & algo_mask(r))) continue;
        uint32_t p = hm__rs_wide_pad(w, L->ow[r]);
        if (p > pad) pad = p;
    }
    return pad;
}

static hm__ih_layout plan(uint32_t w, uint32_t h, uint32_t algos)
{
    hm__ih_layout L;
    memset(&L, 0, sizeof L);
    L.s = hm__whash_scale(w, h);
    static const uint32_t OW[3] = {8, 9, 32}, OH[3] = {8, 8, 32};
    for (int r = 0; r < 3; r++) {
        L.ow[r] = OW[r];
        L.oh[r] = OH[r];
    }
    L.ow[R_W] = L.oh[R_W] = L.s;
    size_t off = 0;
    for (int r = 0; r < R_COUNT; r++) {
        L.out[r] = off;
        if (algos & algo_mask(r)) off += align64((size_t)L.ow[r] * L.oh[r]);
    }
    L.scratch = off;
    for (int r = 0; r < R_COUNT; r++) {
        L.plan[r] = off;
        if (algos & algo_mask(r)) off += hm__rs_plan_bytes(w, h, L.ow[r], L.oh[r]);
    }
    L.pad = max_wide_pad(w, &L, algos);
    L.wstride = ((size_t)w + L.pad + 31) & ~(size_t)31;
    L.wide = off;
    if (L.pad) off += align64(WIDE_ROWS * L.wstride * sizeof(int16_t));
    L.luma = off;
    off += align64((size_t)BLOCK_ROWS * w);
    if (algos & MASK_W) off = max_size(off, L.scratch + hm__whash_work_doubles(L.s) * sizeof(double));
    L.total = off;
    return L;
}

size_t hm__imagehash_work_bytes(uint32_t w, uint32_t h, uint32_t algos)
{
    if (!(algos & (MASK_A | MASK_D | MASK_P | MASK_W))) return 0;
    return plan(w, h, algos).total;
}

double hm__median64(const double v[64])
{
    double s[64];
    memcpy(s, v, sizeof s);
    for (int i = 1; i < 64; i++) {
        double t = s[i];
        int j = i;
        for (; j > 0 && s[j - 1] > t; j--) s[j] = s[j - 1];
        s[j] = t;
    }
    return (s[31] + s[32]) / 2;
}

void hm__pack_bits64(const uint8_t bits[64], uint8_t out[8])
{
    for (int i = 0; i < 8; i++) {
        unsigned b = 0;
        for (int j = 0; j < 8; j++) b = (b << 1) | (bits[i * 8 + j] != 0);
        out[i] = (uint8_t)b;
    }
}

static void above_median(const double v[64], uint8_t out[8])
{
    double med = hm__median64(v);
    uint8_t bits[64];
    for (int i = 0; i < 64; i++) bits[i] = v[i] > med;
    hm__pack_bits64(bits, out);
}

static void ahash_bits(const uint8_t p[64], uint8_t out[8])
{
    /* p > mean(p)  <=>  64 * p > sum(p), exactly */
    unsigned sum = 0;
    for (int i = 0; i < 64; i++) sum += p[i];
    uint8_t bits[64];
    for (int i = 0; i < 64; i++) bits[i] = 64u * p[i] > sum;
    hm__pack_bits64(bits, out);
}

static void dhash_bits(const uint8_t p[72], uint8_t out[8])
{
    uint8_t bits[64];
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++) bits[r * 8 + c] = p[r * 9 + c + 1] > p[r * 9 + c];
    hm__pack_bits64(bits, out);
}


static void engine_init(hm__ih_engine *e, const hm__ih_kernels *k, uint32_t w, uint32_t h,
                        uint32_t algos, void *work)
{
    e->lay = plan(w, h, algos);
    e->base = work;
    e->algos = algos;
    e->w = w;
    const hm__rs_plan *done[R_COUNT];
    int ndone = 0;
    e->wide = 0;
    for (int r = 0; r < R_COUNT; r++) {
        if (!(algos & algo_mask(r))) continue;
        hm__rs_plan_init(&e->p[r], k, w, h, e->lay.ow[r], e->lay.oh[r], e->base + e->lay.plan[r],
                         done, ndone);
        done[ndone++] = &e->p[r];
        e->wide |= hm__rs_plan_wide_pad(&e->p[r]) != 0;
    }
}

/* Rows y .. y+n-1 (n <= BLOCK_ROWS) to every plan: widened once for those
 * that read int16 rows. */
static void engine_feed(hm__ih_engine *e, const uint8_t *rows, size_t stride, uint32_t y, uint32_t n)
{
    int16_t *wide = (int16_t *)(void *)(e->base + e->lay.wide);
    for (uint32_t c = 0; e->wide && c < n; c += WIDE_ROWS) {
        uint32_t m = n - c < WIDE_ROWS ? n - c : WIDE_ROWS;
        hm__rs_widen(rows + (size_t)c * stride, stride, m, e->w, e->lay.pad, wide, e->lay.wstride);
        for (int r = 0; r < R_COUNT; r++)
            if ((e->algos & algo_mask(r)) && hm__rs_plan_wide_pad(&e->p[r]))
                hm__rs_push(&e->p[r], rows + (size_t)c * stride, stride, wide, e->lay.wstride,
                            y + c, m);
    }
    for (int r = 0; r < R_COUNT; r++)
        if ((e->algos & algo_mask(r)) && !hm__rs_plan_wide_pad(&e->p[r]))
            hm__rs_push(&e->p[r], rows, stride, NULL, 0, y, n);
}

static void engine_finish(hm__ih_engine *e, const hm__ih_kernels *k, hm_hashes *out)
{
    uint8_t *px[R_COUNT];
    for (int r = 0; r < R_COUNT; r++) {
        px[r] = e->base + e->lay.out[r];
        if (e->algos & algo_mask(r)) hm__rs_finish(&e->p[r], px[r]);
    }
    if (e->algos & MASK_A) ahash_bits(px[R_A], out->ahash);
    if (e->algos & MASK_D) dhash_bits(px[R_D], out->dhash);
    if (e->algos & MASK_P) {
        double d[64];
        hm__dct32x32_low8(px[R_P], d);
        above_median(d, out->phash);
    }
    if (e->algos & MASK_W) {
        double ll[64];
        hm__whash_ll_k(k, px[R_W], e->lay.s, (double *)(void *)(e->base + e->lay.scratch), ll);
        above_median(ll, out->whash);
    }
}

void hm__imagehash_k(const hm__ih_kernels *k, const uint8_t *L, uint32_t w, uint32_t h,
                     uint32_t algos, void *work, hm_hashes *out)
{
    if (!(algos & (MASK_A | MASK_D | MASK_P | MASK_W))) return;
    hm__ih_engine e;
    engine_init(&e, k, w, h, algos, work);
    for (uint32_t y = 0; y < h; y += BLOCK_ROWS)
        engine_feed(&e, L + (size_t)y * w, w, y, h - y < BLOCK_ROWS ? h - y : BLOCK_ROWS);
    engine_finish(&e, k, out);
}

void hm__imagehash(const uint8_t *L, uint32_t w, uint32_t h, uint32_t algos, void *work,
                   hm_hashes *out)
{
    hm__imagehash_k(hm__ih_kernels_best(), L, w, h, algos, work, out);
}

void hm__imagehash_pixels_k(const hm__ih_kernels *k, const hm__pixview *v, uint32_t algos,
                            void *work, hm_hashes *out)
{
    if (!(algos & (MASK_A | MASK_D | MASK_P | MASK_W))) return;
    uint32_t w = v->width, h = v->height;
    hm__ih_engine e;
    engine_init(&e, k, w, h, algos, work);
    uint8_t *block = e.base + e.lay.luma;
    for (uint32_t y = 0; y < h; y += BLOCK_ROWS) {
        uint32_t n = h - y < BLOCK_ROWS ? h - y : BLOCK_ROWS;
        hm__luma_rows(v, y, n, NULL, block); /* Pillow's plane only */
        engine_feed(&e, block, w, y, n);
    }
    engine_finish(&e, k, out);
}

void hm__imagehash_image_k(const hm__ih_kernels *k, const hm_image *img, uint32_t algos,
                           void *work, hm_hashes *out)
{
    hm__pixview v;
    hm__pixview_of_image(&v, img);
    hm__imagehash_pixels_k(k, &v, algos, work, out);
}

void hm__imagehash_pixels(const hm__pixview *v, uint32_t algos, void *work, hm_hashes *out)
{
    hm__imagehash_pixels_k(hm__ih_kernels_best(), v, algos, work, out);
}

void hm__imagehash_image(const hm_image *img, uint32_t algos, void *work, hm_hashes *out)
{
    hm__imagehash_image_k(hm__ih_kernels_best(), img, algos, work, out);
}

/* ---- fed by another pass over the rows ---- */

void hm__ih_stream_start(hm__ih_stream *s, uint32_t w, uint32_t h, uint32_t algos, void *work)
{
    s->k = hm__ih_kernels_best();
    engine_init(&s->e, s->k, w, h, algos, work);
    s->block = s->e.base + s->e.lay.luma;
    s->height = h;
    s->y = s->filled = 0;
}

uint32_t hm__ih_stream_room(const hm__ih_stream *s)
{
    uint32_t left = s->height - s->y - s->filled, room = BLOCK_ROWS - s->filled;
    return left < room ? left : room;
}

uint8_t *hm__ih_stream_next(hm__ih_stream *s)
{
    return s->block + (size_t)s->filled * s->e.w;
}

void hm__ih_stream_commit(hm__ih_stream *s, uint32_t n)
{
    s->filled += n;
    if (s->filled < BLOCK_ROWS && s->y + s->filled < s->height) return;
    engine_feed(&s->e, s->block, s->e.w, s->y, s->filled);
    s->y += s->filled;
    s->filled = 0;
}

void hm__ih_stream_finish(hm__ih_stream *s, hm_hashes *out) { engine_finish(&s->e, s->k, out); }
