"""Measurements for research: false-positive rates, robustness to edits, ROC
and account-level odds, as `hashmatch eval` computes them (the same C code:
the hm_eval_* functions of the library), with results as numpy arrays and
pandas DataFrames.

    import hashmatch.eval as ev
    corpus = ev.load_corpus(["photos/"])            # hashes every image once
    f = ev.fpr(corpus)["pdq"]                        # all pairs, SIMD kernels
    f.rates()                                        # DataFrame: threshold, fpr, image_fpr
    r = ev.robustness(corpus.paths, "jpeg:50,crop:10")
    ev.roc(f, r).auc

docs/EVAL.md defines every quantity; docs/PYTHON.md has a worked example.
"""
import json
import os
import stat

import numpy as np

import hashmatch
from . import _hashmatch as _c

__all__ = ["ALGOS", "Corpus", "list_images", "load_corpus", "FprResult", "fpr", "read_fpr_json",
           "RobustnessResult", "robustness", "RocResult", "roc", "binomial_tail", "account",
           "account_empirical", "transform", "image_seed", "TRANSFORMS_STANDARD"]

ALGOS = ("pdq", "ahash", "dhash", "phash", "whash", "pdq_dihedral")
_EVAL_ID = {a: i for i, a in enumerate(ALGOS)}
BITS = {a: 256 if a.startswith("pdq") else 64 for a in ALGOS}
TRANSFORMS_STANDARD = "standard"


def _eval_names(algos, dihedral=False):
    if algos is None or algos == "all":
        names = list(ALGOS[:5])
    elif isinstance(algos, str):
        names = [a.strip() for a in algos.split(",") if a.strip()]
    else:
        names = list(algos)
    if dihedral and "pdq_dihedral" not in names:
        names.append("pdq_dihedral")
    for a in names:
        if a not in _EVAL_ID:
            raise ValueError("unknown algorithm %r (known: %s)" % (a, ", ".join(ALGOS)))
    return tuple(names)


_WALK_MAX_DEPTH = 256  # as the CLI


def _walk(d, out, depth=0):
    if depth > _WALK_MAX_DEPTH:
        raise ValueError("%s: directories nested more than %d levels deep" % (d, _WALK_MAX_DEPTH))
    for name in sorted(os.listdir(d), key=os.fsencode):  # byte order, as the CLI
        full = d + ("" if d.endswith("/") else "/") + name
        if stat.S_ISDIR(os.lstat(full).st_mode):
            _walk(full, out, depth + 1)
        else:  # hidden files, non-images, links, FIFOs: hashing reports them
            out.append(full)


def list_images(inputs, recursive=True):
    """Expands files and directories: files as given, directories walked in
    byte order. Nothing is dropped: hidden entries, files that are not images,
    symbolic links (followed when hashed, never walked into) and FIFOs are all
    listed, and hashing them reports each one that cannot be hashed
    (Corpus.failed, hash_files' error rows), as `hashmatch eval -r` does. An
    unreadable directory raises OSError."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    out = []
    for p in inputs:
        p = os.fspath(p)
        if not os.path.isdir(p):
            out.append(p)
        elif recursive:
            _walk(p, out)
        else:
            raise ValueError("%s is a directory (use recursive=True)" % p)
    return out


class Corpus:
    """Hashes of a collection of images, each decoded once.

    paths: the images hashed (failures removed), in order; codes: {algo:
    uint8 array (N, 8) or (N, 32); pdq_dihedral: (N, 8, 32)}; groups: uint32
    group ids (or None: every image its own source); failed: [(path, error,
    message)] of the inputs that could not be hashed.
    """

    def __init__(self, paths, codes, groups=None, failed=()):
        self.paths = list(paths)
        self.codes = dict(codes)
        self.groups = groups
        self.failed = list(failed)

    def __len__(self):
        return len(self.paths)

    @property
    def algos(self):
        return tuple(a for a in ALGOS if a in self.codes)

    @classmethod
    def from_rows(cls, rows, groups=None):
        """From hash_files() rows (failed rows are left out)."""
        ok = rows["ok"]
        codes = {}
        for a in ALGOS[:5]:
            if a in rows.dtype.names:
                codes[a] = np.ascontiguousarray(rows[a][ok])
        if "pdq_dihedral" in rows.dtype.names:
            codes["pdq_dihedral"] = np.ascontiguousarray(rows["pdq_dihedral"][ok])
        paths = list(rows["path"][ok])
        failed = [(r["path"], r["error"], r["message"]) for r in rows[~ok]]
        return cls(paths, codes, _group_ids(groups, paths), failed)

    def __repr__(self):
        return "Corpus(%d images, algos=%s, %d failed)" % (len(self), self.algos, len(self.failed))


def _group_ids(groups, paths):
    """groups: None, {path: label}, a LABEL<TAB>PATH file, or one label per
    image. Unlisted images are their own group."""
    if groups is None:
        return None
    if isinstance(groups, (str, os.PathLike)):
        labels = {}
        with open(groups) as f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line or line.startswith("#"):
                    continue
                if "\t" not in line:
                    raise ValueError("%s: expected LABEL<TAB>PATH, got %r" % (groups, line))
                label, path = line.split("\t", 1)
                labels[path] = label
        groups = labels
    if isinstance(groups, dict):
        ids, out = {}, np.empty(len(paths), np.uint32)
        for i, p in enumerate(paths):
            label = groups.get(p)
            out[i] = len(paths) + ids.setdefault(label, len(ids)) if label is not None else i
        return out
    g = np.asarray(groups)
    if len(g) != len(paths):
        raise ValueError("one group label per image is needed")
    return np.unique(g, return_inverse=True)[1].astype(np.uint32)


def load_corpus(inputs, algos=None, *, dihedral=False, recursive=True, groups=None, threads=None,
                progress=None):
    """Hashes every image of `inputs` (files and directories) once with the
    algorithms asked for (default: pdq, ahash, dhash, phash, whash; dihedral
    adds pdq_dihedral) on a thread pool, as `hashmatch eval` does. Images
    that fail are reported in Corpus.failed and left out."""
    names = _eval_names(algos, dihedral)
    plain = [a for a in names if a != "pdq_dihedral"]
    if "pdq_dihedral" in names and "pdq" not in plain:
        plain.append("pdq")
    rows = hashmatch.hash_files(list_images(inputs, recursive), plain, threads=threads,
                                progress=progress, dihedral="pdq_dihedral" in names)
    c = Corpus.from_rows(rows, groups)
    c.codes = {a: c.codes[a] for a in names}
    return c


class FprResult:
    """False positives of one algorithm over a corpus: every pair of
    distinct images (of different groups).

    histogram (uint64, bits+1), pairs, images, nearest (int32, -1: none),
    nearest_index (int64), nearest_path; rates() and per_image() give
    DataFrames; merge() adds a shard exactly as `eval merge` does."""

    def __init__(self, algo, stats, paths=None):
        self.algo = algo
        self.bits = stats.bits
        self.stats = stats
        self.paths = list(paths) if paths is not None else None

    histogram = property(lambda self: self.stats.histogram)
    pairs = property(lambda self: self.stats.pairs)
    images = property(lambda self: self.stats.images)
    nearest = property(lambda self: self.stats.nearest)
    nearest_index = property(lambda self: self.stats.nearest_index)

    @property
    def nearest_path(self):
        if self.paths is None:
            return None
        return [self.paths[j] if j >= 0 else None for j in self.stats.nearest_index]

    def fpr(self):
        """Pair-level false-positive rate at thresholds 0..bits."""
        return self.stats.fpr()

    def image_fpr(self):
        """Image-level rate at thresholds 0..bits."""
        return self.stats.image_fpr()

    def merge(self, other):
        self.stats.merge(other.stats)
        return self

    def rates(self, thresholds=None):
        """DataFrame with one row per threshold: threshold, pairs,
        pairs_within, fpr, images, images_within, image_fpr (the columns of
        `eval fpr`'s CSV)."""
        import pandas as pd

        t = np.arange(self.bits + 1) if thresholds is None else np.asarray(thresholds)
        fpr, ifpr = self.fpr(), self.image_fpr()
        within = np.cumsum(self.histogram.astype(np.uint64))
        return pd.DataFrame({"algo": self.algo, "threshold": t, "pairs": self.pairs,
                             "pairs_within": within[t], "fpr": fpr[t], "images": self.images,
                             "images_within": np.rint(ifpr[t] * self.images).astype(np.int64),
                             "image_fpr": ifpr[t]})

    def per_image(self):
        """DataFrame with one row per image: path, nearest (distance, -1 when
        none), nearest_index, nearest_path."""
        import pandas as pd

        return pd.DataFrame({"path": self.paths, "nearest": self.nearest,
                             "nearest_index": self.nearest_index,
                             "nearest_path": self.nearest_path})

    def __repr__(self):
        return "FprResult(%s, images=%d, pairs=%d)" % (self.algo, self.images, self.pairs)


def fpr(corpus, algos=None, *, threads=None, shard=None):
    """Pair statistics of every algorithm of the corpus (default: all it
    holds): {algo: FprResult}. shard=(i, n) as `eval fpr --shard I/N`."""
    names = corpus.algos if algos is None else _eval_names(algos)
    out = {}
    for a in names:
        st = hashmatch.pair_stats(corpus.codes[a], groups=corpus.groups,
                                  dihedral=a == "pdq_dihedral", threads=threads, shard=shard)
        out[a] = FprResult(a, st, corpus.paths)
    return out


def read_fpr_json(path):
    """Reads `hashmatch eval fpr --json` output: {algo: FprResult} (paths
    and nearest indices when the file has them)."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for a, v in data.items():
        if a not in _EVAL_ID:
            continue
        st = hashmatch.PairStats(v["bits"], v["images"])
        st.histogram[:] = np.asarray(v["histogram"], np.uint64)
        near = np.array([_c.NONE if d is None else d for d in v["nearest"]], np.uint16)
        st._near[:] = near
        per = v.get("per_image") or {}
        if per.get("nearest_index") is not None:
            st._index[:] = [-1 if j is None else j for j in per["nearest_index"]]
        out[a] = FprResult(a, st, per.get("path"))
    return out


# ---- robustness ----

def _parse(spec):
    blob, info = _c.parse_transforms(spec)
    return blob, info


class RobustnessResult:
    """Distances from each image to seeded edits of itself.

    distances: int32 array (images, transforms, algos), -1 where the edit
    could not be made; transforms: the chains' canonical text
    ("jpeg:70+scale:0.5"); steps: their structured form [[(name,
    [params])]]; algos; paths; failed: [(path, error, message)].
    """

    def __init__(self, paths, algos, info, distances, failed, seed):
        self.paths = list(paths)
        self.algos = tuple(algos)
        self.transforms = [i[0] for i in info]
        self.names = [i[1] for i in info]
        self.strengths = [i[2] for i in info]
        self.steps = [[(n, list(p)) for n, p in i[3]] for i in info]
        self.distances = distances
        self.failed = list(failed)
        self.seed = seed

    def histogram(self, algo, transforms=None):
        """Counts of distances 0..bits of `algo`, pooled over the given
        transform indices (default: all) and every image."""
        d = self.distances[:, :, self.algos.index(algo)]
        if transforms is not None:
            d = d[:, np.atleast_1d(transforms)]
        d = d[d >= 0]
        return np.bincount(d, minlength=BITS[algo] + 1).astype(np.uint64)

    def table(self, thresholds=None):
        """Long DataFrame, one row per algorithm, transform and threshold:
        algo, transform (names), strength, spec, steps, images, failed,
        mean_distance, threshold, recall (the columns of `eval robustness`)."""
        import pandas as pd

        rows = []
        for ai, a in enumerate(self.algos):
            ts = range(BITS[a] + 1) if thresholds is None else thresholds
            for k in range(len(self.transforms)):
                d = self.distances[:, k, ai]
                ok = d[d >= 0]
                mean = float(ok.mean()) if len(ok) else 0.0
                for t in ts:
                    rows.append({"algo": a, "transform": self.names[k], "strength": self.strengths[k] or None,
                                 "spec": self.transforms[k], "steps": self.steps[k],
                                 "images": len(ok), "failed": int((d < 0).sum()),
                                 "mean_distance": mean, "threshold": int(t),
                                 "recall": float((ok <= t).mean()) if len(ok) else 0.0})
        return pd.DataFrame(rows)

    def __repr__(self):
        return "RobustnessResult(%d images, %d transforms, algos=%s)" % (
            len(self.paths), len(self.transforms), self.algos)


def robustness(images, transforms=TRANSFORMS_STANDARD, algos=None, *, dihedral=False, seed=1,
               threads=None, progress=None, recursive=True):
    """Applies each transform chain (`eval robustness --transforms` syntax,
    e.g. "jpeg:50,scale:0.5,crop:10+jpeg:70"; "standard" is the suite of
    docs/EVAL.md) to every image, hashes the edited copies and returns their
    distances to the originals. Each image's edits are seeded from `seed` and
    the SHA-256 of its bytes (image_seed), so results depend only on the
    bytes: the same photos anywhere give the same numbers."""
    if isinstance(images, Corpus):
        images = images.paths
    paths = list_images(images, recursive)
    names = _eval_names(algos, dihedral)
    blob, info = _parse(transforms)
    n, nt = len(paths), len(info)
    dist = np.full((n, nt, _c.EVAL_ALGO_COUNT), _c.NONE, np.uint16)
    status = np.zeros(n, np.int32)
    pixels = np.zeros(n, np.uint64)
    mask = sum(1 << _EVAL_ID[a] for a in names)
    failures = _c.robustness_files(paths, blob, seed, mask, dist, status, pixels,
                                   threads or 0, 0, progress, 0.5)
    ok = status == 0
    d = dist[ok][:, :, [_EVAL_ID[a] for a in names]].astype(np.int32)
    d[d == _c.NONE] = -1
    failed = [(paths[i], s, m) for i, s, m in failures]
    return RobustnessResult([p for p, k in zip(paths, ok) if k], names, info, d, failed, seed)


def image_seed(seed, data_or_path):
    """The seed of one image's edits: seed XOR the first 8 bytes of the
    SHA-256 of its bytes (edit k uses this + k)."""
    import hashlib

    if isinstance(data_or_path, (str, os.PathLike)):
        with open(data_or_path, "rb") as f:
            data_or_path = f.read()
    return _c.image_seed(seed, hashlib.sha256(data_or_path).digest())


def transform(array, spec, seed=0):
    """Applies one transform chain to a uint8 image array (H, W) or (H, W, 3)
    (RGBA: alpha dropped) and returns the edited array."""
    a = np.asarray(array, np.uint8)
    if a.ndim == 3 and a.shape[2] == 4:
        a = a[..., :3]
    a = np.ascontiguousarray(a)
    blob, info = _parse(spec)
    if len(info) != 1:
        raise ValueError("transform takes one chain, not %d" % len(info))
    data, w, h, ch = _c.transform_pixels(a, blob, seed)
    out = np.frombuffer(data, np.uint8).reshape((h, w) if ch == 1 else (h, w, ch))
    return out.copy()


# ---- ROC and accounts ----

class RocResult:
    """Recall (pooled over every transform) against the pair-level FPR of one
    algorithm at thresholds 0..bits, and the ROC area."""

    def __init__(self, algo, fpr_result, same_hist):
        self.algo = algo
        self.bits = fpr_result.bits
        self.pairs = fpr_result.pairs
        self.edited = int(same_hist.sum())
        self.fpr = fpr_result.fpr()
        self.image_fpr = fpr_result.image_fpr()
        self.recall = np.empty(self.bits + 1)
        _c.cumulative_rate(same_hist, self.edited, self.recall)
        self.auc = _c.roc_auc(self.fpr, self.recall)

    def threshold_for(self, target_fpr):
        """(threshold, fpr, recall, resolvable) for a target rate: the largest
        threshold whose measured rate does not exceed it (-1 when even 0
        does, then fpr and recall are None); resolvable is False when the
        target is below one pair of the corpus."""
        t = _c.threshold_for_fpr(self.fpr, target_fpr)
        fp = float(self.fpr[t]) if t >= 0 else None
        rc = float(self.recall[t]) if t >= 0 else None
        return t, fp, rc, target_fpr * self.pairs >= 1

    def points(self):
        """DataFrame: threshold, fpr, image_fpr, recall."""
        import pandas as pd

        return pd.DataFrame({"algo": self.algo, "threshold": np.arange(self.bits + 1),
                             "fpr": self.fpr, "image_fpr": self.image_fpr, "recall": self.recall})

    def __repr__(self):
        return "RocResult(%s, auc=%.6f)" % (self.algo, self.auc)


def roc(fpr_result, robustness_result, algo=None):
    """Joins false positives and robustness of one algorithm (default: the
    fpr result's) into ROC points, as `eval roc`."""
    algo = algo or fpr_result.algo
    same = robustness_result.histogram(algo)
    return RocResult(algo, fpr_result, same)


def binomial_tail(n, p, k):
    """P(X >= k), X ~ Binomial(n, p), without cancellation for tiny tails."""
    return _c.binomial_tail(int(n), float(p), int(k))


def account(per_image_fpr, images_per_account, threshold):
    """`eval account`: the chance that an innocent account of N images, each
    matching with probability P independently, crosses a K-match threshold.
    The independence assumption understates clustered accounts."""
    return {"per_image_fpr": per_image_fpr, "images_per_account": images_per_account,
            "threshold": threshold, "expected_false_matches": per_image_fpr * images_per_account,
            "binomial_tail": binomial_tail(images_per_account, per_image_fpr, threshold)}


def account_empirical(fpr_result, distance, images_per_account, threshold, *, trials=100000,
                      draw="random", seed=1):
    """Accounts drawn from the corpus itself: an image matches when its
    nearest other image is within `distance`. draw "random" (distinct
    images) or "contiguous" (consecutive, as a camera roll). Returns the
    fraction of `trials` accounts with at least `threshold` matches."""
    if draw not in ("random", "contiguous"):
        raise ValueError("draw is 'random' or 'contiguous'")
    near = fpr_result.nearest
    matched = ((near >= 0) & (near <= distance)).astype(np.uint8)
    crossed = _c.account_empirical(matched, images_per_account, threshold, trials, seed,
                                   draw == "contiguous")
    return crossed / trials
