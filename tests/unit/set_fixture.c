/* set_fixture.c - fixed keys and small sets shared by the set test programs. */
#include "set_fixture.h"

#include <stdlib.h>
#include <string.h>

static uint8_t secrets[TF_KEYS][HM_ED25519_SECRET_BYTES];
static uint8_t publics[TF_KEYS][HM_ED25519_PUBLIC_BYTES];
static int keys_ready;

static void init_keys(void)
{
    if (keys_ready) return;
    for (int i = 0; i < TF_KEYS; i++) {
        for (int j = 0; j < HM_ED25519_SECRET_BYTES; j++) secrets[i][j] = (uint8_t)(17 * i + j + 1);
        if (hm_key_public(secrets[i], publics[i], NULL) != HM_OK) abort();
    }
    keys_ready = 1;
}

const uint8_t *tf_secret(int i)
{
    init_keys();
    return secrets[i];
}

const uint8_t *tf_public(int i)
{
    init_keys();
    return publics[i];
}

hm_trust tf_trust(int first, int n, unsigned k)
{
    static uint8_t keys[TF_KEYS][HM_ED25519_PUBLIC_BYTES];
    init_keys();
    for (int i = 0; i < n; i++) memcpy(keys[i], publics[first + i], HM_ED25519_PUBLIC_BYTES);
    hm_trust t = {(const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])keys, (size_t)n, k, 0};
    return t;
}

hm_set_open_options tf_options(void)
{
    /* Its own key storage: tf_trust's may be in use by the caller. */
    static uint8_t keys[3][HM_ED25519_PUBLIC_BYTES];
    init_keys();
    memcpy(keys, publics, sizeof keys);
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])keys;
    o.trust.key_count = 3;
    o.trust.threshold = 2;
    o.now = TF_NOW;
    return o;
}

static void hex(const char *s, uint8_t *out, size_t n)
{
    if (hm_hex_decode(s, out, n) != HM_OK) abort();
}

static void add(hm_set_builder *b, hm_algo a, const char *h, unsigned cat, unsigned att,
                const char *ext)
{
    uint8_t buf[HM_MAX_HASH_BYTES];
    hex(h, buf, hm_algo_hash_size(a));
    if (hm_set_builder_add(b, a, buf, cat, att, ext, NULL) != HM_OK) abort();
}

void tf_hex(const char *h, uint8_t *out, size_t n) { hex(h, out, n); }

void tf_add(hm_set_builder *b, hm_algo a, const char *h, unsigned cat, unsigned att,
            const char *ext)
{
    add(b, a, h, cat, att, ext);
}

uint8_t *tf_small_set(size_t *size)
{
    hm_set_builder *b;
    if (hm_set_builder_new(&b) != HM_OK) abort();
    unsigned c;
    if (hm_set_builder_set_name(b, "test set", NULL) || hm_set_builder_set_issuer(b, "hashmatch tests", NULL) ||
        hm_set_builder_add_category(b, "csam", &c, NULL) ||
        hm_set_builder_add_category(b, "terror", &c, NULL) ||
        hm_set_builder_add_category(b, "other", &c, NULL))
        abort();
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    const char *P = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    add(b, HM_ALGO_PDQ, P, 0, 2, "NCMEC-1");
    add(b, HM_ALGO_PDQ, "0000000000000000000000000000000000000000000000000000000000000001", 1, 1, NULL);
    add(b, HM_ALGO_PDQ, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 2, 3, "x");
    add(b, HM_ALGO_PDQ, "8000000000000000000000000000000000000000000000000000000000000000", 0, 1, "");
    add(b, HM_ALGO_PDQ, P, 0, 1, NULL); /* duplicate: merged, attesters stay 2 */
    add(b, HM_ALGO_PDQ, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 1, 1, "GIFCT-9");
    add(b, HM_ALGO_PHASH, "d1c4b4b4f0f0e0e0", 2, 1, NULL);
    add(b, HM_ALGO_PHASH, "0000000000000001", 2, 2, NULL);
    add(b, HM_ALGO_PHASH, "ffffffff00000000", 0, 1, "x");
    add(b, HM_ALGO_MD5, "d41d8cd98f00b204e9800998ecf8427e", 0, 1, NULL);
    add(b, HM_ALGO_MD5, "00112233445566778899aabbccddeeff", 1, 4, "IWF-77");
    add(b, HM_ALGO_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 2, 1, NULL);
    uint8_t a[32];
    hex("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", a, 32);
    if (hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL)) abort();
    hex("0101010101010101010101010101010101010101010101010101010101010101", a, 32);
    if (hm_set_builder_allow(b, HM_ALGO_PDQ, a, NULL)) abort();
    uint8_t *data;
    hm_error e;
    if (hm_set_builder_build(b, &data, size, &e) != HM_OK) {
        fprintf(stderr, "tf_small_set: %s\n", e.message);
        abort();
    }
    hm_set_builder_free(b);
    return data;
}

uint8_t *tf_sign(uint8_t *data, size_t *size, const int *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *out;
        size_t out_size;
        hm_error e;
        if (hm_set_sign(data, *size, tf_secret(keys[i]), &out, &out_size, &e) != HM_OK) {
            fprintf(stderr, "tf_sign: %s\n", e.message);
            abort();
        }
        hm_buffer_free(data);
        data = out;
        *size = out_size;
    }
    return data;
}

uint8_t *tf_small_signed(size_t *size)
{
    static const int K[] = {0, 1};
    uint8_t *d = tf_small_set(size);
    return tf_sign(d, size, K, 2);
}

uint8_t *tf_reseal(const uint8_t *content, size_t content_size, size_t *size)
{
    const uint8_t(*k)[HM_ED25519_SECRET_BYTES];
    static uint8_t two[2][HM_ED25519_SECRET_BYTES];
    memcpy(two[0], tf_secret(0), HM_ED25519_SECRET_BYTES);
    memcpy(two[1], tf_secret(1), HM_ED25519_SECRET_BYTES);
    k = (const uint8_t(*)[HM_ED25519_SECRET_BYTES])two;
    uint8_t *out;
    if (hm__set_seal(content, content_size, k, 2, &out, size, NULL) != HM_OK) abort();
    return out;
}

hm_status tf_open_status(const uint8_t *data, size_t size, hm_error *err)
{
    hm_set_open_options o = tf_options();
    hm_set *s = (hm_set *)1;
    hm_status st = hm_set_open(data, size, &o, &s, err);
    if (st != HM_OK && s != NULL) {
        fprintf(stderr, "a failed open left a handle\n");
        abort();
    }
    hm_set_free(s);
    return st;
}

size_t tf_content_size(const uint8_t *file) { return (size_t)hm__load_le64(file + 16); }
