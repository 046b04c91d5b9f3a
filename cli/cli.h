/* cli.h - shared pieces of the hashmatch command-line tool. */
#ifndef HM_CLI_H
#define HM_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hashmatch.h"

/* Exit statuses (grep's convention where a command matches things). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_MATCH = 1, CLI_EXIT_ERROR = 2, CLI_EXIT_USAGE = 2 };

/* ---- subcommands (one file each) ---- */
typedef int (*cli_command_fn)(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_keygen(int argc, char **argv); /* cmd_keygen.c */
int cmd_scan(int argc, char **argv);   /* cmd_scan.c */
int cmd_set(int argc, char **argv);    /* cmd_set.c and cmd_set_*.c */

/* ---- log.c: every message to stderr goes through here ---- */
extern int cli_verbosity; /* 0 quiet, 1 normal, 2 verbose; -1 silent (errors too) */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning "NAME: MESSAGE" about a file, both escaped (escape.c). */
void cli_warn_about(const char *name, const char *message);
/* Prints "hashmatch <cmd>: <msg>" and a hint to use --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- json.c: a small streaming JSON writer into a growable buffer ---- */
typedef struct cli_buf {
    char *data;
    size_t len, cap;
    int oom;
} cli_buf;
void cli_buf_init(cli_buf *b);
void cli_buf_free(cli_buf *b);
void cli_buf_reset(cli_buf *b);
void cli_buf_putc(cli_buf *b, char c);
void cli_buf_puts(cli_buf *b, const char *s);
void cli_buf_putn(cli_buf *b, const char *s, size_t n);
void cli_buf_printf(cli_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included); invalid UTF-8 bytes
 * become U+FFFD. */
void cli_buf_json_string(cli_buf *b, const char *s);
/* Appends `"key": ` (with a leading ", " unless first). */
void cli_buf_json_key(cli_buf *b, int *first, const char *key);
/* Appends the `"error": NAME, "message": TEXT` pair of a failed file (the
 * message of `err`, or hm_strerror when it is empty). */
void cli_buf_json_error(cli_buf *b, int *first, hm_status status, const hm_error *err);
/* Appends the hex of bytes as a JSON string. */
void cli_buf_json_hex(cli_buf *b, const uint8_t *bytes, size_t n);
/* Writes the buffer to f; returns 0 or -1. */
int cli_buf_write(const cli_buf *b, FILE *f);

/* ---- escape.c: names from outside (file names...) in our output ---- */
/* Appends s with the text escapes (\\ \t \n \r \xNN for other control
 * bytes, invalid UTF-8 and invisible formatting characters): a name can
 * never add a field or a line. docs/SCANNING.md defines the scheme. */
void cli_buf_escaped(cli_buf *b, const char *s);
/* The same into a new string (free it); NULL when out of memory. */
char *cli_escape(const char *s);
/* Appends `"path": P` and, when P is not valid UTF-8 (so the JSON string
 * had to replace bytes with U+FFFD), `"path_bytes": HEX` of its raw bytes. */
void cli_buf_json_path(cli_buf *b, int *first, const char *path);
/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid; whether a
 * whole string is valid UTF-8. */
size_t cli_utf8_len(const unsigned char *s);
int cli_is_utf8(const char *s);

/* ---- files.c: expanding PATH arguments ---- */
/* How directories given as arguments are treated. */
enum { CLI_WALK_NONE = 0, CLI_WALK_NOFOLLOW = 1 /* -r */, CLI_WALK_FOLLOW = 2 /* -R */ };
typedef struct cli_path_info {
    size_t root_len;  /* bytes of the path that are the argument itself */
    hm_status status; /* HM_OK, or why the entry is not read */
    char *message;    /* with a status: "PATH: reason" */
} cli_path_info;
typedef struct cli_paths {
    char **items;        /* the paths as printed */
    cli_path_info *info; /* one per item */
    size_t count, cap;
    size_t errors;       /* items with a status */
    int follow;          /* -R */
} cli_paths;
/* Adds every argument: files as given (symbolic links followed); with
 * `recursive` (CLI_WALK_*), directories walked in byte order, hidden entries
 * included. Every entry found becomes an item: regular files to read, and
 * everything else (symbolic links under -r, FIFOs, devices, sockets,
 * unreadable directories, directory loops, a directory argument without
 * -r) with the status and message the commands print as an error row.
 * *errors (may be NULL) is the number of such items. Returns 0, or -1 on
 * out of memory. */
int cli_paths_expand(cli_paths *p, char **args, int nargs, int recursive, int *errors);
/* Opens item i for reading (never blocking) into *fd and checks that it
 * is a regular file; *fd is -1 on failure. */
hm_status cli_path_open(const cli_paths *p, size_t i, int *fd, hm_error *err);
/* Reads item i (see hm__read_fd: regular files only, at most max_bytes, 0
 * for the default); an item with a status fails with it. Files found by a
 * walk are opened directory by directory below the argument, so a path
 * longer than PATH_MAX is read and a component that became a symbolic link
 * is not followed under -r. */
hm_status cli_path_read(const cli_paths *p, size_t i, uint64_t max_bytes, uint8_t **data,
                        size_t *size, hm_error *err);
/* Reads a regular file from an open descriptor (hm__read_fd's checks). */
hm_status cli_fd_read(int fd, const char *name, uint64_t max_bytes, uint8_t **data, size_t *size,
                      hm_error *err);
/* Keeps items index, index + count, index + 2 count, ... */
void cli_paths_shard(cli_paths *p, unsigned index, unsigned count);
void cli_paths_free(cli_paths *p);

/* ---- parallel.c: run work over items on all cores, emit in order ---- */
typedef void (*cli_work_fn)(void *ctx, size_t index, void *slot);
typedef void (*cli_emit_fn)(void *ctx, size_t index, void *slot);
typedef void (*cli_work_state_fn)(void *ctx, void *state, size_t index, void *slot);
typedef struct cli_parallel {
    size_t count;       /* number of items */
    size_t slot_size;   /* bytes of per-item result storage */
    unsigned threads;   /* 0: number of online CPUs */
    cli_work_fn work;   /* called on worker threads, any order */
    cli_emit_fn emit;   /* called on the calling thread, in index order */
    void *ctx;
    const char *label;  /* progress bar label; NULL for none */
    /* Optional per-worker state (an hm_hasher): with work_state set, each
     * worker makes its state with state_new before its first item (NULL is
     * passed on when that fails), calls work_state instead of work, and
     * releases it with state_free when it ends. */
    cli_work_state_fn work_state;
    void *(*state_new)(void);
    void (*state_free)(void *state);
    const double *weights; /* per item (e.g. pixels): the bar and ETA follow them; may be NULL */
} cli_parallel;
/* Returns 0, or -1 if threads or memory could not be had. */
int cli_parallel_run(const cli_parallel *p);
/* state_new / state_free for cli_parallel: an hm_hasher (NULL when out of
 * memory: the work function then uses the stateless calls). */
void *cli_hasher_new(void);
void cli_hasher_free(void *hasher);
unsigned cli_cpu_count(void);

/* ---- progress.c: a progress bar on stderr when it is a terminal ---- */
typedef struct cli_progress {
    const char *label;
    size_t total, done;
    double total_weight, done_weight; /* when total_weight > 0 they drive the bar */
    double started, last_draw;
    int enabled;
} cli_progress;
/* Whether a bar with this label would be drawn (stderr a terminal, not -q). */
int cli_progress_wanted(const char *label);
void cli_progress_start(cli_progress *p, const char *label, size_t total);
void cli_progress_update(cli_progress *p, size_t done);
/* One more item done, of `weight` (set p->total_weight after start). */
void cli_progress_update_weighted(cli_progress *p, size_t done, double weight);
void cli_progress_finish(cli_progress *p);
/* Share of the work done (by weight when weights are set), and the seconds
 * left after `elapsed` at the same rate. */
double cli_progress_fraction(const cli_progress *p);
double cli_progress_eta(const cli_progress *p, double elapsed);
/* Pixels of items index[0..n) (items 0..n with index NULL) from their headers (the first 64 KiB read; no pixel
 * decoded), on `threads` threads; images whose size cannot be read count as
 * the mean of the others. A new array of n values, NULL when out of memory. */
double *cli_probe_pixels(const cli_paths *paths, const size_t *index, size_t n,
                         unsigned threads);
double cli_now(void); /* monotonic seconds */

/* ---- opts.c: small parsing helpers ---- */
/* Parses an unsigned decimal integer in [min, max]; returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parses a size: "N", "NK", "NM" or "NG" (binary units), 1 byte to 1 TiB. */
int cli_parse_size(const char *s, uint64_t *out);
/* Parses "I/N" (0 <= I < N). */
int cli_parse_shard(const char *s, unsigned *index, unsigned *count);

/* ---- video.c: videos in hash, scan and set build ---- */
/* Seconds 0..1e6 (decimal); returns 0 or -1. */
int cli_parse_seconds(const char *s, double *out);
/* "portable" or "swscale"; returns 0 or -1. */
int cli_parse_vpdq_mode(const char *s, hm_vpdq_mode *out);
/* The JSON array of a video's frames: [{"frame", "quality", "hash", "timestamp"}]. */
void cli_video_json_frames(cli_buf *b, const hm_video *v);
/* One video match as a text line (MATCH<TAB>PATH<TAB>...) or a JSON object. */
void cli_video_match_text(cli_buf *b, const char *path, const hm_video_match *m);
void cli_video_match_json(cli_buf *b, const hm_video_match *m);

#endif /* HM_CLI_H */
