/* test_cli_walk.c - what `hashmatch hash`, `scan` and `eval` do with the
 * files an attacker or a careless operator can put in front of them: a
 * FIFO (never a hang), hidden files and directories (walked), symbolic
 * links inside a walk (reported under -r, followed under -R, loops cut),
 * paths longer than PATH_MAX, files that are not images, unreadable files,
 * and file names with tabs, newlines and invalid UTF-8 (escaped in text,
 * lossless in JSON). Every command runs under `timeout`, so a hang fails. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define DEMO HM_TEST_SOURCE_DIR "/demo"
#define SET "--set " DEMO "/demo.hmset --trusted-key " DEMO "/demo.pub"

/* `hashmatch ARGS` in the scratch directory, under a timeout (testutil.h) */
#define run tu_cli
#define out_text tu_cli_out
#define err_text tu_cli_err

#define EXPECT TU_CLI_EXPECT

/* The stdout line that contains `needle`, copied into line (empty: none). */
static int has_line(const char *needle, const char *prefix)
{
    for (const char *p = out_text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[8192];
        if (n < sizeof line) {
            memcpy(line, p, n);
            line[n] = '\0';
            if (strstr(line, needle) && !strncmp(line, prefix, strlen(prefix))) return 1;
        }
        p += n + (nl ? 1 : 0);
    }
    return 0;
}

static size_t count_lines(void)
{
    size_t n = 0;
    for (const char *p = out_text; *p; p++) n += *p == '\n';
    return n;
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    uint8_t *d = tu_read(from, &n);
    char *p = tu_path(tu_tmp_dir(), to);
    CU_ASSERT_EQUAL_FATAL(tu_write(p, d, n), 0);
    free(p);
    free(d);
}

static void mk(const char *dir)
{
    char *p = tu_path(tu_tmp_dir(), dir);
    mkdir(p, 0700);
    free(p);
}

static void ln(const char *target, const char *name)
{
    char *p = tu_path(tu_tmp_dir(), name);
    unlink(p);
    CU_ASSERT_EQUAL(symlink(target, p), 0);
    free(p);
}

/* inbox/: the listed canal photo as a plain, a hidden and a hidden-directory
 * file, a text file, a FIFO, a link to a listed file outside, a dangling
 * link and a link to the directory itself. */
static void build_inbox(void)
{
    mk("inbox");
    mk("inbox/.hdir");
    mk("outside");
    copy_file(DEMO "/images/canal.jpg", "inbox/canal.jpg");
    copy_file(DEMO "/images/canal.jpg", "inbox/.hidden.jpg");
    copy_file(DEMO "/images/canal.jpg", "inbox/.hdir/inner.jpg");
    copy_file(DEMO "/images/canal.jpg", "outside/listed.jpg");
    char *t = tu_path(tu_tmp_dir(), "inbox/notes.txt");
    tu_write(t, "not an image\n", 13);
    free(t);
    char *f = tu_path(tu_tmp_dir(), "inbox/fifo.jpg");
    unlink(f);
    CU_ASSERT_EQUAL(mkfifo(f, 0600), 0);
    free(f);
    ln("../outside/listed.jpg", "inbox/link.jpg");
    ln("nowhere.jpg", "inbox/dangling.jpg");
    ln(".", "inbox/loop");
}

static void test_fifo_named(void)
{
    EXPECT(2, "hash --algo pdq,sha256 inbox/fifo.jpg");
    CU_ASSERT(has_line("inbox/fifo.jpg", "error\tnot_regular_file: inbox/fifo.jpg: a FIFO"));
    EXPECT(2, "scan " SET " inbox/fifo.jpg inbox/canal.jpg");
    CU_ASSERT(has_line("not_regular_file", "error\tinbox/fifo.jpg\t"));
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/canal.jpg\t"));
    EXPECT(2, "scan --json " SET " inbox/fifo.jpg");
    CU_ASSERT(has_line("\"error\": \"not_regular_file\"", "{\"path\": \"inbox/fifo.jpg\""));
    EXPECT(2, "eval fpr --json inbox/fifo.jpg inbox/canal.jpg outside/listed.jpg");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inbox/fifo.jpg: inbox/fifo.jpg: a FIFO"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"inputs_failed\": 1,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "1 input(s) could not be used and are left out"));
}

static void test_scan_walk_r(void)
{
    EXPECT(2, "scan " SET " -r inbox");
    /* the listed file is found wherever it hides */
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/canal.jpg\t"));
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/.hidden.jpg\t"));
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/.hdir/inner.jpg\t"));
    /* and every entry that was not read has a row saying why */
    CU_ASSERT(has_line("a FIFO, not a regular file", "error\tinbox/fifo.jpg\tnot_regular_file: "));
    CU_ASSERT(has_line("a symbolic link, not followed", "error\tinbox/link.jpg\tnot_regular_file: "));
    CU_ASSERT(has_line("a symbolic link, not followed", "error\tinbox/dangling.jpg\tnot_regular_file: "));
    CU_ASSERT(has_line("a symbolic link, not followed", "error\tinbox/loop\tnot_regular_file: "));
    CU_ASSERT(has_line("not a JPEG", "error\tinbox/notes.txt\timage_format: "));
    CU_ASSERT(!has_line("link.jpg", "MATCH"));
}

static void test_scan_walk_R(void)
{
    EXPECT(2, "scan " SET " -R inbox");
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/link.jpg\t"));
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/.hidden.jpg\t"));
    CU_ASSERT(has_line("nowhere", "error\tinbox/dangling.jpg\tio: ") ||
              has_line("No such file", "error\tinbox/dangling.jpg\tio: "));
    CU_ASSERT(has_line("a loop", "error\tinbox/loop\tdirectory_loop: "));
    CU_ASSERT(has_line("a FIFO", "error\tinbox/fifo.jpg\tnot_regular_file: "));
    /* a link on the command line is followed with -r too */
    EXPECT(1, "scan " SET " inbox/link.jpg");
    EXPECT(1, "scan " SET " -r inbox/loop/.hdir");
    CU_ASSERT(has_line("md5 entry", "MATCH\tinbox/loop/.hdir/inner.jpg\t"));
}

static void test_hash_walk(void)
{
    /* digests only: the text file is hashed too; everything else is reported */
    EXPECT(2, "hash --algo sha256 -r inbox");
    CU_ASSERT(has_line("inbox/notes.txt", "sha256\t"));
    CU_ASSERT(has_line("inbox/.hdir/inner.jpg", "sha256\t"));
    CU_ASSERT(has_line("inbox/fifo.jpg", "error\tnot_regular_file: "));
    CU_ASSERT_EQUAL(count_lines(), 8); /* 8 entries in inbox/, hidden ones included */
    EXPECT(2, "hash --json --algo pdq -r inbox");
    CU_ASSERT(has_line("\"error\": \"image_format\"", "{\"path\": \"inbox/notes.txt\""));
    CU_ASSERT(has_line("\"pdq\": ", "{\"path\": \"inbox/.hidden.jpg\""));
    EXPECT(0, "hash --algo sha256 -r inbox/.hdir");
    /* eval: failures are warned about, by name */
    EXPECT(2, "eval fpr --json -r inbox");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"inputs_failed\": 5,")); /* fifo, 3 links, notes */
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inbox/link.jpg: inbox/link.jpg: a symbolic link"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inbox/notes.txt: not a JPEG"));
    EXPECT(2, "eval robustness --json --algo pdq --transforms jpeg:70 -r inbox");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"inputs_failed\": 5,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "5 input(s) could not be used and are left out"));
    EXPECT(0, "eval robustness --json --algo pdq --transforms jpeg:70 -r inbox/.hdir");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"inputs_failed\": 0,"));
}

/* A file below directories whose names add up to more than PATH_MAX. */
static void test_long_path(void)
{
    char *root = tu_path(tu_tmp_dir(), "deep");
    mkdir(root, 0700);
    int fd = open(root, O_RDONLY | O_DIRECTORY);
    CU_ASSERT_FATAL(fd >= 0);
    char name[201];
    memset(name, 'd', 200);
    name[200] = '\0';
    size_t total = strlen(root);
    for (int level = 0; total <= PATH_MAX + 200; level++) {
        name[0] = (char)('a' + level % 26);
        mkdirat(fd, name, 0700);
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
        CU_ASSERT_FATAL(next >= 0);
        close(fd);
        fd = next;
        total += 201;
    }
    size_t n;
    uint8_t *img = tu_read(DEMO "/images/canal.jpg", &n);
    int f = openat(fd, "canal.jpg", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(f >= 0);
    CU_ASSERT_EQUAL(write(f, img, n), (ssize_t)n);
    close(f);
    close(fd);
    free(img);
    free(root);
    EXPECT(0, "hash --algo sha256 -r deep");
    CU_ASSERT_EQUAL(count_lines(), 1);
    CU_ASSERT(strlen(out_text) > PATH_MAX);
    CU_ASSERT(has_line("/canal.jpg", "sha256\te570fd8266489c94f1da079da69e62c2"));
    EXPECT(1, "scan " SET " -r deep");
    CU_ASSERT(has_line("/canal.jpg", "MATCH\tdeep/a"));
}

static void test_unreadable(void)
{
    if (geteuid() == 0) {
        printf("(root reads every file: skipped) ");
        return;
    }
    copy_file(DEMO "/images/canal.jpg", "inbox/.hdir/secret.jpg");
    char *p = tu_path(tu_tmp_dir(), "inbox/.hdir/secret.jpg");
    chmod(p, 0);
    EXPECT(2, "scan " SET " -r inbox/.hdir");
    CU_ASSERT(has_line("Permission denied", "error\tinbox/.hdir/secret.jpg\tio: "));
    unlink(p);
    free(p);
}

/* A name that tries to print a row of its own, and two names that differ
 * only in bytes that are not UTF-8. */
static void test_forged_names(void)
{
    mk("names");
    copy_file(DEMO "/inbox/sea.jpg", "names/a.jpg\tno match\nok");
    copy_file(DEMO "/inbox/sea.jpg", "names/x\xff.jpg");
    copy_file(DEMO "/images/canal.jpg", "names/x\xfe.jpg");
    copy_file(DEMO "/inbox/sea.jpg", "names/back\\slash\x1b[2J\xe2\x80\xae.jpg");
    EXPECT(1, "scan " SET " -r names");
    CU_ASSERT(has_line("no match", "ok\tnames/a.jpg\\tno match\\nok\tno match"));
    CU_ASSERT(has_line("no match", "ok\tnames/back\\\\slash\\x1b[2J\\xe2\\x80\\xae.jpg\t"));
    CU_ASSERT(has_line("no match", "ok\tnames/x\\xff.jpg\t"));
    CU_ASSERT(has_line("md5 entry", "MATCH\tnames/x\\xfe.jpg\t"));
    CU_ASSERT(!has_line("", "ok\tno match") && !has_line("", "ok\n"));
    size_t rows = count_lines();
    CU_ASSERT_EQUAL(rows, 3 + 5); /* three "ok" rows, canal's 5 matches */
    EXPECT(0, "hash --algo md5 names/a.jpg*");
    CU_ASSERT_EQUAL(count_lines(), 1);
    CU_ASSERT(has_line("", "md5\t") && has_line("\tnames/a.jpg\\tno match\\nok", "md5\t"));
    EXPECT(1, "scan --json " SET " -r names");
    CU_ASSERT_EQUAL(count_lines(), 4);
    CU_ASSERT(has_line("\"path_bytes\": \"6e616d65732f78ff2e6a7067\"", "{\"path\": \"names/x\\ufffd.jpg\""));
    CU_ASSERT(has_line("\"path_bytes\": \"6e616d65732f78fe2e6a7067\", \"matches\": [{",
                       "{\"path\": \"names/x\\ufffd.jpg\""));
    CU_ASSERT(has_line("", "{\"path\": \"names/a.jpg\\tno match\\nok\", \"matches\": []"));
    CU_ASSERT(!has_line("path_bytes", "{\"path\": \"names/a.jpg"));
    EXPECT(0, "hash --json --algo md5 -r names");
    CU_ASSERT(has_line("\"path_bytes\": \"6e616d65732f78ff2e6a7067\"", "{\"path\": \"names/x\\ufffd.jpg\""));
}

static void test_set_build_inputs(void)
{
    /* a directory and a device are refused, a FIFO with no writer is empty */
    EXPECT(2, "set build --out o.hmset --name n --version 1 --categories a inbox");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inbox: Is a directory"));
    EXPECT(2, "set build --out o.hmset --name n --version 1 --categories a /dev/zero");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "/dev/zero: Invalid argument"));
    EXPECT(0, "set build --out o.hmset --name n --version 1 --categories a inbox/fifo.jpg");
    CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "read 0 lines"));
}

/* Animated GIF and WebP whose first frame is an unlisted photo and whose
 * second frame is the listed canal photo: the image decoders show the first
 * frame only, so the listed frame used to pass as "ok ... no match". */
#define ANIM HM_TEST_DATA_DIR "/animated/later-frame"
static void test_animation_later_frame(void)
{
    EXPECT(1, "scan " SET " --algo pdq " ANIM ".webp");
    CU_ASSERT(has_line("pdq entry 0 frames_image", "MATCH\t" ANIM ".webp\t"));
    CU_ASSERT(has_line("best frame 1 ", "MATCH\t" ANIM ".webp\t"));
    EXPECT(1, "scan --json " SET " --algo pdq " ANIM ".webp");
    CU_ASSERT(has_line("\"vpdq_frames\": 2,", "{\"path\": \"" ANIM ".webp\""));
    /* the limits on its frames: two 128x128 RGBA canvases are 128 KiB */
    EXPECT(1, "scan " SET " --algo pdq --max-frames 2 --max-decoded 128K " ANIM ".webp");
    EXPECT(2, "scan " SET " --algo pdq --max-decoded 127K " ANIM ".webp");
    CU_ASSERT(has_line("131072 bytes of decoded frames, over the limit of 130048",
                       "error\t" ANIM ".webp\tlimit: "));
    EXPECT(2, "scan " SET " --algo pdq --max-frames 1 " ANIM ".webp");
    CU_ASSERT(has_line("2 frames, over the limit of 1", "error\t" ANIM ".webp\tlimit: "));
    EXPECT(2, "scan " SET " --max-decoded 0 " ANIM ".webp");
    EXPECT(2, "scan " SET " --max-decoded 1T " ANIM ".webp");
    EXPECT(2, "scan " SET " --max-frames 0 " ANIM ".webp");
    if (hm_video_supported()) {
        EXPECT(1, "scan " SET " --algo pdq " ANIM ".gif " ANIM ".png");
        CU_ASSERT(has_line("pdq entry 0 frames_image", "MATCH\t" ANIM ".gif\t"));
        CU_ASSERT(has_line("best frame 1 ", "MATCH\t" ANIM ".gif\t"));
        CU_ASSERT(has_line("pdq entry 0 frames_image", "MATCH\t" ANIM ".png\t"));
        CU_ASSERT(has_line("best frame 1 ", "MATCH\t" ANIM ".png\t"));
    } else {
        /* its later frames cannot be decoded here: an error, never "ok" */
        EXPECT(2, "scan " SET " --algo pdq " ANIM ".gif");
        CU_ASSERT(has_line("later frames cannot be scanned", "error\t" ANIM ".gif\t"));
    }
    /* digests only: nothing to decode, the file's own digest is matched */
    EXPECT(0, "scan " SET " --algo md5 " ANIM ".gif " ANIM ".webp");
    if (!hm_video_supported()) return;
    /* a set with a vPDQ section sampled once a second: an animation's
     * frames are still all hashed (the 20 ms first frame used to be the
     * only one) */
    EXPECT(0, "keygen -q --out vk");
    static char lines[2 * TU_CLI_OUT_SIZE];
    EXPECT(0, "hash --json --vpdq-seconds 1 --algo vpdq " DEMO "/video/listed.mp4");
    snprintf(lines, sizeof lines, "%s", out_text);
    EXPECT(0, "hash --json --algo pdq " DEMO "/images/canal.jpg");
    strncat(lines, out_text, sizeof lines - strlen(lines) - 1);
    char *jsonl = tu_path(tu_tmp_dir(), "v.jsonl");
    CU_ASSERT_EQUAL_FATAL(tu_write(jsonl, lines, strlen(lines)), 0);
    free(jsonl);
    EXPECT(0, "set build -q --out v.hmset --name v --version 1 --created 2026-12-01 "
              "--expires 2036-01-01 --categories demo --vpdq-seconds 1 v.jsonl");
    EXPECT(0, "set sign -q --key vk.key v.hmset");
    EXPECT(1, "scan --set v.hmset --trusted-key vk.pub " ANIM ".gif " ANIM ".png " ANIM ".webp");
    CU_ASSERT(has_line("frames_image", "MATCH\t" ANIM ".gif\t"));
    CU_ASSERT(has_line("frames_image", "MATCH\t" ANIM ".png\t"));
    CU_ASSERT(has_line("frames_image", "MATCH\t" ANIM ".webp\t"));
}

/* The listed canal photo stored turned a quarter turn left, with EXIF
 * Orientation 6 ("turn right to display"): every viewer shows it upright,
 * but its stored pixels were all that was hashed, so it scanned as "ok". */
#define EXIF6 HM_TEST_DATA_DIR "/exif/canal-orientation-6.jpg"
static void test_exif_rotated(void)
{
    EXPECT(1, "scan " SET " " EXIF6);
    CU_ASSERT(has_line("pdq entry 0 distance", "MATCH\t" EXIF6 "\t"));
    CU_ASSERT(has_line("phash entry 1 distance 0", "MATCH\t" EXIF6 "\t"));
    EXPECT(1, "scan --exif-orientation " SET " " EXIF6);
    CU_ASSERT(has_line("phash entry 1 distance 0", "MATCH\t" EXIF6 "\t"));
    /* `hash` still gives the stored pixels' hashes, as the references do */
    EXPECT(0, "hash --algo phash " EXIF6);
    CU_ASSERT(has_line("f56986c1b683cb92", "phash\t"));
    /* the photo as a frame of a listed video: matched as displayed too (the
     * stored pixels are 140 bits from it) */
    static const char CLIP[] =
        "{\"path\": \"clip.mp4\", \"vpdq\": [{\"frame\": 0, \"quality\": 100, \"hash\": "
        "\"489db672e9190276d452aeab41eba20f02375fe4092d88defdf491a5c55c5f70\", \"timestamp\": 0.0}, "
        "{\"frame\": 1, \"quality\": 100, \"hash\": "
        "\"d8f8f0eec0f4a84f0637022a078f63f0b36e2ef596621e1d33e6a39c4e9c9b22\", \"timestamp\": 1.0}]}\n";
    char *jsonl = tu_path(tu_tmp_dir(), "clip.jsonl");
    CU_ASSERT_EQUAL_FATAL(tu_write(jsonl, CLIP, strlen(CLIP)), 0);
    free(jsonl);
    EXPECT(0, "keygen -q --out ck");
    EXPECT(0, "set build -q --out clip.hmset --name c --version 1 --created 2026-12-01 "
              "--expires 2036-01-01 --categories demo --vpdq-seconds 1 clip.jsonl");
    EXPECT(0, "set sign -q --key ck.key clip.hmset");
    EXPECT(1, "scan --set clip.hmset --trusted-key ck.pub " EXIF6);
    CU_ASSERT(has_line("vpdq entry 0 image_frame distance 16 ", "MATCH\t" EXIF6 "\t"));
    CU_ASSERT_EQUAL(count_lines(), 1); /* reported once */
}

/* A run with failures said so only in its error rows, which scroll by
 * among thousands of rows, and `scan -v` summed up "scanned 2 files: 1
 * matched" as if every file had been scanned. */
static void test_failures_summed_up(void)
{
    EXPECT(2, "scan " SET " inbox/fifo.jpg inbox/canal.jpg");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "1 of 2 files could not be scanned"));
    EXPECT(2, "scan -v " SET " inbox/fifo.jpg inbox/canal.jpg");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "scanned 2 files: 1 matched, 1 could not be scanned"));
    EXPECT(2, "scan -q " SET " inbox/fifo.jpg inbox/canal.jpg");
    CU_ASSERT_PTR_NULL(strstr(err_text, "could not be scanned"));
    EXPECT(1, "scan " SET " inbox/canal.jpg");
    CU_ASSERT_PTR_NULL(strstr(err_text, "could not be"));
    EXPECT(2, "hash --algo md5 inbox/fifo.jpg inbox/canal.jpg");
    CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "1 of 2 files could not be hashed"));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test TESTS[] = {
        {"fixtures", build_inbox},
        {"fifo_on_the_command_line", test_fifo_named},
        {"scan_r_walks_hidden_reports_the_rest", test_scan_walk_r},
        {"scan_R_follows_links_cuts_loops", test_scan_walk_R},
        {"hash_and_eval_walk", test_hash_walk},
        {"path_longer_than_PATH_MAX", test_long_path},
        {"unreadable_file", test_unreadable},
        {"file_names_cannot_forge_rows", test_forged_names},
        {"set_build_inputs", test_set_build_inputs},
        {"animation_listed_in_a_later_frame", test_animation_later_frame},
        {"exif_rotated_listed_image", test_exif_rotated},
        {"failures_summed_up", test_failures_summed_up},
        {NULL, NULL},
    };
    tu_add_suite("cli_input", TESTS);
    return tu_run("test_cli_walk");
}
