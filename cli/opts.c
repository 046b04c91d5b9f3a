/* opts.c - small argument parsing helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int cli_parse_size(const char *arg, uint64_t *out)
{
    char num[32];
    size_t n = strlen(arg);
    unsigned shift = 0;
    if (n == 0 || n >= sizeof num) return -1;
    memcpy(num, arg, n + 1);
    switch (num[n - 1]) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    default: break;
    }
    if (shift) num[n - 1] = '\0';
    uint64_t v;
    if (cli_parse_u64(num, 1, (UINT64_C(1) << 40) >> shift, &v)) return -1;
    *out = v << shift;
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
