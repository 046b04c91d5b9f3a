/* set_fixture.h - fixed keys and small sets shared by the set test programs. */
#ifndef HM_SET_FIXTURE_H
#define HM_SET_FIXTURE_H

#include "set/set.h"
#include "testutil.h"

#define TF_KEYS 8
#define TF_CREATED 1700000000ull /* 2023-11-14T22:13:20Z */
#define TF_EXPIRES 1800000000ull /* 2027-01-15T08:00:00Z */
#define TF_NOW 1750000000ull
#define TF_VERSION 7

/* Deterministic test key pairs 0..TF_KEYS-1 (secret byte j of key i is
 * 17*i + j + 1). */
const uint8_t *tf_secret(int i);
const uint8_t *tf_public(int i);

/* A trust policy over keys first..first+n-1 with threshold k. The storage is
 * static: one policy at a time. */
hm_trust tf_trust(int first, int n, unsigned k);

/* Options: trust keys 0..2, threshold 2, now TF_NOW, min version 0. */
hm_set_open_options tf_options(void);

/* The small set: 3 categories (csam, terror, other), 5 PDQ entries (one added
 * twice), 3 pHash, 2 MD5, 1 SHA-256, 2 PDQ allowlist hashes. Unsigned. */
uint8_t *tf_small_set(size_t *size);

/* Signs `data` with keys[0..n) (each hm_set_sign), frees `data`. */
uint8_t *tf_sign(uint8_t *data, size_t *size, const int *keys, size_t n);

/* The small set signed by keys 0 and 1. */
uint8_t *tf_small_signed(size_t *size);

/* Re-seals content (the first content_size bytes of `file`, possibly
 * modified) with signatures by keys 0 and 1: structural checks are reached
 * behind a valid digest and valid signatures. Frees nothing. */
uint8_t *tf_reseal(const uint8_t *content, size_t content_size, size_t *size);

/* Hex to bytes, and adding an entry given in hex; both abort on failure. */
void tf_hex(const char *hex, uint8_t *out, size_t n);
void tf_add(hm_set_builder *b, hm_algo a, const char *hex, unsigned cat, unsigned att,
            const char *ext);

/* Opens with tf_options(); returns the status, frees the set. */
hm_status tf_open_status(const uint8_t *data, size_t size, hm_error *err);

/* Content size of a well-framed file (header field). */
size_t tf_content_size(const uint8_t *file);

#endif /* HM_SET_FIXTURE_H */
