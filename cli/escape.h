/* escape.h - publisher- and file-controlled text in terminal output. Names
 * from trust files and .pub files, a set's name, issuer, categories and
 * external ids, and lines of set build's input are printed through these,
 * so that no such text can add a line, move the cursor or reorder what an
 * auditor reads. */
#ifndef HM_CLI_ESCAPE_H
#define HM_CLI_ESCAPE_H

#include <stddef.h>

#include "cli.h"

/* Appends s to b with every character that set text may not hold
 * (docs/FORMAT.md section 1: C0 and C1 controls, DEL, bidirectional
 * formatting controls) and every byte of invalid UTF-8 escaped: \t \n \r as
 * such, the others as \xNN per byte; a backslash becomes \\. The result is
 * printable and the original can be recovered from it. */
void cli_buf_escaped(cli_buf *b, const char *s);

/* The same into out[size] (always NUL-terminated; "..." ends a text cut
 * short). Returns out, for use as a printf argument. */
const char *cli_escape(const char *s, char *out, size_t size);

/* Size of a cli_escape buffer that holds a one-line message argument. */
#define CLI_ESCAPE_SIZE 512

#endif /* HM_CLI_ESCAPE_H */
