"""Shared fixtures: the repository, the reference vectors (../shared/vectors
or $HM_VECTORS_DIR; tests that need them skip without them) and images the
tests make."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))  # imagehash_port


def vectors_dir():
    d = Path(os.environ.get("HM_VECTORS_DIR", REPO.parent / "shared" / "vectors"))
    return d if (d / "imagehash" / "vectors.tsv").is_file() else None


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def vectors():
    d = vectors_dir()
    if d is None:
        pytest.skip("reference vectors not found (../shared/vectors or HM_VECTORS_DIR)")
    return d


@pytest.fixture(scope="session")
def demo_images():
    return sorted(str(p) for p in (REPO / "demo" / "images").glob("*.jpg")) + \
        sorted(str(p) for p in (REPO / "demo" / "inbox").glob("*.jpg"))


def texture(w, h, seed, channels=3):
    """A smooth random picture (a few low-frequency waves) with a little noise."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(float)
    img = np.zeros((h, w, channels))
    for _ in range(6):
        fx, fy = r.uniform(-0.12, 0.12, 2)
        img += np.stack([np.cos(fx * x + fy * y + p) for p in r.uniform(0, 6.3, channels)], -1)
    img = 128 + 30 * img + r.normal(0, 4, img.shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    return out[..., 0] if channels == 1 else out


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """A dozen JPEGs and PNGs made here, an exact copy and a broken file."""
    from PIL import Image

    d = tmp_path_factory.mktemp("corpus")
    for i in range(10):
        Image.fromarray(texture(120 + 16 * i, 96 + 8 * (i % 3), 100 + i)).save(d / ("img%02d.jpg" % i), quality=90)
    Image.fromarray(texture(64, 64, 7, 1)).save(d / "grey.png")
    (d / "copy.jpg").write_bytes((d / "img00.jpg").read_bytes())
    (d / "broken.jpg").write_bytes((d / "img01.jpg").read_bytes()[:300])
    return d
