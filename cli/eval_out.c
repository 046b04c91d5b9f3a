/* eval_out.c - where eval results go: output paths checked (and their
 * directories created) before any work, crash-safe writes, the list of
 * pairs within a threshold, and the account result. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval.h"
#include "keyfile.h"

/* mkdir -p: creates `dir` and its missing parents. */
static int make_dirs(const char *dir)
{
    char *p = strdup(dir);
    if (!p) return -1;
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s && *s != '/') continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) rc = -1;
        *s = c;
        if (!c) break;
    }
    free(p);
    struct stat st;
    return rc == 0 && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Proves that files can be made in `dir` by making and removing one. */
static int dir_writable(const char *dir)
{
    size_t n = strlen(dir) + 64;
    char *probe = malloc(n);
    if (!probe) return -1;
    snprintf(probe, n, "%s/.hashmatch-write-check-%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int saved = errno;
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    }
    free(probe);
    errno = saved;
    return fd >= 0 ? 0 : -1;
}

int ev_dir_prepare(const char *dir)
{
    if (make_dirs(dir) || dir_writable(dir)) {
        cli_error("cannot create or write the directory %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int ev_output_check(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error("%s is a directory, not an output file", path);
        return -1;
    }
    /* a device or FIFO (/dev/null, /dev/stdout, a pipe) is written in place
     * by cli_write_atomic: no file is made beside it, so its directory (/dev)
     * need not be writable, and opening a FIFO here would block */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return 0;
    char *dir = strdup(path);
    if (!dir) return -1;
    char *slash = strrchr(dir, '/');
    int rc;
    if (!slash) rc = dir_writable(".");
    else if (slash == dir) rc = dir_writable("/");
    else {
        *slash = '\0';
        rc = make_dirs(dir) || dir_writable(dir) ? -1 : 0;
    }
    if (rc) cli_error("cannot write %s: %s", path, strerror(errno));
    free(dir);
    return rc;
}

int ev_write_file(const char *path, const cli_buf *b)
{
    if (b->oom) {
        cli_error("out of memory");
        return -1;
    }
    if (!strcmp(path, "-")) return cli_buf_write(b, stdout);
    const char *why;
    if (cli_write_atomic(path, b->data ? b->data : "", b->len, 0666, 0, &why)) {
        cli_error("cannot write %s: %s", path, why);
        return -1;
    }
    return 0;
}

/* ---- pairs within a threshold ---- */

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(cli_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        cli_buf_puts(b, s);
        return;
    }
    cli_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') cli_buf_putc(b, '"');
        cli_buf_putc(b, *s);
    }
    cli_buf_putc(b, '"');
}

/* A file name as a CSV field: escaped as in all text output (a name can add
 * no line and carry no terminal control), then quoted when it holds a comma
 * or quote. */
static void csv_path(cli_buf *b, const char *path)
{
    char *e = cli_escape(path);
    if (!e) {
        b->oom = 1;
        return;
    }
    csv_field(b, e);
    free(e);
}

/* `, "KEY": HEX` of a path's raw bytes when it is not valid UTF-8 (its JSON
 * string shows U+FFFD), as path_bytes does in hash and scan output. */
static void json_path_bytes(cli_buf *b, const char *key, const char *path)
{
    if (cli_is_utf8(path)) return;
    cli_buf_printf(b, ", \"%s\": ", key);
    cli_buf_json_hex(b, (const uint8_t *)path, strlen(path));
}

/* The hash an image is listed with (PDQ's original for pdq_dihedral). */
static const uint8_t *code_of(const ev_corpus *c, int a, size_t i)
{
    return c->codes[a] + i * ev_algo_bytes(a);
}

static void pair_out(cli_buf *b, const ev_corpus *c, int a, const hm_eval_pair *p, int json, int first)
{
    size_t hb = a == EV_PDQ_DIHEDRAL ? HM_PDQ_BYTES : ev_algo_bytes(a);
    char ha[HM_MAX_HEX_SIZE], hb_[HM_MAX_HEX_SIZE];
    hm_hex_encode(code_of(c, a, (size_t)p->a), hb, ha);
    hm_hex_encode(code_of(c, a, (size_t)p->b), hb, hb_);
    const char *pa = c->paths[p->a], *pb = c->paths[p->b];
    if (json) {
        cli_buf_printf(b, "%s\n  {\"algo\": \"%s\", \"distance\": %u, \"index_a\": %lld, \"index_b\": %lld, \"path_a\": ",
                       first ? "" : ",", ev_algo_name(a), p->distance, (long long)p->a, (long long)p->b);
        cli_buf_json_string(b, pa);
        cli_buf_puts(b, ", \"path_b\": ");
        cli_buf_json_string(b, pb);
        json_path_bytes(b, "path_a_bytes", pa);
        json_path_bytes(b, "path_b_bytes", pb);
        cli_buf_printf(b, ", \"hash_a\": \"%s\", \"hash_b\": \"%s\"}", ha, hb_);
        return;
    }
    cli_buf_printf(b, "%s,%u,%lld,%lld,", ev_algo_name(a), p->distance, (long long)p->a, (long long)p->b);
    csv_path(b, pa);
    cli_buf_putc(b, ',');
    csv_path(b, pb);
    cli_buf_printf(b, ",%s,%s\n", ha, hb_);
}

#define MAX_LISTED_PAIRS 10000000u

int ev_pairs_within_write(const ev_corpus *c, const ev_fpr_options *o, unsigned threshold, int json,
                          const char *path)
{
    cli_buf b;
    cli_buf_init(&b);
    cli_buf_puts(&b, json ? "[" : "algo,distance,index_a,index_b,path_a,path_b,hash_a,hash_b\n");
    int rc = 0, first = 1;
    for (int a = 0; rc == 0 && a < EV_NALGO; a++) {
        if (!(o->algos & c->algos & (1u << a))) continue;
        hm_eval_pairs_options po = {.groups = c->group, .dihedral = a == EV_PDQ_DIHEDRAL,
                                    .threads = o->threads, .shard_index = o->shard_i,
                                    .shard_count = o->shard_n, .block = o->block};
        hm_eval_pair *pairs = NULL;
        size_t n = 0;
        hm_error err;
        size_t cb = a == EV_PDQ_DIHEDRAL ? HM_PDQ_BYTES : ev_algo_bytes(a);
        hm_status st = hm_eval_pairs_within(c->codes[a], c->n, cb, &po, threshold, MAX_LISTED_PAIRS,
                                            &pairs, &n, &err);
        if (st != HM_OK) {
            cli_error("%s pairs within %u: %s%s", ev_algo_name(a), threshold, err.message,
                      st == HM_E_LIMIT ? " (lower --pairs-within)" : "");
            rc = -1;
        }
        for (size_t k = 0; k < n; k++, first = 0) pair_out(&b, c, a, &pairs[k], json, first);
        hm_buffer_free(pairs);
    }
    if (json) cli_buf_puts(&b, "\n]\n");
    if (rc == 0) rc = ev_write_file(path, &b);
    cli_buf_free(&b);
    return rc;
}

/* ---- account ---- */

static const char CAVEAT[] =
    "The binomial tail assumes that the images of an account match independently. "
    "They do not: an account holds bursts, edits and near-duplicates of the same scene, "
    "so one false match often comes with others and the real tail is heavier than this figure.";

void ev_account_json(cli_buf *b, const ev_account *a)
{
    cli_buf_printf(b, "{\"per_image_fpr\": %.9g, \"images_per_account\": %llu, \"threshold\": %llu, "
                      "\"expected_false_matches\": %.9g, \"binomial_tail\": %.9g",
                   a->p, (unsigned long long)a->n, (unsigned long long)a->k, a->expected, a->tail);
    if (a->empirical)
        cli_buf_printf(b, ", \"empirical\": {\"algo\": \"%s\", \"distance\": %llu, \"draw\": \"%s\", "
                          "\"corpus_images\": %llu, \"trials\": %llu, \"crossed\": %llu, \"probability\": %.9g}",
                       ev_algo_name(a->algo), (unsigned long long)a->distance,
                       a->contiguous ? "contiguous" : "random", (unsigned long long)a->corpus_images,
                       (unsigned long long)a->trials, (unsigned long long)a->crossed,
                       (double)a->crossed / (double)a->trials);
    cli_buf_puts(b, ", \"caveat\": ");
    cli_buf_json_string(b, CAVEAT);
    cli_buf_puts(b, "}\n");
}

/* The same facts as "key: value" lines (nested keys as "empirical.algo"),
 * read back from the JSON so the two forms cannot disagree. */
void ev_account_text(cli_buf *b, const ev_account *a)
{
    cli_buf j;
    cli_buf_init(&j);
    ev_account_json(&j, a);
    jv v;
    const char *why;
    if (j.oom || jv_parse(j.data, j.len, &v, &why)) {
        b->oom = 1;
        cli_buf_free(&j);
        return;
    }
    for (size_t i = 0; i < v.n; i++) {
        const jv *x = &v.items[i];
        size_t n = x->type == JV_OBJ ? x->n : 1;
        for (size_t k = 0; k < n; k++) {
            const jv *y = x->type == JV_OBJ ? &x->items[k] : x;
            if (x->type == JV_OBJ) cli_buf_printf(b, "%s.%s: ", v.keys[i], x->keys[k]);
            else cli_buf_printf(b, "%s: ", v.keys[i]);
            if (y->type == JV_STR) cli_buf_printf(b, "%s\n", y->str);
            else cli_buf_printf(b, "%.9g\n", y->num);
        }
    }
    jv_free(&v);
    cli_buf_free(&j);
}
