/* digest.c - MD5/SHA-1/SHA-256 through OpenSSL EVP (not implemented yet). */
#include "hash_internal.h"

hm_status hm__digests(const uint8_t *data, size_t size, uint32_t algos, hm_hashes *out,
                      hm_error *err)
{
    (void)data, (void)size, (void)algos, (void)out;
    return hm__fail(err, HM_E_UNSUPPORTED, "digests are not implemented yet");
}
