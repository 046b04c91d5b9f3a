/*
 * hashmatch.h - client-side hash matching: decode an image, hash it (PDQ, the
 * imagehash family, MD5/SHA-1/SHA-256), and match the hashes against a signed,
 * versioned fingerprint set.
 *
 * This is the library's only public header. Conventions:
 *   - Every symbol starts with hm_ / HM_.
 *   - Objects are opaque handles made by hm_<object>_new/_open/_load and released
 *     by hm_<object>_free, which accepts NULL.
 *   - Fallible functions return hm_status (HM_OK == 0). Those that can say more
 *     take a last argument `hm_error *err` (may be NULL) that receives the status
 *     and a human-readable message. On failure no output handle is produced and
 *     output structs are left zeroed: nothing partial is ever returned.
 *   - The library never prints, never exits and keeps no mutable global state
 *     (the CPU feature probe is computed once and cached atomically). Loaded sets
 *     and scanners are immutable and may be shared between threads.
 *   - Hashes are byte strings in their canonical (hex) order: the first byte is
 *     the first two hex digits. 64-bit imagehash values are also offered as
 *     uint64_t with the first hex digit in the most significant nibble.
 *   - ABI (docs/ABI.md): a program built against an older release of this
 *     header keeps working with a newer library. Structs that may grow are
 *     passed to the library through `*_sized` entry points that take the
 *     caller's sizeof; the functions documented here are static inline
 *     wrappers that pass it. Fields are only ever appended. Structs marked
 *     "sealed" never change size (they are embedded in other structs).
 */
#ifndef HASHMATCH_H
#define HASHMATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions, export and attribute macros                                    */
/* ------------------------------------------------------------------------ */

/* The single source of truth for the version: CMake parses these lines. */
#define HM_VERSION_MAJOR 0
#define HM_VERSION_MINOR 1
#define HM_VERSION_PATCH 0
#define HM_VERSION_STRING "0.1.0"
#define HM_VERSION_NUMBER (HM_VERSION_MAJOR * 10000 + HM_VERSION_MINOR * 100 + HM_VERSION_PATCH)

#if defined(HM_STATIC_DEFINE) || !defined(__GNUC__)
#define HM_API
#else
#define HM_API __attribute__((visibility("default")))
#endif

#if defined(__GNUC__)
#define HM_NODISCARD __attribute__((warn_unused_result))
#else
#define HM_NODISCARD
#endif

/** The library's version string, e.g. "0.1.0" (equal to HM_VERSION_STRING
 *  of the header it was built with). */
HM_API const char *hm_version(void);

/** HM_VERSION_NUMBER of the library actually linked. */
HM_API unsigned hm_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

/** Status codes. Values are pinned: they never change between releases. */
typedef enum hm_status {
    HM_OK = 0,

    /* general: 1..19 */
    HM_E_INVALID_ARGUMENT = 1, /* NULL where a value is needed, bad option */
    HM_E_NO_MEMORY = 2,        /* an allocation failed */
    HM_E_IO = 3,               /* a file could not be opened, read or written */
    HM_E_PARSE = 4,            /* malformed text: hex string, trust file, date */
    HM_E_UNSUPPORTED = 5,      /* feature not available in this build/CPU */
    HM_E_INTERNAL = 6,         /* a bug: please report it */
    HM_E_CRYPTO = 7,           /* the crypto library failed unexpectedly */
    HM_E_LIMIT = 8,            /* a configured resource limit was reached */
    HM_E_NOT_REGULAR_FILE = 10, /* a directory, FIFO, device, socket, or a symbolic link not followed */
    HM_E_FILE_TOO_LARGE = 11,   /* a file larger than the configured limit (max_file_bytes) */
    HM_E_DIRECTORY_LOOP = 12,   /* a directory walk came back to a directory it is inside */

    /* images: 20..39 */
    HM_E_IMAGE_EMPTY = 20,       /* zero-length input */
    HM_E_IMAGE_FORMAT = 21,      /* not a JPEG/PNG/GIF/WebP/PNM file */
    HM_E_IMAGE_TRUNCATED = 22,   /* the data ends before the image does */
    HM_E_IMAGE_CORRUPT = 23,     /* invalid data inside a known format */
    HM_E_IMAGE_TOO_LARGE = 24,   /* width*height exceeds max_pixels */
    HM_E_IMAGE_DIMENSIONS = 25,  /* zero or absurd width/height */
    HM_E_IMAGE_UNSUPPORTED = 26, /* valid but unsupported variant (12-bit JPEG, ...) */

    /* fingerprint sets: 40..79 */
    HM_E_SET_MAGIC = 40,             /* not a hashmatch set file */
    HM_E_SET_FORMAT_VERSION = 41,    /* unknown format version */
    HM_E_SET_TRUNCATED = 42,         /* file shorter than its structure says */
    HM_E_SET_TRAILING = 43,          /* bytes after the last structure */
    HM_E_SET_DIGEST = 44,            /* content does not match its digest (changed byte) */
    HM_E_SET_BAD_SIGNATURE = 45,     /* a signature by a trusted key does not verify */
    HM_E_SET_UNKNOWN_KEY = 46,       /* signed by a key not in the trust policy */
    HM_E_SET_DUPLICATE_KEY = 47,     /* the same key signed more than once */
    HM_E_SET_THRESHOLD = 48,         /* fewer than k valid trusted signatures */
    HM_E_SET_EXPIRED = 49,           /* now >= expiry time */
    HM_E_SET_ROLLBACK = 50,          /* set version below the minimum accepted */
    HM_E_SET_UNSORTED = 51,          /* entries not in ascending order */
    HM_E_SET_DUPLICATE_ENTRY = 52,   /* the same hash listed twice */
    HM_E_SET_BOUNDS = 53,            /* a count or offset overflows or leaves the file */
    HM_E_SET_UNKNOWN_ALGORITHM = 54, /* algorithm id not known to this library */
    HM_E_SET_UNKNOWN_CATEGORY = 55,  /* entry category not in the closed list */
    HM_E_SET_FIELD = 56,             /* a header field is malformed (reserved bits, bad UTF-8, ...) */
    HM_E_SET_NOT_YET_VALID = 57,     /* creation time is in the future */
    HM_E_SET_KEY = 58,               /* a key file or public key is malformed */
    HM_E_SET_WEAK_KEY = 59,          /* a public key of small order or non-canonical: never trusted */
    HM_E_SET_POLICY = 60,            /* the set's match policy is beyond the client's limits */

    /* vPDQ sections (docs/FORMAT.md, section 4.6): 65..69 */
    HM_E_SET_VIDEO_LAYOUT = 65, /* a video's frame range is empty, overlaps or leaves the frame table */
    HM_E_SET_VIDEO_FRAME = 66,  /* a frame record is malformed or repeats a hash within its video */
    HM_E_SET_VIDEO_POLICY = 67, /* the video match policy is impossible (percentage over 100, ...) */

    /* delta updates: 70..79 (docs/FORMAT.md section 11) */
    HM_E_DELTA_FORMAT = 70,    /* not a delta, another delta version, or malformed operations */
    HM_E_DELTA_TRUNCATED = 71, /* the delta ends before its declared size */
    HM_E_DELTA_CORRUPT = 72,   /* the delta does not match its checksums (a changed byte) */
    HM_E_DELTA_BASE = 73,      /* the delta was made for another old set */
    HM_E_DELTA_RESULT = 74,    /* the rebuilt set is not the one the delta names */
    HM_E_DELTA_CHAIN = 75,     /* the new set does not name the old one as its previous version */

    /* matching and scanning: 80..99 */
    HM_E_SCAN_NO_ALGORITHM = 80, /* the set holds nothing this scanner can match */

    /* video: 100..119 (docs/VIDEO.md) */
    HM_E_VIDEO_FORMAT = 100,       /* not a container the video decoder accepts */
    HM_E_VIDEO_TRUNCATED = 101,    /* the data ends before the video does */
    HM_E_VIDEO_CORRUPT = 102,      /* invalid data in the container or the coded video */
    HM_E_VIDEO_CODEC = 103,        /* the video's codec is not on the decoder whitelist */
    HM_E_VIDEO_NO_STREAM = 104,    /* the file holds no video stream */
    HM_E_VIDEO_DIMENSIONS = 105,   /* zero, unhashable (under 5 pixels) or absurd frame size */
    HM_E_VIDEO_TOO_LARGE = 106,    /* a frame has more pixels than max_pixels */
    HM_E_VIDEO_LIMIT = 107,        /* more frames, seconds or decoded bytes than the limits */
    HM_E_VIDEO_FRAME_RATE = 108,   /* the stream has no usable frame rate */
    HM_E_VIDEO_PIXEL_FORMAT = 109  /* decoded pixels in a format the converter does not take */
} hm_status;

/** A sentence describing `status` ("the image data ends early"). Never NULL;
 *  unknown values give "unknown status". */
HM_API const char *hm_strerror(hm_status status);

/** A stable machine-readable name for `status` ("image_truncated"), used as
 *  the "error" value in JSON output. Never NULL ("unknown" when unknown). */
HM_API const char *hm_status_name(hm_status status);

#define HM_ERROR_MESSAGE_SIZE 256

/** Detailed error report, filled by functions that take `hm_error *err`.
 *  `message` is NUL-terminated and may be more specific than hm_strerror()
 *  (e.g. libjpeg's own diagnosis). Sealed (docs/ABI.md): never changes size. */
typedef struct hm_error {
    hm_status status;
    char message[HM_ERROR_MESSAGE_SIZE];
} hm_error;

/* ------------------------------------------------------------------------ */
/* Sizes                                                                    */
/* ------------------------------------------------------------------------ */

#define HM_PDQ_BITS 256
#define HM_PDQ_BYTES 32
#define HM_PDQ_HEX_SIZE 65 /* 64 hex digits + NUL */
#define HM_PDQ_DIHEDRAL_COUNT 8
#define HM_IMAGEHASH_BITS 64
#define HM_IMAGEHASH_BYTES 8
#define HM_IMAGEHASH_HEX_SIZE 17
#define HM_MD5_BYTES 16
#define HM_SHA1_BYTES 20
#define HM_SHA256_BYTES 32
#define HM_MAX_HASH_BYTES 32
#define HM_MAX_HEX_SIZE 65
#define HM_DEFAULT_MAX_PIXELS 100000000u /* 100 megapixels */
#define HM_DEFAULT_MAX_FILE_BYTES (1ull << 30) /* 1 GiB: files read whole by *_load/_file */

/* ------------------------------------------------------------------------ */
/* Algorithms                                                               */
/* ------------------------------------------------------------------------ */

/** Hash algorithms. The values are also the algorithm ids of the set file
 *  format (docs/FORMAT.md) and never change. */
typedef enum hm_algo {
    HM_ALGO_PDQ = 1,
    HM_ALGO_AHASH = 2,
    HM_ALGO_DHASH = 3,
    HM_ALGO_PHASH = 4,
    HM_ALGO_WHASH = 5,
    HM_ALGO_MD5 = 6,
    HM_ALGO_SHA1 = 7,
    HM_ALGO_SHA256 = 8,
    /** Meta's video hash: one PDQ hash per sampled frame, matched video
     *  against video (docs/VIDEO.md). Sets hold it in a section of its own
     *  layout (docs/FORMAT.md, section 4.6); images never compute it. */
    HM_ALGO_VPDQ = 9
} hm_algo;

#define HM_ALGO_COUNT 9 /* ids are 1..HM_ALGO_COUNT */

/** Bit masks selecting algorithms: HM_MASK(HM_ALGO_PDQ) | ... */
#define HM_MASK(algo) (1u << (unsigned)(algo))
#define HM_MASK_PERCEPTUAL                                                                     \
    (HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) |                  \
     HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_WHASH))
#define HM_MASK_DIGESTS (HM_MASK(HM_ALGO_MD5) | HM_MASK(HM_ALGO_SHA1) | HM_MASK(HM_ALGO_SHA256))
#define HM_MASK_ALL (HM_MASK_PERCEPTUAL | HM_MASK_DIGESTS)
/* HM_MASK_ALL is what an image can be hashed with (the mask of
 * hm_hash_options). HM_MASK_EVERY adds vPDQ: the default of scanners and of
 * hm_algo_mask_parse("all"). An image ignores the vPDQ bit when it is hashed,
 * but a scanner with vPDQ matches an image's PDQ against the set's video
 * frames; a video ignores the image hashes and computes vPDQ and digests. */
#define HM_MASK_EVERY (HM_MASK_ALL | HM_MASK(HM_ALGO_VPDQ))

/** Lowercase name of an algorithm ("pdq", "ahash", ..., "sha256"), or NULL
 *  for an unknown id. */
HM_API const char *hm_algo_name(hm_algo algo);

/** Parses an algorithm name (case-sensitive, as hm_algo_name prints it).
 *  Returns HM_OK and sets *out, or HM_E_PARSE. */
HM_API HM_NODISCARD hm_status hm_algo_from_name(const char *name, hm_algo *out);

/** Parses a comma-separated list of algorithm names, or "all" (HM_MASK_EVERY),
 *  into a mask. Returns HM_E_PARSE on an unknown name or empty list. */
HM_API HM_NODISCARD hm_status hm_algo_mask_parse(const char *list, uint32_t *mask);

/** Length in bytes of a hash of this algorithm (32, 8, 16, 20), 0 if unknown. */
HM_API size_t hm_algo_hash_size(hm_algo algo);

/** 1 when the algorithm is matched by Hamming distance (perceptual), 0 when
 *  it is matched exactly (cryptographic digests). */
HM_API int hm_algo_is_perceptual(hm_algo algo);

/* ------------------------------------------------------------------------ */
/* Hex and distance helpers                                                 */
/* ------------------------------------------------------------------------ */

/** Writes `size` bytes as 2*size lowercase hex digits plus NUL into `out`,
 *  which must hold 2*size+1 bytes. */
HM_API void hm_hex_encode(const uint8_t *bytes, size_t size, char *out);

/** Parses exactly 2*size hex digits (either case, no prefix, no spaces) from
 *  the NUL-terminated `hex` into `bytes`. HM_E_PARSE on any other input. */
HM_API HM_NODISCARD hm_status hm_hex_decode(const char *hex, uint8_t *bytes, size_t size);

/** Number of differing bits between two byte strings of `size` bytes. */
HM_API unsigned hm_hamming(const uint8_t *a, const uint8_t *b, size_t size);

/* ------------------------------------------------------------------------ */
/* Images                                                                   */
/* ------------------------------------------------------------------------ */

/** Container formats the decoder recognises from their first bytes. */
typedef enum hm_image_format {
    HM_FORMAT_UNKNOWN = 0,
    HM_FORMAT_JPEG = 1,
    HM_FORMAT_PNG = 2,
    HM_FORMAT_GIF = 3,  /* first frame only */
    HM_FORMAT_WEBP = 4, /* first frame only */
    HM_FORMAT_PNM = 5,  /* binary PGM (P5) and PPM (P6), maxval <= 65535 */
    HM_FORMAT_RAW = 6   /* made by hm_image_from_pixels */
} hm_image_format;

/** Name of a format ("jpeg", "png", ...). Never NULL. */
HM_API const char *hm_image_format_name(hm_image_format format);

/** Returns the format sniffed from the first bytes of `data` (at most 16 are
 *  looked at), HM_FORMAT_UNKNOWN when none matches. */
HM_API hm_image_format hm_image_sniff(const void *data, size_t size);

/** Reads only the header of an encoded image: its format and dimensions as
 *  stored (before any EXIF orientation). No pixel is decoded and nothing is
 *  allocated in proportion to the dimensions. Any output pointer may be NULL. */
HM_API HM_NODISCARD hm_status hm_image_probe(const void *data, size_t size,
                                             hm_image_format *format, uint32_t *width,
                                             uint32_t *height, hm_error *err);

/** How the source stored its colour, which decides the exact luma that
 *  imagehash (Pillow) and PDQ compute. */
typedef enum hm_color_model {
    HM_COLOR_GRAY = 1,    /* 8-bit (or 16-bit reduced to 8) grey, with or without alpha */
    HM_COLOR_BILEVEL = 2, /* 1-bit grey: samples are 0 or 255 */
    HM_COLOR_PALETTE = 3, /* palette expanded to RGB */
    HM_COLOR_RGB = 4,     /* RGB or YCbCr, with or without alpha */
    HM_COLOR_CMYK = 5     /* CMYK converted to RGB as Pillow does */
} hm_color_model;

/** Decoding options. Zero-initialise, then set what you need; a zero field
 *  means its default. Sealed (docs/ABI.md): it is embedded in
 *  hm_hash_options and hm_scanner_options, so from the first release with
 *  `*_sized` entry points on its size never changes (0.1.0's had no
 *  max_file_bytes; the 0.1.0 entry points convert). */
typedef struct hm_decode_options {
    /** Refuse images with more pixels than this (checked from the header,
     *  before any large allocation). 0 means HM_DEFAULT_MAX_PIXELS. */
    uint64_t max_pixels;
    /** Non-zero: rotate/flip the pixels as the EXIF Orientation tag says.
     *  Default 0, as the PDQ and imagehash references do. */
    int apply_exif_orientation;
    /** hm_image_load, hm_hash_file and hm_scanner_scan_file refuse files
     *  larger than this (HM_E_FILE_TOO_LARGE), checked from the size before
     *  anything is allocated. 0 means HM_DEFAULT_MAX_FILE_BYTES. */
    uint64_t max_file_bytes;
} hm_decode_options;

/** A decoded image: 8-bit samples, 1 channel (grey) or 3 (RGB), rows packed
 *  (stride == width * channels). Alpha is dropped without compositing,
 *  exactly as the PDQ and imagehash references do. */
typedef struct hm_image hm_image;

/* The sized entry points behind hm_image_decode and hm_image_load: `opt_size`
 * is the caller's sizeof(hm_decode_options) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_image_decode_sized(const void *data, size_t size,
                                                    const hm_decode_options *opt,
                                                    size_t opt_size, hm_image **out,
                                                    hm_error *err);
HM_API HM_NODISCARD hm_status hm_image_load_sized(const char *path, const hm_decode_options *opt,
                                                  size_t opt_size, hm_image **out,
                                                  hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS

/** Decodes an image held in memory. The format is sniffed from the bytes.
 *  `opt` may be NULL for defaults. On success *out owns the pixels; the input
 *  buffer can be released immediately. The pixels equal what Pillow decodes
 *  (docs/DECODING.md: colour handling, 16-bit samples, GIF/WebP first frame).
 *  Truncated data gives HM_E_IMAGE_TRUNCATED, damaged data HM_E_IMAGE_CORRUPT,
 *  more pixels than the limit HM_E_IMAGE_TOO_LARGE; nothing is printed. */
static inline HM_NODISCARD hm_status hm_image_decode(const void *data, size_t size,
                                                     const hm_decode_options *opt,
                                                     hm_image **out, hm_error *err)
{
    return hm_image_decode_sized(data, size, opt, sizeof(hm_decode_options), out, err);
}

/** Reads and decodes a file (see hm_image_decode). Only regular files are
 *  read: a directory, FIFO, device or socket is HM_E_NOT_REGULAR_FILE (the
 *  open never blocks, and the check is made on the open descriptor), a file
 *  over `opt->max_file_bytes` HM_E_FILE_TOO_LARGE, a file that changes size
 *  while it is read HM_E_IO. hm_hash_file and hm_scanner_scan_file read
 *  files the same way. */
static inline HM_NODISCARD hm_status hm_image_load(const char *path,
                                                   const hm_decode_options *opt, hm_image **out,
                                                   hm_error *err)
{
    return hm_image_load_sized(path, opt, sizeof(hm_decode_options), out, err);
}

#endif

/** Wraps pixels the caller already has (e.g. from a platform decoder):
 *  `channels` is 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored), `stride` the
 *  bytes between rows (>= width*channels). The pixels are copied. Errors
 *  carry no message: hm_image_copy_pixels takes every layout below and says
 *  what is wrong. */
HM_API HM_NODISCARD hm_status hm_image_from_pixels(uint32_t width, uint32_t height,
                                                   unsigned channels, const uint8_t *pixels,
                                                   size_t stride, hm_image **out);

/* ---- pixels as platforms hand them over ---- */

/** Layouts of pixel memory the caller owns: camera frames, platform bitmaps.
 *  Values are pinned. Samples are 8 bits. Packed formats give exactly the
 *  hashes of the RGB (or grey) image with the same samples; alpha and padding
 *  bytes are ignored, as the references ignore alpha (premultiplied colour is
 *  hashed as stored). YUV formats are converted to RGB as docs/DECODING.md
 *  ("Camera frames") specifies, with the matrix and range the caller names. */
typedef enum hm_pixel_format {
    HM_PIXEL_GREY8 = 1, /* one plane: Y or grey, 1 byte per pixel */
    HM_PIXEL_RGB8 = 2,  /* one plane: R G B */
    HM_PIXEL_BGR8 = 3,  /* one plane: B G R */
    HM_PIXEL_RGBA8 = 4, /* one plane: R G B A (Android Bitmap ARGB_8888) */
    HM_PIXEL_BGRA8 = 5, /* one plane: B G R A (iOS kCVPixelFormatType_32BGRA) */
    HM_PIXEL_RGBX8 = 6, /* one plane: R G B, then a byte of padding */
    HM_PIXEL_BGRX8 = 7, /* one plane: B G R, then a byte of padding (desktop toolkits) */
    HM_PIXEL_I420 = 8,  /* 4:2:0, three planes: Y, U (Cb), V (Cr) */
    HM_PIXEL_NV12 = 9,  /* 4:2:0, two planes: Y, then U V interleaved (iOS 420f/420v) */
    HM_PIXEL_NV21 = 10  /* 4:2:0, two planes: Y, then V U interleaved (Android NV21) */
} hm_pixel_format;

/** The YUV-to-RGB matrix of a YUV frame. There is no default: the caller
 *  names what the platform reports, the library never guesses. */
typedef enum hm_yuv_matrix {
    HM_YUV_MATRIX_UNSET = 0, /* refused for YUV formats */
    HM_YUV_BT601 = 1,        /* Kr 0.299, Kb 0.114 (JPEG/JFIF, Android camera, SD video) */
    HM_YUV_BT709 = 2         /* Kr 0.2126, Kb 0.0722 (HD video, iOS HD capture) */
} hm_yuv_matrix;

/** The value range of a YUV frame. No default either. */
typedef enum hm_yuv_range {
    HM_YUV_RANGE_UNSET = 0, /* refused for YUV formats */
    HM_YUV_RANGE_VIDEO = 1, /* "limited": Y 16..235, Cb Cr 16..240 (iOS 420v) */
    HM_YUV_RANGE_FULL = 2   /* Y, Cb, Cr 0..255 (JFIF, Android camera, iOS 420f) */
} hm_yuv_range;

#define HM_PIXEL_MAX_PLANES 3

/** Pixel memory the caller owns, described plane by plane. Zero-initialise,
 *  then set every field the format uses; the others are ignored.
 *  - data[p], stride[p]: plane p's first byte (top-left pixel) and the bytes
 *    from one row to the next (>= the row's bytes; any value, odd ones too).
 *    Packed formats use plane 0. I420 uses 0 (Y), 1 (U), 2 (V); NV12 and NV21
 *    use 0 (Y) and 1 (the interleaved chroma).
 *  - The chroma planes of 4:2:0 hold ceil(width/2) x ceil(height/2) samples:
 *    with an odd width or height the last chroma column or row covers one
 *    luma column or row.
 *  - Only row y's first width*bytes_per_pixel bytes are read (for chroma:
 *    its samples), never the padding between rows nor past the last row.
 *  The library reads the memory during the call only and keeps no pointer. */
typedef struct hm_pixels {
    hm_pixel_format format;
    uint32_t width;
    uint32_t height;
    hm_yuv_matrix yuv_matrix; /* YUV formats only */
    hm_yuv_range yuv_range;   /* YUV formats only */
    uint32_t flags;           /* 0 (reserved for later options: non-zero is refused) */
    const uint8_t *data[HM_PIXEL_MAX_PLANES];
    size_t stride[HM_PIXEL_MAX_PLANES];
} hm_pixels;

/** Name of a pixel format ("grey8", "rgba8", "nv21", ...), or NULL for an
 *  unknown value. */
HM_API const char *hm_pixel_format_name(hm_pixel_format format);

/* The sized entry point behind hm_image_copy_pixels: `px_size` is the
 * caller's sizeof(hm_pixels) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_image_copy_pixels_sized(const hm_pixels *px, size_t px_size,
                                                         hm_image **out, hm_error *err);

/** Copies (and for YUV converts) the described pixels into a new image: RGB,
 *  or grey for HM_PIXEL_GREY8. Its source format is HM_FORMAT_RAW. Hashing
 *  does not need this copy (hm_hash_pixels reads the caller's memory); it is
 *  for keeping or inspecting the pixels. Errors name the field and value:
 *  HM_E_INVALID_ARGUMENT (format, planes, strides, YUV matrix or range,
 *  flags), HM_E_IMAGE_DIMENSIONS (a zero side or one over 1,000,000),
 *  HM_E_NO_MEMORY. */
static inline HM_NODISCARD hm_status hm_image_copy_pixels(const hm_pixels *px, hm_image **out,
                                                          hm_error *err)
{
    return hm_image_copy_pixels_sized(px, sizeof(hm_pixels), out, err);
}

/** Releases an image. NULL is accepted. */
HM_API void hm_image_free(hm_image *img);

/** Width in pixels. */
HM_API uint32_t hm_image_width(const hm_image *img);
/** Height in pixels. */
HM_API uint32_t hm_image_height(const hm_image *img);
/** 1 (grey) or 3 (RGB). */
HM_API unsigned hm_image_channels(const hm_image *img);
/** The pixel rows, width*channels bytes each, top row first. */
HM_API const uint8_t *hm_image_pixels(const hm_image *img);
/** The container format the image was decoded from. */
HM_API hm_image_format hm_image_source_format(const hm_image *img);
/** The colour model of the source. */
HM_API hm_color_model hm_image_color_model(const hm_image *img);
/** The EXIF Orientation value found in the file (1..8), 0 when absent.
 *  Reported whether or not it was applied. */
HM_API unsigned hm_image_exif_orientation(const hm_image *img);

/* ------------------------------------------------------------------------ */
/* Hashing                                                                  */
/* ------------------------------------------------------------------------ */

/** PDQ variants. */
typedef enum hm_pdq_mode {
    /** Full resolution: Meta's Java port, pdqhash, python-threatexchange, HMA. */
    HM_PDQ_FULLRES = 0,
    /** The reference pdq-photo-hasher tool: images with a side over 512 are first
     *  squashed to 512x512 (nearest neighbour, aspect ratio ignored). */
    HM_PDQ_CLI512 = 1
} hm_pdq_mode;

/** Hashing options. Zero-initialise; zero fields take defaults. */
typedef struct hm_hash_options {
    /** Algorithms to compute (HM_MASK(...) bits). 0 means HM_MASK_ALL. */
    uint32_t algos;
    /** PDQ variant, default HM_PDQ_FULLRES. */
    hm_pdq_mode pdq_mode;
    /** Non-zero: also compute the 8 dihedral PDQ hashes (from the same DCT). */
    int pdq_dihedral;
    /** Decoder options for the *_buffer and *_file functions. */
    hm_decode_options decode;
} hm_hash_options;

/** The hashes of one image. `algos` says which fields are valid; the others
 *  are zero. */
typedef struct hm_hashes {
    uint32_t algos;  /* HM_MASK bits of the computed algorithms */
    uint32_t width;  /* decoded width (before any PDQ cli512 squash) */
    uint32_t height; /* decoded height */
    uint8_t pdq[HM_PDQ_BYTES];
    int pdq_quality; /* 0..100; hashes under 50 are unreliable */
    int has_pdq_dihedral;
    /* orig, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1 */
    uint8_t pdq_dihedral[HM_PDQ_DIHEDRAL_COUNT][HM_PDQ_BYTES];
    uint8_t ahash[HM_IMAGEHASH_BYTES];
    uint8_t dhash[HM_IMAGEHASH_BYTES];
    uint8_t phash[HM_IMAGEHASH_BYTES];
    uint8_t whash[HM_IMAGEHASH_BYTES];
    uint8_t md5[HM_MD5_BYTES];
    uint8_t sha1[HM_SHA1_BYTES];
    uint8_t sha256[HM_SHA256_BYTES];
} hm_hashes;

/** Returns a pointer to the bytes of `algo` inside `h` (and its size in
 *  *size when non-NULL), or NULL for an unknown algorithm. */
HM_API const uint8_t *hm_hashes_get(const hm_hashes *h, hm_algo algo, size_t *size);

/* The sized entry points behind hm_hash_buffer, hm_hash_file and
 * hm_hash_image: `opt_size` and `out_size` are the caller's
 * sizeof(hm_hash_options) and sizeof(hm_hashes) (docs/ABI.md). Call them
 * directly only from bindings that cannot use the inline wrappers. */
HM_API HM_NODISCARD hm_status hm_hash_buffer_sized(const void *data, size_t size,
                                                   const hm_hash_options *opt, size_t opt_size,
                                                   hm_hashes *out, size_t out_size,
                                                   hm_error *err);
HM_API HM_NODISCARD hm_status hm_hash_file_sized(const char *path, const hm_hash_options *opt,
                                                 size_t opt_size, hm_hashes *out,
                                                 size_t out_size, hm_error *err);
HM_API HM_NODISCARD hm_status hm_hash_image_sized(const hm_image *img,
                                                  const hm_hash_options *opt, size_t opt_size,
                                                  hm_hashes *out, size_t out_size,
                                                  hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS /* (inside the library only: see docs/ABI.md) */

/** Hashes encoded bytes held in memory: the bytes feed the digests and are
 *  decoded once for every perceptual hash requested. If only digests are
 *  requested the bytes are not decoded at all. */
static inline HM_NODISCARD hm_status hm_hash_buffer(const void *data, size_t size,
                                                    const hm_hash_options *opt, hm_hashes *out,
                                                    hm_error *err)
{
    return hm_hash_buffer_sized(data, size, opt, sizeof(hm_hash_options), out,
                                sizeof(hm_hashes), err);
}

/** Reads a file once and hashes it as hm_hash_buffer does. */
static inline HM_NODISCARD hm_status hm_hash_file(const char *path, const hm_hash_options *opt,
                                                  hm_hashes *out, hm_error *err)
{
    return hm_hash_file_sized(path, opt, sizeof(hm_hash_options), out, sizeof(hm_hashes), err);
}

/** Computes the perceptual hashes of `opt->algos` for a decoded image, with one
 *  luma pass serving every algorithm. Digest bits in `opt->algos` are ignored
 *  (there are no file bytes to digest). */
static inline HM_NODISCARD hm_status hm_hash_image(const hm_image *img,
                                                   const hm_hash_options *opt, hm_hashes *out,
                                                   hm_error *err)
{
    return hm_hash_image_sized(img, opt, sizeof(hm_hash_options), out, sizeof(hm_hashes), err);
}

#endif

/* The sized entry point behind hm_hash_pixels (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_hash_pixels_sized(const hm_pixels *px, size_t px_size,
                                                   const hm_hash_options *opt, size_t opt_size,
                                                   hm_hashes *out, size_t out_size,
                                                   hm_error *err);

/** Computes the perceptual hashes of `opt->algos` straight from the caller's
 *  pixel memory (a camera frame, a platform bitmap): the same hashes as
 *  hm_hash_image of the equivalent image, without copying the frame. The
 *  rows are read once, through buffers of a few rows (PDQ's cli512 mode on
 *  a frame with a side over 512 reads the 512 rows it samples in a pass of
 *  its own); docs/EMBEDDING.md gives the memory this takes.
 *  The pixel count is checked against opt->decode.max_pixels (0: the
 *  default 100 megapixels) before anything is read: HM_E_IMAGE_TOO_LARGE.
 *  Other errors as hm_image_copy_pixels. Digest bits in `opt->algos` are
 *  ignored (there are no file bytes to digest). */
static inline HM_NODISCARD hm_status hm_hash_pixels(const hm_pixels *px,
                                                    const hm_hash_options *opt, hm_hashes *out,
                                                    hm_error *err)
{
    return hm_hash_pixels_sized(px, sizeof(hm_pixels), opt, sizeof(hm_hash_options), out,
                                sizeof(hm_hashes), err);
}

/* ---- hashing context: working memory kept across calls ---- */

/* The functions above allocate their working memory (Pillow's luma plane,
 * the PDQ filter's rows, the imagehash resizes and wavelet: about 60 MB for
 * a 12-megapixel image) on every call and return it afterwards, so every
 * call takes fresh pages from the kernel. A hasher keeps that memory
 * between calls: use one per thread when hashing many images (the CLI and
 * hm_scanner_scan_*_with do). A hasher is not thread-safe; hashes are
 * identical to the stateless functions'. docs/PDQ.md, "First call and
 * steady state", gives the measured difference. */
typedef struct hm_hasher hm_hasher;

/** Makes an empty hasher (its buffers grow on first use and are kept).
 *  HM_E_NO_MEMORY when allocation fails. */
HM_API HM_NODISCARD hm_status hm_hasher_new(hm_hasher **out);

/** Releases a hasher and its buffers. NULL is accepted. */
HM_API void hm_hasher_free(hm_hasher *hasher);

/** Bytes of working memory the hasher keeps. */
HM_API size_t hm_hasher_memory(const hm_hasher *hasher);

/** Sized entry points of the three functions below (docs/ABI.md): bindings
 *  that load symbols by name call these with the sizes of their structs. */
HM_API HM_NODISCARD hm_status hm_hasher_hash_image_sized(hm_hasher *hasher, const hm_image *img,
                                                         const hm_hash_options *opt,
                                                         size_t opt_size, hm_hashes *out,
                                                         size_t out_size, hm_error *err);
HM_API HM_NODISCARD hm_status hm_hasher_hash_buffer_sized(hm_hasher *hasher, const void *data,
                                                          size_t size, const hm_hash_options *opt,
                                                          size_t opt_size, hm_hashes *out,
                                                          size_t out_size, hm_error *err);
HM_API HM_NODISCARD hm_status hm_hasher_hash_file_sized(hm_hasher *hasher, const char *path,
                                                        const hm_hash_options *opt,
                                                        size_t opt_size, hm_hashes *out,
                                                        size_t out_size, hm_error *err);

/** hm_hash_image with the hasher's working memory. */
static inline HM_NODISCARD hm_status hm_hasher_hash_image(hm_hasher *hasher, const hm_image *img,
                                                          const hm_hash_options *opt,
                                                          hm_hashes *out, hm_error *err)
{
    return hm_hasher_hash_image_sized(hasher, img, opt, sizeof(hm_hash_options), out,
                                      sizeof(hm_hashes), err);
}

/** hm_hash_buffer with the hasher's working memory (the decoded pixels are
 *  still allocated per call). */
static inline HM_NODISCARD hm_status hm_hasher_hash_buffer(hm_hasher *hasher, const void *data,
                                                           size_t size, const hm_hash_options *opt,
                                                           hm_hashes *out, hm_error *err)
{
    return hm_hasher_hash_buffer_sized(hasher, data, size, opt, sizeof(hm_hash_options), out,
                                       sizeof(hm_hashes), err);
}

/** hm_hash_file with the hasher's working memory (the file's bytes are read
 *  into a buffer the hasher keeps too). */
static inline HM_NODISCARD hm_status hm_hasher_hash_file(hm_hasher *hasher, const char *path,
                                                         const hm_hash_options *opt,
                                                         hm_hashes *out, hm_error *err)
{
    return hm_hasher_hash_file_sized(hasher, path, opt, sizeof(hm_hash_options), out,
                                     sizeof(hm_hashes), err);
}

/* ======================================================================== */
/* Video: vPDQ (docs/VIDEO.md)                                              */
/* ======================================================================== */

/* HM-VIDEO-API */

/* vPDQ is Meta's video hash: a PDQ hash and quality for each sampled frame,
 * bit for bit as the reference `vpdq-hash-video` computes them (docs/VIDEO.md).
 * Videos are decoded with FFmpeg (libavformat/libavcodec) from memory or a
 * file, through a whitelist of demuxers (MP4/MOV, Matroska/WebM, AVI, GIF,
 * APNG, MPEG-TS) and decoders (H.264, HEVC, VP8, VP9, AV1, MPEG-4 Part 2, GIF,
 * APNG),
 * under limits on frame size, frame count, duration and decoded bytes. A build
 * without FFmpeg (HM_WITH_VIDEO=OFF) returns HM_E_UNSUPPORTED from the
 * functions that decode; the rest (sets, matching, comparing, parsing lines)
 * works in every build. Nothing here prints: FFmpeg's messages are silenced
 * per context (docs/VIDEO.md says exactly what an app's own av_log callback
 * still receives). */

/** How a decoded frame becomes RGB24. */
typedef enum hm_vpdq_mode {
    /** The default: the same pixels, hence the same hashes, on every CPU.
     *  4:2:0/4:2:2 frames at their own size use hashmatch's own converter,
     *  whose arithmetic equals FFmpeg's portable C converter (the `_nosimd`
     *  reference vectors, Meta's committed sample hashes); every other case
     *  goes through libswscale's general scaler, which gives the same pixels
     *  with or without SIMD. */
    HM_VPDQ_PORTABLE = 0,
    /** libswscale for every frame, exactly as the reference calls it: equals
     *  the reference run on the same CPU. Its special 4:2:0 converter has x86
     *  SIMD code whose pixels differ from the C code elsewhere, so hashes of
     *  the same file depend on the CPU (up to 76 bits on Meta's samples). */
    HM_VPDQ_SWSCALE = 1
} hm_vpdq_mode;

#define HM_DEFAULT_VIDEO_MAX_PIXELS 36000000u          /* per frame: 8K UHD fits */
#define HM_DEFAULT_VIDEO_MAX_FRAMES 216000u            /* two hours at 30 fps */
#define HM_DEFAULT_VIDEO_MAX_SECONDS 7200u             /* two hours */
#define HM_DEFAULT_VIDEO_MAX_DECODED_BYTES (1ull << 40) /* 1 TiB of decoded frames */
/* The scanner's ceiling on an animated GIF, APNG or WebP (every frame of
 * which is hashed) when max_decoded_bytes is 0: a small file of tiny frame
 * updates on a large canvas would otherwise cost hours (docs/SCANNING.md). */
#define HM_DEFAULT_ANIMATION_MAX_DECODED_BYTES (8ull << 30)
#define HM_VPDQ_MAX_SIZE 4096u                         /* largest --vpdq-size */
#define HM_VPDQ_FRAME_UNKNOWN 0xffffffffu              /* frame number not known */

/** Resource limits for untrusted video. Zero fields take the defaults above.
 *  Each is checked before the work it bounds (dimensions from the stream
 *  header and again per decoded frame; the declared duration before
 *  decoding; counts as frames arrive): going over gives HM_E_VIDEO_TOO_LARGE
 *  (pixels) or HM_E_VIDEO_LIMIT and no hashes. */
typedef struct hm_video_limits {
    uint64_t max_pixels;        /* pixels of one frame (width * height) */
    uint64_t max_frames;        /* frames the decoder outputs */
    uint64_t max_seconds;       /* declared duration, and each frame's presentation time */
    uint64_t max_decoded_bytes; /* sum of the decoded frames' sizes */
} hm_video_limits;

/** Video hashing options. Zero-initialise; zero fields take defaults. */
typedef struct hm_video_options {
    /** Seconds between hashed frames, as the reference's -r: it is rounded to
     *  a 32-bit float, frame n is hashed when n % max(1, (int)(r * fps)) == 0.
     *  0 (the default): every frame. Negative or over 1e6: invalid. */
    double seconds_per_hash;
    /** 0 (the default): hash frames at their size. N (5..HM_VPDQ_MAX_SIZE):
     *  scale every frame to N x N first, as the reference's -s. */
    unsigned size;
    /** Threads that convert and hash frames while the calling thread
     *  decodes; 0 or 1: all on the calling thread. The result never depends
     *  on it. */
    unsigned threads;
    hm_vpdq_mode mode;
    hm_video_limits limits;
    /** HM_MASK bits of md5, sha1, sha256 to compute over the file's bytes
     *  (other bits are ignored); 0: none. */
    uint32_t digests;
} hm_video_options;

/** One hashed frame, the fields of a line of the reference's output. */
typedef struct hm_vpdq_frame {
    uint32_t frame;           /* decoder output index from 0; HM_VPDQ_FRAME_UNKNOWN if not known */
    int quality;              /* 0..100; frames under 50 do not take part in matching */
    uint8_t hash[HM_PDQ_BYTES];
    double timestamp;         /* seconds: (float)frame / (float)fps, as the reference computes it */
} hm_vpdq_frame;

/** What was decoded. */
typedef struct hm_video_info {
    uint32_t width, height;   /* the stream's frame size */
    uint32_t hash_width, hash_height; /* the size frames were hashed at */
    double fps;               /* the frame rate used for sampling and timestamps */
    uint64_t frames_decoded;  /* frames the decoder output */
    const char *container;    /* FFmpeg's demuxer name ("mov,mp4,m4a,3gp,3g2,mj2"), "" if none */
    const char *codec;        /* decoder name ("h264"), "" if none */
    const char *pixel_format; /* decoded pixel format ("yuv420p"), "" if none */
    uint32_t digests;         /* HM_MASK bits of the digests below that were computed */
    uint8_t md5[HM_MD5_BYTES];
    uint8_t sha1[HM_SHA1_BYTES];
    uint8_t sha256[HM_SHA256_BYTES];
} hm_video_info;

/** A hashed video: its frames in ascending frame order and what was decoded. */
typedef struct hm_video hm_video;

/** 1 when this build decodes video (HM_WITH_VIDEO), 0 otherwise. */
HM_API int hm_video_supported(void);

/** 1 when the first bytes look like a container the video decoder reads:
 *  MP4/MOV/3GP (an ftyp, moov, mdat, free, skip or wide box first),
 *  Matroska/WebM (EBML), AVI (RIFF AVI), MPEG-TS (sync bytes 188 apart).
 *  GIF is an image format here (hm_image_sniff), although hm_video_hash_*
 *  read GIF animations too. At most 400 bytes are looked at. */
HM_API int hm_video_sniff(const void *data, size_t size);

/** Decodes a video held in memory (the bytes are read through a custom
 *  AVIOContext, never copied) and hashes its sampled frames with vPDQ. On
 *  failure *out is NULL and err says what went wrong (HM_E_VIDEO_*,
 *  HM_E_NO_MEMORY, HM_E_UNSUPPORTED without FFmpeg). A video shorter than
 *  the sampling step gives its frame 0; one whose decoder outputs no frame
 *  succeeds with no frames, as the reference writes an empty file. */
HM_API HM_NODISCARD hm_status hm_video_hash_buffer(const void *data, size_t size,
                                                   const hm_video_options *opt, hm_video **out,
                                                   hm_error *err);

/** Decodes and hashes a video file, streaming it (never held whole in
 *  memory); digests, when asked for, take one more pass over the file. The
 *  file is opened without blocking and must be a regular file
 *  (HM_E_NOT_REGULAR_FILE for a FIFO, device, socket or directory). */
HM_API HM_NODISCARD hm_status hm_video_hash_file(const char *path, const hm_video_options *opt,
                                                 hm_video **out, hm_error *err);

/** hm_video_hash_file on a descriptor the caller opened (an Android
 *  content URI's file descriptor, a file found by openat). It must be a
 *  regular file; it is read with pread from offset 0 (its position is
 *  neither used nor moved) and is not closed. `name` (may be NULL) appears
 *  in error messages. */
HM_API HM_NODISCARD hm_status hm_video_hash_fd(int fd, const char *name,
                                               const hm_video_options *opt, hm_video **out,
                                               hm_error *err);

/** Wraps frames hashed elsewhere (a reference hash file, a set), e.g. to scan
 *  them with hm_scanner_scan_video. The frames are copied; info is zero. */
HM_API HM_NODISCARD hm_status hm_video_from_frames(const hm_vpdq_frame *frames, size_t count,
                                                   hm_video **out, hm_error *err);

/** Releases a video. NULL is accepted. */
HM_API void hm_video_free(hm_video *video);

/** Number of hashed frames. */
HM_API size_t hm_video_frame_count(const hm_video *video);
/** Frame i (< hm_video_frame_count), NULL when out of range. */
HM_API const hm_vpdq_frame *hm_video_frame(const hm_video *video, size_t i);
/** What was decoded (never NULL for a valid handle). */
HM_API const hm_video_info *hm_video_get_info(const hm_video *video);

#define HM_VPDQ_LINE_SIZE 96 /* enough for any line plus NUL */

/** Writes the reference's output line of a frame, `frame,quality,hex,timestamp`
 *  with the timestamp as printf("%.3f") and a final LF, into buf (NUL-
 *  terminated, truncated to size). Returns the length of the full line. */
HM_API size_t hm_vpdq_format_line(const hm_vpdq_frame *frame, char *buf, size_t size);

/** Parses one such line (a trailing LF or CR LF is allowed): a decimal frame
 *  number, a quality 0..100, 64 hex digits, a decimal timestamp >= 0.
 *  HM_E_PARSE on anything else. */
HM_API HM_NODISCARD hm_status hm_vpdq_parse_line(const char *line, hm_vpdq_frame *out);

/** The video-level verdict of python-threatexchange's vPDQ matcher. */
typedef struct hm_vpdq_comparison {
    size_t query_matched;    /* query frames with a compared frame within the radius */
    size_t query_total;      /* query frames taking part (deduplicated, quality >= floor) */
    size_t compared_matched; /* the same, the other way round */
    size_t compared_total;
    double query_pct;        /* query_matched * 100 / query_total (0 when the total is 0) */
    double compared_pct;
    int match;               /* both percentages reach the policy's thresholds, and a frame matched */
} hm_vpdq_comparison;

/* A vPDQ policy is an hm_set_policy (below): radius = frame distance (<=),
 * min_quality = frame quality floor, query_match_pct and compared_match_pct
 * = the two thresholds in hundredths of a percent. */
struct hm_set_policy;

/* The sized entry point behind hm_vpdq_compare (docs/ABI.md), which is
 * defined after hm_set_policy below. */
HM_API HM_NODISCARD hm_status hm_vpdq_compare_sized(const hm_vpdq_frame *query,
                                                    size_t query_count,
                                                    const hm_vpdq_frame *compared,
                                                    size_t compared_count,
                                                    const struct hm_set_policy *policy,
                                                    size_t policy_size, hm_vpdq_comparison *out,
                                                    size_t out_size);

/* ======================================================================== */
/* Image transforms (research: robustness of hashes to everyday edits)      */
/* ======================================================================== */

/** The edits hm_image_transform applies. Each is deterministic: the same
 *  image, parameters and seed always give the same pixels. The text syntax
 *  (hm_transform_parse) is given beside each kind as `name:params`. */
typedef enum hm_transform_kind {
    /** `jpeg:Q` - re-encode with libjpeg-turbo at quality Q (1..100, 4:2:0
     *  chroma as libjpeg's defaults give) and decode again. */
    HM_TRANSFORM_JPEG = 1,
    /** `scale:F` - resize both sides by F (0.01..16, each side rounded, at
     *  least 1 px) with a separable Lanczos-3 filter whose support widens by
     *  1/F when reducing (an antialiased reduction, like Pillow's LANCZOS). */
    HM_TRANSFORM_SCALE = 2,
    /** `crop:P[:X:Y]` - keep (100-P)% of each side (P in 0..99); the kept
     *  window sits at fractions X,Y (0..1) of the free space: 0.5,0.5 (the
     *  default) is a centre crop, 0,0 keeps the top-left corner. */
    HM_TRANSFORM_CROP = 3,
    /** `rotate:DEG` - rotate counter-clockwise by DEG (-360..360). Multiples of
     *  90 permute pixels exactly (90 and 270 swap the sides). Other angles
     *  rotate about the centre with bilinear interpolation into a canvas of
     *  the same size; corners that leave the source are filled black. */
    HM_TRANSFORM_ROTATE = 4,
    /** `flip` - mirror left to right. */
    HM_TRANSFORM_FLIP = 5,
    /** `flipv` - mirror top to bottom. */
    HM_TRANSFORM_FLIPV = 6,
    /** `pad:P[:V]` - add a border of P% of the width left and right and P% of
     *  the height above and below (P in 0..100), grey value V (default 0). */
    HM_TRANSFORM_PAD = 7,
    /** `letterbox:P[:V]` - add P% of the height above and below only. */
    HM_TRANSFORM_LETTERBOX = 8,
    /** `brightness:D` - add D (-255..255) to every sample, clamped. */
    HM_TRANSFORM_BRIGHTNESS = 9,
    /** `contrast:F` - (v - 128) * F + 128, rounded and clamped (F in 0..10). */
    HM_TRANSFORM_CONTRAST = 10,
    /** `gamma:G` - 255 * (v / 255)^G, rounded (G in 0.05..20). */
    HM_TRANSFORM_GAMMA = 11,
    /** `blur:S` - Gaussian blur of standard deviation S pixels (0..50), kernel
     *  radius ceil(3S), edges replicated. */
    HM_TRANSFORM_BLUR = 12,
    /** `noise:S` - add Gaussian noise of standard deviation S (0..255) to
     *  every sample from a PRNG seeded by the seed (never rand()). */
    HM_TRANSFORM_NOISE = 13,
    /** `overlay:P[:X:Y[:V]]` - paint a solid square covering P% of the image
     *  area (0..100), a sticker or watermark, of grey value V (default 255)
     *  with its top-left corner at fractions X,Y of the free space; without
     *  X,Y the position is drawn from the seed. */
    HM_TRANSFORM_OVERLAY = 14
} hm_transform_kind;

#define HM_TRANSFORM_MAX_STEPS 8
#define HM_TRANSFORM_MAX_PARAMS 4

/** One edit and its parameters, in the order of the text syntax; missing
 *  optional parameters are NAN (defaults then apply). */
typedef struct hm_transform_step {
    hm_transform_kind kind;
    double param[HM_TRANSFORM_MAX_PARAMS];
} hm_transform_step;

/** A chain of edits applied in order (`jpeg:75+scale:0.5` in text).
 *  hm_transform and hm_transform_step are sealed (docs/ABI.md): arrays of
 *  them cross the API, so their size never changes. */
typedef struct hm_transform {
    unsigned count; /* 1..HM_TRANSFORM_MAX_STEPS */
    hm_transform_step steps[HM_TRANSFORM_MAX_STEPS];
} hm_transform;

/** Parses one chain: steps joined by '+', each `name[:p[:p...]]` as listed
 *  at hm_transform_kind (e.g. "crop:10:0:0+jpeg:50"). Numbers are decimal.
 *  HM_E_PARSE for malformed text or an unknown name, HM_E_INVALID_ARGUMENT
 *  for a parameter out of range or too many steps. *out is zeroed on failure. */
HM_API HM_NODISCARD hm_status hm_transform_parse(const char *text, hm_transform *out,
                                                 hm_error *err);

/** Parses a comma-separated list of chains into out[0..max-1] and sets *count.
 *  The word `standard` expands to the standard robustness suite (see
 *  docs/EVAL.md); it may be mixed with other chains. Errors as
 *  hm_transform_parse, and HM_E_LIMIT when more than `max` chains result. */
HM_API HM_NODISCARD hm_status hm_transform_parse_list(const char *text, hm_transform *out,
                                                      size_t max, size_t *count,
                                                      hm_error *err);

/** Writes the canonical text of the chain ("jpeg:50+scale:0.5") into buf
 *  (NUL-terminated, truncated to size). With `name_only` non-zero only the
 *  names are written ("jpeg+scale"); hm_transform_format_params writes only
 *  the parameters ("50+0.5"; "" when no step has any). Returns the length
 *  the full text needs, like snprintf. */
HM_API size_t hm_transform_format(const hm_transform *t, int name_only, char *buf, size_t size);
HM_API size_t hm_transform_format_params(const hm_transform *t, char *buf, size_t size);

/** Applies the chain to `img` and returns a new image in *out (the input is
 *  not changed; the output has the input's channel count). `seed` drives the
 *  steps that draw random numbers (noise, overlay position): equal seeds give
 *  equal pixels on every platform. Errors: HM_E_INVALID_ARGUMENT (NULL, bad
 *  chain), HM_E_NO_MEMORY, HM_E_IMAGE_DIMENSIONS (a side over 1e6),
 *  HM_E_IMAGE_TOO_LARGE (a step's output over HM_DEFAULT_MAX_PIXELS and over
 *  the input's pixel count); JPEG steps may also return the decoder's
 *  statuses. */
HM_API HM_NODISCARD hm_status hm_image_transform(const hm_image *img, const hm_transform *t,
                                                 uint64_t seed, hm_image **out,
                                                 hm_error *err);

/* ======================================================================== */
/* Evaluation (research: false-positive rates, robustness, ROC, accounts)   */
/* ======================================================================== */

/* HM-EVAL-API: what `hashmatch eval` computes, callable by any program (the
 * Python package calls these). Codes are hashes in hex byte order, stored
 * back to back: 32 bytes (PDQ) or 8 bytes (the imagehash family); a pair
 * histogram of b-bit codes has b + 1 counters, one per distance 0..b.
 * docs/EVAL.md describes the measurements. */

#define HM_EVAL_MAX_BITS 256
/** Distance of an image with no neighbour of another group (nearest[]), and
 *  of an edit that could not be made (robustness distances). */
#define HM_EVAL_NONE UINT16_MAX

/** What an evaluation measures: the perceptual algorithms, and PDQ matched
 *  with its 8 dihedral hashes (a pseudo-algorithm). Values are pinned. */
typedef enum hm_eval_algo {
    HM_EVAL_PDQ = 0,
    HM_EVAL_AHASH = 1,
    HM_EVAL_DHASH = 2,
    HM_EVAL_PHASH = 3,
    HM_EVAL_WHASH = 4,
    /** The distance of two images is the smallest over the 8 dihedral PDQ
     *  hashes of either one against the plain hash of the other. */
    HM_EVAL_PDQ_DIHEDRAL = 5
} hm_eval_algo;

#define HM_EVAL_ALGO_COUNT 6

/** "pdq", "ahash", "dhash", "phash", "whash", "pdq_dihedral"; NULL when unknown. */
HM_API const char *hm_eval_algo_name(hm_eval_algo algo);
/** 256 for PDQ (either form), 64 for the others, 0 when unknown. */
HM_API unsigned hm_eval_algo_bits(hm_eval_algo algo);

/** Called on the calling thread between pieces of work: `done` of `total`
 *  units (pairs) are finished. */
typedef void (*hm_eval_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/** Options of the pair statistics. Zero-initialise; zero fields take defaults. */
typedef struct hm_eval_pairs_options {
    /** n group ids, or NULL. Images of one group (one source: bursts,
     *  edits) form no pair and are never each other's nearest neighbour. */
    const uint32_t *groups;
    /** Non-zero: each image has 8 codes of 32 bytes (the dihedral PDQ
     *  hashes, original first) and pairs are measured as HM_EVAL_PDQ_DIHEDRAL
     *  does; code_bytes must then be 32. */
    int dihedral;
    /** Worker threads; 0: one per online CPU. */
    unsigned threads;
    /** The pair triangle is cut into square blocks of `block` codes (0: about
     *  64 KiB of codes); with shard_count > 1 only the blocks (bi, bj),
     *  bi <= bj, with (bi * nblocks + bj) % shard_count == shard_index are
     *  counted. The shards of one split add up exactly to the whole. */
    unsigned shard_index, shard_count;
    size_t block;
    /** Progress callback (may be NULL). */
    hm_eval_progress_fn progress;
    void *progress_ctx;
} hm_eval_pairs_options;

/** All-pairs statistics of n codes: every pair i < j of different groups
 *  adds 1 to hist[d] (hist has 8*code_bytes + 1 counters and is added to),
 *  and each image's nearest other-group neighbour is merged into nearest[i]
 *  (its distance; HM_EVAL_NONE when none) and nearest_index[i] (its index,
 *  the smallest one among equally near neighbours; -1 when none): a pair
 *  (d, j) replaces the stored one when d is smaller, or equal with a smaller
 *  index, so results of shards and tiles merge exactly (initialise nearest
 *  to HM_EVAL_NONE and nearest_index to -1). Any output may be NULL;
 *  nearest_index needs nearest, and costs a second look at each image's
 *  closest blocks. The SIMD pair kernels of the matching engine do the
 *  counting; the result does not depend on threads, block or tier. */
HM_API HM_NODISCARD hm_status hm_eval_pairs(const uint8_t *codes, size_t n, size_t code_bytes,
                                            const hm_eval_pairs_options *opt, uint64_t *hist,
                                            uint16_t *nearest, int64_t *nearest_index,
                                            hm_error *err);

/** A block of codes for hm_eval_pairs_tile: `n` codes (8 of them per image
 *  when dihedral), their group ids (or NULL), and the index of the first
 *  image in the whole corpus (reported in nearest indices). */
typedef struct hm_eval_block {
    const uint8_t *codes;
    size_t n;
    const uint32_t *groups;
    int64_t first;
} hm_eval_block;

/** One tile of the pair matrix, on the calling thread: the pairs (i, j) of
 *  a x b, or with b == NULL the pairs i < j within a. Outputs are merged as
 *  in hm_eval_pairs (nearest_a/index_a have a->n entries, nearest_b/index_b
 *  b->n; any may be NULL, an index needs its distances). Groups apply when
 *  both blocks have them (a cross tile without groups counts every pair: its
 *  blocks are different images). Tiles covering the triangle once add up
 *  exactly to hm_eval_pairs over the whole: what a distributed run does.
 *  Each call sets up and folds the kernels' half-megabyte counting table, so
 *  tiles should hold thousands of codes per side, not a few. */
HM_API HM_NODISCARD hm_status hm_eval_pairs_tile(const hm_eval_block *a, const hm_eval_block *b,
                                                 size_t code_bytes, int dihedral, uint64_t *hist,
                                                 uint16_t *nearest_a, int64_t *index_a,
                                                 uint16_t *nearest_b, int64_t *index_b,
                                                 hm_error *err);

/** A pair of images (or a query and an entry) and their distance. */
typedef struct hm_eval_pair {
    int64_t a, b;
    unsigned distance;
} hm_eval_pair;

/** Every pair i < j of different groups within `threshold`, of the blocks
 *  opt selects (as hm_eval_pairs), sorted by (a, b), in a new array (*pairs,
 *  release with hm_buffer_free; NULL when none). HM_E_LIMIT when there are
 *  more than max_pairs (0: no limit but memory). */
HM_API HM_NODISCARD hm_status hm_eval_pairs_within(const uint8_t *codes, size_t n,
                                                   size_t code_bytes,
                                                   const hm_eval_pairs_options *opt,
                                                   unsigned threshold, size_t max_pairs,
                                                   hm_eval_pair **pairs, size_t *count,
                                                   hm_error *err);

/** Exact radius search: every (query q, code e) with distance <= radius, as
 *  pairs {q, e, distance} sorted by (q, e) in a new array (release with
 *  hm_buffer_free). Brute force on the SIMD scan kernels, 8 queries per pass,
 *  on `threads` threads (0: every CPU). HM_E_LIMIT beyond max_hits (0: none). */
HM_API HM_NODISCARD hm_status hm_eval_radius_search(const uint8_t *queries, size_t nq,
                                                    const uint8_t *codes, size_t n,
                                                    size_t code_bytes, unsigned radius,
                                                    unsigned threads, size_t max_hits,
                                                    hm_eval_pair **hits, size_t *count,
                                                    hm_error *err);

/** dst[d] += src[d] for d = 0..bits; HM_E_LIMIT (dst unchanged) if a counter
 *  would overflow. */
HM_API HM_NODISCARD hm_status hm_eval_hist_merge(uint64_t *dst, const uint64_t *src,
                                                 unsigned bits);
/** Merges nearest neighbours as hm_eval_pairs does: (src[i], src_index[i])
 *  replaces (dst[i], dst_index[i]) when its distance is smaller, or equal
 *  with a smaller index (-1 counts as none). Index arrays may both be NULL. */
HM_API void hm_eval_nearest_merge(uint16_t *dst, int64_t *dst_index, const uint16_t *src,
                                  const int64_t *src_index, size_t n);
/** Sum of the counters (saturating at UINT64_MAX). */
HM_API uint64_t hm_eval_hist_total(const uint64_t *hist, unsigned bits);
/** rate[t] = (hist[0] + ... + hist[t]) / total for t = 0..bits: the pair-level
 *  false-positive rate of a different-image histogram, the image-level rate of
 *  a nearest-neighbour histogram, the recall of a same-image one. 0 when
 *  total is 0. */
HM_API void hm_eval_cumulative_rate(const uint64_t *hist, unsigned bits, uint64_t total,
                                    double *rate);
/** Adds the nearest-neighbour distances to hist[0..bits] (HM_EVAL_NONE and
 *  other values above bits are not counted). */
HM_API void hm_eval_nearest_hist(const uint16_t *nearest, size_t n, unsigned bits,
                                 uint64_t *hist);
/** The largest threshold t with fpr[t] <= target (fpr non-decreasing), -1
 *  when even t = 0 exceeds it. */
HM_API int hm_eval_threshold_for_fpr(const double *fpr, unsigned bits, double target);
/** Area under recall against pair-level FPR over thresholds 0..bits, with
 *  (0,0) and (1,1) added, by the trapezoid rule. */
HM_API double hm_eval_roc_auc(const double *fpr, const double *recall, unsigned bits);
/** P(X >= k) for X ~ Binomial(n, p): the chance that an account of n innocent
 *  images, each matching independently with probability p, crosses a k-match
 *  reporting threshold. Summed in log space; tiny tails keep their relative
 *  precision. */
HM_API double hm_eval_binomial_tail(uint64_t n, double p, uint64_t k);

/** How hm_eval_account_empirical draws accounts from a corpus. */
typedef enum hm_eval_draw {
    HM_EVAL_DRAW_RANDOM = 0,    /* per_account distinct images at random */
    HM_EVAL_DRAW_CONTIGUOUS = 1 /* consecutive images in corpus order, wrapping */
} hm_eval_draw;

/** Draws `trials` accounts of per_account images among `count` whose
 *  matched[i] says whether image i matches the list, and sets *crossed to
 *  how many accounts hold at least k matched images. Seeded (xoshiro256**):
 *  equal arguments give equal results everywhere. HM_E_INVALID_ARGUMENT when
 *  per_account > count or count is 0, HM_E_NO_MEMORY. */
HM_API HM_NODISCARD hm_status hm_eval_account_empirical(const uint8_t *matched, size_t count,
                                                        size_t per_account, uint64_t k,
                                                        uint64_t trials, uint64_t seed,
                                                        hm_eval_draw draw, uint64_t *crossed);

/** The seed of one image's edits: `seed` XOR the first 8 bytes (big-endian)
 *  of the SHA-256 of the file's bytes, so results depend only on the bytes
 *  and the seed, not on where the file lies. Edit k of the list then uses
 *  this value + k. */
HM_API uint64_t hm_eval_image_seed(uint64_t seed, const uint8_t sha256[HM_SHA256_BYTES]);

/** Robustness of one image: decodes `data` once, hashes it, applies each of
 *  the nt chains to the decoded image (seeded by hm_eval_image_seed(seed,
 *  SHA-256 of data) + k), hashes each edited copy and writes the distance to
 *  the original of every algorithm a (bit 1u << a set in `algos`, a an
 *  hm_eval_algo) into dist[k * HM_EVAL_ALGO_COUNT + a]; HM_EVAL_NONE when an
 *  edit could not be made and for algorithms not asked for. HM_EVAL_PDQ_DIHEDRAL
 *  queries with the 8 dihedral hashes of the edited copy against the
 *  original's hash. `decode` may be NULL; `original` (may be NULL) receives
 *  the original's hashes and size. Fails only when the image itself cannot
 *  be decoded or hashed. */
HM_API HM_NODISCARD hm_status hm_eval_robustness_buffer(const void *data, size_t size,
                                                        const hm_transform *chains, size_t nt,
                                                        uint64_t seed, uint32_t algos,
                                                        const hm_decode_options *decode,
                                                        uint16_t *dist, hm_hashes *original,
                                                        hm_error *err);

/** Reads a file once and measures it as hm_eval_robustness_buffer does. */
HM_API HM_NODISCARD hm_status hm_eval_robustness_file(const char *path,
                                                      const hm_transform *chains, size_t nt,
                                                      uint64_t seed, uint32_t algos,
                                                      const hm_decode_options *decode,
                                                      uint16_t *dist, hm_hashes *original,
                                                      hm_error *err);

/* ======================================================================== */
/* Fingerprint sets                    (declarations follow in lib/set order) */
/* ======================================================================== */

/* HM-SET-API */

/* A fingerprint set is one file (docs/FORMAT.md): a header (name, issuer,
 * version, creation and expiry times, the closed list of categories, the
 * digest of the previous version), one section per algorithm with the
 * publisher's match policy and the sorted entries, an allowlist, and a
 * signature block. The content digest is SHA-256 over everything before the
 * signature block; each signature is Ed25519 over a domain-separated message
 * holding that digest, so adding a signature never changes the digest.
 *
 * hm_set_open* authenticate the whole file (digest, then k-of-n trusted
 * signatures) before parsing anything, then check the version against the
 * minimum the app accepted before (rollback), the expiry against the current
 * time (freeze), and every structure (sorted, unique, categories, bounds).
 * Either the complete set is returned or nothing. docs/TRUST.md explains what
 * this protects against and what it does not. */

#define HM_SET_FORMAT_VERSION 1
#define HM_SET_DIGEST_BYTES 32         /* SHA-256 of the content */
#define HM_SET_MAX_SIGNATURES 64       /* per file */
#define HM_SET_MAX_TRUSTED_KEYS 64     /* per trust policy */
#define HM_SET_MAX_CATEGORIES 65535
#define HM_ED25519_PUBLIC_BYTES 32
#define HM_ED25519_SECRET_BYTES 32     /* the RFC 8032 private key (seed) */
#define HM_ED25519_SIGNATURE_BYTES 64
#define HM_KEY_ID_BYTES 32             /* SHA-256 of the raw public key */

/* ---- keys ---- */

/** Generates an Ed25519 key pair from the operating system's random source
 *  (through OpenSSL). Keep `secret_key` secret; wipe it when done. */
HM_API HM_NODISCARD hm_status hm_key_generate(uint8_t public_key[HM_ED25519_PUBLIC_BYTES],
                                              uint8_t secret_key[HM_ED25519_SECRET_BYTES],
                                              hm_error *err);

/** Derives the public key of an Ed25519 secret key. */
HM_API HM_NODISCARD hm_status hm_key_public(const uint8_t secret_key[HM_ED25519_SECRET_BYTES],
                                            uint8_t public_key[HM_ED25519_PUBLIC_BYTES],
                                            hm_error *err);

/** The key id that names a public key in a set's signature block: SHA-256 of
 *  the 32 raw public key bytes (anyone can recompute it). */
HM_API HM_NODISCARD hm_status hm_key_id(const uint8_t public_key[HM_ED25519_PUBLIC_BYTES],
                                        uint8_t id[HM_KEY_ID_BYTES], hm_error *err);

/** Checks that a public key may be trusted at all, as libsodium's
 *  crypto_sign_verify_detached does: refuses (HM_E_SET_WEAK_KEY, the key's
 *  hex and the reason in err) the encodings of the eight points of small
 *  order, with which anyone can forge signatures that verify (OpenSSL
 *  accepts them), and every non-canonical encoding (y >= p, or x = 0 with
 *  the sign bit set). Keys made by hm_key_generate always pass. hm_set_open*
 *  check every trusted key this way, hm_key_id its argument, and signature
 *  verification also refuses signatures whose S is not reduced (S >= L) or
 *  whose R is non-canonical or of small order (docs/TRUST.md). */
HM_API HM_NODISCARD hm_status hm_key_check(const uint8_t public_key[HM_ED25519_PUBLIC_BYTES],
                                           hm_error *err);

/* ---- trust policy and opening ---- */

/** Whom the app trusts: `key_count` Ed25519 public keys (distinct, at most
 *  HM_SET_MAX_TRUSTED_KEYS) of which at least `threshold` (1..key_count) must
 *  have signed the set. Sealed (docs/ABI.md): embedded in
 *  hm_set_open_options, its size never changes. */
typedef struct hm_trust {
    const uint8_t (*keys)[HM_ED25519_PUBLIC_BYTES];
    size_t key_count;
    unsigned threshold;
    /** 0 (default, strict): a signature by a key outside `keys` rejects the
     *  set with HM_E_SET_UNKNOWN_KEY. Non-zero: such signatures are ignored
     *  (TUF's rule; useful while rotating keys). See docs/TRUST.md. */
    int allow_unknown_keys;
} hm_trust;

/* ---- client-side limits on the publisher's match policy ---- */

/* A set carries its publisher's match policy (radius, allowlist radius, PDQ
 * minimum quality), signed with it. A validly signed set asking for radius
 * 256 and quality 0 would match every image, and one with an allowlist radius
 * of 256 would suppress every match; so the client keeps its own ceilings and
 * refuses a set beyond them with HM_E_SET_POLICY, once when the set is opened
 * and again when a scanner is built. The defaults and why they were chosen:
 * docs/TRUST.md, "Limits on the publisher's policy". */

#define HM_POLICY_ALGO_SLOTS 16         /* limit tables are indexed by hm_algo id */
#define HM_POLICY_UNLIMITED 0xffffffffu /* a ceiling or floor that lets anything through */
#define HM_DEFAULT_MAX_RADIUS_PDQ 31    /* the threshold Meta recommends for PDQ */
#define HM_DEFAULT_MAX_RADIUS_64BIT 10  /* aHash, dHash, pHash, wHash */
#define HM_DEFAULT_MIN_QUALITY_PDQ 50   /* the PDQ quality Meta recommends matching from */

/** Ceilings on a set's policy, per algorithm id (index 0 unused; later
 *  algorithms take their id's slot). Zero-initialise and set only what you
 *  mean to change: a zero field means the library's default. Sealed
 *  (docs/ABI.md): embedded in hm_set_open_options and hm_scanner_options, its
 *  size never changes. */
typedef struct hm_policy_limits {
    /** Largest radius and largest allowlist radius accepted. 0: the default
     *  (HM_DEFAULT_MAX_RADIUS_PDQ for PDQ and vPDQ frames,
     *  HM_DEFAULT_MAX_RADIUS_64BIT for the 64-bit hashes); HM_POLICY_UNLIMITED (or any value >= the hash's bits):
     *  no ceiling. Digests always match exactly and ignore it. */
    unsigned max_radius[HM_POLICY_ALGO_SLOTS];
    /** Smallest minimum quality accepted, for algorithms whose hashes have a
     *  quality (PDQ, vPDQ frames; the others ignore it). 0: the default
     *  (HM_DEFAULT_MIN_QUALITY_PDQ); HM_POLICY_UNLIMITED: no floor. */
    unsigned min_quality_floor[HM_POLICY_ALGO_SLOTS];
} hm_policy_limits;

/** Writes the limits a zero-initialised hm_policy_limits stands for, every
 *  slot of an algorithm this library knows filled in. */
HM_API void hm_policy_limits_default(hm_policy_limits *out);

/** Options of hm_set_open / hm_set_open_file. Zero-initialise, then set
 *  `trust` (required) and what you need. */
typedef struct hm_set_open_options {
    hm_trust trust;
    /** Sets whose version is below this are rejected (HM_E_SET_ROLLBACK).
     *  Store the version of the last set you accepted and pass it here. */
    uint64_t min_version;
    /** Current time in Unix seconds (UTC). 0 means: read the system clock
     *  (time()). Pass the time explicitly when the system clock cannot be
     *  trusted more than another source. */
    uint64_t now;
    /** Seconds a creation time may lie in the future before the set is
     *  rejected as HM_E_SET_NOT_YET_VALID (devices with slow clocks). 0: none. */
    uint64_t max_clock_skew;
    /** Entries attested by fewer organisations than this are kept in the set
     *  but marked inactive: they are never matched. 0 or 1: all are active. */
    unsigned min_attesters;
    /** Ceilings on the set's policy (zero fields: the defaults). A section
     *  beyond them rejects the set with HM_E_SET_POLICY. */
    hm_policy_limits limits;
    /** The longest validity period accepted, in seconds: a set whose expiry
     *  lies more than this after its creation time is rejected with
     *  HM_E_SET_POLICY, so a withheld update (a freeze) is noticed within
     *  this period however far the publishers set the expiry. 0: no limit. */
    uint64_t max_validity;
    /** The largest set accepted, in bytes (the whole file). A larger file,
     *  buffer or delta result is refused with HM_E_FILE_TOO_LARGE before any
     *  of it is allocated, copied or hashed, so a substituted set file cannot
     *  exhaust a device's memory before its signatures are checked.
     *  0: no limit. */
    uint64_t max_set_bytes;
} hm_set_open_options;

/** A verified, immutable fingerprint set. Safe to share between threads. */
typedef struct hm_set hm_set;

/* The sized entry points behind hm_set_open and hm_set_open_file: `opt_size`
 * is the caller's sizeof(hm_set_open_options) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_set_open_sized(const void *data, size_t size,
                                                const hm_set_open_options *opt, size_t opt_size,
                                                hm_set **out, hm_error *err);
HM_API HM_NODISCARD hm_status hm_set_open_file_sized(const char *path,
                                                     const hm_set_open_options *opt,
                                                     size_t opt_size, hm_set **out,
                                                     hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS

/** Verifies and opens a set held in memory. The bytes are copied into private
 *  memory and hashed as they are copied, so later changes to `data` cannot
 *  affect the verified set. Checks, in order (docs/FORMAT.md, "Verification"):
 *  framing, content digest, signatures against opt->trust, header fields,
 *  version >= opt->min_version, creation and expiry times, then every
 *  structure. On failure *out is NULL and err names what failed. */
static inline HM_NODISCARD hm_status hm_set_open(const void *data, size_t size,
                                                 const hm_set_open_options *opt, hm_set **out,
                                                 hm_error *err)
{
    return hm_set_open_sized(data, size, opt, sizeof(hm_set_open_options), out, err);
}

/** Reads a set file into private memory (never a shared mapping: another
 *  process could change a mapped file after it was verified) and verifies it
 *  as hm_set_open does. */
static inline HM_NODISCARD hm_status hm_set_open_file(const char *path,
                                                      const hm_set_open_options *opt,
                                                      hm_set **out, hm_error *err)
{
    return hm_set_open_file_sized(path, opt, sizeof(hm_set_open_options), out, err);
}

#endif

/** For auditing tools only: opens a set checking its framing, content digest
 *  and every structure, but NOT its signatures, version or times. The handle
 *  reports hm_set_is_verified() == 0 and a scanner refuses it. */
HM_API HM_NODISCARD hm_status hm_set_open_unverified(const void *data, size_t size, hm_set **out,
                                                     hm_error *err);

/** hm_set_open_unverified for a file. */
HM_API HM_NODISCARD hm_status hm_set_open_file_unverified(const char *path, hm_set **out,
                                                          hm_error *err);

/** Releases a set. NULL is accepted. */
HM_API void hm_set_free(hm_set *set);

/** 1 when the set was opened by hm_set_open*, 0 for hm_set_open*_unverified. */
HM_API int hm_set_is_verified(const hm_set *set);

/* ---- header ---- */

/* Like every handle's accessors, the hm_set_* accessors accept NULL: they
 * then return NULL, 0, or HM_E_INVALID_ARGUMENT. */

/** The set's name (never empty). */
HM_API const char *hm_set_name(const hm_set *set);
/** The issuer ("" when none was given). */
HM_API const char *hm_set_issuer(const hm_set *set);
/** The set version (>= 1; strictly increasing between releases). */
HM_API uint64_t hm_set_version(const hm_set *set);
/** Creation time, Unix seconds UTC. */
HM_API uint64_t hm_set_created(const hm_set *set);
/** Expiry time, Unix seconds UTC; the set is rejected from this second on. */
HM_API uint64_t hm_set_expires(const hm_set *set);
/** The content digest of the previous version (HM_SET_DIGEST_BYTES), or NULL
 *  when this set starts its chain. */
HM_API const uint8_t *hm_set_previous_digest(const hm_set *set);
/** This set's content digest (HM_SET_DIGEST_BYTES): SHA-256 of the file's
 *  first content-size bytes; compare it with the digest the publisher
 *  announced. */
HM_API const uint8_t *hm_set_digest(const hm_set *set);
/** Size of the whole file in bytes (content and signature block). */
HM_API size_t hm_set_file_size(const hm_set *set);
/** Size of the content in bytes: the part the digest covers. */
HM_API size_t hm_set_content_size(const hm_set *set);
/** Number of categories in the closed list. */
HM_API size_t hm_set_category_count(const hm_set *set);
/** Name of category `index`, NULL when out of range. */
HM_API const char *hm_set_category_name(const hm_set *set, size_t index);
/** The opening option min_attesters (0 for unverified sets). */
HM_API unsigned hm_set_min_attesters(const hm_set *set);

/* ---- sections, entries, allowlist ---- */

/** HM_MASK bits of the algorithms the set has a section for. */
HM_API uint32_t hm_set_algos(const hm_set *set);

/** One algorithm's section: the publisher's match policy and counts. */
typedef struct hm_set_section {
    hm_algo algo;
    unsigned variant;      /* PDQ: an hm_pdq_mode; 0 for the others */
    unsigned radius;       /* match when Hamming distance <= radius; 0 for digests */
    unsigned allow_radius; /* a query this close to an allowlist hash is suppressed */
    unsigned min_quality;  /* PDQ: queries of lower quality are not matched */
    size_t entry_count;
    size_t active_count;   /* entries with at least min_attesters attesters */
    size_t allow_count;
    /* vPDQ sections only (zero elsewhere): entries are videos. variant is the
     * interval in milliseconds at which the publisher sampled frames (0:
     * every frame; scanners sample queries the same way), radius the frame
     * distance, min_quality the frame quality floor. */
    size_t frame_count;            /* frames of all videos */
    unsigned query_match_pct;      /* hundredths of a percent, 0..10000 */
    unsigned compared_match_pct;   /* hundredths of a percent, 0..10000 */
} hm_set_section;

/** The section of `algo`, or NULL when the set has none. Owned by the set. */
HM_API const hm_set_section *hm_set_section_get(const hm_set *set, hm_algo algo);

/** Checks every section's policy against `limits` (NULL: the defaults):
 *  HM_OK, or HM_E_SET_POLICY naming the first section, the set's value and
 *  the limit. hm_set_open* and hm_scanner_new apply it themselves; this is
 *  for tools that open sets unverified or want to warn a publisher. */
HM_API HM_NODISCARD hm_status hm_set_check_policy(const hm_set *set,
                                                  const hm_policy_limits *limits, hm_error *err);

/** One entry, pointing into the set (valid until hm_set_free). */
typedef struct hm_set_entry {
    const uint8_t *hash;       /* hm_algo_hash_size(algo) bytes */
    unsigned category;         /* index into the category list */
    const char *category_name;
    unsigned attesters;        /* independent organisations that attested it (>= 1) */
    const char *external_id;   /* "" when none */
    int active;                /* 0 when attesters < min_attesters: never matched */
} hm_set_entry;

/* The sized entry point behind hm_set_entry_get: `out_size` is the caller's
 * sizeof(hm_set_entry) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_set_entry_get_sized(const hm_set *set, hm_algo algo,
                                                     size_t index, hm_set_entry *out,
                                                     size_t out_size);

#ifndef HM__ABI_COMPAT_DEFINITIONS
/** Entry `index` (0..entry_count-1; entries are in ascending hash order) of
 *  the section of `algo`. HM_E_INVALID_ARGUMENT when absent or out of range. */
static inline HM_NODISCARD hm_status hm_set_entry_get(const hm_set *set, hm_algo algo,
                                                      size_t index, hm_set_entry *out)
{
    return hm_set_entry_get_sized(set, algo, index, out, sizeof(hm_set_entry));
}
#endif

/** Allowlist hash `index` of `algo` (ascending order), NULL when out of range. */
HM_API const uint8_t *hm_set_allow_get(const hm_set *set, hm_algo algo, size_t index);

/* For HM_ALGO_VPDQ an entry is a video: hm_set_entry_get gives its category,
 * attesters and external id, and `hash` points at its first frame's hash. */

/** One frame of a listed video, pointing into the set. */
typedef struct hm_set_video_frame {
    const uint8_t *hash;   /* HM_PDQ_BYTES */
    uint32_t frame;        /* frame number, HM_VPDQ_FRAME_UNKNOWN when the list did not say */
    uint32_t timestamp_ms; /* milliseconds */
    unsigned quality;      /* 0..100 */
} hm_set_video_frame;

/** Number of frames of video `index` of the vPDQ section (0 when absent). */
HM_API size_t hm_set_video_frame_count(const hm_set *set, size_t index);

/* The sized entry point behind hm_set_video_frame_get (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_set_video_frame_get_sized(const hm_set *set, size_t index,
                                                           size_t k, hm_set_video_frame *out,
                                                           size_t out_size);

/** Frame `k` of video `index`, in the order of its list (ascending frame
 *  numbers, each hash once). HM_E_INVALID_ARGUMENT when out of range. */
static inline HM_NODISCARD hm_status hm_set_video_frame_get(const hm_set *set, size_t index,
                                                            size_t k, hm_set_video_frame *out)
{
    return hm_set_video_frame_get_sized(set, index, k, out, sizeof(hm_set_video_frame));
}

/* ---- signatures ---- */

typedef enum hm_sig_status {
    HM_SIG_UNCHECKED = 0, /* opened unverified: nothing was checked */
    HM_SIG_VALID = 1,     /* by a trusted key, verified */
    HM_SIG_IGNORED = 2    /* by an unknown key, ignored (allow_unknown_keys) */
} hm_sig_status;

/** One signature of the set's signature block. */
typedef struct hm_set_signature {
    const uint8_t *key_id;    /* HM_KEY_ID_BYTES */
    const uint8_t *signature; /* HM_ED25519_SIGNATURE_BYTES */
    hm_sig_status status;
    int trusted_index;        /* index into opt->trust.keys, -1 if none */
} hm_set_signature;

/** Number of signatures in the file. */
HM_API size_t hm_set_signature_count(const hm_set *set);
/** Signature `index` in file order, NULL when out of range. */
HM_API const hm_set_signature *hm_set_signature_get(const hm_set *set, size_t index);

/* ---- building and signing ---- */

/** A publisher's match policy for one algorithm. */
typedef struct hm_set_policy {
    unsigned variant;      /* PDQ: hm_pdq_mode; others 0 */
    unsigned radius;       /* <= the hash's bits; 0 for digests */
    unsigned allow_radius; /* <= the hash's bits; 0 for digests */
    unsigned min_quality;  /* PDQ, vPDQ: 0..100; others 0 */
    /* vPDQ only (0 elsewhere): a listed video matches a scanned one when
     * query_pct >= query_match_pct / 100 and compared_pct >= compared_match_pct
     * / 100 (hundredths of a percent, 0..10000) and at least one frame pair is
     * within radius. vPDQ's variant is the sampling interval in ms (0..60000). */
    unsigned query_match_pct;
    unsigned compared_match_pct;
} hm_set_policy;

/* The sized entry points behind hm_set_policy_default and
 * hm_set_builder_set_policy (docs/ABI.md). */
HM_API void hm_set_policy_default_sized(hm_algo algo, hm_set_policy *out, size_t out_size);

#ifndef HM__ABI_COMPAT_DEFINITIONS
/** The defaults: PDQ fullres radius 31, min quality 50; the 64-bit imagehash
 *  family radius 10; digests exact; vPDQ python-threatexchange's: frames
 *  within 31 bits, quality 50, query 80 %, compared 0 %, every frame sampled.
 *  allow_radius equals radius. */
static inline void hm_set_policy_default(hm_algo algo, hm_set_policy *out)
{
    hm_set_policy_default_sized(algo, out, sizeof(hm_set_policy));
}
#endif

/** Compares two frame lists with python-threatexchange's rule (docs/VIDEO.md):
 *  each list keeps the first occurrence of each hash, then the frames of
 *  quality >= policy->min_quality; a frame counts as matched when a frame of
 *  the other list is within policy->radius bits. `policy` NULL: radius 31,
 *  quality 50, query 80 %, compared 0 %. A brute-force reference: the scanner
 *  gets the same numbers through the set's index. HM_E_NO_MEMORY when the
 *  lists cannot be prepared. */
static inline HM_NODISCARD hm_status hm_vpdq_compare(const hm_vpdq_frame *query,
                                                     size_t query_count,
                                                     const hm_vpdq_frame *compared,
                                                     size_t compared_count,
                                                     const hm_set_policy *policy,
                                                     hm_vpdq_comparison *out)
{
    return hm_vpdq_compare_sized(query, query_count, compared, compared_count, policy,
                                 sizeof(hm_set_policy), out, sizeof(hm_vpdq_comparison));
}

/** Collects entries and writes an unsigned set. Not thread-safe. */
typedef struct hm_set_builder hm_set_builder;

/** Makes an empty builder: version 1, no name, no categories, default
 *  policies. HM_E_NO_MEMORY when allocation fails. */
HM_API HM_NODISCARD hm_status hm_set_builder_new(hm_set_builder **out);
/** Releases a builder. NULL is accepted. */
HM_API void hm_set_builder_free(hm_set_builder *b);

/** Sets the set's name (required, non-empty). Text is UTF-8 without control
 *  or bidirectional formatting characters (docs/FORMAT.md). */
HM_API HM_NODISCARD hm_status hm_set_builder_set_name(hm_set_builder *b, const char *name,
                                                      hm_error *err);
/** Sets the issuer (optional; "" for none), same text rules as the name. */
HM_API HM_NODISCARD hm_status hm_set_builder_set_issuer(hm_set_builder *b, const char *issuer,
                                                        hm_error *err);
/** Sets the set version (>= 1, checked at build; default 1). */
HM_API void hm_set_builder_set_version(hm_set_builder *b, uint64_t version);
/** Sets the creation and expiry times, Unix seconds UTC (expires > created,
 *  checked at build). */
HM_API void hm_set_builder_set_times(hm_set_builder *b, uint64_t created, uint64_t expires);
/** Records the previous version's content digest (the hash chain); NULL
 *  clears it. */
HM_API void hm_set_builder_set_previous(hm_set_builder *b,
                                        const uint8_t digest[HM_SET_DIGEST_BYTES]);

/** Appends a category to the closed list and returns its index. Names are
 *  unique and non-empty. */
HM_API HM_NODISCARD hm_status hm_set_builder_add_category(hm_set_builder *b, const char *name,
                                                          unsigned *index, hm_error *err);

HM_API HM_NODISCARD hm_status hm_set_builder_set_policy_sized(hm_set_builder *b, hm_algo algo,
                                                              const hm_set_policy *policy,
                                                              size_t policy_size, hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS
/** Sets the match policy of `algo` (default: hm_set_policy_default). */
static inline HM_NODISCARD hm_status hm_set_builder_set_policy(hm_set_builder *b, hm_algo algo,
                                                               const hm_set_policy *policy,
                                                               hm_error *err)
{
    return hm_set_builder_set_policy_sized(b, algo, policy, sizeof(hm_set_policy), err);
}
#endif

/** Adds an entry. `category` is an index from hm_set_builder_add_category,
 *  `attesters` 1..65535, `external_id` may be NULL. All-zero PDQ hashes are
 *  refused. The same hash added twice is merged: the categories must agree,
 *  the attester count is the larger one (counts are never summed: two lines
 *  may come from one organisation), and of two external ids at most one may
 *  be non-empty (HM_E_SET_DUPLICATE_ENTRY otherwise, at build). */
HM_API HM_NODISCARD hm_status hm_set_builder_add(hm_set_builder *b, hm_algo algo,
                                                 const uint8_t *hash, unsigned category,
                                                 unsigned attesters, const char *external_id,
                                                 hm_error *err);

/** Adds a video to the vPDQ section: its frames in the order hashed (frame
 *  numbers, when known, strictly ascending), of which the first occurrence of
 *  each hash is kept with its quality, as python-threatexchange does; frames
 *  under the quality floor are kept (the floor applies when matching). The
 *  same frame list added twice is merged like an entry (categories agree,
 *  larger attester count, at most one external id). Timestamps are stored in
 *  milliseconds as printf("%.3f") writes them. */
HM_API HM_NODISCARD hm_status hm_set_builder_add_video(hm_set_builder *b,
                                                       const hm_vpdq_frame *frames, size_t count,
                                                       unsigned category, unsigned attesters,
                                                       const char *external_id, hm_error *err);

/** Adds a hash to the allowlist of `algo` (duplicates are merged). For vPDQ
 *  these are frame hashes (a black frame, a channel logo): frames within the
 *  allowlist radius of one take no part in video matching. */
HM_API HM_NODISCARD hm_status hm_set_builder_allow(hm_set_builder *b, hm_algo algo,
                                                   const uint8_t *hash, hm_error *err);

/** Sorts, merges and writes the unsigned set into a new buffer (*data,
 *  *size; release with hm_buffer_free). The builder can be reused. */
HM_API HM_NODISCARD hm_status hm_set_builder_build(hm_set_builder *b, uint8_t **data,
                                                   size_t *size, hm_error *err);

/** Checks a set's framing, digest and structure, then returns a copy with
 *  one more signature by `secret_key` appended (*out, *out_size; release
 *  with hm_buffer_free). The content and its digest are unchanged.
 *  HM_E_SET_DUPLICATE_KEY when this key already signed it. */
HM_API HM_NODISCARD hm_status hm_set_sign(const void *data, size_t size,
                                          const uint8_t secret_key[HM_ED25519_SECRET_BYTES],
                                          uint8_t **out, size_t *out_size, hm_error *err);

/** Releases a buffer returned by the library. NULL is accepted. */
HM_API void hm_buffer_free(void *data);

/* ---- delta updates (docs/FORMAT.md section 11, docs/TRUST.md section 8) ----
 *
 * A delta turns one release of a set into the next without sending the
 * whole file: added entries travel as raw bytes with their metadata,
 * removed ones as compactly coded positions, and the new set's signature
 * block is copied in. A delta is never trusted: applying it rebuilds the
 * complete new file and verifies it exactly as hm_set_open does, and also
 * requires that its version is above the old set's and that it names the
 * old set's content digest as its previous version (the hash chain). So a
 * delta can never make a device accept a set its publishers did not sign. */

#define HM_DELTA_FORMAT_VERSION 1

/* The sized entry points behind hm_set_apply_delta and
 * hm_set_apply_delta_file: `opt_size` is the caller's
 * sizeof(hm_set_open_options) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_set_apply_delta_sized(const void *old_data, size_t old_size,
                                                       const void *delta, size_t delta_size,
                                                       const hm_set_open_options *opt,
                                                       size_t opt_size, uint8_t **new_data,
                                                       size_t *new_size, hm_error *err);
HM_API HM_NODISCARD hm_status hm_set_apply_delta_file_sized(const char *old_path,
                                                            const char *delta_path,
                                                            const char *new_path,
                                                            const hm_set_open_options *opt,
                                                            size_t opt_size, hm_set **out,
                                                            hm_error *err);

/** For publishers: makes the delta from the set file `old_data` to the set
 *  file `new_data` (both are checked as hm_set_open_unverified does; the
 *  new one must name the old one's content digest as its previous version,
 *  HM_E_DELTA_CHAIN otherwise, and have a greater version,
 *  HM_E_SET_ROLLBACK otherwise). The delta carries the new file's
 *  signatures: sign the new set first. The delta is applied to the old set
 *  before it is returned and must rebuild the new file byte for byte.
 *  Release *delta with hm_buffer_free. */
HM_API HM_NODISCARD hm_status hm_set_delta_make(const void *old_data, size_t old_size,
                                                const void *new_data, size_t new_size,
                                                uint8_t **delta, size_t *delta_size,
                                                hm_error *err);

/** Applies a delta to the old set file held in memory and returns the new
 *  set file (*new_data, *new_size; release with hm_buffer_free) only after
 *  verifying it completely: the delta's framing and checksums
 *  (HM_E_DELTA_FORMAT, HM_E_DELTA_TRUNCATED, HM_E_DELTA_CORRUPT), that it
 *  was made for this old set (HM_E_DELTA_BASE), the new set's signatures
 *  against opt->trust before any work, the rebuilt content's digest
 *  (HM_E_DELTA_RESULT), then everything hm_set_open checks with a minimum
 *  version of max(opt->min_version, old version + 1), and the hash chain
 *  (HM_E_DELTA_CHAIN). Memory: the caller's buffers plus the new file. */
static inline HM_NODISCARD hm_status hm_set_apply_delta(const void *old_data, size_t old_size,
                                                        const void *delta, size_t delta_size,
                                                        const hm_set_open_options *opt,
                                                        uint8_t **new_data, size_t *new_size,
                                                        hm_error *err)
{
    return hm_set_apply_delta_sized(old_data, old_size, delta, delta_size, opt,
                                    sizeof(hm_set_open_options), new_data, new_size, err);
}

/** hm_set_apply_delta with files: the old set and the delta are read front
 *  to back through 2 MiB buffers (never whole), the new file is rebuilt in
 *  memory, verified, and only then written to `new_path` through a
 *  temporary file in the same directory renamed over it (new_path may be
 *  old_path: on any failure the old file is untouched; an existing
 *  new_path that is not a regular file is refused with
 *  HM_E_NOT_REGULAR_FILE). When `out` is not
 *  NULL it receives the verified set, opened from the same memory. Peak
 *  memory: the new set's file size plus about 4 MiB of buffers, one bit per
 *  entry of the largest section changed, and the largest Golomb-Rice coded
 *  list of the delta. */
static inline HM_NODISCARD hm_status hm_set_apply_delta_file(const char *old_path,
                                                             const char *delta_path,
                                                             const char *new_path,
                                                             const hm_set_open_options *opt,
                                                             hm_set **out, hm_error *err)
{
    return hm_set_apply_delta_file_sized(old_path, delta_path, new_path, opt,
                                         sizeof(hm_set_open_options), out, err);
}

/* ======================================================================== */
/* Matching and scanning                                                    */
/* ======================================================================== */

/* HM-MATCH-API */

/** SIMD tiers of the matching kernels (Hamming-distance scans and pair
 *  histograms). Values are pinned. The library picks the widest tier the CPU
 *  and OS support at run time; each tier gives bit-identical results. */
typedef enum hm_match_tier {
    HM_MATCH_TIER_SCALAR = 0, /* portable C, any CPU */
    HM_MATCH_TIER_AVX2 = 1,   /* x86-64: AVX2 and POPCNT, YMM state saved by the OS */
    HM_MATCH_TIER_AVX512 = 2, /* x86-64: AVX-512 F/BW/VL/VPOPCNTDQ, ZMM state saved */
    HM_MATCH_TIER_NEON = 3    /* 64-bit ARM (always present there) */
} hm_match_tier;

#define HM_MATCH_TIER_COUNT 4

/** Lowercase name of a tier ("scalar", "avx2", "avx512", "neon"), or NULL
 *  for an unknown value. */
HM_API const char *hm_match_tier_name(hm_match_tier tier);

/** 1 when this build and this CPU can run `tier`, 0 otherwise. The CPU is
 *  probed once (CPUID and XGETBV on x86-64), thread-safely. */
HM_API int hm_match_tier_available(hm_match_tier tier);

/** The widest tier this CPU runs: the one the library uses. */
HM_API hm_match_tier hm_match_best_tier(void);

/** The CPU features the matching kernels detected, widest first, separated
 *  by spaces: e.g. "avx512-vpopcntdq avx2 popcnt", "neon", or "none".
 *  A static string; never NULL. */
HM_API const char *hm_cpu_features(void);

/* ---- scanner ---- */

/* A scanner matches images against one verified set. It is built once from
 * the set and is then immutable as far as its caller can tell: any number of
 * threads may scan with it at once and every scan gives the same report
 * whichever way it was matched. It holds pointers into the set, which must
 * outlive it. Every policy (radius, PDQ variant and minimum quality,
 * allowlist radius, attester minimum) comes from the set: the publisher
 * chooses it, within the ceilings the app sets (hm_policy_limits). A scan
 * only reports to its caller.
 *
 * Perceptual sections are matched either by a brute-force scan of their
 * codes or through a Hamming-radius index (docs/MATCHING.md). Building the
 * index of a large set costs as much as a few hundred brute-force queries,
 * so by default (HM_INDEX_AUTO) a scanner starts matching by brute force at
 * once and builds the index only when the queries amortise it; see
 * hm_index_policy. */
typedef struct hm_scanner hm_scanner;

/** When a scanner builds the index of a perceptual section
 *  (hm_scanner_options.index). Values are pinned. */
typedef enum hm_index_policy {
    /** Default. Matching starts by brute force at once. With
     *  `expected_queries` set, hm_scanner_new builds the index when that many
     *  queries amortise its build, and never otherwise. Without it, the index
     *  is built once the queries made reach the break-even count (the build
     *  time over the time each query saves): on one background thread that
     *  the scanner starts then and hm_scanner_free stops and joins (queries
     *  go on by brute force meanwhile and switch to the index when it is
     *  published), or, with `no_threads`, in the call that reaches the count.
     *  docs/MATCHING.md, "When the index is built", gives the break-even
     *  points that `hashmatch bench match` measures. */
    HM_INDEX_AUTO = 0,
    /** Built in hm_scanner_new, on `build_threads` threads. */
    HM_INDEX_ALWAYS = 1,
    /** Never built: every query is a brute-force scan (the least memory). */
    HM_INDEX_NEVER = 2
} hm_index_policy;

/** Which index a scanner builds (hm_scanner_options.index_mode). Values are
 *  pinned; docs/MATCHING.md, "Index modes", gives each mode's measured
 *  memory and latency. */
typedef enum hm_index_mode {
    /** Default: the lowest latency, within 64 bytes per entry beside the
     *  set's own codes. */
    HM_INDEX_FAST = 0,
    /** Less memory per entry (32 bytes by default, see
     *  hm_scanner_options.index_bytes_per_entry), at a higher latency. */
    HM_INDEX_COMPACT = 1
} hm_index_mode;

/** Scanner options. Zero-initialise; zero fields take defaults. */
typedef struct hm_scanner_options {
    /** Match only these algorithms (HM_MASK bits); 0: every algorithm the
     *  set holds. */
    uint32_t algos;
    /** Non-zero: match PDQ's 8 dihedral hashes (rotated and flipped copies)
     *  in the same pass; a match reports the variant that was closest. */
    int pdq_dihedral;
    /** Decoder options for hm_scanner_scan_buffer/_file. */
    hm_decode_options decode;
    /** Non-zero: run the kernels of `tier` (which must be available)
     *  instead of the widest one (benchmarks and tests). */
    int force_tier;
    hm_match_tier tier;
    /** Threads that build the index in hm_scanner_new (the tables are built
     *  in parallel); 0 or 1: only the calling thread. */
    unsigned build_threads;
    /** Ceilings on the policy of the sections this scanner matches (zero
     *  fields: the library defaults, not the limits the set was opened
     *  with): beyond them hm_scanner_new fails with HM_E_SET_POLICY. */
    hm_policy_limits limits;
    /** Video files (hm_scanner_scan_buffer/_file sniff them with
     *  hm_video_sniff): conversion mode, hashing threads, limits and nothing
     *  else. The sampling interval comes from the set's vPDQ section (every
     *  frame without one), frames are hashed at their own size, and the
     *  digests the set holds are computed; seconds_per_hash, size and
     *  digests are ignored here. The frames of an animated GIF, APNG or WebP
     *  are hashed under these limits too, except that a zero
     *  max_decoded_bytes means HM_DEFAULT_ANIMATION_MAX_DECODED_BYTES. */
    hm_video_options video;

    /* ---- Index policy and mode (docs/MATCHING.md). Zero: HM_INDEX_AUTO,
     * HM_INDEX_FAST, expected queries unknown, background build allowed. ---- */
    /** When the index is built: HM_INDEX_AUTO, HM_INDEX_ALWAYS, HM_INDEX_NEVER. */
    hm_index_policy index;
    /** Which index: HM_INDEX_FAST or HM_INDEX_COMPACT. */
    hm_index_mode index_mode;
    /** HM_INDEX_AUTO: the number of images (queries) the app expects to scan
     *  with this scanner, e.g. the files of a batch; 0: unknown. */
    uint64_t expected_queries;
    /** Non-zero: the scanner never starts a thread of its own (see
     *  HM_INDEX_AUTO). */
    int no_threads;
    /** HM_INDEX_COMPACT: the most index memory per entry, in bytes, beside
     *  the set's own codes and metadata; 0: 32. Less memory means slower
     *  queries (docs/MATCHING.md, "Index modes"). */
    unsigned index_bytes_per_entry;
} hm_scanner_options;

/* The sized entry point behind hm_scanner_new: `opt_size` is the caller's
 * sizeof(hm_scanner_options) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_scanner_new_sized(const hm_set *set,
                                                   const hm_scanner_options *opt,
                                                   size_t opt_size, hm_scanner **out,
                                                   hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS
/** Builds a scanner for a set opened with hm_set_open or hm_set_open_file.
 *  Refuses unverified sets (HM_E_INVALID_ARGUMENT), sets holding none of
 *  the requested algorithms (HM_E_SCAN_NO_ALGORITHM) and sets whose policy
 *  for a requested algorithm exceeds opt->limits (HM_E_SET_POLICY). A set
 *  whose sections for the requested algorithms hold no active entry (all
 *  empty, or every entry below the set's min_attesters) is refused too
 *  (HM_E_SCAN_NO_ALGORITHM): such a scanner would call every file clean. */
static inline HM_NODISCARD hm_status hm_scanner_new(const hm_set *set,
                                                    const hm_scanner_options *opt,
                                                    hm_scanner **out, hm_error *err)
{
    return hm_scanner_new_sized(set, opt, sizeof(hm_scanner_options), out, err);
}
#endif

/** Releases a scanner. NULL is accepted. A background index build (see
 *  HM_INDEX_AUTO) is stopped and its thread joined first: the call may take
 *  as long as building one index table (about 0.3 s at 10M PDQ entries).
 *  No thread of the scanner outlives it. */
HM_API void hm_scanner_free(hm_scanner *scanner);

/** Algorithms this scanner matches (HM_MASK bits). */
HM_API uint32_t hm_scanner_algos(const hm_scanner *scanner);

/** Bytes of index memory the scanner owns (the set's own bytes not counted):
 *  the indexes built so far. */
HM_API size_t hm_scanner_index_memory(const hm_scanner *scanner);

/** 1 when queries of `algo` go through the index at the set's radius, 0 when
 *  they are brute-force scans: the index is not built (HM_INDEX_NEVER, or
 *  HM_INDEX_AUTO before the break-even point), a scan is cheaper (small
 *  sets, large radii), or for digests. */
HM_API int hm_scanner_uses_index(const hm_scanner *scanner, hm_algo algo);

/** A scanner's memory by part, in bytes. The set's private copy of the file
 *  is counted once, split into the parts the scanner uses. */
typedef struct hm_scanner_memory_usage {
    size_t codes;    /* the hash arrays of the sections the scanner matches */
    size_t metadata; /* their per-entry metadata (8 bytes per entry) */
    size_t set_rest; /* the rest of the set's copy: header, strings, allowlists,
                        signatures, sections the scanner does not match */
    size_t index;    /* indexes built so far (hm_scanner_index_memory) */
    size_t total;    /* the sum of the above */
} hm_scanner_memory_usage;

/** Fills *out with the scanner's memory by part (zeroes for NULL). */
HM_API void hm_scanner_memory(const hm_scanner *scanner, hm_scanner_memory_usage *out);

/** One entry of the set that an image matched. */
typedef struct hm_match {
    hm_algo algo;
    size_t entry;              /* index for hm_set_entry_get(set, algo, entry) */
    unsigned distance;         /* Hamming distance (0 for digests) */
    unsigned dihedral;         /* PDQ with pdq_dihedral: 0 orig, 1 rot90, ... 7 flipminus1 */
    unsigned category;         /* index into the set's category list */
    const char *category_name; /* points into the set */
    unsigned attesters;
    const char *external_id;   /* "" when none; points into the set */
} hm_match;

/** The result of one scan: the matches, the matches the allowlist
 *  suppressed, whether PDQ was skipped, and the image's hashes. */
typedef struct hm_report hm_report;

/** Scans encoded image bytes: digests of the bytes, one decode, every
 *  perceptual hash the set holds (PDQ in the set's variant), then matching.
 *  Bytes that do not decode (an HM_E_IMAGE_* status) are still matched by
 *  their digests when the scanner has digest algorithms: if one matches, the
 *  result is HM_OK with those matches (hm_report_hashes then holds only the
 *  digest bits); if none does, the decoding status is returned. An animated
 *  GIF, APNG or WebP has its first frame scanned as an image and, when the set has
 *  PDQ or vPDQ sections, every frame matched as a video's frames too
 *  (hm_report_video holds them): a listed picture in a later frame is an
 *  HM_VIDEO_MATCH_FRAMES_IMAGE match. An image with an EXIF orientation
 *  (2..8) that decode.apply_exif_orientation does not apply is matched as
 *  stored and as displayed (each entry once, at the smaller distance;
 *  hm_report_hashes holds the stored pixels' hashes). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_buffer(const hm_scanner *scanner, const void *data,
                                                     size_t size, hm_report **out,
                                                     hm_error *err);

/** Scans a file as hm_scanner_scan_buffer scans its bytes. It is opened
 *  without blocking and must be a regular file (HM_E_NOT_REGULAR_FILE
 *  otherwise). A video is streamed from the file (no size limit but the
 *  video limits); anything else is read whole, at most
 *  opt->decode.max_file_bytes (HM_E_FILE_TOO_LARGE). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_file(const hm_scanner *scanner, const char *path,
                                                   hm_report **out, hm_error *err);

/** hm_scanner_scan_file on a descriptor the caller opened (an Android
 *  content URI's file descriptor, a file found by openat). The file is read
 *  from its start (its position may move) and is not closed; `name` (may be
 *  NULL) appears in error messages. */
HM_API HM_NODISCARD hm_status hm_scanner_scan_fd(const hm_scanner *scanner, int fd,
                                                 const char *name, hm_report **out,
                                                 hm_error *err);

/** Scans an already decoded image (perceptual hashes only: there are no
 *  file bytes to digest). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_image(const hm_scanner *scanner,
                                                    const hm_image *img, hm_report **out,
                                                    hm_error *err);

/* The sized entry point behind hm_scanner_scan_pixels (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_pixels_sized(const hm_scanner *scanner,
                                                           const hm_pixels *px, size_t px_size,
                                                           hm_report **out, hm_error *err);

/** Scans pixels the caller holds (a camera frame, a platform bitmap) without
 *  copying them: hm_hash_pixels with the scanner's algorithms, PDQ variant
 *  and decoder limits, then matching, as hm_scanner_scan_image does. */
static inline HM_NODISCARD hm_status hm_scanner_scan_pixels(const hm_scanner *scanner,
                                                            const hm_pixels *px,
                                                            hm_report **out, hm_error *err)
{
    return hm_scanner_scan_pixels_sized(scanner, px, sizeof(hm_pixels), out, err);
}

/* The sized entry point behind hm_scanner_scan_hashes: `h_size` is the
 * caller's sizeof(hm_hashes) (docs/ABI.md). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_hashes_sized(const hm_scanner *scanner,
                                                           const hm_hashes *h, size_t h_size,
                                                           hm_report **out, hm_error *err);

#ifndef HM__ABI_COMPAT_DEFINITIONS
/** Matches hashes computed elsewhere (h->algos says which are valid; PDQ
 *  dihedral hashes are used when present and requested). */
static inline HM_NODISCARD hm_status hm_scanner_scan_hashes(const hm_scanner *scanner,
                                                            const hm_hashes *h,
                                                            hm_report **out, hm_error *err)
{
    return hm_scanner_scan_hashes_sized(scanner, h, sizeof(hm_hashes), out, err);
}
#endif

/** Scans a video hashed elsewhere (hm_video_hash_*, hm_video_from_frames):
 *  its frames against the set's videos and image PDQ entries, and the
 *  digests it carries (hm_video_info.digests) against the digest entries. */
HM_API HM_NODISCARD hm_status hm_scanner_scan_video(const hm_scanner *scanner,
                                                    const hm_video *video, hm_report **out,
                                                    hm_error *err);

/** hm_scanner_scan_buffer, _file, _image and _fd hashing with `hasher`'s kept
 *  working memory (one hasher per thread; NULL: as without). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_buffer_with(const hm_scanner *scanner,
                                                          hm_hasher *hasher, const void *data,
                                                          size_t size, hm_report **out,
                                                          hm_error *err);
HM_API HM_NODISCARD hm_status hm_scanner_scan_file_with(const hm_scanner *scanner,
                                                        hm_hasher *hasher, const char *path,
                                                        hm_report **out, hm_error *err);
HM_API HM_NODISCARD hm_status hm_scanner_scan_image_with(const hm_scanner *scanner,
                                                         hm_hasher *hasher, const hm_image *img,
                                                         hm_report **out, hm_error *err);
HM_API HM_NODISCARD hm_status hm_scanner_scan_fd_with(const hm_scanner *scanner,
                                                      hm_hasher *hasher, int fd, const char *name,
                                                      hm_report **out, hm_error *err);

/** Number of matches (allowlisted ones excluded), ordered by algorithm id,
 *  then entry. */
HM_API size_t hm_report_match_count(const hm_report *report);

/** Match i (< hm_report_match_count), or NULL. */
HM_API const hm_match *hm_report_match(const hm_report *report, size_t i);

/** Number of matches the set's allowlist suppressed: the image was within
 *  the allowlist radius of a known false positive. They are never matches. */
HM_API size_t hm_report_suppressed_count(const hm_report *report);

/** Suppressed match i (< hm_report_suppressed_count), or NULL. */
HM_API const hm_match *hm_report_suppressed(const hm_report *report, size_t i);

/** 1 when PDQ was not matched because the image's PDQ quality is below the
 *  set's minimum (featureless images give unreliable PDQ hashes). */
HM_API int hm_report_pdq_skipped(const hm_report *report);

/** The hashes the scan computed (or was given). */
HM_API const hm_hashes *hm_report_hashes(const hm_report *report);

/* ---- video matches ---- */

/** What a video match relates. */
typedef enum hm_video_match_kind {
    /** The scanned video matches a listed video (algo HM_ALGO_VPDQ) by
     *  python-threatexchange's rule: the percentages reach the set's policy. */
    HM_VIDEO_MATCH_VIDEO = 1,
    /** Frames of the scanned video match a listed image (algo HM_ALGO_PDQ):
     *  each frame is a query of the PDQ section with its policy. */
    HM_VIDEO_MATCH_FRAMES_IMAGE = 2,
    /** The scanned image's PDQ hash matches frames of a listed video (algo
     *  HM_ALGO_VPDQ), with the vPDQ section's frame radius and quality floor. */
    HM_VIDEO_MATCH_IMAGE_FRAME = 3
} hm_video_match_kind;

/** A scanned frame and a listed frame within the radius. For an image the
 *  query side is frame 0 at 0 s; for a listed image the set side is too. */
typedef struct hm_frame_pair {
    uint32_t query_frame;
    double query_timestamp;   /* seconds */
    uint32_t set_frame;       /* HM_VPDQ_FRAME_UNKNOWN when the list did not say */
    double set_timestamp;     /* seconds (the set keeps milliseconds) */
    unsigned distance;
} hm_frame_pair;

#define HM_VIDEO_MAX_PAIRS 8

/** One listed video or image that a scan matched through frames. */
typedef struct hm_video_match {
    hm_video_match_kind kind;
    hm_algo algo;              /* HM_ALGO_VPDQ: entry is a listed video; HM_ALGO_PDQ: an image */
    size_t entry;
    unsigned category;
    const char *category_name; /* points into the set */
    unsigned attesters;
    const char *external_id;   /* "" when none; points into the set */
    unsigned distance;         /* the smallest frame distance */
    /* Counts and percentages (see hm_vpdq_comparison). For FRAMES_IMAGE the
     * query side counts the scanned frames that took part and matched, and
     * the compared side is 1 of 1; for IMAGE_FRAME the query side is 1 of 1
     * and the compared side counts the listed video's frames. */
    size_t query_matched, query_total, compared_matched, compared_total;
    double query_pct, compared_pct;
    /* The closest pairs, one per matched scanned frame (its nearest listed
     * frame), by distance then scanned frame: at most HM_VIDEO_MAX_PAIRS. */
    size_t pair_count;
    hm_frame_pair pairs[HM_VIDEO_MAX_PAIRS];
} hm_video_match;

/** Number of video matches, ordered by kind, then entry. */
HM_API size_t hm_report_video_match_count(const hm_report *report);

/** Video match i (< hm_report_video_match_count), or NULL. */
HM_API const hm_video_match *hm_report_video_match(const hm_report *report, size_t i);

/** The scanned video (frames, info) when the scan was of a video, else NULL. */
HM_API const hm_video *hm_report_video(const hm_report *report);

/** 1 when a video was not matched against the set's videos because none of
 *  its frames reached the vPDQ quality floor (or all were allowlisted). */
HM_API int hm_report_vpdq_skipped(const hm_report *report);

/** 1 when the scanned video file was cut short (bytes missing at its end:
 *  an MP4 box, Matroska segment or AVI chunk ends past the data, or a
 *  packet is cut) and its matches come from the frames that were there. A
 *  cut video with no match is not a report but HM_E_VIDEO_TRUNCATED, so a
 *  listed video with bytes cut off is caught, and an unlisted one is never
 *  a clean scan. */
HM_API int hm_report_video_truncated(const hm_report *report);

/** Releases a report. NULL is accepted. */
HM_API void hm_report_free(hm_report *report);

#ifdef __cplusplus
}
#endif

#endif /* HASHMATCH_H */
