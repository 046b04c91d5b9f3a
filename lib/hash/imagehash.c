/* imagehash.c - aHash, dHash, pHash and wHash as Python's imagehash 4.3 computes them.
 *
 * Every hash starts from its own exact Pillow resize of the shared convert('L')
 * plane: 8x8 (aHash), 9 wide x 8 high (dHash), 32x32 (pHash) and s x s with
 * s = max(2^floor(log2(min(w, h))), 8) (wHash). Bits are flattened row by row,
 * the first bit the most significant. */
#include "../common/common.h"
#include "hash_internal.h"
#include "imagehash.h"

#define MASK_A HM_MASK(HM_ALGO_AHASH)
#define MASK_D HM_MASK(HM_ALGO_DHASH)
#define MASK_P HM_MASK(HM_ALGO_PHASH)
#define MASK_W HM_MASK(HM_ALGO_WHASH)

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

/* Layout: the four resized planes, then scratch shared by the stages (one
 * resize or the Haar pyramid at a time). */
typedef struct layout {
    size_t off8, off9, off32, offs, scratch, total;
    uint32_t s;
} layout;

static layout plan(uint32_t w, uint32_t h, uint32_t algos)
{
    layout L;
    memset(&L, 0, sizeof L);
    L.s = hm__whash_scale(w, h);
    size_t s2 = (size_t)L.s * L.s;
    L.off8 = 0;
    L.off9 = 64;
    L.off32 = 64 + 128;
    L.offs = L.off32 + 1024;
    L.scratch = L.offs + ((algos & MASK_W) ? align64(s2) : 0);
    size_t need = 0;
    if (algos & MASK_A) need = max_size(need, hm__pil_resize_work_bytes(w, h, 8, 8));
    if (algos & MASK_D) need = max_size(need, hm__pil_resize_work_bytes(w, h, 9, 8));
    if (algos & MASK_P) need = max_size(need, hm__pil_resize_work_bytes(w, h, 32, 32));
    if (algos & MASK_W) {
        need = max_size(need, hm__pil_resize_work_bytes(w, h, L.s, L.s));
        need = max_size(need, hm__whash_work_doubles(L.s) * sizeof(double));
    }
    L.total = L.scratch + need;
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

void hm__imagehash(const uint8_t *L, uint32_t w, uint32_t h, uint32_t algos, void *work,
                   hm_hashes *out)
{
    if (!(algos & (MASK_A | MASK_D | MASK_P | MASK_W))) return;
    layout lay = plan(w, h, algos);
    uint8_t *base = work;
    void *scratch = base + lay.scratch;
    if (algos & MASK_A) {
        uint8_t *p = base + lay.off8;
        hm__pil_resize(L, w, h, p, 8, 8, scratch);
        ahash_bits(p, out->ahash);
    }
    if (algos & MASK_D) {
        uint8_t *p = base + lay.off9;
        hm__pil_resize(L, w, h, p, 9, 8, scratch);
        dhash_bits(p, out->dhash);
    }
    if (algos & MASK_P) {
        uint8_t *p = base + lay.off32;
        double d[64];
        hm__pil_resize(L, w, h, p, 32, 32, scratch);
        hm__dct32x32_low8(p, d);
        above_median(d, out->phash);
    }
    if (algos & MASK_W) {
        uint8_t *p = base + lay.offs;
        double ll[64];
        hm__pil_resize(L, w, h, p, lay.s, lay.s, scratch);
        hm__whash_ll(p, lay.s, scratch, ll);
        above_median(ll, out->whash);
    }
}
