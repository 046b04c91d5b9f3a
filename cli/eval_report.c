/* eval_report.c - `--report DIR`: one self-contained HTML page (index.html,
 * no script, no style sheet or font from elsewhere) with inline SVG figures.
 * Each figure is also written as a standalone DIR/NAME.svg, and the numbers
 * it draws as DIR/NAME.csv, so it can go into a paper as it is.
 *
 * Distance histograms use a logarithmic y axis: the overlap of the
 * different-image tail with the edited copies sets the false-positive rate,
 * and it is invisible on a linear axis. Numbers in tables have one format
 * each: counts with thousands separators, rates with three significant
 * digits, recall as a percentage with one decimal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

static const char *const COLOURS[EV_NALGO] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                              "#d62728", "#9467bd", "#17becf"};

/* The threshold a deployment of each algorithm commonly uses. */
static unsigned reference_threshold(int algo) { return ev_algo_bits(algo) == 256 ? 31 : 10; }

static const char STYLE[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
    "max-width:1100px;margin:24px auto;padding:0 20px;background:#fafafa}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;"
    "padding-bottom:4px}p.note{color:#555;font-size:13px}"
    "table{border-collapse:collapse;background:#fff;font-size:13.5px}"
    "td,th{border:1px solid #ddd;padding:4px 9px;text-align:right}th{background:#f0f0f0}"
    "td:first-child,th:first-child,th.path{text-align:left}td.path{text-align:left;font-family:monospace;font-size:12px;word-break:break-all}"
    ".grid{display:flex;flex-wrap:wrap;gap:14px}figure{display:inline-block;vertical-align:top;"
    "background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;margin:0}figcaption{font-size:12.5px;color:#555;width:0;min-width:100%}"
    "figcaption a{color:#36c}svg text{font-family:inherit}";

/* ---- number formats (one per kind of quantity) ---- */

static void html_escape(cli_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') cli_buf_puts(b, "&lt;");
        else if (*s == '>') cli_buf_puts(b, "&gt;");
        else if (*s == '&') cli_buf_puts(b, "&amp;");
        else if (*s == '"') cli_buf_puts(b, "&quot;");
        else if (*s == '\'') cli_buf_puts(b, "&#39;");
        else cli_buf_putc(b, *s);
    }
}

/* 130305 -> "130,305" */
static const char *fmt_count(char *buf, size_t n, uint64_t v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Rates: three significant digits ("0.0472", "7.67e-06", "1"); 0 is "0". */
static const char *fmt_rate(char *buf, size_t n, double r)
{
    snprintf(buf, n, "%.3g", r);
    return buf;
}

/* A target rate: 1e-3 as "10^-3" (HTML superscript), others with %g. */
static const char *fmt_target(char *buf, size_t n, double r)
{
    int e = (int)lround(log10(r));
    if (e < 0 && fabs(r - pow(10, e)) <= 1e-9 * r) snprintf(buf, n, "10<sup>&#8722;%d</sup>", -e);
    else snprintf(buf, n, "%g", r);
    return buf;
}

/* Recall and other shares: "97.8 %". */
static const char *fmt_pct(char *buf, size_t n, double r)
{
    snprintf(buf, n, "%.1f&#8201;%%", 100 * r);
    return buf;
}

/* ---- figures: each one a standalone SVG, inlined in the page ---- */

typedef struct figure {
    cli_buf svg, csv;
    char name[64];
} figure;

static void fig_begin(figure *f, const char *name, double w, double h)
{
    cli_buf_init(&f->svg);
    cli_buf_init(&f->csv);
    snprintf(f->name, sizeof f->name, "%s", name);
    cli_buf_printf(&f->svg, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
                            "viewBox='0 0 %.0f %.0f' font-family='sans-serif' font-size='11'>"
                            "<rect width='%.0f' height='%.0f' fill='#fff'/>",
                   w, h, w, h, w, h);
}

/* Writes DIR/NAME.svg and DIR/NAME.csv, appends the figure and its links to
 * the page, and frees the figure. */
static int fig_end(figure *f, const char *dir, cli_buf *page, const char *caption)
{
    cli_buf_puts(&f->svg, "</svg>");
    cli_buf file;
    cli_buf_init(&file);
    cli_buf_puts(&file, "<?xml version='1.0' encoding='UTF-8'?>\n");
    cli_buf_puts(&file, f->svg.data ? f->svg.data : "");
    cli_buf_putc(&file, '\n');
    size_t n = strlen(dir) + strlen(f->name) + 8;
    char *path = malloc(n);
    int rc = path ? 0 : -1;
    if (rc == 0) snprintf(path, n, "%s/%s.svg", dir, f->name), rc = ev_write_file(path, &file);
    if (rc == 0) snprintf(path, n, "%s/%s.csv", dir, f->name), rc = ev_write_file(path, &f->csv);
    cli_buf_printf(page, "<figure id='%s'>", f->name);
    cli_buf_puts(page, f->svg.data ? f->svg.data : "");
    cli_buf_printf(page, "<figcaption>%s <a href='%s.svg'>SVG</a> &#183; <a href='%s.csv'>data (CSV)</a>"
                         "</figcaption></figure>", caption, f->name, f->name);
    free(path);
    cli_buf_free(&file);
    cli_buf_free(&f->svg);
    cli_buf_free(&f->csv);
    return rc;
}

/* "10" with a superscript exponent, as SVG text at (x, y). */
static void decade_label(cli_buf *b, double x, double y, int e, const char *anchor)
{
    if (e == 0) {
        cli_buf_printf(b, "<text x='%.1f' y='%.1f' text-anchor='%s'>1</text>", x, y, anchor);
        return;
    }
    cli_buf_printf(b, "<text x='%.1f' y='%.1f' text-anchor='%s'>10<tspan dy='-5' font-size='8'>&#8722;%d</tspan></text>",
                   x, y, anchor, -e);
}

/* The plot frame, x ticks every `step` units from x0 to x1, and the axis labels. */
typedef struct axes {
    double L, T, W, H; /* plot area */
} axes;

static void axis_labels(cli_buf *b, const axes *a, const char *xlabel, const char *ylabel)
{
    cli_buf_printf(b, "<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' fill='none' stroke='#999'/>",
                   a->L, a->T, a->W, a->H);
    cli_buf_printf(b, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='12'>%s</text>", a->L + a->W / 2,
                   a->T + a->H + 32, xlabel);
    cli_buf_printf(b, "<text transform='translate(%.1f %.1f) rotate(-90)' text-anchor='middle' font-size='12'>%s</text>",
                   a->L - 44, a->T + a->H / 2, ylabel);
}

/* ---- distance histograms: edited copies vs different images, log y ---- */

/* The lowest decade shown: below the smallest non-zero fraction. */
static int lowest_decade(const double *a, const double *b, unsigned bits)
{
    double m = 1;
    for (unsigned d = 0; d <= bits; d++) {
        if (a[d] > 0 && a[d] < m) m = a[d];
        if (b && b[d] > 0 && b[d] < m) m = b[d];
    }
    int lo = (int)floor(log10(m));
    return lo > -1 ? -1 : lo < -12 ? -12 : lo;
}

/* A step line of fractions on the log axis; zero bins drop to the bottom. */
static void step_path(cli_buf *b, const axes *a, const double *v, unsigned bits, int lo, const char *col,
                      int fill)
{
    double bottom = a->T + a->H;
    cli_buf_printf(b, "<path fill='%s' fill-opacity='%s' stroke='%s' stroke-width='1.3' d='M%.1f %.1f",
                   fill ? col : "none", fill ? "0.18" : "0", col, a->L, bottom);
    for (unsigned d = 0; d <= bits; d++) {
        double x0 = a->L + a->W * d / (bits + 1), x1 = a->L + a->W * (d + 1) / (bits + 1);
        double y = v[d] > 0 ? a->T + a->H * (log10(v[d]) / lo) : bottom;
        if (y > bottom) y = bottom;
        cli_buf_printf(b, " L%.1f %.1f L%.1f %.1f", x0, y, x1, y);
    }
    cli_buf_printf(b, " L%.1f %.1f%s'/>", a->L + a->W, bottom, fill ? " Z" : "");
}

static int histogram_figure(const char *dir, cli_buf *page, const ev_fpr *f, const uint64_t *same,
                            uint64_t nsame)
{
    figure fig;
    char name[64];
    snprintf(name, sizeof name, "histogram-%s", ev_algo_name(f->algo));
    fig_begin(&fig, name, 500, 290);
    axes a = {62, 30, 424, 200};
    double diff[EV_MAX_BITS + 1], sm[EV_MAX_BITS + 1];
    cli_buf_puts(&fig.csv, "distance_bits,different_pairs,different_fraction,edited_pairs,edited_fraction\n");
    for (unsigned d = 0; d <= f->bits; d++) {
        diff[d] = f->pairs ? (double)f->hist[d] / (double)f->pairs : 0;
        sm[d] = nsame ? (double)same[d] / (double)nsame : 0;
        cli_buf_printf(&fig.csv, "%u,%llu,%.9g,%llu,%.9g\n", d, (unsigned long long)f->hist[d], diff[d],
                       (unsigned long long)same[d], sm[d]);
    }
    int lo = lowest_decade(diff, nsame ? sm : NULL, f->bits);
    cli_buf_printf(&fig.svg, "<text x='%.0f' y='18' font-size='14' font-weight='600'>%s</text>", a.L,
                   ev_algo_name(f->algo));
    for (int e = lo; e <= 0; e++) { /* decades: grid lines and labels */
        double y = a.T + a.H * ((double)e / lo);
        cli_buf_printf(&fig.svg, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#e8e8e8'/>", a.L,
                       a.L + a.W, y, y);
        decade_label(&fig.svg, a.L - 5, y + 4, e, "end");
    }
    for (int k = 0; k <= 4; k++) {
        unsigned d = f->bits * (unsigned)k / 4;
        double x = a.L + a.W * (d + 0.5) / (f->bits + 1);
        cli_buf_printf(&fig.svg, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#999'/>"
                                 "<text x='%.1f' y='%.0f' text-anchor='middle'>%u</text>",
                       x, x, a.T + a.H, a.T + a.H + 4, x, a.T + a.H + 16, d);
    }
    step_path(&fig.svg, &a, diff, f->bits, lo, "#777", 1);
    if (nsame) step_path(&fig.svg, &a, sm, f->bits, lo, COLOURS[f->algo], 0);
    unsigned rt = reference_threshold(f->algo);
    double xr = a.L + a.W * (rt + 1) / (f->bits + 1);
    cli_buf_printf(&fig.svg, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#000' stroke-dasharray='4 3'/>"
                             "<text x='%.1f' y='%.0f'>t = %u</text>",
                   xr, xr, a.T, a.T + a.H, xr + 3, a.T + 12, rt);
    axis_labels(&fig.svg, &a, "Hamming distance (bits)", "fraction of pairs (log scale)");
    double lx = a.L + a.W - 178;
    if (nsame)
        cli_buf_printf(&fig.svg, "<line x1='%.0f' x2='%.0f' y1='%.0f' y2='%.0f' stroke='%s' stroke-width='2'/>"
                                 "<text x='%.0f' y='%.0f'>edited copies (same image)</text>",
                       lx, lx + 14, a.T + 12, a.T + 12, COLOURS[f->algo], lx + 18, a.T + 16);
    cli_buf_printf(&fig.svg, "<rect x='%.0f' y='%.0f' width='14' height='9' fill='#777' fill-opacity='0.3' stroke='#777'/>"
                             "<text x='%.0f' y='%.0f'>different images</text>",
                   lx, a.T + 22, lx + 18, a.T + 30);
    char caption[256], pairs[32];
    snprintf(caption, sizeof caption, "Distances of %s: %s pairs of different images%s.",
             ev_algo_name(f->algo), fmt_count(pairs, sizeof pairs, f->pairs),
             nsame ? " and the edited copies of each image (every transform pooled)" : "");
    return fig_end(&fig, dir, page, caption);
}

/* ---- ROC: recall against pair-level FPR, log x ---- */

static double roc_x(const axes *a, double fpr, int lo)
{
    double lx = fpr > 0 ? log10(fpr) : lo;
    if (lx < lo) lx = lo;
    return a->L + a->W * (lx - lo) / (double)(-lo);
}

static int roc_figure(const char *dir, cli_buf *page, const ev_roc *roc, size_t n)
{
    figure fig;
    fig_begin(&fig, "roc", 780, 420);
    axes a = {70, 24, 420, 330};
    uint64_t maxpairs = 1;
    for (size_t i = 0; i < n; i++)
        if (roc[i].pairs > maxpairs) maxpairs = roc[i].pairs;
    int lo = (int)floor(log10(1.0 / (double)maxpairs)) - 1; /* left edge: FPR 0 is drawn here */
    for (int e = lo; e <= 0; e++) {
        double x = a.L + a.W * (e - lo) / (double)(-lo);
        cli_buf_printf(&fig.svg, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#e8e8e8'/>", x, x, a.T,
                       a.T + a.H);
        if (e == lo) cli_buf_printf(&fig.svg, "<text x='%.1f' y='%.0f' text-anchor='middle'>0</text>", x, a.T + a.H + 15);
        else decade_label(&fig.svg, x, a.T + a.H + 15, e, "middle");
    }
    for (int k = 0; k <= 4; k++) {
        double y = a.T + a.H - a.H * k / 4.0;
        cli_buf_printf(&fig.svg, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#e8e8e8'/>"
                                 "<text x='%.0f' y='%.1f' text-anchor='end'>%d</text>",
                       a.L, a.L + a.W, y, y, a.L - 5, y + 4, 25 * k);
    }
    axis_labels(&fig.svg, &a, "pair-level false-positive rate (log scale; 0 at the left edge)",
                "recall of edited copies (%)");
    cli_buf_puts(&fig.csv, "algo,threshold_bits,fpr,image_fpr,recall\n");
    for (size_t i = 0; i < n; i++) {
        const ev_roc *o = &roc[i];
        cli_buf_printf(&fig.svg, "<polyline fill='none' stroke='%s' stroke-width='2' points='", COLOURS[o->algo]);
        for (unsigned t = 0; t <= o->bits; t++) {
            cli_buf_printf(&fig.svg, "%.1f,%.1f ", roc_x(&a, o->fpr[t], lo), a.T + a.H - a.H * o->recall[t]);
            cli_buf_printf(&fig.csv, "%s,%u,%.9g,%.9g,%.6f\n", ev_algo_name(o->algo), t, o->fpr[t],
                           o->image_fpr[t], o->recall[t]);
        }
        cli_buf_puts(&fig.svg, "'/>");
        unsigned rt = reference_threshold(o->algo);
        cli_buf_printf(&fig.svg, "<circle cx='%.1f' cy='%.1f' r='4' fill='%s'/>", roc_x(&a, o->fpr[rt], lo),
                       a.T + a.H - a.H * o->recall[rt], COLOURS[o->algo]);
        double ly = a.T + 14 + 20.0 * (double)i, lx = a.L + a.W + 14;
        cli_buf_printf(&fig.svg, "<line x1='%.0f' x2='%.0f' y1='%.0f' y2='%.0f' stroke='%s' stroke-width='3'/>"
                                 "<text x='%.0f' y='%.0f' font-size='12'>%s (&#9679; t = %u, AUC %.4f)</text>",
                       lx, lx + 20, ly, ly, COLOURS[o->algo], lx + 26, ly + 4, ev_algo_name(o->algo), rt, o->auc);
    }
    return fig_end(&fig, dir, page,
                   "ROC curves: one point per threshold, the dot at the reference threshold. A "
                   "false-positive rate of 0 is drawn at the left edge.");
}

/* ---- recall per transform at each algorithm's reference threshold ---- */

static size_t transform_keys(const ev_rob_set *r, size_t *idx, size_t max)
{
    size_t nt = 0; /* transforms in first-seen order */
    for (size_t i = 0; i < r->count && nt < max; i++) {
        int seen = 0;
        for (size_t k = 0; k < nt && !seen; k++)
            seen = !strcmp(r->rows[idx[k]].transform, r->rows[i].transform) &&
                   !strcmp(r->rows[idx[k]].strength, r->rows[i].strength);
        if (!seen) idx[nt++] = i;
    }
    return nt;
}

static const ev_rob_row *rob_row(const ev_rob_set *r, int algo, const ev_rob_row *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->rows[i].algo == algo && !strcmp(r->rows[i].transform, key->transform) &&
            !strcmp(r->rows[i].strength, key->strength))
            return &r->rows[i];
    return NULL;
}

static double recall_at(const ev_rob_row *row, unsigned t)
{
    uint64_t within = 0;
    for (unsigned d = 0; d <= t; d++) within += row->hist[d];
    return row->images ? (double)within / (double)row->images : 0;
}

static int recall_figure(const char *dir, cli_buf *page, const ev_rob_set *r, const int *algos, size_t na)
{
    size_t idx[512], nt = transform_keys(r, idx, 512);
    const double L = 190, T = 34, bar = 4.5, gap = 7, W = 780;
    double rowh = bar * (double)na + gap, H = T + rowh * (double)nt + 48, pw = W - L - 30;
    figure fig;
    fig_begin(&fig, "recall", W, H);
    axes a = {L, T - 4, pw, rowh * (double)nt + 4};
    for (int k = 0; k <= 4; k++) {
        double x = L + pw * k / 4.0;
        cli_buf_printf(&fig.svg, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#e4e4e4'/>"
                                 "<text x='%.1f' y='%.0f' text-anchor='middle'>%d</text>",
                       x, x, a.T, a.T + a.H, x, a.T + a.H + 15, 25 * k);
    }
    for (size_t k = 0; k < na; k++)
        cli_buf_printf(&fig.svg, "<rect x='%.0f' y='8' width='12' height='10' fill='%s'/>"
                                 "<text x='%.0f' y='17'>%s, t = %u</text>",
                       10 + 125.0 * (double)k, COLOURS[algos[k]], 10 + 125.0 * (double)k + 16,
                       ev_algo_name(algos[k]), reference_threshold(algos[k]));
    cli_buf_puts(&fig.csv, "transform,strength,algo,threshold_bits,images,failed,recall\n");
    for (size_t k = 0; k < nt; k++) {
        const ev_rob_row *key = &r->rows[idx[k]];
        double y0 = T + rowh * (double)k;
        cli_buf_printf(&fig.svg, "<text x='%.0f' y='%.1f' text-anchor='end'>", L - 6, y0 + bar * (double)na / 2 + 4);
        html_escape(&fig.svg, key->transform);
        if (key->strength[0]) cli_buf_putc(&fig.svg, ' '), html_escape(&fig.svg, key->strength);
        cli_buf_puts(&fig.svg, "</text>");
        for (size_t j = 0; j < na; j++) {
            const ev_rob_row *row = rob_row(r, algos[j], key);
            if (!row || !row->images) continue;
            unsigned rt = reference_threshold(row->algo);
            double rec = recall_at(row, rt);
            cli_buf_printf(&fig.svg, "<rect x='%.0f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
                                     "<title>%s %.1f %%</title></rect>",
                           L, y0 + bar * (double)j, pw * rec, bar - 0.5, COLOURS[row->algo],
                           ev_algo_name(row->algo), 100 * rec);
            cli_buf_printf(&fig.csv, "%s,%s,%s,%u,%llu,%llu,%.6f\n", row->transform, row->strength,
                           ev_algo_name(row->algo), rt, (unsigned long long)row->images,
                           (unsigned long long)row->failed, rec);
        }
    }
    axis_labels(&fig.svg, &a, "recall at the reference threshold (%)", "");
    return fig_end(&fig, dir, page,
                   "Share of images whose edited copy is within the reference threshold of the "
                   "original (31 of 256 bits for PDQ, 10 of 64 for the others).");
}

/* ---- tables ---- */

static void summary_table(cli_buf *b, const ev_fpr_set *f, const ev_roc *roc, size_t nroc,
                          const double *targets, size_t nt)
{
    char c1[32], c2[32], r1[32], r2[32], p1[32];
    int starred = 0;
    cli_buf_puts(b, "<table><tr><th>algorithm</th><th>images</th><th>pairs</th><th>reference t (bits)</th>"
                    "<th>pair FPR at t</th><th>image FPR at t</th><th>recall at t</th>");
    for (size_t k = 0; k < nt; k++) {
        char tg[64];
        cli_buf_printf(b, "<th>t (bits), recall at <span style='white-space:nowrap'>FPR &#8804; %s</span></th>",
                       fmt_target(tg, sizeof tg, targets[k]));
    }
    cli_buf_puts(b, "<th>ROC AUC</th></tr>");
    for (size_t i = 0; i < f->count; i++) {
        const ev_fpr *fp = &f->items[i];
        const ev_roc *o = NULL;
        for (size_t k = 0; k < nroc; k++)
            if (roc[k].algo == fp->algo) o = &roc[k];
        unsigned rt = reference_threshold(fp->algo);
        uint64_t run = 0, img = 0;
        for (unsigned d = 0; d <= rt; d++) run += fp->hist[d];
        for (uint64_t k = 0; k < fp->images; k++) img += fp->nearest[k] <= rt;
        cli_buf_printf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%u</td><td>%s</td><td>%s</td>",
                       ev_algo_name(fp->algo), fmt_count(c1, sizeof c1, fp->images),
                       fmt_count(c2, sizeof c2, fp->pairs), rt,
                       fmt_rate(r1, sizeof r1, fp->pairs ? (double)run / (double)fp->pairs : 0),
                       fmt_rate(r2, sizeof r2, fp->images ? (double)img / (double)fp->images : 0));
        if (!o) {
            for (size_t k = 0; k <= nt + 1; k++) cli_buf_puts(b, "<td>no edits measured</td>");
            cli_buf_puts(b, "</tr>");
            continue;
        }
        cli_buf_printf(b, "<td>%s</td>", fmt_pct(p1, sizeof p1, o->recall[rt]));
        for (size_t k = 0; k < nt; k++) {
            int t = hm_eval_threshold_for_fpr(o->fpr, o->bits, targets[k]);
            int star = t >= 0 && targets[k] * (double)o->pairs < 1;
            if (t < 0) cli_buf_puts(b, "<td>none</td>");
            else cli_buf_printf(b, "<td>%d, %s%s</td>", t, fmt_pct(p1, sizeof p1, o->recall[t]), star ? " *" : "");
            starred |= star;
        }
        cli_buf_printf(b, "<td>%.4f</td></tr>", o->auc);
    }
    cli_buf_puts(b, "</table>");
    if (starred)
        cli_buf_puts(b, "<p class='note'>* the target is below one pair in this corpus: "
                        "no false positive was seen, which bounds nothing.</p>");
}

/* Length of the directory part all paths share ("/data/photos/"), 0 if none. */
static size_t common_dir(char *const *paths, size_t n)
{
    if (!n) return 0;
    size_t len = strlen(paths[0]);
    for (size_t i = 1; i < n && len; i++) {
        size_t k = 0;
        while (k < len && paths[i][k] == paths[0][k]) k++;
        len = k;
    }
    while (len && paths[0][len - 1] != '/') len--;
    return len;
}

/* The closest pairs of different images of each algorithm (nearest
 * neighbours with their paths). */
static void closest_table(cli_buf *b, const ev_fpr_set *f)
{
    if (!f->paths) return;
    int any = 0;
    for (size_t i = 0; i < f->count; i++) any |= f->items[i].nearest_index != NULL;
    if (!any) return;
    size_t cut = common_dir(f->paths, f->npaths);
    cli_buf_puts(b, "<h2>Closest pairs of different images</h2>");
    if (cut) {
        char *dir = strndup(f->paths[0], cut);
        cli_buf_puts(b, "<p class='note'>Paths relative to <code>");
        html_escape(b, dir ? dir : "");
        cli_buf_puts(b, "</code></p>");
        free(dir);
    }
    cli_buf_puts(b, "<table><tr><th>algorithm</th>"
                    "<th>distance (bits)</th><th class='path'>image</th><th class='path'>its nearest other image</th></tr>");
    for (size_t i = 0; i < f->count; i++) {
        const ev_fpr *fp = &f->items[i];
        if (!fp->nearest_index || fp->images != f->npaths) continue;
        unsigned shown = 0;
        for (unsigned d = 0; d <= fp->bits && shown < 5; d++)
            for (uint64_t k = 0; k < fp->images && shown < 5; k++) {
                int64_t j = fp->nearest_index[k];
                if (fp->nearest[k] != d || j < 0) continue;
                if ((uint64_t)j < k && fp->nearest_index[j] == (int64_t)k) continue; /* shown from j */
                cli_buf_printf(b, "<tr><td>%s</td><td>%u</td><td class='path'>", ev_algo_name(fp->algo), d);
                html_escape(b, f->paths[k] + cut);
                cli_buf_puts(b, "</td><td class='path'>");
                html_escape(b, f->paths[j] + cut);
                cli_buf_puts(b, "</td></tr>");
                shown++;
            }
    }
    cli_buf_puts(b, "</table><p class='note'>Up to five per algorithm, closest first; "
                    "<code>--pairs-within T</code> lists every pair.</p>");
}

static void page_begin(cli_buf *b, const char *title)
{
    cli_buf_printf(b, "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                      "<title>%s</title><style>%s</style></head><body>", title, STYLE);
}

static int page_end(cli_buf *b, const char *dir)
{
    cli_buf_puts(b, "</body></html>\n");
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    int rc = -1;
    if (path) {
        snprintf(path, n, "%s/index.html", dir);
        rc = ev_write_file(path, b);
    }
    free(path);
    cli_buf_free(b);
    return rc;
}

int ev_report_write(const char *dir, const ev_fpr_set *f, const ev_rob_set *r,
                    const double *targets, size_t nt)
{
    static const ev_fpr_set NOFPR;
    static const ev_rob_set NOROB;
    if (!f) f = &NOFPR;
    if (!r) r = &NOROB;
    if (ev_dir_prepare(dir)) return -1;
    ev_roc roc[EV_NALGO];
    size_t nroc = ev_roc_build(f, r, roc);
    cli_buf b;
    cli_buf_init(&b);
    page_begin(&b, "hashmatch evaluation");
    cli_buf_printf(&b, "<h1>Perceptual hash evaluation</h1><p class='note'>hashmatch %s. "
                       "False positives: every pair of distinct images; recall: each image against "
                       "its own edited copies. Reference thresholds: 31 of 256 bits (PDQ), 10 of 64 bits.</p>",
                   hm_version());
    int rc = 0;
    if (f->count) {
        cli_buf_puts(&b, "<h2>Summary</h2>");
        summary_table(&b, f, roc, nroc, targets, nt);
        cli_buf_puts(&b, "<h2>Distance distributions</h2><div class='grid'>");
        for (size_t i = 0; rc == 0 && i < f->count; i++) {
            uint64_t same[EV_MAX_BITS + 1], nsame;
            (void)ev_same_hist(r, f->items[i].algo, same, &nsame); /* nsame 0 on overflow */
            rc = histogram_figure(dir, &b, &f->items[i], same, nsame);
        }
        cli_buf_puts(&b, "</div>");
        closest_table(&b, f);
    }
    if (rc == 0 && nroc) {
        cli_buf_puts(&b, "<h2>ROC curves</h2>");
        rc = roc_figure(dir, &b, roc, nroc);
    }
    if (rc == 0 && r->count) {
        int algos[EV_NALGO];
        size_t na = 0;
        for (int a = 0; a < EV_NALGO; a++)
            for (size_t i = 0; i < r->count; i++)
                if (r->rows[i].algo == a) {
                    algos[na++] = a;
                    break;
                }
        cli_buf_puts(&b, "<h2>Recall per transform</h2>");
        rc = recall_figure(dir, &b, r, algos, na);
    }
    if (rc) {
        cli_buf_free(&b);
        return -1;
    }
    return page_end(&b, dir);
}

/* ---- account ---- */

static int account_figure(const char *dir, cli_buf *page, const ev_account *ac)
{
    uint64_t kmax = ac->k * 2 + 5;
    if (kmax > ac->n) kmax = ac->n;
    if (kmax > 200) kmax = 200;
    double tail[201];
    double m = 1;
    for (uint64_t k = 1; k <= kmax; k++) {
        tail[k] = hm_eval_binomial_tail(ac->n, ac->p, k);
        if (tail[k] > 0 && tail[k] < m) m = tail[k];
    }
    int lo = (int)floor(log10(m));
    if (lo > -1) lo = -1;
    if (lo < -300) lo = -300;
    int step = lo < -40 ? 10 : lo < -12 ? 2 : 1; /* decades labelled */
    figure fig;
    fig_begin(&fig, "account", 600, 330);
    axes a = {70, 24, 500, 250};
    for (int e = 0; e >= lo; e -= step) {
        double y = a.T + a.H * ((double)e / lo);
        cli_buf_printf(&fig.svg, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#e8e8e8'/>", a.L,
                       a.L + a.W, y, y);
        decade_label(&fig.svg, a.L - 5, y + 4, e, "end");
    }
    cli_buf_puts(&fig.csv, "threshold_k,binomial_tail\n");
    cli_buf_puts(&fig.svg, "<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='");
    for (uint64_t k = 1; k <= kmax; k++) {
        double x = a.L + a.W * (double)(k - 1) / (double)(kmax > 1 ? kmax - 1 : 1);
        double y = tail[k] > 0 ? a.T + a.H * (log10(tail[k]) / lo) : a.T + a.H;
        cli_buf_printf(&fig.svg, "%.1f,%.1f ", x, y > a.T + a.H ? a.T + a.H : y);
        cli_buf_printf(&fig.csv, "%llu,%.9g\n", (unsigned long long)k, tail[k]);
    }
    cli_buf_puts(&fig.svg, "'/>");
    for (uint64_t k = 1; k <= kmax; k += (kmax + 9) / 10) {
        double x = a.L + a.W * (double)(k - 1) / (double)(kmax > 1 ? kmax - 1 : 1);
        cli_buf_printf(&fig.svg, "<text x='%.1f' y='%.0f' text-anchor='middle'>%llu</text>", x, a.T + a.H + 15,
                       (unsigned long long)k);
    }
    if (ac->k >= 1 && ac->k <= kmax) {
        double x = a.L + a.W * (double)(ac->k - 1) / (double)(kmax > 1 ? kmax - 1 : 1);
        cli_buf_printf(&fig.svg, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#000' stroke-dasharray='4 3'/>"
                                 "<text x='%.1f' y='%.0f'>K = %llu</text>",
                       x, x, a.T, a.T + a.H, x + 4, a.T + a.H - 6, (unsigned long long)ac->k);
        if (ac->empirical && ac->crossed) {
            double pe = (double)ac->crossed / (double)ac->trials;
            cli_buf_printf(&fig.svg, "<circle cx='%.1f' cy='%.1f' r='5' fill='#d62728'/>"
                                     "<text x='%.1f' y='%.1f' fill='#d62728'>drawn from the corpus</text>",
                           x, a.T + a.H * (log10(pe) / lo), x + 8, a.T + a.H * (log10(pe) / lo) + 4);
        }
    }
    axis_labels(&fig.svg, &a, "reporting threshold K (matches in one account)",
                "P(an innocent account reaches K) (log scale)");
    return fig_end(&fig, dir, page,
                   "Binomial tail P(X &#8805; K) for X ~ Binomial(N, P): independent matches. "
                   "Real accounts cluster, so the true tail is heavier.");
}

int ev_report_account(const char *dir, const ev_account *ac)
{
    if (ev_dir_prepare(dir)) return -1;
    char c1[32], r1[32], r2[32], r3[32];
    cli_buf b;
    cli_buf_init(&b);
    page_begin(&b, "hashmatch account-level false positives");
    cli_buf_puts(&b, "<h1>Account-level false positives</h1><table>");
    cli_buf_printf(&b, "<tr><td>chance that one innocent image matches (P)</td><td>%s</td></tr>"
                       "<tr><td>images per account (N)</td><td>%s</td></tr>"
                       "<tr><td>reporting threshold (K matches)</td><td>%llu</td></tr>"
                       "<tr><td>expected false matches per account (N &#215; P)</td><td>%s</td></tr>"
                       "<tr><td>P(an innocent account reaches K), binomial</td><td>%s</td></tr>",
                   fmt_rate(r1, sizeof r1, ac->p), fmt_count(c1, sizeof c1, ac->n),
                   (unsigned long long)ac->k, fmt_rate(r2, sizeof r2, ac->expected),
                   fmt_rate(r3, sizeof r3, ac->tail));
    if (ac->empirical)
        cli_buf_printf(&b, "<tr><td>the same, accounts drawn from the corpus (%s, %s, distance &#8804; %llu bits, "
                           "%s draws)</td><td>%s</td></tr>",
                       ev_algo_name(ac->algo), ac->contiguous ? "contiguous" : "random",
                       (unsigned long long)ac->distance, fmt_count(c1, sizeof c1, ac->trials),
                       fmt_rate(r1, sizeof r1, (double)ac->crossed / (double)ac->trials));
    cli_buf_puts(&b, "</table><h2>Reporting threshold</h2>");
    if (account_figure(dir, &b, ac)) {
        cli_buf_free(&b);
        return -1;
    }
    return page_end(&b, dir);
}
