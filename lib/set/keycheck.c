/* keycheck.c - what a careful Ed25519 verifier refuses before it does any
 * arithmetic, following libsodium's crypto_sign_verify_detached:
 *
 *   - public keys that encode one of the eight points of small order (the
 *     torsion subgroup of Curve25519): with such a key A, [h]A is one of eight
 *     points whatever the message, so signatures can be forged without any
 *     secret (A = the identity: R = the identity and S = 0 verify for every
 *     message). OpenSSL does not refuse them;
 *   - non-canonical encodings (y >= p, or x = 0 with the sign bit set), which
 *     give one point two encodings and so two key ids;
 *   - signatures whose S is not reduced modulo L (malleable: S and S + L
 *     would both verify) or whose R is non-canonical or of small order.
 *
 * An encoding is y (255 bits, little-endian) with the sign of x in bit 255;
 * p = 2^255 - 19. The small-order points and their y coordinates:
 *   order 1: (0, 1)                       the identity
 *   order 2: (0, p - 1)
 *   order 4: (+-sqrt(-1), 0)              two points
 *   order 8: (+-x8, y8), (+-x8, p - y8)   four points, y8^2 = (sqrt(1 + d) - 1) / d
 * tests/unit/test_set_trust.c derives them again with OpenSSL's BIGNUM
 * (from the curve equation and the doubling formula) and checks [8]P = O. */
#include "set.h"

/* The y coordinates of the small-order points, canonical, little-endian. */
static const struct {
    uint8_t y[32];
    unsigned order;
} SMALL_ORDER[] = {
    {{0x01}, 1},
    {{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
     2},
    {{0x00}, 4},
    {{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
      0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
     8},
    {{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
      0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
     8},
};

/* L = 2^252 + 27742317777372353535851937790883648493, the prime order of the
 * base point, little-endian. */
static const uint8_t ORDER_L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                    0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                    0,    0,    0,    0,    0,    0,    0,    0,
                                    0,    0,    0,    0,    0,    0,    0,    0x10};

/* y >= p for the 255-bit y of an encoding: p = 2^255 - 19 is 0xed, then 30
 * bytes of 0xff, then 0x7f. */
static int y_not_reduced(const uint8_t e[32])
{
    if ((e[31] & 0x7f) != 0x7f) return 0;
    for (int i = 30; i > 0; i--)
        if (e[i] != 0xff) return 0;
    return e[0] >= 0xed;
}

/* The order of the point when y (reduced mod p) is a small-order y, else 0. */
static unsigned small_order(const uint8_t e[32])
{
    uint8_t y[32];
    memcpy(y, e, 32);
    y[31] &= 0x7f;
    if (y_not_reduced(y)) { /* y - p is 0..18: only 0 and 1 are small-order y */
        uint8_t low = (uint8_t)(y[0] - 0xed);
        memset(y, 0, 32);
        y[0] = low;
    }
    for (size_t i = 0; i < HM_ARRAY_SIZE(SMALL_ORDER); i++)
        if (!memcmp(y, SMALL_ORDER[i].y, 32)) return SMALL_ORDER[i].order;
    return 0;
}

const char *hm__ed25519_point_weakness(const uint8_t e[32])
{
    unsigned order = small_order(e);
    /* x = 0 only for orders 1 and 2; a set sign bit then has no point. */
    int noncanonical = y_not_reduced(e) || ((order == 1 || order == 2) && (e[31] & 0x80));
    switch (order) {
    case 1:
        return noncanonical ? "the identity point (order 1), non-canonically encoded"
                            : "the identity point (order 1)";
    case 2: return noncanonical ? "a point of order 2, non-canonically encoded" : "a point of order 2";
    case 4: return noncanonical ? "a point of order 4, non-canonically encoded" : "a point of order 4";
    case 8: return "a point of order 8";
    default: return noncanonical ? "not a canonical encoding (y >= p)" : NULL;
    }
}

const char *hm__ed25519_signature_weakness(const uint8_t sig[HM_ED25519_SIGNATURE_BYTES])
{
    const uint8_t *s = sig + 32;
    for (int i = 31; i >= 0; i--) {
        if (s[i] < ORDER_L[i]) break;
        if (s[i] > ORDER_L[i] || i == 0) return "S is not reduced modulo the group order (S >= L)";
    }
    /* An honest R is [r]B with r a hash mod L: small order only if r = 0. */
    if (small_order(sig)) return "R is a point of small order";
    if (y_not_reduced(sig)) return "R is not canonically encoded";
    return NULL;
}

hm_status hm_key_check(const uint8_t public_key[HM_ED25519_PUBLIC_BYTES], hm_error *err)
{
    HM_RETURN_IF(!public_key, err, HM_E_INVALID_ARGUMENT, "a public key is required");
    const char *why = hm__ed25519_point_weakness(public_key);
    if (why) {
        char hex[2 * HM_ED25519_PUBLIC_BYTES + 1];
        hm_hex_encode(public_key, HM_ED25519_PUBLIC_BYTES, hex);
        return hm__fail(err, HM_E_SET_WEAK_KEY, "public key %s is %s%s", hex, why,
                        small_order(public_key) ? ": anyone can forge signatures that verify under it" : "");
    }
    hm__ok(err);
    return HM_OK;
}
