/* verify.c - the authentication half of opening a set: framing, copying the
 * file into private memory while hashing it, the digest and the signatures.
 * Nothing in the content is interpreted here beyond the magic, the format
 * version and the content size that locates the signature block. */
#include <stdlib.h>

#include <openssl/evp.h>

#include "set_internal.h"

#define INGEST_CHUNK ((size_t)256 * 1024) /* hashed while still in the L2 cache */

uint8_t *hm__set_alloc(size_t size)
{
    _Static_assert(HM__SET_ALIGN <= 64, "hm__alloc_large aligns to 64 bytes");
    return hm__alloc_large(size); /* scans of a big set's codes run on huge pages */
}

void hm_buffer_free(void *data) { free(data); }

hm_status hm__set_check_prefix(const uint8_t *data, size_t avail, uint64_t size,
                               uint64_t *content_size, hm_error *err)
{
    size_t m = avail < HM__SET_MAGIC_SIZE ? avail : HM__SET_MAGIC_SIZE;
    HM_RETURN_IF(memcmp(data, HM__SET_MAGIC, m) != 0, err, HM_E_SET_MAGIC,
                 "not a hashmatch set: wrong magic at offset 0");
    HM_RETURN_IF(size < HM__H_FORMAT_VERSION + 4, err, HM_E_SET_TRUNCATED,
                 "truncated: %llu bytes, the header needs %d", (unsigned long long)size,
                 HM__SET_HEADER_SIZE);
    uint32_t version = hm__load_le32(data + HM__H_FORMAT_VERSION);
    HM_RETURN_IF(version != HM_SET_FORMAT_VERSION, err, HM_E_SET_FORMAT_VERSION,
                 "format version %u at offset %d; this library reads version %d", version,
                 HM__H_FORMAT_VERSION, HM_SET_FORMAT_VERSION);
    HM_RETURN_IF(size < HM__SET_HEADER_SIZE || avail < HM__SET_HEADER_SIZE, err,
                 HM_E_SET_TRUNCATED, "truncated: %llu bytes, the header needs %d",
                 (unsigned long long)size, HM__SET_HEADER_SIZE);
    uint64_t cs = hm__load_le64(data + HM__H_CONTENT_SIZE);
    HM_RETURN_IF(cs < HM__SET_HEADER_SIZE || cs > UINT64_MAX - HM__SIG_HEADER_SIZE, err,
                 HM_E_SET_BOUNDS, "content size %llu at offset %d is impossible",
                 (unsigned long long)cs, HM__H_CONTENT_SIZE);
    HM_RETURN_IF(cs + HM__SIG_HEADER_SIZE > size, err, HM_E_SET_TRUNCATED,
                 "truncated: %llu bytes, but the content (%llu bytes) and the signature "
                 "block header need %llu",
                 (unsigned long long)size, (unsigned long long)cs,
                 (unsigned long long)(cs + HM__SIG_HEADER_SIZE));
    *content_size = cs;
    return HM_OK;
}

hm_status hm__set_read_frame(const uint8_t *data, size_t size, hm__set_frame *f, hm_error *err)
{
    memset(f, 0, sizeof *f);
    size_t avail = size < HM__SET_HEADER_SIZE ? size : HM__SET_HEADER_SIZE;
    uint64_t cs;
    HM_FORWARD_IF_ERROR(hm__set_check_prefix(data, avail, size, &cs, err));
    const uint8_t *sb = data + cs;
    HM_RETURN_IF(memcmp(sb + HM__SB_MAGIC, HM__SET_SIG_MAGIC, HM__SET_MAGIC_SIZE) != 0, err,
                 HM_E_SET_MAGIC, "no signature block magic at offset %llu (the content size)",
                 (unsigned long long)cs);
    uint32_t count = hm__load_le32(sb + HM__SB_COUNT);
    HM_RETURN_IF(count > HM_SET_MAX_SIGNATURES, err, HM_E_SET_BOUNDS,
                 "signature count %u at offset %llu exceeds %d", count,
                 (unsigned long long)(cs + HM__SB_COUNT), HM_SET_MAX_SIGNATURES);
    uint64_t end = cs + HM__SIG_HEADER_SIZE + (uint64_t)count * HM__SIG_RECORD_SIZE;
    HM_RETURN_IF(end > size, err, HM_E_SET_TRUNCATED,
                 "truncated: %llu bytes, but %u signatures end at %llu",
                 (unsigned long long)size, count, (unsigned long long)end);
    HM_RETURN_IF(end < size, err, HM_E_SET_TRAILING,
                 "%llu trailing bytes after the signature block (which ends at %llu)",
                 (unsigned long long)(size - end), (unsigned long long)end);
    HM_RETURN_IF(hm__load_le32(sb + HM__SB_RESERVED) != 0, err, HM_E_SET_FIELD,
                 "reserved signature block field at offset %llu is not zero",
                 (unsigned long long)(cs + HM__SB_RESERVED));
    f->content_size = cs;
    f->stored_digest = sb + HM__SB_DIGEST;
    f->sig_count = count;
    f->sigs = sb + HM__SIG_HEADER_SIZE;
    return HM_OK;
}

/* ---- ingest: copy + hash in one pass ---- */

static hm_status ingest_rest(hm__set_reader rd, void *ctx, uint8_t *mem, size_t size,
                             size_t done, uint64_t content_size, EVP_MD_CTX *md, hm_error *err)
{
    while (done < size) {
        size_t n = size - done < INGEST_CHUNK ? size - done : INGEST_CHUNK;
        HM_FORWARD_IF_ERROR(rd(ctx, mem + done, n, err));
        if (done < content_size) {
            size_t h = content_size - done < n ? (size_t)(content_size - done) : n;
            if (EVP_DigestUpdate(md, mem + done, h) != 1)
                return hm__fail(err, HM_E_CRYPTO, "SHA-256 update failed");
        }
        done += n;
    }
    return HM_OK;
}

hm_status hm__set_ingest(hm__set_reader rd, void *ctx, size_t size, uint8_t **mem,
                         uint8_t digest[HM_SET_DIGEST_BYTES], hm_error *err)
{
    *mem = NULL;
    HM_RETURN_IF(size == 0, err, HM_E_SET_TRUNCATED, "truncated: the set is empty");
    /* The header is read and checked before the file's size is allocated: a
     * huge file that is no set (a sparse file, a disk image) is refused at
     * once rather than after the allocation or an exhausted memory. */
    uint8_t header[HM__SET_HEADER_SIZE];
    size_t head = size < HM__SET_HEADER_SIZE ? size : HM__SET_HEADER_SIZE;
    uint64_t cs = 0;
    HM_FORWARD_IF_ERROR(rd(ctx, header, head, err));
    HM_FORWARD_IF_ERROR(hm__set_check_prefix(header, head, size, &cs, err));
    uint8_t *buf = hm__set_alloc(size);
    HM_RETURN_IF(!buf, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes for the set", size);
    memcpy(buf, header, head);
    unsigned int dn = 0;
    hm_status st = HM_OK;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, buf, head) != 1)
        st = hm__fail(err, HM_E_CRYPTO, "SHA-256 initialisation failed");
    if (st == HM_OK) st = ingest_rest(rd, ctx, buf, size, head, cs, md, err);
    if (st == HM_OK && (EVP_DigestFinal_ex(md, digest, &dn) != 1 || dn != HM_SET_DIGEST_BYTES))
        st = hm__fail(err, HM_E_CRYPTO, "SHA-256 finalisation failed");
    EVP_MD_CTX_free(md);
    if (st != HM_OK) {
        free(buf);
        return st;
    }
    *mem = buf;
    return HM_OK;
}

/* ---- signatures ---- */

static hm_status check_trust(const hm_trust *t, uint8_t (*ids)[HM_KEY_ID_BYTES], hm_error *err)
{
    HM_RETURN_IF(!t->keys || t->key_count == 0, err, HM_E_INVALID_ARGUMENT,
                 "the trust policy has no keys");
    HM_RETURN_IF(t->key_count > HM_SET_MAX_TRUSTED_KEYS, err, HM_E_LIMIT,
                 "the trust policy has %zu keys; at most %d are supported", t->key_count,
                 HM_SET_MAX_TRUSTED_KEYS);
    HM_RETURN_IF(t->threshold < 1 || t->threshold > t->key_count, err, HM_E_INVALID_ARGUMENT,
                 "threshold %u is impossible with %zu trusted keys (need 1..%zu)", t->threshold,
                 t->key_count, t->key_count);
    for (size_t i = 0; i < t->key_count; i++) {
        /* A key listed twice would let one signer count twice toward k. */
        for (size_t j = 0; j < i; j++)
            HM_RETURN_IF(!memcmp(t->keys[i], t->keys[j], HM_ED25519_PUBLIC_BYTES), err,
                         HM_E_SET_KEY, "trusted keys %zu and %zu are the same key", j, i);
        hm_error e;
        hm_status st = hm_key_check(t->keys[i], &e);
        HM_RETURN_IF(st != HM_OK, err, st, "trusted key %zu: %s", i, e.message);
        HM_FORWARD_IF_ERROR(hm_key_id(t->keys[i], ids[i], err));
    }
    return HM_OK;
}

static void hex_prefix(const uint8_t *id, char out[17]) { hm_hex_encode(id, 8, out); }

static hm_status check_duplicates(const hm__set_frame *f, hm_error *err)
{
    for (uint32_t i = 0; i < f->sig_count; i++) {
        const uint8_t *a = f->sigs + (size_t)i * HM__SIG_RECORD_SIZE;
        for (uint32_t j = 0; j < i; j++) {
            if (memcmp(a, f->sigs + (size_t)j * HM__SIG_RECORD_SIZE, HM_KEY_ID_BYTES) != 0)
                continue;
            char hex[17];
            hex_prefix(a, hex);
            return hm__fail(err, HM_E_SET_DUPLICATE_KEY,
                            "signatures %u and %u are both by key id %s...", j, i, hex);
        }
    }
    return HM_OK;
}

static int find_key(const uint8_t (*ids)[HM_KEY_ID_BYTES], size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(ids[i], id, HM_KEY_ID_BYTES)) return (int)i;
    return -1;
}

static hm_status check_record(const hm_trust *t, const uint8_t (*ids)[HM_KEY_ID_BYTES],
                              const uint8_t *rec, uint32_t index, const uint8_t *msg,
                              hm_set_signature *sig, hm_error *err)
{
    char hex[17];
    hex_prefix(rec, hex);
    sig->key_id = rec;
    sig->signature = rec + HM_KEY_ID_BYTES;
    sig->trusted_index = find_key(ids, t->key_count, rec);
    if (sig->trusted_index < 0) {
        HM_RETURN_IF(!t->allow_unknown_keys, err, HM_E_SET_UNKNOWN_KEY,
                     "signature %u is by key id %s..., which is not in the trust policy",
                     index, hex);
        sig->status = HM_SIG_IGNORED;
        return HM_OK;
    }
    int valid = 0;
    HM_FORWARD_IF_ERROR(hm__ed25519_verify(t->keys[sig->trusted_index], msg, HM__SIG_MESSAGE_SIZE,
                                           sig->signature, &valid, err));
    const char *why = hm__ed25519_signature_weakness(sig->signature);
    HM_RETURN_IF(!valid, err, HM_E_SET_BAD_SIGNATURE,
                 "signature %u by trusted key %d (key id %s...) does not verify%s%s%s", index,
                 sig->trusted_index, hex, why ? " (" : "", why ? why : "", why ? ")" : "");
    sig->status = HM_SIG_VALID;
    return HM_OK;
}

hm_status hm__set_check_signatures(const hm__set_frame *f, const uint8_t digest[HM_SET_DIGEST_BYTES],
                                   const hm_trust *trust, hm_set_signature *sigs, hm_error *err)
{
    uint8_t ids[HM_SET_MAX_TRUSTED_KEYS][HM_KEY_ID_BYTES];
    HM_FORWARD_IF_ERROR(check_trust(trust, ids, err));
    HM_FORWARD_IF_ERROR(check_duplicates(f, err));
    uint8_t msg[HM__SIG_MESSAGE_SIZE];
    hm__set_sig_message(digest, msg);
    unsigned valid = 0;
    for (uint32_t i = 0; i < f->sig_count; i++) {
        const uint8_t *rec = f->sigs + (size_t)i * HM__SIG_RECORD_SIZE;
        HM_FORWARD_IF_ERROR(check_record(trust, (const uint8_t(*)[HM_KEY_ID_BYTES])ids, rec, i,
                                         msg, &sigs[i], err));
        valid += sigs[i].status == HM_SIG_VALID;
    }
    HM_RETURN_IF(valid < trust->threshold, err, HM_E_SET_THRESHOLD,
                 "%u valid signature%s by trusted keys, the threshold is %u", valid,
                 valid == 1 ? "" : "s", trust->threshold);
    return HM_OK;
}
