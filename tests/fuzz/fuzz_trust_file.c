/* fuzz_trust_file.c - libFuzzer target for trust files (--trust FILE):
 * 'key <hex|base64> [name]', 'threshold K', 'allow-unknown-keys', comments.
 * Whatever is accepted must hold only keys that pass hm_key_check, no key
 * twice, and a threshold of 1..number of keys. */
#include "fuzz_text.h"
#include "trust_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    cli_trust t;
    cli_trust_init(&t);
    if (cli_trust_parse_file(&t, "fuzz.trust", text, size) == 0) {
        if (t.key_count == 0 || t.threshold < 1 || t.threshold > t.key_count) abort();
        for (size_t i = 0; i < t.key_count; i++) {
            if (hm_key_check(t.keys[i], NULL) != HM_OK) abort();
            for (size_t j = 0; j < i; j++)
                if (!memcmp(t.keys[i], t.keys[j], HM_ED25519_PUBLIC_BYTES)) abort();
            if (!cli_trust_key_name(&t, i)) abort();
        }
    }
    cli_trust_free(&t);
    free(text);
    return 0;
}
