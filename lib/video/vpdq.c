/* vpdq.c - hm_video_hash_*: decode, select frames as the reference does,
 * convert and hash them, on the calling thread or on a pool of workers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../hash/hash_internal.h"
#include "convert.h"
#include "decode.h"

int hm_video_supported(void) { return 1; }

/* What every frame's hashing needs to know. */
typedef struct run {
    hm_vpdq_mode mode;
    uint32_t tw, th;
    double fps;
    hm__yuv2rgb_tables tables[2];
    hm_video *v;
} run;

static hm_status hash_one(const run *r, hm__vconv *c, const AVFrame *f, uint64_t n,
                          hm_vpdq_frame *out, hm_error *err)
{
    memset(out, 0, sizeof *out);
    HM_FORWARD_IF_ERROR(hm__vconv_hash(c, f, out->hash, &out->quality, err));
    out->frame = (uint32_t)n;
    out->timestamp = hm__vpdq_timestamp(n, r->fps);
    return HM_OK;
}

/* ------------------------------------------------------------------------ */
/* Worker pool: the calling thread decodes, workers convert and hash        */
/* ------------------------------------------------------------------------ */

typedef struct job {
    AVFrame *frame;
    uint64_t n;
} job;

typedef struct pool {
    const run *r;
    pthread_mutex_t mu;
    pthread_cond_t can_take, can_put;
    job *q;
    size_t cap, head, count;
    int done;
    hm_status st; /* the first failure */
    hm_error err;
} pool;

static void fail_locked(pool *p, hm_status st, const hm_error *e)
{
    if (p->st != HM_OK) return;
    p->st = st;
    p->err = *e;
    pthread_cond_broadcast(&p->can_put);
    pthread_cond_broadcast(&p->can_take);
}

static void *worker(void *arg)
{
    pool *p = arg;
    hm__vconv *c = NULL;
    hm_error e;
    hm_status st = hm__vconv_new(p->r->mode, p->r->tw, p->r->th, p->r->tables, &c, &e);
    pthread_mutex_lock(&p->mu);
    if (st != HM_OK) fail_locked(p, st, &e);
    while (p->st == HM_OK) {
        while (!p->count && !p->done && p->st == HM_OK) pthread_cond_wait(&p->can_take, &p->mu);
        if (!p->count || p->st != HM_OK) break;
        job j = p->q[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_cond_signal(&p->can_put);
        pthread_mutex_unlock(&p->mu);
        hm_vpdq_frame f;
        st = hash_one(p->r, c, j.frame, j.n, &f, &e);
        av_frame_free(&j.frame);
        pthread_mutex_lock(&p->mu);
        if (st == HM_OK) st = hm__video_push(p->r->v, &f, &e);
        if (st != HM_OK) fail_locked(p, st, &e);
    }
    pthread_mutex_unlock(&p->mu);
    hm__vconv_free(c);
    return NULL;
}

/* Hands a frame to the workers (a new reference to its buffers). */
static hm_status put(pool *p, const AVFrame *f, uint64_t n, hm_error *err)
{
    AVFrame *ref = av_frame_clone(f);
    HM_RETURN_IF(!ref, err, HM_E_NO_MEMORY, "cannot reference a decoded frame");
    pthread_mutex_lock(&p->mu);
    while (p->count == p->cap && p->st == HM_OK) pthread_cond_wait(&p->can_put, &p->mu);
    hm_status st = p->st;
    if (st == HM_OK) {
        p->q[(p->head + p->count) % p->cap] = (job){ref, n};
        p->count++;
        pthread_cond_signal(&p->can_take);
    }
    pthread_mutex_unlock(&p->mu);
    if (st != HM_OK) av_frame_free(&ref);
    return st;
}

static hm_status decode_all(hm__vdec *d, const run *r, uint64_t step, pool *p, hm__vconv *c,
                            hm_error *err)
{
    for (uint64_t n = 0;; n++) {
        AVFrame *f;
        HM_FORWARD_IF_ERROR(hm__vdec_next(d, &f, r->v, err));
        if (!f) return HM_OK;
        if (n % step) continue;
        if (p) {
            hm_status st = put(p, f, n, err);
            if (st != HM_OK) return st; /* the worker's error is reported below */
        } else {
            hm_vpdq_frame out;
            HM_FORWARD_IF_ERROR(hash_one(r, c, f, n, &out, err));
            HM_FORWARD_IF_ERROR(hm__video_push(r->v, &out, err));
        }
    }
}

static hm_status run_pool(hm__vdec *d, const run *r, uint64_t step, unsigned threads,
                          hm_error *err)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.cap = 2 * (size_t)threads;
    p.q = calloc(p.cap, sizeof *p.q);
    HM_RETURN_IF(!p.q, err, HM_E_NO_MEMORY, "cannot allocate the frame queue");
    pthread_t tid[256];
    unsigned started = 0;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.can_take, NULL);
    pthread_cond_init(&p.can_put, NULL);
    hm_status st = HM_OK;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &p)) break;
    if (!started) st = hm__fail(err, HM_E_NO_MEMORY, "cannot start hashing threads");
    hm_error derr;
    hm_status dst = st == HM_OK ? decode_all(d, r, step, &p, NULL, &derr) : HM_OK;
    pthread_mutex_lock(&p.mu);
    p.done = 1;
    if (dst != HM_OK) fail_locked(&p, dst, &derr);
    pthread_cond_broadcast(&p.can_take);
    pthread_mutex_unlock(&p.mu);
    for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
    for (size_t i = 0; i < p.count; i++) av_frame_free(&p.q[(p.head + i) % p.cap].frame);
    if (st == HM_OK && p.st != HM_OK) {
        st = p.st;
        if (err) *err = p.err;
    }
    pthread_cond_destroy(&p.can_put);
    pthread_cond_destroy(&p.can_take);
    pthread_mutex_destroy(&p.mu);
    free(p.q);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

static hm_status target_size(const hm__vstream *s, const hm_video_options *opt,
                             const hm_video_limits *lim, uint32_t *tw, uint32_t *th,
                             hm_error *err)
{
    *tw = opt && opt->size ? opt->size : s->width;
    *th = opt && opt->size ? opt->size : s->height;
    HM_RETURN_IF(*tw < 5 || *th < 5, err, HM_E_VIDEO_DIMENSIONS,
                 "frames of %ux%u are too small to hash (PDQ needs 5x5)", *tw, *th);
    HM_RETURN_IF((uint64_t)*tw * *th > lim->max_pixels, err, HM_E_VIDEO_TOO_LARGE,
                 "hashing at %ux%u is over the limit of %llu pixels", *tw, *th,
                 (unsigned long long)lim->max_pixels);
    return HM_OK;
}

static hm_status hash_input(hm__vinput *in, const hm_video_options *opt, hm_video *v,
                            hm_error *err)
{
    hm_video_limits lim = hm__video_limits(opt);
    unsigned threads = opt && opt->threads > 1 ? opt->threads : 1;
    hm__vdec *d;
    hm__vstream s;
    HM_FORWARD_IF_ERROR(hm__vdec_open(in, &lim, 1, &d, &s, v, err));
    run *r = malloc(sizeof *r);
    hm_status st = r ? HM_OK : hm__fail(err, HM_E_NO_MEMORY, "out of memory");
    if (st == HM_OK) {
        r->mode = opt ? opt->mode : HM_VPDQ_PORTABLE;
        r->fps = s.fps;
        r->v = v;
        hm__yuv2rgb_tables_init(&r->tables[0], 0);
        hm__yuv2rgb_tables_init(&r->tables[1], 1);
        st = target_size(&s, opt, &lim, &r->tw, &r->th, err);
    }
    if (st == HM_OK) {
        v->info.width = s.width;
        v->info.height = s.height;
        v->info.hash_width = r->tw;
        v->info.hash_height = r->th;
        v->info.fps = s.fps;
        uint64_t step = hm__vpdq_step(opt ? opt->seconds_per_hash : 0, s.fps);
        if (threads > 1) {
            st = run_pool(d, r, step, threads, err);
        } else {
            hm__vconv *c;
            st = hm__vconv_new(r->mode, r->tw, r->th, r->tables, &c, err);
            if (st == HM_OK) st = decode_all(d, r, step, NULL, c, err);
            hm__vconv_free(c);
        }
    }
    free(r);
    hm__vdec_close(d);
    hm__video_sort(v);
    return st;
}

static hm_status finish(hm_status st, hm_video *v, hm_video **out, hm_error *err)
{
    if (st != HM_OK) {
        hm_video_free(v);
        return st;
    }
    *out = v;
    hm__ok(err);
    return HM_OK;
}

/* Hashes `in` (bytes or a regular file) and computes the digests asked for. */
static hm_status hash_core(hm__vinput *in, const hm_video_options *opt, hm_video **out,
                           hm_error *err)
{
    hm_video *v = hm__video_new();
    HM_RETURN_IF(!v, err, HM_E_NO_MEMORY, "cannot allocate a video");
    hm_status st = hash_input(in, opt, v, err);
    uint32_t dig = opt ? opt->digests & HM_MASK_DIGESTS : 0;
    if (st == HM_OK && dig) {
        hm_hashes h;
        memset(&h, 0, sizeof h);
        st = in->fd >= 0 ? hm__digests_fd(in->fd, dig, &h, err)
                         : hm__digests(in->data, in->size, dig, &h, err);
        memcpy(v->info.md5, h.md5, sizeof h.md5);
        memcpy(v->info.sha1, h.sha1, sizeof h.sha1);
        memcpy(v->info.sha256, h.sha256, sizeof h.sha256);
        v->info.digests = dig;
    }
    /* A file written to while it was decoded and digested (a download still
     * arriving, an edit): whatever the decode made of it, an error. */
    hm_status changed = hm__vinput_unchanged(in, err);
    if (changed != HM_OK) st = changed;
    v->truncated = in->truncated;
    return finish(st, v, out, err);
}

/* The input of a buffer (fd < 0) or of an open regular file. */
static hm_status open_vinput(const void *data, size_t size, int fd, const char *name,
                             const hm_video_options *opt, hm__vinput *in, hm_error *err)
{
    memset(in, 0, sizeof *in);
    HM_FORWARD_IF_ERROR(hm__video_check_options(opt, err));
    in->fd = fd;
    if (fd < 0) {
        HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "invalid buffer");
        in->data = data;
        in->size = size;
        in->end = size;
        return HM_OK;
    }
    /* Only a regular file has a size to check truncation against and an
     * end: a FIFO or a device could be read for ever. */
    return hm__vinput_file(in, fd, name, err);
}

static hm_status hash_any(const void *data, size_t size, int fd, const char *name,
                          const hm_video_options *opt, int salvage, hm_video **out,
                          hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    hm__vinput in;
    HM_FORWARD_IF_ERROR(open_vinput(data, size, fd, name ? name : "video", opt, &in, err));
    in.salvage = salvage;
    return hash_core(&in, opt, out, err);
}

hm_status hm_video_hash_buffer(const void *data, size_t size, const hm_video_options *opt,
                               hm_video **out, hm_error *err)
{
    return hash_any(data, size, -1, NULL, opt, 0, out, err);
}

hm_status hm_video_hash_fd(int fd, const char *name, const hm_video_options *opt, hm_video **out,
                           hm_error *err)
{
    if (out) *out = NULL;
    HM_RETURN_IF(fd < 0, err, HM_E_INVALID_ARGUMENT, "a file descriptor is required");
    return hash_any(NULL, 0, fd, name, opt, 0, out, err);
}

hm_status hm__video_hash_salvage(const void *data, size_t size, int fd, const char *name,
                                 const hm_video_options *opt, hm_video **out, hm_error *err)
{
    return hash_any(data, size, fd, name, opt, 1, out, err);
}

hm_status hm_video_hash_file(const char *path, const hm_video_options *opt, hm_video **out,
                             hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    HM_RETURN_IF(!path, err, HM_E_INVALID_ARGUMENT, "a path is required");
    /* Opened without blocking: a FIFO would otherwise wait for a writer. */
    int fd = hm__open_input(path);
    if (fd < 0) return hm__fail_open(path, err);
    hm_status st = hm_video_hash_fd(fd, path, opt, out, err);
    close(fd);
    return st;
}
