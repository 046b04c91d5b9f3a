/* test_cli_progress.c - the progress bar's share done and time left follow
 * the pixels of each image, not the image count, and image sizes come from
 * the headers alone. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"
#include "transform/transform.h"

static void test_fraction_by_weight(void)
{
    cli_progress p;
    cli_progress_start(&p, NULL, 10);
    p.total_weight = 100 + 9; /* one 100-unit image, nine of 1 */
    cli_progress_update_weighted(&p, 1, 100);
    CU_ASSERT_DOUBLE_EQUAL(cli_progress_fraction(&p), 100.0 / 109, 1e-12);
    /* 10 s for 100 units: 0.9 s left for the 9 remaining, not 90 s */
    CU_ASSERT_DOUBLE_EQUAL(cli_progress_eta(&p, 10.0), 0.9, 1e-9);
    cli_progress q; /* without weights: by items */
    cli_progress_start(&q, NULL, 10);
    cli_progress_update(&q, 1);
    CU_ASSERT_DOUBLE_EQUAL(cli_progress_eta(&q, 10.0), 90.0, 1e-9);
}

static char *write_image(const char *name, uint32_t w, uint32_t h)
{
    uint8_t *px = calloc((size_t)w * h * 3, 1);
    hm_image *img;
    CU_ASSERT_FATAL(hm_image_from_pixels(w, h, 3, px, (size_t)w * 3, &img) == HM_OK);
    uint8_t *data;
    size_t size;
    CU_ASSERT_FATAL(hm__jpeg_encode(img, 80, &data, &size, NULL) == HM_OK);
    char *path = tu_path(tu_tmp_dir(), name);
    CU_ASSERT_FATAL(tu_write(path, data, size) == 0);
    free(data);
    free(px);
    hm_image_free(img);
    return path;
}

static void test_probe_pixels(void)
{
    char *args[5] = {write_image("a.jpg", 300, 200), write_image("b.jpg", 10, 10),
                     tu_path(tu_tmp_dir(), "junk.bin"), tu_path(tu_tmp_dir(), "missing.jpg"),
                     tu_path(tu_tmp_dir(), "fifo.jpg")};
    CU_ASSERT_FATAL(tu_write(args[2], "not an image", 12) == 0);
    /* a FIFO without a writer: probing it must neither block nor fail the others */
    CU_ASSERT_FATAL(mkfifo(args[4], 0600) == 0);
    cli_paths paths = {0};
    CU_ASSERT_FATAL(cli_paths_expand(&paths, args, 5, 0, NULL) == 0);
    CU_ASSERT_FATAL(paths.count == 5);
    double *px = cli_probe_pixels(&paths, NULL, 5, 2);
    CU_ASSERT_FATAL(px != NULL);
    CU_ASSERT_EQUAL(px[0], 60000);
    CU_ASSERT_EQUAL(px[1], 100);
    CU_ASSERT_EQUAL(px[2], 30050); /* unknown: the mean of the known ones */
    CU_ASSERT_EQUAL(px[3], 30050);
    CU_ASSERT_EQUAL(px[4], 30050);
    free(px);
    /* through an index: items 1 and 0 */
    static const size_t order[2] = {1, 0};
    px = cli_probe_pixels(&paths, order, 2, 1);
    CU_ASSERT_FATAL(px != NULL);
    CU_ASSERT_EQUAL(px[0], 100);
    CU_ASSERT_EQUAL(px[1], 60000);
    free(px);
    cli_paths_free(&paths);
    unlink(args[4]);
    for (int i = 0; i < 5; i++) free(args[i]);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test tests[] = {{"share done and time left by weight", test_fraction_by_weight},
                                    {"image sizes from the headers", test_probe_pixels},
                                    {NULL, NULL}};
    tu_add_suite("cli_progress", tests);
    return tu_run("test_cli_progress");
}
