/* keyfile.h - key files, whole-file reads and crash-safe writes for the
 * commands that make keys and sets (keygen, set, scan). */
#ifndef HM_CLI_KEYFILE_H
#define HM_CLI_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hashmatch.h"

/* Crash-safe writes. The data goes to an unnamed file (O_TMPFILE, where the
 * kernel and file system offer it) or to "<path>.hashmatch-tmp-<pid>-<hex>"
 * (created O_EXCL with `mode`, so the permissions are right from the first
 * byte), is flushed, then gets its name: link() with `no_clobber` (fails
 * if `path` exists), else rename() over `path`; then the directory is
 * flushed. Opening first removes temporary files of `path` left by a
 * process that no longer runs. A `path` that exists and is not a regular
 * file or a directory (/dev/null, /dev/stdout, a FIFO) is written directly:
 * renaming over it would replace the device or pipe with a file. Each
 * function returns 0, or -1 with *why set to a static or errno text. */
typedef struct cli_tmpfile {
    int fd;
    int named;  /* 1: tmp names the file on disk */
    int direct; /* 1: fd is `path` itself, a device or pipe */
    char tmp[4096];
    const char *path;
} cli_tmpfile;
int cli_tmpfile_open(cli_tmpfile *f, const char *path, mode_t mode, const char **why);
int cli_tmpfile_write(cli_tmpfile *f, const void *data, size_t size, const char **why);
int cli_tmpfile_commit(cli_tmpfile *f, int no_clobber, const char **why);
/* Closes and removes a file that was not committed. */
void cli_tmpfile_discard(cli_tmpfile *f);

/* All of the above for one file. */
int cli_write_atomic(const char *path, const void *data, size_t size, mode_t mode, int no_clobber,
                     const char **why);

/* Reads a whole file (or stdin for "-") into a malloc'd buffer with a NUL
 * after the data. Regular files and FIFOs only (opened without blocking:
 * a FIFO with no writer reads as empty); a directory gives EISDIR, a device
 * or socket EINVAL. Returns 0, or -1 with errno set. */
int cli_read_all(const char *path, uint8_t **data, size_t *size);

/* Parses a public key written as 64 hex digits or 44 base64 characters. */
int cli_parse_public_key(const char *text, uint8_t key[HM_ED25519_PUBLIC_BYTES]);

/* The NAME.pub text: comments with the key id, then "key <hex> <comment>". */
char *cli_public_key_text(const uint8_t key[HM_ED25519_PUBLIC_BYTES], const char *comment);

/* The NAME.key text: the secret key as PKCS#8 PEM (readable by `openssl pkey`).
 * The returned buffer holds the secret: wipe and free it with
 * cli_free_secret_text. */
char *cli_secret_key_text(const uint8_t secret[HM_ED25519_SECRET_BYTES], size_t *size);
void cli_free_secret_text(char *text, size_t size);

/* Loads an Ed25519 secret key from a NAME.key file. Returns 0 or -1 after
 * printing the reason. */
int cli_load_secret_key(const char *path, uint8_t secret[HM_ED25519_SECRET_BYTES]);

/* The same from the file's text (n bytes; `path` names it in messages). */
int cli_parse_secret_key(const uint8_t *text, size_t n, const char *path,
                         uint8_t secret[HM_ED25519_SECRET_BYTES]);

#endif /* HM_CLI_KEYFILE_H */
