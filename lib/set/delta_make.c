/* delta_make.c - the publisher's side of delta updates: the operations that
 * turn an old set's content into a new one's (docs/FORMAT.md section 11).
 *
 * The sections of the eight algorithms of format version 1 are coded as
 * record merges (removed positions as Golomb-Rice coded gaps, added records
 * raw) with their metadata predicted from the old entries; the string table
 * is copied in runs; everything else, including sections of kinds this code
 * does not special-case, is copied when unchanged and sent literally when
 * not. Every delta is applied to the old set before it is returned and must
 * give the new set byte for byte. */
#include <stdio.h>
#include <stdlib.h>

#include "delta.h"

#define KNOWN_ALGOS 8 /* the algorithm ids whose section layout this code merges */

typedef struct positions {
    uint64_t *v;
    size_t n, cap;
} positions;

typedef struct maker {
    const hm_set *o, *n;
    hm__dbuf ops;
    uint64_t oc, out;                 /* the old cursor and the output position */
    uint64_t old_strings, new_strings; /* where the string tables start */
    hm__remap_piece *pieces;
    size_t npieces, pieces_cap;
    uint16_t *catmap;
    size_t ncat;
    unsigned cutoff; /* algorithm ids from here on are sent as bytes */
    positions removed, added, exceptions;
    hm_status failed;
    hm_error *err;
} maker;

static uint64_t off_of(const hm_set *s, const void *p)
{
    return (uint64_t)((const uint8_t *)p - s->mem);
}

static int fail(maker *m, hm_status st, const char *what)
{
    if (!m->failed) m->failed = hm__fail(m->err, st, "making the delta: %s", what);
    return -1;
}

static int grow(maker *m, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? 2 * *cap : 256, bytes;
    while (c < need) c *= 2;
    void *q = hm__mul_size(c, elem, &bytes) ? realloc(*p, bytes) : NULL;
    if (!q) return fail(m, HM_E_NO_MEMORY, "out of memory");
    *p = q;
    *cap = c;
    return 0;
}

static int push(maker *m, positions *p, uint64_t v)
{
    if (grow(m, (void **)&p->v, &p->cap, p->n + 1, sizeof *p->v)) return -1;
    p->v[p->n++] = v;
    return 0;
}

/* ---- primitive operations ---- */

static void op(maker *m, uint8_t code, uint64_t n)
{
    hm__dbuf_byte(&m->ops, code);
    hm__dbuf_varint(&m->ops, n);
}

static void literal(maker *m, const uint8_t *p, uint64_t n)
{
    if (!n) return;
    op(m, HM__OP_LITERAL, n);
    hm__dbuf_put(&m->ops, p, (size_t)n);
    m->out += n;
}

static void pad_to(maker *m, uint64_t target)
{
    while (m->out < target) {
        uint64_t n = target - m->out < HM__DELTA_MAX_ZEROS ? target - m->out : HM__DELTA_MAX_ZEROS;
        op(m, HM__OP_ZEROS, n);
        m->out += n;
    }
}

static int skip_to(maker *m, uint64_t off)
{
    if (off < m->oc) return fail(m, HM_E_INTERNAL, "the old set's regions are out of order");
    if (off > m->oc) op(m, HM__OP_SKIP, off - m->oc);
    m->oc = off;
    return 0;
}

static int copy(maker *m, uint8_t code, uint64_t n)
{
    if (!n) return 0;
    if (code == HM__OP_STRCOPY) {
        if (grow(m, (void **)&m->pieces, &m->pieces_cap, m->npieces + 1, sizeof *m->pieces))
            return -1;
        m->pieces[m->npieces++] =
            (hm__remap_piece){m->oc - m->old_strings, m->out - m->new_strings, n};
    }
    op(m, code, n);
    m->oc += n;
    m->out += n;
    return 0;
}

static void rice(maker *m, const positions *p)
{
    size_t bytes;
    unsigned k = hm__rice_best(p->v, p->n, &bytes);
    hm__dbuf_varint(&m->ops, k);
    hm__dbuf_varint(&m->ops, bytes);
    size_t before = m->ops.len;
    hm__dbuf_rice(&m->ops, p->v, p->n, k);
    if (!m->ops.oom && m->ops.len - before != bytes) fail(m, HM_E_INTERNAL, "Rice code size");
}

/* ---- the string table: runs copied from the old one ---- */

typedef struct strings {
    const char *t;
    size_t size, n;
    uint32_t *start;  /* offsets of the strings, the empty one at 0 first */
    uint32_t *slots;  /* open addressing over string indices + 1 */
    size_t slot_cap;
} strings;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static int split(maker *m, const hm_set *s, strings *x, int index)
{
    x->t = s->strings;
    x->size = s->strings_size;
    size_t cap = 0;
    for (size_t i = 0; i < x->size; i += strlen(x->t + i) + 1) {
        if (grow(m, (void **)&x->start, &cap, x->n + 1, sizeof *x->start)) return -1;
        x->start[x->n++] = (uint32_t)i;
    }
    if (!index) return 0;
    for (x->slot_cap = 64; x->slot_cap < 2 * x->n;) x->slot_cap *= 2;
    if (!(x->slots = calloc(x->slot_cap, sizeof *x->slots))) return fail(m, HM_E_NO_MEMORY, "oom");
    for (size_t i = 0; i < x->n; i++) {
        size_t j = fnv(x->t + x->start[i]) & (x->slot_cap - 1);
        while (x->slots[j]) j = (j + 1) & (x->slot_cap - 1);
        x->slots[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* The index of the first old string equal to s at or after `from`, or -1. */
static int64_t find_string(const strings *x, const char *s, size_t from)
{
    int64_t best = -1;
    for (size_t j = fnv(s) & (x->slot_cap - 1); x->slots[j]; j = (j + 1) & (x->slot_cap - 1)) {
        size_t i = x->slots[j] - 1;
        if (i >= from && !strcmp(x->t + x->start[i], s) && (best < 0 || (int64_t)i < best))
            best = (int64_t)i;
    }
    return best;
}

static int diff_strings(maker *m, const strings *o, const strings *n)
{
    size_t oi = 0, lit_from = 0, lit_len = 0;
    uint64_t run = 0;
    for (size_t j = 0; j < n->n && !m->failed; j++) {
        const char *s = n->t + n->start[j];
        size_t len = strlen(s) + 1;
        int64_t k = find_string(o, s, oi);
        if (k < 0) { /* not in the old table (after the cursor): literal */
            if (copy(m, HM__OP_STRCOPY, run)) return -1;
            run = 0;
            if (!lit_len) lit_from = n->start[j];
            lit_len += len;
            continue;
        }
        literal(m, (const uint8_t *)n->t + lit_from, lit_len);
        lit_len = 0;
        if ((size_t)k > oi) { /* the strings in between were removed (or moved) */
            if (copy(m, HM__OP_STRCOPY, run) || skip_to(m, m->old_strings + o->start[k])) return -1;
            run = 0;
        }
        run += len;
        oi = (size_t)k + 1;
    }
    literal(m, (const uint8_t *)n->t + lit_from, lit_len);
    return copy(m, HM__OP_STRCOPY, run);
}

static int string_table(maker *m)
{
    strings o = {0}, n = {0};
    int rc = split(m, m->o, &o, 1) || split(m, m->n, &n, 0) ? -1 : 0;
    if (rc == 0 && skip_to(m, m->old_strings) == 0) {
        hm__dbuf_byte(&m->ops, HM__OP_STRINGS);
        rc = diff_strings(m, &o, &n);
    }
    free(o.start);
    free(o.slots);
    free(n.start);
    return rc;
}

/* ---- sections ---- */

/* Two sorted, unique arrays: old positions removed, new positions added. */
static int compare_sorted(maker *m, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                          size_t hs)
{
    m->removed.n = m->added.n = 0;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : memcmp(a + i * hs, b + j * hs, hs);
        if (c == 0) i++, j++;
        else if (c < 0 ? push(m, &m->removed, i++) : push(m, &m->added, j++)) return -1;
    }
    return 0;
}

static int merge(maker *m, const uint8_t *a, size_t na, const uint8_t *b, size_t nb, size_t hs)
{
    if (compare_sorted(m, a, na, b, nb, hs)) return -1;
    op(m, HM__OP_MERGE, hs);
    hm__dbuf_varint(&m->ops, na);
    hm__dbuf_varint(&m->ops, m->removed.n);
    if (m->removed.n) rice(m, &m->removed);
    hm__dbuf_varint(&m->ops, m->added.n);
    for (size_t k = 0; k < m->added.n; k++) hm__dbuf_put(&m->ops, b + m->added.v[k] * hs, hs);
    m->oc += (uint64_t)na * hs;
    m->out += (uint64_t)nb * hs;
    return 0;
}

/* META after the merge of the hashes: kept entries are predicted from their
 * old metadata; those that differ are sent as exceptions. */
static int meta(maker *m, const uint8_t *om, size_t na, const uint8_t *nm, size_t nb)
{
    hm__dbuf_byte(&m->ops, HM__OP_META);
    hm__dbuf_varint(&m->ops, m->ncat);
    for (size_t c = 0; c < m->ncat; c++) hm__dbuf_varint(&m->ops, m->catmap[c]);
    for (size_t k = 0; k < m->added.n; k++)
        hm__dbuf_put(&m->ops, nm + m->added.v[k] * HM__META_SIZE, HM__META_SIZE);
    m->exceptions.n = 0;
    size_t i = 0, r = 0, a = 0;
    for (size_t j = 0; j < nb; j++) {
        if (a < m->added.n && m->added.v[a] == j) {
            a++;
            continue;
        }
        while (r < m->removed.n && m->removed.v[r] == i) r++, i++;
        uint8_t want[HM__META_SIZE];
        hm__delta_predict(om + i++ * HM__META_SIZE, m->catmap, m->ncat, m->pieces, m->npieces, want);
        if (memcmp(want, nm + j * HM__META_SIZE, HM__META_SIZE) && push(m, &m->exceptions, j))
            return -1;
    }
    hm__dbuf_varint(&m->ops, m->exceptions.n);
    if (m->exceptions.n) rice(m, &m->exceptions);
    for (size_t k = 0; k < m->exceptions.n; k++)
        hm__dbuf_put(&m->ops, nm + m->exceptions.v[k] * HM__META_SIZE, HM__META_SIZE);
    m->oc += (uint64_t)na * HM__META_SIZE;
    m->out += (uint64_t)nb * HM__META_SIZE;
    return 0;
}

static int section(maker *m, hm_algo algo)
{
    const hm__set_view *nv = &m->n->views[algo];
    const hm__set_view *ov = hm__set_view_get(m->o, algo);
    size_t hs = nv->hash_size, na = ov ? ov->info.entry_count : 0, aa = ov ? ov->info.allow_count : 0;
    pad_to(m, off_of(m->n, nv->hashes));
    if ((ov && skip_to(m, off_of(m->o, ov->hashes))) ||
        merge(m, ov ? ov->hashes : NULL, na, nv->hashes, nv->info.entry_count, hs))
        return -1;
    pad_to(m, off_of(m->n, nv->meta));
    if ((ov && skip_to(m, off_of(m->o, ov->meta))) ||
        meta(m, ov ? ov->meta : NULL, na, nv->meta, nv->info.entry_count))
        return -1;
    pad_to(m, off_of(m->n, nv->allow));
    if (ov && skip_to(m, off_of(m->o, ov->allow))) return -1;
    return merge(m, ov ? ov->allow : NULL, aa, nv->allow, nv->info.allow_count, hs);
}

/* Where the regions of the sections this code merges end: after them come
 * the sections of other kinds, sent as bytes. */
static uint64_t merged_end(const hm_set *s, unsigned cutoff)
{
    uint64_t end = off_of(s, s->strings) + s->strings_size;
    for (unsigned a = 1; a < cutoff; a++) {
        const hm__set_view *v = hm__set_view_get(s, (hm_algo)a);
        if (v) end = off_of(s, v->allow) + (uint64_t)v->info.allow_count * v->hash_size;
    }
    return end;
}

static int tail(maker *m)
{
    uint64_t o0 = merged_end(m->o, m->cutoff), n0 = m->out, n1 = m->n->content_size;
    uint64_t len = n1 - n0;
    if (n0 != merged_end(m->n, m->cutoff)) return fail(m, HM_E_INTERNAL, "section layout");
    if (len && m->o->content_size - o0 == len && !memcmp(m->o->mem + o0, m->n->mem + n0, len))
        return skip_to(m, o0) || copy(m, HM__OP_COPY, len);
    literal(m, m->n->mem + n0, len);
    return 0;
}

static int category_map(maker *m)
{
    size_t no = m->o->category_count, nn = m->n->category_count;
    int same = no == nn;
    for (size_t i = 0; same && i < no; i++)
        same = !strcmp(hm__set_category(m->o, (unsigned)i), hm__set_category(m->n, (unsigned)i));
    if (same) return 0;
    if (!(m->catmap = malloc((no ? no : 1) * sizeof *m->catmap)))
        return fail(m, HM_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < no; i++) {
        m->catmap[i] = 0xffff;
        for (size_t j = 0; j < nn; j++)
            if (!strcmp(hm__set_category(m->o, (unsigned)i), hm__set_category(m->n, (unsigned)j)))
                m->catmap[i] = (uint16_t)j;
    }
    m->ncat = no;
    return 0;
}

static int make_ops(maker *m)
{
    const uint8_t *nm = m->n->mem;
    m->old_strings = off_of(m->o, m->o->strings);
    m->new_strings = off_of(m->n, m->n->strings);
    literal(m, nm, m->new_strings); /* header, section table, categories */
    if (category_map(m) || string_table(m)) return -1;
    for (unsigned a = 1; a < m->cutoff; a++)
        if (hm__set_view_get(m->n, (hm_algo)a) && section(m, (hm_algo)a)) return -1;
    if (tail(m)) return -1;
    if (m->out != m->n->content_size) return fail(m, HM_E_INTERNAL, "output size");
    return m->ops.oom ? fail(m, HM_E_NO_MEMORY, "out of memory") : 0;
}

/* ---- the delta file ---- */

void hm__delta_seal(uint8_t *delta, size_t size)
{
    if (size < HM__DELTA_HEADER_SIZE + HM__DELTA_TRAILER_SIZE) return;
    (void)hm__sha256(delta, HM__D_HEADER_DIGEST, delta + HM__D_HEADER_DIGEST, NULL);
    (void)hm__sha256(delta, size - HM__DELTA_TRAILER_SIZE, delta + size - HM__DELTA_TRAILER_SIZE,
                     NULL);
}

static hm_status assemble(const maker *m, uint8_t **delta, size_t *delta_size, hm_error *err)
{
    size_t sig = m->n->size - m->n->content_size;
    size_t total = HM__DELTA_HEADER_SIZE + m->ops.len + sig + HM__DELTA_TRAILER_SIZE;
    uint8_t *d = calloc(1, total);
    HM_RETURN_IF(!d, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes for the delta", total);
    memcpy(d + HM__D_MAGIC, HM__DELTA_MAGIC, 8);
    hm__store_le32(d + HM__D_VERSION, HM__DELTA_VERSION);
    hm__store_le32(d + HM__D_HEADER_SIZE, HM__DELTA_HEADER_SIZE);
    hm__store_le64(d + HM__D_DELTA_SIZE, total);
    hm__store_le64(d + HM__D_OPS_SIZE, m->ops.len);
    hm__store_le64(d + HM__D_BASE_CONTENT, m->o->content_size);
    hm__store_le64(d + HM__D_RESULT_CONTENT, m->n->content_size);
    hm__store_le64(d + HM__D_RESULT_FILE, m->n->size);
    memcpy(d + HM__D_BASE_DIGEST, m->o->digest, HM_SET_DIGEST_BYTES);
    memcpy(d + HM__D_RESULT_DIGEST, m->n->digest, HM_SET_DIGEST_BYTES);
    memcpy(d + HM__DELTA_HEADER_SIZE, m->ops.data, m->ops.len);
    memcpy(d + HM__DELTA_HEADER_SIZE + m->ops.len, m->n->mem + m->n->content_size, sig);
    hm__delta_seal(d, total);
    *delta = d;
    *delta_size = total;
    return HM_OK;
}

/* Applies the delta to the old set: it must give the new file exactly. */
static hm_status self_check(const uint8_t *old_data, size_t old_size, const uint8_t *new_data,
                            size_t new_size, const uint8_t *delta, size_t delta_size,
                            hm_error *err)
{
    uint8_t *out;
    size_t n;
    HM_FORWARD_IF_ERROR(hm__delta_rebuild(old_data, old_size, delta, delta_size, &out, &n, err));
    int same = n == new_size && !memcmp(out, new_data, n);
    free(out);
    HM_RETURN_IF(!same, err, HM_E_INTERNAL, "the delta does not rebuild the new set (a bug)");
    return HM_OK;
}

static hm_status check_pair(const hm_set *o, const hm_set *n, hm_error *err)
{
    HM_RETURN_IF(!n->previous || memcmp(n->previous, o->digest, HM_SET_DIGEST_BYTES), err,
                 HM_E_DELTA_CHAIN, "the new set does not name the old one as its previous "
                 "version (build it with --previous OLD)");
    HM_RETURN_IF(n->version <= o->version, err, HM_E_SET_ROLLBACK,
                 "the new set's version %llu is not greater than the old set's %llu",
                 (unsigned long long)n->version, (unsigned long long)o->version);
    return HM_OK;
}

static hm_status open_pair(const uint8_t *old_data, size_t old_size, const uint8_t *new_data,
                           size_t new_size, hm_set **o, hm_set **n, hm_error *err)
{
    *n = NULL;
    hm_status st = hm_set_open_unverified(old_data, old_size, o, err);
    if (st == HM_OK) st = hm_set_open_unverified(new_data, new_size, n, err);
    if (st != HM_OK && err) {
        char msg[HM_ERROR_MESSAGE_SIZE];
        snprintf(msg, sizeof msg, "%s set: %.200s", *o ? "the new" : "the old", err->message);
        memcpy(err->message, msg, sizeof msg);
    }
    return st;
}

hm_status hm__delta_make(const uint8_t *old_data, size_t old_size, const uint8_t *new_data,
                         size_t new_size, const hm__delta_make_options *opt, uint8_t **delta,
                         size_t *delta_size, hm_error *err)
{
    HM_RETURN_IF(!delta || !delta_size, err, HM_E_INVALID_ARGUMENT, "outputs are required");
    *delta = NULL;
    *delta_size = 0;
    maker m;
    memset(&m, 0, sizeof m);
    m.err = err;
    m.cutoff = opt && opt->generic_from && opt->generic_from <= KNOWN_ALGOS ? opt->generic_from
                                                                            : KNOWN_ALGOS + 1;
    hm_set *o = NULL, *n = NULL;
    hm_status st = open_pair(old_data, old_size, new_data, new_size, &o, &n, err);
    if (st == HM_OK && !(opt && opt->unchecked)) st = check_pair(o, n, err);
    m.o = o;
    m.n = n;
    if (st == HM_OK && make_ops(&m)) st = m.failed;
    if (st == HM_OK) st = assemble(&m, delta, delta_size, err);
    if (st == HM_OK) st = self_check(old_data, old_size, new_data, new_size, *delta, *delta_size, err);
    if (st != HM_OK) {
        free(*delta);
        *delta = NULL;
        *delta_size = 0;
    }
    free(m.ops.data);
    free(m.pieces);
    free(m.catmap);
    free(m.removed.v);
    free(m.added.v);
    free(m.exceptions.v);
    hm_set_free(o);
    hm_set_free(n);
    if (st == HM_OK) hm__ok(err);
    return st;
}

hm_status hm_set_delta_make(const void *old_data, size_t old_size, const void *new_data,
                            size_t new_size, uint8_t **delta, size_t *delta_size, hm_error *err)
{
    return hm__delta_make(old_data, old_size, new_data, new_size, NULL, delta, delta_size, err);
}
