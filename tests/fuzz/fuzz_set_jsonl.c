/* fuzz_set_jsonl.c - libFuzzer target for `set build`'s JSON lines (the
 * output of `hashmatch hash --json`): strings with escapes, pdq_quality,
 * attesters, nested values, as entries and as an allowlist. */
#include "fuzz_set_input.h"

static int json_line(set_input *in, uint32_t file, uint32_t line, char *s)
{
    return set_input_json_line(in, file, line, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines(data, size, json_line, 0);
    fuzz_lines(data, size, json_line, 1);
    return 0;
}
