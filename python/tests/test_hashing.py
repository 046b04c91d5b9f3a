"""hash_file, hash_bytes, hash_pixels and the batch hash_files: checked
against the README's published hashes, each other, Pillow's decode and
hashlib, for every array layout, and errors as exceptions or rows."""
import hashlib
import threading

import numpy as np
import pytest
from PIL import Image

import hashmatch
from conftest import texture


def test_readme_hashes(repo):
    """The README's demo output (hashmatch hash --algo pdq,phash,sha256)."""
    h = hashmatch.hash_file(repo / "demo/images/bridge.jpg", "pdq,phash,sha256")
    assert str(h.pdq) == "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    assert h.pdq_quality == 100
    assert str(h.phash) == "aca29c1c33dc23d7"
    assert str(h.sha256) == "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298"
    assert h.ahash is None and "ahash" not in h and set(h) == {"pdq", "phash", "sha256"}


def test_digests_equal_hashlib(demo_images):
    for p in demo_images:
        data = open(p, "rb").read()
        h = hashmatch.hash_bytes(data)
        assert str(h.md5) == hashlib.md5(data).hexdigest()
        assert str(h.sha1) == hashlib.sha1(data).hexdigest()
        assert bytes(h.sha256) == hashlib.sha256(data).digest()
        assert h == hashmatch.hash_file(p)
        assert (h.width, h.height) == Image.open(p).size


def test_pixels_equal_file(demo_images):
    """Pillow decodes these JPEGs exactly as hashmatch does, so hashing
    Pillow's pixels gives the file's perceptual hashes."""
    for p in demo_images:
        f = hashmatch.hash_file(p, hashmatch.PERCEPTUAL)
        px = np.asarray(Image.open(p).convert("RGB"))
        assert hashmatch.hash_pixels(px) == f


def test_pixel_layouts(demo_images):
    rgb = np.asarray(Image.open(demo_images[0]).convert("RGB"))
    want = hashmatch.hash_pixels(rgb)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 7, np.uint8)])
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    assert hashmatch._c.pixels_in_place(rgb)
    assert not hashmatch._c.pixels_in_place(rgba)
    assert hashmatch.hash_pixels(rgba) == want            # alpha ignored
    assert hashmatch.hash_pixels(bgr, bgr=True) == want    # OpenCV order
    assert hashmatch.hash_pixels(rgb[..., ::-1], bgr=True) == want  # a negative-stride view
    assert hashmatch.hash_pixels(np.dstack([bgr, rgba[..., 3:]]), bgr=True) == want
    assert hashmatch.hash_pixels(np.asfortranarray(rgb)) == want
    padded = np.zeros((rgb.shape[0], rgb.shape[1] + 5, 3), np.uint8)
    padded[:, :rgb.shape[1]] = rgb
    assert hashmatch.hash_pixels(padded[:, :rgb.shape[1]]) == want  # rows with padding
    grey = np.asarray(Image.open(demo_images[0]).convert("L"))
    assert hashmatch._c.pixels_in_place(grey)
    g = hashmatch.hash_pixels(grey)
    assert g == hashmatch.hash_pixels(grey[..., None])
    assert str(g.phash) == str(hashmatch.phash(Image.fromarray(grey)))
    with pytest.raises(TypeError):
        hashmatch.hash_pixels(rgb.astype(np.uint16))
    with pytest.raises(ValueError):
        hashmatch.hash_pixels(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ValueError):
        hashmatch.hash_pixels(rgb, "sha256")


def test_errors_carry_status(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 40)
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.hash_file(bad)
    assert e.value.status in ("image_truncated", "image_corrupt") and e.value.code in (22, 23)
    assert str(e.value).startswith(e.value.status + ": ")
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.hash_file(tmp_path / "missing.jpg")
    assert e.value.status == "io"
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.hash_bytes(b"not an image", "pdq")
    assert e.value.status == "image_format"
    assert str(hashmatch.hash_bytes(b"not an image", "md5").md5) == hashlib.md5(b"not an image").hexdigest()
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.hash_pixels(np.broadcast_to(np.uint8(0), (11000, 10000)))  # 110 MP, no memory
    assert e.value.status == "image_too_large"
    with pytest.raises(ValueError):
        hashmatch.hash_file(bad, "nope")


def test_options(repo):
    p = repo / "demo/images/bridge.jpg"
    d = hashmatch.hash_file(p, "pdq", dihedral=True)
    assert len(d.pdq_dihedral) == 8 and d.pdq_dihedral[0] == d.pdq
    c = hashmatch.hash_file(p, "pdq", pdq_mode="cli512")
    assert str(c.pdq) != str(d.pdq) and c.pdq - d.pdq < 32
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.hash_file(p, "pdq", max_pixels=1000)
    assert e.value.status == "image_too_large"


def test_batch_equals_single(corpus_dir):
    paths = sorted(str(p) for p in corpus_dir.iterdir())
    calls = []
    rows = hashmatch.hash_files(paths, threads=3, progress=lambda d, t: calls.append((d, t)))
    assert len(rows) == len(paths) and list(rows["path"]) == paths
    assert calls and calls[-1] == (len(paths), len(paths))
    for r in rows:
        if r["path"].endswith("broken.jpg"):
            assert not r["ok"] and r["error"] == "image_truncated" and r["message"]
            assert not r["pdq"].any()
            continue
        assert r["ok"] and r["error"] is None
        h = hashmatch.hash_file(r["path"])
        for a in hashmatch.ALGORITHMS:
            assert bytes(r[a]) == bytes(h[a]), (r["path"], a)
        assert (r["width"], r["height"], r["pdq_quality"]) == (h.width, h.height, h.pdq_quality)
    assert rows["pdq"].shape == (len(paths), 32) and rows["phash"].dtype == np.uint8
    one = hashmatch.hash_files(paths, "phash", threads=1)
    assert one.dtype.names == ("path", "ok", "error", "message", "width", "height", "phash")
    assert (one["phash"] == rows["phash"]).all()
    dih = hashmatch.hash_files(paths[:3], "pdq", dihedral=True)
    assert (dih["pdq_dihedral"][:, 0] == dih["pdq"]).all()
    codes = hashmatch.codes(rows, "pdq")
    assert codes.shape == (len(paths) - 1, 32) and codes.flags.c_contiguous
    df = hashmatch.to_dataframe(rows)
    k, broken = paths.index(str(corpus_dir / "img00.jpg")), paths.index(str(corpus_dir / "broken.jpg"))
    assert df["phash"][k] == rows["phash"][k].tobytes().hex() == str(hashmatch.hash_file(paths[k]).phash)
    assert df["pdq"][broken] is None and df["error"][broken] == "image_truncated"


def test_batch_progress_exception_stops(corpus_dir):
    paths = [str(corpus_dir / "img00.jpg")] * 200

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        hashmatch.hash_files(paths, "phash", threads=2, progress=stop)


def test_gil_released(demo_images):
    """Another Python thread keeps running while C hashes."""
    big = np.ascontiguousarray(np.tile(texture(400, 300, 1), (6, 6, 1)))
    ticks = []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(1)

    t = threading.Thread(target=counter)
    t.start()
    try:
        for _ in range(3):
            hashmatch.hash_pixels(big)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 1000
