/* progress.c - a one-line progress bar on stderr, only on a terminal. */
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

static void draw(cli_progress *p)
{
    double el = cli_now() - p->started;
    double frac = p->total ? (double)p->done / (double)p->total : 1.0;
    int width = 30, filled = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double eta = frac > 0 ? el / frac - el : 0;
    fprintf(stderr, "\r%s [%s] %zu/%zu %3.0f%% %.0fs elapsed, %.0fs left ", p->label, bar,
            p->done, p->total, 100 * frac, el, eta);
    fflush(stderr);
    p->last_draw = cli_now();
}

void cli_progress_start(cli_progress *p, const char *label, size_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->started = cli_now();
    p->last_draw = 0;
    p->enabled = label && cli_verbosity >= 1 && isatty(STDERR_FILENO);
}

void cli_progress_update(cli_progress *p, size_t done)
{
    p->done = done;
    if (p->enabled && cli_now() - p->last_draw >= 0.1) draw(p);
}

void cli_progress_finish(cli_progress *p)
{
    if (!p->enabled) return;
    draw(p);
    fputc('\n', stderr);
}
