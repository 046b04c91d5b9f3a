/* test_files.c - the library's file readers (hm_image_load, hm_hash_file,
 * hm_scanner_scan_file, hm_set_open_file) on paths that are not ordinary
 * files: a FIFO with no writer (must not block), a directory, a socket,
 * /dev/zero and /dev/null, a file over the size limit (sparse, so nothing
 * is written), a file whose size changes while it is read (/proc reports
 * size 0), and a symbolic link to a regular file (followed). An alarm turns
 * a hang into a failure instead of a stuck test run. */
#define _DEFAULT_SOURCE /* symlink, ftruncate, mkfifo */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/common.h"
#include "set_fixture.h"

static hm_set *set;
static hm_scanner *scanner;

static char *tmp(const char *name) { return tu_path(tu_tmp_dir(), name); }

/* Every reader on `path` must give `want` (with `dopt`: the image and hash
 * readers only). */
static void check_readers(const char *path, const hm_decode_options *dopt, hm_status want)
{
    hm_error err;
    hm_image *img = NULL;
    hm_status st = hm_image_load(path, dopt, &img, &err);
    if (st != want) printf("\n  hm_image_load(%s): %s: %s", path, hm_status_name(st), err.message);
    CU_ASSERT_EQUAL(st, want);
    CU_ASSERT_EQUAL(err.status, st);
    hm_image_free(img);

    hm_hash_options hopt = {0};
    if (dopt) hopt.decode = *dopt;
    hm_hashes h;
    CU_ASSERT_EQUAL(hm_hash_file(path, &hopt, &h, &err), want);
    hopt.algos = HM_MASK(HM_ALGO_SHA256); /* digests only: no decoding either */
    CU_ASSERT_EQUAL(hm_hash_file(path, &hopt, &h, &err), want);

    if (dopt) return; /* the scanner and set readers below use their defaults */
    hm_report *rep = NULL;
    if (scanner) {
        CU_ASSERT_EQUAL(hm_scanner_scan_file(scanner, path, &rep, &err), want);
        hm_report_free(rep);
    }
    hm_set_open_options sopt = tf_options();
    hm_set *s = NULL;
    CU_ASSERT_EQUAL(hm_set_open_file(path, &sopt, &s, &err), want);
    hm_set_free(s);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "\ntest_files: a file reader blocked (alarm)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
}

static void test_fifo(void)
{
    char *p = tmp("f.jpg");
    unlink(p);
    CU_ASSERT_EQUAL_FATAL(mkfifo(p, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(20);
    check_readers(p, NULL, HM_E_NOT_REGULAR_FILE);
    hm_error err;
    hm_image *img;
    CU_ASSERT_EQUAL(hm_image_load(p, NULL, &img, &err), HM_E_NOT_REGULAR_FILE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "FIFO"));
    alarm(0);
    unlink(p);
    free(p);
}

static void test_directory_socket_devices(void)
{
    char *d = tmp("dir.png");
    mkdir(d, 0700);
    check_readers(d, NULL, HM_E_NOT_REGULAR_FILE);
    free(d);

    char *sp = tmp("s.png");
    unlink(sp);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (fd >= 0 && strlen(sp) < sizeof a.sun_path) {
        strcpy(a.sun_path, sp);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0)
            check_readers(sp, NULL, HM_E_NOT_REGULAR_FILE);
    }
    if (fd >= 0) close(fd);
    unlink(sp);
    free(sp);

    signal(SIGALRM, on_alarm);
    alarm(20);
    check_readers("/dev/zero", NULL, HM_E_NOT_REGULAR_FILE); /* never ends */
    check_readers("/dev/null", NULL, HM_E_NOT_REGULAR_FILE);
    alarm(0);
}

static void test_size_limit(void)
{
    /* A sparse file of 1 GiB + 1: over the default limit, nothing written. */
    char *p = tmp("huge.png");
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)HM_DEFAULT_MAX_FILE_BYTES + 1), 0);
    close(fd);
    hm_error err;
    hm_image *img;
    CU_ASSERT_EQUAL(hm_image_load(p, NULL, &img, &err), HM_E_FILE_TOO_LARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "over the limit of 1073741824"));
    unlink(p);
    free(p);

    /* A real image against a small explicit limit, and just at it. */
    char *png = tu_path(tu_data_dir(), "cli/disc.png");
    struct stat st;
    CU_ASSERT_FATAL(stat(png, &st) == 0);
    hm_decode_options o = {0};
    o.max_file_bytes = (uint64_t)st.st_size - 1;
    check_readers(png, &o, HM_E_FILE_TOO_LARGE);
    o.max_file_bytes = (uint64_t)st.st_size;
    CU_ASSERT_EQUAL(hm_image_load(png, &o, &img, &err), HM_OK);
    hm_image_free(img);
    free(png);
}

static void test_changing_size(void)
{
    /* procfs files say size 0 and then have content: a changed file. */
    hm_error err;
    hm_image *img;
    CU_ASSERT_EQUAL(hm_image_load("/proc/self/status", NULL, &img, &err), HM_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "grew while it was read"));
}

static void test_symlink_followed(void)
{
    char *png = tu_path(tu_data_dir(), "cli/disc.png");
    char *l = tmp("link.png");
    unlink(l);
    CU_ASSERT_EQUAL_FATAL(symlink(png, l), 0);
    hm_error err;
    hm_image *a, *b;
    CU_ASSERT_EQUAL(hm_image_load(l, NULL, &a, &err), HM_OK);
    CU_ASSERT_EQUAL(hm_image_load(png, NULL, &b, &err), HM_OK);
    CU_ASSERT(a && b && !memcmp(hm_image_pixels(a), hm_image_pixels(b), 200 * 150 * 3));
    hm_image_free(a);
    hm_image_free(b);
    unlink(l);
    free(l);
    free(png);
}

static void test_status_names(void)
{
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_E_NOT_REGULAR_FILE), "not_regular_file");
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_E_FILE_TOO_LARGE), "file_too_large");
    CU_ASSERT_STRING_EQUAL(hm_status_name(HM_E_DIRECTORY_LOOP), "directory_loop");
    CU_ASSERT_STRING_EQUAL(hm_strerror(HM_E_NOT_REGULAR_FILE), "not a regular file");
    CU_ASSERT_EQUAL(HM_E_NOT_REGULAR_FILE, 10);
    CU_ASSERT_EQUAL(HM_E_FILE_TOO_LARGE, 11);
    CU_ASSERT_EQUAL(HM_E_DIRECTORY_LOOP, 12);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    size_t size;
    uint8_t *file = tf_small_signed(&size);
    hm_set_open_options opt = tf_options();
    hm_error err;
    if (hm_set_open(file, size, &opt, &set, &err) != HM_OK ||
        hm_scanner_new(set, NULL, &scanner, &err) != HM_OK) {
        fprintf(stderr, "test_files: fixture: %s\n", err.message);
        return 1;
    }
    free(file);
    static const tu_test TESTS[] = {
        {"fifo_never_blocks", test_fifo},
        {"directory_socket_devices", test_directory_socket_devices},
        {"size_limit", test_size_limit},
        {"size_changes_while_read", test_changing_size},
        {"symlink_on_command_line_followed", test_symlink_followed},
        {"status_names", test_status_names},
        {NULL, NULL},
    };
    tu_add_suite("files", TESTS);
    int rc = tu_run("test_files");
    hm_scanner_free(scanner);
    hm_set_free(set);
    return rc;
}
