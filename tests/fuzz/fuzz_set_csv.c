/* fuzz_set_csv.c - libFuzzer target for `set build`'s CSV/TSV lines
 * (algo,hash[,category][,attesters][,external_id]), as entries and as an
 * allowlist. */
#include "fuzz_set_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines(data, size, set_input_csv_line, 0);
    fuzz_lines(data, size, set_input_csv_line, 1);
    return 0;
}
