/* opts.c - small argument parsing helpers. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int cli_parse_shard(const char *s, unsigned *index, unsigned *count)
{
    char *end;
    if (!s || *s < '0' || *s > '9') return -1;
    unsigned long i = strtoul(s, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9') return -1;
    unsigned long n = strtoul(end + 1, &end, 10);
    if (*end || n == 0 || i >= n || n > 1000000) return -1;
    *index = (unsigned)i;
    *count = (unsigned)n;
    return 0;
}
