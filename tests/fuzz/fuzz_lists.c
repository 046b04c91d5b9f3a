/* fuzz_lists.c - libFuzzer target for one list reader (lib/lists/), built
 * once per format with HM_FUZZ_LIST_FORMAT set to its hm__list_format.
 *
 * Input: an optional category map, a NUL byte, then the list file (without
 * a NUL byte the whole input is the file and a map of `FORMAT * x` is used,
 * so that classified records get through). The file is replayed twice into
 * one state, and the state's entries checked after each pass:
 *   - a rejected file changes nothing (the entries are as before);
 *   - replaying an accepted file again gives the same entries (the last
 *     record for a key wins both times);
 *   - entries come in strictly ascending (algorithm, hash) order, with at
 *     least one attester and a category the map defines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists/lists.h"

#ifndef HM_FUZZ_LIST_FORMAT
#error "define HM_FUZZ_LIST_FORMAT"
#endif

typedef struct walk {
    const hm__list_map *map;
    uint64_t digest;
    hm_algo algo;
    uint8_t last[HM_MAX_HASH_BYTES];
    int have_last;
} walk;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static int check_entry(void *ctx, const hm__list_entry *e, hm_error *err)
{
    (void)err;
    walk *w = ctx;
    size_t hs = hm_algo_hash_size(e->algo);
    if (hs == 0 || e->attesters < 1 || !e->external_id) abort();
    if (e->category != HM__LIST_NO_CATEGORY && e->category >= hm__list_map_category_count(w->map))
        abort();
    if (w->have_last && (e->algo < w->algo || (e->algo == w->algo && memcmp(w->last, e->hash, hs) >= 0)))
        abort(); /* not strictly ascending */
    w->algo = e->algo;
    memcpy(w->last, e->hash, hs);
    w->have_last = 1;
    w->digest = mix(w->digest, &e->algo, sizeof e->algo);
    w->digest = mix(w->digest, e->hash, hs);
    w->digest = mix(w->digest, &e->category, sizeof e->category);
    w->digest = mix(w->digest, &e->attesters, sizeof e->attesters);
    w->digest = mix(w->digest, e->external_id, strlen(e->external_id) + 1);
    return 0;
}

static uint64_t entries(const hm__lists *l, const hm__list_map *map)
{
    walk w = {map, 1469598103934665603ull, (hm_algo)0, {0}, 0};
    if (hm__lists_emit(l, check_entry, &w, NULL, NULL) != HM_OK) abort();
    return w.digest;
}

static hm__list_map *load_map(const uint8_t *data, size_t size, size_t *used)
{
    const uint8_t *nul = memchr(data, 0, size);
    char fallback[64];
    hm__list_map *m = NULL;
    *used = 0;
    if (nul) {
        *used = (size_t)(nul - data) + 1;
        (void)hm__list_map_parse((const char *)data, *used - 1, "map", &m, NULL);
        return m;
    }
    snprintf(fallback, sizeof fallback, "%s * x\n", hm__list_format_name(HM_FUZZ_LIST_FORMAT));
    if (hm__list_map_parse(fallback, strlen(fallback), "map", &m, NULL) != HM_OK) abort();
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t used;
    hm__list_map *map = load_map(data, size, &used);
    hm__lists *l;
    if (hm__lists_new(map, &l, NULL) != HM_OK) abort();
    uint64_t before = entries(l, map);
    hm__list_file_stats st;
    hm_status first = hm__lists_import(l, HM_FUZZ_LIST_FORMAT, NULL, "fuzz", data + used,
                                       size - used, &st, NULL);
    uint64_t once = entries(l, map);
    if (first != HM_OK && once != before) abort(); /* a rejected file changed the state */
    hm_status second = hm__lists_import(l, HM_FUZZ_LIST_FORMAT, NULL, "fuzz", data + used,
                                        size - used, &st, NULL);
    if (second != first && second != HM_E_NO_MEMORY) abort();
    if (first == HM_OK && entries(l, map) != once) abort(); /* replaying again changed it */
    hm__lists_free(l);
    hm__list_map_free(map);
    return 0;
}
