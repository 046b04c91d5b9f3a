/* cmd_hash.c - `hashmatch hash`: hash files on all cores, print JSON lines or a table. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char HELP[] =
    "usage: hashmatch hash [options] PATH...\n"
    "\n"
    "Hashes each image file. Every file is read once: the same bytes feed the\n"
    "digests and the decoder, and one decode serves every perceptual hash.\n"
    "\n"
    "options:\n"
    "  --algo LIST        comma list of pdq,ahash,dhash,phash,whash,md5,sha1,sha256\n"
    "                     or 'all' (default: all)\n"
    "  --pdq-mode MODE    fullres (default; Java/pdqhash/HMA) or cli512 (Meta's\n"
    "                     pdq-photo-hasher: squash to 512x512 first)\n"
    "  --dihedral         also print the 8 dihedral PDQ hashes\n"
    "  --exif-orientation apply the EXIF Orientation tag before hashing\n"
    "  --max-pixels N     refuse images with more pixels (default 100000000)\n"
    "  --json             one JSON object per file and line\n"
    "  -r, --recursive    walk directories: every file, hidden ones too; symbolic\n"
    "                     links inside them are reported, not followed\n"
    "  -R, --dereference-recursive  the same, following every symbolic link\n"
    "  --shard I/N        hash only files I, I+N, I+2N, ... of the sorted list\n"
    "  -j, --threads N    worker threads (default: all cores)\n"
    "  -q, --quiet        no progress bar or warnings\n"
    "  -h, --help         this text\n"
    "\n"
    "Table output (default): one line per file and algorithm, tab-separated:\n"
    "  ALGO<TAB>VALUE<TAB>PATH   (ALGO: pdq, pdq_quality, pdq_rot90, ..., md5, ...)\n"
    "  error<TAB>CODE: MESSAGE<TAB>PATH   for a file that failed\n"
    "Names are escaped (\\\\ \\t \\n \\r \\xNN); JSON adds path_bytes (hex) when the\n"
    "path is not valid UTF-8.\n"
    "Exit status: 0 when every file was hashed, 2 when any failed.\n";

static const char *const DIHEDRAL_NAMES[HM_PDQ_DIHEDRAL_COUNT] = {
    "pdq_orig", "pdq_rot90", "pdq_rot180", "pdq_rot270",
    "pdq_flipx", "pdq_flipy", "pdq_flipplus1", "pdq_flipminus1"};

/* Perceptual algorithms first, then digests: the JSON key order. */
static const hm_algo ORDER[] = {HM_ALGO_PDQ,   HM_ALGO_AHASH, HM_ALGO_DHASH, HM_ALGO_PHASH,
                                HM_ALGO_WHASH, HM_ALGO_MD5,   HM_ALGO_SHA1,  HM_ALGO_SHA256};

typedef struct {
    hm_status status;
    hm_error err;
    hm_hashes hashes;
} result;

typedef struct {
    const cli_paths *paths;
    hm_hash_options opt;
    int json;
    int failed;
    cli_buf out, esc;
} job;

static void work(void *ctx, size_t i, void *slot)
{
    job *j = ctx;
    result *r = slot;
    uint8_t *data;
    size_t size;
    r->status = cli_path_read(j->paths, i, j->opt.decode.max_file_bytes, &data, &size, &r->err);
    if (r->status == HM_OK) r->status = hm_hash_buffer(data, size, &j->opt, &r->hashes, &r->err);
    free(data);
}

static void emit_json(cli_buf *b, const char *path, const result *r)
{
    int first = 1;
    cli_buf_putc(b, '{');
    cli_buf_json_path(b, &first, path);
    if (r->status != HM_OK) {
        cli_buf_json_error(b, &first, r->status, &r->err);
        cli_buf_puts(b, "}\n");
        return;
    }
    const hm_hashes *h = &r->hashes;
    cli_buf_json_key(b, &first, "width");
    cli_buf_printf(b, "%u", h->width);
    cli_buf_json_key(b, &first, "height");
    cli_buf_printf(b, "%u", h->height);
    for (size_t k = 0; k < sizeof ORDER / sizeof ORDER[0]; k++) {
        hm_algo a = ORDER[k];
        if (!(h->algos & HM_MASK(a))) continue;
        size_t n;
        const uint8_t *bytes = hm_hashes_get(h, a, &n);
        cli_buf_json_key(b, &first, hm_algo_name(a));
        cli_buf_json_hex(b, bytes, n);
        if (a == HM_ALGO_PDQ) {
            cli_buf_json_key(b, &first, "pdq_quality");
            cli_buf_printf(b, "%d", h->pdq_quality);
            if (h->has_pdq_dihedral) {
                cli_buf_json_key(b, &first, "pdq_dihedral");
                cli_buf_putc(b, '[');
                for (int d = 0; d < HM_PDQ_DIHEDRAL_COUNT; d++) {
                    if (d) cli_buf_puts(b, ", ");
                    cli_buf_json_hex(b, h->pdq_dihedral[d], HM_PDQ_BYTES);
                }
                cli_buf_putc(b, ']');
            }
        }
    }
    cli_buf_puts(b, "}\n");
}

static void emit_table(cli_buf *b, cli_buf *esc, const char *path, const result *r)
{
    char hex[HM_MAX_HEX_SIZE];
    if (r->status != HM_OK) {
        cli_buf_printf(b, "error\t%s: ", hm_status_name(r->status));
        cli_buf_escaped(b, r->err.message[0] ? r->err.message : hm_strerror(r->status));
        cli_buf_putc(b, '\t');
        cli_buf_escaped(b, path);
        cli_buf_putc(b, '\n');
        return;
    }
    /* The path as printed, once: it ends every line of this file. */
    cli_buf_reset(esc);
    cli_buf_escaped(esc, path);
    const char *epath = esc->data ? esc->data : "";
    const hm_hashes *h = &r->hashes;
    for (size_t k = 0; k < sizeof ORDER / sizeof ORDER[0]; k++) {
        hm_algo a = ORDER[k];
        if (!(h->algos & HM_MASK(a))) continue;
        size_t n;
        const uint8_t *bytes = hm_hashes_get(h, a, &n);
        hm_hex_encode(bytes, n, hex);
        cli_buf_printf(b, "%s\t%s\t%s\n", hm_algo_name(a), hex, epath);
        if (a == HM_ALGO_PDQ) {
            cli_buf_printf(b, "pdq_quality\t%d\t%s\n", h->pdq_quality, epath);
            for (int d = 1; h->has_pdq_dihedral && d < HM_PDQ_DIHEDRAL_COUNT; d++) {
                hm_hex_encode(h->pdq_dihedral[d], HM_PDQ_BYTES, hex);
                cli_buf_printf(b, "%s\t%s\t%s\n", DIHEDRAL_NAMES[d], hex, epath);
            }
        }
    }
}

static void emit(void *ctx, size_t i, void *slot)
{
    job *j = ctx;
    result *r = slot;
    if (r->status != HM_OK) j->failed = 1;
    cli_buf_reset(&j->out);
    if (j->json) emit_json(&j->out, j->paths->items[i], r);
    else emit_table(&j->out, &j->esc, j->paths->items[i], r);
    if (j->esc.oom || cli_buf_write(&j->out, stdout)) j->failed = 1;
}

int cmd_hash(int argc, char **argv)
{
    enum { O_ALGO = 256, O_PDQ_MODE, O_DIHEDRAL, O_EXIF, O_JSON, O_SHARD, O_MAX_PIXELS };
    static const struct option LONG[] = {
        {"algo", required_argument, NULL, O_ALGO},
        {"pdq-mode", required_argument, NULL, O_PDQ_MODE},
        {"dihedral", no_argument, NULL, O_DIHEDRAL},
        {"exif-orientation", no_argument, NULL, O_EXIF},
        {"json", no_argument, NULL, O_JSON},
        {"recursive", no_argument, NULL, 'r'},
        {"dereference-recursive", no_argument, NULL, 'R'},
        {"shard", required_argument, NULL, O_SHARD},
        {"max-pixels", required_argument, NULL, O_MAX_PIXELS},
        {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    job j;
    memset(&j, 0, sizeof j);
    j.opt.algos = HM_MASK_ALL;
    int recursive = 0;
    unsigned shard_i = 0, shard_n = 1, threads = 0;
    uint64_t v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "rRj:qh", LONG, NULL)) != -1) {
        switch (c) {
        case O_ALGO:
            if (hm_algo_mask_parse(optarg, &j.opt.algos) != HM_OK)
                return cli_usage_error("hash", "unknown algorithm in '%s'", optarg);
            break;
        case O_PDQ_MODE:
            if (!strcmp(optarg, "fullres")) j.opt.pdq_mode = HM_PDQ_FULLRES;
            else if (!strcmp(optarg, "cli512")) j.opt.pdq_mode = HM_PDQ_CLI512;
            else return cli_usage_error("hash", "--pdq-mode must be fullres or cli512");
            break;
        case O_DIHEDRAL: j.opt.pdq_dihedral = 1; break;
        case O_EXIF: j.opt.decode.apply_exif_orientation = 1; break;
        case O_JSON: j.json = 1; break;
        case 'r': recursive = CLI_WALK_NOFOLLOW; break;
        case 'R': recursive = CLI_WALK_FOLLOW; break;
        case O_SHARD:
            if (cli_parse_shard(optarg, &shard_i, &shard_n))
                return cli_usage_error("hash", "--shard takes I/N with 0 <= I < N");
            break;
        case O_MAX_PIXELS:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &v))
                return cli_usage_error("hash", "--max-pixels takes a positive integer");
            j.opt.decode.max_pixels = v;
            break;
        case 'j':
            if (cli_parse_u64(optarg, 1, 1024, &v))
                return cli_usage_error("hash", "--threads takes 1..1024");
            threads = (unsigned)v;
            break;
        case 'q': cli_verbosity = 0; break;
        case 'h': fputs(HELP, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("hash", "invalid option");
        }
    }
    if (optind >= argc) return cli_usage_error("hash", "no input files");
    if (j.opt.pdq_dihedral && !(j.opt.algos & HM_MASK(HM_ALGO_PDQ)))
        return cli_usage_error("hash", "--dihedral needs pdq in --algo");

    cli_paths paths = {0};
    if (cli_paths_expand(&paths, argv + optind, argc - optind, recursive, NULL)) {
        cli_error("out of memory");
        cli_paths_free(&paths);
        return CLI_EXIT_ERROR;
    }
    /* Sharding keeps every N-th file of the sorted, expanded list. */
    cli_paths_shard(&paths, shard_i, shard_n);

    j.paths = &paths;
    cli_buf_init(&j.out);
    cli_buf_init(&j.esc);
    cli_parallel par = {.count = paths.count, .slot_size = sizeof(result), .threads = threads,
                        .work = work, .emit = emit, .ctx = &j, .label = "hashing"};
    int rc = cli_parallel_run(&par);
    cli_buf_free(&j.out);
    cli_buf_free(&j.esc);
    cli_paths_free(&paths);
    if (fflush(stdout) != 0) rc = -1;
    if (rc) {
        cli_error("cannot run worker threads or write output");
        return CLI_EXIT_ERROR;
    }
    return j.failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
