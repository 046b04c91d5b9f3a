/* test_cli_escape.c - cli/escape.c: hand-written cases of the text scheme,
 * and for 20000 random byte strings (fixed seed) that the escaped text has
 * no byte below 0x20, no DEL and no invisible formatting character, and
 * that undoing the escapes gives back the original bytes exactly. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "testutil.h"

static char *esc(const char *s)
{
    char *e = cli_escape(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    return e;
}

static void check(const char *in, const char *want)
{
    char *e = esc(in);
    if (strcmp(e, want)) printf("\n  escape(%s) = %s, expected %s", in, e, want);
    CU_ASSERT_STRING_EQUAL(e, want);
    free(e);
}

static void test_cases(void)
{
    check("plain/photo 1.jpg", "plain/photo 1.jpg");
    check("a.jpg\tno match\nok", "a.jpg\\tno match\\nok");
    check("back\\slash", "back\\\\slash");
    check("cr\r", "cr\\r");
    check("\x1b[2J\x7f\x01", "\\x1b[2J\\x7f\\x01");
    check("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb7", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb7");
    check("x\xff.jpg", "x\\xff.jpg");               /* not UTF-8 */
    check("\xc0\xaf", "\\xc0\\xaf");                 /* overlong '/' */
    check("\xed\xa0\x80", "\\xed\\xa0\\x80");         /* a surrogate */
    check("\xc2\x85", "\\xc2\\x85");                 /* U+0085, next line */
    check("\xe2\x80\xa8", "\\xe2\\x80\\xa8");         /* U+2028, line separator */
    check("\xe2\x80\xae" "gpj.exe", "\\xe2\\x80\\xaegpj.exe"); /* right-to-left override */
    check("\xe2\x81\xa6", "\\xe2\\x81\\xa6");         /* U+2066, left-to-right isolate */
    check("", "");
}

/* Undoes the escapes; returns the length, or -1 on a malformed escape. */
static long unescape(const char *e, char *out)
{
    long n = 0;
    while (*e) {
        if (*e != '\\') {
            out[n++] = *e++;
            continue;
        }
        e++;
        switch (*e) {
        case '\\': out[n++] = '\\'; e++; break;
        case 't': out[n++] = '\t'; e++; break;
        case 'n': out[n++] = '\n'; e++; break;
        case 'r': out[n++] = '\r'; e++; break;
        case 'x': {
            char hex[3] = {e[1], e[2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (end != hex + 2) return -1;
            out[n++] = (char)v;
            e += 3;
            break;
        }
        default: return -1;
        }
    }
    out[n] = '\0';
    return n;
}

static int clean(const char *e)
{
    for (const unsigned char *s = (const unsigned char *)e; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) return 0;
        if (*s == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xae)) return 0;
        if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) return 0;
    }
    return 1;
}

static void test_random_round_trip(void)
{
    tu_rng r;
    tu_rng_seed(&r, 808);
    static const unsigned char PIECES[][4] = {{'\t'}, {'\n'}, {'\\'}, {0xe2, 0x80, 0xae}, {0xc2, 0x85},
                                              {0xc3, 0xa9}, {0xff}, {'a'}, {'x'}, {0x1b}};
    size_t bad = 0;
    for (int t = 0; t < 20000; t++) {
        char in[64], back[64];
        size_t n = 0, len = tu_rng_below(&r, 40);
        while (n < len) {
            if (tu_rng_below(&r, 2)) {
                const unsigned char *p = PIECES[tu_rng_below(&r, 10)];
                for (size_t k = 0; k < 4 && p[k] && n < len; k++) in[n++] = (char)p[k];
            } else {
                unsigned char c = (unsigned char)(1 + tu_rng_below(&r, 255));
                in[n++] = (char)c;
            }
        }
        in[n] = '\0';
        char *e = esc(in);
        long m = unescape(e, back);
        if (!clean(e) || m != (long)n || memcmp(in, back, n)) bad++;
        free(e);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_json_path(void)
{
    cli_buf b;
    cli_buf_init(&b);
    int first = 1;
    cli_buf_json_path(&b, &first, "a\tb\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(b.data, "\"path\": \"a\\tb\xc3\xa9\"");
    cli_buf_reset(&b);
    first = 1;
    cli_buf_json_path(&b, &first, "x\xff");
    CU_ASSERT_STRING_EQUAL(b.data, "\"path\": \"x\\ufffd\", \"path_bytes\": \"78ff\"");
    cli_buf_free(&b);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test TESTS[] = {
        {"hand_written_cases", test_cases},
        {"random_strings_round_trip", test_random_round_trip},
        {"json_path_bytes", test_json_path},
        {NULL, NULL},
    };
    tu_add_suite("cli_escape", TESTS);
    return tu_run("test_cli_escape");
}
