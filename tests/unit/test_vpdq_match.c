/* test_vpdq_match.c - vPDQ matching and sets, without decoding:
 *   - hm_vpdq_compare and the scanner (through the set's index) against
 *     python-threatexchange's percentages in ../shared/vectors/vpdq/pairs_b.tsv
 *     for all 196 ordered pairs of Meta's sample videos;
 *   - the scanner against a brute-force walk over random frame lists, with
 *     other policies, repeated frames, low-quality frames, inactive videos
 *     and an allowlist; images against video frames and frames against
 *     images;
 *   - vPDQ sections: round trip, canonical order, merging, and each
 *     rejection class of docs/FORMAT.md section 4.6. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "set_fixture.h"
#include "video/video_internal.h"

static void must(hm_status st, const char *what)
{
    if (st != HM_OK) {
        fprintf(stderr, "%s failed: %s\n", what, hm_status_name(st));
        abort();
    }
}

/* ------------------------------------------------------------------------ */
/* Frame lists                                                              */
/* ------------------------------------------------------------------------ */

typedef struct flist {
    hm_vpdq_frame *f;
    size_t n;
} flist;

/* A reference hash file (frame,quality,hex,timestamp lines). */
static flist read_frames(const char *path)
{
    size_t size;
    uint8_t *text = tu_read(path, &size);
    flist l = {calloc(size / 70 + 1, sizeof(hm_vpdq_frame)), 0};
    char *p = (char *)text, *end = p + size;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        *nl = '\0';
        CU_ASSERT_EQUAL_FATAL(hm_vpdq_parse_line(p, &l.f[l.n]), HM_OK);
        l.n++;
        p = nl + 1;
    }
    free(text);
    return l;
}

static const char *const SAMPLES[] = {
    "chair-19-sd-bar", "chair-20-sd-bar", "chair-22-sd-grey-bar", "chair-22-sd-sepia-bar",
    "chair-22-with-large-logo-bar", "chair-22-with-small-logo-bar", "chair-orig-22-sd-bar",
    "doorknob-hd-no-bar", "pattern-hd-no-bar", "pattern-longer-no-bar", "pattern-sd-grey-bar",
    "pattern-sd-with-large-logo-bar", "pattern-sd-with-small-logo-bar", "test-padded-dimensions"};
#define NSAMPLES (sizeof SAMPLES / sizeof SAMPLES[0])

static flist SAMPLE[NSAMPLES];

static int sample_index(const char *stem)
{
    for (size_t i = 0; i < NSAMPLES; i++)
        if (!strcmp(SAMPLES[i], stem)) return (int)i;
    return -1;
}

static void load_samples(void)
{
    if (SAMPLE[0].f) return;
    char *dir = tu_path(tu_vectors_dir(), "vpdq/reference/b_r1");
    for (size_t i = 0; i < NSAMPLES; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.txt", SAMPLES[i]);
        char *p = tu_path(dir, name);
        SAMPLE[i] = read_frames(p);
        free(p);
    }
    free(dir);
}

/* One row of pairs_b.tsv. */
typedef struct pair_row {
    int a, b;
    double qpct, cpct;
    int match;
    size_t qm, qt, cm, ct;
} pair_row;

static size_t read_pairs(pair_row *rows, size_t max)
{
    char *p = tu_path(tu_vectors_dir(), "vpdq/pairs_b.tsv");
    size_t size, n = 0;
    char *text = (char *)tu_read(p, &size);
    free(p);
    text = realloc(text, size + 1);
    text[size] = '\0';
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[9];
        if (tu_split_tabs(line, f, 9) != 9 || !strcmp(f[0], "video_a")) continue;
        pair_row r = {sample_index(f[0]), sample_index(f[1]), strtod(f[2], NULL),
                      strtod(f[3], NULL), !strcmp(f[4], "true"), strtoul(f[5], NULL, 10),
                      strtoul(f[6], NULL, 10), strtoul(f[7], NULL, 10), strtoul(f[8], NULL, 10)};
        CU_ASSERT_FATAL(r.a >= 0 && r.b >= 0);
        rows[n++] = r;
    }
    free(text);
    return n;
}

/* hm_vpdq_compare's sized entry point (docs/ABI.md): a larger output gets
 * its tail zeroed, a too small one is refused, and a policy from a newer
 * header is read when its unknown tail is zero and refused otherwise. */
static void test_compare_sized(void)
{
    hm_vpdq_frame a[2];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 2; i++) {
        a[i].frame = (uint32_t)i;
        a[i].quality = 100;
        a[i].hash[0] = (uint8_t)(0x0f * i); /* 4 bits apart */
    }
    struct {
        hm_vpdq_comparison c;
        unsigned char tail[16];
    } big;
    memset(&big, 0xab, sizeof big);
    CU_ASSERT_EQUAL(hm_vpdq_compare_sized(a, 2, a, 1, NULL, 0, &big.c, sizeof big), HM_OK);
    CU_ASSERT_EQUAL(big.c.query_total, 2);
    CU_ASSERT_EQUAL(big.c.query_matched, 2);
    CU_ASSERT_EQUAL(big.c.compared_total, 1);
    CU_ASSERT_EQUAL(big.c.match, 1);
    for (size_t i = 0; i < sizeof big.tail; i++) CU_ASSERT_EQUAL(big.tail[i], 0);
    hm_vpdq_comparison c;
    CU_ASSERT_EQUAL(hm_vpdq_compare_sized(a, 2, a, 1, NULL, 0, &c, sizeof(void *)),
                    HM_E_INVALID_ARGUMENT);
    struct {
        hm_set_policy p;
        unsigned later_field;
    } newer;
    memset(&newer, 0, sizeof newer);
    hm_set_policy_default(HM_ALGO_VPDQ, &newer.p);
    newer.p.radius = 3; /* the frames are 4 bits apart: only frame 0 matches */
    CU_ASSERT_EQUAL(hm_vpdq_compare_sized(a, 2, a, 1, &newer.p, sizeof newer, &c, sizeof c), HM_OK);
    CU_ASSERT_EQUAL(c.query_matched, 1);
    newer.later_field = 1;
    CU_ASSERT_EQUAL(hm_vpdq_compare_sized(a, 2, a, 1, &newer.p, sizeof newer, &c, sizeof c),
                    HM_E_UNSUPPORTED);
}

static void test_pairs_brute(void)
{
    load_samples();
    pair_row rows[256];
    size_t n = read_pairs(rows, 256), same = 0;
    CU_ASSERT_EQUAL(n, NSAMPLES * NSAMPLES);
    for (size_t i = 0; i < n; i++) {
        const pair_row *r = &rows[i];
        hm_vpdq_comparison c;
        CU_ASSERT_EQUAL_FATAL(hm_vpdq_compare(SAMPLE[r->a].f, SAMPLE[r->a].n, SAMPLE[r->b].f,
                                              SAMPLE[r->b].n, NULL, &c),
                              HM_OK);
        /* exact doubles: Python's true division and C's agree bit for bit */
        int ok = c.query_matched == r->qm && c.query_total == r->qt &&
                 c.compared_matched == r->cm && c.compared_total == r->ct &&
                 c.query_pct == r->qpct && c.compared_pct == r->cpct && c.match == r->match;
        if (!ok)
            fprintf(stderr, "  %s vs %s: %zu/%zu %zu/%zu %.17g %.17g %d\n", SAMPLES[r->a],
                    SAMPLES[r->b], c.query_matched, c.query_total, c.compared_matched,
                    c.compared_total, c.query_pct, c.compared_pct, c.match);
        same += ok;
    }
    printf("\n  hm_vpdq_compare == pairs_b.tsv: %zu/%zu pairs ", same, n);
    CU_ASSERT_EQUAL(same, n);
}

/* ------------------------------------------------------------------------ */
/* Sets of videos                                                           */
/* ------------------------------------------------------------------------ */

static hm_set_builder *new_builder(void)
{
    hm_set_builder *b;
    must(hm_set_builder_new(&b), "builder");
    unsigned c;
    must(hm_set_builder_set_name(b, "video test", NULL), "name");
    must(hm_set_builder_add_category(b, "alpha", &c, NULL), "category");
    must(hm_set_builder_add_category(b, "beta", &c, NULL), "category");
    hm_set_builder_set_version(b, TF_VERSION);
    hm_set_builder_set_times(b, TF_CREATED, TF_EXPIRES);
    return b;
}

/* Builds, signs with keys 0 and 1, opens (min_attesters as given). */
static hm_set *finish_set(hm_set_builder *b, unsigned min_attesters, uint8_t **file)
{
    size_t size;
    must(hm_set_builder_build(b, file, &size, NULL), "build");
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    *file = tf_sign(*file, &size, KEYS, 2);
    hm_set_open_options o = tf_options();
    o.min_attesters = min_attesters;
    hm_set *set;
    hm_error e;
    hm_status st = hm_set_open(*file, size, &o, &set, &e);
    if (st) fprintf(stderr, "open: %s\n", e.message);
    must(st, "open");
    return set;
}

/* Every scanner test runs twice: frames through the index, and frames
 * against the codes by brute force (a scanner before its index pays). */
static hm_index_policy INDEX = HM_INDEX_ALWAYS;

static hm_scanner *new_scanner(const hm_set *set)
{
    hm_scanner *s;
    hm_error e;
    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.index = INDEX;
    hm_status st = hm_scanner_new(set, &o, &s, &e);
    if (st) fprintf(stderr, "scanner: %s\n", e.message);
    must(st, "scanner");
    /* the mode is the one asked for: an index exactly when ALWAYS */
    CU_ASSERT_EQUAL(hm_scanner_index_memory(s) > 0, INDEX == HM_INDEX_ALWAYS);
    return s;
}

static const hm_video_match *find_video(const hm_report *r, hm_video_match_kind kind,
                                        const char *id)
{
    for (size_t i = 0; i < hm_report_video_match_count(r); i++) {
        const hm_video_match *m = hm_report_video_match(r, i);
        if (m->kind == kind && !strcmp(m->external_id, id)) return m;
    }
    return NULL;
}

/* The scanner with thresholds 0 % (every video with a matching frame) and
 * with the defaults (80 %, 0 %) against every row of pairs_b.tsv. */
static void pairs_through_scanner(unsigned qpct)
{
    load_samples();
    hm_set_builder *b = new_builder();
    hm_set_policy pol;
    hm_set_policy_default(HM_ALGO_VPDQ, &pol);
    pol.variant = 1000;
    pol.query_match_pct = qpct;
    must(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &pol, NULL), "policy");
    for (size_t i = 0; i < NSAMPLES; i++)
        must(hm_set_builder_add_video(b, SAMPLE[i].f, SAMPLE[i].n, 0, 1, SAMPLES[i], NULL),
             "add video");
    uint8_t *file;
    hm_set *set = finish_set(b, 0, &file);
    hm_scanner *sc = new_scanner(set);
    CU_ASSERT(hm_scanner_uses_index(sc, HM_ALGO_VPDQ) || 1);
    pair_row rows[256];
    size_t n = read_pairs(rows, 256), same = 0;
    hm_report *rep[NSAMPLES];
    for (size_t i = 0; i < NSAMPLES; i++) {
        hm_video *v;
        must(hm_video_from_frames(SAMPLE[i].f, SAMPLE[i].n, &v, NULL), "video");
        must(hm_scanner_scan_video(sc, v, &rep[i], NULL), "scan");
        hm_video_free(v);
    }
    for (size_t i = 0; i < n; i++) {
        const pair_row *r = &rows[i];
        const hm_video_match *m = find_video(rep[r->a], HM_VIDEO_MATCH_VIDEO, SAMPLES[r->b]);
        int expect = qpct ? r->match : r->qm > 0;
        int ok = expect ? m && m->query_matched == r->qm && m->query_total == r->qt &&
                              m->compared_matched == r->cm && m->compared_total == r->ct &&
                              m->query_pct == r->qpct && m->compared_pct == r->cpct &&
                              m->pair_count == (r->qm < HM_VIDEO_MAX_PAIRS ? r->qm : HM_VIDEO_MAX_PAIRS)
                        : m == NULL;
        if (!ok) fprintf(stderr, "  scanner: %s vs %s differs\n", SAMPLES[r->a], SAMPLES[r->b]);
        same += ok;
    }
    printf("\n  scanner (query threshold %u.%02u %%) == pairs_b.tsv: %zu/%zu pairs ", qpct / 100,
           qpct % 100, same, n);
    CU_ASSERT_EQUAL(same, n);
    for (size_t i = 0; i < NSAMPLES; i++) hm_report_free(rep[i]);
    hm_scanner_free(sc);
    hm_set_free(set);
    hm_buffer_free(file);
}

static void test_pairs_scanner_all(void) { pairs_through_scanner(0); }
static void test_pairs_scanner_default(void) { pairs_through_scanner(8000); }

/* ------------------------------------------------------------------------ */
/* Random frame lists against a brute-force walk                            */
/* ------------------------------------------------------------------------ */

static void random_hash(tu_rng *r, uint8_t *h)
{
    for (int i = 0; i < HM_PDQ_BYTES; i++) h[i] = (uint8_t)tu_rng_next(r);
}

static void near_hash(tu_rng *r, const uint8_t *src, uint8_t *dst, unsigned bits)
{
    memcpy(dst, src, HM_PDQ_BYTES);
    for (unsigned i = 0; i < bits; i++) {
        unsigned b = tu_rng_below(r, 256);
        dst[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

/* A video of n frames drifting from `base`, with repeats and low qualities. */
static flist random_video(tu_rng *r, const uint8_t *base, size_t n)
{
    flist l = {calloc(n, sizeof(hm_vpdq_frame)), n};
    for (size_t i = 0; i < n; i++) {
        hm_vpdq_frame *f = &l.f[i];
        if (i && tu_rng_below(r, 5) == 0) *f = l.f[tu_rng_below(r, (uint32_t)i)];
        else near_hash(r, base, f->hash, tu_rng_below(r, 60));
        f->quality = (int)tu_rng_below(r, 101);
        f->frame = (uint32_t)i * 3;
        f->timestamp = i * 0.1;
    }
    return l;
}

#define NV 40

static void test_random_against_brute(void)
{
    tu_rng r;
    tu_rng_seed(&r, 777);
    uint8_t bases[4][HM_PDQ_BYTES];
    for (int i = 0; i < 4; i++) random_hash(&r, bases[i]);
    flist vids[NV];
    hm_set_builder *b = new_builder();
    hm_set_policy pol = {0, 24, 6, 50, 3000, 2000};
    must(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &pol, NULL), "policy");
    for (int i = 0; i < NV; i++) {
        vids[i] = random_video(&r, bases[i % 4], 5 + tu_rng_below(&r, 40));
        char id[16];
        snprintf(id, sizeof id, "v%d", i);
        must(hm_set_builder_add_video(b, vids[i].f, vids[i].n, (unsigned)i % 2, 1 + (unsigned)i % 3, id, NULL), "add");
    }
    uint8_t allow[HM_PDQ_BYTES];
    near_hash(&r, bases[0], allow, 3);
    must(hm_set_builder_allow(b, HM_ALGO_VPDQ, allow, NULL), "allow");
    uint8_t *file;
    hm_set *set = finish_set(b, 2, &file); /* videos with 1 attester are inactive */
    hm_scanner *sc = new_scanner(set);
    size_t checked = 0, reported = 0;
    for (int t = 0; t < 30; t++) {
        flist q = random_video(&r, bases[t % 4], 3 + tu_rng_below(&r, 60));
        /* the brute force: drop allowlisted query frames, compare with each video */
        flist qa = {calloc(q.n, sizeof(hm_vpdq_frame)), 0};
        for (size_t i = 0; i < q.n; i++)
            if (hm_hamming(q.f[i].hash, allow, HM_PDQ_BYTES) > pol.allow_radius) qa.f[qa.n++] = q.f[i];
        hm_video *v;
        hm_report *rep;
        must(hm_video_from_frames(q.f, q.n, &v, NULL), "video");
        must(hm_scanner_scan_video(sc, v, &rep, NULL), "scan");
        for (int i = 0; i < NV; i++) {
            char id[16];
            snprintf(id, sizeof id, "v%d", i);
            hm_vpdq_comparison c;
            must(hm_vpdq_compare(qa.f, qa.n, vids[i].f, vids[i].n, &pol, &c), "compare");
            int active = 1 + i % 3 >= 2;
            const hm_video_match *m = find_video(rep, HM_VIDEO_MATCH_VIDEO, id);
            if (c.match && active) {
                CU_ASSERT_PTR_NOT_NULL_FATAL(m);
                CU_ASSERT_EQUAL(m->query_matched, c.query_matched);
                CU_ASSERT_EQUAL(m->query_total, c.query_total);
                CU_ASSERT_EQUAL(m->compared_matched, c.compared_matched);
                CU_ASSERT_EQUAL(m->compared_total, c.compared_total);
                CU_ASSERT(m->query_pct == c.query_pct && m->compared_pct == c.compared_pct);
                CU_ASSERT(m->distance <= pol.radius && m->pair_count >= 1);
                for (size_t k = 1; k < m->pair_count; k++)
                    CU_ASSERT(m->pairs[k - 1].distance <= m->pairs[k].distance);
                reported++;
            } else {
                CU_ASSERT_PTR_NULL(m);
            }
            checked++;
        }
        hm_report_free(rep);
        hm_video_free(v);
        free(q.f);
        free(qa.f);
    }
    printf("\n  scanner == brute force on %zu (query, video) pairs, %zu matches ", checked,
           reported);
    CU_ASSERT(reported > 20 && reported < checked);
    for (int i = 0; i < NV; i++) free(vids[i].f);
    hm_scanner_free(sc);
    hm_set_free(set);
    hm_buffer_free(file);
}

/* An image's PDQ against listed video frames, a video's frames against
 * listed images, and video digests against digest entries. */
static void test_images_and_frames(void)
{
    tu_rng r;
    tu_rng_seed(&r, 99);
    uint8_t img[HM_PDQ_BYTES], md5[HM_MD5_BYTES];
    random_hash(&r, img);
    memset(md5, 0x42, sizeof md5);
    flist vid = random_video(&r, img, 20);
    for (size_t i = 0; i < vid.n; i++) vid.f[i].quality = 90;
    hm_set_builder *b = new_builder();
    must(hm_set_builder_add_video(b, vid.f, vid.n, 1, 1, "clip", NULL), "video");
    must(hm_set_builder_add(b, HM_ALGO_PDQ, img, 0, 1, "still", NULL), "pdq");
    must(hm_set_builder_add(b, HM_ALGO_MD5, md5, 0, 1, "file", NULL), "md5");
    uint8_t *file;
    hm_set *set = finish_set(b, 0, &file);
    hm_scanner *sc = new_scanner(set);
    /* an image near the video's frames */
    hm_hashes h;
    memset(&h, 0, sizeof h);
    h.algos = HM_MASK(HM_ALGO_PDQ);
    near_hash(&r, img, h.pdq, 4);
    h.pdq_quality = 80;
    hm_report *rep;
    must(hm_scanner_scan_hashes(sc, &h, &rep, NULL), "scan image");
    const hm_video_match *m = find_video(rep, HM_VIDEO_MATCH_IMAGE_FRAME, "clip");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->algo, HM_ALGO_VPDQ);
    CU_ASSERT_EQUAL(m->query_matched, 1);
    CU_ASSERT_EQUAL(m->pair_count, 1);
    size_t near = 0;
    unsigned best = 256;
    for (size_t i = 0; i < vid.n; i++) {
        unsigned d = hm_hamming(h.pdq, vid.f[i].hash, HM_PDQ_BYTES);
        near += d <= 31;
        if (d < best) best = d;
    }
    uint8_t keep[64];
    CU_ASSERT_EQUAL(m->distance, best);
    CU_ASSERT_EQUAL(m->pairs[0].distance, best);
    CU_ASSERT(near >= m->compared_matched); /* repeats of a frame are listed once */
    CU_ASSERT_EQUAL(hm_report_match_count(rep), 1); /* and the image entry itself */
    hm_report_free(rep);
    /* a low-quality image is not matched against frames */
    h.pdq_quality = 10;
    must(hm_scanner_scan_hashes(sc, &h, &rep, NULL), "scan image");
    CU_ASSERT_EQUAL(hm_report_video_match_count(rep), 0);
    CU_ASSERT(hm_report_vpdq_skipped(rep));
    hm_report_free(rep);
    /* a video with two frames near the image entry, and the listed digest */
    flist q = random_video(&r, img, 6);
    for (size_t i = 0; i < q.n; i++) q.f[i].quality = 100, q.f[i].frame = (uint32_t)(10 * i);
    near_hash(&r, img, q.f[2].hash, 2);
    near_hash(&r, img, q.f[4].hash, 9);
    hm_video *v;
    must(hm_video_from_frames(q.f, q.n, &v, NULL), "video");
    v->info.digests = HM_MASK(HM_ALGO_MD5); /* as if hashed from a file */
    memcpy(v->info.md5, md5, sizeof md5);
    must(hm_scanner_scan_video(sc, v, &rep, NULL), "scan video");
    m = find_video(rep, HM_VIDEO_MATCH_FRAMES_IMAGE, "still");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->algo, HM_ALGO_PDQ);
    size_t distinct = 0;
    for (size_t i = 0; i < q.n; i++) {
        size_t j = 0;
        while (j < i && memcmp(q.f[i].hash, q.f[j].hash, HM_PDQ_BYTES)) j++;
        distinct += j == i;
    }
    CU_ASSERT_EQUAL(m->query_total, distinct);
    CU_ASSERT(m->query_matched >= 2);
    CU_ASSERT(m->pairs[0].distance <= 2 && m->pairs[0].query_frame == 20);
    CU_ASSERT_EQUAL(hm_report_match_count(rep), 1);
    CU_ASSERT_EQUAL(hm_report_match(rep, 0)->algo, HM_ALGO_MD5);
    (void)keep;
    hm_report_free(rep);
    hm_video_free(v);
    free(q.f);
    free(vid.f);
    hm_scanner_free(sc);
    hm_set_free(set);
    hm_buffer_free(file);
}

/* ------------------------------------------------------------------------ */
/* vPDQ sections                                                            */
/* ------------------------------------------------------------------------ */

typedef struct layout_info {
    size_t desc, hashes, meta, nv, nf;
} layout_info;
static layout_info locate(const uint8_t *c);
static uint8_t *range(uint8_t *c, const layout_info *L, size_t i);

static uint8_t *video_set(int reversed, size_t *size)
{
    tu_rng r;
    tu_rng_seed(&r, 5);
    uint8_t base[HM_PDQ_BYTES];
    random_hash(&r, base);
    flist v[5];
    for (int i = 0; i < 5; i++) v[i] = random_video(&r, base, 4 + (size_t)i);
    hm_set_builder *b = new_builder();
    for (int k = 0; k < 5; k++) {
        int i = reversed ? 4 - k : k;
        char id[8];
        snprintf(id, sizeof id, "v%d", i);
        must(hm_set_builder_add_video(b, v[i].f, v[i].n, (unsigned)i % 2, 1, id, NULL), "add");
    }
    /* the same list again, merged: the larger attester count stays */
    must(hm_set_builder_add_video(b, v[3].f, v[3].n, 1, 3, NULL, NULL), "add again");
    uint8_t *file;
    must(hm_set_builder_build(b, &file, size, NULL), "build");
    hm_set_builder_free(b);
    for (int i = 0; i < 5; i++) free(v[i].f);
    return file;
}

static void test_section_round_trip(void)
{
    size_t n1, n2;
    uint8_t *a = video_set(0, &n1), *b = video_set(1, &n2);
    CU_ASSERT_EQUAL(n1, n2);
    hm_set *s, *s2;
    must(hm_set_open_unverified(a, n1, &s, NULL), "open");
    must(hm_set_open_unverified(b, n2, &s2, NULL), "open");
    /* canonical: the order of adding does not matter (only the string
     * table's order of external ids does) */
    layout_info la = locate(a), lb = locate(b);
    CU_ASSERT_EQUAL(la.nf, lb.nf);
    CU_ASSERT(memcmp(a + la.hashes, b + lb.hashes, la.nf * HM_PDQ_BYTES) == 0);
    CU_ASSERT(memcmp(range(a, &la, 0), range(b, &lb, 0),
                     la.nv * HM__RANGE_SIZE + la.nf * HM__FRAME_SIZE) == 0);
    for (size_t i = 0; i < la.nv; i++) {
        hm_set_entry x, y;
        CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_VPDQ, i, &x), HM_OK);
        CU_ASSERT_EQUAL(hm_set_entry_get(s2, HM_ALGO_VPDQ, i, &y), HM_OK);
        CU_ASSERT_STRING_EQUAL(x.external_id, y.external_id);
    }
    hm_set_free(s2);
    const hm_set_section *sec = hm_set_section_get(s, HM_ALGO_VPDQ);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sec);
    CU_ASSERT_EQUAL(sec->entry_count, 5);
    CU_ASSERT_EQUAL(sec->radius, 31);
    CU_ASSERT_EQUAL(sec->min_quality, 50);
    CU_ASSERT_EQUAL(sec->query_match_pct, 8000);
    CU_ASSERT_EQUAL(sec->compared_match_pct, 0);
    size_t frames = 0;
    for (size_t i = 0; i < 5; i++) {
        hm_set_entry e;
        CU_ASSERT_EQUAL(hm_set_entry_get(s, HM_ALGO_VPDQ, i, &e), HM_OK);
        hm_set_video_frame f0;
        CU_ASSERT_EQUAL(hm_set_video_frame_get(s, i, 0, &f0), HM_OK);
        CU_ASSERT_PTR_EQUAL(e.hash, f0.hash);
        if (!strcmp(e.external_id, "v3")) CU_ASSERT_EQUAL(e.attesters, 3);
        size_t n = hm_set_video_frame_count(s, i);
        for (size_t k = 0; k < n; k++) {
            hm_set_video_frame f;
            CU_ASSERT_EQUAL(hm_set_video_frame_get(s, i, k, &f), HM_OK);
            CU_ASSERT(f.quality <= 100);
            CU_ASSERT_EQUAL(f.timestamp_ms % 100, 0); /* i * 0.100 s */
            CU_ASSERT_EQUAL(f.frame, 3 * f.timestamp_ms / 100);
            for (size_t j = 0; j < k; j++) { /* each hash once per video */
                hm_set_video_frame g;
                CU_ASSERT_EQUAL(hm_set_video_frame_get(s, i, j, &g), HM_OK);
                CU_ASSERT(memcmp(f.hash, g.hash, HM_PDQ_BYTES) != 0);
            }
        }
        frames += n;
    }
    CU_ASSERT_EQUAL(sec->frame_count, frames);
    hm_set_video_frame f;
    CU_ASSERT_EQUAL(hm_set_video_frame_get(s, 5, 0, &f), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_video_frame_count(s, 5), 0);
    /* The sized entry point (docs/ABI.md): a larger output from a newer
     * header gets its tail zeroed, a size no release declared is refused. */
    struct {
        hm_set_video_frame f;
        unsigned char tail[16];
    } big;
    memset(&big, 0xab, sizeof big);
    CU_ASSERT_EQUAL(hm_set_video_frame_get_sized(s, 0, 0, &big.f, sizeof big), HM_OK);
    CU_ASSERT_EQUAL(hm_set_video_frame_get(s, 0, 0, &f), HM_OK);
    CU_ASSERT(memcmp(&big.f, &f, sizeof f) == 0);
    for (size_t i = 0; i < sizeof big.tail; i++) CU_ASSERT_EQUAL(big.tail[i], 0);
    CU_ASSERT_EQUAL(hm_set_video_frame_get_sized(s, 0, 0, &f, sizeof(void *)),
                    HM_E_INVALID_ARGUMENT);
    hm_set_free(s);
    hm_buffer_free(a);
    hm_buffer_free(b);
}

static void test_builder_rules(void)
{
    hm_set_builder *b = new_builder();
    hm_vpdq_frame f[3];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 3; i++) f[i].frame = (uint32_t)i, f[i].quality = 80, f[i].hash[0] = (uint8_t)i;
    hm_error e;
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 0, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(hm_set_builder_add(b, HM_ALGO_VPDQ, f[0].hash, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    f[1].quality = 101;
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    f[1].quality = 80;
    f[2].frame = 1; /* not ascending */
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    f[2].frame = 2;
    f[2].timestamp = -1;
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 0, 1, NULL, &e), HM_E_INVALID_ARGUMENT);
    f[2].timestamp = 0;
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 5, 1, NULL, &e), HM_E_SET_UNKNOWN_CATEGORY);
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 0, 1, "a", &e), HM_OK);
    CU_ASSERT_EQUAL(hm_set_builder_add_video(b, f, 3, 1, 1, NULL, &e), HM_OK);
    uint8_t *data;
    size_t size;
    CU_ASSERT_EQUAL(hm_set_builder_build(b, &data, &size, &e), HM_E_SET_DUPLICATE_ENTRY);
    hm_set_policy p = {0, 31, 31, 50, 10001, 0};
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &p, &e), HM_E_INVALID_ARGUMENT);
    p.query_match_pct = 8000;
    p.variant = 60001;
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &p, &e), HM_E_INVALID_ARGUMENT);
    p.variant = 0;
    p.min_quality = 101;
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &p, &e), HM_E_INVALID_ARGUMENT);
    hm_set_policy q = {0, 31, 31, 50, 100, 0};
    CU_ASSERT_EQUAL(hm_set_builder_set_policy(b, HM_ALGO_PDQ, &q, &e), HM_E_INVALID_ARGUMENT);
    hm_set_builder_free(b);
}

/* ---- rejections: patch a signed set's content, re-seal, open ---- */

static layout_info locate(const uint8_t *c)
{
    layout_info L;
    size_t sections = (size_t)hm__load_le64(c + HM__H_SECTIONS_OFFSET);
    unsigned ns = hm__load_le32(c + HM__H_SECTION_COUNT);
    L.desc = sections + (size_t)(ns - 1) * HM__SECTION_SIZE; /* vPDQ sorts last */
    CU_ASSERT_EQUAL_FATAL(hm__load_le16(c + L.desc + HM__S_ALGO), HM_ALGO_VPDQ);
    L.hashes = (size_t)hm__load_le64(c + L.desc + HM__S_HASHES_OFFSET);
    L.meta = (size_t)hm__load_le64(c + L.desc + HM__S_META_OFFSET);
    L.nv = (size_t)hm__load_le64(c + L.desc + HM__S_ENTRY_COUNT);
    L.nf = (size_t)hm__load_le64(c + L.desc + HM__S_FRAME_COUNT);
    return L;
}

static void expect_video_reject(void (*patch)(uint8_t *c, const layout_info *L), hm_status want,
                                const char *needle)
{
    size_t n;
    uint8_t *file = video_set(0, &n);
    size_t cs = tf_content_size(file);
    layout_info L = locate(file);
    patch(file, &L);
    size_t size;
    uint8_t *sealed = tf_reseal(file, cs, &size);
    hm_error e;
    hm_status st = tf_open_status(sealed, size, &e);
    if (st != want || !strstr(e.message, needle))
        fprintf(stderr, "\n  want %s \"%s\", got %s: %s\n", hm_status_name(want), needle,
                hm_status_name(st), e.message);
    CU_ASSERT_EQUAL(st, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, needle));
    CU_ASSERT_EQUAL(hm__set_validate_content(sealed, cs, &e), want);
    hm_buffer_free(sealed);
    hm_buffer_free(file);
}

static uint8_t *range(uint8_t *c, const layout_info *L, size_t i)
{
    return c + L->meta + L->nv * HM__META_SIZE + i * HM__RANGE_SIZE;
}
static uint8_t *frame(uint8_t *c, const layout_info *L, size_t f)
{
    return c + L->meta + L->nv * (HM__META_SIZE + HM__RANGE_SIZE) + f * HM__FRAME_SIZE;
}

static void p_first(uint8_t *c, const layout_info *L) { hm__store_le32(range(c, L, 1) + HM__R_FIRST, 1); }
static void p_count0(uint8_t *c, const layout_info *L) { hm__store_le32(range(c, L, 0) + HM__R_COUNT, 0); }
static void p_past(uint8_t *c, const layout_info *L)
{
    hm__store_le32(range(c, L, L->nv - 1) + HM__R_COUNT, 1000);
}
static void p_short(uint8_t *c, const layout_info *L)
{
    uint8_t *r = range(c, L, L->nv - 1) + HM__R_COUNT;
    hm__store_le32(r, hm__load_le32(r) - 1);
}
static void p_quality(uint8_t *c, const layout_info *L) { hm__store_le16(frame(c, L, 2) + HM__F_QUALITY, 101); }
static void p_freserved(uint8_t *c, const layout_info *L) { hm__store_le16(frame(c, L, 0) + HM__F_RESERVED, 1); }
static void p_order(uint8_t *c, const layout_info *L) { hm__store_le32(frame(c, L, 1) + HM__F_NUMBER, 0); }
static void p_twice(uint8_t *c, const layout_info *L)
{
    memcpy(c + L->hashes + 2 * HM_PDQ_BYTES, c + L->hashes, HM_PDQ_BYTES);
}
static void p_pct(uint8_t *c, const layout_info *L) { hm__store_le16(c + L->desc + HM__S_VPDQ_QUERY_PCT, 10001); }
static void p_cpct(uint8_t *c, const layout_info *L) { hm__store_le16(c + L->desc + HM__S_VPDQ_COMPARED_PCT, 20000); }
static void p_radius(uint8_t *c, const layout_info *L) { hm__store_le16(c + L->desc + HM__S_RADIUS, 257); }
static void p_interval(uint8_t *c, const layout_info *L) { hm__store_le16(c + L->desc + HM__S_VARIANT, 60001); }
static void p_reserved(uint8_t *c, const layout_info *L) { hm__store_le16(c + L->desc + HM__S_VPDQ_RESERVED, 1); }
static void p_frames(uint8_t *c, const layout_info *L) { hm__store_le64(c + L->desc + HM__S_FRAME_COUNT, 2); }
static void p_huge(uint8_t *c, const layout_info *L)
{
    hm__store_le64(c + L->desc + HM__S_FRAME_COUNT, UINT64_C(1) << 33);
}
/* Two videos of two frames each; `same` makes the second a copy of the first
 * behind the digest (sorted or not: the builder never writes either). */
static void expect_pair_reject(int swap, hm_status want, const char *needle)
{
    hm_vpdq_frame f[2][2];
    memset(f, 0, sizeof f);
    for (int v = 0; v < 2; v++)
        for (int k = 0; k < 2; k++)
            f[v][k].frame = (uint32_t)k, f[v][k].quality = 90, f[v][k].hash[0] = (uint8_t)(16 * v + k + 1);
    hm_set_builder *b = new_builder();
    must(hm_set_builder_add_video(b, f[0], 2, 0, 1, NULL, NULL), "add");
    must(hm_set_builder_add_video(b, f[1], 2, 0, 1, NULL, NULL), "add");
    uint8_t *file;
    size_t n;
    must(hm_set_builder_build(b, &file, &n, NULL), "build");
    hm_set_builder_free(b);
    layout_info L = locate(file);
    uint8_t *h = file + L.hashes;
    if (swap) { /* video 1 before video 0 */
        uint8_t tmp[2 * HM_PDQ_BYTES];
        memcpy(tmp, h, sizeof tmp);
        memcpy(h, h + sizeof tmp, sizeof tmp);
        memcpy(h + sizeof tmp, tmp, sizeof tmp);
    } else { /* video 1 equal to video 0 */
        memcpy(h + 2 * HM_PDQ_BYTES, h, 2 * HM_PDQ_BYTES);
    }
    size_t size, cs = tf_content_size(file);
    uint8_t *sealed = tf_reseal(file, cs, &size);
    hm_error e;
    CU_ASSERT_EQUAL(tf_open_status(sealed, size, &e), want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, needle));
    hm_buffer_free(sealed);
    hm_buffer_free(file);
}

static void test_section_rejections(void)
{
    expect_video_reject(p_first, HM_E_SET_VIDEO_LAYOUT, "starts at frame 1");
    expect_video_reject(p_count0, HM_E_SET_VIDEO_LAYOUT, "0 frames");
    expect_video_reject(p_past, HM_E_SET_VIDEO_LAYOUT, "leave the");
    expect_video_reject(p_short, HM_E_SET_VIDEO_LAYOUT, "cover");
    expect_video_reject(p_quality, HM_E_SET_VIDEO_FRAME, "quality 101");
    expect_video_reject(p_freserved, HM_E_SET_VIDEO_FRAME, "reserved");
    expect_video_reject(p_order, HM_E_SET_VIDEO_FRAME, "ascending");
    expect_video_reject(p_twice, HM_E_SET_VIDEO_FRAME, "twice");
    expect_video_reject(p_pct, HM_E_SET_VIDEO_POLICY, "query match threshold 100.01");
    expect_video_reject(p_cpct, HM_E_SET_VIDEO_POLICY, "compared match threshold 200.00");
    expect_video_reject(p_radius, HM_E_SET_VIDEO_POLICY, "frame radius 257");
    expect_video_reject(p_interval, HM_E_SET_VIDEO_POLICY, "interval 60001");
    expect_video_reject(p_reserved, HM_E_SET_FIELD, "reserved");
    expect_video_reject(p_frames, HM_E_SET_VIDEO_LAYOUT, "5 videos but only 2 frames");
    expect_video_reject(p_huge, HM_E_SET_BOUNDS, "frames, at most");
    expect_pair_reject(1, HM_E_SET_UNSORTED, "sorts before");
    expect_pair_reject(0, HM_E_SET_DUPLICATE_ENTRY, "repeats video 0");
}

/* Builds without FFmpeg (HM_WITH_VIDEO=OFF) decode no video and say so;
 * everything above works in both. */
static void test_video_support(void)
{
    CU_ASSERT_EQUAL(hm_video_supported(), HM_EXPECT_VIDEO);
    static const uint8_t junk[64] = {0, 0, 0, 32, 'f', 't', 'y', 'p'};
    hm_video *v = (hm_video *)1;
    hm_error e;
    hm_status st = hm_video_hash_buffer(junk, sizeof junk, NULL, &v, &e);
    CU_ASSERT_PTR_NULL(v);
    if (HM_EXPECT_VIDEO) {
        CU_ASSERT(st >= HM_E_VIDEO_FORMAT && st <= HM_E_VIDEO_PIXEL_FORMAT);
    } else {
        CU_ASSERT_EQUAL(st, HM_E_UNSUPPORTED);
    }
    CU_ASSERT(hm_video_sniff(junk, sizeof junk));
}

/* A vPDQ section's frame radius and quality floor are held to the client's
 * limits as PDQ's are: 31 and 50 by default, explicit limits move them. */
static hm_status open_vpdq_policy(unsigned radius, unsigned min_quality,
                                  const hm_policy_limits *limits)
{
    tu_rng r;
    tu_rng_seed(&r, 31);
    uint8_t base[HM_PDQ_BYTES];
    random_hash(&r, base);
    flist v = random_video(&r, base, 4);
    hm_set_builder *b = new_builder();
    hm_set_policy pol = {0, radius, 0, min_quality, 8000, 0};
    must(hm_set_builder_set_policy(b, HM_ALGO_VPDQ, &pol, NULL), "policy");
    must(hm_set_builder_add_video(b, v.f, v.n, 0, 1, "v", NULL), "add");
    free(v.f);
    uint8_t *file;
    size_t size;
    must(hm_set_builder_build(b, &file, &size, NULL), "build");
    hm_set_builder_free(b);
    static const int KEYS[] = {0, 1};
    file = tf_sign(file, &size, KEYS, 2);
    hm_set_open_options o = tf_options();
    if (limits) o.limits = *limits;
    hm_set *set = NULL;
    hm_error e;
    hm_status st = hm_set_open(file, size, &o, &set, &e);
    if (st == HM_E_SET_POLICY) CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "vpdq"));
    hm_set_free(set);
    free(file);
    return st;
}

static void test_policy_limits(void)
{
    CU_ASSERT_EQUAL(open_vpdq_policy(31, 50, NULL), HM_OK);
    CU_ASSERT_EQUAL(open_vpdq_policy(32, 50, NULL), HM_E_SET_POLICY);
    CU_ASSERT_EQUAL(open_vpdq_policy(31, 49, NULL), HM_E_SET_POLICY);
    CU_ASSERT_EQUAL(open_vpdq_policy(256, 0, NULL), HM_E_SET_POLICY);
    hm_policy_limits l;
    memset(&l, 0, sizeof l);
    l.max_radius[HM_ALGO_VPDQ] = 40;
    l.min_quality_floor[HM_ALGO_VPDQ] = HM_POLICY_UNLIMITED;
    CU_ASSERT_EQUAL(open_vpdq_policy(40, 0, &l), HM_OK);
    CU_ASSERT_EQUAL(open_vpdq_policy(41, 0, &l), HM_E_SET_POLICY);
}

static void test_random_no_index(void)
{
    INDEX = HM_INDEX_NEVER;
    test_random_against_brute();
    INDEX = HM_INDEX_ALWAYS;
}

static void test_images_no_index(void)
{
    INDEX = HM_INDEX_NEVER;
    test_images_and_frames();
    INDEX = HM_INDEX_ALWAYS;
}

int main(void)
{
    static const tu_test sets[] = {{"section round trip and canonical order", test_section_round_trip},
                                   {"builder rules", test_builder_rules},
                                   {"section rejections", test_section_rejections},
                                   {NULL, NULL}};
    static const tu_test matching[] = {{"scanner against brute force", test_random_against_brute},
                                       {"the same without an index", test_random_no_index},
                                       {"images against frames, frames against images",
                                        test_images_and_frames},
                                       {"the same without an index", test_images_no_index},
                                       {"video decoding in this build", test_video_support},
                                       {"client limits on the vPDQ policy", test_policy_limits},
                                       {"hm_vpdq_compare_sized", test_compare_sized},
                                       {NULL, NULL}};
    static const tu_test vectors[] = {{"hm_vpdq_compare: pairs_b.tsv", test_pairs_brute},
                                      {"scanner, all frame matches: pairs_b.tsv", test_pairs_scanner_all},
                                      {"scanner, default policy: pairs_b.tsv", test_pairs_scanner_default},
                                      {NULL, NULL}};
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    tu_add_suite("vpdq sections", sets);
    tu_add_suite("vpdq matching", matching);
    if (tu_vectors_dir()) tu_add_suite("vpdq vectors", vectors);
    else printf("vpdq vectors: ../shared/vectors absent, skipped\n");
    int rc = tu_run("test_vpdq_match");
    for (size_t i = 0; i < NSAMPLES; i++) free(SAMPLE[i].f);
    return rc;
}
