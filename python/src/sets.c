/* sets.c - fingerprint sets, their builder, keys and the scanner.
 *
 * _hashmatch.Set owns an hm_set (immutable, shareable); _hashmatch.Scanner
 * owns an hm_scanner and keeps a reference to the Set it was built from, so
 * the set outlives it. Scans release the GIL: many Python threads may scan
 * with one Scanner at once, as with the C API. */
#include "hmpy.h"

/* ======================== Set ======================== */

typedef struct {
    PyObject_HEAD hm_set *set;
} SetObject;

static void set_dealloc(SetObject *s)
{
    hm_set_free(s->set);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyTypeObject SetType;

static PyObject *set_wrap(hm_set *set)
{
    SetObject *o = PyObject_New(SetObject, &SetType);
    if (!o) {
        hm_set_free(set);
        return NULL;
    }
    o->set = set;
    return (PyObject *)o;
}

static PyObject *bytes_or_none(const uint8_t *p, size_t n)
{
    if (!p) Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n);
}

static PyObject *set_info(SetObject *s, PyObject *noargs)
{
    (void)noargs;
    const hm_set *t = s->set;
    PyObject *cats = PyList_New(0);
    for (size_t i = 0; cats && i < hm_set_category_count(t); i++) {
        PyObject *c = PyUnicode_FromString(hm_set_category_name(t, i));
        if (!c || PyList_Append(cats, c) < 0) Py_CLEAR(cats);
        Py_XDECREF(c);
    }
    if (!cats) return NULL;
    return Py_BuildValue("{sssssKsKsKsNsNsNsnsnsIsIsi}", "name", hm_set_name(t), "issuer",
                         hm_set_issuer(t), "version", (unsigned long long)hm_set_version(t),
                         "created", (unsigned long long)hm_set_created(t), "expires",
                         (unsigned long long)hm_set_expires(t), "digest",
                         bytes_or_none(hm_set_digest(t), HM_SET_DIGEST_BYTES), "previous_digest",
                         bytes_or_none(hm_set_previous_digest(t), HM_SET_DIGEST_BYTES),
                         "categories", cats, "file_size", (Py_ssize_t)hm_set_file_size(t),
                         "content_size", (Py_ssize_t)hm_set_content_size(t), "algos",
                         hm_set_algos(t), "min_attesters", hm_set_min_attesters(t), "verified",
                         hm_set_is_verified(t));
}

static PyObject *set_section(SetObject *s, PyObject *arg)
{
    long a = PyLong_AsLong(arg);
    if (a == -1 && PyErr_Occurred()) return NULL;
    const hm_set_section *sec = hm_set_section_get(s->set, (hm_algo)a);
    if (!sec) Py_RETURN_NONE;
    return Py_BuildValue("{sIsIsIsIsnsnsn}", "variant", sec->variant, "radius", sec->radius,
                         "allow_radius", sec->allow_radius, "min_quality", sec->min_quality,
                         "entry_count", (Py_ssize_t)sec->entry_count, "active_count",
                         (Py_ssize_t)sec->active_count, "allow_count",
                         (Py_ssize_t)sec->allow_count);
}

/* entries(algo) -> (hashes, categories u32, attesters u32, active u8, [ids]) */
static PyObject *set_entries(SetObject *s, PyObject *arg)
{
    long a = PyLong_AsLong(arg);
    if (a == -1 && PyErr_Occurred()) return NULL;
    const hm_set_section *sec = hm_set_section_get(s->set, (hm_algo)a);
    size_t n = sec ? sec->entry_count : 0, hb = hm_algo_hash_size((hm_algo)a);
    PyObject *h = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * hb));
    PyObject *c = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 4));
    PyObject *t = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 4));
    PyObject *act = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    PyObject *ids = PyList_New((Py_ssize_t)n);
    if (!h || !c || !t || !act || !ids) goto fail;
    for (size_t i = 0; i < n; i++) {
        hm_set_entry e;
        if (hm_set_entry_get(s->set, (hm_algo)a, i, &e) != HM_OK) {
            hmpy_raise(HM_E_INTERNAL, NULL);
            goto fail;
        }
        memcpy(PyBytes_AS_STRING(h) + i * hb, e.hash, hb);
        uint32_t cat = e.category, att = e.attesters;
        memcpy(PyBytes_AS_STRING(c) + i * 4, &cat, 4);
        memcpy(PyBytes_AS_STRING(t) + i * 4, &att, 4);
        PyBytes_AS_STRING(act)[i] = (char)(e.active != 0);
        PyObject *id = PyUnicode_FromString(e.external_id);
        if (!id) goto fail;
        PyList_SET_ITEM(ids, (Py_ssize_t)i, id);
    }
    return Py_BuildValue("(NNNNN)", h, c, t, act, ids);
fail:
    Py_XDECREF(h), Py_XDECREF(c), Py_XDECREF(t), Py_XDECREF(act), Py_XDECREF(ids);
    return NULL;
}

static PyObject *set_allowlist(SetObject *s, PyObject *arg)
{
    long a = PyLong_AsLong(arg);
    if (a == -1 && PyErr_Occurred()) return NULL;
    const hm_set_section *sec = hm_set_section_get(s->set, (hm_algo)a);
    size_t n = sec ? sec->allow_count : 0, hb = hm_algo_hash_size((hm_algo)a);
    PyObject *h = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * hb));
    for (size_t i = 0; h && i < n; i++) memcpy(PyBytes_AS_STRING(h) + i * hb, hm_set_allow_get(s->set, (hm_algo)a, i), hb);
    return h;
}

static PyObject *set_signatures(SetObject *s, PyObject *noargs)
{
    (void)noargs;
    static const char *const STATUS[] = {"unchecked", "valid", "ignored"};
    PyObject *l = PyList_New(0);
    for (size_t i = 0; l && i < hm_set_signature_count(s->set); i++) {
        const hm_set_signature *g = hm_set_signature_get(s->set, i);
        PyObject *d = Py_BuildValue("{sy#sy#sssi}", "key_id", (const char *)g->key_id,
                                    (Py_ssize_t)HM_KEY_ID_BYTES, "signature", (const char *)g->signature,
                                    (Py_ssize_t)HM_ED25519_SIGNATURE_BYTES, "status",
                                    STATUS[(unsigned)g->status < 3 ? g->status : 0], "trusted_index",
                                    g->trusted_index);
        if (!d || PyList_Append(l, d) < 0) Py_CLEAR(l);
        Py_XDECREF(d);
    }
    return l;
}

static PyMethodDef set_methods[] = {
    {"info", (PyCFunction)set_info, METH_NOARGS, "Header fields as a dict."},
    {"section", (PyCFunction)set_section, METH_O, "section(algo id) -> dict or None"},
    {"entries", (PyCFunction)set_entries, METH_O, "entries(algo id) -> tuple of arrays"},
    {"allowlist", (PyCFunction)set_allowlist, METH_O, "allowlist(algo id) -> bytes"},
    {"signatures", (PyCFunction)set_signatures, METH_NOARGS, "The signature block."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject SetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hashmatch._hashmatch.Set",
    .tp_basicsize = sizeof(SetObject),
    .tp_dealloc = (destructor)set_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An opened fingerprint set (use hashmatch.Set).",
    .tp_methods = set_methods,
};

/* Trusted keys: a sequence of 32-byte public keys, copied into `keys`. */
static int trust_keys(PyObject *seq, uint8_t (*keys)[HM_ED25519_PUBLIC_BYTES], size_t *count)
{
    PyObject *fast = PySequence_Fast(seq, "trusted_keys must be a sequence of 32-byte keys");
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n > HM_SET_MAX_TRUSTED_KEYS) {
        Py_DECREF(fast);
        return hmpy_value_error("at most %d trusted keys", HM_SET_MAX_TRUSTED_KEYS), -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_buffer v;
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(fast, i), &v, PyBUF_SIMPLE) < 0) {
            Py_DECREF(fast);
            return -1;
        }
        int ok = v.len == HM_ED25519_PUBLIC_BYTES;
        if (ok) memcpy(keys[i], v.buf, HM_ED25519_PUBLIC_BYTES);
        PyBuffer_Release(&v);
        if (!ok) {
            Py_DECREF(fast);
            return hmpy_value_error("a public key has 32 bytes"), -1;
        }
    }
    Py_DECREF(fast);
    *count = (size_t)n;
    return 0;
}

static PyObject *set_open(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kws[] = {"data", "trusted_keys", "threshold", "min_version", "now",
                          "max_clock_skew", "min_attesters", "allow_unknown_keys", NULL};
    Py_buffer data;
    PyObject *keys_obj;
    unsigned threshold = 1, min_att = 0;
    unsigned long long min_version = 0, now = 0, skew = 0;
    int allow_unknown = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*O|IKKKIp", kws, &data, &keys_obj, &threshold,
                                     &min_version, &now, &skew, &min_att, &allow_unknown))
        return NULL;
    uint8_t keys[HM_SET_MAX_TRUSTED_KEYS][HM_ED25519_PUBLIC_BYTES];
    hm_set_open_options o;
    memset(&o, 0, sizeof o);
    if (trust_keys(keys_obj, keys, &o.trust.key_count) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    o.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])keys;
    o.trust.threshold = threshold;
    o.trust.allow_unknown_keys = allow_unknown;
    o.min_version = min_version;
    o.now = now;
    o.max_clock_skew = skew;
    o.min_attesters = min_att;
    hm_set *set = NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_set_open(data.buf, (size_t)data.len, &o, &set, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return st == HM_OK ? set_wrap(set) : hmpy_raise(st, &err);
}

static PyObject *set_open_unverified(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    hm_set *set = NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_set_open_unverified(data.buf, (size_t)data.len, &set, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return st == HM_OK ? set_wrap(set) : hmpy_raise(st, &err);
}

/* ======================== SetBuilder ======================== */

typedef struct {
    PyObject_HEAD hm_set_builder *b;
} BuilderObject;

static void builder_dealloc(BuilderObject *b)
{
    hm_set_builder_free(b->b);
    Py_TYPE(b)->tp_free((PyObject *)b);
}

static PyObject *builder_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)args, (void)kw;
    BuilderObject *o = (BuilderObject *)type->tp_alloc(type, 0);
    if (o && hm_set_builder_new(&o->b) != HM_OK) {
        Py_DECREF(o);
        return PyErr_NoMemory();
    }
    return (PyObject *)o;
}

static PyObject *done(hm_status st, const hm_error *err)
{
    if (st != HM_OK) return hmpy_raise(st, err);
    Py_RETURN_NONE;
}

static PyObject *builder_header(BuilderObject *b, PyObject *args, PyObject *kw)
{
    static char *kws[] = {"name", "issuer", "version", "created", "expires", "previous", NULL};
    const char *name = NULL, *issuer = NULL;
    unsigned long long version = 0, created = 0, expires = 0;
    PyObject *prev = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zzKKKO", kws, &name, &issuer, &version, &created,
                                     &expires, &prev))
        return NULL;
    hm_error err;
    if (name && hm_set_builder_set_name(b->b, name, &err) != HM_OK) return hmpy_raise(err.status, &err);
    if (issuer && hm_set_builder_set_issuer(b->b, issuer, &err) != HM_OK) return hmpy_raise(err.status, &err);
    if (version) hm_set_builder_set_version(b->b, version);
    if (created || expires) hm_set_builder_set_times(b->b, created, expires);
    if (prev != Py_None) {
        Py_buffer v;
        if (PyObject_GetBuffer(prev, &v, PyBUF_SIMPLE) < 0) return NULL;
        int ok = v.len == HM_SET_DIGEST_BYTES;
        if (ok) hm_set_builder_set_previous(b->b, v.buf);
        PyBuffer_Release(&v);
        if (!ok) return hmpy_value_error("previous: a 32-byte digest");
    }
    Py_RETURN_NONE;
}

static PyObject *builder_add_category(BuilderObject *b, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    unsigned idx;
    hm_error err;
    hm_status st = hm_set_builder_add_category(b->b, name, &idx, &err);
    return st == HM_OK ? PyLong_FromUnsignedLong(idx) : hmpy_raise(st, &err);
}

static PyObject *builder_set_policy(BuilderObject *b, PyObject *args)
{
    int algo;
    hm_set_policy p;
    memset(&p, 0, sizeof p); /* fields the package does not set (vPDQ percentages) are 0 */
    if (!PyArg_ParseTuple(args, "iIIII", &algo, &p.variant, &p.radius, &p.allow_radius, &p.min_quality))
        return NULL;
    hm_error err;
    return done(hm_set_builder_set_policy(b->b, (hm_algo)algo, &p, &err), &err);
}

/* add(algo, hashes, category, attesters, ids): hashes holds one or more
 * hashes back to back; ids is None or a list of one id per hash. */
static PyObject *builder_add(BuilderObject *b, PyObject *args)
{
    int algo;
    Py_buffer h;
    unsigned cat, att;
    PyObject *ids;
    if (!PyArg_ParseTuple(args, "iy*IIO", &algo, &h, &cat, &att, &ids)) return NULL;
    size_t hb = hm_algo_hash_size((hm_algo)algo), n = hb ? (size_t)h.len / hb : 0;
    if (!hb || (size_t)h.len != n * hb || (ids != Py_None && (!PyList_Check(ids) || (size_t)PyList_GET_SIZE(ids) != n))) {
        PyBuffer_Release(&h);
        return hmpy_value_error("add: whole hashes of the algorithm, and one id per hash");
    }
    hm_error err;
    hm_status st = HM_OK;
    for (size_t i = 0; st == HM_OK && i < n; i++) {
        const char *id = NULL;
        if (ids != Py_None && !(id = PyUnicode_AsUTF8(PyList_GET_ITEM(ids, (Py_ssize_t)i)))) {
            PyBuffer_Release(&h);
            return NULL;
        }
        st = hm_set_builder_add(b->b, (hm_algo)algo, (const uint8_t *)h.buf + i * hb, cat, att, id, &err);
    }
    PyBuffer_Release(&h);
    return done(st, &err);
}

static PyObject *builder_allow(BuilderObject *b, PyObject *args)
{
    int algo;
    Py_buffer h;
    if (!PyArg_ParseTuple(args, "iy*", &algo, &h)) return NULL;
    size_t hb = hm_algo_hash_size((hm_algo)algo);
    hm_error err;
    hm_status st = HM_OK;
    if (!hb || h.len % (Py_ssize_t)hb) {
        PyBuffer_Release(&h);
        return hmpy_value_error("allow: whole hashes of the algorithm");
    }
    for (Py_ssize_t i = 0; st == HM_OK && i < h.len; i += (Py_ssize_t)hb)
        st = hm_set_builder_allow(b->b, (hm_algo)algo, (const uint8_t *)h.buf + i, &err);
    PyBuffer_Release(&h);
    return done(st, &err);
}

static PyObject *builder_build(BuilderObject *b, PyObject *noargs)
{
    (void)noargs;
    uint8_t *data;
    size_t size;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_set_builder_build(b->b, &data, &size, &err);
    Py_END_ALLOW_THREADS
    if (st != HM_OK) return hmpy_raise(st, &err);
    PyObject *r = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size);
    hm_buffer_free(data);
    return r;
}

static PyMethodDef builder_methods[] = {
    {"header", (PyCFunction)(void (*)(void))builder_header, METH_VARARGS | METH_KEYWORDS,
     "header(name, issuer, version, created, expires, previous)"},
    {"add_category", (PyCFunction)builder_add_category, METH_VARARGS, "add_category(name) -> index"},
    {"set_policy", (PyCFunction)builder_set_policy, METH_VARARGS,
     "set_policy(algo, variant, radius, allow_radius, min_quality)"},
    {"add", (PyCFunction)builder_add, METH_VARARGS, "add(algo, hashes, category, attesters, ids)"},
    {"allow", (PyCFunction)builder_allow, METH_VARARGS, "allow(algo, hashes)"},
    {"build", (PyCFunction)builder_build, METH_NOARGS, "build() -> bytes of the unsigned set"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject BuilderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hashmatch._hashmatch.SetBuilder",
    .tp_basicsize = sizeof(BuilderObject),
    .tp_dealloc = (destructor)builder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Collects entries and writes an unsigned set (use hashmatch.SetBuilder).",
    .tp_methods = builder_methods,
    .tp_new = builder_new,
};

/* ======================== Scanner ======================== */

typedef struct {
    PyObject_HEAD hm_scanner *scanner;
    PyObject *set; /* keeps the set alive */
} ScannerObject;

static void scanner_dealloc(ScannerObject *s)
{
    hm_scanner_free(s->scanner);
    Py_XDECREF(s->set);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyObject *scanner_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kws[] = {"set", "algos", "dihedral", "max_pixels", "exif", "build_threads", "tier", NULL};
    PyObject *set;
    unsigned algos = 0, threads = 0;
    int dihedral = 0, exif = 0, tier = -1;
    unsigned long long max_pixels = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|IpKpIi", kws, &SetType, &set, &algos, &dihedral,
                                     &max_pixels, &exif, &threads, &tier))
        return NULL;
    hm_scanner_options o;
    memset(&o, 0, sizeof o);
    o.algos = algos;
    o.pdq_dihedral = dihedral;
    o.decode.max_pixels = max_pixels;
    o.decode.apply_exif_orientation = exif;
    o.build_threads = threads;
    o.force_tier = tier >= 0;
    o.tier = tier >= 0 ? (hm_match_tier)tier : HM_MATCH_TIER_SCALAR;
    ScannerObject *self = (ScannerObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_scanner_new(((SetObject *)set)->set, &o, &self->scanner, &err);
    Py_END_ALLOW_THREADS
    if (st != HM_OK) {
        Py_DECREF(self);
        return hmpy_raise(st, &err);
    }
    Py_INCREF(set);
    self->set = set;
    return (PyObject *)self;
}

static PyObject *match_tuple(const hm_match *m)
{
    return Py_BuildValue("(snIIIsIs)", hm_algo_name(m->algo), (Py_ssize_t)m->entry, m->distance,
                         m->dihedral, m->category, m->category_name, m->attesters, m->external_id);
}

static PyObject *match_list(const hm_report *r, int suppressed)
{
    size_t n = suppressed ? hm_report_suppressed_count(r) : hm_report_match_count(r);
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        PyObject *t = match_tuple(suppressed ? hm_report_suppressed(r, i) : hm_report_match(r, i));
        if (!t) Py_CLEAR(l);
        else PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* (matches, suppressed, pdq_skipped, hashes tuple); frees the report. */
static PyObject *report_tuple(hm_report *r)
{
    PyObject *t = Py_BuildValue("(NNNN)", match_list(r, 0), match_list(r, 1),
                                PyBool_FromLong(hm_report_pdq_skipped(r)),
                                hmpy_hashes_tuple(hm_report_hashes(r)));
    hm_report_free(r);
    return t;
}

static PyObject *scan_file(ScannerObject *s, PyObject *args)
{
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path)) return NULL;
    hm_report *r = NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_scanner_scan_file(s->scanner, PyBytes_AS_STRING(path), &r, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    return st == HM_OK ? report_tuple(r) : hmpy_raise(st, &err);
}

static PyObject *scan_bytes(ScannerObject *s, PyObject *args)
{
    Py_buffer v;
    if (!PyArg_ParseTuple(args, "y*", &v)) return NULL;
    hm_report *r = NULL;
    hm_error err;
    hm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hm_scanner_scan_buffer(s->scanner, v.buf, (size_t)v.len, &r, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    return st == HM_OK ? report_tuple(r) : hmpy_raise(st, &err);
}

static PyObject *scan_pixels(ScannerObject *s, PyObject *args)
{
    PyObject *obj;
    int bgr = 0;
    if (!PyArg_ParseTuple(args, "O|p", &obj, &bgr)) return NULL;
    hmpy_pixels p;
    if (hmpy_pixels_get(obj, bgr, &p) < 0) return NULL;
    hm_report *r = NULL;
    hm_error err;
    hm_status st = hm__image_check_dims(p.w, p.h, 0, &err);
    Py_BEGIN_ALLOW_THREADS
    if (st == HM_OK) st = hm_scanner_scan_image(s->scanner, &p.img, &r, &err);
    Py_END_ALLOW_THREADS
    hmpy_pixels_release(&p);
    return st == HM_OK ? report_tuple(r) : hmpy_raise(st, &err);
}

static PyObject *scanner_info(ScannerObject *s, PyObject *noargs)
{
    (void)noargs;
    PyObject *idx = PyDict_New();
    for (int a = 1; idx && a <= HM_ALGO_COUNT; a++) {
        if (!(hm_scanner_algos(s->scanner) & HM_MASK(a))) continue;
        PyObject *v = PyBool_FromLong(hm_scanner_uses_index(s->scanner, (hm_algo)a));
        if (PyDict_SetItemString(idx, hm_algo_name((hm_algo)a), v) < 0) Py_CLEAR(idx);
        Py_DECREF(v);
    }
    if (!idx) return NULL;
    return Py_BuildValue("{sIsnsN}", "algos", hm_scanner_algos(s->scanner), "index_memory",
                         (Py_ssize_t)hm_scanner_index_memory(s->scanner), "uses_index", idx);
}

static PyMethodDef scanner_methods[] = {
    {"scan_file", (PyCFunction)scan_file, METH_VARARGS, "scan_file(path) -> report tuple"},
    {"scan_bytes", (PyCFunction)scan_bytes, METH_VARARGS, "scan_bytes(data) -> report tuple"},
    {"scan_pixels", (PyCFunction)scan_pixels, METH_VARARGS, "scan_pixels(array, bgr) -> report tuple"},
    {"info", (PyCFunction)scanner_info, METH_NOARGS, "algos, index memory, index use"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hashmatch._hashmatch.Scanner",
    .tp_basicsize = sizeof(ScannerObject),
    .tp_dealloc = (destructor)scanner_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A scanner over one verified set (use hashmatch.Scanner).",
    .tp_methods = scanner_methods,
    .tp_new = scanner_new,
};

/* ======================== keys ======================== */

static PyObject *key_generate(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    uint8_t pub[HM_ED25519_PUBLIC_BYTES], sec[HM_ED25519_SECRET_BYTES];
    hm_error err;
    hm_status st = hm_key_generate(pub, sec, &err);
    if (st != HM_OK) return hmpy_raise(st, &err);
    PyObject *r = Py_BuildValue("(y#y#)", (const char *)pub, (Py_ssize_t)sizeof pub,
                                (const char *)sec, (Py_ssize_t)sizeof sec);
    memset(sec, 0, sizeof sec);
    return r;
}

static int key_arg(PyObject *args, Py_buffer *v, Py_ssize_t size)
{
    if (!PyArg_ParseTuple(args, "y*", v)) return -1;
    if (v->len != size) {
        PyBuffer_Release(v);
        return hmpy_value_error("a key of %zd bytes is needed", size), -1;
    }
    return 0;
}

static PyObject *key_public(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v;
    if (key_arg(args, &v, HM_ED25519_SECRET_BYTES) < 0) return NULL;
    uint8_t pub[HM_ED25519_PUBLIC_BYTES];
    hm_error err;
    hm_status st = hm_key_public(v.buf, pub, &err);
    PyBuffer_Release(&v);
    return st == HM_OK ? PyBytes_FromStringAndSize((const char *)pub, sizeof pub) : hmpy_raise(st, &err);
}

static PyObject *key_id(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v;
    if (key_arg(args, &v, HM_ED25519_PUBLIC_BYTES) < 0) return NULL;
    uint8_t id[HM_KEY_ID_BYTES];
    hm_error err;
    hm_status st = hm_key_id(v.buf, id, &err);
    PyBuffer_Release(&v);
    return st == HM_OK ? PyBytes_FromStringAndSize((const char *)id, sizeof id) : hmpy_raise(st, &err);
}

static PyObject *set_sign(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer data, key;
    if (!PyArg_ParseTuple(args, "y*y*", &data, &key)) return NULL;
    uint8_t *out = NULL;
    size_t size = 0;
    hm_error err;
    hm_status st = key.len == HM_ED25519_SECRET_BYTES ? HM_OK : HM_E_SET_KEY;
    if (st != HM_OK) snprintf(err.message, sizeof err.message, "a secret key has 32 bytes");
    Py_BEGIN_ALLOW_THREADS
    if (st == HM_OK) st = hm_set_sign(data.buf, (size_t)data.len, key.buf, &out, &size, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    PyBuffer_Release(&key);
    if (st != HM_OK) return hmpy_raise(st, &err);
    PyObject *r = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)size);
    hm_buffer_free(out);
    return r;
}

static PyObject *policy_default(PyObject *self, PyObject *arg)
{
    (void)self;
    long a = PyLong_AsLong(arg);
    if (a == -1 && PyErr_Occurred()) return NULL;
    hm_set_policy p;
    hm_set_policy_default((hm_algo)a, &p);
    return Py_BuildValue("(IIII)", p.variant, p.radius, p.allow_radius, p.min_quality);
}

PyMethodDef hmpy_set_methods[] = {
    {"set_open", (PyCFunction)(void (*)(void))set_open, METH_VARARGS | METH_KEYWORDS,
     "set_open(data, trusted_keys, threshold=1, min_version=0, now=0, ...) -> Set"},
    {"set_open_unverified", set_open_unverified, METH_VARARGS, "set_open_unverified(data) -> Set"},
    {"key_generate", key_generate, METH_NOARGS, "key_generate() -> (public, secret)"},
    {"key_public", key_public, METH_VARARGS, "key_public(secret) -> public"},
    {"key_id", key_id, METH_VARARGS, "key_id(public) -> id"},
    {"set_sign", set_sign, METH_VARARGS, "set_sign(data, secret) -> signed data"},
    {"policy_default", policy_default, METH_O, "policy_default(algo) -> (variant, radius, allow, quality)"},
    {NULL, NULL, 0, NULL}};

int hmpy_add_set_types(PyObject *m)
{
    PyTypeObject *types[] = {&SetType, &BuilderType, &ScannerType};
    const char *names[] = {"Set", "SetBuilder", "Scanner"};
    for (int i = 0; i < 3; i++) {
        if (PyType_Ready(types[i]) < 0) return -1;
        Py_INCREF(types[i]);
        if (PyModule_AddObject(m, names[i], (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            return -1;
        }
    }
    return 0;
}
