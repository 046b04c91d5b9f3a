/* eval_corpus.c - the inputs of an evaluation: images hashed once on all
 * cores (one decode serves every algorithm), or lines of `hashmatch hash
 * --json`, and an optional groups file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "eval.h"

static const char *const NAMES[EV_NALGO] = {"pdq", "ahash", "dhash", "phash", "whash",
                                            "pdq_dihedral"};

const char *ev_algo_name(int a) { return a >= 0 && a < EV_NALGO ? NAMES[a] : "?"; }

int ev_algo_from_name(const char *name)
{
    for (int a = 0; a < EV_NALGO; a++)
        if (!strcmp(NAMES[a], name)) return a;
    return -1;
}

unsigned ev_algo_bits(int a) { return a == EV_PDQ || a == EV_PDQ_DIHEDRAL ? 256 : 64; }
size_t ev_algo_bytes(int a) { return a == EV_PDQ_DIHEDRAL ? 8 * HM_PDQ_BYTES : ev_algo_bits(a) / 8; }
hm_algo ev_algo_id(int a)
{
    static const hm_algo IDS[EV_NALGO] = {HM_ALGO_PDQ,   HM_ALGO_AHASH, HM_ALGO_DHASH,
                                          HM_ALGO_PHASH, HM_ALGO_WHASH, HM_ALGO_PDQ};
    return IDS[a];
}

uint32_t ev_algo_parse(const char *list)
{
    if (!strcmp(list, "all")) return (1u << EV_PDQ_DIHEDRAL) - 1;
    uint32_t mask = 0;
    char *copy = strdup(list), *save = NULL;
    if (!copy) return 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int a = ev_algo_from_name(tok);
        if (a < 0 || a == EV_PDQ_DIHEDRAL) {
            free(copy);
            return 0;
        }
        mask |= 1u << a;
    }
    free(copy);
    return mask;
}

/* ---- growing the corpus ---- */

static int corpus_reserve(ev_corpus *c, size_t *cap)
{
    if (c->n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 1024;
    char **p = realloc(c->paths, nc * sizeof *p);
    if (!p) return -1;
    c->paths = p;
    for (int a = 0; a < EV_NALGO; a++) {
        uint8_t *q = realloc(c->codes[a], nc * ev_algo_bytes(a));
        if (!q) return -1;
        c->codes[a] = q;
    }
    *cap = nc;
    return 0;
}

void ev_corpus_free(ev_corpus *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->paths[i]);
    free(c->paths);
    for (int a = 0; a < EV_NALGO; a++) free(c->codes[a]);
    free(c->group);
    memset(c, 0, sizeof *c);
}

static int corpus_add(ev_corpus *c, size_t *cap, const char *path, const hm_hashes *h,
                      uint32_t have)
{
    if (corpus_reserve(c, cap)) return -1;
    size_t i = c->n;
    if (!(c->paths[i] = strdup(path))) return -1;
    for (int a = 0; a < EV_NALGO; a++) {
        uint8_t *dst = c->codes[a] + i * ev_algo_bytes(a);
        if (!(have & (1u << a))) memset(dst, 0, ev_algo_bytes(a));
        else if (a == EV_PDQ_DIHEDRAL) memcpy(dst, h->pdq_dihedral, 8 * HM_PDQ_BYTES);
        else memcpy(dst, hm_hashes_get(h, ev_algo_id(a), NULL), ev_algo_bytes(a));
    }
    c->algos &= have;
    c->n++;
    return 0;
}

/* ---- hash files ---- */

int ev_is_hash_file(const cli_paths *p, size_t i, hm_error *err)
{
    int fd;
    if (cli_path_open(p, i, &fd, err) != HM_OK) return -1;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        hm__fail(err, HM_E_NO_MEMORY, "%s: cannot open a stream", p->items[i]);
        return -1;
    }
    int ch;
    while ((ch = fgetc(f)) == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {}
    fclose(f);
    return ch == '{';
}

static uint8_t *field(hm_hashes *h, int a)
{
    switch (a) {
    case EV_PDQ: return h->pdq;
    case EV_AHASH: return h->ahash;
    case EV_DHASH: return h->dhash;
    case EV_PHASH: return h->phash;
    default: return h->whash;
    }
}

/* Reads one `hash --json` object into h; returns the algorithms it holds
 * (1u << EV_*), or -1 for a line that records a failed file. */
static long hash_line(const jv *o, hm_hashes *h)
{
    memset(h, 0, sizeof *h);
    if (jv_get(o, "error")) return -1;
    long have = 0;
    for (int a = 0; a < EV_PDQ_DIHEDRAL; a++) {
        const char *hex = jv_str(jv_get(o, NAMES[a]));
        if (hex && hm_hex_decode(hex, field(h, a), ev_algo_bytes(a)) == HM_OK) have |= 1L << a;
    }
    const jv *d = jv_get(o, "pdq_dihedral");
    if (d && d->type == JV_ARR && d->n == 8) {
        int ok = 1;
        for (int k = 0; k < 8; k++)
            ok = ok && jv_str(&d->items[k]) &&
                 hm_hex_decode(d->items[k].str, h->pdq_dihedral[k], HM_PDQ_BYTES) == HM_OK;
        if (ok) have |= 1L << EV_PDQ_DIHEDRAL;
    }
    return have;
}

/* The file name a `hash --json` line gives in "path_bytes" (present when
 * the name is not valid UTF-8, see escape.c), or NULL. */
static char *raw_path(const char *hex)
{
    size_t n = hex ? strlen(hex) : 0;
    if (!n || n % 2) return NULL;
    uint8_t *raw = malloc(n / 2 + 1);
    if (!raw) return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (hm_hex_decode(pair, raw + i, 1) != HM_OK || !raw[i]) {
            free(raw);
            return NULL;
        }
    }
    raw[n / 2] = 0;
    return (char *)raw;
}

static int read_hash_file(ev_corpus *c, size_t *cap, const cli_paths *paths, size_t index)
{
    const char *path = paths->items[index];
    int fd;
    hm_error err;
    FILE *f = cli_path_open(paths, index, &fd, &err) == HM_OK ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        cli_error("cannot open %s", path);
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        jv o;
        const char *why = NULL;
        size_t k = 0;
        while (k < (size_t)len && (line[k] == ' ' || line[k] == '\n' || line[k] == '\r')) k++;
        if (k == (size_t)len) continue;
        if (jv_parse(line, (size_t)len, &o, &why) || !jv_str(jv_get(&o, "path"))) {
            cli_error("%s:%zu: not a hash line (%s)", path, lineno, why ? why : "no \"path\"");
            rc = -1;
            if (!why) jv_free(&o);
            break;
        }
        hm_hashes h;
        long have = hash_line(&o, &h);
        if (have < 0) c->failed++;
        else {
            char *raw = raw_path(jv_str(jv_get(&o, "path_bytes")));
            if (corpus_add(c, cap, raw ? raw : jv_get(&o, "path")->str, &h, (uint32_t)have)) rc = -1;
            free(raw);
        }
        jv_free(&o);
    }
    free(line);
    fclose(f);
    return rc;
}

/* ---- images, hashed on all cores ---- */

typedef struct {
    hm_status st;
    hm_error err;
    hm_hashes h;
} hash_slot;

typedef struct {
    const cli_paths *paths;
    const size_t *index; /* the items that are images */
    hm_hash_options opt;
    ev_corpus *c;
    size_t *cap;
    uint32_t want;
    int oom;
} hash_job;

static void hash_work(void *ctx, size_t i, void *slot)
{
    hash_job *j = ctx;
    hash_slot *s = slot;
    hm_image *img = NULL;
    uint8_t *data;
    size_t size;
    s->st = cli_path_read(j->paths, j->index[i], 0, &data, &size, &s->err);
    if (s->st == HM_OK) s->st = hm_image_decode(data, size, &j->opt.decode, &img, &s->err);
    free(data);
    if (s->st == HM_OK) s->st = hm_hash_image(img, &j->opt, &s->h, &s->err);
    hm_image_free(img);
}

static void hash_emit(void *ctx, size_t i, void *slot)
{
    hash_job *j = ctx;
    hash_slot *s = slot;
    const char *path = j->paths->items[j->index[i]];
    if (s->st != HM_OK) {
        cli_warn_about(path, s->err.message[0] ? s->err.message : hm_strerror(s->st));
        j->c->failed++;
        return;
    }
    if (corpus_add(j->c, j->cap, path, &s->h, j->want)) j->oom = 1;
}

static int hash_images(ev_corpus *c, size_t *cap, const cli_paths *paths, const size_t *index,
                       size_t n, uint32_t want, unsigned threads)
{
    hash_job j = {.paths = paths, .index = index, .c = c, .cap = cap, .want = want};
    for (int a = 0; a < EV_PDQ_DIHEDRAL; a++)
        if (want & (1u << a)) j.opt.algos |= HM_MASK(ev_algo_id(a));
    j.opt.pdq_dihedral = (want >> EV_PDQ_DIHEDRAL) & 1;
    cli_parallel par = {.count = n, .slot_size = sizeof(hash_slot), .threads = threads,
                        .work = hash_work, .emit = hash_emit, .ctx = &j, .label = "hashing"};
    if (cli_parallel_run(&par) || j.oom) {
        cli_error("out of memory or no threads while hashing");
        return -1;
    }
    return 0;
}

/* ---- groups ---- */

typedef struct {
    char *path;
    size_t label;
} group_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const group_entry *)a)->path, ((const group_entry *)b)->path);
}

/* Lines "LABEL<TAB>PATH": images with equal labels share a source. */
static int read_groups(ev_corpus *c, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        cli_error("cannot open groups file %s", file);
        return -1;
    }
    char *line = NULL, **labels = NULL;
    size_t lcap = 0, n = 0, cap = 0;
    group_entry *e = NULL;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        char *tab = strchr(line, '\t');
        if (!len || line[0] == '#') continue;
        if (!tab) {
            cli_error("%s: expected LABEL<TAB>PATH, got '%s'", file, line);
            rc = -1;
            break;
        }
        *tab = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            group_entry *ne = realloc(e, cap * sizeof *e);
            char **nl = realloc(labels, cap * sizeof *nl);
            if (ne) e = ne;
            if (nl) labels = nl;
            if (!ne || !nl) {
                rc = -1;
                break;
            }
        }
        labels[n] = strdup(line);
        e[n].path = strdup(tab + 1);
        e[n].label = n;
        if (!labels[n] || !e[n].path) {
            rc = -1;
            break;
        }
        n++;
    }
    free(line);
    fclose(f);
    /* equal labels take the id of their first occurrence */
    for (size_t i = 0; rc == 0 && i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(labels[k], labels[i])) {
                e[i].label = e[k].label;
                break;
            }
    if (rc == 0) {
        qsort(e, n, sizeof *e, cmp_entry);
        for (size_t i = 0; i < c->n; i++) {
            group_entry key = {c->paths[i], 0};
            group_entry *hit = bsearch(&key, e, n, sizeof *e, cmp_entry);
            c->group[i] = hit ? (uint32_t)(c->n + hit->label) : (uint32_t)i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(labels[i]);
        free(e[i].path);
    }
    free(labels);
    free(e);
    if (rc) cli_error("cannot read groups file %s", file);
    return rc;
}

static size_t count_groups(const ev_corpus *c)
{
    /* ids are < 2n: mark them in a bitmap */
    size_t n = 0;
    uint8_t *seen = calloc(2 * c->n + 1, 1);
    if (!seen) return 0;
    for (size_t i = 0; i < c->n; i++)
        if (!seen[c->group[i]]++) n++;
    free(seen);
    return n;
}

int ev_corpus_load(ev_corpus *c, char **args, int nargs, const ev_load_options *opt)
{
    memset(c, 0, sizeof *c);
    c->algos = opt->algos;
    size_t cap = 0;
    cli_paths paths = {0};
    int rc = 0;
    if (cli_paths_expand(&paths, args, nargs, opt->recursive, NULL)) {
        cli_error("out of memory");
        return -1;
    }
    /* hash files are read in argument order, then every image is hashed */
    size_t *images = calloc(paths.count + 1, sizeof *images);
    size_t nimg = 0;
    for (size_t i = 0; images && rc == 0 && i < paths.count; i++) {
        hm_error err;
        int hf = ev_is_hash_file(&paths, i, &err);
        if (hf == 1) rc = read_hash_file(c, &cap, &paths, i);
        else if (hf == 0) images[nimg++] = i;
        else c->failed++, cli_warn_about(paths.items[i], err.message);
    }
    if (!images) rc = -1;
    if (rc == 0 && nimg) rc = hash_images(c, &cap, &paths, images, nimg, opt->algos, opt->threads);
    free(images);
    cli_paths_free(&paths);
    if (rc == 0 && c->n) {
        c->group = malloc(c->n * sizeof *c->group);
        if (!c->group) rc = -1;
        for (size_t i = 0; rc == 0 && i < c->n; i++) c->group[i] = (uint32_t)i;
        if (rc == 0 && opt->groups_file) rc = read_groups(c, opt->groups_file);
        if (rc == 0) c->groups = count_groups(c);
    }
    if (rc == 0 && c->n && c->algos != opt->algos)
        cli_warn("some inputs lack some algorithms; evaluating only those every input has");
    if (rc) ev_corpus_free(c);
    return rc;
}
