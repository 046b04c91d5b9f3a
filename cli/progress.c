/* progress.c - a one-line progress bar on stderr, only on a terminal.
 *
 * With weights (the pixels of each image) the bar, the percentage and the
 * time left follow the work, not the item count: a 50-megapixel photo takes
 * as long as a thousand thumbnails, and an ETA by images would jump. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cli_progress_fraction(const cli_progress *p)
{
    if (p->total_weight > 0) return p->done_weight < p->total_weight ? p->done_weight / p->total_weight : 1.0;
    return p->total ? (double)p->done / (double)p->total : 1.0;
}

double cli_progress_eta(const cli_progress *p, double elapsed)
{
    double frac = cli_progress_fraction(p);
    return frac > 0 ? elapsed / frac - elapsed : 0;
}

static void draw(cli_progress *p)
{
    double el = cli_now() - p->started;
    double frac = cli_progress_fraction(p);
    int width = 30, filled = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r%s [%s] %zu/%zu %3.0f%% %.0fs elapsed, %.0fs left ", p->label, bar,
            p->done, p->total, 100 * frac, el, cli_progress_eta(p, el));
    fflush(stderr);
    p->last_draw = cli_now();
}

int cli_progress_wanted(const char *label)
{
    return label && cli_verbosity >= 1 && isatty(STDERR_FILENO);
}

void cli_progress_start(cli_progress *p, const char *label, size_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->total_weight = p->done_weight = 0;
    p->started = cli_now();
    p->last_draw = 0;
    p->enabled = cli_progress_wanted(label);
}

void cli_progress_update(cli_progress *p, size_t done)
{
    p->done = done;
    if (p->enabled && cli_now() - p->last_draw >= 0.1) draw(p);
}

void cli_progress_update_weighted(cli_progress *p, size_t done, double weight)
{
    p->done_weight += weight;
    cli_progress_update(p, done);
}

void cli_progress_finish(cli_progress *p)
{
    if (!p->enabled) return;
    p->done_weight = p->total_weight;
    draw(p);
    fputc('\n', stderr);
}
