/* fuzz_set.c - libFuzzer target for the set parser and verifier.
 *
 * Each input goes through three paths:
 *   1. hm_set_open with a fixed trust policy (one test key, threshold 1);
 *   2. hm_set_open_unverified (framing, digest, structure);
 *   3. the content prefix (the header's content size, capped at the input)
 *      through the structure validator directly, then sealed with a valid
 *      digest and a signature by the test key and opened in full at its own
 *      creation time, with or without the client's policy limits and a
 *      ceiling on the validity period, then a scanner built on it -- so
 *      mutations reach every structural check and the accessors behind a
 *      real signature.
 * Whatever opens is walked completely so that any out-of-bounds view trips
 * AddressSanitizer. */
#include <stdlib.h>
#include <string.h>

#include "set/set.h"

/* The test key: secret bytes 1..32 (tests/unit/set_fixture.c key 0). */
static uint8_t secret[1][HM_ED25519_SECRET_BYTES];
static uint8_t pub[1][HM_ED25519_PUBLIC_BYTES];
static int ready;

static unsigned walk(const hm_set *s)
{
    unsigned acc = (unsigned)strlen(hm_set_name(s)) + (unsigned)strlen(hm_set_issuer(s));
    for (size_t c = 0; c < hm_set_category_count(s); c++) acc += (unsigned)strlen(hm_set_category_name(s, c));
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm__set_view *v = hm__set_view_get(s, (hm_algo)a);
        if (!v) continue;
        for (size_t i = 0; i < v->info.entry_count; i++) {
            hm_set_entry e;
            if (hm_set_entry_get(s, (hm_algo)a, i, &e) != HM_OK) abort();
            acc += e.hash[v->hash_size - 1] + e.attesters + (unsigned)strlen(e.external_id) +
                   (unsigned)strlen(e.category_name) + (unsigned)hm__set_entry_active(v, i);
        }
        for (size_t i = 0; i < v->info.allow_count; i++) acc += hm_set_allow_get(s, (hm_algo)a, i)[0];
        for (size_t i = 0; a == HM_ALGO_VPDQ && i < v->info.entry_count; i++)
            for (size_t k = 0; k < hm_set_video_frame_count(s, i); k++) {
                hm_set_video_frame f;
                if (hm_set_video_frame_get(s, i, k, &f) != HM_OK) abort();
                acc += f.hash[31] + f.quality + f.frame + f.timestamp_ms;
            }
    }
    for (size_t i = 0; i < hm_set_signature_count(s); i++)
        acc += hm_set_signature_get(s, i)->key_id[31] + hm_set_signature_get(s, i)->signature[63];
    return acc;
}

/* A scanner is built exactly when a section it matches has an active
 * entry (a scanner that can never match is refused). */
static void check_scanner(const hm_set *s, const hm_policy_limits *limits)
{
    hm_scanner_options so;
    memset(&so, 0, sizeof so);
    so.limits = *limits;
    so.index = HM_INDEX_NEVER;
    so.no_threads = 1;
    size_t active = 0;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *sec = hm_set_section_get(s, (hm_algo)a);
        if (sec) active += sec->active_count;
    }
    hm_scanner *sc = NULL;
    hm_status st = hm_scanner_new(s, &so, &sc, NULL);
    if ((st == HM_OK && !active) || (st == HM_E_SCAN_NO_ALGORITHM && active)) abort();
    hm_scanner_free(sc);
}

static void open_sealed(const uint8_t *data, size_t size)
{
    if (size < 256) return;
    uint64_t cs = hm__load_le64(data + 16);
    size_t n = cs < size ? (size_t)cs : size;
    (void)hm__set_validate_content(data, n, NULL);
    uint8_t *sealed;
    size_t sealed_size;
    if (hm__set_seal(data, n, (const uint8_t(*)[HM_ED25519_SECRET_BYTES])secret, 1, &sealed,
                     &sealed_size, NULL) != HM_OK)
        return;
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])pub;
    o.trust.key_count = 1;
    o.trust.threshold = 1;
    o.now = hm__load_le64(data + 32) ? hm__load_le64(data + 32) : 1;
    o.min_attesters = data[255] & 3;
    /* Half the inputs without policy limits, so that mutated radii still
     * reach the entry checks behind them. */
    for (int a = 0; (data[254] & 1) && a < HM_POLICY_ALGO_SLOTS; a++)
        o.limits.max_radius[a] = o.limits.min_quality_floor[a] = HM_POLICY_UNLIMITED;
    /* A quarter with a ceiling on the validity period, which must hold. */
    o.max_validity = (data[254] & 2) ? (uint64_t)data[253] << 20 : 0;
    /* An eighth with a ceiling on the size, which must hold too. */
    o.max_set_bytes = (data[254] & 0x1c) == 0x1c ? (uint64_t)data[252] << 4 : 0;
    hm_set *s = NULL;
    if (hm_set_open(sealed, sealed_size, &o, &s, NULL) == HM_OK) {
        if (!hm_set_is_verified(s)) abort();
        if (o.max_validity && hm_set_expires(s) - hm_set_created(s) > o.max_validity) abort();
        if (o.max_set_bytes && hm_set_file_size(s) > o.max_set_bytes) abort();
        walk(s);
        check_scanner(s, &o.limits);
    }
    hm_set_free(s);
    hm_buffer_free(sealed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        for (int j = 0; j < HM_ED25519_SECRET_BYTES; j++) secret[0][j] = (uint8_t)(j + 1);
        if (hm_key_public(secret[0], pub[0], NULL) != HM_OK) abort();
        ready = 1;
    }
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])pub;
    o.trust.key_count = 1;
    o.trust.threshold = 1;
    o.now = 1750000000;
    hm_set *s = NULL;
    if (hm_set_open(data, size, &o, &s, NULL) == HM_OK) walk(s);
    else if (s) abort(); /* a failure must never hand out a set */
    hm_set_free(s);
    s = NULL;
    if (hm_set_open_unverified(data, size, &s, NULL) == HM_OK) walk(s);
    else if (s) abort();
    hm_set_free(s);
    open_sealed(data, size);
    return 0;
}
