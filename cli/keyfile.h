/* keyfile.h - key files, whole-file reads and crash-safe writes for the
 * commands that make keys and sets (keygen, set, scan). */
#ifndef HM_CLI_KEYFILE_H
#define HM_CLI_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hashmatch.h"

/* Writes `data` to `path` so that a crash never leaves a partial file: a new
 * temporary file in the same directory (open O_CREAT|O_EXCL with `mode`, so
 * the permissions are right from the first byte), fsync, then rename over
 * `path` -- or, with `no_clobber`, link() to `path`, which fails if it exists
 * -- and fsync of the directory. Returns 0, or -1 with *why set to a static
 * or errno text. */
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

#endif /* HM_CLI_KEYFILE_H */
