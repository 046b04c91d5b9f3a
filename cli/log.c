/* log.c - every diagnostic of the CLI goes to stderr through these. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_verbosity = 1;

__attribute__((format(printf, 2, 0))) static void vlog(const char *prefix, const char *fmt,
                                                      va_list ap)
{
    if (cli_verbosity < 0) return; /* silent: the fuzz targets */
    fputs("hashmatch: ", stderr);
    if (prefix) fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    if (cli_verbosity < 1) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap);
    va_end(ap);
}

void cli_info(const char *fmt, ...)
{
    if (cli_verbosity < 2) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(NULL, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hashmatch %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'hashmatch %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

void cli_warn_about(const char *name, const char *message)
{
    char *n = cli_escape(name), *m = cli_escape(message);
    cli_warn("%s: %s", n ? n : "?", m ? m : "?");
    free(n);
    free(m);
}
