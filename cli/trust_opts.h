/* trust_opts.h - the options every command that opens a set takes (set
 * verify, set inspect, set diff, scan), the trust file, and times.
 *
 *   --trust FILE            a trust file (docs/TRUST.md): key lines + threshold
 *   --trusted-key PUB       a NAME.pub file or a key (hex/base64); repeatable
 *   --threshold K           with --trusted-key (default: all given keys)
 *   --min-version V         reject sets below this version (rollback)
 *   --now TIME              the current time (default: the system clock)
 *   --allow-unknown-keys    ignore signatures by keys outside the policy
 *   --min-attesters N       entries with fewer attesters are not matched
 *   --max-radius A=N,...    this client's ceiling on a set's radius per algorithm
 *   --min-quality-floor N   this client's floor on a set's PDQ minimum quality
 *
 * Use: add CLI_TRUST_LONG_OPTIONS to the getopt_long table, pass every
 * option to cli_trust_option(), then call cli_trust_finish(). */
#ifndef HM_CLI_TRUST_OPTS_H
#define HM_CLI_TRUST_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmatch.h"

enum {
    CLI_O_TRUST = 0x1000,
    CLI_O_TRUSTED_KEY,
    CLI_O_THRESHOLD,
    CLI_O_MIN_VERSION,
    CLI_O_NOW,
    CLI_O_ALLOW_UNKNOWN_KEYS,
    CLI_O_MIN_ATTESTERS,
    CLI_O_MAX_RADIUS,
    CLI_O_MIN_QUALITY_FLOOR,
    CLI_O_MAX_VALIDITY,
    CLI_O_MAX_SET_SIZE
};

#define CLI_TRUST_LONG_OPTIONS                                                                    \
    {"trust", required_argument, NULL, CLI_O_TRUST},                                             \
        {"trusted-key", required_argument, NULL, CLI_O_TRUSTED_KEY},                             \
        {"threshold", required_argument, NULL, CLI_O_THRESHOLD},                                 \
        {"min-version", required_argument, NULL, CLI_O_MIN_VERSION},                             \
        {"now", required_argument, NULL, CLI_O_NOW},                                             \
        {"allow-unknown-keys", no_argument, NULL, CLI_O_ALLOW_UNKNOWN_KEYS},                     \
        {"min-attesters", required_argument, NULL, CLI_O_MIN_ATTESTERS},                         \
        {"max-radius", required_argument, NULL, CLI_O_MAX_RADIUS},                               \
        {"min-quality-floor", required_argument, NULL, CLI_O_MIN_QUALITY_FLOOR},                 \
        {"max-validity", required_argument, NULL, CLI_O_MAX_VALIDITY},                           \
        {"max-set-size", required_argument, NULL, CLI_O_MAX_SET_SIZE}

/* Help text lines for the options above (two-space indented). */
extern const char CLI_TRUST_HELP[];

typedef struct cli_trust {
    /* as given */
    const char *trust_file;
    const char **key_args;
    size_t key_arg_count;
    unsigned threshold; /* 0: not given */
    uint64_t min_version, now;
    int allow_unknown_keys;
    unsigned min_attesters;
    int given; /* any trust option (not counting --now, --min-version) */
    /* after cli_trust_finish */
    uint8_t (*keys)[HM_ED25519_PUBLIC_BYTES];
    char **names; /* per key: the trust file comment or the .pub path */
    size_t key_count;
    hm_set_open_options opt;
} cli_trust;

void cli_trust_init(cli_trust *t);
/* 1: `c` was a trust option and was consumed; 0: not one; -1: bad value
 * (the usage error was printed). */
int cli_trust_option(cli_trust *t, int c, const char *arg, const char *cmd);
/* The two text forms, parsed from a NUL-terminated buffer of `size` bytes
 * that they modify (the fuzz targets call them directly); `path` names the
 * file in messages. A trust file: key lines, one threshold line, optional
 * allow-unknown-keys. A NAME.pub: exactly one key line. Every key is checked
 * with hm_key_check. Return 0, or -1 after printing FILE:LINE: reason. */
int cli_trust_parse_file(cli_trust *t, const char *path, char *text, size_t size);
int cli_trust_parse_pub(cli_trust *t, const char *path, char *text, size_t size);

/* Parses the value of --max-radius ("pdq=64,phash=12") or, with `quality`,
 * of --min-quality-floor ("40", "pdq=40"; 0 removes the floor) into `l`.
 * Returns 0, or -1 with *why set. */
int cli_parse_limits(const char *list, int quality, hm_policy_limits *l, const char **why);

/* Loads the keys and fills t->opt. `required`: fail when no trust option
 * was given. Returns 0, or -1 after printing the reason. */
int cli_trust_finish(cli_trust *t, const char *cmd, int required);
void cli_trust_free(cli_trust *t);
/* The name of trusted key i. */
const char *cli_trust_key_name(const cli_trust *t, size_t i);

/* Times: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z|+00:00]" (UTC; a space may
 * replace the T), "@SECONDS" (Unix time), and, when base != 0, "+N" followed
 * by d (days) or h (hours) after base. Returns 0 or -1. */
int cli_parse_time(const char *s, uint64_t base, uint64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ". */
#define CLI_TIME_SIZE 64
void cli_format_time(uint64_t t, char out[CLI_TIME_SIZE]);
/* The system clock in Unix seconds. */
uint64_t cli_time_now(void);

/* A set's open-time failure class: 1 for rejections (the set is bad or not
 * trusted), 2 for everything else (I/O, usage). */
int cli_set_exit_status(hm_status st);

#endif /* HM_CLI_TRUST_OPTS_H */
