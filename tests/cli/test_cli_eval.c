/* test_cli_eval.c - `hashmatch eval` end to end on small generated corpora:
 * checked numbers (identical copies at distance 0, flips far without the
 * dihedral hashes, histogram totals n(n-1)/2), pair counts equal to a scalar
 * all-pairs count for every thread count, block size and shard split, exact
 * merging, the account tail, the report, and usage errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "eval/eval.h"
#include "image/image.h"
#include "testutil.h"
#include "tinyjson.h"
#include "transform/transform.h"

#define NIMG 6

static char *cli;      /* the hashmatch binary */
static char *imgdir;   /* NIMG textured JPEGs + an identical copy of the first */
static char *hashfile; /* random codes as `hash --json` lines */

/* " -j 1" under an emulator for the commands that take -j (the others
 * refuse it), "" otherwise. A cross build runs the tool under its emulator
 * (qemu-user), on one thread: qemu-user 7.2 can hang in pthread_create. The
 * last -j wins, and the output does not depend on the thread count (checked
 * natively). */
static const char *one_thread(const char *args)
{
    if (!getenv("HM_TEST_EMULATOR")) return "";
    if (strstr(args, "eval merge") || strstr(args, "eval account") ||
        (strstr(args, "eval roc") && strstr(args, "--fpr")))
        return "";
    return " -j 1";
}

/* Runs the CLI with `args`, stdout to `out` (may be NULL); returns the exit status. */
static int run(const char *args, const char *out)
{
    const char *emu = getenv("HM_TEST_EMULATOR");
    const char *one = one_thread(args);
    if (!emu) emu = "";
    size_t n = strlen(emu) + strlen(cli) + strlen(args) + (out ? strlen(out) : 9) + 40;
    char *cmd = malloc(n);
    snprintf(cmd, n, "%s %s %s%s >%s 2>/dev/null </dev/null", emu, cli, args, one, out ? out : "/dev/null");
    int st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *tmp(const char *name) { return tu_path(tu_tmp_dir(), name); }

/* A picture of a few random low-frequency waves: no symmetry to speak of. */
static hm_image *texture(uint32_t w, uint32_t h, uint64_t seed)
{
    tu_rng r;
    tu_rng_seed(&r, seed);
    double fx[6], fy[6], ph[6][3];
    for (int k = 0; k < 6; k++) {
        fx[k] = (tu_rng_below(&r, 1000) / 1000.0 - 0.5) * 0.25;
        fy[k] = (tu_rng_below(&r, 1000) / 1000.0 - 0.5) * 0.25;
        for (int c = 0; c < 3; c++) ph[k][c] = tu_rng_below(&r, 6283) / 1000.0;
    }
    uint8_t *px = malloc((size_t)w * h * 3);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double v = 0;
                for (int k = 0; k < 6; k++) v += cos(fx[k] * x + fy[k] * y + ph[k][c]);
                px[((size_t)y * w + x) * 3 + c] = hm__clamp_u8(128 + 35 * v);
            }
    hm_image *img = NULL;
    CU_ASSERT_FATAL(hm_image_from_pixels(w, h, 3, px, (size_t)w * 3, &img) == HM_OK);
    free(px);
    return img;
}

static void write_jpeg(const hm_image *img, const char *path)
{
    uint8_t *data;
    size_t size;
    CU_ASSERT_FATAL(hm__jpeg_encode(img, 92, &data, &size, NULL) == HM_OK);
    CU_ASSERT_FATAL(tu_write(path, data, size) == 0);
    free(data);
}

static void make_corpus(void)
{
    imgdir = tmp("corpus");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", imgdir);
    CU_ASSERT_FATAL(system(cmd) == 0);
    for (int i = 0; i < NIMG; i++) {
        char name[64];
        snprintf(name, sizeof name, "img%d.jpg", i);
        char *p = tu_path(imgdir, name);
        hm_image *img = texture(160 + 8 * (uint32_t)i, 120, 100 + (uint64_t)i);
        write_jpeg(img, p);
        hm_image_free(img);
        free(p);
    }
    snprintf(cmd, sizeof cmd, "cp '%s/img0.jpg' '%s/img0_copy.jpg'", imgdir, imgdir);
    CU_ASSERT_FATAL(system(cmd) == 0);
}

/* Random codes for 700 "images": enough for many small blocks. Every tenth
 * image repeats an earlier code, so distance 0 occurs. */
#define NHASH 700
static uint8_t pdq_codes[NHASH * 32], ah_codes[NHASH * 8];
static uint32_t hgroup[NHASH];

static void make_hash_file(void)
{
    hashfile = tmp("hashes.jsonl");
    tu_rng r;
    tu_rng_seed(&r, 77);
    FILE *f = fopen(hashfile, "w");
    CU_ASSERT_FATAL(f != NULL);
    for (int i = 0; i < NHASH; i++) {
        for (int b = 0; b < 32; b++) pdq_codes[i * 32 + b] = (uint8_t)tu_rng_next(&r);
        for (int b = 0; b < 8; b++) ah_codes[i * 8 + b] = (uint8_t)tu_rng_next(&r);
        /* 64-bit codes with few set bits make small distances common */
        for (int b = 0; b < 8; b++) ah_codes[i * 8 + b] &= (uint8_t)tu_rng_next(&r) & (uint8_t)tu_rng_next(&r);
        if (i % 10 == 9) memcpy(pdq_codes + i * 32, pdq_codes + (i - 5) * 32, 32);
        char hp[65], ha[17];
        hm_hex_encode(pdq_codes + i * 32, 32, hp);
        hm_hex_encode(ah_codes + i * 8, 8, ha);
        fprintf(f, "{\"path\": \"h/%04d.jpg\", \"width\": 10, \"height\": 10, \"pdq\": \"%s\", "
                   "\"pdq_quality\": 100, \"ahash\": \"%s\"}\n", i, hp, ha);
        hgroup[i] = (uint32_t)i;
    }
    fputs("{\"path\": \"h/broken.jpg\", \"error\": \"image_corrupt\", \"message\": \"x\"}\n", f);
    fclose(f);
}

static const tj_value *algo(const tj_value *root, const char *name) { return tj_get(root, name); }

static uint64_t hist_total(const tj_value *h)
{
    uint64_t t = 0;
    for (size_t i = 0; i < tj_count(h); i++) t += (uint64_t)tj_number(tj_at(h, i), -1e18);
    return t;
}

static void test_fpr_images(void)
{
    char args[4096], *out = tmp("fpr.json");
    snprintf(args, sizeof args, "eval fpr --json -q -r '%s' -o '%s'", imgdir, out);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    tj_value *root = tj_load(out);
    CU_ASSERT_FATAL(root != NULL);
    static const char *const ALGOS[] = {"pdq", "ahash", "dhash", "phash", "whash"};
    for (int a = 0; a < 5; a++) {
        const tj_value *v = algo(root, ALGOS[a]);
        CU_ASSERT_FATAL(v != NULL);
        CU_ASSERT_EQUAL(tj_number(tj_get(v, "images"), 0), NIMG + 1);
        CU_ASSERT_EQUAL(tj_number(tj_get(v, "pairs"), 0), (NIMG + 1) * NIMG / 2);
        const tj_value *h = tj_get(v, "histogram");
        CU_ASSERT_EQUAL(tj_count(h), a == 0 ? 257u : 65u);
        CU_ASSERT_EQUAL(hist_total(h), (uint64_t)(NIMG + 1) * NIMG / 2);
        /* the identical copy: exactly one pair at distance 0 for PDQ, and the
         * copy's nearest neighbour is at 0 for every algorithm */
        if (a == 0) CU_ASSERT_EQUAL(tj_number(tj_at(h, 0), -1), 1);
        CU_ASSERT_EQUAL(tj_number(tj_at(tj_get(v, "nearest"), 0), -1), 0);
        CU_ASSERT_EQUAL(tj_number(tj_at(tj_get(v, "nearest"), 1), -1), 0);
        double f0 = tj_number(tj_get(tj_get(v, "fpr"), "0"), -1);
        CU_ASSERT(f0 >= 1.0 / 21 - 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(tj_number(tj_get(tj_get(v, "fpr"), a == 0 ? "256" : "64"), -1), 1.0, 1e-12);
    }
    /* unrelated textures are far apart under PDQ */
    CU_ASSERT(tj_number(tj_at(tj_get(algo(root, "pdq"), "nearest"), 3), 0) > 31);
    tj_free(root);

    /* a groups file that joins the copy to its original removes that pair */
    char *groups = tmp("groups.tsv");
    char text[4096];
    snprintf(text, sizeof text, "# label<TAB>path\nsame\t%s/img0.jpg\nsame\t%s/img0_copy.jpg\n", imgdir, imgdir);
    CU_ASSERT_FATAL(tu_write(groups, text, strlen(text)) == 0);
    char *gout = tmp("fpr_groups.json");
    snprintf(args, sizeof args, "eval fpr --json -q --algo pdq --groups '%s' -r '%s' -o '%s'", groups, imgdir, gout);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    root = tj_load(gout);
    free(gout);
    const tj_value *v = algo(root, "pdq");
    CU_ASSERT_EQUAL(tj_number(tj_get(v, "pairs"), 0), 20);
    CU_ASSERT_EQUAL(tj_number(tj_at(tj_get(v, "histogram"), 0), -1), 0);
    CU_ASSERT(tj_number(tj_at(tj_get(v, "nearest"), 0), 0) > 31);
    CU_ASSERT_PTR_NULL(algo(root, "ahash"));
    tj_free(root);
    free(groups);
    free(out);
}

/* Looks up a robustness row. */
static const tj_value *row(const tj_value *rows, const char *a, const char *tr, const char *st)
{
    for (size_t i = 0; i < tj_count(rows); i++) {
        const tj_value *r = tj_at(rows, i);
        if (!strcmp(tj_string(tj_get(r, "algo")), a) && !strcmp(tj_string(tj_get(r, "transform")), tr) &&
            !strcmp(tj_string(tj_get(r, "strength")), st))
            return r;
    }
    return NULL;
}

static double recall(const tj_value *r, const char *t) { return tj_number(tj_get(tj_get(r, "recall"), t), -1); }

static void test_robustness(void)
{
    char args[4096], *out = tmp("rob.json");
    snprintf(args, sizeof args,
             "eval robustness --json -q --dihedral --transforms flip,flipv,flip+flip,rotate:90,jpeg:90,noise:2 "
             "-r '%s' -o '%s'", imgdir, out);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    tj_value *rows = tj_load(out);
    CU_ASSERT_FATAL(rows != NULL);
    CU_ASSERT_EQUAL(tj_count(rows), 6 * 6);
    const tj_value *flip = row(rows, "pdq", "flip", ""), *ff = row(rows, "pdq", "flip+flip", "");
    const tj_value *dflip = row(rows, "pdq_dihedral", "flip", ""), *drot = row(rows, "pdq_dihedral", "rotate", "90");
    CU_ASSERT_FATAL(flip && ff && dflip && drot);
    CU_ASSERT_EQUAL(tj_number(tj_get(flip, "images"), 0), NIMG + 1);
    /* A flip without the dihedral hashes is far. With them it is near: exactly
     * 0 for the vertical flip (a 120-px height gives PDQ an odd, symmetric
     * box window), a few bits for the horizontal one (an even window is
     * off-centre by half a pixel, so mirrored pixels filter differently). */
    double plain = tj_number(tj_get(flip, "mean_distance"), 0);
    CU_ASSERT_EQUAL(recall(flip, "31"), 0.0);
    CU_ASSERT(plain > 64);
    CU_ASSERT_EQUAL(recall(row(rows, "pdq", "flipv", ""), "31"), 0.0);
    CU_ASSERT_EQUAL(recall(row(rows, "pdq_dihedral", "flipv", ""), "0"), 1.0);
    CU_ASSERT(tj_number(tj_get(dflip, "mean_distance"), 1e9) < plain / 3);
    CU_ASSERT(tj_number(tj_get(drot, "mean_distance"), 1e9) < plain / 3);
    CU_ASSERT_EQUAL(recall(row(rows, "pdq", "rotate", "90"), "31"), 0.0);
    /* flipping twice is the identity: distance 0 for every algorithm */
    static const char *const ALGOS[] = {"pdq", "ahash", "dhash", "phash", "whash"};
    for (int a = 0; a < 5; a++) CU_ASSERT_EQUAL(recall(row(rows, ALGOS[a], "flip+flip", ""), "0"), 1.0);
    /* light edits stay within the usual thresholds */
    CU_ASSERT_EQUAL(recall(row(rows, "pdq", "jpeg", "90"), "31"), 1.0);
    CU_ASSERT_EQUAL(recall(row(rows, "phash", "noise", "2"), "10"), 1.0);
    tj_free(rows);

    /* the same seed gives the same output; sharded runs merge to it exactly */
    char *again = tmp("rob2.json"), *s0 = tmp("rob_s0.json"), *s1 = tmp("rob_s1.json"), *m = tmp("rob_m.json");
    snprintf(args, sizeof args, "eval robustness --json -q -j 1 --dihedral --transforms flip,flipv,flip+flip,rotate:90,jpeg:90,noise:2 -r '%s' -o '%s'", imgdir, again);
    CU_ASSERT_EQUAL(run(args, NULL), 0);
    for (int s = 0; s < 2; s++) {
        snprintf(args, sizeof args, "eval robustness --json -q --shard %d/2 --dihedral --transforms flip,flipv,flip+flip,rotate:90,jpeg:90,noise:2 -r '%s' -o '%s'", s, imgdir, s ? s1 : s0);
        CU_ASSERT_EQUAL(run(args, NULL), 0);
    }
    snprintf(args, sizeof args, "eval merge --json '%s' '%s' -o '%s'", s0, s1, m);
    CU_ASSERT_EQUAL(run(args, NULL), 0);
    size_t n1, n2, n3;
    uint8_t *a = tu_read(out, &n1), *b = tu_read(again, &n2), *c = tu_read(m, &n3);
    CU_ASSERT(n1 == n2 && !memcmp(a, b, n1));
    CU_ASSERT(n1 == n3 && !memcmp(a, c, n1));
    free(a), free(b), free(c);
    free(again), free(s0), free(s1), free(m), free(out);
}

/* Pair histograms and nearest neighbours from the CLI equal the scalar
 * all-pairs count for any threads, block size and shard split. */
static void check_against_scalar(const char *path, const uint32_t *group)
{
    uint64_t ph[257] = {0}, ah[65] = {0};
    uint16_t pn[NHASH], an[NHASH];
    for (int i = 0; i < NHASH; i++) pn[i] = an[i] = UINT16_MAX;
    hm__eval_pairs_scalar(pdq_codes, NHASH, 32, group, ph, pn);
    hm__eval_pairs_scalar(ah_codes, NHASH, 8, group, ah, an);
    tj_value *root = tj_load(path);
    CU_ASSERT_FATAL(root != NULL);
    const tj_value *p = algo(root, "pdq"), *a = algo(root, "ahash");
    CU_ASSERT_FATAL(p && a);
    CU_ASSERT_PTR_NULL(algo(root, "dhash")); /* the hash file has no dhash */
    int bad = 0;
    for (int d = 0; d <= 256; d++) bad += tj_number(tj_at(tj_get(p, "histogram"), (size_t)d), -1) != (double)ph[d];
    for (int d = 0; d <= 64; d++) bad += tj_number(tj_at(tj_get(a, "histogram"), (size_t)d), -1) != (double)ah[d];
    for (int i = 0; i < NHASH; i++) {
        bad += tj_number(tj_at(tj_get(p, "nearest"), (size_t)i), -1) != pn[i];
        bad += tj_number(tj_at(tj_get(a, "nearest"), (size_t)i), -1) != an[i];
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(ph[0] >= 60); /* the repeated codes */
    tj_free(root);
}

static void test_pairs_exact(void)
{
    char args[4096], *out = tmp("h.json");
    static const char *const VARIANTS[] = {"-j 1", "-j 2", "-j 3 --block 64", "-j 4 --block 33",
                                           "-j 2 --block 700", "-j 1 --block 1"};
    for (size_t k = 0; k < sizeof VARIANTS / sizeof *VARIANTS; k++) {
        snprintf(args, sizeof args, "eval fpr --json -q %s '%s' -o '%s'", VARIANTS[k], hashfile, out);
        CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
        check_against_scalar(out, NULL);
    }
    /* groups: images 0..99 in ten groups of ten */
    uint32_t g[NHASH];
    char *groups = tmp("hgroups.tsv");
    FILE *f = fopen(groups, "w");
    for (int i = 0; i < NHASH; i++) {
        g[i] = i < 100 ? (uint32_t)(NHASH + i / 10) : (uint32_t)i;
        if (i < 100) fprintf(f, "g%d\th/%04d.jpg\n", i / 10, i);
    }
    fclose(f);
    snprintf(args, sizeof args, "eval fpr --json -q -j 3 --block 50 --groups '%s' '%s' -o '%s'", groups, hashfile, out);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
    check_against_scalar(out, g);
    tj_value *root = tj_load(out);
    CU_ASSERT_EQUAL(tj_number(tj_get(algo(root, "pdq"), "pairs"), 0), NHASH * (NHASH - 1) / 2 - 10 * 45);
    /* the hash file's error line is counted, and made the run exit 2 */
    CU_ASSERT_EQUAL(tj_number(tj_get(algo(root, "pdq"), "inputs_failed"), -1), 1);
    CU_ASSERT_EQUAL(tj_number(tj_get(algo(root, "ahash"), "inputs_failed"), -1), 1);
    tj_free(root);
    free(groups);
    free(out);
}

static void test_merge_exact(void)
{
    char args[4096], *whole = tmp("whole.json"), *merged = tmp("merged.json");
    char *sh[3] = {tmp("sh0.json"), tmp("sh1.json"), tmp("sh2.json")};
    snprintf(args, sizeof args, "eval fpr --json -q --block 40 '%s' -o '%s'", hashfile, whole);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
    for (int s = 0; s < 3; s++) {
        snprintf(args, sizeof args, "eval fpr --json -q --block 40 --shard %d/3 '%s' -o '%s'", s, hashfile, sh[s]);
        CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
    }
    snprintf(args, sizeof args, "eval merge --json '%s' '%s' '%s' -o '%s'", sh[2], sh[0], sh[1], merged);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    size_t n1, n2;
    uint8_t *a = tu_read(whole, &n1), *b = tu_read(merged, &n2);
    CU_ASSERT(n1 == n2 && !memcmp(a, b, n1)); /* byte for byte the unsharded result */
    free(a), free(b);
    /* a missing or repeated shard is refused */
    snprintf(args, sizeof args, "eval merge --json '%s' '%s'", sh[0], sh[1]);
    CU_ASSERT_EQUAL(run(args, NULL), 2);
    snprintf(args, sizeof args, "eval merge --json '%s' '%s' '%s'", sh[0], sh[0], sh[1]);
    CU_ASSERT_EQUAL(run(args, NULL), 2);
    for (int s = 0; s < 3; s++) free(sh[s]);
    free(whole), free(merged);
}

static void test_roc_report_account(void)
{
    char args[4096], *f = tmp("fpr.json"), *r = tmp("rob.json"), *roc = tmp("roc.json"), *rep = tmp("report");
    snprintf(args, sizeof args, "eval roc --json --fpr '%s' --robustness '%s' --target-fpr 0.05 --report '%s' -o '%s'",
             f, r, rep, roc);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    tj_value *root = tj_load(roc);
    CU_ASSERT_FATAL(root != NULL);
    const tj_value *p = algo(root, "pdq");
    CU_ASSERT_EQUAL(tj_count(tj_get(p, "points")), 257);
    CU_ASSERT_EQUAL(tj_number(tj_get(tj_at(tj_get(p, "points"), 256), "recall"), -1), 1.0);
    CU_ASSERT_EQUAL(tj_number(tj_get(p, "edited"), 0), 6 * (NIMG + 1));
    const tj_value *t = tj_at(tj_get(p, "targets"), 0);
    CU_ASSERT_EQUAL(tj_number(tj_get(t, "target_fpr"), 0), 0.05);
    CU_ASSERT(tj_number(tj_get(t, "threshold"), -1) >= 31); /* only the copy pair is close */
    tj_free(root);
    char *html = tu_path(rep, "index.html");
    size_t n;
    char *page = (char *)tu_read(html, &n);
    page = realloc(page, n + 1);
    page[n] = '\0';
    CU_ASSERT(strstr(page, "<svg") != NULL);
    CU_ASSERT(strstr(page, "ROC curves") != NULL);
    CU_ASSERT(strstr(page, "Recall per transform") != NULL);
    CU_ASSERT(strstr(page, "<script") == NULL);
    CU_ASSERT(strstr(page, "http://") == NULL || strstr(page, "http://www.w3.org/2000/svg") != NULL);
    CU_ASSERT(strstr(page, "https://") == NULL);
    free(page);
    free(html);

    char *acc = tmp("account.json");
    CU_ASSERT_EQUAL(run("eval account --json --per-image-fpr 0.5 --images-per-account 3 --threshold 2", acc), 0);
    root = tj_load(acc);
    CU_ASSERT_DOUBLE_EQUAL(tj_number(tj_get(root, "binomial_tail"), -1), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(tj_number(tj_get(root, "expected_false_matches"), -1), 1.5, 1e-12);
    CU_ASSERT(tj_string(tj_get(root, "caveat")) && strstr(tj_string(tj_get(root, "caveat")), "independent"));
    tj_free(root);
    /* the empirical variant over the 7-image corpus: the copy pair matches at
     * distance 0, so accounts of all 7 images hold exactly 2 matches */
    snprintf(args, sizeof args, "eval account --json --fpr '%s' --algo pdq --distance 0 --images-per-account 7 --threshold 2 --trials 50", f);
    CU_ASSERT_EQUAL(run(args, acc), 0);
    root = tj_load(acc);
    CU_ASSERT_DOUBLE_EQUAL(tj_number(tj_get(root, "per_image_fpr"), -1), 2.0 / 7, 1e-9);
    CU_ASSERT_EQUAL(tj_number(tj_get(tj_get(root, "empirical"), "crossed"), -1), 50);
    tj_free(root);
    free(acc), free(f), free(r), free(roc), free(rep);
}

/* Runs the CLI with stderr captured into *errtext (malloc'd, NUL-terminated). */
static int run_err(const char *args, char **errtext)
{
    const char *emu = getenv("HM_TEST_EMULATOR");
    char *err = tmp("stderr.txt");
    size_t n = strlen(args) + strlen(err) + strlen(cli) + (emu ? strlen(emu) : 0) + 64;
    char *cmd = malloc(n);
    snprintf(cmd, n, "%s %s %s%s >/dev/null 2>'%s' </dev/null", emu ? emu : "", cli, args,
             one_thread(args), err);
    int st = system(cmd);
    size_t sz;
    uint8_t *t = tu_read(err, &sz);
    *errtext = realloc(t, sz + 1);
    (*errtext)[sz] = '\0';
    free(cmd);
    free(err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_exists(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    FILE *f = fopen(p, "rb");
    free(p);
    if (f) fclose(f);
    return f != NULL;
}

/* Output paths are checked before any image is read: a bad -o fails at once
 * (no warning about the missing corpus file), a new directory is made. */
static void test_outputs_checked_first(void)
{
    char args[4096], *e;
    CU_ASSERT_EQUAL(run_err("eval fpr -o /proc/hm-nope/x.json /nonexistent.jpg /nonexistent2.jpg", &e), 2);
    CU_ASSERT(strstr(e, "cannot write /proc/hm-nope/x.json") != NULL);
    CU_ASSERT(strstr(e, "nonexistent") == NULL);
    free(e);
    CU_ASSERT_EQUAL(run_err("eval robustness --report /proc/hm-nope /nonexistent.jpg", &e), 2);
    CU_ASSERT(strstr(e, "cannot create or write the directory /proc/hm-nope") != NULL);
    free(e);
    char *dir = tmp("new/deeper"), *out = tmp("new/deeper/fpr.csv"), *rep = tmp("new/rep");
    snprintf(args, sizeof args, "eval fpr -q --algo pdq -r '%s' -o '%s' --report '%s'", imgdir, out, rep);
    CU_ASSERT_EQUAL(run(args, NULL), 0);
    CU_ASSERT(file_exists(dir, "fpr.csv"));
    CU_ASSERT(file_exists(rep, "index.html") && file_exists(rep, "histogram-pdq.svg") &&
              file_exists(rep, "histogram-pdq.csv"));
    free(dir), free(out), free(rep);
}

/* Each command refuses the options it does not use. */
static void test_flags_refused(void)
{
    static const char *const BAD[] = {
        "eval account --per-image-fpr 0.1 --images-per-account 3 --threshold 1 --transforms jpeg:50",
        "eval account --per-image-fpr 0.1 --images-per-account 3 --threshold 1 --distance 3",
        "eval account --per-image-fpr 0.1 --images-per-account 3 --threshold 1 -j 2",
        "eval merge --seed 3 x.json",
        "eval merge --report d x.json",
        "eval robustness --groups g.tsv x.jpg",
        "eval robustness --block 4 x.jpg",
        "eval fpr --transforms jpeg:50 x.jpg",
        "eval fpr --target-fpr 1e-3 x.jpg",
        "eval fpr --pairs-within 3 x.jpg",
        "eval fpr --pairs-out p.csv x.jpg",
        "eval roc --fpr f.json --robustness r.json --algo pdq",
        "eval roc --fpr f.json --robustness r.json --seed 2",
        "eval roc --threshold 10 x.jpg",
        NULL};
    for (int i = 0; BAD[i]; i++) {
        char *e;
        CU_ASSERT_EQUAL(run_err(BAD[i], &e), 2);
        int ok = strstr(e, "is not used by this command") || strstr(e, "is used only with") ||
                 strstr(e, "needs");
        if (!ok) printf("\n  not refused as unused: %s\n  %s\n", BAD[i], e);
        CU_ASSERT(ok);
        free(e);
    }
}

/* --pairs-within lists exactly the pairs within T (checked against the
 * scalar all-pairs loop), with paths and hashes; CSV and JSON. */
static void test_pairs_within(void)
{
    char args[4096], *csv = tmp("pairs.csv"), *js = tmp("pairs.json");
    snprintf(args, sizeof args, "eval fpr -q --algo ahash --pairs-within 6 --pairs-out '%s' '%s' -o /dev/null", csv, hashfile);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
    size_t want = 0;
    for (int i = 0; i < NHASH; i++)
        for (int j = i + 1; j < NHASH; j++) want += hm_hamming(ah_codes + i * 8, ah_codes + j * 8, 8) <= 6;
    CU_ASSERT(want > 10);
    size_t n;
    char *text = (char *)tu_read(csv, &n);
    text = realloc(text, n + 1);
    text[n] = '\0';
    size_t lines = 0;
    for (char *p = text; (p = strchr(p, '\n')); p++) lines++;
    CU_ASSERT_EQUAL(lines, want + 1);
    CU_ASSERT(!strncmp(text, "algo,distance,index_a,index_b,path_a,path_b,hash_a,hash_b\n", 58));
    /* the first pair row, checked field by field */
    int a, b, d;
    char pa[64], pb[64], ha[17], hb[17];
    CU_ASSERT_EQUAL(sscanf(strchr(text, '\n') + 1, "ahash,%d,%d,%d,%63[^,],%63[^,],%16[0-9a-f],%16[0-9a-f]", &d, &a, &b, pa, pb, ha, hb), 7);
    CU_ASSERT(a < b && (unsigned)d == hm_hamming(ah_codes + a * 8, ah_codes + b * 8, 8) && d <= 6);
    char expect[64];
    snprintf(expect, sizeof expect, "h/%04d.jpg", a);
    CU_ASSERT_STRING_EQUAL(pa, expect);
    char hex[17];
    hm_hex_encode(ah_codes + b * 8, 8, hex);
    CU_ASSERT_STRING_EQUAL(hb, hex);
    free(text);
    snprintf(args, sizeof args, "eval fpr -q --json --algo ahash --pairs-within 6 --pairs-out '%s' '%s' -o /dev/null", js, hashfile);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 2);
    tj_value *root = tj_load(js);
    CU_ASSERT_FATAL(root != NULL);
    CU_ASSERT_EQUAL(tj_count(root), want);
    const tj_value *first = tj_at(root, 0);
    CU_ASSERT_EQUAL(tj_number(tj_get(first, "index_a"), -1), a);
    CU_ASSERT_STRING_EQUAL(tj_string(tj_get(first, "path_b")), pb);
    tj_free(root);
    free(csv), free(js);
}

/* File names in the pairs list: escaped in the CSV as in all text output
 * (a name can add no line or field), raw bytes beside a JSON name that is
 * not UTF-8. */
static void test_pairs_names(void)
{
    char args[4096], *in = tmp("names.jsonl"), *csv = tmp("names.csv"), *js = tmp("names.json");
    FILE *f = fopen(in, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"path\": \"x/a\\nb,\\u001b.jpg\", \"ahash\": \"00000000000000ff\"}\n"
          "{\"path\": \"x/c\\ufffd.jpg\", \"path_bytes\": \"782f63ff2e6a7067\", \"ahash\": \"00000000000000ff\"}\n",
          f);
    fclose(f);
    snprintf(args, sizeof args, "eval fpr -q --algo ahash --pairs-within 0 --pairs-out '%s' '%s' -o /dev/null", csv, in);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    size_t n;
    char *text = (char *)tu_read(csv, &n);
    CU_ASSERT_FATAL(text != NULL);
    static const char want[] = "algo,distance,index_a,index_b,path_a,path_b,hash_a,hash_b\n"
                               "ahash,0,0,1,\"x/a\\nb,\\x1b.jpg\",x/c\\xff.jpg,00000000000000ff,00000000000000ff\n";
    CU_ASSERT_EQUAL(n, sizeof want - 1);
    CU_ASSERT(n == sizeof want - 1 && !memcmp(text, want, n));
    free(text);
    snprintf(args, sizeof args, "eval fpr -q --json --algo ahash --pairs-within 0 --pairs-out '%s' '%s' -o /dev/null", js, in);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    tj_value *root = tj_load(js);
    CU_ASSERT_FATAL(root != NULL);
    const tj_value *first = tj_at(root, 0);
    CU_ASSERT_FATAL(first != NULL);
    const char *pa = tj_string(tj_get(first, "path_a"));
    CU_ASSERT(pa && !strcmp(pa, "x/a\nb,\x1b.jpg"));
    CU_ASSERT(tj_get(first, "path_a_bytes") == NULL);
    const char *raw = tj_string(tj_get(first, "path_b_bytes"));
    CU_ASSERT(raw && !strcmp(raw, "782f63ff2e6a7067"));
    tj_free(root);
    free(in), free(csv), free(js);
}

/* The JSON loads as tables: numeric thresholds in records, structured
 * transform parameters, null where there is no value, nearest paths. */
static void test_json_tables(void)
{
    char args[4096], *f = tmp("fpr_t.json"), *r = tmp("rob_t.json"), *roc = tmp("roc_t.json");
    snprintf(args, sizeof args, "eval fpr --json -q -r '%s' -o '%s'", imgdir, f);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    tj_value *root = tj_load(f);
    const tj_value *pdq = tj_get(root, "pdq");
    const tj_value *rates = tj_get(pdq, "rates");
    CU_ASSERT_EQUAL(tj_count(rates), 257);
    CU_ASSERT_EQUAL(tj_number(tj_get(tj_at(rates, 31), "threshold"), -1), 31);
    CU_ASSERT_EQUAL(tj_number(tj_get(tj_at(rates, 256), "fpr"), -1), 1.0);
    const tj_value *per = tj_get(pdq, "per_image");
    CU_ASSERT_EQUAL(tj_count(tj_get(per, "path")), NIMG + 1);
    /* img0 and its copy are each other's nearest neighbour */
    const char *p0 = tj_string(tj_at(tj_get(per, "path"), 0)), *p1 = tj_string(tj_at(tj_get(per, "path"), 1));
    CU_ASSERT(strstr(p0, "img0.jpg") && strstr(p1, "img0_copy.jpg"));
    CU_ASSERT_STRING_EQUAL(tj_string(tj_at(tj_get(per, "nearest_path"), 0)), p1);
    CU_ASSERT_STRING_EQUAL(tj_string(tj_at(tj_get(per, "nearest_path"), 1)), p0);
    CU_ASSERT_EQUAL(tj_number(tj_at(tj_get(per, "nearest_index"), 1), -1), 0);
    tj_free(root);
    snprintf(args, sizeof args, "eval robustness --json -q --transforms crop:10:0:0+jpeg:70,flip -r '%s' -o '%s'", imgdir, r);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    root = tj_load(r);
    const tj_value *row = tj_at(root, 0);
    CU_ASSERT_STRING_EQUAL(tj_string(tj_get(row, "spec")), "crop:10:0:0+jpeg:70");
    const tj_value *steps = tj_get(row, "steps");
    CU_ASSERT_EQUAL(tj_count(steps), 2);
    CU_ASSERT_STRING_EQUAL(tj_string(tj_get(tj_at(steps, 0), "name")), "crop");
    CU_ASSERT_EQUAL(tj_count(tj_get(tj_at(steps, 0), "params")), 3);
    CU_ASSERT_EQUAL(tj_number(tj_at(tj_get(tj_at(steps, 1), "params"), 0), -1), 70);
    CU_ASSERT_EQUAL(tj_count(tj_get(tj_at(tj_get(tj_at(root, 1), "steps"), 0), "params")), 0); /* flip */
    CU_ASSERT_EQUAL(tj_number(tj_get(tj_at(tj_get(row, "rates"), 10), "threshold"), -1), 10);
    tj_free(root);
    /* a target no threshold meets: threshold -1 and null rates */
    snprintf(args, sizeof args, "eval roc --json --fpr '%s' --robustness '%s' --target-fpr 1e-9 -o '%s'", f, r, roc);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    size_t n;
    char *text = (char *)tu_read(roc, &n);
    text = realloc(text, n + 1);
    text[n] = '\0';
    CU_ASSERT(strstr(text, "\"threshold\": -1, \"fpr\": null, \"image_fpr\": null, \"recall\": null") != NULL);
    free(text);
    free(f), free(r), free(roc);
}

/* Edits are seeded by the file's bytes: the same images elsewhere give the
 * same robustness numbers. */
static void test_seed_from_content(void)
{
    char args[4096], *moved = tmp("moved/elsewhere"), *a = tmp("seed_a.json"), *b = tmp("seed_b.json");
    snprintf(args, sizeof args, "mkdir -p '%s' && cp '%s'/img1.jpg '%s/renamed.jpg' && cp '%s'/img2.jpg '%s/zz.jpg'",
             moved, imgdir, moved, imgdir, moved);
    CU_ASSERT_FATAL(system(args) == 0);
    snprintf(args, sizeof args, "eval robustness --json -q --transforms noise:20,overlay:10 '%s/img1.jpg' '%s/img2.jpg' -o '%s'",
             imgdir, imgdir, a);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    snprintf(args, sizeof args, "eval robustness --json -q --transforms noise:20,overlay:10 '%s/renamed.jpg' '%s/zz.jpg' -o '%s'",
             moved, moved, b);
    CU_ASSERT_EQUAL_FATAL(run(args, NULL), 0);
    size_t n1, n2;
    uint8_t *x = tu_read(a, &n1), *y = tu_read(b, &n2);
    CU_ASSERT(n1 == n2 && !memcmp(x, y, n1));
    free(x), free(y);
    free(moved), free(a), free(b);
}

/* account --report writes its page, figure and data. */
static void test_account_report(void)
{
    char args[4096], *rep = tmp("acc_report");
    snprintf(args, sizeof args, "eval account --per-image-fpr 1e-6 --images-per-account 10000 --threshold 30 --report '%s'", rep);
    CU_ASSERT_EQUAL(run(args, NULL), 0);
    CU_ASSERT(file_exists(rep, "index.html") && file_exists(rep, "account.svg") && file_exists(rep, "account.csv"));
    char *csv = tu_path(rep, "account.csv");
    size_t n;
    char *text = (char *)tu_read(csv, &n);
    text = realloc(text, n + 1);
    text[n] = '\0';
    CU_ASSERT(strstr(text, "threshold_k,binomial_tail\n1,") == text);
    CU_ASSERT(strstr(text, "\n30,3.57469743e-93\n") != NULL);
    free(text), free(csv), free(rep);
}

static void test_usage_errors(void)
{
    CU_ASSERT_EQUAL(run("eval fpr", NULL), 2);
    CU_ASSERT_EQUAL(run("eval nonsense", NULL), 2);
    CU_ASSERT_EQUAL(run("eval fpr --algo md5 x", NULL), 2);
    CU_ASSERT_EQUAL(run("eval fpr --threshold 300 x", NULL), 2);
    CU_ASSERT_EQUAL(run("eval robustness --transforms sharpen:1 x", NULL), 2);
    CU_ASSERT_EQUAL(run("eval account --per-image-fpr 2 --images-per-account 3 --threshold 2", NULL), 2);
    CU_ASSERT_EQUAL(run("eval account --per-image-fpr 0.1 --threshold 2", NULL), 2);
    CU_ASSERT_EQUAL(run("eval roc --fpr /nonexistent", NULL), 2);
    char args[4096];
    snprintf(args, sizeof args, "eval robustness '%s'", hashfile); /* needs images */
    CU_ASSERT_EQUAL(run(args, NULL), 2);
    CU_ASSERT_EQUAL(run("eval --help", NULL), 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    cli = tu_path(HM_TEST_BINARY_DIR, "hashmatch");
    static const tu_test setup[] = {{"generate corpora", make_corpus}, {"hash file", make_hash_file}, {NULL, NULL}};
    static const tu_test tests[] = {
        {"fpr over images: copies at 0, totals n(n-1)/2, groups", test_fpr_images},
        {"robustness: flip far, dihedral near, identity, determinism, shards", test_robustness},
        {"pair counts equal the scalar count (threads, blocks, groups)", test_pairs_exact},
        {"merged shards equal the unsharded output byte for byte", test_merge_exact},
        {"roc, report and account", test_roc_report_account},
        {"usage errors", test_usage_errors},
        {"output paths checked and made before any work", test_outputs_checked_first},
        {"options a command does not use are refused", test_flags_refused},
        {"--pairs-within lists exactly the close pairs", test_pairs_within},
        {"--pairs-within escapes file names", test_pairs_names},
        {"JSON as tables: records, steps, nulls, nearest paths", test_json_tables},
        {"robustness seeded by the bytes, not the path", test_seed_from_content},
        {"account --report", test_account_report},
        {NULL, NULL}};
    tu_add_suite("setup", setup);
    tu_add_suite("cli_eval", tests);
    int rc = tu_run("test_cli_eval");
    free(cli);
    free(imgdir);
    free(hashfile);
    return rc;
}
