/* cmd_set_inspect.c - `hashmatch set inspect` and `hashmatch set diff`: the
 * auditor's views of a set and of a new release. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_set.h"
#include "escape.h"

/* Parses the common options (--json, trust options, -q, -h). Returns 0 to go
 * on, or exit status + 1. */
static int parse_common(int argc, char **argv, const char *cmd, const char *help, cli_trust *t,
                        int *json)
{
    enum { O_JSON = 256 };
    static const struct option LONG[] = {{"json", no_argument, NULL, O_JSON},
                                         CLI_TRUST_LONG_OPTIONS,
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        if ((r = cli_trust_option(t, c, optarg, cmd)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE + 1;
            continue;
        }
        if (c == O_JSON) *json = 1;
        else if (c == 'q') cli_verbosity = 0;
        else if (c == 'h') return printf("%s%s", help, CLI_TRUST_HELP), CLI_EXIT_OK + 1;
        else return cli_usage_error(cmd, "invalid option") + 1;
    }
    if (cli_trust_finish(t, cmd, 0)) return CLI_EXIT_USAGE + 1;
    return 0;
}

static const char *sig_status_name(hm_sig_status s)
{
    return s == HM_SIG_VALID ? "valid" : s == HM_SIG_IGNORED ? "ignored (unknown key)" : "not checked";
}

/* counts[algo][category] */
static size_t *category_counts(const hm_set *s)
{
    size_t nc = hm_set_category_count(s);
    size_t *counts = calloc((HM_ALGO_COUNT + 1) * (nc ? nc : 1), sizeof *counts);
    if (!counts) return NULL;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *sec = hm_set_section_get(s, (hm_algo)a);
        for (size_t i = 0; sec && i < sec->entry_count; i++) {
            hm_set_entry e;
            if (hm_set_entry_get(s, (hm_algo)a, i, &e) == HM_OK) counts[a * nc + e.category]++;
        }
    }
    return counts;
}

/* ---- inspect: text ---- */

static void inspect_text(cli_buf *b, const char *path, const hm_set *s, const cli_trust *t,
                         const size_t *counts)
{
    char hex[2 * HM_SET_DIGEST_BYTES + 1], tm[CLI_TIME_SIZE];
    size_t nc = hm_set_category_count(s);
    cli_buf_puts(b, "file:           ");
    cli_buf_escaped(b, path);
    cli_buf_printf(b, " (%zu bytes, content %zu bytes)\n", hm_set_file_size(s),
                   hm_set_content_size(s));
    cli_buf_printf(b, "format:         hashmatch set version %d\n", HM_SET_FORMAT_VERSION);
    /* Text from the set and the trust files is printed escaped (escape.h). */
    cli_buf_puts(b, "name:           ");
    cli_buf_escaped(b, hm_set_name(s));
    cli_buf_puts(b, "\nissuer:         ");
    cli_buf_escaped(b, *hm_set_issuer(s) ? hm_set_issuer(s) : "(none)");
    cli_buf_putc(b, '\n');
    cli_buf_printf(b, "version:        %llu\n", (unsigned long long)hm_set_version(s));
    cli_format_time(hm_set_created(s), tm);
    cli_buf_printf(b, "created:        %s\n", tm);
    cli_format_time(hm_set_expires(s), tm);
    cli_buf_printf(b, "expires:        %s\n", tm);
    if (hm_set_previous_digest(s)) hm_hex_encode(hm_set_previous_digest(s), HM_SET_DIGEST_BYTES, hex);
    cli_buf_printf(b, "previous:       %s\n", hm_set_previous_digest(s) ? hex : "(none: first in its chain)");
    hm_hex_encode(hm_set_digest(s), HM_SET_DIGEST_BYTES, hex);
    cli_buf_printf(b, "content digest: %s\n", hex);
    if (hm_set_is_verified(s))
        cli_buf_printf(b, "verified:       yes (threshold %u of %zu trusted keys)\n",
                       t->opt.trust.threshold, t->key_count);
    else
        cli_buf_printf(b, "verified:       no (no trust options given: digest and structure only)\n");
    cli_buf_printf(b, "categories:     %zu\n\n", nc);
    cli_buf_printf(b, "%-8s %-8s %6s %12s %11s %9s %9s %9s\n", "algo", "variant", "radius",
                   "allow-radius", "min-quality", "entries", "active", "allowlist");
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *x = hm_set_section_get(s, (hm_algo)a);
        if (!x) continue;
        cli_buf_printf(b, "%-8s %-8s %6u %12u %11u %9zu %9zu %9zu\n", hm_algo_name((hm_algo)a),
                       cli_set_variant_name((hm_algo)a, x->variant), x->radius, x->allow_radius,
                       x->min_quality, x->entry_count, x->active_count, x->allow_count);
    }
    const hm_set_section *vs = hm_set_section_get(s, HM_ALGO_VPDQ);
    if (vs)
        cli_buf_printf(b, "\nvpdq: %zu videos, %zu frames; sampled every %u ms; frames match within "
                          "%u bits at quality >= %u; a video matches when >= %u.%02u%% of its "
                          "frames and >= %u.%02u%% of a listed video's match\n",
                       vs->entry_count, vs->frame_count, vs->variant, vs->radius, vs->min_quality,
                       vs->query_match_pct / 100, vs->query_match_pct % 100,
                       vs->compared_match_pct / 100, vs->compared_match_pct % 100);
    cli_buf_printf(b, "\nentries per category:\n%-20s", "category");
    for (int a = 1; a <= HM_ALGO_COUNT; a++)
        if (hm_set_section_get(s, (hm_algo)a)) cli_buf_printf(b, " %9s", hm_algo_name((hm_algo)a));
    cli_buf_putc(b, '\n');
    for (size_t c = 0; c < nc; c++) {
        char esc[CLI_ESCAPE_SIZE];
        cli_buf_printf(b, "%-20s", cli_escape_into(hm_set_category_name(s, c), esc, sizeof esc));
        for (int a = 1; a <= HM_ALGO_COUNT; a++)
            if (hm_set_section_get(s, (hm_algo)a)) cli_buf_printf(b, " %9zu", counts[a * nc + c]);
        cli_buf_putc(b, '\n');
    }
    cli_buf_printf(b, "\nsignatures:     %zu\n", hm_set_signature_count(s));
    for (size_t i = 0; i < hm_set_signature_count(s); i++) {
        const hm_set_signature *g = hm_set_signature_get(s, i);
        hm_hex_encode(g->key_id, HM_KEY_ID_BYTES, hex);
        cli_buf_printf(b, "  %zu  key id %s  %s", i, hex, sig_status_name(g->status));
        if (g->trusted_index >= 0) {
            cli_buf_puts(b, " (");
            cli_buf_escaped(b, cli_trust_key_name(t, (size_t)g->trusted_index));
            cli_buf_putc(b, ')');
        }
        cli_buf_putc(b, '\n');
    }
}

/* ---- inspect: JSON ---- */

static void json_u64(cli_buf *b, int *first, const char *k, uint64_t v)
{
    cli_buf_json_key(b, first, k);
    cli_buf_printf(b, "%llu", (unsigned long long)v);
}

static void json_time(cli_buf *b, int *first, const char *k, uint64_t v)
{
    char tm[CLI_TIME_SIZE];
    cli_format_time(v, tm);
    cli_buf_json_key(b, first, k);
    cli_buf_json_string(b, tm);
}

static void inspect_json_sections(cli_buf *b, const hm_set *s, const size_t *counts)
{
    size_t nc = hm_set_category_count(s);
    int firsts = 1;
    cli_buf_putc(b, '[');
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *x = hm_set_section_get(s, (hm_algo)a);
        if (!x) continue;
        int f = 1;
        cli_buf_puts(b, firsts ? "{" : ", {");
        firsts = 0;
        cli_buf_json_key(b, &f, "algo");
        cli_buf_json_string(b, hm_algo_name((hm_algo)a));
        cli_buf_json_key(b, &f, "variant");
        cli_buf_json_string(b, cli_set_variant_name((hm_algo)a, x->variant));
        json_u64(b, &f, "radius", x->radius);
        json_u64(b, &f, "allow_radius", x->allow_radius);
        json_u64(b, &f, "min_quality", x->min_quality);
        json_u64(b, &f, "entries", x->entry_count);
        json_u64(b, &f, "active", x->active_count);
        json_u64(b, &f, "allowlist", x->allow_count);
        if (a == HM_ALGO_VPDQ) {
            json_u64(b, &f, "frames", x->frame_count);
            json_u64(b, &f, "query_match_pct_hundredths", x->query_match_pct);
            json_u64(b, &f, "compared_match_pct_hundredths", x->compared_match_pct);
        }
        cli_buf_json_key(b, &f, "per_category");
        cli_buf_putc(b, '{');
        int fc = 1;
        for (size_t c = 0; c < nc; c++) json_u64(b, &fc, hm_set_category_name(s, c), counts[a * nc + c]);
        cli_buf_puts(b, "}}");
    }
    cli_buf_putc(b, ']');
}

static void inspect_json(cli_buf *b, const char *path, const hm_set *s, const cli_trust *t,
                         const size_t *counts)
{
    int f = 1;
    cli_buf_putc(b, '{');
    cli_buf_json_key(b, &f, "file");
    cli_buf_json_string(b, path);
    json_u64(b, &f, "file_size", hm_set_file_size(s));
    json_u64(b, &f, "content_size", hm_set_content_size(s));
    json_u64(b, &f, "format_version", HM_SET_FORMAT_VERSION);
    cli_buf_json_key(b, &f, "name");
    cli_buf_json_string(b, hm_set_name(s));
    cli_buf_json_key(b, &f, "issuer");
    cli_buf_json_string(b, hm_set_issuer(s));
    json_u64(b, &f, "version", hm_set_version(s));
    json_time(b, &f, "created", hm_set_created(s));
    json_time(b, &f, "expires", hm_set_expires(s));
    cli_buf_json_key(b, &f, "previous_digest");
    if (hm_set_previous_digest(s)) cli_buf_json_hex(b, hm_set_previous_digest(s), HM_SET_DIGEST_BYTES);
    else cli_buf_puts(b, "null");
    cli_buf_json_key(b, &f, "digest");
    cli_buf_json_hex(b, hm_set_digest(s), HM_SET_DIGEST_BYTES);
    cli_buf_json_key(b, &f, "verified");
    cli_buf_puts(b, hm_set_is_verified(s) ? "true" : "false");
    cli_buf_json_key(b, &f, "categories");
    cli_buf_putc(b, '[');
    for (size_t c = 0; c < hm_set_category_count(s); c++) {
        if (c) cli_buf_puts(b, ", ");
        cli_buf_json_string(b, hm_set_category_name(s, c));
    }
    cli_buf_putc(b, ']');
    cli_buf_json_key(b, &f, "sections");
    inspect_json_sections(b, s, counts);
    cli_buf_json_key(b, &f, "signatures");
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < hm_set_signature_count(s); i++) {
        const hm_set_signature *g = hm_set_signature_get(s, i);
        int fs = 1;
        cli_buf_puts(b, i ? ", {" : "{");
        cli_buf_json_key(b, &fs, "key_id");
        cli_buf_json_hex(b, g->key_id, HM_KEY_ID_BYTES);
        cli_buf_json_key(b, &fs, "status");
        cli_buf_json_string(b, g->status == HM_SIG_VALID     ? "valid"
                               : g->status == HM_SIG_IGNORED ? "ignored"
                                                             : "unchecked");
        if (g->trusted_index >= 0) {
            cli_buf_json_key(b, &fs, "key");
            cli_buf_json_string(b, cli_trust_key_name(t, (size_t)g->trusted_index));
        }
        cli_buf_putc(b, '}');
    }
    cli_buf_puts(b, "]}\n");
}

static const char INSPECT_HELP[] =
    "usage: hashmatch set inspect [--json] [trust options] FILE\n"
    "\n"
    "Prints the header, the match policy and counts per algorithm, the entries\n"
    "per category, the signatures (key ids) and the content digest. Without\n"
    "trust options only the digest and the structure are checked; with them the\n"
    "set is verified as by 'set verify' and each signature's status is shown.\n"
    "\n"
    "options:\n"
    "  --json                one JSON object instead of text\n";

int cmd_set_inspect(int argc, char **argv)
{
    cli_trust t;
    cli_trust_init(&t);
    int json = 0, rc = parse_common(argc, argv, "set inspect", INSPECT_HELP, &t, &json);
    if (rc) return cli_trust_free(&t), rc - 1;
    if (optind + 1 != argc) return cli_trust_free(&t), cli_usage_error("set inspect", "give exactly one FILE");
    hm_set *s = NULL;
    rc = cli_set_open("inspect", argv[optind], &t, &s);
    size_t *counts = rc ? NULL : category_counts(s);
    if (!rc && !counts) rc = CLI_EXIT_ERROR;
    if (!rc) {
        cli_buf b;
        cli_buf_init(&b);
        if (json) inspect_json(&b, argv[optind], s, &t, counts);
        else inspect_text(&b, argv[optind], s, &t, counts);
        if (b.oom || cli_buf_write(&b, stdout)) rc = CLI_EXIT_ERROR;
        cli_buf_free(&b);
    }
    free(counts);
    hm_set_free(s);
    cli_trust_free(&t);
    return rc;
}

/* ---- diff ---- */

typedef struct diff_ctx {
    const hm_set *old, *new_;
    int json;
    cli_buf out;
    size_t added, removed, changed, allow_added, allow_removed, other;
} diff_ctx;

static void flush(diff_ctx *d)
{
    if (d->out.len > (1 << 16)) {
        cli_buf_write(&d->out, stdout);
        cli_buf_reset(&d->out);
    }
}

static void entry_json(cli_buf *b, int *f, const hm_set_entry *e)
{
    cli_buf_json_key(b, f, "category");
    cli_buf_json_string(b, e->category_name);
    json_u64(b, f, "attesters", e->attesters);
    cli_buf_json_key(b, f, "external_id");
    cli_buf_json_string(b, e->external_id);
}

/* s as JSON mode prints it (escaped later by the JSON writer), or escaped
 * for text mode into buf. */
static const char *txt(const diff_ctx *d, const char *s, char buf[CLI_ESCAPE_SIZE])
{
    return d->json ? s : cli_escape_into(s, buf, CLI_ESCAPE_SIZE);
}

static void emit_entry(diff_ctx *d, char sign, hm_algo a, const hm_set_entry *e, size_t hs)
{
    char hex[HM_MAX_HEX_SIZE], c[CLI_ESCAPE_SIZE], x[CLI_ESCAPE_SIZE];
    hm_hex_encode(e->hash, hs, hex);
    if (!d->json) {
        cli_buf_printf(&d->out, "%c %s %s %s attesters=%u", sign, hm_algo_name(a), hex,
                       txt(d, e->category_name, c), e->attesters);
        if (*e->external_id) cli_buf_printf(&d->out, " id=%s", txt(d, e->external_id, x));
        cli_buf_putc(&d->out, '\n');
    } else {
        int f = 1;
        cli_buf_putc(&d->out, '{');
        cli_buf_json_key(&d->out, &f, "change");
        cli_buf_json_string(&d->out, sign == '+' ? "added" : "removed");
        cli_buf_json_key(&d->out, &f, "algo");
        cli_buf_json_string(&d->out, hm_algo_name(a));
        cli_buf_json_key(&d->out, &f, "hash");
        cli_buf_json_string(&d->out, hex);
        entry_json(&d->out, &f, e);
        cli_buf_puts(&d->out, "}\n");
    }
    flush(d);
}

static void emit_changed(diff_ctx *d, hm_algo a, const hm_set_entry *o, const hm_set_entry *n,
                         size_t hs)
{
    char hex[HM_MAX_HEX_SIZE], x[CLI_ESCAPE_SIZE], y[CLI_ESCAPE_SIZE];
    hm_hex_encode(o->hash, hs, hex);
    if (!d->json) {
        cli_buf_printf(&d->out, "~ %s %s", hm_algo_name(a), hex);
        if (strcmp(o->category_name, n->category_name))
            cli_buf_printf(&d->out, " category %s -> %s", txt(d, o->category_name, x),
                           txt(d, n->category_name, y));
        if (o->attesters != n->attesters)
            cli_buf_printf(&d->out, " attesters %u -> %u", o->attesters, n->attesters);
        if (strcmp(o->external_id, n->external_id))
            cli_buf_printf(&d->out, " id \"%s\" -> \"%s\"", txt(d, o->external_id, x),
                           txt(d, n->external_id, y));
        cli_buf_putc(&d->out, '\n');
    } else {
        int f = 1, fo = 1, fn = 1;
        cli_buf_puts(&d->out, "{\"change\": \"changed\"");
        f = 0;
        cli_buf_json_key(&d->out, &f, "algo");
        cli_buf_json_string(&d->out, hm_algo_name(a));
        cli_buf_json_key(&d->out, &f, "hash");
        cli_buf_json_string(&d->out, hex);
        cli_buf_json_key(&d->out, &f, "old");
        cli_buf_putc(&d->out, '{');
        entry_json(&d->out, &fo, o);
        cli_buf_puts(&d->out, "}, \"new\": {");
        entry_json(&d->out, &fn, n);
        cli_buf_puts(&d->out, "}}\n");
    }
    flush(d);
}

/* A video's frames as the format orders them: each frame's hash, then its
 * record (frame number, milliseconds, quality, little-endian). */
static int video_cmp(const hm_set *x, size_t i, const hm_set *y, size_t j)
{
    size_t nx = hm_set_video_frame_count(x, i), ny = hm_set_video_frame_count(y, j);
    for (size_t k = 0; k < nx && k < ny; k++) {
        hm_set_video_frame a, b;
        if (hm_set_video_frame_get(x, i, k, &a) || hm_set_video_frame_get(y, j, k, &b)) return 0;
        int c = memcmp(a.hash, b.hash, HM_PDQ_BYTES);
        if (c) return c;
        uint8_t ra[10], rb[10];
        uint32_t va[3] = {a.frame, a.timestamp_ms, a.quality}, vb[3] = {b.frame, b.timestamp_ms, b.quality};
        for (int w = 0; w < 10; w++) {
            ra[w] = (uint8_t)(va[w / 4] >> (8 * (w % 4)));
            rb[w] = (uint8_t)(vb[w / 4] >> (8 * (w % 4)));
        }
        if ((c = memcmp(ra, rb, sizeof ra))) return c;
    }
    return (nx > ny) - (nx < ny);
}

static void diff_entries(diff_ctx *d, hm_algo a)
{
    const hm_set_section *so = hm_set_section_get(d->old, a), *sn = hm_set_section_get(d->new_, a);
    size_t no = so ? so->entry_count : 0, nn = sn ? sn->entry_count : 0, i = 0, j = 0;
    size_t hs = hm_algo_hash_size(a);
    hm_set_entry eo, en;
    while (i < no || j < nn) {
        int c = i >= no ? 1 : j >= nn ? -1 : 0;
        if (i < no && hm_set_entry_get(d->old, a, i, &eo) != HM_OK) return;
        if (j < nn && hm_set_entry_get(d->new_, a, j, &en) != HM_OK) return;
        if (c == 0) c = a == HM_ALGO_VPDQ ? video_cmp(d->old, i, d->new_, j) : memcmp(eo.hash, en.hash, hs);
        if (c < 0) emit_entry(d, '-', a, &eo, hs), d->removed++, i++;
        else if (c > 0) emit_entry(d, '+', a, &en, hs), d->added++, j++;
        else {
            if (strcmp(eo.category_name, en.category_name) || eo.attesters != en.attesters ||
                strcmp(eo.external_id, en.external_id))
                emit_changed(d, a, &eo, &en, hs), d->changed++;
            i++, j++;
        }
    }
}

static void emit_allow(diff_ctx *d, const char *what, hm_algo a, const uint8_t *h)
{
    char hex[HM_MAX_HEX_SIZE];
    hm_hex_encode(h, hm_algo_hash_size(a), hex);
    if (d->json)
        cli_buf_printf(&d->out, "{\"change\": \"%s\", \"algo\": \"%s\", \"hash\": \"%s\"}\n",
                       what, hm_algo_name(a), hex);
    else
        cli_buf_printf(&d->out, "%s %s %s\n", strcmp(what, "allow_added") ? "-allow" : "+allow",
                       hm_algo_name(a), hex);
    flush(d);
}

static void diff_allow(diff_ctx *d, hm_algo a)
{
    size_t hs = hm_algo_hash_size(a), i = 0, j = 0;
    const uint8_t *x, *y;
    for (;;) {
        x = hm_set_allow_get(d->old, a, i);
        y = hm_set_allow_get(d->new_, a, j);
        if (!x && !y) break;
        int c = !x ? 1 : !y ? -1 : memcmp(x, y, hs);
        if (c < 0) emit_allow(d, "allow_removed", a, x), d->allow_removed++, i++;
        else if (c > 0) emit_allow(d, "allow_added", a, y), d->allow_added++, j++;
        else i++, j++;
    }
}

static void note(diff_ctx *d, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(diff_ctx *d, const char *kind, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d->json) {
        int f = 1;
        cli_buf_putc(&d->out, '{');
        cli_buf_json_key(&d->out, &f, "change");
        cli_buf_json_string(&d->out, kind);
        cli_buf_json_key(&d->out, &f, "message");
        cli_buf_json_string(&d->out, msg);
        cli_buf_puts(&d->out, "}\n");
    } else {
        cli_buf_printf(&d->out, "%s: %s\n", kind, msg);
    }
}

static void diff_policies(diff_ctx *d)
{
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *o = hm_set_section_get(d->old, (hm_algo)a);
        const hm_set_section *n = hm_set_section_get(d->new_, (hm_algo)a);
        const char *name = hm_algo_name((hm_algo)a);
        if (!o && !n) continue;
        if (!o || !n) {
            note(d, "policy", "%s section %s", name, o ? "removed" : "added");
            d->other++;
            continue;
        }
        static const char *const F[] = {"variant", "radius", "allow_radius", "min_quality"};
        unsigned ov[] = {o->variant, o->radius, o->allow_radius, o->min_quality};
        unsigned nv[] = {n->variant, n->radius, n->allow_radius, n->min_quality};
        for (int k = 0; k < 4; k++)
            if (ov[k] != nv[k]) note(d, "policy", "%s %s %u -> %u", name, F[k], ov[k], nv[k]), d->other++;
    }
}

static int has_category(const hm_set *s, const char *name)
{
    for (size_t i = 0; i < hm_set_category_count(s); i++)
        if (!strcmp(hm_set_category_name(s, i), name)) return 1;
    return 0;
}

static void diff_header(diff_ctx *d)
{
    const hm_set *o = d->old, *n = d->new_;
    const uint8_t *prev = hm_set_previous_digest(n);
    char a[CLI_TIME_SIZE], b[CLI_TIME_SIZE];
    if (prev && !memcmp(prev, hm_set_digest(o), HM_SET_DIGEST_BYTES))
        note(d, "chain", "the new set names the old one as its previous version");
    else
        note(d, "chain", "WARNING: the new set does not name the old one as its previous version (%s)",
             prev ? "it names another digest" : "it names none");
    note(d, "version", "%llu -> %llu%s", (unsigned long long)hm_set_version(o),
         (unsigned long long)hm_set_version(n),
         hm_set_version(n) > hm_set_version(o) ? "" : " (WARNING: does not increase)");
    char x[CLI_ESCAPE_SIZE], y[CLI_ESCAPE_SIZE];
    if (strcmp(hm_set_name(o), hm_set_name(n)))
        note(d, "name", "%s -> %s", txt(d, hm_set_name(o), x), txt(d, hm_set_name(n), y)), d->other++;
    if (strcmp(hm_set_issuer(o), hm_set_issuer(n)))
        note(d, "issuer", "%s -> %s", txt(d, hm_set_issuer(o), x), txt(d, hm_set_issuer(n), y)),
            d->other++;
    cli_format_time(hm_set_expires(o), a);
    cli_format_time(hm_set_expires(n), b);
    note(d, "expires", "%s -> %s", a, b);
    for (size_t i = 0; i < hm_set_category_count(n); i++)
        if (!has_category(o, hm_set_category_name(n, i)))
            note(d, "category", "added %s", txt(d, hm_set_category_name(n, i), x)), d->other++;
    for (size_t i = 0; i < hm_set_category_count(o); i++)
        if (!has_category(n, hm_set_category_name(o, i)))
            note(d, "category", "removed %s", txt(d, hm_set_category_name(o, i), x)), d->other++;
    diff_policies(d);
}

static void diff_summary(diff_ctx *d)
{
    note(d, "summary", "%zu added, %zu removed, %zu changed; allowlist %zu added, %zu removed",
         d->added, d->removed, d->changed, d->allow_added, d->allow_removed);
}

static const char DIFF_HELP[] =
    "usage: hashmatch set diff [--json] [trust options] OLD NEW\n"
    "\n"
    "The audit view of a new release: header and policy changes, whether NEW names\n"
    "OLD's content digest as its previous version (the hash chain), then every entry\n"
    "added (+), removed (-) or changed (~ category, attesters, external id), and\n"
    "allowlist changes (+allow, -allow). Categories are compared by name. With trust\n"
    "options both sets are verified first.\n"
    "Exit status: 0 when the contents are identical, 1 when they differ, 2 on errors.\n"
    "\n"
    "options:\n"
    "  --json                JSON lines, one per change, each with a \"change\" key\n";

int cmd_set_diff(int argc, char **argv)
{
    cli_trust t;
    cli_trust_init(&t);
    int json = 0, rc = parse_common(argc, argv, "set diff", DIFF_HELP, &t, &json);
    if (rc) return cli_trust_free(&t), rc - 1;
    if (optind + 2 != argc) return cli_trust_free(&t), cli_usage_error("set diff", "give OLD and NEW");
    hm_set *o = NULL, *n = NULL;
    rc = cli_set_open("diff", argv[optind], &t, &o);
    if (!rc) rc = cli_set_open("diff", argv[optind + 1], &t, &n);
    if (!rc) {
        diff_ctx d;
        memset(&d, 0, sizeof d);
        d.old = o;
        d.new_ = n;
        d.json = json;
        cli_buf_init(&d.out);
        diff_header(&d);
        for (int a = 1; a <= HM_ALGO_COUNT; a++) {
            diff_entries(&d, (hm_algo)a);
            diff_allow(&d, (hm_algo)a);
        }
        diff_summary(&d);
        if (d.out.oom || cli_buf_write(&d.out, stdout)) rc = CLI_EXIT_ERROR;
        else rc = memcmp(hm_set_digest(o), hm_set_digest(n), HM_SET_DIGEST_BYTES) ? 1 : 0;
        cli_buf_free(&d.out);
    }
    hm_set_free(o);
    hm_set_free(n);
    cli_trust_free(&t);
    return rc;
}
