/* cmd_set.c - `hashmatch set <build|sign|verify|inspect|digest|diff|...>`: the
 * dispatcher and the small subcommands. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cmd_set.h"
#include "escape.h"
#include "keyfile.h"

static const char HELP[] =
    "usage: hashmatch set <command> [options] ...\n"
    "\n"
    "Signed fingerprint sets (docs/FORMAT.md, docs/TRUST.md):\n"
    "  build    build an unsigned set from hash lists\n"
    "  sign     add one signature to a set\n"
    "  verify   check a set against a trust policy (exit 0 only when it verifies)\n"
    "  inspect  print a set's header, policy, counts and signatures\n"
    "  digest   print a set's content digest (what auditors compare)\n"
    "  diff     entries added and removed between two releases\n"
    "  delta    the update from one release to the next (for publishers)\n"
    "  apply    rebuild and verify the next release from a delta (for devices)\n"
    "'hashmatch set <command> --help' describes each.\n";

const char *cli_set_variant_name(hm_algo algo, unsigned variant)
{
    static char interval[24]; /* vPDQ: the sampling interval */
    if (algo == HM_ALGO_VPDQ) {
        snprintf(interval, sizeof interval, "%ums", variant);
        return interval;
    }
    if (algo != HM_ALGO_PDQ) return "-";
    return variant == HM_PDQ_CLI512 ? "cli512" : "fullres";
}

int cli_set_open(const char *cmd, const char *path, cli_trust *t, hm_set **out)
{
    hm_error err;
    hm_status st = t && t->key_count ? hm_set_open_file(path, &t->opt, out, &err)
                                     : hm_set_open_file_unverified(path, out, &err);
    if (st == HM_OK) return 0;
    int rc = cli_set_exit_status(st);
    char name[CLI_ESCAPE_SIZE];
    fprintf(stderr, "hashmatch set %s: %s: %s%s: %s\n", cmd,
            cli_escape_into(path, name, sizeof name), rc == 1 ? "rejected: " : "",
            hm_status_name(st), err.message);
    cli_policy_hint(st);
    return rc;
}

void cli_policy_hint(hm_status st)
{
    if (st == HM_E_SET_POLICY && cli_verbosity > 0)
        fprintf(stderr, "hashmatch: a client accepts such a set only when told to: "
                        "--max-radius ALGO=N, --min-quality-floor N, --max-validity DAYS "
                        "(docs/TRUST.md)\n");
}

static void hex_line(const uint8_t *b, size_t n, char *out) { hm_hex_encode(b, n, out); }

/* ---- sign ---- */

static const char SIGN_HELP[] =
    "usage: hashmatch set sign --key NAME.key [--out OUT] FILE\n"
    "\n"
    "Adds one signature by NAME.key to FILE (or writes the result to OUT). The\n"
    "set's framing, digest and structure are checked first; its content and\n"
    "content digest do not change. A key signs a set at most once.\n"
    "Exit status: 0 when signed, 1 when the set is refused, 2 on other errors.\n";

static int sign_file(const char *keyfile, const char *path, const char *out)
{
    uint8_t secret[HM_ED25519_SECRET_BYTES], pub[32], id[32], *data = NULL, *signed_data = NULL;
    size_t size, signed_size;
    hm_error err;
    int rc = CLI_EXIT_ERROR;
    if (cli_load_secret_key(keyfile, secret)) return CLI_EXIT_ERROR;
    if (cli_read_all(path, &data, &size) != 0) {
        cli_error("%s: cannot read", path);
    } else {
        hm_status st = hm_set_sign(data, size, secret, &signed_data, &signed_size, &err);
        const char *why;
        if (st != HM_OK) {
            fprintf(stderr, "hashmatch set sign: %s: %s: %s\n", path, hm_status_name(st),
                    err.message);
            rc = cli_set_exit_status(st);
        } else if (cli_write_atomic(out, signed_data, signed_size, 0644, 0, &why)) {
            cli_error("%s: %s", out, why);
        } else if (hm_key_public(secret, pub, NULL) == HM_OK && hm_key_id(pub, id, NULL) == HM_OK) {
            char hex[65], name[CLI_ESCAPE_SIZE];
            hex_line(id, 32, hex);
            if (cli_verbosity > 0)
                printf("signed %s: signature by key id %s; the content digest is unchanged\n",
                       cli_escape_into(out, name, sizeof name), hex);
            rc = CLI_EXIT_OK;
        }
    }
    OPENSSL_cleanse(secret, sizeof secret);
    free(data);
    hm_buffer_free(signed_data);
    return rc;
}

static int cmd_sign(int argc, char **argv)
{
    enum { O_KEY = 256, O_OUT };
    static const struct option LONG[] = {{"key", required_argument, NULL, O_KEY},
                                         {"out", required_argument, NULL, O_OUT},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        switch (c) {
        case O_KEY: key = optarg; break;
        case O_OUT: out = optarg; break;
        case 'q': cli_verbosity = 0; break;
        case 'h': fputs(SIGN_HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("set sign", "invalid option");
        }
    }
    if (!key) return cli_usage_error("set sign", "--key NAME.key is required");
    if (optind + 1 != argc) return cli_usage_error("set sign", "give exactly one FILE");
    return sign_file(key, argv[optind], out ? out : argv[optind]);
}

/* ---- verify ---- */

static const char VERIFY_HELP_HEAD[] =
    "usage: hashmatch set verify (--trust TRUST | --trusted-key PUB... [--threshold K])\n"
    "                            [--min-version V] [--now TIME] FILE\n"
    "\n"
    "Verifies FILE completely: framing, content digest, signatures (k of the n\n"
    "trusted keys; by default a signature by any other key, or a bad one, rejects\n"
    "the set), version >= --min-version, creation and expiry times, the match\n"
    "policy against this client's limits (--max-radius, --min-quality-floor), and\n"
    "every structure. Prints a summary on success, the exact reason otherwise.\n"
    "Trusted keys of small order or non-canonical encoding are refused.\n"
    "\n"
    "options:\n";
static const char VERIFY_HELP_TAIL[] =
    "  -q, --quiet           print nothing on success\n"
    "\n"
    "Exit status: 0 when the set verifies, 1 when it is rejected, 2 on other\n"
    "errors (unreadable files, bad options).\n";

/* Names come from the set and from trust and .pub files: printed escaped. */
static void print_verified(const char *path, const hm_set *s, const cli_trust *t)
{
    char hex[2 * HM_SET_DIGEST_BYTES + 1], a[CLI_TIME_SIZE], b[CLI_TIME_SIZE];
    cli_buf o;
    cli_buf_init(&o);
    hex_line(hm_set_digest(s), HM_SET_DIGEST_BYTES, hex);
    cli_format_time(hm_set_created(s), a);
    cli_format_time(hm_set_expires(s), b);
    cli_buf_escaped(&o, path);
    cli_buf_puts(&o, ": OK\n  name: ");
    cli_buf_escaped(&o, hm_set_name(s));
    cli_buf_printf(&o, "\n  version: %llu\n  created: %s\n  expires: %s\n  content digest: %s\n",
                   (unsigned long long)hm_set_version(s), a, b, hex);
    size_t valid = 0;
    for (size_t i = 0; i < hm_set_signature_count(s); i++)
        valid += hm_set_signature_get(s, i)->status == HM_SIG_VALID;
    cli_buf_printf(&o, "  signatures: %zu valid by trusted keys (threshold %u of %zu)", valid,
                   t->opt.trust.threshold, t->key_count);
    for (size_t i = 0, first = 1; i < hm_set_signature_count(s); i++) {
        const hm_set_signature *sig = hm_set_signature_get(s, i);
        if (sig->status != HM_SIG_VALID) continue;
        cli_buf_puts(&o, first ? ": " : ", ");
        cli_buf_escaped(&o, cli_trust_key_name(t, (size_t)sig->trusted_index));
        first = 0;
    }
    cli_buf_puts(&o, "\n  entries:");
    for (int x = 1; x <= HM_ALGO_COUNT; x++) {
        const hm_set_section *sec = hm_set_section_get(s, (hm_algo)x);
        if (sec) cli_buf_printf(&o, " %s %zu", hm_algo_name((hm_algo)x), sec->entry_count);
    }
    cli_buf_putc(&o, '\n');
    cli_buf_write(&o, stdout);
    cli_buf_free(&o);
}

void cli_set_print_verified(const char *path, const hm_set *s, const cli_trust *t)
{
    print_verified(path, s, t);
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option LONG[] = {CLI_TRUST_LONG_OPTIONS,
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    cli_trust t;
    cli_trust_init(&t);
    int c, r, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        if ((r = cli_trust_option(&t, c, optarg, "set verify")) != 0) {
            if (r < 0) return cli_trust_free(&t), CLI_EXIT_USAGE;
            continue;
        }
        if (c == 'q') cli_verbosity = 0;
        else if (c == 'h') {
            printf("%s%s%s", VERIFY_HELP_HEAD, CLI_TRUST_HELP, VERIFY_HELP_TAIL);
            return cli_trust_free(&t), CLI_EXIT_OK;
        } else return cli_trust_free(&t), cli_usage_error("set verify", "invalid option");
    }
    if (optind + 1 != argc) rc = cli_usage_error("set verify", "give exactly one FILE");
    else if (cli_trust_finish(&t, "set verify", 1)) rc = CLI_EXIT_USAGE;
    else {
        hm_set *s = NULL;
        rc = cli_set_open("verify", argv[optind], &t, &s);
        if (rc == 0 && cli_verbosity > 0) print_verified(argv[optind], s, &t);
        hm_set_free(s);
    }
    cli_trust_free(&t);
    return rc;
}

/* ---- digest ---- */

static int cmd_digest(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: hashmatch set digest FILE...\n\n"
               "Prints each set's content digest (SHA-256 of its first content-size bytes,\n"
               "which 'head -c SIZE FILE | sha256sum' reproduces) after checking that it\n"
               "matches the digest stored in the file and that the structure is valid.\n"
               "Signatures are not checked: compare the digest with the published one.\n");
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        hm_set *s;
        int r = cli_set_open("digest", argv[i], NULL, &s);
        if (r) {
            rc = CLI_EXIT_ERROR;
            continue;
        }
        /* The name is escaped: a file named "x\n<digest>  other.hmset" must
         * not print a second digest line for a set that was never read. */
        char hex[2 * HM_SET_DIGEST_BYTES + 1];
        hex_line(hm_set_digest(s), HM_SET_DIGEST_BYTES, hex);
        cli_buf o;
        cli_buf_init(&o);
        cli_buf_printf(&o, "%s  ", hex);
        cli_buf_escaped(&o, argv[i]);
        cli_buf_putc(&o, '\n');
        if (cli_buf_write(&o, stdout)) rc = CLI_EXIT_ERROR;
        cli_buf_free(&o);
        hm_set_free(s);
    }
    return rc;
}

/* ---- dispatch ---- */

int cmd_set(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } SUB[] = {{"build", cmd_set_build}, {"sign", cmd_sign},      {"verify", cmd_verify},
               {"inspect", cmd_set_inspect}, {"digest", cmd_digest}, {"diff", cmd_set_diff},
               {"delta", cmd_set_delta}, {"apply", cmd_set_apply}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof SUB / sizeof SUB[0]; i++)
        if (!strcmp(argv[1], SUB[i].name)) return SUB[i].fn(argc - 1, argv + 1);
    return cli_usage_error("set", "unknown command '%s'", argv[1]);
}
