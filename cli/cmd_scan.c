/* cmd_scan.c - `hashmatch scan`: verify a set, build its scanner once, scan
 * files on all cores, print a report per file (grep's exit convention). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "cmd_set.h"
#include "escape.h"
#include "trust_opts.h"

static const char HELP_HEAD[] =
    "usage: hashmatch scan --set FILE (--trust TRUST | --trusted-key PUB... --threshold K)\n"
    "                      [--min-version V] [--json] [-r] PATH...\n"
    "\n"
    "Verifies the fingerprint set completely (digest, k-of-n signatures, version,\n"
    "expiry, structure), builds its index when the files amortise it (--index),\n"
    "then hashes every file (one read, one decode) and matches it with the set's\n"
    "own policy: Hamming radius per algorithm, PDQ variant and minimum quality,\n"
    "allowlist. A policy beyond this client's limits (--max-radius,\n"
    "--min-quality-floor) refuses the set. Nothing leaves the machine: the report\n"
    "is printed, nothing else happens.\n"
    "\n"
    "options:\n"
    "  --set FILE         the fingerprint set\n";
static const char HELP_TAIL[] =
    "  --algo LIST        match only these algorithms (default: all the set holds)\n"
    "  --dihedral         also match rotated and flipped copies (PDQ's 8 dihedral hashes)\n"
    "  --exif-orientation apply the EXIF Orientation tag before hashing\n"
    "  --max-pixels N     refuse images with more pixels (default 100000000)\n"
    "  --vpdq-mode MODE   videos: portable (default) or swscale (docs/VIDEO.md)\n"
    "  --vpdq-threads N   threads hashing the frames of one video (default 1)\n"
    "  --max-frames N     refuse videos and animations with more frames (default\n"
    "                     216000)\n"
    "  --max-seconds N    refuse videos lasting more than N seconds (default 7200)\n"
    "  --max-decoded N[K|M|G]  refuse videos and animations whose decoded frames\n"
    "                     exceed N bytes (default: 1 TiB for videos, 8 GiB for\n"
    "                     animated GIF, APNG and WebP)\n"
    "  --json             one JSON object per file and line\n"
    "  -r, --recursive    walk directories: every file, hidden ones too; symbolic\n"
    "                     links inside them are reported, not followed\n"
    "  -R, --dereference-recursive  the same, following every symbolic link\n"
    "  -j, --threads N    worker threads (default: all cores)\n"
    "  --index WHEN       auto (default): match by brute force, build the index only\n"
    "                     when the number of files amortises it; always: build it\n"
    "                     before the first file; never: brute force only\n"
    "  --index-mode MODE  fast (default) or compact: less memory, slower queries\n"
    "  -v, --verbose      print the set, its index and timings on stderr\n"
    "  -q, --quiet        no progress bar or warnings\n"
    "  -h, --help         this text\n"
    "\n"
    "JSON keys per file: path, matches [{algo, entry, distance, category, attesters,\n"
    "external_id, hash, dihedral}], suppressed (allowlisted matches, same shape),\n"
    "pdq_quality, pdq_skipped; for videos also video_matches [{kind, algo, entry,\n"
    "distance, query_pct, compared_pct, query_matched, query_total, compared_matched,\n"
    "compared_total, category, attesters, external_id, pairs}], vpdq_frames and\n"
    "vpdq_skipped, video_truncated (a cut video matched from the frames that are\n"
    "there); or path, error, message for a file that failed; path_bytes (hex)\n"
    "when the path is not valid UTF-8. Text output escapes names:\n"
    "\\\\ \\t \\n \\r \\xNN (docs/SCANNING.md).\n"
    "Exit status: 0 when nothing matched, 1 when something matched, 2 on any error.\n";

typedef struct {
    hm_status status;
    hm_error err;
    hm_report *report;
} result;

typedef struct {
    const hm_scanner *scanner;
    const hm_set *set;
    const cli_paths *paths;
    int json;
    int matched, failed;
    size_t n_matched_files, n_failed_files;
    cli_buf out;
} job;

/* One hasher per worker: its buffers are reused from file to file. */
static void work(void *ctx, void *hasher, size_t i, void *slot)
{
    job *j = ctx;
    result *r = slot;
    int fd;
    r->status = cli_path_open(j->paths, i, &fd, &r->err);
    if (r->status != HM_OK) return;
    /* A video is streamed from the descriptor, anything else read whole. */
    r->status = hm_scanner_scan_fd_with(j->scanner, hasher, fd, j->paths->items[i], &r->report,
                                        &r->err);
    close(fd);
}

static void json_matches(cli_buf *b, const hm_set *set, const hm_report *r, int suppressed)
{
    size_t n = suppressed ? hm_report_suppressed_count(r) : hm_report_match_count(r);
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        const hm_match *m = suppressed ? hm_report_suppressed(r, i) : hm_report_match(r, i);
        hm_set_entry e;
        int first = 1;
        cli_buf_puts(b, i ? ", {" : "{");
        cli_buf_json_key(b, &first, "algo");
        cli_buf_json_string(b, hm_algo_name(m->algo));
        cli_buf_json_key(b, &first, "entry");
        cli_buf_printf(b, "%zu", m->entry);
        cli_buf_json_key(b, &first, "distance");
        cli_buf_printf(b, "%u", m->distance);
        cli_buf_json_key(b, &first, "category");
        cli_buf_json_string(b, m->category_name);
        cli_buf_json_key(b, &first, "attesters");
        cli_buf_printf(b, "%u", m->attesters);
        cli_buf_json_key(b, &first, "external_id");
        cli_buf_json_string(b, m->external_id);
        if (hm_set_entry_get(set, m->algo, m->entry, &e) == HM_OK) {
            cli_buf_json_key(b, &first, "hash");
            cli_buf_json_hex(b, e.hash, hm_algo_hash_size(m->algo));
        }
        if (m->algo == HM_ALGO_PDQ) {
            cli_buf_json_key(b, &first, "dihedral");
            cli_buf_printf(b, "%u", m->dihedral);
        }
        cli_buf_putc(b, '}');
    }
    cli_buf_putc(b, ']');
}

/* The video keys: matches through frames, and for a scanned video its frame
 * count and whether vPDQ had frames to match. */
static void emit_json_video(cli_buf *b, int *first, const hm_report *r)
{
    size_t nv = hm_report_video_match_count(r);
    if (!nv && !hm_report_video(r)) return;
    cli_buf_json_key(b, first, "video_matches");
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < nv; i++) {
        if (i) cli_buf_puts(b, ", ");
        cli_video_match_json(b, hm_report_video_match(r, i));
    }
    cli_buf_putc(b, ']');
    if (!hm_report_video(r)) return;
    cli_buf_json_key(b, first, "vpdq_frames");
    cli_buf_printf(b, "%zu", hm_video_frame_count(hm_report_video(r)));
    cli_buf_json_key(b, first, "vpdq_skipped");
    cli_buf_puts(b, hm_report_vpdq_skipped(r) ? "true" : "false");
    cli_buf_json_key(b, first, "video_truncated");
    cli_buf_puts(b, hm_report_video_truncated(r) ? "true" : "false");
}

static void emit_json(job *j, const char *path, const result *r)
{
    cli_buf *b = &j->out;
    int first = 1;
    cli_buf_putc(b, '{');
    cli_buf_json_path(b, &first, path);
    if (r->status != HM_OK) {
        cli_buf_json_error(b, &first, r->status, &r->err);
        cli_buf_puts(b, "}\n");
        return;
    }
    cli_buf_json_key(b, &first, "matches");
    json_matches(b, j->set, r->report, 0);
    cli_buf_json_key(b, &first, "suppressed");
    json_matches(b, j->set, r->report, 1);
    emit_json_video(b, &first, r->report);
    const hm_hashes *h = hm_report_hashes(r->report);
    if (h->algos & HM_MASK(HM_ALGO_PDQ)) {
        cli_buf_json_key(b, &first, "pdq_quality");
        cli_buf_printf(b, "%d", h->pdq_quality);
        cli_buf_json_key(b, &first, "pdq_skipped");
        cli_buf_puts(b, hm_report_pdq_skipped(r->report) ? "true" : "false");
    }
    cli_buf_puts(b, "}\n");
}

/* Names from the file system and from the set are escaped (escape.c). */
static void text_match(cli_buf *b, const char *what, const char *path, const hm_match *m)
{
    cli_buf_printf(b, "%s\t", what);
    cli_buf_escaped(b, path);
    cli_buf_printf(b, "\t%s entry %zu distance %u category ", hm_algo_name(m->algo), m->entry,
                   m->distance);
    cli_buf_escaped(b, m->category_name);
    cli_buf_printf(b, " attesters %u", m->attesters);
    if (m->external_id[0]) {
        cli_buf_puts(b, " id ");
        cli_buf_escaped(b, m->external_id);
    }
    if (m->algo == HM_ALGO_PDQ && m->dihedral) cli_buf_printf(b, " dihedral %u", m->dihedral);
    cli_buf_putc(b, '\n');
}

static void emit_text(job *j, const char *path, const result *r)
{
    cli_buf *b = &j->out;
    if (r->status != HM_OK) {
        cli_buf_puts(b, "error\t");
        cli_buf_escaped(b, path);
        cli_buf_printf(b, "\t%s: ", hm_status_name(r->status));
        cli_buf_escaped(b, r->err.message[0] ? r->err.message : hm_strerror(r->status));
        cli_buf_putc(b, '\n');
        return;
    }
    size_t n = hm_report_match_count(r->report), ns = hm_report_suppressed_count(r->report);
    for (size_t i = 0; i < n; i++) text_match(b, "MATCH", path, hm_report_match(r->report, i));
    for (size_t i = 0; i < ns; i++)
        text_match(b, "allowlisted", path, hm_report_suppressed(r->report, i));
    size_t nv = hm_report_video_match_count(r->report);
    for (size_t i = 0; i < nv; i++) cli_video_match_text(b, path, hm_report_video_match(r->report, i));
    const hm_hashes *h = hm_report_hashes(r->report);
    if (!n && !nv) {
        cli_buf_puts(b, "ok\t");
        cli_buf_escaped(b, path);
        cli_buf_puts(b, "\tno match");
    }
    if (!n && !nv && hm_report_video(r->report)) {
        cli_buf_printf(b, " (video, %zu frames hashed%s)\n",
                       hm_video_frame_count(hm_report_video(r->report)),
                       hm_report_vpdq_skipped(r->report) ? ", none of quality enough for vpdq" : "");
    } else if (!n && !nv) {
        if (h->algos & HM_MASK(HM_ALGO_PDQ))
            cli_buf_printf(b, " (pdq quality %d%s)", h->pdq_quality,
                           hm_report_pdq_skipped(r->report) ? ", below the set's minimum: PDQ not matched" : "");
        cli_buf_putc(b, '\n');
    }
}

static void emit(void *ctx, size_t i, void *slot)
{
    job *j = ctx;
    result *r = slot;
    cli_buf_reset(&j->out);
    if (r->status != HM_OK) {
        j->failed = 1;
        j->n_failed_files++;
    } else if (hm_report_match_count(r->report) || hm_report_video_match_count(r->report)) {
        j->matched = 1;
        j->n_matched_files++;
    }
    if (j->json) emit_json(j, j->paths->items[i], r);
    else emit_text(j, j->paths->items[i], r);
    hm_report_free(r->report);
    r->report = NULL;
    if (cli_buf_write(&j->out, stdout)) j->failed = 1;
}

static void describe(const hm_set *set, const hm_scanner *sc, double open_s, double build_s)
{
    char hex[2 * HM_SET_DIGEST_BYTES + 1], name[CLI_ESCAPE_SIZE];
    hm_hex_encode(hm_set_digest(set), HM_SET_DIGEST_BYTES, hex);
    fprintf(stderr, "hashmatch: set \"%s\" version %llu, digest %s\n",
            cli_escape_into(hm_set_name(set), name, sizeof name), (unsigned long long)hm_set_version(set),
            hex);
    hm_scanner_memory_usage mem;
    hm_scanner_memory(sc, &mem);
    fprintf(stderr, "hashmatch: verified and loaded in %.3f s; scanner ready in %.3f s "
                    "(index %zu bytes)\n", open_s, build_s, mem.index);
    fprintf(stderr, "hashmatch: memory: codes %zu, metadata %zu, rest of the set %zu, index %zu "
                    "bytes\n", mem.codes, mem.metadata, mem.set_rest, mem.index);
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *sec = hm_set_section_get(set, (hm_algo)a);
        if (!sec || !(hm_scanner_algos(sc) & HM_MASK(a))) continue;
        fprintf(stderr, "hashmatch:   %-6s %zu entries (%zu active), ", hm_algo_name((hm_algo)a),
                sec->entry_count, sec->active_count);
        if (a == HM_ALGO_VPDQ)
            fprintf(stderr, "%zu frames, frame radius %u, quality %u, query %u.%02u%%, compared "
                    "%u.%02u%%, sampled every %u ms, %s\n", sec->frame_count, sec->radius,
                    sec->min_quality, sec->query_match_pct / 100, sec->query_match_pct % 100,
                    sec->compared_match_pct / 100, sec->compared_match_pct % 100, sec->variant,
                    hm_scanner_uses_index(sc, (hm_algo)a) ? "indexed" : "brute force");
        else if (hm_algo_is_perceptual((hm_algo)a))
            fprintf(stderr, "radius %u, %s\n", sec->radius,
                    hm_scanner_uses_index(sc, (hm_algo)a) ? "indexed" : "brute force");
        else
            fprintf(stderr, "exact lookup\n");
    }
}

typedef struct {
    const char *set_path;
    hm_scanner_options sopt;
    int json, recursive;
    unsigned threads;
} scan_args;

static int parse_index(const char *arg, hm_index_policy *out)
{
    if (!strcmp(arg, "auto")) *out = HM_INDEX_AUTO;
    else if (!strcmp(arg, "always")) *out = HM_INDEX_ALWAYS;
    else if (!strcmp(arg, "never")) *out = HM_INDEX_NEVER;
    else return -1;
    return 0;
}

/* Parses the command line; returns -1 to go on, or an exit status. */
static int parse(int argc, char **argv, scan_args *a, cli_trust *t)
{
    enum { O_SET = 256, O_JSON, O_ALGO, O_DIHEDRAL, O_EXIF, O_MAX_PIXELS, O_VPDQ_MODE,
           O_VPDQ_THREADS, O_INDEX, O_INDEX_MODE, O_MAX_FRAMES, O_MAX_SECONDS, O_MAX_DECODED };
    static const struct option LONG[] = {CLI_TRUST_LONG_OPTIONS,
                                         {"set", required_argument, NULL, O_SET},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"algo", required_argument, NULL, O_ALGO},
                                         {"dihedral", no_argument, NULL, O_DIHEDRAL},
                                         {"exif-orientation", no_argument, NULL, O_EXIF},
                                         {"max-pixels", required_argument, NULL, O_MAX_PIXELS},
                                         {"vpdq-mode", required_argument, NULL, O_VPDQ_MODE},
                                         {"vpdq-threads", required_argument, NULL, O_VPDQ_THREADS},
                                         {"max-frames", required_argument, NULL, O_MAX_FRAMES},
                                         {"max-seconds", required_argument, NULL, O_MAX_SECONDS},
                                         {"max-decoded", required_argument, NULL, O_MAX_DECODED},
                                         {"index", required_argument, NULL, O_INDEX},
                                         {"index-mode", required_argument, NULL, O_INDEX_MODE},
                                         {"recursive", no_argument, NULL, 'r'},
                                         {"dereference-recursive", no_argument, NULL, 'R'},
                                         {"threads", required_argument, NULL, 'j'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, r;
    uint64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "rRj:vqh", LONG, NULL)) != -1) {
        if ((r = cli_trust_option(t, c, optarg, "scan")) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case O_SET: a->set_path = optarg; break;
        case O_JSON: a->json = 1; break;
        case O_ALGO:
            if (hm_algo_mask_parse(optarg, &a->sopt.algos) != HM_OK)
                return cli_usage_error("scan", "unknown algorithm in '%s'", optarg);
            break;
        case O_DIHEDRAL: a->sopt.pdq_dihedral = 1; break;
        case O_EXIF: a->sopt.decode.apply_exif_orientation = 1; break;
        case O_MAX_PIXELS:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &v))
                return cli_usage_error("scan", "--max-pixels takes a positive integer");
            a->sopt.decode.max_pixels = v;
            break;
        case O_INDEX:
            if (parse_index(optarg, &a->sopt.index))
                return cli_usage_error("scan", "--index takes auto, always or never");
            break;
        case O_INDEX_MODE:
            if (!strcmp(optarg, "fast")) a->sopt.index_mode = HM_INDEX_FAST;
            else if (!strcmp(optarg, "compact")) a->sopt.index_mode = HM_INDEX_COMPACT;
            else return cli_usage_error("scan", "--index-mode takes fast or compact");
            break;
        case 'r': a->recursive = CLI_WALK_NOFOLLOW; break;
        case 'R': a->recursive = CLI_WALK_FOLLOW; break;
        case O_VPDQ_MODE:
            if (cli_parse_vpdq_mode(optarg, &a->sopt.video.mode))
                return cli_usage_error("scan", "--vpdq-mode must be portable or swscale");
            break;
        case O_VPDQ_THREADS:
            if (cli_parse_u64(optarg, 1, 256, &v))
                return cli_usage_error("scan", "--vpdq-threads takes 1..256");
            a->sopt.video.threads = (unsigned)v;
            break;
        case O_MAX_FRAMES:
        case O_MAX_SECONDS:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &v))
                return cli_usage_error("scan", "--max-frames and --max-seconds take a positive "
                                               "integer");
            if (c == O_MAX_FRAMES) a->sopt.video.limits.max_frames = v;
            else a->sopt.video.limits.max_seconds = v;
            break;
        case O_MAX_DECODED:
            if (cli_parse_size(optarg, &a->sopt.video.limits.max_decoded_bytes))
                return cli_usage_error("scan",
                                       "--max-decoded takes 1 byte to 1 TiB: N, NK, NM or NG");
            break;
        case 'j':
            if (cli_parse_u64(optarg, 1, 1024, &v))
                return cli_usage_error("scan", "--threads takes 1..1024");
            a->threads = (unsigned)v;
            break;
        case 'v': cli_verbosity = 2; break;
        case 'q': cli_verbosity = 0; break;
        case 'h': printf("%s%s%s", HELP_HEAD, CLI_TRUST_HELP, HELP_TAIL); return CLI_EXIT_OK;
        default: return cli_usage_error("scan", "invalid option");
        }
    }
    if (!a->set_path) return cli_usage_error("scan", "--set FILE is required");
    if (optind >= argc) return cli_usage_error("scan", "no input files");
    if (cli_trust_finish(t, "scan", 1)) return CLI_EXIT_USAGE;
    a->sopt.limits = t->opt.limits; /* the scanner checks the same limits again */
    return -1;
}

static int run(const scan_args *a, cli_trust *t, char **args, int nargs)
{
    hm_set *set = NULL;
    hm_scanner *sc = NULL;
    hm_error err;
    double t0 = cli_now();
    hm_status st = hm_set_open_file(a->set_path, &t->opt, &set, &err);
    if (st != HM_OK) {
        cli_error("%s: set %s: %s: %s", a->set_path,
                  cli_set_exit_status(st) == 1 ? "rejected" : "unreadable", hm_status_name(st),
                  err.message);
        cli_policy_hint(st);
        return CLI_EXIT_ERROR;
    }
    double t1 = cli_now();
    cli_paths paths = {0};
    int rc = 0;
    if (cli_paths_expand(&paths, args, nargs, a->recursive, NULL)) rc = -1;
    /* The number of files is the number of queries: HM_INDEX_AUTO builds the
     * index only when they amortise it (one file never does). */
    hm_scanner_options sopt = a->sopt;
    sopt.expected_queries = paths.count ? paths.count : 1;
    double t2 = cli_now();
    st = hm_scanner_new(set, &sopt, &sc, &err);
    double t3 = cli_now();
    if (st != HM_OK) {
        cli_error("%s: %s: %s", a->set_path, hm_status_name(st), err.message);
        cli_policy_hint(st);
        cli_paths_free(&paths);
        hm_set_free(set);
        return CLI_EXIT_ERROR;
    }
    if (cli_verbosity >= 2) describe(set, sc, t1 - t0, t3 - t2);
    job j = {.scanner = sc, .set = set, .paths = &paths, .json = a->json};
    cli_buf_init(&j.out);
    cli_parallel par = {.count = paths.count, .slot_size = sizeof(result), .threads = a->threads,
                        .work_state = work, .state_new = cli_hasher_new,
                        .state_free = cli_hasher_free, .emit = emit, .ctx = &j,
                        .label = "scanning"};
    if (rc == 0) rc = cli_parallel_run(&par);
    if (fflush(stdout) != 0) rc = -1;
    if (rc) cli_error("cannot run worker threads or write output");
    else if (cli_verbosity >= 2 && j.n_failed_files)
        cli_info("scanned %zu files: %zu matched, %zu could not be scanned", paths.count,
                 j.n_matched_files, j.n_failed_files);
    else if (cli_verbosity >= 2)
        cli_info("scanned %zu files: %zu matched", paths.count, j.n_matched_files);
    /* Error rows can scroll by among thousands of rows: say it once more
     * where it cannot be missed. */
    if (!rc && j.n_failed_files)
        cli_warn("%zu of %zu files could not be scanned (see their error rows): not a clean "
                 "scan", j.n_failed_files, paths.count);
    cli_buf_free(&j.out);
    cli_paths_free(&paths);
    hm_scanner_free(sc);
    hm_set_free(set);
    if (rc || j.failed) return CLI_EXIT_ERROR;
    return j.matched ? CLI_EXIT_MATCH : CLI_EXIT_OK;
}

int cmd_scan(int argc, char **argv)
{
    scan_args a;
    memset(&a, 0, sizeof a);
    a.sopt.build_threads = cli_cpu_count();
    cli_trust t;
    cli_trust_init(&t);
    int rc = parse(argc, argv, &a, &t);
    if (a.threads) a.sopt.build_threads = a.threads;
    if (rc < 0) rc = run(&a, &t, argv + optind, argc - optind);
    cli_trust_free(&t);
    return rc;
}
