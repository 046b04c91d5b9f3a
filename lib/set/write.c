/* write.c - hm_set_builder_build: sort and merge the entries, lay the
 * regions out canonically, write the content and an empty signature block. */
#include <stdio.h>
#include <stdlib.h>

#include "builder_internal.h"

typedef struct section_plan {
    hm_algo algo;
    algo_entries *e;
    uint32_t *idx; /* representatives of unique hashes, ascending */
    size_t n;
    uint32_t *aidx; /* unique allowlist hashes, ascending */
    size_t an;
    uint64_t hashes_off, meta_off, allow_off;
    uint64_t frames; /* vPDQ: n videos of this many frames in all */
} section_plan;

typedef struct plan {
    section_plan s[HM_ALGO_COUNT];
    unsigned nsec;
    uint64_t sections_off, categories_off, strings_off, strings_size, content_size;
    uint32_t name_ref, issuer_ref, ext_base;
} plan;

static const uint8_t *hash_at(const algo_entries *e, size_t hs, uint32_t i)
{
    return e->hashes + (size_t)i * hs;
}

hm_status hm__builder_merge_meta(const hm_set_builder *b, const char *what, uint8_t *m,
                                 const uint8_t *d, unsigned rep, unsigned dup, hm_error *err)
{
    unsigned cm = hm__load_le16(m + HM__M_CATEGORY), cd = hm__load_le16(d + HM__M_CATEGORY);
    HM_RETURN_IF(cm != cd, err, HM_E_SET_DUPLICATE_ENTRY,
                 "%s was added as entries #%u and #%u with different categories (%s, %s)", what,
                 rep, dup, b->categories[cm], b->categories[cd]);
    uint32_t xm = hm__load_le32(m + HM__M_EXTERNAL_ID), xd = hm__load_le32(d + HM__M_EXTERNAL_ID);
    HM_RETURN_IF(xm && xd && xm != xd, err, HM_E_SET_DUPLICATE_ENTRY,
                 "%s was added as entries #%u and #%u with different external ids (%s, %s)", what,
                 rep, dup, b->pool + xm - 1, b->pool + xd - 1);
    if (!xm) hm__store_le32(m + HM__M_EXTERNAL_ID, xd);
    /* Counts are never summed: two lines may come from one organisation. */
    if (hm__load_le16(d + HM__M_ATTESTERS) > hm__load_le16(m + HM__M_ATTESTERS))
        hm__store_le16(m + HM__M_ATTESTERS, hm__load_le16(d + HM__M_ATTESTERS));
    return HM_OK;
}

/* Folds entry `dup` into the representative `rep` (same hash). */
static hm_status merge_into(const hm_set_builder *b, hm_algo algo, algo_entries *e, uint32_t rep,
                            uint32_t dup, hm_error *err)
{
    char hex[HM_MAX_HEX_SIZE], what[HM_MAX_HEX_SIZE + 16];
    hm_hex_encode(hash_at(e, hm_algo_hash_size(algo), rep), hm_algo_hash_size(algo), hex);
    snprintf(what, sizeof what, "%s %s", hm_algo_name(algo), hex);
    return hm__builder_merge_meta(b, what, e->meta + (size_t)rep * HM__META_SIZE,
                                  e->meta + (size_t)dup * HM__META_SIZE, rep, dup, err);
}

static hm_status sort_unique(const uint8_t *hashes, size_t hs, size_t n, uint32_t **out,
                             hm_error *err)
{
    *out = NULL;
    if (n == 0) return HM_OK;
    uint32_t *idx = malloc(n * sizeof *idx);
    if (!idx || hm__sort_hashes(hashes, hs, n, idx)) {
        free(idx);
        return hm__fail(err, HM_E_NO_MEMORY, "out of memory while sorting %zu hashes", n);
    }
    *out = idx;
    return HM_OK;
}

static hm_status plan_section(hm_set_builder *b, hm_algo algo, section_plan *s,
                              hm_error *err)
{
    algo_entries *e = s->e;
    size_t hs = hm_algo_hash_size(algo);
    size_t u = 0;
    if (algo == HM_ALGO_VPDQ)
        HM_FORWARD_IF_ERROR(hm__builder_plan_videos(b, &s->idx, &s->n,
                                                    &s->frames, err));
    else
        HM_FORWARD_IF_ERROR(sort_unique(e->hashes, hs, e->count, &s->idx, err));
    for (size_t i = 0; i < e->count; i++) {
        uint32_t x = s->idx[i];
        if (u > 0 && !memcmp(hash_at(e, hs, s->idx[u - 1]), hash_at(e, hs, x), hs))
            HM_FORWARD_IF_ERROR(merge_into(b, algo, e, s->idx[u - 1], x, err));
        else
            s->idx[u++] = x;
    }
    if (algo != HM_ALGO_VPDQ) s->n = u;
    HM_FORWARD_IF_ERROR(sort_unique(e->allow, hs, e->allow_count, &s->aidx, err));
    u = 0;
    for (size_t i = 0; i < e->allow_count; i++)
        if (u == 0 || memcmp(e->allow + (size_t)s->aidx[u - 1] * hs,
                             e->allow + (size_t)s->aidx[i] * hs, hs))
            s->aidx[u++] = s->aidx[i];
    s->an = u;
    return HM_OK;
}

static uint64_t place(uint64_t *end, uint64_t size)
{
    uint64_t off = hm__align_up64(*end);
    *end = off + size;
    return off;
}

static hm_status plan_layout(const hm_set_builder *b, plan *p, hm_error *err)
{
    uint64_t strings = 1 + strlen(b->name) + 1;
    p->name_ref = 1;
    p->issuer_ref = 0;
    if (b->issuer && *b->issuer) {
        p->issuer_ref = (uint32_t)strings;
        strings += strlen(b->issuer) + 1;
    }
    for (unsigned i = 0; i < b->ncat; i++) strings += strlen(b->categories[i]) + 1;
    p->ext_base = (uint32_t)strings;
    strings += b->pool_len;
    HM_RETURN_IF(strings > UINT32_MAX, err, HM_E_LIMIT, "the string table exceeds 4 GiB");
    uint64_t end = HM__SET_HEADER_SIZE;
    p->sections_off = place(&end, (uint64_t)p->nsec * HM__SECTION_SIZE);
    p->categories_off = place(&end, (uint64_t)b->ncat * 4);
    p->strings_off = place(&end, strings);
    p->strings_size = strings;
    for (unsigned i = 0; i < p->nsec; i++) {
        section_plan *s = &p->s[i];
        size_t hs = hm_algo_hash_size(s->algo);
        int vpdq = s->algo == HM_ALGO_VPDQ;
        s->hashes_off = place(&end, (vpdq ? s->frames : (uint64_t)s->n) * hs);
        s->meta_off = place(&end, (uint64_t)s->n * HM__META_SIZE +
                                      (vpdq ? (uint64_t)s->n * HM__RANGE_SIZE +
                                                  s->frames * HM__FRAME_SIZE
                                            : 0));
        s->allow_off = place(&end, (uint64_t)s->an * hs);
    }
    HM_RETURN_IF(end > SIZE_MAX - HM__SIG_HEADER_SIZE - HM__SET_ALIGN, err, HM_E_LIMIT,
                 "the set is too large");
    p->content_size = end;
    return HM_OK;
}

static uint32_t put_string(uint8_t *table, uint32_t at, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(table + at, s, n);
    return at + (uint32_t)n;
}

static void write_header(const hm_set_builder *b, const plan *p, uint8_t *c)
{
    memcpy(c + HM__H_MAGIC, HM__SET_MAGIC, HM__SET_MAGIC_SIZE);
    hm__store_le32(c + HM__H_FORMAT_VERSION, HM_SET_FORMAT_VERSION);
    hm__store_le32(c + HM__H_HEADER_SIZE, HM__SET_HEADER_SIZE);
    hm__store_le64(c + HM__H_CONTENT_SIZE, p->content_size);
    hm__store_le64(c + HM__H_SET_VERSION, b->version);
    hm__store_le64(c + HM__H_CREATED, b->created);
    hm__store_le64(c + HM__H_EXPIRES, b->expires);
    memcpy(c + HM__H_PREVIOUS, b->previous, HM_SET_DIGEST_BYTES);
    hm__store_le32(c + HM__H_NAME, p->name_ref);
    hm__store_le32(c + HM__H_ISSUER, p->issuer_ref);
    hm__store_le32(c + HM__H_CATEGORY_COUNT, b->ncat);
    hm__store_le32(c + HM__H_SECTION_COUNT, p->nsec);
    hm__store_le64(c + HM__H_SECTIONS_OFFSET, p->sections_off);
    hm__store_le64(c + HM__H_CATEGORIES_OFFSET, p->categories_off);
    hm__store_le64(c + HM__H_STRINGS_OFFSET, p->strings_off);
    hm__store_le64(c + HM__H_STRINGS_SIZE, p->strings_size);
}

static void write_strings(const hm_set_builder *b, const plan *p, uint8_t *c)
{
    uint8_t *t = c + p->strings_off;
    uint32_t at = put_string(t, 1, b->name);
    if (p->issuer_ref) at = put_string(t, at, b->issuer);
    for (unsigned i = 0; i < b->ncat; i++) {
        hm__store_le32(c + p->categories_off + 4 * (size_t)i, at);
        at = put_string(t, at, b->categories[i]);
    }
    if (b->pool_len) memcpy(t + at, b->pool, b->pool_len);
}

static void write_section(const hm_set_builder *b, const plan *p, const section_plan *s,
                          unsigned i, uint8_t *c)
{
    const algo_entries *e = s->e;
    size_t hs = hm_algo_hash_size(s->algo);
    uint8_t *d = c + p->sections_off + (size_t)i * HM__SECTION_SIZE;
    hm__store_le16(d + HM__S_ALGO, (uint16_t)s->algo);
    hm__store_le16(d + HM__S_VARIANT, (uint16_t)e->policy.variant);
    hm__store_le16(d + HM__S_RADIUS, (uint16_t)e->policy.radius);
    hm__store_le16(d + HM__S_ALLOW_RADIUS, (uint16_t)e->policy.allow_radius);
    hm__store_le16(d + HM__S_MIN_QUALITY, (uint16_t)e->policy.min_quality);
    hm__store_le64(d + HM__S_ENTRY_COUNT, s->n);
    hm__store_le64(d + HM__S_HASHES_OFFSET, s->hashes_off);
    hm__store_le64(d + HM__S_META_OFFSET, s->meta_off);
    hm__store_le64(d + HM__S_ALLOW_COUNT, s->an);
    hm__store_le64(d + HM__S_ALLOW_OFFSET, s->allow_off);
    if (s->algo == HM_ALGO_VPDQ) {
        hm__store_le16(d + HM__S_VPDQ_QUERY_PCT, (uint16_t)e->policy.query_match_pct);
        hm__store_le16(d + HM__S_VPDQ_COMPARED_PCT, (uint16_t)e->policy.compared_match_pct);
        hm__store_le64(d + HM__S_FRAME_COUNT, s->frames);
        hm__builder_write_videos(b, s->idx, s->n, c + s->hashes_off, c + s->meta_off, p->ext_base);
    }
    for (size_t k = 0; s->algo != HM_ALGO_VPDQ && k < s->n; k++) {
        uint32_t x = s->idx[k];
        const uint8_t *m = e->meta + (size_t)x * HM__META_SIZE;
        uint8_t *om = c + s->meta_off + k * HM__META_SIZE;
        uint32_t ext = hm__load_le32(m + HM__M_EXTERNAL_ID);
        memcpy(c + s->hashes_off + k * hs, e->hashes + (size_t)x * hs, hs);
        memcpy(om, m, 4); /* category and attesters */
        hm__store_le32(om + HM__M_EXTERNAL_ID, ext ? p->ext_base + ext - 1 : 0);
    }
    for (size_t k = 0; k < s->an; k++)
        memcpy(c + s->allow_off + k * hs, e->allow + (size_t)s->aidx[k] * hs, hs);
}

static hm_status write_all(const hm_set_builder *b, const plan *p, uint8_t **data, size_t *size,
                           hm_error *err)
{
    size_t total = (size_t)p->content_size + HM__SIG_HEADER_SIZE;
    uint8_t *c = hm__set_alloc(total);
    HM_RETURN_IF(!c, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes for the set", total);
    memset(c, 0, total);
    write_header(b, p, c);
    write_strings(b, p, c);
    for (unsigned i = 0; i < p->nsec; i++) write_section(b, p, &p->s[i], i, c);
    uint8_t *sb = c + p->content_size;
    memcpy(sb + HM__SB_MAGIC, HM__SET_SIG_MAGIC, HM__SET_MAGIC_SIZE);
    hm_status st = hm__sha256(c, (size_t)p->content_size, sb + HM__SB_DIGEST, err);
    if (st != HM_OK) {
        free(c);
        return st;
    }
    *data = c;
    *size = total;
    return HM_OK;
}

static hm_status check_header(const hm_set_builder *b, hm_error *err)
{
    HM_RETURN_IF(!b->name, err, HM_E_INVALID_ARGUMENT, "the set has no name");
    HM_RETURN_IF(b->version == 0, err, HM_E_INVALID_ARGUMENT, "set versions start at 1");
    HM_RETURN_IF(b->expires <= b->created, err, HM_E_INVALID_ARGUMENT,
                 "the expiry time must be after the creation time");
    return HM_OK;
}

hm_status hm_set_builder_build(hm_set_builder *b, uint8_t **data, size_t *size, hm_error *err)
{
    HM_RETURN_IF(!b || !data || !size, err, HM_E_INVALID_ARGUMENT, "no builder or output");
    *data = NULL;
    *size = 0;
    HM_FORWARD_IF_ERROR(check_header(b, err));
    plan p;
    memset(&p, 0, sizeof p);
    hm_status st = HM_OK;
    for (int a = 1; a <= HM_ALGO_COUNT && st == HM_OK; a++) {
        algo_entries *e = &b->algos[a];
        if (!e->count && !e->allow_count && !(a == HM_ALGO_VPDQ && b->videos.nvideos)) continue;
        section_plan *s = &p.s[p.nsec++];
        s->algo = (hm_algo)a;
        s->e = e;
        st = plan_section(b, (hm_algo)a, s, err);
    }
    if (st == HM_OK) st = plan_layout(b, &p, err);
    if (st == HM_OK) st = write_all(b, &p, data, size, err);
    for (unsigned i = 0; i < p.nsec; i++) {
        free(p.s[i].idx);
        free(p.s[i].aidx);
    }
    if (st == HM_OK) hm__ok(err);
    return st;
}
