"""imagehash 4.3.2's four hashes with their defaults, on Pillow, numpy, scipy
and pywt: the independent reference of the PIL tests (imagehash itself is not
a Debian package). The lines follow imagehash/__init__.py: each function
converts the PIL image to mode L and resizes it with Pillow, then computes
with numpy, scipy.fftpack and pywt exactly as imagehash does."""
import numpy
import pywt
import scipy.fftpack
from PIL import Image

ANTIALIAS = Image.LANCZOS


def _hex(diff):
    bit_string = "".join(str(b) for b in 1 * diff.flatten())
    width = int(numpy.ceil(len(bit_string) / 4))
    return "{:0>{width}x}".format(int(bit_string, 2), width=width)


def average_hash(image, hash_size=8):
    image = image.convert("L").resize((hash_size, hash_size), ANTIALIAS)
    pixels = numpy.asarray(image)
    return _hex(pixels > numpy.mean(pixels))


def dhash(image, hash_size=8):
    image = image.convert("L").resize((hash_size + 1, hash_size), ANTIALIAS)
    pixels = numpy.asarray(image)
    return _hex(pixels[:, 1:] > pixels[:, :-1])


def phash(image, hash_size=8, highfreq_factor=4):
    img_size = hash_size * highfreq_factor
    image = image.convert("L").resize((img_size, img_size), ANTIALIAS)
    pixels = numpy.asarray(image)
    dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
    dctlowfreq = dct[:hash_size, :hash_size]
    return _hex(dctlowfreq > numpy.median(dctlowfreq))


def whash(image, hash_size=8):
    image_natural_scale = 2 ** int(numpy.log2(min(image.size)))
    image_scale = max(image_natural_scale, hash_size)
    ll_max_level = int(numpy.log2(image_scale))
    level = int(numpy.log2(hash_size))
    dwt_level = ll_max_level - level
    image = image.convert("L").resize((image_scale, image_scale), ANTIALIAS)
    pixels = numpy.asarray(image) / 255.0
    coeffs = list(pywt.wavedec2(pixels, "haar", level=ll_max_level))
    coeffs[0] *= 0
    pixels = pywt.waverec2(coeffs, "haar")
    coeffs = pywt.wavedec2(pixels, "haar", level=dwt_level)
    dwt_low = coeffs[0]
    return _hex(dwt_low > numpy.median(dwt_low))


HASHES = {"ahash": average_hash, "dhash": dhash, "phash": phash, "whash": whash}
