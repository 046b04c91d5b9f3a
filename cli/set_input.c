/* set_input.c - reading the inputs of `hashmatch set build`. */
#include "set_input.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "keyfile.h"
#include "set/set.h"

#define MAX_PRINTED 200 /* rejections printed in full; the rest are counted */

void set_input_reject(set_input *in, uint32_t file, uint32_t line, const char *fmt, ...)
{
    in->rejected++;
    if (in->printed++ >= MAX_PRINTED || cli_verbosity < 0) return;
    va_list ap;
    va_start(ap, fmt);
    char *name = cli_escape(in->files[file]); /* file names cannot forge lines */
    fprintf(stderr, "%s:%u: ", name ? name : "?", line);
    free(name);
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
        size_t cap = in->arena_cap ? 2 * in->arena_cap : 4096;
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
        size_t cap = in->cap ? 2 * in->cap : 256;
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
    char lower[16], esc[CLI_ESCAPE_SIZE];
    size_t i;
    for (i = 0; f->algo[i] && i + 1 < sizeof lower; i++) lower[i] = (char)tolower((unsigned char)f->algo[i]);
    lower[i] = '\0';
    if (f->algo[i] || hm_algo_from_name(lower, &algo) != HM_OK)
        return set_input_reject(in, file, line, "unknown algorithm '%s'",
                                cli_escape_into(f->algo, esc, sizeof esc)), 0;
    if (!(in->algos & HM_MASK(algo))) return in->skipped++, 0;
    size_t hs = hm_algo_hash_size(algo), len = strlen(f->hash);
    set_record *r = new_record(in);
    if (!r) return -1;
    if (len != 2 * hs)
        return set_input_reject(in, file, line, "%s hash has %zu hex digits, expected %zu",
                                lower, len, 2 * hs), 0;
    if (hm_hex_decode(f->hash, r->hash, hs) != HM_OK)
        return set_input_reject(in, file, line, "%s hash '%s' is not hexadecimal", lower,
                                cli_escape_into(f->hash, esc, sizeof esc)), 0;
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
            return set_input_reject(in, file, line, "category '%s' %s",
                                    cli_escape_into(cat, esc, sizeof esc), why), 0;
        r->category = (uint16_t)ci;
        uint64_t att = 1;
        if (f->attesters && *f->attesters && cli_parse_u64(f->attesters, 1, 65535, &att))
            return set_input_reject(in, file, line, "attester count '%s' is not 1..65535",
                                    cli_escape_into(f->attesters, esc, sizeof esc)), 0;
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

int set_input_csv_line(set_input *in, uint32_t file, uint32_t line, char *s)
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

#define MAX_MEMBERS 32 /* hash --json writes 14 at most */

typedef struct jfield {
    const char *key;  /* decoded, in the scratch space */
    char *str;        /* decoded string value, or NULL */
    const char *raw;  /* any value but a string, as written: raw_len bytes */
    size_t raw_len;
    long num;
    int is_num;       /* an integer in JSON's grammar that fits a long */
} jfield;

static const char *jspace(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    return p;
}

static void put_utf8(char **o, unsigned long cp)
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
}

/* Four hex digits at p; each is looked at only when the one before was a
 * digit, so a string ending early (at its NUL) is never read past. */
static const char *jhex4(const char *p, unsigned long *v)
{
    unsigned long x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return NULL;
        x = x * 16 + (unsigned long)d;
    }
    *v = x;
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

/* -?(0|[1-9][0-9]*), at most 18 digits (fits a long). */
static int json_integer(const char *s, size_t n)
{
    size_t i = s[0] == '-';
    if (i == n || n - i > 18 || (s[i] == '0' && n - i > 1)) return 0;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static const char *jvalue(const char *p, jfield *f, char **scratch)
{
    p = jspace(p);
    if (*p == '"') {
        f->str = *scratch;
        return jstring(p + 1, scratch);
    }
    const char *end = jskip(p);
    if (!end) return end;
    /* arrays and objects keep their text too (a video's "vpdq" array) */
    f->raw = p;
    f->raw_len = (size_t)(end - p);
    if (*p == '[' || *p == '{') return end;
    f->is_num = json_integer(p, f->raw_len);
    if (f->is_num) f->num = strtol(p, NULL, 10);
    return end;
}

/* Parses a flat JSON object into fs[0..MAX_MEMBERS); returns the count, or
 * -1 with *why set (and *dup, the key, when a key appears twice). */
static int jobject(const char *p, jfield *fs, char *scratch, const char **why, const char **dup)
{
    int n = 0;
    *why = "malformed JSON object";
    p = jspace(p);
    if (*p++ != '{') return -1;
    p = jspace(p);
    if (*p == '}') return *jspace(p + 1) ? -1 : 0;
    for (;;) {
        if (n == MAX_MEMBERS) return *why = "more than 32 members in one JSON object", -1;
        jfield *f = &fs[n];
        memset(f, 0, sizeof *f);
        p = jspace(p);
        f->key = scratch;
        if (*p != '"' || !(p = jstring(p + 1, &scratch))) return -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(fs[i].key, f->key)) return *dup = f->key, -1;
        p = jspace(p);
        if (*p++ != ':' || !(p = jvalue(p, f, &scratch))) return -1;
        n++;
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

/* pdq_quality as `hashmatch hash --json` writes it: an integer 0..100 in
 * digits. Anything else (10.0, "10", -5, 1e1, 101, null) is refused, so no
 * spelling of a low quality slips past --min-quality. Returns the quality,
 * -1 when absent, -2 when malformed. */
static long json_quality(const jfield *q)
{
    if (!q) return -1;
    if (!q->is_num || q->raw[0] == '-' || q->num > 100) return -2;
    return q->num;
}

static void quote_value(const jfield *f, char *out, size_t size)
{
    char raw[64];
    if (f->str) {
        char esc[CLI_ESCAPE_SIZE];
        snprintf(out, size, "\"%s\"", cli_escape_into(f->str, esc, sizeof esc));
        return;
    }
    snprintf(raw, sizeof raw, "%.*s", (int)(f->raw_len < 40 ? f->raw_len : 40), f->raw ? f->raw : "");
    cli_escape_into(raw, out, size);
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
/* A frame's quality, 0..100 in digits; -1 otherwise. */
static int frame_quality(const char *s, size_t n)
{
    if (!json_integer(s, n) || s[0] == '-') return -1;
    long q = strtol(s, NULL, 10);
    return q <= 100 ? (int)q : -1;
}

/* A frame's timestamp: a plain decimal number (digits, one point, an
 * exponent), finite and not negative. */
static int frame_seconds(const char *s, size_t n, double *out)
{
    char buf[48], *end;
    if (!n || n >= sizeof buf || strspn(s, "0123456789.eE+-") < n || s[0] == '-') return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    double v = strtod(buf, &end);
    if (end != buf + n || !isfinite(v) || v < 0) return -1;
    *out = v;
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
    char buf[256];
    const char *q = jskip(p);
    if (!q || (size_t)(q - p) >= sizeof buf) return -1;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    *pp = q;
    if (*p == '"') { /* "hex,quality,seconds", no escapes */
        char *c1 = strchr(buf + 1, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        size_t len = strlen(buf);
        if (!c2 || c1 != buf + 1 + 2 * HM_PDQ_BYTES || buf[len - 1] != '"') return -1;
        *c1 = '\0';
        if (hm_hex_decode(buf + 1, f->hash, HM_PDQ_BYTES) != HM_OK) return -1;
        f->quality = frame_quality(c1 + 1, (size_t)(c2 - c1 - 1));
        return f->quality < 0 ? -1 : frame_seconds(c2 + 1, len - 1 - (size_t)(c2 + 1 - buf),
                                                  &f->timestamp);
    }
    if (*p != '{') return -1;
    char scratch[sizeof buf];
    jfield fs[MAX_MEMBERS];
    const char *why, *dup = NULL;
    int n = jobject(buf, fs, scratch, &why, &dup);
    if (n < 0) return -1;
    const jfield *fr = jget(fs, n, "frame"), *qu = jget(fs, n, "quality"),
                 *ts = jget(fs, n, "timestamp");
    const char *hash = jstr(fs, n, "hash");
    if (!hash || !qu || !qu->raw || !ts || !ts->raw) return -1;
    if (hm_hex_decode(hash, f->hash, HM_PDQ_BYTES) != HM_OK) return -1;
    if ((f->quality = frame_quality(qu->raw, qu->raw_len)) < 0) return -1;
    if (fr) {
        if (!fr->is_num || fr->num < 0 || fr->num >= (long)HM_VPDQ_FRAME_UNKNOWN) return -1;
        f->frame = (uint32_t)fr->num;
    }
    return frame_seconds(ts->raw, ts->raw_len, &f->timestamp);
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

int set_input_json_line(set_input *in, uint32_t file, uint32_t line, const char *s)
{
    jfield fs[MAX_MEMBERS];
    const char *why, *dup = NULL;
    char *scratch = malloc(strlen(s) + 1);
    if (!scratch) return -1;
    int n = jobject(s, fs, scratch, &why, &dup), rc = 0;
    const jfield *q = n >= 0 ? jget(fs, n, "pdq_quality") : NULL;
    long quality = json_quality(q);
    char esc[CLI_ESCAPE_SIZE];
    if (dup) { /* readers disagree about which of two equal keys counts */
        set_input_reject(in, file, line, "key '%s' appears twice", cli_escape_into(dup, esc, sizeof esc));
    } else if (n < 0) {
        set_input_reject(in, file, line, "%s", why);
    } else if (jget(fs, n, "error")) {
        const char *msg = jstr(fs, n, "message");
        set_input_reject(in, file, line, "hashing failed: %s",
                         msg ? cli_escape_into(msg, esc, sizeof esc) : "(no message)");
    } else if (quality == -2) {
        quote_value(q, esc, sizeof esc);
        set_input_reject(in, file, line, "pdq_quality must be an integer 0..100, not %s", esc);
    } else {
        const jfield *att = jget(fs, n, "attesters");
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
                        quality};
            rc = add_entry(in, file, line, &f);
        }
        if (!any) set_input_reject(in, file, line, "no hash in this JSON object");
    }
    free(scratch);
    return rc;
}

/* ---- files ---- */

int set_input_add_file(set_input *in, const char *name)
{
    const char **files = realloc(in->files, (in->nfiles + 1) * sizeof *files);
    if (!files) return -1;
    in->files = files;
    in->files[in->nfiles] = name;
    return (int)in->nfiles++;
}

int set_input_parse(set_input *in, uint32_t file, char *text, size_t size)
{
    int rc = 0;
    uint32_t lineno = 0;
    char *p = text, *end = p + size;
    /* A file whose first line is a vPDQ line holds one video. */
    hm_vpdq_frame probe;
    char first[128];
    size_t fl = 0;
    while (fl < size && fl < sizeof first - 1 && p[fl] != '\n') first[fl] = p[fl], fl++;
    first[fl] = '\0';
    if (!in->allowlist && hm_vpdq_parse_line(first, &probe) == HM_OK) {
        if (memchr(text, '\0', size)) return set_input_reject(in, file, 1, "NUL byte in the file"), 0;
        return vpdq_file(in, file, text, size);
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
        int json = in->syntax == SET_INPUT_JSONL || (in->syntax == SET_INPUT_AUTO && *line == '{');
        rc = json ? set_input_json_line(in, file, lineno, line) : set_input_csv_line(in, file, lineno, line);
    }
    return rc;
}

int set_input_read(set_input *in, const char *path)
{
    int file = set_input_add_file(in, path);
    uint8_t *text;
    size_t size;
    if (file < 0) return -1;
    if (cli_read_all(path, &text, &size) != 0) {
        int e = errno;
        char *name = cli_escape(path); /* file names cannot forge lines */
        cli_error("%s: %s", name ? name : "?", strerror(e));
        free(name);
        return -1;
    }
    int rc = set_input_parse(in, (uint32_t)file, (char *)text, size);
    free(text);
    if (rc) cli_error("out of memory");
    return rc;
}
