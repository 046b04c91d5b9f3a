"""Hashing and pair statistics on a Dask cluster (Debian's python3-dask and
python3-distributed), for corpora too large for one machine.

    from distributed import Client
    import hashmatch.dask as hmd
    client = Client("tcp://scheduler:8786")          # or LocalCluster()
    df = hmd.hash_corpus(paths, client)              # dask dataframe, hex columns
    st = hmd.pair_stats(df, client, algo="pdq")      # hashmatch.PairStats

hash_corpus hashes partitions of the path list on the workers (each worker
process runs the C library on its own threads). pair_stats cuts the pair
matrix into tiles: task (i, j) receives blocks i and j of the codes, computes
their pairs with hm_eval_pairs_tile, and the client merges the tiles as they
finish with the same rules as `hashmatch eval merge` (histograms add, nearest
neighbours take the smaller distance, then the smaller index): the result is
exactly the single-process one. Every worker needs the hashmatch package
installed and the image paths readable (a shared file system or object
store mounted at the same path). docs/PYTHON.md shows a multi-machine setup.
"""
import math

import numpy as np

import hashmatch
from . import _hashmatch as _c

__all__ = ["hash_corpus", "hash_partition", "pair_stats", "codes_from_frame"]


def hash_partition(paths, algos=None, dihedral=False, threads=None, start=0, **kw):
    """Hashes one partition of paths into a pandas DataFrame (runs on a
    worker): path, ok, error, message, width, height, pdq_quality and one hex
    column per algorithm (None for failed files), indexed from `start`."""
    rows = hashmatch.hash_files(list(paths), algos, threads=threads, dihedral=dihedral, **kw)
    df = hashmatch.to_dataframe(rows)
    df.index = range(start, start + len(df))
    return df


def _meta(algos, dihedral):
    rows = hashmatch.hash_files([], algos, dihedral=dihedral)
    return hashmatch.to_dataframe(rows).astype({"path": object, "error": object, "message": object})


def hash_corpus(paths, client=None, algos=None, *, partition_size=1000, dihedral=False,
                threads=None, **kw):
    """A dask dataframe of the hashes of `paths` (one partition per
    partition_size paths, hashed on the workers with hash_files). With a
    client the partitions start computing at once (client.persist)."""
    import dask
    import dask.dataframe as dd

    paths = [str(p) for p in paths]
    parts = [dask.delayed(hash_partition)(paths[i:i + partition_size], algos, dihedral, threads, i, **kw)
             for i in range(0, len(paths), partition_size)]
    if not parts:
        parts = [dask.delayed(hash_partition)([], algos, dihedral, threads, **kw)]
    divisions = list(range(0, len(paths), partition_size)) + [max(len(paths) - 1, 0)]
    df = dd.from_delayed(parts, meta=_meta(algos, dihedral), divisions=divisions if paths else None,
                         verify_meta=False)
    return client.persist(df) if client is not None else df


def codes_from_frame(frame, algo, only_ok=True):
    """(paths, codes): the paths and the (N, bytes) uint8 hash array of one
    algorithm from a hash_corpus dataframe (dask or pandas; computed here)."""
    if hasattr(frame, "compute"):
        frame = frame[["path", "ok", algo]].compute()
    if only_ok:
        frame = frame[frame["ok"]]
    hexes = list(frame[algo])
    size = len(hexes[0]) // 2 if hexes else 32
    codes = np.frombuffer(bytes.fromhex("".join(hexes)), np.uint8).reshape(len(hexes), size)
    if algo == "pdq_dihedral":
        codes = codes.reshape(len(hexes), 8, 32)
    return list(frame["path"]), codes.copy()


def _tile_task(bi, bj, a, ga, first_a, b, gb, first_b, code_bytes, dihedral):
    """One tile of the pair matrix on a worker: returns the tile's histogram
    and both sides' nearest neighbours (global indices)."""
    from hashmatch import _hashmatch as c

    hist = np.zeros(8 * code_bytes + 1, np.uint64)
    na = np.full(len(a), c.NONE, np.uint16)
    ia = np.full(len(a), -1, np.int64)
    side_b = None
    if b is not None:
        nb = np.full(len(b), c.NONE, np.uint16)
        ib = np.full(len(b), -1, np.int64)
        side_b = (b, gb, first_b, nb, ib)
    c.pairs_tile((a, ga, first_a, na, ia), side_b, code_bytes, dihedral, hist)
    return bi, bj, hist, na, ia, (side_b[3] if side_b else None), (side_b[4] if side_b else None)


def pair_stats(codes, client, *, algo=None, groups=None, dihedral=None, tile=None):
    """All-pairs statistics computed in tiles on the cluster; equal to
    hashmatch.pair_stats(codes, groups=groups) exactly.

    codes: an (N, 8) or (N, 32) uint8 array ((N, 8, 32) for pdq_dihedral) or
    a hash_corpus dataframe with algo= naming the column. groups: one label
    per image (or None). tile: images per block (default: enough tiles for
    about four per worker thread, at least 2048 images per block)."""
    if not isinstance(codes, np.ndarray):
        if algo is None:
            raise ValueError("give algo= with a dataframe")
        _, codes = codes_from_frame(codes, algo)
    if dihedral is None:
        dihedral = algo == "pdq_dihedral" or codes.ndim == 3
    c, cb = hashmatch._pair_codes(codes, dihedral)
    n = len(c)
    g = hashmatch._groups(groups, n)
    if tile is None:
        slots = max(1, sum(client.nthreads().values()))
        tile = max(2048, math.ceil(n / max(1, math.isqrt(8 * slots))))
    nb = max(1, math.ceil(n / tile))
    blocks = [c[k * tile:(k + 1) * tile] for k in range(nb)]
    gblocks = [None if g is None else g[k * tile:(k + 1) * tile] for k in range(nb)]
    fut = client.scatter(blocks)
    gfut = client.scatter(gblocks) if g is not None else [None] * nb
    tasks = [client.submit(_tile_task, bi, bj, fut[bi], gfut[bi], bi * tile,
                           None if bi == bj else fut[bj], None if bi == bj else gfut[bj], bj * tile,
                           cb, bool(dihedral), pure=False)
             for bi in range(nb) for bj in range(bi, nb)]
    st = hashmatch.PairStats(8 * cb, n)
    from distributed import as_completed

    for f in as_completed(tasks):
        bi, bj, hist, na, ia, nbr, ib = f.result()
        _c.hist_merge(st.histogram, hist)
        i0, j0 = bi * tile, bj * tile
        _c.nearest_merge(st._near[i0:i0 + len(na)], st._index[i0:i0 + len(na)], na, ia)
        if nbr is not None:
            _c.nearest_merge(st._near[j0:j0 + len(nbr)], st._index[j0:j0 + len(nbr)], nbr, ib)
        f.release()
    return st
