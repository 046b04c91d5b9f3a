/* ncmec.c - NCMEC hash-sharing XML, the v2 `entries` query result (LISTS.md
 * section 1), through libexpat. Records are keyed by (member id, entry id);
 * images and videos alike give their md5, sha1, sha256 and pdq
 * fingerprints, every other fingerprint element is counted as unsupported.
 *
 * Elements are matched by local name (the documents use a default
 * namespace). A document type declaration is refused outright: the format
 * has none, and without one no entity can be declared, so no entity
 * expansion (billion laughs) or external entity can be reached. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <expat.h>

#include "import.h"
#include "../set/set.h"

#define NS_SEP '\x01'                  /* between namespace URI and local name */
#define FEED_CHUNK ((size_t)1 << 20)   /* expat takes int lengths */
#define MAX_FINGERPRINTS 64            /* supported values kept per record */

enum { D_ROOT = 1, D_LIST, D_RECORD, D_FIELD, D_FINGERPRINT }; /* element depths */
enum { T_NONE, T_MEMBER, T_ID, T_CLASSIFICATION, T_VALUE };     /* text being collected */

typedef struct ncmec {
    hm__list_file *f;
    XML_Parser p;
    unsigned depth, skip_below; /* skip_below: ignore everything deeper than this (0: none) */
    int in_list, deletion, in_fingerprints;
    /* the record being read */
    uint32_t line;
    unsigned members, ids, classifications, fingerprint_blocks;
    uint64_t member;
    char id[HM__LIST_MAX_TEXT], classification[HM__LIST_MAX_TEXT];
    size_t nvalues;
    hm_algo algos[MAX_FINGERPRINTS];
    uint8_t hashes[MAX_FINGERPRINTS][HM_MAX_HASH_BYTES];
    /* text of the element being collected */
    int collecting, value_algo;
    char value_name[16];
    char text[HM__LIST_MAX_TEXT];
    size_t text_len;
} ncmec;

static uint32_t line_now(const ncmec *x) { return (uint32_t)XML_GetCurrentLineNumber(x->p); }

/* Records the error at `line` (0: the current one) and stops expat. */
static int stop_at(ncmec *x, uint32_t line, const char *fmt, ...) HM_PRINTF(3, 4);
static int stop_at(ncmec *x, uint32_t line, const char *fmt, ...)
{
    char msg[HM_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hm__lf_fail(x->f, line ? line : line_now(x), "%s", msg);
    XML_StopParser(x->p, XML_FALSE);
    return -1;
}

#define stop(x, ...) stop_at((x), 0, __VA_ARGS__)

static const char *local_name(const char *name)
{
    const char *s = strrchr(name, NS_SEP);
    return s ? s + 1 : name;
}

/* ---- record fields ---- */

static int parse_member_id(ncmec *x, const char **attrs)
{
    const char *id = NULL;
    for (size_t i = 0; attrs[i]; i += 2)
        if (!strcmp(local_name(attrs[i]), "id")) id = attrs[i + 1];
    if (!id) return stop(x, "<member> has no id attribute");
    size_t n = strlen(id);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (id[i] < '0' || id[i] > '9' || v > (UINT64_MAX - 9) / 10) n = 0;
        else v = v * 10 + (uint64_t)(id[i] - '0');
    }
    if (n > 0) return x->member = v, 0;
    char shown[48];
    hm__lf_printable(id, strlen(id), shown, sizeof shown);
    return stop(x, "<member> id '%s' is not an integer", shown);
}

static void collect(ncmec *x, int what)
{
    x->collecting = what;
    x->text_len = 0;
    x->text[0] = '\0';
}

static hm_algo value_algo(const char *name)
{
    static const struct {
        const char *name;
        hm_algo algo;
    } V[] = {{"md5", HM_ALGO_MD5}, {"sha1", HM_ALGO_SHA1}, {"sha256", HM_ALGO_SHA256},
             {"pdq", HM_ALGO_PDQ}};
    for (size_t i = 0; i < HM_ARRAY_SIZE(V); i++)
        if (!strcmp(name, V[i].name)) return V[i].algo;
    return (hm_algo)0;
}

/* ---- start tags by depth ---- */

static void start_record(ncmec *x, const char *name)
{
    int entry = !strcmp(name, "image") || !strcmp(name, "video");
    x->deletion = !strcmp(name, "deletedImage") || !strcmp(name, "deletedVideo");
    if (!entry && !x->deletion) {
        stop(x, "<%s> is not a record (image, video, deletedImage, deletedVideo)", name);
        return;
    }
    x->line = line_now(x);
    x->members = x->ids = x->classifications = x->fingerprint_blocks = 0;
    x->nvalues = 0;
    x->id[0] = x->classification[0] = '\0';
}

static void start_field(ncmec *x, const char *name, const char **attrs)
{
    if (!strcmp(name, "member")) {
        if (x->members++ == 0 && parse_member_id(x, attrs)) return;
        return collect(x, T_MEMBER);
    }
    if (!strcmp(name, "id")) {
        x->ids++;
        return collect(x, T_ID);
    }
    if (!strcmp(name, "classification")) {
        x->classifications++;
        return collect(x, T_CLASSIFICATION);
    }
    if (!strcmp(name, "fingerprints") && !x->deletion) {
        x->fingerprint_blocks++;
        x->in_fingerprints = 1;
        return;
    }
    x->skip_below = x->depth; /* timestamp, feedback, anything else: not read */
}

static void start_fingerprint(ncmec *x, const char *name)
{
    hm_algo algo = value_algo(name);
    if (!algo) { /* PhotoDNA, NetClean, large fingerprints (href), ...: counted */
        if (hm__lf_unsupported(x->f, name)) XML_StopParser(x->p, XML_FALSE);
        x->skip_below = x->depth;
        return;
    }
    x->value_algo = (int)algo;
    snprintf(x->value_name, sizeof x->value_name, "%s", name);
    collect(x, T_VALUE);
}

static void XMLCALL on_start(void *ctx, const char *qname, const char **attrs)
{
    ncmec *x = ctx;
    const char *name = local_name(qname);
    x->depth++;
    if (x->skip_below && x->depth > x->skip_below) return;
    if (x->collecting) {
        stop(x, "<%s> inside an element that holds text", name);
        return;
    }
    switch (x->depth) {
    case D_ROOT:
        if (strcmp(name, "queryResult")) stop(x, "the root element is <%s>, not <queryResult>", name);
        break;
    case D_LIST:
        x->in_list = !strcmp(name, "images") || !strcmp(name, "videos");
        if (!x->in_list) x->skip_below = x->depth; /* paging and others */
        break;
    case D_RECORD: start_record(x, name); break;
    case D_FIELD: start_field(x, name, attrs); break;
    default: start_fingerprint(x, name); break;
    }
}

/* ---- end tags ---- */

static int trimmed(ncmec *x, const char *what)
{
    char *s = x->text;
    size_t n = x->text_len;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    memmove(s, s + i, n - i);
    s[n - i] = '\0';
    if (!hm__set_text_ok(s, n - i)) return stop(x, "<%s> is not printable UTF-8 text", what);
    return 0;
}

static void end_value(ncmec *x)
{
    if (x->nvalues >= MAX_FINGERPRINTS) {
        stop(x, "more than %d md5, sha1, sha256 or pdq values in one record", MAX_FINGERPRINTS);
        return;
    }
    hm_algo algo = (hm_algo)x->value_algo;
    if (hm__lf_parse_value(x->f, line_now(x), x->value_name, algo, x->text, x->text_len,
                           x->hashes[x->nvalues])) {
        XML_StopParser(x->p, XML_FALSE);
        return;
    }
    x->algos[x->nvalues++] = algo;
}

static void end_text(ncmec *x)
{
    int what = x->collecting;
    x->collecting = T_NONE;
    if (what == T_VALUE) return end_value(x);
    if (what == T_MEMBER) return; /* the member's name: not used */
    if (trimmed(x, what == T_ID ? "id" : "classification")) return;
    if (what == T_ID) memcpy(x->id, x->text, strlen(x->text) + 1);
    if (what == T_CLASSIFICATION) memcpy(x->classification, x->text, strlen(x->text) + 1);
}

static int check_record(ncmec *x)
{
    if (x->members != 1)
        return stop_at(x, x->line, "the record has %u <member> elements (one is required)",
                       x->members);
    if (x->ids != 1)
        return stop_at(x, x->line, "the record has %u <id> elements (one is required)", x->ids);
    if (!x->id[0]) return stop_at(x, x->line, "the record's <id> is empty");
    if (x->classifications > 1 || x->fingerprint_blocks > 1)
        return stop_at(x, x->line, "the record repeats <classification> or <fingerprints>");
    return 0;
}

static void end_record(ncmec *x)
{
    char source[32], ext[HM__LIST_MAX_TEXT + 48];
    unsigned category = HM__LIST_NO_CATEGORY;
    if (check_record(x)) return;
    snprintf(source, sizeof source, "ncmec:%" PRIu64, x->member);
    snprintf(ext, sizeof ext, "ncmec:%" PRIu64 ":%s", x->member, x->id);
    hm__list_file *f = x->f;
    hm__lf_begin(f, x->line);
    int rc = hm__lf_key_ncmec(f, x->member, x->id) || hm__lf_source(f, source);
    for (size_t i = 0; rc == 0 && !x->deletion && i < x->nvalues; i++)
        rc = hm__lf_pair(f, x->algos[i], x->hashes[i]);
    if (rc == 0 && !x->deletion)
        rc = hm__lf_category(f, x->line, x->classifications ? x->classification : NULL, &category);
    if (rc || hm__lf_end(f, x->deletion, category, ext)) XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_end(void *ctx, const char *qname)
{
    ncmec *x = ctx;
    (void)qname;
    unsigned d = x->depth--;
    if (x->skip_below) {
        if (d > x->skip_below) return;
        x->skip_below = 0;
        return;
    }
    if (x->collecting) end_text(x);
    else if (d == D_FIELD && x->in_fingerprints) x->in_fingerprints = 0;
    else if (d == D_RECORD && x->in_list) end_record(x);
}

static void XMLCALL on_text(void *ctx, const char *s, int len)
{
    ncmec *x = ctx;
    if (!x->collecting || (x->skip_below && x->depth > x->skip_below)) return;
    if ((size_t)len >= sizeof x->text - x->text_len) {
        stop(x, "an element's text is longer than %d bytes", HM__LIST_MAX_TEXT - 1);
        return;
    }
    memcpy(x->text + x->text_len, s, (size_t)len);
    x->text_len += (size_t)len;
    x->text[x->text_len] = '\0';
}

static void XMLCALL on_doctype(void *ctx, const char *name, const char *sysid, const char *pubid,
                               int internal)
{
    (void)sysid, (void)pubid, (void)internal;
    stop(ctx, "a document type declaration (<!DOCTYPE %s>) is not allowed", name);
}

/* ---- the document ---- */

static int feed(ncmec *x, const uint8_t *data, size_t size)
{
    static const uint8_t NOTHING[1];
    size_t off = 0;
    if (!data) data = NOTHING; /* size is 0 */
    do {
        size_t n = size - off < FEED_CHUNK ? size - off : FEED_CHUNK;
        int last = off + n == size;
        if (XML_Parse(x->p, (const char *)data + off, (int)n, last) != XML_STATUS_OK) {
            if (XML_GetErrorCode(x->p) == XML_ERROR_ABORTED) return -1; /* our own error */
            return hm__lf_fail(x->f, line_now(x), "XML error: %s",
                               XML_ErrorString(XML_GetErrorCode(x->p)));
        }
        off += n;
    } while (off < size);
    return 0;
}

int hm__list_read_ncmec(hm__list_file *f, const uint8_t *data, size_t size)
{
    ncmec *x = calloc(1, sizeof *x);
    if (!x) return hm__lf_fail(f, 0, "out of memory");
    x->f = f;
    x->p = XML_ParserCreateNS(NULL, NS_SEP);
    if (!x->p) {
        free(x);
        return hm__lf_fail(f, 0, "out of memory for the XML parser");
    }
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    int rc = feed(x, data, size);
    XML_ParserFree(x->p);
    free(x);
    return rc;
}
