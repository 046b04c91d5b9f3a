/* keys.c - Ed25519 keys and signatures, SHA-256 digests and key ids, through
 * OpenSSL's EVP API. Every OpenSSL failure is reported as HM_E_CRYPTO and the
 * thread's OpenSSL error queue is cleared, so nothing leaks into the caller's
 * later OpenSSL calls. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "set.h"

static hm_status crypto_fail(hm_error *err, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    char detail[160] = "";
    if (e) ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    return hm__fail(err, HM_E_CRYPTO, "%s failed%s%s", what, e ? ": " : "", detail);
}

hm_status hm__sha256(const uint8_t *data, size_t size, uint8_t out[HM_SET_DIGEST_BYTES],
                     hm_error *err)
{
    unsigned int n = 0;
    if (EVP_Digest(data, size, out, &n, EVP_sha256(), NULL) != 1 || n != HM_SET_DIGEST_BYTES)
        return crypto_fail(err, "SHA-256");
    return HM_OK;
}

hm_status hm_key_id(const uint8_t public_key[HM_ED25519_PUBLIC_BYTES], uint8_t id[HM_KEY_ID_BYTES],
                    hm_error *err)
{
    HM_RETURN_IF(!public_key || !id, err, HM_E_INVALID_ARGUMENT, "key and output are required");
    /* No id for a key that must never be trusted: whoever shows one its id
     * learns at once that the key is unusable. */
    HM_FORWARD_IF_ERROR(hm_key_check(public_key, err));
    unsigned int n = 0;
    if (EVP_Digest(public_key, HM_ED25519_PUBLIC_BYTES, id, &n, EVP_sha256(), NULL) != 1 ||
        n != HM_KEY_ID_BYTES)
        return crypto_fail(err, "SHA-256");
    hm__ok(err);
    return HM_OK;
}

static hm_status secret_pkey(const uint8_t secret[HM_ED25519_SECRET_BYTES], EVP_PKEY **out,
                             hm_error *err)
{
    *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, HM_ED25519_SECRET_BYTES);
    if (!*out) return crypto_fail(err, "loading the Ed25519 secret key");
    return HM_OK;
}

static hm_status pkey_public(EVP_PKEY *pkey, uint8_t pub[HM_ED25519_PUBLIC_BYTES], hm_error *err)
{
    size_t n = HM_ED25519_PUBLIC_BYTES;
    if (EVP_PKEY_get_raw_public_key(pkey, pub, &n) != 1 || n != HM_ED25519_PUBLIC_BYTES)
        return crypto_fail(err, "reading the Ed25519 public key");
    return HM_OK;
}

hm_status hm_key_generate(uint8_t public_key[HM_ED25519_PUBLIC_BYTES],
                          uint8_t secret_key[HM_ED25519_SECRET_BYTES], hm_error *err)
{
    HM_RETURN_IF(!public_key || !secret_key, err, HM_E_INVALID_ARGUMENT, "outputs are required");
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    hm_status st = HM_OK;
    size_t n = HM_ED25519_SECRET_BYTES;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1)
        st = crypto_fail(err, "Ed25519 key generation");
    else if (EVP_PKEY_get_raw_private_key(pkey, secret_key, &n) != 1 || n != HM_ED25519_SECRET_BYTES)
        st = crypto_fail(err, "reading the Ed25519 secret key");
    else
        st = pkey_public(pkey, public_key, err);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    if (st != HM_OK) {
        OPENSSL_cleanse(secret_key, HM_ED25519_SECRET_BYTES);
        return st;
    }
    hm__ok(err);
    return HM_OK;
}

hm_status hm_key_public(const uint8_t secret_key[HM_ED25519_SECRET_BYTES],
                        uint8_t public_key[HM_ED25519_PUBLIC_BYTES], hm_error *err)
{
    HM_RETURN_IF(!secret_key || !public_key, err, HM_E_INVALID_ARGUMENT, "keys are required");
    EVP_PKEY *pkey;
    HM_FORWARD_IF_ERROR(secret_pkey(secret_key, &pkey, err));
    hm_status st = pkey_public(pkey, public_key, err);
    EVP_PKEY_free(pkey);
    if (st == HM_OK) hm__ok(err);
    return st;
}

hm_status hm__ed25519_sign(const uint8_t secret[HM_ED25519_SECRET_BYTES], const uint8_t *msg,
                           size_t size, uint8_t sig[HM_ED25519_SIGNATURE_BYTES], hm_error *err)
{
    EVP_PKEY *pkey;
    HM_FORWARD_IF_ERROR(secret_pkey(secret, &pkey, err));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = HM_ED25519_SIGNATURE_BYTES;
    hm_status st = HM_OK;
    /* Ed25519 is "pure": no separate message digest, hence the NULL md. */
    if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
        EVP_DigestSign(ctx, sig, &n, msg, size) != 1 || n != HM_ED25519_SIGNATURE_BYTES)
        st = crypto_fail(err, "Ed25519 signing");
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return st;
}

hm_status hm__ed25519_verify(const uint8_t pub[HM_ED25519_PUBLIC_BYTES], const uint8_t *msg,
                             size_t size, const uint8_t sig[HM_ED25519_SIGNATURE_BYTES],
                             int *valid, hm_error *err)
{
    *valid = 0;
    /* What OpenSSL lets through (small-order keys and R) is refused here:
     * such a "signature" proves nothing about who made it. */
    if (hm__ed25519_point_weakness(pub) || hm__ed25519_signature_weakness(sig)) return HM_OK;
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, HM_ED25519_PUBLIC_BYTES);
    if (!pkey) return crypto_fail(err, "loading an Ed25519 public key");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    hm_status st = HM_OK;
    if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1) {
        st = crypto_fail(err, "Ed25519 verification setup");
    } else {
        /* 1: valid; 0 or a negative value: invalid (a malformed signature or a
         * public key that is not a curve point is an invalid signature). */
        *valid = EVP_DigestVerify(ctx, sig, HM_ED25519_SIGNATURE_BYTES, msg, size) == 1;
        ERR_clear_error();
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return st;
}

void hm__set_sig_message(const uint8_t digest[HM_SET_DIGEST_BYTES],
                         uint8_t msg[HM__SIG_MESSAGE_SIZE])
{
    memcpy(msg, HM__SIG_CONTEXT, HM__SIG_CONTEXT_SIZE); /* includes the NUL */
    memcpy(msg + HM__SIG_CONTEXT_SIZE, digest, HM_SET_DIGEST_BYTES);
}
