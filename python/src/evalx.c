/* evalx.c - transforms and robustness (hm_transform_*, hm_eval_robustness_*).
 *
 * A parsed transform list travels as bytes holding an array of hm_transform
 * (plain data), so Python can keep it, pass it to many calls, and send it to
 * workers of the same build. */
#include <math.h>
#include <stdlib.h>

#include "hmpy.h"

#define MAX_CHAINS 1024

/* The steps of a chain as [(name, [params])], parameters without the NaN
 * of unset optional ones. */
static PyObject *steps_list(const hm_transform *t)
{
    PyObject *l = PyList_New(0);
    for (unsigned k = 0; l && k < t->count; k++) {
        hm_transform one = {.count = 1, .steps = {t->steps[k]}};
        char name[64];
        hm_transform_format(&one, 1, name, sizeof name);
        PyObject *params = PyList_New(0);
        for (int p = 0; params && p < HM_TRANSFORM_MAX_PARAMS; p++) {
            if (isnan(t->steps[k].param[p])) continue;
            PyObject *f = PyFloat_FromDouble(t->steps[k].param[p]);
            if (!f || PyList_Append(params, f) < 0) Py_CLEAR(params);
            Py_XDECREF(f);
        }
        PyObject *st = params ? Py_BuildValue("(sN)", name, params) : NULL;
        if (!st || PyList_Append(l, st) < 0) Py_CLEAR(l);
        Py_XDECREF(st);
    }
    return l;
}

/* parse_transforms(spec) -> (blob, [(spec, names, params, steps)]) */
static PyObject *parse_transforms(PyObject *self, PyObject *args)
{
    (void)self;
    const char *spec;
    if (!PyArg_ParseTuple(args, "s", &spec)) return NULL;
    hm_transform *t = PyMem_Calloc(MAX_CHAINS, sizeof *t);
    if (!t) return PyErr_NoMemory();
    size_t n;
    hm_error err;
    hm_status st = hm_transform_parse_list(spec, t, MAX_CHAINS, &n, &err);
    if (st != HM_OK) {
        PyMem_Free(t);
        return hmpy_raise(st, &err);
    }
    PyObject *info = PyList_New(0);
    for (size_t i = 0; info && i < n; i++) {
        char full[512], names[256], params[256];
        hm_transform_format(&t[i], 0, full, sizeof full);
        hm_transform_format(&t[i], 1, names, sizeof names);
        hm_transform_format_params(&t[i], params, sizeof params);
        PyObject *row = Py_BuildValue("(sssN)", full, names, params, steps_list(&t[i]));
        if (!row || PyList_Append(info, row) < 0) Py_CLEAR(info);
        Py_XDECREF(row);
    }
    PyObject *blob = PyBytes_FromStringAndSize((const char *)t, (Py_ssize_t)(n * sizeof *t));
    PyMem_Free(t);
    if (!info || !blob) {
        Py_XDECREF(info);
        Py_XDECREF(blob);
        return NULL;
    }
    return Py_BuildValue("(NN)", blob, info);
}

static int chains(PyObject *obj, Py_buffer *v, size_t *n)
{
    if (hmpy_buffer(obj, v, 0, sizeof(hm_transform), "transforms") < 0) return -1;
    *n = (size_t)v->len / sizeof(hm_transform);
    return 0;
}

typedef struct rob {
    const char **paths;
    const hm_transform *t;
    size_t nt;
    uint64_t seed;
    uint32_t algos;
    hm_decode_options decode;
    uint16_t *dist;   /* per file: nt * HM_EVAL_ALGO_COUNT */
    int32_t *status;  /* per file */
    uint64_t *pixels; /* per file: decoded width * height */
    char **messages;
} rob;

static void rob_work(void *ctx, size_t i)
{
    rob *r = ctx;
    hm_error err;
    hm_hashes orig;
    hm_status st = hm_eval_robustness_file(r->paths[i], r->t, r->nt, r->seed, r->algos, &r->decode,
                                           r->dist + i * r->nt * HM_EVAL_ALGO_COUNT, &orig, &err);
    r->status[i] = (int32_t)st;
    r->pixels[i] = st == HM_OK ? (uint64_t)orig.width * orig.height : 0;
    if (st != HM_OK) r->messages[i] = strdup(err.message[0] ? err.message : hm_strerror(st));
}

/* robustness_files(paths, transforms, seed, algos, dist, status, pixels,
 *                  threads=0, max_pixels=0, progress=None, interval=0.5)
 * -> [(index, status name, message)] */
static PyObject *robustness_files(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"paths", "transforms", "seed", "algos", "dist", "status", "pixels",
                          "threads", "max_pixels", "progress", "interval", NULL};
    PyObject *seq, *tobj, *dobj, *sobj, *pobj, *progress = Py_None;
    unsigned long long seed, max_pixels = 0;
    unsigned algos, threads = 0;
    double interval = 0.5;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOKIOOO|IKOd", kws, &seq, &tobj, &seed, &algos,
                                     &dobj, &sobj, &pobj, &threads, &max_pixels, &progress, &interval))
        return NULL;
    rob r;
    memset(&r, 0, sizeof r);
    size_t n;
    Py_buffer v[4];
    memset(v, 0, sizeof v);
    PyObject *keep = hmpy_paths(seq, &r.paths, &n), *result = NULL;
    if (!keep) return NULL;
    if (chains(tobj, &v[0], &r.nt) < 0 || hmpy_buffer(dobj, &v[1], 1, 0, "dist") < 0 ||
        hmpy_buffer(sobj, &v[2], 1, 0, "status") < 0 || hmpy_buffer(pobj, &v[3], 1, 0, "pixels") < 0)
        goto done;
    if ((size_t)v[1].len != n * r.nt * HM_EVAL_ALGO_COUNT * 2 || (size_t)v[2].len != n * 4 ||
        (size_t)v[3].len != n * 8) {
        hmpy_value_error("robustness_files: output sizes do not match %zu paths", n);
        goto done;
    }
    r.t = v[0].buf;
    r.seed = seed;
    r.algos = algos;
    r.decode.max_pixels = max_pixels;
    r.dist = v[1].buf;
    r.status = v[2].buf;
    r.pixels = v[3].buf;
    r.messages = PyMem_RawCalloc(n ? n : 1, sizeof *r.messages);
    if (!r.messages) {
        PyErr_NoMemory();
        goto done;
    }
    if (hmpy_run_pool(n, threads, rob_work, &r, progress, interval) == 0) {
        result = PyList_New(0);
        for (size_t i = 0; result && i < n; i++) {
            if (r.status[i] == HM_OK) continue;
            PyObject *t = Py_BuildValue("(nss)", (Py_ssize_t)i, hm_status_name((hm_status)r.status[i]),
                                        r.messages[i] ? r.messages[i] : "");
            if (!t || PyList_Append(result, t) < 0) Py_CLEAR(result);
            Py_XDECREF(t);
        }
    }
    for (size_t i = 0; i < n; i++) free(r.messages[i]);
done:
    PyMem_RawFree(r.messages);
    for (int k = 0; k < 4; k++)
        if (v[k].obj) PyBuffer_Release(&v[k]);
    PyMem_Free(r.paths);
    Py_DECREF(keep);
    return result;
}

/* robustness_bytes(data, transforms, seed, algos) -> (dist bytes, hashes tuple) */
static PyObject *robustness_bytes(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer data, tv;
    PyObject *tobj;
    unsigned long long seed;
    unsigned algos;
    if (!PyArg_ParseTuple(args, "y*OKI", &data, &tobj, &seed, &algos)) return NULL;
    size_t nt;
    if (chains(tobj, &tv, &nt) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    size_t bytes = (nt ? nt : 1) * HM_EVAL_ALGO_COUNT * sizeof(uint16_t);
    uint16_t *dist = PyMem_RawMalloc(bytes);
    hm_hashes orig;
    hm_error err;
    hm_status st = dist ? HM_OK : HM_E_NO_MEMORY;
    Py_BEGIN_ALLOW_THREADS
    if (st == HM_OK)
        st = hm_eval_robustness_buffer(data.len ? data.buf : "", (size_t)data.len, tv.buf, nt,
                                       seed, algos, NULL, dist, &orig, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    PyBuffer_Release(&tv);
    PyObject *r = NULL;
    if (st == HM_OK)
        r = Py_BuildValue("(y#N)", (const char *)dist, (Py_ssize_t)(nt * HM_EVAL_ALGO_COUNT * 2),
                          hmpy_hashes_tuple(&orig));
    else
        hmpy_raise(st, dist ? &err : NULL);
    PyMem_RawFree(dist);
    return r;
}

/* transform_pixels(array, transform, seed, bgr) -> (bytes, width, height, channels).
 * The pixels are copied into a library image (1 or 3 channels). */
static PyObject *transform_pixels(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *obj, *tobj;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OOK", &obj, &tobj, &seed)) return NULL;
    Py_buffer pv, tv;
    size_t nt;
    memset(&pv, 0, sizeof pv);
    if (chains(tobj, &tv, &nt) < 0) return NULL;
    if (nt != 1) {
        PyBuffer_Release(&tv);
        return hmpy_value_error("transform_pixels takes one chain");
    }
    if (hmpy_buffer(obj, &pv, 0, 0, "pixels") < 0 || pv.ndim < 2 || pv.ndim > 3) {
        if (!PyErr_Occurred()) hmpy_value_error("pixels must be HxW or HxWx3 uint8");
        PyBuffer_Release(&tv);
        if (pv.obj) PyBuffer_Release(&pv);
        return NULL;
    }
    unsigned ch = pv.ndim == 2 ? 1 : (unsigned)pv.shape[2];
    hm_image *img = NULL, *out = NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_image_from_pixels((uint32_t)pv.shape[1], (uint32_t)pv.shape[0], ch, pv.buf,
                              (size_t)pv.shape[1] * ch, &img);
    if (st == HM_OK) st = hm_image_transform(img, tv.buf, seed, &out, &err);
    else memset(&err, 0, sizeof err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&pv);
    PyBuffer_Release(&tv);
    hm_image_free(img);
    if (st != HM_OK) return hmpy_raise(st, &err);
    uint32_t w = hm_image_width(out), h = hm_image_height(out);
    unsigned c = hm_image_channels(out);
    PyObject *r = Py_BuildValue("(y#IIi)", (const char *)hm_image_pixels(out),
                                (Py_ssize_t)((size_t)w * h * c), w, h, (int)c);
    hm_image_free(out);
    return r;
}

static PyObject *image_seed(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned long long seed;
    Py_buffer d;
    if (!PyArg_ParseTuple(args, "Ky*", &seed, &d)) return NULL;
    if (d.len != HM_SHA256_BYTES) {
        PyBuffer_Release(&d);
        return hmpy_value_error("a SHA-256 digest has 32 bytes");
    }
    uint64_t s = hm_eval_image_seed(seed, d.buf);
    PyBuffer_Release(&d);
    return PyLong_FromUnsignedLongLong(s);
}

PyMethodDef hmpy_eval_methods[] = {
    {"parse_transforms", parse_transforms, METH_VARARGS, "parse_transforms(spec) -> (blob, info)"},
    {"robustness_files", (PyCFunction)(void (*)(void))robustness_files, METH_VARARGS | METH_KEYWORDS,
     "robustness_files(paths, transforms, seed, algos, dist, status, pixels, ...)"},
    {"robustness_bytes", robustness_bytes, METH_VARARGS, "robustness_bytes(data, transforms, seed, algos)"},
    {"transform_pixels", transform_pixels, METH_VARARGS, "transform_pixels(array, transform, seed)"},
    {"image_seed", image_seed, METH_VARARGS, "image_seed(seed, sha256)"},
    {NULL, NULL, 0, NULL}};
