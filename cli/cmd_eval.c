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
    "  --seed N             seed of the robustness edits (mixed with each file's SHA-256)\n"
    "                       and of account draws (default 1)\n"
    "  --target-fpr LIST    roc/report target rates (default 1e-3,1e-4,1e-5)\n"
    "  --fpr FILE           roc/account: an `eval fpr --json` result\n"
    "  --robustness FILE    roc: an `eval robustness --json` result\n"
    "  --json               JSON instead of CSV\n"
    "  -o, --output FILE    write there instead of stdout\n"
    "  --report DIR         also write DIR/index.html with SVG plots, and each figure as\n"
    "                       DIR/*.svg with its data as DIR/*.csv\n"
    "  --pairs-within T     fpr: list every pair within distance T (paths, hashes,\n"
    "                       distance) into --pairs-out FILE (CSV, or JSON with --json)\n"
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
    "Each command refuses options it does not use. Output files and the report\n"
    "directory are checked (and directories created) before any work starts.\n"
    "docs/EVAL.md describes every output field.\n"
    "Exit status: 0, or 2 on an error; inputs that cannot be used are warned\n"
    "about by name, counted (inputs_failed) and left out of results that are\n"
    "still written, and the exit status is then 2.\n";

/* Options, as bits of eval_opts.given: each command accepts only its own. */
enum {
    F_ALGO, F_DIH, F_THR, F_GROUPS, F_TR, F_SEED, F_TARGET, F_FPR, F_ROB, F_JSON, F_OUT, F_REPORT,
    F_SHARD, F_REC, F_THREADS, F_QUIET, F_P, F_N, F_DIST, F_TRIALS, F_DRAW, F_BLOCK, F_PWITHIN,
    F_POUT, F_COUNT
};
static const char *const FLAG_NAME[F_COUNT] = {
    "--algo", "--dihedral", "--threshold", "--groups", "--transforms", "--seed", "--target-fpr",
    "--fpr", "--robustness", "--json", "--output", "--report", "--shard", "--recursive (-r, -R)",
    "--threads", "--quiet", "--per-image-fpr", "--images-per-account", "--distance", "--trials",
    "--draw", "--block", "--pairs-within", "--pairs-out"};
#define B(f) (1u << (f))
/* The options that read and hash a corpus (roc computes fpr and robustness itself). */
#define CORPUS_FLAGS (B(F_ALGO) | B(F_DIH) | B(F_GROUPS) | B(F_TR) | B(F_SEED) | B(F_REC) | B(F_THREADS) | B(F_BLOCK))
static const uint32_t ALLOWED[] = {
    /* fpr */ B(F_ALGO) | B(F_DIH) | B(F_THR) | B(F_GROUPS) | B(F_JSON) | B(F_OUT) | B(F_REPORT) |
        B(F_SHARD) | B(F_REC) | B(F_THREADS) | B(F_QUIET) | B(F_BLOCK) | B(F_PWITHIN) | B(F_POUT) |
        B(F_TARGET),
    /* robustness */ B(F_ALGO) | B(F_DIH) | B(F_THR) | B(F_TR) | B(F_SEED) | B(F_JSON) | B(F_OUT) |
        B(F_REPORT) | B(F_SHARD) | B(F_REC) | B(F_THREADS) | B(F_QUIET),
    /* roc */ CORPUS_FLAGS | B(F_FPR) | B(F_ROB) | B(F_TARGET) | B(F_JSON) | B(F_OUT) | B(F_REPORT) |
        B(F_QUIET),
    /* account */ B(F_P) | B(F_N) | B(F_THR) | B(F_FPR) | B(F_DIST) | B(F_ALGO) | B(F_TRIALS) |
        B(F_DRAW) | B(F_SEED) | B(F_JSON) | B(F_OUT) | B(F_REPORT) | B(F_QUIET),
    /* merge */ B(F_JSON) | B(F_OUT) | B(F_THR) | B(F_QUIET)};

typedef struct {
    const char *cmd;
    int sub; /* index into ALLOWED */
    uint32_t given;
    uint32_t algos;
    int dihedral, json, recursive;
    unsigned threads, shard_i, shard_n;
    const char *groups, *transforms, *output, *report, *fpr_file, *rob_file, *draw, *pairs_out;
    uint64_t pairs_within;
    unsigned char thr[EV_MAX_BITS + 1];
    int thr_set;
    const char *thr_text;
    uint64_t seed, per_account, trials, distance, block, account_k;
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
           O_REPORT, O_SHARD, O_P, O_N, O_DIST, O_TRIALS, O_DRAW, O_BLOCK, O_PWITHIN, O_POUT };
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
        {"pairs-within", required_argument, NULL, O_PWITHIN},
        {"pairs-out", required_argument, NULL, O_POUT},
        {NULL, 0, NULL, 0}};
    /* the flag bit of each option code */
    static const struct { int code, flag; } FLAGS[] = {
        {O_ALGO, F_ALGO}, {O_DIH, F_DIH}, {O_THR, F_THR}, {O_GROUPS, F_GROUPS}, {O_TR, F_TR},
        {O_SEED, F_SEED}, {O_TARGET, F_TARGET}, {O_FPR, F_FPR}, {O_ROB, F_ROB}, {O_JSON, F_JSON},
        {'o', F_OUT}, {O_REPORT, F_REPORT}, {O_SHARD, F_SHARD}, {'r', F_REC}, {'R', F_REC},
        {'j', F_THREADS}, {'q', F_QUIET}, {O_P, F_P}, {O_N, F_N}, {O_DIST, F_DIST}, {O_TRIALS, F_TRIALS},
        {O_DRAW, F_DRAW}, {O_BLOCK, F_BLOCK}, {O_PWITHIN, F_PWITHIN}, {O_POUT, F_POUT}};
    uint64_t v;
    char *e;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:rRj:qh", LONG, NULL)) != -1) {
        for (size_t k = 0; k < sizeof FLAGS / sizeof *FLAGS; k++)
            if (FLAGS[k].code == c) o->given |= B(FLAGS[k].flag);
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
        case O_PWITHIN:
            if (cli_parse_u64(optarg, 0, EV_MAX_BITS, &o->pairs_within))
                return cli_usage_error(o->cmd, "--pairs-within takes a distance 0..256");
            break;
        case O_POUT: o->pairs_out = optarg; break;
        case 'h': fputs(HELP, stdout); return -1;
        default: return cli_usage_error(o->cmd, "invalid option");
        }
    }
    if (o->dihedral) o->algos |= 1u << EV_PDQ_DIHEDRAL;
    return 0;
}

/* Refuses the options a command does not use (also those that only make
 * sense together with another). */
static int check_flags(const eval_opts *o)
{
    uint32_t extra = o->given & ~ALLOWED[o->sub];
    const char *need = NULL;
    if (o->sub == 0 && (o->given & B(F_TARGET)) && !o->report) extra |= B(F_TARGET), need = "--report";
    if (o->sub == 0 && !(o->given & B(F_PWITHIN)) != !(o->given & B(F_POUT))) {
        if (!(o->given & B(F_PWITHIN)))
            return cli_usage_error(o->cmd, "--pairs-out needs --pairs-within T");
        return cli_usage_error(o->cmd, "--pairs-within needs --pairs-out FILE");
    }
    if (o->sub == 2 && (o->fpr_file || o->rob_file)) extra |= o->given & CORPUS_FLAGS, need = "a corpus";
    if (o->sub == 3 && !o->fpr_file) {
        uint32_t emp = o->given & (B(F_DIST) | B(F_ALGO) | B(F_TRIALS) | B(F_DRAW) | B(F_SEED));
        if (emp) extra |= emp, need = "--fpr FILE";
    }
    for (int f = 0; f < F_COUNT; f++)
        if (extra & B(f))
            return need ? cli_usage_error(o->cmd, "%s is used only with %s", FLAG_NAME[f], need)
                        : cli_usage_error(o->cmd, "%s is not used by this command", FLAG_NAME[f]);
    return 0;
}

/* Checks and creates the output paths before any work. */
static int prepare_outputs(const eval_opts *o)
{
    if (o->output && strcmp(o->output, "-") && ev_output_check(o->output)) return CLI_EXIT_ERROR;
    if (o->pairs_out && strcmp(o->pairs_out, "-") && ev_output_check(o->pairs_out)) return CLI_EXIT_ERROR;
    if (o->report && ev_dir_prepare(o->report)) return CLI_EXIT_ERROR;
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
    ev_fpr_options fo = {.algos = o->algos, .threads = o->threads, .shard_i = o->shard_i,
                         .shard_n = o->shard_n, .block = (size_t)o->block,
                         .want_index = o->json || o->report};
    rc = ev_compute_fpr(&c, &fo, out) ? CLI_EXIT_ERROR : 0;
    if (rc == 0 && o->pairs_out && ev_pairs_within_write(&c, &fo, (unsigned)o->pairs_within, o->json, o->pairs_out))
        rc = CLI_EXIT_ERROR;
    if (rc == 0) { /* the paths go with the results (nearest-neighbour paths) */
        out->paths = c.paths, out->npaths = c.n;
        c.paths = NULL;
        c.n = 0;
    }
    if (rc) ev_fpr_set_free(out);
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

/* The inputs an fpr run left out (every algorithm counts the same ones). */
static uint64_t fpr_left_out(const ev_fpr_set *f)
{
    return f->count ? f->items[0].inputs_failed : 0;
}

/* A run that left inputs out still writes its results, which count them
 * (inputs_failed), then exits 2 as hash and scan do. */
static int left_out(int rc, uint64_t n)
{
    if (rc || !n) return rc;
    cli_warn("%llu input(s) could not be used and are left out of the results (see the warnings "
             "above)", (unsigned long long)n);
    return CLI_EXIT_ERROR;
}

static int sub_fpr(eval_opts *o, int argc, char **argv)
{
    ev_fpr_set f;
    if (optind >= argc) return cli_usage_error(o->cmd, "no corpus given");
    int rc = prepare_outputs(o);
    if (rc || (rc = run_fpr(o, argc, argv, &f))) return rc;
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_fpr_json(&b, &f, o->thr_set ? o->thr : NULL);
    else ev_fpr_csv(&b, &f, o->thr_set ? o->thr : NULL);
    rc = emit(o, &b);
    if (!rc && o->report && ev_report_write(o->report, &f, NULL, o->targets, o->ntargets)) rc = CLI_EXIT_ERROR;
    rc = left_out(rc, fpr_left_out(&f));
    cli_buf_free(&b);
    ev_fpr_set_free(&f);
    return rc;
}

static int sub_robustness(eval_opts *o, int argc, char **argv)
{
    ev_rob_set r;
    if (optind >= argc) return cli_usage_error(o->cmd, "no corpus given");
    int rc = prepare_outputs(o);
    if (rc || (rc = run_robustness(o, argc, argv, &r))) return rc;
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_rob_json(&b, &r, o->thr_set ? o->thr : NULL);
    else ev_rob_csv(&b, &r, o->thr_set ? o->thr : NULL);
    rc = emit(o, &b);
    if (!rc && o->report && ev_report_write(o->report, NULL, &r, o->targets, o->ntargets)) rc = CLI_EXIT_ERROR;
    rc = left_out(rc, r.inputs_failed);
    cli_buf_free(&b);
    ev_rob_set_free(&r);
    return rc;
}

static int sub_roc(eval_opts *o, int argc, char **argv)
{
    ev_fpr_set f;
    ev_rob_set r;
    int rc;
    if ((o->fpr_file || o->rob_file) && (!o->fpr_file || !o->rob_file || optind < argc))
        return cli_usage_error(o->cmd, "give --fpr and --robustness files, or a corpus");
    if (!o->fpr_file && optind >= argc) return cli_usage_error(o->cmd, "no corpus given");
    if ((rc = prepare_outputs(o))) return rc;
    if (o->fpr_file) {
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
    if (!o->fpr_file) /* computed here; given files were warned about when made */
        rc = left_out(rc, fpr_left_out(&f) > r.inputs_failed ? fpr_left_out(&f) : r.inputs_failed);
    cli_buf_free(&b);
    ev_fpr_set_free(&f);
    ev_rob_set_free(&r);
    return rc;
}

/* The empirical variant: accounts drawn from the corpus of an fpr result. */
static int account_empirical(const eval_opts *o, const ev_fpr *fp, ev_account *a)
{
    uint8_t *m = malloc(fp->images + 1);
    if (!m) return cli_error("out of memory"), -1;
    for (uint64_t i = 0; i < fp->images; i++) m[i] = fp->nearest[i] <= o->distance;
    a->empirical = 1;
    a->algo = fp->algo;
    a->distance = o->distance;
    a->contiguous = o->draw && !strcmp(o->draw, "contiguous");
    a->corpus_images = fp->images;
    a->trials = o->trials ? o->trials : 100000;
    hm_status st = hm_eval_account_empirical(m, fp->images, o->per_account, a->k, a->trials, o->seed,
                                             a->contiguous ? HM_EVAL_DRAW_CONTIGUOUS : HM_EVAL_DRAW_RANDOM,
                                             &a->crossed);
    free(m);
    if (st == HM_E_INVALID_ARGUMENT)
        cli_error("an account of %llu images does not fit in a corpus of %llu",
                  (unsigned long long)o->per_account, (unsigned long long)fp->images);
    else if (st != HM_OK) cli_error("out of memory");
    return st == HM_OK ? 0 : -1;
}

/* The fpr result of the algorithm asked for (the first one by default). */
static const ev_fpr *account_algo(const eval_opts *o, const ev_fpr_set *f)
{
    if (!(o->given & B(F_ALGO))) return f->count ? &f->items[0] : NULL;
    for (size_t i = 0; i < f->count; i++)
        if (o->algos == (1u << f->items[i].algo)) return &f->items[i];
    return NULL;
}

static int account_compute(eval_opts *o, ev_account *a)
{
    memset(a, 0, sizeof *a);
    a->n = o->per_account;
    a->k = o->account_k;
    if (!o->fpr_file) {
        a->p = o->per_image_fpr;
    } else {
        ev_fpr_set f;
        if (ev_fpr_read(o->fpr_file, &f)) return -1;
        const ev_fpr *fp = account_algo(o, &f);
        int rc = fp ? 0 : (cli_error("%s has no results for that --algo", o->fpr_file), -1);
        if (rc == 0 && !o->have_p) { /* P from the corpus: the image-level rate at T */
            uint64_t m = 0;
            for (uint64_t i = 0; i < fp->images; i++) m += fp->nearest[i] <= o->distance;
            o->per_image_fpr = fp->images ? (double)m / (double)fp->images : 0;
        }
        a->p = o->per_image_fpr;
        if (rc == 0) rc = account_empirical(o, fp, a);
        ev_fpr_set_free(&f);
        if (rc) return -1;
    }
    a->expected = a->p * (double)a->n;
    a->tail = hm_eval_binomial_tail(a->n, a->p, a->k);
    return 0;
}

static int sub_account(eval_opts *o, int argc, char **argv)
{
    (void)argv;
    ev_account a;
    uint64_t k;
    if (optind < argc) return cli_usage_error(o->cmd, "account takes no corpus (use --fpr FILE)");
    if (!o->thr_text || cli_parse_u64(o->thr_text, 0, UINT64_MAX, &k))
        return cli_usage_error(o->cmd, "--threshold K (matches that trigger a report) is required");
    if (!o->have_n) return cli_usage_error(o->cmd, "--images-per-account N is required");
    if (o->fpr_file && !o->have_distance) return cli_usage_error(o->cmd, "--fpr needs --distance T");
    if (!o->have_p && !o->fpr_file) return cli_usage_error(o->cmd, "--per-image-fpr P or --fpr FILE is required");
    int rc = prepare_outputs(o);
    if (rc) return rc;
    o->account_k = k;
    if (account_compute(o, &a)) return CLI_EXIT_ERROR;
    cli_buf b;
    cli_buf_init(&b);
    if (o->json) ev_account_json(&b, &a);
    else ev_account_text(&b, &a);
    rc = emit(o, &b);
    if (rc == 0 && o->report && ev_report_account(o->report, &a)) rc = CLI_EXIT_ERROR;
    cli_buf_free(&b);
    return rc;
}

static int sub_merge(eval_opts *o, int argc, char **argv)
{
    if (optind >= argc) return cli_usage_error(o->cmd, "no files to merge");
    if (prepare_outputs(o)) return CLI_EXIT_ERROR;
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
        o.sub = (int)i;
        o.algos = (1u << EV_PDQ_DIHEDRAL) - 1;
        o.shard_n = 1;
        o.seed = 1;
        o.targets[0] = 1e-3, o.targets[1] = 1e-4, o.targets[2] = 1e-5, o.ntargets = 3;
        int rc = parse_opts(argc - 1, argv + 1, &o);
        if (rc == -1) return CLI_EXIT_OK; /* --help */
        if (rc || (rc = check_flags(&o))) return rc;
        return SUBS[i].fn(&o, argc - 1, argv + 1);
    }
    return cli_usage_error("eval", "unknown command '%s'", argv[1]);
}
