/* stopncii.c - StopNCII FetchHashes JSON (LISTS.md section 2): records keyed
 * by (type, hash), live or withdrawn by their hashStatus. */
#include "jsonrec.h"

enum { R_SIGNAL, R_VALUE, R_STATUS, R_TIME, R_CASES, R_FEEDBACK, R_COUNT };
static const char *const RECORD_KEYS[R_COUNT] = {"signalType",       "hashValue",
                                                 "hashStatus",       "lastModtimestamp",
                                                 "caseNumbers",      "CSPFeedbacks"};
#define R_REQUIRED 0x1fu /* all but CSPFeedbacks */

typedef struct sn_record {
    uint32_t line;
    char signal[64], status[32], value[HM__LIST_MAX_TEXT];
    size_t value_len;
} sn_record;

static int record_member(hm__list_file *f, hm__json *j, unsigned k, void *ctx)
{
    sn_record *r = ctx;
    int64_t t;
    switch (k) {
    case R_SIGNAL: return hm__jr_text(f, j, RECORD_KEYS[k], r->signal, sizeof r->signal, NULL);
    case R_VALUE: return hm__jr_text(f, j, RECORD_KEYS[k], r->value, sizeof r->value, &r->value_len);
    case R_STATUS: return hm__jr_text(f, j, RECORD_KEYS[k], r->status, sizeof r->status, NULL);
    case R_TIME: return hm__jr_int(f, j, RECORD_KEYS[k], &t);
    case R_CASES: return hm__jr_skip_all(f, j, RECORD_KEYS[k], 1, HM__JSON_STRING);
    default: return hm__jr_skip_all(f, j, RECORD_KEYS[k], 0, HM__JSON_OBJECT); /* advisory */
    }
}

/* hashStatus: 1 live, 0 removed, -1 not a status of the format. */
static int live_status(const char *s)
{
    static const char *const LIVE[] = {"Received", "Active", "Unknown"};
    static const char *const GONE[] = {"Withdrawn", "Deleted"};
    for (size_t i = 0; i < HM_ARRAY_SIZE(LIVE); i++)
        if (!strcmp(s, LIVE[i])) return 1;
    for (size_t i = 0; i < HM_ARRAY_SIZE(GONE); i++)
        if (!strcmp(s, GONE[i])) return 0;
    return -1;
}

static int apply(hm__list_file *f, const sn_record *r)
{
    char shown[48];
    int live = live_status(r->status);
    hm__lf_printable(r->status, strlen(r->status), shown, sizeof shown);
    if (live < 0) return hm__lf_fail(f, r->line, "unknown hashStatus '%s'", shown);
    hm_algo algo = !strcmp(r->signal, "ImagePDQ")   ? HM_ALGO_PDQ
                   : !strcmp(r->signal, "VideoMD5") ? HM_ALGO_MD5
                                                    : (hm_algo)0;
    hm__lf_printable(r->signal, strlen(r->signal), shown, sizeof shown);
    if (!algo) return hm__lf_unsupported(f, shown);
    return hm__lf_hash_record(f, r->line, shown, algo, r->value, strlen(r->value), r->value_len,
                              !live, NULL, NULL);
}

static int record(hm__list_file *f, hm__json *j, void *ctx)
{
    (void)ctx;
    sn_record r;
    memset(&r, 0, sizeof r);
    if (hm__jr_record(f, j, "a hash record", RECORD_KEYS, R_COUNT, R_REQUIRED, record_member, &r,
                      &r.line))
        return -1;
    return apply(f, &r);
}

enum { E_COUNT, E_TOKEN, E_TIMESTAMP, E_MORE, E_RECORDS, E_KEYS };
static const char *const ENVELOPE_KEYS[E_KEYS] = {"count", "nextPageToken", "nextSetTimestamp",
                                                  "hasMoreRecords", "hashRecords"};

static int envelope_member(hm__list_file *f, hm__json *j, unsigned k, void *ctx)
{
    (void)ctx;
    int64_t v;
    int b;
    switch (k) {
    case E_COUNT:
    case E_TIMESTAMP: return hm__jr_int(f, j, ENVELOPE_KEYS[k], &v);
    case E_TOKEN: return hm__jr_skip_typed(f, j, ENVELOPE_KEYS[k], HM__JSON_STRING, HM__JSON_NULL);
    case E_MORE: return hm__jr_bool(f, j, ENVELOPE_KEYS[k], &b);
    default: return hm__jr_array(f, j, "'hashRecords'", record, NULL);
    }
}

int hm__list_read_stopncii(hm__list_file *f, const uint8_t *data, size_t size)
{
    return hm__jr_document(f, data, size, "the FetchHashes response", ENVELOPE_KEYS, E_KEYS,
                           1u << E_RECORDS, envelope_member, NULL);
}
