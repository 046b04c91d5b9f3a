/* eval_compute.c - the two measurements: pairwise distances between distinct
 * images (false positives) and distances from each image to its own edited
 * copies (recall). */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

void ev_fpr_set_free(ev_fpr_set *s)
{
    for (size_t i = 0; i < s->count; i++) free(s->items[i].nearest);
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

int ev_compute_fpr(const ev_corpus *c, uint32_t algos, unsigned threads, unsigned shard_i,
                   unsigned shard_n, size_t block, ev_fpr_set *out)
{
    memset(out, 0, sizeof *out);
    for (int a = 0; a < EV_NALGO; a++) {
        if (!(algos & c->algos & (1u << a))) continue;
        ev_fpr *f = &out->items[out->count++];
        f->algo = a;
        f->bits = ev_algo_bits(a);
        f->images = c->n;
        f->shard_i = shard_i;
        f->shard_n = shard_n;
        f->nearest = malloc((c->n ? c->n : 1) * sizeof *f->nearest);
        if (!f->nearest) {
            cli_error("out of memory");
            ev_fpr_set_free(out);
            return -1;
        }
        for (size_t i = 0; i < c->n; i++) f->nearest[i] = UINT16_MAX;
        char label[64];
        snprintf(label, sizeof label, "pairs %s (k)", ev_algo_name(a));
        ev_pairs_job job = {.codes = c->codes[a], .n = c->n, .code_bytes = ev_algo_bytes(a),
                            .group = c->group, .threads = threads, .shard_i = shard_i,
                            .shard_n = shard_n, .block = block, .label = label};
        if (a == EV_PDQ_DIHEDRAL) job.dihedral = c->codes[a], job.code_bytes = HM_PDQ_BYTES;
        if (ev_pairs_run(&job, f->hist, f->nearest)) {
            cli_error("out of memory or no threads for the pair statistics");
            ev_fpr_set_free(out);
            return -1;
        }
        for (unsigned d = 0; d <= f->bits; d++) f->pairs += f->hist[d];
    }
    return 0;
}

/* ---- robustness ---- */

typedef struct {
    hm_status st;
    hm_error err;
    uint16_t dist[]; /* [transform][algo], UINT16_MAX when the edit failed */
} rob_slot;

typedef struct {
    const cli_paths *paths;
    const ev_rob_options *opt;
    hm_hash_options hopt;
    ev_rob_set *out;
    size_t first_row[EV_NALGO];
    int oom;
} rob_job;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static unsigned distance(int a, const hm_hashes *orig, const hm_hashes *edit)
{
    if (a != EV_PDQ_DIHEDRAL) {
        size_t n;
        const uint8_t *x = hm_hashes_get(orig, ev_algo_id(a), &n);
        return hm_hamming(x, hm_hashes_get(edit, ev_algo_id(a), NULL), n);
    }
    /* the edited image queries with its 8 dihedral hashes; the list holds the original */
    unsigned best = HM_PDQ_BITS;
    for (int k = 0; k < HM_PDQ_DIHEDRAL_COUNT; k++) {
        unsigned d = hm_hamming(edit->pdq_dihedral[k], orig->pdq, HM_PDQ_BYTES);
        if (d < best) best = d;
    }
    return best;
}

static void rob_work(void *ctx, size_t i, void *slot)
{
    rob_job *j = ctx;
    rob_slot *s = slot;
    size_t nt = j->opt->ntransforms;
    hm_image *img = NULL;
    hm_hashes orig, edit;
    for (size_t k = 0; k < nt * EV_NALGO; k++) s->dist[k] = UINT16_MAX;
    uint8_t *data;
    size_t size;
    s->st = cli_path_read(j->paths, i, 0, &data, &size, &s->err);
    if (s->st == HM_OK) s->st = hm_image_decode(data, size, &j->hopt.decode, &img, &s->err);
    free(data);
    if (s->st == HM_OK) s->st = hm_hash_image(img, &j->hopt, &orig, &s->err);
    /* every image's edits draw from a seed of its own path, so shards agree */
    uint64_t seed = j->opt->seed ^ fnv1a(j->paths->items[i]);
    for (size_t t = 0; s->st == HM_OK && t < nt; t++) {
        hm_image *e = NULL;
        if (hm_image_transform(img, &j->opt->transforms[t], seed + t, &e, NULL) == HM_OK &&
            hm_hash_image(e, &j->hopt, &edit, NULL) == HM_OK)
            for (int a = 0; a < EV_NALGO; a++)
                if (j->opt->algos & (1u << a)) s->dist[t * EV_NALGO + (size_t)a] = (uint16_t)distance(a, &orig, &edit);
        hm_image_free(e);
    }
    hm_image_free(img);
}

static void rob_emit(void *ctx, size_t i, void *slot)
{
    rob_job *j = ctx;
    rob_slot *s = slot;
    if (s->st != HM_OK) {
        cli_warn_about(j->paths->items[i], s->err.message[0] ? s->err.message : hm_strerror(s->st));
        return;
    }
    for (int a = 0; a < EV_NALGO; a++) {
        if (!(j->opt->algos & (1u << a))) continue;
        for (size_t t = 0; t < j->opt->ntransforms; t++) {
            ev_rob_row *r = &j->out->rows[j->first_row[a] + t];
            uint16_t d = s->dist[t * EV_NALGO + (size_t)a];
            if (d == UINT16_MAX) r->failed++;
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
    for (int a = 0; a < EV_PDQ_DIHEDRAL; a++)
        if (opt->algos & (1u << a)) j.hopt.algos |= HM_MASK(ev_algo_id(a));
    if (opt->algos & (1u << EV_PDQ_DIHEDRAL)) j.hopt.algos |= HM_MASK(HM_ALGO_PDQ), j.hopt.pdq_dihedral = 1;
    int rc = make_rows(&j);
    cli_parallel par = {.count = paths.count,
                        .slot_size = sizeof(rob_slot) + opt->ntransforms * EV_NALGO * sizeof(uint16_t),
                        .threads = opt->threads, .work = rob_work, .emit = rob_emit, .ctx = &j,
                        .label = "editing and hashing"};
    if (rc == 0) rc = cli_parallel_run(&par);
    cli_paths_free(&paths);
    if (rc) {
        cli_error("out of memory or no threads");
        ev_rob_set_free(out);
    }
    return rc;
}
