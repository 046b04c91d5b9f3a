/* cmd_keygen.c - `hashmatch keygen --out NAME`: an Ed25519 key pair for
 * signing sets. NAME.key (secret, PKCS#8 PEM, mode 0600 from creation) and
 * NAME.pub (text, usable as a trust file line). Existing files are never
 * overwritten. */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "keyfile.h"

static const char HELP[] =
    "usage: hashmatch keygen --out NAME [--comment TEXT]\n"
    "\n"
    "Generates an Ed25519 key pair for signing fingerprint sets:\n"
    "  NAME.key  the private key (PKCS#8 PEM, created with mode 0600)\n"
    "  NAME.pub  the public key, as a trust file line 'key <hex> <comment>'\n"
    "Neither file may exist already. Prints the key id (SHA-256 of the public key).\n"
    "\n"
    "options:\n"
    "  --out NAME      path prefix of the two files (required)\n"
    "  --comment TEXT  name written after the key in NAME.pub (default: NAME's\n"
    "                  last component)\n"
    "  -q, --quiet     print nothing on success\n";

static char *with_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s", name, suffix);
    return p;
}

/* Both files are complete on disk before either gets its name, the public
 * one first: an interrupted or failed keygen never leaves a NAME.key without
 * its NAME.pub (a secret nobody can tell the purpose of, which would also
 * block the rerun). If NAME.key cannot be named, NAME.pub is removed again. */
static int write_pair(const char *keypath, const char *pubpath, const uint8_t secret[32],
                      const uint8_t pub[32], const char *comment)
{
    const char *why = NULL, *failed = NULL;
    size_t n = 0;
    char *sk = cli_secret_key_text(secret, &n);
    char *pk = cli_public_key_text(pub, comment);
    cli_tmpfile kf, pf;
    int rc = -1, kopen = 0, popen = 0;
    if (!sk || !pk) {
        cli_error("cannot encode the key pair");
    } else if (!(kopen = !cli_tmpfile_open(&kf, keypath, 0600, &why)) ||
               cli_tmpfile_write(&kf, sk, n, &why)) {
        failed = keypath;
    } else if (!(popen = !cli_tmpfile_open(&pf, pubpath, 0644, &why)) ||
               cli_tmpfile_write(&pf, pk, strlen(pk), &why) || cli_tmpfile_commit(&pf, 1, &why)) {
        failed = pubpath;
    } else if (cli_tmpfile_commit(&kf, 1, &why)) {
        failed = keypath;
        unlink(pubpath);
    } else {
        rc = 0;
    }
    if (failed) cli_error("%s: %s", failed, why);
    if (kopen) cli_tmpfile_discard(&kf);
    if (popen) cli_tmpfile_discard(&pf);
    cli_free_secret_text(sk, n);
    free(pk);
    return rc;
}

static int keygen(const char *name, const char *comment)
{
    char *keypath = with_suffix(name, ".key"), *pubpath = with_suffix(name, ".pub");
    char *base = strdup(name);
    struct stat st;
    uint8_t pub[32], secret[32], id[32];
    int rc = CLI_EXIT_ERROR;
    hm_error err;
    if (!keypath || !pubpath || !base) {
        cli_error("out of memory");
    } else if (stat(keypath, &st) == 0 || stat(pubpath, &st) == 0) {
        cli_error("%s or %s already exists; refusing to overwrite a key", keypath, pubpath);
    } else if (hm_key_generate(pub, secret, &err) != HM_OK || hm_key_id(pub, id, &err) != HM_OK) {
        cli_error("key generation failed: %s", err.message);
    } else if (write_pair(keypath, pubpath, secret, pub, comment ? comment : basename(base)) == 0) {
        char hex[65];
        hm_hex_encode(id, 32, hex);
        if (cli_verbosity > 0) {
            printf("wrote %s (private, mode 0600) and %s\nkey id: %s\n", keypath, pubpath, hex);
            hm_hex_encode(pub, 32, hex);
            printf("public key: %s\n", hex);
        }
        rc = CLI_EXIT_OK;
    }
    OPENSSL_cleanse(secret, sizeof secret);
    free(keypath);
    free(pubpath);
    free(base);
    return rc;
}

int cmd_keygen(int argc, char **argv)
{
    enum { O_OUT = 256, O_COMMENT };
    static const struct option LONG[] = {{"out", required_argument, NULL, O_OUT},
                                         {"comment", required_argument, NULL, O_COMMENT},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *comment = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        switch (c) {
        case O_OUT: out = optarg; break;
        case O_COMMENT: comment = optarg; break;
        case 'q': cli_verbosity = 0; break;
        case 'h': fputs(HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("keygen", "invalid option");
        }
    }
    if (!out || !*out) return cli_usage_error("keygen", "--out NAME is required");
    if (optind < argc) return cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
    if (comment && (strchr(comment, '\n') || strchr(comment, '\r')))
        return cli_usage_error("keygen", "--comment must be one line");
    return keygen(out, comment);
}
