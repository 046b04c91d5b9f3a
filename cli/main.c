/* main.c - the hashmatch command-line tool: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#if defined(HM_WITH_VIDEO)
#include <libavutil/log.h>
#endif

typedef struct {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"hash", cmd_hash, "hash images (PDQ, aHash/dHash/pHash/wHash) and videos (vPDQ), MD5/SHA-1/SHA-256"},
    {"keygen", cmd_keygen, "make an Ed25519 key pair for signing fingerprint sets"},
    {"set", cmd_set, "build, sign, verify, inspect and diff signed fingerprint sets"},
    {"scan", cmd_scan, "scan images and videos against a verified fingerprint set (exit 1 on a match)"},
    {"eval", cmd_eval, "research: false-positive rates, robustness to edits, ROC, account odds"},
    {"bench", cmd_bench, "benchmarks with in-run baselines, as JSON"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hashmatch <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n'hashmatch <command> --help' describes each command; 'hashmatch --version'\n"
               "prints the version. The tool never sends anything anywhere.\n");
}

int main(int argc, char **argv)
{
#if defined(HM_WITH_VIDEO)
    /* The library silences FFmpeg per context; a few messages FFmpeg logs
     * without a context (docs/VIDEO.md) only the process owner can silence. */
    av_log_set_level(AV_LOG_QUIET);
#endif
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("hashmatch %s\n", hm_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(cmd, COMMANDS[i].name)) return COMMANDS[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hashmatch: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
