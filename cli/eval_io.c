/* eval_io.c - eval results as JSON and CSV, read back, merged, and joined
 * into ROC curves. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "common/common.h"
#include "eval/eval.h"

/* Thresholds printed in CSV when --threshold is not given (JSON has all). */
static int csv_default(unsigned bits, unsigned t)
{
    static const unsigned T256[] = {0, 10, 20, 31, 40, 50, 60, 66, 70, 80, 90, 100};
    static const unsigned T64[] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22};
    const unsigned *l = bits == 256 ? T256 : T64;
    for (int i = 0; i < 12; i++)
        if (l[i] == t) return 1;
    return 0;
}

static int show(const unsigned char *thr, unsigned bits, unsigned t, int csv)
{
    if (thr) return thr[t];
    return csv ? csv_default(bits, t) : 1;
}

/* Writes `,\n    "key": {"t": rate, ...}` */
static void rates_json(cli_buf *b, const char *key, const double *rate, unsigned bits,
                       const unsigned char *thr)
{
    cli_buf_printf(b, ",\n    \"%s\": {", key);
    int f2 = 1;
    for (unsigned t = 0; t <= bits; t++) {
        if (!show(thr, bits, t, 0)) continue;
        cli_buf_printf(b, "%s\"%u\": %.9g", f2 ? "" : ", ", t, rate[t]);
        f2 = 0;
    }
    cli_buf_putc(b, '}');
}

static void u64_array(cli_buf *b, const uint64_t *v, size_t n)
{
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) cli_buf_printf(b, "%s%llu", i ? ", " : "", (unsigned long long)v[i]);
    cli_buf_putc(b, ']');
}

static void image_rates(const ev_fpr *f, double *rate)
{
    uint64_t nh[EV_MAX_BITS + 1] = {0};
    hm_eval_nearest_hist(f->nearest, f->images, f->bits, nh);
    hm_eval_cumulative_rate(nh, f->bits, f->images, rate);
}

static void nearest_array(cli_buf *b, const ev_fpr *f)
{
    cli_buf_putc(b, '[');
    for (uint64_t k = 0; k < f->images; k++) {
        if (f->nearest[k] == HM_EVAL_NONE) cli_buf_printf(b, "%snull", k ? ", " : "");
        else cli_buf_printf(b, "%s%u", k ? ", " : "", f->nearest[k]);
    }
    cli_buf_putc(b, ']');
}

/* `"rates": [{"threshold": t, ...}, ...]`: one record per threshold, the
 * columns of the CSV (loads into a DataFrame as it is). */
static void rates_records(cli_buf *b, const ev_fpr *f, const unsigned char *thr)
{
    double rate[EV_MAX_BITS + 1], irate[EV_MAX_BITS + 1];
    hm_eval_cumulative_rate(f->hist, f->bits, f->pairs, rate);
    image_rates(f, irate);
    uint64_t run = 0;
    int first = 1;
    cli_buf_puts(b, ",\n    \"rates\": [");
    for (unsigned t = 0; t <= f->bits; t++) {
        run += f->hist[t];
        if (!show(thr, f->bits, t, 0)) continue;
        cli_buf_printf(b, "%s{\"threshold\": %u, \"pairs_within\": %llu, \"fpr\": %.9g, "
                          "\"images_within\": %.0f, \"image_fpr\": %.9g}",
                       first ? "" : ", ", t, (unsigned long long)run, rate[t],
                       irate[t] * (double)f->images, irate[t]);
        first = 0;
    }
    cli_buf_putc(b, ']');
}

static void json_paths(cli_buf *b, char *const *paths, size_t n, const ev_fpr *f, int nearest)
{
    cli_buf_putc(b, '[');
    for (size_t k = 0; k < n; k++) {
        if (k) cli_buf_puts(b, ", ");
        int64_t j = nearest ? f->nearest_index[k] : (int64_t)k;
        if (j < 0 || (size_t)j >= n) cli_buf_puts(b, "null");
        else cli_buf_json_string(b, paths[j]);
    }
    cli_buf_putc(b, ']');
}

/* `"per_image": {"path": [...], "nearest": [...], "nearest_index": [...],
 * "nearest_path": [...]}` when the paths are known: which image each
 * image's nearest neighbour is. */
static void per_image_json(cli_buf *b, const ev_fpr *f, const ev_fpr_set *s)
{
    if (!s->paths || s->npaths != f->images) return;
    cli_buf_puts(b, ",\n    \"per_image\": {\"path\": ");
    json_paths(b, s->paths, s->npaths, f, 0);
    cli_buf_puts(b, ",\n      \"nearest\": ");
    nearest_array(b, f);
    if (f->nearest_index) {
        cli_buf_puts(b, ",\n      \"nearest_index\": [");
        for (uint64_t k = 0; k < f->images; k++)
            if (f->nearest_index[k] < 0) cli_buf_printf(b, "%snull", k ? ", " : "");
            else cli_buf_printf(b, "%s%lld", k ? ", " : "", (long long)f->nearest_index[k]);
        cli_buf_puts(b, "],\n      \"nearest_path\": ");
        json_paths(b, s->paths, s->npaths, f, 1);
    }
    cli_buf_putc(b, '}');
}

void ev_fpr_json(cli_buf *b, const ev_fpr_set *s, const unsigned char *thr)
{
    double rate[EV_MAX_BITS + 1];
    cli_buf_puts(b, "{");
    for (size_t i = 0; i < s->count; i++) {
        const ev_fpr *f = &s->items[i];
        int first = 1;
        cli_buf_printf(b, "%s\n  \"%s\": {", i ? "," : "", ev_algo_name(f->algo));
        cli_buf_json_key(b, &first, "bits");
        cli_buf_printf(b, "%u", f->bits);
        cli_buf_json_key(b, &first, "images");
        cli_buf_printf(b, "%llu", (unsigned long long)f->images);
        cli_buf_json_key(b, &first, "pairs");
        cli_buf_printf(b, "%llu", (unsigned long long)f->pairs);
        cli_buf_json_key(b, &first, "inputs_failed");
        cli_buf_printf(b, "%llu", (unsigned long long)f->inputs_failed);
        cli_buf_json_key(b, &first, "shard");
        cli_buf_printf(b, "\"%u/%u\"", f->shard_i, f->shard_n);
        cli_buf_puts(b, ",\n    \"histogram\": ");
        u64_array(b, f->hist, f->bits + 1);
        hm_eval_cumulative_rate(f->hist, f->bits, f->pairs, rate);
        rates_json(b, "fpr", rate, f->bits, thr);
        image_rates(f, rate);
        rates_json(b, "image_fpr", rate, f->bits, thr);
        cli_buf_puts(b, ",\n    \"nearest\": ");
        nearest_array(b, f);
        rates_records(b, f, thr);
        per_image_json(b, f, s);
        cli_buf_puts(b, "}");
    }
    cli_buf_puts(b, "\n}\n");
}

void ev_fpr_csv(cli_buf *b, const ev_fpr_set *s, const unsigned char *thr)
{
    double rate[EV_MAX_BITS + 1], irate[EV_MAX_BITS + 1];
    cli_buf_puts(b, "algo,threshold,pairs,pairs_within,fpr,images,images_within,image_fpr\n");
    for (size_t i = 0; i < s->count; i++) {
        const ev_fpr *f = &s->items[i];
        hm_eval_cumulative_rate(f->hist, f->bits, f->pairs, rate);
        image_rates(f, irate);
        uint64_t run = 0;
        for (unsigned t = 0; t <= f->bits; t++) {
            run += f->hist[t];
            if (!show(thr, f->bits, t, 1)) continue;
            cli_buf_printf(b, "%s,%u,%llu,%llu,%.9g,%llu,%.0f,%.9g\n", ev_algo_name(f->algo), t,
                           (unsigned long long)f->pairs, (unsigned long long)run, rate[t],
                           (unsigned long long)f->images, irate[t] * (double)f->images, irate[t]);
        }
    }
}

static double mean_distance(const ev_rob_row *r)
{
    double s = 0;
    for (unsigned d = 0; d <= ev_algo_bits(r->algo); d++) s += (double)d * (double)r->hist[d];
    return r->images ? s / (double)r->images : 0;
}

/* The chain's text ("jpeg:70+scale:0.5") from its names and parameters. */
static void rob_spec(const ev_rob_row *r, char *out, size_t size)
{
    const char *n = r->transform, *p = r->strength;
    size_t len = 0;
    out[0] = '\0';
    while (*n && len + 1 < size) {
        size_t nl = strcspn(n, "+"), pl = strcspn(p, "+");
        len += (size_t)snprintf(out + len, size - len, "%s%.*s%s%.*s", len ? "+" : "", (int)nl, n,
                                pl ? ":" : "", (int)pl, p);
        n += nl + (n[nl] == '+');
        p += pl + (p[pl] == '+');
    }
}

/* `"spec": "...", "steps": [{"name": "jpeg", "params": [70]}, ...]`: the
 * transform as data (the parameters as numbers). */
static void steps_json(cli_buf *b, const ev_rob_row *r)
{
    char spec[300];
    hm_transform t;
    rob_spec(r, spec, sizeof spec);
    cli_buf_puts(b, ",\n   \"spec\": ");
    cli_buf_json_string(b, spec);
    cli_buf_puts(b, ", \"steps\": ");
    if (hm_transform_parse(spec, &t, NULL) != HM_OK) {
        cli_buf_puts(b, "null");
        return;
    }
    cli_buf_putc(b, '[');
    for (unsigned k = 0; k < t.count; k++) {
        hm_transform one = {.count = 1, .steps = {t.steps[k]}};
        char name[64];
        hm_transform_format(&one, 1, name, sizeof name);
        cli_buf_printf(b, "%s{\"name\": \"%s\", \"params\": [", k ? ", " : "", name);
        for (int q = 0; q < HM_TRANSFORM_MAX_PARAMS && !isnan(t.steps[k].param[q]); q++)
            cli_buf_printf(b, "%s%.9g", q ? ", " : "", t.steps[k].param[q]);
        cli_buf_puts(b, "]}");
    }
    cli_buf_putc(b, ']');
}

void ev_rob_json(cli_buf *b, const ev_rob_set *s, const unsigned char *thr)
{
    double rate[EV_MAX_BITS + 1];
    cli_buf_puts(b, "[");
    for (size_t i = 0; i < s->count; i++) {
        const ev_rob_row *r = &s->rows[i];
        unsigned bits = ev_algo_bits(r->algo);
        int first = 1;
        cli_buf_printf(b, "%s\n  {", i ? "," : "");
        cli_buf_json_key(b, &first, "algo");
        cli_buf_json_string(b, ev_algo_name(r->algo));
        cli_buf_json_key(b, &first, "transform");
        cli_buf_json_string(b, r->transform);
        cli_buf_json_key(b, &first, "strength");
        cli_buf_json_string(b, r->strength);
        cli_buf_json_key(b, &first, "images");
        cli_buf_printf(b, "%llu", (unsigned long long)r->images);
        cli_buf_json_key(b, &first, "failed");
        cli_buf_printf(b, "%llu", (unsigned long long)r->failed);
        cli_buf_json_key(b, &first, "inputs_failed");
        cli_buf_printf(b, "%llu", (unsigned long long)r->inputs_failed);
        cli_buf_json_key(b, &first, "mean_distance");
        cli_buf_printf(b, "%.4f", mean_distance(r));
        cli_buf_puts(b, ",\n   \"histogram\": ");
        u64_array(b, r->hist, bits + 1);
        hm_eval_cumulative_rate(r->hist, bits, r->images, rate);
        rates_json(b, "recall", rate, bits, thr);
        steps_json(b, r);
        uint64_t run = 0;
        int first2 = 1;
        cli_buf_puts(b, ",\n   \"rates\": [");
        for (unsigned t = 0; t <= bits; t++) {
            run += r->hist[t];
            if (!show(thr, bits, t, 0)) continue;
            cli_buf_printf(b, "%s{\"threshold\": %u, \"images_within\": %llu, \"recall\": %.9g}",
                           first2 ? "" : ", ", t, (unsigned long long)run, rate[t]);
            first2 = 0;
        }
        cli_buf_puts(b, "]}");
    }
    cli_buf_puts(b, "\n]\n");
}

void ev_rob_csv(cli_buf *b, const ev_rob_set *s, const unsigned char *thr)
{
    double rate[EV_MAX_BITS + 1];
    cli_buf_puts(b, "algo,transform,strength,images,failed,mean_distance,threshold,recall\n");
    for (size_t i = 0; i < s->count; i++) {
        const ev_rob_row *r = &s->rows[i];
        unsigned bits = ev_algo_bits(r->algo);
        hm_eval_cumulative_rate(r->hist, bits, r->images, rate);
        for (unsigned t = 0; t <= bits; t++)
            if (show(thr, bits, t, 1))
                cli_buf_printf(b, "%s,%s,%s,%llu,%llu,%.4f,%u,%.6f\n", ev_algo_name(r->algo),
                               r->transform, r->strength, (unsigned long long)r->images,
                               (unsigned long long)r->failed, mean_distance(r), t, rate[t]);
    }
}

/* ---- reading ---- */

static int read_json_file(const char *path, jv *out)
{
    uint8_t *data = NULL;
    size_t size = 0;
    hm_error e;
    if (hm__read_file(path, 0, &data, &size, &e) != HM_OK) {
        cli_error("%s: %s", path, e.message);
        return -1;
    }
    const char *why = NULL;
    int rc = jv_parse((const char *)data, size, out, &why);
    free(data);
    if (rc) cli_error("%s: not JSON (%s)", path, why ? why : "?");
    return rc;
}

static int read_u64_array(const jv *a, uint64_t *dst, size_t n)
{
    if (!a || a->type != JV_ARR || a->n != n) return -1;
    for (size_t i = 0; i < n; i++) {
        if (!a->items[i].is_uint) return -1;
        dst[i] = a->items[i].u;
    }
    return 0;
}

static int read_nearest_index(const jv *a, ev_fpr *f);

static int read_fpr_algo(const char *name, const jv *o, ev_fpr *f)
{
    memset(f, 0, sizeof *f);
    f->algo = ev_algo_from_name(name);
    const jv *bits = jv_get(o, "bits"), *images = jv_get(o, "images"), *near = jv_get(o, "nearest");
    const char *shard = jv_str(jv_get(o, "shard"));
    if (f->algo < 0 || !bits || !images || !images->is_uint || bits->u != ev_algo_bits(f->algo))
        return -1;
    f->bits = (unsigned)bits->u;
    f->images = images->u;
    const jv *lost = jv_get(o, "inputs_failed"); /* files written before it was added lack it */
    if (lost && !lost->is_uint) return -1;
    f->inputs_failed = lost ? lost->u : 0;
    if (read_u64_array(jv_get(o, "histogram"), f->hist, f->bits + 1)) return -1;
    f->pairs = hm_eval_hist_total(f->hist, f->bits);
    if (!shard || sscanf(shard, "%u/%u", &f->shard_i, &f->shard_n) != 2 || f->shard_n == 0 ||
        f->shard_i >= f->shard_n)
        return -1;
    if (!near || near->type != JV_ARR || near->n != f->images) return -1;
    f->nearest = malloc((f->images ? f->images : 1) * sizeof *f->nearest);
    if (!f->nearest) return -1;
    for (size_t i = 0; i < f->images; i++) {
        const jv *v = &near->items[i];
        if (v->type == JV_NULL) f->nearest[i] = HM_EVAL_NONE;
        else if (v->is_uint && v->u <= f->bits) f->nearest[i] = (uint16_t)v->u;
        else return -1;
    }
    return read_nearest_index(jv_get(jv_get(o, "per_image"), "nearest_index"), f);
}

/* per_image.nearest_index, when the file has it (older files do not). */
static int read_nearest_index(const jv *a, ev_fpr *f)
{
    if (!a) return 0;
    if (a->type != JV_ARR || a->n != f->images) return -1;
    f->nearest_index = malloc((f->images ? f->images : 1) * sizeof *f->nearest_index);
    if (!f->nearest_index) return -1;
    for (size_t i = 0; i < f->images; i++) {
        const jv *v = &a->items[i];
        if (v->type == JV_NULL) f->nearest_index[i] = -1;
        else if (v->is_uint && v->u < f->images) f->nearest_index[i] = (int64_t)v->u;
        else return -1;
    }
    return 0;
}

/* per_image.path of the first algorithm, when the file has it. */
static int read_paths(const jv *o, ev_fpr_set *out)
{
    const jv *a = jv_get(jv_get(o, "per_image"), "path");
    if (!a || out->paths) return 0;
    if (a->type != JV_ARR || a->n != out->items[0].images) return -1;
    out->paths = calloc(a->n ? a->n : 1, sizeof *out->paths);
    if (!out->paths) return -1;
    out->npaths = a->n;
    for (size_t i = 0; i < a->n; i++)
        if (!jv_str(&a->items[i]) || !(out->paths[i] = strdup(a->items[i].str))) return -1;
    return 0;
}

int ev_fpr_read(const char *path, ev_fpr_set *out)
{
    memset(out, 0, sizeof *out);
    jv root;
    if (read_json_file(path, &root)) return -1;
    int rc = root.type == JV_OBJ && root.n > 0 && root.n <= EV_NALGO ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < root.n; i++) {
        rc = read_fpr_algo(root.keys[i], &root.items[i], &out->items[i]);
        out->count = i + 1;
        if (rc == 0) rc = read_paths(&root.items[i], out);
    }
    jv_free(&root);
    if (rc) {
        cli_error("%s: not the output of 'eval fpr --json'", path);
        ev_fpr_set_free(out);
    }
    return rc;
}

static int read_rob_row(const jv *o, ev_rob_set *s)
{
    const char *algo = jv_str(jv_get(o, "algo")), *tr = jv_str(jv_get(o, "transform")),
               *st = jv_str(jv_get(o, "strength"));
    const jv *images = jv_get(o, "images"), *failed = jv_get(o, "failed"),
             *lost = jv_get(o, "inputs_failed"); /* optional: older files lack it */
    int a = algo ? ev_algo_from_name(algo) : -1;
    if (a < 0 || !tr || !st || !images || !images->is_uint || !failed || !failed->is_uint ||
        (lost && !lost->is_uint))
        return -1;
    uint64_t hist[EV_MAX_BITS + 1];
    if (read_u64_array(jv_get(o, "histogram"), hist, ev_algo_bits(a) + 1)) return -1;
    if (hm_eval_hist_total(hist, ev_algo_bits(a)) != images->u) return -1;
    ev_rob_row *r = ev_rob_find_or_add(s, a, tr, st);
    if (!r || hm_eval_hist_merge(r->hist, hist, ev_algo_bits(a))) return -1;
    r->images += images->u;
    r->failed += failed->u;
    if (lost) {
        r->inputs_failed += lost->u;
        if (lost->u > s->inputs_failed) s->inputs_failed = lost->u;
    }
    return 0;
}

int ev_rob_read(const char *path, ev_rob_set *out)
{
    memset(out, 0, sizeof *out);
    jv root;
    if (read_json_file(path, &root)) return -1;
    int rc = root.type == JV_ARR ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < root.n; i++) rc = read_rob_row(&root.items[i], out);
    jv_free(&root);
    if (rc) {
        cli_error("%s: not the output of 'eval robustness --json'", path);
        ev_rob_set_free(out);
    }
    return rc;
}

/* ---- merging ---- */

int ev_fpr_merge(ev_fpr_set *dst, const ev_fpr_set *src)
{
    if (dst->count != src->count) {
        cli_error("the shards cover different algorithms");
        return -1;
    }
    for (size_t i = 0; i < src->count; i++) {
        ev_fpr *d = &dst->items[i];
        const ev_fpr *s = &src->items[i];
        if (d->algo != s->algo || d->images != s->images || d->shard_n != s->shard_n) {
            cli_error("the shards disagree on %s (images or shard count)", ev_algo_name(s->algo));
            return -1;
        }
        if (hm_eval_hist_merge(d->hist, s->hist, d->bits)) {
            cli_error("a histogram counter would overflow");
            return -1;
        }
        d->pairs += s->pairs;
        /* every shard hashed the same corpus: the same inputs failed */
        if (s->inputs_failed > d->inputs_failed) d->inputs_failed = s->inputs_failed;
        if (!d->nearest_index != !s->nearest_index) { /* one shard lacks indices: keep none */
            free(d->nearest_index);
            d->nearest_index = NULL;
        }
        hm_eval_nearest_merge(d->nearest, d->nearest_index, s->nearest,
                              d->nearest_index ? s->nearest_index : NULL, (size_t)d->images);
    }
    return 0;
}

int ev_rob_merge(ev_rob_set *dst, const ev_rob_set *src)
{
    for (size_t i = 0; i < src->count; i++) {
        const ev_rob_row *s = &src->rows[i];
        ev_rob_row *d = ev_rob_find_or_add(dst, s->algo, s->transform, s->strength);
        if (!d || hm_eval_hist_merge(d->hist, s->hist, ev_algo_bits(s->algo))) {
            cli_error("out of memory or counter overflow while merging");
            return -1;
        }
        d->images += s->images;
        d->failed += s->failed;
        d->inputs_failed += s->inputs_failed; /* shards split the images */
    }
    dst->inputs_failed += src->inputs_failed;
    return 0;
}

/* ---- ROC ---- */

int ev_same_hist(const ev_rob_set *r, int algo, uint64_t *same, uint64_t *total)
{
    unsigned bits = ev_algo_bits(algo);
    memset(same, 0, (bits + 1) * sizeof *same);
    *total = 0;
    for (size_t k = 0; k < r->count; k++) {
        if (r->rows[k].algo != algo) continue;
        if (hm_eval_hist_merge(same, r->rows[k].hist, bits) != HM_OK) {
            cli_warn("%s: the pooled edit histogram overflows; left out", ev_algo_name(algo));
            *total = 0;
            return -1;
        }
        *total += r->rows[k].images;
    }
    return 0;
}

size_t ev_roc_build(const ev_fpr_set *f, const ev_rob_set *r, ev_roc *out)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        const ev_fpr *fp = &f->items[i];
        uint64_t same[EV_MAX_BITS + 1], total;
        if (ev_same_hist(r, fp->algo, same, &total) || !total) continue;
        ev_roc *o = &out[n++];
        memset(o, 0, sizeof *o);
        o->algo = fp->algo;
        o->bits = fp->bits;
        o->pairs = fp->pairs;
        o->same_pairs = total;
        hm_eval_cumulative_rate(fp->hist, fp->bits, fp->pairs, o->fpr);
        image_rates(fp, o->image_fpr);
        hm_eval_cumulative_rate(same, fp->bits, total, o->recall);
        o->auc = hm_eval_roc_auc(o->fpr, o->recall, o->bits);
    }
    return n;
}

static void roc_target_json(cli_buf *b, const ev_roc *o, double target)
{
    int t = hm_eval_threshold_for_fpr(o->fpr, o->bits, target);
    cli_buf_printf(b, "{\"target_fpr\": %.9g, \"threshold\": %d", target, t);
    if (t >= 0)
        cli_buf_printf(b, ", \"fpr\": %.9g, \"image_fpr\": %.9g, \"recall\": %.6f", o->fpr[t],
                       o->image_fpr[t], o->recall[t]);
    else /* no threshold meets the target: no rates either */
        cli_buf_puts(b, ", \"fpr\": null, \"image_fpr\": null, \"recall\": null");
    /* below one pair in the corpus, "no false positive seen" bounds nothing */
    cli_buf_printf(b, ", \"resolvable\": %s}", target * (double)o->pairs >= 1.0 ? "true" : "false");
}

void ev_roc_json(cli_buf *b, const ev_roc *roc, size_t n, const double *targets, size_t nt)
{
    cli_buf_puts(b, "{");
    for (size_t i = 0; i < n; i++) {
        const ev_roc *o = &roc[i];
        cli_buf_printf(b, "%s\n  \"%s\": {\"bits\": %u, \"pairs\": %llu, \"edited\": %llu, "
                          "\"auc\": %.6f,\n    \"targets\": [",
                       i ? "," : "", ev_algo_name(o->algo), o->bits, (unsigned long long)o->pairs,
                       (unsigned long long)o->same_pairs, o->auc);
        for (size_t k = 0; k < nt; k++) {
            if (k) cli_buf_puts(b, ", ");
            roc_target_json(b, o, targets[k]);
        }
        cli_buf_puts(b, "],\n    \"points\": [");
        for (unsigned t = 0; t <= o->bits; t++)
            cli_buf_printf(b, "%s{\"threshold\": %u, \"fpr\": %.9g, \"image_fpr\": %.9g, \"recall\": %.6f}",
                           t ? ", " : "", t, o->fpr[t], o->image_fpr[t], o->recall[t]);
        cli_buf_puts(b, "]}");
    }
    cli_buf_puts(b, "\n}\n");
}

void ev_roc_csv(cli_buf *b, const ev_roc *roc, size_t n, const double *targets, size_t nt)
{
    cli_buf_puts(b, "algo,threshold,fpr,image_fpr,recall\n");
    for (size_t i = 0; i < n; i++)
        for (unsigned t = 0; t <= roc[i].bits; t++)
            cli_buf_printf(b, "%s,%u,%.9g,%.9g,%.6f\n", ev_algo_name(roc[i].algo), t, roc[i].fpr[t],
                           roc[i].image_fpr[t], roc[i].recall[t]);
    cli_buf_puts(b, "\nalgo,target_fpr,threshold,fpr,recall,resolvable,auc\n");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nt; k++) {
            int t = hm_eval_threshold_for_fpr(roc[i].fpr, roc[i].bits, targets[k]);
            char fp[32] = "", rc[32] = ""; /* empty (null) when no threshold meets the target */
            if (t >= 0) snprintf(fp, sizeof fp, "%.9g", roc[i].fpr[t]), snprintf(rc, sizeof rc, "%.6f", roc[i].recall[t]);
            cli_buf_printf(b, "%s,%.9g,%d,%s,%s,%s,%.6f\n", ev_algo_name(roc[i].algo), targets[k], t, fp,
                           rc, targets[k] * (double)roc[i].pairs >= 1.0 ? "yes" : "no", roc[i].auc);
        }
}
