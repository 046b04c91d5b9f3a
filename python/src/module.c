/* module.c - hashmatch._hashmatch: module definition, errors, buffers and
 * the conversions every other file shares. */
#include <stdarg.h>

#include "hmpy.h"

static PyObject *error_class; /* hashmatch.Error, set by hashmatch/__init__.py */

PyObject *hmpy_raise(hm_status st, const hm_error *err)
{
    const char *msg = err && err->message[0] ? err->message : hm_strerror(st);
    PyObject *cls = error_class ? error_class : PyExc_RuntimeError;
    PyObject *exc = PyObject_CallFunction(cls, "ssi", hm_status_name(st), msg, (int)st);
    if (exc) {
        PyErr_SetObject(cls, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

PyObject *hmpy_value_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyErr_FormatV(PyExc_ValueError, fmt, ap);
    va_end(ap);
    return NULL;
}

int hmpy_buffer(PyObject *obj, Py_buffer *view, int writable, Py_ssize_t unit, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous %sbuffer (bytes, numpy array)",
                     what, writable ? "writable " : "");
        return -1;
    }
    if (unit > 0 && view->len % unit) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes is not a multiple of %zd", what,
                     view->len, unit);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

void hmpy_hash_options(hm_hash_options *o, unsigned mask, int pdq_mode, int dihedral,
                       unsigned long long max_pixels, int exif)
{
    memset(o, 0, sizeof *o);
    o->algos = mask;
    o->pdq_mode = pdq_mode ? HM_PDQ_CLI512 : HM_PDQ_FULLRES;
    o->pdq_dihedral = dihedral;
    o->decode.max_pixels = max_pixels;
    o->decode.apply_exif_orientation = exif;
}

PyObject *hmpy_hashes_tuple(const hm_hashes *h)
{
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        if (!(h->algos & HM_MASK(a))) continue;
        size_t n;
        const uint8_t *p = hm_hashes_get(h, (hm_algo)a, &n);
        PyObject *b = PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n);
        if (!b || PyDict_SetItemString(d, hm_algo_name((hm_algo)a), b) < 0) {
            Py_XDECREF(b);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(b);
    }
    PyObject *dih = Py_None;
    Py_INCREF(Py_None);
    if (h->has_pdq_dihedral) {
        Py_DECREF(Py_None);
        dih = PyBytes_FromStringAndSize((const char *)h->pdq_dihedral, sizeof h->pdq_dihedral);
        if (!dih) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return Py_BuildValue("(IIIiNN)", h->width, h->height, h->algos, h->pdq_quality, d, dih);
}

/* ---- small module-level functions ---- */

static PyObject *set_error_class(PyObject *self, PyObject *cls)
{
    (void)self;
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, (PyTypeObject *)PyExc_Exception))
        return PyErr_Format(PyExc_TypeError, "an exception class is needed");
    Py_INCREF(cls);
    Py_XSETREF(error_class, cls);
    Py_RETURN_NONE;
}

static PyObject *version(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    return PyUnicode_FromString(hm_version());
}

static PyObject *cpu_info(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    return Py_BuildValue("(ss)", hm_cpu_features(), hm_match_tier_name(hm_match_best_tier()));
}

/* [(id, name, hash bytes, perceptual), ...] for every algorithm of an image
 * or a file's bytes (HM_MASK_ALL): vPDQ hashes videos, which the package
 * does not read. */
static PyObject *algorithms(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    PyObject *l = PyList_New(0);
    for (int a = 1; l && a <= HM_ALGO_COUNT; a++) {
        if (!(HM_MASK_ALL & HM_MASK(a))) continue;
        PyObject *t = Py_BuildValue("(isni)", a, hm_algo_name((hm_algo)a),
                                    (Py_ssize_t)hm_algo_hash_size((hm_algo)a),
                                    hm_algo_is_perceptual((hm_algo)a));
        if (!t || PyList_Append(l, t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(l);
        }
        Py_XDECREF(t);
    }
    return l;
}

/* {name: (code, message)} of every status the library defines. */
static PyObject *statuses(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    PyObject *d = PyDict_New();
    for (int s = 0; d && s < 256; s++) {
        const char *name = hm_status_name((hm_status)s);
        if (!strcmp(name, "unknown")) continue;
        PyObject *v = Py_BuildValue("(is)", s, hm_strerror((hm_status)s));
        if (!v || PyDict_SetItemString(d, name, v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyMethodDef base_methods[] = {
    {"set_error_class", set_error_class, METH_O, "Sets the exception class raised on failures."},
    {"version", version, METH_NOARGS, "The C library's version string."},
    {"cpu_info", cpu_info, METH_NOARGS, "(CPU features, matching tier) as the library sees them."},
    {"algorithms", algorithms, METH_NOARGS, "[(id, name, bytes, perceptual)] of every algorithm."},
    {"statuses", statuses, METH_NOARGS, "{name: (code, message)} of every status."},
    {NULL, NULL, 0, NULL}};

static int add_methods(PyObject *m, PyMethodDef *defs)
{
    PyObject *name = PyModule_GetNameObject(m);
    if (!name) return -1;
    for (PyMethodDef *d = defs; d->ml_name; d++) {
        PyObject *f = PyCFunction_NewEx(d, NULL, name);
        if (!f || PyModule_AddObject(m, d->ml_name, f) < 0) {
            Py_XDECREF(f);
            Py_DECREF(name);
            return -1;
        }
    }
    Py_DECREF(name);
    return 0;
}

static int exec_module(PyObject *m)
{
    if (add_methods(m, base_methods) || add_methods(m, hmpy_hash_methods) ||
        add_methods(m, hmpy_array_methods) || add_methods(m, hmpy_eval_methods) ||
        add_methods(m, hmpy_set_methods) || hmpy_add_set_types(m))
        return -1;
    return PyModule_AddIntConstant(m, "MAX_BITS", HM_EVAL_MAX_BITS) ||
           PyModule_AddIntConstant(m, "NONE", HM_EVAL_NONE) ||
           PyModule_AddIntConstant(m, "EVAL_ALGO_COUNT", HM_EVAL_ALGO_COUNT) ||
           PyModule_AddIntConstant(m, "PAIR_SIZE", (long)sizeof(hm_eval_pair)) ||
           PyModule_AddIntConstant(m, "PAIR_DISTANCE_OFFSET", (long)offsetof(hm_eval_pair, distance));
}

static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_module}, {0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_hashmatch",
    "The C core of the hashmatch package (use the hashmatch module instead).", 0, NULL, slots,
    NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__hashmatch(void) { return PyModuleDef_Init(&module_def); }
