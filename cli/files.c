/*
 * files.c - expanding PATH arguments and walking directories with -r / -R.
 *
 * Nothing found is dropped without a word: every entry of a walked directory
 * (hidden ones too) becomes an item, either a regular file to read or an
 * entry that carries the reason it is not read (a symbolic link under -r, a
 * FIFO, a directory that cannot be opened, a directory loop), which the
 * commands print as an error row. Symbolic links given on the command line
 * are followed; links found inside a walk are followed only with -R (grep's
 * -r/-R split), and a directory that is already on the current path is a
 * loop, not walked twice. The walk goes from directory descriptor to
 * directory descriptor (openat, fdopendir), and files are opened the same
 * way, one component at a time, so paths longer than PATH_MAX work and a
 * component swapped for a symbolic link after the walk is not followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/common.h"

/* Directory levels below an argument (each holds one descriptor open). */
#define CLI_WALK_MAX_DEPTH 256

static int grow(cli_paths *p)
{
    if (p->count < p->cap) return 0;
    size_t cap = p->cap ? 2 * p->cap : 64;
    char **items = realloc(p->items, cap * sizeof *items);
    if (!items) return -1;
    p->items = items;
    cli_path_info *info = realloc(p->info, cap * sizeof *info);
    if (!info) return -1;
    p->info = info;
    p->cap = cap;
    return 0;
}

static int push(cli_paths *p, const char *path, size_t root_len)
{
    char *copy = grow(p) ? NULL : strdup(path);
    if (!copy) return -1;
    p->info[p->count] = (cli_path_info){root_len, HM_OK, NULL};
    p->items[p->count++] = copy;
    return 0;
}

/* An entry that is listed with the reason it is not read. */
__attribute__((format(printf, 4, 5))) static int push_error(cli_paths *p, const char *path,
                                                             hm_status st, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (push(p, path, strlen(path))) return -1;
    cli_path_info *in = &p->info[p->count - 1];
    in->status = st;
    if (!(in->message = strdup(why))) return -1;
    p->errors++;
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *s = malloc(dl + slash + nl + 1);
    if (!s) return NULL;
    memcpy(s, dir, dl);
    if (slash) s[dl] = '/';
    memcpy(s + dl + slash, name, nl + 1);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a directory except "." and "..", sorted bytewise. Takes
 * ownership of nothing: `fd` stays open. Returns -1 with errno on failure. */
static int list_dir(int fd, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    int dup_fd = dup(fd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0) close(dup_fd);
        return -1;
    }
    size_t n = 0, cap = 0;
    char **v = NULL;
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) rc = -1;
            break;
        }
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv) { rc = -1; errno = ENOMEM; break; }
            v = nv;
        }
        if (!(v[n] = strdup(e->d_name))) { rc = -1; errno = ENOMEM; break; }
        n++;
    }
    int saved = errno;
    closedir(d);
    errno = saved;
    if (rc == 0 && n) qsort(v, n, sizeof *v, cmp_str);
    *names = v;
    *count = n;
    return rc;
}

typedef struct walk {
    cli_paths *p;
    int follow;       /* -R: follow symbolic links found in the walk */
    size_t root_len;  /* length of the command-line argument in every path */
    dev_t dev[CLI_WALK_MAX_DEPTH + 1];
    ino_t ino[CLI_WALK_MAX_DEPTH + 1];
    int depth;        /* directories on the current path (the root is 1) */
} walk;

static int walk_dir(walk *w, int fd, const char *dir);

static int on_stack(const walk *w, const struct stat *st)
{
    for (int i = 0; i < w->depth; i++)
        if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino) return 1;
    return 0;
}

static int enter_dir(walk *w, int parent, const char *name, const char *path, const struct stat *st)
{
    if (on_stack(w, st))
        return push_error(w->p, path, HM_E_DIRECTORY_LOOP,
                          "%s: a loop back to a directory the walk is inside, not walked again",
                          path);
    if (w->depth > CLI_WALK_MAX_DEPTH)
        return push_error(w->p, path, HM_E_LIMIT, "%s: directories nested deeper than %d", path,
                          CLI_WALK_MAX_DEPTH);
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | (w->follow ? 0 : O_NOFOLLOW);
    int fd = openat(parent, name, flags);
    if (fd < 0) return push_error(w->p, path, HM_E_IO, "%s: %s", path, strerror(errno));
    struct stat now;
    int rc;
    if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino)
        rc = push_error(w->p, path, HM_E_IO, "%s: changed while it was walked", path);
    else
        rc = walk_dir(w, fd, path);
    close(fd);
    return rc;
}

/* One entry of a directory: a file to read, a directory to walk, or an
 * error row. */
static int walk_entry(walk *w, int fd, const char *name, const char *path)
{
    struct stat st;
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return push_error(w->p, path, HM_E_IO, "%s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        if (!w->follow)
            return push_error(w->p, path, HM_E_NOT_REGULAR_FILE,
                              "%s: a symbolic link, not followed inside a walk (-R follows links)",
                              path);
        if (fstatat(fd, name, &st, 0) != 0)
            return push_error(w->p, path, HM_E_IO, "%s: symbolic link to nothing readable: %s",
                              path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return enter_dir(w, fd, name, path, &st);
    if (S_ISREG(st.st_mode)) return push(w->p, path, w->root_len);
    return push_error(w->p, path, HM_E_NOT_REGULAR_FILE, "%s: %s, not a regular file", path,
                      hm__file_type_name(st.st_mode));
}

static int walk_dir(walk *w, int fd, const char *dir)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return push_error(w->p, dir, HM_E_IO, "%s: %s", dir, strerror(errno));
    w->dev[w->depth] = st.st_dev;
    w->ino[w->depth] = st.st_ino;
    w->depth++;
    char **names;
    size_t n;
    int rc = 0;
    if (list_dir(fd, &names, &n) != 0)
        rc = errno == ENOMEM ? -1 : push_error(w->p, dir, HM_E_IO, "%s: %s", dir, strerror(errno));
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(dir, names[i]);
        rc = path ? walk_entry(w, fd, names[i], path) : -1;
        free(path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    w->depth--;
    return rc;
}

static int walk_root(cli_paths *p, const char *arg, int follow)
{
    int fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return push_error(p, arg, HM_E_IO, "%s: %s", arg, strerror(errno));
    walk *w = calloc(1, sizeof *w);
    int rc = -1;
    if (w) {
        *w = (walk){.p = p, .follow = follow, .root_len = strlen(arg)};
        rc = walk_dir(w, fd, arg);
    }
    free(w);
    close(fd);
    return rc;
}

int cli_paths_expand(cli_paths *p, char **args, int nargs, int recursive, int *errors)
{
    int rc = 0;
    p->follow = recursive == CLI_WALK_FOLLOW;
    for (int i = 0; i < nargs && rc == 0; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (recursive)
                rc = walk_root(p, args[i], p->follow);
            else
                rc = push_error(p, args[i], HM_E_NOT_REGULAR_FILE,
                                "%s: a directory, not a regular file (-r walks it)", args[i]);
            continue;
        }
        /* Anything else is read, and fails, like a file named on its own. */
        rc = push(p, args[i], strlen(args[i]));
    }
    if (errors) *errors = (int)p->errors;
    return rc;
}

/* Opens a file found by a walk: the argument as given (links followed),
 * then each directory below it and the file itself with openat, following
 * links only with `follow`. -1 and errno on failure. */
static int open_walked(const char *path, size_t root_len, int follow)
{
    char *root = strndup(path, root_len);
    if (!root) return -1;
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    free(root);
    const char *s = path + root_len;
    int nofollow = follow ? 0 : O_NOFOLLOW;
    while (fd >= 0) {
        while (*s == '/') s++;
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char *name = strndup(s, len);
        if (!name) {
            close(fd);
            return -1;
        }
        int flags = end ? O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY
                        : O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
        int next = openat(fd, name, flags | nofollow);
        int saved = errno;
        free(name);
        close(fd);
        errno = saved;
        fd = next;
        if (!end) return fd;
        s = end;
    }
    return -1;
}

/* Opens item i without checking what it is. */
static hm_status open_item(const cli_paths *p, size_t i, int *fd, hm_error *err)
{
    const cli_path_info *in = &p->info[i];
    const char *path = p->items[i];
    if (in->status != HM_OK) return hm__fail(err, in->status, "%s", in->message);
    if (in->root_len >= strlen(path)) {
        *fd = hm__open_input(path);
        return *fd >= 0 ? HM_OK : hm__fail_open(path, err);
    }
    *fd = open_walked(path, in->root_len, p->follow);
    if (*fd >= 0) return HM_OK;
    if (errno == ELOOP && !p->follow)
        return hm__fail(err, HM_E_NOT_REGULAR_FILE,
                        "%s: a symbolic link, not followed inside a walk (-R follows links)", path);
    return hm__fail(err, HM_E_IO, "%s: %s", path, strerror(errno));
}

hm_status cli_path_open(const cli_paths *p, size_t i, int *fd, hm_error *err)
{
    *fd = -1;
    int f;
    HM_FORWARD_IF_ERROR(open_item(p, i, &f, err));
    hm_status rc = hm__fd_regular(f, p->items[i], NULL, err);
    if (rc != HM_OK) {
        close(f);
        return rc;
    }
    *fd = f;
    return HM_OK;
}

hm_status cli_path_read(const cli_paths *p, size_t i, uint64_t max_bytes, uint8_t **data,
                        size_t *size, hm_error *err)
{
    *data = NULL;
    *size = 0;
    int fd;
    HM_FORWARD_IF_ERROR(open_item(p, i, &fd, err));
    hm_status st = hm__read_fd(fd, p->items[i], max_bytes, data, size, err);
    close(fd);
    if (st == HM_OK) hm__ok(err);
    return st;
}

hm_status cli_fd_read(int fd, const char *name, uint64_t max_bytes, uint8_t **data, size_t *size,
                      hm_error *err)
{
    return hm__read_fd(fd, name, max_bytes, data, size, err);
}

void cli_paths_shard(cli_paths *p, unsigned index, unsigned count)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (i % count == index) {
            p->items[kept] = p->items[i];
            p->info[kept++] = p->info[i];
        } else {
            free(p->items[i]);
            free(p->info[i].message);
        }
    }
    p->count = kept;
}

void cli_paths_free(cli_paths *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i]);
        free(p->info[i].message);
    }
    free(p->items);
    free(p->info);
    memset(p, 0, sizeof *p);
}
