/* test_video_vectors.c - vPDQ hashing against the reference vectors
 * (../shared/vectors/vpdq, made by Meta's vpdq-hash-video with Debian's
 * FFmpeg 5.1.9): every output file byte for byte.
 *
 *   test_video_vectors portable   the default mode: reference/a_r0_nosimd,
 *       b_r1_nosimd (FFmpeg's portable C conversion), c_r0_s128 (the general
 *       scaler, the same with or without SIMD), and Meta's committed
 *       upstream/ sample hashes of the videos present. On every CPU.
 *   test_video_vectors swscale    HM_VPDQ_SWSCALE: reference/a_r0, b_r1,
 *       c_r0_s128 and upstream/test-padded-dimensions (x86 SIMD conversion):
 *       x86-64 only, where the reference vectors were made.
 *
 * HM_VIDEO_VECTORS=short keeps the short clips (videos/extra and
 * doorknob-hd-no-bar): the sanitizer and qemu runs. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static const char *MODE;
static int SHORT;

static int is_short(const char *stem)
{
    static const char *const LONG_ONES[] = {"chair-", "pattern-", "test-padded-dimensions"};
    for (size_t i = 0; i < sizeof LONG_ONES / sizeof LONG_ONES[0]; i++)
        if (!strncmp(stem, LONG_ONES[i], strlen(LONG_ONES[i]))) return 0;
    return 1;
}

/* videos/STEM.mp4 or videos/extra/STEM.*, NULL when absent. */
static char *find_video(const char *stem)
{
    static const char *const DIRS[] = {"vpdq/videos", "vpdq/videos/extra"};
    for (int d = 0; d < 2; d++) {
        char *dir = tu_path(tu_vectors_dir(), DIRS[d]);
        DIR *h = opendir(dir);
        struct dirent *e;
        char *found = NULL;
        while (h && (e = readdir(h)) && !found) {
            const char *dot = strrchr(e->d_name, '.');
            if (dot && (size_t)(dot - e->d_name) == strlen(stem) && !strncmp(e->d_name, stem, strlen(stem)))
                found = tu_path(dir, e->d_name);
        }
        if (h) closedir(h);
        free(dir);
        if (found) return found;
    }
    return NULL;
}

/* The reference's output of a video, as text. */
static char *hash_text(const char *video, double seconds, unsigned size, hm_vpdq_mode mode)
{
    hm_video_options o = {0};
    o.seconds_per_hash = seconds;
    o.size = size;
    o.mode = mode;
    hm_video *v;
    hm_error e;
    hm_status st = hm_video_hash_file(video, &o, &v, &e);
    if (st != HM_OK) {
        fprintf(stderr, "\n  %s: %s: %s", video, hm_status_name(st), e.message);
        return NULL;
    }
    size_t n = hm_video_frame_count(v), len = 0;
    char *text = malloc(n * HM_VPDQ_LINE_SIZE + 1);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += hm_vpdq_format_line(hm_video_frame(v, i), text + len, HM_VPDQ_LINE_SIZE);
    hm_video_free(v);
    return text;
}

static int same_as(const char *text, const char *ref_path)
{
    size_t size;
    uint8_t *ref = tu_read(ref_path, &size);
    int same = text && strlen(text) == size && !memcmp(text, ref, size);
    free(ref);
    return same;
}

/* Every reference file of a setting, hashed with the given options. The
 * upstream file of the same video, when there is one and `upstream` is
 * set, must equal the same output. */
static void run_setting(const char *setting, double seconds, unsigned size, hm_vpdq_mode mode,
                        int upstream)
{
    char *dir = tu_path(tu_vectors_dir(), "vpdq/reference");
    char *sdir = tu_path(dir, setting), *udir = tu_path(tu_vectors_dir(), "vpdq/upstream");
    DIR *h = opendir(sdir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    struct dirent *e;
    size_t files = 0, same = 0, up = 0, up_same = 0;
    while ((e = readdir(h))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt")) continue;
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 4), e->d_name);
        if (SHORT && !is_short(stem)) continue;
        char *video = find_video(stem), *ref = tu_path(sdir, e->d_name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(video);
        char *text = hash_text(video, seconds, size, mode);
        files++;
        if (same_as(text, ref)) same++;
        else fprintf(stderr, "\n  %s/%s differs", setting, stem);
        char *u = tu_path(udir, e->d_name);
        struct stat st;
        /* test-padded-dimensions.txt was made on the SIMD path (swscale suite) */
        if (upstream && stat(u, &st) == 0 && strcmp(stem, "test-padded-dimensions")) {
            up++;
            if (same_as(text, u)) up_same++;
            else fprintf(stderr, "\n  upstream/%s differs", e->d_name);
        }
        free(u);
        free(text);
        free(ref);
        free(video);
    }
    closedir(h);
    printf("\n  %s (%s mode): %zu/%zu files byte-identical", setting, MODE, same, files);
    if (upstream) printf("; upstream/: %zu/%zu", up_same, up);
    printf(" ");
    CU_ASSERT(files > 0);
    CU_ASSERT_EQUAL(same, files);
    CU_ASSERT_EQUAL(up_same, up);
    free(dir);
    free(sdir);
    free(udir);
}

static void test_a_nosimd(void) { run_setting("a_r0_nosimd", 0, 0, HM_VPDQ_PORTABLE, 1); }
static void test_b_nosimd(void) { run_setting("b_r1_nosimd", 1, 0, HM_VPDQ_PORTABLE, 0); }
static void test_c_portable(void) { run_setting("c_r0_s128", 0, 128, HM_VPDQ_PORTABLE, 0); }
static void test_a_swscale(void) { run_setting("a_r0", 0, 0, HM_VPDQ_SWSCALE, 0); }
static void test_b_swscale(void) { run_setting("b_r1", 1, 0, HM_VPDQ_SWSCALE, 0); }
static void test_c_swscale(void) { run_setting("c_r0_s128", 0, 128, HM_VPDQ_SWSCALE, 0); }

/* The odd-width clip, for which FFmpeg's C converter leaves the last column
 * unwritten (no _nosimd reference): the portable mode's own rule gives the
 * same file on every run and thread count; its distance to the x86 SIMD
 * reference is reported. */
static void test_odd_width(void)
{
    char *video = find_video("vp9-yuv420p-oddw-321x240");
    CU_ASSERT_PTR_NOT_NULL_FATAL(video);
    char *a = hash_text(video, 0, 0, HM_VPDQ_PORTABLE), *b = hash_text(video, 0, 0, HM_VPDQ_PORTABLE);
    hm_video_options o = {0};
    o.threads = 3;
    hm_video *v;
    CU_ASSERT_EQUAL_FATAL(hm_video_hash_file(video, &o, &v, NULL), HM_OK);
    CU_ASSERT_FATAL(a && b && !strcmp(a, b));
    char *ref = tu_path(tu_vectors_dir(), "vpdq/reference/a_r0/vp9-yuv420p-oddw-321x240.txt");
    size_t size;
    char *text = (char *)tu_read(ref, &size);
    unsigned worst = 0;
    size_t frames = 0;
    for (char *line = text, *ours = a; line < text + size && *ours; frames++) {
        hm_vpdq_frame x, y;
        char *nl = memchr(line, '\n', (size_t)(text + size - line)), *nl2 = strchr(ours, '\n');
        CU_ASSERT_FATAL(nl && nl2);
        *nl = '\0';
        *nl2 = '\0';
        CU_ASSERT_EQUAL(hm_vpdq_parse_line(line, &x), HM_OK);
        CU_ASSERT_EQUAL(hm_vpdq_parse_line(ours, &y), HM_OK);
        const hm_vpdq_frame *t = hm_video_frame(v, frames);
        CU_ASSERT(t && !memcmp(t->hash, y.hash, HM_PDQ_BYTES));
        unsigned d = hm_hamming(x.hash, y.hash, HM_PDQ_BYTES);
        if (d > worst) worst = d;
        line = nl + 1;
        ours = nl2 + 1;
    }
    printf("\n  odd width: the same on every run and with 3 threads; at most %u bits from the "
           "x86 SIMD reference over %zu frames ", worst, frames);
    CU_ASSERT_EQUAL(frames, hm_video_frame_count(v));
    hm_video_free(v);
    free(text);
    free(ref);
    free(a);
    free(b);
    free(video);
}

/* Meta's committed test-padded-dimensions.txt was made on the x86 SIMD path. */
static void test_upstream_padded(void)
{
    char *video = find_video("test-padded-dimensions");
    char *u = tu_path(tu_vectors_dir(), "vpdq/upstream/test-padded-dimensions.txt");
    char *text = hash_text(video, 0, 0, HM_VPDQ_SWSCALE);
    CU_ASSERT(same_as(text, u));
    printf("\n  upstream/test-padded-dimensions.txt (swscale mode): %s ", same_as(text, u) ? "identical" : "DIFFERS");
    free(text);
    free(u);
    free(video);
}

int main(int argc, char **argv)
{
    MODE = argc > 1 ? argv[1] : "portable";
    const char *s = getenv("HM_VIDEO_VECTORS");
    SHORT = s && !strcmp(s, "short");
    if (!tu_vectors_dir() || !hm_video_supported()) {
        printf("test_video_vectors: %s, skipped\n",
               hm_video_supported() ? "../shared/vectors absent" : "built without video");
        return 0;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test portable[] = {{"a_r0_nosimd and upstream/", test_a_nosimd},
                                       {"b_r1_nosimd", test_b_nosimd},
                                       {"c_r0_s128", test_c_portable},
                                       {"odd width: deterministic", test_odd_width},
                                       {NULL, NULL}};
    static const tu_test swscale[] = {{"a_r0", test_a_swscale},
                                      {"b_r1", test_b_swscale},
                                      {"c_r0_s128", test_c_swscale},
                                      {"upstream/test-padded-dimensions", test_upstream_padded},
                                      {NULL, NULL}};
    static const tu_test swscale_short[] = {{"a_r0", test_a_swscale},
                                            {"b_r1", test_b_swscale},
                                            {"c_r0_s128", test_c_swscale},
                                            {NULL, NULL}};
#if defined(__x86_64__)
    const int x86 = 1;
#else
    const int x86 = 0;
#endif
    if (!strcmp(MODE, "swscale") && !x86) {
        printf("test_video_vectors swscale: the vectors were made on x86-64 SIMD, skipped\n");
        CU_cleanup_registry();
        return 0;
    }
    if (!strcmp(MODE, "swscale"))
        tu_add_suite("vpdq vectors, swscale mode", SHORT ? swscale_short : swscale);
    else
        tu_add_suite("vpdq vectors, portable mode", portable);
    return tu_run("test_video_vectors");
}
