"""Hash arrays: hamming with broadcasting, radius search, pair histograms,
nearest neighbours (with indices) and pairs within a threshold, against numpy
references; shards and merges equal the whole."""
import numpy as np
import pytest

import hashmatch


def ref_dist(a, b):
    """numpy reference: popcount of XOR over the last axis."""
    return np.unpackbits(np.bitwise_xor(a, b), axis=-1).sum(-1, dtype=np.int64)


def random_codes(n, nbytes, seed, copies=True):
    r = np.random.default_rng(seed)
    c = r.integers(0, 256, (n, nbytes), dtype=np.uint8)
    if copies:  # exact and near copies: ties and small distances
        for i in range(1, n, 3):
            c[i] = c[r.integers(0, i)]
            c[i, r.integers(0, nbytes)] ^= np.uint8(1 << r.integers(0, 8))
        c[n // 2] = c[0]
    return c


@pytest.mark.parametrize("nbytes", [8, 32])
def test_hamming_broadcasting(nbytes):
    a, b = random_codes(50, nbytes, 1), random_codes(50, nbytes, 2)
    assert (hashmatch.hamming(a, b) == ref_dist(a, b)).all()
    assert (hashmatch.hamming(a[3], b) == ref_dist(a[3], b)).all()
    outer = hashmatch.hamming(a[:, None, :], b[None, :20, :])
    assert outer.shape == (50, 20) and outer.dtype == np.int32
    assert (outer == ref_dist(a[:, None, :], b[None, :20, :])).all()
    assert hashmatch.hamming(a[0], b[0]) == int(ref_dist(a[0], b[0]))
    s = a[::2]  # non-contiguous rows
    assert (hashmatch.hamming(s, b[:25]) == ref_dist(s, b[:25])).all()
    with pytest.raises(ValueError):
        hashmatch.hamming(a, b[:, :4])


def ref_pairs(c, groups=None):
    n, bits = len(c), 8 * c.shape[1]
    d = ref_dist(c[:, None, :], c[None, :, :])
    valid = ~np.eye(n, dtype=bool)
    if groups is not None:
        g = np.asarray(groups)
        valid &= g[:, None] != g[None, :]
    iu = np.triu_indices(n, 1)
    hist = np.bincount(d[iu][valid[iu]], minlength=bits + 1)
    dm = np.where(valid, d, 10 ** 6)
    near = dm.min(1)
    idx = np.where(near < 10 ** 6, np.argmin(dm, 1), -1)  # argmin: first (smallest) index
    near = np.where(near < 10 ** 6, near, -1)
    return hist, near, idx, d, valid


@pytest.mark.parametrize("nbytes", [8, 32])
@pytest.mark.parametrize("grouped", [False, True])
def test_pair_stats_equal_numpy(nbytes, grouped):
    c = random_codes(600, nbytes, 3 + nbytes)
    groups = np.random.default_rng(5).integers(0, 250, 600) if grouped else None
    hist, near, idx, _, _ = ref_pairs(c, groups)
    for threads, block in ((1, 0), (2, 0), (3, 37), (2, 600)):
        st = hashmatch.pair_stats(c, groups=groups, threads=threads, block=block)
        assert (st.histogram == hist).all() and st.pairs == hist.sum()
        assert (st.nearest == near).all() and (st.nearest_index == idx).all()
    assert (hashmatch.pairwise_histogram(c, groups=groups) == hist).all()
    d, i = hashmatch.nearest(c, groups=groups)
    assert (d == near).all() and (i == idx).all()
    # shards merged as `eval merge` does equal the whole
    parts = [hashmatch.pair_stats(c, groups=groups, shard=(s, 4), block=50) for s in range(4)]
    m = parts[3]
    for p in parts[:3]:
        m.merge(p)
    assert (m.histogram == hist).all() and (m.nearest_index == idx).all()
    # rates
    fpr = st.fpr()
    assert fpr[-1] == 1.0 and np.allclose(fpr, np.cumsum(hist) / hist.sum())
    img = st.image_fpr()
    assert np.allclose(img, [(near[near >= 0] <= t).sum() / 600 for t in range(8 * nbytes + 1)])


def test_string_groups_and_dihedral():
    c = random_codes(60, 32, 9)
    labels = ["g%d" % (i // 3) for i in range(60)]
    h1 = hashmatch.pairwise_histogram(c, groups=labels)
    h2 = hashmatch.pairwise_histogram(c, groups=np.arange(60) // 3)
    assert (h1 == h2).all() and h1.sum() == 60 * 59 // 2 - 20 * 3
    # dihedral codes: 8 hashes per image; all 8 equal to the original gives
    # the plain distances
    d8 = np.repeat(c[:, None, :], 8, axis=1)
    assert (hashmatch.pairwise_histogram(d8, dihedral=True) == hashmatch.pairwise_histogram(c)).all()


@pytest.mark.parametrize("nbytes", [8, 32])
def test_radius_search_equals_numpy(nbytes):
    db = random_codes(3000, nbytes, 11)
    q = db[np.random.default_rng(1).integers(0, 3000, 21)].copy()
    q[:, 0] ^= 0x0F
    radius = 14 if nbytes == 8 else 40
    hits = hashmatch.radius_search(q, db, radius, threads=2)
    d = ref_dist(q[:, None, :], db[None, :, :])
    qi, ei = np.nonzero(d <= radius)
    assert len(hits) == len(qi) >= 21
    assert (hits["query"] == qi).all() and (hits["entry"] == ei).all()
    assert (hits["distance"] == d[qi, ei]).all()
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.radius_search(q, db, 8 * nbytes, max_hits=100)
    assert e.value.status == "limit"


def test_pairs_within_equals_numpy():
    c = random_codes(400, 8, 12)
    _, _, _, d, valid = ref_pairs(c)
    a, b = np.nonzero(np.triu(valid & (d <= 12), 1))
    p = hashmatch.pairs_within(c, 12)
    assert (p["a"] == a).all() and (p["b"] == b).all() and (p["distance"] == d[a, b]).all()
