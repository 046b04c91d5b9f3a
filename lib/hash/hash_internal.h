/* hash_internal.h - the hashing stages behind hm_hash_image (internal).
 *
 * hm_hash_image makes one working allocation and one luma pass over the decoded
 * pixels, which produces both luma planes at once:
 *   - PDQ luma: float, Y = (0.299f*R + 0.587f*G) + 0.114f*B, grey copied;
 *   - Pillow convert('L'): uint8, (19595*R + 38470*G + 7471*B + 0x8000) >> 16.
 * PDQ never holds its float plane whole: its filter pulls luma rows in blocks
 * and streams them through small ring buffers (see pdq.c), and the same pass
 * writes the Pillow plane that the imagehash family then works from. */
#ifndef HM_HASH_INTERNAL_H
#define HM_HASH_INTERNAL_H

#include "../image/pixels.h"
#include "ih_kernels.h"
#include "imagehash.h"

/* ---- luma (luma.c) ---- */

/* The PDQ luma of every possible byte, per channel: r[v] = 0.299f*(float)v etc.,
 * so that Y = (r[R] + g[G]) + b[B] is the reference's float expression. */
typedef struct hm__luma_tables {
    float r[256], g[256], b[256];
} hm__luma_tables;

void hm__luma_tables_init(hm__luma_tables *t);

/* Luma of rows y .. y+n-1 of the view: PDQ floats into pdq (n*width, packed)
 * and Pillow bytes into pil (n*width, packed); either may be NULL. Runs the
 * widest luma kernel this CPU has (ih_kernels.h). A view that is not packed
 * grey or RGB is read one row at a time through its scratch row. */
void hm__luma_rows(const hm__pixview *v, uint32_t y, uint32_t n, float *pdq, uint8_t *pil);

/* The whole image at once (one pass); either output may be NULL. */
void hm__luma(const hm_image *img, float *pdq_luma, uint8_t *pil_luma);

/* ---- PDQ (pdq.c) ---- */

/* A producer of PDQ luma rows for the streaming filter. `rows` returns n packed
 * rows starting at row y, each `width` floats: either written into `buf`
 * (room for n*width floats) or pointing into a plane the source already holds.
 * It is called with y ascending, n <= 8. */
typedef struct hm__pdq_source {
    uint32_t width, height;
    const float *(*rows)(void *ctx, uint32_t y, uint32_t n, float *buf);
    void *ctx;
} hm__pdq_source;

/* A source over a packed float plane (no copy). `ctx` must outlive the source. */
typedef struct hm__pdq_plane {
    const float *luma;
    uint32_t width;
} hm__pdq_plane;
hm__pdq_source hm__pdq_plane_source(hm__pdq_plane *ctx, const float *luma, uint32_t w,
                                    uint32_t h);

/* A source computing luma from a decoded image, and writing Pillow's plane
 * (width*height bytes) as a by-product when `pil` is not NULL. */
typedef struct hm__pdq_image_ctx {
    hm__pixview px;
    uint8_t *pil;          /* a whole Pillow plane to write, or NULL */
    struct hm__ih_stream *ih; /* or Pillow rows handed to the imagehash family, or NULL */
    hm__luma_tables tables;
} hm__pdq_image_ctx;
hm__pdq_source hm__pdq_image_source(hm__pdq_image_ctx *ctx, const hm_image *img, uint8_t *pil);
/* The same from any pixel view; Pillow's rows (when `ih` is not NULL) go to
 * the imagehash stream as they are computed. */
hm__pdq_source hm__pdq_pixels_source(hm__pdq_image_ctx *ctx, const hm__pixview *v,
                                     struct hm__ih_stream *ih);

/* The reference tool's squash as a source: when a side of `img` exceeds 512,
 * rows of exactly 512x512 pixels, out(x,y) = in(floor(x*W/512), floor(y*H/512)),
 * top-left aligned, aspect ignored (returns 1); otherwise the plain image
 * source (returns 0). */
typedef struct hm__pdq_squash_ctx {
    hm__pdq_image_ctx image;
    uint32_t col[512];
    uint32_t row[512];
} hm__pdq_squash_ctx;
int hm__pdq_cli512_source(hm__pdq_squash_ctx *ctx, const hm_image *img, hm__pdq_source *out);
int hm__pdq_cli512_pixels(hm__pdq_squash_ctx *ctx, const hm__pixview *v, hm__pdq_source *out);

/* A source over RGB24 rows `stride` bytes apart (video frames: the
 * converter's buffer may pad its rows). */
typedef struct hm__pdq_rgb_ctx {
    const uint8_t *rgb;
    size_t stride;
    uint32_t width;
} hm__pdq_rgb_ctx;
hm__pdq_source hm__pdq_rgb_source(hm__pdq_rgb_ctx *ctx, const uint8_t *rgb, size_t stride,
                                  uint32_t w, uint32_t h);

/* The luma of n RGB24 pixels into PDQ's floats, with the widest kernel this
 * CPU has (the same arithmetic as every other PDQ luma). */
void hm__luma_rgb_row(const uint8_t *rgb, size_t n, float *out);

/* Floats of scratch that the filter needs for a w x h source. */
size_t hm__pdq_work_floats(uint32_t w, uint32_t h);

/* Stage 1: the Jarosz tent filter (box passes X, Y, X, Y) and the decimation
 * to 64x64, streamed row block by row block. Only the 64 columns and 64 rows
 * that the decimation reads are ever divided out in the second round. The
 * source must be at least 5x5. */
void hm__pdq_filter(const hm__pdq_source *src, float *work, float out64[64 * 64]);
/* The same with the row steps of a given kernel table (tests compare the
 * tiers; every tier gives the same floats). */
struct hm__ih_kernels;
void hm__pdq_filter_k(const struct hm__ih_kernels *k, const hm__pdq_source *src, float *work,
                      float out64[64 * 64]);

/* Stage 2: the quality metric (0..100) of the 64x64 buffer. */
int hm__pdq_quality(const float a64[64 * 64]);

/* Stage 3: the 16x16 DCT coefficients B = D * A * D^T (float, k ascending). */
void hm__pdq_dct(const float a64[64 * 64], float b16[16 * 16]);

/* Stage 4: the median threshold and the 256 bits in hex order (the big-endian
 * 256-bit integer whose bit i*16+j is B[i][j] > median). */
void hm__pdq_bits(const float b16[16 * 16], uint8_t hash[HM_PDQ_BYTES]);

/* Stage 4 with the 8 dihedral variants: orig, rot90, rot180, rot270, flipx,
 * flipy, flipplus1, flipminus1, each with its own median. */
void hm__pdq_dihedral(const float b16[16 * 16], uint8_t hashes[HM_PDQ_DIHEDRAL_COUNT][HM_PDQ_BYTES]);

/* All stages: pulls every row of the source exactly once, in order, and sets out->pdq, out->pdq_quality and, when dihedral is non-zero,
 * out->pdq_dihedral and out->has_pdq_dihedral. Under 5 pixels on a side the
 * hashes are all zero with quality 0, as in the reference. */
void hm__pdq_hash_source(const hm__pdq_source *src, float *work, int dihedral, hm_hashes *out);

/* One frame as the vPDQ reference hashes it (its pdqHash256FromFloatLuma):
 * the stages above, except that a 64x64 source is used as the 64x64 buffer
 * directly, unfiltered. The source must be at least 5x5. */
void hm__pdq_hash_frame(const hm__pdq_source *src, float *work, uint8_t hash[HM_PDQ_BYTES],
                        int *quality);

/* All stages over a packed float plane. */
void hm__pdq_hash(const float *luma, uint32_t w, uint32_t h, float *work, int dihedral,
                  hm_hashes *out);

/* ---- imagehash family (imagehash.c) ---- */

/* Bytes of scratch hm__imagehash needs for a w x h L plane and `algos`. */
size_t hm__imagehash_work_bytes(uint32_t w, uint32_t h, uint32_t algos);

/* Computes the aHash/dHash/pHash/wHash bits of `algos` from the Pillow
 * convert('L') plane, into out->ahash etc. */
void hm__imagehash(const uint8_t *L, uint32_t w, uint32_t h, uint32_t algos, void *work,
                   hm_hashes *out);
/* The same from the decoded image: its luma is computed block by block and
 * never held whole. Same scratch size. */
void hm__imagehash_image(const hm_image *img, uint32_t algos, void *work, hm_hashes *out);
/* The same from any pixel view (one pass over its rows). */
void hm__imagehash_pixels(const hm__pixview *v, uint32_t algos, void *work, hm_hashes *out);
/* All three with the kernels of `k` (tests compare every tier). */
void hm__imagehash_k(const hm__ih_kernels *k, const uint8_t *L, uint32_t w, uint32_t h,
                     uint32_t algos, void *work, hm_hashes *out);
void hm__imagehash_image_k(const hm__ih_kernels *k, const hm_image *img, uint32_t algos,
                           void *work, hm_hashes *out);
void hm__imagehash_pixels_k(const hm__ih_kernels *k, const hm__pixview *v, uint32_t algos,
                            void *work, hm_hashes *out);

/* The imagehash family fed with Pillow luma rows that another pass computes
 * (PDQ's), so that neither pass needs a whole plane: the rows go into the
 * scratch's block of HM__IH_BLOCK_ROWS rows, which is fed to the resizes when
 * full. Rows must come in order, each exactly once. Scratch as
 * hm__imagehash_work_bytes. */
typedef struct hm__ih_stream {
    hm__ih_engine e;
    const hm__ih_kernels *k;
    uint8_t *block;
    uint32_t height, y, filled; /* rows y .. y+filled-1 are in the block */
} hm__ih_stream;
void hm__ih_stream_start(hm__ih_stream *s, uint32_t w, uint32_t h, uint32_t algos, void *work);
/* Rows that can be written at hm__ih_stream_next before the next commit. */
uint32_t hm__ih_stream_room(const hm__ih_stream *s);
uint8_t *hm__ih_stream_next(hm__ih_stream *s);
/* n rows (<= room) were written at hm__ih_stream_next. */
void hm__ih_stream_commit(hm__ih_stream *s, uint32_t n);
/* After the last row: the hashes. */
void hm__ih_stream_finish(hm__ih_stream *s, hm_hashes *out);

/* ---- hm_hash_* with a kept scratch buffer (hash.c; hasher.c) ---- */

/* hm_hash_image and hm_hash_buffer with `scratch` as the working memory
 * (grown as needed and kept by the caller); NULL: fresh memory per call. */
hm_status hm__hash_image_scratch(const hm_image *img, const hm_hash_options *opt,
                                 hm__scratch *scratch, hm_hashes *out, hm_error *err);
hm_status hm__hash_buffer_scratch(const void *data, size_t size, const hm_hash_options *opt,
                                  hm__scratch *scratch, hm_hashes *out, hm_error *err);
/* hm__hash_buffer_scratch that also gives, when the image carries an EXIF
 * orientation (2..8) that opt does not apply, the perceptual hashes of the
 * image as it is displayed in *shown (shown->algos is 0 otherwise; shown
 * may be NULL). One decode. */
hm_status hm__hash_buffer_shown(const void *data, size_t size, const hm_hash_options *opt,
                                hm__scratch *scratch, hm_hashes *out, hm_hashes *shown,
                                hm_error *err);
/* What an hm_hash_* or hm_hasher_hash_* call hashes; HM__WITH_HASHER is
 * or'ed in by the hm_hasher_* calls, whose hasher must not be NULL. */
typedef enum {
    HM__FROM_IMAGE = 0,  /* src: an hm_image */
    HM__FROM_BUFFER = 1, /* src, size: encoded bytes */
    HM__FROM_FILE = 2,   /* src: a path */
    HM__WITH_HASHER = 4
} hm__source_kind;
/* The one body of the six image, buffer and file entry points: options
 * and output through the caller's sizes (docs/ABI.md), the source hashed
 * with h's kept memory (fresh memory when h is NULL). */
hm_status hm__hash_sized(hm_hasher *h, hm__source_kind kind, const void *src, size_t size,
                         const hm_hash_options *opt, size_t opt_size, hm_hashes *out,
                         size_t out_size, hm_error *err);
/* The working memory of a hasher (NULL for NULL). */
hm__scratch *hm__hasher_scratch(hm_hasher *h);
/* The sized entry points' common start (docs/ABI.md): reads the caller's
 * options into *o and checks its output struct. */
hm_status hm__hash_abi_in(const hm_hash_options *opt, size_t opt_size, hm_hash_options *o,
                          hm_hashes *out, size_t out_size, hm_error *err);

/* Reads a file into the hasher's kept file buffer (hasher.c), with
 * hm__read_file's checks and size limit (0: the default). */
hm_status hm__hasher_read_file(hm_hasher *h, const char *path, uint64_t max_bytes,
                               const uint8_t **data, size_t *size, hm_error *err);
hm_status hm__hasher_read_fd(hm_hasher *h, int fd, const char *name, uint64_t max_bytes,
                             const uint8_t **data, size_t *size, hm_error *err);

/* ---- digests (digest.c) ---- */

/* MD5/SHA-1/SHA-256 of `algos` over the bytes, through OpenSSL EVP. */
hm_status hm__digests(const uint8_t *data, size_t size, uint32_t algos, hm_hashes *out,
                      hm_error *err);

/* The same over a whole file, read from offset 0 in chunks (the file is
 * never held in memory). */
hm_status hm__digests_fd(int fd, uint32_t algos, hm_hashes *out, hm_error *err);

#endif /* HM_HASH_INTERNAL_H */
