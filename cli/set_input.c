/* set_input.c - reading the inputs of `hashmatch set build`. */
#include "set_input.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyfile.h"
#include "set/set.h"

#define MAX_PRINTED 200 /* rejections printed in full; the rest are counted */

void set_input_reject(set_input *in, uint32_t file, uint32_t line, const char *fmt, ...)
{
    in->rejected++;
    if (in->printed++ >= MAX_PRINTED) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%u: ", in->files[file], line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *set_input_ext(const set_input *in, const set_record *r)
{
    return r->ext ? in->arena + r->ext - 1 : "";
}

void set_input_free(set_input *in)
{
    for (unsigned i = 0; i < in->ncat; i++) free(in->cats[i]);
    free(in->cats);
    free(in->recs);
    for (size_t i = 0; i < in->nvideos; i++) free(in->videos[i].frames);
    free(in->videos);
    free(in->arena);
    free(in->files);
}

int set_input_category(set_input *in, const char *name, unsigned *index, const char **why)
{
    for (unsigned i = 0; i < in->ncat; i++)
        if (!strcmp(in->cats[i], name)) return *index = i, 0;
    if (in->categories_closed) return *why = "is not in --categories", -1;
    hm_error err;
    if (hm_set_builder_add_category(in->builder, name, index, &err) != HM_OK)
        return *why = "is not a valid category name (printable UTF-8)", -1;
    char **c = realloc(in->cats, (in->ncat + 1) * sizeof *c);
    if (!c || !(c[in->ncat] = strdup(name))) return *why = "out of memory", -1;
    in->cats = c;
    in->ncat++;
    return 0;
}

static uint32_t arena_add(set_input *in, const char *s)
{
    size_t n = strlen(s) + 1;
    if (in->arena_len + n >= UINT32_MAX) return 0;
    if (in->arena_len + n > in->arena_cap) {
        size_t cap = in->arena_cap ? 2 * in->arena_cap : 1 << 16;
        while (cap < in->arena_len + n) cap *= 2;
        char *a = realloc(in->arena, cap);
        if (!a) return 0;
        in->arena = a;
        in->arena_cap = cap;
    }
    memcpy(in->arena + in->arena_len, s, n);
    in->arena_len += n;
    return (uint32_t)(in->arena_len - n + 1);
}

static set_record *new_record(set_input *in)
{
    if (in->nrec == in->cap) {
        size_t cap = in->cap ? 2 * in->cap : 4096;
        set_record *r = realloc(in->recs, cap * sizeof *r);
        if (!r) return NULL;
        in->recs = r;
        in->cap = cap;
    }
    set_record *r = &in->recs[in->nrec];
    memset(r, 0, sizeof *r);
    return r;
}

/* ---- one entry from its fields (shared by CSV and JSON) ---- */

typedef struct fields {
    const char *algo, *hash, *category, *attesters, *ext;
    long quality; /* -1: unknown */
} fields;

static int add_entry(set_input *in, uint32_t file, uint32_t line, const fields *f)
{
    hm_algo algo;
    char lower[16];
    size_t i;
    for (i = 0; f->algo[i] && i + 1 < sizeof lower; i++) lower[i] = (char)tolower((unsigned char)f->algo[i]);
    lower[i] = '\0';
    if (f->algo[i] || hm_algo_from_name(lower, &algo) != HM_OK)
        return set_input_reject(in, file, line, "unknown algorithm '%s'", f->algo), 0;
    if (!(in->algos & HM_MASK(algo))) return in->skipped++, 0;
    size_t hs = hm_algo_hash_size(algo), len = strlen(f->hash);
    set_record *r = new_record(in);
    if (!r) return -1;
    if (len != 2 * hs)
        return set_input_reject(in, file, line, "%s hash has %zu hex digits, expected %zu",
                                lower, len, 2 * hs), 0;
    if (hm_hex_decode(f->hash, r->hash, hs) != HM_OK)
        return set_input_reject(in, file, line, "%s hash '%s' is not hexadecimal", lower, f->hash), 0;
    int zero = 1;
    for (i = 0; i < hs; i++) zero &= r->hash[i] == 0;
    if (algo == HM_ALGO_PDQ && zero && !in->allowlist)
        return set_input_reject(in, file, line, "the all-zero PDQ hash (a flat image) cannot be listed"), 0;
    if (algo == HM_ALGO_PDQ && f->quality >= 0 && (unsigned long)f->quality < in->min_quality)
        return set_input_reject(in, file, line, "pdq quality %ld is below --min-quality %u",
                                f->quality, in->min_quality), 0;
    r->algo = (uint8_t)algo;
    r->file = (uint32_t)file;
    r->line = line;
    r->attesters = 1;
    if (!in->allowlist) {
        const char *cat = f->category && *f->category ? f->category : in->default_category;
        const char *why;
        unsigned ci;
        if (set_input_category(in, cat, &ci, &why))
            return set_input_reject(in, file, line, "category '%s' %s", cat, why), 0;
        r->category = (uint16_t)ci;
        uint64_t att = 1;
        if (f->attesters && *f->attesters && cli_parse_u64(f->attesters, 1, 65535, &att))
            return set_input_reject(in, file, line, "attester count '%s' is not 1..65535",
                                    f->attesters), 0;
        r->attesters = (uint16_t)att;
        if (f->ext && *f->ext) {
            if (!hm__set_text_ok(f->ext, strlen(f->ext)))
                return set_input_reject(in, file, line, "external id is not printable UTF-8"), 0;
            if (!(r->ext = arena_add(in, f->ext))) return -1;
        }
    }
    in->nrec++;
    return 0;
}

/* ---- CSV / TSV ---- */

static char *trim(char *s)
{
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = '\0';
    return s;
}

static int csv_line(set_input *in, uint32_t file, uint32_t line, char *s)
{
    char sep = strchr(s, '\t') ? '\t' : ',';
    char *part[5] = {NULL};
    size_t n = 0;
    while (n < 5) {
        part[n++] = s;
        if (n == 5) break; /* the external id keeps any separators */
        char *p = strchr(s, sep);
        if (!p) break;
        *p = '\0';
        s = p + 1;
    }
    for (size_t i = 0; i < n; i++) part[i] = trim(part[i]);
    if (!strcmp(part[0], "algo")) return in->lines--, 0; /* a header line */
    if (n < 2) return set_input_reject(in, file, line, "expected algo%chash[...]", sep), 0;
    fields f = {part[0], part[1], part[2], part[3], part[4], -1};
    return add_entry(in, file, line, &f);
}

/* ---- JSON lines (a flat object; nested values are skipped) ---- */

typedef struct jfield {
    char key[24];
    char *str; /* decoded string value, or NULL */
    long num;
    int is_num;
    const char *raw; /* an array or object value: its text */
    size_t raw_len;
} jfield;

static const char *jspace(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    return p;
}

static int put_utf8(char **o, unsigned long cp)
{
    char *q = *o;
    if (cp < 0x80) *q++ = (char)cp;
    else if (cp < 0x800) *q++ = (char)(0xc0 | cp >> 6), *q++ = (char)(0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
        *q++ = (char)(0xe0 | cp >> 12), *q++ = (char)(0x80 | ((cp >> 6) & 0x3f)),
        *q++ = (char)(0x80 | (cp & 0x3f));
    else
        *q++ = (char)(0xf0 | cp >> 18), *q++ = (char)(0x80 | ((cp >> 12) & 0x3f)),
        *q++ = (char)(0x80 | ((cp >> 6) & 0x3f)), *q++ = (char)(0x80 | (cp & 0x3f));
    *o = q;
    return 0;
}

static const char *jhex4(const char *p, unsigned long *v)
{
    char buf[5];
    memcpy(buf, p, 4);
    buf[4] = '\0';
    for (int i = 0; i < 4; i++)
        if (!isxdigit((unsigned char)buf[i])) return NULL;
    *v = strtoul(buf, NULL, 16);
    return p + 4;
}

/* Decodes a string at p (after the opening quote) into *out (scratch space
 * at least as long as the input); returns the position after the closing
 * quote, NULL on error. */
static const char *jstring(const char *p, char **out)
{
    char *o = *out;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        unsigned long cp, lo;
        switch (*p++) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if (!(p = jhex4(p, &cp))) return NULL;
            if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u' &&
                jhex4(p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            } else if (cp == 0 || (cp >= 0xd800 && cp < 0xe000)) {
                return NULL;
            }
            put_utf8(&o, cp);
            break;
        default: return NULL;
        }
    }
    if (*p != '"') return NULL;
    *o++ = '\0';
    *out = o;
    return p + 1;
}

/* Skips any JSON value (strings with escapes, nested arrays/objects). */
static const char *jskip(const char *p)
{
    int depth = 0;
    do {
        p = jspace(p);
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (!*p) return NULL;
            p++;
        } else if (*p == '[' || *p == '{') {
            depth++, p++;
        } else if (*p == ']' || *p == '}') {
            if (depth == 0) return NULL;
            depth--, p++;
        } else if (*p == ',' || *p == ':') {
            if (depth == 0) return NULL;
            p++;
        } else if (*p && strchr("-0123456789tfn", *p)) {
            while (*p && !strchr(",:]} \t\r", *p)) p++;
        } else {
            return NULL;
        }
    } while (depth > 0);
    return p;
}

static const char *jvalue(const char *p, jfield *f, char **scratch)
{
    p = jspace(p);
    if (*p == '"') {
        f->str = *scratch;
        return jstring(p + 1, scratch);
    }
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        char *end;
        errno = 0;
        f->num = strtol(p, &end, 10);
        f->is_num = !errno && (*end == ',' || *end == '}' || *end == ' ');
        return f->is_num ? end : jskip(p);
    }
    const char *end = jskip(p);
    if (end && (*p == '[' || *p == '{')) {
        f->raw = p;
        f->raw_len = (size_t)(end - p);
    }
    return end;
}

/* Parses a flat JSON object into up to `max` fields; returns the count or -1. */
static int jobject(const char *p, jfield *fs, int max, char *scratch)
{
    int n = 0;
    p = jspace(p);
    if (*p++ != '{') return -1;
    p = jspace(p);
    if (*p == '}') return *jspace(p + 1) ? -1 : 0;
    for (;;) {
        jfield tmp, *f = n < max ? &fs[n] : &tmp;
        memset(f, 0, sizeof *f);
        p = jspace(p);
        char *key = scratch;
        if (*p != '"' || !(p = jstring(p + 1, &scratch))) return -1;
        snprintf(f->key, sizeof f->key, "%s", key);
        p = jspace(p);
        if (*p++ != ':' || !(p = jvalue(p, f, &scratch))) return -1;
        if (f != &tmp) n++;
        p = jspace(p);
        if (*p == '}') return *jspace(p + 1) ? -1 : n;
        if (*p++ != ',') return -1;
    }
}

static const jfield *jget(const jfield *fs, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(fs[i].key, key)) return &fs[i];
    return NULL;
}

static const char *jstr(const jfield *fs, int n, const char *key)
{
    const jfield *f = jget(fs, n, key);
    return f && f->str ? f->str : NULL;
}

/* ---- videos ---- */

static int push_video(set_input *in, const set_video *v)
{
    if (in->nvideos == in->vcap) {
        size_t cap = in->vcap ? 2 * in->vcap : 16;
        set_video *p = realloc(in->videos, cap * sizeof *p);
        if (!p) return -1;
        in->videos = p;
        in->vcap = cap;
    }
    in->videos[in->nvideos++] = *v;
    return 0;
}

/* Category, attesters and external id of a video, as add_entry checks them;
 * 1 when the line was refused. */
static int video_meta(set_input *in, uint32_t file, uint32_t line, const char *cat,
                      const char *att, const char *ext, set_video *v)
{
    const char *why;
    unsigned ci;
    if (!cat || !*cat) cat = in->default_category;
    if (set_input_category(in, cat, &ci, &why))
        return set_input_reject(in, file, line, "category '%s' %s", cat, why), 1;
    uint64_t a = 1;
    if (att && *att && cli_parse_u64(att, 1, 65535, &a))
        return set_input_reject(in, file, line, "attester count '%s' is not 1..65535", att), 1;
    v->category = (uint16_t)ci;
    v->attesters = (uint16_t)a;
    v->ext = 0;
    if (ext && *ext) {
        if (!hm__set_text_ok(ext, strlen(ext)))
            return set_input_reject(in, file, line, "external id is not printable UTF-8"), 1;
        if (!(v->ext = arena_add(in, ext))) return -1;
    }
    v->file = file;
    v->line = line;
    return 0;
}

/* One frame of a "vpdq" array: {"frame": N, "quality": Q, "hash": "...",
 * "timestamp": S} (hashmatch hash --json) or "hex,quality,seconds"
 * (python-threatexchange's signal string, without frame numbers). */
static int json_frame(const char **pp, hm_vpdq_frame *f)
{
    const char *p = jspace(*pp);
    memset(f, 0, sizeof *f);
    f->frame = HM_VPDQ_FRAME_UNKNOWN;
    char buf[256], *end;
    if (*p == '"') {
        char *o = buf;
        const char *q = p + 1;
        while (*q && *q != '"' && o < buf + sizeof buf - 1) *o++ = *q++;
        *o = '\0';
        if (*q != '"' || strlen(buf) < 68 || buf[64] != ',') return -1;
        buf[64] = '\0';
        if (hm_hex_decode(buf, f->hash, HM_PDQ_BYTES) != HM_OK) return -1;
        f->quality = (int)strtol(buf + 65, &end, 10);
        if (*end != ',' || end == buf + 65) return -1;
        f->timestamp = strtod(end + 1, &end);
        if (*end) return -1;
        *pp = q + 1;
        return 0;
    }
    const char *q = jskip(p);
    if (!q || *p != '{' || (size_t)(q - p) >= sizeof buf) return -1;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    char scratch[sizeof buf];
    jfield fs[8];
    int n = jobject(buf, fs, 8, scratch);
    const jfield *fr = jget(fs, n, "frame"), *qu = jget(fs, n, "quality"),
                 *ts = jget(fs, n, "timestamp");
    const char *hash = jstr(fs, n, "hash");
    if (n < 0 || !hash || !qu || !qu->is_num || !ts) return -1;
    if (hm_hex_decode(hash, f->hash, HM_PDQ_BYTES) != HM_OK) return -1;
    f->quality = (int)qu->num;
    if (fr) {
        if (!fr->is_num || fr->num < 0 || fr->num >= (long)HM_VPDQ_FRAME_UNKNOWN) return -1;
        f->frame = (uint32_t)fr->num;
    }
    /* the timestamp is a decimal number: its text is in the object */
    const char *t = strstr(buf, "\"timestamp\"");
    t = t ? strchr(t, ':') : NULL;
    if (!t) return -1;
    f->timestamp = strtod(t + 1, &end);
    if (end == t + 1) return -1;
    *pp = q;
    return 0;
}

static int json_video(set_input *in, uint32_t file, uint32_t line, const jfield *vp,
                      const jfield *fs, int n, const char *att)
{
    set_video v;
    memset(&v, 0, sizeof v);
    int r = video_meta(in, file, line, jstr(fs, n, "category"), att, jstr(fs, n, "external_id"), &v);
    if (r) return r < 0 ? -1 : 0;
    const char *p = jspace(vp->raw), *end = vp->raw + vp->raw_len;
    if (*p++ != '[') return set_input_reject(in, file, line, "\"vpdq\" is not an array"), 0;
    size_t cap = 0;
    for (p = jspace(p); p < end && *p != ']';) {
        if (v.count == cap) {
            cap = cap ? 2 * cap : 64;
            hm_vpdq_frame *f = realloc(v.frames, cap * sizeof *f);
            if (!f) return free(v.frames), -1;
            v.frames = f;
        }
        if (json_frame(&p, &v.frames[v.count])) {
            free(v.frames);
            return set_input_reject(in, file, line, "vpdq frame %zu is malformed", v.count), 0;
        }
        v.count++;
        p = jspace(p);
        if (*p == ',') p = jspace(p + 1);
    }
    if (!v.count) return free(v.frames), set_input_reject(in, file, line, "\"vpdq\" has no frames"), 0;
    if (!(in->algos & HM_MASK(HM_ALGO_VPDQ))) return free(v.frames), in->skipped++, 0;
    if (push_video(in, &v)) return free(v.frames), -1;
    return 0;
}

/* A whole file in vpdq-hash-video's format: one video, named after the file. */
static int vpdq_file(set_input *in, uint32_t file, char *text, size_t size)
{
    set_video v;
    memset(&v, 0, sizeof v);
    const char *path = in->files[file], *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char id[256];
    snprintf(id, sizeof id, "%s", base);
    char *dot = strrchr(id, '.');
    if (dot && dot != id) *dot = '\0';
    int r = video_meta(in, file, 1, NULL, NULL, id, &v);
    if (r) return r < 0 ? -1 : 0;
    size_t cap = 0;
    uint32_t lineno = 0;
    for (char *p = text, *end = text + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl) *nl = '\0';
        char *ln = p;
        p = nl ? nl + 1 : end;
        lineno++;
        if (!*ln) continue;
        in->lines++;
        if (v.count == cap) {
            cap = cap ? 2 * cap : 256;
            hm_vpdq_frame *f = realloc(v.frames, cap * sizeof *f);
            if (!f) return free(v.frames), -1;
            v.frames = f;
        }
        if (hm_vpdq_parse_line(ln, &v.frames[v.count]) != HM_OK) {
            set_input_reject(in, file, lineno, "not a vpdq line (frame,quality,hash,seconds)");
            continue;
        }
        v.count++;
    }
    if (!(in->algos & HM_MASK(HM_ALGO_VPDQ)) || !v.count) {
        in->skipped += v.count > 0;
        free(v.frames);
        return 0;
    }
    if (push_video(in, &v)) return free(v.frames), -1;
    return 0;
}

static int json_line(set_input *in, uint32_t file, uint32_t line, const char *s)
{
    jfield fs[32];
    char *scratch = malloc(strlen(s) + 1);
    if (!scratch) return -1;
    int n = jobject(s, fs, 32, scratch), rc = 0;
    if (n < 0) {
        set_input_reject(in, file, line, "malformed JSON object");
    } else if (jget(fs, n, "error")) {
        const char *msg = jstr(fs, n, "message");
        set_input_reject(in, file, line, "hashing failed: %s", msg ? msg : "(no message)");
    } else {
        const jfield *q = jget(fs, n, "pdq_quality"), *att = jget(fs, n, "attesters");
        char attbuf[24] = "";
        if (att && att->is_num) snprintf(attbuf, sizeof attbuf, "%ld", att->num);
        else if (att && att->str) snprintf(attbuf, sizeof attbuf, "%s", att->str);
        else if (att) snprintf(attbuf, sizeof attbuf, "?");
        int any = 0;
        const jfield *vp = jget(fs, n, "vpdq");
        if (vp && vp->raw && !in->allowlist) {
            any = 1;
            rc = json_video(in, file, line, vp, fs, n, attbuf);
        }
        for (int a = 1; a <= HM_ALGO_COUNT && rc == 0; a++) {
            const char *name = hm_algo_name((hm_algo)a), *hash = jstr(fs, n, name);
            if (!hash || a == HM_ALGO_VPDQ) continue;
            any = 1;
            fields f = {name, hash, jstr(fs, n, "category"), attbuf, jstr(fs, n, "external_id"),
                        q && q->is_num ? q->num : -1};
            rc = add_entry(in, file, line, &f);
        }
        if (!any) set_input_reject(in, file, line, "no hash in this JSON object");
    }
    free(scratch);
    return rc;
}

/* ---- files ---- */

int set_input_read(set_input *in, const char *path)
{
    const char **files = realloc(in->files, (in->nfiles + 1) * sizeof *files);
    if (!files) return -1;
    in->files = files;
    uint32_t file = (uint32_t)in->nfiles;
    in->files[in->nfiles++] = path;
    uint8_t *text;
    size_t size;
    if (cli_read_all(path, &text, &size) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    uint32_t lineno = 0;
    char *p = (char *)text, *end = p + size;
    /* A file whose first line is a vPDQ line holds one video. */
    hm_vpdq_frame probe;
    char first[128];
    size_t fl = 0;
    while (fl < size && fl < sizeof first - 1 && p[fl] != '\n') first[fl] = p[fl], fl++;
    first[fl] = '\0';
    if (!in->allowlist && hm_vpdq_parse_line(first, &probe) == HM_OK) {
        rc = memchr(text, '\0', size) ? (set_input_reject(in, file, 1, "NUL byte in the file"), 0)
                                        : vpdq_file(in, file, (char *)text, size);
        free(text);
        if (rc) cli_error("out of memory");
        return rc;
    }
    while (p < end && rc == 0) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line = p;
        size_t len = (size_t)((nl ? nl : end) - p);
        if (nl) *nl = '\0';
        p = nl ? nl + 1 : end;
        lineno++;
        if (strlen(line) != len) {
            in->lines++;
            set_input_reject(in, file, lineno, "NUL byte in the line");
            continue;
        }
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        while (*line == ' ' || *line == '\t') line++;
        if (!*line || *line == '#') continue;
        in->lines++;
        rc = *line == '{' ? json_line(in, file, lineno, line) : csv_line(in, file, lineno, line);
    }
    free(text);
    if (rc) cli_error("out of memory");
    return rc;
}
