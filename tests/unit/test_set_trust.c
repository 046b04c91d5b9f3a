/* test_set_trust.c - keys and signatures (RFC 8032 vectors), k-of-n trust,
 * unknown and duplicate keys, rollback, expiry, attester policy, files and
 * private copies. */
#define _DEFAULT_SOURCE /* ftruncate */
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "set_fixture.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
    CU_ASSERT_EQUAL_FATAL(hm_hex_decode(s, out, n), HM_OK);
}

/* ---- Ed25519 against RFC 8032 section 7.1 ---- */

static void test_rfc8032_vectors(void)
{
    static const struct {
        const char *secret, *pub, *msg, *sig;
    } V[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
         "701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
         "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7"
         "60984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };
    for (size_t i = 0; i < 3; i++) {
        uint8_t sk[32], pk[32], pk2[32], msg[2], sig[64], sig2[64];
        size_t ml = strlen(V[i].msg) / 2;
        unhex(V[i].secret, sk, 32);
        unhex(V[i].pub, pk, 32);
        unhex(V[i].sig, sig, 64);
        if (ml) unhex(V[i].msg, msg, ml);
        CU_ASSERT_EQUAL(hm_key_public(sk, pk2, NULL), HM_OK);
        CU_ASSERT_EQUAL(memcmp(pk, pk2, 32), 0);
        CU_ASSERT_EQUAL(hm__ed25519_sign(sk, msg, ml, sig2, NULL), HM_OK);
        CU_ASSERT_EQUAL(memcmp(sig, sig2, 64), 0);
        int valid = 0;
        CU_ASSERT_EQUAL(hm__ed25519_verify(pk, msg, ml, sig, &valid, NULL), HM_OK);
        CU_ASSERT_EQUAL(valid, 1);
        sig[63] ^= 0x10;
        CU_ASSERT_EQUAL(hm__ed25519_verify(pk, msg, ml, sig, &valid, NULL), HM_OK);
        CU_ASSERT_EQUAL(valid, 0);
    }
}

static void test_key_id_and_generate(void)
{
    uint8_t pk[32], id[32], want[32];
    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, 32);
    unhex("21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9", want, 32);
    CU_ASSERT_EQUAL(hm_key_id(pk, id, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(id, want, 32), 0);
    uint8_t p1[32], s1[32], p2[32], s2[32], back[32];
    CU_ASSERT_EQUAL(hm_key_generate(p1, s1, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_key_generate(p2, s2, NULL), HM_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(s1, s2, 32), 0);
    CU_ASSERT_EQUAL(hm_key_public(s1, back, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(back, p1, 32), 0);
    CU_ASSERT_EQUAL(hm_key_id(NULL, id, NULL), HM_E_INVALID_ARGUMENT);
}

/* ---- k of n ---- */

static uint8_t *signed_by(const int *keys, size_t n, size_t *size)
{
    uint8_t *d = tf_small_set(size);
    return tf_sign(d, size, keys, n);
}

static hm_status open_with(const uint8_t *d, size_t size, hm_trust t, hm_error *e, hm_set **out)
{
    hm_set_open_options o = tf_options();
    o.trust = t;
    hm_set *s = NULL;
    hm_status st = hm_set_open(d, size, &o, &s, e);
    if (out) *out = s;
    else hm_set_free(s);
    return st;
}

static void test_threshold(void)
{
    static const int K0[] = {0}, K01[] = {0, 1}, K210[] = {2, 1, 0}, K05[] = {0, 5},
                     K015[] = {0, 1, 5};
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_set(&n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "0 valid signatures"));
    hm_buffer_free(d);
    d = signed_by(K0, 1, &n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "1 valid signature by trusted keys, the threshold is 2"));
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_OK);
    hm_buffer_free(d);
    d = signed_by(K01, 2, &n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_OK);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 3), &e, NULL), HM_E_SET_THRESHOLD);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 2, 2), &e, NULL), HM_OK);
    /* Trust only key 1: key 0's signature is by an unknown key. */
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(1, 1, 1), &e, NULL), HM_E_SET_UNKNOWN_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 0"));
    hm_buffer_free(d);
    d = signed_by(K210, 3, &n);
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(open_with(d, n, tf_trust(0, 3, 3), &e, &s), HM_OK);
    CU_ASSERT_EQUAL(hm_set_signature_count(s), 3);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 0)->trusted_index, 2);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 2)->trusted_index, 0);
    uint8_t id[32];
    CU_ASSERT_EQUAL(hm_key_id(tf_public(2), id, NULL), HM_OK);
    CU_ASSERT_EQUAL(memcmp(hm_set_signature_get(s, 0)->key_id, id, 32), 0);
    hm_set_free(s);
    hm_buffer_free(d);

    /* Unknown keys: strict by default, ignored on request. */
    d = signed_by(K05, 2, &n);
    hm_trust t = tf_trust(0, 3, 1);
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_UNKNOWN_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 1"));
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL_FATAL(open_with(d, n, t, &e, &s), HM_OK);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->status, HM_SIG_IGNORED);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->trusted_index, -1);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 0)->status, HM_SIG_VALID);
    hm_set_free(s);
    t.threshold = 2; /* an ignored signature never counts */
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_THRESHOLD);
    hm_buffer_free(d);
    d = signed_by(K015, 3, &n);
    t = tf_trust(0, 2, 2);
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_OK);
    hm_buffer_free(d);
}

static void test_duplicate_key(void)
{
    static const int K0[] = {0}, K01[] = {0, 1};
    size_t n;
    hm_error e;
    uint8_t *d = signed_by(K0, 1, &n);
    uint8_t *out;
    size_t out_size;
    CU_ASSERT_EQUAL(hm_set_sign(d, n, tf_secret(0), &out, &out_size, &e), HM_E_SET_DUPLICATE_KEY);
    CU_ASSERT_PTR_NULL(out);
    hm_buffer_free(d);
    /* Craft one: copy record 0 over record 1 (both valid signatures by key 0). */
    d = signed_by(K01, 2, &n);
    size_t cs = tf_content_size(d);
    memcpy(d + cs + 48 + 96, d + cs + 48, 96);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 2), &e, NULL), HM_E_SET_DUPLICATE_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signatures 0 and 1"));
    /* Also with k = 1 and with unknown keys allowed: duplicates are never fine. */
    hm_trust t = tf_trust(0, 1, 1);
    t.allow_unknown_keys = 1;
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_DUPLICATE_KEY);
    hm_buffer_free(d);
}

static void test_bad_signature(void)
{
    static const int K01[] = {0, 1};
    size_t n, n2;
    hm_error e;
    uint8_t *d = signed_by(K01, 2, &n);
    /* Key 1's signature over another set's digest: key id right, signature wrong. */
    uint8_t *other = tf_small_set(&n2);
    hm__store_le64(other + 24, 8); /* another version: another digest */
    size_t cs2 = tf_content_size(other);
    uint8_t *sealed, key1[1][32];
    size_t sealed_n;
    memcpy(key1[0], tf_secret(1), 32);
    CU_ASSERT_EQUAL_FATAL(hm__set_seal(other, cs2, (const uint8_t(*)[32])key1, 1, &sealed,
                                       &sealed_n, NULL), HM_OK);
    size_t cs = tf_content_size(d);
    memcpy(d + cs + 48 + 96, sealed + cs2 + 48, 96);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 1), &e, NULL), HM_E_SET_BAD_SIGNATURE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "signature 1 by trusted key 1"));
    /* Even when the threshold is met by the other signature. */
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 2, 1), &e, NULL), HM_E_SET_BAD_SIGNATURE);
    hm_buffer_free(sealed);
    hm_buffer_free(other);
    hm_buffer_free(d);
}

static void test_trust_policy_errors(void)
{
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_signed(&n);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 0), &e, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 3, 4), &e, NULL), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 0, 1), &e, NULL), HM_E_INVALID_ARGUMENT);
    /* The same key twice must not count twice. */
    uint8_t keys[2][32];
    memcpy(keys[0], tf_public(0), 32);
    memcpy(keys[1], tf_public(0), 32);
    hm_trust t = {(const uint8_t(*)[32])keys, 2, 2, 0};
    CU_ASSERT_EQUAL(open_with(d, n, t, &e, NULL), HM_E_SET_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "trusted keys 0 and 1 are the same key"));
    static uint8_t many[65][32];
    for (int i = 0; i < 65; i++) many[i][0] = (uint8_t)i, many[i][1] = 1;
    hm_trust tm = {(const uint8_t(*)[32])many, 65, 1, 0};
    CU_ASSERT_EQUAL(open_with(d, n, tm, &e, NULL), HM_E_LIMIT);
    hm_set *s = (hm_set *)&e;
    CU_ASSERT_EQUAL(hm_set_open(d, n, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(s);
    hm_buffer_free(d);
}

/* ---- small-order and non-canonical keys ----
 *
 * The points of small order are derived here from the curve itself with
 * OpenSSL's BIGNUM, independently of the constants in lib/set/keycheck.c:
 * -x^2 + y^2 = 1 + d x^2 y^2 over GF(p), p = 2^255 - 19, d = -121665/121666.
 *   x = 0:  y = 1 (the identity) and y = -1 (order 2);
 *   y = 0:  x^2 = -1 (order 4, two points);
 *   order 8: doubling (x, y) gives y' = (x^2 + y^2) / (2 + x^2 - y^2), and
 *            y' = 0 (order 4) when x^2 = -y^2, so d y^4 + 2 y^2 - 1 = 0:
 *            y^2 = (-1 +- sqrt(1 + d)) / d, four points.
 * Each point's order is then measured by doubling until the identity. */

typedef struct curve {
    BN_CTX *ctx;
    BIGNUM *p, *d;
} curve;

static void curve_init(curve *c)
{
    c->ctx = BN_CTX_new();
    c->p = BN_new();
    c->d = BN_new();
    BIGNUM *a = BN_new(), *b = BN_new(), *want = NULL;
    CU_ASSERT_FATAL(c->ctx && c->p && c->d && a && b);
    BN_set_bit(c->p, 255);
    BN_sub_word(c->p, 19);
    BN_set_word(a, 121665);
    BN_set_word(b, 121666);
    BN_mod_inverse(b, b, c->p, c->ctx);
    BN_mod_mul(a, a, b, c->p, c->ctx);
    BN_sub(c->d, c->p, a); /* -121665/121666 */
    /* RFC 8032 section 5.1 states d in decimal. */
    BN_dec2bn(&want, "37095705934669439343138083508754565189542113879843219016388785533085940283555");
    CU_ASSERT_EQUAL(BN_cmp(c->d, want), 0);
    BN_free(want);
    BN_free(a);
    BN_free(b);
}

static void curve_free(curve *c)
{
    BN_free(c->p);
    BN_free(c->d);
    BN_CTX_free(c->ctx);
}

/* A square root of q mod p checked by squaring it (BN_mod_sqrt does not
 * always detect non-residues); NULL when there is none. */
static BIGNUM *mod_sqrt(const curve *c, const BIGNUM *q)
{
    BIGNUM *r = BN_new(), *check = BN_new();
    int ok = BN_mod_sqrt(r, q, c->p, c->ctx) != NULL;
    if (ok) {
        BN_mod_sqr(check, r, c->p, c->ctx);
        ok = BN_cmp(check, q) == 0;
    }
    BN_free(check);
    if (!ok) BN_free(r);
    return ok ? r : NULL;
}

/* x^2 = (y^2 - 1) / (d y^2 + 1): a fresh x, NULL when y is not on the curve. */
static BIGNUM *curve_x(const curve *c, const BIGNUM *y)
{
    BIGNUM *y2 = BN_new(), *u = BN_new(), *v = BN_new();
    BN_mod_sqr(y2, y, c->p, c->ctx);
    BN_mod_sub(u, y2, BN_value_one(), c->p, c->ctx);
    BN_mod_mul(v, c->d, y2, c->p, c->ctx);
    BN_mod_add(v, v, BN_value_one(), c->p, c->ctx);
    BN_mod_inverse(v, v, c->p, c->ctx);
    BN_mod_mul(u, u, v, c->p, c->ctx);
    BIGNUM *x = mod_sqrt(c, u);
    BN_free(y2);
    BN_free(u);
    BN_free(v);
    return x;
}

/* (x, y) <- (x, y) + (x, y) on the twisted Edwards curve (a = -1). */
static void curve_double(const curve *c, BIGNUM *x, BIGNUM *y)
{
    BIGNUM *xy = BN_new(), *t = BN_new(), *num = BN_new(), *den = BN_new(), *nx = BN_new();
    BN_mod_mul(xy, x, y, c->p, c->ctx);
    BN_mod_sqr(t, xy, c->p, c->ctx);
    BN_mod_mul(t, t, c->d, c->p, c->ctx); /* d x^2 y^2 */
    BN_mod_add(num, xy, xy, c->p, c->ctx);
    BN_mod_add(den, BN_value_one(), t, c->p, c->ctx);
    BN_mod_inverse(den, den, c->p, c->ctx);
    BN_mod_mul(nx, num, den, c->p, c->ctx);
    BN_mod_sqr(num, y, c->p, c->ctx);
    BN_mod_sqr(den, x, c->p, c->ctx);
    BN_mod_add(num, num, den, c->p, c->ctx); /* y^2 + x^2 */
    BN_mod_sub(den, BN_value_one(), t, c->p, c->ctx);
    BN_mod_inverse(den, den, c->p, c->ctx);
    BN_mod_mul(y, num, den, c->p, c->ctx);
    BN_copy(x, nx);
    BN_free(xy);
    BN_free(t);
    BN_free(num);
    BN_free(den);
    BN_free(nx);
}

/* 1, 2, 4 or 8 when [order]P is the identity; 0 when it is not within 8. */
static unsigned curve_order(const curve *c, const BIGNUM *x0, const BIGNUM *y0)
{
    BIGNUM *x = BN_dup(x0), *y = BN_dup(y0);
    unsigned order = 1;
    while (order <= 8 && !(BN_is_zero(x) && BN_is_one(y))) {
        curve_double(c, x, y);
        order *= 2;
    }
    BN_free(x);
    BN_free(y);
    return order <= 8 ? order : 0;
}

typedef struct weak_key {
    uint8_t enc[32];
    unsigned order;
    int canonical;
} weak_key;

static void encode(const BIGNUM *y, int sign, uint8_t out[32])
{
    CU_ASSERT_EQUAL(BN_bn2lebinpad(y, out, 32), 32);
    if (sign) out[31] |= 0x80;
}

/* Appends the encodings of the points with this y: both signs of x (for
 * x = 0 the set sign bit is a second, non-canonical encoding), and y + p
 * with both sign bits when it fits in 255 bits. */
static void add_points(const curve *c, const BIGNUM *y, weak_key *out, size_t *n)
{
    BIGNUM *x = curve_x(c, y), *yp = BN_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    unsigned order = curve_order(c, x, y);
    CU_ASSERT(order >= 1 && order <= 8);
    BN_add(yp, y, c->p);
    for (int k = 0; k < 4; k++) {
        if (k >= 2 && BN_num_bits(yp) > 255) break;
        weak_key *w = &out[(*n)++];
        encode(k < 2 ? y : yp, k & 1, w->enc);
        w->order = order;
        w->canonical = k < 2 && !(BN_is_zero(x) && (k & 1));
    }
    BN_free(x);
    BN_free(yp);
}

/* Every encoding of every small-order point: 8 canonical, 6 not. */
static size_t small_order_encodings(weak_key *out)
{
    curve c;
    curve_init(&c);
    size_t n = 0;
    BIGNUM *y = BN_new(), *q = BN_new(), *dinv = BN_new(), *s;
    BN_one(y);
    add_points(&c, y, out, &n); /* the identity */
    BN_sub(y, c.p, BN_value_one());
    add_points(&c, y, out, &n); /* order 2 */
    BN_zero(y);
    add_points(&c, y, out, &n); /* order 4 */
    BN_mod_add(q, c.d, BN_value_one(), c.p, c.ctx);
    s = mod_sqrt(&c, q);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    BN_mod_inverse(dinv, c.d, c.p, c.ctx);
    int found = 0;
    for (int neg = 0; neg < 2; neg++) { /* y^2 = (-1 + s) / d, then (-1 - s) / d */
        if (neg) BN_sub(s, c.p, s);
        BN_mod_sub(q, s, BN_value_one(), c.p, c.ctx);
        BN_mod_mul(q, q, dinv, c.p, c.ctx);
        BIGNUM *r = mod_sqrt(&c, q);
        if (!r) continue;
        found++;
        add_points(&c, r, out, &n);
        BN_sub(r, c.p, r);
        add_points(&c, r, out, &n);
        BN_free(r);
    }
    CU_ASSERT_EQUAL(found, 1);
    BN_free(s);
    BN_free(y);
    BN_free(q);
    BN_free(dinv);
    curve_free(&c);
    return n;
}

static void test_small_order_keys(void)
{
    weak_key w[16];
    size_t n = small_order_encodings(w);
    CU_ASSERT_EQUAL_FATAL(n, 14);
    unsigned canonical = 0, by_order[9] = {0};
    for (size_t i = 0; i < n; i++) {
        canonical += (unsigned)w[i].canonical;
        by_order[w[i].order] += (unsigned)w[i].canonical;
        char want[64], hex[65];
        hm_error e;
        snprintf(want, sizeof want, "order %u", w[i].order);
        hm_hex_encode(w[i].enc, 32, hex);
        CU_ASSERT_EQUAL(hm_key_check(w[i].enc, &e), HM_E_SET_WEAK_KEY);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, want));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, hex));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "anyone can forge"));
        CU_ASSERT_EQUAL(!!strstr(e.message, "non-canonically"), !w[i].canonical);
        if (!strstr(e.message, want)) fprintf(stderr, "\n  %s: %s", hex, e.message);
        uint8_t id[32];
        CU_ASSERT_EQUAL(hm_key_id(w[i].enc, id, &e), HM_E_SET_WEAK_KEY);
    }
    /* The torsion subgroup: 1 + 1 + 2 + 4 points of orders 1, 2, 4, 8. */
    CU_ASSERT_EQUAL(canonical, 8);
    CU_ASSERT(by_order[1] == 1 && by_order[2] == 1 && by_order[4] == 2 && by_order[8] == 4);
    /* Real keys pass; y = p + 2 (non-canonical, not small) and 2^255 - 1 do not. */
    hm_error e;
    for (int i = 0; i < TF_KEYS; i++) CU_ASSERT_EQUAL(hm_key_check(tf_public(i), NULL), HM_OK);
    uint8_t k[32];
    memset(k, 0xff, 32);
    k[0] = 0xef;
    k[31] = 0x7f;
    CU_ASSERT_EQUAL(hm_key_check(k, &e), HM_E_SET_WEAK_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "not a canonical encoding (y >= p)"));
    CU_ASSERT_PTR_NULL(strstr(e.message, "forge"));
    k[0] = 0xff;
    k[31] = 0xff;
    CU_ASSERT_EQUAL(hm_key_check(k, &e), HM_E_SET_WEAK_KEY);
    k[0] = 0xec; /* p - 1 with the sign bit of x = 0: order 2, non-canonical */
    CU_ASSERT_EQUAL(hm_key_check(k, &e), HM_E_SET_WEAK_KEY);
    k[31] = 0x7f;
    k[0] = 0xeb; /* p - 2: large y, fine for the encoding check */
    CU_ASSERT_EQUAL(hm_key_check(k, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_key_check(NULL, &e), HM_E_INVALID_ARGUMENT);
}

/* Each weak encoding in a trust policy rejects the set before any
 * signature is looked at, naming the key. */
static void test_weak_trusted_keys(void)
{
    weak_key w[16];
    size_t n = small_order_encodings(w), size;
    uint8_t *d = tf_small_signed(&size);
    for (size_t i = 0; i < n; i++) {
        uint8_t keys[2][32];
        memcpy(keys[0], tf_public(0), 32);
        memcpy(keys[1], w[i].enc, 32);
        hm_trust t = {(const uint8_t(*)[32])keys, 2, 1, 1};
        hm_error e;
        hm_set *s = (hm_set *)&e;
        CU_ASSERT_EQUAL(open_with(d, size, t, &e, &s), HM_E_SET_WEAK_KEY);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "trusted key 1: public key"));
    }
    hm_buffer_free(d);
}

/* The forged set: trust key 01 00..00 (the identity), threshold 1, and one
 * signature record with R = the identity and S = 0, valid for any content
 * as far as OpenSSL is concerned. */
static uint8_t *forged_identity_set(size_t *size, uint8_t key[32])
{
    memset(key, 0, 32);
    key[0] = 1;
    uint8_t *d = tf_small_set(size);
    size_t cs = tf_content_size(d);
    uint8_t *f = malloc(*size + 96);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memcpy(f, d, *size);
    hm_buffer_free(d);
    uint8_t *rec = f + *size;
    unsigned mdn;
    EVP_Digest(key, 32, rec, &mdn, EVP_sha256(), NULL); /* key id, computed by hand */
    memset(rec + 32, 0, 64);
    rec[32] = 1; /* R = the identity; S = 0 */
    hm__store_le32(f + cs + 40, 1);
    *size += 96;
    return f;
}

/* "" for NULL, so that a missing reason fails an assertion instead of crashing. */
static const char *nz(const char *s) { return s ? s : ""; }

static int openssl_verifies(const uint8_t key[32], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = k && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(c, sig, 64, msg, n) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

static void test_forged_identity_set(void)
{
    size_t n;
    uint8_t key[32];
    uint8_t *f = forged_identity_set(&n, key);
    size_t cs = tf_content_size(f);
    uint8_t msg[HM__SIG_MESSAGE_SIZE];
    hm__set_sig_message(f + cs + 8, msg);
    /* The attack is real: OpenSSL accepts this signature... */
    CU_ASSERT_EQUAL(openssl_verifies(key, msg, sizeof msg, f + cs + 48 + 32), 1);
    /* ...and hashmatch refuses the key, whatever else the policy says. */
    hm_trust t = {(const uint8_t(*)[32])key, 1, 1, 0};
    hm_error e;
    hm_set *s = (hm_set *)&e;
    CU_ASSERT_EQUAL(open_with(f, n, t, &e, &s), HM_E_SET_WEAK_KEY);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "trusted key 0: public key 0100000000000000000000000000000000000000000000000000000000000000 is the identity point (order 1)"));
    CU_ASSERT_EQUAL(hm_set_open(f, n, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    /* The signature itself is refused too (R of small order), with any key. */
    int valid = 1;
    CU_ASSERT_EQUAL(hm__ed25519_verify(key, msg, sizeof msg, f + cs + 48 + 32, &valid, NULL), HM_OK);
    CU_ASSERT_EQUAL(valid, 0);
    CU_ASSERT_STRING_EQUAL(nz(hm__ed25519_signature_weakness(f + cs + 48 + 32)), "R is a point of small order");
    free(f);
}

/* S >= L (OpenSSL refuses it as well: checked here) and small-order R. */
static void test_signature_checks(void)
{
    static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0x10};
    static const int K0[] = {0};
    size_t n;
    uint8_t *d = tf_sign(tf_small_set(&n), &n, K0, 1);
    size_t cs = tf_content_size(d);
    uint8_t *sig = d + cs + 48 + 32, msg[HM__SIG_MESSAGE_SIZE], orig[64];
    hm__set_sig_message(d + cs + 8, msg);
    memcpy(orig, sig, 64);
    CU_ASSERT_PTR_NULL(hm__ed25519_signature_weakness(sig));
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) { /* S + L: the same point, S not reduced */
        unsigned v = sig[32 + i] + L[i] + carry;
        sig[32 + i] = (uint8_t)v;
        carry = v >> 8;
    }
    CU_ASSERT_EQUAL(carry, 0);
    CU_ASSERT_EQUAL(openssl_verifies(tf_public(0), msg, sizeof msg, sig), 0);
    CU_ASSERT_STRING_EQUAL(nz(hm__ed25519_signature_weakness(sig)), "S is not reduced modulo the group order (S >= L)");
    hm_error e;
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 1, 1), &e, NULL), HM_E_SET_BAD_SIGNATURE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "(S is not reduced modulo the group order (S >= L))"));
    /* The boundary: S = L is refused, S = L - 1 is not (by this check). */
    memcpy(sig + 32, L, 32);
    CU_ASSERT_PTR_NOT_NULL(hm__ed25519_signature_weakness(sig));
    sig[32] = 0xec;
    CU_ASSERT_PTR_NULL(hm__ed25519_signature_weakness(sig));
    /* R = a point of order 8 (or R with y >= p), S = 0: refused before OpenSSL. */
    weak_key w[16];
    size_t nw = small_order_encodings(w);
    for (size_t i = 0; i < nw; i++) {
        memcpy(sig, w[i].enc, 32);
        memset(sig + 32, 0, 32);
        CU_ASSERT_STRING_EQUAL(nz(hm__ed25519_signature_weakness(sig)), "R is a point of small order");
        int valid = 1;
        CU_ASSERT_EQUAL(hm__ed25519_verify(tf_public(0), msg, sizeof msg, sig, &valid, NULL), HM_OK);
        CU_ASSERT_EQUAL(valid, 0);
    }
    memcpy(sig, orig, 64);
    memset(sig, 0xff, 31);
    sig[31] = 0x7f; /* y = 2^255 - 1 */
    CU_ASSERT_STRING_EQUAL(nz(hm__ed25519_signature_weakness(sig)), "R is not canonically encoded");
    memcpy(sig, orig, 64);
    CU_ASSERT_EQUAL(open_with(d, n, tf_trust(0, 1, 1), &e, NULL), HM_OK);
    hm_buffer_free(d);
}

/* ---- version and time policy ---- */

static hm_status open_at(const uint8_t *d, size_t n, uint64_t min_version, uint64_t now,
                         uint64_t skew, hm_error *e)
{
    hm_set_open_options o = tf_options();
    o.min_version = min_version;
    o.now = now;
    o.max_clock_skew = skew;
    hm_set *s = NULL;
    hm_status st = hm_set_open(d, n, &o, &s, e);
    hm_set_free(s);
    return st;
}

static void test_rollback_and_times(void)
{
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_signed(&n);
    CU_ASSERT_EQUAL(open_at(d, n, TF_VERSION, TF_NOW, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, TF_VERSION + 1, TF_NOW, 0, &e), HM_E_SET_ROLLBACK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "set version 7 is below the minimum accepted version 8"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_EXPIRES - 1, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_EXPIRES, 0, &e), HM_E_SET_EXPIRED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "expired 2027-01-15T08:00:00Z"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED, 0, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 1, 0, &e), HM_E_SET_NOT_YET_VALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "created 2023-11-14T22:13:20Z"));
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 60, 60, &e), HM_OK);
    CU_ASSERT_EQUAL(open_at(d, n, 0, TF_CREATED - 61, 60, &e), HM_E_SET_NOT_YET_VALID);
    /* now = 0 reads the system clock (after 2023 on any machine running
     * this test): the set is valid until TF_EXPIRES (2027-01-15), expired
     * after it. */
    uint64_t clock_now = (uint64_t)time(NULL);
    CU_ASSERT_EQUAL(open_at(d, n, 0, 0, 0, &e), clock_now < TF_EXPIRES ? HM_OK : HM_E_SET_EXPIRED);
    /* Authentication comes first: an expired, rolled-back set with a broken
     * signature reports the signature. */
    size_t cs = tf_content_size(d);
    d[cs + 48 + 40] ^= 1;
    CU_ASSERT_EQUAL(open_at(d, n, 100, TF_EXPIRES + 5, 0, &e), HM_E_SET_BAD_SIGNATURE);
    d[cs + 48 + 40] ^= 1;
    /* Rollback is checked before expiry, both before the structure. */
    CU_ASSERT_EQUAL(open_at(d, n, 100, TF_EXPIRES + 5, 0, &e), HM_E_SET_ROLLBACK);
    hm_buffer_free(d);
}

/* A set signed with an expiry far away (here 2^64 - 1: never) outlived any
 * freeze bound: nothing limited expires - created. max_validity is the
 * app's ceiling on it, checked after the signatures. */
static void test_max_validity(void)
{
    size_t n;
    hm_error e;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    hm_set *s = NULL;
    o.max_validity = TF_EXPIRES - TF_CREATED;
    CU_ASSERT_EQUAL(hm_set_open(d, n, &o, &s, &e), HM_OK);
    hm_set_free(s);
    o.max_validity = TF_EXPIRES - TF_CREATED - 1;
    CU_ASSERT_EQUAL(hm_set_open(d, n, &o, &s, &e), HM_E_SET_POLICY);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "valid for 100000000 seconds (1157.4 days, until "
                                             "2027-01-15T08:00:00Z), longer than this client's "
                                             "maximum validity of 99999999 seconds"));
    /* The never-expiring set: accepted without a ceiling, refused with one. */
    size_t cs = tf_content_size(d), m;
    uint8_t *c = malloc(cs);
    memcpy(c, d, cs);
    hm__store_le64(c + HM__H_EXPIRES, UINT64_MAX);
    uint8_t *forever = tf_reseal(c, cs, &m);
    o.max_validity = 0;
    CU_ASSERT_EQUAL(hm_set_open(forever, m, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_expires(s), UINT64_MAX);
    hm_set_free(s);
    o.max_validity = 365 * 86400ull;
    CU_ASSERT_EQUAL(hm_set_open(forever, m, &o, &s, &e), HM_E_SET_POLICY);
    /* Authentication comes first: a damaged signature is reported as such. */
    forever[cs + 48 + 40] ^= 1;
    CU_ASSERT_EQUAL(hm_set_open(forever, m, &o, &s, &e), HM_E_SET_BAD_SIGNATURE);
    free(c);
    hm_buffer_free(forever);
    hm_buffer_free(d);
}

static void test_min_attesters(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    static const size_t ACTIVE_PDQ[] = {5, 5, 2, 1, 0};
    for (unsigned m = 0; m <= 4; m++) {
        o.min_attesters = m;
        hm_set *s;
        CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &s, NULL), HM_OK);
        const hm__set_view *v = hm__set_view_get(s, HM_ALGO_PDQ);
        CU_ASSERT_EQUAL(v->info.active_count, ACTIVE_PDQ[m]);
        size_t active = 0;
        for (size_t i = 0; i < v->info.entry_count; i++) active += hm__set_entry_active(v, i);
        CU_ASSERT_EQUAL(active, ACTIVE_PDQ[m]);
        CU_ASSERT_EQUAL(hm_set_min_attesters(s), m);
        /* md5 entries have 1 and 4 attesters. */
        CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_MD5)->active_count, m <= 1 ? 2u : 1u);
        hm_set_free(s);
    }
    hm_buffer_free(d);
}

/* ---- the client's limits on the publisher's policy ---- */

/* The small set with `pdq` and `phash` policies, signed by keys 0 and 1. */
static uint8_t *policy_set(const hm_set_policy *pdq, const hm_set_policy *phash, size_t *size)
{
    hm_set_builder *b;
    unsigned c;
    CU_ASSERT_FATAL(hm_set_builder_new(&b) == HM_OK);
    CU_ASSERT_FATAL(hm_set_builder_set_name(b, "policy", NULL) == HM_OK &&
                    hm_set_builder_add_category(b, "x", &c, NULL) == HM_OK &&
                    hm_set_builder_set_policy(b, HM_ALGO_PDQ, pdq, NULL) == HM_OK &&
                    hm_set_builder_set_policy(b, HM_ALGO_PHASH, phash, NULL) == HM_OK);
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    uint8_t h[32];
    memset(h, 0x5a, 32);
    CU_ASSERT_FATAL(hm_set_builder_add(b, HM_ALGO_PDQ, h, 0, 1, NULL, NULL) == HM_OK &&
                    hm_set_builder_add(b, HM_ALGO_PHASH, h, 0, 1, NULL, NULL) == HM_OK &&
                    hm_set_builder_add(b, HM_ALGO_MD5, h, 0, 1, NULL, NULL) == HM_OK);
    uint8_t *d;
    CU_ASSERT_FATAL(hm_set_builder_build(b, &d, size, NULL) == HM_OK);
    hm_set_builder_free(b);
    static const int K01[] = {0, 1};
    return tf_sign(d, size, K01, 2);
}

static hm_status open_limited(const hm_set_policy *pdq, const hm_set_policy *phash,
                              const hm_policy_limits *limits, hm_error *e)
{
    size_t n;
    uint8_t *d = policy_set(pdq, phash, &n);
    hm_set_open_options o = tf_options();
    if (limits) o.limits = *limits;
    hm_set *s = (hm_set *)e;
    hm_status st = hm_set_open(d, n, &o, &s, e);
    CU_ASSERT((st == HM_OK) == (s != NULL));
    hm_set_free(s);
    hm_buffer_free(d);
    return st;
}

static void test_policy_defaults(void)
{
    hm_policy_limits l;
    hm_policy_limits_default(&l);
    CU_ASSERT_EQUAL(l.max_radius[HM_ALGO_PDQ], 31);
    for (int a = HM_ALGO_AHASH; a <= HM_ALGO_WHASH; a++) CU_ASSERT_EQUAL(l.max_radius[a], 10);
    CU_ASSERT_EQUAL(l.max_radius[HM_ALGO_MD5], 0);
    CU_ASSERT_EQUAL(l.min_quality_floor[HM_ALGO_PDQ], 50);
    CU_ASSERT_EQUAL(l.min_quality_floor[HM_ALGO_PHASH], 0);
    CU_ASSERT_EQUAL(l.max_radius[HM_ALGO_VPDQ], 31); /* PDQ hashes of frames */
    CU_ASSERT_EQUAL(l.min_quality_floor[HM_ALGO_VPDQ], 50);
    CU_ASSERT_EQUAL(l.max_radius[HM_ALGO_VPDQ + 1], 0); /* a slot for a later algorithm */
    hm_set_policy pdq, ph;
    hm_set_policy_default(HM_ALGO_PDQ, &pdq);
    hm_set_policy_default(HM_ALGO_PHASH, &ph);
    hm_error e;
    /* The builder's defaults are within the client's defaults. */
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_OK);
    /* One past each default ceiling or floor is refused, with both numbers. */
    pdq.radius = 32;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq radius 32 is above this client's maximum radius 31");
    pdq.radius = 31;
    pdq.allow_radius = 32;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq allowlist radius 32 is above this client's maximum radius 31");
    pdq.allow_radius = 31;
    pdq.min_quality = 49;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq minimum quality 49 is below this client's floor 50");
    pdq.min_quality = 50;
    ph.radius = 11;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "phash radius 11 is above this client's maximum radius 10");
    /* A set that matches everything: radius 256, quality 0, and 64 for a 64-bit hash. */
    pdq.radius = pdq.allow_radius = 256;
    pdq.min_quality = 0;
    ph.radius = ph.allow_radius = 64;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "pdq radius 256"));
}

static void test_policy_overrides(void)
{
    hm_set_policy pdq, ph;
    hm_set_policy_default(HM_ALGO_PDQ, &pdq);
    hm_set_policy_default(HM_ALGO_PHASH, &ph);
    hm_policy_limits l;
    memset(&l, 0, sizeof l);
    hm_error e;
    /* Thorn's 66 for PDQ, explicitly allowed; the other slots keep their defaults. */
    pdq.radius = pdq.allow_radius = 66;
    l.max_radius[HM_ALGO_PDQ] = 66;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_OK);
    pdq.radius = 67;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq radius 67 is above this client's maximum radius 66");
    pdq.radius = 66;
    ph.radius = 11;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_E_SET_POLICY);
    ph.radius = 10;
    /* The quality floor: raised, then removed. */
    l.min_quality_floor[HM_ALGO_PDQ] = 80;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_E_SET_POLICY);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq minimum quality 50 is below this client's floor 80");
    l.min_quality_floor[HM_ALGO_PDQ] = HM_POLICY_UNLIMITED;
    pdq.min_quality = 0;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_OK);
    /* A floor on an algorithm without a quality has no effect. */
    l.min_quality_floor[HM_ALGO_PHASH] = 90;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_OK);
    /* No ceiling at all. */
    pdq.radius = pdq.allow_radius = 256;
    ph.radius = ph.allow_radius = 64;
    l.max_radius[HM_ALGO_PDQ] = l.max_radius[HM_ALGO_PHASH] = HM_POLICY_UNLIMITED;
    CU_ASSERT_EQUAL(open_limited(&pdq, &ph, &l, &e), HM_OK);
}

/* The scanner holds its own limits (zero: the library defaults), so a set
 * opened with loose limits still needs them again to be scanned. */
static void test_policy_scanner(void)
{
    hm_set_policy pdq, ph;
    hm_set_policy_default(HM_ALGO_PDQ, &pdq);
    hm_set_policy_default(HM_ALGO_PHASH, &ph);
    pdq.radius = pdq.allow_radius = 256;
    size_t n;
    uint8_t *d = policy_set(&pdq, &ph, &n);
    hm_set_open_options o = tf_options();
    o.limits.max_radius[HM_ALGO_PDQ] = HM_POLICY_UNLIMITED;
    hm_set *s;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &s, &e), HM_OK);
    hm_scanner_options so;
    memset(&so, 0, sizeof so);
    hm_scanner *sc = (hm_scanner *)&e;
    CU_ASSERT_EQUAL(hm_scanner_new(s, NULL, &sc, &e), HM_E_SET_POLICY);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT_STRING_EQUAL(e.message, "pdq radius 256 is above this client's maximum radius 31");
    CU_ASSERT_EQUAL(hm_scanner_new(s, &so, &sc, &e), HM_E_SET_POLICY);
    so.algos = HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_MD5); /* PDQ not matched: fine */
    CU_ASSERT_EQUAL(hm_scanner_new(s, &so, &sc, &e), HM_OK);
    hm_scanner_free(sc);
    so.algos = 0;
    so.limits.max_radius[HM_ALGO_PDQ] = 256;
    CU_ASSERT_EQUAL(hm_scanner_new(s, &so, &sc, &e), HM_OK);
    /* With radius 256 every image matches: the point of the default ceiling. */
    hm_hashes h;
    memset(&h, 0, sizeof h);
    h.algos = HM_MASK(HM_ALGO_PDQ);
    h.pdq_quality = 100;
    memset(h.pdq, 0xa5, 32);
    hm_report *r;
    CU_ASSERT_EQUAL(hm_scanner_scan_hashes(sc, &h, &r, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_report_match_count(r), 1);
    hm_report_free(r);
    hm_scanner_free(sc);
    /* hm_set_check_policy for tools. */
    CU_ASSERT_EQUAL(hm_set_check_policy(s, NULL, &e), HM_E_SET_POLICY);
    CU_ASSERT_EQUAL(hm_set_check_policy(s, &so.limits, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_check_policy(NULL, NULL, &e), HM_E_INVALID_ARGUMENT);
    hm_set_free(s);
    hm_buffer_free(d);
}

/* ---- NULL handles ---- */

static void test_null_accessors(void)
{
    const hm_set *s = NULL;
    CU_ASSERT_EQUAL(hm_set_is_verified(s), 0);
    CU_ASSERT_PTR_NULL(hm_set_name(s));
    CU_ASSERT_PTR_NULL(hm_set_issuer(s));
    CU_ASSERT_EQUAL(hm_set_version(s), 0);
    CU_ASSERT_EQUAL(hm_set_created(s), 0);
    CU_ASSERT_EQUAL(hm_set_expires(s), 0);
    CU_ASSERT_PTR_NULL(hm_set_previous_digest(s));
    CU_ASSERT_PTR_NULL(hm_set_digest(s));
    CU_ASSERT_EQUAL(hm_set_file_size(s), 0);
    CU_ASSERT_EQUAL(hm_set_content_size(s), 0);
    CU_ASSERT_EQUAL(hm_set_category_count(s), 0);
    CU_ASSERT_PTR_NULL(hm_set_category_name(s, 0));
    CU_ASSERT_EQUAL(hm_set_min_attesters(s), 0);
    CU_ASSERT_EQUAL(hm_set_algos(s), 0);
    for (int a = 0; a <= HM_ALGO_COUNT + 1; a++) {
        CU_ASSERT_PTR_NULL(hm_set_section_get(s, (hm_algo)a));
        CU_ASSERT_PTR_NULL(hm_set_allow_get(s, (hm_algo)a, 0));
    }
    hm_set_entry en;
    memset(&en, 0xee, sizeof en);
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 0, &en), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(en.hash);
    CU_ASSERT_EQUAL(hm_set_signature_count(s), 0);
    CU_ASSERT_PTR_NULL(hm_set_signature_get(s, 0));
    hm_set_free(NULL);
    /* And an open set answers out-of-range questions with NULL. */
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    hm_set *set;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &set, NULL), HM_OK);
    CU_ASSERT_PTR_NULL(hm_set_category_name(set, 3));
    CU_ASSERT_PTR_NULL(hm_set_signature_get(set, 2));
    CU_ASSERT_PTR_NULL(hm_set_section_get(set, HM_ALGO_AHASH));
    CU_ASSERT_PTR_NULL(hm_set_section_get(set, (hm_algo)(HM_ALGO_COUNT + 1)));
    CU_ASSERT_PTR_NULL(hm_set_allow_get(set, HM_ALGO_PDQ, 2));
    CU_ASSERT_EQUAL(hm_set_entry_get(set, HM_ALGO_PDQ, 0, NULL), HM_E_INVALID_ARGUMENT);
    hm_set_free(set);
    hm_buffer_free(d);
}

/* ---- signing keeps the digest; private copies; files ---- */

static void test_sign_keeps_digest(void)
{
    size_t n;
    uint8_t *d = tf_small_set(&n);
    size_t cs = tf_content_size(d);
    uint8_t digest[32];
    memcpy(digest, d + cs + 8, 32);
    static const int K[] = {3, 4, 5};
    uint8_t *copy = malloc(cs);
    memcpy(copy, d, cs);
    size_t n2 = n;
    d = tf_sign(d, &n2, K, 3);
    CU_ASSERT_EQUAL(n2, n + 3 * 96);
    CU_ASSERT_EQUAL(memcmp(d, copy, cs), 0);
    CU_ASSERT_EQUAL(memcmp(d + cs + 8, digest, 32), 0);
    hm_set *s;
    hm_trust t = tf_trust(3, 3, 3);
    CU_ASSERT_EQUAL_FATAL(open_with(d, n2, t, NULL, &s), HM_OK);
    CU_ASSERT_EQUAL(memcmp(hm_set_digest(s), digest, 32), 0);
    hm_set_free(s);
    /* Signing refuses a damaged set, and a malformed one even when sealed. */
    uint8_t *out;
    size_t on;
    hm_error e;
    d[300] ^= 1;
    CU_ASSERT_EQUAL(hm_set_sign(d, n2, tf_secret(6), &out, &on, &e), HM_E_SET_DIGEST);
    d[300] ^= 1;
    hm__store_le16(copy + 256, 99);
    uint8_t *bad;
    size_t bn;
    CU_ASSERT_EQUAL_FATAL(hm__set_seal(copy, cs, NULL, 0, &bad, &bn, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm_set_sign(bad, bn, tf_secret(6), &out, &on, &e), HM_E_SET_UNKNOWN_ALGORITHM);
    hm_buffer_free(bad);
    free(copy);
    hm_buffer_free(d);
}

static void test_private_copy(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    hm_set_open_options o = tf_options();
    hm_set *s;
    CU_ASSERT_EQUAL_FATAL(hm_set_open(d, n, &o, &s, NULL), HM_OK);
    hm_set_entry en;
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 0, &en), HM_OK);
    /* The caller's buffer changes after verification; the set does not. */
    memset(d, 0xee, n);
    CU_ASSERT_EQUAL(en.hash[31], 0x01);
    CU_ASSERT(en.hash < d || en.hash >= d + n);
    CU_ASSERT_STRING_EQUAL(hm_set_name(s), "test set");
    hm_set_free(s);
    hm_buffer_free(d);
}

static void test_files(void)
{
    size_t n;
    uint8_t *d = tf_small_signed(&n);
    char *path = tu_path(tu_tmp_dir(), "small.hmset");
    CU_ASSERT_EQUAL_FATAL(tu_write(path, d, n), 0);
    hm_set_open_options o = tf_options();
    hm_set *s;
    hm_error e;
    CU_ASSERT_EQUAL_FATAL(hm_set_open_file(path, &o, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_file_size(s), n);
    CU_ASSERT_EQUAL(memcmp(hm_set_digest(s), d + tf_content_size(d) + 8, 32), 0);
    CU_ASSERT_EQUAL(((uintptr_t)hm__set_view_get(s, HM_ALGO_PDQ)->hashes) % 64, 0);
    hm_set_free(s);
    CU_ASSERT_EQUAL(hm_set_open_file_unverified(path, &s, &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_is_verified(s), 0);
    CU_ASSERT_EQUAL(hm_set_signature_get(s, 1)->status, HM_SIG_UNCHECKED);
    hm_set_free(s);
    /* Every file error is a status, not a crash. */
    CU_ASSERT_EQUAL(hm_set_open_file(tu_tmp_dir(), &o, &s, &e), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NULL(s);
    char *missing = tu_path(tu_tmp_dir(), "missing.hmset");
    CU_ASSERT_EQUAL(hm_set_open_file(missing, &o, &s, &e), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "missing.hmset"));
    CU_ASSERT_EQUAL(tu_write(path, d, 0), 0);
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_SET_TRUNCATED);
    CU_ASSERT_EQUAL(tu_write(path, d, n - 1), 0);
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_SET_TRUNCATED);
    CU_ASSERT_EQUAL(hm_set_open_file(path, NULL, &s, &e), HM_E_INVALID_ARGUMENT);
    /* A sparse file of 64 GiB that is no set: refused on its first bytes,
     * before anything of its size is allocated or read. */
    int fd = open(path, O_WRONLY | O_TRUNC);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)64 << 30), 0);
    close(fd);
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_SET_MAGIC);
    CU_ASSERT_EQUAL(hm_set_open_file_unverified(path, &s, &e), HM_E_SET_MAGIC);
    /* The client's ceiling on a set's size: checked on the file's size,
     * before the header or anything else is read (the sparse file too). */
    o.max_set_bytes = 1 << 20;
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_FILE_TOO_LARGE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "68719476736 bytes, more than this client's maximum set "
                                             "size of 1048576 bytes"));
    CU_ASSERT_EQUAL(tu_write(path, d, n), 0);
    o.max_set_bytes = n;
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_OK);
    hm_set_free(s);
    CU_ASSERT_EQUAL(hm_set_open(d, n, &o, &s, &e), HM_OK);
    hm_set_free(s);
    o.max_set_bytes = n - 1;
    CU_ASSERT_EQUAL(hm_set_open_file(path, &o, &s, &e), HM_E_FILE_TOO_LARGE);
    CU_ASSERT_EQUAL(hm_set_open(d, n, &o, &s, &e), HM_E_FILE_TOO_LARGE);
    CU_ASSERT_PTR_NULL(s);
    unlink(path);
    free(missing);
    free(path);
    hm_buffer_free(d);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test KEYS[] = {
        {"Ed25519 RFC 8032 vectors", test_rfc8032_vectors},
        {"key id and generation", test_key_id_and_generate},
        {NULL, NULL}};
    static const tu_test TRUST[] = {
        {"k of n", test_threshold},
        {"duplicate key", test_duplicate_key},
        {"bad signature", test_bad_signature},
        {"trust policy errors", test_trust_policy_errors},
        {"every small-order and non-canonical key", test_small_order_keys},
        {"weak keys in a trust policy", test_weak_trusted_keys},
        {"the forged identity-key set", test_forged_identity_set},
        {"S >= L and small-order R", test_signature_checks},
        {"rollback and times", test_rollback_and_times},
        {"maximum validity", test_max_validity},
        {"min attesters", test_min_attesters},
        {"signing keeps the digest", test_sign_keeps_digest},
        {"private copy", test_private_copy},
        {"files", test_files},
        {NULL, NULL}};
    static const tu_test POLICY[] = {
        {"default ceilings and floor", test_policy_defaults},
        {"explicit limits", test_policy_overrides},
        {"scanner limits", test_policy_scanner},
        {NULL, NULL}};
    static const tu_test HANDLES[] = {
        {"every accessor with NULL", test_null_accessors},
        {NULL, NULL}};
    tu_add_suite("keys", KEYS);
    tu_add_suite("trust", TRUST);
    tu_add_suite("policy limits", POLICY);
    tu_add_suite("handles", HANDLES);
    return tu_run("test_set_trust");
}
