"""The worked example of docs/PYTHON.md runs and draws its figure."""
import subprocess
import sys

from PIL import Image


def test_fpr_histogram_example(repo, tmp_path):
    out = tmp_path / "fpr.png"
    r = subprocess.run([sys.executable, str(repo / "python/examples/fpr_histogram.py"),
                        str(repo / "demo/images"), str(repo / "demo/inbox"), "-o", str(out)],
                       capture_output=True, text=True, check=True)
    assert "pdq: 9 images, 36 pairs" in r.stdout and "closest pairs" in r.stdout
    assert "inbox/canal-copy.jpg" in r.stdout
    with Image.open(out) as im:
        assert im.size[0] > 600 and im.size[1] > 200
