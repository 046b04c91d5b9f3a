/* escape.h - text the tool does not control (file names, names from trust
 * and key files, a set's name, issuer, categories and external ids, lines of
 * set build's input) in terminal output, escaped so that it can never add a
 * field or a line, move the cursor or reorder what a reader sees. The scheme
 * is defined in escape.c and docs/SCANNING.md; cli.h declares the appending
 * and allocating forms (cli_buf_escaped, cli_escape). */
#ifndef HM_CLI_ESCAPE_H
#define HM_CLI_ESCAPE_H

#include <stddef.h>

#include "cli.h"

/* The escaped form of s into out[size] (always NUL-terminated; whole escapes
 * only, and "..." ends a text cut short). Returns out, for use as a printf
 * argument. */
const char *cli_escape_into(const char *s, char *out, size_t size);

/* Size of a cli_escape_into buffer that holds a one-line message argument. */
#define CLI_ESCAPE_SIZE 512

#endif /* HM_CLI_ESCAPE_H */
