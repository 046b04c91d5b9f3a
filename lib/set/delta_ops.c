/* delta_ops.c - executing a delta's operations (docs/FORMAT.md section 11.3):
 * the new content is written into memory from literal bytes and from the
 * old content, which is read (and hashed) front to back exactly once.
 * Every count is checked against what is left of the old content, of the
 * operations and of the output before it is used. */
#include <stdlib.h>

#include "delta_ops.h"

static hm_status bad(hm__rebuild *x, const char *what)
{
    return hm__fail(x->err, HM_E_DELTA_FORMAT, "malformed delta operation at offset %llu: %s",
                    (unsigned long long)x->op_start, what);
}

/* ---- reading the operation stream ---- */

static uint64_t ops_left(const hm__rebuild *x) { return x->ops_end - x->delta->pos; }
static uint64_t old_left(const hm__rebuild *x) { return x->old_end - x->old->pos; }
static uint64_t out_left(const hm__rebuild *x) { return x->out_size - x->out_pos; }

static hm_status varint(hm__rebuild *x, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const uint8_t *b;
        if (!ops_left(x)) return bad(x, "the operations end inside a number");
        HM_FORWARD_IF_ERROR(hm__src_take(x->delta, 1, &b, x->err));
        if (shift == 63 && *b > 1) return bad(x, "a number over 64 bits");
        *v |= (uint64_t)(*b & 0x7f) << shift;
        if (!(*b & 0x80)) return HM_OK;
        if (shift == 63) return bad(x, "a number over 64 bits");
    }
}

/* Takes n bytes of the old content (hashing them when asked to). */
static hm_status take_old(hm__rebuild *x, size_t n, const uint8_t **p)
{
    HM_FORWARD_IF_ERROR(hm__src_take(x->old, n, p, x->err));
    if (x->old_md && EVP_DigestUpdate(x->old_md, *p, n) != 1)
        return hm__fail(x->err, HM_E_CRYPTO, "SHA-256 update failed");
    return HM_OK;
}

/* Moves n old bytes to the output (or drops them when out is NULL). */
static hm_status pass_old(hm__rebuild *x, uint64_t n, uint8_t *out)
{
    while (n > 0) {
        size_t k = n < HM__SRC_CHUNK ? (size_t)n : HM__SRC_CHUNK;
        const uint8_t *p;
        HM_FORWARD_IF_ERROR(take_old(x, k, &p));
        if (out) memcpy(out, p, k), out += k;
        n -= k;
    }
    return HM_OK;
}

static hm_status pass_delta(hm__rebuild *x, uint64_t n, uint8_t *out)
{
    while (n > 0) {
        size_t k = n < HM__SRC_CHUNK ? (size_t)n : HM__SRC_CHUNK;
        const uint8_t *p;
        HM_FORWARD_IF_ERROR(hm__src_take(x->delta, k, &p, x->err));
        memcpy(out, p, k);
        out += k;
        n -= k;
    }
    return HM_OK;
}

/* ---- byte operations ---- */

static hm_status op_bytes(hm__rebuild *x, int code)
{
    uint64_t n;
    HM_FORWARD_IF_ERROR(varint(x, &n));
    if (n > out_left(x) && code != HM__OP_SKIP) return bad(x, "it writes past the new content");
    uint8_t *out = x->out + x->out_pos;
    switch (code) {
    case HM__OP_LITERAL:
        if (n > ops_left(x)) return bad(x, "a literal longer than the operations");
        HM_FORWARD_IF_ERROR(pass_delta(x, n, out));
        break;
    case HM__OP_ZEROS:
        if (n < 1 || n > HM__DELTA_MAX_ZEROS) return bad(x, "zeros must be 1..63 bytes");
        memset(out, 0, (size_t)n);
        break;
    default: /* COPY, STRCOPY, SKIP */
        if (n > old_left(x)) return bad(x, "it reads past the old content");
        if (code == HM__OP_STRCOPY) HM_FORWARD_IF_ERROR(hm__rebuild_piece(x, n));
        HM_FORWARD_IF_ERROR(pass_old(x, n, code == HM__OP_SKIP ? NULL : out));
        if (code == HM__OP_SKIP) return HM_OK;
        break;
    }
    x->out_pos += n;
    return HM_OK;
}

hm_status hm__rebuild_piece(hm__rebuild *x, uint64_t n)
{
    if (!x->have_strings) return bad(x, "STRCOPY before STRINGS");
    if (x->npieces == x->pieces_cap) {
        size_t cap = x->pieces_cap ? 2 * x->pieces_cap : 64;
        hm__remap_piece *p = realloc(x->pieces, cap * sizeof *p);
        if (!p) return hm__fail(x->err, HM_E_NO_MEMORY, "out of memory");
        x->pieces = p;
        x->pieces_cap = cap;
    }
    x->pieces[x->npieces++] =
        (hm__remap_piece){x->old->pos - x->old_strings, x->out_pos - x->new_strings, n};
    return HM_OK;
}

/* ---- sorted records ---- */

/* Reads a Rice code's parameter and bytes into memory (*bytes: free it). */
static hm_status rice_bytes(hm__rebuild *x, hm__rice_reader *r, uint8_t **bytes)
{
    uint64_t k, size;
    HM_FORWARD_IF_ERROR(varint(x, &k));
    HM_FORWARD_IF_ERROR(varint(x, &size));
    if (k > HM__DELTA_MAX_RICE) return bad(x, "a Rice parameter over 40");
    if (size > ops_left(x) || size == 0) return bad(x, "a Rice code longer than the operations");
    if (!(*bytes = malloc((size_t)size))) return hm__fail(x->err, HM_E_NO_MEMORY, "out of memory");
    HM_FORWARD_IF_ERROR(pass_delta(x, size, *bytes));
    memset(r, 0, sizeof *r);
    r->p = *bytes;
    r->size = (size_t)size;
    r->k = (unsigned)k;
    return HM_OK;
}

static uint8_t *bitmap(uint64_t bits) { return calloc((size_t)(bits / 8 + 1), 1); }
static int bit(const uint8_t *m, uint64_t i) { return m[i / 8] >> (i % 8) & 1; }
static void set_bit(uint8_t *m, uint64_t i) { m[i / 8] |= (uint8_t)(1u << (i % 8)); }

/* Reads the removed positions (n of them, below limit) into a bitmap. */
static hm_status removals(hm__rebuild *x, uint64_t n, uint64_t limit, uint8_t *map)
{
    if (n == 0) return HM_OK;
    hm__rice_reader r;
    uint8_t *bytes = NULL;
    hm_status st = rice_bytes(x, &r, &bytes);
    for (uint64_t i = 0, p; i < n && st == HM_OK; i++)
        if (hm__rice_next(&r, limit, &p)) st = bad(x, "a malformed removal position");
        else set_bit(map, p);
    free(bytes);
    return st;
}

/* The merge itself: kept old records and added ones, in memcmp order. */
static hm_status merge_records(hm__rebuild *x, size_t rec)
{
    uint64_t i = 0, a = 0, j = 0;
    const uint8_t *o = NULL, *d = NULL;
    uint8_t *out = x->out + x->out_pos;
    while (j < x->m_new) {
        while (!o && i < x->m_old) { /* the next kept old record */
            HM_FORWARD_IF_ERROR(take_old(x, rec, &o));
            if (bit(x->removed, i++)) o = NULL;
        }
        if (!d && a < x->m_added) HM_FORWARD_IF_ERROR(hm__src_take(x->delta, rec, &d, x->err));
        if (!o && !d) return bad(x, "fewer records than counted");
        int take_added = !o || (d && memcmp(d, o, rec) < 0);
        memcpy(out + j * rec, take_added ? d : o, rec);
        if (take_added) set_bit(x->added, j), a++, d = NULL;
        else o = NULL;
        j++;
    }
    while (i < x->m_old) { /* removed records after the last kept one */
        const uint8_t *gone;
        HM_FORWARD_IF_ERROR(take_old(x, rec, &gone));
        if (!bit(x->removed, i++)) return bad(x, "more records than counted");
    }
    if (o || d || a != x->m_added) return bad(x, "the record counts do not add up");
    x->out_pos += x->m_new * rec;
    return HM_OK;
}

static hm_status op_merge(hm__rebuild *x)
{
    uint64_t rec, n_old, n_rem, n_add;
    HM_FORWARD_IF_ERROR(varint(x, &rec));
    HM_FORWARD_IF_ERROR(varint(x, &n_old));
    HM_FORWARD_IF_ERROR(varint(x, &n_rem));
    if (rec < 1 || rec > HM__DELTA_MAX_RECORD) return bad(x, "record size outside 1..4096");
    if (n_old > old_left(x) / rec || n_rem > n_old) return bad(x, "more old records than left");
    free(x->removed);
    free(x->added);
    x->added = NULL;
    if (!(x->removed = bitmap(n_old))) return hm__fail(x->err, HM_E_NO_MEMORY, "out of memory");
    HM_FORWARD_IF_ERROR(removals(x, n_rem, n_old, x->removed));
    HM_FORWARD_IF_ERROR(varint(x, &n_add));
    if (n_add > ops_left(x) / rec) return bad(x, "more added records than the operations hold");
    x->m_old = n_old;
    x->m_added = n_add;
    x->m_new = n_old - n_rem + n_add;
    if (x->m_new > out_left(x) / rec) return bad(x, "it writes past the new content");
    if (!(x->added = bitmap(x->m_new))) return hm__fail(x->err, HM_E_NO_MEMORY, "out of memory");
    x->have_merge = 1;
    return merge_records(x, (size_t)rec);
}

/* ---- metadata ---- */

static hm_status category_map(hm__rebuild *x)
{
    uint64_t n, v;
    HM_FORWARD_IF_ERROR(varint(x, &n));
    if (n > HM_SET_MAX_CATEGORIES) return bad(x, "a category map over 65535 entries");
    free(x->catmap);
    x->catmap = NULL;
    x->ncat = (size_t)n;
    if (n && !(x->catmap = malloc((size_t)n * sizeof *x->catmap)))
        return hm__fail(x->err, HM_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < x->ncat; i++) {
        HM_FORWARD_IF_ERROR(varint(x, &v));
        if (v > 0xffff) return bad(x, "a category index over 65535");
        x->catmap[i] = (uint16_t)v;
    }
    return HM_OK;
}

static hm_status meta_records(hm__rebuild *x, uint8_t *out)
{
    uint64_t i = 0;
    for (uint64_t j = 0; j < x->m_new; j++) {
        const uint8_t *p;
        if (bit(x->added, j)) {
            HM_FORWARD_IF_ERROR(hm__src_take(x->delta, HM__META_SIZE, &p, x->err));
            memcpy(out + j * HM__META_SIZE, p, HM__META_SIZE);
            continue;
        }
        do { /* the metadata of the next kept old record */
            if (i == x->m_old) return bad(x, "fewer old records than counted");
            HM_FORWARD_IF_ERROR(take_old(x, HM__META_SIZE, &p));
        } while (bit(x->removed, i++));
        hm__delta_predict(p, x->catmap, x->ncat, x->pieces, x->npieces, out + j * HM__META_SIZE);
    }
    return pass_old(x, (x->m_old - i) * HM__META_SIZE, NULL); /* removed ones at the end */
}

static hm_status exceptions(hm__rebuild *x, uint8_t *out)
{
    uint64_t n;
    HM_FORWARD_IF_ERROR(varint(x, &n));
    if (n == 0) return HM_OK;
    if (n > x->m_new) return bad(x, "more exceptions than records");
    hm__rice_reader r;
    uint8_t *bytes = NULL;
    hm_status st = rice_bytes(x, &r, &bytes);
    if (st == HM_OK && n > ops_left(x) / HM__META_SIZE) st = bad(x, "exceptions past the operations");
    for (uint64_t k = 0, j; k < n && st == HM_OK; k++) {
        if (hm__rice_next(&r, x->m_new, &j)) st = bad(x, "a malformed exception position");
        else st = pass_delta(x, HM__META_SIZE, out + j * HM__META_SIZE);
    }
    free(bytes);
    return st;
}

static hm_status op_meta(hm__rebuild *x)
{
    if (!x->have_merge) return bad(x, "META without a MERGE before it");
    x->have_merge = 0;
    HM_FORWARD_IF_ERROR(category_map(x));
    if (x->m_old > old_left(x) / HM__META_SIZE || x->m_new > out_left(x) / HM__META_SIZE ||
        x->m_added > ops_left(x) / HM__META_SIZE)
        return bad(x, "metadata past the old content, the operations or the new content");
    uint8_t *out = x->out + x->out_pos;
    HM_FORWARD_IF_ERROR(meta_records(x, out));
    HM_FORWARD_IF_ERROR(exceptions(x, out));
    x->out_pos += x->m_new * HM__META_SIZE;
    return HM_OK;
}

/* ---- the stream ---- */

hm_status hm__rebuild_run(hm__rebuild *x)
{
    while (ops_left(x)) {
        const uint8_t *code;
        x->op_start = x->delta->pos;
        HM_FORWARD_IF_ERROR(hm__src_take(x->delta, 1, &code, x->err));
        switch (*code) {
        case HM__OP_LITERAL:
        case HM__OP_COPY:
        case HM__OP_SKIP:
        case HM__OP_ZEROS:
        case HM__OP_STRCOPY: HM_FORWARD_IF_ERROR(op_bytes(x, *code)); break;
        case HM__OP_STRINGS:
            if (x->have_strings) return bad(x, "a second STRINGS");
            x->have_strings = 1;
            x->old_strings = x->old->pos;
            x->new_strings = x->out_pos;
            break;
        case HM__OP_MERGE: HM_FORWARD_IF_ERROR(op_merge(x)); break;
        case HM__OP_META: HM_FORWARD_IF_ERROR(op_meta(x)); break;
        default: return bad(x, "unknown operation code");
        }
    }
    if (x->out_pos != x->out_size) return bad(x, "the operations end before the new content does");
    return HM_OK;
}

hm_status hm__rebuild_hash_old(hm__rebuild *x)
{
    if (!x->old_md) return HM_OK;
    return pass_old(x, old_left(x), NULL);
}

void hm__rebuild_free(hm__rebuild *x)
{
    free(x->pieces);
    free(x->catmap);
    free(x->removed);
    free(x->added);
}
