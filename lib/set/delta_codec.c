/* delta_codec.c - the delta format's small codes: LEB128 varints,
 * Golomb-Rice coded positions, and string references moved by STRCOPY. */
#include <stdlib.h>

#include "delta.h"

/* ---- writing ---- */

static int reserve(hm__dbuf *b, size_t n)
{
    if (b->oom) return -1;
    if (b->len + n <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) return b->oom = 1, -1;
    b->data = d;
    b->cap = cap;
    return 0;
}

void hm__dbuf_put(hm__dbuf *b, const void *p, size_t n)
{
    if (n == 0 || reserve(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->bits = 0;
}

void hm__dbuf_byte(hm__dbuf *b, uint8_t v) { hm__dbuf_put(b, &v, 1); }

void hm__dbuf_varint(hm__dbuf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    hm__dbuf_put(b, tmp, n);
}

static void put_bit(hm__dbuf *b, unsigned bit)
{
    if (b->bits == 0 || b->bits == 8) {
        if (reserve(b, 1)) return;
        b->data[b->len++] = 0;
        b->bits = 0;
    }
    if (bit) b->data[b->len - 1] |= (uint8_t)(0x80u >> b->bits);
    b->bits++;
}

void hm__dbuf_rice(hm__dbuf *b, const uint64_t *pos, size_t n, unsigned k)
{
    b->bits = 0;
    uint64_t next = 0;
    for (size_t i = 0; i < n && !b->oom; i++) {
        uint64_t gap = pos[i] - next;
        for (uint64_t q = gap >> k; q > 0; q--) put_bit(b, 1);
        put_bit(b, 0);
        for (unsigned j = k; j-- > 0;) put_bit(b, (unsigned)(gap >> j) & 1);
        next = pos[i] + 1;
    }
    b->bits = 0; /* what follows starts on a byte boundary */
}

unsigned hm__rice_best(const uint64_t *pos, size_t n, size_t *bytes)
{
    unsigned best = 0;
    uint64_t best_bits = UINT64_MAX;
    for (unsigned k = 0; k <= HM__DELTA_MAX_RICE; k++) {
        uint64_t bits = 0, next = 0;
        for (size_t i = 0; i < n && bits < best_bits; i++) {
            bits += ((pos[i] - next) >> k) + 1 + k;
            next = pos[i] + 1;
        }
        if (bits < best_bits) best_bits = bits, best = k;
    }
    *bytes = (size_t)((best_bits + 7) / 8);
    return best;
}

/* ---- reading ---- */

static int get_bit(hm__rice_reader *r, unsigned *bit)
{
    if (r->bit >= 8 * r->size) return -1;
    *bit = (r->p[r->bit / 8] >> (7 - r->bit % 8)) & 1;
    r->bit++;
    return 0;
}

int hm__rice_next(hm__rice_reader *r, uint64_t limit, uint64_t *out)
{
    if (r->next >= limit) return -1;
    uint64_t q = 0, rem = 0, max_q = ((limit - r->next) >> r->k) + 1;
    unsigned bit;
    for (;;) {
        if (get_bit(r, &bit)) return -1;
        if (!bit) break;
        if (++q > max_q) return -1; /* a gap past the end */
    }
    for (unsigned j = 0; j < r->k; j++) {
        if (get_bit(r, &bit)) return -1;
        rem = rem << 1 | bit;
    }
    uint64_t gap = q << r->k | rem;
    if (gap >= limit - r->next) return -1;
    *out = r->next + gap;
    r->next = *out + 1;
    return 0;
}

/* ---- string references ---- */

uint32_t hm__remap(const hm__remap_piece *p, size_t n, uint32_t ref)
{
    if (ref == 0) return 0;
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the last piece starting at or before ref */
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].old_off <= ref) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return 0;
    const hm__remap_piece *x = &p[lo - 1];
    uint64_t moved = x->new_off + (ref - x->old_off);
    return ref - x->old_off < x->len && moved <= UINT32_MAX ? (uint32_t)moved : 0;
}

void hm__delta_predict(const uint8_t old[HM__META_SIZE], const uint16_t *catmap, size_t ncat,
                       const hm__remap_piece *pieces, size_t npieces,
                       uint8_t out[HM__META_SIZE])
{
    unsigned cat = hm__load_le16(old + HM__M_CATEGORY);
    if (ncat) cat = cat < ncat ? catmap[cat] : 0xffff;
    hm__store_le16(out + HM__M_CATEGORY, (uint16_t)cat);
    memcpy(out + HM__M_ATTESTERS, old + HM__M_ATTESTERS, 2);
    hm__store_le32(out + HM__M_EXTERNAL_ID,
                   hm__remap(pieces, npieces, hm__load_le32(old + HM__M_EXTERNAL_ID)));
}
