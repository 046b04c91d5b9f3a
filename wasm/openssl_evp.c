/* openssl_evp.c - the part of OpenSSL's EVP API that hashmatch calls
 * (lib/hash/digest.c, lib/set/keys.c, lib/set/verify.c), for the
 * WebAssembly build only.
 *
 * scripts/wasm.sh compiles this file with OpenSSL's own MD5, SHA-1, SHA-256,
 * SHA-512 and Ed25519 code from Debian's openssl source package
 * (crypto/md5, crypto/sha, crypto/ec/curve25519.c) into the libcrypto.a that
 * the WebAssembly module links. A complete libcrypto works too, but OpenSSL
 * 3's provider tables make every algorithm it has reachable from any EVP
 * call: it made up 380 KB of the module's 590 KB (gzip -9). The arithmetic
 * is OpenSSL's in both cases; this file only routes the calls, with the
 * checks the default provider makes (key and signature lengths, Ed25519
 * only, no digest for Ed25519). Anything else fails as an unsupported
 * algorithm would. There is no error queue: a failure is the return value. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* getentropy */

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

/* OpenSSL 3.0's include/crypto/ecx.h (internal). */
int ossl_ed25519_public_from_private(OSSL_LIB_CTX *ctx, uint8_t out_public_key[32],
                                     const uint8_t private_key[32], const char *propq);
int ossl_ed25519_sign(uint8_t *out_sig, const uint8_t *message, size_t message_len,
                      const uint8_t public_key[32], const uint8_t private_key[32],
                      OSSL_LIB_CTX *libctx, const char *propq);
int ossl_ed25519_verify(const uint8_t *message, size_t message_len, const uint8_t signature[64],
                        const uint8_t public_key[32], OSSL_LIB_CTX *libctx, const char *propq);

#define ED25519_KEY 32
#define ED25519_SIG 64

/* ---- digests ---- */

typedef union digest_state {
    MD5_CTX md5;
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} digest_state;

struct evp_md_st {
    const char *name;
    unsigned int size;
    int (*init)(digest_state *s);
    int (*update)(digest_state *s, const void *data, size_t n);
    int (*final)(unsigned char *out, digest_state *s);
};

#define DIGEST(fn, prefix, field)                                                                 \
    static int fn##_init(digest_state *s) { return prefix##_Init(&s->field); }                    \
    static int fn##_update(digest_state *s, const void *d, size_t n)                              \
    {                                                                                             \
        return prefix##_Update(&s->field, d, n);                                                  \
    }                                                                                             \
    static int fn##_final(unsigned char *out, digest_state *s) { return prefix##_Final(out, &s->field); }

DIGEST(md5, MD5, md5)
DIGEST(sha1, SHA1, sha1)
DIGEST(sha256, SHA256, sha256)
DIGEST(sha512, SHA512, sha512)

static EVP_MD MD5_MD = {"MD5", MD5_DIGEST_LENGTH, md5_init, md5_update, md5_final};
static EVP_MD SHA1_MD = {"SHA1", SHA_DIGEST_LENGTH, sha1_init, sha1_update, sha1_final};
static EVP_MD SHA256_MD = {"SHA256", SHA256_DIGEST_LENGTH, sha256_init, sha256_update, sha256_final};
static EVP_MD SHA512_MD = {"SHA512", SHA512_DIGEST_LENGTH, sha512_init, sha512_update, sha512_final};

const EVP_MD *EVP_md5(void) { return &MD5_MD; }
const EVP_MD *EVP_sha1(void) { return &SHA1_MD; }
const EVP_MD *EVP_sha256(void) { return &SHA256_MD; }

/* Only what curve25519.c fetches: SHA-512. The tables are static. */
EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties)
{
    (void)ctx, (void)properties;
    if (algorithm && (!strcmp(algorithm, "SHA512") || !strcmp(algorithm, "SHA2-512"))) return &SHA512_MD;
    return NULL;
}

void EVP_MD_free(EVP_MD *md) { (void)md; }

typedef struct ed25519_key {
    int has_private;
    uint8_t pub[ED25519_KEY];
    uint8_t priv[ED25519_KEY];
} ed25519_key;

struct evp_md_ctx_st {
    const EVP_MD *md;
    digest_state state;
    int signing; /* after EVP_DigestSignInit */
    int verifying; /* after EVP_DigestVerifyInit */
    ed25519_key key;
};

EVP_MD_CTX *EVP_MD_CTX_new(void) { return calloc(1, sizeof(EVP_MD_CTX)); }

void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
{
    if (!ctx) return;
    OPENSSL_cleanse(ctx, sizeof *ctx);
    free(ctx);
}

int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
{
    if (!ctx || impl) return 0;
    if (type) ctx->md = type;
    if (!ctx->md) return 0;
    ctx->signing = ctx->verifying = 0;
    return ctx->md->init(&ctx->state);
}

int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
    if (!ctx || !ctx->md || ctx->signing || ctx->verifying) return 0;
    return ctx->md->update(&ctx->state, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
    if (!ctx || !ctx->md || ctx->signing || ctx->verifying) return 0;
    int ok = ctx->md->final(md, &ctx->state);
    if (ok && s) *s = ctx->md->size;
    OPENSSL_cleanse(&ctx->state, sizeof ctx->state);
    return ok;
}

int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
               const EVP_MD *type, ENGINE *impl)
{
    EVP_MD_CTX ctx;
    memset(&ctx, 0, sizeof ctx);
    int ok = EVP_DigestInit_ex(&ctx, type, impl) && EVP_DigestUpdate(&ctx, data, count) &&
             EVP_DigestFinal_ex(&ctx, md, size);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    return ok;
}

/* ---- Ed25519 keys ---- */

struct evp_pkey_st {
    ed25519_key key;
};

static EVP_PKEY *pkey_new(void) { return calloc(1, sizeof(EVP_PKEY)); }

EVP_PKEY *EVP_PKEY_new_raw_public_key(int type, ENGINE *e, const unsigned char *pub, size_t len)
{
    if (type != EVP_PKEY_ED25519 || e || !pub || len != ED25519_KEY) return NULL;
    EVP_PKEY *k = pkey_new();
    if (k) memcpy(k->key.pub, pub, ED25519_KEY);
    return k;
}

EVP_PKEY *EVP_PKEY_new_raw_private_key(int type, ENGINE *e, const unsigned char *priv, size_t len)
{
    if (type != EVP_PKEY_ED25519 || e || !priv || len != ED25519_KEY) return NULL;
    EVP_PKEY *k = pkey_new();
    if (!k) return NULL;
    memcpy(k->key.priv, priv, ED25519_KEY);
    k->key.has_private = 1;
    if (!ossl_ed25519_public_from_private(NULL, k->key.pub, priv, NULL)) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

static int raw_key(const uint8_t key[ED25519_KEY], unsigned char *out, size_t *len)
{
    if (!len) return 0;
    if (out) {
        if (*len < ED25519_KEY) return 0;
        memcpy(out, key, ED25519_KEY);
    }
    *len = ED25519_KEY;
    return 1;
}

int EVP_PKEY_get_raw_public_key(const EVP_PKEY *pkey, unsigned char *pub, size_t *len)
{
    return pkey && raw_key(pkey->key.pub, pub, len);
}

int EVP_PKEY_get_raw_private_key(const EVP_PKEY *pkey, unsigned char *priv, size_t *len)
{
    return pkey && pkey->key.has_private && raw_key(pkey->key.priv, priv, len);
}

void EVP_PKEY_free(EVP_PKEY *pkey)
{
    if (!pkey) return;
    OPENSSL_cleanse(pkey, sizeof *pkey);
    free(pkey);
}

struct evp_pkey_ctx_st {
    int keygen;
};

EVP_PKEY_CTX *EVP_PKEY_CTX_new_id(int id, ENGINE *e)
{
    if (id != EVP_PKEY_ED25519 || e) return NULL;
    return calloc(1, sizeof(EVP_PKEY_CTX));
}

void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx) { free(ctx); }

int EVP_PKEY_keygen_init(EVP_PKEY_CTX *ctx)
{
    if (!ctx) return 0;
    ctx->keygen = 1;
    return 1;
}

/* The secret key is 32 bytes from the platform's random source
 * (crypto.getRandomValues under emscripten). */
int EVP_PKEY_keygen(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey)
{
    uint8_t seed[ED25519_KEY];
    if (!ctx || !ctx->keygen || !ppkey || getentropy(seed, sizeof seed) != 0) return 0;
    *ppkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof seed);
    OPENSSL_cleanse(seed, sizeof seed);
    return *ppkey != NULL;
}

/* ---- Ed25519 signatures: "pure" Ed25519, no separate digest ---- */

static int sig_init(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e,
                    const EVP_PKEY *pkey)
{
    if (!ctx || pctx || type || e || !pkey) return 0;
    memset(ctx, 0, sizeof *ctx);
    ctx->key = pkey->key;
    return 1;
}

int EVP_DigestSignInit(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e,
                       EVP_PKEY *pkey)
{
    if (!pkey || !pkey->key.has_private || !sig_init(ctx, pctx, type, e, pkey)) return 0;
    ctx->signing = 1;
    return 1;
}

int EVP_DigestSign(EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen,
                   const unsigned char *tbs, size_t tbslen)
{
    if (!ctx || !ctx->signing || !siglen) return 0;
    if (!sigret) {
        *siglen = ED25519_SIG;
        return 1;
    }
    if (*siglen < ED25519_SIG) return 0;
    if (!ossl_ed25519_sign(sigret, tbs, tbslen, ctx->key.pub, ctx->key.priv, NULL, NULL)) return 0;
    *siglen = ED25519_SIG;
    return 1;
}

int EVP_DigestVerifyInit(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e,
                         EVP_PKEY *pkey)
{
    if (!sig_init(ctx, pctx, type, e, pkey)) return 0;
    ctx->verifying = 1;
    return 1;
}

int EVP_DigestVerify(EVP_MD_CTX *ctx, const unsigned char *sigret, size_t siglen,
                     const unsigned char *tbs, size_t tbslen)
{
    if (!ctx || !ctx->verifying || !sigret || siglen != ED25519_SIG) return 0;
    return ossl_ed25519_verify(tbs, tbslen, sigret, ctx->key.pub, NULL, NULL);
}

/* ---- errors: none are queued ---- */

unsigned long ERR_peek_error(void) { return 0; }
unsigned long ERR_peek_last_error(void) { return 0; }
void ERR_clear_error(void) {}

void ERR_error_string_n(unsigned long e, char *buf, size_t len)
{
    if (buf && len) buf[0] = '\0';
    (void)e;
}
