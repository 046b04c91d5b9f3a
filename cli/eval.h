/* eval.h - `hashmatch eval`: the corpus, pairwise and robustness results,
 * their JSON/CSV forms, and the HTML report (shared by the cmd_eval*.c files). */
#ifndef HM_CLI_EVAL_H
#define HM_CLI_EVAL_H

#include "cli.h"

/* ---- jsonread.c: a small JSON tree reader ---- */
typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } jv_type;
typedef struct jv {
    jv_type type;
    double num;
    uint64_t u;  /* the exact value of a non-negative integer */
    int is_uint; /* 1 when u holds it */
    char *str;
    size_t n; /* items of an array or object */
    struct jv *items;
    char **keys; /* object keys, n of them */
} jv;
int jv_parse(const char *text, size_t len, jv *out, const char **error);
void jv_free(jv *v);
const jv *jv_get(const jv *obj, const char *key);
const char *jv_str(const jv *v);

/* ---- the algorithms an evaluation covers ---- */
/* Perceptual algorithms in output order, plus PDQ matched with its 8
 * dihedral hashes (EV_PDQ_DIHEDRAL: a pseudo-algorithm of the reports). */
enum { EV_PDQ, EV_AHASH, EV_DHASH, EV_PHASH, EV_WHASH, EV_PDQ_DIHEDRAL, EV_NALGO };
_Static_assert((int)EV_PDQ_DIHEDRAL == (int)HM_EVAL_PDQ_DIHEDRAL && (int)EV_NALGO == HM_EVAL_ALGO_COUNT,
               "the CLI's algorithm numbers are the library's hm_eval_algo");
#define EV_MAX_BITS 256
const char *ev_algo_name(int a);
int ev_algo_from_name(const char *name);
unsigned ev_algo_bits(int a);
size_t ev_algo_bytes(int a);
hm_algo ev_algo_id(int a); /* HM_ALGO_PDQ for EV_PDQ_DIHEDRAL */
/* Parses --algo (names of hm_algo_mask_parse, perceptual only, or "all");
 * returns a mask of 1u << EV_* or 0 on error. */
uint32_t ev_algo_parse(const char *list);

/* ---- eval_corpus.c: hashes of every input, each image decoded once ---- */
typedef struct ev_corpus {
    size_t n;
    char **paths;
    uint32_t algos;               /* 1u << EV_* actually present for every image */
    uint8_t *codes[EV_NALGO];     /* n codes of ev_algo_bytes each (EV_PDQ_DIHEDRAL: 8 per image) */
    uint32_t *group;              /* group id per image */
    size_t groups;                /* number of distinct ids */
    size_t failed;                /* inputs that could not be hashed (dropped) */
} ev_corpus;
typedef struct ev_load_options {
    uint32_t algos;
    int recursive;
    unsigned threads;
    const char *groups_file;
} ev_load_options;
/* Expands the arguments (images, directories with -r, hash --json files),
 * hashes the images on all cores and reads the hash files. Failures are
 * warned about and dropped. Returns 0, or -1 after printing an error. */
int ev_corpus_load(ev_corpus *c, char **args, int nargs, const ev_load_options *opt);
void ev_corpus_free(ev_corpus *c);
/* Whether item i holds `hashmatch hash --json` lines: 1 if it is one (first
 * non-blank byte '{'), 0 if not, -1 when it cannot be read (*err says why). */
int ev_is_hash_file(const cli_paths *p, size_t i, hm_error *err);

/* ---- results ---- */
typedef struct ev_fpr {
    int algo;
    unsigned bits;
    uint64_t images, pairs;
    uint64_t hist[EV_MAX_BITS + 1];
    uint16_t *nearest;       /* per image, HM_EVAL_NONE when no other group */
    int64_t *nearest_index;  /* per image, -1 when none; NULL when not known */
    unsigned shard_i, shard_n;
    uint64_t inputs_failed;  /* inputs left out: unreadable, undecodable, error lines */
} ev_fpr;
typedef struct ev_fpr_set {
    size_t count;
    ev_fpr items[EV_NALGO];
    char **paths; /* images, when known (for the empirical account draw) */
    size_t npaths;
} ev_fpr_set;
void ev_fpr_set_free(ev_fpr_set *s);

typedef struct ev_rob_row {
    int algo;
    char transform[128];
    char strength[128];
    uint64_t images, failed;
    uint64_t inputs_failed; /* images left out: unreadable or undecodable */
    uint64_t hist[EV_MAX_BITS + 1];
} ev_rob_row;
typedef struct ev_rob_set {
    size_t count, cap;
    ev_rob_row *rows;
    uint64_t inputs_failed; /* images of this run left out (each row counts them too) */
} ev_rob_set;
void ev_rob_set_free(ev_rob_set *s);
ev_rob_row *ev_rob_find_or_add(ev_rob_set *s, int algo, const char *transform,
                               const char *strength);

/* ---- eval_compute.c ---- */
typedef struct ev_fpr_options {
    uint32_t algos;
    unsigned threads, shard_i, shard_n;
    size_t block;   /* codes per block (0: the library's default) */
    int want_index; /* also the index of each image's nearest neighbour */
} ev_fpr_options;
int ev_compute_fpr(const ev_corpus *c, const ev_fpr_options *o, ev_fpr_set *out);
typedef struct ev_rob_options {
    uint32_t algos;
    const hm_transform *transforms;
    size_t ntransforms;
    uint64_t seed;
    unsigned threads;
    unsigned shard_i, shard_n;
    int recursive;
} ev_rob_options;
int ev_compute_robustness(char **args, int nargs, const ev_rob_options *opt, ev_rob_set *out);

/* ---- eval_io.c: JSON and CSV in and out ---- */
/* Thresholds chosen with --threshold: mask[t] non-zero to print t. NULL: all. */
void ev_fpr_json(cli_buf *b, const ev_fpr_set *s, const unsigned char *thr);
void ev_fpr_csv(cli_buf *b, const ev_fpr_set *s, const unsigned char *thr);
void ev_rob_json(cli_buf *b, const ev_rob_set *s, const unsigned char *thr);
void ev_rob_csv(cli_buf *b, const ev_rob_set *s, const unsigned char *thr);
/* Reads a file written by `eval fpr --json` / `eval robustness --json`.
 * Return 0, or -1 after printing an error. */
int ev_fpr_read(const char *path, ev_fpr_set *out);
int ev_rob_read(const char *path, ev_rob_set *out);
/* Sums the shards of one kind: checks that they agree and cover every shard
 * once. Return 0 or -1 after printing an error. */
int ev_fpr_merge(ev_fpr_set *dst, const ev_fpr_set *src);
int ev_rob_merge(ev_rob_set *dst, const ev_rob_set *src);

/* ROC per algorithm: pooled recall of every robustness row of the algorithm
 * against the pair-level FPR of the same algorithm. */
typedef struct ev_roc {
    int algo;
    unsigned bits;
    double fpr[EV_MAX_BITS + 1], image_fpr[EV_MAX_BITS + 1], recall[EV_MAX_BITS + 1];
    double auc;
    uint64_t pairs, same_pairs;
} ev_roc;
/* Pools the same-image histograms of every robustness row of `algo` into
 * same[0..bits] (images in *total). -1 (total 0) after a warning when a
 * counter would overflow. */
int ev_same_hist(const ev_rob_set *r, int algo, uint64_t *same, uint64_t *total);
size_t ev_roc_build(const ev_fpr_set *f, const ev_rob_set *r, ev_roc *out);
void ev_roc_json(cli_buf *b, const ev_roc *roc, size_t n, const double *targets, size_t nt);
void ev_roc_csv(cli_buf *b, const ev_roc *roc, size_t n, const double *targets, size_t nt);

/* ---- eval_out.c: where results go ---- */
/* Checks before any work that `path` can be written: creates its missing
 * parent directories and a probe file there. 0, or -1 after an error. */
int ev_output_check(const char *path);
/* Creates `dir` (and parents) and checks that files can be made in it. */
int ev_dir_prepare(const char *dir);
/* Writes a whole buffer to a file, crash-safe (temporary file, rename), or to
 * stdout for "-". 0 or -1 after an error. */
int ev_write_file(const char *path, const cli_buf *b);
/* Lists every pair within `threshold` of every algorithm (the blocks of the
 * shard of o) with paths and hashes, as CSV or a JSON array, into path. */
int ev_pairs_within_write(const ev_corpus *c, const ev_fpr_options *o, unsigned threshold, int json,
                          const char *path);

/* The account-level result of `eval account`. */
typedef struct ev_account {
    double p;              /* per-image false-positive rate */
    uint64_t n, k;         /* images per account, reporting threshold */
    double expected, tail; /* n * p and P(X >= k) */
    int empirical;         /* the draws below were made */
    int algo, contiguous;
    uint64_t distance, corpus_images, trials, crossed;
} ev_account;
void ev_account_json(cli_buf *b, const ev_account *a);
void ev_account_text(cli_buf *b, const ev_account *a);

/* ---- eval_report.c: HTML with inline SVG, each figure also as SVG and CSV ---- */
int ev_report_write(const char *dir, const ev_fpr_set *f, const ev_rob_set *r,
                    const double *targets, size_t nt);
int ev_report_account(const char *dir, const ev_account *a);

#endif /* HM_CLI_EVAL_H */
