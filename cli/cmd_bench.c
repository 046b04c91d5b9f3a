/* cmd_bench.c - `hashmatch bench <what>`: dispatch to the benchmarks in bench/. */
#include <stdio.h>
#include <string.h>

#include "../bench/bench.h"
#include "cli.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} bench_entry;

static const bench_entry BENCHES[] = {
    {"hash", bench_hash, "per-stage hashing time against a bare decode of the same file"},
    {"set", bench_set, "build, sign and verify+open of 1M/10M-entry sets against SHA-256/512"},
    {"match", bench_match, "radius search: index, brute force per tier, bandwidth, FAISS"},
    {"pairs", bench_pairs, "pair histograms and minima per tier against scalar"},
    {"video", bench_video, "vPDQ: decode, conversion and PDQ frames/s against a bare decode"},
};

int cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage: hashmatch bench <what> [options]\n\nbenchmarks:\n");
        for (size_t i = 0; i < sizeof BENCHES / sizeof BENCHES[0]; i++)
            fprintf(f, "  %-6s %s\n", BENCHES[i].name, BENCHES[i].summary);
        fprintf(f, "\nEach prints JSON and measures its baseline in the same run.\n");
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof BENCHES / sizeof BENCHES[0]; i++)
        if (!strcmp(argv[1], BENCHES[i].name)) return BENCHES[i].fn(argc - 1, argv + 1);
    return cli_usage_error("bench", "unknown benchmark '%s'", argv[1]);
}
