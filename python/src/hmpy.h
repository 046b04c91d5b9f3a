/* hmpy.h - the CPython extension module hashmatch._hashmatch (internal).
 *
 * The module is a thin layer over the public C API: arguments are checked and
 * converted here, the library runs with the GIL released, and results come
 * back as bytes, tuples and dicts that hashmatch/__init__.py turns into the
 * documented objects. Arrays travel through the buffer protocol, so numpy
 * arrays are read in place; this module never needs numpy's C API (and so
 * never breaks with a numpy upgrade). */
#ifndef HMPY_H
#define HMPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hashmatch.h"
#include "image/image.h" /* struct hm_image: images that borrow a caller's pixels */

/* ---- module.c ---- */
/* Raises hashmatch.Error(status name, message, code) from a failed call. */
PyObject *hmpy_raise(hm_status st, const hm_error *err);
/* Raises ValueError with a formatted message; returns NULL. */
PyObject *hmpy_value_error(const char *fmt, ...);
/* Fills *view with a C-contiguous byte buffer of obj (read-only unless
 * writable). Its length must be a multiple of unit (0: any). 0 or -1. */
int hmpy_buffer(PyObject *obj, Py_buffer *view, int writable, Py_ssize_t unit, const char *what);
/* The hm_hashes of a call as the tuple hashmatch.Hashes is made from:
 * (width, height, algos mask, pdq_quality, {name: bytes}, dihedral or None). */
PyObject *hmpy_hashes_tuple(const hm_hashes *h);
/* Hashing options from the usual keyword values. */
void hmpy_hash_options(hm_hash_options *o, unsigned mask, int pdq_mode, int dihedral,
                       unsigned long long max_pixels, int exif);

/* ---- hashing.c: pixels from a buffer (numpy array) ---- */
typedef struct hmpy_pixels {
    Py_buffer view;
    uint32_t w, h;
    unsigned in_ch;      /* channels of the array: 1, 3 or 4 */
    int bgr;             /* the array holds B, G, R(, A) */
    struct hm_image img; /* what the library reads */
    uint8_t *packed;     /* owned copy when the layout is not the library's */
} hmpy_pixels;
/* Makes p->img from obj (uint8 HxW, HxWx1, HxWx3 or HxWx4): borrowed when
 * the layout is packed grey or RGB, else packed with the GIL released (alpha
 * dropped). 0, or -1 with an exception. Release with hmpy_pixels_release. */
int hmpy_pixels_get(PyObject *obj, int bgr, hmpy_pixels *p);
void hmpy_pixels_release(hmpy_pixels *p);

/* ---- batch.c: items on a thread pool, the GIL released ---- */
typedef void (*hmpy_work_fn)(void *ctx, size_t index);
/* Runs work(ctx, i) for i in 0..count-1 on `threads` threads (0: every CPU)
 * with the GIL released. Every `interval` seconds the calling thread takes
 * the GIL back to call progress(done, count) (if not None) and to check for
 * signals; an exception stops the pool early. Returns 0, or -1 with an
 * exception set. */
int hmpy_run_pool(size_t count, unsigned threads, hmpy_work_fn work, void *ctx,
                  PyObject *progress, double interval);
/* Paths (str, bytes or os.PathLike) as file-system bytes objects in a list;
 * *items points at their char data. NULL on error. */
PyObject *hmpy_paths(PyObject *seq, const char ***items, size_t *count);

/* ---- method tables of the other files ---- */
extern PyMethodDef hmpy_hash_methods[];
extern PyMethodDef hmpy_array_methods[];
extern PyMethodDef hmpy_eval_methods[];
extern PyMethodDef hmpy_set_methods[];
/* Adds the Set, SetBuilder and Scanner types to the module. 0 or -1. */
int hmpy_add_set_types(PyObject *module);

#endif /* HMPY_H */
