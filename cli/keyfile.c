/* keyfile.c - key files, whole-file reads and crash-safe writes. */
#include "keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli.h"

/* ---- crash-safe writes ----
 * The data goes to a file without a name where the kernel and file system
 * offer O_TMPFILE (Linux 3.11+ on ext4, xfs, btrfs, tmpfs), else to a
 * temporary name "<path>.hashmatch-tmp-<pid>-<6 hex>"; it is flushed, then
 * linked to its final name (no clobber) or renamed over it. A killed writer
 * thus leaves no file at all, or one with that recognisable name, which the
 * next write of the same path removes once its pid is gone. */

#define TMP_TAG ".hashmatch-tmp-"

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A fresh temporary name next to `path`. */
static void temp_name(const char *path, char *tmp, size_t size, unsigned long *seed)
{
    *seed = *seed * 6364136223846793005ul + 1442695040888963407ul;
    snprintf(tmp, size, "%s" TMP_TAG "%ld-%06lx", path, (long)getpid(), (*seed >> 33) & 0xfffffful);
}

static unsigned long temp_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
}

/* The pid in "<base>.hashmatch-tmp-<pid>-<6 hex>", or 0 when `name` is not
 * a temporary name of `base`. */
static long temp_owner(const char *name, const char *base)
{
    size_t n = strlen(base), t = strlen(TMP_TAG);
    if (strncmp(name, base, n) || strncmp(name + n, TMP_TAG, t)) return 0;
    const char *p = name + n + t;
    char *end;
    if (*p < '1' || *p > '9') return 0;
    long pid = strtol(p, &end, 10);
    if (*end != '-' || strlen(end + 1) != 6 || strspn(end + 1, "0123456789abcdef") != 6) return 0;
    return pid;
}

/* Removes the temporary files of `path` whose writer no longer runs. */
static void remove_stale(const char *path)
{
    char *d = strdup(path), *b = strdup(path);
    const char *dn = d && b ? dirname(d) : NULL;
    DIR *dir = dn ? opendir(dn) : NULL;
    const char *base = b ? basename(b) : "";
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
        long pid = temp_owner(e->d_name, base);
        struct stat st;
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            unlinkat(dirfd(dir), e->d_name, 0) == 0)
            cli_info("removed %s/%s, left by process %ld, which no longer runs", dn, e->d_name, pid);
    }
    if (dir) closedir(dir);
    free(d);
    free(b);
}

static int sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int open_unnamed(const char *path, mode_t mode)
{
#ifdef O_TMPFILE
    char *copy = strdup(path);
    int fd = -1;
    /* linkat() names the file through /proc/self/fd: without /proc, use a name. */
    if (copy && access("/proc/self/fd", X_OK) == 0)
        fd = open(dirname(copy), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    free(copy);
    return fd;
#else
    (void)path;
    (void)mode;
    return -1;
#endif
}

/* Opens an existing destination that is neither a regular file nor a
 * directory for writing in place: 1 when it is one (f->fd set or *why set on
 * failure), 0 when `path` is a regular file, a directory or absent. */
static int open_special(cli_tmpfile *f, const char *path, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return 0;
    f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (f->fd < 0) *why = strerror(errno);
    else f->direct = 1;
    return 1;
}

int cli_tmpfile_open(cli_tmpfile *f, const char *path, mode_t mode, const char **why)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->path = path;
    if (strlen(path) + 64 > sizeof f->tmp) return *why = "path too long", -1;
    if (open_special(f, path, why)) return f->direct ? 0 : -1;
    remove_stale(path);
    f->fd = open_unnamed(path, mode);
    if (f->fd >= 0) return 0;
    unsigned long seed = temp_seed();
    for (int attempt = 0; attempt < 100; attempt++) {
        temp_name(path, f->tmp, sizeof f->tmp, &seed);
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (f->fd >= 0) return f->named = 1, 0;
        if (errno != EEXIST) break;
    }
    *why = strerror(errno);
    return -1;
}

int cli_tmpfile_write(cli_tmpfile *f, const void *data, size_t size, const char **why)
{
    if (write_all(f->fd, data, size) == 0 && (f->direct || fsync(f->fd) == 0)) return 0;
    *why = strerror(errno);
    return -1;
}

/* Gives the unnamed file `name`: fails with EEXIST when it exists. */
static int link_unnamed(int fd, const char *name)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

/* The unnamed file takes a temporary name, then replaces `path`. */
static int replace_unnamed(cli_tmpfile *f)
{
    unsigned long seed = temp_seed();
    int rc = -1;
    for (int attempt = 0; attempt < 100 && rc != 0; attempt++) {
        temp_name(f->path, f->tmp, sizeof f->tmp, &seed);
        rc = link_unnamed(f->fd, f->tmp);
        if (rc != 0 && errno != EEXIST) return -1;
    }
    if (rc != 0) return -1;
    f->named = 1;
    return rename(f->tmp, f->path);
}

int cli_tmpfile_commit(cli_tmpfile *f, int no_clobber, const char **why)
{
    int rc;
    if (f->direct) {
        rc = close(f->fd);
        f->fd = -1;
        if (no_clobber) return *why = "the file already exists (not overwritten)", -1;
        return rc == 0 ? 0 : (*why = strerror(errno), -1);
    }
    if (f->named) rc = no_clobber ? link(f->tmp, f->path) : rename(f->tmp, f->path);
    else rc = no_clobber ? link_unnamed(f->fd, f->path) : replace_unnamed(f);
    int saved = errno;
    if (f->named && (rc != 0 || no_clobber)) unlink(f->tmp);
    f->named = 0;
    if (close(f->fd) != 0 && rc == 0) rc = -1, saved = errno;
    f->fd = -1;
    if (rc != 0) {
        *why = saved == EEXIST ? "the file already exists (not overwritten)" : strerror(saved);
        return -1;
    }
    if (sync_dir(f->path) != 0) return *why = strerror(errno), -1;
    return 0;
}

void cli_tmpfile_discard(cli_tmpfile *f)
{
    if (f->named) unlink(f->tmp);
    if (f->fd >= 0) close(f->fd);
    f->named = 0;
    f->fd = -1;
}

int cli_write_atomic(const char *path, const void *data, size_t size, mode_t mode, int no_clobber,
                     const char **why)
{
    cli_tmpfile f;
    if (cli_tmpfile_open(&f, path, mode, why)) return -1;
    if (cli_tmpfile_write(&f, data, size, why) == 0 && cli_tmpfile_commit(&f, no_clobber, why) == 0)
        return 0;
    cli_tmpfile_discard(&f);
    return -1;
}

/* Opens a text input named by the operator. A FIFO or pipe (such as the
 * /dev/fd/N of a shell's process substitution) is read as a stream, like
 * stdin; a directory, device or socket is refused (EISDIR, EINVAL). The
 * open itself never blocks: a FIFO with no writer reads as empty. */
static FILE *open_text_input(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    int bad = fstat(fd, &st) != 0 ? errno
              : S_ISDIR(st.st_mode) ? EISDIR
              : !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) ? EINVAL
              : 0;
    int flags = bad ? 0 : fcntl(fd, F_GETFL);
    if (!bad && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)) bad = errno;
    FILE *f = bad ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (!bad) bad = errno;
        close(fd);
        errno = bad;
    }
    return f;
}

int cli_read_all(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = strcmp(path, "-") ? open_text_input(path) : stdin;
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap + 1);
    int rc = buf ? 0 : -1;
    while (rc == 0) {
        if (n == cap) {
            uint8_t *b = cap > SIZE_MAX / 4 ? NULL : realloc(buf, 2 * cap + 1);
            if (!b) {
                rc = -1;
                errno = ENOMEM;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) rc = -1;
            break;
        }
    }
    int saved = errno;
    if (f != stdin) fclose(f);
    if (rc != 0) {
        free(buf);
        errno = saved;
        return -1;
    }
    buf[n] = 0;
    *data = buf;
    *size = n;
    return 0;
}

/* ---- public keys ---- */

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* 32 bytes are 43 base64 digits and one '=' of padding. */
static int parse_base64_key(const char *s, uint8_t key[32])
{
    if (strlen(s) != 44 || s[43] != '=') return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (int i = 0; i < 43; i++) {
        int v = b64_value(s[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < 32) key[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* The 2 left-over bits must be zero (canonical encoding). */
    return o == 32 && (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

int cli_parse_public_key(const char *text, uint8_t key[HM_ED25519_PUBLIC_BYTES])
{
    if (strlen(text) == 2 * HM_ED25519_PUBLIC_BYTES)
        return hm_hex_decode(text, key, HM_ED25519_PUBLIC_BYTES) == HM_OK ? 0 : -1;
    return parse_base64_key(text, key);
}

char *cli_public_key_text(const uint8_t key[HM_ED25519_PUBLIC_BYTES], const char *comment)
{
    uint8_t id[HM_KEY_ID_BYTES];
    char hex[2 * HM_ED25519_PUBLIC_BYTES + 1], idhex[2 * HM_KEY_ID_BYTES + 1];
    if (hm_key_id(key, id, NULL) != HM_OK) return NULL;
    hm_hex_encode(key, HM_ED25519_PUBLIC_BYTES, hex);
    hm_hex_encode(id, HM_KEY_ID_BYTES, idhex);
    cli_buf b;
    cli_buf_init(&b);
    cli_buf_printf(&b,
                   "# hashmatch Ed25519 public key (docs/TRUST.md)\n"
                   "# key id: %s\n"
                   "key %s %s\n",
                   idhex, hex, comment);
    if (b.oom) {
        cli_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ---- secret keys: PKCS#8 PEM through OpenSSL ---- */

char *cli_secret_key_text(const uint8_t secret[HM_ED25519_SECRET_BYTES], size_t *size)
{
    EVP_PKEY *pkey =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, HM_ED25519_SECRET_BYTES);
    BIO *bio = BIO_new(BIO_s_secmem());
    char *out = NULL;
    if (pkey && bio && PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1) {
        char *p;
        long n = BIO_get_mem_data(bio, &p);
        out = n > 0 ? malloc((size_t)n) : NULL;
        if (out) {
            memcpy(out, p, (size_t)n);
            *size = (size_t)n;
        }
    }
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return out;
}

void cli_free_secret_text(char *text, size_t size)
{
    if (!text) return;
    OPENSSL_cleanse(text, size);
    free(text);
}

/* OpenSSL's default asks for a passphrase on the terminal: never. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

int cli_parse_secret_key(const uint8_t *text, size_t n, const char *path,
                         uint8_t secret[HM_ED25519_SECRET_BYTES])
{
    /* A PEM key is a few hundred bytes; BIO_new_mem_buf takes an int. */
    if (n > 65536) {
        cli_error("%s: too large for a key file", path);
        return -1;
    }
    BIO *bio = BIO_new_mem_buf(text, (int)n);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    size_t len = HM_ED25519_SECRET_BYTES;
    int rc = -1;
    if (!pkey && memmem(text, n, "ENCRYPTED", 9))
        cli_error("%s: an encrypted private key: hashmatch reads the unencrypted PKCS#8 PEM "
                  "that 'hashmatch keygen' writes", path);
    else if (!pkey || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519)
        cli_error("%s: not an Ed25519 private key in PEM form (made by 'hashmatch keygen')", path);
    else if (EVP_PKEY_get_raw_private_key(pkey, secret, &len) != 1 || len != HM_ED25519_SECRET_BYTES)
        cli_error("%s: cannot read the private key", path);
    else
        rc = 0;
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

int cli_load_secret_key(const char *path, uint8_t secret[HM_ED25519_SECRET_BYTES])
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 077)
        cli_warn("%s is readable by other users (mode %03o); it should be 0600", path,
                 (unsigned)(st.st_mode & 0777));
    uint8_t *text;
    size_t n;
    if (cli_read_all(path, &text, &n) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = cli_parse_secret_key(text, n, path, secret);
    OPENSSL_cleanse(text, n);
    free(text);
    return rc;
}
