/* parallel.c - a bounded work queue: workers take items in index order, the
 * calling thread emits results in index order, and at most `window` results
 * wait in memory at any time (so a million files need no million slots). */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
    const cli_parallel *p;
    pthread_mutex_t mu;
    pthread_cond_t cv_done, cv_space;
    size_t next_claim, next_emit, window;
    unsigned char *slots;
    unsigned char *done;
} state;

unsigned cli_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

void *cli_hasher_new(void)
{
    hm_hasher *h = NULL;
    return hm_hasher_new(&h) == HM_OK ? h : NULL;
}

void cli_hasher_free(void *hasher) { hm_hasher_free(hasher); }

static void *slot_at(state *s, size_t i) { return s->slots + (i % s->window) * s->p->slot_size; }

static void *state_new(const cli_parallel *p)
{
    return p->work_state && p->state_new ? p->state_new() : NULL;
}

static void state_free(const cli_parallel *p, void *ws)
{
    if (p->work_state && p->state_free) p->state_free(ws);
}

static void run_item(const cli_parallel *p, void *ws, size_t i, void *slot)
{
    if (p->work_state) p->work_state(p->ctx, ws, i, slot);
    else p->work(p->ctx, i, slot);
}

static void *worker(void *arg)
{
    state *s = arg;
    void *ws = state_new(s->p);
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->next_claim < s->p->count && s->next_claim >= s->next_emit + s->window)
            pthread_cond_wait(&s->cv_space, &s->mu);
        if (s->next_claim >= s->p->count) break;
        size_t i = s->next_claim++;
        pthread_mutex_unlock(&s->mu);
        run_item(s->p, ws, i, slot_at(s, i));
        pthread_mutex_lock(&s->mu);
        s->done[i % s->window] = 1;
        pthread_cond_signal(&s->cv_done);
    }
    pthread_mutex_unlock(&s->mu);
    state_free(s->p, ws);
    return NULL;
}

static int run_inline(const cli_parallel *p, cli_progress *prog)
{
    void *slot = calloc(1, p->slot_size ? p->slot_size : 1);
    if (!slot) return -1;
    void *ws = state_new(p);
    for (size_t i = 0; i < p->count; i++) {
        memset(slot, 0, p->slot_size);
        run_item(p, ws, i, slot);
        p->emit(p->ctx, i, slot);
        cli_progress_update_weighted(prog, i + 1, p->weights ? p->weights[i] : 0);
    }
    state_free(p, ws);
    free(slot);
    return 0;
}

int cli_parallel_run(const cli_parallel *p)
{
    cli_progress prog;
    cli_progress_start(&prog, p->label, p->count);
    for (size_t i = 0; p->weights && i < p->count; i++) prog.total_weight += p->weights[i];
    unsigned nt = p->threads ? p->threads : cli_cpu_count();
    if (nt > p->count) nt = (unsigned)p->count;
    int rc = 0;
    if (nt <= 1) {
        rc = run_inline(p, &prog);
        cli_progress_finish(&prog);
        return rc;
    }
    state s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.window = (size_t)nt * 16;
    s.slots = calloc(s.window, p->slot_size ? p->slot_size : 1);
    s.done = calloc(s.window, 1);
    pthread_t *tids = calloc(nt, sizeof *tids);
    if (!s.slots || !s.done || !tids) {
        free(s.slots);
        free(s.done);
        free(tids);
        return -1;
    }
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv_done, NULL);
    pthread_cond_init(&s.cv_space, NULL);
    unsigned started = 0;
    for (; started < nt; started++)
        if (pthread_create(&tids[started], NULL, worker, &s) != 0) break;
    if (started == 0) {
        rc = -1;
    } else {
        for (size_t i = 0; i < p->count; i++) {
            pthread_mutex_lock(&s.mu);
            while (!s.done[i % s.window]) pthread_cond_wait(&s.cv_done, &s.mu);
            pthread_mutex_unlock(&s.mu);
            p->emit(p->ctx, i, slot_at(&s, i));
            memset(slot_at(&s, i), 0, p->slot_size);
            pthread_mutex_lock(&s.mu);
            s.done[i % s.window] = 0;
            s.next_emit = i + 1;
            pthread_cond_broadcast(&s.cv_space);
            pthread_mutex_unlock(&s.mu);
            cli_progress_update_weighted(&prog, i + 1, p->weights ? p->weights[i] : 0);
        }
    }
    for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
    cli_progress_finish(&prog);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv_done);
    pthread_cond_destroy(&s.cv_space);
    free(s.slots);
    free(s.done);
    free(tids);
    return rc;
}

/* ---- image sizes for the progress bar ---- */

typedef struct {
    const cli_paths *paths;
    const size_t *index; /* NULL: item i */
    double *px;
} probe_job;

static void probe_work(void *ctx, size_t i, void *slot)
{
    (void)slot;
    probe_job *j = ctx;
    uint8_t *head = malloc(1 << 16);
    int fd = -1;
    /* opened as the inputs are (a FIFO or device neither blocks nor is read) */
    if (head) (void)cli_path_open(j->paths, j->index ? j->index[i] : i, &fd, NULL);
    ssize_t n = fd >= 0 ? read(fd, head, 1 << 16) : -1;
    uint32_t w = 0, h = 0;
    if (n > 0 && hm_image_probe(head, (size_t)n, NULL, &w, &h, NULL) == HM_OK) j->px[i] = (double)w * h;
    if (fd >= 0) close(fd);
    free(head);
}

static void probe_emit(void *ctx, size_t i, void *slot) { (void)ctx, (void)i, (void)slot; }

double *cli_probe_pixels(const cli_paths *paths, const size_t *index, size_t n,
                         unsigned threads)
{
    double *px = calloc(n ? n : 1, sizeof *px), sum = 0;
    probe_job j = {paths, index, px};
    cli_parallel par = {.count = n, .slot_size = 1, .threads = threads, .work = probe_work,
                        .emit = probe_emit, .ctx = &j};
    if (!px || cli_parallel_run(&par)) {
        free(px);
        return NULL;
    }
    size_t known = 0;
    for (size_t i = 0; i < n; i++)
        if (px[i] > 0) sum += px[i], known++;
    for (size_t i = 0; i < n; i++)
        if (px[i] <= 0) px[i] = known ? sum / (double)known : 1;
    return px;
}
