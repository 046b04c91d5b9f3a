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

    /* matching and scanning: 80..99 */
    HM_E_SCAN_NO_ALGORITHM = 80 /* the set holds nothing this scanner can match */
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
 *  (e.g. libjpeg's own diagnosis). */
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
    HM_ALGO_SHA256 = 8
} hm_algo;

#define HM_ALGO_COUNT 8 /* ids are 1..HM_ALGO_COUNT */

/** Bit masks selecting algorithms: HM_MASK(HM_ALGO_PDQ) | ... */
#define HM_MASK(algo) (1u << (unsigned)(algo))
#define HM_MASK_PERCEPTUAL                                                                     \
    (HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_AHASH) | HM_MASK(HM_ALGO_DHASH) |                  \
     HM_MASK(HM_ALGO_PHASH) | HM_MASK(HM_ALGO_WHASH))
#define HM_MASK_DIGESTS (HM_MASK(HM_ALGO_MD5) | HM_MASK(HM_ALGO_SHA1) | HM_MASK(HM_ALGO_SHA256))
#define HM_MASK_ALL (HM_MASK_PERCEPTUAL | HM_MASK_DIGESTS)

/** Lowercase name of an algorithm ("pdq", "ahash", ..., "sha256"), or NULL
 *  for an unknown id. */
HM_API const char *hm_algo_name(hm_algo algo);

/** Parses an algorithm name (case-sensitive, as hm_algo_name prints it).
 *  Returns HM_OK and sets *out, or HM_E_PARSE. */
HM_API HM_NODISCARD hm_status hm_algo_from_name(const char *name, hm_algo *out);

/** Parses a comma-separated list of algorithm names, or "all", into a mask.
 *  Returns HM_E_PARSE on an unknown name or empty list. */
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
 *  means its default. */
typedef struct hm_decode_options {
    /** Refuse images with more pixels than this (checked from the header,
     *  before any large allocation). 0 means HM_DEFAULT_MAX_PIXELS. */
    uint64_t max_pixels;
    /** Non-zero: rotate/flip the pixels as the EXIF Orientation tag says.
     *  Default 0, as the PDQ and imagehash references do. */
    int apply_exif_orientation;
} hm_decode_options;

/** A decoded image: 8-bit samples, 1 channel (grey) or 3 (RGB), rows packed
 *  (stride == width * channels). Alpha is dropped without compositing,
 *  exactly as the PDQ and imagehash references do. */
typedef struct hm_image hm_image;

/** Decodes an image held in memory. The format is sniffed from the bytes.
 *  `opt` may be NULL for defaults. On success *out owns the pixels; the input
 *  buffer can be released immediately. The pixels equal what Pillow decodes
 *  (docs/DECODING.md: colour handling, 16-bit samples, GIF/WebP first frame).
 *  Truncated data gives HM_E_IMAGE_TRUNCATED, damaged data HM_E_IMAGE_CORRUPT,
 *  more pixels than the limit HM_E_IMAGE_TOO_LARGE; nothing is printed. */
HM_API HM_NODISCARD hm_status hm_image_decode(const void *data, size_t size,
                                              const hm_decode_options *opt, hm_image **out,
                                              hm_error *err);

/** Reads and decodes a file (see hm_image_decode). */
HM_API HM_NODISCARD hm_status hm_image_load(const char *path, const hm_decode_options *opt,
                                            hm_image **out, hm_error *err);

/** Wraps pixels the caller already has (e.g. from a platform decoder):
 *  `channels` is 1 (grey) or 3 (RGB), `stride` the bytes between rows
 *  (>= width*channels). The pixels are copied. */
HM_API HM_NODISCARD hm_status hm_image_from_pixels(uint32_t width, uint32_t height,
                                                   unsigned channels, const uint8_t *pixels,
                                                   size_t stride, hm_image **out);

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

/** Hashes encoded bytes held in memory: the bytes feed the digests and are
 *  decoded once for every perceptual hash requested. If only digests are
 *  requested the bytes are not decoded at all. */
HM_API HM_NODISCARD hm_status hm_hash_buffer(const void *data, size_t size,
                                             const hm_hash_options *opt, hm_hashes *out,
                                             hm_error *err);

/** Reads a file once and hashes it as hm_hash_buffer does. */
HM_API HM_NODISCARD hm_status hm_hash_file(const char *path, const hm_hash_options *opt,
                                           hm_hashes *out, hm_error *err);

/** Computes the perceptual hashes of `opt->algos` for a decoded image, with one
 *  luma pass serving every algorithm. Digest bits in `opt->algos` are ignored
 *  (there are no file bytes to digest). */
HM_API HM_NODISCARD hm_status hm_hash_image(const hm_image *img, const hm_hash_options *opt,
                                            hm_hashes *out, hm_error *err);

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

/** A chain of edits applied in order (`jpeg:75+scale:0.5` in text). */
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

/* ---- trust policy and opening ---- */

/** Whom the app trusts: `key_count` Ed25519 public keys (distinct, at most
 *  HM_SET_MAX_TRUSTED_KEYS) of which at least `threshold` (1..key_count) must
 *  have signed the set. */
typedef struct hm_trust {
    const uint8_t (*keys)[HM_ED25519_PUBLIC_BYTES];
    size_t key_count;
    unsigned threshold;
    /** 0 (default, strict): a signature by a key outside `keys` rejects the
     *  set with HM_E_SET_UNKNOWN_KEY. Non-zero: such signatures are ignored
     *  (TUF's rule; useful while rotating keys). See docs/TRUST.md. */
    int allow_unknown_keys;
} hm_trust;

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
} hm_set_open_options;

/** A verified, immutable fingerprint set. Safe to share between threads. */
typedef struct hm_set hm_set;

/** Verifies and opens a set held in memory. The bytes are copied into private
 *  memory and hashed as they are copied, so later changes to `data` cannot
 *  affect the verified set. Checks, in order (docs/FORMAT.md, "Verification"):
 *  framing, content digest, signatures against opt->trust, header fields,
 *  version >= opt->min_version, creation and expiry times, then every
 *  structure. On failure *out is NULL and err names what failed. */
HM_API HM_NODISCARD hm_status hm_set_open(const void *data, size_t size,
                                          const hm_set_open_options *opt, hm_set **out,
                                          hm_error *err);

/** Reads a set file into private memory (never a shared mapping: another
 *  process could change a mapped file after it was verified) and verifies it
 *  as hm_set_open does. */
HM_API HM_NODISCARD hm_status hm_set_open_file(const char *path, const hm_set_open_options *opt,
                                               hm_set **out, hm_error *err);

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
} hm_set_section;

/** The section of `algo`, or NULL when the set has none. Owned by the set. */
HM_API const hm_set_section *hm_set_section_get(const hm_set *set, hm_algo algo);

/** One entry, pointing into the set (valid until hm_set_free). */
typedef struct hm_set_entry {
    const uint8_t *hash;       /* hm_algo_hash_size(algo) bytes */
    unsigned category;         /* index into the category list */
    const char *category_name;
    unsigned attesters;        /* independent organisations that attested it (>= 1) */
    const char *external_id;   /* "" when none */
    int active;                /* 0 when attesters < min_attesters: never matched */
} hm_set_entry;

/** Entry `index` (0..entry_count-1; entries are in ascending hash order) of
 *  the section of `algo`. HM_E_INVALID_ARGUMENT when absent or out of range. */
HM_API HM_NODISCARD hm_status hm_set_entry_get(const hm_set *set, hm_algo algo, size_t index,
                                               hm_set_entry *out);

/** Allowlist hash `index` of `algo` (ascending order), NULL when out of range. */
HM_API const uint8_t *hm_set_allow_get(const hm_set *set, hm_algo algo, size_t index);

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
    unsigned min_quality;  /* PDQ: 0..100; others 0 */
} hm_set_policy;

/** The defaults: PDQ fullres radius 31, min quality 50; the 64-bit imagehash
 *  family radius 10; digests exact. allow_radius equals radius. */
HM_API void hm_set_policy_default(hm_algo algo, hm_set_policy *out);

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

/** Sets the match policy of `algo` (default: hm_set_policy_default). */
HM_API HM_NODISCARD hm_status hm_set_builder_set_policy(hm_set_builder *b, hm_algo algo,
                                                        const hm_set_policy *policy,
                                                        hm_error *err);

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

/** Adds a hash to the allowlist of `algo` (duplicates are merged). */
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
 * the set (building the Hamming-radius index of every perceptual section at
 * that moment: docs/MATCHING.md) and is then immutable: any number of
 * threads may scan with it at once. It holds pointers into the set, which
 * must outlive it. Every policy (radius, PDQ variant and minimum quality,
 * allowlist radius, attester minimum) comes from the set: the publisher
 * chooses it, not the app. A scan only reports to its caller. */
typedef struct hm_scanner hm_scanner;

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
     *  in parallel); 0 or 1: only the calling thread. The scanner starts no
     *  thread after it is built. */
    unsigned build_threads;
} hm_scanner_options;

/** Builds a scanner for a set opened with hm_set_open or hm_set_open_file.
 *  Refuses unverified sets (HM_E_INVALID_ARGUMENT) and sets holding none of
 *  the requested algorithms (HM_E_SCAN_NO_ALGORITHM). */
HM_API HM_NODISCARD hm_status hm_scanner_new(const hm_set *set, const hm_scanner_options *opt,
                                             hm_scanner **out, hm_error *err);

/** Releases a scanner. NULL is accepted. */
HM_API void hm_scanner_free(hm_scanner *scanner);

/** Algorithms this scanner matches (HM_MASK bits). */
HM_API uint32_t hm_scanner_algos(const hm_scanner *scanner);

/** Bytes of index memory the scanner owns (the set's own bytes not counted). */
HM_API size_t hm_scanner_index_memory(const hm_scanner *scanner);

/** 1 when queries of `algo` go through the index at the set's radius, 0 when
 *  a brute-force scan is cheaper (small sets, large radii) or for digests. */
HM_API int hm_scanner_uses_index(const hm_scanner *scanner, hm_algo algo);

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
 *  perceptual hash the set holds (PDQ in the set's variant), then matching. */
HM_API HM_NODISCARD hm_status hm_scanner_scan_buffer(const hm_scanner *scanner, const void *data,
                                                     size_t size, hm_report **out,
                                                     hm_error *err);

/** Reads a file once and scans it as hm_scanner_scan_buffer does. */
HM_API HM_NODISCARD hm_status hm_scanner_scan_file(const hm_scanner *scanner, const char *path,
                                                   hm_report **out, hm_error *err);

/** Scans an already decoded image (perceptual hashes only: there are no
 *  file bytes to digest). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_image(const hm_scanner *scanner,
                                                    const hm_image *img, hm_report **out,
                                                    hm_error *err);

/** Matches hashes computed elsewhere (h->algos says which are valid; PDQ
 *  dihedral hashes are used when present and requested). */
HM_API HM_NODISCARD hm_status hm_scanner_scan_hashes(const hm_scanner *scanner,
                                                     const hm_hashes *h, hm_report **out,
                                                     hm_error *err);

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

/** Releases a report. NULL is accepted. */
HM_API void hm_report_free(hm_report *report);

#ifdef __cplusplus
}
#endif

#endif /* HASHMATCH_H */
