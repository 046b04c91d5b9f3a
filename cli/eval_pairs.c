/* eval_pairs.c - all-pairs Hamming statistics on every core.
 *
 * The n x n triangle is cut into square blocks of B codes (B * code size
 * about 64 KiB, so two blocks stay in L2). A work item is one block row
 * bi with every block bj >= bi; rows are claimed in order, largest first, so
 * the dynamic schedule balances. Each thread keeps its own histogram and
 * nearest-neighbour array, summed (min-merged) at the end: the result is
 * exactly the scalar all-pairs count whatever the thread count. The kernels
 * are the matching engine's fused pair statistics (lib/match/pairs.h): one
 * distance per pair feeds both the histogram and the nearest neighbours; the
 * library stays single-threaded per call. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "eval/eval.h"
#include "match/pairs.h"

typedef struct {
    const ev_pairs_job *job;
    size_t block, nblocks;
    unsigned bits;
    atomic_size_t next_row;
    atomic_uint_fast64_t done_pairs;
} shared;

typedef struct {
    shared *sh;
    uint64_t hist[EV_MAX_BITS + 1];
    uint16_t *nearest;
    hm__pair_acc *acc; /* the histogram of the blocks done (not dihedral) */
    int want_hist, want_nearest;
} worker;

/* The histogram (in acc) and the nearest neighbours of one pair of blocks;
 * on the diagonal, the pairs i < j of the block. */
static void block_stats(worker *w, size_t i0, size_t ni, size_t j0, size_t nj)
{
    const ev_pairs_job *jb = w->sh->job;
    const uint8_t *a = jb->codes + i0 * jb->code_bytes, *b = jb->codes + j0 * jb->code_bytes;
    uint16_t *na = w->want_nearest ? w->nearest + i0 : NULL;
    uint16_t *nb = w->want_nearest ? w->nearest + j0 : NULL;
    if (i0 == j0) hm__pairs_stats(w->acc, a, ni, jb->group + i0, na);
    else hm__pairs_stats_cross(w->acc, a, ni, jb->group + i0, b, nj, jb->group + j0, na, nb);
}

/* PDQ with dihedral hashes: the distance of a pair is the smallest over the
 * 8 dihedral hashes of either image against the hash of the other (a scan
 * that queries with all 8 hashes, whichever of the two is listed). The
 * dihedral hashes are not exact images of each other, so both directions
 * count. No SIMD kernel: scalar. */
static void block_dihedral(worker *w, size_t i0, size_t ni, size_t j0, size_t nj)
{
    const ev_pairs_job *jb = w->sh->job;
    const uint8_t *dh = jb->dihedral;
    for (size_t i = i0; i < i0 + ni; i++)
        for (size_t j = (i0 == j0 ? i + 1 : j0); j < j0 + nj; j++) {
            if (jb->group[i] == jb->group[j]) continue;
            unsigned d = HM_PDQ_BITS;
            for (int k = 0; k < HM_PDQ_DIHEDRAL_COUNT; k++) {
                unsigned dij = hm_hamming(dh + (i * 8 + (size_t)k) * HM_PDQ_BYTES,
                                          dh + j * 8 * HM_PDQ_BYTES, HM_PDQ_BYTES);
                unsigned dji = hm_hamming(dh + (j * 8 + (size_t)k) * HM_PDQ_BYTES,
                                          dh + i * 8 * HM_PDQ_BYTES, HM_PDQ_BYTES);
                if (dij < d) d = dij;
                if (dji < d) d = dji;
            }
            if (w->want_hist) w->hist[d]++;
            if (w->want_nearest) {
                if (d < w->nearest[i]) w->nearest[i] = (uint16_t)d;
                if (d < w->nearest[j]) w->nearest[j] = (uint16_t)d;
            }
        }
}

static uint64_t block_pairs(size_t i0, size_t ni, size_t j0, size_t nj)
{
    return i0 == j0 ? (uint64_t)ni * (ni - 1) / 2 : (uint64_t)ni * nj;
}

/* Processes block row bi; returns the pairs it covered. */
static uint64_t do_row(worker *w, size_t bi)
{
    shared *sh = w->sh;
    const ev_pairs_job *jb = sh->job;
    size_t B = sh->block, n = jb->n, i0 = bi * B, ni = n - i0 < B ? n - i0 : B;
    uint64_t pairs = 0;
    for (size_t bj = bi; bj < sh->nblocks; bj++) {
        if ((bi * sh->nblocks + bj) % jb->shard_n != jb->shard_i) continue;
        size_t j0 = bj * B, nj = n - j0 < B ? n - j0 : B;
        if (jb->dihedral) block_dihedral(w, i0, ni, j0, nj);
        else block_stats(w, i0, ni, j0, nj);
        pairs += block_pairs(i0, ni, j0, nj);
    }
    return pairs;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (;;) {
        size_t bi = atomic_fetch_add(&w->sh->next_row, 1);
        if (bi >= w->sh->nblocks) break;
        atomic_fetch_add(&w->sh->done_pairs, do_row(w, bi));
    }
    return NULL;
}

static int worker_init(worker *w, shared *sh, int want_hist, int want_nearest)
{
    memset(w, 0, sizeof *w);
    w->sh = sh;
    w->want_hist = want_hist;
    w->want_nearest = want_nearest;
    if (!sh->job->dihedral && hm__pair_acc_new(sh->job->code_bytes, &w->acc) != HM_OK) return -1;
    if (!want_nearest) return 0;
    size_t n = sh->job->n;
    w->nearest = malloc((n ? n : 1) * sizeof *w->nearest);
    if (!w->nearest) return -1;
    for (size_t i = 0; i < n; i++) w->nearest[i] = UINT16_MAX;
    return 0;
}

static void worker_free(worker *w)
{
    free(w->nearest);
    hm__pair_acc_free(w->acc);
}

/* The main thread works too, and draws the progress bar between its rows. */
static void run_main(worker *w, uint64_t total)
{
    cli_progress prog;
    cli_progress_start(&prog, w->sh->job->label, (size_t)(total / 1000));
    for (;;) {
        size_t bi = atomic_fetch_add(&w->sh->next_row, 1);
        if (bi >= w->sh->nblocks) break;
        atomic_fetch_add(&w->sh->done_pairs, do_row(w, bi));
        cli_progress_update(&prog, (size_t)(atomic_load(&w->sh->done_pairs) / 1000));
    }
    cli_progress_update(&prog, (size_t)(total / 1000));
    cli_progress_finish(&prog);
}

int ev_pairs_run(const ev_pairs_job *job, uint64_t *hist, uint16_t *nearest)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.job = job;
    sh.bits = (unsigned)(job->dihedral ? HM_PDQ_BITS : job->code_bytes * 8);
    sh.block = job->block ? job->block : job->dihedral ? 256 : (65536 / job->code_bytes);
    sh.nblocks = (job->n + sh.block - 1) / sh.block;
    atomic_init(&sh.next_row, 0);
    atomic_init(&sh.done_pairs, 0);
    unsigned nt = job->threads ? job->threads : cli_cpu_count();
    if (nt > sh.nblocks) nt = sh.nblocks ? (unsigned)sh.nblocks : 1;
    worker *w = calloc(nt, sizeof *w);
    pthread_t *tid = calloc(nt, sizeof *tid);
    int rc = (w && tid) ? 0 : -1;
    for (unsigned t = 0; t < nt && rc == 0; t++)
        rc = worker_init(&w[t], &sh, hist != NULL, nearest != NULL);
    unsigned started = 1;
    for (; rc == 0 && started < nt; started++)
        if (pthread_create(&tid[started], NULL, run_worker, &w[started])) break;
    if (rc == 0) run_main(&w[0], (uint64_t)job->n * (job->n ? job->n - 1 : 0) / 2 / job->shard_n);
    for (unsigned t = 1; rc == 0 && t < started; t++) pthread_join(tid[t], NULL);
    for (unsigned t = 0; rc == 0 && t < nt; t++) {
        if (w[t].acc) hm__pair_acc_flush(w[t].acc, w[t].hist);
        if (hist) hm__eval_hist_merge(hist, w[t].hist, sh.bits);
        for (size_t i = 0; nearest && i < job->n; i++)
            if (w[t].nearest[i] < nearest[i]) nearest[i] = w[t].nearest[i];
    }
    for (unsigned t = 0; w && t < nt; t++) worker_free(&w[t]);
    free(w);
    free(tid);
    return rc;
}
