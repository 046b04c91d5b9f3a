/* fuzz_secret_key.c - libFuzzer target for NAME.key files (PKCS#8 PEM read
 * through OpenSSL by `set sign`). An accepted key derives a public key that
 * passes hm_key_check and signs. */
#include <openssl/crypto.h>

#include "fuzz_text.h"
#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_verbosity = -1;
    uint8_t secret[HM_ED25519_SECRET_BYTES], pub[HM_ED25519_PUBLIC_BYTES], id[HM_KEY_ID_BYTES];
    if (cli_parse_secret_key(data, size, "fuzz.key", secret) == 0) {
        if (hm_key_public(secret, pub, NULL) != HM_OK || hm_key_id(pub, id, NULL) != HM_OK)
            abort();
        OPENSSL_cleanse(secret, sizeof secret);
    }
    return 0;
}
