/* tx.c - python-threatexchange text files (LISTS.md section 4): one
 * `signal_type signal` per line, additive (no deletions). */
#include "import.h"

static const struct {
    const char *name;
    hm_algo algo;
} TYPES[] = {{"pdq", HM_ALGO_PDQ}, {"video_md5", HM_ALGO_MD5}, {"video_sha256", HM_ALGO_SHA256}};

static hm_algo supported(const char *type, size_t n)
{
    for (size_t i = 0; i < HM_ARRAY_SIZE(TYPES); i++)
        if (strlen(TYPES[i].name) == n && !memcmp(TYPES[i].name, type, n)) return TYPES[i].algo;
    return (hm_algo)0;
}

/* Python's str.strip(): every ASCII whitespace character. */
static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int tx_line(hm__list_file *f, uint32_t line, const char *s, size_t n)
{
    while (n > 0 && is_space(*s)) s++, n--;
    while (n > 0 && is_space(s[n - 1])) n--;
    if (n == 0 || *s == '#') return 0; /* blank or a comment: not counted */
    const char *sp = memchr(s, ' ', n);
    size_t tn = sp ? (size_t)(sp - s) : n;
    char type[64];
    hm__lf_printable(s, tn, type, sizeof type);
    hm_algo algo = supported(s, tn);
    if (algo) {
        if (!sp) return hm__lf_fail(f, line, "'%s' line without a value", type);
        return hm__lf_hash_record(f, line, type, algo, sp + 1, n - tn - 1, n - tn - 1, 0, NULL,
                                  NULL);
    }
    const char *tab = memchr(s, '\t', tn);
    if (tab && supported(s, (size_t)(tab - s)))
        return hm__lf_fail(f, line, "a tab separates the type and the value; the format "
                           "separates them with one space");
    return hm__lf_unsupported(f, type);
}

int hm__list_read_tx(hm__list_file *f, const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    for (uint32_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (memchr(p, '\0', n)) return hm__lf_fail(f, line, "NUL byte in the line");
        if (tx_line(f, line, p, n)) return -1;
        p += n + 1;
        if (line == UINT32_MAX) return hm__lf_fail(f, line, "too many lines");
    }
    return 0;
}
