"""hashmatch: perceptual hashes, signed fingerprint sets and exact matching.

The Python interface to the hashmatch C library (one decode serves every
hash; the C code runs with the GIL released):

Hashing
    hash_file(path), hash_bytes(data), hash_pixels(array) -> Hashes
    hash_files(paths) -> numpy structured array, one row per file (thread pool)
    to_dataframe(rows) -> pandas DataFrame with hex strings

imagehash and pdqhash compatibility (PIL images)
    ahash(img), dhash(img), phash(img), whash(img) -> Hash, bit for bit what
    imagehash 4.3.2 computes on the same PIL image object
    pdq(img_or_array_or_path) -> (Hash, quality), like pdqhash.compute

Hash arrays (numpy uint8 arrays of shape (N, 8) or (N, 32))
    hamming(a, b), radius_search(queries, database, radius),
    pairwise_histogram(hashes), nearest(hashes), pairs_within(hashes, t),
    pair_stats(hashes) -> PairStats (histogram, nearest neighbours, merge)

Fingerprint sets and scanning
    Set.open(path_or_bytes, trusted_keys=[...], threshold=k, min_version=v)
    SetBuilder(...).add(...).build(); sign_set(data, secret_key)
    Scanner(set).scan_file(path) / .scan_pixels(array) -> Report

Research (hashmatch.eval) and distributed runs (hashmatch.dask).
Failures raise hashmatch.Error, which carries the library's status name
(e.g. "image_truncated") and message. docs/PYTHON.md has a worked example.
"""
import os
from collections import namedtuple

import numpy as np

from . import _hashmatch as _c

__all__ = [
    "Error", "Hash", "Hashes", "PairStats", "Set", "SetBuilder", "Scanner", "Match", "Report",
    "ALGORITHMS", "PERCEPTUAL", "DIGESTS", "hash_file", "hash_bytes", "hash_pixels",
    "hash_files", "to_dataframe", "codes", "ahash", "dhash", "phash", "whash", "pdq",
    "hamming", "radius_search", "pairwise_histogram", "nearest", "pairs_within",
    "pair_stats", "generate_key", "public_key", "read_public_key", "key_id", "sign_set",
    "cpu_info",
    "__version__",
]

__version__ = _c.version()


class Error(Exception):
    """A failure reported by the C library.

    status: the stable status name ("image_truncated", "set_rollback", ...)
    message: the library's message (may be more precise than the status)
    code: the numeric hm_status value (pinned forever)
    """

    def __init__(self, status, message, code):
        super().__init__(status, message, code)
        self.status = status
        self.message = message
        self.code = code

    def __str__(self):
        return "%s: %s" % (self.status, self.message)


_c.set_error_class(Error)

_ALGO_TABLE = _c.algorithms()  # (id, name, bytes, perceptual)
ALGORITHMS = tuple(a[1] for a in _ALGO_TABLE)
PERCEPTUAL = tuple(a[1] for a in _ALGO_TABLE if a[3])
DIGESTS = tuple(a[1] for a in _ALGO_TABLE if not a[3])
_ID = {a[1]: a[0] for a in _ALGO_TABLE}
_SIZE = {a[1]: a[2] for a in _ALGO_TABLE}
_PDQ_MODES = {"fullres": 0, "cli512": 1}


def _names(algos, default=ALGORITHMS):
    """Algorithm names from None (default), "all", "pdq,phash" or an iterable."""
    if algos is None:
        return tuple(default)
    if isinstance(algos, str):
        algos = ALGORITHMS if algos == "all" else [a.strip() for a in algos.split(",") if a.strip()]
    names = tuple(algos)
    for a in names:
        if a not in _ID:
            raise ValueError("unknown algorithm %r (known: %s)" % (a, ", ".join(ALGORITHMS)))
    if not names:
        raise ValueError("no algorithm given")
    return names


def _mask(names):
    m = 0
    for a in names:
        m |= 1 << _ID[a]
    return m


def _pdq_mode(mode):
    if mode not in _PDQ_MODES:
        raise ValueError("pdq_mode is 'fullres' or 'cli512'")
    return _PDQ_MODES[mode]


class Hash:
    """One hash, used like imagehash.ImageHash.

    str(h) is the lowercase hex string, bytes(h) the raw bytes (hex order),
    h1 - h2 the Hamming distance, h1 == h2 compares the bits, len(h) is the
    number of bits and h.hash the bits as a square bool array (8x8 for the
    64-bit hashes, 16x16 for PDQ) as imagehash's ImageHash.hash holds them.
    """

    __slots__ = ("_bytes", "algo")

    def __init__(self, data, algo=None):
        self._bytes = bytes(data)
        self.algo = algo

    @classmethod
    def from_hex(cls, text, algo=None):
        """The Hash of a hex string (like imagehash.hex_to_hash)."""
        return cls(bytes.fromhex(text), algo)

    def __str__(self):
        return self._bytes.hex()

    def hex(self):
        """The lowercase hex string."""
        return self._bytes.hex()

    def __repr__(self):
        return "Hash(%r%s)" % (self.hex(), ", algo=%r" % self.algo if self.algo else "")

    def __bytes__(self):
        return self._bytes

    def __len__(self):
        return 8 * len(self._bytes)

    def __sub__(self, other):
        if isinstance(other, Hash):
            other = other._bytes
        elif hasattr(other, "hash") and hasattr(other.hash, "flatten"):  # imagehash.ImageHash
            other = np.packbits(np.asarray(other.hash, bool).flatten()).tobytes()
        else:
            return NotImplemented
        if len(other) != len(self._bytes):
            raise TypeError("hashes must be the same size: %d and %d bits"
                            % (len(self), 8 * len(other)))
        return bin(int.from_bytes(self._bytes, "big") ^ int.from_bytes(other, "big")).count("1")

    def __eq__(self, other):
        if isinstance(other, Hash):
            return self._bytes == other._bytes
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __hash__(self):
        return hash(self._bytes)

    @property
    def bits(self):
        """The bits as a flat bool array, first hex digit first."""
        return np.unpackbits(np.frombuffer(self._bytes, np.uint8)).astype(bool)

    @property
    def hash(self):
        """The bits as a square bool array, as imagehash.ImageHash.hash."""
        b = self.bits
        side = int(round(len(b) ** 0.5))
        return b.reshape(side, side) if side * side == len(b) else b

    def to_array(self):
        """The bytes as a uint8 array (one row of a hash array)."""
        return np.frombuffer(self._bytes, np.uint8).copy()


class Hashes:
    """The hashes of one image or file.

    Attributes: width, height (decoded size), pdq_quality (0..100; PDQ hashes
    under 50 are unreliable), and one attribute per computed algorithm (pdq,
    ahash, ..., sha256) holding a Hash, None for the others; pdq_dihedral is
    the list of the 8 dihedral PDQ hashes when asked for. h["pdq"] works too,
    and h.to_dict() gives hex strings.
    """

    __slots__ = ("width", "height", "pdq_quality", "pdq_dihedral", "_hashes") + ALGORITHMS

    def __init__(self, raw):
        width, height, _mask_, quality, hashes, dihedral = raw
        self.width, self.height = width, height
        self._hashes = {name: Hash(b, name) for name, b in hashes.items()}
        self.pdq_quality = quality if "pdq" in hashes else None
        for name in ALGORITHMS:
            setattr(self, name, self._hashes.get(name))
        self.pdq_dihedral = (None if dihedral is None else
                             [Hash(dihedral[32 * k:32 * k + 32], "pdq") for k in range(8)])

    def __getitem__(self, name):
        return self._hashes[name]

    def __contains__(self, name):
        return name in self._hashes

    def __iter__(self):
        return iter(self._hashes)

    def keys(self):
        return self._hashes.keys()

    def items(self):
        return self._hashes.items()

    def to_dict(self):
        """{"width": .., "height": .., "pdq": hex, ..., "pdq_quality": ..}"""
        d = {"width": self.width, "height": self.height}
        for name, h in self._hashes.items():
            d[name] = str(h)
            if name == "pdq":
                d["pdq_quality"] = self.pdq_quality
        if self.pdq_dihedral is not None:
            d["pdq_dihedral"] = [str(h) for h in self.pdq_dihedral]
        return d

    def __repr__(self):
        fields = ", ".join("%s=%r" % kv for kv in self.to_dict().items())
        return "Hashes(%s)" % fields

    __str__ = __repr__

    def __eq__(self, other):
        if not isinstance(other, Hashes):
            return NotImplemented
        return self.to_dict() == other.to_dict()


# ---- hashing ----

def hash_file(path, algos=None, *, pdq_mode="fullres", dihedral=False, max_pixels=0, exif=False):
    """Hashes an image file: one read, one decode, every algorithm asked for.

    algos: names ("pdq,phash", ["pdq", "sha256"], "all"; default every
    algorithm). pdq_mode: "fullres" (Meta's pdqhash/Java/HMA) or "cli512"
    (the reference pdq-photo-hasher tool). dihedral: also the 8 dihedral PDQ
    hashes. max_pixels: refuse larger images (0: 100 megapixels). exif:
    rotate as the EXIF orientation says (the references do not).
    Raises Error ("image_truncated", "io", ...) when the file cannot be hashed.
    """
    return Hashes(_c.hash_file(path, _mask(_names(algos)), _pdq_mode(pdq_mode), int(dihedral),
                               max_pixels, exif))


def hash_bytes(data, algos=None, *, pdq_mode="fullres", dihedral=False, max_pixels=0, exif=False):
    """Hashes an encoded image held in memory (bytes, bytearray, memoryview,
    numpy array); the arguments are those of hash_file."""
    return Hashes(_c.hash_bytes(data, _mask(_names(algos)), _pdq_mode(pdq_mode), int(dihedral),
                                max_pixels, exif))


def hash_pixels(array, algos=None, *, bgr=False, pdq_mode="fullres", dihedral=False):
    """Hashes decoded pixels: a uint8 array of shape (H, W) (grey), (H, W, 3)
    (RGB) or (H, W, 4) (RGBA; alpha is ignored, as the references ignore it).
    bgr=True reads (H, W, 3/4) arrays as BGR(A) (OpenCV). Packed grey and
    RGB arrays are read in place, without a copy. Only perceptual hashes
    (default: all five) can be computed from pixels."""
    names = _names(algos, PERCEPTUAL)
    bad = [a for a in names if a not in PERCEPTUAL]
    if bad:
        raise ValueError("digests need the file's bytes, not pixels: %s" % ", ".join(bad))
    return Hashes(_c.hash_pixels(array, _mask(names), _pdq_mode(pdq_mode), int(dihedral), bool(bgr)))


_LAYOUT = _c.row_layout()


def _row_dtype(names, dihedral):
    fields = [("path", object), ("ok", bool), ("error", object), ("message", object),
              ("width", np.uint32), ("height", np.uint32)]
    if "pdq" in names:
        fields.append(("pdq_quality", np.int16))
    fields += [(a, np.uint8, (_SIZE[a],)) for a in names]
    if dihedral:
        fields.append(("pdq_dihedral", np.uint8, (8, 32)))
    return np.dtype(fields)


def _raw_dtype():
    names, formats, offsets = [], [], []
    scalar = {"status": "<i4", "width": "<u4", "height": "<u4", "pdq_quality": "<i4"}
    for name, (off, size) in ((k, v) for k, v in _LAYOUT.items() if k != "itemsize"):
        names.append(name)
        formats.append(scalar.get(name, ("u1", (size,))))
        offsets.append(off)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                     "itemsize": _LAYOUT["itemsize"]})


def hash_files(paths, algos=None, *, threads=None, progress=None, pdq_mode="fullres",
               dihedral=False, max_pixels=0, exif=False):
    """Hashes many files on a thread pool; returns a numpy structured array
    with one row per path, in order.

    Fields: path, ok (bool), error (status name or None), message (or None),
    width, height, pdq_quality (with pdq), and one field per algorithm with
    the hash bytes: rows["pdq"] is an (N, 32) uint8 array, rows["phash"]
    (N, 8), ready for hamming()/pair_stats(). A file that cannot be hashed
    is a row with ok False, its error and message, and zero hashes.
    threads: worker threads (default: every CPU). progress: called as
    progress(done, total) about twice a second (and once at the end).
    Ctrl-C stops the pool after the files in flight.
    """
    paths = [os.fspath(p) for p in paths]
    names = _names(algos)
    raw = np.zeros(len(paths), _raw_dtype())
    dih = np.zeros((len(paths), 8, 32), np.uint8) if dihedral else None
    failures = _c.hash_files(paths, raw, dih, _mask(names), _pdq_mode(pdq_mode), max_pixels, exif,
                             threads or 0, progress, 0.5)
    out = np.zeros(len(paths), _row_dtype(names, dihedral))
    out["path"] = paths
    out["ok"] = raw["status"] == 0
    out["error"] = None
    out["message"] = None
    for i, status, message in failures:
        out["error"][i] = status
        out["message"][i] = message
    for f in ("width", "height"):
        out[f] = raw[f]
    if "pdq" in names:
        out["pdq_quality"] = raw["pdq_quality"]
    for a in names:
        out[a] = raw[a]
    if dihedral:
        out["pdq_dihedral"] = dih
    return out


def codes(rows, algo, only_ok=True):
    """The (N, bytes) uint8 array of one algorithm from hash_files rows, a
    list of Hashes or Hash objects, or hex strings; only_ok drops failed rows."""
    if isinstance(rows, np.ndarray) and rows.dtype.names:
        a = rows[algo][rows["ok"]] if only_ok else rows[algo]
        return np.ascontiguousarray(a)
    out = []
    for r in rows:
        h = r[algo] if isinstance(r, Hashes) else r
        out.append(bytes(h) if isinstance(h, Hash) else bytes.fromhex(h) if isinstance(h, str) else bytes(h))
    size = _SIZE.get(algo, len(out[0]) if out else 0)
    return np.frombuffer(b"".join(out), np.uint8).reshape(len(out), size).copy()


def to_dataframe(rows):
    """hash_files rows as a pandas DataFrame: hashes as hex strings, one
    column per algorithm (pandas is imported here, not before)."""
    import pandas as pd

    cols = {}
    for name in rows.dtype.names:
        col = rows[name]
        if col.ndim > 1:
            flat = np.ascontiguousarray(col.reshape(len(col), int(np.prod(col.shape[1:]))))
            cols[name] = [r.tobytes().hex() if ok else None for r, ok in zip(flat, rows["ok"])]
        else:
            cols[name] = col
    return pd.DataFrame(cols)


# ---- imagehash and pdqhash compatibility ----

def _defaults_only(name, **given):
    for k, (value, default) in given.items():
        if value != default:
            raise ValueError("hashmatch.%s computes imagehash's default only (%s=%r)"
                             % (name, k, default))


def _grey_pixels(image):
    """What imagehash resizes: the image converted to mode L by Pillow."""
    im = image if image.mode == "L" else image.convert("L")
    return np.asarray(im)


def _imagehash(image, algo):
    return Hash(_c.hash_pixels(_grey_pixels(image), 1 << _ID[algo])[4][algo], algo)


def ahash(image, hash_size=8):
    """imagehash.average_hash(image): the same bits on the same PIL image.

    Pillow converts the image to L (any mode, exactly as imagehash does);
    hashmatch then resizes and hashes it as Pillow, numpy and scipy would."""
    _defaults_only("ahash", hash_size=(hash_size, 8))
    return _imagehash(image, "ahash")


average_hash = ahash


def dhash(image, hash_size=8):
    """imagehash.dhash(image): the same bits on the same PIL image."""
    _defaults_only("dhash", hash_size=(hash_size, 8))
    return _imagehash(image, "dhash")


def phash(image, hash_size=8, highfreq_factor=4):
    """imagehash.phash(image): the same bits on the same PIL image."""
    _defaults_only("phash", hash_size=(hash_size, 8), highfreq_factor=(highfreq_factor, 4))
    return _imagehash(image, "phash")


def whash(image, hash_size=8, image_scale=None, mode="haar", remove_max_haar_ll=True):
    """imagehash.whash(image): the same bits on the same PIL image."""
    _defaults_only("whash", hash_size=(hash_size, 8), image_scale=(image_scale, None),
                   mode=(mode, "haar"), remove_max_haar_ll=(remove_max_haar_ll, True))
    return _imagehash(image, "whash")


def pdq(image, *, pdq_mode="fullres"):
    """PDQ of a PIL image, an RGB/grey uint8 array, a path or encoded bytes,
    as (Hash, quality) like pdqhash.compute; str(hash) is the 64-digit hex.
    A PIL image other than RGB or L (grey) is converted to RGB by Pillow
    first; grey pixels are hashed as grey, as the reference reads grey files."""
    mask = 1 << _ID["pdq"]
    mode = _pdq_mode(pdq_mode)
    if hasattr(image, "convert") and hasattr(image, "mode"):  # a PIL image
        im = image if image.mode in ("RGB", "L") else image.convert("RGB")
        raw = _c.hash_pixels(np.asarray(im), mask, mode)
    elif isinstance(image, (str, os.PathLike)):
        raw = _c.hash_file(image, mask, mode)
    elif isinstance(image, (bytes, bytearray, memoryview)):
        raw = _c.hash_bytes(image, mask, mode)
    else:
        raw = _c.hash_pixels(np.asarray(image), mask, mode)
    return Hash(raw[4]["pdq"], "pdq"), raw[3]


# ---- hash arrays ----

def _as_codes(hashes, name="hashes"):
    a = np.asarray(hashes)
    if a.dtype != np.uint8:
        raise TypeError("%s must be a uint8 array of shape (N, 8) or (N, 32)" % name)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] not in (8, 32):
        raise ValueError("%s must have shape (N, 8) or (N, 32), not %s" % (name, a.shape))
    return np.ascontiguousarray(a)


def hamming(a, b):
    """Hamming distances between uint8 hash arrays, broadcasting over every
    axis but the last (the hash bytes): (N, B) with (N, B) gives (N,), (B,)
    with (N, B) gives (N,), (N, 1, B) with (1, M, B) gives (N, M). Returns
    int32 (an int for two single hashes)."""
    a = np.asarray(a, np.uint8)
    b = np.asarray(b, np.uint8)
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[-1]:
        raise ValueError("hamming: the last axes (hash bytes) must agree: %s and %s"
                         % (a.shape, b.shape))
    if a.strides[-1] != 1:
        a = np.ascontiguousarray(a)
    if b.strides[-1] != 1:
        b = np.ascontiguousarray(b)
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    full = shape + (a.shape[-1],)
    out = np.empty(shape, np.int32)
    _c.hamming_into(np.broadcast_to(a, full), np.broadcast_to(b, full), out)
    return int(out) if out.ndim == 0 else out


PAIR_DTYPE = np.dtype({"names": ["a", "b", "distance"], "formats": ["<i8", "<i8", "<u4"],
                       "offsets": [0, 8, _c.PAIR_DISTANCE_OFFSET], "itemsize": _c.PAIR_SIZE})
HIT_DTYPE = np.dtype({"names": ["query", "entry", "distance"], "formats": ["<i8", "<i8", "<u4"],
                      "offsets": [0, 8, _c.PAIR_DISTANCE_OFFSET], "itemsize": _c.PAIR_SIZE})


def radius_search(queries, database, radius, *, threads=None, max_hits=0):
    """Every (query, entry) of two hash arrays within `radius`, exactly: a
    structured array with fields query, entry (row numbers) and distance,
    sorted by query then entry. Brute force on the library's SIMD scan
    kernels, 8 queries per pass over the database, on every CPU.
    max_hits > 0 raises Error("limit") beyond that many."""
    q = _as_codes(queries, "queries")
    d = _as_codes(database, "database")
    if q.shape[1] != d.shape[1]:
        raise ValueError("queries and database hold hashes of different sizes")
    raw = _c.radius_search(q, d, d.shape[1], int(radius), threads or 0, max_hits)
    return np.frombuffer(raw, HIT_DTYPE)


def _groups(groups, n):
    if groups is None:
        return None
    g = np.asarray(groups)
    if g.shape != (n,):
        raise ValueError("groups must have one label per hash")
    if g.dtype != np.uint32:
        _, g = np.unique(g, return_inverse=True)  # any labels: strings, ints
    return np.ascontiguousarray(g, np.uint32)


def _pair_codes(hashes, dihedral):
    a = np.asarray(hashes, np.uint8)
    if dihedral:
        a = a.reshape(len(a), 8 * 32)
        return np.ascontiguousarray(a), 32
    a = _as_codes(a)
    return a, a.shape[1]


class PairStats:
    """All-pairs statistics of one hash array (different images only).

    histogram: uint64 counts of pair distances 0..bits (sums to pairs).
    nearest: each hash's distance to its nearest other-group hash (int32,
    -1 when none); nearest_index: that hash's row (int64, the smallest among
    equally near ones, -1 when none). merge() adds results of disjoint pair
    sets (shards, tiles) exactly as `hashmatch eval merge` does.
    """

    def __init__(self, bits, n):
        self.bits = bits
        self.histogram = np.zeros(bits + 1, np.uint64)
        self._near = np.full(n, _c.NONE, np.uint16)
        self._index = np.full(n, -1, np.int64)

    @property
    def images(self):
        return len(self._near)

    @property
    def pairs(self):
        return int(self.histogram.sum())

    @property
    def nearest(self):
        n = self._near.astype(np.int32)
        n[self._near == _c.NONE] = -1
        return n

    @property
    def nearest_index(self):
        return self._index.copy()

    def merge(self, other):
        """Adds another result over the same images (histograms add; nearest
        neighbours take the smaller distance, then the smaller index)."""
        if other.bits != self.bits or other.images != self.images:
            raise ValueError("merge: results over different hashes")
        _c.hist_merge(self.histogram, other.histogram)
        _c.nearest_merge(self._near, self._index, other._near, other._index)
        return self

    def fpr(self):
        """Pair-level false-positive rate at every threshold 0..bits."""
        out = np.empty(self.bits + 1)
        _c.cumulative_rate(self.histogram, self.pairs, out)
        return out

    def image_fpr(self):
        """Image-level rate at every threshold: the share of images whose
        nearest other image is within it."""
        h = np.zeros(self.bits + 1, np.uint64)
        _c.nearest_hist(self._near, h)
        out = np.empty(self.bits + 1)
        _c.cumulative_rate(h, self.images, out)
        return out

    def __repr__(self):
        return "PairStats(bits=%d, images=%d, pairs=%d)" % (self.bits, self.images, self.pairs)


_SPLIT_PAIRS = 2_000_000_000  # above this many pairs, compute in shards (Ctrl-C between them)


def pair_stats(hashes, *, groups=None, dihedral=False, threads=None, nearest_index=True,
               shard=None, block=0):
    """Histogram and nearest neighbours of every pair of distinct hashes
    (pairs within one group are left out: bursts, edits of one photo).

    hashes: (N, 8) or (N, 32) uint8 (with dihedral=True: (N, 8, 32), the
    8 dihedral PDQ hashes of each image; a pair's distance is then the
    smallest of either image's dihedral hashes against the other's original).
    shard=(i, n) computes only the blocks of shard i of n, as `eval fpr
    --shard`. The SIMD pair kernels run on every CPU with the GIL released.
    """
    c, cb = _pair_codes(hashes, dihedral)
    n = len(c)
    g = _groups(groups, n)
    st = PairStats(8 * cb, n)
    if shard is not None:
        splits = [tuple(shard)]
    else:
        k = max(1, min(64, n * (n - 1) // 2 // _SPLIT_PAIRS))
        splits = [(i, k) for i in range(k)]
    for si, sn in splits:
        part = PairStats(8 * cb, n) if len(splits) > 1 else st
        _c.pairs(c, cb, g, bool(dihedral), threads or 0, si, sn, block, part.histogram, part._near,
                 part._index if nearest_index else None)
        if part is not st:
            st.merge(part)
    return st


def pairwise_histogram(hashes, *, groups=None, dihedral=False, threads=None):
    """Counts of the pair distances 0..bits over every pair of distinct
    hashes (uint64 array of bits+1; sums to N(N-1)/2 without groups)."""
    c, cb = _pair_codes(hashes, dihedral)
    h = np.zeros(8 * cb + 1, np.uint64)
    _c.pairs(c, cb, _groups(groups, len(c)), bool(dihedral), threads or 0, 0, 1, 0, h, None, None)
    return h


def nearest(hashes, *, groups=None, dihedral=False, threads=None):
    """(distances, indices): each hash's nearest other hash (of another
    group): int32 distances and int64 row numbers (the smallest among equally
    near ones), -1 where there is none."""
    st = pair_stats(hashes, groups=groups, dihedral=dihedral, threads=threads)
    return st.nearest, st.nearest_index


def pairs_within(hashes, threshold, *, groups=None, dihedral=False, threads=None, max_pairs=0):
    """Every pair (a, b), a < b, of distinct hashes within `threshold`: a
    structured array with fields a, b (row numbers) and distance, sorted.
    max_pairs > 0 raises Error("limit") beyond that many."""
    c, cb = _pair_codes(hashes, dihedral)
    raw = _c.pairs_within(c, cb, int(threshold), _groups(groups, len(c)), bool(dihedral),
                          threads or 0, 0, 1, 0, max_pairs)
    return np.frombuffer(raw, PAIR_DTYPE)


# ---- sets, keys, scanning ----

def generate_key():
    """A new Ed25519 key pair (public, secret) from the OS's random source."""
    return _c.key_generate()


def public_key(secret_key):
    """The public key of a 32-byte secret key."""
    return _c.key_public(bytes(secret_key))


def key_id(public):
    """SHA-256 of a public key: how a set's signature block names it."""
    return _c.key_id(bytes(public))


def read_public_key(key):
    """A 32-byte Ed25519 public key from bytes, its hex or base64 text, or a
    public key file as `hashmatch keygen` writes it ("key HEX comment")."""
    import base64

    if isinstance(key, (bytes, bytearray, memoryview)):
        key = bytes(key)
        if len(key) != 32:
            raise ValueError("a public key has 32 bytes")
        return key
    text = os.fspath(key)
    if not (len(text) == 64 or (len(text) == 44 and text.endswith("="))):
        with open(text) as f:
            words = [l.split() for l in f if l.startswith("key ")]
        if not words:
            raise ValueError("%s: no 'key' line" % text)
        text = words[0][1]
    raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError("a public key has 32 bytes")
    return raw


def sign_set(data, secret_key):
    """A copy of the set `data` with one more signature (the content and its
    digest are unchanged)."""
    return _c.set_sign(data, bytes(secret_key))


def _read(path_or_bytes):
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return path_or_bytes
    with open(path_or_bytes, "rb") as f:
        return f.read()


class Set:
    """A verified, immutable fingerprint set (docs/FORMAT.md, docs/TRUST.md).

    Open with Set.open(); the properties give the header (name, issuer,
    version, created, expires as Unix seconds, digest as hex, categories,
    algos), section(algo) the publisher's policy, entries(algo) the entries
    as a structured array and allowlist(algo) the allowlist hashes.
    """

    def __init__(self, core):
        self._core = core
        self._info = core.info()

    @classmethod
    def open(cls, path_or_bytes, trusted_keys, threshold=1, min_version=0, *, now=None,
             max_clock_skew=0, min_attesters=0, allow_unknown_keys=False):
        """Verifies and opens a set: digest, then `threshold` of the
        `trusted_keys` (32-byte Ed25519 public keys) must have signed it,
        version >= min_version (store the last version you accepted), not
        expired at `now` (Unix seconds; default: the system clock). Keys may
        be bytes, hex or base64 text, or public key files (read_public_key).
        Raises Error ("set_rollback", "set_threshold", ...) when it is refused."""
        core = _c.set_open(_read(path_or_bytes), [read_public_key(k) for k in trusted_keys], threshold,
                           min_version, int(now or 0), max_clock_skew, min_attesters,
                           allow_unknown_keys)
        return cls(core)

    @classmethod
    def open_unverified(cls, path_or_bytes):
        """Auditing only: checks digest and structure, not signatures,
        version or times. A Scanner refuses such a set."""
        return cls(_c.set_open_unverified(_read(path_or_bytes)))

    def __getattr__(self, name):
        info = self.__dict__.get("_info", {})
        if name in info:
            v = info[name]
            if name in ("digest", "previous_digest") and v is not None:
                return v.hex()
            if name == "algos":
                return tuple(a for a in ALGORITHMS if v & (1 << _ID[a]))
            return v
        raise AttributeError(name)

    def section(self, algo):
        """The policy and counts of one algorithm's section (dict), or None."""
        return self._core.section(_ID[algo])

    def entries(self, algo):
        """The entries of one algorithm, in ascending hash order: a structured
        array with fields hash (uint8, bytes), category, category_name,
        attesters, external_id and active."""
        h, cat, att, act, ids = self._core.entries(_ID[algo])
        n = len(ids)
        out = np.zeros(n, [("hash", np.uint8, (_SIZE[algo],)), ("category", np.uint32),
                           ("category_name", object), ("attesters", np.uint32),
                           ("external_id", object), ("active", bool)])
        out["hash"] = np.frombuffer(h, np.uint8).reshape(n, _SIZE[algo])
        out["category"] = np.frombuffer(cat, np.uint32)
        names = self._info["categories"]
        out["category_name"] = [names[c] for c in out["category"]]
        out["attesters"] = np.frombuffer(att, np.uint32)
        out["external_id"] = ids
        out["active"] = np.frombuffer(act, np.uint8).astype(bool)
        return out

    def allowlist(self, algo):
        """The allowlist hashes of one algorithm as an (N, bytes) uint8 array."""
        return np.frombuffer(self._core.allowlist(_ID[algo]), np.uint8).reshape(-1, _SIZE[algo]).copy()

    @property
    def signatures(self):
        """The signature block: dicts with key_id (hex), status ("valid",
        "ignored", "unchecked") and trusted_index."""
        return [dict(s, key_id=s["key_id"].hex(), signature=s["signature"].hex())
                for s in self._core.signatures()]

    def __repr__(self):
        return "Set(name=%r, version=%d, entries=%s)" % (
            self._info["name"], self._info["version"],
            {a: self.section(a)["entry_count"] for a in self.algos})


class SetBuilder:
    """Builds an unsigned set; sign it with sign_set().

        b = SetBuilder("my list", version=3, expires=time.time() + 90 * 86400,
                       categories=["a", "b"])
        b.add("pdq", hashes, category="a")
        data = sign_set(b.build(), secret_key)
    """

    def __init__(self, name, *, version=1, issuer="", created=None, expires=None, previous=None,
                 categories=()):
        import time

        self._core = _c.SetBuilder()
        created = int(created if created is not None else time.time())
        expires = int(expires if expires is not None else created + 90 * 86400)
        self._core.header(name, issuer, version, created, expires,
                          bytes.fromhex(previous) if isinstance(previous, str) else previous)
        self._categories = []
        for c in categories:
            self.add_category(c)

    def add_category(self, name):
        """Appends a category to the closed list; returns its index."""
        i = self._core.add_category(name)
        self._categories.append(name)
        return i

    def set_policy(self, algo, *, radius=None, allow_radius=None, min_quality=None, variant=None):
        """The match policy of one algorithm (defaults: the library's)."""
        v, r, a, q = _c.policy_default(_ID[algo])
        if isinstance(variant, str):
            variant = _pdq_mode(variant)
        r = r if radius is None else radius
        self._core.set_policy(_ID[algo], v if variant is None else variant, r,
                              r if allow_radius is None else allow_radius,
                              q if min_quality is None else min_quality)
        return self

    def _hash_bytes(self, algo, hashes):
        if isinstance(hashes, (Hash, str, bytes)):
            hashes = [hashes]
        if isinstance(hashes, np.ndarray):
            return np.ascontiguousarray(hashes, np.uint8).tobytes()
        return b"".join(bytes.fromhex(h) if isinstance(h, str) else bytes(h) for h in hashes)

    def add(self, algo, hashes, category=0, attesters=1, external_ids=None):
        """Adds one or more hashes (Hash, hex, bytes, a list of them or an
        (N, bytes) array) of `algo` with one category (index or name)."""
        if isinstance(category, str):
            category = self._categories.index(category)
        data = self._hash_bytes(algo, hashes)
        if isinstance(external_ids, str):
            external_ids = [external_ids]
        self._core.add(_ID[algo], data, category, attesters,
                       None if external_ids is None else list(external_ids))
        return self

    def allow(self, algo, hashes):
        """Adds known false positives to the allowlist of `algo`."""
        self._core.allow(_ID[algo], self._hash_bytes(algo, hashes))
        return self

    def build(self):
        """The unsigned set as bytes (sorted, merged)."""
        return self._core.build()


Match = namedtuple("Match", "algo entry distance dihedral category category_name attesters "
                            "external_id")
Match.__doc__ = ("One entry an image matched: algorithm, entry index, Hamming distance, "
                 "dihedral variant, category (index and name), attesters, external id.")


class Report:
    """The result of one scan: matches (list of Match), suppressed (matches
    the allowlist suppressed), pdq_skipped (PDQ quality below the set's
    minimum) and hashes (Hashes). bool(report) is True when something matched."""

    __slots__ = ("matches", "suppressed", "pdq_skipped", "hashes")

    def __init__(self, raw):
        matches, suppressed, skipped, hashes = raw
        self.matches = [Match(*m) for m in matches]
        self.suppressed = [Match(*m) for m in suppressed]
        self.pdq_skipped = skipped
        self.hashes = Hashes(hashes)

    def __bool__(self):
        return bool(self.matches)

    def __repr__(self):
        return "Report(matches=%r, suppressed=%d, pdq_skipped=%r)" % (
            self.matches, len(self.suppressed), self.pdq_skipped)


class Scanner:
    """Matches images against a verified Set with the publisher's policy.

    Built once (the Hamming-radius index is built here), then immutable: any
    number of threads may call scan_* on one Scanner at once (the GIL is
    released while scanning).
    """

    def __init__(self, set, algos=None, *, dihedral=False, max_pixels=0, exif=False,
                 build_threads=0):
        mask = 0 if algos is None else _mask(_names(algos))
        self._core = _c.Scanner(set._core, mask, dihedral, max_pixels, exif, build_threads)
        self.set = set

    def scan_file(self, path):
        """Reads and scans one file (digests and perceptual hashes)."""
        return Report(self._core.scan_file(path))

    def scan_bytes(self, data):
        """Scans encoded image bytes."""
        return Report(self._core.scan_bytes(data))

    def scan_pixels(self, array, *, bgr=False):
        """Scans decoded pixels (perceptual hashes only), as hash_pixels reads them."""
        return Report(self._core.scan_pixels(array, bool(bgr)))

    @property
    def info(self):
        """{"algos": mask, "index_memory": bytes, "uses_index": {algo: bool}}"""
        return self._core.info()


def cpu_info():
    """(CPU features, matching tier) as the library detected them."""
    return _c.cpu_info()
