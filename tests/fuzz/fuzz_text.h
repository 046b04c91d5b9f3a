/* fuzz_text.h - what the fuzz targets of the CLI's text parsers share. */
#ifndef HM_FUZZ_TEXT_H
#define HM_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (the parsers' own readers add the NUL
 * too); aborts on out of memory. The parsers print nothing. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t) abort();
    if (size) memcpy(t, data, size);
    t[size] = '\0';
    cli_verbosity = -1;
    return t;
}

#endif /* HM_FUZZ_TEXT_H */
