#!/usr/bin/python3
"""Times imagehash's four hashes as Pillow + numpy/scipy/pywt compute them against
hashmatch on the same images, in one run, and checks that both give the same bits.

The Python side reimplements imagehash 4.3.2's average_hash, dhash, phash and whash
(defaults: hash_size 8) on Debian's python3-pil, numpy, scipy and pywt (imagehash
itself is not packaged in Debian). Each hash starts from the decoded image, as
imagehash does: image.convert("L").resize(..., LANCZOS), then numpy.

The hashmatch side is measured through the public C API of the shared library
(ctypes): hm_image_load (decode), hm_hash_image with one algorithm (the time per
hash after decoding, the luma pass included each time), hm_hash_image with all
four (one luma pass) and hm_hash_file with all four (one read, one decode, one
luma pass). Pillow's side of "all four after decoding" is the sum of the four
functions, each converting to L itself as imagehash does. If `hashmatch bench hash --json` is
available its output is attached as well.

Run with Debian's interpreter:
    /usr/bin/python3 bench/pillow_imagehash.py [--build build/rel] [--repeat 3] [--cpu-time]
                                               [FILES...]
Without FILES it uses ../shared/vectors/imagehash/images. Prints JSON.
"""
import argparse
import ctypes
import glob
import json
import os
import statistics
import subprocess
import sys
import time

import numpy
import pywt
import scipy.fftpack
from PIL import Image

LANCZOS = Image.LANCZOS
ALGOS = ("ahash", "dhash", "phash", "whash")
ALGO_ID = {"ahash": 2, "dhash": 3, "phash": 4, "whash": 5}


# ---- imagehash 4.3.2, reimplemented on the same libraries ----

def _hex(bits):
    s = "".join("1" if b else "0" for b in bits.flatten())
    return "{:0>{w}x}".format(int(s, 2), w=(len(s) + 3) // 4)


def average_hash(image, hash_size=8):
    image = image.convert("L").resize((hash_size, hash_size), LANCZOS)
    pixels = numpy.asarray(image)
    return _hex(pixels > pixels.mean())


def dhash(image, hash_size=8):
    image = image.convert("L").resize((hash_size + 1, hash_size), LANCZOS)
    pixels = numpy.asarray(image)
    return _hex(pixels[:, 1:] > pixels[:, :-1])


def phash(image, hash_size=8, highfreq_factor=4):
    img_size = hash_size * highfreq_factor
    image = image.convert("L").resize((img_size, img_size), LANCZOS)
    pixels = numpy.asarray(image)
    dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
    low = dct[:hash_size, :hash_size]
    return _hex(low > numpy.median(low))


def whash(image, hash_size=8, mode="haar"):
    image_scale = max(2 ** int(numpy.log2(min(image.size))), hash_size)
    ll_max_level = int(numpy.log2(image_scale))
    dwt_level = ll_max_level - int(numpy.log2(hash_size))
    image = image.convert("L").resize((image_scale, image_scale), LANCZOS)
    pixels = numpy.asarray(image) / 255.0
    coeffs = list(pywt.wavedec2(pixels, mode, level=ll_max_level))
    coeffs[0] *= 0
    pixels = pywt.waverec2(coeffs, mode)
    low = pywt.wavedec2(pixels, mode, level=dwt_level)[0]
    return _hex(low > numpy.median(low))


PY_HASH = {"ahash": average_hash, "dhash": dhash, "phash": phash, "whash": whash}


# ---- hashmatch through ctypes ----

class HmHashes(ctypes.Structure):
    _fields_ = [("algos", ctypes.c_uint32), ("width", ctypes.c_uint32),
                ("height", ctypes.c_uint32), ("pdq", ctypes.c_uint8 * 32),
                ("pdq_quality", ctypes.c_int), ("has_pdq_dihedral", ctypes.c_int),
                ("pdq_dihedral", (ctypes.c_uint8 * 32) * 8),
                ("ahash", ctypes.c_uint8 * 8), ("dhash", ctypes.c_uint8 * 8),
                ("phash", ctypes.c_uint8 * 8), ("whash", ctypes.c_uint8 * 8),
                ("md5", ctypes.c_uint8 * 16), ("sha1", ctypes.c_uint8 * 20),
                ("sha256", ctypes.c_uint8 * 32)]


class HmDecodeOptions(ctypes.Structure):
    _fields_ = [("max_pixels", ctypes.c_uint64), ("apply_exif_orientation", ctypes.c_int)]


class HmHashOptions(ctypes.Structure):
    _fields_ = [("algos", ctypes.c_uint32), ("pdq_mode", ctypes.c_int),
                ("pdq_dihedral", ctypes.c_int), ("decode", HmDecodeOptions)]


def load_library(build):
    lib = ctypes.CDLL(os.path.join(build, "lib", "libhashmatch.so"))
    lib.hm_image_load.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                  ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    lib.hm_image_free.argtypes = [ctypes.c_void_p]
    lib.hm_hash_image.argtypes = [ctypes.c_void_p, ctypes.POINTER(HmHashOptions),
                                  ctypes.POINTER(HmHashes), ctypes.c_void_p]
    lib.hm_hash_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(HmHashOptions),
                                 ctypes.POINTER(HmHashes), ctypes.c_void_p]
    return lib


def mask(algos):
    m = 0
    for a in algos:
        m |= 1 << ALGO_ID[a]
    return m


CLOCK = time.perf_counter  # --cpu-time: time.process_time (both sides run on one thread)


def best_of(repeat, fn):
    best = float("inf")
    for _ in range(repeat):
        t = CLOCK()
        fn()
        best = min(best, CLOCK() - t)
    return best * 1e3


def time_hashmatch(lib, path, repeat):
    bpath = path.encode()
    img = ctypes.c_void_p()

    def decode():
        if lib.hm_image_load(bpath, None, ctypes.byref(img), None) != 0:
            raise RuntimeError("hashmatch cannot decode " + path)
        lib.hm_image_free(img)

    out = {"decode_ms": best_of(repeat, decode)}
    if lib.hm_image_load(bpath, None, ctypes.byref(img), None) != 0:
        raise RuntimeError("hashmatch cannot decode " + path)
    res = HmHashes()
    for a in ALGOS:
        opt = HmHashOptions(algos=mask([a]))
        out[a + "_ms"] = best_of(repeat, lambda: lib.hm_hash_image(img, ctypes.byref(opt),
                                                                     ctypes.byref(res), None))
    opt = HmHashOptions(algos=mask(ALGOS))
    out["all4_after_decode_ms"] = best_of(repeat, lambda: lib.hm_hash_image(
        img, ctypes.byref(opt), ctypes.byref(res), None))
    lib.hm_image_free(img)
    out["all4_from_file_ms"] = best_of(repeat, lambda: lib.hm_hash_file(
        bpath, ctypes.byref(opt), ctypes.byref(res), None))
    out["hashes"] = {a: bytes(getattr(res, a)).hex() for a in ALGOS}
    return out


def time_pillow(path, repeat):
    def decode():
        im = Image.open(path)
        im.load()
        return im

    out = {"decode_ms": best_of(repeat, decode)}
    im = decode()
    out["hashes"] = {}
    for a in ALGOS:
        out[a + "_ms"] = best_of(repeat, lambda: PY_HASH[a](im))
        out["hashes"][a] = PY_HASH[a](im)

    def everything():
        im2 = decode()
        for a in ALGOS:
            PY_HASH[a](im2)

    out["all4_from_file_ms"] = best_of(repeat, everything)
    return out


def hashmatch_bench(build, files, cpu_time):
    exe = os.path.join(build, "hashmatch")
    try:
        p = subprocess.run([exe, "bench", "hash", "--json"] + (["--cpu-time"] if cpu_time else []) +
                       files, capture_output=True,
                           text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"available": False, "error": str(e)}
    if p.returncode != 0:
        return {"available": False, "error": p.stderr.strip()[:300]}
    try:
        return {"available": True, "output": json.loads(p.stdout)}
    except ValueError:
        return {"available": True, "output_text": p.stdout[:20000]}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build", "rel"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpu-time", action="store_true",
                    help="time with the process CPU clock instead of the wall clock "
                         "(steadier on a shared machine)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.process_time
    files = args.files
    if not files:
        base = os.path.join(root, "..", "shared", "vectors", "imagehash", "images")
        files = sorted(f for f in glob.glob(os.path.join(base, "**", "*"), recursive=True)
                       if os.path.isfile(f))
    if not files:
        sys.exit("no images given and ../shared/vectors not found")
    lib = load_library(args.build)

    rows, agree, ratios = [], 0, {k: [] for k in ALGOS + ("all4_after_decode", "all4_with_decode")}
    for f in files:
        hm = time_hashmatch(lib, f, args.repeat)
        py = time_pillow(f, args.repeat)
        with Image.open(f) as im:
            size = im.size
        same = {a: hm["hashes"][a] == py["hashes"][a] for a in ALGOS}
        agree += sum(same.values())
        ratio = {a: py[a + "_ms"] / hm[a + "_ms"] for a in ALGOS}
        ratio["all4_after_decode"] = (sum(py[a + "_ms"] for a in ALGOS) /
                                      hm["all4_after_decode_ms"])
        ratio["all4_with_decode"] = py["all4_from_file_ms"] / hm["all4_from_file_ms"]
        for k, v in ratio.items():
            ratios[k].append(v)
        rows.append({"file": os.path.relpath(f, root), "size": list(size),
                     "pillow_numpy": {k: v for k, v in py.items() if k != "hashes"},
                     "hashmatch": {k: v for k, v in hm.items() if k != "hashes"},
                     "ratio": ratio, "same_hashes": same})
    summary = {
        "images": len(rows),
        "hashes_equal": "%d/%d" % (agree, 4 * len(rows)),
        "ratio_median": {k: statistics.median(v) for k, v in ratios.items()},
        "ratio_min": {k: min(v) for k, v in ratios.items()},
    }
    big = [r for r in rows if r["size"][0] * r["size"][1] >= 1000000]
    if big:
        summary["ratio_median_1mp_and_up"] = {
            k: statistics.median(r["ratio"][k] for r in big) for k in ratios}
    result = {
        "baseline": "Pillow %s, numpy %s, scipy %s, pywt %s (Debian), python %s" % (
            Image.__version__, numpy.__version__, scipy.__version__, pywt.__version__,
            sys.version.split()[0]),
        "method": "best of %d (%s); per-hash times start from a decoded image; "
                  "all4_after_decode = the four hashes of a decoded image; "
                  "all4_with_decode = read + decode + the four hashes" % (
                      args.repeat, "process CPU time" if args.cpu_time else "wall clock"),
        "summary": summary,
        "images": rows,
        "hashmatch_bench_hash": hashmatch_bench(args.build, files, args.cpu_time),
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0 if agree == 4 * len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
