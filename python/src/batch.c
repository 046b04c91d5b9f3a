/* batch.c - many items on a thread pool with the GIL released.
 *
 * Workers claim items from an atomic counter. The calling thread works too,
 * and between its items, at most every `interval` seconds, takes the GIL
 * back to report progress and let Python deliver signals (Ctrl-C stops the
 * pool after the items in flight). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "hmpy.h"

typedef struct pool {
    size_t count;
    hmpy_work_fn work;
    void *ctx;
    atomic_size_t next, done;
    atomic_int stop;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (size_t i; !atomic_load(&p->stop) && (i = atomic_fetch_add(&p->next, 1)) < p->count;) {
        p->work(p->ctx, i);
        atomic_fetch_add(&p->done, 1);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* With the GIL: progress and signals. -1 with an exception to stop. */
static int checkpoint(pool *p, PyObject *progress)
{
    if (PyErr_CheckSignals() < 0) return -1;
    if (progress == Py_None) return 0;
    PyObject *r = PyObject_CallFunction(progress, "nn", (Py_ssize_t)atomic_load(&p->done),
                                        (Py_ssize_t)p->count);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

int hmpy_run_pool(size_t count, unsigned threads, hmpy_work_fn work, void *ctx,
                  PyObject *progress, double interval)
{
    pool p = {.count = count, .work = work, .ctx = ctx};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.stop, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nt = threads ? threads : cpus > 0 ? (unsigned)cpus : 1;
    if (nt > count) nt = count ? (unsigned)count : 1;
    pthread_t *tid = PyMem_RawCalloc(nt, sizeof *tid);
    if (!tid) {
        PyErr_NoMemory();
        return -1;
    }
    int failed = 0;
    PyThreadState *save = PyEval_SaveThread();
    unsigned started = 1;
    for (; started < nt; started++)
        if (pthread_create(&tid[started], NULL, worker, &p)) break;
    double last = now();
    for (size_t i; !failed && (i = atomic_fetch_add(&p.next, 1)) < count;) {
        work(ctx, i);
        atomic_fetch_add(&p.done, 1);
        if (now() - last < interval) continue;
        PyEval_RestoreThread(save);
        failed = checkpoint(&p, progress);
        save = PyEval_SaveThread();
        last = now();
    }
    atomic_store(&p.stop, failed);
    for (unsigned t = 1; t < started; t++) pthread_join(tid[t], NULL);
    PyEval_RestoreThread(save);
    PyMem_RawFree(tid);
    if (!failed) failed = checkpoint(&p, progress);
    return failed ? -1 : 0;
}

PyObject *hmpy_paths(PyObject *seq, const char ***items, size_t *count)
{
    PyObject *fast = PySequence_Fast(seq, "paths must be a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject *list = PyList_New(n);
    const char **p = list ? PyMem_Calloc(n ? (size_t)n : 1, sizeof *p) : NULL;
    if (list && !p) PyErr_NoMemory();
    for (Py_ssize_t i = 0; p && i < n; i++) {
        PyObject *b = NULL;
        if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(fast, i), &b)) {
            PyMem_Free(p);
            p = NULL;
            break;
        }
        PyList_SET_ITEM(list, i, b);
        p[i] = PyBytes_AS_STRING(b);
    }
    Py_DECREF(fast);
    if (!p) {
        Py_XDECREF(list);
        return NULL;
    }
    *items = p;
    *count = (size_t)n;
    return list;
}
