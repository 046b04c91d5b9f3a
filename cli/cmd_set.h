/* cmd_set.h - the `hashmatch set` subcommands (one file per group). */
#ifndef HM_CLI_CMD_SET_H
#define HM_CLI_CMD_SET_H

#include "hashmatch.h"
#include "trust_opts.h"

int cmd_set_build(int argc, char **argv);   /* cmd_set_build.c */
int cmd_set_inspect(int argc, char **argv); /* cmd_set_inspect.c */
int cmd_set_diff(int argc, char **argv);    /* cmd_set_inspect.c */
int cmd_set_delta(int argc, char **argv);   /* cmd_set_delta.c */
int cmd_set_apply(int argc, char **argv);   /* cmd_set_delta.c */

/* Opens `path` with the trust options when any were given (verified), else
 * unverified (digest and structure only). Prints the reason on failure and
 * returns the exit status (1: rejected, 2: other errors), 0 on success. */
int cli_set_open(const char *cmd, const char *path, cli_trust *t, hm_set **out);

/* After a refusal: how to accept a set beyond this client's policy limits
 * (printed only for HM_E_SET_POLICY). */
void cli_policy_hint(hm_status st);
/* Prints the summary `set verify` prints for a verified set. */
void cli_set_print_verified(const char *path, const hm_set *s, const cli_trust *t);

/* "fullres"/"cli512" for PDQ, "-" otherwise. */
const char *cli_set_variant_name(hm_algo algo, unsigned variant);

#endif /* HM_CLI_CMD_SET_H */
