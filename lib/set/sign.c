/* sign.c - adding a signature to a set, and sealing raw content (tests). */
#include <stdlib.h>

#include "set_internal.h"

static hm_status signer_id(const uint8_t secret[HM_ED25519_SECRET_BYTES],
                           uint8_t id[HM_KEY_ID_BYTES], hm_error *err)
{
    uint8_t pub[HM_ED25519_PUBLIC_BYTES];
    HM_FORWARD_IF_ERROR(hm_key_public(secret, pub, err));
    return hm_key_id(pub, id, err);
}

static hm_status sign_record(const uint8_t secret[HM_ED25519_SECRET_BYTES],
                             const uint8_t digest[HM_SET_DIGEST_BYTES], uint8_t *rec,
                             hm_error *err)
{
    uint8_t msg[HM__SIG_MESSAGE_SIZE];
    hm__set_sig_message(digest, msg);
    HM_FORWARD_IF_ERROR(signer_id(secret, rec, err));
    return hm__ed25519_sign(secret, msg, sizeof msg, rec + HM_KEY_ID_BYTES, err);
}

hm_status hm_set_sign(const void *data, size_t size, const uint8_t secret_key[HM_ED25519_SECRET_BYTES],
                      uint8_t **out, size_t *out_size, hm_error *err)
{
    HM_RETURN_IF(!out || !out_size, err, HM_E_INVALID_ARGUMENT, "outputs are required");
    *out = NULL;
    *out_size = 0;
    HM_RETURN_IF(!data || !secret_key, err, HM_E_INVALID_ARGUMENT, "data and key are required");
    const uint8_t *d = data;
    hm__set_frame f;
    uint8_t digest[HM_SET_DIGEST_BYTES], id[HM_KEY_ID_BYTES];
    HM_FORWARD_IF_ERROR(hm__set_read_frame(d, size, &f, err));
    HM_FORWARD_IF_ERROR(hm__sha256(d, (size_t)f.content_size, digest, err));
    HM_RETURN_IF(memcmp(digest, f.stored_digest, HM_SET_DIGEST_BYTES) != 0, err, HM_E_SET_DIGEST,
                 "the content does not match its digest: refusing to sign a damaged set");
    /* A signer vouches for the content: never sign something a device would
     * refuse to parse. */
    HM_FORWARD_IF_ERROR(hm__set_validate_content(d, (size_t)f.content_size, err));
    HM_FORWARD_IF_ERROR(signer_id(secret_key, id, err));
    for (uint32_t i = 0; i < f.sig_count; i++)
        HM_RETURN_IF(!memcmp(f.sigs + (size_t)i * HM__SIG_RECORD_SIZE, id, HM_KEY_ID_BYTES), err,
                     HM_E_SET_DUPLICATE_KEY, "this key already signed the set (signature %u)", i);
    HM_RETURN_IF(f.sig_count >= HM_SET_MAX_SIGNATURES, err, HM_E_SET_BOUNDS,
                 "the set already has the maximum of %d signatures", HM_SET_MAX_SIGNATURES);
    uint8_t *o = hm__set_alloc(size + HM__SIG_RECORD_SIZE);
    HM_RETURN_IF(!o, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes", size + HM__SIG_RECORD_SIZE);
    memcpy(o, d, size);
    hm_status st = sign_record(secret_key, digest, o + size, err);
    if (st != HM_OK) {
        free(o);
        return st;
    }
    hm__store_le32(o + f.content_size + HM__SB_COUNT, f.sig_count + 1);
    *out = o;
    *out_size = size + HM__SIG_RECORD_SIZE;
    hm__ok(err);
    return HM_OK;
}

hm_status hm__set_seal(const uint8_t *content, size_t content_size,
                       const uint8_t (*secrets)[HM_ED25519_SECRET_BYTES], size_t nsecrets,
                       uint8_t **out, size_t *out_size, hm_error *err)
{
    *out = NULL;
    *out_size = 0;
    HM_RETURN_IF(nsecrets > HM_SET_MAX_SIGNATURES, err, HM_E_INVALID_ARGUMENT, "too many keys");
    size_t total = content_size + HM__SIG_HEADER_SIZE + nsecrets * HM__SIG_RECORD_SIZE;
    uint8_t *o = hm__set_alloc(total);
    HM_RETURN_IF(!o, err, HM_E_NO_MEMORY, "cannot allocate %zu bytes", total);
    memset(o, 0, total);
    memcpy(o, content, content_size);
    uint8_t *sb = o + content_size;
    memcpy(sb + HM__SB_MAGIC, HM__SET_SIG_MAGIC, HM__SET_MAGIC_SIZE);
    hm__store_le32(sb + HM__SB_COUNT, (uint32_t)nsecrets);
    hm_status st = hm__sha256(o, content_size, sb + HM__SB_DIGEST, err);
    for (size_t i = 0; i < nsecrets && st == HM_OK; i++)
        st = sign_record(secrets[i], sb + HM__SB_DIGEST,
                         sb + HM__SIG_HEADER_SIZE + i * HM__SIG_RECORD_SIZE, err);
    if (st != HM_OK) {
        free(o);
        return st;
    }
    *out = o;
    *out_size = total;
    return HM_OK;
}
