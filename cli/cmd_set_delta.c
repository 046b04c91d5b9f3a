/* cmd_set_delta.c - `hashmatch set delta` (publishers: the update from one
 * release to the next) and `hashmatch set apply` (devices: rebuild and
 * verify the next release from the one they hold). docs/FORMAT.md section
 * 11, docs/TRUST.md section 7. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_set.h"
#include "escape.h"
#include "keyfile.h"
#include "trust_opts.h"

static const char DELTA_HELP[] =
    "usage: hashmatch set delta OLD NEW --out DELTA\n"
    "\n"
    "Writes the delta that turns the set OLD into the set NEW: NEW's added\n"
    "entries and their metadata, its removals as Golomb-Rice coded positions,\n"
    "and NEW's signature block (sign NEW first). NEW must name OLD as its\n"
    "previous version (set build --previous OLD) and have a greater version.\n"
    "The delta is applied to OLD before it is written and must rebuild NEW byte\n"
    "for byte. Devices apply it with 'hashmatch set apply'.\n"
    "\n"
    "options:\n"
    "  --out DELTA    the delta to write (replaced atomically)\n"
    "  -q, --quiet    print only errors\n"
    "\n"
    "Exit status: 0 when the delta was written, 1 when the sets do not form a\n"
    "release step (chain, version), 2 on other errors.\n";

static const char APPLY_HELP_HEAD[] =
    "usage: hashmatch set apply OLD DELTA --out NEW\n"
    "                           (--trust TRUST | --trusted-key PUB...) [options]\n"
    "\n"
    "Rebuilds the set that DELTA leads to from the set OLD and verifies it\n"
    "completely before writing NEW: the delta's checksums and that it was made\n"
    "for OLD, then the new set's digest, signatures (k of the n trusted keys),\n"
    "a version above OLD's (and --min-version), its times and structure, and\n"
    "that it names OLD as its previous version. NEW may be OLD: it is replaced\n"
    "only when everything verifies, and is otherwise left as it was.\n"
    "\n"
    "options:\n"
    "  --out NEW             the set to write (replaced atomically)\n";
static const char APPLY_HELP_TAIL[] =
    "  -q, --quiet           print nothing on success\n"
    "\n"
    "Exit status: 0 when NEW was written, 1 when the delta or the set it leads to\n"
    "is refused, 2 on other errors (unreadable files, bad options).\n";

/* Refusals (a bad delta, a set that does not verify) are 1, as for verify. */
static int delta_exit_status(hm_status st)
{
    return st >= HM_E_DELTA_FORMAT && st <= HM_E_DELTA_CHAIN ? 1 : cli_set_exit_status(st);
}

static int write_delta(const char *old_path, const char *new_path, const char *out)
{
    uint8_t *o = NULL, *n = NULL, *d = NULL;
    size_t on, nn, dn;
    hm_error err;
    int rc = CLI_EXIT_ERROR;
    const char *why;
    if (cli_read_all(old_path, &o, &on) || cli_read_all(new_path, &n, &nn)) {
        cli_error("%s: %s", o ? new_path : old_path, strerror(errno));
    } else {
        hm_status st = hm_set_delta_make(o, on, n, nn, &d, &dn, &err);
        if (st != HM_OK) {
            fprintf(stderr, "hashmatch set delta: %s\n", err.message);
            rc = delta_exit_status(st);
        } else if (cli_write_atomic(out, d, dn, 0644, 0, &why)) {
            cli_error("%s: %s", out, why);
        } else {
            rc = CLI_EXIT_OK;
        }
    }
    if (rc == CLI_EXIT_OK && cli_verbosity > 0) {
        char name[CLI_ESCAPE_SIZE];
        printf("wrote %s (%zu bytes, %.2f %% of the new set's %zu)\n",
               cli_escape_into(out, name, sizeof name), dn,
               100.0 * (double)dn / (double)nn, nn);
        hm_set *s;
        if (hm_set_open_unverified(n, nn, &s, NULL) == HM_OK && !hm_set_signature_count(s))
            cli_warn("%s has no signatures: devices will refuse the set this delta leads to",
                     new_path);
        hm_set_free(s);
    }
    free(o);
    free(n);
    hm_buffer_free(d);
    return rc;
}

int cmd_set_delta(int argc, char **argv)
{
    static const struct option LONG[] = {{"out", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'q': cli_verbosity = 0; break;
        case 'h': fputs(DELTA_HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("set delta", "invalid option");
        }
    }
    if (!out) return cli_usage_error("set delta", "--out DELTA is required");
    if (optind + 2 != argc) return cli_usage_error("set delta", "give OLD and NEW");
    return write_delta(argv[optind], argv[optind + 1], out);
}

static int apply(const char *old, const char *delta, const char *out, cli_trust *t)
{
    hm_set *s = NULL;
    hm_error err;
    hm_status st = hm_set_apply_delta_file(old, delta, out, &t->opt, &s, &err);
    if (st != HM_OK) {
        int rc = delta_exit_status(st);
        char name[CLI_ESCAPE_SIZE];
        fprintf(stderr, "hashmatch set apply: %s: %s%s: %s\n",
                cli_escape_into(delta, name, sizeof name), rc == 1 ? "refused: " : "",
                hm_status_name(st), err.message);
        return rc;
    }
    if (cli_verbosity > 0) cli_set_print_verified(out, s, t);
    hm_set_free(s);
    return CLI_EXIT_OK;
}

int cmd_set_apply(int argc, char **argv)
{
    static const struct option LONG[] = {CLI_TRUST_LONG_OPTIONS,
                                         {"out", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    cli_trust t;
    cli_trust_init(&t);
    const char *out = NULL;
    int c, r, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        if ((r = cli_trust_option(&t, c, optarg, "set apply")) != 0) {
            if (r < 0) return cli_trust_free(&t), CLI_EXIT_USAGE;
            continue;
        }
        if (c == 'o') out = optarg;
        else if (c == 'q') cli_verbosity = 0;
        else if (c == 'h') {
            printf("%s%s%s", APPLY_HELP_HEAD, CLI_TRUST_HELP, APPLY_HELP_TAIL);
            return cli_trust_free(&t), CLI_EXIT_OK;
        } else return cli_trust_free(&t), cli_usage_error("set apply", "invalid option");
    }
    if (!out) rc = cli_usage_error("set apply", "--out NEW is required");
    else if (optind + 2 != argc) rc = cli_usage_error("set apply", "give OLD and DELTA");
    else if (cli_trust_finish(&t, "set apply", 1)) rc = CLI_EXIT_USAGE;
    else rc = apply(argv[optind], argv[optind + 1], out, &t);
    cli_trust_free(&t);
    return rc;
}
