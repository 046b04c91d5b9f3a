/* fuzz_pub_key.c - libFuzzer target for public keys: NAME.pub files
 * (--trusted-key FILE) and the key text itself (--trusted-key HEX|BASE64).
 * An accepted key passes hm_key_check, and the .pub text written for it
 * (cli_public_key_text) reads back as the same key. */
#include "fuzz_text.h"
#include "keyfile.h"
#include "trust_opts.h"

static void round_trip(const uint8_t key[HM_ED25519_PUBLIC_BYTES])
{
    char *pub = cli_public_key_text(key, "round trip");
    if (!pub) abort();
    cli_trust t;
    cli_trust_init(&t);
    if (cli_trust_parse_pub(&t, "round-trip.pub", pub, strlen(pub)) != 0 || t.key_count != 1 ||
        memcmp(t.keys[0], key, HM_ED25519_PUBLIC_BYTES))
        abort();
    cli_trust_free(&t);
    free(pub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    uint8_t key[HM_ED25519_PUBLIC_BYTES];
    if (cli_parse_public_key(text, key) == 0 && hm_key_check(key, NULL) == HM_OK) round_trip(key);
    cli_trust t;
    cli_trust_init(&t);
    if (cli_trust_parse_pub(&t, "fuzz.pub", text, size) == 0) {
        if (t.key_count != 1 || hm_key_check(t.keys[0], NULL) != HM_OK) abort();
        round_trip(t.keys[0]);
    }
    cli_trust_free(&t);
    free(text);
    return 0;
}
