#!/usr/bin/python3
"""The worked example of docs/PYTHON.md: load a corpus, compute the
false-positive histograms of PDQ and pHash over every pair of different
images, print the rates at common thresholds and the closest pairs, and draw
the histograms with matplotlib (log y axis: the tail that sets the
false-positive rate is invisible on a linear one).

    /usr/bin/python3 python/examples/fpr_histogram.py CORPUS_DIR... [-o fpr.png]

docs/python-fpr.png is this script's figure for the public corpus:
    python/examples/fpr_histogram.py ~/.cache/hashmatch/corpus/images -o docs/python-fpr.png
"""
import argparse
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import hashmatch.eval as ev  # noqa: E402

THRESHOLD = {"pdq": 31, "phash": 10}  # what deployments commonly use


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="+", help="image files and directories")
    ap.add_argument("-o", "--output", default="fpr.png")
    args = ap.parse_args()

    corpus = ev.load_corpus(args.corpus, ["pdq", "phash"])  # each image decoded once
    print(corpus)
    results = ev.fpr(corpus)                                 # every pair, exactly

    for algo, r in results.items():
        print("\n%s: %d images, %d pairs" % (algo, r.images, r.pairs))
        rows = r.rates([0, 8, 16, 31, 48, 64, 90] if r.bits == 256 else [0, 4, 8, 10, 12, 16, 22])
        print(rows[["threshold", "pairs_within", "fpr", "images_within", "image_fpr"]].to_string(index=False))
        near = r.per_image().sort_values("nearest", kind="stable").head(3)
        base = os.path.commonpath(corpus.paths)  # shorter paths to print
        for col in ("path", "nearest_path"):
            near[col] = [os.path.relpath(p, base) for p in near[col]]
        print("closest pairs:\n" + near[["nearest", "path", "nearest_path"]].to_string(index=False))

    fig, axes = plt.subplots(1, len(results), figsize=(9.5, 3.4), constrained_layout=True)
    for ax, (algo, r) in zip(np.atleast_1d(axes), results.items()):
        frac = r.histogram / max(r.pairs, 1)
        d = np.arange(r.bits + 1)
        ax.bar(d[frac > 0], frac[frac > 0], width=1.0, color="#1f77b4")
        ax.set_yscale("log")
        ax.axvline(THRESHOLD[algo] + 0.5, color="k", linestyle="--", linewidth=1)
        ax.text(THRESHOLD[algo] + 2, ax.get_ylim()[1] * 0.3, "t = %d" % THRESHOLD[algo])
        ax.set_xlim(-0.5, r.bits + 0.5)
        ax.set_xlabel("Hamming distance (bits)")
        ax.set_ylabel("fraction of pairs (log scale)")
        ax.set_title("%s: %s pairs of %d images" % (algo, format(r.pairs, ","), r.images), fontsize=10)
    fig.savefig(args.output, dpi=90)
    print("\nwrote", args.output)


if __name__ == "__main__":
    main()
