"""hashmatch.dask on a LocalCluster of two worker processes: the hashes of
a corpus made here and the tiled pair statistics equal the single-process
results exactly."""
import numpy as np
import pytest

import hashmatch
import hashmatch.eval as ev

distributed = pytest.importorskip("distributed")
hmd = pytest.importorskip("hashmatch.dask")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_hash_corpus_equals_local(client, corpus_dir, demo_images):
    paths = ev.list_images([corpus_dir]) + demo_images
    df = hmd.hash_corpus(paths, client, partition_size=4)
    assert df.npartitions == (len(paths) + 3) // 4
    got = df.compute()
    want = hashmatch.to_dataframe(hashmatch.hash_files(paths))
    assert got.equals(want)
    assert list(got.index) == list(range(len(paths)))
    assert (~got["ok"]).sum() == 1  # broken.jpg
    # the same pair statistics from the dataframe as from the local hashes
    p, codes = hmd.codes_from_frame(df, "pdq")
    assert (codes == hashmatch.codes(hashmatch.hash_files(paths, "pdq"), "pdq")).all()
    st = hmd.pair_stats(df, client, algo="pdq", tile=5)
    ref = hashmatch.pair_stats(codes)
    assert (st.histogram == ref.histogram).all()
    assert (st.nearest == ref.nearest).all() and (st.nearest_index == ref.nearest_index).all()


@pytest.mark.parametrize("nbytes,groups", [(32, False), (8, True)])
def test_tiled_pairs_equal_local(client, nbytes, groups):
    r = np.random.default_rng(nbytes)
    codes = r.integers(0, 256, (3000, nbytes), dtype=np.uint8)
    codes[100:140] = codes[5]           # ties across tiles
    codes[2990:] = codes[7]
    g = r.integers(0, 900, 3000) if groups else None
    st = hmd.pair_stats(codes, client, groups=g, tile=467)
    ref = hashmatch.pair_stats(codes, groups=g)
    assert (st.histogram == ref.histogram).all() and st.pairs == ref.pairs
    assert (st.nearest == ref.nearest).all()
    assert (st.nearest_index == ref.nearest_index).all()


def test_dihedral_tiles(client):
    r = np.random.default_rng(3)
    d = r.integers(0, 256, (300, 8, 32), dtype=np.uint8)
    d[50] = d[9]
    st = hmd.pair_stats(d, client, tile=64)
    ref = hashmatch.pair_stats(d, dihedral=True)
    assert (st.histogram == ref.histogram).all() and (st.nearest_index == ref.nearest_index).all()
