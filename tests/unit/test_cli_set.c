/* test_cli_set.c - the keygen and set commands end to end through the
 * hashmatch binary: exit statuses, key outputs, file modes. */
#define _POSIX_C_SOURCE 200809L
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "set_fixture.h"

/* The content digest of demo.hmset (built from LIST and JSONL below). */
#define DEMO_DIGEST "c9419dd577482255d2ed8f7f4f130b649a68a26e5228095838aa7d135e6012a6"

/* `hashmatch ARGS` in the scratch directory (testutil.h) */
#define run tu_cli
#define out_text tu_cli_out
#define err_text tu_cli_err

#define slurp tu_slurp

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

#define EXPECT TU_CLI_EXPECT

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
    /* Two videos of one name in two directories: the second is not written
     * over the first, and the run fails. */
    char a[4096], b[4096], la[4096], lb[4096];
    snprintf(a, sizeof a, "%s/video/vp8-64x48.webm", data); /* CMake gives an absolute path */
    snprintf(b, sizeof b, "%s/video/h264-yuv420p-64x48.mp4", data);
    const char *tmp = tu_tmp_dir();
    snprintf(la, sizeof la, "%s/va", tmp), mkdir(la, 0700);
    snprintf(la, sizeof la, "%s/vb", tmp), mkdir(la, 0700);
    snprintf(la, sizeof la, "%s/vout", tmp), mkdir(la, 0700);
    snprintf(la, sizeof la, "%s/va/clip.webm", tmp);
    snprintf(lb, sizeof lb, "%s/vb/clip.mp4", tmp);
    CU_ASSERT_EQUAL(symlink(a, la) | symlink(b, lb), 0);
    EXPECT(2, "hash -q --algo vpdq --vpdq-dir vout va/clip.webm vb/clip.mp4");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "vout/clip.txt: already written for another video"));
    EXPECT(0, "hash -q --algo vpdq --vpdq-dir . va/clip.webm");
    CU_ASSERT(exists("clip.txt") && exists("vout/clip.txt"));
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
    /* --max-validity: the set lives 1 day; 1 day is accepted, never 0. */
    EXPECT(0, "keygen -q --out timer");
    EXPECT(0, "set sign -q --key timer.key t.hmset");
    EXPECT(0, "set verify -q --trusted-key timer.pub --now 2024-03-01 --max-validity 1 t.hmset");
    EXPECT(2, "set verify -q --trusted-key timer.pub --now 2024-03-01 --max-validity 0 t.hmset");
    EXPECT(0, "set build -q --out t.hmset --name t --version 5 --created 2024-02-29T12:30:15Z --expires +2d t.csv");
    EXPECT(0, "set sign -q --key timer.key t.hmset");
    EXPECT(1, "set verify --trusted-key timer.pub --now 2024-03-01 --max-validity 1 t.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "rejected: set_policy: valid for 172800 seconds (2.0 days"));
    /* --max-set-size: a ceiling on the file's size, in bytes or K/M/G */
    struct stat st;
    char *tpath = tu_path(tu_tmp_dir(), "t.hmset");
    CU_ASSERT_FATAL(stat(tpath, &st) == 0 && st.st_size > 100 && st.st_size < 4096);
    free(tpath);
    EXPECT(0, "set verify -q --trusted-key timer.pub --now 2024-03-01 --max-set-size 4K t.hmset");
    EXPECT(0, "set verify -q --trusted-key timer.pub --now 2024-03-01 --max-set-size %lld t.hmset",
           (long long)st.st_size);
    EXPECT(1, "set verify --trusted-key timer.pub --now 2024-03-01 --max-set-size %lld t.hmset",
           (long long)st.st_size - 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "file_too_large: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "more than this client's maximum set size"));
    EXPECT(2, "set verify --trusted-key timer.pub --max-set-size 0 t.hmset");
    EXPECT(2, "set verify --trusted-key timer.pub --max-set-size 2048G t.hmset");
    EXPECT(2, "set verify --trusted-key timer.pub --max-set-size 12X t.hmset");
    EXPECT(2, "set verify --trusted-key timer.pub --max-set-size K t.hmset");
    EXPECT(0, "set build -q --out t.hmset --name t --version 5 --created '2024-02-29 12:30' --expires @1709300000 t.csv");
    s = open_tmp("t.hmset");
    CU_ASSERT_EQUAL(hm_set_created(s), 1709209800);
    CU_ASSERT_EQUAL(hm_set_expires(s), 1709300000);
    hm_set_free(s);
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2023-02-29 t.csv");
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2024-01-01T10:00+02:00 t.csv");
    EXPECT(2, "set build --out t.hmset --name t --version 5 --created 2024-01-02 --expires 2024-01-01 t.csv");
}

/* ---- the attacks of docs/TRUST.md, "Attacks and the tests that cover them" ---- */

static void read_tmp(const char *name, char *buf, size_t cap)
{
    char *p = tu_path(tu_tmp_dir(), name);
    slurp(p, buf, cap);
    free(p);
}

#define IDENTITY_HEX "0100000000000000000000000000000000000000000000000000000000000000"

/* The forged set: an unsigned set plus one signature record by the
 * identity key with R = the identity and S = 0 (OpenSSL accepts it). */
static void write_forged(const char *name)
{
    write_text("forged.csv", "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n"
                             "md5,d41d8cd98f00b204e9800998ecf8427e\n");
    EXPECT(0, "set build -q --out forged-unsigned.hmset --name forged --version 9 " TIMES " forged.csv");
    char *p = tu_path(tu_tmp_dir(), "forged-unsigned.hmset");
    size_t n;
    uint8_t *d = tu_read(p, &n), key[32] = {1}, *f = malloc(n + 96);
    free(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memcpy(f, d, n);
    unsigned mdn;
    EVP_Digest(key, 32, f + n, &mdn, EVP_sha256(), NULL);
    memset(f + n + 32, 0, 64);
    f[n + 32] = 1;
    hm__store_le32(f + tf_content_size(d) + 40, 1);
    p = tu_path(tu_tmp_dir(), name);
    CU_ASSERT_EQUAL(tu_write(p, f, n + 96), 0);
    free(p);
    free(f);
    free(d);
}

static void test_forged_identity_key(void)
{
    write_forged("forged.hmset");
    write_text("forged-trust.txt", "key " IDENTITY_HEX " forger\nthreshold 1\n");
    write_text("forged.pub", "# hashmatch Ed25519 public key\nkey " IDENTITY_HEX " forger\n");
    static const char *const HOW[] = {"--trust forged-trust.txt", "--trusted-key forged.pub",
                                      ("--trusted-key " IDENTITY_HEX),
                                      "--trusted-key AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
    for (size_t i = 0; i < sizeof HOW / sizeof *HOW; i++) {
        EXPECT(2, "set verify %s --now 2025-06-01 forged.hmset", HOW[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "public key " IDENTITY_HEX " is the identity point (order 1)"));
        CU_ASSERT_PTR_NULL(strstr(out_text, "OK"));
        EXPECT(2, "scan --set forged.hmset %s --now 2025-06-01 %s/cli/ramp.jpg", HOW[i], tu_data_dir());
        CU_ASSERT_STRING_EQUAL(out_text, "");
        EXPECT(2, "set inspect %s --now 2025-06-01 forged.hmset", HOW[i]);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "--trusted-key: refusing key"));
    EXPECT(2, "set verify --trust forged-trust.txt forged.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "forged-trust.txt:1: refusing key 'forger'"));
    EXPECT(2, "set verify --trusted-key forged.pub forged.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "forged.pub:2: refusing key 'forger'"));
    /* An order-8 point and a non-canonical encoding, in a longer trust file. */
    write_text("weak-trust.txt", "key 26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85 w8\n");
    EXPECT(2, "set verify --trust weak-trust.txt forged.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "weak-trust.txt:1: refusing key 'w8'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "a point of order 8"));
    write_text("weak-trust.txt", "# p + 2\n\nkey efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f nc\n");
    EXPECT(2, "set verify --trust weak-trust.txt forged.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "weak-trust.txt:3: refusing key 'nc'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "not a canonical encoding (y >= p)"));
}

static void test_policy_limits(void)
{
    write_text("wide.csv", "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n");
    EXPECT(0, "set build --out wide.hmset --name wide --version 1 " TIMES
              " --radius pdq=256 --min-quality 0 wide.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "warning: pdq radius 256, allowlist radius 256: clients with "
                                            "the default limits refuse radii above 31"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "warning: pdq minimum quality 0"));
    EXPECT(0, "set sign -q --key alice.key wide.hmset");
    EXPECT(1, "set verify --trusted-key alice.pub --now 2025-06-01 wide.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "rejected: set_policy: pdq radius 256 is above this client's maximum radius 31"));
    EXPECT(1, "set verify --trusted-key alice.pub --now 2025-06-01 --max-radius pdq=256 wide.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set_policy: pdq minimum quality 0 is below this client's floor 50"));
    EXPECT(0, "set verify --trusted-key alice.pub --now 2025-06-01 --max-radius pdq=256 "
              "--min-quality-floor 0 wide.hmset");
    /* The scanner: refused by default; with the limits lifted every image matches. */
    char img[4096];
    snprintf(img, sizeof img, "%s/cli/ramp.jpg", tu_data_dir());
    EXPECT(2, "scan --set wide.hmset --trusted-key alice.pub --now 2025-06-01 %s", img);
    CU_ASSERT_STRING_EQUAL(out_text, "");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "set rejected: set_policy: pdq radius 256"));
    EXPECT(1, "scan --set wide.hmset --trusted-key alice.pub --now 2025-06-01 --max-radius pdq=256 "
              "--min-quality-floor 0 %s", img);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "MATCH\t"));
    /* An allowlist radius beyond the ceiling would hide matches far from any
     * known false positive: refused the same way. */
    write_text("allow-wide.csv", "pdq,0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n");
    EXPECT(0, "set build -q --out hide.hmset --name hide --version 1 " TIMES
              " --allow-radius pdq=256 --allow allow-wide.csv wide.csv");
    EXPECT(0, "set sign -q --key alice.key hide.hmset");
    EXPECT(1, "set verify --trusted-key alice.pub --now 2025-06-01 hide.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "pdq allowlist radius 256 is above this client's maximum radius 31"));
    /* Within the defaults: no warning, accepted. */
    EXPECT(0, "set build --out ok.hmset --name ok --version 1 " TIMES " --radius pdq=31,phash=10 wide.csv");
    CU_ASSERT_PTR_NULL(strstr(err_text, "warning"));
    EXPECT(2, "set verify --trusted-key alice.pub --max-radius pdq=0 ok.hmset");
    EXPECT(2, "scan --set ok.hmset --trusted-key alice.pub --min-quality-floor 101 %s", img);
}

/* scan --index and --index-mode: every policy and mode reports the same
 * matches; one file builds no index unless asked to (--index always). */
static void test_index_options(void)
{
    write_text("one.csv", "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n");
    EXPECT(0, "set build -q --out idx.hmset --name idx --version 1 " TIMES
              " --radius pdq=256 --min-quality 0 one.csv");
    EXPECT(0, "set sign -q --key alice.key idx.hmset");
    char img[4096];
    snprintf(img, sizeof img, "%s/cli/ramp.jpg", tu_data_dir());
#define IDX_SCAN "scan -v --set idx.hmset --trusted-key alice.pub --now 2025-06-01 " \
                 "--max-radius pdq=256 --min-quality-floor 0"
    EXPECT(1, IDX_SCAN " %s", img);
    char *first = strdup(out_text);
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "MATCH\t"));
    static const char *const WHEN[] = {"auto", "always", "never"}, *const MODE[] = {"fast", "compact"};
    for (int w = 0; w < 3; w++)
        for (int m = 0; m < 2; m++) {
            EXPECT(1, IDX_SCAN " --index %s --index-mode %s %s", WHEN[w], MODE[m], img);
            CU_ASSERT_STRING_EQUAL(out_text, first);
            int built = !strstr(err_text, "scanner ready in") ||
                        !strstr(err_text, "(index 0 bytes)");
            CU_ASSERT_EQUAL(built, w == 1);
        }
    free(first);
    EXPECT(2, IDX_SCAN " --index sometimes %s", img);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "--index takes auto, always or never"));
    EXPECT(2, IDX_SCAN " --index-mode small %s", img);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "--index-mode takes fast or compact"));
#undef IDX_SCAN
}

static void test_pdq_quality_input(void)
{
    write_text("quality.jsonl",
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111111" "\", \"pdq_quality\": 10.0}\n"
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111112" "\", \"pdq_quality\": \"10\"}\n"
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111113" "\", \"pdq_quality\": -5}\n"
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111114" "\", \"pdq_quality\": 1e1}\n"
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111115" "\", \"pdq_quality\": 101}\n"
               "{\"pdq\": \"" "1111111111111111111111111111111111111111111111111111111111111116" "\", \"pdq_quality\": 80}\n"
               "{\"pdq\":\"\\u");
    EXPECT(2, "set build --out quality.hmset --name q --version 1 quality.jsonl");
    static const char *const WANT[] = {"quality.jsonl:1: pdq_quality must be an integer 0..100, not 10.0",
                                       "quality.jsonl:2: pdq_quality must be an integer 0..100, not \"10\"",
                                       "quality.jsonl:3: pdq_quality must be an integer 0..100, not -5",
                                       "quality.jsonl:4: pdq_quality must be an integer 0..100, not 1e1",
                                       "quality.jsonl:5: pdq_quality must be an integer 0..100, not 101",
                                       "quality.jsonl:7: malformed JSON object",
                                       "6 lines refused: nothing written"};
    for (size_t i = 0; i < sizeof WANT / sizeof *WANT; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(err_text, WANT[i]));
        if (!strstr(err_text, WANT[i])) fprintf(stderr, "\n  missing: %s", WANT[i]);
    }
    CU_ASSERT_FALSE(exists("quality.hmset"));
    EXPECT(0, "set build -q --skip-invalid --out quality.hmset --name q --version 1 quality.jsonl");
    hm_set *s = open_tmp("quality.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(hm_set_section_get(s, HM_ALGO_PDQ)->entry_count, 1);
    hm_set_free(s);
}

/* A pid that no longer runs: a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

static int count_temps(void)
{
    DIR *d = opendir(tu_tmp_dir());
    struct dirent *ent;
    int temps = 0;
    while ((ent = readdir(d)) != NULL)
        temps += strstr(ent->d_name, ".tmp-") != NULL || strstr(ent->d_name, ".hashmatch-tmp-") != NULL;
    closedir(d);
    return temps;
}

static void test_temporaries(void)
{
    char dead[128], live[128], other[128], key[128];
    long pid = dead_pid();
    snprintf(dead, sizeof dead, "stale.hmset.hashmatch-tmp-%ld-0a1b2c", pid);
    snprintf(live, sizeof live, "stale.hmset.hashmatch-tmp-%ld-0a1b2c", (long)getpid());
    snprintf(other, sizeof other, "other.hmset.hashmatch-tmp-%ld-0a1b2c", pid);
    snprintf(key, sizeof key, "fresh.key.hashmatch-tmp-%ld-ffffff", pid);
    write_text(dead, "left by a killed set build");
    write_text(live, "being written by a running process");
    write_text(other, "another file's");
    write_text(key, "left by a killed keygen");
    write_text("stale.csv", "md5,d41d8cd98f00b204e9800998ecf8427e\n");
    EXPECT(0, "set build -q --out stale.hmset --name stale --version 1 stale.csv");
    CU_ASSERT_FALSE(exists(dead));
    CU_ASSERT_TRUE(exists(live));
    CU_ASSERT_TRUE(exists(other));
    EXPECT(0, "set sign -q --key alice.key stale.hmset");
    EXPECT(0, "keygen -q --out fresh");
    CU_ASSERT_FALSE(exists(key));
    char *p;
    const char *names[] = {live, other};
    for (int i = 0; i < 2; i++) {
        p = tu_path(tu_tmp_dir(), names[i]);
        unlink(p);
        free(p);
    }
    CU_ASSERT_EQUAL(count_temps(), 0);
}

/* An output that is a FIFO (or /dev/null, /dev/stdout) is written in place:
 * renaming a finished temporary over it would replace the pipe or device with
 * a regular file. */
static void test_special_output(void)
{
    char *fifo = tu_path(tu_tmp_dir(), "out.fifo");
    unlink(fifo);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    CU_ASSERT_FATAL(rd >= 0);
    write_text("fifo.csv", "md5,d41d8cd98f00b204e9800998ecf8427e\n");
    EXPECT(0, "set build -q --out out.fifo --name fifo --version 1 fifo.csv");
    static uint8_t buf[1 << 16];
    ssize_t n = read(rd, buf, sizeof buf);
    close(rd);
    CU_ASSERT(n > 0);
    hm_set *set = NULL;
    CU_ASSERT_EQUAL(hm_set_open_unverified(buf, n > 0 ? (size_t)n : 0, &set, NULL), HM_OK);
    CU_ASSERT_STRING_EQUAL(set ? hm_set_name(set) : "", "fifo");
    hm_set_free(set);
    struct stat st;
    CU_ASSERT(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    unlink(fifo);
    free(fifo);
}

static void test_keygen_never_orphans(void)
{
    /* NAME.pub cannot be created: no NAME.key may be left behind. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && ln -s nowhere lost.pub && ln -s nowhere half.key", tu_tmp_dir());
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    EXPECT(2, "keygen --out lost");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "lost.pub: the file already exists"));
    CU_ASSERT_FALSE(exists("lost.key"));
    /* NAME.key cannot be named after NAME.pub was: NAME.pub is removed again. */
    EXPECT(2, "keygen --out half");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "half.key: the file already exists"));
    CU_ASSERT_FALSE(exists("half.pub"));
    /* Once the obstacle is gone a rerun works. */
    snprintf(cmd, sizeof cmd, "cd '%s' && rm lost.pub half.key", tu_tmp_dir());
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    EXPECT(0, "keygen -q --out lost");
    EXPECT(0, "keygen -q --out half");
    CU_ASSERT_EQUAL(count_temps(), 0);
}

/* Names from trust files and .pub files (and a set's own text) never reach
 * the terminal raw. */
static void test_escaped_names(void)
{
    EXPECT(0, "keygen -q --out mallory --comment \"$(printf 'Mallory\\033[2J\\tOK')\"");
    char pub[1024], trust[2048];
    read_tmp("mallory.pub", pub, sizeof pub);
    snprintf(trust, sizeof trust, "%sthreshold 1\n", pub);
    write_text("mallory-trust.txt", trust);
    write_text("named.csv", "md5,d41d8cd98f00b204e9800998ecf8427e,back\\slash,1,id\\x\n");
    EXPECT(0, "set build -q --out named.hmset --name 'name\\with backslash' --version 1 " TIMES " named.csv");
    EXPECT(0, "set sign -q --key mallory.key named.hmset");
    EXPECT(0, "set verify --trust mallory-trust.txt --now 2025-06-01 named.hmset");
    CU_ASSERT_PTR_NULL(strchr(out_text, '\033'));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "(threshold 1 of 1): Mallory\\x1b[2J\\tOK\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "  name: name\\\\with backslash\n"));
    EXPECT(0, "set inspect --trust mallory-trust.txt --now 2025-06-01 named.hmset");
    CU_ASSERT_PTR_NULL(strchr(out_text, '\033'));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "valid (Mallory\\x1b[2J\\tOK)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "back\\\\slash"));
    EXPECT(0, "set inspect --json --trust mallory-trust.txt --now 2025-06-01 named.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"key\": \"Mallory\\u001b[2J\\tOK\""));
    /* A bad trust-file line with control characters is quoted escaped. */
    write_text("ctl-trust.txt", "threshold 1\nkey \033[1Aabc\n");
    EXPECT(2, "set verify --trust ctl-trust.txt named.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "ctl-trust.txt:2: '\\x1b[1Aabc' is not an Ed25519 public key"));
    CU_ASSERT_PTR_NULL(strchr(err_text, '\033'));
}

/* A set file whose name holds a newline and a forged digest line: `set
 * digest`, `set verify` and `set inspect` printed the name raw, so an
 * auditor comparing digests saw a line for "trusted.hmset" (all zeros here)
 * that no set produced. */
static void test_digest_names(void)
{
    static const char FORGED[] = "0000000000000000000000000000000000000000000000000000000000000000";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && cp demo.hmset \"$(printf 'x\\n%s  trusted.hmset')\"",
             tu_tmp_dir(), FORGED);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    char want[512];
    snprintf(want, sizeof want, "%s  x\\n%s  trusted.hmset\n", DEMO_DIGEST, FORGED);
    EXPECT(0, "set digest x*trusted.hmset");
    CU_ASSERT_STRING_EQUAL(out_text, want);
    EXPECT(0, "set verify --trust trust.txt --now 2025-02-01 x*trusted.hmset");
    snprintf(want, sizeof want, "x\\n%s  trusted.hmset: OK\n", FORGED);
    CU_ASSERT_EQUAL(strncmp(out_text, want, strlen(want)), 0);
    EXPECT(0, "set inspect x*trusted.hmset");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "file:           x\\n0000"));
    /* One line per set, whatever the name. */
    EXPECT(0, "set digest x*trusted.hmset demo.hmset");
    size_t lines = 0;
    for (const char *c = out_text; *c; c++) lines += *c == '\n';
    CU_ASSERT_EQUAL(lines, 2);
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f x*trusted.hmset", tu_tmp_dir());
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- list formats (docs/LISTS.md) ---- */

#define LISTS_DIGEST "d3c7cf702fe44fc37f31379433ad3a762fb4e4059ae4883640ca02d9b954ff35"

static void digest_of(const char *name, char hex[65])
{
    hm_set *s = open_tmp(name);
    hex[0] = '\0';
    if (s) hm_hex_encode(hm_set_digest(s), 32, hex);
    hm_set_free(s);
}

static void test_lists(void)
{
    char d[4096], hex[65], hex2[65];
    snprintf(d, sizeof d, "%s/lists", tu_data_dir());
#define LT "--created 2025-01-01 --expires 2026-01-01"
    /* Incremental exports replayed in order = the final state read alone. */
    EXPECT(0, "set build --out inc.hmset --name lists --version 1 " LT " --category-map %s/categories.map "
              "--format ncmec-xml %s/ncmec-1.xml %s/ncmec-2.xml --format stopncii-json %s/stopncii-1.json "
              "%s/stopncii-2.json --format tat-json %s/tat-1.json %s/tat-2.json --format tx-text "
              "%s/tx-1.txt %s/tx-2.txt", d, d, d, d, d, d, d, d, d);
    static const char *const WANT[] = {
        "ncmec-1.xml: ncmec-xml, 5 records (1 deletion), 6 hash values, 4 unsupported values\n",
        "tx-2.txt: tx-text, 2 records (0 deletions), 2 hash values, 2 unsupported values\n",
        "lists: 8 files (0 rejected), 16 live records carry 15 distinct hashes (pdq 8, md5 4, "
        "sha1 2, sha256 1); 1 all-zero pdq hash (a flat image) left out\n",
        "lists: 14 values of types hashmatch cannot match, not imported: ncmec-xml pdna 1, "
        "ncmec-xml videntifier 2, ncmec-xml netclean 1, ncmec-xml tmk-pdqf 1, stopncii-json "
        "VideoTMK 1, stopncii-json Text 1, stopncii-json URL 1, tat-json SHA512 1, tat-json TMK 1, "
        "tx-text raw_text 1, tx-text url 1, tx-text photodna 1, tx-text vpdq 1\n"};
    for (size_t i = 0; i < sizeof WANT / sizeof *WANT; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(out_text, WANT[i]));
        if (!strstr(out_text, WANT[i])) fprintf(stderr, "\n  missing: %s", WANT[i]);
    }
    EXPECT(0, "set build -q --out final.hmset --name lists --version 1 " LT " --category-map "
              "%s/categories.map --format tx-text %s/tx-final.txt --format ncmec-xml %s/ncmec-final.xml "
              "--format tat-json %s/tat-final.json --format stopncii-json %s/stopncii-final.json",
           d, d, d, d, d);
    digest_of("inc.hmset", hex);
    digest_of("final.hmset", hex2);
    CU_ASSERT_STRING_EQUAL(hex, hex2);
    CU_ASSERT_STRING_EQUAL(hex, LISTS_DIGEST); /* a change here changes what the importers build */
    if (strcmp(hex, LISTS_DIGEST)) fprintf(stderr, "\n  lists digest %s", hex);
    hm_set *s = open_tmp("final.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    hm_set_entry e;
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_MD5, 0, &e), HM_OK); /* 3f44...: TAT and TX */
    CU_ASSERT_EQUAL(e.attesters, 2);
    CU_ASSERT_STRING_EQUAL(e.category_name, "terror");
    CU_ASSERT_STRING_EQUAL(e.external_id, "tat:6");
    hm_set_free(s);
    /* A malformed record rejects its file; --skip-invalid leaves it out. */
    EXPECT(2, "set build --out bad.hmset --name lists --version 1 " LT " --category-map "
              "%s/categories.map --format tat-json %s/tat-1.json %s/tat-bad.json", d, d, d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "tat-bad.json:4: 'deleted' must be true or false, not a string\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "tat-bad.json: rejected as a whole (tat-json)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "1 list file rejected: nothing written"));
    CU_ASSERT_FALSE(exists("bad.hmset"));
    EXPECT(0, "set build --out bad.hmset --name lists --version 1 " LT " --skip-invalid --category-map "
              "%s/categories.map --format tat-json %s/tat-1.json %s/tat-bad.json", d, d, d);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "lists: 2 files (1 rejected), 3 live records"));
    /* A classification the map does not name rejects its file. */
    EXPECT(2, "set build --out x.hmset --name lists --version 1 --format tat-json %s/tat-1.json", d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "tat-1.json:4: tat-json classification 'islamist' is not "
                                            "in the category map"));
    EXPECT(2, "set build --out x.hmset --name x --version 1 --format ncmec %s/ncmec-1.xml", d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "--format: 'ncmec' is not one of"));
    EXPECT(2, "set build --out x.hmset --name x --version 1 --categories a --category-map "
              "%s/categories.map %s/tx-1.txt", d, d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "category 'csam' is not in --categories"));
    CU_ASSERT_FALSE(exists("x.hmset"));
    /* Sources: the same hash from two ThreatExchange collaborations. */
    EXPECT(0, "set build -q --out src.hmset --name x --version 1 " LT " --format tx-text --source "
              "collab-a %s/tx-1.txt --source collab-b %s/tx-final.txt", d, d);
    s = open_tmp("src.hmset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 1, &e), HM_OK); /* ad09...: in both files */
    CU_ASSERT_EQUAL(e.attesters, 2);
    CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_PDQ, 0, &e), HM_OK); /* 5c13...: only collab-b */
    CU_ASSERT_EQUAL(e.attesters, 1);
    hm_set_free(s);
    /* --format csv and jsonl read one kind of line only. */
    write_text("one.jsonl", "{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\"}\n");
    EXPECT(2, "set build --out x.hmset --name x --version 1 --format csv one.jsonl");
    EXPECT(0, "set build -q --out x.hmset --name x --version 1 --format jsonl one.jsonl");
    write_text("one.csv", "md5,d41d8cd98f00b204e9800998ecf8427e\n");
    EXPECT(2, "set build --out x.hmset --name x --version 1 --format jsonl one.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "one.csv:1: malformed JSON object"));
    /* Text from a list (a type it cannot match) never reaches the terminal raw. */
    write_text("ctl.txt", "md5 d41d8cd98f00b204e9800998ecf8427e\nodd\033[2Jtype abc\n");
    EXPECT(0, "set build --out ctl.hmset --name x --version 1 --format tx-text ctl.txt");
    CU_ASSERT_PTR_NULL(strchr(out_text, '\033'));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "tx-text odd?[2Jtype 1")); /* lib/lists/values.c */
#undef LT
}

/* ---- delta updates (after "diff": v2.hmset names demo.hmset) ---- */

static int same_file(const char *a, const char *b)
{
    char *pa = tu_path(tu_tmp_dir(), a), *pb = tu_path(tu_tmp_dir(), b);
    size_t na, nb;
    uint8_t *da = tu_read(pa, &na), *db = tu_read(pb, &nb);
    int same = na == nb && !memcmp(da, db, na);
    free(da);
    free(db);
    free(pa);
    free(pb);
    return same;
}

static void test_delta(void)
{
    EXPECT(0, "set delta demo.hmset v2.hmset --out unsigned.hmdelta");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "v2.hmset has no signatures"));
    EXPECT(0, "set sign -q --key alice.key v2.hmset");
    EXPECT(0, "set sign -q --key bob.key v2.hmset");
    EXPECT(0, "set delta demo.hmset v2.hmset --out v1-v2.hmdelta");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "wrote v1-v2.hmdelta ("));
    EXPECT(1, "set delta v2.hmset demo.hmset --out x.hmdelta");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "does not name the old one as its previous version"));
    EXPECT(2, "set delta demo.hmset v2.hmset");
    CU_ASSERT_FALSE(exists("x.hmdelta"));
    /* A device holding demo.hmset updates it in place. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && cp demo.hmset device.hmset", tu_tmp_dir());
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    EXPECT(1, "set apply device.hmset unsigned.hmdelta --out device.hmset --trust trust.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "refused: set_threshold"));
    EXPECT(2, "set apply device.hmset v1-v2.hmdelta --trust trust.txt");
    EXPECT(2, "set apply device.hmset v1-v2.hmdelta --out device.hmset");
    /* One changed byte: refused, the set stays as it was. */
    char *p = tu_path(tu_tmp_dir(), "v1-v2.hmdelta");
    size_t n;
    uint8_t *d = tu_read(p, &n);
    free(p);
    d[n / 2] ^= 0x10;
    p = tu_path(tu_tmp_dir(), "damaged.hmdelta");
    CU_ASSERT_EQUAL(tu_write(p, d, n), 0);
    free(p);
    free(d);
    EXPECT(1, "set apply device.hmset damaged.hmdelta --out device.hmset --trust trust.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "refused: delta_corrupt"));
    CU_ASSERT(same_file("device.hmset", "demo.hmset"));
    EXPECT(0, "set apply device.hmset v1-v2.hmdelta --out device.hmset --trust trust.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "device.hmset: OK\n  name: demo\n  version: 2\n"));
    CU_ASSERT(same_file("device.hmset", "v2.hmset"));
    EXPECT(1, "set apply device.hmset v1-v2.hmdelta --out device.hmset --trust trust.txt");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "refused: delta_base"));
    EXPECT(1, "set apply demo.hmset v1-v2.hmdelta --out never.hmset --trust trust.txt --min-version 3");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "refused: set_rollback"));
    CU_ASSERT_FALSE(exists("never.hmset"));
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
        {"forged set signed by the identity key", test_forged_identity_key},
        {"client limits on the publisher's policy", test_policy_limits},
        {"scan --index and --index-mode", test_index_options},
        {"pdq_quality in set build input", test_pdq_quality_input},
        {"temporary files of killed writers", test_temporaries},
        {"keygen never leaves a NAME.key alone", test_keygen_never_orphans},
        {"an output that is a FIFO stays one", test_special_output},
        {"names printed escaped", test_escaped_names},
        {"set file names cannot forge digest lines", test_digest_names},
        {"list formats", test_lists},
        {"delta and apply", test_delta},
        {"videos", test_videos},
        {NULL, NULL}};
    tu_add_suite("cli set", CLI);
    return tu_run("test_cli_set");
}
