/* builder.c - collecting entries and writing an unsigned set in the
 * canonical version-1 layout (docs/FORMAT.md). */
#include <stdlib.h>

#include "../common/abi.h"
#include "builder_internal.h"

static int valid_algo(hm_algo a) { return (int)a >= 1 && (int)a <= HM_ALGO_COUNT; }

static void policy_default(hm_algo algo, hm_set_policy *out)
{
    memset(out, 0, sizeof *out);
    if (algo == HM_ALGO_PDQ || algo == HM_ALGO_VPDQ) {
        out->radius = 31;
        out->min_quality = 50;
        /* python-threatexchange's VPDQ_QUERY_MATCH_THRESHOLD_PERCENT and
         * VPDQ_INDEX_MATCH_THRESHOLD_PERCENT */
        if (algo == HM_ALGO_VPDQ) out->query_match_pct = 8000;
    } else if (hm_algo_is_perceptual(algo)) {
        out->radius = 10;
    }
    out->allow_radius = out->radius;
}

void hm_set_policy_default_sized(hm_algo algo, hm_set_policy *out, size_t out_size)
{
    if (HM__ABI_CHECK_OUT(hm_set_policy, out, out_size, NULL) != HM_OK) return;
    hm_set_policy p;
    policy_default(algo, &p);
    hm__abi_write(out, out_size, &p, sizeof p);
}

hm_status hm_set_builder_new(hm_set_builder **out)
{
    if (!out) return HM_E_INVALID_ARGUMENT;
    hm_set_builder *b = calloc(1, sizeof *b);
    *out = b;
    if (!b) return HM_E_NO_MEMORY;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) policy_default((hm_algo)a, &b->algos[a].policy);
    b->version = 1;
    return HM_OK;
}

void hm_set_builder_free(hm_set_builder *b)
{
    if (!b) return;
    free(b->name);
    free(b->issuer);
    for (unsigned i = 0; i < b->ncat; i++) free(b->categories[i]);
    free(b->categories);
    for (int a = 0; a <= HM_ALGO_COUNT; a++) {
        free(b->algos[a].hashes);
        free(b->algos[a].meta);
        free(b->algos[a].allow);
    }
    free(b->videos.hashes);
    free(b->videos.records);
    free(b->videos.first);
    free(b->videos.count);
    free(b->videos.meta);
    free(b->pool);
    free(b->slots);
    free(b);
}

static hm_status set_text(char **dst, const char *s, const char *what, int allow_empty,
                          hm_error *err)
{
    HM_RETURN_IF(!s || (!allow_empty && !*s), err, HM_E_INVALID_ARGUMENT, "the %s is empty", what);
    HM_RETURN_IF(!hm__set_text_ok(s, strlen(s)), err, HM_E_INVALID_ARGUMENT,
                 "the %s is not printable UTF-8", what);
    char *copy = strdup(s);
    HM_RETURN_IF(!copy, err, HM_E_NO_MEMORY, "out of memory");
    free(*dst);
    *dst = copy;
    return HM_OK;
}

hm_status hm_set_builder_set_name(hm_set_builder *b, const char *name, hm_error *err)
{
    HM_RETURN_IF(!b, err, HM_E_INVALID_ARGUMENT, "no builder");
    return set_text(&b->name, name, "set name", 0, err);
}

hm_status hm_set_builder_set_issuer(hm_set_builder *b, const char *issuer, hm_error *err)
{
    HM_RETURN_IF(!b, err, HM_E_INVALID_ARGUMENT, "no builder");
    return set_text(&b->issuer, issuer, "issuer", 1, err);
}

void hm_set_builder_set_version(hm_set_builder *b, uint64_t version) { b->version = version; }

void hm_set_builder_set_times(hm_set_builder *b, uint64_t created, uint64_t expires)
{
    b->created = created;
    b->expires = expires;
}

void hm_set_builder_set_previous(hm_set_builder *b, const uint8_t digest[HM_SET_DIGEST_BYTES])
{
    if (digest) memcpy(b->previous, digest, HM_SET_DIGEST_BYTES);
    else memset(b->previous, 0, HM_SET_DIGEST_BYTES);
}

hm_status hm_set_builder_add_category(hm_set_builder *b, const char *name, unsigned *index,
                                      hm_error *err)
{
    HM_RETURN_IF(!b || !name, err, HM_E_INVALID_ARGUMENT, "no builder or name");
    for (unsigned i = 0; i < b->ncat; i++)
        HM_RETURN_IF(!strcmp(b->categories[i], name), err, HM_E_INVALID_ARGUMENT,
                     "category \"%s\" is already in the list", name);
    HM_RETURN_IF(b->ncat >= HM_SET_MAX_CATEGORIES, err, HM_E_LIMIT, "too many categories");
    if (b->ncat == b->capcat) {
        unsigned cap = b->capcat ? 2 * b->capcat : 8;
        char **c = realloc(b->categories, cap * sizeof *c);
        HM_RETURN_IF(!c, err, HM_E_NO_MEMORY, "out of memory");
        b->categories = c;
        b->capcat = cap;
    }
    char *copy = NULL;
    HM_FORWARD_IF_ERROR(set_text(&copy, name, "category name", 0, err));
    b->categories[b->ncat] = copy;
    if (index) *index = b->ncat;
    b->ncat++;
    return HM_OK;
}

static hm_status check_policy(hm_algo algo, const hm_set_policy *p, hm_error *err)
{
    if (algo == HM_ALGO_VPDQ)
        return hm__vpdq_policy_check(p, &hm__vpdq_format_bounds, HM_E_INVALID_ARGUMENT, "vpdq",
                                     err);
    HM_RETURN_IF(p->query_match_pct || p->compared_match_pct, err, HM_E_INVALID_ARGUMENT,
                 "%s: match percentages are for vpdq only", hm_algo_name(algo));
    unsigned bits = hm_algo_is_perceptual(algo) ? (unsigned)hm_algo_hash_size(algo) * 8 : 0;
    HM_RETURN_IF(p->variant > (algo == HM_ALGO_PDQ ? (unsigned)HM_PDQ_CLI512 : 0u), err,
                 HM_E_INVALID_ARGUMENT, "%s: unknown variant %u", hm_algo_name(algo), p->variant);
    HM_RETURN_IF(p->radius > bits || p->allow_radius > bits, err, HM_E_INVALID_ARGUMENT,
                 "%s: radius %u / allowlist radius %u exceed %u", hm_algo_name(algo), p->radius,
                 p->allow_radius, bits);
    HM_RETURN_IF(p->min_quality > (algo == HM_ALGO_PDQ ? 100u : 0u), err, HM_E_INVALID_ARGUMENT,
                 "%s: minimum quality %u is impossible", hm_algo_name(algo), p->min_quality);
    return HM_OK;
}

hm_status hm_set_builder_set_policy_sized(hm_set_builder *b, hm_algo algo,
                                          const hm_set_policy *policy, size_t policy_size,
                                          hm_error *err)
{
    HM_RETURN_IF(!b || !policy, err, HM_E_INVALID_ARGUMENT, "no builder or policy");
    hm_set_policy p;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_set_policy, &p, policy, policy_size, err));
    HM_RETURN_IF(!valid_algo(algo), err, HM_E_SET_UNKNOWN_ALGORITHM, "unknown algorithm %d",
                 (int)algo);
    HM_FORWARD_IF_ERROR(check_policy(algo, &p, err));
    b->algos[algo].policy = p;
    return HM_OK;
}

/* ---- external id pool ---- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int pool_grow_slots(hm_set_builder *b)
{
    size_t cap = b->slot_cap ? 2 * b->slot_cap : 1024;
    uint32_t *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < b->slot_cap; i++) {
        if (!b->slots[i]) continue;
        size_t j = fnv1a(b->pool + b->slots[i] - 1) & (cap - 1);
        while (s[j]) j = (j + 1) & (cap - 1);
        s[j] = b->slots[i];
    }
    free(b->slots);
    b->slots = s;
    b->slot_cap = cap;
    return 0;
}

/* Returns the pool offset + 1 of `s`, adding it once; 0 on out of memory. */
static uint32_t pool_intern(hm_set_builder *b, const char *s)
{
    if ((b->slot_used + 1) * 2 > b->slot_cap && pool_grow_slots(b)) return 0;
    size_t j = fnv1a(s) & (b->slot_cap - 1);
    for (; b->slots[j]; j = (j + 1) & (b->slot_cap - 1))
        if (!strcmp(b->pool + b->slots[j] - 1, s)) return b->slots[j];
    size_t n = strlen(s) + 1;
    if (b->pool_len + n > UINT32_MAX - 1) return 0;
    if (b->pool_len + n > b->pool_cap) {
        size_t cap = b->pool_cap ? 2 * b->pool_cap : 4096;
        while (cap < b->pool_len + n) cap *= 2;
        char *p = realloc(b->pool, cap);
        if (!p) return 0;
        b->pool = p;
        b->pool_cap = cap;
    }
    memcpy(b->pool + b->pool_len, s, n);
    b->slots[j] = (uint32_t)b->pool_len + 1;
    b->pool_len += n;
    b->slot_used++;
    return b->slots[j];
}

/* ---- entries ---- */

static int grow(uint8_t **p, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap) return 0;
    size_t c = *cap ? 2 * *cap : 256;
    uint8_t *q = realloc(*p, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int grow_entries(algo_entries *e, size_t hs)
{
    if (e->count < e->cap) return 0;
    size_t c = e->cap ? 2 * e->cap : 256;
    uint8_t *h = realloc(e->hashes, c * hs);
    if (!h) return -1;
    e->hashes = h;
    uint8_t *m = realloc(e->meta, c * HM__META_SIZE);
    if (!m) return -1;
    e->meta = m;
    e->cap = c;
    return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

hm_status hm__builder_entry_meta(hm_set_builder *b, unsigned category, unsigned attesters,
                                 const char *external_id, uint8_t meta[HM__META_SIZE],
                                 hm_error *err)
{
    HM_RETURN_IF(category >= b->ncat, err, HM_E_SET_UNKNOWN_CATEGORY,
                 "category %u is not in the list of %u categories", category, b->ncat);
    HM_RETURN_IF(attesters < 1 || attesters > 65535, err, HM_E_INVALID_ARGUMENT,
                 "attester count %u is outside 1..65535", attesters);
    uint32_t ext = 0;
    if (external_id && *external_id) {
        HM_RETURN_IF(!hm__set_text_ok(external_id, strlen(external_id)), err,
                     HM_E_INVALID_ARGUMENT, "the external id is not printable UTF-8");
        ext = pool_intern(b, external_id);
        HM_RETURN_IF(!ext, err, HM_E_NO_MEMORY, "out of memory for external ids");
    }
    hm__store_le16(meta + HM__M_CATEGORY, (uint16_t)category);
    hm__store_le16(meta + HM__M_ATTESTERS, (uint16_t)attesters);
    hm__store_le32(meta + HM__M_EXTERNAL_ID, ext);
    return HM_OK;
}

hm_status hm_set_builder_add(hm_set_builder *b, hm_algo algo, const uint8_t *hash,
                             unsigned category, unsigned attesters, const char *external_id,
                             hm_error *err)
{
    HM_RETURN_IF(!b || !hash, err, HM_E_INVALID_ARGUMENT, "no builder or hash");
    HM_RETURN_IF(!valid_algo(algo), err, HM_E_SET_UNKNOWN_ALGORITHM, "unknown algorithm %d",
                 (int)algo);
    HM_RETURN_IF(algo == HM_ALGO_VPDQ, err, HM_E_INVALID_ARGUMENT,
                 "vpdq entries are videos: add them with hm_set_builder_add_video");
    size_t hs = hm_algo_hash_size(algo);
    HM_RETURN_IF(algo == HM_ALGO_PDQ && all_zero(hash, hs), err, HM_E_INVALID_ARGUMENT,
                 "the all-zero PDQ hash (a flat image) cannot be listed");
    uint8_t meta[HM__META_SIZE];
    HM_FORWARD_IF_ERROR(hm__builder_entry_meta(b, category, attesters, external_id, meta, err));
    algo_entries *e = &b->algos[algo];
    HM_RETURN_IF(e->count >= UINT32_MAX, err, HM_E_LIMIT, "too many %s entries",
                 hm_algo_name(algo));
    HM_RETURN_IF(grow_entries(e, hs), err, HM_E_NO_MEMORY, "out of memory for entries");
    memcpy(e->hashes + e->count * hs, hash, hs);
    memcpy(e->meta + e->count * HM__META_SIZE, meta, HM__META_SIZE);
    e->count++;
    return HM_OK;
}

hm_status hm_set_builder_allow(hm_set_builder *b, hm_algo algo, const uint8_t *hash,
                               hm_error *err)
{
    HM_RETURN_IF(!b || !hash, err, HM_E_INVALID_ARGUMENT, "no builder or hash");
    HM_RETURN_IF(!valid_algo(algo), err, HM_E_SET_UNKNOWN_ALGORITHM, "unknown algorithm %d",
                 (int)algo);
    size_t hs = hm_algo_hash_size(algo);
    algo_entries *e = &b->algos[algo];
    HM_RETURN_IF(e->allow_count >= UINT32_MAX, err, HM_E_LIMIT, "allowlist too long");
    HM_RETURN_IF(grow(&e->allow, &e->allow_cap, e->allow_count, hs), err, HM_E_NO_MEMORY,
                 "out of memory for the allowlist");
    memcpy(e->allow + e->allow_count * hs, hash, hs);
    e->allow_count++;
    return HM_OK;
}
