/* map.c - format names and the category map: which category of the set a
 * publisher's classification (NCMEC's A1, TAT's ideology, ...) becomes. */
#include <stdlib.h>

#include "import.h"
#include "../set/set.h"

#define MAX_RULES 4096

static const char *const FORMAT_NAMES[HM__LIST_FORMAT_COUNT + 1] = {
    NULL, "ncmec-xml", "stopncii-json", "tat-json", "tx-text"};
static const char *const DEFAULT_SOURCES[HM__LIST_FORMAT_COUNT + 1] = {NULL, "ncmec", "stopncii",
                                                                      "tat", "tx"};

const char *hm__list_format_name(hm__list_format f)
{
    return (unsigned)f <= HM__LIST_FORMAT_COUNT ? FORMAT_NAMES[f] : NULL;
}

const char *hm__list_default_source(hm__list_format f)
{
    return (unsigned)f <= HM__LIST_FORMAT_COUNT ? DEFAULT_SOURCES[f] : NULL;
}

int hm__list_format_from_name(const char *name, hm__list_format *out)
{
    for (int f = 1; f <= HM__LIST_FORMAT_COUNT; f++)
        if (name && !strcmp(name, FORMAT_NAMES[f])) return *out = (hm__list_format)f, 0;
    return -1;
}

typedef struct rule {
    hm__list_format format;
    char *classification; /* "*": any other; "-": none */
    unsigned category;
} rule;

struct hm__list_map {
    rule *rules;
    size_t nrules;
    char **categories;
    unsigned ncat;
};

void hm__list_map_free(hm__list_map *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nrules; i++) free(m->rules[i].classification);
    for (unsigned i = 0; i < m->ncat; i++) free(m->categories[i]);
    free(m->rules);
    free(m->categories);
    free(m);
}

unsigned hm__list_map_category_count(const hm__list_map *m) { return m ? m->ncat : 0; }

const char *hm__list_map_category(const hm__list_map *m, unsigned index)
{
    return m && index < m->ncat ? m->categories[index] : NULL;
}

static const rule *find_rule(const hm__list_map *m, hm__list_format f, const char *cls)
{
    for (size_t i = 0; i < m->nrules; i++)
        if (m->rules[i].format == f && !strcmp(m->rules[i].classification, cls)) return &m->rules[i];
    return NULL;
}

int hm__list_map_lookup(const hm__list_map *m, hm__list_format f, const char *classification,
                        unsigned *category)
{
    const rule *r = find_rule(m, f, classification ? classification : "-");
    if (!r) r = find_rule(m, f, "*");
    if (r) return *category = r->category, 0;
    /* A record without a classification takes the set's default category. */
    if (!classification) return *category = HM__LIST_NO_CATEGORY, 0;
    return -1;
}

/* ---- parsing ---- */

typedef struct map_parser {
    hm__list_map *m;
    const char *name;
    unsigned line;
    hm_error *err;
} map_parser;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Cuts the line at a comment: '#' at its start or after a blank. */
static void strip_comment(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '#' && (p == s || is_blank(p[-1]))) {
            *p = '\0';
            break;
        }
    size_t n = strlen(s);
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r')) s[--n] = '\0';
}

static char *next_token(char **s)
{
    while (is_blank(**s)) (*s)++;
    if (!**s) return NULL;
    char *t = *s;
    while (**s && !is_blank(**s)) (*s)++;
    if (**s) *(*s)++ = '\0';
    return t;
}

static hm_status category_index(map_parser *P, const char *name, unsigned *index)
{
    hm__list_map *m = P->m;
    for (unsigned i = 0; i < m->ncat; i++)
        if (!strcmp(m->categories[i], name)) return *index = i, HM_OK;
    HM_RETURN_IF(!hm__set_text_ok(name, strlen(name)), P->err, HM_E_PARSE,
                 "%s:%u: the category is not printable UTF-8", P->name, P->line);
    char **c = realloc(m->categories, (m->ncat + 1) * sizeof *c);
    HM_RETURN_IF(!c, P->err, HM_E_NO_MEMORY, "out of memory");
    m->categories = c;
    HM_RETURN_IF(!(c[m->ncat] = strdup(name)), P->err, HM_E_NO_MEMORY, "out of memory");
    *index = m->ncat++;
    return HM_OK;
}

static hm_status parse_rule(map_parser *P, char *s)
{
    char *fmt = next_token(&s), *cls = next_token(&s), *cat = s;
    while (is_blank(*cat)) cat++;
    hm__list_format f;
    HM_RETURN_IF(!cls || !*cat, P->err, HM_E_PARSE,
                 "%s:%u: expected 'FORMAT CLASSIFICATION CATEGORY'", P->name, P->line);
    HM_RETURN_IF(hm__list_format_from_name(fmt, &f), P->err, HM_E_PARSE,
                 "%s:%u: unknown list format '%.64s' (ncmec-xml, stopncii-json, tat-json, "
                 "tx-text)", P->name, P->line, fmt);
    HM_RETURN_IF(find_rule(P->m, f, cls), P->err, HM_E_PARSE,
                 "%s:%u: %s classification '%.64s' is mapped twice", P->name, P->line, fmt, cls);
    HM_RETURN_IF(P->m->nrules >= MAX_RULES, P->err, HM_E_LIMIT, "%s:%u: more than %d rules",
                 P->name, P->line, MAX_RULES);
    rule r = {f, NULL, 0};
    HM_FORWARD_IF_ERROR(category_index(P, cat, &r.category));
    rule *rs = realloc(P->m->rules, (P->m->nrules + 1) * sizeof *rs);
    HM_RETURN_IF(!rs, P->err, HM_E_NO_MEMORY, "out of memory");
    P->m->rules = rs;
    HM_RETURN_IF(!(r.classification = strdup(cls)), P->err, HM_E_NO_MEMORY, "out of memory");
    rs[P->m->nrules++] = r;
    return HM_OK;
}

static hm_status parse_lines(map_parser *P, char *text, size_t size)
{
    for (char *p = text, *end = text + size; p < end; P->line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p;
        size_t len = (size_t)((nl ? nl : end) - p);
        HM_RETURN_IF(memchr(line, '\0', len), P->err, HM_E_PARSE, "%s:%u: NUL byte in the line",
                     P->name, P->line);
        line[len] = '\0';
        p = line + len + 1;
        strip_comment(line);
        while (is_blank(*line)) line++;
        if (*line) HM_FORWARD_IF_ERROR(parse_rule(P, line));
    }
    return HM_OK;
}

hm_status hm__list_map_parse(const char *text, size_t size, const char *name, hm__list_map **out,
                             hm_error *err)
{
    HM_RETURN_IF(!out || (!text && size), err, HM_E_INVALID_ARGUMENT, "no map or output");
    *out = NULL;
    map_parser P = {calloc(1, sizeof(hm__list_map)), name ? name : "(category map)", 1, err};
    char *copy = malloc(size + 1);
    hm_status st = P.m && copy ? HM_OK : hm__fail(err, HM_E_NO_MEMORY, "out of memory");
    if (st == HM_OK && size) memcpy(copy, text, size);
    if (st == HM_OK) st = parse_lines(&P, copy, size);
    free(copy);
    if (st != HM_OK) {
        hm__list_map_free(P.m);
        return st;
    }
    *out = P.m;
    hm__ok(err);
    return HM_OK;
}
