/* keyfile.c - key files, whole-file reads and crash-safe writes. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli.h"

/* ---- crash-safe writes ---- */

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

/* Creates a fresh temporary file next to `path`; returns its fd. */
static int create_temp(const char *path, mode_t mode, char *tmp, size_t tmp_size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
    for (int attempt = 0; attempt < 100; attempt++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        snprintf(tmp, tmp_size, "%s.tmp-%06lx", path, (seed >> 33) & 0xfffffful);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
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

int cli_write_atomic(const char *path, const void *data, size_t size, mode_t mode, int no_clobber,
                     const char **why)
{
    char tmp[4096];
    if (strlen(path) + 16 > sizeof tmp) {
        *why = "path too long";
        return -1;
    }
    int fd = create_temp(path, mode, tmp, sizeof tmp);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    int rc = write_all(fd, data, size);
    if (rc == 0) rc = fsync(fd);
    if (close(fd) != 0) rc = -1;
    if (rc == 0) rc = no_clobber ? link(tmp, path) : rename(tmp, path);
    int saved = errno;
    if (rc != 0 || no_clobber) unlink(tmp);
    if (rc != 0) {
        *why = saved == EEXIST ? "the file already exists (not overwritten)" : strerror(saved);
        return -1;
    }
    if (sync_dir(path) != 0) {
        *why = strerror(errno);
        return -1;
    }
    return 0;
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
    BIO *bio = BIO_new_mem_buf(text, (int)n);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    size_t len = HM_ED25519_SECRET_BYTES;
    int rc = -1;
    if (!pkey || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519)
        cli_error("%s: not an Ed25519 private key in PEM form (made by 'hashmatch keygen')", path);
    else if (EVP_PKEY_get_raw_private_key(pkey, secret, &len) != 1 || len != HM_ED25519_SECRET_BYTES)
        cli_error("%s: cannot read the private key", path);
    else
        rc = 0;
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    OPENSSL_cleanse(text, n);
    free(text);
    return rc;
}
