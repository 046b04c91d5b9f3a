/* bench_hash.c - `hashmatch bench hash` (stages of PDQ and imagehash against a
 * bare libjpeg-turbo decode of the same file). */
#include <stdio.h>

#include "bench.h"

int bench_hash(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hashmatch bench hash: not built yet\n");
    return 2;
}
