/* files.c - expanding PATH arguments, walking directories with -r. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int push(cli_paths *p, const char *path)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        char **items = realloc(p->items, cap * sizeof *items);
        if (!items) return -1;
        p->items = items;
        p->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) return -1;
    p->items[p->count++] = copy;
    return 0;
}

/* Whether the file starts like an image or a video we can decode. */
static int looks_like_image(const char *path)
{
    unsigned char head[400];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return n > 0 && (hm_image_sniff(head, (size_t)n) != HM_FORMAT_UNKNOWN ||
                     hm_video_sniff(head, (size_t)n));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(cli_paths *p, const char *dir, int *errors, int depth)
{
    if (depth > 64) {
        cli_warn("%s: directory nesting too deep, skipped", dir);
        (*errors)++;
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        cli_warn("%s: %s", dir, strerror(errno));
        (*errors)++;
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ".", "..", hidden files */
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) { rc = -1; break; }
        n++;
    }
    closedir(d);
    if (rc == 0) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path) { rc = -1; break; }
        snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) rc = walk(p, path, errors, depth + 1);
            else if (S_ISREG(st.st_mode) && looks_like_image(path)) rc = push(p, path);
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int cli_paths_expand(cli_paths *p, char **args, int nargs, int recursive, int *errors)
{
    for (int i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (recursive) {
                if (walk(p, args[i], errors, 0)) return -1;
                continue;
            }
            /* Added anyway: reading it fails and is reported per file. */
        }
        if (push(p, args[i])) return -1;
    }
    return 0;
}

void cli_paths_free(cli_paths *p)
{
    for (size_t i = 0; i < p->count; i++) free(p->items[i]);
    free(p->items);
    memset(p, 0, sizeof *p);
}
