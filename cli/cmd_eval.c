/* cmd_eval.c - `hashmatch eval fpr|robustness|roc|account|merge`: option
 * parsing and output; the work is in eval_*.c. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "eval.h"
#include "eval/eval.h"

static const char HELP[] =
    "usage: hashmatch eval <command> [options] ...\n"
    "\n"
    "commands:\n"
    "  fpr [options] CORPUS...         pairwise distances between distinct images:\n"
    "                                  false-positive rates per threshold\n"
    "  robustness [options] CORPUS...  distances from each image to its edited copies:\n"
    "                                  recall per algorithm, transform and threshold\n"
    "  roc (--fpr F --robustness R | CORPUS...)\n"
    "                                  recall against false-positive rate; thresholds for\n"
    "                                  target rates\n"
    "  account --per-image-fpr P --images-per-account N --threshold K\n"
    "                                  chance that an innocent account crosses K matches\n"
    "  merge FILE...                   sums shard outputs of fpr or robustness exactly\n"
    "\n"
    "CORPUS: image files, directories (with -r), or files of `hashmatch hash --json`\n"
    "lines (robustness needs images).\n"
    "\n"
    "options:\n"
    "  --algo LIST          pdq,ahash,dhash,phash,whash or all (default all)\n"
    "  --dihedral           also evaluate PDQ matched with its 8 dihedral hashes\n"
    "                       (reported as pdq_dihedral; needs images or hash --dihedral)\n"
    "  --threshold LIST     thresholds to print, e.g. 0-31,40,66 or all (default: every\n"
    "                       threshold in JSON, a short list in CSV)\n"
    "  --groups FILE        LABEL<TAB>PATH lines: images with one label share a source\n"
    "                       and their pairs are not counted as false positives\n"
    "  --transforms SPEC    robustness edits, comma-separated chains (default standard)\n"
    "  --seed N             seed of the random edits (default 1)\n"
    "  --target-fpr LIST    roc/report target rates (default 1e-3,1e-4,1e-5)\n"
    "  --fpr FILE           roc/account: an `eval fpr --json` result\n"
    "  --robustness FILE    roc: an `eval robustness --json` result\n"
    "  --json               JSON instead of CSV\n"
    "  -o, --output FILE    write there instead of stdout\n"
    "  --report DIR         also write DIR/index.html with SVG plots\n"
    "  --shard I/N          fpr: blocks of pairs I, I+N, ...; robustness: images I, I+N, ...\n"
    "  -r, --recursive      walk directories (every file, hidden ones too; symbolic\n"
    "                       links inside are reported, not followed)\n"
    "  -R, --dereference-recursive  the same, following symbolic links\n"
    "  -j, --threads N      worker threads (default: all cores)\n"
    "  -q, --quiet          no progress bars or warnings\n"
    "account options:\n"
    "  --per-image-fpr P    chance that one innocent image matches the list\n"
    "  --images-per-account N, --threshold K\n"
    "  --distance T --algo A   with --fpr FILE: P is the image-level rate at distance T,\n"
    "                       and accounts are also drawn from that corpus\n"
    "  --trials M           empirical draws (default 100000); --draw random|contiguous\n"
    "\n"
    "docs/EVAL.md describes every output field.\n";

typedef struct {
    const char *cmd;
    uint32_t algos;
    int dihedral, json, recursive;
    unsigned threads, shard_i, shard_n;
    const char *groups, *transforms, *output, *report, *fpr_file, *rob_file, *draw;
    unsigned char thr[EV_MAX_BITS + 1];
    int thr_set;
    const char *thr_text;
    uint64_t seed, per_account, trials, distance, block;
    double per_image_fpr;
    int have_p, have_distance, have_k, have_n;
    double targets[16];
    size_t ntargets;
} eval_opts;

static int parse_thresholds(const char *s, unsigned char *thr)
{
    memset(thr, 0, EV_MAX_BITS + 1);
    if (!strcmp(s, "all")) {
        memset(thr, 1, EV_MAX_BITS + 1);
        return 0;
    }
    while (*s) {
        char *e;
        unsigned long a = strtoul(s, &e, 10), b = a;
        if (e == s) return -1;
        if (*e == '-') {
            const char *s2 = e + 1;
            b = strtoul(s2, &e, 10);
            if (e == s2) return -1;
        }
        if (a > b || b > EV_MAX_BITS || (*e && *e != ',')) return -1;
        for (unsigned long t = a; t <= b; t++) thr[t] = 1;
        s = *e ? e + 1 : e;
    }
    return 0;
}

static int parse_targets(const char *s, eval_opts *o)
{
    o->ntargets = 0;
    while (*s && o->ntargets < 16) {
        char *e;
        double v = strtod(s, &e);
        if (e == s || !(v > 0 && v < 1) || (*e && *e != ',')) return -1;
        o->targets[o->ntargets++] = v;
        s = *e ? e + 1 : e;
    }
    return o->ntargets ? 0 : -1;
}

static int parse_opts(int argc, char **argv, eval_opts *o)
{
    enum { O_ALGO = 256, O_DIH, O_THR, O_GROUPS, O_TR, O_SEED, O_TARGET, O_FPR, O_ROB, O_JSON,
           O_REPORT, O_SHARD, O_P, O_N, O_DIST, O_TRIALS, O_DRAW, O_BLOCK };
    static const struct option LONG[] = {
        {"algo", required_argument, NULL, O_ALGO}, {"dihedral", no_argument, NULL, O_DIH},
        {"threshold", required_argument, NULL, O_THR}, {"groups", required_argument, NULL, O_GROUPS},
        {"transforms", required_argument, NULL, O_TR}, {"seed", required_argument, NULL, O_SEED},
        {"target-fpr", required_argument, NULL, O_TARGET}, {"fpr", required_argument, NULL, O_FPR},
        {"robustness", required_argument, NULL, O_ROB}, {"json", no_argument, NULL, O_JSON},
        {"output", required_argument, NULL, 'o'}, {"report", required_argument, NULL, O_REPORT},
        {"shard", required_argument, NULL, O_SHARD}, {"recursive", no_argument, NULL, 'r'},
        {"dereference-recursive", no_argument, NULL, 'R'},
        {"threads", required_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
        {"per-image-fpr", required_argument, NULL, O_P},
        {"images-per-account", required_argument, NULL, O_N},
        {"distance", required_argument, NULL, O_DIST}, {"trials", required_argument, NULL, O_TRIALS},
        {"draw", required_argument, NULL, O_DRAW}, {"help", no_argument, NULL, 'h'},
        {"block", required_argument, NULL, O_BLOCK},
        {NULL, 0, NULL, 0}};
    uint64_t v;
    char *e;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:rRj:qh", LONG, NULL)) != -1) {
        switch (c) {
        case O_ALGO:
            if (!(o->algos = ev_algo_parse(optarg)))
                return cli_usage_error(o->cmd, "--algo takes pdq,ahash,dhash,phash,whash or all");
            break;
        case O_DIH: o->dihedral = 1; break;
        case O_THR:
            o->thr_text = optarg;
            if (parse_thresholds(optarg, o->thr)) {
                /* `account` takes one number: the reporting threshold K */
                if (strcmp(o->cmd, "eval account")) return cli_usage_error(o->cmd, "bad --threshold list");
            }
            o->thr_set = 1;
            break;
        case O_GROUPS: o->groups = optarg; break;
        case O_TR: o->transforms = optarg; break;
        case O_SEED:
            if (cli_parse_u64(optarg, 0, UINT64_MAX, &o->seed)) return cli_usage_error(o->cmd, "bad --seed");
            break;
        case O_TARGET:
            if (parse_targets(optarg, o)) return cli_usage_error(o->cmd, "--target-fpr takes rates in (0,1)");
            break;
        case O_FPR: o->fpr_file = optarg; break;
        case O_ROB: o->rob_file = optarg; break;
        case O_JSON: o->json = 1; break;
        case 'o': o->output = optarg; break;
        case O_REPORT: o->report = optarg; break;
        case O_SHARD:
            if (cli_parse_shard(optarg, &o->shard_i, &o->shard_n))
                return cli_usage_error(o->cmd, "--shard takes I/N with 0 <= I < N");
            break;
        case 'r': o->recursive = CLI_WALK_NOFOLLOW; break;
        case 'R': o->recursive = CLI_WALK_FOLLOW; break;
        case 'j':
            if (cli_parse_u64(optarg, 1, 1024, &v)) return cli_usage_error(o->cmd, "--threads takes 1..1024");
            o->threads = (unsigned)v;
            break;
        case 'q': cli_verbosity = 0; break;
        case O_P:
            o->per_image_fpr = strtod(optarg, &e);
            if (*e || !(o->per_image_fpr >= 0 && o->per_image_fpr <= 1))
                return cli_usage_error(o->cmd, "--per-image-fpr takes a probability");
            o->have_p = 1;
            break;
        case O_N:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &o->per_account))
                return cli_usage_error(o->cmd, "--images-per-account takes a positive integer");
            o->have_n = 1;
            break;
        case O_DIST:
            if (cli_parse_u64(optarg, 0, EV_MAX_BITS, &o->distance))
                return cli_usage_error(o->cmd, "--distance takes 0..256");
            o->have_distance = 1;
            break;
        case O_TRIALS:
            if (cli_parse_u64(optarg, 1, 1000000000, &o->trials)) return cli_usage_error(o->cmd, "bad --trials");
            break;
        case O_DRAW:
            if (strcmp(optarg, "random") && strcmp(optarg, "contiguous"))
                return cli_usage_error(o->cmd, "--draw takes random or contiguous");
            o->draw = optarg;
            break;
        case O_BLOCK: /* undocumented: small blocks let tests exercise the blocking */
            if (cli_parse_u64(optarg, 1, 1u << 20, &o->block)) return cli_usage_error(o->cmd, "bad --block");
            break;
        case 'h': fputs(HELP, stdout); return -1;
        default: return cli_usage_error(o->cmd, "invalid option");
        }
    }
    if (o->dihedral) o->algos |= 1u << EV_PDQ_DIHEDRAL;
    return 0;
}

static int emit(const eval_opts *o, const cli_buf *b)
{
    return ev_write_file(o->output ? o->output : "-", b) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

static int load_corpus(const eval_opts *o, int argc, char **argv, ev_corpus *c)
{
    if (optind >= argc) return cli_usage_error(o->cmd, "no corpus given");
    ev_load_options lo = {.algos = o->algos, .recursive = o->recursive, .threads = o->threads,
                          .groups_file = o->groups};
    if (ev_corpus_load(c, argv + optind, argc - optind, &lo)) return CLI_EXIT_ERROR;
    if (c->n < 2) {
        cli_error("a corpus of %zu image(s) has no pairs", c->n);
        ev_corpus_free(c);
        return CLI_EXIT_ERROR;
    }
    cli_info("%zu images (%zu failed), %zu groups", c->n, c->failed, c->groups);
    return 0;
}

static int run_fpr(const eval_opts *o, int argc, char **argv, ev_fpr_set *out)
{
    ev_corpus c;
    int rc = load_corpus(o, argc, argv, &c);
    if (rc) return rc;
    rc = ev_compute_fpr(&c, o->algos, o->threads, o->shard_i, o->shard_n, (size_t)o->block, out) ? CLI_EXIT_ERROR : 0;
    ev_corpus_free(&c);
    return rc;
}

static int run_robustness(const eval_opts *o, int argc, char **argv, ev_rob_set *out)
{
    if (optind >= argc) return cli_usage_error(o->cmd, "no corpus given");
    hm_transform *t = calloc(256, sizeof *t);
    size_t nt = 0;
    hm_error err;
    if (!t) return CLI_EXIT_ERROR;
    if (hm_transform_parse_list(o->transforms ? o->transforms : "standard", t, 256, &nt, &err)) {
        free(t);
        return cli_usage_error(o->cmd, "--transforms: %s", err.message);
    }
    ev_rob_options ro = {.algos = o->algos, .transforms = t, .ntransforms = nt, .seed = o->seed,
                         .threads = o->threads, .shard_i = o->shard_i, .shard_n = o->shard_n,
                         .recursive = o->recursive};
    int rc = ev_compute_robustness(argv + optind, argc - optind, &ro, out) ? CLI_EXIT_ERROR : 0;
    free(t);
    return rc;
}

static int sub_fpr(eval_opts *o, int argc, char **argv)
{
    ev_fpr_set f;
    int rc = run_fpr(o, argc, argv, &f);
    if (rc) return rc;
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_fpr_json(&b, &f, o->thr_set ? o->thr : NULL);
    else ev_fpr_csv(&b, &f, o->thr_set ? o->thr : NULL);
    rc = emit(o, &b);
    if (!rc && o->report && ev_report_write(o->report, &f, NULL, o->targets, o->ntargets)) rc = CLI_EXIT_ERROR;
    cli_buf_free(&b);
    ev_fpr_set_free(&f);
    return rc;
}

static int sub_robustness(eval_opts *o, int argc, char **argv)
{
    ev_rob_set r;
    int rc = run_robustness(o, argc, argv, &r);
    if (rc) return rc;
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_rob_json(&b, &r, o->thr_set ? o->thr : NULL);
    else ev_rob_csv(&b, &r, o->thr_set ? o->thr : NULL);
    rc = emit(o, &b);
    if (!rc && o->report && ev_report_write(o->report, NULL, &r, o->targets, o->ntargets)) rc = CLI_EXIT_ERROR;
    cli_buf_free(&b);
    ev_rob_set_free(&r);
    return rc;
}

static int sub_roc(eval_opts *o, int argc, char **argv)
{
    ev_fpr_set f;
    ev_rob_set r;
    int rc;
    if (o->fpr_file || o->rob_file) {
        if (!o->fpr_file || !o->rob_file || optind < argc)
            return cli_usage_error(o->cmd, "give --fpr and --robustness files, or a corpus");
        if (ev_fpr_read(o->fpr_file, &f)) return CLI_EXIT_ERROR;
        if (ev_rob_read(o->rob_file, &r)) {
            ev_fpr_set_free(&f);
            return CLI_EXIT_ERROR;
        }
    } else {
        if ((rc = run_fpr(o, argc, argv, &f))) return rc;
        if ((rc = run_robustness(o, argc, argv, &r))) {
            ev_fpr_set_free(&f);
            return rc;
        }
    }
    ev_roc roc[EV_NALGO];
    size_t n = ev_roc_build(&f, &r, roc);
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_roc_json(&b, roc, n, o->targets, o->ntargets);
    else ev_roc_csv(&b, roc, n, o->targets, o->ntargets);
    rc = n ? emit(o, &b) : (cli_error("no algorithm has both results"), CLI_EXIT_ERROR);
    if (!rc && o->report && ev_report_write(o->report, &f, &r, o->targets, o->ntargets)) rc = CLI_EXIT_ERROR;
    cli_buf_free(&b);
    ev_fpr_set_free(&f);
    ev_rob_set_free(&r);
    return rc;
}

static const char CAVEAT[] =
    "The binomial tail assumes that the images of an account match independently. "
    "They do not: an account holds bursts, edits and near-duplicates of the same scene, "
    "so one false match often comes with others and the real tail is heavier than this figure.";

/* The empirical variant: accounts drawn from the corpus of an fpr result. */
static int account_empirical(const eval_opts *o, uint64_t k, cli_buf *b, int *first)
{
    ev_fpr_set f;
    if (ev_fpr_read(o->fpr_file, &f)) return -1;
    int algo = -1;
    for (int a = 0; a < EV_NALGO; a++)
        if (o->algos == (1u << a)) algo = a;
    const ev_fpr *fp = NULL;
    for (size_t i = 0; i < f.count; i++)
        if (f.items[i].algo == algo || (algo < 0 && i == 0)) fp = &f.items[i];
    uint8_t *m = fp ? malloc(fp->images + 1) : NULL;
    int rc = -1;
    if (!fp) cli_error("%s has no results for that --algo", o->fpr_file);
    else if (m) {
        for (uint64_t i = 0; i < fp->images; i++) m[i] = fp->nearest[i] <= o->distance;
        uint64_t crossed, trials = o->trials ? o->trials : 100000;
        hm__account_draw draw = o->draw && !strcmp(o->draw, "contiguous") ? HM__ACCOUNT_CONTIGUOUS : HM__ACCOUNT_RANDOM;
        if (hm__eval_account_empirical(m, fp->images, o->per_account, k, trials, o->seed, draw, &crossed))
            cli_error("an account of %llu images does not fit in a corpus of %llu",
                      (unsigned long long)o->per_account, (unsigned long long)fp->images);
        else {
            cli_buf_json_key(b, first, "empirical");
            cli_buf_printf(b, "{\"algo\": \"%s\", \"distance\": %llu, \"draw\": \"%s\", \"corpus_images\": %llu, "
                              "\"trials\": %llu, \"crossed\": %llu, \"probability\": %.9g}",
                           ev_algo_name(fp->algo), (unsigned long long)o->distance,
                           draw == HM__ACCOUNT_CONTIGUOUS ? "contiguous" : "random",
                           (unsigned long long)fp->images, (unsigned long long)trials,
                           (unsigned long long)crossed, (double)crossed / (double)trials);
            rc = 0;
        }
    }
    free(m);
    ev_fpr_set_free(&f);
    return rc;
}

static int sub_account(eval_opts *o, int argc, char **argv)
{
    (void)argv;
    uint64_t k;
    if (optind < argc) return cli_usage_error(o->cmd, "account takes no corpus (use --fpr FILE)");
    if (!o->thr_text || cli_parse_u64(o->thr_text, 0, UINT64_MAX, &k))
        return cli_usage_error(o->cmd, "--threshold K (matches that trigger a report) is required");
    if (!o->have_n) return cli_usage_error(o->cmd, "--images-per-account N is required");
    if (o->fpr_file && !o->have_distance) return cli_usage_error(o->cmd, "--fpr needs --distance T");
    if (!o->have_p && !o->fpr_file) return cli_usage_error(o->cmd, "--per-image-fpr P or --fpr FILE is required");
    cli_buf b;
    cli_buf_init(&b);
    int first = 1, rc = 0;
    cli_buf_putc(&b, '{');
    if (o->fpr_file && !o->have_p) { /* P from the corpus: the image-level rate at T */
        ev_fpr_set f;
        if (ev_fpr_read(o->fpr_file, &f)) {
            cli_buf_free(&b);
            return CLI_EXIT_ERROR;
        }
        const ev_fpr *fp = &f.items[0];
        for (size_t i = 0; i < f.count; i++)
            if (o->algos == (1u << f.items[i].algo)) fp = &f.items[i];
        uint64_t m = 0;
        for (uint64_t i = 0; i < fp->images; i++) m += fp->nearest[i] <= o->distance;
        o->per_image_fpr = fp->images ? (double)m / (double)fp->images : 0;
        ev_fpr_set_free(&f);
    }
    double p = o->per_image_fpr, tail = hm__eval_binomial_tail(o->per_account, p, k);
    cli_buf_json_key(&b, &first, "per_image_fpr");
    cli_buf_printf(&b, "%.9g", p);
    cli_buf_json_key(&b, &first, "images_per_account");
    cli_buf_printf(&b, "%llu", (unsigned long long)o->per_account);
    cli_buf_json_key(&b, &first, "threshold");
    cli_buf_printf(&b, "%llu", (unsigned long long)k);
    cli_buf_json_key(&b, &first, "expected_false_matches");
    cli_buf_printf(&b, "%.9g", p * (double)o->per_account);
    cli_buf_json_key(&b, &first, "binomial_tail");
    cli_buf_printf(&b, "%.9g", tail);
    if (o->fpr_file && account_empirical(o, k, &b, &first)) rc = CLI_EXIT_ERROR;
    cli_buf_json_key(&b, &first, "caveat");
    cli_buf_json_string(&b, CAVEAT);
    cli_buf_puts(&b, "}\n");
    if (rc == 0 && !o->json) { /* the same facts as readable lines */
        jv v;
        const char *why;
        if (jv_parse(b.data, b.len, &v, &why) == 0) {
            cli_buf t;
            cli_buf_init(&t);
            for (size_t i = 0; i < v.n; i++) {
                const jv *x = &v.items[i];
                if (x->type == JV_OBJ) {
                    for (size_t j = 0; j < x->n; j++)
                        if (x->items[j].type == JV_STR) cli_buf_printf(&t, "%s.%s: %s\n", v.keys[i], x->keys[j], x->items[j].str);
                        else cli_buf_printf(&t, "%s.%s: %.9g\n", v.keys[i], x->keys[j], x->items[j].num);
                } else if (x->type == JV_STR) cli_buf_printf(&t, "%s: %s\n", v.keys[i], x->str);
                else cli_buf_printf(&t, "%s: %.9g\n", v.keys[i], x->num);
            }
            rc = emit(o, &t);
            cli_buf_free(&t);
            jv_free(&v);
        }
    } else if (rc == 0) rc = emit(o, &b);
    cli_buf_free(&b);
    return rc;
}

static int sub_merge(eval_opts *o, int argc, char **argv)
{
    if (optind >= argc) return cli_usage_error(o->cmd, "no files to merge");
    uint8_t *data;
    size_t size;
    if (hm__read_file(argv[optind], 0, &data, &size, NULL) != HM_OK) {
        cli_error("cannot read %s", argv[optind]);
        return CLI_EXIT_ERROR;
    }
    size_t k = 0;
    while (k < size && (data[k] == ' ' || data[k] == '\n')) k++;
    int is_rob = k < size && data[k] == '[';
    free(data);
    cli_buf b;
    cli_buf_init(&b);
    int rc = 0;
    if (is_rob) {
        ev_rob_set acc = {0}, s;
        for (int i = optind; rc == 0 && i < argc; i++) {
            if (ev_rob_read(argv[i], &s)) rc = CLI_EXIT_ERROR;
            else rc = ev_rob_merge(&acc, &s) ? CLI_EXIT_ERROR : 0, ev_rob_set_free(&s);
        }
        if (rc == 0) o->json ? ev_rob_json(&b, &acc, NULL) : ev_rob_csv(&b, &acc, o->thr_set ? o->thr : NULL);
        ev_rob_set_free(&acc);
    } else {
        ev_fpr_set acc = {0}, s;
        unsigned char *seen = NULL;
        for (int i = optind; rc == 0 && i < argc; i++) {
            if (ev_fpr_read(argv[i], &s)) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            unsigned si = s.items[0].shard_i, sn = s.items[0].shard_n;
            if (!seen) seen = calloc(sn, 1);
            if (!seen || (i > optind && sn != acc.items[0].shard_n) || seen[si]++) {
                cli_error("%s: shard %u/%u given twice or from another split", argv[i], si, sn);
                rc = CLI_EXIT_ERROR;
            } else if (i == optind) acc = s, memset(&s, 0, sizeof s);
            else if (ev_fpr_merge(&acc, &s)) rc = CLI_EXIT_ERROR;
            ev_fpr_set_free(&s);
        }
        for (unsigned i = 0; rc == 0 && i < acc.items[0].shard_n; i++)
            if (!seen[i]) {
                cli_error("shard %u/%u is missing", i, acc.items[0].shard_n);
                rc = CLI_EXIT_ERROR;
            }
        /* all shards together are the whole computation */
        for (size_t i = 0; rc == 0 && i < acc.count; i++) acc.items[i].shard_i = 0, acc.items[i].shard_n = 1;
        if (rc == 0) o->json ? ev_fpr_json(&b, &acc, NULL) : ev_fpr_csv(&b, &acc, o->thr_set ? o->thr : NULL);
        free(seen);
        ev_fpr_set_free(&acc);
    }
    if (rc == 0) rc = emit(o, &b);
    cli_buf_free(&b);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    static const struct {
        const char *name, *label;
        int (*fn)(eval_opts *, int, char **);
    } SUBS[] = {{"fpr", "eval fpr", sub_fpr},
                {"robustness", "eval robustness", sub_robustness},
                {"roc", "eval roc", sub_roc},
                {"account", "eval account", sub_account},
                {"merge", "eval merge", sub_merge}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof SUBS / sizeof *SUBS; i++) {
        if (strcmp(argv[1], SUBS[i].name)) continue;
        eval_opts o;
        memset(&o, 0, sizeof o);
        o.cmd = SUBS[i].label;
        o.algos = (1u << EV_PDQ_DIHEDRAL) - 1;
        o.shard_n = 1;
        o.seed = 1;
        o.targets[0] = 1e-3, o.targets[1] = 1e-4, o.targets[2] = 1e-5, o.ntargets = 3;
        int rc = parse_opts(argc - 1, argv + 1, &o);
        if (rc == -1) return CLI_EXIT_OK; /* --help */
        if (rc) return rc;
        return SUBS[i].fn(&o, argc - 1, argv + 1);
    }
    return cli_usage_error("eval", "unknown command '%s'", argv[1]);
}
