/* eval_report.c - `--report DIR`: one self-contained HTML page (index.html)
 * with inline SVG plots: no script, no style sheet or font from elsewhere. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval.h"
#include "eval/eval.h"

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
    "td:first-child,th:first-child{text-align:left}"
    ".grid{display:flex;flex-wrap:wrap;gap:14px}.card{background:#fff;border:1px solid #ddd;"
    "border-radius:6px;padding:8px}svg text{font-family:inherit}";

static void html_escape(cli_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') cli_buf_puts(b, "&lt;");
        else if (*s == '>') cli_buf_puts(b, "&gt;");
        else if (*s == '&') cli_buf_puts(b, "&amp;");
        else if (*s == '"') cli_buf_puts(b, "&quot;");
        else cli_buf_putc(b, *s);
    }
}

static void fmt_rate(char *buf, size_t n, double r)
{
    if (r == 0) snprintf(buf, n, "0");
    else if (r >= 0.01) snprintf(buf, n, "%.3f", r);
    else snprintf(buf, n, "%.2e", r);
}

/* ---- distance histograms: same image (edited copies) vs different images ---- */

static void histogram_svg(cli_buf *b, const ev_fpr *f, const uint64_t *same, uint64_t nsame)
{
    const double W = 520, H = 230, L = 46, R = 12, T = 26, B = 36;
    double pw = W - L - R, ph = H - T - B, ymax = 0;
    double diff[EV_MAX_BITS + 1], sm[EV_MAX_BITS + 1];
    for (unsigned d = 0; d <= f->bits; d++) {
        diff[d] = f->pairs ? (double)f->hist[d] / (double)f->pairs : 0;
        sm[d] = nsame ? (double)same[d] / (double)nsame : 0;
        if (diff[d] > ymax) ymax = diff[d];
        if (sm[d] > ymax) ymax = sm[d];
    }
    if (ymax <= 0) ymax = 1;
    cli_buf_printf(b, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
                      "viewBox='0 0 %.0f %.0f'>", W, H, W, H);
    cli_buf_printf(b, "<text x='%.0f' y='17' font-size='14' font-weight='600'>%s</text>", L,
                   ev_algo_name(f->algo));
    cli_buf_printf(b, "<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' fill='none' stroke='#bbb'/>",
                   L, T, pw, ph);
    for (int k = 0; k <= 4; k++) { /* x ticks at quarters of the bit length */
        unsigned d = f->bits * (unsigned)k / 4;
        double x = L + pw * d / f->bits;
        cli_buf_printf(b, "<text x='%.1f' y='%.0f' font-size='11' text-anchor='middle'>%u</text>", x,
                       T + ph + 14, d);
    }
    cli_buf_printf(b, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='middle'>Hamming distance</text>",
                   L + pw / 2, H - 4);
    cli_buf_printf(b, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='end'>%.2f</text>", L - 4,
                   T + 9, ymax);
    cli_buf_printf(b, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='end'>0</text>", L - 4, T + ph);
    const double *series[2] = {diff, sm};
    const char *col[2] = {"#888", COLOURS[f->algo]};
    for (int s = 0; s < 2; s++) {
        cli_buf_printf(b, "<path fill='%s' fill-opacity='0.35' stroke='%s' stroke-width='1.2' d='M%.1f %.1f",
                       col[s], col[s], L, T + ph);
        for (unsigned d = 0; d <= f->bits; d++) {
            double x0 = L + pw * d / (f->bits + 1), x1 = L + pw * (d + 1) / (f->bits + 1);
            double y = T + ph - ph * series[s][d] / ymax;
            cli_buf_printf(b, " L%.1f %.1f L%.1f %.1f", x0, y, x1, y);
        }
        cli_buf_printf(b, " L%.1f %.1f Z'/>", L + pw, T + ph);
    }
    unsigned rt = reference_threshold(f->algo);
    double xr = L + pw * (rt + 1) / (f->bits + 1);
    cli_buf_printf(b, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#000' stroke-dasharray='4 3'/>"
                      "<text x='%.1f' y='%.0f' font-size='11'>t=%u</text>",
                   xr, xr, T, T + ph, xr + 3, T + 12, rt);
    double lx = L + pw - 170;
    cli_buf_printf(b, "<rect x='%.0f' y='%.0f' width='12' height='10' fill='%s' fill-opacity='0.5'/>"
                      "<text x='%.0f' y='%.0f' font-size='11'>edited copies (same image)</text>",
                   lx, T + 8, COLOURS[f->algo], lx + 16, T + 17);
    cli_buf_printf(b, "<rect x='%.0f' y='%.0f' width='12' height='10' fill='#888' fill-opacity='0.5'/>"
                      "<text x='%.0f' y='%.0f' font-size='11'>different images</text></svg>",
                   lx, T + 24, lx + 16, T + 33);
}

/* ---- ROC: recall against pair-level FPR, log x ---- */

static void roc_svg(cli_buf *b, const ev_roc *roc, size_t n)
{
    const double W = 680, H = 380, L = 56, R = 190, T = 20, B = 44;
    double pw = W - L - R, ph = H - T - B;
    uint64_t maxpairs = 1;
    for (size_t i = 0; i < n; i++)
        if (roc[i].pairs > maxpairs) maxpairs = roc[i].pairs;
    int lo = (int)floor(log10(1.0 / (double)maxpairs)) - 1; /* left edge: FPR 0 is drawn here */
    cli_buf_printf(b, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' viewBox='0 0 %.0f %.0f'>",
                   W, H, W, H);
    cli_buf_printf(b, "<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' fill='#fff' stroke='#bbb'/>", L, T, pw, ph);
    for (int e = lo; e <= 0; e++) {
        double x = L + pw * (e - lo) / (double)(-lo);
        cli_buf_printf(b, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#eee'/>"
                          "<text x='%.1f' y='%.0f' font-size='11' text-anchor='middle'>%s1e%d</text>",
                       x, x, T, T + ph, x, T + ph + 14, e == lo ? "&#8804;" : "", e);
    }
    for (int k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4.0;
        cli_buf_printf(b, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#eee'/>"
                          "<text x='%.0f' y='%.1f' font-size='11' text-anchor='end'>%.2f</text>",
                       L, L + pw, y, y, L - 5, y + 4, k / 4.0);
    }
    cli_buf_printf(b, "<text x='%.0f' y='%.0f' font-size='12' text-anchor='middle'>pair-level false-positive rate (log)</text>"
                      "<text transform='translate(14 %.0f) rotate(-90)' font-size='12' text-anchor='middle'>recall of edited copies</text>",
                   L + pw / 2, H - 8, T + ph / 2);
    for (size_t i = 0; i < n; i++) {
        const ev_roc *o = &roc[i];
        cli_buf_printf(b, "<polyline fill='none' stroke='%s' stroke-width='2' points='", COLOURS[o->algo]);
        for (unsigned t = 0; t <= o->bits; t++) {
            double lx = o->fpr[t] > 0 ? log10(o->fpr[t]) : lo;
            if (lx < lo) lx = lo;
            cli_buf_printf(b, "%.1f,%.1f ", L + pw * (lx - lo) / (double)(-lo), T + ph - ph * o->recall[t]);
        }
        cli_buf_puts(b, "'/>");
        unsigned rt = reference_threshold(o->algo);
        double lx = o->fpr[rt] > 0 ? log10(o->fpr[rt]) : lo;
        cli_buf_printf(b, "<circle cx='%.1f' cy='%.1f' r='4' fill='%s'/>", L + pw * (lx - lo) / (double)(-lo),
                       T + ph - ph * o->recall[rt], COLOURS[o->algo]);
        double ly = T + 14 + 20.0 * (double)i;
        cli_buf_printf(b, "<line x1='%.0f' x2='%.0f' y1='%.0f' y2='%.0f' stroke='%s' stroke-width='3'/>"
                          "<text x='%.0f' y='%.0f' font-size='12'>%s (&#9679; t=%u)</text>",
                       L + pw + 12, L + pw + 32, ly, ly, COLOURS[o->algo], L + pw + 38, ly + 4,
                       ev_algo_name(o->algo), rt);
    }
    cli_buf_puts(b, "</svg>");
}

/* ---- recall per transform at each algorithm's reference threshold ---- */

static void recall_svg(cli_buf *b, const ev_rob_set *r, const int *algos, size_t na)
{
    /* transforms in first-seen order */
    size_t nt = 0, idx[512];
    for (size_t i = 0; i < r->count && nt < 512; i++) {
        int seen = 0;
        for (size_t k = 0; k < nt && !seen; k++)
            seen = !strcmp(r->rows[idx[k]].transform, r->rows[i].transform) &&
                   !strcmp(r->rows[idx[k]].strength, r->rows[i].strength);
        if (!seen) idx[nt++] = i;
    }
    const double L = 190, R = 20, T = 30, bar = 4.5, gap = 7, W = 760;
    double rowh = bar * (double)na + gap, H = T + rowh * (double)nt + 30, pw = W - L - R;
    cli_buf_printf(b, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' viewBox='0 0 %.0f %.0f'>",
                   W, H, W, H);
    for (int k = 0; k <= 4; k++) {
        double x = L + pw * k / 4.0;
        cli_buf_printf(b, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#e4e4e4'/>"
                          "<text x='%.1f' y='%.0f' font-size='11' text-anchor='middle'>%.0f%%</text>",
                       x, x, T - 4, H - 26, x, H - 12, 25.0 * k);
    }
    for (size_t a = 0; a < na; a++)
        cli_buf_printf(b, "<rect x='%.0f' y='6' width='12' height='10' fill='%s'/>"
                          "<text x='%.0f' y='15' font-size='11'>%s t=%u</text>",
                       10 + 122.0 * (double)a, COLOURS[algos[a]], 10 + 122.0 * (double)a + 16,
                       ev_algo_name(algos[a]), reference_threshold(algos[a]));
    for (size_t k = 0; k < nt; k++) {
        const ev_rob_row *key = &r->rows[idx[k]];
        double y0 = T + rowh * (double)k;
        cli_buf_printf(b, "<text x='%.0f' y='%.1f' font-size='11' text-anchor='end'>", L - 6,
                       y0 + bar * (double)na / 2 + 4);
        html_escape(b, key->transform);
        if (key->strength[0]) cli_buf_putc(b, ' '), html_escape(b, key->strength);
        cli_buf_puts(b, "</text>");
        for (size_t a = 0; a < na; a++)
            for (size_t i = 0; i < r->count; i++) {
                const ev_rob_row *row = &r->rows[i];
                if (row->algo != algos[a] || strcmp(row->transform, key->transform) ||
                    strcmp(row->strength, key->strength) || !row->images)
                    continue;
                uint64_t within = 0;
                for (unsigned d = 0; d <= reference_threshold(row->algo); d++) within += row->hist[d];
                double rec = (double)within / (double)row->images;
                cli_buf_printf(b, "<rect x='%.0f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
                                  "<title>%s %.1f%%</title></rect>",
                               L, y0 + bar * (double)a, pw * rec, bar - 0.5, COLOURS[row->algo],
                               ev_algo_name(row->algo), 100 * rec);
                break;
            }
    }
    cli_buf_puts(b, "</svg>");
}

static void summary_table(cli_buf *b, const ev_fpr_set *f, const ev_roc *roc, size_t nroc,
                          const double *targets, size_t nt)
{
    char r1[32], r2[32];
    int starred = 0;
    cli_buf_puts(b, "<table><tr><th>algorithm</th><th>images</th><th>pairs</th><th>reference t</th>"
                    "<th>pair FPR at t</th><th>image FPR at t</th><th>recall at t</th>");
    for (size_t k = 0; k < nt; k++) cli_buf_printf(b, "<th>t, recall at FPR &#8804; %.0e</th>", targets[k]);
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
        fmt_rate(r1, sizeof r1, fp->pairs ? (double)run / (double)fp->pairs : 0);
        fmt_rate(r2, sizeof r2, fp->images ? (double)img / (double)fp->images : 0);
        cli_buf_printf(b, "<tr><td>%s</td><td>%llu</td><td>%llu</td><td>%u</td><td>%s</td><td>%s</td>",
                       ev_algo_name(fp->algo), (unsigned long long)fp->images,
                       (unsigned long long)fp->pairs, rt, r1, r2);
        if (!o) {
            cli_buf_printf(b, "<td>&#8211;</td>");
            for (size_t k = 0; k <= nt; k++) cli_buf_puts(b, "<td>&#8211;</td>");
            cli_buf_puts(b, "</tr>");
            continue;
        }
        cli_buf_printf(b, "<td>%.1f%%</td>", 100 * o->recall[rt]);
        for (size_t k = 0; k < nt; k++) {
            int t = hm_eval_threshold_for_fpr(o->fpr, o->bits, targets[k]);
            if (t < 0) cli_buf_puts(b, "<td>none</td>");
            else cli_buf_printf(b, "<td>%d, %.1f%%%s</td>", t, 100 * o->recall[t],
                                targets[k] * (double)o->pairs < 1 ? " *" : "");
            starred |= t >= 0 && targets[k] * (double)o->pairs < 1;
        }
        cli_buf_printf(b, "<td>%.4f</td></tr>", o->auc);
    }
    cli_buf_puts(b, "</table>");
    if (starred)
        cli_buf_puts(b, "<p class='note'>* the target is below one pair in this corpus: "
                        "no false positive was seen, which bounds nothing.</p>");
}

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
    cli_error("cannot create %s", dir);
    return -1;
}

int ev_report_write(const char *dir, const ev_fpr_set *f, const ev_rob_set *r,
                    const double *targets, size_t nt)
{
    static const ev_fpr_set NOFPR;
    static const ev_rob_set NOROB;
    if (!f) f = &NOFPR;
    if (!r) r = &NOROB;
    if (make_dir(dir)) return -1;
    ev_roc roc[EV_NALGO];
    size_t nroc = ev_roc_build(f, r, roc);
    cli_buf b;
    cli_buf_init(&b);
    cli_buf_printf(&b, "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                       "<title>hashmatch evaluation</title><style>%s</style></head><body>", STYLE);
    cli_buf_printf(&b, "<h1>Perceptual hash evaluation</h1><p class='note'>hashmatch %s. "
                       "False positives: every pair of distinct images; recall: each image against "
                       "its own edited copies. Reference thresholds: 31 of 256 bits (PDQ), 10 of 64 bits.</p>",
                   hm_version());
    if (f->count) {
        cli_buf_puts(&b, "<h2>Summary</h2>");
        summary_table(&b, f, roc, nroc, targets, nt);
        cli_buf_puts(&b, "<h2>Distance distributions</h2><div class='grid'>");
        for (size_t i = 0; i < f->count; i++) {
            uint64_t same[EV_MAX_BITS + 1], nsame;
            (void)ev_same_hist(r, f->items[i].algo, same, &nsame); /* nsame 0 on overflow */
            cli_buf_puts(&b, "<div class='card'>");
            histogram_svg(&b, &f->items[i], same, nsame);
            cli_buf_puts(&b, "</div>");
        }
        cli_buf_puts(&b, "</div><p class='note'>Fractions of pairs at each distance. Edited copies "
                         "pool every transform.</p>");
    }
    if (nroc) {
        cli_buf_puts(&b, "<h2>ROC curves</h2><div class='card' style='display:inline-block'>");
        roc_svg(&b, roc, nroc);
        cli_buf_puts(&b, "</div><p class='note'>One point per threshold; the dot marks the reference "
                         "threshold. A false-positive rate of 0 is drawn at the left edge.</p>");
    }
    if (r->count) {
        int algos[EV_NALGO];
        size_t na = 0;
        for (int a = 0; a < EV_NALGO; a++)
            for (size_t i = 0; i < r->count; i++)
                if (r->rows[i].algo == a) {
                    algos[na++] = a;
                    break;
                }
        cli_buf_puts(&b, "<h2>Recall per transform</h2><div class='card' style='display:inline-block'>");
        recall_svg(&b, r, algos, na);
        cli_buf_puts(&b, "</div>");
    }
    cli_buf_puts(&b, "</body></html>\n");
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    int rc = -1;
    if (path) {
        snprintf(path, n, "%s/index.html", dir);
        rc = ev_write_file(path, &b);
    }
    free(path);
    cli_buf_free(&b);
    return rc;
}
