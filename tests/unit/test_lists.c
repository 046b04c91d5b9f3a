/* test_lists.c - the list importers (lib/lists/) against the hand-written
 * fixtures of tests/data/lists/ (written from ../shared/specs/LISTS.md):
 * what each reader imports, skips and refuses, replay order, deletions,
 * merges, and replaying incremental exports against the final state. */
#include <stdlib.h>
#include <string.h>

#include "lists/json.h"
#include "lists/lists.h"
#include "testutil.h"

static uint8_t *fixture(const char *name, size_t *size)
{
    char rel[128];
    snprintf(rel, sizeof rel, "lists/%s", name);
    char *p = tu_path(tu_data_dir(), rel);
    uint8_t *d = tu_read(p, size);
    free(p);
    return d;
}

static hm__list_map *load_map(void)
{
    size_t n;
    uint8_t *d = fixture("categories.map", &n);
    hm__list_map *m = NULL;
    hm_error e;
    CU_ASSERT_EQUAL(hm__list_map_parse((const char *)d, n, "categories.map", &m, &e), HM_OK);
    free(d);
    return m;
}

static hm_status import(hm__lists *l, hm__list_format f, const char *name,
                        hm__list_file_stats *st, hm_error *e)
{
    size_t n;
    uint8_t *d = fixture(name, &n);
    hm_status s = hm__lists_import(l, f, NULL, name, d, n, st, e);
    free(d);
    return s;
}

/* The final state as text, one "algo hash category attesters id" line per
 * entry. */
typedef struct dump {
    const hm__list_map *map;
    char text[8192];
    size_t len;
} dump;

static int dump_entry(void *ctx, const hm__list_entry *e, hm_error *err)
{
    (void)err;
    dump *d = ctx;
    char hex[HM_MAX_HEX_SIZE];
    hm_hex_encode(e->hash, hm_algo_hash_size(e->algo), hex);
    const char *cat = e->category == HM__LIST_NO_CATEGORY ? "(default)"
                                                          : hm__list_map_category(d->map, e->category);
    d->len += (size_t)snprintf(d->text + d->len, sizeof d->text - d->len, "%s %s %s %u %s\n",
                               hm_algo_name(e->algo), hex, cat, e->attesters,
                               *e->external_id ? e->external_id : "-");
    return 0;
}

static void emit(const hm__lists *l, dump *d, hm__list_emit_stats *st)
{
    d->len = 0;
    d->text[0] = '\0';
    hm_error e;
    CU_ASSERT_EQUAL(hm__lists_emit(l, dump_entry, d, st, &e), HM_OK);
}

#define P1 "fbeae7c18667b6987518f3ae61ed8b19038e5961e8e7368597428eff76e4842a"
#define P3 "9f9853b3f13444197bd1c8eedb085b4c030a02ed28b5f61f3a6a1ba27bd1ae73"
#define M1 "f31e1eef20f64733a18c538073e78396"
#define M3 "f1c6eb6f4e48eb34ab40b2987d4976a8"
#define S1 "1c12fa511d52194a5681ee8be41a1e398d85f290"
#define S2 "474c9bc027ee3ef22851a5f8bfd976f08b197386"

/* Computed by hand from ncmec-1.xml and ncmec-2.xml (docs/LISTS.md). */
static const char NCMEC_FINAL[] =
    "pdq " P3 " csam 1 ncmec:311:e-2\n"
    "pdq " P1 " csam 1 ncmec:311:e-1\n"          /* e-1 and v-2: one member */
    "md5 " M3 " csam 1 ncmec:311:v-2\n"
    "md5 " M1 " csam 2 ncmec:311:e-1\n"          /* members 311 (A1) and 42 (B1) */
    "sha1 " S1 " csam 1 ncmec:311:e-1\n"
    "sha1 " S2 " csam-unclassified 1 ncmec:7:e-4\n";

static void test_ncmec(void)
{
    hm__list_map *m = load_map();
    hm__lists *l;
    hm_error e;
    hm__list_file_stats st;
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_NCMEC_XML, "ncmec-1.xml", &st, &e), HM_OK);
    CU_ASSERT_EQUAL(st.records, 5);
    CU_ASSERT_EQUAL(st.deletions, 1);
    CU_ASSERT_EQUAL(st.values, 6);      /* md5, sha1, pdq; pdq; md5; md5 */
    CU_ASSERT_EQUAL(st.unsupported, 4); /* pdna, videntifier, netclean, tmk-pdqf */
    CU_ASSERT_EQUAL(hm__lists_live_records(l), 4);
    CU_ASSERT_EQUAL(import(l, HM__LIST_NCMEC_XML, "ncmec-2.xml", &st, &e), HM_OK);
    CU_ASSERT_EQUAL(st.records, 4);
    CU_ASSERT_EQUAL(hm__lists_live_records(l), 5); /* v-1 deleted, e-4 and v-2 new */
    dump d = {m, "", 0};
    emit(l, &d, NULL);
    CU_ASSERT_STRING_EQUAL(d.text, NCMEC_FINAL);
    if (strcmp(d.text, NCMEC_FINAL)) fprintf(stderr, "\n%s", d.text);
    size_t count;
    hm__list_format f;
    CU_ASSERT_EQUAL(hm__lists_unsupported_types(l), 4);
    CU_ASSERT_STRING_EQUAL(hm__lists_unsupported(l, 1, &f, &count), "videntifier");
    CU_ASSERT_EQUAL(count, 2);
    CU_ASSERT_EQUAL(f, HM__LIST_NCMEC_XML);
    /* The final export alone gives the same entries. */
    hm__lists *l2;
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l2, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l2, HM__LIST_NCMEC_XML, "ncmec-final.xml", &st, &e), HM_OK);
    dump d2 = {m, "", 0};
    emit(l2, &d2, NULL);
    CU_ASSERT_STRING_EQUAL(d2.text, NCMEC_FINAL);
    hm__lists_free(l2);
    /* A malformed record rejects its whole file: nothing changes. */
    CU_ASSERT_EQUAL(import(l, HM__LIST_NCMEC_XML, "ncmec-bad.xml", &st, &e), HM_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "ncmec-bad.xml:11: pdq value"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "has 63 characters"));
    emit(l, &d, NULL);
    CU_ASSERT_STRING_EQUAL(d.text, NCMEC_FINAL);
    CU_ASSERT_EQUAL(hm__lists_live_records(l), 5);
    hm__lists_free(l);
    hm__list_map_free(m);
}

/* Each malformed document is refused with its line and reason. */
static void test_ncmec_errors(void)
{
    static const struct {
        const char *xml, *why;
    } CASES[] = {
        {"", ":1: XML error: no element found"},
        {"<queryResult><images>", "XML error: no element found"},
        {"<list/>", "the root element is <list>"},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE q [<!ENTITY a \"aaaa\">]><queryResult/>",
         ":2: a document type declaration"},
        {"<queryResult><images><thing/></images></queryResult>", "<thing> is not a record"},
        {"<queryResult><images><image><id>x</id></image></images></queryResult>",
         "has 0 <member> elements"},
        {"<queryResult><images><image><member>M</member><id>x</id></image></images></queryResult>",
         "<member> has no id attribute"},
        {"<queryResult><images><image><member id=\"3a\"/><id>x</id></image></images></queryResult>",
         "<member> id '3a' is not an integer"},
        {"<queryResult><images><image><member id=\"3\"/><id> </id></image></images></queryResult>",
         "<id> is empty"},
        {"<queryResult><images><image><member id=\"3\"/><id>a</id><id>b</id></image></images></queryResult>",
         "has 2 <id> elements"},
        {"<queryResult><videos><video><member id=\"3\"/><id>a</id><fingerprints><md5/></fingerprints>"
         "</video></videos></queryResult>", "empty md5 value"},
        {"<queryResult><videos><video><member id=\"3\"/><id>a</id><fingerprints><sha1>0x12</sha1>"
         "</fingerprints></video></videos></queryResult>", "sha1 value '0x12' has 4 characters"},
        {"<queryResult><videos><video><member id=\"3\"/><id>a<b/></id></video></videos></queryResult>",
         "<b> inside an element that holds text"},
        {"<queryResult><videos><video><member id=\"3\"/><id>a</id><classification>Z9</classification>"
         "</video></videos></queryResult>", "ncmec-xml classification 'Z9' is not in the category map"},
    };
    hm__list_map *m = load_map();
    for (size_t i = 0; i < HM_ARRAY_SIZE(CASES); i++) {
        hm__lists *l;
        hm_error e;
        CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l, &e), HM_OK);
        hm_status s = hm__lists_import(l, HM__LIST_NCMEC_XML, NULL, "x.xml",
                                       (const uint8_t *)CASES[i].xml, strlen(CASES[i].xml), NULL, &e);
        CU_ASSERT_EQUAL(s, HM_E_PARSE);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, CASES[i].why));
        if (!strstr(e.message, CASES[i].why)) fprintf(stderr, "\n  case %zu: %s", i, e.message);
        CU_ASSERT_EQUAL(hm__lists_live_records(l), 0);
        hm__lists_free(l);
    }
    hm__list_map_free(m);
}

static const char STOPNCII_FINAL[] =
    "pdq 1c5e95f69bb22aef7c11683dbf81f2bab7bbf77b028014a112bc68e051ba1a79 ncii 1 -\n"
    "pdq 771da04c14bc846203f04afa65c93e8ce2c9e6797ab55fa93c35cb141b1d0bd7 ncii 1 -\n"
    "md5 66b543df60a981ccfcd2d3114605a39a ncii 1 -\n";

static const char TAT_FINAL[] =
    "pdq da384340f5b050b1ceca0592ff7e8c9f925b71c71831938b5b83c3c6686c2f85 terror 1 tat:3\n"
    "pdq e71522252c1f2950512dd90f26d9089db690d4263c9b2565f3ed1e0ed0732b14 terror 1 tat:7\n"
    "md5 3f44a84e6e34fdb5a2f89c68d8c36175 terror 1 tat:6\n";

static const char TX_FINAL[] =
    "pdq 5c13dc65b52d224b474c5848d4bbd5effa7405b0b8ceb5b5a8092ca9e23907d7 (default) 1 -\n"
    "pdq ad095c1430616e7a39bf22da9b015e2bda85af4f77adbfb50f0eb670c2da3a2d (default) 1 -\n"
    "md5 3f44a84e6e34fdb5a2f89c68d8c36175 (default) 1 -\n"
    "sha256 ae1a64d34d1c58553d436923cc6eb2386a63892c0bdd3f1a924eb7f7a30ae975 (default) 1 -\n";

/* Replays `files` (and the malformed `bad`, which must change nothing),
 * then the final export, and checks both against `want`. */
static void replay(hm__list_format f, const char *const *files, size_t n, const char *bad,
                   const char *bad_why, const char *final, const char *want)
{
    hm__list_map *m = load_map();
    hm__lists *l, *l2;
    hm_error e;
    hm__list_emit_stats st;
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l, &e), HM_OK);
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l2, &e), HM_OK);
    for (size_t i = 0; i < n; i++) CU_ASSERT_EQUAL(import(l, f, files[i], NULL, &e), HM_OK);
    size_t unsupported = hm__lists_unsupported_types(l);
    CU_ASSERT_EQUAL(import(l, f, bad, NULL, &e), HM_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, bad_why));
    if (!strstr(e.message, bad_why)) fprintf(stderr, "\n  %s", e.message);
    CU_ASSERT_EQUAL(hm__lists_unsupported_types(l), unsupported);
    dump d = {m, "", 0}, d2 = {m, "", 0};
    emit(l, &d, &st);
    CU_ASSERT_STRING_EQUAL(d.text, want);
    if (strcmp(d.text, want)) fprintf(stderr, "\n%s", d.text);
    CU_ASSERT_EQUAL(import(l2, f, final, NULL, &e), HM_OK);
    emit(l2, &d2, NULL);
    CU_ASSERT_STRING_EQUAL(d2.text, want);
    hm__lists_free(l);
    hm__lists_free(l2);
    hm__list_map_free(m);
}

static void test_stopncii(void)
{
    static const char *const FILES[] = {"stopncii-1.json", "stopncii-2.json"};
    replay(HM__LIST_STOPNCII_JSON, FILES, 2, "stopncii-bad.json",
           "stopncii-bad.json:6: unknown hashStatus 'Expired'", "stopncii-final.json",
           STOPNCII_FINAL);
}

static void test_tat(void)
{
    static const char *const FILES[] = {"tat-1.json", "tat-2.json"};
    replay(HM__LIST_TAT_JSON, FILES, 2, "tat-bad.json",
           "tat-bad.json:4: 'deleted' must be true or false, not a string", "tat-final.json",
           TAT_FINAL);
}

static void test_tx(void)
{
    static const char *const FILES[] = {"tx-1.txt", "tx-2.txt"};
    replay(HM__LIST_TX_TEXT, FILES, 2, "tx-bad.txt",
           "tx-bad.txt:2: video_md5 value '3f44a84e6e34fdb5a2f89c68d8c3617' has 31 characters",
           "tx-final.txt", TX_FINAL);
}

/* Every format into one state: a hash listed by TAT and in a ThreatExchange
 * file has two attesters and the mapped category (the default ranks last). */
static void test_all_formats(void)
{
    hm__list_map *m = load_map();
    hm__lists *l;
    hm_error e;
    hm__list_emit_stats st;
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(m, &l, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_TX_TEXT, "tx-final.txt", NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_TAT_JSON, "tat-final.json", NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_STOPNCII_JSON, "stopncii-final.json", NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_NCMEC_XML, "ncmec-final.xml", NULL, &e), HM_OK);
    dump d = {m, "", 0};
    emit(l, &d, &st);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text, "md5 3f44a84e6e34fdb5a2f89c68d8c36175 terror 2 tat:6\n"));
    CU_ASSERT_EQUAL(st.entries[HM_ALGO_PDQ], 2 + 2 + 2 + 2);
    CU_ASSERT_EQUAL(st.entries[HM_ALGO_MD5], 2 + 1 + 1); /* M5 counted once */
    CU_ASSERT_EQUAL(st.entries[HM_ALGO_SHA1], 2);
    CU_ASSERT_EQUAL(st.entries[HM_ALGO_SHA256], 1);
    CU_ASSERT_EQUAL(st.zero_pdq, 1);
    hm__lists_free(l);
    /* Without a map, a classification is refused; records without one are not. */
    CU_ASSERT_EQUAL_FATAL(hm__lists_new(NULL, &l, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_TX_TEXT, "tx-final.txt", NULL, &e), HM_OK);
    CU_ASSERT_EQUAL(import(l, HM__LIST_TAT_JSON, "tat-final.json", NULL, &e), HM_E_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "tat-final.json:3: tat-json classification 'far-right' "
                                             "is not in the category map"));
    hm__lists_free(l);
    hm__list_map_free(m);
}

static void test_map_errors(void)
{
    static const struct {
        const char *text, *why;
    } CASES[] = {
        {"ncmec-xml A1\n", "m:1: expected 'FORMAT CLASSIFICATION CATEGORY'"},
        {"# x\nncmec A1 csam\n", "m:2: unknown list format 'ncmec'"},
        {"tat-json x a\ntat-json x b\n", "m:2: tat-json classification 'x' is mapped twice"},
        {"tat-json x a\x01b\n", "m:1: the category is not printable UTF-8"},
    };
    for (size_t i = 0; i < HM_ARRAY_SIZE(CASES); i++) {
        hm__list_map *m = NULL;
        hm_error e;
        CU_ASSERT_EQUAL(hm__list_map_parse(CASES[i].text, strlen(CASES[i].text), "m", &m, &e),
                        HM_E_PARSE);
        CU_ASSERT_PTR_NULL(m);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, CASES[i].why));
        if (!strstr(e.message, CASES[i].why)) fprintf(stderr, "\n  %s", e.message);
    }
    const char *ok = "tat-json far-right terror # comment\ntat-json * other topics\n";
    hm__list_map *m;
    CU_ASSERT_EQUAL_FATAL(hm__list_map_parse(ok, strlen(ok), "m", &m, NULL), HM_OK);
    CU_ASSERT_EQUAL(hm__list_map_category_count(m), 2);
    CU_ASSERT_STRING_EQUAL(hm__list_map_category(m, 1), "other topics");
    hm__list_map_free(m);
}

/* The JSON reader accepts exactly RFC 8259. */
static void test_json_strict(void)
{
    static const char *const GOOD[] = {
        "{}", " [1, -0, 0.5, 1e3, -1.5E-7, true, false, null, \"\", {\"a\": []}] ",
        "\xef\xbb\xbf{\"k\": \"\\u00e9\\ud83d\\ude00\\n\\/\"}", "\"\xc3\xa9\xf0\x9f\x98\x80\""};
    static const char *const BAD[] = {
        "", "{", "{\"a\":1,}", "[1,]", "[01]", "[+1]", "[1.]", "[.5]", "[1e]", "[NaN]",
        "[0x10]", "\"a\\q\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u0000\"",
        "\"tab\there\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"abc",
        "{} {}", "{'a': 1}", "[true false]", "[tru]", "{\"a\" 1}", "// c\n{}", "[1e999]"};
    for (size_t i = 0; i < HM_ARRAY_SIZE(GOOD) + HM_ARRAY_SIZE(BAD); i++) {
        int good = i < HM_ARRAY_SIZE(GOOD);
        const char *s = good ? GOOD[i] : BAD[i - HM_ARRAY_SIZE(GOOD)];
        hm__json j;
        hm__json_init(&j, (const uint8_t *)s, strlen(s));
        int rc = hm__json_skip(&j) || hm__json_finish(&j);
        CU_ASSERT_EQUAL(rc, good ? 0 : 1);
        if (rc != !good) fprintf(stderr, "\n  %s: '%s' %s", good ? "refused" : "accepted", s, j.error);
        hm__json_free(&j);
    }
    /* Nesting is limited; the error names its line. */
    char deep[200];
    memset(deep, '[', sizeof deep);
    hm__json j;
    hm__json_init(&j, (const uint8_t *)deep, sizeof deep);
    CU_ASSERT_EQUAL(hm__json_skip(&j), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(j.error, "nested more than 64"));
    hm__json_free(&j);
    hm__json_init(&j, (const uint8_t *)"{\n\n  \"a\": tru }", 15);
    CU_ASSERT_EQUAL(hm__json_skip(&j), -1);
    CU_ASSERT_EQUAL(j.error_line, 3);
    hm__json_free(&j);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test LISTS[] = {{"json reader is strict", test_json_strict},
                                    {"ncmec-xml replay and final state", test_ncmec},
                                    {"ncmec-xml errors", test_ncmec_errors},
                                    {"stopncii-json", test_stopncii},
                                    {"tat-json", test_tat},
                                    {"tx-text", test_tx},
                                    {"all formats, attesters by source", test_all_formats},
                                    {"category map errors", test_map_errors},
                                    {NULL, NULL}};
    tu_add_suite("lists", LISTS);
    return tu_run("test_lists");
}
