/* eval_compute.c - the two measurements: pairwise distances between distinct
 * images (false positives) and distances from each image to its own edited
 * copies (recall). */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

void ev_fpr_set_free(ev_fpr_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].nearest);
        free(s->items[i].nearest_index);
    }
    for (size_t i = 0; i < s->npaths; i++) free(s->paths[i]);
    free(s->paths);
    memset(s, 0, sizeof *s);
}

void ev_rob_set_free(ev_rob_set *s)
{
    free(s->rows);
    memset(s, 0, sizeof *s);
}

ev_rob_row *ev_rob_find_or_add(ev_rob_set *s, int algo, const char *transform,
                               const char *strength)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->rows[i].algo == algo && !strcmp(s->rows[i].transform, transform) &&
            !strcmp(s->rows[i].strength, strength))
            return &s->rows[i];
    if (s->count == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        ev_rob_row *r = realloc(s->rows, nc * sizeof *r);
        if (!r) return NULL;
        s->rows = r;
        s->cap = nc;
    }
    ev_rob_row *r = &s->rows[s->count++];
    memset(r, 0, sizeof *r);
    r->algo = algo;
    snprintf(r->transform, sizeof r->transform, "%s", transform);
    snprintf(r->strength, sizeof r->strength, "%s", strength);
    return r;
}

/* Draws the pairs progress bar (thousands of pairs, to fit size_t on 32 bits). */
static void pairs_progress(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (!p->total && total) p->total = (size_t)(total / 1000);
    cli_progress_update(p, (size_t)(done / 1000));
}

static int fpr_one(const ev_corpus *c, int a, const ev_fpr_options *o, ev_fpr *f)
{
    f->algo = a;
    f->bits = ev_algo_bits(a);
    f->images = c->n;
    f->inputs_failed = c->failed;
    f->shard_i = o->shard_i;
    f->shard_n = o->shard_n;
    size_t n = c->n ? c->n : 1;
    f->nearest = malloc(n * sizeof *f->nearest);
    f->nearest_index = o->want_index ? malloc(n * sizeof *f->nearest_index) : NULL;
    if (!f->nearest || (o->want_index && !f->nearest_index)) {
        cli_error("out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) f->nearest[i] = HM_EVAL_NONE;
    for (size_t i = 0; f->nearest_index && i < c->n; i++) f->nearest_index[i] = -1;
    char label[64];
    snprintf(label, sizeof label, "pairs %s (k)", ev_algo_name(a));
    cli_progress prog;
    cli_progress_start(&prog, label, 0);
    hm_eval_pairs_options po = {.groups = c->group, .dihedral = a == EV_PDQ_DIHEDRAL,
                                .threads = o->threads, .shard_index = o->shard_i,
                                .shard_count = o->shard_n, .block = o->block,
                                .progress = pairs_progress, .progress_ctx = &prog};
    hm_error err;
    hm_status st = hm_eval_pairs(c->codes[a], c->n, a == EV_PDQ_DIHEDRAL ? HM_PDQ_BYTES : ev_algo_bytes(a),
                                 &po, f->hist, f->nearest, f->nearest_index, &err);
    cli_progress_finish(&prog);
    if (st != HM_OK) {
        cli_error("pair statistics of %s: %s", ev_algo_name(a), err.message);
        return -1;
    }
    f->pairs = hm_eval_hist_total(f->hist, f->bits);
    return 0;
}

int ev_compute_fpr(const ev_corpus *c, const ev_fpr_options *o, ev_fpr_set *out)
{
    memset(out, 0, sizeof *out);
    for (int a = 0; a < EV_NALGO; a++) {
        if (!(o->algos & c->algos & (1u << a))) continue;
        if (fpr_one(c, a, o, &out->items[out->count++])) {
            ev_fpr_set_free(out);
            return -1;
        }
    }
    return 0;
}

/* ---- robustness ---- */

typedef struct {
    hm_status st;
    hm_error err;
    uint16_t dist[]; /* [transform][algo], HM_EVAL_NONE when the edit failed */
} rob_slot;

typedef struct {
    const cli_paths *paths;
    const ev_rob_options *opt;
    ev_rob_set *out;
    size_t first_row[EV_NALGO];
    int oom;
} rob_job;

static void rob_work(void *ctx, size_t i, void *slot)
{
    rob_job *j = ctx;
    rob_slot *s = slot;
    uint8_t *data;
    size_t size;
    /* read as every command reads its inputs (never blocking, walked
     * directory by directory); the library measures the bytes */
    s->st = cli_path_read(j->paths, i, 0, &data, &size, &s->err);
    if (s->st != HM_OK) return;
    s->st = hm_eval_robustness_buffer(data ? (const void *)data : "", size, j->opt->transforms,
                                      j->opt->ntransforms, j->opt->seed, j->opt->algos, NULL,
                                      s->dist, NULL, &s->err);
    free(data);
}

static void rob_emit(void *ctx, size_t i, void *slot)
{
    rob_job *j = ctx;
    rob_slot *s = slot;
    if (s->st != HM_OK) {
        cli_warn_about(j->paths->items[i], s->err.message[0] ? s->err.message : hm_strerror(s->st));
        j->out->inputs_failed++;
        return;
    }
    for (int a = 0; a < EV_NALGO; a++) {
        if (!(j->opt->algos & (1u << a))) continue;
        for (size_t t = 0; t < j->opt->ntransforms; t++) {
            ev_rob_row *r = &j->out->rows[j->first_row[a] + t];
            uint16_t d = s->dist[t * HM_EVAL_ALGO_COUNT + (size_t)a];
            if (d == HM_EVAL_NONE) r->failed++;
            else r->images++, r->hist[d]++;
        }
    }
}

static int make_rows(rob_job *j)
{
    char name[128], strength[128];
    for (int a = 0; a < EV_NALGO; a++) {
        if (!(j->opt->algos & (1u << a))) continue;
        j->first_row[a] = j->out->count;
        for (size_t t = 0; t < j->opt->ntransforms; t++) {
            hm_transform_format(&j->opt->transforms[t], 1, name, sizeof name);
            hm_transform_format_params(&j->opt->transforms[t], strength, sizeof strength);
            /* duplicates in the list get their own rows */
            ev_rob_set *o = j->out;
            if (o->count == o->cap) {
                size_t nc = o->cap ? o->cap * 2 : 64;
                ev_rob_row *r = realloc(o->rows, nc * sizeof *r);
                if (!r) return -1;
                o->rows = r;
                o->cap = nc;
            }
            ev_rob_row *r = &o->rows[o->count++];
            memset(r, 0, sizeof *r);
            r->algo = a;
            snprintf(r->transform, sizeof r->transform, "%s", name);
            snprintf(r->strength, sizeof r->strength, "%s", strength);
        }
    }
    return 0;
}

int ev_compute_robustness(char **args, int nargs, const ev_rob_options *opt, ev_rob_set *out)
{
    memset(out, 0, sizeof *out);
    cli_paths paths = {0};
    if (cli_paths_expand(&paths, args, nargs, opt->recursive, NULL)) return -1;
    for (size_t i = 0; i < paths.count; i++) {
        hm_error err;
        if (ev_is_hash_file(&paths, i, &err) == 1) {
            cli_error("%s: robustness needs the images themselves, not hashes", paths.items[i]);
            cli_paths_free(&paths);
            return -1;
        }
    }
    cli_paths_shard(&paths, opt->shard_i, opt->shard_n);
    rob_job j = {.paths = &paths, .opt = opt, .out = out};
    int rc = make_rows(&j);
    cli_parallel par = {.count = paths.count,
                        .slot_size = sizeof(rob_slot) + opt->ntransforms * HM_EVAL_ALGO_COUNT * sizeof(uint16_t),
                        .threads = opt->threads, .work = rob_work, .emit = rob_emit, .ctx = &j,
                        .label = "editing and hashing"};
    double *px = rc == 0 && cli_progress_wanted(par.label)
                     ? cli_probe_pixels(&paths, NULL, paths.count, opt->threads)
                     : NULL;
    par.weights = px;
    if (rc == 0) rc = cli_parallel_run(&par);
    /* each row is of the same images: it counts the same ones left out */
    for (size_t k = 0; rc == 0 && k < out->count; k++)
        out->rows[k].inputs_failed = out->inputs_failed;
    free(px);
    cli_paths_free(&paths);
    if (rc) {
        cli_error("out of memory or no threads");
        ev_rob_set_free(out);
    }
    return rc;
}
