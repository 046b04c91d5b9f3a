/* algo.c - algorithm names, sizes and masks. */
#include "common.h"

typedef struct {
    const char *name;
    size_t size;
    int perceptual;
} algo_info;

/* Indexed by hm_algo id; id 0 is unused. */
static const algo_info ALGOS[HM_ALGO_COUNT + 1] = {
    [HM_ALGO_PDQ] = {"pdq", HM_PDQ_BYTES, 1},
    [HM_ALGO_AHASH] = {"ahash", HM_IMAGEHASH_BYTES, 1},
    [HM_ALGO_DHASH] = {"dhash", HM_IMAGEHASH_BYTES, 1},
    [HM_ALGO_PHASH] = {"phash", HM_IMAGEHASH_BYTES, 1},
    [HM_ALGO_WHASH] = {"whash", HM_IMAGEHASH_BYTES, 1},
    [HM_ALGO_MD5] = {"md5", HM_MD5_BYTES, 0},
    [HM_ALGO_SHA1] = {"sha1", HM_SHA1_BYTES, 0},
    [HM_ALGO_SHA256] = {"sha256", HM_SHA256_BYTES, 0},
    [HM_ALGO_VPDQ] = {"vpdq", HM_PDQ_BYTES, 1},
};

static int valid(hm_algo a) { return (int)a >= 1 && (int)a <= HM_ALGO_COUNT; }

const char *hm_algo_name(hm_algo algo) { return valid(algo) ? ALGOS[algo].name : NULL; }

size_t hm_algo_hash_size(hm_algo algo) { return valid(algo) ? ALGOS[algo].size : 0; }

int hm_algo_is_perceptual(hm_algo algo) { return valid(algo) ? ALGOS[algo].perceptual : 0; }

static hm_status algo_from_span(const char *s, size_t n, hm_algo *out)
{
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        if (strlen(ALGOS[a].name) == n && memcmp(ALGOS[a].name, s, n) == 0) {
            *out = (hm_algo)a;
            return HM_OK;
        }
    }
    return HM_E_PARSE;
}

hm_status hm_algo_from_name(const char *name, hm_algo *out)
{
    if (!name || !out) return HM_E_INVALID_ARGUMENT;
    return algo_from_span(name, strlen(name), out);
}

hm_status hm_algo_mask_parse(const char *list, uint32_t *mask)
{
    if (!list || !mask) return HM_E_INVALID_ARGUMENT;
    uint32_t m = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        hm_algo a;
        if (n == 3 && memcmp(p, "all", 3) == 0)
            m |= HM_MASK_EVERY;
        else if (algo_from_span(p, n, &a) == HM_OK)
            m |= HM_MASK(a);
        else
            return HM_E_PARSE;
        if (!comma) break;
        p = comma + 1;
    }
    *mask = m;
    return HM_OK;
}
