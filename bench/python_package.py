#!/usr/bin/python3
"""Benchmarks the Python package against its two references, in one run:

1. Per-image overhead of the package over the C command-line tool on the same
   files: `hashmatch hash -j 1 --json` over N copies of a file in one process
   (the tool's per-image time: read, decode, every hash, JSON out) against N
   calls of hashmatch.hash_file in one Python process (the same work plus the
   call and the result object). Process start-up is measured separately (the
   tool run on one copy) and subtracted. Target: under 5 % for a 1 MP JPEG.
2. The batch form against imagehash's computation on Pillow: Image.open and
   imagehash 4.3.2's aHash, dHash, pHash and wHash as bench/pillow_imagehash.py
   reimplements them on Debian's Pillow/numpy/scipy/pywt (imagehash itself is
   not packaged), against hashmatch.hash_files(paths, "ahash,dhash,phash,whash")
   on one thread (like Pillow) and on every CPU. The hashes are compared too.

Run with Debian's interpreter after installing the package:
    /usr/bin/python3 bench/python_package.py [--cli build/release/hashmatch]
        [--repeat 5] [--copies 50] [FILES...]
Without FILES it makes a 1000x1000 (1.0 MP) JPEG and uses the imagehash
reference images (../shared/vectors/imagehash) when present. Prints JSON.
Wall-clock times, best of --repeat, the two sides interleaved: on a busy
machine the ratios are what to read.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

import hashmatch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pillow_imagehash as ref  # noqa: E402  (the imagehash port of bench/)

ROOT = os.path.dirname(HERE)
ALGOS = ("ahash", "dhash", "phash", "whash")


def best(repeat, fn):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def one_megapixel_jpeg(directory):
    r = np.random.default_rng(1)
    y, x = np.mgrid[0:1000, 0:1000].astype(float)
    img = sum(np.stack([np.cos(fx * x + fy * y + p) for p in r.uniform(0, 6.3, 3)], -1)
              for fx, fy in r.uniform(-0.05, 0.05, (6, 2)))
    px = np.clip(128 + 25 * img + r.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
    path = os.path.join(directory, "texture-1mp.jpg")
    Image.fromarray(px).save(path, quality=90)
    return path


def cli_per_image(cli, path, copies, repeat, workdir):
    """Seconds per image of the C tool, start-up subtracted."""
    links = []
    for k in range(copies):
        p = os.path.join(workdir, "copy%03d%s" % (k, os.path.splitext(path)[1]))
        if not os.path.exists(p):
            shutil.copyfile(path, p)
        links.append(p)

    def run(files):
        subprocess.run([cli, "hash", "-q", "-j", "1", "--json"] + files, check=True,
                       stdout=subprocess.DEVNULL)

    one = best(repeat, lambda: run(links[:1]))
    many = best(repeat, lambda: run(links))
    return (many - one) / (copies - 1), links


def python_per_image(links, repeat):
    def loop():
        for p in links[1:]:
            hashmatch.hash_file(p)

    return best(repeat, loop) / (len(links) - 1)


def overhead(cli, files, copies, repeat):
    rows = []
    work = tempfile.mkdtemp(prefix="hm-bench-")
    try:
        for f in files:
            sub = tempfile.mkdtemp(dir=work)
            c, links = cli_per_image(cli, f, copies, repeat, sub)
            p = python_per_image(links, repeat)
            c2, _ = cli_per_image(cli, f, copies, repeat, sub)  # interleaved: C again
            c = min(c, c2)
            with Image.open(f) as im:
                size = im.size
            rows.append({"file": os.path.relpath(f, ROOT) if f.startswith(ROOT) else os.path.basename(f),
                         "size": list(size), "megapixels": size[0] * size[1] / 1e6,
                         "cli_ms_per_image": c * 1e3, "python_ms_per_image": p * 1e3,
                         "overhead_percent": 100 * (p / c - 1)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def fixed_cost(repeat):
    """Microseconds of one whole hash_bytes call on a 4x4 PNG: an upper bound
    of what the package adds per call (argument parsing, GIL release, the
    result object), with the C work of so small an image included."""
    import io

    buf = io.BytesIO()
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3)).save(buf, "PNG")
    data = buf.getvalue()
    n = 2000

    def loop():
        for _ in range(n):
            hashmatch.hash_bytes(data)

    return best(repeat, loop) / n * 1e6


def pillow_batch(paths):
    out = []
    for p in paths:
        with Image.open(p) as im:
            im.load()
            out.append(tuple(ref.PY_HASH[a](im) for a in ALGOS))
    return out


def batch(paths, repeat):
    threads = os.cpu_count() or 1
    res = {}

    def hm(th):
        return hashmatch.hash_files(paths, ALGOS, threads=th)

    rows = hm(1)
    pil = pillow_batch(paths)
    same = sum(tuple(bytes(r[a]).hex() for a in ALGOS) == h for r, h in zip(rows, pil))
    t_pil, t_one, t_all = [], [], []
    for _ in range(repeat):  # interleaved
        t_pil.append(best(1, lambda: pillow_batch(paths)))
        t_one.append(best(1, lambda: hm(1)))
        t_all.append(best(1, lambda: hm(threads)))
    res["images"] = len(paths)
    res["hashes_equal"] = "%d/%d" % (4 * same, 4 * len(paths))
    res["pillow_imagehash_s"] = min(t_pil)
    res["hashmatch_1_thread_s"] = min(t_one)
    res["hashmatch_%d_threads_s" % threads] = min(t_all)
    res["ratio_1_thread"] = min(t_pil) / min(t_one)
    res["ratio_all_threads"] = min(t_pil) / min(t_all)
    res["note"] = ("Pillow+numpy+scipy+pywt run on one thread; ratio_all_threads gives hashmatch "
                   "every CPU (%d) and the baseline one" % threads)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "release", "hashmatch"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=40)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hm-bench-img-")
    try:
        files = args.files or [one_megapixel_jpeg(tmp)]
        vectors = sorted(f for f in glob.glob(os.path.join(ROOT, "..", "shared", "vectors", "imagehash",
                                                            "images", "**", "*"), recursive=True)
                         if os.path.isfile(f))
        batch_files = args.files or vectors or files * 20
        result = {
            "hashmatch": hashmatch.__version__,
            "cpu": hashmatch.cpu_info(),
            "python": sys.version.split()[0],
            "baseline": "Pillow %s, numpy %s (Debian)" % (Image.__version__, np.__version__),
            "method": "wall clock, best of %d, sides interleaved" % args.repeat,
        }
        result["fixed_cost_us_per_call"] = fixed_cost(args.repeat)
        if os.access(args.cli, os.X_OK):
            result["overhead_over_cli"] = overhead(args.cli, files, args.copies, args.repeat)
            for row in result["overhead_over_cli"]:
                row["fixed_cost_percent"] = 100 * result["fixed_cost_us_per_call"] / (1e3 * row["cli_ms_per_image"])
        else:
            result["overhead_over_cli"] = "skipped: %s not built (--cli)" % args.cli
        result["batch_vs_pillow_imagehash"] = batch(batch_files, args.repeat)
        big = [r for r in batch_files if os.path.isfile(r)]
        result["batch_vs_pillow_imagehash"]["files"] = "imagehash reference images" if vectors and not args.files \
            else "%d files" % len(big)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
