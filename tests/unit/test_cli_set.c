/* test_cli_set.c - the keygen and set commands end to end through the
 * hashmatch binary: exit statuses, key outputs, file modes. */
#define _POSIX_C_SOURCE 200809L
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "set_fixture.h"

/* The content digest of demo.hmset (built from LIST and JSONL below). */
#define DEMO_DIGEST "c9419dd577482255d2ed8f7f4f130b649a68a26e5228095838aa7d135e6012a6"

static char out_text[1 << 16], err_text[1 << 16];

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

/* Runs `hashmatch ARGS` in the scratch directory; captures stdout/stderr. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    /* A cross build runs the tool under its emulator (qemu-user). */
    const char *emu = getenv("HM_TEST_EMULATOR");
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s/hashmatch' %s >out.txt 2>err.txt", tu_tmp_dir(),
             emu ? emu : "", HM_TEST_BINARY_DIR, args);
    int st = system(cmd);
    char *o = tu_path(tu_tmp_dir(), "out.txt"), *e = tu_path(tu_tmp_dir(), "err.txt");
    slurp(o, out_text, sizeof out_text);
    slurp(e, err_text, sizeof err_text);
    free(o);
    free(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_text(const char *name, const char *text)
{
    char *p = tu_path(tu_tmp_dir(), name);
    CU_ASSERT_EQUAL_FATAL(tu_write(p, text, strlen(text)), 0);
    free(p);
}

static int exists(const char *name)
{
    char *p = tu_path(tu_tmp_dir(), name);
    struct stat st;
    int r = stat(p, &st) == 0;
    free(p);
    return r;
}

#define EXPECT(status, ...)                                                                       \
    do {                                                                                          \
        int rc_ = run(__VA_ARGS__);                                                               \
        CU_ASSERT_EQUAL(rc_, status);                                                             \
        if (rc_ != (status)) fprintf(stderr, "\n  exit %d: %s%s", rc_, out_text, err_text);      \
    } while (0)

static const char LIST[] =
    "# a comment\n"
    "algo,hash,category,attesters,external_id\n"
    "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,csam,2,NCMEC-1\n"
    "pdq,0000000000000000000000000000000000000000000000000000000000000000,csam\n"
    "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2,csam\n"
    "phash\td1c4b4b4f0f0e0e0\tterror\t1\tGIFCT, item 9\n"
    "md5,D41D8CD98F00B204E9800998ECF8427E,other\n"
    "sha256,zz,csam\n"
    "foo,abcd\n"
    "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,terror\n"
    "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,csam,3\n"
    "md5,d41d8cd98f00b204e9800998ecf8427e,other,1,IWF-1\n"
    "md5,d41d8cd98f00b204e9800998ecf8427e,other,2,IWF-2\n";

static const char JSONL[] =
    "{\"path\": \"a.jpg\", \"width\": 10, \"height\": 10, \"pdq\": "
    "\"1111111111111111111111111111111111111111111111111111111111111111\", \"pdq_quality\": 100, "
    "\"md5\": \"00112233445566778899aabbccddeeff\", \"pdq_dihedral\": [\"aa\", \"bb\"]}\n"
    "{\"path\": \"b.jpg\", \"pdq\": \"2222222222222222222222222222222222222222222222222222222222222222\", "
    "\"pdq_quality\": 20}\n"
    "{\"path\": \"c.jpg\", \"error\": \"image_corrupt\", \"message\": \"bad \\\"huffman\\\" table\"}\n"
    "{\"path\": \"d.jpg\", \"sha1\": \"da39a3ee5e6b4b0d3255bfef95601890afd80709\", \"category\": "
    "\"terror\", \"attesters\": 2, \"external_id\": \"caf\\u00e9\"}\n";

#define TIMES "--created 2024-01-01 --expires 2030-01-01T00:00:00Z"
#define CATS "--categories csam,terror,other"

static void test_keygen(void)
{
    mode_t old = umask(0); /* the key must be 0600 without relying on the umask */
    EXPECT(0, "keygen --out alice");
    umask(old);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "key id: "));
    char *p = tu_path(tu_tmp_dir(), "alice.key");
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    free(p);
    p = tu_path(tu_tmp_dir(), "alice.pub");
    char pub[1024];
    slurp(p, pub, sizeof pub);
    free(p);
    /* The .pub's key line and key id agree with the library. */
    const char *k = strstr(pub, "\nkey ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    char hex[65];
    memcpy(hex, k + 5, 64);
    hex[64] = '\0';
    uint8_t key[32], id[32];
    CU_ASSERT_EQUAL_FATAL(hm_hex_decode(hex, key, 32), HM_OK);
    CU_ASSERT_EQUAL(hm_key_id(key, id, NULL), HM_OK);
    hm_hex_encode(id, 32, hex);
    CU_ASSERT_PTR_NOT_NULL(strstr(pub, hex));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, hex));
    CU_ASSERT_PTR_NOT_NULL(strstr(pub, " alice\n"));
    /* Never overwritten. */
    EXPECT(2, "keygen --out alice");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "refusing to overwrite"));
    char pub2[1024];
    p = tu_path(tu_tmp_dir(), "alice.pub");
    slurp(p, pub2, sizeof pub2);
    free(p);
    CU_ASSERT_STRING_EQUAL(pub, pub2);
    EXPECT(0, "keygen -q --out bob --comment 'Bob at Org B'");
    CU_ASSERT_STRING_EQUAL(out_text, "");
    EXPECT(0, "keygen -q --out carol");
    EXPECT(2, "keygen");
}

static void test_build_refusals(void)
{
    write_text("list.csv", LIST);
    write_text("hashes.jsonl", JSONL);
    EXPECT(2, "set build --out refused.hmset --name demo --version 1 " TIMES " " CATS
              " list.csv hashes.jsonl");
    static const char *const WANT[] = {
        "list.csv:4: the all-zero PDQ hash",
        "list.csv:5: pdq hash has 63 hex digits, expected 64",
        "list.csv:8: sha256 hash has 2 hex digits",
        "list.csv:9: unknown algorithm 'foo'",
        "hashes.jsonl:2: pdq quality 20 is below --min-quality 50",
        "hashes.jsonl:3: hashing failed: bad \"huffman\" table",
        "list.csv:10: repeats list.csv:3 with another category (terror, not csam)",
        "list.csv:13: repeats list.csv:12 with another external id (IWF-2, not IWF-1)"};
    for (size_t i = 0; i < sizeof WANT / sizeof *WANT; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(err_text, WANT[i]));
        if (!strstr(err_text, WANT[i])) fprintf(stderr, "\n  missing: %s", WANT[i]);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "8 lines refused: nothing written"));
    CU_ASSERT_FALSE(exists("refused.hmset"));
    /* A category outside the closed list. */
    write_text("cat.csv", "md5,d41d8cd98f00b204e9800998ecf8427e,weapons\n");
    EXPECT(2, "set build --out x.hmset --name x --version 1 " CATS " cat.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "cat.csv:1: category 'weapons' is not in --categories"));
    EXPECT(2, "set build --out x.hmset --name x --version 1 --expires 2020-13-01 cat.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "--expires"));
    EXPECT(2, "set build --out x.hmset --name x --version 0 cat.csv");
    EXPECT(2, "set build --out x.hmset --name x --version 1 --radius pdq=257 cat.csv");
    EXPECT(2, "set build --out x.hmset --name x --version 1 --radius md5=1 cat.csv");
    CU_ASSERT_FALSE(exists("x.hmset"));
}

static hm_set *open_tmp(const char *name)
{
    char *p = tu_path(tu_tmp_dir(), name);
    hm_set *s = NULL;
    hm_error e;
    if (hm_set_open_file_unverified(p, &s, &e) != HM_OK) fprintf(stderr, "\n  %s: %s", name, e.message);
    free(p);
    return s;
}

static void test_build_sign_verify(void)
{
    EXPECT(0, "set build --out demo.hmset --name demo --issuer 'Test Org' --version 1 " TIMES " " CATS
              " --skip-invalid list.csv hashes.jsonl");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "pdq 2, phash 1, md5 2, sha1 1"));
    hm_set *s = open_tmp("demo.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_PDQ)->entry_count, 2);
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_MD5)->entry_count, 2);
    CU_ASSERT_EQUAL(hm_set_created(s), 1704067200);
    CU_ASSERT_EQUAL(hm_set_expires(s), 1893456000);
    hm_set_entry e;
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 1, &e), HM_OK);
    CU_ASSERT_EQUAL(e.attesters, 3); /* lines 3 (2) and 11 (3) merged: the larger */
    CU_ASSERT_STRING_EQUAL(e.external_id, "NCMEC-1");
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PHASH, 0, &e), HM_OK);
    CU_ASSERT_STRING_EQUAL(e.external_id, "GIFCT, item 9");
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_SHA1, 0, &e), HM_OK);
    CU_ASSERT_STRING_EQUAL(e.external_id, "caf\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(e.category_name, "terror");
    CU_ASSERT_EQUAL(e.attesters, 2);
    /* The content is fully determined by the input: its digest is pinned
     * (a change here is a change of the format). */
    char hex[65];
    hm_hex_encode(hm_set_digest(s), 32, hex);
    CU_ASSERT_STRING_EQUAL(hex, DEMO_DIGEST);
    if (strcmp(hex, DEMO_DIGEST)) fprintf(stderr, "\n  digest %s", hex);
    hm_set_free(s);

    EXPECT(1, "set verify --trusted-key alice.pub demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "rejected: set_threshold: 0 valid signatures"));
    EXPECT(0, "set sign --key alice.key demo.hmset");
    EXPECT(0, "set sign -q --key bob.key demo.hmset");
    EXPECT(1, "set sign --key alice.key demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_duplicate_key"));
    EXPECT(0, "set verify --trusted-key alice.pub --trusted-key bob.pub --trusted-key carol.pub "
              "--threshold 2 --now 2025-06-01 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "demo.hmset: OK"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "signatures: 2 valid by trusted keys (threshold 2 of 3): alice, Bob at Org B"));
    EXPECT(1, "set verify --trusted-key alice.pub --trusted-key bob.pub --trusted-key carol.pub "
              "--threshold 3 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_threshold: 2 valid signatures by trusted keys, the threshold is 3"));
    /* A trust file made of the .pub files plus a threshold. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && cat alice.pub bob.pub carol.pub > trust.txt && echo 'threshold 2' >> trust.txt",
             tu_tmp_dir());
    CU_ASSERT_EQUAL(system(cmd), 0);
    EXPECT(0, "set verify --trust trust.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, ": alice, Bob at Org B"));
    EXPECT(1, "set verify --trust trust.txt --min-version 2 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_rollback"));
    EXPECT(0, "set verify --trust trust.txt --min-version 1 demo.hmset");
    EXPECT(1, "set verify --trust trust.txt --now 2030-01-01 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_expired: expired 2030-01-01T00:00:00Z"));
    EXPECT(1, "set verify --trust trust.txt --now @1704067199 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_not_yet_valid"));
    /* Alice's signature is by a key the policy does not list. */
    EXPECT(1, "set verify --trusted-key bob.pub demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_unknown_key: signature 0"));
    EXPECT(0, "set verify --trusted-key bob.pub --allow-unknown-keys demo.hmset");
    /* Trust file syntax: comments after statements, base64 keys, and the
     * allow-unknown-keys statement (Bob's signature is by an unknown key). */
    char *pp = tu_path(tu_tmp_dir(), "bob.pub"), pubtext[1024], trust2[2048];
    slurp(pp, pubtext, sizeof pubtext);
    free(pp);
    uint8_t bobkey[32];
    unsigned char b64[64];
    const char *kl = strstr(pubtext, "\nkey ");
    char bobhex[65];
    memcpy(bobhex, kl + 5, 64);
    bobhex[64] = '\0';
    CU_ASSERT_EQUAL_FATAL(hm_hex_decode(bobhex, bobkey, 32), HM_OK);
    EVP_EncodeBlock(b64, bobkey, 32);
    snprintf(trust2, sizeof trust2,
             "# only Bob, in base64\n  key %s   Bob # the publisher\nthreshold 1 # one is enough\n"
             "allow-unknown-keys\n", b64);
    write_text("trust2.txt", trust2);
    EXPECT(0, "set verify --trust trust2.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "(threshold 1 of 1): Bob\n"));
    snprintf(trust2, sizeof trust2, "key %s Bob\nthreshold 1\n", b64);
    write_text("trust3.txt", trust2);
    EXPECT(1, "set verify --trust trust3.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_unknown_key"));
    write_text("trust4.txt", "key 00 x\nthreshold 1\nfrobnicate\n");
    EXPECT(2, "set verify --trust trust4.txt demo.hmset");
    write_text("trust4.txt", "threshold 1\n");
    EXPECT(2, "set verify --trust trust4.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "needs at least one 'key' line"));
    /* Option errors are exit 2, not a rejection. */
    EXPECT(2, "set verify demo.hmset");
    EXPECT(2, "set verify --trust trust.txt --trusted-key bob.pub demo.hmset");
    EXPECT(2, "set verify --trusted-key bob.pub --threshold 2 demo.hmset");
    EXPECT(2, "set verify --trust trust.txt missing.hmset");
    write_text("bad-trust.txt", "key abcd alice\nthreshold 1\n");
    EXPECT(2, "set verify --trust bad-trust.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "bad-trust.txt:1: 'abcd' is not an Ed25519 public key"));
    snprintf(cmd, sizeof cmd, "cd '%s' && cat alice.pub alice.pub > dup-trust.txt && echo 'threshold 2' >> dup-trust.txt",
             tu_tmp_dir());
    CU_ASSERT_EQUAL(system(cmd), 0);
    EXPECT(2, "set verify --trust dup-trust.txt demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "the same key is listed twice"));
    /* No temporary files are left behind by the writes. */
    DIR *d = opendir(tu_tmp_dir());
    struct dirent *ent;
    int temps = 0;
    while ((ent = readdir(d)) != NULL) temps += strstr(ent->d_name, ".tmp-") != NULL;
    closedir(d);
    CU_ASSERT_EQUAL(temps, 0);
}

static void test_tampered(void)
{
    char *p = tu_path(tu_tmp_dir(), "demo.hmset");
    size_t n;
    uint8_t *d = tu_read(p, &n);
    free(p);
    size_t cs = tf_content_size(d);
    d[cs - 70] ^= 1;
    p = tu_path(tu_tmp_dir(), "tampered.hmset");
    CU_ASSERT_EQUAL(tu_write(p, d, n), 0);
    free(p);
    EXPECT(1, "set verify --trust trust.txt tampered.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_digest"));
    EXPECT(2, "set digest tampered.hmset");
    d[cs - 70] ^= 1;
    d[n - 1] ^= 1;
    p = tu_path(tu_tmp_dir(), "tampered.hmset");
    CU_ASSERT_EQUAL(tu_write(p, d, n), 0);
    free(p);
    EXPECT(1, "set verify --trust trust.txt tampered.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_bad_signature: signature 1 by trusted key 1"));
    /* A signer vouches for the content, which is intact: signing works. */
    EXPECT(0, "set sign --key carol.key tampered.hmset");
    free(d);
}

static void test_inspect_digest(void)
{
    EXPECT(0, "set digest demo.hmset");
    char want[256];
    snprintf(want, sizeof want, "%s  demo.hmset\n", DEMO_DIGEST);
    CU_ASSERT_STRING_EQUAL(out_text, want);
    /* Independently: SHA-256 of the first content-size bytes. */
    char *p = tu_path(tu_tmp_dir(), "demo.hmset");
    size_t n;
    uint8_t *d = tu_read(p, &n), md[32];
    free(p);
    unsigned mdn;
    EVP_Digest(d, tf_content_size(d), md, &mdn, EVP_sha256(), NULL);
    char hex[65];
    hm_hex_encode(md, 32, hex);
    CU_ASSERT_STRING_EQUAL(hex, DEMO_DIGEST);
    free(d);
    EXPECT(0, "set inspect demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "name:           demo\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "issuer:         Test Org\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "expires:        2030-01-01T00:00:00Z\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "verified:       no"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "pdq      fullres      31           31          50         2         2         0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "signatures:     2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "not checked"));
    EXPECT(0, "set inspect --trust trust.txt --min-attesters 2 demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "verified:       yes (threshold 2 of 3 trusted keys)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "valid (alice)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "pdq      fullres      31           31          50         2         1         0\n"));
    EXPECT(0, "set inspect --json demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"name\": \"demo\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"verified\": false"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"per_category\": {\"csam\": 2, \"terror\": 0, \"other\": 0}"));
    snprintf(want, sizeof want, "\"digest\": \"%s\"", DEMO_DIGEST);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, want));
    EXPECT(1, "set inspect --trusted-key carol.pub demo.hmset");
}

static void test_diff(void)
{
    write_text("more.csv", "sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,other,1,new\n"
                           "phash,d1c4b4b4f0f0e0e0,terror,2\n");
    write_text("allow.csv", "pdq,0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n");
    EXPECT(2, "set build --out v2.hmset --name demo --version 1 --previous demo.hmset " CATS " more.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "must be greater than the previous set's version 1"));
    EXPECT(0, "set build --out v2.hmset --name demo --version 2 --previous demo.hmset " TIMES " " CATS
              " --radius pdq=20 --allow allow.csv --skip-invalid list.csv more.csv");
    EXPECT(1, "set diff demo.hmset v2.hmset");
    static const char *const WANT[] = {
        "chain: the new set names the old one as its previous version\n",
        "version: 1 -> 2\n",
        "policy: pdq radius 31 -> 20\n",
        "- pdq 1111111111111111111111111111111111111111111111111111111111111111 csam attesters=1\n",
        "- md5 00112233445566778899aabbccddeeff csam attesters=1\n",
        "- sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 terror attesters=2 id=caf\xc3\xa9\n",
        "~ phash d1c4b4b4f0f0e0e0 attesters 1 -> 2\n",
        "+ sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 other attesters=1 id=new\n",
        "+allow pdq 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n",
        "summary: 1 added, 3 removed, 1 changed; allowlist 1 added, 0 removed\n"};
    for (size_t i = 0; i < sizeof WANT / sizeof *WANT; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(out_text, WANT[i]));
        if (!strstr(out_text, WANT[i])) fprintf(stderr, "\n  missing: %s", WANT[i]);
    }
    EXPECT(1, "set diff --json demo.hmset v2.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "{\"change\": \"added\", \"algo\": \"sha256\""));
    EXPECT(0, "set diff demo.hmset demo.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "summary: 0 added, 0 removed, 0 changed"));
    EXPECT(2, "set diff demo.hmset");
    hm_set *s = open_tmp("v2.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    hm_set *o = open_tmp("demo.hmset");
    CU_ASSERT_EQUAL(memcmp(hm_set_previous_digest(s), hm_set_digest(o), 32), 0);
    hm_set_free(o);
    hm_set_free(s);
}

/* Videos end to end: hash (JSON lines and vpdq-hash-video's own files),
 * build with the video policy, sign, verify, inspect, scan, diff. */
static void test_videos(void)
{
    if (!hm_video_supported()) return;
    const char *data = tu_data_dir();
    EXPECT(0, "keygen -q --out vk");
    EXPECT(0, "hash --json --algo vpdq,md5 %s/video/vp8-64x48.webm", data);
    write_text("v.jsonl", out_text);
    EXPECT(0, "hash -q --algo vpdq --vpdq-dir . %s/video/h264-yuv420p-64x48.mp4", data);
    CU_ASSERT(exists("h264-yuv420p-64x48.txt"));
    write_text("bad.txt", "0,100,79cf319a8118d10c9118f9ba279a279a664e0798b7b2b7b0b7b0fef78118684f,0.000\n"
                          "1,101,79cf319a8118d10c9118f9ba279a279a664e0798b7b2b7b0b7b0fef78118684f,0.100\n");
    EXPECT(2, "set build --out bad.hmset --name v --version 1 bad.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "bad.txt:2: not a vpdq line"));
    EXPECT(2, "set build --out bad.hmset --name v --version 1 --vpdq-query-pct 100.5 v.jsonl");
    EXPECT(0, "set build --out v1.hmset --name v --version 1 --categories demo --vpdq-seconds 0.1 "
              "--vpdq-query-pct 75.5 --radius vpdq=24 v.jsonl h264-yuv420p-64x48.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "2 videos"));
    EXPECT(0, "set sign -q --key vk.key v1.hmset");
    EXPECT(0, "set verify --trusted-key vk.pub v1.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "vpdq 2"));
    EXPECT(0, "set inspect v1.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "vpdq: 2 videos, 19 frames; sampled every 100 ms; frames "
                                            "match within 24 bits"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, ">= 75.50% of its frames"));
    EXPECT(1, "scan --set v1.hmset --trusted-key vk.pub %s/video/vp8-64x48.webm "
              "%s/video/h264-yuv420p-64x48.mp4", data, data);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "vp8-64x48.webm\tmd5 entry 0 distance 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "vp8-64x48.webm\tvpdq entry"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "query 100.00% (10/10) compared 100.00% (10/10)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "id h264-yuv420p-64x48"));
    EXPECT(1, "scan --json --set v1.hmset --trusted-key vk.pub %s/video/vp8-64x48.webm", data);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"video_matches\": [{\"kind\": \"video\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"vpdq_frames\": 10"));
    EXPECT(2, "scan --set v1.hmset --trusted-key vk.pub %s/video/refused-mjpeg-64x48.avi", data);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "video_codec"));
    /* the next release drops the H.264 video */
    EXPECT(0, "set build -q --out v2.hmset --name v --version 2 --previous v1.hmset --categories demo "
              "--vpdq-seconds 0.1 --vpdq-query-pct 75.5 --radius vpdq=24 v.jsonl");
    EXPECT(1, "set diff v1.hmset v2.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "- vpdq"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "0 added, 1 removed"));
}

static void test_times(void)
{
    write_text("t.csv", "md5,d41d8cd98f00b204e9800998ecf8427e\n");
    EXPECT(0, "set build -q --out t.hmset --name t --version 5 --created 2024-02-29T12:30:15Z --expires +1d t.csv");
    hm_set *s = open_tmp("t.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(hm_set_created(s), 1709209815);
    CU_ASSERT_EQUAL(hm_set_expires(s), 1709209815 + 86400);
    CU_ASSERT_STRING_EQUAL(hm_set_category_name(s, 0), "unspecified");
    hm_set_free(s);
    EXPECT(0, "set build -q --out t.hmset --name t --version 5 --created '2024-02-29 12:30' --expires @1709300000 t.csv");
    s = open_tmp("t.hmset");
    CU_ASSERT_EQUAL(hm_set_created(s), 1709209800);
    CU_ASSERT_EQUAL(hm_set_expires(s), 1709300000);
    hm_set_free(s);
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2023-02-29 t.csv");
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2024-01-01T10:00+02:00 t.csv");
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2024-01-02 --expires 2024-01-01 t.csv");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test CLI[] = {
        {"keygen", test_keygen},
        {"build refusals", test_build_refusals},
        {"build, sign (2 of 3), verify", test_build_sign_verify},
        {"tampered files", test_tampered},
        {"inspect and digest", test_inspect_digest},
        {"diff", test_diff},
        {"times", test_times},
        {"videos", test_videos},
        {NULL, NULL}};
    tu_add_suite("cli set", CLI);
    return tu_run("test_cli_set");
}
