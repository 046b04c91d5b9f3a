/* arrays.c - hash arrays: Hamming distances with broadcasting, pair
 * statistics (whole, tiles, pairs within a threshold), radius search, the
 * merge rules and the rates built on them. The Python layer checks dtypes
 * and shapes; here every buffer's size is checked again before use. */
#include "hmpy.h"

/* An optional buffer of exactly `len` bytes: NULL pointer for None. */
static int opt_buf(PyObject *obj, Py_buffer *v, int writable, size_t len, const char *what,
                   void **ptr)
{
    *ptr = NULL;
    memset(v, 0, sizeof *v);
    if (obj == NULL || obj == Py_None) return 0;
    if (hmpy_buffer(obj, v, writable, 0, what) < 0) return -1;
    if ((size_t)v->len != len) {
        PyErr_Format(PyExc_ValueError, "%s holds %zd bytes, %zu expected", what, v->len, len);
        PyBuffer_Release(v);
        v->obj = NULL;
        return -1;
    }
    *ptr = v->buf;
    return 0;
}

static void release(Py_buffer *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i].obj) PyBuffer_Release(&v[i]);
}

/* ---- Hamming distances ---- */

/* hamming_into(a, b, out): a and b have one shape (..., B) (broadcast views
 * with zero strides are fine, the last axis contiguous); out is a C-contiguous
 * int32 array of shape (...). */
static PyObject *hamming_into(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ao, *bo, *oo;
    if (!PyArg_ParseTuple(args, "OOO", &ao, &bo, &oo)) return NULL;
    Py_buffer a, b, o;
    if (PyObject_GetBuffer(ao, &a, PyBUF_STRIDED_RO) < 0) return NULL;
    if (PyObject_GetBuffer(bo, &b, PyBUF_STRIDED_RO) < 0) {
        PyBuffer_Release(&a);
        return NULL;
    }
    memset(&o, 0, sizeof o);
    int nd = a.ndim, ok = nd >= 1 && nd <= 32 && b.ndim == nd && a.itemsize == 1 && b.itemsize == 1;
    size_t rows = 1;
    for (int k = 0; ok && k < nd; k++) ok = a.shape[k] == b.shape[k];
    ok = ok && a.strides[nd - 1] == 1 && b.strides[nd - 1] == 1;
    for (int k = 0; ok && k < nd - 1; k++) rows *= (size_t)a.shape[k];
    if (!ok) PyErr_SetString(PyExc_ValueError, "hamming: arrays of one shape, uint8, last axis contiguous");
    else if (hmpy_buffer(oo, &o, 1, 0, "out") == 0 && (size_t)o.len != rows * 4) {
        PyErr_SetString(PyExc_ValueError, "hamming: out has the wrong size");
        PyBuffer_Release(&o);
        o.obj = NULL;
    }
    if (!ok || !o.obj) {
        PyBuffer_Release(&a);
        PyBuffer_Release(&b);
        return NULL;
    }
    size_t bytes = (size_t)a.shape[nd - 1];
    int32_t *out = o.buf;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t idx[32] = {0};
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *pa = a.buf, *pb = b.buf;
        for (int k = 0; k < nd - 1; k++) pa += idx[k] * a.strides[k], pb += idx[k] * b.strides[k];
        out[r] = (int32_t)hm_hamming(pa, pb, bytes);
        for (int k = nd - 2; k >= 0 && ++idx[k] == a.shape[k]; k--) idx[k] = 0;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&o);
    Py_RETURN_NONE;
}

/* ---- pair statistics ---- */

/* The options and buffers shared by pairs() and pairs_within(). */
typedef struct pairs_args {
    Py_buffer codes, groups;
    size_t n, code_bytes;
    hm_eval_pairs_options opt;
} pairs_args;

static int pairs_parse(pairs_args *p, PyObject *codes, Py_ssize_t code_bytes, PyObject *groups,
                       int dihedral)
{
    memset(p, 0, sizeof *p);
    if (code_bytes != 8 && code_bytes != 32) return hmpy_value_error("codes are 8 or 32 bytes"), -1;
    size_t per = (size_t)code_bytes * (dihedral ? HM_PDQ_DIHEDRAL_COUNT : 1);
    if (hmpy_buffer(codes, &p->codes, 0, (Py_ssize_t)per, "codes") < 0) return -1;
    p->n = (size_t)p->codes.len / per;
    p->code_bytes = (size_t)code_bytes;
    void *g;
    if (opt_buf(groups, &p->groups, 0, p->n * 4, "groups", &g) < 0) {
        PyBuffer_Release(&p->codes);
        return -1;
    }
    p->opt.groups = g;
    p->opt.dihedral = dihedral;
    return 0;
}

static void pairs_release(pairs_args *p) { release(&p->codes, 2); }

static PyObject *pairs(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"codes", "code_bytes", "groups", "dihedral", "threads", "shard_index",
                          "shard_count", "block", "hist", "nearest", "nearest_index", NULL};
    PyObject *codes, *groups = Py_None, *hist = Py_None, *near = Py_None, *idx = Py_None;
    Py_ssize_t cb, block = 0;
    int dihedral = 0;
    unsigned threads = 0, si = 0, sn = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "On|OpIIInOOO", kws, &codes, &cb, &groups,
                                     &dihedral, &threads, &si, &sn, &block, &hist, &near, &idx))
        return NULL;
    pairs_args p;
    if (pairs_parse(&p, codes, cb, groups, dihedral) < 0) return NULL;
    Py_buffer v[3];
    void *h, *nn, *ii;
    memset(v, 0, sizeof v);
    if (opt_buf(hist, &v[0], 1, (8 * p.code_bytes + 1) * 8, "hist", &h) < 0 ||
        opt_buf(near, &v[1], 1, p.n * 2, "nearest", &nn) < 0 ||
        opt_buf(idx, &v[2], 1, p.n * 8, "nearest_index", &ii) < 0) {
        release(v, 3);
        pairs_release(&p);
        return NULL;
    }
    p.opt.threads = threads;
    p.opt.shard_index = si;
    p.opt.shard_count = sn;
    p.opt.block = block > 0 ? (size_t)block : 0;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_eval_pairs(p.codes.buf, p.n, p.code_bytes, &p.opt, h, nn, ii, &err);
    Py_END_ALLOW_THREADS
    release(v, 3);
    pairs_release(&p);
    if (st != HM_OK) return hmpy_raise(st, &err);
    Py_RETURN_NONE;
}

static PyObject *pair_list(hm_eval_pair *list, size_t count)
{
    /* a bytearray: numpy views of it are writable (sortable) */
    PyObject *r = PyByteArray_FromStringAndSize((const char *)list, (Py_ssize_t)(count * sizeof *list));
    hm_buffer_free(list);
    return r;
}

static PyObject *pairs_within(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"codes", "code_bytes", "threshold", "groups", "dihedral", "threads",
                          "shard_index", "shard_count", "block", "max_pairs", NULL};
    PyObject *codes, *groups = Py_None;
    Py_ssize_t cb, block = 0, max = 0;
    unsigned threshold, threads = 0, si = 0, sn = 1;
    int dihedral = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OnI|OpIIInn", kws, &codes, &cb, &threshold,
                                     &groups, &dihedral, &threads, &si, &sn, &block, &max))
        return NULL;
    pairs_args p;
    if (pairs_parse(&p, codes, cb, groups, dihedral) < 0) return NULL;
    p.opt.threads = threads;
    p.opt.shard_index = si;
    p.opt.shard_count = sn;
    p.opt.block = block > 0 ? (size_t)block : 0;
    hm_eval_pair *list;
    size_t count;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_eval_pairs_within(p.codes.buf, p.n, p.code_bytes, &p.opt, threshold,
                              max > 0 ? (size_t)max : 0, &list, &count, &err);
    Py_END_ALLOW_THREADS
    pairs_release(&p);
    return st == HM_OK ? pair_list(list, count) : hmpy_raise(st, &err);
}

static PyObject *radius_search(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"queries", "codes", "code_bytes", "radius", "threads", "max_hits", NULL};
    PyObject *qo, *co;
    Py_ssize_t cb, max = 0;
    unsigned radius, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOnI|In", kws, &qo, &co, &cb, &radius, &threads, &max))
        return NULL;
    if (cb != 8 && cb != 32) return hmpy_value_error("codes are 8 or 32 bytes");
    Py_buffer q, c;
    if (hmpy_buffer(qo, &q, 0, cb, "queries") < 0) return NULL;
    if (hmpy_buffer(co, &c, 0, cb, "codes") < 0) {
        PyBuffer_Release(&q);
        return NULL;
    }
    hm_eval_pair *list;
    size_t count;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_eval_radius_search(q.buf, (size_t)(q.len / cb), c.buf, (size_t)(c.len / cb), (size_t)cb,
                               radius, threads, max > 0 ? (size_t)max : 0, &list, &count, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&q);
    PyBuffer_Release(&c);
    return st == HM_OK ? pair_list(list, count) : hmpy_raise(st, &err);
}

/* One side of a tile: codes, groups, first index and its output arrays. */
typedef struct side {
    Py_buffer v[4];
    hm_eval_block blk;
    uint16_t *near;
    int64_t *idx;
} side;

static int side_parse(PyObject *t, size_t per, side *s)
{
    PyObject *codes, *groups, *near, *idx;
    long long first;
    memset(s, 0, sizeof *s);
    if (!PyArg_ParseTuple(t, "OOLOO", &codes, &groups, &first, &near, &idx)) return -1;
    if (hmpy_buffer(codes, &s->v[0], 0, (Py_ssize_t)per, "codes") < 0) return -1;
    size_t n = (size_t)s->v[0].len / per;
    void *g, *nn, *ii;
    if (opt_buf(groups, &s->v[1], 0, n * 4, "groups", &g) < 0 ||
        opt_buf(near, &s->v[2], 1, n * 2, "nearest", &nn) < 0 ||
        opt_buf(idx, &s->v[3], 1, n * 8, "nearest_index", &ii) < 0) {
        release(s->v, 4);
        return -1;
    }
    s->blk = (hm_eval_block){s->v[0].buf, n, g, (int64_t)first};
    s->near = nn;
    s->idx = ii;
    return 0;
}

/* pairs_tile((codes, groups, first, nearest, index), (...) or None,
 *            code_bytes, dihedral, hist) */
static PyObject *pairs_tile(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ta, *tb, *hist;
    Py_ssize_t cb;
    int dihedral;
    if (!PyArg_ParseTuple(args, "OOnpO", &ta, &tb, &cb, &dihedral, &hist)) return NULL;
    if (cb != 8 && cb != 32) return hmpy_value_error("codes are 8 or 32 bytes");
    size_t per = (size_t)cb * (dihedral ? HM_PDQ_DIHEDRAL_COUNT : 1);
    side a, b;
    memset(&b, 0, sizeof b);
    Py_buffer hv;
    void *h;
    memset(&hv, 0, sizeof hv);
    if (side_parse(ta, per, &a) < 0) return NULL;
    if ((tb != Py_None && side_parse(tb, per, &b) < 0) ||
        opt_buf(hist, &hv, 1, ((size_t)cb * 8 + 1) * 8, "hist", &h) < 0) {
        release(a.v, 4);
        release(b.v, 4);
        return NULL;
    }
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_eval_pairs_tile(&a.blk, tb != Py_None ? &b.blk : NULL, (size_t)cb, dihedral, h, a.near,
                            a.idx, b.near, b.idx, &err);
    Py_END_ALLOW_THREADS
    release(a.v, 4);
    release(b.v, 4);
    release(&hv, 1);
    if (st != HM_OK) return hmpy_raise(st, &err);
    Py_RETURN_NONE;
}

/* ---- merges and rates ---- */

static PyObject *hist_merge(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *d, *s;
    Py_buffer dv, sv;
    if (!PyArg_ParseTuple(args, "OO", &d, &s)) return NULL;
    if (hmpy_buffer(d, &dv, 1, 8, "dst") < 0) return NULL;
    if (hmpy_buffer(s, &sv, 0, 8, "src") < 0) return PyBuffer_Release(&dv), NULL;
    hm_status st = dv.len == sv.len && dv.len >= 8 && dv.len <= (HM_EVAL_MAX_BITS + 1) * 8
                       ? hm_eval_hist_merge(dv.buf, sv.buf, (unsigned)(dv.len / 8 - 1))
                       : HM_E_INVALID_ARGUMENT;
    PyBuffer_Release(&dv);
    PyBuffer_Release(&sv);
    if (st != HM_OK) return hmpy_raise(st, NULL);
    Py_RETURN_NONE;
}

static PyObject *nearest_merge(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o[4];
    if (!PyArg_ParseTuple(args, "OOOO", &o[0], &o[1], &o[2], &o[3])) return NULL;
    Py_buffer v[4];
    memset(v, 0, sizeof v);
    if (hmpy_buffer(o[0], &v[0], 1, 2, "nearest") < 0) return NULL;
    size_t n = (size_t)v[0].len / 2;
    void *di, *s, *si;
    if (opt_buf(o[1], &v[1], 1, n * 8, "nearest_index", &di) < 0 ||
        opt_buf(o[2], &v[2], 0, n * 2, "src nearest", &s) < 0 ||
        opt_buf(o[3], &v[3], 0, n * 8, "src nearest_index", &si) < 0 || !s) {
        if (!PyErr_Occurred()) hmpy_value_error("src nearest is required");
        release(v, 4);
        return NULL;
    }
    hm_eval_nearest_merge(v[0].buf, di, s, si, n);
    release(v, 4);
    Py_RETURN_NONE;
}

static PyObject *binomial_tail(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned long long n, k;
    double p;
    if (!PyArg_ParseTuple(args, "KdK", &n, &p, &k)) return NULL;
    if (!(p >= 0 && p <= 1)) return hmpy_value_error("p must be a probability");
    return PyFloat_FromDouble(hm_eval_binomial_tail(n, p, k));
}

static PyObject *account_empirical(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *m;
    Py_ssize_t per;
    unsigned long long k, trials, seed;
    int contiguous;
    if (!PyArg_ParseTuple(args, "OnKKKp", &m, &per, &k, &trials, &seed, &contiguous)) return NULL;
    Py_buffer v;
    if (hmpy_buffer(m, &v, 0, 0, "matched") < 0) return NULL;
    uint64_t crossed = 0;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = per < 0 ? HM_E_INVALID_ARGUMENT
                 : hm_eval_account_empirical(v.buf, (size_t)v.len, (size_t)per, k, trials, seed,
                                             contiguous ? HM_EVAL_DRAW_CONTIGUOUS : HM_EVAL_DRAW_RANDOM,
                                             &crossed);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    if (st != HM_OK) return hmpy_raise(st, NULL);
    return PyLong_FromUnsignedLongLong(crossed);
}

/* cumulative_rate(hist uint64[bits+1], total, out float64[bits+1]) */
static PyObject *cumulative_rate(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *h, *o;
    unsigned long long total;
    if (!PyArg_ParseTuple(args, "OKO", &h, &total, &o)) return NULL;
    Py_buffer hv, ov;
    if (hmpy_buffer(h, &hv, 0, 8, "hist") < 0) return NULL;
    if (hmpy_buffer(o, &ov, 1, 8, "out") < 0) return PyBuffer_Release(&hv), NULL;
    int ok = hv.len == ov.len && hv.len >= 8 && hv.len <= (HM_EVAL_MAX_BITS + 1) * 8;
    if (ok) hm_eval_cumulative_rate(hv.buf, (unsigned)(hv.len / 8 - 1), total, ov.buf);
    PyBuffer_Release(&hv);
    PyBuffer_Release(&ov);
    if (!ok) return hmpy_value_error("cumulative_rate: bits+1 counters in and out");
    Py_RETURN_NONE;
}

/* nearest_hist(nearest uint16[n], out uint64[bits+1]) adds to out */
static PyObject *nearest_hist(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *n, *o;
    if (!PyArg_ParseTuple(args, "OO", &n, &o)) return NULL;
    Py_buffer nv, ov;
    if (hmpy_buffer(n, &nv, 0, 2, "nearest") < 0) return NULL;
    if (hmpy_buffer(o, &ov, 1, 8, "out") < 0) return PyBuffer_Release(&nv), NULL;
    int ok = ov.len >= 8 && ov.len <= (HM_EVAL_MAX_BITS + 1) * 8;
    if (ok) hm_eval_nearest_hist(nv.buf, (size_t)nv.len / 2, (unsigned)(ov.len / 8 - 1), ov.buf);
    PyBuffer_Release(&nv);
    PyBuffer_Release(&ov);
    if (!ok) return hmpy_value_error("nearest_hist: bits+1 counters");
    Py_RETURN_NONE;
}

/* threshold_for_fpr(fpr float64[bits+1], target) -> int */
static PyObject *threshold_for_fpr(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *f;
    double target;
    if (!PyArg_ParseTuple(args, "Od", &f, &target)) return NULL;
    Py_buffer fv;
    if (hmpy_buffer(f, &fv, 0, 8, "fpr") < 0) return NULL;
    int ok = fv.len >= 8 && fv.len <= (HM_EVAL_MAX_BITS + 1) * 8;
    int t = ok ? hm_eval_threshold_for_fpr(fv.buf, (unsigned)(fv.len / 8 - 1), target) : 0;
    PyBuffer_Release(&fv);
    if (!ok) return hmpy_value_error("threshold_for_fpr: bits+1 rates");
    return PyLong_FromLong(t);
}

/* roc_auc(fpr float64[bits+1], recall float64[bits+1]) -> float */
static PyObject *roc_auc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *f, *r;
    if (!PyArg_ParseTuple(args, "OO", &f, &r)) return NULL;
    Py_buffer fv, rv;
    if (hmpy_buffer(f, &fv, 0, 8, "fpr") < 0) return NULL;
    if (hmpy_buffer(r, &rv, 0, 8, "recall") < 0) return PyBuffer_Release(&fv), NULL;
    int ok = fv.len == rv.len && fv.len >= 8 && fv.len <= (HM_EVAL_MAX_BITS + 1) * 8;
    double auc = ok ? hm_eval_roc_auc(fv.buf, rv.buf, (unsigned)(fv.len / 8 - 1)) : 0;
    PyBuffer_Release(&fv);
    PyBuffer_Release(&rv);
    if (!ok) return hmpy_value_error("roc_auc: bits+1 rates each");
    return PyFloat_FromDouble(auc);
}

#define KW METH_VARARGS | METH_KEYWORDS
#define FN(f) (PyCFunction)(void (*)(void))(f)
PyMethodDef hmpy_array_methods[] = {
    {"hamming_into", hamming_into, METH_VARARGS, "hamming_into(a, b, out)"},
    {"pairs", FN(pairs), KW, "pairs(codes, code_bytes, ...): fills hist/nearest/nearest_index"},
    {"pairs_within", FN(pairs_within), KW, "pairs_within(codes, code_bytes, threshold, ...) -> bytes"},
    {"radius_search", FN(radius_search), KW, "radius_search(queries, codes, code_bytes, radius) -> bytes"},
    {"pairs_tile", pairs_tile, METH_VARARGS, "pairs_tile(a_side, b_side, code_bytes, dihedral, hist)"},
    {"hist_merge", hist_merge, METH_VARARGS, "hist_merge(dst, src)"},
    {"nearest_merge", nearest_merge, METH_VARARGS, "nearest_merge(dst, dst_index, src, src_index)"},
    {"binomial_tail", binomial_tail, METH_VARARGS, "binomial_tail(n, p, k)"},
    {"account_empirical", account_empirical, METH_VARARGS,
     "account_empirical(matched, per_account, k, trials, seed, contiguous)"},
    {"cumulative_rate", cumulative_rate, METH_VARARGS, "cumulative_rate(hist, total, out)"},
    {"nearest_hist", nearest_hist, METH_VARARGS, "nearest_hist(nearest, out)"},
    {"threshold_for_fpr", threshold_for_fpr, METH_VARARGS, "threshold_for_fpr(fpr, target)"},
    {"roc_auc", roc_auc, METH_VARARGS, "roc_auc(fpr, recall)"},
    {NULL, NULL, 0, NULL}};
