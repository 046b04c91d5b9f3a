/* hashing.c - hash_file, hash_bytes, hash_pixels and the batch hash_files.
 *
 * Pixels are read in place when their layout is the library's own (packed
 * grey or RGB rows): the image handed to hm_hash_image then borrows the
 * caller's buffer. Other layouts (RGBA, BGR(A), strided views) are packed
 * into RGB or grey in one pass, with the GIL released. */
#include <stdlib.h>

#include "hmpy.h"

static char *kw_hash[] = {"", "algos", "pdq_mode", "dihedral", "max_pixels", "exif", NULL};

static PyObject *hash_file(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *path = NULL;
    unsigned mask = 0;
    int mode = 0, dihedral = 0, exif = 0;
    unsigned long long max_pixels = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|IiiKp", kw_hash, PyUnicode_FSConverter, &path,
                                     &mask, &mode, &dihedral, &max_pixels, &exif))
        return NULL;
    hm_hash_options o;
    hmpy_hash_options(&o, mask, mode, dihedral, max_pixels, exif);
    hm_hashes h;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_hash_file(PyBytes_AS_STRING(path), &o, &h, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    return st == HM_OK ? hmpy_hashes_tuple(&h) : hmpy_raise(st, &err);
}

static PyObject *hash_bytes(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    Py_buffer v;
    unsigned mask = 0;
    int mode = 0, dihedral = 0, exif = 0;
    unsigned long long max_pixels = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|IiiKp", kw_hash, &v, &mask, &mode, &dihedral,
                                     &max_pixels, &exif))
        return NULL;
    hm_hash_options o;
    hmpy_hash_options(&o, mask, mode, dihedral, max_pixels, exif);
    hm_hashes h;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_hash_buffer(v.buf, (size_t)v.len, &o, &h, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    return st == HM_OK ? hmpy_hashes_tuple(&h) : hmpy_raise(st, &err);
}

/* ---- pixels ---- */

static int pixels_shape(hmpy_pixels *p)
{
    Py_buffer *v = &p->view;
    if (v->itemsize != 1 || (v->format && strcmp(v->format, "B") && strcmp(v->format, "=B") &&
                             strcmp(v->format, "<B") && strcmp(v->format, "|B")))
        return PyErr_SetString(PyExc_TypeError, "pixels must be uint8"), -1;
    if (v->ndim != 2 && v->ndim != 3)
        return PyErr_SetString(PyExc_ValueError, "pixels must be HxW or HxWxC"), -1;
    p->in_ch = v->ndim == 2 ? 1 : (unsigned)v->shape[2];
    if (p->in_ch != 1 && p->in_ch != 3 && p->in_ch != 4)
        return PyErr_SetString(PyExc_ValueError, "pixels must have 1, 3 or 4 channels"), -1;
    if (v->shape[0] <= 0 || v->shape[1] <= 0 || v->shape[0] > HM_MAX_SIDE || v->shape[1] > HM_MAX_SIDE)
        return PyErr_Format(PyExc_ValueError, "bad image size %zdx%zd", v->shape[1], v->shape[0]), -1;
    p->h = (uint32_t)v->shape[0];
    p->w = (uint32_t)v->shape[1];
    return 0;
}

/* Whether the buffer already is packed grey or RGB rows. */
static int in_place(const hmpy_pixels *p)
{
    const Py_ssize_t *s = p->view.strides;
    size_t ch = p->in_ch;
    if (ch == 4 || (ch == 3 && p->bgr)) return 0;
    if (p->view.ndim == 3 && s[2] != 1) return 0;
    return s[1] == (Py_ssize_t)ch && s[0] == (Py_ssize_t)(ch * p->w);
}

/* Packs any layout into grey or RGB (no GIL needed). */
static void pack(const hmpy_pixels *p, uint8_t *out, unsigned ch)
{
    const Py_ssize_t *s = p->view.strides;
    Py_ssize_t sc = p->view.ndim == 3 ? s[2] : 0;
    const uint8_t *base = p->view.buf;
    int r = p->bgr ? 2 : 0, b = p->bgr ? 0 : 2;
    for (uint32_t y = 0; y < p->h; y++)
        for (uint32_t x = 0; x < p->w; x++) {
            const uint8_t *px = base + (Py_ssize_t)y * s[0] + (Py_ssize_t)x * s[1];
            uint8_t *o = out + ((size_t)y * p->w + x) * ch;
            if (ch == 1) {
                o[0] = px[0];
            } else {
                o[0] = px[r * sc];
                o[1] = px[sc];
                o[2] = px[b * sc];
            }
        }
}

int hmpy_pixels_get(PyObject *obj, int bgr, hmpy_pixels *p)
{
    memset(p, 0, sizeof *p);
    p->bgr = bgr;
    if (PyObject_GetBuffer(obj, &p->view, PyBUF_STRIDED_RO | PyBUF_FORMAT) < 0) return -1;
    if (pixels_shape(p) < 0) {
        PyBuffer_Release(&p->view);
        return -1;
    }
    unsigned ch = p->in_ch == 1 ? 1 : 3;
    uint8_t *px = (uint8_t *)p->view.buf;
    if (!in_place(p)) {
        p->packed = PyMem_RawMalloc((size_t)p->w * p->h * ch);
        if (!p->packed) {
            PyBuffer_Release(&p->view);
            PyErr_NoMemory();
            return -1;
        }
        Py_BEGIN_ALLOW_THREADS
        pack(p, p->packed, ch);
        Py_END_ALLOW_THREADS
        px = p->packed;
    }
    p->img = (struct hm_image){.width = p->w, .height = p->h, .channels = ch, .pixels = px,
                               .format = HM_FORMAT_RAW,
                               .color = ch == 1 ? HM_COLOR_GRAY : HM_COLOR_RGB};
    return 0;
}

void hmpy_pixels_release(hmpy_pixels *p)
{
    PyMem_RawFree(p->packed);
    PyBuffer_Release(&p->view);
}

static PyObject *hash_pixels(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"", "algos", "pdq_mode", "dihedral", "bgr", NULL};
    PyObject *obj;
    unsigned mask = 0;
    int mode = 0, dihedral = 0, bgr = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Iiip", kws, &obj, &mask, &mode, &dihedral, &bgr))
        return NULL;
    hmpy_pixels p;
    if (hmpy_pixels_get(obj, bgr, &p) < 0) return NULL;
    hm_hash_options o;
    hmpy_hash_options(&o, mask, mode, dihedral, 0, 0);
    hm_hashes h;
    hm_error err;
    hm_status st = hm__image_check_dims(p.w, p.h, 0, &err);
    Py_BEGIN_ALLOW_THREADS
    if (st == HM_OK) st = hm_hash_image(&p.img, &o, &h, &err);
    Py_END_ALLOW_THREADS
    hmpy_pixels_release(&p);
    return st == HM_OK ? hmpy_hashes_tuple(&h) : hmpy_raise(st, &err);
}

/* Whether hash_pixels would read `obj` in place (for tests and docs). */
static PyObject *pixels_in_place(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *obj;
    int bgr = 0;
    if (!PyArg_ParseTuple(args, "O|p", &obj, &bgr)) return NULL;
    hmpy_pixels p;
    memset(&p, 0, sizeof p);
    p.bgr = bgr;
    if (PyObject_GetBuffer(obj, &p.view, PyBUF_STRIDED_RO | PyBUF_FORMAT) < 0) return NULL;
    int ok = pixels_shape(&p) == 0;
    int r = ok && in_place(&p);
    PyBuffer_Release(&p.view);
    if (!ok) return NULL;
    return PyBool_FromLong(r);
}

/* ---- batch ---- */

/* One row of hash_files' result (row_layout() describes it to numpy). */
typedef struct row {
    int32_t status;
    uint32_t width, height;
    int32_t pdq_quality;
    uint8_t pdq[HM_PDQ_BYTES], ahash[8], dhash[8], phash[8], whash[8];
    uint8_t md5[HM_MD5_BYTES], sha1[HM_SHA1_BYTES], sha256[HM_SHA256_BYTES];
} row;

typedef struct batch {
    const char **paths;
    hm_hash_options opt;
    row *rows;
    uint8_t *dihedral; /* 8 x 32 bytes per file, or NULL */
    char **messages;   /* malloc'd messages of failed files */
} batch;

static void batch_work(void *ctx, size_t i)
{
    batch *b = ctx;
    hm_hashes h;
    hm_error err;
    row *r = &b->rows[i];
    memset(r, 0, sizeof *r);
    hm_status st = hm_hash_file(b->paths[i], &b->opt, &h, &err);
    r->status = (int32_t)st;
    if (st != HM_OK) {
        b->messages[i] = strdup(err.message[0] ? err.message : hm_strerror(st));
        return;
    }
    r->width = h.width;
    r->height = h.height;
    r->pdq_quality = h.pdq_quality;
#define COPY(f) memcpy(r->f, h.f, sizeof r->f)
    COPY(pdq), COPY(ahash), COPY(dhash), COPY(phash), COPY(whash), COPY(md5), COPY(sha1), COPY(sha256);
#undef COPY
    if (b->dihedral && h.has_pdq_dihedral)
        memcpy(b->dihedral + i * sizeof h.pdq_dihedral, h.pdq_dihedral, sizeof h.pdq_dihedral);
}

/* [(index, status name, message)] of the failed items; frees the messages. */
static PyObject *failures(const int32_t *status, size_t stride, char **messages, size_t n)
{
    PyObject *l = PyList_New(0);
    for (size_t i = 0; i < n; i++) {
        hm_status st = (hm_status)*(const int32_t *)((const char *)status + i * stride);
        if (st == HM_OK) continue;
        PyObject *t = l ? Py_BuildValue("(nss)", (Py_ssize_t)i, hm_status_name(st),
                                        messages[i] ? messages[i] : hm_strerror(st))
                        : NULL;
        if (!t || PyList_Append(l, t) < 0) Py_CLEAR(l);
        Py_XDECREF(t);
    }
    for (size_t i = 0; i < n; i++) free(messages[i]);
    return l;
}

static PyObject *hash_files(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"paths", "rows", "dihedral_out", "algos", "pdq_mode", "max_pixels",
                          "exif", "threads", "progress", "interval", NULL};
    PyObject *seq, *rows_obj, *dih_obj = Py_None, *progress = Py_None;
    unsigned mask = 0, threads = 0;
    int mode = 0, exif = 0;
    unsigned long long max_pixels = 0;
    double interval = 0.5;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OIiKpIOd", kws, &seq, &rows_obj, &dih_obj,
                                     &mask, &mode, &max_pixels, &exif, &threads, &progress,
                                     &interval))
        return NULL;
    batch b;
    memset(&b, 0, sizeof b);
    size_t n;
    PyObject *keep = hmpy_paths(seq, &b.paths, &n), *result = NULL;
    Py_buffer rv = {0}, dv = {0};
    if (!keep) return NULL;
    if (hmpy_buffer(rows_obj, &rv, 1, sizeof(row), "rows") < 0) goto done;
    if ((size_t)rv.len != n * sizeof(row)) {
        hmpy_value_error("rows holds %zd bytes, %zu rows need %zu", rv.len, n, n * sizeof(row));
        goto done;
    }
    if (dih_obj != Py_None) {
        if (hmpy_buffer(dih_obj, &dv, 1, 0, "dihedral_out") < 0) goto done;
        if ((size_t)dv.len != n * HM_PDQ_DIHEDRAL_COUNT * HM_PDQ_BYTES) {
            hmpy_value_error("dihedral_out must hold 256 bytes per path");
            goto done;
        }
        b.dihedral = dv.buf;
    }
    hmpy_hash_options(&b.opt, mask, mode, b.dihedral != NULL, max_pixels, exif);
    b.rows = rv.buf;
    b.messages = PyMem_RawCalloc(n ? n : 1, sizeof *b.messages);
    if (!b.messages) {
        PyErr_NoMemory();
        goto done;
    }
    if (hmpy_run_pool(n, threads, batch_work, &b, progress, interval) == 0)
        result = failures(&b.rows[0].status, sizeof(row), b.messages, n);
    else
        for (size_t i = 0; i < n; i++) free(b.messages[i]);
done:
    PyMem_RawFree(b.messages);
    if (rv.obj) PyBuffer_Release(&rv);
    if (dv.obj) PyBuffer_Release(&dv);
    PyMem_Free(b.paths);
    Py_DECREF(keep);
    return result;
}

/* {field: (offset, bytes)} and "itemsize" of a hash_files row. */
static PyObject *row_layout(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
#define F(f) #f, (Py_ssize_t)offsetof(row, f), (Py_ssize_t)sizeof(((row *)0)->f)
    return Py_BuildValue("{s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)s(nn)sn}",
                         F(status), F(width), F(height), F(pdq_quality), F(pdq), F(ahash),
                         F(dhash), F(phash), F(whash), F(md5), F(sha1), F(sha256), "itemsize",
                         (Py_ssize_t)sizeof(row));
#undef F
}

/* Status names by code, for the batch rows. */
static PyObject *status_name(PyObject *self, PyObject *arg)
{
    (void)self;
    long s = PyLong_AsLong(arg);
    if (s == -1 && PyErr_Occurred()) return NULL;
    return PyUnicode_FromString(hm_status_name((hm_status)s));
}

PyMethodDef hmpy_hash_methods[] = {
    {"hash_file", (PyCFunction)(void (*)(void))hash_file, METH_VARARGS | METH_KEYWORDS,
     "hash_file(path, algos=0, pdq_mode=0, dihedral=0, max_pixels=0, exif=False)"},
    {"hash_bytes", (PyCFunction)(void (*)(void))hash_bytes, METH_VARARGS | METH_KEYWORDS,
     "hash_bytes(data, algos=0, pdq_mode=0, dihedral=0, max_pixels=0, exif=False)"},
    {"hash_pixels", (PyCFunction)(void (*)(void))hash_pixels, METH_VARARGS | METH_KEYWORDS,
     "hash_pixels(array, algos=0, pdq_mode=0, dihedral=0, bgr=False)"},
    {"pixels_in_place", pixels_in_place, METH_VARARGS,
     "pixels_in_place(array, bgr=False): whether hash_pixels reads the array without copying"},
    {"hash_files", (PyCFunction)(void (*)(void))hash_files, METH_VARARGS | METH_KEYWORDS,
     "hash_files(paths, rows, dihedral_out=None, algos=0, ...): fills rows, returns failures"},
    {"row_layout", row_layout, METH_NOARGS, "Layout of a hash_files row."},
    {"status_name", status_name, METH_O, "Name of a status code."},
    {NULL, NULL, 0, NULL}};
