/* tat.c - Tech Against Terrorism (TCAP) Content Hash List v2 JSON (LISTS.md
 * section 3): entries keyed by (algorithm, hash), removed by deleted: true;
 * the ideology is the classification. */
#include <stdio.h>
#include <strings.h>

#include "jsonrec.h"

enum { R_ID, R_DIGEST, R_ALGORITHM, R_DELETED, R_IDEOLOGY, R_COUNT };
static const char *const RECORD_KEYS[R_COUNT] = {"id", "hash_digest", "algorithm", "deleted",
                                                 "ideology"};
#define R_REQUIRED 0x0fu /* id, hash_digest, algorithm, deleted */

typedef struct tat_record {
    uint32_t line;
    int64_t id;
    int deleted, has_ideology;
    char algorithm[64], ideology[HM__LIST_MAX_TEXT], digest[HM__LIST_MAX_TEXT];
    size_t digest_len;
} tat_record;

static int record_member(hm__list_file *f, hm__json *j, unsigned k, void *ctx)
{
    tat_record *r = ctx;
    const char *key = RECORD_KEYS[k];
    switch (k) {
    case R_ID: return hm__jr_int(f, j, key, &r->id);
    case R_DIGEST: return hm__jr_text(f, j, key, r->digest, sizeof r->digest, &r->digest_len);
    case R_ALGORITHM: return hm__jr_text(f, j, key, r->algorithm, sizeof r->algorithm, NULL);
    case R_DELETED: return hm__jr_bool(f, j, key, &r->deleted);
    default:
        if (hm__json_peek(j) == HM__JSON_NULL)
            return hm__jr_skip_typed(f, j, key, HM__JSON_NULL, HM__JSON_NONE);
        r->has_ideology = 1;
        return hm__jr_text(f, j, key, r->ideology, sizeof r->ideology, NULL);
    }
}

static hm_algo algorithm(const char *name)
{
    static const struct {
        const char *name;
        hm_algo algo;
    } A[] = {{"md5", HM_ALGO_MD5}, {"sha256", HM_ALGO_SHA256}, {"pdq", HM_ALGO_PDQ}};
    for (size_t i = 0; i < HM_ARRAY_SIZE(A); i++)
        if (!strcasecmp(name, A[i].name)) return A[i].algo;
    return (hm_algo)0;
}

static int apply(hm__list_file *f, const tat_record *r)
{
    char shown[48], ext[32];
    hm_algo algo = algorithm(r->algorithm);
    hm__lf_printable(r->algorithm, strlen(r->algorithm), shown, sizeof shown);
    if (!algo) return hm__lf_unsupported(f, shown);
    snprintf(ext, sizeof ext, "tat:%lld", (long long)r->id);
    return hm__lf_hash_record(f, r->line, shown, algo, r->digest, strlen(r->digest), r->digest_len,
                              r->deleted, r->has_ideology ? r->ideology : NULL, ext);
}

static int record(hm__list_file *f, hm__json *j, void *ctx)
{
    (void)ctx;
    tat_record r;
    memset(&r, 0, sizeof r);
    if (hm__jr_record(f, j, "an entry", RECORD_KEYS, R_COUNT, R_REQUIRED, record_member, &r,
                      &r.line))
        return -1;
    return apply(f, &r);
}

enum { E_COUNT, E_NEXT, E_PREVIOUS, E_CHECKPOINT, E_RESULTS, E_KEYS };
static const char *const ENVELOPE_KEYS[E_KEYS] = {"count", "next", "previous", "checkpoint",
                                                  "results"};

static int envelope_member(hm__list_file *f, hm__json *j, unsigned k, void *ctx)
{
    (void)ctx;
    int64_t v;
    if (k == E_COUNT) return hm__jr_int(f, j, ENVELOPE_KEYS[k], &v);
    if (k == E_RESULTS) return hm__jr_array(f, j, "'results'", record, NULL);
    return hm__jr_skip_typed(f, j, ENVELOPE_KEYS[k], HM__JSON_STRING, HM__JSON_NULL);
}

int hm__list_read_tat(hm__list_file *f, const uint8_t *data, size_t size)
{
    return hm__jr_document(f, data, size, "the hash list response", ENVELOPE_KEYS, E_KEYS,
                           1u << E_RESULTS, envelope_member, NULL);
}
