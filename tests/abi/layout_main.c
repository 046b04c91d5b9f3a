/* layout_main.c - the structs of the frozen 0.1.0 header against today's:
 * each 0.1.0 field at the same offset with the same size (or, for a nested
 * struct that grew at its end, at least that size), except the fields the
 * 0.1.0 entry points convert; no struct smaller or differently aligned;
 * sealed structs unchanged; every 0.1.0 constant unchanged. Compiled and run
 * on every platform the tests run on (x86-64, aarch64). */
#include <stdio.h>
#include <string.h>

#include "layout.h"

static int failures;

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            printf("ABI break: " __VA_ARGS__);                                                    \
            printf("\n");                                                                         \
            failures++;                                                                           \
        }                                                                                         \
    } while (0)

static int is_sealed(const char *name)
{
#define HM_ABI_SEALED_NAME(s) if (!strcmp(name, #s)) return 1;
    HM_ABI_SEALED(HM_ABI_SEALED_NAME)
    return 0;
}

static int is_growing_count(const char *name)
{
    static const char *const counts[] = {HM_ABI_GROWING_COUNTS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (!strcmp(name, counts[i])) return 1;
    return 0;
}

int main(void)
{
    const hm_abi_layout *old = &hm_abi_layout_v010, *now = &hm_abi_layout_now;
    int n = 0;
    for (int i = 0; old->fields[i].name; i++, n++) {
        const hm_abi_field *a = &old->fields[i], *b = &now->fields[i];
        if (a->rule == CONVERTED) {
            printf("%-36s offset %3zu in 0.1.0, %3zu now (converted by the 0.1.0 entry point)\n",
                   a->name, a->offset, b->offset);
            continue;
        }
        CHECK(a->offset == b->offset && (a->rule == GROWN ? b->size >= a->size : b->size == a->size),
              "%s: offset %zu size %zu in 0.1.0, offset %zu size %zu now", a->name, a->offset,
              a->size, b->offset, b->size);
    }
    for (int i = 0; old->structs[i].name; i++) {
        const hm_abi_struct *a = &old->structs[i], *b = &now->structs[i];
        CHECK(b->size >= a->size && b->align == a->align,
              "%s: %zu bytes aligned %zu in 0.1.0, %zu aligned %zu now", a->name, a->size,
              a->align, b->size, b->align);
        CHECK(!is_sealed(a->name) || a->size == b->size, "%s is sealed: %zu bytes in 0.1.0, %zu now",
              a->name, a->size, b->size);
        printf("%-20s 0.1.0 %4zu bytes, now %4zu%s\n", a->name, a->size, b->size,
               is_sealed(a->name) ? " (sealed)" : "");
    }
    int c = 0;
    for (; old->constants[c].name; c++) {
        long long was = old->constants[c].value, is = now->constants[c].value;
        int counts = is_growing_count(old->constants[c].name);
        CHECK(counts ? is >= was : is == was, "%s was %lld, now %lld%s", old->constants[c].name,
              was, is, counts ? " (a count: it may only grow)" : "");
        if (counts && is != was) printf("%-36s %lld in 0.1.0, %lld now (a count)\n",
                                        old->constants[c].name, was, is);
    }
    printf("%d fields and %d constants of 0.1.0 checked: %s\n", n, c,
           failures ? "FAILED" : "all kept");
    return failures ? 1 : 0;
}
