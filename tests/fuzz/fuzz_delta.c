/* fuzz_delta.c - libFuzzer target for the delta reader (lib/set/delta_*.c).
 *
 * Input: an old set file followed by a delta (the old set's length comes
 * from its own framing; the seeds are `cat OLD DELTA`). Three paths:
 *   1. hm_set_apply_delta with a fixed trust policy (the fuzz key, as in
 *      fuzz_set); a result that verifies must open again by itself;
 *   2. the delta re-sealed: its header made to name the old set's actual
 *      content size and digest and both checksums recomputed, so mutated
 *      operations run instead of stopping at the checksums;
 *   3. the re-sealed delta through hm__delta_rebuild (no trust), whose
 *      result must hash to what the delta names. */
#include <stdlib.h>
#include <string.h>

#include "set/delta.h"

static uint8_t secret[HM_ED25519_SECRET_BYTES];
static uint8_t pub[1][HM_ED25519_PUBLIC_BYTES];
static int ready;

static size_t old_length(const uint8_t *d, size_t size)
{
    if (size < HM__SET_HEADER_SIZE) return size;
    uint64_t cs = hm__load_le64(d + HM__H_CONTENT_SIZE);
    if (cs > size || size - cs < HM__SIG_HEADER_SIZE) return size;
    uint64_t n = cs + HM__SIG_HEADER_SIZE + (uint64_t)hm__load_le32(d + cs + HM__SB_COUNT) % 65 *
                                                HM__SIG_RECORD_SIZE;
    return n < size ? (size_t)n : size;
}

static void apply(const uint8_t *old, size_t old_size, const uint8_t *delta, size_t delta_size)
{
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])pub;
    o.trust.key_count = 1;
    o.trust.threshold = 1;
    o.now = 1750000000;
    uint8_t *out = NULL;
    size_t n = 0;
    if (hm_set_apply_delta(old, old_size, delta, delta_size, &o, &out, &n, NULL) != HM_OK) {
        if (out || n) abort(); /* nothing partial */
        return;
    }
    hm_set *s = NULL;
    if (hm_set_open(out, n, &o, &s, NULL) != HM_OK) abort();
    hm_set_free(s);
    hm_buffer_free(out);
}

/* A copy of the delta naming the old set's real content, checksums redone. */
static uint8_t *reseal(const uint8_t *old, size_t old_size, const uint8_t *delta, size_t size)
{
    if (size < HM__DELTA_HEADER_SIZE + HM__DELTA_TRAILER_SIZE || old_size < HM__SET_HEADER_SIZE)
        return NULL;
    uint64_t cs = hm__load_le64(old + HM__H_CONTENT_SIZE);
    uint8_t *d = malloc(size);
    if (!d || cs > old_size) return free(d), NULL;
    memcpy(d, delta, size);
    hm__store_le64(d + HM__D_BASE_CONTENT, cs);
    if (hm__sha256(old, (size_t)cs, d + HM__D_BASE_DIGEST, NULL) != HM_OK) abort();
    hm__store_le64(d + HM__D_DELTA_SIZE, size);
    hm__delta_seal(d, size);
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        for (int j = 0; j < HM_ED25519_SECRET_BYTES; j++) secret[j] = (uint8_t)(j + 1);
        if (hm_key_public(secret, pub[0], NULL) != HM_OK) abort();
        ready = 1;
    }
    size_t old_size = old_length(data, size);
    const uint8_t *delta = data + old_size;
    size_t delta_size = size - old_size;
    apply(data, old_size, delta, delta_size);
    uint8_t *sealed = reseal(data, old_size, delta, delta_size);
    if (!sealed) return 0;
    apply(data, old_size, sealed, delta_size);
    uint8_t *out = NULL, digest[HM_SET_DIGEST_BYTES];
    size_t n = 0;
    if (hm__delta_rebuild(data, old_size, sealed, delta_size, &out, &n, NULL) == HM_OK) {
        uint64_t cs = hm__load_le64(sealed + HM__D_RESULT_CONTENT);
        if (cs > n || hm__sha256(out, (size_t)cs, digest, NULL) != HM_OK ||
            memcmp(digest, sealed + HM__D_RESULT_DIGEST, sizeof digest))
            abort(); /* a rebuild that succeeded must be what the delta names */
    } else if (out) {
        abort();
    }
    hm_buffer_free(out);
    free(sealed);
    return 0;
}
