/* parse.c - the structural half of opening a set: every header field, count,
 * offset, string, category and entry is checked, in the order docs/FORMAT.md
 * lists, before the handle is returned. Runs only on authenticated content
 * (or, for the fuzzer and auditors, on content whose digest matched). */
#include <stdio.h>
#include <stdlib.h>

#include "set_internal.h"

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

static unsigned long long ull(uint64_t v) { return (unsigned long long)v; }

/* ---- header ---- */

hm_status hm__set_parse_header(const uint8_t *c, size_t n, hm__set_header *h, hm_error *err)
{
    memset(h, 0, sizeof *h);
    HM_RETURN_IF(n < HM__SET_HEADER_SIZE, err, HM_E_SET_TRUNCATED,
                 "truncated: %zu bytes of content, the header needs %d", n, HM__SET_HEADER_SIZE);
    HM_RETURN_IF(memcmp(c, HM__SET_MAGIC, HM__SET_MAGIC_SIZE) != 0, err, HM_E_SET_MAGIC,
                 "not a hashmatch set: wrong magic at offset 0");
    uint32_t fv = hm__load_le32(c + HM__H_FORMAT_VERSION);
    HM_RETURN_IF(fv != HM_SET_FORMAT_VERSION, err, HM_E_SET_FORMAT_VERSION,
                 "format version %u at offset %d; this library reads version %d", fv,
                 HM__H_FORMAT_VERSION, HM_SET_FORMAT_VERSION);
    uint32_t hs = hm__load_le32(c + HM__H_HEADER_SIZE);
    HM_RETURN_IF(hs != HM__SET_HEADER_SIZE, err, HM_E_SET_FIELD,
                 "header size %u at offset %d; version 1 headers are %d bytes", hs,
                 HM__H_HEADER_SIZE, HM__SET_HEADER_SIZE);
    uint64_t cs = hm__load_le64(c + HM__H_CONTENT_SIZE);
    HM_RETURN_IF(cs != n, err, HM_E_SET_BOUNDS, "content size field %llu at offset %d, but the "
                 "content is %zu bytes", ull(cs), HM__H_CONTENT_SIZE, n);
    HM_RETURN_IF(hm__load_le64(c + HM__H_FLAGS) != 0, err, HM_E_SET_FIELD,
                 "flags at offset %d are not zero (no flags are defined)", HM__H_FLAGS);
    HM_RETURN_IF(!all_zero(c + HM__H_RESERVED, HM__SET_HEADER_SIZE - HM__H_RESERVED), err,
                 HM_E_SET_FIELD, "reserved header bytes %d..%d are not zero", HM__H_RESERVED,
                 HM__SET_HEADER_SIZE - 1);
    h->version = hm__load_le64(c + HM__H_SET_VERSION);
    h->created = hm__load_le64(c + HM__H_CREATED);
    h->expires = hm__load_le64(c + HM__H_EXPIRES);
    HM_RETURN_IF(h->version == 0, err, HM_E_SET_FIELD, "set version 0 at offset %d (versions "
                 "start at 1)", HM__H_SET_VERSION);
    HM_RETURN_IF(h->expires <= h->created, err, HM_E_SET_FIELD,
                 "expiry time %llu is not after the creation time %llu", ull(h->expires),
                 ull(h->created));
    h->name = hm__load_le32(c + HM__H_NAME);
    h->issuer = hm__load_le32(c + HM__H_ISSUER);
    h->category_count = hm__load_le32(c + HM__H_CATEGORY_COUNT);
    h->section_count = hm__load_le32(c + HM__H_SECTION_COUNT);
    h->sections_offset = hm__load_le64(c + HM__H_SECTIONS_OFFSET);
    h->categories_offset = hm__load_le64(c + HM__H_CATEGORIES_OFFSET);
    h->strings_offset = hm__load_le64(c + HM__H_STRINGS_OFFSET);
    h->strings_size = hm__load_le64(c + HM__H_STRINGS_SIZE);
    return HM_OK;
}

/* ---- layout: regions in canonical order, each at the next 64-byte
 * boundary after the previous one, zero padding between ---- */

typedef struct layout {
    const uint8_t *c;
    size_t n;
    uint64_t end; /* end of the last region checked */
} layout;

static hm_status region(layout *L, const char *what, int index, uint64_t offset, uint64_t count,
                        uint64_t elem, hm_error *err)
{
    char label[64];
    if (index < 0) snprintf(label, sizeof label, "%s", what);
    else snprintf(label, sizeof label, "%s %d", what, index);
    HM_RETURN_IF(elem && count > UINT64_MAX / elem, err, HM_E_SET_BOUNDS,
                 "%s: %llu records of %llu bytes overflow", label, ull(count), ull(elem));
    uint64_t size = count * elem;
    HM_RETURN_IF(offset % HM__SET_ALIGN, err, HM_E_SET_BOUNDS,
                 "%s at offset %llu is not %d-byte aligned", label, ull(offset), HM__SET_ALIGN);
    HM_RETURN_IF(offset > L->n || size > L->n - offset, err, HM_E_SET_BOUNDS,
                 "%s (%llu bytes at offset %llu) extends past the content (%zu bytes)", label,
                 ull(size), ull(offset), L->n);
    uint64_t expected = hm__align_up64(L->end);
    HM_RETURN_IF(offset < L->end, err, HM_E_SET_BOUNDS,
                 "%s at offset %llu overlaps the previous region, which ends at %llu", label,
                 ull(offset), ull(L->end));
    HM_RETURN_IF(offset != expected, err, HM_E_SET_BOUNDS,
                 "%s at offset %llu leaves a gap: it must start at %llu", label, ull(offset),
                 ull(expected));
    HM_RETURN_IF(!all_zero(L->c + L->end, (size_t)(offset - L->end)), err, HM_E_SET_FIELD,
                 "padding before %s (offsets %llu..%llu) is not zero", label, ull(L->end),
                 ull(offset - 1));
    L->end = offset + size;
    return HM_OK;
}

/* ---- strings ---- */

static hm_status check_string_table(const hm_set *s, uint64_t base, hm_error *err)
{
    const char *t = s->strings;
    size_t n = s->strings_size;
    HM_RETURN_IF(n == 0 || t[0] != '\0' || t[n - 1] != '\0', err, HM_E_SET_FIELD,
                 "the string table at offset %llu must start and end with a NUL byte", ull(base));
    for (size_t i = 1; i < n;) {
        size_t len = strlen(t + i);
        HM_RETURN_IF(!hm__set_text_ok(t + i, len), err, HM_E_SET_FIELD,
                     "the string at offset %zu of the string table (file offset %llu) is not "
                     "printable UTF-8",
                     i, ull(base + i));
        i += len + 1;
    }
    return HM_OK;
}

/* 0: valid reference; otherwise why not. */
static const char *string_ref(const hm_set *s, uint32_t ref, const char **out)
{
    if (ref >= s->strings_size) return "is outside the string table";
    if (ref > 0 && s->strings[ref - 1] != '\0') return "points inside another string";
    *out = s->strings + ref;
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static hm_status check_categories(hm_set *s, hm_error *err)
{
    if (s->category_count == 0) return HM_OK;
    const char **names = malloc(s->category_count * sizeof *names);
    HM_RETURN_IF(!names, err, HM_E_NO_MEMORY, "cannot allocate the category check");
    hm_status st = HM_OK;
    for (unsigned i = 0; i < s->category_count && st == HM_OK; i++) {
        uint32_t ref = hm__load_le32(s->categories + 4 * (size_t)i);
        const char *why = string_ref(s, ref, &names[i]);
        if (why)
            st = hm__fail(err, HM_E_SET_BOUNDS, "category %u: string offset %u %s", i, ref, why);
        else if (!names[i][0])
            st = hm__fail(err, HM_E_SET_FIELD, "category %u has an empty name", i);
    }
    if (st == HM_OK) {
        /* Sorted copy: duplicates become neighbours (O(n log n) for 65535 names). */
        qsort(names, s->category_count, sizeof *names, cmp_str);
        for (unsigned i = 1; i < s->category_count && st == HM_OK; i++)
            if (!strcmp(names[i - 1], names[i]))
                st = hm__fail(err, HM_E_SET_FIELD, "category \"%s\" is listed twice", names[i]);
    }
    free(names);
    return st;
}

static hm_status check_names(hm_set *s, const hm__set_header *h, hm_error *err)
{
    const char *why = string_ref(s, h->name, &s->name);
    HM_RETURN_IF(why, err, HM_E_SET_BOUNDS, "name: string offset %u %s", h->name, why);
    HM_RETURN_IF(!s->name[0], err, HM_E_SET_FIELD, "the set name is empty");
    why = string_ref(s, h->issuer, &s->issuer);
    HM_RETURN_IF(why, err, HM_E_SET_BOUNDS, "issuer: string offset %u %s", h->issuer, why);
    return check_categories(s, err);
}

/* ---- sections ---- */

/* A vPDQ section's policy (docs/FORMAT.md, section 4.6). */
static hm_status vpdq_policy(const uint8_t *d, unsigned i, hm_set_section *p, hm_error *err)
{
    char where[48];
    snprintf(where, sizeof where, "section %u (vpdq)", i);
    p->query_match_pct = hm__load_le16(d + HM__S_VPDQ_QUERY_PCT);
    p->compared_match_pct = hm__load_le16(d + HM__S_VPDQ_COMPARED_PCT);
    hm_set_policy pol = {p->variant, p->radius, p->allow_radius, p->min_quality,
                         p->query_match_pct, p->compared_match_pct};
    HM_FORWARD_IF_ERROR(hm__vpdq_policy_check(&pol, &hm__vpdq_format_bounds,
                                              HM_E_SET_VIDEO_POLICY, where, err));
    HM_RETURN_IF(hm__load_le16(d + HM__S_VPDQ_RESERVED) != 0, err, HM_E_SET_FIELD,
                 "%s: reserved bytes are not zero", where);
    return HM_OK;
}

static hm_status section_policy(const uint8_t *d, unsigned i, hm_algo algo, hm_set_section *p,
                                hm_error *err)
{
    const char *name = hm_algo_name(algo);
    unsigned bits = (unsigned)hm_algo_hash_size(algo) * 8;
    int perceptual = hm_algo_is_perceptual(algo);
    p->algo = algo;
    p->variant = hm__load_le16(d + HM__S_VARIANT);
    p->radius = hm__load_le16(d + HM__S_RADIUS);
    p->allow_radius = hm__load_le16(d + HM__S_ALLOW_RADIUS);
    p->min_quality = hm__load_le16(d + HM__S_MIN_QUALITY);
    if (algo == HM_ALGO_VPDQ) return vpdq_policy(d, i, p, err);
    unsigned max_variant = algo == HM_ALGO_PDQ ? HM_PDQ_CLI512 : 0;
    HM_RETURN_IF(p->variant > max_variant, err, HM_E_SET_FIELD,
                 "section %u (%s): unknown variant %u", i, name, p->variant);
    HM_RETURN_IF(p->radius > (perceptual ? bits : 0), err, HM_E_SET_FIELD,
                 "section %u (%s): radius %u is impossible (at most %u)", i, name, p->radius,
                 perceptual ? bits : 0);
    HM_RETURN_IF(p->allow_radius > (perceptual ? bits : 0), err, HM_E_SET_FIELD,
                 "section %u (%s): allowlist radius %u is impossible (at most %u)", i, name,
                 p->allow_radius, perceptual ? bits : 0);
    HM_RETURN_IF(p->min_quality > (algo == HM_ALGO_PDQ ? 100u : 0u), err, HM_E_SET_FIELD,
                 "section %u (%s): minimum quality %u is impossible", i, name, p->min_quality);
    HM_RETURN_IF(!all_zero(d + HM__S_RESERVED0, 6) || !all_zero(d + HM__S_RESERVED1, 8), err,
                 HM_E_SET_FIELD, "section %u (%s): reserved bytes are not zero", i, name);
    return HM_OK;
}

/* The number of hashes and the metadata's byte size: one hash and 8 bytes
 * per entry, except in vPDQ sections (one hash per frame; per video 8 bytes
 * and a frame range, then a record per frame). */
static hm_status meta_region_size(const uint8_t *d, unsigned i, hm_algo algo, uint64_t count,
                                  uint64_t *hashes, uint64_t *size, hm_error *err)
{
    HM_RETURN_IF(count > UINT64_MAX / 16, err, HM_E_SET_BOUNDS,
                 "section %u: %llu entries overflow", i, ull(count));
    *hashes = count;
    *size = count * HM__META_SIZE;
    uint64_t frames = hm__load_le64(d + HM__S_FRAME_COUNT);
    if (algo != HM_ALGO_VPDQ) return HM_OK; /* the reserved bytes are checked with the policy */
    HM_RETURN_IF(frames > UINT32_MAX, err, HM_E_SET_BOUNDS,
                 "section %u (vpdq): %llu frames, at most %u", i, ull(frames), UINT32_MAX);
    HM_RETURN_IF(count > frames, err, HM_E_SET_VIDEO_LAYOUT,
                 "section %u (vpdq): %llu videos but only %llu frames", i, ull(count), ull(frames));
    *hashes = frames;
    *size = count * (HM__META_SIZE + HM__RANGE_SIZE) + frames * HM__FRAME_SIZE;
    return HM_OK;
}

static hm_status section_descriptor(layout *L, hm_set *s, const uint8_t *d, unsigned i,
                                    int *prev_algo, hm_error *err)
{
    unsigned id = hm__load_le16(d + HM__S_ALGO);
    HM_RETURN_IF(id < 1 || id > HM_ALGO_COUNT, err, HM_E_SET_UNKNOWN_ALGORITHM,
                 "section %u: unknown algorithm id %u", i, id);
    hm_algo algo = (hm_algo)id;
    HM_RETURN_IF((int)id == *prev_algo, err, HM_E_SET_DUPLICATE_ENTRY,
                 "sections %u and %u are both for %s", i - 1, i, hm_algo_name(algo));
    HM_RETURN_IF((int)id < *prev_algo, err, HM_E_SET_UNSORTED,
                 "section %u (%s) follows a section for %s: sections must be in ascending "
                 "algorithm id order", i, hm_algo_name(algo), hm_algo_name((hm_algo)*prev_algo));
    *prev_algo = (int)id;
    hm__set_view *v = &s->views[id];
    HM_FORWARD_IF_ERROR(section_policy(d, i, algo, &v->info, err));
    v->hash_size = hm_algo_hash_size(algo);
    uint64_t count = hm__load_le64(d + HM__S_ENTRY_COUNT);
    uint64_t allow = hm__load_le64(d + HM__S_ALLOW_COUNT);
    uint64_t hashes = count, meta_size = 0;
    HM_FORWARD_IF_ERROR(meta_region_size(d, i, algo, count, &hashes, &meta_size, err));
    HM_FORWARD_IF_ERROR(region(L, "hashes of section", (int)i, hm__load_le64(d + HM__S_HASHES_OFFSET),
                               hashes, v->hash_size, err));
    HM_FORWARD_IF_ERROR(region(L, "metadata of section", (int)i, hm__load_le64(d + HM__S_META_OFFSET),
                               meta_size, 1, err));
    HM_FORWARD_IF_ERROR(region(L, "allowlist of section", (int)i,
                               hm__load_le64(d + HM__S_ALLOW_OFFSET), allow, v->hash_size, err));
    /* Regions lie inside the content, whose size is a size_t. */
    v->info.entry_count = (size_t)count;
    v->info.allow_count = (size_t)allow;
    v->hashes = L->c + hm__load_le64(d + HM__S_HASHES_OFFSET);
    v->meta = L->c + hm__load_le64(d + HM__S_META_OFFSET);
    v->allow = L->c + hm__load_le64(d + HM__S_ALLOW_OFFSET);
    if (algo == HM_ALGO_VPDQ) {
        v->info.frame_count = (size_t)hashes;
        v->ranges = v->meta + (size_t)count * HM__META_SIZE;
        v->frames = v->ranges + (size_t)count * HM__RANGE_SIZE;
    }
    s->algos |= HM_MASK(algo);
    return HM_OK;
}

/* ---- entries ---- */

static hm_status check_sorted(const hm__set_view *v, const uint8_t *h, size_t count,
                              const char *what, hm_error *err)
{
    size_t hs = v->hash_size;
    /* Every algorithm's hash has at least 8 bytes (HM_IMAGEHASH_BYTES, the
     * smallest): the first 8, read big-endian, order almost every pair
     * without a call to memcmp, which keeps this pass short at start-up. */
    for (size_t i = 1; i < count; i++) {
        const uint8_t *a = h + (i - 1) * hs, *b = a + hs;
        uint64_t pa = hm__load_be64(a), pb = hm__load_be64(b);
        if (HM_LIKELY(pa < pb)) continue;
        int c = pa > pb ? 1 : memcmp(a + 8, b + 8, hs - 8);
        if (HM_LIKELY(c < 0)) continue;
        char hex[HM_MAX_HEX_SIZE];
        hm_hex_encode(h + i * hs, hs, hex);
        HM_RETURN_IF(c == 0, err, HM_E_SET_DUPLICATE_ENTRY, "%s %s %zu (%s) repeats %s %zu",
                     hm_algo_name(v->info.algo), what, i, hex, what, i - 1);
        return hm__fail(err, HM_E_SET_UNSORTED, "%s %s %zu (%s) is smaller than %s %zu",
                        hm_algo_name(v->info.algo), what, i, hex, what, i - 1);
    }
    return HM_OK;
}

static hm_status check_meta(const hm_set *s, hm__set_view *v, hm_error *err)
{
    const char *name = hm_algo_name(v->info.algo);
    size_t active = 0;
    for (size_t i = 0; i < v->info.entry_count; i++) {
        const uint8_t *m = v->meta + i * HM__META_SIZE;
        unsigned cat = hm__load_le16(m + HM__M_CATEGORY);
        unsigned att = hm__load_le16(m + HM__M_ATTESTERS);
        uint32_t ext = hm__load_le32(m + HM__M_EXTERNAL_ID);
        const char *str;
        HM_RETURN_IF(cat >= s->category_count, err, HM_E_SET_UNKNOWN_CATEGORY,
                     "%s entry %zu: category %u is not in the list of %u categories", name, i,
                     cat, s->category_count);
        HM_RETURN_IF(att == 0, err, HM_E_SET_FIELD, "%s entry %zu: attester count is 0", name, i);
        const char *why = string_ref(s, ext, &str);
        HM_RETURN_IF(why, err, HM_E_SET_BOUNDS, "%s entry %zu: external id offset %u %s", name,
                     i, ext, why);
        active += att >= v->min_attesters;
    }
    v->info.active_count = active;
    return HM_OK;
}

static hm_status check_entries(hm_set *s, hm__set_view *v, hm_error *err)
{
    if (v->info.algo == HM_ALGO_VPDQ) {
        HM_FORWARD_IF_ERROR(check_meta(s, v, err));
        HM_FORWARD_IF_ERROR(hm__set_check_videos(v, err));
        return check_sorted(v, v->allow, v->info.allow_count, "allowlist hash", err);
    }
    HM_FORWARD_IF_ERROR(check_sorted(v, v->hashes, v->info.entry_count, "entry", err));
    /* Sorted: an all-zero hash can only be entry 0. It is the hash of a flat
     * image and would flag every blank picture. */
    HM_RETURN_IF(v->info.algo == HM_ALGO_PDQ && v->info.entry_count > 0 &&
                     all_zero(v->hashes, v->hash_size),
                 err, HM_E_SET_FIELD, "pdq entry 0 is the all-zero hash");
    HM_FORWARD_IF_ERROR(check_meta(s, v, err));
    return check_sorted(v, v->allow, v->info.allow_count, "allowlist hash", err);
}

/* ---- body ---- */

static hm_status check_regions(layout *L, hm_set *s, const hm__set_header *h, hm_error *err)
{
    HM_RETURN_IF(h->section_count > HM_ALGO_COUNT, err, HM_E_SET_BOUNDS,
                 "section count %u at offset %d exceeds the %d algorithms", h->section_count,
                 HM__H_SECTION_COUNT, HM_ALGO_COUNT);
    HM_RETURN_IF(h->category_count > HM_SET_MAX_CATEGORIES, err, HM_E_SET_BOUNDS,
                 "category count %u at offset %d exceeds %d", h->category_count,
                 HM__H_CATEGORY_COUNT, HM_SET_MAX_CATEGORIES);
    HM_FORWARD_IF_ERROR(region(L, "the section table", -1, h->sections_offset, h->section_count,
                               HM__SECTION_SIZE, err));
    HM_FORWARD_IF_ERROR(region(L, "the category list", -1, h->categories_offset,
                               h->category_count, 4, err));
    HM_FORWARD_IF_ERROR(region(L, "the string table", -1, h->strings_offset, h->strings_size, 1,
                               err));
    s->categories = L->c + h->categories_offset;
    s->category_count = h->category_count;
    s->strings = (const char *)L->c + h->strings_offset;
    s->strings_size = (size_t)h->strings_size;
    int prev = 0;
    for (unsigned i = 0; i < h->section_count; i++)
        HM_FORWARD_IF_ERROR(section_descriptor(
            L, s, L->c + h->sections_offset + (size_t)i * HM__SECTION_SIZE, i, &prev, err));
    HM_RETURN_IF(L->end != L->n, err, HM_E_SET_TRAILING,
                 "%llu bytes of content after the last region (which ends at %llu)",
                 ull(L->n - L->end), ull(L->end));
    return HM_OK;
}

hm_status hm__set_parse_body(const uint8_t *c, size_t n, const hm__set_header *h, hm_set *s,
                             hm_error *err)
{
    layout L = {c, n, HM__SET_HEADER_SIZE};
    unsigned min_att = s->min_attesters > 1 ? s->min_attesters : 1;
    HM_FORWARD_IF_ERROR(check_regions(&L, s, h, err));
    /* The client's ceilings: cheap, so before the O(n) checks. */
    for (int a = 1; s->limits && a <= HM_ALGO_COUNT; a++)
        if (s->algos & HM_MASK(a))
            HM_FORWARD_IF_ERROR(hm__set_check_section_policy(&s->views[a].info, s->limits, err));
    HM_FORWARD_IF_ERROR(check_string_table(s, h->strings_offset, err));
    HM_FORWARD_IF_ERROR(check_names(s, h, err));
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        if (!(s->algos & HM_MASK(a))) continue;
        s->views[a].min_attesters = min_att;
        HM_FORWARD_IF_ERROR(check_entries(s, &s->views[a], err));
    }
    s->version = h->version;
    s->created = h->created;
    s->expires = h->expires;
    s->previous = all_zero(c + HM__H_PREVIOUS, HM_SET_DIGEST_BYTES) ? NULL : c + HM__H_PREVIOUS;
    return HM_OK;
}

hm_status hm__set_validate_content(const uint8_t *content, size_t content_size, hm_error *err)
{
    hm__set_header h;
    HM_FORWARD_IF_ERROR(hm__set_parse_header(content, content_size, &h, err));
    hm_set *s = calloc(1, sizeof *s);
    HM_RETURN_IF(!s, err, HM_E_NO_MEMORY, "cannot allocate a set");
    hm_status st = hm__set_parse_body(content, content_size, &h, s, err);
    free(s);
    if (st == HM_OK) hm__ok(err);
    return st;
}
