/* fuzz_eval_json.c - libFuzzer target for the JSON reader of `hashmatch
 * eval` (merge, roc, account and hash --json corpora). The input is passed
 * as it is, without a terminating NUL, as eval reads whole files; whatever
 * parses is walked completely. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const jv *v)
{
    size_t n = v->type == JV_STR ? strlen(v->str) : v->type == JV_NUM ? (size_t)(v->num != 0) : 1;
    for (size_t i = 0; i < v->n; i++) {
        n += walk(&v->items[i]);
        if (v->type == JV_OBJ) {
            n += strlen(v->keys[i]);
            if (jv_get(v, v->keys[i]) == NULL) abort();
        }
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jv v;
    const char *why = NULL;
    if (jv_parse((const char *)data, size, &v, &why) == 0) {
        (void)walk(&v);
        jv_free(&v);
    } else if (!why) {
        abort(); /* a failure always says why */
    }
    return 0;
}
