/* digest.c - MD5/SHA-1/SHA-256 of bytes in memory through OpenSSL EVP. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "hash_internal.h"

/* Reports an OpenSSL failure with its own reason (the first error queued:
 * the root cause), and empties OpenSSL's thread-local error queue so that
 * nothing leaks into a later call. */
static hm_status crypto_fail(hm_error *err, const char *what, const char *name)
{
    char reason[160] = "no reason given";
    unsigned long e = ERR_peek_error();
    if (e) ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    return hm__fail(err, HM_E_CRYPTO, "%s %s: %s", name, what, reason);
}

static hm_status digest_one(const EVP_MD *md, const char *name, const uint8_t *data, size_t size,
                            uint8_t *out, unsigned expect, hm_error *err)
{
    if (!md) return crypto_fail(err, "is not available", name);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return crypto_fail(err, "context allocation failed", name);
    unsigned len = 0;
    hm_status st = HM_OK;
    if (!EVP_DigestInit_ex(ctx, md, NULL)) st = crypto_fail(err, "init failed", name);
    else if (size && !EVP_DigestUpdate(ctx, data, size)) st = crypto_fail(err, "update failed", name);
    else if (!EVP_DigestFinal_ex(ctx, out, &len)) st = crypto_fail(err, "final failed", name);
    else if (len != expect)
        st = hm__fail(err, HM_E_CRYPTO, "%s produced %u bytes, expected %u", name, len, expect);
    EVP_MD_CTX_free(ctx);
    return st;
}

hm_status hm__digests(const uint8_t *data, size_t size, uint32_t algos, hm_hashes *out,
                      hm_error *err)
{
    HM_RETURN_IF(!out || (!data && size), err, HM_E_INVALID_ARGUMENT, "invalid digest input");
    /* Errors left by earlier, unrelated OpenSSL calls on this thread would
     * otherwise pass for ours. */
    ERR_clear_error();
    if (algos & HM_MASK(HM_ALGO_MD5))
        HM_FORWARD_IF_ERROR(digest_one(EVP_md5(), "MD5", data, size, out->md5, HM_MD5_BYTES, err));
    if (algos & HM_MASK(HM_ALGO_SHA1))
        HM_FORWARD_IF_ERROR(
            digest_one(EVP_sha1(), "SHA-1", data, size, out->sha1, HM_SHA1_BYTES, err));
    if (algos & HM_MASK(HM_ALGO_SHA256))
        HM_FORWARD_IF_ERROR(
            digest_one(EVP_sha256(), "SHA-256", data, size, out->sha256, HM_SHA256_BYTES, err));
    out->algos |= algos & HM_MASK_DIGESTS;
    hm__ok(err);
    return HM_OK;
}

/* ---- streaming over a file ---- */

#define FD_CHUNK (1u << 20)

typedef struct stream_md {
    uint32_t bit;
    const EVP_MD *(*md)(void);
    const char *name;
    size_t off, len; /* where the digest goes in hm_hashes */
    EVP_MD_CTX *ctx;
} stream_md;

static hm_status fd_pass(int fd, stream_md *m, size_t nm, uint8_t *buf, hm_error *err)
{
    for (off_t pos = 0;;) {
        ssize_t got = pread(fd, buf, FD_CHUNK, pos);
        if (got < 0 && errno == EINTR) continue;
        HM_RETURN_IF(got < 0, err, HM_E_IO, "read error: %s", strerror(errno));
        if (got == 0) return HM_OK;
        for (size_t i = 0; i < nm; i++)
            if (m[i].ctx && !EVP_DigestUpdate(m[i].ctx, buf, (size_t)got))
                return crypto_fail(err, "update failed", m[i].name);
        pos += got;
    }
}

hm_status hm__digests_fd(int fd, uint32_t algos, hm_hashes *out, hm_error *err)
{
    stream_md m[3] = {
        {HM_MASK(HM_ALGO_MD5), EVP_md5, "MD5", offsetof(hm_hashes, md5), HM_MD5_BYTES, NULL},
        {HM_MASK(HM_ALGO_SHA1), EVP_sha1, "SHA-1", offsetof(hm_hashes, sha1), HM_SHA1_BYTES, NULL},
        {HM_MASK(HM_ALGO_SHA256), EVP_sha256, "SHA-256", offsetof(hm_hashes, sha256),
         HM_SHA256_BYTES, NULL}};
    ERR_clear_error();
    uint8_t *buf = malloc(FD_CHUNK);
    HM_RETURN_IF(!buf, err, HM_E_NO_MEMORY, "cannot allocate a read buffer");
    hm_status st = HM_OK;
    for (size_t i = 0; i < 3 && st == HM_OK; i++) {
        if (!(algos & m[i].bit)) continue;
        if (!(m[i].ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(m[i].ctx, m[i].md(), NULL))
            st = crypto_fail(err, "init failed", m[i].name);
    }
    if (st == HM_OK) st = fd_pass(fd, m, 3, buf, err);
    for (size_t i = 0; i < 3; i++) {
        unsigned len = 0;
        if (st == HM_OK && m[i].ctx &&
            (!EVP_DigestFinal_ex(m[i].ctx, (uint8_t *)out + m[i].off, &len) || len != m[i].len))
            st = crypto_fail(err, "final failed", m[i].name);
        EVP_MD_CTX_free(m[i].ctx);
    }
    free(buf);
    if (st == HM_OK) out->algos |= algos & HM_MASK_DIGESTS;
    return st;
}
