/* cmd_set_build.c - `hashmatch set build`: validate hash lists, sort and
 * de-duplicate them, and write an unsigned set. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_set.h"
#include "keyfile.h"
#include "set_input.h"
#include "trust_opts.h"

static const char HELP[] =
    "usage: hashmatch set build --out FILE --name NAME --version V [options] INPUT...\n"
    "\n"
    "Builds an unsigned fingerprint set from hash lists. Each INPUT ('-' for stdin)\n"
    "holds lines of either kind (blank lines and lines starting with # are skipped):\n"
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
    "                         md5/sha1/sha256 0 = exact)\n"
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
    "  --skip-invalid         leave refused lines out and write the set anyway\n"
    "                         (default: any refusal writes nothing)\n"
    "  -q, --quiet            print only errors\n"
    "\n"
    "Exit status: 0 when the set was written, 2 otherwise.\n";

typedef struct build_opts {
    const char *out, *name, *issuer, *previous, *categories, *default_category;
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
    if (!in->nrec) return 0; /* videos only: no records (and no array) */
    qsort(in->recs, in->nrec, sizeof *in->recs, cmp_record);
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
            cli_error("%s:%u: %s", in->files[r->file], r->line, err.message);
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

static int build(build_opts *o, char **inputs, int ninputs)
{
    hm_set_builder *b = NULL;
    set_input in, allow;
    memset(&in, 0, sizeof in);
    memset(&allow, 0, sizeof allow);
    int rc = CLI_EXIT_ERROR;
    uint8_t *data = NULL;
    size_t size = 0, merged = 0;
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
    for (int i = 0; i < ninputs; i++)
        if (set_input_read(&in, inputs[i])) goto done;
    for (size_t i = 0; i < o->nallow; i++)
        if (set_input_read(&allow, o->allow[i])) goto done;
    merged = check_duplicates(&in);
    size_t contradicting = 0;
    for (size_t i = 0; i < in.nrec; i++) contradicting += in.recs[i].rejected;
    if (in.printed + allow.printed > 200)
        cli_error("... %zu more refusals not shown", in.printed + allow.printed - 200);
    if (cli_verbosity > 0)
        printf("read %zu lines: %zu hashes, %zu video%s, %zu repeats merged, %zu refused, %zu of "
               "other algorithms skipped; allowlist: %zu hashes, %zu refused\n",
               in.lines, in.nrec - merged - contradicting, in.nvideos, in.nvideos == 1 ? "" : "s",
               merged, in.rejected, in.skipped, allow.nrec, allow.rejected);
    fflush(stdout);
    if ((in.rejected || allow.rejected) && !o->skip_invalid) {
        cli_error("%zu lines refused: nothing written (fix them, or leave them out with "
                  "--skip-invalid)", in.rejected + allow.rejected);
        goto done;
    }
    if (feed_builder(&in, &allow, b)) goto done;
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
    rc = CLI_EXIT_OK;
done:
    hm_buffer_free(data);
    set_input_free(&in);
    set_input_free(&allow);
    hm_set_builder_free(b);
    return rc;
}

static int parse_args(build_opts *o, int argc, char **argv)
{
    enum { O_OUT = 256, O_NAME, O_VERSION, O_ISSUER, O_CREATED, O_EXPIRES, O_CATEGORIES,
           O_DEFAULT_CATEGORY, O_ALGO, O_RADIUS, O_ALLOW_RADIUS, O_MIN_QUALITY, O_PDQ_MODE,
           O_ALLOW, O_PREVIOUS, O_SKIP_INVALID, O_VPDQ_SECONDS, O_VPDQ_MIN_QUALITY,
           O_VPDQ_QUERY_PCT, O_VPDQ_COMPARED_PCT };
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
        {"vpdq-seconds", required_argument, NULL, O_VPDQ_SECONDS},
        {"vpdq-min-quality", required_argument, NULL, O_VPDQ_MIN_QUALITY},
        {"vpdq-query-pct", required_argument, NULL, O_VPDQ_QUERY_PCT},
        {"vpdq-compared-pct", required_argument, NULL, O_VPDQ_COMPARED_PCT},
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    uint64_t v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", LONG, NULL)) != -1) {
        switch (c) {
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
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    if (!o.out || !o.name || !o.version)
        rc = cli_usage_error("set build", "--out, --name and --version are required");
    else if (optind >= argc)
        rc = cli_usage_error("set build", "no input files");
    if (!rc && !o.created) o.created = cli_time_now();
    if (!rc && cli_parse_time(o.expires_text ? o.expires_text : "+90d", o.created, &o.expires))
        rc = cli_usage_error("set build", "--expires: '%s' is not a time", o.expires_text);
    if (!rc && o.expires <= o.created)
        rc = cli_usage_error("set build", "--expires must be after --created");
    if (!rc) rc = build(&o, argv + optind, argc - optind);
    free(o.allow);
    return rc;
}
