/* cmd_hash.c - `hashmatch hash`: hash files on all cores, print JSON lines or a table. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "video/video_internal.h"

static const char HELP[] =
    "usage: hashmatch hash [options] PATH...\n"
    "\n"
    "Hashes each image or video file. Every image is read once: the same bytes\n"
    "feed the digests and the decoder, and one decode serves every perceptual\n"
    "hash. Video files (MP4/MOV, Matroska/WebM, AVI, MPEG-TS) get vPDQ, one PDQ\n"
    "hash per sampled frame as Meta's vpdq-hash-video computes it, and digests.\n"
    "\n"
    "options:\n"
    "  --algo LIST        comma list of pdq,ahash,dhash,phash,whash,md5,sha1,sha256,\n"
    "                     vpdq or 'all' (default: all); with vpdq and no image hash,\n"
    "                     GIF files are hashed as videos (every frame)\n"
    "  --pdq-mode MODE    fullres (default; Java/pdqhash/HMA) or cli512 (Meta's\n"
    "                     pdq-photo-hasher: squash to 512x512 first)\n"
    "  --dihedral         also print the 8 dihedral PDQ hashes\n"
    "  --exif-orientation apply the EXIF Orientation tag before hashing\n"
    "  --max-pixels N     refuse images with more pixels (default 100000000)\n"
    "  --vpdq-seconds S   seconds between hashed video frames (default 0: every\n"
    "                     frame), as vpdq-hash-video -r\n"
    "  --vpdq-size N      scale frames to NxN before hashing (default 0: their\n"
    "                     size), as vpdq-hash-video -s\n"
    "  --vpdq-mode MODE   portable (default: the same hashes on every CPU) or\n"
    "                     swscale (libswscale as the reference: CPU-dependent)\n"
    "  --vpdq-threads N   threads hashing the frames of one video (default 1)\n"
    "  --vpdq-dir DIR     also write DIR/NAME.txt per video in vpdq-hash-video's\n"
    "                     own format (NAME: the file name without its extension;\n"
    "                     two videos of one NAME fail the run, never overwrite)\n"
    "  --max-frames N     refuse videos with more frames (default 216000)\n"
    "  --max-seconds N    refuse videos longer than N seconds (default 7200)\n"
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
    "  vpdq<TAB>FRAME,QUALITY,HEX,SECONDS<TAB>PATH   one per hashed video frame: the\n"
    "                     second field is vpdq-hash-video's line\n"
    "JSON keys of a video: path, width, height, fps, frames_decoded, vpdq (an array\n"
    "of {frame, quality, hash, timestamp}), md5, sha1, sha256.\n"
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
    hm_video *video; /* a video file's frames and digests */
} result;

/* The DIR/NAME.txt files written in this run: a second video of the same
 * name (from another directory) would silently replace the first one's. */
typedef struct name_set {
    char **slots;
    size_t cap, count;
} name_set;

typedef struct {
    const cli_paths *paths;
    hm_hash_options opt;
    hm_video_options vopt;
    const char *vpdq_dir;
    name_set written; /* the --vpdq-dir files of this run */
    int json;
    int failed;
    size_t n_failed; /* files with an error row */
    cli_buf out, esc;
} job;

/* A file goes to the video decoder when vPDQ is wanted and it is a video
 * container, or a GIF while no image hash is asked for. */
static int as_video(const job *j, int fd)
{
    if (!(j->opt.algos & HM_MASK(HM_ALGO_VPDQ))) return 0;
    int gif, video = hm__fd_is_video(fd, &gif);
    return video || (gif && !(j->opt.algos & HM_MASK_PERCEPTUAL));
}

/* One hasher per worker: its buffers are reused from file to file. */
static void work(void *ctx, void *hasher, size_t i, void *slot)
{
    job *j = ctx;
    result *r = slot;
    const char *path = j->paths->items[i];
    r->video = NULL;
    int fd;
    r->status = cli_path_open(j->paths, i, &fd, &r->err);
    if (r->status != HM_OK) return;
    if (as_video(j, fd)) {
        r->status = hm_video_hash_fd(fd, path, &j->vopt, &r->video, &r->err);
    } else {
        uint8_t *data;
        size_t size;
        r->status = cli_fd_read(fd, path, j->opt.decode.max_file_bytes, &data, &size, &r->err);
        if (r->status == HM_OK)
            r->status = hasher ? hm_hasher_hash_buffer(hasher, data, size, &j->opt, &r->hashes,
                                                       &r->err)
                               : hm_hash_buffer(data, size, &j->opt, &r->hashes, &r->err);
        free(data);
    }
    close(fd);
    if (r->status == HM_E_IMAGE_FORMAT && (j->opt.algos & HM_MASK(HM_ALGO_VPDQ)))
        snprintf(r->err.message, sizeof r->err.message,
                 "neither an image (JPEG, PNG, GIF, WebP, PNM) nor a video container this build "
                 "reads (MP4/MOV, Matroska/WebM, AVI, MPEG-TS)");
}

/* The digests of a video, as hashes to print. */
static void video_digests(const hm_video *v, hm_hashes *h)
{
    const hm_video_info *info = hm_video_get_info(v);
    memset(h, 0, sizeof *h);
    h->algos = info->digests;
    memcpy(h->md5, info->md5, sizeof h->md5);
    memcpy(h->sha1, info->sha1, sizeof h->sha1);
    memcpy(h->sha256, info->sha256, sizeof h->sha256);
}

static void emit_video_json(cli_buf *b, const hm_video *v)
{
    const hm_video_info *info = hm_video_get_info(v);
    int first = 0;
    cli_buf_printf(b, ", \"width\": %u, \"height\": %u, \"fps\": %.17g, \"frames_decoded\": %llu",
                   info->width, info->height, info->fps, (unsigned long long)info->frames_decoded);
    cli_buf_json_key(b, &first, "vpdq");
    cli_video_json_frames(b, v);
}

static void emit_video_table(cli_buf *b, const char *path, const hm_video *v)
{
    char line[HM_VPDQ_LINE_SIZE];
    for (size_t i = 0; i < hm_video_frame_count(v); i++) {
        size_t n = hm_vpdq_format_line(hm_video_frame(v, i), line, sizeof line);
        if (n && line[n - 1] == '\n') line[n - 1] = '\0';
        cli_buf_printf(b, "vpdq\t%s\t%s\n", line, path);
    }
}

static void name_set_put(char **slots, size_t cap, char *name)
{
    size_t k = hm__fnv1a(name, strlen(name)) & (cap - 1);
    while (slots[k]) k = (k + 1) & (cap - 1);
    slots[k] = name;
}

/* Adds `name` (taken over): 1 when new, 0 when already there (freed), -1
 * when out of memory. */
static int name_set_add(name_set *set, char *name)
{
    if (!name) return -1;
    if (2 * (set->count + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots) return free(name), -1;
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i]) name_set_put(slots, cap, set->slots[i]);
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t mask = set->cap - 1;
    for (size_t k = hm__fnv1a(name, strlen(name)) & mask; set->slots[k]; k = (k + 1) & mask)
        if (!strcmp(set->slots[k], name)) return free(name), 0;
    name_set_put(set->slots, set->cap, name);
    set->count++;
    return 1;
}

static void name_set_free(name_set *set)
{
    for (size_t i = 0; i < set->cap; i++) free(set->slots[i]);
    free(set->slots);
}

static int write_frames(const char *out, const hm_video *v)
{
    FILE *f = fopen(out, "wb");
    int rc = f ? 0 : -1;
    char line[HM_VPDQ_LINE_SIZE];
    for (size_t i = 0; f && i < hm_video_frame_count(v); i++) {
        size_t n = hm_vpdq_format_line(hm_video_frame(v, i), line, sizeof line);
        if (fwrite(line, 1, n, f) != n) rc = -1;
    }
    if (f && fclose(f)) rc = -1;
    return rc;
}

/* --vpdq-dir: DIR/NAME.txt in the reference's format, once per NAME. */
static int write_vpdq_file(const char *dir, name_set *written, const char *path, const hm_video *v)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(strlen(dir) + stem + 6);
    if (!out) return -1;
    sprintf(out, "%s/%.*s.txt", dir, (int)stem, base);
    char *shown = cli_escape(out);
    int added = name_set_add(written, strdup(out)), rc = -1;
    if (added == 0)
        cli_error("%s: already written for another video of the same name in this run; not "
                  "replaced", shown ? shown : "?");
    else if (added > 0 && (rc = write_frames(out, v)) != 0)
        cli_error("%s: %s", shown ? shown : "?", strerror(errno));
    free(shown);
    free(out);
    return rc;
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
    hm_hashes vd;
    const hm_hashes *h = &r->hashes;
    if (r->video) {
        video_digests(r->video, &vd);
        h = &vd;
        emit_video_json(b, r->video);
    } else {
        cli_buf_json_key(b, &first, "width");
        cli_buf_printf(b, "%u", h->width);
        cli_buf_json_key(b, &first, "height");
        cli_buf_printf(b, "%u", h->height);
    }
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
    hm_hashes vd;
    const hm_hashes *h = &r->hashes;
    if (r->video) {
        emit_video_table(b, epath, r->video);
        video_digests(r->video, &vd);
        h = &vd;
    }
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
    if (r->status != HM_OK) {
        j->failed = 1;
        j->n_failed++;
    }
    cli_buf_reset(&j->out);
    if (j->json) emit_json(&j->out, j->paths->items[i], r);
    else emit_table(&j->out, &j->esc, j->paths->items[i], r);
    if (j->esc.oom || cli_buf_write(&j->out, stdout)) j->failed = 1;
    if (r->video && j->vpdq_dir &&
        write_vpdq_file(j->vpdq_dir, &j->written, j->paths->items[i], r->video))
        j->failed = 1;
    hm_video_free(r->video);
    r->video = NULL;
}

int cmd_hash(int argc, char **argv)
{
    enum { O_ALGO = 256, O_PDQ_MODE, O_DIHEDRAL, O_EXIF, O_JSON, O_SHARD, O_MAX_PIXELS,
           O_VPDQ_SECONDS, O_VPDQ_SIZE, O_VPDQ_MODE, O_VPDQ_THREADS, O_VPDQ_DIR, O_MAX_FRAMES,
           O_MAX_SECONDS };
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
        {"vpdq-seconds", required_argument, NULL, O_VPDQ_SECONDS},
        {"vpdq-size", required_argument, NULL, O_VPDQ_SIZE},
        {"vpdq-mode", required_argument, NULL, O_VPDQ_MODE},
        {"vpdq-threads", required_argument, NULL, O_VPDQ_THREADS},
        {"vpdq-dir", required_argument, NULL, O_VPDQ_DIR},
        {"max-frames", required_argument, NULL, O_MAX_FRAMES},
        {"max-seconds", required_argument, NULL, O_MAX_SECONDS},
        {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    job j;
    memset(&j, 0, sizeof j);
    j.opt.algos = HM_MASK_EVERY;
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
        case O_VPDQ_SECONDS:
            if (cli_parse_seconds(optarg, &j.vopt.seconds_per_hash))
                return cli_usage_error("hash", "--vpdq-seconds takes seconds, 0..1000000");
            break;
        case O_VPDQ_SIZE:
            if (cli_parse_u64(optarg, 0, HM_VPDQ_MAX_SIZE, &v) || (v && v < 5))
                return cli_usage_error("hash", "--vpdq-size takes 0 or 5..%u", HM_VPDQ_MAX_SIZE);
            j.vopt.size = (unsigned)v;
            break;
        case O_VPDQ_MODE:
            if (cli_parse_vpdq_mode(optarg, &j.vopt.mode))
                return cli_usage_error("hash", "--vpdq-mode must be portable or swscale");
            break;
        case O_VPDQ_THREADS:
            if (cli_parse_u64(optarg, 1, 256, &v))
                return cli_usage_error("hash", "--vpdq-threads takes 1..256");
            j.vopt.threads = (unsigned)v;
            break;
        case O_VPDQ_DIR: j.vpdq_dir = optarg; break;
        case O_MAX_FRAMES:
        case O_MAX_SECONDS:
            if (cli_parse_u64(optarg, 1, UINT64_MAX, &v))
                return cli_usage_error("hash", "--max-frames and --max-seconds take a positive "
                                                "integer");
            if (c == O_MAX_FRAMES) j.vopt.limits.max_frames = v;
            else j.vopt.limits.max_seconds = v;
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
    j.vopt.digests = j.opt.algos & HM_MASK_DIGESTS;

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
                        .work_state = work, .state_new = cli_hasher_new,
                        .state_free = cli_hasher_free, .emit = emit, .ctx = &j, .label = "hashing"};
    int rc = cli_parallel_run(&par);
    size_t n_files = paths.count;
    cli_buf_free(&j.out);
    cli_buf_free(&j.esc);
    name_set_free(&j.written);
    cli_paths_free(&paths);
    if (fflush(stdout) != 0) rc = -1;
    if (rc) {
        cli_error("cannot run worker threads or write output");
        return CLI_EXIT_ERROR;
    }
    if (j.n_failed)
        cli_warn("%zu of %zu files could not be hashed (see their error rows)", j.n_failed,
                 n_files);
    return j.failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
