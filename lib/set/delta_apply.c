/* delta_apply.c - applying a delta (docs/FORMAT.md section 11.6): check the
 * delta's framing and checksums, that it was made for this old set, and
 * (before any work) the new set's signatures; rebuild the new file in
 * memory while reading the old one front to back; then open the result as
 * a whole set with the app's trust policy, a minimum version above the old
 * set's, and its hash chain pointing at the old set. */
#include <stdlib.h>

#include "../common/abi.h"
#include "delta_ops.h"

typedef struct delta_head {
    uint64_t size, ops, base_content, result_content, result_file;
    uint8_t base[HM_SET_DIGEST_BYTES], result[HM_SET_DIGEST_BYTES];
} delta_head;

static void hex16(const uint8_t *d, char out[33]) { hm_hex_encode(d, 16, out); }

/* ---- the delta's own framing and checksums ---- */

static hm_status fields(const uint8_t *h, delta_head *d, hm_error *err)
{
    HM_RETURN_IF(hm__load_le32(h + HM__D_VERSION) != HM__DELTA_VERSION, err, HM_E_DELTA_FORMAT,
                 "delta format version %u; this library reads version %d",
                 hm__load_le32(h + HM__D_VERSION), HM__DELTA_VERSION);
    HM_RETURN_IF(hm__load_le32(h + HM__D_HEADER_SIZE) != HM__DELTA_HEADER_SIZE ||
                     hm__load_le64(h + HM__D_RESERVED) != 0,
                 err, HM_E_DELTA_FORMAT, "delta header size or reserved field is wrong");
    d->size = hm__load_le64(h + HM__D_DELTA_SIZE);
    d->ops = hm__load_le64(h + HM__D_OPS_SIZE);
    d->base_content = hm__load_le64(h + HM__D_BASE_CONTENT);
    d->result_content = hm__load_le64(h + HM__D_RESULT_CONTENT);
    d->result_file = hm__load_le64(h + HM__D_RESULT_FILE);
    memcpy(d->base, h + HM__D_BASE_DIGEST, HM_SET_DIGEST_BYTES);
    memcpy(d->result, h + HM__D_RESULT_DIGEST, HM_SET_DIGEST_BYTES);
    return HM_OK;
}

/* The sizes must add up (the sum is checked without overflow). */
static int sizes_consistent(const delta_head *d)
{
    uint64_t sig = d->result_file - d->result_content, fixed = HM__DELTA_HEADER_SIZE +
                                                            HM__DELTA_TRAILER_SIZE;
    return d->result_content >= HM__SET_HEADER_SIZE && d->result_file >= d->result_content &&
           sig >= HM__SIG_HEADER_SIZE &&
           sig <= HM__SIG_HEADER_SIZE + HM_SET_MAX_SIGNATURES * HM__SIG_RECORD_SIZE &&
           d->ops <= d->size && d->size - d->ops >= fixed && d->size - d->ops - fixed == sig;
}

static hm_status check_head(hm__src *s, delta_head *d, hm_error *err)
{
    uint8_t h[HM__DELTA_HEADER_SIZE], digest[HM_SET_DIGEST_BYTES];
    size_t avail = s->size < sizeof h ? (size_t)s->size : sizeof h;
    HM_FORWARD_IF_ERROR(hm__src_read_at(s, 0, h, avail, err));
    size_t m = avail < 8 ? avail : 8;
    HM_RETURN_IF(memcmp(h, HM__DELTA_MAGIC, m) != 0, err, HM_E_DELTA_FORMAT,
                 "not a hashmatch delta: wrong magic at offset 0");
    HM_RETURN_IF(avail < sizeof h, err, HM_E_DELTA_TRUNCATED,
                 "truncated: the delta is %zu bytes, its header alone is %d", avail,
                 HM__DELTA_HEADER_SIZE);
    HM_FORWARD_IF_ERROR(hm__sha256(h, HM__D_HEADER_DIGEST, digest, err));
    HM_RETURN_IF(memcmp(digest, h + HM__D_HEADER_DIGEST, sizeof digest) != 0, err,
                 HM_E_DELTA_CORRUPT, "the delta's header does not match its checksum (damaged)");
    HM_FORWARD_IF_ERROR(fields(h, d, err));
    HM_RETURN_IF(d->size > s->size, err, HM_E_DELTA_TRUNCATED,
                 "truncated: the delta is %llu bytes, its header says %llu",
                 (unsigned long long)s->size, (unsigned long long)d->size);
    HM_RETURN_IF(d->size < s->size, err, HM_E_DELTA_FORMAT,
                 "%llu bytes after the end of the delta", (unsigned long long)(s->size - d->size));
    HM_RETURN_IF(!sizes_consistent(d), err, HM_E_DELTA_FORMAT,
                 "the delta's sizes do not add up (operations %llu, result %llu/%llu)",
                 (unsigned long long)d->ops, (unsigned long long)d->result_content,
                 (unsigned long long)d->result_file);
    return HM_OK;
}

/* SHA-256 of everything before the trailer against the trailer: a flipped
 * bit anywhere is found before any operation runs. */
static hm_status check_trailer(hm__src *s, const delta_head *d, hm_error *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t digest[HM_SET_DIGEST_BYTES], stored[HM_SET_DIGEST_BYTES];
    unsigned n = 0;
    hm_status st = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1
                       ? HM_OK
                       : hm__fail(err, HM_E_CRYPTO, "SHA-256 initialisation failed");
    hm__src_seek(s, 0);
    for (uint64_t left = d->size - HM__DELTA_TRAILER_SIZE; st == HM_OK && left > 0;) {
        size_t k = left < HM__SRC_CHUNK ? (size_t)left : HM__SRC_CHUNK;
        const uint8_t *p;
        st = hm__src_take(s, k, &p, err);
        if (st == HM_OK && EVP_DigestUpdate(md, p, k) != 1)
            st = hm__fail(err, HM_E_CRYPTO, "SHA-256 update failed");
        left -= k;
    }
    if (st == HM_OK && (EVP_DigestFinal_ex(md, digest, &n) != 1 || n != sizeof digest))
        st = hm__fail(err, HM_E_CRYPTO, "SHA-256 finalisation failed");
    EVP_MD_CTX_free(md);
    if (st == HM_OK) st = hm__src_read_at(s, d->size - sizeof stored, stored, sizeof stored, err);
    if (st == HM_OK && memcmp(digest, stored, sizeof digest))
        st = hm__fail(err, HM_E_DELTA_CORRUPT, "the delta does not match its checksum (damaged)");
    return st;
}

/* ---- the old set: is it the base the delta was made for? ---- */

static hm_status check_old(hm__src *s, const delta_head *d, uint64_t *version, hm_error *err)
{
    uint8_t h[HM__SET_HEADER_SIZE], sb[HM__SIG_HEADER_SIZE];
    char a[33], b[33];
    uint64_t cs;
    size_t avail = s->size < sizeof h ? (size_t)s->size : sizeof h;
    HM_RETURN_IF(s->size == 0, err, HM_E_SET_TRUNCATED, "the old set is empty");
    HM_FORWARD_IF_ERROR(hm__src_read_at(s, 0, h, avail, err));
    HM_FORWARD_IF_ERROR(hm__set_check_prefix(h, avail, s->size, &cs, err));
    HM_FORWARD_IF_ERROR(hm__src_read_at(s, cs, sb, sizeof sb, err));
    HM_RETURN_IF(memcmp(sb, HM__SET_SIG_MAGIC, HM__SET_MAGIC_SIZE) != 0, err, HM_E_SET_MAGIC,
                 "the old set has no signature block magic at offset %llu", (unsigned long long)cs);
    hex16(d->base, a);
    hex16(sb + HM__SB_DIGEST, b);
    HM_RETURN_IF(cs != d->base_content || memcmp(sb + HM__SB_DIGEST, d->base, HM_SET_DIGEST_BYTES),
                 err, HM_E_DELTA_BASE, "the delta is for the set with content digest %s..., the "
                 "old set's is %s...", a, b);
    *version = hm__load_le64(h + HM__H_SET_VERSION);
    return HM_OK;
}

/* ---- the new set's signatures, checked before any work ---- */

static hm_status check_signatures(hm__src *s, const delta_head *d, const hm_trust *trust,
                                  hm_error *err)
{
    uint8_t sb[HM__SIG_HEADER_SIZE + HM_SET_MAX_SIGNATURES * HM__SIG_RECORD_SIZE];
    hm_set_signature sigs[HM_SET_MAX_SIGNATURES];
    size_t n = (size_t)(d->result_file - d->result_content);
    HM_FORWARD_IF_ERROR(hm__src_read_at(s, HM__DELTA_HEADER_SIZE + d->ops, sb, n, err));
    uint32_t count = hm__load_le32(sb + HM__SB_COUNT);
    HM_RETURN_IF(memcmp(sb, HM__SET_SIG_MAGIC, HM__SET_MAGIC_SIZE) ||
                     memcmp(sb + HM__SB_DIGEST, d->result, HM_SET_DIGEST_BYTES) ||
                     count > HM_SET_MAX_SIGNATURES ||
                     n != HM__SIG_HEADER_SIZE + (size_t)count * HM__SIG_RECORD_SIZE ||
                     hm__load_le32(sb + HM__SB_RESERVED) != 0,
                 err, HM_E_DELTA_FORMAT,
                 "the delta's signature block is malformed or for another content digest");
    hm__set_frame f = {d->result_content, sb + HM__SB_DIGEST, count, sb + HM__SIG_HEADER_SIZE};
    return hm__set_check_signatures(&f, d->result, trust, sigs, err);
}

/* ---- rebuilding ---- */

static hm_status finish_digest(EVP_MD_CTX *md, uint8_t out[HM_SET_DIGEST_BYTES], hm_error *err)
{
    unsigned n = 0;
    if (EVP_DigestFinal_ex(md, out, &n) != 1 || n != HM_SET_DIGEST_BYTES)
        return hm__fail(err, HM_E_CRYPTO, "SHA-256 finalisation failed");
    return HM_OK;
}

/* After a result that is not the one named: was the old set damaged (its
 * content no longer hashes to the digest it carries), or is the delta bad? */
static hm_status diagnose(hm__rebuild *x, const delta_head *d, const uint8_t new_digest[32])
{
    uint8_t old_digest[HM_SET_DIGEST_BYTES];
    char a[33], b[33];
    x->old_md = EVP_MD_CTX_new();
    HM_RETURN_IF(!x->old_md || EVP_DigestInit_ex(x->old_md, EVP_sha256(), NULL) != 1, x->err,
                 HM_E_CRYPTO, "SHA-256 initialisation failed");
    hm__src_seek(x->old, 0);
    HM_FORWARD_IF_ERROR(hm__rebuild_hash_old(x));
    HM_FORWARD_IF_ERROR(finish_digest(x->old_md, old_digest, x->err));
    HM_RETURN_IF(memcmp(old_digest, d->base, sizeof old_digest), x->err, HM_E_DELTA_BASE,
                 "the old set's content does not hash to its digest: the old set is damaged");
    hex16(new_digest, a);
    hex16(d->result, b);
    return hm__fail(x->err, HM_E_DELTA_RESULT, "the rebuilt set hashes to %s..., the delta "
                    "names %s...", a, b);
}

/* The old content is not hashed on the way: the new content's digest
 * decides, and only when it is wrong is the old set checked (diagnose). */
static hm_status run(hm__rebuild *x, const delta_head *d)
{
    uint8_t new_digest[HM_SET_DIGEST_BYTES];
    hm__src_seek(x->old, 0);
    hm__src_seek(x->delta, HM__DELTA_HEADER_SIZE);
    HM_FORWARD_IF_ERROR(hm__rebuild_run(x));
    HM_FORWARD_IF_ERROR(hm__src_read_at(x->delta, HM__DELTA_HEADER_SIZE + d->ops,
                                        x->out + d->result_content,
                                        (size_t)(d->result_file - d->result_content), x->err));
    HM_FORWARD_IF_ERROR(hm__sha256(x->out, (size_t)d->result_content, new_digest, x->err));
    if (memcmp(new_digest, d->result, sizeof new_digest)) return diagnose(x, d, new_digest);
    return HM_OK;
}

/* Rebuilds into fresh aligned memory (*out, released by the caller). */
static hm_status rebuild(hm__src *old, hm__src *delta, const delta_head *d, uint8_t **out,
                         hm_error *err)
{
    *out = NULL;
    /* An operation byte writes at most 32 bytes (ZEROS): a small delta
     * cannot make the applier allocate an absurd amount of memory. */
    HM_RETURN_IF(d->result_content > d->base_content &&
                     (d->result_content - d->base_content) / 32 > d->ops,
                 err, HM_E_DELTA_FORMAT, "the delta claims a new set larger than it can build");
    HM_RETURN_IF(d->result_file > SIZE_MAX / 2, err, HM_E_LIMIT, "the new set is too large");
    hm__rebuild x;
    memset(&x, 0, sizeof x);
    x.old = old;
    x.delta = delta;
    x.old_end = d->base_content;
    x.ops_end = HM__DELTA_HEADER_SIZE + d->ops;
    x.out_size = d->result_content;
    x.err = err;
    x.out = hm__set_alloc((size_t)d->result_file);
    hm_status st = x.out ? run(&x, d)
                         : hm__fail(err, HM_E_NO_MEMORY, "cannot allocate %llu bytes",
                                    (unsigned long long)d->result_file);
    EVP_MD_CTX_free(x.old_md);
    hm__rebuild_free(&x);
    if (st != HM_OK) {
        free(x.out);
        return st;
    }
    *out = x.out;
    return HM_OK;
}

/* ---- the whole pipeline ---- */

static hm_status verified(uint8_t *mem, const delta_head *d, uint64_t old_version,
                          const hm_set_open_options *opt, hm_set **out, hm_error *err)
{
    /* A delta only ever moves forward: the new version must exceed the old. */
    hm_set_open_options o = *opt;
    if (old_version == UINT64_MAX) {
        free(mem);
        return hm__fail(err, HM_E_SET_ROLLBACK, "the old set has the largest version possible");
    }
    if (o.min_version < old_version + 1) o.min_version = old_version + 1;
    HM_FORWARD_IF_ERROR(hm__set_adopt(mem, (size_t)d->result_file, d->result, &o, out, err));
    const uint8_t *prev = hm_set_previous_digest(*out);
    if (prev && !memcmp(prev, d->base, HM_SET_DIGEST_BYTES)) return HM_OK;
    hm_set_free(*out);
    *out = NULL;
    return hm__fail(err, HM_E_DELTA_CHAIN, "the new set does not name the old set (content "
                    "digest %02x%02x%02x%02x...) as its previous version",
                    d->base[0], d->base[1], d->base[2], d->base[3]);
}

/* opt == NULL: rebuild only (*raw gets the bytes); otherwise *out gets the
 * verified set, which owns the bytes. */
static hm_status apply(hm__src *old, hm__src *delta, const hm_set_open_options *opt,
                       hm_set **out, uint8_t **raw, size_t *raw_size, hm_error *err)
{
    delta_head d;
    uint64_t old_version = 0;
    uint8_t *mem;
    HM_FORWARD_IF_ERROR(check_head(delta, &d, err));
    HM_FORWARD_IF_ERROR(check_trailer(delta, &d, err));
    HM_FORWARD_IF_ERROR(check_old(old, &d, &old_version, err));
    if (opt) HM_FORWARD_IF_ERROR(check_signatures(delta, &d, &opt->trust, err));
    HM_FORWARD_IF_ERROR(hm__set_check_size(d.result_file, opt, "the new set", err));
    HM_FORWARD_IF_ERROR(rebuild(old, delta, &d, &mem, err));
    if (opt) return verified(mem, &d, old_version, opt, out, err);
    *raw = mem;
    *raw_size = (size_t)d.result_file;
    return HM_OK;
}

hm_status hm__delta_rebuild(const uint8_t *old_data, size_t old_size, const uint8_t *delta,
                            size_t delta_size, uint8_t **out, size_t *out_size, hm_error *err)
{
    hm__src o, d;
    hm__src_memory(&o, old_data, old_size, "the old set");
    hm__src_memory(&d, delta, delta_size, "the delta");
    *out = NULL;
    *out_size = 0;
    return apply(&o, &d, NULL, NULL, out, out_size, err);
}

hm_status hm_set_apply_delta_sized(const void *old_data, size_t old_size, const void *delta,
                                   size_t delta_size, const hm_set_open_options *caller_opt,
                                   size_t opt_size, uint8_t **new_data, size_t *new_size,
                                   hm_error *err)
{
    HM_RETURN_IF(!new_data || !new_size, err, HM_E_INVALID_ARGUMENT, "outputs are required");
    *new_data = NULL;
    *new_size = 0;
    HM_RETURN_IF(!caller_opt || (!old_data && old_size) || (!delta && delta_size), err,
                 HM_E_INVALID_ARGUMENT, "options with a trust policy, and the data, are required");
    hm_set_open_options options; /* the caller's, in this release's layout (docs/ABI.md) */
    const hm_set_open_options *opt = &options;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_set_open_options, &options, caller_opt, opt_size, err));
    hm__src o, d;
    hm__src_memory(&o, old_data, old_size, "the old set");
    hm__src_memory(&d, delta, delta_size, "the delta");
    hm_set *s = NULL;
    HM_FORWARD_IF_ERROR(apply(&o, &d, opt, &s, NULL, NULL, err));
    *new_data = s->mem; /* the verified bytes change hands: no second copy */
    *new_size = s->size;
    s->mem = NULL;
    hm_set_free(s);
    hm__ok(err);
    return HM_OK;
}

hm_status hm_set_apply_delta_file_sized(const char *old_path, const char *delta_path,
                                        const char *new_path,
                                        const hm_set_open_options *caller_opt, size_t opt_size,
                                        hm_set **out, hm_error *err)
{
    if (out) *out = NULL;
    HM_RETURN_IF(!old_path || !delta_path || !new_path || !caller_opt, err, HM_E_INVALID_ARGUMENT,
                 "paths and options with a trust policy are required");
    hm_set_open_options options; /* the caller's, in this release's layout (docs/ABI.md) */
    const hm_set_open_options *opt = &options;
    HM_FORWARD_IF_ERROR(HM__ABI_READ(hm_set_open_options, &options, caller_opt, opt_size, err));
    hm__src o, d;
    hm_set *s = NULL;
    hm_status st = hm__src_file(&o, old_path, "the old set", err);
    if (st == HM_OK) {
        st = hm__src_file(&d, delta_path, "the delta", err);
        if (st == HM_OK) {
            st = apply(&o, &d, opt, &s, NULL, NULL, err);
            hm__src_close(&d);
        }
        hm__src_close(&o);
    }
    if (st == HM_OK) st = hm__write_file_atomic(new_path, s->mem, s->size, err);
    if (st != HM_OK || !out) hm_set_free(s);
    else *out = s;
    if (st == HM_OK) hm__ok(err);
    return st;
}
