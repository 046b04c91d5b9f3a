/*
 * gif.c - the first frame of a GIF, decoded as Pillow 9.4 presents it.
 *
 * Pillow's frame 0 is a canvas of the logical screen size, enlarged if the
 * frame reaches outside it, filled with the frame's transparency index (when
 * its Graphic Control Extension sets one) or with index 0, with the frame's
 * pixels painted at their offset. Transparency is otherwise ignored: a
 * pixel's palette colour counts. Palette indices past the end of the colour
 * table show as grey (i, i, i), Pillow's palette initialisation; without a
 * colour table, or with the identity grey table, the image is grey.
 *
 * The LZW decoder follows the same rules as Pillow's: codes up to 12 bits
 * (13 for a minimum code size of 12), no table entries added once 4096 are
 * in use, a code past the next free entry is corrupt, and a frame whose data
 * ends (end code, or no more sub-blocks) before its last pixel is truncated.
 */
#include <stdlib.h>

#include "image.h"

#define LZW_TABLE 4096
#define LZW_MAX_BITS 12

typedef struct gif_info {
    uint32_t canvas_w, canvas_h;
    uint32_t x0, y0, w, h;
    int interlaced;
    int transparency;       /* index from the first frame's GCE, -1 when none */
    const uint8_t *palette; /* RGB triples, NULL for a grey image */
    unsigned palette_size;  /* entries */
    unsigned min_code_size;
    size_t data_pos; /* first byte of the LZW sub-blocks */
} gif_info;

typedef struct gif_cursor {
    const uint8_t *p;
    size_t size;
    size_t pos;
} gif_cursor;

static int need(const gif_cursor *c, size_t n) { return c->size - c->pos >= n; }

#define GIF_NEED(c, n, err)                                                                       \
    HM_RETURN_IF(!need((c), (n)), (err), HM_E_IMAGE_TRUNCATED, "gif: the data ends early")

/* Pillow shows a colour table that maps every index i to (i, i, i) as a
 * grey image. */
static int is_identity_grey(const uint8_t *pal, unsigned entries)
{
    for (unsigned i = 0; i < entries; i++)
        if (pal[3 * i] != i || pal[3 * i + 1] != i || pal[3 * i + 2] != i) return 0;
    return 1;
}

static void use_palette(gif_info *g, const uint8_t *pal, unsigned entries)
{
    g->palette = is_identity_grey(pal, entries) ? NULL : pal;
    g->palette_size = g->palette ? entries : 0;
}

/* Skips the data sub-blocks of an extension, up to its zero-length block. */
static hm_status skip_sub_blocks(gif_cursor *c, hm_error *err)
{
    for (;;) {
        GIF_NEED(c, 1, err);
        size_t n = c->p[c->pos++];
        if (n == 0) return HM_OK;
        GIF_NEED(c, n, err);
        c->pos += n;
    }
}

static hm_status read_extension(gif_cursor *c, gif_info *g, hm_error *err)
{
    GIF_NEED(c, 2, err);
    unsigned label = c->p[c->pos++];
    size_t n = c->p[c->pos];
    /* The Graphic Control Extension: flags, delay (2 bytes), transparent index. */
    if (label == 0xf9 && n >= 4 && need(c, 1 + n) && (c->p[c->pos + 1] & 1))
        g->transparency = c->p[c->pos + 4];
    return skip_sub_blocks(c, err);
}

static hm_status read_descriptor(gif_cursor *c, gif_info *g, hm_error *err)
{
    GIF_NEED(c, 9, err);
    const uint8_t *d = c->p + c->pos;
    g->x0 = hm__load_le16(d);
    g->y0 = hm__load_le16(d + 2);
    g->w = hm__load_le16(d + 4);
    g->h = hm__load_le16(d + 6);
    g->interlaced = (d[8] & 0x40) != 0;
    c->pos += 9;
    HM_RETURN_IF(g->w == 0 || g->h == 0, err, HM_E_IMAGE_DIMENSIONS, "gif: the first frame is empty");
    if (d[8] & 0x80) {
        unsigned entries = 2u << (d[8] & 7);
        GIF_NEED(c, 3 * entries, err);
        use_palette(g, c->p + c->pos, entries);
        c->pos += 3 * entries;
    }
    GIF_NEED(c, 1, err);
    g->min_code_size = c->p[c->pos++];
    HM_RETURN_IF(g->min_code_size > LZW_MAX_BITS, err, HM_E_IMAGE_CORRUPT,
                 "gif: LZW minimum code size %u", g->min_code_size);
    g->data_pos = c->pos;
    /* Pillow enlarges the canvas to hold a frame that reaches outside it. */
    if (g->x0 + g->w > g->canvas_w) g->canvas_w = g->x0 + g->w;
    if (g->y0 + g->h > g->canvas_h) g->canvas_h = g->y0 + g->h;
    return HM_OK;
}

/* Walks the header, colour table and extensions up to the first image
 * descriptor: everything but the pixels. */
static hm_status gif_parse(const uint8_t *data, size_t size, gif_info *g, hm_error *err)
{
    memset(g, 0, sizeof *g);
    g->transparency = -1;
    gif_cursor c = {data, size, 0};
    GIF_NEED(&c, 13, err);
    g->canvas_w = hm__load_le16(data + 6);
    g->canvas_h = hm__load_le16(data + 8);
    unsigned flags = data[10];
    c.pos = 13;
    if (flags & 0x80) {
        unsigned entries = 2u << (flags & 7);
        GIF_NEED(&c, 3 * entries, err);
        use_palette(g, data + c.pos, entries);
        c.pos += 3 * entries;
    }
    for (;;) {
        GIF_NEED(&c, 1, err);
        uint8_t b = data[c.pos++];
        if (b == ',') return read_descriptor(&c, g, err);
        HM_RETURN_IF(b == ';', err, HM_E_IMAGE_CORRUPT, "gif: no image before the trailer");
        if (b == '!') HM_FORWARD_IF_ERROR(read_extension(&c, g, err));
        /* Pillow skips any other byte. */
    }
}

hm_status hm__probe_gif(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        hm_error *err)
{
    gif_info g;
    HM_FORWARD_IF_ERROR(gif_parse(data, size, &g, err));
    *width = g.canvas_w;
    *height = g.canvas_h;
    return HM_OK;
}

int hm__gif_has_later_frames(const uint8_t *data, size_t size)
{
    gif_info g;
    if (gif_parse(data, size, &g, NULL) != HM_OK) return 0;
    gif_cursor c = {data, size, g.data_pos};
    if (skip_sub_blocks(&c, NULL) != HM_OK) return 0;
    /* Only extensions may follow the first frame, then the trailer or the
     * end of the data: anything else (another image descriptor, or bytes
     * another decoder may read as one) counts as more frames. */
    while (need(&c, 1)) {
        uint8_t b = data[c.pos++];
        if (b == ';') return 0;
        if (b != '!') return 1;
        gif_info ignored = g;
        if (read_extension(&c, &ignored, NULL) != HM_OK) return 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Pixel output: rows in file order, or the four interlaced passes.         */

typedef struct gif_out {
    hm_image *img;
    const gif_info *g;
    uint8_t lut[256][3]; /* index -> RGB (colour images only) */
    uint32_t x, y, step;
    int pass; /* 0 when not interlaced, else 1..4 */
    uint8_t *row;
    int done;
} gif_out;

static void out_row(gif_out *o)
{
    size_t stride = (size_t)o->img->width * o->img->channels;
    o->row = o->img->pixels + (size_t)(o->g->y0 + o->y) * stride + (size_t)o->g->x0 * o->img->channels;
}

/* Interlaced passes start at rows 0, 4, 2, 1 with steps 8, 8, 4, 2. */
static void next_row(gif_out *o)
{
    static const uint32_t START[5] = {0, 0, 4, 2, 1}, STEP[5] = {1, 8, 8, 4, 2};
    o->x = 0;
    o->y += o->step;
    while (o->y >= o->g->h) {
        if (o->pass == 0 || o->pass == 4) {
            o->done = 1;
            return;
        }
        o->pass++;
        o->y = START[o->pass];
        o->step = STEP[o->pass];
    }
    out_row(o);
}

static void put_pixel(gif_out *o, uint8_t v)
{
    if (o->img->channels == 1) {
        o->row[o->x] = v;
    } else {
        memcpy(o->row + 3 * (size_t)o->x, o->lut[v], 3);
    }
    if (++o->x >= o->g->w) next_row(o);
}

static void fill_canvas(gif_out *o)
{
    hm_image *img = o->img;
    uint8_t v = (uint8_t)(o->g->transparency >= 0 ? o->g->transparency : 0);
    size_t n = (size_t)img->width * img->height;
    if (img->channels == 1) {
        memset(img->pixels, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++) memcpy(img->pixels + 3 * i, o->lut[v], 3);
}

/* ------------------------------------------------------------------------ */
/* LZW                                                                      */

typedef struct lzw {
    gif_cursor in;
    size_t block_left; /* bytes left in the current sub-block */
    int cut;           /* the file ends inside the current sub-block */
    uint32_t bits;
    unsigned nbits;
    unsigned root_bits; /* the minimum code size */
    unsigned clear, end, next, code_size;
    int have_prev;
    unsigned prev_code;
    uint8_t prev_first; /* first byte of the previous string */
    uint16_t link[LZW_TABLE];
    uint8_t suffix[LZW_TABLE];
    uint8_t stack[LZW_TABLE + 1];
} lzw;

/* Next code, or -1 when the sub-blocks run out (a 0-length block is
 * skipped like any other, as Pillow does). -2 when the file ends inside a
 * sub-block's announced length and more bits are needed: the bytes that
 * are there are used, so a file cut after its last pixel's code (in the end
 * code, the block terminator or the trailer) decodes, as in Pillow. */
static int lzw_read(lzw *z)
{
    while (z->nbits < z->code_size) {
        if (z->block_left == 0) {
            if (z->cut) return -2;
            if (!need(&z->in, 1)) return -1;
            size_t n = z->in.p[z->in.pos++];
            if (!need(&z->in, n)) {
                z->cut = 1;
                n = z->in.size - z->in.pos;
            }
            z->block_left = n;
            continue;
        }
        z->bits |= (uint32_t)z->in.p[z->in.pos++] << z->nbits;
        z->nbits += 8;
        z->block_left--;
    }
    int c = (int)(z->bits & ((1u << z->code_size) - 1));
    z->bits >>= z->code_size;
    z->nbits -= z->code_size;
    return c;
}

static void lzw_reset(lzw *z)
{
    z->next = z->clear + 2;
    z->code_size = z->root_bits + 1;
    z->have_prev = 0;
}

/* Expands `code` (a table entry or the KwKwK code) onto the stack; returns
 * the string length, 0 when the code is invalid. */
static size_t lzw_expand(lzw *z, unsigned code)
{
    size_t top = sizeof z->stack;
    if (code == z->next) { /* the string of prev_code plus its first byte */
        z->stack[--top] = z->prev_first;
        code = z->prev_code;
    }
    while (code >= z->clear) {
        if (top == 0 || code >= LZW_TABLE) return 0;
        z->stack[--top] = z->suffix[code];
        code = z->link[code];
    }
    if (top == 0) return 0;
    z->stack[--top] = (uint8_t)code;
    return sizeof z->stack - top;
}

static void lzw_add(lzw *z, uint8_t first)
{
    if (z->next >= LZW_TABLE) return;
    z->suffix[z->next] = first;
    z->link[z->next] = (uint16_t)z->prev_code;
    if (z->next == (1u << z->code_size) - 1 && z->code_size < LZW_MAX_BITS) z->code_size++;
    z->next++;
}

static hm_status lzw_decode(lzw *z, gif_out *o, hm_error *err)
{
    lzw_reset(z);
    while (!o->done) {
        int c = lzw_read(z);
        HM_RETURN_IF(c == -2, err, HM_E_IMAGE_TRUNCATED, "gif: the data ends inside a sub-block");
        HM_RETURN_IF(c < 0 || (unsigned)c == z->end, err, HM_E_IMAGE_TRUNCATED,
                     "gif: the image data ends before the last pixel");
        unsigned code = (unsigned)c;
        if (code == z->clear) {
            lzw_reset(z);
            continue;
        }
        if (!z->have_prev) {
            HM_RETURN_IF(code > z->clear, err, HM_E_IMAGE_CORRUPT, "gif: invalid first LZW code");
            z->prev_first = (uint8_t)code;
            z->prev_code = code;
            z->have_prev = 1;
            put_pixel(o, (uint8_t)code);
            continue;
        }
        HM_RETURN_IF(code > z->next, err, HM_E_IMAGE_CORRUPT, "gif: invalid LZW code");
        size_t n = lzw_expand(z, code);
        HM_RETURN_IF(n == 0, err, HM_E_IMAGE_CORRUPT, "gif: invalid LZW string");
        const uint8_t *s = z->stack + sizeof z->stack - n;
        lzw_add(z, s[0]);
        z->prev_first = s[0];
        z->prev_code = code;
        for (size_t i = 0; i < n && !o->done; i++) put_pixel(o, s[i]);
    }
    return HM_OK;
}

static void build_lut(gif_out *o)
{
    for (unsigned i = 0; i < 256; i++) {
        const uint8_t *p = o->g->palette;
        if (p && i < o->g->palette_size)
            memcpy(o->lut[i], p + 3 * i, 3);
        else
            memset(o->lut[i], (int)i, 3);
    }
}

hm_status hm__decode_gif(const uint8_t *data, size_t size, const hm_decode_options *opt,
                         hm_image **out, hm_error *err)
{
    *out = NULL;
    gif_info g;
    HM_FORWARD_IF_ERROR(gif_parse(data, size, &g, err));
    unsigned channels = g.palette ? 3 : 1;
    hm_image *img;
    HM_FORWARD_IF_ERROR(hm__image_alloc(g.canvas_w, g.canvas_h, channels, opt->max_pixels, &img, err));
    img->format = HM_FORMAT_GIF;
    img->color = g.palette ? HM_COLOR_PALETTE : HM_COLOR_GRAY;
    gif_out *o = calloc(1, sizeof *o);
    lzw *z = calloc(1, sizeof *z);
    hm_status st = HM_E_NO_MEMORY;
    if (o && z) {
        o->img = img;
        o->g = &g;
        o->pass = g.interlaced ? 1 : 0;
        o->step = g.interlaced ? 8 : 1;
        build_lut(o);
        fill_canvas(o);
        out_row(o);
        z->in = (gif_cursor){data, size, g.data_pos};
        z->root_bits = g.min_code_size;
        z->clear = 1u << g.min_code_size;
        z->end = z->clear + 1;
        st = lzw_decode(z, o, err);
    } else {
        hm__fail(err, st, "cannot allocate the GIF decoder");
    }
    free(o);
    free(z);
    if (st != HM_OK) {
        hm_image_free(img);
        return st;
    }
    *out = img;
    return HM_OK;
}
