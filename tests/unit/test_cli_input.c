/* test_cli_input.c - the CLI's parsers of outside input, called directly:
 * set build's JSON lines (no read past a string ending inside a \u escape;
 * pdq_quality only as an integer 0..100), the eval JSON reader (no read past
 * an unterminated buffer; JSON's number grammar), trust and .pub text (weak
 * keys refused with their line), --max-radius and --min-quality-floor, and
 * the escaping of untrusted text.
 *
 * Over-reads are caught in every build, not only under AddressSanitizer:
 * the input is placed so that it ends where an inaccessible page begins. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "escape.h"
#include "eval.h"
#include "keyfile.h"
#include "set_input.h"
#include "testutil.h"
#include "trust_opts.h"

/* ---- inputs that end at a guard page ---- */

typedef struct guarded {
    uint8_t *map;
    size_t size;
} guarded;

/* A copy of text[0..n) whose last byte is the last readable byte. */
static char *guard(const void *text, size_t n, guarded *g)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (n / page + 1) * page;
    g->size = span + page;
    g->map = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(g->map != MAP_FAILED);
    CU_ASSERT_FATAL(mprotect(g->map + span, page, PROT_NONE) == 0);
    char *p = (char *)g->map + span - n;
    memcpy(p, text, n);
    return p;
}

static void unguard(guarded *g) { munmap(g->map, g->size); }

/* ---- stderr of the parsers ---- */

static char captured[8192];
static int saved_fd = -1;
static char capture_path[4096];

static void capture_begin(void)
{
    char *p = tu_path(tu_tmp_dir(), "stderr.txt");
    snprintf(capture_path, sizeof capture_path, "%s", p);
    free(p);
    fflush(stderr);
    saved_fd = dup(2);
    int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0 && saved_fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static const char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    FILE *f = fopen(capture_path, "rb");
    size_t n = f ? fread(captured, 1, sizeof captured - 1, f) : 0;
    captured[n] = '\0';
    if (f) fclose(f);
    return captured;
}

/* ---- set build's JSON lines ---- */

typedef struct input {
    set_input in;
    uint32_t file;
} input;

static void input_init(input *x, unsigned min_quality)
{
    memset(x, 0, sizeof *x);
    CU_ASSERT_FATAL(hm_set_builder_new(&x->in.builder) == HM_OK);
    x->in.algos = HM_MASK_ALL;
    x->in.min_quality = min_quality;
    x->in.default_category = "c";
    x->file = (uint32_t)set_input_add_file(&x->in, "t.jsonl");
}

static void input_free(input *x)
{
    hm_set_builder_free(x->in.builder);
    set_input_free(&x->in);
}

/* One JSON line, NUL-terminated, ending at a guard page. */
static void json_line(input *x, const char *line)
{
    guarded g;
    char *p = guard(line, strlen(line) + 1, &g);
    CU_ASSERT_EQUAL(set_input_json_line(&x->in, x->file, 1, p), 0);
    unguard(&g);
}

static void test_json_line_ends_in_escape(void)
{
    static const char *const CUT[] = {
        "{\"pdq\":\"\\u", "{\"pdq\":\"\\u1", "{\"pdq\":\"\\u12", "{\"pdq\":\"\\u123",
        "{\"\\u", "{\"pdq\":\"\\ud800\\u", "{\"pdq\":\"\\ud800\\u12", "{\"pdq\":\"\\ud800\\",
        "{\"pdq\":\"\\", "{\"pdq\":\"", "{\"pdq\":", "{\"pdq\":1", "{\"pdq\"", "{", "{\"pdq\":[1,{\"",
        "{\"pdq\":\"\\u00e9\"", "{\"pdq\":\"x\",", "{\"pdq\":-"};
    input x;
    input_init(&x, 50);
    cli_verbosity = -1;
    for (size_t i = 0; i < sizeof CUT / sizeof *CUT; i++) json_line(&x, CUT[i]);
    cli_verbosity = 1;
    CU_ASSERT_EQUAL(x.in.rejected, sizeof CUT / sizeof *CUT);
    CU_ASSERT_EQUAL(x.in.nrec, 0);
    input_free(&x);
}

#define P64 "1111111111111111111111111111111111111111111111111111111111111111"

static void test_json_quality(void)
{
    static const char *const BAD[] = {"10.0", "\"10\"", "-5", "1e1", "101", "\" 10\"", "null",
                                      "010", "-0", "true", "[10]", "{\"v\": 10}", "1000000000000000000000"};
    static const char *const GOOD[] = {"0", "7", "50", "100", " 100 "};
    char line[256];
    input x;
    input_init(&x, 0);
    capture_begin();
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        snprintf(line, sizeof line, "{\"pdq\": \"" P64 "\", \"pdq_quality\": %s}", BAD[i]);
        json_line(&x, line);
    }
    const char *err = capture_end();
    CU_ASSERT_EQUAL(x.in.rejected, sizeof BAD / sizeof *BAD);
    CU_ASSERT_EQUAL(x.in.nrec, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.jsonl:1: pdq_quality must be an integer 0..100, not 10.0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not \"10\"\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not 1e1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not -0\n"));
    for (size_t i = 0; i < sizeof GOOD / sizeof *GOOD; i++) {
        snprintf(line, sizeof line, "{\"pdq\": \"" P64 "\", \"pdq_quality\":%s}", GOOD[i]);
        json_line(&x, line);
    }
    CU_ASSERT_EQUAL(x.in.nrec, sizeof GOOD / sizeof *GOOD);
    CU_ASSERT_EQUAL(x.in.rejected, sizeof BAD / sizeof *BAD);
    input_free(&x);
    /* --min-quality applies to what is accepted; the quality must not hide
     * behind a second key or behind 32 other members. */
    input_init(&x, 50);
    capture_begin();
    json_line(&x, "{\"pdq\": \"" P64 "\", \"pdq_quality\": 49}");
    json_line(&x, "{\"pdq\": \"" P64 "\", \"pdq_quality\": 100, \"pdq_quality\": 10}");
    char many[1024] = "{";
    for (int i = 0; i < 32; i++) snprintf(many + strlen(many), 32, "\"k%d\": 1, ", i);
    strcat(many, "\"pdq\": \"" P64 "\", \"pdq_quality\": 10}");
    json_line(&x, many);
    err = capture_end();
    CU_ASSERT_EQUAL(x.in.rejected, 3);
    CU_ASSERT_EQUAL(x.in.nrec, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "pdq quality 49 is below --min-quality 50"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "key 'pdq_quality' appears twice"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 32 members"));
    input_free(&x);
}

/* ---- the eval JSON reader ---- */

static int parse_guarded(const char *text, jv *v)
{
    guarded g;
    size_t n = strlen(text);
    char *p = guard(text, n, &g); /* no NUL after it */
    const char *why;
    int rc = jv_parse(p, n, v, &why);
    unguard(&g);
    return rc;
}

static void test_jsonread_bounds(void)
{
    static const char *const BAD[] = {"-", "1.", "1e", "1e+", ".5", "+1", "01", "nan", "Infinity",
                                      "0x10", "[1,2", "{\"a\":12", "\"\\u12", "\"\\u12\"", "tru",
                                      "\"a\\qb\"", "[1 2]", "\"\x01\""};
    jv v;
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        CU_ASSERT_EQUAL(parse_guarded(BAD[i], &v), -1);
        if (parse_guarded(BAD[i], &v) == 0) {
            fprintf(stderr, "\n  accepted: %s", BAD[i]);
            jv_free(&v);
        }
    }
    CU_ASSERT_EQUAL_FATAL(parse_guarded("1", &v), 0);
    CU_ASSERT(v.type == JV_NUM && v.num == 1 && v.is_uint && v.u == 1);
    jv_free(&v);
    CU_ASSERT_EQUAL_FATAL(parse_guarded("-2.5e-3", &v), 0);
    CU_ASSERT(v.num == -2.5e-3 && !v.is_uint);
    jv_free(&v);
    CU_ASSERT_EQUAL_FATAL(parse_guarded("{\"a\": [0, 1e5, \"\\u00e9\\n\"]}", &v), 0);
    const jv *a = jv_get(&v, "a");
    CU_ASSERT_FATAL(a && a->type == JV_ARR && a->n == 3);
    CU_ASSERT(a->items[1].num == 1e5);
    CU_ASSERT_STRING_EQUAL(a->items[2].str, "\xc3\xa9\n");
    jv_free(&v);
    CU_ASSERT_EQUAL_FATAL(parse_guarded("1234567890123456789", &v), 0);
    CU_ASSERT(v.is_uint && v.u == 1234567890123456789ull);
    jv_free(&v);
}

/* ---- trust files and .pub files ---- */

#define IDENTITY_HEX "0100000000000000000000000000000000000000000000000000000000000000"
#define IDENTITY_B64 "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
/* An order-8 point (libsodium's blacklist; test_set_trust derives it). */
#define ORDER8_HEX "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"

static int parse_trust(const char *text, int pub, const char **err)
{
    cli_trust t;
    cli_trust_init(&t);
    char *copy = strdup(text);
    capture_begin();
    int rc = pub ? cli_trust_parse_pub(&t, "t.txt", copy, strlen(copy))
                 : cli_trust_parse_file(&t, "t.txt", copy, strlen(copy));
    *err = capture_end();
    free(copy);
    cli_trust_free(&t);
    return rc;
}

static void test_trust_text(void)
{
    uint8_t sk[32], pk[32];
    char hex[65], good[256], text[1024];
    const char *err;
    for (int i = 0; i < 32; i++) sk[i] = (uint8_t)(i + 1);
    CU_ASSERT_FATAL(hm_key_public(sk, pk, NULL) == HM_OK);
    hm_hex_encode(pk, 32, hex);
    snprintf(good, sizeof good, "key %s alice\n", hex);
    snprintf(text, sizeof text, "%sthreshold 1\n", good);
    CU_ASSERT_EQUAL(parse_trust(text, 0, &err), 0);
    CU_ASSERT_EQUAL(parse_trust(good, 1, &err), 0);
    /* A weak key anywhere: refused with its line (blank and comment lines count). */
    snprintf(text, sizeof text, "%s\n# the forged key\n\nkey " IDENTITY_HEX " evil\nthreshold 1\n", good);
    CU_ASSERT_EQUAL(parse_trust(text, 0, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.txt:5: refusing key 'evil': public key " IDENTITY_HEX
                                       " is the identity point (order 1)"));
    CU_ASSERT_EQUAL(parse_trust("key " IDENTITY_B64 " b64\nthreshold 1\n", 0, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.txt:1: refusing key 'b64'"));
    CU_ASSERT_EQUAL(parse_trust("key " ORDER8_HEX "\nthreshold 1\n", 0, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "a point of order 8"));
    CU_ASSERT_EQUAL(parse_trust("# hashmatch Ed25519 public key\nkey " IDENTITY_HEX " x\n", 1, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.txt:2: refusing key 'x'"));
    /* y >= p: not canonical. */
    CU_ASSERT_EQUAL(parse_trust("key efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f\n", 1, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a canonical encoding (y >= p)"));
    /* Names and bad lines are printed escaped. */
    CU_ASSERT_EQUAL(parse_trust("key " IDENTITY_HEX " a\x1b[2Jb\tc\n", 1, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing key 'a\\x1b[2Jb\\tc'"));
    CU_ASSERT_EQUAL(parse_trust("k\x1b[1Aey\nthreshold 1\n", 0, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown line 'k\\x1b[1Aey'"));
    CU_ASSERT_PTR_NULL(strchr(err, '\x1b'));
}

static void test_limits_text(void)
{
    hm_policy_limits l;
    const char *why;
    memset(&l, 0, sizeof l);
    CU_ASSERT_EQUAL(cli_parse_limits("pdq=64,phash=12", 0, &l, &why), 0);
    CU_ASSERT_EQUAL(cli_parse_limits("dhash=64", 0, &l, &why), 0);
    CU_ASSERT(l.max_radius[HM_ALGO_PDQ] == 64 && l.max_radius[HM_ALGO_PHASH] == 12 &&
              l.max_radius[HM_ALGO_DHASH] == 64 && l.max_radius[HM_ALGO_AHASH] == 0);
    CU_ASSERT_EQUAL(cli_parse_limits("40", 1, &l, &why), 0);
    CU_ASSERT_EQUAL(l.min_quality_floor[HM_ALGO_PDQ], 40);
    CU_ASSERT_EQUAL(cli_parse_limits("pdq=0", 1, &l, &why), 0);
    CU_ASSERT_EQUAL(l.min_quality_floor[HM_ALGO_PDQ], HM_POLICY_UNLIMITED);
    static const char *const BAD_RADIUS[] = {"", "31", "pdq=", "pdq=0", "pdq=257", "phash=65",
                                             "md5=1", "foo=3", "pdq=3x", "pdq=-1", "pdq=+3"};
    for (size_t i = 0; i < sizeof BAD_RADIUS / sizeof *BAD_RADIUS; i++)
        CU_ASSERT_EQUAL(cli_parse_limits(BAD_RADIUS[i], 0, &l, &why), -1);
    CU_ASSERT_EQUAL(cli_parse_limits("101", 1, &l, &why), -1);
    CU_ASSERT_EQUAL(cli_parse_limits("phash=3", 1, &l, &why), -1);
}

static void test_secret_key_text(void)
{
    uint8_t sk[32], back[32];
    for (int i = 0; i < 32; i++) sk[i] = (uint8_t)(255 - i);
    size_t n;
    char *pem = cli_secret_key_text(sk, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
    const char *err;
    CU_ASSERT_EQUAL(cli_parse_secret_key((const uint8_t *)pem, n, "k.key", back), 0);
    CU_ASSERT_EQUAL(memcmp(sk, back, 32), 0);
    capture_begin();
    CU_ASSERT_EQUAL(cli_parse_secret_key((const uint8_t *)pem, n / 2, "k.key", back), -1);
    CU_ASSERT_EQUAL(cli_parse_secret_key((const uint8_t *)"", 0, "k.key", back), -1);
    err = capture_end();
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "k.key: not an Ed25519 private key"));
    cli_free_secret_text(pem, n);
    /* An encrypted key is refused without OpenSSL asking for a passphrase on
     * the terminal (its default). */
    char *path = tu_path(HM_TEST_SOURCE_DIR, "tests/fuzz/corpus/secret_key/encrypted.key");
    size_t en;
    uint8_t *enc = tu_read(path, &en);
    free(path);
    capture_begin();
    CU_ASSERT_EQUAL(cli_parse_secret_key(enc, en, "enc.key", back), -1);
    err = capture_end();
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "enc.key: an encrypted private key"));
    CU_ASSERT_PTR_NULL(strstr(err, "pass phrase"));
    free(enc);
}

/* ---- escaping ---- */

static void test_escape(void)
{
    static const struct {
        const char *in, *out;
    } C[] = {
        {"plain text, caf\xc3\xa9 \xe2\x9c\x93", "plain text, caf\xc3\xa9 \xe2\x9c\x93"},
        {"a\tb\nc\rd", "a\\tb\\nc\\rd"},
        {"back\\slash", "back\\\\slash"},
        {"\x1b[2J\x7f", "\\x1b[2J\\x7f"},
        {"bad \xff\xfe utf8 \xc3", "bad \\xff\\xfe utf8 \\xc3"},
        {"over\xc0\xaflong", "over\\xc0\\xaflong"},
        {"c1 \xc2\x85", "c1 \\xc2\\x85"},
        {"rtl \xe2\x80\xae" "gpj.exe", "rtl \\xe2\\x80\\xaegpj.exe"},
        {"isolate \xe2\x81\xa6x", "isolate \\xe2\\x81\\xa6x"},
        {"", ""},
    };
    char out[128];
    for (size_t i = 0; i < sizeof C / sizeof *C; i++) {
        CU_ASSERT_STRING_EQUAL(cli_escape_into(C[i].in, out, sizeof out), C[i].out);
        cli_buf b;
        cli_buf_init(&b);
        cli_buf_escaped(&b, C[i].in);
        CU_ASSERT_STRING_EQUAL(b.data ? b.data : "", C[i].out);
        cli_buf_free(&b);
    }
    /* Cut short, never in the middle of an escape, always terminated. */
    CU_ASSERT_STRING_EQUAL(cli_escape_into("abcdefghij", out, 8), "abcd...");
    CU_ASSERT_STRING_EQUAL(cli_escape_into("\x01\x02\x03", out, 10), "\\x01...");
    CU_ASSERT_STRING_EQUAL(cli_escape_into("abc", out, 4), "abc");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test T[] = {
        {"set build JSON: a line ending inside an escape", test_json_line_ends_in_escape},
        {"set build JSON: pdq_quality is an integer 0..100", test_json_quality},
        {"eval JSON: bounded reads, JSON numbers", test_jsonread_bounds},
        {"trust and .pub text: weak keys with their line", test_trust_text},
        {"--max-radius and --min-quality-floor", test_limits_text},
        {".key text", test_secret_key_text},
        {"escaping untrusted text", test_escape},
        {NULL, NULL}};
    tu_add_suite("cli input", T);
    return tu_run("test_cli_input");
}
