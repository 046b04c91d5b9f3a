/* cmd_set_build.c - `hashmatch set build`: validate hash lists, sort and
 * de-duplicate them, and write an unsigned set. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_set.h"
#include "keyfile.h"
#include "set_input.h"
#include "set_lists.h"
#include "set/set.h"
#include "trust_opts.h"

static const char HELP[] =
    "usage: hashmatch set build --out FILE --name NAME --version V [options]\n"
    "                           [--format FMT] [--source NAME] INPUT...\n"
    "\n"
    "Builds an unsigned fingerprint set from hash lists. By default each INPUT ('-'\n"
    "for stdin) holds lines of either kind (blank lines and lines starting with #\n"
    "are skipped):\n"
    "  algo,hash[,category][,attesters][,external_id]   CSV, or the same with tabs;\n"
    "      the external id is the rest of the line; a line 'algo,hash,...' is a header\n"
    "  {\"path\": ..., \"pdq\": \"<hex>\", \"pdq_quality\": 97, \"md5\": ...}\n"
    "      the JSON lines of 'hashmatch hash --json': one entry per hash in the line;\n"
    "      optional keys \"category\", \"attesters\", \"external_id\"; a \"vpdq\" array\n"
    "      of {frame, quality, hash, timestamp} (or of python-threatexchange's\n"
    "      \"hash,quality,seconds\" strings) is one video\n"
    "  FRAME,QUALITY,HASH,SECONDS on every line: a file of vpdq-hash-video (or\n"
    "      'hashmatch hash --vpdq-dir') is one video, its external id the file\n"
    "      name without its extension, its category the default one\n"
    "Every hash is validated. Refused: malformed or wrong-length hex, unknown\n"
    "algorithms, the all-zero PDQ hash, PDQ hashes whose quality (when the line\n"
    "says) is below --min-quality, categories outside --categories, attester\n"
    "counts outside 1..65535, and a repeated hash whose category or external id\n"
    "contradicts its first line. Each refusal is printed as FILE:LINE: reason.\n"
    "Repeated hashes that agree are merged: the larger attester count is kept\n"
    "(counts are never added up: two lines may come from one organisation).\n"
    "\n"
    "--format FMT reads the INPUTs after it in another format (docs/LISTS.md):\n"
    "  csv, jsonl       only CSV/TSV lines, or only JSON lines, of the kinds above\n"
    "  auto             either kind per line (the default)\n"
    "  ncmec-xml        NCMEC hash-sharing XML (entries, deletions; md5, sha1,\n"
    "                   sha256, pdq)\n"
    "  stopncii-json    StopNCII FetchHashes JSON (ImagePDQ, VideoMD5)\n"
    "  tat-json         Tech Against Terrorism hash list v2 JSON (MD5, SHA256, PDQ)\n"
    "  tx-text          python-threatexchange text: lines 'TYPE VALUE' (pdq,\n"
    "                   video_md5, video_sha256)\n"
    "Files of these four are replayed in the order given, records in document\n"
    "order: a later record replaces an earlier one with the same key, deletions\n"
    "remove it. A file with one malformed record is rejected whole. A hash that\n"
    "several live records carry gets one attester per distinct source (NCMEC:\n"
    "the member; otherwise --source). Values of other types (PhotoDNA, TMK, ...)\n"
    "are counted in the summary, never imported.\n"
    "\n"
    "options:\n"
    "  --out FILE             the set to write (replaced atomically)\n"
    "  --name NAME            set name (required)\n"
    "  --version V            set version, >= 1, larger than --previous's (required)\n"
    "  --issuer TEXT          who publishes the set\n"
    "  --created TIME         creation time (default: now)\n"
    "  --expires TIME         expiry time, or +Nd / +Nh after --created\n"
    "                         (default: +90d); TIME is ISO 8601 UTC or @SECONDS\n"
    "  --categories LIST      the closed comma list of categories (default: those\n"
    "                         found in the input, in order of appearance)\n"
    "  --default-category C   category of lines without one (default: the first of\n"
    "                         --categories, or 'unspecified')\n"
    "  --algo LIST            keep only these algorithms (default: all)\n"
    "  --radius LIST          Hamming radius per algorithm, e.g. pdq=31,phash=8\n"
    "                         (defaults: pdq 31, ahash/dhash/phash/whash 10,\n"
    "                         md5/sha1/sha256 0 = exact); a warning says when\n"
    "                         clients with the default limits would refuse it\n"
    "  --allow-radius LIST    radius around allowlist hashes (default: --radius)\n"
    "  --min-quality N        PDQ minimum quality, 0..100 (default 50): stored as\n"
    "                         the set's policy and applied to the input\n"
    "  --pdq-mode MODE        how the PDQ hashes were made: fullres (default) or cli512\n"
    "  --vpdq-seconds S       the interval the videos were sampled at (0..60, default\n"
    "                         0: every frame); scanners sample queries the same way\n"
    "  --vpdq-min-quality N   frames of lower quality take no part in matching (50)\n"
    "  --vpdq-query-pct P     a video matches when at least P %% of its frames match\n"
    "                         a listed video's (default 80; up to 2 decimals) ...\n"
    "  --vpdq-compared-pct P  ... and P %% of the listed video's frames match (0)\n"
    "                         (--radius vpdq=N: the frame distance, default 31)\n"
    "  --allow FILE           allowlist (known false positives): lines algo,hash or\n"
    "                         JSON lines; repeatable\n"
    "  --previous FILE        the previous release: its content digest is recorded\n"
    "                         (hash chain) and --version must exceed its version\n"
    "  --format FMT           the format of the INPUTs that follow (see above)\n"
    "  --source NAME          the organisation that attests the list INPUTs that\n"
    "                         follow (default: stopncii, tat, tx; NCMEC names\n"
    "                         each record's member)\n"
    "  --category-map FILE    publisher classifications to categories: lines\n"
    "                         'FORMAT CLASSIFICATION CATEGORY' ('*': any other,\n"
    "                         '-': none); an unmapped classification rejects its\n"
    "                         file (docs/LISTS.md)\n"
    "  --skip-invalid         leave refused lines and rejected list files out and\n"
    "                         write the set anyway (default: any refusal writes\n"
    "                         nothing)\n"
    "  -q, --quiet            print only errors\n"
    "\n"
    "Exit status: 0 when the set was written, 2 otherwise.\n";

/* One INPUT and how to read it. */
typedef struct build_input {
    const char *path, *source;
    int syntax;           /* SET_INPUT_AUTO, _CSV, _JSONL when list == 0 */
    hm__list_format list; /* a list format, or 0 */
} build_input;

typedef struct build_opts {
    const char *out, *name, *issuer, *previous, *categories, *default_category, *category_map;
    build_input *inputs;
    size_t ninputs;
    build_input next; /* the format and source of the INPUTs that follow */
    uint64_t version, created, expires;
    const char *expires_text;
    uint32_t algos;
    int skip_invalid;
    hm_set_policy policy[HM_ALGO_COUNT + 1];
    int allow_radius_given[HM_ALGO_COUNT + 1];
    const char **allow;
    size_t nallow;
} build_opts;

/* "pdq=31,phash=8": sets radius (or allow_radius) of the named algorithms. */
static int parse_radius(build_opts *o, const char *list, int allow)
{
    char *copy = strdup(list), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        hm_algo a;
        uint64_t v;
        if (!eq) {
            rc = -1;
            break;
        }
        *eq = '\0';
        if (hm_algo_from_name(tok, &a) != HM_OK ||
            cli_parse_u64(eq + 1, 0, hm_algo_is_perceptual(a) ? hm_algo_hash_size(a) * 8 : 0, &v))
            rc = -1;
        else if (allow)
            o->policy[a].allow_radius = (unsigned)v, o->allow_radius_given[a] = 1;
        else
            o->policy[a].radius = (unsigned)v;
    }
    free(copy);
    return rc;
}

/* "80", "33.33": hundredths of a percent, 0..10000, exactly. */
static int parse_pct(const char *s, unsigned *out)
{
    unsigned v = 0, frac = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((v = v * 10 + (unsigned)(*p - '0')) > 100) return -1;
    if (*p == '.') {
        p++;
        for (int k = 0; k < 2; k++) {
            frac *= 10;
            if (*p >= '0' && *p <= '9') frac += (unsigned)(*p++ - '0');
            else if (k == 0) return -1;
        }
    }
    if (*p || v * 100 + frac > 10000) return -1;
    *out = v * 100 + frac;
    return 0;
}

static int setup_builder(const build_opts *o, hm_set_builder *b, set_input *in)
{
    hm_error err;
    if (hm_set_builder_set_name(b, o->name, &err) != HM_OK ||
        (o->issuer && hm_set_builder_set_issuer(b, o->issuer, &err) != HM_OK)) {
        cli_error("%s", err.message);
        return -1;
    }
    hm_set_builder_set_version(b, o->version);
    hm_set_builder_set_times(b, o->created, o->expires);
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        hm_set_policy p = o->policy[a];
        if (!o->allow_radius_given[a]) p.allow_radius = p.radius;
        if (hm_set_builder_set_policy(b, (hm_algo)a, &p, &err) != HM_OK) {
            cli_error("%s", err.message);
            return -1;
        }
    }
    if (!o->categories) return 0;
    char *copy = strdup(o->categories), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        const char *why;
        unsigned idx;
        if (set_input_category(in, tok, &idx, &why)) {
            cli_error("--categories: '%s' %s", tok, why);
            rc = -1;
        }
    }
    free(copy);
    in->categories_closed = 1;
    return rc;
}

static int set_previous(const build_opts *o, hm_set_builder *b)
{
    hm_set *prev;
    hm_error err;
    if (hm_set_open_file_unverified(o->previous, &prev, &err) != HM_OK) {
        cli_error("--previous %s: %s", o->previous, err.message);
        return -1;
    }
    int rc = 0;
    if (o->version <= hm_set_version(prev)) {
        cli_error("--version %llu must be greater than the previous set's version %llu",
                  (unsigned long long)o->version, (unsigned long long)hm_set_version(prev));
        rc = -1;
    } else {
        hm_set_builder_set_previous(b, hm_set_digest(prev));
        if (strcmp(hm_set_name(prev), o->name))
            cli_warn("the previous set is named '%s', this one '%s'", hm_set_name(prev), o->name);
    }
    hm_set_free(prev);
    return rc;
}

static int cmp_record(const void *pa, const void *pb)
{
    const set_record *a = pa, *b = pb;
    if (a->algo != b->algo) return a->algo < b->algo ? -1 : 1;
    int c = memcmp(a->hash, b->hash, hm_algo_hash_size((hm_algo)a->algo));
    if (c) return c;
    if (a->file != b->file) return a->file < b->file ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorts the records and refuses a repeated hash that contradicts the first
 * line that listed it. Returns the number of merged (agreeing) repeats. */
static size_t check_duplicates(set_input *in)
{
    size_t merged = 0;
    if (in->nrec > 1) qsort(in->recs, in->nrec, sizeof *in->recs, cmp_record); /* recs may be NULL */
    size_t first = 0, ext_from = 0; /* the group's first line, and the first with an id */
    for (size_t i = 1; i < in->nrec; i++) {
        set_record *f = &in->recs[first], *r = &in->recs[i];
        if (r->algo != f->algo || memcmp(r->hash, f->hash, hm_algo_hash_size((hm_algo)r->algo))) {
            first = ext_from = i;
            continue;
        }
        const set_record *x = &in->recs[ext_from];
        const char *fx = set_input_ext(in, x), *rx = set_input_ext(in, r);
        if (r->category != f->category) {
            set_input_reject(in, r->file, r->line, "repeats %s:%u with another category (%s, "
                             "not %s)", in->files[f->file], f->line, in->cats[r->category],
                             in->cats[f->category]);
            r->rejected = 1;
        } else if (*fx && *rx && strcmp(fx, rx)) {
            set_input_reject(in, r->file, r->line, "repeats %s:%u with another external id "
                             "(%s, not %s)", in->files[x->file], x->line, rx, fx);
            r->rejected = 1;
        } else {
            if (!*fx && *rx) ext_from = i;
            merged++;
        }
    }
    return merged;
}

static int feed_videos(set_input *in, hm_set_builder *b)
{
    hm_error err;
    for (size_t i = 0; i < in->nvideos; i++) {
        const set_video *v = &in->videos[i];
        const char *ext = v->ext ? in->arena + v->ext - 1 : "";
        if (hm_set_builder_add_video(b, v->frames, v->count, v->category, v->attesters, ext,
                                     &err) != HM_OK) {
            cli_error("%s:%u: %s", in->files[v->file], v->line, err.message);
            return -1;
        }
    }
    return 0;
}

static int feed_builder(set_input *in, set_input *allow, hm_set_builder *b)
{
    hm_error err;
    if (feed_videos(in, b)) return -1;
    for (size_t i = 0; i < in->nrec; i++) {
        const set_record *r = &in->recs[i];
        if (r->rejected) continue;
        if (hm_set_builder_add(b, (hm_algo)r->algo, r->hash, r->category, r->attesters,
                               set_input_ext(in, r), &err) != HM_OK) {
            char *name = cli_escape(in->files[r->file]);
            cli_error("%s:%u: %s", name ? name : "?", r->line, err.message);
            free(name);
            return -1;
        }
    }
    for (size_t i = 0; i < allow->nrec; i++)
        if (hm_set_builder_allow(b, (hm_algo)allow->recs[i].algo, allow->recs[i].hash, &err)) {
            cli_error("%s", err.message);
            return -1;
        }
    return 0;
}

static void print_summary(const build_opts *o, const uint8_t *data, size_t size)
{
    hm_set *s;
    if (cli_verbosity < 1 || hm_set_open_unverified(data, size, &s, NULL) != HM_OK) return;
    printf("wrote %s (%zu bytes): ", o->out, size);
    size_t allow = 0;
    const char *sep = "";
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *sec = hm_set_section_get(s, (hm_algo)a);
        if (!sec) continue;
        printf("%s%s %zu", sep, hm_algo_name((hm_algo)a), sec->entry_count);
        allow += sec->allow_count;
        sep = ", ";
    }
    printf("%s%zu allowlist hashes, %zu categories\n", *sep ? "; " : "", allow,
           hm_set_category_count(s));
    char hex[2 * HM_SET_DIGEST_BYTES + 1];
    hm_hex_encode(hm_set_digest(s), HM_SET_DIGEST_BYTES, hex);
    printf("content digest: %s\nunsigned: add signatures with 'hashmatch set sign --key KEY %s'\n",
           hex, o->out);
    hm_set_free(s);
}

/* Warns about each policy a client with the default limits refuses
 * (docs/TRUST.md): the set is written, but it is a mistake or needs every
 * client to opt in. */
static void warn_policy(const uint8_t *data, size_t size)
{
    hm_set *s;
    hm_policy_limits l;
    if (hm_set_open_unverified(data, size, &s, NULL) != HM_OK) return;
    hm_policy_limits_default(&l);
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *x = hm_set_section_get(s, (hm_algo)a);
        const char *n = hm_algo_name((hm_algo)a);
        unsigned max = l.max_radius[a], floor = l.min_quality_floor[a];
        if (!x || !hm_algo_is_perceptual((hm_algo)a)) continue;
        if (x->radius > max || x->allow_radius > max)
            cli_warn("%s radius %u, allowlist radius %u: clients with the default limits refuse "
                     "radii above %u (they must be given --max-radius %s=%u)",
                     n, x->radius, x->allow_radius, max, n,
                     x->radius > x->allow_radius ? x->radius : x->allow_radius);
        if (x->min_quality < floor)
            cli_warn("%s minimum quality %u: clients with the default limits refuse a minimum "
                     "below %u (they must be given --min-quality-floor %u)",
                     n, x->min_quality, floor, x->min_quality);
    }
    hm_set_free(s);
}

/* Reads every INPUT in order: lines into `in`, list files into `sl`. */
static int read_inputs(const build_opts *o, set_input *in, set_lists *sl, size_t *line_inputs)
{
    *line_inputs = 0;
    for (size_t i = 0; i < o->ninputs; i++) {
        const build_input *x = &o->inputs[i];
        if (x->list) {
            if (set_lists_read(sl, x->list, x->source, x->path)) return -1;
            continue;
        }
        in->syntax = x->syntax;
        (*line_inputs)++;
        if (set_input_read(in, x->path)) return -1;
    }
    return 0;
}

/* Prints what was read; returns -1 when refusals mean nothing is written. */
static int report_inputs(const build_opts *o, set_input *in, set_input *allow,
                         const set_lists *sl, size_t line_inputs)
{
    size_t merged = check_duplicates(in), contradicting = 0;
    for (size_t i = 0; i < in->nrec; i++) contradicting += in->recs[i].rejected;
    if (in->printed + allow->printed > 200)
        cli_error("... %zu more refusals not shown", in->printed + allow->printed - 200);
    if (cli_verbosity > 0 && (line_inputs || o->nallow))
        printf("read %zu lines: %zu hashes, %zu video%s, %zu repeats merged, %zu refused, %zu of "
               "other algorithms skipped; allowlist: %zu hashes, %zu refused\n",
               in->lines, in->nrec - merged - contradicting, in->nvideos,
               in->nvideos == 1 ? "" : "s", merged, in->rejected, in->skipped, allow->nrec,
               allow->rejected);
    fflush(stdout);
    if (o->skip_invalid || (!in->rejected && !allow->rejected && !sl->rejected_files)) return 0;
    if (in->rejected || allow->rejected)
        cli_error("%zu lines refused: nothing written (fix them, or leave them out with "
                  "--skip-invalid)", in->rejected + allow->rejected);
    if (sl->rejected_files)
        cli_error("%zu list file%s rejected: nothing written (fix, or leave out with "
                  "--skip-invalid)", sl->rejected_files, sl->rejected_files == 1 ? "" : "s");
    return -1;
}

static int build(build_opts *o)
{
    hm_set_builder *b = NULL;
    set_input in, allow;
    set_lists sl;
    memset(&in, 0, sizeof in);
    memset(&allow, 0, sizeof allow);
    memset(&sl, 0, sizeof sl);
    int rc = CLI_EXIT_ERROR;
    uint8_t *data = NULL;
    size_t size = 0, line_inputs;
    hm_error err;
    if (hm_set_builder_new(&b) != HM_OK) goto done;
    in.builder = allow.builder = b;
    in.algos = allow.algos = o->algos;
    in.min_quality = o->policy[HM_ALGO_PDQ].min_quality;
    allow.allowlist = 1;
    if (setup_builder(o, b, &in) || (o->previous && set_previous(o, b))) goto done;
    in.default_category = o->default_category ? o->default_category
                          : in.ncat                 ? in.cats[0]
                                                    : "unspecified";
    if (set_lists_init(&sl, o->category_map, &in) || read_inputs(o, &in, &sl, &line_inputs))
        goto done;
    for (size_t i = 0; i < o->nallow; i++)
        if (set_input_read(&allow, o->allow[i])) goto done;
    /* The lists' entries go first: the summary counts them before any refusal. */
    if (set_lists_feed(&sl, &in, b)) goto done;
    set_lists_summary(&sl);
    if (report_inputs(o, &in, &allow, &sl, line_inputs) || feed_builder(&in, &allow, b)) goto done;
    if (hm_set_builder_build(b, &data, &size, &err) != HM_OK) {
        cli_error("%s", err.message);
        goto done;
    }
    const char *why;
    if (cli_write_atomic(o->out, data, size, 0644, 0, &why)) {
        cli_error("%s: %s", o->out, why);
        goto done;
    }
    print_summary(o, data, size);
    warn_policy(data, size);
    rc = CLI_EXIT_OK;
done:
    hm_buffer_free(data);
    set_input_free(&in);
    set_input_free(&allow);
    set_lists_free(&sl);
    hm_set_builder_free(b);
    return rc;
}

/* --format: the line syntaxes or a list format. */
static int parse_format(const char *name, build_input *next)
{
    static const char *const SYNTAX[] = {"auto", "csv", "jsonl"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, SYNTAX[i])) return next->syntax = i, next->list = 0, 0;
    return hm__list_format_from_name(name, &next->list);
}

static int add_input(build_opts *o, const char *path)
{
    build_input *x = realloc(o->inputs, (o->ninputs + 1) * sizeof *x);
    if (!x) return cli_error("out of memory"), CLI_EXIT_ERROR;
    o->inputs = x;
    x[o->ninputs] = o->next;
    x[o->ninputs++].path = path;
    return 0;
}

static int parse_args(build_opts *o, int argc, char **argv)
{
    enum { O_OUT = 256, O_NAME, O_VERSION, O_ISSUER, O_CREATED, O_EXPIRES, O_CATEGORIES,
           O_DEFAULT_CATEGORY, O_ALGO, O_RADIUS, O_ALLOW_RADIUS, O_MIN_QUALITY, O_PDQ_MODE,
           O_ALLOW, O_PREVIOUS, O_SKIP_INVALID, O_FORMAT, O_SOURCE, O_CATEGORY_MAP,
           O_VPDQ_SECONDS, O_VPDQ_MIN_QUALITY, O_VPDQ_QUERY_PCT, O_VPDQ_COMPARED_PCT };
    static const struct option LONG[] = {
        {"out", required_argument, NULL, O_OUT}, {"name", required_argument, NULL, O_NAME},
        {"version", required_argument, NULL, O_VERSION},
        {"issuer", required_argument, NULL, O_ISSUER},
        {"created", required_argument, NULL, O_CREATED},
        {"expires", required_argument, NULL, O_EXPIRES},
        {"categories", required_argument, NULL, O_CATEGORIES},
        {"default-category", required_argument, NULL, O_DEFAULT_CATEGORY},
        {"algo", required_argument, NULL, O_ALGO},
        {"radius", required_argument, NULL, O_RADIUS},
        {"allow-radius", required_argument, NULL, O_ALLOW_RADIUS},
        {"min-quality", required_argument, NULL, O_MIN_QUALITY},
        {"pdq-mode", required_argument, NULL, O_PDQ_MODE},
        {"allow", required_argument, NULL, O_ALLOW},
        {"previous", required_argument, NULL, O_PREVIOUS},
        {"skip-invalid", no_argument, NULL, O_SKIP_INVALID},
        {"format", required_argument, NULL, O_FORMAT},
        {"source", required_argument, NULL, O_SOURCE},
        {"category-map", required_argument, NULL, O_CATEGORY_MAP},
        {"vpdq-seconds", required_argument, NULL, O_VPDQ_SECONDS},
        {"vpdq-min-quality", required_argument, NULL, O_VPDQ_MIN_QUALITY},
        {"vpdq-query-pct", required_argument, NULL, O_VPDQ_QUERY_PCT},
        {"vpdq-compared-pct", required_argument, NULL, O_VPDQ_COMPARED_PCT},
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    uint64_t v;
    int c;
    optind = 1;
    /* "-": INPUTs arrive in order (as 1), so --format and --source apply to
     * the INPUTs after them. */
    while ((c = getopt_long(argc, argv, "-qh", LONG, NULL)) != -1) {
        switch (c) {
        case 1:
            if (add_input(o, optarg)) return CLI_EXIT_ERROR;
            break;
        case O_FORMAT:
            if (parse_format(optarg, &o->next))
                return cli_usage_error("set build", "--format: '%s' is not one of auto, csv, "
                                       "jsonl, ncmec-xml, stopncii-json, tat-json, tx-text", optarg);
            break;
        case O_SOURCE:
            if (!*optarg || !hm__set_text_ok(optarg, strlen(optarg)))
                return cli_usage_error("set build", "--source takes a printable name");
            o->next.source = optarg;
            break;
        case O_CATEGORY_MAP: o->category_map = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_VERSION:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &o->version))
                return cli_usage_error("set build", "--version takes an integer >= 1");
            break;
        case O_ISSUER: o->issuer = optarg; break;
        case O_CREATED:
            if (cli_parse_time(optarg, 0, &o->created))
                return cli_usage_error("set build", "--created: '%s' is not a time", optarg);
            break;
        case O_EXPIRES: o->expires_text = optarg; break;
        case O_CATEGORIES: o->categories = optarg; break;
        case O_DEFAULT_CATEGORY: o->default_category = optarg; break;
        case O_ALGO:
            if (hm_algo_mask_parse(optarg, &o->algos) != HM_OK)
                return cli_usage_error("set build", "unknown algorithm in '%s'", optarg);
            break;
        case O_RADIUS:
        case O_ALLOW_RADIUS:
            if (parse_radius(o, optarg, c == O_ALLOW_RADIUS))
                return cli_usage_error("set build", "'%s': expected algo=N,... with N at most "
                                       "the hash's bits (0 for digests)", optarg);
            break;
        case O_MIN_QUALITY:
            if (cli_parse_u64(optarg, 0, 100, &v))
                return cli_usage_error("set build", "--min-quality takes 0..100");
            o->policy[HM_ALGO_PDQ].min_quality = (unsigned)v;
            break;
        case O_PDQ_MODE:
            if (!strcmp(optarg, "fullres")) o->policy[HM_ALGO_PDQ].variant = HM_PDQ_FULLRES;
            else if (!strcmp(optarg, "cli512")) o->policy[HM_ALGO_PDQ].variant = HM_PDQ_CLI512;
            else return cli_usage_error("set build", "--pdq-mode must be fullres or cli512");
            break;
        case O_ALLOW: {
            const char **a = realloc(o->allow, (o->nallow + 1) * sizeof *a);
            if (!a) return CLI_EXIT_ERROR;
            o->allow = a;
            o->allow[o->nallow++] = optarg;
            break;
        }
        case O_PREVIOUS: o->previous = optarg; break;
        case O_VPDQ_SECONDS: {
            double sec;
            if (cli_parse_seconds(optarg, &sec) || sec > 60)
                return cli_usage_error("set build", "--vpdq-seconds takes 0..60");
            o->policy[HM_ALGO_VPDQ].variant = (unsigned)(sec * 1000 + 0.5);
            break;
        }
        case O_VPDQ_MIN_QUALITY:
            if (cli_parse_u64(optarg, 0, 100, &v))
                return cli_usage_error("set build", "--vpdq-min-quality takes 0..100");
            o->policy[HM_ALGO_VPDQ].min_quality = (unsigned)v;
            break;
        case O_VPDQ_QUERY_PCT:
        case O_VPDQ_COMPARED_PCT: {
            unsigned pct;
            if (parse_pct(optarg, &pct))
                return cli_usage_error("set build", "'%s': a percentage 0..100 with at most 2 "
                                       "decimals", optarg);
            if (c == O_VPDQ_QUERY_PCT) o->policy[HM_ALGO_VPDQ].query_match_pct = pct;
            else o->policy[HM_ALGO_VPDQ].compared_match_pct = pct;
            break;
        }
        case O_SKIP_INVALID: o->skip_invalid = 1; break;
        case 'q': cli_verbosity = 0; break;
        case 'h': fputs(HELP, stdout); return -1;
        default: return cli_usage_error("set build", "invalid option");
        }
    }
    for (; optind < argc; optind++) /* after "--" */
        if (add_input(o, argv[optind])) return CLI_EXIT_ERROR;
    return 0;
}

int cmd_set_build(int argc, char **argv)
{
    build_opts o;
    memset(&o, 0, sizeof o);
    o.algos = HM_MASK_EVERY;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) hm_set_policy_default((hm_algo)a, &o.policy[a]);
    int rc = parse_args(&o, argc, argv);
    if (rc) {
        free(o.allow);
        free(o.inputs);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    if (!o.out || !o.name || !o.version)
        rc = cli_usage_error("set build", "--out, --name and --version are required");
    else if (!o.ninputs)
        rc = cli_usage_error("set build", "no input files");
    if (!rc && !o.created) o.created = cli_time_now();
    if (!rc && cli_parse_time(o.expires_text ? o.expires_text : "+90d", o.created, &o.expires))
        rc = cli_usage_error("set build", "--expires: '%s' is not a time", o.expires_text);
    if (!rc && o.expires <= o.created)
        rc = cli_usage_error("set build", "--expires must be after --created");
    if (!rc) rc = build(&o);
    free(o.allow);
    free(o.inputs);
    return rc;
}
