/* test_image_trailers.c - damage that only touches what follows the image
 * data must not change the answer, and damage inside it must not go
 * unnoticed; hostile padding after the image must not cost more than the
 * image.
 *
 *  - Trailers: a JPEG without its EOI marker or with junk after its last
 *    scan, a PNG without IEND, without the last CRC or with bad IDAT CRCs, a
 *    GIF without its trailer or cut inside its end code, a WebP cut after its
 *    image chunk: every hash equals the complete file's (and, for the
 *    reference images, the hashes Pillow + imagehash computed), every pixel
 *    too. Cuts inside the image data stay HM_E_IMAGE_TRUNCATED.
 *  - A 100x100 PNG whose zlib stream inflates to 4 GiB more than the image
 *    needs: decoded from the first few kilobytes of IDAT (the byte count
 *    libpng was given is checked, not a time).
 *  - A JPEG with 20000 APP1 markers keeps the first EXIF orientation. */
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/image.h"
#include "image_fixtures.h"
#include "testutil.h"

#define PERCEPTUAL (HM_MASK_PERCEPTUAL)

typedef struct blob {
    uint8_t *data;
    size_t size;
} blob;

static blob make(const uint8_t *a, size_t an, const void *tail, size_t tn)
{
    blob b = {malloc(an + tn + 1), an + tn};
    if (!b.data) abort();
    memcpy(b.data, a, an);
    if (tn) memcpy(b.data + an, tail, tn);
    return b;
}

static blob prefix(const blob *full, size_t n) { return make(full->data, n, NULL, 0); }

static blob flipped(const blob *full, size_t at)
{
    blob b = make(full->data, full->size, NULL, 0);
    b.data[at] ^= 0xff;
    return b;
}

static hm_image *decode(const blob *b, hm_status *st)
{
    hm_image *img = NULL;
    hm_error err;
    *st = hm_image_decode(b->data, b->size, NULL, &img, &err);
    return img;
}

static int same_hashes(const hm_hashes *a, const hm_hashes *b)
{
    return !memcmp(a->pdq, b->pdq, sizeof a->pdq) && a->pdq_quality == b->pdq_quality &&
           !memcmp(a->ahash, b->ahash, 8) && !memcmp(a->dhash, b->dhash, 8) &&
           !memcmp(a->phash, b->phash, 8) && !memcmp(a->whash, b->whash, 8);
}

/* Optional independent expectation: imagehash's ahash, dhash, phash, whash. */
typedef struct known {
    char hex[4][17];
    int have;
} known;

/* The complete file, decoded and hashed once. */
typedef struct reference {
    const blob *file;
    hm_image *img;
    hm_hashes hashes;
} reference;

static hm_hashes hash_of(const blob *b, hm_status *st)
{
    hm_hash_options o = {0};
    o.algos = PERCEPTUAL;
    hm_hashes h;
    *st = hm_hash_buffer(b->data, b->size, &o, &h, NULL);
    return h;
}

/* Decodes and hashes the complete file; checks the hashes against the
 * independent ones when given. */
static reference reference_of(const char *name, const blob *f, const known *k)
{
    reference ref = {f, NULL, {0}};
    hm_status st;
    ref.img = decode(f, &st);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    ref.hashes = hash_of(f, &st);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    for (int i = 0; k && k->have && i < 4; i++) {
        const uint8_t *h[4] = {ref.hashes.ahash, ref.hashes.dhash, ref.hashes.phash, ref.hashes.whash};
        char hex[17];
        hm_hex_encode(h[i], 8, hex);
        if (strcmp(hex, k->hex[i])) printf("\n  %s: hash %d is %s, imagehash says %s", name, i, hex, k->hex[i]);
        CU_ASSERT_STRING_EQUAL(hex, k->hex[i]);
    }
    return ref;
}

/* `damaged` (freed here) must decode to the reference's pixels; with
 * `hash`, its hashes are computed and compared too (equal pixels give equal
 * hashes, so once per file is enough). */
static void expect_same(const char *what, const reference *ref, blob damaged, int hash)
{
    hm_status st;
    hm_image *img = decode(&damaged, &st);
    int ok = st == HM_OK && fx_same_image(img, ref->img);
    if (ok && hash) {
        hm_hashes h = hash_of(&damaged, &st);
        ok = st == HM_OK && same_hashes(&h, &ref->hashes);
    }
    if (!ok) printf("\n  %s: %s", what, st == HM_OK ? "other pixels or hashes" : hm_status_name(st));
    CU_ASSERT(ok);
    hm_image_free(img);
    free(damaged.data);
}

static void expect_truncated(const char *what, blob damaged)
{
    hm_status st;
    hm_image *img = decode(&damaged, &st);
    if (st != HM_E_IMAGE_TRUNCATED) printf("\n  %s: %s", what, hm_status_name(st));
    CU_ASSERT_EQUAL(st, HM_E_IMAGE_TRUNCATED);
    hm_image_free(img);
    free(damaged.data);
}

/* ---- JPEG ---------------------------------------------------------------- */

static size_t last_sos(const blob *b)
{
    size_t at = 0;
    for (size_t i = 2; i + 1 < b->size; i++)
        if (b->data[i] == 0xff && b->data[i + 1] == 0xda) at = i;
    return at;
}

static void jpeg_cases(const char *name, const blob *f, const known *k, int progressive)
{
    reference ref = reference_of(name, f, k);
    char what[160];
    CU_ASSERT_FATAL(f->size > 200 && f->data[f->size - 2] == 0xff && f->data[f->size - 1] == 0xd9);
    static const uint8_t JUNK[100] = {0x12, 0x34};
    static const uint8_t DHT_JUNK[18] = {0xff, 0xc4, 0x00, 0x10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    snprintf(what, sizeof what, "%s without EOI", name);
    expect_same(what, &ref, prefix(f, f->size - 2), 1);
    snprintf(what, sizeof what, "%s without the last byte", name);
    expect_same(what, &ref, prefix(f, f->size - 1), 0);
    snprintf(what, sizeof what, "%s with junk instead of EOI", name);
    expect_same(what, &ref, make(f->data, f->size - 2, JUNK, sizeof JUNK), 0);
    snprintf(what, sizeof what, "%s with junk after EOI", name);
    expect_same(what, &ref, make(f->data, f->size, "junk\xff\xd8\xff", 7), 0);
    if (!progressive) { /* a marker-like junk after the only scan is never read */
        snprintf(what, sizeof what, "%s with a bogus marker instead of EOI", name);
        expect_same(what, &ref, make(f->data, f->size - 2, DHT_JUNK, sizeof DHT_JUNK), 0);
    }
    snprintf(what, sizeof what, "%s cut 3 bytes short (inside the scan)", name);
    expect_truncated(what, prefix(f, f->size - 3));
    snprintf(what, sizeof what, "%s cut 100 bytes short", name);
    expect_truncated(what, prefix(f, f->size - 100));
    snprintf(what, sizeof what, "%s cut in half", name);
    expect_truncated(what, prefix(f, f->size / 2));
    if (progressive) {
        size_t s = last_sos(f);
        snprintf(what, sizeof what, "%s without its last scan", name);
        expect_truncated(what, prefix(f, s));
        snprintf(what, sizeof what, "%s cut inside its last scan", name);
        expect_truncated(what, prefix(f, (s + f->size) / 2));
    }
    hm_image_free(ref.img);
}

static blob read_blob(const char *path)
{
    blob b;
    b.data = tu_read(path, &b.size);
    return b;
}

/* bridge.jpg's PDQ hash as listed in demo/demo.hmset (README). */
static void test_jpeg_demo(void)
{
    blob f = read_blob(HM_TEST_SOURCE_DIR "/demo/images/bridge.jpg");
    jpeg_cases("bridge.jpg", &f, NULL, 0);
    hm_hash_options o = {0};
    o.algos = HM_MASK(HM_ALGO_PDQ) | HM_MASK(HM_ALGO_PHASH);
    hm_hashes h;
    CU_ASSERT_EQUAL(hm_hash_buffer(f.data, f.size - 2, &o, &h, NULL), HM_OK);
    char hex[65];
    hm_hex_encode(h.pdq, 32, hex);
    CU_ASSERT_STRING_EQUAL(hex, "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
    hm_hex_encode(h.phash, 8, hex);
    CU_ASSERT_STRING_EQUAL(hex, "aca29c1c33dc23d7");
    free(f.data);
    blob p = read_blob(HM_TEST_DATA_DIR "/threatexchange/small.jpg"); /* progressive */
    jpeg_cases("small.jpg (progressive)", &p, NULL, 1);
    free(p.data);
}

/* A multi-scan file whose last component scan is missing must not decode
 * with that component left at zero. */
static void test_jpeg_missing_component_scan(void)
{
    const uint32_t w = 48, h = 32;
    uint8_t *px = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++) px[i] = (uint8_t)(i * 37 + i / 97);
    /* sequential, one scan per component */
    static const jpeg_scan_info SCANS[3] = {{1, {0}, 0, 63, 0, 0}, {1, {1}, 0, 63, 0, 0},
                                            {1, {2}, 0, 63, 0, 0}};
    fx_jpeg j = {w, h, 3, JCS_RGB, JCS_UNKNOWN, 90, 0, 0, 0, px, NULL, 0, SCANS, 3};
    blob f;
    f.data = fx_jpeg_write(&j, &f.size);
    reference ref = reference_of("three-scan JPEG", &f, NULL);
    expect_same("three-scan JPEG without EOI", &ref, prefix(&f, f.size - 2), 1);
    hm_image_free(ref.img);
    expect_truncated("three-scan JPEG without its third scan", prefix(&f, last_sos(&f)));
    free(f.data);
    free(px);
}

/* ---- PNG ----------------------------------------------------------------- */

typedef struct chunk {
    size_t pos;
    uint32_t len;
    char type[5];
} chunk;

static size_t png_chunks(const blob *b, chunk *out, size_t max)
{
    size_t n = 0, pos = 8;
    while (pos + 12 <= b->size && n < max) {
        chunk c = {pos, (uint32_t)(b->data[pos] << 24 | b->data[pos + 1] << 16 | b->data[pos + 2] << 8 |
                                   b->data[pos + 3]), {0}};
        memcpy(c.type, b->data + pos + 4, 4);
        out[n++] = c;
        pos += 12 + c.len;
    }
    return n;
}

static void png_cases(const char *name, const blob *f, const known *k)
{
    reference ref = reference_of(name, f, k);
    chunk ch[4096];
    size_t n = png_chunks(f, ch, 4096);
    size_t first = 0, last = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ch[i].type, "IDAT")) {
            if (!first) first = i;
            last = i;
        }
    CU_ASSERT_FATAL(last > 0 && !strcmp(ch[n - 1].type, "IEND"));
    size_t crc_last = ch[last].pos + 8 + ch[last].len; /* the last IDAT's CRC */
    size_t crc_first = ch[first].pos + 8 + ch[first].len;
    char what[160];
    snprintf(what, sizeof what, "%s without IEND", name);
    expect_same(what, &ref, prefix(f, f->size - 12), 1);
    snprintf(what, sizeof what, "%s without IEND and the last IDAT CRC", name);
    expect_same(what, &ref, prefix(f, crc_last), 0);
    snprintf(what, sizeof what, "%s without IEND, the last CRC and the zlib checksum", name);
    expect_same(what, &ref, prefix(f, crc_last - 4), 0);
    snprintf(what, sizeof what, "%s with a bad CRC on the last IDAT", name);
    expect_same(what, &ref, flipped(f, crc_last), 0);
    snprintf(what, sizeof what, "%s with a bad CRC on the first IDAT", name);
    expect_same(what, &ref, flipped(f, crc_first), 0);
    snprintf(what, sizeof what, "%s with junk instead of IEND", name);
    expect_same(what, &ref, make(f->data, f->size - 12, "junkjunkjunkjunkjunk", 20), 0);
    snprintf(what, sizeof what, "%s cut 100 bytes inside the image data", name);
    expect_truncated(what, prefix(f, crc_last - 100));
    snprintf(what, sizeof what, "%s cut in half", name);
    expect_truncated(what, prefix(f, f->size / 2));
    hm_image_free(ref.img);
}

/* ---- GIF ----------------------------------------------------------------- */

/* Whether the first n bytes of f decode; with `full`, to its pixels. */
static int prefix_decodes(const blob *f, size_t n, const hm_image *full, hm_status *st)
{
    blob part = prefix(f, n);
    hm_image *img = decode(&part, st);
    int ok = *st == HM_OK && (!full || fx_same_image(img, full));
    hm_image_free(img);
    free(part.data);
    return ok;
}

/* The shortest prefix of a GIF that decodes (found by bisection): the 64
 * prefixes from it on, and every 97th after them, must give the complete
 * file's pixels, and the one a byte shorter must be a truncation. */
static size_t gif_boundary(const char *name, const blob *f)
{
    hm_status st;
    hm_image *full = decode(f, &st);
    CU_ASSERT_EQUAL_FATAL(st, HM_OK);
    size_t lo = 1, hi = f->size; /* prefix hi decodes, lo does not */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (prefix_decodes(f, mid, NULL, &st)) hi = mid;
        else lo = mid;
    }
    for (size_t n = hi; n < f->size; n += n < hi + 64 ? 1 : 97)
        if (!prefix_decodes(f, n, full, &st)) {
            printf("\n  %s cut at %zu: %s", name, n, hm_status_name(st));
            CU_FAIL("a cut after the last needed byte must give the complete pixels");
        }
    CU_ASSERT(!prefix_decodes(f, hi - 1, NULL, &st) && st == HM_E_IMAGE_TRUNCATED);
    hm_image_free(full);
    return hi;
}

static void gif_cases(const char *name, const blob *f, const known *k)
{
    reference ref = reference_of(name, f, k);
    char what[160];
    CU_ASSERT_FATAL(f->data[f->size - 1] == ';' && f->data[f->size - 2] == 0);
    snprintf(what, sizeof what, "%s without its trailer", name);
    expect_same(what, &ref, prefix(f, f->size - 1), 1);
    snprintf(what, sizeof what, "%s without block terminator and trailer", name);
    expect_same(what, &ref, prefix(f, f->size - 2), 0);
    size_t b = gif_boundary(name, f);
    snprintf(what, sizeof what, "%s cut halfway to its last needed byte", name);
    expect_truncated(what, prefix(f, b / 2));
    hm_image_free(ref.img);
}

/* A GIF whose last sub-block goes on after the end code: cut inside that
 * sub-block, past the end code, every pixel is still present. */
static void test_gif_cut_in_last_sub_block(void)
{
    const uint16_t w = 16, h = 9;
    uint8_t px[16 * 9], pal[4 * 3] = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)((i * 7 + i / 5) & 3);
    size_t n;
    uint8_t *lzw = fx_gif_lzw(px, sizeof px, 2, 0, 0, &n);
    uint8_t *raw = malloc(n + 6);
    memcpy(raw, lzw, n);
    memset(raw + n, 0, 6); /* padding after the end code, in the same sub-block */
    fx_gif_frame fr = {0, 0, w, h, 0, -1, NULL, 0, 2, px, sizeof px, 0, 0, raw, n + 6};
    blob f;
    f.data = fx_gif_write(w, h, pal, 1, &fr, &f.size);
    gif_cases("fixture GIF", &f, NULL);
    /* terminator, trailer and 4 bytes of the sub-block's announced length gone */
    reference ref = reference_of("fixture GIF", &f, NULL);
    expect_same("fixture GIF cut inside its last sub-block", &ref, prefix(&f, f.size - 6), 1);
    hm_image_free(ref.img);
    CU_ASSERT(gif_boundary("fixture GIF", &f) <= f.size - 2 - 6);
    free(f.data);
    free(raw);
    free(lzw);
}

/* ---- the reference images (../shared/vectors) ------------------------------ */

/* Finds `image` in imagehash/vectors.tsv: its four hashes as Pillow and
 * imagehash computed them. */
static int vector_hashes(const char *image, known *k)
{
    char *tsv = tu_path(tu_vectors_dir(), "imagehash/vectors.tsv");
    size_t n;
    char *text = (char *)tu_read(tsv, &n);
    free(tsv);
    k->have = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[12];
        if (line[0] == '#' || tu_split_tabs(line, f, 12) < 8 || strcmp(f[0], image)) continue;
        for (int i = 0; i < 4; i++) snprintf(k->hex[i], sizeof k->hex[i], "%s", f[4 + i]);
        k->have = 1;
    }
    free(text);
    return k->have;
}

static void test_vectors(void)
{
    if (!tu_vectors_dir()) {
        printf("(no ../shared/vectors: skipped) ");
        return;
    }
    static const struct {
        const char *image;
        char kind;
    } CASES[] = {
        {"images/skimage/rocket.jpg", 'j'},
        {"images/threatexchange_pdq/misc-images_small.jpg", 'p'},
        {"images/threatexchange_pdq/misc-images_modes_CMYK.jpg", 'j'},
        {"images/skimage/chelsea.png", 'n'},
        {"images/skimage/green_palette.png", 'n'},
        {"images/imagehash_tests/peppers.png", 'n'},
        {"images/skimage/checker_bilevel.png", 'n'},
        {"images/skimage/no_time_for_that_tiny.gif", 'g'},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        known k;
        CU_ASSERT_FATAL(vector_hashes(CASES[i].image, &k));
        char *rel = tu_path("imagehash", CASES[i].image);
        char *path = tu_path(tu_vectors_dir(), rel);
        blob f = read_blob(path);
        if (CASES[i].kind == 'j' || CASES[i].kind == 'p')
            jpeg_cases(CASES[i].image, &f, &k, CASES[i].kind == 'p');
        else if (CASES[i].kind == 'n')
            png_cases(CASES[i].image, &f, &k);
        else
            gif_cases(CASES[i].image, &f, &k);
        free(f.data);
        free(path);
        free(rel);
    }
}

/* ---- WebP ------------------------------------------------------------------ */

static void test_webp(void)
{
#ifdef HM_WITH_WEBP
    const uint32_t w = 21, h = 13;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++) rgb[i] = (uint8_t)(i * 11 + i / 7);
    uint8_t tiff[64];
    size_t tn = fx_exif_tiff(tiff, 0, 1);
    blob f;
    f.data = fx_webp_with_exif(rgb, w, h, tiff, tn, &f.size); /* VP8X, VP8L, EXIF */
    reference ref = reference_of("WebP", &f, NULL);
    expect_same("WebP cut inside the EXIF chunk after the image", &ref, prefix(&f, f.size - 3), 1);
    expect_same("WebP with junk after the RIFF data", &ref, make(f.data, f.size, "junk", 4), 0);
    hm_image_free(ref.img);
    expect_truncated("WebP cut inside the image chunk", prefix(&f, f.size - tn - 8 - 4));
    free(f.data);
    free(rgb);
#else
    printf("(no WebP in this build: skipped) ");
#endif
}

/* ---- resource bombs ------------------------------------------------------- */

static void put_chunk(fx_buf *b, const char *type, const uint8_t *data, size_t n)
{
    fx_put_be32(b, (uint32_t)n);
    fx_put(b, type, 4);
    if (n) fx_put(b, data, n);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (n) crc = crc32(crc, data, (uInt)n);
    fx_put_be32(b, (uint32_t)crc);
}

/* Deflates `in` into `out` with the given flush; returns bytes written. */
static size_t deflate_part(z_stream *z, const uint8_t *in, size_t n, int flush, fx_buf *out)
{
    uint8_t buf[1 << 16];
    size_t total = 0;
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    do {
        z->next_out = buf;
        z->avail_out = sizeof buf;
        int rc = deflate(z, flush);
        CU_ASSERT(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
        size_t got = sizeof buf - z->avail_out;
        fx_put(out, buf, got);
        total += got;
    } while (z->avail_out == 0);
    return total;
}

/* A 100x100 RGB PNG: the rows, then `extra_mib` MiB of zeros in the same
 * zlib stream (each MiB is one full-flush block about 1 KiB long, repeated),
 * with a correct checksum, in IDAT chunks of 1 MiB. *rows_end: the file
 * offset where the image rows' compressed data ends. */
static blob png_bomb(const uint8_t *rows, size_t row_bytes, unsigned extra_mib, size_t *rows_end)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    CU_ASSERT_FATAL(deflateInit(&z, 9) == Z_OK);
    fx_buf zs = {0};
    deflate_part(&z, rows, row_bytes, Z_FULL_FLUSH, &zs);
    size_t rows_z = zs.size;
    uint8_t *zeros = calloc(1, 1 << 20);
    fx_buf one = {0};
    deflate_part(&z, zeros, 1 << 20, Z_FULL_FLUSH, &one);
    for (unsigned i = 0; i < extra_mib; i++) fx_put(&zs, one.data, one.size);
    fx_buf tail = {0};
    deflate_part(&z, NULL, 0, Z_FINISH, &tail); /* final block + adler32 of 1 MiB */
    fx_put(&zs, tail.data, tail.size - 4);
    uLong adler = adler32(1, rows, (uInt)row_bytes);
    uLong adler_zero = adler32(1, zeros, 1 << 20);
    for (unsigned i = 0; i < extra_mib; i++) adler = adler32_combine(adler, adler_zero, 1 << 20);
    fx_put_be32(&zs, (uint32_t)adler);
    deflateEnd(&z);

    fx_buf f = {0};
    fx_put(&f, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {0, 0, 0, 100, 0, 0, 0, 100, 8, 2, 0, 0, 0};
    put_chunk(&f, "IHDR", ihdr, 13);
    *rows_end = f.size + 8 + rows_z; /* rows_z < 1 MiB: inside the first IDAT */
    for (size_t at = 0; at < zs.size; at += 1 << 20) {
        size_t n = zs.size - at < (1u << 20) ? zs.size - at : 1u << 20;
        put_chunk(&f, "IDAT", zs.data + at, n);
    }
    put_chunk(&f, "IEND", NULL, 0);
    free(zeros);
    free(one.data);
    free(tail.data);
    free(zs.data);
    return (blob){f.data, f.size};
}

static void test_png_inflate_bomb(void)
{
    /* rows: filter byte 0, then RGB */
    size_t row_bytes = 100 * (1 + 300);
    uint8_t *rows = malloc(row_bytes), *want = malloc(100 * 300);
    for (size_t y = 0; y < 100; y++) {
        rows[y * 301] = 0;
        for (size_t x = 0; x < 300; x++) rows[y * 301 + 1 + x] = want[y * 300 + x] = (uint8_t)(x * y + x);
    }
    size_t rows_end;
    blob bomb = png_bomb(rows, row_bytes, 4096, &rows_end); /* 4 GiB of excess */
    printf("(%zu bytes, %u MiB of excess) ", bomb.size, 4096u);
    CU_ASSERT(bomb.size > 4000000);
    hm_decode_options opt = {0};
    hm_image *img = NULL;
    size_t consumed = 0;
    hm_error err;
    hm_status st = hm__decode_png_counted(bomb.data, bomb.size, &opt, &img, &consumed, &err);
    CU_ASSERT_EQUAL(st, HM_OK);
    CU_ASSERT(img && hm_image_width(img) == 100 && !memcmp(hm_image_pixels(img), want, 100 * 300));
    /* libpng saw the rows and at most one push (64 KiB) more: the 4 MB of
     * compressed zeros, 4 GiB inflated, were never touched */
    printf("(libpng was given %zu bytes) ", consumed);
    CU_ASSERT(consumed <= rows_end + 65536);
    CU_ASSERT(consumed < bomb.size / 50);
    hm_image_free(img);
    /* the public entry points take the same path */
    hm_hash_options ho = {0};
    hm_hashes h;
    CU_ASSERT_EQUAL(hm_hash_buffer(bomb.data, bomb.size, &ho, &h, NULL), HM_OK);
    free(bomb.data);
    free(rows);
    free(want);
}

/* A second run of image data after another chunk ("Too many IDATs", a
 * benign error to libpng) starts libpng's header callback again. The image
 * is the first run's rows, as Pillow reads it; nothing is allocated twice. */
static void test_png_second_idat_run(void)
{
    size_t row_bytes = 40 * (1 + 120);
    uint8_t *rows = malloc(row_bytes), *other = calloc(1, row_bytes), *want = malloc(40 * 120);
    for (size_t y = 0; y < 40; y++) {
        rows[y * 121] = 0;
        for (size_t x = 0; x < 120; x++) rows[y * 121 + 1 + x] = want[y * 120 + x] = (uint8_t)(x * 3 + y * 7);
    }
    fx_buf za = {0}, zb = {0};
    for (int k = 0; k < 2; k++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        CU_ASSERT_FATAL(deflateInit(&z, 9) == Z_OK);
        deflate_part(&z, k ? other : rows, row_bytes, Z_FINISH, k ? &zb : &za);
        deflateEnd(&z);
    }
    fx_buf f = {0};
    fx_put(&f, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {0, 0, 0, 40, 0, 0, 0, 40, 8, 2, 0, 0, 0};
    put_chunk(&f, "IHDR", ihdr, 13);
    put_chunk(&f, "IDAT", za.data, za.size);
    put_chunk(&f, "tEXt", (const uint8_t *)"k\0v", 3);
    put_chunk(&f, "IDAT", zb.data, zb.size);
    put_chunk(&f, "IDAT", zb.data, zb.size);
    put_chunk(&f, "IEND", NULL, 0);
    hm_decode_options opt = {0};
    hm_image *img = NULL;
    hm_error err;
    CU_ASSERT_EQUAL(hm__decode_png(f.data, f.size, &opt, &img, &err), HM_OK);
    CU_ASSERT(img && hm_image_width(img) == 40 && hm_image_height(img) == 40 &&
              !memcmp(hm_image_pixels(img), want, 40 * 120));
    hm_image_free(img);
    /* the second run cut short: the same image, still */
    img = NULL;
    CU_ASSERT_EQUAL(hm__decode_png(f.data, f.size - 12 - zb.size / 2, &opt, &img, &err), HM_OK);
    CU_ASSERT(img && !memcmp(hm_image_pixels(img), want, 40 * 120));
    hm_image_free(img);
    free(f.data);
    free(za.data);
    free(zb.data);
    free(rows);
    free(other);
    free(want);
}

/* SOI, 20000 APP1 markers that are not EXIF, optionally an EXIF APP1 with
 * orientation 3, then the rest of a JPEG whose own EXIF says 6. */
static unsigned flood_orientation(int with_exif3)
{
    const uint32_t w = 16, h = 16;
    uint8_t px[16 * 16 * 3];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 5);
    uint8_t exif6[80], exif3[80];
    memcpy(exif6, "Exif\0\0", 6);
    memcpy(exif3, "Exif\0\0", 6);
    size_t n6 = 6 + fx_exif_tiff(exif6 + 6, 0, 6), n3 = 6 + fx_exif_tiff(exif3 + 6, 1, 3);
    fx_jpeg j = {w, h, 3, JCS_RGB, JCS_UNKNOWN, 90, 0, 0, 0, px, exif6, n6, NULL, 0};
    size_t size;
    uint8_t *plain = fx_jpeg_write(&j, &size);
    fx_buf b = {0};
    fx_put(&b, plain, 2);
    static uint8_t body[1000];
    memset(body, 'x', sizeof body);
    for (int i = 0; i < 20000; i++) {
        uint8_t m[4] = {0xff, 0xe1, (uint8_t)((sizeof body + 2) >> 8), (uint8_t)(sizeof body + 2)};
        fx_put(&b, m, 4);
        fx_put(&b, body, sizeof body);
    }
    if (with_exif3) {
        uint8_t m[4] = {0xff, 0xe1, (uint8_t)((n3 + 2) >> 8), (uint8_t)(n3 + 2)};
        fx_put(&b, m, 4);
        fx_put(&b, exif3, n3);
    }
    fx_put(&b, plain + 2, size - 2);
    hm_image *img = NULL;
    hm_status st = hm_image_decode(b.data, b.size, NULL, &img, NULL);
    CU_ASSERT_EQUAL(st, HM_OK);
    unsigned o = hm_image_exif_orientation(img);
    hm_image_free(img);
    free(b.data);
    free(plain);
    return o;
}

/* A flood of APP1 markers is skipped without being kept, and the first
 * EXIF marker still gives the orientation. */
static void test_jpeg_app1_flood(void)
{
    CU_ASSERT_EQUAL(flood_orientation(0), 6);
    CU_ASSERT_EQUAL(flood_orientation(1), 3);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test TESTS[] = {
        {"jpeg_demo_and_progressive", test_jpeg_demo},
        {"jpeg_missing_component_scan", test_jpeg_missing_component_scan},
        {"gif_cut_in_last_sub_block", test_gif_cut_in_last_sub_block},
        {"reference_images", test_vectors},
        {"webp", test_webp},
        {"png_inflate_bomb", test_png_inflate_bomb},
        {"png_second_idat_run", test_png_second_idat_run},
        {"jpeg_app1_flood", test_jpeg_app1_flood},
        {NULL, NULL},
    };
    tu_add_suite("image_trailers", TESTS);
    return tu_run("test_image_trailers");
}
